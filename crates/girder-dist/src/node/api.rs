//! [`Node`]: the handle a program holds on its distributed node.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::control::ControlMessage;
use crate::cookie::Cookie;
use crate::epmd::{self, EpmdError, NodeEntry};
use crate::handshake::{Local, Peer};
use crate::name::NodeName;
use crate::node::config::NodeConfig;
use crate::node::error::{ConnectError, SendError, StartError};
use crate::node::inner::{self, Inner, PeerState};

/// A running distributed node (Erlang `net_kernel` once `erl -name` has
/// started it). Cheap to clone; the node stops when the last clone is
/// dropped or [`Node::stop`] is called: it unregisters from EPMD, stops the
/// embedded EPMD server if it runs one, and closes every connection.
///
/// Needs a tokio runtime (with timers and I/O); its tasks run there.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use girder_dist::{Cookie, Node, NodeConfig};
/// # let epmd = girder_dist::epmd::EpmdServer::bind("127.0.0.1:0".parse()?).await?;
/// # let port = epmd.local_addr().port();
/// let config = |name: &str| -> Result<NodeConfig, Box<dyn std::error::Error>> {
///     Ok(NodeConfig::new(name)?.cookie(Cookie::new("secret")?).epmd_port(port))
/// };
/// let a = Node::start(config("a@127.0.0.1")?).await?;
/// let b = Node::start(config("b@127.0.0.1")?).await?;
/// a.connect(b.name()).await?;
/// assert_eq!(a.nodes(), [b.name().clone()]);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Node {
    owner: Arc<Owner>,
}

/// Stops the node when the last [`Node`] goes.
struct Owner {
    inner: Arc<Inner>,
}

impl Drop for Owner {
    fn drop(&mut self) {
        self.inner.shutdown();
    }
}

impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node")
            .field("name", self.name())
            .field("creation", &self.creation())
            .field("listen_addr", &self.listen_addr())
            .finish_non_exhaustive()
    }
}

impl Node {
    /// Starts a node: binds its listener, registers it in EPMD (starting the
    /// embedded EPMD server on 127.0.0.1 when nothing listens on the EPMD
    /// port and the configuration allows it), and accepts connections
    /// (Erlang `net_kernel:start/2`).
    pub async fn start(config: NodeConfig) -> Result<Node, StartError> {
        let cookie = Cookie::resolve(config.cookie.clone()).map_err(StartError::Cookie)?;
        let epmd_port = match config.epmd_port {
            Some(p) => p,
            None => epmd::epmd_port_from_env().map_err(StartError::EpmdPort)?,
        };
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|error| StartError::Listen {
                    addr: config.listen,
                    error,
                })?;
        let listen_addr = listener.local_addr().map_err(|error| StartError::Listen {
            addr: config.listen,
            error,
        })?;
        let epmd_addr = SocketAddr::from((Ipv4Addr::LOCALHOST, epmd_port));
        let entry = NodeEntry::new(config.name.alive(), listen_addr.port());
        let (registration, server) =
            inner::register_or_serve(epmd_addr, &entry, config.embedded_epmd)
                .await
                .map_err(|e| match e {
                    EpmdError::NameTaken { name } => StartError::NameTaken {
                        name,
                        epmd: epmd_addr,
                    },
                    e => StartError::Epmd(e),
                })?;
        let local = Local {
            name: config.name.clone(),
            creation: registration.creation(),
            flags: config.flags,
            cookie,
        };
        let inner = Arc::new(Inner::new(
            local,
            listen_addr,
            epmd_port,
            config.net_tick_time,
            config.handshake_timeout,
            config.max_frame_bytes,
            config.limits.clone(),
            config.handler.clone(),
        ));
        tracing::info!(
            node = %config.name,
            %listen_addr,
            epmd = %epmd_addr,
            embedded_epmd = server.is_some(),
            creation = registration.creation(),
            "node started"
        );
        let accept = tokio::spawn(inner.clone().accept_loop(listener));
        inner.add_task(accept.abort_handle());
        let keeper = tokio::spawn(inner::keep_registered(
            config.name.clone(),
            registration,
            server,
            entry,
            config.embedded_epmd,
        ));
        inner.add_task(keeper.abort_handle());
        Ok(Node {
            owner: Arc::new(Owner { inner }),
        })
    }

    fn inner(&self) -> &Arc<Inner> {
        &self.owner.inner
    }

    /// This node's name (Erlang `node()`).
    pub fn name(&self) -> &NodeName {
        self.inner().name()
    }

    /// This node's incarnation, as EPMD assigned it: what its pids, ports
    /// and references carry.
    pub fn creation(&self) -> u32 {
        self.inner().local.creation
    }

    /// The address it accepts distribution connections on.
    pub fn listen_addr(&self) -> SocketAddr {
        self.inner().listen_addr
    }

    /// The EPMD port it registered at and looks other nodes up at.
    pub fn epmd_port(&self) -> u16 {
        self.inner().epmd_port
    }

    /// Connects to `node` unless connected (Erlang
    /// `net_kernel:connect_node/1`). Concurrent calls for one node share one
    /// attempt; a simultaneous connect from `node` is resolved as OTP does.
    /// Connecting to this node itself succeeds at once.
    pub async fn connect(&self, node: &NodeName) -> Result<(), ConnectError> {
        if node == self.name() {
            return Ok(());
        }
        let ours = self.name().mode();
        if node.mode() != ours {
            return Err(ConnectError::NameMode {
                node: node.clone(),
                ours,
            });
        }
        let rx = self.inner().connect(node)?;
        rx.await.unwrap_or(Err(ConnectError::Stopped))
    }

    /// Closes the connection to `node` (Erlang
    /// `erlang:disconnect_node/1`); true if one was up. A connect under way
    /// is cancelled.
    pub fn disconnect(&self, node: &NodeName) -> bool {
        self.inner().disconnect(node)
    }

    /// The nodes connected now (Erlang `nodes/0`), sorted.
    pub fn nodes(&self) -> Vec<NodeName> {
        let mut v: Vec<NodeName> = self
            .inner()
            .peers
            .lock()
            .iter()
            .filter(|(_, s)| matches!(s, PeerState::Up(_)))
            .map(|(n, _)| n.clone())
            .collect();
        v.sort();
        v
    }

    /// What the handshake told about a connected node: its flags and creation.
    pub fn peer(&self, node: &NodeName) -> Option<Peer> {
        match self.inner().peers.lock().get(node) {
            Some(PeerState::Up(up)) => Some(up.peer.clone()),
            _ => None,
        }
    }

    /// Sends a control message to `node` (Erlang's `!` to a remote pid or
    /// `{Name, Node}`). Never blocks: the frame is queued on the
    /// connection, in order after earlier sends. As in Erlang, a node that
    /// is not connected is connected to first (auto-connect) while the
    /// message waits; if that fails the message is dropped and the handler
    /// hears [`crate::NodeDownReason::ConnectFailed`]. Errors: a message
    /// with no ETF form, a stopped node.
    pub fn send(&self, node: &NodeName, message: &ControlMessage) -> Result<(), SendError> {
        self.inner().send(node, message)
    }

    /// Stops the node now (Erlang `net_kernel:stop/0`): every connection
    /// goes down with [`crate::NodeDownReason::Stopped`].
    pub fn stop(&self) {
        self.inner().shutdown();
    }

    /// Whether the node has stopped.
    pub fn is_stopped(&self) -> bool {
        self.inner().is_stopped()
    }
}
