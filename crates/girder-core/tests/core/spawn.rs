//! Spawning: pids, stale pids, and a million processes that spawn and exit
//! cleanly.

use girder_core::{
    Down, ExitReason, Handle, Pid, is_process_alive, processes, receive, receive_match, self_pid,
    send, spawn, spawn_monitor,
};

girder_test!(
    /// Pids are unique, ordered by spawn, printed the Erlang way; a stale
    /// pid never reaches a newer process.
    stale_pid_never_reaches_a_new_process,
    async {
        let me = self_pid();
        let (old, m) = spawn_monitor(async {});
        receive_match(move |d: &Down| d.monitor == m).await;
        assert!(!is_process_alive(old));
        let new = spawn(async move {
            let got = receive::<&str>().await;
            send(me, got);
        });
        // The new process reuses the slot (same ID) under a new serial.
        assert_eq!(new.id(), old.id());
        assert_ne!(new.serial(), old.serial());
        assert_eq!(new.to_string(), format!("<0.{}.{}>", new.id(), new.serial()));
        send(old, "to the dead");
        send(new, "to the living");
        assert_eq!(receive::<&str>().await, "to the living");
    }
);

girder_test!(
    /// 1,000,000 processes spawn, run and exit; none is left behind.
    a_million_processes_spawn_and_exit,
    async {
        let me = self_pid();
        const N: usize = 1_000_000;
        for i in 0..N {
            spawn(async move {
                if i % 100_000 == 0 {
                    send(me, i);
                }
            });
        }
        for _ in 0..N / 100_000 {
            receive::<usize>().await;
        }
        // Wait for the stragglers via a monitor on the last one spawned.
        let (_, m) = spawn_monitor(async {});
        receive_match(move |d: &Down| d.monitor == m).await;
        let handle = Handle::current();
        while handle.process_count() > 1 {
            girder_core::yield_now().await;
        }
        // Only the root remains.
        assert_eq!(processes(), vec![self_pid()]);
    }
);

girder_test!(
    /// 100,000 processes alive at once, waiting in receive, then all told to
    /// stop.
    many_idle_processes_then_all_stop,
    async {
        let me = self_pid();
        let pids: Vec<Pid> = (0..100_000)
            .map(|_| {
                spawn(async move {
                    receive::<()>().await;
                    send(me, 1u8);
                })
            })
            .collect();
        assert!(processes().len() >= 100_000);
        for p in &pids {
            send(*p, ());
        }
        for _ in 0..pids.len() {
            receive::<u8>().await;
        }
    }
);

girder_test!(
    /// The result of the future decides the exit reason.
    future_output_is_the_exit_reason,
    async {
        let (_, m1) = spawn_monitor(async { Err::<(), _>("bad input") });
        let (_, m2) = spawn_monitor(async { Ok::<_, String>(5) });
        let (_, m3) = spawn_monitor(async { ExitReason::Shutdown });
        let d1 = receive_match(move |d: &Down| d.monitor == m1).await;
        let d2 = receive_match(move |d: &Down| d.monitor == m2).await;
        let d3 = receive_match(move |d: &Down| d.monitor == m3).await;
        assert_eq!(d1.reason, ExitReason::other("bad input"));
        assert_eq!(d2.reason, ExitReason::Normal);
        assert_eq!(d3.reason, ExitReason::Shutdown);
    }
);
