//! Timers: send_after fires, cancel_timer returns the time left and stops
//! delivery, sleep and receive timeouts wait at least their time, and many
//! pending timers are cheap.

use std::time::{Duration, Instant};

use girder_core::{cancel_timer, pending_timers, receive, self_pid, send_after, sleep, spawn};

girder_test!(send_after_fires_no_earlier_than_asked, async {
    let t = Instant::now();
    send_after(Duration::from_millis(20), self_pid(), "tick");
    assert_eq!(receive::<&str>().await, "tick");
    assert!(t.elapsed() >= Duration::from_millis(20));
});

girder_test!(cancel_timer_returns_time_left_and_stops_delivery, async {
    let t = send_after(Duration::from_secs(60), self_pid(), "never");
    let left = cancel_timer(t).expect("pending");
    // Deadlines are whole milliseconds, rounded up.
    let most = Duration::from_secs(60) + Duration::from_millis(1);
    assert!(
        left <= most && left >= Duration::from_secs(50),
        "left {left:?}"
    );
    assert_eq!(cancel_timer(t), None, "already cancelled");
    let fired = send_after(Duration::ZERO, self_pid(), "now");
    assert_eq!(receive::<&str>().await, "now");
    assert_eq!(cancel_timer(fired), None, "already fired");
    assert_eq!(
        receive::<&str>().timeout(Duration::from_millis(30)).await,
        None
    );
});

girder_test!(timers_fire_in_deadline_order, async {
    let me = self_pid();
    for ms in [40u64, 10, 30, 20] {
        send_after(Duration::from_millis(ms), me, ms);
    }
    let mut got = Vec::new();
    for _ in 0..4 {
        got.push(receive::<u64>().await);
    }
    assert_eq!(got, [10, 20, 30, 40]);
});

girder_test!(sleep_waits_at_least_its_time, async {
    let t = Instant::now();
    sleep(Duration::from_millis(15)).await;
    assert!(t.elapsed() >= Duration::from_millis(15));
});

girder_test!(
    /// 1,000,000 pending timers, then all cancelled.
    a_million_pending_timers,
    async {
        let me = self_pid();
        let timers: Vec<_> = (0..1_000_000u64)
            .map(|i| send_after(Duration::from_secs(600 + i % 1000), me, i))
            .collect();
        assert!(pending_timers() >= 1_000_000);
        let cancelled = timers.into_iter().filter_map(cancel_timer).count();
        assert_eq!(cancelled, 1_000_000);
        assert_eq!(pending_timers(), 0);
    }
);

girder_test!(
    /// Timeouts of waiting processes are removed from the wheel when the
    /// message comes first.
    receive_timeouts_are_cleaned_up,
    async {
        let me = self_pid();
        for _ in 0..1000 {
            spawn(async move { girder_core::send(me, 1u8) });
            assert_eq!(receive::<u8>().timeout(Duration::from_secs(60)).await, Some(1));
        }
        assert_eq!(pending_timers(), 0);
    }
);
