//! Resolution: from the files read by `workspace` to the immutable
//! [`Corpus`]. Cases and legislation are parsed first (ids and provision
//! labels), then every Markdown body is converted once, then each guide is
//! assembled: chapter order, citation forms for its citation mode, footnote
//! numbers, anchors, links, key terms, and every place each authority is cited.
//!
//! This module orders the work; each step has its own file: `markdown` converts
//! one body, `cite` finds citations in text, `terms` gathers the key terms and
//! `guide` assembles one guide. File parsing is `parse`'s.

pub mod cite;
mod guide;
pub mod markdown;
mod terms;
pub mod url;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics, SourceId, Span};
use crate::model::{
    plain_text, slug, Authority, Case, CaseIdx, CaseSection, CaseSectionKind, ChapterKind, Corpus, Event, Instrument,
    InstrumentIdx, ProvisionText, TermIdx,
};
use crate::oscola::{self, Date, Locator};
use crate::parse::case::{parse_case, ParsedCase};
use crate::parse::front_matter::{self, RawChapterFront};
use crate::parse::legislation::{parse_instrument, ParsedInstrument};
use crate::parse::markdown as md;
use crate::workspace::Workspace;
use markdown::{Converter, Lookup};

pub use guide::normalize_headings;

/// Knobs of resolution that do not come from the sources.
#[derive(Clone, Debug, Default)]
pub struct ResolveOptions {
    /// `SOURCE_DATE_EPOCH` as a date: overrides every guide's edition date.
    pub source_date: Option<Date>,
}

/// A chapter file converted once, shared by every guide that lists it.
struct ChapterDraft {
    file: SourceId,
    name: String,
    title: String,
    kind: ChapterKind,
    key_terms: Vec<(String, Range<usize>)>,
    converted: markdown::Converted,
}

/// Resolves everything. Problems go to `diags`; the corpus is always returned
/// (guides with errors are still present, so that `check` sees everything).
pub fn resolve(ws: &Workspace, opts: &ResolveOptions, diags: &mut Diagnostics) -> Corpus {
    let mut ids: BTreeMap<String, Authority> = BTreeMap::new();
    let mut id_files: BTreeMap<String, SourceId> = BTreeMap::new();

    let mut case_drafts = Vec::new();
    for &file in &ws.cases {
        if let Some(d) = parse_case(ws.db.get(file), file, diags) {
            if register_id(ws, &d.id, file, &mut id_files, diags) {
                case_drafts.push(d);
            }
        }
    }
    case_drafts.sort_by(|a, b| a.id.cmp(&b.id));
    let mut inst_drafts = Vec::new();
    for &file in &ws.legislation {
        if let Some(d) = parse_instrument(ws.db.get(file), file, diags) {
            if register_id(ws, &d.id, file, &mut id_files, diags) {
                inst_drafts.push(d);
            }
        }
    }
    inst_drafts.sort_by(|a, b| a.id.cmp(&b.id));
    for (i, c) in case_drafts.iter().enumerate() {
        ids.insert(c.id.clone(), Authority::Case(CaseIdx(i)));
    }
    for (i, d) in inst_drafts.iter().enumerate() {
        ids.insert(d.id.clone(), Authority::Instrument(InstrumentIdx(i)));
    }
    let provisions: Vec<Vec<String>> =
        inst_drafts.iter().map(|d| d.provisions.iter().map(|p| p.0.base_label()).collect()).collect();
    let lookup = Lookup { ids: &ids, provisions: &provisions, root: &ws.root };

    let mut cases: Vec<Case> = case_drafts.into_iter().map(|d| finish_case(ws, d, &lookup, diags)).collect();
    let mut instruments: Vec<Instrument> = inst_drafts.into_iter().map(|d| finish_instrument(ws, d, &lookup, diags)).collect();

    // Every chapter file once.
    let mut chapters: BTreeMap<SourceId, ChapterDraft> = BTreeMap::new();
    for g in &ws.guides {
        for c in &g.chapters {
            if let Some(file) = c.file {
                chapters.entry(file).or_insert_with(|| convert_chapter(ws, file, &lookup, diags));
            }
        }
    }

    let mut terms = terms::collect_terms(ws, &lookup, &chapters, diags);
    // Citations inside case summaries, provisions and definitions are printed
    // in full wherever they appear (they are not places in a chapter).
    for ci in 0..cases.len() {
        let mut secs = std::mem::take(&mut cases[ci].sections);
        for s in &mut secs {
            fill_full_forms(&mut s.body, &cases, &instruments);
        }
        cases[ci].sections = secs;
    }
    for ii in 0..instruments.len() {
        let mut provs = std::mem::take(&mut instruments[ii].provisions);
        for p in &mut provs {
            fill_full_forms(&mut p.body, &cases, &instruments);
        }
        instruments[ii].provisions = provs;
    }
    for t in &mut terms {
        fill_full_forms(&mut t.definition, &cases, &instruments);
    }
    let term_index: BTreeMap<String, TermIdx> =
        terms.iter().enumerate().map(|(i, t)| (t.name.to_lowercase(), TermIdx(i))).collect();

    let mut corpus = Corpus {
        root: ws.root.clone(),
        publisher: ws.manifest.workspace.publisher.clone(),
        out_dir: ws.root.join(ws.manifest.workspace.out_dir.as_deref().unwrap_or("dist")),
        cases,
        instruments,
        terms,
        guides: Vec::new(),
    };
    if let Some(out) = &ws.manifest.workspace.out_dir {
        if crate::workspace::join_inside(&ws.root, &ws.root, out).is_none() {
            let text = &ws.db.get(ws.manifest_file).text;
            let at = text.find("out-dir").unwrap_or(0);
            diags.push(
                Diagnostic::error("path-outside-workspace", format!("out-dir `{out}` leaves the workspace"))
                    .at(ws.manifest_file, at..at + "out-dir".len())
                    .hint("write outputs to a folder inside the workspace, such as \"dist\""),
            );
            corpus.out_dir = ws.root.join("dist");
        }
    }

    for g in &ws.guides {
        if let Some(guide) = guide::assemble_guide(ws, g, &chapters, &term_index, &corpus, opts, diags) {
            corpus.guides.push(guide);
        }
    }
    corpus
}

/// Claims an id for a file; a second file with the same id is reported,
/// naming the first by its path.
fn register_id(
    ws: &Workspace,
    id: &str,
    file: SourceId,
    seen: &mut BTreeMap<String, SourceId>,
    diags: &mut Diagnostics,
) -> bool {
    if let Some(prev) = seen.get(id) {
        let first = &ws.db.get(*prev).name;
        diags.push(
            Diagnostic::error("duplicate-id", format!("the id `{id}` is used twice"))
                .at(file, 0..0)
                .hint(format!("ids are unique across cases and legislation; {first} has it already: rename one")),
        );
        return false;
    }
    seen.insert(id.to_owned(), file);
    true
}

fn finish_case(ws: &Workspace, d: ParsedCase, lookup: &Lookup<'_>, diags: &mut Diagnostics) -> Case {
    let src = ws.db.get(d.file);
    let sections: Vec<CaseSection> = d
        .sections
        .into_iter()
        .map(|(kind, heading, events)| {
            let conv = Converter::new(d.file, &src.text, &src.path, lookup, diags).run(events);
            CaseSection { kind, body: conv.events, span: Span::new(d.file, heading) }
        })
        .collect();
    let summary = d.summary.unwrap_or_else(|| {
        sections
            .iter()
            .find(|s| s.kind == CaseSectionKind::Principle)
            .map(|s| first_sentence(&plain_text(&s.body)))
            .unwrap_or_default()
    });
    Case {
        id: d.id,
        info: d.info,
        citation_text: d.citation_text,
        jurisdiction: d.jurisdiction,
        subjects: d.subjects,
        summary,
        sections,
        span: Span::new(d.file, 0..0),
    }
}

/// The first sentence of a paragraph of text (up to the first `. ` that does
/// not follow a one-letter abbreviation or a number).
pub fn first_sentence(s: &str) -> String {
    let s = s.trim();
    let bytes = s.as_bytes();
    for (i, _) in s.match_indices(". ") {
        let word_start = s[..i].rfind(' ').map_or(0, |p| p + 1);
        let word = &s[word_start..i];
        let abbrev = word.len() <= 1 || matches!(word, "v" | "s" | "ss" | "art" | "arts" | "para" | "No" | "eg" | "ie" | "cf" | "Ltd" | "Co");
        if !abbrev && bytes.get(i + 2).is_some_and(|b| b.is_ascii_uppercase() || *b == b'[' || *b == b'(') {
            return s[..=i].to_owned();
        }
    }
    s.to_owned()
}

fn finish_instrument(ws: &Workspace, d: ParsedInstrument, lookup: &Lookup<'_>, diags: &mut Diagnostics) -> Instrument {
    let src = ws.db.get(d.file);
    let provisions = d
        .provisions
        .into_iter()
        .map(|(provision, heading, events)| {
            let conv = Converter::new(d.file, &src.text, &src.path, lookup, diags).run(events);
            let anchor = slug(&provision.base_label());
            ProvisionText { provision, heading, anchor, body: conv.events }
        })
        .collect();
    Instrument { id: d.id, info: d.info, jurisdiction: d.jurisdiction, provisions, span: Span::new(d.file, 0..0) }
}

fn convert_chapter(ws: &Workspace, file: SourceId, lookup: &Lookup<'_>, diags: &mut Diagnostics) -> ChapterDraft {
    let src = ws.db.get(file);
    let text = src.text.as_str();
    let split = front_matter::split(text, file, diags);
    let front: RawChapterFront = match split.front {
        Some(f) => crate::config::parse_toml(f, file, split.front_offset, diags).unwrap_or_default(),
        None => RawChapterFront::default(),
    };
    let converted = Converter::new(file, text, &src.path, lookup, diags).run(md::events(split.body, split.body_offset));
    let stem = src.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let title = match front.title.clone().or_else(|| converted.first_h1.clone()) {
        Some(t) if !t.trim().is_empty() => t,
        _ => {
            diags.push(
                Diagnostic::warning("missing-title", "the chapter has no title")
                    .at(file, 0..0)
                    .hint("add `title = \"…\"` to the front matter, or start the chapter with a `# Heading`"),
            );
            stem
        }
    };
    let key_terms = front
        .key_terms
        .iter()
        .map(|t| (t.get_ref().clone(), front_matter::shift(t.span(), split.front_offset)))
        .collect();
    ChapterDraft { file, name: src.name.clone(), title, kind: front.kind, key_terms, converted }
}

/// Gives every citation in `events` its full OSCOLA form (no anchor: such
/// citations are not places in a chapter).
fn fill_full_forms(events: &mut [Event], cases: &[Case], instruments: &[Instrument]) {
    for e in events {
        if let Event::Cite(c) = e {
            for item in &mut c.items {
                item.text = match item.authority {
                    Authority::Case(ci) => oscola::case_full(&cases[ci.0].info, item.locator.as_ref()),
                    Authority::Instrument(ii) => {
                        let prov = match &item.locator {
                            Some(Locator::Provision(p)) => Some(p),
                            _ => None,
                        };
                        oscola::instrument_full(&instruments[ii.0].info, prov)
                    }
                };
            }
        }
    }
}

/// Loads, parses and resolves a workspace in one call.
pub fn check(root: &Path, opts: &ResolveOptions) -> Result<(Workspace, Corpus, Diagnostics), crate::workspace::ToolError> {
    let mut diags = Diagnostics::new();
    let ws = crate::workspace::load(root, &mut diags)?;
    let corpus = resolve(&ws, opts, &mut diags);
    Ok((ws, corpus, diags))
}
