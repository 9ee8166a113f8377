//! Links: bidirectional, idempotent, atomic with spawn_link, `noproc` for
//! dead pids, and unlink cancelling signals in flight. After OTP
//! `process_SUITE` (`link_fun`, `spawn_link_race`, `unlink_exit`).

use girder_core::{
    Down, Exit, ExitReason, Pid, exit, link, process_info, receive, receive_match, self_pid, send,
    spawn, spawn_link, spawn_monitor, trap_exit, unlink,
};

use crate::boom;

girder_test!(
    /// The child dies before it could ever be scheduled after the parent:
    /// the link still exists (atomic spawn_link).
    spawn_link_to_a_process_that_dies_at_once,
    async {
        trap_exit(true);
        for _ in 0..1000 {
            let child = spawn_link(async { boom() });
            let e = receive::<Exit>().await;
            assert_eq!(e, Exit { from: child, reason: boom() });
        }
    }
);

girder_test!(
    /// Without trapping, the parent dies with the child's reason.
    spawn_link_crash_takes_the_parent_down,
    async {
        let (parent, m) = spawn_monitor(async {
            spawn_link(async { boom() });
            receive::<()>().await;
        });
        let d = receive_match(move |d: &Down| d.monitor == m).await;
        assert_eq!((d.pid, d.reason), (parent, boom()));
    }
);

girder_test!(
    /// Links work both ways: the parent's crash reaches the child.
    links_are_bidirectional,
    async {
        let root = self_pid();
        let (parent, _) = spawn_monitor(async move {
            let child = spawn_link(async {
                trap_exit(true);
                let e = receive::<Exit>().await;
                e.reason
            });
            send(root, child);
            receive::<()>().await;
        });
        let child: Pid = receive().await;
        let m = girder_core::monitor(child);
        exit(parent, boom());
        let d = receive_match(move |d: &Down| d.monitor == m).await;
        // The child trapped the exit and returned its reason as its own.
        assert_eq!(d.reason, boom());
    }
);

girder_test!(
    /// Linking to a dead pid sends `noproc` (trapped here).
    link_to_dead_pid_gives_noproc,
    async {
        trap_exit(true);
        let (dead, m) = spawn_monitor(async {});
        receive_match(move |d: &Down| d.monitor == m).await;
        link(dead);
        let e = receive::<Exit>().await;
        assert_eq!(e, Exit { from: dead, reason: ExitReason::Noproc });
        assert!(process_info(self_pid()).expect("alive").links.is_empty());
    }
);

girder_test!(
    /// Linking to a dead pid without trapping kills the caller with noproc.
    link_to_dead_pid_kills_non_trapping_caller,
    async {
        let (dead, m) = spawn_monitor(async {});
        receive_match(move |d: &Down| d.monitor == m).await;
        let (linker, m2) = spawn_monitor(async move {
            link(dead);
            receive::<()>().await;
        });
        let d = receive_match(move |d: &Down| d.monitor == m2).await;
        assert_eq!((d.pid, d.reason), (linker, ExitReason::Noproc));
    }
);

girder_test!(
    /// Linking twice is one link; both sides list it once.
    link_is_idempotent,
    async {
        let root = self_pid();
        let other = spawn(async move {
            receive::<()>().await;
            let info = process_info(self_pid()).expect("alive");
            send(root, info.links);
        });
        link(other);
        link(other);
        link(self_pid());
        assert_eq!(process_info(root).expect("alive").links, vec![other]);
        send(other, ());
        let links: Vec<Pid> = receive().await;
        assert_eq!(links, vec![root]);
    }
);

girder_test!(
    /// After unlink, the other side's crash does not reach us, even when it
    /// was already on its way.
    unlink_cancels_the_exit_signal,
    async {
        let root = self_pid();
        let (worker, m) = spawn_monitor(async move {
            link(root);
            send(root, ());
            receive::<()>().await;
            boom()
        });
        receive::<()>().await;
        unlink(worker);
        send(worker, ());
        let d = receive_match(move |d: &Down| d.monitor == m).await;
        assert_eq!(d.reason, boom());
        // Still alive and untrapped: prove it by receiving.
        send(self_pid(), 7u8);
        assert_eq!(receive::<u8>().await, 7);
    }
);

girder_test!(
    /// A link exit that raced with unlink is ignored even while trapping:
    /// the crash happens before the unlink is handled by the worker.
    unlink_race_while_trapping_delivers_no_stale_exit,
    async {
        trap_exit(true);
        let root = self_pid();
        for _ in 0..200 {
            let (worker, m) = spawn_monitor(async move {
                link(root);
                send(root, ());
                boom()
            });
            receive::<()>().await;
            unlink(worker);
            receive_match(move |d: &Down| d.monitor == m).await;
            // An Exit already converted into a message before the unlink
            // may remain (as in Erlang); none may arrive after it.
            while receive::<Exit>().timeout(std::time::Duration::ZERO).await.is_some() {}
        }
        assert!(receive::<Exit>().timeout(std::time::Duration::from_millis(20)).await.is_none());
    }
);

girder_test!(
    /// Normal exits do not propagate over links to non-trapping processes.
    normal_exit_does_not_propagate,
    async {
        let root = self_pid();
        let (middle, m) = spawn_monitor(async move {
            spawn_link(async {});
            send(root, "linked child exited normally?");
            receive::<()>().await;
        });
        let _: &str = receive().await;
        send(middle, ());
        let d = receive_match(move |d: &Down| d.monitor == m).await;
        assert_eq!(d.reason, ExitReason::Normal);
    }
);
