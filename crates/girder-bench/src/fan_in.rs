//! Fan-in: many senders, one receiver. Args: `[senders, messages_each]`.
//!
//! `rate`: messages received per second, from the first spawn to the last
//! message received by the root.

use std::time::Instant;

use girder::{consume_reductions, receive, self_pid, send, spawn};

use crate::metric::Sample;
use crate::rt::{on_girder, on_tokio};
use crate::workload::arg;
use crate::{BenchError, Result};

pub(crate) fn girder(schedulers: usize, args: &[u64]) -> Result<Vec<Sample>> {
    let senders = arg(args, 0, "senders")?;
    let each = arg(args, 1, "messages each")?;
    on_girder(schedulers, async move {
        let me = self_pid();
        let total = senders * each;
        let start = Instant::now();
        for _ in 0..senders {
            spawn(async move {
                for i in 0..each {
                    send(me, i);
                }
            });
            consume_reductions(0).await;
        }
        for _ in 0..total {
            receive::<u64>().await;
        }
        let rate = total as f64 / start.elapsed().as_secs_f64();
        Ok(vec![Sample::new("rate", rate)])
    })
}

pub(crate) fn tokio(schedulers: usize, args: &[u64]) -> Result<Vec<Sample>> {
    let senders = arg(args, 0, "senders")?;
    let each = arg(args, 1, "messages each")?;
    on_tokio(schedulers, async move {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u64>();
        let total = senders * each;
        let start = Instant::now();
        for _ in 0..senders {
            let tx = tx.clone();
            tokio::spawn(async move {
                for i in 0..each {
                    let _ = tx.send(i);
                }
            });
        }
        drop(tx);
        for _ in 0..total {
            rx.recv()
                .await
                .ok_or_else(|| BenchError::new("a fan-in message was lost"))?;
        }
        let rate = total as f64 / start.elapsed().as_secs_f64();
        Ok(vec![Sample::new("rate", rate)])
    })
}
