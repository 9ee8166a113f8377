//! # Agent: state behind a process
//!
//! Elixir's `Agent`: a process that holds one value, the state, which
//! other processes read and change by sending it closures. The closures run
//! inside the agent process, one at a time, in arrival order, so the state
//! needs no lock. An agent is a [`GenServer`](super::gen_server) whose
//! calls are closures; errors are the GenServer's [`CallError`] and
//! [`StartError`].
//!
//! ```
//! use girder::otp::agent::Agent;
//!
//! let total = girder::run(async {
//!     let counter = Agent::start_link(|| 0u64).await.unwrap();
//!     counter.update(|n| n + 40).await.unwrap();
//!     counter.cast(|n| n + 2);
//!     counter.get(|n| *n).await.unwrap()
//! });
//! assert_eq!(total, Ok(42));
//! ```
//!
//! ## From Elixir
//!
//! | Elixir | Girder |
//! |---|---|
//! | `{:ok, agent} = Agent.start_link(fn -> [] end)` | `let agent = Agent::start_link(\|\| Vec::new()).await?` |
//! | `Agent.start(fun)` | `Agent::start(f).await` |
//! | `Agent.start_link(fun, name: :cache)` | `Agent::start_link_with(f, Options::new().name("cache")).await` |
//! | `Agent.start_link(fun, timeout: ms)` | `Options::new().timeout(d)` |
//! | `{:error, {:already_started, pid}}` | `Err(StartError::AlreadyStarted(pid))` |
//! | `Agent.get(agent, fn s -> … end)` (5 s) | `agent.get(\|s\| …).await` → `Result<R, CallError>` |
//! | `Agent.get(agent, fun, ms)` | `agent.get_timeout(f, d).await` |
//! | `Agent.update(agent, fn s -> new end)` | `agent.update(\|s\| new).await` |
//! | `Agent.update(agent, fun, ms)` | `agent.update_timeout(f, d).await` |
//! | `Agent.get_and_update(agent, fn s -> {ret, new} end)` | `agent.get_and_update(\|s\| (ret, new)).await` |
//! | `Agent.get_and_update(agent, fun, ms)` | `agent.get_and_update_timeout(f, d).await` |
//! | `Agent.cast(agent, fn s -> new end)` | `agent.cast(\|s\| new)` |
//! | `Agent.stop(agent, reason, timeout)` | `agent.stop(reason, d).await` |
//! | `Agent.get(:cache, fun)` (by name) | `Agent::<S>::named("cache").get(f).await` |
//! | `GenServer.whereis(agent)` | `agent.whereis()` |
//! | `use Agent` → `child_spec/1` | `Agent::child_spec(id, f)` |
//!
//! As in Elixir, `update`, `get_and_update` and `cast` take the state by
//! value and return the new one. A closure that panics crashes the agent
//! (its state is lost, as in Elixir), and the caller gets
//! `Err(CallError::Exit { reason: Panic(..), .. })` instead of exiting.
//! The `{module, fun, args}` forms have no counterpart: a closure captures
//! what it needs.

use std::any::Any;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use girder_core::{ExitReason, Pid};

use crate::otp::Name;
use crate::otp::gen_server::{
    Action, CallError, DEFAULT_TIMEOUT, GenServer, Init, Options, Reply, ReplyTo, Server,
    StartError,
};
use crate::otp::supervisor::ChildSpec;

/// A handle to an agent holding a state of type `S`: a pid or a name.
/// Cheap to clone. Elixir's `agent` argument (pid, name or `{:via, …}`).
pub struct Agent<S> {
    server: Server<AgentServer<S>>,
}

impl<S> Clone for Agent<S> {
    fn clone(&self) -> Self {
        Agent {
            server: self.server.clone(),
        }
    }
}

impl<S> fmt::Debug for Agent<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Agent({})", self.server)
    }
}

impl<S> PartialEq for Agent<S> {
    fn eq(&self, other: &Self) -> bool {
        self.server == other.server
    }
}

/// A call: runs on the state, gives back a reply and the new state.
type Job<S> = Box<dyn FnOnce(S) -> (Box<dyn Any + Send>, S) + Send>;

/// A cast: the new state.
type CastJob<S> = Box<dyn FnOnce(S) -> S + Send>;

/// The GenServer behind an agent.
struct AgentServer<S> {
    /// Made by `init` in the agent process.
    init: Option<Box<dyn FnOnce() -> S + Send>>,
    /// `None` only before `init` and while a closure holds the state.
    state: Option<S>,
}

impl<S: Send + 'static> AgentServer<S> {
    fn new(init: impl FnOnce() -> S + Send + 'static) -> AgentServer<S> {
        AgentServer {
            init: Some(Box::new(init)),
            state: None,
        }
    }

    fn run<R>(&mut self, f: impl FnOnce(S) -> (R, S)) -> R {
        let Some(state) = self.state.take() else {
            unreachable!("an agent's state is set by init and put back after each closure")
        };
        let (reply, state) = f(state);
        self.state = Some(state);
        reply
    }
}

impl<S: Send + 'static> GenServer for AgentServer<S> {
    type Call = Job<S>;
    type Reply = Box<dyn Any + Send>;
    type Cast = CastJob<S>;
    type Continue = ();

    async fn init(&mut self) -> Init {
        if let Some(init) = self.init.take() {
            self.state = Some(init());
        }
        Init::Ok
    }

    async fn handle_call(
        &mut self,
        job: Job<S>,
        _from: ReplyTo<Box<dyn Any + Send>>,
    ) -> Reply<Box<dyn Any + Send>> {
        Reply::reply(self.run(job))
    }

    async fn handle_cast(&mut self, job: CastJob<S>) -> Action {
        self.run(|s| ((), job(s)));
        Action::Noreply
    }
}

impl<S: Send + 'static> Agent<S> {
    /// Starts an agent, not linked to the caller, whose state is what
    /// `init` returns; `init` runs in the agent process before this
    /// returns. Elixir `Agent.start/2`.
    ///
    /// ```
    /// use girder::otp::agent::Agent;
    /// girder::run(async {
    ///     let agent = Agent::start(|| String::from("hi")).await.unwrap();
    ///     assert_eq!(agent.get(|s| s.len()).await, Ok(2));
    /// }).unwrap();
    /// ```
    pub async fn start<F>(init: F) -> Result<Agent<S>, StartError>
    where
        F: FnOnce() -> S + Send + 'static,
    {
        Agent::start_with(init, Options::new()).await
    }

    /// Starts an agent linked to the caller. Elixir `Agent.start_link/2`.
    pub async fn start_link<F>(init: F) -> Result<Agent<S>, StartError>
    where
        F: FnOnce() -> S + Send + 'static,
    {
        Agent::start_link_with(init, Options::new()).await
    }

    /// [`Agent::start`] with options: a name, a timeout for `init`. Elixir
    /// `Agent.start(fun, name: …, timeout: …)`.
    ///
    /// ```
    /// use girder::otp::agent::Agent;
    /// use girder::otp::gen_server::Options;
    /// girder::run(async {
    ///     Agent::start_with(|| 1u8, Options::new().name("one")).await.unwrap();
    ///     assert_eq!(Agent::<u8>::named("one").get(|n| *n).await, Ok(1));
    /// }).unwrap();
    /// ```
    pub async fn start_with<F>(init: F, opts: Options) -> Result<Agent<S>, StartError>
    where
        F: FnOnce() -> S + Send + 'static,
    {
        let server = Server::start_with(AgentServer::new(init), opts).await?;
        Ok(Agent { server })
    }

    /// [`Agent::start_link`] with options. Elixir `Agent.start_link(fun,
    /// name: …, timeout: …)`.
    pub async fn start_link_with<F>(init: F, opts: Options) -> Result<Agent<S>, StartError>
    where
        F: FnOnce() -> S + Send + 'static,
    {
        let server = Server::start_link_with(AgentServer::new(init), opts).await?;
        Ok(Agent { server })
    }

    /// A child spec that starts the agent under a supervisor, `init`
    /// making its state at each (re)start. Elixir's `child_spec/1` of
    /// `use Agent`.
    ///
    /// ```
    /// use girder::otp::agent::Agent;
    /// use girder::otp::supervisor::Restart;
    /// let spec = Agent::child_spec("cache", Vec::<u8>::new).restart(Restart::Transient);
    /// assert_eq!(spec.id(), "cache");
    /// ```
    pub fn child_spec<F>(id: impl AsRef<str>, init: F) -> ChildSpec
    where
        F: Fn() -> S + Send + Sync + 'static,
    {
        Agent::child_spec_with(id, init, Options::new())
    }

    /// [`Agent::child_spec`] with start options (a name).
    pub fn child_spec_with<F>(id: impl AsRef<str>, init: F, opts: Options) -> ChildSpec
    where
        F: Fn() -> S + Send + Sync + 'static,
    {
        let init = Arc::new(init);
        ChildSpec::gen_server_with(
            id,
            move || {
                let init = init.clone();
                AgentServer::new(move || init())
            },
            opts,
        )
    }

    /// The agent with pid `pid` (trusted to hold an `S`): Elixir's `agent`
    /// argument as a pid.
    pub fn from_pid(pid: Pid) -> Agent<S> {
        Agent {
            server: Server::from_pid(pid),
        }
    }

    /// The agent registered under `name`, looked up at each use: Elixir's
    /// `agent` argument as a name (trusted to hold an `S`; a closure for
    /// another state type is never run and the call times out).
    pub fn named(name: impl Into<Name>) -> Agent<S> {
        Agent {
            server: Server::named(name),
        }
    }

    /// The agent's pid now. Elixir `GenServer.whereis/1`.
    pub fn whereis(&self) -> Option<Pid> {
        self.server.whereis()
    }

    /// Reads the state: `f(&state)` runs in the agent and its value comes
    /// back, within 5 s. Elixir `Agent.get/3`.
    ///
    /// ```
    /// use girder::otp::agent::Agent;
    /// girder::run(async {
    ///     let agent = Agent::start(|| vec![1, 2, 3]).await.unwrap();
    ///     assert_eq!(agent.get(|v| v.iter().sum::<i32>()).await, Ok(6));
    /// }).unwrap();
    /// ```
    pub async fn get<R, F>(&self, f: F) -> Result<R, CallError>
    where
        F: FnOnce(&S) -> R + Send + 'static,
        R: Send + 'static,
    {
        self.get_timeout(f, DEFAULT_TIMEOUT).await
    }

    /// [`Agent::get`] waiting up to `timeout`
    /// ([`INFINITY`](super::gen_server::INFINITY): no limit).
    pub async fn get_timeout<R, F>(&self, f: F, timeout: Duration) -> Result<R, CallError>
    where
        F: FnOnce(&S) -> R + Send + 'static,
        R: Send + 'static,
    {
        self.call(move |s| (f(&s), s), timeout).await
    }

    /// Replaces the state with `f(state)` and waits until that is done,
    /// within 5 s. Elixir `Agent.update/3`.
    ///
    /// ```
    /// use girder::otp::agent::Agent;
    /// girder::run(async {
    ///     let agent = Agent::start(Vec::<u32>::new).await.unwrap();
    ///     agent.update(|mut v| { v.push(7); v }).await.unwrap();
    ///     assert_eq!(agent.get(|v| v.len()).await, Ok(1));
    /// }).unwrap();
    /// ```
    pub async fn update<F>(&self, f: F) -> Result<(), CallError>
    where
        F: FnOnce(S) -> S + Send + 'static,
    {
        self.update_timeout(f, DEFAULT_TIMEOUT).await
    }

    /// [`Agent::update`] waiting up to `timeout`.
    pub async fn update_timeout<F>(&self, f: F, timeout: Duration) -> Result<(), CallError>
    where
        F: FnOnce(S) -> S + Send + 'static,
    {
        self.call(move |s| ((), f(s)), timeout).await
    }

    /// Reads and replaces the state in one step: `f(state)` returns the
    /// value to give back and the new state. Elixir
    /// `Agent.get_and_update/3`.
    ///
    /// ```
    /// use girder::otp::agent::Agent;
    /// girder::run(async {
    ///     let ids = Agent::start(|| 0u32).await.unwrap();
    ///     assert_eq!(ids.get_and_update(|n| (n, n + 1)).await, Ok(0));
    ///     assert_eq!(ids.get_and_update(|n| (n, n + 1)).await, Ok(1));
    /// }).unwrap();
    /// ```
    pub async fn get_and_update<R, F>(&self, f: F) -> Result<R, CallError>
    where
        F: FnOnce(S) -> (R, S) + Send + 'static,
        R: Send + 'static,
    {
        self.get_and_update_timeout(f, DEFAULT_TIMEOUT).await
    }

    /// [`Agent::get_and_update`] waiting up to `timeout`.
    pub async fn get_and_update_timeout<R, F>(
        &self,
        f: F,
        timeout: Duration,
    ) -> Result<R, CallError>
    where
        F: FnOnce(S) -> (R, S) + Send + 'static,
        R: Send + 'static,
    {
        self.call(f, timeout).await
    }

    /// Replaces the state with `f(state)` without waiting. Elixir
    /// `Agent.cast/2`: never fails, even if the agent is gone.
    ///
    /// ```
    /// use girder::otp::agent::Agent;
    /// girder::run(async {
    ///     let agent = Agent::start(|| 1u64).await.unwrap();
    ///     agent.cast(|n| n * 10);
    ///     assert_eq!(agent.get(|n| *n).await, Ok(10));
    /// }).unwrap();
    /// ```
    pub fn cast<F>(&self, f: F)
    where
        F: FnOnce(S) -> S + Send + 'static,
    {
        self.server.cast(Box::new(f));
    }

    /// Stops the agent with `reason` and waits up to `timeout` for it to
    /// exit. Elixir `Agent.stop/3`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use girder::otp::agent::Agent;
    /// use girder::ExitReason;
    /// girder::run(async {
    ///     let agent = Agent::start(|| ()).await.unwrap();
    ///     agent.stop(ExitReason::Normal, Duration::from_secs(5)).await.unwrap();
    ///     assert!(agent.get(|_| ()).await.is_err());
    /// }).unwrap();
    /// ```
    pub async fn stop(&self, reason: ExitReason, timeout: Duration) -> Result<(), CallError> {
        self.server.stop(reason, timeout).await
    }

    /// Runs `f` in the agent and brings its reply back.
    async fn call<R, F>(&self, f: F, timeout: Duration) -> Result<R, CallError>
    where
        F: FnOnce(S) -> (R, S) + Send + 'static,
        R: Send + 'static,
    {
        let job: Job<S> = Box::new(move |s| {
            let (reply, s) = f(s);
            (Box::new(reply), s)
        });
        let reply = self.server.call_timeout(job, timeout).await?;
        match reply.downcast::<R>() {
            Ok(r) => Ok(*r),
            Err(_) => unreachable!("the agent replies with what the closure returned"),
        }
    }
}
