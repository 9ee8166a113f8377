//! Framing after the handshake: every message is a 4-byte big-endian
//! length and that many bytes; a zero length is a tick (keep-alive).
//!
//! Girder sends pass-through frames: `112`, then the control tuple and the
//! optional message each as a whole encoded term (version byte 131 first),
//! since it does not advertise `DFLAG_DIST_HDR_ATOM_CACHE` and OTP then sends
//! the same. It also reads the normal distribution header (`131 68`, with the
//! connection's atom cache), which a peer may send regardless. Fragments
//! (`131 69`/`131 70`) are refused: `DFLAG_FRAGMENTS` is not advertised.

use std::fmt;
use std::io;

use girder_term::{
    AtomCache, DecodeError, DistHeaderKind, EncodeError, Limits, Term, VERSION_BYTE,
    decode_dist_header, decode_dist_term, decode_without_version, encode_to,
};
use tokio::io::{AsyncRead, AsyncReadExt};

/// The pass-through frame type.
pub(crate) const PASS_THROUGH: u8 = 112;
/// `DIST_HEADER` after the version byte.
const DIST_HEADER: u8 = 68;

/// Why a frame was refused; the connection is closed with it.
#[derive(Debug)]
#[non_exhaustive]
pub enum FrameError {
    /// The connection broke or closed.
    Io(io::Error),
    /// The length prefix exceeds the node's limit.
    TooLarge {
        /// The length the peer announced.
        len: u64,
        /// The limit.
        max: usize,
    },
    /// The frame is not a pass-through or distribution-header message.
    BadType {
        /// Its first byte(s).
        found: Vec<u8>,
    },
    /// A term in the frame does not decode (limits included: depth, size, atoms).
    Term(DecodeError),
    /// Bytes after the message term.
    Trailing {
        /// How many.
        count: usize,
    },
    /// A fragment, which this node never asked for.
    Fragment,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::Io(e) => write!(f, "connection error: {e}"),
            FrameError::TooLarge { len, max } => {
                write!(f, "frame of {len} bytes exceeds the limit of {max} bytes")
            }
            FrameError::BadType { found } => {
                write!(
                    f,
                    "frame is neither pass-through (112) nor a distribution header (131 68): starts {found:?}"
                )
            }
            FrameError::Term(e) => write!(f, "undecodable term in frame: {e}"),
            FrameError::Trailing { count } => write!(f, "{count} bytes after the message in frame"),
            FrameError::Fragment => write!(
                f,
                "fragmented message, but DFLAG_FRAGMENTS was not negotiated"
            ),
        }
    }
}

impl std::error::Error for FrameError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FrameError::Io(e) => Some(e),
            FrameError::Term(e) => Some(e),
            _ => None,
        }
    }
}

/// Reads one frame body (empty for a tick). The body buffer grows as bytes
/// arrive, so a peer that announces a large frame and sends nothing costs
/// no memory.
pub(crate) async fn read_frame<R: AsyncRead + Unpin>(
    reader: &mut R,
    max: usize,
) -> Result<Vec<u8>, FrameError> {
    let len = reader.read_u32().await.map_err(FrameError::Io)?;
    let len_usize = usize::try_from(len).unwrap_or(usize::MAX);
    if len_usize > max {
        return Err(FrameError::TooLarge {
            len: u64::from(len),
            max,
        });
    }
    let mut body = Vec::with_capacity(len_usize.min(64 << 10));
    let got = reader
        .take(u64::from(len))
        .read_to_end(&mut body)
        .await
        .map_err(FrameError::Io)?;
    if got != len_usize {
        return Err(FrameError::Io(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("connection closed inside a frame ({got} of {len} bytes)"),
        )));
    }
    Ok(body)
}

/// A whole pass-through frame, length prefix included.
pub(crate) fn encode_pass_through(
    control: &Term,
    payload: Option<&Term>,
) -> Result<Vec<u8>, EncodeError> {
    let mut out = vec![0, 0, 0, 0, PASS_THROUGH];
    encode_to(control, &mut out)?;
    if let Some(p) = payload {
        encode_to(p, &mut out)?;
    }
    let len = u32::try_from(out.len() - 4).map_err(|_| EncodeError::TooLong {
        what: "distribution frame",
        len: out.len() - 4,
    })?;
    out[..4].copy_from_slice(&len.to_be_bytes());
    Ok(out)
}

/// A tick: a frame of length zero.
pub(crate) const TICK: [u8; 4] = [0; 4];

/// Decodes a non-empty frame body into the control term and the term after it.
pub(crate) fn decode_frame(
    body: &[u8],
    cache: &mut AtomCache,
    limits: &Limits,
) -> Result<(Term, Option<Term>), FrameError> {
    match body {
        [PASS_THROUGH, rest @ ..] => {
            let (control, used) = versioned(rest, 1, limits)?;
            let rest = &rest[used..];
            if rest.is_empty() {
                return Ok((control, None));
            }
            let (payload, used2) = versioned(rest, 1 + used, limits)?;
            if used2 != rest.len() {
                return Err(FrameError::Trailing {
                    count: rest.len() - used2,
                });
            }
            Ok((control, Some(payload)))
        }
        [VERSION_BYTE, DIST_HEADER, ..] => {
            let (header, used) =
                decode_dist_header(body, cache, limits).map_err(FrameError::Term)?;
            if header.kind != DistHeaderKind::Normal {
                return Err(FrameError::Fragment);
            }
            let rest = &body[used..];
            let (control, n) =
                decode_dist_term(rest, &header.atoms, limits).map_err(|e| shift(e, used))?;
            let rest = &rest[n..];
            if rest.is_empty() {
                return Ok((control, None));
            }
            let (payload, m) =
                decode_dist_term(rest, &header.atoms, limits).map_err(|e| shift(e, used + n))?;
            if m != rest.len() {
                return Err(FrameError::Trailing {
                    count: rest.len() - m,
                });
            }
            Ok((control, Some(payload)))
        }
        [VERSION_BYTE, 69 | 70, ..] => Err(FrameError::Fragment),
        _ => Err(FrameError::BadType {
            found: body.iter().take(2).copied().collect(),
        }),
    }
}

/// One whole term (version byte first) from the front of `bytes`.
fn versioned(bytes: &[u8], offset: usize, limits: &Limits) -> Result<(Term, usize), FrameError> {
    match bytes.first() {
        Some(&VERSION_BYTE) => {}
        found => {
            return Err(FrameError::BadType {
                found: found.into_iter().copied().collect(),
            });
        }
    }
    let (t, used) =
        decode_without_version(&bytes[1..], limits).map_err(|e| shift(e, offset + 1))?;
    Ok((t, used + 1))
}

/// Makes an error's offset count from the start of the frame body.
fn shift(mut e: DecodeError, by: usize) -> FrameError {
    if !e.in_decompressed {
        e.offset += by;
    }
    FrameError::Term(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use girder_term::Limit;

    #[tokio::test]
    async fn frames_and_ticks() {
        let frame =
            encode_pass_through(&Term::tuple([Term::Integer(2)]), Some(&Term::atom("m"))).unwrap();
        let mut input: Vec<u8> = TICK.to_vec();
        input.extend_from_slice(&frame);
        let mut r = &input[..];
        assert!(read_frame(&mut r, 1024).await.unwrap().is_empty());
        let body = read_frame(&mut r, 1024).await.unwrap();
        assert_eq!(body[0], PASS_THROUGH);
        let (ctl, msg) = decode_frame(&body, &mut AtomCache::new(), &Limits::default()).unwrap();
        assert_eq!(ctl, Term::tuple([Term::Integer(2)]));
        assert_eq!(msg, Some(Term::atom("m")));
        assert!(matches!(
            read_frame(&mut r, 1024).await,
            Err(FrameError::Io(_))
        ));
    }

    #[tokio::test]
    async fn oversized_and_truncated_frames() {
        let mut r = &[0xFF, 0xFF, 0xFF, 0xFF, 1, 2][..];
        let err = read_frame(&mut r, 1 << 20).await.unwrap_err();
        assert!(
            matches!(
                err,
                FrameError::TooLarge {
                    len: 0xFFFF_FFFF,
                    ..
                }
            ),
            "{err}"
        );
        let mut r = &[0, 0, 0, 9, 1, 2][..];
        let err = read_frame(&mut r, 1 << 20).await.unwrap_err();
        assert!(err.to_string().contains("2 of 9 bytes"), "{err}");
    }

    #[test]
    fn normal_dist_header_frames_decode() {
        // Header: one new atom 'reg' in segment 0 index 5; control {6, reg}.
        let mut body = vec![131, 68, 1, 0b1000, 5, 3, b'r', b'e', b'g'];
        body.extend([104, 2, 97, 6, 82, 0]);
        body.extend([97, 1]);
        let mut cache = AtomCache::new();
        let (ctl, msg) = decode_frame(&body, &mut cache, &Limits::default()).unwrap();
        assert_eq!(ctl.to_string(), "{6,reg}");
        assert_eq!(msg, Some(Term::Integer(1)));
    }

    #[test]
    fn bad_frames() {
        let l = Limits::default();
        let mut c = AtomCache::new();
        assert!(matches!(
            decode_frame(&[1, 2], &mut c, &l),
            Err(FrameError::BadType { .. })
        ));
        assert!(matches!(
            decode_frame(&[131, 69, 0], &mut c, &l),
            Err(FrameError::Fragment)
        ));
        assert!(matches!(
            decode_frame(&[112, 97, 1], &mut c, &l),
            Err(FrameError::BadType { .. })
        ));
        assert!(matches!(
            decode_frame(&[112, 131, 97, 1, 131, 97, 2, 0], &mut c, &l),
            Err(FrameError::Trailing { count: 1 })
        ));
        // 300 nested one-element tuples exceed the default depth.
        let mut deep = vec![112, 131];
        for _ in 0..300 {
            deep.extend([104, 1]);
        }
        deep.extend([97, 0]);
        match decode_frame(&deep, &mut c, &l) {
            Err(FrameError::Term(e)) => assert_eq!(e.limit(), Some(Limit::Depth)),
            other => panic!("{other:?}"),
        }
    }
}
