//! The serde bridge: every row of the mapping table in both directions (exact
//! terms), the configurations, Elixir structs, enums, nested containers,
//! errors with their paths, `Term` pass-through, property tests of round
//! trips, and a live check against `erl` and `elixir`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Debug;

use girder_term::{
    Atom, ExternalPid, ExternalRef, OptionRepr, ResultRepr, SerdeConfig, SerdeErrorKind, Term,
    decode, encode, from_slice, from_term, from_term_with, to_term, to_term_with, to_vec,
    to_vec_with,
};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------- helpers

fn a(name: &str) -> Term {
    Term::atom(name)
}

fn b(s: &str) -> Term {
    Term::binary(s)
}

fn i(v: i64) -> Term {
    Term::Integer(v)
}

fn tuple<const N: usize>(elements: [Term; N]) -> Term {
    Term::tuple(elements)
}

fn list<const N: usize>(elements: [Term; N]) -> Term {
    Term::list(elements)
}

fn map<const N: usize>(pairs: [(Term, Term); N]) -> Term {
    Term::map(pairs)
}

/// `value` is written as exactly `term`, and `term` reads back as `value`.
#[track_caller]
fn both_ways<T>(value: T, term: Term)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    both_ways_with(value, term, &SerdeConfig::default());
}

#[track_caller]
fn both_ways_with<T>(value: T, term: Term, config: &SerdeConfig)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let written = to_term_with(&value, config).expect("to_term");
    assert_eq!(
        written, term,
        "writing {value:?}: got {written}, want {term}"
    );
    let read: T = from_term_with(&term, config).expect("from_term");
    assert_eq!(read, value, "reading {term}");
}

/// `term` reads as `value` (a form accepted besides the one written).
#[track_caller]
fn reads_as<T>(term: Term, value: T)
where
    T: DeserializeOwned + PartialEq + Debug,
{
    match from_term::<T>(&term) {
        Ok(read) => assert_eq!(read, value, "reading {term}"),
        Err(e) => panic!("reading {term}: {e}"),
    }
}

/// Reading `term` as `T` fails with this message.
#[track_caller]
fn read_error<T: DeserializeOwned + Debug>(term: &Term) -> girder_term::SerdeError {
    match from_term::<T>(term) {
        Ok(v) => panic!("reading {term} gave {v:?}, want an error"),
        Err(e) => e,
    }
}

// ---------------------------------------------------------------- scalars

#[test]
fn booleans_are_atoms() {
    both_ways(true, a("true"));
    both_ways(false, a("false"));
    assert_eq!(
        read_error::<bool>(&i(1)).to_string(),
        "expected a boolean (true or false), found integer 1"
    );
}

#[test]
fn integers_of_every_width() {
    both_ways(-128i8, i(-128));
    both_ways(i16::MIN, i(i16::MIN.into()));
    both_ways(i32::MAX, i(i32::MAX.into()));
    both_ways(i64::MIN, i(i64::MIN));
    both_ways(i64::MAX, i(i64::MAX));
    both_ways(255u8, i(255));
    both_ways(u16::MAX, i(65535));
    both_ways(u32::MAX, i(u32::MAX.into()));
    both_ways(7usize, i(7));
    both_ways(-7isize, i(-7));
    // Beyond i64: big integers.
    both_ways(u64::MAX, Term::integer(u64::MAX));
    assert!(matches!(to_term(&u64::MAX).unwrap(), Term::BigInt(_)));
    both_ways(i64::MAX as u64, i(i64::MAX));
    both_ways(i128::MIN, Term::integer(i128::MIN));
    both_ways(u128::MAX, Term::integer(u128::MAX));
    both_ways(5i128, i(5));
    both_ways(5u128, i(5));
    // A big integer reads into a narrower type when in range.
    reads_as::<u64>(Term::integer(u64::MAX), u64::MAX);
    reads_as::<i128>(Term::integer(u64::MAX), i128::from(u64::MAX));
}

#[test]
fn integers_out_of_range_are_errors() {
    let e = read_error::<u8>(&i(300));
    assert_eq!(
        e.kind(),
        &SerdeErrorKind::OutOfRange {
            target: "u8",
            found: "300".into()
        }
    );
    assert_eq!(e.to_string(), "integer 300 is out of range for u8");
    assert_eq!(
        read_error::<u32>(&i(-1)).to_string(),
        "integer -1 is out of range for u32"
    );
    assert_eq!(
        read_error::<i64>(&Term::integer(u64::MAX)).to_string(),
        "integer 18446744073709551615 is out of range for i64"
    );
    let huge = Term::integer(u128::MAX);
    let huge = Term::integer(huge.as_bigint().unwrap() * 4);
    assert!(matches!(
        read_error::<u128>(&huge).kind(),
        SerdeErrorKind::OutOfRange { target: "u128", .. }
    ));
    assert_eq!(
        read_error::<i32>(&b("1")).to_string(),
        r#"expected an integer (i32), found binary <<"1">>"#
    );
}

#[test]
fn floats() {
    both_ways(1.5f64, Term::Float(1.5));
    both_ways(-0.25f32, Term::Float(-0.25));
    both_ways(f64::MAX, Term::Float(f64::MAX));
    // Integers read as floats.
    reads_as::<f64>(i(3), 3.0);
    reads_as::<f32>(i(-2), -2.0);
    // Erlang floats are finite.
    for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let e = to_term(&x).unwrap_err();
        assert!(matches!(e.kind(), SerdeErrorKind::NonFiniteFloat(_)), "{e}");
    }
    assert!(to_term(&f32::NAN).is_err());
    // Too big for an f32.
    let e = read_error::<f32>(&Term::Float(1e300));
    assert!(
        matches!(e.kind(), SerdeErrorKind::OutOfRange { target: "f32", .. }),
        "{e}"
    );
    assert_eq!(
        read_error::<f64>(&a("x")).to_string(),
        "expected a float (f64), found atom x"
    );
}

#[test]
fn chars_are_one_character_binaries() {
    both_ways('a', b("a"));
    both_ways('é', b("é"));
    both_ways('🦀', b("🦀"));
    // Also a code point ($a in Erlang, ?a in Elixir) or a one-character atom.
    reads_as::<char>(i(97), 'a');
    reads_as::<char>(i(0x1F980), '🦀');
    reads_as::<char>(a("z"), 'z');
    assert!(
        read_error::<char>(&b("ab"))
            .to_string()
            .starts_with("expected a character")
    );
    assert!(matches!(
        read_error::<char>(&i(0xD800)).kind(),
        SerdeErrorKind::OutOfRange { target: "char", .. }
    ));
}

#[test]
fn strings_are_utf8_binaries() {
    both_ways(String::from("hi"), b("hi"));
    both_ways(String::new(), Term::binary(""));
    both_ways(String::from("Grüße, 世界"), b("Grüße, 世界"));
    assert_eq!(to_term("borrowed").unwrap(), b("borrowed"));
    // &str borrows from the term.
    let term = b("zero-copy");
    let s: &str = from_term(&term).unwrap();
    assert_eq!(s, "zero-copy");
    // Atoms (Elixir :hi) and charlists ('hi') read as strings.
    reads_as(a("hi"), String::from("hi"));
    reads_as(Term::charlist("héllo"), String::from("héllo"));
    // ...but not true, false or nil: those are not text.
    for atom in ["nil", "true", "false"] {
        assert_eq!(
            read_error::<String>(&a(atom)).to_string(),
            format!("expected a string, found atom {atom}")
        );
    }
    assert_eq!(
        read_error::<String>(&Term::binary(vec![0xFF, 0x00])).to_string(),
        "expected a string (UTF-8 binary), found binary <<255,0>>"
    );
    assert_eq!(
        read_error::<String>(&i(1)).to_string(),
        "expected a string, found integer 1"
    );
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Blob {
    #[serde(with = "serde_bytes")]
    data: Vec<u8>,
    plain: Vec<u8>,
}

#[test]
fn bytes_are_binaries_and_plain_vec_u8_a_list() {
    both_ways(
        serde_bytes::ByteBuf::from(vec![1, 2, 255]),
        Term::binary(vec![1, 2, 255]),
    );
    both_ways(
        Blob {
            data: vec![0, 1],
            plain: vec![7, 8],
        },
        map([
            (a("data"), Term::binary(vec![0, 1])),
            (a("plain"), list([i(7), i(8)])),
        ]),
    );
    // Either form reads as either.
    reads_as(
        map([
            (a("data"), list([i(3), i(4)])),
            (a("plain"), Term::binary(vec![5, 6])),
        ]),
        Blob {
            data: vec![3, 4],
            plain: vec![5, 6],
        },
    );
    let term = Term::binary(vec![9, 9]);
    let borrowed: &[u8] = from_term::<&serde_bytes::Bytes>(&term).unwrap();
    assert_eq!(borrowed, [9, 9]);
    let e = read_error::<serde_bytes::ByteBuf>(&list([i(256)]));
    assert_eq!(e.to_string(), "expected a binary, found list [256]");
    let e = read_error::<Vec<u8>>(&list([i(1), i(-1)]));
    assert_eq!(e.to_string(), "[1]: integer -1 is out of range for u8");
}

// ---------------------------------------------------------------- options and unit

#[test]
fn option_none_is_nil_by_default() {
    both_ways(None::<u8>, a("nil"));
    both_ways(Some(5u8), i(5));
    both_ways(Some(String::from("x")), b("x"));
    // `undefined` is just an atom in the default (Elixir) configuration.
    assert!(from_term::<Option<u8>>(&a("undefined")).is_err());
}

#[test]
fn option_configurations() {
    let undefined = SerdeConfig::new().with_option(OptionRepr::Undefined);
    both_ways_with(None::<u8>, a("undefined"), &undefined);
    both_ways_with(Some(1u8), i(1), &undefined);

    let tagged = SerdeConfig::new().with_option(OptionRepr::Tagged);
    both_ways_with(None::<u8>, a("none"), &tagged);
    both_ways_with(Some(1u8), tuple([a("some"), i(1)]), &tagged);
    // Only the tagged form keeps Some(None) apart from None.
    both_ways_with(Some(None::<u8>), tuple([a("some"), a("none")]), &tagged);
    assert_eq!(to_term(&Some(None::<u8>)).unwrap(), a("nil"));
    assert_eq!(from_term::<Option<Option<u8>>>(&a("nil")).unwrap(), None);
    let e = from_term_with::<Option<u8>>(&i(1), &tagged).unwrap_err();
    assert_eq!(
        e.to_string(),
        "expected none or {some, Value}, found integer 1"
    );
    let e = from_term_with::<Option<u8>>(&tuple([a("some"), b("x")]), &tagged).unwrap_err();
    assert_eq!(e.path(), "[1]");
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Profile {
    name: String,
    nickname: Option<String>,
}

#[test]
fn missing_option_field_reads_as_none() {
    reads_as(
        map([(a("name"), b("ann"))]),
        Profile {
            name: "ann".into(),
            nickname: None,
        },
    );
    both_ways(
        Profile {
            name: "ann".into(),
            nickname: None,
        },
        map([(a("name"), b("ann")), (a("nickname"), a("nil"))]),
    );
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Ping;

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename = "pong")]
struct Pong;

#[test]
fn unit_is_the_empty_tuple_and_unit_structs_atoms() {
    both_ways((), tuple([]));
    reads_as(a("ok"), ());
    reads_as(a("nil"), ());
    assert!(from_term::<()>(&a("error")).is_err());
    both_ways(Ping, a("Ping"));
    both_ways(Pong, a("pong"));
    reads_as(b("Ping"), Ping);
    assert_eq!(
        read_error::<Ping>(&a("Pang")).to_string(),
        "expected the atom Ping, found atom 'Pang'"
    );
    // Some(()) is {} and reads back.
    both_ways(Some(()), tuple([]));
}

// ---------------------------------------------------------------- containers

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct UserId(u64);

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Point(i32, i32);

#[test]
fn newtypes_are_transparent_and_tuple_structs_tuples() {
    both_ways(UserId(7), i(7));
    both_ways(Point(1, -2), tuple([i(1), i(-2)]));
    reads_as(list([i(3), i(4)]), Point(3, 4));
    let e = read_error::<Point>(&tuple([i(1)]));
    assert_eq!(
        e.to_string(),
        "expected a tuple of 2 elements, found 1 elements"
    );
    assert!(matches!(
        e.kind(),
        SerdeErrorKind::InvalidLength { found: 1, .. }
    ));
}

#[test]
fn sequences_are_lists() {
    both_ways(vec![1u8, 2, 3], list([i(1), i(2), i(3)]));
    both_ways(Vec::<String>::new(), Term::nil());
    both_ways(BTreeSet::from([b'z' as u32, 1]), list([i(1), i(122)]));
    both_ways([true, false], tuple([a("true"), a("false")]));
    // A tuple reads as a sequence too, and a binary as a list of bytes.
    reads_as(tuple([i(1), i(2)]), vec![1i32, 2]);
    reads_as(Term::binary(vec![1, 2]), vec![1u16, 2]);
    let e = read_error::<Vec<u8>>(&Term::improper_list([i(1)], i(2)));
    assert_eq!(e.to_string(), "expected a list, found improper list [1|2]");
    let e = read_error::<Vec<u8>>(&Term::bitstring(vec![0xF0], 4).unwrap());
    assert!(e.to_string().contains("bitstring"), "{e}");
}

#[test]
fn tuples_are_tuples() {
    both_ways((1u8, String::from("a")), tuple([i(1), b("a")]));
    both_ways(
        (a("ok"), 1u8, (2u8, 3u8)),
        tuple([a("ok"), i(1), tuple([i(2), i(3)])]),
    );
    reads_as(list([i(1), b("a")]), (1u8, String::from("a")));
    let e = read_error::<(u8, u8)>(&tuple([i(1), i(2), i(3)]));
    assert_eq!(
        e.to_string(),
        "expected a tuple of 2 elements, found 3 elements"
    );
}

#[test]
fn maps_are_maps_with_term_keys() {
    both_ways(
        BTreeMap::from([(String::from("k"), 1u8), (String::from("j"), 2)]),
        map([(b("j"), i(2)), (b("k"), i(1))]),
    );
    both_ways(
        HashMap::from([(1i32, true), (2, false)]),
        map([(i(1), a("true")), (i(2), a("false"))]),
    );
    both_ways(
        BTreeMap::from([((1u8, 2u8), vec![0u8])]),
        map([(tuple([i(1), i(2)]), list([i(0)]))]),
    );
    both_ways(BTreeMap::<String, u8>::new(), Term::Map(Default::default()));
    // Atom keys read as String keys; keyword lists and proplists read as maps.
    reads_as(
        map([(a("a"), i(1))]),
        BTreeMap::from([(String::from("a"), 1u8)]),
    );
    reads_as(
        list([tuple([a("a"), i(1)]), tuple([b("b"), i(2)])]),
        BTreeMap::from([(String::from("a"), 1u8), (String::from("b"), 2)]),
    );
    let e = read_error::<BTreeMap<String, u8>>(&map([(b("alice"), b("x"))]));
    assert_eq!(
        e.to_string(),
        r#"["alice"]: expected an integer (u8), found binary <<"x">>"#
    );
}

// ---------------------------------------------------------------- structs

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct User {
    name: String,
    age: u32,
    tags: Vec<String>,
}

fn ann() -> User {
    User {
        name: "ann".into(),
        age: 3,
        tags: vec!["admin".into()],
    }
}

fn ann_term() -> Term {
    map([
        (a("name"), b("ann")),
        (a("age"), i(3)),
        (a("tags"), list([b("admin")])),
    ])
}

#[test]
fn structs_are_maps_with_atom_keys() {
    both_ways(ann(), ann_term());
    // Binary keys, a keyword list, and an Elixir struct's __struct__ key.
    reads_as(
        map([
            (b("name"), b("ann")),
            (b("age"), i(3)),
            (b("tags"), list([b("admin")])),
        ]),
        ann(),
    );
    reads_as(
        list([
            tuple([a("name"), b("ann")]),
            tuple([a("age"), i(3)]),
            tuple([a("tags"), list([b("admin")])]),
        ]),
        ann(),
    );
    let mut elixir = ann_term();
    if let Term::Map(m) = &mut elixir {
        m.insert(a("__struct__"), a("Elixir.MyApp.User"));
    }
    reads_as(elixir, ann());
    // Unknown keys are ignored unless the struct says otherwise.
    let mut extra = ann_term();
    if let Term::Map(m) = &mut extra {
        m.insert(a("email"), b("a@b"));
    }
    reads_as(extra, ann());
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename = "Elixir.MyApp.Account")]
struct Account {
    id: u32,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct WithStruct {
    #[serde(rename = "__struct__")]
    module: Atom,
    id: u32,
}

#[test]
fn elixir_structs() {
    // A serde name starting with `Elixir.` adds __struct__.
    both_ways(
        Account { id: 1 },
        map([
            (a("__struct__"), a("Elixir.MyApp.Account")),
            (a("id"), i(1)),
        ]),
    );
    assert_eq!(
        to_term(&Account { id: 1 }).unwrap().to_string(),
        "#{'__struct__' => 'Elixir.MyApp.Account',id => 1}"
    );
    reads_as(map([(a("id"), i(1))]), Account { id: 1 });
    let e = read_error::<Account>(&map([
        (a("__struct__"), a("Elixir.MyApp.Other")),
        (a("id"), i(1)),
    ]));
    assert_eq!(
        e.kind(),
        &SerdeErrorKind::WrongStruct {
            expected: "Elixir.MyApp.Account".into(),
            found: "Elixir.MyApp.Other".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "expected struct %MyApp.Account{}, found struct %MyApp.Other{}"
    );
    // The same through the configuration, for a type one cannot rename.
    let config =
        SerdeConfig::new().with_elixir_struct("User", Atom::new("Elixir.MyApp.User").unwrap());
    let mut elixir = ann_term();
    if let Term::Map(m) = &mut elixir {
        m.insert(a("__struct__"), a("Elixir.MyApp.User"));
    }
    both_ways_with(ann(), elixir, &config);
    // A struct with a __struct__ field sees it.
    both_ways(
        WithStruct {
            module: Atom::new("Elixir.X").unwrap(),
            id: 2,
        },
        map([(a("__struct__"), a("Elixir.X")), (a("id"), i(2))]),
    );
}

// ---------------------------------------------------------------- enums

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
enum Shape {
    Empty,
    Circle(f64),
    Line(i32, i32),
    Rect { w: u32, h: u32 },
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
#[serde(rename_all = "snake_case")]
enum Command {
    Stop,
    Go(u8),
    MoveTo { x: i32, y: i32 },
}

#[test]
fn enums_of_every_variant_kind() {
    both_ways(Shape::Empty, a("Empty"));
    both_ways(Shape::Circle(1.5), tuple([a("Circle"), Term::Float(1.5)]));
    both_ways(Shape::Line(1, 2), tuple([a("Line"), i(1), i(2)]));
    both_ways(
        Shape::Rect { w: 3, h: 4 },
        tuple([a("Rect"), map([(a("w"), i(3)), (a("h"), i(4))])]),
    );
    // serde's rename_all gives the atoms Elixir code usually uses.
    both_ways(Command::Stop, a("stop"));
    both_ways(Command::Go(1), tuple([a("go"), i(1)]));
    both_ways(
        Command::MoveTo { x: 1, y: -1 },
        tuple([a("move_to"), map([(a("x"), i(1)), (a("y"), i(-1))])]),
    );
    // Also accepted: binaries as tags, a 1-tuple for a unit variant, a nested
    // tuple for a tuple variant, a keyword list for a struct variant.
    reads_as(b("Empty"), Shape::Empty);
    reads_as(tuple([a("Empty")]), Shape::Empty);
    reads_as(tuple([b("Circle"), Term::Float(2.0)]), Shape::Circle(2.0));
    reads_as(tuple([a("Line"), tuple([i(5), i(6)])]), Shape::Line(5, 6));
    reads_as(
        tuple([
            a("move_to"),
            list([tuple([a("x"), i(0)]), tuple([a("y"), i(0)])]),
        ]),
        Command::MoveTo { x: 0, y: 0 },
    );
}

#[test]
fn enum_errors() {
    let e = read_error::<Shape>(&a("Square"));
    assert_eq!(
        e.to_string(),
        "unknown variant `Square`, expected one of `Empty`, `Circle`, `Line`, `Rect`"
    );
    assert!(matches!(
        e.kind(),
        SerdeErrorKind::UnknownVariant { variant, .. } if variant == "Square"
    ));
    let e = read_error::<Shape>(&i(1));
    assert_eq!(
        e.to_string(),
        "expected an atom or a tagged tuple (enum Shape), found integer 1"
    );
    let e = read_error::<Shape>(&tuple([a("Empty"), i(1)]));
    assert_eq!(
        e.to_string(),
        "expected the bare atom Empty, found tuple {'Empty',1}"
    );
    let e = read_error::<Shape>(&a("Circle"));
    assert_eq!(
        e.to_string(),
        "expected a tuple {Circle, Value}, found atom 'Circle'"
    );
    let e = read_error::<Shape>(&tuple([a("Line"), i(1)]));
    assert_eq!(
        e.to_string(),
        "expected a tuple {Line, ...} of 3 elements, found 2 elements"
    );
    let e = read_error::<Shape>(&tuple([a("Line"), i(1), b("x")]));
    assert_eq!(e.path(), "[2]");
    let e = read_error::<Shape>(&tuple([a("Rect"), map([(a("w"), i(1))])]));
    assert_eq!(e.to_string(), "[1]: missing field `h`");
    let e = read_error::<Shape>(&tuple([a("Rect"), map([(a("w"), i(1)), (a("h"), i(-1))])]));
    assert_eq!(e.to_string(), "[1].h: integer -1 is out of range for u32");
}

#[test]
fn results_are_ok_error_tuples() {
    both_ways(Ok::<u8, String>(1), tuple([a("ok"), i(1)]));
    both_ways(
        Err::<u8, String>("bad".into()),
        tuple([a("error"), b("bad")]),
    );
    // Erlang's `ok | {error, Reason}`.
    both_ways(Ok::<(), Shape>(()), a("ok"));
    both_ways(
        Err::<(), Shape>(Shape::Empty),
        tuple([a("error"), a("Empty")]),
    );
    both_ways(Err::<u8, ()>(()), a("error"));
    // The variant names are accepted too.
    reads_as(tuple([a("Ok"), i(1)]), Ok::<u8, ()>(1));
    assert!(from_term::<Result<u8, ()>>(&a("ok")).is_err());
    // Or, configured, like any enum.
    let variant = SerdeConfig::new().with_result(ResultRepr::Variant);
    both_ways_with(Ok::<u8, ()>(1), tuple([a("Ok"), i(1)]), &variant);
    both_ways_with(Ok::<(), ()>(()), tuple([a("Ok"), tuple([])]), &variant);
    assert!(from_term_with::<Result<u8, ()>>(&tuple([a("ok"), i(1)]), &variant).is_err());
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Event {
    Login { user: String },
    Logout,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(tag = "t", content = "c")]
enum Adjacent {
    A(u8),
    B { x: u8 },
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(untagged)]
enum Untagged {
    Pair(u8, u8),
    Named { a: u8 },
    Text(String),
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Outer {
    id: u8,
    #[serde(flatten)]
    inner: Inner,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Inner {
    name: String,
    role: Command,
}

#[test]
fn serde_enum_representations_and_flatten() {
    both_ways(
        Event::Login { user: "a".into() },
        map([(a("type"), b("login")), (a("user"), b("a"))]),
    );
    both_ways(Event::Logout, map([(a("type"), b("logout"))]));
    reads_as(map([(a("type"), a("logout"))]), Event::Logout);
    both_ways(Adjacent::A(1), map([(a("t"), a("A")), (a("c"), i(1))]));
    both_ways(
        Adjacent::B { x: 2 },
        map([(a("t"), a("B")), (a("c"), map([(a("x"), i(2))]))]),
    );
    both_ways(Untagged::Pair(1, 2), tuple([i(1), i(2)]));
    both_ways(Untagged::Named { a: 1 }, map([(a("a"), i(1))]));
    both_ways(Untagged::Text("s".into()), b("s"));
    // Flatten writes string keys (binaries); a unit variant reads from an atom.
    both_ways(
        Outer {
            id: 1,
            inner: Inner {
                name: "n".into(),
                role: Command::Stop,
            },
        },
        map([(b("id"), i(1)), (b("name"), b("n")), (b("role"), a("stop"))]),
    );
    reads_as(
        map([(a("id"), i(1)), (a("name"), b("n")), (a("role"), a("stop"))]),
        Outer {
            id: 1,
            inner: Inner {
                name: "n".into(),
                role: Command::Stop,
            },
        },
    );
    // ...but not a tagged tuple: buffered values hold no enums.
    assert!(
        from_term::<Outer>(&map([
            (a("id"), i(1)),
            (a("name"), b("n")),
            (a("role"), tuple([a("go"), i(1)])),
        ]))
        .is_err()
    );
}

// ---------------------------------------------------------------- nesting

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Directory {
    users: Vec<User>,
    owners: BTreeMap<String, Vec<(u8, Option<String>)>>,
    shapes: Vec<Shape>,
}

#[test]
fn nested_containers() {
    let dir = Directory {
        users: vec![ann()],
        owners: BTreeMap::from([("ops".into(), vec![(1, Some("a".into())), (2, None)])]),
        shapes: vec![Shape::Empty, Shape::Line(0, 1)],
    };
    both_ways(
        dir,
        map([
            (a("users"), list([ann_term()])),
            (
                a("owners"),
                map([(
                    b("ops"),
                    list([tuple([i(1), b("a")]), tuple([i(2), a("nil")])]),
                )]),
            ),
            (
                a("shapes"),
                list([a("Empty"), tuple([a("Line"), i(0), i(1)])]),
            ),
        ]),
    );
}

#[test]
fn error_paths_follow_the_term() {
    let mut users: Vec<Term> = (0..5).map(|_| ann_term()).collect();
    users[3] = map([
        (a("name"), i(42)),
        (a("age"), i(1)),
        (a("tags"), Term::nil()),
    ]);
    let term = map([
        (a("users"), Term::List(users)),
        (a("owners"), Term::Map(Default::default())),
        (a("shapes"), Term::nil()),
    ]);
    let e = read_error::<Directory>(&term);
    assert_eq!(e.path(), ".users[3].name");
    assert_eq!(
        e.to_string(),
        ".users[3].name: expected a string, found integer 42"
    );
    assert!(matches!(
        e.kind(),
        SerdeErrorKind::InvalidType { expected, found } if expected == "a string" && found == "integer 42"
    ));

    let term = map([
        (
            a("users"),
            list([map([(a("name"), b("x")), (a("age"), i(1))])]),
        ),
        (a("owners"), Term::Map(Default::default())),
        (a("shapes"), Term::nil()),
    ]);
    let e = read_error::<Directory>(&term);
    assert_eq!(e.to_string(), ".users[0]: missing field `tags`");
    assert_eq!(e.kind(), &SerdeErrorKind::MissingField("tags"));

    let term = map([
        (a("users"), Term::nil()),
        (a("owners"), map([(b("ops"), list([tuple([i(1), i(2)])]))])),
        (a("shapes"), Term::nil()),
    ]);
    let e = read_error::<Directory>(&term);
    assert_eq!(
        e.to_string(),
        r#".owners["ops"][0][1]: expected a string, found integer 2"#
    );

    // Errors while writing carry a path too.
    let e = to_term(&BTreeMap::from([("k", vec![1.0, f64::NAN])])).unwrap_err();
    assert_eq!(e.path(), r#"["k"][1]"#);
    let e = to_term(&Shape::Rect { w: 1, h: 2 }).map(|_| ());
    assert!(e.is_ok());
}

#[test]
fn errors_are_send_sync_and_std_errors() {
    fn check<T: Send + Sync + std::error::Error + 'static>() {}
    check::<girder_term::SerdeError>();
    // Custom messages from Serialize/Deserialize impls come through.
    let e = from_term::<std::net::Ipv4Addr>(&b("not an ip")).unwrap_err();
    assert!(matches!(e.kind(), SerdeErrorKind::Custom(_)), "{e:?}");
    let long = "x".repeat(300);
    let e = to_term(&BTreeMap::from([("k", Term::nil())])).map(|_| ());
    assert!(e.is_ok());
    #[derive(Serialize)]
    struct Long {
        #[serde(
            rename = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        )]
        field: u8,
    }
    let e = to_term(&Long { field: 1 }).unwrap_err();
    assert!(matches!(e.kind(), SerdeErrorKind::AtomTooLong(_)), "{e}");
    let e = from_term::<Atom>(&b(&long)).unwrap_err();
    assert!(e.to_string().contains("exceeds the limit of 255"), "{e}");
    // A long term is cut short in messages.
    let e = read_error::<u8>(&Term::binary(long.as_bytes()));
    assert!(e.to_string().ends_with("..."), "{e}");
    assert!(e.to_string().len() < 120, "{e}");
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Strict {
    a: u8,
}

#[test]
fn unknown_fields_when_denied() {
    let e = read_error::<Strict>(&map([(a("a"), i(1)), (a("b"), i(2))]));
    assert_eq!(e.to_string(), "unknown field `b`, expected `a`");
    // The __struct__ key of an Elixir struct is not an unknown field.
    let ok: Strict = from_term(&map([(a("__struct__"), a("Elixir.S")), (a("a"), i(1))])).unwrap();
    assert_eq!(ok.a, 1);
}

#[test]
fn pids_and_references_only_go_into_term_fields() {
    let e = read_error::<String>(&pid());
    assert_eq!(e.to_string(), "expected a string, found pid <n@h.1.2>");
    let e = read_error::<serde_json::Value>(&pid());
    assert_eq!(
        e.to_string(),
        "pid <n@h.1.2> can only be read into a girder_term::Term"
    );
}

#[test]
fn deeply_nested_terms_are_an_error_not_a_crash() {
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Nest(Vec<Nest>);
    let mut t = Term::nil();
    for _ in 0..300 {
        t = list([t]);
    }
    let e = read_error::<Nest>(&t);
    assert!(e.to_string().contains("nested more than"), "{e}");
    let mut t = Term::nil();
    for _ in 0..200 {
        t = list([t]);
    }
    assert!(from_term::<Nest>(&t).is_ok());
    // As deep as the decoder allows (256), through the paths that recurse the
    // most, on a test thread's stack.
    let mut t = a("Nothing");
    for _ in 0..126 {
        t = tuple([
            a("Nested"),
            map([(a("inner"), t), (a("weight"), Term::Float(1.0))]),
        ]);
    }
    let item = from_term::<Item>(&t).unwrap();
    assert_eq!(to_term(&item).unwrap(), t);
    assert!(from_term::<serde_json::Value>(&t).is_ok());
    assert_eq!(from_term::<Term>(&t).unwrap(), t);
}

// ---------------------------------------------------------------- Term and Atom fields

fn pid() -> Term {
    Term::Pid(ExternalPid {
        node: Atom::new("n@h").unwrap(),
        id: 1,
        serial: 2,
        creation: 3,
    })
}

fn reference() -> Term {
    Term::Reference(ExternalRef {
        node: Atom::new("n@h").unwrap(),
        creation: 3,
        id: vec![1, 2, 3],
    })
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Envelope {
    from: Term,
    tag: Atom,
    payload: Vec<Term>,
    reply_to: Option<Term>,
}

#[test]
fn term_fields_pass_through_untouched() {
    let odd = vec![
        reference(),
        Term::improper_list([i(1)], a("tail")),
        Term::bitstring(vec![0b1010_0000], 3).unwrap(),
        Term::integer(u128::MAX),
        a("nil"),
        tuple([]),
        Term::charlist("abc"),
        map([(pid(), reference())]),
    ];
    let env = Envelope {
        from: pid(),
        tag: Atom::new("call").unwrap(),
        payload: odd.clone(),
        reply_to: Some(pid()),
    };
    let term = map([
        (a("from"), pid()),
        (a("tag"), a("call")),
        (a("payload"), Term::List(odd)),
        (a("reply_to"), pid()),
    ]);
    both_ways(env, term);
    // A bare Term, and a Term holding a term that serde cannot describe.
    let whole = tuple([pid(), Term::improper_list([i(1)], i(2))]);
    assert_eq!(to_term(&whole).unwrap(), whole);
    assert_eq!(from_term::<Term>(&whole).unwrap(), whole);
    // An Atom reads from a binary too.
    reads_as(b("x"), Atom::new("x").unwrap());
    assert!(from_term::<Atom>(&i(1)).is_err());
}

#[test]
fn term_in_other_formats_is_structural() {
    let term = map([
        (b("n"), i(1)),
        (b("t"), tuple([a("ok"), a("true"), a("nil")])),
        (b("s"), b("hi")),
        (b("f"), Term::Float(0.5)),
        (b("p"), pid()),
    ]);
    let json = serde_json::to_string(&term).unwrap();
    assert_eq!(
        json,
        r#"{"f":0.5,"n":1,"p":"<n@h.1.2>","s":"hi","t":["ok",true,null]}"#
    );
    let back: Term = serde_json::from_str(r#"{"a":[1,2.5,"x",null,true],"b":{}}"#).unwrap();
    assert_eq!(
        back,
        map([
            (
                b("a"),
                list([i(1), Term::Float(2.5), b("x"), a("nil"), a("true")])
            ),
            (b("b"), Term::Map(Default::default())),
        ])
    );
    let atom: Atom = serde_json::from_str(r#""hello""#).unwrap();
    assert_eq!(atom, "hello");
    assert_eq!(serde_json::to_string(&atom).unwrap(), r#""hello""#);
    assert!(serde_json::to_string(&Term::improper_list([i(1)], i(2))).is_err());
}

#[test]
fn dynamic_values_read_every_term() {
    // deserialize_any, as serde_json::Value uses it.
    let term = map([
        (b("atoms"), list([a("true"), a("nil"), a("ok")])),
        (b("ints"), list([i(-1), Term::integer(u64::MAX)])),
        (b("float"), Term::Float(1.25)),
        (b("tuple"), tuple([i(1), b("x")])),
        (b("map"), map([(a("k"), b("v"))])),
    ]);
    let v: serde_json::Value = from_term(&term).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "atoms": [true, null, "ok"],
            "ints": [-1, u64::MAX],
            "float": 1.25,
            "tuple": [1, "x"],
            "map": {"k": "v"},
        })
    );
    // A non-UTF-8 binary is bytes (which JSON's Value does not take).
    assert!(from_term::<serde_json::Value>(&Term::binary(vec![0xFF])).is_err());
    // Untagged enums read through deserialize_any too.
    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(untagged)]
    enum IntOrName {
        Int(i64),
        Name(String),
    }
    reads_as(i(4), IntOrName::Int(4));
    reads_as(a("four"), IntOrName::Name("four".into()));
}

// ---------------------------------------------------------------- ETF bytes

#[test]
fn to_vec_and_from_slice_use_etf() {
    let bytes = to_vec(&ann()).unwrap();
    assert_eq!(bytes, encode(&ann_term()).unwrap());
    assert_eq!(decode(&bytes).unwrap(), ann_term());
    assert_eq!(from_slice::<User>(&bytes).unwrap(), ann());
    // {ok, 1}, byte for byte as term_to_binary({ok, 1}).
    assert_eq!(
        to_vec(&Ok::<u8, ()>(1)).unwrap(),
        [131, 104, 2, 119, 2, b'o', b'k', 97, 1]
    );
    let tagged = SerdeConfig::new().with_option(OptionRepr::Tagged);
    assert_eq!(
        decode(&to_vec_with(&Some(1u8), &tagged).unwrap()).unwrap(),
        tuple([a("some"), i(1)])
    );
    // Decode errors come through as such.
    let e = from_slice::<User>(&[131, 104]).unwrap_err();
    assert!(matches!(e.kind(), SerdeErrorKind::Decode(_)), "{e}");
    assert!(e.to_string().starts_with("decoding the term: "), "{e}");
    let e = from_slice::<User>(&[1, 2, 3]).unwrap_err();
    assert!(matches!(e.kind(), SerdeErrorKind::Decode(_)), "{e}");
    // Typed errors after decoding keep their path.
    let bytes = encode(&map([(a("name"), i(1))])).unwrap();
    assert_eq!(from_slice::<User>(&bytes).unwrap_err().path(), ".name");
}

// ---------------------------------------------------------------- property tests

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Record {
    id: u64,
    big: i128,
    name: String,
    score: f64,
    flag: bool,
    letter: char,
    #[serde(with = "serde_bytes")]
    blob: Vec<u8>,
    raw: Vec<u8>,
    maybe: Option<i32>,
    point: (i16, u8),
    items: Vec<Item>,
    index: BTreeMap<String, Vec<u32>>,
    by_id: HashMap<u16, Shape>,
    outcome: Result<u8, String>,
    done: Result<(), Command>,
    unit: (),
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
enum Item {
    Nothing,
    Label(String),
    Pair(i64, Option<String>),
    Nested {
        inner: Box<Option<Item>>,
        weight: f32,
    },
    Wrapped(UserIdish),
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct UserIdish(u32);

fn finite_f64() -> impl Strategy<Value = f64> {
    any::<f64>().prop_filter("finite", |x| x.is_finite())
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Empty),
        finite_f64().prop_map(Shape::Circle),
        (any::<i32>(), any::<i32>()).prop_map(|(x, y)| Shape::Line(x, y)),
        (any::<u32>(), any::<u32>()).prop_map(|(w, h)| Shape::Rect { w, h }),
    ]
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        Just(Command::Stop),
        any::<u8>().prop_map(Command::Go),
        (any::<i32>(), any::<i32>()).prop_map(|(x, y)| Command::MoveTo { x, y }),
    ]
}

fn item() -> impl Strategy<Value = Item> {
    let leaf = prop_oneof![
        Just(Item::Nothing),
        any::<String>().prop_map(Item::Label),
        (any::<i64>(), any::<Option<String>>()).prop_map(|(n, s)| Item::Pair(n, s)),
        any::<u32>().prop_map(|n| Item::Wrapped(UserIdish(n))),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        (
            proptest::option::of(inner),
            any::<f32>().prop_filter("finite", |x| x.is_finite()),
        )
            .prop_map(|(inner, weight)| Item::Nested {
                inner: Box::new(inner),
                weight,
            })
    })
}

fn record() -> impl Strategy<Value = Record> {
    (
        (
            any::<u64>(),
            any::<i128>(),
            any::<String>(),
            finite_f64(),
            any::<bool>(),
            any::<char>(),
            proptest::collection::vec(any::<u8>(), 0..8),
            proptest::collection::vec(any::<u8>(), 0..8),
        ),
        (
            any::<Option<i32>>(),
            any::<(i16, u8)>(),
            proptest::collection::vec(item(), 0..4),
            proptest::collection::btree_map(
                any::<String>(),
                proptest::collection::vec(any::<u32>(), 0..3),
                0..3,
            ),
            proptest::collection::hash_map(any::<u16>(), shape(), 0..3),
            prop_oneof![any::<u8>().prop_map(Ok), any::<String>().prop_map(Err)],
            prop_oneof![Just(Ok(())), command().prop_map(Err)],
        ),
    )
        .prop_map(
            |(
                (id, big, name, score, flag, letter, blob, raw),
                (maybe, point, items, index, by_id, outcome, done),
            )| Record {
                id,
                big,
                name,
                score,
                flag,
                letter,
                blob,
                raw,
                maybe,
                point,
                items,
                index,
                by_id,
                outcome,
                done,
                unit: (),
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn records_round_trip_through_terms(r in record()) {
        let term = to_term(&r).unwrap();
        prop_assert_eq!(from_term::<Record>(&term).unwrap(), r.clone());
        for option in [OptionRepr::Undefined, OptionRepr::Tagged] {
            let config = SerdeConfig::new().with_option(option).with_result(ResultRepr::Variant);
            let term = to_term_with(&r, &config).unwrap();
            prop_assert_eq!(from_term_with::<Record>(&term, &config).unwrap(), r.clone());
        }
    }

    #[test]
    fn records_round_trip_through_etf(r in record()) {
        let bytes = to_vec(&r).unwrap();
        prop_assert_eq!(from_slice::<Record>(&bytes).unwrap(), r.clone());
        // The bytes are the encoding of the term.
        prop_assert_eq!(decode(&bytes).unwrap(), to_term(&r).unwrap());
    }

    #[test]
    fn nested_options_round_trip_when_tagged(v in any::<Vec<Option<Option<u8>>>>()) {
        let config = SerdeConfig::new().with_option(OptionRepr::Tagged);
        let term = to_term_with(&v, &config).unwrap();
        prop_assert_eq!(from_term_with::<Vec<Option<Option<u8>>>>(&term, &config).unwrap(), v);
    }

    #[test]
    fn integers_round_trip(x in any::<i128>(), y in any::<u128>(), z in any::<u64>()) {
        prop_assert_eq!(from_slice::<i128>(&to_vec(&x).unwrap()).unwrap(), x);
        prop_assert_eq!(from_slice::<u128>(&to_vec(&y).unwrap()).unwrap(), y);
        prop_assert_eq!(from_slice::<u64>(&to_vec(&z).unwrap()).unwrap(), z);
        prop_assert_eq!(to_term(&x).unwrap(), Term::integer(x));
    }

    #[test]
    fn reading_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        // Decoding may fail; whatever decodes, reading it returns Ok or Err.
        let _ = from_slice::<Record>(&bytes);
        let _ = from_slice::<Item>(&bytes);
        let _ = from_slice::<serde_json::Value>(&bytes);
        let _ = from_slice::<Term>(&bytes);
    }

    #[test]
    fn arbitrary_terms_pass_through_and_never_panic(t in any_term()) {
        // A Term is written and read untouched, alone and inside a struct.
        prop_assert_eq!(&to_term(&t).unwrap(), &t);
        prop_assert_eq!(&from_term::<Term>(&t).unwrap(), &t);
        let env = Envelope {
            from: t.clone(),
            tag: Atom::new("x").unwrap(),
            payload: vec![t.clone()],
            reply_to: Some(t.clone()),
        };
        let back: Envelope = from_term(&to_term(&env).unwrap()).unwrap();
        prop_assert_eq!(&back.from, &t);
        prop_assert_eq!(&back.payload[0], &t);
        // Reading it as other types gives Ok or an error, never a panic.
        let _ = from_term::<Record>(&t);
        let _ = from_term::<Item>(&t);
        let _ = from_term::<Shape>(&t);
        let _ = from_term::<Directory>(&t);
        let _ = from_term::<serde_json::Value>(&t);
        let _ = from_term::<BTreeMap<String, Vec<Option<u8>>>>(&t);
        let _ = from_term::<(String, char, f32, serde_bytes::ByteBuf)>(&t);
        let _ = from_term::<Result<(), Atom>>(&t);
        let _ = serde_json::to_string(&t);
        for option in [OptionRepr::Undefined, OptionRepr::Tagged] {
            let config = SerdeConfig::new().with_option(option);
            let _ = from_term_with::<Record>(&t, &config);
            let _ = from_term_with::<Option<Option<Item>>>(&t, &config);
        }
    }
}

/// Any term, nested a few levels: every variant of `Term`.
fn any_term() -> impl Strategy<Value = Term> {
    let atom = prop_oneof![
        Just("nil".to_string()),
        Just("ok".to_string()),
        Just("true".to_string()),
        Just("Empty".to_string()),
        Just("Circle".to_string()),
        Just("name".to_string()),
        Just("__struct__".to_string()),
        "[a-z_]{0,6}",
    ]
    .prop_map(|name| Term::atom(&name));
    let node = Atom::new("n@h").unwrap();
    let leaf = prop_oneof![
        atom,
        any::<i64>().prop_map(Term::Integer),
        any::<i128>().prop_map(Term::integer),
        any::<u128>().prop_map(Term::integer),
        any::<f64>().prop_filter_map("finite", Term::float),
        any::<String>().prop_map(Term::from),
        proptest::collection::vec(any::<u8>(), 0..6).prop_map(Term::Binary),
        (proptest::collection::vec(any::<u8>(), 1..4), 1u8..8)
            .prop_filter_map("bitstring", |(b, n)| Term::bitstring(b, n)),
        "[a-z]{0,4}".prop_map(|s| Term::charlist(&s)),
        (any::<u32>(), any::<u32>()).prop_map(move |(id, serial)| Term::Pid(ExternalPid {
            node: node.clone(),
            id,
            serial,
            creation: 1,
        })),
        Just(reference()),
    ];
    leaf.prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Term::List),
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Term::Tuple),
            proptest::collection::vec((inner.clone(), inner.clone()), 0..4).prop_map(Term::map),
            (
                proptest::collection::vec(inner.clone(), 1..3),
                inner.clone()
            )
                .prop_map(|(e, t)| Term::improper_list(e, t)),
        ]
    })
}

// ---------------------------------------------------------------- live check against erl / elixir

/// Runs `program` with `args`; `None` (with a note) when it is not installed
/// and `CI` is unset. With `CI` set a missing program fails the test.
fn run(program: &str, args: &[&str]) -> Option<String> {
    let out = match std::process::Command::new(program).args(args).output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::env::var_os("CI").is_some() {
                panic!("`{program}` is not installed, and CI is set: the live check must run");
            }
            eprintln!("note: `{program}` is not installed; skipping the live check");
            return None;
        }
        Err(e) => panic!("running {program}: {e}"),
    };
    assert!(
        out.status.success(),
        "{program} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("girder-term-serde-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn remove(path: &std::path::Path) {
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_file(format!("{}.out", path.display()));
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename = "Elixir.MyApp.User")]
struct ExUser {
    name: String,
    age: u32,
    role: Role,
    email: Option<String>,
    last: Result<(), String>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Role {
    Admin,
    Guest { since: u16 },
}

fn ex_user() -> ExUser {
    ExUser {
        name: "ann".into(),
        age: 3,
        role: Role::Guest { since: 2024 },
        email: None,
        last: Ok(()),
    }
}

#[test]
fn live_erl_reads_what_to_vec_writes_and_back() {
    let dir = Directory {
        users: vec![ann()],
        owners: BTreeMap::from([("ops".into(), vec![(1, Some("a".into())), (2, None)])]),
        shapes: vec![Shape::Empty, Shape::Line(0, 1), Shape::Rect { w: 3, h: 4 }],
    };
    let bytes = to_vec(&dir).unwrap();
    let path = temp_file("erl_in.etf", &bytes);
    // Erlang decodes the bytes, matches them, prints them (keys sorted, as map
    // printing order varies between OTP releases), re-encodes them (which
    // must give the same bytes), and writes a term of its own for Rust to read.
    let eval = format!(
        "{{ok, B}} = file:read_file(\"{p}\"), T = binary_to_term(B), \
         #{{users := [#{{name := <<\"ann\">>, age := 3}}], shapes := ['Empty' | _]}} = T, \
         Sorted = lists:sort(maps:to_list(T)), \
         io:format(\"~ts~n\", [io_lib:print(Sorted, 1, 1000000, -1)]), \
         io:format(\"~p~n\", [term_to_binary(T, [{{minor_version, 2}}]) =:= B]), \
         ok = file:write_file(\"{p}.out\", term_to_binary({{'Line', 1, -2}})), halt().",
        p = path.display()
    );
    let Some(printed) = run("erl", &["-noshell", "-eval", &eval]) else {
        return;
    };
    assert_eq!(
        printed,
        "[{owners,#{<<\"ops\">> => [{1,<<\"a\">>},{2,nil}]}},\
         {shapes,['Empty',{'Line',0,1},{'Rect',#{h => 4,w => 3}}]},\
         {users,[#{age => 3,name => <<\"ann\">>,tags => [<<\"admin\">>]}]}]\n\
         true"
    );
    let back = std::fs::read(format!("{}.out", path.display())).unwrap();
    remove(&path);
    assert_eq!(from_slice::<Shape>(&back).unwrap(), Shape::Line(1, -2));
}

#[test]
fn live_elixir_pattern_matches_what_to_vec_writes() {
    let path = temp_file("ex_in.etf", &to_vec(&ex_user()).unwrap());
    // The struct is defined by one -e and used by the next: Elixir expands
    // %MyApp.User{} at compile time.
    let define = "defmodule MyApp.User do defstruct [:name, :age, :role, :email, :last] end";
    let script = format!(
        r#"
        term = :erlang.binary_to_term(File.read!("{in}"))
        %MyApp.User{{name: "ann", age: 3, role: {{:guest, %{{since: 2024}}}}, email: nil, last: :ok}} = term
        IO.puts(inspect(term))
        reply = %MyApp.User{{name: "bob", age: 4, role: :admin, email: "b@x", last: {{:error, "down"}}}}
        File.write!("{in}.out", :erlang.term_to_binary(reply))
        "#,
        in = path.display()
    );
    let Some(printed) = run("elixir", &["-e", define, "-e", &script]) else {
        return;
    };
    assert_eq!(
        printed,
        r#"%MyApp.User{name: "ann", age: 3, role: {:guest, %{since: 2024}}, email: nil, last: :ok}"#
    );
    let back = std::fs::read(format!("{}.out", path.display())).unwrap();
    remove(&path);
    assert_eq!(
        from_slice::<ExUser>(&back).unwrap(),
        ExUser {
            name: "bob".into(),
            age: 4,
            role: Role::Admin,
            email: Some("b@x".into()),
            last: Err("down".into()),
        }
    );
}
