//! The `Term` model: one Rust value per Erlang data type.

use num_bigint::BigInt;
use num_traits::ToPrimitive;

use crate::{Atom, AtomTooLong, ExternalFun, ExternalPid, ExternalPort, ExternalRef, Map};

/// An Erlang term.
///
/// Every term has exactly one representation, so `==` is Erlang's exact
/// equality (`=:=`) and [`Ord`] is Erlang's term order
/// (number < atom < reference < fun < port < pid < tuple < map < nil < list < bitstring),
/// with an integer sorting just before a float of equal value:
///
/// * integers that fit in an `i64` are always [`Term::Integer`]; only larger
///   ones are [`Term::BigInt`] (the constructors and the decoder normalise);
/// * the empty list `[]` (`nil`) is `Term::List(vec![])`; a string that ETF
///   carries as `STRING_EXT` decodes to a list of small integers, as in Erlang;
/// * a bitstring whose length is a whole number of bytes is a [`Term::Binary`];
/// * floats are finite (Erlang has no NaN or infinity).
///
/// ```
/// use girder_term::Term;
/// let t = Term::tuple([Term::atom("ok"), Term::binary("hi")]);
/// assert_eq!(t.to_string(), r#"{ok,<<"hi">>}"#);
/// assert_eq!(t.as_tuple().unwrap()[0].as_atom(), Some("ok"));
/// ```
#[derive(Clone, Debug)]
pub enum Term {
    /// An atom. `true`/`false` are atoms, as are Elixir's `nil` and module names.
    Atom(Atom),
    /// An integer that fits in 64 bits.
    Integer(i64),
    /// An integer outside the `i64` range (never one that fits).
    BigInt(BigInt),
    /// A finite IEEE 754 double.
    Float(f64),
    /// A binary (`<<"hi">>`, Elixir strings).
    Binary(Vec<u8>),
    /// A bitstring whose last byte holds only `bits` (1–7) significant high bits.
    BitBinary {
        /// The bytes; the last one is partial.
        bytes: Vec<u8>,
        /// Significant bits in the last byte, 1 to 7.
        bits: u8,
    },
    /// A proper list; `List(vec![])` is `[]`.
    List(Vec<Term>),
    /// An improper list `[a, b | tail]`: at least one element, and a tail that
    /// is not a list.
    ImproperList {
        /// The elements before the `|`.
        elements: Vec<Term>,
        /// The tail after the `|`.
        tail: Box<Term>,
    },
    /// A tuple.
    Tuple(Vec<Term>),
    /// A map.
    Map(Map),
    /// A pid.
    Pid(ExternalPid),
    /// A port.
    Port(ExternalPort),
    /// A reference.
    Reference(ExternalRef),
    /// A fun.
    Fun(ExternalFun),
}

impl Term {
    /// An atom term. Panics if the name is longer than 255 characters; use
    /// [`Term::try_atom`] for names that come from input.
    #[track_caller]
    pub fn atom(name: &str) -> Term {
        match Atom::new(name) {
            Ok(atom) => Term::Atom(atom),
            Err(e) => panic!("Term::atom: {e}"),
        }
    }

    /// An atom term, or an error if the name is too long.
    pub fn try_atom(name: &str) -> Result<Term, AtomTooLong> {
        Atom::new(name).map(Term::Atom)
    }

    /// The atom `true` or `false`.
    pub fn boolean(value: bool) -> Term {
        Term::atom(if value { "true" } else { "false" })
    }

    /// An integer term from anything that converts to a `BigInt` (every Rust
    /// integer type), normalised to [`Term::Integer`] when it fits.
    pub fn integer(value: impl Into<BigInt>) -> Term {
        let big: BigInt = value.into();
        match big.to_i64() {
            Some(small) => Term::Integer(small),
            None => Term::BigInt(big),
        }
    }

    /// A float term, or `None` for NaN and infinities, which Erlang cannot hold.
    pub fn float(value: f64) -> Option<Term> {
        value.is_finite().then_some(Term::Float(value))
    }

    /// A binary term.
    pub fn binary(bytes: impl Into<Vec<u8>>) -> Term {
        Term::Binary(bytes.into())
    }

    /// A bitstring of `bits_in_last` significant high bits in its last byte
    /// (0 or 8 means a whole byte, giving a [`Term::Binary`]). The unused low
    /// bits of the last byte are cleared. `None` if `bits_in_last > 8` or the
    /// bytes are empty while bits are asked for.
    pub fn bitstring(mut bytes: Vec<u8>, bits_in_last: u8) -> Option<Term> {
        match bits_in_last {
            0 | 8 => Some(Term::Binary(bytes)),
            1..=7 => {
                let last = bytes.last_mut()?;
                *last &= 0xFFu8 << (8 - bits_in_last);
                Some(Term::BitBinary {
                    bytes,
                    bits: bits_in_last,
                })
            }
            _ => None,
        }
    }

    /// A tuple term.
    pub fn tuple(elements: impl IntoIterator<Item = Term>) -> Term {
        Term::Tuple(elements.into_iter().collect())
    }

    /// A proper list term.
    pub fn list(elements: impl IntoIterator<Item = Term>) -> Term {
        Term::List(elements.into_iter().collect())
    }

    /// `[]`, the empty list (Erlang's `nil`; not Elixir's `nil`, which is an atom).
    pub fn nil() -> Term {
        Term::List(Vec::new())
    }

    /// A list with a tail: `[e1, e2 | tail]`. A proper list results when
    /// `tail` is a proper list (its elements are appended); a list with an
    /// improper tail is flattened likewise. With no elements, the tail itself.
    pub fn improper_list(elements: impl IntoIterator<Item = Term>, tail: Term) -> Term {
        let mut elements: Vec<Term> = elements.into_iter().collect();
        match tail {
            Term::List(rest) => {
                elements.extend(rest);
                Term::List(elements)
            }
            Term::ImproperList {
                elements: rest,
                tail,
            } => {
                elements.extend(rest);
                Term::ImproperList { elements, tail }
            }
            tail if elements.is_empty() => tail,
            tail => Term::ImproperList {
                elements,
                tail: Box::new(tail),
            },
        }
    }

    /// A list of the characters of `s` as integers, as Erlang's `"abc"` is
    /// (a charlist in Elixir, `'abc'`).
    pub fn charlist(s: &str) -> Term {
        Term::List(s.chars().map(|c| Term::Integer(c as i64)).collect())
    }

    /// A map term from key/value pairs; a later duplicate key wins.
    pub fn map(pairs: impl IntoIterator<Item = (Term, Term)>) -> Term {
        Term::Map(pairs.into_iter().collect())
    }

    /// The atom's name, if this is an atom.
    pub fn as_atom(&self) -> Option<&str> {
        match self {
            Term::Atom(a) => Some(a.as_str()),
            _ => None,
        }
    }

    /// True if this is the atom `name`.
    pub fn is_atom(&self, name: &str) -> bool {
        self.as_atom() == Some(name)
    }

    /// The boolean, if this is `true` or `false`.
    pub fn as_bool(&self) -> Option<bool> {
        match self.as_atom()? {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    /// The integer, if this is an integer that fits in an `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Term::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// The integer as a `BigInt`, if this is any integer.
    pub fn as_bigint(&self) -> Option<BigInt> {
        match self {
            Term::Integer(i) => Some(BigInt::from(*i)),
            Term::BigInt(b) => Some(b.clone()),
            _ => None,
        }
    }

    /// The float, if this is a float.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Term::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The bytes, if this is a binary (not a bitstring with a partial byte).
    pub fn as_binary(&self) -> Option<&[u8]> {
        match self {
            Term::Binary(b) => Some(b),
            _ => None,
        }
    }

    /// The text, if this is a binary holding valid UTF-8 (an Elixir string).
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(self.as_binary()?).ok()
    }

    /// The elements, if this is a tuple.
    pub fn as_tuple(&self) -> Option<&[Term]> {
        match self {
            Term::Tuple(t) => Some(t),
            _ => None,
        }
    }

    /// The elements, if this is a proper list (`[]` included).
    pub fn as_list(&self) -> Option<&[Term]> {
        match self {
            Term::List(l) => Some(l),
            _ => None,
        }
    }

    /// The map, if this is a map.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Term::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The pid, if this is a pid.
    pub fn as_pid(&self) -> Option<&ExternalPid> {
        match self {
            Term::Pid(p) => Some(p),
            _ => None,
        }
    }

    /// The reference, if this is a reference.
    pub fn as_reference(&self) -> Option<&ExternalRef> {
        match self {
            Term::Reference(r) => Some(r),
            _ => None,
        }
    }

    /// True for `[]`.
    pub fn is_nil(&self) -> bool {
        matches!(self, Term::List(l) if l.is_empty())
    }

    /// The elements of a tuple whose first element is the atom `tag` and that
    /// has `arity` elements in all: `{tag, ...}` as Erlang code matches it.
    ///
    /// ```
    /// use girder_term::Term;
    /// let t = Term::tuple([Term::atom("ok"), Term::Integer(1)]);
    /// assert_eq!(t.as_tagged("ok", 2).unwrap()[1], Term::Integer(1));
    /// assert!(t.as_tagged("error", 2).is_none());
    /// ```
    pub fn as_tagged(&self, tag: &str, arity: usize) -> Option<&[Term]> {
        let t = self.as_tuple()?;
        (t.len() == arity && t.first()?.is_atom(tag)).then_some(t)
    }

    /// The name of this term's type as Erlang's guards name them
    /// (`atom`, `integer`, `float`, `binary`, `bitstring`, `list`, `tuple`,
    /// `map`, `pid`, `port`, `reference`, `function`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Term::Atom(_) => "atom",
            Term::Integer(_) | Term::BigInt(_) => "integer",
            Term::Float(_) => "float",
            Term::Binary(_) => "binary",
            Term::BitBinary { .. } => "bitstring",
            Term::List(_) | Term::ImproperList { .. } => "list",
            Term::Tuple(_) => "tuple",
            Term::Map(_) => "map",
            Term::Pid(_) => "pid",
            Term::Port(_) => "port",
            Term::Reference(_) => "reference",
            Term::Fun(_) => "function",
        }
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Term {
            fn from(value: $t) -> Term {
                Term::Integer(i64::from(value))
            }
        }
    )*};
}
from_int!(i8, i16, i32, i64, u8, u16, u32);

macro_rules! from_wide_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Term {
            fn from(value: $t) -> Term {
                Term::integer(value)
            }
        }
    )*};
}
from_wide_int!(u64, i128, u128, usize, isize, BigInt);

impl From<bool> for Term {
    fn from(value: bool) -> Term {
        Term::boolean(value)
    }
}

impl From<Atom> for Term {
    fn from(atom: Atom) -> Term {
        Term::Atom(atom)
    }
}

/// A `&str` becomes a UTF-8 binary, as Elixir strings are.
impl From<&str> for Term {
    fn from(s: &str) -> Term {
        Term::Binary(s.as_bytes().to_vec())
    }
}

/// A `String` becomes a UTF-8 binary, as Elixir strings are.
impl From<String> for Term {
    fn from(s: String) -> Term {
        Term::Binary(s.into_bytes())
    }
}

impl From<Vec<Term>> for Term {
    fn from(elements: Vec<Term>) -> Term {
        Term::List(elements)
    }
}

impl From<Map> for Term {
    fn from(map: Map) -> Term {
        Term::Map(map)
    }
}

impl From<ExternalPid> for Term {
    fn from(pid: ExternalPid) -> Term {
        Term::Pid(pid)
    }
}

impl From<ExternalRef> for Term {
    fn from(r: ExternalRef) -> Term {
        Term::Reference(r)
    }
}

impl From<ExternalPort> for Term {
    fn from(p: ExternalPort) -> Term {
        Term::Port(p)
    }
}

impl From<ExternalFun> for Term {
    fn from(f: ExternalFun) -> Term {
        Term::Fun(f)
    }
}
