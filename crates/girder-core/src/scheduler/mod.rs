//! Schedulers: one OS thread per core running processes.
//!
//! Each scheduler owns a local run queue (a crossbeam work-stealing deque)
//! and a one-process *LIFO slot*. A process woken by a process running on the
//! same scheduler (the receiver of a message, typically) goes into the LIFO
//! slot and runs next, which keeps ping-pong and request/response hot in the
//! cache; a process that used up its reductions, or yielded, goes to the back
//! of the queue. At most [`MAX_LIFO_POLLS`] LIFO polls run in a row before the
//! queue gets a turn, so two chatty processes cannot starve the others.
//!
//! Wake-ups from other threads (timers, the I/O reactor, the blocking pool,
//! code outside the runtime) go to the global injector, which every scheduler
//! checks first on one tick in [`GLOBAL_POLL_INTERVAL`].
//!
//! A scheduler that finds no work locally takes a batch from the injector,
//! then steals half of another scheduler's queue, then spins briefly, then
//! parks ([`park`]). Making work available wakes at most one parked
//! scheduler.
//!
//! Scheduler threads enter the runtime's tokio handle, so processes can await
//! tokio sockets and timers; the reactor itself runs on its own I/O thread.

pub(crate) mod park;
pub(crate) mod reductions;
pub(crate) mod worker;

/// A scheduled process: the right to poll its task once.
pub(crate) use crate::process::task::Runnable;

/// Polls in a row taken from the LIFO slot before the run queue gets a turn.
pub(crate) const MAX_LIFO_POLLS: u32 = 3;
/// One tick in this many checks the global injector first.
pub(crate) const GLOBAL_POLL_INTERVAL: u32 = 61;
