//! Calls and casts from Erlang and Elixir nodes: `gen_server:call/2,3`,
//! `gen_server:cast/2`, `GenServer.call/2,3` and `GenServer.cast/2` into a
//! girder [`GenServer`].
//!
//! On the wire a call from another node is the message
//! `{'$gen_call', {From, Tag}, Request}` (OTP 24+: `Tag` is
//! `[alias | Ref]`, and the reply goes to that alias; before: a plain
//! reference, and the reply goes to `From`), and a cast is
//! `{'$gen_cast', Request}`. Both arrive in a girder process as
//! [`girder_term::Term`] messages. A server that opts in with
//! [`GenServer::terms`] has them decoded into its typed `Call` and `Cast`
//! and answered `{Tag, Reply}`, exactly as an Erlang `gen_server` answers;
//! every other server gets them in `handle_info` as before.
//!
//! The conversions between the terms and the runtime's pids and aliases
//! belong to the distribution layer (`girder-dist`), which implements
//! [`TermPeer`] and builds [`Terms`] for serde types.

use std::fmt;
use std::sync::Arc;

use girder_core::Alias;
use girder_term::Term;

use super::GenServer;

/// The distribution layer's side of term calls: the reply address of a
/// call that came from another node. Implemented by `girder-dist`
/// (`girder_dist::DistNode`); a server gets one inside its [`Terms`].
pub trait TermPeer: Send + Sync + fmt::Debug + 'static {
    /// The reply address of a `'$gen_call'` with `From` = `from` and
    /// `Tag` = `tag`: an alias that carries a [`Term`] message `M` sent
    /// through it to the caller as `{Tag, M}` (Erlang `gen:reply/2`: to
    /// the alias when `Tag` is `[alias | Alias]`, else to `From`), once.
    /// `None` when `from` is not a pid of another node (a call from a
    /// process of this node in term form is not served: such a caller
    /// uses [`super::Server::call`]).
    fn reply_to(&self, from: &Term, tag: &Term) -> Option<Alias>;
}

/// Decodes a request term into a typed request, or says why not.
pub type Decode<T> = fn(&Term) -> Result<T, String>;

/// Encodes a typed reply into a term, or says why not.
pub type Encode<T> = fn(&T) -> Result<Term, String>;

/// How a [`GenServer`] serves calls and casts from Erlang and Elixir nodes:
/// how to decode their requests into `S::Call` and `S::Cast`, how to encode
/// `S::Reply`, and the distribution layer that routes replies. Return one
/// from [`GenServer::terms`] to opt in; `girder_dist::DistNode::terms`
/// builds one with serde's mapping.
///
/// A request that does not decode goes to `handle_info` as the original
/// `Term`, with a warning (the Erlang caller then times out, as it would
/// with a `gen_server` that ignores the request); so does a call whose
/// `From` is not a process of another node.
pub struct Terms<S: GenServer> {
    pub(super) peer: Arc<dyn TermPeer>,
    pub(super) call: Decode<S::Call>,
    pub(super) cast: Decode<S::Cast>,
    pub(super) reply: Encode<S::Reply>,
}

impl<S: GenServer> Terms<S> {
    /// Term calls and casts decoded with `call` and `cast`, replies encoded
    /// with `reply`, routed by `peer`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use girder::otp::gen_server::{GenServer, Reply, ReplyTo, TermPeer, Terms};
    /// use girder::term::Term;
    ///
    /// #[derive(Debug)]
    /// struct NoPeer;
    /// impl TermPeer for NoPeer {
    ///     fn reply_to(&self, _: &Term, _: &Term) -> Option<girder::Alias> { None }
    /// }
    /// struct Echo;
    /// impl GenServer for Echo {
    ///     type Call = Term;
    ///     type Reply = Term;
    ///     type Cast = ();
    ///     type Continue = ();
    ///     async fn handle_call(&mut self, t: Term, _: ReplyTo<Term>) -> Reply<Term> {
    ///         Reply::reply(t)
    ///     }
    /// }
    /// let terms = Terms::<Echo>::new(
    ///     Arc::new(NoPeer),
    ///     |t| Ok(t.clone()),
    ///     |_| Err("no casts".into()),
    ///     |t| Ok(t.clone()),
    /// );
    /// assert!(format!("{terms:?}").contains("NoPeer"));
    /// ```
    pub fn new(
        peer: Arc<dyn TermPeer>,
        call: Decode<S::Call>,
        cast: Decode<S::Cast>,
        reply: Encode<S::Reply>,
    ) -> Terms<S> {
        Terms {
            peer,
            call,
            cast,
            reply,
        }
    }
}

impl<S: GenServer> fmt::Debug for Terms<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Terms")
            .field("peer", &self.peer)
            .finish_non_exhaustive()
    }
}

/// What a `Term` message is to a server that serves terms.
pub(super) enum TermRequest<'a> {
    /// `{'$gen_call', {From, Tag}, Request}`.
    Call {
        from: &'a Term,
        tag: &'a Term,
        request: &'a Term,
    },
    /// `{'$gen_cast', Request}`.
    Cast(&'a Term),
}

impl TermRequest<'_> {
    /// Classifies `t`; `None` for any other term.
    pub(super) fn of(t: &Term) -> Option<TermRequest<'_>> {
        if let Some([_, from_tag, request]) = t.as_tagged("$gen_call", 3) {
            if let Some([from, tag]) = from_tag.as_tuple() {
                return Some(TermRequest::Call { from, tag, request });
            }
            return None;
        }
        match t.as_tagged("$gen_cast", 2) {
            Some([_, request]) => Some(TermRequest::Cast(request)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use girder_core::{Alias, alias, receive, self_pid, send};
    use girder_term::Term;
    use parking_lot::Mutex;

    use super::{TermPeer, Terms};
    use crate::otp::gen_server::{Action, GenServer, Info, Reply, ReplyTo, Server};

    /// Routes every reply to one alias of the test process (a local
    /// stand-in for the distribution layer), and refuses `From = nobody`.
    #[derive(Debug)]
    struct Peer(Mutex<Option<Alias>>);

    impl TermPeer for Peer {
        fn reply_to(&self, from: &Term, _tag: &Term) -> Option<Alias> {
            if from.is_atom("nobody") {
                return None;
            }
            *self.0.lock()
        }
    }

    struct Adder {
        peer: Option<Arc<Peer>>,
        total: i64,
        infos: girder_core::Pid,
    }

    impl GenServer for Adder {
        type Call = i64;
        type Reply = i64;
        type Cast = i64;
        type Continue = ();

        async fn handle_call(&mut self, n: i64, from: ReplyTo<i64>) -> Reply<i64> {
            // Term callers are told apart from typed ones.
            if !from.is_remote() {
                return Reply::reply(-self.total);
            }
            self.total += n;
            Reply::reply(self.total)
        }

        async fn handle_cast(&mut self, n: i64) -> Action {
            self.total += n;
            Action::Noreply
        }

        async fn handle_info(&mut self, info: Info) -> Action {
            if let Info::Message(m) = info {
                if let Ok(t) = m.downcast::<Term>() {
                    send(self.infos, t);
                }
            }
            Action::Noreply
        }

        fn terms(&self) -> Option<Terms<Self>> {
            let peer = self.peer.clone()?;
            Some(Terms::new(
                peer,
                |t| t.as_i64().ok_or_else(|| format!("{t} is no integer")),
                |t| t.as_i64().ok_or_else(|| format!("{t} is no integer")),
                |n| Ok(Term::Integer(*n)),
            ))
        }
    }

    fn gen_call(from: Term, request: Term) -> Term {
        Term::tuple([
            Term::atom("$gen_call"),
            Term::tuple([from, Term::atom("tag")]),
            request,
        ])
    }

    async fn next_term() -> Term {
        receive::<Term>()
            .timeout(Duration::from_secs(10))
            .await
            .expect("a term in time")
    }

    #[test]
    fn served_terms_are_decoded_and_the_rest_goes_to_handle_info() {
        girder_core::run(async {
            let reply_alias = alias();
            let peer = Arc::new(Peer(Mutex::new(Some(reply_alias))));
            let adder = Adder {
                peer: Some(peer),
                total: 0,
                infos: self_pid(),
            };
            let server = Server::start(adder).await.unwrap();
            let pid = server.whereis().unwrap();
            send(pid, gen_call(Term::atom("caller"), Term::Integer(2)));
            assert_eq!(next_term().await, Term::Integer(2));
            send(
                pid,
                Term::tuple([Term::atom("$gen_cast"), Term::Integer(5)]),
            );
            send(pid, gen_call(Term::atom("caller"), Term::Integer(1)));
            assert_eq!(next_term().await, Term::Integer(8));
            // A request that does not decode, a caller with no reply
            // address, a malformed call and a bad cast: handle_info.
            let bad = gen_call(Term::atom("caller"), Term::atom("x"));
            send(pid, bad.clone());
            assert_eq!(next_term().await, bad);
            let nobody = gen_call(Term::atom("nobody"), Term::Integer(1));
            send(pid, nobody.clone());
            assert_eq!(next_term().await, nobody);
            let malformed =
                Term::tuple([Term::atom("$gen_call"), Term::atom("x"), Term::Integer(1)]);
            send(pid, malformed.clone());
            assert_eq!(next_term().await, malformed);
            let cast = Term::tuple([Term::atom("$gen_cast"), Term::atom("x")]);
            send(pid, cast.clone());
            assert_eq!(next_term().await, cast);
            // Typed calls still work beside the terms.
            assert_eq!(server.call(0).await, Ok(-8));
        })
        .unwrap();
    }

    #[test]
    fn a_server_that_does_not_opt_in_gets_the_terms_in_handle_info() {
        girder_core::run(async {
            let adder = Adder {
                peer: None,
                total: 0,
                infos: self_pid(),
            };
            let server = Server::start(adder).await.unwrap();
            let pid = server.whereis().unwrap();
            let call = gen_call(Term::atom("caller"), Term::Integer(2));
            send(pid, call.clone());
            assert_eq!(next_term().await, call);
            let cast = Term::tuple([Term::atom("$gen_cast"), Term::Integer(5)]);
            send(pid, cast.clone());
            assert_eq!(next_term().await, cast);
        })
        .unwrap();
    }
}
