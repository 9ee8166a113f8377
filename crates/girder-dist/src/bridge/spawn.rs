//! `SPAWN_REQUEST` from another node (`erlang:spawn_request/5`, and under
//! it `spawn/4`, `erpc:call/4`, `rpc:call/4`): a girder process is spawned
//! for `{M, F, A}` and the requester hears `SPAWN_REPLY` (erts `dist.c`
//! and `erl_proc_sig_queue.c`'s handling of the same).
//!
//! The requester's node sends what the new process needs: the options
//! `link` and `monitor`, and `spawn_opt/4` tuning (`priority`,
//! `fullsweep_after`, `min_heap_size`, `min_bin_vheap_size`,
//! `max_heap_size`, `message_queue_data`, `async_dist`). `{reply, _}`,
//! `{reply_tag, _}` and the options of `{monitor, Opts}` stay on its
//! node. The tuning options have no girder counterpart: they are checked
//! and accepted. Any other option is answered `badopt`, as erts answers
//! it. The group leader is ignored (girder has no I/O protocol).
//!
//! Order matters: the requester must hear `SPAWN_REPLY` before any other
//! signal from the new process (its exit, a message). So the process is
//! spawned behind a gate: its link and monitor to the requester are put
//! in its signal queue, the reply is queued on the connection, and only
//! then does the gate open. A link or monitor is then the bridge's like
//! any that crossed the connection with `LINK` or `MONITOR_P` (see
//! `crossing`): the process's exit goes back as `EXIT` or
//! `MONITOR_P_EXIT` (whose reference is the request id), and a lost
//! connection fires them with `noconnection`.

use girder::Pid;
use girder::dist::RemoteSignal;
use girder_term::Term;

use crate::bridge::crossing::InMonitor;
use crate::bridge::state::State;
use crate::control::ControlMessage;
use crate::name::NodeName;
use crate::rpc::execute::Request;

/// `SPAWN_REPLY` flag: the link to the requester is set up.
const LINKED: u32 = 1;
/// `SPAWN_REPLY` flag: the requester's monitor is set up.
const MONITORED: u32 = 2;

/// The options that concern the new process.
#[derive(Debug, Default, PartialEq, Eq)]
struct SpawnOpts {
    link: bool,
    monitor: bool,
}

/// Reads a spawn request's option list; `Err` with the offending option
/// for anything `spawn_opt/4` would refuse.
fn parse_options(options: &Term) -> Result<SpawnOpts, Term> {
    let Term::List(items) = options else {
        return Err(options.clone());
    };
    let mut opts = SpawnOpts::default();
    let count = |v: &Term| v.as_i64().is_some_and(|n| n >= 0);
    for o in items {
        let ok = match o {
            Term::Atom(a) if a.as_str() == "link" => {
                opts.link = true;
                true
            }
            Term::Atom(a) if a.as_str() == "monitor" => {
                opts.monitor = true;
                true
            }
            Term::Tuple(kv) => match kv.as_slice() {
                [Term::Atom(k), v] => match k.as_str() {
                    "priority" => ["low", "normal", "high", "max"]
                        .iter()
                        .any(|p| v.is_atom(p)),
                    "fullsweep_after" | "min_heap_size" | "min_bin_vheap_size" => count(v),
                    "max_heap_size" => count(v) || v.as_map().is_some(),
                    "message_queue_data" => v.is_atom("off_heap") || v.is_atom("on_heap"),
                    "async_dist" => v.as_bool().is_some(),
                    _ => false,
                },
                _ => false,
            },
            _ => false,
        };
        if !ok {
            return Err(o.clone());
        }
    }
    Ok(opts)
}

impl State {
    /// Serves a `SPAWN_REQUEST` from `peer`.
    pub(crate) fn spawn_request(&self, peer: &NodeName, message: ControlMessage) {
        let ControlMessage::SpawnRequest {
            request,
            from,
            module,
            function,
            options,
            args,
            ..
        } = message
        else {
            return;
        };
        let Some(parent) = self.sender_pid(peer, &from) else {
            return;
        };
        let reply = |flags: u32, result: Term| {
            self.send_control(
                peer,
                &ControlMessage::SpawnReply {
                    request: request.clone(),
                    to: from.clone(),
                    flags,
                    result,
                },
            )
        };
        let opts = match parse_options(&options) {
            Ok(o) => o,
            Err(bad) => {
                tracing::debug!(node = %self.name, %peer, option = %bad, "spawn request with an option we do not know: badopt");
                reply(0, Term::atom("badopt"));
                return;
            }
        };
        let Term::List(args) = args else {
            tracing::debug!(node = %self.name, %peer, %args, "spawn request whose arguments are not a proper list: badarg");
            reply(0, Term::atom("badarg"));
            return;
        };
        let Some(handle) = self.handle() else {
            reply(0, Term::atom("notsup"));
            return;
        };
        let (open, gate) = tokio::sync::oneshot::channel::<()>();
        let registry = self.rpc.clone();
        let run = Request::new(module, function, args);
        let child = handle.spawn(async move {
            // Closed without a word only if this node is going away; run
            // anyway, as a process that was created does.
            let _ = gate.await;
            run.run(&registry).await
        });
        let flags = self.tie(peer, parent, child, &opts, &request);
        let Some(pid) = self.external_pid(child) else {
            return;
        };
        reply(flags, Term::Pid(pid));
        let _ = open.send(());
    }

    /// Sets up the link and monitor the request asked for between the
    /// remote `parent` and the gated `child`; the `SPAWN_REPLY` flags.
    fn tie(
        &self,
        peer: &NodeName,
        parent: Pid,
        child: Pid,
        opts: &SpawnOpts,
        request: &girder_term::ExternalRef,
    ) -> u32 {
        let mut flags = 0;
        if opts.link {
            self.crossing.lock().add_link(peer, child, parent);
            self.deliver(child, RemoteSignal::Link { from: parent });
            flags |= LINKED;
        }
        if opts.monitor {
            let interned = self.intern_ref(parent.node());
            let added = self.crossing.lock().add_into(
                InMonitor {
                    reference: request.clone(),
                    watcher: parent,
                    target: child,
                    by_name: None,
                    node: peer.clone(),
                },
                interned,
            );
            match added {
                Some(monitor) => {
                    self.deliver(
                        child,
                        RemoteSignal::Monitor {
                            from: parent,
                            monitor,
                        },
                    );
                    flags |= MONITORED;
                }
                None => {
                    tracing::warn!(node = %self.name, %peer, "spawn request reuses a live monitor's reference; not monitored")
                }
            }
        }
        flags
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: Vec<Term>) -> Term {
        Term::List(items)
    }

    #[test]
    fn options_otp_sends_are_accepted() {
        let t = |k: &str, v: Term| Term::tuple([Term::atom(k), v]);
        let opts = list(vec![
            Term::atom("link"),
            Term::atom("monitor"),
            t("priority", Term::atom("high")),
            t("fullsweep_after", Term::Integer(3)),
            t("min_heap_size", Term::Integer(0)),
            t("max_heap_size", Term::map([])),
            t("message_queue_data", Term::atom("off_heap")),
            t("async_dist", Term::atom("true")),
        ]);
        assert_eq!(
            parse_options(&opts),
            Ok(SpawnOpts {
                link: true,
                monitor: true
            })
        );
        assert_eq!(parse_options(&list(vec![])), Ok(SpawnOpts::default()));
    }

    #[test]
    fn anything_else_is_badopt() {
        let t = |k: &str, v: Term| Term::tuple([Term::atom(k), v]);
        for bad in [
            Term::atom("bogus"),
            t("priority", Term::atom("urgent")),
            t("min_heap_size", Term::Integer(-1)),
            t("reply", Term::atom("yes")),
            Term::tuple([Term::Integer(1), Term::Integer(2)]),
        ] {
            assert_eq!(parse_options(&list(vec![bad.clone()])), Err(bad));
        }
        assert!(parse_options(&Term::atom("link")).is_err());
    }
}
