//! A connection that is up: a reader task and a writer task over the two
//! halves of its socket (erts' distribution entry and `dist_util`'s ticker).
//!
//! The writer drains the connection's queue, batching what is queued into
//! one write, and sends a tick when nothing was written for a quarter of the
//! net tick time. The reader decodes frame after frame and hands each
//! control message to the node; it declares the connection dead when
//! nothing (not even a tick) arrived for the net tick time, and closes it on
//! the first frame that breaks the protocol or a limit.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use girder_term::AtomCache;
use tokio::io::{AsyncRead, AsyncWriteExt, BufWriter, ReadBuf};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{mpsc, oneshot};
use tokio::task::AbortHandle;
use tokio::time::Instant;

use crate::control::ControlMessage;
use crate::frame::{self, FrameError};
use crate::handshake::Peer;
use crate::node::events::NodeDownReason;
use crate::node::inner::Inner;

/// Starts the reader and writer of connection `conn`. The reader reads
/// nothing until `go` fires, so that the handler hears of the connection
/// (`node_up`) before any message that came over it.
pub(crate) fn spawn(
    inner: Arc<Inner>,
    conn: u64,
    peer: Peer,
    stream: TcpStream,
    go: oneshot::Receiver<()>,
) -> (mpsc::UnboundedSender<Vec<u8>>, [AbortHandle; 2]) {
    let (read, write) = stream.into_split();
    let (tx, rx) = mpsc::unbounded_channel();
    let writer = tokio::spawn(write_loop(inner.clone(), conn, peer.clone(), write, rx));
    let reader = tokio::spawn(async move {
        if go.await.is_ok() {
            read_loop(inner, conn, peer, read).await;
        }
    });
    (tx, [reader.abort_handle(), writer.abort_handle()])
}

async fn write_loop(
    inner: Arc<Inner>,
    conn: u64,
    peer: Peer,
    write: OwnedWriteHalf,
    mut rx: mpsc::UnboundedReceiver<Vec<u8>>,
) {
    let tick = inner.net_tick_time / 4;
    let mut w = BufWriter::with_capacity(64 << 10, write);
    let mut ticker = tokio::time::interval_at(Instant::now() + tick, tick);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut wrote = false;
    loop {
        let result = tokio::select! {
            frame = rx.recv() => match frame {
                Some(frame) => {
                    wrote = true;
                    write_batch(&mut w, frame, &mut rx).await
                }
                // The entry is gone; the reader is aborted too.
                None => return,
            },
            _ = ticker.tick() => {
                let r = if wrote {
                    Ok(())
                } else {
                    write_tick(&mut w).await
                };
                wrote = false;
                r
            }
        };
        if let Err(e) = result {
            inner.connection_lost(conn, &peer.name, NodeDownReason::Io(e.to_string()));
            return;
        }
    }
}

async fn write_tick(w: &mut BufWriter<OwnedWriteHalf>) -> std::io::Result<()> {
    w.write_all(&frame::TICK).await?;
    w.flush().await
}

async fn write_batch(
    w: &mut BufWriter<OwnedWriteHalf>,
    first: Vec<u8>,
    rx: &mut mpsc::UnboundedReceiver<Vec<u8>>,
) -> std::io::Result<()> {
    w.write_all(&first).await?;
    while let Ok(more) = rx.try_recv() {
        w.write_all(&more).await?;
    }
    w.flush().await
}

/// The read half, stamping the time of every byte that arrives so that the
/// tick timeout sees a long frame in progress as life.
struct Stamped {
    read: OwnedReadHalf,
    start: Instant,
    last: Arc<AtomicU64>,
}

impl AsyncRead for Stamped {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.read).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            let ms = self.start.elapsed().as_millis() as u64;
            self.last.store(ms, Ordering::Relaxed);
        }
        r
    }
}

async fn read_loop(inner: Arc<Inner>, conn: u64, peer: Peer, read: OwnedReadHalf) {
    let start = Instant::now();
    let last = Arc::new(AtomicU64::new(0));
    let mut reader = tokio::io::BufReader::with_capacity(
        64 << 10,
        Stamped {
            read,
            start,
            last: last.clone(),
        },
    );
    let mut cache = AtomCache::new();
    let silence = inner.net_tick_time;
    loop {
        let body = {
            let next = frame::read_frame(&mut reader, inner.max_frame_bytes);
            tokio::pin!(next);
            let mut deadline =
                start + Duration::from_millis(last.load(Ordering::Relaxed)) + silence;
            loop {
                tokio::select! {
                    r = &mut next => break r,
                    _ = tokio::time::sleep_until(deadline) => {
                        let heard = start + Duration::from_millis(last.load(Ordering::Relaxed));
                        if heard + silence <= Instant::now() {
                            inner.connection_lost(conn, &peer.name, NodeDownReason::TickTimeout);
                            return;
                        }
                        deadline = heard + silence;
                    }
                }
            }
        };
        let body = match body {
            Ok(b) => b,
            Err(FrameError::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                let reason = if e.get_ref().is_some() {
                    NodeDownReason::Io(e.to_string())
                } else {
                    NodeDownReason::Closed
                };
                inner.connection_lost(conn, &peer.name, reason);
                return;
            }
            Err(FrameError::Io(e)) => {
                inner.connection_lost(conn, &peer.name, NodeDownReason::Io(e.to_string()));
                return;
            }
            Err(e) => {
                inner.connection_lost(conn, &peer.name, NodeDownReason::Protocol(e.to_string()));
                return;
            }
        };
        if body.is_empty() {
            continue; // a tick
        }
        let message = frame::decode_frame(&body, &mut cache, &inner.limits)
            .map_err(|e| e.to_string())
            .and_then(|(ctl, payload)| {
                ControlMessage::decode(ctl, payload).map_err(|e| e.to_string())
            });
        match message {
            Ok(m) => inner.dispatch(&peer, m),
            Err(reason) => {
                inner.connection_lost(conn, &peer.name, NodeDownReason::Protocol(reason));
                return;
            }
        }
    }
}
