//! The process table: pid → PCB, for every live local process.
//!
//! Like erts' process table, a pid's `ID` is an index into the table and its
//! `Serial` is the generation of that slot: when a process exits its slot is
//! freed and the next process in that slot gets the next generation, so a
//! stale pid finds a different generation and is treated as dead. (A slot
//! would have to be reused 2^32 times for a serial to repeat.)
//!
//! The table is split into shards, each a slab behind its own reader-writer
//! lock; `ID = slot * SHARDS + shard`. Each thread spawns into a shard of its
//! own choosing (rotating from a per-thread start), so schedulers rarely meet
//! on one lock, and a lookup is an index, not a hash.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use parking_lot::RwLock;

use super::pcb::Pcb;
use crate::Pid;

const SHARDS: usize = 64;

#[derive(Default)]
struct Slab {
    /// Each slot: its current generation, and the process in it, if any.
    slots: Vec<(u32, Option<Arc<Pcb>>)>,
    free: Vec<u32>,
    live: usize,
}

pub(crate) struct ProcessTable {
    shards: Box<[RwLock<Slab>]>,
    /// Hands each thread a different starting shard.
    next_home: AtomicUsize,
}

thread_local! {
    static HOME: Cell<usize> = const { Cell::new(usize::MAX) };
}

impl ProcessTable {
    pub(crate) fn new() -> ProcessTable {
        let shards: Box<[RwLock<Slab>]> = (0..SHARDS).map(|_| RwLock::default()).collect();
        // Slot 0 of shard 0 is `<0.0.0>`, the runtime's own pid: never a process.
        shards[0].write().slots.push((0, None));
        ProcessTable {
            shards,
            next_home: AtomicUsize::new(0),
        }
    }

    fn locate(pid: Pid) -> (usize, usize, u32) {
        let id = pid.id() as usize;
        (id % SHARDS, id / SHARDS, pid.serial())
    }

    /// Takes a free slot, builds the PCB for its pid with `make`, and stores
    /// it; returns (a clone of) what it stored. One lock acquisition.
    pub(crate) fn insert_new(&self, make: impl FnOnce(Pid) -> Arc<Pcb>) -> Arc<Pcb> {
        let shard = HOME.with(|h| {
            let mut home = h.get();
            if home == usize::MAX {
                home = self.next_home.fetch_add(1, Ordering::Relaxed) % SHARDS;
            }
            h.set(home);
            home
        });
        let mut slab = self.shards[shard].write();
        let slot = match slab.free.pop() {
            Some(slot) => slot as usize,
            None => {
                slab.slots.push((0, None));
                slab.slots.len() - 1
            }
        };
        let generation = slab.slots[slot].0;
        slab.live += 1;
        let pid = Pid::from_parts(
            crate::LOCAL_NODE,
            (slot * SHARDS + shard) as u32,
            generation,
        );
        let pcb = make(pid);
        slab.slots[slot].1 = Some(pcb.clone());
        pcb
    }

    pub(crate) fn get(&self, pid: Pid) -> Option<Arc<Pcb>> {
        self.with(pid, |p| p.cloned())
    }

    /// Runs `f` on the PCB without cloning its `Arc` (the hot send path).
    pub(crate) fn with<R>(&self, pid: Pid, f: impl FnOnce(Option<&Arc<Pcb>>) -> R) -> R {
        let (shard, slot, generation) = Self::locate(pid);
        let slab = self.shards[shard].read();
        let pcb = slab
            .slots
            .get(slot)
            .filter(|(g, _)| *g == generation)
            .and_then(|(_, p)| p.as_ref());
        f(pcb)
    }

    /// Frees the slot of `pid`; the next process there gets a new serial.
    pub(crate) fn remove(&self, pid: Pid) -> Option<Arc<Pcb>> {
        let (shard, slot, generation) = Self::locate(pid);
        let mut slab = self.shards[shard].write();
        let entry = slab.slots.get_mut(slot)?;
        if entry.0 != generation {
            return None;
        }
        let pcb = entry.1.take();
        entry.0 = entry.0.wrapping_add(1);
        slab.free.push(slot as u32);
        slab.live -= 1;
        pcb
    }

    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| s.read().live).sum()
    }

    /// Every live pid, sorted.
    pub(crate) fn pids(&self) -> Vec<Pid> {
        let mut all = Vec::with_capacity(self.len());
        for s in self.shards.iter() {
            all.extend(
                s.read()
                    .slots
                    .iter()
                    .filter_map(|(_, p)| p.as_ref().map(|p| p.pid())),
            );
        }
        all.sort_unstable();
        all
    }

    pub(crate) fn all(&self) -> Vec<Arc<Pcb>> {
        let mut all = Vec::new();
        for s in self.shards.iter() {
            all.extend(s.read().slots.iter().filter_map(|(_, p)| p.clone()));
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_pids_miss_and_slots_are_reused() {
        let t = ProcessTable::new();
        let a = t.insert_new(|pid| Arc::new(Pcb::new(pid, 0, 0))).pid();
        assert!(t.get(a).is_some());
        assert!(t.remove(a).is_some());
        assert!(t.get(a).is_none());
        let b = t.insert_new(|pid| Arc::new(Pcb::new(pid, 0, 0))).pid();
        assert_eq!(a.id(), b.id(), "same slot");
        assert_ne!(a, b, "new serial");
        assert!(
            t.get(a).is_none(),
            "the stale pid does not reach the new process"
        );
        assert!(t.remove(a).is_none());
        assert_eq!(t.len(), 1);
        assert_eq!(t.pids(), vec![b]);
    }
}
