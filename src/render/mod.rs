//! Rendering: what both editions share (the order of the tables of
//! authorities, the case summaries to print, chapter-end placement, the words
//! both print around a chapter, a figure or a block, what the condensed
//! edition keeps of a chapter), and the two backends. Only `typst` knows
//! Typst exists; only `epub` knows XHTML.

use std::collections::BTreeMap;

use crate::config::CaseSummaries;
use crate::model::{Authority, CalloutKind, CaseIdx, ChapterKind, CitePlace, Corpus, Event, Guide, InstrumentIdx, Tag, TermIdx};
use crate::oscola::{self, LegislationGroup, Provision};

pub mod anki;
pub mod epub;
pub mod pages;
pub mod typst;

/// One entry of the table of cases.
#[derive(Debug, Clone)]
pub struct CaseEntry {
    /// The case.
    pub case: CaseIdx,
    /// Every place it is cited, in reading order.
    pub places: Vec<CitePlace>,
}

/// The table of cases: every case cited in the guide's chapters, in OSCOLA
/// order (first significant word; `Re` and `The` moved to the end).
pub fn table_of_cases(corpus: &Corpus, guide: &Guide) -> Vec<CaseEntry> {
    let mut v: Vec<CaseEntry> = guide
        .citations
        .iter()
        .filter_map(|(a, places)| match a {
            Authority::Case(c) => Some(CaseEntry { case: *c, places: places.clone() }),
            Authority::Instrument(_) => None,
        })
        .collect();
    v.sort_by_cached_key(|e| (oscola::case_sort_key(&corpus.case(e.case).info.name), corpus.case(e.case).id.clone()));
    v
}

/// One instrument in the table of legislation.
#[derive(Debug, Clone)]
pub struct InstrumentEntry {
    /// The instrument.
    pub instrument: InstrumentIdx,
    /// Every place it is cited (with or without a provision), in reading order.
    pub places: Vec<CitePlace>,
    /// Each cited provision, in numeric order, with its places.
    pub provisions: Vec<(Provision, Vec<CitePlace>)>,
}

/// The table of legislation: grouped by kind (statutes, statutory instruments,
/// treaties, EU, bills), alphabetical within a group.
pub fn table_of_legislation(corpus: &Corpus, guide: &Guide) -> Vec<(LegislationGroup, Vec<InstrumentEntry>)> {
    let mut groups: BTreeMap<LegislationGroup, Vec<InstrumentEntry>> = BTreeMap::new();
    for (a, places) in &guide.citations {
        let Authority::Instrument(i) = a else { continue };
        let inst = corpus.instrument(*i);
        let provisions = guide.provisions_cited.get(i).cloned().unwrap_or_default();
        groups
            .entry(oscola::legislation_group(inst.info.kind))
            .or_default()
            .push(InstrumentEntry { instrument: *i, places: places.clone(), provisions });
    }
    for list in groups.values_mut() {
        list.sort_by_cached_key(|e| {
            let info = &corpus.instrument(e.instrument).info;
            (info.title.to_lowercase(), corpus.instrument(e.instrument).id.clone())
        });
    }
    groups.into_iter().collect()
}

/// The cases whose summaries the appendix prints (table-of-cases order), or
/// none when summaries are not in an appendix.
pub fn appendix_cases(corpus: &Corpus, guide: &Guide) -> Vec<CaseIdx> {
    match guide.options.case_summaries {
        CaseSummaries::Appendix => table_of_cases(corpus, guide).into_iter().map(|e| e.case).collect(),
        _ => Vec::new(),
    }
}

/// From this many cases on, the appendix of case summaries is divided into
/// sections by initial letter, each starting on a new page, as a long law
/// report index is. A reader finds a case by its letter; and each section is
/// typeset on its own, so an edit to one summary relays out one letter, not
/// the whole appendix (see `casebook watch`).
pub const APPENDIX_LETTER_SECTIONS_FROM: usize = 100;

/// The appendix of case summaries in sections: one unnamed section, or, from
/// [`APPENDIX_LETTER_SECTIONS_FROM`] cases on, one per initial letter of the
/// table-of-cases order (`#` for names that begin with no letter).
pub fn appendix_sections(corpus: &Corpus, guide: &Guide) -> Vec<(Option<char>, Vec<CaseIdx>)> {
    let cases = appendix_cases(corpus, guide);
    if cases.len() < APPENDIX_LETTER_SECTIONS_FROM {
        return if cases.is_empty() { Vec::new() } else { vec![(None, cases)] };
    }
    let mut out: Vec<(Option<char>, Vec<CaseIdx>)> = Vec::new();
    for c in cases {
        let key = oscola::case_sort_key(&corpus.case(c).info.name);
        let first = key.chars().next().filter(|ch| ch.is_alphabetic()).map(|ch| ch.to_uppercase().next().unwrap_or(ch)).unwrap_or('#');
        match out.last_mut() {
            Some((Some(l), v)) if *l == first => v.push(c),
            _ => out.push((Some(first), vec![c])),
        }
    }
    out
}

/// For `chapter-end` summaries: the cases printed after each chapter. A case
/// is printed after the first chapter that cites it, and only there, so that
/// every summary has one place to link to.
pub fn chapter_end_cases(guide: &Guide) -> Vec<Vec<CaseIdx>> {
    let mut seen = std::collections::BTreeSet::new();
    guide
        .chapters
        .iter()
        .map(|ch| {
            if guide.options.case_summaries != CaseSummaries::ChapterEnd {
                return Vec::new();
            }
            ch.key_cases.iter().copied().filter(|c| seen.insert(*c)).collect()
        })
        .collect()
}

/// True when case summaries are printed somewhere in the guide.
pub fn summaries_printed(guide: &Guide) -> bool {
    guide.options.case_summaries != CaseSummaries::None
}

/// The line printed over a chapter's title: `Chapter 3` for the third
/// numbered chapter, `Exam technique` or `Article` for the other kinds.
pub fn chapter_kicker(guide: &Guide, chapter: usize) -> String {
    match (guide.chapters[chapter].kind, chapter_number(guide, chapter)) {
        (ChapterKind::ExamGuide, _) => "Exam technique".to_owned(),
        (ChapterKind::Article, _) => "Article".to_owned(),
        (ChapterKind::Chapter, n) => format!("Chapter {}", n.unwrap_or_default()),
    }
}

/// The number of a chapter of kind `chapter` among the guide's chapters of
/// that kind (exam guides and articles are not numbered).
pub fn chapter_number(guide: &Guide, chapter: usize) -> Option<usize> {
    (guide.chapters[chapter].kind == ChapterKind::Chapter)
        .then(|| guide.chapters[..=chapter].iter().filter(|c| c.kind == ChapterKind::Chapter).count())
}

/// The caption of a diagram as both editions print it: `Figure 2: Title`
/// (the PDF's is Typst's figure caption, numbered by the template's figure
/// counter in the same order).
pub fn figure_caption(number: usize, title: &str) -> String {
    format!("Figure {number}: {}", title.trim())
}

/// The label of the concept beside a case or provision in a `case` or
/// `statute` block.
pub const CONCEPT_LABEL: &str = "Concept";

/// The header of a rule-and-exceptions panel.
pub const RULE_PANEL_LABEL: &str = "Rule and exceptions";

/// The sections of a case shown beside the concept in a `case` block: Held
/// and Principle when the guide prints the full summary elsewhere, every
/// section when the block is the only place the case is told.
pub fn aside_sections<'a>(guide: &Guide, case: &'a crate::model::Case) -> impl Iterator<Item = &'a crate::model::CaseSection> {
    let all = !summaries_printed(guide);
    case.sections
        .iter()
        .filter(move |s| all || matches!(s.kind, crate::model::CaseSectionKind::Held | crate::model::CaseSectionKind::Principle))
}

/// The line under a `case` block that points to the case's full summary
/// (when the guide prints one elsewhere): `Full summary of ` and the name.
pub const FULL_SUMMARY_LEAD: &str = "Full summary of ";

/// The callouts the condensed edition keeps whole, besides the
/// rule-and-exceptions panels: a rule or an exception standing alone, the
/// chapter's own summaries and checklists, and the exam advice (`extra-marks`
/// is exam advice like `exam-tip` and `pitfall`, so it is kept with them).
pub const DIGEST_CALLOUTS: [CalloutKind; 7] = [
    CalloutKind::Rule,
    CalloutKind::Exception,
    CalloutKind::Summary,
    CalloutKind::Checklist,
    CalloutKind::ExamTip,
    CalloutKind::Pitfall,
    CalloutKind::ExtraMarks,
];

/// One block of a chapter's digest.
#[derive(Debug, Clone, PartialEq)]
pub enum DigestBlock<'a> {
    /// A rule-and-exceptions panel or a kept callout (a whole container,
    /// `Start` to its `End`), or a diagram (one event).
    Events(&'a [Event]),
    /// The chapter's method steps (an exam-technique chapter's `step`
    /// callouts), as number and title: their bodies are prose, their titles
    /// the method to remember. They stand where the first step stood.
    Steps(Vec<(u32, &'a str)>),
}

/// What the condensed edition (`<id>-summary.pdf`) keeps of a chapter: no
/// running prose, only what a student revises from.
#[derive(Debug, Clone, PartialEq)]
pub struct ChapterDigest<'a> {
    /// The key terms of its opening box, then the terms its `definition`
    /// callouts define that the box does not list, once each.
    pub terms: Vec<TermIdx>,
    /// The rule-and-exceptions panels, the [`DIGEST_CALLOUTS`], the method
    /// steps and the diagrams, in reading order. Footnote texts are asides and
    /// are not looked into.
    pub blocks: Vec<DigestBlock<'a>>,
}

impl ChapterDigest<'_> {
    /// True when the chapter keeps nothing but its title (and its Key cases,
    /// which the renderer takes from the chapter).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.blocks.is_empty()
    }
}

/// The digest of every chapter of a guide, in reading order.
pub fn chapter_digests(guide: &Guide) -> Vec<ChapterDigest<'_>> {
    guide.chapters.iter().map(|ch| chapter_digest(&ch.key_terms, &ch.body)).collect()
}

/// The digest of one chapter body (see [`ChapterDigest`]).
pub fn chapter_digest<'a>(key_terms: &[TermIdx], body: &'a [Event]) -> ChapterDigest<'a> {
    let mut terms: Vec<TermIdx> = key_terms.to_vec();
    let mut blocks: Vec<DigestBlock<'a>> = Vec::new();
    // Index in `blocks` of the method steps, once the first is met.
    let mut steps_at: Option<usize> = None;
    let mut i = 0;
    while i < body.len() {
        match &body[i] {
            Event::Start(Tag::RulePanel) => {
                let end = crate::model::matching_end(body, i);
                blocks.push(DigestBlock::Events(&body[i..=end]));
                i = end + 1;
            }
            Event::Start(Tag::Callout(c)) if DIGEST_CALLOUTS.contains(&c.kind) => {
                let end = crate::model::matching_end(body, i);
                blocks.push(DigestBlock::Events(&body[i..=end]));
                i = end + 1;
            }
            Event::Start(Tag::Callout(c)) if c.kind == CalloutKind::Step => {
                let step = (c.step.unwrap_or_default(), c.title.as_str());
                match steps_at {
                    Some(at) => {
                        if let DigestBlock::Steps(v) = &mut blocks[at] {
                            v.push(step);
                        }
                    }
                    None => {
                        steps_at = Some(blocks.len());
                        blocks.push(DigestBlock::Steps(vec![step]));
                    }
                }
                i = crate::model::matching_end(body, i) + 1;
            }
            Event::Start(Tag::Callout(c)) if c.kind == CalloutKind::Definition => {
                if let Some(t) = c.term {
                    if !terms.contains(&t) {
                        terms.push(t);
                    }
                }
                i += 1;
            }
            Event::Start(Tag::FootnoteDefinition { .. }) => i = crate::model::matching_end(body, i) + 1,
            Event::Diagram(_) => {
                blocks.push(DigestBlock::Events(&body[i..=i]));
                i += 1;
            }
            _ => i += 1,
        }
    }
    ChapterDigest { terms, blocks }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{SourceId, Span};
    use crate::diagram::{Direction, Graph};
    use crate::model::{Callout, Diagram};

    fn callout(kind: CalloutKind, title: &str, step: Option<u32>, term: Option<TermIdx>) -> Event {
        Event::Start(Tag::Callout(Callout { kind, title: title.to_owned(), target: None, step, term, anchor: None }))
    }

    fn para(text: &str) -> Vec<Event> {
        vec![Event::Start(Tag::Paragraph), Event::Text(text.to_owned()), Event::End]
    }

    fn diagram(number: usize) -> Event {
        let graph = Graph { direction: Direction::TopDown, nodes: Vec::new(), edges: Vec::new(), title: None, description: None, description_span: None };
        Event::Diagram(Box::new(Diagram { graph, title: None, alt: None, number, span: Span::new(SourceId(0), number..number) }))
    }

    /// A chapter body: prose, a panel, callouts of every sort, steps, a
    /// diagram in an example and one in a footnote.
    fn body() -> Vec<Event> {
        let mut b = para("Running prose.");
        b.push(Event::Start(Tag::RulePanel));
        b.push(callout(CalloutKind::Rule, "A rule", None, None));
        b.extend(para("The rule."));
        b.push(Event::End);
        b.push(callout(CalloutKind::Exception, "An exception", None, None));
        b.extend(para("The exception."));
        b.push(Event::End);
        b.push(Event::End);
        b.push(callout(CalloutKind::Definition, "Novel term", None, Some(TermIdx(7))));
        b.extend(para("Defined here."));
        b.push(Event::End);
        b.push(callout(CalloutKind::Definition, "Key term", None, Some(TermIdx(2))));
        b.extend(para("Listed already."));
        b.push(Event::End);
        b.push(callout(CalloutKind::Step, "1. Read", Some(1), None));
        b.extend(para("Step prose."));
        b.push(Event::End);
        b.push(callout(CalloutKind::ExamTip, "Tip", None, None));
        b.extend(para("Advice."));
        b.push(Event::End);
        b.push(callout(CalloutKind::Step, "Plan", Some(2), None));
        b.extend(para("More step prose."));
        b.push(Event::End);
        b.push(callout(CalloutKind::Example, "", None, None));
        b.push(diagram(1));
        b.push(Event::End);
        for kind in [CalloutKind::Note, CalloutKind::Warning, CalloutKind::Question, CalloutKind::AnswerPlan] {
            b.push(callout(kind, "Left out", None, None));
            b.extend(para("Not in the summary."));
            b.push(Event::End);
        }
        for kind in [CalloutKind::Pitfall, CalloutKind::Summary, CalloutKind::Checklist, CalloutKind::ExtraMarks, CalloutKind::Exception] {
            b.push(callout(kind, "Kept", None, None));
            b.extend(para("In the summary."));
            b.push(Event::End);
        }
        b.push(Event::Start(Tag::FootnoteDefinition { label: "n".to_owned(), number: 1 }));
        b.push(diagram(2));
        b.push(Event::End);
        b
    }

    #[test]
    fn digest_keeps_panels_kept_callouts_steps_and_diagrams_in_order() {
        let body = body();
        let d = chapter_digest(&[TermIdx(2), TermIdx(5)], &body);
        assert_eq!(d.terms, vec![TermIdx(2), TermIdx(5), TermIdx(7)], "key terms first, then the callouts' new terms, once each");
        let shapes: Vec<String> = d
            .blocks
            .iter()
            .map(|b| match b {
                DigestBlock::Events([Event::Diagram(d)]) => format!("diagram {}", d.number),
                DigestBlock::Events(e) => match &e[0] {
                    Event::Start(Tag::RulePanel) => "panel".to_owned(),
                    Event::Start(Tag::Callout(c)) => c.kind.name().to_owned(),
                    other => format!("{other:?}"),
                },
                DigestBlock::Steps(s) => format!("steps {s:?}"),
            })
            .collect();
        assert_eq!(
            shapes,
            [
                "panel",
                "steps [(1, \"1. Read\"), (2, \"Plan\")]",
                "exam-tip",
                "diagram 1",
                "pitfall",
                "summary",
                "checklist",
                "extra-marks",
                "exception",
            ]
        );
        // Each kept block is whole: from its start to its own end.
        for b in &d.blocks {
            if let DigestBlock::Events(e) = b {
                if e.len() > 1 {
                    assert_eq!(crate::model::matching_end(e, 0), e.len() - 1);
                }
            }
        }
        assert!(!d.is_empty());
        assert!(chapter_digest(&[], &para("Only prose.")).is_empty());
    }
}
