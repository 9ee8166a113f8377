//! The tag bytes of the External Term Format (erts `erl_ext_dist`).
//!
//! Each encoded term starts with one of these bytes; the version byte
//! [`VERSION`] precedes a whole term (`erlang:term_to_binary/1` output) and the
//! distribution header tags precede a distribution message.

/// The version byte that starts `term_to_binary/1` output.
pub(crate) const VERSION: u8 = 131;

/// `NEW_FLOAT_EXT`: 8-byte big-endian IEEE 754 double.
pub(crate) const NEW_FLOAT: u8 = 70;
/// `BIT_BINARY_EXT`: length (u32), bits used in the last byte (u8), bytes.
pub(crate) const BIT_BINARY: u8 = 77;
/// Distribution header (`131 68 ...`).
pub(crate) const DIST_HEADER: u8 = 68;
/// Fragmented distribution header, first fragment (`131 69 ...`).
pub(crate) const DIST_FRAG_HEADER: u8 = 69;
/// Fragmented distribution header, continuation (`131 70 ...`).
pub(crate) const DIST_FRAG_CONT: u8 = 70;
/// `COMPRESSED`: uncompressed size (u32), zlib stream of a term without version byte.
pub(crate) const COMPRESSED: u8 = 80;
/// `ATOM_CACHE_REF`: index (u8) into the distribution header's atom list.
pub(crate) const ATOM_CACHE_REF: u8 = 82;
/// `NEW_PID_EXT`: node atom, id (u32), serial (u32), creation (u32).
pub(crate) const NEW_PID: u8 = 88;
/// `NEW_PORT_EXT`: node atom, id (u32), creation (u32).
pub(crate) const NEW_PORT: u8 = 89;
/// `NEWER_REFERENCE_EXT`: length (u16), node atom, creation (u32), id words (u32 each).
pub(crate) const NEWER_REFERENCE: u8 = 90;
/// `SMALL_INTEGER_EXT`: unsigned 8-bit integer.
pub(crate) const SMALL_INTEGER: u8 = 97;
/// `INTEGER_EXT`: signed 32-bit big-endian integer.
pub(crate) const INTEGER: u8 = 98;
/// `FLOAT_EXT`: 31 bytes of `"%.20e"` text padded with NULs (pre-R11B floats).
pub(crate) const FLOAT: u8 = 99;
/// `ATOM_EXT`: length (u16), Latin-1 text.
pub(crate) const ATOM: u8 = 100;
/// `REFERENCE_EXT`: node atom, id (u32), creation (u8). Obsolete.
pub(crate) const REFERENCE: u8 = 101;
/// `PORT_EXT`: node atom, id (u32), creation (u8). Obsolete.
pub(crate) const PORT: u8 = 102;
/// `PID_EXT`: node atom, id (u32), serial (u32), creation (u8). Obsolete.
pub(crate) const PID: u8 = 103;
/// `SMALL_TUPLE_EXT`: arity (u8), elements.
pub(crate) const SMALL_TUPLE: u8 = 104;
/// `LARGE_TUPLE_EXT`: arity (u32), elements.
pub(crate) const LARGE_TUPLE: u8 = 105;
/// `NIL_EXT`: the empty list.
pub(crate) const NIL: u8 = 106;
/// `STRING_EXT`: length (u16), bytes; a list of small integers.
pub(crate) const STRING: u8 = 107;
/// `LIST_EXT`: length (u32), elements, tail.
pub(crate) const LIST: u8 = 108;
/// `BINARY_EXT`: length (u32), bytes.
pub(crate) const BINARY: u8 = 109;
/// `SMALL_BIG_EXT`: byte count (u8), sign (u8), little-endian magnitude.
pub(crate) const SMALL_BIG: u8 = 110;
/// `LARGE_BIG_EXT`: byte count (u32), sign (u8), little-endian magnitude.
pub(crate) const LARGE_BIG: u8 = 111;
/// `NEW_FUN_EXT`: a closure.
pub(crate) const NEW_FUN: u8 = 112;
/// `EXPORT_EXT`: module atom, function atom, arity (small integer).
pub(crate) const EXPORT: u8 = 113;
/// `NEW_REFERENCE_EXT`: length (u16), node atom, creation (u8), id words.
pub(crate) const NEW_REFERENCE: u8 = 114;
/// `SMALL_ATOM_EXT`: length (u8), Latin-1 text.
pub(crate) const SMALL_ATOM: u8 = 115;
/// `MAP_EXT`: arity (u32), key/value pairs.
pub(crate) const MAP: u8 = 116;
/// `ATOM_UTF8_EXT`: length (u16), UTF-8 text.
pub(crate) const ATOM_UTF8: u8 = 118;
/// `SMALL_ATOM_UTF8_EXT`: length (u8), UTF-8 text.
pub(crate) const SMALL_ATOM_UTF8: u8 = 119;
/// `V4_PORT_EXT`: node atom, id (u64), creation (u32).
pub(crate) const V4_PORT: u8 = 120;
/// `LOCAL_EXT`: a term in a node-local format; only the node that made it can read it.
pub(crate) const LOCAL: u8 = 121;
