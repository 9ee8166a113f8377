//! Encode and decode of typical messages, by girder-term and, in the same run,
//! by Erlang's `term_to_binary/1` and `binary_to_term/1` on the same terms
//! (timed inside a running `erl` by `tests/data/etf_port.escript`, which
//! reports the nanoseconds it measured for N iterations).
//!
//! ```text
//! cargo bench -p girder-term --bench codec -- --warm-up-time 1 --measurement-time 3 --noplot
//! ```
//!
//! Without `erl` on the PATH the Erlang rows are skipped with a note.
// criterion's macros generate undocumented functions.
#![allow(missing_docs)]

use std::hint::black_box;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use girder_term::{Atom, ExternalPid, ExternalRef, Term, decode, encode};

/// A running `escript tests/data/etf_port.escript`.
struct Erl {
    child: Child,
    stdin: ChildStdin,
    stdout: ChildStdout,
}

impl Erl {
    fn start() -> Option<Erl> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/etf_port.escript");
        match Command::new("escript")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
        {
            Ok(mut child) => {
                let stdin = child.stdin.take()?;
                let stdout = child.stdout.take()?;
                Some(Erl {
                    child,
                    stdin,
                    stdout,
                })
            }
            Err(e) => {
                eprintln!("note: no erl ({e}); skipping the Erlang rows");
                None
            }
        }
    }

    fn send(&mut self, request: &Term) -> std::io::Result<()> {
        let bytes = encode(request).expect("encode");
        self.stdin.write_all(&(bytes.len() as u32).to_be_bytes())?;
        self.stdin.write_all(&bytes)?;
        self.stdin.flush()
    }

    fn call(&mut self, request: &Term) -> Term {
        self.send(request).expect("write to erl");
        let mut len = [0u8; 4];
        self.stdout.read_exact(&mut len).expect("read");
        let mut reply = vec![0u8; u32::from_be_bytes(len) as usize];
        self.stdout.read_exact(&mut reply).expect("read");
        decode(&reply).expect("decode")
    }

    /// How long Erlang took to run `op` (`bench_encode`/`bench_decode`) on
    /// `bytes` `iters` times, as it measured it.
    fn time(&mut self, op: &str, bytes: &[u8], iters: u64) -> Duration {
        let reply = self.call(&Term::tuple([
            Term::atom(op),
            Term::binary(bytes),
            Term::from(iters),
        ]));
        let ns = reply.as_i64().expect("nanoseconds");
        Duration::from_nanos(ns as u64)
    }
}

impl Drop for Erl {
    fn drop(&mut self) {
        let _ = self.send(&Term::atom("stop"));
        let _ = self.child.wait();
    }
}

fn node() -> Atom {
    Atom::new("girder@127.0.0.1").unwrap()
}

/// `{'$gen_call', {Pid, Ref}, {get, key}}`: a gen_server call.
fn gen_call() -> Term {
    let pid = Term::Pid(ExternalPid {
        node: node(),
        id: 117,
        serial: 0,
        creation: 1_700_000_000,
    });
    let reference = Term::Reference(ExternalRef {
        node: node(),
        creation: 1_700_000_000,
        id: vec![0x1234_5678, 0x9ABC_DEF0, 0x0FED_CBA9],
    });
    Term::tuple([
        Term::atom("$gen_call"),
        Term::tuple([pid, reference]),
        Term::tuple([Term::atom("get"), Term::atom("key")]),
    ])
}

/// A map of about 1 KB encoded: 30 atom keys with assorted values.
fn map_1k() -> Term {
    Term::map((0..30).map(|i| {
        let key = Term::atom(&format!("field_{i}"));
        let value = match i % 6 {
            0 => Term::Integer(i * 1_000_003),
            1 => Term::binary(format!(
                "the value of field number {i} of this record, as text"
            )),
            2 => Term::Float(i as f64 * 1.25),
            3 => Term::list([Term::Integer(i), Term::atom("x"), Term::Integer(-i)]),
            4 if i % 4 == 0 => Term::charlist("a charlist of some length, as Erlang strings are"),
            4 => Term::tuple([Term::atom("ok"), Term::Integer(i)]),
            _ => Term::boolean(i % 2 == 0),
        };
        (key, value)
    }))
}

fn binary_1m() -> Term {
    Term::binary(
        (0..1 << 20)
            .map(|i: u32| (i % 251) as u8)
            .collect::<Vec<u8>>(),
    )
}

fn bench(c: &mut Criterion) {
    let mut erl = Erl::start();
    let inputs = [
        ("gen_call", gen_call()),
        ("map_1k", map_1k()),
        ("binary_1m", binary_1m()),
    ];
    for (name, term) in &inputs {
        let bytes = encode(term).unwrap();
        eprintln!("{name}: {} bytes encoded", bytes.len());
        let mut group = c.benchmark_group(format!("encode/{name}"));
        group.bench_function("girder", |b| b.iter(|| encode(black_box(term)).unwrap()));
        if let Some(erl) = erl.as_mut() {
            group.bench_function("erlang", |b| {
                b.iter_custom(|iters| erl.time("bench_encode", &bytes, iters))
            });
        }
        group.finish();
        let mut group = c.benchmark_group(format!("decode/{name}"));
        group.bench_function("girder", |b| b.iter(|| decode(black_box(&bytes)).unwrap()));
        if let Some(erl) = erl.as_mut() {
            group.bench_function("erlang", |b| {
                b.iter_custom(|iters| erl.time("bench_decode", &bytes, iters))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
