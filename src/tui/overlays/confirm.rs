//! Questions before acts that matter: entering a stage, recording the
//! decision, quitting while the ramp carries traffic.

use crate::engine::Decision;
use crate::tui::app::{App, Confirm};
use crate::tui::panels::ramp::stage_label;
use crate::tui::style;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};
use ratatui::Frame;

fn question(app: &App, q: Confirm) -> (String, Vec<String>) {
    match q {
        Confirm::Quit => (
            "Quit while the ramp runs?".into(),
            vec![format!(
                "The ramp stays at {}: nobody in this terminal will watch it.",
                app.release
                    .stage
                    .as_ref()
                    .map_or(String::new(), |s| stage_label(&s.name, s.percent))
            )],
        ),
        Confirm::EnterStage(i) => {
            let stage = app.pb.playbook.ramp.as_ref().and_then(|r| r.stages.get(i));
            let name = stage.map_or(String::new(), |s| stage_label(&s.name, s.percent));
            let mut why = vec![format!("The gate is {} now.", app.gate.decision.word())];
            if app.gate.decision == Decision::NoGo {
                why.push(format!(
                    "{} holding: entering needs GO.",
                    app.gate.holds.len()
                ));
            }
            if let Some(s) = stage.filter(|s| !s.acks.is_empty()) {
                why.push(format!("Needs ACKs from: {}.", s.acks.join(", ")));
            }
            (format!("Enter stage {name}?"), why)
        }
        Confirm::Decide => {
            let holds: Vec<&str> = app.gate.holds.iter().map(|h| h.id.as_str()).collect();
            let mut why = vec![];
            if !holds.is_empty() {
                why.push(format!("Holding: {}.", holds.join(", ")));
            }
            why.push("It goes into the journal and a _go_nogo.json record.".into());
            (
                format!("Record the decision: {}?", app.gate.decision.word()),
                why,
            )
        }
    }
}

pub fn render(f: &mut Frame, area: Rect, app: &App, q: Confirm) {
    let t = &app.theme;
    let (title, why) = question(app, q);
    let mut lines = vec![
        Line::styled(title, style::bold(style::text(t))),
        Line::raw(""),
    ];
    lines.extend(why.into_iter().map(|w| Line::styled(w, style::text(t))));
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "y / Enter: yes    n / Esc: no",
        style::bold(style::accent(t)),
    ));
    let rect = super::centered(area, 64, lines.len() as u16 + 4);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(style::bold(style::fg(t, t.warn)))
        .title(Line::styled(" Confirm ", style::bold(style::fg(t, t.warn))));
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        rect,
    );
}
