//! Typed decode and encode errors.

use std::fmt;

use super::limits::Limit;

/// Why [`decode`](crate::decode) (or another decoder entry point) rejected its
/// input, and where. erts' `binary_to_term/1` raises a bare `badarg` for all of
/// these.
///
/// ```
/// use girder_term::{decode, DecodeErrorKind};
/// let err = decode(&[131, 104, 2, 97, 1]).unwrap_err();
/// assert_eq!(err.offset, 5);
/// assert!(matches!(err.kind, DecodeErrorKind::Truncated { .. }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// Byte offset of the problem from the start of the input the caller
    /// passed, or, when [`DecodeError::in_decompressed`] is set, from the start
    /// of the inflated body of a compressed term.
    pub offset: usize,
    /// What went wrong.
    pub kind: DecodeErrorKind,
    /// True if the offset is into the inflated data of a compressed term
    /// (`term_to_binary(T, [compressed])`) rather than into the input.
    pub in_decompressed: bool,
}

/// What went wrong in a [`DecodeError`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The input ended inside a term; `needed` more bytes were expected at
    /// least.
    Truncated {
        /// How many bytes were missing (at least).
        needed: usize,
    },
    /// The input did not start with the version byte 131.
    BadVersion {
        /// The byte found instead (`None` for empty input).
        found: Option<u8>,
    },
    /// A tag byte that no ETF term starts with.
    UnknownTag {
        /// The byte.
        tag: u8,
    },
    /// A tag that is valid ETF but that this decoder does not accept here:
    /// `LOCAL_EXT` (121), whose content only the node that made it can read,
    /// `ATOM_CACHE_REF` (82) outside a distribution message, a compressed
    /// term below the top level.
    Unsupported {
        /// The tag.
        tag: u8,
        /// Why it is refused.
        reason: &'static str,
    },
    /// One of the [`Limits`](crate::Limits) was exceeded.
    LimitExceeded {
        /// Which limit.
        limit: Limit,
        /// The value the input asked for (a length, a count, a depth).
        value: u64,
        /// The limit's value.
        max: u64,
    },
    /// A `*_UTF8_EXT` atom whose bytes are not UTF-8.
    InvalidUtf8Atom,
    /// An atom longer than 255 characters.
    AtomTooLong {
        /// Its length in characters.
        chars: usize,
    },
    /// A float that is NaN or infinite (Erlang has neither), or a `FLOAT_EXT`
    /// text that is not a number.
    InvalidFloat,
    /// A compressed term whose zlib data is corrupt, or inflates to a size
    /// other than the one it declares.
    BadCompressed {
        /// What was wrong.
        reason: &'static str,
    },
    /// A map with the same key twice (erts rejects it too).
    DuplicateMapKey,
    /// A well-formed tag with a field value no term can have (a reference
    /// with no id words, a bitstring with 0 or more than 8 bits in its last
    /// byte, a fun whose size field disagrees with its content, a non-atom
    /// where a node name must be, ...).
    Invalid {
        /// What was wrong.
        reason: &'static str,
    },
    /// An `ATOM_CACHE_REF` to an index the distribution header does not have,
    /// or a header's reference to an atom-cache slot that holds nothing.
    BadAtomCacheRef {
        /// The index.
        index: usize,
    },
    /// A whole term was decoded but bytes remain ([`decode`](crate::decode)
    /// takes exactly one term).
    TrailingBytes {
        /// How many bytes remain.
        count: usize,
    },
}

impl DecodeError {
    pub(crate) fn new(offset: usize, kind: DecodeErrorKind) -> DecodeError {
        DecodeError {
            offset,
            kind,
            in_decompressed: false,
        }
    }

    /// The [`Limit`] that was exceeded, if that is the error.
    pub fn limit(&self) -> Option<Limit> {
        match self.kind {
            DecodeErrorKind::LimitExceeded { limit, .. } => Some(limit),
            _ => None,
        }
    }
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeErrorKind::Truncated { needed } => {
                write!(f, "input ends early ({needed} more bytes needed)")
            }
            DecodeErrorKind::BadVersion { found: Some(b) } => {
                write!(f, "expected the version byte 131, found {b}")
            }
            DecodeErrorKind::BadVersion { found: None } => {
                f.write_str("empty input (expected the version byte 131)")
            }
            DecodeErrorKind::UnknownTag { tag } => write!(f, "unknown tag {tag}"),
            DecodeErrorKind::Unsupported { tag, reason } => {
                write!(f, "unsupported tag {tag}: {reason}")
            }
            DecodeErrorKind::LimitExceeded { limit, value, max } => {
                write!(f, "limit {limit} exceeded: {value} > {max}")
            }
            DecodeErrorKind::InvalidUtf8Atom => f.write_str("atom text is not valid UTF-8"),
            DecodeErrorKind::AtomTooLong { chars } => {
                write!(f, "atom of {chars} characters (at most 255 allowed)")
            }
            DecodeErrorKind::InvalidFloat => f.write_str("float is not a finite number"),
            DecodeErrorKind::BadCompressed { reason } => {
                write!(f, "bad compressed term: {reason}")
            }
            DecodeErrorKind::DuplicateMapKey => f.write_str("map has a duplicate key"),
            DecodeErrorKind::Invalid { reason } => write!(f, "invalid term: {reason}"),
            DecodeErrorKind::BadAtomCacheRef { index } => {
                write!(f, "atom cache reference {index} resolves to no atom")
            }
            DecodeErrorKind::TrailingBytes { count } => {
                write!(f, "{count} bytes left after the term")
            }
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = if self.in_decompressed {
            " of the decompressed data"
        } else {
            ""
        };
        write!(
            f,
            "ETF decode error at byte {}{place}: {}",
            self.offset, self.kind
        )
    }
}

impl std::error::Error for DecodeError {}

/// Why [`encode`](crate::encode) could not encode a term (erts'
/// `term_to_binary/1` never fails on a valid term; these are values that
/// [`Term`](crate::Term)'s public fields can hold but that have no ETF form).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// A [`Term::Float`](crate::Term::Float) holding NaN or an infinity.
    NonFiniteFloat,
    /// A [`Term::BitBinary`](crate::Term::BitBinary) with `bits` outside 1–7
    /// or no bytes.
    InvalidBitBinary {
        /// The bit count.
        bits: u8,
    },
    /// A [`Term::Reference`](crate::Term::Reference) with no id words or more
    /// than 5 (erts accepts 1 to 5).
    InvalidReference {
        /// The number of words.
        words: usize,
    },
    /// A length that does not fit the 32-bit field ETF has for it (a binary,
    /// list, tuple or map of 2^32 or more elements or bytes).
    TooLong {
        /// What was too long: `"binary"`, `"list"`, `"tuple"`, `"map"`,
        /// `"big integer"`, `"fun environment"`.
        what: &'static str,
        /// Its length.
        len: usize,
    },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::NonFiniteFloat => f.write_str("cannot encode a NaN or infinite float"),
            EncodeError::InvalidBitBinary { bits } => {
                write!(
                    f,
                    "cannot encode a bitstring with {bits} bits in its last byte"
                )
            }
            EncodeError::InvalidReference { words } => {
                write!(
                    f,
                    "cannot encode a reference of {words} words (1 to 5 allowed)"
                )
            }
            EncodeError::TooLong { what, len } => {
                write!(f, "cannot encode a {what} of length {len} (over u32)")
            }
        }
    }
}

impl std::error::Error for EncodeError {}
