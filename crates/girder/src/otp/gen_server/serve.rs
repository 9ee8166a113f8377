//! The server side: the process that registers, runs `init`, acks the
//! starter, then takes one message at a time and runs the callbacks, with
//! panics turned into `terminate` + exit.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use girder_core::{Down, Exit, ExitReason, Pid, Ref, receive_select, self_pid, send};

use girder_term::Term;

use super::external::TermRequest;
use super::server::{CallMsg, CastMsg, InitAck, StopMsg};
use super::{Action, GenServer, INFINITY, Info, Init, Message, ReplyTo, StartError, Terms};
use crate::otp::Name;

/// `terminate` and re-raises it.
macro_rules! guarded {
    ($state:ident, $call:expr) => {{
        let outcome = CatchUnwind::new($call).await;
        match outcome {
            Ok(v) => v,
            Err(payload) => crash(&mut $state, payload).await,
        }
    }};
}

/// What the server loop took from its mailbox.
enum Incoming {
    Call,
    Cast,
    Stop,
    ParentExit,
    Exit,
    Down,
    /// A `'$gen_call'` or `'$gen_cast'` term, to a server that serves them.
    Term,
    Other,
}

/// The server process: register, init, ack, then one message at a time.
/// The parent is the starter if it linked, else the server itself (as
/// `proc_lib` has it), so an unlinked server takes exits from its starter as
/// infos.
pub(super) async fn serve<S: GenServer>(
    mut state: S,
    starter: Pid,
    linked: bool,
    tag: Ref,
    name: Option<Name>,
) -> ExitReason {
    let me = self_pid();
    let parent = if linked { starter } else { me };
    let ack = |result| send(starter, InitAck { tag, result });
    if let Some(name) = &name {
        if !name.register(me) {
            ack(Err(match name.whereis() {
                Some(pid) => StartError::AlreadyStarted(pid),
                None => StartError::NameTaken(name.to_string()),
            }));
            return ExitReason::Normal;
        }
    }
    let init = match CatchUnwind::new(state.init()).await {
        Ok(init) => init,
        Err(payload) => {
            ack(Err(StartError::Stopped(ExitReason::Panic(panic_message(
                &*payload,
            )))));
            std::panic::resume_unwind(payload);
        }
    };
    let mut next = match init {
        Init::Ok => Action::Noreply,
        Init::Timeout(d) => Action::Timeout(d),
        Init::Continue(c) => Action::Continue(c),
        Init::Stop(reason) => {
            ack(Err(StartError::Stopped(reason.clone())));
            return reason;
        }
        Init::Ignore => {
            ack(Err(StartError::Ignore));
            return ExitReason::Normal;
        }
    };
    ack(Ok(()));
    let terms = state.terms();
    let serves_terms = terms.is_some();
    loop {
        let timeout = match next {
            Action::Noreply => None,
            Action::Timeout(d) => Some(d),
            Action::Continue(c) => {
                next = guarded!(state, state.handle_continue(c));
                continue;
            }
            Action::Stop(reason) => return stop(&mut state, reason).await,
        };
        let select = move |m: &(dyn Any + Send)| {
            Some(if m.is::<CallMsg<S::Call, S::Reply>>() {
                Incoming::Call
            } else if m.is::<CastMsg<S::Cast>>() {
                Incoming::Cast
            } else if m.is::<StopMsg>() {
                Incoming::Stop
            } else if let Some(e) = m.downcast_ref::<Exit>() {
                if e.from == parent && parent != me {
                    Incoming::ParentExit
                } else {
                    Incoming::Exit
                }
            } else if m.is::<Down>() {
                Incoming::Down
            } else if serves_terms
                && m.downcast_ref::<Term>()
                    .is_some_and(|t| TermRequest::of(t).is_some())
            {
                Incoming::Term
            } else {
                Incoming::Other
            })
        };
        let hit = match timeout {
            Some(d) if d != INFINITY => receive_select(select).timeout(d).await,
            _ => Some(receive_select(select).await),
        };
        let Some((kind, msg)) = hit else {
            next = guarded!(state, state.handle_info(Info::Timeout));
            continue;
        };
        next = match kind {
            Incoming::Call => {
                let Ok(call) = msg.downcast::<CallMsg<S::Call, S::Reply>>() else {
                    unreachable!("classified as a call")
                };
                match call_step(&mut state, call.request, call.from).await {
                    Ok(action) => action,
                    Err(exit) => return exit,
                }
            }
            Incoming::Term => {
                let Ok(term) = msg.downcast::<Term>() else {
                    unreachable!("classified as a term")
                };
                let Some(terms) = &terms else {
                    unreachable!("classified only when serving terms")
                };
                match decode(terms, &term) {
                    Some(Decoded::Call(request, from)) => {
                        match call_step(&mut state, request, from).await {
                            Ok(action) => action,
                            Err(exit) => return exit,
                        }
                    }
                    Some(Decoded::Cast(request)) => guarded!(state, state.handle_cast(request)),
                    None => guarded!(state, state.handle_info(Info::Message(Message(term)))),
                }
            }
            Incoming::Cast => {
                let Ok(cast) = msg.downcast::<CastMsg<S::Cast>>() else {
                    unreachable!("classified as a cast")
                };
                guarded!(state, state.handle_cast(cast.0))
            }
            Incoming::Stop => {
                let Ok(stop_msg) = msg.downcast::<StopMsg>() else {
                    unreachable!("classified as a stop")
                };
                Action::Stop(stop_msg.reason)
            }
            Incoming::ParentExit => {
                let Ok(e) = msg.downcast::<Exit>() else {
                    unreachable!("classified as an exit")
                };
                Action::Stop(e.reason)
            }
            Incoming::Exit => {
                let Ok(e) = msg.downcast::<Exit>() else {
                    unreachable!("classified as an exit")
                };
                guarded!(state, state.handle_info(Info::Exit(*e)))
            }
            Incoming::Down => {
                let Ok(d) = msg.downcast::<Down>() else {
                    unreachable!("classified as a DOWN")
                };
                guarded!(state, state.handle_info(Info::Down(*d)))
            }
            Incoming::Other => {
                guarded!(state, state.handle_info(Info::Message(Message(msg))))
            }
        };
    }
}

/// `handle_call`, then the reply and what happens next; `Err` with the
/// reason to exit with when the server stops.
async fn call_step<S: GenServer>(
    state: &mut S,
    request: S::Call,
    from: ReplyTo<S::Reply>,
) -> Result<Action<S::Continue>, ExitReason> {
    let reply = match CatchUnwind::new(state.handle_call(request, from)).await {
        Ok(reply) => reply,
        Err(payload) => crash(state, payload).await,
    };
    match reply.action {
        Action::Stop(reason) => {
            let exit = stop(state, reason).await;
            if let Some(value) = reply.reply {
                from.reply(value);
            }
            Err(exit)
        }
        action => {
            if let Some(value) = reply.reply {
                from.reply(value);
            }
            Ok(action)
        }
    }
}

/// A term request, decoded.
enum Decoded<S: GenServer> {
    Call(S::Call, ReplyTo<S::Reply>),
    Cast(S::Cast),
}

/// Decodes a `'$gen_call'` or `'$gen_cast'` term; `None` (logged) if its
/// request does not decode or a call's `From` has no reply address.
fn decode<S: GenServer>(terms: &Terms<S>, term: &Term) -> Option<Decoded<S>> {
    let decoded = match TermRequest::of(term)? {
        TermRequest::Call { from, tag, request } => {
            let Some(alias) = terms.peer.reply_to(from, tag) else {
                tracing::warn!(target: "girder::gen_server", server = %self_pid(), %from, %tag, "'$gen_call' from no process of another node; to handle_info");
                return None;
            };
            (terms.call)(request).map(|r| {
                Decoded::Call(
                    r,
                    ReplyTo {
                        alias,
                        encode: Some(terms.reply),
                        _reply: std::marker::PhantomData,
                    },
                )
            })
        }
        TermRequest::Cast(request) => (terms.cast)(request).map(Decoded::Cast),
    };
    match decoded {
        Ok(d) => Some(d),
        Err(error) => {
            tracing::warn!(target: "girder::gen_server", server = %self_pid(), request = %term, %error, "request term does not decode; to handle_info");
            None
        }
    }
}

/// Runs `terminate` and returns the reason to exit with.
async fn stop<S: GenServer>(state: &mut S, reason: ExitReason) -> ExitReason {
    if let Err(payload) = CatchUnwind::new(state.terminate(&reason)).await {
        std::panic::resume_unwind(payload);
    }
    reason
}

/// A panic in a callback: run `terminate` with the panic as the reason,
/// then let the panic end the process (the runtime reports it).
async fn crash<S: GenServer, T>(state: &mut S, payload: Box<dyn Any + Send>) -> T {
    let reason = ExitReason::Panic(panic_message(&*payload));
    let _ = CatchUnwind::new(state.terminate(&reason)).await;
    std::panic::resume_unwind(payload)
}

/// The message of a panic payload, as the runtime words it.
fn panic_message(payload: &(dyn Any + Send)) -> Arc<str> {
    if let Some(s) = payload.downcast_ref::<&str>() {
        Arc::from(*s)
    } else if let Some(s) = payload.downcast_ref::<String>() {
        Arc::from(s.as_str())
    } else {
        Arc::from("non-string panic payload")
    }
}

pin_project_lite::pin_project! {
    /// Polls a future, turning a panic into `Err(payload)`.
    struct CatchUnwind<F> {
        #[pin]
        inner: F,
    }
}

impl<F> CatchUnwind<F> {
    fn new(inner: F) -> Self {
        CatchUnwind { inner }
    }
}

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.project().inner;
        match std::panic::catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}
