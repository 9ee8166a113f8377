//! Erlang terms: build them, print them in Erlang syntax, turn Rust types into
//! the bytes of `:erlang.term_to_binary/1` and back, and see what hostile
//! input gets.
//!
//! ```text
//! cargo run -p girder --example terms
//! ```
#![forbid(unsafe_code)]

use girder::term::{self, Limits, Term, term};
use serde::{Deserialize, Serialize};

/// An Elixir `%{id: 7, name: "ann", tags: ["admin"], manager: nil}` on the wire.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct User {
    id: u64,
    name: String,
    tags: Vec<String>,
    manager: Option<u64>,
}

/// `{:found, user}` or `:not_found`, as Elixir code would match them.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Lookup {
    Found(User),
    NotFound,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Terms by hand, and with the `term!` macro.
    let call = term!({request, (Term::atom("$gen_call")), [1, 2, -3], "hi", #{retries => 3}});
    println!("a term:        {call}");
    let reply = Term::tuple([Term::atom("ok"), Term::binary("done")]);
    if let Some([_, payload]) = reply.as_tagged("ok", 2) {
        println!("matched:       {{ok, Payload}} with Payload = {payload}");
    }

    // Rust types through serde, straight to External Term Format bytes.
    let user = User {
        id: 7,
        name: "ann".into(),
        tags: vec!["admin".into()],
        manager: None,
    };
    let bytes = term::to_vec(&Lookup::Found(user))?;
    println!(
        "ETF bytes:     {} bytes, starting {:?}",
        bytes.len(),
        &bytes[..8]
    );
    println!("Erlang sees:   {}", term::decode(&bytes)?);
    let back: Lookup = term::from_slice(&bytes)?;
    println!("back in Rust:  {back:?}");
    println!("a unit variant: {}", term::to_term(&Lookup::NotFound)?);

    // Hostile input: a list that claims 4 billion elements in 10 bytes, and
    // a term nested deeper than the limit. Each is a typed error with the
    // byte offset, decided before anything is allocated.
    let liar = [131, 108, 0xFF, 0xFF, 0xFF, 0xFF, 106, 106, 106, 106];
    println!("lying length:  {}", term::decode(&liar).unwrap_err());
    let mut deep = vec![131];
    deep.extend(std::iter::repeat_n([104u8, 1], 10_000).flatten());
    deep.push(106);
    let limits = Limits::default().max_depth(100);
    println!(
        "too deep:      {}",
        term::decode_with(&deep, &limits).unwrap_err()
    );
    Ok(())
}
