//! Aliases: an address that delivers while active and drops everything sent
//! after `unalias`, including messages already on their way. After OTP
//! `process_SUITE` alias cases (`alias_bif`, `unalias_drops_in_flight`).

use std::time::Duration;

use girder_core::{Alias, alias, receive, self_pid, send, spawn, unalias};

girder_test!(
    /// A message through an active alias arrives like one sent to the pid.
    active_alias_delivers,
    async {
        let a = alias();
        assert_eq!(a.pid(), self_pid());
        spawn(async move { a.send(7u32) });
        assert_eq!(receive::<u32>().await, 7);
    }
);

girder_test!(
    /// A message sent after `unalias` is dropped on arrival; the sender's
    /// next plain message (ordered after it) proves it reached us.
    message_after_unalias_is_dropped,
    async {
        let me = self_pid();
        let a = alias();
        let sender = spawn(async move {
            receive::<&str>().await;
            a.send(1u32);
            send(me, "done");
        });
        assert!(unalias(a));
        assert!(!unalias(a), "an alias deactivates once");
        send(sender, "go");
        assert_eq!(receive::<&str>().await, "done");
        let late = receive::<u32>().timeout(Duration::ZERO).await;
        assert_eq!(late, None);
    }
);

girder_test!(
    /// Messages that arrived while the alias was active stay after unalias.
    arrived_before_unalias_stays,
    async {
        let a = alias();
        a.send(1u32);
        unalias(a);
        assert_eq!(receive::<u32>().timeout(Duration::ZERO).await, Some(1));
    }
);

girder_test!(
    /// An alias of a process that is gone swallows messages silently.
    alias_of_dead_process_drops,
    async {
        let me = self_pid();
        let (child, _) = girder_core::spawn_monitor(async move {
            send(me, alias());
        });
        let a = receive::<Alias>().await;
        receive::<girder_core::Down>().await;
        assert_eq!(a.pid(), child);
        a.send(5u32);
        assert!(!girder_core::is_process_alive(child));
    }
);
