//! The handshake in both directions with real `erl`, cookies, and
//! simultaneous connect between Girder nodes.

use std::sync::Arc;

use girder_dist::{ConnectError, DistFlags, Event, Node, NodeDownReason, NodeName, events};

use crate::util::{Erl, Logs, Proc, config, free_port, have, have_erlang, recv, wait_until};

fn name(s: &str) -> NodeName {
    NodeName::parse(s).unwrap()
}

/// `net_adm:ping/1` from a real `erl` to a Girder node answers `pong`:
/// erl dials (through our embedded EPMD), the handshake runs with us as
/// acceptor, and our `net_kernel` answers `is_auth`.
#[tokio::test]
async fn erl_pings_girder() {
    if !have_erlang() {
        return;
    }
    let (_logs, _guard) = Logs::capture();
    let port = free_port();
    let (handler, mut events) = events();
    let node = Node::start(config("girder@127.0.0.1", "monster", port).handler(Arc::new(handler)))
        .await
        .unwrap();
    let mut erl = Erl::start("a@127.0.0.1", "monster", port, &[]).await;
    assert_eq!(erl.eval("net_adm:ping('girder@127.0.0.1').").await, "pong");
    assert_eq!(erl.eval("nodes().").await, "['girder@127.0.0.1']");
    // A second ping reuses the connection.
    assert_eq!(erl.eval("net_adm:ping('girder@127.0.0.1').").await, "pong");
    let a = name("a@127.0.0.1");
    assert_eq!(node.nodes(), std::slice::from_ref(&a));
    let peer = node.peer(&a).unwrap();
    assert!(
        peer.flags.contains(DistFlags::MANDATORY),
        "{:?}",
        peer.flags
    );
    assert!(peer.creation >= 4);
    assert_eq!(
        recv(&mut events).await,
        Some(Event::NodeUp { node: a.clone() })
    );
    // erl's disconnect reaches us as the peer closing the connection.
    assert_eq!(
        erl.eval("erlang:disconnect_node('girder@127.0.0.1').")
            .await,
        "true"
    );
    loop {
        match recv(&mut events).await {
            Some(Event::NodeDown { node: n, reason }) => {
                assert_eq!((n, reason), (a.clone(), NodeDownReason::Closed));
                break;
            }
            Some(_) => {}
            None => panic!("events ended"),
        }
    }
    assert!(node.nodes().is_empty());
}

/// Elixir's `Node.ping/1` from `elixir --name` answers `:pong` too.
#[tokio::test]
async fn elixir_pings_girder() {
    if !have(&["erl", "epmd", "elixir"]) {
        return;
    }
    let port = free_port();
    let _node = Node::start(config("girder@127.0.0.1", "monster", port))
        .await
        .unwrap();
    let mut cmd = tokio::process::Command::new("elixir");
    cmd.args([
        "--name",
        "ex@127.0.0.1",
        "--cookie",
        "monster",
        "--erl",
        "-start_epmd false -kernel inet_dist_use_interface {127,0,0,1}",
        "-e",
        "IO.puts(\"ping=#{Node.ping(:\"girder@127.0.0.1\")} nodes=#{inspect(Node.list())}\")",
    ])
    .env("ERL_EPMD_PORT", port.to_string());
    let mut ex = Proc::spawn(cmd, "elixir");
    assert_eq!(
        ex.line_starting("ping=").await,
        "pong nodes=[:\"girder@127.0.0.1\"]"
    );
}

/// A Girder node dials a real `erl` (found through our embedded EPMD):
/// the handshake runs with us as initiator; erl sees us in `nodes()`, and
/// our disconnect takes us out of it.
#[tokio::test]
async fn girder_connects_to_erl() {
    if !have_erlang() {
        return;
    }
    let port = free_port();
    let node = Node::start(config("girder@127.0.0.1", "monster", port))
        .await
        .unwrap();
    let mut erl = Erl::start("a@127.0.0.1", "monster", port, &[]).await;
    let a = name("a@127.0.0.1");
    node.connect(&a).await.unwrap();
    assert_eq!(node.nodes(), std::slice::from_ref(&a));
    assert_eq!(erl.eval("nodes().").await, "['girder@127.0.0.1']");
    // erl learnt our creation in the handshake and prints it in our pids.
    let creation = node.creation();
    assert!(creation >= 4);
    // Connecting again is a no-op.
    node.connect(&a).await.unwrap();
    assert!(node.disconnect(&a));
    assert!(!node.disconnect(&a));
    let mut seen = String::new();
    for _ in 0..200 {
        seen = erl.eval("nodes().").await;
        if seen == "[]" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(seen, "[]");
    // And back again.
    node.connect(&a).await.unwrap();
    assert_eq!(erl.eval("nodes().").await, "['girder@127.0.0.1']");
}

/// Different cookies: erl's ping gets `pang` and we log why; our connect to
/// erl fails with an error that says the cookies differ.
#[tokio::test]
async fn wrong_cookie_is_refused_both_ways() {
    if !have_erlang() {
        return;
    }
    let (logs, _guard) = Logs::capture();
    let port = free_port();
    let node = Node::start(config("girder@127.0.0.1", "right", port))
        .await
        .unwrap();
    let mut erl = Erl::start("a@127.0.0.1", "wrong", port, &[]).await;
    assert_eq!(erl.eval("net_adm:ping('girder@127.0.0.1').").await, "pang");
    logs.wait_for(&["incoming handshake failed", "a@127.0.0.1", "cookie differs"])
        .await;
    let err = node.connect(&name("a@127.0.0.1")).await.unwrap_err();
    assert!(err.is_wrong_cookie(), "{err}");
    assert!(err.to_string().contains("cookie differs"), "{err}");
    assert!(node.nodes().is_empty());
    assert_eq!(erl.eval("nodes().").await, "[]");
}

/// Two Girder nodes dial each other at the same moment, many times: both
/// connects succeed and exactly one connection results each time, as OTP
/// resolves it (the greater name's attempt wins).
#[tokio::test]
async fn simultaneous_connect_between_girder_nodes() {
    let port = free_port();
    let (ha, mut ea) = events();
    let (hb, mut eb) = events();
    let a = Node::start(config("a@127.0.0.1", "c", port).handler(Arc::new(ha)))
        .await
        .unwrap();
    let b = Node::start(config("b@127.0.0.1", "c", port).handler(Arc::new(hb)))
        .await
        .unwrap();
    for round in 0..20 {
        let (ra, rb) = tokio::join!(a.connect(b.name()), b.connect(a.name()));
        ra.unwrap_or_else(|e| panic!("round {round}: a->b: {e}"));
        rb.unwrap_or_else(|e| panic!("round {round}: b->a: {e}"));
        assert_eq!(a.nodes(), [b.name().clone()]);
        assert_eq!(b.nodes(), [a.name().clone()]);
        assert_eq!(
            recv(&mut ea).await,
            Some(Event::NodeUp {
                node: b.name().clone()
            })
        );
        assert_eq!(
            recv(&mut eb).await,
            Some(Event::NodeUp {
                node: a.name().clone()
            })
        );
        assert!(a.disconnect(b.name()));
        assert_eq!(
            recv(&mut ea).await,
            Some(Event::NodeDown {
                node: b.name().clone(),
                reason: NodeDownReason::Disconnected
            })
        );
        assert_eq!(
            recv(&mut eb).await,
            Some(Event::NodeDown {
                node: a.name().clone(),
                reason: NodeDownReason::Closed
            })
        );
        assert!(ea.try_recv().is_none() && eb.try_recv().is_none());
    }
}

/// Connect errors say what went wrong: a node EPMD does not know, a name
/// of the other kind (short vs long), a wrong cookie between Girder nodes.
#[tokio::test]
async fn connect_errors_are_clear() {
    let port = free_port();
    let a = Node::start(config("a@127.0.0.1", "one", port))
        .await
        .unwrap();
    let err = a.connect(&name("ghost@127.0.0.1")).await.unwrap_err();
    assert!(matches!(err, ConnectError::NotRegistered { .. }), "{err}");
    assert!(err.to_string().contains("not registered in EPMD"), "{err}");
    let err = a.connect(&name("short@localhost")).await.unwrap_err();
    assert!(matches!(err, ConnectError::NameMode { .. }), "{err}");
    let b = Node::start(config("b@127.0.0.1", "two", port))
        .await
        .unwrap();
    let err = a.connect(b.name()).await.unwrap_err();
    assert!(err.is_wrong_cookie(), "{err}");
    wait_until("b holds no connection", || b.nodes().is_empty()).await;
    // Connecting to ourselves is trivially true, as in Erlang.
    a.connect(a.name()).await.unwrap();
    // After stop, connect says so.
    a.stop();
    assert!(matches!(
        a.connect(b.name()).await,
        Err(ConnectError::Stopped)
    ));
}

/// A send to a node that is not connected connects first, as Erlang's `!`
/// does, and the messages sent meanwhile arrive in order; a send to a node
/// that cannot be reached is dropped and reported as a node down.
#[tokio::test]
async fn send_auto_connects() {
    let (_logs, _guard) = Logs::capture();
    let port = free_port();
    let (ha, mut ea) = events();
    let (hb, mut eb) = events();
    let a = Node::start(config("a@127.0.0.1", "c", port).handler(Arc::new(ha)))
        .await
        .unwrap();
    let b = Node::start(config("b@127.0.0.1", "c", port).handler(Arc::new(hb)))
        .await
        .unwrap();
    let from = girder_term::ExternalPid {
        node: a.name().atom().clone(),
        id: 5,
        serial: 0,
        creation: a.creation(),
    };
    let msg = |i: i64| girder_dist::ControlMessage::RegSend {
        from: from.clone(),
        to: girder_term::Atom::new("sink").unwrap(),
        message: girder_term::Term::Integer(i),
    };
    for i in 0..1000 {
        a.send(b.name(), &msg(i)).unwrap();
    }
    assert_eq!(
        recv(&mut eb).await,
        Some(Event::NodeUp {
            node: a.name().clone()
        })
    );
    for i in 0..1000 {
        match recv(&mut eb).await {
            Some(Event::Control { from, message }) => {
                assert_eq!(&from, a.name());
                assert_eq!(message, msg(i));
            }
            other => panic!("message {i}: {other:?}"),
        }
    }
    assert_eq!(a.nodes(), std::slice::from_ref(b.name()));
    assert_eq!(
        recv(&mut ea).await,
        Some(Event::NodeUp {
            node: b.name().clone()
        })
    );

    let ghost = name("ghost@127.0.0.1");
    a.send(&ghost, &msg(0)).unwrap();
    match recv(&mut ea).await {
        Some(Event::NodeDown {
            node,
            reason: NodeDownReason::ConnectFailed(why),
        }) => {
            assert_eq!(node, ghost);
            assert!(why.contains("not registered in EPMD"), "{why}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        a.send(a.name(), &msg(0)),
        Err(girder_dist::SendError::NotConnected { .. })
    ));
}
