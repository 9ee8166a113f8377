//! The External Term Format (ETF) codec: [`Term`] to bytes and back, as
//! `erlang:term_to_binary/1` and `erlang:binary_to_term/2` do, safe on input
//! from any peer.
//!
//! # The format
//!
//! ETF (erts `erl_ext_dist`) is how BEAM nodes put terms on the wire and on
//! disk. A whole term starts with the version byte 131; then each term is a
//! tag byte followed by fixed-size fields and, for containers, the encodings
//! of its elements in order: `{ok, 1}` is `131 104 2 119 2 "ok" 97 1`
//! (`SMALL_TUPLE_EXT` of arity 2, `SMALL_ATOM_UTF8_EXT` of 2 bytes,
//! `SMALL_INTEGER_EXT` 1). All multi-byte numbers are big-endian. A whole term
//! may instead be zlib-compressed (`131 80 Size Data`). Between nodes, terms
//! follow a distribution header that may replace atoms with references into a
//! per-connection atom cache (see [`decode_dist_header`]).
//!
//! # Encoding
//!
//! [`encode`] writes the tags a current (OTP 26+) node writes: UTF-8 atoms,
//! `NEW_FLOAT_EXT`, `NEW_PID_EXT`, `NEW_PORT_EXT` (`V4_PORT_EXT` for ids over
//! 32 bits), `NEWER_REFERENCE_EXT`, the smallest integer form, `STRING_EXT`
//! for lists of at most 65535 integers in `0..=255`, and map pairs in
//! [`Map`](crate::Map) key order. For every term made by
//! `term_to_binary(T, [{minor_version, 2}])` (the OTP 26+ default) whose maps
//! have at most 32 keys, `encode(&decode(bytes)?)? == bytes`. Not byte-exact,
//! though decoded to equal terms: maps of more than 32 keys (erts orders them
//! by hash; with `term_to_binary(T, [deterministic, {minor_version, 2}])` it
//! sorts them as we do, and the bytes match), compressed terms, OTP 25's
//! default Latin-1 atom tags, the old `FLOAT_EXT` and the pre-OTP 23
//! pid/port/reference tags.
//!
//! # Decoding hostile input
//!
//! The decoder accepts every tag OTP 25–27 writes (and the older ones it
//! still reads). It never panics and never trusts a length: each is checked
//! against the bytes that remain and against the [`Limits`] before anything
//! is allocated. It decodes with an explicit stack, so nesting costs heap
//! rather than thread stack, and limits nesting depth (default 256) because a
//! [`Term`] is dropped, cloned, compared and printed recursively. It limits
//! the atoms, terms and memory one input may produce, the size of big
//! integers, and the declared and actual output of a compressed term (checked
//! before inflating; inflation stops at the declared size). Every failure is
//! a [`DecodeError`] with its byte offset and a [`DecodeErrorKind`].
//!
//! ```
//! use girder_term::{decode, encode, Term};
//!
//! let t = Term::tuple([Term::atom("ok"), Term::Integer(1)]);
//! let bytes = encode(&t).unwrap();
//! assert_eq!(bytes, [131, 104, 2, 119, 2, b'o', b'k', 97, 1]);
//! assert_eq!(decode(&bytes).unwrap(), t);
//! ```
//!
//! # Fuzzing
//!
//! `crates/girder-term/fuzz/` holds a cargo-fuzz target for the decoder; see
//! its README for the command.

mod compressed;
mod decode;
mod dist;
mod encode;
mod error;
mod limits;
mod tags;

pub use dist::{
    ATOM_CACHE_SIZE, AtomCache, DistHeader, DistHeaderKind, decode_dist_header, decode_dist_term,
};
pub use error::{DecodeError, DecodeErrorKind, EncodeError};
pub use limits::{
    DEFAULT_MAX_ATOMS, DEFAULT_MAX_BIGINT_BYTES, DEFAULT_MAX_DECOMPRESSED_BYTES, DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_HEAP_BYTES, DEFAULT_MAX_INPUT_BYTES, DEFAULT_MAX_TERMS, Limit, Limits,
};

use crate::Term;
use decode::Decoder;

/// The version byte, 131, that starts every whole encoded term (the first
/// byte of every `erlang:term_to_binary/1` result).
pub const VERSION_BYTE: u8 = tags::VERSION;

/// Encodes `term` with the version byte, as `erlang:term_to_binary(Term,
/// [{minor_version, 2}])` does (the default of `term_to_binary/1` since OTP
/// 26).
///
/// ```
/// use girder_term::{encode, Term};
/// assert_eq!(encode(&Term::Integer(300)).unwrap(), [131, 98, 0, 0, 1, 44]);
/// ```
pub fn encode(term: &Term) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(size_hint(term));
    encode_to(term, &mut out)?;
    Ok(out)
}

/// Appends `term`, with the version byte, to `out` (as [`encode`]). On error
/// `out` is left as it was.
///
/// ```
/// use girder_term::{encode_to, Term};
/// let mut out = b"prefix".to_vec();
/// encode_to(&Term::nil(), &mut out).unwrap();
/// assert_eq!(out, b"prefix\x83\x6a");
/// ```
pub fn encode_to(term: &Term, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let start = out.len();
    out.push(tags::VERSION);
    encode::encode_term(term, out).inspect_err(|_| out.truncate(start))
}

/// Appends `term` to `out` *without* the version byte, as the distribution
/// protocol writes the control message and payload after a distribution
/// header (erts `erts_encode_dist_ext`). On error `out` is left as it was.
///
/// ```
/// use girder_term::{encode_without_version, Term};
/// let mut out = Vec::new();
/// encode_without_version(&Term::Integer(7), &mut out).unwrap();
/// assert_eq!(out, [97, 7]);
/// ```
pub fn encode_without_version(term: &Term, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    encode::encode_term(term, out)
}

/// Decodes a whole encoded term (version byte first, possibly compressed)
/// with the default [`Limits`], as `erlang:binary_to_term(Bin, [safe])` does
/// (but with every resource bounded, and new atoms allowed: Girder's atoms are
/// not interned in a global table). The whole input must be one term.
///
/// ```
/// use girder_term::{decode, Term};
/// let t = decode(&[131, 107, 0, 2, b'h', b'i']).unwrap();
/// assert_eq!(t, Term::charlist("hi"));
/// ```
pub fn decode(bytes: &[u8]) -> Result<Term, DecodeError> {
    decode_with(bytes, &Limits::default())
}

/// [`decode`] with the given [`Limits`] (erts `binary_to_term/2`).
///
/// ```
/// use girder_term::{decode_with, encode, Limit, Limits, Term};
/// let deep = Term::tuple([Term::tuple([Term::tuple([])])]);
/// let bytes = encode(&deep).unwrap();
/// let err = decode_with(&bytes, &Limits::default().max_depth(2)).unwrap_err();
/// assert_eq!(err.limit(), Some(Limit::Depth));
/// ```
pub fn decode_with(bytes: &[u8], limits: &Limits) -> Result<Term, DecodeError> {
    check_input_len(bytes, limits)?;
    match bytes.first() {
        Some(&tags::VERSION) => {}
        found => {
            return Err(DecodeError::new(
                0,
                DecodeErrorKind::BadVersion {
                    found: found.copied(),
                },
            ));
        }
    }
    if bytes.get(1) == Some(&tags::COMPRESSED) {
        return compressed::decode_compressed(bytes, limits);
    }
    let mut d = Decoder::new(bytes, 1, limits, None);
    let term = d.term()?;
    if d.pos() != bytes.len() {
        return Err(DecodeError::new(
            d.pos(),
            DecodeErrorKind::TrailingBytes {
                count: bytes.len() - d.pos(),
            },
        ));
    }
    Ok(term)
}

/// Decodes one term *without* a version byte from the front of `bytes` and
/// returns it with the number of bytes it took; what follows is left alone
/// (the distribution layer reads a control message and a payload back to
/// back, as erts' `erts_decode_dist_ext` does after the header).
/// `ATOM_CACHE_REF` is refused here; see [`decode_dist_term`].
///
/// ```
/// use girder_term::{decode_without_version, Limits, Term};
/// let (t, used) = decode_without_version(&[97, 1, 106], &Limits::default()).unwrap();
/// assert_eq!((t, used), (Term::Integer(1), 2));
/// ```
pub fn decode_without_version(bytes: &[u8], limits: &Limits) -> Result<(Term, usize), DecodeError> {
    check_input_len(bytes, limits)?;
    let mut d = Decoder::new(bytes, 0, limits, None);
    let term = d.term()?;
    Ok((term, d.pos()))
}

fn check_input_len(bytes: &[u8], limits: &Limits) -> Result<(), DecodeError> {
    if bytes.len() > limits.max_input_bytes {
        return Err(DecodeError::new(
            0,
            DecodeErrorKind::LimitExceeded {
                limit: Limit::InputBytes,
                value: bytes.len() as u64,
                max: limits.max_input_bytes as u64,
            },
        ));
    }
    Ok(())
}

/// A first guess at the encoded size, so that a big binary is copied once.
fn size_hint(term: &Term) -> usize {
    match term {
        Term::Binary(b) => b.len() + 6,
        Term::Tuple(items) => 2 + items.iter().map(size_hint_leaf).sum::<usize>(),
        _ => 64,
    }
}

fn size_hint_leaf(term: &Term) -> usize {
    match term {
        Term::Binary(b) => b.len() + 5,
        _ => 16,
    }
}
