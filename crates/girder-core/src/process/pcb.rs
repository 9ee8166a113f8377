//! The process control block: everything about a process that outlives a
//! single poll and that other processes may reach through its pid.
//!
//! Two locks, always taken in this order when both are needed:
//!
//! 1. `local` — the owner's state: mailbox (inner queue) and the
//!    rarely used `Extra` (links, monitors, name, receive marks, pending
//!    exit). Only the owner writes it; `process_info` and `register` read and
//!    update it briefly from other threads.
//! 2. `signals` — the outer signal queue. Any thread pushes to it; the owner
//!    drains it into `local` at its scheduling points.
//!
//! `status` is a hint for `process_info`; `dying` is set once a signal has
//! decided the process must exit, so the driver ends it at once.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};

use parking_lot::Mutex;

use crate::mailbox::Mailbox;
use crate::signal::{Control, Down, Exit, Signal, SignalQueue};
use crate::{ExitReason, Pid, Ref};

/// `process_info` status values, stored in `Pcb::status`.
pub(crate) const WAITING: u8 = 0;
pub(crate) const RUNNABLE: u8 = 1;
pub(crate) const RUNNING: u8 = 2;
pub(crate) const EXITING: u8 = 3;

pub(crate) struct Pcb {
    /// The pid's number (a PCB is always local).
    number: u64,
    pub(crate) local: Mutex<Local>,
    pub(crate) signals: Mutex<SignalQueue>,
    pub(crate) status: AtomicU8,
    pub(crate) dying: AtomicBool,
    /// Set (under the signal lock) when a signal is pushed, cleared when the
    /// owner drains: lets `drain` skip both locks when nothing is queued.
    /// A push that the owner's check misses also wakes the owner, so nothing
    /// is left behind.
    pub(crate) has_signals: AtomicBool,
    /// Whether the process traps exits (written only by the owner).
    pub(crate) trap_exit: AtomicBool,
    /// Set under the local lock when the process has exited.
    pub(crate) exited: AtomicBool,
    /// Set under the signal lock when the process has exited: pushes fail.
    pub(crate) closed: AtomicBool,
    pub(crate) reductions: AtomicU64,
    /// Centiseconds since the runtime started (coarse clock; wraps after
    /// 497 days).
    pub(crate) spawned_at: u32,
    /// Bytes of the process's task allocation (future + header).
    pub(crate) task_bytes: u32,
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
    pub(crate) pending_exit: Option<ExitReason>,
}

pub(crate) const MAX_MARKS: usize = 8;

impl Local {
    pub(crate) fn extra(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Default::default)
    }
}

impl Pcb {
    pub(crate) fn new(pid: Pid, spawned_at: u32, task_bytes: u32) -> Pcb {
        debug_assert!(pid.is_local());
        Pcb {
            number: pid.number(),
            local: Mutex::new(Local::default()),
            signals: Mutex::new(SignalQueue::default()),
            status: AtomicU8::new(RUNNABLE),
            dying: AtomicBool::new(false),
            has_signals: AtomicBool::new(false),
            trap_exit: AtomicBool::new(false),
            exited: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            reductions: AtomicU64::new(0),
            spawned_at,
            task_bytes,
        }
    }

    pub(crate) fn pid(&self) -> Pid {
        Pid::local(self.number)
    }

    /// Pushes a signal. Hands it back if the process has exited.
    pub(crate) fn push(&self, sig: Signal) -> Result<(), Signal> {
        let mut q = self.signals.lock();
        if self.closed.load(Ordering::Relaxed) {
            return Err(sig);
        }
        let was_empty = q.queue.is_empty();
        q.queue.push_back(sig);
        self.has_signals.store(true, Ordering::Release);
        if was_empty {
            if let Some(w) = &q.waker {
                let _ = self.status.compare_exchange(
                    WAITING,
                    RUNNABLE,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                );
                w.wake_by_ref();
            }
        }
        Ok(())
    }

    /// Moves every pending signal out of the outer queue and acts on it.
    /// Runs on the owner's thread. Returns the exit reason if a signal
    /// decided that the process must exit (the rest stay queued for the exit
    /// path).
    pub(crate) fn drain(&self) -> Option<ExitReason> {
        if self.dying.load(Ordering::Relaxed) {
            return self.local.lock().extra().pending_exit.clone();
        }
        if !self.has_signals.load(Ordering::Acquire) {
            return None;
        }
        let mut local = self.local.lock();
        let mut q = self.signals.lock();
        self.has_signals.store(false, Ordering::Relaxed);
        while let Some(sig) = q.queue.pop_front() {
            match sig {
                Signal::Message(m) => local.mailbox.push(m),
                Signal::Control(c) => {
                    if let Some(reason) = self.handle_control(&mut local, *c) {
                        local.extra().pending_exit = Some(reason.clone());
                        self.dying.store(true, Ordering::Relaxed);
                        self.has_signals
                            .store(!q.queue.is_empty(), Ordering::Relaxed);
                        return Some(reason);
                    }
                }
            }
        }
        if q.queue.capacity() > 16 {
            q.queue.shrink_to(4);
        }
        None
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
                if self.trap_exit.load(Ordering::Relaxed) {
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
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn print_sizes() {
        use super::*;
        eprintln!(
            "Pcb {} Local {} SignalQueue {} Mailbox {} Extra {}",
            size_of::<Pcb>(),
            size_of::<Local>(),
            size_of::<SignalQueue>(),
            size_of::<Mailbox>(),
            size_of::<Extra>()
        );
    }
}
