//! Control messages: the signals between processes on connected nodes
//! (erts `erl_dist_protocol`, "Protocol between Connected Nodes").
//!
//! Each is a tuple whose first element is an operation number, optionally
//! followed by a second term (the message of a send, the reason of a
//! `PAYLOAD_*` exit). [`ControlMessage::decode`] turns both into one enum
//! variant; variants that come in an old and a `PAYLOAD_*` form, or with a
//! sequential-trace token (`*_TT`), decode to the same variant: Girder does
//! not take part in `seq_trace`, so trace tokens are accepted and dropped.
//! [`ControlMessage::encode`] writes the forms every OTP 25+ node reads.

use std::fmt;

use girder_term::{Atom, ExternalPid, ExternalRef, Term};

use crate::flags::DistFlags;

/// A process named in a monitor: by pid, or by registered name on the
/// receiving (for `MONITOR_P`) or sending (for `MONITOR_P_EXIT`) node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProcRef {
    /// A pid.
    Pid(ExternalPid),
    /// A registered name.
    Name(Atom),
}

impl ProcRef {
    fn to_term(&self) -> Term {
        match self {
            ProcRef::Pid(p) => Term::Pid(p.clone()),
            ProcRef::Name(a) => Term::Atom(a.clone()),
        }
    }
}

/// A decoded control message. Field names follow the protocol's: `from`
/// is the sending process, `to` the receiving one.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ControlMessage {
    /// `LINK` (1): `{1, From, To}`.
    Link {
        /// The process that links.
        from: ExternalPid,
        /// The process it links to.
        to: ExternalPid,
    },
    /// `SEND` (2) / `SEND_TT` (12): `{2, '', To}` + message.
    Send {
        /// The receiver.
        to: ExternalPid,
        /// The message.
        message: Term,
    },
    /// `EXIT` (3) / `EXIT_TT` (13) / `PAYLOAD_EXIT` (24) / `PAYLOAD_EXIT_TT`
    /// (25): a linked process exited.
    Exit {
        /// The process that exited.
        from: ExternalPid,
        /// The linked process.
        to: ExternalPid,
        /// The exit reason.
        reason: Term,
    },
    /// `REG_SEND` (6) / `REG_SEND_TT` (16): `{6, From, '', ToName}` + message.
    RegSend {
        /// The sender.
        from: ExternalPid,
        /// The registered name on the receiving node.
        to: Atom,
        /// The message.
        message: Term,
    },
    /// `GROUP_LEADER` (7): `{7, From, To}`, sets `To`'s group leader.
    GroupLeader {
        /// The new group leader.
        from: ExternalPid,
        /// The process whose group leader changes.
        to: ExternalPid,
    },
    /// `EXIT2` (8) / `EXIT2_TT` (18) / `PAYLOAD_EXIT2` (26) /
    /// `PAYLOAD_EXIT2_TT` (27): `erlang:exit(To, Reason)`.
    Exit2 {
        /// The process that called `exit/2`.
        from: ExternalPid,
        /// The target.
        to: ExternalPid,
        /// The reason.
        reason: Term,
    },
    /// `MONITOR_P` (19): `{19, From, ToProc, Ref}`.
    MonitorP {
        /// The watching process.
        from: ExternalPid,
        /// The watched process, by pid or name.
        to: ProcRef,
        /// The monitor reference.
        reference: ExternalRef,
    },
    /// `DEMONITOR_P` (20): `{20, From, ToProc, Ref}`.
    DemonitorP {
        /// The watching process.
        from: ExternalPid,
        /// The watched process, by pid or name.
        to: ProcRef,
        /// The monitor reference.
        reference: ExternalRef,
    },
    /// `MONITOR_P_EXIT` (21) / `PAYLOAD_MONITOR_P_EXIT` (28): a watched
    /// process exited (the `'DOWN'` message).
    MonitorPExit {
        /// The watched process, by pid or by the name it was monitored by.
        from: ProcRef,
        /// The watching process.
        to: ExternalPid,
        /// The monitor reference.
        reference: ExternalRef,
        /// The exit reason.
        reason: Term,
    },
    /// `SEND_SENDER` (22) / `SEND_SENDER_TT` (23): `{22, From, To}` + message.
    SendSender {
        /// The sender.
        from: ExternalPid,
        /// The receiver.
        to: ExternalPid,
        /// The message.
        message: Term,
    },
    /// `SPAWN_REQUEST` (29) / `SPAWN_REQUEST_TT` (30):
    /// `{29, ReqId, From, GroupLeader, {M, F, A}, Opts}` + argument list.
    SpawnRequest {
        /// The request id (also the monitor reference if asked for).
        request: ExternalRef,
        /// The parent-to-be.
        from: ExternalPid,
        /// The new process's group leader.
        group_leader: ExternalPid,
        /// Entry module.
        module: Atom,
        /// Entry function.
        function: Atom,
        /// Its arity.
        arity: u8,
        /// Spawn options (a proper list).
        options: Term,
        /// Arguments (a proper list).
        args: Term,
    },
    /// `SPAWN_REPLY` (31) / `SPAWN_REPLY_TT` (32): `{31, ReqId, To, Flags, Result}`.
    SpawnReply {
        /// The request id.
        request: ExternalRef,
        /// The process that asked.
        to: ExternalPid,
        /// 1: linked, 2: monitored.
        flags: u32,
        /// The new pid, or an error atom.
        result: Term,
    },
    /// `ALIAS_SEND` (33) / `ALIAS_SEND_TT` (34): `{33, From, Alias}` + message.
    AliasSend {
        /// The sender.
        from: ExternalPid,
        /// The alias (a reference).
        alias: ExternalRef,
        /// The message.
        message: Term,
    },
    /// `UNLINK_ID` (35): `{35, Id, From, To}`.
    UnlinkId {
        /// Identifies this unlink until acknowledged (1 to 2^64-1).
        id: u64,
        /// The process that unlinks.
        from: ExternalPid,
        /// The process it unlinks from.
        to: ExternalPid,
    },
    /// `UNLINK_ID_ACK` (36): `{36, Id, From, To}`.
    UnlinkIdAck {
        /// The id of the `UNLINK_ID` acknowledged.
        id: u64,
        /// The process that acknowledges.
        from: ExternalPid,
        /// The process that sent the `UNLINK_ID`.
        to: ExternalPid,
    },
}

/// A control message that is malformed or unknown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadControl {
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for BadControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad control message: {}", self.reason)
    }
}

impl std::error::Error for BadControl {}

fn bad(reason: impl Into<String>) -> BadControl {
    BadControl {
        reason: reason.into(),
    }
}

/// A short rendering of a term for error messages (never the whole of a
/// hostile megabyte term).
fn brief(t: &Term) -> String {
    let mut s = t.to_string();
    if s.len() > 120 {
        let mut cut = 117;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("...");
    }
    s
}

struct Fields<'a> {
    op: i64,
    items: &'a [Term],
}

impl<'a> Fields<'a> {
    fn arity(&self, n: usize) -> Result<(), BadControl> {
        if self.items.len() == n {
            Ok(())
        } else {
            Err(bad(format!(
                "operation {} has {} elements, expected {n}",
                self.op,
                self.items.len()
            )))
        }
    }

    fn get(&self, i: usize) -> Result<&'a Term, BadControl> {
        self.items
            .get(i)
            .ok_or_else(|| bad(format!("operation {} lacks element {i}", self.op)))
    }

    fn pid(&self, i: usize) -> Result<ExternalPid, BadControl> {
        let t = self.get(i)?;
        t.as_pid().cloned().ok_or_else(|| {
            bad(format!(
                "operation {}: element {i} is not a pid: {}",
                self.op,
                brief(t)
            ))
        })
    }

    fn reference(&self, i: usize) -> Result<ExternalRef, BadControl> {
        let t = self.get(i)?;
        t.as_reference().cloned().ok_or_else(|| {
            bad(format!(
                "operation {}: element {i} is not a reference: {}",
                self.op,
                brief(t)
            ))
        })
    }

    fn atom(&self, i: usize) -> Result<Atom, BadControl> {
        match self.get(i)? {
            Term::Atom(a) => Ok(a.clone()),
            t => Err(bad(format!(
                "operation {}: element {i} is not an atom: {}",
                self.op,
                brief(t)
            ))),
        }
    }

    fn proc_ref(&self, i: usize) -> Result<ProcRef, BadControl> {
        match self.get(i)? {
            Term::Pid(p) => Ok(ProcRef::Pid(p.clone())),
            Term::Atom(a) => Ok(ProcRef::Name(a.clone())),
            t => Err(bad(format!(
                "operation {}: element {i} is neither a pid nor a name: {}",
                self.op,
                brief(t)
            ))),
        }
    }

    fn u64(&self, i: usize) -> Result<u64, BadControl> {
        let t = self.get(i)?;
        t.as_bigint()
            .and_then(|b| u64::try_from(b).ok())
            .ok_or_else(|| {
                bad(format!(
                    "operation {}: element {i} is not a 64-bit id: {}",
                    self.op,
                    brief(t)
                ))
            })
    }
}

fn need_payload(op: i64, payload: Option<Term>) -> Result<Term, BadControl> {
    payload.ok_or_else(|| bad(format!("operation {op} needs a second term and has none")))
}

fn no_payload(op: i64, payload: &Option<Term>) -> Result<(), BadControl> {
    match payload {
        None => Ok(()),
        Some(_) => Err(bad(format!("operation {op} takes no second term"))),
    }
}

impl ControlMessage {
    /// Decodes a control tuple and the term after it, if any.
    ///
    /// ```
    /// use girder_dist::ControlMessage;
    /// use girder_term::{Atom, ExternalPid, Term};
    /// let pid = ExternalPid { node: Atom::new("a@h").unwrap(), id: 1, serial: 0, creation: 5 };
    /// let ctl = Term::tuple([Term::Integer(6), Term::Pid(pid.clone()), Term::atom(""), Term::atom("echo")]);
    /// let msg = ControlMessage::decode(ctl, Some(Term::atom("hi"))).unwrap();
    /// assert_eq!(msg, ControlMessage::RegSend { from: pid, to: Atom::new("echo").unwrap(), message: Term::atom("hi") });
    /// ```
    pub fn decode(control: Term, payload: Option<Term>) -> Result<ControlMessage, BadControl> {
        let Term::Tuple(items) = &control else {
            return Err(bad(format!("not a tuple: {}", brief(&control))));
        };
        let op = items
            .first()
            .and_then(Term::as_i64)
            .ok_or_else(|| bad(format!("no operation number: {}", brief(&control))))?;
        let f = Fields { op, items };
        let m = match op {
            1 => {
                f.arity(3)?;
                no_payload(op, &payload)?;
                ControlMessage::Link {
                    from: f.pid(1)?,
                    to: f.pid(2)?,
                }
            }
            2 | 12 => {
                f.arity(if op == 2 { 3 } else { 4 })?;
                ControlMessage::Send {
                    to: f.pid(2)?,
                    message: need_payload(op, payload)?,
                }
            }
            3 | 13 => {
                f.arity(if op == 3 { 4 } else { 5 })?;
                no_payload(op, &payload)?;
                ControlMessage::Exit {
                    from: f.pid(1)?,
                    to: f.pid(2)?,
                    reason: f.get(if op == 3 { 3 } else { 4 })?.clone(),
                }
            }
            24 | 25 => {
                f.arity(if op == 24 { 3 } else { 4 })?;
                ControlMessage::Exit {
                    from: f.pid(1)?,
                    to: f.pid(2)?,
                    reason: need_payload(op, payload)?,
                }
            }
            6 | 16 => {
                f.arity(if op == 6 { 4 } else { 5 })?;
                ControlMessage::RegSend {
                    from: f.pid(1)?,
                    to: f.atom(3)?,
                    message: need_payload(op, payload)?,
                }
            }
            7 => {
                f.arity(3)?;
                no_payload(op, &payload)?;
                ControlMessage::GroupLeader {
                    from: f.pid(1)?,
                    to: f.pid(2)?,
                }
            }
            8 | 18 => {
                f.arity(if op == 8 { 4 } else { 5 })?;
                no_payload(op, &payload)?;
                ControlMessage::Exit2 {
                    from: f.pid(1)?,
                    to: f.pid(2)?,
                    reason: f.get(if op == 8 { 3 } else { 4 })?.clone(),
                }
            }
            26 | 27 => {
                f.arity(if op == 26 { 3 } else { 4 })?;
                ControlMessage::Exit2 {
                    from: f.pid(1)?,
                    to: f.pid(2)?,
                    reason: need_payload(op, payload)?,
                }
            }
            19 | 20 => {
                f.arity(4)?;
                no_payload(op, &payload)?;
                let (from, to, reference) = (f.pid(1)?, f.proc_ref(2)?, f.reference(3)?);
                if op == 19 {
                    ControlMessage::MonitorP {
                        from,
                        to,
                        reference,
                    }
                } else {
                    ControlMessage::DemonitorP {
                        from,
                        to,
                        reference,
                    }
                }
            }
            21 => {
                f.arity(5)?;
                no_payload(op, &payload)?;
                ControlMessage::MonitorPExit {
                    from: f.proc_ref(1)?,
                    to: f.pid(2)?,
                    reference: f.reference(3)?,
                    reason: f.get(4)?.clone(),
                }
            }
            28 => {
                f.arity(4)?;
                ControlMessage::MonitorPExit {
                    from: f.proc_ref(1)?,
                    to: f.pid(2)?,
                    reference: f.reference(3)?,
                    reason: need_payload(op, payload)?,
                }
            }
            22 | 23 => {
                f.arity(if op == 22 { 3 } else { 4 })?;
                ControlMessage::SendSender {
                    from: f.pid(1)?,
                    to: f.pid(2)?,
                    message: need_payload(op, payload)?,
                }
            }
            29 | 30 => {
                f.arity(if op == 29 { 6 } else { 7 })?;
                let mfa = f.get(4)?;
                let (module, function, arity) = match mfa.as_tuple() {
                    Some([Term::Atom(m), Term::Atom(fun), a]) => {
                        let arity =
                            a.as_i64()
                                .and_then(|a| u8::try_from(a).ok())
                                .ok_or_else(|| {
                                    bad(format!("spawn request: bad arity in {}", brief(mfa)))
                                })?;
                        (m.clone(), fun.clone(), arity)
                    }
                    _ => {
                        return Err(bad(format!(
                            "spawn request: bad {{M, F, A}}: {}",
                            brief(mfa)
                        )));
                    }
                };
                ControlMessage::SpawnRequest {
                    request: f.reference(1)?,
                    from: f.pid(2)?,
                    group_leader: f.pid(3)?,
                    module,
                    function,
                    arity,
                    options: f.get(5)?.clone(),
                    args: need_payload(op, payload)?,
                }
            }
            31 | 32 => {
                f.arity(if op == 31 { 5 } else { 6 })?;
                no_payload(op, &payload)?;
                let flags = f
                    .get(3)?
                    .as_i64()
                    .and_then(|v| u32::try_from(v).ok())
                    .ok_or_else(|| bad("spawn reply: bad flags"))?;
                ControlMessage::SpawnReply {
                    request: f.reference(1)?,
                    to: f.pid(2)?,
                    flags,
                    result: f.get(4)?.clone(),
                }
            }
            33 | 34 => {
                f.arity(if op == 33 { 3 } else { 4 })?;
                ControlMessage::AliasSend {
                    from: f.pid(1)?,
                    alias: f.reference(2)?,
                    message: need_payload(op, payload)?,
                }
            }
            35 | 36 => {
                f.arity(4)?;
                no_payload(op, &payload)?;
                let (id, from, to) = (f.u64(1)?, f.pid(2)?, f.pid(3)?);
                if id == 0 {
                    return Err(bad("unlink id 0 (valid ids are 1 to 2^64-1)"));
                }
                if op == 35 {
                    ControlMessage::UnlinkId { id, from, to }
                } else {
                    ControlMessage::UnlinkIdAck { id, from, to }
                }
            }
            4 => return Err(bad("UNLINK (4) is obsolete; UNLINK_ID was negotiated")),
            _ => return Err(bad(format!("unknown operation {op}"))),
        };
        Ok(m)
    }

    /// The control tuple and the term that follows it, as this node sends
    /// them to a peer with `peer_flags`. `SEND_SENDER` needs the peer's
    /// `DFLAG_SEND_SENDER`; without it the sender is left out (`SEND`).
    ///
    /// ```
    /// use girder_dist::{ControlMessage, DistFlags};
    /// use girder_term::{Atom, ExternalPid, Term};
    /// let to = ExternalPid { node: Atom::new("a@h").unwrap(), id: 1, serial: 0, creation: 5 };
    /// let (ctl, msg) = ControlMessage::Send { to, message: Term::atom("hi") }.encode(DistFlags::GIRDER);
    /// assert_eq!(ctl.to_string(), "{2,'',<a@h.1.0>}");
    /// assert_eq!(msg, Some(Term::atom("hi")));
    /// ```
    pub fn encode(&self, peer_flags: DistFlags) -> (Term, Option<Term>) {
        let op = |n: i64| Term::Integer(n);
        let pid = |p: &ExternalPid| Term::Pid(p.clone());
        let r = |r: &ExternalRef| Term::Reference(r.clone());
        match self {
            ControlMessage::Link { from, to } => (Term::tuple([op(1), pid(from), pid(to)]), None),
            ControlMessage::Send { to, message } => (
                Term::tuple([op(2), Term::atom(""), pid(to)]),
                Some(message.clone()),
            ),
            ControlMessage::Exit { from, to, reason } => (
                Term::tuple([op(3), pid(from), pid(to), reason.clone()]),
                None,
            ),
            ControlMessage::RegSend { from, to, message } => (
                Term::tuple([op(6), pid(from), Term::atom(""), Term::Atom(to.clone())]),
                Some(message.clone()),
            ),
            ControlMessage::GroupLeader { from, to } => {
                (Term::tuple([op(7), pid(from), pid(to)]), None)
            }
            ControlMessage::Exit2 { from, to, reason } => (
                Term::tuple([op(8), pid(from), pid(to), reason.clone()]),
                None,
            ),
            ControlMessage::MonitorP {
                from,
                to,
                reference,
            } => (
                Term::tuple([op(19), pid(from), to.to_term(), r(reference)]),
                None,
            ),
            ControlMessage::DemonitorP {
                from,
                to,
                reference,
            } => (
                Term::tuple([op(20), pid(from), to.to_term(), r(reference)]),
                None,
            ),
            ControlMessage::MonitorPExit {
                from,
                to,
                reference,
                reason,
            } => (
                Term::tuple([
                    op(21),
                    from.to_term(),
                    pid(to),
                    r(reference),
                    reason.clone(),
                ]),
                None,
            ),
            ControlMessage::SendSender { from, to, message } => {
                if peer_flags.contains(DistFlags::SEND_SENDER) {
                    (
                        Term::tuple([op(22), pid(from), pid(to)]),
                        Some(message.clone()),
                    )
                } else {
                    (
                        Term::tuple([op(2), Term::atom(""), pid(to)]),
                        Some(message.clone()),
                    )
                }
            }
            ControlMessage::SpawnRequest {
                request,
                from,
                group_leader,
                module,
                function,
                arity,
                options,
                args,
            } => (
                Term::tuple([
                    op(29),
                    r(request),
                    pid(from),
                    pid(group_leader),
                    Term::tuple([
                        Term::Atom(module.clone()),
                        Term::Atom(function.clone()),
                        Term::Integer(i64::from(*arity)),
                    ]),
                    options.clone(),
                ]),
                Some(args.clone()),
            ),
            ControlMessage::SpawnReply {
                request,
                to,
                flags,
                result,
            } => (
                Term::tuple([
                    op(31),
                    r(request),
                    pid(to),
                    Term::Integer(i64::from(*flags)),
                    result.clone(),
                ]),
                None,
            ),
            ControlMessage::AliasSend {
                from,
                alias,
                message,
            } => (
                Term::tuple([op(33), pid(from), r(alias)]),
                Some(message.clone()),
            ),
            ControlMessage::UnlinkId { id, from, to } => (
                Term::tuple([op(35), Term::integer(*id), pid(from), pid(to)]),
                None,
            ),
            ControlMessage::UnlinkIdAck { id, from, to } => (
                Term::tuple([op(36), Term::integer(*id), pid(from), pid(to)]),
                None,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pid(id: u32) -> ExternalPid {
        ExternalPid {
            node: Atom::new("a@h").unwrap(),
            id,
            serial: 0,
            creation: 7,
        }
    }

    fn reference() -> ExternalRef {
        ExternalRef {
            node: Atom::new("a@h").unwrap(),
            creation: 7,
            id: vec![1, 2, 3],
        }
    }

    #[test]
    fn every_variant_round_trips() {
        let all = vec![
            ControlMessage::Link {
                from: pid(1),
                to: pid(2),
            },
            ControlMessage::Send {
                to: pid(2),
                message: Term::atom("m"),
            },
            ControlMessage::Exit {
                from: pid(1),
                to: pid(2),
                reason: Term::atom("kill"),
            },
            ControlMessage::RegSend {
                from: pid(1),
                to: Atom::new("n").unwrap(),
                message: Term::nil(),
            },
            ControlMessage::GroupLeader {
                from: pid(1),
                to: pid(2),
            },
            ControlMessage::Exit2 {
                from: pid(1),
                to: pid(2),
                reason: Term::atom("normal"),
            },
            ControlMessage::MonitorP {
                from: pid(1),
                to: ProcRef::Name(Atom::new("n").unwrap()),
                reference: reference(),
            },
            ControlMessage::DemonitorP {
                from: pid(1),
                to: ProcRef::Pid(pid(2)),
                reference: reference(),
            },
            ControlMessage::MonitorPExit {
                from: ProcRef::Pid(pid(2)),
                to: pid(1),
                reference: reference(),
                reason: Term::atom("noproc"),
            },
            ControlMessage::SendSender {
                from: pid(1),
                to: pid(2),
                message: Term::Integer(5),
            },
            ControlMessage::SpawnRequest {
                request: reference(),
                from: pid(1),
                group_leader: pid(3),
                module: Atom::new("m").unwrap(),
                function: Atom::new("f").unwrap(),
                arity: 1,
                options: Term::nil(),
                args: Term::list([Term::Integer(1)]),
            },
            ControlMessage::SpawnReply {
                request: reference(),
                to: pid(1),
                flags: 2,
                result: Term::Pid(pid(9)),
            },
            ControlMessage::AliasSend {
                from: pid(1),
                alias: reference(),
                message: Term::atom("x"),
            },
            ControlMessage::UnlinkId {
                id: u64::MAX,
                from: pid(1),
                to: pid(2),
            },
            ControlMessage::UnlinkIdAck {
                id: 1,
                from: pid(2),
                to: pid(1),
            },
        ];
        for m in all {
            let (ctl, payload) = m.encode(DistFlags::GIRDER);
            assert_eq!(ControlMessage::decode(ctl, payload).unwrap(), m);
        }
    }

    #[test]
    fn payload_and_trace_token_forms() {
        let p = |i| Term::Pid(pid(i));
        let exit = ControlMessage::decode(
            Term::tuple([Term::Integer(25), p(1), p(2), Term::atom("token")]),
            Some(Term::atom("why")),
        )
        .unwrap();
        assert_eq!(
            exit,
            ControlMessage::Exit {
                from: pid(1),
                to: pid(2),
                reason: Term::atom("why")
            }
        );
        let send = ControlMessage::decode(
            Term::tuple([Term::Integer(12), Term::atom(""), p(2), Term::atom("token")]),
            Some(Term::Integer(1)),
        )
        .unwrap();
        assert_eq!(
            send,
            ControlMessage::Send {
                to: pid(2),
                message: Term::Integer(1)
            }
        );
    }

    #[test]
    fn malformed_messages_are_refused_with_reasons() {
        let p = |i| Term::Pid(pid(i));
        let cases: Vec<(Term, Option<Term>, &str)> = vec![
            (Term::atom("x"), None, "not a tuple"),
            (Term::tuple([]), None, "no operation number"),
            (
                Term::tuple([Term::Integer(99)]),
                None,
                "unknown operation 99",
            ),
            (
                Term::tuple([Term::Integer(1), p(1)]),
                None,
                "has 2 elements",
            ),
            (
                Term::tuple([Term::Integer(2), Term::atom(""), p(1)]),
                None,
                "needs a second term",
            ),
            (
                Term::tuple([Term::Integer(1), p(1), Term::atom("x")]),
                None,
                "not a pid",
            ),
            (
                Term::tuple([Term::Integer(1), p(1), p(2)]),
                Some(Term::nil()),
                "takes no second term",
            ),
            (
                Term::tuple([Term::Integer(35), Term::Integer(0), p(1), p(2)]),
                None,
                "unlink id 0",
            ),
            (
                Term::tuple([Term::Integer(35), Term::Integer(-1), p(1), p(2)]),
                None,
                "not a 64-bit id",
            ),
            (
                Term::tuple([Term::Integer(4), p(1), p(2)]),
                None,
                "obsolete",
            ),
        ];
        for (ctl, payload, want) in cases {
            let err = ControlMessage::decode(ctl.clone(), payload).unwrap_err();
            assert!(err.to_string().contains(want), "{ctl}: {err}");
        }
    }

    #[test]
    fn send_sender_falls_back_to_send() {
        let m = ControlMessage::SendSender {
            from: pid(1),
            to: pid(2),
            message: Term::nil(),
        };
        let (ctl, _) = m.encode(DistFlags::MANDATORY);
        assert_eq!(ctl.as_tuple().unwrap()[0], Term::Integer(2));
    }
}
