//! Typed argument lists: a tuple of serde types stands for a function's
//! parameters, and its length is the function's arity.

use girder_term::{SerdeError, Term};
use serde::de::DeserializeOwned;

/// The parameters of a function registered with
/// [`crate::DistNode::register_typed_fn`]: a tuple of up to eight
/// [`DeserializeOwned`] types, each read from one argument with
/// [`girder_term::from_term`] (DESIGN §5's mapping); its length is the
/// function's arity. `()` is arity 0, `(T,)` arity 1. A [`Term`] element
/// takes its argument as it is.
///
/// Sealed: implemented for tuples only.
///
/// ```
/// use girder_dist::RpcArgs;
/// use girder_term::Term;
/// assert_eq!(<(i64, String)>::ARITY, 2);
/// let (n, s) = <(i64, String)>::from_args(vec![Term::Integer(1), Term::binary("a")]).unwrap();
/// assert_eq!((n, s.as_str()), (1, "a"));
/// assert!(<(i64,)>::from_args(vec![Term::atom("x")]).is_err());
/// ```
pub trait RpcArgs: Sized + sealed::Sealed {
    /// The number of arguments.
    const ARITY: u8;

    /// Reads the arguments; `args` has exactly [`Self::ARITY`] elements.
    fn from_args(args: Vec<Term>) -> Result<Self, SerdeError>;
}

mod sealed {
    // Public in a private module: nameable here only, so nobody else can
    // implement `RpcArgs`.
    #[allow(unreachable_pub)]
    pub trait Sealed {}
}

macro_rules! tuple_args {
    ($n:literal; $($t:ident),*) => {
        impl<$($t: DeserializeOwned),*> sealed::Sealed for ($($t,)*) {}

        impl<$($t: DeserializeOwned),*> RpcArgs for ($($t,)*) {
            const ARITY: u8 = $n;

            #[allow(unused_variables, unused_mut, clippy::unused_unit)]
            fn from_args(args: Vec<Term>) -> Result<Self, SerdeError> {
                let mut args = args.into_iter();
                Ok(($({
                    let arg: Option<Term> = args.next();
                    // The caller checked the count; a missing argument reads
                    // as `[]`, which no caller sends.
                    girder_term::from_term::<$t>(&arg.unwrap_or_else(Term::nil))?
                },)*))
            }
        }
    };
}

tuple_args!(0;);
tuple_args!(1; A);
tuple_args!(2; A, B);
tuple_args!(3; A, B, C);
tuple_args!(4; A, B, C, D);
tuple_args!(5; A, B, C, D, E);
tuple_args!(6; A, B, C, D, E, F);
tuple_args!(7; A, B, C, D, E, F, G);
tuple_args!(8; A, B, C, D, E, F, G, H);
