//! [`start`], [`start_scope`] and [`Scope`]: the user API of `pg`.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use girder::{Handle, Pid, Ref};
use girder_term::{Atom, Term};
use parking_lot::RwLock;
use tokio::sync::oneshot;

use crate::bridge::DistNode;
use crate::pg::scope::{Request, ScopeProc};
use crate::pg::table::Table;

/// The scope [`start`] starts: Erlang's `pg` default scope.
pub const DEFAULT_SCOPE: &str = "pg";

/// Starts the default scope, `pg`, on `node` (whose runtime `handle` is):
/// Erlang `pg:start_link()`, Elixir `:pg.start_link()`. See
/// [`start_scope`].
pub async fn start(handle: &Handle, node: &DistNode) -> Result<Scope, StartError> {
    start_scope(handle, node, DEFAULT_SCOPE).await
}

/// Starts a scope process registered as `scope` on `node`, which shares
/// group membership with the scopes of that name on every other node,
/// Erlang or Girder (Erlang `pg:start_link(Scope)`, Elixir
/// `:pg.start_link(scope)`). Unlike Erlang's, the scope is not linked to
/// the caller: it runs until the runtime stops.
///
/// ```
/// # use girder_dist::{Cookie, NodeConfig};
/// # let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
/// girder::run(async move {
/// #   let config = NodeConfig::new("pgdoc@127.0.0.1").unwrap()
/// #       .cookie(Cookie::new("secret").unwrap()).epmd_port(port);
///     let handle = girder::Handle::current();
///     let node = girder_dist::start(&handle, config).await.unwrap();
///     let scope = girder_dist::pg::start(&handle, &node).await.unwrap();
///     let me = girder::self_pid();
///     scope.join(girder_dist::pg::atom("workers"), me).await.unwrap();
///     assert_eq!(scope.get_members(&girder_dist::pg::atom("workers")), [me]);
///     // A second scope of the same name on this node is an error.
///     let again = girder_dist::pg::start(&handle, &node).await.unwrap_err();
///     assert!(matches!(again, girder_dist::pg::StartError::NameTaken { .. }));
/// }).unwrap();
/// ```
pub async fn start_scope(
    handle: &Handle,
    node: &DistNode,
    scope: &str,
) -> Result<Scope, StartError> {
    let name = Atom::new(scope).map_err(|_| StartError::BadName {
        name: scope.to_owned(),
    })?;
    if scope.is_empty() {
        return Err(StartError::BadName {
            name: scope.to_owned(),
        });
    }
    let table = Arc::new(RwLock::new(Table::default()));
    let (tx, rx) = oneshot::channel();
    let (node2, table2, name2) = (node.clone(), table.clone(), name.clone());
    let pid = handle.spawn(async move {
        let me = girder::self_pid();
        if let Err(e) = girder::register(name2.as_str(), me) {
            let _ = tx.send(Err(e));
            return;
        }
        let _ = tx.send(Ok(()));
        ScopeProc::new(name2, me, node2, table2).run().await;
    });
    match rx.await {
        Ok(Ok(())) => Ok(Scope {
            inner: Arc::new(Inner {
                name,
                pid,
                handle: handle.clone(),
                table,
            }),
        }),
        Ok(Err(girder::RegisterError::NameTaken { holder, .. })) => Err(StartError::NameTaken {
            name: scope.to_owned(),
            holder,
        }),
        Ok(Err(e)) => Err(StartError::Register(e.to_string())),
        Err(_) => Err(StartError::Stopped),
    }
}

/// An atom group name: `pg::atom("workers")` is Erlang's `workers`,
/// Elixir's `:workers`. Groups are any term; a `&str` converts into a
/// binary (an Elixir string) with `Term::from`.
///
/// # Panics
/// If `name` is longer than an atom may be (255 characters).
#[track_caller]
pub fn atom(name: &str) -> Term {
    Term::atom(name)
}

/// A string group name: a UTF-8 binary, as Elixir's `"workers"`.
pub fn string(name: &str) -> Term {
    Term::from(name)
}

/// One pid or several: what [`Scope::join`] and [`Scope::leave`] take, as
/// Erlang's `PidOrPids`.
pub trait IntoPids {
    /// The pids.
    fn into_pids(self) -> Vec<Pid>;
}

impl IntoPids for Pid {
    fn into_pids(self) -> Vec<Pid> {
        vec![self]
    }
}

impl IntoPids for Vec<Pid> {
    fn into_pids(self) -> Vec<Pid> {
        self
    }
}

impl IntoPids for &[Pid] {
    fn into_pids(self) -> Vec<Pid> {
        self.to_vec()
    }
}

impl<const N: usize> IntoPids for [Pid; N] {
    fn into_pids(self) -> Vec<Pid> {
        self.to_vec()
    }
}

/// A running `pg` scope on this node: join and leave groups, read members.
/// Cheap to clone. Reads (`get_members`, …) read the scope's table without
/// a message, as Erlang's read its ETS table; `join`/`leave`/`monitor` are
/// calls to the scope process, which tells the other nodes.
#[derive(Clone)]
pub struct Scope {
    inner: Arc<Inner>,
}

struct Inner {
    name: Atom,
    pid: Pid,
    handle: Handle,
    table: Arc<RwLock<Table>>,
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scope")
            .field("name", &self.inner.name)
            .field("pid", &self.inner.pid)
            .finish_non_exhaustive()
    }
}

/// A membership change a [`Scope::monitor_scope`] or [`Scope::monitor`]
/// subscriber receives. Erlang `{Ref, join | leave, Group, Pids}`.
#[derive(Clone, Debug, PartialEq)]
pub struct PgEvent {
    /// The reference the subscription returned.
    pub monitor: Ref,
    /// Joined or left.
    pub action: Action,
    /// The group.
    pub group: Term,
    /// The pids that joined or left.
    pub pids: Vec<Pid>,
}

/// Whether a [`PgEvent`] is a join or a leave (Erlang `join` / `leave`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Pids joined the group.
    Join,
    /// Pids left the group (or exited, or their node went down).
    Leave,
}

/// Why a scope did not start.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StartError {
    /// The scope name is not a valid atom.
    BadName {
        /// The name.
        name: String,
    },
    /// Another process holds the name (Erlang
    /// `{error, {already_started, Pid}}`).
    NameTaken {
        /// The name.
        name: String,
        /// Who holds it.
        holder: Pid,
    },
    /// The registry refused the name for another reason.
    Register(String),
    /// The runtime stopped before the scope started.
    Stopped,
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::BadName { name } => write!(f, "{name:?} is not a valid scope name"),
            StartError::NameTaken { name, holder } => {
                write!(f, "pg scope name {name} is taken by {holder}")
            }
            StartError::Register(e) => write!(f, "cannot register the pg scope: {e}"),
            StartError::Stopped => f.write_str("the runtime stopped"),
        }
    }
}

impl std::error::Error for StartError {}

/// Why a `join`, `leave` or `monitor` failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PgError {
    /// Only processes of this node can join or leave (Erlang
    /// `error({nolocal, Pid})`).
    NotLocal {
        /// The pid of another node.
        pid: Pid,
    },
    /// None of the pids was a member of the group (Erlang `not_joined`).
    NotJoined,
    /// The scope process is gone.
    ScopeDown {
        /// The scope's name.
        scope: String,
    },
}

impl fmt::Display for PgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PgError::NotLocal { pid } => {
                write!(f, "{pid} is not a process of this node (nolocal)")
            }
            PgError::NotJoined => f.write_str("not joined"),
            PgError::ScopeDown { scope } => write!(f, "pg scope {scope} is not running"),
        }
    }
}

impl std::error::Error for PgError {}

impl Scope {
    /// The scope's name (`pg` for the default scope).
    pub fn name(&self) -> &str {
        self.inner.name.as_str()
    }

    /// The scope process.
    pub fn pid(&self) -> Pid {
        self.inner.pid
    }

    fn down(&self) -> PgError {
        PgError::ScopeDown {
            scope: self.name().to_owned(),
        }
    }

    async fn call<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<T>) -> Request,
    ) -> Result<T, PgError> {
        let (tx, rx) = oneshot::channel();
        self.inner.handle.send(self.inner.pid, make(tx));
        rx.await.map_err(|_| self.down())
    }

    fn check_local(pids: &[Pid]) -> Result<(), PgError> {
        match pids.iter().find(|p| !p.is_local()) {
            Some(pid) => Err(PgError::NotLocal { pid: *pid }),
            None => Ok(()),
        }
    }

    /// Adds local processes to `group` (a process may join a group more
    /// than once, and then appears as often). Members are removed when
    /// they exit. Every node's scope of this name learns of it. Erlang
    /// `pg:join(Scope, Group, PidOrPids)`, Elixir `:pg.join/3`.
    pub async fn join(&self, group: impl Into<Term>, pids: impl IntoPids) -> Result<(), PgError> {
        let pids = pids.into_pids();
        Self::check_local(&pids)?;
        let group = group.into();
        self.call(|reply| Request::Join { group, pids, reply })
            .await
    }

    /// Removes local processes from `group` (one join each). Erlang
    /// `pg:leave(Scope, Group, PidOrPids)`, whose `not_joined` is
    /// [`PgError::NotJoined`] here.
    pub async fn leave(&self, group: impl Into<Term>, pids: impl IntoPids) -> Result<(), PgError> {
        let pids = pids.into_pids();
        Self::check_local(&pids)?;
        let group = group.into();
        match self
            .call(|reply| Request::Leave { group, pids, reply })
            .await?
        {
            true => Ok(()),
            false => Err(PgError::NotJoined),
        }
    }

    /// Every member of `group` on every node, in no particular order.
    /// Erlang `pg:get_members(Scope, Group)`.
    pub fn get_members(&self, group: &Term) -> Vec<Pid> {
        self.inner.table.read().members(group)
    }

    /// The members of `group` on this node. Erlang
    /// `pg:get_local_members(Scope, Group)`.
    pub fn get_local_members(&self, group: &Term) -> Vec<Pid> {
        self.inner.table.read().local_members(group)
    }

    /// Every group with at least one member, sorted in term order. Erlang
    /// `pg:which_groups(Scope)`.
    pub fn which_groups(&self) -> Vec<Term> {
        self.inner.table.read().groups()
    }

    /// Subscribes the calling process to every membership change in the
    /// scope: it receives a [`PgEvent`] per change, tagged with the
    /// returned reference, until it exits or calls [`Scope::demonitor`].
    /// Returns the groups and members at the time of subscribing. Erlang
    /// `pg:monitor_scope(Scope)` (OTP 25.1).
    ///
    /// # Panics
    /// Outside a girder process.
    pub async fn monitor_scope(&self) -> Result<(Ref, HashMap<Term, Vec<Pid>>), PgError> {
        let subscriber = girder::self_pid();
        self.call(|reply| Request::Monitor {
            subscriber,
            group: None,
            reply,
        })
        .await
    }

    /// Subscribes the calling process to the changes of one group; returns
    /// the reference tagging its [`PgEvent`]s and the members now. Erlang
    /// `pg:monitor(Scope, Group)` (OTP 25.1).
    ///
    /// # Panics
    /// Outside a girder process.
    pub async fn monitor(&self, group: impl Into<Term>) -> Result<(Ref, Vec<Pid>), PgError> {
        let subscriber = girder::self_pid();
        let group = group.into();
        let (r, mut members) = self
            .call(|reply| Request::Monitor {
                subscriber,
                group: Some(group.clone()),
                reply,
            })
            .await?;
        Ok((r, members.remove(&group).unwrap_or_default()))
    }

    /// Ends a subscription and removes its events already in the caller's
    /// mailbox; false if `monitor` was no subscription. Erlang
    /// `pg:demonitor(Scope, Ref)`.
    ///
    /// # Panics
    /// Outside a girder process.
    pub async fn demonitor(&self, monitor: Ref) -> Result<bool, PgError> {
        let known = self
            .call(|reply| Request::Demonitor { monitor, reply })
            .await?;
        if known {
            while girder::receive_match(move |e: &PgEvent| e.monitor == monitor)
                .timeout(Duration::ZERO)
                .await
                .is_some()
            {}
        }
        Ok(known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scopes are shared by processes on every scheduler; events are
    /// messages; errors cross threads.
    #[test]
    fn public_types_are_send_and_sync() {
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<Scope>();
        send_sync::<PgEvent>();
        send_sync::<PgError>();
        send_sync::<StartError>();
    }

    #[test]
    fn group_helpers_make_atoms_and_binaries() {
        assert_eq!(atom("g").to_string(), "g");
        assert_eq!(string("g").to_string(), "<<\"g\">>");
    }

    #[test]
    fn errors_say_what_went_wrong() {
        let pid = Pid::from_parts(3, 7, 0);
        assert!(PgError::NotLocal { pid }.to_string().contains("nolocal"));
        assert_eq!(PgError::NotJoined.to_string(), "not joined");
        let taken = StartError::NameTaken {
            name: "pg".into(),
            holder: pid,
        };
        assert!(taken.to_string().contains("pg scope name pg is taken"));
    }
}
