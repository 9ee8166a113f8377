//! Ping-pong: a number to a process and back. Args: `[round_trips]`.
//!
//! * `mean`: the round trips run in [`BLOCKS`] blocks, each timed as a
//!   whole (no clock read per round trip); the mean round trip of the
//!   median block. On a shared machine a block that lost its core to
//!   another program is an outlier the median ignores;
//! * `p50`, `p99`: from a second pass of `round_trips` that times each
//!   round trip.
//!
//! Both passes follow a warm-up of [`WARMUP`] round trips.

use std::time::Instant;

use girder::{Down, receive, receive_match, self_pid, send, spawn_monitor};

use crate::metric::Sample;
use crate::rt::{ns_per, on_girder, on_tokio};
use crate::stats::Latencies;
use crate::workload::arg;
use crate::{BenchError, Result};

/// Round trips before measuring.
pub(crate) const WARMUP: u64 = 1_000;

/// Blocks of the first pass.
pub(crate) const BLOCKS: u64 = 100;

/// The mean of the median block, from each block's ns per round trip.
fn block_median(blocks: &[f64]) -> Result<f64> {
    crate::metric::median(blocks).ok_or_else(|| BenchError::new("no blocks timed"))
}

fn samples(mean: f64, lat: &Latencies) -> Vec<Sample> {
    vec![
        Sample::new("mean", mean),
        Sample::new("p50", lat.percentile(50.0)),
        Sample::new("p99", lat.percentile(99.0)),
    ]
}

pub(crate) fn girder(schedulers: usize, args: &[u64]) -> Result<Vec<Sample>> {
    let n = arg(args, 0, "round trips")?;
    on_girder(schedulers, async move {
        let me = self_pid();
        // The echo process returns each number; 0 also ends it.
        let (echo, monitor) = spawn_monitor(async move {
            loop {
                let v = receive::<u64>().await;
                send(me, v);
                if v == 0 {
                    return;
                }
            }
        });
        for _ in 0..WARMUP {
            send(echo, 1u64);
            receive::<u64>().await;
        }
        let block = (n / BLOCKS).max(1);
        let mut blocks = Vec::with_capacity(BLOCKS as usize);
        for _ in 0..BLOCKS {
            let start = Instant::now();
            for _ in 0..block {
                send(echo, 1u64);
                receive::<u64>().await;
            }
            blocks.push(ns_per(start, block));
        }
        let mean = block_median(&blocks)?;
        let mut lat = Latencies::new()?;
        for _ in 0..n {
            let t = Instant::now();
            send(echo, 1u64);
            receive::<u64>().await;
            lat.record(t.elapsed().as_nanos() as u64);
        }
        send(echo, 0u64);
        receive::<u64>().await;
        receive_match(move |d: &Down| d.monitor == monitor).await;
        Ok(samples(mean, &lat))
    })
}

pub(crate) fn tokio(schedulers: usize, args: &[u64]) -> Result<Vec<Sample>> {
    use tokio::sync::mpsc::unbounded_channel;
    let n = arg(args, 0, "round trips")?;
    on_tokio(schedulers, async move {
        let (ping, mut ping_rx) = unbounded_channel::<u64>();
        let (pong_tx, mut pong) = unbounded_channel::<u64>();
        let echo = tokio::spawn(async move {
            while let Some(v) = ping_rx.recv().await {
                if pong_tx.send(v).is_err() {
                    break;
                }
            }
        });
        let gone = || BenchError::new("the echo task ended early");
        for _ in 0..WARMUP {
            ping.send(1).map_err(|_| gone())?;
            pong.recv().await.ok_or_else(gone)?;
        }
        let block = (n / BLOCKS).max(1);
        let mut blocks = Vec::with_capacity(BLOCKS as usize);
        for _ in 0..BLOCKS {
            let start = Instant::now();
            for _ in 0..block {
                ping.send(1).map_err(|_| gone())?;
                pong.recv().await.ok_or_else(gone)?;
            }
            blocks.push(ns_per(start, block));
        }
        let mean = block_median(&blocks)?;
        let mut lat = Latencies::new()?;
        for _ in 0..n {
            let t = Instant::now();
            ping.send(1).map_err(|_| gone())?;
            pong.recv().await.ok_or_else(gone)?;
            lat.record(t.elapsed().as_nanos() as u64);
        }
        drop(ping);
        echo.await
            .map_err(|e| BenchError::new(format!("echo task: {e}")))?;
        Ok(samples(mean, &lat))
    })
}
