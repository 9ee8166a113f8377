//! `Serialize`/`Deserialize` for [`Term`] and [`Atom`], so a Rust struct can
//! hold an arbitrary term or an atom.
//!
//! With this crate's serializer and deserializer a `Term` passes through
//! untouched (pids, references, improper lists and all). With other formats
//! (JSON, say) it is written structurally: `true`/`false` as booleans, `nil`
//! as unit (JSON `null`), other atoms and UTF-8 binaries as strings, other
//! binaries as bytes, integers and floats as numbers, lists and tuples as
//! sequences, maps as maps, and pids, ports, references and funs as their
//! Erlang text; bitstrings and improper lists are errors. Reading back from
//! such formats gives binaries for strings, lists for sequences and `nil` for
//! unit/none.

use std::fmt;

use ::serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use ::serde::ser::{self, Serialize, SerializeTuple, Serializer};
use num_traits::ToPrimitive;

use super::{ATOM_MARKER, TERM_MARKER, passthrough};
use crate::{Atom, Map, Term};

/// The term's structural form, or (to this crate's serializer) the term itself.
struct Structural<'a>(&'a Term);

impl Serialize for Term {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(TERM_MARKER, &Structural(self))
    }
}

impl Serialize for Structural<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if passthrough::hand_over(self.0) {
            return s.serialize_unit();
        }
        match self.0 {
            Term::Atom(a) => match a.as_str() {
                "true" => s.serialize_bool(true),
                "false" => s.serialize_bool(false),
                "nil" => s.serialize_unit(),
                name => s.serialize_str(name),
            },
            Term::Integer(i) => s.serialize_i64(*i),
            Term::BigInt(b) => {
                if let Some(i) = b.to_i128() {
                    s.serialize_i128(i)
                } else if let Some(u) = b.to_u128() {
                    s.serialize_u128(u)
                } else {
                    s.collect_str(b)
                }
            }
            Term::Float(f) => s.serialize_f64(*f),
            Term::Binary(b) => match std::str::from_utf8(b) {
                Ok(text) => s.serialize_str(text),
                Err(_) => s.serialize_bytes(b),
            },
            Term::List(elements) => s.collect_seq(elements),
            Term::Tuple(elements) => {
                let mut tuple = s.serialize_tuple(elements.len())?;
                for e in elements {
                    tuple.serialize_element(e)?;
                }
                tuple.end()
            }
            Term::Map(m) => s.collect_map(m.iter()),
            Term::Pid(p) => s.collect_str(p),
            Term::Port(p) => s.collect_str(p),
            Term::Reference(r) => s.collect_str(r),
            Term::Fun(f) => s.collect_str(f),
            Term::BitBinary { .. } => Err(ser::Error::custom(
                "a bitstring that is not a whole number of bytes has no form outside Erlang terms",
            )),
            Term::ImproperList { .. } => Err(ser::Error::custom(
                "an improper list has no form outside Erlang terms",
            )),
        }
    }
}

impl<'de> Deserialize<'de> for Term {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Term, D::Error> {
        deserializer.deserialize_newtype_struct(TERM_MARKER, TermVisitor)
    }
}

/// Builds a term from what a deserializer offers: the term itself from this
/// crate's deserializer, a structural reading from any other.
struct TermVisitor;

fn float<E: de::Error>(x: f64) -> Result<Term, E> {
    Term::float(x).ok_or_else(|| E::custom(format_args!("float {x} cannot be an Erlang term")))
}

impl<'de> Visitor<'de> for TermVisitor {
    type Value = Term;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any Erlang term")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Term, E> {
        Ok(Term::boolean(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Term, E> {
        Ok(Term::Integer(v))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Term, E> {
        Ok(Term::integer(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Term, E> {
        Ok(Term::integer(v))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Term, E> {
        Ok(Term::integer(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Term, E> {
        float(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Term, E> {
        Ok(Term::binary(v.as_bytes()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Term, E> {
        Ok(Term::Binary(v.into_bytes()))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Term, E> {
        Ok(Term::binary(v))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Term, E> {
        Ok(Term::Binary(v))
    }

    fn visit_none<E: de::Error>(self) -> Result<Term, E> {
        Ok(Term::atom("nil"))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Term, D::Error> {
        Term::deserialize(d)
    }

    /// From this crate's deserializer: the term it offered. From others: `nil`.
    fn visit_unit<E: de::Error>(self) -> Result<Term, E> {
        Ok(passthrough::take_offered().unwrap_or_else(|| Term::atom("nil")))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Term, D::Error> {
        d.deserialize_any(TermVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Term, A::Error> {
        let mut elements = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(e) = seq.next_element::<Term>()? {
            elements.push(e);
        }
        Ok(Term::List(elements))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Term, A::Error> {
        let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        while let Some(pair) = map.next_entry::<Term, Term>()? {
            pairs.push(pair);
        }
        Ok(Term::Map(pairs.into_iter().collect::<Map>()))
    }
}

/// An atom: to this crate's serializer an atom term, to others a string.
impl Serialize for Atom {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(ATOM_MARKER, self.as_str())
    }
}

/// An atom from an atom term, or from a string (at most 255 characters).
impl<'de> Deserialize<'de> for Atom {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Atom, D::Error> {
        deserializer.deserialize_newtype_struct(ATOM_MARKER, AtomVisitor)
    }
}

struct AtomVisitor;

impl<'de> Visitor<'de> for AtomVisitor {
    type Value = Atom;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an atom")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Atom, E> {
        Atom::new(v).map_err(E::custom)
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Atom, E> {
        match std::str::from_utf8(v) {
            Ok(s) => self.visit_str(s),
            Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(v), &self)),
        }
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Atom, D::Error> {
        d.deserialize_str(AtomVisitor)
    }
}
