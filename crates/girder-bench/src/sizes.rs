//! How big each workload is: the full sizes of the issue, and the small
//! ones of `--quick` (CI checks that every workload runs and reports, not
//! its numbers).

/// The sizes of one `girder bench` run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sizes {
    /// Whether these are the `--quick` sizes.
    pub quick: bool,
    /// Empty processes spawned, one at a time and in a batch.
    pub spawn: u64,
    /// Idle processes waiting in receive, one measurement per count.
    pub idle: Vec<u64>,
    /// Ping-pong round trips per run.
    pub ping_pong: u64,
    /// Rings: (processes, laps) each.
    pub ring: Vec<(u64, u64)>,
    /// Skynet leaves (a power of 10).
    pub skynet: u64,
    /// Fan-in senders, and messages each sends.
    pub fan_in: (u64, u64),
    /// Pending timers, and receive-after probes measuring lateness.
    pub timers: (u64, u64),
    /// Fairness: ping-pong pairs beside the CPU-heavy process, and round
    /// trips each.
    pub fairness: (u64, u64),
    /// Selective receive: unrelated messages queued, and calls made.
    pub selective: (u64, u64),
    /// Distribution: messages streamed with the small tuple, with the
    /// 1 KiB binary, and round trips of each.
    pub dist: (u64, u64, u64),
}

impl Sizes {
    /// The sizes of the issue, for a 2-core, 24 GiB machine.
    pub fn full() -> Sizes {
        Sizes {
            quick: false,
            spawn: 1_000_000,
            idle: vec![100_000, 1_000_000, 10_000_000],
            ping_pong: 500_000,
            ring: vec![(10_000, 100), (1_000_000, 1)],
            skynet: 1_000_000,
            fan_in: (1_000, 1_000),
            timers: (1_000_000, 10_000),
            fairness: (1_000, 200),
            selective: (10_000, 100_000),
            dist: (1_000_000, 200_000, 20_000),
        }
    }

    /// Small sizes, for CI: every workload and every system, in well under
    /// a minute and a half on 2 cores.
    pub fn quick() -> Sizes {
        Sizes {
            quick: true,
            spawn: 100_000,
            idle: vec![10_000, 100_000],
            ping_pong: 50_000,
            ring: vec![(10_000, 10), (100_000, 1)],
            skynet: 100_000,
            fan_in: (100, 1_000),
            timers: (100_000, 1_000),
            fairness: (1_000, 20),
            selective: (10_000, 10_000),
            dist: (20_000, 5_000, 1_000),
        }
    }
}
