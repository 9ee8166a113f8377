//! The serde bridge's error: what was expected, what term was found, and where.

use std::fmt::{self, Write as _};

use crate::{AtomTooLong, DecodeError, EncodeError, Term};

/// Why converting between a Rust value and an Erlang term failed, with the
/// place in the term where it happened.
///
/// `Display` reads like `.users[3].name: expected a string, found integer 42`.
/// The path follows the Erlang term: `.name` is the value under the atom key
/// `name` in a map (an Elixir struct field), `[3]` the element at index 3 of a
/// list or tuple (in a tagged tuple `{circle, R}`, `R` is `[1]`), and
/// `["k"]` / `[42]` the value under a binary or other key.
///
/// ```
/// use girder_term::{from_term, Term};
/// #[derive(serde::Deserialize, Debug)]
/// struct User { name: String }
///
/// let term = Term::map([(Term::atom("name"), Term::Integer(42))]);
/// let err = from_term::<User>(&term).unwrap_err();
/// assert_eq!(err.path(), ".name");
/// assert_eq!(err.to_string(), ".name: expected a string, found integer 42");
/// ```
pub struct SerdeError {
    inner: Box<Inner>,
}

struct Inner {
    kind: SerdeErrorKind,
    /// Path segments, innermost first (pushed while the error travels outwards).
    path: Vec<Segment>,
}

/// What went wrong, without the path. Matching on it is how code tells an
/// out-of-range integer from a missing field.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SerdeErrorKind {
    /// The term has the wrong type: `expected` says what the Rust side wanted,
    /// `found` is the term's type and a short rendering (`integer 42`,
    /// `atom nil`, `binary <<"hi">>`).
    InvalidType {
        /// What the Rust type accepts (`a string`, `u8`, `a tuple of 2 elements`).
        expected: String,
        /// The term that was there, abbreviated.
        found: String,
    },
    /// An integer that does not fit the Rust integer type (`300` for a `u8`).
    OutOfRange {
        /// The Rust type (`u8`, `i64`, `f32`, ...).
        target: &'static str,
        /// The value found.
        found: String,
    },
    /// A tuple or list with the wrong number of elements.
    InvalidLength {
        /// What was expected (`a tuple of 3 elements`).
        expected: String,
        /// The number of elements found.
        found: usize,
    },
    /// A struct field missing from the map (Elixir: a key missing from `%{}`).
    MissingField(&'static str),
    /// A key the struct does not have (only with `#[serde(deny_unknown_fields)]`).
    UnknownField {
        /// The key found.
        field: String,
        /// The fields the struct has.
        expected: &'static [&'static str],
    },
    /// A key given twice (a keyword list with a repeated key).
    DuplicateField(&'static str),
    /// An atom that names no variant of the enum.
    UnknownVariant {
        /// The atom (or binary) found.
        variant: String,
        /// The enum's variants.
        expected: &'static [&'static str],
    },
    /// An Elixir struct whose `__struct__` names another module than the Rust
    /// type's `Elixir.` name. Displayed as `expected struct %MyApp.User{},
    /// found struct %MyApp.Admin{}`.
    WrongStruct {
        /// The module the Rust type stands for (`Elixir.MyApp.User`).
        expected: String,
        /// The `__struct__` value: the module name if it is an atom
        /// (`Elixir.MyApp.Admin`), else the term in Erlang syntax.
        found: String,
    },
    /// NaN or an infinity: Erlang floats are finite.
    NonFiniteFloat(f64),
    /// An atom name over 255 characters (a field, variant or struct name, or
    /// an [`Atom`](crate::Atom) built from a string).
    AtomTooLong(AtomTooLong),
    /// A term that has no counterpart in serde's data model in this position
    /// (a bitstring, an improper list, or a pid, port, reference or fun
    /// outside a [`Term`] field).
    Unsupported(String),
    /// A message from a `Serialize`/`Deserialize` implementation.
    Custom(String),
    /// [`to_vec`](crate::to_vec) made a term the ETF encoder rejected.
    Encode(EncodeError),
    /// [`from_slice`](crate::from_slice) was given bytes that are not a valid
    /// encoded term (or exceed the decoder's default limits).
    Decode(DecodeError),
}

/// One step of an error's path.
#[derive(Clone)]
enum Segment {
    /// A value under an atom key that prints bare: `.name`.
    Field(String),
    /// An element of a list or tuple: `[3]`.
    Index(usize),
    /// A value under another key, rendered in Erlang syntax: `["k"]`, `[42]`.
    Key(String),
}

impl SerdeError {
    pub(crate) fn new(kind: SerdeErrorKind) -> SerdeError {
        SerdeError {
            inner: Box::new(Inner {
                kind,
                path: Vec::new(),
            }),
        }
    }

    /// A type mismatch between `expected` and the term found.
    pub(crate) fn mismatch(expected: impl Into<String>, found: &Term) -> SerdeError {
        SerdeError::new(SerdeErrorKind::InvalidType {
            expected: expected.into(),
            found: describe(found),
        })
    }

    pub(crate) fn out_of_range(target: &'static str, found: &Term) -> SerdeError {
        SerdeError::new(SerdeErrorKind::OutOfRange {
            target,
            found: short(found),
        })
    }

    pub(crate) fn unsupported(what: impl Into<String>) -> SerdeError {
        SerdeError::new(SerdeErrorKind::Unsupported(what.into()))
    }

    /// What went wrong.
    pub fn kind(&self) -> &SerdeErrorKind {
        &self.inner.kind
    }

    /// Where in the term it went wrong, as `.users[3].name`; empty at the top.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for seg in self.inner.path.iter().rev() {
            match seg {
                Segment::Field(name) => {
                    out.push('.');
                    out.push_str(name);
                }
                Segment::Index(i) => {
                    let _ = write!(out, "[{i}]");
                }
                Segment::Key(k) => {
                    let _ = write!(out, "[{k}]");
                }
            }
        }
        out
    }

    /// Adds the list/tuple index `i` as the next-outer step of the path.
    pub(crate) fn at_index(mut self, i: usize) -> SerdeError {
        self.inner.path.push(Segment::Index(i));
        self
    }

    /// Adds the map key `key` as the next-outer step of the path.
    pub(crate) fn at_key(mut self, key: &Term) -> SerdeError {
        let seg = match key {
            Term::Atom(a) if is_plain_name(a.as_str()) => Segment::Field(a.as_str().to_owned()),
            Term::Binary(b) => match std::str::from_utf8(b) {
                Ok(s) => Segment::Key(format!("{:?}", truncate_str(s, SHORT))),
                Err(_) => Segment::Key(short(key)),
            },
            other => Segment::Key(short(other)),
        };
        self.inner.path.push(seg);
        self
    }

    /// Adds a field name (a struct field being serialized) to the path.
    pub(crate) fn at_field(mut self, name: &str) -> SerdeError {
        let seg = if is_plain_name(name) {
            Segment::Field(name.to_owned())
        } else {
            Segment::Key(format!("{:?}", truncate_str(name, SHORT)))
        };
        self.inner.path.push(seg);
        self
    }
}

/// Names that read unambiguously after a `.` in a path.
fn is_plain_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= SHORT
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '@')
}

/// How many characters of a term an error shows.
const SHORT: usize = 48;

/// A `fmt::Write` that keeps the first `limit` characters and then refuses
/// more, so rendering a huge term for an error costs little.
struct Bounded {
    out: String,
    left: usize,
    truncated: bool,
}

impl fmt::Write for Bounded {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            if self.left == 0 {
                self.truncated = true;
                return Err(fmt::Error);
            }
            self.out.push(c);
            self.left -= 1;
        }
        Ok(())
    }
}

/// The term in Erlang syntax, cut at [`SHORT`] characters with `...`.
pub(crate) fn short(term: &Term) -> String {
    let mut w = Bounded {
        out: String::new(),
        left: SHORT,
        truncated: false,
    };
    let _ = write!(w, "{term}");
    if w.truncated {
        w.out.push_str("...");
    }
    w.out
}

fn truncate_str(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_owned(),
    }
}

/// `integer 42`, `atom nil`, `binary <<"hi">>`: the term's type and a short rendering.
pub(crate) fn describe(term: &Term) -> String {
    format!("{} {}", term.type_name(), short(term))
}

impl fmt::Display for SerdeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SerdeErrorKind::InvalidType { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            SerdeErrorKind::OutOfRange { target, found } => {
                write!(f, "integer {found} is out of range for {target}")
            }
            SerdeErrorKind::InvalidLength { expected, found } => {
                write!(f, "expected {expected}, found {found} elements")
            }
            SerdeErrorKind::MissingField(name) => write!(f, "missing field `{name}`"),
            SerdeErrorKind::UnknownField { field, expected } => {
                write!(f, "unknown field `{field}`, expected ")?;
                one_of(f, expected)
            }
            SerdeErrorKind::DuplicateField(name) => write!(f, "duplicate field `{name}`"),
            SerdeErrorKind::UnknownVariant { variant, expected } => {
                write!(f, "unknown variant `{variant}`, expected ")?;
                one_of(f, expected)
            }
            SerdeErrorKind::WrongStruct { expected, found } => {
                write!(
                    f,
                    "expected struct {}, found struct {}",
                    elixir_struct(expected),
                    elixir_struct(found)
                )
            }
            SerdeErrorKind::NonFiniteFloat(x) => {
                write!(f, "float {x} cannot be an Erlang term (floats are finite)")
            }
            SerdeErrorKind::AtomTooLong(e) => fmt::Display::fmt(e, f),
            SerdeErrorKind::Unsupported(what) => f.write_str(what),
            SerdeErrorKind::Custom(msg) => f.write_str(msg),
            SerdeErrorKind::Encode(e) => write!(f, "encoding the term: {e}"),
            SerdeErrorKind::Decode(e) => write!(f, "decoding the term: {e}"),
        }
    }
}

/// `%MyApp.User{}` for an Elixir module name, the atom in Erlang syntax otherwise.
fn elixir_struct(module: &str) -> String {
    match module.strip_prefix("Elixir.") {
        Some(name) if !name.is_empty() => format!("%{name}{{}}"),
        _ => match crate::Atom::new(module) {
            Ok(atom) => atom.to_string(),
            Err(_) => module.to_owned(),
        },
    }
}

fn one_of(f: &mut fmt::Formatter<'_>, names: &[&str]) -> fmt::Result {
    match names {
        [] => f.write_str("none"),
        [one] => write!(f, "`{one}`"),
        _ => {
            f.write_str("one of ")?;
            for (i, n) in names.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "`{n}`")?;
            }
            Ok(())
        }
    }
}

impl fmt::Display for SerdeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.inner.path.is_empty() {
            fmt::Display::fmt(&self.inner.kind, f)
        } else {
            write!(f, "{}: {}", self.path(), self.inner.kind)
        }
    }
}

impl fmt::Debug for SerdeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SerdeError")
            .field("kind", &self.inner.kind)
            .field("path", &self.path())
            .finish()
    }
}

impl std::error::Error for SerdeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.inner.kind {
            SerdeErrorKind::AtomTooLong(e) => Some(e),
            SerdeErrorKind::Encode(e) => Some(e),
            SerdeErrorKind::Decode(e) => Some(e),
            _ => None,
        }
    }
}

impl From<AtomTooLong> for SerdeError {
    fn from(e: AtomTooLong) -> SerdeError {
        SerdeError::new(SerdeErrorKind::AtomTooLong(e))
    }
}

impl From<EncodeError> for SerdeError {
    fn from(e: EncodeError) -> SerdeError {
        SerdeError::new(SerdeErrorKind::Encode(e))
    }
}

impl From<DecodeError> for SerdeError {
    fn from(e: DecodeError) -> SerdeError {
        SerdeError::new(SerdeErrorKind::Decode(e))
    }
}

impl ::serde::ser::Error for SerdeError {
    fn custom<T: fmt::Display>(msg: T) -> SerdeError {
        SerdeError::new(SerdeErrorKind::Custom(msg.to_string()))
    }
}

impl ::serde::de::Error for SerdeError {
    fn custom<T: fmt::Display>(msg: T) -> SerdeError {
        SerdeError::new(SerdeErrorKind::Custom(msg.to_string()))
    }

    fn invalid_type(unexp: ::serde::de::Unexpected<'_>, exp: &dyn ::serde::de::Expected) -> Self {
        SerdeError::new(SerdeErrorKind::InvalidType {
            expected: exp.to_string(),
            found: unexp.to_string(),
        })
    }

    fn invalid_length(len: usize, exp: &dyn ::serde::de::Expected) -> Self {
        SerdeError::new(SerdeErrorKind::InvalidLength {
            expected: exp.to_string(),
            found: len,
        })
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        SerdeError::new(SerdeErrorKind::UnknownVariant {
            variant: variant.to_owned(),
            expected,
        })
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        SerdeError::new(SerdeErrorKind::UnknownField {
            field: field.to_owned(),
            expected,
        })
    }

    fn missing_field(field: &'static str) -> Self {
        SerdeError::new(SerdeErrorKind::MissingField(field))
    }

    fn duplicate_field(field: &'static str) -> Self {
        SerdeError::new(SerdeErrorKind::DuplicateField(field))
    }
}
