//! The `girder` binary, run as a user runs it: exit codes and the lines of
//! output that carry the demo's claims. Sizes are kept small so the tests
//! stay fast; no test asserts a timing.

use std::process::{Command, Output};

/// Runs the built `girder` binary with `args`.
fn girder(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_girder"))
        .args(args)
        .output()
        .expect("the girder binary runs")
}

/// Runs `girder args`, asserts it succeeded, and returns its stdout.
fn girder_ok(args: &[&str]) -> String {
    let out = girder(args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "girder {args:?} failed with {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    stdout
}

/// Asserts that `text` contains each of `needles`.
fn assert_contains(text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(
            text.contains(needle),
            "output lacks {needle:?}; output:\n{text}"
        );
    }
}

mod help {
    use super::*;

    #[test]
    fn top_level_help_names_demo() {
        let out = girder_ok(&["--help"]);
        assert_contains(&out, &["Usage: girder", "demo"]);
    }

    #[test]
    fn demo_help_explains_each_part() {
        let out = girder_ok(&["demo", "--help"]);
        assert_contains(
            &out,
            &[
                "spawn",
                "fairness",
                "crash",
                "1,000,000 processes",
                "girder::blocking",
                "Erlang",
            ],
        );
        for part in ["spawn", "fairness", "crash"] {
            let out = girder_ok(&["demo", part, "--help"]);
            assert_contains(&out, &[&format!("Usage: girder demo {part}")]);
        }
    }

    #[test]
    fn unknown_part_is_an_error() {
        let out = girder(&["demo", "nonsense"]);
        assert!(!out.status.success());
        assert_eq!(out.status.code(), Some(2), "clap's usage error code");
    }
}

mod demo {
    use super::*;

    #[test]
    fn crash_shows_erlang_exit_semantics() {
        let out = girder_ok(&["demo", "crash"]);
        assert_contains(
            &out,
            &[
                // A trapped panic of a linked process.
                "receives {'EXIT',<0.",
                ",{panic,\"index out of bounds",
                // A monitor of a killed process.
                "receives {'DOWN',#Ref<",
                ",killed}",
                // A custom reason, seen by the linked process's monitor too.
                ",{bad_order,42}}",
                "exit(",
                ", {bad_order,7}) arrives as a message",
                // Normal exits do not propagate.
                "does not trap exits and is still running",
                // Panics never take a scheduler down.
                "1,000 processes panicked",
                "received 1,000 DOWN messages with {panic,...}",
                "1,000 processes spawned afterwards all ran",
            ],
        );
        // Process panics become crash reports, not stderr noise.
        let err = String::from_utf8_lossy(&girder(&["demo", "crash"]).stderr).into_owned();
        assert!(!err.contains("panicked at"), "stderr:\n{err}");
    }

    #[test]
    fn spawn_reports_time_and_memory_per_process() {
        let out = girder_ok(&["demo", "spawn", "--processes", "100000"]);
        assert_contains(
            &out,
            &[
                "spawn: 100,000 processes that wait in receive",
                "spawn, run to receive, wait",
                "processes alive",
                "100,00",
                ").memory",
                "status Waiting, 0 messages",
                "send each its message, it exits",
                "spawn + exit of an empty process",
                " ns ",
            ],
        );
        if std::path::Path::new("/proc/self/statm").exists() {
            assert_contains(
                &out,
                &["resident memory (RSS) grew by", "that is, per process"],
            );
        }
    }

    #[test]
    fn fairness_quick_completes_every_chatty_process() {
        let out = girder_ok(&["demo", "fairness", "--quick"]);
        assert_contains(
            &out,
            &[
                "chatty processes alone",
                "chatty, beside the heavy process",
                "heavy process, beside the chatty",
                "all 10,000 chatty processes completed beside the heavy one",
                "jobs inline in processes",
                "jobs in girder::blocking",
            ],
        );
    }

    #[test]
    fn fairness_sizes_are_adjustable() {
        let out = girder_ok(&[
            "demo", "fairness", "--quick", "--pairs", "100", "--rounds", "3",
        ]);
        assert_contains(
            &out,
            &[
                "100 ping-pong pairs, 3 round trips each",
                "all 200 chatty processes completed",
            ],
        );
    }
}
