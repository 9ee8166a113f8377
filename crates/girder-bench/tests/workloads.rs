//! Every workload runs on every system at a tiny size and reports every
//! figure it promises. No test looks at a number's size: timings live in
//! `girder bench`, not in tests.
//!
//! The Erlang tests need `erl` and `erlc` on the PATH; without them they
//! pass with a note, except under CI (the `CI` variable set), where a
//! missing `erl` fails them. The same holds for the `dist` workload's
//! Girder <-> Erlang figures, which the Girder runner measures against an
//! `erl` node it starts.

use girder_bench::{Case, Erlang, Sizes, System, Workload};

/// `workload`'s first case, shrunk to `args` (and 2 schedulers, or 1 for
/// ping-pong's first case).
fn tiny(workload: Workload, args: &[u64]) -> Case {
    let mut case = workload.cases(&Sizes::quick(), 2).remove(0);
    case.args = args.to_vec();
    case
}

/// Tiny arguments for each workload (see each workload's doc).
fn tiny_cases() -> Vec<(Workload, Case)> {
    [
        (Workload::SpawnExit, &[2_000][..]),
        (Workload::IdleMemory, &[2_000]),
        (Workload::PingPong, &[2_000]),
        (Workload::Ring, &[100, 3]),
        (Workload::Skynet, &[1_000]),
        (Workload::FanIn, &[10, 100]),
        (Workload::Timers, &[1_000, 20]),
        (Workload::Fairness, &[10, 10]),
        (Workload::SelectiveReceive, &[100, 100]),
        (Workload::Dist, &[300, 50, 0]),
    ]
    .into_iter()
    .map(|(w, args)| (w, tiny(w, args)))
    .collect()
}

/// Whether `erl` and `erlc` are on the PATH.
fn have_erl() -> bool {
    girder_bench::on_path("erl").is_some() && girder_bench::on_path("erlc").is_some()
}

/// Asserts that `samples` hold one positive (or, for memory, non-negative)
/// value per run of each figure `system` reports.
fn assert_reports(workload: Workload, case: &Case, system: System, keys: &[String], runs: usize) {
    for metric in workload.metrics(case) {
        let n = keys.iter().filter(|k| **k == metric.key).count();
        // Girder <-> Erlang figures need erl (under CI the runner fails
        // without it, so the test fails before it gets here).
        let needs_erl = Workload::erlang_baseline(&metric).is_some();
        let expected =
            if workload.reported_by(&metric).contains(&system) && (!needs_erl || have_erl()) {
                runs
            } else {
                0
            };
        assert_eq!(
            n, expected,
            "{workload} on {system}: {} reported {n} times, expected {expected}; got {keys:?}",
            metric.key
        );
    }
}

mod rust {
    use super::*;

    fn run(system: System) {
        for (workload, case) in tiny_cases() {
            if !workload.systems().contains(&system) {
                assert!(workload.run_rust(system, &case).is_err(), "{workload}");
                continue;
            }
            let samples = workload
                .run_rust(system, &case)
                .unwrap_or_else(|e| panic!("{workload} on {system}: {e}"));
            for s in &samples {
                assert!(s.value.is_finite() && s.value >= 0.0, "{workload}: {s}");
            }
            let keys: Vec<String> = samples.into_iter().map(|s| s.key).collect();
            assert_reports(workload, &case, system, &keys, 1);
        }
    }

    #[test]
    fn every_workload_reports_on_girder() {
        run(System::Girder);
    }

    #[test]
    fn every_workload_reports_on_tokio() {
        run(System::Tokio);
    }

    /// Both message kinds of the dist workload, and its Girder <-> Erlang
    /// figures when erl is here.
    #[test]
    fn dist_reports_both_cases_on_girder() {
        for mut case in Workload::Dist.cases(&Sizes::quick(), 2) {
            case.args[0] = 200;
            case.args[1] = 20;
            let samples = Workload::Dist
                .run_rust(System::Girder, &case)
                .unwrap_or_else(|e| panic!("dist {} on girder: {e}", case.key));
            assert!(samples.iter().all(|s| s.value > 0.0), "{samples:?}");
            let keys: Vec<String> = samples.into_iter().map(|s| s.key).collect();
            assert_reports(Workload::Dist, &case, System::Girder, &keys, 1);
            if have_erl() {
                assert!(keys.contains(&format!("{}.eg_rate", case.key)), "{keys:?}");
            }
        }
    }

    #[test]
    fn erlang_is_not_a_rust_runner() {
        let (w, case) = tiny_cases().remove(0);
        assert!(w.run_rust(System::Erlang, &case).is_err());
    }
}

mod erlang {
    use super::*;

    /// The Erlang peer, or `None` (with a note) when erl is missing outside
    /// CI. Under CI a missing erl fails the test.
    fn peer() -> Option<Erlang> {
        match Erlang::start().expect("erlc compiles bench/erlang and erl starts") {
            Some(erl) => Some(erl),
            None if std::env::var_os("CI").is_some() => {
                panic!("erl/erlc not on PATH: under CI the Erlang peer is required")
            }
            None => {
                eprintln!("note: no erl on PATH; the Erlang workloads are not tested");
                None
            }
        }
    }

    #[test]
    fn every_workload_reports_on_erlang() {
        let Some(erl) = peer() else { return };
        assert!(!erl.release().is_empty() && !erl.erts().is_empty());
        for (workload, case) in tiny_cases() {
            let out = erl
                .run(workload, &case, 2, std::time::Duration::from_secs(120))
                .unwrap_or_else(|e| panic!("{workload} on erlang: {e}"));
            let keys: Vec<String> = out.samples.iter().map(|s| s.key.clone()).collect();
            assert_reports(workload, &case, System::Erlang, &keys, 2);
        }
    }

    #[test]
    fn an_erlang_failure_is_an_error_with_its_reason() {
        let Some(erl) = peer() else { return };
        // gb_spawn_exit:run/1 takes one argument: two are a function_clause.
        let case = tiny(Workload::SpawnExit, &[10, 10]);
        let err = erl
            .run(
                Workload::SpawnExit,
                &case,
                1,
                std::time::Duration::from_secs(60),
            )
            .expect_err("a wrong argument list fails");
        assert!(err.message().contains("error"), "{err}");
    }
}
