//! What a workload reports: named figures with a unit and a direction, and
//! the line format every runner prints them in.
//!
//! A run of a workload, on any system, prints one line per figure to its
//! standard output, `@ <key> <value>`, and free-form notes as `# <text>`.
//! The Rust runners (a child `girder bench --internal …`) and the Erlang
//! side (`bench/erlang/gb.erl`) print the same lines, so one parser reads
//! both, and what a runner prints can be checked by eye.

use std::fmt;

/// The unit of a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Nanoseconds (per operation, or in all).
    Nanos,
    /// Bytes.
    Bytes,
    /// Operations per second.
    PerSecond,
}

impl Unit {
    /// The unit's name in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Nanos => "ns",
            Unit::Bytes => "bytes",
            Unit::PerSecond => "per_second",
        }
    }

    /// `value` written with a unit a person reads at a glance:
    /// `212 ns`, `1.45 µs`, `277 ms`, `2,712 B`, `231.4 MiB`, `12.3 M/s`.
    pub fn format(self, value: f64) -> String {
        match self {
            Unit::Nanos => {
                if value < 1e3 {
                    format!("{value:.0} ns")
                } else if value < 1e6 {
                    format!("{} µs", three_figures(value / 1e3))
                } else if value < 1e9 {
                    format!("{} ms", three_figures(value / 1e6))
                } else {
                    format!("{} s", three_figures(value / 1e9))
                }
            }
            Unit::Bytes => {
                if value < 1e5 {
                    format!("{} B", thousands(value.round() as u64))
                } else if value < f64::from(1u32 << 30) {
                    format!("{:.1} MiB", value / f64::from(1u32 << 20))
                } else {
                    format!("{:.2} GiB", value / f64::from(1u32 << 30))
                }
            }
            Unit::PerSecond => {
                if value < 1e3 {
                    format!("{value:.0} /s")
                } else if value < 1e6 {
                    format!("{:.1} k/s", value / 1e3)
                } else {
                    format!("{:.2} M/s", value / 1e6)
                }
            }
        }
    }
}

/// Which way is better for a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// Less is better: time, memory.
    Lower,
    /// More is better: throughput.
    Higher,
}

impl Better {
    /// How many times better `girder` is than `peer`: above 1 Girder is
    /// better (faster, smaller), below 1 worse. `None` if either is not a
    /// positive number.
    pub fn ratio(self, girder: f64, peer: f64) -> Option<f64> {
        if !(girder > 0.0 && peer > 0.0 && girder.is_finite() && peer.is_finite()) {
            return None;
        }
        Some(match self {
            Better::Lower => peer / girder,
            Better::Higher => girder / peer,
        })
    }

    /// The words for a ratio from [`Better::ratio`]: `3.2× faster`,
    /// `1.4× smaller`, `2.0× slower`.
    pub fn describe(self, unit: Unit, ratio: f64) -> String {
        let (good, bad) = match unit {
            Unit::Bytes => ("smaller", "larger"),
            Unit::Nanos | Unit::PerSecond => ("faster", "slower"),
        };
        if ratio >= 1.0 {
            format!("{}× {good}", three_figures(ratio))
        } else {
            format!("{}× {bad}", three_figures(1.0 / ratio))
        }
    }
}

/// A figure a workload reports: its key (unique within the workload), what
/// it is, its unit, and which way is better.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// `<case>.<figure>`, e.g. `1M.sequential`.
    pub key: String,
    /// What a table row says, e.g. `sequential: spawn, wait for its exit`.
    pub label: String,
    /// The unit of the value.
    pub unit: Unit,
    /// Which way is better.
    pub better: Better,
}

impl Metric {
    pub(crate) fn new(key: String, label: impl Into<String>, unit: Unit, better: Better) -> Metric {
        Metric {
            key,
            label: label.into(),
            unit,
            better,
        }
    }
}

/// One measured figure of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The [`Metric::key`] it measures.
    pub key: String,
    /// The value, in the metric's unit.
    pub value: f64,
}

impl Sample {
    /// A sample of `value` for `key`.
    pub fn new(key: impl Into<String>, value: f64) -> Sample {
        Sample {
            key: key.into(),
            value,
        }
    }
}

impl fmt::Display for Sample {
    /// The line a runner prints: `@ <key> <value>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "@ {} {}", self.key, self.value)
    }
}

/// What a runner printed: its samples, in order (a key appears once per
/// run), and its notes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunOutput {
    /// Every `@ key value` line.
    pub samples: Vec<Sample>,
    /// Every `# text` line, without the `# `.
    pub notes: Vec<String>,
}

impl RunOutput {
    /// Reads the lines a runner printed; other lines are ignored.
    ///
    /// ```
    /// let out = girder_bench::RunOutput::parse("@ 1M.batch 98.5\n# capped\nnoise\n");
    /// assert_eq!(out.samples[0].key, "1M.batch");
    /// assert_eq!(out.samples[0].value, 98.5);
    /// assert_eq!(out.notes, ["capped"]);
    /// ```
    pub fn parse(text: &str) -> RunOutput {
        let mut out = RunOutput::default();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("@ ") {
                let mut parts = rest.split_whitespace();
                if let (Some(key), Some(value), None) = (parts.next(), parts.next(), parts.next())
                    && let Ok(value) = value.parse::<f64>()
                {
                    out.samples.push(Sample::new(key, value));
                }
            } else if let Some(note) = line.strip_prefix("# ") {
                out.notes.push(note.to_owned());
            }
        }
        out
    }

    /// The values reported for `key`, one per run.
    pub fn values(&self, key: &str) -> Vec<f64> {
        self.samples
            .iter()
            .filter(|s| s.key == key)
            .map(|s| s.value)
            .collect()
    }
}

/// `x` (positive) with about three significant figures: `1.45`, `14.5`,
/// `145`, `1450`.
fn three_figures(x: f64) -> String {
    if x < 10.0 {
        format!("{x:.2}")
    } else if x < 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count as a short key: `10k`, `1M`, `100`, `2500`.
pub fn short_count(n: u64) -> String {
    if n >= 1_000_000 && n % 1_000_000 == 0 {
        format!("{}M", n / 1_000_000)
    } else if n >= 1_000 && n % 1_000 == 0 {
        format!("{}k", n / 1_000)
    } else {
        n.to_string()
    }
}

/// The median of `values` (the mean of the middle two for an even count);
/// `None` when empty.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_read_at_a_glance() {
        assert_eq!(Unit::Nanos.format(212.4), "212 ns");
        assert_eq!(Unit::Nanos.format(1_450.0), "1.45 µs");
        assert_eq!(Unit::Nanos.format(276_800_000.0), "277 ms");
        assert_eq!(Unit::Nanos.format(45_800_000.0), "45.8 ms");
        assert_eq!(Unit::Bytes.format(2_712.0), "2,712 B");
        assert_eq!(Unit::Bytes.format(231.4 * 1_048_576.0), "231.4 MiB");
        assert_eq!(Unit::PerSecond.format(12_300_000.0), "12.30 M/s");
    }

    #[test]
    fn ratios_say_which_way() {
        let r = Better::Lower.ratio(100.0, 320.0).unwrap();
        assert!((r - 3.2).abs() < 1e-9);
        assert_eq!(Better::Lower.describe(Unit::Nanos, r), "3.20× faster");
        assert_eq!(Better::Lower.describe(Unit::Nanos, 1323.6), "1324× faster");
        assert_eq!(Unit::Nanos.format(808_750.0), "809 µs");
        let r = Better::Higher.ratio(1.0, 2.0).unwrap();
        assert_eq!(Better::Higher.describe(Unit::PerSecond, r), "2.00× slower");
        assert_eq!(Better::Lower.describe(Unit::Bytes, 10.0), "10.0× smaller");
        assert_eq!(Better::Lower.ratio(0.0, 1.0), None);
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0]), Some(2.5));
    }

    #[test]
    fn lines_round_trip() {
        let s = Sample::new("1M.batch", 98.25);
        let out = RunOutput::parse(&format!("{s}\n{s}\n"));
        assert_eq!(out.values("1M.batch"), [98.25, 98.25]);
        assert_eq!(short_count(10_000), "10k");
        assert_eq!(short_count(1_000_000), "1M");
        assert_eq!(short_count(1_500), "1500");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
