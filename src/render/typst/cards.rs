//! The case and key-term cards (`<id>-cards.pdf`): which cards a guide has and
//! in what order, what each side holds, and the Typst sources that hand them
//! to `templates/cards.typ`, which lays them out four to a sheet.
//!
//! - One card per case the guide's chapters cite, in order of first citation
//!   (reading order: a citation inside a footnote counts where the footnote
//!   is referenced), then one per key term the guide uses, in the glossary's
//!   order (case-insensitive, as written: "The" and "A" are not skipped).
//! - The front of a case card: its name, its citation (OSCOLA, without the
//!   name), the court and year, the subject tags and the chapters that cite
//!   it. The back: Principle, Held and Key quote, then the Facts when they fit
//!   whole. A key-term card: the term and the chapters that use it; the back,
//!   its definition.
//! - The back's text goes to the template as sentences, split here on the
//!   resolved events (never on Typst markup), so that emphasis, links and
//!   citations stay whole: a sentence that starts inside `*…*` reopens it.
//!   The template shrinks the type down to 7 pt, and if the text still does
//!   not fit keeps the longest run of whole sentences that does, says so on
//!   the card, and records the cut as `metadata(…) <cb-card-cut>`;
//!   [`overflow_warnings`] turns those records into `card-overflow` warnings
//!   at the case file (the heading of the section that was cut) or the term.

use std::fmt::Write as _;

use typst::foundations::{Label, Selector, Value};
use typst::introspection::{Introspector as _, MetadataElem};
use typst::utils::PicoStr;
use typst_layout::PagedDocument;

use super::escape::{self, string};
use super::markup::{runs_markup, SourceMap};
use super::pdf::TemplateSource;
use super::{cards_template_path, main_path, meta, template_path, Generated};
use crate::diag::Diagnostic;
use crate::model::{Authority, CalloutTarget, CaseIdx, CaseSectionKind, ChapterKind, Corpus, Event, Guide, LinkTarget, Tag, TermIdx};
use crate::oscola::{self, Run, Style};

/// The label of the template's record of a shortened card.
pub const CUT_LABEL: &str = "cb-card-cut";

/// Generates the Typst sources of a guide's cards.
pub fn generate(corpus: &Corpus, guide: &Guide, templates: &TemplateSource) -> Generated {
    let mut g = Generated::default();
    g.add(template_path(), templates.text.clone(), SourceMap::default());
    g.add(cards_template_path(), templates.cards.text.clone(), SourceMap::default());
    let mut main = format!("#import {}: *\n#cb-cards(meta: {}, cards: (\n", string(&cards_template_path()), meta(corpus, guide));
    let mut number = 0;
    for c in case_order(guide) {
        number += 1;
        main.push_str(&case_card(corpus, guide, c, number));
    }
    for t in term_order(corpus, guide) {
        number += 1;
        main.push_str(&term_card(corpus, guide, t, number));
    }
    main.push_str("))\n");
    g.add(main_path(), main, SourceMap::default());
    g
}

/// The cases the guide's chapters cite, in order of first citation: the
/// chapters in reading order, each citation and `case` block where it stands,
/// and a footnote's citations where the footnote is referenced.
pub fn case_order(guide: &Guide) -> Vec<CaseIdx> {
    let mut order: Vec<CaseIdx> = Vec::new();
    for ch in &guide.chapters {
        let notes = footnote_bodies(&ch.body);
        let mut done = std::collections::BTreeSet::new();
        walk_cases(&ch.body, &notes, &mut done, &mut order);
    }
    // Every case the guide lists as cited has a card, whatever the walk saw.
    for c in guide.cases_cited() {
        if !order.contains(&c) {
            order.push(c);
        }
    }
    order
}

/// The key terms the guide uses, in the glossary's order.
pub fn term_order(corpus: &Corpus, guide: &Guide) -> Vec<TermIdx> {
    let mut terms = guide.terms.clone();
    terms.sort_by_cached_key(|t| (corpus.term(*t).name.to_lowercase(), corpus.term(*t).name.clone(), t.0));
    terms.dedup();
    terms
}

fn footnote_bodies(events: &[Event]) -> std::collections::BTreeMap<String, (usize, usize)> {
    let mut notes = std::collections::BTreeMap::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::FootnoteDefinition { label, .. }) = &events[i] {
            let end = crate::model::matching_end(events, i);
            notes.entry(label.clone()).or_insert((i + 1, end));
            i = end + 1;
            continue;
        }
        i += 1;
    }
    notes
}

fn walk_cases(
    events: &[Event],
    notes: &std::collections::BTreeMap<String, (usize, usize)>,
    done: &mut std::collections::BTreeSet<String>,
    order: &mut Vec<CaseIdx>,
) {
    let push = |c: CaseIdx, order: &mut Vec<CaseIdx>| {
        if !order.contains(&c) {
            order.push(c);
        }
    };
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            // Footnotes are read where they are referenced.
            Event::Start(Tag::FootnoteDefinition { .. }) => {
                i = crate::model::matching_end(events, i) + 1;
                continue;
            }
            Event::FootnoteRef { label, .. } => {
                if let Some((start, end)) = notes.get(label) {
                    if done.insert(label.clone()) {
                        // The notes are slices of the chapter's events; they hold no definitions.
                        let body = events.get(*start..*end).unwrap_or(&[]);
                        walk_cases(body, &Default::default(), done, order);
                    }
                }
            }
            Event::Cite(c) => {
                for item in &c.items {
                    if let Authority::Case(ci) = item.authority {
                        push(ci, order);
                    }
                }
            }
            Event::Start(Tag::Callout(callout)) => {
                if let Some(CalloutTarget::Case(ci)) = callout.target {
                    push(ci, order);
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// The chapters a case card or a key-term card names: `(label, title)`, the
/// label `Ch 3` for a numbered chapter, `Exam` for an exam-technique
/// chapter, and the kicker (`Article`) for the others.
fn chapter_list(guide: &Guide, chapters: impl IntoIterator<Item = usize>) -> String {
    let mut seen: Vec<usize> = chapters.into_iter().filter(|c| *c < guide.chapters.len()).collect();
    seen.sort_unstable();
    seen.dedup();
    let items: Vec<String> = seen
        .into_iter()
        .map(|i| {
            let label = match (guide.chapters[i].kind, crate::render::chapter_number(guide, i)) {
                (ChapterKind::Chapter, Some(n)) => format!("Ch {n}"),
                (ChapterKind::ExamGuide, _) => "Exam".to_owned(),
                _ => crate::render::chapter_kicker(guide, i),
            };
            format!("(label: {}, title: {})", string(&label), string(&guide.chapters[i].title))
        })
        .collect();
    escape::array(&items)
}

/// The name of the court a case card shows (`HL` is `House of Lords`); a
/// court it does not know is printed as written.
pub fn court_name(court: &str) -> String {
    let key: String = court.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = match key.to_ascii_uppercase().replace('.', "").as_str() {
        "HL" | "UKHL" => "House of Lords",
        "UKSC" | "SC" => "Supreme Court",
        "PC" | "UKPC" | "JCPC" => "Privy Council",
        "CA" | "EWCA" | "CA CIV" | "CA (CIV DIV)" | "EWCA CIV" => "Court of Appeal",
        "CA (CRIM DIV)" | "CA CRIM" | "EWCA CRIM" => "Court of Appeal (Criminal Division)",
        "CCA" => "Court of Criminal Appeal",
        "CCR" => "Court for Crown Cases Reserved",
        "DC" => "Divisional Court",
        "HC" | "EWHC" => "High Court",
        "QBD" => "Queen's Bench Division",
        "KBD" => "King's Bench Division",
        "CHD" => "Chancery Division",
        "CP" => "Court of Common Pleas",
        "ICJ" => "International Court of Justice",
        "PCIJ" => "Permanent Court of International Justice",
        "ECTHR" => "European Court of Human Rights",
        "CJEU" | "ECJ" => "Court of Justice",
        "SCC" => "Supreme Court of Canada",
        "HCA" => "High Court of Australia",
        _ => return key,
    };
    name.to_owned()
}

fn case_card(corpus: &Corpus, guide: &Guide, c: CaseIdx, number: usize) -> String {
    let case = corpus.case(c);
    let info = &case.info;
    // The citation without the name (OSCOLA's full form, the italic name left out).
    let mut dropped = false;
    let runs: Vec<Run> = oscola::case_full(info, None)
        .into_iter()
        .filter(|r| {
            let name = !dropped && r.style == Style::Italic;
            dropped |= name;
            !name
        })
        .collect();
    let citation = collapse_spaces(&runs);
    let year = info.decided.map(|d| d.year.to_string()).or_else(|| info.citation.as_ref().and_then(|p| p.first_year()).map(|y| y.to_string()));
    let court = court_name(&info.court);
    let chapters = chapter_list(guide, guide.citations.get(&Authority::Case(c)).into_iter().flatten().map(|p| p.chapter));
    let subjects: Vec<String> = case.subjects.iter().map(|s| string(s)).collect();
    let section = |kind: CaseSectionKind| case.sections.iter().find(|s| s.kind == kind);
    let mut back = Vec::new();
    for kind in [CaseSectionKind::Principle, CaseSectionKind::Held, CaseSectionKind::KeyQuote] {
        if let Some(s) = section(kind) {
            back.push(back_section(kind.heading(), section_kind(kind), &s.body));
        }
    }
    let extra: Vec<String> = section(CaseSectionKind::Facts).map(|s| back_section("Facts", "facts", &s.body)).into_iter().collect();
    format!(
        "  (kind: \"case\", id: {}, number: {number}, name: {}, citation: [{}], court: {}, year: {}, subjects: {}, chapters: {chapters}, back: {}, extra: {}, in-full: {}),\n",
        string(&case.id),
        string(&info.name),
        runs_markup(&citation),
        string(&court),
        year.as_deref().map(string).unwrap_or_else(|| "none".to_owned()),
        escape::array(&subjects),
        escape::array(&back),
        escape::array(&extra),
        crate::render::summaries_printed(guide),
    )
}

fn term_card(corpus: &Corpus, guide: &Guide, t: TermIdx, number: usize) -> String {
    let term = corpus.term(t);
    let chapters = chapter_list(guide, guide.chapters.iter().enumerate().filter(|(_, ch)| ch.key_terms.contains(&t)).map(|(i, _)| i));
    let back = back_section("Definition", "definition", &term.definition);
    format!(
        "  (kind: \"term\", id: {}, number: {number}, name: {}, chapters: {chapters}, back: ({back},), extra: (), in-full: true),\n",
        string(&term.anchor),
        string(&term.name),
    )
}

fn section_kind(kind: CaseSectionKind) -> &'static str {
    match kind {
        CaseSectionKind::Facts => "facts",
        CaseSectionKind::Issue => "issue",
        CaseSectionKind::Held => "held",
        CaseSectionKind::Principle => "principle",
        CaseSectionKind::Significance => "significance",
        CaseSectionKind::KeyQuote => "quote",
    }
}

/// Runs with every run of white space made one space, trimmed.
fn collapse_spaces(runs: &[Run]) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    let mut last_space = true;
    for r in runs {
        let mut text = String::new();
        for ch in r.text.chars() {
            if ch.is_whitespace() {
                if !last_space {
                    text.push(' ');
                }
                last_space = true;
            } else {
                text.push(ch);
                last_space = false;
            }
        }
        if !text.is_empty() {
            out.push(Run { text, style: r.style });
        }
    }
    if let Some(last) = out.last_mut() {
        last.text = last.text.trim_end().to_owned();
        if last.text.is_empty() {
            out.pop();
        }
    }
    out
}

/// One section of a card's back as template data: its label, its kind, and
/// its sentences, each `(t: [markup], p: bool)`, `p` when it opens a paragraph.
fn back_section(label: &str, kind: &str, body: &[Event]) -> String {
    let items: Vec<String> = sentences(body)
        .into_iter()
        .map(|s| format!("(t: [{}], p: {})", s.markup, s.para))
        .collect();
    format!("(label: {}, kind: {}, s: {})", string(label), string(kind), escape::array(&items))
}

/// A sentence of a card's text, as Typst markup whose containers are all closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// The markup.
    pub markup: String,
    /// Whether it opens a paragraph.
    pub para: bool,
    /// Its plain text (for tests).
    pub plain: String,
}

/// A run of inline events set as one paragraph on a card, with what goes
/// before it (a list item's marker).
#[derive(Default)]
struct Leaf {
    prefix: String,
    events: Vec<Event>,
}

/// Splits a body (a case section, a definition) into sentences: each block
/// (paragraph, list item, heading, table row) is a paragraph, split at
/// sentence ends; footnotes, images and diagrams are left out.
pub fn sentences(body: &[Event]) -> Vec<Sentence> {
    let mut out = Vec::new();
    for leaf in leaves(body) {
        split_leaf(&leaf, &mut out);
    }
    out
}

fn is_inline(tag: &Tag) -> bool {
    matches!(tag, Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link(_))
}

/// An open container while a body is cut into leaves.
enum Open {
    Inline,
    Block,
    /// A list: `None` when bulleted, else the next item's number.
    List(Option<u64>),
}

fn leaves(body: &[Event]) -> Vec<Leaf> {
    fn flush(current: &mut Option<Leaf>, out: &mut Vec<Leaf>) {
        if let Some(leaf) = current.take() {
            if !leaf.events.is_empty() {
                out.push(leaf);
            }
        }
    }
    let mut out: Vec<Leaf> = Vec::new();
    let mut current: Option<Leaf> = None;
    let mut stack: Vec<Open> = Vec::new();
    let mut pending_prefix = String::new();
    let mut i = 0;
    while i < body.len() {
        let e = &body[i];
        match e {
            Event::Start(Tag::FootnoteDefinition { .. }) => {
                i = crate::model::matching_end(body, i) + 1;
                continue;
            }
            Event::Start(Tag::CodeBlock { .. }) => {
                let end = crate::model::matching_end(body, i);
                flush(&mut current, &mut out);
                let code: String = body.get(i + 1..end).unwrap_or(&[]).iter().filter_map(|e| if let Event::Text(t) = e { Some(t.as_str()) } else { None }).collect();
                let code = code.trim_end().to_owned();
                if !code.is_empty() {
                    out.push(Leaf { prefix: std::mem::take(&mut pending_prefix), events: vec![Event::Code(code)] });
                }
                i = end + 1;
                continue;
            }
            Event::Start(tag) if is_inline(tag) => {
                stack.push(Open::Inline);
                current.get_or_insert_with(|| Leaf { prefix: std::mem::take(&mut pending_prefix), events: Vec::new() }).events.push(e.clone());
            }
            Event::Start(tag) => {
                flush(&mut current, &mut out);
                match tag {
                    Tag::List(start) => stack.push(Open::List(*start)),
                    Tag::Item => {
                        // The enclosing list gives the marker.
                        pending_prefix = match stack.last_mut() {
                            Some(Open::List(Some(n))) => {
                                let marker = format!("{n}. ");
                                *n += 1;
                                marker
                            }
                            _ => "• ".to_owned(),
                        };
                        stack.push(Open::Block);
                    }
                    _ => stack.push(Open::Block),
                }
            }
            Event::End => match stack.pop() {
                Some(Open::Inline) => {
                    if let Some(leaf) = current.as_mut() {
                        leaf.events.push(Event::End);
                    }
                }
                _ => flush(&mut current, &mut out),
            },
            Event::Rule => flush(&mut current, &mut out),
            Event::Image(_) | Event::Diagram(_) | Event::FootnoteRef { .. } => {}
            other => {
                current.get_or_insert_with(|| Leaf { prefix: std::mem::take(&mut pending_prefix), events: Vec::new() }).events.push(other.clone());
            }
        }
        i += 1;
    }
    flush(&mut current, &mut out);
    out
}

/// What an inline event adds to the plain text, and whether it is atomic
/// (a sentence never ends inside it).
fn plain_of(e: &Event) -> (String, bool) {
    match e {
        Event::Text(t) => (t.clone(), false),
        Event::SoftBreak | Event::HardBreak => (" ".to_owned(), false),
        Event::Code(c) => (c.clone(), true),
        Event::Cite(c) => (c.items.iter().map(|i| oscola::plain(&i.text)).collect::<Vec<_>>().join("; "), true),
        _ => (String::new(), false),
    }
}

/// Words that end with a full stop without ending a sentence.
const ABBREVIATIONS: [&str; 28] = [
    "v", "s", "ss", "art", "arts", "para", "paras", "no", "nos", "eg", "ie", "cf", "ltd", "co", "mr", "mrs", "ms", "dr", "st", "p", "pp", "n",
    "ch", "cl", "reg", "sch", "vol", "etc",
];

/// Where sentences end in `text`: `(end of the sentence, start of the next)`
/// byte offsets, the white space between them dropped.
fn boundaries(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut k = 0;
    while k < chars.len() {
        let (at, ch) = chars[k];
        k += 1;
        if !matches!(ch, '.' | '?' | '!') {
            continue;
        }
        // Closing quotes and brackets belong to the sentence.
        let mut j = k;
        while j < chars.len() && matches!(chars[j].1, '"' | '\'' | '\u{201d}' | '\u{2019}' | ')' | ']') {
            j += 1;
        }
        let end = chars.get(j).map_or(text.len(), |c| c.0);
        let mut n = j;
        while n < chars.len() && chars[n].1.is_whitespace() {
            n += 1;
        }
        if n == j || n >= chars.len() {
            continue;
        }
        let next = chars[n].1;
        if !(next.is_uppercase() || matches!(next, '"' | '\'' | '\u{201c}' | '\u{2018}' | '(' | '[')) {
            continue;
        }
        if ch == '.' {
            let word_start = text[..at].rfind(|c: char| c.is_whitespace() || c == '(').map_or(0, |p| p + 1);
            let word = &text[word_start..at];
            let bare = word.trim_start_matches(['"', '\'', '\u{201c}', '\u{2018}']);
            // An initial (`A.`), not a number (`[2016] UKSC 8.`).
            let short = bare.chars().count() <= 1 && !bare.chars().all(|c| c.is_ascii_digit());
            let dotted = bare.contains('.');
            if short || dotted || ABBREVIATIONS.contains(&bare.to_lowercase().as_str()) {
                continue;
            }
        }
        out.push((end, chars[n].0));
        k = n;
    }
    out
}

/// Builds one sentence's markup, reopening the containers a split closed.
struct SentenceWriter {
    open: Vec<(String, &'static str)>,
    markup: String,
    plain: String,
    para: bool,
}

impl SentenceWriter {
    fn finish(&mut self, out: &mut Vec<Sentence>) {
        let mut markup = std::mem::take(&mut self.markup);
        for (_, close) in self.open.iter().rev() {
            markup.push_str(close);
        }
        let plain = std::mem::take(&mut self.plain);
        if !plain.trim().is_empty() {
            out.push(Sentence { markup, para: self.para, plain: plain.trim().to_owned() });
            self.para = false;
        }
        for (open, _) in &self.open {
            self.markup.push_str(open);
        }
    }

    fn text(&mut self, t: &str) {
        self.markup.push_str(&escape::text(t));
        self.plain.push_str(t);
    }
}

fn split_leaf(leaf: &Leaf, out: &mut Vec<Sentence>) {
    // The plain text of the leaf, and each event's range in it.
    let mut plain = String::new();
    let mut ranges = Vec::with_capacity(leaf.events.len());
    for e in &leaf.events {
        let (p, atomic) = plain_of(e);
        let start = plain.len();
        plain.push_str(&p);
        ranges.push((start, plain.len(), atomic));
    }
    // Sentence ends that fall inside a citation or code are not ends.
    let cuts: Vec<(usize, usize)> = boundaries(&plain)
        .into_iter()
        .filter(|(a, b)| !ranges.iter().any(|(s, e, atomic)| *atomic && *s < *b && *a < *e))
        .collect();
    let mut w = SentenceWriter { open: Vec::new(), markup: String::new(), plain: String::new(), para: true };
    if !leaf.prefix.is_empty() {
        w.text(&leaf.prefix);
    }
    let mut next_cut = 0;
    // Plain offsets below this are white space between two sentences.
    let mut skip_to = 0usize;
    for (e, (s, end, _)) in leaf.events.iter().zip(&ranges) {
        let (s, end) = (*s, *end);
        // (A sentence end never lies before the event being written; this
        // only guards against a stale one.)
        while cuts.get(next_cut).is_some_and(|(a, _)| *a < s) {
            next_cut += 1;
        }
        match e {
            Event::Text(t) => {
                let mut cursor = s;
                loop {
                    cursor = cursor.max(skip_to).min(end);
                    match cuts.get(next_cut) {
                        Some((a, b)) if *a < end && *a >= cursor => {
                            w.text(&t[cursor - s..*a - s]);
                            w.finish(out);
                            skip_to = *b;
                            next_cut += 1;
                        }
                        _ => {
                            w.text(&t[cursor - s..]);
                            break;
                        }
                    }
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((a, b)) = cuts.get(next_cut).filter(|(a, _)| *a == s) {
                    let _ = a;
                    w.finish(out);
                    skip_to = *b;
                    next_cut += 1;
                } else if s >= skip_to {
                    if matches!(e, Event::HardBreak) {
                        w.markup.push_str("#linebreak();");
                        w.plain.push(' ');
                    } else {
                        w.text(" ");
                    }
                }
            }
            Event::Code(c) => {
                let _ = write!(w.markup, "#raw({});", escape::string(c));
                w.plain.push_str(c);
            }
            Event::Cite(c) => {
                for (i, item) in c.items.iter().enumerate() {
                    if i > 0 {
                        w.text("; ");
                    }
                    w.markup.push_str(&runs_markup(&item.text));
                    w.plain.push_str(&oscola::plain(&item.text));
                }
            }
            Event::Start(tag) => {
                let (open, close) = match tag {
                    Tag::Emphasis => ("#emph[".to_owned(), "]"),
                    Tag::Strong => ("#strong[".to_owned(), "]"),
                    Tag::Strikethrough => ("#strike[".to_owned(), "]"),
                    Tag::Link(LinkTarget::External(url)) => (format!("#link({})[", escape::string(url)), "]"),
                    // Links into the guide have nowhere to go on a card.
                    _ => ("#[".to_owned(), "]"),
                };
                w.markup.push_str(&open);
                w.open.push((open, close));
            }
            Event::End => {
                if let Some((_, close)) = w.open.pop() {
                    w.markup.push_str(close);
                }
            }
            _ => {}
        }
    }
    // Containers left open by unbalanced input are closed.
    w.finish(out);
}

/// The `card-overflow` warnings for the cards the template shortened: at the
/// heading of the case section where the card was cut (or the case file),
/// or at the key term.
pub fn overflow_warnings(doc: &PagedDocument, corpus: &Corpus, guide: &Guide) -> Vec<Diagnostic> {
    let Some(label) = Label::new(PicoStr::intern(CUT_LABEL)) else { return Vec::new() };
    let intro = doc.introspector();
    let mut out = Vec::new();
    for elem in intro.query(&Selector::Label(label)).iter() {
        let Some(meta) = elem.to_packed::<MetadataElem>() else { continue };
        let Value::Dict(d) = &meta.value else { continue };
        let get_str = |k: &str| match d.get(k) {
            Ok(Value::Str(s)) => Some(s.as_str().to_owned()),
            _ => None,
        };
        let get_int = |k: &str| match d.get(k) {
            Ok(Value::Int(i)) => Some(*i),
            _ => None,
        };
        let (Some(kind), Some(id)) = (get_str("kind"), get_str("card")) else { continue };
        let side = get_str("side").unwrap_or_else(|| "back".to_owned());
        let shown = get_int("shown").unwrap_or(0);
        let total = get_int("total").unwrap_or(0);
        let size = get_str("size").unwrap_or_else(|| "7pt".to_owned()).replace("pt", " pt");
        if kind == "case" {
            let Some(case) = corpus.cases.iter().find(|c| c.id == id) else { continue };
            let cut_in = get_str("section");
            let section = cut_in.as_deref().and_then(|k| case.sections.iter().find(|s| section_kind(s.kind) == k));
            let (span, where_) = match section {
                Some(s) => (s.span.clone(), format!(" in the {}", s.kind.heading())),
                None => (case.span.clone(), String::new()),
            };
            let message = if side == "front" {
                format!("the front of the card of {} does not fit even in the smallest type, and is shortened", case.info.name)
            } else {
                format!("the back of the card of {} does not fit even in {size} type: it shows {shown} of its {total} sentences and is cut{where_}", case.info.name)
            };
            let hint = if side == "front" {
                "the front of a case card shows the name in large type; shorten the case's `name`".to_owned()
            } else if crate::render::summaries_printed(guide) {
                format!("the back of a case card holds the Principle, the Held and the Key quote; shorten them to fit (the card says it is shortened, and {} prints the whole summary)", guide.title)
            } else {
                "the back of a case card holds the Principle, the Held and the Key quote; shorten them to fit (the card says it is shortened)".to_owned()
            };
            out.push(Diagnostic::warning("card-overflow", message).at_span(span).label("cut on the case card").hint(hint));
        } else {
            let Some(term) = corpus.terms.iter().find(|t| t.anchor == id) else { continue };
            let message = if side == "front" {
                format!("the front of the key-term card of “{}” does not fit even in the smallest type, and is shortened", term.name)
            } else {
                format!("the back of the key-term card of “{}” does not fit even in {size} type: it shows {shown} of the definition's {total} sentences and is cut", term.name)
            };
            out.push(
                Diagnostic::warning("card-overflow", message)
                    .at_span(term.span.clone())
                    .label("cut on the key-term card")
                    .hint(if side == "front" { "shorten the term" } else { "shorten the definition to fit a card (the guide's glossary prints it in full)" }),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{SourceId, Span};
    use crate::model::{CiteItem, Citation};

    fn text(s: &str) -> Event {
        Event::Text(s.to_owned())
    }

    fn split(events: Vec<Event>) -> Vec<Sentence> {
        sentences(&events)
    }

    fn para(inner: Vec<Event>) -> Vec<Event> {
        let mut v = vec![Event::Start(Tag::Paragraph)];
        v.extend(inner);
        v.push(Event::End);
        v
    }

    #[test]
    fn sentence_ends() {
        assert_eq!(boundaries("One. Two? Three! four. Five"), vec![(4, 5), (9, 10), (22, 23)]);
        // Abbreviations, initials and a lower-case continuation do not end one.
        assert!(boundaries("Smith v. Jones and s. 1 apply. e.g. Not.").is_empty());
        // A page or paragraph number ends one; an initial does not.
        assert_eq!(boundaries("[2016] UKSC 8. Next"), vec![(14, 15)]);
        assert!(boundaries("A. B. Smith said so").is_empty());
        assert!(boundaries("No. 2 and cf. Brown").is_empty());
        // A closing quote or bracket stays with its sentence.
        assert_eq!(boundaries("He said \"go.\" Then (it ended.) Next"), vec![(13, 14), (30, 31)]);
    }

    #[test]
    fn emphasis_is_reopened_across_a_split() {
        let events = para(vec![text("First one. "), Event::Start(Tag::Emphasis), text("Second. Third"), Event::End, text(" ends.")]);
        let s = split(events);
        let plain: Vec<&str> = s.iter().map(|s| s.plain.as_str()).collect();
        assert_eq!(plain, vec!["First one.", "Second.", "Third ends."]);
        assert_eq!(s[1].markup, "#emph[#\"Second.\";]");
        assert_eq!(s[2].markup, "#emph[#\"Third\";]#\" ends.\";");
        assert!(s[0].para && !s[1].para && !s[2].para);
    }

    #[test]
    fn citations_stay_whole_and_soft_breaks_split() {
        let cite = Event::Cite(Box::new(Citation {
            items: vec![CiteItem {
                authority: Authority::Case(CaseIdx(0)),
                locator: None,
                text: vec![Run { text: "R v A. B.".into(), style: Style::Italic }, Run { text: " [2001] 1 AC 1".into(), style: Style::Roman }],
                note: None,
                anchor: String::new(),
            }],
            footnote: None,
            span: Span::new(SourceId(0), 0..0),
        }));
        let events = para(vec![text("See "), cite, text(". It held"), Event::SoftBreak, text("that. Then."), Event::SoftBreak, text("More.")]);
        let s = split(events);
        let plain: Vec<&str> = s.iter().map(|s| s.plain.as_str()).collect();
        assert_eq!(plain, vec!["See R v A. B. [2001] 1 AC 1.", "It held that.", "Then.", "More."]);
        assert!(s[0].markup.contains("#emph[#\"R v A. B.\";]"), "{}", s[0].markup);
    }

    #[test]
    fn blocks_are_paragraphs_and_lists_keep_markers() {
        let mut events = para(vec![text("Intro. Two.")]);
        events.push(Event::Start(Tag::List(Some(3))));
        for t in ["a", "b"] {
            events.push(Event::Start(Tag::Item));
            events.push(text(t));
            events.push(Event::End);
        }
        events.push(Event::End);
        events.push(Event::Start(Tag::FootnoteDefinition { label: "x".into(), number: 1 }));
        events.extend(para(vec![text("Hidden.")]));
        events.push(Event::End);
        let s = split(events);
        let got: Vec<(&str, bool)> = s.iter().map(|s| (s.plain.as_str(), s.para)).collect();
        assert_eq!(got, vec![("Intro.", true), ("Two.", false), ("3. a", true), ("4. b", true)]);
    }

    #[test]
    fn unbalanced_input_does_not_panic() {
        let s = split(vec![Event::End, Event::Start(Tag::Strong), text("Open. Never closed"), Event::End, Event::End]);
        assert_eq!(s.len(), 2);
        assert!(s.iter().all(|s| s.markup.matches('[').count() == s.markup.matches(']').count()));
    }

    #[test]
    fn courts_are_named() {
        assert_eq!(court_name("HL"), "House of Lords");
        assert_eq!(court_name("CA (Crim Div)"), "Court of Appeal (Criminal Division)");
        assert_eq!(court_name("Assizes"), "Assizes");
    }
}
