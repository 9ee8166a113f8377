//! Spawn + exit of an empty process. Args: `[n]`.
//!
//! * `sequential`: spawn one, wait for its exit, `n` times; ns per process.
//! * `batch`: spawn `n`, then wait until the runtime counts none of them
//!   left; ns per process.

use std::time::Instant;

use girder::{Down, Handle, consume_reductions, receive_match, spawn, spawn_monitor, yield_now};

use crate::Result;
use crate::metric::Sample;
use crate::rt::{ns_per, on_girder, on_tokio};
use crate::workload::arg;

pub(crate) fn girder(schedulers: usize, args: &[u64]) -> Result<Vec<Sample>> {
    let n = arg(args, 0, "processes")?;
    on_girder(schedulers, async move {
        let start = Instant::now();
        for _ in 0..n {
            let (_, monitor) = spawn_monitor(async {});
            receive_match(move |d: &Down| d.monitor == monitor).await;
        }
        let sequential = ns_per(start, n);

        let handle = Handle::current();
        let baseline = handle.process_count();
        let start = Instant::now();
        for _ in 0..n {
            spawn(async {});
            consume_reductions(0).await;
        }
        while handle.process_count() > baseline {
            yield_now().await;
        }
        let batch = ns_per(start, n);
        Ok(vec![
            Sample::new("sequential", sequential),
            Sample::new("batch", batch),
        ])
    })
}

pub(crate) fn tokio(schedulers: usize, args: &[u64]) -> Result<Vec<Sample>> {
    let n = arg(args, 0, "processes")?;
    on_tokio(schedulers, async move {
        let start = Instant::now();
        for _ in 0..n {
            tokio::spawn(async {})
                .await
                .map_err(|e| crate::BenchError::new(format!("task failed: {e}")))?;
        }
        let sequential = ns_per(start, n);

        let metrics = tokio::runtime::Handle::current().metrics();
        let baseline = metrics.num_alive_tasks();
        let start = Instant::now();
        for _ in 0..n {
            // Detached: the JoinHandle is dropped, as for a fire-and-forget task.
            drop(tokio::spawn(async {}));
        }
        while metrics.num_alive_tasks() > baseline {
            tokio::task::yield_now().await;
        }
        let batch = ns_per(start, n);
        Ok(vec![
            Sample::new("sequential", sequential),
            Sample::new("batch", batch),
        ])
    })
}
