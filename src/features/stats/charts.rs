//! PNG charts for `/stats`, drawn with plotters for Discord's dark theme. The font is a small
//! CJK-covering subset compiled into the binary (see `assets/fonts/README.md`), so Chinese
//! labels render without any system font.

use std::sync::OnceLock;

use chrono::NaiveDate;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

use super::store::Cohort;
use crate::error::Error;
use crate::i18n::Locale;
use crate::t;

const FONT: &[u8] = include_bytes!("../../../assets/fonts/lyceum-chart.ttf");
const FAMILY: &str = "sans-serif";

/// Discord's dark theme background, and the text on it.
const BACKGROUND: RGBColor = RGBColor(0x31, 0x33, 0x38);
const TEXT: RGBColor = RGBColor(0xDB, 0xDE, 0xE1);
const GRID: RGBColor = RGBColor(0x4E, 0x50, 0x58);
const BLURPLE: RGBColor = RGBColor(0x58, 0x65, 0xF2);
const GREEN: RGBColor = RGBColor(0x57, 0xF2, 0x87);

fn font_ready() -> Result<(), Error> {
    static READY: OnceLock<bool> = OnceLock::new();
    let ok = *READY.get_or_init(|| register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err(Error::Internal(anyhow::anyhow!(
            "the chart font did not load"
        )))
    }
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

/// Active members and messages per day.
pub fn activity(series: &[(NaiveDate, i64, i64)], locale: Locale) -> Result<Vec<u8>, Error> {
    font_ready()?;
    let mut buffer = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, SIZE).into_drawing_area();
        root.fill(&BACKGROUND).map_err(fail)?;
        let days = series.len().max(1);
        let top = series
            .iter()
            .map(|(_, a, m)| (*a).max(*m))
            .max()
            .unwrap_or(0)
            .max(1) as f64
            * 1.15;
        let title = t!(locale, "chart-activity-title", days = days as i64);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FAMILY, 26).into_font().color(&TEXT))
            .margin(16)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(0..days, 0f64..top)
            .map_err(fail)?;
        let label_style = (FAMILY, 15).into_font().color(&TEXT);
        chart
            .configure_mesh()
            .bold_line_style(GRID)
            .light_line_style(BACKGROUND)
            .axis_style(GRID)
            .label_style(label_style.clone())
            .x_labels(6)
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_label_formatter(&|i| {
                series
                    .get(*i)
                    .map(|(d, _, _)| d.format("%m-%d").to_string())
                    .unwrap_or_default()
            })
            .draw()
            .map_err(fail)?;
        chart
            .draw_series(LineSeries::new(
                series
                    .iter()
                    .enumerate()
                    .map(|(i, (_, _, m))| (i, *m as f64)),
                BLURPLE.stroke_width(3),
            ))
            .map_err(fail)?
            .label(t!(locale, "chart-messages"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLURPLE.stroke_width(3)));
        chart
            .draw_series(LineSeries::new(
                series
                    .iter()
                    .enumerate()
                    .map(|(i, (_, a, _))| (i, *a as f64)),
                GREEN.stroke_width(3),
            ))
            .map_err(fail)?
            .label(t!(locale, "chart-active"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], GREEN.stroke_width(3)));
        chart
            .configure_series_labels()
            .background_style(BACKGROUND)
            .border_style(GRID)
            .label_font(label_style)
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(fail)?;
        root.present().map_err(fail)?;
    }
    png(&buffer, SIZE)
}

/// The cohort table as a heatmap: one row per cohort (join week · tier · size), one column
/// per week after joining; brighter is more retained, empty cells are weeks still to come.
/// Drawn in pixels (not chart coordinates) so labels sit centred on their cells.
pub fn retention(cohorts: &[Cohort], locale: Locale) -> Result<Vec<u8>, Error> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    font_ready()?;
    let weeks = super::store::FOLLOW_WEEKS as i32;
    let (left, top, cell_h) = (230i32, 90i32, 32i32);
    let width = SIZE.0 as i32;
    let cell_w = (width - left - 20) / weeks;
    let height = (top + cell_h * cohorts.len().max(1) as i32 + 50) as u32;
    let size = (SIZE.0, height);
    let mut buffer = vec![0u8; (size.0 * size.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, size).into_drawing_area();
        root.fill(&BACKGROUND).map_err(fail)?;
        let centred = |px: i32| {
            (FAMILY, px)
                .into_font()
                .color(&TEXT)
                .pos(Pos::new(HPos::Center, VPos::Center))
        };
        root.draw(&Text::new(
            t!(locale, "chart-retention-title"),
            (width / 2, 28),
            centred(26),
        ))
        .map_err(fail)?;
        root.draw(&Text::new(
            t!(locale, "chart-weeks-after"),
            (left + cell_w * weeks / 2, 58),
            centred(15),
        ))
        .map_err(fail)?;
        for w in 0..weeks {
            root.draw(&Text::new(
                format!("W{}", w + 1),
                (left + cell_w * w + cell_w / 2, top - 12),
                centred(15),
            ))
            .map_err(fail)?;
        }
        let free = t!(locale, "chart-free");
        let right = (FAMILY, 15)
            .into_font()
            .color(&TEXT)
            .pos(Pos::new(HPos::Right, VPos::Center));
        for (r, cohort) in cohorts.iter().enumerate() {
            let y = top + cell_h * r as i32;
            let tier = if cohort.tier == "free" {
                free.clone()
            } else {
                cohort.tier.clone()
            };
            root.draw(&Text::new(
                format!("{} · {tier} ({})", cohort.week.format("%m-%d"), cohort.size),
                (left - 10, y + cell_h / 2),
                right.clone(),
            ))
            .map_err(fail)?;
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
                        root.draw(&Text::new(
                            format!("{:.0}%", v * 100.0),
                            (x + cell_w / 2, y + cell_h / 2),
                            centred(14),
                        ))
                        .map_err(fail)?;
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
            for key in [
                "chart-activity-title",
                "chart-active",
                "chart-messages",
                "chart-retention-title",
                "chart-weeks-after",
                "chart-free",
            ] {
                let text = t!(locale, key, days = 30);
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
