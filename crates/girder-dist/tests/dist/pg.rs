//! `pg` process groups: a girder scope and a real Erlang `pg` scope see
//! each other's members (joins, leaves, exits, a killed node), and two
//! girder nodes do the same with each other.

use girder::{ExitReason, Pid, receive};
use girder_dist::pg::{self, PgError, PgEvent, Scope};
use girder_term::Term;
use tokio::sync::mpsc;

use crate::util::{Girder, free_port, girder_and_erl, have_erlang, next, wait_until};

/// An Erlang expression that waits (10 ms steps, 15 s at most) until
/// `cond` is true: `ok`, or `timeout` (before the fixture's own patience).
fn erl_wait(cond: &str) -> String {
    format!(
        "(fun W(0) -> timeout; W(K) -> case ({cond}) of true -> ok; false -> \
         receive after 10 -> W(K - 1) end end end)(1500)."
    )
}

/// A girder process that waits for any message, then ends.
fn idle(g: &Girder) -> Pid {
    g.spawn(async {
        let _ = receive::<()>().await;
    })
}

async fn members_become(scope: &Scope, group: &Term, check: impl Fn(&[Pid]) -> bool) {
    wait_until(&format!("members of {group}"), || {
        check(&scope.get_members(group))
    })
    .await;
}

/// Joins from erl are seen by girder and the other way round; leaves both
/// ways; a member that exits on either side is dropped on the other; a
/// killed erl node's members are dropped.
#[tokio::test]
async fn pg_membership_seen_from_both_sides_with_erl() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, e_name) = girder_and_erl().await;
    let scope = pg::start(&g.handle, &g.node).await.unwrap();
    assert_eq!(erl.eval("element(1, pg:start_link()).").await, "ok");

    // erl joins: girder sees a member of e.
    assert_eq!(
        erl.eval(
            "P = spawn(fun() -> receive stop -> ok end end), register(m1, P), pg:join(g1, P)."
        )
        .await,
        "ok"
    );
    let g1 = pg::atom("g1");
    members_become(&scope, &g1, |m| m.len() == 1).await;
    let m1 = scope.get_members(&g1)[0];
    assert!(!m1.is_local());
    assert_eq!(
        g.node.external_pid(m1).unwrap().node.as_str(),
        e_name.as_str()
    );
    assert!(scope.get_local_members(&g1).is_empty());
    assert_eq!(scope.which_groups(), std::slice::from_ref(&g1));

    // girder joins g1 (twice: pg counts each join) and g2 (a string
    // group): erl sees them.
    let mine = idle(&g);
    scope.join(g1.clone(), mine).await.unwrap();
    scope.join(g1.clone(), mine).await.unwrap();
    scope.join(pg::string("g2"), [mine]).await.unwrap();
    assert_eq!(scope.get_local_members(&g1), [mine, mine]);
    assert_eq!(
        erl.eval(&erl_wait("length(pg:get_members(g1)) =:= 3"))
            .await,
        "ok"
    );
    assert_eq!(
        erl.eval(&erl_wait("length(pg:get_members(<<\"g2\">>)) =:= 1"))
            .await,
        "ok"
    );
    assert_eq!(
        erl.eval("[node(X) || X <- pg:get_members(<<\"g2\">>)].")
            .await,
        "['g@127.0.0.1']"
    );
    assert_eq!(erl.eval("pg:get_local_members(<<\"g2\">>).").await, "[]");

    // Leaves both ways.
    assert_eq!(erl.eval("pg:leave(g1, whereis(m1)).").await, "ok");
    members_become(&scope, &g1, |m| m == [mine, mine]).await;
    scope.leave(pg::string("g2"), mine).await.unwrap();
    assert_eq!(
        scope.leave(pg::string("g2"), mine).await,
        Err(PgError::NotJoined)
    );
    assert_eq!(
        erl.eval(&erl_wait("pg:get_members(<<\"g2\">>) =:= []"))
            .await,
        "ok"
    );

    // A girder member (in g1 twice) exits: erl drops both joins.
    g.handle.send(mine, ());
    assert_eq!(erl.eval(&erl_wait("pg:get_members(g1) =:= []")).await, "ok");
    members_become(&scope, &g1, |m| m.is_empty()).await;

    // An erl member exits: girder drops it.
    assert_eq!(
        erl.eval(
            "Q = spawn(fun() -> receive stop -> ok end end), register(m2, Q), pg:join(g3, [Q])."
        )
        .await,
        "ok"
    );
    let g3 = pg::atom("g3");
    members_become(&scope, &g3, |m| m.len() == 1).await;
    assert_eq!(erl.eval("exit(whereis(m2), kill).").await, "true");
    members_become(&scope, &g3, |m| m.is_empty()).await;

    // The erl node is killed: its members are dropped.
    assert_eq!(
        erl.eval(
            "R = spawn(fun() -> receive stop -> ok end end), register(m3, R), pg:join(g4, R)."
        )
        .await,
        "ok"
    );
    let g4 = pg::atom("g4");
    members_become(&scope, &g4, |m| m.len() == 1).await;
    erl.kill().await;
    members_become(&scope, &g4, |m| m.is_empty()).await;
    assert!(scope.which_groups().is_empty());
}

/// erl's scope started first, girder's second: girder's start discovers
/// the connected node and receives what erl had joined before.
#[tokio::test]
async fn pg_scope_started_after_erl_syncs_existing_members() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, _) = girder_and_erl().await;
    assert_eq!(erl.eval("element(1, pg:start_link()).").await, "ok");
    assert_eq!(
        erl.eval("P = spawn(fun() -> receive stop -> ok end end), register(m1, P), pg:join(early, [P, P]).")
            .await,
        "ok"
    );
    let scope = pg::start(&g.handle, &g.node).await.unwrap();
    let early = pg::atom("early");
    members_become(&scope, &early, |m| m.len() == 2 && m[0] == m[1]).await;
}

async fn two_with_scopes() -> (Girder, Girder, Scope, Scope) {
    let port = free_port();
    let a = Girder::start("a@127.0.0.1", "c", port).await;
    let b = Girder::start("b@127.0.0.1", "c", port).await;
    let sa = pg::start(&a.handle, &a.node).await.unwrap();
    let sb = pg::start(&b.handle, &b.node).await.unwrap();
    a.node.connect(b.node.name()).await.unwrap();
    (a, b, sa, sb)
}

/// Two girder nodes: a join on one is seen by a `monitor` subscriber on
/// the other, a member's exit is a leave there, a stopped node's members
/// are dropped; scopes of another name stay apart.
#[tokio::test]
async fn pg_between_two_girder_nodes() {
    let (a, b, sa, sb) = two_with_scopes().await;
    let group = pg::atom("workers");
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let sb2 = sb.clone();
    let watched = group.clone();
    b.spawn(async move {
        let (r, now) = sb2.monitor(watched).await.unwrap();
        tx.send(format!("members now {}", now.len())).unwrap();
        for _ in 0..3 {
            let e = receive::<PgEvent>().await;
            assert_eq!(e.monitor, r);
            tx.send(format!("{:?} {} {}", e.action, e.group, e.pids.len()))
                .unwrap();
        }
        assert!(sb2.demonitor(r).await.unwrap());
        assert!(!sb2.demonitor(r).await.unwrap());
        tx.send("done".into()).unwrap();
    });
    assert_eq!(next(&mut rx).await, "members now 0");

    let w1 = idle(&a);
    let w2 = idle(&a);
    sa.join(group.clone(), vec![w1, w2]).await.unwrap();
    assert_eq!(next(&mut rx).await, "Join workers 2");
    let seen = sb.get_members(&group);
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|p| !p.is_local()));
    assert_eq!(
        seen.iter()
            .map(|p| b.node.external_pid(*p).unwrap())
            .collect::<std::collections::HashSet<_>>(),
        [w1, w2]
            .iter()
            .map(|p| a.node.external_pid(*p).unwrap())
            .collect()
    );
    girder::Handle::exit(&a.handle, w1, ExitReason::Kill);
    assert_eq!(next(&mut rx).await, "Leave workers 1");
    sa.leave(group.clone(), w2).await.unwrap();
    assert_eq!(next(&mut rx).await, "Leave workers 1");
    assert_eq!(next(&mut rx).await, "done");
    assert!(sb.which_groups().is_empty());

    // Remote pids cannot join here; a second scope named pg is refused.
    let remote = seen[0];
    assert_eq!(
        sb.join(group.clone(), remote).await,
        Err(PgError::NotLocal { pid: remote })
    );
    assert!(matches!(
        pg::start(&b.handle, &b.node).await,
        Err(pg::StartError::NameTaken { .. })
    ));
    assert!(matches!(
        pg::start_scope(&b.handle, &b.node, "").await,
        Err(pg::StartError::BadName { .. })
    ));

    // Another scope name is another overlay: b's `other` sees nothing of a's `pg`.
    let other_b = pg::start_scope(&b.handle, &b.node, "other").await.unwrap();
    let other_a = pg::start_scope(&a.handle, &a.node, "other").await.unwrap();
    let w3 = idle(&a);
    sa.join(pg::atom("only_pg"), w3).await.unwrap();
    other_a.join(pg::atom("only_other"), w3).await.unwrap();
    members_become(&other_b, &pg::atom("only_other"), |m| m.len() == 1).await;
    members_become(&sb, &pg::atom("only_pg"), |m| m.len() == 1).await;
    assert_eq!(other_b.which_groups(), [pg::atom("only_other")]);

    // a stops: b drops a's members, with a Leave event to a scope monitor.
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let sb2 = sb.clone();
    b.spawn(async move {
        let (r, all) = sb2.monitor_scope().await.unwrap();
        tx.send(format!("{} groups", all.len())).unwrap();
        let e = receive::<PgEvent>().await;
        assert_eq!(e.monitor, r);
        tx.send(format!("{:?} {}", e.action, e.group)).unwrap();
    });
    assert_eq!(next(&mut rx).await, "1 groups");
    drop(a);
    assert_eq!(next(&mut rx).await, "Leave only_pg");
    assert!(sb.which_groups().is_empty());
    members_become(&other_b, &pg::atom("only_other"), |m| m.is_empty()).await;
}

/// A scope ignores what is not pg's protocol (wrong shapes, non-pids, a
/// `join` from a peer it never discovered) and keeps serving.
#[tokio::test]
async fn pg_scope_ignores_malformed_messages() {
    let (a, b, sa, sb) = two_with_scopes().await;
    let scope_pid = sb.pid();
    let stranger = a.node.pid_term(idle(&a)).unwrap();
    let junk = [
        Term::atom("junk"),
        Term::tuple([Term::atom("join")]),
        Term::tuple([
            Term::atom("join"),
            Term::Integer(1),
            pg::atom("g"),
            Term::nil(),
        ]),
        // A join from a pid that is no scope b knows: ignored, as pg does.
        Term::tuple([
            Term::atom("join"),
            stranger.clone(),
            pg::atom("g"),
            Term::list([stranger.clone()]),
        ]),
        Term::tuple([
            Term::atom("leave"),
            stranger.clone(),
            Term::atom("x"),
            Term::nil(),
        ]),
        Term::tuple([Term::atom("discover"), Term::atom("nopid")]),
        Term::tuple([
            Term::atom("$gen_cast"),
            Term::tuple([Term::atom("sync"), stranger.clone(), Term::atom("x")]),
        ]),
    ];
    for t in junk {
        b.handle.send(scope_pid, t);
    }
    b.handle.send(scope_pid, "not even a term");
    assert!(sb.which_groups().is_empty());
    // Still serving, locally and across nodes.
    let w = idle(&a);
    sa.join(pg::atom("after"), w).await.unwrap();
    members_become(&sb, &pg::atom("after"), |m| m.len() == 1).await;
    assert_eq!(sb.which_groups(), [pg::atom("after")]);
}
