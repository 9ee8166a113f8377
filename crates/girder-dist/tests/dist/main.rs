//! Integration tests of girder-dist, one module per concept, against real
//! `erl` and `epmd` children on loopback with random ports: `epmd` (client
//! and embedded server), `handshake` (both directions, cookies,
//! simultaneous connect), `messages` (control messages both ways, ticks,
//! `net_adm:ping`), `hostile` (peers that break the protocol).
//!
//! The runtime bridge, each test a girder process on one side and an
//! Erlang process on the other: `sends` (pids and registered names both
//! ways, serde values, send errors), `links` (links, `exit(Pid, kill)`,
//! exit reasons and unlink, both ways), `monitors` (by pid and by name,
//! both ways), `node_down` (`noconnection` on disconnect and on a killed
//! node, node monitors), `throughput` (a million messages each way, in
//! order), `rpc` (`rpc:call`, `erpc:call` and `spawn_request` of Rust
//! functions from erl and elixir), and `girder_to_girder` (two runtimes
//! in one test process).
//!
//! `util` holds the fixtures. Tests that need Erlang fail under `CI` when
//! it is missing and are skipped (with a note) elsewhere.

mod epmd;
mod failover;
mod gen_server;
mod girder_to_girder;
mod handshake;
mod hostile;
mod links;
mod messages;
mod monitors;
mod node_down;
mod pg;
mod rpc;
mod sends;
mod throughput;
mod util;
