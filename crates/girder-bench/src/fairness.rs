//! Fairness: one CPU-heavy process beside ping-pong pairs.
//! Args: `[pairs, round_trips_each]`.
//!
//! The heavy process runs [`crunch`] in a loop, from before the pairs start
//! until they all finish. Girder's charges one reduction per crunch
//! (`consume_reductions(1)`), so it yields after [`SLICE`] crunches;
//! tokio's calls `yield_now` after the same [`SLICE`] crunches. Each pair
//! times every round trip; `p50`, `p99` are over all of them.

use std::time::{Duration, Instant};

use girder::{Pid, SLICE, consume_reductions, receive, self_pid, send, spawn};

use crate::metric::Sample;
use crate::rt::{crunch, on_girder, on_tokio};
use crate::stats::Latencies;
use crate::workload::arg;
use crate::{BenchError, Result};

/// How often (in crunches) the heavy process looks for its stop signal.
const CHECK_EVERY: u64 = 1_024;

#[derive(Debug)]
struct Ping(Pid);

#[derive(Debug)]
struct Pong;

/// One pair's round trips, ns.
#[derive(Debug)]
struct Rtts(Vec<u64>);

#[derive(Debug)]
struct Stop;

/// The heavy process stopped after this many crunches.
#[derive(Debug)]
struct HeavyDone(u64);

fn samples(lat: &Latencies) -> Vec<Sample> {
    vec![
        Sample::new("p50", lat.percentile(50.0)),
        Sample::new("p99", lat.percentile(99.0)),
    ]
}

async fn girder_heavy(root: Pid) {
    let mut x = 1u32;
    let mut crunches = 0u64;
    loop {
        x = crunch(x);
        crunches += 1;
        consume_reductions(1).await;
        if crunches % CHECK_EVERY == 0 && receive::<Stop>().timeout(Duration::ZERO).await.is_some()
        {
            break;
        }
    }
    std::hint::black_box(x);
    send(root, HeavyDone(crunches));
}

async fn girder_pinger(root: Pid, rounds: u64) {
    let me = self_pid();
    let echo = spawn(async move {
        for _ in 0..rounds {
            let Ping(from) = receive::<Ping>().await;
            send(from, Pong);
        }
    });
    let mut rtts = Vec::with_capacity(rounds as usize);
    for _ in 0..rounds {
        let start = Instant::now();
        send(echo, Ping(me));
        receive::<Pong>().await;
        rtts.push(start.elapsed().as_nanos() as u64);
    }
    send(root, Rtts(rtts));
}

pub(crate) fn girder(schedulers: usize, args: &[u64]) -> Result<Vec<Sample>> {
    let pairs = arg(args, 0, "pairs")?;
    let rounds = arg(args, 1, "round trips")?;
    on_girder(schedulers, async move {
        let me = self_pid();
        let heavy = spawn(girder_heavy(me));
        for _ in 0..pairs {
            spawn(girder_pinger(me, rounds));
            consume_reductions(0).await;
        }
        let mut lat = Latencies::new()?;
        for _ in 0..pairs {
            let Rtts(rtts) = receive::<Rtts>().await;
            for ns in rtts {
                lat.record(ns);
            }
        }
        send(heavy, Stop);
        let HeavyDone(crunches) = receive::<HeavyDone>().await;
        if crunches == 0 {
            return Err(BenchError::new("the heavy process made no progress"));
        }
        Ok(samples(&lat))
    })
}

pub(crate) fn tokio(schedulers: usize, args: &[u64]) -> Result<Vec<Sample>> {
    use tokio::sync::{mpsc, oneshot};
    let pairs = arg(args, 0, "pairs")?;
    let rounds = arg(args, 1, "round trips")?;
    on_tokio(schedulers, async move {
        let (stop, mut stopped) = oneshot::channel::<()>();
        let heavy = tokio::spawn(async move {
            let mut x = 1u32;
            let mut crunches = 0u64;
            loop {
                x = crunch(x);
                crunches += 1;
                if crunches % u64::from(SLICE) == 0 {
                    tokio::task::yield_now().await;
                }
                if crunches % CHECK_EVERY == 0 && stopped.try_recv().is_ok() {
                    break;
                }
            }
            std::hint::black_box(x);
            crunches
        });
        let (rtts_tx, mut rtts_rx) = mpsc::unbounded_channel::<Vec<u64>>();
        for _ in 0..pairs {
            let rtts_tx = rtts_tx.clone();
            tokio::spawn(async move {
                let (ping, mut ping_rx) = mpsc::unbounded_channel::<()>();
                let (pong_tx, mut pong) = mpsc::unbounded_channel::<()>();
                tokio::spawn(async move {
                    while ping_rx.recv().await.is_some() {
                        if pong_tx.send(()).is_err() {
                            break;
                        }
                    }
                });
                let mut rtts = Vec::with_capacity(rounds as usize);
                for _ in 0..rounds {
                    let start = Instant::now();
                    if ping.send(()).is_err() || pong.recv().await.is_none() {
                        return;
                    }
                    rtts.push(start.elapsed().as_nanos() as u64);
                }
                let _ = rtts_tx.send(rtts);
            });
        }
        drop(rtts_tx);
        let mut lat = Latencies::new()?;
        for _ in 0..pairs {
            let rtts = rtts_rx
                .recv()
                .await
                .ok_or_else(|| BenchError::new("a ping-pong pair was lost"))?;
            for ns in rtts {
                lat.record(ns);
            }
        }
        let _ = stop.send(());
        let crunches = heavy
            .await
            .map_err(|e| BenchError::new(format!("heavy task: {e}")))?;
        if crunches == 0 {
            return Err(BenchError::new("the heavy task made no progress"));
        }
        Ok(samples(&lat))
    })
}
