//! Signals: everything one process can do to another.
//!
//! As in erts (`erl_proc_sig_queue.h`), messages, exit signals, link and
//! unlink requests, monitor and demonitor requests, and `DOWN` notifications
//! all travel through one queue per receiving process, the *outer signal
//! queue*, so signals from one process to another arrive in the order they
//! were sent. The receiver handles them at its own scheduling points
//! ([`crate::process`]): messages and `DOWN`s move into its mailbox (the
//! inner queue; straight away when nothing is queued ahead of them, see
//! [`crate::signal_queue`]), the other signals change its links and
//! monitors or end it.
//!
//! The two message types that signals turn into, [`Exit`] and [`Down`], are
//! defined here.

use std::any::Any;

use crate::{ExitReason, Pid, Ref};

/// A message: any `Send + 'static` value, boxed once and moved, never copied.
pub(crate) type Envelope = Box<dyn Any + Send>;

/// An exit signal turned into a message because its receiver traps exits.
/// Erlang `{'EXIT', From, Reason}`, Elixir `{:EXIT, from, reason}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Exit {
    /// Who sent the signal (the linked process that exited, or the caller of
    /// [`crate::exit`]).
    pub from: Pid,
    /// The reason it carries.
    pub reason: ExitReason,
}

/// A monitor fired: the monitored process exited, or never existed. Erlang
/// `{'DOWN', Ref, process, Pid, Reason}`, Elixir `{:DOWN, ref, :process, pid,
/// reason}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Down {
    /// The reference [`crate::monitor`] returned.
    pub monitor: Ref,
    /// The monitored process.
    pub pid: Pid,
    /// Why it exited (`Noproc` if it did not exist).
    pub reason: ExitReason,
}

/// One signal in a process's outer queue.
pub(crate) enum Signal {
    /// An ordinary message.
    Message(Envelope),
    /// A process the receiver monitors exited. Boxed as the message it
    /// becomes: if the monitor is still active when the receiver takes it
    /// in, the box moves into the mailbox as it is (one allocation per
    /// `DOWN`, not a signal box and then a message box).
    Down(Box<Down>),
    /// Any other signal; boxed so a queue slot stays two words.
    Control(Box<Control>),
}

/// The signals that are not messages.
#[derive(Debug)]
pub(crate) enum Control {
    /// An exit signal: sent directly by `exit/2` (`link == false`) or because
    /// a linked process exited (`link == true`).
    Exit {
        from: Pid,
        reason: ExitReason,
        link: bool,
    },
    /// `from` linked itself to the receiver.
    Link { from: Pid },
    /// `from` removed its link to the receiver.
    Unlink { from: Pid },
    /// `from` started monitoring the receiver under `monitor`.
    Monitor { from: Pid, monitor: Ref },
    /// `from` stopped monitoring the receiver.
    Demonitor { from: Pid, monitor: Ref },
    /// A message sent to one of the receiver's aliases: delivered only if
    /// the alias is still active when the receiver takes the signal in.
    AliasMessage { alias: Ref, msg: Envelope },
}

impl Signal {
    pub(crate) fn control(c: Control) -> Signal {
        Signal::Control(Box::new(c))
    }

    pub(crate) fn down(monitor: Ref, pid: Pid, reason: ExitReason) -> Signal {
        Signal::Down(Box::new(Down {
            monitor,
            pid,
            reason,
        }))
    }
}

/// A send to a name that is not registered. Carries the message back.
/// Erlang raises `badarg` for `Name ! Msg` when `Name` is unknown.
pub struct SendError<M> {
    /// The name that was not registered.
    pub name: String,
    /// The message, unsent.
    pub message: M,
}

impl<M> std::fmt::Debug for SendError<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendError")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl<M> std::fmt::Display for SendError<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no process is registered as {:?}", self.name)
    }
}

impl<M> std::error::Error for SendError<M> {}

/// Sends `msg` to `to`. Erlang `Pid ! Msg`, Elixir `send(pid, msg)`.
///
/// Asynchronous and infallible: the message is moved into the receiver's
/// queue (never copied); a message to a dead pid is dropped, as in Erlang.
/// Messages from one process to another arrive in the order sent.
///
/// ```
/// girder_core::run(async {
///     let me = girder_core::self_pid();
///     girder_core::send(me, "hello");
///     assert_eq!(girder_core::receive::<&str>().await, "hello");
/// }).unwrap();
/// ```
///
/// # Panics
/// On a thread no girder runtime owns (use [`crate::Handle::send`]).
#[track_caller]
pub fn send<M: Send + 'static>(to: Pid, msg: M) {
    crate::scheduler::reductions::charge(1);
    crate::runtime::with_shared(|s| s.send_message(to, Box::new(msg)));
}

/// Sends `msg` to the process registered as `name`. Erlang `Name ! Msg`,
/// Elixir `send(name, msg)`. An unregistered name is an error that hands the
/// message back.
///
/// ```
/// girder_core::run(async {
///     let err = girder_core::send_named("nobody", 1u8).unwrap_err();
///     assert_eq!(err.message, 1);
/// }).unwrap();
/// ```
#[track_caller]
pub fn send_named<M: Send + 'static>(name: &str, msg: M) -> Result<(), SendError<M>> {
    match crate::whereis(name) {
        Some(pid) => {
            send(pid, msg);
            Ok(())
        }
        None => Err(SendError {
            name: name.to_owned(),
            message: msg,
        }),
    }
}
