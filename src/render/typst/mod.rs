//! The Typst backend: the resolved model becomes Typst source files with
//! stable virtual paths (one per chapter, plus the front and back matter and a
//! main file), compiled by the embedded Typst compiler against the template
//! and exported to PDF, SVG (diagrams) and PNG (the EPUB cover).
//!
//! Only this module knows that Typst exists; the rest of casebook asks
//! [`compiler::Typesetter`] and its per-guide [`compiler::GuideCompiler`] for
//! a PDF, a cover PNG or diagram SVGs.

pub mod cards;
pub mod compiler;
pub mod escape;
pub mod markup;
pub mod pdf;
pub mod summary;
pub mod world;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::config::{CaseSummaries, Paper};
use crate::model::{CaseIdx, Corpus, Guide};
use crate::oscola;
use crate::render::pages::{ChapterPlace, Place};
use escape::string;
use markup::{content, runs_markup, SourceMap, Writer};

/// The template that ships in the binary.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../../templates/guide.typ");

/// The cards' template that ships in the binary (it imports the guide template).
pub const CARDS_TEMPLATE: &str = include_str!("../../../templates/cards.typ");

/// The condensed edition's template that ships in the binary (it imports the guide template).
pub const SUMMARY_TEMPLATE: &str = include_str!("../../../templates/summary.typ");

/// The PDF editions Typst typesets for a guide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PdfKind {
    /// The printable guide.
    Guide,
    /// The whole guide in large print (RNIB clear print).
    LargePrint,
    /// The condensed edition.
    Summary,
    /// Case and key-term cards, four to a sheet.
    Cards,
}

impl PdfKind {
    /// The name the templates see as `sys.inputs.edition`.
    pub fn name(self) -> &'static str {
        match self {
            PdfKind::Guide => "guide",
            PdfKind::LargePrint => "large-print",
            PdfKind::Summary => "summary",
            PdfKind::Cards => "cards",
        }
    }

    /// The template inputs (`sys.inputs`) of this edition of a guide.
    pub fn inputs(self, guide: &Guide) -> Vec<(&'static str, String)> {
        vec![("edition", self.name().to_owned()), ("duplex", guide.options.duplex.to_string())]
    }
}

/// Virtual folder of generated files; user files never live there.
pub const GEN_DIR: &str = "/__casebook__";

/// One generated source file.
#[derive(Debug, Clone)]
pub struct GeneratedFile {
    /// The Typst text.
    pub text: String,
    /// Generated offsets back to Markdown spans.
    pub map: SourceMap,
}

/// Everything Typst needs for one guide, by virtual path.
#[derive(Debug, Clone, Default)]
pub struct Generated {
    /// `/__casebook__/main.typ`, chapters, front, back, template.
    pub files: BTreeMap<String, GeneratedFile>,
    /// Problems the writer found (diagrams too large to read).
    pub warnings: Vec<crate::diag::Diagnostic>,
}

impl Generated {
    fn add(&mut self, path: String, text: String, map: SourceMap) {
        self.files.insert(path, GeneratedFile { text, map });
    }
}

/// The width of the text block and the page height, in points, for a paper
/// size; the margins must match `templates/guide.typ` (A4 and US letter:
/// 2.3 cm each side; A5: 1.6 cm).
pub fn text_area(paper: Paper) -> (f64, f64) {
    const CM: f64 = 72.0 / 2.54;
    match paper {
        Paper::A4 => (595.28 - 2.0 * 2.3 * CM, 841.89),
        Paper::A5 => (419.53 - 2.0 * 1.6 * CM, 595.28),
        Paper::UsLetter => (612.0 - 2.0 * 2.3 * CM, 792.0),
    }
}

/// The virtual path of the main file.
pub fn main_path() -> String {
    format!("{GEN_DIR}/main.typ")
}

/// The virtual path of the template.
pub fn template_path() -> String {
    format!("{GEN_DIR}/template.typ")
}

/// The virtual path of the cards' template.
pub fn cards_template_path() -> String {
    format!("{GEN_DIR}/template-cards.typ")
}

/// The virtual path of the condensed edition's template.
pub fn summary_template_path() -> String {
    format!("{GEN_DIR}/template-summary.typ")
}

/// Generates the Typst sources of one PDF edition of a guide.
pub fn generate_edition(kind: PdfKind, corpus: &Corpus, guide: &Guide, templates: &pdf::TemplateSource) -> Generated {
    match kind {
        PdfKind::Guide => generate(corpus, guide, &templates.text),
        PdfKind::LargePrint => generate_typed(corpus, guide, &templates.text, markup::DiagramType::Large),
        PdfKind::Summary => summary::generate(corpus, guide, templates),
        PdfKind::Cards => cards::generate(corpus, guide, templates),
    }
}

/// Generates the Typst sources of one guide.
pub fn generate(corpus: &Corpus, guide: &Guide, template: &str) -> Generated {
    generate_typed(corpus, guide, template, markup::DiagramType::Normal)
}

/// Generates the Typst sources of one guide, its flowcharts laid out with
/// the type sizes of an edition (the large-print edition's are larger; the
/// template sets everything else from `sys.inputs`).
pub fn generate_typed(corpus: &Corpus, guide: &Guide, template: &str, diagram_type: markup::DiagramType) -> Generated {
    let mut g = Generated::default();
    g.add(template_path(), template.to_owned(), SourceMap::default());
    let import = format!("#import {}: *\n", string(&template_path()));

    // Front matter: the tables of authorities.
    let mut front = import.clone();
    front.push_str(&table_of_cases(corpus, guide));
    front.push_str(&table_of_legislation(corpus, guide));
    g.add(format!("{GEN_DIR}/front.typ"), front, SourceMap::default());

    // Chapters.
    let chapter_end = crate::render::chapter_end_cases(guide);
    let mut main = import.clone();
    main.push_str(&book_call(corpus, guide, &format!("include {}", string(&format!("{GEN_DIR}/front.typ")))));
    for (i, ch) in guide.chapters.iter().enumerate() {
        let mut w = Writer::new(corpus, guide, &ch.slug).with_diagram_type(diagram_type).with_page_marks(i, &ch.body);
        w.mark(&crate::diag::Span::new(ch.file, 0..0));
        w.raw(&import);
        let num = crate::render::chapter_number(guide, i).map_or("none".to_owned(), |n| n.to_string());
        let terms: String = ch.key_terms.iter().map(|t| term_entry(corpus, guide, &ch.slug, *t)).collect();
        w.raw(&format!(
            "#cb-chapter(title: {}, anchor: {}, kind: {}, number: {num}, kicker: {}, key-terms: ({terms}))\n\n",
            string(&ch.title),
            string(&ch.slug),
            string(ch.kind.name()),
            string(&crate::render::chapter_kicker(guide, i))
        ));
        w.events(&ch.body);
        w.raw("\n\n");
        // Key cases table.
        let mut rows = String::new();
        for c in &ch.key_cases {
            let case = corpus.case(*c);
            let target = markup::target_label(guide, corpus, crate::model::Authority::Case(*c));
            let citation: Vec<oscola::Run> = oscola::case_table_entry(&case.info)
                .into_iter()
                .map(|mut r| {
                    r.style = oscola::Style::Roman;
                    r
                })
                .collect();
            let citation_text = oscola::plain(&citation);
            let citation_only = citation_text.strip_prefix(&case.info.name).unwrap_or(&citation_text).trim().to_owned();
            let _ = write!(
                rows,
                "(name: [{}], citation: {}, principle: {}, target: <{target}>), ",
                runs_markup(&[oscola::Run { text: case.info.name.clone(), style: oscola::Style::Italic }]),
                escape::string(&citation_only),
                escape::string(&case.summary)
            );
        }
        if !ch.key_cases.is_empty() {
            w.raw(&markup::page_mark(&Place::Chapter(i, ChapterPlace::KeyCases).to_string()));
        }
        w.raw(&format!("#cb-key-cases(({rows}))\n"));
        if guide.options.case_summaries == CaseSummaries::ChapterEnd && !chapter_end[i].is_empty() {
            w.raw("\n#cb-summaries-heading(level: 2)[Case summaries]\n");
            for (k, c) in chapter_end[i].iter().enumerate() {
                w.raw(&markup::page_mark(&Place::Chapter(i, ChapterPlace::Summary(k)).to_string()));
                w.raw(&case_summary(corpus, guide, &ch.slug, *c, 3));
            }
        }
        let path = format!("{GEN_DIR}/chapters/{}.typ", ch.slug);
        let _ = writeln!(main, "#include {}", string(&path));
        let Writer { out, map, warnings, .. } = w;
        g.warnings.extend(warnings);
        g.add(path, out, map);
    }

    // Back matter: appendix of summaries, glossary.
    let mut back = import;
    let sections = crate::render::appendix_sections(corpus, guide);
    let appendix_order: std::collections::BTreeMap<CaseIdx, usize> =
        crate::render::appendix_cases(corpus, guide).into_iter().enumerate().map(|(k, c)| (c, k)).collect();
    if !sections.is_empty() {
        back.push_str("#pagebreak(weak: true)\n#cb-summaries-heading(level: 1)[Case summaries]\n");
        for (i, (letter, cases)) in sections.into_iter().enumerate() {
            // A letter section starts a new page (the first follows the
            // heading): Typst lays out each page run on its own, so an edit
            // relays out one letter only.
            let level = match letter {
                Some(l) => {
                    let _ = writeln!(back, "#cb-summaries-letter({}, new-page: {})", string(&l.to_string()), i > 0);
                    3
                }
                None => 2,
            };
            for c in cases {
                if let Some(k) = appendix_order.get(&c) {
                    back.push_str(&markup::page_mark(&Place::Appendix(*k).to_string()));
                }
                back.push_str(&case_summary(corpus, guide, "appendix", c, level));
            }
        }
    }
    let entries: String = guide
        .terms
        .iter()
        .enumerate()
        .map(|(k, t)| term_entry_marked(corpus, guide, "glossary", *t, Some(Place::Glossary(k))))
        .collect();
    let _ = writeln!(back, "#cb-glossary(({entries}))");
    g.add(format!("{GEN_DIR}/back.typ"), back, SourceMap::default());
    let _ = writeln!(main, "#include {}", string(&format!("{GEN_DIR}/back.typ")));
    g.add(main_path(), main, SourceMap::default());
    g
}

/// A key term as template data: name, its glossary anchor (as a string and as
/// a label to link to) and its definition; followed by `, ` for an array.
fn term_entry(corpus: &Corpus, guide: &Guide, scope: &str, t: crate::model::TermIdx) -> String {
    term_entry_marked(corpus, guide, scope, t, None)
}

/// A key term as template data, its definition opening with a page mark.
fn term_entry_marked(corpus: &Corpus, guide: &Guide, scope: &str, t: crate::model::TermIdx, mark: Option<Place>) -> String {
    let term = corpus.term(t);
    format!(
        "(name: {}, anchor: {}, target: <{}>, def: [{}{}]), ",
        string(&term.name),
        string(&term.anchor),
        term.anchor,
        mark.map(|p| markup::page_mark(&p.to_string())).unwrap_or_default(),
        content(corpus, guide, scope, &strip_paragraphs(&term.definition))
    )
}

/// A one-paragraph definition is inlined without its paragraph break.
fn strip_paragraphs(events: &[crate::model::Event]) -> Vec<crate::model::Event> {
    use crate::model::{Event, Tag};
    let paras = events.iter().filter(|e| matches!(e, Event::Start(Tag::Paragraph))).count();
    if paras == 1 && matches!(events.first(), Some(Event::Start(Tag::Paragraph))) && matches!(events.last(), Some(Event::End)) {
        events[1..events.len() - 1].to_vec()
    } else {
        events.to_vec()
    }
}

/// The sources of the cover alone (with the title page and an empty contents
/// after it): what the EPUB's cover image is rendered from, without
/// typesetting the whole guide.
pub fn generate_cover(corpus: &Corpus, guide: &Guide, template: &str) -> Generated {
    let mut g = Generated::default();
    g.add(template_path(), template.to_owned(), SourceMap::default());
    let mut main = format!("#import {}: *\n", string(&template_path()));
    main.push_str(&book_call(corpus, guide, "none"));
    g.add(main_path(), main, SourceMap::default());
    g
}

fn book_call(corpus: &Corpus, guide: &Guide, front: &str) -> String {
    format!("#show: cb-book.with(meta: {}, front: {front})\n", meta(corpus, guide))
}

/// The guide's metadata as a Typst dictionary, as every template takes it.
pub fn meta(corpus: &Corpus, guide: &Guide) -> String {
    let (lang, region) = match guide.options.language.split_once('-') {
        Some((l, r)) => (l.to_ascii_lowercase(), Some(r.to_ascii_uppercase())),
        None => (guide.options.language.to_ascii_lowercase(), None),
    };
    let paper = match guide.options.paper {
        Paper::A4 => "a4",
        Paper::A5 => "a5",
        Paper::UsLetter => "us-letter",
    };
    let opt = |s: &Option<String>| s.as_deref().map(string).unwrap_or_else(|| "none".to_owned());
    let authors: Vec<String> = guide.authors.iter().map(|a| string(a)).collect();
    let mut keywords: Vec<String> = vec![string("law"), string("revision guide")];
    keywords.extend(guide.chapters.iter().flat_map(|c| c.key_terms.iter()).map(|t| string(&corpus.term(*t).name)).take(20));
    keywords.dedup();
    let date = match guide.date {
        Some(d) => format!("datetime(year: {}, month: {}, day: {})", d.year, d.month, d.day),
        None => "none".to_owned(),
    };
    let date_text = guide.date.map(|d| string(&d.long())).unwrap_or_else(|| "none".to_owned());
    format!(
        "(title: {}, subtitle: {}, edition: {}, authors: {}, publisher: {}, description: {}, keywords: {}, date: {date}, date-text: {date_text}, lang: {}, region: {}, paper: {}, font: {}, orientation: {})",
        string(&guide.title),
        opt(&guide.subtitle),
        opt(&guide.edition),
        escape::array(&authors),
        opt(&corpus.publisher),
        guide.description.as_deref().map(string).unwrap_or_else(|| string(&guide.title)),
        escape::array(&keywords),
        string(&lang),
        region.as_deref().map(string).unwrap_or_else(|| "none".to_owned()),
        string(paper),
        opt(&guide.options.font),
        string(match guide.options.summary_orientation {
            crate::config::Orientation::Portrait => "portrait",
            crate::config::Orientation::Landscape => "landscape",
        }),
    )
}

fn labels(places: &[crate::model::CitePlace]) -> String {
    let v: Vec<String> = places.iter().map(|p| format!("<{}>", p.anchor)).collect();
    escape::array(&v)
}

fn table_of_cases(corpus: &Corpus, guide: &Guide) -> String {
    let mut s = String::from("#cb-table-of-cases((");
    for (k, e) in crate::render::table_of_cases(corpus, guide).into_iter().enumerate() {
        let case = corpus.case(e.case);
        let mut entry = oscola::case_table_entry(&case.info);
        let name = oscola::case_table_name(&case.info.name);
        // Case names are roman in the tables.
        for r in &mut entry {
            r.style = oscola::Style::Roman;
        }
        let _ = name;
        let _ = write!(
            s,
            "(entry: [{}{}], anchor: {}, places: {}), ",
            markup::page_mark(&Place::CaseTable(k).to_string()),
            runs_markup(&entry),
            string(&format!("toc-case-{}", case.id)),
            labels(&e.places)
        );
    }
    s.push_str("))\n");
    s
}

fn table_of_legislation(corpus: &Corpus, guide: &Guide) -> String {
    let mut s = String::from("#cb-table-of-legislation((");
    let mut k = 0;
    for (group, items) in crate::render::table_of_legislation(corpus, guide) {
        let _ = write!(s, "(group: {}, items: (", string(group.heading()));
        for item in items {
            let inst = corpus.instrument(item.instrument);
            let title = oscola::instrument_table_entry(&inst.info);
            let mut provs = String::new();
            for (p, places) in &item.provisions {
                let _ = write!(provs, "(label: {}, places: {}), ", string(&p.display()), labels(places));
            }
            let _ = write!(
                s,
                "(title: [{}{}], anchor: {}, places: {}, provisions: ({provs})), ",
                markup::page_mark(&Place::LegislationTable(k).to_string()),
                runs_markup(&title),
                string(&format!("toc-leg-{}", inst.id)),
                labels(&item.places)
            );
            k += 1;
        }
        s.push_str(")), ");
    }
    s.push_str("))\n");
    s
}

fn case_summary(corpus: &Corpus, guide: &Guide, scope: &str, c: CaseIdx, level: u8) -> String {
    let case = corpus.case(c);
    let mut sections = String::new();
    for sec in &case.sections {
        let _ = write!(sections, "({}, [{}]), ", string(sec.kind.heading()), content(corpus, guide, &format!("{scope}-{}", case.id), &sec.body));
    }
    let full = oscola::case_full(&case.info, None);
    let citation = markup::trim_runs(full.into_iter().skip_while(|r| r.style == oscola::Style::Italic).collect());
    format!(
        "#cb-case-summary(level: {level}, anchor: {}, name: [{}], citation: [{}], sections: ({sections}))\n",
        string(&format!("case-{}", case.id)),
        runs_markup(&[oscola::Run { text: case.info.name.clone(), style: oscola::Style::Italic }]),
        runs_markup(&citation),
    )
}
