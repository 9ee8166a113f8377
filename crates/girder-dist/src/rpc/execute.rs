//! What the process a spawn request starts runs, and the exit reason it
//! ends with: the contract `erpc` and `rpc` read from the `'DOWN'` (or
//! `'EXIT'`) of that process.
//!
//! | entry point | the process runs | and exits with |
//! |---|---|---|
//! | `erpc:execute_call(Tag, M, F, Args)` (`erpc:call`, `rpc:call`) | `M:F(Args...)` | `{Tag, return, V}`, `{Tag, error, R, Stack}`, `{Tag, exit, R}`, `{Tag, throw, V}` |
//! | `erpc:execute_cast(M, F, Args)` (`erpc:cast`, `rpc:cast`) | `M:F(Args...)` | `normal`; a failure as an uncaught `error({exception, {R, Stack}})` |
//! | any other `M:F/A` (`spawn_request`, `spawn/4`) | `M:F(Args...)` | `normal`; an uncaught exception's reason |
//!
//! A function nobody registered raises `error:undef` with the stack
//! `[{M, F, Args, []}]` (the arguments themselves, as Erlang's `undef`
//! shows them); any other raised error has the stack `[{M, F, Arity, []}]`
//! (Rust frames mean nothing to an Erlang caller). A panic is the error
//! `{panic, <<"message">>}`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::Poll;

use girder::{ExitReason, Reason};
use girder_term::{Atom, Term};

use crate::bridge::reason_from_term;
use crate::rpc::error::RpcError;
use crate::rpc::registry::{ERPC, Registry, RpcFuture};

/// The function a spawn request names.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Target {
    module: Atom,
    function: Atom,
    args: Vec<Term>,
}

/// What the spawned process runs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Request {
    /// `M:F(Args...)`, spawned directly.
    Direct(Target),
    /// `erpc:execute_call(Tag, M, F, Args)`; `None` if `M`, `F` or `Args`
    /// is not what `apply/3` takes.
    Call { tag: Term, target: Option<Target> },
    /// `erpc:execute_cast(M, F, Args)`; `None` as for `Call`.
    Cast(Option<Target>),
}

/// How the function ended.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Return(Term),
    Raised(RpcError),
    Panicked(String),
    /// Nobody registered it; the arguments, for the stack.
    Undef(Vec<Term>),
}

/// `M`, `F` and the arity, for stack frames.
struct Called {
    module: Atom,
    function: Atom,
    arity: usize,
}

impl Called {
    /// `[{M, F, Arity, []}]`.
    fn stack(&self) -> Term {
        self.stack_with(Term::integer(self.arity))
    }

    /// `[{M, F, ArityOrArgs, []}]`.
    fn stack_with(&self, arity_or_args: Term) -> Term {
        Term::list([Term::tuple([
            Term::Atom(self.module.clone()),
            Term::Atom(self.function.clone()),
            arity_or_args,
            Term::nil(),
        ])])
    }
}

/// `M`, `F` and `Args` as `apply/3` takes them.
fn target(module: &Term, function: &Term, args: &Term) -> Option<Target> {
    match (module, function, args) {
        (Term::Atom(m), Term::Atom(f), Term::List(a)) => Some(Target {
            module: m.clone(),
            function: f.clone(),
            args: a.clone(),
        }),
        _ => None,
    }
}

impl Request {
    /// What a `SPAWN_REQUEST` for `module:function(args...)` runs.
    pub(crate) fn new(module: Atom, function: Atom, args: Vec<Term>) -> Request {
        if module.as_str() == ERPC {
            match (function.as_str(), args.as_slice()) {
                ("execute_call", [tag, m, f, a]) => {
                    return Request::Call {
                        tag: tag.clone(),
                        target: target(m, f, a),
                    };
                }
                ("execute_cast", [m, f, a]) => return Request::Cast(target(m, f, a)),
                _ => {}
            }
        }
        Request::Direct(Target {
            module,
            function,
            args,
        })
    }

    /// Runs the function and gives the process's exit reason.
    pub(crate) async fn run(self, registry: &Registry) -> ExitReason {
        match self {
            Request::Direct(t) => {
                let (called, outcome) = t.run(registry).await;
                report(&called, direct_exit(&called, outcome))
            }
            Request::Call { tag, target } => {
                let (called, outcome) = match target {
                    Some(t) => t.run(registry).await,
                    // `apply/3` of something that is not `M, F, Args`.
                    None => (
                        Called {
                            module: Atom::new("erlang").expect("short atom"),
                            function: Atom::new("apply").expect("short atom"),
                            arity: 3,
                        },
                        Outcome::Raised(RpcError::badarg()),
                    ),
                };
                call_exit(tag, &called, outcome)
            }
            Request::Cast(target) => {
                let Some(t) = target else {
                    return uncaught_error(
                        exception(Term::atom("badarg"), Term::nil()),
                        cast_frame(),
                    );
                };
                let (called, outcome) = t.run(registry).await;
                report(&called, cast_exit(&called, outcome))
            }
        }
    }
}

impl Target {
    /// Looks the function up and runs it, catching panics.
    async fn run(self, registry: &Registry) -> (Called, Outcome) {
        let called = Called {
            module: self.module,
            function: self.function,
            arity: self.args.len(),
        };
        let Some(f) = registry.get(&called.module, &called.function, called.arity) else {
            return (called, Outcome::Undef(self.args));
        };
        let args = self.args;
        // A sync function runs inside this call; an async one, below.
        let started = catch_unwind(AssertUnwindSafe(move || f(args)));
        let outcome = match started {
            Ok(future) => run_catching(future).await,
            Err(payload) => Outcome::Panicked(panic_message(&*payload)),
        };
        if let Outcome::Panicked(msg) = &outcome {
            tracing::warn!(
                module = %called.module,
                function = %called.function,
                arity = called.arity,
                panic = %msg,
                "a function called from another node panicked"
            );
        }
        (called, outcome)
    }
}

/// Polls `future` to its end; a panic while polling ends it too.
async fn run_catching(mut future: RpcFuture) -> Outcome {
    let polled = std::future::poll_fn(move |cx| {
        match catch_unwind(AssertUnwindSafe(|| Pin::as_mut(&mut future).poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(r)) => Poll::Ready(Ok(r)),
            Err(payload) => Poll::Ready(Err(panic_message(&*payload))),
        }
    });
    match polled.await {
        Ok(Ok(v)) => Outcome::Return(v),
        Ok(Err(e)) => Outcome::Raised(e),
        Err(msg) => Outcome::Panicked(msg),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}

/// `{panic, <<"msg">>}`.
fn panic_reason(msg: &str) -> Term {
    Term::tuple([Term::atom("panic"), Term::binary(msg)])
}

/// An exit reason that is a term.
fn term_exit(t: Term) -> ExitReason {
    ExitReason::Other(Reason::new(t))
}

/// How the function ended, as an Erlang caller sees it.
enum Ended {
    Return(Term),
    Error { reason: Term, stack: Term },
    Exit(Term),
    Throw(Term),
}

fn ended(called: &Called, outcome: Outcome) -> Ended {
    match outcome {
        Outcome::Return(v) => Ended::Return(v),
        Outcome::Raised(RpcError::Error(reason)) => Ended::Error {
            reason,
            stack: called.stack(),
        },
        Outcome::Raised(RpcError::Exit(r)) => Ended::Exit(r),
        Outcome::Raised(RpcError::Throw(v)) => Ended::Throw(v),
        Outcome::Panicked(msg) => Ended::Error {
            reason: panic_reason(&msg),
            stack: called.stack(),
        },
        Outcome::Undef(args) => Ended::Error {
            reason: Term::atom("undef"),
            stack: called.stack_with(Term::List(args)),
        },
    }
}

/// `erpc:execute_call/4`'s exit: `{Tag, return | error | exit | throw, ...}`.
fn call_exit(tag: Term, called: &Called, outcome: Outcome) -> ExitReason {
    let class = Term::atom;
    let reply = match ended(called, outcome) {
        Ended::Return(v) => Term::tuple([tag, class("return"), v]),
        Ended::Error { reason, stack } => Term::tuple([tag, class("error"), reason, stack]),
        Ended::Exit(r) => Term::tuple([tag, class("exit"), r]),
        Ended::Throw(v) => Term::tuple([tag, class("throw"), v]),
    };
    if reply.as_tuple().is_some_and(|t| !t[1].is_atom("return")) {
        tracing::debug!(module = %called.module, function = %called.function, arity = called.arity, exit = %reply, "erpc call raised");
    }
    term_exit(reply)
}

/// `erpc:execute_cast/3`'s exit: `normal`, or the uncaught
/// `error({exception, {Reason, Stack}})` it raises.
fn cast_exit(called: &Called, outcome: Outcome) -> ExitReason {
    match ended(called, outcome) {
        Ended::Return(_) => ExitReason::Normal,
        Ended::Error { reason, stack } => uncaught_error(exception(reason, stack), cast_frame()),
        Ended::Exit(r) => own_exit(r),
        Ended::Throw(v) => uncaught_error(nocatch(v), called.stack()),
    }
}

/// A directly spawned function's exit: `normal`, or the reason of the
/// exception it did not catch.
fn direct_exit(called: &Called, outcome: Outcome) -> ExitReason {
    match ended(called, outcome) {
        Ended::Return(_) => ExitReason::Normal,
        Ended::Error { reason, stack } => uncaught_error(reason, stack),
        Ended::Exit(r) => own_exit(r),
        Ended::Throw(v) => uncaught_error(nocatch(v), called.stack()),
    }
}

/// Logs the exit of a process that ran a function nobody waits for the
/// result of (a cast, a direct spawn) unless it is clean, as Erlang's
/// logger reports a process that dies of an uncaught exception.
fn report(called: &Called, exit: ExitReason) -> ExitReason {
    if !exit.is_clean() {
        tracing::warn!(
            module = %called.module,
            function = %called.function,
            arity = called.arity,
            reason = %crate::reason_to_term(&exit),
            "process spawned by another node exited"
        );
    }
    exit
}

/// `{exception, {Reason, Stack}}`.
fn exception(reason: Term, stack: Term) -> Term {
    Term::tuple([Term::atom("exception"), Term::tuple([reason, stack])])
}

/// `{nocatch, Value}`: the error a `throw` nobody catches becomes.
fn nocatch(v: Term) -> Term {
    Term::tuple([Term::atom("nocatch"), v])
}

/// `[{erpc, execute_cast, 3, []}]`.
fn cast_frame() -> Term {
    Term::list([Term::tuple([
        Term::atom(ERPC),
        Term::atom("execute_cast"),
        Term::Integer(3),
        Term::nil(),
    ])])
}

/// The exit reason of a process an error ends: `{Reason, Stack}`.
fn uncaught_error(reason: Term, stack: Term) -> ExitReason {
    term_exit(Term::tuple([reason, stack]))
}

/// `exit(Reason)` in the process itself. `kill` stays the plain term: only
/// `exit(Pid, kill)` from outside is untrappable.
fn own_exit(r: Term) -> ExitReason {
    match reason_from_term(r) {
        ExitReason::Kill => term_exit(Term::atom("kill")),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::rpc::registry::RpcFn;

    fn atom(s: &str) -> Atom {
        Atom::new(s).unwrap()
    }

    fn registry() -> Registry {
        let r = Registry::default();
        let f = |f: fn(Vec<Term>) -> Result<Term, RpcError>| -> RpcFn {
            Arc::new(move |args| Box::pin(std::future::ready(f(args))))
        };
        r.insert("m", "ok", 1, f(|a| Ok(a[0].clone()))).unwrap();
        r.insert(
            "m",
            "err",
            0,
            f(|_| Err(RpcError::error(Term::atom("bad")))),
        )
        .unwrap();
        r.insert(
            "m",
            "exit",
            0,
            f(|_| Err(RpcError::exit(Term::atom("bye")))),
        )
        .unwrap();
        r.insert(
            "m",
            "throw",
            0,
            f(|_| Err(RpcError::throw(Term::Integer(7)))),
        )
        .unwrap();
        r.insert("m", "panic", 0, f(|_| panic!("boom"))).unwrap();
        r.insert(
            "m",
            "apanic",
            0,
            Arc::new(|_| {
                Box::pin(async {
                    std::future::ready(()).await;
                    panic!("async boom")
                })
            }),
        )
        .unwrap();
        r
    }

    fn run(req: Request) -> String {
        let r = registry();
        let exit = futures_lite_block_on(req.run(&r));
        crate::reason_to_term(&exit).to_string()
    }

    /// A minimal executor: these futures never wait on anything.
    fn futures_lite_block_on<F: Future>(f: F) -> F::Output {
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut f = std::pin::pin!(f);
        loop {
            if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    fn call(f: &str, args: Vec<Term>) -> String {
        run(Request::new(
            atom(ERPC),
            atom("execute_call"),
            vec![
                Term::atom("tag"),
                Term::atom("m"),
                Term::atom(f),
                Term::List(args),
            ],
        ))
    }

    #[test]
    fn execute_call_exits_with_erpcs_reply_forms() {
        assert_eq!(call("ok", vec![Term::Integer(5)]), "{tag,return,5}");
        assert_eq!(call("err", vec![]), "{tag,error,bad,[{m,err,0,[]}]}");
        assert_eq!(call("exit", vec![]), "{tag,exit,bye}");
        assert_eq!(call("throw", vec![]), "{tag,throw,7}");
        assert_eq!(
            call("panic", vec![]),
            r#"{tag,error,{panic,<<"boom">>},[{m,panic,0,[]}]}"#
        );
        assert_eq!(
            call("apanic", vec![]),
            r#"{tag,error,{panic,<<"async boom">>},[{m,apanic,0,[]}]}"#
        );
        // Unknown function, and a known one with the wrong arity.
        assert_eq!(
            call("nope", vec![Term::Integer(1)]),
            "{tag,error,undef,[{m,nope,[1],[]}]}"
        );
        assert_eq!(call("ok", vec![]), "{tag,error,undef,[{m,ok,[],[]}]}");
        // Not `apply/3`'s arguments.
        let bad = run(Request::new(
            atom(ERPC),
            atom("execute_call"),
            vec![
                Term::atom("tag"),
                Term::Integer(1),
                Term::atom("f"),
                Term::nil(),
            ],
        ));
        assert_eq!(bad, "{tag,error,badarg,[{erlang,apply,3,[]}]}");
    }

    #[test]
    fn direct_spawns_exit_as_an_uncaught_exception() {
        let direct = |f: &str, args: Vec<Term>| run(Request::new(atom("m"), atom(f), args));
        assert_eq!(direct("ok", vec![Term::Integer(1)]), "normal");
        assert_eq!(direct("err", vec![]), "{bad,[{m,err,0,[]}]}");
        assert_eq!(direct("exit", vec![]), "bye");
        assert_eq!(direct("throw", vec![]), "{{nocatch,7},[{m,throw,0,[]}]}");
        assert_eq!(direct("nope", vec![]), "{undef,[{m,nope,[],[]}]}");
        assert_eq!(
            direct("panic", vec![]),
            r#"{{panic,<<"boom">>},[{m,panic,0,[]}]}"#
        );
    }

    #[test]
    fn execute_cast_exits_normal_or_with_its_exception() {
        let cast = |f: &str| {
            run(Request::new(
                atom(ERPC),
                atom("execute_cast"),
                vec![Term::atom("m"), Term::atom(f), Term::nil()],
            ))
        };
        assert_eq!(
            cast("err"),
            "{{exception,{bad,[{m,err,0,[]}]}},[{erpc,execute_cast,3,[]}]}"
        );
        assert_eq!(cast("exit"), "bye");
        assert_eq!(
            cast("nope"),
            "{{exception,{undef,[{m,nope,[],[]}]}},[{erpc,execute_cast,3,[]}]}"
        );
        assert_eq!(cast("throw"), "{{nocatch,7},[{m,throw,0,[]}]}");
    }

    #[test]
    fn other_erpc_functions_are_direct() {
        let r = Request::new(atom(ERPC), atom("execute_call"), vec![Term::nil()]);
        assert!(matches!(r, Request::Direct(_)));
    }
}
