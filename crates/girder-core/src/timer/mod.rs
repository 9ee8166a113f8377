//! Timers: `send_after`, `cancel_timer`, `sleep`, and receive timeouts.
//!
//! One timer thread per runtime owns a hierarchical timing wheel
//! ([`wheel`], 1 ms ticks). Setting or cancelling a timer is O(1) under the
//! wheel's lock; the thread sleeps until the wheel's next deadline and is
//! woken only when a new timer is earlier than that. The next deadline is
//! exact within the current aligned 64 ms, otherwise a lower bound (the start of a coarse
//! wheel slot): the thread then wakes early, the wheel cascades that slot's
//! entries to finer levels, and the thread sleeps again until a later, finer
//! bound, so every timer still fires on its tick. An expired entry either
//! delivers a message (`send_after`) or wakes a process (sleep, receive
//! `after`). Millions of pending timers cost a few dozen bytes each.
//!
//! Deadlines round up to the next millisecond, so a timer never fires early.

pub(crate) mod wheel;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use self::wheel::{TimerKey, Wheel};
use crate::Pid;
use crate::runtime::{Shared, with_shared};
use crate::scheduler::reductions;
use crate::signal::Envelope;

pub(crate) enum Action {
    Send { to: Pid, msg: Envelope },
    Wake(Waker),
}

struct State {
    wheel: Wheel<Action>,
    /// The tick the timer thread sleeps until (`u64::MAX`: no deadline; at
    /// most the earliest deadline, see [`Wheel::next_deadline`]);
    /// `0` while it is awake and will look at the wheel again anyway.
    sleeping_until: u64,
    stopped: bool,
}

pub(crate) struct Timers {
    state: Mutex<State>,
    wakeup: Condvar,
    start: Instant,
}

impl Timers {
    pub(crate) fn new() -> Timers {
        Timers {
            state: Mutex::new(State {
                wheel: Wheel::new(),
                sleeping_until: 0,
                stopped: false,
            }),
            wakeup: Condvar::new(),
            start: Instant::now(),
        }
    }

    /// The current tick (whole milliseconds since start, rounded down).
    fn now_tick(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    /// The first tick at or after `at` (rounded up: never early).
    fn tick_of(&self, at: Instant) -> u64 {
        let nanos = at.saturating_duration_since(self.start).as_nanos();
        nanos.div_ceil(1_000_000).min(u64::MAX as u128) as u64
    }

    pub(crate) fn insert(&self, at: Instant, action: Action) -> TimerKey {
        let tick = self.tick_of(at);
        let mut st = self.state.lock();
        let key = st.wheel.insert(tick, action);
        if tick < st.sleeping_until {
            st.sleeping_until = 0;
            self.wakeup.notify_one();
        }
        key
    }

    /// Removes a pending timer; returns its deadline tick.
    pub(crate) fn remove(&self, key: TimerKey) -> Option<(u64, Action)> {
        self.state.lock().wheel.remove(key)
    }

    pub(crate) fn pending(&self) -> usize {
        self.state.lock().wheel.len()
    }
}

/// The timer thread's loop.
pub(crate) fn run_timer_thread(shared: &Arc<Shared>) {
    let timers = &shared.timers;
    let mut expired = Vec::new();
    loop {
        {
            let mut st = timers.state.lock();
            loop {
                if st.stopped {
                    return;
                }
                let now = timers.now_tick();
                st.wheel.advance(now, &mut expired);
                if !expired.is_empty() {
                    st.sleeping_until = 0;
                    break;
                }
                match st.wheel.next_deadline() {
                    Some(next) => {
                        st.sleeping_until = next;
                        let wait = Duration::from_millis(next.saturating_sub(now).max(1));
                        timers.wakeup.wait_for(&mut st, wait);
                    }
                    None => {
                        st.sleeping_until = u64::MAX;
                        timers.wakeup.wait(&mut st);
                    }
                }
                st.sleeping_until = 0;
            }
        }
        for action in expired.drain(..) {
            match action {
                Action::Send { to, msg } => shared.send_message(to, msg),
                Action::Wake(w) => w.wake(),
            }
        }
    }
}

pub(crate) fn stop(shared: &Shared) {
    let mut st = shared.timers.state.lock();
    st.stopped = true;
    shared.timers.wakeup.notify_all();
}

/// A pending `send_after` timer. Erlang's timer reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimerRef {
    key: TimerKey,
}

/// Delivers `msg` to `dest` after `delay`. Erlang `erlang:send_after/3`,
/// Elixir `Process.send_after/3`. The timer lives on whether or not the
/// process that set it does; a message to a dead pid is dropped.
///
/// ```
/// use std::time::Duration;
/// girder_core::run(async {
///     let me = girder_core::self_pid();
///     girder_core::send_after(Duration::from_millis(5), me, "tick");
///     assert_eq!(girder_core::receive::<&str>().await, "tick");
/// }).unwrap();
/// ```
pub fn send_after<M: Send + 'static>(delay: Duration, dest: Pid, msg: M) -> TimerRef {
    reductions::charge(2);
    let at = Instant::now() + delay;
    let key = with_shared(|s| {
        s.timers.insert(
            at,
            Action::Send {
                to: dest,
                msg: Box::new(msg),
            },
        )
    });
    TimerRef { key }
}

/// Cancels a `send_after` timer. Returns the time that was left (deadlines
/// are kept in whole milliseconds, rounded up), or `None` if it already
/// fired or was cancelled. Erlang `erlang:cancel_timer/1`,
/// Elixir `Process.cancel_timer/1`.
pub fn cancel_timer(timer: TimerRef) -> Option<Duration> {
    reductions::charge(2);
    with_shared(|s| {
        s.timers.remove(timer.key).map(|(deadline, _)| {
            Duration::from_millis(deadline).saturating_sub(s.timers.start.elapsed())
        })
    })
}

/// Number of pending timers in the runtime (all kinds).
pub fn pending_timers() -> usize {
    with_shared(|s| s.timers.pending())
}

/// A deadline registered with the timer wheel, that wakes a task when due and
/// is removed from the wheel when dropped early.
#[derive(Debug)]
pub(crate) struct Deadline {
    at: Instant,
    key: Option<TimerKey>,
}

impl Deadline {
    pub(crate) fn new(after: Duration) -> Deadline {
        Deadline {
            at: Instant::now().checked_add(after).unwrap_or_else(far_future),
            key: None,
        }
    }

    /// Whether the deadline has passed; otherwise makes sure `cx` is woken
    /// when it does.
    pub(crate) fn poll_elapsed(&mut self, cx: &Context<'_>) -> bool {
        if Instant::now() >= self.at {
            self.key = None;
            return true;
        }
        if self.key.is_none() {
            let waker = cx.waker().clone();
            self.key = Some(with_shared(|s| {
                s.timers.insert(self.at, Action::Wake(waker))
            }));
        }
        false
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            crate::runtime::try_with_shared(|s| {
                if let Some(s) = s {
                    s.timers.remove(key);
                }
            });
        }
    }
}

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600)
}

/// Suspends the calling process for `duration`. Erlang `timer:sleep/1`,
/// Elixir `Process.sleep/1`. Exit signals still reach the process while it
/// sleeps (a kill ends it at once).
///
/// ```
/// use std::time::{Duration, Instant};
/// girder_core::run(async {
///     let t = Instant::now();
///     girder_core::sleep(Duration::from_millis(10)).await;
///     assert!(t.elapsed() >= Duration::from_millis(10));
/// }).unwrap();
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    Sleep {
        deadline: Deadline::new(duration),
    }
}

/// The future [`sleep`] returns.
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    deadline: Deadline,
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.deadline.poll_elapsed(cx) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}
