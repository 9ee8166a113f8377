//! Atoms: interned-by-value UTF-8 names of at most 255 characters.

use std::fmt;
use std::sync::Arc;

/// The most characters an atom may have (erts' `MAX_ATOM_CHARACTERS`).
pub const MAX_ATOM_CHARS: usize = 255;

/// An Erlang atom (`ok`, `'EXIT'`, Elixir's `:ok` and module names like `Elixir.Foo`).
///
/// Cheap to clone (a reference-counted string). Compared and ordered by its text,
/// as Erlang orders atoms.
///
/// ```
/// use girder_term::Atom;
/// let ok = Atom::new("ok").unwrap();
/// assert_eq!(ok.as_str(), "ok");
/// assert_eq!(ok.to_string(), "ok");
/// assert_eq!(Atom::new("EXIT").unwrap().to_string(), "'EXIT'");
/// assert!(Atom::new("x".repeat(256)).is_err());
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Atom(Arc<str>);

/// An atom name longer than [`MAX_ATOM_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtomTooLong {
    /// How many characters the name had.
    pub chars: usize,
}

impl fmt::Display for AtomTooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "atom of {} characters exceeds the limit of {MAX_ATOM_CHARS}",
            self.chars
        )
    }
}

impl std::error::Error for AtomTooLong {}

impl Atom {
    /// An atom with this name, or an error if it has more than 255 characters
    /// (Erlang `list_to_atom/1` raises `system_limit` there).
    pub fn new(name: impl AsRef<str>) -> Result<Atom, AtomTooLong> {
        let name = name.as_ref();
        let chars = name.chars().count();
        if chars > MAX_ATOM_CHARS {
            return Err(AtomTooLong { chars });
        }
        Ok(Atom(Arc::from(name)))
    }

    /// The atom's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for `true` and `false`.
    pub fn is_boolean(&self) -> bool {
        matches!(&*self.0, "true" | "false")
    }

    /// Whether the atom prints without quotes in Erlang syntax (`ok`, `foo_Bar@1`).
    fn is_bare(&self) -> bool {
        let mut chars = self.0.chars();
        match chars.next() {
            Some(c) if c.is_ascii_lowercase() => {}
            _ => return false,
        }
        chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '@')
            && !RESERVED.contains(&&*self.0)
    }
}

/// Erlang's reserved words, which must be quoted when used as atoms.
const RESERVED: &[&str] = &[
    "after", "and", "andalso", "band", "begin", "bnot", "bor", "bsl", "bsr", "bxor", "case",
    "catch", "cond", "div", "else", "end", "fun", "if", "let", "maybe", "not", "of", "or",
    "orelse", "receive", "rem", "try", "when", "xor",
];

impl fmt::Display for Atom {
    /// Erlang syntax: bare when it can be, otherwise single-quoted with escapes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_bare() {
            return f.write_str(&self.0);
        }
        f.write_str("'")?;
        for c in self.0.chars() {
            match c {
                '\'' => f.write_str("\\'")?,
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                '\t' => f.write_str("\\t")?,
                c if (c as u32) < 0x20 => write!(f, "\\x{{{:X}}}", c as u32)?,
                c => fmt::Write::write_char(f, c)?,
            }
        }
        f.write_str("'")
    }
}

impl fmt::Debug for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl TryFrom<&str> for Atom {
    type Error = AtomTooLong;
    fn try_from(name: &str) -> Result<Atom, AtomTooLong> {
        Atom::new(name)
    }
}

impl AsRef<str> for Atom {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Atom {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Atom {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}
