//! Links and `trap_exit`: let it crash.
//!
//! A process that traps exits links to three workers and learns how each
//! ended as an `{'EXIT', Pid, Reason}` message; it restarts the ones that
//! crashed, once, the idea under an OTP supervisor. Then a process that
//! does *not* trap exits dies with the reason of the worker it is linked
//! to, and `kill` cannot be trapped.
//!
//! ```text
//! cargo run -p girder --example links_and_trap_exit
//! ```
//!
//! Rust prints the message of the worker that panics on stderr; only that
//! process dies, never the scheduler thread running it.
#![forbid(unsafe_code)]

use std::collections::HashMap;

use girder::prelude::*;

/// A worker: job 1 succeeds, job 2 panics, job 3 fails with a custom
/// reason; restarted (`attempt > 1`) every job succeeds.
async fn worker(job: u32, attempt: u32) -> ExitReason {
    if attempt > 1 {
        return ExitReason::Normal;
    }
    match job {
        1 => ExitReason::Normal,
        2 => panic!("job {job}: attempt to divide by zero"),
        _ => ExitReason::other(format!("{{bad_job,{job}}}")),
    }
}

/// Never sent: awaiting it waits until an exit signal ends the process.
#[derive(Debug)]
struct Never;

fn main() {
    let outcome = girder::run(async {
        let me = self_pid();
        trap_exit(true);

        let mut workers: HashMap<Pid, (u32, u32)> = HashMap::new();
        for job in 1..=3 {
            let pid = spawn_link(worker(job, 1));
            println!("{me} started job {job} as {pid}");
            workers.insert(pid, (job, 1));
        }
        while !workers.is_empty() {
            let Exit { from, reason } = receive::<Exit>().await;
            let Some((job, attempt)) = workers.remove(&from) else {
                continue;
            };
            println!("{me} got {{'EXIT',{from},{reason}}}  (job {job})");
            if !reason.is_normal() {
                let pid = spawn_link(worker(job, attempt + 1));
                println!("{me} restarts job {job} as {pid}");
                workers.insert(pid, (job, attempt + 1));
            }
        }

        // Without trap_exit, a link is a shared fate.
        let (middle, m) = spawn_monitor(async {
            let _worker = spawn_link(worker(3, 1));
            receive::<Never>().await;
        });
        let down = receive_match(move |d: &Down| d.monitor == m).await;
        println!(
            "{middle} did not trap exits: it died with its linked worker: {}",
            down.reason
        );

        // kill cannot be trapped: the victim ends with `killed`.
        let (victim, m) = spawn_monitor(async {
            trap_exit(true);
            receive::<Never>().await;
        });
        exit(victim, ExitReason::Kill);
        let down = receive_match(move |d: &Down| d.monitor == m).await;
        println!(
            "exit({victim}, kill) on a process trapping exits: it died with {}",
            down.reason
        );
    });
    if let Err(reason) = outcome {
        eprintln!("the root process exited with {reason}");
        std::process::exit(1);
    }
}
