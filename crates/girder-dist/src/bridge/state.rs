//! The bridge's state, shared by the [`girder::dist::Distribution`] core
//! calls (`outgoing`), the [`crate::Handler`] the node calls (`incoming`)
//! and the [`crate::DistNode`] handles: the node, the runtime, the node
//! table, what crosses each connection, and the conversions between core's
//! pids and references and their external forms.
//!
//! Lock discipline: `crossing` and `watchers` are leaves. Nothing is
//! delivered to a process, and nothing is sent to a node, while either is
//! held: a delivery can come straight back into the bridge (a signal to a
//! dead process is answered to its remote sender at once), and a send can
//! call the handler (a disconnect reports the node down).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use girder::dist::RemoteSignal;
use girder::{Alias, Handle, LOCAL_NODE, Pid, Ref};
use girder_term::{ExternalPid, ExternalRef};
use parking_lot::{Mutex, RwLock};

use crate::bridge::crossing::Crossing;
use crate::bridge::node_monitor::NodeWatchers;
use crate::bridge::node_table::{Entry, NodeTable};
use crate::bridge::remote_alias::{RemoteAliases, Route, tag_alias};
use crate::control::ControlMessage;
use crate::name::NodeName;
use crate::node::Node;
use crate::rpc::registry::Registry;

/// The third word of a plain reference of ours; the remaining words of
/// an alias's reference are the owner's pid, so that an `ALIAS_SEND`
/// finds its process without a table.
const PLAIN_REF: u32 = 0;
const ALIAS_REF: u32 = 1;

pub(crate) struct State {
    pub(crate) node: Node,
    pub(crate) name: NodeName,
    pub(crate) creation: u32,
    /// The runtime; `None` once the bridge is detached (the last
    /// `DistNode` went), which also breaks the cycle runtime → bridge →
    /// runtime.
    handle: RwLock<Option<Handle>>,
    /// The tokio runtime the node's tasks run on.
    pub(crate) io: tokio::runtime::Handle,
    pub(crate) nodes: NodeTable,
    pub(crate) crossing: Mutex<Crossing>,
    pub(crate) watchers: Mutex<NodeWatchers>,
    /// Interned aliases of remote processes (a leaf lock, like `crossing`).
    pub(crate) remote_aliases: Mutex<RemoteAliases>,
    /// The functions other nodes may call (`rpc:call`, `erpc:call`).
    pub(crate) rpc: Arc<Registry>,
    next_unlink: AtomicU64,
    next_ref: AtomicU64,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("name", &self.name)
            .field("creation", &self.creation)
            .field("nodes", &self.nodes)
            .finish_non_exhaustive()
    }
}

impl State {
    pub(crate) fn new(node: Node, handle: Handle, io: tokio::runtime::Handle) -> State {
        State {
            name: node.name().clone(),
            creation: node.creation(),
            node,
            handle: RwLock::new(Some(handle)),
            io,
            nodes: NodeTable::default(),
            crossing: Mutex::new(Crossing::default()),
            watchers: Mutex::new(NodeWatchers::default()),
            remote_aliases: Mutex::new(RemoteAliases::default()),
            rpc: Arc::default(),
            next_unlink: AtomicU64::new(1),
            next_ref: AtomicU64::new(1),
        }
    }

    /// Forgets the runtime: nothing more is delivered.
    pub(crate) fn detach(&self) {
        *self.handle.write() = None;
    }

    /// Delivers a signal to a process (local, or remote through the
    /// bridge again). Never blocks.
    pub(crate) fn deliver(&self, to: Pid, signal: RemoteSignal) {
        // Recursive: a delivery may come back here (see the module doc).
        match &*self.handle.read_recursive() {
            Some(h) => h.deliver(to, signal),
            None => {
                tracing::debug!(node = %self.name, %to, "distribution detached; signal dropped")
            }
        }
    }

    /// The runtime, unless the bridge is detached.
    pub(crate) fn handle(&self) -> Option<Handle> {
        self.handle.read_recursive().clone()
    }

    /// Sends an ordinary Rust message to a local process.
    pub(crate) fn send_local<M: Send + 'static>(&self, to: Pid, message: M) {
        if let Some(h) = &*self.handle.read_recursive() {
            h.send(to, message);
        }
    }

    /// The pid registered locally as `name`.
    pub(crate) fn whereis(&self, name: &str) -> Option<Pid> {
        self.handle.read_recursive().as_ref()?.whereis(name)
    }

    /// Sends a control message, logging what cannot be sent; false if it
    /// was not queued.
    pub(crate) fn send_control(&self, node: &NodeName, message: &ControlMessage) -> bool {
        match self.node.send(node, message) {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(node = %self.name, peer = %node, error = %e, "control message not sent");
                false
            }
        }
    }

    /// A fresh `UNLINK_ID` id (1 to 2^64-1).
    pub(crate) fn next_unlink_id(&self) -> u64 {
        self.next_unlink.fetch_add(1, Ordering::Relaxed)
    }

    /// A fresh core reference standing for a remote one, under `node_index`.
    pub(crate) fn intern_ref(&self, node_index: u32) -> Ref {
        Ref::from_parts(node_index, self.next_ref.fetch_add(1, Ordering::Relaxed))
    }

    // ----- pids -----

    /// The external form of `pid`: ours for a local pid, the node's for a
    /// remote one; `None` for a name pid or an index we never gave out.
    pub(crate) fn external_pid(&self, pid: Pid) -> Option<ExternalPid> {
        if pid.is_local() {
            return Some(ExternalPid {
                node: self.name.atom().clone(),
                id: pid.id(),
                serial: pid.serial(),
                creation: self.creation,
            });
        }
        self.nodes
            .with(pid.node(), |e| match e {
                Entry::Node { name, creation } => Some(ExternalPid {
                    node: name.atom().clone(),
                    id: pid.id(),
                    serial: pid.serial(),
                    creation: *creation,
                }),
                Entry::Name { .. } => None,
            })
            .flatten()
    }

    /// The core pid of `pid`: local if it is ours and of this incarnation,
    /// else under the index of its node incarnation (an old incarnation of
    /// this node included). `None` if its node is not a node name or the
    /// node table is full.
    pub(crate) fn internal_pid(&self, pid: &ExternalPid) -> Option<Pid> {
        if let Some(local) = self.local_pid(pid) {
            return Some(local);
        }
        let node = NodeName::from_atom(&pid.node).ok()?;
        let index = self.nodes.node_index(&node, pid.creation)?;
        Some(Pid::from_parts(index, pid.id, pid.serial).with_creation(pid.creation))
    }

    /// The local pid `pid` names, if it names one of this incarnation.
    pub(crate) fn local_pid(&self, pid: &ExternalPid) -> Option<Pid> {
        (pid.creation == self.creation && pid.node == *self.name.atom())
            .then(|| Pid::from_parts(LOCAL_NODE, pid.id, pid.serial))
    }

    // ----- references -----

    /// The external form of a reference this node made; `None` for one
    /// that stands for a remote reference.
    pub(crate) fn external_ref(&self, r: Ref) -> Option<ExternalRef> {
        (r.node() == LOCAL_NODE).then(|| ExternalRef {
            node: self.name.atom().clone(),
            creation: self.creation,
            id: vec![r.number() as u32, (r.number() >> 32) as u32, PLAIN_REF],
        })
    }

    /// The reference of ours `r` names, if it is one.
    pub(crate) fn local_ref(&self, r: &ExternalRef) -> Option<Ref> {
        if r.creation != self.creation || r.node != *self.name.atom() {
            return None;
        }
        match r.id.as_slice() {
            [lo, hi, PLAIN_REF] | [lo, hi, ALIAS_REF, _, _] => Some(Ref::from_parts(
                LOCAL_NODE,
                u64::from(*lo) | u64::from(*hi) << 32,
            )),
            _ => None,
        }
    }

    /// The external form of a local process's alias: a reference that also
    /// carries the owner's pid. `None` if the alias is not of this node.
    pub(crate) fn external_alias(&self, alias: Alias) -> Option<ExternalRef> {
        let (pid, r) = (alias.pid(), alias.reference());
        if !pid.is_local() || r.node() != LOCAL_NODE {
            return None;
        }
        Some(ExternalRef {
            node: self.name.atom().clone(),
            creation: self.creation,
            id: vec![
                r.number() as u32,
                (r.number() >> 32) as u32,
                ALIAS_REF,
                pid.id(),
                pid.serial(),
            ],
        })
    }

    /// The owner and reference of the alias `r` names, if it is one of ours.
    pub(crate) fn alias_target(&self, r: &ExternalRef) -> Option<(Pid, Ref)> {
        let reference = self.local_ref(r)?;
        match r.id.as_slice() {
            [_, _, ALIAS_REF, id, serial] => {
                Some((Pid::from_parts(LOCAL_NODE, *id, *serial), reference))
            }
            _ => None,
        }
    }

    /// A core alias standing for a remote alias, or for the reply address
    /// of a remote `gen_server:call` (see `remote_alias`). `None` if
    /// `owner` is not a process of another node.
    pub(crate) fn intern_alias(&self, owner: &ExternalPid, route: Route) -> Option<Alias> {
        if self.local_pid(owner).is_some() || owner.node == *self.name.atom() {
            return None;
        }
        let pid = self.internal_pid(owner)?;
        let node = NodeName::from_atom(&owner.node).ok()?;
        let reference = self.intern_ref(pid.node());
        self.remote_aliases.lock().insert(reference, &node, route);
        Some(Alias::from_parts(pid, reference))
    }

    /// Whether `creation` is not the incarnation of `node` we are connected
    /// to now (a pid of a node that has restarted since).
    pub(crate) fn is_stale(&self, node: &NodeName, creation: u32) -> bool {
        self.node.peer(node).is_some_and(|p| p.creation != creation)
    }
}

impl girder::otp::gen_server::TermPeer for State {
    fn reply_to(&self, from: &girder_term::Term, tag: &girder_term::Term) -> Option<Alias> {
        let from = from.as_pid()?;
        let alias = tag_alias(tag).cloned();
        self.intern_alias(
            from,
            Route::Reply {
                tag: tag.clone(),
                alias,
            },
        )
    }
}
