//! Handshake messages (erts `erl_dist_protocol`, "Distribution Handshake",
//! version 6). Each is preceded by a 2-byte big-endian length.

use md5::{Digest, Md5};

use crate::epmd::wire::Reader;
use crate::flags::DistFlags;

/// `send_name` / challenge tag for version 6.
pub(crate) const TAG_NAME_V6: u8 = b'N';
/// `send_name` tag for version 5 (sent by OTP 23/24 without EPMD).
pub(crate) const TAG_NAME_V5: u8 = b'n';
pub(crate) const TAG_STATUS: u8 = b's';
pub(crate) const TAG_REPLY: u8 = b'r';
pub(crate) const TAG_ACK: u8 = b'a';

/// `send_name` (version 6): flags, creation, name.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Name {
    pub(crate) flags: DistFlags,
    pub(crate) creation: u32,
    pub(crate) name: String,
}

/// The challenge: the acceptor's flags, challenge, creation and name.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub(crate) flags: DistFlags,
    pub(crate) challenge: u32,
    pub(crate) creation: u32,
    pub(crate) name: String,
}

/// The initiator's first message, in either format.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum AnyName {
    V6(Name),
    /// The old format; Girder does not take it (it would need the
    /// complement message, and only OTP 23/24 send it).
    V5 {
        version: u16,
        name: String,
    },
}

pub(crate) type WireError = &'static str;

fn name_text(bytes: &[u8]) -> Result<String, WireError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| "node name is not UTF-8")
}

pub(crate) fn encode_name(n: &Name) -> Vec<u8> {
    let mut out = vec![TAG_NAME_V6];
    out.extend_from_slice(&n.flags.bits().to_be_bytes());
    out.extend_from_slice(&n.creation.to_be_bytes());
    out.extend_from_slice(&(n.name.len() as u16).to_be_bytes());
    out.extend_from_slice(n.name.as_bytes());
    out
}

pub(crate) fn decode_name(body: &[u8]) -> Result<AnyName, WireError> {
    let mut r = Reader::new(body);
    match r.u8().map_err(|_| "empty handshake message")? {
        TAG_NAME_V6 => {
            let flags = DistFlags::from_bits(r.u64()?);
            let creation = r.u32()?;
            let nlen = usize::from(r.u16()?);
            let name = name_text(r.take(nlen)?)?;
            // "Any extra data after the node Name must be accepted and ignored."
            Ok(AnyName::V6(Name {
                flags,
                creation,
                name,
            }))
        }
        TAG_NAME_V5 => {
            let version = r.u16()?;
            let _flags = r.u32()?;
            let name = name_text(r.rest())?;
            Ok(AnyName::V5 { version, name })
        }
        _ => Err("expected send_name ('N')"),
    }
}

pub(crate) fn encode_status(status: &str) -> Vec<u8> {
    let mut out = vec![TAG_STATUS];
    out.extend_from_slice(status.as_bytes());
    out
}

/// The status text (for `named:`, the bytes after it are returned too).
pub(crate) fn decode_status(body: &[u8]) -> Result<&[u8], WireError> {
    match body.split_first() {
        Some((&TAG_STATUS, rest)) => Ok(rest),
        _ => Err("expected a status message ('s')"),
    }
}

pub(crate) fn encode_challenge(c: &Challenge) -> Vec<u8> {
    let mut out = vec![TAG_NAME_V6];
    out.extend_from_slice(&c.flags.bits().to_be_bytes());
    out.extend_from_slice(&c.challenge.to_be_bytes());
    out.extend_from_slice(&c.creation.to_be_bytes());
    out.extend_from_slice(&(c.name.len() as u16).to_be_bytes());
    out.extend_from_slice(c.name.as_bytes());
    out
}

pub(crate) fn decode_challenge(body: &[u8]) -> Result<Challenge, WireError> {
    let mut r = Reader::new(body);
    if r.u8().map_err(|_| "empty handshake message")? != TAG_NAME_V6 {
        return Err("expected a version 6 challenge ('N')");
    }
    let flags = DistFlags::from_bits(r.u64()?);
    let challenge = r.u32()?;
    let creation = r.u32()?;
    let nlen = usize::from(r.u16()?);
    let name = name_text(r.take(nlen)?)?;
    Ok(Challenge {
        flags,
        challenge,
        creation,
        name,
    })
}

pub(crate) fn encode_reply(challenge: u32, digest: &[u8; 16]) -> Vec<u8> {
    let mut out = vec![TAG_REPLY];
    out.extend_from_slice(&challenge.to_be_bytes());
    out.extend_from_slice(digest);
    out
}

pub(crate) fn decode_reply(body: &[u8]) -> Result<(u32, [u8; 16]), WireError> {
    let mut r = Reader::new(body);
    if r.u8().map_err(|_| "empty handshake message")? != TAG_REPLY {
        return Err("expected challenge_reply ('r')");
    }
    let challenge = r.u32()?;
    let digest = r.take(16)?;
    if !r.is_empty() {
        return Err("challenge_reply longer than 21 bytes");
    }
    let mut d = [0u8; 16];
    d.copy_from_slice(digest);
    Ok((challenge, d))
}

pub(crate) fn encode_ack(digest: &[u8; 16]) -> Vec<u8> {
    let mut out = vec![TAG_ACK];
    out.extend_from_slice(digest);
    out
}

pub(crate) fn decode_ack(body: &[u8]) -> Result<[u8; 16], WireError> {
    let mut r = Reader::new(body);
    if r.u8().map_err(|_| "empty handshake message")? != TAG_ACK {
        return Err("expected challenge_ack ('a')");
    }
    let digest = r.take(16)?;
    if !r.is_empty() {
        return Err("challenge_ack longer than 17 bytes");
    }
    let mut d = [0u8; 16];
    d.copy_from_slice(digest);
    Ok(d)
}

/// `gen_digest(Challenge, Cookie)`: MD5 of the cookie's text followed by the
/// challenge as decimal text (OTP `dist_util:gen_digest/2`).
pub(crate) fn digest(challenge: u32, cookie: &str) -> [u8; 16] {
    let mut h = Md5::new();
    h.update(cookie.as_bytes());
    h.update(challenge.to_string().as_bytes());
    h.finalize().into()
}

/// Compares digests in time independent of where they differ.
pub(crate) fn digests_equal(a: &[u8; 16], b: &[u8; 16]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_md5_of_cookie_then_decimal_challenge() {
        // erlang:md5("secret" ++ integer_to_list(123456)) in erl 25.
        let d = digest(123456, "secret");
        let expected: [u8; 16] = Md5::digest(b"secret123456").into();
        assert_eq!(d, expected);
        assert!(digests_equal(&d, &expected));
        assert!(!digests_equal(&d, &digest(123457, "secret")));
    }

    #[test]
    fn messages_round_trip() {
        let n = Name {
            flags: DistFlags::GIRDER,
            creation: 7,
            name: "a@h".into(),
        };
        let bytes = encode_name(&n);
        assert_eq!(bytes[0], b'N');
        assert_eq!(bytes.len(), 1 + 8 + 4 + 2 + 3);
        assert_eq!(decode_name(&bytes), Ok(AnyName::V6(n)));
        // Extra data after the name is ignored.
        let mut with_extra = bytes.clone();
        with_extra.extend_from_slice(b"xyz");
        assert!(matches!(decode_name(&with_extra), Ok(AnyName::V6(_))));
        let c = Challenge {
            flags: DistFlags::GIRDER,
            challenge: 0xDEAD_BEEF,
            creation: 9,
            name: "b@h".into(),
        };
        assert_eq!(decode_challenge(&encode_challenge(&c)), Ok(c));
        assert_eq!(decode_reply(&encode_reply(5, &[1; 16])), Ok((5, [1; 16])));
        assert_eq!(decode_ack(&encode_ack(&[2; 16])), Ok([2; 16]));
        assert_eq!(decode_status(&encode_status("ok")), Ok(&b"ok"[..]));
    }

    #[test]
    fn malformed_messages() {
        assert!(decode_name(&[]).is_err());
        assert!(decode_name(b"N\0\0").is_err());
        assert!(decode_name(b"x").is_err());
        assert!(decode_reply(b"r\0\0\0\0short").is_err());
        assert!(decode_ack(&[b'a'; 18]).is_err());
        assert!(decode_status(b"").is_err());
    }
}
