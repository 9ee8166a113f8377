//! The outer signal queue of a process: many producers, one consumer.
//!
//! Any thread pushes; only the owning process drains, at its scheduling
//! points. The queue is a mutex-guarded buffer plus one lock-free flag,
//! `pending`, that lets the owner skip the lock when nothing is queued —
//! the common case on every poll.
//!
//! ## The protocol, and why no signal is ever stranded
//!
//! * `push` (under the lock): appends, sets `pending` (Release), and if the
//!   buffer was empty before, wakes the owner's waker.
//! * `drain`: reads `pending` (Acquire); if clear, returns at once. Otherwise,
//!   under the lock, clears `pending` and takes signals in order.
//!
//! Invariant: whenever the buffer is non-empty, `pending` is set — it is set
//! in the same critical section as the append and cleared only in a critical
//! section that empties the buffer (or, when the owner stops early, re-set if
//! anything is left). So if the owner reads `pending == false` while a push
//! races with it, that push found the buffer empty and woke the owner, which
//! will drain again. The `loom_` tests model exactly this.
//!
//! Closing (process exit) happens under the lock; a push to a closed queue
//! fails and hands the signal back.

use std::ops::ControlFlow;
use std::task::Waker;

use crate::lazy_deque::LazyDeque;
use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::{Lock, LockGuard};

struct State<T> {
    buffer: LazyDeque<T>,
    waker: Option<Waker>,
}

pub(crate) struct SignalQueue<T> {
    state: Lock<State<T>>,
    pending: AtomicBool,
    /// Written only under the lock.
    closed: AtomicBool,
}

impl<T> SignalQueue<T> {
    pub(crate) fn new() -> SignalQueue<T> {
        SignalQueue {
            state: Lock::new(State {
                buffer: LazyDeque::new(),
                waker: None,
            }),
            pending: AtomicBool::new(false),
            closed: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> LockGuard<'_, State<T>> {
        self.state.lock()
    }

    /// Appends `item`; wakes the owner if it may be waiting (and then says
    /// so). Fails, handing the item back, once the queue is closed.
    pub(crate) fn push(&self, item: T) -> Result<bool, T> {
        let mut st = self.lock();
        if self.closed.load(Ordering::Relaxed) {
            return Err(item);
        }
        let was_empty = st.buffer.is_empty();
        st.buffer.push_back(item);
        // Release: pairs with the owner's Acquire in `drain`.
        self.pending.store(true, Ordering::Release);
        match &st.waker {
            Some(w) if was_empty => {
                w.wake_by_ref();
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Whether anything may be queued (a hint; exact when it says `false`
    /// to the owner, thanks to the wake-up rule above).
    pub(crate) fn has_pending(&self) -> bool {
        self.pending.load(Ordering::Acquire)
    }

    /// Hands queued items to `f` in order, until the queue is empty or `f`
    /// breaks (the rest stay queued). Returns whether anything was taken.
    pub(crate) fn drain(&self, mut f: impl FnMut(T) -> ControlFlow<()>) -> bool {
        if !self.pending.load(Ordering::Acquire) {
            return false;
        }
        let mut st = self.lock();
        self.pending.store(false, Ordering::Relaxed);
        let mut took = false;
        while let Some(item) = st.buffer.pop_front() {
            took = true;
            if f(item).is_break() {
                break;
            }
        }
        if !st.buffer.is_empty() {
            self.pending.store(true, Ordering::Relaxed);
        } else {
            st.buffer.release_if_empty(16);
        }
        took
    }

    /// Stores the owner's waker (once, the first time it is about to wait).
    /// Returns whether anything is queued: a push that came before the
    /// waker was stored woke nobody, so the owner must look again.
    pub(crate) fn set_waker(&self, waker: Waker) -> bool {
        let mut st = self.lock();
        st.waker = Some(waker);
        !st.buffer.is_empty()
    }

    /// Closes the queue: later pushes fail. Returns what was still queued and
    /// the waker, to be dropped outside the lock.
    pub(crate) fn close(&self) -> (LazyDeque<T>, Option<Waker>) {
        let mut st = self.lock();
        self.closed.store(true, Ordering::Relaxed);
        self.pending.store(false, Ordering::Relaxed);
        (st.buffer.take(), st.waker.take())
    }

    /// Runs `f` over the queued items (introspection).
    pub(crate) fn inspect<R>(&self, f: impl FnOnce(&LazyDeque<T>) -> R) -> R {
        f(&self.lock().buffer)
    }
}

#[cfg(all(test, girder_loom))]
mod tests {
    use super::*;
    use crate::sync::Arc;
    use loom::thread;
    use std::task::Wake;

    /// A waker that unparks the modelled owner.
    struct Unpark(loom::sync::Notify);
    impl Wake for Unpark {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.notify();
        }
        fn wake_by_ref(self: &std::sync::Arc<Self>) {
            self.0.notify();
        }
    }

    /// Two producers, one owner that parks whenever a drain finds nothing
    /// and is unparked only by the queue's wake-ups: it always receives all
    /// three items, each producer's in order. A lost wake-up would leave the
    /// owner parked forever, which loom reports as a deadlock.
    #[test]
    fn loom_no_signal_is_stranded() {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(3);
        builder.check(|| {
            let q = Arc::new(SignalQueue::<(u8, u8)>::new());
            let unpark = std::sync::Arc::new(Unpark(loom::sync::Notify::new()));
            assert!(!q.set_waker(Waker::from(unpark.clone())));
            let producers: Vec<_> = (0..2u8)
                .map(|p| {
                    let q = q.clone();
                    thread::spawn(move || {
                        q.push((p, 0)).unwrap_or_else(|_| panic!("open"));
                        if p == 0 {
                            q.push((p, 1)).unwrap_or_else(|_| panic!("open"));
                        }
                    })
                })
                .collect();
            let mut got = Vec::new();
            while got.len() < 3 {
                let took = q.drain(|item| {
                    got.push(item);
                    ControlFlow::Continue(())
                });
                if !took {
                    unpark.0.wait();
                }
            }
            for p in producers {
                p.join().unwrap();
            }
            let zero: Vec<_> = got.iter().filter(|(p, _)| *p == 0).collect();
            assert_eq!(zero, [&(0, 0), &(0, 1)]);
            assert!(!q.has_pending());
        });
    }

    /// The owner stores its waker only when it first waits: a push that
    /// races with that (and so may find no waker to wake) is seen by
    /// `set_waker`'s answer, and the owner drains it.
    #[test]
    fn loom_waker_stored_late() {
        loom::model(|| {
            let q = Arc::new(SignalQueue::<u8>::new());
            let unpark = std::sync::Arc::new(Unpark(loom::sync::Notify::new()));
            let q2 = q.clone();
            let producer = thread::spawn(move || q2.push(1).is_ok());
            let mut got = Vec::new();
            let mut waker_stored = false;
            loop {
                q.drain(|item| {
                    got.push(item);
                    ControlFlow::Continue(())
                });
                if !got.is_empty() {
                    break;
                }
                if !waker_stored {
                    waker_stored = true;
                    if q.set_waker(Waker::from(unpark.clone())) {
                        continue;
                    }
                }
                // Parks until the push's wake-up (loom may also wake it
                // spuriously, hence the loop).
                unpark.0.wait();
            }
            assert!(producer.join().unwrap());
            assert_eq!(got, [1]);
        });
    }

    /// A push racing with close either lands before the close (and is
    /// returned by it) or fails; never lost.
    #[test]
    fn loom_push_close_race() {
        loom::model(|| {
            let q = Arc::new(SignalQueue::<u8>::new());
            let q2 = q.clone();
            let pusher = thread::spawn(move || q2.push(7).is_ok());
            let (left, _) = q.close();
            let pushed = pusher.join().unwrap();
            let after: Vec<u8> = q.inspect(|b| b.iter().copied().collect());
            assert!(after.is_empty());
            assert_eq!(pushed, left.len() == 1);
        });
    }
}
