//! Golden vectors written by the real `erl` (OTP 25) with
//! `tests/data/golden.escript`: each decodes, re-encodes byte for byte where
//! ETF is canonical, equals the expected term, and prints as Erlang prints it.

use std::collections::BTreeMap;

use girder_term::{
    Atom, ExternalFun, ExternalPid, ExternalPort, ExternalRef, Term, decode, encode,
};
use num_bigint::BigInt;

use crate::util::{Vector, golden};

/// Vectors whose `v2` bytes we do not reproduce, and why.
const NOT_CANONICAL: &[(&str, &str)] = &[
    ("map_33", "erts orders a map of more than 32 keys by hash"),
    (
        "map_45_mixed",
        "erts orders a map of more than 32 keys by hash",
    ),
];

fn by_name() -> BTreeMap<String, Vec<Vector>> {
    let mut m: BTreeMap<String, Vec<Vector>> = BTreeMap::new();
    for v in golden() {
        m.entry(v.name.clone()).or_default().push(v);
    }
    m
}

#[test]
fn every_vector_decodes() {
    let all = golden();
    assert!(all.len() > 150, "golden.txt has {} vectors", all.len());
    for v in &all {
        if let Err(e) = decode(&v.bytes) {
            panic!("{} ({}): {e}", v.name, v.enc);
        }
    }
}

#[test]
fn canonical_vectors_reencode_byte_for_byte() {
    let mut checked = 0;
    for (name, vs) in by_name() {
        let v2 = vs
            .iter()
            .find(|v| v.enc == "v2")
            .expect("every term has v2");
        let term = decode(&v2.bytes).unwrap();
        let ours = encode(&term).unwrap();
        if NOT_CANONICAL.iter().any(|(n, _)| *n == name) {
            // Same term, other order: still decodes to what we encode.
            assert_eq!(decode(&ours).unwrap(), term, "{name}");
            continue;
        }
        assert_eq!(ours, v2.bytes, "{name}: {term}");
        checked += 1;
    }
    assert!(checked > 100, "only {checked} canonical vectors");
}

/// `v1` (OTP 25's Latin-1 atom tags), `v0` (text floats), `z` (compressed)
/// and `det` (deterministic) forms decode to the same term as `v2`.
#[test]
fn other_encodings_decode_to_the_same_term() {
    let mut checked = 0;
    for (name, vs) in by_name() {
        let v2 = vs.iter().find(|v| v.enc == "v2").unwrap();
        let term = decode(&v2.bytes).unwrap();
        for v in vs.iter().filter(|v| v.enc != "v2") {
            let other = decode(&v.bytes).unwrap();
            assert_eq!(other, term, "{name} ({})", v.enc);
            if v.enc == "det" {
                // erts' deterministic order for big maps is our map-key order.
                assert_eq!(encode(&other).unwrap(), v.bytes, "{name} (det)");
            }
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} other encodings");
}

/// Terms that print the same in Erlang's `~w` and our `Display`: everything but
/// binaries (we print printable ones as strings, like `~p`), pids, ports,
/// references and funs (Erlang prints node numbers, we print node names),
/// non-ASCII atoms (`~w` leaves Latin-1 letters bare and writes other
/// characters as `\x{...}`; we quote and keep them) and maps of more than 32
/// keys (Erlang prints them in hash order).
fn printable_alike(t: &Term) -> bool {
    match t {
        Term::Binary(_) | Term::Pid(_) | Term::Port(_) | Term::Reference(_) | Term::Fun(_) => false,
        Term::Atom(a) => a.as_str().is_ascii(),
        Term::Map(m) if m.len() > 32 => false,
        Term::List(items) | Term::Tuple(items) => items.iter().all(printable_alike),
        Term::ImproperList { elements, tail } => {
            elements.iter().all(printable_alike) && printable_alike(tail)
        }
        Term::Map(m) => m
            .iter()
            .all(|(k, v)| printable_alike(k) && printable_alike(v)),
        _ => true,
    }
}

#[test]
fn display_matches_erlang_w() {
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for v in golden().iter().filter(|v| v.enc == "v2") {
        let Some(printed) = &v.printed else { continue };
        let term = decode(&v.bytes).unwrap();
        if !printable_alike(&term) {
            continue;
        }
        compared += 1;
        if term.to_string() != *printed {
            mismatches.push(format!("{}: erl {printed} / ours {term}", v.name));
        }
    }
    assert!(compared > 70, "compared only {compared}");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

fn atom(s: &str) -> Atom {
    Atom::new(s).unwrap()
}

fn pow2(n: u32) -> BigInt {
    BigInt::from(1) << n
}

#[test]
fn simple_vectors_decode_to_the_expected_terms() {
    let node = atom("girder@127.0.0.1");
    let expected: Vec<(&str, Term)> = vec![
        ("int_0", Term::Integer(0)),
        ("int_255", Term::Integer(255)),
        ("int_256", Term::Integer(256)),
        ("int_m1", Term::Integer(-1)),
        ("int_2p31m1", Term::Integer(i32::MAX.into())),
        ("int_m2p31m1", Term::Integer(i64::from(i32::MIN) - 1)),
        ("int_2p63m1", Term::Integer(i64::MAX)),
        ("int_m2p63", Term::Integer(i64::MIN)),
        ("int_2p63", Term::integer(pow2(63))),
        ("int_m2p63m1", Term::integer(-pow2(63) - 1)),
        ("int_2p64", Term::integer(pow2(64))),
        ("int_2p2040", Term::integer(pow2(2040))),
        ("int_m2p3000", Term::integer(-pow2(3000))),
        ("float_1_5", Term::Float(1.5)),
        ("float_neg0", Term::Float(-0.0)),
        ("float_min_sub", Term::Float(5e-324)),
        ("float_max", Term::Float(f64::MAX)),
        ("atom_empty", Term::atom("")),
        ("atom_ok", Term::atom("ok")),
        ("atom_latin1", Term::atom("héllo")),
        ("atom_utf8", Term::atom("日本")),
        ("atom_emoji", Term::atom("😀")),
        ("atom_255_utf8", Term::atom(&"日".repeat(255))),
        ("tuple_empty", Term::tuple([])),
        ("tuple_3", Term::tuple([1.into(), 2.into(), 3.into()])),
        ("tuple_256", Term::tuple((1..=256).map(Term::from))),
        ("nil", Term::nil()),
        ("string", Term::charlist("hello")),
        ("string_latin1", Term::charlist("héllo")),
        ("string_utf8", Term::charlist("日本")),
        (
            "list_mixed",
            Term::list([
                1.into(),
                Term::atom("a"),
                Term::Float(2.5),
                Term::charlist("x"),
            ]),
        ),
        ("list_65536", Term::list(vec![Term::Integer(7); 65536])),
        ("string_65535", Term::list(vec![Term::Integer(0); 65535])),
        (
            "improper_2",
            Term::improper_list([1.into(), 2.into()], 3.into()),
        ),
        (
            "improper_tuple_tail",
            Term::improper_list(
                [Term::atom("x"), Term::atom("y")],
                Term::tuple([Term::atom("z")]),
            ),
        ),
        ("bin_empty", Term::binary("")),
        ("bin_hello", Term::binary("hello")),
        ("bits_3", Term::bitstring(vec![0b1110_0000], 3).unwrap()),
        ("bits_21", Term::bitstring(vec![1, 2, 3 << 3], 5).unwrap()),
        ("map_empty", Term::map([])),
        (
            "map_int_float",
            Term::map([
                (1.into(), Term::atom("a")),
                (Term::Float(1.0), Term::atom("b")),
                (2.into(), Term::atom("c")),
                (Term::Float(0.5), Term::atom("d")),
            ]),
        ),
        (
            "pid_ext",
            Term::Pid(ExternalPid {
                node: node.clone(),
                id: 42,
                serial: 7,
                creation: 3,
            }),
        ),
        (
            "port_ext_v4",
            Term::Port(ExternalPort {
                node: node.clone(),
                id: (1 << 32) + 5,
                creation: 7,
            }),
        ),
        (
            "ref_ext_5",
            Term::Reference(ExternalRef {
                node: node.clone(),
                creation: 9,
                id: vec![1, 2, 3, 4, 5],
            }),
        ),
        (
            "fun_export",
            Term::Fun(ExternalFun::Export {
                module: atom("lists"),
                function: atom("map"),
                arity: 2,
            }),
        ),
    ];
    let all = by_name();
    for (name, want) in expected {
        let vs = all.get(name).unwrap_or_else(|| panic!("no vector {name}"));
        for v in vs {
            assert_eq!(decode(&v.bytes).unwrap(), want, "{name} ({})", v.enc);
        }
    }
}

#[test]
fn closures_keep_every_field() {
    let v = crate::util::golden_v2("fun_closure_1");
    let Term::Fun(ExternalFun::Closure(c)) = decode(&v).unwrap() else {
        panic!("not a closure");
    };
    assert_eq!(c.module.as_str(), "girder_golden");
    assert_eq!(c.arity, 1);
    assert_eq!(c.free_vars, [Term::Integer(42)]);
    assert_eq!(c.pid.node.as_str(), "nonode@nohost");
}

/// Pids, ports, references and funs in erts' term order (`lists:sort/1`):
/// ours sorts them the same.
#[test]
fn identifiers_sort_as_in_erts() {
    let t = decode(&crate::util::golden_v2("tuple_sorted_ids")).unwrap();
    let erts = t.as_tuple().unwrap().to_vec();
    let mut ours = erts.clone();
    ours.reverse();
    ours.sort();
    assert_eq!(ours, erts);
}
