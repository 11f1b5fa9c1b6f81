//! The bottom-line prompt: `/` with the filter being typed (and how many
//! rows it keeps), `:` with the command and, above it, what it may become.

use crate::tui::app::prompt::{offers, Prompt, PromptKind};
use crate::tui::app::App;
use crate::tui::style;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

pub fn render(f: &mut Frame, area: Rect, app: &App, prompt: &Prompt) {
    if area.height == 0 {
        return;
    }
    let t = &app.theme;
    let bottom = Rect::new(area.x, area.bottom() - 1, area.width, 1);
    let mut spans = match prompt.kind {
        PromptKind::Filter(panel) => vec![Span::styled(
            format!("/ filter {} ", crate::tui::style::panel_title(panel)),
            style::bold(style::accent(t)),
        )],
        PromptKind::Command => vec![Span::styled(": ", style::bold(style::accent(t)))],
    };
    spans.extend(prompt.field.spans(t, true));
    let tail = match prompt.kind {
        PromptKind::Filter(panel) => format!(
            "   {} of {} shown · Enter keeps · Esc clears",
            app.visible(panel).len(),
            app.row_count(panel)
        ),
        PromptKind::Command => "   Tab completes · Enter runs · Esc closes".to_string(),
    };
    spans.push(Span::styled(tail, style::muted(t)));
    f.render_widget(Clear, bottom);
    f.render_widget(Paragraph::new(Line::from(spans)), bottom);
    if prompt.kind == PromptKind::Command && area.height > 1 {
        let above = Rect::new(area.x, bottom.y - 1, area.width, 1);
        f.render_widget(Clear, above);
        f.render_widget(
            Paragraph::new(Line::styled(
                format!("  {}", offers(prompt.field.value())),
                style::text(t),
            )),
            above,
        );
    }
}
