//! Hello, processes: spawn one, send it a message, receive its reply.
//!
//! ```text
//! cargo run -p girder --example hello
//! ```
//!
//! Erlang would write it as
//! `Greeter = spawn(fun() -> receive {From, Name} -> From ! {hello, Name} end end)`.
#![forbid(unsafe_code)]

use girder::prelude::*;

fn main() {
    // `girder::run` starts a runtime (one scheduler thread per core), runs
    // this future as the root process, and returns its output when it ends.
    let outcome = girder::run(async {
        let me = self_pid();
        let greeter = spawn(async {
            // Waits for the first `(Pid, String)` in its mailbox.
            let (from, name) = receive::<(Pid, String)>().await;
            send(from, format!("Hello, {name}! This is {}.", self_pid()));
        });
        println!("{me} spawned {greeter}");
        send(greeter, (me, "world".to_owned()));
        receive::<String>().await
    });
    match outcome {
        Ok(greeting) => println!("{greeting}"),
        Err(reason) => {
            eprintln!("the root process exited with {reason}");
            std::process::exit(1);
        }
    }
}
