//! Integration tests of girder-term, one module per concept.
//!
//! ETF codec: `golden` (vectors written by the real `erl`), `live_erl` (round
//! trips through a running `erl`), `roundtrip` (property tests), `bad_input`
//! (hostile and broken input), `alloc_bound` (memory the decoder allocates),
//! `dist` (distribution headers), `fuzz_regressions` (the fuzz corpus and
//! crashes). `util` holds helpers they share.

mod alloc_bound;
mod bad_input;
mod dist;
mod fuzz_regressions;
mod golden;
mod live_erl;
mod roundtrip;
mod util;

mod serde_mapping;
