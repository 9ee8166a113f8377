//! Agent: start, get, update, get_and_update, cast, stop, names, crashes,
//! timeouts and supervision. After Elixir's `AgentTest` (`start_link/2`
//! with a name, `get/3`, `get_and_update/3`, `update/3`, `cast/2`, `stop/3`,
//! `:already_started`, init failures).

use std::collections::HashMap;
use std::time::Duration;

use girder::otp::agent::Agent;
use girder::otp::gen_server::{CallError, Options, StartError};
use girder::otp::supervisor::{Options as SupOptions, Strategy, Supervisor};
use girder::prelude::*;

use crate::PATIENCE;

fn queue_len() -> usize {
    process_info(self_pid())
        .map(|i| i.message_queue_len)
        .unwrap_or(0)
}

girder_test!(
    /// `get`, `update` and `get_and_update` on a counter.
    get_update_get_and_update,
    async {
        let counter = Agent::start_link(|| 0u64).await.unwrap();
        assert_eq!(counter.get(|n| *n).await, Ok(0));
        counter.update(|n| n + 5).await.unwrap();
        assert_eq!(counter.get_and_update(|n| (n * 2, n + 1)).await, Ok(10));
        assert_eq!(counter.get(|n| *n).await, Ok(6));
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// A map as state, closures capturing their arguments.
    map_state,
    async {
        let kv = Agent::start(HashMap::<String, u32>::new).await.unwrap();
        for (k, v) in [("a", 1), ("b", 2)] {
            kv.update(move |mut m| {
                m.insert(k.to_string(), v);
                m
            })
            .await
            .unwrap();
        }
        let b = kv.get(|m| m.get("b").copied()).await;
        assert_eq!(b, Ok(Some(2)));
        let popped = kv
            .get_and_update(|mut m| (m.remove("a"), m))
            .await
            .unwrap();
        assert_eq!(popped, Some(1));
        assert_eq!(kv.get(|m| m.len()).await, Ok(1));
    }
);

girder_test!(
    /// `init` and every closure run inside the agent process.
    closures_run_in_agent,
    async {
        let me = self_pid();
        let agent = Agent::start(self_pid).await.unwrap();
        let pid = agent.whereis().unwrap();
        assert_eq!(agent.get(|init_pid| *init_pid).await, Ok(pid));
        assert_ne!(pid, me);
        assert_eq!(agent.get(|_| self_pid()).await, Ok(pid));
    }
);

girder_test!(
    /// Casts are applied in order, before a later call from the same
    /// caller.
    casts_in_order,
    async {
        let log = Agent::start(Vec::new).await.unwrap();
        for i in 0..10u32 {
            log.cast(move |mut v| {
                v.push(i);
                v
            });
        }
        assert_eq!(log.get(|v| v.clone()).await, Ok((0..10).collect::<Vec<_>>()));
    }
);

girder_test!(
    /// Named agents: a second start under the name fails with the holder's
    /// pid; use by name; the name is freed by `stop`; then `NoProc`.
    named_agent,
    async {
        let opts = Options::new().name("agent_test_cache");
        let a = Agent::start_with(|| 1u8, opts.clone()).await.unwrap();
        let pid = a.whereis().unwrap();
        let again = Agent::start_with(|| 2u8, opts).await.unwrap_err();
        assert_eq!(again, StartError::AlreadyStarted(pid));
        let by_name = Agent::<u8>::named("agent_test_cache");
        assert_eq!(by_name, Agent::<u8>::named("agent_test_cache"));
        by_name.update(|n| n + 1).await.unwrap();
        assert_eq!(a.get(|n| *n).await, Ok(2));
        by_name.stop(ExitReason::Normal, PATIENCE).await.unwrap();
        assert_eq!(whereis("agent_test_cache"), None);
        match by_name.get(|n| *n).await {
            Err(CallError::NoProc { server }) => assert_eq!(server, "agent_test_cache"),
            other => panic!("unexpected {other:?}"),
        }
        // A cast to a stopped agent is not an error.
        by_name.cast(|n| n);
    }
);

girder_test!(
    /// `stop` with a reason: monitors see that reason; a second stop is
    /// `NoProc`.
    stop_with_reason,
    async {
        let agent = Agent::start(|| ()).await.unwrap();
        let m = monitor(agent.whereis().unwrap());
        agent
            .stop(ExitReason::other("enough"), PATIENCE)
            .await
            .unwrap();
        let d = receive_match(move |d: &Down| d.monitor == m).await;
        assert_eq!(d.reason, ExitReason::other("enough"));
        let again = agent.stop(ExitReason::Normal, PATIENCE).await.unwrap_err();
        assert!(matches!(again, CallError::NoProc { .. }), "{again:?}");
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// A panic in `init` fails the start; the trapping caller is left
    /// nothing in its mailbox.
    init_panic_fails_start,
    async {
        trap_exit(true);
        let err = Agent::<u8>::start_link(|| panic!("no state")).await.unwrap_err();
        match err {
            StartError::Stopped(ExitReason::Panic(msg)) => assert!(msg.contains("no state")),
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// A closure that panics crashes the agent; the caller gets the exit
    /// reason instead of exiting.
    closure_panic_crashes_agent,
    async {
        let agent = Agent::start(|| 0u8).await.unwrap();
        let pid = agent.whereis().unwrap();
        let err = agent
            .get(|_| -> u8 { panic!("bad read") })
            .await
            .unwrap_err();
        match err {
            CallError::Exit {
                server,
                reason: ExitReason::Panic(msg),
            } => {
                assert_eq!(server, pid);
                assert!(msg.contains("bad read"));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(!is_process_alive(pid));
    }
);

girder_test!(
    /// `get` with a timeout on a busy agent: `Timeout`, and the late reply
    /// never reaches the caller's mailbox.
    get_timeout_drops_late_reply,
    async {
        let agent = Agent::start(|| 7u8).await.unwrap();
        // Keep the agent busy for a while (a closure is plain code).
        agent.cast(|n| {
            std::thread::sleep(Duration::from_millis(100));
            n
        });
        let err = agent
            .get_timeout(|n| *n, Duration::from_millis(10))
            .await
            .unwrap_err();
        assert!(matches!(err, CallError::Timeout { .. }), "{err:?}");
        // Ordered after the late reply: once this returns, that reply has
        // been dropped on arrival.
        assert_eq!(agent.get(|n| *n).await, Ok(7));
        assert_eq!(queue_len(), 0);
        assert_eq!(
            agent
                .update_timeout(|n| n + 1, PATIENCE)
                .await
                .map(|()| "ok"),
            Ok("ok")
        );
        assert_eq!(
            agent.get_and_update_timeout(|n| (n, 0), PATIENCE).await,
            Ok(8)
        );
    }
);

girder_test!(
    /// `Agent::child_spec` under a supervisor: reachable by name, restarted
    /// with a fresh state after a crash.
    supervised_agent,
    async {
        let spec = Agent::child_spec_with(
            "counter",
            || 100u32,
            Options::new().name("agent_test_supervised"),
        );
        let sup = Supervisor::start_link(vec![spec], SupOptions::new(Strategy::OneForOne))
            .await
            .unwrap();
        let agent = Agent::<u32>::named("agent_test_supervised");
        agent.update(|n| n + 1).await.unwrap();
        assert_eq!(agent.get(|n| *n).await, Ok(101));
        let first = agent.whereis().unwrap();
        let m = monitor(first);
        exit(first, ExitReason::Kill);
        receive_match(move |d: &Down| d.monitor == m).await;
        // The supervisor restarts it; wait until the new one answers.
        let fresh = loop {
            match agent.get(|n| *n).await {
                Ok(n) => break n,
                Err(_) => yield_now().await,
            }
        };
        assert_eq!(fresh, 100);
        assert_ne!(agent.whereis(), Some(first));
        sup.stop(ExitReason::Normal, PATIENCE).await.unwrap();
    }
);

/// An agent handle can be shared between processes.
#[test]
fn auto_traits() {
    fn send_sync<T: Send + Sync + Clone>() {}
    send_sync::<Agent<Vec<String>>>();
}
