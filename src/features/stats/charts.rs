//! PNG charts for `/stats`, drawn with plotters for Discord's dark theme. The font is a small
//! CJK-covering subset compiled into the binary (see `assets/fonts/README.md`), so Chinese
//! labels render without any system font.

use chrono::NaiveDate;
use plotters::prelude::*;

use super::store::Cohort;
use super::text::{self, Anchor, Label};
use crate::error::Error;
use crate::i18n::Locale;
use crate::t;

use super::text::FONT;

/// Discord's dark theme background, and the text on it.
const BACKGROUND: RGBColor = RGBColor(0x31, 0x33, 0x38);
const TEXT: RGBColor = RGBColor(0xDB, 0xDE, 0xE1);
const GRID: RGBColor = RGBColor(0x4E, 0x50, 0x58);
const BLURPLE: RGBColor = RGBColor(0x58, 0x65, 0xF2);
const GREEN: RGBColor = RGBColor(0x57, 0xF2, 0x87);
/// Secondary text (last week's numbers).
const GRID_TEXT: RGBColor = RGBColor(0x94, 0x9B, 0xA4);

/// The compiled-in font reads (it always does; a broken asset is an error, not a panic).
fn font_ready() -> Result<(), Error> {
    ab_glyph::FontRef::try_from_slice(FONT)
        .map(|_| ())
        .map_err(|e| Error::Internal(anyhow::anyhow!("the chart font did not load: {e}")))
}

fn fail(e: impl std::fmt::Display) -> Error {
    Error::Internal(anyhow::anyhow!("chart: {e}"))
}

/// Encodes an RGB buffer as PNG.
fn png(buffer: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    let mut encoder = ::png::Encoder::new(&mut out, w, h);
    encoder.set_color(::png::ColorType::Rgb);
    encoder.set_depth(::png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(fail)?;
    writer.write_image_data(buffer).map_err(fail)?;
    writer.finish().map_err(fail)?;
    Ok(out)
}

const SIZE: (u32, u32) = (900, 450);

/// A step for `max` in 1, 2, 5 × 10ⁿ giving at most six ticks: counts get whole-number ticks.
fn tick_step(max: i64) -> i64 {
    let mut magnitude = 1;
    loop {
        for step in [1, 2, 5] {
            if max / (step * magnitude) <= 5 {
                return step * magnitude;
            }
        }
        magnitude *= 10;
    }
}

/// Which days get a date under them: about six, evenly spaced, always the last day.
fn day_ticks(days: usize) -> Vec<usize> {
    let last = days.saturating_sub(1);
    let step = last.div_ceil(6).max(1);
    let mut ticks: Vec<usize> = (0..last).step_by(step).collect();
    // Leave room for the last day's date.
    if ticks.last().is_some_and(|t| last - t < step.div_ceil(2)) {
        ticks.pop();
    }
    ticks.push(last);
    ticks
}

fn label(text: String, at: (i32, i32), px: f32, anchor: Anchor) -> Label {
    Label {
        text,
        at,
        px,
        color: TEXT,
        anchor,
    }
}

/// Active members and messages per day: whole-number ticks, the x axis from the first day to
/// the last, a legend in the upper left.
pub fn activity(series: &[(NaiveDate, i64, i64)], locale: Locale) -> Result<Vec<u8>, Error> {
    font_ready()?;
    let mut buffer = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
    let days = series.len().max(1);
    let last = (days - 1).max(1);
    let max = series
        .iter()
        .map(|(_, a, m)| (*a).max(*m))
        .max()
        .unwrap_or(0);
    let step = tick_step(max.max(1));
    // Headroom above the highest point, to the next tick.
    let top = (max / step + 1) * step;
    let mut labels = vec![label(
        t!(locale, "chart-activity-title", days = days as i64),
        (SIZE.0 as i32 / 2, 26),
        26.0,
        Anchor::Center,
    )];
    let lines = [
        (t!(locale, "chart-messages"), BLURPLE),
        (t!(locale, "chart-active"), GREEN),
    ];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, SIZE).into_drawing_area();
        root.fill(&BACKGROUND).map_err(fail)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(20)
            .margin_top(56)
            .x_label_area_size(30)
            .y_label_area_size(44)
            .build_cartesian_2d(0..last, 0..top)
            .map_err(fail)?;
        let grid = |points: Vec<(usize, i64)>| LineSeries::new(points, GRID.stroke_width(1));
        for v in (0..=top).step_by(step as usize) {
            chart
                .draw_series(grid(vec![(0, v), (last, v)]))
                .map_err(fail)?;
            let (x, y) = chart.backend_coord(&(0, v));
            labels.push(label(v.to_string(), (x - 8, y), 15.0, Anchor::Right));
        }
        for i in day_ticks(days) {
            chart
                .draw_series(grid(vec![(i, 0), (i, top)]))
                .map_err(fail)?;
            let (x, y) = chart.backend_coord(&(i, 0));
            let day = series.get(i).map(|(d, _, _)| d.format("%m-%d").to_string());
            labels.push(label(
                day.unwrap_or_default(),
                (x, y + 16),
                15.0,
                Anchor::Center,
            ));
        }
        let points = |pick: fn(&(NaiveDate, i64, i64)) -> i64| {
            series.iter().enumerate().map(move |(i, p)| (i, pick(p)))
        };
        chart
            .draw_series(LineSeries::new(points(|p| p.2), BLURPLE.stroke_width(3)))
            .map_err(fail)?;
        chart
            .draw_series(LineSeries::new(points(|p| p.1), GREEN.stroke_width(3)))
            .map_err(fail)?;
        // The legend: a swatch and its name per line, in a box sized to the longest name.
        let (x0, y0) = chart.backend_coord(&(0, top));
        let (x0, y0) = (x0 + 12, y0 + 10);
        let text_w = lines
            .iter()
            .map(|(n, _)| text::width(n, 15.0))
            .fold(0.0, f32::max);
        let box_w = 12 + 22 + 10 + text_w.ceil() as i32 + 12;
        let row_h = 24;
        root.draw(&Rectangle::new(
            [(x0, y0), (x0 + box_w, y0 + 8 + row_h * lines.len() as i32)],
            BACKGROUND.filled(),
        ))
        .map_err(fail)?;
        root.draw(&Rectangle::new(
            [(x0, y0), (x0 + box_w, y0 + 8 + row_h * lines.len() as i32)],
            GRID.stroke_width(1),
        ))
        .map_err(fail)?;
        for (row, (name, color)) in lines.iter().enumerate() {
            let y = y0 + 4 + row_h / 2 + row_h * row as i32;
            root.draw(&PathElement::new(
                vec![(x0 + 12, y), (x0 + 34, y)],
                color.stroke_width(3),
            ))
            .map_err(fail)?;
            labels.push(label(name.clone(), (x0 + 44, y), 15.0, Anchor::Left));
        }
        root.present().map_err(fail)?;
    }
    text::draw(&mut buffer, SIZE, &labels);
    png(&buffer, SIZE)
}

/// Income per month as bars (one currency, in major units), oldest month on the left.
pub fn revenue(months: &[(String, i64)], currency: &str, locale: Locale) -> Result<Vec<u8>, Error> {
    font_ready()?;
    let mut buffer = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
    let n = months.len().max(1);
    let max_major = months
        .iter()
        .map(|(_, m)| m / 100)
        .max()
        .unwrap_or(0)
        .max(1);
    let step = tick_step(max_major);
    let top = (max_major / step + 1) * step;
    let mut labels = vec![label(
        t!(
            locale,
            "chart-revenue-title",
            currency = currency.to_string()
        ),
        (SIZE.0 as i32 / 2, 26),
        26.0,
        Anchor::Center,
    )];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, SIZE).into_drawing_area();
        root.fill(&BACKGROUND).map_err(fail)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(20)
            .margin_top(56)
            .x_label_area_size(30)
            .y_label_area_size(60)
            .build_cartesian_2d(0..n as i64 * 4, 0..top)
            .map_err(fail)?;
        for v in (0..=top).step_by(step as usize) {
            chart
                .draw_series(LineSeries::new(
                    vec![(0, v), (n as i64 * 4, v)],
                    GRID.stroke_width(1),
                ))
                .map_err(fail)?;
            let (x, y) = chart.backend_coord(&(0, v));
            labels.push(label(v.to_string(), (x - 8, y), 15.0, Anchor::Right));
        }
        for (i, (month, minor)) in months.iter().enumerate() {
            let x = i as i64 * 4;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x + 1, 0), (x + 3, minor / 100)],
                    BLURPLE.filled(),
                )))
                .map_err(fail)?;
            let (px, py) = chart.backend_coord(&(x + 2, 0));
            labels.push(label(month.clone(), (px, py + 16), 14.0, Anchor::Center));
        }
        root.present().map_err(fail)?;
    }
    text::draw(&mut buffer, SIZE, &labels);
    png(&buffer, SIZE)
}

/// One bar of a share chart: its label under it, its share (none: no bar), a note above it.
struct ShareBar {
    label: Option<String>,
    share: Option<f64>,
    note: Option<String>,
}

/// Shares as green bars on a 0–100 % axis, under `title`.
fn share_bars(title: String, bars: &[ShareBar]) -> Result<Vec<u8>, Error> {
    font_ready()?;
    let mut buffer = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
    let n = bars.len().max(1) as i64;
    let mut labels = vec![label(title, (SIZE.0 as i32 / 2, 26), 26.0, Anchor::Center)];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, SIZE).into_drawing_area();
        root.fill(&BACKGROUND).map_err(fail)?;
        // Room above 100 % for a full bar's note.
        let top: i64 = if bars.iter().any(|b| b.note.is_some()) {
            110
        } else {
            100
        };
        let mut chart = ChartBuilder::on(&root)
            .margin(20)
            .margin_top(56)
            .x_label_area_size(30)
            .y_label_area_size(56)
            .build_cartesian_2d(0..n * 4, 0..top)
            .map_err(fail)?;
        for v in (0..=100).step_by(20) {
            chart
                .draw_series(LineSeries::new(
                    vec![(0, v), (n * 4, v)],
                    GRID.stroke_width(1),
                ))
                .map_err(fail)?;
            let (x, y) = chart.backend_coord(&(0, v));
            labels.push(label(format!("{v}%"), (x - 8, y), 15.0, Anchor::Right));
        }
        for (i, bar) in bars.iter().enumerate() {
            let x = i as i64 * 4;
            if let Some(text) = &bar.label {
                let (px, py) = chart.backend_coord(&(x + 2, 0));
                labels.push(label(text.clone(), (px, py + 16), 14.0, Anchor::Center));
            }
            let Some(share) = bar.share else {
                continue;
            };
            let height = (share * 100.0).round().clamp(0.0, 100.0) as i64;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x + 1, 0), (x + 3, height)],
                    GREEN.filled(),
                )))
                .map_err(fail)?;
            if let Some(note) = &bar.note {
                let (tx, ty) = chart.backend_coord(&(x + 2, height));
                labels.push(label(note.clone(), (tx, ty - 12), 14.0, Anchor::Center));
            }
        }
        root.present().map_err(fail)?;
    }
    text::draw(&mut buffer, SIZE, &labels);
    png(&buffer, SIZE)
}

/// A challenge's completion per day (check-ins ÷ participants) as bars, 0–100 %, each day
/// numbered under its bar (at most about 25 numbers, always the last).
pub fn completion(days: &[(i64, f64)], locale: Locale) -> Result<Vec<u8>, Error> {
    let every = (days.len() / 25 + 1).max(1);
    let bars: Vec<ShareBar> = days
        .iter()
        .enumerate()
        .map(|(i, (day, share))| ShareBar {
            label: (i % every == 0 || i + 1 == days.len()).then(|| day.to_string()),
            share: Some(*share),
            note: None,
        })
        .collect();
    share_bars(t!(locale, "chart-challenge-title"), &bars)
}

/// Renewal rate per month (renewed ÷ due) as bars, 0–100 %, each month under its bar and its
/// "renewed/due" above it; a month nobody was due in has no bar.
pub fn renewals(months: &[super::renewal_rate::Rate], locale: Locale) -> Result<Vec<u8>, Error> {
    let bars: Vec<ShareBar> = months
        .iter()
        .map(|m| ShareBar {
            label: Some(m.key.clone()),
            share: m.share(),
            note: Some(format!("{}/{}", m.renewed, m.due)),
        })
        .collect();
    share_bars(t!(locale, "chart-renewals-title"), &bars)
}

/// The weekly report as a card: the title in English and Chinese, then one row per number —
/// its label in both languages, this week's value, last week's beside it.
pub fn weekly(report: &super::report::Report) -> Result<Vec<u8>, Error> {
    font_ready()?;
    let rows = super::report::rows(report);
    let size = (900u32, 130 + rows.len() as u32 * 44 + 20);
    let mut buffer = vec![0u8; (size.0 * size.1 * 3) as usize];
    let (from, to) = super::report::span(&report.week);
    let title = |l: Locale| {
        t!(
            l,
            "chart-report-title",
            from = from.clone(),
            to = to.clone()
        )
    };
    let mut labels = vec![
        label(
            title(Locale::En),
            (size.0 as i32 / 2, 28),
            26.0,
            Anchor::Center,
        ),
        label(
            title(Locale::ZhCn),
            (size.0 as i32 / 2, 62),
            22.0,
            Anchor::Center,
        ),
        Label {
            text: format!(
                "{} / {}",
                t!(Locale::En, "chart-report-previous"),
                t!(Locale::ZhCn, "chart-report-previous")
            ),
            at: (860, 104),
            px: 14.0,
            color: GRID_TEXT,
            anchor: Anchor::Right,
        },
    ];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, size).into_drawing_area();
        root.fill(&BACKGROUND).map_err(fail)?;
        for (i, (key, this, last)) in rows.iter().enumerate() {
            let y = 140 + i as i32 * 44;
            if i % 2 == 0 {
                root.draw(&Rectangle::new(
                    [(20, y - 20), (880, y + 22)],
                    RGBColor(0x38, 0x3A, 0x40).filled(),
                ))
                .map_err(fail)?;
            }
            labels.push(label(
                format!("{} · {}", t!(Locale::En, key), t!(Locale::ZhCn, key)),
                (36, y),
                18.0,
                Anchor::Left,
            ));
            labels.push(Label {
                text: this.clone(),
                at: (690, y),
                px: 20.0,
                color: GREEN,
                anchor: Anchor::Right,
            });
            labels.push(Label {
                text: last.clone(),
                at: (860, y),
                px: 16.0,
                color: GRID_TEXT,
                anchor: Anchor::Right,
            });
        }
        root.present().map_err(fail)?;
    }
    text::draw(&mut buffer, size, &labels);
    png(&buffer, size)
}

/// The cohort table as a heatmap: one row per cohort (join week · tier · size), one column
/// per week after joining; brighter is more retained, empty cells are weeks still to come.
/// Drawn in pixels (not chart coordinates) so labels sit centred on their cells.
pub fn retention(cohorts: &[Cohort], locale: Locale) -> Result<Vec<u8>, Error> {
    font_ready()?;
    let weeks = super::store::FOLLOW_WEEKS as i32;
    let (left, top, cell_h) = (230i32, 90i32, 32i32);
    let width = SIZE.0 as i32;
    let cell_w = (width - left - 20) / weeks;
    let height = (top + cell_h * cohorts.len().max(1) as i32 + 50) as u32;
    let size = (SIZE.0, height);
    let mut buffer = vec![0u8; (size.0 * size.1 * 3) as usize];
    let mut labels = vec![
        label(
            t!(locale, "chart-retention-title"),
            (width / 2, 28),
            26.0,
            Anchor::Center,
        ),
        label(
            t!(locale, "chart-weeks-after"),
            (left + cell_w * weeks / 2, 58),
            15.0,
            Anchor::Center,
        ),
    ];
    for w in 0..weeks {
        labels.push(label(
            format!("W{}", w + 1),
            (left + cell_w * w + cell_w / 2, top - 12),
            15.0,
            Anchor::Center,
        ));
    }
    let free = t!(locale, "chart-free");
    if cohorts.is_empty() {
        labels.push(label(
            t!(locale, "chart-retention-empty"),
            (left + cell_w * weeks / 2, top + cell_h / 2),
            15.0,
            Anchor::Center,
        ));
    }
    {
        let root = BitMapBackend::with_buffer(&mut buffer, size).into_drawing_area();
        root.fill(&BACKGROUND).map_err(fail)?;
        for (r, cohort) in cohorts.iter().enumerate() {
            let y = top + cell_h * r as i32;
            let tier = if cohort.tier == "free" {
                free.clone()
            } else {
                cohort.tier.clone()
            };
            labels.push(label(
                format!("{} · {tier} ({})", cohort.week.format("%m-%d"), cohort.size),
                (left - 10, y + cell_h / 2),
                15.0,
                Anchor::Right,
            ));
            for (w, value) in cohort.retained.iter().enumerate() {
                let x = left + cell_w * w as i32;
                let corners = [(x + 1, y + 1), (x + cell_w - 1, y + cell_h - 1)];
                match value {
                    Some(v) => {
                        let shade = (40.0 + 215.0 * v) as u8;
                        root.draw(&Rectangle::new(
                            corners,
                            RGBColor(shade / 3, shade / 2, shade).filled(),
                        ))
                        .map_err(fail)?;
                        labels.push(label(
                            format!("{:.0}%", v * 100.0),
                            (x + cell_w / 2, y + cell_h / 2),
                            14.0,
                            Anchor::Center,
                        ));
                    }
                    None => {
                        root.draw(&Rectangle::new(corners, GRID.stroke_width(1)))
                            .map_err(fail)?;
                    }
                }
            }
        }
        root.present().map_err(fail)?;
    }
    text::draw(&mut buffer, size, &labels);
    png(&buffer, size)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ab_glyph::{Font, FontRef};

    #[test]
    fn every_chart_label_has_a_glyph() {
        let font = FontRef::try_from_slice(FONT).unwrap();
        for locale in Locale::ALL {
            // Every `chart-*` string of every language, as the font subset was made from.
            let file = include_str!("../../../locales/en/community.ftl");
            let keys = file
                .lines()
                .filter(|l| l.starts_with("chart-"))
                .filter_map(|l| l.split(" =").next());
            for key in keys {
                let text = t!(
                    locale,
                    key,
                    days = 30,
                    currency = "USD",
                    from = "11-23",
                    to = "11-29"
                );
                for c in text
                    .chars()
                    .filter(|c| !c.is_control() && *c != '\u{2068}' && *c != '\u{2069}')
                {
                    assert_ne!(font.glyph_id(c).0, 0, "{c:?} of {key} ({locale:?})");
                }
            }
        }
    }

    #[test]
    fn counts_get_whole_number_ticks_and_the_last_day_is_labelled() {
        assert_eq!(tick_step(4), 1);
        assert_eq!(tick_step(7), 2);
        assert_eq!(tick_step(130), 50);
        assert_eq!(tick_step(1), 1);
        assert_eq!(day_ticks(7), vec![0, 1, 2, 3, 4, 5, 6]);
        assert_eq!(day_ticks(30), vec![0, 5, 10, 15, 20, 25, 29]);
        assert_eq!(day_ticks(1), vec![0]);
        let ticks = day_ticks(14);
        assert_eq!(ticks.last(), Some(&13));
        assert!(ticks.windows(2).all(|w| w[1] - w[0] >= 2), "{ticks:?}");
    }

    #[test]
    fn charts_are_pngs_in_both_languages() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let series: Vec<(NaiveDate, i64, i64)> = (0..30)
            .map(|i| (day + chrono::Duration::days(i), 10 + i % 7, 40 + 3 * i))
            .collect();
        let cohorts = vec![Cohort {
            week: day,
            tier: "free".into(),
            size: 12,
            retained: vec![Some(0.5), Some(0.25), None, None, None, None, None, None],
        }];
        for locale in [Locale::En, Locale::ZhCn] {
            let charts = [
                ("activity", activity(&series, locale).unwrap()),
                ("retention", retention(&cohorts, locale).unwrap()),
                (
                    "revenue",
                    revenue(
                        &[("2026-11".into(), 2900), ("2026-12".into(), 12_345)],
                        "USD",
                        locale,
                    )
                    .unwrap(),
                ),
            ];
            for (name, png) in charts {
                assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
                assert!(png.len() > 5_000, "something was drawn");
                // To look at them: LYCEUM_CHART_DIR=/tmp cargo test --lib charts
                if let Ok(dir) = std::env::var("LYCEUM_CHART_DIR") {
                    let path = format!("{dir}/{name}-{}.png", locale.tag());
                    std::fs::write(path, &png).unwrap();
                }
            }
        }
    }
}
