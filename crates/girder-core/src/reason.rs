//! Exit reasons: why a process ended. Data, not errors.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

/// Why a process exited, or the reason carried by an exit signal. Erlang's exit
/// reason terms.
///
/// | Girder | Erlang / Elixir |
/// |---|---|
/// | `Normal` | `normal` / `:normal` |
/// | `Shutdown` | `shutdown` / `:shutdown` |
/// | `ShutdownWith(r)` | `{shutdown, R}` / `{:shutdown, r}` |
/// | `Kill` | `kill` (the untrappable signal sent by `exit(Pid, kill)`) |
/// | `Killed` | `killed` (the reason of a process ended by `kill`) |
/// | `Noproc` | `noproc` |
/// | `Noconnection` | `noconnection` |
/// | `Panic(msg)` | an uncaught error (`{badarith, Stack}` and the like) |
/// | `Other(r)` | any other term |
///
/// ```
/// use girder_core::ExitReason;
/// assert!(ExitReason::Normal.is_normal());
/// assert!(!ExitReason::other("boom").is_normal());
/// assert_eq!(ExitReason::other("boom").to_string(), "boom");
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ExitReason {
    /// The process finished its work.
    Normal,
    /// Orderly shutdown, usually ordered by a supervisor.
    Shutdown,
    /// Orderly shutdown with extra information (`{shutdown, Term}`).
    ShutdownWith(Reason),
    /// The untrappable kill signal (`exit(Pid, kill)`).
    Kill,
    /// The reason of a process that was killed.
    Killed,
    /// The process does not exist (linking to or monitoring a dead pid).
    Noproc,
    /// The connection to the process's node was lost.
    Noconnection,
    /// The process panicked; the panic message.
    Panic(Arc<str>),
    /// Any other reason.
    Other(Reason),
}

impl ExitReason {
    /// A reason carrying any displayable value.
    pub fn other<R: fmt::Display + fmt::Debug + Send + Sync + 'static>(reason: R) -> ExitReason {
        ExitReason::Other(Reason::new(reason))
    }

    /// Whether this is `normal`.
    pub fn is_normal(&self) -> bool {
        matches!(self, ExitReason::Normal)
    }

    /// Whether this is `normal`, `shutdown` or `{shutdown, _}`: the reasons
    /// OTP does not treat as a crash (no crash report, a `transient` child is
    /// not restarted).
    pub fn is_clean(&self) -> bool {
        matches!(
            self,
            ExitReason::Normal | ExitReason::Shutdown | ExitReason::ShutdownWith(_)
        )
    }
}

impl PartialEq for ExitReason {
    fn eq(&self, other: &ExitReason) -> bool {
        use ExitReason::*;
        match (self, other) {
            (Normal, Normal)
            | (Shutdown, Shutdown)
            | (Kill, Kill)
            | (Killed, Killed)
            | (Noproc, Noproc)
            | (Noconnection, Noconnection) => true,
            (Panic(a), Panic(b)) => a == b,
            (ShutdownWith(a), ShutdownWith(b)) | (Other(a), Other(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Display for ExitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitReason::Normal => f.write_str("normal"),
            ExitReason::Shutdown => f.write_str("shutdown"),
            ExitReason::ShutdownWith(r) => write!(f, "{{shutdown,{r}}}"),
            ExitReason::Kill => f.write_str("kill"),
            ExitReason::Killed => f.write_str("killed"),
            ExitReason::Noproc => f.write_str("noproc"),
            ExitReason::Noconnection => f.write_str("noconnection"),
            ExitReason::Panic(msg) => write!(f, "panic: {msg}"),
            ExitReason::Other(r) => fmt::Display::fmt(r, f),
        }
    }
}

trait ReasonValue: fmt::Display + fmt::Debug + Send + Sync + 'static {
    fn as_any(&self) -> &dyn Any;
}

impl<T: fmt::Display + fmt::Debug + Send + Sync + 'static> ReasonValue for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A user-defined exit reason: any `Display + Debug + Send + Sync` value,
/// shared cheaply between everyone who sees the exit. Two reasons are equal
/// when they display the same.
///
/// ```
/// use girder_core::Reason;
/// let r = Reason::new(404u32);
/// assert_eq!(r.downcast_ref::<u32>(), Some(&404));
/// assert_eq!(r.to_string(), "404");
/// ```
#[derive(Clone)]
pub struct Reason(Arc<dyn ReasonValue>);

impl Reason {
    /// Wraps a value.
    pub fn new<R: fmt::Display + fmt::Debug + Send + Sync + 'static>(value: R) -> Reason {
        Reason(Arc::new(value))
    }

    /// The value, if it is a `T`.
    pub fn downcast_ref<T: 'static>(&self) -> Option<&T> {
        (*self.0).as_any().downcast_ref()
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl fmt::Debug for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl PartialEq for Reason {
    fn eq(&self, other: &Reason) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.to_string() == other.to_string()
    }
}

/// What a process's future may return; turned into the exit reason.
///
/// `()` is `Normal`; an [`ExitReason`] is itself; `Result<T, E>` is `Normal`
/// on `Ok` and `Other(e)` on `Err`.
pub trait IntoExitReason {
    /// The exit reason.
    fn into_exit_reason(self) -> ExitReason;
}

impl IntoExitReason for () {
    fn into_exit_reason(self) -> ExitReason {
        ExitReason::Normal
    }
}

impl IntoExitReason for ExitReason {
    fn into_exit_reason(self) -> ExitReason {
        self
    }
}

impl<T, E: fmt::Display + fmt::Debug + Send + Sync + 'static> IntoExitReason for Result<T, E> {
    fn into_exit_reason(self) -> ExitReason {
        match self {
            Ok(_) => ExitReason::Normal,
            Err(e) => ExitReason::other(e),
        }
    }
}

thread_local! {
    /// Where the last panic in a process on this thread happened, recorded
    /// by the panic hook for the crash report.
    static PANIC_LOCATION: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

pub(crate) fn take_panic_location() -> Option<String> {
    PANIC_LOCATION.with(|l| l.borrow_mut().take())
}

/// Installs (once per OS process) a panic hook that keeps panics inside
/// girder processes out of stderr: each becomes a `Panic` exit reason and a
/// crash report through `tracing` (target `girder::crash_report`, with the
/// location), as a BEAM process crash becomes a logger report. Panics
/// anywhere else go to the hook that was installed before.
pub(crate) fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_quiet_process = crate::process::try_self_pid().is_some()
                && crate::runtime::try_with_shared(|s| s.is_some_and(|s| s.config.crash_reports));
            if in_quiet_process {
                let location = info.location().map(|l| l.to_string());
                PANIC_LOCATION.with(|l| *l.borrow_mut() = location);
            } else {
                previous(info);
            }
        }));
    });
}

/// The message a panic left, as a string.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> Arc<str> {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        Arc::from(*s)
    } else if let Some(s) = payload.downcast_ref::<String>() {
        Arc::from(s.as_str())
    } else {
        Arc::from("non-string panic payload")
    }
}

/// Names the never type `!` on stable Rust, so processes whose future never
/// returns (`async { loop { … } }`, whose output is `!` in edition 2024) can
/// be spawned.
mod never {
    #[allow(unreachable_pub, missing_docs)]
    pub trait Ret {
        type Output;
    }

    impl<R> Ret for fn() -> R {
        type Output = R;
    }
}

type Never = <fn() -> ! as never::Ret>::Output;

impl IntoExitReason for Never {
    fn into_exit_reason(self) -> ExitReason {
        self
    }
}
