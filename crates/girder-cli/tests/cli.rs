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

/// Kills a child process when dropped, also when a test fails.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Whether `erl` is here; with CI set it must be.
fn have_erl() -> bool {
    let found = Command::new("erl")
        .args(["-noshell", "-eval", "halt()."])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found || std::env::var_os("CI").is_none(),
        "CI is set but erl is missing: install erlang-base"
    );
    found
}

/// Starts `girder epmd --port 0` and returns it with the port it chose.
fn start_epmd() -> (Running, u16) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_girder"))
        .args(["epmd", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("girder epmd starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let running = Running(child);
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
        .expect("girder epmd prints its address");
    let port = line
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    (running, port)
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
        for part in ["spawn", "fairness", "crash", "supervise"] {
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
    fn dist_fails_the_service_over_twice() {
        let out = girder_ok(&["demo", "dist"]);
        assert_contains(
            &out,
            &[
                "3 girder nodes on 127.0.0.1 (embedded EPMD on port ",
                "[start]    tickets runs on a@127.0.0.1",
                "[client c] ticket 3 from a@127.0.0.1",
                "[kill]     node a@127.0.0.1 killed",
                "[failover] tickets started on b@127.0.0.1, ",
                "[client c] ticket 1 from b@127.0.0.1: the client reached the new instance",
                "[kill]     node b@127.0.0.1 killed",
                "[failover] tickets started on c@127.0.0.1, ",
                "[client c] ticket 1 from c@127.0.0.1",
                "a@127.0.0.1 -> b@127.0.0.1 -> c@127.0.0.1",
                "instances running now                           1",
            ],
        );
        let help = girder_ok(&["demo", "dist", "--help"]);
        assert_contains(&help, &["Usage: girder demo dist", "takes over"]);
    }

    #[test]
    fn supervise_repairs_every_crash_and_escalates() {
        let out = girder_ok(&[
            "demo",
            "supervise",
            "--calls",
            "2000",
            "--crash-one-in",
            "8",
        ]);
        assert_contains(
            &out,
            &[
                "[restart] pool-worker-",
                "answers received                            2,000   0 wrong",
                "the pool supervisor is still <0.",
                "[escalate] after ",
                "exits with shutdown (supervisor report: reached_max_restart_intensity)",
                "the top supervisor restarted the pool as <0.",
                "all 4/4 workers answer again",
            ],
        );
        // Worker panics become crash reports, not stderr noise.
        let err = String::from_utf8_lossy(&girder(&["demo", "supervise", "--calls", "100"]).stderr)
            .into_owned();
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

mod bench {
    use super::*;

    /// A path in the temporary directory unique to this test process.
    fn temp_file(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("girder-cli-test-{}-{name}", std::process::id()))
    }

    /// Whether the Erlang peer must be there: erl is on the PATH, or CI
    /// requires it (then a missing erl fails the command, and the test).
    fn expect_erlang() -> bool {
        std::env::var_os("CI").is_some() || girder_bench::on_path("erl").is_some()
    }

    #[test]
    fn help_names_every_workload_and_option() {
        assert_contains(&girder_ok(&["--help"]), &["bench"]);
        let out = girder_ok(&["bench", "--help"]);
        assert_contains(
            &out,
            &[
                "Usage: girder bench",
                "--quick",
                "--json",
                "--svg",
                "--runs",
                "--schedulers",
                "--only",
                "Erlang",
                "tokio",
            ],
        );
        for w in girder_bench::Workload::ALL {
            assert_contains(&out, &[w.name()]);
        }
        assert!(!out.contains("--internal"), "internal options are hidden");
    }

    #[test]
    fn unknown_workload_is_an_error() {
        let out = girder(&["bench", "--quick", "--only", "nonsense"]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("no workload \"nonsense\""), "{err}");
    }

    #[test]
    fn internal_runner_prints_one_line_per_figure_and_run() {
        let out = girder_ok(&[
            "bench",
            "--internal",
            "selective_receive",
            "girder",
            "--case",
            "10k",
            "--quick",
            "--runs",
            "2",
            "--n",
            "100",
        ]);
        let parsed = girder_bench::RunOutput::parse(&out);
        assert_eq!(parsed.values("10k.call").len(), 2, "{out}");
    }

    #[test]
    fn quick_subset_prints_tables_and_writes_json_and_svg() {
        let json = temp_file("bench.json");
        let svg = temp_file("bench.svg");
        let out = girder_ok(&[
            "bench",
            "--quick",
            "--runs",
            "1",
            "--only",
            "selective_receive,fan_in",
            "--json",
            json.to_str().expect("utf-8 temp path"),
            "--svg",
            svg.to_str().expect("utf-8 temp path"),
        ]);
        assert_contains(
            &out,
            &[
                "girder bench: Girder vs Erlang/OTP vs tokio",
                "selective receive",
                "[selective_receive]",
                "[fan_in]",
                "call answered by ref",
                "messages received per second",
                "vs tokio",
                "targets (DESIGN §7",
            ],
        );
        if expect_erlang() {
            assert_contains(&out, &["Erlang/OTP 25", "vs erlang"]);
        }

        let text = std::fs::read_to_string(&json).expect("the JSON file");
        let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(doc["quick"], true);
        assert!(doc["machine"]["cores"].as_u64().unwrap_or(0) >= 1);
        let workloads = doc["workloads"].as_array().expect("workloads");
        let names: Vec<&str> = workloads
            .iter()
            .filter_map(|w| w["name"].as_str())
            .collect();
        assert_eq!(
            names,
            ["selective_receive", "fan_in"],
            "in the order --only names them"
        );
        for w in workloads {
            for case in w["cases"].as_array().expect("cases") {
                for metric in case["metrics"].as_array().expect("metrics") {
                    let systems = &metric["systems"];
                    let mut expected = vec!["girder", "tokio"];
                    if expect_erlang() {
                        expected.push("erlang");
                    }
                    for system in expected {
                        let median = systems[system]["median"].as_f64();
                        assert!(median.is_some_and(|m| m > 0.0), "{system}: {metric}");
                    }
                    assert!(
                        metric["girder_ratio"]["tokio"].as_f64().is_some(),
                        "{metric}"
                    );
                }
            }
        }
        assert!(doc["targets"].as_array().is_some_and(|t| !t.is_empty()));

        let chart = std::fs::read_to_string(&svg).expect("the SVG file");
        assert!(
            chart.starts_with("<svg"),
            "{}",
            &chart[..chart.len().min(100)]
        );
        assert!(chart.contains("call answered by ref"));
        let _ = std::fs::remove_file(json);
        let _ = std::fs::remove_file(svg);
    }

    /// The dist workload: Girder <-> Girder beside Erlang <-> Erlang with a
    /// ratio, the Girder <-> Erlang rows, no tokio, and its target row.
    #[test]
    fn quick_dist_reports_every_pairing_and_its_target() {
        let json = temp_file("dist.json");
        let out = girder_ok(&[
            "bench",
            "--quick",
            "--runs",
            "1",
            "--only",
            "dist",
            "--json",
            json.to_str().expect("utf-8 temp path"),
        ]);
        assert_contains(
            &out,
            &[
                "[dist]",
                "{msg, I}",
                "{msg, I, <<1 KiB>>}",
                "stream, messages/s",
                "round trip, p99",
                "dist: Girder<->Girder >= 2x Erlang<->Erlang messages/s",
            ],
        );
        let text = std::fs::read_to_string(&json).expect("the JSON file");
        let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        let cases = doc["workloads"][0]["cases"].as_array().expect("cases");
        assert_eq!(cases.len(), 2);
        for case in cases {
            for metric in case["metrics"].as_array().expect("metrics") {
                let systems = &metric["systems"];
                assert!(systems["tokio"].is_null(), "no tokio: {metric}");
                let mixed = metric["key"]
                    .as_str()
                    .is_some_and(|k| k.contains(".ge_") || k.contains(".eg_"));
                if !mixed || expect_erlang() {
                    let median = systems["girder"]["median"].as_f64();
                    assert!(median.is_some_and(|m| m > 0.0), "girder: {metric}");
                }
                if expect_erlang() {
                    let median = systems["erlang"]["median"].as_f64();
                    assert!(median.is_some_and(|m| m > 0.0), "erlang: {metric}");
                    assert!(
                        metric["girder_ratio"]["erlang"].as_f64().is_some(),
                        "{metric}"
                    );
                }
            }
        }
        if expect_erlang() {
            assert_contains(&out, &["girder->erlang stream", "erlang->girder stream"]);
            let target = doc["targets"]
                .as_array()
                .and_then(|t| t.iter().find(|t| t.to_string().contains("Girder<->Girder")))
                .expect("the dist target");
            assert!(target.to_string().contains("small:"), "{target}");
        }
        let _ = std::fs::remove_file(json);
    }
}

mod epmd {
    use std::process::Command;

    use super::*;

    #[test]
    fn a_real_erl_node_registers_and_looks_itself_up() {
        if !have_erl() {
            eprintln!("skipped: erl is not installed");
            return;
        }
        let (_epmd, port) = start_epmd();
        let out = Command::new("erl")
            .env("ERL_EPMD_PORT", port.to_string())
            .args([
                "-noshell",
                "-name",
                "probe@127.0.0.1",
                "-kernel",
                "inet_dist_use_interface",
                "{127,0,0,1}",
                "-eval",
                "io:format(\"~p~n\", [net_adm:names()]), halt().",
            ])
            .output()
            .expect("erl runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("{ok,[{\"probe\","),
            "erl did not see itself in girder epmd: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn a_taken_port_is_a_clear_error() {
        let (_epmd, port) = start_epmd();
        let out = girder(&["epmd", "--port", &port.to_string()]);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("cannot listen on 127.0.0.1:{port}")),
            "{err}"
        );
    }

    #[test]
    fn help_says_what_it_is() {
        let out = girder_ok(&["epmd", "--help"]);
        assert_contains(&out, &["EPMD", "ERL_EPMD_PORT", "4369"]);
    }
}

mod node {
    use std::io::{BufRead, BufReader, Lines};
    use std::process::{ChildStdout, Command, Stdio};

    use super::*;

    /// A port that was free a moment ago on 127.0.0.1.
    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port")
    }

    /// Starts `girder node --name NAME --cookie c` with `ERL_EPMD_PORT=P`
    /// (it starts the embedded EPMD on `P`) and returns it with the port it
    /// listens on, read from the line it prints.
    fn start_node(name: &str, epmd_port: u16) -> (Running, u16) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_girder"))
            .env("ERL_EPMD_PORT", epmd_port.to_string())
            .args(["node", "--name", name, "--cookie", "c", "--schedulers", "1"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("girder node starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let running = Running(child);
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("girder node prints its name and port");
        assert!(line.starts_with(&format!("girder node: {name} ")), "{line}");
        let port = line
            .split("listening on 127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        (running, port)
    }

    /// Starts `erl -name NAME -setcookie c` evaluating `script`, with
    /// `ERL_EPMD_PORT` pointing at the girder node's embedded EPMD; returns
    /// its stdout lines. Every wait in a script is bounded by an `after`.
    fn erl(name: &str, epmd_port: u16, script: &str) -> (Running, Lines<BufReader<ChildStdout>>) {
        let mut child = Command::new("erl")
            .env("ERL_EPMD_PORT", epmd_port.to_string())
            .env_remove("ERL_EPMD_ADDRESS")
            .args([
                "-noshell",
                "-name",
                name,
                "-setcookie",
                "c",
                "-start_epmd",
                "false",
                "-kernel",
                "inet_dist_use_interface",
                "{127,0,0,1}",
                "-eval",
                script,
            ])
            .stdout(Stdio::piped())
            .spawn()
            .expect("erl starts");
        let lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        (Running(child), lines)
    }

    fn next_line(lines: &mut Lines<BufReader<ChildStdout>>) -> String {
        lines
            .next()
            .expect("erl printed another line")
            .expect("erl's stdout is readable")
    }

    /// A real erl node pings the girder node, and `echo` answers
    /// `{From, Term}` with `Term` for a rich term, by name and by the pid
    /// `echo` answered from.
    #[test]
    fn a_real_erl_node_pings_and_gets_echoes() {
        if !have_erl() {
            eprintln!("skipped: erl is not installed");
            return;
        }
        let epmd = free_port();
        let (_node, _port) = start_node("echo@127.0.0.1", epmd);
        let (_erl, mut out) = erl(
            "probe@127.0.0.1",
            epmd,
            "N = 'echo@127.0.0.1', io:format(\"~p~n\", [net_adm:ping(N)]), \
             T = {hello, self(), <<\"bin\">>, [1, 2.5, atom], #{k => v}}, \
             {echo, N} ! {self(), T}, \
             R = receive T -> same after 10000 -> timeout end, \
             io:format(\"~p~n\", [R]), \
             io:format(\"~p~n\", [lists:member(N, nodes())]), halt().",
        );
        assert_eq!(next_line(&mut out), "pong");
        assert_eq!(next_line(&mut out), "same");
        assert_eq!(next_line(&mut out), "true");
    }

    /// erl monitors `{echo, Node}`; when the girder node's OS process is
    /// killed, erl gets `'DOWN'` with `noconnection` and a `nodedown`.
    #[test]
    fn killing_the_girder_node_is_noconnection_in_erl() {
        if !have_erl() {
            eprintln!("skipped: erl is not installed");
            return;
        }
        let epmd = free_port();
        let (mut node, _port) = start_node("victim@127.0.0.1", epmd);
        let (_erl, mut out) = erl(
            "watcher@127.0.0.1",
            epmd,
            "N = 'victim@127.0.0.1', pong = net_adm:ping(N), monitor_node(N, true), \
             R = monitor(process, {echo, N}), io:format(\"ready~n\"), \
             D = receive {'DOWN', R, process, Who, Why} -> {Who, Why} after 20000 -> timeout end, \
             io:format(\"~p~n\", [D]), \
             Nd = receive {nodedown, N} -> nodedown after 20000 -> timeout end, \
             io:format(\"~p~n\", [Nd]), halt().",
        );
        assert_eq!(next_line(&mut out), "ready");
        node.0.kill().expect("kill girder node");
        let _ = node.0.wait();
        assert_eq!(
            next_line(&mut out),
            "{{echo,'victim@127.0.0.1'},noconnection}"
        );
        assert_eq!(next_line(&mut out), "nodedown");
    }

    /// Starts `girder node NAME --failover tickets --priority LIST` with the
    /// EPMD on `epmd_port`; returns it with its stdout lines after the
    /// first (name and port).
    fn start_failover_node(
        name: &str,
        epmd_port: u16,
        list: &str,
    ) -> (Running, Lines<BufReader<ChildStdout>>) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_girder"))
            .args(["node", "--name", name, "--cookie", "c", "--schedulers", "1"])
            .args(["--epmd-port", &epmd_port.to_string()])
            .args(["--failover", "tickets", "--priority", list])
            .stdout(Stdio::piped())
            .spawn()
            .expect("girder node starts");
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let running = Running(child);
        let first = next_line(&mut lines);
        assert!(
            first.starts_with(&format!("girder node: {name} ")),
            "{first}"
        );
        (running, lines)
    }

    /// Three `girder node` OS processes (a, b, c, with girder's EPMD) run
    /// the failover service `tickets`; it runs on a. An erl client finds
    /// it through `pg` and is answered from a; a is killed with SIGKILL;
    /// the client sees `noconnection`, finds the service on b through `pg`
    /// and is answered from b, with exactly one member in the group.
    #[test]
    fn kill_9_the_node_running_a_failover_service_and_the_next_takes_over() {
        if !have_erl() {
            eprintln!("skipped: erl is not installed");
            return;
        }
        let (_epmd, port) = start_epmd();
        let list = "a@127.0.0.1,b@127.0.0.1,c@127.0.0.1";
        let (mut a, mut a_out) = start_failover_node("a@127.0.0.1", port, list);
        assert_eq!(
            next_line(&mut a_out),
            "girder node: failover tickets runs here"
        );
        let (_b, mut b_out) = start_failover_node("b@127.0.0.1", port, list);
        let (_c, _c_out) = start_failover_node("c@127.0.0.1", port, list);
        let (_erl, mut out) = erl(
            "client@127.0.0.1",
            port,
            "Ns = ['a@127.0.0.1', 'b@127.0.0.1', 'c@127.0.0.1'], \
             [pong = net_adm:ping(N) || N <- Ns], {ok, _} = pg:start_link(), \
             Find = fun F(Not, K) -> \
                 case [P || P <- pg:get_members(tickets), not lists:member(node(P), Not)] of \
                     [P | _] -> P; \
                     [] when K > 0 -> receive after 10 -> F(Not, K - 1) end; \
                     [] -> none end end, \
             Ask = fun(P) -> P ! {self(), ping}, \
                 receive {tickets, From, ping} -> From after 20000 -> timeout end end, \
             P1 = Find([], 2000), R = monitor(process, P1), \
             io:format(\"~p~n\", [Ask(P1)]), \
             D = receive {'DOWN', R, process, _, Why} -> Why after 20000 -> timeout end, \
             io:format(\"~p~n\", [D]), \
             P2 = Find(['a@127.0.0.1'], 2000), \
             io:format(\"~p~n\", [Ask(P2)]), \
             io:format(\"~p~n\", [length(pg:get_members(tickets))]), halt().",
        );
        assert_eq!(next_line(&mut out), "'a@127.0.0.1'");
        a.0.kill().expect("kill -9 the node running the service");
        let _ = a.0.wait();
        assert_eq!(next_line(&mut out), "noconnection");
        assert_eq!(
            next_line(&mut b_out),
            "girder node: failover tickets runs here"
        );
        assert_eq!(next_line(&mut out), "'b@127.0.0.1'");
        assert_eq!(next_line(&mut out), "1", "exactly one instance");
    }

    /// `--failover` without `--priority`, or a list without this node, is
    /// a clear error.
    #[test]
    fn failover_arguments_are_checked() {
        let out = girder(&["node", "--name", "x@127.0.0.1", "--failover", "t"]);
        assert_eq!(out.status.code(), Some(2), "clap's usage error");
        let epmd = free_port();
        let out = girder(&[
            "node",
            "--name",
            "x@127.0.0.1",
            "--cookie",
            "c",
            "--epmd-port",
            &epmd.to_string(),
            "--failover",
            "t",
            "--priority",
            "y@127.0.0.1",
        ]);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("not in the singleton's node list"), "{err}");
    }

    /// A second node with a name already registered in the EPMD is a clear
    /// error. (No Erlang needed.)
    #[test]
    fn a_taken_name_is_a_clear_error() {
        let epmd = free_port();
        let (_node, _port) = start_node("twice@127.0.0.1", epmd);
        let out = girder(&[
            "node",
            "--name",
            "twice@127.0.0.1",
            "--cookie",
            "c",
            "--epmd-port",
            &epmd.to_string(),
        ]);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("in use"), "{err}");
    }

    #[test]
    fn help_says_what_it_is() {
        let out = girder_ok(&["node", "--help"]);
        assert_contains(
            &out,
            &["echo", "--name", "--cookie", "ERL_EPMD_PORT", "127.0.0.1"],
        );
    }
}
