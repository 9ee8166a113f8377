//! Memory per process waiting in receive. Args: `[n]`.
//!
//! * `rss`: growth of the OS process's resident set while `n` processes
//!   are spawned and reach their receive, divided by `n`. Meaningful only
//!   in a fresh OS process (`girder bench` runs every run of every case in
//!   one): memory an earlier run freed would be reused and not counted.
//! * `process_info` (Girder): `process_info(pid).memory` of one of them.
//!
//! The handles the spawner keeps to stop them later (pids, senders) live in
//! a vector allocated and written before the first reading.

use std::sync::atomic::{AtomicU64, Ordering};

use girder::{Handle, Pid, consume_reductions, process_info, receive, send, spawn, yield_now};

use crate::metric::Sample;
use crate::rt::{on_girder, on_tokio};
use crate::workload::arg;
use crate::{BenchError, Result};

/// Processes that reached their receive. A static, so that the measured
/// processes capture nothing of the harness.
static GIRDER_READY: AtomicU64 = AtomicU64::new(0);
static TOKIO_READY: AtomicU64 = AtomicU64::new(0);

/// What the idle processes wait for.
#[derive(Debug)]
struct Stop;

fn rss() -> Result<u64> {
    crate::mem::rss_bytes().ok_or_else(|| BenchError::new("no /proc/self/statm to read RSS from"))
}

fn per_process(before: u64, after: u64, n: u64) -> f64 {
    after.saturating_sub(before) as f64 / n as f64
}

pub(crate) fn girder(schedulers: usize, args: &[u64]) -> Result<Vec<Sample>> {
    let n = arg(args, 0, "processes")?;
    on_girder(schedulers, async move {
        GIRDER_READY.store(0, Ordering::Relaxed);
        let handle = Handle::current();
        let baseline = handle.process_count();
        let mut pids = vec![Pid::from_parts(0, 0, 0); n as usize];
        let before = rss()?;
        for slot in &mut pids {
            *slot = spawn(async {
                GIRDER_READY.fetch_add(1, Ordering::Relaxed);
                receive::<Stop>().await;
            });
            consume_reductions(0).await;
        }
        while GIRDER_READY.load(Ordering::Relaxed) < n {
            yield_now().await;
        }
        let after = rss()?;
        let sample = pids[pids.len() / 2];
        let info = process_info(sample)
            .ok_or_else(|| BenchError::new(format!("process_info({sample}) found nothing")))?;
        for &pid in &pids {
            send(pid, Stop);
            consume_reductions(0).await;
        }
        while handle.process_count() > baseline {
            yield_now().await;
        }
        Ok(vec![
            Sample::new("rss", per_process(before, after, n)),
            Sample::new("process_info", info.memory as f64),
        ])
    })
}

pub(crate) fn tokio(schedulers: usize, args: &[u64]) -> Result<Vec<Sample>> {
    use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
    let n = arg(args, 0, "processes")?;
    on_tokio(schedulers, async move {
        TOKIO_READY.store(0, Ordering::Relaxed);
        let metrics = tokio::runtime::Handle::current().metrics();
        let baseline = metrics.num_alive_tasks();
        let mut senders: Vec<Option<UnboundedSender<Stop>>> = vec![None; n as usize];
        let before = rss()?;
        for slot in &mut senders {
            let (tx, mut rx) = unbounded_channel::<Stop>();
            tokio::spawn(async move {
                TOKIO_READY.fetch_add(1, Ordering::Relaxed);
                rx.recv().await;
            });
            *slot = Some(tx);
        }
        while TOKIO_READY.load(Ordering::Relaxed) < n {
            tokio::task::yield_now().await;
        }
        let after = rss()?;
        for tx in senders.iter().flatten() {
            let _ = tx.send(Stop);
        }
        while metrics.num_alive_tasks() > baseline {
            tokio::task::yield_now().await;
        }
        drop(senders);
        Ok(vec![Sample::new("rss", per_process(before, after, n))])
    })
}
