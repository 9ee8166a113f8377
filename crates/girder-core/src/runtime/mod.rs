//! The runtime: builder, handle, and the threads it owns.
//!
//! A [`Runtime`] owns one scheduler thread per core, a timer thread, a
//! watchdog thread, and a small tokio runtime whose single worker thread runs
//! the I/O reactor (and whose blocking pool serves [`crate::blocking`]).
//! Every thread it owns knows its runtime (a thread-local [`Handle`]), so the
//! free functions (`spawn`, `send`, `whereis`, …) work from processes and
//! from blocking closures alike.
//!
//! Shutting down (explicitly, or by dropping the runtime) kills every process
//! (their futures are dropped, links and monitors fire), then stops and joins
//! every thread.

mod shared;

use std::cell::RefCell;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_deque::Worker;

pub(crate) use self::shared::{OnExit, RUNTIME_PID, RuntimeId, Shared, SpawnOpts};
use crate::dist::{Distribution, RemoteSignal};
use crate::signal::{Control, Signal};
use crate::{ExitReason, IntoExitReason, Pid};

thread_local! {
    static CONTEXT: RefCell<Option<Arc<Shared>>> = const { RefCell::new(None) };
}

/// Runs `f` with the runtime of this thread.
///
/// # Panics
/// On a thread no girder runtime owns.
#[track_caller]
#[inline]
pub(crate) fn with_shared<R>(f: impl FnOnce(&Arc<Shared>) -> R) -> R {
    try_with_shared(|s| match s {
        Some(s) => f(s),
        None => panic!(
            "girder: no runtime on this thread; call this from a girder process \
             (girder::run / Runtime::block_on) or use a Handle"
        ),
    })
}

/// Runs `f` with the runtime of this thread, if any.
#[inline]
pub(crate) fn try_with_shared<R>(f: impl FnOnce(Option<&Arc<Shared>>) -> R) -> R {
    // A scheduler thread (every process, every send and spawn) finds its
    // runtime through its scheduler context: one thread-local load, where
    // `CONTEXT` costs a destructor-registration check and a borrow flag.
    crate::scheduler::worker::with_scheduler_runtime(|s| match s {
        Some(s) => f(Some(s)),
        None => CONTEXT.with(|c| f(c.borrow().as_ref())),
    })
}

pub(crate) fn enter_context(shared: Arc<Shared>) {
    CONTEXT.with(|c| *c.borrow_mut() = Some(shared));
}

pub(crate) fn leave_context() {
    CONTEXT.with(|c| *c.borrow_mut() = None);
}

/// Runtime settings; see [`Builder`].
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) schedulers: usize,
    pub(crate) name: String,
    pub(crate) reductions: u32,
    pub(crate) long_schedule: Option<Duration>,
    pub(crate) shutdown_timeout: Duration,
    pub(crate) crash_reports: bool,
    pub(crate) trace: bool,
}

/// Configures and builds a [`Runtime`]. Erlang's `erl +S` and `+sbwt`-style
/// flags, as code.
///
/// ```
/// let rt = girder_core::Runtime::builder()
///     .schedulers(2)
///     .name("example")
///     .build()
///     .unwrap();
/// assert_eq!(rt.block_on(async { 6 * 7 }).unwrap(), 42);
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    config: Config,
}

impl Default for Builder {
    fn default() -> Builder {
        Builder {
            config: Config {
                schedulers: std::thread::available_parallelism().map_or(1, |n| n.get()),
                name: "girder".to_owned(),
                reductions: crate::scheduler::reductions::SLICE,
                long_schedule: Some(Duration::from_millis(100)),
                shutdown_timeout: Duration::from_secs(10),
                crash_reports: true,
                trace: false,
            },
        }
    }
}

impl Builder {
    /// Number of scheduler threads (default: the number of cores). Erlang `+S`.
    pub fn schedulers(mut self, n: usize) -> Builder {
        self.config.schedulers = n.max(1);
        self
    }

    /// Prefix of the runtime's thread names (default `girder`).
    pub fn name(mut self, name: impl Into<String>) -> Builder {
        self.config.name = name.into();
        self
    }

    /// Reductions per time slice (default 4,000, as BEAM).
    pub fn reductions(mut self, n: u32) -> Builder {
        self.config.reductions = n.max(1);
        self
    }

    /// Polls longer than this are reported as `long_schedule` (default
    /// 100 ms; `None` turns the watchdog off). Erlang
    /// `erlang:system_monitor(Pid, [{long_schedule, Ms}])`.
    pub fn long_schedule(mut self, threshold: Option<Duration>) -> Builder {
        self.config.long_schedule = threshold;
        self
    }

    /// How long shutdown waits for killed processes to finish their current
    /// poll before it stops the schedulers anyway (default 10 s).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Builder {
        self.config.shutdown_timeout = timeout;
        self
    }

    /// Whether a panic inside a process is reported only as a crash report
    /// through `tracing` (target `girder::crash_report`, with the panic's
    /// location) — the default, as BEAM logs a crash report — or also
    /// printed by Rust's panic hook. Either way the process exits with
    /// `Panic(message)`.
    pub fn crash_reports(mut self, on: bool) -> Builder {
        self.config.crash_reports = on;
        self
    }

    /// Emits a `tracing` event (target `girder::trace`, level TRACE) for
    /// every spawn and every exit, with pids and reasons. Erlang
    /// `erlang:trace(all, true, [procs])`. Off by default: it costs a branch
    /// per spawn when off.
    pub fn trace_processes(mut self, on: bool) -> Builder {
        self.config.trace = on;
        self
    }

    /// Starts the runtime's threads.
    pub fn build(self) -> io::Result<Runtime> {
        let config = self.config;
        if config.crash_reports {
            crate::reason::install_panic_hook();
        }
        let n = config.schedulers;
        let io_rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name(format!("{}-io", config.name))
            .enable_all()
            .build()?;
        let locals: Vec<Worker<Runnable>> = (0..n).map(|_| Worker::new_fifo()).collect();
        let stealers = locals.iter().map(|w| w.stealer()).collect();
        let shared = Arc::new(Shared::new(
            config.clone(),
            stealers,
            io_rt.handle().clone(),
        ));
        shared.register();
        let mut threads = Vec::with_capacity(n + 2);
        // `build` returns once every scheduler thread is running, so a
        // runtime never starts with a scheduler that the OS has not yet
        // given a first time slice to (on a loaded machine that can take
        // a while).
        let started = Arc::new((parking_lot::Mutex::new(0usize), parking_lot::Condvar::new()));
        for (index, local) in locals.into_iter().enumerate() {
            let shared = shared.clone();
            let io = io_rt.handle().clone();
            let started = started.clone();
            threads.push(
                std::thread::Builder::new()
                    .name(format!("{}-sched-{}", config.name, index + 1))
                    .spawn(move || {
                        let _io = io.enter();
                        enter_context(shared.clone());
                        {
                            let (count, cvar) = &*started;
                            *count.lock() += 1;
                            cvar.notify_all();
                        }
                        drop(started);
                        crate::scheduler::worker::run(shared, index, local);
                        leave_context();
                    })?,
            );
        }
        let timer_shared = shared.clone();
        threads.push(
            std::thread::Builder::new()
                .name(format!("{}-timer", config.name))
                .spawn(move || {
                    enter_context(timer_shared.clone());
                    crate::timer::run_timer_thread(&timer_shared);
                    leave_context();
                })?,
        );
        let wd_shared = shared.clone();
        let threshold = config.long_schedule;
        threads.push(
            std::thread::Builder::new()
                .name(format!("{}-watchdog", config.name))
                .spawn(move || {
                    enter_context(wd_shared.clone());
                    crate::watchdog::run(&wd_shared, threshold);
                    leave_context();
                })?,
        );
        {
            let (count, cvar) = &*started;
            let mut count = count.lock();
            while *count < n {
                cvar.wait(&mut count);
            }
        }
        Ok(Runtime {
            handle: Handle { shared },
            threads,
            io: Some(io_rt),
        })
    }
}

use crate::scheduler::Runnable;

/// A running Girder node-local runtime: schedulers, timers, I/O.
///
/// ```
/// let rt = girder_core::Runtime::new().unwrap();
/// let answer = rt.block_on(async {
///     let me = girder_core::self_pid();
///     girder_core::send(me, 42u32);
///     girder_core::receive::<u32>().await
/// });
/// assert_eq!(answer, Ok(42));
/// ```
#[derive(Debug)]
pub struct Runtime {
    handle: Handle,
    threads: Vec<JoinHandle<()>>,
    io: Option<tokio::runtime::Runtime>,
}

impl Runtime {
    /// A runtime with the default settings (one scheduler per core).
    pub fn new() -> io::Result<Runtime> {
        Builder::default().build()
    }

    /// A [`Builder`] to configure one.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// A cloneable handle to this runtime.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Runs `future` as a root process and blocks the calling thread until
    /// it ends. Returns its output, or the exit reason if it was killed or
    /// panicked.
    pub fn block_on<F>(&self, future: F) -> Result<F::Output, ExitReason>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.block_on(future)
    }

    /// Spawns a process from outside the runtime. See [`crate::spawn`].
    pub fn spawn<F>(&self, future: F) -> Pid
    where
        F: Future + Send + 'static,
        F::Output: IntoExitReason,
    {
        self.handle.spawn(future)
    }

    /// Kills every process, then stops and joins every thread. Dropping the
    /// runtime does the same.
    pub fn shutdown(mut self) {
        self.shutdown_inner();
    }

    fn shutdown_inner(&mut self) {
        let shared = &self.handle.shared;
        if self.threads.is_empty() {
            return;
        }
        shared.shutdown.store(true, Ordering::Release);
        let deadline = Instant::now() + shared.config.shutdown_timeout;
        // Kill everyone, then wait for the exits; processes spawned while we
        // wait get killed on the next round.
        let mut last_round: Option<Instant> = None;
        loop {
            if shared.table.len() == 0 || Instant::now() >= deadline {
                break;
            }
            if last_round.is_some_and(|t| t.elapsed() < Duration::from_millis(500)) {
                let mut g = shared.exited.0.lock();
                if shared.table.len() > 0 {
                    shared.exited.1.wait_for(&mut g, Duration::from_millis(20));
                }
                continue;
            }
            last_round = Some(Instant::now());
            let all = shared.table.all();
            for pcb in &all {
                let _ = pcb.push(Signal::control(Control::Exit {
                    from: RUNTIME_PID,
                    reason: ExitReason::Kill,
                    link: false,
                }));
            }
            drop(all);
        }
        shared.idle.notify_all();
        crate::timer::stop(shared);
        let mut stuck = 0;
        for t in self.threads.drain(..) {
            if t.is_finished() || Instant::now() < deadline {
                let _ = t.join();
            } else {
                stuck += 1;
            }
        }
        if stuck > 0 {
            tracing::error!(
                stuck,
                "girder shutdown: scheduler threads still busy, detached"
            );
        }
        // Processes still queued in the injector are dropped with their futures.
        while !shared.injector.is_empty() {
            let _ = shared.injector.steal();
        }
        if let Some(io) = self.io.take() {
            io.shutdown_background();
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.shutdown_inner();
    }
}

/// Runs `future` as the root process of a new default runtime, returns its
/// output when it ends, then shuts the runtime down (every other process is
/// killed). The one-call entry point, like `elixir script.exs`.
///
/// ```
/// let n = girder_core::run(async {
///     let parent = girder_core::self_pid();
///     girder_core::spawn(async move { girder_core::send(parent, 21u64) });
///     girder_core::receive::<u64>().await * 2
/// });
/// assert_eq!(n, Ok(42));
/// ```
pub fn run<F>(future: F) -> Result<F::Output, ExitReason>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let rt = Runtime::new().map_err(|e| ExitReason::other(format!("runtime start: {e}")))?;
    rt.block_on(future)
}

/// Where `block_on` waits for the root process's result.
type ResultSlot<T> = (
    parking_lot::Mutex<Option<Result<T, ExitReason>>>,
    parking_lot::Condvar,
);

/// A cheap, cloneable reference to a runtime, usable from any thread.
#[derive(Clone)]
pub struct Handle {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handle")
            .field("name", &self.shared.config.name)
            .field("schedulers", &self.shared.config.schedulers)
            .finish()
    }
}

impl Handle {
    /// The handle of the runtime that owns this thread.
    ///
    /// # Panics
    /// On a thread no girder runtime owns.
    #[track_caller]
    pub fn current() -> Handle {
        with_shared(|s| Handle { shared: s.clone() })
    }

    /// The handle of the runtime that owns this thread, if any.
    pub fn try_current() -> Option<Handle> {
        CONTEXT.with(|c| c.borrow().as_ref().map(|s| Handle { shared: s.clone() }))
    }

    /// Number of scheduler threads.
    pub fn schedulers(&self) -> usize {
        self.shared.config.schedulers
    }

    /// Spawns a process. See [`crate::spawn`].
    pub fn spawn<F>(&self, future: F) -> Pid
    where
        F: Future + Send + 'static,
        F::Output: IntoExitReason,
    {
        self.shared.spawn_process(future, SpawnOpts::default())
    }

    /// Sends a message to a process. See [`crate::send`].
    pub fn send<M: Send + 'static>(&self, to: Pid, msg: M) {
        self.shared.send_message(to, Box::new(msg));
    }

    /// Sends an exit signal (from `<0.0.0>`). See [`crate::exit`].
    pub fn exit(&self, to: Pid, reason: ExitReason) {
        self.shared.send_signal(
            to,
            Signal::control(Control::Exit {
                from: RUNTIME_PID,
                reason,
                link: false,
            }),
        );
    }

    /// Installs the distribution layer (see [`crate::dist`]).
    pub fn set_distribution(&self, dist: Arc<dyn Distribution>) {
        *self.shared.dist.write() = Some(dist);
    }

    /// Delivers a signal that came from another node to a local process.
    pub fn deliver(&self, to: Pid, signal: RemoteSignal) {
        self.shared.send_signal(to, Signal::from_remote(signal));
    }

    /// The pid registered under `name`, from any thread. See
    /// [`crate::whereis`]. The distribution layer resolves a registered send
    /// or a monitor by name from another node with it.
    ///
    /// ```
    /// let rt = girder_core::Runtime::new().unwrap();
    /// let pid = rt.block_on(async {
    ///     let other = girder_core::spawn(async { girder_core::receive::<()>().await });
    ///     girder_core::register("worker", other).unwrap();
    ///     other
    /// }).unwrap();
    /// assert_eq!(rt.handle().whereis("worker"), Some(pid));
    /// ```
    pub fn whereis(&self, name: &str) -> Option<Pid> {
        self.shared.registry.whereis(name)
    }

    /// Number of live processes. Erlang `erlang:system_info(process_count)`.
    pub fn process_count(&self) -> usize {
        self.shared.table.len()
    }

    /// Runs `future` as a root process and blocks until it ends. See
    /// [`Runtime::block_on`].
    pub fn block_on<F>(&self, future: F) -> Result<F::Output, ExitReason>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let slot: Arc<ResultSlot<F::Output>> = Arc::default();
        let out = slot.clone();
        let on_exit = slot.clone();
        self.shared.spawn_process(
            async move {
                let value = future.await;
                *out.0.lock() = Some(Ok(value));
            },
            SpawnOpts {
                // Learns the root's exit reason however it ends, without a
                // watcher process.
                on_exit: Some(Box::new(move |reason: &ExitReason| {
                    let mut g = on_exit.0.lock();
                    if g.is_none() {
                        *g = Some(Err(reason.clone()));
                    }
                    on_exit.1.notify_all();
                })),
                ..SpawnOpts::default()
            },
        );
        let mut g = slot.0.lock();
        loop {
            if let Some(result) = g.take() {
                return result;
            }
            slot.1.wait(&mut g);
        }
    }
}
