//! The decoder: ETF bytes to [`Term`], iterative, with every length and count
//! checked against the input and the [`Limits`] before anything is allocated.

use std::cmp::Ordering;
use std::mem::size_of;

use num_bigint::{BigInt, Sign};

use super::error::{DecodeError, DecodeErrorKind};
use super::limits::{Limit, Limits};
use super::tags;
use crate::order::cmp_map_keys;
use crate::{Atom, Closure, ExternalFun, ExternalPid, ExternalPort, ExternalRef, Map, Term};

/// Memory charged for each term held in a container.
const TERM_BYTES: usize = size_of::<Term>();
/// Memory charged for an atom besides its text (the shared string's header).
const ATOM_OVERHEAD: usize = 2 * size_of::<usize>();
/// Most id words a reference may have (erts' limit since OTP 24).
const MAX_REF_WORDS: usize = 5;

/// A container being filled while its elements are decoded.
enum Frame {
    Tuple {
        items: Vec<Term>,
        left: usize,
    },
    List {
        items: Vec<Term>,
        left: usize,
    },
    /// All elements are in; the next term decoded is the tail.
    ListTail {
        items: Vec<Term>,
    },
    Map {
        pairs: Vec<(Term, Term)>,
        key: Option<Term>,
        left: usize,
        start: usize,
    },
    Fun {
        head: Box<FunHead>,
        items: Vec<Term>,
        left: usize,
    },
}

/// The fixed fields of a `NEW_FUN_EXT`, kept while its free variables decode.
struct FunHead {
    /// Offset of the size field, from which the size counts.
    start: usize,
    size: u32,
    arity: u8,
    uniq: [u8; 16],
    index: u32,
    module: Atom,
    old_index: u32,
    old_uniq: u32,
    pid: ExternalPid,
}

/// What follows the last element of a list.
enum Tail {
    /// `NIL_EXT` or a string: the list is proper and complete.
    Done,
    /// A `LIST_EXT` tail with this many more elements, to append.
    More(usize),
    /// Some other term, to be decoded as the tail.
    Other,
}

/// Decodes one term from a buffer, tracking what the [`Limits`] bound.
pub(crate) struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
    limits: &'a Limits,
    atoms: usize,
    terms: usize,
    heap: usize,
    /// The atoms an `ATOM_CACHE_REF` may name (distribution messages only).
    cache: Option<&'a [Atom]>,
    in_decompressed: bool,
}

impl<'a> Decoder<'a> {
    pub(crate) fn new(
        buf: &'a [u8],
        pos: usize,
        limits: &'a Limits,
        cache: Option<&'a [Atom]>,
    ) -> Decoder<'a> {
        Decoder {
            buf,
            pos,
            limits,
            atoms: 0,
            terms: 0,
            heap: 0,
            cache,
            in_decompressed: false,
        }
    }

    pub(crate) fn set_in_decompressed(&mut self) {
        self.in_decompressed = true;
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn err(&self, offset: usize, kind: DecodeErrorKind) -> DecodeError {
        DecodeError {
            offset,
            kind,
            in_decompressed: self.in_decompressed,
        }
    }

    fn invalid(&self, offset: usize, reason: &'static str) -> DecodeError {
        self.err(offset, DecodeErrorKind::Invalid { reason })
    }

    fn limit_err(&self, offset: usize, limit: Limit, value: usize, max: usize) -> DecodeError {
        self.err(
            offset,
            DecodeErrorKind::LimitExceeded {
                limit,
                value: value as u64,
                max: max as u64,
            },
        )
    }

    fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    // ---- raw reads ---------------------------------------------------------

    #[inline]
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let buf = self.buf;
        match self
            .pos
            .checked_add(n)
            .and_then(|end| buf.get(self.pos..end))
        {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => Err(self.err(
                self.pos,
                DecodeErrorKind::Truncated {
                    needed: n - self.remaining(),
                },
            )),
        }
    }

    #[inline]
    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    #[inline]
    pub(crate) fn u8(&mut self) -> Result<u8, DecodeError> {
        match self.buf.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                Ok(b)
            }
            None => Err(self.err(self.pos, DecodeErrorKind::Truncated { needed: 1 })),
        }
    }

    #[inline]
    pub(crate) fn u16(&mut self) -> Result<u16, DecodeError> {
        self.array().map(u16::from_be_bytes)
    }

    #[inline]
    pub(crate) fn u32(&mut self) -> Result<u32, DecodeError> {
        self.array().map(u32::from_be_bytes)
    }

    #[inline]
    pub(crate) fn u64(&mut self) -> Result<u64, DecodeError> {
        self.array().map(u64::from_be_bytes)
    }

    fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    // ---- budget ------------------------------------------------------------

    /// Charges `bytes` of memory to the heap budget.
    #[inline]
    fn charge_heap(&mut self, at: usize, bytes: usize) -> Result<(), DecodeError> {
        let total = self.heap.saturating_add(bytes);
        if total > self.limits.max_heap_bytes {
            return Err(self.limit_err(at, Limit::HeapBytes, total, self.limits.max_heap_bytes));
        }
        self.heap = total;
        Ok(())
    }

    /// Charges `n` terms (and their memory) for a container's elements.
    /// Each element takes at least `min_bytes` bytes of input, which must be
    /// there, so a claimed length can never reserve more than the input backs.
    #[inline]
    fn charge_terms(&mut self, at: usize, n: usize, min_bytes: usize) -> Result<(), DecodeError> {
        let need = n.saturating_mul(min_bytes);
        if need > self.remaining() {
            return Err(self.err(
                self.pos,
                DecodeErrorKind::Truncated {
                    needed: need - self.remaining(),
                },
            ));
        }
        let total = self.terms.saturating_add(n);
        if total > self.limits.max_terms {
            return Err(self.limit_err(at, Limit::Terms, total, self.limits.max_terms));
        }
        self.terms = total;
        self.charge_heap(at, n.saturating_mul(TERM_BYTES))
    }

    fn check_depth(&self, at: usize, depth: usize) -> Result<(), DecodeError> {
        if depth > self.limits.max_depth {
            return Err(self.limit_err(at, Limit::Depth, depth, self.limits.max_depth));
        }
        Ok(())
    }

    // ---- leaves ------------------------------------------------------------

    fn atom_from(&mut self, at: usize, bytes: &[u8], utf8: bool) -> Result<Atom, DecodeError> {
        let count = self.atoms + 1;
        if count > self.limits.max_atoms {
            return Err(self.limit_err(at, Limit::Atoms, count, self.limits.max_atoms));
        }
        self.atoms = count;
        self.charge_heap(at, bytes.len() + ATOM_OVERHEAD)?;
        if let Some(atom) = recent_atoms::get(bytes) {
            return Ok(atom);
        }
        let atom = match std::str::from_utf8(bytes) {
            Ok(s) if utf8 || s.is_ascii() => Atom::new(s),
            _ if utf8 => return Err(self.err(at, DecodeErrorKind::InvalidUtf8Atom)),
            // Latin-1: every byte is the code point of the same value.
            _ => Atom::new(bytes.iter().map(|&b| char::from(b)).collect::<String>()),
        };
        let atom =
            atom.map_err(|e| self.err(at, DecodeErrorKind::AtomTooLong { chars: e.chars }))?;
        // Only atoms whose text is their bytes (UTF-8, or ASCII Latin-1).
        if utf8 || bytes.is_ascii() {
            recent_atoms::put(&atom);
        }
        Ok(atom)
    }

    /// An atom from a distribution header's UTF-8 text.
    pub(crate) fn dist_atom(&mut self, at: usize, bytes: &[u8]) -> Result<Atom, DecodeError> {
        self.atom_from(at, bytes, true)
    }

    /// Reads an atom whose tag byte `tag` (at `at`) has been consumed.
    fn atom_body(&mut self, at: usize, tag: u8) -> Result<Atom, DecodeError> {
        let (len, utf8) = match tag {
            tags::ATOM => (usize::from(self.u16()?), false),
            tags::SMALL_ATOM => (usize::from(self.u8()?), false),
            tags::ATOM_UTF8 => (usize::from(self.u16()?), true),
            tags::SMALL_ATOM_UTF8 => (usize::from(self.u8()?), true),
            tags::ATOM_CACHE_REF => {
                let index = usize::from(self.u8()?);
                let Some(cache) = self.cache else {
                    return Err(self.err(
                        at,
                        DecodeErrorKind::Unsupported {
                            tag,
                            reason: "atom cache references only occur in distribution messages",
                        },
                    ));
                };
                let atom = match cache.get(index) {
                    Some(atom) => atom.clone(),
                    None => return Err(self.err(at, DecodeErrorKind::BadAtomCacheRef { index })),
                };
                let count = self.atoms + 1;
                if count > self.limits.max_atoms {
                    return Err(self.limit_err(at, Limit::Atoms, count, self.limits.max_atoms));
                }
                self.atoms = count;
                return Ok(atom);
            }
            _ => unreachable!("atom_body called for tag {tag}"),
        };
        let bytes = self.take(len)?;
        self.atom_from(at, bytes, utf8)
    }

    /// Reads a whole atom term (tag included), as the node of a pid or the
    /// module of a fun must be.
    fn atom(&mut self) -> Result<Atom, DecodeError> {
        let at = self.pos;
        match self.u8()? {
            tag @ (tags::ATOM
            | tags::SMALL_ATOM
            | tags::ATOM_UTF8
            | tags::SMALL_ATOM_UTF8
            | tags::ATOM_CACHE_REF) => self.atom_body(at, tag),
            _ => Err(self.invalid(at, "expected an atom")),
        }
    }

    /// Reads a big integer whose tag has been consumed.
    fn big(&mut self, at: usize, n: usize) -> Result<Term, DecodeError> {
        if n > self.limits.max_bigint_bytes {
            return Err(self.limit_err(at, Limit::BigIntBytes, n, self.limits.max_bigint_bytes));
        }
        let negative = self.u8()? != 0;
        let digits = self.take(n)?;
        // Trailing zero bytes (most significant) carry no value.
        let used = digits.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        let digits = digits.get(..used).unwrap_or_default();
        if used <= 8 {
            let mut word = [0u8; 8];
            word.get_mut(..used)
                .unwrap_or_default()
                .copy_from_slice(digits);
            let magnitude = u64::from_le_bytes(word);
            let value = if negative {
                0i64.checked_sub_unsigned(magnitude)
            } else {
                i64::try_from(magnitude).ok()
            };
            if let Some(v) = value {
                return Ok(Term::Integer(v));
            }
        }
        self.charge_heap(at, used)?;
        let sign = if negative { Sign::Minus } else { Sign::Plus };
        Ok(Term::BigInt(BigInt::from_bytes_le(sign, digits)))
    }

    /// Reads a whole integer term (tag included), as the fields of a fun are.
    fn integer(&mut self) -> Result<Term, DecodeError> {
        let at = self.pos;
        match self.u8()? {
            tags::SMALL_INTEGER => Ok(Term::Integer(i64::from(self.u8()?))),
            tags::INTEGER => Ok(Term::Integer(i64::from(self.u32()? as i32))),
            tags::SMALL_BIG => {
                let n = usize::from(self.u8()?);
                self.big(at, n)
            }
            tags::LARGE_BIG => {
                let n = self.u32()? as usize;
                self.big(at, n)
            }
            _ => Err(self.invalid(at, "expected an integer")),
        }
    }

    /// An integer term that must be in `0..=max`.
    fn integer_in(&mut self, max: u32, what: &'static str) -> Result<u32, DecodeError> {
        let at = self.pos;
        match self.integer()? {
            Term::Integer(i) if (0..=i64::from(max)).contains(&i) => Ok(i as u32),
            _ => Err(self.invalid(at, what)),
        }
    }

    /// Reads a whole pid term (tag included), as a fun's creator is.
    fn pid(&mut self) -> Result<ExternalPid, DecodeError> {
        let at = self.pos;
        match self.u8()? {
            tag @ (tags::NEW_PID | tags::PID) => self.pid_body(tag),
            _ => Err(self.invalid(at, "expected a pid")),
        }
    }

    fn pid_body(&mut self, tag: u8) -> Result<ExternalPid, DecodeError> {
        let node = self.atom()?;
        let id = self.u32()?;
        let serial = self.u32()?;
        let creation = if tag == tags::NEW_PID {
            self.u32()?
        } else {
            u32::from(self.u8()?)
        };
        Ok(ExternalPid {
            node,
            id,
            serial,
            creation,
        })
    }

    fn reference_words(&mut self, at: usize, len: usize) -> Result<Vec<u32>, DecodeError> {
        if len == 0 || len > MAX_REF_WORDS {
            return Err(self.invalid(at, "a reference has 1 to 5 id words"));
        }
        let bytes = self.take(len * 4)?;
        self.charge_heap(at, len * 4)?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    fn float_text(&mut self, at: usize) -> Result<f64, DecodeError> {
        let raw = self.take(31)?;
        let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
        let text = raw.get(..end).unwrap_or_default();
        std::str::from_utf8(text)
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|f| f.is_finite())
            .ok_or_else(|| self.err(at, DecodeErrorKind::InvalidFloat))
    }

    fn binary_bytes(&mut self, at: usize, len: usize) -> Result<Vec<u8>, DecodeError> {
        let bytes = self.take(len)?;
        self.charge_heap(at, len)?;
        Ok(bytes.to_vec())
    }

    // ---- lists -------------------------------------------------------------

    /// Reads what follows a list's last element, appending the elements of
    /// strings and further `LIST_EXT` cells (which some encoders emit for a
    /// list's tail) to `items` without nesting.
    fn list_tail(&mut self, items: &mut Vec<Term>) -> Result<Tail, DecodeError> {
        loop {
            let at = self.pos;
            match self.peek() {
                Some(tags::NIL) => {
                    self.pos += 1;
                    return Ok(Tail::Done);
                }
                Some(tags::STRING) => {
                    self.pos += 1;
                    let n = usize::from(self.u16()?);
                    self.charge_terms(at, n, 1)?;
                    let bytes = self.take(n)?;
                    items.extend(bytes.iter().map(|&b| Term::Integer(i64::from(b))));
                    return Ok(Tail::Done);
                }
                Some(tags::LIST) => {
                    self.pos += 1;
                    let n = self.u32()? as usize;
                    self.charge_terms(at, n, 1)?;
                    if n > 0 {
                        items.reserve(n);
                        return Ok(Tail::More(n));
                    }
                }
                _ => return Ok(Tail::Other),
            }
        }
    }

    // ---- maps and funs -----------------------------------------------------

    fn finish_map(&self, mut pairs: Vec<(Term, Term)>, start: usize) -> Result<Map, DecodeError> {
        let sorted = pairs
            .windows(2)
            .all(|w| cmp_map_keys(&w[0].0, &w[1].0) == Ordering::Less);
        if !sorted {
            // Unstable: equal keys are an error anyway, and it needs no buffer.
            pairs.sort_unstable_by(|a, b| cmp_map_keys(&a.0, &b.0));
            if pairs
                .windows(2)
                .any(|w| cmp_map_keys(&w[0].0, &w[1].0) == Ordering::Equal)
            {
                return Err(self.err(start, DecodeErrorKind::DuplicateMapKey));
            }
        }
        Ok(Map::from_sorted_unchecked(pairs))
    }

    fn finish_fun(&self, head: FunHead, free_vars: Vec<Term>) -> Result<Term, DecodeError> {
        let FunHead {
            start,
            size,
            arity,
            uniq,
            index,
            module,
            old_index,
            old_uniq,
            pid,
        } = head;
        if self.pos - start != size as usize {
            return Err(self.invalid(start, "NEW_FUN_EXT size disagrees with its content"));
        }
        Ok(Term::Fun(ExternalFun::Closure(Box::new(Closure {
            arity,
            uniq,
            index,
            module,
            old_index,
            old_uniq,
            pid,
            free_vars,
        }))))
    }

    fn fun_head(&mut self) -> Result<(Box<FunHead>, usize), DecodeError> {
        let start = self.pos;
        let size = self.u32()?;
        let arity = self.u8()?;
        let uniq = self.array::<16>()?;
        let index = self.u32()?;
        let num_free = self.u32()? as usize;
        let module = self.atom()?;
        let old_index = self.integer_in(u32::MAX, "NEW_FUN_EXT OldIndex is not a u32")?;
        let old_uniq = self.integer_in(u32::MAX, "NEW_FUN_EXT OldUniq is not a u32")?;
        let pid = self.pid()?;
        self.charge_heap(start, size_of::<Closure>())?;
        let head = Box::new(FunHead {
            start,
            size,
            arity,
            uniq,
            index,
            module,
            old_index,
            old_uniq,
            pid,
        });
        Ok((head, num_free))
    }

    // ---- the main loop -----------------------------------------------------

    /// Decodes one term starting at the current position; the position ends
    /// just after it.
    pub(crate) fn term(&mut self) -> Result<Term, DecodeError> {
        self.charge_terms(self.pos, 1, 1)?;
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            let Some(mut value) = self.next(&mut stack)? else {
                continue;
            };
            // Hand the finished value to the containers waiting for it.
            loop {
                let Some(frame) = stack.last_mut() else {
                    return Ok(value);
                };
                match frame {
                    Frame::Tuple { items, left } => {
                        items.push(value);
                        *left -= 1;
                        if *left > 0 {
                            break;
                        }
                        value = Term::Tuple(std::mem::take(items));
                    }
                    Frame::List { items, left } => {
                        items.push(value);
                        *left -= 1;
                        if *left > 0 {
                            break;
                        }
                        match self.list_tail(items)? {
                            Tail::Done => value = Term::List(std::mem::take(items)),
                            Tail::More(n) => {
                                *left = n;
                                break;
                            }
                            Tail::Other => {
                                let items = std::mem::take(items);
                                *frame = Frame::ListTail { items };
                                break;
                            }
                        }
                    }
                    Frame::ListTail { items } => {
                        value = improper(std::mem::take(items), value);
                    }
                    Frame::Map {
                        pairs,
                        key,
                        left,
                        start,
                    } => match key.take() {
                        None => {
                            *key = Some(value);
                            break;
                        }
                        Some(k) => {
                            pairs.push((k, value));
                            *left -= 1;
                            if *left > 0 {
                                break;
                            }
                            let start = *start;
                            value = Term::Map(self.finish_map(std::mem::take(pairs), start)?);
                        }
                    },
                    Frame::Fun { items, left, .. } => {
                        items.push(value);
                        *left -= 1;
                        if *left > 0 {
                            break;
                        }
                        let Some(Frame::Fun { head, items, .. }) = stack.pop() else {
                            unreachable!("the top frame is this fun");
                        };
                        value = self.finish_fun(*head, items)?;
                        continue;
                    }
                }
                stack.pop();
            }
        }
    }

    /// Reads one tag: a leaf is returned, a non-empty container is pushed on
    /// `stack` (and `None` returned).
    fn next(&mut self, stack: &mut Vec<Frame>) -> Result<Option<Term>, DecodeError> {
        let at = self.pos;
        let tag = self.u8()?;
        let term = match tag {
            tags::SMALL_INTEGER => Term::Integer(i64::from(self.u8()?)),
            tags::INTEGER => Term::Integer(i64::from(self.u32()? as i32)),
            tags::ATOM | tags::SMALL_ATOM | tags::ATOM_UTF8 | tags::SMALL_ATOM_UTF8 => {
                Term::Atom(self.atom_body(at, tag)?)
            }
            tags::ATOM_CACHE_REF => Term::Atom(self.atom_body(at, tag)?),
            tags::SMALL_TUPLE | tags::LARGE_TUPLE => {
                let n = if tag == tags::SMALL_TUPLE {
                    usize::from(self.u8()?)
                } else {
                    self.u32()? as usize
                };
                self.check_depth(at, stack.len() + 1)?;
                if n == 0 {
                    return Ok(Some(Term::Tuple(Vec::new())));
                }
                self.charge_terms(at, n, 1)?;
                stack.push(Frame::Tuple {
                    items: Vec::with_capacity(n),
                    left: n,
                });
                return Ok(None);
            }
            tags::NIL => Term::List(Vec::new()),
            tags::STRING => {
                let n = usize::from(self.u16()?);
                self.charge_terms(at, n, 1)?;
                let bytes = self.take(n)?;
                Term::List(bytes.iter().map(|&b| Term::Integer(i64::from(b))).collect())
            }
            tags::LIST => {
                let n = self.u32()? as usize;
                self.check_depth(at, stack.len() + 1)?;
                // Each element and the tail take at least one byte.
                self.charge_terms(at, n, 1)?;
                let mut items = Vec::with_capacity(n);
                if n > 0 {
                    stack.push(Frame::List { items, left: n });
                    return Ok(None);
                }
                match self.list_tail(&mut items)? {
                    Tail::Done => Term::List(items),
                    Tail::More(n) => {
                        stack.push(Frame::List { items, left: n });
                        return Ok(None);
                    }
                    Tail::Other => {
                        stack.push(Frame::ListTail { items });
                        return Ok(None);
                    }
                }
            }
            tags::BINARY => {
                let len = self.u32()? as usize;
                Term::Binary(self.binary_bytes(at, len)?)
            }
            tags::BIT_BINARY => {
                let len = self.u32()? as usize;
                let bits = self.u8()?;
                match (len, bits) {
                    (0, 0) => Term::Binary(Vec::new()),
                    (0, _) | (_, 0) | (_, 9..) => {
                        return Err(self.invalid(at, "BIT_BINARY_EXT bits must be 1 to 8"));
                    }
                    _ => {
                        let bytes = self.binary_bytes(at, len)?;
                        Term::bitstring(bytes, bits)
                            .ok_or_else(|| self.invalid(at, "bad bitstring"))?
                    }
                }
            }
            tags::NEW_FLOAT => {
                let f = f64::from_bits(self.u64()?);
                if !f.is_finite() {
                    return Err(self.err(at, DecodeErrorKind::InvalidFloat));
                }
                Term::Float(f)
            }
            tags::FLOAT => Term::Float(self.float_text(at)?),
            tags::SMALL_BIG => {
                let n = usize::from(self.u8()?);
                self.big(at, n)?
            }
            tags::LARGE_BIG => {
                let n = self.u32()? as usize;
                self.big(at, n)?
            }
            tags::MAP => {
                let n = self.u32()? as usize;
                self.check_depth(at, stack.len() + 1)?;
                if n == 0 {
                    return Ok(Some(Term::Map(Map::new())));
                }
                // A pair is two terms of at least a byte each.
                self.charge_terms(at, n.saturating_mul(2), 1)?;
                stack.push(Frame::Map {
                    pairs: Vec::with_capacity(n),
                    key: None,
                    left: n,
                    start: at,
                });
                return Ok(None);
            }
            tags::NEW_PID | tags::PID => Term::Pid(self.pid_body(tag)?),
            tags::NEW_PORT | tags::PORT | tags::V4_PORT => {
                let node = self.atom()?;
                let id = match tag {
                    tags::V4_PORT => self.u64()?,
                    _ => u64::from(self.u32()?),
                };
                let creation = match tag {
                    tags::PORT => u32::from(self.u8()?),
                    _ => self.u32()?,
                };
                Term::Port(ExternalPort { node, id, creation })
            }
            tags::NEWER_REFERENCE | tags::NEW_REFERENCE => {
                let len = usize::from(self.u16()?);
                let node = self.atom()?;
                let creation = if tag == tags::NEWER_REFERENCE {
                    self.u32()?
                } else {
                    u32::from(self.u8()?)
                };
                let id = self.reference_words(at, len)?;
                Term::Reference(ExternalRef { node, creation, id })
            }
            tags::REFERENCE => {
                let node = self.atom()?;
                let word = self.u32()?;
                let creation = u32::from(self.u8()?);
                Term::Reference(ExternalRef {
                    node,
                    creation,
                    id: vec![word],
                })
            }
            tags::EXPORT => {
                let module = self.atom()?;
                let function = self.atom()?;
                let arity = self.integer_in(255, "EXPORT_EXT arity is not 0..=255")? as u8;
                Term::Fun(ExternalFun::Export {
                    module,
                    function,
                    arity,
                })
            }
            tags::NEW_FUN => {
                self.check_depth(at, stack.len() + 1)?;
                let (head, n) = self.fun_head()?;
                if n == 0 {
                    return self.finish_fun(*head, Vec::new()).map(Some);
                }
                self.charge_terms(at, n, 1)?;
                stack.push(Frame::Fun {
                    head,
                    items: Vec::with_capacity(n),
                    left: n,
                });
                return Ok(None);
            }
            tags::COMPRESSED => {
                return Err(self.err(
                    at,
                    DecodeErrorKind::Unsupported {
                        tag,
                        reason: "a compressed term may only follow the version byte",
                    },
                ));
            }
            tags::LOCAL => {
                return Err(self.err(
                    at,
                    DecodeErrorKind::Unsupported {
                        tag,
                        reason: "LOCAL_EXT can only be decoded by the node that encoded it",
                    },
                ));
            }
            117 => {
                return Err(self.err(
                    at,
                    DecodeErrorKind::Unsupported {
                        tag,
                        reason: "FUN_EXT was removed in OTP 23",
                    },
                ));
            }
            _ => return Err(self.err(at, DecodeErrorKind::UnknownTag { tag })),
        };
        Ok(Some(term))
    }
}

/// A small per-thread cache of recently decoded atoms, so that the atoms
/// every message repeats (`'$gen_call'`, node names, record and map keys) are
/// shared rather than allocated and validated again: erts interns atoms in a
/// global table; this keeps the cost of a repeat to a hash and a compare.
/// Direct-mapped, 256 entries, so it holds at most 256 atoms (≤ 1 KiB each)
/// per thread.
mod recent_atoms {
    use std::cell::RefCell;

    use crate::Atom;

    const SLOTS: usize = 256;

    thread_local! {
        static CACHE: RefCell<Vec<Option<Atom>>> = const { RefCell::new(Vec::new()) };
    }

    fn slot(bytes: &[u8]) -> usize {
        // FNV-1a: atoms are short.
        let mut h: u32 = 0x811C_9DC5;
        for &b in bytes {
            h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
        (h ^ (h >> 16)) as usize % SLOTS
    }

    /// The cached atom whose text is exactly `bytes`.
    pub(super) fn get(bytes: &[u8]) -> Option<Atom> {
        CACHE
            .try_with(|c| {
                let c = c.try_borrow().ok()?;
                let atom = c.get(slot(bytes))?.as_ref()?;
                (atom.as_str().as_bytes() == bytes).then(|| atom.clone())
            })
            .ok()
            .flatten()
    }

    pub(super) fn put(atom: &Atom) {
        let _ = CACHE.try_with(|c| {
            if let Ok(mut c) = c.try_borrow_mut() {
                if c.is_empty() {
                    c.resize(SLOTS, None);
                }
                if let Some(entry) = c.get_mut(slot(atom.as_str().as_bytes())) {
                    *entry = Some(atom.clone());
                }
            }
        });
    }
}

/// `[e1, ..., en | tail]`; with no elements, the tail itself.
fn improper(elements: Vec<Term>, tail: Term) -> Term {
    if elements.is_empty() {
        tail
    } else {
        Term::ImproperList {
            elements,
            tail: Box::new(tail),
        }
    }
}
