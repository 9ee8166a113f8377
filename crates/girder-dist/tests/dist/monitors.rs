//! Monitors between girder processes and Erlang processes: by pid and by
//! registered name, both ways; `noproc` at once for a process or name that
//! is not there; demonitor both ways.

use std::time::Duration;

use girder::{Down, ExitReason, Reason, demonitor, monitor, receive, receive_match, self_pid};
use girder_dist::reason_to_term;
use girder_term::{Atom, Term};
use tokio::sync::mpsc;

use crate::util::{girder_and_erl, have_erlang, next};

/// A girder process monitors an erl process by pid and by `{q, e}`: both
/// `DOWN`s carry the erl exit reason, the name monitor's pid names
/// `{q, e}`; a name nobody has is `noproc` at once; after a demonitor the
/// erl process is no longer monitored and no `DOWN` comes for it.
#[tokio::test]
async fn girder_monitors_erl_by_pid_and_by_name() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, e) = girder_and_erl().await;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let node = g.node.clone();
    g.spawn(async move {
        girder::register("watcher", self_pid()).unwrap();
        tx.send("ready".into()).unwrap();
        let q = node.pid_of(&receive::<Term>().await).unwrap();
        let by_pid = monitor(q);
        let by_name = node.monitor_name(&Atom::new("q").unwrap(), &e);
        let nobody = node.monitor_name(&Atom::new("nobody").unwrap(), &e);
        let d = receive_match(move |d: &Down| d.monitor == nobody).await;
        tx.send(format!(
            "nobody: {} {:?}",
            d.reason,
            node.registered_name(d.pid)
                .map(|(n, at)| format!("{n}@{at}"))
        ))
        .unwrap();
        tx.send("monitoring".into()).unwrap();
        let d = receive_match(move |d: &Down| d.monitor == by_pid).await;
        tx.send(format!(
            "by pid: {} {}",
            d.pid == q,
            reason_to_term(&d.reason)
        ))
        .unwrap();
        let d = receive_match(move |d: &Down| d.monitor == by_name).await;
        let kind = matches!(d.reason, ExitReason::ShutdownWith(_));
        tx.send(format!(
            "by name: {:?} {kind} {}",
            node.registered_name(d.pid)
                .map(|(n, at)| format!("{n}@{at}")),
            reason_to_term(&d.reason)
        ))
        .unwrap();
        // Demonitor: the erl process sees no monitor afterwards.
        let q2 = node.pid_of(&receive::<Term>().await).unwrap();
        let m = monitor(q2);
        demonitor(m);
        girder::send(q2, Term::atom("check"));
        let gone = receive::<Term>().await;
        let m2 = monitor(q2);
        let d = receive_match(move |d: &Down| d.monitor == m2).await;
        let stray = receive::<Down>().timeout(Duration::ZERO).await;
        tx.send(format!("{gone}: {} stray {stray:?}", d.reason))
            .unwrap();
    });
    assert_eq!(next(&mut rx).await, "ready");
    assert_eq!(
        erl.eval(
            "Q = spawn(fun() -> receive stop -> exit({shutdown, tired}) end end), register(q, Q), put(q, Q), \
             {watcher, 'g@127.0.0.1'} ! Q, ok."
        )
        .await,
        "ok"
    );
    assert_eq!(
        next(&mut rx).await,
        r#"nobody: noproc Some("nobody@e@127.0.0.1")"#
    );
    assert_eq!(next(&mut rx).await, "monitoring");
    assert_eq!(erl.eval("get(q) ! stop, ok.").await, "ok");
    assert_eq!(next(&mut rx).await, "by pid: true {shutdown,tired}");
    assert_eq!(
        next(&mut rx).await,
        r#"by name: Some("q@e@127.0.0.1") true {shutdown,tired}"#
    );
    let demonitored = erl
        .eval(
            "Shell = self(), Q2 = spawn(fun() -> receive check -> {monitored_by, M} = process_info(self(), monitored_by), \
             Shell ! {q2, M} end end), {watcher, 'g@127.0.0.1'} ! Q2, \
             M = receive {q2, X} -> X after 10000 -> timeout end, \
             R = monitor(process, Q2), receive {'DOWN', R, process, Q2, _} -> M after 10000 -> timeout end.",
        )
        .await;
    assert_eq!(demonitored, "[]");
    assert_eq!(
        erl.eval("{watcher, 'g@127.0.0.1'} ! q2_gone, ok.").await,
        "ok"
    );
    assert_eq!(next(&mut rx).await, "q2_gone: noproc stray None");
}

/// erl monitors a girder process by pid and by `{gnamed, g}`: both `DOWN`s
/// carry the girder exit reason as a term (the name one shows
/// `{gnamed, 'g@127.0.0.1'}`); a monitor of a name nobody has, or of a
/// girder process that is gone, is `noproc` at once; after erl
/// demonitors, the girder process is no longer monitored.
#[tokio::test]
async fn erl_monitors_girder_by_pid_and_by_name() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, e) = girder_and_erl().await;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let node = g.node.clone();
    let report = tx.clone();
    g.handle.spawn(async move {
        girder::register("gnamed", self_pid()).unwrap();
        node.send_to(
            "shell",
            &e,
            &Term::tuple([Term::atom("g"), node.pid_term(self_pid()).unwrap()]),
        )
        .unwrap();
        report.send("ready".into()).unwrap();
        let order = receive::<Term>().await;
        ExitReason::Other(Reason::new(order))
    });
    assert_eq!(next(&mut rx).await, "ready");
    let monitoring = erl
        .eval(
            "G = receive {g, P} -> P after 10000 -> timeout end, put(g, G), \
             put(r1, monitor(process, G)), put(r2, monitor(process, {gnamed, 'g@127.0.0.1'})), ok.",
        )
        .await;
    assert_eq!(monitoring, "ok");
    let downs = erl
        .eval(
            "G = get(g), R1 = get(r1), R2 = get(r2), G ! {custom, 42}, \
             A = receive {'DOWN', R1, process, P1, W1} -> {P1 =:= G, W1} after 10000 -> t1 end, \
             B = receive {'DOWN', R2, process, P2, W2} -> {P2, W2} after 10000 -> t2 end, {A, B}.",
        )
        .await;
    assert_eq!(
        downs,
        "{{true,{custom,42}},{{gnamed,'g@127.0.0.1'},{custom,42}}}"
    );
    assert_eq!(
        erl.eval("R = monitor(process, {nosuch, 'g@127.0.0.1'}), receive {'DOWN', R, process, Who, W} -> {Who, W} after 10000 -> timeout end.")
            .await,
        "{{nosuch,'g@127.0.0.1'},noproc}"
    );
    assert_eq!(
        erl.eval("R = monitor(process, get(g)), receive {'DOWN', R, process, _, W} -> W after 10000 -> timeout end.")
            .await,
        "noproc"
    );

    // erl demonitors a live girder process.
    let node = g.node.clone();
    let e = girder_dist::NodeName::parse("e@127.0.0.1").unwrap();
    g.spawn(async move {
        node.send_to(
            "shell",
            &e,
            &Term::tuple([Term::atom("g2"), node.pid_term(self_pid()).unwrap()]),
        )
        .unwrap();
        let check = receive::<Term>().await;
        let info = girder::process_info(self_pid()).unwrap();
        tx.send(format!("{check}: monitored by {}", info.monitored_by.len()))
            .unwrap();
    });
    let demonitored = erl
        .eval(
            "G = receive {g2, P} -> P after 10000 -> timeout end, R = monitor(process, G), \
             true = demonitor(R), G ! check, ok.",
        )
        .await;
    assert_eq!(demonitored, "ok");
    assert_eq!(next(&mut rx).await, "check: monitored by 0");
}
