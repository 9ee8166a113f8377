//! The narrow hook the distribution layer plugs into.
//!
//! Core knows nothing of nodes, sockets or terms. A pid whose node is not
//! [`crate::LOCAL_NODE`] belongs to the distribution layer: every signal to it
//! is handed to the installed [`Distribution`] as a [`RemoteSignal`], and the
//! distribution layer delivers signals from other nodes to local processes
//! with [`crate::Handle::deliver`].

use std::any::Any;

use crate::signal::{Control, Down, Signal};
use crate::{ExitReason, Pid, Ref};

/// A signal crossing a node boundary, in the vocabulary of the distribution
/// protocol's control messages (SEND, EXIT, LINK, UNLINK_ID, MONITOR_P,
/// DEMONITOR_P, MONITOR_P_EXIT).
#[derive(Debug)]
#[non_exhaustive]
pub enum RemoteSignal {
    /// A message. The distribution layer decides which Rust types it can
    /// encode (a `girder_term::Term`, or a serde type it was told about).
    Message(Box<dyn Any + Send>),
    /// An exit signal; `link` tells a link exit from an `exit/2`.
    Exit {
        /// Sender.
        from: Pid,
        /// Reason.
        reason: ExitReason,
        /// Whether a link carried it.
        link: bool,
    },
    /// Link request.
    Link {
        /// Sender.
        from: Pid,
    },
    /// Unlink request.
    Unlink {
        /// Sender.
        from: Pid,
    },
    /// Monitor request.
    Monitor {
        /// The watching process.
        from: Pid,
        /// The monitor's reference.
        monitor: Ref,
    },
    /// Demonitor request.
    Demonitor {
        /// The watching process.
        from: Pid,
        /// The monitor's reference.
        monitor: Ref,
    },
    /// A message to an alias of the receiver (ALIAS_SEND): delivered only
    /// while the alias is active.
    AliasMessage {
        /// The alias's reference.
        alias: Ref,
        /// The message.
        msg: Box<dyn Any + Send>,
    },
    /// A monitored process exited.
    Down {
        /// The monitor's reference.
        monitor: Ref,
        /// The process that exited.
        pid: Pid,
        /// Why.
        reason: ExitReason,
    },
}

/// Implemented by the distribution layer (`girder-dist`) and installed with
/// [`crate::Handle::set_distribution`].
pub trait Distribution: Send + Sync + 'static {
    /// Carries `signal` to the remote process `to`. Must not block. If the
    /// node cannot be reached, answer as Erlang does (a link or monitor gets
    /// `noconnection`) by delivering the answer locally.
    fn deliver(&self, to: Pid, signal: RemoteSignal);
}

impl Signal {
    pub(crate) fn into_remote(self) -> RemoteSignal {
        match self {
            Signal::Message(m) => RemoteSignal::Message(m),
            Signal::Down(d) => {
                let Down {
                    monitor,
                    pid,
                    reason,
                } = *d;
                RemoteSignal::Down {
                    monitor,
                    pid,
                    reason,
                }
            }
            Signal::Control(c) => match *c {
                Control::Exit { from, reason, link } => RemoteSignal::Exit { from, reason, link },
                Control::Link { from } => RemoteSignal::Link { from },
                Control::Unlink { from } => RemoteSignal::Unlink { from },
                Control::Monitor { from, monitor } => RemoteSignal::Monitor { from, monitor },
                Control::Demonitor { from, monitor } => RemoteSignal::Demonitor { from, monitor },
                Control::AliasMessage { alias, msg } => RemoteSignal::AliasMessage { alias, msg },
            },
        }
    }

    pub(crate) fn from_remote(signal: RemoteSignal) -> Signal {
        match signal {
            RemoteSignal::Message(m) => Signal::Message(m),
            RemoteSignal::Exit { from, reason, link } => {
                Signal::control(Control::Exit { from, reason, link })
            }
            RemoteSignal::Link { from } => Signal::control(Control::Link { from }),
            RemoteSignal::Unlink { from } => Signal::control(Control::Unlink { from }),
            RemoteSignal::Monitor { from, monitor } => {
                Signal::control(Control::Monitor { from, monitor })
            }
            RemoteSignal::Demonitor { from, monitor } => {
                Signal::control(Control::Demonitor { from, monitor })
            }
            RemoteSignal::Down {
                monitor,
                pid,
                reason,
            } => Signal::down(monitor, pid, reason),
            RemoteSignal::AliasMessage { alias, msg } => {
                Signal::control(Control::AliasMessage { alias, msg })
            }
        }
    }
}
