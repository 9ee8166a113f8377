//! Distribution over loopback: two nodes, one TCP connection between them.
//! Args: `[messages, round_trips, bytes]`.
//!
//! The message is `{msg, I}` (`bytes` 0) or `{msg, I, Bin}` with a
//! `bytes`-long binary, on every system. Node A (the driver, which times)
//! and node B (which serves) are:
//!
//! * Girder: two Girder runtimes in this OS process, each with
//!   `schedulers` scheduler threads and its own distribution node; they
//!   talk only through the loopback TCP connection (full encode, framing
//!   and decode: girder-dist has no in-process shortcut). Then node A
//!   against a real `erl` node (`-run gb_dist peer`), with B stopped.
//! * Erlang: `bench/erlang/gb_dist.erl`, the driver VM and a `peer` VM.
//!
//! Figures (A's clock):
//!
//! * `rate`: A streams `messages` to a sink on B, then `done`; the sink
//!   answers `{ack, Count}`. Messages per second from the first send to
//!   the ack, and the count is checked;
//! * `p50`, `p99`: round trips of one message between A and an echo on B,
//!   each timed, after [`WARMUP`];
//! * Girder only, against an `erl` node: `ge_rate` (Girder → Erlang, as
//!   `rate`), `eg_rate` (Erlang → Girder: from A's `{blast, …}` request to
//!   the last of `messages` received), `ge_p50`, `ge_p99`.

use std::net::SocketAddr;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use girder::{Runtime, consume_reductions, receive, self_pid, send};
use girder_dist::{Cookie, DistNode, NodeConfig, NodeName};
use girder_term::Term;

use crate::erlang::Erlang;
use crate::metric::Sample;
use crate::stats::Latencies;
use crate::workload::arg;
use crate::{BenchError, Result};

/// Round trips before the timed ones.
pub(crate) const WARMUP: u64 = 1_000;

/// The cookie of every benchmark node (loopback only).
pub(crate) const COOKIE: &str = "girder_bench";

/// How long a control step (a node up, a `ready`) may take.
const PATIENCE: Duration = Duration::from_secs(30);

/// How long a stream's acknowledgement may take.
const STREAM_PATIENCE: Duration = Duration::from_secs(600);

/// The benchmark message: `{msg, I}` or `{msg, I, Bin}`.
#[derive(Debug, Clone)]
struct Msg {
    tag: Term,
    bin: Option<Term>,
}

impl Msg {
    fn new(bytes: u64) -> Msg {
        Msg {
            tag: Term::atom("msg"),
            bin: (bytes > 0).then(|| Term::Binary(vec![b'x'; bytes as usize])),
        }
    }

    fn at(&self, i: u64) -> Term {
        let i = Term::Integer(i as i64);
        match &self.bin {
            None => Term::tuple([self.tag.clone(), i]),
            Some(bin) => Term::tuple([self.tag.clone(), i, bin.clone()]),
        }
    }
}

fn node_config(name: &str, epmd_port: u16) -> Result<NodeConfig> {
    let cookie = Cookie::new(COOKIE).map_err(|e| BenchError::new(format!("cookie: {e}")))?;
    Ok(NodeConfig::new(name)
        .map_err(|e| BenchError::new(format!("node name {name}: {e}")))?
        .cookie(cookie)
        .epmd_port(epmd_port))
}

fn node_name(name: &str) -> Result<NodeName> {
    NodeName::parse(name).map_err(|e| BenchError::new(format!("node name {name}: {e}")))
}

/// A port that was free a moment ago on 127.0.0.1.
fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A Girder runtime that is a distributed node.
struct GirderNode {
    rt: Runtime,
    node: DistNode,
}

impl GirderNode {
    fn start(name: &str, schedulers: usize, epmd_port: u16) -> Result<GirderNode> {
        let rt = Runtime::builder()
            .schedulers(schedulers)
            .name(name.split('@').next().unwrap_or("bench"))
            .build()
            .map_err(|e| BenchError::new(format!("cannot start the Girder runtime: {e}")))?;
        let handle = rt.handle().clone();
        let config = node_config(name, epmd_port)?;
        let node = rt
            .block_on(async move { girder_dist::start(&handle, config).await })
            .map_err(|e| BenchError::new(format!("starting node {name}: {e}")))?
            .map_err(|e| BenchError::new(format!("starting node {name}: {e}")))?;
        Ok(GirderNode { rt, node })
    }

    /// Runs `body` as a root process of this node's runtime.
    fn run<F, T>(&self, body: F) -> Result<T>
    where
        F: Future<Output = Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        self.rt
            .block_on(body)
            .map_err(|e| BenchError::new(format!("the Girder driver exited with {e}")))?
    }

    fn stop(self) {
        self.node.stop();
        self.rt.shutdown();
    }
}

/// A `receive` of a term that gives up after `patience`.
async fn recv(patience: Duration, what: &str) -> Result<Term> {
    receive::<Term>()
        .timeout(patience)
        .await
        .ok_or_else(|| BenchError::new(format!("no {what} within {} s", patience.as_secs())))
}

/// The pid in a `{ready, Pid}` from the server.
async fn ready(node: &DistNode) -> Result<girder::Pid> {
    let t = recv(PATIENCE, "ready from the server").await?;
    match t.as_tuple() {
        Some([tag, pid]) if tag.is_atom("ready") => node
            .pid_of(pid)
            .ok_or_else(|| BenchError::new(format!("not a pid: {pid}"))),
        _ => Err(BenchError::new(format!("expected {{ready, Pid}}, got {t}"))),
    }
}

/// Streams `n` messages to `to`. A send charges a reduction; awaiting
/// `consume_reductions(0)` after each lets the sender be preempted when
/// its slice is spent, as BEAM preempts the Erlang sender.
async fn stream(to: girder::Pid, n: u64, msg: &Msg) {
    for i in 0..n {
        send(to, msg.at(i));
        consume_reductions(0).await;
    }
}

/// The server on node B, registered as `gb_dist`: the Girder twin of
/// `gb_dist:serve/0`.
async fn serve(node: DistNode) {
    loop {
        let t = receive::<Term>().await;
        match t.as_tuple() {
            Some([cmd, from]) if cmd.is_atom("sink") => {
                let Some(from) = node.pid_of(from) else {
                    continue;
                };
                let Some(me) = node.pid_term(self_pid()) else {
                    return;
                };
                send(from, Term::tuple([Term::atom("ready"), me]));
                let mut count = 0i64;
                loop {
                    let m = receive::<Term>().await;
                    if m.is_atom("done") {
                        break;
                    }
                    count += 1;
                }
                send(from, Term::tuple([Term::atom("ack"), Term::Integer(count)]));
            }
            Some([cmd, from]) if cmd.is_atom("echo") => {
                let Some(from) = node.pid_of(from) else {
                    continue;
                };
                let Some(me) = node.pid_term(self_pid()) else {
                    return;
                };
                send(from, Term::tuple([Term::atom("ready"), me]));
                loop {
                    let m = receive::<Term>().await;
                    let done = m.is_atom("done");
                    send(from, m);
                    if done {
                        break;
                    }
                }
            }
            Some([cmd, to, n, bytes]) if cmd.is_atom("blast") => {
                let (Some(to), Some(n), Some(bytes)) =
                    (node.pid_of(to), n.as_i64(), bytes.as_i64())
                else {
                    continue;
                };
                stream(to, n as u64, &Msg::new(bytes as u64)).await;
            }
            _ if t.is_atom("stop") => return,
            _ => {}
        }
    }
}

/// What the driver measures against one peer node.
#[derive(Debug, Default)]
struct Figures {
    rate: f64,
    rate_in: Option<f64>,
    latencies: Option<Latencies>,
}

/// The driver, a process on node A: stream to B's sink, round trips with
/// B's echo, and (`inbound`) a stream from B to A.
async fn drive(
    node: DistNode,
    peer: NodeName,
    n: u64,
    round_trips: u64,
    bytes: u64,
    inbound: bool,
) -> Result<Figures> {
    let me = node
        .pid_term(self_pid())
        .ok_or_else(|| BenchError::new("the driver has no pid term"))?;
    let msg = Msg::new(bytes);
    let to_server = |t: Term| {
        node.send_to("gb_dist", &peer, &t)
            .map_err(|e| BenchError::new(format!("send to gb_dist on {peer}: {e}")))
    };
    let mut figures = Figures::default();

    to_server(Term::tuple([Term::atom("sink"), me.clone()]))?;
    let sink = ready(&node).await?;
    let start = Instant::now();
    stream(sink, n, &msg).await;
    send(sink, Term::atom("done"));
    let ack = recv(STREAM_PATIENCE, "ack of the stream").await?;
    let elapsed = start.elapsed().as_secs_f64();
    match ack.as_tuple() {
        Some([tag, count]) if tag.is_atom("ack") && count.as_i64() == Some(n as i64) => {}
        _ => {
            return Err(BenchError::new(format!(
                "expected {{ack, {n}}} from the sink, got {ack}"
            )));
        }
    }
    figures.rate = n as f64 / elapsed;

    to_server(Term::tuple([Term::atom("echo"), me.clone()]))?;
    let echo = ready(&node).await?;
    for i in 0..round_trips.min(WARMUP) {
        send(echo, msg.at(i));
        receive::<Term>().await;
    }
    let mut lat = Latencies::new()?;
    for i in 0..round_trips {
        let m = msg.at(i);
        let t = Instant::now();
        send(echo, m);
        receive::<Term>().await;
        lat.record(t.elapsed().as_nanos() as u64);
    }
    send(echo, Term::atom("done"));
    let done = recv(PATIENCE, "the echo's done").await?;
    if !done.is_atom("done") {
        return Err(BenchError::new(format!("expected done, got {done}")));
    }
    figures.latencies = Some(lat);

    if inbound {
        let start = Instant::now();
        to_server(Term::tuple([
            Term::atom("blast"),
            me.clone(),
            Term::Integer(n as i64),
            Term::Integer(bytes as i64),
        ]))?;
        for _ in 0..n {
            receive::<Term>().await;
        }
        figures.rate_in = Some(n as f64 / start.elapsed().as_secs_f64());
    }
    Ok(figures)
}

/// An `erl` node for Girder ↔ Erlang, killed when dropped.
struct ErlNode(Child);

impl Drop for ErlNode {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Girder ↔ Girder, then Girder ↔ Erlang when `erl` is there (under CI it
/// must be).
pub(crate) fn girder(schedulers: usize, args: &[u64]) -> Result<Vec<Sample>> {
    let n = arg(args, 0, "messages")?;
    let round_trips = arg(args, 1, "round trips")?;
    let bytes = args.get(2).copied().unwrap_or(0);
    let epmd_port = free_port()?;
    // A first: it hosts the embedded EPMD that B (and erl) register with.
    let a = GirderNode::start("gb_a@127.0.0.1", schedulers, epmd_port)?;
    let b = GirderNode::start("gb_b@127.0.0.1", schedulers, epmd_port)?;
    let b_node = b.node.clone();
    b.run(async move {
        let server = girder::spawn(serve(b_node));
        girder::register("gb_dist", server)
            .map_err(|e| BenchError::new(format!("register gb_dist: {e}")))
    })?;
    let node = a.node.clone();
    let b_name = b.node.name().clone();
    let gg = a.run(drive(node, b_name, n, round_trips, bytes, false))?;
    b.stop();
    let mut samples = vec![Sample::new("rate", gg.rate)];
    if let Some(lat) = &gg.latencies {
        samples.push(Sample::new("p50", lat.percentile(50.0)));
        samples.push(Sample::new("p99", lat.percentile(99.0)));
    }

    let erlang = Erlang::for_child()?;
    match &erlang {
        Some(erl) => {
            let e_name = "gb_e@127.0.0.1";
            let mut cmd = erl.node_command(schedulers);
            cmd.args(["-name", e_name, "-setcookie", COOKIE])
                .args(["-run", "gb_dist", "peer"])
                .arg(a.node.name().to_string())
                .env("ERL_EPMD_PORT", epmd_port.to_string())
                .env_remove("ERL_EPMD_ADDRESS")
                .stdin(Stdio::null())
                .stdout(Stdio::null());
            let _erl = ErlNode(
                cmd.spawn()
                    .map_err(|e| BenchError::new(format!("cannot start erl: {e}")))?,
            );
            let node = a.node.clone();
            let peer = node_name(e_name)?;
            let ge = a.run(async move {
                girder::register("gb_bench", self_pid())
                    .map_err(|e| BenchError::new(format!("register gb_bench: {e}")))?;
                let up = recv(PATIENCE, "erl node up").await?;
                if !up.as_tuple().is_some_and(|t| t[0].is_atom("up")) {
                    return Err(BenchError::new(format!("expected {{up, _}}, got {up}")));
                }
                drive(node, peer, n, round_trips, bytes, true).await
            })?;
            samples.push(Sample::new("ge_rate", ge.rate));
            if let Some(rate_in) = ge.rate_in {
                samples.push(Sample::new("eg_rate", rate_in));
            }
            if let Some(lat) = &ge.latencies {
                samples.push(Sample::new("ge_p50", lat.percentile(50.0)));
                samples.push(Sample::new("ge_p99", lat.percentile(99.0)));
            }
        }
        None if std::env::var_os("CI").is_some() => {
            return Err(BenchError::new(
                "erl/erlc not on PATH: under CI Girder <-> Erlang must be measured",
            ));
        }
        None => {}
    }
    a.stop();
    Ok(samples)
}

/// An embedded EPMD (girder-dist's) on a free loopback port, on a thread
/// of its own, for the Erlang ↔ Erlang run; stopped when dropped.
#[derive(Debug)]
pub(crate) struct Epmd {
    port: u16,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Epmd {
    pub(crate) fn start() -> Result<Epmd> {
        let (port_tx, port_rx) = std::sync::mpsc::channel::<std::result::Result<u16, String>>();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("bench-epmd".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = port_tx.send(Err(e.to_string()));
                        return;
                    }
                };
                rt.block_on(async move {
                    let addr = SocketAddr::from(([127, 0, 0, 1], 0));
                    match girder_dist::epmd::EpmdServer::bind(addr).await {
                        Ok(server) => {
                            let _ = port_tx.send(Ok(server.local_addr().port()));
                            let _ = stopped.await;
                            drop(server);
                        }
                        Err(e) => {
                            let _ = port_tx.send(Err(e.to_string()));
                        }
                    }
                });
            })?;
        let port = port_rx
            .recv()
            .map_err(|_| BenchError::new("the embedded EPMD thread ended"))?
            .map_err(|e| BenchError::new(format!("embedded EPMD: {e}")))?;
        Ok(Epmd {
            port,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for Epmd {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
