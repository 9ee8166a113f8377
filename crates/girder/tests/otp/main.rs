//! Tests of the OTP behaviours (`girder::otp`): one binary, one module per
//! behaviour. Every test gets a fresh two-scheduler runtime
//! (`girder_test!`); nextest also runs each test in its own OS process.

use std::future::Future;
use std::time::Duration;

use girder::Runtime;

/// Builds a runtime with `schedulers` threads and runs `body` as its root
/// process; the test fails if the root does not finish normally.
pub(crate) fn run_with<F>(schedulers: usize, body: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let rt = Runtime::builder()
        .schedulers(schedulers)
        .name("otp-test")
        .build()
        .expect("runtime starts");
    match rt.block_on(body) {
        Ok(v) => v,
        Err(reason) => panic!("root process exited with {reason}"),
    }
}

/// A generous upper bound for anything that should happen "at once".
#[allow(dead_code, reason = "not every module waits with a bound")]
pub(crate) const PATIENCE: Duration = Duration::from_secs(10);

/// Declares a test whose body runs as the root process of a fresh
/// two-scheduler runtime.
macro_rules! girder_test {
    ($(#[$meta:meta])* $name:ident, $body:expr) => {
        $(#[$meta])*
        #[test]
        fn $name() {
            $crate::run_with(2, $body);
        }
    };
}

mod agent;
mod dynamic_supervisor;
mod gen_server;
mod registry;
mod supervisor;
mod task;
mod task_supervisor;
