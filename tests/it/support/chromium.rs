//! Headless Chromium as a reader of the html release report: its DOM (what
//! the browser parsed) and a screenshot, proving the inline SVG charts render.

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> PathBuf {
    super::process::binary(&["chromium", "chromium-browser"])
}

/// The html opened in headless Chromium: its DOM has the charts' SVG paths
/// (non-empty `d`), and the screenshot is not blank.
pub fn renders_the_charts(html: &Path, dir: &Path) -> PathBuf {
    let url = format!("file://{}", html.display());
    let base = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-dev-shm-usage",
    ];
    let profile = format!("--user-data-dir={}", dir.join("chromium").display());
    let dom = Command::new(chromium())
        .args(base)
        .arg(&profile)
        .args(["--dump-dom", &url])
        .output()
        .expect("run chromium");
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let paths: Vec<&str> = dom_text
        .split("<path class=\"series\" d=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or(""))
        .collect();
    assert!(
        paths.len() >= 3,
        "the rendered DOM has the chart paths:\n{dom_text}"
    );
    assert!(
        paths.iter().all(|d| d.starts_with('M') && d.contains('L')),
        "{paths:?}"
    );

    let shot = dir.join("report.png");
    let out = Command::new(chromium())
        .args(base)
        .arg(&profile)
        .arg(format!("--screenshot={}", shot.display()))
        .args(["--window-size=1100,1400", "--hide-scrollbars", &url])
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (pixels, channels) = rgb_pixels(&shot);
    // Not blank: many distinct colours (text, the charts' blue lines, status dots).
    let mut colours = std::collections::HashSet::new();
    for p in pixels.chunks(channels) {
        colours.insert([p[0], p[1], p[2]]);
    }
    assert!(
        colours.len() > 50,
        "the screenshot is blank ({} colours)",
        colours.len()
    );
    let blue = pixels
        .chunks(channels)
        .filter(|p| p[..3] == [0x09, 0x69, 0xda])
        .count();
    assert!(
        blue > 50,
        "the charts' lines are drawn ({blue} line pixels)"
    );
    shot
}

/// The screenshot's 8-bit pixels and how many bytes each takes (RGB or RGBA).
fn rgb_pixels(png_file: &Path) -> (Vec<u8>, usize) {
    let decoder = png::Decoder::new(std::fs::File::open(png_file).expect("the screenshot"));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a frame");
    assert_eq!(info.bit_depth, png::BitDepth::Eight, "{info:?}");
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    buf.truncate(info.buffer_size());
    (buf, channels)
}
