//! How a registry is started: Elixir's `Registry.start_link/1` options.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

/// A metadata value attached to a registry (see
/// [`Registry::meta`](super::Registry::meta)).
pub(super) type MetaValue = Arc<dyn Any + Send + Sync>;

/// Whether a key points to at most one process or to any number. Elixir's
/// `keys: :unique | :duplicate` option.
///
/// ```
/// use girder::otp::registry::Keys;
/// assert_ne!(Keys::Unique, Keys::Duplicate);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Keys {
    /// A key points to 0 or 1 process (`:unique`). Registering a key held
    /// by a live process fails. The only kind usable for `via` names.
    Unique,
    /// A key points to any number of processes, and a process may register
    /// one key several times (`:duplicate`): properties, pubsub topics.
    Duplicate,
}

/// Start options of a registry: Elixir's `Registry.start_link/1` keyword
/// list. `Keys` converts into options with every default, so
/// `Registry::start_link(Keys::Unique)` works.
///
/// ```
/// use girder::otp::registry::{Keys, Options};
///
/// let opts = Options::new(Keys::Duplicate)
///     .partitions(8)
///     .name("my_app.pubsub")
///     .meta("custom_key", "custom_value");
/// # let _ = opts;
/// ```
#[derive(Clone)]
pub struct Options {
    pub(super) keys: Keys,
    pub(super) partitions: Option<usize>,
    pub(super) name: Option<String>,
    pub(super) meta: Vec<(String, MetaValue)>,
}

impl Options {
    /// Options for a registry of this kind (Elixir `keys:`), with one
    /// partition per scheduler, no name and no metadata.
    pub fn new(keys: Keys) -> Options {
        Options {
            keys,
            partitions: None,
            name: None,
            meta: Vec::new(),
        }
    }

    /// The number of partitions (Elixir `partitions:`); the default is the
    /// runtime's number of schedulers (Elixir's default is 1; it recommends
    /// `System.schedulers_online()` under concurrent load).
    ///
    /// # Panics
    /// If `n` is 0 (Elixir raises `ArgumentError`).
    pub fn partitions(mut self, n: usize) -> Options {
        assert!(n >= 1, "a registry needs at least one partition");
        self.partitions = Some(n);
        self
    }

    /// Registers the registry under a local name (Elixir `name:`), so
    /// [`Registry::whereis`](super::Registry::whereis) finds it and the name
    /// resolves to its pid ([`girder_core::whereis`]).
    pub fn name(mut self, name: impl Into<String>) -> Options {
        self.name = Some(name.into());
        self
    }

    /// Attaches a metadata entry (Elixir `meta:`), read back with
    /// [`Registry::meta`](super::Registry::meta).
    pub fn meta<T: Any + Send + Sync>(mut self, key: impl Into<String>, value: T) -> Options {
        self.meta.push((key.into(), Arc::new(value)));
        self
    }
}

impl From<Keys> for Options {
    fn from(keys: Keys) -> Options {
        Options::new(keys)
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("keys", &self.keys)
            .field("partitions", &self.partitions)
            .field("name", &self.name)
            .field(
                "meta",
                &self.meta.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish()
    }
}
