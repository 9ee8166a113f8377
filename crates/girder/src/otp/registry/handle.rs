//! [`Registry`], the handle: every operation of Elixir's `Registry` module.
//!
//! Reads (`lookup`, `keys`, `dispatch`, `count`, …) go straight to the
//! partition tables under a read lock, as Elixir's go to ETS; writes
//! (`register`, `unregister`, `update_value`) take one table's write lock
//! and, when the caller's first entry arrives in a table or its last one
//! leaves, link or unlink the caller and that table's partition.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, Hash, RandomState};
use std::sync::Arc;
use std::time::Duration;

use girder_core::{Pid, bump_reductions, is_process_alive, link, self_pid, unlink};
use parking_lot::RwLock;

use super::error::{RegisterError, StartError};
use super::options::{Keys, MetaValue, Options};
use super::process;
use super::table::{Owner, Table};
use super::via::RegistryVia;

/// Reductions a write (register, unregister, update) costs, as core's
/// `register/2` does.
const WRITE_COST: usize = 5;

/// Charges the caller `n` reductions: one per entry an operation reads, as
/// ETS calls do, so that a loop over the registry stays fair.
fn charge(n: usize) {
    bump_reductions(u32::try_from(n).unwrap_or(u32::MAX));
}

/// How long [`Registry::whereis`] waits for the named process to answer
/// (the default timeout of `GenServer.call/3`).
const WHEREIS_PATIENCE: Duration = Duration::from_secs(5);

/// A local, partitioned key-value store of processes: Elixir's `Registry`.
///
/// A cheap-to-clone handle (an `Arc`); every clone is the same registry.
/// Keys are any `K: Hash + Eq + Clone`; each entry pairs the registering
/// process's pid with a value `V`. Entries are removed when their process
/// exits. See the [module docs](super) for the model and the table of
/// Elixir functions.
///
/// ```
/// use girder::otp::registry::{Keys, Registry};
///
/// girder::run(async {
///     let registry = Registry::<&str, u32>::start_link(Keys::Unique).await.unwrap();
///     registry.register("hello", 1).unwrap();
///     assert_eq!(registry.lookup(&"hello"), [(girder::self_pid(), 1)]);
/// }).unwrap();
/// ```
pub struct Registry<K, V> {
    inner: Arc<Inner<K, V>>,
}

/// What every handle of one registry shares.
pub(super) struct Inner<K, V> {
    pub(super) keys: Keys,
    /// The supervisor process.
    pub(super) pid: Pid,
    pub(super) name: Option<String>,
    pub(super) partitions: Box<[Partition<K, V>]>,
    pub(super) meta: RwLock<HashMap<String, MetaValue>>,
    /// Picks a key's (unique) or a pid's (duplicate) partition.
    pub(super) hasher: RandomState,
}

/// One partition: its process and its table.
pub(super) struct Partition<K, V> {
    pub(super) pid: Pid,
    pub(super) table: Arc<RwLock<Table<K, V>>>,
}

impl<K, V> Clone for Registry<K, V> {
    fn clone(&self) -> Self {
        Registry {
            inner: self.inner.clone(),
        }
    }
}

impl<K, V> fmt::Debug for Registry<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("pid", &self.inner.pid)
            .field("name", &self.inner.name)
            .field("keys", &self.inner.keys)
            .field("partitions", &self.inner.partitions.len())
            .finish()
    }
}

impl<K, V> Registry<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    pub(super) fn from_inner(inner: Inner<K, V>) -> Registry<K, V> {
        Registry {
            inner: Arc::new(inner),
        }
    }

    pub(super) fn partition_pids(&self) -> impl Iterator<Item = Pid> + '_ {
        self.inner.partitions.iter().map(|p| p.pid)
    }

    /// The partition that holds `h`'s entries: a key's in a unique
    /// registry, a pid's in a duplicate one (Elixir hashes the same way).
    fn partition_of(&self, h: &impl Hash) -> &Partition<K, V> {
        let partitions = &self.inner.partitions;
        if partitions.len() == 1 {
            return &partitions[0];
        }
        let n = partitions.len() as u64;
        &partitions[(self.inner.hasher.hash_one(h) % n) as usize]
    }

    /// The partition the caller's entry under `key` lives in.
    fn partition_for(&self, key: &K, pid: Pid) -> &Partition<K, V> {
        match self.inner.keys {
            Keys::Unique => self.partition_of(key),
            Keys::Duplicate => self.partition_of(&pid),
        }
    }

    /// Starts a registry linked to the caller, which becomes its owner:
    /// when the owner exits, the registry stops (its entries are gone), and
    /// when the registry fails, the owner gets its exit signal. Elixir
    /// `Registry.start_link(keys: …, name: …, partitions: …)`.
    ///
    /// Fails with [`StartError::AlreadyStarted`] if the name asked for is
    /// taken.
    ///
    /// ```
    /// use girder::otp::registry::{Keys, Options, Registry};
    ///
    /// girder::run(async {
    ///     let opts = Options::new(Keys::Duplicate).partitions(4);
    ///     let registry = Registry::<String, ()>::start_link(opts).await.unwrap();
    ///     assert_eq!(registry.partitions(), 4);
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// Outside a process.
    pub async fn start_link(options: impl Into<Options>) -> Result<Registry<K, V>, StartError> {
        process::start(options.into(), true).await
    }

    /// Starts a registry not linked to the caller: it runs until it is
    /// killed (`exit(registry.pid(), ExitReason::Kill)`). Elixir
    /// `Registry.start_link/1` under a supervisor that never stops it.
    ///
    /// ```
    /// use girder::otp::registry::{Keys, Registry};
    /// use girder::{ExitReason, exit, monitor, receive};
    ///
    /// girder::run(async {
    ///     let registry = Registry::<u32, ()>::start(Keys::Unique).await.unwrap();
    ///     let m = monitor(registry.pid());
    ///     exit(registry.pid(), ExitReason::Kill);
    ///     assert_eq!(receive::<girder::Down>().await.monitor, m);
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// Outside a process.
    pub async fn start(options: impl Into<Options>) -> Result<Registry<K, V>, StartError> {
        process::start(options.into(), false).await
    }

    /// The registry started under `name` with these key and value types;
    /// `None` if the name is free, names a registry of other types, or
    /// names a process that does not answer as a registry within 5 s. One
    /// message round trip with the registry's supervisor; keep the handle
    /// rather than looking it up for every operation. Elixir passes the
    /// registry's name to every `Registry` function instead.
    ///
    /// ```
    /// use girder::otp::registry::{Keys, Options, Registry};
    ///
    /// girder::run(async {
    ///     let opts = Options::new(Keys::Unique).name("sessions");
    ///     let registry = Registry::<u64, String>::start_link(opts).await.unwrap();
    ///     let found = Registry::<u64, String>::whereis("sessions").await.unwrap();
    ///     assert_eq!(found.pid(), registry.pid());
    ///     assert!(Registry::<String, String>::whereis("sessions").await.is_none());
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// Outside a process.
    pub async fn whereis(name: &str) -> Option<Registry<K, V>> {
        process::whereis(name, WHEREIS_PATIENCE).await
    }

    /// The pid of the registry's supervisor process (what Elixir's
    /// `Registry.start_link/1` returns in `{:ok, pid}`): monitor it to learn
    /// when the registry stops.
    ///
    /// ```
    /// use girder::otp::registry::{Keys, Options, Registry};
    ///
    /// girder::run(async {
    ///     let opts = Options::new(Keys::Unique).name("names").partitions(2);
    ///     let registry = Registry::<u32, ()>::start_link(opts).await.unwrap();
    ///     assert_eq!(girder::whereis("names"), Some(registry.pid()));
    ///     assert_eq!(registry.name(), Some("names"));
    ///     assert_eq!(registry.kind(), Keys::Unique);
    ///     assert_eq!(registry.partitions(), 2);
    /// }).unwrap();
    /// ```
    pub fn pid(&self) -> Pid {
        self.inner.pid
    }

    /// The local name the registry was started under, if any.
    pub fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }

    /// Whether keys are unique or duplicate (Elixir's `keys:` option).
    pub fn kind(&self) -> Keys {
        self.inner.keys
    }

    /// The number of partitions (Elixir's `partitions:` option).
    pub fn partitions(&self) -> usize {
        self.inner.partitions.len()
    }

    /// Registers the calling process under `key` with `value`. Elixir
    /// `Registry.register(registry, key, value)`.
    ///
    /// In a unique registry, fails with
    /// [`RegisterError::AlreadyRegistered`] if a live process (the caller
    /// included) holds `key`; a holder that has exited loses the key even
    /// if its partition has not cleaned up yet. In a duplicate registry a
    /// process may register one key any number of times. The entry is
    /// removed when the caller exits (the caller is linked to the entry's
    /// partition, as in Elixir: if the registry stops, registered processes
    /// that do not trap exits stop with it).
    ///
    /// ```
    /// use girder::otp::registry::{Keys, RegisterError, Registry};
    ///
    /// girder::run(async {
    ///     let registry = Registry::<&str, u32>::start_link(Keys::Unique).await.unwrap();
    ///     let me = girder::self_pid();
    ///     assert_eq!(registry.register("hello", 1), Ok(()));
    ///     assert_eq!(registry.register("hello", 2), Err(RegisterError::AlreadyRegistered(me)));
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// Outside a process.
    pub fn register(&self, key: K, value: V) -> Result<(), RegisterError> {
        charge(WRITE_COST);
        let pid = self_pid();
        let partition = self.partition_for(&key, pid);
        let owner = partition
            .table
            .write()
            .insert(key, pid, value, is_process_alive)?;
        if owner == Owner::First {
            // Before the caller can next be descheduled (and so die): its
            // exit signal will follow this link signal to the partition.
            link(partition.pid);
        }
        Ok(())
    }

    /// Removes the caller's entries under `key` (all of them in a duplicate
    /// registry). Elixir `Registry.unregister(registry, key)`. Entries of
    /// other processes are never touched.
    ///
    /// ```
    /// use girder::otp::registry::{Keys, Registry};
    ///
    /// girder::run(async {
    ///     let registry = Registry::<&str, u32>::start_link(Keys::Duplicate).await.unwrap();
    ///     registry.register("topic", 1).unwrap();
    ///     registry.register("topic", 2).unwrap();
    ///     registry.unregister(&"topic");
    ///     assert!(registry.lookup(&"topic").is_empty());
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// Outside a process.
    pub fn unregister(&self, key: &K) {
        self.unregister_match(key, |_| true);
    }

    /// Removes the caller's entries under `key` whose value satisfies
    /// `pred`. Elixir `Registry.unregister_match(registry, key, pattern,
    /// guards)`, the pattern and guards written as a predicate. `pred` runs
    /// under the table's lock: it must not use this registry.
    ///
    /// ```
    /// use girder::otp::registry::{Keys, Registry};
    ///
    /// girder::run(async {
    ///     let registry = Registry::<&str, u32>::start_link(Keys::Duplicate).await.unwrap();
    ///     registry.register("n", 1).unwrap();
    ///     registry.register("n", 2).unwrap();
    ///     registry.unregister_match(&"n", |v| *v > 1);
    ///     assert_eq!(registry.values(&"n", girder::self_pid()), [1]);
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// Outside a process.
    pub fn unregister_match(&self, key: &K, mut pred: impl FnMut(&V) -> bool) {
        charge(WRITE_COST);
        let pid = self_pid();
        let partition = self.partition_for(key, pid);
        let (_, owner) = partition.table.write().remove(key, pid, |v| !pred(v));
        if owner == Owner::Gone {
            unlink(partition.pid);
        }
    }

    /// The entries under `key`, as `(pid, value)` pairs in no particular
    /// order. Elixir `Registry.lookup(registry, key)`. In a unique registry
    /// a holder that has exited is left out even before its partition
    /// cleans up (as Elixir does); a duplicate registry may briefly list
    /// processes that have just exited.
    ///
    /// ```
    /// use girder::otp::registry::{Keys, Registry};
    ///
    /// girder::run(async {
    ///     let registry = Registry::<&str, &str>::start_link(Keys::Unique).await.unwrap();
    ///     assert!(registry.lookup(&"hello").is_empty());
    ///     registry.register("hello", "world").unwrap();
    ///     let me = girder::self_pid();
    ///     assert_eq!(registry.lookup(&"hello"), [(me, "world")]);
    /// }).unwrap();
    /// ```
    pub fn lookup(&self, key: &K) -> Vec<(Pid, V)> {
        match self.inner.keys {
            Keys::Unique => {
                let mut out = Vec::with_capacity(1);
                self.partition_of(key)
                    .table
                    .read()
                    .for_each_under(key, |pid, v| out.push((pid, v.clone())));
                out.retain(|(pid, _)| is_process_alive(*pid));
                charge(1 + out.len());
                out
            }
            Keys::Duplicate => self.matches(key, |_| true),
        }
    }

    /// The entries under `key` whose value satisfies `pred`. Elixir
    /// `Registry.match(registry, key, pattern, guards)` (`match` is a Rust
    /// keyword). `pred` runs under a table's lock: it must not use this
    /// registry.
    ///
    /// ```
    /// use girder::otp::registry::{Keys, Registry};
    ///
    /// girder::run(async {
    ///     let registry = Registry::<&str, u32>::start_link(Keys::Duplicate).await.unwrap();
    ///     for n in 1..=4 {
    ///         registry.register("n", n).unwrap();
    ///     }
    ///     let mut even: Vec<u32> = registry.matches(&"n", |v| v % 2 == 0)
    ///         .into_iter().map(|(_, v)| v).collect();
    ///     even.sort();
    ///     assert_eq!(even, [2, 4]);
    /// }).unwrap();
    /// ```
    pub fn matches(&self, key: &K, mut pred: impl FnMut(&V) -> bool) -> Vec<(Pid, V)> {
        let (mut out, mut scanned) = (Vec::new(), 0);
        for table in self.tables_under(key) {
            table.read().for_each_under(key, |pid, v| {
                scanned += 1;
                if pred(v) {
                    out.push((pid, v.clone()));
                }
            });
        }
        charge(1 + scanned);
        out
    }

    /// The tables that may hold entries under `key`.
    fn tables_under(&self, key: &K) -> impl Iterator<Item = &RwLock<Table<K, V>>> {
        let (one, all) = match self.inner.keys {
            Keys::Unique => (Some(&*self.partition_of(key).table), &[][..]),
            Keys::Duplicate => (None, &self.inner.partitions[..]),
        };
        one.into_iter().chain(all.iter().map(|p| &*p.table))
    }

    /// The keys `pid` is registered under, in no particular order; in a
    /// duplicate registry a key appears once per entry. Elixir
    /// `Registry.keys(registry, pid)`.
    ///
    /// ```
    /// use girder::otp::registry::{Keys, Registry};
    ///
    /// girder::run(async {
    ///     let registry = Registry::<&str, ()>::start_link(Keys::Unique).await.unwrap();
    ///     registry.register("a", ()).unwrap();
    ///     registry.register("b", ()).unwrap();
    ///     let mut keys = registry.keys(girder::self_pid());
    ///     keys.sort();
    ///     assert_eq!(keys, ["a", "b"]);
    /// }).unwrap();
    /// ```
    pub fn keys(&self, pid: Pid) -> Vec<K> {
        let mut out = Vec::new();
        match self.inner.keys {
            Keys::Unique => {
                for p in &*self.inner.partitions {
                    p.table.read().keys_of(pid, &mut out);
                }
            }
            Keys::Duplicate => self.partition_of(&pid).table.read().keys_of(pid, &mut out),
        }
        charge(1 + out.len());
        out
    }

    /// The values `pid` registered under `key`: none or one in a unique
    /// registry, any number (in registration order) in a duplicate one.
    /// Elixir `Registry.values(registry, key, pid)`.
    ///
    /// ```
    /// use girder::otp::registry::{Keys, Registry};
    ///
    /// girder::run(async {
    ///     let registry = Registry::<&str, u32>::start_link(Keys::Duplicate).await.unwrap();
    ///     registry.register("k", 1).unwrap();
    ///     registry.register("k", 2).unwrap();
    ///     assert_eq!(registry.values(&"k", girder::self_pid()), [1, 2]);
    /// }).unwrap();
    /// ```
    pub fn values(&self, key: &K, pid: Pid) -> Vec<V> {
        let values = self.partition_for(key, pid).table.read().values(key, pid);
        charge(1 + values.len());
        values
    }

    /// Replaces the value of the caller's entry under `key` in a unique
    /// registry by `f(old)`; returns `Some((new, old))`, or `None` if the
    /// caller does not hold `key` (always `None` in a duplicate registry,
    /// where Elixir raises). Elixir `Registry.update_value(registry, key,
    /// callback)`. `f` runs outside any lock.
    ///
    /// ```
    /// use girder::otp::registry::{Keys, Registry};
    ///
    /// girder::run(async {
    ///     let registry = Registry::<&str, u32>::start_link(Keys::Unique).await.unwrap();
    ///     registry.register("hello", 1).unwrap();
    ///     assert_eq!(registry.update_value(&"hello", |v| v + 1), Some((2, 1)));
    ///     assert_eq!(registry.lookup(&"hello"), [(girder::self_pid(), 2)]);
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// Outside a process.
    pub fn update_value(&self, key: &K, f: impl FnOnce(&V) -> V) -> Option<(V, V)> {
        if self.inner.keys != Keys::Unique {
            return None;
        }
        charge(WRITE_COST);
        let pid = self_pid();
        let table = &self.partition_of(key).table;
        // Only the holder (the caller, alive) changes its own entry, so the
        // value read here is still the one replaced below.
        let old = table.read().values(key, pid).pop()?;
        let new = f(&old);
        table.write().replace(key, pid, new.clone())?;
        Some((new, old))
    }

    /// Calls `f` with the entries under `key`, once per partition holding
    /// any (never with an empty slice), in the caller. Elixir
    /// `Registry.dispatch(registry, key, fun)` (serial, its default). The
    /// entries are copied out first, so `f` may use the registry; they may
    /// include processes that have just exited (a send to them is
    /// dropped).
    ///
    /// ```
    /// use girder::otp::registry::{Keys, Registry};
    ///
    /// girder::run(async {
    ///     let registry = Registry::<&str, ()>::start_link(Keys::Duplicate).await.unwrap();
    ///     registry.register("topic", ()).unwrap();
    ///     registry.dispatch(&"topic", |entries| {
    ///         for (pid, ()) in entries {
    ///             girder::send(*pid, "broadcast");
    ///         }
    ///     });
    ///     assert_eq!(girder::receive::<&str>().await, "broadcast");
    /// }).unwrap();
    /// ```
    pub fn dispatch(&self, key: &K, mut f: impl FnMut(&[(Pid, V)])) {
        let mut entries = Vec::new();
        for table in self.tables_under(key) {
            table
                .read()
                .for_each_under(key, |pid, v| entries.push((pid, v.clone())));
            if !entries.is_empty() {
                charge(entries.len());
                f(&entries);
                entries.clear();
            }
        }
    }

    /// The number of entries. Elixir `Registry.count(registry)`. Entries of
    /// processes that have just exited count until their partition has
    /// removed them.
    ///
    /// ```
    /// use girder::otp::registry::{Keys, Registry};
    ///
    /// girder::run(async {
    ///     let registry = Registry::<u32, ()>::start_link(Keys::Unique).await.unwrap();
    ///     assert_eq!(registry.count(), 0);
    ///     registry.register(1, ()).unwrap();
    ///     registry.register(2, ()).unwrap();
    ///     assert_eq!(registry.count(), 2);
    /// }).unwrap();
    /// ```
    pub fn count(&self) -> usize {
        charge(self.inner.partitions.len());
        self.inner
            .partitions
            .iter()
            .map(|p| p.table.read().len())
            .sum()
    }

    /// The number of entries under `key` whose value satisfies `pred`.
    /// Elixir `Registry.count_match(registry, key, pattern, guards)`. `pred`
    /// runs under a table's lock: it must not use this registry.
    ///
    /// ```
    /// use girder::otp::registry::{Keys, Registry};
    ///
    /// girder::run(async {
    ///     let registry = Registry::<&str, u32>::start_link(Keys::Duplicate).await.unwrap();
    ///     registry.register("n", 1).unwrap();
    ///     registry.register("n", 5).unwrap();
    ///     assert_eq!(registry.count_match(&"n", |v| *v > 2), 1);
    /// }).unwrap();
    /// ```
    pub fn count_match(&self, key: &K, mut pred: impl FnMut(&V) -> bool) -> usize {
        let (mut n, mut scanned) = (0, 0);
        for table in self.tables_under(key) {
            table.read().for_each_under(key, |_, v| {
                scanned += 1;
                n += usize::from(pred(v));
            });
        }
        charge(1 + scanned);
        n
    }

    /// What `f` makes of each entry `(key, pid, value)` it keeps, over the
    /// whole registry, in no particular order. Elixir
    /// `Registry.select(registry, match_spec)`, the match spec written as a
    /// closure. `f` runs under a table's lock: it must not use this
    /// registry.
    ///
    /// ```
    /// use girder::otp::registry::{Keys, Registry};
    ///
    /// girder::run(async {
    ///     let registry = Registry::<&str, u32>::start_link(Keys::Unique).await.unwrap();
    ///     registry.register("a", 1).unwrap();
    ///     registry.register("b", 2).unwrap();
    ///     let mut big = registry.select(|key, _pid, v| (*v > 1).then_some(*key));
    ///     big.sort();
    ///     assert_eq!(big, ["b"]);
    /// }).unwrap();
    /// ```
    pub fn select<T>(&self, mut f: impl FnMut(&K, Pid, &V) -> Option<T>) -> Vec<T> {
        let mut out = Vec::new();
        for p in &*self.inner.partitions {
            let table = p.table.read();
            charge(1 + table.len());
            table.for_each(|k, pid, v| out.extend(f(k, pid, v)));
        }
        out
    }

    /// The number of entries `(key, pid, value)` for which `pred` holds.
    /// Elixir `Registry.count_select(registry, match_spec)`. `pred` runs
    /// under a table's lock: it must not use this registry.
    ///
    /// ```
    /// use girder::otp::registry::{Keys, Registry};
    ///
    /// girder::run(async {
    ///     let registry = Registry::<u32, ()>::start_link(Keys::Unique).await.unwrap();
    ///     for k in 0..10 {
    ///         registry.register(k, ()).unwrap();
    ///     }
    ///     assert_eq!(registry.count_select(|k, _, _| k % 2 == 0), 5);
    /// }).unwrap();
    /// ```
    pub fn count_select(&self, mut pred: impl FnMut(&K, Pid, &V) -> bool) -> usize {
        let mut n = 0;
        for p in &*self.inner.partitions {
            let table = p.table.read();
            charge(1 + table.len());
            table.for_each(|k, pid, v| n += usize::from(pred(k, pid, v)));
        }
        n
    }

    /// The registry metadata under `key`, if there is one of type `T`.
    /// Elixir `Registry.meta(registry, key)`.
    ///
    /// ```
    /// use girder::otp::registry::{Keys, Options, Registry};
    ///
    /// girder::run(async {
    ///     let opts = Options::new(Keys::Unique).meta("custom_key", "custom_value");
    ///     let registry = Registry::<u32, ()>::start_link(opts).await.unwrap();
    ///     assert_eq!(registry.meta::<&str>("custom_key"), Some("custom_value"));
    ///     assert_eq!(registry.meta::<u32>("custom_key"), None, "another type");
    ///     assert_eq!(registry.meta::<&str>("unknown_key"), None);
    /// }).unwrap();
    /// ```
    pub fn meta<T: Clone + 'static>(&self, key: &str) -> Option<T> {
        self.inner
            .meta
            .read()
            .get(key)
            .and_then(|v| v.downcast_ref::<T>())
            .cloned()
    }

    /// Sets the registry metadata under `key` (replacing any). Elixir
    /// `Registry.put_meta(registry, key, value)`.
    ///
    /// ```
    /// use girder::otp::registry::{Keys, Registry};
    ///
    /// girder::run(async {
    ///     let registry = Registry::<u32, ()>::start_link(Keys::Unique).await.unwrap();
    ///     registry.put_meta("custom_key", 42u64);
    ///     assert_eq!(registry.meta::<u64>("custom_key"), Some(42));
    ///     registry.delete_meta("custom_key");
    ///     assert_eq!(registry.meta::<u64>("custom_key"), None);
    /// }).unwrap();
    /// ```
    pub fn put_meta<T: Any + Send + Sync>(&self, key: impl Into<String>, value: T) {
        self.inner.meta.write().insert(key.into(), Arc::new(value));
    }

    /// Removes the registry metadata under `key`. Elixir
    /// `Registry.delete_meta(registry, key)`.
    pub fn delete_meta(&self, key: &str) {
        self.inner.meta.write().remove(key);
    }

    /// A `via` name for `key` with the default value, to start a server
    /// under: `Name::via(registry.via(key))`, Elixir `{:via, Registry,
    /// {registry, key}}`. See [`RegistryVia`].
    ///
    /// ```
    /// use girder::otp::Name;
    /// use girder::otp::registry::{Keys, Registry};
    ///
    /// girder::run(async {
    ///     let registry = Registry::<&str, ()>::start_link(Keys::Unique).await.unwrap();
    ///     let name = Name::via(registry.via("worker"));
    ///     assert_eq!(name.whereis(), None);
    ///     registry.register("worker", ()).unwrap();
    ///     assert_eq!(name.whereis(), Some(girder::self_pid()));
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// On a duplicate registry (Elixir raises `ArgumentError`: only unique
    /// keys name one process).
    pub fn via(&self, key: K) -> RegistryVia<K, V>
    where
        V: Default,
    {
        self.via_with(key, V::default())
    }

    /// A `via` name for `key` that registers with `value`. Elixir
    /// `{:via, Registry, {registry, key, value}}`. See [`RegistryVia`].
    ///
    /// ```
    /// use girder::otp::ViaName;
    /// use girder::otp::registry::{Keys, Registry};
    ///
    /// girder::run(async {
    ///     let registry = Registry::<&str, u32>::start_link(Keys::Unique).await.unwrap();
    ///     let me = girder::self_pid();
    ///     assert!(registry.via_with("counter", 7).register_name(me));
    ///     assert_eq!(registry.lookup(&"counter"), [(me, 7)]);
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// On a duplicate registry.
    pub fn via_with(&self, key: K, value: V) -> RegistryVia<K, V> {
        assert!(
            self.inner.keys == Keys::Unique,
            "via names need a registry with unique keys"
        );
        RegistryVia::new(self.clone(), key, value)
    }
}
