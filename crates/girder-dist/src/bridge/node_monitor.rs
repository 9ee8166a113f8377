//! Node monitors: processes told when a connection comes up or goes down
//! (Erlang `monitor_node/2` and `net_kernel:monitor_nodes/1`).

use std::collections::HashMap;

use girder::Pid;

use crate::name::NodeName;
use crate::node::NodeDownReason;

/// A connection to a node came up: the message [`crate::DistNode::monitor_nodes`]
/// subscribers receive. Erlang `{nodeup, Node}`, Elixir `{:nodeup, node}`.
///
/// ```
/// use girder_dist::{NodeName, NodeUp};
/// let up = NodeUp { node: NodeName::parse("a@127.0.0.1").unwrap() };
/// assert_eq!(up.node.as_str(), "a@127.0.0.1");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeUp {
    /// The node.
    pub node: NodeName,
}

/// The connection to a node went down, or could not be made: the message a
/// [`crate::DistNode::monitor_node`] or [`crate::DistNode::monitor_nodes`]
/// caller receives. Erlang `{nodedown, Node}` (and the `nodedown_reason`
/// of `net_kernel:monitor_nodes(true, [nodedown_reason])`), Elixir
/// `{:nodedown, node}`.
///
/// ```
/// use girder_dist::{NodeDown, NodeDownReason, NodeName};
/// let down = NodeDown { node: NodeName::parse("a@127.0.0.1").unwrap(), reason: NodeDownReason::Closed };
/// assert_eq!(down.reason.to_string(), "connection closed by peer");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeDown {
    /// The node.
    pub node: NodeName,
    /// Why.
    pub reason: NodeDownReason,
}

/// Who is told of which node.
#[derive(Default, Debug)]
pub(crate) struct NodeWatchers {
    /// `monitor_node(Node, true)`: one entry per call, fired once.
    node: HashMap<NodeName, Vec<Pid>>,
    /// `monitor_nodes(true)`: every up and down, until turned off.
    all: Vec<Pid>,
}

impl NodeWatchers {
    pub(crate) fn watch(&mut self, node: &NodeName, pid: Pid) {
        self.node.entry(node.clone()).or_default().push(pid);
    }

    /// Turns off every `monitor_node(node, true)` of `pid`.
    pub(crate) fn unwatch(&mut self, node: &NodeName, pid: Pid) {
        if let Some(v) = self.node.get_mut(node) {
            v.retain(|p| *p != pid);
            if v.is_empty() {
                self.node.remove(node);
            }
        }
    }

    pub(crate) fn watch_all(&mut self, pid: Pid, on: bool) {
        self.all.retain(|p| *p != pid);
        if on {
            self.all.push(pid);
        }
    }

    /// The processes to tell that `node` is up.
    pub(crate) fn up(&self) -> Vec<Pid> {
        self.all.clone()
    }

    /// The processes to tell that `node` is down: its one-shot watchers
    /// (removed) and the `monitor_nodes` subscribers.
    pub(crate) fn down(&mut self, node: &NodeName) -> Vec<Pid> {
        let mut v = self.node.remove(node).unwrap_or_default();
        v.extend(self.all.iter().copied());
        v
    }

    /// Removes and returns only the one-shot watchers of `node` (a
    /// `monitor_node` whose connect failed).
    pub(crate) fn take_node(&mut self, node: &NodeName) -> Vec<Pid> {
        self.node.remove(node).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_monitors_fire_once_per_call_and_subscribers_every_time() {
        let a = NodeName::parse("a@h").unwrap();
        let (p, q) = (Pid::from_parts(0, 1, 0), Pid::from_parts(0, 2, 0));
        let mut w = NodeWatchers::default();
        w.watch(&a, p);
        w.watch(&a, p);
        w.watch_all(q, true);
        w.watch_all(q, true);
        assert_eq!(w.up(), [q]);
        assert_eq!(w.down(&a), [p, p, q]);
        assert_eq!(w.down(&a), [q]);
        w.watch(&a, p);
        w.unwatch(&a, p);
        w.watch_all(q, false);
        assert!(w.down(&a).is_empty());
    }
}
