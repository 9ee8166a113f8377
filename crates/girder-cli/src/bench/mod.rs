//! `girder bench`: the same workloads on Girder, on Erlang/OTP (the real
//! `erl`) and on plain tokio, in one run on one machine, with Girder's
//! ratio against each peer.
//!
//! The workloads live in the `girder-bench` crate (Rust) and in
//! `bench/erlang/` (Erlang). This module runs them and reports:
//!
//! * [`runner`] runs every case of every workload on each system, each in
//!   an OS process of its own — Girder and tokio in a child `girder bench
//!   --internal <workload> <system>`, Erlang in `erl` — and keeps every
//!   run's figures;
//! * [`table`] prints a table per workload (medians, ratios) and the
//!   targets of DESIGN §7, met or missed ([`targets`]);
//! * [`json`] writes the same figures with the machine's description;
//!   [`svg`] draws the ratios as a bar chart.

mod json;
mod machine;
mod runner;
mod svg;
mod table;
mod targets;

use std::io::Write;
use std::path::PathBuf;

use girder_bench::{BenchError, Sizes, System, Workload};

/// Run the same workloads on Girder, Erlang/OTP (erl) and tokio, and print
/// Girder's ratio against each.
///
/// Ten workloads: spawn + exit of an empty process; memory per idle
/// process; ping-pong on one scheduler and on all; a ring of 10,000 and of
/// 1,000,000 processes; skynet (1M leaves); fan-in; 1M pending timers (set,
/// cancel, lateness); fairness (one CPU-heavy process beside 1,000
/// ping-pong pairs); selective receive with 10,000 messages queued;
/// distribution over loopback (a stream and round trips between two nodes:
/// Girder <-> Girder, Girder <-> Erlang, Erlang <-> Erlang). Every run
/// is an OS process of its own (Erlang in `erl -noshell +S N`, compiled
/// from bench/erlang/ with erlc at run time), and the systems take turns,
/// one run each per round; each figure is the median of several runs.
/// Without erl the Erlang columns stay empty and the run says so, except
/// under CI (the CI variable set), where a missing erl fails the command. A
/// full run takes several minutes; --quick shrinks every size for CI.
#[derive(Debug, clap::Args)]
pub(crate) struct BenchArgs {
    /// Small sizes and two runs per system: checks that every workload runs
    /// and reports on every system (well under 90 s on 2 cores).
    #[arg(long)]
    quick: bool,
    /// Runs per system and case; the figure shown is their median
    /// [default: 3, 2 with --quick].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=25))]
    runs: Option<u32>,
    /// Scheduler threads for Girder, worker threads for tokio, +S for
    /// Erlang [default: one per core]. Ping-pong also runs on 1.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    schedulers: Option<u32>,
    /// Only these workloads (comma-separated names: spawn_exit,
    /// idle_memory, ping_pong, ring, skynet, fan_in, timers, fairness,
    /// selective_receive, dist).
    #[arg(long, value_delimiter = ',', value_name = "WORKLOAD")]
    only: Vec<String>,
    /// Also write the figures, the ratios, the targets and the machine's
    /// description as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Also draw Girder's ratios against each peer as an SVG bar chart in
    /// FILE.
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
    /// Internal: run one workload on one Rust system in this OS process and
    /// print its figures (what the parent runs in a child process).
    #[arg(long, hide = true, num_args = 2, value_names = ["WORKLOAD", "SYSTEM"])]
    internal: Option<Vec<String>>,
    /// Internal: the case to run (with --internal).
    #[arg(long, hide = true)]
    case: Option<String>,
    /// Internal: the process count of the case, when capped to fit in
    /// memory (with --internal).
    #[arg(long, hide = true)]
    n: Option<u64>,
}

impl BenchArgs {
    fn sizes(&self) -> Sizes {
        if self.quick {
            Sizes::quick()
        } else {
            Sizes::full()
        }
    }

    fn runs(&self) -> u32 {
        self.runs.unwrap_or(if self.quick { 2 } else { 3 })
    }

    fn schedulers(&self) -> usize {
        self.schedulers.map_or_else(
            || std::thread::available_parallelism().map_or(1, |n| n.get()),
            |n| n as usize,
        )
    }

    fn workloads(&self) -> Result<Vec<Workload>, BenchError> {
        if self.only.is_empty() {
            return Ok(Workload::ALL.to_vec());
        }
        self.only
            .iter()
            .map(|name| {
                Workload::from_name(name.trim()).ok_or_else(|| {
                    BenchError::new(format!(
                        "no workload {name:?}; the workloads are {}",
                        Workload::ALL.map(|w| w.name()).join(", ")
                    ))
                })
            })
            .collect()
    }
}

/// Runs `girder bench`.
pub(crate) fn run(args: BenchArgs) -> Result<(), BenchError> {
    if let Some(internal) = &args.internal {
        return internal_run(&args, internal);
    }
    let report = runner::run_all(&args)?;
    let checks = targets::evaluate(&report);
    table::print_targets(&checks, report.quick);
    if let Some(path) = &args.json {
        json::write(path, &report, &checks)?;
        println!("\nwrote {}", path.display());
    }
    if let Some(path) = &args.svg {
        svg::write(path, &report)?;
        println!("wrote {}", path.display());
    }
    if report.failures.is_empty() {
        Ok(())
    } else {
        Err(BenchError::new(format!(
            "{} problem(s):\n  {}",
            report.failures.len(),
            report.failures.join("\n  ")
        )))
    }
}

/// `girder bench --internal <workload> <system> --case KEY`: runs the case
/// `runs` times in this OS process and prints each run's figures.
fn internal_run(args: &BenchArgs, internal: &[String]) -> Result<(), BenchError> {
    let [workload, system] = internal else {
        return Err(BenchError::new("--internal takes WORKLOAD SYSTEM"));
    };
    let workload = Workload::from_name(workload)
        .ok_or_else(|| BenchError::new(format!("no workload {workload:?}")))?;
    let system = System::from_name(system)
        .filter(|s| *s != System::Erlang)
        .ok_or_else(|| BenchError::new(format!("no Rust system {system:?}")))?;
    let key = args
        .case
        .as_deref()
        .ok_or_else(|| BenchError::new("--internal needs --case"))?;
    let mut case = workload
        .cases(&args.sizes(), args.schedulers())
        .into_iter()
        .find(|c| c.key == key)
        .ok_or_else(|| BenchError::new(format!("{workload} has no case {key:?}")))?;
    if let Some(n) = args.n {
        case.args[0] = n;
    }
    // Read the page size before anything else grows the process.
    let _ = girder_bench::mem::page_size();
    for _ in 0..args.runs() {
        for sample in workload.run_rust(system, &case)? {
            let mut out = std::io::stdout().lock();
            match writeln!(out, "{sample}").and_then(|()| out.flush()) {
                Ok(()) => {}
                // The reader stopped reading (`| head`): nobody wants the rest.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
                Err(e) => return Err(BenchError::new(format!("writing figures: {e}"))),
            }
        }
    }
    Ok(())
}
