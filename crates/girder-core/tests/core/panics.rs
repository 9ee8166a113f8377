//! Panics and kills: a panic ends only its process, with a `Panic` reason;
//! a kill drops the future of a process stuck awaiting, exactly once, before
//! its links and monitors fire.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use girder_core::{
    Down, Exit, ExitReason, Pid, exit, receive, receive_match, self_pid, send, spawn, spawn_link,
    spawn_monitor, trap_exit,
};

girder_test!(
    /// A panic is caught: the process exits with Panic(msg), the scheduler
    /// threads survive and keep running processes (process_SUITE
    /// `bad_args`-style crash isolation).
    panic_is_isolated,
    async {
        for i in 0..200u32 {
            let (_, m) = spawn_monitor(async move {
                if i < u32::MAX {
                    panic!("crash {i}");
                }
            });
            let d = receive_match(move |d: &Down| d.monitor == m).await;
            assert_eq!(d.reason, ExitReason::Panic(format!("crash {i}").into()));
        }
        // Both schedulers still run processes.
        let me = self_pid();
        for _ in 0..100 {
            spawn(async move { send(me, ()) });
        }
        for _ in 0..100 {
            receive::<()>().await;
        }
    }
);

girder_test!(
    /// Linked processes receive the Panic reason.
    panic_propagates_over_links,
    async {
        trap_exit(true);
        let child = spawn_link(async { panic!("kaboom") });
        let e = receive::<Exit>().await;
        assert_eq!(e, Exit { from: child, reason: ExitReason::Panic("kaboom".into()) });
    }
);

/// A future that never completes and counts its polls and drops, and sends
/// a message to its owner when dropped.
struct Stuck {
    polls: Arc<AtomicUsize>,
    drops: Arc<AtomicUsize>,
    tell: Pid,
}

impl Future for Stuck {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        self.polls.fetch_add(1, Ordering::SeqCst);
        Poll::Pending
    }
}

impl Drop for Stuck {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
        send(self.tell, "dropped");
    }
}

girder_test!(
    /// exit(Pid, kill) on a process awaiting a future that never completes
    /// ends it: the future is dropped exactly once, its destructor runs
    /// before the DOWN goes out.
    kill_drops_a_stuck_future_exactly_once,
    async {
        let polls = Arc::new(AtomicUsize::new(0));
        let drops = Arc::new(AtomicUsize::new(0));
        let me = self_pid();
        let (p, d) = (polls.clone(), drops.clone());
        let (pid, m) = spawn_monitor(async move {
            send(me, "started");
            Stuck { polls: p, drops: d, tell: me }.await;
        });
        assert_eq!(receive::<&str>().await, "started");
        exit(pid, ExitReason::Kill);
        assert_eq!(receive::<&str>().await, "dropped");
        let down = receive_match(move |d: &Down| d.monitor == m).await;
        assert_eq!(down.reason, ExitReason::Killed);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        assert_eq!(polls.load(Ordering::SeqCst), 1, "the killed future is not polled again");
    }
);

girder_test!(
    /// A kill reaches a process sleeping in a timer or waiting in receive.
    kill_reaches_sleepers_and_receivers,
    async {
        let (a, ma) = spawn_monitor(async {
            girder_core::sleep(std::time::Duration::from_secs(3600)).await;
        });
        let (b, mb) = spawn_monitor(async {
            receive::<u128>().await;
        });
        exit(a, ExitReason::Kill);
        exit(b, ExitReason::other("stop"));
        let da = receive_match(move |d: &Down| d.monitor == ma).await;
        let db = receive_match(move |d: &Down| d.monitor == mb).await;
        assert_eq!(da.reason, ExitReason::Killed);
        assert_eq!(db.reason, ExitReason::other("stop"));
    }
);
