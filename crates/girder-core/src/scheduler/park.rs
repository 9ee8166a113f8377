//! Parking idle schedulers and waking exactly as many as there is work.
//!
//! The protocol is the store-buffer (Dekker) pattern:
//!
//! * A scheduler that found no work *announces* itself (pushes its index on
//!   the sleeper list and increments `num_sleeping`, then a `SeqCst` fence),
//!   *re-checks* every queue, and only then parks.
//! * Whoever makes work available pushes it, issues a `SeqCst` fence, and
//!   then reads `num_sleeping`; if it is non-zero it pops one sleeper and
//!   unparks it.
//!
//! Because both sides write then fence then read, at least one of them sees
//! the other: either the scheduler's re-check finds the work, or the pusher
//! finds the sleeper. No wake-up is lost, and each push wakes at most one
//! scheduler. The `loom_` tests below check this exhaustively.
//!
//! A [`Parker`] is a flag plus a condition variable; an unpark that comes
//! before the park is remembered, so the park returns at once.

use crate::sync::atomic::{AtomicUsize, Ordering, fence};
use crate::sync::{Condvar, Mutex};

pub(crate) struct Parker {
    notified: Mutex<bool>,
    cvar: Condvar,
}

impl Parker {
    pub(crate) fn new() -> Parker {
        Parker {
            notified: Mutex::new(false),
            cvar: Condvar::new(),
        }
    }

    /// Blocks until unparked (or returns at once if an unpark is pending).
    pub(crate) fn park(&self) {
        let mut n = self.notified.lock().unwrap_or_else(|e| e.into_inner());
        while !*n {
            n = self.cvar.wait(n).unwrap_or_else(|e| e.into_inner());
        }
        *n = false;
    }

    pub(crate) fn unpark(&self) {
        *self.notified.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.cvar.notify_one();
    }
}

pub(crate) struct Idle {
    num_sleeping: AtomicUsize,
    sleepers: Mutex<Vec<usize>>,
    parkers: Vec<Parker>,
}

impl Idle {
    pub(crate) fn new(workers: usize) -> Idle {
        Idle {
            num_sleeping: AtomicUsize::new(0),
            sleepers: Mutex::new(Vec::with_capacity(workers)),
            parkers: (0..workers).map(|_| Parker::new()).collect(),
        }
    }

    /// Step one of parking: announce that scheduler `index` is about to
    /// sleep. The caller must re-check for work afterwards.
    pub(crate) fn announce(&self, index: usize) {
        self.sleepers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(index);
        // SeqCst pairs with the fence in `notify_one` (store-buffer pattern).
        self.num_sleeping.fetch_add(1, Ordering::SeqCst);
        fence(Ordering::SeqCst);
    }

    /// Takes scheduler `index` off the sleeper list if it is still there
    /// (it found work on its re-check, or woke spuriously). Returns `false`
    /// if a notifier already took it off (and unparked it).
    pub(crate) fn withdraw(&self, index: usize) -> bool {
        let mut s = self.sleepers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pos) = s.iter().position(|&i| i == index) {
            s.swap_remove(pos);
            self.num_sleeping.fetch_sub(1, Ordering::SeqCst);
            true
        } else {
            false
        }
    }

    /// Step two of parking: sleep until a notifier picks this scheduler.
    pub(crate) fn park(&self, index: usize) {
        self.parkers[index].park();
    }

    /// Called after making work available: wakes one sleeping scheduler, if
    /// any.
    pub(crate) fn notify_one(&self) {
        // SeqCst pairs with the fence in `announce`: the work pushed before
        // this fence is visible to a scheduler whose announcement we miss.
        fence(Ordering::SeqCst);
        if self.num_sleeping.load(Ordering::SeqCst) == 0 {
            return;
        }
        let picked = {
            let mut s = self.sleepers.lock().unwrap_or_else(|e| e.into_inner());
            let picked = s.pop();
            if picked.is_some() {
                self.num_sleeping.fetch_sub(1, Ordering::SeqCst);
            }
            picked
        };
        if let Some(i) = picked {
            self.parkers[i].unpark();
        }
    }

    /// Wakes every scheduler (shutdown).
    pub(crate) fn notify_all(&self) {
        let all: Vec<usize> = {
            let mut s = self.sleepers.lock().unwrap_or_else(|e| e.into_inner());
            self.num_sleeping.fetch_sub(s.len(), Ordering::SeqCst);
            s.drain(..).collect()
        };
        drop(all);
        for p in &self.parkers {
            p.unpark();
        }
    }
}

#[cfg(all(test, girder_loom))]
mod tests {
    use super::*;
    use crate::sync::Arc;
    use loom::thread;

    /// One scheduler, one producer: the scheduler takes the work whatever
    /// the interleaving; the wake-up is never lost (the model would
    /// deadlock otherwise).
    #[test]
    fn loom_no_lost_wakeup() {
        loom::model(|| {
            let idle = Arc::new(Idle::new(1));
            let work = Arc::new(AtomicUsize::new(0));
            let (i2, w2) = (idle.clone(), work.clone());
            let producer = thread::spawn(move || {
                w2.fetch_add(1, Ordering::Relaxed);
                i2.notify_one();
            });
            loop {
                if work.load(Ordering::Relaxed) > 0 {
                    break;
                }
                idle.announce(0);
                if work.load(Ordering::Relaxed) > 0 {
                    idle.withdraw(0);
                    break;
                }
                idle.park(0);
                idle.withdraw(0);
            }
            producer.join().unwrap();
        });
    }

    /// Two schedulers, two pieces of work pushed by two producers: both
    /// pieces are taken and every scheduler that parks is woken or finds
    /// work.
    #[test]
    fn loom_two_sleepers_two_items() {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(3);
        builder.check(|| {
            let idle = Arc::new(Idle::new(2));
            let work = Arc::new(AtomicUsize::new(0));
            let taken = Arc::new(AtomicUsize::new(0));
            let mut handles = Vec::new();
            for _ in 0..2 {
                let (i2, w2) = (idle.clone(), work.clone());
                handles.push(thread::spawn(move || {
                    w2.fetch_add(1, Ordering::SeqCst);
                    i2.notify_one();
                }));
            }
            let worker =
                |index: usize, idle: Arc<Idle>, work: Arc<AtomicUsize>, taken: Arc<AtomicUsize>| {
                    move || {
                        let try_take = || {
                            let mut cur = work.load(Ordering::SeqCst);
                            while cur > 0 {
                                match work.compare_exchange(
                                    cur,
                                    cur - 1,
                                    Ordering::SeqCst,
                                    Ordering::SeqCst,
                                ) {
                                    Ok(_) => {
                                        taken.fetch_add(1, Ordering::SeqCst);
                                        return true;
                                    }
                                    Err(c) => cur = c,
                                }
                            }
                            false
                        };
                        // Each scheduler takes one item, then stops.
                        loop {
                            if try_take() || taken.load(Ordering::SeqCst) == 2 {
                                return;
                            }
                            idle.announce(index);
                            if try_take() || taken.load(Ordering::SeqCst) == 2 {
                                idle.withdraw(index);
                                // Whoever took the last item wakes the other.
                                idle.notify_one();
                                return;
                            }
                            idle.park(index);
                            idle.withdraw(index);
                        }
                    }
                };
            let w1 = thread::spawn(worker(0, idle.clone(), work.clone(), taken.clone()));
            worker(1, idle.clone(), work.clone(), taken.clone())();
            idle.notify_all();
            w1.join().unwrap();
            for h in handles {
                h.join().unwrap();
            }
            assert_eq!(taken.load(Ordering::SeqCst), 2);
        });
    }
}
