//! Property tests: every term survives encode → decode, and encoding is
//! canonical (encoding the decoded term gives the same bytes).

use girder_term::{
    Atom, Closure, ExternalFun, ExternalPid, ExternalPort, ExternalRef, Limits, Map, Term, decode,
    decode_dist_term, decode_without_version, encode, encode_to, encode_without_version,
};
use num_bigint::{BigInt, Sign};
use proptest::prelude::*;

fn atom_strategy() -> impl Strategy<Value = Atom> {
    prop_oneof![
        4 => "[a-z][a-zA-Z0-9_@]{0,12}",
        1 => "\\PC{0,8}",
        1 => Just(String::new()),
        1 => "[é日😀]{250,255}",
    ]
    .prop_map(|s| Atom::new(s).expect("at most 255 chars"))
}

fn node_strategy() -> impl Strategy<Value = Atom> {
    prop_oneof![
        Just(Atom::new("nonode@nohost").unwrap()),
        Just(Atom::new("girder@127.0.0.1").unwrap()),
        atom_strategy(),
    ]
}

fn pid_strategy() -> impl Strategy<Value = ExternalPid> {
    (node_strategy(), any::<u32>(), any::<u32>(), any::<u32>()).prop_map(
        |(node, id, serial, creation)| ExternalPid {
            node,
            id,
            serial,
            creation,
        },
    )
}

fn bigint_strategy() -> impl Strategy<Value = Term> {
    (any::<bool>(), prop::collection::vec(any::<u8>(), 8..300)).prop_map(|(neg, bytes)| {
        let sign = if neg { Sign::Minus } else { Sign::Plus };
        Term::integer(BigInt::from_bytes_le(sign, &bytes))
    })
}

fn leaf_strategy() -> impl Strategy<Value = Term> {
    prop_oneof![
        atom_strategy().prop_map(Term::Atom),
        any::<i64>().prop_map(Term::Integer),
        (0i64..=300).prop_map(Term::Integer),
        bigint_strategy(),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Term::Float),
        prop::collection::vec(any::<u8>(), 0..40).prop_map(Term::Binary),
        (prop::collection::vec(any::<u8>(), 1..10), 1u8..=7)
            .prop_map(|(b, bits)| Term::bitstring(b, bits).unwrap()),
        "\\PC{0,10}".prop_map(|s| Term::charlist(&s)),
        pid_strategy().prop_map(Term::Pid),
        (node_strategy(), any::<u64>(), any::<u32>())
            .prop_map(|(node, id, creation)| { Term::Port(ExternalPort { node, id, creation }) }),
        (0u64..1000, node_strategy()).prop_map(|(id, node)| Term::Port(ExternalPort {
            node,
            id,
            creation: 1
        })),
        (
            node_strategy(),
            any::<u32>(),
            prop::collection::vec(any::<u32>(), 1..=5)
        )
            .prop_map(|(node, creation, id)| Term::Reference(ExternalRef {
                node,
                creation,
                id
            })),
        (atom_strategy(), atom_strategy(), any::<u8>()).prop_map(|(module, function, arity)| {
            Term::Fun(ExternalFun::Export {
                module,
                function,
                arity,
            })
        }),
    ]
}

/// Arbitrary terms of bounded depth and size, covering every variant.
pub(crate) fn term_strategy() -> impl Strategy<Value = Term> {
    leaf_strategy().prop_recursive(6, 96, 10, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..10).prop_map(Term::Tuple),
            prop::collection::vec(inner.clone(), 0..10).prop_map(Term::List),
            (prop::collection::vec(inner.clone(), 1..6), inner.clone())
                .prop_map(|(elements, tail)| Term::improper_list(elements, tail)),
            prop::collection::vec((inner.clone(), inner.clone()), 0..8)
                .prop_map(|pairs| Term::Map(pairs.into_iter().collect::<Map>())),
            (
                pid_strategy(),
                prop::collection::vec(inner, 0..4),
                any::<[u8; 16]>(),
                any::<(u8, u32, u32, u32)>()
            )
                .prop_map(
                    |(pid, free_vars, uniq, (arity, index, old_index, old_uniq))| {
                        Term::Fun(ExternalFun::Closure(Box::new(Closure {
                            arity,
                            uniq,
                            index,
                            module: Atom::new("m").unwrap(),
                            old_index,
                            old_uniq,
                            pid,
                            free_vars,
                        })))
                    }
                ),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn encode_then_decode_is_identity(t in term_strategy()) {
        let bytes = encode(&t).unwrap();
        let back = decode(&bytes).unwrap();
        prop_assert_eq!(&back, &t);
        // Canonical: the decoded term encodes to the same bytes.
        prop_assert_eq!(encode(&back).unwrap(), bytes);
    }

    #[test]
    fn terms_without_version_decode_back_to_back(a in term_strategy(), b in term_strategy()) {
        let mut buf = Vec::new();
        encode_without_version(&a, &mut buf).unwrap();
        let split = buf.len();
        encode_without_version(&b, &mut buf).unwrap();
        let limits = Limits::default();
        let (x, used) = decode_without_version(&buf, &limits).unwrap();
        prop_assert_eq!(used, split);
        prop_assert_eq!(&x, &a);
        let (y, used2) = decode_dist_term(&buf[used..], &[], &limits).unwrap();
        prop_assert_eq!(used + used2, buf.len());
        prop_assert_eq!(&y, &b);
    }

    #[test]
    fn encode_to_appends(t in term_strategy(), prefix in prop::collection::vec(any::<u8>(), 0..8)) {
        let mut out = prefix.clone();
        encode_to(&t, &mut out).unwrap();
        prop_assert_eq!(&out[..prefix.len()], &prefix[..]);
        prop_assert_eq!(&out[prefix.len()..], &encode(&t).unwrap()[..]);
    }
}

#[test]
fn non_normalised_values_still_encode() {
    // A BigInt that fits i64 encodes as the small integer it equals.
    let t = Term::BigInt(BigInt::from(5));
    assert_eq!(encode(&t).unwrap(), [131, 97, 5]);
    // An ImproperList with no elements is its tail.
    let t = Term::ImproperList {
        elements: vec![],
        tail: Box::new(Term::atom("x")),
    };
    assert_eq!(decode(&encode(&t).unwrap()).unwrap(), Term::atom("x"));
    // An ImproperList whose tail is a list flattens.
    let t = Term::ImproperList {
        elements: vec![Term::Integer(1)],
        tail: Box::new(Term::list([Term::atom("a")])),
    };
    assert_eq!(
        decode(&encode(&t).unwrap()).unwrap(),
        Term::list([Term::Integer(1), Term::atom("a")])
    );
}

#[test]
fn unencodable_values_are_typed_errors() {
    use girder_term::EncodeError;
    assert_eq!(
        encode(&Term::Float(f64::NAN)),
        Err(EncodeError::NonFiniteFloat)
    );
    assert_eq!(
        encode(&Term::tuple([Term::Float(f64::INFINITY)])),
        Err(EncodeError::NonFiniteFloat)
    );
    assert_eq!(
        encode(&Term::BitBinary {
            bytes: vec![1],
            bits: 8
        }),
        Err(EncodeError::InvalidBitBinary { bits: 8 })
    );
    assert_eq!(
        encode(&Term::BitBinary {
            bytes: vec![],
            bits: 3
        }),
        Err(EncodeError::InvalidBitBinary { bits: 3 })
    );
    let r = |n: usize| {
        Term::Reference(ExternalRef {
            node: Atom::new("n").unwrap(),
            creation: 0,
            id: vec![0; n],
        })
    };
    assert_eq!(
        encode(&r(0)),
        Err(EncodeError::InvalidReference { words: 0 })
    );
    assert_eq!(
        encode(&r(6)),
        Err(EncodeError::InvalidReference { words: 6 })
    );
    // On error, encode_to leaves the buffer as it was.
    let mut out = vec![1, 2, 3];
    assert!(
        encode_to(
            &Term::list([Term::Integer(1), Term::Float(f64::NAN)]),
            &mut out
        )
        .is_err()
    );
    assert_eq!(out, [1, 2, 3]);
    assert!(!EncodeError::NonFiniteFloat.to_string().is_empty());
}

#[test]
fn deeply_nested_user_terms_encode_without_recursion() {
    // Built and taken apart iteratively: Term's own Drop would recurse.
    let depth = 100_000;
    let mut t = Term::nil();
    for _ in 0..depth {
        t = Term::list([t]);
    }
    let bytes = encode(&t).unwrap();
    assert_eq!(bytes.len(), 2 + depth * 6);
    let mut cur = t;
    while let Term::List(mut items) = cur {
        cur = items.pop().unwrap_or(Term::Integer(0));
    }
}
