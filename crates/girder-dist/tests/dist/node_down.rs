//! Connections that go away (DESIGN §4: "a lost connection turns into
//! `noconnection` exit signals for links and DOWN messages for monitors"):
//! `erlang:disconnect_node` from erl, `DistNode::disconnect` from us, the
//! erl OS process killed, and a node that cannot be reached at all; node
//! monitors (`monitor_node`, `monitor_nodes`) hear of each.

use girder::{Down, Exit, Pid, monitor, receive, receive_match, self_pid, trap_exit};
use girder_dist::{DistNode, NodeDown, NodeDownReason, NodeName, NodeUp};
use girder_term::{Atom, ExternalPid, Term};
use tokio::sync::mpsc;

use crate::util::{Erl, Girder, girder_and_erl, have_erlang, next};

/// Links and monitors across the connection, made from both sides, and the
/// erl processes that report what reaches them to the shell:
///
/// * girder `a` (trapping) links erl `q1` (trapping);
/// * girder `b` monitors `q1` by pid and by name;
/// * erl `p` (trapping) links girder `c` (trapping);
/// * erl `r` monitors girder `d`;
/// * girder `n` has `monitor_node(e, true)` and `monitor_nodes(true)`.
///
/// Returns the girder processes' reports once all of it is in place.
async fn cross(g: &Girder, erl: &mut Erl, e: &NodeName) -> mpsc::UnboundedReceiver<String> {
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    assert_eq!(
        erl.eval(
            "Shell = self(), Q1 = spawn(fun() -> process_flag(trap_exit, true), \
             receive {'EXIT', F, W} -> Shell ! {q1, node(F), W} end end), register(q1, Q1), ok."
        )
        .await,
        "ok"
    );
    let (node, report) = (g.node.clone(), tx.clone());
    g.spawn(async move {
        trap_exit(true);
        girder::register("a", self_pid()).unwrap();
        report.send("a ready".into()).unwrap();
        let q1 = node.pid_of(&receive::<Term>().await).unwrap();
        girder::link(q1);
        report.send("a linked".into()).unwrap();
        let exit = receive::<Exit>().await;
        report
            .send(format!(
                "a: exit {} from q1 {}",
                exit.reason,
                exit.from == q1
            ))
            .unwrap();
    });
    assert_eq!(next(&mut rx).await, "a ready");
    assert_eq!(
        erl.eval("{a, 'g@127.0.0.1'} ! whereis(q1), ok.").await,
        "ok"
    );
    assert_eq!(next(&mut rx).await, "a linked");

    let (node, report, at) = (g.node.clone(), tx.clone(), e.clone());
    g.spawn(async move {
        girder::register("b", self_pid()).unwrap();
        report.send("b ready".into()).unwrap();
        let q1 = node.pid_of(&receive::<Term>().await).unwrap();
        let by_pid = monitor(q1);
        let by_name = node.monitor_name(&Atom::new("q1").unwrap(), &at);
        report.send("b monitoring".into()).unwrap();
        for _ in 0..2 {
            let d = receive::<Down>().await;
            let how = if d.monitor == by_pid {
                "pid"
            } else if d.monitor == by_name {
                "name"
            } else {
                "?"
            };
            report
                .send(format!("b: down {} by {how}", d.reason))
                .unwrap();
        }
    });
    assert_eq!(next(&mut rx).await, "b ready");
    assert_eq!(
        erl.eval("{b, 'g@127.0.0.1'} ! whereis(q1), ok.").await,
        "ok"
    );
    assert_eq!(next(&mut rx).await, "b monitoring");

    let (node, report, at) = (g.node.clone(), tx.clone(), e.clone());
    g.spawn(async move {
        trap_exit(true);
        node.send_to(
            "shell",
            &at,
            &Term::tuple([Term::atom("c"), node.pid_term(self_pid()).unwrap()]),
        )
        .unwrap();
        // p's LINK comes before its message.
        let linked = receive::<Term>().await;
        report.send(format!("c {linked}")).unwrap();
        let exit = receive::<Exit>().await;
        report
            .send(format!(
                "c: exit {} from p {}",
                exit.reason,
                !exit.from.is_local()
            ))
            .unwrap();
    });
    assert_eq!(
        erl.eval(
            "Shell = self(), C = receive {c, X} -> X after 10000 -> timeout end, \
             spawn(fun() -> process_flag(trap_exit, true), link(C), C ! linked, \
             receive {'EXIT', F, W} -> Shell ! {p, node(F), W} end end), ok."
        )
        .await,
        "ok"
    );
    assert_eq!(next(&mut rx).await, "c linked");

    let (node, report, at) = (g.node.clone(), tx.clone(), e.clone());
    g.spawn(async move {
        node.send_to(
            "shell",
            &at,
            &Term::tuple([Term::atom("d"), node.pid_term(self_pid()).unwrap()]),
        )
        .unwrap();
        let monitored = receive::<Term>().await;
        report.send(format!("d {monitored}")).unwrap();
        receive::<()>().await;
    });
    assert_eq!(
        erl.eval(
            "Shell = self(), D = receive {d, X} -> X after 10000 -> timeout end, \
             spawn(fun() -> M = monitor(process, D), D ! monitored, \
             receive {'DOWN', M, process, D, W} -> Shell ! {r, W} end end), ok."
        )
        .await,
        "ok"
    );
    assert_eq!(next(&mut rx).await, "d monitored");

    let (node, report, at) = (g.node.clone(), tx, e.clone());
    g.spawn(async move {
        node.monitor_node(&at, true);
        node.monitor_nodes(true);
        report.send("n watching".into()).unwrap();
        for _ in 0..2 {
            let down = receive::<NodeDown>().await;
            report.send(format!("n: nodedown {}", down.node)).unwrap();
        }
    });
    assert_eq!(next(&mut rx).await, "n watching");
    rx
}

/// The girder side after the connection went: every link and monitor
/// fired with `noconnection`, and both node monitors fired.
async fn expect_noconnection_in_girder(rx: &mut mpsc::UnboundedReceiver<String>) {
    let mut got = Vec::new();
    for _ in 0..6 {
        got.push(next(rx).await);
    }
    got.sort();
    assert_eq!(
        got,
        [
            "a: exit noconnection from q1 true",
            "b: down noconnection by name",
            "b: down noconnection by pid",
            "c: exit noconnection from p true",
            "n: nodedown e@127.0.0.1",
            "n: nodedown e@127.0.0.1",
        ]
    );
}

/// The erl side after the connection went: `q1` (linked by `a`) and `p`
/// (linked to `c`) got `{'EXIT', _, noconnection}`, `r` (monitoring `d`)
/// got a `'DOWN'` with `noconnection`.
async fn expect_noconnection_in_erl(erl: &mut Erl) {
    let got = erl
        .eval(
            "[receive {q1, N1, W1} -> {N1, W1} after 10000 -> q1_timeout end, \
             receive {p, N2, W2} -> {N2, W2} after 10000 -> p_timeout end, \
             receive {r, W3} -> W3 after 10000 -> r_timeout end].",
        )
        .await;
    assert_eq!(
        got,
        "[{'g@127.0.0.1',noconnection},{'g@127.0.0.1',noconnection},noconnection]"
    );
}

/// `erlang:disconnect_node/1` on the erl side: `noconnection` on both sides.
#[tokio::test]
async fn erl_disconnect_node_fires_noconnection_on_both_sides() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, e) = girder_and_erl().await;
    let mut rx = cross(&g, &mut erl, &e).await;
    assert_eq!(
        erl.eval("erlang:disconnect_node('g@127.0.0.1').").await,
        "true"
    );
    expect_noconnection_in_girder(&mut rx).await;
    expect_noconnection_in_erl(&mut erl).await;
    assert!(g.node.nodes().is_empty());
}

/// `DistNode::disconnect` on our side: `noconnection` on both sides.
#[tokio::test]
async fn girder_disconnect_fires_noconnection_on_both_sides() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, e) = girder_and_erl().await;
    let mut rx = cross(&g, &mut erl, &e).await;
    assert!(g.node.disconnect(&e));
    expect_noconnection_in_girder(&mut rx).await;
    expect_noconnection_in_erl(&mut erl).await;
}

/// The erl OS process is killed: every link and monitor on our side fires
/// `noconnection`, and afterwards a link and a monitor to one of its pids
/// get `noconnection` (the node cannot be reached) instead of hanging.
#[tokio::test]
async fn killing_erl_fires_noconnection_everywhere_and_nothing_hangs() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, e) = girder_and_erl().await;
    let mut rx = cross(&g, &mut erl, &e).await;
    let q1 = erl_pid_of_q1(&g, &mut erl).await;
    erl.kill().await;
    expect_noconnection_in_girder(&mut rx).await;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    g.spawn(async move {
        trap_exit(true);
        girder::link(q1);
        let exit = receive::<Exit>().await;
        let m = monitor(q1);
        let down = receive_match(move |d: &Down| d.monitor == m).await;
        tx.send(format!("link {}, monitor {}", exit.reason, down.reason))
            .unwrap();
    });
    assert_eq!(
        next(&mut rx).await,
        "link noconnection, monitor noconnection"
    );
}

/// erl's `q1` as a girder pid.
async fn erl_pid_of_q1(g: &Girder, erl: &mut Erl) -> Pid {
    let (tx, mut rx) = mpsc::unbounded_channel::<Option<Pid>>();
    let node = g.node.clone();
    g.spawn(async move {
        girder::register("q1_pid", self_pid()).unwrap();
        tx.send(None).unwrap();
        tx.send(node.pid_of(&receive::<Term>().await)).unwrap();
    });
    assert_eq!(next(&mut rx).await, None);
    assert_eq!(
        erl.eval("{q1_pid, 'g@127.0.0.1'} ! whereis(q1), ok.").await,
        "ok"
    );
    next(&mut rx).await.expect("q1 is a pid")
}

/// A node that is not running: a link and a monitor to one of its pids get
/// `noconnection` once the auto-connect fails, `monitor_node` gets a
/// `NodeDown`, and a `monitor_nodes` subscriber hears of nothing but that.
/// (No Erlang needed.)
#[tokio::test]
async fn an_unreachable_node_gives_noconnection() {
    let port = crate::util::free_port();
    let g = Girder::start("g@127.0.0.1", "c", port).await;
    let ghost = NodeName::parse("ghost@127.0.0.1").unwrap();
    let pid = g
        .node
        .pid(&ExternalPid {
            node: ghost.atom().clone(),
            id: 77,
            serial: 0,
            creation: 1,
        })
        .unwrap();
    assert!(!pid.is_local());
    assert_eq!(g.node.external_pid(pid).unwrap().id, 77);
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let node: DistNode = g.node.clone();
    g.spawn(async move {
        trap_exit(true);
        girder::link(pid);
        let exit = receive::<Exit>().await;
        let m = monitor(pid);
        let down = receive_match(move |d: &Down| d.monitor == m).await;
        node.monitor_node(&ghost, true);
        let nodedown = receive::<NodeDown>().await;
        let reason = match nodedown.reason {
            NodeDownReason::ConnectFailed(_) => "connect failed",
            _ => "other",
        };
        tx.send(format!(
            "link {} from ghost {}, monitor {}, {} {reason}",
            exit.reason,
            exit.from == pid,
            down.reason,
            nodedown.node
        ))
        .unwrap();
    });
    assert_eq!(
        next(&mut rx).await,
        "link noconnection from ghost true, monitor noconnection, ghost@127.0.0.1 connect failed"
    );
}

/// `monitor_nodes(true)` hears `NodeUp` when erl connects and `NodeDown`
/// when it goes; `nodes()` lists it while connected.
#[tokio::test]
async fn monitor_nodes_sees_up_and_down() {
    if !have_erlang() {
        return;
    }
    let port = crate::util::free_port();
    let g = Girder::start("g@127.0.0.1", "c", port).await;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let node = g.node.clone();
    g.spawn(async move {
        node.monitor_nodes(true);
        tx.send("subscribed".into()).unwrap();
        let up = receive::<NodeUp>().await;
        tx.send(format!(
            "up {} listed {}",
            up.node,
            node.nodes().contains(&up.node)
        ))
        .unwrap();
        let down = receive::<NodeDown>().await;
        tx.send(format!(
            "down {} listed {}",
            down.node,
            node.nodes().contains(&down.node)
        ))
        .unwrap();
    });
    assert_eq!(next(&mut rx).await, "subscribed");
    let mut erl = Erl::start("e@127.0.0.1", "c", port, &[]).await;
    assert_eq!(erl.eval("net_adm:ping('g@127.0.0.1').").await, "pong");
    assert_eq!(next(&mut rx).await, "up e@127.0.0.1 listed true");
    assert_eq!(
        erl.eval("erlang:disconnect_node('g@127.0.0.1').").await,
        "true"
    );
    assert_eq!(next(&mut rx).await, "down e@127.0.0.1 listed false");
}
