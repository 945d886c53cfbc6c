//! The EPUB 3 backend: one guide of the resolved [`Corpus`] in, the bytes of a
//! valid, accessible, byte-reproducible `.epub` out ([`build_epub`]).
//!
//! **Packaging decision.** We write our own small packager on the `zip` crate
//! (`package.rs`: `mimetype`, `container.xml`, the OPF and the zip itself,
//! about 200 lines) instead of using epub-builder 0.8.3. epub-builder's EPUB 3
//! OPF gives `dc:language` and `dc:creator` the same id when a guide has both
//! (an EPUBCheck error), its zip backend stamps every entry with the current
//! time and cannot be told otherwise (so output is never byte-identical), its
//! default features shell out to a `zip` program, and its navigation template is
//! fixed. Owning the OPF and the nav lets us write the schema.org accessibility
//! metadata, landmarks and nested contents we need, with fixed timestamps, a
//! UUID v5 identifier and `mimetype` stored first, and costs no dependency.
//!
//! Layout of the backend:
//!
//! - `mod.rs` (here): the API, the plan of the book (file names, where every
//!   citation, summary, provision text and table entry lives) and the build.
//! - `xhtml.rs`: the event writer (model events to XHTML) and the document shell.
//! - `matter.rs`: generated matter: cover, title page, tables of authorities,
//!   chapters with their Key terms and Key cases, case summaries, glossary.
//! - `nav.rs`: the navigation document (contents and landmarks).
//! - `package.rs`: OPF, container and the deterministic zip.
//! - `svg.rs`: the fallback SVG of a diagram, drawn from its layout.
//! - `escape.rs`: XML escaping.
//!
//! Decisions where the spec is silent:
//!
//! - A citation's text links to the case summary (appendix or chapter end);
//!   with no summaries printed, to the first `case` block showing the case; a
//!   legislation citation to the first `statute` block showing the provision
//!   (or the whole instrument); failing all that, to its table entry. The
//!   running text reads as in print: no link token is added. The table entry
//!   is reached from the summary's heading and from the `case` or `statute`
//!   block, whose names link to it, and in footnote mode from the footnote's
//!   citation. Every citation element carries its anchor as `id`, and the
//!   tables link back to each one, named by chapter title.
//! - The chapter title is the only `h1` of a chapter document; Markdown
//!   headings follow at 2 to 6 without skipped levels (the resolver already
//!   normalises them; `HeadingPlan` repeats the rule so that the backend never
//!   relies on it).
//! - Callouts of advice (note, tip, warnings, exam tips, pitfalls) are
//!   `<aside>`s with role `note` or `doc-tip`; those that carry the argument
//!   (rules, exceptions, definitions, examples, steps, questions…) are
//!   `<section>`s. `case` and `statute` blocks stack the concept above the
//!   summary's Principle (all sections when summaries are not printed
//!   elsewhere) or the provision's text.
//! - The summaries appendix is split into files of 100 (`SUMMARIES_PER_FILE`)
//!   cases, so that no document is too large for an e-reader.
//! - `a11y:certifierCredential` and `a11y:certifierReport` are not written:
//!   they describe a third party's certification, which a generated book does
//!   not have (Ace lists them as "missing" for that reason only).
//!
//! Only this module knows XHTML exists.

mod escape;
mod matter;
mod nav;
mod package;
mod svg;
mod xhtml;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

use crate::diag::Span;
use crate::diagram::Graph;
use crate::model::{
    Authority, CalloutTarget, CaseIdx, Chapter, Corpus, Event, Guide, InstrumentIdx, Tag, TermIdx,
};
use crate::oscola::{self, Date, LegislationGroup};
use crate::render::pages::{PageCursor, Place, PrintPages};
use crate::render::{self, CaseEntry, InstrumentEntry};

/// The stylesheet built into the binary; a workspace may override it with its
/// own `templates/epub.css`, which the caller passes in [`EpubOptions::css`].
pub const DEFAULT_CSS: &str = include_str!("../../../templates/epub.css");

/// What the Typst backend produces for the EPUB: the cover as a PNG and one SVG
/// per diagram (keyed by [`crate::model::Diagram::number`]).
#[derive(Debug, Default, Clone)]
pub struct EpubAssets {
    /// The cover image; `None` gives a text-only cover page.
    pub cover_png: Option<Vec<u8>>,
    /// SVG documents of the diagrams, by diagram number. A diagram missing here
    /// is drawn by this backend from its layout.
    pub diagrams: BTreeMap<usize, String>,
}

/// Knobs of the EPUB backend.
#[derive(Debug, Clone)]
pub struct EpubOptions<'a> {
    /// The stylesheet: [`DEFAULT_CSS`] or the workspace's `templates/epub.css`.
    pub css: &'a str,
    /// The edition date (or `SOURCE_DATE_EPOCH`): `dcterms:modified` is this
    /// date at 00:00:00Z, and every zip entry is stamped with it.
    pub date: Date,
    /// The publisher printed on the title page and in the metadata; `None`
    /// falls back to the corpus's publisher.
    pub publisher: Option<&'a str>,
    /// The print edition's pages, when the PDF is built in the same run: the
    /// book then carries page-break markers, a page list and the metadata
    /// that names its page source. `None`: no page list, and none claimed.
    pub print_pages: Option<&'a PrintPages>,
}

/// Why an EPUB could not be built.
#[derive(Debug)]
pub enum EpubError {
    /// An image a chapter refers to could not be read.
    Image {
        /// Its path, workspace-relative as the author wrote it.
        path: String,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The zip writer failed (out of memory, or a bug).
    Zip(String),
}

impl fmt::Display for EpubError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EpubError::Image { path, error } => write!(f, "cannot read image `{path}`: {error}"),
            EpubError::Zip(e) => write!(f, "cannot write the EPUB archive: {e}"),
        }
    }
}

impl std::error::Error for EpubError {}

/// Builds the whole EPUB of `guide` in memory. Deterministic: the same corpus,
/// assets and options give the same bytes.
pub fn build_epub(corpus: &Corpus, guide: &Guide, assets: &EpubAssets, opts: &EpubOptions) -> Result<Vec<u8>, EpubError> {
    let plan = Plan::new(corpus, guide);
    let pages = RefCell::new(opts.print_pages.map(PageCursor::new));
    let cx = Cx { corpus, guide, plan: &plan, opts, has_cover_image: assets.cover_png.is_some(), pages };
    let mut res = Resources::default();
    let docs = matter::documents(&cx, &mut res);
    package::package(&cx, &docs, &res, assets)
}

// ---------------------------------------------------------------------------
// File names inside the package (all relative to `EPUB/`).

/// The cover page.
pub(crate) const COVER_FILE: &str = "cover.xhtml";
/// The title page.
pub(crate) const TITLE_FILE: &str = "title.xhtml";
/// The navigation document, which is also the contents page in the spine.
pub(crate) const NAV_FILE: &str = "nav.xhtml";
/// The table of cases.
pub(crate) const CASES_FILE: &str = "cases.xhtml";
/// The table of legislation.
pub(crate) const LEGISLATION_FILE: &str = "legislation.xhtml";
/// The glossary.
pub(crate) const GLOSSARY_FILE: &str = "glossary.xhtml";
/// The stylesheet.
pub(crate) const CSS_FILE: &str = "css/epub.css";
/// The cover image.
pub(crate) const COVER_IMAGE_FILE: &str = "images/cover.png";
/// Case summaries per appendix file: keeps each document small enough for
/// e-readers that load a whole document into memory (about 150 KB of XHTML).
pub(crate) const SUMMARIES_PER_FILE: usize = 100;

/// What every renderer function reads.
pub(crate) struct Cx<'a> {
    /// The corpus.
    pub corpus: &'a Corpus,
    /// The guide being built.
    pub guide: &'a Guide,
    /// Where everything goes.
    pub plan: &'a Plan,
    /// The caller's options.
    pub opts: &'a EpubOptions<'a>,
    /// Whether the caller passed a cover image.
    pub has_cover_image: bool,
    /// The print edition's pages, walked as the documents are written.
    pub pages: RefCell<Option<PageCursor>>,
}

impl Cx<'_> {
    /// The guide's language (BCP 47).
    pub fn lang(&self) -> &str {
        let l = self.guide.options.language.trim();
        if l.is_empty() {
            "en"
        } else {
            l
        }
    }

    /// The page-break markers of the print edition's pages that begin at
    /// `place` (and of any earlier ones not yet written), for document `file`:
    /// empty spans, `epub:type="pagebreak"`, `role="doc-pagebreak"`, the
    /// printed label as `aria-label`. Empty without a print edition.
    pub fn page_markers(&self, place: Place, file: &str, doc: &mut xhtml::Doc) -> String {
        let mut cursor = self.pages.borrow_mut();
        let Some(cursor) = cursor.as_mut() else { return String::new() };
        let mut s = String::new();
        for label in cursor.take(place) {
            let base = format!("page-{}", anchor_part(&label));
            let id = if doc.claim(&base) { base } else { doc.fresh(&format!("{base}-")) };
            s.push_str(&format!(
                "<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"{}\" aria-label=\"{}\"></span>",
                escape::attr(&id),
                escape::attr(&label)
            ));
            cursor.wrote(label, file, id);
        }
        s
    }

    /// Whether the book carries the print edition's pages.
    pub fn has_print_pages(&self) -> bool {
        self.opts.print_pages.is_some()
    }

    /// The publisher, from the options or the workspace.
    pub fn publisher(&self) -> Option<&str> {
        self.opts.publisher.or(self.corpus.publisher.as_deref()).map(str::trim).filter(|p| !p.is_empty())
    }
}

/// How the headings of one chapter map to XHTML levels.
#[derive(Debug, Default)]
pub(crate) struct HeadingPlan {
    /// The event range `start..=end` of the level-1 heading that repeats the
    /// chapter title (not printed again), and its id (given to the title).
    pub dropped: Option<(usize, usize, String)>,
    /// The XHTML level (2 to 6) of every other heading, by id. The chapter title
    /// is the only `h1`; levels never skip.
    pub levels: BTreeMap<String, u8>,
}

impl HeadingPlan {
    fn new(ch: &Chapter) -> Self {
        let body = &ch.body;
        let mut dropped = None;
        for (i, e) in body.iter().enumerate() {
            if let Event::Start(Tag::Heading { level: 1, id }) = e {
                let end = crate::model::matching_end(body, i);
                let text = crate::model::plain_text(&body[i + 1..end]);
                if norm(&text) == norm(&ch.title) {
                    dropped = Some((i, end, id.clone()));
                }
                break;
            }
        }
        // A chapter that uses `#` for its sections (besides the title) is shifted
        // down one level, so that the title stays the only h1.
        let shift = body.iter().enumerate().any(|(i, e)| {
            matches!(e, Event::Start(Tag::Heading { level: 1, .. })) && dropped.as_ref().map_or(true, |d| d.0 != i)
        });
        let mut levels = BTreeMap::new();
        let mut prev = 1u8;
        for (i, e) in body.iter().enumerate() {
            if let Event::Start(Tag::Heading { level, id }) = e {
                if dropped.as_ref().is_some_and(|d| d.0 == i) {
                    continue;
                }
                let wanted = (level + u8::from(shift)).max(2);
                let l = wanted.min(prev + 1).min(6);
                levels.insert(id.clone(), l);
                prev = l;
            }
        }
        HeadingPlan { dropped, levels }
    }
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Where everything lives in the book, decided before any document is written,
/// so that every link has its target.
pub(crate) struct Plan {
    /// File of each chapter (`ch01-introduction.xhtml`).
    pub chapter_files: Vec<String>,
    /// Heading levels per chapter.
    pub headings: Vec<HeadingPlan>,
    /// The heading ids each chapter document has (link fragments must be one of them).
    pub heading_ids: Vec<BTreeSet<String>>,
    /// `chapter-end` mode: the cases summarised after each chapter.
    pub chapter_end: Vec<Vec<CaseIdx>>,
    /// The file of each chapter's end-of-chapter summaries, if it has any.
    pub chapter_end_files: Vec<Option<String>>,
    /// Appendix files and the cases in each.
    pub appendix: Vec<(String, Vec<CaseIdx>)>,
    /// Where each printed case summary is (`file#id`).
    pub summary_href: BTreeMap<CaseIdx, String>,
    /// The first `case` callout of each case: chapter and the id it carries.
    pub case_callout: BTreeMap<CaseIdx, (usize, String)>,
    /// The first `statute` callout of each provision (base label; `None` for a
    /// whole instrument): chapter and id.
    pub statute_callout: BTreeMap<(InstrumentIdx, Option<String>), (usize, String)>,
    /// The table of cases.
    pub toc_cases: Vec<CaseEntry>,
    /// The table of legislation.
    pub toc_legislation: Vec<(LegislationGroup, Vec<InstrumentEntry>)>,
    /// Ids of table-of-cases entries.
    pub case_table_ids: BTreeMap<CaseIdx, String>,
    /// Ids of table-of-legislation entries.
    pub inst_table_ids: BTreeMap<InstrumentIdx, String>,
    /// Ids of cited-provision sub-entries, by instrument and provision as printed.
    pub prov_table_ids: BTreeMap<(InstrumentIdx, String), String>,
    /// Terms printed in the glossary.
    pub glossary_terms: BTreeSet<TermIdx>,
}

impl Plan {
    fn new(corpus: &Corpus, guide: &Guide) -> Plan {
        let chapter_files: Vec<String> = guide.chapters.iter().map(|c| format!("{}.xhtml", c.slug)).collect();
        let headings: Vec<HeadingPlan> = guide.chapters.iter().map(HeadingPlan::new).collect();
        let heading_ids = headings
            .iter()
            .map(|h| h.levels.keys().cloned().chain(h.dropped.iter().map(|d| d.2.clone())).collect())
            .collect();
        let chapter_end = render::chapter_end_cases(guide);
        let mut summary_href = BTreeMap::new();
        let chapter_end_files: Vec<Option<String>> = chapter_end
            .iter()
            .zip(&guide.chapters)
            .map(|(cases, ch)| {
                if cases.is_empty() {
                    return None;
                }
                let file = format!("{}-cases.xhtml", ch.slug);
                for c in cases {
                    summary_href.insert(*c, format!("{file}#{}", summary_id(corpus, *c)));
                }
                Some(file)
            })
            .collect();
        let appendix_cases = render::appendix_cases(corpus, guide);
        let appendix: Vec<(String, Vec<CaseIdx>)> = appendix_cases
            .chunks(SUMMARIES_PER_FILE)
            .enumerate()
            .map(|(i, chunk)| {
                let file = if i == 0 { "summaries.xhtml".to_owned() } else { format!("summaries-{}.xhtml", i + 1) };
                for c in chunk {
                    summary_href.insert(*c, format!("{file}#{}", summary_id(corpus, *c)));
                }
                (file, chunk.to_vec())
            })
            .collect();

        let mut case_callout = BTreeMap::new();
        let mut statute_callout = BTreeMap::new();
        for (ci, ch) in guide.chapters.iter().enumerate() {
            for e in &ch.body {
                let Event::Start(Tag::Callout(c)) = e else { continue };
                match &c.target {
                    Some(CalloutTarget::Case(k)) => {
                        case_callout.entry(*k).or_insert_with(|| (ci, format!("case_{}", corpus.case(*k).id)));
                    }
                    Some(CalloutTarget::Provision(i, p)) => {
                        let base = p.as_ref().map(|p| p.base_label());
                        let id = match &base {
                            Some(b) => format!("stat_{}_{}", corpus.instrument(*i).id, anchor_part(b)),
                            None => format!("stat_{}", corpus.instrument(*i).id),
                        };
                        statute_callout.entry((*i, base)).or_insert((ci, id));
                    }
                    None => {}
                }
            }
        }

        let toc_cases = render::table_of_cases(corpus, guide);
        let case_table_ids = toc_cases.iter().map(|e| (e.case, format!("tc-{}", corpus.case(e.case).id))).collect();
        let toc_legislation = render::table_of_legislation(corpus, guide);
        let mut inst_table_ids = BTreeMap::new();
        let mut prov_table_ids = BTreeMap::new();
        for (_, entries) in &toc_legislation {
            for e in entries {
                let inst_id = format!("tl-{}", corpus.instrument(e.instrument).id);
                let mut used = BTreeSet::new();
                for (p, _) in &e.provisions {
                    let display = p.display();
                    let mut id = format!("{inst_id}_{}", anchor_part(&display));
                    while !used.insert(id.clone()) {
                        id.push('x');
                    }
                    prov_table_ids.insert((e.instrument, display), id);
                }
                inst_table_ids.insert(e.instrument, inst_id);
            }
        }
        let glossary_terms = guide.terms.iter().copied().collect();
        Plan {
            chapter_files,
            headings,
            heading_ids,
            chapter_end,
            chapter_end_files,
            appendix,
            summary_href,
            case_callout,
            statute_callout,
            toc_cases,
            toc_legislation,
            case_table_ids,
            inst_table_ids,
            prov_table_ids,
            glossary_terms,
        }
    }

    /// `file#id` of the table entry of an authority (or of its cited provision).
    pub fn table_href(&self, a: Authority, provision: Option<&oscola::Provision>) -> Option<String> {
        match a {
            Authority::Case(c) => self.case_table_ids.get(&c).map(|id| format!("{CASES_FILE}#{id}")),
            Authority::Instrument(i) => provision
                .and_then(|p| self.prov_table_ids.get(&(i, p.display())))
                .or_else(|| self.inst_table_ids.get(&i))
                .map(|id| format!("{LEGISLATION_FILE}#{id}")),
        }
    }

    /// `file#id` of the text an authority's citation leads to: the case summary
    /// (or the first `case` block showing it), or the provision's text in the
    /// first `statute` block that shows it.
    pub fn text_href(&self, a: Authority, provision: Option<&oscola::Provision>) -> Option<String> {
        match a {
            Authority::Case(c) => self
                .summary_href
                .get(&c)
                .cloned()
                .or_else(|| self.case_callout.get(&c).map(|(ch, id)| format!("{}#{id}", self.chapter_files[*ch]))),
            Authority::Instrument(i) => provision
                .and_then(|p| self.statute_callout.get(&(i, Some(p.base_label()))))
                .or_else(|| self.statute_callout.get(&(i, None)))
                .map(|(ch, id)| format!("{}#{id}", self.chapter_files[*ch])),
        }
    }

    /// `glossary.xhtml#anchor` of a term printed in the glossary.
    pub fn term_href(&self, corpus: &Corpus, t: TermIdx) -> Option<String> {
        self.glossary_terms.contains(&t).then(|| format!("{GLOSSARY_FILE}#{}", corpus.term(t).anchor))
    }
}

/// The id of a case summary.
pub(crate) fn summary_id(corpus: &Corpus, c: CaseIdx) -> String {
    format!("case-{}", corpus.case(c).id)
}

/// A fragment-safe rendering of a label such as `s 1(1)`: letters and digits
/// kept, anything else one hyphen (`s-1-1`).
pub(crate) fn anchor_part(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let t = out.trim_matches('-');
    if t.is_empty() {
        "x".to_owned()
    } else {
        t.to_owned()
    }
}

// ---------------------------------------------------------------------------
// Resources: images and diagrams referenced by the documents.

/// An image copied into the book.
#[derive(Debug)]
pub(crate) struct ImageRes {
    /// Path inside the package (`images/1-court-hierarchy.svg`).
    pub href: String,
    /// Where it is on disk.
    pub abs_path: PathBuf,
    /// As the author wrote it (for errors).
    pub path: String,
    /// Its media type.
    pub media_type: &'static str,
}

/// A diagram drawn as an SVG file.
#[derive(Debug)]
pub(crate) struct DiagramRes {
    /// Path inside the package (`diagrams/d3.svg`).
    pub href: String,
    /// Its number in the guide (0 for a diagram outside the chapters).
    pub number: usize,
    /// The graph, for the fallback drawing.
    pub graph: Graph,
    /// Caption.
    pub title: Option<String>,
    /// Alt text.
    pub alt: String,
}

/// Images and diagrams, registered by the documents as they are written, in
/// first-use order (so their names are deterministic).
#[derive(Debug, Default)]
pub(crate) struct Resources {
    /// Images, in first-use order.
    pub images: Vec<ImageRes>,
    image_index: BTreeMap<PathBuf, usize>,
    /// Diagrams, in first-use order.
    pub diagrams: Vec<DiagramRes>,
    diagram_index: BTreeMap<(usize, Span), usize>,
}

impl Resources {
    /// The package path of an image, registering it on first use.
    pub fn image(&mut self, img: &crate::model::Image) -> String {
        if let Some(&i) = self.image_index.get(&img.abs_path) {
            return self.images[i].href.clone();
        }
        let ext = img.abs_path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        let media_type = match ext.as_str() {
            "png" => "image/png",
            "jpg" | "jpeg" => "image/jpeg",
            "gif" => "image/gif",
            "svg" => "image/svg+xml",
            _ => "application/octet-stream",
        };
        let stem = img.abs_path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let n = self.images.len() + 1;
        let href = format!("images/{n}-{}.{ext}", anchor_part(&stem));
        self.image_index.insert(img.abs_path.clone(), self.images.len());
        self.images.push(ImageRes { href: href.clone(), abs_path: img.abs_path.clone(), path: img.path.clone(), media_type });
        href
    }

    /// The package path of a diagram's SVG, registering it on first use.
    pub fn diagram(&mut self, d: &crate::model::Diagram, alt: String) -> String {
        let key = (d.number, if d.number == 0 { d.span.clone() } else { Span::new(crate::diag::SourceId(0), 0..0) });
        if let Some(&i) = self.diagram_index.get(&key) {
            return self.diagrams[i].href.clone();
        }
        let href = if d.number > 0 {
            format!("diagrams/d{}.svg", d.number)
        } else {
            format!("diagrams/x{}.svg", self.diagrams.iter().filter(|r| r.number == 0).count() + 1)
        };
        self.diagram_index.insert(key, self.diagrams.len());
        self.diagrams.push(DiagramRes { href: href.clone(), number: d.number, graph: d.graph.clone(), title: d.title.clone(), alt });
        href
    }
}
