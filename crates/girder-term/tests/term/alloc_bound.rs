//! The memory the decoder allocates is bounded by the [`Limits`], whatever
//! lengths the input claims: a counting global allocator records the peak of
//! live bytes allocated by the decoding thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use girder_term::{Limits, decode_with};

use crate::util::golden;

struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn note(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every method forwards to `System` with the caller's arguments and
// only adds bookkeeping in thread-locals that never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            note(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc_zeroed`'s contract.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            note(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds `GlobalAlloc::dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) };
        note(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            note(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak live bytes allocated by this thread while `f` runs, above the level
/// at its start (what `f` leaves allocated, e.g. its result, included).
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    let peak = PEAK.with(Cell::get);
    (out, (peak - base).max(0) as usize)
}

const MIB: usize = 1 << 20;

/// Hostile inputs that claim far more than they hold, or hold a lot.
fn hostile() -> Vec<(&'static str, Vec<u8>)> {
    let max32 = [0xFF, 0xFF, 0xFF, 0xFF];
    let mut million_atoms = vec![131, 108];
    million_atoms.extend(1_000_000u32.to_be_bytes());
    for _ in 0..1_000_000 {
        million_atoms.extend([119, 1, b'a']);
    }
    million_atoms.push(106);
    let mut million_nils = vec![131, 108];
    million_nils.extend(4_000_000u32.to_be_bytes());
    million_nils.resize(million_nils.len() + 4_000_001, 106);
    let mut deep = vec![131];
    for _ in 0..1_000_000 {
        deep.extend([104, 1]);
    }
    deep.push(106);
    let mut big_binary = vec![131, 109];
    big_binary.extend((8 * MIB as u32).to_be_bytes());
    big_binary.resize(6 + 8 * MIB, 7);
    let mut bomb_body = vec![109];
    bomb_body.extend((16 * MIB as u32 - 5).to_be_bytes());
    bomb_body.resize(16 * MIB, 0);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut z, &bomb_body).unwrap();
    let stream = z.finish().unwrap();
    let bomb = |declared: u32| [&[131, 80][..], &declared.to_be_bytes(), &stream].concat();
    vec![
        ("tuple 2^32-1", [&[131, 105][..], &max32, &[97, 1]].concat()),
        ("list 2^32-1", [&[131, 108][..], &max32, &[97, 1]].concat()),
        ("map 2^32-1", [&[131, 116][..], &max32, &[97, 1]].concat()),
        ("binary 2^32-1", [&[131, 109][..], &max32, &[1]].concat()),
        ("big 2^32-1", [&[131, 111][..], &max32, &[0, 1]].concat()),
        ("a million atoms", million_atoms),
        ("four million nils", million_nils),
        ("a million tuples deep", deep),
        ("an 8 MiB binary", big_binary),
        ("bomb declared 16 MiB", bomb(16 * MIB as u32)),
        ("bomb declared 1000", bomb(1000)),
        ("bomb declared 2^32-1", bomb(u32::MAX)),
    ]
}

/// With 1 MiB of heap and of decompressed data allowed, no input makes the
/// decoder hold more than those plus a fixed slack, whatever it claims.
#[test]
fn decoding_allocates_within_the_limits() {
    let limits = Limits::default()
        .max_heap_bytes(MIB)
        .max_decompressed_bytes(MIB);
    let bound = 2 * MIB + 256 * 1024;
    for (what, bytes) in hostile() {
        let (result, peak) = peak_during(|| decode_with(&bytes, &limits).map(drop));
        assert!(result.is_err(), "{what} decoded");
        assert!(peak <= bound, "{what}: peak {peak} bytes > {bound}");
    }
    for v in golden() {
        let (_, peak) = peak_during(|| decode_with(&v.bytes, &limits).map(drop));
        assert!(peak <= bound, "{}: peak {peak} bytes > {bound}", v.name);
    }
}

/// With the default limits the same inputs stay within the default budget.
#[test]
fn default_limits_bound_memory_too() {
    let limits = Limits::default();
    let bound = 256 * MIB + 64 * MIB + MIB;
    for (what, bytes) in hostile() {
        let (_, peak) = peak_during(|| decode_with(&bytes, &limits).map(drop));
        assert!(peak <= bound, "{what}: peak {peak} bytes > {bound}");
    }
}
