//! The std/loom shim: lock-free code takes its atomics and blocking primitives
//! from here, so the loom models in `scheduler::park` check the same code that
//! ships.

#[cfg(girder_loom)]
pub(crate) use loom::sync::{Arc, Condvar, Mutex, atomic};

#[cfg(not(girder_loom))]
pub(crate) use std::sync::{Condvar, Mutex, atomic};
