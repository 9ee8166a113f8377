//! Links and exit signals between girder processes and Erlang processes
//! (DESIGN §4 across nodes): links made from either side, `exit(Pid,
//! kill)` both ways, exit reasons both ways, unlink with `UNLINK_ID` both
//! ways, and a link to a process that is gone.

use girder::{Down, Exit, ExitReason, Reason, monitor, receive, self_pid, trap_exit};
use girder_dist::reason_to_term;
use girder_term::Term;
use tokio::sync::mpsc;

use crate::util::{girder_and_erl, have_erlang, next};

/// erl links a girder process and kills it with `exit(G, kill)`: the girder
/// process dies `killed`, and the linked (trapping) erl process gets
/// `{'EXIT', G, killed}`.
#[tokio::test]
async fn erl_links_a_girder_process_and_kills_it() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, e) = girder_and_erl().await;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let node = g.node.clone();
    let victim = g.spawn(async move {
        node.send_to(
            "shell",
            &e,
            &Term::tuple([Term::atom("victim"), node.pid_term(self_pid()).unwrap()]),
        )
        .unwrap();
        receive::<()>().await;
    });
    let watch = tx.clone();
    g.spawn(async move {
        let m = monitor(victim);
        let down = girder::receive_match(move |d: &Down| d.monitor == m).await;
        watch.send(format!("victim down: {}", down.reason)).unwrap();
    });
    assert_eq!(
        erl.eval("receive {victim, G} -> put(g, G), ok after 10000 -> timeout end.")
            .await,
        "ok"
    );
    let linked = erl
        .eval(
            "Shell = self(), G = get(g), spawn(fun() -> process_flag(trap_exit, true), link(G), Shell ! linked, \
             receive {'EXIT', From, Why} -> Shell ! {p_exit, From =:= G, Why} end end), \
             receive linked -> ok after 10000 -> timeout end.",
        )
        .await;
    assert_eq!(linked, "ok");
    let killed = erl
        .eval("exit(get(g), kill), receive {p_exit, Same, Why} -> {Same, Why} after 10000 -> timeout end.")
        .await;
    assert_eq!(killed, "{true,killed}");
    assert_eq!(next(&mut rx).await, "victim down: killed");
}

/// A trapping girder process links an erl process and kills it with
/// `exit(Q, Kill)`: erl sees it die `killed`, and the girder process gets
/// `Exit { from: Q, reason: Killed }`.
#[tokio::test]
async fn a_girder_process_links_an_erl_process_and_kills_it() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, _e) = girder_and_erl().await;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let node = g.node.clone();
    g.spawn(async move {
        trap_exit(true);
        girder::register("killer", self_pid()).unwrap();
        tx.send("ready".into()).unwrap();
        let q = node.pid_of(&receive::<Term>().await).unwrap();
        girder::link(q);
        girder::exit(q, ExitReason::Kill);
        let exit = receive::<Exit>().await;
        tx.send(format!("exit from q: {} {}", exit.from == q, exit.reason))
            .unwrap();
    });
    assert_eq!(next(&mut rx).await, "ready");
    let started = erl
        .eval(
            "Q = spawn(fun() -> receive never -> ok end end), put(qmon, monitor(process, Q)), \
             {killer, 'g@127.0.0.1'} ! Q, ok.",
        )
        .await;
    assert_eq!(started, "ok");
    assert_eq!(next(&mut rx).await, "exit from q: true killed");
    assert_eq!(
        erl.eval(
            "R = get(qmon), receive {'DOWN', R, process, _, Why} -> Why after 10000 -> timeout end."
        )
        .await,
        "killed"
    );
}

/// Exit reasons cross both ways as terms: a girder panic reaches a linked
/// erl process as `{panic, <<"boom">>}`, an `ExitReason::Other` holding a
/// term as that term; an erl process's `{shutdown, tired}` reaches a
/// linked girder process as `ShutdownWith`; a link to a girder process
/// that is gone gets `noproc`.
#[tokio::test]
async fn exit_reasons_cross_both_ways() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, e) = girder_and_erl().await;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    // Two girder processes that exit with the reason they are told.
    for name in ["panicker", "custom"] {
        let node = g.node.clone();
        let e = e.clone();
        let tx = tx.clone();
        g.handle.spawn(async move {
            girder::register(name, self_pid()).unwrap();
            node.send_to(
                "shell",
                &e,
                &Term::tuple([Term::atom(name), node.pid_term(self_pid()).unwrap()]),
            )
            .unwrap();
            tx.send(format!("{name} ready")).unwrap();
            let order = receive::<Term>().await;
            if order.is_atom("panic") {
                panic!("boom");
            }
            ExitReason::Other(Reason::new(order))
        });
        assert_eq!(next(&mut rx).await, format!("{name} ready"));
    }
    let linked = erl
        .eval(
            "Shell = self(), [begin G = receive {N, P} -> P after 10000 -> timeout end, put(N, G), \
             spawn(fun() -> process_flag(trap_exit, true), link(G), Shell ! {linked, N}, \
             receive {'EXIT', G, Why} -> Shell ! {exited, N, Why} end end), \
             receive {linked, N} -> ok after 10000 -> timeout end end || N <- [panicker, custom]].",
        )
        .await;
    assert_eq!(linked, "[ok,ok]");
    let reasons = erl
        .eval(
            "get(panicker) ! panic, get(custom) ! {custom, 42}, \
             [receive {exited, N, Why} -> Why after 10000 -> timeout end || N <- [panicker, custom]].",
        )
        .await;
    assert_eq!(reasons, "[{panic,<<98,111,111,109>>},{custom,42}]");
    // A link to a girder process that is gone.
    let noproc = erl
        .eval(
            "process_flag(trap_exit, true), G = get(custom), link(G), \
             R = receive {'EXIT', G, Why} -> Why after 10000 -> timeout end, process_flag(trap_exit, false), R.",
        )
        .await;
    assert_eq!(noproc, "noproc");

    // erl → girder: a linked erl process exits with {shutdown, tired}.
    let node = g.node.clone();
    let report = tx.clone();
    g.spawn(async move {
        trap_exit(true);
        girder::register("trapper", self_pid()).unwrap();
        report.send("trapper ready".into()).unwrap();
        let q = node.pid_of(&receive::<Term>().await).unwrap();
        girder::link(q);
        girder::send(q, Term::atom("linked"));
        let exit = receive::<Exit>().await;
        let kind = match &exit.reason {
            ExitReason::ShutdownWith(_) => "shutdown_with",
            _ => "other",
        };
        report
            .send(format!("{kind} {}", reason_to_term(&exit.reason)))
            .unwrap();
    });
    assert_eq!(next(&mut rx).await, "trapper ready");
    assert_eq!(
        erl.eval(
            "Q = spawn(fun() -> receive linked -> exit({shutdown, tired}) end end), \
             {trapper, 'g@127.0.0.1'} ! Q, ok."
        )
        .await,
        "ok"
    );
    assert_eq!(next(&mut rx).await, "shutdown_with {shutdown,tired}");
}

/// Unlink both ways (`UNLINK_ID`, answered with `UNLINK_ID_ACK`): after a
/// girder process unlinks, the erl process's link is gone by the time the
/// girder process's next message arrives; after an erl process unlinks,
/// the girder process's link is gone by the time the erl process's next
/// message arrives; and no exit signal crosses the removed link.
#[tokio::test]
async fn unlink_both_ways() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, e) = girder_and_erl().await;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let node = g.node.clone();
    g.spawn(async move {
        trap_exit(true);
        girder::register("unlinker", self_pid()).unwrap();
        tx.send("ready".into()).unwrap();
        // girder unlinks
        let q = node.pid_of(&receive::<Term>().await).unwrap();
        girder::link(q);
        let me = node.pid_term(self_pid()).unwrap();
        girder::send(q, Term::tuple([Term::atom("linked"), me]));
        // q has counted its links before we unlink.
        let ack = receive::<Term>().await;
        assert!(ack.is_atom("ack"));
        girder::unlink(q);
        girder::send(q, Term::atom("unlinked"));
        // erl unlinks
        node.send_to(
            "shell",
            &e,
            &Term::tuple([Term::atom("g"), node.pid_term(self_pid()).unwrap()]),
        )
        .unwrap();
        let after = receive::<Term>().await;
        let links = girder::process_info(self_pid()).unwrap().links;
        tx.send(format!("{after} links {}", links.len())).unwrap();
        // Once q has exited, nothing has arrived over the removed link (a
        // DOWN noproc comes after any exit signal q sent).
        let stopped = receive::<Term>().await;
        assert!(stopped.is_atom("q_stopped"));
        let m = monitor(q);
        let down = girder::receive_match(move |d: &Down| d.monitor == m).await;
        let stray = receive::<Exit>()
            .timeout(std::time::Duration::ZERO)
            .await
            .map(|x| x.reason.to_string());
        tx.send(format!("down {}, stray exit {stray:?}", down.reason))
            .unwrap();
    });
    assert_eq!(next(&mut rx).await, "ready");
    let q_links = erl
        .eval(
            "Shell = self(), Q = spawn(fun() -> G = receive {linked, P} -> P end, {links, L1} = process_info(self(), links), G ! ack, \
             receive unlinked -> ok end, {links, L2} = process_info(self(), links), Shell ! {q_links, length(L1), L2}, \
             receive stop -> exit(bye) end end), put(q, Q), {unlinker, 'g@127.0.0.1'} ! Q, \
             receive {q_links, N1, L} -> {N1, L} after 10000 -> timeout end.",
        )
        .await;
    assert_eq!(q_links, "{1,[]}");
    let erl_unlinks = erl
        .eval(
            "G = receive {g, P} -> P after 10000 -> timeout end, link(G), unlink(G), G ! after_unlink, ok.",
        )
        .await;
    assert_eq!(erl_unlinks, "ok");
    assert_eq!(next(&mut rx).await, "after_unlink links 0");
    let stopped = erl
        .eval(
            "Q = get(q), R = monitor(process, Q), Q ! stop, receive {'DOWN', R, process, Q, W} -> ok end, \
             {unlinker, 'g@127.0.0.1'} ! q_stopped, W.",
        )
        .await;
    assert_eq!(stopped, "bye");
    assert_eq!(next(&mut rx).await, "down noproc, stray exit None");
}
