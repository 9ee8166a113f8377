//! Decoder limits: the bounds that keep hostile input from exhausting memory,
//! stack or time.

use std::fmt;

/// Bounds the decoder enforces on every input (erts' `binary_to_term/2` has
/// only the `[safe]` flag against new atoms; Girder bounds everything a peer
/// controls).
///
/// Every check happens *before* the decoder allocates for the value it checks,
/// so memory use stays in proportion to the limits, not to the lengths an
/// input claims. A limit that is hit gives a
/// [`DecodeErrorKind::LimitExceeded`](crate::DecodeErrorKind::LimitExceeded)
/// naming it.
///
/// The defaults (see each setter) suit messages between nodes: they accept
/// the terms programs ordinarily send while keeping the worst case to a few
/// hundred megabytes of memory and work linear in the input (maps out of key
/// order cost a sort).
/// Every setter consumes and returns the limits, so they chain:
///
/// ```
/// use girder_term::{decode_with, encode, Limits, Term};
///
/// let limits = Limits::default().max_depth(8).max_atoms(16);
/// let bytes = encode(&Term::tuple([Term::atom("ok"), Term::Integer(1)])).unwrap();
/// assert_eq!(decode_with(&bytes, &limits).unwrap().to_string(), "{ok,1}");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    pub(crate) max_input_bytes: usize,
    pub(crate) max_depth: usize,
    pub(crate) max_atoms: usize,
    pub(crate) max_terms: usize,
    pub(crate) max_heap_bytes: usize,
    pub(crate) max_decompressed_bytes: usize,
    pub(crate) max_bigint_bytes: usize,
}

/// Default [`Limits::max_input_bytes`]: 64 MiB.
pub const DEFAULT_MAX_INPUT_BYTES: usize = 64 << 20;
/// Default [`Limits::max_depth`]: 256 nested containers.
pub const DEFAULT_MAX_DEPTH: usize = 256;
/// Default [`Limits::max_atoms`]: 262,144 atoms in one term.
pub const DEFAULT_MAX_ATOMS: usize = 1 << 18;
/// Default [`Limits::max_terms`]: 4,194,304 terms (each element of every
/// container, every key and value) in one input.
pub const DEFAULT_MAX_TERMS: usize = 1 << 22;
/// Default [`Limits::max_heap_bytes`]: 256 MiB of memory for the decoded term.
pub const DEFAULT_MAX_HEAP_BYTES: usize = 256 << 20;
/// Default [`Limits::max_decompressed_bytes`]: 64 MiB.
pub const DEFAULT_MAX_DECOMPRESSED_BYTES: usize = 64 << 20;
/// Default [`Limits::max_bigint_bytes`]: 16 KiB (a 131,072-bit integer).
pub const DEFAULT_MAX_BIGINT_BYTES: usize = 16 << 10;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
            max_depth: DEFAULT_MAX_DEPTH,
            max_atoms: DEFAULT_MAX_ATOMS,
            max_terms: DEFAULT_MAX_TERMS,
            max_heap_bytes: DEFAULT_MAX_HEAP_BYTES,
            max_decompressed_bytes: DEFAULT_MAX_DECOMPRESSED_BYTES,
            max_bigint_bytes: DEFAULT_MAX_BIGINT_BYTES,
        }
    }
}

impl Limits {
    /// The default limits (the same as [`Limits::default`]).
    pub fn new() -> Limits {
        Limits::default()
    }

    /// Limits that accept anything the address space allows, except nesting,
    /// which stays at [`DEFAULT_MAX_DEPTH`] because [`Term`](crate::Term)'s
    /// drop, clone and comparison recurse. Only for input you produced yourself.
    pub fn trusted() -> Limits {
        Limits {
            max_input_bytes: usize::MAX,
            max_depth: DEFAULT_MAX_DEPTH,
            max_atoms: usize::MAX,
            max_terms: usize::MAX,
            max_heap_bytes: usize::MAX,
            max_decompressed_bytes: usize::MAX,
            max_bigint_bytes: usize::MAX,
        }
    }

    /// Longest input accepted, in bytes, checked before anything is decoded
    /// (default [`DEFAULT_MAX_INPUT_BYTES`], 64 MiB).
    pub fn max_input_bytes(mut self, bytes: usize) -> Limits {
        self.max_input_bytes = bytes;
        self
    }

    /// Deepest nesting of containers (tuples, lists, maps, fun environments)
    /// accepted; a term with no containers has depth 0, `{a}` depth 1
    /// (default [`DEFAULT_MAX_DEPTH`], 256).
    ///
    /// The decoder itself uses no stack per level, but dropping, cloning,
    /// comparing and printing a [`Term`](crate::Term) recurse, so a term nested
    /// much deeper than a few thousand levels can overflow a thread's stack
    /// after decoding. At the default depth all of them fit in a 512 KiB stack
    /// even in a debug build (a quarter of a spawned thread's default 2 MiB).
    pub fn max_depth(mut self, depth: usize) -> Limits {
        self.max_depth = depth;
        self
    }

    /// Most atoms (occurrences, node names of pids, ports and references
    /// included) in one input (default [`DEFAULT_MAX_ATOMS`], 262,144).
    pub fn max_atoms(mut self, atoms: usize) -> Limits {
        self.max_atoms = atoms;
        self
    }

    /// Most terms in one input, counting every element of every container,
    /// every map key and value and the top term (default
    /// [`DEFAULT_MAX_TERMS`], 4,194,304). ETF spends as little as one byte on a
    /// term that takes 40 bytes in memory, so this bounds the expansion.
    pub fn max_terms(mut self, terms: usize) -> Limits {
        self.max_terms = terms;
        self
    }

    /// Most memory, in bytes, the decoded term may take: the size of every
    /// [`Term`](crate::Term) value plus the bytes of binaries, atoms and big
    /// integers (default [`DEFAULT_MAX_HEAP_BYTES`], 256 MiB). Checked before
    /// each allocation, with the amount the input claims.
    pub fn max_heap_bytes(mut self, bytes: usize) -> Limits {
        self.max_heap_bytes = bytes;
        self
    }

    /// Largest uncompressed size a compressed term (`term_to_binary(T,
    /// [compressed])`) may declare; checked before inflating, and inflation
    /// stops there whatever the stream holds (default
    /// [`DEFAULT_MAX_DECOMPRESSED_BYTES`], 64 MiB).
    pub fn max_decompressed_bytes(mut self, bytes: usize) -> Limits {
        self.max_decompressed_bytes = bytes;
        self
    }

    /// Largest magnitude of a big integer, in bytes (default
    /// [`DEFAULT_MAX_BIGINT_BYTES`], 16 KiB). Arithmetic and printing of big
    /// integers cost more than linear time, so they are kept small.
    pub fn max_bigint_bytes(mut self, bytes: usize) -> Limits {
        self.max_bigint_bytes = bytes;
        self
    }
}

/// Which of the [`Limits`] an input exceeded (erts has no such limits; its
/// `binary_to_term/2` fails with `badarg` or exhausts memory).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// [`Limits::max_input_bytes`].
    InputBytes,
    /// [`Limits::max_depth`].
    Depth,
    /// [`Limits::max_atoms`].
    Atoms,
    /// [`Limits::max_terms`].
    Terms,
    /// [`Limits::max_heap_bytes`].
    HeapBytes,
    /// [`Limits::max_decompressed_bytes`].
    DecompressedBytes,
    /// [`Limits::max_bigint_bytes`].
    BigIntBytes,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::InputBytes => "max_input_bytes",
            Limit::Depth => "max_depth",
            Limit::Atoms => "max_atoms",
            Limit::Terms => "max_terms",
            Limit::HeapBytes => "max_heap_bytes",
            Limit::DecompressedBytes => "max_decompressed_bytes",
            Limit::BigIntBytes => "max_bigint_bytes",
        })
    }
}
