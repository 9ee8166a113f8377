//! A hierarchical timing wheel: O(1) insert and remove, and an `advance` that
//! skips empty stretches of time with bit scans.
//!
//! # Structure
//!
//! Time is counted in ticks (`u64`; the timer thread uses milliseconds). The
//! wheel has [`LEVELS`] = 6 levels of [`SLOTS`] = 64 slots each. Read a tick
//! as six base-64 digits (bits `6L..6L+6` are digit `L`) above a 28-bit
//! "epoch" (bits 36 and up): a slot of level `L` spans `64^L` ticks and the
//! whole of level `L` spans `64^(L+1)` ticks, so level 0 has one tick per
//! slot and level 5 covers `64^6` ticks (2^36 ms, about 795 days).
//!
//! The wheel keeps `elapsed`, the tick it has been advanced to: every entry
//! whose deadline is `<= elapsed` has been delivered, except those inserted
//! with such a deadline since (see *Past deadlines* below).
//!
//! # Where an entry goes
//!
//! An entry with deadline `d > elapsed` goes to level `L`, the highest digit
//! in which `d` and `elapsed` differ (`L = (63 - lzcnt(d ^ elapsed)) / 6`),
//! slot `digit_L(d)`. Digits above `L` are the same for `d` and `elapsed` and
//! `d > elapsed`, so `digit_L(d) > digit_L(elapsed)`: every occupied slot of
//! a level lies *ahead* of `elapsed`'s slot in that level, the wheel never
//! wraps around. Two consequences:
//!
//! * every entry of level `L` is later than every entry of the levels below
//!   it (those share digit `L` with `elapsed`, level `L`'s entries do not);
//! * within a level, slots are in deadline order.
//!
//! So the earliest entry is in the first occupied slot of the lowest
//! non-empty level. A slot of level 0 holds entries of exactly one deadline;
//! a slot of a higher level holds deadlines anywhere in its `64^L` ticks,
//! and its *start* (the first tick it covers) is a lower bound for them.
//!
//! * **Overflow.** If `d` differs from `elapsed` above bit 36 (a later
//!   epoch, more than ~795 days at 1 ms), it goes to the overflow list, with
//!   `overflow_min`, a lower bound of the overflow deadlines (exact after
//!   every cascade of the list; a removal may leave it low, never high).
//! * **Past deadlines.** An entry inserted with `d <= elapsed` goes to the
//!   `expired` list and is delivered by the next `advance`, whatever its
//!   `now`.
//!
//! # Bitmaps
//!
//! Each level has a 64-bit occupancy word: bit `s` is set iff slot `s` of
//! that level is non-empty. Finding the next occupied slot is one
//! `trailing_zeros` per level, so `advance` and [`Wheel::next_deadline`]
//! never visit empty slots.
//!
//! # Advancing and cascading
//!
//! `advance(now)` first delivers the `expired` list, then repeatedly takes
//! the first occupied slot of the lowest non-empty level (or the overflow
//! list, if all levels are empty, with start `epoch_start(overflow_min)`)
//! while that slot's start is `<= now`, and sets `elapsed` to the start:
//!
//! * a level-0 slot's entries are due (their deadline is that tick): they
//!   are delivered;
//! * a higher slot's entries are *cascaded*: re-placed relative to the new
//!   `elapsed`. As `elapsed` is now the slot's start, they agree with it in
//!   digit `L` too and land on a lower level (one due at the start itself
//!   goes to level 0, delivered by the next iteration); overflow entries of
//!   the new epoch land on the levels, the rest go back to the overflow list
//!   and `overflow_min` is recomputed exactly.
//!
//! Finally `elapsed = now`. Nothing is left in a slot whose start is
//! `<= now`, so the placement invariant holds for the new `elapsed`. Slots
//! are taken in time order and cascaded entries land in slots not yet
//! taken, so every entry with deadline `<= now` is delivered exactly once,
//! and (except the `expired` list, which comes first) in deadline order.
//! An entry is cascaded at most once per level on its way down (plus once
//! per overflow cascade while it is in the overflow list).
//!
//! # `next_deadline` is a lower bound
//!
//! [`Wheel::next_deadline`] returns the exact earliest deadline when that
//! entry is in the `expired` list or on level 0 (within the 64 ticks of
//! `elapsed`'s level-0 span), and otherwise the start of the first occupied
//! slot (or `overflow_min`), a lower bound. Advancing to it either delivers
//! the earliest entry or cascades entries down a level, after which
//! `next_deadline` returns a later, finer bound: a thread that sleeps until
//! `next_deadline` and then advances wakes at most a few times per level
//! early and delivers every entry on its exact tick. Making it exact would
//! need a scan of a coarse slot that may hold millions of entries.
//!
//! # Storage
//!
//! Entries live in a slab (a `Vec` with a free list). Each slot's entries
//! form a doubly linked list threaded through slab indices, so insert,
//! remove and unlink are O(1) and entries never move. A [`TimerKey`] is the
//! slab index plus the entry's id (a per-wheel 48-bit counter, which wraps
//! only after 2^48 - 1 inserts); a key whose entry was removed or
//! delivered, even if the index has been reused since, finds a different id
//! and removes nothing. An entry is its deadline, id and list (one word),
//! two links and the value: 64 bytes with the runtime's `Action`. The slab
//! keeps its peak size: freed entries are reused, not returned to the
//! allocator.

use std::fmt;

/// Number of levels.
const LEVELS: usize = 6;
/// Slots per level (one per value of a 6-bit digit).
const SLOTS: usize = 64;
/// Bits of a tick covered by the levels (`64^6` ticks).
const WHEEL_BITS: u32 = 6 * LEVELS as u32;

/// Ids are 48 bits (they share a word with the entry's list). They wrap
/// after 2^48 - 1 inserts, about a month of nothing but inserts at full
/// speed; a stale key then still has to hit its old slab index to match.
const ID_MAX: u64 = (1 << 48) - 1;

/// "No entry" in the links.
const NIL: u32 = u32::MAX;

/// Lists of the wheel; an entry's `list` field says which one it is in.
/// `0..LEVELS * SLOTS` are the slots (`level * SLOTS + slot`).
const EXPIRED: u16 = (LEVELS * SLOTS) as u16;
const OVERFLOW: u16 = EXPIRED + 1;
const N_LISTS: usize = OVERFLOW as usize + 1;
/// The entry is in the free list (`next` links the free list).
const FREE: u16 = u16::MAX;

/// Identifies an entry of a [`Wheel`]: its slab index and its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TimerKey {
    index: u32,
    id: u64,
}

struct Entry<T> {
    deadline: u64,
    /// The entry's id (bits 16..64; unique per insert, 0 while free, so a
    /// free entry matches no key) and the list it is in (bits 0..16). One
    /// word: 64 rather than 72 bytes per entry with the runtime's `T`.
    tag: u64,
    prev: u32,
    next: u32,
    value: Option<T>,
}

impl<T> Entry<T> {
    #[inline]
    fn id(&self) -> u64 {
        self.tag >> 16
    }

    #[inline]
    fn list(&self) -> u16 {
        self.tag as u16
    }

    #[inline]
    fn set_list(&mut self, list: u16) {
        self.tag = (self.tag & !0xffff) | u64::from(list);
    }
}

#[derive(Clone, Copy)]
struct List {
    head: u32,
    tail: u32,
}

impl List {
    const EMPTY: List = List {
        head: NIL,
        tail: NIL,
    };
}

/// A hierarchical timing wheel of values of type `T` keyed by deadline tick.
/// See the [module docs](self).
pub(crate) struct Wheel<T> {
    slab: Vec<Entry<T>>,
    /// Head of the free list of `slab` (through `next`).
    free: u32,
    len: usize,
    next_id: u64,
    /// The tick the wheel has been advanced to.
    elapsed: u64,
    /// Bit `s` of `occupied[L]`: slot `s` of level `L` is non-empty.
    occupied: [u64; LEVELS],
    /// Slot lists, then `EXPIRED`, then `OVERFLOW`.
    lists: [List; N_LISTS],
    /// Lower bound of the deadlines in the overflow list (`u64::MAX` when it
    /// is empty).
    overflow_min: u64,
}

impl<T> fmt::Debug for Wheel<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wheel")
            .field("len", &self.len)
            .field("elapsed", &self.elapsed)
            .field("occupied", &self.occupied)
            .field("slab_capacity", &self.slab.len())
            .finish_non_exhaustive()
    }
}

impl<T> Default for Wheel<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// The level (or `LEVELS` for overflow) of `deadline >= elapsed`.
#[inline]
fn level_for(elapsed: u64, deadline: u64) -> usize {
    let diff = deadline ^ elapsed;
    if diff == 0 {
        return 0;
    }
    let top_bit = 63 - diff.leading_zeros();
    if top_bit >= WHEEL_BITS {
        LEVELS
    } else {
        (top_bit / 6) as usize
    }
}

/// Digit `level` of `tick` (the slot of `tick` in that level).
#[inline]
fn digit(tick: u64, level: usize) -> usize {
    ((tick >> (6 * level)) & 63) as usize
}

/// The first tick of the epoch (`64^6`-aligned span) containing `tick`.
#[inline]
fn epoch_start(tick: u64) -> u64 {
    tick & !((1u64 << WHEEL_BITS) - 1)
}

impl<T> Wheel<T> {
    /// An empty wheel at tick 0.
    pub(crate) fn new() -> Self {
        Wheel {
            slab: Vec::new(),
            free: NIL,
            len: 0,
            next_id: 1,
            elapsed: 0,
            occupied: [0; LEVELS],
            lists: [List::EMPTY; N_LISTS],
            overflow_min: u64::MAX,
        }
    }

    /// Number of pending entries.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether no entry is pending.
    #[allow(dead_code)] // the interface's; used by tests and the bench
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds `value`, due at `deadline` (a tick). A deadline at or before the
    /// tick the wheel was last advanced to is delivered by the next
    /// [`advance`](Self::advance).
    #[inline]
    pub(crate) fn insert(&mut self, deadline: u64, value: T) -> TimerKey {
        let id = self.next_id;
        self.next_id = if id == ID_MAX { 1 } else { id + 1 };
        let list = if deadline <= self.elapsed {
            EXPIRED
        } else {
            self.list_for(deadline)
        };
        let tail = self.lists[list as usize].tail;
        let entry = Entry {
            deadline,
            tag: (id << 16) | u64::from(list),
            prev: tail,
            next: NIL,
            value: Some(value),
        };
        let index = if self.free != NIL {
            let index = self.free;
            let e = &mut self.slab[index as usize];
            self.free = e.next;
            *e = entry;
            index
        } else {
            let index = u32::try_from(self.slab.len())
                .ok()
                .filter(|&i| i != NIL)
                .expect("timer wheel: more than 2^32 - 1 pending timers");
            self.slab.push(entry);
            index
        };
        // Link at the tail (`prev` is set above).
        if tail == NIL {
            self.lists[list as usize].head = index;
        } else {
            self.slab[tail as usize].next = index;
        }
        self.lists[list as usize].tail = index;
        self.len += 1;
        TimerKey { index, id }
    }

    /// Removes a pending entry; returns its deadline and value. `None` if the
    /// key's entry was already removed or delivered.
    #[inline]
    pub(crate) fn remove(&mut self, key: TimerKey) -> Option<(u64, T)> {
        let e = self.slab.get(key.index as usize)?;
        // A free entry has id 0, which no key has.
        if e.id() != key.id {
            return None;
        }
        let list = e.list();
        debug_assert_ne!(list, FREE);
        self.unlink(list, key.index);
        if list == OVERFLOW && self.lists[OVERFLOW as usize].head == NIL {
            self.overflow_min = u64::MAX;
        }
        Some(self.release(key.index))
    }

    /// Advances the wheel to tick `now` (a `now` below the current tick
    /// counts as the current tick) and appends to `expired` every entry whose
    /// deadline is `<= now`: first those inserted with a deadline already
    /// past, then the rest in deadline order.
    pub(crate) fn advance(&mut self, now: u64, expired: &mut Vec<T>) {
        self.drain(EXPIRED, expired);
        if now <= self.elapsed {
            return;
        }
        while let Some((list, start)) = self.next_slot() {
            if start > now {
                break;
            }
            debug_assert!(start >= self.elapsed);
            self.elapsed = start;
            if list < SLOTS as u16 {
                self.drain(list, expired);
            } else {
                self.cascade(list);
            }
        }
        self.elapsed = now;
    }

    /// `None` if the wheel is empty; otherwise a tick no later than the
    /// earliest deadline: that deadline itself if it is in the `expired`
    /// list or within level 0, else the start of the slot holding it (a
    /// lower bound; see the module docs). After `advance(t)`,
    /// `next_deadline` is `> t` unless entries were inserted since.
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        let mut i = self.lists[EXPIRED as usize].head;
        if i != NIL {
            let mut min = u64::MAX;
            while i != NIL {
                let e = &self.slab[i as usize];
                min = min.min(e.deadline);
                i = e.next;
            }
            return Some(min);
        }
        match self.next_slot()? {
            (OVERFLOW, _) => Some(self.overflow_min),
            (_, start) => Some(start),
        }
    }

    /// The first occupied slot of the lowest non-empty level (or the
    /// overflow list if the levels are empty) and the first tick it covers.
    #[inline]
    fn next_slot(&self) -> Option<(u16, u64)> {
        for level in 0..LEVELS {
            let occ = self.occupied[level];
            if occ != 0 {
                let slot = occ.trailing_zeros() as u64;
                debug_assert!(
                    (slot as usize) > digit(self.elapsed, level)
                        || (level == 0 && slot as usize == digit(self.elapsed, 0)),
                    "slot behind elapsed"
                );
                let span_bits = 6 * (level as u32 + 1);
                let base = self.elapsed & !((1u64 << span_bits) - 1);
                let start = base | (slot << (6 * level));
                return Some(((level * SLOTS) as u16 + slot as u16, start));
            }
        }
        if self.lists[OVERFLOW as usize].head != NIL {
            let start = epoch_start(self.overflow_min);
            debug_assert!(start > self.elapsed);
            return Some((OVERFLOW, start));
        }
        None
    }

    /// Links entry `index` (deadline `>= elapsed`) into its slot, or into
    /// the overflow list.
    #[inline]
    fn place(&mut self, index: u32) {
        let list = self.list_for(self.slab[index as usize].deadline);
        self.push_back(list, index);
    }

    /// The list for a deadline `>= elapsed`, marked occupied (or counted in
    /// `overflow_min`) for the entry about to be linked into it.
    #[inline]
    fn list_for(&mut self, deadline: u64) -> u16 {
        debug_assert!(deadline >= self.elapsed);
        let level = level_for(self.elapsed, deadline);
        if level == LEVELS {
            self.overflow_min = self.overflow_min.min(deadline);
            OVERFLOW
        } else {
            let slot = digit(deadline, level);
            self.occupied[level] |= 1 << slot;
            (level * SLOTS + slot) as u16
        }
    }

    /// Re-places every entry of `list` (a slot above level 0, or the
    /// overflow list) relative to the current `elapsed`.
    fn cascade(&mut self, list: u16) {
        let mut i = self.take(list);
        if list == OVERFLOW {
            self.overflow_min = u64::MAX;
        }
        while i != NIL {
            let next = self.slab[i as usize].next;
            self.place(i);
            i = next;
        }
    }

    /// Delivers every entry of `list` into `out`, in list order.
    fn drain(&mut self, list: u16, out: &mut Vec<T>) {
        let mut i = self.take(list);
        while i != NIL {
            let next = self.slab[i as usize].next;
            out.push(self.release(i).1);
            i = next;
        }
    }

    /// Empties `list` and returns its old head; its entries keep their
    /// `next` links, to be walked by the caller, who must re-link or release
    /// every one.
    fn take(&mut self, list: u16) -> u32 {
        let l = &mut self.lists[list as usize];
        let head = l.head;
        *l = List::EMPTY;
        if (list as usize) < LEVELS * SLOTS {
            self.occupied[list as usize / SLOTS] &= !(1 << (list as usize % SLOTS));
        }
        head
    }

    /// Frees entry `index` (already unlinked) and returns its contents.
    #[inline]
    fn release(&mut self, index: u32) -> (u64, T) {
        let e = &mut self.slab[index as usize];
        let value = e.value.take().expect("live entry has a value");
        e.tag = u64::from(FREE);
        e.prev = NIL;
        e.next = self.free;
        self.free = index;
        self.len -= 1;
        (e.deadline, value)
    }

    #[inline]
    fn push_back(&mut self, list: u16, index: u32) {
        let tail = self.lists[list as usize].tail;
        {
            let e = &mut self.slab[index as usize];
            e.set_list(list);
            e.prev = tail;
            e.next = NIL;
        }
        if tail == NIL {
            self.lists[list as usize].head = index;
        } else {
            self.slab[tail as usize].next = index;
        }
        self.lists[list as usize].tail = index;
    }

    #[inline]
    fn unlink(&mut self, list: u16, index: u32) {
        let (prev, next) = {
            let e = &self.slab[index as usize];
            (e.prev, e.next)
        };
        if prev == NIL {
            self.lists[list as usize].head = next;
        } else {
            self.slab[prev as usize].next = next;
        }
        if next == NIL {
            self.lists[list as usize].tail = prev;
        } else {
            self.slab[next as usize].prev = prev;
        }
        if self.lists[list as usize].head == NIL && (list as usize) < LEVELS * SLOTS {
            self.occupied[list as usize / SLOTS] &= !(1 << (list as usize % SLOTS));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, HashMap};

    /// Advances to `now` and returns what fired.
    fn adv(w: &mut Wheel<u32>, now: u64) -> Vec<u32> {
        let mut out = Vec::new();
        w.advance(now, &mut out);
        out
    }

    /// Checks the structural invariants: links, bitmaps, placement, len.
    fn check_invariants<T>(w: &Wheel<T>) {
        let mut live = 0;
        for (list, l) in w.lists.iter().enumerate() {
            let mut prev = NIL;
            let mut i = l.head;
            while i != NIL {
                let e = &w.slab[i as usize];
                assert_eq!(e.list() as usize, list);
                assert_ne!(e.id(), 0);
                assert_eq!(e.prev, prev);
                assert!(e.value.is_some());
                if list < LEVELS * SLOTS {
                    let (level, slot) = (list / SLOTS, list % SLOTS);
                    assert!(e.deadline > w.elapsed);
                    assert_eq!(level_for(w.elapsed, e.deadline), level);
                    assert_eq!(digit(e.deadline, level), slot);
                } else if list == OVERFLOW as usize {
                    assert_eq!(level_for(w.elapsed, e.deadline), LEVELS);
                    assert!(w.overflow_min <= e.deadline);
                } else {
                    assert!(e.deadline <= w.elapsed);
                }
                live += 1;
                prev = i;
                i = e.next;
            }
            assert_eq!(l.tail, prev);
            if list < LEVELS * SLOTS {
                let bit = w.occupied[list / SLOTS] >> (list % SLOTS) & 1;
                assert_eq!(bit == 1, l.head != NIL, "bitmap of list {list}");
            }
        }
        assert_eq!(live, w.len);
        let mut free = 0;
        let mut i = w.free;
        while i != NIL {
            assert_eq!(w.slab[i as usize].tag, u64::from(FREE));
            free += 1;
            i = w.slab[i as usize].next;
        }
        assert_eq!(live + free, w.slab.len());
    }

    #[test]
    fn fires_on_its_tick_not_before() {
        let mut w = Wheel::new();
        w.insert(10, 1);
        assert_eq!(w.len(), 1);
        assert!(adv(&mut w, 9).is_empty());
        assert_eq!(adv(&mut w, 10), [1]);
        assert!(w.is_empty());
        assert_eq!(w.next_deadline(), None);
    }

    #[test]
    fn past_deadlines_fire_on_next_advance() {
        let mut w = Wheel::new();
        assert!(adv(&mut w, 1000).is_empty());
        w.insert(5, 1);
        w.insert(1000, 2);
        w.insert(0, 3);
        assert_eq!(w.next_deadline(), Some(0));
        // Even an advance to an earlier tick delivers them.
        assert_eq!(adv(&mut w, 3), [1, 2, 3]);
        assert_eq!(w.next_deadline(), None);
        // Tick 0 at tick 0.
        let mut w = Wheel::new();
        w.insert(0, 7);
        assert_eq!(adv(&mut w, 0), [7]);
    }

    #[test]
    fn fires_in_deadline_order_across_levels() {
        let mut w = Wheel::new();
        let deadlines = [
            4096u64,
            1,
            63,
            64,
            65,
            4095,
            262_143,
            262_144,
            100,
            1 << 30,
            (1 << 36) - 1,
        ];
        for (i, &d) in deadlines.iter().enumerate() {
            w.insert(d, i as u32);
        }
        check_invariants(&w);
        let fired = adv(&mut w, 1 << 36);
        let got: Vec<u64> = fired.iter().map(|&i| deadlines[i as usize]).collect();
        let mut want = deadlines.to_vec();
        want.sort_unstable();
        assert_eq!(got, want);
        check_invariants(&w);
    }

    #[test]
    fn level_boundaries_fire_exactly() {
        for level in 0..LEVELS as u32 {
            for d in [
                (1u64 << (6 * level)) - 1,
                1 << (6 * level),
                (1 << (6 * level)) + 1,
                (1 << (6 * (level + 1))) - 1,
            ] {
                if d == 0 {
                    continue;
                }
                let mut w = Wheel::new();
                w.insert(d, 1);
                assert!(adv(&mut w, d - 1).is_empty(), "deadline {d}");
                check_invariants(&w);
                assert_eq!(adv(&mut w, d), [1], "deadline {d}");
            }
        }
    }

    #[test]
    fn stale_keys_remove_nothing() {
        let mut w = Wheel::new();
        let a = w.insert(100, 1);
        assert_eq!(w.remove(a), Some((100, 1)));
        assert_eq!(w.remove(a), None);
        // The slab index is reused by the next insert; the old key misses.
        let b = w.insert(200, 2);
        assert_eq!(a.index, b.index);
        assert_eq!(w.remove(a), None);
        assert_eq!(w.len(), 1);
        // A fired key misses too, also after reuse.
        assert_eq!(adv(&mut w, 200), [2]);
        assert_eq!(w.remove(b), None);
        let c = w.insert(300, 3);
        assert_eq!(w.remove(b), None);
        assert_eq!(w.remove(c), Some((300, 3)));
        check_invariants(&w);
    }

    #[test]
    fn ids_wrap_past_zero() {
        let mut w = Wheel::new();
        w.next_id = ID_MAX;
        let a = w.insert(10, 1);
        let b = w.insert(10, 2);
        assert_eq!((a.id, b.id), (ID_MAX, 1));
        check_invariants(&w);
        assert_eq!(w.remove(a), Some((10, 1)));
        assert_eq!(w.remove(a), None);
        assert_eq!(adv(&mut w, 10), [2]);
        assert_eq!(w.remove(b), None);
    }

    #[test]
    fn remove_from_middle_head_and_tail_of_a_slot() {
        let mut w = Wheel::new();
        let keys: Vec<_> = (0..5).map(|i| w.insert(50, i)).collect();
        assert_eq!(w.remove(keys[2]), Some((50, 2)));
        assert_eq!(w.remove(keys[0]), Some((50, 0)));
        assert_eq!(w.remove(keys[4]), Some((50, 4)));
        check_invariants(&w);
        assert_eq!(adv(&mut w, 50), [1, 3]);
        // Emptying a slot by removal clears its bit.
        let k = w.insert(1000, 9);
        assert_ne!(w.occupied[1], 0);
        w.remove(k);
        assert_eq!(w.occupied, [0; LEVELS]);
        assert_eq!(w.next_deadline(), None);
    }

    #[test]
    fn many_timers_in_one_slot() {
        let mut w = Wheel::new();
        let keys: Vec<_> = (0..10_000u32).map(|i| w.insert(5000, i)).collect();
        for k in keys.iter().step_by(2) {
            assert!(w.remove(*k).is_some());
        }
        assert_eq!(w.len(), 5000);
        let fired = adv(&mut w, 5000);
        // Same deadline: insertion order.
        assert_eq!(fired, (1..10_000).step_by(2).collect::<Vec<_>>());
        assert!(w.is_empty());
    }

    #[test]
    fn huge_deadlines_go_through_overflow() {
        let mut w = Wheel::new();
        w.insert(u64::MAX, 1);
        w.insert(1 << 40, 2);
        w.insert((1 << 36) + 5, 3);
        let k = w.insert(1 << 50, 4);
        check_invariants(&w);
        assert_eq!(w.next_deadline(), Some((1 << 36) + 5));
        assert!(adv(&mut w, 1 << 36).is_empty());
        check_invariants(&w);
        assert_eq!(adv(&mut w, (1 << 36) + 5), [3]);
        assert_eq!(adv(&mut w, 1 << 40), [2]);
        assert_eq!(w.remove(k), Some((1 << 50, 4)));
        assert!(adv(&mut w, u64::MAX - 1).is_empty());
        check_invariants(&w);
        assert_eq!(w.next_deadline(), Some(u64::MAX));
        assert_eq!(adv(&mut w, u64::MAX), [1]);
        // At the end of time everything is past.
        w.insert(u64::MAX, 5);
        assert_eq!(adv(&mut w, u64::MAX), [5]);
        check_invariants(&w);
    }

    #[test]
    fn overflow_min_stays_a_lower_bound_after_removal() {
        let mut w = Wheel::new();
        let k = w.insert(1 << 40, 1);
        w.insert(1 << 45, 2);
        w.remove(k);
        let nd = w.next_deadline().unwrap();
        assert!(nd <= 1 << 45);
        // A big jump fires the survivor exactly once.
        assert_eq!(adv(&mut w, 1 << 46), [2]);
        assert!(w.is_empty());
        assert_eq!(w.overflow_min, u64::MAX);
    }

    #[test]
    fn next_deadline_is_exact_on_level_zero_and_a_lower_bound_above() {
        let mut w = Wheel::new();
        w.insert(70, 1);
        // Level 1 (70 is in slot 1, start 64).
        assert_eq!(w.next_deadline(), Some(64));
        w.insert(40, 2);
        assert_eq!(w.next_deadline(), Some(40));
        assert_eq!(adv(&mut w, 40), [2]);
        assert_eq!(w.next_deadline(), Some(64));
        assert!(adv(&mut w, 64).is_empty());
        // Cascaded to level 0: exact.
        assert_eq!(w.next_deadline(), Some(70));
    }

    /// A thread that sleeps until `next_deadline` and advances there
    /// delivers every entry on exactly its tick, with few early wake-ups.
    #[test]
    fn sleeping_until_next_deadline_fires_every_entry_on_its_tick() {
        let mut w = Wheel::new();
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut deadlines = HashMap::new();
        for i in 0..2000u32 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let d = match i % 4 {
                0 => rng % 100,
                1 => rng % 100_000,
                2 => rng % (1 << 34),
                _ => rng % (1 << 40),
            };
            w.insert(d, i);
            deadlines.insert(i, d);
        }
        let mut distinct: Vec<u64> = deadlines.values().copied().collect();
        distinct.sort_unstable();
        distinct.dedup();
        let max_wakeups = distinct.len() * (LEVELS + 2);
        let mut wakeups = 0;
        while let Some(t) = w.next_deadline() {
            wakeups += 1;
            assert!(
                wakeups <= max_wakeups,
                "more than {max_wakeups} wakeups for {} deadlines",
                distinct.len()
            );
            for v in adv(&mut w, t) {
                assert_eq!(deadlines.remove(&v), Some(t), "entry {v} fired at {t}");
            }
        }
        assert!(deadlines.is_empty());
    }

    /// "Millions of pending timers cost a few dozen bytes each."
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn an_entry_of_the_runtime_is_64_bytes() {
        assert_eq!(size_of::<Entry<crate::timer::Action>>(), 64);
        assert_eq!(size_of::<TimerKey>(), 16);
    }

    #[test]
    fn debug_output() {
        let mut w = Wheel::new();
        w.insert(3, ());
        let s = format!("{w:?}");
        assert!(s.starts_with("Wheel { len: 1"), "{s}");
    }

    // ---- Property test against a BTreeMap model ----

    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        /// Insert `count` entries at `deadline(now, d)`.
        Insert { d: Deadline, count: u8 },
        /// Remove the key issued `k`-th (modulo the number issued), which
        /// may be pending, removed or fired.
        Remove { k: usize },
        /// Advance by `by` ticks.
        Advance { by: u64 },
        /// Advance to `next_deadline()` (the timer thread's move).
        AdvanceToNext,
    }

    #[derive(Debug, Clone)]
    enum Deadline {
        Past(u64),
        After(u64),
        Absolute(u64),
    }

    fn deadline_strategy() -> impl Strategy<Value = Deadline> {
        prop_oneof![
            2 => (0u64..200).prop_map(Deadline::Past),
            4 => (0u64..130).prop_map(Deadline::After),
            3 => (0u64..300_000).prop_map(Deadline::After),
            2 => (0u64..(1 << 37)).prop_map(Deadline::After),
            1 => ((1u64 << 36)..(1 << 50)).prop_map(Deadline::After),
            1 => prop_oneof![
                Just(u64::MAX),
                (0u64..1000).prop_map(|x| u64::MAX - x),
                (0u64..u64::MAX),
            ]
            .prop_map(Deadline::Absolute),
        ]
    }

    fn op_strategy() -> impl Strategy<Value = Op> {
        prop_oneof![
            8 => (deadline_strategy(), prop_oneof![5 => Just(1u8), 1 => 2u8..40])
                .prop_map(|(d, count)| Op::Insert { d, count }),
            4 => any::<usize>().prop_map(|k| Op::Remove { k }),
            2 => (0u64..70).prop_map(|by| Op::Advance { by }),
            2 => (0u64..300_000).prop_map(|by| Op::Advance { by }),
            1 => (0u64..(1 << 38)).prop_map(|by| Op::Advance { by }),
            1 => prop_oneof![
                4 => Just(1u64 << 36),
                4 => 0u64..(1 << 60),
                1 => 0u64..u64::MAX,
            ]
            .prop_map(|by| Op::Advance { by }),
            3 => Just(Op::AdvanceToNext),
        ]
    }

    /// The model: pending entries by (deadline, value), and the high-water
    /// mark of `now`.
    struct Model {
        pending: BTreeMap<(u64, u32), ()>,
        now: u64,
    }

    fn run_ops(ops: Vec<Op>) -> Result<(), TestCaseError> {
        let mut w: Wheel<u32> = Wheel::new();
        let mut m = Model {
            pending: BTreeMap::new(),
            now: 0,
        };
        let mut keys: Vec<(TimerKey, u64, u32)> = Vec::new();
        let mut next_value = 0u32;
        for op in ops {
            match op {
                Op::Insert { d, count } => {
                    let deadline = match d {
                        Deadline::Past(x) => m.now.saturating_sub(x),
                        Deadline::After(x) => m.now.saturating_add(x),
                        Deadline::Absolute(x) => x,
                    };
                    for _ in 0..count {
                        let v = next_value;
                        next_value += 1;
                        let k = w.insert(deadline, v);
                        keys.push((k, deadline, v));
                        m.pending.insert((deadline, v), ());
                    }
                }
                Op::Remove { k } => {
                    if keys.is_empty() {
                        continue;
                    }
                    let (key, deadline, v) = keys[k % keys.len()];
                    let want = m.pending.remove(&(deadline, v)).map(|()| (deadline, v));
                    prop_assert_eq!(w.remove(key), want);
                }
                Op::Advance { .. } | Op::AdvanceToNext => {
                    let to = match op {
                        Op::Advance { by } => m.now.saturating_add(by),
                        _ => match w.next_deadline() {
                            Some(t) => t,
                            None => continue,
                        },
                    };
                    let before = m.now;
                    let mut fired = Vec::new();
                    w.advance(to, &mut fired);
                    m.now = m.now.max(to);
                    let mut want = Vec::new();
                    while let Some(e) = m.pending.first_entry() {
                        if e.key().0 > m.now {
                            break;
                        }
                        want.push(e.key().1);
                        e.remove();
                    }
                    // Entries that were not yet due at `before` come out in
                    // deadline order, after the past-due ones.
                    let deadline_of = |v: u32| keys[v as usize].1;
                    let late: Vec<u64> = fired
                        .iter()
                        .map(|&v| deadline_of(v))
                        .skip_while(|&d| d <= before)
                        .collect();
                    prop_assert!(late.iter().all(|&d| d > before), "order {:?}", late);
                    prop_assert!(late.is_sorted(), "order {:?}", late);
                    let mut got = fired;
                    got.sort_unstable();
                    want.sort_unstable();
                    prop_assert_eq!(got, want);
                }
            }
            prop_assert_eq!(w.len(), m.pending.len());
            prop_assert_eq!(w.is_empty(), m.pending.is_empty());
            // next_deadline: None iff empty; never after the earliest
            // deadline; exact when that is due or within level 0; and past
            // the current tick unless something is already due.
            let nd = w.next_deadline();
            match m.pending.keys().next() {
                None => prop_assert_eq!(nd, None),
                Some(&(min, _)) => {
                    let nd = nd.expect("non-empty wheel has a next deadline");
                    prop_assert!(nd <= min, "next_deadline {} > min {}", nd, min);
                    if min <= m.now || min >> 6 == m.now >> 6 {
                        prop_assert_eq!(nd, min);
                    } else {
                        prop_assert!(nd > m.now);
                    }
                }
            }
            check_invariants(&w);
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn matches_btreemap_model(ops in proptest::collection::vec(op_strategy(), 1..200)) {
            run_ops(ops)?;
        }
    }
}
