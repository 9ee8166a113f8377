//! How a registered Rust function fails ([`RpcError`], Erlang's exception
//! classes), and why a registration is refused ([`RegisterFnError`]).

use std::fmt;

use girder_term::{SerdeError, Term};

/// An exception a registered function raises: Erlang's `Class:Reason`,
/// one variant per class. What the caller sees:
///
/// | returned | `erpc:call` raises | `rpc:call` returns |
/// |---|---|---|
/// | `Ok(v)` | — (returns `V`) | `V` |
/// | `Err(RpcError::Error(r))` | `error:{exception, R, [{M, F, Arity, []}]}` | `{badrpc, {'EXIT', {R, [{M, F, Arity, []}]}}}` |
/// | `Err(RpcError::Exit(r))` | `exit:{exception, R}` | `{badrpc, {'EXIT', R}}` |
/// | `Err(RpcError::Throw(v))` | `throw:V` | `V` |
///
/// A panic is an `Error` whose reason is `{panic, <<"message">>}` (as
/// [`crate::reason_to_term`] writes a panic). The constructors take
/// anything that converts into a [`Term`] (`&str` and `String` become
/// binaries, as Elixir strings are; use [`Term::atom`] for an atom).
///
/// ```
/// use girder_dist::RpcError;
/// use girder_term::Term;
/// let e = RpcError::error(Term::tuple([Term::atom("bad_input"), Term::Integer(3)]));
/// assert_eq!(e.to_string(), "error:{bad_input,3}");
/// assert_eq!(RpcError::badarg(), RpcError::Error(Term::atom("badarg")));
/// assert_eq!(RpcError::exit("disk full").to_string(), r#"exit:<<"disk full">>"#);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum RpcError {
    /// `erlang:error(Reason)`, Elixir `raise`/`:erlang.error/1`: a run-time
    /// error.
    Error(Term),
    /// `erlang:exit(Reason)`, Elixir `exit/1`.
    Exit(Term),
    /// `erlang:throw(Value)`, Elixir `throw/1`: a non-local return; the
    /// caller of `rpc:call` gets the value itself.
    Throw(Term),
}

impl RpcError {
    /// `error:Reason`.
    pub fn error(reason: impl Into<Term>) -> RpcError {
        RpcError::Error(reason.into())
    }

    /// `exit:Reason`.
    pub fn exit(reason: impl Into<Term>) -> RpcError {
        RpcError::Exit(reason.into())
    }

    /// `throw:Value`.
    pub fn throw(value: impl Into<Term>) -> RpcError {
        RpcError::Throw(value.into())
    }

    /// `error:badarg`, what Erlang raises for an argument of the wrong
    /// type.
    pub fn badarg() -> RpcError {
        RpcError::Error(Term::atom("badarg"))
    }

    /// The class as Erlang names it: `error`, `exit` or `throw`.
    pub fn class(&self) -> &'static str {
        match self {
            RpcError::Error(_) => "error",
            RpcError::Exit(_) => "exit",
            RpcError::Throw(_) => "throw",
        }
    }

    /// The reason (or the thrown value).
    pub fn reason(&self) -> &Term {
        match self {
            RpcError::Error(r) | RpcError::Exit(r) | RpcError::Throw(r) => r,
        }
    }
}

/// An argument that does not decode into the type a function asked for is
/// `error:badarg`, as an Erlang function raises for an argument of the
/// wrong type; `?` on [`girder_term::from_term`] gives that.
impl From<SerdeError> for RpcError {
    fn from(_: SerdeError) -> RpcError {
        RpcError::badarg()
    }
}

/// `Class:Reason`, as Erlang's shell prints a caught exception.
impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.class(), self.reason())
    }
}

impl std::error::Error for RpcError {}

/// Why a function could not be registered with
/// [`crate::DistNode::register_fn`] and its siblings.
///
/// ```
/// use girder_dist::RegisterFnError;
/// let e = RegisterFnError::Reserved { module: "erpc".into() };
/// assert_eq!(e.to_string(), r#"module "erpc" is served by girder itself"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegisterFnError {
    /// The module or function name is not an atom (more than 255
    /// characters).
    BadName {
        /// The name.
        name: String,
    },
    /// The module's functions are served by girder itself (`erpc`, whose
    /// `execute_call/4` and `execute_cast/3` run the functions registered
    /// here).
    Reserved {
        /// The module.
        module: String,
    },
}

impl fmt::Display for RegisterFnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegisterFnError::BadName { name } => write!(
                f,
                "{name:?} cannot be a module or function name: more than 255 characters"
            ),
            RegisterFnError::Reserved { module } => {
                write!(f, "module {module:?} is served by girder itself")
            }
        }
    }
}

impl std::error::Error for RegisterFnError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Errors cross threads: a function runs on any scheduler, and its
    /// error becomes the exit reason other processes see.
    #[test]
    fn public_types_are_send_and_sync() {
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<RpcError>();
        send_sync::<RegisterFnError>();
        send_sync::<crate::DistNode>();
    }

    #[test]
    fn class_and_reason() {
        let e = RpcError::throw(Term::Integer(7));
        assert_eq!((e.class(), e.reason()), ("throw", &Term::Integer(7)));
        let serde: RpcError = girder_term::from_term::<u8>(&Term::atom("x"))
            .unwrap_err()
            .into();
        assert_eq!(serde, RpcError::badarg());
    }
}
