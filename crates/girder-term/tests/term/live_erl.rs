//! Round trips through a running `erl` (`tests/data/etf_port.escript` over
//! stdin/stdout): Rust-encoded terms that Erlang decodes and re-encodes, and
//! Erlang-made terms (pids, refs, ports, closures) that Rust decodes and
//! re-encodes for Erlang to compare with `=:=`. Fails under `CI` without
//! `erl`; skips with a note otherwise.

use girder_term::{
    Atom, Closure, ExternalFun, ExternalPid, ExternalPort, ExternalRef, Term, decode, encode,
};
use num_bigint::BigInt;

use crate::util::Erl;

fn sample_terms() -> Vec<Term> {
    let node = Atom::new("girder@127.0.0.1").unwrap();
    let pid = ExternalPid {
        node: node.clone(),
        id: 77,
        serial: 2,
        creation: 0x1234_5678,
    };
    vec![
        Term::Integer(0),
        Term::Integer(255),
        Term::Integer(256),
        Term::Integer(-1),
        Term::Integer(i64::from(i32::MIN)),
        Term::Integer(i64::from(i32::MAX) + 1),
        Term::Integer(i64::MIN),
        Term::Integer(i64::MAX),
        Term::integer(BigInt::from(u64::MAX) * 3),
        Term::integer(-(BigInt::from(1) << 2100u32)),
        Term::Float(1.5),
        Term::Float(-0.0),
        Term::Float(1e-310),
        Term::atom(""),
        Term::atom("ok"),
        Term::atom("héllo wörld"),
        Term::atom("日本語"),
        Term::atom(&"é".repeat(255)),
        Term::binary(""),
        Term::binary(vec![0, 1, 2, 255]),
        Term::bitstring(vec![0xAB, 0xC0], 3).unwrap(),
        Term::nil(),
        Term::charlist("hello"),
        Term::list(vec![Term::Integer(1); 70_000]),
        Term::list([Term::Integer(300), Term::atom("x")]),
        Term::improper_list([Term::Integer(1)], Term::atom("tail")),
        Term::tuple([]),
        Term::tuple((0..300).map(Term::from)),
        Term::map([]),
        Term::map([
            (Term::atom("a"), Term::Integer(1)),
            (Term::Integer(1), Term::Float(1.0)),
            (Term::Float(1.0), Term::Integer(1)),
            (Term::binary("k"), Term::nil()),
            (Term::tuple([Term::atom("t")]), Term::map([])),
        ]),
        Term::map((0..32).map(|i| (Term::Integer(i), Term::Integer(i * i)))),
        Term::Pid(pid.clone()),
        Term::Port(ExternalPort {
            node: node.clone(),
            id: 5,
            creation: 3,
        }),
        Term::Port(ExternalPort {
            node: node.clone(),
            id: u64::from(u32::MAX) + 10,
            creation: 3,
        }),
        Term::Reference(ExternalRef {
            node: node.clone(),
            creation: 3,
            id: vec![1, 2, 3],
        }),
        Term::Reference(ExternalRef {
            node: node.clone(),
            creation: 3,
            id: vec![9, 8, 7, 6, 5],
        }),
        Term::Fun(ExternalFun::Export {
            module: Atom::new("lists").unwrap(),
            function: Atom::new("map").unwrap(),
            arity: 2,
        }),
        Term::Fun(ExternalFun::Closure(Box::new(Closure {
            arity: 1,
            uniq: [7; 16],
            index: 3,
            module: Atom::new("some_mod").unwrap(),
            old_index: 3,
            old_uniq: 0x0FFF_FFFF,
            pid,
            free_vars: vec![Term::Integer(42), Term::atom("env")],
        }))),
        Term::tuple([
            Term::atom("$gen_call"),
            Term::tuple([Term::atom("from"), Term::atom("ref")]),
            Term::tuple([Term::atom("get"), Term::atom("key")]),
        ]),
    ]
}

/// Rust encodes; Erlang decodes, re-encodes and prints; Rust checks all three.
fn rust_to_erlang(erl: &mut Erl) {
    for t in sample_terms() {
        let ours = encode(&t).unwrap();
        let reply = erl.call(&Term::tuple([
            Term::atom("echo"),
            Term::binary(ours.clone()),
        ]));
        let Some([_, back, erl_bytes, printed]) = reply.as_tagged("ok", 4) else {
            panic!("erl rejected {t}: {reply}");
        };
        assert_eq!(*back, t, "erl decoded {t} as {back}");
        let erl_bytes = erl_bytes.as_binary().unwrap();
        assert_eq!(
            erl_bytes,
            &ours[..],
            "term_to_binary differs from ours for {t}"
        );
        assert_eq!(decode(erl_bytes).unwrap(), t);
        assert!(printed.as_binary().is_some());
    }
}

/// Erlang makes the term; Rust decodes and re-encodes it; Erlang checks the
/// re-encoding is `=:=` and byte-identical.
fn erlang_to_rust(erl: &mut Erl) {
    let exprs = [
        "self()",
        "make_ref()",
        "hd(erlang:ports())",
        "{self(), make_ref(), [node() | nodes()]}",
        "fun(X) -> X + 1 end",
        "Y = 5, fun(X) -> X + Y end",
        "fun erlang:abs/1",
        "lists:seq(1, 2000)",
        "maps:from_list([{integer_to_binary(I), I} || I <- lists:seq(1, 20)])",
        "{1 bsl 100, -(1 bsl 64), 3.14, <<1:5>>, 'über', [a | b]}",
        "binary_to_term(<<131,88,100,0,3,\"a@b\",0,0,0,1,0,0,0,2,0,0,0,3>>)",
        "list_to_tuple(lists:seq(1, 1000))",
    ];
    for expr in exprs {
        let reply = erl.call(&Term::tuple([Term::atom("eval"), Term::binary(expr)]));
        let bytes = encode(&reply).unwrap();
        erl.send(&bytes);
        let verdict = decode(&erl.recv()).unwrap();
        assert_eq!(
            verdict,
            Term::tuple([Term::boolean(true), Term::boolean(true)]),
            "{expr}: ours {reply}"
        );
    }
}

#[test]
fn round_trips_through_erl() {
    let Some(mut erl) = Erl::start() else {
        return;
    };
    rust_to_erlang(&mut erl);
    erlang_to_rust(&mut erl);
}
