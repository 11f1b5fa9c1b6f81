//! Big letters (tui-big-text, an 8x8 font) sized to the room they get: full
//! cells when there is space, half or quarter cells when not, plain bold text
//! as the last resort. Read from across a room, still correct in a tmux pane.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};
use tui_big_text::{BigText, PixelSize};

/// Sizes to try, biggest first: (size, rows per line, columns per letter).
/// Sextant/octant glyphs are left out: many terminal fonts lack them.
const SIZES: [(PixelSize, u16, u16); 3] = [
    (PixelSize::Full, 8, 8),
    (PixelSize::HalfHeight, 4, 8),
    (PixelSize::Quadrant, 4, 4),
];

/// The biggest size that fits `text` into `width` x `height`: (size, rows, columns).
pub fn fit(text: &str, width: u16, height: u16) -> Option<(PixelSize, u16, u16)> {
    let letters = text.chars().count() as u16;
    SIZES
        .iter()
        .find(|(_, rows, cols)| *rows <= height && letters.saturating_mul(*cols) <= width)
        .map(|(size, rows, cols)| (*size, *rows, letters * cols))
}

/// How many rows `text` takes when drawn big in `width` x `height` (1: plain).
pub fn height(text: &str, width: u16, height: u16) -> u16 {
    fit(text, width, height).map_or(1, |(_, rows, _)| rows)
}

/// Draws `text` centred in `area`, as big as fits. Returns the rows used.
pub fn render(text: &str, style: Style, area: Rect, buf: &mut Buffer) -> u16 {
    if area.is_empty() {
        return 0;
    }
    match fit(text, area.width, area.height) {
        Some((size, rows, _)) => {
            let top = area.y + (area.height - rows) / 2;
            let rect = Rect::new(area.x, top, area.width, rows);
            BigText::builder()
                .pixel_size(size)
                .style(style)
                .alignment(Alignment::Center)
                .lines(vec![Line::from(text.to_string())])
                .build()
                .render(rect, buf);
            rows
        }
        None => {
            let top = area.y + area.height.saturating_sub(1) / 2;
            let rect = Rect::new(area.x, top, area.width, 1);
            Paragraph::new(Line::from(text.to_string()))
                .style(style)
                .alignment(Alignment::Center)
                .render(rect, buf);
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_biggest_size_that_fits() {
        assert_eq!(fit("NO-GO", 200, 20).map(|f| f.1), Some(8));
        assert_eq!(fit("NO-GO", 200, 6).map(|f| f.1), Some(4));
        assert_eq!(fit("NO-GO", 30, 6).map(|f| f.2), Some(20));
        assert_eq!(fit("NO-GO", 10, 6), None);
        assert_eq!(height("NO-GO", 10, 6), 1);
    }

    #[test]
    fn never_panics_in_tiny_areas() {
        for (w, h) in [(0, 0), (1, 1), (3, 1), (40, 3)] {
            let area = Rect::new(0, 0, w, h);
            let mut buf = Buffer::empty(area);
            render("HALTED", Style::default(), area, &mut buf);
        }
    }
}
