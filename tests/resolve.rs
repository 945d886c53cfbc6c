//! Resolution tests on small workspaces written to a temporary folder: citation
//! forms in both modes, footnote numbering with ibid and (n X), callout shapes,
//! rule-and-exception panels, key terms, tables of authorities.

use std::path::PathBuf;

use casebook::model::{Authority, CalloutKind, CalloutTarget, Event, Tag};
use casebook::oscola::plain;
use casebook::resolve::{check, ResolveOptions};

struct Ws(PathBuf);

impl Drop for Ws {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn workspace(name: &str, citations: &str, chapter: &str) -> Ws {
    let d = std::env::temp_dir().join(format!("casebook-resolve-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    let files: &[(&str, String)] = &[
        ("casebook.toml", format!("[workspace]\npublisher = \"P\"\n[defaults]\ncitations = \"{citations}\"\n")),
        ("g/guide.toml", "title = \"G\"\nchapters = [\"one.md\", \"two.md\"]\n".into()),
        ("g/one.md", chapter.into()),
        ("g/two.md", "# Two\n\nAgain [@corr].\n".into()),
        ("glossary.md", "Omission\n: A failure to act.\n\nActus reus\n: The conduct element.\n".into()),
        (
            "cases/corr.md",
            "+++\nname = \"Corr v IBC Vehicles Ltd\"\ncitation = \"[2008] UKHL 13, [2008] 1 AC 884\"\ncourt = \"HL\"\nshort-name = \"Corr\"\n+++\n\n## Facts\nF.\n\n## Held\nH.\n\n## Principle\nSuicide did not break the chain of causation. Second sentence.\n".into(),
        ),
        (
            "cases/page.md",
            "+++\nname = \"Page v Smith\"\ncitation = \"[1996] AC 155\"\ncourt = \"HL\"\nshort-name = \"Page\"\nsummary = \"Primary victims need only foresee personal injury.\"\n+++\n\n## Facts\nF.\n\n## Held\nH.\n\n## Principle\nP.\n".into(),
        ),
        (
            "legislation/theft-act-1968.md",
            "+++\ntitle = \"Theft Act 1968\"\nkind = \"act\"\n+++\n\n## s 1 Basic definition of theft\nText one.\n\n## s 3 Appropriates\nText three.\n\n## s 12 Taking\nText twelve.\n\n## s 3A Imaginary\nText.\n".into(),
        ),
    ];
    for (rel, text) in files {
        let p = d.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    Ws(d)
}

fn cites(events: &[Event]) -> Vec<(String, Option<String>, Option<u32>)> {
    let mut out = Vec::new();
    for e in events {
        if let Event::Cite(c) = e {
            for item in &c.items {
                out.push((plain(&item.text), item.note.as_ref().map(|n| plain(n)), c.footnote));
            }
        }
    }
    out
}

fn load(ws: &Ws) -> (casebook::model::Corpus, String) {
    let (w, corpus, mut diags) = check(&ws.0, &ResolveOptions::default()).unwrap();
    diags.finish();
    (corpus, casebook::diag::to_human_string(&w.db, &diags))
}

#[test]
fn inline_mode_full_then_short_and_again_in_a_new_chapter() {
    let ws = workspace("inline", "inline", "# One\n\nFirst [@corr, [14]]. Then [@corr, [16]] and [@page, 165]. [@theft-act-1968, s 1(1)] then [@theft-act-1968, s 3].\n");
    let (corpus, diags) = load(&ws);
    assert!(diags.is_empty(), "{diags}");
    let g = &corpus.guides[0];
    assert_eq!(
        cites(&g.chapters[0].body),
        vec![
            ("Corr v IBC Vehicles Ltd [2008] UKHL 13, [2008] 1 AC 884 [14]".into(), None, None),
            ("Corr [16]".into(), None, None),
            ("Page v Smith [1996] AC 155 (HL) 165".into(), None, None),
            ("Theft Act 1968, s 1(1)".into(), None, None),
            ("Theft Act 1968, s 3".into(), None, None),
        ]
    );
    // A new chapter starts again with full citations.
    assert_eq!(cites(&g.chapters[1].body)[0].0, "Corr v IBC Vehicles Ltd [2008] UKHL 13, [2008] 1 AC 884");
    // Every place is recorded, with anchors unique in the guide.
    let corr = Authority::Case(casebook::model::CaseIdx(0));
    let places = &g.citations[&corr];
    assert_eq!(places.len(), 3);
    assert_eq!(places[2].chapter, 1);
    let mut anchors: Vec<_> = g.citations.values().flatten().map(|p| p.anchor.clone()).collect();
    let n = anchors.len();
    anchors.sort();
    anchors.dedup();
    assert_eq!(anchors.len(), n);
    // Provisions cited, in numeric order.
    let provs: Vec<String> = g.provisions_cited.values().next().unwrap().iter().map(|(p, _)| p.display()).collect();
    assert_eq!(provs, vec!["s 1(1)", "s 3"]);
    // The key cases table lists the cases in order of first citation, with their one-line principle.
    let key: Vec<&str> = g.chapters[0].key_cases.iter().map(|c| corpus.case(*c).id.as_str()).collect();
    assert_eq!(key, vec!["corr", "page"]);
    assert_eq!(corpus.case(g.chapters[0].key_cases[0]).summary, "Suicide did not break the chain of causation.");
    assert_eq!(corpus.case(g.chapters[0].key_cases[1]).summary, "Primary victims need only foresee personal injury.");
}

#[test]
fn footnote_mode_numbers_ibid_and_n_x() {
    let ws = workspace(
        "footnotes",
        "footnotes",
        "# One\n\nA[^a] then [@corr, [14]]. Ibid next [@corr, [16]]. Other [@page]. Back [@corr]. Both [@corr; @page]. Then [@corr] and [@theft-act-1968, s 1]. Again [@theft-act-1968, s 1]. Then [@theft-act-1968, s 3]. Back [@corr] and [@theft-act-1968, s 3].\n\n[^a]: A plain note.\n",
    );
    let (corpus, diags) = load(&ws);
    assert!(diags.is_empty(), "{diags}");
    let c = cites(&corpus.guides[0].chapters[0].body);
    let expect: Vec<(String, Option<String>, Option<u32>)> = vec![
        ("Corr v IBC Vehicles Ltd".into(), Some("Corr v IBC Vehicles Ltd [2008] UKHL 13, [2008] 1 AC 884 [14]".into()), Some(2)),
        ("Corr".into(), Some("Ibid [16]".into()), Some(3)),
        ("Page v Smith".into(), Some("Page v Smith [1996] AC 155 (HL)".into()), Some(4)),
        ("Corr".into(), Some("Corr (n 2)".into()), Some(5)),
        ("Corr".into(), Some("Corr (n 2)".into()), Some(6)),
        ("Page".into(), Some("Page (n 4)".into()), Some(6)),
        // After a footnote citing two sources, never ibid.
        ("Corr".into(), Some("Corr (n 2)".into()), Some(7)),
        // Legislation goes to the footnote too: full the first time in the chapter,
        // ibid for the same provision alone, short otherwise, never `(n X)`. The
        // text names the instrument and provision.
        ("Theft Act 1968, s 1".into(), Some("Theft Act 1968, s 1".into()), Some(8)),
        ("Theft Act 1968, s 1".into(), Some("Ibid".into()), Some(9)),
        ("Theft Act 1968, s 3".into(), Some("Theft Act 1968, s 3".into()), Some(10)),
        ("Corr".into(), Some("Corr (n 2)".into()), Some(11)),
        ("Theft Act 1968, s 3".into(), Some("Theft Act 1968, s 3".into()), Some(12)),
    ];
    assert_eq!(c, expect);
    assert_eq!(corpus.guides[0].chapters[0].footnote_count, 12);
}

#[test]
fn callouts_in_both_shapes_panels_and_targets() {
    let ws = workspace(
        "callouts",
        "inline",
        "+++\nkey-terms = [\"omission\", \"Actus reus\", \"Causation\"]\n+++\n\n# One\n\n> [!NOTE]\n> GitHub alert.\n\n> [!Tip] With a title\n> Body.\n\n> [!rule] No liability\n> Acts only.\n\n> [!exception] Duty\n> One.\n\n> [!exception] Contract\n> Two.\n\n> [!case] corr\n> Concept.\n\n> [!statute] theft-act-1968 s 1\n> Concept.\n\n> [!definition] Causation\n> Linking conduct to result.\n\n> [!step]\n> One.\n\n> [!step]\n> Two.\n\n> Plain quote, [!not a marker].\n",
    );
    let (corpus, diags) = load(&ws);
    assert!(diags.is_empty(), "{diags}");
    let ch = &corpus.guides[0].chapters[0];
    let callouts: Vec<(CalloutKind, String)> = ch
        .body
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Callout(c)) => Some((c.kind, c.title.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        callouts,
        vec![
            (CalloutKind::Note, String::new()),
            (CalloutKind::Tip, "With a title".into()),
            (CalloutKind::Rule, "No liability".into()),
            (CalloutKind::Exception, "Duty".into()),
            (CalloutKind::Exception, "Contract".into()),
            (CalloutKind::Case, "corr".into()),
            (CalloutKind::Statute, "theft-act-1968 s 1".into()),
            (CalloutKind::Definition, "Causation".into()),
            (CalloutKind::Step, String::new()),
            (CalloutKind::Step, String::new()),
        ]
    );
    // One panel around the rule and both exceptions.
    let panels = ch.body.iter().filter(|e| matches!(e, Event::Start(Tag::RulePanel))).count();
    assert_eq!(panels, 1);
    let at = ch.body.iter().position(|e| matches!(e, Event::Start(Tag::RulePanel))).unwrap();
    assert!(matches!(&ch.body[at + 1], Event::Start(Tag::Callout(c)) if c.kind == CalloutKind::Rule));
    // Targets and step numbers resolved.
    let mut steps = Vec::new();
    for e in &ch.body {
        if let Event::Start(Tag::Callout(c)) = e {
            match c.kind {
                CalloutKind::Case => assert!(matches!(c.target, Some(CalloutTarget::Case(_)))),
                CalloutKind::Statute => assert!(matches!(&c.target, Some(CalloutTarget::Provision(_, Some(p))) if p.display() == "s 1")),
                CalloutKind::Step => steps.push(c.step),
                CalloutKind::Definition => assert!(c.term.is_some()),
                _ => {}
            }
        }
    }
    assert_eq!(steps, vec![Some(1), Some(2)]);
    // The header line is not left in the body; the plain quote stays a quote.
    assert!(!ch.body.iter().any(|e| matches!(e, Event::Text(t) if t.trim_start().starts_with("[!"))));
    assert!(ch.body.iter().any(|e| matches!(e, Event::Start(Tag::BlockQuote))));
    // Key terms resolve case-insensitively, against the glossary and definition callouts.
    let names: Vec<&str> = ch.key_terms.iter().map(|t| corpus.term(*t).name.as_str()).collect();
    assert_eq!(names, vec!["Omission", "Actus reus", "Causation"]);
    assert_eq!(corpus.guides[0].terms.len(), 3);
}

#[test]
fn escaped_and_code_citations_are_text() {
    let ws = workspace("escaped", "inline", "# One\n\nNot a cite: \\[@corr] and `[@corr]`.\n\n```\n[@corr]\n```\n");
    let (corpus, diags) = load(&ws);
    assert!(diags.is_empty(), "{diags}");
    assert!(cites(&corpus.guides[0].chapters[0].body).is_empty());
}

#[test]
fn first_sentence_skips_abbreviations() {
    use casebook::resolve::first_sentence;
    assert_eq!(first_sentence("In R v G. Smith the rule applied. More."), "In R v G. Smith the rule applied.");
    assert_eq!(first_sentence("Under s. 1 it is theft. Yes."), "Under s. 1 it is theft.");
    assert_eq!(first_sentence("One sentence only"), "One sentence only");
}

fn add(ws: &Ws, rel: &str, text: &str) {
    let p = ws.0.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn add_old_cases(ws: &Ws) {
    add(
        ws,
        "cases/hadley.md",
        "+++\nname = \"Hadley v Baxendale\"\ncitation = \"(1854) 9 Exch 341, 156 ER 145\"\ncourt = \"Exch\"\nshort-name = \"Hadley\"\n+++\n\n## Facts\nF.\n\n## Held\nH.\n\n## Principle\nP.\n",
    );
    add(
        ws,
        "cases/cape.md",
        "+++\nname = \"Attorney General v Jonathan Cape Ltd\"\ncitation = \"[1976] QB 752\"\ncourt = \"QB\"\nshort-name = \"Jonathan Cape\"\n+++\n\n## Facts\nF.\n\n## Held\nH.\n\n## Principle\nP.\n",
    );
}

/// Issue 7, section 3: an English Reports parallel citation, the court bracket after
/// a QB report, and pinpoint lists, through resolution with no diagnostic.
#[test]
fn english_reports_court_bracket_and_pinpoint_lists() {
    let ws = workspace(
        "oscola-inline",
        "inline",
        "# One\n\nSee [@hadley, 151]. Then [@cape, 770]; [@corr, [42], [45]] and [@page, 530–31, 534]. Again [@hadley, 151, 153] and [@corr, [42]-[45], [50]].\n",
    );
    add_old_cases(&ws);
    let (corpus, diags) = load(&ws);
    assert!(diags.is_empty(), "{diags}");
    let g = &corpus.guides[0];
    let printed: Vec<String> = cites(&g.chapters[0].body).into_iter().map(|c| c.0).collect();
    assert_eq!(
        printed,
        vec![
            "Hadley v Baxendale (1854) 9 Exch 341, 156 ER 145, 151",
            "Attorney General v Jonathan Cape Ltd [1976] QB 752 (QB) 770",
            "Corr v IBC Vehicles Ltd [2008] UKHL 13, [2008] 1 AC 884 [42], [45]",
            "Page v Smith [1996] AC 155 (HL) 530–31, 534",
            "Hadley 151, 153",
            "Corr [42]–[45], [50]",
        ]
    );
    // The table of cases, in filing order, with the entries both editions print.
    let table: Vec<String> = casebook::render::table_of_cases(&corpus, g)
        .iter()
        .map(|e| plain(&casebook::oscola::case_table_entry(&corpus.case(e.case).info)))
        .collect();
    assert_eq!(
        table,
        vec![
            "Attorney General v Jonathan Cape Ltd [1976] QB 752 (QB)",
            "Corr v IBC Vehicles Ltd [2008] UKHL 13, [2008] 1 AC 884",
            "Hadley v Baxendale (1854) 9 Exch 341, 156 ER 145",
            "Page v Smith [1996] AC 155 (HL)",
        ]
    );
}

#[test]
fn pinpoint_lists_in_footnotes() {
    let ws = workspace(
        "oscola-notes",
        "footnotes",
        "# One\n\nA [@cape, 770]. B [@cape, 771, 773]. C [@hadley, 151-52]. D [@cape, 775–76, 780].\n",
    );
    add_old_cases(&ws);
    let (corpus, diags) = load(&ws);
    assert!(diags.is_empty(), "{diags}");
    let notes: Vec<(Option<String>, Option<u32>)> =
        cites(&corpus.guides[0].chapters[0].body).into_iter().map(|c| (c.1, c.2)).collect();
    assert_eq!(
        notes,
        vec![
            (Some("Attorney General v Jonathan Cape Ltd [1976] QB 752 (QB) 770".into()), Some(1)),
            (Some("Ibid 771, 773".into()), Some(2)),
            (Some("Hadley v Baxendale (1854) 9 Exch 341, 156 ER 145, 151–52".into()), Some(3)),
            (Some("Jonathan Cape (n 1) 775–76, 780".into()), Some(4)),
        ]
    );
}

/// A bad item of a pinpoint list is reported at its own column.
#[test]
fn a_bad_pinpoint_list_item_is_reported_where_it_is() {
    let line = "Bad [@corr, [14], 15] and [@page, 530, p 534] and [@corr, [14],].";
    let ws = workspace("oscola-bad-list", "inline", &format!("# One\n\n{line}\n"));
    let (_, diags) = load(&ws);
    let col = |needle: &str| line.find(needle).unwrap() + 1;
    for (at, message) in [
        (col("15]"), "a pinpoint list mixes paragraphs and pages"),
        (col("p 534"), "not one of the pages in the list"),
        (col(",]."), "empty item in a pinpoint list"),
    ] {
        let place = format!("g/one.md:3:{at}");
        assert!(diags.contains(&place), "no diagnostic at {place}:\n{diags}");
        assert!(diags.contains(message), "{message}:\n{diags}");
    }
    assert_eq!(diags.matches("error[bad-locator]").count(), 3, "{diags}");
}
