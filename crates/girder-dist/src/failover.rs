//! Failover: run a supervised child on exactly one node of a list, the way
//! OTP's distributed applications fail over (`{distributed, [{App,
//! [NodeA, NodeB, NodeC]}]}` in kernel's config, `dist_ac`).
//!
//! Every node of the list runs a [`Singleton`] for the same name and list
//! (in priority order). Its *manager* process, registered as
//! `<name>_failover`, agrees with the managers of the other nodes who runs
//! the child:
//!
//! * At start a manager asks every other node's manager for its state
//!   (`{girder_failover, hello, Manager, Running}`, answered with
//!   `{girder_failover, state, Manager, Running}`) and monitors it; a node
//!   that cannot be reached, or runs no manager, counts as down. It decides
//!   nothing until every node has answered or counted as down.
//! * The child runs on the first live node of the list (a node whose
//!   manager answers), unless another live node already runs it: a node
//!   that comes back does not take the child from the one running it
//!   unless the returning node has [`Options::takeover`] set; then it asks
//!   (`{girder_failover, takeover, Manager, false}`), the running node
//!   stops the child and says so, and the returning node starts it. Two nodes that find
//!   each other both running it (after a partition heals) keep the
//!   higher-priority one.
//! * When the node running it goes down, the managers' monitors of its
//!   manager fire (`noconnection`, within the node-down detection time),
//!   and the first live node left starts it.
//!
//! The child runs under a local supervisor (`<name>_failover_sup`,
//! rest-for-one) with a small registrar after it, so every (re)start of the
//! child registers it as `<name>` on its node and joins it to the `pg`
//! group `name` (an atom) of the scope given. Clients find the instance
//! with [`whereis`] (or the group's members) on any node of the scope, and
//! see it change with [`crate::pg::Scope::monitor`].
//!
//! ```
//! # use girder_dist::{Cookie, NodeConfig};
//! use girder::otp::supervisor::ChildSpec;
//! use girder_dist::failover::{self, Options, Singleton};
//! # let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
//! girder::run(async move {
//! #   let config = NodeConfig::new("only@127.0.0.1").unwrap()
//! #       .cookie(Cookie::new("secret").unwrap()).epmd_port(port);
//!     let handle = girder::Handle::current();
//!     let node = girder_dist::start(&handle, config).await.unwrap();
//!     let scope = girder_dist::pg::start(&handle, &node).await.unwrap();
//!     // On every node of the list (here a list of one):
//!     let nodes = vec![node.name().clone()];
//!     let child = ChildSpec::process("clock", || async {
//!         loop { girder::receive::<()>().await }
//!     });
//!     let clock = Singleton::start(&handle, &node, &scope, Options::new("clock", nodes), child)
//!         .await
//!         .unwrap();
//!     // Clients: wait for the instance (here with a pg group monitor).
//!     let (m, now) = scope.monitor(girder_dist::pg::atom("clock")).await.unwrap();
//!     if now.is_empty() {
//!         girder::receive_match(move |e: &girder_dist::pg::PgEvent| e.monitor == m).await;
//!     }
//!     let pid = failover::whereis(&scope, "clock").unwrap();
//!     assert_eq!(clock.whereis(), Some(pid));
//!     assert_eq!(girder::whereis("clock"), Some(pid)); // registered where it runs
//! }).unwrap();
//! ```

use std::collections::HashMap;
use std::fmt;

use girder::otp::supervisor::{ChildSpec, Options as SupervisorOptions, Strategy, Supervisor};
use girder::{Down, Exit, ExitReason, Handle, Pid, Ref};
use girder_term::{Atom, Term};
use tokio::sync::oneshot;

use crate::bridge::{DistNode, NodeUp};
use crate::name::NodeName;
use crate::pg::{self, Scope};

/// How long a manager waits for its supervisor to stop the child when it
/// hands it over.
const STOP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// What a [`Singleton`] runs, and where.
#[derive(Clone, Debug)]
pub struct Options {
    name: String,
    nodes: Vec<NodeName>,
    takeover: bool,
}

impl Options {
    /// Runs the child called `name` on the first live node of `nodes`
    /// (highest priority first). Erlang's `{distributed, [{App, Nodes}]}`.
    pub fn new(name: &str, nodes: Vec<NodeName>) -> Options {
        Options {
            name: name.to_owned(),
            nodes,
            takeover: false,
        }
    }

    /// When this node comes (back) up while a node later in the list runs
    /// the child, move the child here (OTP's takeover): this node asks, the
    /// running node stops the child, then this node starts it. Off by
    /// default: the running instance stays until its node goes down.
    pub fn takeover(mut self, on: bool) -> Options {
        self.takeover = on;
        self
    }
}

/// Why a [`Singleton`] did not start.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailoverError {
    /// The name cannot be a registered name (empty, or too long for an atom
    /// once suffixed).
    BadName {
        /// The name.
        name: String,
    },
    /// This node is not in the list of nodes.
    NotInList {
        /// This node.
        node: NodeName,
    },
    /// A node appears twice in the list.
    Duplicate {
        /// The node.
        node: NodeName,
    },
    /// A singleton of this name already runs on this node.
    AlreadyStarted {
        /// Its manager.
        manager: Pid,
    },
    /// The runtime stopped before the manager started.
    Stopped,
}

impl fmt::Display for FailoverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailoverError::BadName { name } => {
                write!(f, "{name:?} cannot name a failover singleton")
            }
            FailoverError::NotInList { node } => {
                write!(f, "this node ({node}) is not in the singleton's node list")
            }
            FailoverError::Duplicate { node } => write!(f, "{node} appears twice in the node list"),
            FailoverError::AlreadyStarted { manager } => {
                write!(f, "a singleton of that name runs here (manager {manager})")
            }
            FailoverError::Stopped => f.write_str("the runtime stopped"),
        }
    }
}

impl std::error::Error for FailoverError {}

/// The pid of the running instance of singleton `name`, as the `pg` scope
/// `scope` of this node sees it (local or on another node); `None` while no
/// node runs it (between a node going down and the next one starting it).
pub fn whereis(scope: &Scope, name: &str) -> Option<Pid> {
    let group = Term::try_atom(name).ok()?;
    scope.get_members(&group).into_iter().next()
}

/// This node's part of a singleton: its manager process. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Singleton {
    name: String,
    manager: Pid,
    scope: Scope,
}

impl Singleton {
    /// Starts this node's manager of the singleton `options` describes;
    /// call it on every node of the list with the same options and a child
    /// spec that starts the same service. `scope` is the `pg` scope the
    /// instance joins (group `name`, an atom). The manager is not linked to
    /// the caller; it runs until the runtime stops, until an exit signal
    /// (other than `normal`) is sent to it with `girder::exit` (it stops
    /// the child first), or until its supervisor gives up restarting the
    /// child (it exits with the supervisor's reason). Then the next node
    /// takes over.
    ///
    /// Erlang: a distributed application's `application:start/1` on each
    /// node of its `distributed` list.
    pub async fn start(
        handle: &Handle,
        node: &DistNode,
        scope: &Scope,
        options: Options,
        child: ChildSpec,
    ) -> Result<Singleton, FailoverError> {
        let Options {
            name,
            nodes,
            takeover,
        } = options;
        let bad = || FailoverError::BadName { name: name.clone() };
        if name.is_empty() {
            return Err(bad());
        }
        // The supervisor's name is the longest of the names derived.
        Atom::new(format!("{name}_failover_sup")).map_err(|_| bad())?;
        let manager_name = Atom::new(format!("{name}_failover")).map_err(|_| bad())?;
        let me = node.name().clone();
        let Some(rank) = nodes.iter().position(|n| *n == me) else {
            return Err(FailoverError::NotInList { node: me });
        };
        for (i, n) in nodes.iter().enumerate() {
            if nodes[..i].contains(n) {
                return Err(FailoverError::Duplicate { node: n.clone() });
            }
        }
        let (tx, rx) = oneshot::channel();
        let manager = Manager {
            name: name.clone(),
            manager_name,
            node: node.clone(),
            scope: scope.clone(),
            nodes,
            rank,
            takeover,
            child,
            me: Pid::from_parts(0, 0, 0),
            pending: HashMap::new(),
            peers: HashMap::new(),
            running: None,
            handover: false,
            asked: false,
        };
        let pid = handle.spawn(async move {
            let mut manager = manager;
            manager.me = girder::self_pid();
            if let Err(girder::RegisterError::NameTaken { holder, .. }) =
                girder::register(manager.manager_name.as_str(), manager.me)
            {
                let _ = tx.send(Err(FailoverError::AlreadyStarted { manager: holder }));
                return ExitReason::Normal;
            }
            let _ = tx.send(Ok(()));
            manager.run().await
        });
        rx.await.map_err(|_| FailoverError::Stopped)??;
        Ok(Singleton {
            name,
            manager: pid,
            scope: scope.clone(),
        })
    }

    /// The manager process on this node.
    pub fn manager(&self) -> Pid {
        self.manager
    }

    /// The running instance, wherever it runs (see [`whereis`]).
    pub fn whereis(&self) -> Option<Pid> {
        whereis(&self.scope, &self.name)
    }
}

/// What a manager knows of another node's manager.
struct Peer {
    pid: Pid,
    monitor: Ref,
    running: bool,
}

struct Manager {
    name: String,
    manager_name: Atom,
    node: DistNode,
    scope: Scope,
    nodes: Vec<NodeName>,
    rank: usize,
    takeover: bool,
    child: ChildSpec,
    me: Pid,
    /// Nodes asked at start (or on node up) that have not answered: the
    /// monitor of their manager's name.
    pending: HashMap<NodeName, Ref>,
    /// Live managers of other nodes of the list.
    peers: HashMap<NodeName, Peer>,
    /// The local supervisor running the child (and its pid), if this node
    /// runs it.
    running: Option<(Supervisor, Pid)>,
    /// A higher-priority node asked for the child (takeover).
    handover: bool,
    /// This node asked the running node for the child (takeover).
    asked: bool,
}

enum Msg {
    Term(Term),
    Down(Down),
    Up(NodeUp),
    Exit(Exit),
    Other,
}

impl Manager {
    async fn run(mut self) -> ExitReason {
        girder::trap_exit(true);
        self.node.monitor_nodes(true);
        for n in self.nodes.clone() {
            if n != *self.node.name() {
                self.probe(&n);
            }
        }
        self.decide().await;
        loop {
            let msg = next_message().await;
            match msg {
                Msg::Term(t) => self.peer_message(&t),
                Msg::Down(d) => self.down(&d),
                Msg::Up(up) => {
                    if self.nodes.contains(&up.node)
                        && !self.peers.contains_key(&up.node)
                        && !self.pending.contains_key(&up.node)
                    {
                        self.probe(&up.node);
                    }
                }
                Msg::Exit(exit) => {
                    if self.running.as_ref().map(|r| r.1) == Some(exit.from) {
                        tracing::error!(singleton = %self.name, reason = %exit.reason,
                            "the singleton's supervisor exited; the manager exits");
                        return exit.reason;
                    }
                    if !exit.reason.is_normal() {
                        // An exit signal from anyone else ends the manager
                        // as it would a process that does not trap exits
                        // (OTP's `exit(Pid, shutdown)` of a server): the
                        // child stops first, and the next node takes over.
                        self.stop_child().await;
                        return exit.reason;
                    }
                }
                Msg::Other => {}
            }
            self.decide().await;
        }
    }

    fn message(&self, kind: &str) -> Term {
        Term::tuple([
            Term::atom("girder_failover"),
            Term::atom(kind),
            self.node
                .pid_term(self.me)
                .expect("a local pid has a term form"),
            Term::boolean(self.running.is_some()),
        ])
    }

    fn probe(&mut self, n: &NodeName) {
        let monitor = self.node.monitor_name(&self.manager_name, n);
        self.pending.insert(n.clone(), monitor);
        let _ = self
            .node
            .send_to(self.manager_name.as_str(), n, &self.message("hello"));
    }

    fn peer_message(&mut self, t: &Term) {
        let Some([tag, kind, from, running]) = t.as_tuple() else {
            return;
        };
        if !tag.is_atom("girder_failover") {
            return;
        }
        let (Some(pid), Some(running)) = (self.node.pid_of(from), running.as_bool()) else {
            return;
        };
        let Some(ext) = self.node.external_pid(pid) else {
            return;
        };
        let Ok(n) = NodeName::parse(ext.node.as_str()) else {
            return;
        };
        if !self.nodes.contains(&n) || n == *self.node.name() {
            return;
        }
        if let Some(probe) = self.pending.remove(&n) {
            girder::demonitor_flush(probe);
        }
        match self.peers.get_mut(&n) {
            Some(peer) if peer.pid == pid => {
                if peer.running != running {
                    // Who runs it changed: a takeover may be asked again.
                    self.asked = false;
                }
                peer.running = running;
            }
            _ => {
                if let Some(old) = self.peers.remove(&n) {
                    girder::demonitor_flush(old.monitor);
                }
                let monitor = girder::monitor(pid);
                self.peers.insert(
                    n.clone(),
                    Peer {
                        pid,
                        monitor,
                        running,
                    },
                );
            }
        }
        if kind.is_atom("hello") {
            girder::send(pid, self.message("state"));
        }
        if kind.is_atom("takeover") && self.rank_of(&n) < self.rank {
            self.handover = true;
        }
    }

    fn down(&mut self, d: &Down) {
        self.pending.retain(|_, r| *r != d.monitor);
        self.peers.retain(|_, p| p.monitor != d.monitor);
    }

    fn rank_of(&self, n: &NodeName) -> usize {
        self.nodes.iter().position(|x| x == n).unwrap_or(usize::MAX)
    }

    /// Starts or stops the child as the managers' shared view says.
    async fn decide(&mut self) {
        if !self.pending.is_empty() {
            return;
        }
        let leader = self
            .peers
            .keys()
            .map(|n| self.rank_of(n))
            .chain([self.rank])
            .min()
            .unwrap_or(self.rank);
        let higher_running = self
            .peers
            .iter()
            .any(|(n, p)| p.running && self.rank_of(n) < self.rank);
        if self.running.is_some() {
            if higher_running || self.handover {
                self.stop_child().await;
            }
            return;
        }
        self.handover = false;
        if leader != self.rank {
            return;
        }
        let runners: Vec<Pid> = self
            .peers
            .values()
            .filter(|p| p.running)
            .map(|p| p.pid)
            .collect();
        if runners.is_empty() {
            self.asked = false;
            self.start_child().await;
        } else if self.takeover && !self.asked {
            // OTP's takeover: the returning node asks; the running node
            // stops the child and says so; then this node starts it.
            self.asked = true;
            let msg = self.message("takeover");
            for pid in runners {
                girder::send(pid, msg.clone());
            }
        }
    }

    fn broadcast_state(&self) {
        let msg = self.message("state");
        for p in self.peers.values() {
            girder::send(p.pid, msg.clone());
        }
    }

    async fn start_child(&mut self) {
        let sup_name = format!("{}_sup", self.manager_name.as_str());
        let registrar = registrar(
            self.name.clone(),
            sup_name.clone(),
            self.child.id().to_owned(),
            self.scope.clone(),
        );
        let options = SupervisorOptions::new(Strategy::RestForOne).name(sup_name.as_str());
        match Supervisor::start_link(vec![self.child.clone(), registrar], options).await {
            Ok(sup) => {
                let Some(pid) = sup.pid() else {
                    tracing::error!(singleton = %self.name, "the singleton's supervisor is gone");
                    return;
                };
                tracing::info!(singleton = %self.name, node = %self.node.name(), "singleton started here");
                self.running = Some((sup, pid));
                self.broadcast_state();
            }
            Err(e) => {
                tracing::error!(singleton = %self.name, error = %e, "the singleton did not start");
            }
        }
    }

    async fn stop_child(&mut self) {
        if let Some((sup, pid)) = self.running.take() {
            tracing::info!(singleton = %self.name, node = %self.node.name(), "singleton handed over");
            let _ = sup.stop(ExitReason::Shutdown, STOP_TIMEOUT).await;
            // Its exit signal (we trap exits) is not news.
            girder::unlink(pid);
            while girder::receive_match(move |e: &Exit| e.from == pid)
                .timeout(std::time::Duration::ZERO)
                .await
                .is_some()
            {}
            self.broadcast_state();
        }
    }
}

/// The registrar: the child after the singleton's in its rest-for-one
/// supervisor, so it runs again after each restart of the child; it
/// registers the child's pid as `name` and joins it to the `pg` group.
fn registrar(name: String, sup_name: String, child_id: String, scope: Scope) -> ChildSpec {
    ChildSpec::process(format!("{name}_registrar"), move || {
        let (name, sup_name, child_id, scope) = (
            name.clone(),
            sup_name.clone(),
            child_id.clone(),
            scope.clone(),
        );
        async move {
            let children = Supervisor::named(sup_name.as_str())
                .which_children()
                .await
                .map_err(|e| e.to_string())?;
            let Some(pid) = children
                .into_iter()
                .find(|c| c.id == child_id)
                .and_then(|c| c.pid)
            else {
                return Err("the singleton's child is not running".to_owned());
            };
            let _ = girder::register(name.as_str(), pid);
            let group = pg::atom(&name);
            if !scope.get_local_members(&group).contains(&pid) {
                scope.join(group, pid).await.map_err(|e| e.to_string())?;
            }
            let () = girder::receive::<()>().await;
            Ok::<(), String>(())
        }
    })
}

async fn next_message() -> Msg {
    let (kind, boxed) = girder::receive_select(|m| {
        Some(if m.is::<Term>() {
            0
        } else if m.is::<Down>() {
            1
        } else if m.is::<NodeUp>() {
            2
        } else if m.is::<Exit>() {
            3
        } else {
            4
        })
    })
    .await;
    let msg = match kind {
        0 => boxed.downcast::<Term>().map(|t| Msg::Term(*t)),
        1 => boxed.downcast::<Down>().map(|d| Msg::Down(*d)),
        2 => boxed.downcast::<NodeUp>().map(|u| Msg::Up(*u)),
        3 => boxed.downcast::<Exit>().map(|e| Msg::Exit(*e)),
        _ => Ok(Msg::Other),
    };
    msg.unwrap_or(Msg::Other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_types_are_send_and_sync() {
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<Singleton>();
        send_sync::<Options>();
        send_sync::<FailoverError>();
    }

    #[test]
    fn errors_say_what_went_wrong() {
        let node = NodeName::parse("x@127.0.0.1").unwrap();
        let e = FailoverError::NotInList { node };
        assert_eq!(
            e.to_string(),
            "this node (x@127.0.0.1) is not in the singleton's node list"
        );
    }
}
