//! Task.Supervisor: `async_nolink`, `async` (`spawn`), `start_child`,
//! `children`, `terminate_child`, `max_children`, shutdown of the tasks
//! with the supervisor, `async_stream_nolink`. After Elixir's
//! `Task.SupervisorTest`.

use std::time::Duration;

use girder::otp::dynamic_supervisor::Options;
use girder::otp::supervisor::ChildError;
use girder::otp::task::{TaskError, TaskSupervisor};
use girder::prelude::*;

use crate::PATIENCE;

fn queue_len() -> usize {
    process_info(self_pid())
        .map(|i| i.message_queue_len)
        .unwrap_or(0)
}

/// Sent by a task that has started.
struct Started(Pid);

async fn started() -> Pid {
    receive::<Started>()
        .timeout(PATIENCE)
        .await
        .expect("the task starts")
        .0
}

async fn down(m: Ref) -> ExitReason {
    receive_match(move |d: &Down| d.monitor == m)
        .timeout(PATIENCE)
        .await
        .expect("the process exits")
        .reason
}

/// Waits until the supervisor has no children left (it learns of a
/// child's exit through its own exit signal).
async fn no_children(sup: &TaskSupervisor) {
    while !sup.children().await.unwrap().is_empty() {
        yield_now().await;
    }
}

girder_test!(
    /// `async_nolink`: the task is a child of the supervisor, not linked to
    /// the caller; await gives the value; the child goes away when done.
    async_nolink_value,
    async {
        let sup = TaskSupervisor::start_link(Options::new()).await.unwrap();
        let me = self_pid();
        let task = sup
            .async_nolink(async move {
                send(me, Started(self_pid()));
                receive::<u32>().await * 2
            })
            .await
            .unwrap();
        let pid = started().await;
        assert_eq!(pid, task.pid());
        assert_eq!(sup.children().await, Ok(vec![pid]));
        assert!(!process_info(self_pid()).unwrap().links.contains(&pid));
        assert!(process_info(pid).unwrap().links.contains(&sup.pid().unwrap()));
        send(pid, 21u32);
        assert_eq!(task.await, Ok(42));
        no_children(&sup).await;
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// A crashing `async_nolink` task: the caller (not trapping exits)
    /// lives and gets the reason from `await`; nothing is left behind.
    async_nolink_crash_leaves_caller_alive,
    async {
        let sup = TaskSupervisor::start_link(Options::new()).await.unwrap();
        let task = sup
            .async_nolink(async { panic!("nolink crash") })
            .await
            .unwrap();
        match task.await {
            Err(TaskError::Exit(ExitReason::Panic(msg))) => assert!(msg.contains("nolink crash")),
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(queue_len(), 0);
        // The supervisor is unharmed too (temporary children).
        assert_eq!(
            sup.async_nolink(async { 1 }).await.unwrap().await,
            Ok(1)
        );
    }
);

girder_test!(
    /// `yield` and `shutdown` work on supervised tasks too.
    async_nolink_yield_and_shutdown,
    async {
        let sup = TaskSupervisor::start_link(Options::new()).await.unwrap();
        let mut task = sup
            .async_nolink(async { receive::<()>().await })
            .await
            .unwrap();
        assert_eq!(task.yield_timeout(Duration::from_millis(5)).await, None);
        let pid = task.pid();
        assert_eq!(task.shutdown(PATIENCE).await, None);
        assert!(!is_process_alive(pid));
        no_children(&sup).await;
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// `Task.Supervisor.async`: supervised and linked to the caller, so a
    /// crash reaches a trapping caller as an `Exit` too; `async_stream`
    /// starts its tasks that way.
    spawn_is_linked,
    async {
        trap_exit(true);
        let sup = TaskSupervisor::start_link(Options::new()).await.unwrap();
        let ok = sup.spawn(async { "fine" }).await.unwrap();
        assert_eq!(ok.await, Ok("fine"));
        let bad = sup.spawn(async { panic!("linked crash") }).await.unwrap();
        let pid = bad.pid();
        assert!(matches!(bad.await, Err(TaskError::Exit(ExitReason::Panic(_)))));
        let exit = receive::<Exit>().timeout(PATIENCE).await.expect("an Exit");
        assert_eq!(exit.from, pid);
        assert_eq!(queue_len(), 0);
        let linked = sup
            .async_stream(0..3u8, |i| async move { i })
            .collect()
            .await;
        assert_eq!(linked, vec![Ok(0), Ok(1), Ok(2)]);
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// `start_child`: runs once, not linked to the caller, never restarted.
    start_child_is_temporary,
    async {
        let sup = TaskSupervisor::start_link(Options::new()).await.unwrap();
        let me = self_pid();
        let pid = sup
            .start_child(async move {
                send(me, Started(self_pid()));
                panic!("temporary");
            })
            .await
            .unwrap();
        assert_eq!(started().await, pid);
        no_children(&sup).await;
        assert!(
            receive::<Started>().timeout(Duration::from_millis(50)).await.is_none(),
            "not restarted"
        );
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// `terminate_child`: the task gets `Shutdown`; a second time it is
    /// not found.
    terminate_child,
    async {
        let sup = TaskSupervisor::start_link(Options::new()).await.unwrap();
        let me = self_pid();
        let pid = sup
            .start_child(async move {
                send(me, Started(self_pid()));
                receive::<()>().await;
            })
            .await
            .unwrap();
        started().await;
        let m = monitor(pid);
        assert_eq!(sup.terminate_child(pid).await, Ok(()));
        assert_eq!(down(m).await, ExitReason::Shutdown);
        assert_eq!(sup.terminate_child(pid).await, Err(ChildError::NotFound));
        assert_eq!(sup.children().await, Ok(vec![]));
    }
);

girder_test!(
    /// `max_children`: a task beyond the limit is refused.
    max_children,
    async {
        let sup = TaskSupervisor::start_link(Options::new().max_children(1))
            .await
            .unwrap();
        let first = sup.async_nolink(async { receive::<()>().await }).await.unwrap();
        let second = sup.async_nolink(async {}).await.unwrap_err();
        assert_eq!(second, ChildError::MaxChildren);
        send(first.pid(), ());
        assert_eq!(first.await, Ok(()));
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// Stopping the supervisor shuts its tasks down; their owner sees the
    /// exit.
    stop_shuts_tasks_down,
    async {
        let sup = TaskSupervisor::start_link(Options::new()).await.unwrap();
        let me = self_pid();
        let task = sup
            .async_nolink(async move {
                send(me, Started(self_pid()));
                receive::<()>().await;
            })
            .await
            .unwrap();
        started().await;
        sup.stop(ExitReason::Normal, PATIENCE).await.unwrap();
        assert_eq!(task.await, Err(TaskError::Exit(ExitReason::Shutdown)));
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// `async_stream_nolink`: crashing items give their reason, the caller
    /// need not trap exits; order and values are kept.
    async_stream_nolink_errors_per_item,
    async {
        let sup = TaskSupervisor::start_link(Options::new()).await.unwrap();
        let results = sup
            .async_stream_nolink(0..8u32, |i| async move {
                if i % 2 == 1 {
                    panic!("odd {i}");
                }
                i
            })
            .max_concurrency(3)
            .collect()
            .await;
        for (i, r) in (0u32..).zip(&results) {
            if i % 2 == 0 {
                assert_eq!(*r, Ok(i));
            } else {
                assert!(matches!(r, Err(TaskError::Exit(ExitReason::Panic(_)))), "{r:?}");
            }
        }
        assert_eq!(results.len(), 8);
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// A stream whose items cannot start (max_children reached) reports
    /// that per item instead of failing.
    async_stream_nolink_start_errors,
    async {
        let sup = TaskSupervisor::start_link(Options::new().max_children(1))
            .await
            .unwrap();
        let blocker = sup.async_nolink(async { receive::<()>().await }).await.unwrap();
        let results = sup
            .async_stream_nolink(0..2u8, |i| async move { i })
            .collect()
            .await;
        assert_eq!(
            results,
            vec![
                Err(TaskError::Exit(ExitReason::other("max_children"))),
                Err(TaskError::Exit(ExitReason::other("max_children"))),
            ]
        );
        send(blocker.pid(), ());
        assert_eq!(blocker.await, Ok(()));
    }
);
