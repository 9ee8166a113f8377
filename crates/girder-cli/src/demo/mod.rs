//! `girder demo`: the claims of the process model, shown live.
//!
//! Each part builds its own runtime (one scheduler per core), runs a root
//! process that drives the scenario, prints what it measured or saw, and
//! checks it: a part that sees something the model forbids (a lost process,
//! a signal that should not have arrived) fails the command. Every wait is
//! on a message or a monitor, bounded by [`PATIENCE`]; nothing sleeps to
//! synchronise.

mod crash;
mod dist;
mod fairness;
mod report;
mod spawn;
mod supervise;

use std::fmt;
use std::future::Future;
use std::time::Duration;

use clap::{Args, Subcommand};
use girder::Runtime;

/// Show the process model live on this machine: a million processes, fair
/// scheduling beside a CPU hog, Erlang's crash semantics, supervisors
/// repairing crashes, and a service failing over between nodes.
///
/// With no part named, runs `spawn`, `fairness`, `crash`, `supervise` and
/// `dist` in turn (a few seconds in a release build). Each part prints what it measured and
/// checks what it saw; the command exits non-zero if the runtime broke a
/// rule. `girder demo <PART> --help` explains each part.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    #[command(subcommand)]
    part: Option<Part>,
}

/// The parts of the demo.
#[derive(Debug, Subcommand)]
enum Part {
    Spawn(spawn::SpawnArgs),
    Fairness(fairness::FairnessArgs),
    Crash(crash::CrashArgs),
    Supervise(supervise::SuperviseArgs),
    Dist(dist::DistArgs),
}

/// Why a demo part failed.
#[derive(Debug)]
pub(crate) struct DemoError(String);

impl DemoError {
    pub(crate) fn new(message: impl Into<String>) -> DemoError {
        DemoError(message.into())
    }
}

impl fmt::Display for DemoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DemoError {}

/// The outcome of a demo part.
pub(crate) type Result<T> = std::result::Result<T, DemoError>;

/// The longest any single wait in the demo may take before the part gives
/// up: far beyond what a working runtime needs, short enough that a broken
/// one fails instead of hanging.
pub(crate) const PATIENCE: Duration = Duration::from_secs(30);

/// Runs the part(s) named on the command line.
pub(crate) fn run(args: DemoArgs) -> Result<()> {
    let schedulers = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("girder demo: {schedulers} scheduler threads (one per core)");
    match args.part {
        Some(Part::Spawn(a)) => spawn::run(&a),
        Some(Part::Fairness(a)) => fairness::run(&a),
        Some(Part::Crash(a)) => crash::run(&a),
        Some(Part::Supervise(a)) => supervise::run(&a),
        Some(Part::Dist(a)) => dist::run(&a),
        None => {
            spawn::run(&spawn::SpawnArgs::default())?;
            fairness::run(&fairness::FairnessArgs::default())?;
            crash::run(&crash::CrashArgs::default())?;
            supervise::run(&supervise::SuperviseArgs::default())?;
            dist::run(&dist::DistArgs::default())
        }
    }
}

/// Runs `body` as the root process of a fresh runtime named `girder` (its
/// scheduler threads are `girder-sched-N`) and hands back what it returned.
pub(crate) fn in_runtime<F, T>(body: F) -> Result<T>
where
    F: Future<Output = Result<T>> + Send + 'static,
    T: Send + 'static,
{
    let rt = Runtime::builder()
        .name("girder")
        .build()
        .map_err(|e| DemoError::new(format!("cannot start the runtime: {e}")))?;
    let outcome = rt.block_on(body);
    rt.shutdown();
    match outcome {
        Ok(result) => result,
        Err(reason) => Err(DemoError::new(format!(
            "the demo's root process exited with {}",
            report::erl_reason(&reason)
        ))),
    }
}

/// Receives the first `T`, or fails after [`PATIENCE`] naming `what` it
/// waited for.
pub(crate) async fn recv<T: Send + 'static>(what: &str) -> Result<T> {
    girder::receive::<T>()
        .timeout(PATIENCE)
        .await
        .ok_or_else(|| DemoError::new(format!("timed out waiting for {what}")))
}

/// Receives the first `T` for which `pred` holds, or fails after
/// [`PATIENCE`].
pub(crate) async fn recv_match<T, P>(what: &str, pred: P) -> Result<T>
where
    T: Send + 'static,
    P: FnMut(&T) -> bool + Unpin,
{
    girder::receive_match(pred)
        .timeout(PATIENCE)
        .await
        .ok_or_else(|| DemoError::new(format!("timed out waiting for {what}")))
}

/// Fails with `message` unless `ok`.
pub(crate) fn check(ok: bool, message: impl FnOnce() -> String) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(DemoError::new(message()))
    }
}
