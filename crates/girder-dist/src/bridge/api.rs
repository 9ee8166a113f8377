//! [`start`] and [`DistNode`]: a girder runtime as a distributed node.

use std::net::SocketAddr;
use std::sync::Arc;

use girder::otp::gen_server::{GenServer, Terms};
use girder::{Alias, Handle, Pid, Ref};
use girder_term::{Atom, ExternalPid, ExternalRef, Term};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::bridge::error::DistSendError;
use crate::bridge::incoming::Incoming;
use crate::bridge::node_monitor::NodeDown;
use crate::bridge::node_table::Entry;
use crate::bridge::state::State;
use crate::control::ControlMessage;
use crate::name::NodeName;
use crate::node::{ConnectError, Node, NodeConfig, NodeDownReason, SendError, StartError};

/// Makes the runtime of `handle` a distributed node (Erlang
/// `net_kernel:start/2`, or `erl -name`): starts a [`Node`] with `config`
/// on the runtime's I/O threads, installs the bridge as the runtime's
/// distribution layer, and delivers what other nodes send to local
/// processes. From then on remote pids behave like local ones (DESIGN §4).
///
/// A handler set in `config` is replaced by the bridge's. One distributed
/// node per runtime: starting a second replaces the first as the runtime's
/// distribution layer. Callable from a girder process or from any async
/// context (the node's tasks run on the girder runtime either way).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use girder_dist::{Cookie, NodeConfig};
/// # let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
/// let name = girder::run(async move {
///     let config = NodeConfig::new("doc@127.0.0.1").unwrap()
///         .cookie(Cookie::new("secret").unwrap())
///         .epmd_port(port); // the embedded EPMD starts there
///     let node = girder_dist::start(&girder::Handle::current(), config).await.unwrap();
///     node.name().to_string()
/// }).unwrap();
/// assert_eq!(name, "doc@127.0.0.1");
/// # Ok(()) }
/// ```
pub async fn start(handle: &Handle, config: NodeConfig) -> Result<DistNode, StartError> {
    let incoming = Arc::new(Incoming::default());
    let config = config.handler(incoming.clone());
    let (tx, rx) = tokio::sync::oneshot::channel();
    // In a girder process the node's tasks land on the runtime's I/O
    // threads, and last as long as the runtime.
    handle.spawn(async move {
        let started = Node::start(config)
            .await
            .map(|node| (node, tokio::runtime::Handle::current()));
        let _ = tx.send(started);
    });
    let (node, io) = rx.await.map_err(|_| StartError::RuntimeStopped)??;
    let state = Arc::new(State::new(node, handle.clone(), io));
    handle.set_distribution(state.clone());
    incoming.attach(&state);
    Ok(DistNode {
        _owner: Arc::new(Owner {
            state: state.clone(),
        }),
        state,
    })
}

/// A girder runtime's distributed node: this node's name, its connections,
/// and the operations on other nodes that core's process API has no room
/// for (`monitor_node`, sends of serde values, `{Name, Node}`). Cheap to
/// clone; distribution stops when the last clone is dropped or
/// [`DistNode::stop`] is called.
///
/// Everything else goes through core as for local pids: `girder::send`,
/// `link`, `unlink`, `monitor`, `demonitor`, `exit` with a remote pid
/// reach the remote process; what it sends arrives as a
/// [`girder_term::Term`] message; its exits and `DOWN`s arrive as
/// [`girder::Exit`] and [`girder::Down`] (reasons mapped by
/// [`crate::reason_from_term`]); and when its node goes away every link
/// and monitor across the connection fires with `noconnection`.
#[derive(Clone)]
pub struct DistNode {
    pub(crate) state: Arc<State>,
    _owner: Arc<Owner>,
}

/// Stops distribution when the last [`DistNode`] goes.
struct Owner {
    state: Arc<State>,
}

impl Drop for Owner {
    fn drop(&mut self) {
        self.state.node.stop();
        self.state.detach();
    }
}

impl std::fmt::Debug for DistNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DistNode")
            .field("name", &self.state.name)
            .field("creation", &self.state.creation)
            .field("listen_addr", &self.listen_addr())
            .finish_non_exhaustive()
    }
}

impl DistNode {
    /// This node's name. Erlang `node/0`, Elixir `Node.self/0`.
    pub fn name(&self) -> &NodeName {
        &self.state.name
    }

    /// This node's incarnation, as EPMD assigned it.
    pub fn creation(&self) -> u32 {
        self.state.creation
    }

    /// The address it accepts distribution connections on.
    pub fn listen_addr(&self) -> SocketAddr {
        self.state.node.listen_addr()
    }

    /// The connection manager underneath (for control messages of its own).
    pub fn node(&self) -> &Node {
        &self.state.node
    }

    /// The nodes connected now, sorted. Erlang `nodes/0`, Elixir
    /// `Node.list/0`.
    pub fn nodes(&self) -> Vec<NodeName> {
        self.state.node.nodes()
    }

    /// Connects to `node` unless connected. Erlang
    /// `net_kernel:connect_node/1` (which returns `false` where this
    /// returns the reason), Elixir `Node.connect/1`.
    pub async fn connect(&self, node: &NodeName) -> Result<(), ConnectError> {
        self.state.node.connect(node).await
    }

    /// Closes the connection to `node`; true if one was up. Every link and
    /// monitor across it fires with `noconnection`. Erlang
    /// `erlang:disconnect_node/1`, Elixir `Node.disconnect/1`.
    pub fn disconnect(&self, node: &NodeName) -> bool {
        self.state.node.disconnect(node)
    }

    /// Stops distribution now: every connection goes down (links and
    /// monitors across them fire with `noconnection`), and signals to
    /// remote pids are answered `noconnection` from then on. Erlang
    /// `net_kernel:stop/0`.
    pub fn stop(&self) {
        self.state.node.stop();
    }

    /// Monitors the connection to `node` for the calling process (`on`),
    /// or turns every such monitor of the caller off. The caller receives
    /// one [`NodeDown`] message per `monitor_node(node, true)` call when
    /// the connection goes down; if there is no connection an attempt is
    /// made, and if it fails the `NodeDown` comes then. Monitoring this
    /// node itself does nothing (it cannot go down while the caller runs).
    /// Erlang `monitor_node/2` (`{nodedown, Node}`), Elixir
    /// `Node.monitor/2`.
    ///
    /// ```
    /// # use girder_dist::{Cookie, NodeConfig, NodeDown, NodeName};
    /// # let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    /// girder::run(async move {
    /// #   let config = NodeConfig::new("watch@127.0.0.1").unwrap()
    /// #       .cookie(Cookie::new("secret").unwrap()).epmd_port(port);
    ///     let node = girder_dist::start(&girder::Handle::current(), config).await.unwrap();
    ///     let ghost = NodeName::parse("ghost@127.0.0.1").unwrap(); // not running
    ///     node.monitor_node(&ghost, true);
    ///     let down = girder::receive::<NodeDown>().await;
    ///     assert_eq!(down.node, ghost);
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// Outside a girder process.
    #[track_caller]
    pub fn monitor_node(&self, node: &NodeName, on: bool) {
        let me = girder::self_pid();
        if !on {
            self.state.watchers.lock().unwatch(node, me);
            return;
        }
        if *node == self.state.name {
            return;
        }
        self.state.watchers.lock().watch(node, me);
        if self.state.node.peer(node).is_none() {
            let state = self.state.clone();
            let node = node.clone();
            self.state.io.spawn(async move {
                if let Err(e) = state.node.connect(&node).await {
                    let watchers = state.watchers.lock().take_node(&node);
                    for pid in watchers {
                        state.send_local(
                            pid,
                            NodeDown {
                                node: node.clone(),
                                reason: NodeDownReason::ConnectFailed(e.to_string()),
                            },
                        );
                    }
                }
            });
        }
    }

    /// Subscribes the calling process (`on`) to a [`crate::NodeUp`] and a
    /// [`NodeDown`] message for every connection that comes up or goes
    /// down, or unsubscribes it. Subscribing twice is one subscription.
    /// Erlang `net_kernel:monitor_nodes/1`, Elixir `:net_kernel.monitor_nodes/1`.
    ///
    /// # Panics
    /// Outside a girder process.
    #[track_caller]
    pub fn monitor_nodes(&self, on: bool) {
        let me = girder::self_pid();
        self.state.watchers.lock().watch_all(me, on);
    }

    /// Sends a serde value to `to`, local or remote, as the term
    /// [`girder_term::to_term`] makes of it (DESIGN §5's mapping: structs
    /// as maps with atom keys, enums as atoms or tagged tuples). The
    /// receiver gets a [`Term`]; Erlang `Pid ! Msg`.
    ///
    /// Unlike `girder::send`, which cannot fail (and drops, with a warning,
    /// a message with no term form that is sent to a remote pid), this
    /// returns an error for a value with no term form. Messages to one
    /// process keep their order however they are sent.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use girder_dist::{Cookie, NodeConfig};
    /// # let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    /// #[derive(serde::Serialize)]
    /// struct Order { id: u32, item: String }
    /// let got = girder::run(async move {
    /// #   let config = NodeConfig::new("sender@127.0.0.1").unwrap()
    /// #       .cookie(Cookie::new("secret").unwrap()).epmd_port(port);
    ///     let node = girder_dist::start(&girder::Handle::current(), config).await.unwrap();
    ///     node.send(girder::self_pid(), &Order { id: 7, item: "tea".into() }).unwrap();
    ///     girder::receive::<girder_term::Term>().await.to_string()
    /// }).unwrap();
    /// assert_eq!(got, r#"#{id => 7,item => <<"tea">>}"#);
    /// # Ok(()) }
    /// ```
    pub fn send<T: Serialize + ?Sized>(&self, to: Pid, message: &T) -> Result<(), DistSendError> {
        let term = girder_term::to_term(message).map_err(DistSendError::Serialize)?;
        if to.is_local() {
            self.state.send_local(to, term);
            return Ok(());
        }
        match self.state.nodes.get(to.node()) {
            None => Err(DistSendError::UnknownNode { pid: to }),
            Some(Entry::Node { name, creation }) => {
                if name == self.state.name {
                    // A process of an old incarnation of this node: gone,
                    // and a message to a gone process is dropped.
                    return Ok(());
                }
                let to = ExternalPid {
                    node: name.atom().clone(),
                    id: to.id(),
                    serial: to.serial(),
                    creation,
                };
                self.control(&name, &ControlMessage::Send { to, message: term })
            }
            Some(Entry::Name { name, node }) => self.reg_send(&name, &node, term),
        }
    }

    /// Sends a serde value to the process registered as `name` on `node`
    /// (Erlang `{Name, Node} ! Msg`, Elixir `send({name, node}, msg)`).
    /// On this node the name is looked up now and an unregistered one is
    /// an error, as Erlang's `badarg`; on another node it is looked up
    /// there, and a message to a name nobody has is dropped there.
    ///
    /// ```
    /// # use girder_dist::{Cookie, DistSendError, NodeConfig};
    /// # let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    /// girder::run(async move {
    /// #   let config = NodeConfig::new("named@127.0.0.1").unwrap()
    /// #       .cookie(Cookie::new("secret").unwrap()).epmd_port(port);
    ///     let node = girder_dist::start(&girder::Handle::current(), config).await.unwrap();
    ///     girder::register("inbox", girder::self_pid()).unwrap();
    ///     node.send_to("inbox", node.name(), &("hi", 1)).unwrap();
    ///     let got = girder::receive::<girder_term::Term>().await;
    ///     assert_eq!(got.to_string(), r#"{<<"hi">>,1}"#);
    ///     let err = node.send_to("nobody", node.name(), &1).unwrap_err();
    ///     assert!(matches!(err, DistSendError::NotRegistered { .. }));
    /// }).unwrap();
    /// ```
    pub fn send_to<T: Serialize + ?Sized>(
        &self,
        name: &str,
        node: &NodeName,
        message: &T,
    ) -> Result<(), DistSendError> {
        let term = girder_term::to_term(message).map_err(DistSendError::Serialize)?;
        let atom = Atom::new(name).map_err(|_| DistSendError::BadName {
            name: name.to_owned(),
        })?;
        self.reg_send(&atom, node, term)
    }

    fn reg_send(&self, name: &Atom, node: &NodeName, term: Term) -> Result<(), DistSendError> {
        if *node == self.state.name {
            return match self.state.whereis(name.as_str()) {
                Some(pid) => {
                    self.state.send_local(pid, term);
                    Ok(())
                }
                None => Err(DistSendError::NotRegistered {
                    name: name.as_str().to_owned(),
                }),
            };
        }
        let Some(from) = self.state.sender() else {
            return Err(DistSendError::Stopped { node: node.clone() });
        };
        self.control(
            node,
            &ControlMessage::RegSend {
                from,
                to: name.clone(),
                message: term,
            },
        )
    }

    fn control(&self, node: &NodeName, message: &ControlMessage) -> Result<(), DistSendError> {
        self.state.node.send(node, message).map_err(|e| match e {
            SendError::Encode(error) => DistSendError::Encode {
                node: node.clone(),
                error,
            },
            _ => DistSendError::Stopped { node: node.clone() },
        })
    }

    /// Monitors the process registered as `name` on `node` for the calling
    /// process. Erlang `monitor(process, {Name, Node})`, Elixir
    /// `Process.monitor({name, node})`. The [`girder::Down`] that follows
    /// carries a *name pid* standing for `{Name, Node}` ([`Self::registered_name`]
    /// tells which), with `noproc` if nobody had the name, the process's
    /// exit reason, or `noconnection`. On this node the name is resolved
    /// now, and the `Down` carries the process's own pid.
    ///
    /// ```
    /// # use girder_dist::{Cookie, NodeConfig, NodeName};
    /// # let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    /// girder::run(async move {
    /// #   let config = NodeConfig::new("mon@127.0.0.1").unwrap()
    /// #       .cookie(Cookie::new("secret").unwrap()).epmd_port(port);
    ///     let node = girder_dist::start(&girder::Handle::current(), config).await.unwrap();
    ///     let name = girder_term::Atom::new("nobody").unwrap();
    ///     let m = node.monitor_name(&name, node.name());
    ///     let down = girder::receive::<girder::Down>().await;
    ///     assert_eq!((down.monitor, down.reason), (m, girder::ExitReason::Noproc));
    ///     assert_eq!(node.registered_name(down.pid), Some((name, node.name().clone())));
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// Outside a girder process.
    #[track_caller]
    pub fn monitor_name(&self, name: &Atom, node: &NodeName) -> Ref {
        if *node == self.state.name {
            if let Some(pid) = self.state.whereis(name.as_str()) {
                return girder::monitor(pid);
            }
        }
        girder::monitor(self.state.nodes.name_pid(name, node))
    }

    /// The pid standing for `{name, node}` on another node (a *name
    /// pid*: sends become `REG_SEND`, monitors `MONITOR_P` by name).
    pub(crate) fn name_pid(&self, name: &Atom, node: &NodeName) -> Pid {
        self.state.nodes.name_pid(name, node)
    }

    /// The `{Name, Node}` a name pid (from [`Self::monitor_name`]'s `Down`)
    /// stands for; `None` for any other pid.
    pub fn registered_name(&self, pid: Pid) -> Option<(Atom, NodeName)> {
        match self.state.nodes.get(pid.node())? {
            Entry::Name { name, node } => Some((name, node)),
            Entry::Node { .. } => None,
        }
    }

    /// The pid a term received from another node names, for `send`,
    /// `link`, `monitor` and `exit` (a pid of this node is local; a pid of
    /// a node incarnation gets that incarnation's node index). `None` if
    /// the term is not a pid, or names no valid node.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use girder_dist::{Cookie, NodeConfig};
    /// # let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    /// girder::run(async move {
    /// #   let config = NodeConfig::new("conv@127.0.0.1").unwrap()
    /// #       .cookie(Cookie::new("secret").unwrap()).epmd_port(port);
    ///     let node = girder_dist::start(&girder::Handle::current(), config).await.unwrap();
    ///     let me = girder::self_pid();
    ///     let term = node.pid_term(me).unwrap(); // what Erlang sees: <'conv@127.0.0.1'.N.0>
    ///     assert_eq!(node.pid_of(&term), Some(me));
    /// }).unwrap();
    /// # Ok(()) }
    /// ```
    pub fn pid_of(&self, term: &Term) -> Option<Pid> {
        self.pid(term.as_pid()?)
    }

    /// The core pid of an external pid (see [`Self::pid_of`]).
    pub fn pid(&self, pid: &ExternalPid) -> Option<Pid> {
        self.state.internal_pid(pid)
    }

    /// The external form of `pid`, as other nodes see it: this node's name
    /// and creation for a local pid. `None` for a name pid or a pid this
    /// node's distribution did not make.
    pub fn external_pid(&self, pid: Pid) -> Option<ExternalPid> {
        self.state.external_pid(pid)
    }

    /// `pid` as a term to put in a message to another node.
    pub fn pid_term(&self, pid: Pid) -> Option<Term> {
        self.external_pid(pid).map(Term::Pid)
    }

    /// A reference made on this node, as a term other nodes can hold and
    /// send back (a monitor reference or `make_ref`). `None` for a
    /// reference that stands for another node's.
    pub fn ref_term(&self, reference: Ref) -> Option<Term> {
        self.state.external_ref(reference).map(Term::Reference)
    }

    /// An alias of a local process as a term: a reference that Erlang code
    /// sends to with `Alias ! Msg` (`ALIAS_SEND`), delivered while the
    /// alias is active. `None` for an alias of a remote process.
    pub fn alias_term(&self, alias: Alias) -> Option<Term> {
        self.state.external_alias(alias).map(Term::Reference)
    }

    /// The local reference a term received back from another node names,
    /// if it is one this node made (see [`Self::ref_term`],
    /// [`Self::alias_term`]).
    pub fn ref_of(&self, term: &Term) -> Option<Ref> {
        self.state.local_ref(term.as_reference()?)
    }

    /// The external form of a reference this node made.
    pub fn external_ref(&self, reference: Ref) -> Option<ExternalRef> {
        self.state.external_ref(reference)
    }

    /// An alias of the process `owner` of another node, from the reference
    /// term it handed out (Erlang `alias/0` there): `alias.send(term)`
    /// reaches it as `ALIAS_SEND` (Erlang `Alias ! Msg`), and is dropped
    /// there once the owner deactivates it. Only [`Term`] messages cross.
    /// The interned alias lasts until the connection to its node goes
    /// down. `None` if `owner` is not a pid of another node or `alias` not
    /// a reference.
    pub fn remote_alias(&self, owner: Pid, alias: &Term) -> Option<Alias> {
        let alias = alias.as_reference()?.clone();
        let owner = self.state.external_pid(owner)?;
        self.state
            .intern_alias(&owner, crate::bridge::remote_alias::Route::Alias(alias))
    }

    /// What a [`GenServer`] returns from [`GenServer::terms`] to serve
    /// `gen_server:call/2,3` and `gen_server:cast/2` from Erlang nodes
    /// (Elixir `GenServer.call/2,3`, `GenServer.cast/2`) with its typed
    /// callbacks: requests decode with [`girder_term::from_term`], replies
    /// encode with [`girder_term::to_term`], and each reply goes back as
    /// `{Tag, Reply}` (by `ALIAS_SEND` for OTP 24+ callers). A request
    /// that does not decode goes to `handle_info` as its `Term`.
    ///
    /// ```
    /// use girder::otp::gen_server::{GenServer, Reply, ReplyTo, Terms};
    /// use girder_dist::DistNode;
    ///
    /// struct Kv { node: DistNode, value: i64 }
    /// #[derive(serde::Deserialize)]
    /// enum Req { Get, Put(i64) }
    ///
    /// impl GenServer for Kv {
    ///     type Call = Req;
    ///     type Reply = i64;
    ///     type Cast = i64;
    ///     type Continue = ();
    ///     async fn handle_call(&mut self, req: Req, _: ReplyTo<i64>) -> Reply<i64> {
    ///         match req {
    ///             Req::Get => Reply::reply(self.value),
    ///             Req::Put(v) => Reply::reply(std::mem::replace(&mut self.value, v)),
    ///         }
    ///     }
    ///     // From erl: gen_server:call({kv, 'girder@host'}, 'Get') -> the value.
    ///     fn terms(&self) -> Option<Terms<Self>> {
    ///         Some(self.node.terms())
    ///     }
    /// }
    /// ```
    pub fn terms<S>(&self) -> Terms<S>
    where
        S: GenServer,
        S::Call: DeserializeOwned,
        S::Cast: DeserializeOwned,
        S::Reply: Serialize,
    {
        Terms::new(
            self.state.clone(),
            decode::<S::Call>,
            decode::<S::Cast>,
            encode::<S::Reply>,
        )
    }
}

fn decode<T: DeserializeOwned>(term: &Term) -> Result<T, String> {
    girder_term::from_term(term).map_err(|e| e.to_string())
}

fn encode<T: Serialize>(value: &T) -> Result<Term, String> {
    girder_term::to_term(value).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bridge::node_monitor::NodeUp;

    /// Handles and messages cross threads: a `DistNode` is shared by
    /// processes on every scheduler, and `NodeUp`/`NodeDown` are messages.
    #[test]
    fn public_types_are_send_and_sync() {
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<DistNode>();
        send_sync::<NodeUp>();
        send_sync::<NodeDown>();
        send_sync::<DistSendError>();
    }
}
