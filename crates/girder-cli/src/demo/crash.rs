//! `girder demo crash`: let it crash. Links, monitors and exit signals
//! with Erlang's semantics, printed the way an Erlang shell shows them.
//!
//! The root process plays the shell: it traps exits, so exit signals from
//! the processes it links to arrive as [`Exit`] messages, and it monitors
//! the others. Every scenario checks the reason it sees, so the part fails
//! if the runtime breaks a rule.

use std::collections::BTreeSet;
use std::fmt;
use std::hint::black_box;

use girder::{
    Down, Exit, ExitReason, Pid, Ref, exit, monitor, receive, receive_match, self_pid, send, spawn,
    spawn_link, spawn_monitor, trap_exit,
};

use super::report::{erl_down, erl_exit, line, section, thousands};
use super::{Result, check, in_runtime, recv, recv_match};

/// Let it crash: panics, kill and custom reasons under links and monitors,
/// printed as Erlang shows them.
///
/// A linked process panics, a monitored process is killed with
/// `exit(Pid, kill)` (even though it traps exits), and processes exit with
/// a custom reason; prints the `{'EXIT', Pid, Reason}` and
/// `{'DOWN', Ref, process, Pid, Reason}` messages a process trapping exits
/// and a monitor receive. Shows that a linked process that does not trap
/// exits dies with the same reason (and with `killed` for `kill`), that
/// `normal` exits do not propagate, and that a thousand panics leave every
/// scheduler thread running.
#[derive(Debug, clap::Args)]
pub(crate) struct CrashArgs {
    /// Processes that panic at once in the last scenario.
    #[arg(long, default_value_t = DEFAULT_PANICS,
          value_parser = clap::value_parser!(u32).range(1..))]
    panics: u32,
}

const DEFAULT_PANICS: u32 = 1_000;

impl Default for CrashArgs {
    fn default() -> CrashArgs {
        CrashArgs {
            panics: DEFAULT_PANICS,
        }
    }
}

/// A custom exit reason, as an Erlang program would use `{bad_order, Id}`.
#[derive(Debug, Clone, PartialEq)]
struct BadOrder {
    id: u32,
}

impl fmt::Display for BadOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{bad_order,{}}}", self.id)
    }
}

/// A message nobody sends: a process awaiting it waits until an exit
/// signal ends it.
#[derive(Debug)]
struct Never;

#[derive(Debug)]
struct Ping(Pid);

#[derive(Debug)]
struct Pong;

#[derive(Debug)]
struct Stop;

/// A process tells the shell about another process.
#[derive(Debug)]
struct Spawned(Pid);

/// A process forwards an [`Exit`] it trapped.
#[derive(Debug)]
struct Trapped(Exit);

/// The scheduler thread that ran a process.
#[derive(Debug)]
struct RanOn(String);

/// Runs the crash part.
pub(crate) fn run(args: &CrashArgs) -> Result<()> {
    let panics = args.panics;
    in_runtime(async move {
        section("crash: links, monitors and exit signals");
        let me = self_pid();
        trap_exit(true);
        line(format!(
            "{me} plays the shell: it traps exits and monitors. Rust's panic message"
        ));
        line("goes to a crash report (tracing target girder::crash_report), not stderr;");
        line("the runtime turns panics into exit reasons.");
        linked_panic().await?;
        kill_under_monitor().await?;
        custom_reasons().await?;
        links_propagate().await?;
        normal_does_not_propagate().await?;
        schedulers_survive(panics).await
    })
}

fn scenario(title: &str) {
    println!();
    line(title);
}

fn said(text: impl fmt::Display) {
    println!("    {text}");
}

/// The `Exit` from `from`, trapped by the calling process.
async fn exit_from(from: Pid) -> Result<Exit> {
    recv_match::<Exit, _>("an EXIT message", move |e| e.from == from).await
}

/// The `Down` for monitor `m`.
async fn down_of(m: Ref) -> Result<Down> {
    recv_match::<Down, _>("a DOWN message", move |d| d.monitor == m).await
}

async fn linked_panic() -> Result<()> {
    scenario("1. a linked process panics");
    let me = self_pid();
    let child = spawn_link(async {
        let orders: Vec<u32> = black_box(Vec::new());
        black_box(orders[3]);
    });
    said(format!(
        "{child} = spawn_link(...), indexes past the end of an empty Vec"
    ));
    let e = exit_from(child).await?;
    said(format!("{me} receives {}", erl_exit(&e)));
    check(matches!(e.reason, ExitReason::Panic(_)), || {
        format!("expected a panic reason, got {}", e.reason)
    })
}

async fn kill_under_monitor() -> Result<()> {
    scenario("2. a monitored process is killed; kill cannot be trapped");
    let me = self_pid();
    let (victim, m) = spawn_monitor(async {
        trap_exit(true);
        receive::<Never>().await;
    });
    said(format!(
        "{victim} traps exits and waits; {me} calls exit({victim}, kill)"
    ));
    exit(victim, ExitReason::Kill);
    let d = down_of(m).await?;
    said(format!("{me} receives {}", erl_down(&d)));
    check(d.reason == ExitReason::Killed, || {
        format!("expected killed, got {}", d.reason)
    })
}

async fn custom_reasons() -> Result<()> {
    scenario("3. custom exit reasons are data");
    let me = self_pid();
    let child = spawn_link(async { Err::<(), _>(BadOrder { id: 42 }) });
    said(format!(
        "{child} = spawn_link(...), returns Err(BadOrder {{ id: 42 }})"
    ));
    let e = exit_from(child).await?;
    said(format!("{me} receives {}", erl_exit(&e)));
    check(reason_is(&e.reason, 42), || {
        format!("expected {{bad_order,42}}, got {}", e.reason)
    })?;

    let trapper = spawn_link(async move {
        trap_exit(true);
        send(me, Spawned(self_pid()));
        let e = receive::<Exit>().await;
        send(me, Trapped(e));
        // Still alive: it answers a ping after the exit signal.
        let Ping(from) = receive::<Ping>().await;
        send(from, Pong);
    });
    recv_match::<Spawned, _>("the trapper to start", move |s| s.0 == trapper).await?;
    exit(trapper, ExitReason::other(BadOrder { id: 7 }));
    let Trapped(e) = recv::<Trapped>("the trapped EXIT").await?;
    said(format!(
        "{trapper} traps exits; exit({trapper}, {{bad_order,7}}) arrives as a message:"
    ));
    said(format!("{trapper} receives {}", erl_exit(&e)));
    send(trapper, Ping(me));
    recv::<Pong>("the trapper's answer").await?;
    said(format!("{trapper} is still running: it answers a ping"));
    let done = exit_from(trapper).await?;
    check(
        e.from == me && reason_is(&e.reason, 7) && done.reason.is_normal(),
        || format!("unexpected signals: {e:?}, then {done:?}"),
    )
}

/// Whether `reason` is the custom reason `{bad_order, id}`.
fn reason_is(reason: &ExitReason, id: u32) -> bool {
    match reason {
        ExitReason::Other(r) => r.downcast_ref::<BadOrder>() == Some(&BadOrder { id }),
        _ => false,
    }
}

async fn links_propagate() -> Result<()> {
    scenario("4. a linked process that does not trap exits dies with the same reason");
    let me = self_pid();
    for (kill, label) in [(false, "{bad_order,42}"), (true, "kill")] {
        let (middle, m) = spawn_monitor(async move {
            let worker = spawn_link(async move {
                receive::<Stop>().await;
                Err::<(), _>(BadOrder { id: 42 })
            });
            send(me, Spawned(worker));
            receive::<Never>().await;
        });
        let Spawned(worker) = recv::<Spawned>("the worker's pid").await?;
        let wm = monitor(worker);
        if kill {
            said(format!(
                "{middle} is linked to {worker}; {me} calls exit({worker}, kill)"
            ));
            exit(worker, ExitReason::Kill);
        } else {
            said(format!(
                "{middle} is linked to {worker}; {worker} exits with {label}"
            ));
            send(worker, Stop);
        }
        let wd = down_of(wm).await?;
        let md = down_of(m).await?;
        said(format!("{me} receives {}", erl_down(&wd)));
        said(format!("{me} receives {}", erl_down(&md)));
        if kill {
            check(
                wd.reason == ExitReason::Killed && md.reason == ExitReason::Killed,
                || format!("expected killed twice, got {} and {}", wd.reason, md.reason),
            )?;
        } else {
            check(
                reason_is(&wd.reason, 42) && reason_is(&md.reason, 42),
                || {
                    format!(
                        "expected {label} twice, got {} and {}",
                        wd.reason, md.reason
                    )
                },
            )?;
        }
    }
    said("exit(Pid, kill) ends the worker with killed, and killed is what travels its links");
    Ok(())
}

async fn normal_does_not_propagate() -> Result<()> {
    scenario("5. normal exits do not propagate");
    let me = self_pid();
    let (survivor, m) = spawn_monitor(async move {
        let worker = spawn_link(async {});
        let wm = monitor(worker);
        let d = receive_match(move |d: &Down| d.monitor == wm).await;
        send(me, Spawned(worker));
        send(me, d);
        loop {
            girder::receive! {
                Ping: Ping(from) => send(from, Pong),
                Stop: Stop => break,
            }
        }
    });
    let Spawned(worker) = recv::<Spawned>("the worker's pid").await?;
    let d = recv_match::<Down, _>("the worker's DOWN", move |d| d.pid == worker).await?;
    said(format!(
        "{survivor} is linked to {worker}, which returns: {}",
        erl_down(&d)
    ));
    // Signals from one process to another keep their order: if the ping
    // is answered, the exit signal before it was ignored.
    exit(survivor, ExitReason::Normal);
    send(survivor, Ping(me));
    recv::<Pong>("the survivor's answer").await?;
    said(format!(
        "{survivor} does not trap exits and is still running; exit({survivor}, normal)"
    ));
    said("is ignored too: it still answers a ping sent after it");
    send(survivor, Stop);
    let sd = down_of(m).await?;
    check(d.reason.is_normal() && sd.reason.is_normal(), || {
        format!("unexpected reasons {} and {}", d.reason, sd.reason)
    })?;

    let child = spawn_link(async {});
    let e = exit_from(child).await?;
    said(format!(
        "a process that traps exits does see them: {me} receives {}",
        erl_exit(&e)
    ));
    check(e.reason.is_normal(), || {
        format!("expected normal, got {}", e.reason)
    })
}

async fn schedulers_survive(n: u32) -> Result<()> {
    scenario("6. a panic ends its process, never the scheduler");
    let me = self_pid();
    let schedulers = girder::Handle::current().schedulers();
    let mut monitors = BTreeSet::new();
    for i in 0..n {
        let (_, m) = spawn_monitor(async move {
            if black_box(true) {
                panic!("crash number {i}");
            }
        });
        monitors.insert(m);
    }
    let mut panicked = 0u64;
    for _ in 0..n {
        let d = recv::<Down>("the DOWN of a panicking process").await?;
        if monitors.remove(&d.monitor) && matches!(d.reason, ExitReason::Panic(_)) {
            panicked += 1;
        }
    }
    for _ in 0..n {
        spawn(async move {
            let name = std::thread::current().name().unwrap_or("?").to_owned();
            send(me, RanOn(name));
        });
    }
    let mut threads = BTreeSet::new();
    for _ in 0..n {
        let RanOn(name) = recv::<RanOn>("a process spawned after the panics").await?;
        threads.insert(name);
    }
    let alive = scheduler_threads();
    said(format!(
        "{} processes panicked: {me} received {} DOWN messages with {{panic,...}}",
        thousands(n.into()),
        thousands(panicked)
    ));
    said(format!(
        "{} processes spawned afterwards all ran, on {}",
        thousands(n.into()),
        threads.into_iter().collect::<Vec<_>>().join(", ")
    ));
    match alive {
        Some(alive) => said(format!(
            "scheduler threads alive after the panics: {alive} of {schedulers}"
        )),
        None => said("scheduler threads alive: cannot tell (no /proc)"),
    }
    check(panicked == u64::from(n), || {
        format!("{panicked} DOWNs with a panic reason for {n} crashes")
    })?;
    check(alive.is_none_or(|a| a == schedulers), || {
        format!("{alive:?} scheduler threads alive of {schedulers}")
    })
}

/// Threads of this OS process named `girder-sched-*`, from `/proc`.
fn scheduler_threads() -> Option<usize> {
    let tasks = std::fs::read_dir("/proc/self/task").ok()?;
    let mut n = 0;
    for task in tasks.flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if is_scheduler(comm.trim()) {
            n += 1;
        }
    }
    Some(n)
}

fn is_scheduler(thread_name: &str) -> bool {
    thread_name.starts_with("girder-sched-")
}
