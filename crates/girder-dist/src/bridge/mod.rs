//! The runtime bridge: a girder runtime as a node of an Erlang cluster
//! (erts' distribution entries, node tables and `dist.c`, over the
//! connection manager of [`crate::Node`]).
//!
//! [`start`] starts a [`crate::Node`] on the runtime's I/O threads and
//! installs the bridge as the runtime's [`girder::dist::Distribution`].
//! Then:
//!
//! * **Pids.** A remote process is an ordinary [`girder::Pid`] whose node
//!   index names a node incarnation (name and creation) in the bridge's
//!   node table. `send`, `link`, `unlink`, `monitor`, `demonitor` and
//!   `exit` on it become control messages (`outgoing`); control messages
//!   from other nodes become core signals (`incoming`). A node that
//!   restarts gets a new creation, so its new pids get a new index and the
//!   old pids never reach the new incarnation.
//! * **Messages** cross as [`girder_term::Term`]: send a `Term` with
//!   `girder::send`, or any serde value with [`DistNode::send`]; what
//!   arrives is a `Term` (decode it with [`girder_term::from_term`]). A
//!   message of another type sent to a remote pid with `girder::send` is
//!   dropped with a warning (core's send cannot fail); `DistNode::send`
//!   returns that as an error.
//! * **References.** A monitor reference made here travels as a reference
//!   of this node; a remote process's monitor of a local one gets a core
//!   reference interned for as long as the monitor lives.
//! * **Exit reasons** map to terms as [`reason_to_term`] says
//!   (`{panic, <<"msg">>}` for a panic, the term itself for an
//!   `ExitReason::Other` that holds one).
//! * **Connections going down** fire every link (exit signal
//!   `noconnection`) and monitor (`DOWN` `noconnection`) that crossed them;
//!   a link or monitor to a node that cannot be reached gets
//!   `noconnection` when the auto-connect fails.
//! * **Names.** `{Name, Node}` sends are [`DistNode::send_to`]; a
//!   `REG_SEND` from another node goes through the local registry; a
//!   monitor by name from another node of a name nobody has is answered
//!   `noproc` at once; [`DistNode::monitor_name`] monitors a remote name.
//! * **Node monitors**: [`DistNode::monitor_node`] and
//!   [`DistNode::monitor_nodes`] deliver [`NodeUp`] and [`NodeDown`].
//! * **Spawn requests** (`spawn`): a `SPAWN_REQUEST` starts a girder
//!   process running a function registered with
//!   [`DistNode::register_fn`] (see [`crate::rpc`]'s docs, which
//!   `rpc:call` and `erpc:call` rely on).

mod api;
mod crossing;
mod error;
mod incoming;
mod node_monitor;
mod node_table;
mod outgoing;
mod reason;
mod remote_alias;
mod spawn;
mod state;

pub use api::{DistNode, start};
pub use error::DistSendError;
pub use node_monitor::{NodeDown, NodeUp};
pub use reason::{reason_from_term, reason_to_term};
