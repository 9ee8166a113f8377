//! `Display` for terms, in Erlang syntax (as `io:format("~w", [T])` writes them,
//! except that printable binaries are shown as strings, as `~p` does).

use std::fmt::{self, Write};

use crate::Term;

/// A float as Erlang's `~w` (`float_to_list(X, [short])`) writes it: the
/// shortest digits that read back to the same float, in fixed notation
/// (`0.001`, `12345.0`) unless scientific notation (`1.0e3`, `1.5e-7`) is
/// strictly shorter.
fn write_float(f: &mut fmt::Formatter<'_>, x: f64) -> fmt::Result {
    // `{:e}` gives the shortest round-trip digits: "-1.2345e4", "5e-324".
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let scientific = if mantissa.contains('.') {
        format!("{mantissa}e{exp}")
    } else {
        format!("{mantissa}.0e{exp}")
    };
    let n = digits.len() as i32;
    let fixed = if exp >= 0 {
        let int_len = exp + 1;
        if int_len >= n {
            format!("{digits}{}.0", "0".repeat((int_len - n) as usize))
        } else {
            let (int, frac) = digits.split_at(int_len as usize);
            format!("{int}.{frac}")
        }
    } else {
        format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
    };
    let body = if scientific.len() < fixed.len() {
        scientific
    } else {
        fixed
    };
    write!(f, "{sign}{body}")
}

fn printable(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|&b| (0x20..0x7F).contains(&b) || matches!(b, b'\n' | b'\t'))
}

fn write_bytes(f: &mut fmt::Formatter<'_>, bytes: &[u8], bits: Option<u8>) -> fmt::Result {
    f.write_str("<<")?;
    if bits.is_none() && printable(bytes) {
        f.write_char('"')?;
        for &b in bytes {
            match b {
                b'"' => f.write_str("\\\"")?,
                b'\\' => f.write_str("\\\\")?,
                b'\n' => f.write_str("\\n")?,
                b'\t' => f.write_str("\\t")?,
                b => f.write_char(b as char)?,
            }
        }
        f.write_char('"')?;
    } else {
        let n = bytes.len();
        for (i, b) in bytes.iter().enumerate() {
            if i > 0 {
                f.write_char(',')?;
            }
            match bits {
                Some(bits) if i + 1 == n => write!(f, "{}:{bits}", b >> (8 - bits))?,
                _ => write!(f, "{b}")?,
            }
        }
    }
    f.write_str(">>")
}

fn write_seq(f: &mut fmt::Formatter<'_>, items: &[Term]) -> fmt::Result {
    for (i, t) in items.iter().enumerate() {
        if i > 0 {
            f.write_char(',')?;
        }
        fmt::Display::fmt(t, f)?;
    }
    Ok(())
}

impl fmt::Display for Term {
    /// ```
    /// use girder_term::Term;
    /// let t = Term::tuple([
    ///     Term::atom("ok"),
    ///     Term::list([Term::Integer(1), Term::Float(2.5)]),
    ///     Term::improper_list([Term::atom("a")], Term::atom("b")),
    ///     Term::map([(Term::atom("k"), Term::binary(vec![1, 2]))]),
    /// ]);
    /// assert_eq!(t.to_string(), "{ok,[1,2.5],[a|b],#{k => <<1,2>>}}");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Atom(a) => fmt::Display::fmt(a, f),
            Term::Integer(i) => write!(f, "{i}"),
            Term::BigInt(b) => write!(f, "{b}"),
            Term::Float(x) => write_float(f, *x),
            Term::Binary(b) => write_bytes(f, b, None),
            Term::BitBinary { bytes, bits } => write_bytes(f, bytes, Some(*bits)),
            Term::List(l) => {
                f.write_char('[')?;
                write_seq(f, l)?;
                f.write_char(']')
            }
            Term::ImproperList { elements, tail } => {
                f.write_char('[')?;
                write_seq(f, elements)?;
                write!(f, "|{tail}]")
            }
            Term::Tuple(t) => {
                f.write_char('{')?;
                write_seq(f, t)?;
                f.write_char('}')
            }
            Term::Map(m) => {
                f.write_str("#{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    write!(f, "{k} => {v}")?;
                }
                f.write_char('}')
            }
            Term::Pid(p) => fmt::Display::fmt(p, f),
            Term::Port(p) => fmt::Display::fmt(p, f),
            Term::Reference(r) => fmt::Display::fmt(r, f),
            Term::Fun(x) => fmt::Display::fmt(x, f),
        }
    }
}
