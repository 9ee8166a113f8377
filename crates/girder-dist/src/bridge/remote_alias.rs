//! Aliases of processes of other nodes: a core [`girder::Alias`] whose pid
//! is a remote pid and whose reference is interned here, standing for the
//! remote alias (an Erlang reference). A message sent through it leaves as
//! `ALIAS_SEND` (erts `dist.c`'s `erts_dsig_send_alias_msg`).
//!
//! One kind is a *reply address* of a `gen_server:call` from another node
//! (see [`girder::otp::gen_server::TermPeer`]): a message `M` sent through
//! it leaves as `{Tag, M}`, to the alias when the call's `Tag` is
//! `[alias | Alias]` (OTP 24+) and to the caller's pid otherwise (a plain
//! reference, `multi_call`'s `{Ref, Node}`), as `gen:reply/2` sends it;
//! the entry is used once.
//!
//! Entries live until used (reply addresses) or until the connection to
//! their node goes down, so a peer's calls that are never answered cost
//! memory only as long as that peer stays connected.

use std::collections::{HashMap, HashSet};

use girder::Ref;
use girder_term::{ExternalRef, Term};

use crate::name::NodeName;

/// Where messages through an interned remote alias go.
#[derive(Debug, Clone)]
pub(crate) enum Route {
    /// `ALIAS_SEND` of the message to the alias, every time.
    Alias(ExternalRef),
    /// `{Tag, M}` once, by `ALIAS_SEND` to `alias` if there is one, else
    /// to the caller's pid.
    Reply {
        /// The call's tag, as the caller sent it.
        tag: Term,
        /// The alias in `[alias | Alias]`.
        alias: Option<ExternalRef>,
    },
}

#[derive(Debug)]
struct Entry {
    node: NodeName,
    route: Route,
}

/// Interned references of remote aliases, by node.
#[derive(Debug, Default)]
pub(crate) struct RemoteAliases {
    entries: HashMap<Ref, Entry>,
    per_node: HashMap<NodeName, HashSet<Ref>>,
}

impl RemoteAliases {
    /// Records `reference` as standing for `route` on `node`.
    pub(crate) fn insert(&mut self, reference: Ref, node: &NodeName, route: Route) {
        self.per_node
            .entry(node.clone())
            .or_default()
            .insert(reference);
        self.entries.insert(
            reference,
            Entry {
                node: node.clone(),
                route,
            },
        );
    }

    /// The route of `reference`; a reply address is taken out.
    pub(crate) fn route(&mut self, reference: Ref) -> Option<(NodeName, Route)> {
        let entry = self.entries.get(&reference)?;
        if let Route::Alias(_) = entry.route {
            return Some((entry.node.clone(), entry.route.clone()));
        }
        let entry = self.entries.remove(&reference)?;
        if let Some(refs) = self.per_node.get_mut(&entry.node) {
            refs.remove(&reference);
            if refs.is_empty() {
                self.per_node.remove(&entry.node);
            }
        }
        Some((entry.node, entry.route))
    }

    /// Forgets every entry of `node` (its connection went down).
    pub(crate) fn drop_node(&mut self, node: &NodeName) {
        for r in self.per_node.remove(node).unwrap_or_default() {
            self.entries.remove(&r);
        }
    }

    /// How many entries there are.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

/// The `Alias` in a tag `[alias | Alias]`; `None` for any other tag (a
/// plain reference, or `gen_server:multi_call`'s `{Ref, Node}`), whose
/// reply goes to the caller's pid (`gen:reply/2`).
pub(crate) fn tag_alias(tag: &Term) -> Option<&ExternalRef> {
    match tag {
        Term::ImproperList { elements, tail } => match (elements.as_slice(), &**tail) {
            ([a], Term::Reference(r)) if a.is_atom("alias") => Some(r),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: u32) -> ExternalRef {
        ExternalRef {
            node: girder_term::Atom::new("a@h").unwrap(),
            creation: 1,
            id: vec![n, 0, 0],
        }
    }

    #[test]
    fn replies_are_used_once_aliases_until_node_down() {
        let mut t = RemoteAliases::default();
        let a = NodeName::parse("a@h").unwrap();
        let b = NodeName::parse("b@h").unwrap();
        let (r1, r2, r3) = (
            Ref::from_parts(1, 1),
            Ref::from_parts(1, 2),
            Ref::from_parts(2, 3),
        );
        t.insert(
            r1,
            &a,
            Route::Reply {
                tag: Term::Reference(r(1)),
                alias: None,
            },
        );
        t.insert(r2, &a, Route::Alias(r(2)));
        t.insert(r3, &b, Route::Alias(r(3)));
        assert!(matches!(t.route(r1), Some((_, Route::Reply { .. }))));
        assert!(t.route(r1).is_none());
        assert!(t.route(r2).is_some());
        assert!(t.route(r2).is_some());
        t.drop_node(&a);
        assert!(t.route(r2).is_none());
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn tags() {
        let plain = Term::Reference(r(1));
        assert_eq!(tag_alias(&plain), None);
        let alias = Term::improper_list([Term::atom("alias")], Term::Reference(r(2)));
        assert_eq!(tag_alias(&alias), Some(&r(2)));
        assert_eq!(tag_alias(&Term::atom("x")), None);
        let other = Term::improper_list([Term::atom("other")], Term::Reference(r(2)));
        assert_eq!(tag_alias(&other), None);
    }
}
