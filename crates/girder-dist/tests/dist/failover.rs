//! Failover: three girder nodes on loopback (embedded EPMD) run a
//! singleton; the node running it is stopped, the next one in the list
//! takes over, and a client on the last node reaches each instance in
//! turn. Every start of the child is reported, so "exactly one at a time"
//! is checked: one start per failover, none elsewhere.

use std::time::Duration;

use girder::otp::supervisor::ChildSpec;
use girder::{Pid, receive, self_pid};
use girder_dist::failover::{self, FailoverError, Options, Singleton};
use girder_dist::pg::{self, Scope};
use girder_dist::{DistNode, NodeName};
use girder_term::Term;
use tokio::sync::mpsc;

use crate::util::{Girder, free_port, next, wait_until};

/// The service: answers `{From, ping}` with `{pong, ThisNode}`, panics on
/// `crash`; reports each start on `started`.
fn service(node: DistNode, started: mpsc::UnboundedSender<String>) -> ChildSpec {
    ChildSpec::process("counter", move || {
        let node = node.clone();
        let started = started.clone();
        async move {
            let _ = started.send(node.name().to_string());
            loop {
                let t = receive::<Term>().await;
                if t.is_atom("crash") {
                    panic!("asked to crash");
                }
                if let Some([from, what]) = t.as_tuple() {
                    if let (Some(from), true) = (node.pid_of(from), what.is_atom("ping")) {
                        let me = Term::atom(node.name().as_str());
                        girder::send(from, Term::tuple([Term::atom("pong"), me]));
                    }
                }
            }
        }
    })
}

struct Member {
    g: Girder,
    scope: Scope,
    singleton: Singleton,
}

async fn member(
    name: &str,
    port: u16,
    list: &[NodeName],
    takeover: bool,
    started: &mpsc::UnboundedSender<String>,
) -> Member {
    let g = Girder::start(name, "c", port).await;
    let scope = pg::start(&g.handle, &g.node).await.unwrap();
    let options = Options::new("counter", list.to_vec()).takeover(takeover);
    let child = service(g.node.clone(), started.clone());
    let singleton = Singleton::start(&g.handle, &g.node, &scope, options, child)
        .await
        .unwrap();
    Member {
        g,
        scope,
        singleton,
    }
}

/// From a process on `client`: the instance `whereis` finds once it runs
/// on `expect`, pinged; returns the node that answered.
async fn ping_from(client: &Member, expect: &str) -> String {
    let scope = client.scope.clone();
    let node = client.g.node.clone();
    let on_expect = {
        let (scope, node, expect) = (scope.clone(), node.clone(), expect.to_owned());
        move || {
            scope
                .get_members(&pg::atom("counter"))
                .into_iter()
                .find(|p| {
                    node.external_pid(*p)
                        .is_some_and(|e| e.node.as_str() == expect)
                })
        }
    };
    let members = {
        let (scope, node) = (scope.clone(), node.clone());
        move || {
            scope
                .get_members(&pg::atom("counter"))
                .into_iter()
                .map(|p| {
                    node.external_pid(p)
                        .map(|e| e.to_string())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
        }
    };
    let deadline = tokio::time::Instant::now() + crate::util::PATIENCE;
    let target: Pid = loop {
        if let Some(pid) = on_expect() {
            break pid;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no instance on {expect}; members seen from {}: {:?}",
            node.name(),
            members()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    client.g.spawn(async move {
        let me = node.pid_term(self_pid()).unwrap();
        girder::send(target, Term::tuple([me, Term::atom("ping")]));
        let reply = receive::<Term>()
            .timeout(Duration::from_secs(15))
            .await
            .map(|t| t.to_string())
            .unwrap_or_else(|| format!("no reply from {target}; members now {:?}", members()));
        tx.send(reply).unwrap();
    });
    next(&mut rx).await
}

fn names(list: &[&str]) -> Vec<NodeName> {
    list.iter().map(|n| NodeName::parse(n).unwrap()).collect()
}

/// a, b, c run the singleton; it runs on a. a stops: b starts it, the
/// client on c reaches it there. b stops: c starts it. Exactly one start
/// per step.
#[tokio::test]
async fn failover_moves_the_singleton_down_the_list() {
    let port = free_port();
    let list = names(&["a@127.0.0.1", "b@127.0.0.1", "c@127.0.0.1"]);
    let (started, mut starts) = mpsc::unbounded_channel::<String>();
    let a = member("a@127.0.0.1", port, &list, false, &started).await;
    let b = member("b@127.0.0.1", port, &list, false, &started).await;
    let c = member("c@127.0.0.1", port, &list, false, &started).await;
    assert_eq!(next(&mut starts).await, "a@127.0.0.1");
    assert_eq!(ping_from(&c, "a@127.0.0.1").await, "{pong,'a@127.0.0.1'}");
    one_instance(&b.scope).await;
    assert_eq!(
        a.singleton.whereis(),
        a.g.handle.whereis("counter"),
        "registered on its node"
    );
    drop(a);
    assert_eq!(next(&mut starts).await, "b@127.0.0.1");
    assert_eq!(ping_from(&c, "b@127.0.0.1").await, "{pong,'b@127.0.0.1'}");
    one_instance(&c.scope).await;
    drop(b);
    assert_eq!(next(&mut starts).await, "c@127.0.0.1");
    assert_eq!(ping_from(&c, "c@127.0.0.1").await, "{pong,'c@127.0.0.1'}");
    assert!(starts.try_recv().is_err(), "one start per failover");
    one_instance(&c.scope).await;
    assert!(c.singleton.whereis().unwrap().is_local());
}

/// Started on c first, then b, then a: the first node up runs it and keeps
/// it (no takeover). With takeover, a returning a takes it from b.
#[tokio::test]
async fn late_nodes_do_not_take_over_unless_asked() {
    let port = free_port();
    let list = names(&["a@127.0.0.1", "b@127.0.0.1", "c@127.0.0.1"]);
    let (started, mut starts) = mpsc::unbounded_channel::<String>();
    let c = member("c@127.0.0.1", port, &list, false, &started).await;
    assert_eq!(next(&mut starts).await, "c@127.0.0.1");
    let b = member("b@127.0.0.1", port, &list, false, &started).await;
    assert_eq!(ping_from(&b, "c@127.0.0.1").await, "{pong,'c@127.0.0.1'}");
    drop(c);
    assert_eq!(next(&mut starts).await, "b@127.0.0.1");
    assert_eq!(ping_from(&b, "b@127.0.0.1").await, "{pong,'b@127.0.0.1'}");

    // a comes up with takeover: b hands over, a runs it.
    let (started2, mut starts2) = mpsc::unbounded_channel::<String>();
    let a = member("a@127.0.0.1", port, &list, true, &started2).await;
    assert_eq!(next(&mut starts2).await, "a@127.0.0.1");
    assert_eq!(ping_from(&b, "a@127.0.0.1").await, "{pong,'a@127.0.0.1'}");
    one_instance(&b.scope).await;
    assert!(starts.try_recv().is_err());
    drop(a);
}

/// Bad lists and names are clear errors; a second singleton of a name on
/// one node is refused.
#[tokio::test]
async fn failover_start_errors() {
    let port = free_port();
    let g = Girder::start("solo@127.0.0.1", "c", port).await;
    let scope = pg::start(&g.handle, &g.node).await.unwrap();
    let (started, mut starts) = mpsc::unbounded_channel::<String>();
    let start = |options: Options| {
        Singleton::start(
            &g.handle,
            &g.node,
            &scope,
            options,
            service(g.node.clone(), started.clone()),
        )
    };
    let other = names(&["x@127.0.0.1"]);
    assert!(matches!(
        start(Options::new("s", other)).await,
        Err(FailoverError::NotInList { .. })
    ));
    let twice = names(&["solo@127.0.0.1", "solo@127.0.0.1"]);
    assert!(matches!(
        start(Options::new("s", twice)).await,
        Err(FailoverError::Duplicate { .. })
    ));
    let me = names(&["solo@127.0.0.1"]);
    assert!(matches!(
        start(Options::new("", me.clone())).await,
        Err(FailoverError::BadName { .. })
    ));
    assert!(matches!(
        start(Options::new(&"n".repeat(250), me.clone())).await,
        Err(FailoverError::BadName { .. })
    ));
    let first = start(Options::new("s", me.clone())).await.unwrap();
    assert_eq!(next(&mut starts).await, "solo@127.0.0.1");
    match start(Options::new("s", me)).await {
        Err(FailoverError::AlreadyStarted { manager }) => assert_eq!(manager, first.manager()),
        other => panic!("expected AlreadyStarted, got {other:?}"),
    }
}

/// A child that crashes is restarted by its node's supervisor, and the new
/// pid replaces the old in the group and the registry. A child that
/// crashes past the supervisor's intensity takes the supervisor and the
/// manager down with it, and the next node starts the service.
#[tokio::test]
async fn restarts_stay_local_until_the_supervisor_gives_up() {
    let port = free_port();
    let list = names(&["a@127.0.0.1", "b@127.0.0.1"]);
    let (started, mut starts) = mpsc::unbounded_channel::<String>();
    let a = member("a@127.0.0.1", port, &list, false, &started).await;
    let b = member("b@127.0.0.1", port, &list, false, &started).await;
    assert_eq!(next(&mut starts).await, "a@127.0.0.1");
    let counter = pg::atom("counter");
    members_on(&b.scope, &counter, "a@127.0.0.1", &b.g.node).await;
    let first = a.singleton.whereis().unwrap();

    // One crash: restarted on a (a second start there), found under the new pid.
    a.g.handle.send(first, Term::atom("crash"));
    assert_eq!(next(&mut starts).await, "a@127.0.0.1");
    let scope = a.scope.clone();
    wait_until("only the restarted child in the group", || {
        let m = scope.get_members(&counter);
        m.len() == 1 && m[0] != first
    })
    .await;
    let second = a.singleton.whereis().unwrap();
    assert_eq!(a.g.handle.whereis("counter"), Some(second));
    // b learns of the leave and the join in either order: wait for both.
    let second_ext = a.g.node.external_pid(second).unwrap();
    let (scope, node) = (b.scope.clone(), b.g.node.clone());
    wait_until("b sees only the restarted child", || {
        let m = scope.get_members(&counter);
        m.len() == 1 && node.external_pid(m[0]).as_ref() == Some(&second_ext)
    })
    .await;
    assert_eq!(ping_from(&b, "a@127.0.0.1").await, "{pong,'a@127.0.0.1'}");

    // Crashes past the intensity (3 restarts in 5 s): a gives the service up, b runs it.
    let manager = a.singleton.manager();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let scope = a.scope.clone();
    a.g.spawn(async move {
        let m = girder::monitor(manager);
        let (watch, _) = scope.monitor(pg::atom("counter")).await.unwrap();
        loop {
            if let Some(pid) = failover::whereis(&scope, "counter") {
                if pid.is_local() {
                    girder::send(pid, Term::atom("crash"));
                }
            }
            girder::receive! {
                girder::Down: d if d.monitor == m => {
                    tx.send(format!("manager exited: {}", d.reason)).unwrap();
                    return;
                },
                pg::PgEvent: ev if ev.monitor == watch => drop(ev),
            }
        }
    });
    let exited = next(&mut rx).await;
    assert!(exited.starts_with("manager exited: "), "{exited}");
    let mut seen = Vec::new();
    loop {
        let s = next(&mut starts).await;
        if s == "b@127.0.0.1" {
            break;
        }
        seen.push(s);
    }
    assert!(seen.iter().all(|s| s == "a@127.0.0.1"), "{seen:?}");
    assert_eq!(ping_from(&b, "b@127.0.0.1").await, "{pong,'b@127.0.0.1'}");
}

/// Waits until `scope` shows the service on `node_name`.
async fn members_on(scope: &Scope, group: &Term, node_name: &str, node: &DistNode) {
    wait_until(&format!("{group} on {node_name}"), || {
        scope.get_members(group).iter().any(|p| {
            node.external_pid(*p)
                .is_some_and(|e| e.node.as_str() == node_name)
        })
    })
    .await;
}

/// `exit(Manager, shutdown)` stops this node's part: the child stops, the
/// manager exits with the reason, and the next node takes over.
#[tokio::test]
async fn an_exit_signal_to_the_manager_hands_the_service_on() {
    let port = free_port();
    let list = names(&["a@127.0.0.1", "b@127.0.0.1"]);
    let (started, mut starts) = mpsc::unbounded_channel::<String>();
    let a = member("a@127.0.0.1", port, &list, false, &started).await;
    let b = member("b@127.0.0.1", port, &list, false, &started).await;
    assert_eq!(next(&mut starts).await, "a@127.0.0.1");
    assert_eq!(ping_from(&b, "a@127.0.0.1").await, "{pong,'a@127.0.0.1'}");
    let manager = a.singleton.manager();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    a.g.spawn(async move {
        let m = girder::monitor(manager);
        girder::exit(manager, girder::ExitReason::Shutdown);
        let d = girder::receive_match(move |d: &girder::Down| d.monitor == m).await;
        tx.send(d.reason.to_string()).unwrap();
    });
    assert_eq!(next(&mut rx).await, "shutdown");
    assert_eq!(next(&mut starts).await, "b@127.0.0.1");
    assert_eq!(ping_from(&b, "b@127.0.0.1").await, "{pong,'b@127.0.0.1'}");
    let scope = b.scope.clone();
    wait_until("only b's instance in the group, seen from b", || {
        scope.get_members(&pg::atom("counter")).len() == 1
    })
    .await;
    assert!(a.scope.get_local_members(&pg::atom("counter")).is_empty());
    assert!(starts.try_recv().is_err());
}

/// Waits until `scope` sees exactly one instance (members of a stopped
/// node or instance are dropped when their DOWN arrives).
async fn one_instance(scope: &Scope) {
    wait_until("exactly one instance in the group", || {
        scope.get_members(&pg::atom("counter")).len() == 1
    })
    .await;
}
