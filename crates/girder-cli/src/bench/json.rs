//! `--json FILE`: the run's figures, machine-readable.
//!
//! One object: `machine`, `command`, the run's settings, `erlang` (release
//! and erts version, or null), `workloads` (each with its cases, each case
//! with its metrics: unit, which way is better, every system's runs and
//! median, and Girder's ratio against each peer), `targets` and `failures`.

use std::collections::BTreeMap;
use std::path::Path;

use girder_bench::{BenchError, Better, System};
use serde::Serialize;

use super::runner::Report;
use super::targets::Check;

#[derive(Debug, Serialize)]
struct Json<'a> {
    format: u32,
    command: String,
    machine: Machine<'a>,
    quick: bool,
    runs: u32,
    schedulers: usize,
    erlang: Option<Erlang<'a>>,
    elapsed_seconds: f64,
    notes: &'a [String],
    failures: &'a [String],
    workloads: Vec<Workload<'a>>,
    targets: Vec<Target<'a>>,
}

#[derive(Debug, Serialize)]
struct Machine<'a> {
    cpu: &'a str,
    cores: usize,
    memory_bytes: Option<u64>,
    os: &'a str,
    kernel: &'a str,
    arch: &'a str,
    date_utc: &'a str,
    girder_version: &'a str,
    load_average: &'a str,
}

#[derive(Debug, Serialize)]
struct Erlang<'a> {
    otp_release: &'a str,
    erts_version: &'a str,
}

#[derive(Debug, Serialize)]
struct Workload<'a> {
    name: &'a str,
    title: &'a str,
    about: &'a str,
    cases: Vec<Case<'a>>,
}

#[derive(Debug, Serialize)]
struct Case<'a> {
    key: &'a str,
    label: &'a str,
    schedulers: usize,
    args: &'a [u64],
    notes: &'a [String],
    metrics: Vec<Metric<'a>>,
}

#[derive(Debug, Serialize)]
struct Metric<'a> {
    key: &'a str,
    label: &'a str,
    unit: &'a str,
    better: &'a str,
    systems: BTreeMap<&'a str, Runs<'a>>,
    /// Girder's ratio against each peer: above 1, Girder is better.
    girder_ratio: BTreeMap<&'a str, f64>,
}

#[derive(Debug, Serialize)]
struct Runs<'a> {
    median: Option<f64>,
    runs: &'a [f64],
}

#[derive(Debug, Serialize)]
struct Target<'a> {
    target: &'a str,
    met: Option<bool>,
    detail: &'a str,
}

/// Writes `report` and `checks` to `path` as JSON.
pub(crate) fn write(path: &Path, report: &Report, checks: &[Check]) -> Result<(), BenchError> {
    let m = &report.machine;
    let json = Json {
        format: 1,
        command: std::env::args().collect::<Vec<_>>().join(" "),
        machine: Machine {
            cpu: &m.cpu,
            cores: m.cores,
            memory_bytes: m.memory,
            os: &m.os,
            kernel: &m.kernel,
            arch: m.arch,
            date_utc: &m.date,
            girder_version: m.girder,
            load_average: &m.load,
        },
        quick: report.quick,
        runs: report.runs,
        schedulers: report.schedulers,
        erlang: report.erlang.as_ref().map(|(release, erts)| Erlang {
            otp_release: release,
            erts_version: erts,
        }),
        elapsed_seconds: report.elapsed.as_secs_f64(),
        notes: &report.notes,
        failures: &report.failures,
        workloads: report
            .workloads
            .iter()
            .map(|w| Workload {
                name: w.workload.name(),
                title: w.workload.title(),
                about: w.workload.about(),
                cases: w
                    .cases
                    .iter()
                    .map(|c| Case {
                        key: &c.case.key,
                        label: &c.case.label,
                        schedulers: c.case.schedulers,
                        args: &c.case.args,
                        notes: &c.notes,
                        metrics: c
                            .rows
                            .iter()
                            .map(|row| Metric {
                                key: &row.metric.key,
                                label: &row.metric.label,
                                unit: row.metric.unit.name(),
                                better: match row.metric.better {
                                    Better::Lower => "lower",
                                    Better::Higher => "higher",
                                },
                                systems: row
                                    .runs
                                    .iter()
                                    .map(|(system, runs)| {
                                        (
                                            system.name(),
                                            Runs {
                                                median: row.median(*system),
                                                runs,
                                            },
                                        )
                                    })
                                    .collect(),
                                girder_ratio: System::PEERS
                                    .iter()
                                    .filter_map(|&p| Some((p.name(), row.ratio(p)?)))
                                    .collect(),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        targets: checks
            .iter()
            .map(|c| Target {
                target: &c.target,
                met: c.met,
                detail: &c.detail,
            })
            .collect(),
    };
    let text = serde_json::to_string_pretty(&json)
        .map_err(|e| BenchError::new(format!("cannot write JSON: {e}")))?;
    std::fs::write(path, text + "\n")
        .map_err(|e| BenchError::new(format!("cannot write {}: {e}", path.display())))
}
