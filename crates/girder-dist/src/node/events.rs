//! What a node hands to the layer above it: control messages from peers,
//! and connections going up and down.

use std::fmt;

use tokio::sync::mpsc;

use crate::control::ControlMessage;
use crate::name::NodeName;

/// Why a connection to a node went down (the `Info` of Erlang's
/// `{nodedown, Node, Info}` with `nodedown_reason`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NodeDownReason {
    /// Nothing arrived for `net_tick_time` (Erlang `net_tick_timeout`).
    TickTimeout,
    /// The peer closed the connection (Erlang `connection_closed`).
    Closed,
    /// The connection failed.
    Io(String),
    /// The peer sent something that breaks the protocol or our limits; the
    /// connection was closed.
    Protocol(String),
    /// This node disconnected it (Erlang `disconnect`).
    Disconnected,
    /// A new connection from the same node replaced it.
    Replaced,
    /// This node stopped.
    Stopped,
    /// A connection set up to deliver messages sent to the node (auto-
    /// connect) could not be made; those messages were dropped.
    ConnectFailed(String),
}

impl fmt::Display for NodeDownReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeDownReason::TickTimeout => f.write_str("net tick timeout"),
            NodeDownReason::Closed => f.write_str("connection closed by peer"),
            NodeDownReason::Io(e) => write!(f, "connection error: {e}"),
            NodeDownReason::Protocol(e) => write!(f, "protocol violation: {e}"),
            NodeDownReason::Disconnected => f.write_str("disconnected"),
            NodeDownReason::Replaced => f.write_str("replaced by a new connection"),
            NodeDownReason::Stopped => f.write_str("node stopped"),
            NodeDownReason::ConnectFailed(e) => write!(f, "cannot connect: {e}"),
        }
    }
}

/// Receives what arrives from connected nodes. Called on the connection's
/// reader task, in arrival order per connection: it must not block (hand
/// the work on, as girder-core's `Handle::deliver` does).
///
/// ```
/// use girder_dist::{ControlMessage, Handler, NodeName};
/// #[derive(Debug)]
/// struct Count(std::sync::atomic::AtomicUsize);
/// impl Handler for Count {
///     fn control(&self, _from: &NodeName, _message: ControlMessage) {
///         self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
///     }
/// }
/// ```
pub trait Handler: Send + Sync + fmt::Debug + 'static {
    /// A control message from `from`, except those the node answers itself:
    /// `net_kernel`'s `is_auth`, monitors of `net_kernel`, and `rex`'s
    /// features request.
    fn control(&self, from: &NodeName, message: ControlMessage);

    /// A connection to `node` is up (Erlang `{nodeup, Node}`).
    fn node_up(&self, node: &NodeName) {
        let _ = node;
    }

    /// The connection to `node` is gone (Erlang `{nodedown, Node}`).
    fn node_down(&self, node: &NodeName, reason: &NodeDownReason) {
        let _ = (node, reason);
    }
}

/// One thing that happened, as [`Events`] delivers it.
// Events are moved once, from the reader task to the receiver; boxing the
// control message would cost an allocation per message instead.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// A control message.
    Control {
        /// The node it came from.
        from: NodeName,
        /// The message.
        message: ControlMessage,
    },
    /// A connection is up.
    NodeUp {
        /// The peer.
        node: NodeName,
    },
    /// A connection is down.
    NodeDown {
        /// The peer.
        node: NodeName,
        /// Why.
        reason: NodeDownReason,
    },
}

/// A [`Handler`] that queues every event for an [`Events`] receiver.
#[derive(Debug, Clone)]
pub struct EventSender {
    tx: mpsc::UnboundedSender<Event>,
}

/// The receiving end of [`events`].
#[derive(Debug)]
pub struct Events {
    rx: mpsc::UnboundedReceiver<Event>,
}

/// A handler that queues events, and the queue's receiver. The queue is
/// unbounded: a receiver that stops reading lets it grow.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use girder_dist::{events, Event, Handler, NodeDownReason, NodeName};
/// let (handler, mut events) = events();
/// let a = NodeName::parse("a@h").unwrap();
/// handler.node_down(&a, &NodeDownReason::TickTimeout);
/// assert_eq!(events.recv().await, Some(Event::NodeDown { node: a, reason: NodeDownReason::TickTimeout }));
/// # }
/// ```
pub fn events() -> (EventSender, Events) {
    let (tx, rx) = mpsc::unbounded_channel();
    (EventSender { tx }, Events { rx })
}

impl Events {
    /// The next event; `None` once the node and every sender are gone.
    pub async fn recv(&mut self) -> Option<Event> {
        self.rx.recv().await
    }

    /// The next event if one is queued.
    pub fn try_recv(&mut self) -> Option<Event> {
        self.rx.try_recv().ok()
    }
}

impl Handler for EventSender {
    fn control(&self, from: &NodeName, message: ControlMessage) {
        let _ = self.tx.send(Event::Control {
            from: from.clone(),
            message,
        });
    }

    fn node_up(&self, node: &NodeName) {
        let _ = self.tx.send(Event::NodeUp { node: node.clone() });
    }

    fn node_down(&self, node: &NodeName, reason: &NodeDownReason) {
        let _ = self.tx.send(Event::NodeDown {
            node: node.clone(),
            reason: reason.clone(),
        });
    }
}
