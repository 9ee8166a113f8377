//! The distribution handshake, version 6 (OTP `dist_util`; erts
//! `erl_dist_protocol`, "Distribution Handshake").
//!
//! Node A dials node B. A sends its name (`'N'`: 64-bit flags, creation,
//! name); B answers a status (`ok`, `ok_simultaneous`, `nok`,
//! `not_allowed`, `alive`); if allowed, B sends its challenge (`'N'`: flags,
//! a random 32-bit challenge, creation, name); A answers with its own
//! challenge and the digest of B's (`'r'`); B checks the digest and answers
//! with the digest of A's challenge (`'a'`); A checks it. A digest is the MD5
//! of the cookie followed by the challenge in decimal. Every message has a
//! 2-byte length; afterwards the connection switches to 4-byte frames.
//!
//! [`initiate`] is A's side and [`accept`] B's. Both are plain functions
//! over any byte stream, so a tool (or a test playing a hostile peer) can run
//! a handshake without a [`crate::Node`]. Neither has a timeout of its own:
//! the caller bounds the whole handshake (a node uses
//! [`crate::NodeConfig::handshake_timeout`]).

mod wire;

use std::fmt;
use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::cookie::Cookie;
use crate::flags::DistFlags;
use crate::name::NodeName;

/// What a node says about itself in a handshake.
#[derive(Clone, Debug)]
pub struct Local {
    /// Its full name.
    pub name: NodeName,
    /// Its incarnation (from EPMD).
    pub creation: u32,
    /// The flags it advertises, normally [`DistFlags::GIRDER`].
    pub flags: DistFlags,
    /// Its cookie (used as both in- and out-cookie for every peer).
    pub cookie: Cookie,
}

/// The other node, once the handshake has succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Peer {
    /// Its full name.
    pub name: NodeName,
    /// Its flags as it sent them (with `MANDATORY_25_DIGEST` expanded).
    pub flags: DistFlags,
    /// Its incarnation: what its pids, ports and references carry.
    pub creation: u32,
}

/// The status an acceptor answers a `send_name` with: the node's decision
/// about a connection from that peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// `ok`: go on.
    Ok,
    /// `ok_simultaneous`: go on; the acceptor drops its own attempt to
    /// connect to the peer (simultaneous connect, the peer's name is greater).
    OkSimultaneous,
    /// `nok`: the acceptor's own attempt wins (simultaneous connect, the
    /// acceptor's name is greater).
    Nok,
    /// `not_allowed`.
    NotAllowed,
    /// `alive`: a connection to the peer is already up; the peer answers
    /// `true` to replace it or `false` to give up.
    Alive,
}

impl Admission {
    fn status(self) -> &'static str {
        match self {
            Admission::Ok => "ok",
            Admission::OkSimultaneous => "ok_simultaneous",
            Admission::Nok => "nok",
            Admission::NotAllowed => "not_allowed",
            Admission::Alive => "alive",
        }
    }
}

/// Why a handshake failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum HandshakeError {
    /// The connection broke or closed.
    Io(io::Error),
    /// The peer sent something that is not the handshake protocol.
    Protocol {
        /// What was wrong.
        reason: &'static str,
    },
    /// The peer's digest does not match our cookie: the cookies differ.
    WrongCookie {
        /// The peer's name.
        peer: String,
    },
    /// The peer closed the connection after our challenge reply: it found
    /// our digest wrong, so the cookies differ (OTP closes without a word).
    CookieRejected {
        /// The peer's name.
        peer: String,
    },
    /// The peer lacks flags this node requires.
    MissingFlags {
        /// The peer's name.
        peer: String,
        /// What it lacks.
        missing: DistFlags,
    },
    /// The acceptor answered `nok` (simultaneous connect: its own attempt
    /// to connect to us wins).
    Nok {
        /// The peer's name.
        peer: String,
    },
    /// The acceptor answered `not_allowed`.
    NotAllowed {
        /// The peer's name.
        peer: String,
    },
    /// We answered `alive` and the peer gave up (`false`), or the peer gave
    /// another answer.
    AlreadyConnected {
        /// The peer's name.
        peer: String,
    },
    /// The node that answered is not the node we dialled.
    WrongNode {
        /// The name we dialled.
        expected: String,
        /// The name it gave.
        got: String,
    },
    /// The peer uses our own node name.
    SameName {
        /// The name.
        name: String,
    },
    /// The peer asks for something Girder does not do (the version 5
    /// `send_name`, a dynamic name).
    Unsupported {
        /// What.
        what: &'static str,
    },
    /// The peer's name is not `alive@host`.
    BadName {
        /// The text it sent.
        name: String,
    },
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandshakeError::Io(e) => write!(f, "handshake connection failed: {e}"),
            HandshakeError::Protocol { reason } => write!(f, "handshake protocol error: {reason}"),
            HandshakeError::WrongCookie { peer } => write!(
                f,
                "node {peer} sent a wrong digest: its cookie differs from ours"
            ),
            HandshakeError::CookieRejected { peer } => write!(
                f,
                "node {peer} closed the connection after our challenge reply: its cookie differs from ours"
            ),
            HandshakeError::MissingFlags { peer, missing } => write!(
                f,
                "node {peer} lacks distribution flags Girder requires: {missing}"
            ),
            HandshakeError::Nok { peer } => write!(
                f,
                "node {peer} answered nok: it is connecting to us at the same time and its attempt wins"
            ),
            HandshakeError::NotAllowed { peer } => {
                write!(
                    f,
                    "node {peer} does not allow a connection from us (not_allowed)"
                )
            }
            HandshakeError::AlreadyConnected { peer } => {
                write!(f, "a connection to node {peer} is already up")
            }
            HandshakeError::WrongNode { expected, got } => {
                write!(f, "dialled node {expected} but {got} answered")
            }
            HandshakeError::SameName { name } => {
                write!(f, "the peer calls itself {name}, which is our own name")
            }
            HandshakeError::Unsupported { what } => write!(f, "unsupported handshake: {what}"),
            HandshakeError::BadName { name } => {
                write!(f, "the peer's name {name:?} is not alive@host")
            }
        }
    }
}

impl std::error::Error for HandshakeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HandshakeError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for HandshakeError {
    fn from(e: io::Error) -> HandshakeError {
        HandshakeError::Io(e)
    }
}

fn protocol(reason: &'static str) -> HandshakeError {
    HandshakeError::Protocol { reason }
}

async fn send<S: AsyncWrite + Unpin>(stream: &mut S, body: &[u8]) -> io::Result<()> {
    let mut msg = Vec::with_capacity(body.len() + 2);
    // Bodies are at most 1 + 8 + 4 + 4 + 2 + 255*4 bytes.
    msg.extend_from_slice(&(body.len() as u16).to_be_bytes());
    msg.extend_from_slice(body);
    stream.write_all(&msg).await?;
    stream.flush().await
}

async fn recv<S: AsyncRead + Unpin>(stream: &mut S) -> io::Result<Vec<u8>> {
    let len = usize::from(stream.read_u16().await?);
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).await?;
    Ok(body)
}

fn random_challenge() -> io::Result<u32> {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).map_err(|e| io::Error::other(e.to_string()))?;
    Ok(u32::from_be_bytes(b))
}

fn check_flags(peer: &str, flags: DistFlags) -> Result<DistFlags, HandshakeError> {
    let flags = flags.expand_digest();
    let missing = flags.missing(DistFlags::MANDATORY);
    if missing != DistFlags::empty() {
        return Err(HandshakeError::MissingFlags {
            peer: peer.to_owned(),
            missing,
        });
    }
    Ok(flags)
}

/// Runs A's side: we dialled `peer` over `stream`. On `alive` we answer
/// `true` (our caller only dials when it has no connection to `peer`).
///
/// ```no_run
/// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
/// use girder_dist::handshake::{initiate, Local};
/// use girder_dist::{Cookie, DistFlags, NodeName};
/// let local = Local {
///     name: NodeName::parse("girder@127.0.0.1")?,
///     creation: 5,
///     flags: DistFlags::GIRDER,
///     cookie: Cookie::new("secret")?,
/// };
/// let mut stream = tokio::net::TcpStream::connect("127.0.0.1:45000").await?;
/// let peer = initiate(&mut stream, &local, &NodeName::parse("a@127.0.0.1")?).await?;
/// println!("connected to {} (creation {})", peer.name, peer.creation);
/// # Ok(()) }
/// ```
pub async fn initiate<S>(
    stream: &mut S,
    local: &Local,
    peer: &NodeName,
) -> Result<Peer, HandshakeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let peer_str = peer.as_str().to_owned();
    send(
        stream,
        &wire::encode_name(&wire::Name {
            flags: local.flags,
            creation: local.creation,
            name: local.name.as_str().to_owned(),
        }),
    )
    .await?;
    let status = recv(stream).await?;
    match wire::decode_status(&status).map_err(protocol)? {
        b"ok" | b"ok_simultaneous" => {}
        b"nok" => return Err(HandshakeError::Nok { peer: peer_str }),
        b"not_allowed" => return Err(HandshakeError::NotAllowed { peer: peer_str }),
        b"alive" => send(stream, &wire::encode_status("true")).await?,
        s if s.starts_with(b"named:") => {
            return Err(HandshakeError::Unsupported {
                what: "the peer assigned us a dynamic name we did not ask for",
            });
        }
        _ => return Err(protocol("unknown handshake status")),
    }
    let challenge = wire::decode_challenge(&recv(stream).await?).map_err(protocol)?;
    if challenge.name != peer.as_str() {
        return Err(HandshakeError::WrongNode {
            expected: peer_str,
            got: challenge.name,
        });
    }
    let flags = check_flags(&peer_str, challenge.flags)?;
    let ours = random_challenge()?;
    let reply_digest = wire::digest(challenge.challenge, local.cookie.as_str());
    send(stream, &wire::encode_reply(ours, &reply_digest)).await?;
    let ack = match recv(stream).await {
        Ok(body) => body,
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            return Err(HandshakeError::CookieRejected { peer: peer_str });
        }
        Err(e) => return Err(e.into()),
    };
    let digest = wire::decode_ack(&ack).map_err(protocol)?;
    if !wire::digests_equal(&digest, &wire::digest(ours, local.cookie.as_str())) {
        return Err(HandshakeError::WrongCookie { peer: peer_str });
    }
    Ok(Peer {
        name: peer.clone(),
        flags,
        creation: challenge.creation,
    })
}

/// Runs B's side: a peer dialled us over `stream`. `admit` decides the
/// status once the peer's name and flags are known (a node checks for a
/// connection already up or being set up; see [`Admission`]).
pub async fn accept<S>(
    stream: &mut S,
    local: &Local,
    admit: impl FnOnce(&NodeName, DistFlags) -> Admission,
) -> Result<Peer, HandshakeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let name = match wire::decode_name(&recv(stream).await?).map_err(protocol)? {
        wire::AnyName::V6(n) => n,
        wire::AnyName::V5 { .. } => {
            return Err(HandshakeError::Unsupported {
                what: "the version 5 send_name of OTP 23/24 nodes started without EPMD",
            });
        }
    };
    if name.flags.contains(DistFlags::NAME_ME) {
        send(stream, &wire::encode_status("not_allowed")).await?;
        return Err(HandshakeError::Unsupported {
            what: "dynamic node names (DFLAG_NAME_ME)",
        });
    }
    let peer = match NodeName::parse(&name.name) {
        Ok(p) => p,
        Err(_) => {
            send(stream, &wire::encode_status("not_allowed")).await?;
            return Err(HandshakeError::BadName { name: name.name });
        }
    };
    if peer == local.name {
        send(stream, &wire::encode_status("not_allowed")).await?;
        return Err(HandshakeError::SameName { name: name.name });
    }
    let flags = match check_flags(peer.as_str(), name.flags) {
        Ok(f) => f,
        Err(e) => {
            send(stream, &wire::encode_status("not_allowed")).await?;
            return Err(e);
        }
    };
    let admission = admit(&peer, flags);
    send(stream, &wire::encode_status(admission.status())).await?;
    let peer_str = peer.as_str().to_owned();
    match admission {
        Admission::Ok | Admission::OkSimultaneous => {}
        Admission::Nok => return Err(HandshakeError::Nok { peer: peer_str }),
        Admission::NotAllowed => return Err(HandshakeError::NotAllowed { peer: peer_str }),
        Admission::Alive => {
            let answer = recv(stream).await?;
            if wire::decode_status(&answer).map_err(protocol)? != b"true" {
                return Err(HandshakeError::AlreadyConnected { peer: peer_str });
            }
        }
    }
    let ours = random_challenge()?;
    send(
        stream,
        &wire::encode_challenge(&wire::Challenge {
            flags: local.flags,
            challenge: ours,
            creation: local.creation,
            name: local.name.as_str().to_owned(),
        }),
    )
    .await?;
    let (theirs, digest) = wire::decode_reply(&recv(stream).await?).map_err(protocol)?;
    if !wire::digests_equal(&digest, &wire::digest(ours, local.cookie.as_str())) {
        // As OTP does: close without an answer.
        return Err(HandshakeError::WrongCookie { peer: peer_str });
    }
    send(
        stream,
        &wire::encode_ack(&wire::digest(theirs, local.cookie.as_str())),
    )
    .await?;
    Ok(Peer {
        name: peer,
        flags,
        creation: name.creation,
    })
}
