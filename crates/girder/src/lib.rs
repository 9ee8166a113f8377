//! # Girder — the BEAM process model, in Rust
//!
//! The crate users import. It re-exports the runtime ([`girder_core`]):
//! processes, mailboxes, links, monitors, the registry, timers. The OTP
//! behaviours (`girder::otp`) build on it.
//!
//! ```
//! use girder::prelude::*;
//!
//! let answer = girder::run(async {
//!     let me = self_pid();
//!     spawn(async move { send(me, 42u32) });
//!     receive::<u32>().await
//! });
//! assert_eq!(answer, Ok(42));
//! ```
#![forbid(unsafe_code)]

pub use girder_core::*;

/// Everything a process body usually needs, in one `use`.
pub mod prelude {
    pub use girder_core::{
        Down, Exit, ExitReason, Pid, Ref, blocking, cancel_timer, consume_reductions, demonitor,
        demonitor_flush, exit, link, make_ref, monitor, process_info, receive, receive_match,
        register, self_pid, send, send_after, send_named, sleep, spawn, spawn_link, spawn_monitor,
        trap_exit, unlink, whereis, yield_now,
    };
}
