//! The dashboard's charts, drawn on the server as SVG with plotters. Text in them is written
//! as SVG `<text>` (plotters escapes it) and sized by estimate, so no font files are needed.
//! Each chart comes back as an `<svg>` element with `role="img"` and an accessible name, to
//! be put inline in a page.

use super::data::{Week, BUCKETS};
use plotters::prelude::*;

const WIDTH: u32 = 600;
const HEIGHT: u32 = 280;
/// Large enough to stay legible when a phone scales the chart down to its width.
const FONT: u32 = 15;
const BLUE: RGBColor = RGBColor(0x1f, 0x5f, 0xa8);
const ORANGE: RGBColor = RGBColor(0xb8, 0x4a, 0x0b);
const GREY: RGBColor = RGBColor(0x59, 0x59, 0x59);
const BAR: RGBColor = RGBColor(0x8a, 0xb4, 0xe0);

/// Words a chart shows: its accessible name and its series' names.
pub struct Labels<'a> {
    pub name: &'a str,
    pub first: &'a str,
    pub second: &'a str,
}

type Drawn = Result<(), Box<dyn std::error::Error>>;

/// Adds the accessible name, and lets CSS scale the chart to the page's width.
fn accessible(svg: String, name: &str) -> String {
    let mut escaped = String::new();
    for c in name.chars() {
        match c {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '"' => escaped.push_str("&quot;"),
            c => escaped.push(c),
        }
    }
    svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{escaped}\" class=\"chart\" "),
        1,
    )
}

fn finish(svg: String, drawn: Drawn, name: &str) -> String {
    match drawn {
        Ok(()) => accessible(svg, name),
        // Drawing into a string fails only on a bug; a page without one chart is better than
        // no page.
        Err(e) => {
            tracing::warn!(error = %e, chart = name, "drawing a dashboard chart");
            String::new()
        }
    }
}

fn week_label(weeks: &[Week], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() > 0.01 || i < 0.0 {
        return String::new();
    }
    weeks
        .get(i as usize)
        .map(|w| w.monday.format("%m-%d").to_string())
        .unwrap_or_default()
}

/// First-response (and resolution, where there is a target) attainment per week, in percent.
pub fn attainment(weeks: &[Week], labels: &Labels<'_>) -> String {
    let mut svg = String::new();
    let drawn = (|| -> Drawn {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let last = weeks.len().saturating_sub(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d(-0.3f64..last + 0.3, 0f64..105f64)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .x_labels(weeks.len())
            .x_label_formatter(&|x| week_label(weeks, *x))
            .y_labels(6)
            .y_label_formatter(&|y| format!("{y:.0}%"))
            .label_style(("sans-serif", FONT).into_font().color(&GREY))
            .draw()?;
        let series = |pick: fn(&Week) -> Option<f64>| -> Vec<(f64, f64)> {
            weeks
                .iter()
                .enumerate()
                .filter_map(|(i, w)| pick(w).map(|v| (i as f64, v * 100.0)))
                .collect()
        };
        let first = series(|w| w.first_response);
        chart
            .draw_series(LineSeries::new(first.clone(), BLUE.stroke_width(2)))?
            .label(labels.first)
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLUE.stroke_width(2)));
        chart.draw_series(first.iter().map(|p| Circle::new(*p, 3, BLUE.filled())))?;
        let resolution = series(|w| w.resolution);
        if !resolution.is_empty() {
            chart
                .draw_series(LineSeries::new(resolution.clone(), ORANGE.stroke_width(2)))?
                .label(labels.second)
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], ORANGE.stroke_width(2))
                });
            chart.draw_series(
                resolution
                    .iter()
                    .map(|p| Circle::new(*p, 3, ORANGE.filled())),
            )?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(GREY)
            .label_font(("sans-serif", FONT))
            .draw()?;
        root.present()?;
        Ok(())
    })();
    finish(svg, drawn, labels.name)
}

/// Requests filed per week as bars, and their average rating (1 to 5) as a line.
pub fn volume_and_rating(weeks: &[Week], labels: &Labels<'_>) -> String {
    let mut svg = String::new();
    let drawn = (|| -> Drawn {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let last = weeks.len().saturating_sub(1) as f64;
        let top = weeks.iter().map(|w| w.filed).max().unwrap_or(0).max(4) as f64 * 1.1;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .right_y_label_area_size(36)
            .build_cartesian_2d(-0.5f64..last + 0.5, 0f64..top)?
            .set_secondary_coord(-0.5f64..last + 0.5, 0f64..5.5f64);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .x_labels(weeks.len())
            .x_label_formatter(&|x| week_label(weeks, *x))
            .y_labels(5)
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style(("sans-serif", FONT).into_font().color(&GREY))
            .draw()?;
        chart
            .configure_secondary_axes()
            .y_labels(6)
            .y_label_formatter(&|y| format!("{y:.0}★"))
            .label_style(("sans-serif", FONT).into_font().color(&GREY))
            .draw()?;
        chart
            .draw_series(weeks.iter().enumerate().map(|(i, w)| {
                let x = i as f64;
                Rectangle::new([(x - 0.35, 0.0), (x + 0.35, w.filed as f64)], BAR.filled())
            }))?
            .label(labels.first)
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], BAR.filled()));
        let rating: Vec<(f64, f64)> = weeks
            .iter()
            .enumerate()
            .filter_map(|(i, w)| w.average_rating.map(|r| (i as f64, r)))
            .collect();
        chart
            .draw_secondary_series(LineSeries::new(rating.clone(), ORANGE.stroke_width(2)))?
            .label(labels.second)
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], ORANGE.stroke_width(2)));
        chart.draw_secondary_series(rating.iter().map(|p| Circle::new(*p, 3, ORANGE.filled())))?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(GREY)
            .label_font(("sans-serif", FONT))
            .draw()?;
        root.present()?;
        Ok(())
    })();
    finish(svg, drawn, labels.name)
}

/// The distribution of first-response and resolution times over [`BUCKETS`], side by side.
pub fn distribution(first: &[usize; 6], resolution: &[usize; 6], labels: &Labels<'_>) -> String {
    let names = ["≤15m", "≤1h", "≤4h", "≤1d", "≤3d", ">3d"];
    debug_assert_eq!(names.len(), BUCKETS.len() + 1);
    let mut svg = String::new();
    let drawn = (|| -> Drawn {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let top = first
            .iter()
            .chain(resolution.iter())
            .copied()
            .max()
            .unwrap_or(0)
            .max(4) as f64
            * 1.1;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d(-0.5f64..5.5f64, 0f64..top)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .x_labels(6)
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() > 0.01 || !(0.0..6.0).contains(&i) {
                    String::new()
                } else {
                    names[i as usize].to_string()
                }
            })
            .y_labels(5)
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style(("sans-serif", FONT).into_font().color(&GREY))
            .draw()?;
        let bars = |counts: &[usize; 6], shift: f64, colour: RGBColor| {
            counts
                .iter()
                .enumerate()
                .map(move |(i, n)| {
                    let x = i as f64 + shift;
                    Rectangle::new([(x - 0.18, 0.0), (x + 0.18, *n as f64)], colour.filled())
                })
                .collect::<Vec<_>>()
        };
        chart
            .draw_series(bars(first, -0.2, BLUE))?
            .label(labels.first)
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], BLUE.filled()));
        chart
            .draw_series(bars(resolution, 0.2, ORANGE))?
            .label(labels.second)
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], ORANGE.filled()));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(GREY)
            .label_font(("sans-serif", FONT))
            .draw()?;
        root.present()?;
        Ok(())
    })();
    finish(svg, drawn, labels.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn weeks() -> Vec<Week> {
        (0..13)
            .map(|i| Week {
                monday: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap() + chrono::Duration::weeks(i),
                filed: i as usize,
                first_response: Some(0.5),
                resolution: None,
                average_rating: (i % 2 == 0).then_some(4.5),
            })
            .collect()
    }

    const LABELS: Labels<'static> = Labels {
        name: "IT <weekly> & \"more\"",
        first: "first <response>",
        second: "resolution",
    };

    #[test]
    fn charts_are_svg_with_an_escaped_accessible_name_and_escaped_text() {
        for svg in [
            attainment(&weeks(), &LABELS),
            volume_and_rating(&weeks(), &LABELS),
            distribution(&[1, 2, 3, 0, 0, 1], &[0, 0, 1, 2, 0, 0], &LABELS),
        ] {
            assert!(
                svg.starts_with(
                    "<svg role=\"img\" aria-label=\"IT &lt;weekly&gt; &amp; &quot;more&quot;\""
                ),
                "{svg:.200}"
            );
            assert!(svg.contains("<text"));
            assert!(svg.contains("first &lt;response&gt;"));
            assert!(!svg.contains("<response>"));
            assert!(svg.trim_end().ends_with("</svg>"));
        }
    }
}
