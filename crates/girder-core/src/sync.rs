//! The std/loom shim: lock-free code takes its atomics and blocking primitives
//! from here, so the loom models in `scheduler::park` check the same code that
//! ships.

#[cfg(girder_loom)]
pub(crate) use loom::sync::{Arc, Condvar, Mutex, atomic};

#[cfg(not(girder_loom))]
pub(crate) use std::sync::{Condvar, Mutex, atomic};

/// A mutex with an infallible `lock`: parking_lot's (one byte) normally,
/// loom's under the model checker.
#[derive(Default)]
pub(crate) struct Lock<T>(
    #[cfg(not(girder_loom))] parking_lot::Mutex<T>,
    #[cfg(girder_loom)] loom::sync::Mutex<T>,
);

#[cfg(not(girder_loom))]
pub(crate) type LockGuard<'a, T> = parking_lot::MutexGuard<'a, T>;
#[cfg(girder_loom)]
pub(crate) type LockGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

impl<T> Lock<T> {
    pub(crate) fn new(value: T) -> Lock<T> {
        #[cfg(not(girder_loom))]
        return Lock(parking_lot::Mutex::new(value));
        #[cfg(girder_loom)]
        return Lock(loom::sync::Mutex::new(value));
    }

    pub(crate) fn lock(&self) -> LockGuard<'_, T> {
        #[cfg(not(girder_loom))]
        return self.0.lock();
        #[cfg(girder_loom)]
        return self.0.lock().unwrap_or_else(|e| e.into_inner());
    }
}
