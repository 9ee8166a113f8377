//! The mailbox (erts' inner signal queue): the messages delivered to a
//! process and not yet received, in arrival order, each tagged with a
//! sequence number.
//!
//! Sequence numbers make selective receive cheap to resume: a receive that
//! found nothing remembers how far it scanned and, when woken, looks only at
//! newer messages. A reference made by the process records the next sequence
//! number as a *receive mark*; a receive of the reply tagged with that
//! reference starts at the mark and never rescans the older messages (BEAM's
//! `recv_marker` optimisation), so a call stays O(1) however full the
//! mailbox is.
//!
//! The mailbox sits under the lock of the process's signal queue
//! ([`crate::signal_queue`]): a sender appends a message straight to it when
//! no control signal is queued ahead; only the owning process takes messages
//! out; `process_info` reads its length.

use crate::lazy_deque::LazyDeque;
use crate::signal::Envelope;

#[derive(Default)]
pub(crate) struct Mailbox {
    queue: LazyDeque<(u64, Envelope)>,
    next_seq: u64,
}

impl Mailbox {
    /// Appends a message.
    pub(crate) fn push(&mut self, msg: Envelope) {
        self.queue.push_back((self.next_seq, msg));
        self.next_seq += 1;
    }

    /// The sequence number the next message will get.
    pub(crate) fn next_seq(&self) -> u64 {
        self.next_seq
    }

    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }

    /// Heap bytes the queued messages' slots take (not the messages).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.queue.heap_bytes()
    }

    /// Scans messages with sequence number `>= from`, in order, and removes
    /// the first for which `select` returns `Some`. Returns how many messages
    /// were looked at (reductions), and the chosen message with what `select`
    /// said about it.
    #[inline]
    pub(crate) fn take_first<S>(
        &mut self,
        from: u64,
        mut select: impl FnMut(&Envelope) -> Option<S>,
    ) -> (usize, Option<(S, Envelope)>) {
        match self.queue.front() {
            None => (0, None),
            Some((first, msg)) if *first >= from => {
                // Most receives take the first message: no index
                // arithmetic, no scan.
                if let Some(s) = select(msg) {
                    let (_, msg) = self
                        .queue
                        .pop_front()
                        .expect("the queue has a front: it was just looked at");
                    self.shrink_if_sparse();
                    return (1, Some((s, msg)));
                }
                self.scan(1, 1, select)
            }
            Some(_) => {
                let start = self.queue.partition_point(|(seq, _)| *seq < from);
                self.scan(start, 0, select)
            }
        }
    }

    /// [`Mailbox::take_first`] past its first message: from index
    /// `start` (at least 1), with `scanned` messages already looked at.
    #[inline(never)]
    fn scan<S>(
        &mut self,
        start: usize,
        mut scanned: usize,
        mut select: impl FnMut(&Envelope) -> Option<S>,
    ) -> (usize, Option<(S, Envelope)>) {
        for i in start..self.queue.len() {
            scanned += 1;
            let Some((_, msg)) = self.queue.get(i) else {
                break;
            };
            if let Some(s) = select(msg) {
                let (_, msg) = self
                    .queue
                    .remove(i)
                    .expect("the index is within the queue: it was just scanned");
                self.shrink_if_sparse();
                return (scanned, Some((s, msg)));
            }
        }
        (scanned, None)
    }

    /// Removes every message for which `pred` holds (demonitor's flush).
    pub(crate) fn remove_all(&mut self, mut pred: impl FnMut(&Envelope) -> bool) -> usize {
        let before = self.queue.len();
        self.queue.retain(|(_, m)| !pred(m));
        before - self.queue.len()
    }

    /// Drops every message (process exit).
    pub(crate) fn clear(&mut self) -> LazyDeque<(u64, Envelope)> {
        self.queue.take()
    }

    /// A drained mailbox gives its memory back, so an idle process stays small.
    #[inline]
    fn shrink_if_sparse(&mut self) {
        self.queue.release_if_empty(8);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(v: u32) -> Envelope {
        Box::new(v)
    }

    fn val(e: &Envelope) -> u32 {
        *e.downcast_ref::<u32>().expect("u32 message")
    }

    #[test]
    fn take_first_keeps_the_others_in_order() {
        let mut mb = Mailbox::default();
        for v in 0..5 {
            mb.push(env(v));
        }
        let (scanned, got) = mb.take_first(0, |m| (val(m) == 3).then_some(()));
        assert_eq!(scanned, 4);
        assert_eq!(val(&got.expect("found").1), 3);
        let rest: Vec<u32> = mb.queue.iter().map(|(_, m)| val(m)).collect();
        assert_eq!(rest, [0, 1, 2, 4]);
    }

    #[test]
    fn scanning_from_a_mark_skips_older_messages() {
        let mut mb = Mailbox::default();
        for v in 0..1000 {
            mb.push(env(v));
        }
        let mark = mb.next_seq();
        mb.push(env(7));
        let (scanned, got) = mb.take_first(mark, |m| (val(m) == 7).then_some(()));
        assert_eq!(scanned, 1);
        assert!(got.is_some());
        assert_eq!(mb.len(), 1000);
    }
}
