//! One scheduler thread: its run queue, LIFO slot, and find-work loop.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use crossbeam_deque::{Steal, Worker};
use crossbeam_utils::Backoff;

use super::{GLOBAL_POLL_INTERVAL, MAX_LIFO_POLLS, Runnable, reductions};
use crate::runtime::{RuntimeId, Shared};

/// The scheduler running on this thread.
pub(crate) struct WorkerCtx {
    shared: Arc<Shared>,
    index: usize,
    local: Worker<Runnable>,
    lifo: Cell<Option<Runnable>>,
}

thread_local! {
    /// The scheduler running on this thread, null elsewhere. Set by `run`
    /// for the life of its `WorkerCtx` (a `WorkerSlot` clears it, also when
    /// unwinding). A `Cell` of a pointer: one load on every wake-up.
    static WORKER: Cell<*const WorkerCtx> = const { Cell::new(std::ptr::null()) };
}

#[inline]
fn with_worker<R>(f: impl FnOnce(Option<&WorkerCtx>) -> R) -> R {
    let worker = WORKER.with(Cell::get);
    // SAFETY: `WORKER` is null or points at the `WorkerCtx` owned by the
    // `run` call below on this thread, which clears it (through
    // `WorkerSlot`'s drop, also when unwinding) before that context is
    // dropped; `f` runs on this thread within that time, and the reference
    // cannot escape it. The context is only ever shared (`&`).
    f(unsafe { worker.as_ref() })
}

/// The runtime of the scheduler running on this thread, `None` on any
/// other thread.
#[inline]
pub(crate) fn with_scheduler_runtime<R>(f: impl FnOnce(Option<&Arc<Shared>>) -> R) -> R {
    with_worker(|w| f(w.map(|w| &w.shared)))
}

/// Points `WORKER` at a context for as long as it lives.
struct WorkerSlot;

impl WorkerSlot {
    fn enter(ctx: &WorkerCtx) -> WorkerSlot {
        WORKER.with(|w| w.set(ctx));
        WorkerSlot
    }
}

impl Drop for WorkerSlot {
    fn drop(&mut self) {
        WORKER.with(|w| w.set(std::ptr::null()));
    }
}

/// Where a runnable process goes on its scheduler.
#[derive(Clone, Copy)]
enum Place {
    /// The LIFO slot; the process it held goes to the run queue.
    Lifo,
    /// The LIFO slot if it is free, else the back of the run queue.
    LifoIfFree,
    /// The back of the run queue.
    Back,
}

/// Queues `runnable` on this thread's scheduler at `place` if this thread
/// is one of runtime `runtime`'s schedulers; otherwise hands it back. Work
/// that lands in a stealable queue wakes a sleeping scheduler.
#[inline]
fn enqueue_here(runtime: RuntimeId, runnable: Runnable, place: Place) -> Option<Runnable> {
    with_worker(|w| match w {
        Some(w) if w.shared.id == runtime => {
            let to_queue = match place {
                Place::Back => Some(runnable),
                Place::Lifo => w.lifo.replace(Some(runnable)),
                Place::LifoIfFree => match w.lifo.take() {
                    None => {
                        w.lifo.set(Some(runnable));
                        None
                    }
                    held => {
                        w.lifo.set(held);
                        Some(runnable)
                    }
                },
            };
            if let Some(r) = to_queue {
                w.local.push(r);
                w.shared.idle.notify_one();
            }
            None
        }
        _ => Some(runnable),
    })
}

/// The schedule hook of every process task: a wake-up from this runtime's
/// own scheduler goes to the LIFO slot (or, for a yield, the back of the local
/// queue); any other goes through the injector.
pub(crate) fn schedule(runtime: RuntimeId, runnable: Runnable, yielded: bool) {
    let place = if yielded { Place::Back } else { Place::Lifo };
    if let Some(runnable) = enqueue_here(runtime, runnable, place) {
        Shared::inject_by_id(runtime, runnable);
    }
}

/// Queues a newly spawned process. On one of this runtime's schedulers it
/// takes the LIFO slot if that is free, as tokio does: a spawner that then
/// waits for its child (`spawn_monitor` and the `DOWN`, an awaited task)
/// runs it at once on the same core, while its PCB and future are in the
/// cache. Otherwise it goes to the back of the run queue (Erlang runs the
/// spawner on), where idle schedulers may steal it; a spawner of many does
/// not push each earlier child out of the slot. From outside, the injector.
pub(crate) fn push_new(shared: &Shared, runnable: Runnable) {
    if let Some(runnable) = enqueue_here(shared.id, runnable, Place::LifoIfFree) {
        shared.inject(runnable);
    }
}

/// Runs scheduler `index` until the runtime shuts down.
pub(crate) fn run(shared: Arc<Shared>, index: usize, local: Worker<Runnable>) {
    let ctx = WorkerCtx {
        shared,
        index,
        local,
        lifo: Cell::new(None),
    };
    {
        let _slot = WorkerSlot::enter(&ctx);
        ctx.main_loop();
    }
    // Processes still queued here are dropped with their futures.
    drop(ctx.lifo.take());
    while ctx.local.pop().is_some() {}
}

impl WorkerCtx {
    fn main_loop(&self) {
        let shared = &self.shared;
        let mut tick: u32 = 0;
        let mut lifo_polls: u32 = 0;
        loop {
            if let Some(task) = self.next_task(&mut tick, &mut lifo_polls) {
                self.run_task(task);
                continue;
            }
            // Spin briefly: work often arrives within microseconds.
            let backoff = Backoff::new();
            let mut found = None;
            while !backoff.is_completed() {
                backoff.snooze();
                found = self.steal_any();
                if found.is_some() {
                    break;
                }
            }
            if let Some(task) = found {
                self.run_task(task);
                continue;
            }
            if shared.shutdown.load(Ordering::Acquire) {
                return;
            }
            shared.idle.announce(self.index);
            if let Some(task) = self.steal_any() {
                shared.idle.withdraw(self.index);
                self.run_task(task);
                continue;
            }
            if shared.shutdown.load(Ordering::Acquire) {
                shared.idle.withdraw(self.index);
                return;
            }
            shared.idle.park(self.index);
            shared.idle.withdraw(self.index);
        }
    }

    fn run_task(&self, task: Runnable) {
        let stats = &self.shared.stats[self.index];
        stats.begin(task.pid_number());
        let previous = reductions::start_slice(self.shared.config.reductions);
        task.run();
        reductions::end_slice(previous);
        stats.end();
    }

    fn next_task(&self, tick: &mut u32, lifo_polls: &mut u32) -> Option<Runnable> {
        *tick = tick.wrapping_add(1);
        if *tick % GLOBAL_POLL_INTERVAL == 0 {
            if let Some(t) = self.steal_injector() {
                return Some(t);
            }
        }
        if let Some(t) = self.lifo.take() {
            if *lifo_polls < MAX_LIFO_POLLS {
                *lifo_polls += 1;
                return Some(t);
            }
            // Give the queue a turn; the LIFO process goes to the back.
            self.local.push(t);
        }
        *lifo_polls = 0;
        self.local.pop().or_else(|| self.steal_any())
    }

    fn steal_injector(&self) -> Option<Runnable> {
        loop {
            match self.shared.injector.steal_batch_and_pop(&self.local) {
                Steal::Success(t) => return Some(t),
                Steal::Empty => return None,
                Steal::Retry => continue,
            }
        }
    }

    /// Local queue, then the injector, then the other schedulers.
    fn steal_any(&self) -> Option<Runnable> {
        if let Some(t) = self.lifo.take() {
            return Some(t);
        }
        if let Some(t) = self.local.pop() {
            return Some(t);
        }
        if let Some(t) = self.steal_injector() {
            return Some(t);
        }
        let stealers = &self.shared.stealers;
        let n = stealers.len();
        for k in 1..n {
            let victim = &stealers[(self.index + k) % n];
            loop {
                match victim.steal_batch_and_pop(&self.local) {
                    Steal::Success(t) => return Some(t),
                    Steal::Empty => break,
                    Steal::Retry => continue,
                }
            }
        }
        None
    }
}
