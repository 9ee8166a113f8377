//! # GenServer: a server process with typed calls and casts
//!
//! OTP's `gen_server` / Elixir's `GenServer`: a process that keeps a state,
//! answers synchronous requests (calls), takes asynchronous ones (casts) and
//! any other message (info), one at a time, in arrival order. The server's
//! state is the value of a type that implements [`GenServer`]; the callbacks
//! are `async` methods on it; the request, reply and cast types are
//! associated types, so a call with the wrong request type does not compile.
//!
//! ```
//! use girder::otp::gen_server::{Action, GenServer, Reply, ReplyTo, Server};
//!
//! struct Counter(u64);
//!
//! enum Req { Get, Add(u64) }
//!
//! impl GenServer for Counter {
//!     type Call = Req;
//!     type Reply = u64;
//!     type Cast = u64;
//!     type Continue = ();
//!
//!     async fn handle_call(&mut self, req: Req, _from: ReplyTo<u64>) -> Reply<u64> {
//!         match req {
//!             Req::Get => Reply::reply(self.0),
//!             Req::Add(n) => { self.0 += n; Reply::reply(self.0) }
//!         }
//!     }
//!
//!     async fn handle_cast(&mut self, n: u64) -> Action {
//!         self.0 += n;
//!         Action::Noreply
//!     }
//! }
//!
//! let total = girder::run(async {
//!     let counter = Server::start_link(Counter(0)).await.unwrap();
//!     counter.cast(10);
//!     counter.call(Req::Add(32)).await.unwrap()
//! });
//! assert_eq!(total, Ok(42));
//! ```
//!
//! ## From Elixir
//!
//! | Elixir | Girder |
//! |---|---|
//! | `use GenServer` | `impl GenServer for MyState` |
//! | `GenServer.start_link(Mod, arg)` | `Server::start_link(MyState::new(arg))` (init runs in the new process) |
//! | `GenServer.start(Mod, arg, name: :n)` | `Server::start_with(state, Options::new().name("n"))` |
//! | `name: {:via, Registry, {reg, key}}` | `Options::new().name(Name::via(reg.via(key)))` |
//! | `def init(arg)` → `{:ok, state}` | `async fn init(&mut self) -> Init` → `Init::Ok` |
//! | `{:ok, state, timeout}` / `{:ok, state, {:continue, c}}` | `Init::Timeout(d)` / `Init::Continue(c)` |
//! | `{:stop, reason}` / `:ignore` | `Init::Stop(reason)` / `Init::Ignore` |
//! | `GenServer.call(server, req)` (5 s) | `server.call(req).await` → `Result<Reply, CallError>` |
//! | `GenServer.call(server, req, ms)` / `:infinity` | `server.call_timeout(req, d)` / `INFINITY` |
//! | `GenServer.cast(server, msg)` | `server.cast(msg)` |
//! | `GenServer.reply(from, value)` | `from.reply(value)` / [`reply`] |
//! | `GenServer.stop(server, reason, timeout)` | `server.stop(reason, d).await` |
//! | `GenServer.whereis(name)` | `Server::<S>::named(name).whereis()` |
//! | `handle_call(req, from, state)` → `{:reply, r, state}` | `handle_call(&mut self, req, from)` → `Reply::reply(r)` |
//! | `{:noreply, state}` (reply later) | `Reply::noreply()` |
//! | `{:stop, reason, reply, state}` | `Reply::stop_with_reply(reason, r)` |
//! | `handle_cast(msg, state)` → `{:noreply, state}` | `handle_cast(&mut self, msg)` → `Action::Noreply` |
//! | `handle_info(msg, state)` | `handle_info(&mut self, Info)` (`Info::Message`, `Exit`, `Down`, `Timeout`) |
//! | `{:noreply, state, timeout}` → `handle_info(:timeout, …)` | `Action::Timeout(d)` → `handle_info(Info::Timeout)` |
//! | `{:noreply, state, {:continue, c}}` → `handle_continue(c, …)` | `Action::Continue(c)` → `handle_continue(c)` |
//! | `{:stop, reason, state}` | `Action::Stop(reason)` |
//! | `terminate(reason, state)` | `async fn terminate(&mut self, reason: &ExitReason)` |
//!
//! Differences, all deliberate: the state is `self`, so callbacks return
//! only what happens next; a call's reply type is one Rust type per server
//! (use an enum for several); there is no `hibernate` (a girder process
//! has no heap of its own to compact); a call that fails returns a
//! [`CallError`] instead of exiting the caller — propagate it with `?` or
//! `panic!` to get Elixir's behaviour.
//!
//! ## Semantics (as OTP's)
//!
//! * **Calls** are monitor-based: a call to a dead server, an unknown name,
//!   or a server that dies before replying returns at once with
//!   [`CallError::NoProc`] / [`CallError::Exit`]; never a hang. The reply
//!   travels to an [`Alias`](girder_core::Alias) of the caller that is
//!   deactivated when the call ends, so a reply that comes after a timeout
//!   never reaches the caller's mailbox. Waiting for the reply does not
//!   rescan messages that were queued before the call.
//! * **Start** waits until `init` has run in the new process (OTP's
//!   `proc_lib` start protocol): an error from init, a panic in it, or a name
//!   already taken come back to the caller.
//! * **Exits.** A server that traps exits ([`girder_core::trap_exit`] in
//!   `init`) and gets an exit signal from its parent (the process that
//!   started it with `start_link`, usually a supervisor) runs `terminate` and
//!   exits with the same reason; other trapped exits go to `handle_info` as
//!   `Info::Exit`. A server that does not trap exits is ended by the signal
//!   without `terminate`, as in OTP.
//! * **Crashes.** A panic in a callback runs `terminate` with reason
//!   `Panic(msg)`, then the process exits with that reason (a crash report
//!   is logged by the runtime).

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use girder_core::{
    Alias, Down, Exit, ExitReason, Pid, Ref, alias, demonitor_flush, exit, make_ref, monitor,
    receive_select, self_pid, send, spawn, spawn_link, unalias, unlink,
};

use crate::otp::Name;

/// The default call timeout: 5 seconds, as OTP's.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// No timeout: wait as long as it takes. Erlang/Elixir `infinity`.
pub const INFINITY: Duration = Duration::MAX;

/// A server's state and callbacks. Erlang `gen_server` behaviour, Elixir
/// `GenServer`. See the [module docs](self) for the mapping.
///
/// Every callback has a default except `handle_call`; the defaults are
/// OTP's: `init` succeeds, `handle_cast` and `handle_continue` do nothing,
/// `handle_info` logs the unexpected message, `terminate` does nothing.
pub trait GenServer: Sized + Send + 'static {
    /// The request type of calls.
    type Call: Send + 'static;
    /// The reply type of calls.
    type Reply: Send + 'static;
    /// The message type of casts.
    type Cast: Send + 'static;
    /// The value `Action::Continue` carries to `handle_continue` (`()` if
    /// unused).
    type Continue: Send + 'static;

    /// Runs in the new process before `start` returns. Erlang `init/1`.
    fn init(&mut self) -> impl Future<Output = Init<Self::Continue>> + Send {
        async { Init::Ok }
    }

    /// Answers a call. Erlang `handle_call/3`.
    fn handle_call(
        &mut self,
        request: Self::Call,
        from: ReplyTo<Self::Reply>,
    ) -> impl Future<Output = Reply<Self::Reply, Self::Continue>> + Send;

    /// Takes a cast. Erlang `handle_cast/2`.
    fn handle_cast(
        &mut self,
        request: Self::Cast,
    ) -> impl Future<Output = Action<Self::Continue>> + Send {
        drop(request);
        async { Action::Noreply }
    }

    /// Takes any other message, a trapped exit, a `DOWN`, or the inactivity
    /// timeout. Erlang `handle_info/2`.
    fn handle_info(&mut self, info: Info) -> impl Future<Output = Action<Self::Continue>> + Send {
        tracing::warn!(
            target: "girder::gen_server",
            server = %self_pid(),
            info = ?info,
            "unexpected message in handle_info"
        );
        async { Action::Noreply }
    }

    /// Runs right after a callback returned `Continue(c)`, before the next
    /// message. Erlang `handle_continue/2`.
    fn handle_continue(
        &mut self,
        cont: Self::Continue,
    ) -> impl Future<Output = Action<Self::Continue>> + Send {
        drop(cont);
        async { Action::Noreply }
    }

    /// Runs when the server stops: a callback returned `Stop`, [`Server::stop`]
    /// was called, a callback panicked, or (when trapping exits) its parent
    /// sent an exit signal. Erlang `terminate/2`.
    fn terminate(&mut self, reason: &ExitReason) -> impl Future<Output = ()> + Send {
        let _ = reason;
        async {}
    }
}

/// What `init` decided. Erlang `{ok, State}`, `{ok, State, Timeout}`, `{ok,
/// State, {continue, C}}`, `{stop, Reason}`, `ignore`.
#[derive(Debug)]
pub enum Init<C = ()> {
    /// Started.
    Ok,
    /// Started; `handle_info(Info::Timeout)` if no message comes within the
    /// duration.
    Timeout(Duration),
    /// Started; `handle_continue(c)` runs before the first message.
    Continue(C),
    /// Not started: the process exits with the reason and `start` returns
    /// [`StartError::Stopped`].
    Stop(ExitReason),
    /// Not started: the process exits normally and `start` returns
    /// [`StartError::Ignore`].
    Ignore,
}

/// What the server does after a cast, info or continue callback. Erlang
/// `{noreply, State}`, `{noreply, State, Timeout}`, `{noreply, State,
/// {continue, C}}`, `{stop, Reason, State}`.
#[derive(Debug)]
pub enum Action<C = ()> {
    /// Wait for the next message.
    Noreply,
    /// Wait for the next message; `handle_info(Info::Timeout)` if none comes
    /// within the duration.
    Timeout(Duration),
    /// Run `handle_continue(c)` before the next message.
    Continue(C),
    /// Run `terminate` and exit with the reason.
    Stop(ExitReason),
}

/// What `handle_call` decided: an optional reply and what happens next.
/// Erlang `{reply, R, S}`, `{reply, R, S, Timeout | {continue, C}}`,
/// `{noreply, S, …}`, `{stop, Reason, Reply, S}`, `{stop, Reason, S}`.
#[derive(Debug)]
pub struct Reply<R, C = ()> {
    reply: Option<R>,
    action: Action<C>,
}

impl<R, C> Reply<R, C> {
    /// Reply with `value`. Erlang `{reply, Value, State}`.
    #[allow(
        clippy::self_named_constructors,
        reason = "reads as OTP's {reply, Value, State}"
    )]
    pub fn reply(value: R) -> Self {
        Reply {
            reply: Some(value),
            action: Action::Noreply,
        }
    }

    /// No reply now: the server answers later with [`ReplyTo::reply`] (or
    /// never, and the caller times out). Erlang `{noreply, State}`.
    pub fn noreply() -> Self {
        Reply {
            reply: None,
            action: Action::Noreply,
        }
    }

    /// Stop with `reason` without replying (the caller sees the exit).
    /// Erlang `{stop, Reason, State}`.
    pub fn stop(reason: ExitReason) -> Self {
        Reply {
            reply: None,
            action: Action::Stop(reason),
        }
    }

    /// Stop with `reason`, replying `value` after `terminate` ran. Erlang
    /// `{stop, Reason, Reply, State}`.
    pub fn stop_with_reply(reason: ExitReason, value: R) -> Self {
        Reply {
            reply: Some(value),
            action: Action::Stop(reason),
        }
    }

    /// Then wait at most `after` for the next message, else
    /// `handle_info(Info::Timeout)`. Erlang `{reply, R, S, Timeout}`.
    pub fn timeout(mut self, after: Duration) -> Self {
        self.action = Action::Timeout(after);
        self
    }

    /// Then run `handle_continue(cont)`. Erlang `{reply, R, S, {continue, C}}`.
    pub fn continue_with(mut self, cont: C) -> Self {
        self.action = Action::Continue(cont);
        self
    }
}

/// A message for `handle_info`. Erlang's `handle_info/2` gets any term; here
/// the runtime's own messages are typed and the rest are [`Message`]s.
#[derive(Debug)]
#[non_exhaustive]
pub enum Info {
    /// A trapped exit signal from a process other than the parent. Erlang
    /// `{'EXIT', Pid, Reason}`.
    Exit(Exit),
    /// A monitor fired. Erlang `{'DOWN', Ref, process, Pid, Reason}`.
    Down(Down),
    /// No message came within the timeout the last callback asked for.
    /// Erlang `timeout`.
    Timeout,
    /// Any other message (timers from `send_after`, plain `send`s).
    Message(Message),
}

/// A message of any type, as `handle_info` receives it.
pub struct Message(Box<dyn Any + Send>);

impl Message {
    /// Whether the message is a `T`.
    pub fn is<T: 'static>(&self) -> bool {
        self.0.is::<T>()
    }

    /// The message as a `&T`, if it is one.
    pub fn downcast_ref<T: 'static>(&self) -> Option<&T> {
        self.0.downcast_ref()
    }

    /// The message as a `T`, or the message back if it is not one.
    pub fn downcast<T: 'static>(self) -> Result<T, Message> {
        self.0.downcast().map(|b| *b).map_err(Message)
    }

    /// The boxed message.
    pub fn into_inner(self) -> Box<dyn Any + Send> {
        self.0
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Message { .. }")
    }
}

/// Where a call's reply goes: the caller and the call's tag. Erlang's
/// `From` argument of `handle_call/3`. Keep it to reply later with
/// [`ReplyTo::reply`] after returning [`Reply::noreply`].
pub struct ReplyTo<R> {
    alias: Alias,
    _reply: PhantomData<fn(R)>,
}

impl<R> Clone for ReplyTo<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for ReplyTo<R> {}

impl<R> fmt::Debug for ReplyTo<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplyTo")
            .field("caller", &self.alias.pid())
            .field("tag", &self.alias.reference())
            .finish()
    }
}

impl<R: Send + 'static> ReplyTo<R> {
    /// The calling process.
    pub fn pid(&self) -> Pid {
        self.alias.pid()
    }

    /// Sends the reply. Erlang `gen_server:reply/2`, Elixir
    /// `GenServer.reply/2`. A reply to a caller that gave up (timed out) or
    /// died is dropped.
    pub fn reply(self, value: R) {
        self.alias.send(ReplyMsg {
            tag: self.alias.reference(),
            value,
        });
    }
}

/// Sends a deferred reply: `from.reply(value)`. Erlang `gen_server:reply/2`,
/// Elixir `GenServer.reply/2`.
pub fn reply<R: Send + 'static>(from: ReplyTo<R>, value: R) {
    from.reply(value);
}

/// Why a call (or a stop) did not get its answer. Erlang exits the caller
/// with `{Reason, {gen_server, call, …}}`; here the caller gets the error.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum CallError {
    /// No reply within the timeout. Erlang `timeout`.
    Timeout {
        /// The server called.
        server: String,
        /// The timeout.
        after: Duration,
    },
    /// No process by that pid or name. Erlang `noproc`.
    NoProc {
        /// The server called.
        server: String,
    },
    /// The connection to the server's node went down. Erlang `noconnection`
    /// / `{nodedown, Node}`.
    NodeDown {
        /// The server called.
        server: String,
    },
    /// The server exited before it replied.
    Exit {
        /// The server called.
        server: Pid,
        /// Its exit reason.
        reason: ExitReason,
    },
    /// A process called itself. Erlang `calling_self`.
    CallingSelf,
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Timeout { server, after } => {
                write!(f, "call to {server} timed out after {after:?}")
            }
            CallError::NoProc { server } => write!(f, "no process {server} (noproc)"),
            CallError::NodeDown { server } => write!(f, "node of {server} is down"),
            CallError::Exit { server, reason } => {
                write!(f, "{server} exited before replying: {reason}")
            }
            CallError::CallingSelf => f.write_str("a process called itself"),
        }
    }
}

impl std::error::Error for CallError {}

impl CallError {
    /// The exit reason Erlang would exit a caller with (`timeout`, `noproc`,
    /// the server's reason, …): what to exit with to propagate the failure
    /// as Elixir does.
    pub fn exit_reason(&self) -> ExitReason {
        match self {
            CallError::Timeout { .. } => ExitReason::other("timeout"),
            CallError::NoProc { .. } => ExitReason::Noproc,
            CallError::NodeDown { .. } => ExitReason::Noconnection,
            CallError::Exit { reason, .. } => reason.clone(),
            CallError::CallingSelf => ExitReason::other("calling_self"),
        }
    }
}

/// Why a server did not start. Erlang `{error, Reason}` / `ignore`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum StartError {
    /// The name is taken by this process. Erlang `{error, {already_started,
    /// Pid}}`.
    AlreadyStarted(Pid),
    /// The name is taken by a process that is gone or unknown by now.
    NameTaken(String),
    /// `init` returned `Stop(reason)`, or panicked, or the process was
    /// killed while starting. Erlang `{error, Reason}`.
    Stopped(ExitReason),
    /// `init` returned `Ignore`. Erlang `ignore`.
    Ignore,
    /// `init` did not finish within the start timeout; the process was
    /// killed. Erlang `{error, timeout}`.
    Timeout,
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::AlreadyStarted(pid) => write!(f, "already started as {pid}"),
            StartError::NameTaken(name) => write!(f, "name {name} is taken"),
            StartError::Stopped(reason) => write!(f, "init stopped: {reason}"),
            StartError::Ignore => f.write_str("init returned ignore"),
            StartError::Timeout => f.write_str("init timed out"),
        }
    }
}

impl std::error::Error for StartError {}

impl StartError {
    /// The reason a supervisor reports for this failure.
    pub fn exit_reason(&self) -> ExitReason {
        match self {
            StartError::Stopped(reason) => reason.clone(),
            StartError::Ignore => ExitReason::Normal,
            other => ExitReason::other(other.to_string()),
        }
    }
}

/// How to start a server: its name and how long `init` may take. Erlang's
/// `start_link/4` options, Elixir's `GenServer.start_link/3` options.
#[derive(Clone, Debug)]
pub struct Options {
    name: Option<Name>,
    timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options::new()
    }
}

impl Options {
    /// No name, no start timeout.
    pub fn new() -> Options {
        Options {
            name: None,
            timeout: INFINITY,
        }
    }

    /// Register the server under `name` before `init` runs. Elixir `name:`.
    pub fn name(mut self, name: impl Into<Name>) -> Options {
        self.name = Some(name.into());
        self
    }

    /// Kill the server and fail the start if `init` takes longer. Elixir
    /// `timeout:`.
    pub fn timeout(mut self, timeout: Duration) -> Options {
        self.timeout = timeout;
        self
    }
}

/// A handle to a server of type `S`: a pid, or a name resolved at each use.
/// Cheap to clone. Erlang's `ServerRef` (`Pid | Name | {via, M, Name}`).
pub struct Server<S> {
    target: Target,
    _server: PhantomData<fn() -> S>,
}

#[derive(Clone)]
enum Target {
    Pid(Pid),
    Name(Name),
}

impl<S> Clone for Server<S> {
    fn clone(&self) -> Self {
        Server {
            target: self.target.clone(),
            _server: PhantomData,
        }
    }
}

impl<S> fmt::Debug for Server<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Server({self})")
    }
}

impl<S> fmt::Display for Server<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.target {
            Target::Pid(pid) => fmt::Display::fmt(pid, f),
            Target::Name(name) => fmt::Display::fmt(name, f),
        }
    }
}

impl<S> PartialEq for Server<S> {
    fn eq(&self, other: &Self) -> bool {
        match (&self.target, &other.target) {
            (Target::Pid(a), Target::Pid(b)) => a == b,
            _ => self.to_string() == other.to_string(),
        }
    }
}

impl<S: GenServer> Server<S> {
    /// The server with pid `pid` (trusted to run `S`).
    pub fn from_pid(pid: Pid) -> Server<S> {
        Server {
            target: Target::Pid(pid),
            _server: PhantomData,
        }
    }

    /// The server registered under `name`, looked up at each call (trusted to
    /// run `S`).
    pub fn named(name: impl Into<Name>) -> Server<S> {
        Server {
            target: Target::Name(name.into()),
            _server: PhantomData,
        }
    }

    /// The server's pid now: the pid, or whoever holds the name. Elixir
    /// `GenServer.whereis/1`.
    pub fn whereis(&self) -> Option<Pid> {
        match &self.target {
            Target::Pid(pid) => Some(*pid),
            Target::Name(name) => name.whereis(),
        }
    }

    /// Starts the server unlinked and waits for its `init`. Erlang
    /// `gen_server:start/3`, Elixir `GenServer.start/3`.
    pub async fn start(state: S) -> Result<Server<S>, StartError> {
        start_server(state, Options::new(), false).await
    }

    /// Starts the server linked to the caller and waits for its `init`.
    /// Erlang `gen_server:start_link/3`, Elixir `GenServer.start_link/3`.
    pub async fn start_link(state: S) -> Result<Server<S>, StartError> {
        start_server(state, Options::new(), true).await
    }

    /// [`Server::start`] with options (name, start timeout).
    pub async fn start_with(state: S, opts: Options) -> Result<Server<S>, StartError> {
        start_server(state, opts, false).await
    }

    /// [`Server::start_link`] with options (name, start timeout).
    pub async fn start_link_with(state: S, opts: Options) -> Result<Server<S>, StartError> {
        start_server(state, opts, true).await
    }

    /// Calls the server and waits up to 5 s for the reply. Erlang
    /// `gen_server:call/2`, Elixir `GenServer.call/2`.
    pub async fn call(&self, request: S::Call) -> Result<S::Reply, CallError> {
        self.call_timeout(request, DEFAULT_TIMEOUT).await
    }

    /// Calls the server and waits up to `timeout` ([`INFINITY`]: no limit).
    /// Erlang `gen_server:call/3`, Elixir `GenServer.call/3`.
    pub async fn call_timeout(
        &self,
        request: S::Call,
        timeout: Duration,
    ) -> Result<S::Reply, CallError> {
        let server = self.resolve()?;
        call_pid::<S::Call, S::Reply>(server, request, timeout).await
    }

    /// Sends a cast. Erlang `gen_server:cast/2`, Elixir `GenServer.cast/2`:
    /// never fails, even if the server is gone.
    pub fn cast(&self, request: S::Cast) {
        if let Some(pid) = self.whereis() {
            send(pid, CastMsg(request));
        }
    }

    /// Stops the server with `reason` (its `terminate` runs) and waits up to
    /// `timeout` for it to exit. Erlang `gen_server:stop/3`, Elixir
    /// `GenServer.stop/3`. Returns `Ok` if it exited with `reason`,
    /// `Err(Exit)` with the reason it exited with otherwise.
    pub async fn stop(&self, reason: ExitReason, timeout: Duration) -> Result<(), CallError> {
        let server = self.resolve()?;
        stop_pid(server, reason, timeout).await
    }

    fn resolve(&self) -> Result<Pid, CallError> {
        self.whereis().ok_or_else(|| CallError::NoProc {
            server: self.to_string(),
        })
    }
}

/// Calls `server` (a pid or a typed handle). Erlang `gen_server:call/2`,
/// Elixir `GenServer.call/2`; same as [`Server::call`].
pub async fn call<S: GenServer>(
    server: &Server<S>,
    request: S::Call,
) -> Result<S::Reply, CallError> {
    server.call(request).await
}

/// Casts to `server`. Erlang `gen_server:cast/2`, Elixir `GenServer.cast/2`;
/// same as [`Server::cast`].
pub fn cast<S: GenServer>(server: &Server<S>, request: S::Cast) {
    server.cast(request);
}

/// A call request as it travels to the server.
struct CallMsg<Q, R> {
    from: ReplyTo<R>,
    request: Q,
}

/// A reply as it travels back, tagged with the call's alias.
struct ReplyMsg<R> {
    tag: Ref,
    value: R,
}

/// A cast as it travels to the server.
struct CastMsg<C>(C);

/// `gen_server:stop/3`'s system message.
struct StopMsg {
    reason: ExitReason,
}

/// `init`'s answer to the starter.
struct InitAck {
    tag: Ref,
    result: Result<(), StartError>,
}

/// The call protocol: alias + monitor, request, wait for the tagged reply or
/// the `DOWN`, then drop the alias and the monitor (and any reply that
/// slipped in) so nothing of this call is left behind.
pub(crate) async fn call_pid<Q: Send + 'static, R: Send + 'static>(
    server: Pid,
    request: Q,
    timeout: Duration,
) -> Result<R, CallError> {
    if server == self_pid() {
        return Err(CallError::CallingSelf);
    }
    let reply_to = alias();
    let tag = reply_to.reference();
    let mref = monitor(server);
    send(
        server,
        CallMsg::<Q, R> {
            from: ReplyTo {
                alias: reply_to,
                _reply: PhantomData,
            },
            request,
        },
    );
    let select = move |m: &(dyn Any + Send)| {
        if m.downcast_ref::<ReplyMsg<R>>()
            .is_some_and(|r| r.tag == tag)
        {
            Some(true)
        } else if m.downcast_ref::<Down>().is_some_and(|d| d.monitor == mref) {
            Some(false)
        } else {
            None
        }
    };
    let hit = if timeout == INFINITY {
        Some(receive_select(select).since(tag).await)
    } else {
        receive_select(select).since(tag).timeout(timeout).await
    };
    unalias(reply_to);
    match hit {
        Some((true, msg)) => {
            demonitor_flush(mref);
            match msg.downcast::<ReplyMsg<R>>() {
                Ok(reply) => Ok(reply.value),
                Err(_) => unreachable!("selected as a reply"),
            }
        }
        Some((false, msg)) => {
            let reason = match msg.downcast::<Down>() {
                Ok(down) => down.reason,
                Err(_) => unreachable!("selected as a DOWN"),
            };
            Err(match reason {
                ExitReason::Noproc => CallError::NoProc {
                    server: server.to_string(),
                },
                ExitReason::Noconnection => CallError::NodeDown {
                    server: server.to_string(),
                },
                reason => CallError::Exit { server, reason },
            })
        }
        None => {
            demonitor_flush(mref);
            // The alias is off, so no reply can arrive any more; one that
            // arrived just before is removed here.
            let _ = receive_select(move |m: &(dyn Any + Send)| {
                m.downcast_ref::<ReplyMsg<R>>()
                    .is_some_and(|r| r.tag == tag)
                    .then_some(())
            })
            .since(tag)
            .timeout(Duration::ZERO)
            .await;
            Err(CallError::Timeout {
                server: server.to_string(),
                after: timeout,
            })
        }
    }
}

/// `gen_server:stop/3`: monitor, ask, wait for the `DOWN`.
async fn stop_pid(server: Pid, reason: ExitReason, timeout: Duration) -> Result<(), CallError> {
    let mref = monitor(server);
    send(
        server,
        StopMsg {
            reason: reason.clone(),
        },
    );
    let down = receive_select(move |m: &(dyn Any + Send)| {
        m.downcast_ref::<Down>()
            .is_some_and(|d| d.monitor == mref)
            .then_some(())
    });
    let hit = if timeout == INFINITY {
        Some(down.await)
    } else {
        down.timeout(timeout).await
    };
    match hit {
        None => {
            demonitor_flush(mref);
            Err(CallError::Timeout {
                server: server.to_string(),
                after: timeout,
            })
        }
        Some(((), msg)) => {
            let Ok(down) = msg.downcast::<Down>() else {
                unreachable!("selected as a DOWN")
            };
            match down.reason {
                r if r == reason => Ok(()),
                ExitReason::Noproc => Err(CallError::NoProc {
                    server: server.to_string(),
                }),
                r => Err(CallError::Exit { server, reason: r }),
            }
        }
    }
}

/// The `proc_lib` start protocol: spawn (linked or not), monitor, wait for
/// the ack that `init` finished, or for the process to die.
async fn start_server<S: GenServer>(
    state: S,
    opts: Options,
    link: bool,
) -> Result<Server<S>, StartError> {
    let starter = self_pid();
    let tag = make_ref();
    let name = opts.name.clone();
    let body = async move { serve(state, starter, link, tag, name).await };
    let child = if link { spawn_link(body) } else { spawn(body) };
    let mref = monitor(child);
    let select = move |m: &(dyn Any + Send)| {
        if m.downcast_ref::<InitAck>().is_some_and(|a| a.tag == tag) {
            Some(true)
        } else if m.downcast_ref::<Down>().is_some_and(|d| d.monitor == mref) {
            Some(false)
        } else {
            None
        }
    };
    let hit = if opts.timeout == INFINITY {
        Some(receive_select(select).since(tag).await)
    } else {
        receive_select(select)
            .since(tag)
            .timeout(opts.timeout)
            .await
    };
    match hit {
        Some((true, msg)) => {
            let Ok(ack) = msg.downcast::<InitAck>() else {
                unreachable!("selected as an ack")
            };
            match ack.result {
                Ok(()) => {
                    demonitor_flush(mref);
                    Ok(Server::from_pid(child))
                }
                Err(e) => {
                    // The process exits right after a failed init: wait for
                    // it, so a trapped link exit is already here to remove.
                    wait_down(mref).await;
                    if link {
                        flush_exit(child).await;
                    }
                    Err(e)
                }
            }
        }
        Some((false, msg)) => {
            let Ok(down) = msg.downcast::<Down>() else {
                unreachable!("selected as a DOWN")
            };
            if link {
                flush_exit(child).await;
            }
            Err(StartError::Stopped(down.reason))
        }
        None => {
            if link {
                unlink(child);
            }
            exit(child, ExitReason::Kill);
            wait_down(mref).await;
            if link {
                flush_exit(child).await;
            }
            Err(StartError::Timeout)
        }
    }
}

async fn wait_down(mref: Ref) {
    girder_core::receive_match(move |d: &Down| d.monitor == mref).await;
}

/// Removes a trapped `Exit` from `pid` that is already in the mailbox.
async fn flush_exit(pid: Pid) {
    let _ = girder_core::receive_match(move |e: &Exit| e.from == pid)
        .timeout(Duration::ZERO)
        .await;
}

/// Runs one callback future (which borrows `$state`); on a panic, runs
/// `terminate` and re-raises it.
macro_rules! guarded {
    ($state:ident, $call:expr) => {{
        let outcome = CatchUnwind::new($call).await;
        match outcome {
            Ok(v) => v,
            Err(payload) => crash(&mut $state, payload).await,
        }
    }};
}

/// What the server loop took from its mailbox.
enum Incoming {
    Call,
    Cast,
    Stop,
    ParentExit,
    Exit,
    Down,
    Other,
}

/// The server process: register, init, ack, then one message at a time.
/// The parent is the starter if it linked, else the server itself (as
/// `proc_lib` has it), so an unlinked server takes exits from its starter as
/// infos.
async fn serve<S: GenServer>(
    mut state: S,
    starter: Pid,
    linked: bool,
    tag: Ref,
    name: Option<Name>,
) -> ExitReason {
    let me = self_pid();
    let parent = if linked { starter } else { me };
    let ack = |result| send(starter, InitAck { tag, result });
    if let Some(name) = &name {
        if !name.register(me) {
            ack(Err(match name.whereis() {
                Some(pid) => StartError::AlreadyStarted(pid),
                None => StartError::NameTaken(name.to_string()),
            }));
            return ExitReason::Normal;
        }
    }
    let init = match CatchUnwind::new(state.init()).await {
        Ok(init) => init,
        Err(payload) => {
            ack(Err(StartError::Stopped(ExitReason::Panic(panic_message(
                &*payload,
            )))));
            std::panic::resume_unwind(payload);
        }
    };
    let mut next = match init {
        Init::Ok => Action::Noreply,
        Init::Timeout(d) => Action::Timeout(d),
        Init::Continue(c) => Action::Continue(c),
        Init::Stop(reason) => {
            ack(Err(StartError::Stopped(reason.clone())));
            return reason;
        }
        Init::Ignore => {
            ack(Err(StartError::Ignore));
            return ExitReason::Normal;
        }
    };
    ack(Ok(()));
    loop {
        let timeout = match next {
            Action::Noreply => None,
            Action::Timeout(d) => Some(d),
            Action::Continue(c) => {
                next = guarded!(state, state.handle_continue(c));
                continue;
            }
            Action::Stop(reason) => return stop(&mut state, reason).await,
        };
        let select = move |m: &(dyn Any + Send)| {
            Some(if m.is::<CallMsg<S::Call, S::Reply>>() {
                Incoming::Call
            } else if m.is::<CastMsg<S::Cast>>() {
                Incoming::Cast
            } else if m.is::<StopMsg>() {
                Incoming::Stop
            } else if let Some(e) = m.downcast_ref::<Exit>() {
                if e.from == parent && parent != me {
                    Incoming::ParentExit
                } else {
                    Incoming::Exit
                }
            } else if m.is::<Down>() {
                Incoming::Down
            } else {
                Incoming::Other
            })
        };
        let hit = match timeout {
            Some(d) if d != INFINITY => receive_select(select).timeout(d).await,
            _ => Some(receive_select(select).await),
        };
        let Some((kind, msg)) = hit else {
            next = guarded!(state, state.handle_info(Info::Timeout));
            continue;
        };
        next = match kind {
            Incoming::Call => {
                let Ok(call) = msg.downcast::<CallMsg<S::Call, S::Reply>>() else {
                    unreachable!("classified as a call")
                };
                let from = call.from;
                let request = call.request;
                let reply = guarded!(state, state.handle_call(request, from));
                match reply.action {
                    Action::Stop(reason) => {
                        let exit = stop(&mut state, reason).await;
                        if let Some(value) = reply.reply {
                            from.reply(value);
                        }
                        return exit;
                    }
                    action => {
                        if let Some(value) = reply.reply {
                            from.reply(value);
                        }
                        action
                    }
                }
            }
            Incoming::Cast => {
                let Ok(cast) = msg.downcast::<CastMsg<S::Cast>>() else {
                    unreachable!("classified as a cast")
                };
                guarded!(state, state.handle_cast(cast.0))
            }
            Incoming::Stop => {
                let Ok(stop_msg) = msg.downcast::<StopMsg>() else {
                    unreachable!("classified as a stop")
                };
                Action::Stop(stop_msg.reason)
            }
            Incoming::ParentExit => {
                let Ok(e) = msg.downcast::<Exit>() else {
                    unreachable!("classified as an exit")
                };
                Action::Stop(e.reason)
            }
            Incoming::Exit => {
                let Ok(e) = msg.downcast::<Exit>() else {
                    unreachable!("classified as an exit")
                };
                guarded!(state, state.handle_info(Info::Exit(*e)))
            }
            Incoming::Down => {
                let Ok(d) = msg.downcast::<Down>() else {
                    unreachable!("classified as a DOWN")
                };
                guarded!(state, state.handle_info(Info::Down(*d)))
            }
            Incoming::Other => {
                guarded!(state, state.handle_info(Info::Message(Message(msg))))
            }
        };
    }
}

/// Runs `terminate` and returns the reason to exit with.
async fn stop<S: GenServer>(state: &mut S, reason: ExitReason) -> ExitReason {
    if let Err(payload) = CatchUnwind::new(state.terminate(&reason)).await {
        std::panic::resume_unwind(payload);
    }
    reason
}

/// A panic in a callback: run `terminate` with the panic as the reason,
/// then let the panic end the process (the runtime reports it).
async fn crash<S: GenServer, T>(state: &mut S, payload: Box<dyn Any + Send>) -> T {
    let reason = ExitReason::Panic(panic_message(&*payload));
    let _ = CatchUnwind::new(state.terminate(&reason)).await;
    std::panic::resume_unwind(payload)
}

/// The message of a panic payload, as the runtime words it.
fn panic_message(payload: &(dyn Any + Send)) -> Arc<str> {
    if let Some(s) = payload.downcast_ref::<&str>() {
        Arc::from(*s)
    } else if let Some(s) = payload.downcast_ref::<String>() {
        Arc::from(s.as_str())
    } else {
        Arc::from("non-string panic payload")
    }
}

pin_project_lite::pin_project! {
    /// Polls a future, turning a panic into `Err(payload)`.
    struct CatchUnwind<F> {
        #[pin]
        inner: F,
    }
}

impl<F> CatchUnwind<F> {
    fn new(inner: F) -> Self {
        CatchUnwind { inner }
    }
}

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.project().inner;
        match std::panic::catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}
