//! Erlang distribution for Girder: a Girder node joins a cluster of
//! Erlang/Elixir nodes (and of other Girder nodes) over the protocol BEAM
//! nodes speak to each other.
//!
//! # The model
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
mod flags;
mod frame;
pub mod handshake;
mod name;
mod node;

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
