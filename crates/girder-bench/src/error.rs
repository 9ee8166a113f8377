//! The one error type of the harness: a workload that could not run, or a
//! peer that did not report.

use std::fmt;

/// Why a workload, a peer or the harness failed. The message says which
/// system and workload, and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchError(String);

impl BenchError {
    /// An error with `message`.
    pub fn new(message: impl Into<String>) -> BenchError {
        BenchError(message.into())
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BenchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BenchError {}

impl From<std::io::Error> for BenchError {
    fn from(e: std::io::Error) -> BenchError {
        BenchError(e.to_string())
    }
}

/// The outcome of a harness operation.
pub type Result<T> = std::result::Result<T, BenchError>;
