//! Integration tests of girder-dist, one module per concept, against real
//! `erl` and `epmd` children on loopback with random ports: `epmd` (client
//! and embedded server), `handshake` (both directions, cookies,
//! simultaneous connect), `messages` (control messages both ways, ticks,
//! `net_adm:ping`), `hostile` (peers that break the protocol). `util` holds
//! the fixtures. Tests that need Erlang fail under `CI` when it is missing
//! and are skipped (with a note) elsewhere.

mod epmd;
mod handshake;
mod hostile;
mod messages;
mod util;
