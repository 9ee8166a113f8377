//! The encoder: [`Term`] to ETF bytes, with the tags a current OTP node emits.
//!
//! The encoder walks the term with an explicit stack, so a term nested deeper
//! than the thread's stack allows still encodes.

use num_bigint::Sign;
use num_traits::ToPrimitive;

use super::error::EncodeError;
use super::tags;
use crate::{Atom, Closure, ExternalFun, ExternalPid, Term};

/// Longest list erts encodes as `STRING_EXT` (its length field is 16 bits).
const MAX_STRING_LEN: usize = 0xFFFF;

/// Work left to do, last first.
enum Item<'a> {
    Term(&'a Term),
    /// The `NIL_EXT` that ends a proper list.
    Nil,
    /// Patch the size field of a `NEW_FUN_EXT` that starts at this offset.
    FunSize(usize),
}

fn len32(len: usize, what: &'static str) -> Result<u32, EncodeError> {
    u32::try_from(len).map_err(|_| EncodeError::TooLong { what, len })
}

pub(crate) fn encode_term(term: &Term, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let start = out.len();
    let result = encode_all(term, out);
    if result.is_err() {
        out.truncate(start);
    }
    result
}

fn encode_all<'a>(term: &'a Term, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let mut stack: Vec<Item<'a>> = Vec::new();
    let mut next = Item::Term(term);
    loop {
        match next {
            Item::Term(t) => encode_one(t, out, &mut stack)?,
            Item::Nil => out.push(tags::NIL),
            Item::FunSize(at) => {
                let size = len32(out.len() - at, "fun environment")?;
                if let Some(field) = out.get_mut(at..at + 4) {
                    field.copy_from_slice(&size.to_be_bytes());
                }
            }
        }
        match stack.pop() {
            Some(item) => next = item,
            None => return Ok(()),
        }
    }
}

/// Writes `t`'s header (or all of it, for a leaf) and pushes its children.
fn encode_one<'a>(
    t: &'a Term,
    out: &mut Vec<u8>,
    stack: &mut Vec<Item<'a>>,
) -> Result<(), EncodeError> {
    match t {
        Term::Atom(a) => atom(a, out),
        Term::Integer(i) => integer(*i, out),
        Term::BigInt(b) => match b.to_i64() {
            Some(i) => integer(i, out),
            None => {
                let (sign, digits) = b.to_bytes_le();
                big(sign == Sign::Minus, &digits, out)?;
            }
        },
        Term::Float(f) => {
            if !f.is_finite() {
                return Err(EncodeError::NonFiniteFloat);
            }
            out.push(tags::NEW_FLOAT);
            out.extend_from_slice(&f.to_bits().to_be_bytes());
        }
        Term::Binary(b) => {
            out.push(tags::BINARY);
            out.extend_from_slice(&len32(b.len(), "binary")?.to_be_bytes());
            out.extend_from_slice(b);
        }
        Term::BitBinary { bytes, bits } => {
            let Some((&last, whole)) = bytes.split_last() else {
                return Err(EncodeError::InvalidBitBinary { bits: *bits });
            };
            if !(1..=7).contains(bits) {
                return Err(EncodeError::InvalidBitBinary { bits: *bits });
            }
            out.push(tags::BIT_BINARY);
            out.extend_from_slice(&len32(bytes.len(), "binary")?.to_be_bytes());
            out.push(*bits);
            out.extend_from_slice(whole);
            // erts writes the unused low bits as zeros.
            out.push(last & (0xFFu8 << (8 - bits)));
        }
        Term::List(items) => {
            if items.is_empty() {
                out.push(tags::NIL);
            } else if items.len() <= MAX_STRING_LEN
                && items.iter().all(|x| matches!(x, Term::Integer(0..=255)))
            {
                out.push(tags::STRING);
                out.extend_from_slice(&(items.len() as u16).to_be_bytes());
                out.extend(items.iter().map(|x| match x {
                    Term::Integer(b) => *b as u8,
                    _ => 0,
                }));
            } else {
                out.push(tags::LIST);
                out.extend_from_slice(&len32(items.len(), "list")?.to_be_bytes());
                stack.push(Item::Nil);
                stack.extend(items.iter().rev().map(Item::Term));
            }
        }
        Term::ImproperList { elements, tail } => {
            if elements.is_empty() {
                // Not a valid ImproperList, but it means the tail alone.
                stack.push(Item::Term(tail));
            } else {
                out.push(tags::LIST);
                out.extend_from_slice(&len32(elements.len(), "list")?.to_be_bytes());
                stack.push(Item::Term(tail));
                stack.extend(elements.iter().rev().map(Item::Term));
            }
        }
        Term::Tuple(items) => {
            if let Ok(n) = u8::try_from(items.len()) {
                out.push(tags::SMALL_TUPLE);
                out.push(n);
            } else {
                out.push(tags::LARGE_TUPLE);
                out.extend_from_slice(&len32(items.len(), "tuple")?.to_be_bytes());
            }
            stack.extend(items.iter().rev().map(Item::Term));
        }
        Term::Map(m) => {
            out.push(tags::MAP);
            out.extend_from_slice(&len32(m.len(), "map")?.to_be_bytes());
            for (k, v) in m.into_iter().rev() {
                stack.push(Item::Term(v));
                stack.push(Item::Term(k));
            }
        }
        Term::Pid(p) => pid(p, out),
        Term::Port(p) => {
            if let Ok(id) = u32::try_from(p.id) {
                out.push(tags::NEW_PORT);
                atom(&p.node, out);
                out.extend_from_slice(&id.to_be_bytes());
            } else {
                out.push(tags::V4_PORT);
                atom(&p.node, out);
                out.extend_from_slice(&p.id.to_be_bytes());
            }
            out.extend_from_slice(&p.creation.to_be_bytes());
        }
        Term::Reference(r) => {
            let words = r.id.len();
            if !(1..=5).contains(&words) {
                return Err(EncodeError::InvalidReference { words });
            }
            out.push(tags::NEWER_REFERENCE);
            out.extend_from_slice(&(words as u16).to_be_bytes());
            atom(&r.node, out);
            out.extend_from_slice(&r.creation.to_be_bytes());
            for w in &r.id {
                out.extend_from_slice(&w.to_be_bytes());
            }
        }
        Term::Fun(ExternalFun::Export {
            module,
            function,
            arity,
        }) => {
            out.push(tags::EXPORT);
            atom(module, out);
            atom(function, out);
            out.push(tags::SMALL_INTEGER);
            out.push(*arity);
        }
        Term::Fun(ExternalFun::Closure(c)) => closure(c, out, stack)?,
    }
    Ok(())
}

fn closure<'a>(
    c: &'a Closure,
    out: &mut Vec<u8>,
    stack: &mut Vec<Item<'a>>,
) -> Result<(), EncodeError> {
    let Closure {
        arity,
        uniq,
        index,
        module,
        old_index,
        old_uniq,
        pid: creator,
        free_vars,
    } = c;
    out.push(tags::NEW_FUN);
    let size_at = out.len();
    out.extend_from_slice(&[0; 4]);
    out.push(*arity);
    out.extend_from_slice(uniq);
    out.extend_from_slice(&index.to_be_bytes());
    out.extend_from_slice(&len32(free_vars.len(), "fun environment")?.to_be_bytes());
    atom(module, out);
    integer(i64::from(*old_index), out);
    integer(i64::from(*old_uniq), out);
    pid(creator, out);
    stack.push(Item::FunSize(size_at));
    stack.extend(free_vars.iter().rev().map(Item::Term));
    Ok(())
}

fn pid(p: &ExternalPid, out: &mut Vec<u8>) {
    out.push(tags::NEW_PID);
    atom(&p.node, out);
    out.extend_from_slice(&p.id.to_be_bytes());
    out.extend_from_slice(&p.serial.to_be_bytes());
    out.extend_from_slice(&p.creation.to_be_bytes());
}

/// UTF-8 atoms, as `term_to_binary/2` with `{minor_version, 2}` (the default
/// since OTP 26) and the distribution protocol write them.
#[inline]
fn atom(a: &Atom, out: &mut Vec<u8>) {
    let s = a.as_str().as_bytes();
    if let Ok(n) = u8::try_from(s.len()) {
        out.push(tags::SMALL_ATOM_UTF8);
        out.push(n);
    } else {
        // At most 255 characters of at most 4 bytes: fits 16 bits.
        out.push(tags::ATOM_UTF8);
        out.extend_from_slice(&(s.len() as u16).to_be_bytes());
    }
    out.extend_from_slice(s);
}

/// The smallest of `SMALL_INTEGER_EXT`, `INTEGER_EXT` or `SMALL_BIG_EXT`, as
/// erts picks them.
#[inline]
fn integer(i: i64, out: &mut Vec<u8>) {
    if let Ok(b) = u8::try_from(i) {
        out.push(tags::SMALL_INTEGER);
        out.push(b);
    } else if let Ok(w) = i32::try_from(i) {
        out.push(tags::INTEGER);
        out.extend_from_slice(&w.to_be_bytes());
    } else {
        let magnitude = i.unsigned_abs();
        let n = (8 - magnitude.leading_zeros() / 8) as usize;
        let bytes = magnitude.to_le_bytes();
        out.push(tags::SMALL_BIG);
        out.push(n as u8);
        out.push(u8::from(i < 0));
        out.extend_from_slice(bytes.get(..n).unwrap_or(&bytes));
    }
}

fn big(negative: bool, digits: &[u8], out: &mut Vec<u8>) -> Result<(), EncodeError> {
    if let Ok(n) = u8::try_from(digits.len()) {
        out.push(tags::SMALL_BIG);
        out.push(n);
    } else {
        out.push(tags::LARGE_BIG);
        out.extend_from_slice(&len32(digits.len(), "big integer")?.to_be_bytes());
    }
    out.push(u8::from(negative));
    out.extend_from_slice(digits);
    Ok(())
}
