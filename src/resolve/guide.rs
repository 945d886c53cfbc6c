//! Assembling one guide: chapter order, key terms, and the per-guide pass over
//! each chapter that fills in citation forms for the guide's citation mode,
//! footnote numbers, anchors, chapter links and every place each authority is
//! cited.

use std::collections::{BTreeMap, BTreeSet};

use super::{ChapterDraft, ResolveOptions};
use crate::config::{toml_date, CitationMode, GuideOptions};
use crate::diag::{nearest, Diagnostic, Diagnostics, SourceId, Span};
use crate::model::{
    matching_end, plain_text, slug, Authority, Callout, CalloutKind, CaseIdx, Chapter, CiteItem, CitePlace, Corpus, Event, Guide,
    HeadingInfo, LinkTarget, Tag, TermIdx,
};
use crate::oscola::{self, Cited, FootnoteForm, FootnoteTracker, Locator, Run, Style};
use crate::parse::{suggest_id, valid_id};
use crate::workspace::Workspace;

/// Assembles one guide; `None` when its manifest could not be read.
#[allow(clippy::too_many_arguments)]
pub(super) fn assemble_guide(
    ws: &Workspace,
    g: &crate::workspace::GuideSource,
    chapters: &BTreeMap<SourceId, ChapterDraft>,
    term_index: &BTreeMap<String, TermIdx>,
    corpus: &Corpus,
    opts: &ResolveOptions,
    diags: &mut Diagnostics,
) -> Option<Guide> {
    let m = g.manifest.as_ref()?;
    if !valid_id(&g.id) {
        diags.push(
            Diagnostic::error("invalid-id", format!("guide folder `{}` is not a valid id", g.id))
                .at(g.manifest_file, 0..0)
                .hint(format!("a guide's id names its outputs: rename the folder to `{}`", suggest_id(&g.id))),
        );
    }
    let ws_lang = ws.manifest.workspace.language.as_deref();
    let options = GuideOptions::merge(&ws.manifest.defaults, ws_lang, &m.options());
    if options.formats.is_empty() {
        // `formats = []` here, or in `[defaults]` when the guide does not say.
        let file = if m.formats.is_some() { g.manifest_file } else { ws.manifest_file };
        let text = &ws.db.get(file).text;
        let at = text.find("formats").unwrap_or(0);
        diags.push(
            Diagnostic::error("no-formats", format!("guide `{}` would make no outputs", g.id))
                .at(file, at..at + "formats".len().min(text.len() - at))
                .label("an empty list")
                .hint("list at least one of \"pdf\", \"epub\", \"cards\", \"summary\", \"large-print\", \"anki\", or remove the key for [\"pdf\", \"epub\"]"),
        );
    }
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
        let end = matching_end(body, 0);
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
            let end = matching_end(body, i);
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
                            if let LinkTarget::ChapterFile { path, fragment } = target {
                                if let Some(resolved) = self.chapter_link(path, fragment.as_deref()) {
                                    *target = resolved;
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
                    // In footnote mode every authority goes to the note (spec section 5).
                    let note_no = (footnote_mode && !c.items.is_empty()).then(|| {
                        next_note += 1;
                        next_note
                    });
                    let forms: Option<Vec<FootnoteForm>> = note_no.map(|n| {
                        let keys: Vec<(String, String, bool)> = c.items.iter().map(footnote_keys).collect();
                        let cited: Vec<Cited<'_>> = keys
                            .iter()
                            .map(|(key, ibid_key, legislation)| Cited { key, ibid_key, legislation: *legislation })
                            .collect();
                        tracker.cite_sources(n, &cited)
                    });
                    let mut form_iter = forms.into_iter().flatten();
                    let mut first_in_note = true;
                    for item in &mut c.items {
                        anchor_no += 1;
                        item.anchor = format!("cite-{}-{}", self.chapter + 1, anchor_no);
                        let first = seen.insert(item.authority);
                        self.record(item.authority, &item.locator, &item.anchor);
                        let form = form_iter.next();
                        let note = match item.authority {
                            Authority::Case(ci) => {
                                if !key_cases.contains(&ci) {
                                    key_cases.push(ci);
                                }
                                let info = &self.corpus.case(ci).info;
                                let pin = item.locator.as_ref();
                                match form {
                                    Some(form) => {
                                        let name = match (&info.short_name, first) {
                                            (Some(short), false) => short.clone(),
                                            _ => info.name.clone(),
                                        };
                                        item.text = vec![Run { text: name, style: Style::Italic }];
                                        Some(oscola::case_in_footnote(info, &form, pin))
                                    }
                                    None => {
                                        item.text = if first { oscola::case_full(info, pin) } else { oscola::case_short(info, pin) };
                                        None
                                    }
                                }
                            }
                            Authority::Instrument(ii) => {
                                let info = &self.corpus.instrument(ii).info;
                                let prov = match &item.locator {
                                    Some(Locator::Provision(p)) => Some(p),
                                    _ => None,
                                };
                                match form {
                                    Some(form) => {
                                        // The text names the instrument (its title the first time
                                        // in the chapter); the note holds the citation. An `ibid`
                                        // is for the same provision, so it does not repeat it.
                                        item.text = oscola::instrument_in_text(info, prov, first);
                                        let prov = if form == FootnoteForm::Ibid { None } else { prov };
                                        Some(oscola::instrument_in_footnote(info, &form, prov))
                                    }
                                    None => {
                                        item.text = if first { oscola::instrument_full(info, prov) } else { oscola::instrument_short(info, prov) };
                                        None
                                    }
                                }
                            }
                        };
                        item.note = note.map(|runs| {
                            let runs = if first_in_note { oscola::capitalise_first(&runs) } else { runs };
                            first_in_note = false;
                            runs
                        });
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

    /// The chapter a link to a chapter file goes to; `None` (the link stays
    /// unresolved and prints as text) after an error when it is not in the guide.
    fn chapter_link(&mut self, path: &str, fragment: Option<&str>) -> Option<LinkTarget> {
        let frag = fragment.unwrap_or("");
        let fragment = fragment.filter(|f| !f.is_empty()).map(str::to_owned);
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
                Some(LinkTarget::Chapter { chapter, fragment })
            }
            None => {
                let span = self.link_span(path, frag);
                self.diags.push(
                    Diagnostic::error("broken-link", format!("`{path}` is not a chapter of guide `{}`", self.guide.id))
                        .at_span(span)
                        .hint("add it to the guide's `chapters` list, or link to a chapter that is in it"),
                );
                None
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

/// The footnote tracker's keys of a cited item: the authority (for full,
/// short and `(n X)`), the authority with its provision (for `ibid`), and
/// whether it is legislation.
fn footnote_keys(item: &CiteItem) -> (String, String, bool) {
    match (item.authority, &item.locator) {
        (Authority::Case(c), _) => {
            let key = format!("c{}", c.0);
            (key.clone(), key, false)
        }
        (Authority::Instrument(i), loc) => {
            let key = format!("i{}", i.0);
            let prov = match loc {
                Some(Locator::Provision(p)) => p.display(),
                _ => String::new(),
            };
            (key.clone(), format!("{key} {prov}"), true)
        }
    }
}

