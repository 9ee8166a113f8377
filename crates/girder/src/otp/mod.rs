//! # OTP behaviours
//!
//! The design patterns that make "let it crash" work, with OTP's semantics,
//! in typed Rust: [`gen_server`] (a server process with typed calls and
//! casts), [`supervisor`] and [`dynamic_supervisor`] (processes that start,
//! watch and restart others), [`task`] (one-off asynchronous work),
//! [`agent`] (state behind a process) and [`registry`] (Elixir's
//! `Registry`: keys to processes, removed when they die).

pub mod agent;
pub mod dynamic_supervisor;
pub mod gen_server;
pub mod name;
pub mod registry;
pub mod supervisor;
pub mod task;

pub use self::agent::Agent;
pub use self::dynamic_supervisor::DynamicSupervisor;
pub use self::gen_server::{GenServer, Server};
pub use self::name::{Name, ViaName};
pub use self::supervisor::{ChildSpec, Restart, Shutdown, Strategy, Supervisor};
pub use self::task::{Task, TaskSupervisor};
