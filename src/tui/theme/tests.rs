use super::*;

fn config_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("themes")).expect("themes dir");
    for (name, text) in files {
        std::fs::write(dir.path().join("themes").join(name), text).expect("write theme");
    }
    dir
}

#[test]
fn every_builtin_parses_and_sets_every_colour() {
    for name in Theme::builtin_names() {
        let t = Theme::load_with(name, None, false).expect(name);
        assert_eq!(t.name, *name);
        assert!(!t.no_color);
        // A verdict must never be told apart by nothing: pass, warn, fail, unknown differ.
        let verdicts = [t.pass, t.warn, t.fail, t.unknown];
        for (i, a) in verdicts.iter().enumerate() {
            for b in &verdicts[i + 1..] {
                assert_ne!(a, b, "theme {name} reuses a verdict colour");
            }
        }
    }
    assert_eq!(Theme::builtin_names().len(), BUILTIN.len());
}

#[test]
fn load_keeps_dark_as_the_default_look() {
    let t = Theme::load_with("dark", None, false).unwrap();
    assert_eq!(t.pass, Color::Green);
    assert_eq!(t.muted, Color::DarkGray);
    assert_eq!(t.background, Color::Reset);
}

#[test]
fn colorblind_theme_never_uses_red_or_green_for_verdicts() {
    let t = Theme::load_with("colorblind", None, false).unwrap();
    let reddish_or_greenish = |c: Color| match c {
        Color::Red | Color::LightRed | Color::Green | Color::LightGreen => true,
        // Red-dominant or green-dominant with little blue.
        Color::Rgb(r, g, b) => (r > 150 && g < 100 && b < 100) || (g > 150 && r < 100 && b < 100),
        _ => false,
    };
    assert!(!reddish_or_greenish(t.pass), "pass is {:?}", t.pass);
    assert!(!reddish_or_greenish(t.fail), "fail is {:?}", t.fail);
}

#[test]
fn no_color_resets_everything_and_says_so() {
    let t = Theme::load_with("colorblind", None, true).unwrap();
    assert!(t.no_color);
    let mut t2 = t.clone();
    assert!(t2.colors_mut().iter().all(|c| **c == Color::Reset));
    assert_eq!(t.name, "colorblind");
}

#[test]
fn a_partial_user_file_overrides_only_its_keys() {
    let dir = config_with(&[("dark.toml", "fail = \"#ff0000\"\nkill = 196\n")]);
    let t = Theme::load_with("dark", Some(dir.path()), false).unwrap();
    assert_eq!(t.fail, Color::Rgb(255, 0, 0));
    assert_eq!(t.kill, Color::Indexed(196));
    assert_eq!(
        t.pass,
        Color::Green,
        "unset keys come from the built-in dark"
    );
}

#[test]
fn a_new_theme_starts_from_dark_or_from_extends() {
    let dir = config_with(&[
        ("mine.toml", "accent = \"blue\"\n"),
        ("paper.toml", "extends = \"light\"\naccent = \"magenta\"\n"),
    ]);
    let mine = Theme::load_with("mine", Some(dir.path()), false).unwrap();
    assert_eq!(mine.name, "mine");
    assert_eq!(mine.accent, Color::Blue);
    assert_eq!(mine.pass, Color::Green);
    let light = Theme::load_with("light", None, false).unwrap();
    let paper = Theme::load_with("paper", Some(dir.path()), false).unwrap();
    assert_eq!(paper.accent, Color::Magenta);
    assert_eq!(paper.text, light.text);
    let names = Theme::available(Some(dir.path()));
    assert!(names.contains(&"mine".to_string()) && names.contains(&"paper".to_string()));
    assert_eq!(&names[..4], Theme::builtin_names());
}

#[test]
fn a_bad_colour_is_an_error_with_file_line_and_column() {
    let dir = config_with(&[("dark.toml", "pass = \"green\"\nwarn = \"yelow\"\n")]);
    let err = Theme::load_with("dark", Some(dir.path()), false).unwrap_err();
    let ThemeError::Invalid(p) = &err else {
        panic!("expected Invalid, got {err:?}")
    };
    assert_eq!((p.line, p.col), (2, 8));
    assert!(p.file.ends_with("themes/dark.toml"));
    let text = err.to_string();
    assert!(text.contains("did you mean \"yellow\"?"), "{text}");
    assert!(text.contains("dark.toml:2:8"), "{text}");
}

#[test]
fn an_unknown_key_is_an_error_with_did_you_mean() {
    let dir = config_with(&[("x.toml", "\n\nselection_gb = \"red\"\n")]);
    let err = Theme::load_with("x", Some(dir.path()), false).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("x.toml:3:1: unknown key `selection_gb`"),
        "{text}"
    );
    assert!(text.contains("did you mean `selection_bg`?"), "{text}");
}

#[test]
fn out_of_range_index_and_wrong_types_are_refused() {
    for (body, line) in [
        ("pass = 256\n", 1),
        ("pass = \"green\"\nfail = true\n", 2),
        ("text = \"#12345\"\n", 1),
        ("extends = \"nope\"\n", 1),
        ("pass = \n", 1),
    ] {
        let dir = config_with(&[("t.toml", body)]);
        match Theme::load_with("t", Some(dir.path()), false) {
            Err(ThemeError::Invalid(p)) => assert_eq!(p.line, line, "{body}: {p}"),
            other => panic!("{body}: expected an error, got {other:?}"),
        }
    }
}

#[test]
fn unknown_names_and_paths_are_refused() {
    for name in ["nope", "../dark", "", ".hidden"] {
        assert!(
            matches!(
                Theme::load_with(name, None, false),
                Err(ThemeError::Unknown(_))
            ),
            "{name}"
        );
    }
    let msg = ThemeError::Unknown("drak".into()).to_string();
    assert!(msg.contains("did you mean \"dark\"?"), "{msg}");
}

/// xterm's default RGB for the 16 named colours (what most terminals ship).
fn rgb(c: Color) -> Option<(u8, u8, u8)> {
    Some(match c {
        Color::Black => (0, 0, 0),
        Color::Red => (0xcd, 0, 0),
        Color::Green => (0, 0xcd, 0),
        Color::Yellow => (0xcd, 0xcd, 0),
        Color::Blue => (0, 0, 0xee),
        Color::Magenta => (0xcd, 0, 0xcd),
        Color::Cyan => (0, 0xcd, 0xcd),
        Color::Gray => (0xe5, 0xe5, 0xe5),
        Color::DarkGray => (0x7f, 0x7f, 0x7f),
        Color::LightRed => (0xff, 0, 0),
        Color::LightGreen => (0, 0xff, 0),
        Color::LightYellow => (0xff, 0xff, 0),
        Color::LightBlue => (0x5c, 0x5c, 0xff),
        Color::LightMagenta => (0xff, 0, 0xff),
        Color::LightCyan => (0, 0xff, 0xff),
        Color::White => (0xff, 0xff, 0xff),
        Color::Rgb(r, g, b) => (r, g, b),
        _ => return None,
    })
}

/// WCAG 2 relative luminance.
fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn contrast_math_matches_wcag() {
    assert!((contrast((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 0.01);
    assert!((contrast((0x77, 0x77, 0x77), (255, 255, 255)) - 4.48).abs() < 0.01);
}

#[test]
fn body_text_is_the_terminals_own_and_text_colours_keep_4_5_to_1() {
    for name in Theme::builtin_names() {
        let t = Theme::load_with(name, None, false).expect(name);
        // Body text on the terminal's own background: Reset both, or both
        // set (a theme that paints its own background, e.g. high-contrast).
        assert_eq!(
            t.text == Color::Reset,
            t.background == Color::Reset,
            "{name}: body text and background must both be the terminal's, or both set"
        );
        // With Reset, the terminal's background the theme is made for.
        let bg = match (t.background, *name) {
            (Color::Reset, "light") => (255, 255, 255),
            (Color::Reset, _) => (0, 0, 0),
            (c, _) => rgb(c).expect("a known background"),
        };
        let text_like = [
            ("pass", t.pass),
            ("warn", t.warn),
            ("fail", t.fail),
            ("unknown", t.unknown),
            ("accent", t.accent),
            ("text", t.text),
            ("muted", t.muted),
            ("kill", t.kill),
        ];
        for (key, c) in text_like {
            let Some(fg) = rgb(c) else { continue };
            let ratio = contrast(fg, bg);
            assert!(
                ratio >= 4.5,
                "{name}: {key} {c:?} on {bg:?} is {ratio:.2}:1"
            );
        }
        let (sf, sb) = (rgb(t.selection_fg), rgb(t.selection_bg));
        if let (Some(f), Some(b)) = (sf, sb) {
            let ratio = contrast(f, b);
            assert!(ratio >= 4.5, "{name}: selection {ratio:.2}:1");
        }
    }
}
