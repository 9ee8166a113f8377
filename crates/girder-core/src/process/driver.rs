//! The driver: what the scheduler polls for a process. It lives in the
//! process's task beside the PCB ([`super::task`]), wraps the user's future
//! and, at every poll, in this order:
//!
//! 1. makes the process current on this thread (for `self_pid`, `receive`,
//!    reductions) and starts a time slice;
//! 2. if a control signal is queued, acts on the queued signals — a kill or
//!    an untrapped exit signal ends the process here, *before* its future
//!    runs again (messages alone wait for the process's next receive);
//! 3. polls the user's future inside `catch_unwind`: a panic ends the process
//!    with `Panic(message)` and the scheduler thread lives on;
//! 4. on exit, drops the user's future first (its destructors run while the
//!    process is still current), then closes the signal queue and fires links
//!    and monitors (`Shared::exit_process`).
//!
//! The user's future is dropped exactly once, in place (`Pin::set`), with no
//! extra allocation.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::CurrentGuard;
use super::pcb::{EXITING, Pcb, RUNNING, WAITING};
use crate::reason::panic_message;
use crate::runtime::with_shared;
use crate::scheduler::reductions;
use crate::{ExitReason, IntoExitReason};

pin_project! {
    #[project = StateProj]
    enum State<F> {
        Running { #[pin] fut: F },
        Done,
    }
}

pin_project! {
    /// Lives in the process's task, beside its PCB ([`super::task`]).
    pub(crate) struct Driver<F> {
        waker_stored: bool,
        #[pin]
        state: State<F>,
    }
}

impl<F> Driver<F>
where
    F: Future,
    F::Output: IntoExitReason,
{
    pub(crate) fn new(fut: F) -> Driver<F> {
        Driver {
            waker_stored: false,
            state: State::Running { fut },
        }
    }

    /// Polls the process once; returns whether it exited.
    pub(crate) fn poll(self: Pin<&mut Self>, pcb: &Pcb, cx: &mut Context<'_>) -> bool {
        let this = self.project();
        // The PCB is the thread's current process for the poll.
        let _current = CurrentGuard::enter(pcb);
        poll_process(pcb, this.state, this.waker_stored, cx).is_ready()
    }

    /// Drops the user's future in place (a task dropped without exiting:
    /// its runtime is gone).
    pub(crate) fn drop_future(self: Pin<&mut Self>) {
        self.project().state.set(State::Done);
    }
}

fn poll_process<F>(
    pcb: &Pcb,
    mut state: Pin<&mut State<F>>,
    waker_stored: &mut bool,
    cx: &mut Context<'_>,
) -> Poll<()>
where
    F: Future,
    F::Output: IntoExitReason,
{
    // The scheduler started this time slice; what the poll spends is the
    // process's.
    let budget_at_start = reductions::budget();
    pcb.status.store(RUNNING, Ordering::Relaxed);

    let exit = match pcb.drain_control() {
        Some(reason) => Some(reason),
        None => match state.as_mut().project() {
            StateProj::Running { fut } => match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
                Ok(Poll::Ready(out)) => Some(out.into_exit_reason()),
                Ok(Poll::Pending) => {
                    if pcb.is_dying() {
                        pcb.drain()
                    } else {
                        None
                    }
                }
                Err(payload) => Some(ExitReason::Panic(panic_message(&*payload))),
            },
            StateProj::Done => Some(ExitReason::Normal),
        },
    };
    super::flush_drops();

    // Only the owner adds to its counter: a plain load and store.
    let spent = budget_at_start.saturating_sub(reductions::budget());
    let total = pcb.reductions.load(Ordering::Relaxed) + u64::from(spent);
    pcb.reductions.store(total, Ordering::Relaxed);

    match exit {
        None => {
            // The outer queue learns the waker only when the process first
            // waits: a process that ends in its first poll (most short-lived
            // ones) never pays for storing and dropping it.
            if !*waker_stored {
                *waker_stored = true;
                if pcb.signals.set_waker(cx.waker().clone()) {
                    cx.waker().wake_by_ref();
                }
            }
            pcb.status.store(WAITING, Ordering::Relaxed);
            Poll::Pending
        }
        Some(reason) => {
            pcb.status.store(EXITING, Ordering::Relaxed);
            // Destructors run while the process is still current, before
            // anyone learns of the exit.
            let dropped = catch_unwind(AssertUnwindSafe(|| {
                state.set(State::Done);
            }));
            let reason = match dropped {
                Ok(()) => reason,
                Err(payload) => ExitReason::Panic(panic_message(&*payload)),
            };
            with_shared(|s| s.exit_process(pcb, reason));
            Poll::Ready(())
        }
    }
}
