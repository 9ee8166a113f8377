//! DESIGN §4 as data: every exit reason × trapping or not × how the
//! observer is connected (link, monitor, direct `exit/2`), with the outcome
//! Erlang gives. Re-expresses the intent of OTP `process_SUITE`
//! (`trap_exit_badarg`, `exit_and_timeout`, `link_fun`) and
//! `signal_SUITE` (`kill2killed`).

use girder_core::{
    Down, Exit, ExitReason, Pid, exit, link, monitor, receive, receive_match, self_pid, send,
    spawn, spawn_monitor, trap_exit,
};

use crate::boom;

#[derive(Clone, Copy, Debug)]
enum Via {
    Link,
    Monitor,
    Direct,
}

#[derive(Clone, Copy, Debug)]
enum Why {
    Normal,
    Kill,
    Custom,
}

#[derive(Debug, Clone, PartialEq)]
enum Seen {
    /// The observer got an `Exit` message with this reason.
    ExitMsg(ExitReason),
    /// The observer got a `Down` message with this reason.
    DownMsg(ExitReason),
    /// The observer saw nothing and is alive.
    Nothing,
}

#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    seen: Seen,
    /// `None`: the observer is still alive; `Some(r)`: it died with `r`.
    died: Option<ExitReason>,
}

fn expected(via: Via, why: Why, trapping: bool) -> Outcome {
    let custom = boom();
    let alive = |seen| Outcome { seen, died: None };
    let dead = |r| Outcome {
        seen: Seen::Nothing,
        died: Some(r),
    };
    match (via, why, trapping) {
        // Links: the victim's reason travels; `kill` arrives as `killed`.
        (Via::Link, Why::Normal, false) => alive(Seen::Nothing),
        (Via::Link, Why::Normal, true) => alive(Seen::ExitMsg(ExitReason::Normal)),
        (Via::Link, Why::Kill, false) => dead(ExitReason::Killed),
        (Via::Link, Why::Kill, true) => alive(Seen::ExitMsg(ExitReason::Killed)),
        (Via::Link, Why::Custom, false) => dead(custom),
        (Via::Link, Why::Custom, true) => alive(Seen::ExitMsg(custom)),
        // Monitors never kill; trapping does not matter.
        (Via::Monitor, Why::Normal, _) => alive(Seen::DownMsg(ExitReason::Normal)),
        (Via::Monitor, Why::Kill, _) => alive(Seen::DownMsg(ExitReason::Killed)),
        (Via::Monitor, Why::Custom, _) => alive(Seen::DownMsg(custom)),
        // exit/2 sent straight to the observer.
        (Via::Direct, Why::Normal, false) => alive(Seen::Nothing),
        (Via::Direct, Why::Normal, true) => alive(Seen::ExitMsg(ExitReason::Normal)),
        (Via::Direct, Why::Kill, _) => dead(ExitReason::Killed),
        (Via::Direct, Why::Custom, false) => dead(custom),
        (Via::Direct, Why::Custom, true) => alive(Seen::ExitMsg(custom)),
    }
}

#[derive(Debug)]
struct Ready;
#[derive(Debug)]
struct Ping(Pid);
#[derive(Debug)]
struct Alive(Vec<Seen>);
#[derive(Debug)]
struct Go(ExitReason);

/// Runs one row: returns what the observer saw and whether it died.
async fn run_case(via: Via, why: Why, trapping: bool) -> Outcome {
    let root = self_pid();
    // The victim waits for its orders, then exits the way it is told.
    let victim = spawn(async move {
        let Go(reason) = receive::<Go>().await;
        reason
    });
    let (observer, observer_mon) = spawn_monitor(async move {
        trap_exit(trapping);
        match via {
            Via::Link => link(victim),
            Via::Monitor => {
                monitor(victim);
            }
            Via::Direct => {}
        }
        send(root, Ready);
        let mut seen = Vec::new();
        loop {
            girder_core::receive! {
                Exit: e => seen.push(Seen::ExitMsg(e.reason)),
                Down: d => seen.push(Seen::DownMsg(d.reason)),
                Ping: Ping(from) => {
                    send(from, Alive(seen));
                    return;
                },
            }
        }
    });
    receive::<Ready>().await;
    let victim_mon = monitor(victim);
    match (via, why) {
        (Via::Direct, Why::Normal) => exit(observer, ExitReason::Normal),
        (Via::Direct, Why::Kill) => exit(observer, ExitReason::Kill),
        (Via::Direct, Why::Custom) => exit(observer, boom()),
        (_, Why::Normal) => send(victim, Go(ExitReason::Normal)),
        (_, Why::Kill) => exit(victim, ExitReason::Kill),
        (_, Why::Custom) => send(victim, Go(boom())),
    }
    if !matches!(via, Via::Direct) {
        // The victim signalled the observer before the DOWN reached us, so
        // our ping below arrives after that signal.
        receive_match(move |d: &Down| d.monitor == victim_mon).await;
    }
    send(observer, Ping(root));
    girder_core::receive! {
        Alive: Alive(seen) => Outcome {
            seen: seen.into_iter().next().unwrap_or(Seen::Nothing),
            died: None,
        },
        Down: d if d.monitor == observer_mon => Outcome { seen: Seen::Nothing, died: Some(d.reason) },
        after crate::PATIENCE => panic!("observer neither answered nor died"),
    }
}

#[test]
fn exit_signal_matrix() {
    let mut failures = Vec::new();
    for via in [Via::Link, Via::Monitor, Via::Direct] {
        for why in [Why::Normal, Why::Kill, Why::Custom] {
            for trapping in [false, true] {
                let got = crate::run_with(2, run_case(via, why, trapping));
                let want = expected(via, why, trapping);
                if got != want {
                    failures.push(format!(
                        "{via:?} {why:?} trapping={trapping}: got {got:?}, want {want:?}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

crate::girder_test!(
    /// `exit(self(), normal)` ends the caller (erlang `exit/2` docs).
    exit_self_normal_ends_the_caller,
    async {
        let (pid, m) = spawn_monitor(async {
            exit(self_pid(), ExitReason::Normal);
            // The signal is handled at the next await point.
            receive::<()>().await;
            unreachable!("the process should have ended");
        });
        let d = receive_match(move |d: &Down| d.monitor == m).await;
        assert_eq!(d.pid, pid);
        assert_eq!(d.reason, ExitReason::Normal);
    }
);

crate::girder_test!(
    /// `exit(self(), normal)` while trapping becomes a message.
    exit_self_normal_when_trapping_is_a_message,
    async {
        trap_exit(true);
        exit(self_pid(), ExitReason::Normal);
        let e = receive::<Exit>().await;
        assert_eq!(e.from, self_pid());
        assert_eq!(e.reason, ExitReason::Normal);
    }
);

crate::girder_test!(
    /// `kill` cannot be trapped (signal_SUITE `kill2killed`).
    kill_is_untrappable,
    async {
        let (pid, m) = spawn_monitor(async {
            trap_exit(true);
            let e = receive::<Exit>().await;
            panic!("a trapped kill arrived as a message: {e:?}");
        });
        exit(pid, ExitReason::Kill);
        let d = receive_match(move |d: &Down| d.monitor == m).await;
        assert_eq!(d.reason, ExitReason::Killed);
    }
);

crate::girder_test!(
    /// A process that exits with reason `kill` itself (not via exit/2)
    /// propagates `kill` as an ordinary, trappable reason.
    kill_as_own_exit_reason_is_trappable_by_links,
    async {
        trap_exit(true);
        let child = girder_core::spawn_link(async { ExitReason::Kill });
        let e = receive::<Exit>().await;
        assert_eq!(e.from, child);
        assert_eq!(e.reason, ExitReason::Kill);
    }
);

crate::girder_test!(
    /// Signals of every kind from one process to another keep their order:
    /// messages, an exit signal (trapped), a link and an unlink, a monitor.
    /// After OTP `signal_SUITE` ordering cases.
    signals_of_all_kinds_keep_their_order,
    async {
        let root = self_pid();
        let b = spawn(async move {
            trap_exit(true);
            send(root, Ready);
            let mut seen = Vec::new();
            for _ in 0..4 {
                girder_core::receive! {
                    u32: n => seen.push(format!("msg {n}")),
                    Exit: e => seen.push(format!("exit {}", e.reason)),
                }
            }
            send(root, seen);
            receive::<()>().await;
        });
        receive::<Ready>().await;
        send(b, 1u32);
        exit(b, boom());
        send(b, 2u32);
        exit(b, ExitReason::Normal);
        let seen: Vec<String> = receive().await;
        assert_eq!(seen, ["msg 1", "exit boom", "msg 2", "exit normal"]);
        exit(b, ExitReason::Kill);
    }
);

girder_test!(
    /// Messages do not wake a process that is not receiving (they wait for
    /// its next receive, counted in its queue), but an exit signal queued
    /// behind them does: a sleeping process dies of it at once, not when its
    /// 60 s sleep ends.
    exit_signal_behind_unread_messages_ends_a_process_that_is_not_receiving,
    async {
        let root = self_pid();
        let (b, watch) = spawn_monitor(async move {
            send(root, Ready);
            girder_core::sleep(std::time::Duration::from_secs(60)).await;
        });
        receive::<Ready>().await;
        for i in 0..3u32 {
            send(b, i);
        }
        let queued = girder_core::process_info(b).map(|i| i.message_queue_len);
        assert_eq!(queued, Some(3));
        exit(b, boom());
        let down = receive_match(move |d: &Down| d.monitor == watch).await;
        assert_eq!(down.reason, boom());
    }
);

/// Public types are the auto-trait shape users rely on.
#[test]
fn public_types_are_send_sync_and_copy_where_expected() {
    fn send_sync<T: Send + Sync>() {}
    fn copy<T: Copy>() {}
    send_sync::<Pid>();
    send_sync::<girder_core::Ref>();
    send_sync::<ExitReason>();
    send_sync::<Exit>();
    send_sync::<Down>();
    send_sync::<girder_core::Handle>();
    send_sync::<girder_core::TimerRef>();
    send_sync::<girder_core::ProcessInfo>();
    send_sync::<girder_core::RegisterError>();
    copy::<Pid>();
    copy::<girder_core::Ref>();
    copy::<girder_core::TimerRef>();
}
