//! Erlang terms and the External Term Format (ETF).
//!
//! Everything that crosses a node boundary between Girder and BEAM nodes is an
//! Erlang term. This crate holds the [`Term`] model — one Rust value per Erlang
//! data type, with Erlang's exact equality (`=:=`) and term order — the ETF
//! codec with hard limits for hostile input, and the serde bridge between
//! Rust types and terms. It depends on no part of the runtime.
//!
//! ```
//! use girder_term::{Term, term};
//!
//! let reply = Term::tuple([Term::atom("ok"), Term::binary("hi")]);
//! assert_eq!(reply, term!({ok, "hi"}));
//! assert_eq!(reply.to_string(), r#"{ok,<<"hi">>}"#);
//! if let Some([_, payload]) = reply.as_tagged("ok", 2) {
//!     assert_eq!(payload.as_str(), Some("hi"));
//! }
//! ```
//!
//! # The External Term Format
//!
//! [`encode`] and [`decode`] turn a [`Term`] into the bytes of
//! `erlang:term_to_binary/1` and back (`binary_to_term/2`). The decoder is
//! safe on input from any peer: every length is checked against the input
//! and the [`Limits`] before anything is allocated, nesting is bounded, and
//! every failure is a typed [`DecodeError`] with its byte offset.
//! [`decode_dist_header`] and [`decode_dist_term`] read the messages of the
//! distribution protocol.
//!
//! ```
//! use girder_term::{decode, encode, Term};
//!
//! let bytes = encode(&Term::tuple([Term::atom("ok"), Term::Integer(1)])).unwrap();
//! assert_eq!(bytes, [131, 104, 2, 119, 2, b'o', b'k', 97, 1]);
//! assert_eq!(decode(&bytes).unwrap().to_string(), "{ok,1}");
//! ```
//!
//! # Rust types as terms
//!
//! With serde, Rust types become the terms Elixir and Erlang code match on: a
//! struct is a map with atom keys, `None` is `nil`, an enum variant is an atom
//! or a tagged tuple, `Result` is `{ok, V}` / `{error, E}`. [`to_vec`] and
//! [`from_slice`] go straight to and from the bytes of
//! `:erlang.term_to_binary/1`; [`to_term`] and [`from_term`] stop at [`Term`].
//!
//! ```
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize, Debug, PartialEq)]
//! struct User { name: String, age: u32, email: Option<String> }
//!
//! let user = User { name: "ann".into(), age: 3, email: None };
//! let bytes = girder_term::to_vec(&user).unwrap();
//! // What :erlang.binary_to_term(bytes) gives; Elixir: %{name: "ann", age: 3, email: nil}
//! let term = girder_term::decode(&bytes).unwrap();
//! assert_eq!(term.to_string(), r#"#{age => 3,email => nil,name => <<"ann">>}"#);
//! let back: User = girder_term::from_slice(&bytes).unwrap();
//! assert_eq!(back, user);
//! ```
#![doc = include_str!("serde/mapping.md")]
#![forbid(unsafe_code)]

mod atom;
mod codec;
mod display;
mod ids;
mod macros;
mod map;
mod order;
mod serde;
mod term;

pub use atom::{Atom, AtomTooLong, MAX_ATOM_CHARS};
pub use codec::{
    ATOM_CACHE_SIZE, AtomCache, DEFAULT_MAX_ATOMS, DEFAULT_MAX_BIGINT_BYTES,
    DEFAULT_MAX_DECOMPRESSED_BYTES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_HEAP_BYTES,
    DEFAULT_MAX_INPUT_BYTES, DEFAULT_MAX_TERMS, DecodeError, DecodeErrorKind, DistHeader,
    DistHeaderKind, EncodeError, Limit, Limits, VERSION_BYTE, decode, decode_dist_header,
    decode_dist_term, decode_with, decode_without_version, encode, encode_to,
    encode_without_version,
};
pub use ids::{Closure, ExternalFun, ExternalPid, ExternalPort, ExternalRef};
#[doc(hidden)]
pub use macros::__macro_support;
pub use map::Map;
pub use serde::{
    OptionRepr, ResultRepr, SerdeConfig, SerdeError, SerdeErrorKind, from_slice, from_slice_with,
    from_term, from_term_with, to_term, to_term_with, to_vec, to_vec_with, to_writer,
    to_writer_with,
};
pub use term::Term;
