//! The Erlang/OTP peer: the real `erl`, running the modules of
//! `bench/erlang/` (embedded in this crate at build time).
//!
//! [`Erlang::start`] finds `erl` and `erlc` on the `PATH`, writes the
//! sources into a fresh temporary directory and compiles them with `erlc`.
//! [`Erlang::run`] starts `erl -noshell +S N:N +P P -pa DIR -run gb main
//! <workload> <case> <runs> <args…>`: `gb:main/1` runs the workload's
//! module `gb_<workload>` `runs` times in that one VM and prints each run's
//! figures as `@ <case>.<key> <value>` lines, the same lines the Rust
//! runners print. Erlang times itself with `erlang:monotonic_time/1`, so
//! starting the VM is never counted.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::child::run_command;
use crate::dist::Epmd;
use crate::metric::RunOutput;
use crate::workload::{Case, Workload};
use crate::{BenchError, Result};

/// The Erlang sources, by file name.
const SOURCES: [(&str, &str); 11] = [
    ("gb.erl", include_str!("../../../bench/erlang/gb.erl")),
    (
        "gb_spawn_exit.erl",
        include_str!("../../../bench/erlang/gb_spawn_exit.erl"),
    ),
    (
        "gb_idle_memory.erl",
        include_str!("../../../bench/erlang/gb_idle_memory.erl"),
    ),
    (
        "gb_ping_pong.erl",
        include_str!("../../../bench/erlang/gb_ping_pong.erl"),
    ),
    (
        "gb_ring.erl",
        include_str!("../../../bench/erlang/gb_ring.erl"),
    ),
    (
        "gb_skynet.erl",
        include_str!("../../../bench/erlang/gb_skynet.erl"),
    ),
    (
        "gb_fan_in.erl",
        include_str!("../../../bench/erlang/gb_fan_in.erl"),
    ),
    (
        "gb_timers.erl",
        include_str!("../../../bench/erlang/gb_timers.erl"),
    ),
    (
        "gb_fairness.erl",
        include_str!("../../../bench/erlang/gb_fairness.erl"),
    ),
    (
        "gb_selective_receive.erl",
        include_str!("../../../bench/erlang/gb_selective_receive.erl"),
    ),
    (
        "gb_dist.erl",
        include_str!("../../../bench/erlang/gb_dist.erl"),
    ),
];

/// The variable through which `girder bench` hands the modules it compiled
/// ([`Erlang::dir`]) to a child that starts `erl` nodes of its own (the
/// `dist` workload's Girder <-> Erlang runs), so the child does not compile
/// them again.
pub const ERL_DIR_ENV: &str = "GIRDER_BENCH_ERL_DIR";

/// A ready Erlang peer: `erl` found and the benchmark modules compiled.
/// Dropping it removes the compiled modules.
#[derive(Debug)]
pub struct Erlang {
    erl: PathBuf,
    dir: PathBuf,
    release: String,
    erts: String,
    /// Whether dropping it removes `dir` (not when borrowed from a parent
    /// through [`ERL_DIR_ENV`]).
    owned: bool,
}

impl Erlang {
    /// Finds `erl` and `erlc` on the `PATH` and compiles the benchmark
    /// modules. `Ok(None)` when either is missing; an error when they are
    /// there but compiling or starting fails.
    pub fn start() -> Result<Option<Erlang>> {
        let (Some(erl), Some(erlc)) = (on_path("erl"), on_path("erlc")) else {
            return Ok(None);
        };
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "girder-bench-erl-{}-{}",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir)?;
        let mut peer = Erlang {
            erl,
            dir,
            release: String::new(),
            erts: String::new(),
            owned: true,
        };
        let mut compile = Command::new(erlc);
        compile.arg("-o").arg(&peer.dir);
        for (name, text) in SOURCES {
            let path = peer.dir.join(name);
            std::fs::write(&path, text)?;
            compile.arg(path);
        }
        run_command(compile, Duration::from_secs(300), "erlc bench/erlang/*.erl")?;
        let mut version = peer.erl_command();
        version.args(["-noshell", "-pa"]).arg(&peer.dir);
        version.args(["-run", "gb", "version"]);
        let out = run_command(version, Duration::from_secs(60), "erl")?;
        let field = |key: &str| {
            out.notes
                .iter()
                .find_map(|n| n.strip_prefix(key).map(str::to_owned))
                .unwrap_or_default()
        };
        peer.release = field("otp ");
        peer.erts = field("erts ");
        if peer.release.is_empty() {
            return Err(BenchError::new("erl did not report its OTP release"));
        }
        Ok(Some(peer))
    }

    /// `erl`, told not to write `erl_crash.dump` files when a run fails
    /// (the error is reported on stdout instead).
    fn erl_command(&self) -> Command {
        let mut cmd = Command::new(&self.erl);
        cmd.env("ERL_CRASH_DUMP_SECONDS", "0");
        cmd
    }

    /// The modules the parent compiled, when [`ERL_DIR_ENV`] names a
    /// directory holding them; else a fresh [`Erlang::start`].
    pub(crate) fn for_child() -> Result<Option<Erlang>> {
        if let Some(dir) = std::env::var_os(ERL_DIR_ENV).map(PathBuf::from)
            && dir.join("gb_dist.beam").is_file()
            && let Some(erl) = on_path("erl")
        {
            return Ok(Some(Erlang {
                erl,
                dir,
                release: String::new(),
                erts: String::new(),
                owned: false,
            }));
        }
        Erlang::start()
    }

    /// The directory of the compiled modules.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `erl -noshell +S N:N -pa DIR`, listening for distribution on
    /// loopback only and never starting an `epmd` daemon: the start of an
    /// Erlang node of the `dist` workload.
    pub(crate) fn node_command(&self, schedulers: usize) -> Command {
        let s = schedulers.max(1);
        let mut cmd = self.erl_command();
        cmd.arg("-noshell")
            .arg("+S")
            .arg(format!("{s}:{s}"))
            .args(["-start_epmd", "false"])
            .args(["-kernel", "inet_dist_use_interface", "{127,0,0,1}"])
            .arg("-pa")
            .arg(&self.dir);
        cmd
    }

    /// The OTP release, e.g. `25`.
    pub fn release(&self) -> &str {
        &self.release
    }

    /// The erts version, e.g. `13.1.5`.
    pub fn erts(&self) -> &str {
        &self.erts
    }

    /// Runs `case` of `workload` `runs` times in one fresh `erl` with as
    /// many schedulers as the case says, and returns what it printed. Kills
    /// it after `timeout`.
    pub fn run(
        &self,
        workload: Workload,
        case: &Case,
        runs: u32,
        timeout: Duration,
    ) -> Result<RunOutput> {
        let s = case.schedulers.max(1);
        let mut cmd = self.erl_command();
        cmd.arg("-noshell")
            .arg("+S")
            .arg(format!("{s}:{s}"))
            .arg("+P")
            .arg(workload.max_processes(case).to_string())
            .arg("-pa")
            .arg(&self.dir);
        // The dist workload makes this VM a node and starts a second one:
        // they find each other through an EPMD of their own.
        let epmd = if workload == Workload::Dist {
            let epmd = Epmd::start()?;
            cmd.env("ERL_EPMD_PORT", epmd.port().to_string())
                .env_remove("ERL_EPMD_ADDRESS")
                .args(["-start_epmd", "false"])
                .args(["-kernel", "inet_dist_use_interface", "{127,0,0,1}"]);
            Some(epmd)
        } else {
            None
        };
        cmd.args(["-run", "gb", "main", workload.name(), &case.key])
            .arg(runs.to_string())
            .args(case.args.iter().map(u64::to_string));
        let out = run_command(
            cmd,
            timeout,
            &format!("erl ({} {})", workload.name(), case.key),
        );
        drop(epmd);
        out
    }
}

impl Drop for Erlang {
    fn drop(&mut self) {
        if self.owned {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// The first executable file called `name` in a directory of `PATH`.
pub fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}
