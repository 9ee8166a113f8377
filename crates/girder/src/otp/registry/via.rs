//! `via` naming through a registry: Elixir's `{:via, Registry, {registry,
//! key}}` and `{:via, Registry, {registry, key, value}}`.

use std::fmt;
use std::hash::Hash;

use girder_core::{Pid, try_self_pid};

use super::handle::Registry;
use crate::otp::ViaName;

/// A name kept by a unique registry, made by [`Registry::via`] or
/// [`Registry::via_with`]: Elixir `{:via, Registry, {registry, key}}`.
/// Start a server under it with `Name::via(registry.via(key))`; the server
/// registers itself under `key` when it starts and loses the name when it
/// exits, like any registrant.
///
/// ```
/// use girder::otp::ViaName;
/// use girder::otp::registry::{Keys, Registry};
///
/// girder::run(async {
///     let registry = Registry::<&str, ()>::start_link(Keys::Unique).await.unwrap();
///     let name = registry.via("worker");
///     let me = girder::self_pid();
///     assert!(name.register_name(me));
///     assert_eq!(name.whereis_name(), Some(me));
///     name.unregister_name();
///     assert_eq!(name.whereis_name(), None);
/// }).unwrap();
/// ```
pub struct RegistryVia<K, V> {
    registry: Registry<K, V>,
    key: K,
    value: V,
}

impl<K, V> RegistryVia<K, V> {
    pub(super) fn new(registry: Registry<K, V>, key: K, value: V) -> RegistryVia<K, V> {
        RegistryVia {
            registry,
            key,
            value,
        }
    }

    /// The registry that keeps the name.
    pub fn registry(&self) -> &Registry<K, V> {
        &self.registry
    }

    /// The key the name stands for.
    pub fn key(&self) -> &K {
        &self.key
    }
}

impl<K: Clone, V: Clone> Clone for RegistryVia<K, V> {
    fn clone(&self) -> Self {
        RegistryVia {
            registry: self.registry.clone(),
            key: self.key.clone(),
            value: self.value.clone(),
        }
    }
}

impl<K: fmt::Debug, V> fmt::Debug for RegistryVia<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryVia")
            .field("registry", &self.registry)
            .field("key", &self.key)
            .finish()
    }
}

impl<K, V> ViaName for RegistryVia<K, V>
where
    K: Hash + Eq + Clone + fmt::Debug + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    /// Registers the caller under the key with the name's value; `false` if
    /// a live process holds the key, the registry is not running, or `pid`
    /// is not the caller (Elixir's `register_name/2` accepts only
    /// `self()`).
    fn register_name(&self, pid: Pid) -> bool {
        try_self_pid() == Some(pid)
            && self
                .registry
                .register(self.key.clone(), self.value.clone())
                .is_ok()
    }

    /// Removes the caller's registration under the key.
    fn unregister_name(&self) {
        if try_self_pid().is_some() {
            self.registry.unregister(&self.key);
        }
    }

    /// The live process holding the key, if any ([`Registry::lookup`]).
    fn whereis_name(&self) -> Option<Pid> {
        self.registry.lookup(&self.key).first().map(|(pid, _)| *pid)
    }
}
