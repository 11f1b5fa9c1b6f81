use super::*;

const SIZES: &[(u16, u16)] = &[
    (200, 60),
    (200, 50),
    (120, 40),
    (100, 30),
    (80, 24),
    (80, 20),
    (60, 16),
    (40, 10),
    (20, 5),
    (1, 1),
    (0, 0),
];

fn parse(text: &str) -> Result<Layout, Problem> {
    match Layout::parse("t", Path::new("t.toml"), text) {
        Ok(l) => Ok(l),
        Err(LayoutError::Invalid(p)) => Err(p),
        Err(other) => panic!("unexpected {other:?}"),
    }
}

fn cells(r: Rect) -> u32 {
    u32::from(r.width) * u32::from(r.height)
}

/// The panels tile the area: inside it, no two overlap, nothing left over.
fn assert_tiles(layout: &Layout, area: Rect) {
    let parts = layout.split(area);
    for (p, r) in &parts {
        assert_eq!(
            area.union(*r),
            area,
            "{} {p} {r:?} leaves {area:?}",
            layout.name
        );
    }
    for (i, (p, a)) in parts.iter().enumerate() {
        for (q, b) in &parts[i + 1..] {
            assert!(
                cells(a.intersection(*b)) == 0,
                "{} at {area:?}: {p} {a:?} overlaps {q} {b:?}",
                layout.name
            );
        }
    }
    let total: u32 = parts.iter().map(|(_, r)| cells(*r)).sum();
    assert_eq!(
        total,
        cells(area),
        "{} at {area:?} leaves gaps: {parts:?}",
        layout.name
    );
}

#[test]
fn every_builtin_parses_and_tiles_the_screen_at_every_size() {
    for name in Layout::builtin_names() {
        let l = Layout::load_with(name, None).expect(name);
        assert_eq!(l.name, *name);
        assert!(l.description.is_some(), "{name} says what it is for");
        for (w, h) in SIZES {
            assert_tiles(&l, Rect::new(0, 0, *w, *h));
            assert_tiles(&l, Rect::new(3, 2, *w, *h));
        }
    }
    assert_eq!(Layout::builtin_names().len(), BUILTIN.len());
}

#[test]
fn commander_shows_every_panel_once() {
    let l = Layout::load_with("commander", None).unwrap();
    let panels = l.panels();
    // `next` is the war room's: the commander's ramp and countdown say it.
    for p in PanelKind::ALL.into_iter().filter(|p| *p != PanelKind::Next) {
        assert_eq!(panels.iter().filter(|q| **q == p).count(), 1, "{p}");
    }
    assert_eq!(l.min_size(), (100, 30));
    for (p, r) in l.split(Rect::new(0, 0, 100, 30)) {
        let (fw, fh) = p.floor();
        assert!(
            r.width >= fw && r.height >= fh,
            "{p} squeezed to {r:?} at 100x30"
        );
    }
}

#[test]
fn compact_fits_80x24_and_a_tmux_half_split() {
    let l = Layout::load_with("compact", None).unwrap();
    let (w, h) = l.min_size();
    assert!(w <= 80 && h <= 20, "compact needs {w}x{h}");
    for area in [Rect::new(0, 0, 80, 24), Rect::new(0, 0, 80, 20)] {
        assert!(l.fits(area));
        for (p, r) in l.split(area) {
            let (fw, fh) = p.floor();
            assert!(
                r.width >= fw && r.height >= fh,
                "{p} squeezed to {r:?} in {area:?}"
            );
        }
    }
    let panels = l.panels();
    for must in [
        PanelKind::Banner,
        PanelKind::Kill,
        PanelKind::Checklist,
        PanelKind::Status,
    ] {
        assert!(panels.contains(&must), "{must}");
    }
}

#[test]
fn war_room_gives_the_banner_room_for_big_letters() {
    let l = Layout::load_with("war-room", None).unwrap();
    let parts = l.split(Rect::new(0, 0, 200, 50));
    let get = |k| {
        parts
            .iter()
            .find(|(p, _)| *p == k)
            .map(|(_, r)| *r)
            .expect("panel")
    };
    assert!(
        get(PanelKind::Banner).height >= 10,
        "{:?}",
        get(PanelKind::Banner)
    );
    assert!(get(PanelKind::Banner).width >= 100);
    assert!(get(PanelKind::Kill).height >= 10);
    for must in [PanelKind::Countdown, PanelKind::Summary, PanelKind::Status] {
        assert!(l.panels().contains(&must), "{must}");
    }
}

#[test]
fn nesting_and_sizes_mean_what_the_docs_say() {
    let l = parse(
        "[[row]]\nheight = 2\npanel = \"banner\"\n\n[[row]]\n[[row.col]]\nwidth = \"25%\"\npanel = \"kill\"\n[[row.col]]\nratio = 1\n[[row.col.row]]\npanel = \"ramp\"\nmin = 3\n[[row.col.row]]\nheight = 1\npanel = \"status\"\n",
    )
    .expect("valid");
    let parts = l.split(Rect::new(0, 0, 40, 12));
    let get = |k| {
        parts
            .iter()
            .find(|(p, _)| *p == k)
            .map(|(_, r)| *r)
            .expect("panel")
    };
    assert_eq!(get(PanelKind::Banner), Rect::new(0, 0, 40, 2));
    assert_eq!(get(PanelKind::Kill), Rect::new(0, 2, 10, 10));
    assert_eq!(get(PanelKind::Ramp), Rect::new(10, 2, 30, 9));
    assert_eq!(get(PanelKind::Status), Rect::new(10, 11, 30, 1));
    // Without declared minimums the need is computed: 2 + (3 + 1) rows.
    assert_eq!(l.min_size().1, 6);
}

#[test]
fn an_unknown_panel_names_line_column_and_a_suggestion() {
    let p = parse("min_width = 10\n\n[[row]]\npanel = \"checklst\"\n").unwrap_err();
    assert_eq!((p.line, p.col), (4, 9));
    assert_eq!(p.message, "unknown panel \"checklst\"");
    assert_eq!(p.hint.as_deref(), Some("did you mean \"checklist\"?"));
}

#[test]
fn bad_files_are_refused_with_the_line_that_is_wrong() {
    let cases: &[(&str, usize, &str)] = &[
        (
            "[[row]]\npanel = \"banner\"\nhieght = 3\n",
            3,
            "did you mean `height`?",
        ),
        (
            "[[row]]\npanel = \"banner\"\nwidth = 3\n",
            3,
            "sized by `height`",
        ),
        (
            "[[row]]\npanel = \"banner\"\nheight = 3\nratio = 2\n",
            4,
            "keep one of",
        ),
        (
            "[[row]]\npanel = \"banner\"\nheight = \"150%\"\n",
            3,
            "percentage",
        ),
        ("[[row]]\npanel = \"banner\"\nratio = 0\n", 3, "at least 1"),
        ("[[row]]\n\n[[row]]\npanel = \"kill\"\n", 1, "shows nothing"),
        (
            "[[row]]\npanel = \"kill\"\n[[row.col]]\npanel = \"ramp\"\n",
            1,
            "keep one",
        ),
        (
            "[[row]]\npanel = \"kill\"\n[[row]]\npanel = \"kill\"\n",
            4,
            "first on line 2",
        ),
        (
            "min_height = 2\n[[row]]\npanel = \"kill\"\nheight = 5\n",
            1,
            "min_height = 5",
        ),
        ("title = \"x\"\n", 1, "valid keys here"),
        ("[row]\npanel = \"kill\"\n", 1, "two brackets"),
        ("description = \"nothing\"\n", 1, "add [[row]]"),
        (
            "[[row]]\npanel = \"kill\"\n[[col]]\npanel = \"ramp\"\n",
            3,
            "not both",
        ),
        ("[[row]]\npanel = [\n", 2, ""),
    ];
    for (text, line, says) in cases {
        let p = parse(text).expect_err(text);
        assert_eq!(p.line, *line, "{text:?} -> {p}");
        assert!(p.to_string().contains(says), "{text:?} -> {p}");
        assert!(p.to_string().starts_with("t.toml:"), "{p}");
    }
}

#[test]
fn a_user_file_replaces_a_builtin_and_adds_new_names() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("layouts")).unwrap();
    std::fs::write(
        dir.path().join("layouts/compact.toml"),
        "[[row]]\npanel = \"banner\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("layouts/mine.toml"),
        "[[col]]\npanel = \"kill\"\n[[col]]\npanel = \"zz\"\n",
    )
    .unwrap();
    let l = Layout::load_with("compact", Some(dir.path())).unwrap();
    assert_eq!(l.panels(), vec![PanelKind::Banner]);
    let err = Layout::load_with("mine", Some(dir.path()))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("layouts/mine.toml:4:9: unknown panel \"zz\""),
        "{err}"
    );
    assert!(Layout::available(Some(dir.path())).contains(&"mine".to_string()));
}

#[test]
fn unknown_layout_names_are_refused_with_a_suggestion() {
    for name in ["nope", "../commander", ""] {
        assert!(
            matches!(Layout::load_with(name, None), Err(LayoutError::Unknown(_))),
            "{name}"
        );
    }
    let msg = LayoutError::Unknown("warroom".into()).to_string();
    assert!(msg.contains("did you mean \"war-room\"?"), "{msg}");
}

#[test]
fn the_documented_examples_are_valid() {
    let doc = include_str!("../../../docs/themes-and-layouts.md");
    let blocks: Vec<&str> = doc
        .split("```toml\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .collect();
    let layouts: Vec<&&str> = blocks.iter().filter(|b| b.contains("[[row]]")).collect();
    assert!(!layouts.is_empty());
    for text in layouts {
        let l = parse(text).unwrap_or_else(|p| panic!("{p}\n{text}"));
        assert_tiles(&l, Rect::new(0, 0, 80, 20));
    }
    for text in blocks.iter().filter(|b| !b.contains("[[row]]")) {
        crate::tui::theme::Theme::parse_patch(Path::new("doc.toml"), text)
            .unwrap_or_else(|p| panic!("{p}\n{text}"));
    }
}
