//! One error type per node operation: start, connect, send.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use girder_term::EncodeError;

use crate::cookie::CookieError;
use crate::epmd::{BadEpmdPort, EpmdError};
use crate::handshake::HandshakeError;
use crate::name::{NameMode, NodeName};

/// Why [`crate::Node::start`] failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// No usable cookie.
    Cookie(CookieError),
    /// `ERL_EPMD_PORT` is not a port number.
    EpmdPort(BadEpmdPort),
    /// The distribution listener could not be bound.
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// The error.
        error: io::Error,
    },
    /// Another node is registered in EPMD under this name (Erlang refuses
    /// to start distribution: "the name ... seems to be in use by another
    /// Erlang node").
    NameTaken {
        /// The alive part of the name.
        name: String,
        /// The EPMD asked.
        epmd: SocketAddr,
    },
    /// EPMD could not be reached (and the embedded one not started) or
    /// refused the registration.
    Epmd(EpmdError),
    /// The girder runtime shut down before the node had started
    /// ([`crate::start`]).
    RuntimeStopped,
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Cookie(e) => write!(f, "cannot start the node: {e}"),
            StartError::EpmdPort(e) => write!(f, "cannot start the node: {e}"),
            StartError::Listen { addr, error } => {
                write!(f, "cannot start the node: cannot listen on {addr}: {error}")
            }
            StartError::NameTaken { name, epmd } => write!(
                f,
                "cannot start the node: the name {name:?} is in use by another node registered in EPMD at {epmd}"
            ),
            StartError::Epmd(e) => write!(f, "cannot start the node: {e}"),
            StartError::RuntimeStopped => {
                f.write_str("cannot start the node: the girder runtime shut down")
            }
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartError::Cookie(e) => Some(e),
            StartError::EpmdPort(e) => Some(e),
            StartError::Listen { error, .. } => Some(error),
            StartError::Epmd(e) => Some(e),
            StartError::NameTaken { .. } | StartError::RuntimeStopped => None,
        }
    }
}

/// Why [`crate::Node::connect`] failed (Erlang's `net_kernel:connect_node/1`
/// returns `false` for all of these; the reason is logged there).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ConnectError {
    /// Long-name nodes only talk to long-name nodes, short to short.
    NameMode {
        /// The node asked for.
        node: NodeName,
        /// Our kind of name.
        ours: NameMode,
    },
    /// The node's host name does not resolve.
    Resolve {
        /// The host.
        host: String,
        /// The error.
        error: Arc<io::Error>,
    },
    /// The node's EPMD could not be asked.
    Epmd(Arc<EpmdError>),
    /// The node's EPMD does not know it (the node is not running).
    NotRegistered {
        /// The node asked for.
        node: NodeName,
        /// The EPMD asked.
        epmd: SocketAddr,
    },
    /// The node's EPMD says it speaks no distribution version 6.
    Version {
        /// The node asked for.
        node: NodeName,
        /// The highest version it registered.
        highest: u16,
    },
    /// The node's port did not accept the connection.
    Connect {
        /// The node asked for.
        node: NodeName,
        /// Its address.
        addr: SocketAddr,
        /// The error.
        error: Arc<io::Error>,
    },
    /// The handshake failed (wrong cookie, missing flags, ...).
    Handshake {
        /// The node asked for.
        node: NodeName,
        /// Why.
        error: Arc<HandshakeError>,
    },
    /// The handshake took longer than the handshake timeout.
    Timeout {
        /// The node asked for.
        node: NodeName,
    },
    /// [`crate::Node::disconnect`] was called while connecting.
    Disconnected {
        /// The node asked for.
        node: NodeName,
    },
    /// This node stopped.
    Stopped,
}

impl ConnectError {
    /// Whether the cookies of the two nodes differ.
    pub fn is_wrong_cookie(&self) -> bool {
        matches!(
            self,
            ConnectError::Handshake { error, .. }
                if matches!(**error, HandshakeError::WrongCookie { .. } | HandshakeError::CookieRejected { .. })
        )
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectError::NameMode { node, ours } => write!(
                f,
                "cannot connect to {node}: this node uses {} names and {node} does not",
                match ours {
                    NameMode::Long => "long (fully qualified)",
                    NameMode::Short => "short",
                }
            ),
            ConnectError::Resolve { host, error } => {
                write!(f, "cannot resolve host {host:?}: {error}")
            }
            ConnectError::Epmd(e) => write!(f, "{e}"),
            ConnectError::NotRegistered { node, epmd } => {
                write!(f, "node {node} is not registered in EPMD at {epmd}")
            }
            ConnectError::Version { node, highest } => write!(
                f,
                "node {node} speaks distribution versions up to {highest}; Girder needs 6 (OTP 23+)"
            ),
            ConnectError::Connect { node, addr, error } => {
                write!(f, "cannot connect to {node} at {addr}: {error}")
            }
            ConnectError::Handshake { node, error } => {
                write!(f, "handshake with {node} failed: {error}")
            }
            ConnectError::Timeout { node } => write!(f, "handshake with {node} timed out"),
            ConnectError::Disconnected { node } => {
                write!(f, "connecting to {node} was cancelled by disconnect")
            }
            ConnectError::Stopped => f.write_str("the node stopped"),
        }
    }
}

impl std::error::Error for ConnectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConnectError::Resolve { error, .. } | ConnectError::Connect { error, .. } => {
                Some(&**error)
            }
            ConnectError::Epmd(e) => Some(&**e),
            ConnectError::Handshake { error, .. } => Some(&**error),
            _ => None,
        }
    }
}

/// Why [`crate::Node::send`] failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendError {
    /// The node is this node itself, or this node has stopped.
    NotConnected {
        /// The node.
        node: NodeName,
    },
    /// The message has no ETF form.
    Encode(EncodeError),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::NotConnected { node } => write!(
                f,
                "cannot send to {node}: it is this node, or this node stopped"
            ),
            SendError::Encode(e) => write!(f, "cannot encode the message: {e}"),
        }
    }
}

impl std::error::Error for SendError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SendError::Encode(e) => Some(e),
            SendError::NotConnected { .. } => None,
        }
    }
}
