//! The condensed edition (`<id>-summary.pdf`): a revision sheet per chapter,
//! typeset in two columns by `templates/summary.typ`.
//!
//! What a chapter keeps is chosen by [`crate::render::chapter_digests`] (key
//! terms with their definitions, the rule-and-exceptions panels, the summary,
//! checklist and exam-advice callouts, the method steps, the diagrams); this
//! module writes it, with the chapter's Key cases, as one
//! `#cb-summary-chapter(…)` call per chapter, in a file of its own
//! (`/__casebook__/summary/<slug>.typ`) whose source map points back at the
//! Markdown. The blocks go through the guide's [`Writer`], so emphasis, lists
//! and tables print as in the guide, with these differences:
//!
//! - Citations print in the text, never in footnotes (footnotes in a
//!   two-column sheet sit far from their text), in short form: a case by its
//!   name (italic) and pinpoint, linked to its row in the chapter's Key cases
//!   table, which gives the full citation; legislation by its short title and
//!   provision (`Theft Act 1968, s 1(1)`, `VCLT, art 31`).
//! - User footnotes are asides, and are dropped with the rest of the prose.
//! - A heading inside a kept block prints as a bold line (the sheet's
//!   headings are the chapter titles only, so that they nest for PDF/UA); a
//!   link to a heading goes to the chapter's title.
//! - A `case` or `statute` block nested in a kept block prints as a callout
//!   named after its authority (the authority's text is not in the sheet).
//!
//! Labels: a chapter's title is `<slug>` (as in the guide, so that links to a
//! chapter work); a Key cases row is `<summary:slug:case-id>`, a form no
//! other generated label takes.
//!
//! Diagrams are laid out again for the column, with smaller type
//! ([`DiagramType::Compact`]) and across when that shrinks them less, and the
//! template scales them to fit it. A chart that must still shrink below a
//! legible size gets a `diagram-too-large` warning of its own: a column is
//! narrower than the guide's page, so the guide's warning does not cover it.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::escape::string;
use super::markup::{self, runs_markup, DiagramType, SourceMap, Writer};
use super::pdf::TemplateSource;
use super::{main_path, meta, summary_template_path, template_path, Generated, GEN_DIR};
use crate::config::{Orientation, Paper};
use crate::diag::{Diagnostic, Span};
use crate::diagram::Direction;
use crate::model::{Authority, CalloutTarget, CaseIdx, Chapter, CiteItem, Corpus, Diagram, Event, Guide, LinkTarget, Tag};
use crate::oscola::{self, Run, Style};
use crate::render::{ChapterDigest, DigestBlock};

/// The paper the summary is printed on: the guide's, except that an A5
/// guide's summary is on A4 (two columns of A5 are 55 mm wide, too narrow for
/// a table of cases; a revision sheet is a loose sheet, not a bound book).
/// `templates/summary.typ` makes the same choice.
pub fn summary_paper(paper: Paper) -> Paper {
    match paper {
        Paper::A5 => Paper::A4,
        p => p,
    }
}

/// The width and height of one column, in points, of the summary of a
/// guide; these must match `templates/summary.typ` (margins 1.3 cm at the
/// sides, 1.6 cm at the top and 1.4 cm at the bottom, columns 0.7 cm apart).
pub fn column_area(paper: Paper, orientation: Orientation) -> (f64, f64) {
    const CM: f64 = 72.0 / 2.54;
    let (w, h) = match summary_paper(paper) {
        Paper::UsLetter => (612.0, 792.0),
        _ => (595.28, 841.89),
    };
    let (w, h) = match orientation {
        Orientation::Portrait => (w, h),
        Orientation::Landscape => (h, w),
    };
    ((w - 2.0 * 1.3 * CM - 0.7 * CM) / 2.0, h - 3.0 * CM)
}

/// The tallest a diagram may be drawn in the summary, in points (16 cm),
/// and the largest share of a column's height it may take: about a column
/// of a landscape page, 60 % of one on a portrait page. Both must match
/// `cb-diagram` in `templates/summary.typ`.
const DIAGRAM_HEIGHT: f64 = 16.0 * 72.0 / 2.54;
const DIAGRAM_SHARE: f64 = 0.9;

/// [`markup::diagram_call_scaled`] fits a diagram into 0.7 of the height it
/// is given.
const GUIDE_DIAGRAM_HEIGHT: f64 = 0.7;

/// The virtual path of a chapter's part of the summary.
fn chapter_path(ch: &Chapter) -> String {
    format!("{GEN_DIR}/summary/{}.typ", ch.slug)
}

/// The label of a case's row in a chapter's Key cases table.
fn case_row_label(ch: &Chapter, case_id: &str) -> String {
    format!("summary:{}:case-{case_id}", ch.slug)
}

/// Generates the Typst sources of a guide's condensed edition.
pub fn generate(corpus: &Corpus, guide: &Guide, templates: &TemplateSource) -> Generated {
    let mut g = Generated::default();
    g.add(template_path(), templates.text.clone(), SourceMap::default());
    g.add(summary_template_path(), templates.summary.text.clone(), SourceMap::default());
    let import = format!("#import {}: *\n", string(&summary_template_path()));
    let mut main = import.clone();
    let _ = writeln!(main, "#show: cb-summary.with(meta: {})", meta(corpus, guide));
    let digests = crate::render::chapter_digests(guide);
    for (i, (ch, digest)) in guide.chapters.iter().zip(&digests).enumerate() {
        let path = chapter_path(ch);
        let (text, map, warnings) = chapter(corpus, guide, i, digest, &import);
        let _ = writeln!(main, "#include {}", string(&path));
        g.add(path, text, map);
        g.warnings.extend(warnings);
    }
    g.add(main_path(), main, SourceMap::default());
    g
}

/// One chapter's `#cb-summary-chapter(…)` call, with its source map and the
/// warnings about diagrams too large for a column.
fn chapter(corpus: &Corpus, guide: &Guide, i: usize, digest: &ChapterDigest<'_>, import: &str) -> (String, SourceMap, Vec<Diagnostic>) {
    let ch = &guide.chapters[i];
    let key_cases: BTreeSet<CaseIdx> = ch.key_cases.iter().copied().collect();
    let print = |item: &CiteItem| cite_item(corpus, ch, &key_cases, item);
    let mut w = Writer::new(corpus, guide, &ch.slug).with_diagram_type(DiagramType::Compact);
    w.cite_item = Some(&print);
    // Generated text maps to the chapter's file, and to a citation's place
    // from the citation on, until the next piece.
    let whole = Span::new(ch.file, 0..0);
    w.mark(&whole);
    w.raw(import);
    let number = crate::render::chapter_number(guide, i).map_or("none".to_owned(), |n| n.to_string());
    w.raw(&format!(
        "#cb-summary-chapter(\n  title: {},\n  anchor: {},\n  kind: {},\n  number: {number},\n  kicker: {},\n  terms: (",
        string(&ch.title),
        string(&ch.slug),
        string(ch.kind.name()),
        string(&crate::render::chapter_kicker(guide, i)),
    ));
    for t in &digest.terms {
        let term = corpus.term(*t);
        w.mark(&whole);
        w.raw(&format!("\n    (name: {}, def: [", string(&term.name)));
        w.events(&prepare(corpus, &super::strip_paragraphs(&term.definition)));
        trim_end(&mut w.out);
        w.raw("]),");
    }
    w.raw("\n  ),\n  blocks: (");
    for block in &digest.blocks {
        w.mark(&whole);
        w.raw("\n    [");
        match block {
            DigestBlock::Events([Event::Diagram(d)]) => {
                w.mark(&d.span);
                let (call, scale) = diagram_call(guide, d);
                if scale < DiagramType::Compact.min_legible_scale() {
                    w.warnings.push(
                        Diagnostic::warning(
                            "diagram-too-large",
                            format!("in the summary the flowchart must be shrunk to {:.0} % to fit a column, so its labels will be hard to read", scale * 100.0),
                        )
                        .at_span(d.span.clone())
                        .label("too large for a column of the summary")
                        .hint("split it into smaller flowcharts, shorten its labels, or set `[summary] orientation = \"landscape\"` for wider columns"),
                    );
                }
                w.raw(&call);
            }
            DigestBlock::Events(events) => {
                w.events(&prepare(corpus, events));
                trim_end(&mut w.out);
            }
            DigestBlock::Steps(steps) => {
                let items: Vec<String> = steps.iter().map(|(n, title)| format!("({n}, {})", string(&step_title(*n, title)))).collect();
                w.raw(&format!("#cb-summary-steps(({}))", items.iter().map(|s| format!("{s}, ")).collect::<String>()));
            }
        }
        w.raw("],");
    }
    w.mark(&whole);
    w.raw("\n  ),\n  cases: (");
    for c in &ch.key_cases {
        let case = corpus.case(*c);
        let citation: Vec<Run> = oscola::case_table_entry(&case.info)
            .into_iter()
            .map(|mut r| {
                r.style = Style::Roman;
                r
            })
            .collect();
        let citation_text = oscola::plain(&citation);
        let citation_only = citation_text.strip_prefix(&case.info.name).unwrap_or(&citation_text).trim().to_owned();
        let _ = write!(
            w.out,
            "\n    (name: [{}], citation: {}, principle: {}, anchor: {}),",
            runs_markup(&[Run { text: case.info.name.clone(), style: Style::Italic }]),
            string(&citation_only),
            string(&case.summary),
            string(&case_row_label(ch, &case.id)),
        );
    }
    w.raw("\n  ),\n)\n");
    let Writer { out, map, warnings, .. } = w;
    (out, map, warnings)
}

/// The `#cb-diagram(…)` call of a diagram in a column of the summary, and
/// the scale it is drawn at. When the chart must shrink, it is laid out
/// across as well (a top-down chart left to right, and the other way round)
/// and drawn the way that shrinks it less: a landscape page's columns are
/// short and wide, a portrait page's tall and narrow.
fn diagram_call(guide: &Guide, d: &Diagram) -> (String, f64) {
    let (width, height) = column_area(guide.options.paper, guide.options.summary_orientation);
    let area = Some((width, (height * DIAGRAM_SHARE).min(DIAGRAM_HEIGHT) / GUIDE_DIAGRAM_HEIGHT));
    let (call, scale) = markup::diagram_call_typed(d, area, DiagramType::Compact);
    if scale >= 1.0 {
        return (call, scale);
    }
    let mut across = d.clone();
    across.graph.direction = match d.graph.direction {
        Direction::TopDown | Direction::BottomUp => Direction::LeftRight,
        Direction::LeftRight | Direction::RightLeft => Direction::TopDown,
    };
    let (other, other_scale) = markup::diagram_call_typed(&across, area, DiagramType::Compact);
    // The author's direction, unless the other is clearly larger.
    if other_scale > scale * 1.1 {
        (other, other_scale)
    } else {
        (call, scale)
    }
}

/// A citation's authority as the summary prints it: a case by its name and
/// pinpoint, linked to its Key cases row when the chapter has one; an
/// instrument by its short title and provision.
fn cite_item(corpus: &Corpus, ch: &Chapter, key_cases: &BTreeSet<CaseIdx>, item: &CiteItem) -> String {
    match item.authority {
        Authority::Case(c) => {
            let case = corpus.case(c);
            let mut info = case.info.clone();
            info.short_name = None;
            let text = runs_markup(&oscola::case_short(&info, item.locator.as_ref()));
            if key_cases.contains(&c) {
                format!("#link(<{}>)[{text}]", case_row_label(ch, &case.id))
            } else {
                text
            }
        }
        Authority::Instrument(i) => {
            let prov = match &item.locator {
                Some(oscola::Locator::Provision(p)) => Some(p),
                _ => None,
            };
            runs_markup(&oscola::instrument_short(&corpus.instrument(i).info, prov))
        }
    }
}

/// A method step's title without the number its author may have written
/// (`1. Read the question twice`); `Step 3` when it has none.
fn step_title(n: u32, title: &str) -> String {
    let t = title.trim();
    let rest = t.strip_prefix(&n.to_string()).and_then(|r| r.strip_prefix(['.', ')', ':'])).map(str::trim).unwrap_or(t);
    if rest.is_empty() {
        format!("Step {n}")
    } else {
        rest.to_owned()
    }
}

/// Drops the white space the writer leaves after a block.
fn trim_end(out: &mut String) {
    let n = out.trim_end().len();
    out.truncate(n);
}

/// A kept block's events, made fit for the summary (see the module notes):
/// no user footnotes, headings as bold lines, links to a heading as links
/// to its chapter, nested `case` and `statute` blocks as named callouts.
fn prepare(corpus: &Corpus, events: &[Event]) -> Vec<Event> {
    let mut out = Vec::with_capacity(events.len());
    // For each open container: how many `End`s close it here.
    let mut ends: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::FootnoteRef { .. } => {}
            Event::Start(Tag::FootnoteDefinition { .. }) => {
                i = crate::model::matching_end(events, i) + 1;
                continue;
            }
            Event::Start(Tag::Heading { .. }) => {
                out.push(Event::Start(Tag::Paragraph));
                out.push(Event::Start(Tag::Strong));
                ends.push(2);
            }
            Event::Start(Tag::Link(LinkTarget::Chapter { chapter, fragment: Some(_) })) => {
                out.push(Event::Start(Tag::Link(LinkTarget::Chapter { chapter: *chapter, fragment: None })));
                ends.push(1);
            }
            Event::Start(Tag::Callout(c)) if c.target.is_some() => {
                let mut c = c.clone();
                c.title = match c.target.take() {
                    Some(CalloutTarget::Case(ci)) => corpus.case(ci).info.name.clone(),
                    Some(CalloutTarget::Provision(ii, prov)) => {
                        oscola::plain(&oscola::instrument_in_text(&corpus.instrument(ii).info, prov.as_ref(), true))
                    }
                    None => String::new(),
                };
                c.anchor = None;
                out.push(Event::Start(Tag::Callout(c)));
                ends.push(1);
            }
            Event::Start(t) => {
                out.push(Event::Start(t.clone()));
                ends.push(1);
            }
            Event::End => {
                for _ in 0..ends.pop().unwrap_or(1) {
                    out.push(Event::End);
                }
            }
            e => out.push(e.clone()),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_titles_lose_their_written_number() {
        assert_eq!(step_title(1, "1. Read the question twice"), "Read the question twice");
        assert_eq!(step_title(12, "12) Conclude"), "Conclude");
        assert_eq!(step_title(3, "Plan"), "Plan");
        assert_eq!(step_title(4, ""), "Step 4");
        assert_eq!(step_title(5, "5."), "Step 5");
        assert_eq!(step_title(2, "2015 reforms"), "2015 reforms");
    }

    #[test]
    fn columns_fit_the_page() {
        let (w, h) = column_area(Paper::A4, Orientation::Portrait);
        assert!((w - 250.9).abs() < 0.1 && (h - 756.85).abs() < 0.1, "{w} {h}");
        let (w, h) = column_area(Paper::A4, Orientation::Landscape);
        assert!((w - 374.2).abs() < 0.1 && (h - 510.24).abs() < 0.1, "{w} {h}");
        assert_eq!(column_area(Paper::A5, Orientation::Portrait), column_area(Paper::A4, Orientation::Portrait));
    }
}
