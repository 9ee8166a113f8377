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

use super::server::{CallMsg, CastMsg, InitAck, StopMsg};
use super::{Action, GenServer, INFINITY, Info, Init, Message, StartError};
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
                let from = call.from;
                let request = call.request;
                let reply = guarded!(state, state.handle_call(request, from));
                match reply.action {
                    Action::Stop(reason) => {
                        let exit = stop(&mut state, reason).await;
                        if let Some(value) = reply.reply {
                            from.reply(value);
                        }
                        return exit;
                    }
                    action => {
                        if let Some(value) = reply.reply {
                            from.reply(value);
                        }
                        action
                    }
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
