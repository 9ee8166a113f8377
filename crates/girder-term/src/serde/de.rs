//! A `serde::Deserializer` that reads a Rust value out of a borrowed [`Term`].

use ::serde::de::value::{BorrowedStrDeserializer, U8Deserializer};
use ::serde::de::{self, DeserializeSeed, Visitor};
use num_bigint::BigInt;
use num_traits::ToPrimitive;

use super::config::{OptionRepr, SerdeConfig};
use super::error::{SerdeError, SerdeErrorKind, describe, short};
use super::{ATOM_MARKER, TERM_MARKER, passthrough};
use crate::Term;

type Result<T> = std::result::Result<T, SerdeError>;

/// How deeply containers may nest before deserializing stops with an error,
/// so that a deep term cannot exhaust the stack.
pub(crate) const MAX_DEPTH: u32 = 256;

/// `{}`: the payload of a bare `ok`/`error` read as `Result<(), _>`.
static EMPTY_TUPLE: Term = Term::Tuple(Vec::new());

/// Reads one value from `term`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deserializer<'a, 'de> {
    term: &'de Term,
    config: &'a SerdeConfig,
    depth: u32,
}

impl<'a, 'de> Deserializer<'a, 'de> {
    pub(crate) fn new(term: &'de Term, config: &'a SerdeConfig) -> Self {
        Deserializer {
            term,
            config,
            depth: 0,
        }
    }

    /// A deserializer for a term nested one level inside this one.
    fn child(&self, term: &'de Term) -> Result<Deserializer<'a, 'de>> {
        if self.depth >= MAX_DEPTH {
            return Err(SerdeError::unsupported(format!(
                "a term nested more than {MAX_DEPTH} levels deep"
            )));
        }
        Ok(Deserializer {
            term,
            config: self.config,
            depth: self.depth + 1,
        })
    }

    fn mismatch(&self, expected: impl Into<String>) -> SerdeError {
        SerdeError::mismatch(expected, self.term)
    }

    /// An error for the terms that have no serde counterpart, else a mismatch.
    fn wrong(&self, expected: &str) -> SerdeError {
        match self.term {
            Term::BitBinary { .. } => SerdeError::new(SerdeErrorKind::InvalidType {
                expected: expected.to_owned(),
                found: format!(
                    "{} (a bitstring that is not a whole number of bytes)",
                    describe(self.term)
                ),
            }),
            Term::ImproperList { .. } => SerdeError::new(SerdeErrorKind::InvalidType {
                expected: expected.to_owned(),
                found: format!("improper list {}", short(self.term)),
            }),
            _ => self.mismatch(expected),
        }
    }

    fn seq(&self, elements: &'de [Term], first_index: usize) -> Result<SeqAccess<'a, 'de>> {
        Ok(SeqAccess {
            iter: elements.iter(),
            index: first_index,
            parent: self.child(&EMPTY_TUPLE)?,
        })
    }

    /// Visits a sequence and checks that the visitor took every element.
    fn visit_elements<V: Visitor<'de>>(
        &self,
        elements: &'de [Term],
        visitor: V,
    ) -> Result<V::Value> {
        let mut access = self.seq(elements, 0)?;
        let value = visitor.visit_seq(&mut access)?;
        let left = access.iter.len();
        if left > 0 {
            return Err(SerdeError::new(SerdeErrorKind::InvalidLength {
                expected: format!("{} elements", elements.len() - left),
                found: elements.len(),
            }));
        }
        Ok(value)
    }

    /// The pairs of a map, or of a keyword list / proplist (`[{k, v}, ...]`,
    /// `[]` included).
    fn pairs(&self) -> Option<Pairs<'de>> {
        match self.term {
            Term::Map(m) => Some(Pairs::Map(m.into_iter())),
            Term::List(l)
                if l.iter()
                    .all(|e| matches!(e, Term::Tuple(t) if t.len() == 2)) =>
            {
                Some(Pairs::List(l.iter()))
            }
            _ => None,
        }
    }

    fn map_access(&self, pairs: Pairs<'de>, skip_struct_key: bool) -> Result<MapAccess<'a, 'de>> {
        Ok(MapAccess {
            pairs,
            value: None,
            parent: self.child(&EMPTY_TUPLE)?,
            skip_struct_key,
        })
    }

    /// A string from a UTF-8 binary, an atom (not `true`, `false` or the
    /// `None` atom) or a charlist.
    fn string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.term {
            Term::Binary(b) => match std::str::from_utf8(b) {
                Ok(s) => visitor.visit_borrowed_str(s),
                Err(_) => Err(self.mismatch("a string (UTF-8 binary)")),
            },
            Term::Atom(a) if !self.is_reserved_atom(a.as_str()) => {
                visitor.visit_borrowed_str(a.as_str())
            }
            Term::List(l) => match charlist(l) {
                Some(s) => visitor.visit_string(s),
                None => Err(self.mismatch("a string")),
            },
            _ => Err(self.wrong("a string")),
        }
    }

    fn is_reserved_atom(&self, name: &str) -> bool {
        matches!(name, "true" | "false") || name == self.config.option.none_atom()
    }

    fn bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.term {
            Term::Binary(b) => visitor.visit_borrowed_bytes(b),
            Term::List(l) => match byte_list(l) {
                Some(bytes) => visitor.visit_byte_buf(bytes),
                None => Err(self.mismatch("a binary")),
            },
            _ => Err(self.wrong("a binary")),
        }
    }

    fn float(&self, target: &'static str) -> Result<f64> {
        match self.term {
            Term::Float(f) => Ok(*f),
            Term::Integer(i) => Ok(*i as f64),
            Term::BigInt(b) => b
                .to_f64()
                .filter(|f| f.is_finite())
                .ok_or_else(|| SerdeError::out_of_range(target, self.term)),
            _ => Err(self.mismatch(format!("a float ({target})"))),
        }
    }
}

/// The text of a charlist, if every element is a Unicode code point.
fn charlist(list: &[Term]) -> Option<String> {
    list.iter()
        .map(|t| match t {
            Term::Integer(i) => u32::try_from(*i).ok().and_then(char::from_u32),
            _ => None,
        })
        .collect()
}

/// The bytes of a list of integers 0..=255.
fn byte_list(list: &[Term]) -> Option<Vec<u8>> {
    list.iter()
        .map(|t| match t {
            Term::Integer(i) => u8::try_from(*i).ok(),
            _ => None,
        })
        .collect()
}

fn single_char(s: &str) -> Option<char> {
    let mut chars = s.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}

macro_rules! de_int {
    ($($method:ident => $visit:ident($ty:ty)),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            let value: $ty = match self.term {
                Term::Integer(i) => <$ty>::try_from(*i)
                    .map_err(|_| SerdeError::out_of_range(stringify!($ty), self.term))?,
                Term::BigInt(b) => <$ty>::try_from(b)
                    .map_err(|_| SerdeError::out_of_range(stringify!($ty), self.term))?,
                _ => return Err(self.mismatch(concat!("an integer (", stringify!($ty), ")"))),
            };
            visitor.$visit(value)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Deserializer<'_, 'de> {
    type Error = SerdeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.term {
            Term::Atom(a) => match a.as_str() {
                "true" => visitor.visit_bool(true),
                "false" => visitor.visit_bool(false),
                s if s == self.config.option.none_atom() => visitor.visit_unit(),
                s => visitor.visit_borrowed_str(s),
            },
            Term::Integer(i) => visitor.visit_i64(*i),
            Term::BigInt(b) => visit_big(b, self.term, visitor),
            Term::Float(f) => visitor.visit_f64(*f),
            Term::Binary(b) => match std::str::from_utf8(b) {
                Ok(s) => visitor.visit_borrowed_str(s),
                Err(_) => visitor.visit_borrowed_bytes(b),
            },
            Term::List(elements) | Term::Tuple(elements) => self.visit_elements(elements, visitor),
            Term::Map(m) => {
                let access = self.map_access(Pairs::Map(m.into_iter()), false)?;
                visitor.visit_map(access)
            }
            Term::BitBinary { .. } | Term::ImproperList { .. } => Err(self.wrong("a value")),
            Term::Pid(_) | Term::Port(_) | Term::Reference(_) | Term::Fun(_) => {
                Err(SerdeError::unsupported(format!(
                    "{} {} can only be read into a girder_term::Term",
                    self.term.type_name(),
                    short(self.term)
                )))
            }
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.term.as_bool() {
            Some(b) => visitor.visit_bool(b),
            None => Err(self.mismatch("a boolean (true or false)")),
        }
    }

    de_int! {
        deserialize_i8 => visit_i8(i8),
        deserialize_i16 => visit_i16(i16),
        deserialize_i32 => visit_i32(i32),
        deserialize_i128 => visit_i128(i128),
        deserialize_u8 => visit_u8(u8),
        deserialize_u16 => visit_u16(u16),
        deserialize_u32 => visit_u32(u32),
        deserialize_u64 => visit_u64(u64),
        deserialize_u128 => visit_u128(u128),
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.term {
            Term::Integer(i) => visitor.visit_i64(*i),
            Term::BigInt(_) => Err(SerdeError::out_of_range("i64", self.term)),
            _ => Err(self.mismatch("an integer (i64)")),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let f = self.float("f32")?;
        if f.abs() > f64::from(f32::MAX) {
            return Err(SerdeError::out_of_range("f32", self.term));
        }
        visitor.visit_f32(f as f32)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_f64(self.float("f64")?)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let c = match self.term {
            Term::Binary(b) => std::str::from_utf8(b).ok().and_then(single_char),
            Term::Atom(a) => single_char(a.as_str()),
            Term::Integer(i) => {
                let c = u32::try_from(*i).ok().and_then(char::from_u32);
                if c.is_none() {
                    return Err(SerdeError::out_of_range("char", self.term));
                }
                c
            }
            _ => None,
        };
        match c {
            Some(c) => visitor.visit_char(c),
            None => Err(self.mismatch("a character (a 1-character string or a code point)")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.string(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.bytes(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let repr = self.config.option;
        if self.term.is_atom(repr.none_atom()) {
            return visitor.visit_none();
        }
        match repr {
            OptionRepr::Tagged => match self.term.as_tagged("some", 2) {
                Some([_, inner]) => visitor
                    .visit_some(self.child(inner)?)
                    .map_err(|e| e.at_index(1)),
                _ => Err(self.mismatch("none or {some, Value}")),
            },
            OptionRepr::Nil | OptionRepr::Undefined => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.term {
            Term::Tuple(t) if t.is_empty() => visitor.visit_unit(),
            Term::Atom(a) if a == "ok" || a == self.config.option.none_atom() => {
                visitor.visit_unit()
            }
            _ => Err(self.mismatch(format!(
                "unit ({{}}, ok or {})",
                self.config.option.none_atom()
            ))),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        let matches = match self.term {
            Term::Atom(a) => a == name,
            Term::Binary(b) => b == name.as_bytes(),
            Term::Tuple(t) => t.is_empty(),
            _ => false,
        };
        if matches {
            visitor.visit_unit()
        } else {
            Err(self.mismatch(format!("the atom {name}")))
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        if name == TERM_MARKER {
            return passthrough::offer(self.term, || visitor.visit_unit());
        }
        if name == ATOM_MARKER {
            return match self.term {
                Term::Atom(a) => visitor.visit_borrowed_str(a.as_str()),
                Term::Binary(b) => match std::str::from_utf8(b) {
                    Ok(s) => visitor.visit_borrowed_str(s),
                    Err(_) => Err(self.mismatch("an atom")),
                },
                _ => Err(self.wrong("an atom")),
            };
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.term {
            Term::List(elements) | Term::Tuple(elements) => self.visit_elements(elements, visitor),
            Term::Binary(bytes) => {
                let mut access = BytesAccess {
                    bytes: bytes.iter(),
                    index: 0,
                };
                let value = visitor.visit_seq(&mut access)?;
                if access.bytes.len() > 0 {
                    return Err(SerdeError::new(SerdeErrorKind::InvalidLength {
                        expected: format!("{} elements", access.index),
                        found: bytes.len(),
                    }));
                }
                Ok(value)
            }
            _ => Err(self.wrong("a list")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value> {
        match self.term {
            Term::Tuple(elements) | Term::List(elements) => {
                if elements.len() != len {
                    return Err(SerdeError::new(SerdeErrorKind::InvalidLength {
                        expected: format!("a {} of {len} elements", self.term.type_name()),
                        found: elements.len(),
                    }));
                }
                self.visit_elements(elements, visitor)
            }
            _ => Err(self.wrong(&format!("a tuple of {len} elements"))),
        }
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_tuple(len, visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.pairs() {
            Some(pairs) => visitor.visit_map(self.map_access(pairs, false)?),
            None => Err(self.wrong("a map")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let Some(pairs) = self.pairs() else {
            return Err(self.wrong(&format!("a map (struct {name})")));
        };
        if let (Some(module), Term::Map(m)) = (self.config.struct_module(name), self.term) {
            if let Some(found) = m.get_atom("__struct__") {
                if !found.is_atom(module) {
                    return Err(SerdeError::new(SerdeErrorKind::WrongStruct {
                        expected: module.to_owned(),
                        found: match found {
                            Term::Atom(a) => a.as_str().to_owned(),
                            other => short(other),
                        },
                    }));
                }
            }
        }
        let skip = !fields.contains(&"__struct__");
        visitor.visit_map(self.map_access(pairs, skip)?)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let (tag, payload): (&'de Term, &'de [Term]) = match self.term {
            Term::Atom(_) | Term::Binary(_) => (self.term, &[]),
            Term::Tuple(t) => match t.split_first() {
                Some((tag @ (Term::Atom(_) | Term::Binary(_)), rest)) => (tag, rest),
                _ => return Err(self.mismatch(format!("an atom or a tagged tuple (enum {name})"))),
            },
            _ => return Err(self.wrong(&format!("an atom or a tagged tuple (enum {name})"))),
        };
        let tag_name: &'de str = match tag {
            Term::Atom(a) => a.as_str(),
            Term::Binary(b) => match std::str::from_utf8(b) {
                Ok(s) => s,
                Err(_) => return Err(SerdeError::mismatch("a variant name", tag)),
            },
            _ => return Err(SerdeError::mismatch("a variant name", tag)),
        };
        let is_result = self.config.is_erlang_result(name, variants);
        let tag_name = match tag_name {
            "ok" if is_result => "Ok",
            "error" if is_result => "Err",
            other => other,
        };
        visitor.visit_enum(EnumAccess {
            de: self,
            tag_name,
            payload,
            is_result,
        })
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.term {
            Term::Atom(a) => visitor.visit_borrowed_str(a.as_str()),
            Term::Binary(b) => match std::str::from_utf8(b) {
                Ok(s) => visitor.visit_borrowed_str(s),
                Err(_) => visitor.visit_borrowed_bytes(b),
            },
            Term::Integer(i) => match u64::try_from(*i) {
                Ok(u) => visitor.visit_u64(u),
                Err(_) => Err(self.mismatch("a field name")),
            },
            _ => Err(self.mismatch("a field name (an atom)")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }
}

fn visit_big<'de, V: Visitor<'de>>(b: &BigInt, term: &Term, visitor: V) -> Result<V::Value> {
    if let Some(u) = b.to_u64() {
        visitor.visit_u64(u)
    } else if let Some(i) = b.to_i128() {
        visitor.visit_i128(i)
    } else if let Some(u) = b.to_u128() {
        visitor.visit_u128(u)
    } else {
        Err(SerdeError::out_of_range("i128 or u128", term))
    }
}

/// The elements of a list or tuple, with their index for error paths.
struct SeqAccess<'a, 'de> {
    iter: std::slice::Iter<'de, Term>,
    index: usize,
    /// Carries the config and the depth of the elements.
    parent: Deserializer<'a, 'de>,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'_, 'de> {
    type Error = SerdeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        let Some(term) = self.iter.next() else {
            return Ok(None);
        };
        let i = self.index;
        self.index += 1;
        let de = Deserializer {
            term,
            ..self.parent
        };
        seed.deserialize(de).map(Some).map_err(|e| e.at_index(i))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// The bytes of a binary read as a sequence of `u8` (a plain `Vec<u8>`).
struct BytesAccess<'de> {
    bytes: std::slice::Iter<'de, u8>,
    index: usize,
}

impl<'de> de::SeqAccess<'de> for BytesAccess<'de> {
    type Error = SerdeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        let i = self.index;
        match self.bytes.next() {
            Some(&b) => {
                self.index += 1;
                seed.deserialize(U8Deserializer::<SerdeError>::new(b))
                    .map(Some)
                    .map_err(|e| e.at_index(i))
            }
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.bytes.len())
    }
}

/// Where a map's pairs come from.
enum Pairs<'de> {
    Map(std::slice::Iter<'de, (Term, Term)>),
    /// A keyword list or proplist; every element is a 2-tuple.
    List(std::slice::Iter<'de, Term>),
}

impl<'de> Iterator for Pairs<'de> {
    type Item = (&'de Term, &'de Term);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Pairs::Map(it) => it.next().map(|(k, v)| (k, v)),
            Pairs::List(it) => loop {
                if let Term::Tuple(t) = it.next()? {
                    if let [k, v] = t.as_slice() {
                        return Some((k, v));
                    }
                }
            },
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Pairs::Map(it) => it.size_hint(),
            Pairs::List(it) => it.size_hint(),
        }
    }
}

struct MapAccess<'a, 'de> {
    pairs: Pairs<'de>,
    value: Option<(&'de Term, &'de Term)>,
    parent: Deserializer<'a, 'de>,
    /// Leave out an Elixir struct's `__struct__` key.
    skip_struct_key: bool,
}

impl<'de> de::MapAccess<'de> for MapAccess<'_, 'de> {
    type Error = SerdeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        loop {
            let Some((key, value)) = self.pairs.next() else {
                return Ok(None);
            };
            if self.skip_struct_key && key.is_atom("__struct__") {
                continue;
            }
            self.value = Some((key, value));
            let de = Deserializer {
                term: key,
                ..self.parent
            };
            return seed.deserialize(de).map(Some);
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let Some((key, value)) = self.value.take() else {
            return Err(de::Error::custom("map value read before its key"));
        };
        let de = Deserializer {
            term: value,
            ..self.parent
        };
        seed.deserialize(de).map_err(|e| e.at_key(key))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.pairs.size_hint().0)
    }
}

/// An enum read from `tag` or `{tag, ...payload}`.
struct EnumAccess<'a, 'de> {
    de: Deserializer<'a, 'de>,
    tag_name: &'de str,
    payload: &'de [Term],
    /// `Result` read from `ok`/`error`: a bare tag means a `{}` payload.
    is_result: bool,
}

impl<'a, 'de> de::EnumAccess<'de> for EnumAccess<'a, 'de> {
    type Error = SerdeError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        let value = seed.deserialize(BorrowedStrDeserializer::<SerdeError>::new(self.tag_name))?;
        Ok((value, self))
    }
}

impl<'de> de::VariantAccess<'de> for EnumAccess<'_, 'de> {
    type Error = SerdeError;

    fn unit_variant(self) -> Result<()> {
        if self.payload.is_empty() {
            Ok(())
        } else {
            Err(self.de.mismatch(format!("the bare atom {}", self.tag_name)))
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        match self.payload {
            [value] => seed
                .deserialize(self.de.child(value)?)
                .map_err(|e| e.at_index(1)),
            [] if self.is_result => seed.deserialize(self.de.child(&EMPTY_TUPLE)?),
            _ => Err(self
                .de
                .mismatch(format!("a tuple {{{}, Value}}", self.tag_name))),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value> {
        let (elements, first) = match self.payload {
            p if p.len() == len => (p, 1),
            [Term::Tuple(inner)] if inner.len() == len => (inner.as_slice(), 0),
            _ => {
                return Err(SerdeError::new(SerdeErrorKind::InvalidLength {
                    expected: format!("a tuple {{{}, ...}} of {} elements", self.tag_name, len + 1),
                    found: self.payload.len() + 1,
                }));
            }
        };
        let mut access = self.de.seq(elements, first)?;
        let value = visitor.visit_seq(&mut access);
        if first == 0 {
            value.map_err(|e| e.at_index(1))
        } else {
            value
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.payload {
            [value] => {
                de::Deserializer::deserialize_struct(self.de.child(value)?, "", fields, visitor)
                    .map_err(|e| e.at_index(1))
            }
            _ => Err(self
                .de
                .mismatch(format!("a tuple {{{}, %{{...}}}}", self.tag_name))),
        }
    }
}
