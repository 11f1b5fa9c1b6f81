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
