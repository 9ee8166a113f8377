//! # girder-core — the BEAM process model, in Rust
//!
//! This crate is Girder's runtime, what erts is to Erlang: lightweight
//! processes on one scheduler thread per core, mailboxes with selective
//! receive, links, monitors and exit signals with Erlang's semantics, a
//! process registry, timers, a blocking pool, and introspection. Most users
//! import the façade crate `girder`, which re-exports all of this and adds
//! the OTP behaviours.
//!
//! ```
//! use girder_core::{receive, self_pid, send, spawn};
//!
//! let reply = girder_core::run(async {
//!     let parent = self_pid();
//!     let echo = spawn(async move {
//!         let (from, text) = receive::<(girder_core::Pid, String)>().await;
//!         send(from, format!("echo: {text}"));
//!     });
//!     send(echo, (parent, "hello".to_string()));
//!     receive::<String>().await
//! });
//! assert_eq!(reply.unwrap(), "echo: hello");
//! ```
//!
//! ## The model
//!
//! * A **process** is a future (usually an `async` block) plus a small
//!   control block. It is not an OS thread and not a tokio task. It has a
//!   [`Pid`], a mailbox, links and monitors, and ends with an
//!   [`ExitReason`]: `Normal` when its future returns `()`, `Panic(msg)` when
//!   it panics (the scheduler survives), or whatever exit signal ended it.
//! * **Schedulers** ([`scheduler`](crate::Runtime)): one thread per core,
//!   each with a run queue; idle ones steal work. Every runtime operation
//!   costs reductions; a process that spent its slice (4,000) yields at its
//!   next receive, sleep or [`consume_reductions`] call.
//! * **Messages** are any `Send + 'static` value, moved (never copied) into
//!   the receiver's mailbox; [`receive()`], [`receive_match`] and
//!   [`receive!`] take the first message that matches, leaving the others.
//! * **Signals** — messages, exit signals, link/unlink, monitor/demonitor,
//!   `DOWN` — between two processes arrive in the order they were sent.
//! * **Links** ([`link`], [`spawn_link`]) propagate exits both ways;
//!   [`trap_exit`] turns them into [`Exit`] messages. **Monitors**
//!   ([`monitor`], [`spawn_monitor`]) deliver one [`Down`] message.
//!
//! ## Erlang and Elixir names
//!
//! | Erlang | Elixir | Girder |
//! |---|---|---|
//! | `spawn/1`, `spawn_link/1`, `spawn_monitor/1` | `spawn/1`, `spawn_link/1`, `spawn_monitor/1` | [`spawn`], [`spawn_link`], [`spawn_monitor`] |
//! | `self()` | `self()` | [`self_pid`] |
//! | `Pid ! Msg` | `send(pid, msg)` | [`send`], [`send_named`] |
//! | `receive … after … end` | `receive do … after … end` | [`receive()`], [`receive_match`], [`receive!`], `.timeout(d)` |
//! | `exit/2` | `Process.exit/2` | [`exit`] |
//! | `process_flag(trap_exit, true)` | `Process.flag(:trap_exit, true)` | [`trap_exit`] |
//! | `link/1`, `unlink/1` | `Process.link/1`, `Process.unlink/1` | [`link`], [`unlink`] |
//! | `monitor/2`, `demonitor/2` | `Process.monitor/1`, `Process.demonitor/2` | [`monitor`], [`demonitor`], [`demonitor_flush`] |
//! | `register/2`, `whereis/1`, `unregister/1` | `Process.register/2`, … | [`register`], [`whereis`], [`unregister`] |
//! | `erlang:send_after/3`, `cancel_timer/1`, `timer:sleep/1` | `Process.send_after/3`, … | [`send_after`], [`cancel_timer`], [`sleep`] |
//! | `process_info/1`, `processes/0` | `Process.info/1`, `Process.list/0` | [`process_info`], [`processes`] |
//! | `make_ref/0` | `make_ref/0` | [`make_ref`] |
//! | `alias/0`, `unalias/1` | `Process.alias/0`, `Process.unalias/1` | [`alias`], [`unalias`], [`Alias::send`] |
//! | `erlang:yield/0`, `bump_reductions/1` | — | [`yield_now`], [`bump_reductions`], [`consume_reductions`] |
//! | dirty schedulers | — | [`blocking`] |
//!
//! ## I/O
//!
//! Scheduler threads enter a tokio runtime whose reactor runs on its own
//! thread, so a process can `.await` tokio sockets, timers, and tokio-based
//! libraries directly.

mod alias;
#[cfg(feature = "mimalloc")]
mod allocator;
mod blocking;
pub mod dist;
mod info;
mod lazy_deque;
mod mailbox;
mod pid;
mod process;
mod reason;
mod receive;
mod ref_map;
mod registry;
mod runtime;
mod scheduler;
mod signal;
mod signal_queue;
pub(crate) mod sync;
mod timer;
mod watchdog;

pub use crate::alias::{Alias, alias, unalias};
#[cfg(feature = "mimalloc")]
pub use crate::allocator::Mimalloc;
pub use crate::blocking::blocking;
pub use crate::info::{ProcessInfo, Status, process_info, processes};
pub use crate::pid::{LOCAL_NODE, Pid, Ref};
pub use crate::process::{
    demonitor, demonitor_flush, exit, is_process_alive, link, monitor, self_pid, spawn, spawn_link,
    spawn_monitor, trap_exit, try_self_pid, unlink,
};
pub use crate::reason::{ExitReason, IntoExitReason, Reason};
pub use crate::receive::{
    __receive_arm, Receive, ReceiveTimeout, Select, SelectTimeout, make_ref, receive,
    receive_match, receive_select,
};
pub use crate::registry::{RegisterError, register, registered, unregister, whereis};
pub use crate::runtime::{Builder, Handle, Runtime, run};
pub use crate::scheduler::reductions::{
    MaybeYield, SLICE, YieldNow, bump_reductions, consume_reductions, yield_now,
};
pub use crate::signal::{Down, Exit, SendError, send, send_named};
pub use crate::timer::{Sleep, TimerRef, cancel_timer, pending_timers, send_after, sleep};
pub use crate::watchdog::{LongSchedule, system_monitor};
