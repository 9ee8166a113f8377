//! The systems compared: Girder, Erlang/OTP and tokio.

use std::fmt;

/// A system that runs the workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum System {
    /// Girder's runtime (`girder-core`), on its own scheduler threads.
    Girder,
    /// Erlang/OTP: the real `erl`, running `bench/erlang/*.erl`.
    Erlang,
    /// Plain tokio: `tokio::spawn` with `mpsc` and `oneshot` channels.
    Tokio,
}

impl System {
    /// Every system, in the order tables show them.
    pub const ALL: [System; 3] = [System::Girder, System::Erlang, System::Tokio];

    /// The peers Girder is compared against.
    pub const PEERS: [System; 2] = [System::Erlang, System::Tokio];

    /// The lower-case name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            System::Girder => "girder",
            System::Erlang => "erlang",
            System::Tokio => "tokio",
        }
    }

    /// The system named `name` ([`System::name`]).
    pub fn from_name(name: &str) -> Option<System> {
        System::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl fmt::Display for System {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
