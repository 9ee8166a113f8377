//! The registry's processes: Elixir's `Registry.Supervisor` and
//! `Registry.Partition`.
//!
//! * The **supervisor** (the pid [`Registry::pid`] returns) is linked to the
//!   owner (the caller of `start_link`) and to every partition, and traps
//!   exits. When the owner exits it shuts the partitions down (exit signal
//!   `Shutdown`, then waits for each one's exit) and exits with the owner's
//!   reason; when a partition exits it shuts the others down and exits with
//!   `Shutdown` (Elixir's registry supervisor is `one_for_all` with no
//!   restarts). It also answers [`Registry::whereis`] requests.
//! * A **partition** owns one table. A process registering its first entry
//!   in that table links itself to the partition, and unlinks when its
//!   last one leaves. The partition traps exits, so a registrant's death
//!   reaches it as an [`Exit`] message, upon which it removes the dead
//!   pid's entries. The link is made by the registrant itself, right after
//!   its insert and before it can next be descheduled, so no registrant can
//!   die unwatched: its exit signal follows its link signal. When a
//!   partition goes (shutdown, kill or crash) its table is closed — emptied
//!   and refusing registrations — by a guard the partition's future owns,
//!   which runs even if the future is dropped before its first poll.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::hash::{Hash, RandomState};
use std::sync::Arc;
use std::time::Duration;

use girder_core::{
    Alias, Down, Exit, ExitReason, Handle, Pid, Ref, alias, demonitor_flush, exit, make_ref,
    monitor, receive_match, receive_select, self_pid, send, spawn, spawn_link, trap_exit, unalias,
    unlink,
};
use parking_lot::RwLock;

use super::error::StartError;
use super::handle::{Inner, Partition, Registry};
use super::options::{Keys, Options};
use super::table::Table;

/// The supervisor's answer to the process that started it.
struct StartReply<K, V> {
    tag: Ref,
    result: Result<Registry<K, V>, StartError>,
}

/// Asks a registry's supervisor for a handle ([`Registry::whereis`]).
struct WhereisRequest {
    reply_to: Alias,
}

/// The answer to a [`WhereisRequest`]: a `Registry<K, V>`, type-erased so
/// a caller asking with other key or value types gets a clean `None`.
struct WhereisReply(Box<dyn Any + Send>);

/// Starts a registry's processes and waits until they are ready; `link`
/// links the supervisor to the caller.
pub(super) async fn start<K, V>(options: Options, link: bool) -> Result<Registry<K, V>, StartError>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    let partitions = options
        .partitions
        .unwrap_or_else(|| Handle::current().schedulers())
        .max(1);
    let me = self_pid();
    let tag = make_ref();
    let owner = link.then_some(me);
    let body = supervisor::<K, V>(options, partitions, owner, me, tag);
    let sup = if link { spawn_link(body) } else { spawn(body) };
    let mon = monitor(sup);
    let (is_reply, msg) = receive_select(move |m: &(dyn Any + Send)| {
        if m.downcast_ref::<StartReply<K, V>>()
            .is_some_and(|r| r.tag == tag)
        {
            Some(true)
        } else if m.downcast_ref::<Down>().is_some_and(|d| d.monitor == mon) {
            Some(false)
        } else {
            None
        }
    })
    .since(tag)
    .await;
    let result = if is_reply {
        demonitor_flush(mon);
        match msg.downcast::<StartReply<K, V>>() {
            Ok(reply) => reply.result,
            Err(_) => unreachable!("the selector checked the reply's type"),
        }
    } else {
        match msg.downcast::<Down>() {
            Ok(down) => Err(StartError::Exited(down.reason)),
            Err(_) => unreachable!("the selector checked the message's type"),
        }
    };
    if link && result.is_err() {
        // The supervisor has exited or is exiting: the error says why, so a
        // caller that traps exits gets no `Exit` from it (as OTP's
        // `proc_lib:start_link` consumes it). After `unlink` none can come;
        // one already delivered is taken out.
        unlink(sup);
        let _ = receive_match(move |e: &Exit| e.from == sup)
            .timeout(Duration::ZERO)
            .await;
    }
    result
}

/// Finds the registry registered under `name`; `None` if the name is free,
/// or names a registry of other key or value types, or a process that does
/// not answer as a registry within `patience`.
pub(super) async fn whereis<K, V>(
    name: &str,
    patience: std::time::Duration,
) -> Option<Registry<K, V>>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    let sup = girder_core::whereis(name)?;
    // The reply comes through an alias, so one that arrives after we gave
    // up is dropped on arrival instead of staying in the mailbox.
    let reply_to = alias();
    let mon = monitor(sup);
    send(sup, WhereisRequest { reply_to });
    let hit = receive_select(move |m: &(dyn Any + Send)| {
        if m.is::<WhereisReply>() {
            Some(true)
        } else if m.downcast_ref::<Down>().is_some_and(|d| d.monitor == mon) {
            Some(false)
        } else {
            None
        }
    })
    .since(reply_to.reference())
    .timeout(patience)
    .await;
    unalias(reply_to);
    demonitor_flush(mon);
    let (true, msg) = hit? else {
        return None;
    };
    let reply = msg.downcast::<WhereisReply>().ok()?;
    reply.0.downcast::<Registry<K, V>>().ok().map(|r| *r)
}

/// The supervisor process: registers the name, starts the partitions,
/// answers the starter, then waits for the owner's or a partition's exit.
async fn supervisor<K, V>(
    options: Options,
    partitions: usize,
    owner: Option<Pid>,
    starter: Pid,
    tag: Ref,
) -> ExitReason
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    trap_exit(true);
    let me = self_pid();
    if let Some(name) = &options.name {
        if let Err(e) = girder_core::register(name, me) {
            let error = match e {
                girder_core::RegisterError::NameTaken { holder, .. } => {
                    StartError::AlreadyStarted(holder)
                }
                _ => StartError::Exited(ExitReason::other(e)),
            };
            send(
                starter,
                StartReply::<K, V> {
                    tag,
                    result: Err(error),
                },
            );
            return ExitReason::Normal;
        }
    }
    let unique = options.keys == Keys::Unique;
    let partitions: Box<[Partition<K, V>]> = (0..partitions)
        .map(|_| {
            let table = Arc::new(RwLock::new(Table::new(unique)));
            let pid = spawn_link(partition(table.clone(), me));
            Partition { pid, table }
        })
        .collect();
    let registry = Registry::from_inner(Inner {
        keys: options.keys,
        pid: me,
        name: options.name,
        partitions,
        meta: RwLock::new(options.meta.into_iter().collect::<HashMap<_, _>>()),
        hasher: RandomState::new(),
    });
    send(
        starter,
        StartReply {
            tag,
            result: Ok(registry.clone()),
        },
    );
    loop {
        let (_, msg) = receive_select(|_: &(dyn Any + Send)| Some(())).await;
        let msg = match msg.downcast::<WhereisRequest>() {
            Ok(req) => {
                req.reply_to.send(WhereisReply(Box::new(registry.clone())));
                continue;
            }
            Err(msg) => msg,
        };
        let Ok(exit) = msg.downcast::<Exit>() else {
            // Anything else is not for us: dropped, as a supervisor logs
            // and drops unexpected messages.
            continue;
        };
        if Some(exit.from) == owner {
            shut_down(&registry, None).await;
            return exit.reason;
        }
        if registry.partition_pids().any(|p| p == exit.from) {
            shut_down(&registry, Some(exit.from)).await;
            return ExitReason::Shutdown;
        }
        // An exit signal from a process we are not linked to: ignored, as
        // an OTP supervisor ignores them (stop a registry through its owner,
        // or with `exit(pid, Kill)`).
    }
}

/// Stops every partition but `gone` (which has exited already) and waits
/// for each one's exit, so the registry's tables are closed when its
/// supervisor's exit is seen.
async fn shut_down<K, V>(registry: &Registry<K, V>, gone: Option<Pid>)
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    let mut live: Vec<Pid> = registry
        .partition_pids()
        .filter(|p| Some(*p) != gone)
        .collect();
    for &p in &live {
        exit(p, ExitReason::Shutdown);
    }
    while !live.is_empty() {
        let e = receive_match(|e: &Exit| live.contains(&e.from)).await;
        live.retain(|p| *p != e.from);
    }
}

/// Closes a partition's table when the partition's future goes, however it
/// goes.
struct CloseOnDrop<K: Hash + Eq + Clone, V: Clone>(Arc<RwLock<Table<K, V>>>);

impl<K: Hash + Eq + Clone, V: Clone> Drop for CloseOnDrop<K, V> {
    fn drop(&mut self) {
        self.0.write().close();
    }
}

/// A partition process: removes the entries of registrants that exit,
/// until its supervisor stops it.
fn partition<K, V>(
    table: Arc<RwLock<Table<K, V>>>,
    supervisor: Pid,
) -> impl Future<Output = ExitReason> + Send + 'static
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    // Created here, not in the async block, so that a future dropped before
    // its first poll still closes the table.
    let guard = CloseOnDrop(table);
    async move {
        trap_exit(true);
        loop {
            let (_, msg) = receive_select(|_: &(dyn Any + Send)| Some(())).await;
            let Ok(exit) = msg.downcast::<Exit>() else {
                continue;
            };
            if exit.from == supervisor {
                return exit.reason;
            }
            guard.0.write().remove_pid(exit.from);
        }
    }
}
