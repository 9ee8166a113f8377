//! Receiving messages: typed, selective, with or without a timeout.
//!
//! A receive looks through the mailbox in arrival order and takes the first
//! message that matches — by type ([`receive`]), by type and predicate
//! ([`receive_match`]), or by any of several types and patterns
//! ([`receive!`](crate::receive!)) — leaving the others where they are, as
//! Erlang's `receive` does. If nothing matches it waits; when woken it looks
//! only at messages that arrived since (each message is examined once per
//! receive). [`Receive::since`] starts the search at the mark a
//! [`make_ref`] left, so awaiting a reply tagged with a fresh reference does
//! not rescan a full mailbox (BEAM's receive-marker optimisation).
//!
//! Every receive charges reductions (one per message examined); a process
//! whose time slice is spent yields at its receive even if a message is
//! ready.

use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::Ref;
use crate::process::pcb::MAX_MARKS;
use crate::process::{try_with_current, with_current};
use crate::scheduler::reductions;
use crate::signal::Envelope;
use crate::timer::Deadline;

/// A fresh reference that also marks the caller's mailbox: a receive
/// `.since(r)` skips every message that arrived before. Erlang `make_ref/0`,
/// Elixir `make_ref/0`.
///
/// ```
/// girder_core::run(async {
///     let me = girder_core::self_pid();
///     for i in 0..1000u32 { girder_core::send(me, i); }
///     let r = girder_core::make_ref();
///     girder_core::send(me, (r, "reply"));
///     let (_, reply) = girder_core::receive_match(move |m: &(girder_core::Ref, &str)| m.0 == r)
///         .since(r)
///         .await;
///     assert_eq!(reply, "reply");
/// }).unwrap();
/// ```
pub fn make_ref() -> Ref {
    let r = Ref::fresh();
    try_with_current(|pcb| {
        if let Some(pcb) = pcb {
            // Whatever is already queued predates the reference.
            let mut local = pcb.local();
            pcb.take_signals(&mut local);
            let seq = local.mailbox.next_seq();
            let marks = &mut local.extra().marks;
            if marks.len() == MAX_MARKS {
                marks.remove(0);
            }
            marks.push((r, seq));
        }
    });
    r
}

/// Out of reductions: the process goes to the back of the run queue and the
/// receive resumes (and looks at the mailbox) when its turn comes again.
#[inline]
fn yield_if_exhausted(cx: &Context<'_>) -> bool {
    if reductions::exhausted() {
        cx.waker().wake_by_ref();
        true
    } else {
        false
    }
}

/// Scan state shared by every receive future: the sequence number to
/// resume scanning at. Eight bytes, so a process idle in receive stays small.
#[derive(Debug, Default)]
struct Scan {
    cursor: u64,
}

impl Scan {
    /// Starts the scan at the mailbox position `make_ref` recorded for `r`
    /// (and forgets the mark); no-op without one.
    fn start_at_mark(&mut self, r: Ref) {
        with_current(|pcb| {
            let mut local = pcb.local();
            if let Some(extra) = local.extra.as_mut() {
                if let Some(i) = extra.marks.iter().position(|(m, _)| *m == r) {
                    let (_, seq) = extra.marks.remove(i);
                    self.cursor = self.cursor.max(seq);
                }
            }
        });
    }

    fn poll<S>(
        &mut self,
        cx: &Context<'_>,
        mut select: impl FnMut(&Envelope) -> Option<S>,
    ) -> Poll<(S, Envelope)> {
        with_current(|pcb| {
            if yield_if_exhausted(cx) {
                return Poll::Pending;
            }
            // One lock: take in what arrived, then look for the message.
            let mut local = pcb.local();
            if pcb.take_signals(&mut local).is_some() {
                // The process must exit; the driver ends it.
                return Poll::Pending;
            }
            let (scanned, hit) = local.mailbox.take_first(self.cursor, &mut select);
            reductions::charge(scanned as u32);
            if let Some(hit) = hit {
                return Poll::Ready(hit);
            }
            // The next message wakes the process.
            self.cursor = local.mailbox.next_seq();
            local.wait(cx.waker());
            Poll::Pending
        })
    }
}

/// Waits for the first message of type `T`. Erlang `receive Msg -> … end`.
///
/// ```
/// girder_core::run(async {
///     let me = girder_core::self_pid();
///     girder_core::send(me, "not this");
///     girder_core::send(me, 7u32);
///     assert_eq!(girder_core::receive::<u32>().await, 7);
///     assert_eq!(girder_core::receive::<&str>().await, "not this");
/// }).unwrap();
/// ```
///
/// # Panics
/// When polled outside a process.
pub fn receive<T: Send + 'static>() -> Receive<T, AnyMessage> {
    Receive::new(AnyMessage)
}

/// Decides which messages of type `T` a [`Receive`] takes: any
/// `FnMut(&T) -> bool`, or [`AnyMessage`].
pub trait Pattern<T> {
    /// Whether to take `msg`.
    fn matches(&mut self, msg: &T) -> bool;
}

impl<T, F: FnMut(&T) -> bool> Pattern<T> for F {
    fn matches(&mut self, msg: &T) -> bool {
        self(msg)
    }
}

/// The pattern of [`receive`]: every message of the type (and no bytes in
/// the waiting future).
#[derive(Debug, Clone, Copy, Default)]
pub struct AnyMessage;

impl<T> Pattern<T> for AnyMessage {
    fn matches(&mut self, _: &T) -> bool {
        true
    }
}

/// Waits for the first message of type `T` for which `pred` holds. Erlang
/// `receive Pattern when Guard -> … end`. The predicate must not send to
/// the receiving process or use its mailbox (it runs while the process's
/// signal queue is locked).
pub fn receive_match<T, P>(pred: P) -> Receive<T, P>
where
    T: Send + 'static,
    P: FnMut(&T) -> bool,
{
    Receive::new(pred)
}

/// The future of [`receive`] and [`receive_match`]; resolves to the message.
#[must_use = "futures do nothing unless awaited"]
pub struct Receive<T, P> {
    pred: P,
    scan: Scan,
    _msg: PhantomData<fn() -> T>,
}

impl<T, P> std::fmt::Debug for Receive<T, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receive")
            .field("type", &std::any::type_name::<T>())
            .field("scan", &self.scan)
            .finish()
    }
}

impl<T: Send + 'static, P: Pattern<T>> Receive<T, P> {
    fn new(pred: P) -> Self {
        Receive {
            pred,
            scan: Scan::default(),
            _msg: PhantomData,
        }
    }

    /// Skips every message that was queued before `r` was made by
    /// [`make_ref`] in this process: a reply tagged with `r` cannot be among
    /// them. Without a matching mark this is a plain receive.
    ///
    /// # Panics
    /// Outside a process.
    pub fn since(mut self, r: Ref) -> Self {
        self.scan.start_at_mark(r);
        self
    }

    /// Gives up after `after`, resolving to `None`. Erlang
    /// `receive … after Ms -> … end`. A zero timeout looks at the mailbox
    /// once without waiting.
    pub fn timeout(self, after: Duration) -> ReceiveTimeout<T, P> {
        ReceiveTimeout {
            inner: self,
            after,
            deadline: None,
        }
    }

    fn poll_msg(&mut self, cx: &Context<'_>) -> Poll<T> {
        let pred = &mut self.pred;
        self.scan
            .poll(cx, |m| {
                m.downcast_ref::<T>()
                    .filter(|t| pred.matches(t))
                    .map(|_| ())
            })
            .map(|((), m)| take::<T>(m))
    }
}

fn take<T: 'static>(m: Envelope) -> T {
    match m.downcast::<T>() {
        Ok(t) => *t,
        Err(_) => unreachable!("the selector checked the message's type"),
    }
}

impl<T: Send + 'static, P: Pattern<T> + Unpin> Future for Receive<T, P> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        self.poll_msg(cx)
    }
}

/// The future of [`Receive::timeout`]: `Some(message)`, or `None` when the
/// time ran out.
#[must_use = "futures do nothing unless awaited"]
pub struct ReceiveTimeout<T, P> {
    inner: Receive<T, P>,
    after: Duration,
    deadline: Option<Deadline>,
}

impl<T, P> std::fmt::Debug for ReceiveTimeout<T, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiveTimeout")
            .field("inner", &self.inner)
            .field("after", &self.after)
            .finish()
    }
}

impl<T: Send + 'static, P: Pattern<T> + Unpin> Future for ReceiveTimeout<T, P> {
    type Output = Option<T>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = &mut *self;
        if yield_if_exhausted(cx) {
            // Look at the mailbox after the yield, before any timeout.
            return Poll::Pending;
        }
        if let Poll::Ready(m) = this.inner.poll_msg(cx) {
            return Poll::Ready(Some(m));
        }
        if this.after.is_zero() {
            return Poll::Ready(None);
        }
        let after = this.after;
        let deadline = this.deadline.get_or_insert_with(|| Deadline::new(after));
        if deadline.poll_elapsed(cx) {
            Poll::Ready(None)
        } else {
            Poll::Pending
        }
    }
}

/// Waits for the first message `select` picks, whatever its type; resolves
/// to what `select` said and the boxed message. The building block of
/// [`receive!`](crate::receive!).
pub fn receive_select<S, F>(select: F) -> Select<F>
where
    F: FnMut(&(dyn Any + Send)) -> Option<S>,
{
    Select {
        select,
        scan: Scan::default(),
    }
}

/// The future of [`receive_select`].
#[must_use = "futures do nothing unless awaited"]
pub struct Select<F> {
    select: F,
    scan: Scan,
}

impl<F> std::fmt::Debug for Select<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Select").field("scan", &self.scan).finish()
    }
}

impl<F> Select<F> {
    /// Skips every message queued before `r` was made by [`make_ref`] (or
    /// [`crate::alias`]) in this process, like [`Receive::since`].
    ///
    /// # Panics
    /// Outside a process.
    pub fn since(mut self, r: Ref) -> Self {
        self.scan.start_at_mark(r);
        self
    }

    /// Gives up after `after`, resolving to `None`.
    pub fn timeout(self, after: Duration) -> SelectTimeout<F> {
        SelectTimeout {
            inner: self,
            after,
            deadline: None,
        }
    }
}

impl<S, F: FnMut(&(dyn Any + Send)) -> Option<S> + Unpin> Future for Select<F> {
    type Output = (S, Box<dyn Any + Send>);
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let select = &mut this.select;
        this.scan.poll(cx, |m| select(&**m))
    }
}

/// The future of [`Select::timeout`].
#[must_use = "futures do nothing unless awaited"]
pub struct SelectTimeout<F> {
    inner: Select<F>,
    after: Duration,
    deadline: Option<Deadline>,
}

impl<F> std::fmt::Debug for SelectTimeout<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SelectTimeout")
            .field("after", &self.after)
            .finish()
    }
}

impl<S, F: FnMut(&(dyn Any + Send)) -> Option<S> + Unpin> Future for SelectTimeout<F> {
    type Output = Option<(S, Box<dyn Any + Send>)>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if yield_if_exhausted(cx) {
            return Poll::Pending;
        }
        if let Poll::Ready(hit) = Pin::new(&mut this.inner).poll(cx) {
            return Poll::Ready(Some(hit));
        }
        if this.after.is_zero() {
            return Poll::Ready(None);
        }
        let after = this.after;
        let deadline = this.deadline.get_or_insert_with(|| Deadline::new(after));
        if deadline.poll_elapsed(cx) {
            Poll::Ready(None)
        } else {
            Poll::Pending
        }
    }
}

/// Waits for the first message matching any of several typed patterns, with
/// an optional `after` clause — Elixir's `receive do … after … end`.
///
/// Each arm is `Type: pattern [if guard] => body`, separated by commas; an
/// optional last arm `after duration => body` runs if nothing matched in
/// time. Arms are tried in order on each message, messages in arrival order;
/// messages that match no arm stay in the mailbox. Guards see the pattern's
/// bindings by reference (write `*n > 3`). Bodies may `.await` and `return`.
///
/// ```
/// use std::time::Duration;
/// use girder_core::{receive, self_pid, send};
///
/// #[derive(Debug)]
/// enum Cmd { Add(u32), Stop }
///
/// let total = girder_core::run(async {
///     let me = self_pid();
///     send(me, Cmd::Add(2));
///     send(me, "ignored: no arm takes &str");
///     send(me, Cmd::Add(40));
///     send(me, Cmd::Stop);
///     let mut total = 0;
///     loop {
///         receive! {
///             Cmd: Cmd::Add(n) if *n > 0 => total += n,
///             Cmd: Cmd::Stop => break,
///             u64: big => total += big as u32,
///             after Duration::from_secs(1) => panic!("no message"),
///         }
///     }
///     total
/// });
/// assert_eq!(total, Ok(42));
/// ```
#[macro_export]
macro_rules! receive {
    (@arms [$($acc:tt)*] after $dur:expr => $tbody:expr $(,)?) => {
        $crate::receive!(@emit [$($acc)*] ($dur) $tbody)
    };
    (@arms [$($acc:tt)*] $ty:ty : $pat:pat $(if $guard:expr)? => $body:expr $(, $($rest:tt)*)?) => {
        $crate::receive!(@arms [$($acc)* ($ty; [$pat] [$($guard)?]; $body)] $($($rest)*)?)
    };
    (@arms [$($acc:tt)*]) => {
        $crate::receive!(@emit [$($acc)*] () (::core::unreachable!("receive! without after cannot time out")))
    };
    (@emit [$(($ty:ty; [$pat:pat] [$($guard:expr)?]; $body:expr))*] ($($dur:expr)?) $tbody:expr) => {{
        let __girder_select = |__m: &(dyn ::core::any::Any + ::core::marker::Send)| -> ::core::option::Option<usize> {
            #[allow(unused_assignments, unused_mut)]
            let mut __i = 0usize;
            $(
                if let ::core::option::Option::Some(__v) = __m.downcast_ref::<$ty>() {
                    #[allow(unused_variables, unreachable_patterns, clippy::redundant_pattern_matching)]
                    let __hit = match __v { $pat $(if $guard)? => true, _ => false };
                    if __hit {
                        return ::core::option::Option::Some(__i);
                    }
                }
                __i += 1;
            )*
            ::core::option::Option::None
        };
        $crate::receive!(@wait __girder_select ($($dur)?) __girder_hit);
        match __girder_hit {
            ::core::option::Option::None => $tbody,
            ::core::option::Option::Some((__idx, __msg)) => {
                #[allow(unused_mut)]
                let mut __i = 0usize;
                let mut __msg = ::core::option::Option::Some(__msg);
                $(
                    if $crate::__receive_arm(&mut __i, __idx) {
                        let __v: $ty = match __msg.take().map(|m| m.downcast::<$ty>()) {
                            ::core::option::Option::Some(::core::result::Result::Ok(v)) => *v,
                            _ => ::core::unreachable!("receive!: selected arm type mismatch"),
                        };
                        #[allow(unreachable_patterns)]
                        match __v {
                            $pat => $body,
                            _ => ::core::unreachable!("receive!: selected arm no longer matches"),
                        }
                    } else
                )*
                { ::core::unreachable!("receive!: no arm selected") }
            }
        }
    }};
    (@wait $sel:ident () $hit:ident) => {
        let $hit: ::core::option::Option<(usize, ::std::boxed::Box<dyn ::core::any::Any + ::core::marker::Send>)> =
            ::core::option::Option::Some($crate::receive_select($sel).await);
    };
    (@wait $sel:ident ($dur:expr) $hit:ident) => {
        let $hit = $crate::receive_select($sel).timeout($dur).await;
    };
    ($($arms:tt)+) => {
        $crate::receive!(@arms [] $($arms)+)
    };
}

/// Arm dispatch of [`receive!`]: whether arm number `*i` is the selected
/// one; advances `*i`.
#[doc(hidden)]
pub fn __receive_arm(i: &mut usize, selected: usize) -> bool {
    let hit = *i == selected;
    *i += 1;
    hit
}
