//! # Girder — the BEAM process model, in Rust
//!
//! The crate users import. It re-exports the runtime ([`girder_core`]):
//! processes, mailboxes, links, monitors, the registry, timers; and, as
//! [`girder::term`](term), Erlang terms, the External Term Format and the
//! serde bridge ([`girder_term`]) that carry data to and from Erlang and
//! Elixir nodes. The OTP behaviours (`girder::otp`) build on them.
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

/// Erlang terms, the External Term Format, and serde to and from them: the
/// [`girder_term`] crate.
pub use girder_term as term;

pub mod otp;

/// Everything a process body usually needs, in one `use`.
pub mod prelude {
    pub use girder_core::{
        Down, Exit, ExitReason, Handle, Pid, Ref, Status, blocking, bump_reductions, cancel_timer,
        consume_reductions, demonitor, demonitor_flush, exit, is_process_alive, link, make_ref,
        monitor, process_info, processes, receive, receive_match, register, self_pid, send,
        send_after, send_named, sleep, spawn, spawn_link, spawn_monitor, trap_exit, unlink,
        unregister, whereis, yield_now,
    };
}
