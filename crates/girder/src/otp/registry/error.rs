//! The errors of registering and of starting a registry.

use std::fmt;

use girder_core::{ExitReason, Pid};

/// Why [`Registry::register`](super::Registry::register) refused.
///
/// Elixir's `Registry.register/3` returns `{:error, {:already_registered,
/// pid}}`, and raises `ArgumentError` for a registry that is not running.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegisterError {
    /// In a unique registry, the key is held by this live process (which
    /// may be the caller itself). Elixir `{:error, {:already_registered,
    /// pid}}`.
    AlreadyRegistered(Pid),
    /// The registry's processes have exited (its owner went down, or it
    /// was killed); it takes no more entries.
    NotRunning,
}

impl fmt::Display for RegisterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegisterError::AlreadyRegistered(pid) => {
                write!(f, "key already registered by {pid}")
            }
            RegisterError::NotRunning => f.write_str("the registry is not running"),
        }
    }
}

impl std::error::Error for RegisterError {}

/// Why [`Registry::start_link`](super::Registry::start_link) or
/// [`Registry::start`](super::Registry::start) failed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum StartError {
    /// The name asked for is registered to this process. Elixir
    /// `{:error, {:already_started, pid}}`.
    AlreadyStarted(Pid),
    /// The registry's process exited before it was ready, with this reason.
    Exited(ExitReason),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::AlreadyStarted(pid) => write!(f, "name already registered to {pid}"),
            StartError::Exited(reason) => write!(f, "registry exited while starting: {reason}"),
        }
    }
}

impl std::error::Error for StartError {}
