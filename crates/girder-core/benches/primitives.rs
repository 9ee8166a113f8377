#![allow(missing_docs)]
//! Criterion benchmarks of girder-core's primitives, one group per
//! primitive. Run: `cargo bench -p girder-core --features mimalloc --bench
//! primitives` (the allocator a production binary would pick).
//!
//! The side-by-side comparison with Erlang and tokio is `girder bench`; these
//! track the runtime's own costs from commit to commit.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

// The allocator a production binary would pick; glibc malloc returns pages
// to the kernel and re-faults them on every spawn burst.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: girder_core::Mimalloc = girder_core::Mimalloc;
use girder_core::{
    Down, Handle, Pid, Runtime, cancel_timer, make_ref, receive, receive_match, self_pid, send,
    send_after, spawn, spawn_monitor, yield_now,
};

fn runtime(schedulers: usize) -> Runtime {
    Runtime::builder()
        .schedulers(schedulers)
        .name("bench")
        .build()
        .expect("runtime")
}

/// Waits until only `baseline` processes remain.
async fn settle(baseline: usize) {
    let handle = Handle::current();
    while handle.process_count() > baseline {
        yield_now().await;
    }
}

fn spawn_exit(c: &mut Criterion) {
    let mut g = c.benchmark_group("spawn_exit");
    for schedulers in [1usize, 2] {
        let rt = runtime(schedulers);
        g.bench_function(format!("empty_process/{schedulers}_schedulers"), |b| {
            b.iter_custom(|iters| {
                rt.block_on(async move {
                    let baseline = Handle::current().process_count();
                    // Batches of 10,000: the steady state of a system that
                    // spawns and reaps, not the page faults of first growth.
                    let t = Instant::now();
                    let mut left = iters;
                    while left > 0 {
                        let batch = left.min(10_000);
                        for _ in 0..batch {
                            spawn(async {});
                        }
                        settle(baseline).await;
                        left -= batch;
                    }
                    t.elapsed()
                })
                .expect("root")
            })
        });
    }
    g.finish();
}

fn ping_pong(c: &mut Criterion) {
    let mut g = c.benchmark_group("ping_pong");
    for schedulers in [1usize, 2] {
        let rt = runtime(schedulers);
        g.bench_function(format!("round_trip/{schedulers}_schedulers"), |b| {
            b.iter_custom(|iters| {
                rt.block_on(async move {
                    let me = self_pid();
                    let (pong, m) = spawn_monitor(async move {
                        loop {
                            let n = receive::<u64>().await;
                            send(me, n);
                            if n == 0 {
                                return;
                            }
                        }
                    });
                    let t = Instant::now();
                    for i in (0..iters).rev() {
                        send(pong, i);
                        receive::<u64>().await;
                    }
                    let elapsed = t.elapsed();
                    if iters == 0 {
                        send(pong, 0u64);
                        receive::<u64>().await;
                    }
                    receive_match(move |d: &Down| d.monitor == m).await;
                    elapsed
                })
                .expect("root")
            })
        });
    }
    g.finish();
}

fn send_receive(c: &mut Criterion) {
    let rt = runtime(1);
    c.bench_function("send_receive/self", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async move {
                let me = self_pid();
                let t = Instant::now();
                for i in 0..iters {
                    send(me, i);
                    receive::<u64>().await;
                }
                t.elapsed()
            })
            .expect("root")
        })
    });
}

fn ref_call_full_mailbox(c: &mut Criterion) {
    let rt = runtime(1);
    c.bench_function("call_by_ref/10k_queued", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async move {
                let me = self_pid();
                let server = spawn(async {
                    loop {
                        let (from, r) = receive::<(Pid, girder_core::Ref)>().await;
                        send(from, r);
                    }
                });
                for i in 0..10_000u32 {
                    send(me, i);
                }
                let t = Instant::now();
                for _ in 0..iters {
                    let r = make_ref();
                    send(server, (me, r));
                    receive_match(move |x: &girder_core::Ref| *x == r)
                        .since(r)
                        .await;
                }
                let elapsed = t.elapsed();
                girder_core::exit(server, girder_core::ExitReason::Kill);
                elapsed
            })
            .expect("root")
        })
    });
}

fn timers(c: &mut Criterion) {
    let rt = runtime(1);
    c.bench_function("timer/send_after+cancel", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async move {
                let me = self_pid();
                let t = Instant::now();
                for i in 0..iters {
                    let tr = send_after(Duration::from_secs(60 + i % 100), me, i);
                    cancel_timer(tr);
                }
                t.elapsed()
            })
            .expect("root")
        })
    });
}

// The timer wheel itself, without the runtime's lock, channel and thread:
// the source file is compiled into this bench (it is crate-private). Its
// unit tests are not run from here: `unused` covers them and the methods
// this bench does not call.
#[allow(unused)]
#[path = "../src/timer/wheel.rs"]
mod wheel;

fn timer_wheel(c: &mut Criterion) {
    use std::hint::black_box;
    let mut g = c.benchmark_group("wheel");
    g.bench_function("insert_remove", |b| {
        // Among 100,000 pending entries on several levels.
        let mut w = wheel::Wheel::new();
        for i in 0..100_000u64 {
            w.insert(1 + (i * 7919) % 1_000_000, i);
        }
        let mut i = 0u64;
        b.iter(|| {
            let k = w.insert(black_box(60_000 + i % 100), i);
            i += 1;
            black_box(w.remove(k))
        })
    });
    const N: u64 = 1_000_000;
    // Deadlines spread over 1,000,000 ticks (1,000 s of 1 ms ticks).
    let deadline = |i: u64| 1 + (i * 7919) % N;
    g.sample_size(10);
    g.bench_function("1M_insert_cancel", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut keys = Vec::with_capacity(N as usize);
            for _ in 0..iters {
                let mut w = wheel::Wheel::new();
                let t = Instant::now();
                keys.extend((0..N).map(|i| w.insert(deadline(i), i)));
                for k in keys.drain(..) {
                    black_box(w.remove(k));
                }
                total += t.elapsed();
                assert!(w.is_empty());
            }
            total
        })
    });
    g.bench_function("1M_insert_fire", |b| {
        // Inserts, then advances as the timer thread does: to
        // `next_deadline` again and again until all have fired.
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut out = Vec::with_capacity(N as usize);
            for _ in 0..iters {
                let mut w = wheel::Wheel::new();
                let t = Instant::now();
                for i in 0..N {
                    w.insert(deadline(i), i);
                }
                while let Some(next) = w.next_deadline() {
                    w.advance(next, &mut out);
                }
                total += t.elapsed();
                assert_eq!(out.len(), N as usize);
                out.clear();
            }
            total
        })
    });
    g.finish();
}

fn skynet(c: &mut Criterion) {
    #[allow(clippy::manual_async_fn)] // the explicit `+ Send` breaks the recursive type cycle
    fn node(parent: Pid, num: u64, size: u64) -> impl std::future::Future<Output = ()> + Send {
        async move {
            if size == 1 {
                send(parent, num);
                return;
            }
            let me = self_pid();
            let div = size / 10;
            for i in 0..10 {
                let sub = num + i * div;
                spawn(node(me, sub, div));
            }
            let mut sum = 0u64;
            for _ in 0..10 {
                sum += receive::<u64>().await;
            }
            send(parent, sum);
        }
    }
    let rt = runtime(std::thread::available_parallelism().map_or(2, |n| n.get()));
    let mut g = c.benchmark_group("skynet");
    g.sample_size(10);
    g.bench_function("1M_leaves", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async move {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let me = self_pid();
                    let t = Instant::now();
                    spawn(node(me, 0, 1_000_000));
                    let sum = receive::<u64>().await;
                    total += t.elapsed();
                    assert_eq!(sum, 499_999_500_000);
                }
                total
            })
            .expect("root")
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    spawn_exit,
    ping_pong,
    send_receive,
    ref_call_full_mailbox,
    timers,
    timer_wheel,
    skynet
);
criterion_main!(benches);
