//! Erlang's term order, and the map-key order that differs from it for numbers.
//!
//! Term order: number < atom < reference < fun < port < pid < tuple < map < nil
//! < list < bitstring. Numbers compare by value; where an integer and a float
//! are equal in value the integer sorts first, which makes the order total and
//! consistent with exact equality (`=:=`). Map keys use *map-key order*: the
//! same, except that every integer sorts before every float, as erts orders the
//! keys of small maps.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use num_bigint::{BigInt, Sign};
use num_traits::FromPrimitive;

use crate::{ExternalFun, ExternalPid, ExternalPort, ExternalRef, Map, Term};

/// 2^63 as an `f64`: the first float above every `i64`.
const TWO_63: f64 = 9_223_372_036_854_775_808.0;

fn rank(t: &Term) -> u8 {
    match t {
        Term::Integer(_) | Term::BigInt(_) | Term::Float(_) => 0,
        Term::Atom(_) => 1,
        Term::Reference(_) => 2,
        Term::Fun(_) => 3,
        Term::Port(_) => 4,
        Term::Pid(_) => 5,
        Term::Tuple(_) => 6,
        Term::Map(_) => 7,
        Term::List(l) if l.is_empty() => 8,
        Term::List(_) | Term::ImproperList { .. } => 9,
        Term::Binary(_) | Term::BitBinary { .. } => 10,
    }
}

/// `i` against `f` by value; an equal pair puts the integer first.
fn cmp_int_float(i: i64, f: f64) -> Ordering {
    if f >= TWO_63 {
        return Ordering::Less;
    }
    if f < -TWO_63 {
        return Ordering::Greater;
    }
    let whole = f.trunc();
    // `whole` is in [-2^63, 2^63), so the cast is exact.
    match i.cmp(&(whole as i64)) {
        Ordering::Equal if f < whole => Ordering::Greater,
        Ordering::Equal => Ordering::Less,
        other => other,
    }
}

/// A big integer (always outside the `i64` range) against `f`.
fn cmp_big_float(b: &BigInt, f: f64) -> Ordering {
    if f.abs() < TWO_63 {
        return if b.sign() == Sign::Minus {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    // |f| >= 2^63 has no fractional part, so it converts exactly.
    match BigInt::from_f64(f) {
        Some(fb) => b.cmp(&fb).then(Ordering::Less),
        None => Ordering::Less,
    }
}

fn big_sign_order(b: &BigInt) -> Ordering {
    if b.sign() == Sign::Minus {
        Ordering::Less
    } else {
        Ordering::Greater
    }
}

fn cmp_numbers(a: &Term, b: &Term, ints_first: bool) -> Ordering {
    use Term::{BigInt as Big, Float, Integer};
    match (a, b) {
        (Integer(x), Integer(y)) => x.cmp(y),
        (Integer(_), Big(y)) => big_sign_order(y).reverse(),
        (Big(x), Integer(_)) => big_sign_order(x),
        (Big(x), Big(y)) => x.cmp(y),
        (Float(x), Float(y)) => x.total_cmp(y),
        (Integer(_) | Big(_), Float(_)) if ints_first => Ordering::Less,
        (Float(_), Integer(_) | Big(_)) if ints_first => Ordering::Greater,
        (Integer(x), Float(y)) => cmp_int_float(*x, *y),
        (Float(x), Integer(y)) => cmp_int_float(*y, *x).reverse(),
        (Big(x), Float(y)) => cmp_big_float(x, *y),
        (Float(x), Big(y)) => cmp_big_float(y, *x).reverse(),
        _ => unreachable!("cmp_numbers called with a non-number"),
    }
}

fn list_parts(t: &Term) -> (&[Term], Option<&Term>) {
    match t {
        Term::List(l) => (l, None),
        Term::ImproperList { elements, tail } => (elements, Some(tail)),
        _ => unreachable!("list_parts called with a non-list"),
    }
}

/// Compares two lists cell by cell, as Erlang compares cons cells.
fn cmp_lists(a: &Term, b: &Term) -> Ordering {
    let (ae, at) = list_parts(a);
    let (be, bt) = list_parts(b);
    for (x, y) in ae.iter().zip(be) {
        match cmp_terms(x, y) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    // What remains of each side: its tail, or a non-empty list (rank 9).
    let rest_rank = |elems: &[Term], tail: Option<&Term>, common: usize| -> Option<u8> {
        if elems.len() > common {
            Some(9)
        } else {
            tail.map(rank).or(Some(8))
        }
    };
    let common = ae.len().min(be.len());
    let (ra, rb) = (rest_rank(ae, at, common), rest_rank(be, bt, common));
    match (ae.len() == common, be.len() == common) {
        (true, true) => match (at, bt) {
            (Some(x), Some(y)) => cmp_terms(x, y),
            _ => ra.cmp(&rb),
        },
        _ => ra.cmp(&rb),
    }
}

fn bit_parts(t: &Term) -> (&[u8], usize) {
    match t {
        Term::Binary(b) => (b, b.len() * 8),
        Term::BitBinary { bytes, bits } => {
            (bytes, (bytes.len().saturating_sub(1)) * 8 + *bits as usize)
        }
        _ => unreachable!("bit_parts called with a non-bitstring"),
    }
}

fn cmp_bits(a: &Term, b: &Term) -> Ordering {
    let (ab, an) = bit_parts(a);
    let (bb, bn) = bit_parts(b);
    let n = an.min(bn);
    let whole = n / 8;
    match ab[..whole].cmp(&bb[..whole]) {
        Ordering::Equal => {}
        other => return other,
    }
    let rem = n % 8;
    if rem > 0 {
        let mask = 0xFFu8 << (8 - rem);
        match (ab[whole] & mask).cmp(&(bb[whole] & mask)) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    an.cmp(&bn)
}

fn cmp_slices(a: &[Term], b: &[Term]) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| {
        for (x, y) in a.iter().zip(b) {
            match cmp_terms(x, y) {
                Ordering::Equal => {}
                other => return other,
            }
        }
        Ordering::Equal
    })
}

fn cmp_maps(a: &Map, b: &Map) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| {
        for (x, y) in a.keys().zip(b.keys()) {
            match cmp_map_keys(x, y) {
                Ordering::Equal => {}
                other => return other,
            }
        }
        for (x, y) in a.values().zip(b.values()) {
            match cmp_terms(x, y) {
                Ordering::Equal => {}
                other => return other,
            }
        }
        Ordering::Equal
    })
}

// Pids, ports and references compare as erts 25 compares them (observed with
// `<` and in the key order of small maps): a pid by serial, number, node name,
// creation; a port by node name, creation, number; a reference by node name,
// creation, then its words as one number (most significant first, the shorter
// one extended with zeros), with the shorter first when those are equal (erts
// calls such references equal; here equality stays exact).

fn cmp_pids(a: &ExternalPid, b: &ExternalPid) -> Ordering {
    (a.serial, a.id, &a.node, a.creation).cmp(&(b.serial, b.id, &b.node, b.creation))
}

fn cmp_ports(a: &ExternalPort, b: &ExternalPort) -> Ordering {
    (&a.node, a.creation, a.id).cmp(&(&b.node, b.creation, b.id))
}

fn cmp_refs(a: &ExternalRef, b: &ExternalRef) -> Ordering {
    let word = |r: &ExternalRef, i: usize| r.id.get(i).copied().unwrap_or(0);
    let len = a.id.len().max(b.id.len());
    a.node
        .cmp(&b.node)
        .then(a.creation.cmp(&b.creation))
        .then_with(|| {
            (0..len)
                .rev()
                .map(|i| word(a, i).cmp(&word(b, i)))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        })
        .then_with(|| a.id.len().cmp(&b.id.len()))
}

fn cmp_funs(a: &ExternalFun, b: &ExternalFun) -> Ordering {
    match (a, b) {
        (
            ExternalFun::Export {
                module: m1,
                function: f1,
                arity: a1,
            },
            ExternalFun::Export {
                module: m2,
                function: f2,
                arity: a2,
            },
        ) => (m1, f1, a1).cmp(&(m2, f2, a2)),
        (ExternalFun::Export { .. }, ExternalFun::Closure(_)) => Ordering::Less,
        (ExternalFun::Closure(_), ExternalFun::Export { .. }) => Ordering::Greater,
        (ExternalFun::Closure(x), ExternalFun::Closure(y)) => {
            (&x.module, x.old_index, x.old_uniq, x.index, x.uniq, x.arity)
                .cmp(&(&y.module, y.old_index, y.old_uniq, y.index, y.uniq, y.arity))
                .then_with(|| cmp_pids(&x.pid, &y.pid))
                .then_with(|| cmp_slices(&x.free_vars, &y.free_vars))
        }
    }
}

fn cmp_with(a: &Term, b: &Term, ints_first: bool) -> Ordering {
    let (ra, rb) = (rank(a), rank(b));
    if ra != rb {
        return ra.cmp(&rb);
    }
    match (a, b) {
        (Term::Atom(x), Term::Atom(y)) => x.cmp(y),
        (Term::Reference(x), Term::Reference(y)) => cmp_refs(x, y),
        (Term::Fun(x), Term::Fun(y)) => cmp_funs(x, y),
        (Term::Port(x), Term::Port(y)) => cmp_ports(x, y),
        (Term::Pid(x), Term::Pid(y)) => cmp_pids(x, y),
        (Term::Tuple(x), Term::Tuple(y)) => cmp_slices(x, y),
        (Term::Map(x), Term::Map(y)) => cmp_maps(x, y),
        _ => match ra {
            0 => cmp_numbers(a, b, ints_first),
            8 => Ordering::Equal,
            9 => cmp_lists(a, b),
            10 => cmp_bits(a, b),
            _ => unreachable!("terms of one rank"),
        },
    }
}

/// Erlang's term order.
pub(crate) fn cmp_terms(a: &Term, b: &Term) -> Ordering {
    cmp_with(a, b, false)
}

/// Erlang's map-key order: term order with every integer before every float.
pub(crate) fn cmp_map_keys(a: &Term, b: &Term) -> Ordering {
    cmp_with(a, b, true)
}

impl PartialEq for Term {
    /// Exact equality, Erlang's `=:=`: `1 =/= 1.0`.
    fn eq(&self, other: &Term) -> bool {
        cmp_terms(self, other) == Ordering::Equal
    }
}

impl Eq for Term {}

impl PartialOrd for Term {
    fn partial_cmp(&self, other: &Term) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Term {
    /// Erlang's term order (see the module docs for how `1` and `1.0` are ordered).
    fn cmp(&self, other: &Term) -> Ordering {
        cmp_terms(self, other)
    }
}

impl Hash for Term {
    fn hash<H: Hasher>(&self, state: &mut H) {
        rank(self).hash(state);
        match self {
            Term::Atom(a) => a.hash(state),
            Term::Integer(i) => i.hash(state),
            Term::BigInt(b) => b.hash(state),
            Term::Float(f) => f.to_bits().hash(state),
            Term::Binary(b) => b.hash(state),
            Term::BitBinary { bytes, bits } => (bytes, bits).hash(state),
            Term::List(l) => l.hash(state),
            Term::ImproperList { elements, tail } => (elements, tail).hash(state),
            Term::Tuple(t) => t.hash(state),
            Term::Map(m) => m.hash(state),
            Term::Pid(p) => p.hash(state),
            Term::Port(p) => p.hash(state),
            Term::Reference(r) => r.hash(state),
            Term::Fun(f) => f.hash(state),
        }
    }
}

impl PartialEq for Map {
    fn eq(&self, other: &Map) -> bool {
        cmp_maps(self, other) == Ordering::Equal
    }
}

impl Eq for Map {}

impl PartialOrd for Map {
    fn partial_cmp(&self, other: &Map) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Map {
    fn cmp(&self, other: &Map) -> Ordering {
        cmp_maps(self, other)
    }
}

impl Hash for Map {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.len().hash(state);
        for (k, v) in self.iter() {
            k.hash(state);
            v.hash(state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_order() {
        let order = [
            Term::Integer(1),
            Term::atom("a"),
            Term::Reference(ExternalRef {
                node: crate::Atom::new("n").unwrap(),
                creation: 1,
                id: vec![1, 2, 3],
            }),
            Term::Fun(ExternalFun::Export {
                module: crate::Atom::new("m").unwrap(),
                function: crate::Atom::new("f").unwrap(),
                arity: 0,
            }),
            Term::Port(ExternalPort {
                node: crate::Atom::new("n").unwrap(),
                id: 1,
                creation: 1,
            }),
            Term::Pid(ExternalPid {
                node: crate::Atom::new("n").unwrap(),
                id: 1,
                serial: 0,
                creation: 1,
            }),
            Term::tuple([]),
            Term::map([]),
            Term::nil(),
            Term::list([Term::Integer(1)]),
            Term::binary(""),
        ];
        for w in order.windows(2) {
            assert!(w[0] < w[1], "{} < {}", w[0], w[1]);
        }
    }

    #[test]
    fn numbers_by_value_integer_first_on_tie() {
        let one = Term::Integer(1);
        let one_f = Term::Float(1.0);
        assert!(one < one_f);
        assert_ne!(one, one_f);
        assert!(Term::Float(0.5) < one);
        assert!(Term::Float(1.5) > one);
        assert!(Term::Float(-1.5) < Term::Integer(-1));
        let big = Term::integer(BigInt::from(i64::MAX) + 1);
        assert!(big > Term::Integer(i64::MAX));
        assert!(big > Term::Float(1e18));
        assert!(big < Term::Float(1e19));
        assert!(Term::integer(BigInt::from(2).pow(63)) < Term::Float(TWO_63));
        assert!(Term::integer(-(BigInt::from(2).pow(64))) < Term::Integer(i64::MIN));
    }

    #[test]
    fn map_keys_put_integers_before_floats() {
        assert_eq!(
            cmp_map_keys(&Term::Integer(3), &Term::Float(2.0)),
            Ordering::Less
        );
        assert_eq!(
            cmp_terms(&Term::Integer(3), &Term::Float(2.0)),
            Ordering::Greater
        );
        let m = Term::map([
            (Term::Float(2.0), Term::atom("b")),
            (Term::Integer(3), Term::atom("c")),
            (Term::Integer(1), Term::atom("a")),
        ]);
        let keys: Vec<_> = m.as_map().unwrap().keys().cloned().collect();
        assert_eq!(keys, [Term::Integer(1), Term::Integer(3), Term::Float(2.0)]);
    }

    #[test]
    fn lists_compare_cell_by_cell() {
        let a = Term::list([Term::Integer(1)]);
        let ab = Term::list([Term::Integer(1), Term::Integer(2)]);
        let improper = Term::improper_list([Term::Integer(1)], Term::atom("x"));
        assert!(a < ab);
        // [1|x] vs [1,2]: tails x (atom) vs [2] (list): atom < list.
        assert!(improper < ab);
        // [1|x] vs [1]: tails x vs []: atom < nil.
        assert!(improper < a);
        assert!(Term::nil() < a);
    }

    #[test]
    fn bitstrings_compare_bit_by_bit() {
        let b = Term::binary(vec![0b1010_0000]);
        let bits = Term::bitstring(vec![0b1010_0000], 3).unwrap();
        assert!(bits < b);
        assert!(Term::binary("") < bits);
        assert!(Term::binary(vec![0b1100_0000]) > bits);
    }
}
