//! Identifiers that name things on a node: pids, ports, references, and funs.
//!
//! These are the *external* forms that travel in the External Term Format: each
//! carries its node's name and the node incarnation (`creation`) it belongs to.
//! The runtime maps them to and from its own local pids.

use std::fmt;

use crate::{Atom, Term};

/// A process identifier as it crosses a node boundary (ETF `NEW_PID_EXT`).
///
/// Erlang prints a pid as `<Node.ID.Serial>`, where `Node` is a local table
/// index; a term has no such index, so [`Display`](fmt::Display) prints the node
/// name instead: `<'girder@127.0.0.1'.42.0>`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ExternalPid {
    /// The node the process lives on.
    pub node: Atom,
    /// The process number on that node (`ID`, 32 bits since OTP 23, of which erts uses 28).
    pub id: u32,
    /// The serial (reuse generation) of `id`.
    pub serial: u32,
    /// The incarnation of `node` that created the pid.
    pub creation: u32,
}

/// A port identifier (ETF `V4_PORT_EXT`; also decoded from `PORT_EXT`/`NEW_PORT_EXT`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ExternalPort {
    /// The node the port lives on.
    pub node: Atom,
    /// The port number (64 bits since OTP 24).
    pub id: u64,
    /// The incarnation of `node` that created the port.
    pub creation: u32,
}

/// A reference (`make_ref()`, monitor refs; ETF `NEWER_REFERENCE_EXT`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ExternalRef {
    /// The node that made the reference.
    pub node: Atom,
    /// The incarnation of `node` that made it.
    pub creation: u32,
    /// The reference's words, least significant first as ETF carries them
    /// (1 to 5 words; OTP 25+ makes 3, or 4/5 for process-bound refs).
    pub id: Vec<u32>,
}

/// A fun (ETF `EXPORT_EXT` for `fun m:f/a`, `NEW_FUN_EXT` for closures).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum ExternalFun {
    /// `fun Module:Function/Arity` — callable on any node that has the module.
    Export {
        /// The module.
        module: Atom,
        /// The function name.
        function: Atom,
        /// The arity.
        arity: u8,
    },
    /// A closure from a module's code, with its captured free variables. It can
    /// be carried and sent back, not called outside the BEAM.
    Closure(Box<Closure>),
}

/// The fields of a `NEW_FUN_EXT` closure.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Closure {
    /// The fun's arity.
    pub arity: u8,
    /// MD5 of the module's significant parts.
    pub uniq: [u8; 16],
    /// Index into the module's fun table.
    pub index: u32,
    /// The module that defines the fun.
    pub module: Atom,
    /// The old-style index (an integer term in ETF).
    pub old_index: u32,
    /// The old-style uniq (an integer term in ETF).
    pub old_uniq: u32,
    /// The process that created the fun.
    pub pid: ExternalPid,
    /// The captured values.
    pub free_vars: Vec<Term>,
}

impl fmt::Display for ExternalPid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}.{}.{}>", self.node, self.id, self.serial)
    }
}

impl fmt::Display for ExternalPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#Port<{}.{}>", self.node, self.id)
    }
}

impl fmt::Display for ExternalRef {
    /// Erlang prints the most significant word first: `#Ref<node.w2.w1.w0>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#Ref<{}", self.node)?;
        for word in self.id.iter().rev() {
            write!(f, ".{word}")?;
        }
        f.write_str(">")
    }
}

impl fmt::Display for ExternalFun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExternalFun::Export {
                module,
                function,
                arity,
            } => {
                write!(f, "fun {module}:{function}/{arity}")
            }
            ExternalFun::Closure(c) => {
                write!(f, "#Fun<{}.{}.{}>", c.module, c.old_index, c.old_uniq)
            }
        }
    }
}
