//! Supervisor: strategies × restart types × exit reasons, intensity and
//! escalation, start and shutdown order, shutdown timeouts, child
//! operations, restart retries, load. After OTP `supervisor_SUITE`
//! (`one_for_one`, `one_for_all`, `rest_for_one`, `permanent_normal`,
//! `transient_normal`, `temporary_normal`, `temporary_abnormal`,
//! `one_for_one_escalation`, `sup_start_fail`, `sup_stop_*`,
//! `child_adm`, `restart_child_*`, `count_children`, `hanging_restart_loop`)
//! and Elixir's `SupervisorTest`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use girder::otp::gen_server::StartError;
use girder::otp::supervisor::{
    ChildError, ChildSpec, Counts, Options, Restart, Shutdown, Strategy, Supervisor,
};
use girder::prelude::*;

use crate::PATIENCE;

/// A child tells the test it started.
#[derive(Debug, PartialEq)]
struct Started(&'static str, Pid);

/// A child tells the test it got the shutdown signal.
#[derive(Debug, PartialEq)]
struct Stopping(&'static str);

/// A child that reports its start and exits with the reason it is sent.
fn worker(id: &'static str, observer: Pid) -> ChildSpec {
    ChildSpec::process(id, move || async move {
        send(observer, Started(id, self_pid()));
        receive::<ExitReason>().await
    })
}

/// A child that traps exits and reports the shutdown signal before it goes.
/// Its start returns once it traps exits (as a `proc_lib` start would), so
/// a shutdown can never overtake its setup.
fn polite(id: &'static str, observer: Pid) -> ChildSpec {
    ChildSpec::new(id, move || async move {
        let starter = self_pid();
        let pid = spawn_link(async move {
            trap_exit(true);
            send(observer, Started(id, self_pid()));
            send(starter, Ready(self_pid()));
            let e = receive::<Exit>().await;
            send(observer, Stopping(id));
            e.reason
        });
        receive_match(move |r: &Ready| r.0 == pid).await;
        Ok(pid)
    })
}

/// A child's start handshake.
struct Ready(Pid);

async fn started() -> Started {
    receive::<Started>()
        .timeout(PATIENCE)
        .await
        .expect("a child started")
}

async fn pids(sup: &Supervisor) -> Vec<Option<Pid>> {
    sup.which_children()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.pid)
        .collect()
}

async fn wait_down(pid: Pid) -> ExitReason {
    let m = monitor(pid);
    receive_match(move |d: &Down| d.monitor == m)
        .timeout(PATIENCE)
        .await
        .expect("the process exits")
        .reason
}

/// Ends `pid` with `reason` and waits until it is gone. `Kill` is sent as
/// an exit signal (it becomes `Killed`); others are told to the child.
async fn end_child(pid: Pid, reason: ExitReason) {
    let m = monitor(pid);
    if reason == ExitReason::Kill {
        exit(pid, ExitReason::Kill);
    } else {
        send(pid, reason);
    }
    receive_match(move |d: &Down| d.monitor == m)
        .timeout(PATIENCE)
        .await
        .expect("the child exits");
}

/// One row of the strategy table: three children a, b, c; b has restart
/// type `restart` and exits with `reason`. Checks who was restarted.
async fn strategy_case(strategy: Strategy, restart: Restart, reason: ExitReason) {
    let me = self_pid();
    let children = vec![
        worker("a", me),
        worker("b", me).restart(restart),
        worker("c", me),
    ];
    let sup = Supervisor::start_link(children, Options::new(strategy))
        .await
        .unwrap();
    for _ in 0..3 {
        started().await;
    }
    let before = pids(&sup).await;
    let b = before[1].unwrap();
    end_child(b, reason.clone()).await;
    let after = sup.which_children().await.unwrap();
    let label = format!("{strategy:?} × {restart:?} × {reason}");
    let real_reason = if reason == ExitReason::Kill {
        ExitReason::Killed
    } else {
        reason.clone()
    };
    if restart.restarts_after(&real_reason) {
        assert_eq!(after.len(), 3, "{label}");
        let changed: Vec<bool> = after
            .iter()
            .zip(&before)
            .map(|(now, was)| now.pid.is_some() && now.pid != *was)
            .collect();
        let expect = match strategy {
            Strategy::OneForOne => [false, true, false],
            Strategy::OneForAll => [true, true, true],
            Strategy::RestForOne => [false, true, true],
        };
        assert_eq!(changed, expect, "{label}: which children are new");
        for (now, was) in after.iter().zip(&before) {
            let was = was.unwrap();
            assert_eq!(
                is_process_alive(was),
                now.pid == Some(was),
                "{label}: an old child is dead iff replaced"
            );
        }
    } else if restart == Restart::Temporary {
        let ids: Vec<&str> = after.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["a", "c"], "{label}: a temporary child is forgotten");
        assert_eq!(after[0].pid, before[0], "{label}");
        assert_eq!(after[1].pid, before[2], "{label}");
    } else {
        assert_eq!(after.len(), 3, "{label}");
        assert_eq!(after[1].pid, None, "{label}: not restarted");
        assert_eq!(after[0].pid, before[0], "{label}");
        assert_eq!(after[2].pid, before[2], "{label}");
    }
    sup.stop(ExitReason::Shutdown, PATIENCE).await.unwrap();
    // Drain the starts of restarted children.
    while receive::<Started>().timeout(Duration::ZERO).await.is_some() {}
}

async fn strategy_table(strategy: Strategy) {
    trap_exit(true);
    for restart in [Restart::Permanent, Restart::Transient, Restart::Temporary] {
        for reason in [
            ExitReason::Normal,
            ExitReason::Shutdown,
            ExitReason::ShutdownWith(girder::Reason::new("maintenance")),
            ExitReason::other("crash"),
            ExitReason::Kill,
        ] {
            strategy_case(strategy, restart, reason).await;
        }
    }
}

girder_test!(
    /// one_for_one × every restart type × every kind of exit reason.
    one_for_one_table,
    strategy_table(Strategy::OneForOne)
);

girder_test!(
    /// one_for_all × every restart type × every kind of exit reason.
    one_for_all_table,
    strategy_table(Strategy::OneForAll)
);

girder_test!(
    /// rest_for_one × every restart type × every kind of exit reason.
    rest_for_one_table,
    strategy_table(Strategy::RestForOne)
);

girder_test!(
    /// Children start in list order and stop in reverse order, each
    /// getting `Shutdown` (supervisor_SUITE `sup_stop_infinity` intent).
    start_order_and_reverse_shutdown,
    async {
        trap_exit(true);
        let me = self_pid();
        let children = vec![polite("a", me), polite("b", me), polite("c", me)];
        let sup = Supervisor::start_link(children, Options::new(Strategy::OneForOne))
            .await
            .unwrap();
        let order: Vec<&str> = [started().await, started().await, started().await]
            .iter()
            .map(|s| s.0)
            .collect();
        assert_eq!(order, ["a", "b", "c"]);
        sup.stop(ExitReason::Shutdown, PATIENCE).await.unwrap();
        let mut stops = Vec::new();
        for _ in 0..3 {
            stops.push(receive::<Stopping>().await.0);
        }
        assert_eq!(stops, ["c", "b", "a"]);
    }
);

/// A child that traps exits and ignores the shutdown signal (started
/// synchronously, like `polite`).
fn stubborn(id: &'static str, observer: Pid) -> ChildSpec {
    ChildSpec::new(id, move || async move {
        let starter = self_pid();
        let pid = spawn_link(async move {
            trap_exit(true);
            send(observer, Started(id, self_pid()));
            send(starter, Ready(self_pid()));
            loop {
                let e = receive::<Exit>().await;
                send(observer, Stopping(id));
                drop(e);
            }
        });
        receive_match(move |r: &Ready| r.0 == pid).await;
        Ok(pid)
    })
}

girder_test!(
    /// A child that outlives its shutdown time is killed; `BrutalKill`
    /// kills at once, trapping or not (supervisor_SUITE `sup_stop_timeout`,
    /// `sup_stop_brutal_kill`).
    shutdown_timeout_then_kill,
    async {
        trap_exit(true);
        let me = self_pid();
        let children = vec![
            stubborn("brutal", me).shutdown(Shutdown::BrutalKill),
            stubborn("slow", me).shutdown(Shutdown::Timeout(Duration::from_millis(30))),
        ];
        let sup = Supervisor::start_link(children, Options::new(Strategy::OneForOne))
            .await
            .unwrap();
        let brutal = started().await.1;
        let slow = started().await.1;
        let m_brutal = monitor(brutal);
        let m_slow = monitor(slow);
        sup.terminate_child("slow").await.unwrap();
        assert_eq!(receive::<Stopping>().await, Stopping("slow"), "it got the shutdown signal");
        let d = receive_match(move |d: &Down| d.monitor == m_slow).await;
        assert_eq!(d.reason, ExitReason::Killed, "then it was killed");
        sup.terminate_child("brutal").await.unwrap();
        let d = receive_match(move |d: &Down| d.monitor == m_brutal).await;
        assert_eq!(d.reason, ExitReason::Killed);
        assert_eq!(
            receive::<Stopping>().timeout(Duration::ZERO).await,
            None,
            "brutal_kill sends no shutdown signal"
        );
        let children = sup.which_children().await.unwrap();
        assert!(children.iter().all(|c| c.pid.is_none()), "specs kept, not running");
    }
);

girder_test!(
    /// Restart intensity: a fourth restart within the period makes the
    /// supervisor stop its children and exit with `Shutdown`.
    intensity_exceeded_shuts_down,
    async {
        trap_exit(true);
        let me = self_pid();
        let opts = Options::new(Strategy::OneForOne)
            .max_restarts(3)
            .max_seconds(Duration::from_secs(3600));
        let sup = Supervisor::start_link(vec![worker("w", me), worker("bystander", me)], opts)
            .await
            .unwrap();
        let sup_pid = sup.pid().unwrap();
        started().await;
        let bystander = started().await.1;
        let mut crashes = 0;
        loop {
            let pid = sup.which_children().await.unwrap()[0].pid.unwrap();
            end_child(pid, ExitReason::other("crash")).await;
            crashes += 1;
            // Either the child is restarted or the supervisor gives up.
            receive! {
                Started: _ => {},
                Exit: e if e.from == sup_pid => {
                    assert_eq!(e.reason, ExitReason::Shutdown);
                    break;
                },
                after PATIENCE => panic!("neither a restart nor an exit"),
            }
        }
        assert_eq!(crashes, 4, "3 restarts allowed, the 4th crash ends it");
        assert_eq!(wait_down(sup_pid).await, ExitReason::Noproc);
        assert!(!is_process_alive(bystander), "the other child was stopped too");
    }
);

girder_test!(
    /// Escalation through a three-level tree: each level allows one
    /// restart; crashes at the bottom climb until the top gives up
    /// (supervisor_SUITE `one_for_one_escalation` intent).
    escalation_through_three_levels,
    async {
        trap_exit(true);
        let once = || {
            Options::new(Strategy::OneForOne)
                .max_restarts(1)
                .max_seconds(Duration::from_secs(3600))
        };
        let worker = ChildSpec::process("worker", || async {
            register("escalating_worker", self_pid()).unwrap();
            receive::<ExitReason>().await
        });
        let leaf = Supervisor::child_spec("leaf", vec![worker], once());
        let mid = Supervisor::child_spec("mid", vec![leaf], once());
        let top = Supervisor::start_link(vec![mid], once()).await.unwrap();
        let top_pid = top.pid().unwrap();
        let mut crashes = 0;
        loop {
            let worker = loop {
                if let Some(pid) = whereis("escalating_worker") {
                    break Some(pid);
                }
                if receive_match(move |e: &Exit| e.from == top_pid)
                    .timeout(Duration::ZERO)
                    .await
                    .is_some()
                {
                    break None;
                }
                yield_now().await;
            };
            let Some(worker) = worker else { break };
            end_child(worker, ExitReason::other("crash")).await;
            crashes += 1;
            assert!(crashes <= 20, "the tree never gave up");
        }
        // leaf allows 1 restart (2 crashes per leaf), mid allows 1 leaf
        // restart (2 leaves per mid), top allows 1 mid restart (2 mids).
        assert_eq!(crashes, 8);
        assert!(!is_process_alive(top_pid));
        assert_eq!(whereis("escalating_worker"), None);
    }
);

girder_test!(
    /// A child that fails to start makes the supervisor's start fail after
    /// stopping the children already started (supervisor_SUITE
    /// `sup_start_fail`).
    start_failure_stops_started_children,
    async {
        trap_exit(true);
        let me = self_pid();
        let bad = ChildSpec::new("bad", || async {
            Err::<Pid, _>(StartError::Stopped(ExitReason::other("no_db")))
        });
        let err = Supervisor::start_link(
            vec![polite("good", me), bad, worker("never", me)],
            Options::new(Strategy::OneForOne),
        )
        .await
        .unwrap_err();
        match err {
            StartError::Stopped(ExitReason::ShutdownWith(r)) => {
                let text = r.to_string();
                assert!(text.contains("failed_to_start_child bad"), "{text}");
                assert!(text.contains("no_db"), "{text}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(started().await.0, "good");
        assert_eq!(receive::<Stopping>().await, Stopping("good"));
        assert_eq!(receive::<Started>().timeout(Duration::ZERO).await, None);
    }
);

girder_test!(
    /// start_child / terminate_child / restart_child / delete_child /
    /// count_children (supervisor_SUITE `child_adm`, `count_children`).
    child_operations,
    async {
        trap_exit(true);
        let me = self_pid();
        let sup = Supervisor::start_link(vec![worker("a", me)], Options::new(Strategy::OneForOne))
            .await
            .unwrap();
        let a = started().await.1;
        let b = sup.start_child(worker("b", me)).await.unwrap().unwrap();
        assert_eq!(started().await, Started("b", b));
        assert_eq!(
            sup.start_child(worker("b", me)).await,
            Err(ChildError::AlreadyStarted(b))
        );
        assert_eq!(sup.delete_child("b").await, Err(ChildError::Running));
        assert_eq!(sup.restart_child("b").await, Err(ChildError::Running));
        sup.terminate_child("b").await.unwrap();
        assert!(!is_process_alive(b));
        assert_eq!(
            sup.start_child(worker("b", me)).await,
            Err(ChildError::AlreadyPresent)
        );
        assert_eq!(
            sup.count_children().await.unwrap(),
            Counts { specs: 2, active: 1, supervisors: 0, workers: 2 }
        );
        let b2 = sup.restart_child("b").await.unwrap().unwrap();
        assert_eq!(started().await, Started("b", b2));
        sup.terminate_child("b").await.unwrap();
        sup.delete_child("b").await.unwrap();
        assert_eq!(sup.delete_child("b").await, Err(ChildError::NotFound));
        assert_eq!(sup.terminate_child("zzz").await, Err(ChildError::NotFound));
        assert_eq!(sup.restart_child("zzz").await, Err(ChildError::NotFound));
        let ids: Vec<String> = sup.which_children().await.unwrap().into_iter().map(|c| c.id).collect();
        assert_eq!(ids, ["a"]);
        assert!(is_process_alive(a));
        // A temporary child is forgotten once terminated.
        sup.start_child(worker("t", me).restart(Restart::Temporary)).await.unwrap();
        started().await;
        sup.terminate_child("t").await.unwrap();
        assert_eq!(sup.count_children().await.unwrap().specs, 1);
        // A child whose start says ignore stays as a spec, not running.
        let ignored = ChildSpec::new("i", || async { Err::<Pid, _>(StartError::Ignore) });
        assert_eq!(sup.start_child(ignored).await, Ok(None));
        assert_eq!(sup.count_children().await.unwrap(), Counts { specs: 2, active: 1, supervisors: 0, workers: 2 });
    }
);

girder_test!(
    /// A restart whose start function fails is retried until it works,
    /// each try counting toward the intensity (supervisor_SUITE
    /// `hanging_restart_loop` intent).
    failed_restart_is_retried,
    async {
        trap_exit(true);
        let me = self_pid();
        let starts = Arc::new(AtomicUsize::new(0));
        let counter = starts.clone();
        let flaky = ChildSpec::new("flaky", move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                // The first start works, the next two fail, then it works.
                if n == 1 || n == 2 {
                    return Err(StartError::Stopped(ExitReason::other("not yet")));
                }
                Ok(spawn_link(async move {
                    send(me, Started("flaky", self_pid()));
                    receive::<ExitReason>().await
                }))
            }
        });
        let opts = Options::new(Strategy::OneForOne).max_restarts(10);
        let sup = Supervisor::start_link(vec![flaky], opts).await.unwrap();
        let first = started().await.1;
        end_child(first, ExitReason::other("crash")).await;
        let second = started().await.1;
        assert_ne!(first, second);
        assert_eq!(starts.load(Ordering::SeqCst), 4);
        assert_eq!(pids(&sup).await, [Some(second)]);
    }
);

girder_test!(
    /// A GenServer child under a supervisor, restarted with fresh state.
    gen_server_child,
    async {
        use girder::otp::gen_server::{Reply, ReplyTo, Server};
        struct Cell(u32);
        impl girder::otp::GenServer for Cell {
            type Call = Option<u32>;
            type Reply = u32;
            type Cast = ();
            type Continue = ();
            async fn handle_call(&mut self, set: Option<u32>, _f: ReplyTo<u32>) -> Reply<u32> {
                if let Some(v) = set {
                    self.0 = v;
                }
                Reply::reply(self.0)
            }
        }
        trap_exit(true);
        let spec = ChildSpec::gen_server_with(
            "cell",
            || Cell(1),
            girder::otp::gen_server::Options::new().name("cell"),
        );
        let _sup = Supervisor::start_link(vec![spec], Options::new(Strategy::OneForOne))
            .await
            .unwrap();
        let cell = Server::<Cell>::named("cell");
        assert_eq!(cell.call(Some(5)).await, Ok(5));
        let pid = cell.whereis().unwrap();
        end_child(pid, ExitReason::Kill).await;
        // Restarted under the same name with fresh state.
        let fresh = loop {
            match cell.call(None).await {
                Ok(v) => break v,
                Err(_) => yield_now().await,
            }
        };
        assert_eq!(fresh, 1);
        assert_ne!(cell.whereis(), Some(pid));
    }
);

girder_test!(
    /// Load: 10,000 children under one supervisor; a storm of 2,000
    /// crashes within a generous intensity restarts every one of them and
    /// loses none.
    ten_thousand_children_restart_storm,
    async {
        trap_exit(true);
        let specs: Vec<ChildSpec> = (0..10_000)
            .map(|i| {
                ChildSpec::process(format!("w{i}"), || async {
                    receive::<ExitReason>().await
                })
            })
            .collect();
        let opts = Options::new(Strategy::OneForOne)
            .max_restarts(100_000)
            .max_seconds(Duration::from_secs(60));
        let sup = Supervisor::start_link(specs, opts).await.unwrap();
        let before = pids(&sup).await;
        assert_eq!(before.len(), 10_000);
        let victims: Vec<Pid> = before.iter().step_by(5).map(|p| p.unwrap()).collect();
        let monitors: Vec<Ref> = victims
            .iter()
            .map(|&pid| {
                let m = monitor(pid);
                exit(pid, ExitReason::other("storm"));
                m
            })
            .collect();
        for _ in &monitors {
            receive::<Down>().await;
        }
        let after = pids(&sup).await;
        assert_eq!(after.len(), 10_000);
        assert!(after.iter().all(|p| p.is_some_and(is_process_alive)), "every child runs");
        let replaced = after.iter().zip(&before).filter(|(a, b)| a != b).count();
        assert_eq!(replaced, 2_000);
        let counts = sup.count_children().await.unwrap();
        assert_eq!(counts, Counts { specs: 10_000, active: 10_000, supervisors: 0, workers: 10_000 });
    }
);

girder_test!(
    /// Load with the default intensity: a storm exceeds it, and the
    /// supervisor keeps its limit — it exits with `Shutdown` and takes all
    /// 10,000 children with it.
    restart_storm_over_the_limit_shuts_down,
    async {
        trap_exit(true);
        let specs: Vec<ChildSpec> = (0..10_000)
            .map(|i| {
                ChildSpec::process(format!("w{i}"), || async {
                    receive::<ExitReason>().await
                })
            })
            .collect();
        let sup = Supervisor::start_link(specs, Options::new(Strategy::OneForOne))
            .await
            .unwrap();
        let sup_pid = sup.pid().unwrap();
        let children: Vec<Pid> = pids(&sup).await.into_iter().map(Option::unwrap).collect();
        for pid in children.iter().take(10) {
            exit(*pid, ExitReason::other("storm"));
        }
        let e = receive_match(move |e: &Exit| e.from == sup_pid)
            .timeout(PATIENCE)
            .await
            .expect("the supervisor gives up");
        assert_eq!(e.reason, ExitReason::Shutdown);
        for pid in children {
            assert!(!is_process_alive(pid));
        }
    }
);

/// Supervisor reports, captured from `tracing` (target `girder::supervisor`).
mod reports {
    use std::sync::{Arc, Mutex};

    use tracing::field::{Field, Visit};
    use tracing_subscriber::layer::{Context, SubscriberExt};

    /// Every supervisor report's message and fields, in order.
    #[derive(Clone, Default)]
    pub(crate) struct Reports(Arc<Mutex<Vec<String>>>);

    impl Reports {
        /// Installs the capture as the process's subscriber.
        pub(crate) fn install() -> Reports {
            let reports = Reports::default();
            let subscriber = tracing_subscriber::registry().with(reports.clone());
            tracing::subscriber::set_global_default(subscriber)
                .expect("one subscriber per test process");
            reports
        }

        pub(crate) fn take(&self) -> Vec<String> {
            std::mem::take(&mut *self.0.lock().unwrap())
        }
    }

    struct Line(String);

    impl Visit for Line {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            if field.name() == "message" {
                self.0.insert_str(0, &format!("{value:?}"));
            } else {
                self.0.push_str(&format!(" {}={value:?}", field.name()));
            }
        }
    }

    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Reports {
        fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
            if event.metadata().target() == "girder::supervisor" {
                let mut line = Line(String::new());
                event.record(&mut line);
                self.0.lock().unwrap().push(line.0);
            }
        }
    }
}

girder_test!(
    /// Crashes, restarts and giving up are logged as supervisor reports
    /// (OTP's `child_terminated`, progress reports, and
    /// `reached_max_restart_intensity`).
    supervisor_reports,
    async {
        let reports = reports::Reports::install();
        trap_exit(true);
        let me = self_pid();
        let opts = Options::new(Strategy::OneForOne)
            .max_restarts(1)
            .max_seconds(Duration::from_secs(3600))
            .name("reporting_sup");
        let sup = Supervisor::start_link(vec![worker("w", me)], opts).await.unwrap();
        let sup_pid = sup.pid().unwrap();
        let first = started().await.1;
        end_child(first, ExitReason::other("boom")).await;
        let second = started().await.1;
        end_child(second, ExitReason::other("boom again")).await;
        receive_match(move |e: &Exit| e.from == sup_pid).await;
        let lines = reports.take();
        let find = |needle: &str| lines.iter().filter(|l| l.contains(needle)).count();
        assert_eq!(find("child started"), 2, "{lines:#?}");
        assert_eq!(find("child_terminated"), 2, "{lines:#?}");
        assert_eq!(find("reason=boom again"), 1, "{lines:#?}");
        assert_eq!(find("reached_max_restart_intensity"), 1, "{lines:#?}");
        assert!(lines.iter().all(|l| l.contains("supervisor=reporting_sup")), "{lines:#?}");
    }
);

girder_test!(
    /// A GenServer child that traps exits runs `terminate` when its
    /// supervisor shuts it down (terminate_child, and the supervisor's own
    /// stop), with reason `Shutdown` (gen_server_SUITE `terminate`
    /// under a supervisor; OTP's "terminate is called if the gen_server
    /// traps exits").
    gen_server_terminate_on_supervisor_shutdown,
    async {
        use girder::otp::gen_server::{Init, Reply, ReplyTo};

        #[derive(Debug, PartialEq)]
        struct Terminated(&'static str, ExitReason);

        struct Careful {
            id: &'static str,
            observer: Pid,
        }
        impl girder::otp::GenServer for Careful {
            type Call = ();
            type Reply = ();
            type Cast = ();
            type Continue = ();
            async fn init(&mut self) -> Init {
                trap_exit(true);
                Init::Ok
            }
            async fn handle_call(&mut self, _: (), _f: ReplyTo<()>) -> Reply<()> {
                Reply::reply(())
            }
            async fn terminate(&mut self, reason: &ExitReason) {
                send(self.observer, Terminated(self.id, reason.clone()));
            }
        }

        trap_exit(true);
        let me = self_pid();
        let children = vec![
            ChildSpec::gen_server("a", move || Careful { id: "a", observer: me }),
            ChildSpec::gen_server("b", move || Careful { id: "b", observer: me }),
        ];
        let sup = Supervisor::start_link(children, Options::new(Strategy::OneForOne))
            .await
            .unwrap();
        sup.terminate_child("b").await.unwrap();
        assert_eq!(
            receive::<Terminated>().await,
            Terminated("b", ExitReason::Shutdown)
        );
        sup.stop(ExitReason::Shutdown, PATIENCE).await.unwrap();
        assert_eq!(
            receive::<Terminated>().await,
            Terminated("a", ExitReason::Shutdown)
        );
    }
);
