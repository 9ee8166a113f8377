//! `girder demo spawn`: what a process costs, in time and in memory.
//!
//! Three rounds, each waited for with a message (see [`Countdown`]):
//!
//! 1. spawn N processes that each run to a `receive` and wait there; measure
//!    the time per process and the growth of the OS process's resident set
//!    (RSS, from `/proc/self/statm`), and ask the runtime what one idle
//!    process holds (`process_info(pid).memory`);
//! 2. send each of them the message it waits for, so it returns and exits;
//!    measure the time per exit;
//! 3. spawn N processes that return at once; measure spawn + exit.
//!
//! The spawning loop awaits [`consume_reductions`] after each spawn, so the
//! root yields whenever its slice is spent, as a BEAM process spawning in a
//! loop is preempted: the times include running the new processes.

use std::io::BufRead;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use girder::{Handle, Pid, Status, consume_reductions, process_info, receive, self_pid, send};

use super::report::{bytes, duration, per_op, row, section, thousands};
use super::{Result, check, in_runtime, recv};

/// Processes per round unless `--processes` says otherwise.
const DEFAULT_PROCESSES: u32 = 1_000_000;

/// Spawn 1,000,000 processes that wait in receive: time per spawn, bytes
/// per process, time per exit.
///
/// Spawns N processes (1,000,000 by default) that each wait in `receive`,
/// and prints the time per spawn and the memory per process twice: as the
/// growth of the OS process's resident set (RSS, /proc/self/statm) divided
/// by N, and as the runtime's own accounting for one idle process
/// (`process_info(pid).memory`). Then sends each the message it waits for
/// and prints the time per exit, and finally spawns N processes that return
/// at once and prints the time per spawn + exit.
#[derive(Debug, clap::Args)]
pub(crate) struct SpawnArgs {
    /// Processes per round.
    #[arg(long, short = 'n', default_value_t = DEFAULT_PROCESSES,
          value_parser = clap::value_parser!(u32).range(1..))]
    processes: u32,
}

impl Default for SpawnArgs {
    fn default() -> SpawnArgs {
        SpawnArgs {
            processes: DEFAULT_PROCESSES,
        }
    }
}

/// The message the waiting processes wait for.
#[derive(Debug)]
struct Stop;

/// Sent by the process that brings the [`Countdown`] to zero.
#[derive(Debug)]
struct AllDone;

/// A barrier for the root process: whoever counts it down to zero sends
/// [`AllDone`] to the process that armed it. It is a static so that the
/// processes being measured capture nothing: their size is the runtime's
/// alone, not the demo's.
struct Countdown {
    left: AtomicUsize,
    notify: Mutex<Option<Pid>>,
}

static COUNTDOWN: Countdown = Countdown {
    left: AtomicUsize::new(0),
    notify: Mutex::new(None),
};

impl Countdown {
    /// Expects `n` ticks; the last one notifies the caller.
    fn arm(&self, n: usize) {
        *self.notify.lock().unwrap_or_else(PoisonError::into_inner) = Some(self_pid());
        self.left.store(n, Ordering::Release);
    }

    fn tick(&self) {
        if self.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            let to = *self.notify.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(to) = to {
                send(to, AllDone);
            }
        }
    }
}

/// Runs the spawn part.
pub(crate) fn run(args: &SpawnArgs) -> Result<()> {
    let n = args.processes as usize;
    in_runtime(async move { measure(n).await })
}

async fn measure(n: usize) -> Result<()> {
    section(&format!(
        "spawn: {} processes that wait in receive",
        thousands(n as u64)
    ));
    let page = page_size();
    // The root keeps every pid to stop the processes later. The list is
    // allocated and written before the first RSS reading, so that its pages
    // do not count against the processes.
    let mut pids = vec![Pid::from_parts(0, 0, 0); n];
    let rss_before = page.and_then(rss_bytes);

    COUNTDOWN.arm(n);
    let start = Instant::now();
    for slot in &mut pids {
        *slot = girder::spawn(async {
            COUNTDOWN.tick();
            receive::<Stop>().await;
            COUNTDOWN.tick();
        });
        consume_reductions(0).await;
    }
    super::recv::<AllDone>("every process to wait in receive").await?;
    let spawned = start.elapsed();
    let rss_after = page.and_then(rss_bytes);
    let alive = Handle::current().process_count();
    let sample = pids[n / 2];
    let info = process_info(sample);

    row(
        "spawn, run to receive, wait",
        per_op(spawned, n as u64),
        format!("per process   ({} in all)", duration(spawned)),
    );
    row("processes alive", thousands(alive as u64), "");
    match (rss_before, rss_after) {
        (Some(before), Some(after)) => {
            let grown = after.saturating_sub(before);
            row("resident memory (RSS) grew by", bytes(grown), "");
            row(
                "  that is, per process",
                bytes(grown / n as u64),
                "(RSS from /proc/self/statm)",
            );
        }
        _ => row("resident memory (RSS)", "n/a", "(no /proc/self/statm)"),
    }
    let info = info
        .ok_or_else(|| super::DemoError::new(format!("process_info({sample}) found no process")))?;
    check(info.status == Status::Waiting, || {
        format!(
            "{sample} should wait in receive, its status is {:?}",
            info.status
        )
    })?;
    row(
        &format!("process_info({sample}).memory"),
        bytes(info.memory as u64),
        format!(
            "(the runtime's count; status {:?}, {} messages)",
            info.status, info.message_queue_len
        ),
    );

    COUNTDOWN.arm(n);
    let start = Instant::now();
    for &pid in &pids {
        send(pid, Stop);
        consume_reductions(0).await;
    }
    recv::<AllDone>("every process to exit").await?;
    let stopped = start.elapsed();
    row(
        "send each its message, it exits",
        per_op(stopped, n as u64),
        format!("per process   ({} in all)", duration(stopped)),
    );
    drop(pids);

    COUNTDOWN.arm(n);
    let start = Instant::now();
    for _ in 0..n {
        girder::spawn(async { COUNTDOWN.tick() });
        consume_reductions(0).await;
    }
    recv::<AllDone>("every empty process to exit").await?;
    let churn = start.elapsed();
    row(
        "spawn + exit of an empty process",
        per_op(churn, n as u64),
        format!("per process   ({} in all)", duration(churn)),
    );
    Ok(())
}

/// The resident set size of this OS process, from `/proc/self/statm`.
fn rss_bytes(page: u64) -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let resident: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(resident * page)
}

/// The kernel's page size, from the first mapping in `/proc/self/smaps`
/// (statm counts pages).
fn page_size() -> Option<u64> {
    let smaps = std::fs::File::open("/proc/self/smaps").ok()?;
    for line in std::io::BufReader::new(smaps).lines() {
        let line = line.ok()?;
        if let Some(rest) = line.strip_prefix("KernelPageSize:") {
            let kib: u64 = rest.trim().strip_suffix("kB")?.trim().parse().ok()?;
            return Some(kib * 1024);
        }
    }
    None
}
