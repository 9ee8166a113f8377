//! Names a server can be started under and reached by: a local registered
//! name, or a name kept by a naming module (`{via, Module, Name}`).

use std::fmt;
use std::sync::Arc;

use girder_core::Pid;

/// A naming scheme a process can register itself under: Erlang's
/// `{via, Module, Name}` (a module with `register_name/2`,
/// `unregister_name/1`, `whereis_name/1`), Elixir's `{:via, Registry, {reg,
/// key}}`. [`crate::otp::registry::Registry::via`] is one; implement it for
/// your own naming service.
pub trait ViaName: fmt::Debug + Send + Sync + 'static {
    /// Registers `pid` under this name; `false` if the name is taken. Called
    /// from inside the process being named (`pid` is the caller), as
    /// `gen_server` does, so the name is released when it exits.
    fn register_name(&self, pid: Pid) -> bool;
    /// Removes the caller's registration under this name.
    fn unregister_name(&self);
    /// The process registered under this name, if any.
    fn whereis_name(&self) -> Option<Pid>;
}

/// How a server is named when it starts. Erlang `{local, Name}` /
/// `{via, Module, Name}`, Elixir `name: atom` / `name: {:via, Registry, …}`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Name {
    /// Registered in the node's process registry ([`girder_core::register`]).
    Local(Arc<str>),
    /// Registered through a naming scheme.
    Via(Arc<dyn ViaName>),
}

impl Name {
    /// A local registered name.
    pub fn local(name: impl AsRef<str>) -> Name {
        Name::Local(Arc::from(name.as_ref()))
    }

    /// A name kept by a naming scheme.
    pub fn via(name: impl ViaName) -> Name {
        Name::Via(Arc::new(name))
    }

    /// The process registered under this name now, if any. Erlang
    /// `whereis/1` / `Module:whereis_name/1`, Elixir `GenServer.whereis/1`.
    pub fn whereis(&self) -> Option<Pid> {
        match self {
            Name::Local(n) => girder_core::whereis(&**n),
            Name::Via(v) => v.whereis_name(),
        }
    }

    /// Registers the calling process (whose pid is `pid`) under the name;
    /// `false` if it is taken.
    pub(crate) fn register(&self, pid: Pid) -> bool {
        match self {
            Name::Local(n) => girder_core::register(&**n, pid).is_ok(),
            Name::Via(v) => v.register_name(pid),
        }
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Name::Local(n) => f.write_str(n),
            Name::Via(v) => write!(f, "{{via,{v:?}}}"),
        }
    }
}

impl From<&str> for Name {
    fn from(name: &str) -> Name {
        Name::local(name)
    }
}

impl From<String> for Name {
    fn from(name: String) -> Name {
        Name::Local(Arc::from(name))
    }
}
