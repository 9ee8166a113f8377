//! The process table: pid number → PCB, for every live local process.
//!
//! Sharded by the low bits of the process number (numbers are handed out in
//! sequence, so consecutive spawns land in different shards and two
//! schedulers rarely meet on one lock). Process numbers are never reused, so
//! a stale pid simply finds nothing.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use parking_lot::RwLock;

use super::pcb::Pcb;

const SHARDS: usize = 64;

/// Process numbers are already well spread: hash them with one multiply.
#[derive(Default)]
pub(crate) struct NumberHasher(u64);

impl Hasher for NumberHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8 | *b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        // The shard index already used the low bits; mix them back in.
        self.0 = (n >> 6).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type Shard = RwLock<HashMap<u64, Arc<Pcb>, BuildHasherDefault<NumberHasher>>>;

pub(crate) struct ProcessTable {
    shards: Box<[Shard]>,
}

impl ProcessTable {
    pub(crate) fn new() -> ProcessTable {
        ProcessTable {
            shards: (0..SHARDS).map(|_| RwLock::default()).collect(),
        }
    }

    fn shard(&self, number: u64) -> &Shard {
        &self.shards[number as usize % SHARDS]
    }

    pub(crate) fn insert(&self, pcb: Arc<Pcb>) {
        let n = pcb.pid.number();
        self.shard(n).write().insert(n, pcb);
    }

    pub(crate) fn get(&self, number: u64) -> Option<Arc<Pcb>> {
        self.shard(number).read().get(&number).cloned()
    }

    /// Runs `f` on the PCB without cloning its `Arc` (the hot send path).
    pub(crate) fn with<R>(&self, number: u64, f: impl FnOnce(Option<&Arc<Pcb>>) -> R) -> R {
        f(self.shard(number).read().get(&number))
    }

    pub(crate) fn remove(&self, number: u64) -> Option<Arc<Pcb>> {
        let mut shard = self.shard(number).write();
        let pcb = shard.remove(&number);
        // A table that once held a million processes gives the memory back.
        if shard.capacity() > 1024 && shard.len() < shard.capacity() / 8 {
            let keep = shard.len() * 2;
            shard.shrink_to(keep);
        }
        pcb
    }

    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| s.read().len()).sum()
    }

    pub(crate) fn numbers(&self) -> Vec<u64> {
        let mut all = Vec::with_capacity(self.len());
        for s in self.shards.iter() {
            all.extend(s.read().keys().copied());
        }
        all.sort_unstable();
        all
    }

    pub(crate) fn all(&self) -> Vec<Arc<Pcb>> {
        let mut all = Vec::new();
        for s in self.shards.iter() {
            all.extend(s.read().values().cloned());
        }
        all
    }
}
