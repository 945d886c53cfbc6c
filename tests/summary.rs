//! End-to-end tests of the condensed edition (`casebook build --format
//! summary`, `<id>-summary.pdf`), checked from the outside with poppler-utils
//! (`pdftotext`, `pdfinfo`) and `qpdf`, against what the library resolves
//! from the same sources.
//!
//! The sample guides are copied to a temporary folder and built once per run,
//! as summaries and as guides (to compare their lengths); the other tests
//! build small workspaces written here. A missing tool fails the test: these
//! checks are never skipped.
//!
//! Run with `cargo test --release --test summary`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use casebook::model::{CalloutKind, Corpus, Event, Guide, Tag};
use support::{bin, describe, text, bookmarks, copy_dir, repo, shared_temp_dir, tool, tool_ok, TempDir};

mod support;

const SAMPLE_GUIDES: [&str; 3] = ["criminal-law", "international-law", "public-law"];

/// The callouts the summary keeps whole (issue 9, section 3; `extra-marks`
/// is exam advice like `exam-tip` and `pitfall`).
const KEPT: [CalloutKind; 7] = [
    CalloutKind::Rule,
    CalloutKind::Exception,
    CalloutKind::Summary,
    CalloutKind::Checklist,
    CalloutKind::ExamTip,
    CalloutKind::Pitfall,
    CalloutKind::ExtraMarks,
];

// ---------------------------------------------------------------------------
// Running things.
// ---------------------------------------------------------------------------

/// `casebook build WS --out OUT ARGS…`.
fn build(ws: &Path, out: &Path, args: &[&str]) -> Output {
    bin().arg("build").arg(ws).arg("--out").arg(out).args(args).output().expect("the casebook binary runs")
}

fn assert_built(out: &Output) {
    assert_eq!(out.status.code(), Some(0), "the build failed: {}", describe(out));
}

/// A copy of the sample workspace in a temporary folder.
fn sample_workspace(tmp: &TempDir) -> PathBuf {
    let ws = tmp.join("guides");
    copy_dir(&repo().join("guides"), &ws);
    ws
}

/// The folder holding `<guide>.pdf` and `<guide>-summary.pdf` of every
/// sample guide, built on first use from a copy of the samples.
fn samples() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = shared_temp_dir("summary-samples");
        let _ = std::fs::remove_dir_all(&dir);
        let ws = dir.join("guides");
        copy_dir(&repo().join("guides"), &ws);
        let out = dir.join("out");
        let built = build(&ws, &out, &["--format", "pdf", "--format", "summary"]);
        assert_built(&built);
        assert!(!text(&built.stderr).contains("warning["), "the samples' summaries have warnings: {}", describe(&built));
        for g in SAMPLE_GUIDES {
            assert!(out.join(format!("{g}-summary.pdf")).is_file(), "{g}-summary.pdf was not written: {}", describe(&built));
        }
        out
    })
}

fn summary_pdf(guide: &str) -> PathBuf {
    samples().join(format!("{guide}-summary.pdf"))
}

/// The sample workspace, resolved by the library.
fn sample_corpus() -> Corpus {
    let (_ws, corpus, diags) =
        casebook::resolve::check(&repo().join("guides"), &casebook::resolve::ResolveOptions::default()).expect("the sample workspace loads");
    assert!(!diags.iter().any(|d| d.severity == casebook::diag::Severity::Error), "the sample workspace has errors");
    corpus
}

fn guide<'a>(corpus: &'a Corpus, id: &str) -> &'a Guide {
    corpus.guides.iter().find(|g| g.id == id).unwrap_or_else(|| panic!("no guide {id}"))
}

// ---------------------------------------------------------------------------
// Reading PDFs.
// ---------------------------------------------------------------------------

/// `pdfinfo` as key/value pairs (stderr is not checked: Poppler 22 prints a
/// spurious syntax error for `/Suspects false`).
fn pdfinfo(pdf: &Path) -> std::collections::BTreeMap<String, String> {
    tool_ok("pdfinfo", [pdf.as_os_str()])
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

fn page_count(pdf: &Path) -> usize {
    pdfinfo(pdf)["Pages"].parse().expect("a page count")
}

/// The size of every page in points.
fn page_sizes(pdf: &Path) -> Vec<(f64, f64)> {
    let n = page_count(pdf).to_string();
    let out = tool_ok("pdfinfo", [OsStr::new("-f"), OsStr::new("1"), OsStr::new("-l"), OsStr::new(&n), pdf.as_os_str()]);
    let sizes: Vec<(f64, f64)> = out
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains(" size:"))
        .map(|l| {
            let mut it = l.split_once("size:").unwrap().1.split_whitespace();
            let w: f64 = it.next().unwrap().parse().unwrap();
            it.next();
            let h: f64 = it.next().unwrap().parse().unwrap();
            (w, h)
        })
        .collect();
    assert_eq!(sizes.len(), page_count(pdf), "{out}");
    sizes
}

/// The PDF's text in reading order, [`normalise`]d: page by page, the left
/// half, then the right half (each column on its own: `pdftotext` left to
/// itself may interleave lines of the two columns that share a baseline).
fn pdf_text(pdf: &Path) -> String {
    let mut all = String::new();
    for (i, (w, h)) in page_sizes(pdf).into_iter().enumerate() {
        let page = (i + 1).to_string();
        for x in [0.0, w / 2.0] {
            let (x, width, height) = (format!("{}", x.floor()), format!("{}", (w / 2.0).ceil()), format!("{}", h.ceil()));
            let args = ["-enc", "UTF-8", "-f", &page, "-l", &page, "-x", &x, "-y", "0", "-W", &width, "-H", &height];
            let mut args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
            args.push(pdf.as_os_str());
            args.push(OsStr::new("-"));
            all.push_str(&tool_ok("pdftotext", args));
            all.push('\n');
        }
    }
    normalise(&all)
}

/// The PDF's text as `pdftotext` reads it, whole pages at once, normalised
/// (for one-column pages, and for what spans both columns).
fn whole_text(pdf: &Path) -> String {
    normalise(&tool_ok("pdftotext", [OsStr::new("-enc"), OsStr::new("UTF-8"), pdf.as_os_str(), OsStr::new("-")]))
}

/// Normalises text for matching: words hyphenated at a line end joined
/// (Typst's hyphens come out as U+00AD), curly quotes straight, dashes and
/// spaces of any kind as in the source, runs of white space one space.
fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{AD}' => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
            }
            '\u{2060}' | '\u{200B}' | '\u{FEFF}' => {}
            '\u{2018}' | '\u{2019}' => out.push('\''),
            '\u{201C}' | '\u{201D}' => out.push('"'),
            '\u{A0}' => out.push(' '),
            _ => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `hay` holds `needle`, both normalised; a word broken at a line
/// end by a hard hyphen (`well-\nknown`) matches too.
fn has(hay: &str, needle: &str) -> bool {
    let needle = normalise(needle);
    hay.contains(&needle) || hay.replace("- ", "-").contains(&needle)
}

// ---------------------------------------------------------------------------
// What the sources say the summary holds.
// ---------------------------------------------------------------------------

/// The first `n` words of a block's text, up to the first citation, note,
/// image, diagram or nested box (those print differently in the summary),
/// or `None` when there are fewer.
fn lead(events: &[Event], n: usize) -> Option<String> {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            Event::Start(Tag::Paragraph) | Event::Start(Tag::Item) => s.push(' '),
            Event::Start(Tag::Callout(_)) | Event::Cite(_) | Event::FootnoteRef { .. } | Event::Image(_) | Event::Diagram(_) => break,
            _ => {}
        }
    }
    let words: Vec<&str> = s.split_whitespace().collect();
    (words.len() >= n).then(|| words[..n].join(" "))
}

/// Each callout of the `KEPT` kinds in a chapter body: its title and body.
fn kept_callouts(body: &[Event]) -> Vec<(CalloutKind, String, &[Event])> {
    let mut v = Vec::new();
    let mut i = 0;
    while i < body.len() {
        if let Event::Start(Tag::Callout(c)) = &body[i] {
            if KEPT.contains(&c.kind) {
                let end = casebook::model::matching_end(body, i);
                v.push((c.kind, c.title.clone(), &body[i + 1..end]));
                i = end + 1;
                continue;
            }
        }
        i += 1;
    }
    v
}

/// The running prose of a chapter: its paragraphs outside any box, list or
/// table (at the top level of the body).
fn prose_paragraphs(body: &[Event]) -> Vec<&[Event]> {
    let mut v = Vec::new();
    let mut i = 0;
    while i < body.len() {
        match &body[i] {
            Event::Start(Tag::Paragraph) => {
                let end = casebook::model::matching_end(body, i);
                v.push(&body[i + 1..end]);
                i = end + 1;
            }
            Event::Start(_) => i = casebook::model::matching_end(body, i) + 1,
            _ => i += 1,
        }
    }
    v
}

// ---------------------------------------------------------------------------
// 1. What the summary holds, and what it leaves out.
// ---------------------------------------------------------------------------

#[test]
fn summary_holds_terms_rules_tips_cases_and_diagrams_but_no_prose() {
    let corpus = sample_corpus();
    let mut checked = [0usize; 6];
    for g in SAMPLE_GUIDES {
        let guide = guide(&corpus, g);
        let summary = pdf_text(&summary_pdf(g));
        let mut missing = Vec::new();
        let mut present = Vec::new();
        for ch in &guide.chapters {
            if !has(&summary, &ch.title) {
                missing.push(format!("chapter title {:?}", ch.title));
            }
            checked[0] += 1;
            // Key terms (the opening box's and the definition callouts'), each with its definition.
            let mut terms = ch.key_terms.clone();
            for e in &ch.body {
                if let Event::Start(Tag::Callout(c)) = e {
                    if let (CalloutKind::Definition, Some(t)) = (c.kind, c.term) {
                        terms.push(t);
                    }
                }
            }
            for t in terms {
                let term = corpus.term(t);
                if !has(&summary, &term.name) {
                    missing.push(format!("{}: key term {:?}", ch.slug, term.name));
                }
                if let Some(def) = lead(&term.definition, 5) {
                    if !has(&summary, &def) {
                        missing.push(format!("{}: the definition of {:?} ({def:?}…)", ch.slug, term.name));
                    }
                    checked[1] += 1;
                }
            }
            // Key cases: name, citation's report, principle.
            for c in &ch.key_cases {
                let case = corpus.case(*c);
                if !has(&summary, &case.info.name) {
                    missing.push(format!("{}: key case {:?}", ch.slug, case.info.name));
                }
                let principle: String = case.summary.split_whitespace().take(6).collect::<Vec<_>>().join(" ");
                if !has(&summary, &principle) {
                    missing.push(format!("{}: the principle of {:?} ({principle:?}…)", ch.slug, case.info.name));
                }
                checked[2] += 1;
            }
            // Rules, exceptions, summaries, checklists and exam advice: title and opening words.
            for (kind, title, body) in kept_callouts(&ch.body) {
                if !title.is_empty() && !has(&summary, &title) {
                    missing.push(format!("{}: the {} titled {title:?}", ch.slug, kind.name()));
                }
                if let Some(words) = lead(body, 5) {
                    if !has(&summary, &words) {
                        missing.push(format!("{}: the {} text {words:?}…", ch.slug, kind.name()));
                    }
                }
                checked[3] += 1;
            }
            // Diagrams, by caption.
            for e in &ch.body {
                if let Event::Diagram(d) = e {
                    let caption = d.title.as_deref().expect("the samples' diagrams have captions");
                    if !has(&summary, caption) {
                        missing.push(format!("{}: the diagram {caption:?}", ch.slug));
                    }
                    checked[4] += 1;
                }
            }
            // No running prose (twelve words: a paragraph may open as a
            // case's principle does).
            for p in prose_paragraphs(&ch.body) {
                if let Some(words) = lead(p, 12) {
                    if has(&summary, &words) {
                        present.push(format!("{}: {words:?}…", ch.slug));
                    }
                    checked[5] += 1;
                }
            }
        }
        assert!(missing.is_empty(), "{g}-summary.pdf lacks:\n{}", missing.join("\n"));
        assert!(present.is_empty(), "{g}-summary.pdf prints running prose:\n{}", present.join("\n"));
    }
    // The checks above ran on real content.
    assert!(checked.iter().all(|n| *n >= 5), "too little was checked: {checked:?}");

    // A sentence of plain body text: in the guide, not in the summary.
    let sentence = "The actus reus of an offence is made up of its conduct, circumstance and consequence elements.";
    assert!(has(&whole_text(&samples().join("criminal-law.pdf")), sentence), "the guide no longer has the sentence this test looks for");
    assert!(!has(&pdf_text(&summary_pdf("criminal-law")), sentence), "the summary prints running prose");
    // And a rule panel's and an exam tip's words, with their labels.
    let cl = pdf_text(&summary_pdf("criminal-law"));
    for words in [
        "RULE AND EXCEPTIONS",
        "English law does not punish a failure to act unless the law imposes a duty to act.",
        "EXAM TIP Say which stage of causation is in issue",
        "Examiners reward answers that separate factual from legal causation",
        "KEY TERMS",
        "KEY CASES",
    ] {
        assert!(has(&cl, words), "criminal-law-summary.pdf lacks {words:?}");
    }
}

#[test]
fn citations_print_in_the_text_in_short_form() {
    // International law cites in footnotes; its summary names the case in
    // the text instead, and gives the full citation in the Key cases table.
    let il = pdf_text(&summary_pdf("international-law"));
    assert!(has(&il, "In R v Jones (Margaret) the House of Lords held"), "the case name is not in the text of the exception");
    // A case's report citation is printed once per Key cases table that lists
    // it, and nowhere else: not in the text, not in a footnote.
    let corpus = sample_corpus();
    let mut counted = 0;
    for g in SAMPLE_GUIDES {
        let guide = guide(&corpus, g);
        let summary = pdf_text(&summary_pdf(g));
        for c in guide.cases_cited() {
            let case = corpus.case(c);
            let entry = casebook::oscola::plain(&casebook::oscola::case_table_entry(&case.info));
            let citation = normalise(entry.strip_prefix(&case.info.name).unwrap_or(&entry));
            if citation.len() < 8 {
                continue;
            }
            let tables = guide.chapters.iter().filter(|ch| ch.key_cases.contains(&c)).count();
            let printed = summary.matches(&citation).count();
            assert_eq!(printed, tables, "{g}: {:?} ({citation}) is printed {printed} times, and listed in {tables} Key cases tables", case.info.name);
            counted += 1;
        }
    }
    assert!(counted > 50, "only {counted} cases checked");
    // Method steps of an exam-technique chapter print as a numbered list of their titles.
    let cl = pdf_text(&summary_pdf("criminal-law"));
    assert!(has(&cl, "METHOD 1. Read the question twice 2. Identify the debate"), "the essay method is not listed");
    assert!(!has(&cl, "Read it once for the topic and once for the instruction"), "a step's prose is printed");
}

// ---------------------------------------------------------------------------
// 2. Much shorter than the guide; tagged, outlined, sound.
// ---------------------------------------------------------------------------

#[test]
fn summary_is_short_tagged_outlined_and_passes_qpdf() {
    let corpus = sample_corpus();
    for g in SAMPLE_GUIDES {
        let pdf = summary_pdf(g);
        let guide_pages = page_count(&samples().join(format!("{g}.pdf")));
        let pages = page_count(&pdf);
        assert!(pages * 6 <= guide_pages, "{g}: the summary has {pages} pages, the guide {guide_pages}");
        assert!(pages >= 3, "{g}: only {pages} pages");

        let info = pdfinfo(&pdf);
        assert_eq!(info.get("Tagged").map(String::as_str), Some("yes"), "{g}: not tagged: {info:?}");
        let title = &guide(&corpus, g).title;
        assert_eq!(info.get("Title"), Some(&format!("{title} — Summary")), "{g}: document title");

        let out = tool("qpdf", [OsStr::new("--check"), pdf.as_os_str()]);
        assert_eq!(out.status.code(), Some(0), "{g}: qpdf --check: {}", describe(&out));
        assert!(text(&out.stdout).contains("No syntax or stream encoding errors found"), "{g}: {}", describe(&out));
        assert!(text(&out.stderr).trim().is_empty(), "{g}: qpdf --check warns: {}", describe(&out));

        // One bookmark per chapter, in order, each on a page where its title is.
        let marks = bookmarks(&pdf);
        let titles: Vec<&str> = marks.iter().map(|b| b.title.as_str()).collect();
        let expected: Vec<&str> = guide(&corpus, g).chapters.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, expected, "{g}: bookmarks");
        let texts: Vec<String> = tool_ok("pdftotext", [OsStr::new("-enc"), OsStr::new("UTF-8"), pdf.as_os_str(), OsStr::new("-")])
            .split('\x0c')
            .map(normalise)
            .collect();
        for b in &marks {
            assert!(b.kids.is_empty(), "{g}: {:?} has sub-bookmarks", b.title);
            assert!(has(&texts[b.page], &b.title), "{g}: the bookmark {:?} leads to page {}, which lacks it", b.title, b.page + 1);
        }
        // The title block and page numbers.
        assert!(has(&texts[0], &format!("{title} — Summary")), "{g}: no title block");
        assert!(has(&texts[0], &format!("1 of {pages}")), "{g}: no page number on page 1");
        assert!(has(&texts[pages - 1], &format!("{pages} of {pages}")), "{g}: no page number on the last page");
    }
}

#[test]
fn summary_is_pdf_ua1_when_the_guide_asks_for_it() {
    // public-law sets pdf.standard = "ua-1"; criminal-law does not.
    let ua = std::fs::read(summary_pdf("public-law")).unwrap();
    assert!(String::from_utf8_lossy(&ua).contains("<pdfuaid:part>1</pdfuaid:part>"), "public-law-summary.pdf does not claim PDF/UA-1");
    let plain = std::fs::read(summary_pdf("criminal-law")).unwrap();
    assert!(!String::from_utf8_lossy(&plain).contains("pdfuaid:part"), "criminal-law-summary.pdf claims PDF/UA without asking for it");

    // Every sample guide's summary passes UA-1 export (the workspace default).
    let tmp = TempDir::new("summary-ua1");
    let ws = sample_workspace(&tmp);
    let manifest = ws.join("casebook.toml");
    let m = std::fs::read_to_string(&manifest).unwrap();
    assert!(m.contains("\npdf.paper = \"a4\"\n"), "the sample manifest changed: {m}");
    std::fs::write(&manifest, m.replacen("\npdf.paper = \"a4\"\n", "\npdf.paper = \"a4\"\npdf.standard = \"ua-1\"\n", 1)).unwrap();
    let out_dir = tmp.join("out");
    assert_built(&build(&ws, &out_dir, &["--format", "summary"]));
    for g in SAMPLE_GUIDES {
        let bytes = std::fs::read(out_dir.join(format!("{g}-summary.pdf"))).unwrap();
        assert!(String::from_utf8_lossy(&bytes).contains("<pdfuaid:part>1</pdfuaid:part>"), "{g}: no PDF/UA-1 identification");
    }
}

/// The last line of text of each column of each page (above the footer),
/// from `pdftotext -bbox-layout`: `(page, column, text)`, 1-based pages.
fn column_ends(pdf: &Path) -> Vec<(usize, usize, String)> {
    let out = tool_ok("pdftotext", [OsStr::new("-bbox-layout"), OsStr::new("-enc"), OsStr::new("UTF-8"), pdf.as_os_str(), OsStr::new("-")]);
    let num = |tag: &str, name: &str| -> f64 {
        let key = format!("{name}=\"");
        let start = tag.find(&key).unwrap_or_else(|| panic!("no {name} in {tag}")) + key.len();
        tag[start..start + tag[start..].find('"').unwrap()].parse().unwrap()
    };
    let mut ends = Vec::new();
    for (p, page) in out.split("<page ").skip(1).enumerate() {
        let (w, h) = (num(page, "width"), num(page, "height"));
        // Per column: the lowest line's bottom and words.
        let mut last: [(f64, String); 2] = [(0.0, String::new()), (0.0, String::new())];
        for line in page.split("<line ").skip(1) {
            let (x, y) = (num(line, "xMin"), num(line, "yMax"));
            // The running head is above the text block (1.6 cm), the page
            // number below it.
            if y < 45.0 || y > h - 30.0 {
                continue;
            }
            let words: Vec<&str> = line
                .split("<word ")
                .skip(1)
                .map(|wd| wd.split_once('>').unwrap().1.split_once("</word>").unwrap().0)
                .collect();
            let col = usize::from(x >= w / 2.0);
            if y > last[col].0 {
                last[col] = (y, words.join(" "));
            }
        }
        for (col, (y, text)) in last.into_iter().enumerate() {
            if y > 0.0 {
                ends.push((p + 1, col + 1, text));
            }
        }
    }
    ends
}

#[test]
fn no_label_or_chapter_head_ends_a_column() {
    // Box labels, the panel's header, the Key terms and Key cases labels, a
    // table's header row and a chapter's kicker are kept with what follows.
    let labels = [
        "RULE AND EXCEPTIONS",
        "RULE",
        "EXCEPTION",
        "SUMMARY",
        "CHECKLIST",
        "EXAM TIP",
        "PITFALL",
        "EXTRA MARKS",
        "METHOD",
        "KEY TERMS",
        "KEY CASES",
        "CHAPTER",
        "EXAM TECHNIQUE",
        "ARTICLE",
        "Case Principle",
    ];
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let corpus = sample_corpus();
    let mut columns = 0;
    for g in SAMPLE_GUIDES {
        let titles: Vec<String> = guide(&corpus, g).chapters.iter().map(|c| squash(&c.title)).collect();
        let ends = column_ends(&summary_pdf(g));
        let n = ends.len();
        for (i, (page, col, line)) in ends.into_iter().enumerate() {
            if i + 1 == n {
                continue;
            }
            let l = squash(&line);
            let bad = labels.iter().any(|lb| l == squash(lb) || (l.starts_with(&squash(lb)) && lb.chars().all(|c| !c.is_lowercase())))
                || titles.iter().any(|t| t.ends_with(&l) && l.len() > 8);
            assert!(!bad, "{g}: page {page}, column {col} ends with {line:?}");
            columns += 1;
        }
    }
    assert!(columns > 20, "only {columns} columns looked at");
}

// ---------------------------------------------------------------------------
// 3. Paper and orientation.
// ---------------------------------------------------------------------------

fn assert_pages(pdf: &Path, (w, h): (f64, f64)) {
    for (i, (pw, ph)) in page_sizes(pdf).into_iter().enumerate() {
        assert!((pw - w).abs() < 0.5 && (ph - h).abs() < 0.5, "{}: page {} is {pw} x {ph}, not {w} x {h}", pdf.display(), i + 1);
    }
}

#[test]
fn orientation_option_turns_the_pages() {
    const A4: (f64, f64) = (595.28, 841.89);
    // Portrait by default, and an A5 guide's summary is on A4.
    for g in SAMPLE_GUIDES {
        assert_pages(&summary_pdf(g), A4);
    }
    let tmp = TempDir::new("summary-landscape");
    let ws = sample_workspace(&tmp);
    let toml = ws.join("criminal-law/guide.toml");
    let mut t = std::fs::read_to_string(&toml).unwrap();
    t.push_str("\n[summary]\norientation = \"landscape\"\n");
    std::fs::write(&toml, t).unwrap();
    let out = tmp.join("out");
    let built = build(&ws, &out, &["--guide", "criminal-law", "--format", "summary"]);
    assert_built(&built);
    assert!(!text(&built.stderr).contains("warning["), "the landscape summary has warnings: {}", describe(&built));
    let pdf = out.join("criminal-law-summary.pdf");
    assert_pages(&pdf, (A4.1, A4.0));
    let text = pdf_text(&pdf);
    assert!(has(&text, "Say which stage of causation is in issue"), "the landscape summary lacks an exam tip");

    // US letter (criminal-law takes the workspace default; public-law sets its own).
    let manifest = ws.join("casebook.toml");
    let m = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, m.replacen("pdf.paper = \"a4\"", "pdf.paper = \"us-letter\"", 1)).unwrap();
    let toml = ws.join("public-law/guide.toml");
    let t = std::fs::read_to_string(&toml).unwrap();
    assert!(t.contains("paper = \"a4\""), "public-law's guide.toml changed: {t}");
    std::fs::write(&toml, t.replacen("paper = \"a4\"", "paper = \"us-letter\"", 1)).unwrap();
    assert_built(&build(&ws, &out, &["--guide", "criminal-law", "--guide", "public-law", "--format", "summary"]));
    assert_pages(&out.join("criminal-law-summary.pdf"), (792.0, 612.0));
    assert_pages(&out.join("public-law-summary.pdf"), (612.0, 792.0));
}

// ---------------------------------------------------------------------------
// 4. Reproducible.
// ---------------------------------------------------------------------------

#[test]
fn rebuilds_are_byte_identical() {
    let tmp = TempDir::new("summary-repro");
    let ws = sample_workspace(&tmp);
    let out = tmp.join("out");
    assert_built(&build(&ws, &out, &["--format", "summary", "-j", "1"]));
    for g in SAMPLE_GUIDES {
        let again = std::fs::read(out.join(format!("{g}-summary.pdf"))).unwrap();
        let first = std::fs::read(summary_pdf(g)).unwrap();
        assert!(first == again, "{g}: two builds of the summary differ ({} vs {} bytes)", first.len(), again.len());
    }
}

// ---------------------------------------------------------------------------
// 5. Odd input: empty chapters, boxes holding what the summary does not
//    print, Typst-special text, errors.
// ---------------------------------------------------------------------------

/// Writes a workspace of one guide (`g`) from `(path, text)` pairs.
fn workspace(dir: &Path, files: &[(&str, &str)]) {
    for (path, body) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }
}

const MANIFEST: &str = "[workspace]\npublisher = \"Press\"\nlanguage = \"en-GB\"\nout-dir = \"dist\"\n\n[defaults]\npdf.paper = \"a4\"\ncitations = \"footnotes\"\n";

const CASE: &str = "+++\nname = \"Page v Smith\"\ncitation = \"[1996] AC 155\"\ncourt = \"HL\"\nsummary = \"Primary victims need only foresee personal injury.\"\n+++\n\n## Facts\nF.\n\n## Held\nH.\n\n## Principle\nP.\n";

#[test]
fn every_chapter_is_listed_and_odd_boxes_print() {
    let tmp = TempDir::new("summary-odd");
    let ws = tmp.join("ws");
    let guide = "title = \"Odd Guide\"\ndate = 2026-09-01\nchapters = [\"prose.md\", \"boxes.md\"]\nformats = [\"summary\"]\n[pdf]\nstandard = \"ua-1\"\n";
    let prose = "# Only prose\n\nThis chapter has nothing but a paragraph of running prose.\n\n## A section {#sec}\n\nMore running prose here.\n";
    let boxes = "+++\ntitle = \"Boxes\"\n+++\n\n\
        Running prose that the summary leaves out entirely.\n\n\
        > [!rule] A rule with a note\n\
        > The rule holds, see [the section](prose.md#sec).[^n]\n\
        > [@page-v-smith, 165]\n\n\
        [^n]: A footnote the summary drops.\n\n\
        > [!exception] An exception alone\n\
        > It stands by itself.\n\n\
        > [!summary] Key points\n\
        > ### A heading inside a box\n\
        > - One point\n\
        > - Another point\n\
        >\n\
        > > [!case] page-v-smith\n\
        > > The concept beside the case.\n\n\
        > [!definition] Nervous shock\n\
        > Psychiatric injury caused by shock.\n\n\
        > [!step] 1. First step\n\
        > Prose of the first step.\n\n\
        > [!step] Second step\n\
        > Prose of the second step.\n";
    workspace(
        &ws,
        &[("casebook.toml", MANIFEST), ("g/guide.toml", guide), ("g/prose.md", prose), ("g/boxes.md", boxes), ("cases/page-v-smith.md", CASE)],
    );
    let out = tmp.join("out");
    // `formats` in guide.toml chooses the summary alone.
    let built = bin().arg("build").arg(&ws).arg("--out").arg(&out).output().unwrap();
    assert_built(&built);
    let entries: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(entries, ["g-summary.pdf"], "formats = [\"summary\"] wrote other files");
    let pdf = out.join("g-summary.pdf");
    let t = pdf_text(&pdf);
    for words in [
        "Only prose",
        "Nothing to condense",
        "Boxes",
        "A rule with a note",
        "The rule holds, see the section. Page v Smith 165",
        "An exception alone It stands by itself.",
        "A heading inside a box",
        "One point",
        "Page v Smith The concept beside the case.",
        "Nervous shock Psychiatric injury caused by shock.",
        "METHOD 1. First step 2. Second step",
        "Primary victims need only foresee personal injury.",
        "[1996] AC 155",
    ] {
        assert!(has(&t, words), "the summary lacks {words:?}:\n{t}");
    }
    for words in ["running prose", "A footnote the summary drops", "Prose of the first step"] {
        assert!(!has(&t, words), "the summary prints {words:?}:\n{t}");
    }
    let titles: Vec<String> = bookmarks(&pdf).into_iter().map(|b| b.title).collect();
    assert_eq!(titles, ["Only prose", "Boxes"]);
    assert!(String::from_utf8_lossy(&std::fs::read(&pdf).unwrap()).contains("<pdfuaid:part>1</pdfuaid:part>"));
}

#[test]
fn special_characters_print_literally() {
    let tmp = TempDir::new("summary-special");
    let out = tmp.join("out");
    let built = build(&repo().join("tests/build-fixtures/special-characters"), &out, &["--format", "summary"]);
    assert_built(&built);
    // The whole page at once: the title block spans both columns.
    let t = whole_text(&out.join("guide-summary.pdf"));
    for words in [
        "Title #set page(width: 1cm) $x^2$ *not bold* _under_ <angle> \\backslash — Summary",
        "Chapter #set page(width: 1cm) $x^2$ *not bold* _under_ @label <angle>",
        "Smith v Jones $x^2$ @label #set page(width: 1cm)",
        "Summary: <angle> // not a comment \\backslash *not bold*",
    ] {
        assert!(has(&t, words), "the summary lacks {words:?}:\n{t}");
    }
}

#[test]
fn typst_errors_in_the_summary_point_at_the_markdown() {
    let tmp = TempDir::new("summary-bad-image");
    let ws = tmp.join("ws");
    let guide = "title = \"G\"\nchapters = [\"pictures.md\"]\n";
    let chapter = "# Pictures\n\nProse.\n\n> [!exam-tip] Look at this\n> A picture in a tip:\n>\n> ![A broken picture](broken.png)\n";
    workspace(&ws, &[("casebook.toml", MANIFEST), ("g/guide.toml", guide), ("g/pictures.md", chapter), ("g/broken.png", "not a PNG")]);
    let out = build(&ws, &tmp.join("out"), &["--format", "summary", "--message-format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let errors: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|d: &serde_json::Value| d["severity"] == "error")
        .collect();
    assert!(!errors.is_empty(), "no error: {}", describe(&out));
    for d in &errors {
        assert_eq!(d["file"], "g/pictures.md", "{d}");
        assert_eq!(d["line"], 8, "{d}");
    }
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!all.contains("__casebook__") && !all.contains(".typ"), "a generated file name leaked: {all}");
    assert!(!tmp.join("out/g-summary.pdf").exists(), "a summary was written despite the error");
}
