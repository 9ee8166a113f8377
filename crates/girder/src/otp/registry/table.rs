//! One partition's tables: what the two ETS tables of an Elixir
//! `Registry.Partition` hold, in one structure behind one lock.
//!
//! * `entries`: key → the entries under it. Unique: one `(pid, value)`.
//!   Duplicate: pid → the values that pid registered under the key, in
//!   registration order (a `duplicate_bag` keyed by key, but removing one
//!   pid's entries does not scan every subscriber of a topic).
//! * `owners`: pid → key → how many entries the pid has under the key in
//!   this table. Used to answer `keys/2`, to know when a pid's first entry
//!   arrives (the registrant then links to the partition) and its last one
//!   leaves (it unlinks), and to clean up after a dead pid without scanning.
//!
//! Invariant (checked by the unit tests): `len` is the number of entries,
//! and for every pid and key, `owners[pid][key]` is the number of entries
//! of `pid` under `key` in `entries`, except that a unique entry taken over
//! from a dead holder has already left the dead holder's `owners` row.
//! Once `closed`, the table is empty and stays empty.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::Hash;

use girder_core::Pid;

use super::error::RegisterError;

/// The entries of one partition, by kind of registry.
enum Entries<K, V> {
    Unique(HashMap<K, (Pid, V)>),
    Duplicate(HashMap<K, HashMap<Pid, Vec<V>>>),
}

/// One partition's tables. Always used behind the partition's `RwLock`.
pub(super) struct Table<K, V> {
    entries: Entries<K, V>,
    owners: HashMap<Pid, HashMap<K, usize>>,
    len: usize,
    closed: bool,
}

/// What a successful insert or removal means for the caller's link to the
/// partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Owner {
    /// The pid had no entries in this table before the insert: link.
    First,
    /// The pid has no entries left in this table after the removal: unlink.
    Gone,
    /// Neither.
    Same,
}

impl<K: Hash + Eq + Clone, V: Clone> Table<K, V> {
    pub(super) fn new(unique: bool) -> Table<K, V> {
        Table {
            entries: if unique {
                Entries::Unique(HashMap::new())
            } else {
                Entries::Duplicate(HashMap::new())
            },
            owners: HashMap::new(),
            len: 0,
            closed: false,
        }
    }

    /// Adds an entry of `pid` under `key`. For a unique table, `is_alive`
    /// decides whether a holder found there still holds the key (a dead
    /// holder whose partition has not cleaned up yet loses it, as in
    /// Elixir).
    pub(super) fn insert(
        &mut self,
        key: K,
        pid: Pid,
        value: V,
        is_alive: impl FnOnce(Pid) -> bool,
    ) -> Result<Owner, RegisterError> {
        if self.closed {
            return Err(RegisterError::NotRunning);
        }
        match &mut self.entries {
            Entries::Unique(map) => {
                if let Some(&(holder, _)) = map.get(&key) {
                    if holder == pid || is_alive(holder) {
                        return Err(RegisterError::AlreadyRegistered(holder));
                    }
                    map.remove(&key);
                    self.len -= 1;
                    forget(&mut self.owners, holder, &key, 1);
                }
                map.insert(key.clone(), (pid, value));
            }
            Entries::Duplicate(map) => {
                map.entry(key.clone())
                    .or_default()
                    .entry(pid)
                    .or_default()
                    .push(value);
            }
        }
        self.len += 1;
        let first = !self.owners.contains_key(&pid);
        *self.owners.entry(pid).or_default().entry(key).or_default() += 1;
        Ok(if first { Owner::First } else { Owner::Same })
    }

    /// Removes the entries of `pid` under `key` whose value `keep` rejects
    /// (all of them for `|_| false`). Returns how many went and whether
    /// `pid` has entries left here.
    pub(super) fn remove(
        &mut self,
        key: &K,
        pid: Pid,
        mut keep: impl FnMut(&V) -> bool,
    ) -> (usize, Owner) {
        let removed = match &mut self.entries {
            Entries::Unique(map) => match map.get(key) {
                Some((holder, value)) if *holder == pid && !keep(value) => {
                    map.remove(key);
                    1
                }
                _ => 0,
            },
            Entries::Duplicate(map) => {
                let Some(by_pid) = map.get_mut(key) else {
                    return (0, Owner::Same);
                };
                let Some(values) = by_pid.get_mut(&pid) else {
                    return (0, Owner::Same);
                };
                let before = values.len();
                values.retain(|v| keep(v));
                let removed = before - values.len();
                if values.is_empty() {
                    by_pid.remove(&pid);
                    if by_pid.is_empty() {
                        map.remove(key);
                    }
                }
                removed
            }
        };
        if removed == 0 {
            return (0, Owner::Same);
        }
        self.len -= removed;
        let gone = forget(&mut self.owners, pid, key, removed);
        (removed, if gone { Owner::Gone } else { Owner::Same })
    }

    /// Removes every entry of a pid that exited. Returns how many went.
    pub(super) fn remove_pid(&mut self, pid: Pid) -> usize {
        let Some(keys) = self.owners.remove(&pid) else {
            return 0;
        };
        let mut removed = 0;
        for key in keys.keys() {
            match &mut self.entries {
                Entries::Unique(map) => {
                    if map.get(key).is_some_and(|(holder, _)| *holder == pid) {
                        map.remove(key);
                        removed += 1;
                    }
                }
                Entries::Duplicate(map) => {
                    if let Some(by_pid) = map.get_mut(key) {
                        removed += by_pid.remove(&pid).map_or(0, |v| v.len());
                        if by_pid.is_empty() {
                            map.remove(key);
                        }
                    }
                }
            }
        }
        self.len -= removed;
        removed
    }

    /// Empties the table for good: the partition has exited.
    pub(super) fn close(&mut self) {
        self.closed = true;
        self.owners = HashMap::new();
        self.len = 0;
        match &mut self.entries {
            Entries::Unique(map) => *map = HashMap::new(),
            Entries::Duplicate(map) => *map = HashMap::new(),
        }
    }

    /// Number of entries.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Calls `f` with each entry under `key`.
    pub(super) fn for_each_under(&self, key: &K, mut f: impl FnMut(Pid, &V)) {
        match &self.entries {
            Entries::Unique(map) => {
                if let Some((pid, value)) = map.get(key) {
                    f(*pid, value);
                }
            }
            Entries::Duplicate(map) => {
                for (pid, values) in map.get(key).into_iter().flatten() {
                    for value in values {
                        f(*pid, value);
                    }
                }
            }
        }
    }

    /// Calls `f` with every entry.
    pub(super) fn for_each(&self, mut f: impl FnMut(&K, Pid, &V)) {
        match &self.entries {
            Entries::Unique(map) => {
                for (key, (pid, value)) in map {
                    f(key, *pid, value);
                }
            }
            Entries::Duplicate(map) => {
                for (key, by_pid) in map {
                    for (pid, values) in by_pid {
                        for value in values {
                            f(key, *pid, value);
                        }
                    }
                }
            }
        }
    }

    /// The values `pid` registered under `key`.
    pub(super) fn values(&self, key: &K, pid: Pid) -> Vec<V> {
        match &self.entries {
            Entries::Unique(map) => match map.get(key) {
                Some((holder, value)) if *holder == pid => vec![value.clone()],
                _ => Vec::new(),
            },
            Entries::Duplicate(map) => map
                .get(key)
                .and_then(|by_pid| by_pid.get(&pid))
                .cloned()
                .unwrap_or_default(),
        }
    }

    /// Appends the keys `pid` holds here to `out`, a key once per entry.
    pub(super) fn keys_of(&self, pid: Pid, out: &mut Vec<K>) {
        for (key, &n) in self.owners.get(&pid).into_iter().flatten() {
            out.extend(std::iter::repeat_n(key, n).cloned());
        }
    }

    /// Replaces the value of `pid`'s unique entry under `key` by `new`;
    /// the old value, or `None` if `pid` does not hold `key` (or the table
    /// is not unique).
    pub(super) fn replace(&mut self, key: &K, pid: Pid, new: V) -> Option<V> {
        let Entries::Unique(map) = &mut self.entries else {
            return None;
        };
        match map.get_mut(key) {
            Some((holder, value)) if *holder == pid => Some(std::mem::replace(value, new)),
            _ => None,
        }
    }
}

/// Takes `n` entries of `pid` under `key` off its `owners` row; whether the
/// pid has no entries left in the table.
fn forget<K: Hash + Eq>(
    owners: &mut HashMap<Pid, HashMap<K, usize>>,
    pid: Pid,
    key: &K,
    n: usize,
) -> bool {
    let Entry::Occupied(mut row) = owners.entry(pid) else {
        return false;
    };
    let keys = row.get_mut();
    if let Some(count) = keys.get_mut(key) {
        *count = count.saturating_sub(n);
        if *count == 0 {
            keys.remove(key);
        }
    }
    if keys.is_empty() {
        row.remove();
        true
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pid(n: u32) -> Pid {
        Pid::from_parts(0, n, 0)
    }

    /// Checks the module invariant (for tables with no taken-over keys).
    fn check(t: &Table<&'static str, u32>) {
        let mut seen = 0;
        let mut counted: HashMap<(Pid, &str), usize> = HashMap::new();
        t.for_each(|k, p, _| {
            seen += 1;
            *counted.entry((p, *k)).or_default() += 1;
        });
        assert_eq!(seen, t.len());
        let owned: HashMap<(Pid, &str), usize> = t
            .owners
            .iter()
            .flat_map(|(p, keys)| keys.iter().map(move |(k, n)| ((*p, *k), *n)))
            .collect();
        assert_eq!(counted, owned);
    }

    #[test]
    fn unique_insert_refuses_live_holder_and_takes_over_dead_one() {
        let mut t = Table::new(true);
        assert_eq!(t.insert("a", pid(1), 1, |_| true), Ok(Owner::First));
        assert_eq!(t.insert("b", pid(1), 2, |_| true), Ok(Owner::Same));
        assert_eq!(
            t.insert("a", pid(2), 3, |_| true),
            Err(RegisterError::AlreadyRegistered(pid(1)))
        );
        assert_eq!(
            t.insert("a", pid(1), 3, |_| false),
            Err(RegisterError::AlreadyRegistered(pid(1))),
            "the holder itself is refused whatever is_alive says"
        );
        check(&t);
        assert_eq!(t.insert("a", pid(2), 3, |_| false), Ok(Owner::First));
        assert_eq!(t.values(&"a", pid(2)), vec![3]);
        assert_eq!(t.len(), 2);
        // The dead holder's cleanup leaves the new holder's entry alone.
        assert_eq!(t.remove_pid(pid(1)), 1);
        assert_eq!(t.values(&"a", pid(2)), vec![3]);
        check(&t);
    }

    #[test]
    fn duplicate_insert_remove_and_cleanup_keep_counts() {
        let mut t = Table::new(false);
        assert_eq!(t.insert("a", pid(1), 1, |_| true), Ok(Owner::First));
        assert_eq!(t.insert("a", pid(1), 2, |_| true), Ok(Owner::Same));
        assert_eq!(t.insert("a", pid(2), 3, |_| true), Ok(Owner::First));
        assert_eq!(t.insert("b", pid(1), 4, |_| true), Ok(Owner::Same));
        check(&t);
        let mut keys = Vec::new();
        t.keys_of(pid(1), &mut keys);
        keys.sort_unstable();
        assert_eq!(keys, ["a", "a", "b"]);
        assert_eq!(t.remove(&"a", pid(1), |v| *v != 1), (1, Owner::Same));
        assert_eq!(t.values(&"a", pid(1)), vec![2]);
        assert_eq!(t.remove(&"a", pid(1), |_| false), (1, Owner::Same));
        assert_eq!(t.remove(&"b", pid(1), |_| false), (1, Owner::Gone));
        assert_eq!(t.remove(&"b", pid(1), |_| false), (0, Owner::Same));
        check(&t);
        assert_eq!(t.remove_pid(pid(2)), 1);
        assert_eq!(t.len(), 0);
        assert!(t.owners.is_empty());
        check(&t);
    }

    #[test]
    fn replace_only_by_holder_and_closed_table_refuses() {
        let mut t = Table::new(true);
        t.insert("a", pid(1), 1, |_| true).unwrap();
        assert_eq!(t.replace(&"a", pid(2), 2), None);
        assert_eq!(t.replace(&"a", pid(1), 2), Some(1));
        assert_eq!(t.values(&"a", pid(1)), vec![2]);
        t.close();
        assert!(t.closed);
        assert_eq!(t.len(), 0);
        assert_eq!(
            t.insert("a", pid(1), 1, |_| true),
            Err(RegisterError::NotRunning)
        );
        check(&t);
    }
}
