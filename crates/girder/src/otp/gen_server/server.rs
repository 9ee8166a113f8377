//! The client side: the [`Server`] handle, and the start, call and stop
//! protocols (`proc_lib` start with an init ack; monitor + alias calls).

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use girder_core::{
    Down, Exit, ExitReason, Pid, Ref, alias, demonitor_flush, exit, make_ref, monitor,
    receive_select, self_pid, send, spawn, spawn_link, unalias, unlink,
};

use super::serve::serve;
use super::{CallError, DEFAULT_TIMEOUT, GenServer, INFINITY, ReplyTo, StartError};
use crate::otp::Name;

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
pub(super) struct CallMsg<Q, R> {
    pub(super) from: ReplyTo<R>,
    pub(super) request: Q,
}

/// A reply as it travels back, tagged with the call's alias.
pub(super) struct ReplyMsg<R> {
    pub(super) tag: Ref,
    pub(super) value: R,
}

/// A cast as it travels to the server.
pub(super) struct CastMsg<C>(pub(super) C);

/// `gen_server:stop/3`'s system message.
pub(super) struct StopMsg {
    pub(super) reason: ExitReason,
}

/// `init`'s answer to the starter.
pub(super) struct InitAck {
    pub(super) tag: Ref,
    pub(super) result: Result<(), StartError>,
}

/// The call protocol: alias + monitor, request, wait for the tagged reply or
/// the `DOWN`, then drop the alias and the monitor (and any reply that
/// slipped in) so nothing of this call is left behind.
async fn call_pid<Q: Send + 'static, R: Send + 'static>(
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
                encode: None,
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
