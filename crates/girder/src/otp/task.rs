//! # Task: one-off asynchronous work in its own process
//!
//! Elixir's `Task`: run a future in a new process and, usually, collect its
//! result later. [`Task::spawn`] is `Task.async`: the task is linked to the
//! caller (a crash takes the caller down, as "let it crash" wants) and
//! monitored by it; its result travels back tagged, and
//! [`task.await`](Task#impl-IntoFuture-for-Task<T>) (or
//! [`Task::await_timeout`]) takes it.
//!
//! ```
//! use girder::otp::task::Task;
//!
//! let sum = girder::run(async {
//!     let a = Task::spawn(async { 20 });
//!     let b = Task::spawn(async { 22 });
//!     a.await.unwrap() + b.await.unwrap()
//! });
//! assert_eq!(sum, Ok(42));
//! ```
//!
//! ## From Elixir
//!
//! | Elixir | Girder |
//! |---|---|
//! | `task = Task.async(fn -> … end)` | `let task = Task::spawn(async { … })` |
//! | `Task.await(task)` (5 s) | `task.await` → `Result<T, TaskError>` |
//! | `Task.await(task, ms)` / `:infinity` | `task.await_timeout(d)` / [`INFINITY`] |
//! | `Task.await_many(tasks, ms)` | `Task::await_many(tasks, d)` |
//! | `Task.yield(task, ms)` → `{:ok, v}` / `{:exit, r}` / `nil` | `task.yield_timeout(d)` → `Some(Ok(v))` / `Some(Err(TaskError::Exit(r)))` / `None` |
//! | `Task.yield_many(tasks, ms)` | `Task::yield_many(&mut tasks, d)` |
//! | `Task.shutdown(task, ms)` | `task.shutdown(d)` |
//! | `Task.shutdown(task, :brutal_kill)` | `task.shutdown_brutal_kill()` |
//! | `Task.ignore(task)` | `task.ignore()` |
//! | `task.pid`, `task.owner` | `task.pid()`, `task.owner()` |
//! | `Task.start(fn -> … end)` | `Task::start(async { … })` |
//! | `Task.start_link(fn -> … end)` | `Task::start_link(async { … })` |
//! | `Task.async_stream(enum, fun, opts)` | `Task::async_stream(iter, f)` + [`AsyncStream`] options, `.next().await` / `.collect().await` |
//! | `max_concurrency:`, `ordered:`, `timeout:`, `on_timeout: :kill_task` | `.max_concurrency(n)`, `.ordered(b)`, `.timeout(d)`, `.on_timeout(OnTimeout::KillTask)` |
//! | `Task.Supervisor.async_nolink(sup, fun)` and the rest of `Task.Supervisor` | [`TaskSupervisor`] (`sup.async_nolink(fut)`, …) |
//!
//! Differences, all deliberate:
//!
//! * Elixir's `await` **exits the caller** when the task fails or the time
//!   runs out; here it returns `Err(TaskError::Exit(reason))` or
//!   `Err(TaskError::Timeout)` (use [`TaskError::exit_reason`] and
//!   [`girder_core::exit`] for Elixir's behaviour). On a timeout the task is
//!   **killed** before `await` returns — in Elixir the caller's exit takes
//!   the linked task down with it; here the caller lives on, so the task is
//!   ended explicitly. A task that crashes still sends its exit signal to
//!   the caller through the link: a caller that does not trap exits dies
//!   with it, exactly as in Elixir, and `await` only returns the error to a
//!   caller that traps exits.
//! * A task that finishes unlinks itself from its caller just before it
//!   sends its result, so a caller that traps exits gets no `Exit` message
//!   with reason `Normal` for it (Elixir leaves `{:EXIT, pid, :normal}` in
//!   the mailbox). After `await`, `yield`, `shutdown` or a timeout nothing of
//!   the task is left in the caller's mailbox: the result travels to an
//!   [`Alias`] that is switched off when the caller is
//!   done with the task, so a late result is dropped on arrival.
//! * `yield` is a Rust keyword: the method is `yield_timeout`. It takes
//!   `&mut self`, so a task that did not answer in time can be yielded
//!   again, awaited or shut down, as in Elixir.
//! * A task whose result was already taken (by a `yield` that returned
//!   `Some`) answers any further `await`/`yield`/`shutdown` at once with
//!   `Exit(Noproc)`, as Elixir's `shutdown` does for such a task (Elixir's
//!   `await` would wait out its timeout).
//! * Dropping a [`Task`] without awaiting it leaves the task running and
//!   linked but removes the alias and the monitor: a result or `DOWN` that
//!   comes after the drop is discarded (one already in the mailbox stays,
//!   as it would in Elixir).
//! * Only the process that spawned a task (its owner) may await, yield or
//!   shut it down; any other process panics, as Elixir raises
//!   `ArgumentError`.
//!
//! ## The protocol (the invariant of this module)
//!
//! A task is three things in its owner: an [`Alias`] the result is sent to
//! (its reference tags the result), a monitor of the task process, and —
//! for `Task.async` — a link. The task waits for a go message the owner
//! sends after its monitor is in place, so the task cannot exit unseen.
//! Every way the owner stops caring about a task — a result or `DOWN`
//! taken, a timeout, a shutdown, `ignore`, dropping the [`Task`] or an
//! [`AsyncStream`] — switches the alias off and removes the monitor (with
//! any `DOWN` already queued), and a shutdown unlinks before it sends the
//! exit signal: nothing the task sends afterwards reaches the owner.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::time::{Duration, Instant};

use girder_core::{
    Alias, Down, ExitReason, Pid, Reason, Ref, Select, alias, demonitor_flush, exit, monitor,
    receive_match, receive_select, self_pid, send, spawn, spawn_link, try_self_pid, unalias,
    unlink,
};

pub use crate::otp::gen_server::{DEFAULT_TIMEOUT, INFINITY};

mod stream;
mod supervisor;

use self::stream::StartTask;
pub use self::stream::{AsyncStream, OnTimeout};
pub use self::supervisor::TaskSupervisor;

/// A running computation whose result its owner collects later. Elixir's
/// `%Task{}` as `Task.async/1` returns it.
///
/// Await it (`task.await`, 5 s, or [`Task::await_timeout`]), poll it
/// ([`Task::yield_timeout`]), or stop it ([`Task::shutdown`]). Only the
/// process that spawned it may do so.
#[must_use = "a task's result is lost unless it is awaited, yielded or shut down"]
pub struct Task<T> {
    pid: Pid,
    owner: Pid,
    /// Where the task sends its result; its reference tags the result.
    reply_to: Alias,
    /// The owner's monitor of the task.
    monitor: Ref,
    /// Whether the task is linked to its owner (`Task.async`) or not
    /// (`Task.Supervisor.async_nolink`).
    linked: bool,
    /// The result (or the exit) has been taken, or the task was let go:
    /// alias and monitor are gone and nothing more will come.
    done: bool,
    _value: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task")
            .field("pid", &self.pid)
            .field("owner", &self.owner)
            .field("ref", &self.reply_to.reference())
            .field("linked", &self.linked)
            .field("done", &self.done)
            .finish()
    }
}

/// Why a task gave no result. Elixir exits the caller with
/// `{reason, {Task, :await, …}}`; here the caller gets the error.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum TaskError {
    /// No result within the timeout. Elixir `:timeout`.
    Timeout,
    /// The task exited before it sent a result (a panic is
    /// `Exit(Panic(msg))`), or its result was already taken (`Noproc`).
    /// Elixir `{:exit, reason}`.
    Exit(ExitReason),
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Timeout => f.write_str("task timed out"),
            TaskError::Exit(reason) => write!(f, "task exited: {reason}"),
        }
    }
}

impl std::error::Error for TaskError {}

impl TaskError {
    /// The reason Elixir would exit the awaiting caller with (`timeout` or
    /// the task's reason): what to exit with to propagate the failure as
    /// Elixir does.
    ///
    /// ```
    /// use girder::otp::task::TaskError;
    /// use girder::ExitReason;
    /// assert_eq!(TaskError::Timeout.exit_reason(), ExitReason::other("timeout"));
    /// assert_eq!(TaskError::Exit(ExitReason::Killed).exit_reason(), ExitReason::Killed);
    /// ```
    pub fn exit_reason(&self) -> ExitReason {
        match self {
            TaskError::Timeout => ExitReason::other("timeout"),
            TaskError::Exit(reason) => reason.clone(),
        }
    }
}

/// Tells a new task that its owner's monitor is in place, so it may run
/// (and exit). Carries the task's tag.
struct Go(Ref);

/// A task's result as it travels to its owner's alias.
struct TaskReply<T> {
    tag: Ref,
    value: T,
}

/// What the owner found: the result, or the task's `DOWN`.
pub(crate) enum Outcome<T> {
    Value(T),
    Down(ExitReason),
}

/// How long a supervised task waits for its owner's go before it gives
/// up (Elixir's `@ref_timeout`).
const GO_TIMEOUT: Duration = Duration::from_secs(5);

/// A task process's body: wait for the owner's go, run the future, let go
/// of the owner (so a trapping owner gets no `Exit` for a task that
/// finished), send the result.
///
/// A `supervised` task is started by a task supervisor before its owner
/// gets to monitor it, so it watches the owner while it waits: if the
/// owner dies first the task exits `{shutdown, reason}`, and without a go
/// within [`GO_TIMEOUT`] it exits `timeout`, as Elixir's do.
pub(crate) async fn task_body<F>(
    future: F,
    owner: Pid,
    reply_to: Alias,
    linked: bool,
    supervised: bool,
) -> ExitReason
where
    F: Future,
    F::Output: Send + 'static,
{
    let tag = reply_to.reference();
    if supervised {
        let mref = monitor(owner);
        let select = move |m: &(dyn Any + Send)| {
            if m.downcast_ref::<Go>().is_some_and(|g| g.0 == tag) {
                Some(true)
            } else if m.downcast_ref::<Down>().is_some_and(|d| d.monitor == mref) {
                Some(false)
            } else {
                None
            }
        };
        match receive_select(select).timeout(GO_TIMEOUT).await {
            Some((true, _)) => {
                demonitor_flush(mref);
            }
            Some((false, msg)) => {
                let Outcome::<()>::Down(reason) = outcome_of(false, msg) else {
                    unreachable!("selected as a DOWN")
                };
                return ExitReason::ShutdownWith(Reason::new(reason));
            }
            None => return ExitReason::other("timeout"),
        }
    } else {
        receive_match(move |g: &Go| g.0 == tag).await;
    }
    let value = future.await;
    if linked {
        unlink(owner);
    }
    reply_to.send(TaskReply { tag, value });
    ExitReason::Normal
}

impl Task<()> {
    /// Starts `future` in a new process, not linked to the caller, whose
    /// result nobody collects. Elixir `Task.start/1` (`{:ok, pid}`).
    ///
    /// ```
    /// use girder::otp::task::Task;
    /// girder::run(async {
    ///     let me = girder::self_pid();
    ///     Task::start(async move { girder::send(me, "done") });
    ///     assert_eq!(girder::receive::<&str>().await, "done");
    /// }).unwrap();
    /// ```
    pub fn start<F>(future: F) -> Pid
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        spawn(async move {
            future.await;
        })
    }

    /// Starts `future` in a new process linked to the caller, whose result
    /// nobody collects: the form a supervisor starts. Elixir
    /// `Task.start_link/1`.
    ///
    /// ```
    /// use girder::otp::task::Task;
    /// girder::run(async {
    ///     let me = girder::self_pid();
    ///     let pid = Task::start_link(async move { girder::send(me, "done") });
    ///     assert_eq!(girder::receive::<&str>().await, "done");
    ///     let _ = pid;
    /// }).unwrap();
    /// ```
    pub fn start_link<F>(future: F) -> Pid
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        spawn_link(async move {
            future.await;
        })
    }
}

impl<T: Send + 'static> Task<T> {
    /// Runs `future` in a new process linked to and monitored by the
    /// caller. Elixir `Task.async/1`.
    ///
    /// The task's result goes to the caller, who must collect it with
    /// `.await`, [`Task::await_timeout`], [`Task::yield_timeout`] or
    /// [`Task::shutdown`]. If the task panics, its exit signal reaches the
    /// caller through the link (and ends it, unless it traps exits).
    ///
    /// ```
    /// use girder::otp::task::Task;
    /// let v = girder::run(async {
    ///     Task::spawn(async { "hello".len() }).await
    /// });
    /// assert_eq!(v, Ok(Ok(5)));
    /// ```
    ///
    /// # Panics
    /// Outside a process.
    pub fn spawn<F>(future: F) -> Task<T>
    where
        F: Future<Output = T> + Send + 'static,
    {
        let owner = self_pid();
        let reply_to = alias();
        let pid = spawn_link(task_body(future, owner, reply_to, true, false));
        Task::attach(pid, reply_to, true)
    }

    /// Monitors the new task process `pid` (which runs [`task_body`] for
    /// `reply_to`) and lets it go.
    pub(crate) fn attach(pid: Pid, reply_to: Alias, linked: bool) -> Task<T> {
        let monitor = monitor(pid);
        // After the monitor signal, so the task cannot exit unseen.
        send(pid, Go(reply_to.reference()));
        Task {
            pid,
            owner: self_pid(),
            reply_to,
            monitor,
            linked,
            done: false,
            _value: PhantomData,
        }
    }

    /// Waits up to `timeout` ([`INFINITY`]: no limit) for the result.
    /// Elixir `Task.await/2`.
    ///
    /// On a timeout the task is killed (and its `DOWN` awaited) before this
    /// returns `Err(TaskError::Timeout)`; Elixir exits the caller instead,
    /// which takes the linked task down. If the task exited first:
    /// `Err(TaskError::Exit(reason))`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use girder::otp::task::{Task, TaskError};
    /// girder::run(async {
    ///     let slow = Task::spawn(async { girder::sleep(Duration::from_secs(60)).await });
    ///     assert_eq!(slow.await_timeout(Duration::from_millis(10)).await, Err(TaskError::Timeout));
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// If the caller is not the task's owner.
    pub async fn await_timeout(mut self, timeout: Duration) -> Result<T, TaskError> {
        self.check_owner("await");
        if self.done {
            return Err(TaskError::Exit(ExitReason::Noproc));
        }
        match self.receive_outcome(timeout).await {
            Some(outcome) => self.settle(outcome),
            None => {
                self.terminate(None).await;
                Err(TaskError::Timeout)
            }
        }
    }

    /// Waits up to `timeout` for the result; `None` if the task is still
    /// running, which then may be yielded, awaited or shut down again.
    /// Elixir `Task.yield/2`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use girder::otp::task::Task;
    /// girder::run(async {
    ///     let mut task = Task::spawn(async { girder::receive::<u32>().await * 2 });
    ///     assert!(task.yield_timeout(Duration::ZERO).await.is_none());
    ///     girder::send(task.pid(), 21u32);
    ///     assert_eq!(task.yield_timeout(Duration::from_secs(5)).await, Some(Ok(42)));
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// If the caller is not the task's owner.
    pub async fn yield_timeout(&mut self, timeout: Duration) -> Option<Result<T, TaskError>> {
        self.check_owner("yield");
        if self.done {
            return Some(Err(TaskError::Exit(ExitReason::Noproc)));
        }
        let outcome = self.receive_outcome(timeout).await?;
        Some(self.settle(outcome))
    }

    /// Unlinks the task, asks it to stop (exit signal `Shutdown`), waits up
    /// to `timeout` for it to exit and kills it if it has not; then returns
    /// its result if it sent one meanwhile. Elixir `Task.shutdown/2`.
    ///
    /// `Some(Ok(v))`: the task finished first; `None`: it was shut down;
    /// `Some(Err(TaskError::Exit(r)))`: it exited with another reason
    /// (`Killed` if it had to be killed after the timeout, as in Elixir).
    ///
    /// ```
    /// use std::time::Duration;
    /// use girder::otp::task::Task;
    /// girder::run(async {
    ///     let idle = Task::spawn(async { girder::sleep(Duration::from_secs(60)).await });
    ///     assert_eq!(idle.shutdown(Duration::from_secs(5)).await, None);
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// If the caller is not the task's owner.
    pub async fn shutdown(mut self, timeout: Duration) -> Option<Result<T, TaskError>> {
        self.check_owner("shutdown");
        if self.done {
            return Some(Err(TaskError::Exit(ExitReason::Noproc)));
        }
        self.terminate(Some(timeout)).await
    }

    /// Unlinks and kills the task at once, then returns its result if it
    /// had sent one. Elixir `Task.shutdown(task, :brutal_kill)`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use girder::otp::task::Task;
    /// girder::run(async {
    ///     let idle = Task::spawn(async { girder::sleep(Duration::from_secs(60)).await });
    ///     assert_eq!(idle.shutdown_brutal_kill().await, None);
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// If the caller is not the task's owner.
    pub async fn shutdown_brutal_kill(mut self) -> Option<Result<T, TaskError>> {
        self.check_owner("shutdown");
        if self.done {
            return Some(Err(TaskError::Exit(ExitReason::Noproc)));
        }
        self.terminate(None).await
    }

    /// Lets the task run on, unlinked, its result discarded; returns the
    /// result (or exit) if it is already here. Elixir `Task.ignore/1`.
    ///
    /// ```
    /// use girder::otp::task::Task;
    /// girder::run(async {
    ///     let task = Task::spawn(async { girder::receive::<()>().await });
    ///     let pid = task.pid();
    ///     assert_eq!(task.ignore().await, None);
    ///     assert!(girder::is_process_alive(pid));
    ///     girder::exit(pid, girder::ExitReason::Kill);
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// If the caller is not the task's owner.
    pub async fn ignore(mut self) -> Option<Result<T, TaskError>> {
        self.check_owner("ignore");
        if self.done {
            return Some(Err(TaskError::Exit(ExitReason::Noproc)));
        }
        if let Some(outcome) = self.receive_outcome(Duration::ZERO).await {
            return Some(self.settle(outcome));
        }
        if self.linked {
            unlink(self.pid);
        }
        self.let_go();
        None
    }

    /// Waits for all `tasks` within one `timeout` and returns their results
    /// in order. Elixir `Task.await_many/2`.
    ///
    /// If a task exits first, or the time runs out, the tasks still running
    /// are killed and the error is returned (Elixir exits the caller, which
    /// takes the linked tasks down).
    ///
    /// ```
    /// use std::time::Duration;
    /// use girder::otp::task::Task;
    /// let v = girder::run(async {
    ///     let tasks = (1..=3u32).map(|i| Task::spawn(async move { i * i })).collect();
    ///     Task::await_many(tasks, Duration::from_secs(5)).await
    /// });
    /// assert_eq!(v, Ok(Ok(vec![1, 4, 9])));
    /// ```
    ///
    /// # Panics
    /// If the caller does not own every task.
    pub async fn await_many(
        mut tasks: Vec<Task<T>>,
        timeout: Duration,
    ) -> Result<Vec<T>, TaskError> {
        for t in &tasks {
            t.check_owner("await_many");
        }
        let deadline = deadline_after(timeout);
        let mut values: Vec<Option<T>> = tasks.iter().map(|_| None).collect();
        let mut failure = tasks
            .iter()
            .any(|t| t.done)
            .then_some(TaskError::Exit(ExitReason::Noproc));
        let mut pending = tasks.len();
        while failure.is_none() && pending > 0 {
            let watch = watch_list(tasks.iter().enumerate().filter(|(_, t)| !t.done));
            match wait_any::<T>(&watch, remaining(deadline)).await {
                Some((i, outcome)) => match tasks[i].settle(outcome) {
                    Ok(v) => {
                        values[i] = Some(v);
                        pending -= 1;
                    }
                    Err(e) => failure = Some(e),
                },
                None => failure = Some(TaskError::Timeout),
            }
        }
        if let Some(e) = failure {
            for t in tasks.iter_mut().filter(|t| !t.done) {
                t.terminate(None).await;
            }
            return Err(e);
        }
        Ok(values.into_iter().flatten().collect())
    }

    /// Waits up to `timeout` for the results of all `tasks`; returns one
    /// entry per task, in order, as [`Task::yield_timeout`] would. Tasks
    /// still running (`None`) can be yielded, awaited or shut down later.
    /// Elixir `Task.yield_many/2` (`on_timeout: :nothing`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use girder::otp::task::Task;
    /// girder::run(async {
    ///     let mut tasks = vec![
    ///         Task::spawn(async { Some(1) }),
    ///         Task::spawn(async { girder::receive::<()>().await; None }),
    ///     ];
    ///     let results = Task::yield_many(&mut tasks, Duration::from_millis(50)).await;
    ///     assert_eq!(results, vec![Some(Ok(Some(1))), None]);
    ///     for t in tasks { t.shutdown_brutal_kill().await; }
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// If the caller does not own every task.
    pub async fn yield_many(
        tasks: &mut [Task<T>],
        timeout: Duration,
    ) -> Vec<Option<Result<T, TaskError>>> {
        for t in tasks.iter() {
            t.check_owner("yield_many");
        }
        let deadline = deadline_after(timeout);
        let mut results: Vec<Option<Result<T, TaskError>>> = tasks
            .iter()
            .map(|t| t.done.then_some(Err(TaskError::Exit(ExitReason::Noproc))))
            .collect();
        while results.iter().any(Option::is_none) {
            let watch = watch_list(tasks.iter().enumerate().filter(|(_, t)| !t.done));
            // Once the time is up this still takes what is already here.
            match wait_any::<T>(&watch, remaining(deadline)).await {
                Some((i, outcome)) => results[i] = Some(tasks[i].settle(outcome)),
                None => break,
            }
        }
        results
    }

    /// Runs `f(item)` for each item in its own task, at most
    /// `max_concurrency` at a time, and streams the results. Elixir
    /// `Task.async_stream/3`. See [`AsyncStream`] for the options.
    ///
    /// ```
    /// use girder::otp::task::Task;
    /// let squares = girder::run(async {
    ///     Task::async_stream(1..=5u64, |n| async move { n * n })
    ///         .max_concurrency(2)
    ///         .collect()
    ///         .await
    /// });
    /// let squares: Vec<u64> = squares.unwrap().into_iter().map(Result::unwrap).collect();
    /// assert_eq!(squares, vec![1, 4, 9, 16, 25]);
    /// ```
    pub fn async_stream<I, F, Fut>(items: I, mut f: F) -> AsyncStream<T>
    where
        I: IntoIterator,
        I::IntoIter: Send + 'static,
        F: FnMut(I::Item) -> Fut + Send + 'static,
        Fut: Future<Output = T> + Send + 'static,
    {
        let mut items = items.into_iter();
        AsyncStream::new(Box::new(move || {
            let item = items.next()?;
            let task = Task::spawn(f(item));
            Some(Box::pin(std::future::ready(Ok(task))) as StartTask<T>)
        }))
    }

    /// Waits up to `timeout` for the result or the `DOWN`.
    async fn receive_outcome(&self, timeout: Duration) -> Option<Outcome<T>> {
        let tag = self.reply_to.reference();
        let mref = self.monitor;
        let select = move |m: &(dyn Any + Send)| {
            if m.downcast_ref::<TaskReply<T>>()
                .is_some_and(|r| r.tag == tag)
            {
                Some(true)
            } else if m.downcast_ref::<Down>().is_some_and(|d| d.monitor == mref) {
                Some(false)
            } else {
                None
            }
        };
        // `since` skips what was queued before the task started (the first
        // time; the mark is used up then).
        let (is_reply, msg) = select_within(receive_select(select).since(tag), timeout).await?;
        Some(outcome_of(is_reply, msg))
    }

    /// Takes the outcome: the task is done with.
    pub(crate) fn settle(&mut self, outcome: Outcome<T>) -> Result<T, TaskError> {
        match outcome {
            Outcome::Value(v) => {
                self.let_go();
                Ok(v)
            }
            Outcome::Down(reason) => {
                // The monitor fired; only the alias is left.
                unalias(self.reply_to);
                self.done = true;
                Err(TaskError::Exit(reason))
            }
        }
    }

    /// Elixir's `Task.shutdown`: unlink, exit `Shutdown` and wait up to
    /// `grace` then kill (or, with `None`, kill at once), wait for the
    /// `DOWN`, take a result that came meanwhile.
    pub(crate) async fn terminate(
        &mut self,
        grace: Option<Duration>,
    ) -> Option<Result<T, TaskError>> {
        if self.linked {
            unlink(self.pid);
        }
        let (expected, down) = match grace {
            None => {
                exit(self.pid, ExitReason::Kill);
                (ExitReason::Killed, wait_down(self.monitor, INFINITY).await)
            }
            Some(grace) => {
                exit(self.pid, ExitReason::Shutdown);
                let down = match wait_down(self.monitor, grace).await {
                    Some(reason) => Some(reason),
                    None => {
                        exit(self.pid, ExitReason::Kill);
                        wait_down(self.monitor, INFINITY).await
                    }
                };
                (ExitReason::Shutdown, down)
            }
        };
        // The DOWN came after any result, so a result is in the mailbox by
        // now; none can come after the alias is off.
        unalias(self.reply_to);
        self.done = true;
        let tag = self.reply_to.reference();
        let reply = receive_match(move |r: &TaskReply<T>| r.tag == tag)
            .since(tag)
            .timeout(Duration::ZERO)
            .await;
        match (reply, down) {
            (Some(r), _) => Some(Ok(r.value)),
            (None, Some(reason)) if reason == expected => None,
            (None, reason) => Some(Err(TaskError::Exit(reason.unwrap_or(ExitReason::Noproc)))),
        }
    }
}

impl<T> Task<T> {
    /// The task's process. Elixir `task.pid`.
    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// The process that spawned the task and may collect its result.
    /// Elixir `task.owner`.
    pub fn owner(&self) -> Pid {
        self.owner
    }

    /// The reference the task's result is tagged with. Elixir `task.ref`.
    pub fn reference(&self) -> Ref {
        self.reply_to.reference()
    }

    /// Elixir raises `ArgumentError` when a task is used by another process.
    #[track_caller]
    fn check_owner(&self, op: &str) {
        let me = self_pid();
        assert!(
            me == self.owner,
            "Task {op}: task {} is owned by {}, not by the caller {me}",
            self.pid,
            self.owner
        );
    }

    /// Switches the alias off and removes the monitor (and any `DOWN`).
    fn let_go(&mut self) {
        unalias(self.reply_to);
        demonitor_flush(self.monitor);
        self.done = true;
    }

    /// Kills the task without waiting for it (a stream being dropped).
    pub(crate) fn kill_now(&mut self) {
        if self.linked {
            unlink(self.pid);
        }
        exit(self.pid, ExitReason::Kill);
        self.let_go();
    }

    /// Whether the outcome was taken.
    pub(crate) fn is_done(&self) -> bool {
        self.done
    }
}

impl<T> Drop for Task<T> {
    /// A task dropped by its owner without being awaited runs on, still
    /// linked; the result and `DOWN` it sends from now on are discarded.
    fn drop(&mut self) {
        if !self.done && try_self_pid() == Some(self.owner) {
            unalias(self.reply_to);
            demonitor_flush(self.monitor);
        }
    }
}

/// `task.await`: [`Task::await_timeout`] with Elixir's default of 5 s.
///
/// ```
/// use girder::otp::task::Task;
/// let v = girder::run(async { Task::spawn(async { 6 * 7 }).await });
/// assert_eq!(v, Ok(Ok(42)));
/// ```
impl<T: Send + 'static> IntoFuture for Task<T> {
    type Output = Result<T, TaskError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T, TaskError>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.await_timeout(DEFAULT_TIMEOUT))
    }
}

/// Turns a selected message into an outcome.
fn outcome_of<T: 'static>(is_reply: bool, msg: Box<dyn Any + Send>) -> Outcome<T> {
    if is_reply {
        match msg.downcast::<TaskReply<T>>() {
            Ok(r) => Outcome::Value(r.value),
            Err(_) => unreachable!("selected as a task reply"),
        }
    } else {
        match msg.downcast::<Down>() {
            Ok(d) => Outcome::Down(d.reason),
            Err(_) => unreachable!("selected as a DOWN"),
        }
    }
}

/// Result tags and monitor references of tasks, to the tasks' indices.
pub(crate) type WatchList = HashMap<Ref, usize>;

/// The watch list of `(index, task)` pairs.
pub(crate) fn watch_list<'a, T: 'a>(
    tasks: impl Iterator<Item = (usize, &'a Task<T>)>,
) -> WatchList {
    let mut watch = HashMap::new();
    for (i, t) in tasks {
        watch.insert(t.reply_to.reference(), i);
        watch.insert(t.monitor, i);
    }
    watch
}

/// Waits up to `timeout` for the first result or `DOWN` of any watched
/// task; returns its index and outcome.
pub(crate) async fn wait_any<T: Send + 'static>(
    watch: &WatchList,
    timeout: Duration,
) -> Option<(usize, Outcome<T>)> {
    if watch.is_empty() {
        return None;
    }
    let select = |m: &(dyn Any + Send)| {
        if let Some(r) = m.downcast_ref::<TaskReply<T>>() {
            watch.get(&r.tag).map(|i| (*i, true))
        } else if let Some(d) = m.downcast_ref::<Down>() {
            watch.get(&d.monitor).map(|i| (*i, false))
        } else {
            None
        }
    };
    let ((i, is_reply), msg) = select_within(receive_select(select), timeout).await?;
    Some((i, outcome_of(is_reply, msg)))
}

/// Waits up to `timeout` ([`INFINITY`]: no limit) for the `DOWN` of
/// monitor `mref`; its reason.
async fn wait_down(mref: Ref, timeout: Duration) -> Option<ExitReason> {
    let down = receive_match(move |d: &Down| d.monitor == mref);
    let down = if timeout == INFINITY {
        Some(down.await)
    } else {
        down.timeout(timeout).await
    };
    down.map(|d| d.reason)
}

/// A receive with an optional time limit.
async fn select_within<S, F>(
    select: Select<F>,
    timeout: Duration,
) -> Option<(S, Box<dyn Any + Send>)>
where
    F: FnMut(&(dyn Any + Send)) -> Option<S> + Unpin,
{
    if timeout == INFINITY {
        Some(select.await)
    } else {
        select.timeout(timeout).await
    }
}

/// When `timeout` from now runs out (`None`: never).
pub(crate) fn deadline_after(timeout: Duration) -> Option<Instant> {
    if timeout == INFINITY {
        None
    } else {
        Instant::now().checked_add(timeout)
    }
}

/// The time left until `deadline` ([`INFINITY`] for none; zero once past).
pub(crate) fn remaining(deadline: Option<Instant>) -> Duration {
    match deadline {
        None => INFINITY,
        Some(d) => d.saturating_duration_since(Instant::now()),
    }
}
