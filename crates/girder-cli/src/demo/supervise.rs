//! `girder demo supervise`: let it crash, and let the supervisors repair
//! it. A pool of GenServer workers under a one-for-one supervisor, itself
//! under a top supervisor; a client keeps calling the workers while a
//! share of its calls make them crash; every crash is a restart, no answer
//! is lost. Then one worker fails on every request until its supervisor
//! gives up and the failure escalates: the top supervisor restarts the
//! whole pool.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use girder::otp::gen_server::{self, CallError, GenServer, Init, Reply, ReplyTo, Server};
use girder::otp::supervisor::{self, ChildSpec, Strategy, Supervisor};
use girder::{
    ExitReason, Pid, monitor, receive_match, self_pid, send, spawn, trap_exit, yield_now,
};

use super::report::{erl_reason, line, row, section, thousands};
use super::{PATIENCE, Result, check, in_runtime, recv};

/// Let it crash: a supervised pool of workers that crash at random while a
/// client keeps getting answers; restarts printed as they happen; then an
/// escalation through a two-level supervision tree.
///
/// The workers are GenServers (`girder::otp::gen_server`) under a
/// one_for_one `Supervisor`, which is a child of a top supervisor. The
/// client calls the workers round-robin; one call in `--crash-one-in`
/// tells its worker to panic. The caller sees the crash at once (the call
/// is monitor-based), retries on the restarted worker, and in the end has
/// every answer. Then worker 0 fails on every request until the pool's
/// supervisor exceeds its restart intensity and exits; the top supervisor
/// restarts the pool, and the client's calls are answered again.
#[derive(Debug, clap::Args)]
pub(crate) struct SuperviseArgs {
    /// Workers in the pool.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    workers: u32,
    /// Calls the client makes.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u32).range(1..))]
    calls: u32,
    /// One call in this many crashes its worker.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(2..))]
    crash_one_in: u32,
}

impl Default for SuperviseArgs {
    fn default() -> SuperviseArgs {
        SuperviseArgs {
            workers: 4,
            calls: 20_000,
            crash_one_in: 16,
        }
    }
}

/// The pool supervisor's intensity: this many restarts within
/// [`POOL_PERIOD`].
const POOL_MAX_RESTARTS: u32 = 5_000;
const POOL_PERIOD: Duration = Duration::from_secs(5);

/// Restarts printed one by one before the demo only counts them.
const PRINTED_RESTARTS: u64 = 6;

/// A worker: squares numbers; panics when the request says so.
struct Worker {
    id: u32,
    console: Pid,
}

/// A request: the number to square, and whether to crash instead.
#[derive(Debug)]
struct Job {
    n: u64,
    crash: bool,
}

/// A worker tells the console it is up (at every start and restart).
#[derive(Debug)]
struct Up {
    id: u32,
    pid: Pid,
}

/// The client asks the console how many restarts it saw.
#[derive(Debug)]
struct HowMany(Pid);

/// The console's answer.
#[derive(Debug)]
struct Restarts(u64);

impl GenServer for Worker {
    type Call = Job;
    type Reply = u64;
    type Cast = ();
    type Continue = ();

    async fn init(&mut self) -> Init {
        send(
            self.console,
            Up {
                id: self.id,
                pid: self_pid(),
            },
        );
        Init::Ok
    }

    async fn handle_call(&mut self, job: Job, _from: ReplyTo<u64>) -> Reply<u64> {
        if job.crash {
            panic!("random failure on request {}", job.n);
        }
        Reply::reply(job.n * job.n)
    }
}

fn worker_name(id: u32) -> String {
    format!("pool-worker-{id}")
}

fn pool_spec(workers: u32, console: Pid) -> ChildSpec {
    let children = (0..workers)
        .map(|id| {
            ChildSpec::gen_server_with(
                worker_name(id),
                move || Worker { id, console },
                gen_server::Options::new().name(worker_name(id)),
            )
        })
        .collect();
    Supervisor::child_spec(
        "pool",
        children,
        supervisor::Options::new(Strategy::OneForOne)
            .max_restarts(POOL_MAX_RESTARTS)
            .max_seconds(POOL_PERIOD),
    )
}

/// Prints restarts as they happen: a worker that comes up under a new pid
/// was restarted.
async fn console() {
    let mut current: HashMap<u32, Pid> = HashMap::new();
    let mut restarts = 0u64;
    loop {
        girder::receive! {
            Up: up => {
                if let Some(old) = current.insert(up.id, up.pid) {
                    restarts += 1;
                    if restarts <= PRINTED_RESTARTS {
                        line(format!(
                            "[restart] {} {old} -> {}   (supervisor report: child_terminated, restarted)",
                            worker_name(up.id),
                            up.pid
                        ));
                    } else if restarts == PRINTED_RESTARTS + 1 {
                        line("[restart] ... (further restarts counted, not printed)");
                    }
                }
            },
            HowMany: HowMany(from) => send(from, Restarts(restarts)),
        }
    }
}

/// A tiny deterministic generator (xorshift64*), so every run crashes the
/// same calls.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Calls worker `id` until it answers: a crash or a worker that is being
/// restarted (no process under its name yet) means try again. Returns the
/// answer and whether this call crashed the worker.
async fn call_until_answered(id: u32, n: u64, crash: bool) -> Result<(u64, bool)> {
    let server = Server::<Worker>::named(worker_name(id));
    let started = Instant::now();
    let mut crash = crash;
    let mut crashed = false;
    loop {
        match server.call(Job { n, crash }).await {
            Ok(answer) => return Ok((answer, crashed)),
            Err(CallError::Exit {
                reason: ExitReason::Panic(_),
                ..
            }) if crash => {
                crashed = true;
                crash = false;
            }
            Err(CallError::NoProc { .. } | CallError::Exit { .. }) => yield_now().await,
            Err(e) => return Err(super::DemoError::new(format!("call failed: {e}"))),
        }
        check(started.elapsed() < PATIENCE, || {
            format!("{} did not come back within {PATIENCE:?}", worker_name(id))
        })?;
    }
}

/// Runs the supervise part.
pub(crate) fn run(args: &SuperviseArgs) -> Result<()> {
    let SuperviseArgs {
        workers,
        calls,
        crash_one_in,
    } = *args;
    in_runtime(async move {
        section("supervise: let it crash, and let the supervisors repair it");
        trap_exit(true);
        let console = spawn(console());
        let top = Supervisor::start_link(
            vec![pool_spec(workers, console)],
            supervisor::Options::new(Strategy::OneForOne),
        )
        .await
        .map_err(|e| super::DemoError::new(format!("the supervision tree did not start: {e}")))?;
        let pool = top.which_children().await.map_err(call_err)?[0]
            .pid
            .ok_or_else(|| super::DemoError::new("the pool is not running"))?;
        line(format!(
            "top supervisor {} (one_for_one) -> pool supervisor {pool} (one_for_one, at most {} restarts in {}s)",
            top.pid().map(|p| p.to_string()).unwrap_or_default(),
            thousands(u64::from(POOL_MAX_RESTARTS)),
            POOL_PERIOD.as_secs()
        ));
        line(format!(
            "-> {workers} GenServer workers; the client makes {} calls, one in {crash_one_in} crashes its worker",
            thousands(u64::from(calls))
        ));
        println!();

        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut crashes = 0u64;
        let mut wrong = 0u64;
        let started = Instant::now();
        for k in 0..calls {
            let n = u64::from(k);
            let crash = rng.next() % u64::from(crash_one_in) == 0;
            let (answer, crashed) = call_until_answered(k % workers, n, crash).await?;
            crashes += u64::from(crashed);
            wrong += u64::from(answer != n * n);
        }
        let elapsed = started.elapsed();
        let me = self_pid();
        send(console, HowMany(me));
        let Restarts(restarts) = recv::<Restarts>("the console's count").await?;
        println!();
        row(
            "answers received",
            thousands(u64::from(calls)),
            format!("{wrong} wrong"),
        );
        row(
            "calls that crashed their worker",
            thousands(crashes),
            "each retried on the restarted worker",
        );
        row("worker restarts", thousands(restarts), "one per crash");
        row("wall time", super::report::duration(elapsed), "");
        check(wrong == 0, || format!("{wrong} wrong answers"))?;
        check(restarts == crashes, || {
            format!("{crashes} crashes but {restarts} restarts")
        })?;
        let pool_now = top.which_children().await.map_err(call_err)?[0].pid;
        check(pool_now == Some(pool), || {
            "the pool supervisor was restarted although it stayed within its intensity".into()
        })?;
        line(format!(
            "the pool supervisor is still {pool}: every crash was repaired where it happened"
        ));

        escalate(&top, pool, workers).await?;
        // A round trip to the console: its lines are out before the next part's.
        send(console, HowMany(self_pid()));
        recv::<Restarts>("the console's count").await?;
        Ok(())
    })
}

fn call_err(e: CallError) -> super::DemoError {
    super::DemoError::new(format!("a supervisor did not answer: {e}"))
}

/// Worker 0 fails every request until its supervisor gives up; the top
/// supervisor restarts the pool.
async fn escalate(top: &Supervisor, pool: Pid, workers: u32) -> Result<()> {
    println!();
    line(format!(
        "escalation: now worker 0 fails on every request, faster than {} restarts in {}s",
        thousands(u64::from(POOL_MAX_RESTARTS)),
        POOL_PERIOD.as_secs()
    ));
    let m = monitor(pool);
    let mut crashes = 0u64;
    let started = Instant::now();
    let server = Server::<Worker>::named(worker_name(0));
    let reason = loop {
        match server.call(Job { n: 0, crash: true }).await {
            Err(CallError::Exit {
                reason: ExitReason::Panic(_),
                ..
            }) => crashes += 1,
            // Being restarted: its name is not registered yet.
            _ => yield_now().await,
        }
        if let Some(d) = receive_match(move |d: &girder::Down| d.monitor == m)
            .timeout(Duration::ZERO)
            .await
        {
            break d.reason;
        }
        check(started.elapsed() < PATIENCE, || {
            format!("the pool supervisor did not give up after {crashes} crashes")
        })?;
    };
    line(format!(
        "[escalate] after {} crashes pool supervisor {pool} exits with {} (supervisor report: reached_max_restart_intensity)",
        thousands(crashes),
        erl_reason(&reason)
    ));
    line(
        "           (its window also counts the restarts of the first phase, if they were within it)",
    );
    check(reason == ExitReason::Shutdown, || {
        format!("the pool supervisor exited with {reason}, not shutdown")
    })?;
    let started = Instant::now();
    let new_pool = loop {
        if let Some(p) = top.which_children().await.map_err(call_err)?[0].pid {
            break p;
        }
        check(started.elapsed() < PATIENCE, || {
            "the pool was not restarted".into()
        })?;
        yield_now().await;
    };
    let mut answers = 0;
    for id in 0..workers {
        let (answer, _) = call_until_answered(id, 12, false).await?;
        answers += u32::from(answer == 144);
    }
    line(format!(
        "[restart] the top supervisor restarted the pool as {new_pool}; all {answers}/{workers} workers answer again"
    ));
    check(new_pool != pool && answers == workers, || {
        "the restarted pool does not answer".into()
    })?;
    Ok(())
}
