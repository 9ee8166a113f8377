//! What crosses each connection: the links and monitors between a local
//! process and a process of another node (erts keeps the same per
//! distribution entry, `ErtsMonLnkDist`). When a connection goes down every
//! one of them fires with `noconnection`, as DESIGN §4 requires.
//!
//! Invariants, all under one lock (links and monitors change rarely next to
//! messages, which never touch this table):
//!
//! * A link between local `l` and remote `r` is recorded under `r`'s node
//!   from the moment either side asks for it (our `LINK` goes out, or
//!   theirs arrives) until either side ends it (`UNLINK_ID` either way, an
//!   `EXIT` either way) or the connection goes down. Core's half of the link
//!   lives in the local process; this record only says which connection
//!   carries it.
//! * A monitor *from* a local process is recorded under its local reference
//!   (`out`), from our `MONITOR_P` until the `MONITOR_P_EXIT` arrives, the
//!   watcher demonitors (or exits, which demonitors), or the connection
//!   goes down.
//! * A monitor *of* a local process by a remote one is recorded (`into`)
//!   under the core [`Ref`] the remote reference was interned as, from its
//!   `MONITOR_P` until we send its `MONITOR_P_EXIT`, its `DEMONITOR_P`
//!   arrives, or the connection goes down. The interned reference is known
//!   only here, so it lives exactly as long as the monitor.

use std::collections::{HashMap, HashSet};

use girder::{Pid, Ref};
use girder_term::{Atom, ExternalRef};

use crate::name::NodeName;

/// A monitor held by a local process on a process (or name) of another node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OutMonitor {
    /// The local process that monitors.
    pub(crate) watcher: Pid,
    /// The monitored process, or the name pid of `{Name, Node}`.
    pub(crate) target: Pid,
    /// The node that carries it.
    pub(crate) node: NodeName,
}

/// A monitor held by a remote process on a local one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InMonitor {
    /// The remote reference.
    pub(crate) reference: ExternalRef,
    /// The remote process that monitors.
    pub(crate) watcher: Pid,
    /// The local process it monitors.
    pub(crate) target: Pid,
    /// The name it was monitored by, if by name: the `MONITOR_P_EXIT`
    /// names it again, and Erlang's `'DOWN'` shows `{Name, Node}`.
    pub(crate) by_name: Option<Atom>,
    /// The node that carries it.
    pub(crate) node: NodeName,
}

#[derive(Default, Debug)]
struct PerNode {
    /// (local, remote).
    links: HashSet<(Pid, Pid)>,
    out: HashSet<Ref>,
    into: HashSet<Ref>,
}

impl PerNode {
    fn is_empty(&self) -> bool {
        self.links.is_empty() && self.out.is_empty() && self.into.is_empty()
    }
}

/// Everything that crossed a connection that went down.
#[derive(Debug, Default)]
pub(crate) struct Lost {
    /// (local, remote) links.
    pub(crate) links: Vec<(Pid, Pid)>,
    /// Monitors local processes held, by local reference.
    pub(crate) out: Vec<(Ref, OutMonitor)>,
    /// Monitors remote processes held on local ones, by interned reference.
    pub(crate) into: Vec<(Ref, InMonitor)>,
}

/// The links and monitors crossing each connection.
#[derive(Default, Debug)]
pub(crate) struct Crossing {
    per_node: HashMap<NodeName, PerNode>,
    out: HashMap<Ref, OutMonitor>,
    into: HashMap<Ref, InMonitor>,
    interned: HashMap<ExternalRef, Ref>,
}

impl Crossing {
    fn node(&mut self, node: &NodeName) -> &mut PerNode {
        self.per_node.entry(node.clone()).or_default()
    }

    fn tidy(&mut self, node: &NodeName) {
        if self.per_node.get(node).is_some_and(PerNode::is_empty) {
            self.per_node.remove(node);
        }
    }

    /// Records the link between `local` and `remote` (on `node`).
    pub(crate) fn add_link(&mut self, node: &NodeName, local: Pid, remote: Pid) {
        self.node(node).links.insert((local, remote));
    }

    /// Forgets the link; true if it was recorded.
    pub(crate) fn remove_link(&mut self, node: &NodeName, local: Pid, remote: Pid) -> bool {
        let removed = self
            .per_node
            .get_mut(node)
            .is_some_and(|n| n.links.remove(&(local, remote)));
        self.tidy(node);
        removed
    }

    /// Records a monitor a local process holds under `reference`.
    pub(crate) fn add_out(&mut self, reference: Ref, monitor: OutMonitor) {
        self.node(&monitor.node).out.insert(reference);
        self.out.insert(reference, monitor);
    }

    /// Removes and returns the monitor a local process holds under
    /// `reference`.
    pub(crate) fn take_out(&mut self, reference: Ref) -> Option<OutMonitor> {
        let m = self.out.remove(&reference)?;
        if let Some(n) = self.per_node.get_mut(&m.node) {
            n.out.remove(&reference);
        }
        self.tidy(&m.node);
        Some(m)
    }

    /// Records a monitor a remote process holds on a local one; returns the
    /// core reference it goes by, or `None` if that remote reference already
    /// names a live monitor (a peer that reuses one is ignored).
    pub(crate) fn add_into(&mut self, monitor: InMonitor, interned: Ref) -> Option<Ref> {
        if self.interned.contains_key(&monitor.reference) {
            return None;
        }
        self.interned.insert(monitor.reference.clone(), interned);
        self.node(&monitor.node).into.insert(interned);
        self.into.insert(interned, monitor);
        Some(interned)
    }

    /// Removes and returns the remote monitor interned as `reference`.
    pub(crate) fn take_into(&mut self, reference: Ref) -> Option<InMonitor> {
        let m = self.into.remove(&reference)?;
        self.interned.remove(&m.reference);
        if let Some(n) = self.per_node.get_mut(&m.node) {
            n.into.remove(&reference);
        }
        self.tidy(&m.node);
        Some(m)
    }

    /// Removes and returns the remote monitor with remote reference
    /// `reference`, and the core reference it went by.
    pub(crate) fn take_into_by_remote(
        &mut self,
        reference: &ExternalRef,
    ) -> Option<(Ref, InMonitor)> {
        let r = *self.interned.get(reference)?;
        self.take_into(r).map(|m| (r, m))
    }

    /// Removes and returns everything that crossed `node`'s connection.
    pub(crate) fn take_node(&mut self, node: &NodeName) -> Lost {
        let Some(per) = self.per_node.remove(node) else {
            return Lost::default();
        };
        let mut lost = Lost {
            links: per.links.into_iter().collect(),
            ..Lost::default()
        };
        for r in per.out {
            if let Some(m) = self.out.remove(&r) {
                lost.out.push((r, m));
            }
        }
        for r in per.into {
            if let Some(m) = self.into.remove(&r) {
                self.interned.remove(&m.reference);
                lost.into.push((r, m));
            }
        }
        // Deterministic order: the order the references were made in.
        lost.out.sort_by_key(|(r, _)| *r);
        lost.into.sort_by_key(|(r, _)| *r);
        lost.links.sort();
        lost
    }

    /// How many links and monitors are recorded, for every node.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.per_node
            .values()
            .map(|n| n.links.len() + n.out.len() + n.into.len())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(s: &str) -> NodeName {
        NodeName::parse(s).unwrap()
    }

    fn ext_ref(n: u32) -> ExternalRef {
        ExternalRef {
            node: Atom::new("a@h").unwrap(),
            creation: 1,
            id: vec![n, 0, 0],
        }
    }

    #[test]
    fn a_lost_connection_takes_exactly_its_links_and_monitors() {
        let (a, b) = (node("a@h"), node("b@h"));
        let local = Pid::from_parts(0, 10, 0);
        let ra = Pid::from_parts(1, 5, 0);
        let rb = Pid::from_parts(2, 5, 0);
        let mut c = Crossing::default();
        c.add_link(&a, local, ra);
        c.add_link(&b, local, rb);
        let out_a = Ref::from_parts(0, 1);
        c.add_out(
            out_a,
            OutMonitor {
                watcher: local,
                target: ra,
                node: a.clone(),
            },
        );
        let into_a = c
            .add_into(
                InMonitor {
                    reference: ext_ref(1),
                    watcher: ra,
                    target: local,
                    by_name: None,
                    node: a.clone(),
                },
                Ref::from_parts(1, 1),
            )
            .unwrap();
        // The same remote reference again is refused.
        assert!(
            c.add_into(
                InMonitor {
                    reference: ext_ref(1),
                    watcher: ra,
                    target: local,
                    by_name: None,
                    node: a.clone(),
                },
                Ref::from_parts(1, 2),
            )
            .is_none()
        );
        let lost = c.take_node(&a);
        assert_eq!(lost.links, [(local, ra)]);
        assert_eq!(lost.out.len(), 1);
        assert_eq!(lost.into[0].0, into_a);
        assert_eq!(c.len(), 1);
        assert!(c.take_out(out_a).is_none());
        assert!(c.take_into_by_remote(&ext_ref(1)).is_none());
        assert!(c.remove_link(&b, local, rb));
        assert!(!c.remove_link(&b, local, rb));
        assert_eq!(c.len(), 0);
        assert!(c.per_node.is_empty());
    }

    #[test]
    fn monitors_end_by_either_reference() {
        let a = node("a@h");
        let mut c = Crossing::default();
        let r = c
            .add_into(
                InMonitor {
                    reference: ext_ref(7),
                    watcher: Pid::from_parts(1, 1, 0),
                    target: Pid::from_parts(0, 2, 0),
                    by_name: Some(Atom::new("echo").unwrap()),
                    node: a.clone(),
                },
                Ref::from_parts(1, 9),
            )
            .unwrap();
        let (r2, m) = c.take_into_by_remote(&ext_ref(7)).unwrap();
        assert_eq!(r2, r);
        assert_eq!(m.by_name.unwrap().as_str(), "echo");
        assert!(c.take_into(r).is_none());
        assert_eq!(c.len(), 0);
    }
}
