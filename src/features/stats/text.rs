//! Text on the charts, laid out with ab_glyph directly. plotters 0.3.7's ab_glyph text backend
//! places each glyph's bitmap at the pen position without its left-side bearing (its
//! `px_bounds().min.x`), so letters bunch and gap ("act ive mem bers";
//! plotters-rs/plotters#576). Here a glyph is positioned by its outline's bounds, with kerning,
//! and blended onto the RGB buffer plotters drew the shapes into.

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use plotters::style::RGBColor;

/// The compiled-in chart font (Latin and CJK), for every chart's and card's text.
pub(super) const FONT: &[u8] = include_bytes!("../../../assets/fonts/lyceum-chart.ttf");

/// Where a label's x coordinate sits in the label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Left,
    Center,
    Right,
}

/// One label to draw: its text, where (x by `anchor`, y the middle of the line), size in
/// pixels and colour.
#[derive(Debug, Clone)]
pub struct Label {
    pub text: String,
    pub at: (i32, i32),
    pub px: f32,
    pub color: RGBColor,
    pub anchor: Anchor,
}

fn font() -> FontRef<'static> {
    FontRef::try_from_slice(FONT).expect("the chart font is a valid TrueType file")
}

/// Fluent wraps arguments in Unicode isolation marks; they have no glyph to draw.
fn drawn(c: char) -> bool {
    !c.is_control() && !matches!(c, '\u{2066}'..='\u{2069}')
}

/// The width of `text` at `px`, as [`draw`] lays it out.
pub fn width(text: &str, px: f32) -> f32 {
    let font = font();
    let scaled = font.as_scaled(PxScale::from(px));
    let mut width = 0.0;
    let mut prev = None;
    for c in text.chars().filter(|c| drawn(*c)) {
        let id = scaled.glyph_id(c);
        if let Some(prev) = prev {
            width += scaled.kern(prev, id);
        }
        width += scaled.h_advance(id);
        prev = Some(id);
    }
    width
}

/// Draws `labels` onto an RGB buffer of `size`, blending each glyph's coverage.
pub fn draw(buffer: &mut [u8], size: (u32, u32), labels: &[Label]) {
    let font = font();
    for label in labels {
        let scale = PxScale::from(label.px);
        let scaled = font.as_scaled(scale);
        let (x, y) = label.at;
        let mut caret = match label.anchor {
            Anchor::Left => x as f32,
            Anchor::Center => x as f32 - width(&label.text, label.px) / 2.0,
            Anchor::Right => x as f32 - width(&label.text, label.px),
        };
        // The middle of the line (between ascent and descent) at y.
        let baseline = y as f32 + (scaled.ascent() + scaled.descent()) / 2.0;
        let mut prev = None;
        for c in label.text.chars().filter(|c| drawn(*c)) {
            let id = scaled.glyph_id(c);
            if let Some(prev) = prev {
                caret += scaled.kern(prev, id);
            }
            let glyph = id.with_scale_and_position(scale, point(caret, baseline));
            if let Some(outline) = font.outline_glyph(glyph) {
                let bounds = outline.px_bounds();
                outline.draw(|gx, gy, coverage| {
                    let px = bounds.min.x as i32 + gx as i32;
                    let py = bounds.min.y as i32 + gy as i32;
                    blend(buffer, size, (px, py), label.color, coverage);
                });
            }
            caret += scaled.h_advance(id);
            prev = Some(id);
        }
    }
}

fn blend(buffer: &mut [u8], (w, h): (u32, u32), (x, y): (i32, i32), color: RGBColor, alpha: f32) {
    if x < 0 || y < 0 || x >= w as i32 || y >= h as i32 {
        return;
    }
    let i = ((y as u32 * w + x as u32) * 3) as usize;
    let a = alpha.clamp(0.0, 1.0);
    for (channel, value) in [color.0, color.1, color.2].into_iter().enumerate() {
        let old = f32::from(buffer[i + channel]);
        buffer[i + channel] = (old * (1.0 - a) + f32::from(value) * a).round() as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_keep_their_advance_so_a_word_is_as_wide_as_its_parts() {
        let whole = width("members", 15.0);
        assert!(whole > width("mem", 15.0) + width("ber", 15.0));
        assert_eq!(width("\u{2068}7\u{2069}", 15.0), width("7", 15.0));
    }

    #[test]
    fn a_centred_label_is_drawn_around_its_point() {
        let size = (200u32, 40u32);
        let mut buffer = vec![0u8; (size.0 * size.1 * 3) as usize];
        let label = Label {
            text: "messages".into(),
            at: (100, 20),
            px: 16.0,
            color: RGBColor(255, 255, 255),
            anchor: Anchor::Center,
        };
        draw(&mut buffer, size, &[label]);
        let lit: Vec<u32> = (0..size.0 * size.1)
            .filter(|i| buffer[(*i * 3) as usize] > 128)
            .map(|i| i % size.0)
            .collect();
        let (left, right) = (*lit.iter().min().unwrap(), *lit.iter().max().unwrap());
        let half = width("messages", 16.0) / 2.0;
        assert!((left as f32 - (100.0 - half)).abs() <= 3.0, "{left}");
        assert!((right as f32 - (100.0 + half)).abs() <= 3.0, "{right}");
    }
}
