//! GenServers across the language boundary.
//!
//! * **Girder → Erlang/Elixir**: [`call`] and [`cast`] speak
//!   `gen_server`'s protocol to a server on another node (an Erlang
//!   `gen_server`, an Elixir `GenServer` or `Agent`, or a girder server
//!   that serves terms): the request travels as
//!   `{'$gen_call', {From, [alias | Alias]}, Request}`, the reply comes
//!   back as `{[alias | Alias], Reply}` through an alias of the caller, and
//!   a monitor turns a server that is gone, dies or loses its node into an
//!   error at once. As in OTP, the alias dies with the call: a reply that
//!   comes after the timeout never reaches the caller's mailbox.
//! * **Erlang/Elixir → Girder**: a girder [`GenServer`](girder::otp::gen_server::GenServer)
//!   whose [`terms`](girder::otp::gen_server::GenServer::terms) returns
//!   [`DistNode::terms`] serves `gen_server:call/2,3`, `GenServer.call/2,3`
//!   and their casts with its typed callbacks.
//!
//! Requests and replies cross through serde with girder-term's mapping
//! (`crates/girder-term/src/serde/mapping.md`): structs as maps with atom
//! keys (Elixir structs with `#[serde(rename = "Elixir.Mod")]`), enums as
//! atoms or tagged tuples, `String` as a binary. Use
//! [`girder_term::Term`] as the request or reply type to work with the raw
//! term.

use std::any::Any;
use std::fmt;
use std::time::Duration;

use girder::otp::gen_server::INFINITY;
use girder::{Down, ExitReason, Pid};
use girder_term::{Atom, SerdeError, Term};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::bridge::DistNode;
use crate::name::NodeName;

/// The server to call: a pid (local or of another node) or a name
/// registered on a node. Erlang's `ServerRef` (`Pid | {Name, Node}`),
/// Elixir's `GenServer.server()`.
///
/// ```
/// use girder_dist::NodeName;
/// use girder_dist::gen_server::ServerRef;
/// let node = NodeName::parse("elixir@127.0.0.1").unwrap();
/// let by_name = ServerRef::named("counter", &node).unwrap();
/// assert_eq!(by_name.to_string(), "{counter, elixir@127.0.0.1}");
/// assert!(ServerRef::named(&"x".repeat(300), &node).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerRef {
    /// A process.
    Pid(Pid),
    /// `{Name, Node}`: the process registered as `name` on `node`, looked
    /// up there when the request arrives.
    Name {
        /// The registered name.
        name: Atom,
        /// Its node.
        node: NodeName,
    },
}

impl ServerRef {
    /// `{name, node}`; an error if `name` cannot be an atom (more than 255
    /// characters).
    pub fn named(name: &str, node: &NodeName) -> Result<ServerRef, CallError> {
        let name = Atom::new(name).map_err(|_| CallError::BadName {
            name: name.to_owned(),
        })?;
        Ok(ServerRef::Name {
            name,
            node: node.clone(),
        })
    }
}

impl From<Pid> for ServerRef {
    fn from(pid: Pid) -> ServerRef {
        ServerRef::Pid(pid)
    }
}

impl fmt::Display for ServerRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerRef::Pid(pid) => fmt::Display::fmt(pid, f),
            ServerRef::Name { name, node } => write!(f, "{{{name}, {node}}}"),
        }
    }
}

/// Why a [`call`] got no reply. Erlang exits the caller with
/// `{Reason, {gen_server, call, [Server, Request, Timeout]}}`; here the
/// caller gets the reason as an error ([`CallError::exit_reason`] gives
/// the reason Erlang would exit with).
#[derive(Debug)]
#[non_exhaustive]
pub enum CallError {
    /// No reply within the timeout. Erlang `timeout`.
    Timeout {
        /// The server.
        server: ServerRef,
        /// The timeout.
        after: Duration,
    },
    /// No such process, or nobody registered under the name. Erlang
    /// `noproc`.
    NoProc {
        /// The server.
        server: ServerRef,
    },
    /// The connection to the server's node went down, or the node cannot
    /// be reached. Erlang `noconnection` / `{nodedown, Node}`.
    NodeDown {
        /// The server.
        server: ServerRef,
    },
    /// The server exited before it replied, with `reason` (an Erlang exit
    /// reason arrives as [`crate::reason_from_term`] maps it).
    Exit {
        /// The server.
        server: ServerRef,
        /// Its exit reason.
        reason: ExitReason,
    },
    /// A process called itself. Erlang `calling_self`.
    CallingSelf,
    /// The request has no term form.
    Request(SerdeError),
    /// The reply came but does not decode into the reply type.
    Reply {
        /// The reply as it came.
        reply: Term,
        /// Why it does not decode.
        error: SerdeError,
    },
    /// The name is not an atom (more than 255 characters).
    BadName {
        /// The name.
        name: String,
    },
    /// This node's distribution has stopped, or the caller's pid has no
    /// external form.
    Stopped,
}

impl CallError {
    /// The exit reason Erlang would exit a caller with: `timeout`,
    /// `noproc`, `noconnection`, the server's reason, `calling_self`; the
    /// error's text for the cases Erlang does not have.
    pub fn exit_reason(&self) -> ExitReason {
        match self {
            CallError::Timeout { .. } => {
                ExitReason::Other(girder::Reason::new(Term::atom("timeout")))
            }
            CallError::NoProc { .. } => ExitReason::Noproc,
            CallError::NodeDown { .. } => ExitReason::Noconnection,
            CallError::Exit { reason, .. } => reason.clone(),
            CallError::CallingSelf => {
                ExitReason::Other(girder::Reason::new(Term::atom("calling_self")))
            }
            other => ExitReason::other(other.to_string()),
        }
    }
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
            CallError::Request(e) => write!(f, "the request has no term form: {e}"),
            CallError::Reply { reply, error } => {
                write!(f, "the reply {reply} does not decode: {error}")
            }
            CallError::BadName { name } => write!(
                f,
                "{name:?} cannot be a registered name: more than 255 characters"
            ),
            CallError::Stopped => f.write_str("distribution has stopped"),
        }
    }
}

impl std::error::Error for CallError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CallError::Request(e) | CallError::Reply { error: e, .. } => Some(e),
            _ => None,
        }
    }
}

/// Calls the `gen_server` `server` with `request` and waits up to
/// `timeout` ([`girder::otp::gen_server::INFINITY`]: no limit) for its
/// reply, decoded into `R`. Erlang `gen_server:call/3`, Elixir
/// `GenServer.call/3`.
///
/// The protocol is OTP 24+'s: a monitor of the server (by name for
/// `{Name, Node}`), an alias of the caller as the reply address, the
/// request `{'$gen_call', {self(), [alias | Alias]}, Request}`, then the
/// first of the reply and the `DOWN`. Whatever happens, the alias is
/// deactivated and the monitor removed (with its `DOWN`, if one came)
/// before this returns, so nothing of the call is left in the mailbox.
///
/// The server must be a process of another node (or a local process that
/// answers the protocol itself): a girder `GenServer` of this node is
/// called with [`girder::otp::gen_server::Server::call`].
///
/// ```no_run
/// # async fn doc(node: girder_dist::DistNode) -> Result<(), girder_dist::gen_server::CallError> {
/// use std::time::Duration;
/// use girder_dist::gen_server::{self, ServerRef};
/// use girder_term::Term;
/// // Elixir, on elixir@127.0.0.1: Agent.start(fn -> 41 end, name: :counter)
/// let elixir = girder_dist::NodeName::parse("elixir@127.0.0.1").unwrap();
/// let counter = ServerRef::named("counter", &elixir)?;
/// // Agent.get(counter, Kernel, :+, [1]) is the call {get, {'Elixir.Kernel', '+', [1]}}.
/// let get = Term::tuple([
///     Term::atom("get"),
///     Term::tuple([Term::atom("Elixir.Kernel"), Term::atom("+"), Term::list([Term::Integer(1)])]),
/// ]);
/// let n: i64 = gen_server::call(&node, counter, &get, Duration::from_secs(5)).await?;
/// assert_eq!(n, 42);
/// # Ok(()) }
/// ```
///
/// # Panics
/// Outside a girder process.
pub async fn call<R: DeserializeOwned>(
    node: &DistNode,
    server: impl Into<ServerRef>,
    request: &(impl Serialize + ?Sized),
    timeout: Duration,
) -> Result<R, CallError> {
    let server = server.into();
    let request = girder_term::to_term(request).map_err(CallError::Request)?;
    let reply = call_term(node, &server, request, timeout).await?;
    girder_term::from_term(&reply).map_err(|error| CallError::Reply { reply, error })
}

/// The call protocol with a term request and reply.
async fn call_term(
    node: &DistNode,
    server: &ServerRef,
    request: Term,
    timeout: Duration,
) -> Result<Term, CallError> {
    let me = girder::self_pid();
    let target = resolve(node, server)?;
    if target == me {
        return Err(CallError::CallingSelf);
    }
    let from = node.pid_term(me).ok_or(CallError::Stopped)?;
    let alias = girder::alias();
    let Some(alias_term) = node.alias_term(alias) else {
        girder::unalias(alias);
        return Err(CallError::Stopped);
    };
    let tag = Term::improper_list([Term::atom("alias")], alias_term);
    let mref = girder::monitor(target);
    girder::send(
        target,
        Term::tuple([
            Term::atom("$gen_call"),
            Term::tuple([from, tag.clone()]),
            request,
        ]),
    );
    let select_tag = tag.clone();
    let select = move |m: &(dyn Any + Send)| {
        if let Some(t) = m.downcast_ref::<Term>() {
            return matches!(t.as_tuple(), Some([t, _]) if *t == select_tag).then_some(true);
        }
        m.downcast_ref::<Down>()
            .is_some_and(|d| d.monitor == mref)
            .then_some(false)
    };
    let since = alias.reference();
    let hit = if timeout == INFINITY {
        Some(girder::receive_select(select).since(since).await)
    } else {
        girder::receive_select(select)
            .since(since)
            .timeout(timeout)
            .await
    };
    girder::unalias(alias);
    match hit {
        Some((true, msg)) => {
            girder::demonitor_flush(mref);
            let Ok(reply) = msg.downcast::<Term>() else {
                unreachable!("selected as a reply")
            };
            match *reply {
                Term::Tuple(mut elements) if elements.len() == 2 => Ok(elements.swap_remove(1)),
                _ => unreachable!("selected as a 2-tuple"),
            }
        }
        Some((false, msg)) => {
            let Ok(down) = msg.downcast::<Down>() else {
                unreachable!("selected as a DOWN")
            };
            let server = server.clone();
            Err(match down.reason {
                ExitReason::Noproc => CallError::NoProc { server },
                ExitReason::Noconnection => CallError::NodeDown { server },
                reason => CallError::Exit { server, reason },
            })
        }
        None => {
            girder::demonitor_flush(mref);
            // The alias is off: no reply can arrive any more; one that
            // arrived just before is removed here.
            let _ = girder::receive_select(move |m: &(dyn Any + Send)| {
                m.downcast_ref::<Term>()
                    .is_some_and(|t| matches!(t.as_tuple(), Some([t, _]) if *t == tag))
                    .then_some(())
            })
            .since(since)
            .timeout(Duration::ZERO)
            .await;
            Err(CallError::Timeout {
                server: server.clone(),
                after: timeout,
            })
        }
    }
}

/// Sends `{'$gen_cast', Request}` to `server`. Erlang `gen_server:cast/2`,
/// Elixir `GenServer.cast/2`: fire and forget, and (as in Erlang) no error
/// for a server that is gone. Errors only for a request with no term form,
/// a bad name, an unregistered name on this node (which Erlang ignores
/// too: `Ok` here), or a stopped distribution.
///
/// # Panics
/// Outside a girder process.
pub fn cast(
    node: &DistNode,
    server: impl Into<ServerRef>,
    request: &(impl Serialize + ?Sized),
) -> Result<(), CallError> {
    let server = server.into();
    let request = girder_term::to_term(request).map_err(CallError::Request)?;
    let target = match resolve(node, &server) {
        Ok(pid) => pid,
        Err(CallError::NoProc { .. }) => return Ok(()),
        Err(e) => return Err(e),
    };
    girder::send(target, Term::tuple([Term::atom("$gen_cast"), request]));
    Ok(())
}

/// The pid to send to and monitor.
fn resolve(node: &DistNode, server: &ServerRef) -> Result<Pid, CallError> {
    match server {
        ServerRef::Pid(pid) => Ok(*pid),
        ServerRef::Name { name, node: at } if at == node.name() => girder::whereis(name.as_str())
            .ok_or_else(|| CallError::NoProc {
                server: server.clone(),
            }),
        ServerRef::Name { name, node: at } => Ok(node.name_pid(name, at)),
    }
}
