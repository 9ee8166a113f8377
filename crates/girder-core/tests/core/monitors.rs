//! Monitors: one DOWN per monitor, `noproc` at once for dead pids,
//! demonitor and flush. After OTP `process_SUITE`/`erl_bif_SUITE` monitor
//! cases (`demonitor_flush`, `monitor_dead`).

use std::time::Duration;

use girder_core::{
    Down, ExitReason, Pid, demonitor, demonitor_flush, link, monitor, process_info, receive,
    receive_match, self_pid, send, spawn, spawn_monitor, unlink,
};

use crate::boom;

girder_test!(
    /// A monitor of a dead pid fires at once with noproc.
    monitor_of_dead_pid_is_noproc,
    async {
        let (dead, m) = spawn_monitor(async {});
        receive_match(move |d: &Down| d.monitor == m).await;
        let m2 = monitor(dead);
        let d = receive::<Down>().await;
        assert_eq!(d, Down { monitor: m2, pid: dead, reason: ExitReason::Noproc });
    }
);

girder_test!(
    /// A pid that never existed is noproc too.
    monitor_of_unknown_pid_is_noproc,
    async {
        let ghost = Pid::from_parts(0, 0x7fff_ffff, 7);
        let m = monitor(ghost);
        let d = receive::<Down>().await;
        assert_eq!((d.monitor, d.pid, d.reason), (m, ghost, ExitReason::Noproc));
    }
);

girder_test!(
    /// Each monitor fires once with the exit reason; monitors are
    /// independent of each other.
    two_monitors_two_downs,
    async {
        let p = spawn(async {
            receive::<()>().await;
            boom()
        });
        let m1 = monitor(p);
        let m2 = monitor(p);
        assert_ne!(m1, m2);
        send(p, ());
        let a = receive::<Down>().await;
        let b = receive::<Down>().await;
        assert_eq!((a.monitor, b.monitor), (m1, m2), "DOWNs in monitor order");
        assert_eq!((a.reason, b.reason), (boom(), boom()));
        assert!(receive::<Down>().timeout(Duration::from_millis(20)).await.is_none());
    }
);

girder_test!(
    /// Demonitor before the exit: no DOWN ever arrives.
    demonitor_prevents_down,
    async {
        let p = spawn(async {
            receive::<()>().await;
        });
        let m = monitor(p);
        assert!(demonitor(m));
        assert!(!demonitor(m), "second demonitor is a no-op");
        let m2 = monitor(p);
        send(p, ());
        let d = receive::<Down>().await;
        assert_eq!(d.monitor, m2, "only the live monitor fires");
        assert!(process_info(p).is_none());
    }
);

girder_test!(
    /// demonitor with flush removes a DOWN already in the mailbox.
    demonitor_flush_removes_delivered_down,
    async {
        let p = spawn(async {
            receive::<()>().await;
        });
        let m1 = monitor(p);
        let m2 = monitor(p);
        send(p, ());
        // DOWNs leave in monitor order: once m2's is here, m1's is too.
        receive_match(move |d: &Down| d.monitor == m2).await;
        demonitor_flush(m1);
        assert!(
            receive_match(move |d: &Down| d.monitor == m1)
                .timeout(Duration::ZERO)
                .await
                .is_none()
        );
    }
);

girder_test!(
    /// The watched process lists its watchers; the watcher its targets.
    monitors_show_in_process_info,
    async {
        let me = self_pid();
        let p = spawn(async move {
            // Our monitor signal came before this message.
            receive::<()>().await;
            let info = process_info(self_pid()).expect("alive");
            send(me, info.monitored_by);
        });
        monitor(p);
        assert_eq!(process_info(me).expect("alive").monitors, vec![p]);
        send(p, ());
        let watchers: Vec<Pid> = receive().await;
        assert_eq!(watchers, vec![me]);
    }
);

/// An exit reason whose destructor sends to a process (as a user's reason
/// value may).
#[derive(Debug)]
struct SendsOnDrop(Pid);

impl std::fmt::Display for SendsOnDrop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("sends on drop")
    }
}

impl Drop for SendsOnDrop {
    fn drop(&mut self) {
        send(self.0, "dropped");
    }
}

girder_test!(
    /// A `DOWN` for a monitor removed by `demonitor` before the `DOWN` was
    /// taken in is dropped, never placed in the mailbox; its reason is
    /// dropped once the receiver's lock is released, so a destructor that
    /// sends to the receiver neither deadlocks nor is lost. Control signals
    /// from the target (a link and an unlink) sit ahead of the `DOWN`, so
    /// it waits in the outer queue, or, if the receive took them first, is
    /// refused on arrival: both paths end the same way. (Whether the
    /// refused `DOWN` holds the reason's last copy, or the exiting target
    /// still does, is a race; in runs where it is the `DOWN`'s, a drop
    /// under the lock deadlocks this test, which nextest then ends.)
    down_for_a_removed_monitor_is_dropped_outside_the_lock,
    async {
        let me = self_pid();
        let target = spawn(async move {
            receive::<()>().await;
            link(me);
            unlink(me);
            ExitReason::other(SendsOnDrop(me))
        });
        let m = monitor(target);
        // The target takes the monitor in and waits in its receive.
        girder_core::yield_now().await;
        // Woken from the timer thread, the target goes through the global
        // queue to the other scheduler, while this one stays busy below
        // (a wake-up from here would put it in this scheduler's LIFO slot,
        // which only this scheduler runs).
        girder_core::send_after(Duration::from_millis(1), target, ());
        // Wait without an await point (one would take our signals in).
        let start = std::time::Instant::now();
        while process_info(target).is_some() {
            assert!(start.elapsed() < crate::PATIENCE, "the target exits");
            std::hint::spin_loop();
        }
        assert!(demonitor(m), "the DOWN was not taken in yet");
        let got = receive::<&str>().timeout(crate::PATIENCE).await;
        assert_eq!(got, Some("dropped"), "the reason was dropped");
        assert!(receive::<Down>().timeout(Duration::ZERO).await.is_none());
    }
);
