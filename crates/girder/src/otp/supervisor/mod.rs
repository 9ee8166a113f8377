//! # Supervisor: start children, watch them, restart them
//!
//! OTP's `supervisor` / Elixir's `Supervisor`: a process that starts a list
//! of children in order, traps their exits, and restarts them by its
//! strategy when they exit — within a restart intensity. When children fail
//! faster than that, the supervisor stops them all and exits with
//! `Shutdown`, so the failure escalates to *its* supervisor: a supervision
//! tree contains a crash at the lowest level that can repair it.
//!
//! ```
//! use girder::otp::supervisor::{ChildSpec, Options, Strategy, Supervisor};
//! use girder::prelude::*;
//!
//! girder::run(async {
//!     let worker = ChildSpec::process("worker", || async {
//!         let (from, n) = receive::<(Pid, u32)>().await;
//!         if n == 0 { panic!("division by zero") }
//!         send(from, 100 / n);
//!     });
//!     let sup = Supervisor::start_link(vec![worker], Options::new(Strategy::OneForOne))
//!         .await
//!         .unwrap();
//!     let first = sup.which_children().await.unwrap()[0].pid.unwrap();
//!     let m = monitor(first);
//!     send(first, (self_pid(), 0u32)); // crashes it
//!     receive_match(move |d: &Down| d.monitor == m).await;
//!     // The supervisor has restarted it by now or will very soon.
//!     loop {
//!         let children = sup.which_children().await.unwrap();
//!         if let Some(pid) = children[0].pid.filter(|p| *p != first) {
//!             send(pid, (self_pid(), 4u32));
//!             assert_eq!(receive::<u32>().await, 25);
//!             break;
//!         }
//!         yield_now().await;
//!     }
//! }).unwrap();
//! ```
//!
//! ## From Elixir
//!
//! | Elixir | Girder |
//! |---|---|
//! | `Supervisor.start_link(children, strategy: :one_for_one)` | `Supervisor::start_link(children, Options::new(Strategy::OneForOne))` |
//! | `max_restarts: 3, max_seconds: 5` (the defaults) | `Options::new(..).max_restarts(3).max_seconds(Duration::from_secs(5))` |
//! | `name: MySup` | `Options::new(..).name("my_sup")` |
//! | `%{id: :w, start: {M, :start_link, [a]}}` | `ChildSpec::new("w", \|\| async { … start_link … })` |
//! | `{MyServer, arg}` (a GenServer) | `ChildSpec::gen_server("w", \|\| MyServer::new(arg))` |
//! | `{Task, fn -> … end}` / a plain process | `ChildSpec::process("w", \|\| async { … })` |
//! | `restart: :transient`, `shutdown: :brutal_kill`, `type: :supervisor` | `.restart(Restart::Transient)`, `.shutdown(Shutdown::BrutalKill)`, `ChildSpec::supervisor(..)` |
//! | `Supervisor.child_spec(MySup, id: :s)` for a nested supervisor | `Supervisor::child_spec("s", children, options)` |
//! | `Supervisor.which_children(sup)` | `sup.which_children().await` |
//! | `Supervisor.count_children(sup)` | `sup.count_children().await` |
//! | `Supervisor.start_child(sup, spec)` | `sup.start_child(spec).await` |
//! | `Supervisor.terminate_child(sup, id)` | `sup.terminate_child("id").await` |
//! | `Supervisor.restart_child(sup, id)` | `sup.restart_child("id").await` |
//! | `Supervisor.delete_child(sup, id)` | `sup.delete_child("id").await` |
//! | `Supervisor.stop(sup, reason)` | `sup.stop(reason, timeout).await` |
//!
//! ## Semantics (as OTP's)
//!
//! * Children start in list order; if one fails to start, those already
//!   started are stopped in reverse order and the start fails with
//!   `ShutdownWith(failed_to_start_child …)`. A start function returning
//!   `Err(StartError::Ignore)` leaves the child in the list, not running.
//! * Strategies: `OneForOne` restarts the child that exited; `OneForAll`
//!   stops every other child (in reverse start order) and restarts all (in
//!   order); `RestForOne` does that to the children started after it.
//! * Restart types decide whether an exit is restarted at all
//!   ([`Restart`]); a `Temporary` child is removed once it exits.
//! * Intensity: more than `max_restarts` restarts within `max_seconds`
//!   (default 3 in 5 s) make the supervisor stop all its children and exit
//!   with `Shutdown`. A restart whose start function fails is retried (and
//!   each try counts).
//! * Stopping (the supervisor's own exit, `terminate_child`, a restart that
//!   stops siblings): children stop in reverse start order, each as its
//!   [`Shutdown`] says: `Shutdown` signal, wait, then `Kill`.
//! * Reports: restarts, start failures, shutdown errors and giving up are
//!   logged through `tracing` at target `girder::supervisor` (OTP's
//!   supervisor reports); each child start is a progress report at `info`.

pub(crate) mod report;
mod shutdown;
mod spec;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use girder_core::{ExitReason, Pid, Reason, self_pid, trap_exit};

use crate::otp::Name;
use crate::otp::gen_server::{
    self, Action, CallError, GenServer, INFINITY, Info, Init, Reply, ReplyTo, Server, StartError,
};

pub(crate) use self::shutdown::{Intensity, stop_all, stop_one};
pub use self::spec::{
    ChildSpec, ChildType, DEFAULT_WORKER_SHUTDOWN, Restart, Shutdown, StartFuture,
};

/// Which children a supervisor restarts when one exits. Erlang/Elixir
/// `strategy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Only the child that exited. `one_for_one`.
    OneForOne,
    /// Every child: the others are stopped, then all restart. `one_for_all`.
    OneForAll,
    /// The child and those started after it. `rest_for_one`.
    RestForOne,
}

/// A supervisor's flags and name. Erlang's `sup_flags()` map, Elixir's
/// `Supervisor.start_link/2` options.
#[derive(Clone, Debug)]
pub struct Options {
    strategy: Strategy,
    max_restarts: u32,
    max_seconds: Duration,
    name: Option<Name>,
}

impl Options {
    /// The strategy, with Elixir's default intensity: 3 restarts in 5 s.
    pub fn new(strategy: Strategy) -> Options {
        Options {
            strategy,
            max_restarts: 3,
            max_seconds: Duration::from_secs(5),
            name: None,
        }
    }

    /// At most this many restarts within `max_seconds`. Erlang `intensity`,
    /// Elixir `max_restarts`.
    pub fn max_restarts(mut self, n: u32) -> Options {
        self.max_restarts = n;
        self
    }

    /// The window for `max_restarts`. Erlang `period`, Elixir `max_seconds`.
    pub fn max_seconds(mut self, period: Duration) -> Options {
        self.max_seconds = period;
        self
    }

    /// Registers the supervisor under `name`. Elixir `name:`.
    pub fn name(mut self, name: impl Into<Name>) -> Options {
        self.name = Some(name.into());
        self
    }
}

/// Where a child stands, as `which_children` reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct ChildInfo {
    /// The child's id.
    pub id: String,
    /// Its pid while running; `None` when not running (Erlang `undefined`)
    /// or waiting for a restart to be retried (Erlang `restarting`, see
    /// `restarting`).
    pub pid: Option<Pid>,
    /// Whether a failed restart is waiting to be retried.
    pub restarting: bool,
    /// Worker or supervisor.
    pub kind: ChildType,
}

/// Child counts. Erlang `count_children/1`'s proplist, Elixir's map.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// All child specs. `specs`.
    pub specs: usize,
    /// Children running now. `active`.
    pub active: usize,
    /// Specs of supervisor type. `supervisors`.
    pub supervisors: usize,
    /// Specs of worker type. `workers`.
    pub workers: usize,
}

/// Why a child operation failed. The `{error, …}` values of
/// `supervisor:start_child/2`, `terminate_child/2`, `restart_child/2`,
/// `delete_child/2`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ChildError {
    /// No child with that id (or pid). Erlang `not_found`.
    NotFound,
    /// The child is running (for restart/delete). Erlang `running`.
    Running,
    /// A failed restart of the child is waiting to be retried. Erlang
    /// `restarting`.
    Restarting,
    /// A child with that id exists and is not running. Erlang
    /// `already_present`.
    AlreadyPresent,
    /// A child with that id is running as this pid. Erlang
    /// `{already_started, Pid}`.
    AlreadyStarted(Pid),
    /// The start function failed. Erlang `{error, Reason}`.
    Start(StartError),
    /// The dynamic supervisor has `max_children` children. Elixir
    /// `{:error, :max_children}`.
    MaxChildren,
    /// The supervisor could not be reached.
    Supervisor(CallError),
}

impl fmt::Display for ChildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChildError::NotFound => f.write_str("no such child"),
            ChildError::Running => f.write_str("the child is running"),
            ChildError::Restarting => f.write_str("the child is being restarted"),
            ChildError::AlreadyPresent => f.write_str("a child with that id is present"),
            ChildError::AlreadyStarted(pid) => write!(f, "the child is running as {pid}"),
            ChildError::Start(e) => write!(f, "the child did not start: {e}"),
            ChildError::MaxChildren => f.write_str("the supervisor has max_children children"),
            ChildError::Supervisor(e) => write!(f, "supervisor unreachable: {e}"),
        }
    }
}

impl std::error::Error for ChildError {}

impl From<CallError> for ChildError {
    fn from(e: CallError) -> ChildError {
        ChildError::Supervisor(e)
    }
}

/// A handle to a running supervisor. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Supervisor {
    server: Server<SupervisorState>,
}

impl Supervisor {
    /// Starts a supervisor linked to the caller with `children`, started in
    /// order before this returns. Erlang `supervisor:start_link/2,3`, Elixir
    /// `Supervisor.start_link/2`.
    pub async fn start_link(
        children: Vec<ChildSpec>,
        opts: Options,
    ) -> Result<Supervisor, StartError> {
        let mut server_opts = gen_server::Options::new();
        if let Some(name) = &opts.name {
            server_opts = server_opts.name(name.clone());
        }
        let state = SupervisorState::new(children, &opts);
        Server::start_link_with(state, server_opts)
            .await
            .map(|server| Supervisor { server })
    }

    /// A child spec that starts a supervisor with these children and
    /// options (for supervision trees). Elixir `Supervisor.child_spec/2` of
    /// a module-based supervisor.
    pub fn child_spec(id: impl AsRef<str>, children: Vec<ChildSpec>, opts: Options) -> ChildSpec {
        ChildSpec::supervisor(id, move || {
            let children = children.clone();
            let opts = opts.clone();
            async move {
                let sup = Supervisor::start_link(children, opts).await?;
                sup.server
                    .whereis()
                    .ok_or(StartError::Stopped(ExitReason::Noproc))
            }
        })
    }

    /// The supervisor with pid `pid`.
    pub fn from_pid(pid: Pid) -> Supervisor {
        Supervisor {
            server: Server::from_pid(pid),
        }
    }

    /// The supervisor registered as `name`, looked up at each call.
    pub fn named(name: impl Into<Name>) -> Supervisor {
        Supervisor {
            server: Server::named(name),
        }
    }

    /// The supervisor's pid, if it runs (for a named one: whoever holds the
    /// name now).
    pub fn pid(&self) -> Option<Pid> {
        self.server.whereis()
    }

    /// Every child with its pid (if running) and type, in start order.
    /// Erlang `which_children/1`, Elixir `Supervisor.which_children/1`.
    pub async fn which_children(&self) -> Result<Vec<ChildInfo>, CallError> {
        match self.call(Call::WhichChildren).await? {
            Answer::Children(c) => Ok(c),
            _ => unreachable!("which_children answers with children"),
        }
    }

    /// Counts of specs, running children, workers and supervisors. Erlang
    /// `count_children/1`, Elixir `Supervisor.count_children/1`.
    pub async fn count_children(&self) -> Result<Counts, CallError> {
        match self.call(Call::CountChildren).await? {
            Answer::Counts(c) => Ok(c),
            _ => unreachable!("count_children answers with counts"),
        }
    }

    /// Adds a child and starts it. `Ok(None)` if its start function said
    /// ignore. Erlang `start_child/2`, Elixir `Supervisor.start_child/2`.
    pub async fn start_child(&self, spec: ChildSpec) -> Result<Option<Pid>, ChildError> {
        match self.call(Call::StartChild(spec)).await? {
            Answer::Started(r) => r,
            _ => unreachable!("start_child answers with a start"),
        }
    }

    /// Stops a child (keeping its spec, unless it is temporary). Erlang
    /// `terminate_child/2`, Elixir `Supervisor.terminate_child/2`.
    pub async fn terminate_child(&self, id: &str) -> Result<(), ChildError> {
        match self.call(Call::TerminateChild(id.into())).await? {
            Answer::Done(r) => r,
            _ => unreachable!("terminate_child answers with done"),
        }
    }

    /// Starts a child that is not running again. Erlang `restart_child/2`,
    /// Elixir `Supervisor.restart_child/2`.
    pub async fn restart_child(&self, id: &str) -> Result<Option<Pid>, ChildError> {
        match self.call(Call::RestartChild(id.into())).await? {
            Answer::Started(r) => r,
            _ => unreachable!("restart_child answers with a start"),
        }
    }

    /// Removes the spec of a child that is not running. Erlang
    /// `delete_child/2`, Elixir `Supervisor.delete_child/2`.
    pub async fn delete_child(&self, id: &str) -> Result<(), ChildError> {
        match self.call(Call::DeleteChild(id.into())).await? {
            Answer::Done(r) => r,
            _ => unreachable!("delete_child answers with done"),
        }
    }

    /// Stops the supervisor (and so its children, in reverse order). Erlang
    /// `gen_server:stop/3`, Elixir `Supervisor.stop/3`.
    pub async fn stop(&self, reason: ExitReason, timeout: Duration) -> Result<(), CallError> {
        self.server.stop(reason, timeout).await
    }

    async fn call(&self, call: Call) -> Result<Answer, CallError> {
        // OTP's supervisor calls wait as long as it takes.
        self.server.call_timeout(call, INFINITY).await
    }
}

enum Call {
    WhichChildren,
    CountChildren,
    StartChild(ChildSpec),
    TerminateChild(Arc<str>),
    RestartChild(Arc<str>),
    DeleteChild(Arc<str>),
}

enum Answer {
    Children(Vec<ChildInfo>),
    Counts(Counts),
    Started(Result<Option<Pid>, ChildError>),
    Done(Result<(), ChildError>),
}

/// A restart that failed is tried again through the supervisor's mailbox,
/// so calls and exits are not starved meanwhile (OTP's
/// `try_again_restart`).
struct TryAgain(Arc<str>);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Running(Pid),
    /// A restart failed and will be tried again.
    Restarting,
    /// Not running (stopped, exited without restart, or ignored).
    Stopped,
}

struct Child {
    spec: ChildSpec,
    state: State,
}

impl Child {
    fn pid(&self) -> Option<Pid> {
        match self.state {
            State::Running(pid) => Some(pid),
            _ => None,
        }
    }
}

struct SupervisorState {
    strategy: Strategy,
    intensity: Intensity,
    /// In start order.
    children: Vec<Child>,
    /// The specs to start in `init`.
    initial: Vec<ChildSpec>,
    /// How reports name this supervisor.
    label: String,
}

impl SupervisorState {
    fn new(children: Vec<ChildSpec>, opts: &Options) -> SupervisorState {
        SupervisorState {
            strategy: opts.strategy,
            intensity: Intensity::new(opts.max_restarts, opts.max_seconds),
            children: Vec::new(),
            initial: children,
            label: opts
                .name
                .as_ref()
                .map(|n| n.to_string())
                .unwrap_or_default(),
        }
    }

    fn find(&self, id: &str) -> Option<usize> {
        self.children.iter().position(|c| c.spec.id() == id)
    }

    /// Runs a child's start function; reports failures.
    async fn start(&self, spec: &ChildSpec) -> Result<Option<Pid>, StartError> {
        match spec.start().await {
            Ok(pid) => {
                report::started(&self.label, spec.id(), pid);
                Ok(Some(pid))
            }
            Err(StartError::Ignore) => Ok(None),
            Err(e) => {
                report::start_error(&self.label, spec.id(), &e);
                Err(e)
            }
        }
    }

    /// Stops one running child as its spec says; reports a shutdown error.
    async fn stop_child(&mut self, i: usize) {
        let Some(pid) = self.children[i].pid() else {
            self.children[i].state = State::Stopped;
            return;
        };
        let stopped = stop_one(pid, self.children[i].spec.shutdown_type()).await;
        if !stopped.expected {
            report::shutdown_error(
                &self.label,
                self.children[i].spec.id(),
                pid,
                &stopped.reason,
            );
        }
        self.children[i].state = State::Stopped;
    }

    /// Stops children `from..` in reverse start order, then drops the
    /// temporary ones among them (OTP does not restart those).
    async fn stop_from(&mut self, from: usize, except: Option<usize>) {
        for i in (from..self.children.len()).rev() {
            if Some(i) != except {
                self.stop_child(i).await;
            }
        }
        let mut i = from;
        while i < self.children.len() {
            if Some(i) != except && self.children[i].spec.restart_type() == Restart::Temporary {
                self.children.remove(i);
            } else {
                i += 1;
            }
        }
    }

    /// Starts the stopped children `from..` in order. On a failure the
    /// child is marked restarting and its id returned, for a retry.
    async fn start_from(&mut self, from: usize) -> Result<(), Arc<str>> {
        for i in from..self.children.len() {
            if self.children[i].pid().is_none() {
                self.start_one(i).await?;
            }
        }
        Ok(())
    }

    /// A child exited: restart per its restart type and the strategy, within
    /// the intensity.
    async fn child_exited(&mut self, i: usize, pid: Pid, reason: ExitReason) -> Action {
        let child = &mut self.children[i];
        let restart = child.spec.restart_type();
        child.state = State::Stopped;
        let report = restart == Restart::Permanent || !reason.is_clean();
        if report {
            report::child_terminated(&self.label, child.spec.id(), pid, &reason);
        }
        if !restart.restarts_after(&reason) {
            if restart == Restart::Temporary {
                self.children.remove(i);
            }
            return Action::Noreply;
        }
        self.restart(i).await
    }

    /// One restart (first try or retry) of child `i` by the strategy.
    async fn restart(&mut self, i: usize) -> Action {
        if !self.intensity.add_restart() {
            report::gave_up(&self.label, self.children[i].spec.id());
            return Action::Stop(ExitReason::Shutdown);
        }
        let outcome = match self.strategy {
            Strategy::OneForOne => self.start_one(i).await,
            Strategy::OneForAll => {
                let id = self.children[i].spec.shared_id();
                self.stop_from(0, Some(i)).await;
                debug_assert!(self.find(&id).is_some(), "the restarting child is kept");
                self.start_from(0).await
            }
            Strategy::RestForOne => {
                self.stop_from(i + 1, None).await;
                self.start_from(i).await
            }
        };
        if let Err(id) = outcome {
            girder_core::send(self_pid(), TryAgain(id));
        }
        Action::Noreply
    }

    /// Starts child `i`; on a failure marks it restarting and returns its
    /// id, for a retry.
    async fn start_one(&mut self, i: usize) -> Result<(), Arc<str>> {
        let spec = self.children[i].spec.clone();
        let started = self.start(&spec).await;
        self.children[i].state = match started {
            Ok(pid) => pid.map_or(State::Stopped, State::Running),
            Err(_) => State::Restarting,
        };
        match self.children[i].state {
            State::Restarting => Err(spec.shared_id()),
            _ => Ok(()),
        }
    }

    fn info(&self) -> Vec<ChildInfo> {
        self.children
            .iter()
            .map(|c| ChildInfo {
                id: c.spec.id().to_owned(),
                pid: c.pid(),
                restarting: c.state == State::Restarting,
                kind: c.spec.child_type(),
            })
            .collect()
    }

    fn counts(&self) -> Counts {
        let mut counts = Counts {
            specs: self.children.len(),
            ..Counts::default()
        };
        for c in &self.children {
            if c.pid().is_some() {
                counts.active += 1;
            }
            match c.spec.child_type() {
                ChildType::Worker => counts.workers += 1,
                ChildType::Supervisor => counts.supervisors += 1,
            }
        }
        counts
    }
}

impl GenServer for SupervisorState {
    type Call = Call;
    type Reply = Answer;
    type Cast = ();
    type Continue = ();

    async fn init(&mut self) -> Init {
        trap_exit(true);
        if self.label.is_empty() {
            self.label = self_pid().to_string();
        }
        for spec in std::mem::take(&mut self.initial) {
            if self.children.iter().any(|c| c.spec.id() == spec.id()) {
                self.stop_from(0, None).await;
                return Init::Stop(ExitReason::ShutdownWith(Reason::new(format!(
                    "duplicate_child_name {}",
                    spec.id()
                ))));
            }
            match self.start(&spec).await {
                Ok(pid) => {
                    if pid.is_some() || spec.restart_type() != Restart::Temporary {
                        self.children.push(Child {
                            spec,
                            state: pid.map_or(State::Stopped, State::Running),
                        });
                    }
                }
                Err(e) => {
                    self.stop_from(0, None).await;
                    return Init::Stop(ExitReason::ShutdownWith(Reason::new(format!(
                        "failed_to_start_child {}: {e}",
                        spec.id()
                    ))));
                }
            }
        }
        Init::Ok
    }

    async fn handle_call(&mut self, call: Call, _from: ReplyTo<Answer>) -> Reply<Answer> {
        Reply::reply(match call {
            Call::WhichChildren => Answer::Children(self.info()),
            Call::CountChildren => Answer::Counts(self.counts()),
            Call::StartChild(spec) => Answer::Started(match self.find(spec.id()) {
                Some(i) => Err(match self.children[i].state {
                    State::Running(pid) => ChildError::AlreadyStarted(pid),
                    _ => ChildError::AlreadyPresent,
                }),
                None => match self.start(&spec).await {
                    Ok(pid) => {
                        if pid.is_some() || spec.restart_type() != Restart::Temporary {
                            self.children.push(Child {
                                spec,
                                state: pid.map_or(State::Stopped, State::Running),
                            });
                        }
                        Ok(pid)
                    }
                    Err(e) => Err(ChildError::Start(e)),
                },
            }),
            Call::TerminateChild(id) => Answer::Done(match self.find(&id) {
                None => Err(ChildError::NotFound),
                Some(i) => {
                    self.stop_child(i).await;
                    if self.children[i].spec.restart_type() == Restart::Temporary {
                        self.children.remove(i);
                    }
                    Ok(())
                }
            }),
            Call::RestartChild(id) => Answer::Started(match self.find(&id) {
                None => Err(ChildError::NotFound),
                Some(i) => match self.children[i].state {
                    State::Running(_) => Err(ChildError::Running),
                    State::Restarting => Err(ChildError::Restarting),
                    State::Stopped => {
                        let spec = self.children[i].spec.clone();
                        match self.start(&spec).await {
                            Ok(pid) => {
                                self.children[i].state = pid.map_or(State::Stopped, State::Running);
                                Ok(pid)
                            }
                            Err(e) => Err(ChildError::Start(e)),
                        }
                    }
                },
            }),
            Call::DeleteChild(id) => Answer::Done(match self.find(&id) {
                None => Err(ChildError::NotFound),
                Some(i) => match self.children[i].state {
                    State::Running(_) => Err(ChildError::Running),
                    State::Restarting => Err(ChildError::Restarting),
                    State::Stopped => {
                        self.children.remove(i);
                        Ok(())
                    }
                },
            }),
        })
    }

    async fn handle_info(&mut self, info: Info) -> Action {
        match info {
            Info::Exit(e) => {
                match self.children.iter().position(|c| c.pid() == Some(e.from)) {
                    Some(i) => self.child_exited(i, e.from, e.reason).await,
                    // An exit from a process that is no child of ours (one
                    // already stopped, or a stranger): nothing to do.
                    None => Action::Noreply,
                }
            }
            Info::Message(m) => match m.downcast::<TryAgain>() {
                Ok(TryAgain(id)) => match self.find(&id) {
                    Some(i) if self.children[i].state == State::Restarting => self.restart(i).await,
                    _ => Action::Noreply,
                },
                Err(other) => {
                    report::unexpected(&self.label, &other);
                    Action::Noreply
                }
            },
            _ => Action::Noreply,
        }
    }

    async fn terminate(&mut self, _reason: &ExitReason) {
        self.stop_from(0, None).await;
    }
}
