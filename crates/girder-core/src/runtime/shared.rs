//! The state every thread of one runtime shares, and the operations that
//! touch more than one process: spawning, delivering signals, and exiting.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Instant;

use crossbeam_deque::{Injector, Stealer};
use parking_lot::{Condvar, Mutex, RwLock};

use super::Config;
use crate::dist::Distribution;
use crate::process::pcb::{Extra, Pcb};
use crate::process::table::ProcessTable;
use crate::process::task;
use crate::registry::Registry;
use crate::scheduler::park::Idle;
use crate::scheduler::{Runnable, worker};
use crate::signal::{Control, Envelope, Signal};
use crate::timer::Timers;
use crate::watchdog::WorkerStats;
use crate::{ExitReason, IntoExitReason, Pid, Ref};

/// The pid that signals sent from outside any process come from (Erlang's
/// `init` is `<0.0.0>` too).
pub(crate) const RUNTIME_PID: Pid = Pid::local(0);

#[derive(Default)]
pub(crate) struct SpawnOpts {
    /// Link the child to this (parent) process.
    pub(crate) link: Option<Pid>,
    /// The parent monitors the child under this reference.
    pub(crate) monitor: Option<(Ref, Pid)>,
    /// Called with the exit reason once the process has exited (before its
    /// links and monitors fire). Used by `block_on`.
    pub(crate) on_exit: Option<OnExit>,
}

pub(crate) type OnExit = Box<dyn FnOnce(&ExitReason) + Send>;

/// Identifies a runtime for the lifetime of the program (ids are never
/// reused). A process's schedule hook holds its runtime's id, not an
/// `Arc<Shared>`: no reference-count traffic on a line every core shares at
/// each spawn and exit, and no cycle through the tasks of waiting processes.
pub(crate) type RuntimeId = u64;

static NEXT_RUNTIME_ID: AtomicU64 = AtomicU64::new(1);

/// Every runtime that has not yet been dropped, for the rare wake-up from a
/// thread that is none of its own (a tokio I/O thread, a foreign thread
/// holding a waker).
static RUNTIMES: RwLock<Vec<(RuntimeId, Weak<Shared>)>> = RwLock::new(Vec::new());

pub(crate) struct Shared {
    /// This runtime's id, held by the schedule hook of its processes.
    pub(crate) id: RuntimeId,
    pub(crate) config: Config,
    pub(crate) table: ProcessTable,
    pub(crate) registry: Registry,
    pub(crate) injector: Injector<Runnable>,
    pub(crate) stealers: Box<[Stealer<Runnable>]>,
    pub(crate) idle: Idle,
    pub(crate) stats: Box<[WorkerStats]>,
    pub(crate) timers: Timers,
    pub(crate) io: tokio::runtime::Handle,
    pub(crate) start: Instant,
    pub(crate) shutdown: AtomicBool,
    pub(crate) coarse_ms: AtomicU64,
    /// Signalled when a process exits while the runtime shuts down.
    pub(crate) exited: (Mutex<()>, Condvar),
    pub(crate) system_monitor: Mutex<Option<Pid>>,
    pub(crate) dist: RwLock<Option<Arc<dyn Distribution>>>,
}

impl Shared {
    pub(crate) fn new(
        config: Config,
        stealers: Box<[Stealer<Runnable>]>,
        io: tokio::runtime::Handle,
    ) -> Shared {
        let workers = stealers.len();
        Shared {
            id: NEXT_RUNTIME_ID.fetch_add(1, Ordering::Relaxed),
            config,
            table: ProcessTable::new(),
            registry: Registry::default(),
            injector: Injector::new(),
            stealers,
            idle: Idle::new(workers),
            stats: (0..workers).map(|_| WorkerStats::default()).collect(),
            timers: Timers::new(),
            io,
            start: Instant::now(),
            shutdown: AtomicBool::new(false),
            coarse_ms: AtomicU64::new(0),
            exited: (Mutex::new(()), Condvar::new()),
            system_monitor: Mutex::new(None),
            dist: RwLock::new(None),
        }
    }

    /// Makes the runtime findable by id from any thread (see [`RUNTIMES`]);
    /// it leaves the list when dropped.
    pub(crate) fn register(self: &Arc<Self>) {
        RUNTIMES.write().push((self.id, Arc::downgrade(self)));
    }

    /// Queues a runnable process in the injector, from any thread.
    pub(crate) fn inject(&self, runnable: Runnable) {
        self.injector.push(runnable);
        self.idle.notify_one();
    }

    /// Queues a process of runtime `id`, woken on a thread that is not one
    /// of that runtime's schedulers. A process whose runtime is gone is
    /// dropped (its runtime dropped every other process already).
    pub(crate) fn inject_by_id(id: RuntimeId, runnable: Runnable) {
        let runnable = crate::runtime::try_with_shared(|s| match s {
            Some(s) if s.id == id => {
                s.inject(runnable);
                None
            }
            _ => Some(runnable),
        });
        let Some(runnable) = runnable else { return };
        let shared = RUNTIMES
            .read()
            .iter()
            .find(|(rid, _)| *rid == id)
            .and_then(|(_, w)| w.upgrade());
        match shared {
            Some(s) => s.inject(runnable),
            None => drop(runnable),
        }
    }

    /// Milliseconds since start, to within the watchdog's tick (10 ms):
    /// cheap enough for every spawn.
    pub(crate) fn coarse_ms(&self) -> u64 {
        self.coarse_ms.load(Ordering::Relaxed)
    }

    /// Creates a process and queues it to run.
    pub(crate) fn spawn_process<F>(self: &Arc<Self>, future: F, mut opts: SpawnOpts) -> Pid
    where
        F: Future + Send + 'static,
        F::Output: IntoExitReason,
    {
        let spawned_at = (self.coarse_ms() / 10) as u32;
        let task_bytes = task::task_bytes::<F>();
        let runtime = self.id;
        // The child's halves of its link and monitor, and its exit hook, are
        // in its PCB from the start: nobody can signal it before its pid is
        // out, so no lock is taken for them.
        let extra =
            (opts.link.is_some() || opts.monitor.is_some() || opts.on_exit.is_some()).then(|| {
                let mut extra = Box::<Extra>::default();
                extra.on_exit = opts.on_exit.take();
                if let Some(parent) = opts.link {
                    extra.links.insert(parent);
                }
                if let Some((monitor, parent)) = opts.monitor {
                    extra.monitored_by.insert(monitor, parent);
                }
                extra
            });
        let runnable = self.table.insert_new(|pid| {
            let pcb = Pcb::with_extra(pid, spawned_at, task_bytes, extra);
            task::allocate(runtime, pcb, future)
        });
        let pid = runnable.pcb().pid();
        if self.config.trace {
            let parent = crate::process::try_self_pid();
            tracing::trace!(
                target: "girder::trace",
                pid = %pid,
                parent = ?parent,
                link = opts.link.is_some(),
                monitor = opts.monitor.is_some(),
                "spawn"
            );
        }
        // The parent's half of the link or monitor exists before the child
        // can run, so the child's exit can never be missed (atomic spawn).
        if opts.link.is_some() || opts.monitor.is_some() {
            crate::process::with_current(|parent| {
                let mut local = parent.local();
                let extra = local.extra();
                if opts.link.is_some() {
                    extra.links.insert(pid);
                }
                if let Some((monitor, _)) = opts.monitor {
                    extra.monitors.insert(monitor, pid);
                }
            });
        }
        worker::push_new(self, runnable);
        pid
    }

    /// Delivers a signal. Never fails: a signal to a dead or unknown process
    /// is answered as Erlang answers it (a link gets a `noproc` exit signal,
    /// a monitor a `noproc` DOWN) or dropped (messages and the rest).
    pub(crate) fn send_signal(&self, to: Pid, sig: Signal) {
        if !to.is_local() {
            let dist = self.dist.read().clone();
            match dist {
                Some(d) => d.deliver(to, sig.into_remote()),
                None => tracing::debug!(%to, "signal to a remote pid without distribution dropped"),
            }
            return;
        }
        let result = self.table.with(to, |pcb| match pcb {
            Some(pcb) => pcb.push(sig),
            None => Err(sig),
        });
        if let Err(sig) = result {
            self.bounce(to, sig);
        }
    }

    pub(crate) fn send_message(&self, to: Pid, msg: Envelope) {
        self.send_signal(to, Signal::Message(msg));
    }

    /// Answers a signal that reached a process that no longer exists.
    fn bounce(&self, to: Pid, sig: Signal) {
        let Signal::Control(c) = sig else { return };
        match *c {
            Control::Link { from } => self.send_signal(
                from,
                Signal::control(Control::Exit {
                    from: to,
                    reason: ExitReason::Noproc,
                    link: true,
                }),
            ),
            Control::Monitor { from, monitor } => {
                self.send_signal(from, Signal::down(monitor, to, ExitReason::Noproc))
            }
            _ => {}
        }
    }

    /// The last act of a process: close its signal queue, leave the process
    /// table and the registry, then tell its links and monitors.
    pub(crate) fn exit_process(&self, pcb: &Pcb, reason: ExitReason) {
        let pid = pcb.pid();
        let ((extra, mailbox), pending, waker) = pcb.signals.close(|local| {
            pcb.set_exited();
            (local.extra.take(), local.mailbox.clear())
        });
        // Messages and the waker (a reference to our own task) are dropped
        // outside the lock.
        drop((mailbox, waker));
        let mut extra = extra;
        // Signals that arrived before the exit but were not yet handled: a
        // link or monitor made then learns the real exit reason.
        if !pending.is_empty() {
            for sig in pending {
                if let Signal::Control(c) = sig {
                    match *c {
                        Control::Link { from } => {
                            extra.get_or_insert_default().links.insert(from);
                        }
                        Control::Unlink { from } => {
                            if let Some(e) = extra.as_mut() {
                                e.links.remove(&from);
                            }
                        }
                        Control::Monitor { from, monitor } => {
                            extra
                                .get_or_insert_default()
                                .monitored_by
                                .insert(monitor, from);
                        }
                        Control::Demonitor { monitor, .. } => {
                            if let Some(e) = extra.as_mut() {
                                e.monitored_by.remove(&monitor);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        self.table.remove(pid);
        if self.config.trace {
            tracing::trace!(target: "girder::trace", pid = %pid, reason = %reason, "exit");
        }
        if let ExitReason::Panic(msg) = &reason {
            let name = extra.as_ref().and_then(|e| e.name.clone());
            let location = crate::reason::take_panic_location();
            tracing::error!(
                target: "girder::crash_report",
                pid = %pid,
                name = name.as_deref().unwrap_or(""),
                reason = %msg,
                location = location.as_deref().unwrap_or("unknown"),
                "process crashed"
            );
        } else if !reason.is_clean() {
            tracing::debug!(target: "girder::exit", pid = %pid, reason = %reason, "process exited");
        }
        if let Some(mut extra) = extra {
            if let Some(hook) = extra.on_exit.take() {
                hook(&reason);
            }
            if let Some(name) = &extra.name {
                self.registry.remove_if(name, pid);
            }
            for linked in extra.links {
                self.send_signal(
                    linked,
                    Signal::control(Control::Exit {
                        from: pid,
                        reason: reason.clone(),
                        link: true,
                    }),
                );
            }
            for (monitor, watcher) in extra.monitored_by {
                self.send_signal(watcher, Signal::down(monitor, pid, reason.clone()));
            }
            for (monitor, target) in extra.monitors {
                self.send_signal(
                    target,
                    Signal::control(Control::Demonitor { from: pid, monitor }),
                );
            }
        }
        if self.shutdown.load(Ordering::Relaxed) {
            let _g = self.exited.0.lock();
            self.exited.1.notify_all();
        }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        RUNTIMES.write().retain(|(id, _)| *id != self.id);
    }
}
