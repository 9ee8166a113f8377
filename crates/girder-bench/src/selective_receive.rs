//! Selective receive: a call answered by reference while unrelated messages
//! wait in the caller's mailbox. Args: `[queued, calls]`.
//!
//! The caller first sends itself `queued` numbers it never reads, then
//! makes `calls` calls to an echo server; `call`: ns per call. Afterwards
//! the numbers must still be queued.

use std::time::Instant;

use girder::{
    ExitReason, Pid, Ref, exit, make_ref, process_info, receive, receive_match, self_pid, send,
    spawn,
};

use crate::metric::Sample;
use crate::rt::{ns_per, on_girder, on_tokio};
use crate::workload::arg;
use crate::{BenchError, Result};

/// Calls before the clock starts.
const WARMUP: u64 = 100;

pub(crate) fn girder(schedulers: usize, args: &[u64]) -> Result<Vec<Sample>> {
    let queued = arg(args, 0, "queued messages")?;
    let calls = arg(args, 1, "calls")?;
    on_girder(schedulers, async move {
        let me = self_pid();
        let server = spawn(async {
            loop {
                let (from, r) = receive::<(Pid, Ref)>().await;
                send(from, r);
            }
        });
        for i in 0..queued {
            send(me, i);
        }
        let call = || async move {
            let r = make_ref();
            send(server, (me, r));
            receive_match(move |x: &Ref| *x == r).since(r).await;
        };
        for _ in 0..WARMUP {
            call().await;
        }
        let start = Instant::now();
        for _ in 0..calls {
            call().await;
        }
        let per_call = ns_per(start, calls);
        exit(server, ExitReason::Kill);
        let left = process_info(me).map_or(0, |i| i.message_queue_len as u64);
        if left != queued {
            return Err(BenchError::new(format!(
                "{left} messages queued after the calls, expected {queued}"
            )));
        }
        Ok(vec![Sample::new("call", per_call)])
    })
}

pub(crate) fn tokio(schedulers: usize, args: &[u64]) -> Result<Vec<Sample>> {
    use tokio::sync::{mpsc, oneshot};
    let queued = arg(args, 0, "queued messages")?;
    let calls = arg(args, 1, "calls")?;
    on_tokio(schedulers, async move {
        let (server_tx, mut server_rx) = mpsc::unbounded_channel::<oneshot::Sender<u64>>();
        let server = tokio::spawn(async move {
            let mut n = 0u64;
            while let Some(reply) = server_rx.recv().await {
                let _ = reply.send(n);
                n += 1;
            }
        });
        // The caller's own mailbox, with the unrelated messages in it.
        let (mailbox, inbox) = mpsc::unbounded_channel::<u64>();
        for i in 0..queued {
            let _ = mailbox.send(i);
        }
        let gone = || BenchError::new("the server task ended early");
        let call = || async {
            let (reply, answer) = oneshot::channel();
            server_tx.send(reply).map_err(|_| gone())?;
            answer.await.map_err(|_| gone())
        };
        for _ in 0..WARMUP {
            call().await?;
        }
        let start = Instant::now();
        for _ in 0..calls {
            call().await?;
        }
        let per_call = ns_per(start, calls);
        drop(server_tx);
        server
            .await
            .map_err(|e| BenchError::new(format!("server task: {e}")))?;
        if inbox.len() as u64 != queued {
            return Err(BenchError::new("the queued messages were disturbed"));
        }
        Ok(vec![Sample::new("call", per_call)])
    })
}
