//! Erlang distribution for Girder: a Girder node joins a cluster of
//! Erlang/Elixir nodes (and of other Girder nodes) over the protocol BEAM
//! nodes speak to each other, and its processes link to, monitor and
//! message processes on the other nodes exactly as they do local ones.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use girder::{Handle, Runtime, receive, register, self_pid};
//! use girder_dist::{Cookie, NodeConfig, NodeName};
//! use girder_term::Term;
//! # let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
//! let config = move |name: &str| {
//!     NodeConfig::new(name).unwrap().cookie(Cookie::new("secret").unwrap()).epmd_port(port)
//! };
//! // Node b: a process registered as `echo` answers {From, Msg} with Msg.
//! let b = Runtime::builder().schedulers(1).build()?;
//! let handle = b.handle().clone();
//! let b_node = b.block_on(async move { girder_dist::start(&handle, config("b@127.0.0.1")).await })
//!     .unwrap()?;
//! let node = b_node.clone();
//! b.block_on(async move {
//!     let echo = girder::spawn(async move {
//!         loop {
//!             let t = receive::<Term>().await;
//!             if let Some([from, msg]) = t.as_tuple() {
//!                 girder::send(node.pid_of(from).unwrap(), msg.clone());
//!             }
//!         }
//!     });
//!     register("echo", echo).unwrap();
//! }).unwrap();
//! // Node a, in the same OS process here (another machine in real life):
//! // {echo, 'b@127.0.0.1'} ! {self(), hello}.
//! let a = Runtime::builder().schedulers(1).build()?;
//! let reply = a.block_on(async move {
//!     let node = girder_dist::start(&Handle::current(), config("a@127.0.0.1")).await.unwrap();
//!     let me = node.pid_term(self_pid()).unwrap();
//!     let b = NodeName::parse("b@127.0.0.1").unwrap();
//!     node.send_to("echo", &b, &Term::tuple([me, Term::atom("hello")])).unwrap();
//!     receive::<Term>().await
//! }).unwrap();
//! assert_eq!(reply, Term::atom("hello"));
//! # Ok(()) }
//! ```
//!
//! # Girder processes in a cluster
//!
//! [`start`] makes a girder runtime a node: pids of other nodes are
//! ordinary [`girder::Pid`]s, and `send`, `link`, `unlink`, `monitor`,
//! `demonitor` and `exit` act on them as on local ones, with DESIGN §4's
//! semantics. Messages cross as [`girder_term::Term`] (or any serde value,
//! with [`DistNode::send`]); exit reasons as the terms [`reason_to_term`]
//! lists; a lost connection fires every link and monitor across it with
//! `noconnection`. [`DistNode`] adds what has no local counterpart:
//! `node()`, `nodes()`, `connect`, `disconnect`, `monitor_node`,
//! `{Name, Node}` sends and monitors.
//!
//! # GenServers across nodes
//!
//! A girder [`GenServer`](girder::otp::gen_server::GenServer) whose
//! `terms` returns [`DistNode::terms`] answers `gen_server:call/2,3` and
//! `gen_server:cast/2` from Erlang (Elixir `GenServer.call/2,3`,
//! `GenServer.cast/2`) with its typed callbacks, requests and replies
//! crossing through serde; a girder process calls an Erlang `gen_server`
//! or an Elixir `GenServer`/`Agent` with [`gen_server::call`], which is
//! monitor- and alias-based as OTP's is.
//!
//! # Process groups and failover
//!
//! [`pg`] is Erlang's `pg`: a scope process per node shares group
//! membership with the scopes of the same name on every other node,
//! Erlang or Girder, so `pg:get_members/1` in Erlang lists girder
//! processes and the other way round. [`failover`] runs a supervised child
//! on exactly one node of a priority list, as OTP's distributed
//! applications do: when its node goes down, the next live node starts it,
//! and clients find the new instance through its `pg` group.
//!
//! # Rust functions for `rpc:call`
//!
//! [`DistNode::register_fn`] (and its async and serde-typed siblings)
//! registers a Rust function under `{Module, Function, Arity}`; then
//! `rpc:call/4` and `erpc:call/4` from Erlang or Elixir run it, in a
//! girder process spawned for each call (served as OTP serves them, with
//! `SPAWN_REQUEST`), and its errors reach the caller as Erlang's
//! exception and `badrpc` forms ([`rpc`] has the table).
//!
//! # The protocol underneath: nodes, connections, control messages
//!
//! A node has a name, `alive@host`, and a cookie. It listens for
//! distribution connections on a port and registers that port under its
//! alive name in EPMD, the port mapper on its host ([`epmd`]). To reach
//! `b@host`, a node asks EPMD on `host` for `b`'s port, connects, and runs
//! the handshake ([`handshake`]): both prove they know the cookie without
//! sending it, and agree on capability flags ([`DistFlags`]). Then each side
//! sends frames: a control message ([`ControlMessage`], such as `SEND`,
//! `LINK`, `EXIT`, `MONITOR_P`) and, for sends and some exits, a second
//! term; an empty frame is a tick that keeps an idle connection alive.
//!
//! When nothing listens on the EPMD port, the node starts an embedded EPMD
//! server there, so a cluster of Girder nodes needs no Erlang install, and
//! real `erl` nodes on the host register with it as with `epmd`.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use girder_dist::{events, ControlMessage, Cookie, Event, Node, NodeConfig};
//! use girder_term::{Atom, Term};
//! # let free = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
//! // Two nodes on loopback; the first starts the embedded EPMD on `free`.
//! let config = |name: &str| -> Result<NodeConfig, Box<dyn std::error::Error>> {
//!     Ok(NodeConfig::new(name)?.cookie(Cookie::new("secret")?).epmd_port(free))
//! };
//! let (handler, mut inbox) = events();
//! let a = Node::start(config("a@127.0.0.1")?.handler(std::sync::Arc::new(handler))).await?;
//! let b = Node::start(config("b@127.0.0.1")?).await?;
//! b.connect(a.name()).await?;
//! // b sends {hello} to the name `echo` on a; a's handler receives it.
//! let from = girder_term::ExternalPid { node: b.name().atom().clone(), id: 1, serial: 0, creation: b.creation() };
//! let msg = ControlMessage::RegSend { from, to: Atom::new("echo")?, message: Term::tuple([Term::atom("hello")]) };
//! b.send(a.name(), &msg)?;
//! loop {
//!     if let Some(Event::Control { message, .. }) = inbox.recv().await {
//!         assert_eq!(message, msg);
//!         break;
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # Security
//!
//! Nodes listen on 127.0.0.1 unless configured otherwise. The cookie
//! authenticates peers but does not encrypt; cross untrusted networks with
//! TLS distribution (not built yet). Everything from a peer is hostile until
//! decoded: frame lengths are checked against a limit before anything is
//! allocated, terms are decoded with [`girder_term::Limits`], a half-done
//! handshake is dropped after a timeout, and any violation closes that one
//! connection with a logged reason while the node keeps serving others.
#![forbid(unsafe_code)]

mod bridge;
mod control;
mod cookie;
pub mod epmd;
pub mod failover;
mod flags;
mod frame;
pub mod gen_server;
pub mod handshake;
mod name;
mod node;
pub mod pg;
pub mod rpc;

pub use bridge::{
    DistNode, DistSendError, NodeDown, NodeUp, reason_from_term, reason_to_term, start,
};
pub use control::{BadControl, ControlMessage, ProcRef};
pub use cookie::{COOKIE_ENV, Cookie, CookieError};
pub use flags::DistFlags;
pub use frame::FrameError;
pub use name::{BadNodeName, NameMode, NodeName};
pub use node::{
    ConnectError, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_NET_TICK_TIME, Event, EventSender, Events,
    Handler, Node, NodeConfig, NodeDownReason, SendError, StartError, events,
};
pub use rpc::{RegisterFnError, RpcArgs, RpcError};
