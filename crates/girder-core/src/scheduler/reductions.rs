//! Reductions: the currency of fairness.
//!
//! Each poll of a process starts with a budget of [`SLICE`] reductions (BEAM's
//! 4,000, configurable per runtime). Runtime operations charge it: a send
//! costs one, a received message one plus one per message scanned, a spawn,
//! link or monitor a few. When the budget is spent, the process's next await
//! point in a runtime future (receive, sleep, [`crate::yield_now`],
//! [`crate::consume_reductions`]) re-queues it at the back of its run queue
//! instead of continuing, so a busy process cannot starve the others on its
//! scheduler.

use std::cell::Cell;

/// BEAM's reductions per time slice.
pub const SLICE: u32 = 4000;

thread_local! {
    static BUDGET: Cell<u32> = const { Cell::new(u32::MAX) };
}

/// Starts a time slice of `n` reductions; returns the budget of the slice it
/// replaces (polls do not nest, but `block_on`-style callers may).
pub(crate) fn start_slice(n: u32) -> u32 {
    BUDGET.with(|b| b.replace(n))
}

/// Ends the slice, restoring the previous budget; returns the budget left.
pub(crate) fn end_slice(previous: u32) -> u32 {
    BUDGET.with(|b| b.replace(previous))
}

/// The budget left in the current slice.
#[inline]
pub(crate) fn budget() -> u32 {
    BUDGET.with(Cell::get)
}

/// Charges `n` reductions to the running process.
#[inline]
pub(crate) fn charge(n: u32) {
    BUDGET.with(|b| b.set(b.get().saturating_sub(n)));
}

/// Whether the running process has spent its slice.
#[inline]
pub(crate) fn exhausted() -> bool {
    BUDGET.with(|b| b.get() == 0)
}

/// Charges `n` reductions to the calling process, so that CPU-heavy code
/// takes part in fair scheduling: the process yields at its next await point
/// in a runtime future once its slice is spent. Erlang
/// `erlang:bump_reductions/1`.
pub fn bump_reductions(n: u32) {
    charge(n);
}

/// Yields the scheduler: the process goes to the back of its run queue and
/// resumes when its turn comes again. Erlang `erlang:yield/0`.
///
/// ```
/// girder_core::run(async { girder_core::yield_now().await }).unwrap();
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// Charges `n` reductions and yields if the slice is spent: the one call a
/// CPU-bound loop needs to stay fair.
///
/// ```
/// girder_core::run(async {
///     let mut x = 0u64;
///     for i in 0..100_000u64 {
///         x = x.wrapping_add(i * i);
///         girder_core::consume_reductions(1).await;
///     }
///     x
/// }).unwrap();
/// ```
pub fn consume_reductions(n: u32) -> MaybeYield {
    charge(n);
    MaybeYield {
        yield_now: YieldNow {
            yielded: !exhausted(),
        },
    }
}

/// The future of [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

impl std::future::Future for YieldNow {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.yielded {
            return std::task::Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    }
}

/// The future of [`consume_reductions`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct MaybeYield {
    yield_now: YieldNow,
}

impl std::future::Future for MaybeYield {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        std::pin::Pin::new(&mut self.yield_now).poll(cx)
    }
}
