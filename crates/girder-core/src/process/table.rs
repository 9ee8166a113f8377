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
use std::sync::atomic::{AtomicUsize, Ordering};

use crossbeam_utils::CachePadded;
use parking_lot::{Mutex, RwLock};
use smallvec::SmallVec;

use super::task::PcbRef;
use crate::Pid;

const SHARDS: usize = 64;

/// Slots freed from another thread wait in their shard's `dead` list until
/// this many have gathered; then that thread frees them all at once.
const DEAD_BATCH: usize = 64;

#[derive(Default)]
struct Slab {
    /// Each slot: its current generation, and the process in it, if any.
    slots: Vec<(u32, Option<PcbRef>)>,
    free: Vec<u32>,
}

impl Slab {
    /// Empties a slot; the next process there gets the next generation.
    fn free(&mut self, slot: usize) -> Option<PcbRef> {
        let entry = self.slots.get_mut(slot)?;
        let pcb = entry.1.take()?;
        entry.0 = entry.0.wrapping_add(1);
        self.free.push(slot as u32);
        Some(pcb)
    }
}

/// One shard. What its home thread writes at every spawn (the slab and its
/// lock, `home_live`) and what other threads write at every exit (`remote`)
/// sit on separate cache lines: in a spawn burst whose processes run and
/// exit on another core, neither core's writes evict the other's lines.
#[derive(Default)]
#[repr(align(128))]
struct Shard {
    slab: RwLock<Slab>,
    /// Processes spawned into this shard less those that exited on its home
    /// thread. Written only under the slab's write lock, so a load and a
    /// store (no read-modify-write); read without it by `len`.
    home_live: AtomicUsize,
    remote: CachePadded<Remote>,
}

/// The part of a shard other threads write.
#[derive(Default)]
struct Remote {
    /// Slots of processes that exited on a thread other than the shard's
    /// home thread, freed in a batch by whoever adds the `DEAD_BATCH`th.
    dead: Mutex<Vec<u32>>,
    /// Processes of this shard that exited on another thread (their slots
    /// may still wait in `dead`). Written only under `dead`'s lock.
    exited: AtomicUsize,
}

impl Shard {
    /// Live processes (exited ones waiting in `dead` are not counted).
    fn live(&self) -> usize {
        let exited = self.remote.exited.load(Ordering::Relaxed);
        self.home_live.load(Ordering::Relaxed).wrapping_sub(exited)
    }
}

/// Adds `n` (wrapping) to a counter whose writers all hold the same lock:
/// a load and a store, which other threads may read at any time.
#[inline]
fn add(counter: &AtomicUsize, n: usize) {
    let v = counter.load(Ordering::Relaxed).wrapping_add(n);
    counter.store(v, Ordering::Relaxed);
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
    #[inline]
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

    /// Takes a free slot, builds the process for its pid with `make`, and
    /// stores the PCB reference `make` returns; returns the rest. One lock
    /// acquisition, on the calling thread's own shard.
    pub(crate) fn insert_new<R>(&self, make: impl FnOnce(Pid) -> (PcbRef, R)) -> R {
        let shard = self.home();
        let sh = &self.shards[shard];
        let mut slab = sh.slab.write();
        let slot = match slab.free.pop() {
            Some(slot) => slot as usize,
            None => {
                slab.slots.push((0, None));
                slab.slots.len() - 1
            }
        };
        let generation = slab.slots[slot].0;
        add(&sh.home_live, 1);
        let pid = Pid::from_parts(
            crate::LOCAL_NODE,
            (slot * SHARDS + shard) as u32,
            generation,
        );
        let (pcb, rest) = make(pid);
        slab.slots[slot].1 = Some(pcb);
        rest
    }

    pub(crate) fn get(&self, pid: Pid) -> Option<PcbRef> {
        self.with(pid, |p| p.cloned())
    }

    /// Runs `f` on the PCB without counting a reference (the hot send path).
    /// A process that has exited is not found, even while its slot waits to
    /// be freed.
    pub(crate) fn with<R>(&self, pid: Pid, f: impl FnOnce(Option<&PcbRef>) -> R) -> R {
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
                let freed = slab.free(slot);
                if freed.is_some() {
                    add(&sh.home_live, usize::MAX);
                }
                freed
            };
            // The PCB is dropped outside the lock.
            drop(freed);
            return;
        }
        let mut freed = SmallVec::<[PcbRef; DEAD_BATCH]>::new();
        {
            let mut dead = sh.remote.dead.lock();
            add(&sh.remote.exited, 1);
            dead.push(slot as u32);
            if dead.len() < DEAD_BATCH {
                return;
            }
            // The dead list keeps its buffer, and the freed references wait
            // on the stack: a batch allocates nothing. (Lock order: `dead`,
            // then the slab; nothing takes them the other way round.)
            let mut slab = sh.slab.write();
            freed.extend(dead.drain(..).filter_map(|slot| slab.free(slot as usize)));
        }
        // The PCBs are dropped outside the locks.
        drop(freed);
    }

    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(Shard::live).sum()
    }

    /// Runs `f` on every live process (not on exited ones whose slot waits
    /// to be freed), one shard's read lock at a time.
    fn for_each_live(&self, mut f: impl FnMut(&PcbRef)) {
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
    pub(crate) fn all(&self) -> Vec<PcbRef> {
        let mut all = Vec::new();
        self.for_each_live(|p| all.push(p.clone()));
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::pcb::Pcb;
    use crate::process::task;
    use std::sync::Arc;

    /// A process that is never run: its table entry, and a reference of
    /// its own for the test to end it with.
    fn insert(t: &ProcessTable) -> PcbRef {
        t.insert_new(|pid| {
            let (table_ref, runnable) = task::allocate(0, Pcb::new(pid, 0, 0), async {});
            drop(runnable);
            let own = table_ref.clone();
            (table_ref, own)
        })
    }

    #[test]
    fn stale_pids_miss_and_slots_are_reused() {
        let t = ProcessTable::new();
        let a = insert(&t).pid();
        assert!(t.get(a).is_some());
        t.remove(a);
        assert!(t.get(a).is_none());
        let b = insert(&t).pid();
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
    /// reused, with a new serial, once a batch has gathered.
    #[test]
    fn exits_on_another_thread_free_their_slots_in_batches() {
        let t = Arc::new(ProcessTable::new());
        let pcbs: Vec<PcbRef> = (0..DEAD_BATCH).map(|_| insert(&t)).collect();
        let pids: Vec<Pid> = pcbs.iter().map(|p| p.pid()).collect();
        assert_eq!(t.len(), DEAD_BATCH);
        let exit_elsewhere = |pcbs: Vec<PcbRef>| {
            let t2 = t.clone();
            std::thread::spawn(move || {
                for pcb in pcbs {
                    pcb.set_exited();
                    t2.remove(pcb.pid());
                }
            })
            .join()
            .expect("remover");
        };
        let mut pcbs = pcbs;
        let last = pcbs.split_off(DEAD_BATCH - 1);
        exit_elsewhere(pcbs);
        assert_eq!(t.len(), 1);
        assert!(pids[..DEAD_BATCH - 1].iter().all(|&p| t.get(p).is_none()));
        assert_eq!(t.pids(), vec![pids[DEAD_BATCH - 1]]);
        let before_batch = insert(&t).pid();
        assert!(
            pids.iter().all(|p| p.id() != before_batch.id()),
            "slots wait in the dead list until a batch has gathered"
        );
        exit_elsewhere(last);
        assert_eq!(t.len(), 1);
        let again = insert(&t).pid();
        assert!(
            pids.iter().any(|p| p.id() == again.id()),
            "a slot freed by another thread is reused"
        );
        assert!(!pids.contains(&again), "with a new serial");
        assert_eq!(t.pids(), {
            let mut v = vec![before_batch, again];
            v.sort_unstable();
            v
        });
    }
}
