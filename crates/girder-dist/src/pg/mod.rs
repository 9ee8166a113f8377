//! Process groups, compatible with Erlang's `pg` (OTP 23+): named groups of
//! processes across the cluster, with eventually consistent membership.
//!
//! A *scope* is a process registered under the scope's name (`pg` by
//! default) on each node that takes part. Scopes of the same name find
//! each other when nodes connect and exchange their local members, then
//! broadcast every join and leave; a girder scope speaks the same
//! protocol as Erlang's, so a girder node and an Erlang node running
//! `pg:start_link()` see each other's groups. Groups are any
//! [`girder_term::Term`] ([`atom`] and [`string`] make the usual ones).
//!
//! * Only local processes join or leave ([`Scope::join`]); a member that
//!   exits leaves every group it joined.
//! * When a node goes down (or its scope stops), its members are dropped
//!   from every group.
//! * Reads ([`Scope::get_members`], [`Scope::get_local_members`],
//!   [`Scope::which_groups`]) see this node's view at once; other nodes
//!   see a change when the broadcast reaches them. Subscribe with
//!   [`Scope::monitor`] or [`Scope::monitor_scope`] to wait for one.
//!
//! Erlang's `pg`, Elixir's `:pg`. Differences: the scope is not linked to
//! its starter; groups are returned sorted by `which_groups`.

mod api;
mod scope;
mod table;

pub use api::{
    Action, DEFAULT_SCOPE, IntoPids, PgError, PgEvent, Scope, StartError, atom, start, start_scope,
    string,
};
