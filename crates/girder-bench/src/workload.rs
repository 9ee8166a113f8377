//! The catalogue: each workload's name, what it measures and why it is fair
//! to each peer, its cases (sizes and scheduler counts), the figures it
//! reports, and the Rust runner of each case.

use std::fmt;

use crate::metric::{Better, Metric, Sample, Unit, short_count, thousands};
use crate::sizes::Sizes;
use crate::system::System;
use crate::{BenchError, Result};

/// One of the ten workloads of `girder bench`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Workload {
    /// Spawn + exit of an empty process, one at a time and in a batch.
    SpawnExit,
    /// Memory per process waiting in receive.
    IdleMemory,
    /// Ping-pong round trips on one scheduler and on all of them.
    PingPong,
    /// A token passed round a ring of processes.
    Ring,
    /// Skynet: a tree of a million leaves summing their numbers.
    Skynet,
    /// Many senders to one receiver.
    FanIn,
    /// A million pending timers: set, cancel, and lateness of those that fire.
    Timers,
    /// One CPU-heavy process beside a thousand ping-pong pairs.
    Fairness,
    /// A call answered by reference with 10,000 unrelated messages queued.
    SelectiveReceive,
    /// Distribution over loopback: a stream and round trips between two
    /// nodes (Girder ↔ Girder, Girder ↔ Erlang, Erlang ↔ Erlang).
    Dist,
}

/// One measured configuration of a workload: its sizes and scheduler count.
///
/// `args` are the workload's parameters, read the same way by the Rust
/// runners and by the Erlang module (`bench/erlang/gb_<workload>.erl`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// Prefix of this case's metric keys, e.g. `1M`, `1s`, `10kx100`.
    pub key: String,
    /// What the case is, e.g. `1,000,000 processes, 2 schedulers`.
    pub label: String,
    /// Scheduler threads (Girder), worker threads (tokio), `+S` (Erlang).
    pub schedulers: usize,
    /// The workload's parameters (see each workload's doc).
    pub args: Vec<u64>,
}

impl Workload {
    /// Every workload, in the issue's order.
    pub const ALL: [Workload; 10] = [
        Workload::SpawnExit,
        Workload::IdleMemory,
        Workload::PingPong,
        Workload::Ring,
        Workload::Skynet,
        Workload::FanIn,
        Workload::Timers,
        Workload::Fairness,
        Workload::SelectiveReceive,
        Workload::Dist,
    ];

    /// The workload's name on the command line and in JSON; the Erlang
    /// module is `gb_<name>`.
    pub fn name(self) -> &'static str {
        match self {
            Workload::SpawnExit => "spawn_exit",
            Workload::IdleMemory => "idle_memory",
            Workload::PingPong => "ping_pong",
            Workload::Ring => "ring",
            Workload::Skynet => "skynet",
            Workload::FanIn => "fan_in",
            Workload::Timers => "timers",
            Workload::Fairness => "fairness",
            Workload::SelectiveReceive => "selective_receive",
            Workload::Dist => "dist",
        }
    }

    /// The workload named `name` ([`Workload::name`]).
    pub fn from_name(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }

    /// A one-line title.
    pub fn title(self) -> &'static str {
        match self {
            Workload::SpawnExit => "spawn + exit of an empty process",
            Workload::IdleMemory => "memory per idle process waiting in receive",
            Workload::PingPong => "ping-pong round trip",
            Workload::Ring => "ring: a token passed from process to process",
            Workload::Skynet => "skynet: 1,111,111 processes summing a million leaves",
            Workload::FanIn => "fan-in: many senders, one receiver",
            Workload::Timers => "timers: many pending, set / cancel / lateness",
            Workload::Fairness => "fairness: one CPU-heavy process beside 1,000 ping-pong pairs",
            Workload::SelectiveReceive => {
                "selective receive: a call answered by ref, 10,000 messages queued"
            }
            Workload::Dist => {
                "distribution over loopback: a stream and round trips between two nodes"
            }
        }
    }

    /// What the workload measures on each system, and why that is fair to
    /// each peer.
    pub fn about(self) -> &'static str {
        match self {
            Workload::SpawnExit => {
                "Sequential: spawn an empty process and wait for its exit before the next \
                 (Girder and Erlang: spawn_monitor and receive the DOWN; tokio: tokio::spawn \
                 and await the JoinHandle, its way of learning a task ended). Batch: spawn them \
                 all, then wait until the runtime counts none left (Girder: \
                 Handle::process_count, Erlang: system_info(process_count), tokio: \
                 metrics().num_alive_tasks()). The Girder spawner awaits \
                 consume_reductions(0) after each spawn, so it is preempted when its slice is \
                 spent, as BEAM preempts the Erlang spawner; tokio's spawner is not preempted."
            }
            Workload::IdleMemory => {
                "N processes each waiting in receive on its own mailbox (tokio: a task awaiting \
                 its own unbounded mpsc receiver; the spawner keeps the senders). Bytes per \
                 process = growth of the OS process's resident set (/proc/self/statm) / N, in a \
                 fresh OS process per run for every system; the handles the spawner keeps (pids, \
                 senders) are allocated and touched before the first reading, so they do not \
                 count. Also each runtime's own accounting: process_info(Pid).memory on Girder, \
                 process_info(Pid, memory) and the erlang:memory(total) growth on Erlang."
            }
            Workload::PingPong => {
                "Two processes send a number back and forth (tokio: two tasks, two unbounded \
                 mpsc channels). Mean: the round trips run in 100 blocks, each timed as a whole, \
                 and the figure is the mean round trip of the median block (robust to a block \
                 that lost its core to another program, with no clock read per round trip); p50 \
                 and p99 from an HDR histogram of individually timed round trips (a second \
                 pass). On 1 scheduler (Girder schedulers(1), erl +S 1, \
                 tokio current_thread) and on all of them, where each runtime places the two \
                 as it likes."
            }
            Workload::Ring => {
                "N processes in a ring, each knowing the next; one token carrying a hop count is \
                 passed round until it reaches zero (laps x N hops), then the ring is stopped. \
                 Time per hop, building the ring not included. tokio: one unbounded mpsc \
                 channel per task."
            }
            Workload::Skynet => {
                "Each process spawns 10 children until the leaves (numbered 0..N); each leaf \
                 sends its number to its parent, each parent sends the sum of its 10 replies up \
                 (tokio: each task awaits its 10 children's JoinHandles, the idiom for a result \
                 from a task). Wall time, and peak resident memory above the OS process's \
                 starting point (VmHWM after resetting it through /proc/self/clear_refs)."
            }
            Workload::FanIn => {
                "S senders each send M numbers to one receiver as fast as they can (tokio: \
                 clones of one unbounded mpsc sender, unbounded as a mailbox is). Messages per \
                 second, from the first spawn to the last message received."
            }
            Workload::Timers => {
                "Set N timers that send a message after 60 to 120 s (random, same generator on \
                 every system), then time P processes that each wait in a receive with a \
                 10 to 110 ms timeout while the N are pending, then cancel the N. Girder: \
                 send_after / cancel_timer and receive().timeout(); Erlang: \
                 erlang:send_after/3, erlang:cancel_timer/1 and receive ... after; tokio: a \
                 task per timer that sleeps then sends (abort() cancels it; the cancel time \
                 runs until the runtime counts the aborted tasks gone), and \
                 tokio::time::timeout around a channel receive. Lateness = how long after its \
                 deadline a receive-after woke."
            }
            Workload::Fairness => {
                "One process crunches numbers non-stop while P pairs ping-pong R round trips \
                 each; p50 and p99 of the pairs' round trips. Each system yields the heavy \
                 process its own way: Girder charges one reduction per unit of work \
                 (consume_reductions(1)), so it yields after 4,000 units; tokio yields \
                 (tokio::task::yield_now) after the same 4,000 units; BEAM preempts the Erlang \
                 loop when its 4,000 reductions (function calls) are spent."
            }
            Workload::SelectiveReceive => {
                "The caller has Q unrelated messages queued in its mailbox and makes C calls to \
                 an echo server, each answered with a fresh reference. Girder: make_ref, then \
                 receive_match(..).since(ref), which skips the messages queued before the ref; \
                 Erlang: the make_ref / send / receive {Ref, _} shape the compiler turns into a \
                 receive marker, the same optimisation; tokio has no selective receive: its idiom \
                 is a oneshot reply channel per call, which never looks at the queued messages. \
                 Time per call."
            }
            Workload::Dist => {
                "Two nodes on 127.0.0.1 joined by one distribution connection; the girder \
                 column is Girder <-> Girder (two runtimes in one OS process, each a node with \
                 its own schedulers, talking only over the TCP connection), or Girder <-> \
                 Erlang where the row says so (the erl node started by the Girder child); the \
                 erlang column is always Erlang <-> Erlang (the driver VM and a peer VM). The \
                 message is {msg, I}, or {msg, I, Bin} with a 1 KiB binary, on every system. \
                 Stream: one process sends N messages to a sink on the other node, then done; \
                 the sink answers {ack, Count}; messages per second from the first send to the \
                 ack. Round trip: one message to an echo on the other node and back, each \
                 timed after 1,000 warm-up ones (p50, p99). Each side's own idiom: Erlang ! \
                 and receive; Girder send of a Term and receive::<Term>, the sender awaiting \
                 consume_reductions(0) after each send so that it is preempted when its \
                 slice is spent, as BEAM preempts the Erlang sender. tokio has no distribution and is not measured."
            }
        }
    }

    /// The cases of this workload for `sizes` on `schedulers` cores.
    pub fn cases(self, sizes: &Sizes, schedulers: usize) -> Vec<Case> {
        let on = |n: usize| {
            if n == 1 {
                "1 scheduler".to_owned()
            } else {
                format!("{n} schedulers")
            }
        };
        let one = |key: String, label: String, args: Vec<u64>| Case {
            key,
            label: format!("{label}, {}", on(schedulers)),
            schedulers,
            args,
        };
        match self {
            Workload::SpawnExit => vec![one(
                short_count(sizes.spawn),
                format!("{} processes", thousands(sizes.spawn)),
                vec![sizes.spawn],
            )],
            Workload::IdleMemory => sizes
                .idle
                .iter()
                .map(|&n| {
                    one(
                        short_count(n),
                        format!("{} processes", thousands(n)),
                        vec![n],
                    )
                })
                .collect(),
            Workload::PingPong => {
                let mut counts = vec![1];
                if schedulers > 1 {
                    counts.push(schedulers);
                }
                counts
                    .into_iter()
                    .map(|s| Case {
                        key: format!("{s}s"),
                        label: format!("{} round trips, {}", thousands(sizes.ping_pong), on(s)),
                        schedulers: s,
                        args: vec![sizes.ping_pong],
                    })
                    .collect()
            }
            Workload::Ring => sizes
                .ring
                .iter()
                .map(|&(n, laps)| {
                    one(
                        format!("{}x{}", short_count(n), laps),
                        format!(
                            "{} processes x {} lap{}",
                            thousands(n),
                            laps,
                            if laps == 1 { "" } else { "s" }
                        ),
                        vec![n, laps],
                    )
                })
                .collect(),
            Workload::Skynet => vec![one(
                short_count(sizes.skynet),
                format!("{} leaves", thousands(sizes.skynet)),
                vec![sizes.skynet],
            )],
            Workload::FanIn => {
                let (s, m) = sizes.fan_in;
                vec![one(
                    format!("{}x{}", short_count(s), short_count(m)),
                    format!("{} senders x {} messages", thousands(s), thousands(m)),
                    vec![s, m],
                )]
            }
            Workload::Timers => {
                let (n, p) = sizes.timers;
                vec![one(
                    short_count(n),
                    format!(
                        "{} pending timers, {} receive-after probes",
                        thousands(n),
                        thousands(p)
                    ),
                    vec![n, p],
                )]
            }
            Workload::Fairness => {
                let (p, r) = sizes.fairness;
                vec![one(
                    short_count(p),
                    format!("{} pairs x {} round trips", thousands(p), thousands(r)),
                    vec![p, r],
                )]
            }
            Workload::SelectiveReceive => {
                let (q, c) = sizes.selective;
                vec![one(
                    short_count(q),
                    format!("{} queued, {} calls", thousands(q), thousands(c)),
                    vec![q, c],
                )]
            }
            Workload::Dist => {
                let (small, binary, round_trips) = sizes.dist;
                let each = |n: u64| {
                    format!(
                        "{} streamed, {} round trips",
                        thousands(n),
                        thousands(round_trips)
                    )
                };
                vec![
                    Case {
                        key: "small".to_owned(),
                        label: format!("{{msg, I}}: {}, {} per node", each(small), on(schedulers)),
                        schedulers,
                        args: vec![small, round_trips, 0],
                    },
                    Case {
                        key: "1KiB".to_owned(),
                        label: format!(
                            "{{msg, I, <<1 KiB>>}}: {}, {} per node",
                            each(binary),
                            on(schedulers)
                        ),
                        schedulers,
                        args: vec![binary, round_trips, 1024],
                    },
                ]
            }
        }
    }

    /// The most processes `case` has alive at once, with room to spare:
    /// Erlang's `+P` (its default limit is 262,144).
    pub fn max_processes(self, case: &Case) -> u64 {
        let a = |i: usize| case.args.get(i).copied().unwrap_or(0);
        let alive = match self {
            Workload::SpawnExit | Workload::IdleMemory | Workload::Ring => a(0),
            Workload::Skynet => a(0) + a(0) / 8,
            Workload::FanIn | Workload::Timers => a(0).max(a(1)),
            Workload::Fairness => 2 * a(0),
            Workload::PingPong | Workload::SelectiveReceive | Workload::Dist => 2,
        };
        (2 * alive + 10_000).clamp(262_144, 134_217_727)
    }

    /// The figures `case` reports, keys prefixed with the case's key.
    pub fn metrics(self, case: &Case) -> Vec<Metric> {
        let k = |name: &str| format!("{}.{name}", case.key);
        let ns = |name: &str, label: &str| Metric::new(k(name), label, Unit::Nanos, Better::Lower);
        match self {
            Workload::SpawnExit => vec![
                ns("sequential", "sequential: spawn, wait for the exit"),
                ns("batch", "batch: spawn all, wait for all to exit"),
            ],
            Workload::IdleMemory => vec![
                Metric::new(k("rss"), "RSS growth / N", Unit::Bytes, Better::Lower),
                Metric::new(
                    k("process_info"),
                    "process_info memory of one process",
                    Unit::Bytes,
                    Better::Lower,
                ),
                Metric::new(
                    k("vm_total"),
                    "erlang:memory(total) growth / N",
                    Unit::Bytes,
                    Better::Lower,
                ),
            ],
            Workload::PingPong => vec![
                ns("mean", "round trip, mean (median block)"),
                ns("p50", "round trip, p50"),
                ns("p99", "round trip, p99"),
            ],
            Workload::Ring => vec![ns("hop", "per hop")],
            Workload::Skynet => vec![
                ns("wall", "wall time"),
                Metric::new(
                    k("peak_rss"),
                    "peak RSS above the start",
                    Unit::Bytes,
                    Better::Lower,
                ),
            ],
            Workload::FanIn => vec![Metric::new(
                k("rate"),
                "messages received per second",
                Unit::PerSecond,
                Better::Higher,
            )],
            Workload::Timers => vec![
                ns("set", "set a timer"),
                ns("cancel", "cancel a timer"),
                ns("late_p50", "receive-after lateness, p50"),
                ns("late_p99", "receive-after lateness, p99"),
            ],
            Workload::Fairness => vec![
                ns("p50", "pairs' round trip beside the heavy, p50"),
                ns("p99", "pairs' round trip beside the heavy, p99"),
            ],
            Workload::SelectiveReceive => vec![ns("call", "call answered by ref")],
            Workload::Dist => {
                let rate = |name: &str, label: &str| {
                    Metric::new(k(name), label, Unit::PerSecond, Better::Higher)
                };
                vec![
                    rate("rate", "stream, messages/s"),
                    ns("p50", "round trip, p50"),
                    ns("p99", "round trip, p99"),
                    rate("ge_rate", "girder->erlang stream, messages/s"),
                    rate("eg_rate", "erlang->girder stream, messages/s"),
                    ns("ge_p50", "girder<->erlang round trip, p50"),
                    ns("ge_p99", "girder<->erlang round trip, p99"),
                ]
            }
        }
    }

    /// Which systems report `metric` (the runtime-specific accounting rows
    /// exist only where the runtime accounts).
    pub fn reported_by(self, metric: &Metric) -> &'static [System] {
        if self == Workload::IdleMemory {
            if metric.key.ends_with(".process_info") {
                return &[System::Girder, System::Erlang];
            }
            if metric.key.ends_with(".vm_total") {
                return &[System::Erlang];
            }
        }
        if self == Workload::Dist {
            return if Workload::erlang_baseline(metric).is_some() {
                &[System::Girder]
            } else {
                &[System::Girder, System::Erlang]
            };
        }
        &System::ALL
    }

    /// The systems this workload runs on (tokio has no distribution).
    pub fn systems(self) -> &'static [System] {
        match self {
            Workload::Dist => &[System::Girder, System::Erlang],
            _ => &System::ALL,
        }
    }

    /// For a figure the Girder runner measures against an `erl` node
    /// (Girder <-> Erlang), the figure of the same case whose Erlang
    /// <-> Erlang value it is compared with: `girder bench` shows that
    /// value in the erlang column of its row. `None` for every other figure.
    ///
    /// ```
    /// use girder_bench::{Sizes, System, Workload};
    /// let case = &Workload::Dist.cases(&Sizes::quick(), 2)[0];
    /// let keys: Vec<_> = Workload::Dist
    ///     .metrics(case)
    ///     .iter()
    ///     .filter_map(Workload::erlang_baseline)
    ///     .collect();
    /// assert_eq!(keys, ["small.rate", "small.rate", "small.p50", "small.p99"]);
    /// assert!(!Workload::Dist.systems().contains(&System::Tokio));
    /// ```
    pub fn erlang_baseline(metric: &Metric) -> Option<String> {
        let (case, figure) = metric.key.rsplit_once('.')?;
        let base = match figure {
            "ge_rate" | "eg_rate" => "rate",
            "ge_p50" => "p50",
            "ge_p99" => "p99",
            _ => return None,
        };
        Some(format!("{case}.{base}"))
    }

    /// Runs `case` once on `system` (Girder or tokio) in this OS process and
    /// returns its samples, keys prefixed with the case's key.
    pub fn run_rust(self, system: System, case: &Case) -> Result<Vec<Sample>> {
        let args = &case.args;
        let n = case.schedulers;
        let samples = match (self, system) {
            (_, System::Erlang) => {
                return Err(BenchError::new(
                    "Erlang runs in erl: use girder_bench::Erlang::run",
                ));
            }
            (Workload::SpawnExit, System::Girder) => crate::spawn_exit::girder(n, args)?,
            (Workload::SpawnExit, System::Tokio) => crate::spawn_exit::tokio(n, args)?,
            (Workload::IdleMemory, System::Girder) => crate::idle_memory::girder(n, args)?,
            (Workload::IdleMemory, System::Tokio) => crate::idle_memory::tokio(n, args)?,
            (Workload::PingPong, System::Girder) => crate::ping_pong::girder(n, args)?,
            (Workload::PingPong, System::Tokio) => crate::ping_pong::tokio(n, args)?,
            (Workload::Ring, System::Girder) => crate::ring::girder(n, args)?,
            (Workload::Ring, System::Tokio) => crate::ring::tokio(n, args)?,
            (Workload::Skynet, System::Girder) => crate::skynet::girder(n, args)?,
            (Workload::Skynet, System::Tokio) => crate::skynet::tokio(n, args)?,
            (Workload::FanIn, System::Girder) => crate::fan_in::girder(n, args)?,
            (Workload::FanIn, System::Tokio) => crate::fan_in::tokio(n, args)?,
            (Workload::Timers, System::Girder) => crate::timers::girder(n, args)?,
            (Workload::Timers, System::Tokio) => crate::timers::tokio(n, args)?,
            (Workload::Fairness, System::Girder) => crate::fairness::girder(n, args)?,
            (Workload::Fairness, System::Tokio) => crate::fairness::tokio(n, args)?,
            (Workload::SelectiveReceive, System::Girder) => {
                crate::selective_receive::girder(n, args)?
            }
            (Workload::SelectiveReceive, System::Tokio) => {
                crate::selective_receive::tokio(n, args)?
            }
            (Workload::Dist, System::Girder) => crate::dist::girder(n, args)?,
            (Workload::Dist, System::Tokio) => {
                return Err(BenchError::new(
                    "tokio has no distribution: dist runs on Girder and Erlang",
                ));
            }
        };
        Ok(samples
            .into_iter()
            .map(|s| Sample::new(format!("{}.{}", case.key, s.key), s.value))
            .collect())
    }
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The `i`th argument of a case, or an error naming the workload.
pub(crate) fn arg(args: &[u64], i: usize, what: &str) -> Result<u64> {
    args.get(i)
        .copied()
        .filter(|&v| v > 0)
        .ok_or_else(|| BenchError::new(format!("missing or zero argument {i} ({what})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_keys_are_unique() {
        for w in Workload::ALL {
            assert_eq!(Workload::from_name(w.name()), Some(w));
            for sizes in [Sizes::full(), Sizes::quick()] {
                let mut keys: Vec<String> = w
                    .cases(&sizes, 2)
                    .iter()
                    .flat_map(|c| w.metrics(c))
                    .map(|m| m.key)
                    .collect();
                let n = keys.len();
                keys.sort();
                keys.dedup();
                assert_eq!(keys.len(), n, "{w}");
                assert!(keys.iter().all(|k| !k.contains(' ')), "{keys:?}");
            }
        }
    }

    #[test]
    fn dist_compares_girder_erlang_rows_with_erlang_erlang() {
        let cases = Workload::Dist.cases(&Sizes::quick(), 2);
        assert_eq!(
            cases.iter().map(|c| c.args[2]).collect::<Vec<_>>(),
            [0, 1024]
        );
        assert_eq!(Workload::Dist.systems(), [System::Girder, System::Erlang]);
        for m in Workload::Dist.metrics(&cases[1]) {
            let figure = m.key.rsplit_once('.').map(|(_, f)| f.to_owned());
            match Workload::erlang_baseline(&m) {
                Some(base) => {
                    assert!(
                        figure
                            .as_deref()
                            .is_some_and(|f| f.starts_with("ge_") || f.starts_with("eg_"))
                    );
                    assert!(base.starts_with("1KiB."), "{base}");
                    assert_eq!(Workload::Dist.reported_by(&m), [System::Girder]);
                }
                None => assert_eq!(
                    Workload::Dist.reported_by(&m),
                    [System::Girder, System::Erlang]
                ),
            }
        }
        let rate = &Workload::Dist.metrics(&cases[0])[3];
        assert_eq!(
            Workload::erlang_baseline(rate).as_deref(),
            Some("small.rate")
        );
        assert!(
            Workload::PingPong
                .metrics(&Workload::PingPong.cases(&Sizes::quick(), 1)[0])
                .iter()
                .all(|m| Workload::erlang_baseline(m).is_none())
        );
    }

    #[test]
    fn ping_pong_has_a_one_scheduler_case() {
        let cases = Workload::PingPong.cases(&Sizes::quick(), 2);
        assert_eq!(cases[0].schedulers, 1);
        assert_eq!(cases[1].schedulers, 2);
        assert_eq!(Workload::PingPong.cases(&Sizes::quick(), 1).len(), 1);
    }
}
