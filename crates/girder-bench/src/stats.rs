//! Latency percentiles: an HDR histogram of nanoseconds.

use hdrhistogram::Histogram;

use crate::{BenchError, Result};

/// Recorded latencies in nanoseconds, 3 significant figures, 1 ns to 1 h.
#[derive(Debug, Clone)]
pub(crate) struct Latencies(Histogram<u64>);

impl Latencies {
    pub(crate) fn new() -> Result<Latencies> {
        Histogram::new_with_bounds(1, 3_600_000_000_000, 3)
            .map(Latencies)
            .map_err(|e| BenchError::new(format!("histogram: {e}")))
    }

    /// Records one latency (clamped into the histogram's range).
    pub(crate) fn record(&mut self, ns: u64) {
        self.0.saturating_record(ns.max(1));
    }

    /// The value at percentile `p` (0–100).
    pub(crate) fn percentile(&self, p: f64) -> f64 {
        self.0.value_at_percentile(p) as f64
    }
}
