//! Stopping children and counting restarts: the parts of OTP's
//! `supervisor` that [`Supervisor`](super::Supervisor) and
//! [`DynamicSupervisor`](crate::otp::dynamic_supervisor::DynamicSupervisor)
//! share.
//!
//! Stopping a child follows `supervisor:shutdown/2`: monitor it, unlink it
//! (so its exit does not come back as a restart), send the exit signal
//! (`Kill` for `BrutalKill`, else `Shutdown`), wait for the `DOWN` — for a
//! `Timeout(t)` child at most `t`, then `Kill` and wait again.

use std::any::Any;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::{Duration, Instant};

use girder_core::{
    Down, Exit, ExitReason, Pid, Ref, exit, monitor, receive_match, receive_select, unlink,
};

use super::spec::Shutdown;

/// What became of a child that was asked to stop.
#[derive(Debug)]
pub(crate) struct Stopped {
    pub(crate) pid: Pid,
    /// The reason it exited with.
    pub(crate) reason: ExitReason,
    /// Whether that is the reason its shutdown asked for (`Shutdown`, or
    /// `Killed` after a kill); anything else is reported as a shutdown
    /// error, as OTP does.
    pub(crate) expected: bool,
}

/// Stops the children in the order given, one after the other.
pub(crate) async fn stop_one(pid: Pid, how: Shutdown) -> Stopped {
    stop_all(vec![(pid, how)])
        .await
        .pop()
        .expect("one child in, one result out")
}

/// Stops the children all at once: every one gets its exit signal, then
/// the supervisor waits for their `DOWN`s, killing each that outlives its
/// shutdown time. Returns them in the order given.
pub(crate) async fn stop_all(children: Vec<(Pid, Shutdown)>) -> Vec<Stopped> {
    struct Pending {
        pid: Pid,
        mref: Ref,
        deadline: Option<Instant>,
        killed: bool,
        early: Option<ExitReason>,
        reason: Option<ExitReason>,
    }
    // Monitor and unlink every child first: from here on its exit comes
    // only as a DOWN, never as a restart-triggering exit message.
    let mut pending: Vec<Pending> = children
        .iter()
        .map(|&(pid, how)| {
            let mref = monitor(pid);
            unlink(pid);
            Pending {
                pid,
                mref,
                deadline: None,
                killed: how == Shutdown::BrutalKill,
                early: None,
                reason: None,
            }
        })
        .collect();
    // An exit the link delivered before the unlink tells the real reason of
    // a child that had died on its own. One pass over the mailbox per such
    // exit (there are rarely any), before the DOWNs of the shutdown arrive.
    let index: HashMap<Pid, usize> = pending
        .iter()
        .enumerate()
        .map(|(i, p)| (p.pid, i))
        .collect();
    while let Some(e) = receive_match(|e: &Exit| index.contains_key(&e.from))
        .timeout(Duration::ZERO)
        .await
    {
        pending[index[&e.from]].early = Some(e.reason);
    }
    let now = Instant::now();
    for (p, &(_, how)) in pending.iter_mut().zip(&children) {
        p.deadline = match how {
            Shutdown::Timeout(t) => now.checked_add(t),
            Shutdown::BrutalKill | Shutdown::Infinity => None,
        };
        exit(
            p.pid,
            if p.killed {
                ExitReason::Kill
            } else {
                ExitReason::Shutdown
            },
        );
    }
    // Waiting is O(log n) per DOWN: a map from monitor to child, and the
    // shutdown deadlines in order.
    let by_ref: HashMap<Ref, usize> = pending
        .iter()
        .enumerate()
        .map(|(i, p)| (p.mref, i))
        .collect();
    let mut deadlines: BTreeSet<(Instant, usize)> = pending
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.killed)
        .filter_map(|(i, p)| p.deadline.map(|d| (d, i)))
        .collect();
    let mut left = pending.len();
    while left > 0 {
        let select = |m: &(dyn Any + Send)| {
            m.downcast_ref::<Down>()
                .is_some_and(|d| by_ref.contains_key(&d.monitor))
                .then_some(())
        };
        let hit = match deadlines.first() {
            None => Some(receive_select(select).await),
            Some(&(at, _)) => {
                let wait = at.saturating_duration_since(Instant::now());
                receive_select(select).timeout(wait).await
            }
        };
        match hit {
            Some(((), msg)) => {
                let Ok(down) = msg.downcast::<Down>() else {
                    unreachable!("selected as a DOWN")
                };
                let i = by_ref[&down.monitor];
                let p = &mut pending[i];
                if p.reason.is_none() {
                    if let Some(d) = p.deadline {
                        deadlines.remove(&(d, i));
                    }
                    p.reason = Some(down.reason);
                    left -= 1;
                }
            }
            None => {
                let now = Instant::now();
                while let Some(&(at, i)) = deadlines.first() {
                    if at > now {
                        break;
                    }
                    deadlines.pop_first();
                    let p = &mut pending[i];
                    exit(p.pid, ExitReason::Kill);
                    p.killed = true;
                }
            }
        }
    }
    pending
        .into_iter()
        .map(|p| {
            let down = p.reason.unwrap_or(ExitReason::Noproc);
            // A child that was already gone (its DOWN says noproc) exited
            // with the reason its link delivered, if we caught it.
            let reason = match (down, p.early) {
                (ExitReason::Noproc, Some(early)) => early,
                (down, _) => down,
            };
            let expected = if p.killed {
                reason == ExitReason::Killed
            } else {
                reason == ExitReason::Shutdown
            };
            Stopped {
                pid: p.pid,
                reason,
                expected,
            }
        })
        .collect()
}

/// Restart intensity: at most `max` restarts within any `period`. Erlang
/// `intensity`/`period`, Elixir `max_restarts`/`max_seconds`.
#[derive(Debug)]
pub(crate) struct Intensity {
    max: u32,
    period: Duration,
    restarts: VecDeque<Instant>,
}

impl Intensity {
    pub(crate) fn new(max: u32, period: Duration) -> Intensity {
        Intensity {
            max,
            period,
            restarts: VecDeque::new(),
        }
    }

    /// Records a restart now; `false` if that makes more than `max` within
    /// the period (the supervisor must give up).
    pub(crate) fn add_restart(&mut self) -> bool {
        self.add_restart_at(Instant::now())
    }

    fn add_restart_at(&mut self, now: Instant) -> bool {
        self.restarts.push_back(now);
        while let Some(&oldest) = self.restarts.front() {
            if now.duration_since(oldest) > self.period {
                self.restarts.pop_front();
            } else {
                break;
            }
        }
        self.restarts.len() <= self.max as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intensity_counts_within_the_period() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut i = Intensity::new(3, s(5));
        assert!(i.add_restart_at(t0));
        assert!(i.add_restart_at(t0 + s(1)));
        assert!(i.add_restart_at(t0 + s(2)));
        assert!(
            !i.add_restart_at(t0 + s(3)),
            "the fourth restart within 5 s is one too many"
        );
        let mut j = Intensity::new(3, s(5));
        for k in 0..100 {
            assert!(
                j.add_restart_at(t0 + s(2 * k)),
                "one every 2 s never exceeds 3 in 5 s"
            );
        }
        let mut zero = Intensity::new(0, s(5));
        assert!(!zero.add_restart_at(t0), "intensity 0: no restart allowed");
    }
}
