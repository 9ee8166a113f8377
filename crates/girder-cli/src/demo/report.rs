//! Printing: section headers, aligned rows, numbers with units, and exit
//! signals written the way an Erlang shell shows them.

use std::time::Duration;

use girder::{Down, Exit, ExitReason};

/// Width of the label column of [`row`].
pub(crate) const LABEL: usize = 36;

/// Prints a section header: a blank line, the title, a rule under it.
pub(crate) fn section(title: &str) {
    println!();
    println!("{title}");
    println!("{}", "-".repeat(title.chars().count()));
}

/// Width of the value column of [`row`].
pub(crate) const VALUE: usize = 12;

/// Prints one `label  value  note` line: labels left-aligned in one column,
/// values right-aligned in the next, then the note.
pub(crate) fn row(label: &str, value: impl std::fmt::Display, note: impl std::fmt::Display) {
    let value = value.to_string();
    let note = note.to_string();
    if note.is_empty() {
        println!("  {label:<LABEL$} {value:>VALUE$}");
    } else {
        println!("  {label:<LABEL$} {value:>VALUE$}   {note}");
    }
}

/// Prints an indented free-form line.
pub(crate) fn line(text: impl std::fmt::Display) {
    println!("  {text}");
}

/// `1234567` as `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Time per operation, in nanoseconds: `312.4 ns`.
pub(crate) fn per_op(total: Duration, ops: u64) -> String {
    let ns = total.as_nanos() as f64 / ops.max(1) as f64;
    format!("{ns:.1} ns")
}

/// A duration with a unit that keeps three significant figures or so.
pub(crate) fn duration(d: Duration) -> String {
    let ns = d.as_nanos() as f64;
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.1} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.1} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

/// A byte count: `212 B`, `2,716 B`, `231.4 MiB`.
pub(crate) fn bytes(n: u64) -> String {
    if n < 1 << 20 {
        format!("{} B", thousands(n))
    } else {
        format!("{:.1} MiB", n as f64 / f64::from(1 << 20))
    }
}

/// An exit reason as an Erlang term: `normal`, `killed`,
/// `{panic,"index out of bounds"}`, or a custom reason's own text.
pub(crate) fn erl_reason(reason: &ExitReason) -> String {
    match reason {
        ExitReason::Panic(msg) => format!("{{panic,{msg:?}}}"),
        // Every other reason already displays as its Erlang term.
        other => other.to_string(),
    }
}

/// `{'EXIT',<0.42.0>,killed}`: what a process trapping exits receives.
pub(crate) fn erl_exit(exit: &Exit) -> String {
    format!("{{'EXIT',{},{}}}", exit.from, erl_reason(&exit.reason))
}

/// `{'DOWN',#Ref<0.0.7>,process,<0.42.0>,killed}`: what a monitor delivers.
pub(crate) fn erl_down(down: &Down) -> String {
    format!(
        "{{'DOWN',{},process,{},{}}}",
        down.monitor,
        down.pid,
        erl_reason(&down.reason)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(12_345_678), "12,345,678");
    }

    #[test]
    fn reasons_print_as_erlang_terms() {
        assert_eq!(erl_reason(&ExitReason::Killed), "killed");
        assert_eq!(
            erl_reason(&ExitReason::Panic("boom".into())),
            "{panic,\"boom\"}"
        );
        let pid = girder::Pid::from_parts(0, 42, 0);
        let exit = Exit {
            from: pid,
            reason: ExitReason::Normal,
        };
        assert_eq!(erl_exit(&exit), "{'EXIT',<0.42.0>,normal}");
    }
}
