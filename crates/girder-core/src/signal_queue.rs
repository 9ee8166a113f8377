//! The signal queue of a process: many producers, one consumer, and the
//! owner's own state (its mailbox, links and monitors) behind the same lock.
//!
//! Any thread pushes; only the owning process acts on what was pushed. One
//! lock guards the queued signals (erts' outer queue) and the owner's state
//! together, so a message goes straight into the receiver's mailbox under
//! one lock acquisition, and a receive takes the lock once to pick its
//! message (two locks took three lock pairs and two queue moves per
//! message).
//!
//! Order is kept by one rule: a message goes straight to the owner
//! ([`Owner::deliver`]) only while no signal is queued ahead of it; control
//! signals (exit, link, monitor, ...) are queued for the owner to act on, and
//! messages that arrive behind them wait their turn in the queue.
//!
//! ## Wake-ups, and why none is lost
//!
//! * A control signal always wakes the owner, and sets [`CONTROL`] in the
//!   lock-free byte `pending`: between polls the owner reads `pending`
//!   (Acquire) and takes the lock only when it has a control signal to act
//!   on (an exit signal must end the process before its code runs again).
//! * A message wakes the owner only if it is *waiting*: a receive that found
//!   nothing marks the queue waiting ([`Guard::wait`]) before it releases
//!   the lock, and the first push after that clears the mark and wakes it.
//!   A process doing something other than receiving is not woken by
//!   messages; its next receive looks at them.
//!
//! Everything is decided under the lock, except the owner's look at
//! `pending`: if it reads no `CONTROL` while a control signal is being
//! pushed, that push wakes it and it looks again. The `loom_` tests model
//! these rules.
//!
//! Closing (process exit) happens under the lock; a push to a closed queue
//! fails and hands the signal back.

use std::ops::{ControlFlow, Deref, DerefMut};
use std::task::Waker;

use crate::lazy_deque::LazyDeque;
use crate::sync::atomic::{AtomicU8, Ordering};
use crate::sync::{Lock, LockGuard};

/// A message (for a process, also a `DOWN`): delivered to the owner, or
/// queued behind a control signal.
pub(crate) const MESSAGE: u8 = 1;
/// A control signal (exit, link, monitor, ...): queued; the owner must act
/// on it at its next scheduling point.
pub(crate) const CONTROL: u8 = 2;

/// The owner's state, as the queue sees it.
pub(crate) trait Owner<T> {
    /// Takes a message straight in (no signal is queued ahead of it), or
    /// refuses it: a refused item is handed back, and the queue drops it
    /// once its lock is released (its destructor may push to this queue).
    fn deliver(&mut self, item: T) -> Option<T>;
}

struct State<T, O> {
    buffer: LazyDeque<T>,
    waker: Option<Waker>,
    closed: bool,
    /// A receive found nothing: the next message wakes the owner.
    waiting: bool,
    owner: O,
}

pub(crate) struct SignalQueue<T, O> {
    state: Lock<State<T, O>>,
    /// `MESSAGE | CONTROL`: what the queue holds. Written only under the lock.
    pending: AtomicU8,
}

/// The lock held: the owner's state (through `Deref`) and the queued
/// signals.
pub(crate) struct Guard<'a, T, O> {
    state: LockGuard<'a, State<T, O>>,
    pending: &'a AtomicU8,
}

impl<T, O: Owner<T>> SignalQueue<T, O> {
    pub(crate) fn new(owner: O) -> SignalQueue<T, O> {
        SignalQueue {
            state: Lock::new(State {
                buffer: LazyDeque::new(),
                waker: None,
                closed: false,
                waiting: false,
                owner,
            }),
            pending: AtomicU8::new(0),
        }
    }

    /// Takes the lock.
    #[inline]
    pub(crate) fn lock(&self) -> Guard<'_, T, O> {
        Guard {
            state: self.state.lock(),
            pending: &self.pending,
        }
    }

    /// Pushes `item` of `kind` ([`MESSAGE`] or [`CONTROL`]) and wakes the
    /// owner if the rules above say so; returns whether it woke it. Fails,
    /// handing the item back, once the queue is closed.
    #[inline]
    pub(crate) fn push(&self, item: T, kind: u8) -> Result<bool, T> {
        let mut guard = self.state.lock();
        let st = &mut *guard;
        if st.closed {
            return Err(item);
        }
        if kind == MESSAGE && st.buffer.is_empty() {
            if let Some(refused) = st.owner.deliver(item) {
                // Dropped once the lock is released.
                drop(guard);
                drop(refused);
                return Ok(false);
            }
        } else {
            st.buffer.push_back(item);
            // Only lock holders write `pending`: no read-modify-write needed.
            // Release pairs with the owner's Acquire in `pending`.
            let kinds = self.pending.load(Ordering::Relaxed) | kind;
            self.pending.store(kinds, Ordering::Release);
        }
        if kind == MESSAGE && !st.waiting {
            return Ok(false);
        }
        st.waiting = false;
        match &st.waker {
            Some(w) => {
                w.wake_by_ref();
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// What kinds of signal may be queued (a hint; exact when it lacks
    /// `CONTROL`, to the owner, thanks to the wake-up rule above).
    #[inline]
    pub(crate) fn pending(&self) -> u8 {
        self.pending.load(Ordering::Acquire)
    }

    /// Stores the owner's waker (once, the first time it is about to wait).
    /// Returns whether anything is queued: a push that came before the
    /// waker was stored woke nobody, so the owner must look again.
    pub(crate) fn set_waker(&self, waker: Waker) -> bool {
        let mut st = self.state.lock();
        st.waker = Some(waker);
        !st.buffer.is_empty()
    }

    /// Closes the queue: later pushes fail. Runs `f` on the owner's state
    /// in the same critical section; returns its result, what was still
    /// queued, and the waker, to be dropped outside the lock.
    pub(crate) fn close<R>(&self, f: impl FnOnce(&mut O) -> R) -> (R, LazyDeque<T>, Option<Waker>) {
        let mut st = self.state.lock();
        st.closed = true;
        self.pending.store(0, Ordering::Relaxed);
        let r = f(&mut st.owner);
        (r, st.buffer.take(), st.waker.take())
    }
}

impl<T, O> Guard<'_, T, O> {
    /// Hands queued items to `f` in order, with the owner's state, until the
    /// queue is empty or `f` breaks (the rest stay queued). Returns whether
    /// anything was taken.
    #[inline]
    pub(crate) fn take(&mut self, mut f: impl FnMut(&mut O, T) -> ControlFlow<()>) -> bool {
        let st = &mut *self.state;
        let mut took = false;
        while let Some(item) = st.buffer.pop_front() {
            took = true;
            if f(&mut st.owner, item).is_break() {
                break;
            }
        }
        if st.buffer.is_empty() {
            self.pending.store(0, Ordering::Relaxed);
            st.buffer.release_if_empty(16);
        }
        took
    }

    /// Whether anything is queued.
    #[inline]
    pub(crate) fn has_queued(&self) -> bool {
        !self.state.buffer.is_empty()
    }

    /// The queued items (introspection).
    pub(crate) fn queued(&self) -> &LazyDeque<T> {
        &self.state.buffer
    }

    /// The owner looked and found nothing it wants: the next message wakes
    /// it through `waker` (stored here if the owner has none stored yet).
    #[inline]
    pub(crate) fn wait(&mut self, waker: &Waker) {
        let st = &mut *self.state;
        st.waiting = true;
        if st.waker.is_none() {
            st.waker = Some(waker.clone());
        }
    }
}

impl<T, O> Deref for Guard<'_, T, O> {
    type Target = O;
    #[inline]
    fn deref(&self) -> &O {
        &self.state.owner
    }
}

impl<T, O> DerefMut for Guard<'_, T, O> {
    #[inline]
    fn deref_mut(&mut self) -> &mut O {
        &mut self.state.owner
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

    /// The modelled owner's mailbox.
    impl<T> Owner<T> for Vec<T> {
        fn deliver(&mut self, item: T) -> Option<T> {
            self.push(item);
            None
        }
    }

    type Queue<T> = SignalQueue<T, Vec<T>>;

    /// What a receive does: moves what is queued into the mailbox, takes the
    /// mailbox into `got`, and if it found nothing marks the queue waiting
    /// (all under one lock). Returns whether it found anything.
    fn receive<T>(q: &Queue<T>, got: &mut Vec<T>, waker: &Waker) -> bool {
        let mut g = q.lock();
        g.take(|mailbox, item| {
            mailbox.push(item);
            ControlFlow::Continue(())
        });
        let found = !g.is_empty();
        got.append(&mut g);
        if !found {
            g.wait(waker);
        }
        found
    }

    fn unpark_waker() -> (std::sync::Arc<Unpark>, Waker) {
        let unpark = std::sync::Arc::new(Unpark(loom::sync::Notify::new()));
        let waker = Waker::from(unpark.clone());
        (unpark, waker)
    }

    /// Two producers, one owner that receives, and parks whenever a receive
    /// finds nothing, unparked only by the queue's wake-ups: it always
    /// receives all three messages, each producer's in order. A lost wake-up
    /// would leave the owner parked forever, which loom reports as a
    /// deadlock.
    #[test]
    fn loom_no_message_is_stranded() {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(3);
        builder.check(|| {
            let q = Arc::new(Queue::<(u8, u8)>::new(Vec::new()));
            let (unpark, waker) = unpark_waker();
            let producers: Vec<_> = (0..2u8)
                .map(|p| {
                    let q = q.clone();
                    thread::spawn(move || {
                        q.push((p, 0), MESSAGE).unwrap_or_else(|_| panic!("open"));
                        if p == 0 {
                            q.push((p, 1), MESSAGE).unwrap_or_else(|_| panic!("open"));
                        }
                    })
                })
                .collect();
            let mut got = Vec::new();
            while got.len() < 3 {
                if !receive(&q, &mut got, &waker) {
                    unpark.0.wait();
                }
            }
            for p in producers {
                p.join().unwrap();
            }
            let zero: Vec<_> = got.iter().filter(|(p, _)| *p == 0).collect();
            assert_eq!(zero, [&(0, 0), &(0, 1)]);
            assert_eq!(q.pending(), 0);
        });
    }

    /// A message pushed while a control signal is queued waits behind it:
    /// the owner sees them in push order, whoever wins the races.
    #[test]
    fn loom_messages_stay_behind_control_signals() {
        loom::model(|| {
            let q = Arc::new(Queue::<u8>::new(Vec::new()));
            let q2 = q.clone();
            let producer = thread::spawn(move || {
                q2.push(1, CONTROL).unwrap_or_else(|_| panic!("open"));
                q2.push(2, MESSAGE).unwrap_or_else(|_| panic!("open"));
            });
            let mut order = Vec::new();
            for _ in 0..2 {
                // The owner acts on a control signal by recording it.
                let mut g = q.lock();
                g.take(|mailbox, item| {
                    mailbox.push(item);
                    ControlFlow::Continue(())
                });
                order.append(&mut g);
            }
            producer.join().unwrap();
            let mut g = q.lock();
            g.take(|mailbox, item| {
                mailbox.push(item);
                ControlFlow::Continue(())
            });
            order.append(&mut g);
            assert_eq!(order, [1, 2]);
        });
    }

    /// An owner that is not receiving looks only for control signals,
    /// skipping the lock unless `pending` has `CONTROL`, and stores its
    /// waker late (as the driver does at its first wait): a control signal
    /// pushed after a message, or racing with the owner's look or with the
    /// waker's storing, still reaches it.
    #[test]
    fn loom_control_signal_wakes_an_owner_that_is_not_receiving() {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(3);
        builder.check(|| {
            let q = Arc::new(Queue::<u8>::new(Vec::new()));
            let (unpark, waker) = unpark_waker();
            let q1 = q.clone();
            let messenger = thread::spawn(move || q1.push(1, MESSAGE).is_ok());
            let q2 = q.clone();
            let controller = thread::spawn(move || q2.push(2, CONTROL).is_ok());
            let mut got = Vec::new();
            let mut waker_stored = false;
            loop {
                if q.pending() & CONTROL != 0 {
                    let mut g = q.lock();
                    g.take(|mailbox, item| {
                        mailbox.push(item);
                        ControlFlow::Continue(())
                    });
                    got.append(&mut g);
                    if got.contains(&2) {
                        break;
                    }
                }
                if !waker_stored {
                    waker_stored = true;
                    if q.set_waker(waker.clone()) {
                        continue;
                    }
                }
                unpark.0.wait();
            }
            assert!(messenger.join().unwrap());
            assert!(controller.join().unwrap());
            // The message is in the mailbox, unless it came after the
            // control signal was taken.
            got.append(&mut q.lock());
            got.sort_unstable();
            assert_eq!(got, [1, 2]);
        });
    }

    /// A push racing with close either lands before the close (and is
    /// handed back by it) or fails; never lost.
    #[test]
    fn loom_push_close_race() {
        loom::model(|| {
            let q = Arc::new(Queue::<u8>::new(Vec::new()));
            let q2 = q.clone();
            let pusher = thread::spawn(move || q2.push(7, MESSAGE).is_ok());
            let (mailbox, left, _) = q.close(std::mem::take);
            let pushed = pusher.join().unwrap();
            assert!(!q.lock().has_queued());
            assert!(
                left.is_empty(),
                "a message with nothing queued ahead is delivered"
            );
            assert_eq!(pushed, mailbox.len() == 1);
        });
    }
}
