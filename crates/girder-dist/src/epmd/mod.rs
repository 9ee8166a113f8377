//! EPMD, the Erlang Port Mapper Daemon: where nodes on a host register the
//! port they accept distribution connections on, and where other nodes look
//! it up (erts `erl_dist_protocol`, "EPMD Protocol").
//!
//! The client ([`register`], [`port_please`], [`names`]) talks to any EPMD:
//! Erlang's `epmd` daemon or Girder's embedded [`EpmdServer`], which a node
//! starts itself when nothing listens on the EPMD port, so that a cluster of
//! Girder nodes needs no Erlang install. The port is 4369 unless
//! `ERL_EPMD_PORT` says otherwise ([`epmd_port_from_env`]), as for Erlang.

mod client;
mod server;
pub(crate) mod wire;

pub use client::{EpmdError, Registration, names, port_please, register};
pub use server::{EpmdServer, serve};
pub use wire::{NODE_TYPE_HIDDEN, NODE_TYPE_NORMAL, NodeEntry};

/// EPMD's well-known port.
pub const DEFAULT_EPMD_PORT: u16 = 4369;

/// The EPMD port as Erlang finds it (`erl_epmd:epmd_port/0`): the
/// environment variable `ERL_EPMD_PORT` if set, else 4369. A value that is
/// not a port number is an error, not silently replaced.
///
/// ```
/// // ERL_EPMD_PORT is unset in doctests unless the caller set it.
/// let port = girder_dist::epmd::epmd_port_from_env().unwrap();
/// assert!(port > 0);
/// ```
pub fn epmd_port_from_env() -> Result<u16, BadEpmdPort> {
    match std::env::var("ERL_EPMD_PORT") {
        Ok(text) => parse_epmd_port(&text),
        Err(std::env::VarError::NotPresent) => Ok(DEFAULT_EPMD_PORT),
        Err(std::env::VarError::NotUnicode(v)) => Err(BadEpmdPort {
            value: v.to_string_lossy().into_owned(),
        }),
    }
}

fn parse_epmd_port(text: &str) -> Result<u16, BadEpmdPort> {
    match text.trim().parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(BadEpmdPort { value: text.into() }),
    }
}

/// `ERL_EPMD_PORT` holds something that is not a port number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadEpmdPort {
    /// The variable's value.
    pub value: String,
}

impl std::fmt::Display for BadEpmdPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ERL_EPMD_PORT={:?} is not a port number (1-65535)",
            self.value
        )
    }
}

impl std::error::Error for BadEpmdPort {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epmd_port_values() {
        assert_eq!(parse_epmd_port("4370"), Ok(4370));
        assert_eq!(parse_epmd_port(" 4370\n"), Ok(4370));
        assert!(parse_epmd_port("0").is_err());
        assert!(parse_epmd_port("65536").is_err());
        assert!(parse_epmd_port("x").is_err());
    }
}
