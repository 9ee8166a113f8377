//! A `serde::Serializer` whose output is a [`Term`].

use ::serde::ser::{self, Serialize};

use super::config::{OptionRepr, SerdeConfig};
use super::error::{SerdeError, SerdeErrorKind};
use super::{ATOM_MARKER, TERM_MARKER, passthrough};
use crate::{Atom, Map, Term};

type Result<T> = std::result::Result<T, SerdeError>;

/// Serializes one value into a term; cheap to copy, as every nested value
/// gets its own.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Serializer<'c> {
    pub(crate) config: &'c SerdeConfig,
}

fn atom(name: &str) -> Result<Term> {
    Ok(Term::Atom(Atom::new(name)?))
}

fn float(x: f64) -> Result<Term> {
    Term::float(x).ok_or_else(|| SerdeError::new(SerdeErrorKind::NonFiniteFloat(x)))
}

impl<'c> Serializer<'c> {
    /// The tag atom of an enum variant, with `Result`'s `Ok`/`Err` as `ok`/`error`
    /// when so configured.
    fn variant_tag(&self, name: &str, variant: &str) -> Result<(Term, bool)> {
        if self.config.is_erlang_result(name, &["Ok", "Err"]) {
            match variant {
                "Ok" => return Ok((Term::atom("ok"), true)),
                "Err" => return Ok((Term::atom("error"), true)),
                _ => {}
            }
        }
        Ok((atom(variant)?, false))
    }
}

impl<'c> ser::Serializer for Serializer<'c> {
    type Ok = Term;
    type Error = SerdeError;
    type SerializeSeq = SeqBuilder<'c>;
    type SerializeTuple = SeqBuilder<'c>;
    type SerializeTupleStruct = SeqBuilder<'c>;
    type SerializeTupleVariant = SeqBuilder<'c>;
    type SerializeMap = MapBuilder<'c>;
    type SerializeStruct = StructBuilder<'c>;
    type SerializeStructVariant = StructBuilder<'c>;

    fn serialize_bool(self, v: bool) -> Result<Term> {
        Ok(Term::boolean(v))
    }

    fn serialize_i8(self, v: i8) -> Result<Term> {
        Ok(Term::Integer(v.into()))
    }

    fn serialize_i16(self, v: i16) -> Result<Term> {
        Ok(Term::Integer(v.into()))
    }

    fn serialize_i32(self, v: i32) -> Result<Term> {
        Ok(Term::Integer(v.into()))
    }

    fn serialize_i64(self, v: i64) -> Result<Term> {
        Ok(Term::Integer(v))
    }

    fn serialize_i128(self, v: i128) -> Result<Term> {
        Ok(Term::integer(v))
    }

    fn serialize_u8(self, v: u8) -> Result<Term> {
        Ok(Term::Integer(v.into()))
    }

    fn serialize_u16(self, v: u16) -> Result<Term> {
        Ok(Term::Integer(v.into()))
    }

    fn serialize_u32(self, v: u32) -> Result<Term> {
        Ok(Term::Integer(v.into()))
    }

    fn serialize_u64(self, v: u64) -> Result<Term> {
        Ok(Term::integer(v))
    }

    fn serialize_u128(self, v: u128) -> Result<Term> {
        Ok(Term::integer(v))
    }

    fn serialize_f32(self, v: f32) -> Result<Term> {
        float(f64::from(v))
    }

    fn serialize_f64(self, v: f64) -> Result<Term> {
        float(v)
    }

    fn serialize_char(self, v: char) -> Result<Term> {
        let mut buf = [0u8; 4];
        Ok(Term::binary(v.encode_utf8(&mut buf).as_bytes()))
    }

    fn serialize_str(self, v: &str) -> Result<Term> {
        Ok(Term::binary(v.as_bytes()))
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<Term> {
        Ok(Term::binary(v))
    }

    fn serialize_none(self) -> Result<Term> {
        Ok(Term::atom(self.config.option.none_atom()))
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<Term> {
        let inner = value.serialize(self)?;
        Ok(match self.config.option {
            OptionRepr::Tagged => Term::Tuple(vec![Term::atom("some"), inner]),
            OptionRepr::Nil | OptionRepr::Undefined => inner,
        })
    }

    fn serialize_unit(self) -> Result<Term> {
        Ok(Term::Tuple(Vec::new()))
    }

    fn serialize_unit_struct(self, name: &'static str) -> Result<Term> {
        atom(name)
    }

    fn serialize_unit_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Term> {
        Ok(self.variant_tag(name, variant)?.0)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Term> {
        if name == TERM_MARKER {
            return passthrough::capture(|| value.serialize(self));
        }
        if name == ATOM_MARKER {
            return match value.serialize(self)? {
                Term::Binary(b) => match std::str::from_utf8(&b) {
                    Ok(s) => atom(s),
                    Err(_) => Err(SerdeError::unsupported("an atom name that is not UTF-8")),
                },
                other => Ok(other),
            };
        }
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Term> {
        let (tag, is_result) = self.variant_tag(name, variant)?;
        let value = value.serialize(self).map_err(|e| e.at_index(1))?;
        if is_result && matches!(&value, Term::Tuple(t) if t.is_empty()) {
            return Ok(tag);
        }
        Ok(Term::Tuple(vec![tag, value]))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder<'c>> {
        Ok(SeqBuilder::new(self, len.unwrap_or(0), None, Kind::List))
    }

    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder<'c>> {
        Ok(SeqBuilder::new(self, len, None, Kind::Tuple))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqBuilder<'c>> {
        Ok(SeqBuilder::new(self, len, None, Kind::Tuple))
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<SeqBuilder<'c>> {
        let (tag, _) = self.variant_tag(name, variant)?;
        Ok(SeqBuilder::new(self, len + 1, Some(tag), Kind::Tuple))
    }

    fn serialize_map(self, len: Option<usize>) -> Result<MapBuilder<'c>> {
        Ok(MapBuilder {
            ser: self,
            pairs: Vec::with_capacity(len.unwrap_or(0).min(4096)),
            key: None,
        })
    }

    fn serialize_struct(self, name: &'static str, len: usize) -> Result<StructBuilder<'c>> {
        let mut pairs = Vec::with_capacity(len.min(4096) + 1);
        if let Some(module) = self.config.struct_module(name) {
            pairs.push((Term::atom("__struct__"), atom(module)?));
        }
        Ok(StructBuilder {
            ser: self,
            pairs,
            tag: None,
        })
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<StructBuilder<'c>> {
        let (tag, _) = self.variant_tag(name, variant)?;
        Ok(StructBuilder {
            ser: self,
            pairs: Vec::with_capacity(len.min(4096)),
            tag: Some(tag),
        })
    }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    List,
    Tuple,
}

/// Collects the elements of a list or tuple (a tuple variant's tag first).
#[derive(Debug)]
pub(crate) struct SeqBuilder<'c> {
    ser: Serializer<'c>,
    elements: Vec<Term>,
    kind: Kind,
}

impl<'c> SeqBuilder<'c> {
    fn new(ser: Serializer<'c>, len: usize, tag: Option<Term>, kind: Kind) -> SeqBuilder<'c> {
        let mut elements = Vec::with_capacity(len.min(4096));
        elements.extend(tag);
        SeqBuilder {
            ser,
            elements,
            kind,
        }
    }

    fn push<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        let i = self.elements.len();
        let term = value.serialize(self.ser).map_err(|e| e.at_index(i))?;
        self.elements.push(term);
        Ok(())
    }

    fn finish(self) -> Term {
        match self.kind {
            Kind::List => Term::List(self.elements),
            Kind::Tuple => Term::Tuple(self.elements),
        }
    }
}

/// The four serde sequence traits all push elements and finish the same way.
macro_rules! seq_builder_impl {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for SeqBuilder<'_> {
            type Ok = Term;
            type Error = SerdeError;
            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
                self.push(value)
            }
            fn end(self) -> Result<Term> {
                Ok(self.finish())
            }
        }
    )*};
}

seq_builder_impl!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// Collects the pairs of a map; keys may be any term.
#[derive(Debug)]
pub(crate) struct MapBuilder<'c> {
    ser: Serializer<'c>,
    pairs: Vec<(Term, Term)>,
    key: Option<Term>,
}

impl ser::SerializeMap for MapBuilder<'_> {
    type Ok = Term;
    type Error = SerdeError;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<()> {
        self.key = Some(key.serialize(self.ser)?);
        Ok(())
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        let Some(key) = self.key.take() else {
            return Err(ser::Error::custom("map value serialized without its key"));
        };
        let value = value.serialize(self.ser).map_err(|e| e.at_key(&key))?;
        self.pairs.push((key, value));
        Ok(())
    }

    fn end(self) -> Result<Term> {
        Ok(Term::Map(self.pairs.into_iter().collect::<Map>()))
    }
}

/// Collects a struct's fields as atom-keyed pairs; for a struct variant, the
/// tag it goes under.
#[derive(Debug)]
pub(crate) struct StructBuilder<'c> {
    ser: Serializer<'c>,
    pairs: Vec<(Term, Term)>,
    tag: Option<Term>,
}

impl StructBuilder<'_> {
    fn field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<()> {
        let value = value.serialize(self.ser).map_err(|e| e.at_field(key))?;
        self.pairs.push((atom(key)?, value));
        Ok(())
    }

    fn finish(self) -> Term {
        let map = Term::Map(self.pairs.into_iter().collect::<Map>());
        match self.tag {
            Some(tag) => Term::Tuple(vec![tag, map]),
            None => map,
        }
    }
}

impl ser::SerializeStruct for StructBuilder<'_> {
    type Ok = Term;
    type Error = SerdeError;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.field(key, value)
    }
    fn end(self) -> Result<Term> {
        Ok(self.finish())
    }
}

impl ser::SerializeStructVariant for StructBuilder<'_> {
    type Ok = Term;
    type Error = SerdeError;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.field(key, value).map_err(|e| e.at_index(1))
    }
    fn end(self) -> Result<Term> {
        Ok(self.finish())
    }
}
