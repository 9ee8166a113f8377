//! Node names: `alive@host`, long (`girder@127.0.0.1`, `-name`) or short
//! (`girder@localhost`, `-sname`).

use std::fmt;

use girder_term::{Atom, MAX_ATOM_CHARS};

/// Whether a node uses long (fully qualified, `erl -name`) or short
/// (`erl -sname`) host names. As in Erlang, a node only talks to nodes of
/// its own kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameMode {
    /// `erl -name a@host.domain` or `a@127.0.0.1`: the host part has dots.
    Long,
    /// `erl -sname a@host`: the host part has no dots.
    Short,
}

/// A node's full name, `alive@host` (Erlang `node()`).
///
/// ```
/// use girder_dist::{NameMode, NodeName};
/// let n = NodeName::parse("girder@127.0.0.1").unwrap();
/// assert_eq!((n.alive(), n.host()), ("girder", "127.0.0.1"));
/// assert_eq!(n.mode(), NameMode::Long);
/// assert_eq!(NodeName::parse("a@localhost").unwrap().mode(), NameMode::Short);
/// assert!(NodeName::parse("no_host").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeName {
    atom: Atom,
    at: usize,
}

/// Why a text is not a node name.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BadNodeName {
    /// No `@`, or nothing before or after it.
    Form {
        /// The offending text.
        name: String,
    },
    /// The alive part has a character Erlang refuses (EPMD and the
    /// handshake carry it as bytes; we allow letters, digits, `_` and `-`).
    Character {
        /// The offending text.
        name: String,
    },
    /// More than 255 characters (an atom's limit).
    TooLong {
        /// How many characters it had.
        chars: usize,
    },
}

impl fmt::Display for BadNodeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadNodeName::Form { name } => {
                write!(f, "bad node name {name:?}: expected alive@host")
            }
            BadNodeName::Character { name } => write!(
                f,
                "bad node name {name:?}: the part before @ may hold only letters, digits, _ and -"
            ),
            BadNodeName::TooLong { chars } => write!(
                f,
                "node name of {chars} characters exceeds the limit of {MAX_ATOM_CHARS}"
            ),
        }
    }
}

impl std::error::Error for BadNodeName {}

impl NodeName {
    /// Parses `alive@host`.
    pub fn parse(name: &str) -> Result<NodeName, BadNodeName> {
        let chars = name.chars().count();
        if chars > MAX_ATOM_CHARS {
            return Err(BadNodeName::TooLong { chars });
        }
        let Some(at) = name.find('@') else {
            return Err(BadNodeName::Form { name: name.into() });
        };
        let (alive, host) = (&name[..at], &name[at + 1..]);
        if alive.is_empty() || host.is_empty() || host.contains('@') {
            return Err(BadNodeName::Form { name: name.into() });
        }
        if !alive
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            return Err(BadNodeName::Character { name: name.into() });
        }
        let atom = Atom::new(name).map_err(|e| BadNodeName::TooLong { chars: e.chars })?;
        Ok(NodeName { atom, at })
    }

    /// A node name from an atom (as a pid or `{Name, Node}` carries it).
    pub fn from_atom(atom: &Atom) -> Result<NodeName, BadNodeName> {
        NodeName::parse(atom.as_str())
    }

    /// The part before `@`, which EPMD registers.
    pub fn alive(&self) -> &str {
        &self.atom.as_str()[..self.at]
    }

    /// The part after `@`.
    pub fn host(&self) -> &str {
        &self.atom.as_str()[self.at + 1..]
    }

    /// The whole name as an atom (Erlang `node()`).
    pub fn atom(&self) -> &Atom {
        &self.atom
    }

    /// The whole name.
    pub fn as_str(&self) -> &str {
        self.atom.as_str()
    }

    /// Long if the host part has a dot (or is an IPv6 address), short otherwise.
    pub fn mode(&self) -> NameMode {
        if self.host().contains('.') || self.host().contains(':') {
            NameMode::Long
        } else {
            NameMode::Short
        }
    }
}

impl fmt::Display for NodeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for NodeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeName({})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        let n = NodeName::parse("a-b_1@host.example").unwrap();
        assert_eq!(n.alive(), "a-b_1");
        assert_eq!(n.host(), "host.example");
        assert_eq!(n.to_string(), "a-b_1@host.example");
        for bad in ["", "@h", "a@", "a", "a@b@c"] {
            assert!(
                matches!(NodeName::parse(bad), Err(BadNodeName::Form { .. })),
                "{bad}"
            );
        }
        assert!(matches!(
            NodeName::parse("a b@h"),
            Err(BadNodeName::Character { .. })
        ));
        let long = format!("{}@h", "a".repeat(300));
        assert!(matches!(
            NodeName::parse(&long),
            Err(BadNodeName::TooLong { chars: 302 })
        ));
        assert_eq!(NodeName::parse("a@::1").unwrap().mode(), NameMode::Long);
    }
}
