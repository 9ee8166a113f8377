//! `girder demo fairness`: reductions keep a CPU-bound process from
//! starving the others; `girder::blocking` takes work that cannot yield off
//! the schedulers.
//!
//! Part one runs a crowd of ping-pong pairs alone, then beside one heavy
//! process that crunches in a loop and awaits
//! [`consume_reductions`]`(1)` each iteration (so it yields every
//! [`SLICE`] iterations, as a BEAM process is preempted when its reductions
//! run out), and compares their round-trip latencies and the heavy
//! process's progress.
//!
//! Part two runs jobs that compute for a quarter of a second without ever
//! yielding, first inline in processes (they hold their schedulers; the
//! watchdog reports `long_schedule`), then in [`girder::blocking`] (they run
//! on the blocking pool, as BEAM's dirty schedulers), while a crowd of
//! ping-pong probes measures how long the other processes had to wait.

use std::hint::black_box;
use std::time::{Duration, Instant};

use girder::{
    Handle, LongSchedule, Pid, SLICE, consume_reductions, process_info, receive, self_pid, send,
    send_after, spawn, system_monitor,
};

use super::report::{LABEL, VALUE, duration, line, row, section, thousands};
use super::{DemoError, Result, check, in_runtime, recv};

/// One CPU-bound process beside 10,000 chatty ones: nobody starves;
/// girder::blocking for work that cannot yield.
///
/// Runs 5,000 ping-pong pairs (10,000 chatty processes, 100 round trips
/// each) alone, then beside one CPU-bound process that loops on
/// `consume_reductions(1).await` and so yields every 4,000 iterations;
/// prints that every chatty process completed, their p50/p99/max round-trip
/// latency in both runs, and how far the heavy process got. Then runs
/// compute jobs that never yield (about 250 ms each, as many as schedulers)
/// inline and then in `girder::blocking`, while ping-pong probes measure
/// the longest wait of the other processes and the watchdog counts
/// `long_schedule` reports.
#[derive(Debug, Default, clap::Args)]
pub(crate) struct FairnessArgs {
    /// A short run (10 round trips per pair, 150 ms jobs), for tests.
    #[arg(long)]
    quick: bool,
    /// Ping-pong pairs (two processes each) [default: 5000].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pairs: Option<u32>,
    /// Round trips per pair [default: 100, 10 with --quick].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    rounds: Option<u32>,
}

/// The sizes of one run.
#[derive(Debug, Clone, Copy)]
struct Plan {
    pairs: u32,
    rounds: u32,
    /// How long the heavy process runs alone, for its baseline speed.
    heavy_alone: Duration,
    /// How long each non-yielding job computes.
    job: Duration,
}

impl Plan {
    fn from_args(args: &FairnessArgs) -> Plan {
        let (rounds, heavy_alone, job) = if args.quick {
            (10, Duration::from_millis(100), Duration::from_millis(150))
        } else {
            (100, Duration::from_millis(500), Duration::from_millis(250))
        };
        Plan {
            pairs: args.pairs.unwrap_or(5_000),
            rounds: args.rounds.unwrap_or(rounds),
            heavy_alone,
            job,
        }
    }
}

/// Runs the fairness part.
pub(crate) fn run(args: &FairnessArgs) -> Result<()> {
    let plan = Plan::from_args(args);
    in_runtime(async move {
        reductions(plan).await?;
        blocking_work(plan).await
    })
}

/// `from` asks for a [`Pong`].
#[derive(Debug)]
struct Ping(Pid);

#[derive(Debug)]
struct Pong;

/// A pinger's round-trip times, in nanoseconds.
#[derive(Debug)]
struct Rtts(Vec<u64>);

/// Tells the heavy process (or the probe) to report and stop.
#[derive(Debug)]
struct Stop;

/// What the heavy process did.
#[derive(Debug)]
struct HeavyReport {
    iterations: u64,
    elapsed: Duration,
}

/// Latencies of one crowd run.
#[derive(Debug)]
struct CrowdRun {
    round_trips: u64,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

async fn reductions(plan: Plan) -> Result<()> {
    let processes = u64::from(plan.pairs) * 2;
    section(&format!(
        "fairness: one CPU-bound process beside {} chatty ones",
        thousands(processes)
    ));
    line(format!(
        "{} ping-pong pairs, {} round trips each. The heavy process awaits",
        thousands(plan.pairs.into()),
        plan.rounds
    ));
    line(format!(
        "consume_reductions(1) each iteration: it yields every {} iterations (one slice).",
        thousands(SLICE.into())
    ));
    println!();
    println!(
        "  {:<LABEL$} {:>VALUE$} {:>9} {:>9} {:>9} {:>9}",
        "", "round trips", "time", "p50", "p99", "max"
    );

    let alone = crowd(plan).await?;
    crowd_row("chatty processes alone", &alone);

    let me = self_pid();
    let heavy = spawn(heavy_process(me));
    send_after(plan.heavy_alone, heavy, Stop);
    let solo = recv::<HeavyReport>("the heavy process's report").await?;

    let heavy = spawn(heavy_process(me));
    let beside = crowd(plan).await?;
    let reductions = process_info(heavy).map_or(0, |i| i.reductions);
    send(heavy, Stop);
    let shared = recv::<HeavyReport>("the heavy process's report").await?;
    crowd_row("chatty, beside the heavy process", &beside);

    println!();
    heavy_row("heavy process alone", &solo);
    heavy_row("heavy process, beside the chatty", &shared);
    row(
        "  its reductions meanwhile",
        thousands(reductions),
        format!(
            "(~{} time slices)",
            thousands(reductions / u64::from(SLICE))
        ),
    );
    check(shared.iterations > 0, || {
        "the heavy process made no progress beside the chatty ones".to_owned()
    })?;
    println!();
    line(format!(
        "all {} chatty processes completed beside the heavy one (p99 {} vs {} alone),",
        thousands(processes),
        duration(beside.p99),
        duration(alone.p99)
    ));
    line(format!(
        "and the heavy one kept {:.0}% of its speed alone.",
        100.0 * rate(&shared) / rate(&solo).max(f64::MIN_POSITIVE)
    ));
    Ok(())
}

fn crowd_row(label: &str, run: &CrowdRun) {
    println!(
        "  {:<LABEL$} {:>VALUE$} {:>9} {:>9} {:>9} {:>9}",
        label,
        thousands(run.round_trips),
        duration(run.elapsed),
        duration(run.p50),
        duration(run.p99),
        duration(run.max)
    );
}

fn heavy_row(label: &str, report: &HeavyReport) {
    row(
        label,
        thousands(report.iterations),
        format!(
            "iterations in {} = {:.1} M/s",
            duration(report.elapsed),
            rate(report) / 1e6
        ),
    );
}

/// Iterations per second.
fn rate(report: &HeavyReport) -> f64 {
    report.iterations as f64 / report.elapsed.as_secs_f64().max(1e-9)
}

/// Runs the crowd of ping-pong pairs to completion and collects every
/// round-trip time.
async fn crowd(plan: Plan) -> Result<CrowdRun> {
    let me = self_pid();
    let start = Instant::now();
    for _ in 0..plan.pairs {
        spawn(pinger(me, plan.rounds));
    }
    let mut all = Vec::with_capacity(plan.pairs as usize * plan.rounds as usize);
    for _ in 0..plan.pairs {
        let Rtts(rtts) = recv::<Rtts>("every chatty process to finish").await?;
        all.extend(rtts);
    }
    let elapsed = start.elapsed();
    all.sort_unstable();
    let at = |q: usize| Duration::from_nanos(all[(all.len() - 1) * q / 100]);
    Ok(CrowdRun {
        round_trips: all.len() as u64,
        elapsed,
        p50: at(50),
        p99: at(99),
        max: at(100),
    })
}

/// One pair: this process pings a partner it spawns `rounds` times, timing
/// each round trip, and sends the times to `report`.
async fn pinger(report: Pid, rounds: u32) {
    let me = self_pid();
    let partner = spawn(async move {
        for _ in 0..rounds {
            let Ping(from) = receive::<Ping>().await;
            send(from, Pong);
        }
    });
    let mut rtts = Vec::with_capacity(rounds as usize);
    for _ in 0..rounds {
        let start = Instant::now();
        send(partner, Ping(me));
        receive::<Pong>().await;
        rtts.push(start.elapsed().as_nanos() as u64);
    }
    send(report, Rtts(rtts));
}

/// The CPU-bound process: crunches until it receives [`Stop`], charging one
/// reduction per iteration so that it yields whenever its slice is spent.
async fn heavy_process(report: Pid) {
    let start = Instant::now();
    let mut x = 0x9E37_79B9_7F4A_7C15_u64;
    let mut iterations = 0u64;
    loop {
        x = crunch(x);
        iterations += 1;
        consume_reductions(1).await;
        if iterations % 1024 == 0 && receive::<Stop>().timeout(Duration::ZERO).await.is_some() {
            break;
        }
    }
    black_box(x);
    send(
        report,
        HeavyReport {
            iterations,
            elapsed: start.elapsed(),
        },
    );
}

/// One unit of CPU work: 64 rounds of xorshift, tens of nanoseconds.
fn crunch(mut x: u64) -> u64 {
    for _ in 0..64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    black_box(x)
}

/// Crunches `n` times without yielding.
fn crunch_n(n: u64) -> u64 {
    let mut x = 1;
    for _ in 0..n {
        x = crunch(x);
    }
    x
}

/// Ping-pong probes running while the jobs run: enough that both
/// schedulers have some in their run queues, whichever ones the jobs take.
const PROBES: usize = 100;

/// A probe's findings.
#[derive(Debug)]
struct ProbeReport {
    round_trips: u64,
    max: Duration,
}

/// A probe has done its first round trips and is measuring.
#[derive(Debug)]
struct ProbeReady;

/// A job finished.
#[derive(Debug)]
struct JobDone;

async fn blocking_work(plan: Plan) -> Result<()> {
    let jobs = Handle::current().schedulers();
    section("blocking: work that cannot yield goes to girder::blocking");
    // Calibrate: how many crunches make one job.
    let sample = 20_000;
    let start = Instant::now();
    black_box(crunch_n(sample));
    let per_crunch = start.elapsed().as_secs_f64() / sample as f64;
    let per_job = (plan.job.as_secs_f64() / per_crunch.max(1e-12)) as u64;
    line(format!(
        "{jobs} jobs (as many as schedulers) compute for ~{} each without yielding,",
        duration(plan.job)
    ));
    line(format!(
        "while {PROBES} ping-pong probes measure how long other processes wait."
    ));
    println!();
    println!(
        "  {:<LABEL$} {:>VALUE$} {:>14} {:>15}",
        "", "round trips", "longest wait", "long_schedule"
    );

    let me = self_pid();
    let previous = system_monitor(Some(me));
    let inline = run_jobs(jobs, per_job, false).await?;
    let pooled = run_jobs(jobs, per_job, true).await?;
    system_monitor(previous);

    for (label, (probe, reports)) in [
        ("jobs inline in processes", &inline),
        ("jobs in girder::blocking", &pooled),
    ] {
        println!(
            "  {:<LABEL$} {:>VALUE$} {:>14} {:>15}",
            label,
            thousands(probe.round_trips),
            duration(probe.max),
            reports
        );
    }
    println!();
    line(format!(
        "inline, a job holds the scheduler it runs on: probes queued behind it waited up to {};",
        duration(inline.0.max)
    ));
    line(format!(
        "in girder::blocking, no probe waited more than {}.",
        duration(pooled.0.max)
    ));
    Ok(())
}

/// Runs `jobs` jobs of `per_job` crunches, inline or on the blocking pool,
/// beside the probes; returns their round trips and longest one, and the number of
/// `long_schedule` reports the watchdog sent.
async fn run_jobs(jobs: usize, per_job: u64, pooled: bool) -> Result<(ProbeReport, usize)> {
    let me = self_pid();
    let probes: Vec<Pid> = (0..PROBES).map(|_| spawn(probe(me))).collect();
    for _ in 0..PROBES {
        recv::<ProbeReady>("the probes to start").await?;
    }
    for _ in 0..jobs {
        spawn(async move {
            if pooled {
                black_box(girder::blocking(move || crunch_n(per_job)).await);
            } else {
                black_box(crunch_n(per_job));
            }
            send(me, JobDone);
        });
    }
    for _ in 0..jobs {
        recv::<JobDone>("the jobs to finish").await?;
    }
    for &probe in &probes {
        send(probe, Stop);
    }
    let mut all = ProbeReport {
        round_trips: 0,
        max: Duration::ZERO,
    };
    for _ in 0..PROBES {
        let report = recv::<ProbeReport>("the probes' reports").await?;
        all.round_trips += report.round_trips;
        all.max = all.max.max(report.max);
    }
    let mut reports = 0;
    loop {
        // Start from a slice with reductions left: a `receive` with a zero
        // timeout made when the slice is spent gives up without looking at
        // the mailbox (a girder-core bug, reported).
        consume_reductions(0).await;
        if receive::<LongSchedule>()
            .timeout(Duration::ZERO)
            .await
            .is_none()
        {
            break;
        }
        reports += 1;
    }
    if all.round_trips == 0 {
        return Err(DemoError::new("the probes made no round trip"));
    }
    Ok((all, reports))
}

/// Ping-pongs with an echo process until it receives [`Stop`]; reports the
/// number of round trips and the longest one.
async fn probe(report: Pid) {
    let me = self_pid();
    let echo = spawn(async {
        loop {
            girder::receive! {
                Ping: Ping(from) => send(from, Pong),
                Stop: Stop => break,
            }
        }
    });
    let mut round_trips = 0u64;
    let mut max = Duration::ZERO;
    let mut warm = false;
    loop {
        let start = Instant::now();
        send(echo, Ping(me));
        receive::<Pong>().await;
        max = max.max(start.elapsed());
        round_trips += 1;
        if !warm && round_trips == 100 {
            // Warmed up: measure from here on.
            warm = true;
            round_trips = 0;
            max = Duration::ZERO;
            send(report, ProbeReady);
        }
        if receive::<Stop>().timeout(Duration::ZERO).await.is_some() {
            break;
        }
    }
    send(echo, Stop);
    send(report, ProbeReport { round_trips, max });
}
