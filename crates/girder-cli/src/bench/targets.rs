//! The targets Girder is held to (DESIGN §7 and the benchmark issue),
//! checked against a run's medians.

use girder_bench::{System, Workload};

use super::runner::Report;

/// What a target asks of a figure.
#[derive(Debug, Clone, Copy)]
enum Goal {
    /// Girder at least `times` better than `peer` (strictly better when
    /// `times` is 1).
    Ratio { peer: System, times: f64 },
    /// Girder's median at most this (in the figure's unit).
    AtMost(f64),
}

/// A target: which figures of which workload, and the goal.
#[derive(Debug)]
struct Target {
    text: &'static str,
    workload: Workload,
    /// The figure's name (the key after the case).
    figure: &'static str,
    /// Only this case (by key), or every case.
    case: Option<&'static str>,
    goal: Goal,
}

const fn ratio(
    text: &'static str,
    workload: Workload,
    figure: &'static str,
    case: Option<&'static str>,
    peer: System,
    times: f64,
) -> Target {
    Target {
        text,
        workload,
        figure,
        case,
        goal: Goal::Ratio { peer, times },
    }
}

const fn at_most(
    text: &'static str,
    workload: Workload,
    figure: &'static str,
    case: Option<&'static str>,
    max: f64,
) -> Target {
    Target {
        text,
        workload,
        figure,
        case,
        goal: Goal::AtMost(max),
    }
}

const TARGETS: [Target; 17] = {
    use System::{Erlang, Tokio};
    use Workload::{Dist, IdleMemory, PingPong, Ring, Skynet, SpawnExit};
    [
        ratio(
            "spawn+exit, sequential: >= 10x faster than Erlang",
            SpawnExit,
            "sequential",
            None,
            Erlang,
            10.0,
        ),
        ratio(
            "spawn+exit, batch: >= 10x faster than Erlang",
            SpawnExit,
            "batch",
            None,
            Erlang,
            10.0,
        ),
        ratio(
            "spawn+exit, sequential: >= 2x faster than tokio",
            SpawnExit,
            "sequential",
            None,
            Tokio,
            2.0,
        ),
        ratio(
            "spawn+exit, batch: >= 2x faster than tokio",
            SpawnExit,
            "batch",
            None,
            Tokio,
            2.0,
        ),
        at_most(
            "spawn+exit, batch: <= 100 ns",
            SpawnExit,
            "batch",
            None,
            100.0,
        ),
        at_most(
            "idle process: <= 256 B (RSS)",
            IdleMemory,
            "rss",
            None,
            256.0,
        ),
        ratio(
            "idle process: >= 10x smaller than Erlang (RSS)",
            IdleMemory,
            "rss",
            None,
            Erlang,
            10.0,
        ),
        ratio(
            "ping-pong, 1 scheduler: >= 3x faster than Erlang",
            PingPong,
            "mean",
            Some("1s"),
            Erlang,
            3.0,
        ),
        ratio(
            "ping-pong, 1 scheduler: faster than tokio",
            PingPong,
            "mean",
            Some("1s"),
            Tokio,
            1.0,
        ),
        at_most(
            "ping-pong, 1 scheduler: <= 150 ns",
            PingPong,
            "mean",
            Some("1s"),
            150.0,
        ),
        ratio(
            "ring: >= 3x faster than Erlang",
            Ring,
            "hop",
            None,
            Erlang,
            3.0,
        ),
        ratio("ring: faster than tokio", Ring, "hop", None, Tokio, 1.0),
        at_most("ring: <= 100 ns per hop", Ring, "hop", None, 100.0),
        ratio(
            "skynet: >= 3x faster than Erlang",
            Skynet,
            "wall",
            None,
            Erlang,
            3.0,
        ),
        ratio(
            "skynet: faster than tokio",
            Skynet,
            "wall",
            None,
            Tokio,
            1.0,
        ),
        at_most(
            "skynet, 1M leaves: <= 200 ms",
            Skynet,
            "wall",
            Some("1M"),
            200_000_000.0,
        ),
        ratio(
            "dist: Girder<->Girder >= 2x Erlang<->Erlang messages/s",
            Dist,
            "rate",
            None,
            Erlang,
            2.0,
        ),
    ]
};

/// A target checked against a run.
#[derive(Debug, Clone)]
pub(crate) struct Check {
    pub(crate) target: String,
    /// `None` when the run measured none of its figures.
    pub(crate) met: Option<bool>,
    /// Each figure's value or ratio.
    pub(crate) detail: String,
}

/// Checks every target against `report`'s medians.
pub(crate) fn evaluate(report: &Report) -> Vec<Check> {
    TARGETS
        .iter()
        .map(|target| {
            let mut met = None;
            let mut detail = Vec::new();
            let rows = report
                .workloads
                .iter()
                .filter(|w| w.workload == target.workload)
                .flat_map(|w| &w.cases)
                .filter(|c| target.case.is_none_or(|k| c.case.key == k))
                .flat_map(|c| c.rows.iter().map(move |r| (c, r)))
                .filter(|(c, r)| r.metric.key == format!("{}.{}", c.case.key, target.figure));
            for (case, row) in rows {
                let (ok, shown) = match target.goal {
                    Goal::Ratio { peer, times } => {
                        let Some(r) = row.ratio(peer) else { continue };
                        let ok = if times <= 1.0 { r > times } else { r >= times };
                        (ok, row.metric.better.describe(row.metric.unit, r))
                    }
                    Goal::AtMost(max) => {
                        let Some(v) = row.median(System::Girder) else {
                            continue;
                        };
                        let mut shown = row.metric.unit.format(v);
                        if v > max {
                            shown.push_str(&format!(" ({:.0}% over)", 100.0 * (v - max) / max));
                        }
                        (v <= max, shown)
                    }
                };
                met = Some(met.unwrap_or(true) && ok);
                detail.push(format!("{}: {shown}", case.case.key));
            }
            Check {
                target: target.text.to_owned(),
                met,
                detail: detail.join(", "),
            }
        })
        .collect()
}
