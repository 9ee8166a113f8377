//! Child specifications: what a supervisor starts, and how it restarts and
//! stops it. Erlang `child_spec()` maps, Elixir `child_spec/1`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use girder_core::{IntoExitReason, Pid, spawn_link};

use crate::otp::gen_server::{GenServer, Options, Server, StartError};

/// When a child is restarted after it exits. Erlang/Elixir `restart`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restart {
    /// Always restarted. Erlang/Elixir `permanent` (the default).
    Permanent,
    /// Restarted only if it exits abnormally: not `Normal`, `Shutdown` or
    /// `ShutdownWith(_)`. Erlang/Elixir `transient`.
    Transient,
    /// Never restarted, and forgotten once it exits. Erlang/Elixir
    /// `temporary`.
    Temporary,
}

impl Restart {
    /// Whether a child with this restart type is restarted after exiting
    /// with `reason`.
    pub fn restarts_after(self, reason: &girder_core::ExitReason) -> bool {
        match self {
            Restart::Permanent => true,
            Restart::Transient => !reason.is_clean(),
            Restart::Temporary => false,
        }
    }
}

/// How a child is stopped. Erlang/Elixir `shutdown`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shutdown {
    /// Killed at once with an untrappable `Kill`. Erlang `brutal_kill`.
    BrutalKill,
    /// Sent a `Shutdown` exit signal, and killed if it has not exited
    /// within the time. Erlang/Elixir an integer (milliseconds); the default
    /// for workers is 5 s.
    Timeout(Duration),
    /// Sent a `Shutdown` exit signal and waited for as long as it takes.
    /// Erlang/Elixir `infinity`, the default for supervisors.
    Infinity,
}

/// Whether a child is a worker or a supervisor. Erlang/Elixir `type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChildType {
    /// Any process that is not a supervisor.
    Worker,
    /// A supervisor (so it is stopped with `Infinity` by default).
    Supervisor,
}

/// The future a start function returns: the new child's pid (linked to
/// the caller, the supervisor), or why it did not start
/// (`Err(StartError::Ignore)` is OTP's `ignore`).
pub type StartFuture = Pin<Box<dyn Future<Output = Result<Pid, StartError>> + Send>>;

type StartFn = Arc<dyn Fn() -> StartFuture + Send + Sync>;

/// What a supervisor needs to start, restart and stop one child. Erlang's
/// child spec map `#{id, start, restart, shutdown, type}`, Elixir's
/// `%{id:, start:, restart:, shutdown:, type:}` / `child_spec/1`.
///
/// ```
/// use std::time::Duration;
/// use girder::otp::supervisor::{ChildSpec, Restart, Shutdown};
///
/// let spec = ChildSpec::process("ticker", || async {
///     loop { girder::sleep(Duration::from_secs(1)).await }
/// })
/// .restart(Restart::Transient)
/// .shutdown(Shutdown::Timeout(Duration::from_millis(500)));
/// assert_eq!(spec.id(), "ticker");
/// ```
#[derive(Clone)]
pub struct ChildSpec {
    id: Arc<str>,
    start: StartFn,
    restart: Restart,
    shutdown: Shutdown,
    kind: ChildType,
}

impl fmt::Debug for ChildSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildSpec")
            .field("id", &self.id)
            .field("restart", &self.restart)
            .field("shutdown", &self.shutdown)
            .field("type", &self.kind)
            .finish_non_exhaustive()
    }
}

/// Shutdown time of a worker unless its spec says otherwise (OTP's 5000).
pub const DEFAULT_WORKER_SHUTDOWN: Duration = Duration::from_secs(5);

impl ChildSpec {
    /// A permanent worker started by `start`, which must start a process
    /// *linked to the caller* (the supervisor) and return its pid. Erlang
    /// `#{id => Id, start => {M, F, A}}`.
    pub fn new<F, Fut>(id: impl AsRef<str>, start: F) -> ChildSpec
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Pid, StartError>> + Send + 'static,
    {
        ChildSpec {
            id: Arc::from(id.as_ref()),
            start: Arc::new(move || Box::pin(start())),
            restart: Restart::Permanent,
            shutdown: Shutdown::Timeout(DEFAULT_WORKER_SHUTDOWN),
            kind: ChildType::Worker,
        }
    }

    /// A permanent worker that is a plain process running the future
    /// `body()` makes (spawned linked). Elixir `{Task, fun}` as a child.
    pub fn process<F, Fut>(id: impl AsRef<str>, body: F) -> ChildSpec
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: IntoExitReason,
    {
        ChildSpec::new(id, move || {
            let fut = body();
            async move { Ok(spawn_link(fut)) }
        })
    }

    /// A permanent worker that is the GenServer `make()` returns, started
    /// with `start_link`. Elixir `{MyServer, arg}` with `use GenServer`.
    pub fn gen_server<S, F>(id: impl AsRef<str>, make: F) -> ChildSpec
    where
        S: GenServer,
        F: Fn() -> S + Send + Sync + 'static,
    {
        ChildSpec::gen_server_with(id, make, Options::new())
    }

    /// [`ChildSpec::gen_server`] with start options (a name).
    pub fn gen_server_with<S, F>(id: impl AsRef<str>, make: F, opts: Options) -> ChildSpec
    where
        S: GenServer,
        F: Fn() -> S + Send + Sync + 'static,
    {
        ChildSpec::new(id, move || {
            let state = make();
            let opts = opts.clone();
            async move {
                Server::start_link_with(state, opts).await.and_then(|s| {
                    s.whereis()
                        .ok_or(StartError::Stopped(girder_core::ExitReason::Noproc))
                })
            }
        })
    }

    /// A child that is itself a supervisor: `ChildType::Supervisor`,
    /// shutdown `Infinity`. Elixir `%{type: :supervisor}`.
    pub fn supervisor<F, Fut>(id: impl AsRef<str>, start: F) -> ChildSpec
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Pid, StartError>> + Send + 'static,
    {
        ChildSpec::new(id, start)
            .kind(ChildType::Supervisor)
            .shutdown(Shutdown::Infinity)
    }

    /// Sets the restart type (default `Permanent`).
    pub fn restart(mut self, restart: Restart) -> ChildSpec {
        self.restart = restart;
        self
    }

    /// Sets how the child is stopped (default 5 s for workers, `Infinity`
    /// for supervisors).
    pub fn shutdown(mut self, shutdown: Shutdown) -> ChildSpec {
        self.shutdown = shutdown;
        self
    }

    /// Sets the child type (default `Worker`).
    pub fn kind(mut self, kind: ChildType) -> ChildSpec {
        self.kind = kind;
        self
    }

    /// Sets the id.
    pub fn id_as(mut self, id: impl AsRef<str>) -> ChildSpec {
        self.id = Arc::from(id.as_ref());
        self
    }

    /// The child's id, unique within its supervisor.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The restart type.
    pub fn restart_type(&self) -> Restart {
        self.restart
    }

    /// The shutdown.
    pub fn shutdown_type(&self) -> Shutdown {
        self.shutdown
    }

    /// The child type.
    pub fn child_type(&self) -> ChildType {
        self.kind
    }

    pub(crate) fn shared_id(&self) -> Arc<str> {
        self.id.clone()
    }

    /// Runs the start function (in the calling supervisor process).
    pub(crate) fn start(&self) -> StartFuture {
        (self.start)()
    }
}
