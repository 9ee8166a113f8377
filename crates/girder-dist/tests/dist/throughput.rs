//! A million messages each way between a girder process and an Erlang
//! process, in order, none lost. Not a benchmark (nothing is asserted about
//! time; the elapsed time is printed): a check that ordering and delivery
//! hold under a sustained stream, with the connection's queue and erl's
//! busy-port suspension in play.

use std::time::Instant;

use girder::{receive, self_pid, yield_now};
use girder_term::Term;
use tokio::sync::mpsc;

use crate::util::{girder_and_erl, have_erlang, next};

const N: i64 = 1_000_000;

/// The Erlang side, compiled (a loop through `erl_eval` would measure the
/// interpreter): `count/2` takes `0, 1, 2, ...` in order and reports how
/// many, or the first out of place; `blast/2` sends `0..N-1`.
const PEER: &str = "-module(girder_stream).
-export([count/2, blast/2]).
count(I, Shell) ->
    receive
        I -> count(I + 1, Shell);
        done -> Shell ! {count, I};
        Other -> Shell ! {out_of_order, I, Other}
    end.
blast(P, N) -> blast(P, 0, N).
blast(_, N, N) -> ok;
blast(P, I, N) -> P ! I, blast(P, I + 1, N).
";

/// girder → erl: an erl process takes each integer only if it is the next
/// one, and reports the first that is not; at the end it reports how many
/// it took.
#[tokio::test]
async fn a_million_messages_girder_to_erl_in_order() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, _e) = girder_and_erl().await;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let node = g.node.clone();
    g.spawn(async move {
        girder::register("blaster", self_pid()).unwrap();
        tx.send("ready".into()).unwrap();
        let counter = node.pid_of(&receive::<Term>().await).unwrap();
        let start = Instant::now();
        for i in 0..N {
            girder::send(counter, Term::Integer(i));
            if i % 1024 == 0 {
                yield_now().await;
            }
        }
        girder::send(counter, Term::atom("done"));
        tx.send(format!("sent in {:?}", start.elapsed())).unwrap();
    });
    assert_eq!(next(&mut rx).await, "ready");
    erl.load_module("girder_stream", PEER).await;
    let started = erl
        .eval("C = spawn(girder_stream, count, [0, self()]), {blaster, 'g@127.0.0.1'} ! C, ok.")
        .await;
    assert_eq!(started, "ok");
    let start = Instant::now();
    eprintln!("{}", next(&mut rx).await);
    let got = erl
        .eval("receive {count, N} -> N; {out_of_order, _, _} = X -> X after 60000 -> timeout end.")
        .await;
    eprintln!(
        "girder → erl: {N} messages received in {:?}",
        start.elapsed()
    );
    assert_eq!(got, N.to_string());
}

/// erl → girder: a girder process takes the integers in order and reports
/// the first that is out of place, or the count.
#[tokio::test]
async fn a_million_messages_erl_to_girder_in_order() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, e) = girder_and_erl().await;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let node = g.node.clone();
    g.spawn(async move {
        let me = node.pid_term(self_pid()).unwrap();
        node.send_to("shell", &e, &Term::tuple([Term::atom("sink"), me]))
            .unwrap();
        let mut start = None;
        for i in 0..N {
            let t = receive::<Term>().await;
            start.get_or_insert_with(Instant::now);
            if t.as_i64() != Some(i) {
                tx.send(format!("out of order at {i}: {t}")).unwrap();
                return;
            }
        }
        tx.send(format!(
            "{N} in order in {:?}",
            start.map(|s| s.elapsed()).unwrap_or_default()
        ))
        .unwrap();
    });
    erl.load_module("girder_stream", PEER).await;
    let sent = erl
        .eval("P = receive {sink, X} -> X after 10000 -> timeout end, girder_stream:blast(P, 1000000).")
        .await;
    assert_eq!(sent, "ok");
    let report = next(&mut rx).await;
    eprintln!("erl → girder: {report}");
    assert!(report.starts_with(&format!("{N} in order")), "{report}");
}
