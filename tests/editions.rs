//! The two editions say the same thing: for every chapter of every sample
//! guide, the words of the EPUB are the words of the PDF (issue 7, section 3,
//! "The EPUB's words are the print's words").
//!
//! The sample guides are built once, as a user builds them (`casebook build
//! guides`, both formats), into `$CARGO_TARGET_TMPDIR/editions/`. Then, per
//! guide and per part of the body (every chapter, and the appendix of case
//! summaries and the glossary when the guide has them):
//!
//! - **EPUB side**: the text content of the part's XHTML documents, as the
//!   navigation document groups them (a chapter and, with chapter-end case
//!   summaries, its `-cases` document), read with roxmltree. Elements hidden by
//!   a `.class { display: none }` rule of the book's stylesheet are skipped,
//!   since no reader sees them (they still separate words), and inline
//!   elements that a rule sets as blocks separate words. List items get the
//!   marker that the PDF prints and the stylesheet draws (the template's
//!   `•`, `–`, `·` by depth; `1.` and so on). The chapter-end notes
//!   (`section.footnotes`) are kept apart as the footnote stream; their
//!   "Notes" heading exists only because the notes sit at the chapter's end,
//!   so it is part of footnote placement.
//! - **PDF side**: the part's pages (from the first-level bookmarks, read with
//!   `qpdf --json`), read with `pdftotext -bbox-layout` in its reading order;
//!   a `pdftotext` line that spans two columns is cut at the gap. On every
//!   page the running head (the guide's title and the chapter's title: the
//!   topmost line) and the page number (the lowest line) are checked and
//!   dropped, and so is a table's header row that Typst repeats at the top of
//!   a page the table runs on to (the table's own running head). A figure
//!   is an image in the EPUB, so the words it draws (a flowchart's node and
//!   edge labels, from the resolved model; the text of an SVG image) are not
//!   the EPUB's text: they are dropped from the PDF, found as a run of lines
//!   that holds exactly those words, one after another down the page (a
//!   figure spans the text's width). Its caption is text on both sides.
//! - Hyphenation is undone: a word that ends in Typst's hyphenation mark
//!   (U+00AD) is joined to the start of the next line of its paragraph, which
//!   `pdftotext` may give after the other column or after the page's
//!   footnotes (see [`join_open`]).
//! - Both sides are cut into the same tokens: runs of letters (compared in
//!   lower case, since the PDF template sets labels in capitals where the
//!   EPUB stylesheet uses `text-transform`), runs of digits, and every other
//!   character on its own. Whitespace only separates tokens, so a line broken
//!   after a dash or a slash reads as it does in the EPUB, and a footnote's
//!   number reads the same next to its text or apart. Typographic ligatures
//!   are expanded; quotes and dashes are compared as they are.
//!
//! Two checks, in order:
//!
//! 1. **The same words.** The multiset of tokens of the part (main text and
//!    footnotes) is the same in both editions. Footnotes may sit at the foot
//!    of the page or at the chapter's end; either way their words count once.
//! 2. **In the same order.** Each page's footnotes are found as the tail of
//!    the page that continues the EPUB's notes in order (a note may go on over
//!    the page); the rest of every page, joined, must read exactly as the
//!    EPUB's main text. Blocks that the PDF sets side by side (a `case` or
//!    `statute` block in two columns, a table row) are compared as a multiset
//!    at their place, since `pdftotext` reads columns one after the other.
//!
//! On failure the test lists every part that differs and prints, for the
//! first (for all with `CASEBOOK_EDITIONS_ALL=1`), the tokens found on one
//! side only with their counts, then every run of tokens that differs, with
//! its context and the PDF's page (a run that only moved, as a column read
//! in another order, is left out).
//!
//! Run with `cargo test --release --test editions` (Typst is very slow
//! unoptimised). poppler-utils and qpdf must be installed; a missing tool
//! fails the test.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use casebook::model::{Corpus, Event, Guide};
use support::{bookmarks, repo, tool_ok};

mod support;

const SAMPLE_GUIDES: [&str; 3] = ["criminal-law", "international-law", "public-law"];

/// The folder holding `<guide>.pdf` and `<guide>.epub` for every sample
/// guide, built once per run by the binary.
fn built() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("editions");
        let _ = std::fs::remove_dir_all(&dir);
        let out = Command::new(env!("CARGO_BIN_EXE_casebook"))
            .arg("build")
            .arg(repo().join("guides"))
            .arg("--out")
            .arg(&dir)
            .env_remove("SOURCE_DATE_EPOCH")
            .output()
            .expect("the casebook binary runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "building the sample guides failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    })
}

/// The sample workspace as the library resolves it (titles and diagrams).
fn corpus() -> Corpus {
    let (_ws, corpus, _diags) =
        casebook::resolve::check(&repo().join("guides"), &casebook::resolve::ResolveOptions::default()).expect("the sample workspace loads");
    corpus
}

// ---------------------------------------------------------------------------
// Tokens.
// ---------------------------------------------------------------------------

/// Typographic ligatures that a PDF's text layer may keep as one character.
fn expand_ligature(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{FB00}' => "ff",
        '\u{FB01}' => "fi",
        '\u{FB02}' => "fl",
        '\u{FB03}' => "ffi",
        '\u{FB04}' => "ffl",
        '\u{FB05}' | '\u{FB06}' => "st",
        _ => return None,
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Class {
    Letter,
    Digit,
    Space,
    Other,
}

fn class(c: char) -> Class {
    if c.is_alphabetic() {
        Class::Letter
    } else if c.is_numeric() {
        Class::Digit
    } else if c.is_whitespace() {
        Class::Space
    } else {
        Class::Other
    }
}

/// Cuts text into tokens (see the module's documentation) and appends them.
/// Soft hyphens and zero-width characters are dropped.
fn tokenize(text: &str, out: &mut Vec<String>) {
    let mut chars: Vec<char> = Vec::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{AD}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}' => {}
            _ => match expand_ligature(c) {
                Some(s) => chars.extend(s.chars()),
                None => chars.push(c),
            },
        }
    }
    let mut cur = String::new();
    let mut cur_class = Class::Space;
    for c in chars {
        let k = class(c);
        if k != cur_class || k == Class::Other {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur_class = k;
        }
        match k {
            Class::Space => {}
            Class::Letter => cur.extend(c.to_lowercase()),
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
}

fn tokens_of(text: &str) -> Vec<String> {
    let mut v = Vec::new();
    tokenize(text, &mut v);
    v
}

/// A token of the PDF: `open` when its line ended in a hyphenation mark, so
/// that the word goes on at the start of a later line; `line_start` when it
/// starts a line; `page` is the printed page number.
#[derive(Clone, Debug)]
struct Tok {
    text: String,
    open: bool,
    line_start: bool,
    page: usize,
}

/// Undoes hyphenation: joins every open token to the start of a later line.
/// That is the next line of its paragraph, which `pdftotext` gives next, or
/// after the other column of a two-column block, or after the page's
/// footnotes. So the continuation is, in this order of preference: the next
/// line's first token when the two make a word of the EPUB (first for every
/// open token, so that no other open token takes it); else the first
/// line-starting token, on the same page or the next, that makes a word of
/// the EPUB with it; else (a word found in the PDF only) the next line's
/// first token.
fn join_open(toks: &[Tok], words: &BTreeSet<String>) -> Vec<Tok> {
    let mut toks = toks.to_vec();
    let makes_word = |toks: &[Tok], i: usize, j: usize| words.contains(&format!("{}{}", toks[i].text, toks[j].text));
    let next_line = |toks: &[Tok], i: usize| (i + 1..toks.len()).find(|&j| toks[j].line_start);
    let join = |toks: &mut Vec<Tok>, i: usize, j: usize| {
        let next = toks.remove(j);
        toks[i].text.push_str(&next.text);
        toks[i].open = next.open;
    };
    for pass in 0..2 {
        let mut i = 0;
        while i < toks.len() {
            if toks[i].open {
                let next = next_line(&toks, i);
                let cont = next.filter(|&j| makes_word(&toks, i, j)).or_else(|| {
                    if pass == 0 {
                        return None;
                    }
                    (i + 1..toks.len())
                        .take_while(|&j| toks[j].page <= toks[i].page + 1)
                        .find(|&j| toks[j].line_start && makes_word(&toks, i, j))
                        .or(next)
                });
                if let Some(j) = cont {
                    join(&mut toks, i, j);
                    continue;
                }
            }
            i += 1;
        }
    }
    toks
}

// ---------------------------------------------------------------------------
// The EPUB.
// ---------------------------------------------------------------------------

/// Parses XHTML, which starts with a document type declaration.
fn parse_xml(text: &str) -> Result<roxmltree::Document<'_>, roxmltree::Error> {
    roxmltree::Document::parse_with_options(text, roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() })
}

/// The files of an EPUB, by name.
fn epub_files(path: &Path) -> BTreeMap<String, String> {
    let bytes = std::fs::read(path).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut files = BTreeMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().to_owned();
        let mut s = String::new();
        if f.read_to_string(&mut s).is_ok() {
            files.insert(name, s);
        }
    }
    files
}

/// How the stylesheet displays elements of a class, from its rules of the
/// form `.x { … display: none|block … }` (a class that a rule hides, or sets
/// as a block, though its element is inline in XHTML).
#[derive(Default)]
struct Display {
    hidden: BTreeSet<String>,
    block: BTreeSet<String>,
}

fn class_display(css: &str) -> Display {
    let mut d = Display::default();
    for rule in css.split('}') {
        let Some((selectors, body)) = rule.split_once('{') else { continue };
        let body: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        let set = if body.contains("display:none") {
            &mut d.hidden
        } else if body.contains("display:block") {
            &mut d.block
        } else {
            continue;
        };
        // A comment before the selector is part of the chunk.
        let selectors = selectors.rsplit("*/").next().unwrap();
        for sel in selectors.split(',') {
            if let Some(class) = sel.trim().strip_prefix('.') {
                if class.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_') {
                    set.insert(class.to_owned());
                }
            }
        }
    }
    d
}

/// The navigation document's top-level entries: title and the documents
/// they and their sub-entries point to, in order.
fn nav_parts(nav: &str) -> Vec<(String, Vec<String>)> {
    let doc = parse_xml(nav).expect("nav.xhtml is well-formed");
    let toc = doc
        .descendants()
        .find(|n| n.has_tag_name("nav") && n.attribute(("http://www.idpf.org/2007/ops", "type")) == Some("toc"))
        .expect("a toc nav");
    let ol = toc.children().find(|n| n.has_tag_name("ol")).expect("the toc's list");
    let mut parts = Vec::new();
    for li in ol.children().filter(|n| n.has_tag_name("li")) {
        let a = li.children().find(|n| n.has_tag_name("a")).expect("a toc entry with a link");
        let title = a.descendants().filter(|n| n.is_text()).map(|n| n.text().unwrap()).collect::<String>();
        let mut files: Vec<String> = Vec::new();
        for link in li.descendants().filter(|n| n.has_tag_name("a")) {
            let href = link.attribute("href").unwrap();
            let file = href.split('#').next().unwrap().to_owned();
            if !files.contains(&file) {
                files.push(file);
            }
        }
        parts.push((title.split_whitespace().collect::<Vec<_>>().join(" "), files));
    }
    parts
}

/// The words of a part of the EPUB.
#[derive(Default)]
struct EpubText {
    /// Main text: tokens, each with the side-by-side block it belongs to.
    main: Vec<(String, Option<usize>)>,
    /// Footnotes, in order, each starting with its number.
    notes: Vec<Vec<String>>,
    /// The header rows of tables (which the PDF repeats on every page a
    /// table runs on to).
    table_heads: Vec<Vec<String>>,
    /// The captions of figures.
    floats: Vec<String>,
}

/// Inline elements: no word boundary at their edges.
const INLINE: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "i", "ins", "kbd", "mark", "q", "s", "samp", "small",
    "span", "strong", "sub", "sup", "time", "u", "var",
];

/// Walks the XHTML of a part, collecting its text into an [`EpubText`].
struct Walker<'a> {
    display: &'a Display,
    out: EpubText,
    buf: String,
    bag: Option<usize>,
    bags: usize,
    in_caption: bool,
}

impl Walker<'_> {
    /// Cuts the text gathered so far into tokens of the current block.
    fn flush(&mut self) {
        let mut toks = Vec::new();
        tokenize(&std::mem::take(&mut self.buf), &mut toks);
        if self.in_caption {
            self.out.floats.extend(toks);
        } else {
            self.out.main.extend(toks.into_iter().map(|t| (t, self.bag)));
        }
    }

    fn has_class(n: roxmltree::Node, class: &str) -> bool {
        n.attribute("class").is_some_and(|c| c.split_whitespace().any(|x| x == class))
    }

    /// Gathers the text of a node and its descendants.
    fn walk(&mut self, n: roxmltree::Node) {
        if n.is_text() {
            self.buf.push_str(n.text().unwrap());
            return;
        }
        if !n.is_element() {
            return;
        }
        let name = n.tag_name().name();
        let classes = || n.attribute("class").unwrap_or("").split_whitespace();
        if classes().any(|x| self.display.hidden.contains(x)) {
            // Hidden, but still a boundary between the words around it.
            self.buf.push(' ');
            return;
        }
        if name == "section" && Self::has_class(n, "footnotes") {
            for note in n.descendants().filter(|d| d.has_tag_name("aside")) {
                // Block children (paragraphs) are separated.
                let mut s = String::new();
                for d in note.descendants() {
                    if d.is_text() {
                        s.push_str(d.text().unwrap());
                    } else if d.is_element() && !INLINE.contains(&d.tag_name().name()) {
                        s.push(' ');
                    }
                }
                self.out.notes.push(tokens_of(&s));
            }
            return;
        }
        let inline = INLINE.contains(&name) && !classes().any(|x| self.display.block.contains(x));
        if name == "thead" {
            let text: String = n.descendants().filter(|d| d.is_text()).map(|d| format!("{} ", d.text().unwrap())).collect();
            self.out.table_heads.push(tokens_of(&text));
        }
        // Blocks that the PDF sets side by side.
        let side_by_side = self.bag.is_none()
            && (name == "tr" || (name == "section" && (Self::has_class(n, "c-case") || Self::has_class(n, "c-statute"))));
        if !inline {
            self.buf.push(' ');
        }
        if side_by_side {
            self.flush();
            self.bag = Some(self.bags);
            self.bags += 1;
        }
        if name == "li" {
            self.buf.push_str(&list_marker(n));
            self.buf.push(' ');
        }
        let caption = name == "figcaption" && !self.in_caption;
        if caption {
            self.flush();
            self.in_caption = true;
        }
        for c in n.children() {
            self.walk(c);
        }
        if caption {
            self.flush();
            self.in_caption = false;
        }
        if side_by_side {
            self.flush();
            self.bag = None;
        }
        if !inline {
            self.buf.push(' ');
        }
    }
}

/// The marker the PDF prints before a list item, which the EPUB's stylesheet
/// draws instead: the template's bullets (`•`, `–`, `·` by depth of nesting)
/// or the item's number (`1.`).
fn list_marker(li: roxmltree::Node) -> String {
    let Some(list) = li.parent_element() else { return String::new() };
    if list.has_tag_name("ol") {
        let start: usize = list.attribute("start").and_then(|s| s.parse().ok()).unwrap_or(1);
        let index = list.children().filter(|c| c.has_tag_name("li")).position(|c| c == li).unwrap();
        format!("{}.", start + index)
    } else if list.has_tag_name("ul") {
        let depth = list.ancestors().filter(|a| a.has_tag_name("ul")).count();
        ["•", "–", "·"][(depth - 1) % 3].to_owned()
    } else {
        String::new()
    }
}

fn epub_part_text(files: &BTreeMap<String, String>, docs: &[String], display: &Display) -> EpubText {
    let mut w = Walker { display, out: EpubText::default(), buf: String::new(), bag: None, bags: 0, in_caption: false };
    for d in docs {
        let src = files.get(&format!("EPUB/{d}")).unwrap_or_else(|| panic!("EPUB/{d} is missing"));
        let doc = parse_xml(src).unwrap_or_else(|e| panic!("{d} is not well-formed: {e}"));
        let body = doc.descendants().find(|n| n.has_tag_name("body")).expect("a body");
        w.walk(body);
        w.flush();
    }
    w.out
}

// ---------------------------------------------------------------------------
// The PDF.
// ---------------------------------------------------------------------------

/// A line of `pdftotext -bbox-layout`: its words and box, in points from the
/// page's top-left corner.
#[derive(Debug, Clone)]
struct Line {
    words: Vec<String>,
    y0: f64,
    y1: f64,
    x0: f64,
}

impl Line {
    fn text(&self) -> String {
        self.words.join(" ")
    }
}

/// The words of a `pdftotext` line, as one or more lines: `pdftotext` may
/// give the lines of two columns at the same height as one line, so a gap
/// wider than the line's height starts a new line. Words that `pdftotext`
/// split inside letter-spaced text (labels set with tracking) are joined
/// again: a gap under an eighth of the line's height is no word space.
fn split_line(line: roxmltree::Node) -> Vec<Line> {
    let num = |n: roxmltree::Node, a: &str| -> f64 { n.attribute(a).unwrap().parse().unwrap() };
    let mut out: Vec<Line> = Vec::new();
    let mut last_x1 = f64::INFINITY;
    for w in line.children().filter(|w| w.has_tag_name("word")) {
        let text = w.text().unwrap_or("");
        let (x0, y0, x1, y1) = (num(w, "xMin"), num(w, "yMin"), num(w, "xMax"), num(w, "yMax"));
        let gap = x0 - last_x1;
        let height = y1 - y0;
        match out.last_mut() {
            Some(l) if gap >= 0.0 && gap < height / 8.0 => l.words.last_mut().unwrap().push_str(text),
            Some(l) if gap >= 0.0 && gap <= height => {
                l.words.push(text.to_owned());
                l.y0 = l.y0.min(y0);
                l.y1 = l.y1.max(y1);
            }
            _ => out.push(Line { words: vec![text.to_owned()], y0, y1, x0 }),
        }
        last_x1 = x1;
    }
    out
}

/// The lines of every page, in `pdftotext`'s reading order.
fn pdf_lines(pdf: &Path) -> Vec<Vec<Line>> {
    let out = tool_ok("pdftotext", [OsStr::new("-bbox-layout"), OsStr::new("-enc"), OsStr::new("UTF-8"), pdf.as_os_str(), OsStr::new("-")]);
    let doc = parse_xml(&out).expect("pdftotext -bbox-layout prints XHTML");
    doc.descendants()
        .filter(|n| n.has_tag_name("page"))
        .map(|page| page.descendants().filter(|n| n.has_tag_name("line")).flat_map(split_line).collect())
        .collect()
}

/// The first-level bookmarks: title (whitespace collapsed) and physical page (0-based).
fn top_bookmarks(pdf: &Path) -> Vec<(String, usize)> {
    bookmarks(pdf).into_iter().map(|b| (b.title.split_whitespace().collect::<Vec<_>>().join(" "), b.page)).collect()
}

/// A figure of a chapter: the words it draws (a flowchart's node and edge
/// labels, or the text of an SVG image), which the EPUB has as an image and
/// so not as text, and its caption's tokens.
struct Figure {
    drawn: Vec<String>,
    caption: Vec<String>,
}

/// The figures of a chapter that draw words, in order.
fn figures(guide: &Guide, chapter_title: &str) -> Vec<Figure> {
    let Some(ch) = guide.chapters.iter().find(|c| c.title == chapter_title) else { return Vec::new() };
    let mut figures = Vec::new();
    for e in &ch.body {
        match e {
            Event::Diagram(d) => {
                let mut drawn = Vec::new();
                for n in &d.graph.nodes {
                    tokenize(&n.label, &mut drawn);
                }
                for e in &d.graph.edges {
                    if let Some(l) = &e.label {
                        tokenize(l, &mut drawn);
                    }
                }
                figures.push(Figure { drawn, caption: tokens_of(d.title.as_deref().unwrap_or("")) });
            }
            Event::Image(img) if img.path.ends_with(".svg") => {
                let svg = std::fs::read_to_string(&img.abs_path).unwrap();
                let doc = parse_xml(&svg).unwrap_or_else(|e| panic!("{}: {e}", img.path));
                let mut drawn = Vec::new();
                for t in doc.descendants().filter(|n| n.has_tag_name("text")) {
                    let text: String = t.descendants().filter(|n| n.is_text()).map(|n| n.text().unwrap()).collect();
                    tokenize(&text, &mut drawn);
                }
                if !drawn.is_empty() {
                    figures.push(Figure { drawn, caption: tokens_of(img.title.as_deref().unwrap_or("")) });
                }
            }
            _ => {}
        }
    }
    figures
}

fn counts<'a>(toks: impl IntoIterator<Item = &'a String>) -> BTreeMap<&'a str, i64> {
    let mut m = BTreeMap::new();
    for t in toks {
        *m.entry(t.as_str()).or_insert(0) += 1;
    }
    m
}

/// The lines of a page from top to bottom (left to right on one level).
fn top_down(lines: &[Line]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by(|&a, &b| lines[a].y0.total_cmp(&lines[b].y0).then(lines[a].x0.total_cmp(&lines[b].x0)));
    order
}

/// The run of lines, in `order` from `start` on, whose tokens are exactly
/// `words` (as a multiset), if there is one.
fn run_of_lines(lines: &[Line], order: &[usize], start: usize, words: &[String]) -> Option<Vec<usize>> {
    let want = counts(words);
    let mut have: BTreeMap<String, i64> = BTreeMap::new();
    for end in start..order.len() {
        for t in tokens_of(&lines[order[end]].text()) {
            *have.entry(t).or_insert(0) += 1;
        }
        if have.iter().any(|(t, n)| want.get(t.as_str()).copied().unwrap_or(0) < *n) {
            return None;
        }
        if have.iter().map(|(t, n)| (t.as_str(), *n)).collect::<BTreeMap<_, _>>() == want {
            return Some(order[start..=end].to_vec());
        }
    }
    None
}

/// Finds the words drawn in a figure on the pages from `from` on: the first
/// run of lines, in order down a page, whose tokens are exactly `words` (a
/// figure spans the width of the text, so nothing sits beside it). Returns
/// the page and the indices of its lines.
fn find_figure(pages: &[(usize, Vec<Line>)], from: usize, words: &[String]) -> Option<(usize, Vec<usize>)> {
    for (k, (_, lines)) in pages.iter().enumerate().skip(from) {
        let order = top_down(lines);
        for start in 0..order.len() {
            if let Some(run) = run_of_lines(lines, &order, start, words) {
                return Some((k, run));
            }
        }
    }
    None
}

fn drop_lines(lines: &mut Vec<Line>, idx: &[usize]) {
    let mut k = 0;
    lines.retain(|_| {
        k += 1;
        !idx.contains(&(k - 1))
    });
}

/// The words of a part of the PDF, page by page (running heads, page numbers
/// and diagram labels dropped).
struct PdfText {
    /// Per page of the part: its physical number (0-based) and tokens.
    pages: Vec<(usize, Vec<Tok>)>,
    /// The captions of figures, which Typst may float to another place.
    floats: Vec<Tok>,
}

/// Reads a part's pages. `problems` collects what does not fit the method
/// (a running head or page number that is not where it should be, a diagram
/// whose labels are not found).
fn pdf_part_text(
    lines: &[Vec<Line>],
    range: std::ops::Range<usize>,
    body_start: usize,
    head: &[String],
    figures: &[Figure],
    table_heads: &[Vec<String>],
    problems: &mut Vec<String>,
) -> PdfText {
    let mut pages: Vec<(usize, Vec<Line>)> = Vec::new();
    for p in range {
        let mut page = lines[p].clone();
        let label = p + 1 - body_start;
        if page.is_empty() {
            continue;
        }
        // The running head: the topmost line(s), if they read as it.
        let top = page.iter().map(|l| l.y0).fold(f64::INFINITY, f64::min);
        let mut heads: Vec<&Line> = page.iter().filter(|l| l.y0 <= top + 1.0).collect();
        heads.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        if tokens_of(&heads.iter().map(|l| l.text()).collect::<Vec<_>>().join(" ")) == head {
            page.retain(|l| l.y0 > top + 1.0);
        }
        // The page number: the lowest line, if it reads as it.
        let bottom = page.iter().map(|l| l.y1).fold(f64::NEG_INFINITY, f64::max);
        let foot: Vec<&Line> = page.iter().filter(|l| l.y1 >= bottom - 1.0).collect();
        if tokens_of(&foot.iter().map(|l| l.text()).collect::<Vec<_>>().join(" ")) == [label.to_string()] {
            page.retain(|l| l.y1 < bottom - 1.0);
        }
        pages.push((p, page));
    }
    // Figures, in the order of the chapter: the words they draw are dropped,
    // and their captions (the lines right below, up to the caption's last
    // word) kept apart, since Typst may float a figure away from its place.
    let mut floats = Vec::new();
    let mut from = 0;
    for (i, fig) in figures.iter().enumerate() {
        let Some((k, idx)) = find_figure(&pages, from, &fig.drawn) else {
            problems.push(format!("the words drawn in figure {} ({:?}) are not found as a run of lines", i + 1, fig.drawn.join(" ")));
            continue;
        };
        let lines = &pages[k].1;
        let below = idx.iter().map(|&j| lines[j].y1).fold(f64::NEG_INFINITY, f64::max);
        drop_lines(&mut pages[k].1, &idx);
        from = k;
        if fig.caption.is_empty() {
            continue;
        }
        let lines = &pages[k].1;
        let order: Vec<usize> = top_down(lines).into_iter().filter(|&j| lines[j].y0 >= below - 1.0).collect();
        let mut toks: Vec<String> = Vec::new();
        for (n, &j) in order.iter().enumerate().take(4) {
            toks.extend(tokens_of(&lines[j].text()));
            if toks.ends_with(&fig.caption) {
                let page = pages[k].0 + 1 - body_start;
                floats.extend(toks.into_iter().map(|text| Tok { text, open: false, line_start: false, page }));
                let run = order[..=n].to_vec();
                drop_lines(&mut pages[k].1, &run);
                break;
            }
        }
    }
    // A table's header row, repeated at the top of a page that the table runs
    // on to, is the table's running head: the topmost lines of the page, when
    // they hold exactly the words of a header row that an earlier page of the
    // part reads in that order.
    for k in 1..pages.len() {
        let order = top_down(&pages[k].1);
        for head in table_heads.iter().filter(|h| !h.is_empty()) {
            let Some(run) = run_of_lines(&pages[k].1, &order, 0, head) else { continue };
            let seen = pages[..k].iter().any(|(_, lines)| {
                let toks = tokens_of(&lines.iter().map(|l| l.text()).collect::<Vec<_>>().join(" "));
                toks.windows(head.len()).any(|w| w == &head[..])
            });
            if seen {
                drop_lines(&mut pages[k].1, &run);
                break;
            }
        }
    }
    let pages: Vec<(usize, Vec<Tok>)> = pages
        .into_iter()
        .map(|(p, lines)| {
            let mut toks = Vec::new();
            for l in lines {
                for (w, word) in l.words.iter().enumerate() {
                    let mut t = Vec::new();
                    tokenize(word, &mut t);
                    let n = t.len();
                    // A word that ends in a hyphenation mark ends a line of
                    // its column (even where `pdftotext` joins two columns'
                    // lines into one).
                    let open = word.ends_with('\u{AD}');
                    toks.extend(t.into_iter().enumerate().map(|(i, text)| Tok {
                        text,
                        open: open && i + 1 == n,
                        line_start: w == 0 && i == 0,
                        page: p + 1 - body_start,
                    }));
                }
            }
            (p, toks)
        })
        .collect();
    PdfText { pages, floats }
}

// ---------------------------------------------------------------------------
// Comparing.
// ---------------------------------------------------------------------------

/// The outcome for one part.
struct Outcome {
    name: String,
    /// Tokens only in the EPUB (positive) or only in the PDF (negative).
    diff: BTreeMap<String, i64>,
    /// Problems with the method itself, or the first place where the order
    /// differs.
    problems: Vec<String>,
    /// A readable account of the differences.
    report: String,
}

/// The runs of tokens that differ between the EPUB's sequence and the PDF's,
/// one line each, with a little context; a run deleted on one side and
/// inserted, the same, elsewhere (a block read in another order) is left out.
fn changes(epub: &[String], pdf: &[Tok]) -> String {
    use similar::{capture_diff_slices, Algorithm, DiffOp};
    let pdf_text: Vec<String> = pdf.iter().map(|t| t.text.clone()).collect();
    let ops = capture_diff_slices(Algorithm::Myers, epub, &pdf_text);
    let mut runs: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> = Vec::new();
    for op in ops {
        match op {
            DiffOp::Equal { .. } => {}
            DiffOp::Delete { old_index, old_len, new_index } => runs.push((old_index..old_index + old_len, new_index..new_index)),
            DiffOp::Insert { old_index, new_index, new_len } => runs.push((old_index..old_index, new_index..new_index + new_len)),
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                runs.push((old_index..old_index + old_len, new_index..new_index + new_len))
            }
        }
    }
    let key = |toks: &[String]| {
        let mut v = toks.to_vec();
        v.sort();
        v
    };
    let mut moved = vec![false; runs.len()];
    for a in 0..runs.len() {
        for b in 0..runs.len() {
            if a != b
                && !moved[a]
                && !moved[b]
                && runs[a].1.is_empty()
                && runs[b].0.is_empty()
                && key(&epub[runs[a].0.clone()]) == key(&pdf_text[runs[b].1.clone()])
            {
                moved[a] = true;
                moved[b] = true;
            }
        }
    }
    let mut out = String::new();
    for (k, (e, p)) in runs.iter().enumerate() {
        if moved[k] {
            continue;
        }
        let before = epub[e.start.saturating_sub(5)..e.start].join(" ");
        let after = epub[e.end..(e.end + 5).min(epub.len())].join(" ");
        let page = pdf.get(p.start).or(pdf.last()).map_or(0, |t| t.page);
        out.push_str(&format!(
            "    p.{page}: … {before} [EPUB: {} | PDF: {}] {after} …\n",
            epub[e.clone()].join(" "),
            pdf_text[p.clone()].join(" ")
        ));
    }
    out
}

fn context(toks: &[String], i: usize) -> String {
    let a = i.saturating_sub(8);
    let b = (i + 9).min(toks.len());
    let mut s = String::from("… ");
    for (j, t) in toks.iter().enumerate().take(b).skip(a) {
        if j == i {
            s.push_str(&format!("[{t}] "));
        } else {
            s.push_str(t);
            s.push(' ');
        }
    }
    s.push('…');
    s
}

/// Splits each page's tokens into main text and the footnotes at its foot:
/// the longest tail of the page that, hyphenated words joined, goes on with
/// the EPUB's notes from where the last page stopped (or from the start of a
/// later note, so that one note that differs does not hide the others).
/// Returns the main text and whether every note was found.
fn split_footnotes(pdf: &PdfText, notes: &[Vec<String>], words: &BTreeSet<String>) -> (Vec<Tok>, Vec<Tok>, bool) {
    let stream: Vec<&String> = notes.iter().flatten().collect();
    let mut starts = Vec::new();
    let mut n = 0;
    for note in notes {
        starts.push(n);
        n += note.len();
    }
    let mut pos = 0;
    let mut all = true;
    let mut main = Vec::new();
    let mut foot = Vec::new();
    for (_, toks) in &pdf.pages {
        let mut found = None;
        'tail: for s in 1..toks.len() {
            if !toks[s].line_start {
                continue;
            }
            let tail = join_open(&toks[s..], words);
            let candidates = std::iter::once(pos).chain(starts.iter().copied().filter(|&x| x > pos));
            for from in candidates {
                if from + tail.len() <= stream.len() && tail.iter().zip(&stream[from..]).all(|(a, b)| &a.text == *b) {
                    found = Some((s, from, tail.len()));
                    break 'tail;
                }
            }
        }
        match found {
            Some((s, from, len)) => {
                if from != pos {
                    all = false;
                }
                main.extend_from_slice(&toks[..s]);
                foot.extend_from_slice(&toks[s..]);
                pos = from + len;
            }
            None => main.extend_from_slice(toks),
        }
    }
    (main, foot, all && pos == stream.len())
}

fn compare(name: &str, epub: &EpubText, pdf: &PdfText, mut problems: Vec<String>) -> Outcome {
    let epub_main: Vec<String> = epub.main.iter().map(|(t, _)| t.clone()).collect();
    let epub_all: Vec<String> = epub_main.iter().chain(epub.notes.iter().flatten()).chain(&epub.floats).cloned().collect();
    let words: BTreeSet<String> = epub_all.iter().cloned().collect();
    let (main, foot, notes_found) = split_footnotes(pdf, &epub.notes, &words);
    let main = join_open(&main, &words);
    let foot = join_open(&foot, &words);
    let pdf_all: Vec<String> = main.iter().chain(&foot).map(|t| t.text.clone()).chain(pdf.floats.iter().map(|t| t.text.clone())).collect();
    let mut diff: BTreeMap<String, i64> = BTreeMap::new();
    for t in &epub_all {
        *diff.entry(t.clone()).or_insert(0) += 1;
    }
    for t in &pdf_all {
        *diff.entry(t.clone()).or_insert(0) -= 1;
    }
    diff.retain(|_, n| *n != 0);

    let mut report = String::new();
    if !diff.is_empty() {
        let list = |sign: i64| {
            diff.iter().filter(|(_, n)| **n * sign > 0).map(|(t, n)| format!("{t:?} ×{}", n * sign)).collect::<Vec<_>>().join(", ")
        };
        report.push_str(&format!("  tokens only in the EPUB: {}\n", list(1)));
        report.push_str(&format!("  tokens only in the PDF: {}\n", list(-1)));
        report.push_str("  where (EPUB | PDF, with the PDF's page; a run that only moved is not shown):\n");
        report.push_str(&changes(&epub_main, &main));
        let notes: Vec<String> = epub.notes.iter().flatten().cloned().collect();
        report.push_str(&changes(&notes, &foot));
        report.push_str(&changes(&epub.floats, &pdf.floats));
    } else if !notes_found {
        problems.push("the footnotes at the foot of the PDF's pages do not follow the EPUB's notes in order".to_owned());
    } else {
        // The same words: now the same order, side-by-side blocks as multisets.
        let pdf_main: Vec<String> = main.iter().map(|t| t.text.clone()).collect();
        let mut i = 0;
        let mut j = 0;
        while i < epub.main.len() {
            match epub.main[i].1 {
                None => {
                    if pdf_main.get(j) != Some(&epub.main[i].0) {
                        break;
                    }
                    i += 1;
                    j += 1;
                }
                Some(bag) => {
                    let end = i + epub.main[i..].iter().take_while(|(_, b)| *b == Some(bag)).count();
                    let len = end - i;
                    if j + len > pdf_main.len() || counts(&epub_main[i..end]) != counts(&pdf_main[j..j + len]) {
                        break;
                    }
                    i = end;
                    j += len;
                }
            }
        }
        if i < epub.main.len() || j < pdf_main.len() {
            problems.push(format!(
                "the same words, but the main text reads differently from here:\n        EPUB: {}\n        PDF (p.{}): {}",
                context(&epub_main, i.min(epub_main.len().saturating_sub(1))),
                main.get(j).map_or(0, |t| t.page),
                context(&pdf_main, j.min(pdf_main.len().saturating_sub(1)))
            ));
        }
    }
    Outcome { name: name.to_owned(), diff, problems, report }
}

// ---------------------------------------------------------------------------
// The test.
// ---------------------------------------------------------------------------

fn compare_guide(corpus: &Corpus, id: &str) -> Vec<Outcome> {
    let guide = corpus.guides.iter().find(|g| g.id == id).unwrap_or_else(|| panic!("no guide {id}"));
    let pdf = built().join(format!("{id}.pdf"));
    let epub = built().join(format!("{id}.epub"));
    let files = epub_files(&epub);
    let display = class_display(files.get("EPUB/css/epub.css").map_or("", |s| s.as_str()));
    let nav = nav_parts(files.get("EPUB/nav.xhtml").expect("nav.xhtml"));
    let marks = top_bookmarks(&pdf);
    let lines = pdf_lines(&pdf);
    let first = &guide.chapters.first().expect("a chapter").title;
    let body = marks.iter().position(|(t, _)| t == first).unwrap_or_else(|| panic!("{id}: no bookmark for the first chapter {first:?}"));
    let body_start = marks[body].1;
    let mut outcomes = Vec::new();
    for (k, (title, page)) in marks.iter().enumerate().skip(body) {
        let end = marks.get(k + 1).map_or(lines.len(), |m| m.1);
        let name = format!("{id} / {title} (PDF pages {}–{})", page + 1 - body_start, end - body_start);
        let Some((_, docs)) = nav.iter().find(|(t, _)| t == title) else {
            outcomes.push(Outcome {
                name,
                diff: BTreeMap::new(),
                problems: vec![format!("no entry {title:?} in the EPUB's contents")],
                report: String::new(),
            });
            continue;
        };
        let mut problems = Vec::new();
        let mut head = tokens_of(&guide.title);
        head.extend(tokens_of(title));
        let figures = figures(guide, title);
        let epub_text = epub_part_text(&files, docs, &display);
        let pdf_text = pdf_part_text(&lines, *page..end, body_start, &head, &figures, &epub_text.table_heads, &mut problems);
        outcomes.push(compare(&format!("{name}, EPUB {}", docs.join(" + ")), &epub_text, &pdf_text, problems));
    }
    // Every chapter of the guide is one of the parts compared.
    for ch in &guide.chapters {
        assert!(marks.iter().skip(body).any(|(t, _)| t == &ch.title), "{id}: chapter {:?} has no bookmark", ch.title);
    }
    outcomes
}

/// Issue 7, section 3: the text of every chapter, read from the EPUB and from
/// `pdftotext`, agrees word for word once hyphenation is undone, apart from
/// running heads, page numbers and footnote placement.
#[test]
fn every_chapter_has_the_same_words_in_both_editions() {
    let corpus = corpus();
    let mut outcomes = Vec::new();
    for id in SAMPLE_GUIDES {
        outcomes.extend(compare_guide(&corpus, id));
    }
    let bad: Vec<&Outcome> = outcomes.iter().filter(|o| !o.diff.is_empty() || !o.problems.is_empty()).collect();
    if bad.is_empty() {
        return;
    }
    let mut msg = format!("{} of {} parts read differently in the EPUB and the PDF:\n", bad.len(), outcomes.len());
    for o in &bad {
        let epub_only: i64 = o.diff.values().filter(|n| **n > 0).sum();
        let pdf_only: i64 = -o.diff.values().filter(|n| **n < 0).sum::<i64>();
        msg.push_str(&format!("  {}: {epub_only} tokens only in the EPUB, {pdf_only} only in the PDF", o.name));
        if !o.problems.is_empty() {
            msg.push_str(&format!(", {} other problems", o.problems.len()));
        }
        msg.push('\n');
    }
    let all = std::env::var_os("CASEBOOK_EDITIONS_ALL").is_some();
    for o in bad.iter().take(if all { bad.len() } else { 1 }) {
        msg.push_str(&format!("\n{}:\n", o.name));
        for p in &o.problems {
            msg.push_str(&format!("  {p}\n"));
        }
        msg.push_str(&o.report);
    }
    if !all && bad.len() > 1 {
        msg.push_str("\n(set CASEBOOK_EDITIONS_ALL=1 to see every part's differences)\n");
    }
    panic!("{msg}");
}

// ---------------------------------------------------------------------------
// The print edition's pages in the EPUB (page-break markers and page list).

/// The printed label of each page of a PDF (`None` for a page without one),
/// from its page-label tree as qpdf reads it.
fn pdf_page_labels(pdf: &Path) -> Vec<Option<String>> {
    let pages = tool_ok("pdfinfo", [pdf.as_os_str()]);
    let n: usize = pages.lines().find_map(|l| l.strip_prefix("Pages:")).map(|v| v.trim().parse().unwrap()).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&tool_ok("qpdf", [OsStr::new("--json"), OsStr::new("--json-key=pagelabels"), pdf.as_os_str()])).unwrap();
    let roman = |mut k: u64| {
        let mut s = String::new();
        for (v, r) in [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")] {
            while k >= v {
                s.push_str(r);
                k -= v;
            }
        }
        s
    };
    let mut labels = vec![None; n];
    for range in json["pagelabels"].as_array().unwrap() {
        let from = range["index"].as_u64().unwrap() as usize;
        let l = &range["label"];
        let start = l["/St"].as_u64().unwrap_or(1);
        let prefix = l["/P"].as_str().unwrap_or("").trim_start_matches('u').trim_matches(':').to_owned();
        for (k, slot) in labels.iter_mut().enumerate().skip(from) {
            let number = start + (k - from) as u64;
            *slot = match l["/S"].as_str() {
                Some("/D") => Some(format!("{prefix}{number}")),
                Some("/r") => Some(format!("{prefix}{}", roman(number))),
                Some("/R") => Some(format!("{prefix}{}", roman(number).to_uppercase())),
                _ if !prefix.is_empty() => Some(prefix.clone()),
                _ => None,
            };
        }
    }
    labels
}

/// Lower-case words of a text (letters and digits), for finding a paragraph
/// in `pdftotext`'s output whatever the line breaks and hyphenation.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Every `<p>` of a chapter's body (not its footnotes, not the case or
/// provision shown beside a block) with the label of the page-break marker
/// before it.
fn paragraphs_with_markers(xhtml: &str) -> Vec<(Option<String>, String)> {
    let doc = parse_xml(xhtml).unwrap();
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    fn walk(n: roxmltree::Node, current: &mut Option<String>, out: &mut Vec<(Option<String>, String)>) {
        for c in n.children().filter(|c| c.is_element()) {
            let class = c.attribute("class").unwrap_or("");
            if c.attribute("role") == Some("doc-pagebreak") {
                *current = c.attribute("aria-label").map(str::to_owned);
                continue;
            }
            if class.split_whitespace().any(|k| k == "beside" || k == "footnotes") {
                continue;
            }
            if c.tag_name().name() == "p" && class.is_empty() {
                let text: String = c.descendants().filter(|d| d.is_text()).map(|d| d.text().unwrap()).collect();
                out.push((current.clone(), text));
                // Markers inside a paragraph (none are written) would still count.
            }
            walk(c, current, out);
        }
    }
    walk(doc.root(), &mut current, &mut out);
    out
}

#[test]
fn the_epub_carries_the_print_editions_pages() {
    let dir = built();
    let mut problems = Vec::new();
    for id in SAMPLE_GUIDES {
        let pdf = dir.join(format!("{id}.pdf"));
        let files = epub_files(&dir.join(format!("{id}.epub")));
        let labels = pdf_page_labels(&pdf);
        // The page list: every labelled page of the PDF, in order, each link
        // leading to a marker that carries the same label.
        let nav = parse_xml(&files["EPUB/nav.xhtml"]).unwrap();
        let list = nav
            .descendants()
            .find(|n| n.attribute(("http://www.idpf.org/2007/ops", "type")) == Some("page-list"))
            .unwrap_or_else(|| panic!("{id}: nav.xhtml has no page-list"));
        assert_eq!(list.attribute("role"), Some("doc-pagelist"), "{id}");
        let entries: Vec<(String, String)> = list
            .descendants()
            .filter(|n| n.has_tag_name("a"))
            .map(|a| (a.attribute("href").unwrap().to_owned(), a.text().unwrap_or("").to_owned()))
            .collect();
        let expected: Vec<String> = labels.iter().flatten().cloned().collect();
        let listed: Vec<String> = entries.iter().map(|(_, l)| l.clone()).collect();
        assert_eq!(listed, expected, "{id}: the page list is not the PDF's labelled pages in order");
        assert!(expected.iter().any(|l| l == "i") && expected.iter().any(|l| l == "1"), "{id}: roman front matter and arabic body: {expected:?}");
        for (href, label) in &entries {
            let (file, frag) = href.split_once('#').unwrap();
            let doc_text = &files[&format!("EPUB/{file}")];
            let doc = parse_xml(doc_text).unwrap();
            let target = doc.descendants().find(|n| n.attribute("id") == Some(frag));
            match target {
                Some(t) => {
                    let ok = t.attribute(("http://www.idpf.org/2007/ops", "type")) == Some("pagebreak")
                        && t.attribute("role") == Some("doc-pagebreak")
                        && t.attribute("aria-label") == Some(label.as_str());
                    if !ok {
                        problems.push(format!("{id}: {href} is not a page-break marker labelled {label}"));
                    }
                }
                None => problems.push(format!("{id}: {href} leads nowhere")),
            }
        }
        // Sampled paragraphs: every chapter paragraph whose first eight words
        // are found on exactly one page of the PDF starts on the page its
        // preceding marker names.
        let text = tool_ok("pdftotext", [OsStr::new("-raw"), pdf.as_os_str(), OsStr::new("-")]);
        let pages: Vec<String> = text.split('\u{c}').map(|p| format!(" {} ", words(p).join(" "))).collect();
        let mut checked = 0;
        for (name, xhtml) in &files {
            if !name.starts_with("EPUB/ch") || name.ends_with("-cases.xhtml") {
                continue;
            }
            for (marker, para) in paragraphs_with_markers(xhtml) {
                let w = words(&para);
                if w.len() < 10 {
                    continue;
                }
                let probe = format!(" {} ", w[..8].join(" "));
                let hits: Vec<usize> = (0..labels.len()).filter(|&p| pages.get(p).is_some_and(|t| t.contains(&probe))).collect();
                let [page] = hits[..] else { continue };
                checked += 1;
                if marker != labels[page] {
                    problems.push(format!("{id} {name}: «{}» starts on page {:?}, but its marker says {marker:?}", probe.trim(), labels[page]));
                }
            }
        }
        assert!(checked >= 40, "{id}: only {checked} paragraphs could be sampled");
        eprintln!("{id}: {} pages listed, {checked} paragraphs checked against the PDF", entries.len());
        // The package says so, and names the print edition.
        let opf = &files["EPUB/package.opf"];
        for feature in ["pageBreakMarkers", "pageNavigation"] {
            assert!(opf.contains(&format!("<meta property=\"schema:accessibilityFeature\">{feature}</meta>")), "{id}: {feature}");
        }
        assert!(opf.contains(&format!("<meta property=\"pageBreakSource\">")) && opf.contains(&format!("({id}.pdf)")), "{id}: pageBreakSource");
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));

    // Built without its PDF, the EPUB has no page list and claims none.
    let alone = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("epub-alone");
    let _ = std::fs::remove_dir_all(&alone);
    let out = Command::new(env!("CARGO_BIN_EXE_casebook"))
        .args(["build", "--format", "epub", "--guide", "criminal-law", "--out"])
        .arg(&alone)
        .arg(repo().join("guides"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let files = epub_files(&alone.join("criminal-law.epub"));
    for (name, text) in &files {
        assert!(!text.contains("page-list") && !text.contains("doc-pagebreak") && !text.contains("pageBreak") && !text.contains("pageNavigation"), "{name} claims the print pages");
    }
}
