//! DynamicSupervisor: start/terminate children by pid, max_children,
//! restart types, intensity, concurrent shutdown, load. After Elixir's
//! `DynamicSupervisorTest`.

use std::time::Duration;

use girder::otp::dynamic_supervisor::{DynamicSupervisor, Options};
use girder::otp::gen_server::StartError;
use girder::otp::supervisor::{ChildError, ChildSpec, Counts, Restart, Shutdown};
use girder::prelude::*;

use crate::PATIENCE;

/// A child's start handshake.
struct Ready(Pid);

/// A child tells the test it got the shutdown signal and waits for `Go`.
#[derive(Debug, PartialEq)]
struct Stopping(Pid);

/// Lets a stopping child go.
struct Go;

/// A child that exits with the reason it is sent.
fn worker(id: &str) -> ChildSpec {
    ChildSpec::process(id, || async { receive::<ExitReason>().await })
}

/// A child that traps exits; on the shutdown signal it tells `observer`
/// and waits for `Go` before exiting. Started synchronously.
fn lingering(observer: Pid) -> ChildSpec {
    ChildSpec::new("lingering", move || async move {
        let starter = self_pid();
        let pid = spawn_link(async move {
            trap_exit(true);
            send(starter, Ready(self_pid()));
            let e = receive::<Exit>().await;
            send(observer, Stopping(self_pid()));
            receive::<Go>().await;
            e.reason
        });
        receive_match(move |r: &Ready| r.0 == pid).await;
        Ok(pid)
    })
    .shutdown(Shutdown::Infinity)
}

async fn end_child(pid: Pid, reason: ExitReason) {
    let m = monitor(pid);
    send(pid, reason);
    receive_match(move |d: &Down| d.monitor == m)
        .timeout(PATIENCE)
        .await
        .expect("the child exits");
}

girder_test!(
    /// start_child, terminate_child by pid, which/count_children.
    start_and_terminate,
    async {
        let sup = DynamicSupervisor::start_link(Options::new()).await.unwrap();
        let a = sup.start_child(worker("a")).await.unwrap().unwrap();
        let b = sup.start_child(worker("b")).await.unwrap().unwrap();
        assert_eq!(
            sup.count_children().await.unwrap(),
            Counts { specs: 2, active: 2, supervisors: 0, workers: 2 }
        );
        let mut pids: Vec<Pid> = sup
            .which_children()
            .await
            .unwrap()
            .into_iter()
            .filter_map(|c| c.pid)
            .collect();
        pids.sort();
        let mut expect = vec![a, b];
        expect.sort();
        assert_eq!(pids, expect);
        sup.terminate_child(a).await.unwrap();
        assert!(!is_process_alive(a));
        assert_eq!(sup.terminate_child(a).await, Err(ChildError::NotFound));
        assert_eq!(sup.count_children().await.unwrap().active, 1);
        let ignored = ChildSpec::new("i", || async { Err::<Pid, _>(StartError::Ignore) });
        assert_eq!(sup.start_child(ignored).await, Ok(None));
        let failing = ChildSpec::new("f", || async {
            Err::<Pid, _>(StartError::Stopped(ExitReason::other("nope")))
        });
        assert_eq!(
            sup.start_child(failing).await,
            Err(ChildError::Start(StartError::Stopped(ExitReason::other("nope"))))
        );
    }
);

girder_test!(
    /// max_children: the next start is refused until a child goes.
    max_children,
    async {
        let sup = DynamicSupervisor::start_link(Options::new().max_children(2))
            .await
            .unwrap();
        let a = sup.start_child(worker("a")).await.unwrap().unwrap();
        sup.start_child(worker("b")).await.unwrap();
        assert_eq!(sup.start_child(worker("c")).await, Err(ChildError::MaxChildren));
        sup.terminate_child(a).await.unwrap();
        assert!(sup.start_child(worker("c")).await.unwrap().is_some());
    }
);

girder_test!(
    /// Restart types: permanent always, transient on abnormal exits only,
    /// temporary never.
    restart_types,
    async {
        let sup = DynamicSupervisor::start_link(Options::new().max_restarts(100))
            .await
            .unwrap();
        for (restart, reason, restarted) in [
            (Restart::Permanent, ExitReason::Normal, true),
            (Restart::Permanent, ExitReason::other("crash"), true),
            (Restart::Transient, ExitReason::Normal, false),
            (Restart::Transient, ExitReason::Shutdown, false),
            (Restart::Transient, ExitReason::other("crash"), true),
            (Restart::Temporary, ExitReason::other("crash"), false),
        ] {
            let pid = sup
                .start_child(worker("w").restart(restart))
                .await
                .unwrap()
                .unwrap();
            end_child(pid, reason.clone()).await;
            let children = sup.which_children().await.unwrap();
            let label = format!("{restart:?} after {reason}");
            if restarted {
                assert_eq!(children.len(), 1, "{label}");
                let new = children[0].pid.unwrap();
                assert_ne!(new, pid, "{label}");
                sup.terminate_child(new).await.unwrap();
            } else {
                assert!(children.is_empty(), "{label}: forgotten");
            }
        }
    }
);

girder_test!(
    /// More restarts than the intensity allows: the supervisor stops its
    /// children and exits with `Shutdown`.
    intensity,
    async {
        trap_exit(true);
        let sup = DynamicSupervisor::start_link(Options::new().max_restarts(2))
            .await
            .unwrap();
        let sup_pid = sup.pid().unwrap();
        let bystander = sup.start_child(worker("b")).await.unwrap().unwrap();
        let mut pid = sup.start_child(worker("w")).await.unwrap().unwrap();
        for crash in 1..=3 {
            end_child(pid, ExitReason::other("crash")).await;
            if crash < 3 {
                pid = sup
                    .which_children()
                    .await
                    .unwrap()
                    .into_iter()
                    .filter_map(|c| c.pid)
                    .find(|p| *p != bystander)
                    .expect("restarted");
            }
        }
        let e = receive_match(move |e: &Exit| e.from == sup_pid)
            .timeout(PATIENCE)
            .await
            .expect("the supervisor gives up");
        assert_eq!(e.reason, ExitReason::Shutdown);
        assert!(!is_process_alive(bystander));
    }
);

girder_test!(
    /// On shutdown all children get the signal before any has to exit:
    /// they are stopped concurrently, not one after the other.
    concurrent_shutdown,
    async {
        trap_exit(true);
        let me = self_pid();
        let sup = DynamicSupervisor::start_link(Options::new()).await.unwrap();
        let mut children = Vec::new();
        for _ in 0..3 {
            children.push(sup.start_child(lingering(me)).await.unwrap().unwrap());
        }
        let stopper = {
            let sup = sup.clone();
            spawn(async move {
                sup.stop(ExitReason::Shutdown, PATIENCE).await.unwrap();
                send(me, "stopped");
            })
        };
        let _ = stopper;
        // All three are told before any of them has exited.
        let mut told = Vec::new();
        for _ in 0..3 {
            told.push(
                receive::<Stopping>()
                    .timeout(PATIENCE)
                    .await
                    .expect("every child is told at once")
                    .0,
            );
        }
        told.sort();
        children.sort();
        assert_eq!(told, children);
        for pid in &children {
            send(*pid, Go);
        }
        assert_eq!(receive::<&str>().timeout(PATIENCE).await, Some("stopped"));
        for pid in children {
            assert!(!is_process_alive(pid));
        }
    }
);

girder_test!(
    /// Load: 10,000 children, 2,000 crash at once, every one is restarted
    /// and none lost; then a concurrent shutdown of all 10,000.
    ten_thousand_children,
    async {
        trap_exit(true);
        let sup = DynamicSupervisor::start_link(
            Options::new()
                .max_restarts(100_000)
                .max_seconds(Duration::from_secs(60)),
        )
        .await
        .unwrap();
        let mut pids = Vec::new();
        for i in 0..10_000 {
            pids.push(
                sup.start_child(worker(&format!("w{i}")))
                    .await
                    .unwrap()
                    .unwrap(),
            );
        }
        let victims: Vec<Pid> = pids.iter().step_by(5).copied().collect();
        for &pid in &victims {
            monitor(pid);
            exit(pid, ExitReason::other("storm"));
        }
        for _ in &victims {
            receive::<Down>().await;
        }
        let counts = sup.count_children().await.unwrap();
        assert_eq!(counts, Counts { specs: 10_000, active: 10_000, supervisors: 0, workers: 10_000 });
        let now: Vec<Pid> = sup
            .which_children()
            .await
            .unwrap()
            .into_iter()
            .filter_map(|c| c.pid)
            .collect();
        assert!(now.iter().all(|p| is_process_alive(*p)));
        sup.stop(ExitReason::Shutdown, PATIENCE).await.unwrap();
        assert!(now.iter().all(|p| !is_process_alive(*p)));
    }
);
