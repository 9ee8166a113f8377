//! Two girder runtimes in one test process, each a node on loopback, with
//! the embedded EPMD the first one starts: sends, links, monitors and exit
//! reasons between them, the second node stopping, and a restarted node
//! whose old pids no longer reach anything. No Erlang needed.

use girder::{
    Down, Exit, ExitReason, Pid, Reason, monitor, receive, receive_match, self_pid, trap_exit,
};
use girder_dist::{DistNode, NodeName, reason_to_term};
use girder_term::{Atom, Term};
use tokio::sync::mpsc;

use crate::util::{Girder, free_port, next};

async fn two() -> (Girder, Girder, u16) {
    let port = free_port();
    let a = Girder::start("a@127.0.0.1", "c", port).await;
    let b = Girder::start("b@127.0.0.1", "c", port).await;
    (a, b, port)
}

/// On `g`: a process registered as `echo` that answers `{From, T}` with `T`
/// sent to `From`, and `{From, pid}` with its own pid. Returns once it is
/// registered.
async fn echo(g: &Girder) -> Pid {
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    let node = g.node.clone();
    let pid = g.spawn(async move {
        girder::register("echo", self_pid()).unwrap();
        tx.send(()).unwrap();
        loop {
            let t = receive::<Term>().await;
            let Some([from, what]) = t.as_tuple() else {
                continue;
            };
            let Some(from) = node.pid_of(from) else {
                continue;
            };
            if what.is_atom("pid") {
                girder::send(from, node.pid_term(self_pid()).unwrap());
            } else {
                girder::send(from, what.clone());
            }
        }
    });
    next(&mut rx).await;
    pid
}

/// The pid of `b`'s `echo`, asked for from a process on `a`.
async fn echo_pid(a: &Girder, b: &NodeName) -> Pid {
    let (tx, mut rx) = mpsc::unbounded_channel::<Pid>();
    let node = a.node.clone();
    let b = b.clone();
    a.spawn(async move {
        let me = node.pid_term(self_pid()).unwrap();
        node.send_to("echo", &b, &Term::tuple([me, Term::atom("pid")]))
            .unwrap();
        let pid = node.pid_of(&receive::<Term>().await).unwrap();
        tx.send(pid).unwrap();
    });
    next(&mut rx).await
}

/// Registered sends, pid sends and serde sends between two girder nodes,
/// and 100,000 messages in order.
#[tokio::test]
async fn sends_between_two_girder_nodes() {
    let (a, b, _) = two().await;
    echo(&b).await;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let node = a.node.clone();
    let b_name = b.node.name().clone();
    a.spawn(async move {
        let me = node.pid_term(self_pid()).unwrap();
        node.send_to(
            "echo",
            &b_name,
            &Term::tuple([me.clone(), Term::atom("hello")]),
        )
        .unwrap();
        tx.send(receive::<Term>().await.to_string()).unwrap();
        node.send_to(
            "echo",
            &b_name,
            &Term::tuple([me.clone(), Term::atom("pid")]),
        )
        .unwrap();
        let echo = node.pid_of(&receive::<Term>().await).unwrap();
        tx.send(format!("echo is remote: {}", !echo.is_local()))
            .unwrap();
        node.send(echo, &(me.clone(), vec![1u8, 2, 3])).unwrap();
        tx.send(receive::<Term>().await.to_string()).unwrap();
        for i in 0..100_000i64 {
            girder::send(echo, Term::tuple([me.clone(), Term::Integer(i)]));
        }
        for i in 0..100_000i64 {
            let t = receive::<Term>().await;
            if t.as_i64() != Some(i) {
                tx.send(format!("out of order at {i}: {t}")).unwrap();
                return;
            }
        }
        tx.send("100000 in order".into()).unwrap();
    });
    assert_eq!(next(&mut rx).await, "hello");
    assert_eq!(next(&mut rx).await, "echo is remote: true");
    assert_eq!(next(&mut rx).await, "[1,2,3]");
    assert_eq!(next(&mut rx).await, "100000 in order");
    assert_eq!(a.node.nodes(), [b.node.name().clone()]);
    assert_eq!(b.node.nodes(), [a.node.name().clone()]);
}

/// A process on `a` links and monitors (by pid and by name) a process on
/// `b` and kills it: `Killed` everywhere. A process on `b` links one on
/// `a` that panics: the panic message crosses. An `ExitReason::Other`
/// holding a term crosses as that term.
#[tokio::test]
async fn links_monitors_and_exit_reasons_between_two_girder_nodes() {
    let (a, b, _) = two().await;
    echo(&b).await;
    let b_name = b.node.name().clone();
    let victim = echo_pid(&a, &b_name).await;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let node = a.node.clone();
    let at = b_name.clone();
    a.spawn(async move {
        trap_exit(true);
        girder::link(victim);
        let by_pid = monitor(victim);
        let by_name = node.monitor_name(&Atom::new("echo").unwrap(), &at);
        girder::exit(victim, ExitReason::Kill);
        let exit = receive::<Exit>().await;
        let d1 = receive_match(move |d: &Down| d.monitor == by_pid).await;
        let d2 = receive_match(move |d: &Down| d.monitor == by_name).await;
        tx.send(format!(
            "exit {} from victim {}, down {} {}, name down {} {:?}",
            exit.reason,
            exit.from == victim,
            d1.reason,
            d1.pid == victim,
            d2.reason,
            node.registered_name(d2.pid)
                .map(|(n, at)| format!("{n}@{at}"))
        ))
        .unwrap();
    });
    assert_eq!(
        next(&mut rx).await,
        r#"exit killed from victim true, down killed true, name down killed Some("echo@b@127.0.0.1")"#
    );

    // b links a process on a, which exits with a panic, then one with a term.
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    for (i, order) in ["panic", "custom"].into_iter().enumerate() {
        let doomed = a.handle.spawn(async move {
            let t = receive::<Term>().await;
            if t.is_atom("panic") {
                panic!("boom {i}");
            }
            ExitReason::Other(Reason::new(Term::tuple([Term::atom("custom"), t])))
        });
        let doomed_ext = a.node.external_pid(doomed).unwrap();
        let node = b.node.clone();
        let tx = tx.clone();
        b.spawn(async move {
            trap_exit(true);
            let doomed = node.pid(&doomed_ext).unwrap();
            girder::link(doomed);
            girder::send(doomed, Term::atom(order));
            let exit = receive::<Exit>().await;
            tx.send(format!(
                "{:?} {}",
                exit.reason,
                reason_to_term(&exit.reason)
            ))
            .unwrap();
        });
        let got = next(&mut rx).await;
        if order == "panic" {
            assert_eq!(got, r#"Panic("boom 0") {panic,<<"boom 0">>}"#);
        } else {
            assert!(got.ends_with("{custom,custom}"), "{got}");
        }
    }
}

/// A node that stops: links and monitors across fire `noconnection`, a
/// `monitor_node` watcher gets its `NodeDown`. A node that restarts: its
/// old pids reach nothing (links and monitors get `noproc`), the new
/// incarnation's pids get a new node index.
#[tokio::test]
async fn a_stopped_and_restarted_girder_node() {
    let (a, b, port) = two().await;
    echo(&b).await;
    let b_name = b.node.name().clone();
    let old = echo_pid(&a, &b_name).await;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let node: DistNode = a.node.clone();
    let at = b_name.clone();
    a.spawn(async move {
        trap_exit(true);
        girder::link(old);
        let m = monitor(old);
        node.monitor_node(&at, true);
        tx.send("watching".into()).unwrap();
        let exit = receive::<Exit>().await;
        let down = receive_match(move |d: &Down| d.monitor == m).await;
        let nodedown = receive::<girder_dist::NodeDown>().await;
        tx.send(format!("{} {} {}", exit.reason, down.reason, nodedown.node))
            .unwrap();
    });
    assert_eq!(next(&mut rx).await, "watching");
    drop(b);
    assert_eq!(next(&mut rx).await, "noconnection noconnection b@127.0.0.1");

    let b = Girder::start("b@127.0.0.1", "c", port).await;
    echo(&b).await;
    let new = echo_pid(&a, &b_name).await;
    assert_ne!(new.node(), old.node(), "a new incarnation gets a new index");
    assert_eq!(new.creation(), b.node.creation());
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    a.spawn(async move {
        trap_exit(true);
        girder::link(old);
        let exit = receive::<Exit>().await;
        let m = monitor(old);
        let down = receive_match(move |d: &Down| d.monitor == m).await;
        tx.send(format!("{} {}", exit.reason, down.reason)).unwrap();
    });
    assert_eq!(next(&mut rx).await, "noproc noproc");
}
