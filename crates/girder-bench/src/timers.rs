//! Timers. Args: `[timers, probes]`.
//!
//! 1. `set`: set `timers` timers that would send the root a message 60 to
//!    120 s from now (random); ns per timer.
//! 2. `late_p50`, `late_p99`: while they are pending, `probes` processes
//!    each wait in a receive with a timeout of 10 to 110 ms (random) that
//!    no message ends; how long after its deadline each woke.
//! 3. `cancel`: cancel the `timers` timers; ns per timer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use girder::{cancel_timer, consume_reductions, receive, self_pid, send, send_after, spawn};

use crate::metric::Sample;
use crate::rt::{Rng, ns_per, on_girder, on_tokio};
use crate::stats::Latencies;
use crate::workload::arg;
use crate::{BenchError, Result};

/// The seed of the delays (the Erlang side draws from the same ranges with
/// `rand`, seeded too).
const SEED: u64 = 0x5EED_7153;

/// The pending timers' delays, in ms.
const TIMER_MS: (u64, u64) = (60_000, 120_000);

/// The probes' receive timeouts, in ms.
const PROBE_MS: (u64, u64) = (10, 110);

/// What a pending timer would send.
#[derive(Debug)]
struct Tick;

/// A message nobody sends: the probes' receives end by timeout.
#[derive(Debug)]
struct Never;

/// A probe's lateness, ns.
#[derive(Debug)]
struct Late(u64);

/// The pending timers' delays, drawn before the clock starts (on every
/// system), and the generator to draw the probes' timeouts from.
fn delays(n: u64) -> (Vec<Duration>, Rng) {
    let mut rng = Rng::new(SEED);
    let delays = (0..n)
        .map(|_| Duration::from_millis(rng.range(TIMER_MS.0, TIMER_MS.1)))
        .collect();
    (delays, rng)
}

fn samples(set: f64, cancel: f64, lat: &Latencies) -> Vec<Sample> {
    vec![
        Sample::new("set", set),
        Sample::new("cancel", cancel),
        Sample::new("late_p50", lat.percentile(50.0)),
        Sample::new("late_p99", lat.percentile(99.0)),
    ]
}

pub(crate) fn girder(schedulers: usize, args: &[u64]) -> Result<Vec<Sample>> {
    let n = arg(args, 0, "timers")?;
    let probes = arg(args, 1, "probes")?;
    on_girder(schedulers, async move {
        let me = self_pid();
        let (delays, mut rng) = delays(n);
        let mut timers = Vec::with_capacity(n as usize);
        let start = Instant::now();
        for delay in delays {
            timers.push(send_after(delay, me, Tick));
            consume_reductions(0).await;
        }
        let set = ns_per(start, n);

        for _ in 0..probes {
            let timeout = Duration::from_millis(rng.range(PROBE_MS.0, PROBE_MS.1));
            spawn(async move {
                let start = Instant::now();
                let _ = receive::<Never>().timeout(timeout).await;
                let late = start.elapsed().saturating_sub(timeout);
                send(me, Late(late.as_nanos() as u64));
            });
            consume_reductions(0).await;
        }
        let mut lat = Latencies::new()?;
        for _ in 0..probes {
            let Late(ns) = receive::<Late>().await;
            lat.record(ns);
        }

        let start = Instant::now();
        let mut cancelled = 0u64;
        for timer in timers {
            if cancel_timer(timer).is_some() {
                cancelled += 1;
            }
            consume_reductions(0).await;
        }
        let cancel = ns_per(start, n);
        if cancelled != n {
            return Err(BenchError::new(format!(
                "cancelled {cancelled} of {n} pending timers"
            )));
        }
        Ok(samples(set, cancel, &lat))
    })
}

/// Timer tasks that have started (and so registered their sleep).
static TOKIO_STARTED: AtomicU64 = AtomicU64::new(0);

pub(crate) fn tokio(schedulers: usize, args: &[u64]) -> Result<Vec<Sample>> {
    use tokio::sync::mpsc::unbounded_channel;
    let n = arg(args, 0, "timers")?;
    let probes = arg(args, 1, "probes")?;
    on_tokio(schedulers, async move {
        TOKIO_STARTED.store(0, Ordering::Relaxed);
        let metrics = tokio::runtime::Handle::current().metrics();
        let baseline = metrics.num_alive_tasks();
        let (tick, _ticks) = unbounded_channel::<Tick>();
        let (delays, mut rng) = delays(n);
        let mut timers = Vec::with_capacity(n as usize);
        let start = Instant::now();
        for delay in delays {
            let tick = tick.clone();
            timers.push(tokio::spawn(async move {
                TOKIO_STARTED.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(delay).await;
                let _ = tick.send(Tick);
            }));
        }
        // A timer is set once its task has run up to its sleep.
        while TOKIO_STARTED.load(Ordering::Relaxed) < n {
            tokio::task::yield_now().await;
        }
        let set = ns_per(start, n);

        let (late_tx, mut late_rx) = unbounded_channel::<Late>();
        for _ in 0..probes {
            let timeout = Duration::from_millis(rng.range(PROBE_MS.0, PROBE_MS.1));
            let late_tx = late_tx.clone();
            tokio::spawn(async move {
                let (_keep, mut inbox) = unbounded_channel::<Never>();
                let start = Instant::now();
                let _ = tokio::time::timeout(timeout, inbox.recv()).await;
                let late = start.elapsed().saturating_sub(timeout);
                let _ = late_tx.send(Late(late.as_nanos() as u64));
            });
        }
        let mut lat = Latencies::new()?;
        for _ in 0..probes {
            let Late(ns) = late_rx
                .recv()
                .await
                .ok_or_else(|| BenchError::new("a probe was lost"))?;
            lat.record(ns);
        }

        let start = Instant::now();
        for timer in &timers {
            timer.abort();
        }
        while metrics.num_alive_tasks() > baseline {
            tokio::task::yield_now().await;
        }
        let cancel = ns_per(start, n);
        Ok(samples(set, cancel, &lat))
    })
}
