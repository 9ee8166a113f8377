//! A ring of processes passing one token. Args: `[processes, laps]`.
//!
//! Each member knows the next; the token carries the hops left and the
//! member that receives it at zero tells the root. `hop`: ns per hop, from
//! the root's send of the token to that report, over `processes × laps`
//! hops. The ring is built (every member spawned, told its successor and
//! acknowledged) before the clock starts, and stopped afterwards by a `Stop`
//! token that each member forwards before it exits.

use std::time::Instant;

use girder::{Handle, Pid, consume_reductions, receive, self_pid, send, spawn, yield_now};

use crate::metric::Sample;
use crate::rt::{ns_per, on_girder, on_tokio};
use crate::workload::arg;
use crate::{BenchError, Result};

/// What travels round the ring.
#[derive(Debug, Clone, Copy)]
enum Token {
    /// Hops left.
    Hop(u64),
    /// Forward, then exit.
    Stop,
}

/// A member's successor.
#[derive(Debug)]
struct Next(Pid);

/// A member knows its successor.
#[derive(Debug)]
struct Ready;

/// The token ran out.
#[derive(Debug)]
struct Done;

async fn member(root: Pid) {
    let Next(next) = receive::<Next>().await;
    send(root, Ready);
    loop {
        match receive::<Token>().await {
            Token::Hop(0) => send(root, Done),
            Token::Hop(k) => send(next, Token::Hop(k - 1)),
            Token::Stop => {
                send(next, Token::Stop);
                return;
            }
        }
    }
}

pub(crate) fn girder(schedulers: usize, args: &[u64]) -> Result<Vec<Sample>> {
    let n = arg(args, 0, "processes")? as usize;
    let laps = arg(args, 1, "laps")?;
    on_girder(schedulers, async move {
        let me = self_pid();
        let handle = Handle::current();
        let baseline = handle.process_count();
        let mut ring = Vec::with_capacity(n);
        for _ in 0..n {
            ring.push(spawn(member(me)));
            consume_reductions(0).await;
        }
        for (i, &pid) in ring.iter().enumerate() {
            send(pid, Next(ring[(i + 1) % n]));
            consume_reductions(0).await;
        }
        for _ in 0..n {
            receive::<Ready>().await;
        }
        let hops = n as u64 * laps;
        let start = Instant::now();
        send(ring[0], Token::Hop(hops));
        receive::<Done>().await;
        let hop = ns_per(start, hops);
        send(ring[0], Token::Stop);
        while handle.process_count() > baseline {
            yield_now().await;
        }
        Ok(vec![Sample::new("hop", hop)])
    })
}

pub(crate) fn tokio(schedulers: usize, args: &[u64]) -> Result<Vec<Sample>> {
    use tokio::sync::mpsc::unbounded_channel;
    let n = arg(args, 0, "processes")? as usize;
    let laps = arg(args, 1, "laps")?;
    on_tokio(schedulers, async move {
        let metrics = tokio::runtime::Handle::current().metrics();
        let baseline = metrics.num_alive_tasks();
        let (ready_tx, mut ready) = unbounded_channel::<()>();
        let (done_tx, mut done) = unbounded_channel::<()>();
        let (senders, receivers): (Vec<_>, Vec<_>) =
            (0..n).map(|_| unbounded_channel::<Token>()).unzip();
        for (i, mut rx) in receivers.into_iter().enumerate() {
            let next = senders[(i + 1) % n].clone();
            let ready = ready_tx.clone();
            let done = done_tx.clone();
            tokio::spawn(async move {
                let _ = ready.send(());
                while let Some(token) = rx.recv().await {
                    match token {
                        Token::Hop(0) => {
                            let _ = done.send(());
                        }
                        Token::Hop(k) => {
                            let _ = next.send(Token::Hop(k - 1));
                        }
                        Token::Stop => {
                            let _ = next.send(Token::Stop);
                            return;
                        }
                    }
                }
            });
        }
        let first = senders[0].clone();
        drop(senders);
        let gone = || BenchError::new("the ring broke");
        for _ in 0..n {
            ready.recv().await.ok_or_else(gone)?;
        }
        let hops = n as u64 * laps;
        let start = Instant::now();
        first.send(Token::Hop(hops)).map_err(|_| gone())?;
        done.recv().await.ok_or_else(gone)?;
        let hop = ns_per(start, hops);
        first.send(Token::Stop).map_err(|_| gone())?;
        while metrics.num_alive_tasks() > baseline {
            tokio::task::yield_now().await;
        }
        Ok(vec![Sample::new("hop", hop)])
    })
}
