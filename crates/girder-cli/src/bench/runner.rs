//! Running every case of every workload on each system, each run in an OS
//! process of its own, and keeping every run's figures.
//!
//! Girder and tokio run in a child `girder bench --internal <workload>
//! <system> --case <key> --runs 1` (this same binary), Erlang in `erl`
//! ([`girder_bench::Erlang`]). Each run of a case is a child of its own,
//! and the systems take turns: round one runs Girder, tokio and Erlang once
//! each, round two again, and so on, so a machine whose speed drifts (a
//! shared VM can run twice as fast one minute as the next) weighs on every
//! system alike. Girder's figures are never measured in a process that ran
//! tokio, or an earlier workload, and vice versa.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

use girder_bench::{
    BenchError, Case, Erlang, Metric, RunOutput, System, Workload, median, run_command, thousands,
};

use super::BenchArgs;
use super::machine::Machine;
use super::table;

/// Everything one `girder bench` measured.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) machine: Machine,
    pub(crate) quick: bool,
    pub(crate) runs: u32,
    pub(crate) schedulers: usize,
    /// `Some((release, erts))` when Erlang ran.
    pub(crate) erlang: Option<(String, String)>,
    pub(crate) workloads: Vec<WorkloadReport>,
    /// Notes about the run as a whole (erl missing, …).
    pub(crate) notes: Vec<String>,
    /// What went wrong: any entry fails the command.
    pub(crate) failures: Vec<String>,
    pub(crate) elapsed: Duration,
}

/// One workload's cases.
#[derive(Debug)]
pub(crate) struct WorkloadReport {
    pub(crate) workload: Workload,
    pub(crate) cases: Vec<CaseReport>,
}

/// One case: a row per figure.
#[derive(Debug)]
pub(crate) struct CaseReport {
    pub(crate) case: Case,
    pub(crate) rows: Vec<Row>,
    /// Caps, skips and what the runners noted.
    pub(crate) notes: Vec<String>,
}

/// One figure on every system that reports it.
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) metric: Metric,
    /// Each system's value in each run.
    pub(crate) runs: BTreeMap<System, Vec<f64>>,
}

impl Row {
    /// The median of `system`'s runs.
    pub(crate) fn median(&self, system: System) -> Option<f64> {
        self.runs.get(&system).and_then(|v| median(v))
    }

    /// How many times better Girder's median is than `peer`'s.
    pub(crate) fn ratio(&self, peer: System) -> Option<f64> {
        self.metric
            .better
            .ratio(self.median(System::Girder)?, self.median(peer)?)
    }
}

/// Share of the available memory one idle-memory run may take.
const MEMORY_SHARE: f64 = 0.5;

/// Bytes per idle process assumed before any were measured.
fn default_bytes_per_process(system: System) -> f64 {
    match system {
        System::Girder => 300.0,
        System::Erlang => 2_800.0,
        System::Tokio => 1_000.0,
    }
}

/// Runs every selected workload and prints each case's table as soon as it
/// is measured.
pub(crate) fn run_all(args: &BenchArgs) -> Result<Report, BenchError> {
    let started = Instant::now();
    let workloads = args.workloads()?;
    let sizes = args.sizes();
    let schedulers = args.schedulers();
    let mut report = Report {
        machine: Machine::describe(),
        quick: args.quick,
        runs: args.runs(),
        schedulers,
        erlang: None,
        workloads: Vec::new(),
        notes: Vec::new(),
        failures: Vec::new(),
        elapsed: Duration::ZERO,
    };
    let erlang = match Erlang::start() {
        Ok(Some(erl)) => {
            report.erlang = Some((erl.release().to_owned(), erl.erts().to_owned()));
            Some(erl)
        }
        Ok(None) => {
            let note = "erl/erlc not found on PATH: Erlang/OTP is not measured \
                        (install Debian's erlang-base and erlang-dev)";
            if std::env::var_os("CI").is_some() {
                report
                    .failures
                    .push(format!("{note}; under CI the Erlang peer is required"));
            }
            report.notes.push(note.to_owned());
            None
        }
        Err(e) => {
            report
                .failures
                .push(format!("cannot prepare the Erlang peer: {e}"));
            None
        }
    };
    table::print_header(&report);
    let exe = std::env::current_exe()
        .map_err(|e| BenchError::new(format!("cannot find the girder binary: {e}")))?;
    let timeout = Duration::from_secs(if args.quick { 120 } else { 900 });

    for (i, workload) in workloads.into_iter().enumerate() {
        table::print_workload(i + 1, workload);
        let mut cases = Vec::new();
        // Bytes per process measured in the previous idle-memory case, to
        // size the next one to the memory there is.
        let mut measured_bpp: BTreeMap<System, f64> = BTreeMap::new();
        for case in workload.cases(&sizes, schedulers) {
            let metrics = workload.metrics(&case);
            let mut rows: Vec<Row> = metrics
                .into_iter()
                .map(|metric| Row {
                    metric,
                    runs: BTreeMap::new(),
                })
                .collect();
            let mut notes = Vec::new();
            // Each system's case (sizes may be capped) and number of runs.
            let mut plans: Vec<(System, Case, u32)> = Vec::new();
            for &system in workload.systems() {
                if system == System::Erlang && erlang.is_none() {
                    continue;
                }
                let mut case = case.clone();
                let mut runs = report.runs;
                if workload == Workload::IdleMemory {
                    let n = case.args[0];
                    let bpp = measured_bpp
                        .get(&system)
                        .copied()
                        .unwrap_or_else(|| default_bytes_per_process(system));
                    if let Some(capped) = memory_cap(n, bpp) {
                        notes.push(format!(
                            "{system}: {} processes would need ~{:.1} GiB, more than {:.0}% of \
                             the memory available; measured with {} instead",
                            thousands(n),
                            n as f64 * bpp / f64::from(1u32 << 30),
                            MEMORY_SHARE * 100.0,
                            thousands(capped)
                        ));
                        case.args[0] = capped;
                    }
                    if n >= 5_000_000 && runs > 1 {
                        // RSS per process barely moves between runs; a run
                        // of millions takes long.
                        runs = 1;
                    }
                }
                plans.push((system, case, runs));
            }
            let mut outcomes = run_in_turns(&plans, erlang.as_ref(), &exe, args, workload, timeout);
            for (system, case, runs) in &plans {
                let (system, runs) = (*system, *runs);
                let Some(outcome) = outcomes.remove(&system) else {
                    continue;
                };
                match outcome {
                    Ok(out) => {
                        for note in &out.notes {
                            notes.push(format!("{system}: {note}"));
                        }
                        for row in &mut rows {
                            if !workload.reported_by(&row.metric).contains(&system) {
                                continue;
                            }
                            // Girder <-> Erlang needs erl (its absence is
                            // reported once, above).
                            if erlang.is_none() && Workload::erlang_baseline(&row.metric).is_some()
                            {
                                continue;
                            }
                            let values = out.values(&row.metric.key);
                            if values.len() != runs as usize {
                                report.failures.push(format!(
                                    "{workload} {}: {system} reported {} of {} runs of {}",
                                    case.key,
                                    values.len(),
                                    runs,
                                    row.metric.key
                                ));
                            }
                            if !values.is_empty() {
                                row.runs.insert(system, values);
                            }
                        }
                        if let Some(rss) = rows
                            .iter()
                            .find(|r| r.metric.key.ends_with(".rss"))
                            .and_then(|r| r.median(system))
                        {
                            measured_bpp.insert(system, rss);
                        }
                    }
                    Err(e) => report
                        .failures
                        .push(format!("{workload} {} on {system}: {e}", case.key)),
                }
            }
            table::clear_progress();
            fill_erlang_baselines(&mut rows);
            let case_report = CaseReport { case, rows, notes };
            table::print_case(&case_report, report.erlang.is_some());
            cases.push(case_report);
        }
        report.workloads.push(WorkloadReport { workload, cases });
    }
    report.elapsed = started.elapsed();
    table::print_footer(&report);
    Ok(report)
}

/// Puts in the erlang column of each Girder <-> Erlang row the Erlang <->
/// Erlang runs it is compared with ([`Workload::erlang_baseline`]).
fn fill_erlang_baselines(rows: &mut [Row]) {
    let copies: Vec<(usize, Vec<f64>)> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, row)| {
            let base = Workload::erlang_baseline(&row.metric)?;
            let runs = rows
                .iter()
                .find(|r| r.metric.key == base)?
                .runs
                .get(&System::Erlang)?;
            Some((i, runs.clone()))
        })
        .collect();
    for (i, runs) in copies {
        rows[i].runs.insert(System::Erlang, runs);
    }
}

/// The process count to measure instead of `n` when `n` processes of
/// `bytes_per_process` would take more than [`MEMORY_SHARE`] of the
/// memory available (rounded down to a round number), or `None` when `n`
/// fits (or the memory available is unknown).
fn memory_cap(n: u64, bytes_per_process: f64) -> Option<u64> {
    let available = girder_bench::mem::mem_available()? as f64 * MEMORY_SHARE;
    let need = n as f64 * bytes_per_process * 1.15;
    if need <= available {
        return None;
    }
    let fits = (available / (bytes_per_process * 1.15)) as u64;
    let step = if fits >= 1_000_000 {
        1_000_000
    } else {
        100_000
    };
    Some((fits / step * step).max(step))
}

/// Runs each planned system's case its number of times, the systems taking
/// turns, one run each per round: a machine whose speed drifts over minutes
/// (a shared VM) then slows or speeds every system alike, instead of
/// whichever ran during a slow spell. A system that fails runs no more.
fn run_in_turns(
    plans: &[(System, Case, u32)],
    erlang: Option<&Erlang>,
    exe: &std::path::Path,
    args: &BenchArgs,
    workload: Workload,
    timeout: Duration,
) -> BTreeMap<System, Result<RunOutput, BenchError>> {
    let mut outcomes: BTreeMap<System, Result<RunOutput, BenchError>> = plans
        .iter()
        .map(|(system, _, _)| (*system, Ok(RunOutput::default())))
        .collect();
    let rounds = plans.iter().map(|(_, _, runs)| *runs).max().unwrap_or(0);
    for round in 0..rounds {
        for (system, case, runs) in plans {
            let Some(Ok(so_far)) = outcomes.get_mut(system) else {
                continue;
            };
            if round >= *runs {
                continue;
            }
            table::progress(workload, case, *system);
            match run_system(erlang, exe, args, workload, case, *system, timeout) {
                Ok(out) => {
                    so_far.samples.extend(out.samples);
                    for note in out.notes {
                        if !so_far.notes.contains(&note) {
                            so_far.notes.push(note);
                        }
                    }
                }
                Err(e) => {
                    outcomes.insert(*system, Err(e));
                }
            }
        }
    }
    outcomes
}

/// Runs `case` once on `system`, in an OS process of its own, and returns
/// the figures it printed.
fn run_system(
    erlang: Option<&Erlang>,
    exe: &std::path::Path,
    args: &BenchArgs,
    workload: Workload,
    case: &Case,
    system: System,
    timeout: Duration,
) -> Result<RunOutput, BenchError> {
    match system {
        System::Erlang => {
            let erl = erlang.ok_or_else(|| BenchError::new("no erl"))?;
            erl.run(workload, case, 1, timeout)
        }
        System::Girder | System::Tokio => {
            let mut cmd = Command::new(exe);
            cmd.args(["bench", "--internal", workload.name(), system.name()])
                .args(["--case", &case.key])
                .args(["--runs", "1"])
                .args(["--schedulers", &args.schedulers().to_string()])
                .args(["--n", &case.args[0].to_string()]);
            if args.quick {
                cmd.arg("--quick");
            }
            if let Some(erl) = erlang {
                cmd.env(girder_bench::ERL_DIR_ENV, erl.dir());
            }
            run_command(
                cmd,
                timeout,
                &format!("{system} ({} {})", workload.name(), case.key),
            )
        }
    }
}
