//! [`Mimalloc`]: a global allocator on mimalloc for programs built on Girder
//! (feature `mimalloc`; the `girder` binary uses it).
//!
//! Girder allocates per process (its task and control block) and per
//! message; mimalloc's thread-local free lists keep spawn, send and exit off
//! a shared arena lock. This differs from the `mimalloc` crate's allocator
//! in one way, measured in `BENCHMARKS.md`: a request that needs no more
//! than word alignment goes to `mi_malloc`, not `mi_malloc_aligned`. Every
//! mimalloc block is word-aligned, but mimalloc 3's aligned entry point
//! takes its fast path only while the page of the right size has a free
//! block at hand; otherwise a block whose size class is not a power of two
//! (the 112-byte process control block, most futures) is over-allocated
//! from a larger size class, ~150 instructions instead of ~20, and the page
//! of its own size class is never refilled.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// Alignment every mimalloc block has (blocks are whole words from a
/// 16-byte aligned page start).
const WORD: usize = size_of::<usize>();

/// The global allocator for programs on Girder:
///
/// ```ignore
/// #[global_allocator]
/// static GLOBAL: girder_core::Mimalloc = girder_core::Mimalloc;
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Mimalloc;

// SAFETY: every method forwards to mimalloc, which returns null or a block of
// at least `layout.size()` bytes aligned to `layout.align()`: `mi_malloc`
// and friends are used only when the alignment is at most a word, which
// every mimalloc block has; larger alignments go to the `_aligned` entry
// points. `dealloc` and `realloc` receive only pointers this allocator
// returned, which `mi_free` and `mi_realloc*` accept whichever entry point
// made them.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl; mimalloc accepts any size.
        unsafe {
            if layout.align() <= WORD {
                mi::mi_malloc(layout.size()).cast()
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        unsafe {
            if layout.align() <= WORD {
                mi::mi_zalloc(layout.size()).cast()
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator (GlobalAlloc's contract).
        unsafe { mi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`
        // (GlobalAlloc's contract); the alignment rule is `alloc`'s.
        unsafe {
            if layout.align() <= WORD {
                mi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every size and alignment a program asks for comes back aligned,
    /// writable, zeroed when asked, and keeps its contents across realloc.
    #[test]
    fn blocks_are_aligned_zeroed_and_reallocated() {
        let a = Mimalloc;
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1, 3, 7, 8, 12, 24, 40, 112, 120, 1000, 70_000] {
                let layout = Layout::from_size_align(size, align).expect("layout");
                // SAFETY: non-zero size; each block is freed once, with its layout.
                unsafe {
                    let p = a.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size} align {align}");
                    p.write_bytes(0xAB, size);
                    let q = a.realloc(p, layout, size * 3);
                    assert_eq!(q as usize % align, 0, "realloc size {size} align {align}");
                    assert!((0..size).all(|i| *q.add(i) == 0xAB));
                    a.dealloc(q, Layout::from_size_align(size * 3, align).expect("layout"));
                    let z = a.alloc_zeroed(layout);
                    assert_eq!(z as usize % align, 0);
                    assert!((0..size).all(|i| *z.add(i) == 0));
                    a.dealloc(z, layout);
                }
            }
        }
    }
}
