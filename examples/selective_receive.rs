//! Selective receive: take the message you want, leave the others queued.
//!
//! * `receive_match` with a predicate, Erlang's `receive Pattern when Guard`;
//! * `girder::receive!` with several typed patterns and an `after` clause;
//! * `make_ref` + `.since(r)`: wait for a reply tagged with a fresh
//!   reference without rescanning the messages queued before it;
//! * `.timeout(d)`: give up after a while (`after` in Erlang).
//!
//! ```text
//! cargo run -p girder --example selective_receive
//! ```
#![forbid(unsafe_code)]

use std::time::Duration;

use girder::prelude::*;

#[derive(Debug)]
enum Job {
    Low(u32),
    High(u32),
}

/// A request to the server: reply to `from`, tagged with `tag`.
#[derive(Debug)]
struct Request {
    from: Pid,
    tag: Ref,
    n: u64,
}

fn main() {
    let outcome = girder::run(async {
        let me = self_pid();

        // 1. Priorities: take every High job first, then the rest in order.
        for job in [Job::Low(1), Job::High(2), Job::Low(3), Job::High(4)] {
            send(me, job);
        }
        let mut order = Vec::new();
        while let Some(job) = receive_match(|j: &Job| matches!(j, Job::High(_)))
            .timeout(Duration::ZERO)
            .await
        {
            order.push(job);
        }
        while let Some(job) = receive::<Job>().timeout(Duration::ZERO).await {
            order.push(job);
        }
        println!("1. sent Low(1) High(2) Low(3) High(4); handled {order:?}");

        // 2. Several types and patterns at once; unmatched messages stay.
        send(me, "hello");
        send(me, Job::Low(0));
        send(me, 7u64);
        send(me, Job::High(99));
        let mut handled = Vec::new();
        loop {
            girder::receive! {
                Job: Job::High(n) if *n > 10 => handled.push(format!("urgent {n}")),
                u64: n => handled.push(format!("number {n}")),
                &'static str: s => handled.push(format!("text {s:?}")),
                after Duration::from_millis(20) => break,
            }
        }
        let left = process_info(me).map_or(0, |i| i.message_queue_len);
        println!("2. receive! handled {handled:?}; {left} message left (Low(0): no arm takes it)");
        if let Job::Low(n) = receive::<Job>().await {
            println!("   then receive::<Job>() takes the Low({n}) left behind");
        }

        // 3. A call: fresh reference, request, reply tagged with it. The
        // 10,000 messages already queued are not scanned for the reply.
        let server = spawn(async {
            let Request { from, tag, n } = receive::<Request>().await;
            send(from, (tag, n * n));
        });
        for i in 0..10_000u32 {
            send(me, i);
        }
        let tag = make_ref();
        send(
            server,
            Request {
                from: me,
                tag,
                n: 12,
            },
        );
        let reply = receive_match(move |(t, _): &(Ref, u64)| *t == tag)
            .since(tag)
            .timeout(Duration::from_secs(5))
            .await;
        let queued = process_info(me).map_or(0, |i| i.message_queue_len);
        match reply {
            Some((_, square)) => println!(
                "3. call tagged {tag}: 12 * 12 = {square}, found past {queued} older messages"
            ),
            None => println!("3. call tagged {tag}: no reply"),
        }

        // 4. A timeout: nobody sends a String.
        let nothing = receive::<String>().timeout(Duration::from_millis(50)).await;
        println!("4. receive::<String>().timeout(50 ms) = {nothing:?}");
    });
    if let Err(reason) = outcome {
        eprintln!("the root process exited with {reason}");
        std::process::exit(1);
    }
}
