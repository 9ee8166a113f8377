//! Processes: spawning, identity, exit signals, links and monitors.
//!
//! A process is a Rust future plus a process control block ([`pcb`]), in one
//! allocation together with its scheduling state ([`task`]); other processes
//! reach the PCB by pid through the process table ([`table`]). The
//! [`driver`] wraps the future and gives it Erlang's life cycle.
//!
//! The functions here act on behalf of the *current* process: the one whose
//! future this thread is polling. They panic when called outside a process,
//! like `self()` would make no sense outside one in Erlang; [`crate::Handle`]
//! offers the few operations that make sense from outside.
//!
//! Link and monitor bookkeeping follows DESIGN §4 and OTP's signal rules:
//! each side records its half in its own state, the other half travels as a
//! signal in order with every other signal, and a signal that reaches a dead
//! or unknown process is answered with `noproc`.

pub(crate) mod driver;
pub(crate) mod pcb;
pub(crate) mod table;
pub(crate) mod task;

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::marker::PhantomData;

use self::pcb::Pcb;
use crate::runtime::{SpawnOpts, with_shared};
use crate::scheduler::reductions;
use crate::signal::{Control, Down, Signal};
use crate::{ExitReason, IntoExitReason, Pid, Ref};

thread_local! {
    /// The process being polled on this thread, null between polls. Set
    /// only by a [`CurrentGuard`], from a PCB the guard borrows. A
    /// `Cell` of a pointer: reading it is one load, no lazy-initialisation
    /// check and no borrow flag, on every runtime call a process makes.
    static CURRENT: Cell<*const Pcb> = const { Cell::new(std::ptr::null()) };
    static DROP_LATER: RefCell<Vec<crate::signal::Envelope>> = const { RefCell::new(Vec::new()) };
    /// Whether `DROP_LATER` holds anything (checked after every poll; a
    /// `Cell<bool>` costs no lazy-initialisation check).
    static HAS_DROPS: Cell<bool> = const { Cell::new(false) };
}

/// Messages dropped while their receiver's lock is held (to an inactive
/// alias) are dropped by [`flush_drops`] once it is released: a destructor
/// may send to that very process.
pub(crate) fn drop_later(msg: crate::signal::Envelope) {
    DROP_LATER.with(|d| d.borrow_mut().push(msg));
    HAS_DROPS.with(|h| h.set(true));
}

/// Drops what [`drop_later`] kept (the driver calls it after each poll).
#[inline]
pub(crate) fn flush_drops() {
    if !HAS_DROPS.with(|h| h.replace(false)) {
        return;
    }
    let msgs = DROP_LATER.with(|d| std::mem::take(&mut *d.borrow_mut()));
    drop(msgs);
}

/// Makes a process current for the duration of a poll: points the thread's
/// slot at the driver's PCB, and restores what was there when dropped (also
/// when unwinding). The guard borrows the PCB, so the PCB outlives it.
pub(crate) struct CurrentGuard<'a> {
    previous: *const Pcb,
    _pcb: PhantomData<&'a Pcb>,
}

impl<'a> CurrentGuard<'a> {
    #[inline]
    pub(crate) fn enter(pcb: &'a Pcb) -> CurrentGuard<'a> {
        let previous = CURRENT.with(|c| c.replace(pcb));
        CurrentGuard {
            previous,
            _pcb: PhantomData,
        }
    }
}

impl Drop for CurrentGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.previous));
    }
}

/// Runs `f` with the current process, if there is one.
#[inline]
pub(crate) fn try_with_current<R>(f: impl FnOnce(Option<&Pcb>) -> R) -> R {
    let current = CURRENT.with(Cell::get);
    // SAFETY: `CURRENT` is null or was set by a `CurrentGuard` that is still
    // alive on this thread: guards are created and dropped in nested order
    // on the stack of the poll that runs us (drop restores the previous
    // value, also when unwinding), and each borrows its PCB for its whole
    // life, so the PCB is alive for this call. The reference
    // cannot escape `f` (its lifetime is that of the call), and a PCB is
    // only ever shared (`&`), never mutated through a unique reference.
    let pcb = unsafe { current.as_ref() };
    f(pcb)
}

/// Runs `f` with the current process; panics outside a process.
#[inline]
#[track_caller]
pub(crate) fn with_current<R>(f: impl FnOnce(&Pcb) -> R) -> R {
    try_with_current(|pcb| match pcb {
        Some(pcb) => f(pcb),
        None => panic!("girder: this operation must run inside a girder process"),
    })
}

/// The pid of the calling process. Erlang `self()`, Elixir `self()`.
///
/// # Panics
/// Outside a process.
#[track_caller]
pub fn self_pid() -> Pid {
    with_current(|p| p.pid())
}

/// The pid of the calling process, or `None` outside a process.
pub fn try_self_pid() -> Option<Pid> {
    try_with_current(|p| p.map(|p| p.pid()))
}

/// Spawns a process running `future`. Erlang `spawn/1`, Elixir `spawn/1`.
///
/// The process ends when the future returns (with the exit reason its output
/// gives, see [`IntoExitReason`]), panics (`Panic`), or is ended by an exit
/// signal. Spawning charges reductions and never blocks.
///
/// ```
/// let pid = girder_core::run(async {
///     girder_core::spawn(async { /* work */ })
/// }).unwrap();
/// assert!(pid.is_local());
/// ```
///
/// # Panics
/// Outside a girder runtime thread (use [`crate::Handle::spawn`] there).
#[track_caller]
pub fn spawn<F>(future: F) -> Pid
where
    F: Future + Send + 'static,
    F::Output: IntoExitReason,
{
    reductions::charge(10);
    with_shared(|s| s.spawn_process(future, SpawnOpts::default()))
}

/// Spawns a process linked to the caller, atomically: the child cannot exit
/// before the link exists. Erlang `spawn_link/1`, Elixir `spawn_link/1`.
///
/// # Panics
/// Outside a process.
#[track_caller]
pub fn spawn_link<F>(future: F) -> Pid
where
    F: Future + Send + 'static,
    F::Output: IntoExitReason,
{
    reductions::charge(10);
    let me = self_pid();
    with_shared(|s| {
        s.spawn_process(
            future,
            SpawnOpts {
                link: Some(me),
                ..SpawnOpts::default()
            },
        )
    })
}

/// Spawns a process monitored by the caller, atomically. Erlang
/// `spawn_monitor/1`, Elixir `spawn_monitor/1`. Returns the pid and the
/// monitor reference.
///
/// # Panics
/// Outside a process.
#[track_caller]
pub fn spawn_monitor<F>(future: F) -> (Pid, Ref)
where
    F: Future + Send + 'static,
    F::Output: IntoExitReason,
{
    reductions::charge(10);
    let me = self_pid();
    let monitor = Ref::fresh();
    let pid = with_shared(|s| {
        s.spawn_process(
            future,
            SpawnOpts {
                monitor: Some((monitor, me)),
                ..SpawnOpts::default()
            },
        )
    });
    (pid, monitor)
}

/// Sends an exit signal to `pid`. Erlang `exit/2`, Elixir `Process.exit/2`.
///
/// The receiver acts on it as DESIGN §4 says: `Kill` ends it whatever it
/// does (reason `Killed`); if it traps exits, any other reason becomes an
/// [`crate::Exit`] message; otherwise `Normal` is ignored (unless the caller
/// signals itself, which ends it) and any other reason ends it with that
/// reason. The signal is asynchronous: the caller goes on, and a process that
/// signals itself ends at its next await point.
///
/// # Panics
/// Outside a girder runtime thread (use [`crate::Handle::exit`] there).
#[track_caller]
pub fn exit(pid: Pid, reason: ExitReason) {
    reductions::charge(1);
    let from = try_self_pid().unwrap_or(crate::runtime::RUNTIME_PID);
    with_shared(|s| {
        s.send_signal(
            pid,
            Signal::control(Control::Exit {
                from,
                reason,
                link: false,
            }),
        )
    });
}

/// Sets whether the caller traps exits; returns the previous value. Erlang
/// `process_flag(trap_exit, Bool)`, Elixir `Process.flag(:trap_exit, bool)`.
///
/// A process that traps exits receives exit signals (except `Kill`) as
/// [`crate::Exit`] messages instead of dying.
#[track_caller]
pub fn trap_exit(on: bool) -> bool {
    with_current(|p| p.set_trap_exit(on))
}

/// Links the caller and `pid`. Erlang `link/1`, Elixir `Process.link/1`.
///
/// Idempotent. Linking to a dead or unknown process sends the caller an exit
/// signal with reason `Noproc` (which ends it unless it traps exits).
/// Linking to oneself does nothing.
#[track_caller]
pub fn link(pid: Pid) {
    reductions::charge(5);
    let me = self_pid();
    if pid == me {
        return;
    }
    let added = with_current(|p| p.local().extra().links.insert(pid));
    if added {
        with_shared(|s| s.send_signal(pid, Signal::control(Control::Link { from: me })));
    }
}

/// Removes the link between the caller and `pid`, if any. Erlang
/// `unlink/1`, Elixir `Process.unlink/1`.
///
/// After `unlink` returns, no exit signal caused by that link reaches the
/// caller, even one already on its way (an `Exit` message already delivered
/// to a trapping caller stays in its mailbox, as in Erlang).
#[track_caller]
pub fn unlink(pid: Pid) {
    reductions::charge(5);
    let me = self_pid();
    let removed = with_current(|p| {
        p.local()
            .extra
            .as_mut()
            .is_some_and(|e| e.links.remove(&pid))
    });
    if removed {
        with_shared(|s| s.send_signal(pid, Signal::control(Control::Unlink { from: me })));
    }
}

/// Monitors `pid`; returns the monitor's reference. Erlang
/// `monitor(process, Pid)`, Elixir `Process.monitor/1`.
///
/// When the process exits the caller receives a [`Down`] message with this
/// reference; if it is already dead or never existed, the `Down` (reason
/// `Noproc`) comes at once.
#[track_caller]
pub fn monitor(pid: Pid) -> Ref {
    reductions::charge(5);
    let me = self_pid();
    let monitor = Ref::fresh();
    with_current(|p| p.local().extra().monitors.insert(monitor, pid));
    with_shared(|s| s.send_signal(pid, Signal::control(Control::Monitor { from: me, monitor })));
    monitor
}

/// Removes a monitor. Erlang `demonitor/1`, Elixir `Process.demonitor/1`.
/// Returns whether the monitor was active. A `Down` for it that is still in
/// flight will never be delivered; one already in the mailbox stays (use
/// [`demonitor_flush`]).
#[track_caller]
pub fn demonitor(monitor: Ref) -> bool {
    reductions::charge(5);
    let target = with_current(|p| {
        p.local()
            .extra
            .as_mut()
            .and_then(|e| e.monitors.remove(&monitor))
    });
    if let Some(target) = target {
        let from = self_pid();
        with_shared(|s| {
            s.send_signal(
                target,
                Signal::control(Control::Demonitor { from, monitor }),
            )
        });
        true
    } else {
        false
    }
}

/// Removes a monitor and any `Down` message for it already in the mailbox.
/// Erlang `demonitor(Ref, [flush])`, Elixir `Process.demonitor(ref, [:flush])`.
/// Returns whether the monitor was active.
#[track_caller]
pub fn demonitor_flush(monitor: Ref) -> bool {
    let active = demonitor(monitor);
    if active {
        // A DOWN enters the mailbox only together with the removal of its
        // monitor, so an active monitor has none there, and one still in the
        // outer queue is dropped by `drain` now that the monitor is gone: no
        // scan of the mailbox (calls stay O(1) with a full mailbox).
        return true;
    }
    with_current(|p| {
        // The monitor had fired: its DOWN may be queued or delivered.
        let mut local = p.local();
        p.take_signals(&mut local);
        local.mailbox.remove_all(|m| {
            m.downcast_ref::<Down>()
                .is_some_and(|d| d.monitor == monitor)
        });
    });
    active
}

/// Whether `pid` is a live local process. Erlang `is_process_alive/1`.
pub fn is_process_alive(pid: Pid) -> bool {
    pid.is_local() && with_shared(|s| s.table.with(pid, |p| p.is_some()))
}
