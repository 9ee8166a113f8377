//! What `girder bench` prints: a header, a table per case as soon as it is
//! measured (each system's median, Girder's ratio against each peer), and
//! the targets.

use std::io::{IsTerminal, Write};

use girder_bench::{Case, System, Workload, thousands};

use super::runner::{CaseReport, Report};
use super::targets::Check;

/// Width of a value column.
const VALUE: usize = 11;
/// Width of a ratio column.
const RATIO: usize = 16;

pub(crate) fn print_header(report: &Report) {
    let m = &report.machine;
    println!("girder bench: Girder vs Erlang/OTP vs tokio, the same workloads in one run");
    println!(
        "  machine: {} ({} cores), {}, {} {}, {}, load average {}",
        m.cpu,
        m.cores,
        m.memory.map_or_else(
            || "memory unknown".to_owned(),
            |b| format!("{:.1} GiB", b as f64 / f64::from(1u32 << 30))
        ),
        m.os,
        m.kernel,
        m.date,
        m.load
    );
    match &report.erlang {
        Some((release, erts)) => {
            println!("  erlang:  Erlang/OTP {release} (erts {erts}), erl -noshell +S N:N")
        }
        None => println!("  erlang:  not measured"),
    }
    println!(
        "  sizes:   {}; each figure the median of {} run{}; {} schedulers unless a case says otherwise",
        if report.quick { "--quick" } else { "full" },
        report.runs,
        if report.runs == 1 { "" } else { "s" },
        report.schedulers
    );
    println!(
        "  ratios:  how many times better Girder is than the peer (above 1: faster or smaller)"
    );
    for note in &report.notes {
        println!("  note:    {note}");
    }
}

pub(crate) fn print_workload(n: usize, workload: Workload) {
    println!();
    println!("{n}. {} [{}]", workload.title(), workload.name());
}

/// Shows which system is running, on a terminal only.
pub(crate) fn progress(workload: Workload, case: &Case, system: System) {
    let mut err = std::io::stderr();
    if err.is_terminal() {
        let _ = write!(
            err,
            "\r\x1b[K   running {workload} {} on {system} ...",
            case.key
        );
        let _ = err.flush();
    }
}

pub(crate) fn clear_progress() {
    let mut err = std::io::stderr();
    if err.is_terminal() {
        let _ = write!(err, "\r\x1b[K");
        let _ = err.flush();
    }
}

pub(crate) fn print_case(case: &CaseReport, with_erlang: bool) {
    let label_width = case
        .rows
        .iter()
        .map(|r| r.metric.label.chars().count())
        .chain([case.case.label.chars().count()])
        .max()
        .unwrap_or(0)
        + 2;
    let mut header = format!("   {:<label_width$}", case.case.label);
    for system in System::ALL {
        header.push_str(&format!("{:>VALUE$}", system.name()));
    }
    if with_erlang {
        header.push_str(&format!("{:>RATIO$}", "vs erlang"));
    }
    header.push_str(&format!("{:>RATIO$}", "vs tokio"));
    println!("{header}");
    for row in &case.rows {
        if row.runs.is_empty() {
            continue;
        }
        let mut line = format!("   {:<label_width$}", row.metric.label);
        for system in System::ALL {
            let value = row
                .median(system)
                .map_or_else(|| "-".to_owned(), |v| row.metric.unit.format(v));
            line.push_str(&format!("{value:>VALUE$}"));
        }
        for peer in System::PEERS {
            if peer == System::Erlang && !with_erlang {
                continue;
            }
            let ratio = row.ratio(peer).map_or_else(
                || "-".to_owned(),
                |r| row.metric.better.describe(row.metric.unit, r),
            );
            line.push_str(&format!("{ratio:>RATIO$}"));
        }
        println!("{line}");
    }
    for note in &case.notes {
        println!("   note: {note}");
    }
}

pub(crate) fn print_footer(report: &Report) {
    println!();
    println!("measured in {:.0} s", report.elapsed.as_secs_f64());
}

pub(crate) fn print_targets(checks: &[Check], quick: bool) {
    println!();
    println!("targets (DESIGN §7 and the benchmark issue)");
    if quick {
        println!(
            "   (--quick sizes: fixed costs weigh more at small sizes; judge targets on a full run)"
        );
    }
    let width = checks
        .iter()
        .map(|c| c.target.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    for check in checks {
        let verdict = match check.met {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "not measured",
        };
        println!("   {:<width$}{verdict:<14}{}", check.target, check.detail);
    }
    let missed = checks.iter().filter(|c| c.met == Some(false)).count();
    let met = checks.iter().filter(|c| c.met == Some(true)).count();
    println!(
        "   {} of {} targets met, {} missed",
        thousands(met as u64),
        thousands(checks.len() as u64),
        thousands(missed as u64)
    );
}
