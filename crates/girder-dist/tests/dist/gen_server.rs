//! GenServers across the language boundary: `gen_server:call`/`cast` and
//! Elixir's `GenServer.call` into a girder GenServer that serves terms
//! (`GenServer::terms` → `DistNode::terms`), a girder GenServer that does
//! not (the terms reach `handle_info`), Elixir structs decoded with serde,
//! and girder processes calling Erlang and Elixir servers with
//! `girder_dist::gen_server::call`.

use std::time::Duration;

use girder::otp::gen_server::{GenServer, Info, Options, Reply, ReplyTo, Server, Terms};
use girder::{ExitReason, receive, self_pid};
use girder_dist::gen_server::{self as gs, CallError, ServerRef};
use girder_dist::{DistNode, NodeName, reason_to_term};
use girder_term::Term;
use serde::Deserialize;
use tokio::process::Command;
use tokio::sync::mpsc;

use crate::util::{Erl, Girder, Proc, free_port, girder_and_erl, have, have_erlang, next};

type Report = mpsc::UnboundedSender<String>;

/// A counter that serves calls from Erlang and Elixir.
struct Kv {
    node: DistNode,
    value: i64,
    parked: Option<ReplyTo<i64>>,
    report: Report,
    serve_terms: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum KvCall {
    Get,
    Put(i64),
    /// No reply now: kept for `Release`.
    Park,
    /// Replies -1 to the parked call, then the value.
    Release,
    /// Panics.
    Crash,
    /// Stops with `{shutdown, bye}`, replying the value.
    Stop,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum KvCast {
    Add(i64),
}

impl GenServer for Kv {
    type Call = KvCall;
    type Reply = i64;
    type Cast = KvCast;
    type Continue = ();

    async fn handle_call(&mut self, call: KvCall, from: ReplyTo<i64>) -> Reply<i64> {
        let _ = self
            .report
            .send(format!("remote caller: {}", from.is_remote()));
        match call {
            KvCall::Get => Reply::reply(self.value),
            KvCall::Put(v) => Reply::reply(std::mem::replace(&mut self.value, v)),
            KvCall::Park => {
                self.parked = Some(from);
                Reply::noreply()
            }
            KvCall::Release => {
                if let Some(parked) = self.parked.take() {
                    parked.reply(-1);
                }
                Reply::reply(self.value)
            }
            KvCall::Crash => panic!("kv crashed"),
            KvCall::Stop => Reply::stop_with_reply(
                ExitReason::ShutdownWith(girder::Reason::new(Term::atom("bye"))),
                self.value,
            ),
        }
    }

    async fn handle_cast(&mut self, cast: KvCast) -> girder::otp::gen_server::Action {
        let KvCast::Add(n) = cast;
        self.value += n;
        girder::otp::gen_server::Action::Noreply
    }

    async fn handle_info(&mut self, info: Info) -> girder::otp::gen_server::Action {
        if let Info::Message(m) = info {
            if let Some(t) = m.downcast_ref::<Term>() {
                let _ = self.report.send(format!("info: {t}"));
            }
        }
        girder::otp::gen_server::Action::Noreply
    }

    fn terms(&self) -> Option<Terms<Self>> {
        self.serve_terms.then(|| self.node.terms())
    }
}

/// Starts `Kv` registered as `name` on `g`; returns its pid.
async fn start_kv(
    g: &Girder,
    name: &'static str,
    serve_terms: bool,
    report: Report,
) -> girder::Pid {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let node = g.node.clone();
    g.spawn(async move {
        let kv = Kv {
            node,
            value: 0,
            parked: None,
            report,
            serve_terms,
        };
        let server = Server::start_with(kv, Options::new().name(name))
            .await
            .expect("kv starts");
        tx.send(server.whereis().expect("kv runs")).unwrap();
    });
    next(&mut rx).await
}

/// Hands `pid` to erl's shell as `get(Key)`.
async fn give_pid(g: &Girder, erl: &mut Erl, e: &NodeName, pid: girder::Pid, key: &str) {
    let term = g.node.pid_term(pid).unwrap();
    g.node.send_to("shell", e, &term).unwrap();
    assert_eq!(
        erl.eval(&format!(
            "receive P when is_pid(P) -> put({key}, P), ok after 10000 -> timeout end."
        ))
        .await,
        "ok"
    );
}

/// erl: `gen_server:call` by pid and by `{Name, Node}` (OTP 25: the reply
/// comes back by `ALIAS_SEND`), `gen_server:cast`, and the caller is seen
/// as remote by `handle_call`.
#[tokio::test]
async fn erl_calls_and_casts_a_girder_gen_server() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, e) = girder_and_erl().await;
    let (report, mut reports) = mpsc::unbounded_channel();
    let kv = start_kv(&g, "kv", true, report).await;
    give_pid(&g, &mut erl, &e, kv, "kv").await;
    assert_eq!(erl.eval("gen_server:call(get(kv), get).").await, "0");
    assert_eq!(next(&mut reports).await, "remote caller: true");
    assert_eq!(
        erl.eval("gen_server:call({kv, 'g@127.0.0.1'}, {put, 7}).")
            .await,
        "0"
    );
    assert_eq!(
        erl.eval("gen_server:cast({kv, 'g@127.0.0.1'}, {add, 3}).")
            .await,
        "ok"
    );
    assert_eq!(erl.eval("gen_server:cast(get(kv), {add, 1}).").await, "ok");
    assert_eq!(erl.eval("gen_server:call(get(kv), get, 5000).").await, "11");
    // `multi_call` tags its calls `{Ref, Node}`: the reply goes to the pid.
    assert_eq!(
        erl.eval("gen_server:multi_call(['g@127.0.0.1'], kv, get).")
            .await,
        "{[{'g@127.0.0.1',11}],[]}"
    );
    // Nothing but the replies reached the shell.
    assert_eq!(
        erl.eval("receive M -> M after 0 -> none end.").await,
        "none"
    );
}

/// erl: a call to a name nobody has on the girder node, and to a girder
/// server that has stopped, exits the caller with `noproc`, as in Erlang.
#[tokio::test]
async fn erl_call_to_an_unknown_name_or_a_dead_server_is_noproc() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, e) = girder_and_erl().await;
    let (report, _reports) = mpsc::unbounded_channel();
    let kv = start_kv(&g, "kv", true, report).await;
    give_pid(&g, &mut erl, &e, kv, "kv").await;
    let nobody = erl
        .eval("gen_server:call({nobody, 'g@127.0.0.1'}, get).")
        .await;
    assert!(
        nobody.starts_with("{caught,exit,{noproc,{gen_server,call,"),
        "{nobody}"
    );
    assert_eq!(
        erl.eval("M = monitor(process, get(kv)), exit(get(kv), kill), receive {'DOWN', M, _, _, R} -> R after 10000 -> timeout end.")
            .await,
        "killed"
    );
    let dead = erl.eval("gen_server:call(get(kv), get).").await;
    assert!(
        dead.starts_with("{caught,exit,{noproc,{gen_server,call,"),
        "{dead}"
    );
}

/// erl: a girder server that panics while handling the call exits the
/// caller with `{panic, <<"msg">>}`, the reason erl's monitor saw; one
/// that stops with a reply answers, then is gone.
#[tokio::test]
async fn erl_call_to_a_girder_server_that_crashes_or_stops() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, e) = girder_and_erl().await;
    let (report, _reports) = mpsc::unbounded_channel();
    let kv = start_kv(&g, "kv", true, report.clone()).await;
    give_pid(&g, &mut erl, &e, kv, "kv").await;
    let crashed = erl
        .eval("try gen_server:call(get(kv), crash) catch exit:{{panic, Msg}, {gen_server, call, _}} -> binary_to_atom(Msg) end.")
        .await;
    assert_eq!(crashed, "'kv crashed'");
    let kv2 = start_kv(&g, "kv2", true, report).await;
    give_pid(&g, &mut erl, &e, kv2, "kv2").await;
    assert_eq!(
        erl.eval("M = monitor(process, get(kv2)), {gen_server:call(get(kv2), stop), receive {'DOWN', M, _, _, R} -> R after 10000 -> timeout end}.")
            .await,
        "{0,{shutdown,bye}}"
    );
}

/// erl: a call the server does not answer in time exits the caller with
/// `timeout`; the server's late reply (sent through the caller's alias,
/// which is off by then) never reaches the caller's mailbox.
#[tokio::test]
async fn erl_call_times_out_and_a_late_reply_is_dropped() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, e) = girder_and_erl().await;
    let (report, _reports) = mpsc::unbounded_channel();
    let kv = start_kv(&g, "kv", true, report).await;
    give_pid(&g, &mut erl, &e, kv, "kv").await;
    let timed_out = erl.eval("gen_server:call(get(kv), park, 200).").await;
    assert!(
        timed_out.starts_with("{caught,exit,{timeout,{gen_server,call,"),
        "{timed_out}"
    );
    // The late reply (-1) goes out before this call's reply.
    assert_eq!(erl.eval("gen_server:call(get(kv), release).").await, "0");
    assert_eq!(
        erl.eval("receive M -> M after 0 -> none end.").await,
        "none"
    );
    // An old-style caller (a plain reference as the tag, no alias) gets
    // its reply at its pid.
    assert_eq!(
        erl.eval("R = make_ref(), get(kv) ! {'$gen_call', {self(), R}, get}, receive {R, V} -> V after 10000 -> timeout end.")
            .await,
        "0"
    );
}

/// A girder GenServer that does not serve terms gets `'$gen_call'` and
/// `'$gen_cast'` in `handle_info`, as before (the Erlang caller times
/// out); one that serves terms gets a request that does not decode in
/// `handle_info` too.
#[tokio::test]
async fn terms_reach_handle_info_unless_served_and_decoded() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, _e) = girder_and_erl().await;
    let (report, mut reports) = mpsc::unbounded_channel();
    start_kv(&g, "plain", false, report.clone()).await;
    start_kv(&g, "kv", true, report).await;
    let plain = erl
        .eval("gen_server:call({plain, 'g@127.0.0.1'}, get, 100).")
        .await;
    assert!(plain.starts_with("{caught,exit,{timeout,"), "{plain}");
    let info = next(&mut reports).await;
    assert!(
        info.starts_with("info: {'$gen_call',{<'e@127.0.0.1'."),
        "{info}"
    );
    assert!(info.ends_with(",get}"), "{info}");
    assert_eq!(
        erl.eval("gen_server:cast({plain, 'g@127.0.0.1'}, {add, 1}).")
            .await,
        "ok"
    );
    assert_eq!(next(&mut reports).await, "info: {'$gen_cast',{add,1}}");
    let bogus = erl
        .eval("gen_server:call({kv, 'g@127.0.0.1'}, {bogus, 1}, 100).")
        .await;
    assert!(bogus.starts_with("{caught,exit,{timeout,"), "{bogus}");
    let info = next(&mut reports).await;
    assert!(info.ends_with(",{bogus,1}}"), "{info}");
    assert_eq!(
        erl.eval("gen_server:cast({kv, 'g@127.0.0.1'}, nonsense).")
            .await,
        "ok"
    );
    assert_eq!(next(&mut reports).await, "info: {'$gen_cast',nonsense}");
}

const COUNTER_ERL: &str = r#"
-module(gs_counter).
-behaviour(gen_server).
-export([start/0, init/1, handle_call/3, handle_cast/2]).
start() -> gen_server:start({local, counter}, ?MODULE, 0, []).
init(N) -> {ok, N}.
handle_call({add, K}, _From, N) -> {reply, N + K, N + K};
handle_call(get, _From, N) -> {reply, N, N};
handle_call(park, _From, N) -> catch shell ! parked, {noreply, N};
handle_call(crash, _From, N) -> {stop, {bad_state, N}, N}.
handle_cast({set, K}, _) -> {noreply, K}.
"#;

#[derive(serde::Serialize)]
#[serde(rename_all = "snake_case")]
enum CounterCall {
    Add(i64),
    Get,
    Park,
    Crash,
}

/// Girder → a gen_server started in erl: calls by `{Name, Node}` and by
/// pid, a cast, a timeout that leaves nothing behind, a server that
/// stops while handling the call (`Exit` with its reason), then the gone
/// server (`NoProc`), a reply of the wrong type, and a bad name.
#[tokio::test]
async fn girder_calls_an_erlang_gen_server() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, e) = girder_and_erl().await;
    erl.load_module("gs_counter", COUNTER_ERL).await;
    assert!(erl.eval("{ok, P} = gs_counter:start(), is_pid(P).").await == "true");
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let node = g.node.clone();
    g.spawn(async move {
        girder::register("inbox", self_pid()).unwrap();
        tx.send("ready".into()).unwrap();
        let t = Duration::from_secs(10);
        let counter = ServerRef::named("counter", &e).unwrap();
        let r: Result<i64, _> = gs::call(&node, counter.clone(), &CounterCall::Add(2), t).await;
        tx.send(format!("add: {r:?}")).unwrap();
        gs::cast(&node, counter.clone(), &(Term::atom("set"), 40)).unwrap();
        let pid = receive::<Term>().await;
        let pid = node.pid_of(&pid).expect("a pid");
        let r: Result<i64, _> = gs::call(&node, pid, &CounterCall::Get, t).await;
        tx.send(format!("get by pid: {r:?}")).unwrap();
        let r: Result<i64, _> =
            gs::call(&node, pid, &CounterCall::Park, Duration::from_millis(200)).await;
        tx.send(format!(
            "park: {}",
            matches!(r, Err(CallError::Timeout { .. }))
        ))
        .unwrap();
        let r: Result<String, _> = gs::call(&node, pid, &CounterCall::Get, t).await;
        tx.send(format!(
            "wrong type: {}",
            matches!(r, Err(CallError::Reply { .. }))
        ))
        .unwrap();
        let r: Result<i64, _> = gs::call(&node, pid, &CounterCall::Crash, t).await;
        match r {
            Err(CallError::Exit { reason, .. }) => tx
                .send(format!("crash: {}", reason_to_term(&reason)))
                .unwrap(),
            other => tx.send(format!("crash: {other:?}")).unwrap(),
        }
        let r: Result<i64, _> = gs::call(&node, counter, &CounterCall::Get, t).await;
        tx.send(format!(
            "gone: {}",
            matches!(r, Err(CallError::NoProc { .. }))
        ))
        .unwrap();
        let r: Result<i64, _> = gs::call(&node, pid, &CounterCall::Get, t).await;
        tx.send(format!(
            "gone by pid: {}",
            matches!(r, Err(CallError::NoProc { .. }))
        ))
        .unwrap();
        // Nothing of those calls is left in the mailbox.
        let left = girder::receive_select(|_: &(dyn std::any::Any + Send)| Some(()))
            .timeout(Duration::ZERO)
            .await;
        tx.send(format!("left: {}", left.is_some())).unwrap();
        let bad = ServerRef::named(&"x".repeat(256), &e).unwrap_err();
        tx.send(bad.to_string()).unwrap();
    });
    assert_eq!(next(&mut rx).await, "ready");
    assert_eq!(next(&mut rx).await, "add: Ok(2)");
    assert_eq!(
        erl.eval("{inbox, 'g@127.0.0.1'} ! whereis(counter), ok.")
            .await,
        "ok"
    );
    assert_eq!(next(&mut rx).await, "get by pid: Ok(40)");
    assert_eq!(next(&mut rx).await, "park: true");
    assert_eq!(next(&mut rx).await, "wrong type: true");
    assert_eq!(next(&mut rx).await, "crash: {bad_state,40}");
    assert_eq!(next(&mut rx).await, "gone: true");
    assert_eq!(next(&mut rx).await, "gone by pid: true");
    assert_eq!(next(&mut rx).await, "left: false");
    assert!(next(&mut rx).await.contains("cannot be a registered name"));
}

/// Girder → erl, the node dies during the call: `NodeDown`, at once.
#[tokio::test]
async fn girder_call_to_a_node_that_dies_is_node_down() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, e) = girder_and_erl().await;
    erl.load_module("gs_counter", COUNTER_ERL).await;
    assert!(erl.eval("{ok, P} = gs_counter:start(), is_pid(P).").await == "true");
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let node = g.node.clone();
    g.spawn(async move {
        let counter = ServerRef::named("counter", &e).unwrap();
        let r: Result<i64, _> = gs::call(
            &node,
            counter.clone(),
            &CounterCall::Get,
            Duration::from_secs(10),
        )
        .await;
        tx.send(format!("get: {r:?}")).unwrap();
        tx.send("parking".into()).unwrap();
        let r: Result<i64, _> = gs::call(
            &node,
            counter,
            &CounterCall::Park,
            girder::otp::gen_server::INFINITY,
        )
        .await;
        tx.send(format!("{}", matches!(r, Err(CallError::NodeDown { .. }))))
            .unwrap();
    });
    assert_eq!(next(&mut rx).await, "get: Ok(0)");
    assert_eq!(next(&mut rx).await, "parking");
    // The counter has the call (and parks it); then kill erl.
    assert_eq!(
        erl.eval("receive parked -> ok after 10000 -> timeout end.")
            .await,
        "ok"
    );
    erl.kill().await;
    assert_eq!(next(&mut rx).await, "true");
}

/// A girder node and an `elixir --name` node on the girder node's
/// embedded EPMD, running `script`.
fn elixir(port: u16, name: &str, script: &str) -> Proc {
    let mut cmd = Command::new("elixir");
    cmd.args([
        "--name",
        name,
        "--cookie",
        "c",
        "--erl",
        "-start_epmd false -kernel inet_dist_use_interface {127,0,0,1}",
        "-e",
        script,
    ])
    .env("ERL_EPMD_PORT", port.to_string())
    .env_remove("ERL_EPMD_ADDRESS");
    Proc::spawn(cmd, name)
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename = "Elixir.MyApp.User")]
struct User {
    name: String,
    age: u32,
}

const ELIXIR_SCRIPT: &str = r#"
defmodule MyApp.User do
  defstruct [:name, :age]
end
defmodule MyApp.Stack do
  use GenServer
  def init(s), do: {:ok, s}
  def handle_call(:pop, _from, [h | t]), do: {:reply, h, t}
  def handle_call({:push, x}, _from, s), do: {:reply, :ok, [x | s]}
end
defmodule MyApp.Main do
  def run do
    g = :"g@127.0.0.1"
    IO.puts("ping: #{Node.ping(g)}")
    IO.puts("put: #{inspect(GenServer.call({:kv, g}, {:put, 5}))}")
    GenServer.cast({:kv, g}, {:add, 2})
    IO.puts("get: #{inspect(GenServer.call({:kv, g}, :get))}")
    {:ok, _} = GenServer.start(MyApp.Stack, [1], name: :stack)
    {:ok, _} = Agent.start(fn -> 41 end, name: :agent)
    send({:inbox, g}, %MyApp.User{name: "ann", age: 3})
    IO.puts("sent")
    Process.register(self(), :main)
    receive do
      :stop -> IO.puts("stopped")
    after
      60_000 -> IO.puts("gave up")
    end
  end
end
MyApp.Main.run()
"#;

/// Elixir: `Node.ping`, `GenServer.call`/`cast` into a girder GenServer,
/// a `%MyApp.User{}` struct decoded into a Rust struct, and girder calling
/// an Elixir GenServer and an `Agent` (`Agent.get(agent, Kernel, :+, [1])`
/// is the call `{get, {'Elixir.Kernel', '+', [1]}}`).
#[tokio::test]
async fn elixir_calls_girder_and_girder_calls_elixir() {
    if !have(&["elixir", "erl"]) {
        return;
    }
    let port = free_port();
    let g = Girder::start("g@127.0.0.1", "c", port).await;
    let (report, _reports) = mpsc::unbounded_channel();
    start_kv(&g, "kv", true, report).await;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let node = g.node.clone();
    g.spawn(async move {
        girder::register("inbox", self_pid()).unwrap();
        tx.send("ready".into()).unwrap();
        let user = receive::<Term>().await;
        let decoded: Result<User, _> = girder_term::from_term(&user);
        tx.send(format!("{decoded:?}")).unwrap();
        let x = NodeName::parse("x@127.0.0.1").unwrap();
        let t = Duration::from_secs(10);
        let stack = ServerRef::named("stack", &x).unwrap();
        let push = (Term::atom("push"), 2);
        let r: Result<(), _> = gs::call(&node, stack.clone(), &push, t).await;
        tx.send(format!("push: {r:?}")).unwrap();
        let r: Result<i64, _> = gs::call(&node, stack.clone(), &Term::atom("pop"), t).await;
        tx.send(format!("pop: {r:?}")).unwrap();
        let r: Result<i64, _> = gs::call(&node, stack.clone(), &Term::atom("pop"), t).await;
        tx.send(format!("pop: {r:?}")).unwrap();
        // The stack is empty now: its handle_call has no clause.
        let r: Result<i64, _> = gs::call(&node, stack, &Term::atom("pop"), t).await;
        let crashed = match r {
            Err(CallError::Exit { reason, .. }) => reason_to_term(&reason).to_string(),
            other => format!("{other:?}"),
        };
        tx.send(format!("empty: {crashed}")).unwrap();
        let get = Term::tuple([
            Term::atom("get"),
            Term::tuple([
                Term::atom("Elixir.Kernel"),
                Term::atom("+"),
                Term::list([Term::Integer(1)]),
            ]),
        ]);
        let agent = ServerRef::named("agent", &x).unwrap();
        let r: Result<i64, _> = gs::call(&node, agent, &get, t).await;
        tx.send(format!("agent: {r:?}")).unwrap();
        node.send_to("main", &x, &Term::atom("stop")).unwrap();
    });
    assert_eq!(next(&mut rx).await, "ready");
    let mut ex = elixir(port, "x@127.0.0.1", ELIXIR_SCRIPT);
    assert_eq!(ex.line_starting("ping: ").await, "pong");
    assert_eq!(ex.line_starting("put: ").await, "0");
    assert_eq!(ex.line_starting("get: ").await, "7");
    assert_eq!(ex.line_starting("sent").await, "");
    assert_eq!(next(&mut rx).await, r#"Ok(User { name: "ann", age: 3 })"#);
    assert_eq!(next(&mut rx).await, "push: Ok(())");
    assert_eq!(next(&mut rx).await, "pop: Ok(2)");
    assert_eq!(next(&mut rx).await, "pop: Ok(1)");
    let empty = next(&mut rx).await;
    assert!(empty.starts_with("empty: {function_clause,"), "{empty}");
    assert_eq!(next(&mut rx).await, "agent: Ok(42)");
    assert_eq!(ex.line_starting("stopped").await, "");
}

/// Bad input on the girder side: a request with no term form is an error
/// before anything is sent; a call to a name this node does not have is
/// `NoProc` at once; a process calling itself is `CallingSelf`; a call to
/// a node that cannot be reached is `NodeDown` once the connect fails.
#[tokio::test]
async fn bad_calls_are_clear_errors() {
    let port = free_port();
    let g = Girder::start("g@127.0.0.1", "c", port).await;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let node = g.node.clone();
    g.spawn(async move {
        let t = Duration::from_secs(1);
        let me = node.name().clone();
        let nan = f64::NAN;
        let r: Result<i64, _> = gs::call(&node, self_pid(), &nan, t).await;
        tx.send(format!("{}", matches!(r, Err(CallError::Request(_)))))
            .unwrap();
        let r: Result<i64, _> =
            gs::call(&node, ServerRef::named("nobody", &me).unwrap(), &1, t).await;
        tx.send(format!("{}", matches!(r, Err(CallError::NoProc { .. }))))
            .unwrap();
        let r: Result<i64, _> = gs::call(&node, self_pid(), &1, t).await;
        tx.send(format!("{}", matches!(r, Err(CallError::CallingSelf))))
            .unwrap();
        let e = CallError::NoProc {
            server: ServerRef::named("nobody", &me).unwrap(),
        };
        tx.send(e.to_string()).unwrap();
        tx.send(format!("{}", e.exit_reason() == ExitReason::Noproc))
            .unwrap();
        gs::cast(&node, ServerRef::named("nobody", &me).unwrap(), &1).unwrap();
        tx.send("cast ok".into()).unwrap();
        // A node nobody runs: the auto-connect fails, the monitor fires.
        let ghost = NodeName::parse("ghost@127.0.0.1").unwrap();
        let r: Result<i64, _> = gs::call(
            &node,
            ServerRef::named("kv", &ghost).unwrap(),
            &1,
            Duration::from_secs(15),
        )
        .await;
        tx.send(format!("{}", matches!(r, Err(CallError::NodeDown { .. }))))
            .unwrap();
    });
    assert_eq!(next(&mut rx).await, "true");
    assert_eq!(next(&mut rx).await, "true");
    assert_eq!(next(&mut rx).await, "true");
    assert_eq!(
        next(&mut rx).await,
        "no process {nobody, g@127.0.0.1} (noproc)"
    );
    assert_eq!(next(&mut rx).await, "true");
    assert_eq!(next(&mut rx).await, "cast ok");
    assert_eq!(next(&mut rx).await, "true");
}

/// Outgoing sends to an alias of an Erlang process (`DistNode::remote_alias`,
/// `ALIAS_SEND`): delivered while the alias is active, dropped by erl
/// after `unalias/1`; a non-reference or a local owner is `None`.
#[tokio::test]
async fn girder_sends_to_an_erlang_alias() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, _e) = girder_and_erl().await;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let node = g.node.clone();
    g.spawn(async move {
        girder::register("inbox", self_pid()).unwrap();
        tx.send("ready".into()).unwrap();
        let t = receive::<Term>().await;
        let Some([owner, alias]) = t.as_tuple() else {
            return;
        };
        let owner = node.pid_of(owner).unwrap();
        tx.send(format!(
            "local owner: {:?}",
            node.remote_alias(self_pid(), alias)
        ))
        .unwrap();
        tx.send(format!(
            "not a ref: {:?}",
            node.remote_alias(owner, &Term::atom("x"))
        ))
        .unwrap();
        let a = node.remote_alias(owner, alias).expect("a remote alias");
        a.send(Term::tuple([Term::atom("via_alias"), Term::Integer(1)]));
        // Wait until erl has deactivated it, then send again, then by pid.
        let _ = receive::<Term>().await;
        a.send(Term::tuple([Term::atom("via_alias"), Term::Integer(2)]));
        girder::send(owner, Term::atom("by_pid"));
    });
    assert_eq!(next(&mut rx).await, "ready");
    assert_eq!(
        erl.eval("A = alias(), put(a, A), {inbox, 'g@127.0.0.1'} ! {self(), A}, ok.")
            .await,
        "ok"
    );
    assert_eq!(next(&mut rx).await, "local owner: None");
    assert_eq!(next(&mut rx).await, "not a ref: None");
    assert_eq!(
        erl.eval("receive {via_alias, N} -> N after 10000 -> timeout end.")
            .await,
        "1"
    );
    assert_eq!(
        erl.eval("unalias(get(a)), {inbox, 'g@127.0.0.1'} ! unaliased, ok.")
            .await,
        "ok"
    );
    // The second alias message, sent before `by_pid`, was dropped.
    assert_eq!(
        erl.eval("receive M -> M after 10000 -> timeout end.").await,
        "by_pid"
    );
}

/// Girder ↔ girder in one process: a process of node `a` calls node `b`'s
/// term-serving GenServer by `{Name, Node}`; a call that times out leaves
/// nothing behind even when the late reply comes.
#[tokio::test]
async fn girder_calls_a_girder_gen_server_on_another_node() {
    let port = free_port();
    let b = Girder::start("b@127.0.0.1", "c", port).await;
    let a = Girder::start("a@127.0.0.1", "c", port).await;
    let (report, _reports) = mpsc::unbounded_channel();
    start_kv(&b, "kv", true, report).await;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let node = a.node.clone();
    a.spawn(async move {
        let b = NodeName::parse("b@127.0.0.1").unwrap();
        let kv = ServerRef::named("kv", &b).unwrap();
        let t = Duration::from_secs(10);
        let put = (Term::atom("put"), 9);
        let r: Result<i64, _> = gs::call(&node, kv.clone(), &put, t).await;
        tx.send(format!("put: {r:?}")).unwrap();
        gs::cast(&node, kv.clone(), &(Term::atom("add"), 1)).unwrap();
        let r: Result<i64, _> = gs::call(&node, kv.clone(), &Term::atom("get"), t).await;
        tx.send(format!("get: {r:?}")).unwrap();
        let r: Result<i64, _> = gs::call(
            &node,
            kv.clone(),
            &Term::atom("park"),
            Duration::from_millis(100),
        )
        .await;
        tx.send(format!(
            "park: {}",
            matches!(r, Err(CallError::Timeout { .. }))
        ))
        .unwrap();
        let r: Result<i64, _> = gs::call(&node, kv, &Term::atom("release"), t).await;
        tx.send(format!("release: {r:?}")).unwrap();
        let left = girder::receive_select(|_: &(dyn std::any::Any + Send)| Some(()))
            .timeout(Duration::ZERO)
            .await;
        tx.send(format!("left: {}", left.is_some())).unwrap();
    });
    assert_eq!(next(&mut rx).await, "put: Ok(0)");
    assert_eq!(next(&mut rx).await, "get: Ok(10)");
    assert_eq!(next(&mut rx).await, "park: true");
    assert_eq!(next(&mut rx).await, "release: Ok(10)");
    assert_eq!(next(&mut rx).await, "left: false");
}
