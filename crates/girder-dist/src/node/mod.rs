//! A distributed node: its listener, its EPMD registration, and the
//! connection manager that dials, accepts, ticks and closes connections
//! (Erlang `net_kernel` and the distribution entries of erts).
//!
//! [`Node::start`] gives a running node. It accepts connections from any
//! node that shares its cookie, and dials on [`Node::connect`]. Each
//! connection that is up has a reader and a writer task; control messages
//! that arrive go to the configured [`Handler`], except the few the node
//! serves itself (`net_kernel`'s `is_auth`, so that `net_adm:ping/1`
//! answers `pong`, and `rex`'s features request). [`Node::send`] queues a control message on a
//! connection.

mod api;
mod config;
mod connection;
mod error;
mod events;
mod inner;
mod net_kernel;

pub use api::Node;
pub use config::{DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_NET_TICK_TIME, NodeConfig};
pub use error::{ConnectError, SendError, StartError};
pub use events::{Event, EventSender, Events, Handler, NodeDownReason, events};
