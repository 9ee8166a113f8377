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

use parking_lot::{Mutex, RwLock};

use super::pcb::Pcb;
use crate::Pid;

const SHARDS: usize = 64;

/// Slots freed from another thread wait in their shard's `dead` list until
/// this many have gathered (or the shard's home thread spawns again).
const DEAD_BATCH: usize = 64;

#[derive(Default)]
struct Slab {
    /// Each slot: its current generation, and the process in it, if any.
    slots: Vec<(u32, Option<Arc<Pcb>>)>,
    free: Vec<u32>,
}

impl Slab {
    /// Empties a slot; the next process there gets the next generation.
    fn free(&mut self, slot: usize) -> Option<Arc<Pcb>> {
        let entry = self.slots.get_mut(slot)?;
        let pcb = entry.1.take()?;
        entry.0 = entry.0.wrapping_add(1);
        self.free.push(slot as u32);
        Some(pcb)
    }
}

#[derive(Default)]
struct Shard {
    slab: RwLock<Slab>,
    /// Slots of processes that exited on a thread other than the shard's
    /// home thread: freed in a batch, by the home thread when it next
    /// spawns, or by whoever adds the `DEAD_BATCH`th.
    dead: Mutex<Vec<u32>>,
    /// `dead.len()`, readable without the lock.
    dead_count: AtomicUsize,
    /// Live processes (exited ones waiting in `dead` are not counted).
    live: AtomicUsize,
}

pub(crate) struct ProcessTable {
    shards: Box<[Shard]>,
    /// Hands each thread a different starting shard.
    next_home: AtomicUsize,
}

thread_local! {
    static HOME: Cell<usize> = const { Cell::new(usize::MAX) };
}

impl ProcessTable {
    pub(crate) fn new() -> ProcessTable {
        let shards: Box<[Shard]> = (0..SHARDS).map(|_| Shard::default()).collect();
        // Slot 0 of shard 0 is `<0.0.0>`, the runtime's own pid: never a process.
        shards[0].slab.write().slots.push((0, None));
        ProcessTable {
            shards,
            next_home: AtomicUsize::new(0),
        }
    }

    fn locate(pid: Pid) -> (usize, usize, u32) {
        let id = pid.id() as usize;
        (id % SHARDS, id / SHARDS, pid.serial())
    }

    /// This thread's shard: the one it spawns into.
    fn home(&self) -> usize {
        HOME.with(|h| {
            let mut home = h.get();
            if home == usize::MAX {
                home = self.next_home.fetch_add(1, Ordering::Relaxed) % SHARDS;
                h.set(home);
            }
            home
        })
    }

    /// Takes a free slot, builds the PCB for its pid with `make`, and stores
    /// it; returns (a clone of) what it stored. One lock acquisition (two
    /// when slots freed elsewhere are waiting to be reused).
    pub(crate) fn insert_new(&self, make: impl FnOnce(Pid) -> Arc<Pcb>) -> Arc<Pcb> {
        let shard = self.home();
        let sh = &self.shards[shard];
        let mut slab = sh.slab.write();
        let dead = if sh.dead_count.load(Ordering::Relaxed) > 0 {
            Some(take_dead(sh, &mut slab))
        } else {
            None
        };
        let slot = match slab.free.pop() {
            Some(slot) => slot as usize,
            None => {
                slab.slots.push((0, None));
                slab.slots.len() - 1
            }
        };
        let generation = slab.slots[slot].0;
        sh.live.fetch_add(1, Ordering::Relaxed);
        let pid = Pid::from_parts(
            crate::LOCAL_NODE,
            (slot * SHARDS + shard) as u32,
            generation,
        );
        let pcb = make(pid);
        slab.slots[slot].1 = Some(pcb.clone());
        drop(slab);
        // The freed PCBs are dropped outside the lock.
        drop(dead);
        pcb
    }

    pub(crate) fn get(&self, pid: Pid) -> Option<Arc<Pcb>> {
        self.with(pid, |p| p.cloned())
    }

    /// Runs `f` on the PCB without cloning its `Arc` (the hot send path).
    /// A process that has exited is not found, even while its slot waits to
    /// be freed.
    pub(crate) fn with<R>(&self, pid: Pid, f: impl FnOnce(Option<&Arc<Pcb>>) -> R) -> R {
        let (shard, slot, generation) = Self::locate(pid);
        let slab = self.shards[shard].slab.read();
        let pcb = slab
            .slots
            .get(slot)
            .filter(|(g, _)| *g == generation)
            .and_then(|(_, p)| p.as_ref())
            .filter(|p| !p.is_exited());
        f(pcb)
    }

    /// Frees the slot of `pid` (which has exited); the next process there
    /// gets a new serial. On the shard's home thread at once; from any other
    /// thread the slot joins the shard's `dead` list, so exits on another
    /// core do not take the spawning thread's shard lock one by one.
    pub(crate) fn remove(&self, pid: Pid) {
        let (shard, slot, generation) = Self::locate(pid);
        let sh = &self.shards[shard];
        if shard == self.home() {
            let freed = {
                let mut slab = sh.slab.write();
                if slab.slots.get(slot).is_none_or(|(g, _)| *g != generation) {
                    return;
                }
                slab.free(slot)
            };
            if freed.is_some() {
                sh.live.fetch_sub(1, Ordering::Relaxed);
            }
            return;
        }
        sh.live.fetch_sub(1, Ordering::Relaxed);
        let batch = {
            let mut dead = sh.dead.lock();
            dead.push(slot as u32);
            sh.dead_count.store(dead.len(), Ordering::Relaxed);
            if dead.len() < DEAD_BATCH {
                return;
            }
            drop(dead);
            let mut slab = sh.slab.write();
            take_dead(sh, &mut slab)
        };
        drop(batch);
    }

    pub(crate) fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.live.load(Ordering::Relaxed))
            .sum()
    }

    /// Runs `f` on every live process (not on exited ones whose slot waits
    /// to be freed), one shard's read lock at a time.
    fn for_each_live(&self, mut f: impl FnMut(&Arc<Pcb>)) {
        for s in self.shards.iter() {
            let slab = s.slab.read();
            for pcb in slab.slots.iter().filter_map(|(_, p)| p.as_ref()) {
                if !pcb.is_exited() {
                    f(pcb);
                }
            }
        }
    }

    /// Every live pid, sorted.
    pub(crate) fn pids(&self) -> Vec<Pid> {
        let mut all = Vec::with_capacity(self.len());
        self.for_each_live(|p| all.push(p.pid()));
        all.sort_unstable();
        all
    }

    /// Every live process.
    pub(crate) fn all(&self) -> Vec<Arc<Pcb>> {
        let mut all = Vec::new();
        self.for_each_live(|p| all.push(p.clone()));
        all
    }
}

/// Frees every slot in the shard's `dead` list (the caller holds the slab's
/// write lock); returns the PCBs, to be dropped after the lock.
fn take_dead(sh: &Shard, slab: &mut Slab) -> Vec<Arc<Pcb>> {
    let slots = {
        let mut dead = sh.dead.lock();
        sh.dead_count.store(0, Ordering::Relaxed);
        std::mem::take(&mut *dead)
    };
    slots
        .into_iter()
        .filter_map(|slot| slab.free(slot as usize))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_pids_miss_and_slots_are_reused() {
        let t = ProcessTable::new();
        let a = t.insert_new(|pid| Arc::new(Pcb::new(pid, 0, 0))).pid();
        assert!(t.get(a).is_some());
        t.remove(a);
        assert!(t.get(a).is_none());
        let b = t.insert_new(|pid| Arc::new(Pcb::new(pid, 0, 0))).pid();
        assert_eq!(a.id(), b.id(), "same slot");
        assert_ne!(a, b, "new serial");
        assert!(
            t.get(a).is_none(),
            "the stale pid does not reach the new process"
        );
        t.remove(a);
        assert_eq!(t.len(), 1);
        assert_eq!(t.pids(), vec![b]);
    }

    /// Exits on another thread free their slots in batches: the exited
    /// process is gone at once (not found, not counted), and its slot is
    /// reused, with a new serial, once the home thread spawns again.
    #[test]
    fn exits_on_another_thread_free_their_slots_later() {
        let t = Arc::new(ProcessTable::new());
        let pcbs: Vec<Arc<Pcb>> = (0..10)
            .map(|_| t.insert_new(|pid| Arc::new(Pcb::new(pid, 0, 0))))
            .collect();
        let pids: Vec<Pid> = pcbs.iter().map(|p| p.pid()).collect();
        assert_eq!(t.len(), 10);
        let t2 = t.clone();
        std::thread::spawn(move || {
            for pcb in pcbs {
                pcb.set_exited();
                t2.remove(pcb.pid());
            }
        })
        .join()
        .expect("remover");
        assert_eq!(t.len(), 0);
        assert!(pids.iter().all(|&p| t.get(p).is_none()));
        assert!(t.pids().is_empty());
        let again = t.insert_new(|pid| Arc::new(Pcb::new(pid, 0, 0))).pid();
        assert!(
            pids.iter().any(|p| p.id() == again.id()),
            "a slot freed by another thread is reused"
        );
        assert!(!pids.contains(&again), "with a new serial");
        assert_eq!(t.pids(), vec![again]);
    }
}
