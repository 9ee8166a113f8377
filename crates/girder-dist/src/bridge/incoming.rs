//! Signals from processes of other nodes to local processes: the node's
//! [`Handler`] turns each control message into a core signal and delivers
//! it with [`girder::Handle::deliver`] (erts `dist.c`'s `erts_net_message`).
//!
//! | control message | core signal, or answer |
//! |---|---|
//! | `SEND`, `SEND_SENDER` | the message, a [`girder_term::Term`] |
//! | `REG_SEND` | the message, to the locally registered name (dropped if none, as Erlang drops it) |
//! | `ALIAS_SEND` | the message, through the alias (dropped if inactive) |
//! | `LINK` | link; to a process that is gone, `EXIT` `noproc` back |
//! | `UNLINK_ID` | unlink, and `UNLINK_ID_ACK` back |
//! | `EXIT`, `EXIT2` | exit signal by link, by `exit/2` |
//! | `MONITOR_P` | monitor; by name through the registry; of a process or name that is not there, `MONITOR_P_EXIT` `noproc` back at once |
//! | `DEMONITOR_P` | demonitor |
//! | `MONITOR_P_EXIT` | `DOWN` |
//! | `SPAWN_REQUEST` | a process for a registered function, and `SPAWN_REPLY` back (see `spawn`) |
//!
//! A pid of another incarnation of this node names no process: messages to
//! it are dropped, links and monitors answered `noproc`. Connection up and
//! down go to the node monitors; down also fires every link and monitor
//! that crossed the connection with `noconnection` (see `crossing`).
//!
//! The handler exists before the bridge's state (the node must start
//! first): the few events that arrive in between wait in `early` and are
//! handled, in order, when the state is attached.

use std::sync::{Arc, OnceLock, Weak};

use girder::dist::RemoteSignal;
use girder::{ExitReason, Pid};
use girder_term::Term;
use parking_lot::Mutex;

use crate::bridge::crossing::InMonitor;
use crate::bridge::node_monitor::{NodeDown, NodeUp};
use crate::bridge::reason::{reason_from_term, reason_to_term};
use crate::bridge::state::State;
use crate::control::{ControlMessage, ProcRef};
use crate::name::NodeName;
use crate::node::{Handler, NodeDownReason};

/// An event that arrived before the state was attached.
enum Early {
    Control(NodeName, Box<ControlMessage>),
    Up(NodeName),
    Down(NodeName, NodeDownReason),
}

/// The node's handler: hands everything to the bridge's state.
#[derive(Default)]
pub(crate) struct Incoming {
    state: OnceLock<Weak<State>>,
    early: Mutex<Vec<Early>>,
}

impl std::fmt::Debug for Incoming {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Incoming")
            .field("attached", &self.state.get().is_some())
            .finish_non_exhaustive()
    }
}

/// Whether an event was handled or must wait.
enum Attached {
    /// The state, to handle the event with.
    Yes(Arc<State>),
    /// Attached, but the state is gone (distribution stopped): drop it.
    Gone,
    /// Not attached yet.
    No,
}

impl Incoming {
    /// Attaches the state and handles what waited for it, in order.
    pub(crate) fn attach(&self, state: &Arc<State>) {
        let mut early = self.early.lock();
        let _ = self.state.set(Arc::downgrade(state));
        for e in early.drain(..) {
            state.handle_early(e);
        }
    }

    fn attached(&self) -> Attached {
        match self.state.get() {
            Some(w) => w.upgrade().map_or(Attached::Gone, Attached::Yes),
            None => Attached::No,
        }
    }

    /// The slow path, before the state is attached: queue the event, unless
    /// the state was attached while we waited for the lock.
    fn wait(&self, e: Early) {
        let mut early = self.early.lock();
        match self.attached() {
            Attached::Yes(s) => s.handle_early(e),
            Attached::Gone => {}
            Attached::No => early.push(e),
        }
    }
}

impl Handler for Incoming {
    fn control(&self, from: &NodeName, message: ControlMessage) {
        match self.attached() {
            Attached::Yes(s) => s.control(from, message),
            Attached::Gone => {}
            Attached::No => self.wait(Early::Control(from.clone(), Box::new(message))),
        }
    }

    fn node_up(&self, node: &NodeName) {
        match self.attached() {
            Attached::Yes(s) => s.node_up(node),
            Attached::Gone => {}
            Attached::No => self.wait(Early::Up(node.clone())),
        }
    }

    fn node_down(&self, node: &NodeName, reason: &NodeDownReason) {
        match self.attached() {
            Attached::Yes(s) => s.node_down(node, reason),
            Attached::Gone => {}
            Attached::No => self.wait(Early::Down(node.clone(), reason.clone())),
        }
    }
}

impl State {
    fn handle_early(&self, e: Early) {
        match e {
            Early::Control(from, message) => self.control(&from, *message),
            Early::Up(node) => self.node_up(&node),
            Early::Down(node, reason) => self.node_down(&node, &reason),
        }
    }

    /// The core pid of the process a link, exit or monitor signal comes
    /// from. As erts does, a signal whose sender is not a process of the
    /// peer that sent it is dropped (and logged): links and monitors are
    /// tracked per connection, and a peer may only speak for its own.
    pub(crate) fn sender_pid(
        &self,
        peer: &NodeName,
        from: &girder_term::ExternalPid,
    ) -> Option<Pid> {
        if from.node != *peer.atom() {
            tracing::warn!(node = %self.name, %peer, %from, "signal from a process of another node than the peer; dropped");
            return None;
        }
        let pid = self.internal_pid(from);
        if pid.is_none() {
            tracing::warn!(node = %self.name, %peer, %from, "signal from a pid of no valid node; dropped");
        }
        pid
    }

    fn control(&self, peer: &NodeName, message: ControlMessage) {
        match message {
            ControlMessage::Send { to, message }
            | ControlMessage::SendSender { to, message, .. } => match self.local_pid(&to) {
                Some(pid) => self.deliver(pid, RemoteSignal::Message(Box::new(message))),
                None => {
                    tracing::debug!(node = %self.name, %peer, %to, "message to no process of this node dropped")
                }
            },
            ControlMessage::RegSend { to, message, .. } => match self.whereis(to.as_str()) {
                Some(pid) => self.deliver(pid, RemoteSignal::Message(Box::new(message))),
                None => {
                    tracing::debug!(node = %self.name, %peer, name = %to, "message to an unregistered name dropped")
                }
            },
            ControlMessage::AliasSend { alias, message, .. } => match self.alias_target(&alias) {
                Some((pid, alias)) => self.deliver(
                    pid,
                    RemoteSignal::AliasMessage {
                        alias,
                        msg: Box::new(message),
                    },
                ),
                None => {
                    tracing::debug!(node = %self.name, %peer, %alias, "message to no alias of this node dropped")
                }
            },
            ControlMessage::Link { from, to } => {
                let Some(remote) = self.sender_pid(peer, &from) else {
                    return;
                };
                match self.local_pid(&to) {
                    Some(local) => {
                        self.crossing.lock().add_link(peer, local, remote);
                        self.deliver(local, RemoteSignal::Link { from: remote });
                    }
                    None => {
                        self.send_control(
                            peer,
                            &ControlMessage::Exit {
                                from: to,
                                to: from,
                                reason: reason_to_term(&ExitReason::Noproc),
                            },
                        );
                    }
                }
            }
            ControlMessage::UnlinkId { id, from, to } => {
                let Some(remote) = self.sender_pid(peer, &from) else {
                    return;
                };
                if let Some(local) = self.local_pid(&to) {
                    self.crossing.lock().remove_link(peer, local, remote);
                    self.deliver(local, RemoteSignal::Unlink { from: remote });
                }
                self.send_control(
                    peer,
                    &ControlMessage::UnlinkIdAck {
                        id,
                        from: to,
                        to: from,
                    },
                );
            }
            ControlMessage::UnlinkIdAck { .. } => {}
            ControlMessage::Exit { from, to, reason } => {
                let (Some(remote), Some(local)) =
                    (self.sender_pid(peer, &from), self.local_pid(&to))
                else {
                    return;
                };
                self.crossing.lock().remove_link(peer, local, remote);
                self.deliver(
                    local,
                    RemoteSignal::Exit {
                        from: remote,
                        reason: reason_from_term(reason),
                        link: true,
                    },
                );
            }
            ControlMessage::Exit2 { from, to, reason } => {
                let (Some(remote), Some(local)) =
                    (self.sender_pid(peer, &from), self.local_pid(&to))
                else {
                    return;
                };
                self.deliver(
                    local,
                    RemoteSignal::Exit {
                        from: remote,
                        reason: reason_from_term(reason),
                        link: false,
                    },
                );
            }
            ControlMessage::MonitorP {
                from,
                to,
                reference,
            } => self.monitored(peer, from, to, reference),
            ControlMessage::DemonitorP { reference, .. } => {
                let taken = self.crossing.lock().take_into_by_remote(&reference);
                if let Some((monitor, m)) = taken {
                    self.deliver(
                        m.target,
                        RemoteSignal::Demonitor {
                            from: m.watcher,
                            monitor,
                        },
                    );
                }
            }
            ControlMessage::MonitorPExit {
                reference, reason, ..
            } => {
                let Some(monitor) = self.local_ref(&reference) else {
                    return;
                };
                let taken = self.crossing.lock().take_out(monitor);
                if let Some(m) = taken {
                    self.deliver(
                        m.watcher,
                        RemoteSignal::Down {
                            monitor,
                            pid: m.target,
                            reason: reason_from_term(reason),
                        },
                    );
                }
            }
            m @ ControlMessage::SpawnRequest { .. } => self.spawn_request(peer, m),
            other => {
                tracing::debug!(node = %self.name, %peer, message = ?other, "control message not served; ignored")
            }
        }
    }

    /// `MONITOR_P`: a remote process monitors a local one, by pid or name.
    fn monitored(
        &self,
        peer: &NodeName,
        from: girder_term::ExternalPid,
        to: ProcRef,
        reference: girder_term::ExternalRef,
    ) {
        let Some(watcher) = self.sender_pid(peer, &from) else {
            return;
        };
        let (target, by_name) = match &to {
            ProcRef::Pid(p) => (self.local_pid(p), None),
            ProcRef::Name(n) => (self.whereis(n.as_str()), Some(n.clone())),
        };
        let Some(target) = target else {
            // Erlang answers a monitor of a process or name that is not
            // there at once.
            self.send_control(
                peer,
                &ControlMessage::MonitorPExit {
                    from: to,
                    to: from,
                    reference,
                    reason: Term::atom("noproc"),
                },
            );
            return;
        };
        let interned = self.intern_ref(watcher.node());
        let added = self.crossing.lock().add_into(
            InMonitor {
                reference,
                watcher,
                target,
                by_name,
                node: peer.clone(),
            },
            interned,
        );
        match added {
            Some(monitor) => self.deliver(
                target,
                RemoteSignal::Monitor {
                    from: watcher,
                    monitor,
                },
            ),
            None => {
                tracing::warn!(node = %self.name, %peer, "MONITOR_P reuses a live monitor's reference; ignored")
            }
        }
    }

    fn node_up(&self, node: &NodeName) {
        let watchers = self.watchers.lock().up();
        for pid in watchers {
            self.send_local(pid, NodeUp { node: node.clone() });
        }
    }

    /// The connection to `node` is gone: every link and monitor that
    /// crossed it fires with `noconnection`, remote monitors of local
    /// processes are dropped, and node monitors hear of it.
    pub(crate) fn node_down(&self, node: &NodeName, reason: &NodeDownReason) {
        let lost = self.crossing.lock().take_node(node);
        self.remote_aliases.lock().drop_node(node);
        for (local, remote) in lost.links {
            self.deliver(
                local,
                RemoteSignal::Exit {
                    from: remote,
                    reason: ExitReason::Noconnection,
                    link: true,
                },
            );
        }
        for (monitor, m) in lost.out {
            self.deliver(
                m.watcher,
                RemoteSignal::Down {
                    monitor,
                    pid: m.target,
                    reason: ExitReason::Noconnection,
                },
            );
        }
        for (monitor, m) in lost.into {
            self.deliver(
                m.target,
                RemoteSignal::Demonitor {
                    from: m.watcher,
                    monitor,
                },
            );
        }
        let watchers = self.watchers.lock().down(node);
        for pid in watchers {
            self.send_local(
                pid,
                NodeDown {
                    node: node.clone(),
                    reason: reason.clone(),
                },
            );
        }
    }
}
