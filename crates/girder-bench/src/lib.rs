//! # girder-bench — the same workloads on Girder, Erlang/OTP and tokio
//!
//! The workloads behind `girder bench`: each is written three times, the
//! idiomatic way for each system — a Girder process, a tokio task with
//! `mpsc`/`oneshot` channels, and an Erlang process (`bench/erlang/`,
//! compiled with `erlc` and run by the real `erl`) — and reports the same
//! figures in the same line format, so one run on one machine puts them
//! side by side. The `dist` workload (two nodes over loopback) is written
//! twice, Girder and Erlang, and also pairs a Girder node with an `erl`
//! node; tokio has no distribution.
//!
//! ```
//! use girder_bench::{Sizes, System, Workload};
//!
//! let sizes = Sizes::quick();
//! let case = &Workload::PingPong.cases(&sizes, 1)[0];
//! let mut case = case.clone();
//! case.args = vec![1_000]; // a thousand round trips, for the example
//! let samples = Workload::PingPong.run_rust(System::Girder, &case).unwrap();
//! assert!(samples.iter().any(|s| s.key == "1s.p99" && s.value > 0.0));
//! ```
//!
//! ## The model
//!
//! * A [`Workload`] has [`Case`]s (sizes and a scheduler count); a case
//!   reports [`Metric`]s, each a key, a unit and a direction.
//! * A **run** of a case on one system prints [`Sample`]s, `@ key value`
//!   lines, read back by [`RunOutput::parse`]. Rust runs go through
//!   [`Workload::run_rust`] — `girder bench` calls it in a child OS process
//!   of its own, as the Erlang runs get a VM of their own; Erlang runs go
//!   through [`Erlang::run`].
//! * Each system's figure is the [`median`] of several runs.
//!
//! What each workload measures, and why that is fair to each peer, is
//! [`Workload::about`].
#![forbid(unsafe_code)]

mod child;
mod dist;
mod erlang;
mod error;
pub mod mem;
mod metric;
mod rt;
mod sizes;
mod stats;
mod system;
mod workload;

mod fairness;
mod fan_in;
mod idle_memory;
mod ping_pong;
mod ring;
mod selective_receive;
mod skynet;
mod spawn_exit;
mod timers;

pub use crate::child::run_command;
pub use crate::erlang::{ERL_DIR_ENV, Erlang, on_path};
pub use crate::error::{BenchError, Result};
pub use crate::metric::{Better, Metric, RunOutput, Sample, Unit, median, short_count, thousands};
pub use crate::sizes::Sizes;
pub use crate::system::System;
pub use crate::workload::{Case, Workload};
