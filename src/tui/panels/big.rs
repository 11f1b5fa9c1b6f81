//! Big letters (tui-big-text, an 8x8 font) sized to the room they get: the
//! font blown up 2x to 6x on a war-room screen, full cells when there is
//! space, half or quarter cells when not, plain bold text as the last resort. Read from across a room, still correct in a tmux pane.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};
use tui_big_text::{BigText, PixelSize};

/// A size of big letters: a tui-big-text pixel size, drawn `scale` times
/// over (each cell of the 8x8 font as a `scale` x `scale` block), so the
/// letters grow with a war-room screen instead of stopping at 8 rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub pixel: PixelSize,
    pub scale: u16,
    /// Rows per line of text.
    pub rows: u16,
    /// Columns per letter.
    pub cols: u16,
}

const fn size(pixel: PixelSize, scale: u16, rows: u16, cols: u16) -> Size {
    Size {
        pixel,
        scale,
        rows: rows * scale,
        cols: cols * scale,
    }
}

/// Sizes to try, biggest first. Sextant/octant glyphs are left out: many
/// terminal fonts lack them.
const SIZES: [Size; 8] = [
    size(PixelSize::Full, 6, 8, 8),
    size(PixelSize::Full, 5, 8, 8),
    size(PixelSize::Full, 4, 8, 8),
    size(PixelSize::Full, 3, 8, 8),
    size(PixelSize::Full, 2, 8, 8),
    size(PixelSize::Full, 1, 8, 8),
    size(PixelSize::HalfHeight, 1, 4, 8),
    size(PixelSize::Quadrant, 1, 4, 4),
];

/// The biggest size that fits `text` into `width` x `height`: (size, rows, columns).
pub fn fit(text: &str, width: u16, height: u16) -> Option<(PixelSize, u16, u16)> {
    fit_size(text, width, height).map(|s| (s.pixel, s.rows, text_cols(text, s)))
}

fn text_cols(text: &str, s: Size) -> u16 {
    (text.chars().count() as u16).saturating_mul(s.cols)
}

/// The biggest `Size` that fits `text` into `width` x `height`, no bigger
/// than `max_rows` rows (a cap keeps several big lines in proportion).
pub fn fit_capped(text: &str, width: u16, height: u16, max_rows: u16) -> Option<Size> {
    let letters = text.chars().count() as u16;
    SIZES.iter().copied().find(|s| {
        s.rows <= height.min(max_rows) && letters.checked_mul(s.cols).is_some_and(|w| w <= width)
    })
}

fn fit_size(text: &str, width: u16, height: u16) -> Option<Size> {
    fit_capped(text, width, height, u16::MAX)
}

/// How many rows `text` takes when drawn big in `width` x `height` (1: plain).
pub fn height(text: &str, width: u16, height: u16) -> u16 {
    fit_size(text, width, height).map_or(1, |s| s.rows)
}

/// Draws `text` centred in `area`, as big as fits. Returns the rows used.
pub fn render(text: &str, style: Style, area: Rect, buf: &mut Buffer) -> u16 {
    render_capped(text, style, area, buf, u16::MAX)
}

/// As `render`, no taller than `max_rows`.
pub fn render_capped(text: &str, style: Style, area: Rect, buf: &mut Buffer, max_rows: u16) -> u16 {
    if area.is_empty() {
        return 0;
    }
    match fit_capped(text, area.width, area.height, max_rows) {
        Some(size) => {
            let top = area.y + (area.height - size.rows) / 2;
            let rect = Rect::new(area.x, top, area.width, size.rows);
            draw(text, style, size, rect, buf);
            size.rows
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

/// `text` at exactly `size`, from the left edge of `area` (lists read down
/// a straight margin, all lines at one size). Nothing when it does not fit.
pub fn render_left(text: &str, style: Style, area: Rect, buf: &mut Buffer, size: Size) {
    let cols = text_cols(text, size);
    if cols > area.width || size.rows > area.height {
        return;
    }
    draw(
        text,
        style,
        size,
        Rect::new(area.x, area.y, cols, size.rows),
        buf,
    );
}

fn big_text(text: &str, style: Style, pixel: PixelSize) -> BigText<'static> {
    BigText::builder()
        .pixel_size(pixel)
        .style(style)
        .alignment(Alignment::Center)
        .lines(vec![Line::from(text.to_string())])
        .build()
}

/// `text` at `size`, centred in `rect` (which is `size.rows` high).
fn draw(text: &str, style: Style, size: Size, rect: Rect, buf: &mut Buffer) {
    if size.scale <= 1 {
        big_text(text, style, size.pixel).render(rect, buf);
        return;
    }
    // Drawn once at 1:1 in a scratch buffer, then each cell blown up.
    let cols = text_cols(text, size);
    let small = Rect::new(0, 0, cols / size.scale, size.rows / size.scale);
    let mut scratch = Buffer::empty(small);
    big_text(text, style, size.pixel).render(small, &mut scratch);
    let left = rect.x + rect.width.saturating_sub(cols) / 2;
    for y in 0..small.height {
        for x in 0..small.width {
            let Some(cell) = scratch.cell((x, y)).cloned() else {
                continue;
            };
            if cell.symbol() == " " {
                continue;
            }
            for dy in 0..size.scale {
                for dx in 0..size.scale {
                    let at = (left + x * size.scale + dx, rect.y + y * size.scale + dy);
                    if let Some(c) = buf.cell_mut(at) {
                        *c = cell.clone();
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_biggest_size_that_fits() {
        assert_eq!(fit("NO-GO", 200, 20).map(|f| f.1), Some(16));
        assert_eq!(fit("NO-GO", 200, 12).map(|f| f.1), Some(8));
        assert_eq!(fit("NO-GO", 240, 45).map(|f| f.1), Some(40));
        assert_eq!(fit("NO-GO", 200, 6).map(|f| f.1), Some(4));
        assert_eq!(fit("NO-GO", 30, 6).map(|f| f.2), Some(20));
        assert_eq!(fit("NO-GO", 10, 6), None);
        assert_eq!(height("NO-GO", 10, 6), 1);
    }

    #[test]
    fn scaled_letters_are_the_font_blown_up() {
        let area = Rect::new(0, 0, 16, 16);
        let mut big = Buffer::empty(area);
        assert_eq!(render("I", Style::default(), area, &mut big), 16);
        let mut small = Buffer::empty(Rect::new(0, 0, 8, 8));
        render("I", Style::default(), small.area, &mut small);
        for y in 0..16u16 {
            for x in 0..16u16 {
                let want = small[(x / 2, y / 2)].symbol();
                assert_eq!(big[(x, y)].symbol(), want, "({x},{y})");
            }
        }
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
