//! The process control block: everything about a process that outlives a
//! single poll and that other processes may reach through its pid.
//!
//! Two locks, always taken in this order when both are needed:
//!
//! 1. `local` — the owner's state: mailbox (inner queue) and the
//!    rarely used `Extra` (links, monitors, name, receive marks, pending
//!    exit). Only the owner writes it; `process_info` and `register` read and
//!    update it briefly from other threads.
//! 2. `signals` — the outer signal queue ([`crate::signal_queue`]). Any
//!    thread pushes to it; the owner drains it into `local` at its
//!    scheduling points.
//!
//! `status` is a hint for `process_info`; `dying` is set once a signal has
//! decided the process must exit, so the driver ends it at once.

use std::collections::{BTreeMap, HashSet};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

use parking_lot::Mutex;

use crate::mailbox::Mailbox;
use crate::signal::{Control, Down, Exit, Signal};
use crate::signal_queue::SignalQueue;
use crate::{ExitReason, Pid, Ref};

/// `process_info` status values, stored in `Pcb::status`.
pub(crate) const WAITING: u8 = 0;
pub(crate) const RUNNABLE: u8 = 1;
pub(crate) const RUNNING: u8 = 2;
pub(crate) const EXITING: u8 = 3;

/// `Pcb::flags` bits.
const DYING: u8 = 1;
const TRAP_EXIT: u8 = 2;
const EXITED: u8 = 4;

pub(crate) struct Pcb {
    /// The pid's number (a PCB is always local).
    number: u64,
    pub(crate) local: Mutex<Local>,
    pub(crate) signals: SignalQueue<Signal>,
    pub(crate) status: AtomicU8,
    /// `DYING | TRAP_EXIT | EXITED`.
    flags: AtomicU8,
    pub(crate) reductions: AtomicU64,
    /// Centiseconds since the runtime started (coarse clock; wraps after
    /// 497 days).
    pub(crate) spawned_at: u32,
    /// Size of the process's task allocation (future + header), in 8-byte
    /// words (saturating).
    task_words: u16,
}

#[derive(Default)]
pub(crate) struct Local {
    pub(crate) mailbox: Mailbox,
    pub(crate) extra: Option<Box<Extra>>,
}

/// State most processes never need, allocated on first use.
#[derive(Default)]
pub(crate) struct Extra {
    pub(crate) links: HashSet<Pid>,
    /// Monitors this process holds: reference → monitored process.
    pub(crate) monitors: BTreeMap<Ref, Pid>,
    /// Monitors on this process: reference → watching process. Ordered, so
    /// `DOWN`s go out in the order the monitors were made.
    pub(crate) monitored_by: BTreeMap<Ref, Pid>,
    pub(crate) name: Option<std::sync::Arc<str>>,
    /// Receive marks: a reference and the mailbox sequence number at the
    /// moment it was made. A few at most; the oldest falls off.
    pub(crate) marks: Vec<(Ref, u64)>,
    /// Active aliases (`alias/0`): messages sent to one of them are
    /// delivered; to any other, dropped on arrival.
    pub(crate) aliases: Vec<Ref>,
    pub(crate) pending_exit: Option<ExitReason>,
    pub(crate) on_exit: Option<crate::runtime::OnExit>,
}

pub(crate) const MAX_MARKS: usize = 8;

impl Local {
    pub(crate) fn extra(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Default::default)
    }
}

impl Pcb {
    pub(crate) fn new(pid: Pid, spawned_at: u32, task_bytes: usize) -> Pcb {
        debug_assert!(pid.is_local());
        Pcb {
            number: pid.number(),
            local: Mutex::new(Local::default()),
            signals: SignalQueue::new(),
            status: AtomicU8::new(RUNNABLE),
            flags: AtomicU8::new(0),
            reductions: AtomicU64::new(0),
            spawned_at,
            task_words: u16::try_from(task_bytes.div_ceil(8)).unwrap_or(u16::MAX),
        }
    }

    pub(crate) fn pid(&self) -> Pid {
        Pid::local(self.number)
    }

    pub(crate) fn task_bytes(&self) -> usize {
        usize::from(self.task_words) * 8
    }

    /// A signal decided the process must exit (its reason is in `Extra`).
    pub(crate) fn is_dying(&self) -> bool {
        self.flags.load(Ordering::Relaxed) & DYING != 0
    }

    pub(crate) fn traps_exits(&self) -> bool {
        self.flags.load(Ordering::Relaxed) & TRAP_EXIT != 0
    }

    /// Sets `trap_exit` (owner only); returns the previous value.
    pub(crate) fn set_trap_exit(&self, on: bool) -> bool {
        let old = if on {
            self.flags.fetch_or(TRAP_EXIT, Ordering::Relaxed)
        } else {
            self.flags.fetch_and(!TRAP_EXIT, Ordering::Relaxed)
        };
        old & TRAP_EXIT != 0
    }

    /// The process has exited (set under the local lock).
    pub(crate) fn is_exited(&self) -> bool {
        self.flags.load(Ordering::Relaxed) & EXITED != 0
    }

    pub(crate) fn set_exited(&self) {
        self.flags.fetch_or(EXITED, Ordering::Relaxed);
    }

    /// Pushes a signal. Hands it back if the process has exited.
    pub(crate) fn push(&self, sig: Signal) -> Result<(), Signal> {
        if self.signals.push(sig)? {
            let _ = self.status.compare_exchange(
                WAITING,
                RUNNABLE,
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
        }
        Ok(())
    }

    /// Moves every pending signal out of the outer queue and acts on it.
    /// Runs on the owner's thread. Returns the exit reason if a signal
    /// decided that the process must exit (the rest stay queued for the exit
    /// path).
    pub(crate) fn drain(&self) -> Option<ExitReason> {
        if self.is_dying() {
            return self.local.lock().extra().pending_exit.clone();
        }
        if !self.signals.has_pending() {
            return None;
        }
        let mut local = self.local.lock();
        let mut exit = None;
        self.signals.drain(|sig| {
            match sig {
                Signal::Message(m) => local.mailbox.push(m),
                Signal::Control(c) => {
                    if let Some(reason) = self.handle_control(&mut local, *c) {
                        local.extra().pending_exit = Some(reason.clone());
                        self.flags.fetch_or(DYING, Ordering::Relaxed);
                        exit = Some(reason);
                        return ControlFlow::Break(());
                    }
                }
            }
            ControlFlow::Continue(())
        });
        exit
    }

    /// Acts on one control signal while the process is alive; returns an exit
    /// reason if the process must die (DESIGN §4).
    fn handle_control(&self, local: &mut Local, c: Control) -> Option<ExitReason> {
        match c {
            Control::Exit { from, reason, link } => {
                if link {
                    // A link exit only counts while the link exists: an
                    // unlink the receiver already did cancels it.
                    let linked = local.extra.as_mut().is_some_and(|e| e.links.remove(&from));
                    if !linked {
                        return None;
                    }
                } else if reason == ExitReason::Kill {
                    return Some(ExitReason::Killed);
                }
                if self.traps_exits() {
                    local.mailbox.push(Box::new(Exit { from, reason }));
                    None
                } else if reason.is_normal() {
                    // `exit(self(), normal)` ends the caller; a normal exit
                    // from anyone else is ignored.
                    (!link && from == self.pid()).then_some(ExitReason::Normal)
                } else {
                    Some(reason)
                }
            }
            Control::Link { from } => {
                local.extra().links.insert(from);
                None
            }
            Control::Unlink { from } => {
                if let Some(e) = local.extra.as_mut() {
                    e.links.remove(&from);
                }
                None
            }
            Control::Monitor { from, monitor } => {
                local.extra().monitored_by.insert(monitor, from);
                None
            }
            Control::Demonitor { monitor, .. } => {
                if let Some(e) = local.extra.as_mut() {
                    e.monitored_by.remove(&monitor);
                }
                None
            }
            Control::Down {
                monitor,
                pid,
                reason,
            } => {
                // A DOWN for a monitor already removed by demonitor is dropped.
                let active = local
                    .extra
                    .as_mut()
                    .is_some_and(|e| e.monitors.remove(&monitor).is_some());
                if active {
                    local.mailbox.push(Box::new(Down {
                        monitor,
                        pid,
                        reason,
                    }));
                }
                None
            }
            Control::AliasMessage { alias, msg } => {
                let active = local
                    .extra
                    .as_ref()
                    .is_some_and(|e| e.aliases.contains(&alias));
                if active {
                    local.mailbox.push(msg);
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The PCB is the biggest part of an idle process: keep it within one
    /// 112-byte allocation together with the `Arc` counts.
    #[test]
    fn pcb_stays_small() {
        assert!(
            size_of::<Pcb>() + 16 <= 112,
            "Pcb is {} bytes",
            size_of::<Pcb>()
        );
    }
}
