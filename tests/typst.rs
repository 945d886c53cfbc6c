//! The Typst writer: unit tables of Markdown in, generated Typst out; a
//! snapshot of a fixture chapter; and proof that any text prints literally
//! (a table of nasty cases and a property test over arbitrary Unicode).

use std::path::PathBuf;

use casebook::model::{Event, Tag};
use casebook::render::typst::{escape, generate, pdf, DEFAULT_TEMPLATE};
use casebook::resolve::{check, ResolveOptions};
use proptest::prelude::*;
use support::copy_dir;

mod support;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/typst-fixture")
}

/// The generated Typst of the fixture's first chapter.
fn fixture_chapter() -> String {
    let (_ws, corpus, diags) = check(&fixture(), &ResolveOptions::default()).unwrap();
    assert!(!diags.has_errors());
    let guide = &corpus.guides[0];
    let generated = generate(&corpus, guide, DEFAULT_TEMPLATE);
    generated.files["/__casebook__/chapters/ch01-one.typ"].text.clone()
}

/// The chapter's markup without its page marks (`#metadata("ch:0:b:4") <cb-pb>`,
/// where printed pages may begin), and how many there were.
fn without_page_marks(typ: &str) -> (String, usize) {
    let mut out = String::new();
    let mut rest = typ;
    let mut n = 0;
    while let Some(at) = rest.find("#metadata(\"") {
        let end = rest[at..].find("<cb-pb>").map(|e| at + e + "<cb-pb>".len());
        match end {
            Some(end) if !rest[at..end].contains('\n') => {
                out.push_str(&rest[..at]);
                rest = &rest[end..];
                n += 1;
            }
            _ => {
                out.push_str(&rest[..at + 1]);
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    (out, n)
}

#[test]
fn writer_table() {
    let (typ, marks) = without_page_marks(&fixture_chapter());
    // Paragraphs, headings, lists and their items, callouts, tables: each marked once.
    assert!(marks >= 20, "{marks} page marks");
    assert!(fixture_chapter().contains("#metadata(\"ch:0:b:0\") <cb-pb>"));
    let table: &[(&str, &str)] = &[
        ("emphasis", "#emph[#\"emphasis\";]"),
        ("strong", "#strong[#\"strong\";]"),
        ("strikethrough", "#strike[#\"struck\";]"),
        ("code span", "#raw(\"code\");"),
        ("external link, URL kept whole", "#link(\"https://example.com/a_(b)\")[#\"link\";]"),
        ("link to another chapter's heading", "#link(<ch02-two--target>)[#\"a chapter\";]"),
        ("hard break", "#\"A hard\";#linebreak();#\"break"),
        ("footnote printed where referenced", "#footnote[#\"The note’s text.\";] <fn-ch01-one-n>"),
        ("heading with explicit id, under the chapter title", "#heading(level: 2)[#\"Lists\";] <ch01-one--lists>"),
        ("bullet list", "#list([#\"first\";], [#\"second\";"),
        ("nested numbered list", "#enum(start: 1, [#\"nested\";], )"),
        ("numbered list with its start", "#enum(start: 3, [#\"three\";], [#\"four\";], )"),
        ("block quote", "#cb-quote[#\"A quote.\";"),
        ("table with alignment and a header", "#cb-table(columns: 2, align: (left, right), table.header([#\"Left\";], [#\"Right\";], ), [#\"a\";], [#\"b\";], )"),
        ("definition list", "#terms(terms.item([#\"Term\";], [#\"Its definition.\";]), )"),
        ("thematic break", "#cb-rule()"),
        ("code block with language", "#raw(block: true, lang: \"rust\", \"fn main() {}\")"),
        ("first citation in full, linked, labelled", "#link(<case-corr>)[#emph[#\"Corr v IBC Vehicles Ltd\";]#\" [2008] UKHL 13, [2008] 1 AC 884 [14]\";]<cite-1-1>"),
        ("later citation short", "#link(<case-corr>)[#emph[#\"Corr\";]]<cite-1-2>"),
        ("legislation with provision", "#link(<toc-leg-theft-act-1968>)[#\"Theft Act 1968, s 1(1)\";]<cite-1-3>"),
        ("rule and exception panel", "#cb-rule-panel[#cb-callout(\"rule\", title: \"No liability\")["),
        ("exception inside the panel", "#cb-callout(\"exception\", title: \"Duty\")["),
        ("case side by side", "#cb-side(kind: \"case\", heading: [#emph[#\"Corr v IBC Vehicles Ltd\";]], target: <case-corr>, aside: [#cb-aside-citation[#\"[2008] UKHL 13, [2008] 1 AC 884\";]"),
        ("statute side by side", "#cb-side(kind: \"statute\", heading: [#\"Theft Act 1968, s 1\";], target: <toc-leg-theft-act-1968>"),
        ("image made in the chapter with alt text", "#cb-image(image(\"/g/pic.png\", alt: \"A tiny picture\"))"),
        ("diagram with caption and alt", "caption: \"Tiny\", alt: \"Two boxes.\""),
        ("nasty text is one string literal", "#\"Nasty: #set page(width: 1cm) $x^2$ @label <angle> // no comment /* none */ \\\\ back\";"),
        ("key terms box", "key-terms: ((name: \"Omission\", anchor: \"term-omission\", target: <term-omission>, def: [#\"A failure to act.\";]), )"),
        ("key cases table", "#cb-key-cases(((name: [#emph[#\"Corr v IBC Vehicles Ltd\";]], citation: \"[2008] UKHL 13, [2008] 1 AC 884\""),
    ];
    let mut failures = Vec::new();
    for (what, expected) in table {
        if !typ.contains(expected) {
            failures.push(format!("{what}: expected `{expected}`"));
        }
    }
    assert!(failures.is_empty(), "{}\n--- generated ---\n{typ}", failures.join("\n"));
    // The title heading is printed by the template, not repeated from the Markdown.
    assert!(!typ.contains("#heading(level: 1)"), "{typ}");
}

#[test]
fn fixture_chapter_snapshot() {
    insta::assert_snapshot!("fixture-chapter", fixture_chapter());
}

#[test]
fn footnote_mode_puts_the_citation_in_a_footnote() {
    let dir = std::env::temp_dir().join(format!("casebook-typst-fn-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&fixture(), &dir);
    let manifest = std::fs::read_to_string(dir.join("casebook.toml")).unwrap().replace("citations = \"inline\"", "citations = \"footnotes\"");
    std::fs::write(dir.join("casebook.toml"), manifest).unwrap();
    let (_ws, corpus, _) = check(&dir, &ResolveOptions::default()).unwrap();
    let typ = generate(&corpus, &corpus.guides[0], DEFAULT_TEMPLATE).files["/__casebook__/chapters/ch01-one.typ"].text.clone();
    assert!(
        typ.contains("#link(<case-corr>)[#emph[#\"Corr v IBC Vehicles Ltd\";]]<cite-1-1>#footnote[#emph[#\"Corr v IBC Vehicles Ltd\";]#\" [2008] UKHL 13, [2008] 1 AC 884 [14]\";#\".\";]"),
        "{typ}"
    );
    assert!(typ.contains("<cite-1-2>#footnote[#\"Ibid\";#\".\";]"), "{typ}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Compiles `text` as a paragraph written by the writer and returns what the document shows.
fn shown(text: &str) -> String {
    let body = format!("{}\n", escape::text(text));
    let doc = pdf::compile_snippet(&fixture(), &body).unwrap_or_else(|e| panic!("{text:?} failed to compile: {e}"));
    pdf::plain_text(&doc)
}

/// Text without white space and without default-ignorable code points: line
/// breaking decides where spaces fall in the laid-out document, and invisible
/// format characters (variation selectors, joiners, soft hyphens) are consumed
/// by shaping; every other character is compared, in order.
fn norm(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && !default_ignorable(*c)).collect()
}

fn default_ignorable(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
}

#[test]
fn nasty_text_prints_literally() {
    let nasty = [
        "#set page(width: 1cm)",
        "$x^2$ and $$",
        "*not bold* _not emph_",
        "@label and user@example.com",
        "<angle> <script>alert(1)</script>",
        "`tick` ``double``",
        "\\ back \\\\ slash \\",
        "// not a comment",
        "/* not a comment */",
        "= not a heading",
        "- not a list",
        "+ not an enum",
        "1999. not a list",
        "/ term: not a term list",
        "https://example.com/a_(b)[c]",
        "~tilde~ and -- and --- and ... and -?",
        "\"quotes\" and 'single'",
        "#{ panic() }",
        "#import \"@preview/x:1.0.0\": *",
        "[brackets] ]unbalanced[",
        "a;b#\"c\";d",
        "Cafe\u{301} na\u{303}o Œuvre ß ǅ A\u{30d}A",
        "ກຳ ກຳ ກຳ",
        "中文 日本語 한국어 Ελληνικά Кириллица",
    ];
    for s in nasty {
        assert_eq!(norm(&shown(s)), norm(s), "for {s:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Whatever a source field holds, the compiled document shows exactly it.
    /// (Right-to-left scripts are reordered by layout, so they are left to
    /// the table above.)
    #[test]
    fn any_text_prints_literally(s in "[\\PC&&[^\\u{0590}-\\u{08FF}\\u{FB1D}-\\u{FDFF}\\u{FE70}-\\u{FEFF}\\u{10800}-\\u{10FFF}\\u{1E800}-\\u{1EFFF}]]{0,40}") {
        prop_assert_eq!(norm(&shown(&s)), norm(&s));
    }
}

#[test]
fn writer_emits_balanced_markup_for_every_event_kind() {
    // Every chapter of the sample guides compiles, so every construct the
    // writer emits is valid Typst.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("guides");
    let (_ws, corpus, _) = check(&root, &ResolveOptions::default()).unwrap();
    let mut kinds = std::collections::BTreeSet::new();
    for g in &corpus.guides {
        for ch in &g.chapters {
            for e in &ch.body {
                if let Event::Start(t) = e {
                    kinds.insert(format!("{:?}", std::mem::discriminant(t)));
                }
                if let Event::Start(Tag::Callout(c)) = e {
                    kinds.insert(c.kind.name().to_owned());
                }
            }
        }
    }
    // All nineteen callout kinds appear in the sample guides.
    for (_, name) in casebook::model::CalloutKind::ALL {
        assert!(kinds.contains(name), "callout kind {name} unused in guides/");
    }
}

/// `check` knows the font families without the typesetter (`casebook::fonts`);
/// it must name them exactly as Typst does, for the built-in fonts and for a
/// workspace's own.
#[test]
fn check_names_font_families_as_typst_does() {
    use casebook::fonts::{families_of, WorkspaceFonts, BUILTIN_FAMILIES};
    use casebook::render::typst::compiler::Typesetter;
    let none = WorkspaceFonts::default();
    let typst_view = Typesetter::new(&fixture(), &none).families();
    assert_eq!(typst_view, BUILTIN_FAMILIES.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert_eq!(none.families(), typst_view);
    for (font, info) in typst_kit::fonts::embedded() {
        // Typst renames a few fonts by a table of its own (NewComputerModernMath);
        // the built-in list carries their names.
        let ours = families_of(font.data().as_slice());
        assert!(ours.contains(&info.family) || BUILTIN_FAMILIES.contains(&info.family.as_str()), "{} is not among {ours:?}", info.family);
    }
    // A workspace with its own fonts (the bundled Inter files under other names).
    let dir = std::env::temp_dir().join(format!("casebook-fonts-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("fonts")).unwrap();
    for entry in std::fs::read_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fonts")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "otf") {
            std::fs::copy(&path, dir.join("fonts").join(format!("my-{}", path.file_name().unwrap().to_string_lossy()))).unwrap();
        }
    }
    std::fs::write(dir.join("fonts/not-a-font.ttf"), b"garbage").unwrap();
    let own = WorkspaceFonts::load(&dir);
    assert_eq!(own.files.len(), 7);
    let typst_families = Typesetter::new(&dir, &own).families();
    for family in &typst_families {
        assert!(own.families().contains(family), "{family} is known to Typst but not to check");
    }
    let again = WorkspaceFonts::load_if_changed(&dir, Some(own.clone()));
    assert_eq!(again.fingerprint, own.fingerprint);
    std::fs::remove_file(dir.join("fonts/not-a-font.ttf")).unwrap();
    let changed = WorkspaceFonts::load_if_changed(&dir, Some(own.clone()));
    assert_ne!(changed.fingerprint, own.fingerprint, "removing a font file changes the fingerprint");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A long appendix of case summaries (100 cases or more) is divided by initial
/// letter: each letter a bookmarked heading on a new page (the first right
/// under "Case summaries"), in table-of-cases order; a short one is not.
#[test]
fn long_appendices_are_divided_by_letter() {
    let dir = std::env::temp_dir().join(format!("casebook-letters-{}", std::process::id()));
    let st = std::process::Command::new("python3")
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench/generate.py"))
        .arg(&dir)
        .args(["--cases", "150", "--guides", "1", "--chapters", "3"])
        .output()
        .expect("python3 runs");
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    let (_ws, corpus, diags) = check(&dir, &ResolveOptions::default()).unwrap();
    assert!(!diags.has_errors());
    let guide = &corpus.guides[0];
    let sections = casebook::render::appendix_sections(&corpus, guide);
    assert!(sections.len() > 5, "{} sections", sections.len());
    let back = &generate(&corpus, guide, DEFAULT_TEMPLATE).files["/__casebook__/back.typ"].text;
    let calls: Vec<&str> = back.lines().filter(|l| l.starts_with("#cb-summaries-letter(")).collect();
    assert_eq!(calls.len(), sections.len());
    assert!(calls[0].ends_with("new-page: false)") && calls[1..].iter().all(|c| c.ends_with("new-page: true)")), "{calls:?}");
    let letters: Vec<char> = sections.iter().map(|(l, _)| l.unwrap()).collect();
    let mut sorted = letters.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(letters, sorted, "one section per letter, in order");
    assert_eq!(sections.iter().map(|(_, c)| c.len()).sum::<usize>(), guide.cases_cited().len());
    let _ = std::fs::remove_dir_all(&dir);

    // The sample guides' appendices are short: one section, no letters.
    let (_ws, corpus, _) = check(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("guides"), &ResolveOptions::default()).unwrap();
    for g in &corpus.guides {
        assert!(casebook::render::appendix_sections(&corpus, g).iter().all(|(l, _)| l.is_none()), "{}", g.id);
    }
}
