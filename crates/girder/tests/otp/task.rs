//! Task: await, yield, shutdown, crashes through the link, many tasks, and
//! `async_stream`. After Elixir's `TaskTest` (`async/1`, `await/2`
//! exits on timeout / on task exit, `yield/2`, `shutdown/2` with a
//! finished, running and trapping task, `:brutal_kill`, `await_many`,
//! `yield_many`) and `Task.async_stream` tests (`max_concurrency`,
//! `ordered: false`, `timeout` with `on_timeout: :kill_task`, halting).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use girder::otp::task::{INFINITY, OnTimeout, Task, TaskError};
use girder::prelude::*;

use crate::PATIENCE;

fn queue_len() -> usize {
    process_info(self_pid())
        .map(|i| i.message_queue_len)
        .unwrap_or(0)
}

/// Waits for the `DOWN` of monitor `m`; the exit reason.
async fn down(m: Ref) -> ExitReason {
    receive_match(move |d: &Down| d.monitor == m)
        .timeout(PATIENCE)
        .await
        .expect("the process exits")
        .reason
}

/// Waits until `pid` is gone (it may be gone already: `Noproc`).
async fn gone(pid: Pid) {
    down(monitor(pid)).await;
}

/// A future that never finishes on its own.
async fn forever() {
    sleep(Duration::from_secs(3600)).await;
}

/// Sent by a task that has started (and set whatever it needed to).
#[derive(Debug, PartialEq)]
struct Started(Pid);

async fn started() -> Pid {
    receive::<Started>()
        .timeout(PATIENCE)
        .await
        .expect("the task starts")
        .0
}

girder_test!(
    /// `Task.async` + `Task.await`: the value comes back; the task ran in
    /// another process, linked to the caller.
    await_returns_value,
    async {
        let me = self_pid();
        let task = Task::spawn(async move {
            let info = process_info(self_pid()).expect("alive");
            (self_pid() != me, info.links.contains(&me))
        });
        assert_eq!(task.owner(), me);
        assert_eq!(task.await, Ok((true, true)));
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// `await` with a timeout: `Err(Timeout)`, the task is killed before
    /// `await` returns, the caller (not trapping) lives on, and nothing is
    /// left in its mailbox.
    await_timeout_kills_task,
    async {
        let task = Task::spawn(forever());
        let pid = task.pid();
        let err = task.await_timeout(Duration::from_millis(20)).await;
        assert_eq!(err, Err(TaskError::Timeout));
        assert!(!is_process_alive(pid));
        assert_eq!(queue_len(), 0);
        assert_eq!(err.unwrap_err().exit_reason(), ExitReason::other("timeout"));
    }
);

girder_test!(
    /// `await` with `INFINITY` waits as long as it takes.
    await_infinity,
    async {
        let task = Task::spawn(async { receive::<u8>().await });
        send(task.pid(), 9u8);
        assert_eq!(task.await_timeout(INFINITY).await, Ok(9));
    }
);

girder_test!(
    /// `Task.yield`: `None` while the task runs (it keeps running), then
    /// the value; yield first, await after.
    yield_then_await,
    async {
        let mut task = Task::spawn(async { receive::<u32>().await + 1 });
        assert_eq!(task.yield_timeout(Duration::ZERO).await, None);
        assert_eq!(task.yield_timeout(Duration::from_millis(5)).await, None);
        assert!(is_process_alive(task.pid()));
        send(task.pid(), 41u32);
        assert_eq!(task.await, Ok(42));
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// A result taken by `yield` is gone: further yields, awaits and
    /// shutdowns see `Exit(Noproc)` at once (Elixir's `shutdown` rule).
    yield_takes_the_result_once,
    async {
        let mut task = Task::spawn(async { 7 });
        assert_eq!(task.yield_timeout(PATIENCE).await, Some(Ok(7)));
        let noproc = Some(Err(TaskError::Exit(ExitReason::Noproc)));
        assert_eq!(task.yield_timeout(PATIENCE).await, noproc);
        assert_eq!(task.shutdown(PATIENCE).await, noproc);
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// `shutdown` of a task that already finished returns its result.
    shutdown_finished_task_returns_result,
    async {
        let task = Task::spawn(async { "done" });
        gone(task.pid()).await;
        assert_eq!(task.shutdown(PATIENCE).await, Some(Ok("done")));
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// `shutdown` of a running task: it gets `Shutdown`, exits, and
    /// `shutdown` returns `None`; the caller, who does not trap exits, is
    /// unharmed (the task was unlinked first).
    shutdown_running_task,
    async {
        let task = Task::spawn(forever());
        let pid = task.pid();
        assert_eq!(task.shutdown(PATIENCE).await, None);
        assert!(!is_process_alive(pid));
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// `shutdown(task, :brutal_kill)`.
    shutdown_brutal_kill,
    async {
        trap_exit(true);
        let task = Task::spawn(forever());
        let pid = task.pid();
        assert_eq!(task.shutdown_brutal_kill().await, None);
        assert!(!is_process_alive(pid));
        assert_eq!(queue_len(), 0, "no Exit: the task was unlinked before the kill");
    }
);

girder_test!(
    /// A task that traps exits and ignores the shutdown is killed after
    /// the timeout: `{:exit, :killed}` as in Elixir.
    shutdown_kills_task_ignoring_shutdown,
    async {
        let me = self_pid();
        let task = Task::spawn(async move {
            trap_exit(true);
            send(me, Started(self_pid()));
            forever().await;
        });
        started().await;
        let pid = task.pid();
        let got = task.shutdown(Duration::from_millis(50)).await;
        assert_eq!(got, Some(Err(TaskError::Exit(ExitReason::Killed))));
        assert!(!is_process_alive(pid));
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// A trapping task that finishes when told to shut down: `shutdown`
    /// returns the result it sent meanwhile.
    shutdown_returns_result_sent_meanwhile,
    async {
        let me = self_pid();
        let task = Task::spawn(async move {
            trap_exit(true);
            send(me, Started(self_pid()));
            let exit = receive::<Exit>().await;
            format!("stopped by {}", exit.reason)
        });
        started().await;
        let got = task.shutdown(PATIENCE).await;
        assert_eq!(got, Some(Ok("stopped by shutdown".to_string())));
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// A task that panics: its exit signal reaches the (trapping) caller
    /// through the link, and `await` gives the exit reason.
    crash_propagates_through_link,
    async {
        trap_exit(true);
        let task: Task<()> = Task::spawn(async { panic!("task blew up") });
        let pid = task.pid();
        match task.await {
            Err(TaskError::Exit(ExitReason::Panic(msg))) => assert!(msg.contains("task blew up")),
            other => panic!("unexpected {other:?}"),
        }
        let exit = receive::<Exit>().timeout(PATIENCE).await.expect("an Exit");
        assert_eq!(exit.from, pid);
        assert!(matches!(exit.reason, ExitReason::Panic(_)));
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// A caller that does not trap exits dies with its crashing task, as in
    /// Elixir: it never gets to see the error.
    crash_kills_non_trapping_caller,
    async {
        let me = self_pid();
        let (_, caller) = spawn_monitor(async move {
            let task: Task<()> = Task::spawn(async { panic!("task blew up") });
            let result = task.await;
            send(me, format!("survived: {result:?}"));
        });
        match down(caller).await {
            ExitReason::Panic(msg) => assert!(msg.contains("task blew up")),
            other => panic!("unexpected {other}"),
        }
        assert_eq!(queue_len(), 0, "the caller sent nothing");
    }
);

girder_test!(
    /// A finished task leaves no `Exit { Normal }` behind for a trapping
    /// caller (it unlinks itself before it answers).
    no_exit_message_after_success,
    async {
        trap_exit(true);
        let task = Task::spawn(async { 1 });
        let pid = task.pid();
        assert_eq!(task.await, Ok(1));
        // The task unlinked itself before it answered: no exit signal can
        // come.
        assert!(!process_info(self_pid()).unwrap().links.contains(&pid));
        gone(pid).await;
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// A task dropped without being awaited: the result and `DOWN` it
    /// sends after the drop are discarded.
    dropped_task_leaves_nothing,
    async {
        let task = Task::spawn(async { receive::<u8>().await });
        let pid = task.pid();
        drop(task);
        let m = monitor(pid);
        send(pid, 1u8);
        assert_eq!(down(m).await, ExitReason::Normal);
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// `Task.ignore`: the task runs on, unlinked; its result is dropped.
    ignore_lets_task_run,
    async {
        let task = Task::spawn(async { receive::<u8>().await });
        let pid = task.pid();
        assert_eq!(task.ignore().await, None);
        assert!(!process_info(self_pid()).unwrap().links.contains(&pid));
        let m = monitor(pid);
        send(pid, 1u8);
        assert_eq!(down(m).await, ExitReason::Normal);
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// Only the owner may await: another process panics, as Elixir raises.
    await_by_other_process_panics,
    async {
        let task = Task::spawn(async { 1 });
        let (_, other) = spawn_monitor(async move {
            let _ = task.await;
        });
        match down(other).await {
            ExitReason::Panic(msg) => assert!(msg.contains("owned by"), "{msg}"),
            other => panic!("unexpected {other}"),
        }
    }
);

girder_test!(
    /// `Task.start`: not linked, so its crash does not reach the caller.
    start_is_unlinked,
    async {
        let pid = Task::start(async { panic!("fire and forget") });
        gone(pid).await;
        assert!(!process_info(self_pid()).unwrap().links.contains(&pid));
        assert_eq!(queue_len(), 0, "no exit signal reached the caller");
    }
);

girder_test!(
    /// `Task.await_many`: results in order; a crashing task ends the wait
    /// with its reason and the others are killed.
    await_many_in_order_and_on_failure,
    async {
        let tasks = (0..5u32)
            .rev()
            .map(|i| Task::spawn(async move { i }))
            .collect();
        assert_eq!(Task::await_many(tasks, PATIENCE).await, Ok(vec![4, 3, 2, 1, 0]));

        trap_exit(true);
        let me = self_pid();
        let slow = Task::spawn(async move {
            send(me, Started(self_pid()));
            forever().await;
            0
        });
        let slow_pid = started().await;
        let bad = Task::spawn(async { panic!("bad") });
        let bad_pid = bad.pid();
        match Task::await_many(vec![slow, bad], PATIENCE).await {
            Err(TaskError::Exit(ExitReason::Panic(_))) => {}
            other => panic!("unexpected {other:?}"),
        }
        assert!(!is_process_alive(slow_pid), "the other task was killed");
        let exit = receive::<Exit>().timeout(PATIENCE).await.expect("an Exit");
        assert_eq!(exit.from, bad_pid);
        assert_eq!(queue_len(), 0);

        let stuck = vec![Task::spawn(async {
            forever().await;
            0
        })];
        let err = Task::await_many(stuck, Duration::from_millis(20)).await;
        assert_eq!(err, Err(TaskError::Timeout));
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// `Task.yield_many`: finished ones answer, running ones give `None`
    /// and can be shut down after.
    yield_many_then_shutdown,
    async {
        trap_exit(true);
        let me = self_pid();
        let mut tasks = vec![
            Task::spawn(async { 1 }),
            Task::spawn(async move {
                send(me, Started(self_pid()));
                forever().await;
                2
            }),
            Task::spawn(async { panic!("third") }),
        ];
        started().await;
        // Wait until the first and third are over, so the answer is known.
        gone(tasks[0].pid()).await;
        gone(tasks[2].pid()).await;
        let got = Task::yield_many(&mut tasks, Duration::ZERO).await;
        assert_eq!(got[0], Some(Ok(1)));
        assert_eq!(got[1], None);
        assert!(matches!(got[2], Some(Err(TaskError::Exit(ExitReason::Panic(_))))));
        let mut tasks = tasks.into_iter();
        let _first = tasks.next();
        let second = tasks.next().expect("second task");
        assert_eq!(second.shutdown(PATIENCE).await, None);
        let _ = receive::<Exit>().timeout(PATIENCE).await.expect("third's Exit");
        assert_eq!(queue_len(), 0);
    }
);

/// A process that holds stream tasks until as many as possible wait, and
/// checks how many run at once.
async fn gatekeeper(total: usize, limit: usize, report: Pid) {
    let mut waiting: Vec<Pid> = Vec::new();
    let mut released = 0;
    let mut batches = 0usize;
    while released < total {
        let Started(pid) = receive::<Started>().await;
        waiting.push(pid);
        // Every task the stream may run at once is here: let them go.
        if waiting.len() == limit.min(total - released) {
            batches += 1;
            released += waiting.len();
            for pid in waiting.drain(..) {
                send(pid, ());
            }
        }
    }
    send(report, ("batches", batches));
}

girder_test!(
    /// `async_stream` with `max_concurrency`: never more tasks at once than
    /// the limit, and the limit is reached; results in item order.
    async_stream_bounded_concurrency,
    async {
        const ITEMS: usize = 20;
        const LIMIT: usize = 3;
        let me = self_pid();
        let gate = spawn(gatekeeper(ITEMS, LIMIT, me));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let (r, p) = (running.clone(), peak.clone());
        let results = Task::async_stream(0..ITEMS, move |i| {
            let (running, peak) = (r.clone(), p.clone());
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                send(gate, Started(self_pid()));
                receive::<()>().await;
                running.fetch_sub(1, Ordering::SeqCst);
                i * 10
            }
        })
        .max_concurrency(LIMIT)
        .collect()
        .await;
        let expected: Vec<_> = (0..ITEMS).map(|i| Ok(i * 10)).collect();
        assert_eq!(results, expected);
        assert_eq!(peak.load(Ordering::SeqCst), LIMIT);
        let batches = receive::<(&str, usize)>().timeout(PATIENCE).await;
        assert_eq!(batches, Some(("batches", ITEMS.div_ceil(LIMIT))));
        assert_eq!(queue_len(), 0);
    }
);

/// A process that lets tasks finish in reverse item order: it waits until
/// all `n` have started, then releases the last, waits for it to exit,
/// releases the one before, and so on.
async fn reverser(n: usize) {
    let mut tasks: Vec<(usize, Pid)> = Vec::new();
    while tasks.len() < n {
        tasks.push(receive::<(usize, Pid)>().await);
    }
    tasks.sort();
    for (_, pid) in tasks.into_iter().rev() {
        let m = monitor(pid);
        send(pid, ());
        receive_match(move |d: &Down| d.monitor == m).await;
    }
}

async fn reverse_finish(ordered: bool) -> Vec<Result<usize, TaskError>> {
    const N: usize = 6;
    let gate = spawn(reverser(N));
    Task::async_stream(0..N, move |i| async move {
        send(gate, (i, self_pid()));
        receive::<()>().await;
        i
    })
    .max_concurrency(N)
    .ordered(ordered)
    .collect()
    .await
}

girder_test!(
    /// Ordered output even when the tasks finish in reverse order; with
    /// `ordered: false`, results come as the tasks finish.
    async_stream_ordered_and_unordered,
    async {
        let ordered = reverse_finish(true).await;
        assert_eq!(ordered, (0..6).map(Ok).collect::<Vec<_>>());
        let unordered = reverse_finish(false).await;
        assert_eq!(unordered, (0..6).rev().map(Ok).collect::<Vec<_>>());
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// A task that crashes gives that item `Err(Exit(..))` (the caller traps
    /// exits, as it must to survive its linked tasks); the rest go on.
    async_stream_errors_per_item,
    async {
        trap_exit(true);
        let results = Task::async_stream(0..9u32, |i| async move {
            if i % 3 == 0 {
                panic!("item {i}");
            }
            i
        })
        .max_concurrency(2)
        .collect()
        .await;
        for (i, r) in (0u32..).zip(&results) {
            match r {
                Ok(v) => assert_eq!(*v, i),
                Err(TaskError::Exit(ExitReason::Panic(msg))) => {
                    assert_eq!(i % 3, 0);
                    assert!(msg.contains(&format!("item {i}")));
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(results.iter().filter(|r| r.is_err()).count(), 3);
        for _ in 0..3 {
            receive::<Exit>().timeout(PATIENCE).await.expect("an Exit per crash");
        }
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// `timeout` with `on_timeout: :kill_task`: the slow item gives
    /// `Err(Timeout)`, its task is killed, the others come through.
    async_stream_timeout_kill_task,
    async {
        let results = Task::async_stream(0..3u32, |i| async move {
            if i == 1 {
                forever().await;
            }
            i
        })
        .timeout(Duration::from_millis(50))
        .on_timeout(OnTimeout::KillTask)
        .collect()
        .await;
        assert_eq!(results, vec![Ok(0), Err(TaskError::Timeout), Ok(2)]);
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// `timeout` with the default `on_timeout: :exit`: the stream ends with
    /// `Err(Timeout)` and every task still running is killed.
    async_stream_timeout_ends_stream,
    async {
        let me = self_pid();
        let mut stream = Task::async_stream(0..3u32, move |i| async move {
            if i > 0 {
                send(me, Started(self_pid()));
                forever().await;
            }
            i
        })
        .max_concurrency(3)
        .timeout(Duration::from_millis(300));
        assert_eq!(stream.next().await, Some(Ok(0)));
        assert_eq!(stream.next().await, Some(Err(TaskError::Timeout)));
        assert_eq!(stream.next().await, None);
        for _ in 0..2 {
            assert!(!is_process_alive(started().await));
        }
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// Dropping a stream before its end kills its running tasks (Elixir
    /// halting the stream); items not started never start.
    async_stream_drop_kills_running_tasks,
    async {
        let me = self_pid();
        let mut stream = Task::async_stream(0..10u32, move |i| async move {
            if i > 0 {
                send(me, Started(self_pid()));
                forever().await;
            }
            i
        })
        .max_concurrency(3);
        assert_eq!(stream.next().await, Some(Ok(0)));
        let a = started().await;
        let b = started().await;
        let c = started().await;
        let monitors = [a, b, c].map(monitor);
        drop(stream);
        for m in monitors {
            assert_eq!(down(m).await, ExitReason::Killed);
        }
        assert_eq!(queue_len(), 0, "no fourth task started, nothing left over");
    }
);

/// The handles and errors can cross processes; errors are shareable.
#[test]
fn auto_traits() {
    fn send<T: Send>() {}
    fn send_sync<T: Send + Sync>() {}
    send::<Task<String>>();
    send::<girder::otp::task::AsyncStream<String>>();
    send_sync::<TaskError>();
    send_sync::<girder::otp::task::TaskSupervisor>();
}
