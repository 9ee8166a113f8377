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
//! | `gen_server:call({kv, 'girder@host'}, get)` from another node | served when [`GenServer::terms`] returns `Some` (`girder_dist::DistNode::terms`) |
//!
//! ## From Erlang and Elixir nodes
//!
//! Calls and casts from other nodes arrive as the terms OTP sends,
//! `{'$gen_call', {From, Tag}, Request}` and `{'$gen_cast', Request}`. A
//! server whose [`GenServer::terms`] returns [`Terms`] has them decoded
//! into its `Call` and `Cast` and answers `{Tag, Reply}` as an Erlang
//! `gen_server` does (to the caller's alias for OTP 24+ callers); its
//! `handle_call` sees a [`ReplyTo`] whose [`ReplyTo::is_remote`] is true,
//! and may keep it for a later [`ReplyTo::reply`]. Without `terms`, such
//! terms go to `handle_info`.
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
//!   travels to an [`Alias`] of the caller that is
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

mod external;
mod serve;
mod server;

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::time::Duration;

use girder_core::{Alias, Down, Exit, ExitReason, Pid, self_pid};

pub use self::external::{Decode, Encode, TermPeer, Terms};
use self::server::ReplyMsg;
pub use self::server::{Options, Server, call, cast};
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

    /// Opts in to calls and casts from Erlang and Elixir nodes
    /// (`gen_server:call/2`, `GenServer.call/2`, `gen_server:cast/2`): the
    /// server loop decodes their `'$gen_call'` and `'$gen_cast'` terms with
    /// the returned [`Terms`] into `Call` and `Cast`, and sends each reply
    /// back as `{Tag, Reply}`, as an Erlang `gen_server` does. Called once,
    /// after `init`. The default, `None`, leaves such terms to
    /// `handle_info`. `girder_dist::DistNode::terms` builds a serde-based
    /// `Terms`.
    fn terms(&self) -> Option<Terms<Self>> {
        None
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
    /// For a caller on another node: the reply's term form.
    encode: Option<Encode<R>>,
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
            .field("remote", &self.encode.is_some())
            .finish()
    }
}

impl<R: Send + 'static> ReplyTo<R> {
    /// The calling process.
    pub fn pid(&self) -> Pid {
        self.alias.pid()
    }

    /// Whether the caller is a process of another node that called with
    /// Erlang's `gen_server:call` (see [`GenServer::terms`]).
    pub fn is_remote(&self) -> bool {
        self.encode.is_some()
    }

    /// Sends the reply. Erlang `gen_server:reply/2`, Elixir
    /// `GenServer.reply/2`. A reply to a caller that gave up (timed out) or
    /// died is dropped.
    pub fn reply(self, value: R) {
        if let Some(encode) = self.encode {
            match encode(&value) {
                Ok(term) => self.alias.send(term),
                Err(error) => tracing::warn!(
                    target: "girder::gen_server",
                    server = %self_pid(),
                    caller = %self.alias.pid(),
                    %error,
                    "reply has no term form; dropped"
                ),
            }
            return;
        }
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
