//! Registering Rust functions on a [`DistNode`], so that other nodes'
//! `rpc:call/4` and `erpc:call/4` run them.

use std::future::Future;
use std::sync::Arc;

use girder_term::{Atom, Term};
use serde::Serialize;

use crate::bridge::DistNode;
use crate::rpc::args::RpcArgs;
use crate::rpc::error::{RegisterFnError, RpcError};
use crate::rpc::registry::RpcFn;

impl DistNode {
    /// Makes `f` callable from other nodes as `module:function/arity`:
    /// `rpc:call(Node, Module, Function, Args)` and `erpc:call/4` from
    /// Erlang, `:rpc.call/4` and `:erpc.call/4` from Elixir, and
    /// `spawn_request`/`spawn/4` of it. Registering the same
    /// `{Module, Function, Arity}` again replaces the function, as loading
    /// a new version of a module does; calls already running keep the old
    /// one. The Erlang counterpart is a loaded module that exports
    /// `Function/Arity` (an Elixir module is the atom `'Elixir.Name'`).
    ///
    /// Each call runs in a girder process of its own, spawned for the
    /// request; `f` gets exactly `arity` arguments. It runs on a scheduler
    /// thread: for long or blocking work use [`Self::register_async_fn`]
    /// (and [`girder::blocking`]). What `f` returns reaches the caller as
    /// [`RpcError`] describes; a panic is an `error` exception.
    ///
    /// ```
    /// # use girder_dist::{Cookie, NodeConfig, RpcError};
    /// # use girder_term::Term;
    /// # let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    /// girder::run(async move {
    /// #   let config = NodeConfig::new("math@127.0.0.1").unwrap()
    /// #       .cookie(Cookie::new("secret").unwrap()).epmd_port(port);
    ///     let node = girder_dist::start(&girder::Handle::current(), config).await.unwrap();
    ///     // From Erlang: rpc:call('math@127.0.0.1', math, add, [1, 2]) =:= 3.
    ///     node.register_fn("math", "add", 2, |args| {
    ///         match (args[0].as_i64(), args[1].as_i64()) {
    ///             (Some(a), Some(b)) => Ok(Term::integer(i128::from(a) + i128::from(b))),
    ///             _ => Err(RpcError::badarg()),
    ///         }
    ///     }).unwrap();
    ///     assert_eq!(node.registered_fns().len(), 1);
    /// }).unwrap();
    /// ```
    pub fn register_fn<F>(
        &self,
        module: &str,
        function: &str,
        arity: u8,
        f: F,
    ) -> Result<(), RegisterFnError>
    where
        F: Fn(Vec<Term>) -> Result<Term, RpcError> + Send + Sync + 'static,
    {
        let f: RpcFn = Arc::new(move |args| Box::pin(std::future::ready(f(args))));
        self.state.rpc.insert(module, function, arity, f)
    }

    /// Like [`Self::register_fn`], for a function that returns a future.
    /// The future runs as the body of the girder process spawned for the
    /// call, so it may do anything a process does: `receive` messages (the
    /// caller's pid is not known to it), `girder::sleep`, await tokio I/O,
    /// run [`girder::blocking`] work. If the process is killed (an exit
    /// signal from a linked caller), the future is dropped.
    ///
    /// A caller that gives up (`erpc:call/5`'s timeout) does not stop the
    /// process, as in Erlang: it runs to its end, and nobody hears of it.
    ///
    /// ```
    /// # use girder_dist::{Cookie, NodeConfig};
    /// # use girder_term::Term;
    /// # use std::time::Duration;
    /// # let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    /// girder::run(async move {
    /// #   let config = NodeConfig::new("slow@127.0.0.1").unwrap()
    /// #       .cookie(Cookie::new("secret").unwrap()).epmd_port(port);
    ///     let node = girder_dist::start(&girder::Handle::current(), config).await.unwrap();
    ///     // erpc:call('slow@127.0.0.1', jobs, run, [<<"x">>], 5000).
    ///     node.register_async_fn("jobs", "run", 1, |args| async move {
    ///         girder::sleep(Duration::from_millis(10)).await;
    ///         Ok(Term::tuple([Term::atom("done"), args[0].clone()]))
    ///     }).unwrap();
    /// }).unwrap();
    /// ```
    pub fn register_async_fn<F, Fut>(
        &self,
        module: &str,
        function: &str,
        arity: u8,
        f: F,
    ) -> Result<(), RegisterFnError>
    where
        F: Fn(Vec<Term>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Term, RpcError>> + Send + 'static,
    {
        let f: RpcFn = Arc::new(move |args| Box::pin(f(args)));
        self.state.rpc.insert(module, function, arity, f)
    }

    /// Like [`Self::register_fn`], with serde types for the arguments and
    /// the result: the arguments are a tuple of [`serde::de::DeserializeOwned`]
    /// types ([`RpcArgs`]; its length is the arity), the result any
    /// [`Serialize`] value, both mapped as DESIGN §5 says (a struct is a
    /// map with atom keys, a `String` a binary, ...).
    ///
    /// An argument that does not decode is `error:badarg` for the caller
    /// (as an Erlang function raises for an argument of the wrong type); a
    /// result that does not encode is `error:{bad_return, <<"why">>}`.
    ///
    /// ```
    /// # use girder_dist::{Cookie, NodeConfig, RpcError};
    /// # let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    /// #[derive(serde::Serialize)]
    /// struct Greeting { text: String, length: usize }
    /// girder::run(async move {
    /// #   let config = NodeConfig::new("greet@127.0.0.1").unwrap()
    /// #       .cookie(Cookie::new("secret").unwrap()).epmd_port(port);
    ///     let node = girder_dist::start(&girder::Handle::current(), config).await.unwrap();
    ///     // Elixir: :rpc.call(:"greet@127.0.0.1", Greeter, :hello, ["ann"])
    ///     //   => %{text: "hello, ann", length: 10}
    ///     node.register_typed_fn("Elixir.Greeter", "hello", |(name,): (String,)| {
    ///         let text = format!("hello, {name}");
    ///         Ok::<_, RpcError>(Greeting { length: text.len(), text })
    ///     }).unwrap();
    /// }).unwrap();
    /// ```
    pub fn register_typed_fn<A, R, F>(
        &self,
        module: &str,
        function: &str,
        f: F,
    ) -> Result<(), RegisterFnError>
    where
        A: RpcArgs,
        R: Serialize,
        F: Fn(A) -> Result<R, RpcError> + Send + Sync + 'static,
    {
        let name = format!("{module}:{function}/{}", A::ARITY);
        self.register_fn(module, function, A::ARITY, move |args| {
            let args = A::from_args(args).map_err(|e| {
                tracing::debug!(function = %name, error = %e, "arguments do not decode; badarg");
                RpcError::badarg()
            })?;
            let result = f(args)?;
            girder_term::to_term(&result).map_err(|e| {
                RpcError::Error(Term::tuple([
                    Term::atom("bad_return"),
                    Term::binary(e.to_string()),
                ]))
            })
        })
    }

    /// Removes `module:function/arity`; true if it was registered. Calls
    /// already running finish; new ones raise `error:undef`. Erlang
    /// `code:delete/1` for one function.
    ///
    /// ```
    /// # use girder_dist::{Cookie, NodeConfig};
    /// # use girder_term::Term;
    /// # let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    /// girder::run(async move {
    /// #   let config = NodeConfig::new("unreg@127.0.0.1").unwrap()
    /// #       .cookie(Cookie::new("secret").unwrap()).epmd_port(port);
    ///     let node = girder_dist::start(&girder::Handle::current(), config).await.unwrap();
    ///     node.register_fn("m", "f", 0, |_| Ok(Term::atom("ok"))).unwrap();
    ///     assert!(node.unregister_fn("m", "f", 0));
    ///     assert!(!node.unregister_fn("m", "f", 0));
    /// }).unwrap();
    /// ```
    pub fn unregister_fn(&self, module: &str, function: &str, arity: u8) -> bool {
        self.state.rpc.remove(module, function, arity)
    }

    /// Every registered `{Module, Function, Arity}`, sorted. Erlang
    /// `M:module_info(exports)`, for every module at once.
    ///
    /// ```
    /// # use girder_dist::{Cookie, NodeConfig, RpcError};
    /// # let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    /// girder::run(async move {
    /// #   let config = NodeConfig::new("list@127.0.0.1").unwrap()
    /// #       .cookie(Cookie::new("secret").unwrap()).epmd_port(port);
    ///     let node = girder_dist::start(&girder::Handle::current(), config).await.unwrap();
    ///     node.register_typed_fn("m", "neg", |(x,): (i64,)| Ok::<_, RpcError>(-x)).unwrap();
    ///     let fns = node.registered_fns();
    ///     assert_eq!((fns[0].0.as_str(), fns[0].1.as_str(), fns[0].2), ("m", "neg", 1));
    /// }).unwrap();
    /// ```
    pub fn registered_fns(&self) -> Vec<(Atom, Atom, u8)> {
        self.state.rpc.list()
    }
}
