//! Skynet. Args: `[leaves]` (a power of 10).
//!
//! A process of size 1 sends its number to its parent; a larger one spawns
//! 10 children covering its range and sends the sum of their 10 replies
//! up. `wall`: from spawning the top process to its sum (checked).
//! `peak_rss`: the highest resident set during the run (VmHWM, reset just
//! before) above the resident set when the OS process ran its first skynet.

use std::future::Future;
use std::sync::OnceLock;
use std::time::Instant;

use girder::{Pid, receive, self_pid, send, spawn};

use crate::metric::Sample;
use crate::rt::{on_girder, on_tokio};
use crate::workload::arg;
use crate::{BenchError, Result};

/// The resident set when this OS process started its first run.
static START_RSS: OnceLock<u64> = OnceLock::new();

fn expected(leaves: u64) -> u64 {
    leaves * (leaves - 1) / 2
}

/// Resets the peak and returns the start-of-process baseline.
fn before_run() -> Result<u64> {
    let start = *START_RSS.get_or_init(|| crate::mem::rss_bytes().unwrap_or(0));
    if !crate::mem::reset_peak_rss() {
        return Err(BenchError::new(
            "cannot reset the peak RSS (/proc/self/clear_refs)",
        ));
    }
    Ok(start)
}

fn samples(wall: f64, start_rss: u64) -> Result<Vec<Sample>> {
    let peak = crate::mem::peak_rss_bytes()
        .ok_or_else(|| BenchError::new("no VmHWM in /proc/self/status"))?;
    Ok(vec![
        Sample::new("wall", wall),
        Sample::new("peak_rss", peak.saturating_sub(start_rss) as f64),
    ])
}

#[allow(clippy::manual_async_fn)] // the explicit `+ Send` breaks the recursive type cycle
fn girder_node(parent: Pid, num: u64, size: u64) -> impl Future<Output = ()> + Send {
    async move {
        if size == 1 {
            send(parent, num);
            return;
        }
        let me = self_pid();
        let div = size / 10;
        for i in 0..10 {
            spawn(girder_node(me, num + i * div, div));
        }
        let mut sum = 0u64;
        for _ in 0..10 {
            sum += receive::<u64>().await;
        }
        send(parent, sum);
    }
}

pub(crate) fn girder(schedulers: usize, args: &[u64]) -> Result<Vec<Sample>> {
    let leaves = arg(args, 0, "leaves")?;
    let start_rss = before_run()?;
    let (wall, sum) = on_girder(schedulers, async move {
        let me = self_pid();
        let start = Instant::now();
        spawn(girder_node(me, 0, leaves));
        let sum = receive::<u64>().await;
        Ok((start.elapsed().as_nanos() as f64, sum))
    })?;
    if sum != expected(leaves) {
        return Err(BenchError::new(format!(
            "skynet summed {sum}, expected {}",
            expected(leaves)
        )));
    }
    samples(wall, start_rss)
}

#[allow(clippy::manual_async_fn)] // the explicit `+ Send` breaks the recursive type cycle
fn tokio_node(num: u64, size: u64) -> impl Future<Output = u64> + Send {
    async move {
        if size == 1 {
            return num;
        }
        let div = size / 10;
        let children: Vec<_> = (0..10)
            .map(|i| tokio::spawn(tokio_node(num + i * div, div)))
            .collect();
        let mut sum = 0;
        for child in children {
            // A child cannot fail; a lost one shows up in the checked sum.
            sum += child.await.unwrap_or(0);
        }
        sum
    }
}

pub(crate) fn tokio(schedulers: usize, args: &[u64]) -> Result<Vec<Sample>> {
    let leaves = arg(args, 0, "leaves")?;
    let start_rss = before_run()?;
    let (wall, sum) = on_tokio(schedulers, async move {
        let start = Instant::now();
        let sum = tokio::spawn(tokio_node(0, leaves))
            .await
            .map_err(|e| BenchError::new(format!("skynet task: {e}")))?;
        Ok((start.elapsed().as_nanos() as f64, sum))
    })?;
    if sum != expected(leaves) {
        return Err(BenchError::new(format!(
            "skynet summed {sum}, expected {}",
            expected(leaves)
        )));
    }
    samples(wall, start_rss)
}
