//! The node table (erts `erl_node_tables`): which node a core [`Pid`]'s
//! node index names.
//!
//! girder-core's pids carry a `u32` node index; index 0
//! ([`girder::LOCAL_NODE`]) is this node. Every other index is handed out
//! here, once per *incarnation* of a node: the pair (name, creation). A node
//! that restarts gets a new creation from its EPMD, so its new pids get a new
//! index, and a pid of the old incarnation keeps its old index: it never
//! reaches a process of the new one (the creation travels with it on the
//! wire, and the receiving node drops what names an incarnation it is not).
//! Our own name with a creation that is not ours is an old incarnation of
//! this node: signals to such pids are answered `noproc` without leaving the
//! node.
//!
//! A second kind of entry names `{Name, Node}`, a registered name on a node,
//! so that core can monitor it (and send to it) through an ordinary `Pid`:
//! such a *name pid* has id 0 and serial 0 under its own index.
//!
//! Entries are never removed (as erts keeps a node entry while any pid
//! refers to it, and we cannot see core's references). Node incarnations
//! come from peers, so they are bounded: past [`MAX_ENTRIES`] a new one is
//! refused and whatever named it is dropped with a warning, so a peer that
//! makes up creations cannot grow the table without limit. Names come only
//! from local code (`DistNode::monitor_name`) and are not bounded.

use std::collections::HashMap;

use girder::Pid;
use girder_term::Atom;
use parking_lot::RwLock;

use crate::name::NodeName;

/// The most entries the table holds (node incarnations and names).
pub(crate) const MAX_ENTRIES: usize = 1 << 16;

/// What a node index stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Entry {
    /// An incarnation of a node.
    Node {
        /// Its name.
        name: NodeName,
        /// Its creation.
        creation: u32,
    },
    /// A registered name on a node (`{Name, Node}`).
    Name {
        /// The registered name.
        name: Atom,
        /// The node.
        node: NodeName,
    },
}

#[derive(Default)]
struct Tables {
    /// Index `i` is `entries[i - 1]`.
    entries: Vec<Entry>,
    nodes: HashMap<(NodeName, u32), u32>,
    names: HashMap<(Atom, NodeName), u32>,
}

/// Node index ↔ node incarnation or `{Name, Node}`.
#[derive(Default)]
pub(crate) struct NodeTable {
    tables: RwLock<Tables>,
}

impl std::fmt::Debug for NodeTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeTable")
            .field("entries", &self.tables.read().entries.len())
            .finish()
    }
}

impl NodeTable {
    /// Runs `f` with the entry of `index`, if there is one (never for
    /// [`girder::LOCAL_NODE`]).
    pub(crate) fn with<R>(&self, index: u32, f: impl FnOnce(&Entry) -> R) -> Option<R> {
        let i = usize::try_from(index).ok()?.checked_sub(1)?;
        self.tables.read().entries.get(i).map(f)
    }

    /// The entry of `index`, cloned.
    pub(crate) fn get(&self, index: u32) -> Option<Entry> {
        self.with(index, Entry::clone)
    }

    /// The index of the incarnation `creation` of `node`, made on first use;
    /// `None` once the table is full.
    pub(crate) fn node_index(&self, node: &NodeName, creation: u32) -> Option<u32> {
        let key = (node.clone(), creation);
        if let Some(&i) = self.tables.read().nodes.get(&key) {
            return Some(i);
        }
        let mut t = self.tables.write();
        if let Some(&i) = t.nodes.get(&key) {
            return Some(i);
        }
        if t.entries.len() >= MAX_ENTRIES {
            tracing::warn!(limit = MAX_ENTRIES, %node, creation, "node table full; node incarnation refused");
            return None;
        }
        let i = push(
            &mut t,
            Entry::Node {
                name: node.clone(),
                creation,
            },
        );
        t.nodes.insert(key, i);
        Some(i)
    }

    /// The name pid of `{name, node}` (id 0, serial 0 under the name's
    /// index), made on first use.
    pub(crate) fn name_pid(&self, name: &Atom, node: &NodeName) -> Pid {
        let key = (name.clone(), node.clone());
        if let Some(&i) = self.tables.read().names.get(&key) {
            return Pid::from_parts(i, 0, 0);
        }
        let mut t = self.tables.write();
        let i = match t.names.get(&key) {
            Some(&i) => i,
            None => {
                let i = push(
                    &mut t,
                    Entry::Name {
                        name: name.clone(),
                        node: node.clone(),
                    },
                );
                t.names.insert(key, i);
                i
            }
        };
        Pid::from_parts(i, 0, 0)
    }
}

fn push(t: &mut Tables, entry: Entry) -> u32 {
    t.entries.push(entry);
    // Node entries stop at MAX_ENTRIES; names come from local code, one
    // per distinct `{Name, Node}` it monitors.
    u32::try_from(t.entries.len()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(s: &str) -> NodeName {
        NodeName::parse(s).unwrap()
    }

    #[test]
    fn each_incarnation_and_name_gets_its_own_index() {
        let t = NodeTable::default();
        let a1 = t.node_index(&node("a@h"), 1).unwrap();
        let a2 = t.node_index(&node("a@h"), 2).unwrap();
        let b1 = t.node_index(&node("b@h"), 1).unwrap();
        assert_ne!(a1, 0);
        assert_ne!(a1, a2);
        assert_ne!(a1, b1);
        assert_eq!(t.node_index(&node("a@h"), 1), Some(a1));
        assert_eq!(
            t.get(a2),
            Some(Entry::Node {
                name: node("a@h"),
                creation: 2
            })
        );
        let echo = Atom::new("echo").unwrap();
        let n = t.name_pid(&echo, &node("a@h"));
        assert_eq!(t.name_pid(&echo, &node("a@h")), n);
        assert_eq!(
            t.get(n.node()),
            Some(Entry::Name {
                name: echo,
                node: node("a@h")
            })
        );
        assert_eq!(t.get(0), None);
        assert_eq!(t.get(999), None);
    }

    #[test]
    fn the_table_is_bounded() {
        let t = NodeTable::default();
        for c in 0..MAX_ENTRIES as u32 {
            assert!(t.node_index(&node("a@h"), c).is_some());
        }
        assert_eq!(t.node_index(&node("a@h"), u32::MAX), None);
        assert_eq!(t.node_index(&node("a@h"), 5), Some(6));
    }
}
