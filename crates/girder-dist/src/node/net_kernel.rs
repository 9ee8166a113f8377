//! What a node answers itself, before any process sees it: the part of
//! Erlang's `net_kernel` a peer talks to (`net_adm:ping/1` calls
//! `gen:call({net_kernel, Node}, '$gen_call', {is_auth, Self})` and counts
//! `{Tag, yes}` as `pong`), and `rex`'s features request, which every OTP
//! 25 node sends to a node it connects to (answered `[erpc]`).

use girder_term::{Atom, ExternalPid, Term};

use crate::control::ControlMessage;

/// The reply to a message sent to our `net_kernel`, if it is a request we
/// serve: `{'$gen_call', {From, Tag}, {is_auth, Node}}` gets `{Tag, yes}`
/// sent to `From`. `Tag` is whatever the caller chose (OTP 25's `gen` uses
/// `[alias | Ref]`, older ones a plain reference): it is echoed unchanged,
/// and the reply goes to the calling pid, which receives it either way.
pub(crate) fn answer(_sender: &ExternalPid, message: &Term) -> Option<ControlMessage> {
    let [_, from_tag, request] = message.as_tagged("$gen_call", 3)? else {
        return None;
    };
    let [from, tag] = from_tag.as_tuple()? else {
        return None;
    };
    let from = from.as_pid()?;
    request.as_tagged("is_auth", 2)?;
    Some(ControlMessage::Send {
        to: from.clone(),
        message: Term::tuple([tag.clone(), Term::atom("yes")]),
    })
}

/// The reply to `{From, features_request}` sent to our `rex`: `{features_reply,
/// node(), [erpc]}`, as OTP 23+'s `rpc` answers, since a Girder node serves
/// spawn requests (`DFLAG_SPAWN`; see [`crate::rpc`]). OTP's `rpc` asks
/// every node it sees come up and notes which speak `erpc`; its
/// `rpc:call/4` uses `erpc` either way (a node without `DFLAG_SPAWN` makes
/// it `{badrpc, notsup}`).
pub(crate) fn answer_rex(node: &Atom, message: &Term) -> Option<ControlMessage> {
    let [from, request] = message.as_tuple()? else {
        return None;
    };
    if !request.is_atom("features_request") {
        return None;
    }
    Some(ControlMessage::Send {
        to: from.as_pid()?.clone(),
        message: Term::tuple([
            Term::atom("features_reply"),
            Term::Atom(node.clone()),
            Term::list([Term::atom("erpc")]),
        ]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use girder_term::{Atom, ExternalRef};

    #[test]
    fn is_auth_is_answered_yes_with_the_callers_tag() {
        let pid = ExternalPid {
            node: Atom::new("a@h").unwrap(),
            id: 90,
            serial: 0,
            creation: 3,
        };
        let tag = Term::improper_list(
            [Term::atom("alias")],
            Term::Reference(ExternalRef {
                node: Atom::new("a@h").unwrap(),
                creation: 3,
                id: vec![1, 2, 3],
            }),
        );
        let call = Term::tuple([
            Term::atom("$gen_call"),
            Term::tuple([Term::Pid(pid.clone()), tag.clone()]),
            Term::tuple([Term::atom("is_auth"), Term::atom("a@h")]),
        ]);
        assert_eq!(
            answer(&pid, &call),
            Some(ControlMessage::Send {
                to: pid.clone(),
                message: Term::tuple([tag, Term::atom("yes")]),
            })
        );
        assert_eq!(answer(&pid, &Term::atom("hello")), None);
        let other = Term::tuple([
            Term::atom("$gen_call"),
            Term::tuple([Term::Pid(pid.clone()), Term::nil()]),
            Term::atom("stop"),
        ]);
        assert_eq!(answer(&pid, &other), None);
        let me = Atom::new("g@h").unwrap();
        let features = Term::tuple([Term::Pid(pid.clone()), Term::atom("features_request")]);
        assert_eq!(
            answer_rex(&me, &features).unwrap(),
            ControlMessage::Send {
                to: pid,
                message: Term::tuple([
                    Term::atom("features_reply"),
                    Term::Atom(me.clone()),
                    Term::list([Term::atom("erpc")])
                ]),
            }
        );
        assert_eq!(answer_rex(&me, &Term::atom("x")), None);
    }
}
