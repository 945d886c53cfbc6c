//! End-to-end tests of the PDF edition: `casebook build --format pdf`, checked
//! from the outside with poppler-utils (`pdfinfo`, `pdftotext`) and `qpdf`.
//!
//! The sample guides are built once per run into a temporary folder shared by
//! every test (`sample_pdfs`); the other tests build the small workspaces
//! under `tests/build-fixtures/` (copied to a temporary folder when a test
//! changes them). Every output goes to a temporary folder that is removed
//! afterwards. A missing tool fails the test: these checks are never skipped.
//!
//! Run with `cargo test --release --test pdf` (Typst is very slow unoptimised).

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use casebook::model::{CalloutTarget, Corpus, Event, Guide, Tag};
use serde_json::Value;
use support::{bbox_attr, bin, describe, pdf_words, text, unescape, Word, bookmarks, copy_dir, repo, shared_temp_dir, tool, tool_ok, TempDir};

mod support;

// ---------------------------------------------------------------------------
// Running things.
// ---------------------------------------------------------------------------

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/build-fixtures").join(name)
}

/// `casebook build WS --format pdf --out OUT [extra…]`.
fn build_cmd(ws: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut c = bin();
    c.arg("build").arg(ws).args(["--format", "pdf"]).arg("--out").arg(out).args(extra);
    c
}

fn build(ws: &Path, out: &Path, extra: &[&str]) -> Output {
    build_cmd(ws, out, extra).output().expect("the casebook binary runs")
}

// ---------------------------------------------------------------------------
// The sample guides, built once.
// ---------------------------------------------------------------------------

const SAMPLE_GUIDES: [&str; 3] = ["criminal-law", "international-law", "public-law"];

/// The folder holding `<guide>.pdf` for every sample guide, built on first use.
fn sample_pdfs() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = shared_temp_dir("samples");
        let _ = std::fs::remove_dir_all(&dir);
        let out = build(&repo().join("guides"), &dir, &[]);
        assert_eq!(out.status.code(), Some(0), "building the sample guides failed: {}", describe(&out));
        for g in SAMPLE_GUIDES {
            assert!(dir.join(format!("{g}.pdf")).is_file(), "{g}.pdf was not written: {}", describe(&out));
        }
        dir
    })
}

fn sample_pdf(guide: &str) -> PathBuf {
    sample_pdfs().join(format!("{guide}.pdf"))
}

/// The sample workspace, resolved by the library (the source of truth for
/// chapters and citations).
fn sample_corpus() -> Corpus {
    let (_ws, corpus, diags) = casebook::resolve::check(&repo().join("guides"), &casebook::resolve::ResolveOptions::default())
        .expect("the sample workspace loads");
    assert!(
        !diags.iter().any(|d| d.severity == casebook::diag::Severity::Error),
        "the sample workspace has errors: {:?}",
        diags.iter().collect::<Vec<_>>()
    );
    corpus
}

fn guide<'a>(corpus: &'a Corpus, id: &str) -> &'a Guide {
    corpus.guides.iter().find(|g| g.id == id).unwrap_or_else(|| panic!("no guide {id}"))
}

// ---------------------------------------------------------------------------
// Reading PDFs.
// ---------------------------------------------------------------------------

/// `pdfinfo -isodates` as key/value pairs. (Poppler 22 prints a spurious
/// "Syntax Error: Suspects object is wrong type" for `/Suspects false`, which
/// is valid PDF; stderr is therefore not checked.)
fn pdfinfo(pdf: &Path) -> BTreeMap<String, String> {
    let out = tool_ok("pdfinfo", [OsStr::new("-isodates"), pdf.as_os_str()]);
    out.lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

fn page_count(pdf: &Path) -> usize {
    pdfinfo(pdf).get("Pages").and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("pdfinfo gives no page count for {}", pdf.display()))
}

/// The size of every page in points, from `pdfinfo -f 1 -l N`.
fn page_sizes(pdf: &Path) -> Vec<(f64, f64)> {
    let n = page_count(pdf).to_string();
    let out = tool_ok("pdfinfo", [OsStr::new("-f"), OsStr::new("1"), OsStr::new("-l"), OsStr::new(&n), pdf.as_os_str()]);
    let sizes: Vec<(f64, f64)> = out
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains(" size:"))
        .map(|l| {
            let v = l.split_once("size:").unwrap().1.trim();
            let mut it = v.split_whitespace();
            let w: f64 = it.next().unwrap().parse().unwrap();
            assert_eq!(it.next(), Some("x"), "{l}");
            let h: f64 = it.next().unwrap().parse().unwrap();
            (w, h)
        })
        .collect();
    assert_eq!(sizes.len(), page_count(pdf), "{out}");
    sizes
}

/// The text of each page (`pdftotext` separates pages with form feeds).
/// `layout` keeps the physical layout (for footers and tables); without it
/// the text is in reading order (for matching phrases).
fn pdf_pages(pdf: &Path, layout: bool) -> Vec<String> {
    let mut args: Vec<&OsStr> = vec![OsStr::new("-enc"), OsStr::new("UTF-8")];
    if layout {
        args.push(OsStr::new("-layout"));
    }
    args.push(pdf.as_os_str());
    args.push(OsStr::new("-"));
    let out = tool_ok("pdftotext", args);
    let mut pages: Vec<String> = out.split('\x0c').map(str::to_owned).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

fn pdf_text(pdf: &Path) -> String {
    pdf_pages(pdf, false).join("\n")
}

/// Normalises extracted text for matching: words hyphenated at a line end are
/// joined (Typst's hyphens come out as U+00AD; a hard hyphen at a line end is
/// kept and the line joined), word joiners dropped, curly quotes made straight,
/// runs of whitespace made one space.
fn normalise(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut joined = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\u{AD}' => {
                i += 1;
                while i < chars.len() && chars[i].is_whitespace() {
                    i += 1;
                }
                continue;
            }
            '-' => {
                let mut j = i + 1;
                while j < chars.len() && (chars[j] == ' ' || chars[j] == '\t') {
                    j += 1;
                }
                joined.push('-');
                if j < chars.len() && chars[j] == '\n' && i > 0 && chars[i - 1].is_alphanumeric() {
                    while j < chars.len() && chars[j].is_whitespace() {
                        j += 1;
                    }
                    i = j;
                } else {
                    i += 1;
                }
                continue;
            }
            '\u{2060}' | '\u{200B}' | '\u{FEFF}' => {}
            '\u{2019}' | '\u{2018}' => joined.push('\''),
            '\u{201C}' | '\u{201D}' => joined.push('"'),
            '\u{A0}' => joined.push(' '),
            _ => joined.push(c),
        }
        i += 1;
    }
    joined.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// [`normalise`]d, without any whitespace: for literal strings that may be
/// broken across lines anywhere (URLs, code).
fn squash(s: &str) -> String {
    normalise(s).chars().filter(|c| !c.is_whitespace()).collect()
}

/// A link annotation: its named destination and its rectangle (points from the
/// top-left corner, like `pdftotext -bbox`).
#[derive(Debug, Clone)]
struct Link {
    dest: Option<String>,
    x0: f64,
    x1: f64,
    top: f64,
}

/// A PDF's pages and objects, as `qpdf --json` prints them.
struct QpdfDoc(Value);

impl QpdfDoc {
    fn read(pdf: &Path) -> QpdfDoc {
        let out = tool_ok(
            "qpdf",
            [OsStr::new("--json"), OsStr::new("--json-key=pages"), OsStr::new("--json-key=qpdf"), OsStr::new("--decode-level=none"), pdf.as_os_str()],
        );
        QpdfDoc(serde_json::from_str(&out).expect("qpdf prints JSON"))
    }

    /// The pages, in order (each names its page object).
    fn pages(&self) -> &[Value] {
        self.0["pages"].as_array().expect("pages")
    }

    /// The object an indirect reference (`"12 0 R"`) names; any other value as it is.
    fn deref(&self, x: &Value) -> Value {
        match x.as_str() {
            Some(r) if r.ends_with(" R") => self.0["qpdf"][1][format!("obj:{r}")]["value"].clone(),
            _ => x.clone(),
        }
    }

    /// The page dictionary of an entry of [`QpdfDoc::pages`].
    fn page(&self, p: &Value) -> Value {
        self.deref(&p["object"])
    }

    /// A page's annotations, dereferenced.
    fn annotations(&self, page: &Value) -> Vec<Value> {
        page["/Annots"].as_array().map(|a| a.iter().map(|x| self.deref(x)).collect()).unwrap_or_default()
    }
}

/// A number of a qpdf JSON value.
fn num(x: &Value) -> f64 {
    x.as_f64().unwrap_or_else(|| panic!("a number: {x}"))
}

/// The destination of a link annotation: `/Dest`, or a GoTo action's `/D`.
fn link_dest(a: &Value) -> Option<&Value> {
    a.get("/Dest").or_else(|| a.get("/A").and_then(|x| x.get("/D")))
}

/// Per physical page: the PDF page label (from `/PageLabels`) and the links.
fn labels_and_links(pdf: &Path) -> Vec<(Option<String>, Vec<Link>)> {
    let doc = QpdfDoc::read(pdf);
    let mut result = Vec::new();
    for p in doc.pages() {
        let label = p.get("label").filter(|l| !l.is_null()).map(|l| {
            let start = l["/St"].as_u64().unwrap_or(1) as usize;
            let prefix = l["/P"].as_str().map(|s| s.trim_start_matches("u:").to_owned()).unwrap_or_default();
            let n = match l["/S"].as_str() {
                Some("/D") => start.to_string(),
                Some("/r") => roman(start),
                Some("/R") => roman(start).to_uppercase(),
                _ => String::new(),
            };
            format!("{prefix}{n}")
        });
        let page = doc.page(p);
        let height = num(&page["/MediaBox"][3]);
        let mut links = Vec::new();
        for a in doc.annotations(&page) {
            if a["/Subtype"] != "/Link" {
                continue;
            }
            let dest = link_dest(&a).and_then(Value::as_str).map(|s| s.trim_start_matches("u:").to_owned());
            links.push(Link { dest, x0: num(&a["/Rect"][0]), x1: num(&a["/Rect"][2]), top: height - num(&a["/Rect"][3]) });
        }
        result.push((label, links));
    }
    result
}

/// The page label of every physical page (empty when a page has none).
fn page_labels(pdf: &Path) -> Vec<String> {
    labels_and_links(pdf).into_iter().map(|(l, _)| l.unwrap_or_default()).collect()
}

fn roman(mut n: usize) -> String {
    let table = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")];
    let mut s = String::new();
    for (v, r) in table {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

/// The page number printed in a page's footer: the last non-empty line of the
/// page's layout text, when it is an arabic or lower-case roman number.
fn footer_label(layout_page: &str) -> Option<String> {
    let last = layout_page.lines().map(str::trim).filter(|l| !l.is_empty()).last()?;
    let last = last.trim_matches('\u{2060}');
    (is_arabic(last) || is_roman(last)).then(|| last.to_owned())
}

/// Whether a page label is an arabic number.
fn is_arabic(label: &str) -> bool {
    !label.is_empty() && label.chars().all(|c| c.is_ascii_digit())
}

/// Whether a page label is a lower-case roman number.
fn is_roman(label: &str) -> bool {
    !label.is_empty() && label.chars().all(|c| "ivxlcdm".contains(c))
}

fn is_pdf(path: &Path) -> bool {
    std::fs::read(path).map(|b| b.starts_with(b"%PDF-")).unwrap_or(false)
}

// ---------------------------------------------------------------------------
// 1. Tagged and structurally sound.
// ---------------------------------------------------------------------------

#[test]
fn sample_pdfs_are_tagged_and_pass_qpdf_check() {
    let corpus = sample_corpus();
    for g in SAMPLE_GUIDES {
        let pdf = sample_pdf(g);
        let info = pdfinfo(&pdf);
        assert_eq!(info.get("Tagged").map(String::as_str), Some("yes"), "{g}: not tagged: {info:?}");
        let pages: usize = info["Pages"].parse().unwrap();
        assert!(pages > 10, "{g}: only {pages} pages");
        assert_eq!(info.get("Title"), Some(&guide(&corpus, g).title), "{g}: document title");

        let out = tool("qpdf", [OsStr::new("--check"), pdf.as_os_str()]);
        // qpdf exits 0 when clean, 3 with warnings, 2 with errors.
        assert_eq!(out.status.code(), Some(0), "{g}: qpdf --check: {}", describe(&out));
        let stdout = text(&out.stdout);
        assert!(stdout.contains("No syntax or stream encoding errors found"), "{g}: qpdf --check: {stdout}");
        let stderr = text(&out.stderr);
        assert!(stderr.trim().is_empty(), "{g}: qpdf --check printed warnings or errors:\n{stderr}");
        let bad: Vec<&str> = stdout
            .lines()
            .filter(|l| {
                let l = l.to_ascii_lowercase();
                (l.contains("error") || l.contains("warning"))
                    && !l.starts_with("no syntax or stream encoding errors found")
                    && l != "errors that qpdf cannot detect"
            })
            .collect();
        assert!(bad.is_empty(), "{g}: qpdf --check reports problems: {bad:?}");
    }
}

// ---------------------------------------------------------------------------
// 2. Bookmarks.
// ---------------------------------------------------------------------------

/// The template typesets the contents and the tables of authorities after the
/// body (so that their page numbers never move a page of it), and casebook
/// moves their pages back in front. A reader gets the cover, the title page,
/// the contents and the tables, then the body from page 1, with the page
/// labels counting on in that order.
#[test]
fn front_matter_pages_come_before_the_body() {
    let corpus = sample_corpus();
    for g in &corpus.guides {
        let pdf = sample_pdf(&g.id);
        let labels: Vec<String> = labels_and_links(&pdf).into_iter().map(|(l, _)| l.unwrap_or_default()).collect();
        let texts = pdf_pages(&pdf, false);
        let romans: Vec<usize> = (0..labels.len()).filter(|&p| is_roman(&labels[p])).collect();
        let arabics: Vec<usize> = (0..labels.len()).filter(|&p| is_arabic(&labels[p])).collect();
        assert!(romans.len() >= 3, "{}: title page, contents and a table in roman: {labels:?}", g.id);
        assert!(romans.last() < arabics.first(), "{}: a roman page after the body began: {labels:?}", g.id);
        for (k, p) in romans.iter().enumerate() {
            assert_eq!(labels[*p], roman(k + 1), "{}: roman pages run on from i", g.id);
        }
        for (k, p) in arabics.iter().enumerate() {
            assert_eq!(labels[*p], (k + 1).to_string(), "{}: body pages run on from 1", g.id);
        }
        let page_with = |what: &str| texts.iter().position(|t| t.lines().any(|l| l.trim() == what));
        let contents = page_with("Contents").unwrap_or_else(|| panic!("{}: no Contents page", g.id));
        let cases = page_with("Table of cases").unwrap_or_else(|| panic!("{}: no Table of cases", g.id));
        assert!(romans.contains(&contents) && romans.contains(&cases) && contents < cases, "{}: contents on {contents}, table of cases on {cases}", g.id);
        let title = &g.chapters.first().unwrap_or_else(|| panic!("{}: no chapter", g.id)).title;
        let one = arabics[0];
        assert!(squash(&texts[one]).contains(&squash(title)), "{}: page 1 (physical {}) does not open `{title}`", g.id, one + 1);
    }
}

#[test]
fn outline_lists_every_chapter() {
    let corpus = sample_corpus();
    for g in SAMPLE_GUIDES {
        let guide = guide(&corpus, g);
        let pdf = sample_pdf(g);
        let marks = bookmarks(&pdf);
        let pages = pdf_pages(&pdf, false);
        let top: Vec<String> = marks.iter().map(|b| normalise(&b.title)).collect();
        for fixed in ["Table of cases", "Table of legislation", "Glossary"] {
            assert!(top.iter().any(|t| t == fixed), "{g}: no `{fixed}` bookmark in {top:?}");
        }
        // Every chapter, in reading order, as a top-level bookmark that
        // points at the page where the chapter's title is printed.
        let mut from = 0;
        let mut last_page = 0;
        for ch in &guide.chapters {
            let want = normalise(&ch.title);
            let Some(k) = (from..marks.len()).find(|&k| top[k] == want) else {
                panic!("{g}: chapter `{want}` is not a top-level bookmark (in order); bookmarks: {top:?}")
            };
            let b = &marks[k];
            assert!(b.page >= last_page, "{g}: bookmark `{want}` points before the previous chapter");
            assert!(
                normalise(&pages[b.page]).contains(&want),
                "{g}: bookmark `{want}` points at physical page {} which does not show the title:\n{}",
                b.page + 1,
                pages[b.page]
            );
            // The chapter's own headings are its children.
            for h in ch.headings.iter().filter(|h| h.level == 2) {
                let ht = normalise(&h.text);
                assert!(b.kids.iter().any(|kid| normalise(&kid.title) == ht), "{g}: heading `{ht}` of `{want}` is not a bookmark under it");
            }
            from = k + 1;
            last_page = b.page;
        }
    }
}

// ---------------------------------------------------------------------------
// 3. Table of cases.
// ---------------------------------------------------------------------------

/// Everything test 3 needs to know about one built guide.
struct GuidePdf {
    /// Reading-order text per physical page, normalised and lower-cased.
    text: Vec<String>,
    /// Physical page (0-based) of each arabic page label (the body).
    body_page: BTreeMap<String, usize>,
    /// Printed label of each physical page.
    label: Vec<Option<String>>,
    /// Physical page ranges [start, end) of the guide's chapters, in order.
    chapters: Vec<(usize, usize)>,
    /// For each case id: the labels of the body pages on which the PDF shows a
    /// citation of it (see `citation_pages`).
    cited_on: BTreeMap<String, BTreeSet<String>>,
}

/// Words that do not identify a case.
const NOT_SIGNIFICANT: &[&str] =
    &["r", "v", "re", "the", "ex", "p", "and", "of", "for", "in", "on", "a", "an", "ltd", "plc", "co", "no", "case", "concerning", "ors"];

/// Whether a page (normalised, lower-case text) mentions a case. The matching
/// rule: the page contains the case's full name, or its short name, or both of
/// the first two significant words of its name as whole words (significant:
/// not `R`, `v`, `Re`, `The`, `ex p`, `and`, `of`, `Ltd`, … nor numbers). The
/// text is normalised first (see [`normalise`]): words hyphenated at line ends
/// are joined and whitespace (line breaks included) is one space, so a name
/// broken across lines still matches. In footnote mode the page holds both
/// the name in the text and the citation in the footnote, so either matches.
fn page_mentions(page: &str, name: &str, short: Option<&str>) -> bool {
    let name = normalise(name).to_lowercase();
    if page.contains(&name) {
        return true;
    }
    if let Some(s) = short {
        let s = normalise(s).to_lowercase();
        if !s.is_empty() && page.contains(&s) {
            return true;
        }
    }
    let words: Vec<String> = name
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_owned())
        .filter(|w| w.chars().any(char::is_alphabetic) && !NOT_SIGNIFICANT.contains(&w.as_str()))
        .take(2)
        .collect();
    words.len() == 2 && words.iter().all(|w| has_word(page, w))
}

fn has_word(hay: &str, word: &str) -> bool {
    hay.match_indices(word).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Reads a built guide. The pages on which a case is cited are computed from
/// the PDF's link annotations: every citation in a chapter is a link to the
/// case's summary (named destination `case-<id>`), and so is the heading of a
/// `> [!case]` block's summary column (a link set straight under the box's
/// "CASE" label), which is a place the case is cited too. The rows of a
/// chapter's "Key cases" table (everything after the chapter's "Key cases"
/// heading) share that destination and are left out. The `[!case]` blocks
/// recognised are counted against the model. A citation that a page break
/// splits counts on the page where it starts (the page its label is on), not
/// again on the next page.
fn read_guide_pdf(pdf: &Path, guide: &Guide) -> GuidePdf {
    let g = &guide.id;
    let layout = pdf_pages(pdf, true);
    let text: Vec<String> = pdf_pages(pdf, false).iter().map(|p| normalise(p).to_lowercase()).collect();
    let pdf_labels = labels_and_links(pdf);
    let words = pdf_words(pdf);
    assert_eq!(layout.len(), pdf_labels.len(), "{g}: pdftotext and qpdf disagree on the page count");
    assert_eq!(words.len(), pdf_labels.len(), "{g}: pdftotext -bbox page count");

    // Printed labels, checked against the PDF's own page labels.
    let label: Vec<Option<String>> = layout.iter().map(|p| footer_label(p)).collect();
    let mut body_page = BTreeMap::new();
    for (i, l) in label.iter().enumerate() {
        let Some(l) = l else { continue };
        assert_eq!(Some(l), pdf_labels[i].0.as_ref(), "{g}: physical page {} prints `{l}` but its PDF page label is {:?}", i + 1, pdf_labels[i].0);
        if l.chars().all(|c| c.is_ascii_digit()) {
            assert!(body_page.insert(l.clone(), i).is_none(), "{g}: two pages print the number {l}");
        }
    }
    assert!(body_page.contains_key("1"), "{g}: no page 1 found in the footers");

    // Chapter page ranges, from the bookmarks.
    let marks = bookmarks(pdf);
    let mut starts: Vec<usize> = marks.iter().map(|b| b.page).collect();
    starts.push(layout.len());
    let mut chapters = Vec::new();
    let mut from = 0;
    for ch in &guide.chapters {
        let want = normalise(&ch.title);
        let k = (from..marks.len()).find(|&k| normalise(&marks[k].title) == want).unwrap_or_else(|| panic!("{g}: no bookmark for `{want}`"));
        let start = marks[k].page;
        let end = *starts.iter().filter(|&&s| s > start).min().unwrap();
        chapters.push((start, end));
        from = k + 1;
    }

    // Where each chapter's "Key cases" heading is: (page, top).
    let key_cases_at = |start: usize, end: usize| -> Option<(usize, f64)> {
        (start..end).find_map(|p| {
            let ws = &words[p].1;
            ws.windows(2).find_map(|w| {
                let same_line = |a: &Word| (a.y0 - w[0].y0).abs() < 0.5;
                (w[0].text == "Key" && w[1].text == "cases" && same_line(&w[1]) && ws.iter().filter(|a| same_line(a)).count() == 2)
                    .then_some((p, w[0].y0))
            })
        })
    };

    // Per page: the left and right edges of the text area (from the running
    // head, which spans it) and the top of the first line under the head.
    let geometry: Vec<(f64, f64, f64)> = words
        .iter()
        .map(|(_, ws)| {
            let head_y = ws.iter().map(|w| w.y0).fold(f64::INFINITY, f64::min);
            let head: Vec<&Word> = ws.iter().filter(|w| (w.y0 - head_y).abs() < 0.5).collect();
            let left = head.iter().map(|w| w.x0).fold(f64::INFINITY, f64::min);
            let right = head.iter().map(|w| w.x1).fold(f64::NEG_INFINITY, f64::max);
            let body_top = ws.iter().map(|w| w.y0).filter(|&y| y > head_y + 5.0).fold(f64::INFINITY, f64::min);
            (left, right, body_top)
        })
        .collect();
    let mut cited_on: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // The "CASE" labels (page, word index) whose callout heading is a link.
    let mut callout_labels: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut case_links = 0;
    for &(start, end) in &chapters {
        let cutoff = key_cases_at(start, end);
        for p in start..end {
            // The links to case summaries on this page, before the chapter's
            // Key cases table.
            let links: Vec<&Link> = pdf_labels[p]
                .1
                .iter()
                .filter(|l| l.dest.as_deref().is_some_and(|d| d.starts_with("case-")))
                .collect();
            case_links += links.len();
            let links: Vec<&Link> = links.into_iter().filter(|l| !cutoff.is_some_and(|(kp, ky)| p > kp || (p == kp && l.top > ky))).collect();
            // A `[!case]` callout's heading: straight under the "CASE" label.
            // A citation broken by a page break is one citation, listed under
            // the page where it starts: a link that opens the first line of a
            // page, at the left margin, and continues a link to the same case
            // that runs to the right margin at the foot of the previous page,
            // is not a new citation.
            let (left, _, body_top) = geometry[p];
            let mut heading = vec![false; links.len()];
            let mut continuation = vec![false; links.len()];
            for (i, link) in links.iter().enumerate() {
                let label_above = words[p].1.iter().position(|w| w.text == "CASE" && (w.x0 - link.x0).abs() < 3.0 && (0.0..20.0).contains(&(link.top - w.y1)));
                if let Some(w) = label_above {
                    callout_labels.insert((p, w));
                    heading[i] = true;
                }
                continuation[i] = p > start
                    && (link.x0 - left).abs() < 1.0
                    && (link.top - body_top).abs() < 3.0
                    && pdf_labels[p - 1].1.iter().any(|prev| prev.dest == link.dest && (prev.x1 - geometry[p - 1].1).abs() < 1.0);
            }
            // A link comes in pieces: one per line, and sometimes several
            // along one line. Pieces of a heading are on the same line or
            // straight under the previous line; pieces of a continued
            // citation are on its line.
            loop {
                let mut changed = false;
                for i in 0..links.len() {
                    for j in 0..links.len() {
                        if links[i].dest != links[j].dest {
                            continue;
                        }
                        let same_line = (links[i].top - links[j].top).abs() < 1.0;
                        let under = (links[i].x0 - links[j].x0).abs() < 3.0 && (0.0..20.0).contains(&(links[i].top - links[j].top));
                        if heading[j] && !heading[i] && (same_line || under) {
                            heading[i] = true;
                            changed = true;
                        }
                        if continuation[j] && !continuation[i] && same_line {
                            continuation[i] = true;
                            changed = true;
                        }
                    }
                }
                if !changed {
                    break;
                }
            }
            for (i, link) in links.iter().enumerate() {
                // A `[!case]` block's heading counts: the block is a place
                // the case is cited (its pieces fall on one page).
                if continuation[i] && !heading[i] {
                    continue;
                }
                let id = link.dest.as_deref().unwrap().strip_prefix("case-").unwrap();
                let l = label[p].clone().unwrap_or_else(|| panic!("{g}: physical page {} has no printed number", p + 1));
                cited_on.entry(id.to_owned()).or_default().insert(l);
            }
        }
    }
    assert!(case_links > 0, "{g}: no link to a `case-<id>` destination in the chapters: citations are no longer linked to the case summaries as this test expects");
    let case_callouts = guide
        .chapters
        .iter()
        .flat_map(|ch| &ch.body)
        .filter(|e| matches!(e, Event::Start(Tag::Callout(c)) if matches!(c.target, Some(CalloutTarget::Case(_)))))
        .count();
    assert_eq!(callout_labels.len(), case_callouts, "{g}: `[!case]` callouts recognised in the PDF vs in the sources");

    GuidePdf { text, body_page, label, chapters, cited_on }
}

/// The entries of the table of cases as printed: (entry text, page numbers).
/// An entry ends on the line that ends with its page numbers (they are
/// bottom-aligned); lines before it are the wrapped start of the entry.
fn printed_table_of_cases(pdf: &Path, guide: &Guide) -> Vec<(String, Vec<String>)> {
    let layout = pdf_pages(pdf, true);
    let marks = bookmarks(pdf);
    let start = marks.iter().find(|b| b.title == "Table of cases").unwrap_or_else(|| panic!("{}: no Table of cases bookmark", guide.id)).page;
    let end = marks.iter().map(|b| b.page).filter(|&p| p > start).min().unwrap_or(layout.len());
    let mut entries = Vec::new();
    let mut pending = String::new();
    for page in &layout[start..end] {
        let mut lines: Vec<&str> = page.lines().filter(|l| !l.trim().is_empty()).collect();
        lines.pop(); // the footer
        if lines.first().is_some_and(|l| l.trim_start().starts_with(&guide.title)) {
            lines.remove(0); // the running head
        }
        for line in lines {
            let t = line.trim_end();
            if t.trim() == "Table of cases" {
                continue;
            }
            let (head, tail) = match t.rfind("  ") {
                Some(i) => (&t[..i], t[i..].trim()),
                None => ("", t.trim()),
            };
            let is_pages = !tail.is_empty() && tail.split(", ").all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == '\u{2060}'));
            if is_pages && !(head.trim().is_empty() && pending.trim().is_empty()) {
                let entry = normalise(&format!("{pending} {head}"));
                let pages = tail.split(", ").map(|n| n.trim_matches('\u{2060}').to_owned()).collect();
                entries.push((entry, pages));
                pending.clear();
            } else {
                pending.push(' ');
                pending.push_str(t.trim());
            }
        }
    }
    assert!(pending.trim().is_empty(), "{}: table of cases ends with an entry without page numbers: {pending}", guide.id);
    entries
}

/// Checks one entry's page numbers; returns the problems found.
fn check_entry(g: &GuidePdf, corpus: &Corpus, entry: &casebook::render::CaseEntry, listed: &[String]) -> Vec<String> {
    let case = corpus.case(entry.case);
    let name = &case.info.name;
    let mut problems = Vec::new();
    let listed_set: BTreeSet<String> = listed.iter().cloned().collect();
    if listed_set.len() != listed.len() {
        problems.push(format!("{name}: a page is listed twice: {listed:?}"));
    }
    let citing_chapters: BTreeSet<usize> = entry.places.iter().map(|p| p.chapter).collect();
    let mut chapters_seen = BTreeSet::new();
    for l in listed {
        let Some(&p) = g.body_page.get(l) else {
            problems.push(format!("{name}: listed page {l} is not a page of the body"));
            continue;
        };
        match g.chapters.iter().position(|&(s, e)| s <= p && p < e) {
            Some(k) if citing_chapters.contains(&k) => {
                chapters_seen.insert(k);
            }
            other => problems.push(format!("{name}: listed page {l} is in chapter {other:?}, which does not cite it (citing chapters: {citing_chapters:?})")),
        }
        if !page_mentions(&g.text[p], name, case.info.short_name.as_deref()) {
            problems.push(format!("{name}: listed page {l} does not mention the case"));
        }
    }
    for k in citing_chapters.difference(&chapters_seen) {
        problems.push(format!("{name}: cited in chapter {} but no page of that chapter is listed", k + 1));
    }
    let computed = g.cited_on.get(&case.id).cloned().unwrap_or_default();
    if computed != listed_set {
        let mut pages: Vec<usize> = computed.iter().filter_map(|l| l.parse().ok()).collect();
        pages.sort();
        problems.push(format!(
            "{name}: the table lists pages {listed:?} ({} pages) but the PDF cites it on pages {pages:?} ({} pages)",
            listed_set.len(),
            computed.len()
        ));
    }
    problems
}

#[test]
fn table_of_cases_lists_the_pages_where_each_case_is_cited() {
    let corpus = sample_corpus();
    for gid in SAMPLE_GUIDES {
        let guide = guide(&corpus, gid);
        let pdf = sample_pdf(gid);
        let g = read_guide_pdf(&pdf, guide);
        let expected = casebook::render::table_of_cases(&corpus, guide);
        let printed = printed_table_of_cases(&pdf, guide);
        assert!(!expected.is_empty(), "{gid}: the sample guide cites no cases");
        let printed_names: Vec<&str> = printed.iter().map(|(e, _)| e.as_str()).collect();
        assert_eq!(printed.len(), expected.len(), "{gid}: the table of cases has {} entries, the guide cites {} cases: {printed_names:#?}", printed.len(), expected.len());

        let mut problems = Vec::new();
        for (entry, (text, pages)) in expected.iter().zip(&printed) {
            let case = corpus.case(entry.case);
            // (a) The entry, in table order: the name as the table prints it,
            // roman, then the citation.
            let table_name = normalise(&casebook::oscola::case_table_name(&case.info.name));
            let full = normalise(&casebook::oscola::plain(&casebook::oscola::case_table_entry(&case.info)));
            assert!(text.starts_with(&table_name), "{gid}: expected an entry for `{table_name}`, found `{text}`");
            assert_eq!(text, &full, "{gid}: table of cases entry");
            // (b) Its pages.
            problems.extend(check_entry(&g, &corpus, entry, pages).into_iter().map(|p| format!("{gid}: {p}")));
        }
        assert!(problems.is_empty(), "table of cases problems:\n{}", problems.join("\n"));

        // Negative checks. Cases of the bank that the guide does not cite are
        // neither in the table nor found cited anywhere in the PDF…
        let cited: BTreeSet<_> = expected.iter().map(|e| e.case).collect();
        for (i, case) in corpus.cases.iter().enumerate() {
            if cited.contains(&casebook::model::CaseIdx(i)) {
                continue;
            }
            let full = normalise(&casebook::oscola::plain(&casebook::oscola::case_table_entry(&case.info)));
            assert!(!printed.iter().any(|(t, _)| *t == full), "{gid}: uncited case `{}` is in the table of cases", case.info.name);
            assert!(!g.cited_on.contains_key(&case.id), "{gid}: uncited case `{}` is linked as cited on {:?}", case.id, g.cited_on.get(&case.id));
        }
        // …and the check itself catches wrong page numbers: one case's pages
        // given to another case, or pages shifted by one, are rejected.
        let (a, b) = (0..expected.len())
            .flat_map(|a| (0..expected.len()).map(move |b| (a, b)))
            .find(|&(a, b)| {
                let pa: BTreeSet<_> = printed[a].1.iter().collect();
                let pb: BTreeSet<_> = printed[b].1.iter().collect();
                pa != pb
            })
            .expect("two cases with different pages");
        assert!(!check_entry(&g, &corpus, &expected[a], &printed[b].1).is_empty(), "{gid}: listing the pages of one case for another went unnoticed");
        for (entry, (_, pages)) in expected.iter().zip(&printed) {
            let shifted: Vec<String> = pages.iter().map(|p| (p.parse::<usize>().unwrap() + 1).to_string()).collect();
            assert!(!check_entry(&g, &corpus, entry, &shifted).is_empty(), "{gid}: shifted pages {shifted:?} went unnoticed");
        }
        // Every page the table names is a real, numbered page.
        assert!(g.label.iter().flatten().count() > 10, "{gid}: too few numbered pages");
    }
}

// ---------------------------------------------------------------------------
// 4. Text is text.
// ---------------------------------------------------------------------------

#[test]
fn special_characters_print_literally() {
    let out_dir = TempDir::new("special");
    let out = build(&fixture("special-characters"), out_dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let pdf = out_dir.join("guide.pdf");
    let hay = squash(&pdf_text(&pdf));
    // Each field as a whole, then each literal alone. Smart punctuation turns
    // `--` into an en dash and straight quotes into curly ones (normalised back).
    let expected = [
        // guide title (title page, running heads), subtitle, edition, authors
        "Title #set page(width: 1cm) $x^2$ *not bold* _under_ <angle> \\backslash",
        "Subtitle // not a comment /* not a comment */ @label ~tilde~",
        "= not a heading",
        "A. Author #set page(width: 1cm)",
        // publisher (title page)
        "Press #set page(width: 1cm) $x^2$ @label",
        // chapter title
        "Chapter #set page(width: 1cm) $x^2$ *not bold* _under_ @label <angle>",
        // paragraph
        "Paragraph one: #set page(width: 1cm) and $x^2$ and *not bold* and _under_ and @label and <angle> and `tick` and \\backslash and // not a comment and /* not a comment */ and user@example.com and https://example.com/a_(b)[c] and ~tilde~ and a\u{2013}b and \"quotes\".",
        // line starts that would be Typst markup
        "= not a heading at the start of a paragraph.",
        "- not a list at the start of a paragraph.",
        "1999. not a list at the start of a paragraph.",
        // heading
        "Heading #set page(width: 1cm) $x^2$ *not bold* @label <angle>",
        // list items
        "List item: #set page(width: 1cm) and _under_ and // not a comment",
        "List item: $x^2$ and ~tilde~ and \\backslash and `tick`",
        // table header and cells
        "Column $x^2$",
        "Column <angle>",
        "Cell #set page(width: 1cm)",
        "Cell @label and /* not a comment */",
        // case name (text, footnote, table of cases, key cases, summary)
        "Smith v Jones $x^2$ @label #set page(width: 1cm) [2001] UKHL 1, [2002] 1 AC 1",
        // case one-line summary (key cases table) and summary sections
        "Summary: <angle> // not a comment \\backslash *not bold*",
        "Facts: #set page(width: 1cm) and $x^2$ and *not bold* and _under_ and <angle>.",
        "Held: @label and `tick` and /* not a comment */ and ~tilde~.",
        "Principle: \\backslash and // not a comment and user@example.com.",
        // user footnote
        "Footnote: #set page(width: 1cm) and $x^2$ and *not bold* and @label and <angle> and \\backslash and // not a comment and user@example.com.",
        // the literals one by one
        "#set page(width: 1cm)",
        "$x^2$",
        "*not bold*",
        "_under_",
        "@label",
        "<angle>",
        "`tick`",
        "\\backslash",
        "// not a comment",
        "/* not a comment */",
        "user@example.com",
        "https://example.com/a_(b)[c]",
        "~tilde~",
        "a\u{2013}b",
        "\"quotes\"",
    ];
    let missing: Vec<&str> = expected.iter().copied().filter(|e| !hay.contains(&squash(e))).collect();
    assert!(missing.is_empty(), "not printed literally: {missing:#?}\n--- PDF text\n{}", pdf_text(&pdf));
    // `#set page(width: 1cm)` did not run: every page is still A4.
    for (i, (w, h)) in page_sizes(&pdf).into_iter().enumerate() {
        assert!((w - 595.276).abs() < 0.01 && (h - 841.89).abs() < 0.01, "page {} is {w} x {h}", i + 1);
    }
}

// ---------------------------------------------------------------------------
// 5. Reproducible.
// ---------------------------------------------------------------------------

#[test]
fn builds_are_byte_identical() {
    let guide = "public-law";
    let first = std::fs::read(sample_pdf(guide)).unwrap();
    let build_one = |name: &str, epoch: Option<&str>| -> Vec<u8> {
        let dir = TempDir::new(name);
        let mut cmd = build_cmd(&repo().join("guides"), dir.path(), &["--guide", guide]);
        if let Some(e) = epoch {
            cmd.env("SOURCE_DATE_EPOCH", e);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(entries, vec![std::ffi::OsString::from(format!("{guide}.pdf"))], "--guide {guide} wrote other files");
        if epoch.is_none() {
            // The edition date (2026-09-01) is the PDF's date when SOURCE_DATE_EPOCH is unset.
            let info = pdfinfo(&dir.join(format!("{guide}.pdf")));
            assert_eq!(info.get("CreationDate").map(String::as_str), Some("2026-09-01T00:00:00Z"), "{info:?}");
            assert_eq!(info.get("ModDate").map(String::as_str), Some("2026-09-01T00:00:00Z"), "{info:?}");
        }
        std::fs::read(dir.join(format!("{guide}.pdf"))).unwrap()
    };
    let second = build_one("repro", None);
    assert!(first == second, "{guide}: two builds of the same sources differ ({} vs {} bytes)", first.len(), second.len());

    let with_epoch_a = build_one("repro-epoch-a", Some("1788220800"));
    let with_epoch_b = build_one("repro-epoch-b", Some("1788220800"));
    assert!(with_epoch_a == with_epoch_b, "{guide}: two builds with SOURCE_DATE_EPOCH differ");
    // 1788220800 is 2026-09-01T00:00:00Z, the guide's own date: same bytes again.
    assert!(with_epoch_a == first, "{guide}: SOURCE_DATE_EPOCH equal to the edition date changed the PDF");

    // SOURCE_DATE_EPOCH overrides the edition date (checked on a small guide).
    let dir = TempDir::new("epoch-override");
    let out = build_cmd(&fixture("special-characters"), dir.path(), &[]).env("SOURCE_DATE_EPOCH", "1800000000").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let pdf = dir.join("guide.pdf");
    let info = pdfinfo(&pdf);
    assert!(info.get("CreationDate").is_some_and(|d| d.starts_with("2027-01-15")), "SOURCE_DATE_EPOCH=1800000000 (2027-01-15): {info:?}");
    assert!(normalise(&pdf_text(&pdf)).contains("15 January 2027"), "the title page does not show the SOURCE_DATE_EPOCH date");
}

// ---------------------------------------------------------------------------
// 6. Atomic output.
// ---------------------------------------------------------------------------

#[test]
fn failed_build_keeps_the_previous_pdf() {
    use std::os::unix::fs::MetadataExt;
    let tmp = TempDir::new("atomic");
    let ws = tmp.join("ws");
    let out_dir = tmp.join("out");
    copy_dir(&fixture("two-guides"), &ws);
    let alpha = out_dir.join("alpha.pdf");
    let beta = out_dir.join("beta.pdf");

    let out = build(&ws, &out_dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(is_pdf(&alpha) && is_pdf(&beta), "both guides are built: {}", describe(&out));
    let before = std::fs::read(&alpha).unwrap();
    let meta = std::fs::metadata(&alpha).unwrap();

    let out_dir_entries = || -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    };
    let assert_alpha_untouched = |when: &str| {
        assert!(std::fs::read(&alpha).unwrap() == before, "{when}: alpha.pdf changed");
        let now = std::fs::metadata(&alpha).unwrap();
        assert_eq!(now.ino(), meta.ino(), "{when}: alpha.pdf was replaced");
        assert_eq!(now.modified().unwrap(), meta.modified().unwrap(), "{when}: alpha.pdf was rewritten");
    };

    // An unknown citation in guide alpha: exit 1, alpha.pdf stays, beta is rebuilt.
    let chapter = ws.join("alpha/chapter.md");
    let source = std::fs::read_to_string(&chapter).unwrap();
    std::fs::write(&chapter, format!("{source}\nA broken citation: [@no-such-case].\n")).unwrap();
    std::fs::remove_file(&beta).unwrap();
    let out = build(&ws, &out_dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(text(&out.stderr).contains("unknown-citation"), "{}", describe(&out));
    assert_alpha_untouched("after an unknown citation");
    assert!(is_pdf(&beta), "the other guide was not rebuilt: {}", describe(&out));
    assert!(page_count(&beta) > 1);
    assert_eq!(out_dir_entries(), ["alpha.pdf", "beta.pdf"], "temporary files left in the output folder");

    // A failure inside Typst (an image it cannot decode) keeps it too.
    std::fs::write(ws.join("alpha/broken.png"), b"not a PNG at all\x00\xff").unwrap();
    std::fs::write(&chapter, format!("{source}\n![A broken picture](broken.png)\n")).unwrap();
    let out = build(&ws, &out_dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_alpha_untouched("after a Typst error");
    assert_eq!(out_dir_entries(), ["alpha.pdf", "beta.pdf"], "temporary files left in the output folder");

    // The source folders were not written to.
    assert!(!ws.join("dist").exists(), "the build wrote into the workspace although --out was given");
}

// ---------------------------------------------------------------------------
// 7-9. Errors from Typst and from the manifest.
// ---------------------------------------------------------------------------

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect()
}

fn assert_no_generated_names(outputs: &[&Output]) {
    for out in outputs {
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!all.contains("__casebook__"), "a generated file name leaked: {all}");
        assert!(!all.contains(".typ"), "a Typst file name leaked: {all}");
    }
}

#[test]
fn typst_errors_point_at_the_markdown() {
    let dir = TempDir::new("bad-image");
    let ws = fixture("bad-image");
    let line = std::fs::read_to_string(ws.join("g/pictures.md")).unwrap().lines().position(|l| l.contains("broken.png")).unwrap() + 1;

    let human = build(&ws, dir.path(), &[]);
    assert_eq!(human.status.code(), Some(1), "{}", describe(&human));
    let stderr = text(&human.stderr);
    assert!(stderr.contains(&format!("g/pictures.md:{line}:")), "the error does not point at g/pictures.md line {line}:\n{stderr}");
    assert!(stderr.contains("![A broken picture](broken.png)"), "the source line is not shown:\n{stderr}");
    assert!(stderr.contains("error"), "{stderr}");

    let json = build(&ws, dir.path(), &["--message-format", "json"]);
    assert_eq!(json.status.code(), Some(1), "{}", describe(&json));
    let diags = json_lines(&text(&json.stdout));
    let errors: Vec<&Value> = diags.iter().filter(|d| d["severity"] == "error").collect();
    assert!(!errors.is_empty(), "no error in the JSON output: {}", describe(&json));
    for d in &errors {
        assert_eq!(d["file"], "g/pictures.md", "{d}");
        assert_eq!(d["line"], line as u64, "{d}");
        assert!(d["message"].as_str().is_some_and(|m| !m.is_empty()), "{d}");
    }
    assert_no_generated_names(&[&human, &json]);
    assert!(!dir.join("g.pdf").exists(), "a PDF was written despite the error");
}

#[test]
fn preview_packages_are_refused_offline() {
    let tmp = TempDir::new("preview");
    let ws = tmp.join("ws");
    copy_dir(&fixture("preview-package"), &ws);
    let template = std::fs::read_to_string(repo().join("templates/guide.typ")).unwrap();
    std::fs::create_dir_all(ws.join("templates")).unwrap();
    std::fs::write(ws.join("templates/guide.typ"), format!("#import \"@preview/cetz:0.3.0\": *\n{template}")).unwrap();

    let out_dir = tmp.join("out");
    let human = build(&ws, &out_dir, &[]);
    assert_eq!(human.status.code(), Some(1), "{}", describe(&human));
    let stderr = text(&human.stderr);
    assert!(stderr.contains("casebook works offline and cannot import Typst packages"), "{stderr}");
    assert!(stderr.contains("@preview/cetz:0.3.0"), "{stderr}");
    assert!(stderr.contains("templates/guide.typ:1:"), "the error does not point at templates/guide.typ line 1:\n{stderr}");

    let json = build(&ws, &out_dir, &["--message-format", "json"]);
    assert_eq!(json.status.code(), Some(1), "{}", describe(&json));
    let diags = json_lines(&text(&json.stdout));
    let d = diags.iter().find(|d| d["severity"] == "error").unwrap_or_else(|| panic!("no error: {}", describe(&json)));
    assert_eq!(d["file"], "templates/guide.typ", "{d}");
    assert_eq!(d["line"], 1, "{d}");
    assert!(d["message"].as_str().unwrap().contains("cannot import Typst packages"), "{d}");
    for out in [&human, &json] {
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!all.contains("__casebook__"), "a generated file name leaked: {all}");
    }
    assert!(!out_dir.join("g.pdf").exists(), "a PDF was written despite the error");
}

#[test]
fn missing_font_is_a_diagnostic() {
    let dir = TempDir::new("font");
    let out = build(&fixture("missing-font"), dir.path(), &["--message-format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let diags = json_lines(&text(&out.stdout));
    let d = diags.iter().find(|d| d["code"] == "missing-font").unwrap_or_else(|| panic!("no missing-font diagnostic: {}", describe(&out)));
    assert_eq!(d["severity"], "error", "{d}");
    assert_eq!(d["file"], "g/guide.toml", "{d}");
    assert_eq!(d["line"], 6, "{d}");
    assert!(d["message"].as_str().unwrap().contains("Comic Sans MS"), "{d}");
    let hint = d["hint"].as_str().unwrap_or_default();
    for family in ["Libertinus Serif", "Inter", "DejaVu Sans Mono"] {
        assert!(hint.contains(family), "the hint does not list `{family}`: {hint}");
    }
    assert!(!dir.join("g.pdf").exists(), "a PDF was written despite the error");
}

// ---------------------------------------------------------------------------
// 10-12. Paper, PDF/UA-1, big content.
// ---------------------------------------------------------------------------

#[test]
fn paper_sizes() {
    let tmp = TempDir::new("paper");
    let ws = tmp.join("ws");
    let out = bin().arg("new").arg(&ws).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let manifest = ws.join("casebook.toml");
    let original = std::fs::read_to_string(&manifest).unwrap();
    assert!(original.lines().any(|l| l.trim_start().starts_with("pdf.paper")), "casebook new wrote no pdf.paper: {original}");
    for (paper, w, h) in [("a4", 595.276, 841.89), ("a5", 419.528, 595.276), ("us-letter", 612.0, 792.0)] {
        let edited: String = original
            .lines()
            .map(|l| if l.trim_start().starts_with("pdf.paper") { format!("pdf.paper = \"{paper}\"") } else { l.to_owned() })
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(&manifest, edited).unwrap();
        let out_dir = tmp.join(format!("out-{paper}"));
        let out = build(&ws, &out_dir, &[]);
        assert_eq!(out.status.code(), Some(0), "{paper}: {}", describe(&out));
        let pdf = out_dir.join("my-guide.pdf");
        let sizes = page_sizes(&pdf);
        assert!(sizes.len() > 3, "{paper}: {} pages", sizes.len());
        for (i, (pw, ph)) in sizes.into_iter().enumerate() {
            assert!((pw - w).abs() < 0.01 && (ph - h).abs() < 0.01, "{paper}: page {} is {pw} x {ph}, expected {w} x {h}", i + 1);
        }
    }
}

#[test]
fn pdf_ua1_export_succeeds_on_every_sample_guide() {
    let tmp = TempDir::new("ua1");
    let ws = tmp.join("guides");
    copy_dir(&repo().join("guides"), &ws);
    let manifest = ws.join("casebook.toml");
    let text_of = |p: &Path| std::fs::read_to_string(p).unwrap();
    let m = text_of(&manifest);
    assert!(m.contains("\npdf.paper = \"a4\"\n"), "the sample manifest changed: {m}");
    std::fs::write(&manifest, m.replacen("\npdf.paper = \"a4\"\n", "\npdf.paper = \"a4\"\npdf.standard = \"ua-1\"\n", 1)).unwrap();
    let mut overrides = 0;
    for g in SAMPLE_GUIDES {
        let path = ws.join(g).join("guide.toml");
        let t = text_of(&path);
        let kept: Vec<&str> = t.lines().filter(|l| !l.trim_start().starts_with("standard")).collect();
        overrides += t.lines().count() - kept.len();
        std::fs::write(&path, kept.join("\n") + "\n").unwrap();
    }
    assert!(overrides >= 1, "no per-guide `standard` was removed: the test no longer exercises the workspace default");

    let out_dir = tmp.join("out");
    let out = build(&ws, &out_dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    for g in SAMPLE_GUIDES {
        let pdf = out_dir.join(format!("{g}.pdf"));
        let info = pdfinfo(&pdf);
        assert_eq!(info.get("Tagged").map(String::as_str), Some("yes"), "{g}: {info:?}");
        let bytes = std::fs::read(&pdf).unwrap();
        let xmp = String::from_utf8_lossy(&bytes);
        assert!(xmp.contains("<pdfuaid:part>1</pdfuaid:part>"), "{g}: no PDF/UA-1 identification (pdfuaid:part) in the XMP metadata");
    }
    // The check discriminates: a guide built without ua-1 has no pdfuaid.
    let plain = std::fs::read(sample_pdf("criminal-law")).unwrap();
    assert!(!String::from_utf8_lossy(&plain).contains("pdfuaid:part"), "criminal-law claims PDF/UA without asking for it");
}

/// Words on one line must not overprint each other.
fn overlapping_words(words: &[Word]) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, a) in words.iter().enumerate() {
        for b in &words[i + 1..] {
            let same_line = (a.y0 - b.y0).abs() < 0.5;
            let overlap = a.x0.max(b.x0) < a.x1.min(b.x1) - 0.5;
            if same_line && overlap {
                problems.push(format!("`{}` and `{}` overprint at y {:.1}", a.text, b.text, a.y0));
            }
        }
    }
    problems
}

#[test]
fn wide_tables_and_big_diagrams_build() {
    let dir = TempDir::new("wide");
    let out = build(&fixture("wide-table-big-diagram"), dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let pdf = dir.join("g.pdf");
    let pages = pdf_pages(&pdf, false);
    let find = |needle: &str| -> usize {
        pages.iter().position(|p| squash(p).contains(needle)).unwrap_or_else(|| panic!("`{needle}` is not in the PDF:\n{}", pages.join("\n\x0c\n")))
    };
    let table_page = find("LastColumnHeaderZulu");
    let diagram_page = find("Finalnodeomega");
    // Every node of the chain is drawn.
    for i in 1..30 {
        find(&format!("Stepnumber{i}"));
    }
    let words = pdf_words(&pdf);
    for (what, p) in [("table", table_page), ("diagram", diagram_page)] {
        let ((w, h), ws) = &words[p];
        for word in ws {
            assert!(word.x0 >= 0.0 && word.x1 <= *w && word.y0 >= 0.0 && word.y1 <= *h, "{what}: `{}` is off the page ({word:?})", word.text);
        }
        let overlaps = overlapping_words(ws);
        assert!(overlaps.is_empty(), "{what} page {}: {overlaps:#?}", p + 1);
    }
    // The table stays inside the text area (A4, 2.3 cm margins): its cells
    // wrap rather than run off into the margin. The tolerance is one cell
    // inset (6 pt): a header word that cannot be hyphenated narrower than its
    // column ("Column-") pokes a little past the last cell today.
    let right_edge = 595.276 - 2.3 / 2.54 * 72.0;
    let (_, ws) = &words[table_page];
    let widest = ws.iter().map(|w| w.x1).fold(0.0, f64::max);
    assert!(widest <= right_edge + 6.0, "the table runs into the right margin: x = {widest:.1} > {right_edge:.1}");
}

// ---------------------------------------------------------------------------
// Sources from other editors and operating systems.
// ---------------------------------------------------------------------------

/// The ways a file's lines may end (and start): the sample's own LF, Windows'
/// CRLF, old Mac editors' lone CR, a mix of the three, and CRLF after a UTF-8
/// byte-order mark (`reencode_tree` also writes UTF-16 with CRLF).
fn reencode(text: &str, variant: &str) -> String {
    match variant {
        "lf" => text.to_owned(),
        "crlf" => text.replace('\n', "\r\n"),
        "cr" => text.replace('\n', "\r"),
        "mixed" => {
            let mut out = String::new();
            for (i, line) in text.split_inclusive('\n').enumerate() {
                match line.strip_suffix('\n') {
                    Some(l) => {
                        out.push_str(l);
                        // In this order a lone CR is never followed by an LF, which
                        // would make one CRLF of two line endings.
                        out.push_str(["\r\n", "\n", "\r"][i % 3]);
                    }
                    None => out.push_str(line),
                }
            }
            out
        }
        "bom-crlf" => format!("\u{feff}{}", text.replace('\n', "\r\n")),
        other => panic!("unknown variant {other}"),
    }
}

/// Rewrites every Markdown and TOML file under `dir` in `variant`.
fn reencode_tree(dir: &Path, variant: &str) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            reencode_tree(&p, variant);
        } else if p.extension().is_some_and(|x| x == "md" || x == "toml") {
            let t = std::fs::read_to_string(&p).unwrap();
            assert!(!t.contains('\r'), "{} is not LF in the repository", p.display());
            let bytes: Vec<u8> = match variant.strip_prefix("utf16le-") {
                // Windows editors' "Unicode".
                Some(v) => [0xFF, 0xFE].into_iter().chain(reencode(&t, v).encode_utf16().flat_map(u16::to_le_bytes)).collect(),
                None => reencode(&t, variant).into_bytes(),
            };
            std::fs::write(&p, bytes).unwrap();
        }
    }
}

#[test]
fn line_endings_and_byte_order_marks_change_nothing() {
    let tmp = TempDir::new("eol");
    let mut reference: Option<(String, Vec<u8>, Vec<u8>)> = None;
    for variant in ["lf", "crlf", "cr", "mixed", "bom-crlf", "utf16le-crlf"] {
        let ws = tmp.join(variant);
        copy_dir(&repo().join("guides"), &ws);
        // A stray control character (as some exports leave) is a warning at its
        // place in every variant, and is dropped from both editions.
        let chapter = ws.join("criminal-law/introduction.md");
        let mut t = std::fs::read_to_string(&chapter).unwrap();
        t.push_str("\nA stray\u{0} control character and an escape\u{1b} in the text.\n");
        std::fs::write(&chapter, t).unwrap();
        reencode_tree(&ws, variant);

        let check = bin().args(["check", "--message-format", "json"]).arg(&ws).output().unwrap();
        assert_eq!(check.status.code(), Some(0), "{variant}: {}", describe(&check));
        let diags = text(&check.stdout);
        assert_eq!(diags.lines().filter(|l| l.contains("\"control-character\"")).count(), 2, "{variant}: {diags}");

        let out = tmp.join(format!("{variant}-out"));
        let o = bin().arg("build").arg(&ws).args(["--guide", "criminal-law", "--out"]).arg(&out).output().unwrap();
        assert!(o.status.success(), "{variant}: {}", describe(&o));
        let pdf = std::fs::read(out.join("criminal-law.pdf")).unwrap();
        let epub = std::fs::read(out.join("criminal-law.epub")).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&epub)).unwrap();
        let mut intro = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("EPUB/ch01-introduction.xhtml").unwrap(), &mut intro).unwrap();
        assert!(intro.contains("A stray control character and an escape in the text."), "{variant}: {intro}");
        match &reference {
            None => {
                let pdf_path = out.join("criminal-law.pdf");
                let words = pdf_text(&pdf_path);
                assert!(words.contains("A stray control character and an escape in the text."), "the line prints without its controls");
                reference = Some((diags, pdf, epub));
            }
            Some((d, p, e)) => {
                assert_eq!(&diags, d, "{variant}: diagnostics differ from the LF sources'");
                assert!(p == &pdf, "{variant}: the PDF differs from the LF sources'");
                assert!(e == &epub, "{variant}: the EPUB differs from the LF sources'");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Pages a reader would accept: no page stops short, no title ends a page.
// ---------------------------------------------------------------------------

/// One line of `pdftotext -bbox-layout`: its box in points from the top-left
/// corner, its text, and the number of the text block it belongs to.
#[derive(Debug, Clone)]
struct TextLine {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    text: String,
    block: usize,
}

/// Page sizes and lines of every page, in reading order.
fn pdf_lines(pdf: &Path) -> Vec<((f64, f64), Vec<TextLine>)> {
    let out = tool_ok("pdftotext", [OsStr::new("-bbox-layout"), OsStr::new("-enc"), OsStr::new("UTF-8"), pdf.as_os_str(), OsStr::new("-")]);
    let mut pages = Vec::new();
    let mut block = 0;
    for chunk in out.split("<page ").skip(1) {
        let head = &chunk[..chunk.find('>').unwrap()];
        let size = (bbox_attr(head, "width"), bbox_attr(head, "height"));
        let mut lines = Vec::new();
        for b in chunk.split("<block ").skip(1) {
            block += 1;
            for l in b.split("<line ").skip(1) {
                let tag = &l[..l.find('>').unwrap()];
                let words: Vec<String> = l
                    .split("<word ")
                    .skip(1)
                    .map(|w| unescape(&w[w.find('>').unwrap() + 1..w.find("</word>").unwrap()]))
                    .collect();
                lines.push(TextLine { x0: bbox_attr(tag, "xMin"), y0: bbox_attr(tag, "yMin"), x1: bbox_attr(tag, "xMax"), y1: bbox_attr(tag, "yMax"), text: words.join(" "), block });
            }
        }
        pages.push((size, lines));
    }
    pages
}

/// The text block of a page (top and bottom, points from the top), from the
/// page size: the margins of `templates/guide.typ` (A4 and US letter: 2.6 cm
/// top, 2.4 cm bottom; A5: 2 cm and 1.8 cm).
fn text_block((w, h): (f64, f64)) -> (f64, f64) {
    let cm = 72.0 / 2.54;
    if (w - 419.53).abs() < 1.0 {
        (2.0 * cm, h - 1.8 * cm)
    } else {
        (2.6 * cm, h - 2.4 * cm)
    }
}

/// Per physical page, where its footnotes begin (points from the top), if it
/// has any. A footnote's mark in the text and the number of its entry link to
/// each other; the entry is the later of the two (same page, lower down, or a
/// later page), and the first entry's top is the top of the footnotes.
fn footnote_tops(pdf: &Path) -> Vec<Option<f64>> {
    let doc = QpdfDoc::read(pdf);
    let pages = doc.pages();
    let index: BTreeMap<String, usize> = pages.iter().enumerate().map(|(i, p)| (p["object"].as_str().unwrap().to_owned(), i)).collect();
    // (page, x, top) of each link, and (page, x, top) of its explicit destination.
    struct Jump {
        page: usize,
        x: f64,
        top: f64,
        to: (usize, f64, f64),
    }
    let mut jumps = Vec::new();
    for (i, p) in pages.iter().enumerate() {
        let page = doc.page(p);
        let height = num(&page["/MediaBox"][3]);
        for a in doc.annotations(&page) {
            let Some(dest) = link_dest(&a) else { continue };
            let dest = doc.deref(dest);
            let Some(d) = dest.as_array() else { continue };
            if d.len() < 4 || d[1] != "/XYZ" {
                continue;
            }
            let Some(&to_page) = d[0].as_str().and_then(|r| index.get(r)) else { continue };
            let to_height = num(&doc.deref(&d[0])["/MediaBox"][3]);
            jumps.push(Jump { page: i, x: num(&a["/Rect"][0]), top: height - num(&a["/Rect"][3]), to: (to_page, num(&d[2]), to_height - num(&d[3])) });
        }
    }
    let mut tops = vec![None; pages.len()];
    for entry in &jumps {
        for mark in &jumps {
            let back = entry.to.0 == mark.page && (entry.to.1 - mark.x).abs() < 0.5 && (entry.to.2 - mark.top).abs() < 1.0;
            let forth = mark.to.0 == entry.page && (mark.to.2 - entry.top).abs() < 15.0;
            if back && forth && (entry.page, entry.top) > (mark.page, mark.top) {
                let top = mark.to.2.min(entry.top);
                let t: &mut Option<f64> = &mut tops[entry.page];
                *t = Some(t.map_or(top, |t| t.min(top)));
            }
        }
    }
    tops
}

/// The lines of each page's text block, without its footnotes, running
/// head and page number.
fn body_lines(pdf: &Path) -> Vec<((f64, f64), Vec<TextLine>)> {
    let notes = footnote_tops(pdf);
    pdf_lines(pdf)
        .into_iter()
        .enumerate()
        .map(|(i, (size, lines))| {
            let (top, bottom) = text_block(size);
            let end = notes[i].map_or(bottom, |n| n - 1.0);
            (size, lines.into_iter().filter(|l| l.y1 > top && l.y0 < bottom && l.y0 < end).collect())
        })
        .collect()
}

/// Physical pages (0-based) that end a chapter or another top-level part (the
/// contents, a table, the case summaries, the glossary): the page before each
/// top-level bookmark's page, and the last page.
fn part_ends(pdf: &Path, pages: usize) -> BTreeSet<usize> {
    let mut ends: BTreeSet<usize> = bookmarks(pdf).iter().filter(|b| b.page > 0).map(|b| b.page - 1).collect();
    ends.insert(pages - 1);
    ends
}

/// A figure's caption as Typst prints it: "Figure 3: …".
fn is_caption(line: &str) -> bool {
    line.strip_prefix("Figure ").and_then(|r| r.split_once(':')).is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// The pages of a guide that stop short: less than two-thirds of the text
/// block filled (by its lowest line of text, footnotes aside), on a page
/// before the last page of its chapter. Excepted: pages before the contents
/// (cover and title page), and a page that ends in a figure (its lowest line
/// is the caption), where the text that follows the figure does not fit.
fn short_pages(pdf: &Path) -> Vec<String> {
    let pages = body_lines(pdf);
    let labels = labels_and_links(pdf);
    let mut ends = part_ends(pdf, pages.len());
    // Printed on both sides, a part may end before a blank left-hand page.
    let blanks: Vec<usize> = (1..pages.len()).filter(|&p| ends.contains(&p) && pages[p].1.is_empty()).collect();
    ends.extend(blanks.iter().map(|p| p - 1));
    let contents = pages
        .iter()
        .position(|(_, lines)| lines.first().is_some_and(|l| normalise(&l.text) == "Contents"))
        .expect("a page that begins with `Contents`");
    let mut short = Vec::new();
    for (p, (size, lines)) in pages.iter().enumerate().skip(contents) {
        if ends.contains(&p) {
            continue;
        }
        let (top, bottom) = text_block(*size);
        let Some(lowest) = lines.iter().max_by(|a, b| a.y1.total_cmp(&b.y1)) else {
            short.push(format!("physical page {} is empty", p + 1));
            continue;
        };
        let fill = (lowest.y1 - top) / (bottom - top);
        if fill < 2.0 / 3.0 && !is_caption(&normalise(&lowest.text)) {
            short.push(format!(
                "page {} (physical {}) is {:.0} % full; its last line: `{}`",
                labels[p].0.as_deref().unwrap_or("?"),
                p + 1,
                fill * 100.0,
                lowest.text
            ));
        }
    }
    short
}

#[test]
fn no_page_stops_short_before_its_chapter_ends() {
    let mut problems = Vec::new();
    for g in SAMPLE_GUIDES {
        let pdf = sample_pdf(g);
        // The footnotes are found (else a page with a gap above them would pass).
        let notes = footnote_tops(&pdf).iter().flatten().count();
        assert!(notes >= 3, "{g}: footnotes found on only {notes} pages");
        problems.extend(short_pages(&pdf).into_iter().map(|s| format!("{g}: {s}")));
    }
    assert!(problems.is_empty(), "pages less than two-thirds full before the end of their chapter:\n{}", problems.join("\n"));
}

/// The titles of a guide's callouts and panels as printed: each callout's
/// label ("PITFALL", "STEP 3") and title; a rule panel's header; a `case` or
/// `statute` block's labels, its authority's name and the headings beside it
/// (also the section titles of the case summaries).
fn callout_titles(corpus: &Corpus, guide: &Guide) -> BTreeSet<String> {
    let mut titles: BTreeSet<String> = ["RULE AND EXCEPTIONS", "CONCEPT", "HELD", "PRINCIPLE"].map(str::to_owned).into();
    for e in guide.chapters.iter().flat_map(|ch| &ch.body) {
        let Event::Start(Tag::Callout(c)) = e else { continue };
        let label = c.kind.name().replace('-', " ").to_uppercase();
        titles.insert(match c.step {
            Some(n) => format!("{label} {n}"),
            None => label,
        });
        if !c.title.is_empty() {
            titles.insert(normalise(&c.title));
        }
        match &c.target {
            Some(CalloutTarget::Case(ci)) => {
                titles.insert(normalise(&corpus.case(*ci).info.name));
            }
            Some(CalloutTarget::Provision(ii, p)) => {
                let title = &corpus.instrument(*ii).info.title;
                titles.insert(normalise(&match p {
                    Some(p) => format!("{title}, {}", p.display()),
                    None => title.clone(),
                }));
            }
            None => {}
        }
    }
    titles
}

/// Titles (one to three lines of one text block) that are the last line of
/// their column: no line of the text block lies below them, across their
/// width, on a page that is not the document's last.
fn titles_ending_pages(pdf: &Path, titles: &BTreeSet<String>) -> Vec<String> {
    let pages = body_lines(pdf);
    let labels = labels_and_links(pdf);
    let mut found = Vec::new();
    for (p, (_, lines)) in pages.iter().enumerate().take(pages.len().saturating_sub(1)) {
        for i in 0..lines.len() {
            for k in 1..=3 {
                let part = &lines[i..(i + k).min(lines.len())];
                if part.len() < k || part.iter().any(|l| l.block != lines[i].block) {
                    break;
                }
                let text = normalise(&part.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n"));
                if !titles.contains(&text) {
                    continue;
                }
                let bottom = part.iter().map(|l| l.y1).fold(f64::MIN, f64::max);
                let (x0, x1) = (part.iter().map(|l| l.x0).fold(f64::MAX, f64::min), part.iter().map(|l| l.x1).fold(f64::MIN, f64::max));
                // A callout's own title (or the name in a case box) is set under
                // its label: the same words elsewhere (a table cell) are not a title.
                let is_label = text.chars().all(|c| !c.is_lowercase());
                if !is_label {
                    let top = part.iter().map(|l| l.y0).fold(f64::MAX, f64::min);
                    let above = lines
                        .iter()
                        .filter(|l| l.y1 <= top + 1.0 && l.x0 < x1 && l.x1 > x0)
                        .max_by(|a, b| a.y1.total_cmp(&b.y1));
                    if !above.is_some_and(|l| titles.contains(&normalise(&l.text)) && l.text.chars().all(|c| !c.is_lowercase())) {
                        continue;
                    }
                }
                let below = lines.iter().any(|l| l.y0 > bottom - 1.0 && l.x0 < x1 && l.x1 > x0);
                if !below {
                    found.push(format!("page {} (physical {}): `{text}`", labels[p].0.as_deref().unwrap_or("?"), p + 1));
                }
            }
        }
    }
    found
}

#[test]
fn no_callout_or_panel_title_ends_a_page() {
    let corpus = sample_corpus();
    let mut problems = Vec::new();
    for g in SAMPLE_GUIDES {
        let titles = callout_titles(&corpus, guide(&corpus, g));
        assert!(titles.len() > 10, "{g}: only {} callout titles found in the sources", titles.len());
        problems.extend(titles_ending_pages(&sample_pdf(g), &titles).into_iter().map(|s| format!("{g}: {s}")));
    }
    assert!(problems.is_empty(), "callout or panel titles that are the last line of a page:\n{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------
// The large-print edition (RNIB clear print) and printing on both sides.
// ---------------------------------------------------------------------------

/// The folder holding `<guide>-large-print.pdf` for every sample guide, built on first use.
fn large_print_pdfs() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = shared_temp_dir("large-print");
        let _ = std::fs::remove_dir_all(&dir);
        let out = bin().arg("build").arg(repo().join("guides")).args(["--format", "large-print", "--out"]).arg(&dir).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "building the large-print editions failed: {}", describe(&out));
        dir
    })
}

fn large_print_pdf(guide: &str) -> PathBuf {
    let p = large_print_pdfs().join(format!("{guide}-large-print.pdf"));
    assert!(p.is_file(), "{} was not written", p.display());
    p
}

/// The words of a page grouped into lines (same top within 1 pt), top to bottom.
fn word_lines(words: &[Word]) -> Vec<Vec<Word>> {
    let mut sorted = words.to_vec();
    sorted.sort_by(|a, b| a.y0.total_cmp(&b.y0).then(a.x0.total_cmp(&b.x0)));
    let mut lines: Vec<Vec<Word>> = Vec::new();
    for w in sorted {
        match lines.last_mut() {
            Some(l) if (l[0].y0 - w.y0).abs() < 1.0 => l.push(w),
            _ => lines.push(vec![w]),
        }
    }
    lines
}

#[test]
fn large_print_is_tagged_pdf_ua_1_and_passes_qpdf_check() {
    for g in SAMPLE_GUIDES {
        let pdf = large_print_pdf(g);
        let info = pdfinfo(&pdf);
        assert_eq!(info.get("Tagged").map(String::as_str), Some("yes"), "{g}: {info:?}");
        let xmp = String::from_utf8_lossy(&std::fs::read(&pdf).unwrap()).into_owned();
        assert!(xmp.contains("<pdfuaid:part>1</pdfuaid:part>"), "{g}: the large-print edition does not claim PDF/UA-1");
        let check = tool("qpdf", [OsStr::new("--check"), pdf.as_os_str()]);
        assert_eq!(check.status.code(), Some(0), "{g}: qpdf --check: {}", text(&check.stdout));
        // The whole guide: every chapter is in it, as in the print edition.
        let titles: Vec<String> = bookmarks(&pdf).into_iter().map(|b| b.title).collect();
        let print: Vec<String> = bookmarks(&sample_pdf(g)).into_iter().map(|b| b.title).collect();
        assert_eq!(titles, print, "{g}: the large-print edition's outline differs from the guide's");
    }
}

#[test]
fn large_print_type_is_16_pt_and_nothing_is_under_14_pt() {
    for g in SAMPLE_GUIDES {
        let pages = pdf_words(&large_print_pdf(g));
        // The body size: the commonest word height (pdftotext's box is the
        // font's ascent to descent, a fixed multiple of the size).
        let mut heights: BTreeMap<i64, usize> = BTreeMap::new();
        for (_, words) in &pages {
            for w in words {
                *heights.entry(((w.y1 - w.y0) * 10.0).round() as i64).or_default() += 1;
            }
        }
        let body = *heights.iter().max_by_key(|(_, n)| **n).unwrap().0 as f64 / 10.0;
        // Inter's box is 1.21 em: the body is 16 pt.
        assert!((body / 1.21 - 16.0).abs() < 0.3, "{g}: body words are {body} pt tall, not 16 pt type");
        let floor = body * 14.0 / 16.0 - 0.3;
        let mut small = Vec::new();
        for (i, (_, words)) in pages.iter().enumerate() {
            // Lettering inside an author's picture cannot be set again: the
            // picture is enlarged, a wide one turned onto a page of its own
            // (its words then run upwards, taller than wide), and not checked.
            let rotated = |w: &&Word| w.text.chars().count() >= 3 && w.y1 - w.y0 > w.x1 - w.x0;
            if words.iter().filter(rotated).count() >= 3 {
                continue;
            }
            for w in words.iter().filter(|w| w.y1 - w.y0 < floor) {
                small.push(format!("page {}: {:?} ({:.1} pt tall)", i + 1, w.text, w.y1 - w.y0));
            }
        }
        assert!(small.is_empty(), "{g}: words under 14 pt (body {body} pt tall):\n{}", small.iter().take(20).cloned().collect::<Vec<_>>().join("\n"));

        // Line spacing 1.5: baselines of a paragraph's lines 24 pt apart.
        let mut pitches: BTreeMap<i64, usize> = BTreeMap::new();
        for (_, words) in &pages {
            let lines = word_lines(words);
            for pair in lines.windows(2) {
                let (a, b) = (&pair[0][0], &pair[1][0]);
                if ((a.y1 - a.y0) - body).abs() < 0.2 && ((b.y1 - b.y0) - body).abs() < 0.2 {
                    *pitches.entry(((b.y0 - a.y0) * 2.0).round() as i64).or_default() += 1;
                }
            }
        }
        let pitch = *pitches.iter().max_by_key(|(_, n)| **n).unwrap().0 as f64 / 2.0;
        assert_eq!(pitch, 24.0, "{g}: the commonest line pitch is {pitch} pt, not 1.5 × 16 pt");
    }
}

/// The share of full lines (six words or more, not the last of their
/// paragraph) that end flush with their paragraph's right edge: nearly all in
/// justified text, few when ragged right.
fn flush_right_share(pdf: &Path) -> f64 {
    let (mut flush, mut total) = (0usize, 0usize);
    for (_, lines) in pdf_lines(pdf) {
        let mut blocks: BTreeMap<usize, Vec<&TextLine>> = BTreeMap::new();
        for l in &lines {
            blocks.entry(l.block).or_default().push(l);
        }
        for block in blocks.values().filter(|b| b.len() >= 3) {
            let right = block.iter().map(|l| l.x1).fold(0.0, f64::max);
            // Not counting the longest line, which is flush by definition.
            let full: Vec<&&TextLine> = block[..block.len() - 1].iter().filter(|l| l.text.split_whitespace().count() >= 6).collect();
            if full.len() >= 2 {
                total += full.len() - 1;
                flush += full.iter().filter(|l| right - l.x1 < 0.5).count().saturating_sub(1);
            }
        }
    }
    flush as f64 / total.max(1) as f64
}

#[test]
fn large_print_is_ragged_right_and_unhyphenated() {
    // Every word of the sources, to tell a hyphen written by the author
    // (`self-defence` broken after its hyphen) from one added by hyphenation.
    let mut sources = String::new();
    for e in walk(&repo().join("guides")) {
        if e.extension().is_some_and(|x| x == "md") {
            sources.push_str(&std::fs::read_to_string(&e).unwrap());
        }
    }
    let sources = normalise(&sources);
    for g in SAMPLE_GUIDES {
        let lp = large_print_pdf(g);
        let share = flush_right_share(&lp);
        assert!(share < 0.1, "{g}: {:.0} % of the large-print edition's full lines end flush right: justified", share * 100.0);
        // The check discriminates: the print edition is justified.
        let print = flush_right_share(&sample_pdf(g));
        // (poppler's paragraphs are not always the template's: a third is plenty.)
        assert!(print > 0.25, "{g}: only {:.0} % of the print edition's full lines end flush right", print * 100.0);

        let mut added = Vec::new();
        for (_, lines) in pdf_lines(&lp) {
            for pair in lines.windows(2) {
                let Some(last) = pair[0].text.split_whitespace().last() else { continue };
                let Some(next) = pair[1].text.split_whitespace().next() else { continue };
                let frag = last.trim_start_matches(|c: char| !c.is_alphanumeric());
                if frag.len() > 1 && frag.ends_with('-') && next.starts_with(|c: char| c.is_lowercase()) {
                    let word = format!("{frag}{}", next.trim_end_matches(|c: char| !c.is_alphanumeric()));
                    if !sources.contains(&word) {
                        added.push(word);
                    }
                }
            }
        }
        assert!(added.is_empty(), "{g}: words hyphenated at a line end in large print: {added:?}");
    }
}

/// Every file under a folder, sorted.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn large_print_stacks_side_by_side_blocks_and_sets_large_flowcharts_as_steps() {
    let g = "criminal-law";
    // Side by side in print, one above the other in large print.
    let side_by_side = |pdf: &Path| -> (usize, usize) {
        let (mut beside, mut stacked) = (0, 0);
        for (_, words) in pdf_words(pdf) {
            for (i, w) in words.iter().enumerate().filter(|(_, w)| w.text == "CONCEPT") {
                if let Some(a) = words[i + 1..].iter().find(|a| a.text == "CASE" || a.text == "STATUTE") {
                    if (a.x0 - w.x0).abs() < 20.0 { stacked += 1 } else { beside += 1 }
                }
            }
        }
        (beside, stacked)
    };
    let (beside, stacked) = side_by_side(&large_print_pdf(g));
    assert_eq!(beside, 0, "{g}: {beside} case or statute blocks side by side in large print");
    assert!(stacked >= 3, "{g}: only {stacked} stacked case or statute blocks found in large print");
    let (beside, _) = side_by_side(&sample_pdf(g));
    assert!(beside >= 1, "{g}: the check does not discriminate: no side-by-side block in print");

    // A flowchart too wide for 14 pt labels becomes numbered steps with its
    // caption; the print edition draws it.
    let lp = normalise(&tool_ok("pdftotext", [large_print_pdf(g).as_os_str(), OsStr::new("-")]));
    assert!(lp.contains("Figure 1: Can an omission found liability?"), "{g}: the first flowchart's caption is missing");
    assert!(lp.contains("Step 1. D failed to act"), "{g}: the first flowchart is not set as steps in large print");
    assert!(lp.contains("Yes: step 4 (Did D owe a duty to act?)"), "{g}: the flowchart's branches are not set as steps");
    let print = normalise(&tool_ok("pdftotext", [sample_pdf(g).as_os_str(), OsStr::new("-")]));
    assert!(!print.contains("Step 1. D failed to act"), "{g}: the print edition sets the flowchart as steps");
}

#[test]
fn large_print_tables_of_authorities_carry_its_own_page_numbers() {
    let g = "criminal-law";
    let pdf = large_print_pdf(g);
    let labels = page_labels(&pdf);
    let pages = pdf_words(&pdf);
    // The table of cases' first entry, and its pages, point at pages where the case is cited.
    let body_start = labels.iter().position(|l| l == "1").expect("a page labelled 1");
    // The first roman page naming Airedale: the table of cases.
    let toc = (0..pages.len()).find(|&p| is_roman(&labels[p]) && pages[p].1.iter().any(|w| w.text == "Airedale")).expect("a table of cases");
    let entry = pages[toc].1.iter().position(|w| w.text == "Airedale").expect("the Airedale entry");
    let line_y = pages[toc].1[entry].y0;
    // The page numbers end the line (the report's page, `AC 789`, is not one).
    let mut line: Vec<&Word> = pages[toc].1.iter().filter(|w| (w.y0 - line_y).abs() < 1.0).collect();
    line.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    let numbers: Vec<usize> = line.iter().rev().map_while(|w| w.text.trim_end_matches(',').parse().ok()).collect();
    assert!(!numbers.is_empty(), "{g}: no page numbers after Airedale in the large-print table of cases");
    for n in numbers {
        let (_, words) = &pages[body_start + n - 1];
        assert!(words.iter().any(|w| w.text.starts_with("Airedale")), "{g}: large-print page {n} does not cite Airedale");
    }
}

#[test]
fn duplex_mirrors_margins_and_opens_chapters_on_right_hand_pages() {
    // criminal-law sets pdf.duplex = true; public-law does not.
    let pdf = sample_pdf("criminal-law");
    let pages = pdf_words(&pdf);
    let labels = page_labels(&pdf);
    // Chapters, the case summaries and the glossary open on odd (right-hand) pages.
    for b in bookmarks(&pdf) {
        if labels[b.page].parse::<usize>().is_ok() {
            assert_eq!(b.page % 2, 0, "{:?} opens on physical page {} (a left-hand page)", b.title, b.page + 1);
        }
    }
    let body = labels.iter().position(|l| l == "1").unwrap();
    assert_eq!(body % 2, 0, "page 1 is physical page {}, a left-hand page", body + 1);
    // Blank pages are wholly blank: no running head, no page number.
    let blanks: Vec<usize> = (0..pages.len()).filter(|&i| i > 0 && pages[i].1.is_empty()).collect();
    assert!(!blanks.is_empty(), "no blank verso at all: the check does not run");
    let near_blank: Vec<usize> = (1..pages.len()).filter(|&i| !pages[i].1.is_empty() && pages[i].1.len() <= 3).collect();
    assert!(near_blank.is_empty(), "pages with only a running head or number: {:?}", near_blank.iter().map(|i| i + 1).collect::<Vec<_>>());
    // Mirrored margins: the running head starts at the inner margin (2.8 cm)
    // on right-hand pages and at 1.8 cm on left-hand ones.
    let cm = 72.0 / 2.54;
    let mut checked = 0;
    for (i, (_, words)) in pages.iter().enumerate().skip(2) {
        let Some(head) = words.iter().min_by(|a, b| a.y0.total_cmp(&b.y0)) else { continue };
        if head.text != "Criminal" {
            continue;
        }
        let want = if i % 2 == 0 { 2.8 * cm } else { 1.8 * cm };
        assert!((head.x0 - want).abs() < 1.0, "physical page {}: the running head starts at {:.1} pt, not {:.1} pt", i + 1, head.x0, want);
        checked += 1;
    }
    assert!(checked > 20, "only {checked} running heads checked");
    // A guide printed on one side keeps equal margins and no blank pages.
    let simplex = pdf_words(&sample_pdf("public-law"));
    let heads: BTreeSet<i64> = simplex.iter().skip(2).filter_map(|(_, ws)| ws.iter().min_by(|a, b| a.y0.total_cmp(&b.y0))).filter(|w| w.text == "Public").map(|w| w.x0.round() as i64).collect();
    assert_eq!(heads.len(), 1, "public-law's running heads start at {heads:?}");
}

// ---------------------------------------------------------------------------
// The whole revision pack.
// ---------------------------------------------------------------------------

/// Every sample guide makes all six outputs (the workspace's `[defaults]`):
/// built twice, at `-j 1` and `-j 2`, they are byte-identical; every PDF is
/// tagged and passes `qpdf --check`; the large-print edition is PDF/UA-1, and
/// the summary is too for the guide that asks for UA (public-law).
#[test]
fn every_output_of_the_sample_guides_is_reproducible_tagged_and_sound() {
    let tmp = TempDir::new("pack");
    let mut dirs = Vec::new();
    for jobs in ["1", "2"] {
        let out = tmp.join(format!("out-{jobs}"));
        let o = bin().arg("build").arg(repo().join("guides")).arg("--out").arg(&out).args(["-j", jobs, "--quiet"]).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
        dirs.push(out);
    }
    let mut want: Vec<String> = Vec::new();
    for g in SAMPLE_GUIDES {
        for f in [".pdf", ".epub", "-cards.pdf", "-summary.pdf", "-large-print.pdf", ".anki.txt"] {
            want.push(format!("{g}{f}"));
        }
    }
    want.sort();
    let mut have: Vec<String> = std::fs::read_dir(&dirs[0]).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    have.sort();
    assert_eq!(have, want, "the sample guides' outputs");
    for name in &want {
        let (a, b) = (std::fs::read(dirs[0].join(name)).unwrap(), std::fs::read(dirs[1].join(name)).unwrap());
        assert!(a == b, "{name} differs between two builds");
        if !name.ends_with(".pdf") {
            continue;
        }
        let pdf = dirs[0].join(name);
        assert_eq!(pdfinfo(&pdf).get("Tagged").map(String::as_str), Some("yes"), "{name} is not tagged");
        let check = tool("qpdf", [OsStr::new("--check"), pdf.as_os_str()]);
        assert_eq!(check.status.code(), Some(0), "{name}: qpdf --check: {}", text(&check.stdout));
        let ua = String::from_utf8_lossy(&a).contains("<pdfuaid:part>1</pdfuaid:part>");
        let asks = name.starts_with("public-law");
        if name.ends_with("-large-print.pdf") || (asks && name.ends_with("-summary.pdf")) {
            assert!(ua, "{name} is not PDF/UA-1");
        }
        if !asks && !name.ends_with("-large-print.pdf") {
            assert!(!ua, "{name} claims PDF/UA-1 without being asked");
        }
    }
}
