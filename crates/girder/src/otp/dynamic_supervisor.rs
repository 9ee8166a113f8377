//! # DynamicSupervisor: children started on demand
//!
//! Elixir's `DynamicSupervisor` (OTP's `simple_one_for_one` made its own
//! behaviour): a supervisor that starts with no children and starts them
//! one at a time with [`DynamicSupervisor::start_child`] — connections,
//! sessions, jobs. Children are known by pid; each is restarted by its own
//! restart type (one for one), within the same restart intensity as
//! [`Supervisor`](crate::otp::supervisor::Supervisor)'s; on shutdown all
//! children are stopped *concurrently*.
//!
//! ```
//! use girder::otp::dynamic_supervisor::{DynamicSupervisor, Options};
//! use girder::otp::supervisor::{ChildSpec, Restart};
//! use girder::prelude::*;
//!
//! girder::run(async {
//!     let sup = DynamicSupervisor::start_link(Options::new().max_children(100)).await.unwrap();
//!     let me = self_pid();
//!     let job = ChildSpec::process("job", move || async move { send(me, "done") })
//!         .restart(Restart::Temporary);
//!     sup.start_child(job).await.unwrap();
//!     assert_eq!(receive::<&str>().await, "done");
//! }).unwrap();
//! ```
//!
//! ## From Elixir
//!
//! | Elixir | Girder |
//! |---|---|
//! | `DynamicSupervisor.start_link(strategy: :one_for_one)` | `DynamicSupervisor::start_link(Options::new())` |
//! | `max_children: 100`, `max_restarts: 3`, `max_seconds: 5`, `name: N` | `Options::new().max_children(100).max_restarts(3).max_seconds(d).name("n")` |
//! | `DynamicSupervisor.start_child(sup, spec)` | `sup.start_child(spec).await` → `Ok(Some(pid))` |
//! | `{:error, :max_children}` | `Err(ChildError::MaxChildren)` |
//! | `DynamicSupervisor.terminate_child(sup, pid)` | `sup.terminate_child(pid).await` |
//! | `DynamicSupervisor.which_children(sup)` | `sup.which_children().await` |
//! | `DynamicSupervisor.count_children(sup)` | `sup.count_children().await` |
//! | `DynamicSupervisor.stop(sup, reason)` | `sup.stop(reason, timeout).await` |
//!
//! A child spec's id is not used to find children (Elixir ignores it too);
//! `which_children` reports it.

use std::collections::HashMap;
use std::time::Duration;

use girder_core::{ExitReason, Pid, self_pid, send, trap_exit};

use crate::otp::Name;
use crate::otp::gen_server::{
    self, Action, CallError, GenServer, INFINITY, Info, Init, Reply, ReplyTo, Server, StartError,
};
use crate::otp::supervisor::report;
use crate::otp::supervisor::{
    ChildError, ChildInfo, ChildSpec, ChildType, Counts, Intensity, Restart, stop_all,
};

/// A dynamic supervisor's limits and name. Elixir's
/// `DynamicSupervisor.start_link/1` options.
#[derive(Clone, Debug)]
pub struct Options {
    max_children: Option<usize>,
    max_restarts: u32,
    max_seconds: Duration,
    name: Option<Name>,
}

impl Default for Options {
    fn default() -> Self {
        Options::new()
    }
}

impl Options {
    /// No child limit; 3 restarts in 5 s.
    pub fn new() -> Options {
        Options {
            max_children: None,
            max_restarts: 3,
            max_seconds: Duration::from_secs(5),
            name: None,
        }
    }

    /// At most `n` children at once. Elixir `max_children`.
    pub fn max_children(mut self, n: usize) -> Options {
        self.max_children = Some(n);
        self
    }

    /// At most this many restarts within `max_seconds`. Elixir
    /// `max_restarts`.
    pub fn max_restarts(mut self, n: u32) -> Options {
        self.max_restarts = n;
        self
    }

    /// The window for `max_restarts`. Elixir `max_seconds`.
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

/// A handle to a running dynamic supervisor. Cheap to clone.
#[derive(Clone, Debug)]
pub struct DynamicSupervisor {
    server: Server<DynamicState>,
}

impl DynamicSupervisor {
    /// Starts a dynamic supervisor linked to the caller. Elixir
    /// `DynamicSupervisor.start_link/1`.
    pub async fn start_link(opts: Options) -> Result<DynamicSupervisor, StartError> {
        let mut server_opts = gen_server::Options::new();
        if let Some(name) = &opts.name {
            server_opts = server_opts.name(name.clone());
        }
        Server::start_link_with(DynamicState::new(&opts), server_opts)
            .await
            .map(|server| DynamicSupervisor { server })
    }

    /// A child spec that starts a dynamic supervisor (for supervision
    /// trees).
    pub fn child_spec(id: impl AsRef<str>, opts: Options) -> ChildSpec {
        ChildSpec::supervisor(id, move || {
            let opts = opts.clone();
            async move {
                let sup = DynamicSupervisor::start_link(opts).await?;
                sup.server
                    .whereis()
                    .ok_or(StartError::Stopped(ExitReason::Noproc))
            }
        })
    }

    /// The dynamic supervisor with pid `pid`.
    pub fn from_pid(pid: Pid) -> DynamicSupervisor {
        DynamicSupervisor {
            server: Server::from_pid(pid),
        }
    }

    /// The dynamic supervisor registered as `name`.
    pub fn named(name: impl Into<Name>) -> DynamicSupervisor {
        DynamicSupervisor {
            server: Server::named(name),
        }
    }

    /// The supervisor's pid, if it runs.
    pub fn pid(&self) -> Option<Pid> {
        self.server.whereis()
    }

    /// Starts a child. `Ok(None)` if its start function said ignore. Elixir
    /// `DynamicSupervisor.start_child/2`.
    pub async fn start_child(&self, spec: ChildSpec) -> Result<Option<Pid>, ChildError> {
        match self.call(Call::StartChild(spec)).await? {
            Answer::Started(r) => r,
            _ => unreachable!("start_child answers with a start"),
        }
    }

    /// Stops the child `pid` and forgets it. Elixir
    /// `DynamicSupervisor.terminate_child/2`.
    pub async fn terminate_child(&self, pid: Pid) -> Result<(), ChildError> {
        match self.call(Call::TerminateChild(pid)).await? {
            Answer::Done(r) => r,
            _ => unreachable!("terminate_child answers with done"),
        }
    }

    /// Every child. Elixir `DynamicSupervisor.which_children/1`.
    pub async fn which_children(&self) -> Result<Vec<ChildInfo>, CallError> {
        match self.call(Call::WhichChildren).await? {
            Answer::Children(c) => Ok(c),
            _ => unreachable!("which_children answers with children"),
        }
    }

    /// Child counts. Elixir `DynamicSupervisor.count_children/1`.
    pub async fn count_children(&self) -> Result<Counts, CallError> {
        match self.call(Call::CountChildren).await? {
            Answer::Counts(c) => Ok(c),
            _ => unreachable!("count_children answers with counts"),
        }
    }

    /// Stops the supervisor and, concurrently, all its children. Elixir
    /// `DynamicSupervisor.stop/3`.
    pub async fn stop(&self, reason: ExitReason, timeout: Duration) -> Result<(), CallError> {
        self.server.stop(reason, timeout).await
    }

    async fn call(&self, call: Call) -> Result<Answer, CallError> {
        self.server.call_timeout(call, INFINITY).await
    }
}

enum Call {
    StartChild(ChildSpec),
    TerminateChild(Pid),
    WhichChildren,
    CountChildren,
}

enum Answer {
    Started(Result<Option<Pid>, ChildError>),
    Done(Result<(), ChildError>),
    Children(Vec<ChildInfo>),
    Counts(Counts),
}

/// A failed restart, retried through the mailbox (Elixir's
/// `try_again_restart`). Carries the spec (the child has no pid then).
struct TryAgain(u64);

struct DynamicState {
    max_children: Option<usize>,
    intensity: Intensity,
    children: HashMap<Pid, ChildSpec>,
    /// Children whose restart failed, waiting for a retry, by ticket.
    restarting: HashMap<u64, ChildSpec>,
    next_ticket: u64,
    label: String,
}

impl DynamicState {
    fn new(opts: &Options) -> DynamicState {
        DynamicState {
            max_children: opts.max_children,
            intensity: Intensity::new(opts.max_restarts, opts.max_seconds),
            children: HashMap::new(),
            restarting: HashMap::new(),
            next_ticket: 0,
            label: opts
                .name
                .as_ref()
                .map(|n| n.to_string())
                .unwrap_or_default(),
        }
    }

    fn len(&self) -> usize {
        self.children.len() + self.restarting.len()
    }

    /// Restarts `spec` (first try or retry), within the intensity.
    async fn restart(&mut self, spec: ChildSpec) -> Action {
        if !self.intensity.add_restart() {
            report::gave_up(&self.label, spec.id());
            return Action::Stop(ExitReason::Shutdown);
        }
        match spec.start().await {
            Ok(pid) => {
                self.children.insert(pid, spec);
            }
            Err(StartError::Ignore) => {}
            Err(e) => {
                report::start_error(&self.label, spec.id(), &e);
                let ticket = self.next_ticket;
                self.next_ticket += 1;
                self.restarting.insert(ticket, spec);
                send(self_pid(), TryAgain(ticket));
            }
        }
        Action::Noreply
    }
}

impl GenServer for DynamicState {
    type Call = Call;
    type Reply = Answer;
    type Cast = ();
    type Continue = ();

    async fn init(&mut self) -> Init {
        trap_exit(true);
        if self.label.is_empty() {
            self.label = self_pid().to_string();
        }
        Init::Ok
    }

    async fn handle_call(&mut self, call: Call, _from: ReplyTo<Answer>) -> Reply<Answer> {
        Reply::reply(match call {
            Call::StartChild(spec) => {
                Answer::Started(if self.max_children.is_some_and(|max| self.len() >= max) {
                    Err(ChildError::MaxChildren)
                } else {
                    match spec.start().await {
                        Ok(pid) => {
                            self.children.insert(pid, spec);
                            Ok(Some(pid))
                        }
                        Err(StartError::Ignore) => Ok(None),
                        Err(e) => Err(ChildError::Start(e)),
                    }
                })
            }
            Call::TerminateChild(pid) => Answer::Done(match self.children.remove(&pid) {
                None => Err(ChildError::NotFound),
                Some(spec) => {
                    stop_all(vec![(pid, spec.shutdown_type())]).await;
                    Ok(())
                }
            }),
            Call::WhichChildren => Answer::Children(
                self.children
                    .iter()
                    .map(|(pid, spec)| ChildInfo {
                        id: spec.id().to_owned(),
                        pid: Some(*pid),
                        restarting: false,
                        kind: spec.child_type(),
                    })
                    .chain(self.restarting.values().map(|spec| ChildInfo {
                        id: spec.id().to_owned(),
                        pid: None,
                        restarting: true,
                        kind: spec.child_type(),
                    }))
                    .collect(),
            ),
            Call::CountChildren => {
                let mut counts = Counts {
                    specs: self.len(),
                    active: self.children.len(),
                    ..Counts::default()
                };
                for spec in self.children.values().chain(self.restarting.values()) {
                    match spec.child_type() {
                        ChildType::Worker => counts.workers += 1,
                        ChildType::Supervisor => counts.supervisors += 1,
                    }
                }
                Answer::Counts(counts)
            }
        })
    }

    async fn handle_info(&mut self, info: Info) -> Action {
        match info {
            Info::Exit(e) => {
                let Some(spec) = self.children.remove(&e.from) else {
                    return Action::Noreply;
                };
                let restart = spec.restart_type();
                if restart == Restart::Permanent || !e.reason.is_clean() {
                    report::child_terminated(&self.label, spec.id(), e.from, &e.reason);
                }
                if restart.restarts_after(&e.reason) {
                    self.restart(spec).await
                } else {
                    Action::Noreply
                }
            }
            Info::Message(m) => match m.downcast::<TryAgain>() {
                Ok(TryAgain(ticket)) => match self.restarting.remove(&ticket) {
                    Some(spec) => self.restart(spec).await,
                    None => Action::Noreply,
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
        let (children, ids): (Vec<(Pid, _)>, Vec<_>) = self
            .children
            .drain()
            .map(|(pid, spec)| ((pid, spec.shutdown_type()), spec.shared_id()))
            .unzip();
        for (stopped, id) in stop_all(children).await.into_iter().zip(ids) {
            if !stopped.expected {
                report::shutdown_error(&self.label, &id, stopped.pid, &stopped.reason);
            }
        }
    }
}
