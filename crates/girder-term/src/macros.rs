//! `term!`: Erlang-looking term literals in Rust.

/// Builds a [`Term`](crate::Term) from Erlang-looking syntax.
///
/// | write | get |
/// |---|---|
/// | `ok`, `error`, `nil` (an identifier) | the atom |
/// | `42`, `-7`, `2.5`, `true` (a literal) | an integer, a float, the atom |
/// | `"text"` | a UTF-8 binary, as Elixir strings are |
/// | `{a, b, ...}` | a tuple |
/// | `[a, b, ...]` | a proper list (`[]` is nil) |
/// | `#{k => v, ...}` | a map |
/// | `(expr)` | `Term::from(expr)`: any Rust value that converts into a term |
///
/// Atoms that are not Rust identifiers (`'EXIT'`, `'Elixir.Foo'`) are written
/// as expressions: `(Term::atom("EXIT"))`.
///
/// ```
/// use girder_term::{term, Term};
///
/// let n = 3;
/// let t = term!({ok, [1, -2, 2.5], "hi", #{name => "ann", count => (n + 1)}, []});
/// assert_eq!(t.to_string(), r#"{ok,[1,-2,2.5],<<"hi">>,#{count => 4,name => <<"ann">>},[]}"#);
/// assert_eq!(term!({(Term::atom("EXIT")), x}).to_string(), "{'EXIT',x}");
/// ```
#[macro_export]
macro_rules! term {
    // Sequences (tuple and list elements): munch one element at a time so
    // that elements of several tokens (`-1`, `#{...}`) are allowed.
    (@seq [$($out:expr),*]) => { ::std::vec![$($out),*] };
    (@seq [$($out:expr),*] #{ $($m:tt)* } $(, $($rest:tt)*)?) => {
        $crate::term!(@seq [$($out,)* $crate::term!(#{ $($m)* })] $($($rest)*)?)
    };
    (@seq [$($out:expr),*] - $lit:literal $(, $($rest:tt)*)?) => {
        $crate::term!(@seq [$($out,)* $crate::term!(- $lit)] $($($rest)*)?)
    };
    (@seq [$($out:expr),*] $e:tt $(, $($rest:tt)*)?) => {
        $crate::term!(@seq [$($out,)* $crate::term!($e)] $($($rest)*)?)
    };
    // Map pairs.
    (@map [$($out:expr),*]) => { $crate::Term::map([$($out),*]) };
    (@map [$($out:expr),*] $k:tt => #{ $($m:tt)* } $(, $($rest:tt)*)?) => {
        $crate::term!(@map [$($out,)* ($crate::term!($k), $crate::term!(#{ $($m)* }))] $($($rest)*)?)
    };
    (@map [$($out:expr),*] $k:tt => - $lit:literal $(, $($rest:tt)*)?) => {
        $crate::term!(@map [$($out,)* ($crate::term!($k), $crate::term!(- $lit))] $($($rest)*)?)
    };
    (@map [$($out:expr),*] $k:tt => $v:tt $(, $($rest:tt)*)?) => {
        $crate::term!(@map [$($out,)* ($crate::term!($k), $crate::term!($v))] $($($rest)*)?)
    };
    ({ $($e:tt)* }) => { $crate::Term::Tuple($crate::term!(@seq [] $($e)*)) };
    ([ $($e:tt)* ]) => { $crate::Term::List($crate::term!(@seq [] $($e)*)) };
    (#{ $($p:tt)* }) => { $crate::term!(@map [] $($p)*) };
    (( $e:expr )) => { $crate::Term::from($e) };
    (- $lit:literal) => { $crate::__macro_support::literal(-$lit) };
    ($atom:ident) => { $crate::Term::atom(::std::stringify!($atom)) };
    ($lit:literal) => { $crate::__macro_support::literal($lit) };
}

/// What `term!` expands to; not part of the API.
#[doc(hidden)]
pub mod __macro_support {
    use crate::Term;

    /// A Rust literal that `term!` accepts.
    pub trait Literal {
        /// The term for the literal.
        fn into_term(self) -> Term;
    }

    macro_rules! via_from {
        ($($t:ty),*) => {$(
            impl Literal for $t {
                fn into_term(self) -> Term {
                    Term::from(self)
                }
            }
        )*};
    }
    via_from!(
        i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, bool, &str
    );

    impl Literal for f64 {
        fn into_term(self) -> Term {
            // A float literal is always finite; keep the value as is if not
            // (it cannot be), rather than panic in user code.
            Term::Float(if self.is_finite() { self } else { 0.0 })
        }
    }

    impl Literal for f32 {
        fn into_term(self) -> Term {
            f64::from(self).into_term()
        }
    }

    /// The term for a literal.
    pub fn literal(x: impl Literal) -> Term {
        x.into_term()
    }
}

#[cfg(test)]
mod tests {
    use crate::Term;

    #[test]
    fn every_form() {
        assert_eq!(term!(ok), Term::atom("ok"));
        assert_eq!(term!(42), Term::Integer(42));
        assert_eq!(term!(-42), Term::Integer(-42));
        assert_eq!(term!(2.5), Term::Float(2.5));
        assert_eq!(term!(true), Term::atom("true"));
        assert_eq!(term!("hi"), Term::binary("hi"));
        assert_eq!(term!([]), Term::nil());
        assert_eq!(term!({}), Term::tuple([]));
        assert_eq!(term!(#{}), Term::map([]));
        assert_eq!(
            term!({error, {bad, -1}, [a, [b]], #{1 => #{x => -2.5}}}),
            Term::tuple([
                Term::atom("error"),
                Term::tuple([Term::atom("bad"), Term::Integer(-1)]),
                Term::list([Term::atom("a"), Term::list([Term::atom("b")])]),
                Term::map([(
                    Term::Integer(1),
                    Term::map([(Term::atom("x"), Term::Float(-2.5))])
                )]),
            ])
        );
        let name = String::from("ann");
        assert_eq!(
            term!([(name.clone()), (7u64)]),
            Term::list([Term::binary("ann"), Term::Integer(7)])
        );
        assert_eq!(
            term!([1, 2,]),
            Term::list([Term::Integer(1), Term::Integer(2)])
        );
    }
}
