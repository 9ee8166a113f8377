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
//! # The mapping
//!
//! Each row: the serde type, the term written, how Elixir code sees it, and
//! what reading also accepts besides the term written.
//!
//! | Rust (serde data model) | Erlang term written | Elixir | Reading also accepts |
//! |---|---|---|---|
//! | `bool` | `true` / `false` | `true` / `false` | |
//! | `i8`–`i64`, `u8`–`u32`, `isize`, `usize` | integer | `42` | a big integer in range; out of range is an [`SerdeErrorKind::OutOfRange`] error |
//! | `u64`, `i128`, `u128` | integer (a big integer beyond `i64`) | `18446744073709551615` | |
//! | `f32`, `f64` | float; NaN and infinities are an error | `1.5` | an integer (converted to the nearest float) |
//! | `char` | one-character UTF-8 binary: `<<"é"/utf8>>` | `"é"` | a code point integer (`$é`, `?é`), a one-character atom |
//! | `String`, `&str` | UTF-8 binary: `<<"hi">>` | `"hi"` | an atom (`:hi`) other than `true`, `false` and the `None` atom; a charlist (`'hi'`) |
//! | bytes (`serde_bytes::ByteBuf`, `#[serde(with = "serde_bytes")]`) | binary: `<<1,2>>` | `<<1, 2>>` | a list of integers 0–255 |
//! | plain `Vec<u8>` (a seq of `u8`) | list of integers: `[1,2]` | `[1, 2]` | a binary |
//! | `Option::None` | `nil` ([`OptionRepr::Nil`], default); `undefined` ([`OptionRepr::Undefined`]); `none` ([`OptionRepr::Tagged`]) | `nil` | |
//! | `Some(v)` | `V` (Nil, Undefined); `{some, V}` (Tagged) | `v` | |
//! | `()` | the empty tuple `{}` | `{}` | `ok`, the `None` atom |
//! | unit struct `struct Ping;` | the atom of its name: `'Ping'` | `:Ping` | a binary of the name, `{}` |
//! | newtype struct `struct Id(u64);` | the inner value: `7` | `7` | |
//! | seq: `Vec<T>`, `HashSet<T>`, `VecDeque<T>`, … | proper list: `[1,2]` | `[1, 2]` | a tuple; a binary (as a list of bytes) |
//! | tuple `(A, B)`, tuple struct `struct P(A, B);` | tuple: `{1,<<"a">>}` | `{1, "a"}` | a list of that length |
//! | map: `HashMap<K, V>`, `BTreeMap<K, V>` | map; keys are terms too, so `String` keys are binaries: `#{<<"k">> => 1}` | `%{"k" => 1}` | a keyword list or proplist `[{K, V}]` |
//! | struct `struct User { name, age }` | map with atom keys: `#{age => 3,name => <<"x">>}` | `%{name: "x", age: 3}` | binary keys; a keyword list (`[name: "x", age: 3]`); a `__struct__` key is ignored |
//! | struct whose serde name starts with `Elixir.` (`#[serde(rename = "Elixir.MyApp.User")]`) or is configured with [`SerdeConfig::with_elixir_struct`] | the same map plus `'__struct__' => 'Elixir.MyApp.User'` | `%MyApp.User{name: "x", age: 3}` | without `__struct__`; with another module it is an [`SerdeErrorKind::WrongStruct`] error |
//! | unit variant `Shape::Empty` | atom: `'Empty'` | `:Empty` | a binary `"Empty"`, a 1-tuple `{'Empty'}` |
//! | newtype variant `Shape::Circle(1.5)` | `{'Circle',1.5}` | `{:Circle, 1.5}` | |
//! | tuple variant `Shape::Line(a, b)` | `{'Line',A,B}` | `{:Line, a, b}` | `{'Line',{A,B}}` |
//! | struct variant `Shape::Rect { w, h }` | `{'Rect',#{h => H,w => W}}` | `{:Rect, %{w: w, h: h}}` | binary keys, a keyword list |
//! | `Result<T, E>` ([`ResultRepr::OkError`], default) | `{ok, V}` / `{error, E}`; `Ok(())` is `ok`, `Err(())` is `error` | `{:ok, v}`, `:ok`, `{:error, e}` | `'Ok'`/`'Err'` tags |
//! | `Result<T, E>` ([`ResultRepr::Variant`]) | `{'Ok', V}` / `{'Err', E}` | `{:Ok, v}` | |
//! | [`Term`] | the term itself, untouched | any | any term |
//! | [`Atom`] | atom | `:ok` | a binary |
//!
//! Names are used as serde gives them: a variant `Circle` is the atom
//! `'Circle'` (Elixir `:Circle`, which is not the alias `Circle`). To get
//! `:circle`, say so with serde's attributes: `#[serde(rename_all =
//! "snake_case")]` on the enum, or `#[serde(rename = "circle")]` on the
//! variant. For Erlang records (`{user, Name, Age}`) use a tuple variant of an
//! enum, or a tuple whose first element is an [`Atom`].
//!
//! Types that read whatever is there (`deserialize_any`, as
//! `serde_json::Value` does, and serde's untagged and internally tagged enums
//! and `#[serde(flatten)]`) see: `true`/`false` as booleans; the `None` atom
//! (`nil` by default) as unit; other atoms as strings; integers as `i64`, big
//! ones as `u64`, `i128` or `u128` (beyond those an error); floats as `f64`;
//! UTF-8 binaries as strings and other binaries as bytes; lists and tuples as
//! sequences; maps as maps. Bitstrings, improper lists, pids, ports,
//! references and funs are an error there; read them into a [`Term`] field.
//! Because those paths see atoms as strings, an enum written as a tagged tuple
//! cannot be read through an untagged or internally tagged enum.
//!
//! Human-readable forms are used (`is_human_readable` is true), so types such
//! as IP addresses are written as strings, which suits Elixir code.
//!
//! Not every value round-trips: `Some(None)` reads back as `None` unless
//! [`OptionRepr::Tagged`] is used, and `Some(())` is `{}`.

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
