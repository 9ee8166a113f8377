//! A map from monitor reference to pid, for a process's monitors.
//!
//! Most processes hold a few monitors at a time, made and removed at a high
//! rate: every `gen_server` call monitors the server for the length of the
//! call, every `spawn_monitor` monitors a child until it exits. A `BTreeMap`
//! allocates a node of eleven entries when its first entry goes in and frees
//! it when its last goes out, so each call paid an allocation and a free on
//! both sides. A `RefMap` is a vector sorted by reference while small (one
//! entry inline, so the child of a `spawn_monitor` allocates nothing for it;
//! a spilled buffer is kept when emptied), and a `BTreeMap` past [`SMALL`] entries,
//! where a vector's removals would shift too much. Both iterate in reference
//! order, which is the order the monitors were made.

use std::collections::BTreeMap;

use smallvec::SmallVec;

use crate::{Pid, Ref};

type Entries = SmallVec<[(Ref, Pid); 1]>;

/// Entries kept in a sorted vector before the map becomes a `BTreeMap`.
const SMALL: usize = 32;

#[derive(Debug)]
pub(crate) enum RefMap {
    Small(Entries),
    Large(BTreeMap<Ref, Pid>),
}

impl Default for RefMap {
    fn default() -> RefMap {
        RefMap::Small(Entries::new())
    }
}

impl RefMap {
    /// Inserts; returns the pid the reference had, if any.
    #[inline]
    pub(crate) fn insert(&mut self, r: Ref, pid: Pid) -> Option<Pid> {
        // Fresh references are mostly larger than every one held: they go
        // at the end.
        if let RefMap::Small(v) = self {
            if v.len() < SMALL && v.last().is_none_or(|(last, _)| *last < r) {
                v.push((r, pid));
                return None;
            }
        }
        self.insert_slow(r, pid)
    }

    #[inline(never)]
    fn insert_slow(&mut self, r: Ref, pid: Pid) -> Option<Pid> {
        match self {
            RefMap::Small(v) => {
                let at = match v.binary_search_by(|(k, _)| k.cmp(&r)) {
                    Ok(i) => return Some(std::mem::replace(&mut v[i].1, pid)),
                    Err(i) => i,
                };
                if v.len() == SMALL {
                    let mut map: BTreeMap<Ref, Pid> = v.drain(..).collect();
                    map.insert(r, pid);
                    *self = RefMap::Large(map);
                } else if at == v.len() {
                    v.push((r, pid));
                } else {
                    v.insert(at, (r, pid));
                }
                None
            }
            RefMap::Large(m) => m.insert(r, pid),
        }
    }

    /// Removes; returns the pid the reference had, if any.
    #[inline]
    pub(crate) fn remove(&mut self, r: &Ref) -> Option<Pid> {
        // The newest monitor is the one most often removed (a call's, a
        // child's): no search, no shift.
        if let RefMap::Small(v) = self {
            if v.last().is_some_and(|(last, _)| last == r) {
                return v.pop().map(|(_, pid)| pid);
            }
        }
        self.remove_slow(r)
    }

    #[inline(never)]
    fn remove_slow(&mut self, r: &Ref) -> Option<Pid> {
        match self {
            RefMap::Small(v) => {
                let i = v.binary_search_by(|(k, _)| k.cmp(r)).ok()?;
                Some(v.remove(i).1)
            }
            RefMap::Large(m) => {
                let pid = m.remove(r);
                if m.is_empty() {
                    *self = RefMap::default();
                }
                pid
            }
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        match self {
            RefMap::Small(v) => v.len(),
            RefMap::Large(m) => m.len(),
        }
    }

    /// The pids, in reference order.
    pub(crate) fn values(&self) -> Vec<Pid> {
        match self {
            RefMap::Small(v) => v.iter().map(|(_, p)| *p).collect(),
            RefMap::Large(m) => m.values().copied().collect(),
        }
    }

    /// Heap bytes held (for `process_info`'s memory).
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            RefMap::Small(v) if v.spilled() => v.capacity() * size_of::<(Ref, Pid)>(),
            RefMap::Small(_) => 0,
            // A B-tree node per eleven entries, about.
            RefMap::Large(m) => m.len() * 48,
        }
    }
}

/// The entries of a [`RefMap`], in reference order.
pub(crate) enum IntoIter {
    Small(smallvec::IntoIter<[(Ref, Pid); 1]>),
    Large(std::collections::btree_map::IntoIter<Ref, Pid>),
}

impl Iterator for IntoIter {
    type Item = (Ref, Pid);
    fn next(&mut self) -> Option<(Ref, Pid)> {
        match self {
            IntoIter::Small(i) => i.next(),
            IntoIter::Large(i) => i.next(),
        }
    }
}

impl IntoIterator for RefMap {
    type Item = (Ref, Pid);
    type IntoIter = IntoIter;
    fn into_iter(self) -> IntoIter {
        match self {
            RefMap::Small(v) => IntoIter::Small(v.into_iter()),
            RefMap::Large(m) => IntoIter::Large(m.into_iter()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// The same operations on a `RefMap` and a `BTreeMap` give the same
    /// answers and the same order, through the switch to the large form and
    /// back when emptied.
    #[test]
    fn behaves_as_an_ordered_map() {
        let refs: Vec<Ref> = (0..200).map(|_| Ref::fresh()).collect();
        let pid = |i: usize| Pid::local(i as u64 + 1);
        let mut ours = RefMap::default();
        let mut model = BTreeMap::new();
        // Insert out of order (every 7th position), then some again.
        let order: Vec<usize> = (0..200).map(|i| (i * 7) % 200).collect();
        for &i in &order {
            assert_eq!(ours.insert(refs[i], pid(i)), model.insert(refs[i], pid(i)));
            assert_eq!(ours.len(), model.len());
        }
        assert!(matches!(ours, RefMap::Large(_)));
        assert_eq!(
            ours.insert(refs[3], pid(999)),
            model.insert(refs[3], pid(999))
        );
        assert_eq!(ours.values(), model.values().copied().collect::<Vec<_>>());
        for &i in order.iter().rev() {
            assert_eq!(ours.remove(&refs[i]), model.remove(&refs[i]));
            assert_eq!(ours.remove(&refs[i]), None);
        }
        assert!(matches!(ours, RefMap::Small(_)));
        for (i, r) in refs.iter().enumerate().take(10) {
            ours.insert(*r, pid(i));
            model.insert(*r, pid(i));
        }
        assert_eq!(
            ours.into_iter().collect::<Vec<_>>(),
            model.into_iter().collect::<Vec<_>>()
        );
    }

    /// While small (the form nearly every process has): removing the newest
    /// entry, an older one, an absent one, and inserting the newest again,
    /// an older one again, and one below the rest all answer as a
    /// `BTreeMap` does.
    #[test]
    fn small_form_matches_an_ordered_map() {
        let refs: Vec<Ref> = (0..8).map(|_| Ref::fresh()).collect();
        let pid = |i: usize| Pid::local(i as u64 + 1);
        let mut ours = RefMap::default();
        let mut model = BTreeMap::new();
        // Runs one operation on both maps and compares the answers and
        // the order.
        macro_rules! check {
            ($op:ident $(, $arg:expr)*) => {
                assert_eq!(ours.$op($($arg),*), model.$op($($arg),*));
                assert!(matches!(ours, RefMap::Small(_)));
                assert_eq!(ours.values(), model.values().copied().collect::<Vec<_>>());
            };
        }
        for (i, r) in refs.iter().enumerate().take(6).skip(1) {
            check!(insert, *r, pid(i));
        }
        // The newest, an older one, one already gone, one never there.
        check!(remove, &refs[5]);
        check!(remove, &refs[2]);
        check!(remove, &refs[2]);
        check!(remove, &refs[7]);
        // The newest again (replaces), an older one again, one below all.
        check!(insert, refs[4], pid(40));
        check!(insert, refs[3], pid(30));
        check!(insert, refs[2], pid(2));
        check!(insert, refs[0], pid(0));
        while let Some(&r) = model.keys().next() {
            check!(remove, &r);
        }
    }
}
