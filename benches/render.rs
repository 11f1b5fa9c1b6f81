//! One commander frame at 200x60 into a TestBackend (SPEC: about a millisecond).
//! Run: cargo bench --bench render

#[path = "../tests/it/common/mod.rs"]
mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::hint::black_box;

fn commander_frame(c: &mut Criterion) {
    let app = common::app("commander", "dark", (200, 60));
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("test backend");
    let now = common::now();
    c.bench_function("render commander 200x60", |b| {
        b.iter(|| {
            terminal
                .draw(|f| liftoff::tui::view::render(f, black_box(&app), now))
                .expect("draw");
        })
    });
    let mut app = common::app("commander", "dark", (200, 60));
    c.bench_function("fold one observation and re-evaluate", |b| {
        let events = common::events();
        let last = events.last().cloned().expect("events");
        b.iter(|| app.apply(black_box(last.clone()), now))
    });
}

criterion_group!(benches, commander_frame);
criterion_main!(benches);
