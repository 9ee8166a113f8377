//! Process aliases: addresses that can be switched off.
//!
//! An [`Alias`] names the process that made it, like its pid, but only for as
//! long as the alias is active: once [`unalias`] is called, messages sent to
//! the alias are dropped when they reach the process, even those already on
//! their way. Messages that arrived before stay in the mailbox. This is what
//! makes a call with a timeout safe: the reply address dies with the call, so
//! a late reply never lands in the caller's mailbox (OTP 24's aliases, used by
//! `gen_server:call/3` for the same reason).

use std::fmt;

use crate::process::with_current;
use crate::runtime::with_shared;
use crate::scheduler::reductions;
use crate::signal::{Control, Signal};
use crate::{Pid, Ref, make_ref, self_pid};

/// An address of a process that can be deactivated. Erlang's alias
/// (`alias/0`, a reference), Elixir `Process.alias/0`.
///
/// ```
/// girder_core::run(async {
///     let a = girder_core::alias();
///     a.send("first");
///     assert_eq!(girder_core::receive::<&str>().await, "first");
///     girder_core::unalias(a);
///     a.send("dropped");
///     let late = girder_core::receive::<&str>()
///         .timeout(std::time::Duration::from_millis(10))
///         .await;
///     assert_eq!(late, None);
/// }).unwrap();
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Alias {
    pid: Pid,
    reference: Ref,
}

impl Alias {
    /// Builds an alias from its parts (distribution layer).
    pub const fn from_parts(pid: Pid, reference: Ref) -> Alias {
        Alias { pid, reference }
    }

    /// The process the alias belongs to.
    pub const fn pid(self) -> Pid {
        self.pid
    }

    /// The alias's reference. It marks the owner's mailbox like
    /// [`make_ref`], so `receive_match(..).since(alias.reference())` skips
    /// every message queued before the alias was made.
    pub const fn reference(self) -> Ref {
        self.reference
    }

    /// Sends `msg` through the alias. Erlang `Alias ! Msg`. Like
    /// [`crate::send`], asynchronous and infallible; the message is dropped
    /// on arrival if the alias is no longer active (or its process is gone).
    ///
    /// # Panics
    /// On a thread no girder runtime owns.
    #[track_caller]
    pub fn send<M: Send + 'static>(self, msg: M) {
        reductions::charge(1);
        with_shared(|s| {
            s.send_signal(
                self.pid,
                Signal::control(Control::AliasMessage {
                    alias: self.reference,
                    msg: Box::new(msg),
                }),
            )
        });
    }
}

impl fmt::Display for Alias {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.reference, f)
    }
}

impl fmt::Debug for Alias {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Alias({}, {})", self.pid, self.reference)
    }
}

/// Makes an active alias for the caller. Erlang `alias/0`, Elixir
/// `Process.alias/0`.
///
/// # Panics
/// Outside a process.
#[track_caller]
pub fn alias() -> Alias {
    let reference = make_ref();
    with_current(|p| p.local().extra().aliases.push(reference));
    Alias {
        pid: self_pid(),
        reference,
    }
}

/// Deactivates one of the caller's aliases; returns whether it was active.
/// Erlang `unalias/1`, Elixir `Process.unalias/1`. From then on messages sent
/// to it are dropped on arrival, including any still in flight.
///
/// # Panics
/// Outside a process.
#[track_caller]
pub fn unalias(alias: Alias) -> bool {
    with_current(|p| {
        // Take in what already arrived while the alias was active: those
        // messages were sent (and delivered) before the unalias.
        p.drain();
        let mut local = p.local();
        let Some(extra) = local.extra.as_mut() else {
            return false;
        };
        match extra.aliases.iter().position(|r| *r == alias.reference) {
            Some(i) => {
                extra.aliases.swap_remove(i);
                true
            }
            None => false,
        }
    })
}
