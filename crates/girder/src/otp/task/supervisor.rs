//! `Task.Supervisor`: tasks as temporary children of a dynamic supervisor.
//!
//! Elixir's `Task.Supervisor` is a `DynamicSupervisor` whose children are
//! temporary tasks; so is [`TaskSupervisor`]. Tasks started with
//! [`TaskSupervisor::async_nolink`] are monitored by the caller but not
//! linked to it: a crash reaches the caller only as
//! `Err(TaskError::Exit(reason))` from `await`. The supervisor shuts its
//! tasks down when it stops (`Shutdown`, 5 s, then kill), and
//! [`TaskSupervisor::children`] lists them.
//!
//! ```
//! use girder::otp::task::{TaskError, TaskSupervisor};
//! use girder::otp::dynamic_supervisor::Options;
//!
//! girder::run(async {
//!     let sup = TaskSupervisor::start_link(Options::new()).await.unwrap();
//!     let ok = sup.async_nolink(async { 21 * 2 }).await.unwrap();
//!     assert_eq!(ok.await, Ok(42));
//!     let bad = sup.async_nolink(async { panic!("boom") }).await.unwrap();
//!     assert!(matches!(bad.await, Err(TaskError::Exit(_))));
//!     // The caller is alive and well.
//! }).unwrap();
//! ```
//!
//! | Elixir | Girder |
//! |---|---|
//! | `Task.Supervisor.start_link(name: n, max_children: m)` | `TaskSupervisor::start_link(Options::new().name("n").max_children(m))` |
//! | `{Task.Supervisor, name: n}` as a child | `TaskSupervisor::child_spec(id, opts)` |
//! | `Task.Supervisor.async_nolink(sup, fun)` | `sup.async_nolink(fut).await` → `Result<Task<T>, ChildError>` |
//! | `Task.Supervisor.async(sup, fun)` | `sup.spawn(fut).await` (linked, like `Task::spawn`) |
//! | `Task.Supervisor.start_child(sup, fun)` | `sup.start_child(fut).await` → `Result<Pid, ChildError>` |
//! | `Task.Supervisor.children(sup)` | `sup.children().await` |
//! | `Task.Supervisor.terminate_child(sup, pid)` | `sup.terminate_child(pid).await` |
//! | `Task.Supervisor.async_stream_nolink(sup, enum, fun, opts)` | `sup.async_stream_nolink(iter, f)` + [`AsyncStream`] options |
//! | `Task.Supervisor.async_stream(sup, enum, fun, opts)` | `sup.async_stream(iter, f)` |
//!
//! Elixir raises when the supervisor cannot start a task (`max_children`
//! reached, supervisor gone); here `async_nolink`, `spawn` and
//! `start_child` return the [`ChildError`], and a stream yields
//! `Err(TaskError::Exit(reason))` for the items that could not start.
//! `start_child` takes Elixir's defaults (`restart: :temporary`,
//! `shutdown: 5000`); children with other restart types are
//! [`DynamicSupervisor`] children built from a [`ChildSpec`].

use std::future::Future;
use std::time::Duration;

use girder_core::{Alias, ExitReason, Pid, alias, link, self_pid, spawn_link};
use parking_lot::Mutex;

use super::stream::{Spawner, StartTask};
use super::{AsyncStream, Task, TaskError, task_body};
use crate::otp::dynamic_supervisor::{DynamicSupervisor, Options};
use crate::otp::gen_server::{CallError, StartError};
use crate::otp::supervisor::{ChildError, ChildSpec, Restart};

/// A supervisor of tasks. Elixir `Task.Supervisor`. Cheap to clone.
#[derive(Clone, Debug)]
pub struct TaskSupervisor {
    sup: DynamicSupervisor,
}

impl TaskSupervisor {
    /// Starts a task supervisor linked to the caller. Elixir
    /// `Task.Supervisor.start_link/1` (options: `name`, `max_children`,
    /// `max_restarts`, `max_seconds`).
    pub async fn start_link(opts: Options) -> Result<TaskSupervisor, StartError> {
        let sup = DynamicSupervisor::start_link(opts).await?;
        Ok(TaskSupervisor { sup })
    }

    /// A child spec that starts a task supervisor (for supervision trees).
    /// Elixir `{Task.Supervisor, opts}`.
    ///
    /// ```
    /// use girder::otp::dynamic_supervisor::Options;
    /// use girder::otp::task::TaskSupervisor;
    /// let spec = TaskSupervisor::child_spec("tasks", Options::new().name("tasks"));
    /// assert_eq!(spec.id(), "tasks");
    /// ```
    pub fn child_spec(id: impl AsRef<str>, opts: Options) -> ChildSpec {
        DynamicSupervisor::child_spec(id, opts)
    }

    /// The task supervisor with pid `pid` (Elixir's `supervisor` argument
    /// as a pid).
    pub fn from_pid(pid: Pid) -> TaskSupervisor {
        TaskSupervisor {
            sup: DynamicSupervisor::from_pid(pid),
        }
    }

    /// The task supervisor registered as `name`, looked up at each use
    /// (Elixir's `supervisor` argument as a name).
    pub fn named(name: impl Into<crate::otp::Name>) -> TaskSupervisor {
        TaskSupervisor {
            sup: DynamicSupervisor::named(name),
        }
    }

    /// The supervisor's pid, if it runs. Elixir `GenServer.whereis/1`.
    pub fn pid(&self) -> Option<Pid> {
        self.sup.pid()
    }

    /// Runs `future` as a child of the supervisor, monitored by the caller
    /// but **not linked** to it: the caller awaits, yields or shuts the task
    /// down as any [`Task`], and a crash comes back as
    /// `Err(TaskError::Exit(reason))`. Elixir `Task.Supervisor.async_nolink/2`.
    ///
    /// ```
    /// use girder::otp::dynamic_supervisor::Options;
    /// use girder::otp::task::TaskSupervisor;
    /// girder::run(async {
    ///     let sup = TaskSupervisor::start_link(Options::new()).await.unwrap();
    ///     let task = sup.async_nolink(async { "hi" }).await.unwrap();
    ///     assert_eq!(task.await, Ok("hi"));
    /// }).unwrap();
    /// ```
    pub async fn async_nolink<F>(&self, future: F) -> Result<Task<F::Output>, ChildError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.start_task(future, false).await
    }

    /// Runs `future` as a child of the supervisor, linked to the caller as
    /// well (a crash takes the caller down unless it traps exits), like
    /// [`Task::spawn`]. Elixir `Task.Supervisor.async/2`.
    ///
    /// ```
    /// use girder::otp::dynamic_supervisor::Options;
    /// use girder::otp::task::TaskSupervisor;
    /// girder::run(async {
    ///     let sup = TaskSupervisor::start_link(Options::new()).await.unwrap();
    ///     let task = sup.spawn(async { 1 + 1 }).await.unwrap();
    ///     assert_eq!(task.await, Ok(2));
    /// }).unwrap();
    /// ```
    pub async fn spawn<F>(&self, future: F) -> Result<Task<F::Output>, ChildError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.start_task(future, true).await
    }

    /// Starts `future` as a temporary child whose result nobody collects
    /// (not linked to the caller). Elixir `Task.Supervisor.start_child/2`.
    ///
    /// ```
    /// use girder::otp::dynamic_supervisor::Options;
    /// use girder::otp::task::TaskSupervisor;
    /// girder::run(async {
    ///     let sup = TaskSupervisor::start_link(Options::new()).await.unwrap();
    ///     let me = girder::self_pid();
    ///     sup.start_child(async move { girder::send(me, "ran") }).await.unwrap();
    ///     assert_eq!(girder::receive::<&str>().await, "ran");
    /// }).unwrap();
    /// ```
    pub async fn start_child<F>(&self, future: F) -> Result<Pid, ChildError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let spec = once_spec(async move {
            future.await;
        });
        self.sup
            .start_child(spec)
            .await?
            .ok_or(ChildError::Start(StartError::Ignore))
    }

    /// The pids of the running tasks. Elixir `Task.Supervisor.children/1`.
    pub async fn children(&self) -> Result<Vec<Pid>, CallError> {
        let children = self.sup.which_children().await?;
        Ok(children.into_iter().filter_map(|c| c.pid).collect())
    }

    /// Shuts the task `pid` down (`Shutdown`, 5 s, then kill). Elixir
    /// `Task.Supervisor.terminate_child/2`; `Err(ChildError::NotFound)` if
    /// it is not a child.
    pub async fn terminate_child(&self, pid: Pid) -> Result<(), ChildError> {
        self.sup.terminate_child(pid).await
    }

    /// Stops the supervisor and its tasks. Elixir `Supervisor.stop/3`.
    pub async fn stop(&self, reason: ExitReason, timeout: Duration) -> Result<(), CallError> {
        self.sup.stop(reason, timeout).await
    }

    /// [`Task::async_stream`] with each task started by
    /// [`TaskSupervisor::async_nolink`]: a crashing item gives
    /// `Err(TaskError::Exit(reason))` and the caller need not trap exits.
    /// Elixir `Task.Supervisor.async_stream_nolink/4`.
    ///
    /// ```
    /// use girder::otp::dynamic_supervisor::Options;
    /// use girder::otp::task::TaskSupervisor;
    /// girder::run(async {
    ///     let sup = TaskSupervisor::start_link(Options::new()).await.unwrap();
    ///     let out = sup
    ///         .async_stream_nolink(1..=3u32, |n| async move {
    ///             if n == 2 { panic!("two") }
    ///             n
    ///         })
    ///         .collect()
    ///         .await;
    ///     assert_eq!(out[0], Ok(1));
    ///     assert!(out[1].is_err());
    ///     assert_eq!(out[2], Ok(3));
    /// }).unwrap();
    /// ```
    pub fn async_stream_nolink<I, F, Fut>(&self, items: I, f: F) -> AsyncStream<Fut::Output>
    where
        I: IntoIterator,
        I::IntoIter: Send + 'static,
        F: FnMut(I::Item) -> Fut + Send + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: Send + 'static,
    {
        AsyncStream::new(self.spawner(items, f, false))
    }

    /// [`Task::async_stream`] with each task started by
    /// [`TaskSupervisor::spawn`] (linked to the caller too). Elixir
    /// `Task.Supervisor.async_stream/4`.
    pub fn async_stream<I, F, Fut>(&self, items: I, f: F) -> AsyncStream<Fut::Output>
    where
        I: IntoIterator,
        I::IntoIter: Send + 'static,
        F: FnMut(I::Item) -> Fut + Send + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: Send + 'static,
    {
        AsyncStream::new(self.spawner(items, f, true))
    }

    fn spawner<I, F, Fut>(&self, items: I, mut f: F, linked: bool) -> Spawner<Fut::Output>
    where
        I: IntoIterator,
        I::IntoIter: Send + 'static,
        F: FnMut(I::Item) -> Fut + Send + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: Send + 'static,
    {
        let mut items = items.into_iter();
        let this = self.clone();
        Box::new(move || {
            let future = f(items.next()?);
            let this = this.clone();
            let start: StartTask<Fut::Output> = Box::pin(async move {
                this.start_task(future, linked)
                    .await
                    .map_err(|e| TaskError::Exit(child_error_reason(&e)))
            });
            Some(start)
        })
    }

    /// Asks the supervisor to start the task, then (linking if asked)
    /// monitors it and lets it run.
    async fn start_task<F>(&self, future: F, linked: bool) -> Result<Task<F::Output>, ChildError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let owner = self_pid();
        let reply_to: Alias = alias();
        let spec = once_spec(task_body(future, owner, reply_to, linked, true));
        let started = match self.sup.start_child(spec).await {
            Ok(Some(pid)) => Ok(pid),
            Ok(None) => Err(ChildError::Start(StartError::Ignore)),
            Err(e) => Err(e),
        };
        let pid = match started {
            Ok(pid) => pid,
            Err(e) => {
                girder_core::unalias(reply_to);
                return Err(e);
            }
        };
        if linked {
            link(pid);
        }
        Ok(Task::attach(pid, reply_to, linked))
    }
}

/// A temporary child spec that runs `body` once (a temporary child is
/// never restarted, so its start function runs once).
fn once_spec<F>(body: F) -> ChildSpec
where
    F: Future + Send + 'static,
    F::Output: girder_core::IntoExitReason,
{
    let body = Mutex::new(Some(body));
    ChildSpec::new("task", move || {
        let body = body.lock().take();
        async move {
            match body {
                Some(body) => Ok(spawn_link(body)),
                None => Err(StartError::Ignore),
            }
        }
    })
    .restart(Restart::Temporary)
}

/// The exit reason a task that could not start reports in a stream.
fn child_error_reason(e: &ChildError) -> ExitReason {
    match e {
        ChildError::Start(e) => e.exit_reason(),
        ChildError::Supervisor(e) => e.exit_reason(),
        ChildError::MaxChildren => ExitReason::other("max_children"),
        other => ExitReason::other(other.to_string()),
    }
}
