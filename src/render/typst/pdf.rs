//! Compiling a guide's generated Typst and exporting it: the PDF, the SVG of
//! each diagram (for the EPUB), and the cover as PNG (the EPUB's cover image).
//! [`super::compiler`] calls these on its long-lived World.
//! Typst's diagnostics are mapped back to the Markdown (or the workspace's own
//! template) that produced them, so no user ever sees a generated file name.

use std::collections::BTreeMap;

use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::{Datetime, Label, Smart};
use typst::utils::PicoStr;
use typst::introspection::Introspector as _;
use typst::model::Document as _;
use typst::syntax::FileId;
use typst::WorldExt;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use super::world::CasebookWorld;
use super::Generated;
use crate::config::PdfStandard as Standard;
use crate::diag::{Diagnostic, Span};
use crate::model::{Diagram, Event, Guide};

/// The templates (`guide.typ`, and `cards.typ` and `summary.typ` beside it),
/// with where each came from, for mapping errors inside them.
#[derive(Debug, Clone)]
pub struct TemplateSource {
    /// The guide template's text (every PDF edition imports it).
    pub text: String,
    /// The workspace's override of `guide.typ`, when it is not the built-in one.
    pub file: Option<crate::diag::SourceId>,
    /// `cards.typ`: the case and key-term cards.
    pub cards: TemplateFile,
    /// `summary.typ`: the condensed edition.
    pub summary: TemplateFile,
}

/// One template besides `guide.typ`.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Its text.
    pub text: String,
    /// The workspace's override file, when it is not the built-in one.
    pub file: Option<crate::diag::SourceId>,
}

impl TemplateSource {
    /// The built-in templates.
    pub fn builtin() -> TemplateSource {
        TemplateSource {
            text: super::DEFAULT_TEMPLATE.to_owned(),
            file: None,
            cards: TemplateFile { text: super::CARDS_TEMPLATE.to_owned(), file: None },
            summary: TemplateFile { text: super::SUMMARY_TEMPLATE.to_owned(), file: None },
        }
    }
}

/// Maps Typst diagnostics to ours.
pub struct Mapper<'a> {
    generated: &'a Generated,
    template: &'a TemplateSource,
    /// Where to point when nothing better is known (the guide.toml).
    fallback: Span,
}

impl<'a> Mapper<'a> {
    /// A mapper for one guide's generated files.
    pub fn new(generated: &'a Generated, template: &'a TemplateSource, fallback: Span) -> Self {
        Mapper { generated, template, fallback }
    }

    /// Maps one Typst span (file + range) to a source span, if it is ours.
    fn place(&self, world: &CasebookWorld, span: typst::syntax::DiagSpan) -> Option<Span> {
        let id: FileId = span.id()?;
        let range = world.range(span)?;
        let vpath = id.get().vpath().get_with_slash().to_owned();
        if vpath == super::template_path() {
            return self.template.file.map(|f| Span::new(f, range));
        }
        if vpath == super::cards_template_path() {
            return self.template.cards.file.map(|f| Span::new(f, range));
        }
        if vpath == super::summary_template_path() {
            return self.template.summary.file.map(|f| Span::new(f, range));
        }
        // Generated files map back to the Markdown they were written from
        // (those written from no Markdown have an empty map).
        self.generated.files.get(&vpath)?.map.lookup(range.start).cloned()
    }

    /// Converts a Typst diagnostic.
    pub fn convert(&self, world: &CasebookWorld, d: &SourceDiagnostic) -> Diagnostic {
        // The first place in the trace (or the error itself) that maps to a user's file.
        let mut span = self.place(world, d.span);
        let mut via_trace = false;
        if span.is_none() || span.as_ref().is_some_and(|s| s.range.is_empty() && s.range.start == 0) {
            for t in &d.trace {
                if let Some(s) = self.place(world, t.span.into()) {
                    span = Some(s);
                    via_trace = true;
                    break;
                }
            }
        }
        let message = d.message.to_string();
        let mut hints: Vec<String> = d.hints.iter().map(|h| h.v.to_string()).collect();
        if span.is_none() {
            hints.push("the error arose while typesetting the guide's generated matter; check the template and the guide's settings".to_owned());
        }
        if via_trace && self.template.file.is_some() {
            hints.push("the error arose inside the workspace's templates/guide.typ".to_owned());
        }
        let base = match d.severity {
            TypstSeverity::Error => Diagnostic::error("typst", message),
            TypstSeverity::Warning => Diagnostic::warning("typst", message),
        };
        let hint = if hints.is_empty() { "see the Typst documentation for this message".to_owned() } else { hints.join("; ") };
        base.at_span(span.unwrap_or_else(|| self.fallback.clone())).label("while typesetting this").hint(hint)
    }
}

/// A compiled guide.
pub struct Compiled {
    /// The laid-out document.
    pub document: PagedDocument,
    /// Typst's warnings, mapped.
    pub warnings: Vec<Diagnostic>,
}

/// Compiles a guide. Errors are mapped diagnostics.
pub fn compile(world: &CasebookWorld, mapper: &Mapper<'_>) -> Result<Compiled, Vec<Diagnostic>> {
    let result = typst::compile::<PagedDocument>(world);
    let warnings: Vec<Diagnostic> = result.warnings.iter().map(|w| mapper.convert(world, w)).collect();
    match result.output {
        Ok(document) => Ok(Compiled { document: front_first(document), warnings }),
        Err(errors) => {
            let mut v: Vec<Diagnostic> = errors.iter().map(|e| mapper.convert(world, e)).collect();
            v.extend(warnings);
            Err(v)
        }
    }
}

/// The book in reading order: the template typesets the front matter last
/// (from the page with `<cb-front-start>` to the end), so that the body's
/// pages never depend on its length; its pages go back between the title page
/// and the body (the page with `<cb-body-start>`). The introspector is rebuilt
/// from the new order, so links, bookmarks, page labels and the tag tree
/// follow it. A template without the two labels is left as it is.
pub fn front_first(doc: PagedDocument) -> PagedDocument {
    let page_of = |name: &str| -> Option<usize> {
        let intro = doc.introspector();
        let label = Label::new(PicoStr::intern(name))?;
        let location = intro.query_label(label).ok()?.location()?;
        Some(intro.page(location)?.get() - 1)
    };
    let (Some(body), Some(front)) = (page_of("cb-body-start"), page_of("cb-front-start")) else {
        return doc;
    };
    if front <= body {
        return doc;
    }
    let pages = doc.pages();
    let order = pages[..body].iter().chain(&pages[front..]).chain(&pages[body..front]).cloned().collect();
    PagedDocument::new(order, doc.info().clone())
}

/// Where the print edition's pages begin (`render::pages`): every page mark
/// (`<cb-pb>`, written by the generator and the template) and every chapter's
/// heading (its label is the chapter's slug: after the chapter's page break,
/// where a mark before the call would not be), read back with the page each
/// landed on, and each page's printed label as the PDF's page labels give it
/// (pages numbered by a pattern; the cover and other unnumbered pages have none).
pub fn print_pages(doc: &PagedDocument, guide: &Guide, source: &str) -> crate::render::pages::PrintPages {
    use crate::render::pages::{ChapterPlace, Place, PrintPages};
    use typst::foundations::{Selector, Value};
    use typst::introspection::MetadataElem;
    use typst::model::Numbering;
    let intro = doc.introspector();
    let mut marks = Vec::new();
    if let Some(label) = Label::new(PicoStr::intern(super::markup::PAGE_MARK_LABEL)) {
        for elem in intro.query(&Selector::Label(label)) {
            let Some(meta) = elem.to_packed::<MetadataElem>() else { continue };
            let Value::Str(key) = &meta.value else { continue };
            let Some(place) = Place::parse(key) else { continue };
            if let Some(page) = elem.location().and_then(|l| intro.page(l)) {
                marks.push((page.get() - 1, place));
            }
        }
    }
    for (i, ch) in guide.chapters.iter().enumerate() {
        let Some(label) = Label::new(PicoStr::intern(&ch.slug)) else { continue };
        if let Some(page) = intro.query_label(label).ok().and_then(|c| c.location()).and_then(|l| intro.page(l)) {
            marks.push((page.get() - 1, Place::Chapter(i, ChapterPlace::Title)));
        }
    }
    let labels: Vec<Option<String>> = doc
        .pages()
        .iter()
        .map(|p| match &p.numbering {
            Some(Numbering::Pattern(pattern)) => pattern.apply(None, &[p.number]).ok().map(|l| l.to_string()),
            _ => None,
        })
        .collect();
    PrintPages::from_marks(&labels, &marks, source)
}

/// Exports the PDF: tagged, with a fixed identifier and timestamp (the
/// edition date) so that the same sources give the same bytes.
pub fn export(
    world: &CasebookWorld,
    mapper: &Mapper<'_>,
    doc: &PagedDocument,
    guide: &Guide,
    kind: super::PdfKind,
    publisher: Option<&str>,
) -> Result<Vec<u8>, Vec<Diagnostic>> {
    let mut standards = match guide.options.pdf_standard {
        Some(Standard::Ua1) => vec![PdfStandard::Ua_1],
        Some(Standard::A2b) => vec![PdfStandard::A_2b],
        None => vec![],
    };
    // The large-print edition is for readers with low vision: always PDF/UA-1.
    if kind == super::PdfKind::LargePrint && !standards.contains(&PdfStandard::Ua_1) {
        standards.push(PdfStandard::Ua_1);
    }
    let standards = PdfStandards::new(&standards).map_err(|e| {
        vec![Diagnostic::error("pdf-standard", e.message().to_string()).at_span(guide.span.clone()).hint("choose one of: ua-1, a-2b")]
    })?;
    let date = guide.date.unwrap_or(crate::oscola::Date { year: 1980, month: 1, day: 1 });
    let timestamp = Datetime::from_ymd_hms(date.year, date.month, date.day, 0, 0, 0).map(Timestamp::new_utc);
    let options = PdfOptions {
        ident: Smart::Custom(match kind {
            super::PdfKind::Guide => format!("{}/{}", publisher.unwrap_or(""), guide.id),
            other => format!("{}/{}/{}", publisher.unwrap_or(""), guide.id, other.name()),
        }),
        creator: Smart::Custom(Some(format!("casebook {}", env!("CARGO_PKG_VERSION")))),
        timestamp,
        page_ranges: None,
        standards,
        tagged: true,
        pretty: false,
    };
    typst_pdf::pdf(doc, &options).map_err(|errors| errors.iter().map(|e| mapper.convert(world, e)).collect())
}

/// The cover page as a PNG, for the EPUB's cover image.
pub fn cover_png(doc: &PagedDocument) -> Option<Vec<u8>> {
    let page = doc.pages().first()?;
    let pixmap = typst_render::render(page, &typst_render::RenderOptions { pixel_per_pt: 2.0.into(), render_bleed: false });
    pixmap.encode_png().ok()
}

/// The main file that draws every diagram of a guide with the template, each
/// on a page of its own size, and the diagram numbers in page order; `None`
/// when the guide has no diagram.
pub fn diagrams_main(guide: &Guide) -> Option<(String, Vec<usize>)> {
    let mut diagrams: Vec<&Diagram> = Vec::new();
    for ch in &guide.chapters {
        collect_diagrams(&ch.body, &mut diagrams);
    }
    if diagrams.is_empty() {
        return None;
    }
    let mut main = format!("#import {}: *\n", super::escape::string(&super::template_path()));
    main.push_str("#set page(width: auto, height: auto, margin: 4pt, header: none, footer: none, numbering: none)\n#set text(font: (\"Inter\", \"Libertinus Serif\"))\n#show figure.caption: none\n");
    for (i, d) in diagrams.iter().enumerate() {
        if i > 0 {
            main.push_str("#pagebreak()\n");
        }
        // Diagrams are drawn at their natural size: no page to fit.
        main.push_str(&super::markup::diagram_call(d, None).replacen("#cb-diagram(", "#cb-diagram-natural(", 1));
        main.push('\n');
    }
    Some((main, diagrams.iter().map(|d| d.number).collect()))
}

fn collect_diagrams<'a>(events: &'a [Event], out: &mut Vec<&'a Diagram>) {
    for e in events {
        if let Event::Diagram(d) = e {
            out.push(d);
        }
    }
}

/// The text a document shows, in reading order within each frame (runs
/// joined as laid out; lines and pages separated by a space). For tests.
pub fn plain_text(doc: &PagedDocument) -> String {
    use typst::layout::{Abs, Frame, FrameItem, Point};

    /// The last cluster written and the baseline it sits on. Typst splits a
    /// cluster that needs glyphs from several fonts (a base and a mark, say)
    /// into several items on the same line, each carrying the cluster's whole
    /// text, its marks raised or lowered by less than a line; those repeats
    /// are the same characters, shown once.
    struct Last {
        cluster: String,
        y: Abs,
    }

    fn walk(frame: &Frame, origin: Point, out: &mut String, last: &mut Option<Last>) {
        for (pos, item) in frame.items() {
            let at = origin + *pos;
            match item {
                FrameItem::Group(g) => walk(&g.frame, at, out, last),
                FrameItem::Text(t) => {
                    let whole = !t.glyphs.is_empty() && t.glyphs.iter().all(|g| g.range() == (0..t.text.len()));
                    let repeat = last.as_ref().is_some_and(|l| l.cluster == t.text.as_str() && (l.y - at.y).abs() < t.size * 0.6);
                    if whole && repeat {
                        continue;
                    }
                    // The text each glyph cluster shows (a cluster drawn by
                    // several glyphs of one item is counted once).
                    let mut seen: Option<std::ops::Range<usize>> = None;
                    for g in &t.glyphs {
                        let r = g.range();
                        if seen.as_ref().is_some_and(|l| l.start <= r.start && r.end <= l.end) {
                            continue;
                        }
                        if let Some(s) = t.text.get(r.clone()) {
                            out.push_str(s);
                            *last = Some(Last { cluster: s.to_owned(), y: at.y });
                        }
                        seen = Some(r);
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = String::new();
    for page in doc.pages() {
        walk(&page.frame, Point::zero(), &mut out, &mut None);
        out.push(' ');
    }
    out
}

/// Compiles a snippet of generated body markup against the built-in template's
/// functions on a plain page (no cover or running heads). For tests of the writer.
pub fn compile_snippet(root: &std::path::Path, body: &str) -> Result<PagedDocument, String> {
    use std::sync::{Arc, OnceLock};
    static FONTS: OnceLock<Arc<super::world::Fonts>> = OnceLock::new();
    let fonts = FONTS.get_or_init(|| super::world::Fonts::new(&crate::fonts::WorkspaceFonts::default()));
    let mut main = format!("#import {}: *\n", super::escape::string(&super::template_path()));
    main.push_str("#set page(width: 12cm, height: auto, margin: 1cm, header: none, footer: none)\n#set text(font: (\"Libertinus Serif\",), hyphenate: false)\n#set par(justify: false)\n");
    main.push_str(body);
    let mut files = BTreeMap::new();
    files.insert(super::template_path(), super::DEFAULT_TEMPLATE.to_owned());
    files.insert(super::main_path(), main);
    let mut world = CasebookWorld::new(root, Arc::clone(fonts), None);
    world.set_generated(&files);
    typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|e| e.iter().map(|d| d.message.to_string()).collect::<Vec<_>>().join("; "))
}
