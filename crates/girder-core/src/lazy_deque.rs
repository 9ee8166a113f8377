//! A FIFO that costs one word until it is first used.
//!
//! Most processes never receive a message, or receive one now and then: the
//! mailbox and the outer signal queue of an idle process should not cost the
//! 32 bytes an empty `VecDeque` takes, twice, in every PCB. `LazyDeque` is a
//! `VecDeque` behind an optional box: one pointer while it has never held
//! anything, and given back when it drains with a large buffer.

use std::collections::VecDeque;

// The box is the point: one word inline instead of a `VecDeque`'s four.
#[allow(clippy::box_collection)]
pub(crate) struct LazyDeque<T>(Option<Box<VecDeque<T>>>);

impl<T> Default for LazyDeque<T> {
    fn default() -> LazyDeque<T> {
        LazyDeque::new()
    }
}

impl<T> LazyDeque<T> {
    pub(crate) const fn new() -> LazyDeque<T> {
        LazyDeque(None)
    }

    #[inline]
    pub(crate) fn push_back(&mut self, item: T) {
        self.0.get_or_insert_with(Default::default).push_back(item);
    }

    #[inline]
    pub(crate) fn pop_front(&mut self) -> Option<T> {
        self.0.as_mut()?.pop_front()
    }

    #[inline]
    pub(crate) fn front(&self) -> Option<&T> {
        self.0.as_ref()?.front()
    }

    pub(crate) fn get(&self, i: usize) -> Option<&T> {
        self.0.as_ref()?.get(i)
    }

    pub(crate) fn remove(&mut self, i: usize) -> Option<T> {
        self.0.as_mut()?.remove(i)
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |q| q.len())
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Heap bytes held: the box and its buffer.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.0.as_ref().map_or(0, |q| {
            size_of::<VecDeque<T>>() + q.capacity() * size_of::<T>()
        })
    }

    pub(crate) fn partition_point(&self, pred: impl FnMut(&T) -> bool) -> usize {
        self.0.as_ref().map_or(0, |q| q.partition_point(pred))
    }

    pub(crate) fn retain(&mut self, pred: impl FnMut(&T) -> bool) {
        if let Some(q) = self.0.as_mut() {
            q.retain(pred);
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.0.iter().flat_map(|q| q.iter())
    }

    /// Takes everything, leaving the deque unallocated.
    pub(crate) fn take(&mut self) -> LazyDeque<T> {
        LazyDeque(self.0.take())
    }

    /// Frees the buffer if it is empty and holds more than `keep` slots.
    #[inline]
    pub(crate) fn release_if_empty(&mut self, keep: usize) {
        if self
            .0
            .as_ref()
            .is_some_and(|q| q.is_empty() && q.capacity() > keep)
        {
            self.0 = None;
        }
    }
}

impl<T> IntoIterator for LazyDeque<T> {
    type Item = T;
    type IntoIter = std::iter::Flatten<std::option::IntoIter<VecDeque<T>>>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.map(|b| *b).into_iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_word_until_used_and_fifo_after() {
        assert_eq!(size_of::<LazyDeque<u64>>(), size_of::<usize>());
        let mut q = LazyDeque::new();
        assert!(q.is_empty());
        assert_eq!(q.pop_front(), None::<u32>);
        for i in 0..100 {
            q.push_back(i);
        }
        assert_eq!(q.len(), 100);
        assert_eq!(q.pop_front(), Some(0));
        q.retain(|&i| i % 2 == 0);
        assert_eq!(q.iter().copied().take(3).collect::<Vec<_>>(), [2, 4, 6]);
        while q.pop_front().is_some() {}
        q.release_if_empty(8);
        assert_eq!(q.heap_bytes(), 0);
        q.push_back(1);
        assert_eq!(q.take().into_iter().collect::<Vec<_>>(), [1]);
        assert!(q.is_empty());
    }
}
