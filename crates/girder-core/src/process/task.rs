//! A process's task: its PCB, its scheduling state and its future in one
//! allocation.
//!
//! ```text
//! TaskCell<F> ┌ Header ─ state word · vtable · runtime id · Pcb
//!             └ Driver<F> (the process's future and its life cycle)
//! ```
//!
//! Everything that reaches a process holds a counted pointer to the same
//! allocation: the process table's entry and `process_info`'s look
//! ([`PcbRef`]), a queued process ([`Runnable`]), and wakers. The count and
//! the scheduling flags share one atomic word ([`TaskState`]), so a spawn
//! is one allocation, and a wake-up is one compare-and-swap that both marks
//! the process scheduled and counts the queue's reference.
//!
//! The rules of the word (modelled by the `loom_` tests):
//!
//! * `SCHEDULED`: a [`Runnable`] for the process exists, or will be made
//!   when the running poll ends. A wake-up that finds it (or `COMPLETE`)
//!   does nothing, so a process is queued at most once.
//! * `RUNNING`: a scheduler is polling the process. A wake-up then only sets
//!   `SCHEDULED`; the scheduler queues the process again (at the back: it
//!   was woken while it ran, as a yield does) when its poll ends.
//! * `COMPLETE`: the process has exited (or its runnable was dropped
//!   unrun); its future is gone and nothing schedules it again.
//! * The count, in the bits above: the allocation is freed, the PCB and
//!   the (already dropped, or never run) future with it, when it reaches
//!   zero.

use std::cell::UnsafeCell;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, RawWaker, RawWakerVTable, Waker};

use super::driver::Driver;
use super::pcb::Pcb;
use crate::IntoExitReason;
use crate::runtime::RuntimeId;
use crate::scheduler::worker;
use crate::sync::atomic::{AtomicUsize, Ordering, fence};

const SCHEDULED: usize = 1;
const RUNNING: usize = 2;
const COMPLETE: usize = 4;
const REF_ONE: usize = 8;

/// The scheduling flags and reference count of a task, in one word.
pub(crate) struct TaskState(AtomicUsize);

/// What a scheduler does with a process whose poll returned `Pending`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum AfterPoll {
    /// Woken while it ran: queue it again (the runnable's reference goes
    /// with it).
    Requeue,
    /// Waiting; the runnable's reference is dropped. `last`: it was the
    /// last one, free the task.
    Wait { last: bool },
}

impl TaskState {
    /// A new task, scheduled (its first runnable exists), with `refs`
    /// references, the runnable's among them.
    pub(crate) fn new_scheduled(refs: usize) -> TaskState {
        TaskState(AtomicUsize::new(SCHEDULED | (refs * REF_ONE)))
    }

    /// A wake-up. Returns true if the caller must queue a new runnable (its
    /// reference is already counted); false if the process is queued or
    /// exited already, or running (then it is queued when its poll ends).
    #[inline]
    pub(crate) fn wake(&self) -> bool {
        let mut cur = self.0.load(Ordering::Acquire);
        loop {
            if cur & (SCHEDULED | COMPLETE) != 0 {
                return false;
            }
            let new = if cur & RUNNING != 0 {
                cur | SCHEDULED
            } else {
                (cur | SCHEDULED) + REF_ONE
            };
            match self
                .0
                .compare_exchange_weak(cur, new, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return cur & RUNNING == 0,
                Err(actual) => cur = actual,
            }
        }
    }

    /// A scheduler takes a runnable to poll it: `SCHEDULED` becomes
    /// `RUNNING` (one addition: the first bit is set, the second clear).
    /// Returns the state it leaves, for [`TaskState::end_poll`].
    #[inline]
    pub(crate) fn start_poll(&self) -> usize {
        let prev = self.0.fetch_add(RUNNING - SCHEDULED, Ordering::Acquire);
        debug_assert_eq!(prev & (SCHEDULED | RUNNING | COMPLETE), SCHEDULED);
        prev + (RUNNING - SCHEDULED)
    }

    /// The poll returned `Pending`. `guess` is the state `start_poll` left
    /// (usually still current: one compare-and-swap and no load).
    #[inline]
    pub(crate) fn end_poll(&self, guess: usize) -> AfterPoll {
        let mut cur = guess;
        loop {
            debug_assert!(cur & RUNNING != 0);
            let (new, after) = if cur & SCHEDULED != 0 {
                (cur & !RUNNING, AfterPoll::Requeue)
            } else {
                let new = (cur & !RUNNING) - REF_ONE;
                (
                    new,
                    AfterPoll::Wait {
                        last: new < REF_ONE,
                    },
                )
            };
            match self
                .0
                .compare_exchange_weak(cur, new, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return after,
                Err(actual) => cur = actual,
            }
        }
    }

    /// The process exited in the poll: `RUNNING` becomes `COMPLETE` and the
    /// runnable's reference is dropped, in one subtraction (`RUNNING` is
    /// set, `COMPLETE` clear, and the count is at least one). Returns
    /// whether that was the last reference.
    #[inline]
    pub(crate) fn complete(&self) -> bool {
        let prev = self
            .0
            .fetch_sub(RUNNING + REF_ONE - COMPLETE, Ordering::AcqRel);
        debug_assert_eq!(prev & (RUNNING | COMPLETE), RUNNING);
        prev < 2 * REF_ONE
    }

    /// A runnable is dropped without being run (its runtime is gone): the
    /// task is complete and no longer scheduled; the runnable's reference
    /// is still counted.
    pub(crate) fn cancel(&self) {
        let mut cur = self.0.load(Ordering::Acquire);
        loop {
            debug_assert!(cur & SCHEDULED != 0 && cur & RUNNING == 0);
            let new = (cur & !SCHEDULED) | COMPLETE;
            match self
                .0
                .compare_exchange_weak(cur, new, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return,
                Err(actual) => cur = actual,
            }
        }
    }

    /// Counts one more reference.
    #[inline]
    pub(crate) fn ref_inc(&self) {
        let prev = self.0.fetch_add(REF_ONE, Ordering::Relaxed);
        // Wrapping the count would free a live task: stop instead (as
        // `Arc` does).
        if prev > usize::MAX / 2 {
            std::process::abort();
        }
    }

    /// Drops one reference; returns whether it was the last (the caller
    /// then frees the task).
    #[inline]
    pub(crate) fn ref_dec(&self) -> bool {
        let prev = self.0.fetch_sub(REF_ONE, Ordering::Release);
        debug_assert!(prev >= REF_ONE);
        if prev < 2 * REF_ONE {
            // Every other holder's use of the task happens before the free.
            fence(Ordering::Acquire);
            true
        } else {
            false
        }
    }

    #[cfg(all(test, not(girder_loom)))]
    fn refs(&self) -> usize {
        self.0.load(Ordering::Relaxed) / REF_ONE
    }

    #[cfg(all(test, girder_loom))]
    fn is_only_scheduled(&self) -> bool {
        self.0.load(Ordering::Relaxed) & (SCHEDULED | RUNNING | COMPLETE) == SCHEDULED
    }
}

/// The part of a task every holder can see.
pub(crate) struct Header {
    state: TaskState,
    vtable: &'static TaskVtable,
    /// The runtime whose schedulers run the process.
    runtime: RuntimeId,
    pcb: Pcb,
}

/// What only the task's own type knows how to do.
struct TaskVtable {
    /// Polls the process once; returns whether it exited.
    poll: unsafe fn(NonNull<Header>, &mut Context<'_>) -> bool,
    /// Drops the process's future in place, if it is still there.
    drop_future: unsafe fn(NonNull<Header>),
    /// Frees the task.
    dealloc: unsafe fn(NonNull<Header>),
}

#[repr(C)]
struct TaskCell<F> {
    /// First, so a pointer to the cell is a pointer to its header.
    header: Header,
    /// Reached only by the scheduler that holds the task's runnable (one at
    /// a time: the `SCHEDULED`/`RUNNING` rules), and by the last reference
    /// when it frees the task.
    driver: UnsafeCell<Driver<F>>,
}

impl<F> TaskCell<F>
where
    F: Future + Send + 'static,
    F::Output: IntoExitReason,
{
    const VTABLE: TaskVtable = TaskVtable {
        poll: Self::poll,
        drop_future: Self::drop_future,
        dealloc: Self::dealloc,
    };

    /// # Safety
    /// `ptr` points at a live `TaskCell<F>` whose runnable the caller holds
    /// and is running (no one else touches the driver).
    unsafe fn poll(ptr: NonNull<Header>, cx: &mut Context<'_>) -> bool {
        // SAFETY: the caller's contract; the cell never moves until freed,
        // so pinning its driver is sound.
        let (pcb, driver) = unsafe {
            let cell = ptr.cast::<TaskCell<F>>().as_ptr();
            (
                &(*cell).header.pcb,
                Pin::new_unchecked(&mut *(*cell).driver.get()),
            )
        };
        driver.poll(pcb, cx)
    }

    /// # Safety
    /// As for `poll`: the caller holds the task's runnable and nobody polls.
    unsafe fn drop_future(ptr: NonNull<Header>) {
        // SAFETY: the caller's contract (the driver stays pinned: it is
        // dropped in place).
        let driver = unsafe {
            let cell = ptr.cast::<TaskCell<F>>().as_ptr();
            Pin::new_unchecked(&mut *(*cell).driver.get())
        };
        driver.drop_future();
    }

    /// # Safety
    /// `ptr` came from `Box::into_raw` of a `TaskCell<F>` and its last
    /// reference has just been dropped.
    unsafe fn dealloc(ptr: NonNull<Header>) {
        // SAFETY: the caller's contract.
        drop(unsafe { Box::from_raw(ptr.cast::<TaskCell<F>>().as_ptr()) });
    }
}

/// The bytes of the task of a process running `F` (PCB included).
pub(crate) fn task_bytes<F>() -> usize {
    size_of::<TaskCell<F>>()
}

/// Allocates a process's task: its PCB (for `pcb`), the driver around
/// `future`. Returns the process table's reference and the first runnable.
pub(crate) fn allocate<F>(runtime: RuntimeId, pcb: Pcb, future: F) -> (PcbRef, Runnable)
where
    F: Future + Send + 'static,
    F::Output: IntoExitReason,
{
    let cell = Box::new(TaskCell {
        header: Header {
            // The table's reference and the runnable's.
            state: TaskState::new_scheduled(2),
            vtable: &TaskCell::<F>::VTABLE,
            runtime,
            pcb,
        },
        driver: UnsafeCell::new(Driver::new(future)),
    });
    let ptr = NonNull::from(Box::leak(cell)).cast::<Header>();
    (PcbRef(ptr), Runnable(ptr))
}

/// Drops one reference to the task at `ptr`, freeing it if it was the last.
///
/// # Safety
/// The caller owns one counted reference to a live task and gives it up.
unsafe fn drop_ref(ptr: NonNull<Header>) {
    // SAFETY: the reference the caller owns keeps the header alive.
    let header = unsafe { ptr.as_ref() };
    if header.state.ref_dec() {
        // SAFETY: that was the last reference.
        unsafe { (header.vtable.dealloc)(ptr) }
    }
}

/// A counted reference to a process's PCB (the process table's, and
/// `process_info`'s look).
pub(crate) struct PcbRef(NonNull<Header>);

// SAFETY: a `PcbRef` only gives shared access to the PCB, which is `Sync`
// (its mutable state is behind its lock and atomics), and counts its
// reference atomically.
unsafe impl Send for PcbRef {}
// SAFETY: as above.
unsafe impl Sync for PcbRef {}

impl Deref for PcbRef {
    type Target = Pcb;
    #[inline]
    fn deref(&self) -> &Pcb {
        // SAFETY: the counted reference keeps the task alive.
        unsafe { &self.0.as_ref().pcb }
    }
}

impl Clone for PcbRef {
    fn clone(&self) -> PcbRef {
        // SAFETY: the counted reference keeps the task alive.
        unsafe { self.0.as_ref() }.state.ref_inc();
        PcbRef(self.0)
    }
}

impl Drop for PcbRef {
    fn drop(&mut self) {
        // SAFETY: this reference is counted, and given up here.
        unsafe { drop_ref(self.0) }
    }
}

/// A process queued to run: the right to poll it once.
pub(crate) struct Runnable(NonNull<Header>);

// SAFETY: a runnable moves between schedulers; the `SCHEDULED` rule makes
// it the only handle that polls the future, which is `Send`.
unsafe impl Send for Runnable {}

impl Runnable {
    fn header(&self) -> &Header {
        // SAFETY: the runnable's counted reference keeps the task alive.
        unsafe { self.0.as_ref() }
    }

    /// The process's PCB.
    pub(crate) fn pcb(&self) -> &Pcb {
        &self.header().pcb
    }

    /// The number of the process's pid (the watchdog's tag).
    pub(crate) fn pid_number(&self) -> u64 {
        self.header().pcb.pid().number()
    }

    /// Polls the process once, then queues it again if it was woken while
    /// it ran, or frees it if that was the last reference.
    pub(crate) fn run(self) {
        let ptr = self.0;
        // The runnable's reference is handed on below.
        let _ = ManuallyDrop::new(self);
        // SAFETY: that reference keeps the task alive until it is handed on.
        let header = unsafe { ptr.as_ref() };
        let guess = header.state.start_poll();
        // The waker lent to the poll borrows the runnable's reference: no
        // count change unless the process clones it.
        // SAFETY: `ptr` is a live task; `WAKER_VTABLE`'s functions keep its
        // count.
        let waker = ManuallyDrop::new(unsafe { Waker::from_raw(raw_waker(ptr)) });
        let mut cx = Context::from_waker(&waker);
        // SAFETY: this runnable was the task's only one, and it is running.
        let exited = unsafe { (header.vtable.poll)(ptr, &mut cx) };
        if exited {
            if header.state.complete() {
                // SAFETY: that was the last reference.
                unsafe { (header.vtable.dealloc)(ptr) }
            }
            return;
        }
        match header.state.end_poll(guess) {
            AfterPoll::Requeue => worker::schedule(header.runtime, Runnable(ptr), true),
            AfterPoll::Wait { last: false } => {}
            AfterPoll::Wait { last: true } => {
                // Nothing can reach the process any more: drop its future.
                // SAFETY: no other reference, so no other poll.
                unsafe {
                    (header.vtable.drop_future)(ptr);
                    (header.vtable.dealloc)(ptr);
                }
            }
        }
    }
}

impl Drop for Runnable {
    /// A runnable dropped unrun (its runtime shut down): the process's
    /// future is dropped and nothing schedules it again.
    fn drop(&mut self) {
        let header = self.header();
        header.state.cancel();
        // SAFETY: this runnable is the task's only one and it is not
        // running; then its reference is given up.
        unsafe {
            (header.vtable.drop_future)(self.0);
            drop_ref(self.0);
        }
    }
}

fn raw_waker(ptr: NonNull<Header>) -> RawWaker {
    RawWaker::new(ptr.as_ptr().cast_const().cast(), &WAKER_VTABLE)
}

static WAKER_VTABLE: RawWakerVTable =
    RawWakerVTable::new(waker_clone, waker_wake, waker_wake_by_ref, waker_drop);

/// # Safety (all four)
/// `data` is the header pointer of a live task, and a waker made from it
/// owns one counted reference (the one lent to a poll borrows the
/// runnable's, and is never dropped).
unsafe fn waker_clone(data: *const ()) -> RawWaker {
    let ptr = header_ptr(data);
    // SAFETY: see above.
    unsafe { ptr.as_ref() }.state.ref_inc();
    raw_waker(ptr)
}

unsafe fn waker_wake(data: *const ()) {
    // SAFETY: see `waker_clone`.
    unsafe {
        waker_wake_by_ref(data);
        drop_ref(header_ptr(data));
    }
}

unsafe fn waker_wake_by_ref(data: *const ()) {
    let ptr = header_ptr(data);
    // SAFETY: see `waker_clone`.
    let header = unsafe { ptr.as_ref() };
    if header.state.wake() {
        worker::schedule(header.runtime, Runnable(ptr), false);
    }
}

unsafe fn waker_drop(data: *const ()) {
    // SAFETY: see `waker_clone`.
    unsafe { drop_ref(header_ptr(data)) }
}

fn header_ptr(data: *const ()) -> NonNull<Header> {
    // Wakers are only made by `raw_waker`, from a non-null header pointer.
    NonNull::new(data.cast_mut().cast()).expect("a task waker holds its task")
}

#[cfg(all(test, not(girder_loom)))]
mod tests {
    use super::*;

    #[test]
    fn wake_queues_once_and_counts_the_queue_reference() {
        // A waiting task with one reference (the table's).
        let s = TaskState::new_scheduled(2);
        let guess = s.start_poll();
        assert_eq!(s.end_poll(guess), AfterPoll::Wait { last: false });
        assert_eq!(s.refs(), 1);
        assert!(s.wake(), "the first wake-up queues it");
        assert!(!s.wake(), "a second one finds it queued");
        assert_eq!(s.refs(), 2);
        // Woken while running: queued again when the poll ends.
        let guess = s.start_poll();
        assert!(!s.wake());
        assert_eq!(s.end_poll(guess), AfterPoll::Requeue);
        assert_eq!(s.refs(), 2);
        let _ = s.start_poll();
        assert!(!s.complete(), "the table still holds it");
        assert!(!s.wake(), "an exited task is never queued");
        assert!(s.ref_dec(), "the table's was the last reference");
    }

    #[test]
    fn a_runnable_dropped_unrun_drops_its_future() {
        struct Flag(std::sync::Arc<std::sync::atomic::AtomicBool>);
        impl Drop for Flag {
            fn drop(&mut self) {
                self.0.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        }
        let dropped = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = Flag(dropped.clone());
        let pcb = Pcb::new(crate::Pid::local(1), 0, 0);
        let (table_ref, runnable) = allocate(0, pcb, async move {
            let _flag = flag;
        });
        let extra = table_ref.clone();
        drop(runnable);
        assert!(dropped.load(std::sync::atomic::Ordering::SeqCst));
        assert_eq!(extra.pid(), crate::Pid::local(1), "the PCB lives on");
        drop(table_ref);
        drop(extra);
    }
}

#[cfg(all(test, girder_loom))]
mod loom_tests {
    use super::*;
    use crate::sync::Arc;
    use crate::sync::atomic::AtomicBool;
    use loom::sync::Mutex;
    use loom::thread;

    /// A model of one process: an inbox, a run queue that holds at most the
    /// tokens `TaskState` allows, and a poll that takes what is in the inbox.
    struct Model {
        state: TaskState,
        inbox: Mutex<Vec<u8>>,
        queue: Mutex<Vec<()>>,
        polling: AtomicBool,
        freed: AtomicBool,
    }

    impl Model {
        fn send(&self, m: u8) {
            self.inbox.lock().unwrap().push(m);
            if self.state.wake() {
                self.queue.lock().unwrap().push(());
            }
        }

        /// Runs one queued token, if any; returns what the poll received.
        fn run_one(&self, got: &mut Vec<u8>) -> bool {
            if self.queue.lock().unwrap().pop().is_none() {
                return false;
            }
            // A queued token always finds the task scheduled and idle: it
            // was queued at most once.
            assert!(self.state.is_only_scheduled(), "queued twice");
            let guess = self.state.start_poll();
            assert!(
                !self.polling.swap(true, Ordering::SeqCst),
                "polled twice at once"
            );
            got.append(&mut self.inbox.lock().unwrap());
            self.polling.store(false, Ordering::SeqCst);
            match self.state.end_poll(guess) {
                AfterPoll::Requeue => self.queue.lock().unwrap().push(()),
                AfterPoll::Wait { last } => {
                    if last {
                        assert!(!self.freed.swap(true, Ordering::SeqCst));
                    }
                }
            }
            true
        }

        fn drop_ref(&self) {
            if self.state.ref_dec() {
                assert!(!self.freed.swap(true, Ordering::SeqCst), "freed twice");
            }
        }
    }

    fn model(refs: usize) -> Arc<Model> {
        Arc::new(Model {
            state: TaskState::new_scheduled(refs),
            inbox: Mutex::new(Vec::new()),
            queue: Mutex::new(vec![()]),
            polling: AtomicBool::new(false),
            freed: AtomicBool::new(false),
        })
    }

    /// Two senders wake a process that a scheduler runs meanwhile: every
    /// message is received, no wake-up is lost, the process is never polled
    /// twice at once nor queued twice, and once the holders let go it is
    /// freed exactly once.
    #[test]
    fn loom_wakes_racing_with_polls_lose_nothing() {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(3);
        builder.check(|| {
            // The table's reference and the first runnable's.
            let m = model(2);
            let senders: Vec<_> = (0..2u8)
                .map(|i| {
                    let m = m.clone();
                    thread::spawn(move || m.send(i))
                })
                .collect();
            let mut got = Vec::new();
            while got.len() < 2 {
                if !m.run_one(&mut got) {
                    thread::yield_now();
                }
            }
            for s in senders {
                s.join().unwrap();
            }
            // Late wake-ups may have queued it once more.
            while m.run_one(&mut got) {}
            assert!(m.queue.lock().unwrap().is_empty());
            got.sort_unstable();
            assert_eq!(got, [0, 1]);
            assert!(!m.freed.load(Ordering::SeqCst));
            m.drop_ref();
            assert!(m.freed.load(Ordering::SeqCst));
        });
    }

    /// The process exits while another thread wakes it and drops its own
    /// reference: the exited process is not queued again, and the task is
    /// freed exactly once, by whichever lets go last.
    #[test]
    fn loom_exit_racing_with_a_waker_frees_once() {
        loom::model(|| {
            // The first runnable's and a waker's (the table's is gone).
            let m = model(2);
            let m2 = m.clone();
            let waker = thread::spawn(move || {
                if m2.state.wake() {
                    m2.queue.lock().unwrap().push(());
                }
                m2.drop_ref();
            });
            assert!(m.queue.lock().unwrap().pop().is_some());
            let _ = m.state.start_poll();
            if m.state.complete() {
                assert!(!m.freed.swap(true, Ordering::SeqCst), "freed twice");
            }
            waker.join().unwrap();
            assert!(m.freed.load(Ordering::SeqCst));
            // A wake-up during the poll set `SCHEDULED` only: no new token.
            assert!(m.queue.lock().unwrap().is_empty());
        });
    }
}
