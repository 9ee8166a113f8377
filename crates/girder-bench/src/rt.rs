//! Starting each Rust system the way its users do, and running a workload's
//! body inside it: as Girder's root process, or as a tokio task (spawned,
//! not the `block_on` future, so it runs on a worker like any task).

use std::future::Future;
use std::time::Instant;

use crate::{BenchError, Result};

/// Runs `body` as the root process of a fresh Girder runtime with
/// `schedulers` scheduler threads, then shuts the runtime down.
pub(crate) fn on_girder<F, T>(schedulers: usize, body: F) -> Result<T>
where
    F: Future<Output = Result<T>> + Send + 'static,
    T: Send + 'static,
{
    let rt = girder::Runtime::builder()
        .schedulers(schedulers)
        .name("bench")
        .build()
        .map_err(|e| BenchError::new(format!("cannot start the Girder runtime: {e}")))?;
    let outcome = rt.block_on(body);
    rt.shutdown();
    match outcome {
        Ok(result) => result,
        Err(reason) => Err(BenchError::new(format!(
            "the Girder root process exited with {reason}"
        ))),
    }
}

/// Runs `body` as a task spawned on a fresh tokio runtime: `current_thread`
/// for one scheduler, `multi_thread` with `schedulers` workers otherwise.
pub(crate) fn on_tokio<F, T>(schedulers: usize, body: F) -> Result<T>
where
    F: Future<Output = Result<T>> + Send + 'static,
    T: Send + 'static,
{
    let mut builder = if schedulers <= 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(schedulers);
        b
    };
    let rt = builder
        .enable_time()
        .thread_name("bench-tokio")
        .build()
        .map_err(|e| BenchError::new(format!("cannot start the tokio runtime: {e}")))?;
    let outcome = rt.block_on(async move { tokio::spawn(body).await });
    rt.shutdown_background();
    outcome.map_err(|e| BenchError::new(format!("the tokio timing task failed: {e}")))?
}

/// Nanoseconds since `start`, per `ops` operations.
pub(crate) fn ns_per(start: Instant, ops: u64) -> f64 {
    start.elapsed().as_nanos() as f64 / ops.max(1) as f64
}

/// A small deterministic generator (xorshift64*), the same sequence on
/// every run; the Erlang side draws its own numbers from the same ranges.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    /// A number in `lo..hi`.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        lo + x % (hi - lo).max(1)
    }
}

/// One unit of the fairness workload's CPU work: 64 rounds of 32-bit
/// xorshift (the Erlang side does the same rounds on small integers).
pub(crate) fn crunch(mut x: u32) -> u32 {
    for _ in 0..64 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
    }
    std::hint::black_box(x)
}
