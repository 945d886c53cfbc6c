//! End-to-end tests of the case and key-term cards (`--format cards`),
//! checked from the outside: word positions from `pdftotext -bbox`
//! (poppler-utils), structure from `qpdf --check` and `pdfinfo`.
//!
//! The geometry is what a student printing and cutting the cards relies on:
//! four cards to a sheet, fronts on odd pages and backs on even ones, each
//! back in the mirrored cell of its front (row r, column c on the front is
//! row r, column 1 - c on the back: a long-edge flip), and no text on or
//! near a cut. A missing tool fails the test; nothing is skipped.
//!
//! Run with `cargo test --release --test cards`.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;

use casebook::model::{Authority, CalloutTarget, CaseIdx, CaseSectionKind, Corpus, Event, Guide, Tag};
use serde_json::Value;
use support::{bin, describe, pdf_words, text, Word, copy_dir, repo, tool, tool_ok, TempDir};

mod support;

/// The padding inside every card (`card-pad` in `templates/cards.typ`).
const PAD: f64 = 8.0 * 72.0 / 25.4;

/// How far a word's box may reach into the padding: pdftotext's boxes run
/// from the font's ascender to its descender, beyond the glyphs Typst placed.
const SLACK: f64 = 4.0;

const A4: (f64, f64) = (595.276, 841.89);
const LETTER: (f64, f64) = (612.0, 792.0);

/// `casebook build WS --format cards --out OUT [extra…]`, which must succeed.
fn build_cards(ws: &Path, out: &Path, extra: &[&str]) -> Output {
    let o = bin().arg("build").arg(ws).args(["--format", "cards"]).arg("--out").arg(out).args(extra).output().expect("the casebook binary runs");
    assert_eq!(o.status.code(), Some(0), "building the cards failed: {}", describe(&o));
    o
}

fn resolve(ws: &Path) -> Corpus {
    let (_ws, corpus, diags) = casebook::resolve::check(ws, &casebook::resolve::ResolveOptions::default()).expect("the workspace loads");
    assert!(!diags.iter().any(|d| d.severity == casebook::diag::Severity::Error), "the workspace has errors");
    corpus
}

// ---------------------------------------------------------------------------
// Reading the PDF.
// ---------------------------------------------------------------------------

fn pdfinfo(pdf: &Path) -> BTreeMap<String, String> {
    let out = tool_ok("pdfinfo", [OsStr::new("-isodates"), pdf.as_os_str()]);
    out.lines().filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())).collect()
}

fn qpdf_check(pdf: &Path) {
    let out = tool("qpdf", [OsStr::new("--check"), pdf.as_os_str()]);
    // qpdf exits 0 when clean, 3 with warnings, 2 with errors.
    assert_eq!(out.status.code(), Some(0), "{}: qpdf --check: {}", pdf.display(), describe(&out));
    assert!(text(&out.stderr).trim().is_empty(), "{}: qpdf --check warns:\n{}", pdf.display(), text(&out.stderr));
}

/// A cell of a sheet: row, column.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Cell {
    row: usize,
    col: usize,
}

impl Cell {
    /// The cell's rectangle on a page of `size`: x0, y0, x1, y1.
    fn rect(self, (w, h): (f64, f64)) -> (f64, f64, f64, f64) {
        let (cw, ch) = (w / 2.0, h / 2.0);
        (self.col as f64 * cw, self.row as f64 * ch, (self.col + 1) as f64 * cw, (self.row + 1) as f64 * ch)
    }

    fn holds(self, size: (f64, f64), w: &Word) -> bool {
        let (x0, y0, x1, y1) = self.rect(size);
        let (cx, cy) = ((w.x0 + w.x1) / 2.0, (w.y0 + w.y1) / 2.0);
        x0 <= cx && cx < x1 && y0 <= cy && cy < y1
    }

    /// Where card `k` (from 0) is: its front page, its back page (from 0),
    /// the front's cell and the back's (mirrored) cell.
    fn of_card(k: usize) -> (usize, usize, Cell, Cell) {
        let (sheet, i) = (k / 4, k % 4);
        let (row, col) = (i / 2, i % 2);
        (2 * sheet, 2 * sheet + 1, Cell { row, col }, Cell { row, col: 1 - col })
    }
}

/// The words of a page that lie in a cell, in reading order.
fn cell_words(page: &((f64, f64), Vec<Word>), cell: Cell) -> Vec<String> {
    page.1.iter().filter(|w| cell.holds(page.0, w)).map(|w| w.text.clone()).collect()
}

/// Whether `needle` occurs as consecutive words in `hay`, compared without
/// white space (a line may break after a hyphen or a slash, splitting a word).
fn has_run(hay: &[String], needle: &[&str]) -> bool {
    !needle.is_empty() && hay.concat().contains(&needle.concat())
}

/// The first `n` words of a text.
fn first_words(s: &str, n: usize) -> Vec<&str> {
    s.split_whitespace().take(n).collect()
}

/// Every word lies inside a card cell, away from the cut by the card's
/// padding (less [`SLACK`]): nothing is printed on or across a cut.
fn check_inside_cells(name: &str, pages: &[((f64, f64), Vec<Word>)]) {
    let mut bad = Vec::new();
    for (p, (size, words)) in pages.iter().enumerate() {
        for w in words {
            let cells = [Cell { row: 0, col: 0 }, Cell { row: 0, col: 1 }, Cell { row: 1, col: 0 }, Cell { row: 1, col: 1 }];
            let Some(cell) = cells.into_iter().find(|c| c.holds(*size, w)) else {
                bad.push(format!("page {}: {:?} lies outside the sheet", p + 1, w.text));
                continue;
            };
            let (x0, y0, x1, y1) = cell.rect(*size);
            let m = PAD - SLACK;
            if w.x0 < x0 + m || w.y0 < y0 + m || w.x1 > x1 - m || w.y1 > y1 - m {
                bad.push(format!("page {}: {:?} at ({:.1}, {:.1})–({:.1}, {:.1}) reaches into the padding of cell {cell:?}", p + 1, w.text, w.x0, w.y0, w.x1, w.y1));
            }
        }
    }
    assert!(bad.is_empty(), "{name}: text on or near a cut:\n{}", bad.join("\n"));
}

// ---------------------------------------------------------------------------
// What the cards should hold, from the model.
// ---------------------------------------------------------------------------

/// The cases in order of first citation, read independently of casebook's
/// own walk: the chapters' events in order, a footnote's where it is referenced.
fn cases_in_reading_order(guide: &Guide) -> Vec<CaseIdx> {
    fn walk(events: &[Event], notes: &BTreeMap<String, Vec<Event>>, order: &mut Vec<CaseIdx>) {
        let mut depth_in_note = 0usize;
        for e in events {
            match e {
                Event::Start(Tag::FootnoteDefinition { .. }) => depth_in_note += 1,
                Event::Start(_) if depth_in_note > 0 => depth_in_note += 1,
                Event::End if depth_in_note > 0 => depth_in_note -= 1,
                _ if depth_in_note > 0 => {}
                Event::FootnoteRef { label, .. } => {
                    if let Some(body) = notes.get(label) {
                        walk(body, &BTreeMap::new(), order);
                    }
                }
                Event::Cite(c) => {
                    for item in &c.items {
                        if let Authority::Case(ci) = item.authority {
                            if !order.contains(&ci) {
                                order.push(ci);
                            }
                        }
                    }
                }
                Event::Start(Tag::Callout(c)) => {
                    if let Some(CalloutTarget::Case(ci)) = c.target {
                        if !order.contains(&ci) {
                            order.push(ci);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let mut order = Vec::new();
    for ch in &guide.chapters {
        let mut notes = BTreeMap::new();
        let mut i = 0;
        while i < ch.body.len() {
            if let Event::Start(Tag::FootnoteDefinition { label, .. }) = &ch.body[i] {
                let end = casebook::model::matching_end(&ch.body, i);
                notes.entry(label.clone()).or_insert_with(|| ch.body[i + 1..end].to_vec());
                i = end;
            }
            i += 1;
        }
        walk(&ch.body, &notes, &mut order);
    }
    order
}

/// One card as the test expects it: the words of its name (front) and the
/// first words of its back.
struct Expected {
    what: String,
    name: Vec<String>,
    back: Vec<String>,
}

fn expected_cards(corpus: &Corpus, guide: &Guide) -> Vec<Expected> {
    let cases = cases_in_reading_order(guide);
    let mut cited = guide.cases_cited();
    cited.sort();
    let mut walked = cases.clone();
    walked.sort();
    assert_eq!(walked, cited, "{}: the cases found in the chapters are not the cases the guide cites", guide.id);
    let mut out = Vec::new();
    for c in cases {
        let case = corpus.case(c);
        let principle = case.sections.iter().find(|s| s.kind == CaseSectionKind::Principle).expect("every case has a Principle");
        out.push(Expected {
            what: format!("case {}", case.id),
            name: case.info.name.split_whitespace().map(str::to_owned).collect(),
            back: first_words(&casebook::model::plain_text(&principle.body), 4).into_iter().map(str::to_owned).collect(),
        });
    }
    // Key terms: alphabetical, case-insensitive, as the glossary orders them.
    let mut terms = guide.terms.clone();
    terms.sort_by_key(|t| (corpus.term(*t).name.to_lowercase(), corpus.term(*t).name.clone()));
    for t in terms {
        let term = corpus.term(t);
        out.push(Expected {
            what: format!("term {}", term.name),
            name: term.name.split_whitespace().map(str::to_owned).collect(),
            back: first_words(&casebook::model::plain_text(&term.definition), 4).into_iter().map(str::to_owned).collect(),
        });
    }
    out
}

/// Checks a cards PDF against the cards expected: the page count, every
/// page's size, each front in its cell and each back in the mirrored cell,
/// and nothing near a cut.
fn check_cards(pdf: &Path, cards: &[Expected], sheet: (f64, f64)) {
    let name = pdf.file_name().unwrap().to_string_lossy().into_owned();
    let pages = pdf_words(pdf);
    assert_eq!(pages.len(), 2 * cards.len().div_ceil(4), "{name}: {} cards need {} pages", cards.len(), 2 * cards.len().div_ceil(4));
    for (p, (size, _)) in pages.iter().enumerate() {
        assert!((size.0 - sheet.0).abs() < 0.5 && (size.1 - sheet.1).abs() < 0.5, "{name}: page {} is {size:?}, not {sheet:?}", p + 1);
    }
    let mut problems = Vec::new();
    for (k, card) in cards.iter().enumerate() {
        let (front, back, fc, bc) = Cell::of_card(k);
        let name_words: Vec<&str> = card.name.iter().map(String::as_str).collect();
        let back_words: Vec<&str> = card.back.iter().map(String::as_str).collect();
        if !has_run(&cell_words(&pages[front], fc), &name_words) {
            problems.push(format!("card {} ({}): {:?} is not on page {} in {fc:?}: {:?}", k + 1, card.what, card.name, front + 1, cell_words(&pages[front], fc)));
        }
        if !has_run(&cell_words(&pages[back], bc), &back_words) {
            problems.push(format!("card {} ({}): the back's {:?} is not on page {} in {bc:?}: {:?}", k + 1, card.what, card.back, back + 1, cell_words(&pages[back], bc)));
        }
        // The card's number is in the same cells, at the foot of both sides.
        let number = (k + 1).to_string();
        for (page, cell) in [(front, fc), (back, bc)] {
            if !cell_words(&pages[page], cell).contains(&number) {
                problems.push(format!("card {} ({}): no number {number} on page {} in {cell:?}", k + 1, card.what, page + 1));
            }
        }
    }
    assert!(problems.is_empty(), "{name}:\n{}", problems.join("\n"));
    check_inside_cells(&name, &pages);
    qpdf_check(pdf);
    let info = pdfinfo(pdf);
    assert_eq!(info.get("Tagged").map(String::as_str), Some("yes"), "{name}: not tagged: {info:?}");
}

// ---------------------------------------------------------------------------
// The sample guides.
// ---------------------------------------------------------------------------

#[test]
fn sample_guides_cards_sit_in_mirrored_cells_and_rebuild_identically() {
    let tmp = TempDir::new("cards-samples");
    let ws = tmp.join("guides");
    copy_dir(&repo().join("guides"), &ws);
    let out_a = tmp.join("out-a");
    let built = build_cards(&ws, &out_a, &[]);
    assert!(!text(&built.stderr).contains("card-overflow"), "a sample card is shortened:\n{}", describe(&built));
    let corpus = resolve(&ws);
    for guide in &corpus.guides {
        let pdf = out_a.join(format!("{}-cards.pdf", guide.id));
        let cards = expected_cards(&corpus, guide);
        assert!(cards.len() > 20, "{}: only {} cards", guide.id, cards.len());
        // Every sample guide's cards are on A4, the A5 guide's too.
        check_cards(&pdf, &cards, A4);
        let info = pdfinfo(&pdf);
        assert_eq!(info.get("Title"), Some(&format!("{} — case cards", guide.title)), "{}: document title", guide.id);
    }
    // A rebuild gives the same bytes.
    let out_b = tmp.join("out-b");
    build_cards(&ws, &out_b, &[]);
    for guide in &corpus.guides {
        let file = format!("{}-cards.pdf", guide.id);
        let (a, b) = (std::fs::read(out_a.join(&file)).unwrap(), std::fs::read(out_b.join(&file)).unwrap());
        assert!(a == b, "{file}: two builds of the same sources differ ({} vs {} bytes)", a.len(), b.len());
    }
}

// ---------------------------------------------------------------------------
// A small workspace: paper sizes and a card too long to fit.
// ---------------------------------------------------------------------------

/// A Principle of `n` sentences.
fn long_principle(n: usize) -> String {
    (1..=n)
        .map(|i| format!("Sentence number {i} of the principle says that a duty of care may arise where the defendant assumed responsibility for the claimant."))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes a workspace of one guide on `paper`: five short cases, one case
/// whose Principle has `long` sentences (none when 0), and two key terms, one
/// of them defined at length when `long` > 0.
fn small_workspace(dir: &Path, paper: &str, long: usize) -> PathBuf {
    let ws = dir.join("ws");
    let w = |p: &str, s: &str| {
        let path = ws.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, s).unwrap();
    };
    w("casebook.toml", &format!("[workspace]\npublisher = \"Card Press\"\nlanguage = \"en-GB\"\n\n[defaults]\npdf.paper = \"{paper}\"\n"));
    w("guide/guide.toml", "title = \"Tort\"\ndate = 2026-09-01\nauthors = [\"A. Tutor\"]\nchapters = [\"duty.md\", \"breach.md\"]\n");
    let mut ids = Vec::new();
    for i in 1..=5 {
        let id = format!("case-{i}");
        w(
            &format!("cases/{id}.md"),
            &format!(
                "+++\nname = \"Alpha{i} v Beta{i}\"\ncitation = \"[19{i}0] AC {i}\"\ncourt = \"HL\"\nsubjects = [\"tort\"]\n+++\n\n## Facts\n\nFacts of case {i}.\n\n## Held\n\nHeld in case {i}.\n\n## Principle\n\nPrinciple{i} of the case. A second sentence.\n"
            ),
        );
        ids.push(id);
    }
    if long > 0 {
        w(
            "cases/long-case.md",
            &format!("+++\nname = \"Longwinded v Verbose\"\ncitation = \"[2001] UKHL 1\"\ncourt = \"HL\"\n+++\n\n## Facts\n\nSome facts.\n\n## Held\n\nIt was held.\n\n## Principle\n\n{}\n", long_principle(long)),
        );
    }
    let definition = if long > 0 { long_principle(long / 2).replace("of the principle", "of the definition") } else { "A legal obligation to take care.".to_owned() };
    w("glossary.md", &format!("# Glossary\n\nDuty of care\n: {definition}\n\nBreach\n: Falling below the standard of care.\n"));
    let long_cite = if long > 0 { " and [@long-case]" } else { "" };
    w("guide/duty.md", &format!("+++\ntitle = \"Duty\"\nkey-terms = [\"Duty of care\"]\n+++\n\nSee [@case-2], [@case-1]{long_cite} and [@case-3].\n"));
    w("guide/breach.md", "+++\ntitle = \"Breach\"\nkey-terms = [\"Breach\"]\n+++\n\nSee [@case-4], [@case-1] and [@case-5].\n");
    ws
}

#[test]
fn us_letter_and_a5_paper() {
    for (paper, sheet) in [("us-letter", LETTER), ("a5", A4), ("a4", A4)] {
        let tmp = TempDir::new(&format!("cards-{paper}"));
        let ws = small_workspace(tmp.path(), paper, 0);
        let out = tmp.join("out");
        build_cards(&ws, &out, &[]);
        let corpus = resolve(&ws);
        let guide = &corpus.guides[0];
        let cards = expected_cards(&corpus, guide);
        let names: Vec<String> = cards.iter().map(|c| c.name.join(" ")).collect();
        // First citation order, then the terms alphabetically.
        assert_eq!(names, ["Alpha2 v Beta2", "Alpha1 v Beta1", "Alpha3 v Beta3", "Alpha4 v Beta4", "Alpha5 v Beta5", "Breach", "Duty of care"], "{paper}");
        // Seven cards: two sheets, the second with three cards.
        check_cards(&out.join("guide-cards.pdf"), &cards, sheet);
    }
}

#[test]
fn a_card_too_long_is_cut_at_a_sentence_and_warned_about() {
    let tmp = TempDir::new("cards-overflow");
    let ws = small_workspace(tmp.path(), "a4", 90);
    let out = tmp.join("out");
    let built = build_cards(&ws, &out, &["--message-format", "json"]);
    let diags: Vec<Value> = text(&built.stdout).lines().map(|l| serde_json::from_str(l).expect("one JSON object a line")).collect();
    let overflow: Vec<&Value> = diags.iter().filter(|d| d["code"] == "card-overflow").collect();
    assert_eq!(overflow.len(), 2, "one warning for the case, one for the term: {diags:#?}");

    // The case: at the heading of its Principle, the section cut.
    let case = overflow.iter().find(|d| d["file"].as_str().is_some_and(|f| f.ends_with("long-case.md"))).unwrap_or_else(|| panic!("no warning at the case file: {overflow:#?}"));
    assert_eq!(case["severity"], "warning");
    let source = std::fs::read_to_string(ws.join("cases/long-case.md")).unwrap();
    let principle_line = source.lines().position(|l| l == "## Principle").unwrap() + 1;
    assert_eq!(case["line"].as_u64(), Some(principle_line as u64), "{case:#?}");
    assert!(case["message"].as_str().unwrap().contains("Longwinded v Verbose"), "{case:#?}");
    assert!(case["hint"].as_str().is_some_and(|h| !h.is_empty()), "{case:#?}");

    // The term: at its glossary entry.
    let term = overflow.iter().find(|d| d["file"].as_str().is_some_and(|f| f.ends_with("glossary.md"))).unwrap_or_else(|| panic!("no warning at the glossary: {overflow:#?}"));
    let glossary = std::fs::read_to_string(ws.join("glossary.md")).unwrap();
    let term_line = glossary.lines().position(|l| l == "Duty of care").unwrap() + 1;
    assert_eq!(term["line"].as_u64(), Some(term_line as u64), "{term:#?}");

    // The case's card is the third (first citation order); its back is cut
    // after a whole sentence, and says so.
    let corpus = resolve(&ws);
    let cards = expected_cards(&corpus, &corpus.guides[0]);
    let k = cards.iter().position(|c| c.what == "case long-case").expect("a card for the long case");
    assert_eq!(k, 2);
    let pdf = out.join("guide-cards.pdf");
    check_cards(&pdf, &cards, A4);
    let pages = pdf_words(&pdf);
    let (_, back, _, bc) = Cell::of_card(k);
    let words = cell_words(&pages[back], bc);
    let joined = words.join(" ");
    assert!(joined.contains("Shortened for the card"), "the cut card does not say so: {joined}");
    assert!(joined.contains("Sentence number 1 of the principle"), "{joined}");
    assert!(!joined.contains("Sentence number 90 "), "the whole principle cannot fit: {joined}");
    // Cut at a sentence boundary: the last sentence shown is whole.
    let shown = joined.matches("Sentence number ").count();
    assert!(shown > 5, "only {shown} sentences shown");
    let last = joined.rfind("Sentence number ").unwrap();
    assert!(joined[last..].contains("for the claimant. Shortened for the card"), "the last sentence shown is not whole: {}", &joined[last..]);
    // The Held (cut off) is not on the card.
    assert!(!joined.contains("It was held."), "{joined}");
}
