//! Why a [`crate::DistNode::send`] or [`crate::DistNode::send_to`] failed.

use std::fmt;

use girder::Pid;
use girder_term::{EncodeError, SerdeError};

use crate::name::NodeName;

/// Why a send through [`crate::DistNode`] failed. Erlang's `!` raises
/// `badarg` for an unregistered local name; the other cases are Rust's: a
/// value with no term form never reaches the wire (DESIGN §5: nothing is
/// dropped silently).
///
/// ```
/// use girder_dist::DistSendError;
/// let e = DistSendError::NotRegistered { name: "echo".into() };
/// assert_eq!(e.to_string(), r#"no process is registered as "echo""#);
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum DistSendError {
    /// The value has no Erlang term form (serde refused it).
    Serialize(SerdeError),
    /// The term has no External Term Format encoding (an atom too long for
    /// the peer, a bitstring the encoder refuses, ...).
    Encode {
        /// The node it was for.
        node: NodeName,
        /// Why.
        error: EncodeError,
    },
    /// No process of this node is registered under the name (Erlang
    /// `badarg`). A name on another node is resolved there, and a message
    /// to an unregistered one is dropped there, as in Erlang.
    NotRegistered {
        /// The name.
        name: String,
    },
    /// The name is not an atom (more than 255 characters).
    BadName {
        /// The name.
        name: String,
    },
    /// The pid's node index was not handed out by this node's
    /// distribution (a pid made up with `Pid::from_parts`).
    UnknownNode {
        /// The pid.
        pid: Pid,
    },
    /// This node's distribution has stopped.
    Stopped {
        /// The node the message was for.
        node: NodeName,
    },
}

impl fmt::Display for DistSendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DistSendError::Serialize(e) => write!(f, "the message has no term form: {e}"),
            DistSendError::Encode { node, error } => {
                write!(f, "cannot encode the message for {node}: {error}")
            }
            DistSendError::NotRegistered { name } => {
                write!(f, "no process is registered as {name:?}")
            }
            DistSendError::BadName { name } => write!(
                f,
                "{name:?} cannot be a registered name: more than 255 characters"
            ),
            DistSendError::UnknownNode { pid } => {
                write!(f, "{pid} names a node this node does not know")
            }
            DistSendError::Stopped { node } => {
                write!(f, "cannot send to {node}: distribution has stopped")
            }
        }
    }
}

impl std::error::Error for DistSendError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DistSendError::Serialize(e) => Some(e),
            DistSendError::Encode { error, .. } => Some(error),
            _ => None,
        }
    }
}
