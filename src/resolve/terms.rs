//! Key terms: the glossary's definition list and every `definition` callout,
//! gathered once for the workspace, duplicates reported, sorted, and given
//! unique anchors.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use pulldown_cmark::{Event as Md, Tag as MdTag};

use super::markdown::{Converter, Lookup};
use super::ChapterDraft;
use crate::diag::{Diagnostic, Diagnostics, SourceId, Span};
use crate::model::{matching_end, plain_text, slug, Event, Tag, Term, TermSource};
use crate::parse::front_matter;
use crate::parse::markdown as md;
use crate::workspace::Workspace;

/// Every key term of the workspace, sorted by name, with unique anchors.
pub(super) fn collect_terms(
    ws: &Workspace,
    lookup: &Lookup<'_>,
    chapters: &BTreeMap<SourceId, ChapterDraft>,
    diags: &mut Diagnostics,
) -> Vec<Term> {
    let mut terms: Vec<Term> = Vec::new();
    if let Some(file) = ws.glossary {
        let src = ws.db.get(file);
        let text = src.text.as_str();
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
                    let end = matching_end(ev, i);
                    let name = plain_text(&ev[i + 1..end]).trim().to_owned();
                    let span = Span::new(file, spans.next().unwrap_or(0..0));
                    terms.push(Term { name: name.clone(), anchor: String::new(), definition: Vec::new(), source: TermSource::Glossary, span });
                    current = Some(terms.len() - 1);
                    i = end + 1;
                }
                Event::Start(Tag::DefinitionDetails) => {
                    let end = matching_end(ev, i);
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

