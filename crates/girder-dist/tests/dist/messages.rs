//! Control messages both ways with a real `erl`: what erl's `!`, `link`,
//! `unlink`, `monitor`, `demonitor` and `exit/2` put on the wire decodes to
//! the right variants, and what we send arrives as erl expects; big
//! messages; ticks keep an idle connection alive.

use std::sync::Arc;
use std::time::Duration;

use girder_dist::{ControlMessage, Event, Events, Node, NodeName, ProcRef, events};
use girder_term::{Atom, ExternalPid, Term};

use crate::util::{Erl, PATIENCE, config, free_port, have_erlang};

/// The next control message, skipping node up/down and messages to
/// `global`'s processes (erl's `global` talks to every new visible node).
async fn next_control(events: &mut Events) -> ControlMessage {
    let wait = async {
        loop {
            match events.recv().await {
                Some(Event::Control { message, .. }) => {
                    if let ControlMessage::RegSend { to, .. } = &message {
                        if to.as_str().starts_with("global") {
                            continue;
                        }
                    }
                    return message;
                }
                Some(_) => {}
                None => panic!("events ended"),
            }
        }
    };
    tokio::time::timeout(PATIENCE, wait)
        .await
        .expect("no control message in time")
}

fn our_pid(node: &Node, id: u32) -> ExternalPid {
    ExternalPid {
        node: node.name().atom().clone(),
        id,
        serial: 0,
        creation: node.creation(),
    }
}

async fn setup() -> (Node, Events, Erl, NodeName) {
    let port = free_port();
    let (handler, events) = events();
    let node = Node::start(config("girder@127.0.0.1", "c", port).handler(Arc::new(handler)))
        .await
        .unwrap();
    let mut erl = Erl::start("a@127.0.0.1", "c", port, &[]).await;
    assert_eq!(erl.eval("net_adm:ping('girder@127.0.0.1').").await, "pong");
    assert_eq!(erl.eval("register(shell, self()).").await, "true");
    (node, events, erl, NodeName::parse("a@127.0.0.1").unwrap())
}

/// erl → us: REG_SEND with a rich term; us → erl: SEND_SENDER to a pid and
/// REG_SEND to a name; then erl links, unlinks, monitors, demonitors and
/// exits our pid, and each signal decodes to its variant.
#[tokio::test]
async fn signals_both_ways_with_erl() {
    if !have_erlang() {
        return;
    }
    let (node, mut events, mut erl, a) = setup().await;
    let sent = erl
        .eval("{sink, 'girder@127.0.0.1'} ! {hello, self(), <<\"bin\">>, [1,2,3], #{a => 1}, 1.5, 123456789012345678901234567890, 'héllo'}, ok.")
        .await;
    assert_eq!(sent, "ok");
    let ControlMessage::RegSend { from, to, message } = next_control(&mut events).await else {
        panic!("expected REG_SEND");
    };
    assert_eq!(to.as_str(), "sink");
    assert_eq!(from.node.as_str(), "a@127.0.0.1");
    let items = message.as_tagged("hello", 8).expect("{hello, ...}");
    assert_eq!(items[1], Term::Pid(from.clone()));
    assert_eq!(items[2], Term::binary("bin"));
    assert_eq!(items[4].to_string(), "#{a => 1}");
    assert_eq!(items[6].to_string(), "123456789012345678901234567890");
    assert_eq!(items[7], Term::atom("héllo"));
    let shell = from;

    // Us → erl, to the pid and to the registered name.
    let me = our_pid(&node, 42);
    node.send(
        &a,
        &ControlMessage::SendSender {
            from: me.clone(),
            to: shell.clone(),
            message: Term::tuple([Term::atom("pid"), Term::Pid(me.clone())]),
        },
    )
    .unwrap();
    node.send(
        &a,
        &ControlMessage::RegSend {
            from: me.clone(),
            to: Atom::new("shell").unwrap(),
            message: Term::tuple([Term::atom("reg"), Term::Integer(7)]),
        },
    )
    .unwrap();
    let got = erl
        .eval("receive {pid, P} -> {node(P), P =:= list_to_pid(pid_to_list(P))} after 10000 -> timeout end.")
        .await;
    assert_eq!(got, "{'girder@127.0.0.1',true}");
    assert_eq!(
        erl.eval("receive {reg, X} -> X after 10000 -> timeout end.")
            .await,
        "7"
    );

    // erl's signals to our pid.
    node.send(
        &a,
        &ControlMessage::Send {
            to: shell.clone(),
            message: Term::Pid(me.clone()),
        },
    )
    .unwrap();
    let done = erl
        .eval("receive P when is_pid(P) -> link(P), unlink(P), R = erlang:monitor(process, P), erlang:demonitor(R), exit(P, because), ok after 10000 -> timeout end.")
        .await;
    assert_eq!(done, "ok");
    assert_eq!(
        next_control(&mut events).await,
        ControlMessage::Link {
            from: shell.clone(),
            to: me.clone()
        }
    );
    let ControlMessage::UnlinkId { id, from, to } = next_control(&mut events).await else {
        panic!("expected UNLINK_ID");
    };
    assert_eq!((&from, &to), (&shell, &me));
    assert!(id > 0);
    node.send(
        &a,
        &ControlMessage::UnlinkIdAck {
            id,
            from: me.clone(),
            to: shell.clone(),
        },
    )
    .unwrap();
    let ControlMessage::MonitorP {
        from,
        to,
        reference,
    } = next_control(&mut events).await
    else {
        panic!("expected MONITOR_P");
    };
    assert_eq!((from, to), (shell.clone(), ProcRef::Pid(me.clone())));
    let ControlMessage::DemonitorP {
        to, reference: r2, ..
    } = next_control(&mut events).await
    else {
        panic!("expected DEMONITOR_P");
    };
    assert_eq!((to, r2), (ProcRef::Pid(me.clone()), reference));
    assert_eq!(
        next_control(&mut events).await,
        ControlMessage::Exit2 {
            from: shell.clone(),
            to: me.clone(),
            reason: Term::atom("because")
        }
    );

    // erl monitors a name we do not have; we answer noproc at once, and
    // erl gets its 'DOWN'.
    let eval = erl.eval(
        "R = erlang:monitor(process, {nosuch, 'girder@127.0.0.1'}), receive {'DOWN', R, process, Who, Why} -> {Who, Why} after 10000 -> timeout end.",
    );
    let answer = async {
        let ControlMessage::MonitorP {
            from,
            to,
            reference,
        } = next_control(&mut events).await
        else {
            panic!("expected MONITOR_P by name");
        };
        assert_eq!(to, ProcRef::Name(Atom::new("nosuch").unwrap()));
        node.send(
            &a,
            &ControlMessage::MonitorPExit {
                from: to,
                to: from,
                reference,
                reason: Term::atom("noproc"),
            },
        )
        .unwrap();
    };
    let (down, ()) = tokio::join!(eval, answer);
    assert_eq!(down, "{{nosuch,'girder@127.0.0.1'},noproc}");

    // A link exit from us reaches a trapping erl process.
    let got = erl.eval("process_flag(trap_exit, true), ok.").await;
    assert_eq!(got, "ok");
    node.send(
        &a,
        &ControlMessage::Send {
            to: shell.clone(),
            message: Term::Pid(me.clone()),
        },
    )
    .unwrap();
    assert_eq!(
        erl.eval("receive P when is_pid(P) -> link(P) after 10000 -> timeout end.")
            .await,
        "true"
    );
    assert!(matches!(
        next_control(&mut events).await,
        ControlMessage::Link { .. }
    ));
    node.send(
        &a,
        &ControlMessage::Exit {
            from: me.clone(),
            to: shell.clone(),
            reason: Term::atom("boom"),
        },
    )
    .unwrap();
    assert_eq!(
        erl.eval("receive {'EXIT', P, R} -> {node(P), R} after 10000 -> timeout end.")
            .await,
        "{'girder@127.0.0.1',boom}"
    );
}

/// `rpc:call/5` from erl: OTP 25 runs it through `erpc`, a
/// `SPAWN_REQUEST` (we advertise `DFLAG_SPAWN`) for
/// `erpc:execute_call(Ref, M, F, Args)` with the option `monitor`. A bare
/// `Node` hands it to its handler (the runtime bridge serves it; see the
/// `rpc` tests); a `SPAWN_REPLY` with an error atom reaches erl, whose
/// `rpc` makes `notsup` a `{badrpc, notsup}`. `rex`'s features request,
/// which erl sends on connect, is answered by the node itself (`[erpc]`)
/// and never reaches the handler.
#[tokio::test]
async fn spawn_request_reaches_the_handler_and_its_reply_reaches_erl() {
    if !have_erlang() {
        return;
    }
    let (node, mut events, mut erl, a) = setup().await;
    let asked = erl
        .eval(
            "Shell = self(), \
             spawn(fun() -> Shell ! {rpc, rpc:call('girder@127.0.0.1', erlang, node, [x], 10000)} end), ok.",
        )
        .await;
    assert_eq!(asked, "ok");
    let ControlMessage::SpawnRequest {
        request,
        from,
        module,
        function,
        arity,
        options,
        args,
        ..
    } = next_control(&mut events).await
    else {
        panic!("expected SPAWN_REQUEST");
    };
    assert_eq!(
        (module.as_str(), function.as_str(), arity),
        ("erpc", "execute_call", 4)
    );
    assert_eq!(options, Term::list([Term::atom("monitor")]));
    let args = args.as_list().expect("a proper argument list");
    assert!(args[0].as_reference().is_some());
    assert_eq!(
        &args[1..],
        &[
            Term::atom("erlang"),
            Term::atom("node"),
            Term::list([Term::atom("x")])
        ]
    );
    node.send(
        &a,
        &ControlMessage::SpawnReply {
            request,
            to: from,
            flags: 0,
            result: Term::atom("notsup"),
        },
    )
    .unwrap();
    assert_eq!(
        erl.eval("receive {rpc, R} -> R after 10000 -> timeout end.")
            .await,
        "{badrpc,notsup}"
    );
    while let Some(e) = events.try_recv() {
        if let Event::Control {
            message: ControlMessage::RegSend { to, .. },
            ..
        } = &e
        {
            assert_ne!(
                to.as_str(),
                "rex",
                "rex features request reached the handler: {e:?}"
            );
        }
    }
}

/// A 10 MB binary each way in one message.
#[tokio::test]
async fn ten_megabyte_binaries_both_ways() {
    if !have_erlang() {
        return;
    }
    let (node, mut events, mut erl, a) = setup().await;
    let sent = erl
        .eval("{sink, 'girder@127.0.0.1'} ! {big, binary:copy(<<7>>, 10000000)}, ok.")
        .await;
    assert_eq!(sent, "ok");
    let ControlMessage::RegSend { from, message, .. } = next_control(&mut events).await else {
        panic!("expected REG_SEND");
    };
    let [_, bin] = message.as_tagged("big", 2).expect("{big, Bin}") else {
        unreachable!()
    };
    let bin = bin.as_binary().unwrap();
    assert_eq!(bin.len(), 10_000_000);
    assert!(bin.iter().all(|&b| b == 7));
    node.send(
        &a,
        &ControlMessage::Send {
            to: from,
            message: Term::tuple([Term::atom("big"), Term::binary(vec![9u8; 10_000_000])]),
        },
    )
    .unwrap();
    assert_eq!(
        erl.eval("receive {big, B} -> {byte_size(B), binary:first(B), binary:last(B)} after 10000 -> timeout end.")
            .await,
        "{10000000,9,9}"
    );
}

/// With a net tick time of 1 s on both sides, an idle connection stays up
/// for 3 s: our ticks reach erl, whose ticks reach us.
#[tokio::test]
async fn ticks_keep_an_idle_connection_up() {
    if !have_erlang() {
        return;
    }
    let port = free_port();
    let (handler, mut events) = events();
    let node = Node::start(
        config("girder@127.0.0.1", "c", port)
            .net_tick_time(Duration::from_secs(1))
            .handler(Arc::new(handler)),
    )
    .await
    .unwrap();
    let mut erl = Erl::start("a@127.0.0.1", "c", port, &["-kernel", "net_ticktime", "1"]).await;
    assert_eq!(erl.eval("net_kernel:get_net_ticktime().").await, "1");
    node.connect(&NodeName::parse("a@127.0.0.1").unwrap())
        .await
        .unwrap();
    let idle = erl
        .eval("net_kernel:monitor_nodes(true), receive {nodedown, N} -> {down, N} after 3000 -> up end.")
        .await;
    assert_eq!(idle, "up");
    assert_eq!(node.nodes().len(), 1);
    while let Some(e) = events.try_recv() {
        assert!(!matches!(e, Event::NodeDown { .. }), "{e:?}");
    }
}
