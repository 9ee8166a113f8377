//! A supervised pool: workers crash at random, a client keeps getting
//! answers, and the supervisor's reports show each restart as it happens.
//!
//! Four `GenServer` workers ("pool-0" … "pool-3") run under a one-for-one
//! [`Supervisor`]. The client sends 2,000 lookups round-robin; about one in
//! ten makes its worker panic. The client's call fails at once with the
//! worker's exit reason (calls are monitor-based), so it asks again, and the
//! restarted worker answers. The supervisor reports each crash through
//! `tracing` (target `girder::supervisor`, as OTP's supervisor reports),
//! which this example prints.
//!
//! ```text
//! cargo run -p girder --example supervised_pool
//! ```
#![forbid(unsafe_code)]

use std::time::Duration;

use girder::otp::gen_server::{self, CallError, GenServer, Reply, ReplyTo, Server};
use girder::otp::supervisor::{self, ChildSpec, Strategy, Supervisor};
use girder::prelude::*;

/// A worker holds a table and answers lookups; a lookup of a "poisoned"
/// key crashes it (the bug we let crash).
struct Worker {
    table: Vec<u64>,
}

impl GenServer for Worker {
    type Call = usize;
    type Reply = u64;
    type Cast = ();
    type Continue = ();

    async fn handle_call(&mut self, key: usize, _from: ReplyTo<u64>) -> Reply<u64> {
        // One key in ten (by its hash) hits the bug — on the first try
        // only, since the client retries with `key + 1_000_000`.
        if key < 1_000_000 && (key.wrapping_mul(0x9E37_79B9) >> 16) % 10 == 0 {
            panic!("corrupt entry for key {key}");
        }
        Reply::reply(self.table[key % self.table.len()])
    }
}

fn pool(size: usize) -> Vec<ChildSpec> {
    (0..size)
        .map(|i| {
            ChildSpec::gen_server_with(
                format!("pool-{i}"),
                || Worker {
                    table: (0..100).map(|x| x * x).collect(),
                },
                gen_server::Options::new().name(format!("pool-{i}")),
            )
        })
        .collect()
}

fn main() {
    // Print the supervisor's reports, as `erl` prints SASL reports.
    tracing_subscriber::fmt()
        .with_env_filter("girder::supervisor=error")
        .with_target(false)
        .without_time()
        .init();

    let answers = girder::run(async {
        let sup = Supervisor::start_link(
            pool(4),
            supervisor::Options::new(Strategy::OneForOne).max_restarts(1_000),
        )
        .await
        .expect("the pool starts");
        let mut answers = 0u32;
        let mut crashes = 0u32;
        for key in 0..2_000usize {
            let worker = Server::<Worker>::named(format!("pool-{}", key % 4));
            let mut request = key;
            loop {
                match worker.call(request).await {
                    Ok(value) => {
                        assert_eq!(value, ((key % 100) * (key % 100)) as u64);
                        answers += 1;
                        break;
                    }
                    // It crashed on our request: ask the restarted worker.
                    Err(CallError::Exit { .. }) => {
                        crashes += 1;
                        request = key + 1_000_000;
                    }
                    // Between its crash and its restart it has no name.
                    Err(CallError::NoProc { .. }) => sleep(Duration::from_micros(50)).await,
                    Err(e) => panic!("unexpected: {e}"),
                }
            }
        }
        let children = sup.which_children().await.expect("the supervisor answers");
        println!(
            "{answers} answers, {crashes} crashes, {} workers running under {}",
            children.iter().filter(|c| c.pid.is_some()).count(),
            sup.pid().expect("the supervisor runs"),
        );
        answers
    });
    assert_eq!(answers, Ok(2_000));
}
