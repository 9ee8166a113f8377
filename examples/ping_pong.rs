//! Ping-pong: two processes, a registered name, a monitor, and the time
//! of a round trip.
//!
//! ```text
//! cargo run --release -p girder --example ping_pong
//! ```
#![forbid(unsafe_code)]

use std::time::Instant;

use girder::prelude::*;

/// What the pong process understands.
#[derive(Debug)]
enum Msg {
    Ping(Pid),
    Stop,
}

/// The answer to a ping.
#[derive(Debug)]
struct Pong;

const ROUNDS: u32 = 100_000;

fn main() {
    let outcome = girder::run(async {
        let pong = spawn(async {
            // Answers pings until anything else (Stop) arrives.
            while let Msg::Ping(from) = receive::<Msg>().await {
                send(from, Pong);
            }
        });
        if let Err(e) = register("pong", pong) {
            return Err(format!("register: {e}"));
        }
        println!("pong is {pong}, registered as \"pong\"");

        // The first ping goes by name (Erlang `pong ! {ping, self()}`) ...
        let me = self_pid();
        if let Err(e) = send_named("pong", Msg::Ping(me)) {
            return Err(e.to_string());
        }
        receive::<Pong>().await;
        println!("ping by name: pong answered");

        // ... the rest by pid, timed.
        let start = Instant::now();
        for _ in 0..ROUNDS {
            send(pong, Msg::Ping(me));
            receive::<Pong>().await;
        }
        let elapsed = start.elapsed();
        println!(
            "{ROUNDS} round trips in {:.1} ms: {:.0} ns per round trip",
            elapsed.as_secs_f64() * 1e3,
            elapsed.as_nanos() as f64 / f64::from(ROUNDS)
        );

        // Stop it and wait for its DOWN: the name is released when it exits.
        let m = monitor(pong);
        send(pong, Msg::Stop);
        let down = receive_match(move |d: &Down| d.monitor == m).await;
        println!(
            "{{'DOWN',{},process,{},{}}}",
            down.monitor, down.pid, down.reason
        );
        println!("whereis(\"pong\") = {:?}", whereis("pong"));
        Ok(())
    });
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            eprintln!("ping_pong: {e}");
            std::process::exit(1);
        }
        Err(reason) => {
            eprintln!("the root process exited with {reason}");
            std::process::exit(1);
        }
    }
}
