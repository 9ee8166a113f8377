//! Maps: key/value pairs kept sorted in Erlang's map-key order.

use std::cmp::Ordering;

use crate::Term;
use crate::order::cmp_map_keys;

/// An Erlang map (`#{k => v}`, Elixir `%{k: v}`).
///
/// Pairs are kept sorted by key in Erlang's *map-key order* (term order, except
/// that every integer sorts before every float, so `1` and `1.0` are different
/// keys). That is the order erts stores and encodes small maps in, so encoding a
/// map of up to 32 keys reproduces `term_to_binary/1` byte for byte. Lookups are
/// binary searches.
///
/// ```
/// use girder_term::{Map, Term};
/// let mut m = Map::new();
/// m.insert(Term::atom("b"), Term::Integer(2));
/// m.insert(Term::atom("a"), Term::Integer(1));
/// assert_eq!(m.get(&Term::atom("a")), Some(&Term::Integer(1)));
/// assert_eq!(Term::Map(m).to_string(), "#{a => 1,b => 2}");
/// ```
#[derive(Clone, Debug, Default)]
pub struct Map {
    pairs: Vec<(Term, Term)>,
}

impl Map {
    /// An empty map.
    pub fn new() -> Map {
        Map { pairs: Vec::new() }
    }

    /// An empty map with room for `n` pairs.
    pub fn with_capacity(n: usize) -> Map {
        Map {
            pairs: Vec::with_capacity(n),
        }
    }

    /// The number of pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// True if the map has no pairs.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    fn search(&self, key: &Term) -> Result<usize, usize> {
        self.pairs.binary_search_by(|(k, _)| cmp_map_keys(k, key))
    }

    /// The value under `key`.
    pub fn get(&self, key: &Term) -> Option<&Term> {
        self.search(key).ok().map(|i| &self.pairs[i].1)
    }

    /// The value under the atom key `name` (Elixir's `map.name`).
    pub fn get_atom(&self, name: &str) -> Option<&Term> {
        self.pairs
            .iter()
            .find(|(k, _)| k.is_atom(name))
            .map(|(_, v)| v)
    }

    /// True if the map has `key`.
    pub fn contains_key(&self, key: &Term) -> bool {
        self.search(key).is_ok()
    }

    /// Puts `value` under `key`, returning the value it replaced.
    pub fn insert(&mut self, key: Term, value: Term) -> Option<Term> {
        match self.search(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.pairs[i].1, value)),
            Err(i) => {
                self.pairs.insert(i, (key, value));
                None
            }
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &Term) -> Option<Term> {
        self.search(key).ok().map(|i| self.pairs.remove(i).1)
    }

    /// The pairs in map-key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&Term, &Term)> + '_ {
        self.pairs.iter().map(|(k, v)| (k, v))
    }

    /// The keys in map-key order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &Term> + '_ {
        self.pairs.iter().map(|(k, _)| k)
    }

    /// The values in key order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &Term> + '_ {
        self.pairs.iter().map(|(_, v)| v)
    }

    /// The pairs, sorted in map-key order, by value.
    pub fn into_pairs(self) -> Vec<(Term, Term)> {
        self.pairs
    }

    /// A map from pairs already sorted by key in map-key order with no
    /// duplicates; `None` if they are not. Lets a decoder build a map in
    /// linear time when its input is already in order.
    pub fn from_sorted(pairs: Vec<(Term, Term)>) -> Option<Map> {
        let sorted = pairs
            .windows(2)
            .all(|w| cmp_map_keys(&w[0].0, &w[1].0) == Ordering::Less);
        sorted.then_some(Map { pairs })
    }

    /// A map from pairs the caller has checked are strictly sorted in map-key
    /// order (the decoder, which checks as it goes).
    pub(crate) fn from_sorted_unchecked(pairs: Vec<(Term, Term)>) -> Map {
        debug_assert!(
            pairs
                .windows(2)
                .all(|w| cmp_map_keys(&w[0].0, &w[1].0) == Ordering::Less)
        );
        Map { pairs }
    }
}

impl FromIterator<(Term, Term)> for Map {
    /// Builds a map; when a key repeats, the last value wins (as `maps:from_list/1`).
    fn from_iter<I: IntoIterator<Item = (Term, Term)>>(iter: I) -> Map {
        let mut pairs: Vec<(Term, Term)> = iter.into_iter().collect();
        // A stable sort keeps duplicates in input order; keep the last of each run.
        pairs.sort_by(|a, b| cmp_map_keys(&a.0, &b.0));
        let mut out: Vec<(Term, Term)> = Vec::with_capacity(pairs.len());
        for pair in pairs {
            match out.last_mut() {
                Some(last) if cmp_map_keys(&last.0, &pair.0) == Ordering::Equal => *last = pair,
                _ => out.push(pair),
            }
        }
        Map { pairs: out }
    }
}

impl IntoIterator for Map {
    type Item = (Term, Term);
    type IntoIter = std::vec::IntoIter<(Term, Term)>;
    fn into_iter(self) -> Self::IntoIter {
        self.pairs.into_iter()
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = &'a (Term, Term);
    type IntoIter = std::slice::Iter<'a, (Term, Term)>;
    fn into_iter(self) -> Self::IntoIter {
        self.pairs.iter()
    }
}
