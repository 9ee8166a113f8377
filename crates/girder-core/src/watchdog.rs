//! The watchdog: keeps the runtime's coarse clock, and reports polls that
//! run too long (BEAM's `long_schedule`
//! system monitor event).
//!
//! Each scheduler publishes a poll counter and the pid it is running (two
//! relaxed stores per poll). The watchdog thread samples them every half
//! threshold; a scheduler seen running the same poll across a whole
//! threshold is reported once for that poll, through `tracing` (target
//! `girder::long_schedule`) and as a [`LongSchedule`] message to the process
//! set with [`system_monitor`], if any.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::Pid;
use crate::runtime::{Shared, with_shared};

/// One scheduler's counters, written at every poll. Each sits on cache
/// lines of its own (128 bytes: a pair of lines, as the adjacent-line
/// prefetcher moves them): two schedulers' counters on one line would send
/// it back and forth between their cores at every poll.
#[derive(Default)]
#[repr(align(128))]
pub(crate) struct WorkerStats {
    polls: AtomicU64,
    /// Process number + 1 of the process being polled; 0 when idle.
    running: AtomicU64,
}

impl WorkerStats {
    pub(crate) fn begin(&self, pid_number: u64) {
        // Only this scheduler writes its counter.
        let n = self.polls.load(Ordering::Relaxed);
        self.polls.store(n.wrapping_add(1), Ordering::Relaxed);
        self.running.store(pid_number + 1, Ordering::Relaxed);
    }

    pub(crate) fn end(&self) {
        self.running.store(0, Ordering::Relaxed);
    }
}

/// A poll that ran longer than the runtime's `long_schedule` threshold.
/// Erlang's `{monitor, Pid, long_schedule, Info}` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongSchedule {
    /// The process that did not yield.
    pub pid: Pid,
    /// The scheduler it ran on (1-based, as Erlang numbers them).
    pub scheduler: usize,
    /// How long it had run when seen (at least the threshold).
    pub at_least: Duration,
}

/// Sets the process that receives [`LongSchedule`] messages (`None` stops
/// them); returns the previous one. Erlang `erlang:system_monitor/2` with
/// `long_schedule`.
pub fn system_monitor(pid: Option<Pid>) -> Option<Pid> {
    with_shared(|s| std::mem::replace(&mut *s.system_monitor.lock(), pid))
}

/// The watchdog thread: keeps the coarse clock and, if a threshold is set,
/// watches for long polls.
pub(crate) fn run(shared: &Arc<Shared>, threshold: Option<Duration>) {
    let tick = threshold.map_or(Duration::from_millis(10), |t| {
        (t / 2).clamp(Duration::from_millis(1), Duration::from_millis(10))
    });
    let threshold = threshold.unwrap_or(Duration::MAX);
    let n = shared.stats.len();
    // Per scheduler: the poll last seen, for how long, and whether reported.
    let mut seen = vec![(0u64, Duration::ZERO, false); n];
    while !shared.shutdown.load(Ordering::Acquire) {
        std::thread::sleep(tick);
        shared
            .coarse_ms
            .store(shared.start.elapsed().as_millis() as u64, Ordering::Relaxed);
        if threshold == Duration::MAX {
            continue;
        }
        for (i, stats) in shared.stats.iter().enumerate() {
            let polls = stats.polls.load(Ordering::Relaxed);
            let running = stats.running.load(Ordering::Relaxed);
            let entry = &mut seen[i];
            if running == 0 || polls != entry.0 {
                *entry = (polls, Duration::ZERO, false);
                continue;
            }
            entry.1 += tick;
            if entry.1 >= threshold && !entry.2 {
                entry.2 = true;
                let pid = Pid::local(running - 1);
                tracing::warn!(
                    target: "girder::long_schedule",
                    pid = %pid,
                    scheduler = i + 1,
                    at_least_ms = entry.1.as_millis() as u64,
                    "long_schedule: a process has not yielded"
                );
                let monitor = *shared.system_monitor.lock();
                if let Some(to) = monitor {
                    shared.send_message(
                        to,
                        Box::new(LongSchedule {
                            pid,
                            scheduler: i + 1,
                            at_least: entry.1,
                        }),
                    );
                }
            }
        }
    }
}
