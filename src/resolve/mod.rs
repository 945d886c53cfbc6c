//! Resolution: from the files read by `workspace` to the immutable
//! [`Corpus`]. Cases and legislation are parsed first (ids and provision
//! labels), then every Markdown body is converted once, then each guide is
//! assembled: chapter order, citation forms for its citation mode, footnote
//! numbers, anchors, links, key terms, and every place each authority is cited.

pub mod cite;
pub mod markdown;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{Event as Md, HeadingLevel, Tag as MdTag, TagEnd};

use crate::config::{toml_date, CitationMode, GuideOptions};
use crate::diag::{nearest, Diagnostic, Diagnostics, SourceId, Span};
use crate::model::{
    Authority, Callout, CalloutKind, Case, CaseIdx, CaseSection, CaseSectionKind, Chapter, ChapterKind, CitePlace,
    Corpus, Event, Guide, HeadingInfo, Instrument, InstrumentIdx, LinkTarget, ProvisionText, Tag, Term, TermIdx,
    TermSource,
};
use crate::oscola::{self, CaseInfo, Date, FootnoteForm, FootnoteTracker, InstrumentInfo, InstrumentKind, Locator, Run, Style};
use crate::parse::front_matter::{self, RawCaseFront, RawChapterFront, RawInstrumentFront};
use crate::parse::markdown as md;
use crate::workspace::Workspace;
use markdown::{plain_text, slug, Converter, Lookup, CHAPTER_LINK_PREFIX};

/// Knobs of resolution that do not come from the sources.
#[derive(Clone, Debug, Default)]
pub struct ResolveOptions {
    /// `SOURCE_DATE_EPOCH` as a date: overrides every guide's edition date.
    pub source_date: Option<Date>,
}

/// A case file parsed but not yet converted.
struct CaseDraft {
    id: String,
    file: SourceId,
    front: RawCaseFront,
    citation: Option<oscola::ParsedCitation>,
    decided: Option<Date>,
    sections: Vec<(CaseSectionKind, Vec<(Md<'static>, Range<usize>)>)>,
}

/// A legislation file parsed but not yet converted.
struct InstrumentDraft {
    id: String,
    file: SourceId,
    info: InstrumentInfo,
    jurisdiction: Option<String>,
    provisions: Vec<(oscola::Provision, String, Vec<(Md<'static>, Range<usize>)>)>,
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
        if let Some(d) = parse_case(ws, file, diags) {
            if register_id(&d.id, file, &mut id_files, diags) {
                case_drafts.push(d);
            }
        }
    }
    case_drafts.sort_by(|a, b| a.id.cmp(&b.id));
    let mut inst_drafts = Vec::new();
    for &file in &ws.legislation {
        if let Some(d) = parse_instrument(ws, file, diags) {
            if register_id(&d.id, file, &mut id_files, diags) {
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

    let mut terms = collect_terms(ws, &lookup, &chapters, diags);
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
        if let Some(guide) = assemble_guide(ws, g, &chapters, &term_index, &corpus, opts, diags) {
            corpus.guides.push(guide);
        }
    }
    corpus
}

fn register_id(id: &str, file: SourceId, seen: &mut BTreeMap<String, SourceId>, diags: &mut Diagnostics) -> bool {
    if let Some(prev) = seen.get(id) {
        diags.push(
            Diagnostic::error("duplicate-id", format!("the id `{id}` is used twice"))
                .at(file, 0..0)
                .hint(format!("ids are unique across cases and legislation; file #{} has it already: rename one", prev.0)),
        );
        return false;
    }
    seen.insert(id.to_owned(), file);
    true
}

fn file_id(ws: &Workspace, file: SourceId, diags: &mut Diagnostics) -> String {
    let path = &ws.db.get(file).path;
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    if !cite::valid_id(&stem) {
        diags.push(
            Diagnostic::error("invalid-id", format!("`{stem}` is not a valid id"))
                .at(file, 0..0)
                .hint(format!(
                    "ids are lower-case letters, digits and single hyphens: rename the file to `{}.md`",
                    cite::suggest_id(&stem)
                )),
        );
    }
    stem
}

/// Splits a Markdown body into its level-2 sections: `(heading text, heading span, body events)`.
/// Anything before the first level-2 heading is reported.
#[allow(clippy::type_complexity)]
fn sections(
    body: &str,
    offset: usize,
    file: SourceId,
    what: &str,
    diags: &mut Diagnostics,
) -> Vec<(String, Range<usize>, Vec<(Md<'static>, Range<usize>)>)> {
    let mut out: Vec<(String, Range<usize>, Vec<(Md<'static>, Range<usize>)>)> = Vec::new();
    let mut depth = 0usize;
    let mut in_heading: Option<(String, Range<usize>)> = None;
    let mut stray_reported = false;
    for (ev, r) in md::events(body, offset) {
        match (&ev, depth) {
            (Md::Start(MdTag::Heading { level: HeadingLevel::H2, .. }), 0) => {
                in_heading = Some((String::new(), r.clone()));
                depth += 1;
                continue;
            }
            (Md::End(TagEnd::Heading(HeadingLevel::H2)), 1) if in_heading.is_some() => {
                let (text, span) = in_heading.take().unwrap_or_default();
                out.push((text.trim().to_owned(), span, Vec::new()));
                depth -= 1;
                continue;
            }
            _ => {}
        }
        if let Some((text, _)) = &mut in_heading {
            if let Md::Text(t) | Md::Code(t) = &ev {
                text.push_str(t);
            }
            continue;
        }
        match &ev {
            Md::Start(_) => depth += 1,
            Md::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        match out.last_mut() {
            Some(s) => s.2.push((ev.into_static(), r)),
            None => {
                if !stray_reported && !matches!(ev, Md::Html(_)) {
                    stray_reported = true;
                    diags.push(
                        Diagnostic::error("text-before-section", format!("{what} text must sit under a level-2 heading"))
                            .at(file, r)
                            .label("before the first `##` heading")
                            .hint(if what == "case" {
                                "start with `## Facts`; sections are Facts, Issue, Held, Principle, Significance, Key quote"
                            } else {
                                "each provision is a level-2 section whose heading starts with its label: `## s 1 Basic definition of theft`"
                            }),
                    );
                }
            }
        }
    }
    out
}

/// The text of a file.
fn source_text(ws: &Workspace, file: SourceId) -> &str {
    &ws.db.get(file).text
}

fn date_of(dt: &Option<toml::Spanned<toml::value::Datetime>>, file: SourceId, offset: usize, diags: &mut Diagnostics) -> Option<Date> {
    let s = dt.as_ref()?;
    match toml_date(s.get_ref()) {
        Some(d) => Some(d),
        None => {
            diags.push(
                Diagnostic::error("invalid-date", "expected a date without a time")
                    .at(file, front_matter::shift(s.span(), offset))
                    .hint("write dates as 2026-09-01"),
            );
            None
        }
    }
}

fn parse_case(ws: &Workspace, file: SourceId, diags: &mut Diagnostics) -> Option<CaseDraft> {
    let id = file_id(ws, file, diags);
    let text = source_text(ws, file);
    let split = front_matter::split(text, file, diags);
    let Some(front_text) = split.front else {
        diags.push(front_matter::missing(file, "a case file", "name = \"Donoghue v Stevenson\"\ncitation = \"[1932] AC 562\"\ncourt = \"HL\""));
        return None;
    };
    let front: RawCaseFront = crate::config::parse_toml(front_text, file, split.front_offset, diags)?;
    let off = split.front_offset;
    let citation = match &front.citation {
        Some(c) => match oscola::parse_citation(c.get_ref()) {
            Ok(p) => Some(p),
            Err(e) => {
                let base = c.span().start + off + 1;
                diags.push(
                    Diagnostic::error("bad-citation", e.message)
                        .at(file, base + e.span.start..base + e.span.end.max(e.span.start + 1))
                        .maybe_hint(e.hint),
                );
                None
            }
        },
        None => None,
    };
    let decided = date_of(&front.decided, file, off, diags);
    if front.citation.is_none() && decided.is_none() {
        diags.push(
            Diagnostic::error("missing-field", "a case needs a `citation`, or a `decided` date when it is unreported")
                .at(file, off..off)
                .hint("add `citation = \"[2008] UKHL 13, [2008] 1 AC 884\"`"),
        );
    }
    for lint in oscola::lint_case(front.name.get_ref(), front.citation.as_ref().map(|c| c.get_ref().as_str()), front.court.get_ref(), decided, front.jurisdiction.as_deref()) {
        let field = match lint.field {
            oscola::LintField::Name => Some(front.name.span()),
            oscola::LintField::Citation => front.citation.as_ref().map(|c| c.span()),
        };
        let Some(field) = field else { continue };
        let base = field.start + off + 1;
        diags.push(
            Diagnostic::warning(lint.code, lint.message)
                .at(file, base + lint.span.start..base + lint.span.end)
                .hint(lint.hint),
        );
    }
    let mut sections_out: Vec<(CaseSectionKind, Vec<(Md<'static>, Range<usize>)>)> = Vec::new();
    for (heading, span, events) in sections(split.body, split.body_offset, file, "case", diags) {
        let kind = match heading.to_ascii_lowercase().as_str() {
            "facts" => CaseSectionKind::Facts,
            "issue" | "issues" => CaseSectionKind::Issue,
            "held" => CaseSectionKind::Held,
            "principle" | "ratio" => CaseSectionKind::Principle,
            "significance" => CaseSectionKind::Significance,
            "key quote" | "key quotes" => CaseSectionKind::KeyQuote,
            _ => {
                let allowed = ["Facts", "Issue", "Held", "Principle", "Ratio", "Significance", "Key quote"];
                let hint = crate::diag::did_you_mean(&heading, &allowed, "allowed sections");
                diags.push(
                    Diagnostic::error("unknown-section", format!("`{heading}` is not a case section"))
                        .at(file, span)
                        .label("unknown section")
                        .hint(hint),
                );
                continue;
            }
        };
        if sections_out.iter().any(|(k, _)| *k == kind) {
            diags.push(
                Diagnostic::error("duplicate-section", format!("the case has two `{}` sections", kind.heading()))
                    .at(file, span)
                    .hint("merge them into one section"),
            );
            continue;
        }
        sections_out.push((kind, events));
    }
    for required in [CaseSectionKind::Facts, CaseSectionKind::Held, CaseSectionKind::Principle] {
        if !sections_out.iter().any(|(k, _)| *k == required) {
            let end = text.len();
            diags.push(
                Diagnostic::error("missing-section", format!("the case has no `## {}` section", required.heading()))
                    .at(file, end..end)
                    .hint("every case needs Facts, Held and Principle"),
            );
        }
    }
    sections_out.sort_by_key(|(k, _)| *k);
    Some(CaseDraft { id, file, front, citation, decided, sections: sections_out })
}

fn finish_case(ws: &Workspace, d: CaseDraft, lookup: &Lookup<'_>, diags: &mut Diagnostics) -> Case {
    let src = &ws.db.get(d.file);
    let text = source_text(ws, d.file);
    let sections: Vec<CaseSection> = d
        .sections
        .into_iter()
        .map(|(kind, events)| {
            let conv = Converter::new(d.file, text, &src.path, lookup, diags).run(events);
            CaseSection { kind, body: conv.events }
        })
        .collect();
    let summary = d.front.summary.clone().unwrap_or_else(|| {
        sections
            .iter()
            .find(|s| s.kind == CaseSectionKind::Principle)
            .map(|s| first_sentence(&plain_text(&s.body)))
            .unwrap_or_default()
    });
    let name = d.front.name.into_inner();
    Case {
        id: d.id,
        info: CaseInfo {
            name,
            citation: d.citation,
            court: d.front.court.into_inner(),
            short_name: d.front.short_name,
            case_number: d.front.case_number,
            decided: d.decided,
        },
        citation_text: d.front.citation.map(|c| c.into_inner()),
        jurisdiction: d.front.jurisdiction,
        subjects: d.front.subjects,
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

fn parse_instrument(ws: &Workspace, file: SourceId, diags: &mut Diagnostics) -> Option<InstrumentDraft> {
    let id = file_id(ws, file, diags);
    let text = source_text(ws, file);
    let split = front_matter::split(text, file, diags);
    let Some(front_text) = split.front else {
        diags.push(front_matter::missing(file, "a legislation file", "title = \"Theft Act 1968\"\nkind = \"act\""));
        return None;
    };
    let off = split.front_offset;
    let front: RawInstrumentFront = crate::config::parse_toml(front_text, file, off, diags)?;
    let kind = front.kind;
    if kind == InstrumentKind::Si && front.si_number.is_none() {
        diags.push(
            Diagnostic::error("missing-field", "a statutory instrument needs its `si-number`")
                .at(file, off..off)
                .hint("add `si-number = \"2009/2163\"`"),
        );
    }
    if kind == InstrumentKind::Treaty && front.adopted.is_none() && front.opened.is_none() {
        diags.push(
            Diagnostic::warning("treaty-date", "a treaty should give the date it was `adopted` or `opened` for signature")
                .at(file, off..off)
                .hint("add `adopted = 1948-12-10` or `opened = 1969-05-23`"),
        );
    }
    let info = InstrumentInfo {
        title: front.title.clone(),
        kind,
        si_number: front.si_number.clone(),
        adopted: date_of(&front.adopted, file, off, diags),
        opened: date_of(&front.opened, file, off, diags),
        in_force: date_of(&front.in_force, file, off, diags),
        series: front.series.clone(),
        abbreviation: front.abbreviation.clone(),
    };
    let mut provisions: Vec<(oscola::Provision, String, Vec<(Md<'static>, Range<usize>)>)> = Vec::new();
    for (heading, span, events) in sections(split.body, split.body_offset, file, "legislation", diags) {
        match oscola::parse_provision_heading(&heading) {
            Ok((p, rest)) => {
                if provisions.iter().any(|(q, _, _)| q.base_label() == p.base_label()) {
                    diags.push(
                        Diagnostic::error("duplicate-provision", format!("provision `{}` appears twice", p.base_label()))
                            .at(file, span)
                            .hint("give each provision one section"),
                    );
                    continue;
                }
                provisions.push((p, rest, events));
            }
            Err(e) => {
                let head_at = ws.db.get(file).text[span.clone()].find(heading.as_str()).map_or(span.start, |i| span.start + i);
                diags.push(
                    Diagnostic::error("bad-provision-heading", e.message)
                        .at(file, head_at + e.span.start..head_at + e.span.end.max(e.span.start + 1).min(heading.len()))
                        .label("expected a provision label")
                        .maybe_hint(e.hint),
                );
            }
        }
    }
    Some(InstrumentDraft { id, file, info, jurisdiction: front.jurisdiction, provisions })
}

fn finish_instrument(ws: &Workspace, d: InstrumentDraft, lookup: &Lookup<'_>, diags: &mut Diagnostics) -> Instrument {
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
    let text = source_text(ws, file);
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

fn collect_terms(
    ws: &Workspace,
    lookup: &Lookup<'_>,
    chapters: &BTreeMap<SourceId, ChapterDraft>,
    diags: &mut Diagnostics,
) -> Vec<Term> {
    let mut terms: Vec<Term> = Vec::new();
    if let Some(file) = ws.glossary {
        let src = ws.db.get(file);
        let text = source_text(ws, file);
        let split = front_matter::split(text, file, diags);
        let events = md::events(split.body, split.body_offset);
        let title_spans: Vec<Range<usize>> = events
            .iter()
            .filter(|(e, _)| matches!(e, Md::Start(MdTag::DefinitionListTitle)))
            .map(|(_, r)| r.clone())
            .collect();
        let conv = Converter::new(file, text, &src.path, lookup, diags).run(events);
        let mut spans = title_spans.into_iter();
        let ev = &conv.events;
        let mut i = 0;
        let mut current: Option<usize> = None;
        while i < ev.len() {
            match &ev[i] {
                Event::Start(Tag::DefinitionTerm) => {
                    let end = markdown::matching_end(ev, i);
                    let name = plain_text(&ev[i + 1..end]).trim().to_owned();
                    let span = Span::new(file, spans.next().unwrap_or(0..0));
                    terms.push(Term { name: name.clone(), anchor: String::new(), definition: Vec::new(), source: TermSource::Glossary, span });
                    current = Some(terms.len() - 1);
                    i = end + 1;
                }
                Event::Start(Tag::DefinitionDetails) => {
                    let end = markdown::matching_end(ev, i);
                    if let Some(c) = current {
                        if !terms[c].definition.is_empty() {
                            terms[c].definition.push(Event::SoftBreak);
                        }
                        terms[c].definition.extend(ev[i + 1..end].iter().cloned());
                    }
                    i = end + 1;
                }
                _ => i += 1,
            }
        }
    }
    for ch in chapters.values() {
        for def in &ch.converted.definitions {
            terms.push(Term {
                name: def.term.trim().to_owned(),
                anchor: String::new(),
                definition: def.body.clone(),
                source: TermSource::Callout { chapter: ch.name.clone() },
                span: def.span.clone(),
            });
        }
    }
    // Duplicates (case-insensitive): the first in file order stands.
    let mut seen: BTreeMap<String, Span> = BTreeMap::new();
    let mut unique = Vec::new();
    for t in terms {
        let key = t.name.to_lowercase();
        if let Some(first) = seen.get(&key) {
            let where_ = ws.db.get(first.file).name.clone();
            let (line, _) = ws.db.get(first.file).line_col(first.range.start);
            diags.push(
                Diagnostic::error("duplicate-term", format!("the term `{}` is defined twice", t.name))
                    .at_span(t.span.clone())
                    .label("second definition")
                    .hint(format!("it is already defined in {where_}:{line}; keep one definition")),
            );
            continue;
        }
        seen.insert(key, t.span.clone());
        unique.push(t);
    }
    unique.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.name.cmp(&b.name)));
    let mut anchors = BTreeSet::new();
    for t in &mut unique {
        let mut a = format!("term-{}", slug(&t.name).trim_start_matches("s-"));
        while !anchors.insert(a.clone()) {
            a.push('-');
            a.push('x');
        }
        t.anchor = a;
    }
    unique
}

#[allow(clippy::too_many_arguments)]
fn assemble_guide(
    ws: &Workspace,
    g: &crate::workspace::GuideSource,
    chapters: &BTreeMap<SourceId, ChapterDraft>,
    term_index: &BTreeMap<String, TermIdx>,
    corpus: &Corpus,
    opts: &ResolveOptions,
    diags: &mut Diagnostics,
) -> Option<Guide> {
    let m = g.manifest.as_ref()?;
    if !cite::valid_id(&g.id) {
        diags.push(
            Diagnostic::error("invalid-id", format!("guide folder `{}` is not a valid id", g.id))
                .at(g.manifest_file, 0..0)
                .hint(format!("a guide's id names its outputs: rename the folder to `{}`", cite::suggest_id(&g.id))),
        );
    }
    let ws_lang = ws.manifest.workspace.language.as_deref();
    let options = GuideOptions::merge(&ws.manifest.defaults, ws_lang, &m.options());
    let date = match (&opts.source_date, &m.date) {
        (Some(d), _) => Some(*d),
        (None, Some(dt)) => match toml_date(dt) {
            Some(d) => Some(d),
            None => {
                let text = &ws.db.get(g.manifest_file).text;
                let at = text.find("date").unwrap_or(0);
                diags.push(
                    Diagnostic::error("invalid-date", "the edition date must be a date without a time")
                        .at(g.manifest_file, at..at + 4)
                        .hint("write date = 2026-09-01"),
                );
                None
            }
        },
        (None, None) => None,
    };

    // Chapter order, refusing a file listed twice.
    let mut order: Vec<&ChapterDraft> = Vec::new();
    let mut seen = BTreeSet::new();
    for c in &g.chapters {
        let Some(file) = c.file else { continue };
        if !seen.insert(file) {
            diags.push(
                Diagnostic::error("duplicate-chapter", "this chapter is listed twice")
                    .at(g.manifest_file, c.entry.clone())
                    .hint("list each chapter once"),
            );
            continue;
        }
        if let Some(d) = chapters.get(&file) {
            order.push(d);
        }
    }
    let index_of: BTreeMap<&str, usize> = order.iter().enumerate().map(|(i, c)| (c.name.as_str(), i)).collect();
    let slugs: Vec<String> = order
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let stem = ws.db.get(c.file).path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            format!("ch{:02}-{}", i + 1, slug(&stem).trim_start_matches("s-"))
        })
        .collect();

    let mut guide = Guide {
        id: g.id.clone(),
        title: m.title.clone(),
        subtitle: m.subtitle.clone(),
        edition: m.edition.clone(),
        date,
        authors: m.authors.clone(),
        description: m.description.clone(),
        identifier: m.identifier.clone(),
        options,
        chapters: Vec::new(),
        citations: BTreeMap::new(),
        provisions_cited: BTreeMap::new(),
        terms: Vec::new(),
        span: Span::new(g.manifest_file, 0..0),
    };
    let mut terms_used = BTreeSet::new();
    let mut diagram_no = 0usize;
    for (ci, draft) in order.iter().enumerate() {
        let mut key_terms = Vec::new();
        for (t, span) in &draft.key_terms {
            match term_index.get(&t.to_lowercase()) {
                Some(idx) => {
                    key_terms.push(*idx);
                    terms_used.insert(*idx);
                }
                None => {
                    let names: Vec<&str> = corpus.terms.iter().map(|t| t.name.as_str()).collect();
                    let hint = match nearest(t, names.iter().copied()) {
                        Some(n) => format!("did you mean `{n}`? Or define it in glossary.md or with a `> [!definition] {t}` callout"),
                        None => format!("define it in glossary.md or with a `> [!definition] {t}` callout"),
                    };
                    diags.push(
                        Diagnostic::error("unknown-term", format!("key term `{t}` is not defined anywhere"))
                            .at(draft.file, span.clone())
                            .label("not in the glossary or a definition callout")
                            .hint(hint),
                    );
                }
            }
        }
        let mut ctx = ChapterCtx {
            corpus,
            guide: &mut guide,
            chapter: ci,
            mode: guide_mode(&m.citations, &ws.manifest.defaults.citations),
            index_of: &index_of,
            chapters: &order,
            term_index,
            file: draft.file,
            diags,
            diagram_no: &mut diagram_no,
            terms_used: &mut terms_used,
        };
        let (mut body, footnotes, key_cases) = ctx.run(&draft.converted.events);
        normalize_headings(&mut body, &draft.title);
        let headings = headings_of(&body);
        guide.chapters.push(Chapter {
            path: draft.name.clone(),
            file: draft.file,
            slug: slugs[ci].clone(),
            title: draft.title.clone(),
            kind: draft.kind,
            key_terms,
            key_cases,
            body,
            headings,
            footnote_count: footnotes,
        });
    }
    guide.terms = terms_used.into_iter().collect();
    guide.terms.sort_by_key(|t| (corpus.term(*t).name.to_lowercase(), t.0));
    for places in guide.provisions_cited.values_mut() {
        places.sort_by(|a, b| oscola::provision_sort_key(&a.0).cmp(&oscola::provision_sort_key(&b.0)));
    }
    Some(guide)
}

fn guide_mode(own: &Option<CitationMode>, default: &Option<CitationMode>) -> CitationMode {
    own.or(*default).unwrap_or_default()
}

/// Makes a chapter's headings fit under its title: a leading level-1 heading
/// that repeats the title is dropped (the editions print the title), the
/// remaining levels are shifted so the highest is 2, and no heading is more
/// than one level below the one before it (PDF/UA and EPUB accessibility
/// both refuse skipped levels).
pub fn normalize_headings(body: &mut Vec<Event>, title: &str) {
    if let Some(Event::Start(Tag::Heading { level: 1, .. })) = body.first() {
        let end = markdown::matching_end(body, 0);
        if plain_text(&body[1..end]).trim().eq_ignore_ascii_case(title.trim()) {
            body.drain(0..=end);
        }
    }
    let min = body
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(*level),
            _ => None,
        })
        .min();
    let Some(min) = min else { return };
    let mut prev = 1u8;
    for e in body.iter_mut() {
        if let Event::Start(Tag::Heading { level, .. }) = e {
            let shifted = (*level + 2 - min.min(2)).saturating_sub(min.saturating_sub(2)).clamp(2, 6);
            let fixed = shifted.min(prev + 1);
            *level = fixed;
            prev = fixed;
        }
    }
}

/// Level, id and plain text of every heading.
fn headings_of(body: &[Event]) -> Vec<HeadingInfo> {
    let mut out = Vec::new();
    for (i, e) in body.iter().enumerate() {
        if let Event::Start(Tag::Heading { level, id }) = e {
            let end = markdown::matching_end(body, i);
            out.push(HeadingInfo { level: *level, id: id.clone(), text: plain_text(&body[i + 1..end]).trim().to_owned() });
        }
    }
    out
}

/// The per-guide pass over one chapter's events.
struct ChapterCtx<'a, 'd> {
    corpus: &'a Corpus,
    guide: &'a mut Guide,
    chapter: usize,
    mode: CitationMode,
    index_of: &'a BTreeMap<&'a str, usize>,
    chapters: &'a [&'a ChapterDraft],
    term_index: &'a BTreeMap<String, TermIdx>,
    file: SourceId,
    diags: &'d mut Diagnostics,
    diagram_no: &'a mut usize,
    terms_used: &'a mut BTreeSet<TermIdx>,
}

impl ChapterCtx<'_, '_> {
    /// Returns the events with forms, numbers and links filled in, the number of
    /// footnotes, and the cases in order of first citation.
    fn run(&mut self, events: &[Event]) -> (Vec<Event>, u32, Vec<CaseIdx>) {
        let mut out = Vec::with_capacity(events.len());
        let mut notes: BTreeMap<String, u32> = BTreeMap::new();
        let mut next_note = 0u32;
        let mut seen: BTreeSet<Authority> = BTreeSet::new();
        let mut key_cases: Vec<CaseIdx> = Vec::new();
        let mut tracker = FootnoteTracker::new();
        let mut stack: Vec<bool> = Vec::new(); // true: inside a footnote definition
        let mut anchor_no = 0usize;
        let in_note = |stack: &Vec<bool>| stack.iter().any(|b| *b);
        for e in events {
            match e {
                Event::Start(tag) => {
                    let mut tag = tag.clone();
                    match &mut tag {
                        Tag::FootnoteDefinition { label, number } => {
                            *number = *notes.entry(label.clone()).or_insert_with(|| {
                                next_note += 1;
                                next_note
                            });
                            stack.push(true);
                        }
                        Tag::Link(target) => {
                            if let LinkTarget::External(url) = target {
                                if let Some(rest) = url.strip_prefix(CHAPTER_LINK_PREFIX) {
                                    let (path, frag) = rest.split_once('#').unwrap_or((rest, ""));
                                    *target = self.chapter_link(path, frag);
                                }
                            }
                            stack.push(false);
                        }
                        Tag::Callout(Callout { kind: CalloutKind::Definition, title, term, .. }) => {
                            *term = self.term_index.get(&title.trim().to_lowercase()).copied();
                            if let Some(t) = term {
                                self.terms_used.insert(*t);
                            }
                            stack.push(false);
                        }
                        Tag::Callout(Callout { target: Some(target), anchor, .. }) => {
                            // A case or statute set beside the text is a place it is cited.
                            anchor_no += 1;
                            let name = format!("cite-{}-{}", self.chapter + 1, anchor_no);
                            match target {
                                crate::model::CalloutTarget::Case(c) => {
                                    if !key_cases.contains(c) {
                                        key_cases.push(*c);
                                    }
                                    self.record(Authority::Case(*c), &None, &name);
                                }
                                crate::model::CalloutTarget::Provision(i, p) => {
                                    self.record(Authority::Instrument(*i), &p.clone().map(Locator::Provision), &name);
                                }
                            }
                            *anchor = Some(name);
                            stack.push(false);
                        }
                        _ => stack.push(false),
                    }
                    out.push(Event::Start(tag));
                }
                Event::End => {
                    stack.pop();
                    out.push(Event::End);
                }
                Event::FootnoteRef { label, .. } => {
                    let before = next_note;
                    let n = *notes.entry(label.clone()).or_insert_with(|| {
                        next_note += 1;
                        next_note
                    });
                    if next_note != before {
                        // A plain footnote breaks an ibid chain.
                        tracker.cite(n, &[]);
                    }
                    out.push(Event::FootnoteRef { label: label.clone(), number: n });
                }
                Event::Diagram(d) => {
                    *self.diagram_no += 1;
                    let mut d = d.clone();
                    d.number = *self.diagram_no;
                    out.push(Event::Diagram(d));
                }
                Event::Cite(c) => {
                    let mut c = c.clone();
                    let footnote_mode = self.mode == CitationMode::Footnotes && !in_note(&stack);
                    let has_case = c.items.iter().any(|i| matches!(i.authority, Authority::Case(_)));
                    let note_no = (footnote_mode && has_case).then(|| {
                        next_note += 1;
                        next_note
                    });
                    let forms: Option<Vec<FootnoteForm>> = note_no.map(|n| {
                        let keys: Vec<(String, bool)> = c
                            .items
                            .iter()
                            .filter(|i| matches!(i.authority, Authority::Case(_)))
                            .map(|i| (authority_key(i.authority), false))
                            .collect();
                        let refs: Vec<(&str, bool)> = keys.iter().map(|(k, b)| (k.as_str(), *b)).collect();
                        tracker.cite(n, &refs)
                    });
                    let mut form_iter = forms.into_iter().flatten();
                    let mut first_in_note = true;
                    for item in &mut c.items {
                        anchor_no += 1;
                        item.anchor = format!("cite-{}-{}", self.chapter + 1, anchor_no);
                        let first = seen.insert(item.authority);
                        self.record(item.authority, &item.locator, &item.anchor);
                        match item.authority {
                            Authority::Case(ci) => {
                                if !key_cases.contains(&ci) {
                                    key_cases.push(ci);
                                }
                                let info = &self.corpus.case(ci).info;
                                if let (true, Some(form)) = (footnote_mode, form_iter.next()) {
                                    let name = if first { info.name.clone() } else { info.short_name.clone().unwrap_or_else(|| info.name.clone()) };
                                    item.text = vec![Run { text: name, style: Style::Italic }];
                                    let mut runs = oscola::case_in_footnote(info, &form, item.locator.as_ref());
                                    if first_in_note {
                                        runs = oscola::capitalise_first(&runs);
                                    }
                                    first_in_note = false;
                                    item.note = Some(runs);
                                } else {
                                    item.text = if first { oscola::case_full(info, item.locator.as_ref()) } else { oscola::case_short(info, item.locator.as_ref()) };
                                }
                            }
                            Authority::Instrument(ii) => {
                                let info = &self.corpus.instrument(ii).info;
                                let prov = match &item.locator {
                                    Some(Locator::Provision(p)) => Some(p),
                                    _ => None,
                                };
                                item.text = if first { oscola::instrument_full(info, prov) } else { oscola::instrument_short(info, prov) };
                            }
                        }
                    }
                    c.footnote = note_no;
                    out.push(Event::Cite(c));
                }
                other => out.push(other.clone()),
            }
        }
        (out, next_note, key_cases)
    }

    fn record(&mut self, a: Authority, loc: &Option<Locator>, anchor: &str) {
        let place = CitePlace { chapter: self.chapter, anchor: anchor.to_owned() };
        self.guide.citations.entry(a).or_default().push(place.clone());
        if let (Authority::Instrument(i), Some(Locator::Provision(p))) = (a, loc) {
            let list = self.guide.provisions_cited.entry(i).or_default();
            match list.iter_mut().find(|(q, _)| q.display() == p.display()) {
                Some((_, places)) => places.push(place),
                None => list.push((p.clone(), vec![place])),
            }
        }
    }

    fn chapter_link(&mut self, path: &str, frag: &str) -> LinkTarget {
        let fragment = (!frag.is_empty()).then(|| frag.to_owned());
        match self.index_of.get(path) {
            Some(&chapter) => {
                if let Some(f) = &fragment {
                    let has = self.chapters[chapter].converted.events.iter().any(|e| matches!(e, Event::Start(Tag::Heading { id, .. }) if id == f));
                    if !has {
                        let span = self.link_span(path, frag);
                        self.diags.push(
                            Diagnostic::error("broken-link", format!("`{path}` has no heading with the id `{f}`"))
                                .at_span(span)
                                .hint("link to a heading's id: its text in lower case with hyphens, or the `{#id}` it sets"),
                        );
                    }
                }
                LinkTarget::Chapter { chapter, fragment }
            }
            None => {
                let span = self.link_span(path, frag);
                self.diags.push(
                    Diagnostic::error("broken-link", format!("`{path}` is not a chapter of guide `{}`", self.guide.id))
                        .at_span(span)
                        .hint("add it to the guide's `chapters` list, or link to a chapter that is in it"),
                );
                LinkTarget::External(String::new())
            }
        }
    }

    fn link_span(&self, path: &str, frag: &str) -> Span {
        let this = self.chapters[self.chapter];
        this.converted
            .chapter_links
            .iter()
            .find(|(p, f, _)| p == path && f.as_deref().unwrap_or("") == frag)
            .map(|(_, _, s)| s.clone())
            .unwrap_or_else(|| Span::new(self.file, 0..0))
    }
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

fn authority_key(a: Authority) -> String {
    match a {
        Authority::Case(c) => format!("c{}", c.0),
        Authority::Instrument(i) => format!("i{}", i.0),
    }
}

/// Loads, parses and resolves a workspace in one call.
pub fn check(root: &Path, opts: &ResolveOptions) -> Result<(Workspace, Corpus, Diagnostics), crate::workspace::ToolError> {
    let mut diags = Diagnostics::new();
    let ws = crate::workspace::load(root, &mut diags)?;
    let corpus = resolve(&ws, opts, &mut diags);
    Ok((ws, corpus, diags))
}
