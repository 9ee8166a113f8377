//! Hostile and broken input: every failure is a typed error with an offset,
//! returned quickly, never a panic, and never an allocation the input did not
//! pay for.

use std::io::Write;
use std::time::{Duration, Instant};

use flate2::Compression;
use flate2::write::ZlibEncoder;
use girder_term::{
    DEFAULT_MAX_ATOMS, DEFAULT_MAX_DEPTH, DecodeError, DecodeErrorKind, Limit, Limits, Term,
    decode, decode_with, encode,
};

use crate::util::golden;

/// Generous bound for one hostile decode, in debug builds on a busy machine.
const QUICK: Duration = Duration::from_secs(5);

fn err(bytes: &[u8]) -> DecodeError {
    match decode(bytes) {
        Ok(t) => panic!("decoded {t} from {:?}", &bytes[..bytes.len().min(32)]),
        Err(e) => e,
    }
}

fn timed_err(bytes: &[u8]) -> DecodeError {
    let start = Instant::now();
    let e = err(bytes);
    assert!(start.elapsed() < QUICK, "took {:?}", start.elapsed());
    e
}

fn assert_limit(e: &DecodeError, limit: Limit) {
    assert_eq!(e.limit(), Some(limit), "{e}");
}

#[test]
fn truncation_at_every_offset_is_a_truncated_error() {
    for v in golden().into_iter().filter(|v| v.enc == "v2") {
        let n = v.bytes.len();
        // Every offset of small vectors; the ends and a stride of big ones.
        let offsets: Vec<usize> = if n <= 4096 {
            (0..n).collect()
        } else {
            (0..512)
                .chain((512..n - 512).step_by(997))
                .chain(n - 512..n)
                .collect()
        };
        for cut in offsets {
            let e = err(&v.bytes[..cut]);
            if cut == 0 {
                assert_eq!(e.kind, DecodeErrorKind::BadVersion { found: None });
                continue;
            }
            assert!(
                matches!(e.kind, DecodeErrorKind::Truncated { .. }),
                "{} cut at {cut}: {e}",
                v.name
            );
            assert!(
                e.offset <= cut,
                "{} cut at {cut}: offset {}",
                v.name,
                e.offset
            );
        }
    }
}

#[test]
fn single_byte_mutations_never_panic() {
    let mut decoded = 0usize;
    for v in golden()
        .into_iter()
        .filter(|v| v.bytes.len() <= 2048 && v.enc != "z")
    {
        for i in 1..v.bytes.len() {
            let b = v.bytes[i];
            for new in [
                0,
                0xFF,
                0x7F,
                0x80,
                b.wrapping_add(1),
                b.wrapping_sub(1),
                b ^ 0x40,
            ] {
                let mut m = v.bytes.clone();
                m[i] = new;
                if decode(&m).is_ok() {
                    decoded += 1;
                }
            }
        }
    }
    assert!(decoded > 0);
}

/// Each length-carrying tag with the largest length its field holds, followed
/// by a little data: an error at once, before any allocation of that size.
#[test]
fn maximal_lengths_in_every_length_field() {
    let max32 = [0xFF, 0xFF, 0xFF, 0xFF];
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "LARGE_TUPLE_EXT",
            [&[131, 105][..], &max32, &[97, 1]].concat(),
        ),
        ("LIST_EXT", [&[131, 108][..], &max32, &[97, 1]].concat()),
        (
            "MAP_EXT",
            [&[131, 116][..], &max32, &[97, 1, 97, 2]].concat(),
        ),
        ("BINARY_EXT", [&[131, 109][..], &max32, b"data"].concat()),
        (
            "BIT_BINARY_EXT",
            [&[131, 77][..], &max32, &[3], b"data"].concat(),
        ),
        (
            "LARGE_BIG_EXT",
            [&[131, 111][..], &max32, &[0, 1, 2]].concat(),
        ),
        ("STRING_EXT", vec![131, 107, 0xFF, 0xFF, 1, 2, 3]),
        ("ATOM_EXT", vec![131, 100, 0xFF, 0xFF, b'a']),
        ("ATOM_UTF8_EXT", vec![131, 118, 0xFF, 0xFF, b'a']),
        ("SMALL_ATOM_UTF8_EXT", vec![131, 119, 0xFF, b'a']),
        ("SMALL_ATOM_EXT", vec![131, 115, 0xFF, b'a']),
        (
            "NEW_REFERENCE_EXT",
            [&[131, 114, 0xFF, 0xFF, 119, 1, b'n', 0][..], &[0; 8]].concat(),
        ),
        (
            "NEW_FUN_EXT size",
            [
                &[131, 112][..],
                &max32,
                &[0],
                &[0; 16],
                &[0, 0, 0, 0],
                &[0, 0, 0, 0],
                &[119, 1, b'm', 97, 0, 97, 0],
                &[88, 119, 1, b'n', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            ]
            .concat(),
        ),
        ("SMALL_TUPLE_EXT", vec![131, 104, 0xFF, 97, 1]),
        ("SMALL_BIG_EXT", vec![131, 110, 0xFF, 0, 1]),
        (
            "NEWER_REFERENCE_EXT",
            [&[131, 90, 0xFF, 0xFF, 119, 1, b'n'][..], &[0; 8]].concat(),
        ),
        (
            "NEW_FUN_EXT free vars",
            [
                &[131, 112][..],
                &max32,
                &[0],
                &[0; 16],
                &[0, 0, 0, 0],
                &max32,
                &[119, 1, b'm', 97, 0, 97, 0],
                &[88, 119, 1, b'n', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                &[97, 1],
            ]
            .concat(),
        ),
        (
            "COMPRESSED size",
            [&[131, 80][..], &max32, &[0x78, 0x9C, 3, 0]].concat(),
        ),
    ];
    for (what, bytes) in cases {
        let e = timed_err(&bytes);
        let ok = matches!(
            e.kind,
            DecodeErrorKind::Truncated { .. }
                | DecodeErrorKind::LimitExceeded { .. }
                | DecodeErrorKind::Invalid { .. }
        );
        assert!(ok, "{what}: {e}");
    }
}

#[test]
fn maximal_lengths_with_the_bytes_present_hit_limits() {
    // A 64 MiB + 1 input is refused before it is looked at.
    let big = vec![0u8; 64 * 1024 * 1024 + 1];
    assert_limit(&timed_err(&big), Limit::InputBytes);
    // Terms: four million empty lists (4 MiB of input, 160 MiB as terms).
    let n: u32 = 4 * 1024 * 1024 + 1;
    let mut b = vec![131, 108];
    b.extend(n.to_be_bytes());
    b.resize(b.len() + n as usize + 1, 106);
    assert_limit(&timed_err(&b), Limit::Terms);
    // Big integers: a megabyte-long LARGE_BIG_EXT.
    let mut b = vec![131, 111];
    b.extend(1_000_000u32.to_be_bytes());
    b.push(0);
    b.resize(b.len() + 1_000_000, 0xAB);
    assert_limit(&timed_err(&b), Limit::BigIntBytes);
    // Heap: a 2000-byte binary under a 1000-byte budget.
    let bytes = encode(&Term::binary(vec![0; 2000])).unwrap();
    let e = decode_with(&bytes, &Limits::default().max_heap_bytes(1000)).unwrap_err();
    assert_limit(&e, Limit::HeapBytes);
    // Input: a small custom limit.
    let e = decode_with(&bytes, &Limits::default().max_input_bytes(100)).unwrap_err();
    assert_limit(&e, Limit::InputBytes);
    assert_eq!(e.offset, 0);
}

fn nested(prefix: &[u8], depth: usize, innermost: &[u8], suffix: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(1 + depth * (prefix.len() + suffix.len()) + innermost.len());
    b.push(131);
    for _ in 0..depth {
        b.extend_from_slice(prefix);
    }
    b.extend_from_slice(innermost);
    for _ in 0..depth {
        b.extend_from_slice(suffix);
    }
    b
}

#[test]
fn a_million_levels_of_nesting_are_refused_quickly() {
    let depth = 1_000_000;
    let cases = [
        ("lists", nested(&[108, 0, 0, 0, 1], depth, &[106], &[106])),
        ("tuples", nested(&[104, 1], depth, &[106], &[])),
        (
            "large tuples",
            nested(&[105, 0, 0, 0, 1], depth, &[106], &[]),
        ),
        (
            "map values",
            nested(&[116, 0, 0, 0, 1, 97, 1], depth, &[106], &[]),
        ),
        (
            "map keys",
            nested(&[116, 0, 0, 0, 1], depth, &[106], &[97, 1]),
        ),
        (
            "list tails",
            nested(&[108, 0, 0, 0, 1, 104, 1], depth, &[106], &[106]),
        ),
    ];
    for (what, bytes) in cases {
        let e = timed_err(&bytes);
        assert_eq!(
            e.kind,
            DecodeErrorKind::LimitExceeded {
                limit: Limit::Depth,
                value: DEFAULT_MAX_DEPTH as u64 + 1,
                max: DEFAULT_MAX_DEPTH as u64,
            },
            "{what}"
        );
    }
}

/// `[1 | [1 | ... | x]]` written as a chain of LIST_EXT tails is one flat
/// list, not nesting: a million cells decode quickly to one improper list.
#[test]
fn a_million_chained_list_tails_are_one_flat_list() {
    let n = 1_000_000;
    let bytes = nested(&[108, 0, 0, 0, 1, 97, 1], n, &[119, 1, b'x'], &[]);
    let start = Instant::now();
    let t = decode(&bytes).unwrap();
    assert!(start.elapsed() < QUICK);
    let Term::ImproperList { elements, tail } = t else {
        panic!("not an improper list");
    };
    assert_eq!(elements.len(), n);
    assert_eq!(*tail, Term::atom("x"));
}

#[test]
fn a_million_atoms_are_refused_quickly() {
    let n: u32 = 1_000_000;
    let mut b = vec![131, 108];
    b.extend(n.to_be_bytes());
    for i in 0..n {
        b.extend([119, 2, b'a' + (i % 26) as u8, b'a' + (i / 26 % 26) as u8]);
    }
    b.push(106);
    let e = timed_err(&b);
    assert_eq!(
        e.kind,
        DecodeErrorKind::LimitExceeded {
            limit: Limit::Atoms,
            value: DEFAULT_MAX_ATOMS as u64 + 1,
            max: DEFAULT_MAX_ATOMS as u64,
        }
    );
    // The same input decodes under a higher limit.
    let limits = Limits::default().max_atoms(n as usize);
    let t = decode_with(&b, &limits).unwrap();
    assert_eq!(t.as_list().unwrap().len(), n as usize);
    // Atoms in node names count too.
    let pid = [
        &[131, 104, 2][..],
        &[88, 119, 1, b'n', 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
        &[88, 119, 1, b'n', 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
    ]
    .concat();
    let e = decode_with(&pid, &Limits::default().max_atoms(1)).unwrap_err();
    assert_limit(&e, Limit::Atoms);
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    z.write_all(data).unwrap();
    z.finish().unwrap()
}

fn compressed(declared: u32, stream: &[u8]) -> Vec<u8> {
    [&[131, 80][..], &declared.to_be_bytes(), stream].concat()
}

#[test]
fn compressed_bombs_are_refused_quickly() {
    // A body of 16 MiB: a binary of zeros.
    let size = 16 << 20;
    let mut body = vec![109];
    body.extend((size as u32 - 5).to_be_bytes());
    body.resize(size, 0);
    let stream = zlib(&body);
    assert!(stream.len() < 100_000);
    // Declared size beyond the limit: refused before inflating.
    let e = timed_err(&compressed(u32::MAX, &stream));
    assert_eq!(
        e.kind,
        DecodeErrorKind::LimitExceeded {
            limit: Limit::DecompressedBytes,
            value: u64::from(u32::MAX),
            max: 64 << 20,
        }
    );
    assert_eq!(e.offset, 2);
    // Declared small, actually 16 MiB: inflation stops past the declared size.
    let e = timed_err(&compressed(1000, &stream));
    assert!(
        matches!(e.kind, DecodeErrorKind::BadCompressed { .. }),
        "{e}"
    );
    // Declared and actual 16 MiB under a 1 MiB limit.
    let limits = Limits::default().max_decompressed_bytes(1 << 20);
    let e = decode_with(&compressed(size as u32, &stream), &limits).unwrap_err();
    assert_limit(&e, Limit::DecompressedBytes);
    // Declared and actual 16 MiB within the limits: decodes.
    let t = decode(&compressed(size as u32, &stream)).unwrap();
    assert_eq!(t.as_binary().map(<[u8]>::len), Some(size - 5));
}

#[test]
fn broken_compressed_terms_are_typed_errors() {
    let body = [104, 2, 97, 1, 97, 2];
    let good = compressed(body.len() as u32, &zlib(&body));
    assert_eq!(
        decode(&good).unwrap(),
        Term::tuple([Term::Integer(1), Term::Integer(2)])
    );
    // Declared larger than the data.
    let e = err(&compressed(body.len() as u32 + 1, &zlib(&body)));
    assert!(
        matches!(e.kind, DecodeErrorKind::BadCompressed { .. }),
        "{e}"
    );
    // Corrupt stream.
    let e = err(&compressed(6, &[0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0xFF]));
    assert!(
        matches!(e.kind, DecodeErrorKind::BadCompressed { .. }),
        "{e}"
    );
    // Truncated stream, at every cut.
    let z = zlib(&body);
    for cut in 0..z.len() {
        let e = err(&compressed(6, &z[..cut]));
        assert!(
            matches!(e.kind, DecodeErrorKind::BadCompressed { .. }),
            "{cut}: {e}"
        );
    }
    // Bytes after the stream.
    let mut trailing = good.clone();
    trailing.push(0);
    let e = err(&trailing);
    assert_eq!(e.kind, DecodeErrorKind::TrailingBytes { count: 1 });
    // Body with bytes after its term.
    let e = err(&compressed(7, &zlib(&[104, 2, 97, 1, 97, 2, 106])));
    assert_eq!(e.kind, DecodeErrorKind::TrailingBytes { count: 1 });
    assert!(e.in_decompressed);
    // A compressed term inside a compressed term.
    let inner = compressed(1, &zlib(&[106]));
    let e = err(&compressed(inner.len() as u32 - 1, &zlib(&inner[1..])));
    assert!(
        matches!(e.kind, DecodeErrorKind::Unsupported { tag: 80, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("decompressed"));
    // Errors inside the body carry offsets into the inflated data.
    let e = err(&compressed(4, &zlib(&[104, 2, 97, 1])));
    assert_eq!(e.offset, 4);
    assert!(e.in_decompressed);
}

#[test]
fn malformed_terms_are_typed_errors() {
    use DecodeErrorKind as K;
    let cases: Vec<(&str, Vec<u8>, K)> = vec![
        ("empty", vec![], K::BadVersion { found: None }),
        (
            "bad version",
            vec![130, 106],
            K::BadVersion { found: Some(130) },
        ),
        (
            "trailing",
            vec![131, 106, 106],
            K::TrailingBytes { count: 1 },
        ),
        ("unknown tag 0", vec![131, 0], K::UnknownTag { tag: 0 }),
        (
            "unknown tag 255",
            vec![131, 255],
            K::UnknownTag { tag: 255 },
        ),
        (
            "dist header as term",
            vec![131, 68, 0],
            K::UnknownTag { tag: 68 },
        ),
        (
            "NaN",
            vec![131, 70, 0x7F, 0xF8, 0, 0, 0, 0, 0, 0],
            K::InvalidFloat,
        ),
        (
            "infinity",
            vec![131, 70, 0x7F, 0xF0, 0, 0, 0, 0, 0, 0],
            K::InvalidFloat,
        ),
        (
            "utf8 atom",
            vec![131, 119, 2, 0xC3, 0x28],
            K::InvalidUtf8Atom,
        ),
        (
            "dup map key",
            vec![131, 116, 0, 0, 0, 2, 97, 1, 97, 2, 97, 1, 97, 3],
            K::DuplicateMapKey,
        ),
        (
            "bits 0",
            vec![131, 77, 0, 0, 0, 1, 0, 255],
            K::Invalid {
                reason: "BIT_BINARY_EXT bits must be 1 to 8",
            },
        ),
        (
            "bits 9",
            vec![131, 77, 0, 0, 0, 1, 9, 255],
            K::Invalid {
                reason: "BIT_BINARY_EXT bits must be 1 to 8",
            },
        ),
        (
            "ref of 0 words",
            vec![131, 90, 0, 0, 119, 1, b'n', 0, 0, 0, 0],
            K::Invalid {
                reason: "a reference has 1 to 5 id words",
            },
        ),
        (
            "ref of 6 words",
            [&[131, 90, 0, 6, 119, 1, b'n', 0, 0, 0, 0][..], &[0; 24]].concat(),
            K::Invalid {
                reason: "a reference has 1 to 5 id words",
            },
        ),
        (
            "pid node not an atom",
            vec![131, 88, 97, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            K::Invalid {
                reason: "expected an atom",
            },
        ),
        (
            "export arity 256",
            vec![131, 113, 119, 1, b'm', 119, 1, b'f', 98, 0, 0, 1, 0],
            K::Invalid {
                reason: "EXPORT_EXT arity is not 0..=255",
            },
        ),
    ];
    for (what, bytes, kind) in cases {
        let e = err(&bytes);
        assert_eq!(e.kind, kind, "{what}: {e}");
        assert!(
            e.to_string().contains(&format!("byte {}", e.offset)),
            "{what}: {e}"
        );
    }
    let e = err(&[131, 121, 0, 0, 0, 0]);
    assert!(matches!(e.kind, K::Unsupported { tag: 121, .. }), "{e}");
    let e = err(&[131, 82, 0]);
    assert!(matches!(e.kind, K::Unsupported { tag: 82, .. }), "{e}");
    let e = err(&[131, 117, 0, 0, 0, 0]);
    assert!(matches!(e.kind, K::Unsupported { tag: 117, .. }), "{e}");
    // An atom of 256 Latin-1 characters.
    let mut b = vec![131, 100, 1, 0];
    b.resize(4 + 256, b'a');
    assert_eq!(err(&b).kind, K::AtomTooLong { chars: 256 });
    // FLOAT_EXT text that is no number, or not finite.
    for text in ["garbage", "inf", "nan", ""] {
        let mut b = vec![131, 99];
        b.extend(text.as_bytes());
        b.resize(2 + 31, 0);
        assert_eq!(err(&b).kind, K::InvalidFloat, "{text:?}");
    }
    // A NEW_FUN_EXT whose size field disagrees with its content.
    let fun = crate::util::golden_v2("fun_closure_1");
    let mut bad = fun.clone();
    bad[5] = bad[5].wrapping_add(1);
    assert!(matches!(err(&bad).kind, K::Invalid { .. }));
    // Every byte value as a tag: never a panic.
    for tag in 0..=255u8 {
        let _ = decode(&[131, tag, 0, 0, 0, 1, 106, 106]);
    }
}

#[test]
fn accepted_oddities_decode_like_erts() {
    // Maps out of order are sorted; SMALL_BIG of a small value is an integer;
    // any non-zero sign byte is negative; a 0-length LIST_EXT is its tail;
    // bits = 8 is a whole byte; unused bits are cleared.
    let cases: Vec<(Vec<u8>, Term)> = vec![
        (
            vec![131, 116, 0, 0, 0, 2, 97, 2, 97, 2, 97, 1, 97, 3],
            Term::map([(2.into(), 2.into()), (1.into(), 3.into())]),
        ),
        (vec![131, 110, 1, 0, 5], Term::Integer(5)),
        (vec![131, 110, 1, 2, 5], Term::Integer(-5)),
        (vec![131, 110, 0, 0], Term::Integer(0)),
        (vec![131, 110, 1, 1, 0], Term::Integer(0)),
        (vec![131, 108, 0, 0, 0, 0, 97, 1], Term::Integer(1)),
        (vec![131, 108, 0, 0, 0, 0, 106], Term::nil()),
        (vec![131, 77, 0, 0, 0, 1, 8, 255], Term::binary(vec![255])),
        (vec![131, 77, 0, 0, 0, 0, 0], Term::binary(vec![])),
        (
            vec![131, 77, 0, 0, 0, 1, 3, 255],
            Term::bitstring(vec![0b1110_0000], 3).unwrap(),
        ),
        (
            // [1 | [2 | x]] with the inner list as its own LIST_EXT.
            vec![
                131, 108, 0, 0, 0, 1, 97, 1, 108, 0, 0, 0, 1, 97, 2, 119, 1, b'x',
            ],
            Term::improper_list([1.into(), 2.into()], Term::atom("x")),
        ),
        (
            // [1 | "ab"]
            vec![131, 108, 0, 0, 0, 1, 97, 1, 107, 0, 2, b'a', b'b'],
            Term::list([1.into(), 97.into(), 98.into()]),
        ),
    ];
    for (bytes, want) in cases {
        assert_eq!(decode(&bytes).unwrap(), want, "{bytes:?}");
    }
}

/// Tags OTP 25-27 no longer write but still read: Latin-1 atoms, the pre-OTP
/// 23 pid, port and reference forms.
#[test]
fn old_tags_decode() {
    use girder_term::{Atom, ExternalPid, ExternalPort, ExternalRef};
    let n = || Atom::new("n@h").unwrap();
    let cases: Vec<(Vec<u8>, Term)> = vec![
        (vec![131, 115, 2, b'o', b'k'], Term::atom("ok")),
        (vec![131, 115, 2, b'h', 0xE9], Term::atom("hé")),
        (vec![131, 100, 0, 1, 0xFF], Term::atom("ÿ")),
        (
            vec![
                131, 103, 115, 3, b'n', b'@', b'h', 0, 0, 0, 5, 0, 0, 0, 1, 2,
            ],
            Term::Pid(ExternalPid {
                node: n(),
                id: 5,
                serial: 1,
                creation: 2,
            }),
        ),
        (
            vec![131, 102, 100, 0, 3, b'n', b'@', b'h', 0, 0, 0, 9, 3],
            Term::Port(ExternalPort {
                node: n(),
                id: 9,
                creation: 3,
            }),
        ),
        (
            vec![131, 101, 119, 3, b'n', b'@', b'h', 0, 0, 0, 7, 1],
            Term::Reference(ExternalRef {
                node: n(),
                creation: 1,
                id: vec![7],
            }),
        ),
        (
            vec![
                131, 114, 0, 2, 119, 3, b'n', b'@', b'h', 3, 0, 0, 0, 1, 0, 0, 0, 2,
            ],
            Term::Reference(ExternalRef {
                node: n(),
                creation: 3,
                id: vec![1, 2],
            }),
        ),
        (
            vec![
                131, 120, 119, 3, b'n', b'@', b'h', 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 6,
            ],
            Term::Port(ExternalPort {
                node: n(),
                id: 4,
                creation: 6,
            }),
        ),
    ];
    for (bytes, want) in cases {
        assert_eq!(decode(&bytes).unwrap(), want, "{bytes:?}");
    }
    // What erts 25's term_to_binary(binary_to_term(Old), [{minor_version, 2}])
    // gives for old forms: ours re-encodes them the same.
    let reencoded: [(&[u8], &[u8]); 5] = [
        (&[131, 115, 2, 104, 233], &[131, 119, 3, 104, 195, 169]),
        (
            &[131, 103, 115, 3, 110, 64, 104, 0, 0, 0, 5, 0, 0, 0, 1, 2],
            &[
                131, 88, 119, 3, 110, 64, 104, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 2,
            ],
        ),
        (
            &[131, 102, 100, 0, 3, 110, 64, 104, 0, 0, 0, 9, 3],
            &[131, 89, 119, 3, 110, 64, 104, 0, 0, 0, 9, 0, 0, 0, 3],
        ),
        (
            &[131, 101, 119, 3, 110, 64, 104, 0, 0, 0, 7, 1],
            &[131, 90, 0, 1, 119, 3, 110, 64, 104, 0, 0, 0, 1, 0, 0, 0, 7],
        ),
        (
            &[
                131, 114, 0, 2, 119, 3, 110, 64, 104, 3, 0, 0, 0, 1, 0, 0, 0, 2,
            ],
            &[
                131, 90, 0, 2, 119, 3, 110, 64, 104, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2,
            ],
        ),
    ];
    for (old, erts) in reencoded {
        assert_eq!(encode(&decode(old).unwrap()).unwrap(), erts, "{old:?}");
    }
}

/// A term nested as deep as the default limit allows can be dropped, cloned,
/// compared, printed and encoded on a thread with a 512 KiB stack, a quarter
/// of Rust's default 2 MiB, even in a debug build (what the `max_depth` docs
/// promise).
#[test]
fn max_depth_terms_are_safe_on_a_small_stack() {
    let depth = DEFAULT_MAX_DEPTH;
    let shapes = [
        nested(&[108, 0, 0, 0, 1], depth, &[106], &[106]),
        nested(&[104, 1], depth, &[106], &[]),
        nested(&[116, 0, 0, 0, 1], depth, &[106], &[97, 1]),
        nested(&[108, 0, 0, 0, 2], depth, &[106], &[97, 1, 106]),
    ];
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            for bytes in shapes {
                let t = decode(&bytes).unwrap();
                let copy = t.clone();
                assert_eq!(copy, t);
                assert!(copy <= t);
                assert!(!t.to_string().is_empty());
                assert_eq!(encode(&t).unwrap(), bytes);
                drop(copy);
                drop(t);
            }
            // One level deeper is refused.
            let e = decode(&nested(&[104, 1], depth + 1, &[106], &[])).unwrap_err();
            assert_eq!(e.limit(), Some(Limit::Depth));
        })
        .unwrap()
        .join()
        .unwrap();
}
