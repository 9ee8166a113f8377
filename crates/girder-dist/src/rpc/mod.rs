//! Rust functions that other nodes call: `rpc:call/4` and `erpc:call/4`
//! from Erlang and Elixir run functions registered on a
//! [`crate::DistNode`] by `{Module, Function, Arity}`.
//!
//! # How a call arrives
//!
//! A BEAM node has no "call" message: `erpc:call(Node, M, F, A)` (and
//! OTP 23+'s `rpc:call/4`, which is `erpc:call` with its errors turned
//! into `{badrpc, _}`) sends a *spawn request* (`SPAWN_REQUEST`,
//! `erlang:spawn_request/5`) for `erpc:execute_call(Ref, M, F, A)` with
//! the option `monitor`. The node spawns that process and answers with
//! `SPAWN_REPLY`; the process applies `M:F(A...)` and exits with
//! `{Ref, return, Result}`, or with a form that says which exception it
//! raised; the caller reads that reason from the `'DOWN'` of its monitor.
//! Girder serves the same: it advertises `DFLAG_SPAWN`, answers `rex`'s
//! features request with `[erpc]`, spawns a girder process per request,
//! and that process runs the registered Rust function and exits with the
//! reason `erpc` expects.
//!
//! # What the caller sees
//!
//! | the Rust function | `erpc:call/4` | `rpc:call/4` |
//! |---|---|---|
//! | returns `Ok(v)` | `V` | `V` |
//! | returns `Err(RpcError::Error(r))` | raises `error:{exception, R, [{M, F, Arity, []}]}` | `{badrpc, {'EXIT', {R, [{M, F, Arity, []}]}}}` |
//! | returns `Err(RpcError::Exit(r))` | raises `exit:{exception, R}` | `{badrpc, {'EXIT', R}}` |
//! | returns `Err(RpcError::Throw(v))` | raises `throw:V` | `V` |
//! | panics with `msg` | raises `error:{exception, {panic, <<"msg">>}, [{M, F, Arity, []}]}` | `{badrpc, {'EXIT', {{panic, <<"msg">>}, [...]}}}` |
//! | is not registered (or not with that arity) | raises `error:{exception, undef, [{M, F, Args, []}]}` | `{badrpc, {'EXIT', {undef, [{M, F, Args, []}]}}}` |
//! | takes longer than `erpc:call/5`'s timeout | raises `error:{erpc, timeout}` | `{badrpc, timeout}` |
//! | its process is killed | raises `exit:{signal, killed}` | `{badrpc, {'EXIT', killed}}` |
//!
//! These are exactly the forms an Erlang function gives in the same case.
//! A timed-out call's process keeps running to its end, as in Erlang (the
//! caller drops its monitor; nothing reaches it).
//!
//! `erpc:cast/4` and `rpc:cast/4` (`erpc:execute_cast/3`) run the function
//! and ignore its result. A spawn request for any other `M:F/A`
//! (`erlang:spawn_request/5`, `spawn/4`) runs the registered function as
//! the process's body: the process exits `normal` when it returns `Ok`,
//! and with an uncaught exception's reason otherwise (`{R, Stack}` for an
//! error, `R` for an exit, `{{nocatch, V}, Stack}` for a throw, `{undef,
//! [{M, F, Args, []}]}` for a function nobody registered); its `link` and
//! `monitor` options link the new process to the requester and let the
//! requester monitor it, across the bridge as for any remote pid.
//!
//! # Registering
//!
//! [`crate::DistNode::register_fn`] takes a function of the argument
//! terms, [`crate::DistNode::register_async_fn`] a function that returns a
//! future (it runs as the body of the girder process spawned for the
//! call), and [`crate::DistNode::register_typed_fn`] a function of serde
//! types ([`RpcArgs`]) returning a serde value.

mod api;
mod args;
mod error;
pub(crate) mod execute;
pub(crate) mod registry;

pub use args::RpcArgs;
pub use error::{RegisterFnError, RpcError};
