//! The functions other nodes may run on this one, by `{Module, Function,
//! Arity}` (what a BEAM node's loaded modules export). Looked up by the
//! process a spawn request starts, when it starts; changed by
//! [`crate::DistNode::register_fn`] and its siblings at any time (a call
//! already running keeps the function it found, as a process running old
//! code does).

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use girder_term::{Atom, Term};
use parking_lot::RwLock;

use crate::rpc::error::{RegisterFnError, RpcError};

/// What a registered function gives back to run: every kind (sync, async,
/// typed) is stored as one that makes a future.
pub(crate) type RpcFuture = Pin<Box<dyn Future<Output = Result<Term, RpcError>> + Send + 'static>>;

/// A registered function.
pub(crate) type RpcFn = Arc<dyn Fn(Vec<Term>) -> RpcFuture + Send + Sync + 'static>;

/// `{Module, Function, Arity}`.
type Key = (Atom, Atom, u8);

/// The registry: one per [`crate::DistNode`].
#[derive(Default)]
pub(crate) struct Registry {
    fns: RwLock<HashMap<Key, RpcFn>>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("functions", &self.fns.read().len())
            .finish()
    }
}

/// The module whose entry points girder serves itself.
pub(crate) const ERPC: &str = "erpc";

fn atom(name: &str) -> Result<Atom, RegisterFnError> {
    Atom::new(name).map_err(|_| RegisterFnError::BadName {
        name: name.to_owned(),
    })
}

impl Registry {
    /// Registers `f` as `module:function/arity`, replacing what was there.
    pub(crate) fn insert(
        &self,
        module: &str,
        function: &str,
        arity: u8,
        f: RpcFn,
    ) -> Result<(), RegisterFnError> {
        if module == ERPC {
            return Err(RegisterFnError::Reserved {
                module: module.to_owned(),
            });
        }
        let key = (atom(module)?, atom(function)?, arity);
        self.fns.write().insert(key, f);
        Ok(())
    }

    /// Removes `module:function/arity`; true if it was registered.
    pub(crate) fn remove(&self, module: &str, function: &str, arity: u8) -> bool {
        let (Ok(m), Ok(f)) = (Atom::new(module), Atom::new(function)) else {
            return false;
        };
        self.fns.write().remove(&(m, f, arity)).is_some()
    }

    /// The function `module:function` of `arity` arguments.
    pub(crate) fn get(&self, module: &Atom, function: &Atom, arity: usize) -> Option<RpcFn> {
        let arity = u8::try_from(arity).ok()?;
        // The key owns its atoms; building it clones two short strings,
        // which is nothing next to the spawn that needs it.
        self.fns
            .read()
            .get(&(module.clone(), function.clone(), arity))
            .cloned()
    }

    /// Every registered `{Module, Function, Arity}`, sorted.
    pub(crate) fn list(&self) -> Vec<(Atom, Atom, u8)> {
        let mut all: Vec<Key> = self.fns.read().keys().cloned().collect();
        all.sort();
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn constant(t: Term) -> RpcFn {
        Arc::new(move |_| {
            let t = t.clone();
            Box::pin(async move { Ok(t) })
        })
    }

    #[test]
    fn functions_are_found_by_module_function_and_arity() {
        let r = Registry::default();
        r.insert("math", "add", 2, constant(Term::Integer(2)))
            .unwrap();
        r.insert("math", "add", 3, constant(Term::Integer(3)))
            .unwrap();
        let (m, f) = (Atom::new("math").unwrap(), Atom::new("add").unwrap());
        assert!(r.get(&m, &f, 2).is_some());
        assert!(r.get(&m, &f, 1).is_none());
        assert!(r.get(&m, &f, 300).is_none());
        assert_eq!(r.list().len(), 2);
        assert!(r.remove("math", "add", 3));
        assert!(!r.remove("math", "add", 3));
        assert!(r.get(&m, &f, 3).is_none());
    }

    #[test]
    fn names_are_checked() {
        let r = Registry::default();
        let long = "x".repeat(256);
        assert_eq!(
            r.insert(&long, "f", 0, constant(Term::nil())),
            Err(RegisterFnError::BadName { name: long.clone() })
        );
        assert!(matches!(
            r.insert("erpc", "execute_call", 4, constant(Term::nil())),
            Err(RegisterFnError::Reserved { .. })
        ));
        assert!(!r.remove(&long, "f", 0));
    }
}
