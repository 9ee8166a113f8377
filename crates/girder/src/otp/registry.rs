//! # Registry — Elixir's `Registry`
//!
//! A local, partitioned key-value store of processes. A key points to at
//! most one process in a registry with [`Keys::Unique`], to any number with
//! [`Keys::Duplicate`]; a process may register under many keys. Each entry
//! is the registering process's pid with a value, and is removed when that
//! process exits. Uses: naming servers (`via`), properties, custom
//! dispatch, a local pubsub.
//!
//! ```
//! use girder::otp::registry::{Keys, Options, Registry};
//! use girder::{receive, self_pid, send, spawn};
//!
//! girder::run(async {
//!     // A pubsub: subscribers register under a topic, publishers dispatch.
//!     let pubsub = Registry::<&str, ()>::start_link(Options::new(Keys::Duplicate))
//!         .await
//!         .unwrap();
//!     let me = self_pid();
//!     let ps = pubsub.clone();
//!     spawn(async move {
//!         ps.register("news", ()).unwrap();
//!         send(me, "subscribed");
//!         let msg = receive::<&str>().await;
//!         send(me, msg);
//!     });
//!     assert_eq!(receive::<&str>().await, "subscribed");
//!     pubsub.dispatch(&"news", |subscribers| {
//!         for (pid, ()) in subscribers {
//!             send(*pid, "extra! extra!");
//!         }
//!     });
//!     assert_eq!(receive::<&str>().await, "extra! extra!");
//! })
//! .unwrap();
//! ```
//!
//! ## The model
//!
//! As in Elixir, a registry is a few processes around shared tables:
//!
//! * The tables are split into **partitions** (by default one per
//!   scheduler). A unique registry puts an entry in the partition of its
//!   key, a duplicate one in the partition of its process, so registering
//!   touches one partition; looking up a duplicate key reads them all.
//! * Each partition is a `parking_lot::RwLock` around hash maps — the
//!   stand-in for Elixir's ETS tables. Lookups, `dispatch`, `count` and
//!   friends read them directly from the calling process, with no message
//!   to any process. Like ETS calls, each operation charges the caller
//!   reductions (one per entry it reads, five per write).
//! * Each partition has a **partition process** that traps exits. A process
//!   that registers its first entry in a partition links itself to that
//!   partition's process (and unlinks when its last entry there goes); when
//!   it exits, the partition process receives its exit and removes its
//!   entries. Removal is therefore asynchronous: for a moment after a
//!   process exits, [`count`](Registry::count), [`keys`](Registry::keys),
//!   duplicate lookups and `dispatch` may still show its entries, as in
//!   Elixir. [`lookup`](Registry::lookup) and `via` names of a unique
//!   registry never return an exited holder, and an exited holder's key is
//!   free at once.
//! * A **supervisor** process, linked to the process that called
//!   [`Registry::start_link`] (the owner), links the partitions: when the
//!   owner exits, the registry stops, and because registrants are linked to
//!   partitions, registered processes that do not trap exits stop too
//!   (reason `Shutdown`), as in Elixir. A stopped registry's tables are
//!   empty and [`register`](Registry::register) answers
//!   [`RegisterError::NotRunning`].
//!
//! ## Elixir to Girder
//!
//! In Elixir every function takes the registry's name; here they are
//! methods of a [`Registry`] handle, which [`Registry::start_link`] returns
//! and [`Registry::whereis`] finds by name. Patterns and match specs are
//! closures.
//!
//! | Elixir | Girder |
//! |---|---|
//! | `Registry.start_link(keys: :unique, name: Reg)` | `Registry::<K, V>::start_link(Options::new(Keys::Unique).name("reg")).await` |
//! | `Registry.start_link(keys: :duplicate, partitions: 8)` | `Registry::start_link(Options::new(Keys::Duplicate).partitions(8)).await` |
//! | `Registry.start_link(keys: :unique, meta: [k: v])` | `Options::new(Keys::Unique).meta("k", v)` |
//! | `{:ok, pid} = Registry.start_link(…)` | [`registry.pid()`](Registry::pid) |
//! | the registry's name, in every call | [`Registry::whereis("reg").await`](Registry::whereis) → the handle |
//! | `Registry.register(reg, key, value)` → `{:ok, owner}` / `{:error, {:already_registered, pid}}` | [`reg.register(key, value)`](Registry::register) → `Ok(())` / `Err(RegisterError::AlreadyRegistered(pid))` |
//! | `Registry.unregister(reg, key)` | [`reg.unregister(&key)`](Registry::unregister) |
//! | `Registry.unregister_match(reg, key, pattern, guards)` | [`reg.unregister_match(&key, \|v\| …)`](Registry::unregister_match) |
//! | `Registry.lookup(reg, key)` → `[{pid, value}]` | [`reg.lookup(&key)`](Registry::lookup) → `Vec<(Pid, V)>` |
//! | `Registry.match(reg, key, pattern, guards)` | [`reg.matches(&key, \|v\| …)`](Registry::matches) |
//! | `Registry.keys(reg, pid)` | [`reg.keys(pid)`](Registry::keys) |
//! | `Registry.values(reg, key, pid)` | [`reg.values(&key, pid)`](Registry::values) |
//! | `Registry.update_value(reg, key, fun)` → `{new, old}` / `:error` | [`reg.update_value(&key, \|v\| …)`](Registry::update_value) → `Some((new, old))` / `None` |
//! | `Registry.dispatch(reg, key, fn entries -> … end)` | [`reg.dispatch(&key, \|entries\| …)`](Registry::dispatch) |
//! | `Registry.count(reg)` | [`reg.count()`](Registry::count) |
//! | `Registry.count_match(reg, key, pattern, guards)` | [`reg.count_match(&key, \|v\| …)`](Registry::count_match) |
//! | `Registry.select(reg, spec)` | [`reg.select(\|key, pid, v\| Some(…))`](Registry::select) |
//! | `Registry.count_select(reg, spec)` | [`reg.count_select(\|key, pid, v\| …)`](Registry::count_select) |
//! | `Registry.meta(reg, key)` → `{:ok, v}` / `:error` | [`reg.meta::<T>(key)`](Registry::meta) → `Some(v)` / `None` |
//! | `Registry.put_meta(reg, key, value)` | [`reg.put_meta(key, value)`](Registry::put_meta) |
//! | `Registry.delete_meta(reg, key)` | [`reg.delete_meta(key)`](Registry::delete_meta) |
//! | `name: {:via, Registry, {reg, key}}` | `Name::via(reg.via(key))` ([`Registry::via`], [`RegistryVia`]) |
//! | `name: {:via, Registry, {reg, key, value}}` | `Name::via(reg.via_with(key, value))` |
//!
//! Not here (yet): the `listeners:` option, `dispatch`'s `parallel: true`,
//! `keys: {:duplicate, :key}` partitioning, and `Registry.lock/3`.

mod error;
mod handle;
mod options;
mod process;
mod table;
mod via;

pub use self::error::{RegisterError, StartError};
pub use self::handle::Registry;
pub use self::options::{Keys, Options};
pub use self::via::RegistryVia;
