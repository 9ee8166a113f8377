//! Distribution headers (erts `erl_ext_dist`, "Distribution Header"): the
//! prefix of a message between nodes that carries the atom-cache updates and,
//! for fragmented messages, the sequence and fragment numbers.
//!
//! A message is `131 68 Header ControlMessage [Payload]` (or `131 69 ...` for
//! the first fragment of a large message, `131 70 ...` for the others). The
//! control message and payload that follow are terms without a version byte
//! that may name header atoms by `ATOM_CACHE_REF`; decode them with
//! [`decode_dist_term`].

use super::decode::Decoder;
use super::error::{DecodeError, DecodeErrorKind};
use super::limits::Limits;
use super::tags;
use crate::{Atom, Term};

/// Entries in a connection's atom cache: 8 segments of 256 (erts'
/// `ERTS_ATOM_CACHE_SIZE`).
pub const ATOM_CACHE_SIZE: usize = 2048;

/// The receiving side's atom cache of one distribution connection (erts keeps
/// one per connection and direction). Headers fill entries and name them;
/// pass the same cache to [`decode_dist_header`] for every message of a
/// connection, in order.
///
/// ```
/// use girder_term::{AtomCache, ATOM_CACHE_SIZE};
/// let cache = AtomCache::new();
/// assert!(cache.get(0).is_none());
/// assert!(cache.get(ATOM_CACHE_SIZE).is_none());
/// ```
#[derive(Clone, Debug)]
pub struct AtomCache {
    entries: Vec<Option<Atom>>,
}

impl Default for AtomCache {
    fn default() -> AtomCache {
        AtomCache::new()
    }
}

impl AtomCache {
    /// An empty cache of [`ATOM_CACHE_SIZE`] entries.
    pub fn new() -> AtomCache {
        AtomCache {
            entries: vec![None; ATOM_CACHE_SIZE],
        }
    }

    /// The atom in entry `index` (segment × 256 + index in the segment).
    pub fn get(&self, index: usize) -> Option<&Atom> {
        self.entries.get(index).and_then(Option::as_ref)
    }

    /// Puts `atom` in entry `index`, as a header's new-entry flag does.
    /// Returns false (and does nothing) if `index` is out of range.
    pub fn insert(&mut self, index: usize, atom: Atom) -> bool {
        match self.entries.get_mut(index) {
            Some(slot) => {
                *slot = Some(atom);
                true
            }
            None => false,
        }
    }
}

/// Which distribution header a message starts with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DistHeaderKind {
    /// `131 68`: a whole message.
    Normal,
    /// `131 69`: the first fragment of a fragmented message; the atom-cache
    /// part is in this header.
    FirstFragment {
        /// Identifies the message; the same in all its fragments.
        sequence_id: u64,
        /// Counts down to 1 over the fragments; this one is the highest.
        fragment_id: u64,
    },
    /// `131 70`: a later fragment; it has no atom-cache part, and its data
    /// continues the bytes of the fragment before.
    Continuation {
        /// Identifies the message.
        sequence_id: u64,
        /// Counts down to 1, the last fragment.
        fragment_id: u64,
    },
}

/// A decoded distribution header.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DistHeader {
    /// Normal, first fragment or continuation.
    pub kind: DistHeaderKind,
    /// The atoms the message's `ATOM_CACHE_REF`s name: `ATOM_CACHE_REF i`
    /// means `atoms[i]`. Pass it to [`decode_dist_term`].
    pub atoms: Vec<Atom>,
    /// Whether the header's atom texts had 2-byte lengths (the `LongAtoms`
    /// flag).
    pub long_atoms: bool,
}

/// Decodes the distribution header at the start of `bytes` (from the 131
/// version byte), resolving its atom-cache references against `cache` and
/// storing its new entries there (only once the whole header is valid).
/// Returns the header and how many bytes it took; the control message starts
/// there. The erts counterpart is the receiving side of `dist.c` /
/// `erts_decode_dist_ext`.
///
/// ```
/// use girder_term::{decode_dist_header, decode_dist_term, AtomCache, DistHeaderKind, Limits};
///
/// // One new cache entry, segment 0 index 5, atom 'reg'; LongAtoms not set.
/// let mut msg = vec![131, 68, 1, 0b1000, 5, 3, b'r', b'e', b'g'];
/// // Control message {6, reg}: SMALL_TUPLE 2, SMALL_INTEGER 6, ATOM_CACHE_REF 0.
/// msg.extend([104, 2, 97, 6, 82, 0]);
/// let mut cache = AtomCache::new();
/// let limits = Limits::default();
/// let (header, used) = decode_dist_header(&msg, &mut cache, &limits).unwrap();
/// assert_eq!(header.kind, DistHeaderKind::Normal);
/// assert_eq!(cache.get(5).unwrap().as_str(), "reg");
/// let (control, n) = decode_dist_term(&msg[used..], &header.atoms, &limits).unwrap();
/// assert_eq!(control.to_string(), "{6,reg}");
/// assert_eq!(used + n, msg.len());
/// ```
pub fn decode_dist_header(
    bytes: &[u8],
    cache: &mut AtomCache,
    limits: &Limits,
) -> Result<(DistHeader, usize), DecodeError> {
    super::check_input_len(bytes, limits)?;
    let mut d = Decoder::new(bytes, 0, limits, None);
    let version = d.u8()?;
    if version != tags::VERSION {
        return Err(DecodeError::new(
            0,
            DecodeErrorKind::BadVersion {
                found: Some(version),
            },
        ));
    }
    let at = d.pos();
    let kind = match d.u8()? {
        tags::DIST_HEADER => DistHeaderKind::Normal,
        tags::DIST_FRAG_HEADER => DistHeaderKind::FirstFragment {
            sequence_id: d.u64()?,
            fragment_id: d.u64()?,
        },
        tags::DIST_FRAG_CONT => {
            let kind = DistHeaderKind::Continuation {
                sequence_id: d.u64()?,
                fragment_id: d.u64()?,
            };
            let header = DistHeader {
                kind,
                atoms: Vec::new(),
                long_atoms: false,
            };
            return Ok((header, d.pos()));
        }
        tag => return Err(DecodeError::new(at, DecodeErrorKind::UnknownTag { tag })),
    };
    let n = usize::from(d.u8()?);
    if n == 0 {
        let header = DistHeader {
            kind,
            atoms: Vec::new(),
            long_atoms: false,
        };
        return Ok((header, d.pos()));
    }
    // Half a byte of flags per reference, then half a byte for the header.
    let flags = d.take(n / 2 + 1)?;
    let nibble = |i: usize| -> u8 {
        let byte = flags.get(i / 2).copied().unwrap_or(0);
        if i % 2 == 0 { byte & 0x0F } else { byte >> 4 }
    };
    let long_atoms = nibble(n) & 0x01 != 0;
    let mut atoms = Vec::with_capacity(n);
    let mut updates: Vec<(usize, Atom)> = Vec::new();
    for i in 0..n {
        let at = d.pos();
        let flag = nibble(i);
        let segment = usize::from(flag & 0x07);
        let index = segment * 256 + usize::from(d.u8()?);
        if flag & 0x08 != 0 {
            let len = if long_atoms {
                usize::from(d.u16()?)
            } else {
                usize::from(d.u8()?)
            };
            let text = d.take(len)?;
            let atom = d.dist_atom(at, text)?;
            updates.push((index, atom.clone()));
            atoms.push(atom);
        } else {
            // An earlier entry of this header may have just set the slot.
            let known = updates
                .iter()
                .rev()
                .find(|(i, _)| *i == index)
                .map(|(_, a)| a)
                .or_else(|| cache.get(index));
            match known {
                Some(atom) => atoms.push(atom.clone()),
                None => {
                    return Err(DecodeError::new(
                        at,
                        DecodeErrorKind::BadAtomCacheRef { index },
                    ));
                }
            }
        }
    }
    for (index, atom) in updates {
        cache.insert(index, atom);
    }
    Ok((
        DistHeader {
            kind,
            atoms,
            long_atoms,
        },
        d.pos(),
    ))
}

/// Decodes one term without a version byte from the front of `bytes`, as the
/// control message and payload of a distribution message are, with
/// `ATOM_CACHE_REF i` meaning `atoms[i]` (from [`DistHeader::atoms`]; pass
/// `&[]` for a connection without an atom cache). Returns the term and how
/// many bytes it took (erts `erts_decode_dist_ext` with the connection's
/// atom-cache map). Offsets in errors count from the start of `bytes`.
pub fn decode_dist_term(
    bytes: &[u8],
    atoms: &[Atom],
    limits: &Limits,
) -> Result<(Term, usize), DecodeError> {
    super::check_input_len(bytes, limits)?;
    let mut d = Decoder::new(bytes, 0, limits, Some(atoms));
    let term = d.term()?;
    Ok((term, d.pos()))
}
