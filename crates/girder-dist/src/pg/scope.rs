//! The scope process: one per scope and node, registered under the scope's
//! name, speaking `pg`'s protocol with the scope processes of the same name
//! on other nodes (Erlang's `pg` gen_server, OTP 23+):
//!
//! * `{discover, Peer}` (or `{discover, Peer, Version}`): sent to
//!   `{Scope, Node}` when a node comes up (and to every connected node at
//!   start). The receiver answers with a `sync` of its local members, and
//!   if it did not know `Peer`, monitors it and sends its own `discover`.
//! * `{'$gen_cast', {sync, Peer, [{Group, [Pid]}]}}`: everything `Peer`'s
//!   node has joined; it replaces what was known of that peer.
//! * `{join, Peer, Group, Pid | [Pid]}` and
//!   `{leave, Peer, Pid | [Pid], [Group]}`: changes, broadcast to every
//!   known peer.
//! * A peer's `DOWN` (its scope stopped, or `noconnection`) drops every
//!   member that peer announced; a local member's `DOWN` makes it leave
//!   every group it joined, broadcast as one `leave`.
//!
//! Messages from peers that are malformed, or come from a peer not yet
//! discovered (a `join` racing a node going down), are ignored; Erlang's
//! scope would crash on the former, and a hostile peer must not take ours
//! down.

use std::collections::HashMap;
use std::sync::Arc;

use girder::{Down, Pid, Ref};
use girder_term::{Atom, Term};
use parking_lot::RwLock;
use tokio::sync::oneshot;

use crate::bridge::{DistNode, NodeUp};
use crate::pg::api::{Action, PgEvent};
use crate::pg::table::Table;

/// What the API asks of the scope process.
pub(crate) enum Request {
    Join {
        group: Term,
        pids: Vec<Pid>,
        reply: oneshot::Sender<()>,
    },
    Leave {
        group: Term,
        pids: Vec<Pid>,
        reply: oneshot::Sender<bool>,
    },
    Monitor {
        subscriber: Pid,
        group: Option<Term>,
        reply: oneshot::Sender<(Ref, HashMap<Term, Vec<Pid>>)>,
    },
    Demonitor {
        monitor: Ref,
        reply: oneshot::Sender<bool>,
    },
}

/// The scope process's state (Erlang's `#state{}` of `pg`).
pub(crate) struct ScopeProc {
    pub(crate) scope: Atom,
    pub(crate) me: Pid,
    pub(crate) node: DistNode,
    pub(crate) table: Arc<RwLock<Table>>,
    /// Local members: their monitor and the groups they joined (a group
    /// once per join).
    local: HashMap<Pid, (Ref, Vec<Term>)>,
    /// Peer scope processes: our monitor of each and what it announced.
    remote: HashMap<Pid, (Ref, HashMap<Term, Vec<Pid>>)>,
    /// `monitor_scope` subscribers, by the monitor of the subscriber.
    scope_monitors: HashMap<Ref, Pid>,
    /// `monitor(Group)` subscribers.
    group_monitors: HashMap<Ref, (Pid, Term)>,
}

/// One message the scope process takes.
enum Msg {
    Term(Term),
    Down(Down),
    Up(NodeUp),
    Request(Request),
    Other,
}

async fn next_message() -> Msg {
    let (kind, boxed) = girder::receive_select(|m| {
        Some(if m.is::<Term>() {
            0
        } else if m.is::<Down>() {
            1
        } else if m.is::<NodeUp>() {
            2
        } else if m.is::<Request>() {
            3
        } else {
            4
        })
    })
    .await;
    let msg = match kind {
        0 => boxed.downcast::<Term>().map(|t| Msg::Term(*t)),
        1 => boxed.downcast::<Down>().map(|d| Msg::Down(*d)),
        2 => boxed.downcast::<NodeUp>().map(|u| Msg::Up(*u)),
        3 => boxed.downcast::<Request>().map(|r| Msg::Request(*r)),
        _ => Ok(Msg::Other),
    };
    msg.unwrap_or(Msg::Other)
}

impl ScopeProc {
    pub(crate) fn new(scope: Atom, me: Pid, node: DistNode, table: Arc<RwLock<Table>>) -> Self {
        ScopeProc {
            scope,
            me,
            node,
            table,
            local: HashMap::new(),
            remote: HashMap::new(),
            scope_monitors: HashMap::new(),
            group_monitors: HashMap::new(),
        }
    }

    /// The scope's loop: subscribes to node events, discovers the scopes
    /// of the connected nodes, then serves forever.
    pub(crate) async fn run(mut self) {
        self.node.monitor_nodes(true);
        for node in self.node.nodes() {
            self.discover(&NodeUp { node });
        }
        loop {
            match next_message().await {
                Msg::Term(t) => self.peer_message(&t),
                Msg::Down(d) => self.down(d),
                Msg::Up(up) => self.discover(&up),
                Msg::Request(r) => self.request(r),
                // NodeDown and anything else: a peer's DOWN does the work.
                Msg::Other => {}
            }
        }
    }

    fn me_term(&self) -> Term {
        self.node
            .pid_term(self.me)
            .expect("a local pid has a term form")
    }

    fn pid_terms(&self, pids: &[Pid]) -> Term {
        Term::list(pids.iter().filter_map(|p| self.node.pid_term(*p)))
    }

    fn discover(&self, up: &NodeUp) {
        if up.node == *self.node.name() {
            return;
        }
        let msg = Term::tuple([Term::atom("discover"), self.me_term()]);
        if let Err(e) = self.node.send_to(self.scope.as_str(), &up.node, &msg) {
            tracing::debug!(scope = %self.scope, node = %up.node, error = %e, "pg discover not sent");
        }
    }

    fn broadcast(&self, msg: &Term) {
        for peer in self.remote.keys() {
            girder::send(*peer, msg.clone());
        }
    }

    /// Tells `monitor_scope` and `monitor(Group)` subscribers.
    fn notify(&self, action: Action, group: &Term, pids: &[Pid]) {
        if pids.is_empty() {
            return;
        }
        let event = |monitor: Ref| PgEvent {
            monitor,
            action,
            group: group.clone(),
            pids: pids.to_vec(),
        };
        for (r, pid) in &self.scope_monitors {
            girder::send(*pid, event(*r));
        }
        for (r, (pid, g)) in &self.group_monitors {
            if g == group {
                girder::send(*pid, event(*r));
            }
        }
    }

    fn request(&mut self, request: Request) {
        match request {
            Request::Join { group, pids, reply } => {
                for pid in &pids {
                    let entry = self
                        .local
                        .entry(*pid)
                        .or_insert_with(|| (girder::monitor(*pid), Vec::new()));
                    entry.1.push(group.clone());
                }
                self.table.write().join(&group, &pids, true);
                self.notify(Action::Join, &group, &pids);
                let msg = Term::tuple([
                    Term::atom("join"),
                    self.me_term(),
                    group,
                    self.pid_terms(&pids),
                ]);
                self.broadcast(&msg);
                let _ = reply.send(());
            }
            Request::Leave { group, pids, reply } => {
                let mut left = Vec::new();
                for pid in pids {
                    let Some((monitor, groups)) = self.local.get_mut(&pid) else {
                        continue;
                    };
                    let Some(i) = groups.iter().position(|g| *g == group) else {
                        continue;
                    };
                    groups.swap_remove(i);
                    if groups.is_empty() {
                        girder::demonitor(*monitor);
                        self.local.remove(&pid);
                    }
                    left.push(pid);
                }
                if left.is_empty() {
                    let _ = reply.send(false);
                    return;
                }
                let left = self.table.write().leave(&group, &left);
                self.notify(Action::Leave, &group, &left);
                let msg = Term::tuple([
                    Term::atom("leave"),
                    self.me_term(),
                    self.pid_terms(&left),
                    Term::list([group]),
                ]);
                self.broadcast(&msg);
                let _ = reply.send(true);
            }
            Request::Monitor {
                subscriber,
                group,
                reply,
            } => {
                let monitor = girder::monitor(subscriber);
                let table = self.table.read();
                let snapshot = match &group {
                    None => table.snapshot(),
                    Some(g) => HashMap::from([(g.clone(), table.members(g))]),
                };
                drop(table);
                match group {
                    None => self.scope_monitors.insert(monitor, subscriber).map(drop),
                    Some(g) => self
                        .group_monitors
                        .insert(monitor, (subscriber, g))
                        .map(drop),
                };
                let _ = reply.send((monitor, snapshot));
            }
            Request::Demonitor { monitor, reply } => {
                let known = self.scope_monitors.remove(&monitor).is_some()
                    || self.group_monitors.remove(&monitor).is_some();
                if known {
                    girder::demonitor(monitor);
                }
                let _ = reply.send(known);
            }
        }
    }

    fn down(&mut self, down: Down) {
        if let Some((monitor, _)) = self.local.get(&down.pid) {
            if *monitor == down.monitor {
                let groups = self
                    .local
                    .remove(&down.pid)
                    .map(|e| e.1)
                    .unwrap_or_default();
                for group in &groups {
                    let left = self.table.write().leave(group, &[down.pid]);
                    self.notify(Action::Leave, group, &left);
                }
                // A group once per join, as pg sends it: a peer removes one
                // occurrence of the pid per group listed.
                let msg = Term::tuple([
                    Term::atom("leave"),
                    self.me_term(),
                    self.pid_terms(&[down.pid]),
                    Term::list(groups),
                ]);
                self.broadcast(&msg);
                return;
            }
        }
        if let Some((monitor, _)) = self.remote.get(&down.pid) {
            if *monitor == down.monitor {
                let groups = self
                    .remote
                    .remove(&down.pid)
                    .map(|e| e.1)
                    .unwrap_or_default();
                for (group, pids) in groups {
                    let left = self.table.write().leave(&group, &pids);
                    self.notify(Action::Leave, &group, &left);
                }
                return;
            }
        }
        if self.scope_monitors.remove(&down.monitor).is_none() {
            self.group_monitors.remove(&down.monitor);
        }
    }

    /// A message from another node's scope process (or from anyone).
    fn peer_message(&mut self, t: &Term) {
        let Some(items) = t.as_tuple() else {
            return self.ignore(t);
        };
        match items {
            [tag, peer] | [tag, peer, _] if tag.is_atom("discover") => {
                match self.node.pid_of(peer) {
                    Some(peer) if !peer.is_local() => self.handle_discover(peer),
                    _ => self.ignore(t),
                }
            }
            [tag, cast] if tag.is_atom("$gen_cast") => match cast.as_tuple() {
                Some([sync, peer, groups]) if sync.is_atom("sync") => {
                    match (self.node.pid_of(peer), self.groups_of(groups)) {
                        (Some(peer), Some(groups)) if !peer.is_local() => {
                            self.handle_sync(peer, groups)
                        }
                        _ => self.ignore(t),
                    }
                }
                _ => self.ignore(t),
            },
            [tag, peer, group, pids] if tag.is_atom("join") => {
                match (self.node.pid_of(peer), self.pids_of(pids)) {
                    (Some(peer), Some(pids)) => self.remote_join(peer, group, pids),
                    _ => self.ignore(t),
                }
            }
            [tag, peer, pids, groups] if tag.is_atom("leave") => {
                match (self.node.pid_of(peer), self.pids_of(pids), groups.as_list()) {
                    (Some(peer), Some(pids), Some(groups)) => {
                        self.remote_leave(peer, &pids, groups)
                    }
                    _ => self.ignore(t),
                }
            }
            _ => self.ignore(t),
        }
    }

    fn ignore(&self, t: &Term) {
        tracing::debug!(scope = %self.scope, message = %t, "pg scope ignores a message");
    }

    /// A pid or a list of pids; `None` if anything else.
    fn pids_of(&self, t: &Term) -> Option<Vec<Pid>> {
        match t {
            Term::Pid(_) => Some(vec![self.node.pid_of(t)?]),
            Term::List(items) => items.iter().map(|p| self.node.pid_of(p)).collect(),
            _ => None,
        }
    }

    /// `[{Group, [Pid]}]`.
    fn groups_of(&self, t: &Term) -> Option<Vec<(Term, Vec<Pid>)>> {
        t.as_list()?
            .iter()
            .map(|entry| match entry.as_tuple()? {
                [group, pids] => Some((group.clone(), self.pids_of(pids)?)),
                _ => None,
            })
            .collect()
    }

    /// Every local member by group, as `sync` carries them.
    fn local_groups(&self) -> Term {
        let mut by_group: HashMap<&Term, Vec<Pid>> = HashMap::new();
        for (pid, (_, groups)) in &self.local {
            for g in groups {
                by_group.entry(g).or_default().push(*pid);
            }
        }
        Term::list(
            by_group
                .into_iter()
                .map(|(g, pids)| Term::tuple([g.clone(), self.pid_terms(&pids)])),
        )
    }

    fn handle_discover(&mut self, peer: Pid) {
        let sync = Term::tuple([
            Term::atom("$gen_cast"),
            Term::tuple([Term::atom("sync"), self.me_term(), self.local_groups()]),
        ]);
        girder::send(peer, sync);
        if !self.remote.contains_key(&peer) {
            let monitor = girder::monitor(peer);
            girder::send(peer, Term::tuple([Term::atom("discover"), self.me_term()]));
            self.remote.insert(peer, (monitor, HashMap::new()));
        }
    }

    /// What `peer` says its node has joined replaces what we knew.
    fn handle_sync(&mut self, peer: Pid, groups: Vec<(Term, Vec<Pid>)>) {
        let (monitor, mut old) = match self.remote.remove(&peer) {
            Some(known) => known,
            None => (girder::monitor(peer), HashMap::new()),
        };
        let mut new = HashMap::new();
        for (group, pids) in groups {
            // Only the difference changes the table (and is notified).
            let mut gone = old.remove(&group).unwrap_or_default();
            let mut joined = Vec::new();
            for pid in &pids {
                match gone.iter().position(|p| p == pid) {
                    Some(i) => {
                        gone.swap_remove(i);
                    }
                    None => joined.push(*pid),
                }
            }
            if !gone.is_empty() {
                let left = self.table.write().leave(&group, &gone);
                self.notify(Action::Leave, &group, &left);
            }
            if !joined.is_empty() {
                self.table.write().join(&group, &joined, false);
                self.notify(Action::Join, &group, &joined);
            }
            new.entry(group).or_insert_with(Vec::new).extend(pids);
        }
        for (group, pids) in old {
            let left = self.table.write().leave(&group, &pids);
            self.notify(Action::Leave, &group, &left);
        }
        self.remote.insert(peer, (monitor, new));
    }

    fn remote_join(&mut self, peer: Pid, group: &Term, pids: Vec<Pid>) {
        let Some((_, groups)) = self.remote.get_mut(&peer) else {
            return; // not discovered (yet, or any more): as pg, ignore
        };
        groups
            .entry(group.clone())
            .or_default()
            .extend_from_slice(&pids);
        self.table.write().join(group, &pids, false);
        self.notify(Action::Join, group, &pids);
    }

    fn remote_leave(&mut self, peer: Pid, pids: &[Pid], groups: &[Term]) {
        let Some((_, known)) = self.remote.get_mut(&peer) else {
            return;
        };
        let mut changes = Vec::new();
        for group in groups {
            let Some(members) = known.get_mut(group) else {
                continue;
            };
            let mut gone = Vec::new();
            for pid in pids {
                if let Some(i) = members.iter().position(|p| p == pid) {
                    members.swap_remove(i);
                    gone.push(*pid);
                }
            }
            if members.is_empty() {
                known.remove(group);
            }
            changes.push((group.clone(), gone));
        }
        for (group, gone) in changes {
            let left = self.table.write().leave(&group, &gone);
            self.notify(Action::Leave, &group, &left);
        }
    }
}
