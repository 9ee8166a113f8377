//! Exit reasons as terms: what an Erlang process sees in `{'EXIT', Pid, R}`
//! and `{'DOWN', Ref, process, Pid, R}` when a Girder process exits, and
//! what a Girder process sees when an Erlang one does.

use girder::{ExitReason, Reason};
use girder_term::Term;

/// The term an exit reason travels as (the `Reason` of an `EXIT`, `EXIT2`
/// or `MONITOR_P_EXIT` control message).
///
/// | [`ExitReason`] | term |
/// |---|---|
/// | `Normal`, `Shutdown`, `Kill`, `Killed`, `Noproc`, `Noconnection` | `normal`, `shutdown`, `kill`, `killed`, `noproc`, `noconnection` |
/// | `ShutdownWith(r)` | `{shutdown, R}`, `R` as for `Other` |
/// | `Panic(msg)` | `{panic, <<"msg">>}` |
/// | `Other(r)` where `r` holds a [`Term`] | that term, untouched |
/// | `Other(r)` holding anything else | its `Display` text as a UTF-8 binary |
///
/// [`reason_from_term`] reads each back, so a reason survives a round trip
/// through an Erlang process (`Other` of a non-term value comes back as
/// `Other` of the binary).
///
/// ```
/// use girder::ExitReason;
/// use girder_dist::{reason_from_term, reason_to_term};
/// use girder_term::Term;
/// assert_eq!(reason_to_term(&ExitReason::Killed), Term::atom("killed"));
/// let panic = ExitReason::Panic("boom".into());
/// assert_eq!(reason_to_term(&panic).to_string(), r#"{panic,<<"boom">>}"#);
/// let custom = Term::tuple([Term::atom("bad_state"), Term::Integer(3)]);
/// let reason = reason_from_term(custom.clone());
/// assert_eq!(reason_to_term(&reason), custom);
/// ```
pub fn reason_to_term(reason: &ExitReason) -> Term {
    match reason {
        ExitReason::Normal => Term::atom("normal"),
        ExitReason::Shutdown => Term::atom("shutdown"),
        ExitReason::ShutdownWith(r) => Term::tuple([Term::atom("shutdown"), other_to_term(r)]),
        ExitReason::Kill => Term::atom("kill"),
        ExitReason::Killed => Term::atom("killed"),
        ExitReason::Noproc => Term::atom("noproc"),
        ExitReason::Noconnection => Term::atom("noconnection"),
        ExitReason::Panic(msg) => Term::tuple([Term::atom("panic"), Term::binary(msg.as_bytes())]),
        ExitReason::Other(r) => other_to_term(r),
        // A reason added to core later: its text.
        other => Term::binary(other.to_string()),
    }
}

fn other_to_term(r: &Reason) -> Term {
    match r.downcast_ref::<Term>() {
        Some(t) => t.clone(),
        None => Term::binary(r.to_string()),
    }
}

/// The exit reason a term stands for: the inverse of [`reason_to_term`].
/// Any term that is not one of the atoms or forms listed there becomes
/// `Other` holding the term, so `reason.downcast_ref::<Term>()` gives it
/// back.
///
/// ```
/// use girder::ExitReason;
/// use girder_dist::reason_from_term;
/// use girder_term::Term;
/// assert_eq!(reason_from_term(Term::atom("noconnection")), ExitReason::Noconnection);
/// let ExitReason::Other(r) = reason_from_term(Term::atom("badarith")) else { panic!() };
/// assert_eq!(r.downcast_ref::<Term>(), Some(&Term::atom("badarith")));
/// ```
pub fn reason_from_term(term: Term) -> ExitReason {
    if let Term::Atom(a) = &term {
        match a.as_str() {
            "normal" => return ExitReason::Normal,
            "shutdown" => return ExitReason::Shutdown,
            "kill" => return ExitReason::Kill,
            "killed" => return ExitReason::Killed,
            "noproc" => return ExitReason::Noproc,
            "noconnection" => return ExitReason::Noconnection,
            _ => {}
        }
    }
    if let Some([_, inner]) = term.as_tagged("shutdown", 2) {
        return ExitReason::ShutdownWith(Reason::new(inner.clone()));
    }
    if let Some([_, msg]) = term.as_tagged("panic", 2) {
        if let Some(msg) = msg.as_str() {
            return ExitReason::Panic(msg.into());
        }
    }
    ExitReason::Other(Reason::new(term))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_round_trips() {
        let reasons = [
            ExitReason::Normal,
            ExitReason::Shutdown,
            ExitReason::ShutdownWith(Reason::new(Term::atom("app_stopped"))),
            ExitReason::Kill,
            ExitReason::Killed,
            ExitReason::Noproc,
            ExitReason::Noconnection,
            ExitReason::Panic("index out of bounds".into()),
            ExitReason::Other(Reason::new(Term::tuple([
                Term::atom("badmatch"),
                Term::Integer(2),
            ]))),
        ];
        for r in reasons {
            assert_eq!(reason_from_term(reason_to_term(&r)), r, "{r}");
        }
    }

    #[test]
    fn non_term_reasons_become_binaries() {
        let r = ExitReason::other("disk full");
        assert_eq!(reason_to_term(&r), Term::binary("disk full"));
        let s = ExitReason::ShutdownWith(Reason::new(7u8));
        assert_eq!(reason_to_term(&s).to_string(), r#"{shutdown,<<"7">>}"#);
    }
}
