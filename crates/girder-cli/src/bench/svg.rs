//! `--svg FILE`: Girder's ratio against each peer, one pair of bars per
//! figure, drawn with plotters' SVG backend. The axis is logarithmic and
//! the bars start at 1: a bar to the right means Girder is better by that
//! factor, to the left worse.

use std::path::Path;

use girder_bench::{BenchError, System};
use plotters::prelude::*;

use super::runner::Report;

/// One figure's ratios.
struct Bar {
    label: String,
    erlang: Option<f64>,
    tokio: Option<f64>,
}

fn bars(report: &Report) -> Vec<Bar> {
    let mut out = Vec::new();
    for w in &report.workloads {
        for c in &w.cases {
            for row in &c.rows {
                let erlang = row.ratio(System::Erlang);
                let tokio = row.ratio(System::Tokio);
                if erlang.is_none() && tokio.is_none() {
                    continue;
                }
                out.push(Bar {
                    label: format!("{} {}: {}", w.workload.name(), c.case.key, row.metric.label),
                    erlang,
                    tokio,
                });
            }
        }
    }
    out
}

/// Draws the chart of `report`'s ratios into `path`.
pub(crate) fn write(path: &Path, report: &Report) -> Result<(), BenchError> {
    let bars = bars(report);
    if bars.is_empty() {
        return Err(BenchError::new("no ratios to draw: no peer was measured"));
    }
    draw(path, report, &bars)
        .map_err(|e| BenchError::new(format!("cannot draw {}: {e}", path.display())))
}

fn draw(path: &Path, report: &Report, bars: &[Bar]) -> Result<(), Box<dyn std::error::Error>> {
    let n = bars.len();
    let all = bars.iter().flat_map(|b| [b.erlang, b.tokio]).flatten();
    let (lo, hi) = all.fold((1.0f64, 1.0f64), |(lo, hi), r| (lo.min(r), hi.max(r)));
    let (lo, hi) = ((lo / 1.5).min(0.2), (hi * 1.5).max(5.0));
    let height = 140 + 26 * n as u32;
    let root = SVGBackend::new(path, (1200, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let caption = format!(
        "girder bench: Girder's ratio against each peer (right of 1: Girder better) - {}, {} cores{}",
        report.machine.date,
        report.machine.cores,
        if report.quick { ", --quick sizes" } else { "" }
    );
    // Row i is drawn at y = n - 1 - i, so the first figure is on top.
    let y_of = |i: usize| (n - 1 - i) as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(380)
        .build_cartesian_2d((lo..hi).log_scale(), -0.5f64..(n as f64 - 0.5))?;
    let labels: Vec<&str> = bars.iter().map(|b| b.label.as_str()).collect();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .y_label_formatter(&|y: &f64| {
            let r = y.round();
            if (y - r).abs() > 1e-6 || r < 0.0 || r as usize >= n {
                return String::new();
            }
            labels[n - 1 - r as usize].to_owned()
        })
        .x_label_formatter(&|x: &f64| format!("{x}x"))
        .x_desc("times better than the peer (log scale)")
        .label_style(("sans-serif", 12))
        .draw()?;
    let erlang_color = RGBColor(0xA9, 0x0E, 0x3A);
    let tokio_color = RGBColor(0x1F, 0x6F, 0xB4);
    chart
        .draw_series(bars.iter().enumerate().filter_map(|(i, b)| {
            let y = y_of(i);
            b.erlang
                .map(|r| Rectangle::new([(1.0, y + 0.04), (r, y + 0.4)], erlang_color.filled()))
        }))?
        .label("vs Erlang/OTP")
        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], erlang_color.filled()));
    chart
        .draw_series(bars.iter().enumerate().filter_map(|(i, b)| {
            let y = y_of(i);
            b.tokio
                .map(|r| Rectangle::new([(1.0, y - 0.4), (r, y - 0.04)], tokio_color.filled()))
        }))?
        .label("vs tokio")
        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], tokio_color.filled()));
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(1.0, -0.5), (1.0, n as f64 - 0.5)],
        BLACK,
    )))?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .draw()?;
    root.present()?;
    Ok(())
}
