//! Signals from local processes to processes of other nodes: core calls
//! [`Distribution::deliver`] for every signal to a pid whose node is not
//! local, and the bridge turns it into a control message (erts `dist.c`'s
//! `erts_dsig_send_*`).
//!
//! | core signal | control message |
//! |---|---|
//! | message (a [`Term`]) | `SEND`; to a name pid, `REG_SEND` |
//! | exit, by a link | `EXIT` |
//! | exit, by `exit/2` | `EXIT2` |
//! | link | `LINK` |
//! | unlink | `UNLINK_ID` (the peer answers `UNLINK_ID_ACK`) |
//! | monitor | `MONITOR_P` (by name for a name pid) |
//! | demonitor | `DEMONITOR_P` |
//! | `DOWN` to a remote watcher | `MONITOR_P_EXIT` |
//! | message to a remote alias | `ALIAS_SEND` (a `gen_server` reply: `{Tag, M}`, see `remote_alias`) |
//!
//! A message that is not a [`Term`] has no form on the wire: core's `send`
//! cannot fail, so it is dropped with a warning naming the type's absence
//! of a term form; [`crate::DistNode::send`] returns that as an error
//! instead (DESIGN §5). What cannot reach its node is answered here as
//! Erlang answers it: a link gets an exit signal and a monitor a `DOWN`,
//! with `noconnection` when the node cannot be reached (at once if this
//! node has stopped; when the auto-connect fails otherwise, through the
//! node-down path) and `noproc` for a pid of an incarnation that is gone.

use girder::dist::{Distribution, RemoteSignal};
use girder::{ExitReason, Pid, Ref};
use girder_term::{Atom, Term};

use crate::bridge::crossing::OutMonitor;
use crate::bridge::node_table::Entry;
use crate::bridge::reason::reason_to_term;
use crate::bridge::remote_alias::Route;
use crate::bridge::state::State;
use crate::control::{ControlMessage, ProcRef};
use crate::name::NodeName;

/// What to tell the sender if its signal cannot be sent.
enum Fallback {
    None,
    Link { from: Pid },
    Monitor { from: Pid, monitor: Ref },
}

impl Distribution for State {
    fn deliver(&self, to: Pid, signal: RemoteSignal) {
        let Some(entry) = self.nodes.get(to.node()) else {
            tracing::debug!(node = %self.name, %to, "signal to a pid of no known node; answered noproc");
            self.answer(to, signal, ExitReason::Noproc);
            return;
        };
        match entry {
            // An old incarnation of this node: its processes are gone.
            Entry::Node { name, .. } if name == self.name => {
                self.answer(to, signal, ExitReason::Noproc);
            }
            Entry::Node { name, creation } => self.to_node(to, &name, creation, signal),
            Entry::Name { name, node } if node == self.name => {
                self.to_local_name(to, &name, signal)
            }
            Entry::Name { name, node } => self.to_name(to, &name, &node, signal),
        }
    }
}

impl State {
    /// Answers a link or monitor that cannot be carried out with `reason`;
    /// drops anything else.
    fn answer(&self, to: Pid, signal: RemoteSignal, reason: ExitReason) {
        match signal {
            RemoteSignal::Link { from } => self.deliver(
                from,
                RemoteSignal::Exit {
                    from: to,
                    reason,
                    link: true,
                },
            ),
            RemoteSignal::Monitor { from, monitor } => self.deliver(
                from,
                RemoteSignal::Down {
                    monitor,
                    pid: to,
                    reason,
                },
            ),
            _ => {}
        }
    }

    /// The message a [`RemoteSignal::Message`] carries, if it is a term.
    fn message_term(&self, to: Pid, message: Box<dyn std::any::Any + Send>) -> Option<Term> {
        match message.downcast::<Term>() {
            Ok(t) => Some(*t),
            Err(_) => {
                tracing::warn!(
                    node = %self.name,
                    %to,
                    "message to a remote process dropped: only girder_term::Term values cross \
                     nodes (use DistNode::send for serde types)"
                );
                None
            }
        }
    }

    fn to_node(&self, to: Pid, node: &NodeName, creation: u32, signal: RemoteSignal) {
        let ext_to = girder_term::ExternalPid {
            node: node.atom().clone(),
            id: to.id(),
            serial: to.serial(),
            creation,
        };
        let ext = |pid: Pid| self.external_pid(pid);
        let (message, fallback) = match signal {
            RemoteSignal::Message(m) => {
                let Some(message) = self.message_term(to, m) else {
                    return;
                };
                (
                    ControlMessage::Send {
                        to: ext_to,
                        message,
                    },
                    Fallback::None,
                )
            }
            RemoteSignal::Exit { from, reason, link } => {
                let Some(from_ext) = ext(from) else { return };
                let reason = reason_to_term(&reason);
                if link {
                    self.crossing.lock().remove_link(node, from, to);
                    (
                        ControlMessage::Exit {
                            from: from_ext,
                            to: ext_to,
                            reason,
                        },
                        Fallback::None,
                    )
                } else {
                    (
                        ControlMessage::Exit2 {
                            from: from_ext,
                            to: ext_to,
                            reason,
                        },
                        Fallback::None,
                    )
                }
            }
            RemoteSignal::Link { from } => {
                let Some(from_ext) = ext(from) else { return };
                if self.is_stale(node, creation) {
                    self.answer(to, RemoteSignal::Link { from }, ExitReason::Noproc);
                    return;
                }
                self.crossing.lock().add_link(node, from, to);
                (
                    ControlMessage::Link {
                        from: from_ext,
                        to: ext_to,
                    },
                    Fallback::Link { from },
                )
            }
            RemoteSignal::Unlink { from } => {
                let Some(from_ext) = ext(from) else { return };
                self.crossing.lock().remove_link(node, from, to);
                (
                    ControlMessage::UnlinkId {
                        id: self.next_unlink_id(),
                        from: from_ext,
                        to: ext_to,
                    },
                    Fallback::None,
                )
            }
            RemoteSignal::Monitor { from, monitor } => {
                let (Some(from_ext), Some(reference)) = (ext(from), self.external_ref(monitor))
                else {
                    return;
                };
                if self.is_stale(node, creation) {
                    self.answer(
                        to,
                        RemoteSignal::Monitor { from, monitor },
                        ExitReason::Noproc,
                    );
                    return;
                }
                self.crossing.lock().add_out(
                    monitor,
                    OutMonitor {
                        watcher: from,
                        target: to,
                        node: node.clone(),
                    },
                );
                (
                    ControlMessage::MonitorP {
                        from: from_ext,
                        to: ProcRef::Pid(ext_to),
                        reference,
                    },
                    Fallback::Monitor { from, monitor },
                )
            }
            RemoteSignal::Demonitor { from, monitor } => {
                let (Some(from_ext), Some(reference)) = (ext(from), self.external_ref(monitor))
                else {
                    return;
                };
                if self.crossing.lock().take_out(monitor).is_none() {
                    // Already answered (DOWN on its way, or noconnection).
                    return;
                }
                (
                    ControlMessage::DemonitorP {
                        from: from_ext,
                        to: ProcRef::Pid(ext_to),
                        reference,
                    },
                    Fallback::None,
                )
            }
            RemoteSignal::Down {
                monitor,
                pid,
                reason,
            } => {
                let Some(m) = self.crossing.lock().take_into(monitor) else {
                    // Its DEMONITOR_P came first, or the connection went.
                    return;
                };
                let from = match m.by_name {
                    Some(name) => ProcRef::Name(name),
                    None => match ext(pid) {
                        Some(p) => ProcRef::Pid(p),
                        None => return,
                    },
                };
                (
                    ControlMessage::MonitorPExit {
                        from,
                        to: ext_to,
                        reference: m.reference,
                        reason: reason_to_term(&reason),
                    },
                    Fallback::None,
                )
            }
            RemoteSignal::AliasMessage { alias, msg } => {
                let route = self.remote_aliases.lock().route(alias);
                let Some((_, route)) = route else {
                    tracing::debug!(node = %self.name, %to, %alias, "message to a remote alias this node does not know (used, or its node went down); dropped");
                    return;
                };
                let Some(message) = self.message_term(to, msg) else {
                    return;
                };
                let Some(from) = self.sender() else { return };
                let message = match route {
                    Route::Alias(alias) => ControlMessage::AliasSend {
                        from,
                        alias,
                        message,
                    },
                    Route::Reply {
                        tag,
                        alias: Some(alias),
                    } => ControlMessage::AliasSend {
                        from,
                        alias,
                        message: Term::tuple([tag, message]),
                    },
                    Route::Reply { tag, alias: None } => ControlMessage::Send {
                        to: ext_to,
                        message: Term::tuple([tag, message]),
                    },
                };
                (message, Fallback::None)
            }
            other => {
                tracing::debug!(node = %self.name, %to, ?other, "signal to a remote process not supported; dropped");
                return;
            }
        };
        self.send_or_answer(to, node, &message, fallback);
    }

    /// Sends `message` to `node`; if it cannot go out, answers the link or
    /// monitor it carried with `noconnection`.
    fn send_or_answer(
        &self,
        to: Pid,
        node: &NodeName,
        message: &ControlMessage,
        fallback: Fallback,
    ) {
        if self.send_control(node, message) {
            return;
        }
        match fallback {
            Fallback::None => {}
            Fallback::Link { from } => {
                self.crossing.lock().remove_link(node, from, to);
                self.answer(to, RemoteSignal::Link { from }, ExitReason::Noconnection);
            }
            Fallback::Monitor { from, monitor } => {
                self.crossing.lock().take_out(monitor);
                self.answer(
                    to,
                    RemoteSignal::Monitor { from, monitor },
                    ExitReason::Noconnection,
                );
            }
        }
    }

    /// `{name, node}` on another node.
    fn to_name(&self, to: Pid, name: &Atom, node: &NodeName, signal: RemoteSignal) {
        let (message, fallback) = match signal {
            RemoteSignal::Message(m) => {
                let Some(message) = self.message_term(to, m) else {
                    return;
                };
                let Some(from) = self.sender() else { return };
                (
                    ControlMessage::RegSend {
                        from,
                        to: name.clone(),
                        message,
                    },
                    Fallback::None,
                )
            }
            RemoteSignal::Monitor { from, monitor } => {
                let (Some(from_ext), Some(reference)) =
                    (self.external_pid(from), self.external_ref(monitor))
                else {
                    return;
                };
                self.crossing.lock().add_out(
                    monitor,
                    OutMonitor {
                        watcher: from,
                        target: to,
                        node: node.clone(),
                    },
                );
                (
                    ControlMessage::MonitorP {
                        from: from_ext,
                        to: ProcRef::Name(name.clone()),
                        reference,
                    },
                    Fallback::Monitor { from, monitor },
                )
            }
            RemoteSignal::Demonitor { from, monitor } => {
                let (Some(from_ext), Some(reference)) =
                    (self.external_pid(from), self.external_ref(monitor))
                else {
                    return;
                };
                if self.crossing.lock().take_out(monitor).is_none() {
                    return;
                }
                (
                    ControlMessage::DemonitorP {
                        from: from_ext,
                        to: ProcRef::Name(name.clone()),
                        reference,
                    },
                    Fallback::None,
                )
            }
            // Erlang's `link/1` and `exit/2` take no `{Name, Node}`.
            signal @ RemoteSignal::Link { .. } => {
                self.answer(to, signal, ExitReason::Noproc);
                return;
            }
            other => {
                tracing::debug!(node = %self.name, %name, peer = %node, ?other, "signal to a registered name not supported; dropped");
                return;
            }
        };
        self.send_or_answer(to, node, &message, fallback);
    }

    /// `{name, node()}`: resolved in the local registry when it arrives.
    fn to_local_name(&self, to: Pid, name: &Atom, signal: RemoteSignal) {
        match (signal, self.whereis(name.as_str())) {
            (RemoteSignal::Message(m), Some(pid)) => self.deliver(pid, RemoteSignal::Message(m)),
            (signal @ RemoteSignal::Monitor { .. }, Some(pid))
            | (signal @ RemoteSignal::Demonitor { .. }, Some(pid)) => self.deliver(pid, signal),
            (signal, _) => self.answer(to, signal, ExitReason::Noproc),
        }
    }

    /// The `From` of a `REG_SEND`: the calling process, or `<0.0.0>` from
    /// outside any process.
    pub(crate) fn sender(&self) -> Option<girder_term::ExternalPid> {
        let me = girder::try_self_pid().unwrap_or(Pid::from_parts(girder::LOCAL_NODE, 0, 0));
        self.external_pid(me)
    }
}
