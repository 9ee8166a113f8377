//! Supervisor reports: what OTP's supervisors log through `logger` (the
//! `supervisor_report` and `progress` reports), here through `tracing`
//! events at target `girder::supervisor`. One function per report, shared
//! by [`Supervisor`](super::Supervisor) and
//! [`DynamicSupervisor`](crate::otp::dynamic_supervisor::DynamicSupervisor).

use std::fmt;

use girder_core::{ExitReason, Pid};

/// Progress report: a child started.
pub(crate) fn started(supervisor: &str, child: &str, pid: Pid) {
    tracing::info!(target: "girder::supervisor", supervisor = %supervisor, child, pid = %pid, "child started");
}

/// A child's start function failed (`start_error`).
pub(crate) fn start_error(supervisor: &str, child: &str, reason: &dyn fmt::Display) {
    tracing::error!(target: "girder::supervisor", supervisor = %supervisor, child, reason = %reason, "start_error");
}

/// A child exited in a way worth reporting (`child_terminated`).
pub(crate) fn child_terminated(supervisor: &str, child: &str, pid: Pid, reason: &ExitReason) {
    tracing::error!(
        target: "girder::supervisor",
        supervisor = %supervisor,
        child,
        pid = %pid,
        reason = %reason,
        "child_terminated"
    );
}

/// A child asked to stop exited with another reason than the one asked
/// for (`shutdown_error`).
pub(crate) fn shutdown_error(supervisor: &str, child: &str, pid: Pid, reason: &ExitReason) {
    tracing::error!(
        target: "girder::supervisor",
        supervisor = %supervisor,
        child,
        pid = %pid,
        reason = %reason,
        "shutdown_error"
    );
}

/// The restart intensity was exceeded: the supervisor gives up
/// (`reached_max_restart_intensity`).
pub(crate) fn gave_up(supervisor: &str, child: &str) {
    tracing::error!(
        target: "girder::supervisor",
        supervisor = %supervisor,
        child,
        "shutdown: reached_max_restart_intensity"
    );
}

/// A message no supervisor expects.
pub(crate) fn unexpected(supervisor: &str, message: &dyn fmt::Debug) {
    tracing::warn!(target: "girder::supervisor", supervisor = %supervisor, message = ?message, "unexpected message");
}
