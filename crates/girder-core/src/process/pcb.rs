//! The process control block: everything about a process that outlives a
//! single poll and that other processes may reach through its pid.
//!
//! One lock, `signals` ([`crate::signal_queue`]), guards both the signals
//! other threads push and the owner's state, [`Local`]: mailbox (erts'
//! inner queue) and the rarely used `Extra` (links, monitors, name, receive
//! marks, pending exit). Only the owner takes signals out and changes its
//! links and monitors; `process_info` and `register` read and update `Local`
//! briefly from other threads.
//!
//! `status` is a hint for `process_info`; `dying` is set once a signal has
//! decided the process must exit, so the driver ends it at once.

use std::collections::HashSet;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

use crate::mailbox::Mailbox;
use crate::ref_map::RefMap;
use crate::signal::{Control, Down, Exit, Signal};
use crate::signal_queue::{CONTROL, Guard, MESSAGE, Owner, SignalQueue};
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
    /// Signals pushed by anyone, and the owner's `Local`, under one lock.
    pub(crate) signals: SignalQueue<Signal, Local>,
    pub(crate) status: AtomicU8,
    /// `DYING | TRAP_EXIT | EXITED`; written only by the owner.
    flags: AtomicU8,
    pub(crate) reductions: AtomicU64,
    /// Centiseconds since the runtime started (coarse clock; wraps after
    /// 497 days).
    pub(crate) spawned_at: u32,
    /// Size of the process's task allocation (PCB, future, header), in 8-byte
    /// words (saturating).
    task_words: u16,
}

/// The lock on a PCB's signal queue and `Local` (derefs to `Local`).
pub(crate) type LocalGuard<'a> = Guard<'a, Signal, Local>;

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
    pub(crate) monitors: RefMap,
    /// Monitors on this process: reference → watching process. Ordered, so
    /// `DOWN`s go out in the order the monitors were made.
    pub(crate) monitored_by: RefMap,
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

impl Owner<Signal> for Local {
    /// A message, or a `DOWN`, with nothing queued ahead of it (`Pcb::push`
    /// gives every other signal the `CONTROL` kind, and those are queued).
    #[inline]
    fn deliver(&mut self, sig: Signal) -> Option<Signal> {
        match sig {
            Signal::Message(m) => {
                self.mailbox.push(m);
                None
            }
            sig => self.deliver_other(sig),
        }
    }
}

impl Local {
    /// [`Owner::deliver`] of a `DOWN` (out of line: the message path stays
    /// small).
    #[inline(never)]
    fn deliver_other(&mut self, sig: Signal) -> Option<Signal> {
        match sig {
            Signal::Down(down) => self.take_down(down).map(Signal::Down),
            sig => {
                debug_assert!(false, "control signals are queued, not delivered");
                Some(sig)
            }
        }
    }

    /// A `DOWN` is a message once it is in the mailbox; it gets there only
    /// while its monitor exists. One for a monitor that `demonitor` removed
    /// is handed back, for the caller to drop once the lock is released
    /// (its exit reason may hold a value whose destructor sends).
    fn take_down(&mut self, down: Box<Down>) -> Option<Box<Down>> {
        let active = self
            .extra
            .as_mut()
            .is_some_and(|e| e.monitors.remove(&down.monitor).is_some());
        if active {
            self.mailbox.push(down);
            None
        } else {
            Some(down)
        }
    }
}

impl Local {
    pub(crate) fn extra(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Default::default)
    }
}

impl Pcb {
    #[cfg(test)]
    pub(crate) fn new(pid: Pid, spawned_at: u32, task_bytes: usize) -> Pcb {
        Pcb::with_extra(pid, spawned_at, task_bytes, None)
    }

    /// A PCB whose links, monitors or exit hook are known before anyone
    /// can reach it (a spawn with options): set without taking its lock.
    pub(crate) fn with_extra(
        pid: Pid,
        spawned_at: u32,
        task_bytes: usize,
        extra: Option<Box<Extra>>,
    ) -> Pcb {
        debug_assert!(pid.is_local());
        Pcb {
            number: pid.number(),
            signals: SignalQueue::new(Local {
                mailbox: Mailbox::default(),
                extra,
            }),
            status: AtomicU8::new(RUNNABLE),
            flags: AtomicU8::new(0),
            reductions: AtomicU64::new(0),
            spawned_at,
            task_words: u16::try_from(task_bytes.div_ceil(8)).unwrap_or(u16::MAX),
        }
    }

    #[inline]
    pub(crate) fn pid(&self) -> Pid {
        Pid::local(self.number)
    }

    pub(crate) fn task_bytes(&self) -> usize {
        usize::from(self.task_words) * 8
    }

    /// A signal decided the process must exit (its reason is in `Extra`).
    #[inline]
    pub(crate) fn is_dying(&self) -> bool {
        self.flags.load(Ordering::Relaxed) & DYING != 0
    }

    #[inline]
    pub(crate) fn traps_exits(&self) -> bool {
        self.flags.load(Ordering::Relaxed) & TRAP_EXIT != 0
    }

    /// Sets `trap_exit` (owner only); returns the previous value.
    pub(crate) fn set_trap_exit(&self, on: bool) -> bool {
        let old = self.flags.load(Ordering::Relaxed);
        let new = if on {
            old | TRAP_EXIT
        } else {
            old & !TRAP_EXIT
        };
        self.flags.store(new, Ordering::Relaxed);
        old & TRAP_EXIT != 0
    }

    /// Sets a flag. Only the owner writes `flags`: a plain load and store.
    fn set_flag(&self, flag: u8) {
        let old = self.flags.load(Ordering::Relaxed);
        self.flags.store(old | flag, Ordering::Relaxed);
    }

    /// The process has exited (set under the PCB's lock, when its signal
    /// queue closes).
    #[inline]
    pub(crate) fn is_exited(&self) -> bool {
        self.flags.load(Ordering::Relaxed) & EXITED != 0
    }

    pub(crate) fn set_exited(&self) {
        self.set_flag(EXITED);
    }

    /// Locks the PCB: its `Local`, and the signals queued for it.
    #[inline]
    pub(crate) fn local(&self) -> LocalGuard<'_> {
        self.signals.lock()
    }

    /// Pushes a signal. Hands it back if the process has exited.
    pub(crate) fn push(&self, sig: Signal) -> Result<(), Signal> {
        // A `DOWN` only ever becomes a message: like one, it goes straight
        // to the mailbox when nothing is queued ahead, and wakes the process
        // only if it waits in a receive.
        let kind = match sig {
            Signal::Message(_) | Signal::Down(_) => MESSAGE,
            Signal::Control(_) => CONTROL,
        };
        if self.signals.push(sig, kind)? {
            // A hint for `process_info` only: a plain load and store (a
            // race with the owner's own status store is harmless).
            if self.status.load(Ordering::Relaxed) == WAITING {
                self.status.store(RUNNABLE, Ordering::Relaxed);
            }
        }
        Ok(())
    }

    /// Between polls: acts on queued signals if a control signal is among
    /// them (messages alone wait for the next receive). Runs on the owner's
    /// thread. Returns the exit reason if a signal decided that the process
    /// must exit.
    #[inline]
    pub(crate) fn drain_control(&self) -> Option<ExitReason> {
        if !self.is_dying() && self.signals.pending() & CONTROL == 0 {
            return None;
        }
        self.drain()
    }

    /// Moves every pending signal out of the queue and acts on it. Runs on
    /// the owner's thread. Returns the exit reason if a signal decided that
    /// the process must exit (the rest stay queued for the exit path).
    pub(crate) fn drain(&self) -> Option<ExitReason> {
        let mut local = self.local();
        self.take_signals(&mut local)
    }

    /// [`Pcb::drain`] with the lock already held (a receive takes it once to
    /// move signals in and pick its message).
    #[inline]
    pub(crate) fn take_signals(&self, local: &mut LocalGuard<'_>) -> Option<ExitReason> {
        // Every receive comes here; nearly always nothing is queued (a
        // message with nothing ahead of it went straight to the mailbox).
        // The check stays inline, the handling out of line, so a receive
        // does not pay the big function's register saves.
        if !self.is_dying() && !local.has_queued() {
            return None;
        }
        self.take_signals_slow(local)
    }

    #[inline(never)]
    fn take_signals_slow(&self, local: &mut LocalGuard<'_>) -> Option<ExitReason> {
        if self.is_dying() {
            return local.extra().pending_exit.clone();
        }
        let mut exit = None;
        local.take(|local, sig| {
            match sig {
                Signal::Message(m) => local.mailbox.push(m),
                Signal::Down(down) => {
                    if let Some(refused) = local.take_down(down) {
                        // Dropped once the lock is released.
                        super::drop_later(refused);
                    }
                }
                Signal::Control(c) => {
                    if let Some(reason) = self.handle_control(local, *c) {
                        local.extra().pending_exit = Some(reason.clone());
                        self.set_flag(DYING);
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
            Control::AliasMessage { alias, msg } => {
                let active = local
                    .extra
                    .as_ref()
                    .is_some_and(|e| e.aliases.contains(&alias));
                if active {
                    local.mailbox.push(msg);
                } else {
                    // Dropped once the lock is released: its destructor
                    // may send to this very process.
                    super::drop_later(msg);
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
