//! Rust functions called from a real `erl` (and `elixir`) with
//! `rpc:call/4`, `erpc:call/4,5` and `erlang:spawn_request/5`: values,
//! exceptions in Erlang's forms, panics, `undef` (compared with what erl
//! says for its own undefined functions), a timeout, and the `link` and
//! `monitor` options of a spawn request going through the bridge.

use girder::{Down, monitor, process_info, receive, receive_match, self_pid};
use girder_dist::{DistNode, NodeName, RpcError, reason_to_term};
use girder_term::Term;
use serde::Serialize;
use tokio::process::Command;
use tokio::sync::mpsc;

use crate::util::{Erl, Girder, Proc, free_port, have, have_erlang, next};

const G: &str = "'g@127.0.0.1'";

#[derive(Serialize)]
struct Greeting {
    text: String,
    length: usize,
}

/// The functions the tests call; reports go to `tx`.
fn register(node: &DistNode, e: &NodeName, tx: mpsc::UnboundedSender<String>) {
    node.register_fn("math", "add", 2, |args| {
        match (args[0].as_i64(), args[1].as_i64()) {
            (Some(a), Some(b)) => Ok(Term::integer(i128::from(a) + i128::from(b))),
            _ => Err(RpcError::badarg()),
        }
    })
    .unwrap();
    node.register_typed_fn("greeter", "hello", |(name,): (String,)| {
        let text = format!("hello, {name}");
        Ok::<_, RpcError>(Greeting {
            length: text.len(),
            text,
        })
    })
    .unwrap();
    node.register_fn("test", "raise", 1, |args| match args[0].as_atom() {
        Some("error") => Err(RpcError::error(Term::atom("bad"))),
        Some("exit") => Err(RpcError::exit(Term::atom("bye"))),
        Some("throw") => Err(RpcError::throw(Term::Integer(7))),
        _ => Ok(Term::atom("no")),
    })
    .unwrap();
    node.register_fn("test", "boom", 0, |_| panic!("boom"))
        .unwrap();
    node.register_fn("test", "echo", 1, |args| Ok(args[0].clone()))
        .unwrap();
    let noted = tx.clone();
    node.register_fn("test", "note", 1, move |args| {
        noted.send(format!("noted {}", args[0])).unwrap();
        Ok(Term::atom("ok"))
    })
    .unwrap();
    // Tells erl's shell its pid, reports who monitors it, waits for
    // `release`, then reports again and returns.
    let (n, e2, tx2) = (node.clone(), e.clone(), tx.clone());
    node.register_async_fn("test", "slow", 0, move |_| {
        let (n, e, tx) = (n.clone(), e2.clone(), tx2.clone());
        async move {
            let me = self_pid();
            // Remote watchers only: the test's own watcher is local.
            let watchers = || {
                let info = process_info(me).unwrap();
                info.monitored_by.iter().filter(|p| !p.is_local()).count()
            };
            tx.send(format!("slow started, monitored by {}", watchers()))
                .unwrap();
            let msg = Term::tuple([Term::atom("slow"), n.pid_term(me).unwrap()]);
            n.send_to("shell", &e, &msg).unwrap();
            receive_match(|t: &Term| t.is_atom("release")).await;
            tx.send(format!("slow released, monitored by {}", watchers()))
                .unwrap();
            Ok(Term::atom("late"))
        }
    })
    .unwrap();
    // Registers as `waiter`, reports its links and monitors, then exits
    // with the first term it receives.
    node.register_async_fn("test", "wait", 0, move |_| {
        let tx = tx.clone();
        async move {
            girder::register("waiter", self_pid()).unwrap();
            let info = process_info(self_pid()).unwrap();
            tx.send(format!(
                "wait: {} links, {} monitors",
                info.links.len(),
                info.monitored_by.len()
            ))
            .unwrap();
            Err(RpcError::exit(receive::<Term>().await))
        }
    })
    .unwrap();
}

/// A girder node `g` with the test functions, and an erl node `e` that
/// pinged it and registered its shell as `shell`.
async fn setup() -> (Girder, Erl, mpsc::UnboundedReceiver<String>, u16) {
    let port = free_port();
    let g = Girder::start("g@127.0.0.1", "c", port).await;
    let (tx, rx) = mpsc::unbounded_channel();
    let e = NodeName::parse("e@127.0.0.1").unwrap();
    register(&g.node, &e, tx);
    let mut erl = Erl::start("e@127.0.0.1", "c", port, &[]).await;
    assert_eq!(erl.eval("net_adm:ping('g@127.0.0.1').").await, "pong");
    assert_eq!(erl.eval("register(shell, self()).").await, "true");
    (g, erl, rx, port)
}

/// A girder process registered as `watcher`: given `{From, Pid}`, it
/// monitors `Pid`, answers `watching` to `From`, and reports how `Pid`
/// ends (its exit reason as a term).
async fn watcher(g: &Girder) -> mpsc::UnboundedReceiver<String> {
    let (tx, rx) = mpsc::unbounded_channel();
    let (ready, mut is_ready) = mpsc::unbounded_channel::<()>();
    let node = g.node.clone();
    g.spawn(async move {
        girder::register("watcher", self_pid()).unwrap();
        ready.send(()).unwrap();
        let t = receive::<Term>().await;
        let [from, pid] = t.as_tuple().unwrap() else {
            panic!("watcher got {t}")
        };
        let (from, pid) = (node.pid_of(from).unwrap(), node.pid_of(pid).unwrap());
        let m = monitor(pid);
        girder::send(from, Term::atom("watching"));
        let down = receive_match(move |d: &Down| d.monitor == m).await;
        tx.send(reason_to_term(&down.reason).to_string()).unwrap();
    });
    next(&mut is_ready).await;
    rx
}

/// `try Expr catch Class:Reason -> {Class, Reason} end.`
async fn caught(erl: &mut Erl, expr: &str) -> String {
    erl.eval(&format!("try {expr} catch C:R -> {{C, R}} end."))
        .await
}

/// `rpc:call/4` and `erpc:call/4` return what the Rust function returns;
/// serde values arrive as maps; `rex` told erl that we speak `erpc`.
#[tokio::test]
async fn rpc_and_erpc_calls_return_values() {
    if !have_erlang() {
        return;
    }
    let (_g, mut erl, _rx, _) = setup().await;
    assert_eq!(
        erl.eval(&format!("rpc:call({G}, math, add, [1, 2])."))
            .await,
        "3"
    );
    assert_eq!(
        erl.eval(&format!("erpc:call({G}, math, add, [40, 2], 5000)."))
            .await,
        "42"
    );
    assert_eq!(
        erl.eval(&format!("rpc:call({G}, greeter, hello, [<<\"ann\">>]) =:= #{{text => <<\"hello, ann\">>, length => 10}}."))
            .await,
        "true"
    );
    // Many calls at once, each in a process of its own.
    assert_eq!(
        erl.eval(&format!(
            "lists:sum(erpc:multicall([{G}, {G}, {G}], math, add, [1, 1], 5000) =:= [{{ok, 2}}, {{ok, 2}}, {{ok, 2}}] andalso [1])."
        ))
        .await,
        "1"
    );
    // rpc's nodes observer asked our rex for its features on nodeup.
    let features = erl
        .eval(&format!(
            "Tab = persistent_term:get(rex_nodes_observer), \
             F = fun L(0) -> ets:lookup(Tab, {G}); L(N) -> case ets:lookup(Tab, {G}) of [] -> timer:sleep(20), L(N - 1); X -> X end end, \
             F(500)."
        ))
        .await;
    assert_eq!(features, format!("[{{{G},true}}]"));
}

/// `rpc:cast/4` and `erpc:cast/4` run the function and wait for nothing.
#[tokio::test]
async fn casts_run_the_function() {
    if !have_erlang() {
        return;
    }
    let (_g, mut erl, mut rx, _) = setup().await;
    assert_eq!(
        erl.eval(&format!("rpc:cast({G}, test, note, [one])."))
            .await,
        "true"
    );
    assert_eq!(next(&mut rx).await, "noted one");
    assert_eq!(
        erl.eval(&format!("erpc:cast({G}, test, note, [two])."))
            .await,
        "ok"
    );
    assert_eq!(next(&mut rx).await, "noted two");
    // A cast of an unknown function is dropped (a warning here).
    assert_eq!(
        erl.eval(&format!("erpc:cast({G}, test, nope, []).")).await,
        "ok"
    );
    assert_eq!(
        erl.eval(&format!("rpc:call({G}, test, note, [three])."))
            .await,
        "ok"
    );
    assert_eq!(next(&mut rx).await, "noted three");
}

/// An `Err` is the exception of its class, a panic an `error`; `rpc:call`
/// turns them into `badrpc` as it does for Erlang functions; the node
/// serves the next call.
#[tokio::test]
async fn exceptions_reach_erpc_and_rpc_in_erlangs_forms() {
    if !have_erlang() {
        return;
    }
    let (_g, mut erl, _rx, _) = setup().await;
    let erpc = |a: &str| format!("erpc:call({G}, test, raise, [{a}])");
    let rpc = |a: &str| format!("rpc:call({G}, test, raise, [{a}]).");
    assert_eq!(
        caught(&mut erl, &erpc("error")).await,
        "{error,{exception,bad,[{test,raise,1,[]}]}}"
    );
    assert_eq!(
        caught(&mut erl, &erpc("exit")).await,
        "{exit,{exception,bye}}"
    );
    assert_eq!(caught(&mut erl, &erpc("throw")).await, "{throw,7}");
    assert_eq!(
        erl.eval(&rpc("error")).await,
        "{badrpc,{'EXIT',{bad,[{test,raise,1,[]}]}}}"
    );
    assert_eq!(erl.eval(&rpc("exit")).await, "{badrpc,{'EXIT',bye}}");
    assert_eq!(erl.eval(&rpc("throw")).await, "7");
    // A typed function given an argument of the wrong type: badarg.
    assert_eq!(
        caught(&mut erl, &format!("erpc:call({G}, greeter, hello, [42])")).await,
        "{error,{exception,badarg,[{greeter,hello,1,[]}]}}"
    );
    // A panic (`~w` prints <<"boom">> as its bytes).
    assert_eq!(
        caught(&mut erl, &format!("erpc:call({G}, test, boom, [])")).await,
        "{error,{exception,{panic,<<98,111,111,109>>},[{test,boom,0,[]}]}}"
    );
    assert_eq!(
        erl.eval(&format!("rpc:call({G}, test, boom, []).")).await,
        "{badrpc,{'EXIT',{{panic,<<98,111,111,109>>},[{test,boom,0,[]}]}}}"
    );
    assert_eq!(
        erl.eval(&format!("rpc:call({G}, math, add, [2, 2])."))
            .await,
        "4"
    );
}

/// A function nobody registered, or one registered with another arity,
/// fails exactly as an undefined function does on an Erlang node: erl's
/// own local call of an undefined function gives the same forms.
#[tokio::test]
async fn undefined_functions_and_other_arities_are_undef_as_in_erlang() {
    if !have_erlang() {
        return;
    }
    let (_g, mut erl, _rx, _) = setup().await;
    for (m, f, args) in [
        ("nomod", "nofun", "[1]"),
        ("math", "add", "[1, 2, 3]"),
        ("math", "add", "[]"),
    ] {
        let ours = caught(&mut erl, &format!("erpc:call({G}, {m}, {f}, {args})")).await;
        let theirs = caught(&mut erl, &format!("erpc:call(node(), {m}, {f}, {args})")).await;
        assert_eq!(ours, theirs, "erpc:call of {m}:{f}({args})");
        assert!(ours.starts_with("{error,{exception,undef,"), "{ours}");
        let ours = erl.eval(&format!("rpc:call({G}, {m}, {f}, {args}).")).await;
        let theirs = erl
            .eval(&format!("rpc:call(node(), {m}, {f}, {args})."))
            .await;
        assert_eq!(ours, theirs, "rpc:call of {m}:{f}({args})");
    }
    assert_eq!(
        erl.eval(&format!("rpc:call({G}, nomod, nofun, [1])."))
            .await,
        "{badrpc,{'EXIT',{undef,[{nomod,nofun,[1],[]}]}}}"
    );
}

/// `erpc:call/5` against a function slower than its timeout: erl raises
/// `{erpc, timeout}` and drops its monitor (our process sees the
/// `DEMONITOR_P`); the process, as an Erlang one would, runs to its end
/// and exits with its reply, which nobody receives. `rpc:call/5` gives
/// `{badrpc, timeout}`.
#[tokio::test]
async fn a_call_that_times_out_leaves_its_process_to_finish_unwatched() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, mut rx, _) = setup().await;
    assert_eq!(
        caught(&mut erl, &format!("erpc:call({G}, test, slow, [], 100)")).await,
        "{error,{erpc,timeout}}"
    );
    assert_eq!(next(&mut rx).await, "slow started, monitored by 1");
    let pid = erl
        .eval("receive {slow, P} -> put(slow, P), P after 10000 -> timeout end.")
        .await;
    assert!(pid.starts_with("<"), "{pid}");
    // A girder process watches the slow one and reports how it ends.
    let mut watched = watcher(&g).await;
    assert_eq!(
        erl.eval(&format!(
            "{{watcher, {G}}} ! {{self(), get(slow)}}, \
             receive watching -> get(slow) ! release, ok after 10000 -> timeout end."
        ))
        .await,
        "ok"
    );
    // `release` came after the DEMONITOR_P on the same connection.
    assert_eq!(next(&mut rx).await, "slow released, monitored by 0");
    let reason = next(&mut watched).await;
    assert!(reason.ends_with(",return,late}"), "{reason}");
    assert_eq!(
        erl.eval("process_info(self(), message_queue_len).").await,
        "{message_queue_len,0}"
    );
    assert_eq!(
        erl.eval(&format!("rpc:call({G}, test, slow, [], 100)."))
            .await,
        "{badrpc,timeout}"
    );
    assert_eq!(next(&mut rx).await, "slow started, monitored by 1");
    assert_eq!(
        erl.eval("receive {slow, P} -> P ! release, ok after 10000 -> timeout end.")
            .await,
        "ok"
    );
}

/// The process running a call is killed: `erpc:call` raises
/// `exit:{signal, killed}`, `rpc:call` gives `{badrpc, {'EXIT', killed}}`.
#[tokio::test]
async fn a_killed_call_reaches_the_caller_as_a_signal() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, mut rx, _) = setup().await;
    for (call, want) in [
        (
            format!("try erpc:call({G}, test, wait, []) catch C:R -> {{C, R}} end"),
            "{exit,{signal,killed}}",
        ),
        (
            format!("rpc:call({G}, test, wait, [])"),
            "{badrpc,{'EXIT',killed}}",
        ),
    ] {
        let asked = erl
            .eval(&format!(
                "Shell = self(), spawn(fun() -> Shell ! {{result, {call}}} end), ok."
            ))
            .await;
        assert_eq!(asked, "ok");
        assert_eq!(next(&mut rx).await, "wait: 0 links, 1 monitors");
        let waiter = g.handle.whereis("waiter").expect("the call's process");
        g.handle.exit(waiter, girder::ExitReason::Kill);
        assert_eq!(
            erl.eval("receive {result, X} -> X after 10000 -> timeout end.")
                .await,
            want
        );
    }
}

/// `erlang:spawn_request/5` with `link` and `monitor`: the new girder
/// process is linked to and monitored by the requester from the start;
/// its exit reaches the requester as `'DOWN'` (reference = request id)
/// and `'EXIT'`. The other way, the requester's death kills the linked
/// process.
#[tokio::test]
async fn spawn_request_links_and_monitors_through_the_bridge() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, mut rx, _) = setup().await;
    let spawned = erl
        .eval(&format!(
            "Shell = self(), \
             spawn(fun() -> process_flag(trap_exit, true), \
                 R = erlang:spawn_request({G}, test, wait, [], [link, monitor]), \
                 receive {{spawn_reply, R, ok, P}} -> Shell ! {{spawned, P}}, \
                     receive {{'DOWN', R, process, P, D}} -> \
                         receive {{'EXIT', P, E}} -> Shell ! {{ended, D, E}} end end end end), \
             receive {{spawned, P}} -> put(p, P), node(P) after 10000 -> timeout end."
        ))
        .await;
    assert_eq!(spawned, G);
    assert_eq!(next(&mut rx).await, "wait: 1 links, 1 monitors");
    assert_eq!(
        erl.eval("get(p) ! {done, 1}, receive {ended, D, E} -> {D, E} after 10000 -> timeout end.")
            .await,
        "{{done,1},{done,1}}"
    );

    // The requester dies: the linked girder process dies with it.
    let mut watched = watcher(&g).await;
    let linked = erl
        .eval(&format!(
            "spawn(fun() -> R = erlang:spawn_request({G}, test, wait, [], [link]), \
                 receive {{spawn_reply, R, ok, P}} -> {{watcher, {G}}} ! {{self(), P}}, \
                     receive watching -> exit(parent_gone) end end end), \
             ok."
        ))
        .await;
    assert_eq!(linked, "ok");
    assert_eq!(next(&mut rx).await, "wait: 1 links, 0 monitors");
    assert_eq!(next(&mut watched).await, "parent_gone");
}

/// Without options the requester hears only the reply; `monitor` alone
/// sees a `normal` exit; an unknown function's process exits `undef` as
/// on an Erlang node; an option erts does not know is `badopt`.
#[tokio::test]
async fn spawn_request_options_and_errors() {
    if !have_erlang() {
        return;
    }
    let (_g, mut erl, _rx, _) = setup().await;
    let down = |m: &str, f: &str, args: &str, node: &str| {
        format!(
            "R = erlang:spawn_request({node}, {m}, {f}, {args}, [monitor]), \
             receive {{spawn_reply, R, ok, P}} -> receive {{'DOWN', R, process, P, D}} -> D after 10000 -> no_down end \
             after 10000 -> no_reply end."
        )
    };
    assert_eq!(erl.eval(&down("test", "echo", "[1]", G)).await, "normal");
    let ours = erl.eval(&down("nomod", "nofun", "[1]", G)).await;
    assert_eq!(ours, "{undef,[{nomod,nofun,[1],[]}]}");
    assert_eq!(
        erl.eval(&down("nomod", "nofun", "[1]", "node()")).await,
        ours
    );
    assert_eq!(
        erl.eval(&format!(
            "R = erlang:spawn_request({G}, test, echo, [1], [{{priority, high}}, {{fullsweep_after, 10}}]), \
             receive {{spawn_reply, R, ok, P}} -> node(P) after 10000 -> no_reply end."
        ))
        .await,
        G
    );
    assert_eq!(
        erl.eval(&format!(
            "R = erlang:spawn_request({G}, test, echo, [1], [bogus]), \
             receive {{spawn_reply, R, error, E}} -> E after 10000 -> no_reply end."
        ))
        .await,
        "badopt"
    );
    // spawn/4 of a remote function is a spawn request too.
    assert_eq!(
        erl.eval(&format!("P = spawn({G}, test, echo, [1]), node(P)."))
            .await,
        G
    );
}

/// Elixir's `:rpc.call/4` and `:erpc.call/4` run a Rust function
/// registered under an Elixir module name.
#[tokio::test]
async fn elixir_calls_a_rust_function() {
    if !have(&["erl", "epmd", "elixir"]) {
        return;
    }
    let port = free_port();
    let g = Girder::start("g@127.0.0.1", "c", port).await;
    g.node
        .register_typed_fn("Elixir.Math", "add", |(a, b): (i64, i64)| {
            Ok::<_, RpcError>(a + b)
        })
        .unwrap();
    let mut cmd = Command::new("elixir");
    cmd.args([
        "--name",
        "x@127.0.0.1",
        "--cookie",
        "c",
        "--erl",
        "-start_epmd false -kernel inet_dist_use_interface {127,0,0,1}",
        "-e",
        r#"IO.puts("rpc=#{inspect(:rpc.call(:"g@127.0.0.1", Math, :add, [1, 2]))} erpc=#{inspect(:erpc.call(:"g@127.0.0.1", Math, :add, [40, 2]))} bad=#{inspect(:rpc.call(:"g@127.0.0.1", Math, :add, ["x", 2]))}")"#,
    ])
    .env("ERL_EPMD_PORT", port.to_string())
    .env_remove("ERL_EPMD_ADDRESS");
    let mut ex = Proc::spawn(cmd, "elixir");
    assert_eq!(
        ex.line_starting("rpc=").await,
        "3 erpc=42 bad={:badrpc, {:EXIT, {:badarg, [{Math, :add, 2, []}]}}}"
    );
}
