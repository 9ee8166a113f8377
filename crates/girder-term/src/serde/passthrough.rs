//! Hands a [`Term`] between its `Serialize`/`Deserialize` impls and this
//! crate's serializer/deserializer without taking it apart.
//!
//! serde's data model has no "term" type, so a `Term` announces itself as a
//! newtype struct with a private name. When this crate's serializer sees that
//! name it raises a thread-local flag; the term's inner `Serialize` impl sees
//! the flag, leaves a clone of itself in a thread-local slot and serializes a
//! unit, and the serializer returns the slot's term. Deserializing runs the
//! other way: the deserializer leaves its term in the slot and visits a unit,
//! which the term's visitor answers by taking the slot. Both steps are
//! synchronous, so the flag and slot never outlive one call.

use std::cell::Cell;

use super::error::SerdeError;
use crate::Term;

thread_local! {
    /// Set while this crate's serializer waits for a term to hand itself over.
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
    /// The term handed over while serializing.
    static CAPTURED: Cell<Option<Term>> = const { Cell::new(None) };
    /// The term this crate's deserializer offers to a `Term` visitor.
    static OFFERED: Cell<Option<Term>> = const { Cell::new(None) };
}

/// Runs `serialize` (a `Term`'s `Serialize` impl fed to this crate's
/// serializer) and returns the term it handed over, else its own output.
pub(crate) fn capture(
    serialize: impl FnOnce() -> Result<Term, SerdeError>,
) -> Result<Term, SerdeError> {
    /// Lowers the flag even if `serialize` panics.
    struct Lower;
    impl Drop for Lower {
        fn drop(&mut self) {
            CAPTURING.with(|c| c.set(false));
        }
    }
    CAPTURING.with(|c| c.set(true));
    let lower = Lower;
    let result = serialize();
    drop(lower);
    match CAPTURED.with(Cell::take) {
        Some(term) => Ok(term),
        None => result,
    }
}

/// Called by a `Term`'s inner `Serialize` impl: if this crate's serializer is
/// waiting, hands it a clone of `term` and returns true.
pub(crate) fn hand_over(term: &Term) -> bool {
    if CAPTURING.with(|c| c.replace(false)) {
        CAPTURED.with(|c| c.set(Some(term.clone())));
        true
    } else {
        false
    }
}

/// Offers `term` to the `Term` visitor that `visit` calls.
pub(crate) fn offer<R>(term: &Term, visit: impl FnOnce() -> R) -> R {
    /// Withdraws the offer even if `visit` panics.
    struct Withdraw;
    impl Drop for Withdraw {
        fn drop(&mut self) {
            OFFERED.with(Cell::take);
        }
    }
    OFFERED.with(|c| c.set(Some(term.clone())));
    let _withdraw = Withdraw;
    visit()
}

/// The term this crate's deserializer offered, if any.
pub(crate) fn take_offered() -> Option<Term> {
    OFFERED.with(Cell::take)
}
