//! The scope's membership table: what Erlang keeps in the scope's
//! protected ETS table (`{Group, AllPids, LocalPids}` rows). Only the scope
//! process writes it; any thread reads it, so `get_members` is a read of
//! shared memory, not a call, as in Erlang.

use std::collections::HashMap;

use girder::Pid;
use girder_term::Term;

/// The members of one group: every member, and the local ones.
#[derive(Clone, Debug, Default)]
pub(crate) struct Row {
    pub(crate) all: Vec<Pid>,
    pub(crate) local: Vec<Pid>,
}

/// Group → members. A group with no members has no row (pg does not keep
/// empty groups).
#[derive(Debug, Default)]
pub(crate) struct Table {
    rows: HashMap<Term, Row>,
}

impl Table {
    pub(crate) fn members(&self, group: &Term) -> Vec<Pid> {
        self.rows
            .get(group)
            .map(|r| r.all.clone())
            .unwrap_or_default()
    }

    pub(crate) fn local_members(&self, group: &Term) -> Vec<Pid> {
        self.rows
            .get(group)
            .map(|r| r.local.clone())
            .unwrap_or_default()
    }

    pub(crate) fn groups(&self) -> Vec<Term> {
        let mut groups: Vec<Term> = self.rows.keys().cloned().collect();
        groups.sort();
        groups
    }

    /// Every group with all its members (`monitor_scope`'s snapshot).
    pub(crate) fn snapshot(&self) -> HashMap<Term, Vec<Pid>> {
        self.rows
            .iter()
            .map(|(g, r)| (g.clone(), r.all.clone()))
            .collect()
    }

    /// Adds `pids` to `group` (and to its local members if `local`).
    pub(crate) fn join(&mut self, group: &Term, pids: &[Pid], local: bool) {
        let row = self.rows.entry(group.clone()).or_default();
        row.all.extend_from_slice(pids);
        if local {
            row.local.extend_from_slice(pids);
        }
    }

    /// Removes one occurrence of each of `pids` from `group`; drops the row
    /// when it is empty. Returns the pids that were members.
    pub(crate) fn leave(&mut self, group: &Term, pids: &[Pid]) -> Vec<Pid> {
        let Some(row) = self.rows.get_mut(group) else {
            return Vec::new();
        };
        let mut left = Vec::new();
        for pid in pids {
            if let Some(i) = row.all.iter().position(|p| p == pid) {
                row.all.swap_remove(i);
                left.push(*pid);
            }
            if let Some(i) = row.local.iter().position(|p| p == pid) {
                row.local.swap_remove(i);
            }
        }
        if row.all.is_empty() {
            self.rows.remove(group);
        }
        left
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_appear_with_members_and_go_with_the_last() {
        let mut t = Table::default();
        let g = Term::atom("g");
        let (a, b) = (Pid::from_parts(0, 1, 0), Pid::from_parts(3, 2, 0));
        t.join(&g, &[a], true);
        t.join(&g, &[b, b], false);
        assert_eq!(t.members(&g).len(), 3);
        assert_eq!(t.local_members(&g), [a]);
        assert_eq!(t.leave(&g, &[b]), [b]);
        assert_eq!(t.members(&g).len(), 2, "one occurrence per leave");
        assert_eq!(t.leave(&g, &[a, b]), [a, b]);
        assert!(t.groups().is_empty());
        assert!(t.leave(&g, &[a]).is_empty());
    }
}
