//! The runtime itself: fairness by reductions, the watchdog, blocking work,
//! handles, and a shutdown that ends every process.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use girder_core::{
    Handle, LongSchedule, Runtime, blocking, consume_reductions, receive, self_pid, send, spawn,
    system_monitor,
};

/// With ONE scheduler, a process that loops forever (yielding only through
/// reductions) does not starve a ping-pong pair: without reductions this
/// test would hang.
#[test]
fn reductions_keep_a_cpu_hog_from_starving_others() {
    let rt = Runtime::builder()
        .schedulers(1)
        .name("fair")
        .build()
        .expect("runtime");
    rt.block_on(async {
        let me = self_pid();
        spawn(async {
            let mut x = 0u64;
            loop {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                consume_reductions(1).await;
            }
        });
        let echo = spawn(async {
            loop {
                let (from, n) = receive::<(girder_core::Pid, u32)>().await;
                send(from, n);
            }
        });
        for i in 0..1000 {
            send(echo, (me, i));
            assert_eq!(receive::<u32>().await, i);
        }
    })
    .expect("root ok");
}

/// A poll that runs for longer than the threshold is reported.
#[test]
fn long_schedule_is_reported() {
    let rt = Runtime::builder()
        .schedulers(2)
        .long_schedule(Some(Duration::from_millis(20)))
        .build()
        .expect("runtime");
    rt.block_on(async {
        system_monitor(Some(self_pid()));
        let hog = spawn(async {
            // Deliberately blocks its scheduler for 200 ms.
            std::thread::sleep(Duration::from_millis(200));
        });
        let report = receive::<LongSchedule>().timeout(crate::PATIENCE).await;
        let report = report.expect("a long_schedule report");
        assert_eq!(report.pid, hog);
        assert!(report.at_least >= Duration::from_millis(20));
    })
    .expect("root ok");
}

crate::girder_test!(
    blocking_runs_off_the_schedulers_and_can_use_the_runtime,
    async {
        let me = self_pid();
        let v = blocking(move || {
            std::thread::sleep(Duration::from_millis(10));
            send(me, "from the blocking pool");
            7
        })
        .await;
        assert_eq!(v, 7);
        assert_eq!(receive::<&str>().await, "from the blocking pool");
    }
);

crate::girder_test!(blocking_panic_crashes_the_caller_only, async {
    let (_, m) = girder_core::spawn_monitor(async {
        blocking(|| panic!("dirty crash")).await;
    });
    let d = girder_core::receive_match(move |d: &girder_core::Down| d.monitor == m).await;
    assert_eq!(
        d.reason,
        girder_core::ExitReason::Panic("dirty crash".into())
    );
});

struct CountDrop(Arc<AtomicUsize>);
impl Drop for CountDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Dropping the runtime kills every process (their destructors run) and
/// joins every thread.
#[test]
fn shutdown_ends_every_process() {
    let drops = Arc::new(AtomicUsize::new(0));
    let rt = Runtime::builder().schedulers(2).build().expect("runtime");
    let d = drops.clone();
    rt.block_on(async move {
        for _ in 0..10_000 {
            let guard = CountDrop(d.clone());
            spawn(async move {
                let _guard = guard;
                receive::<()>().await;
            });
        }
    })
    .expect("root ok");
    assert!(rt.handle().process_count() >= 10_000);
    rt.shutdown();
    assert_eq!(drops.load(Ordering::SeqCst), 10_000);
}

/// Processes can be spawned and messaged from outside the runtime.
#[test]
fn handle_works_from_outside() {
    let rt = Runtime::builder().schedulers(2).build().expect("runtime");
    let handle: Handle = rt.handle().clone();
    let (tx, rx) = std::sync::mpsc::channel();
    let pid = handle.spawn(async move {
        let n = receive::<u32>().await;
        tx.send(n + 1).expect("test alive");
    });
    handle.send(pid, 41u32);
    assert_eq!(rx.recv_timeout(crate::PATIENCE).expect("reply"), 42);
    assert!(Handle::try_current().is_none());
}

/// Captures formatted `tracing` output in memory.
#[derive(Clone, Default)]
struct Capture(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("capture").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `trace_processes` reports spawns and exits; a panic becomes a crash
/// report with its location. (nextest runs each test in its own process, so
/// the global subscriber is this test's alone.)
#[test]
fn tracing_reports_spawns_exits_and_crashes() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();
    let rt = Runtime::builder()
        .schedulers(2)
        .trace_processes(true)
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (pid, m) = girder_core::spawn_monitor(async { panic!("traced crash") });
        let d = girder_core::receive::<girder_core::Down>().await;
        assert_eq!(d.monitor, m);
        pid
    })
    .expect("root ok");
    drop(rt);
    let text = String::from_utf8(capture.0.lock().expect("capture").clone()).expect("utf8");
    assert!(
        text.contains("girder::trace") && text.contains("spawn"),
        "{text}"
    );
    assert!(
        text.contains("exit") && text.contains("reason=normal"),
        "{text}"
    );
    assert!(text.contains("girder::crash_report"), "{text}");
    assert!(text.contains("traced crash"), "{text}");
    assert!(
        text.contains("tests/core/runtime.rs"),
        "location missing: {text}"
    );
}

/// A future that hands its waker to a plain OS thread (no runtime's
/// thread), which wakes it: the wake-up finds the process's runtime by its
/// id, and the process runs on.
struct WokenElsewhere {
    sent: bool,
    done: Arc<std::sync::atomic::AtomicBool>,
    to_thread: std::sync::mpsc::Sender<std::task::Waker>,
}

impl std::future::Future for WokenElsewhere {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.done.load(Ordering::Acquire) {
            return std::task::Poll::Ready(());
        }
        if !self.sent {
            self.sent = true;
            self.to_thread
                .send(cx.waker().clone())
                .expect("waker thread alive");
        }
        std::task::Poll::Pending
    }
}

#[test]
fn a_wake_up_from_a_foreign_thread_reaches_the_process() {
    let rt = Runtime::builder()
        .schedulers(2)
        .name("foreign")
        .build()
        .expect("runtime");
    let (tx, rx) = std::sync::mpsc::channel::<std::task::Waker>();
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = done.clone();
    let waker_thread = std::thread::spawn(move || {
        for waker in rx {
            flag.store(true, Ordering::Release);
            waker.wake();
        }
    });
    let out = rt.block_on(async move {
        WokenElsewhere {
            sent: false,
            done,
            to_thread: tx,
        }
        .await;
        7u32
    });
    assert_eq!(out, Ok(7));
    drop(rt);
    waker_thread.join().expect("waker thread");
}

/// A waker that outlives its runtime does nothing harmful when woken: the
/// runtime is gone, so the process is dropped, not queued anywhere.
#[test]
fn a_wake_up_after_the_runtime_is_gone_is_harmless() {
    let rt = Runtime::builder()
        .schedulers(1)
        .name("gone")
        .build()
        .expect("runtime");
    let (tx, rx) = std::sync::mpsc::channel::<std::task::Waker>();
    rt.spawn(WokenElsewhere {
        sent: false,
        done: Arc::new(std::sync::atomic::AtomicBool::new(false)),
        to_thread: tx,
    });
    let waker = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the process ran and handed out its waker");
    drop(rt);
    waker.wake_by_ref();
    waker.wake();
}
