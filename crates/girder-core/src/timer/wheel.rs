//! TEMPORARY stand-in until the hierarchical wheel lands (same interface).
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TimerKey {
    deadline: u64,
    id: u64,
}

pub(crate) struct Wheel<T> {
    map: BTreeMap<(u64, u64), T>,
    next: u64,
    now: u64,
}

impl<T> std::fmt::Debug for Wheel<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wheel")
            .field("len", &self.map.len())
            .finish()
    }
}

impl<T> Wheel<T> {
    pub(crate) fn new() -> Self {
        Wheel {
            map: BTreeMap::new(),
            next: 0,
            now: 0,
        }
    }
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }
    pub(crate) fn insert(&mut self, deadline: u64, value: T) -> TimerKey {
        self.next += 1;
        self.map.insert((deadline, self.next), value);
        TimerKey {
            deadline,
            id: self.next,
        }
    }
    pub(crate) fn remove(&mut self, key: TimerKey) -> Option<(u64, T)> {
        self.map
            .remove(&(key.deadline, key.id))
            .map(|v| (key.deadline, v))
    }
    pub(crate) fn advance(&mut self, now: u64, expired: &mut Vec<T>) {
        self.now = self.now.max(now);
        while let Some(e) = self.map.first_entry() {
            if e.key().0 > self.now {
                break;
            }
            expired.push(e.remove());
        }
    }
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        self.map.keys().next().map(|k| k.0)
    }
}
