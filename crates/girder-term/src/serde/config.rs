//! Choices in the mapping that differ between Elixir and Erlang code.

use crate::Atom;

/// How `Option<T>` appears as a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OptionRepr {
    /// `None` ↔ the atom `nil`, `Some(v)` ↔ `v` (Elixir's convention; the default).
    #[default]
    Nil,
    /// `None` ↔ the atom `undefined`, `Some(v)` ↔ `v` (Erlang records and APIs).
    Undefined,
    /// `None` ↔ the atom `none`, `Some(v)` ↔ `{some, V}`. The only form in
    /// which `Option<Option<T>>` round-trips.
    Tagged,
}

impl OptionRepr {
    /// The atom that stands for `None`.
    pub(crate) fn none_atom(self) -> &'static str {
        match self {
            OptionRepr::Nil => "nil",
            OptionRepr::Undefined => "undefined",
            OptionRepr::Tagged => "none",
        }
    }
}

/// How `Result<T, E>` appears as a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ResultRepr {
    /// `Ok(v)` ↔ `{ok, V}` and `Err(e)` ↔ `{error, E}`, the BEAM's own
    /// convention; `Ok(())` ↔ the bare atom `ok` and `Err(())` ↔ `error`, so
    /// `Result<(), Reason>` matches Erlang's `ok | {error, Reason}` (the default).
    #[default]
    OkError,
    /// Like any other enum: `{'Ok', V}` and `{'Err', E}`.
    Variant,
}

/// Options for [`to_term_with`](crate::to_term_with) and
/// [`from_term_with`](crate::from_term_with). [`SerdeConfig::default()`] is what
/// [`to_term`](crate::to_term) and [`from_term`](crate::from_term) use.
///
/// ```
/// use girder_term::{from_term_with, to_term_with, Atom, OptionRepr, SerdeConfig, Term};
///
/// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
/// struct User { name: String, email: Option<String> }
///
/// let config = SerdeConfig::new()
///     .with_option(OptionRepr::Undefined)
///     .with_elixir_struct("User", Atom::new("Elixir.MyApp.User").unwrap());
/// let user = User { name: "ann".into(), email: None };
/// let term = to_term_with(&user, &config).unwrap();
/// assert_eq!(
///     term.to_string(),
///     r#"#{'__struct__' => 'Elixir.MyApp.User',email => undefined,name => <<"ann">>}"#
/// );
/// assert_eq!(from_term_with::<User>(&term, &config).unwrap(), user);
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SerdeConfig {
    /// How `Option` is written and read.
    pub option: OptionRepr,
    /// How `Result` is written and read.
    pub result: ResultRepr,
    /// Rust struct names (as serde sees them) mapped to the Elixir module whose
    /// struct they are written as.
    elixir_structs: Vec<(String, Atom)>,
}

impl SerdeConfig {
    /// The defaults: `None` is `nil`, `Result` is `{ok, V}` / `{error, E}`.
    pub fn new() -> SerdeConfig {
        SerdeConfig::default()
    }

    /// Sets how `Option` is written and read.
    pub fn with_option(mut self, option: OptionRepr) -> SerdeConfig {
        self.option = option;
        self
    }

    /// Sets how `Result` is written and read.
    pub fn with_result(mut self, result: ResultRepr) -> SerdeConfig {
        self.result = result;
        self
    }

    /// Writes the Rust struct named `rust_name` (its serde name: the type name
    /// or its `#[serde(rename)]`) as the Elixir struct `module`, i.e. with the
    /// key `__struct__ => module` (`Elixir.MyApp.User` is `%MyApp.User{}`).
    /// When reading, a `__struct__` naming another module is then an error.
    ///
    /// A struct renamed to a name starting with `Elixir.` needs no entry:
    /// `#[serde(rename = "Elixir.MyApp.User")]` does the same.
    pub fn with_elixir_struct(mut self, rust_name: impl Into<String>, module: Atom) -> SerdeConfig {
        let rust_name = rust_name.into();
        self.elixir_structs.retain(|(n, _)| *n != rust_name);
        self.elixir_structs.push((rust_name, module));
        self
    }

    /// The Elixir module a struct named `name` is written as, if any.
    pub(crate) fn struct_module<'s>(&'s self, name: &'s str) -> Option<&'s str> {
        if let Some((_, m)) = self.elixir_structs.iter().find(|(n, _)| n == name) {
            return Some(m.as_str());
        }
        name.starts_with("Elixir.").then_some(name)
    }

    /// True when `Result` uses `ok`/`error` and this enum is `Result`.
    pub(crate) fn is_erlang_result(&self, name: &str, variants: &[&str]) -> bool {
        self.result == ResultRepr::OkError && name == "Result" && variants == ["Ok", "Err"]
    }
}
