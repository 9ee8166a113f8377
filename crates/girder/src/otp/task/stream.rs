//! `Task.async_stream`: one task per item, a bounded number at a time.
//!
//! The stream keeps at most `max_concurrency` tasks running; a finished
//! task's slot goes to the next item at once, also while its result waits
//! in the buffer for the ones before it (ordered output), as Elixir's
//! stream does. Every task is spawned, awaited and, if need be, killed by
//! the process that reads the stream.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use girder_core::{Handle, try_self_pid};

use super::{DEFAULT_TIMEOUT, Task, TaskError, deadline_after, remaining, wait_any, watch_list};

/// What an [`AsyncStream`] does when a task runs past its timeout. Elixir's
/// `:on_timeout` option of `Task.async_stream/3`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum OnTimeout {
    /// Kill every task of the stream and end it: the stream yields
    /// `Err(TaskError::Timeout)`, then `None`. Elixir `:exit` (the default),
    /// which exits the caller.
    #[default]
    Exit,
    /// Kill the task that timed out, yield `Err(TaskError::Timeout)` for its
    /// item and go on. Elixir `:kill_task` (`{:exit, :timeout}`).
    KillTask,
}

/// The results of [`Task::async_stream`], one per item: `Ok(value)`, or
/// `Err(TaskError::Exit(reason))` for an item whose task exited (seen only
/// by a caller that traps exits, since the tasks are linked to it), or
/// `Err(TaskError::Timeout)`. Elixir's stream of `{:ok, value}` /
/// `{:exit, reason}`.
///
/// Lazy, as Elixir's stream: no task starts before the first
/// [`next`](AsyncStream::next). Options, set before reading:
///
/// | Elixir option | method | default |
/// |---|---|---|
/// | `max_concurrency: n` | [`max_concurrency(n)`](AsyncStream::max_concurrency) | the number of schedulers |
/// | `ordered: false` | [`ordered(false)`](AsyncStream::ordered) | `true`: results in item order |
/// | `timeout: ms` | [`timeout(d)`](AsyncStream::timeout) | 5 s per task, from its start |
/// | `on_timeout: :kill_task` | [`on_timeout(OnTimeout::KillTask)`](AsyncStream::on_timeout) | [`OnTimeout::Exit`] |
///
/// Dropping the stream before its end kills the tasks still running (as
/// halting Elixir's stream does). Read it from the process that made it.
///
/// ```
/// use girder::otp::task::Task;
/// girder::run(async {
///     let mut lengths = Task::async_stream(["a", "bb", "ccc"], |s| async move { s.len() })
///         .max_concurrency(2);
///     assert_eq!(lengths.next().await, Some(Ok(1)));
///     assert_eq!(lengths.next().await, Some(Ok(2)));
///     assert_eq!(lengths.next().await, Some(Ok(3)));
///     assert_eq!(lengths.next().await, None);
/// }).unwrap();
/// ```
#[must_use = "streams do nothing unless read"]
pub struct AsyncStream<T> {
    /// Spawns the task of the next item; `None` once the items ran out or
    /// the stream was halted.
    spawn_next: Option<Spawner<T>>,
    max_concurrency: Option<usize>,
    ordered: bool,
    timeout: Duration,
    on_timeout: OnTimeout,
    /// Started tasks in item order, with their results once in.
    entries: VecDeque<Entry<T>>,
    /// Entries without a result yet.
    running: usize,
}

/// Starts the task of one item (directly, or through a task supervisor,
/// which can fail).
pub(crate) type StartTask<T> = Pin<Box<dyn Future<Output = Result<Task<T>, TaskError>> + Send>>;

/// Starts the task of the next item, if there is one.
pub(crate) type Spawner<T> = Box<dyn FnMut() -> Option<StartTask<T>> + Send>;

/// One item: running while `result` is `None` (then `task` is set).
struct Entry<T> {
    task: Option<Task<T>>,
    deadline: Option<Instant>,
    result: Option<Result<T, TaskError>>,
}

impl<T> fmt::Debug for AsyncStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncStream")
            .field("max_concurrency", &self.max_concurrency)
            .field("ordered", &self.ordered)
            .field("timeout", &self.timeout)
            .field("on_timeout", &self.on_timeout)
            .field("running", &self.running)
            .field("buffered", &(self.entries.len() - self.running))
            .field("items_left", &self.spawn_next.is_some())
            .finish()
    }
}

impl<T: Send + 'static> AsyncStream<T> {
    pub(crate) fn new(spawn_next: Spawner<T>) -> AsyncStream<T> {
        AsyncStream {
            spawn_next: Some(spawn_next),
            max_concurrency: None,
            ordered: true,
            timeout: DEFAULT_TIMEOUT,
            on_timeout: OnTimeout::Exit,
            entries: VecDeque::new(),
            running: 0,
        }
    }

    /// At most `n` tasks run at once. Elixir `max_concurrency:` (default:
    /// the number of schedulers, `System.schedulers_online/0`).
    ///
    /// # Panics
    /// If `n` is zero (Elixir raises `ArgumentError`).
    pub fn max_concurrency(mut self, n: usize) -> AsyncStream<T> {
        assert!(n > 0, "max_concurrency must be greater than zero");
        self.max_concurrency = Some(n);
        self
    }

    /// Whether results come in item order (`true`, the default) or as the
    /// tasks finish. Elixir `ordered:`.
    pub fn ordered(mut self, ordered: bool) -> AsyncStream<T> {
        self.ordered = ordered;
        self
    }

    /// How long each task may run, from its start (default 5 s;
    /// [`INFINITY`](super::INFINITY): no limit). Elixir `timeout:`.
    pub fn timeout(mut self, timeout: Duration) -> AsyncStream<T> {
        self.timeout = timeout;
        self
    }

    /// What a timeout does. Elixir `on_timeout:`.
    pub fn on_timeout(mut self, on_timeout: OnTimeout) -> AsyncStream<T> {
        self.on_timeout = on_timeout;
        self
    }

    /// The next result; `None` at the end. Elixir: the next element of
    /// the stream (`Enum.take/2`, `Enum.each/2`, … pull one at a time).
    pub async fn next(&mut self) -> Option<Result<T, TaskError>> {
        loop {
            self.refill().await;
            if let Some(result) = self.take_ready() {
                return Some(result);
            }
            if self.running == 0 {
                return None;
            }
            let earliest = self
                .entries
                .iter()
                .filter(|e| e.result.is_none())
                .filter_map(|e| e.deadline)
                .min();
            let watch = watch_list(
                self.entries
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.result.is_none())
                    .filter_map(|(i, e)| Some((i, e.task.as_ref()?))),
            );
            match wait_any::<T>(&watch, remaining(earliest)).await {
                Some((i, outcome)) => {
                    let e = &mut self.entries[i];
                    if let Some(task) = e.task.as_mut() {
                        e.result = Some(task.settle(outcome));
                        self.running -= 1;
                    }
                }
                None => {
                    if let Some(timeout) = self.expire().await {
                        return Some(timeout);
                    }
                }
            }
        }
    }

    /// Every result, in the stream's order. Elixir `Enum.to_list(stream)`.
    pub async fn collect(mut self) -> Vec<Result<T, TaskError>> {
        let mut out = Vec::new();
        while let Some(result) = self.next().await {
            out.push(result);
        }
        out
    }

    /// Starts tasks until `max_concurrency` run or the items run out. An
    /// item whose task could not start gets that error as its result.
    async fn refill(&mut self) {
        let max = *self
            .max_concurrency
            .get_or_insert_with(|| Handle::current().schedulers().max(1));
        while self.running < max {
            let Some(spawn_next) = self.spawn_next.as_mut() else {
                break;
            };
            let Some(start) = spawn_next() else {
                self.spawn_next = None;
                break;
            };
            match start.await {
                Ok(task) => {
                    self.entries.push_back(Entry {
                        task: Some(task),
                        deadline: deadline_after(self.timeout),
                        result: None,
                    });
                    self.running += 1;
                }
                Err(e) => self.entries.push_back(Entry {
                    task: None,
                    deadline: None,
                    result: Some(Err(e)),
                }),
            }
        }
    }

    /// The result to hand out now, if any: the first item's when ordered,
    /// the first that came in otherwise.
    fn take_ready(&mut self) -> Option<Result<T, TaskError>> {
        let i = if self.ordered {
            self.entries
                .front()
                .filter(|e| e.result.is_some())
                .map(|_| 0)
        } else {
            self.entries.iter().position(|e| e.result.is_some())
        }?;
        self.entries.remove(i).and_then(|e| e.result)
    }

    /// Deals with tasks past their deadline; `Some(Err(Timeout))` if that
    /// ends the stream.
    async fn expire(&mut self) -> Option<Result<T, TaskError>> {
        let now = Instant::now();
        let expired = |e: &Entry<T>| e.result.is_none() && e.deadline.is_some_and(|d| d <= now);
        match self.on_timeout {
            OnTimeout::Exit => {
                if self.entries.iter().any(expired) {
                    self.halt().await;
                    return Some(Err(TaskError::Timeout));
                }
            }
            OnTimeout::KillTask => {
                for e in self.entries.iter_mut().filter(|e| expired(e)) {
                    let Some(task) = e.task.as_mut() else {
                        continue;
                    };
                    // A result that raced the kill still counts.
                    e.result = Some(match task.terminate(None).await {
                        Some(Ok(v)) => Ok(v),
                        _ => Err(TaskError::Timeout),
                    });
                    self.running -= 1;
                }
            }
        }
        None
    }

    /// Kills every running task and forgets the rest of the items.
    async fn halt(&mut self) {
        self.spawn_next = None;
        self.running = 0;
        for e in std::mem::take(&mut self.entries) {
            if let Some(mut task) = e.task.filter(|t| !t.is_done()) {
                task.terminate(None).await;
            }
        }
    }
}

impl<T> Drop for AsyncStream<T> {
    fn drop(&mut self) {
        let me = try_self_pid();
        for task in self.entries.iter_mut().filter_map(|e| e.task.as_mut()) {
            if !task.is_done() && me == Some(task.owner) {
                task.kill_now();
            }
        }
    }
}
