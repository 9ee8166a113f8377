//! The serde bridge: Rust types ↔ Erlang terms, shaped the way Elixir and
//! Erlang code pattern-match them.
//!
//! [`to_term`] turns any `Serialize` value into a [`Term`]; [`from_term`]
//! reads any `Deserialize` type back out of one. [`to_vec`] and [`from_slice`]
//! go straight to and from the External Term Format bytes that
//! `:erlang.term_to_binary/1` and `:erlang.binary_to_term/1` use. The `_with`
//! variants take a [`SerdeConfig`] for the choices that differ between Elixir
//! and Erlang code (how `None` and `Result` look, which structs are Elixir
//! structs).
//!
//! The mapping, row by row, is in `mapping.md` (shown here and in the crate
//! docs).
#![doc = include_str!("mapping.md")]

mod config;
mod de;
mod error;
mod passthrough;
mod ser;
mod term_impl;

use ::serde::Serialize;
use ::serde::de::{Deserialize, DeserializeOwned};

pub use config::{OptionRepr, ResultRepr, SerdeConfig};
pub use error::{SerdeError, SerdeErrorKind};

#[allow(unused_imports)] // for the links in the docs above
use crate::Atom;
use crate::{Term, decode, encode_to};

/// The newtype-struct name a [`Term`] gives itself, so that this crate's
/// serializer and deserializer can pass it through whole.
const TERM_MARKER: &str = "\0girder_term::Term";

/// The newtype-struct name an [`Atom`] gives itself: atom here, string elsewhere.
const ATOM_MARKER: &str = "\0girder_term::Atom";

/// The term for `value`, with the default [`SerdeConfig`].
///
/// ```
/// use girder_term::{to_term, Term};
///
/// #[derive(serde::Serialize)]
/// struct User { name: String, age: u32, tags: Vec<String> }
///
/// let user = User { name: "ann".into(), age: 3, tags: vec!["admin".into()] };
/// let term = to_term(&user).unwrap();
/// // Elixir: %{name: "ann", age: 3, tags: ["admin"]}
/// assert_eq!(term.to_string(), r#"#{age => 3,name => <<"ann">>,tags => [<<"admin">>]}"#);
/// ```
pub fn to_term<T: Serialize + ?Sized>(value: &T) -> Result<Term, SerdeError> {
    to_term_with(value, &SerdeConfig::default())
}

/// The term for `value`, with the choices in `config`.
pub fn to_term_with<T: Serialize + ?Sized>(
    value: &T,
    config: &SerdeConfig,
) -> Result<Term, SerdeError> {
    value.serialize(ser::Serializer { config })
}

/// Reads a `T` out of `term`, with the default [`SerdeConfig`]. `T` may borrow
/// strings and bytes from the term (`&str`, `&[u8]`).
///
/// ```
/// use girder_term::{from_term, Term};
///
/// #[derive(serde::Deserialize, Debug, PartialEq)]
/// struct User { name: String, age: u32 }
///
/// // Elixir: %MyApp.User{name: "ann", age: 3}
/// let term = Term::map([
///     (Term::atom("__struct__"), Term::atom("Elixir.MyApp.User")),
///     (Term::atom("name"), Term::binary("ann")),
///     (Term::atom("age"), Term::Integer(3)),
/// ]);
/// let user: User = from_term(&term).unwrap();
/// assert_eq!(user, User { name: "ann".into(), age: 3 });
/// ```
pub fn from_term<'de, T: Deserialize<'de>>(term: &'de Term) -> Result<T, SerdeError> {
    from_term_with(term, &SerdeConfig::default())
}

/// Reads a `T` out of `term`, with the choices in `config`.
pub fn from_term_with<'de, T: Deserialize<'de>>(
    term: &'de Term,
    config: &SerdeConfig,
) -> Result<T, SerdeError> {
    T::deserialize(de::Deserializer::new(term, config))
}

/// `value` encoded as an Erlang term in the External Term Format (with the
/// version byte 131), ready for `:erlang.binary_to_term/1`: [`to_term`] then
/// [`encode`](crate::encode).
///
/// ```
/// use girder_term::to_vec;
/// // {ok, 1} as term_to_binary({ok, 1}) writes it
/// let bytes = to_vec(&Ok::<u8, ()>(1)).unwrap();
/// assert_eq!(bytes, [131, 104, 2, 119, 2, b'o', b'k', 97, 1]);
/// ```
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, SerdeError> {
    to_vec_with(value, &SerdeConfig::default())
}

/// [`to_vec`] with the choices in `config`.
pub fn to_vec_with<T: Serialize + ?Sized>(
    value: &T,
    config: &SerdeConfig,
) -> Result<Vec<u8>, SerdeError> {
    let mut out = Vec::new();
    to_writer_with(value, &mut out, config)?;
    Ok(out)
}

/// Appends `value`, encoded as by [`to_vec`], to `out`; on error `out` is
/// left as it was.
pub fn to_writer<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> Result<(), SerdeError> {
    to_writer_with(value, out, &SerdeConfig::default())
}

/// Appends `value`, encoded as by [`to_vec_with`], to `out`; on error `out`
/// is left as it was.
pub fn to_writer_with<T: Serialize + ?Sized>(
    value: &T,
    out: &mut Vec<u8>,
    config: &SerdeConfig,
) -> Result<(), SerdeError> {
    let term = to_term_with(value, config)?;
    encode_to(&term, out)?;
    Ok(())
}

/// Reads a `T` from a term in the External Term Format (what
/// `:erlang.term_to_binary/1` makes): [`decode`](crate::decode) with its
/// default limits, then [`from_term`].
///
/// ```
/// use girder_term::from_slice;
/// // term_to_binary(#{name => <<"ann">>})
/// let bytes = [131, 116, 0, 0, 0, 1, 119, 4, b'n', b'a', b'm', b'e', 109, 0, 0, 0, 3, b'a', b'n', b'n'];
/// #[derive(serde::Deserialize)]
/// struct User { name: String }
/// let user: User = from_slice(&bytes).unwrap();
/// assert_eq!(user.name, "ann");
/// ```
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, SerdeError> {
    from_slice_with(bytes, &SerdeConfig::default())
}

/// [`from_slice`] with the choices in `config`.
pub fn from_slice_with<T: DeserializeOwned>(
    bytes: &[u8],
    config: &SerdeConfig,
) -> Result<T, SerdeError> {
    let term = decode(bytes)?;
    from_term_with(&term, config)
}
