//! Local process registry: names for pids. Erlang `register/2`,
//! `whereis/1`, `unregister/1`, `registered/0`; Elixir `Process.register/2`
//! and friends.
//!
//! A name maps to at most one pid and a pid has at most one name; the name
//! is released when the process exits. Lock order: the registry lock, then a
//! PCB's lock (its signal queue's; the exit path takes them one after the
//! other, never nested the other way).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::Pid;
use crate::runtime::with_shared;
use crate::scheduler::reductions;

#[derive(Default)]
pub(crate) struct Registry {
    names: Mutex<HashMap<Arc<str>, Pid>>,
}

impl Registry {
    pub(crate) fn whereis(&self, name: &str) -> Option<Pid> {
        self.names.lock().get(name).copied()
    }

    /// Removes `name` if it still names `pid` (exit path).
    pub(crate) fn remove_if(&self, name: &str, pid: Pid) {
        let mut names = self.names.lock();
        if names.get(name) == Some(&pid) {
            names.remove(name);
        }
    }
}

/// Why [`register`] refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegisterError {
    /// Another process holds the name.
    NameTaken {
        /// The name.
        name: String,
        /// Its holder.
        holder: Pid,
    },
    /// The process already has a name.
    AlreadyRegistered {
        /// The process.
        pid: Pid,
        /// Its current name.
        name: String,
    },
    /// The process is not alive (or not local).
    NoProc {
        /// The process.
        pid: Pid,
    },
}

impl fmt::Display for RegisterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegisterError::NameTaken { name, holder } => {
                write!(f, "name {name:?} is already registered to {holder}")
            }
            RegisterError::AlreadyRegistered { pid, name } => {
                write!(f, "{pid} is already registered as {name:?}")
            }
            RegisterError::NoProc { pid } => write!(f, "{pid} is not a live local process"),
        }
    }
}

impl std::error::Error for RegisterError {}

/// Gives `pid` the name `name`. Erlang `register/2`, Elixir
/// `Process.register/2`. Fails if the name is taken, the process already has
/// a name, or it is not alive.
///
/// ```
/// girder_core::run(async {
///     let me = girder_core::self_pid();
///     girder_core::register("logger", me).unwrap();
///     assert_eq!(girder_core::whereis("logger"), Some(me));
///     assert!(girder_core::register("other", me).is_err());
/// }).unwrap();
/// ```
pub fn register(name: impl AsRef<str>, pid: Pid) -> Result<(), RegisterError> {
    reductions::charge(5);
    let name = name.as_ref();
    with_shared(|s| {
        let mut names = s.registry.names.lock();
        if let Some(&holder) = names.get(name) {
            return Err(RegisterError::NameTaken {
                name: name.to_owned(),
                holder,
            });
        }
        let no_proc = RegisterError::NoProc { pid };
        if !pid.is_local() {
            return Err(no_proc);
        }
        let Some(pcb) = s.table.get(pid) else {
            return Err(no_proc);
        };
        let mut local = pcb.local();
        if pcb.is_exited() {
            return Err(no_proc);
        }
        let extra = local.extra();
        if let Some(existing) = &extra.name {
            return Err(RegisterError::AlreadyRegistered {
                pid,
                name: existing.to_string(),
            });
        }
        let name: Arc<str> = Arc::from(name);
        extra.name = Some(name.clone());
        names.insert(name, pid);
        Ok(())
    })
}

/// Removes a name. Erlang `unregister/1`, Elixir `Process.unregister/1`.
/// Returns whether the name was registered.
pub fn unregister(name: impl AsRef<str>) -> bool {
    let name = name.as_ref();
    with_shared(|s| {
        let mut names = s.registry.names.lock();
        let Some(pid) = names.remove(name) else {
            return false;
        };
        if let Some(pcb) = s.table.get(pid) {
            if let Some(extra) = pcb.local().extra.as_mut() {
                extra.name = None;
            }
        }
        true
    })
}

/// The pid registered under `name`. Erlang `whereis/1`, Elixir
/// `Process.whereis/1`.
pub fn whereis(name: impl AsRef<str>) -> Option<Pid> {
    with_shared(|s| s.registry.whereis(name.as_ref()))
}

/// Every registered name. Erlang `registered/0`, Elixir `Process.registered/0`.
pub fn registered() -> Vec<String> {
    with_shared(|s| {
        s.registry
            .names
            .lock()
            .keys()
            .map(|k| k.to_string())
            .collect()
    })
}
