//! Process identifiers and references.
//!
//! A [`Pid`] is a small `Copy` value: the node it lives on, and a 64-bit
//! process number that the runtime never reuses, so a stale pid can never reach
//! a process spawned later (Erlang gets the same guarantee from its serial
//! counter). On the wire the low 32 bits are NEW_PID_EXT's `ID` and the high
//! 32 bits its `Serial`.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// The node index of the local node. Remote nodes get indices from the
/// distribution layer.
pub const LOCAL_NODE: u32 = 0;

/// A process identifier. Erlang `pid()`, Elixir `PID`.
///
/// Displayed as Erlang prints it: `<0.42.0>` is process 42 on the local node.
///
/// ```
/// let pid = girder_core::Pid::from_parts(0, 42, 0);
/// assert_eq!(pid.to_string(), "<0.42.0>");
/// assert!(pid.is_local());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pid {
    node: u32,
    creation: u32,
    number: u64,
}

impl Pid {
    pub(crate) const fn local(number: u64) -> Pid {
        Pid {
            node: LOCAL_NODE,
            creation: 0,
            number,
        }
    }

    /// Builds a pid from its parts: node index, Erlang `ID` and `Serial`.
    /// Used by the distribution layer to name processes of other nodes.
    pub const fn from_parts(node: u32, id: u32, serial: u32) -> Pid {
        Pid {
            node,
            creation: 0,
            number: ((serial as u64) << 32) | id as u64,
        }
    }

    /// The same pid with the given node creation (distribution layer).
    pub const fn with_creation(self, creation: u32) -> Pid {
        Pid { creation, ..self }
    }

    /// Index of the node the process lives on (`0` is this node).
    pub const fn node(self) -> u32 {
        self.node
    }

    /// The node's creation (incarnation) this pid belongs to.
    pub const fn creation(self) -> u32 {
        self.creation
    }

    /// Erlang's `ID` field: the low 32 bits of the process number.
    pub const fn id(self) -> u32 {
        self.number as u32
    }

    /// Erlang's `Serial` field: the high 32 bits of the process number.
    pub const fn serial(self) -> u32 {
        (self.number >> 32) as u32
    }

    /// The full 64-bit process number (unique on its node).
    pub const fn number(self) -> u64 {
        self.number
    }

    /// Whether the process lives on this node.
    pub const fn is_local(self) -> bool {
        self.node == LOCAL_NODE
    }
}

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}.{}.{}>", self.node, self.id(), self.serial())
    }
}

impl fmt::Debug for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A unique reference. Erlang `reference()` (`make_ref/0`), Elixir `Reference`
/// (`make_ref/0`).
///
/// References tag monitors, timers and call replies. A reference made inside a
/// process also marks that process's mailbox, so that a receive of a reply
/// tagged with it skips every message that was already queued (see
/// [`crate::Receive::since`]).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ref {
    node: u32,
    number: u64,
}

static NEXT_REF: AtomicU64 = AtomicU64::new(1);

impl Ref {
    /// A fresh local reference, unique within this OS process.
    pub(crate) fn fresh() -> Ref {
        Ref {
            node: LOCAL_NODE,
            number: NEXT_REF.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// Builds a reference from its parts (distribution layer).
    pub const fn from_parts(node: u32, number: u64) -> Ref {
        Ref { node, number }
    }

    /// Index of the node that made the reference.
    pub const fn node(self) -> u32 {
        self.node
    }

    /// The reference's number (unique on its node).
    pub const fn number(self) -> u64 {
        self.number
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "#Ref<{}.{}.{}>",
            self.node,
            self.number >> 32,
            self.number as u32
        )
    }
}

impl fmt::Debug for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pid_parts_round_trip() {
        let p = Pid::from_parts(3, 7, 9);
        assert_eq!((p.node(), p.id(), p.serial()), (3, 7, 9));
        assert_eq!(p.to_string(), "<3.7.9>");
        assert!(!p.is_local());
        assert_eq!(Pid::local(42).to_string(), "<0.42.0>");
    }

    #[test]
    fn refs_are_unique_and_ordered() {
        let a = Ref::fresh();
        let b = Ref::fresh();
        assert_ne!(a, b);
        assert!(a < b);
    }
}
