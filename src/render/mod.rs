//! Rendering: what both editions share (the order of the tables of
//! authorities, the case summaries to print, chapter-end placement, the words
//! both print around a chapter, a figure or a block), and the
//! two backends. Only `typst` knows Typst exists; only `epub` knows XHTML.

use std::collections::BTreeMap;

use crate::config::CaseSummaries;
use crate::model::{Authority, CaseIdx, ChapterKind, CitePlace, Corpus, Guide, InstrumentIdx};
use crate::oscola::{self, LegislationGroup, Provision};

pub mod anki;
pub mod epub;
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
