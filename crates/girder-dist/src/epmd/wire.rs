//! EPMD messages on the wire (erts `erl_dist_protocol`, "EPMD Protocol").
//! Requests carry a 2-byte big-endian length; responses do not.

/// `ALIVE2_X_RESP`: registration result with a 32-bit creation.
pub(crate) const ALIVE2_X_RESP: u8 = 118;
/// `PORT2_RESP`.
pub(crate) const PORT2_RESP: u8 = 119;
/// `ALIVE2_REQ`.
pub(crate) const ALIVE2_REQ: u8 = 120;
/// `ALIVE2_RESP`: registration result with a 16-bit creation.
pub(crate) const ALIVE2_RESP: u8 = 121;
/// `PORT_PLEASE2_REQ`.
pub(crate) const PORT_PLEASE2_REQ: u8 = 122;
/// `NAMES_REQ`.
pub(crate) const NAMES_REQ: u8 = 110;

/// `NodeType` of a normal (visible) Erlang node.
pub const NODE_TYPE_NORMAL: u8 = 77;
/// `NodeType` of a hidden node (C node).
pub const NODE_TYPE_HIDDEN: u8 = 72;

/// A node as EPMD knows it: what `ALIVE2_REQ` registers and `PORT2_RESP`
/// returns.
///
/// ```
/// use girder_dist::epmd::NodeEntry;
/// let e = NodeEntry::new("girder", 4370);
/// assert_eq!((e.highest_version, e.lowest_version), (6, 6));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct NodeEntry {
    /// The alive part of the node name (before `@`).
    pub name: String,
    /// The port the node accepts distribution connections on.
    pub port: u16,
    /// [`NODE_TYPE_NORMAL`] or [`NODE_TYPE_HIDDEN`].
    pub node_type: u8,
    /// 0 for TCP/IPv4.
    pub protocol: u8,
    /// Highest distribution version the node handles (6 since OTP 23).
    pub highest_version: u16,
    /// Lowest distribution version the node handles.
    pub lowest_version: u16,
    /// Opaque extra bytes, returned as registered.
    pub extra: Vec<u8>,
}

impl NodeEntry {
    /// A normal TCP node speaking distribution version 6 only, as Girder
    /// registers itself.
    pub fn new(name: impl Into<String>, port: u16) -> NodeEntry {
        NodeEntry {
            name: name.into(),
            port,
            node_type: NODE_TYPE_NORMAL,
            protocol: 0,
            highest_version: 6,
            lowest_version: 6,
            extra: Vec::new(),
        }
    }
}

/// A request a client sends to EPMD (after the length prefix).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Request {
    Alive2(NodeEntry),
    PortPlease2(String),
    Names,
    /// A request this server does not serve (`DUMP_REQ`, `KILL_REQ`,
    /// `STOP_REQ`, ...), by its tag.
    Other(u8),
}

/// Why a request or response is malformed.
pub(crate) type WireError = &'static str;

/// Appends `body` with its 2-byte length prefix.
pub(crate) fn with_len2(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 2);
    // Callers build bodies from names of at most 255 bytes.
    out.extend_from_slice(&(body.len() as u16).to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// `NodeEntry` fields from `PortNo` on, shared by `ALIVE2_REQ` and `PORT2_RESP`.
fn put_entry(out: &mut Vec<u8>, e: &NodeEntry) {
    out.extend_from_slice(&e.port.to_be_bytes());
    out.push(e.node_type);
    out.push(e.protocol);
    out.extend_from_slice(&e.highest_version.to_be_bytes());
    out.extend_from_slice(&e.lowest_version.to_be_bytes());
    out.extend_from_slice(&(e.name.len() as u16).to_be_bytes());
    out.extend_from_slice(e.name.as_bytes());
    out.extend_from_slice(&(e.extra.len() as u16).to_be_bytes());
    out.extend_from_slice(&e.extra);
}

/// A cursor over a message body.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes }
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        if self.bytes.len() < n {
            return Err("truncated message");
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, WireError> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16, WireError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, WireError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, WireError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }

    pub(crate) fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.bytes)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

fn name_text(bytes: &[u8]) -> Result<String, WireError> {
    if bytes.is_empty() {
        return Err("empty node name");
    }
    if bytes.len() > 255 {
        return Err("node name longer than 255 bytes");
    }
    let s = std::str::from_utf8(bytes).map_err(|_| "node name is not UTF-8")?;
    if s.contains('@') || s.chars().any(char::is_control) {
        return Err("node name has a bad character");
    }
    Ok(s.to_owned())
}

/// Fields after `PortNo`'s position: reads an entry.
fn get_entry(r: &mut Reader<'_>) -> Result<NodeEntry, WireError> {
    let port = r.u16()?;
    let node_type = r.u8()?;
    let protocol = r.u8()?;
    let highest_version = r.u16()?;
    let lowest_version = r.u16()?;
    let nlen = usize::from(r.u16()?);
    let name = name_text(r.take(nlen)?)?;
    // Extra is optional in very old clients; a missing Elen means none.
    let extra = if r.is_empty() {
        Vec::new()
    } else {
        let elen = usize::from(r.u16()?);
        r.take(elen)?.to_vec()
    };
    Ok(NodeEntry {
        name,
        port,
        node_type,
        protocol,
        highest_version,
        lowest_version,
        extra,
    })
}

impl Request {
    /// The request body, without the length prefix.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Request::Alive2(e) => {
                out.push(ALIVE2_REQ);
                put_entry(&mut out, e);
            }
            Request::PortPlease2(name) => {
                out.push(PORT_PLEASE2_REQ);
                out.extend_from_slice(name.as_bytes());
            }
            Request::Names => out.push(NAMES_REQ),
            Request::Other(tag) => out.push(*tag),
        }
        out
    }

    /// Parses a request body (after the length prefix).
    pub(crate) fn decode(body: &[u8]) -> Result<Request, WireError> {
        let mut r = Reader::new(body);
        match r.u8().map_err(|_| "empty request")? {
            ALIVE2_REQ => Ok(Request::Alive2(get_entry(&mut r)?)),
            PORT_PLEASE2_REQ => Ok(Request::PortPlease2(name_text(r.rest())?)),
            NAMES_REQ => Ok(Request::Names),
            tag => Ok(Request::Other(tag)),
        }
    }
}

/// `ALIVE2_X_RESP` (32-bit creation) or `ALIVE2_RESP` (16-bit creation, for
/// nodes whose highest version is below 6).
pub(crate) fn alive2_resp(x: bool, result: u8, creation: u32) -> Vec<u8> {
    if x {
        let mut out = vec![ALIVE2_X_RESP, result];
        out.extend_from_slice(&creation.to_be_bytes());
        out
    } else {
        let mut out = vec![ALIVE2_RESP, result];
        out.extend_from_slice(&((creation & 0xFFFF) as u16).to_be_bytes());
        out
    }
}

/// `PORT2_RESP` for a found node, or `[119, 1]`.
pub(crate) fn port2_resp(entry: Option<&NodeEntry>) -> Vec<u8> {
    match entry {
        Some(e) => {
            let mut out = vec![PORT2_RESP, 0];
            put_entry(&mut out, e);
            out
        }
        None => vec![PORT2_RESP, 1],
    }
}

/// Parses a whole `PORT2_RESP`.
pub(crate) fn decode_port2_resp(bytes: &[u8]) -> Result<Option<NodeEntry>, WireError> {
    let mut r = Reader::new(bytes);
    if r.u8()? != PORT2_RESP {
        return Err("not a PORT2_RESP");
    }
    if r.u8()? != 0 {
        return Ok(None);
    }
    get_entry(&mut r).map(Some)
}

/// The `NAMES_RESP` body: EPMD's port, then one line per node.
pub(crate) fn names_resp(epmd_port: u16, nodes: &[(String, u16)]) -> Vec<u8> {
    let mut out = u32::from(epmd_port).to_be_bytes().to_vec();
    for (name, port) in nodes {
        out.extend_from_slice(format!("name {name} at port {port}\n").as_bytes());
    }
    out
}

/// Parses a `NAMES_RESP`: EPMD's port and `(name, port)` pairs.
pub(crate) fn decode_names_resp(bytes: &[u8]) -> Result<(u32, Vec<(String, u16)>), WireError> {
    let mut r = Reader::new(bytes);
    let port = r.u32()?;
    let text = std::str::from_utf8(r.rest()).map_err(|_| "names are not UTF-8")?;
    let mut nodes = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let rest = line.strip_prefix("name ").ok_or("bad names line")?;
        let (name, port) = rest.rsplit_once(" at port ").ok_or("bad names line")?;
        let port = port.trim().parse().map_err(|_| "bad port in names line")?;
        nodes.push((name.to_owned(), port));
    }
    Ok((port, nodes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alive2_round_trip_and_bytes() {
        let mut e = NodeEntry::new("a", 0x1234);
        e.extra = vec![9];
        let body = Request::Alive2(e.clone()).encode();
        assert_eq!(
            body,
            [120, 0x12, 0x34, 77, 0, 0, 6, 0, 6, 0, 1, b'a', 0, 1, 9]
        );
        assert_eq!(Request::decode(&body), Ok(Request::Alive2(e)));
        assert_eq!(alive2_resp(true, 0, 0x01020304), [118, 0, 1, 2, 3, 4]);
        assert_eq!(alive2_resp(false, 0, 0x01020304), [121, 0, 3, 4]);
    }

    #[test]
    fn port2_and_names() {
        let e = NodeEntry::new("node", 9);
        assert_eq!(decode_port2_resp(&port2_resp(Some(&e))), Ok(Some(e)));
        assert_eq!(decode_port2_resp(&[119, 1]), Ok(None));
        assert!(decode_port2_resp(&[119, 0, 1]).is_err());
        let nodes = vec![("a".to_owned(), 1u16), ("b c".to_owned(), 65535)];
        assert_eq!(
            decode_names_resp(&names_resp(4369, &nodes)),
            Ok((4369, nodes))
        );
    }

    #[test]
    fn bad_requests() {
        assert_eq!(Request::decode(&[]), Err("empty request"));
        assert_eq!(Request::decode(&[122]), Err("empty node name"));
        assert_eq!(
            Request::decode(&[122, b'a', b'@']),
            Err("node name has a bad character")
        );
        assert_eq!(Request::decode(&[120, 0, 1]), Err("truncated message"));
        assert_eq!(Request::decode(&[107]), Ok(Request::Other(107)));
    }
}
