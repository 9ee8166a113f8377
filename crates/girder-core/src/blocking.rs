//! Blocking and long CPU work off the schedulers, as BEAM's dirty schedulers.

use crate::runtime::{Handle, enter_context, leave_context};

/// Runs `f` on the runtime's blocking thread pool and awaits its result,
/// leaving the scheduler free for other processes. Use it for blocking
/// system calls, blocking libraries, and CPU work longer than a millisecond
/// or so. BEAM's dirty schedulers (`erlang:system_flag(dirty_cpu_schedulers,
/// N)`, NIFs flagged `ERL_NIF_DIRTY_JOB_*`).
///
/// `f` may use the runtime (send messages, spawn). A panic in `f` is resumed
/// in the calling process, which then exits with `Panic`. If the calling
/// process is killed while waiting, `f` still runs to completion and its
/// result is dropped.
///
/// ```
/// let sum = girder_core::run(async {
///     girder_core::blocking(|| (1..=1_000_000u64).sum::<u64>()).await
/// });
/// assert_eq!(sum, Ok(500_000_500_000));
/// ```
///
/// # Panics
/// Outside a girder runtime thread.
pub async fn blocking<F, R>(f: F) -> R
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let handle = Handle::current();
    let io = handle.shared.io.clone();
    let job = io.spawn_blocking(move || {
        enter_context(handle.shared);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        leave_context();
        result
    });
    match job.await {
        Ok(Ok(value)) => value,
        Ok(Err(payload)) => std::panic::resume_unwind(payload),
        Err(e) => panic!("girder: blocking job failed: {e}"),
    }
}
