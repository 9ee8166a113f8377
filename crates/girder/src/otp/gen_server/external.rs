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
