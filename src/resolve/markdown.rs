//! The Markdown converter: pulldown-cmark events in, resolved model events out.
//!
//! A small state machine (`run`, `start`, `end`, one `match` per event kind)
//! that finds citations in text runs, recognises callouts in both of their
//! shapes (spec section 8), parses diagrams, checks images and links, turns
//! raw HTML into text or line breaks, and gives every heading a unique id.
//! Citation *forms* depend on the guide and are filled in later (`forms`).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{BlockQuoteKind, CodeBlockKind, Event as Md, LinkType, Tag as MdTag, TagEnd};

use crate::diag::{nearest, Diagnostic, Diagnostics, SourceId, Span};
use crate::model::{
    matching_end, sanitize_id, slug, Align, Authority, Callout, CalloutKind, CalloutTarget, Citation, CiteItem, Diagram, Event, Image,
    LinkTarget, Tag,
};
use crate::oscola::{self, Locator};
use crate::resolve::cite::{self, TextRun};
use crate::resolve::url;
use crate::workspace::join_inside;

/// What the converter needs to know about the rest of the workspace.
pub struct Lookup<'a> {
    /// Every case and instrument id.
    pub ids: &'a BTreeMap<String, Authority>,
    /// Base labels of each instrument's provisions (`s 1`), by instrument index.
    pub provisions: &'a [Vec<String>],
    /// The workspace root.
    pub root: &'a Path,
}

/// A `definition` callout found in a chapter.
#[derive(Debug)]
pub struct FoundDefinition {
    /// The term (the callout's title).
    pub term: String,
    /// Its body.
    pub body: Vec<Event>,
    /// Where the callout's title is.
    pub span: Span,
}

/// The result of converting one Markdown body.
#[derive(Debug, Default)]
pub struct Converted {
    /// The events.
    pub events: Vec<Event>,
    /// Text of the first level-1 heading.
    pub first_h1: Option<String>,
    /// Definition callouts.
    pub definitions: Vec<FoundDefinition>,
    /// Chapter files linked to (workspace-relative path, fragment, span), resolved per guide.
    pub chapter_links: Vec<(String, Option<String>, Span)>,
}


enum Frame {
    /// Emit `End` at the end.
    Plain,
    /// Emit nothing at the end (the start was dropped).
    Skip,
    /// A heading whose id is patched at the end.
    Heading { at: usize, level: u8, explicit: Option<String>, span: Range<usize> },
    /// A block quote not yet known to be a callout.
    Quote { at: usize, first_child_seen: bool, kind: Option<CalloutKind> },
    /// A paragraph; `header` when it may open with a callout marker.
    Paragraph { at: usize },
    /// An image: alt text is collected.
    Image { dest: String, title: String, span: Range<usize> },
    /// A code block: text is collected.
    Code { lang: Option<String>, span: Range<usize> },
}

/// Converts one Markdown body.
pub struct Converter<'a, 'd> {
    file: SourceId,
    source: &'a str,
    file_path: &'a Path,
    lookup: &'a Lookup<'a>,
    diags: &'d mut Diagnostics,
    out: Converted,
    stack: Vec<Frame>,
    text: TextRun,
    /// Plain text captured for headings and image alt text.
    capture: Vec<String>,
    heading_ids: BTreeSet<String>,
    /// Every explicit `{#id}` of the body, sanitised: automatic ids avoid them.
    explicit_ids: BTreeSet<String>,
    html_comment: bool,
    /// An HTML block is reported once, not once per line.
    html_block_warned: bool,
    /// Events of a paragraph that may open a callout, held back until its first line ends.
    header: Option<Vec<(Md<'a>, Range<usize>)>>,
    steps: u32,
    diagrams: usize,
    /// The first line of each footnote definition, by label, in order.
    note_spans: BTreeMap<String, Vec<Range<usize>>>,
}

impl<'a, 'd> Converter<'a, 'd> {
    /// A converter for `file` (whose full text is `source`, at `file_path`).
    pub fn new(file: SourceId, source: &'a str, file_path: &'a Path, lookup: &'a Lookup<'a>, diags: &'d mut Diagnostics) -> Self {
        Converter {
            file,
            source,
            file_path,
            lookup,
            diags,
            out: Converted::default(),
            stack: Vec::new(),
            text: TextRun::default(),
            capture: Vec::new(),
            heading_ids: BTreeSet::new(),
            explicit_ids: BTreeSet::new(),
            html_comment: false,
            html_block_warned: false,
            header: None,
            steps: 0,
            diagrams: 0,
            note_spans: BTreeMap::new(),
        }
    }

    /// Runs over `events` and returns what was converted.
    pub fn run(mut self, events: Vec<(Md<'a>, Range<usize>)>) -> Converted {
        // An explicit id wins over an automatic one wherever it stands.
        for (ev, _) in &events {
            if let Md::Start(MdTag::Heading { id: Some(id), .. }) = ev {
                self.explicit_ids.insert(sanitize_id(id));
            }
        }
        for (ev, range) in events {
            self.event(ev, range);
        }
        self.flush_text();
        group_rule_panels(&mut self.out.events);
        self.drop_unusable_notes();
        self.out
    }

    fn span(&self, r: Range<usize>) -> Span {
        Span::new(self.file, r)
    }

    fn push(&mut self, e: Event) {
        self.out.events.push(e);
    }

    fn event(&mut self, ev: Md<'a>, range: Range<usize>) {
        if let Some(buf) = &mut self.header {
            let ends_line = matches!(ev, Md::SoftBreak | Md::HardBreak | Md::End(TagEnd::Paragraph));
            buf.push((ev, range));
            if ends_line {
                let held = self.header.take().unwrap_or_default();
                self.finish_header(held);
            }
            return;
        }
        if let Some(Frame::Code { .. }) = self.stack.last() {
            match ev {
                Md::Text(t) => {
                    self.text.push(&t, range);
                    return;
                }
                Md::End(tag @ TagEnd::CodeBlock) => {
                    self.end(tag, range);
                    return;
                }
                _ => return,
            }
        }
        match ev {
            Md::Text(t) => {
                if let Some(c) = self.capture.last_mut() {
                    c.push_str(&t);
                }
                if matches!(self.stack.last(), Some(Frame::Image { .. })) {
                    return;
                }
                self.text.push(&t, range);
            }
            Md::Start(tag) => {
                self.flush_text();
                self.start(tag, range);
            }
            Md::End(tag) => {
                self.flush_text();
                self.end(tag, range);
            }
            Md::Code(c) => {
                if let Some(cap) = self.capture.last_mut() {
                    cap.push_str(&c);
                }
                if matches!(self.stack.last(), Some(Frame::Image { .. })) {
                    return;
                }
                self.flush_text();
                self.push(Event::Code(c.into_string()));
            }
            Md::SoftBreak => {
                if let Some(cap) = self.capture.last_mut() {
                    cap.push(' ');
                }
                self.flush_text();
                self.push(Event::SoftBreak);
            }
            Md::HardBreak => {
                self.flush_text();
                self.push(Event::HardBreak);
            }
            Md::Rule => {
                self.flush_text();
                self.push(Event::Rule);
            }
            Md::FootnoteReference(label) => {
                self.flush_text();
                self.push(Event::FootnoteRef { label: label.into_string(), number: 0 });
            }
            Md::Html(h) | Md::InlineHtml(h) => {
                self.flush_text();
                self.html(&h, range);
            }
            Md::InlineMath(m) | Md::DisplayMath(m) => self.text.push(&m, range),
            Md::TaskListMarker(done) => self.text.push(if done { "[x] " } else { "[ ] " }, range),
        }
    }

    /// Raw HTML: comments dropped, `<br>` a line break, anything else literal text with a warning.
    fn html(&mut self, h: &str, range: Range<usize>) {
        let mut rest = h;
        loop {
            if self.html_comment {
                match rest.find("-->") {
                    Some(i) => {
                        self.html_comment = false;
                        rest = &rest[i + 3..];
                    }
                    None => return,
                }
            }
            let t = rest.trim();
            if t.is_empty() {
                return;
            }
            if let Some(after) = t.strip_prefix("<!--") {
                self.html_comment = true;
                rest = after;
                continue;
            }
            let lower = t.to_ascii_lowercase();
            if matches!(lower.as_str(), "<br>" | "<br/>" | "<br />") {
                self.push(Event::HardBreak);
                return;
            }
            let in_block = matches!(self.stack.last(), Some(Frame::Paragraph { .. })) && h.ends_with('\n');
            if !(in_block && self.html_block_warned) {
                self.html_block_warned = in_block;
                self.diags.push(
                    Diagnostic::warning("raw-html", "raw HTML is shown as literal text")
                        .at(self.file, range.start..range.start + h.trim_end().len())
                        .label("printed as written")
                        .hint("casebook never passes HTML through; use Markdown, or escape the `<` as `\\<` to silence this"),
                );
            }
            let literal = rest.trim_end_matches(['\n', '\r']);
            self.push(Event::Text(literal.to_owned()));
            if literal.len() < rest.len() {
                self.push(Event::SoftBreak);
            }
            return;
        }
    }

    fn start(&mut self, tag: MdTag<'a>, range: Range<usize>) {
        // The first child of a block quote decides whether it is a callout.
        let mut header = false;
        if let Some(Frame::Quote { first_child_seen, kind, .. }) = self.stack.last_mut() {
            if !*first_child_seen {
                *first_child_seen = true;
                header = kind.is_none() && matches!(tag, MdTag::Paragraph);
                if !header && kind.is_none() {
                    self.settle_quote(None);
                }
            }
        }
        match tag {
            MdTag::Paragraph => {
                let at = self.out.events.len();
                self.push(Event::Start(Tag::Paragraph));
                self.stack.push(Frame::Paragraph { at });
                if header {
                    self.header = Some(Vec::new());
                }
            }
            MdTag::Heading { level, id, .. } => {
                let at = self.out.events.len();
                let level = level as u8;
                self.push(Event::Start(Tag::Heading { level, id: String::new() }));
                self.capture.push(String::new());
                self.stack.push(Frame::Heading { at, level, explicit: id.map(|i| i.into_string()), span: range });
            }
            MdTag::BlockQuote(kind) => {
                let at = self.out.events.len();
                self.push(Event::Start(Tag::BlockQuote));
                let kind = kind.map(|k| match k {
                    BlockQuoteKind::Note => CalloutKind::Note,
                    BlockQuoteKind::Tip => CalloutKind::Tip,
                    BlockQuoteKind::Important => CalloutKind::Important,
                    BlockQuoteKind::Warning => CalloutKind::Warning,
                    BlockQuoteKind::Caution => CalloutKind::Caution,
                });
                self.stack.push(Frame::Quote { at, first_child_seen: false, kind });
                if let Some(k) = kind {
                    self.out.events[at] = Event::Start(Tag::Callout(Callout { kind: k, title: String::new(), target: None, step: None, term: None, anchor: None }));
                }
            }
            MdTag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.split_whitespace().next().map(str::to_owned),
                    CodeBlockKind::Indented => None,
                };
                self.stack.push(Frame::Code { lang, span: range });
            }
            MdTag::HtmlBlock => {
                // Shown as a paragraph of literal text (dropped if only comments).
                let at = self.out.events.len();
                self.push(Event::Start(Tag::Paragraph));
                self.stack.push(Frame::Paragraph { at });
                self.html_block_warned = false;
            }
            MdTag::List(start) => self.open(Tag::List(start)),
            MdTag::Item => self.open(Tag::Item),
            MdTag::FootnoteDefinition(label) => {
                let line_end = self.source[range.start..range.end].find('\n').map_or(range.end, |i| range.start + i);
                self.note_spans.entry(label.to_string()).or_default().push(range.start..line_end);
                self.open(Tag::FootnoteDefinition { label: label.into_string(), number: 0 })
            }
            MdTag::DefinitionList => self.open(Tag::DefinitionList),
            MdTag::DefinitionListTitle => self.open(Tag::DefinitionTerm),
            MdTag::DefinitionListDefinition => self.open(Tag::DefinitionDetails),
            MdTag::Table(aligns) => self.open(Tag::Table(
                aligns
                    .into_iter()
                    .map(|a| match a {
                        pulldown_cmark::Alignment::None => Align::None,
                        pulldown_cmark::Alignment::Left => Align::Left,
                        pulldown_cmark::Alignment::Center => Align::Center,
                        pulldown_cmark::Alignment::Right => Align::Right,
                    })
                    .collect(),
            )),
            MdTag::TableHead => self.open(Tag::TableHead),
            MdTag::TableRow => self.open(Tag::TableRow),
            MdTag::TableCell => self.open(Tag::TableCell),
            MdTag::Emphasis => self.open(Tag::Emphasis),
            MdTag::Strong => self.open(Tag::Strong),
            MdTag::Strikethrough => self.open(Tag::Strikethrough),
            MdTag::Superscript | MdTag::Subscript | MdTag::MetadataBlock(_) => self.stack.push(Frame::Skip),
            MdTag::Link { link_type, dest_url, .. } => {
                let dest = match link_type {
                    // `<clerk@example.org>`: pulldown-cmark hands over the bare address.
                    LinkType::Email => format!("mailto:{dest_url}"),
                    _ => dest_url.into_string(),
                };
                match self.link_target(&dest, range) {
                    Some(t) => self.open(Tag::Link(t)),
                    None => self.stack.push(Frame::Skip),
                }
            }
            MdTag::Image { dest_url, title, .. } => {
                self.capture.push(String::new());
                self.stack.push(Frame::Image { dest: dest_url.into_string(), title: title.into_string(), span: range });
            }
        }
    }

    fn open(&mut self, tag: Tag) {
        self.push(Event::Start(tag));
        self.stack.push(Frame::Plain);
    }

    fn end(&mut self, _tag: TagEnd, _range: Range<usize>) {
        let Some(frame) = self.stack.pop() else { return };
        match frame {
            Frame::Plain => self.push(Event::End),
            Frame::Skip => {}
            Frame::Paragraph { at, .. } => {
                while self.out.events.len() > at + 1 && self.out.events.last() == Some(&Event::SoftBreak) {
                    self.out.events.pop();
                }
                if self.out.events.len() == at + 1 {
                    // A paragraph left empty (a callout header line alone): drop it.
                    self.out.events.truncate(at);
                } else {
                    // Trailing soft breaks left by a callout header are removed.
                    if self.out.events.get(at + 1) == Some(&Event::SoftBreak) {
                        self.out.events.remove(at + 1);
                    }
                    self.push(Event::End);
                }
            }
            Frame::Heading { at, level, explicit, span } => {
                let text = self.capture.pop().unwrap_or_default();
                let text = text.trim().to_owned();
                let id = match &explicit {
                    Some(raw) => {
                        let id = sanitize_id(raw);
                        if self.heading_ids.contains(&id) {
                            self.diags.push(
                                Diagnostic::error("duplicate-heading-id", format!("heading id `{raw}` is used twice in this file"))
                                    .at(self.file, span.clone())
                                    .hint("give each heading a different `{#id}`"),
                            );
                        }
                        id
                    }
                    None => {
                        // Numbered from 1 on a clash, as GitHub and mdBook do.
                        let base = match slug(&text) {
                            s if s.is_empty() => "section".to_owned(),
                            s => s,
                        };
                        let mut id = base.clone();
                        let mut n = 0;
                        while self.heading_ids.contains(&id) || self.explicit_ids.contains(&id) {
                            n += 1;
                            id = format!("{base}-{n}");
                        }
                        id
                    }
                };
                self.heading_ids.insert(id.clone());
                if level == 1 && self.out.first_h1.is_none() {
                    self.out.first_h1 = Some(text);
                }
                self.out.events[at] = Event::Start(Tag::Heading { level, id });
                self.push(Event::End);
            }
            Frame::Quote { at, kind, .. } => {
                if kind.is_none() {
                    // An empty block quote never settled.
                    if let Event::Start(Tag::BlockQuote) = self.out.events[at] {}
                }
                if let Event::Start(Tag::Callout(c)) = &self.out.events[at] {
                    if c.kind == CalloutKind::Definition {
                        let body = self.out.events[at + 1..].to_vec();
                        let line_end = self.source[_range.start..].find('\n').map_or(_range.end, |i| _range.start + i);
                        let title_span = self.span(_range.start..line_end);
                        let term = c.title.clone();
                        if term.trim().is_empty() {
                            self.diags.push(
                                Diagnostic::error("definition-without-term", "a definition callout needs the term as its title")
                                    .at_span(title_span)
                                    .hint("write `> [!definition] Actus reus`"),
                            );
                        } else {
                            self.out.definitions.push(FoundDefinition { term, body, span: self.span(_range.clone()) });
                        }
                    }
                }
                self.push(Event::End);
            }
            Frame::Image { dest, title, span } => {
                let alt = self.capture.pop().unwrap_or_default();
                self.image(dest, title, alt, span);
            }
            Frame::Code { lang, span } => {
                let run = std::mem::take(&mut self.text);
                if lang.as_deref().is_some_and(|l| l.eq_ignore_ascii_case("mermaid")) {
                    self.diagram(run, span);
                } else {
                    self.push(Event::Start(Tag::CodeBlock { lang }));
                    if !run.text.is_empty() {
                        self.push(Event::Text(run.text));
                    }
                    self.push(Event::End);
                }
            }
        }
    }

    /// Drops, with a warning, footnote definitions that nothing refers to and
    /// second definitions of a label: the PDF prints a note where it is
    /// referred to, so such a note would be in the EPUB only (and a citation
    /// inside it a place the PDF does not have), and the editions would
    /// disagree on which of two definitions to print.
    fn drop_unusable_notes(&mut self) {
        // References from the text reach a note; references inside a note
        // reach further notes only when that note is reached itself.
        let mut from: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
        let mut inside: Vec<Option<String>> = Vec::new();
        for e in &self.out.events {
            match e {
                Event::Start(Tag::FootnoteDefinition { label, .. }) => inside.push(Some(label.clone())),
                Event::Start(_) => inside.push(inside.last().cloned().flatten()),
                Event::End => {
                    inside.pop();
                }
                Event::FootnoteRef { label, .. } => from.entry(inside.last().cloned().flatten()).or_default().push(label.clone()),
                _ => {}
            }
        }
        let mut reached: BTreeSet<String> = BTreeSet::new();
        let mut todo: Vec<String> = from.get(&None).cloned().unwrap_or_default();
        while let Some(l) = todo.pop() {
            if reached.insert(l.clone()) {
                todo.extend(from.get(&Some(l)).cloned().unwrap_or_default());
            }
        }
        let mut defined: BTreeSet<String> = BTreeSet::new();
        let mut nth: BTreeMap<String, usize> = BTreeMap::new();
        let mut at = 0;
        while at < self.out.events.len() {
            let Event::Start(Tag::FootnoteDefinition { label, .. }) = &self.out.events[at] else {
                at += 1;
                continue;
            };
            let label = label.clone();
            let n = *nth.entry(label.clone()).and_modify(|n| *n += 1).or_insert(0);
            let span = self.note_spans.get(&label).and_then(|v| v.get(n)).cloned().unwrap_or(0..0);
            let problem = if !reached.contains(&label) {
                Diagnostic::warning("unused-footnote", format!("footnote `[^{label}]` is never referred to"))
                    .at(self.file, span)
                    .label("left out of both editions")
                    .hint(format!("refer to it with `[^{label}]` in the text, or delete it"))
            } else if !defined.insert(label.clone()) {
                Diagnostic::warning("duplicate-footnote", format!("footnote `[^{label}]` is defined twice"))
                    .at(self.file, span)
                    .label("left out of both editions: the first definition is used")
                    .hint("give each footnote its own label")
            } else {
                at = matching_end(&self.out.events, at) + 1;
                continue;
            };
            let end = matching_end(&self.out.events, at);
            self.out.events.drain(at..=end);
            self.diags.push(problem);
        }
    }

    /// Decides a pending block quote: a callout of `kind`, or a plain quote.
    fn settle_quote(&mut self, callout: Option<Callout>) {
        for f in self.stack.iter_mut().rev() {
            if let Frame::Quote { at, kind, .. } = f {
                if let Some(c) = callout {
                    *kind = Some(c.kind);
                    self.out.events[*at] = Event::Start(Tag::Callout(c));
                } else {
                    *kind = None;
                }
                return;
            }
        }
    }

    /// The first line of a block quote's first paragraph has been seen.
    fn finish_header(&mut self, held: Vec<(Md<'a>, Range<usize>)>) {
        // Plain text of the line, up to the break.
        let mut line = String::new();
        let mut line_range = held.first().map(|h| h.1.clone()).unwrap_or(0..0);
        for (ev, r) in &held {
            match ev {
                Md::Text(t) | Md::Code(t) => line.push_str(t),
                Md::SoftBreak | Md::HardBreak | Md::End(_) => break,
                _ => {}
            }
            line_range.end = line_range.end.max(r.end);
        }
        let trimmed = line.trim_start();
        let marker = trimmed.strip_prefix("[!").and_then(|rest| rest.find(']').map(|i| (&rest[..i], &rest[i + 1..])));
        let Some((name, title)) = marker else {
            self.settle_quote(None);
            for (ev, r) in held {
                self.event(ev, r);
            }
            return;
        };
        let title = title.trim_start_matches(['-', '+']).trim().to_owned();
        let kind = match CalloutKind::from_name(name.trim()) {
            Some(k) => k,
            None => {
                let known: Vec<&str> = CalloutKind::ALL.iter().map(|(_, n)| *n).collect();
                let mut d = Diagnostic::error("unknown-callout", format!("unknown callout kind `{name}`"))
                    .at(self.file, line_range.start..line_range.start + name.len() + 3)
                    .label("not a callout kind");
                d = d.hint(crate::diag::did_you_mean(&name.to_ascii_lowercase(), &known, "known kinds"));
                self.diags.push(d);
                CalloutKind::Note
            }
        };
        let target = match kind {
            CalloutKind::Case | CalloutKind::Statute => self.callout_target(kind, &title, line_range.clone()),
            _ => None,
        };
        let step = (kind == CalloutKind::Step).then(|| {
            self.steps += 1;
            self.steps
        });
        self.settle_quote(Some(Callout { kind, title, target, step, term: None, anchor: None }));
        // Whatever follows the header line in the same paragraph is body text.
        let mut after_break = false;
        for (ev, r) in held {
            if after_break {
                self.event(ev, r);
            } else if matches!(ev, Md::SoftBreak | Md::HardBreak) {
                after_break = true;
            } else if matches!(ev, Md::End(TagEnd::Paragraph)) {
                self.event(ev, r);
            }
        }
    }

    /// Resolves `> [!case] id` and `> [!statute] id s 1`.
    fn callout_target(&mut self, kind: CalloutKind, title: &str, range: Range<usize>) -> Option<CalloutTarget> {
        let title_at = self.source[range.clone()].find(title.split_whitespace().next().unwrap_or("")).map_or(range.start, |i| range.start + i);
        let (id, rest) = match title.split_once(char::is_whitespace) {
            Some((a, b)) => (a, b.trim()),
            None => (title, ""),
        };
        let id_span = title_at..title_at + id.len();
        if id.is_empty() {
            self.diags.push(
                Diagnostic::error("callout-target-missing", format!("a `{}` callout names its {} in the title", kind.name(), if kind == CalloutKind::Case { "case" } else { "provision" }))
                    .at(self.file, range)
                    .hint(if kind == CalloutKind::Case { "write `> [!case] r-v-miller`" } else { "write `> [!statute] theft-act-1968 s 1`" }),
            );
            return None;
        }
        let authority = self.lookup_id(id, id_span.clone())?;
        match (kind, authority) {
            (CalloutKind::Case, Authority::Case(c)) => Some(CalloutTarget::Case(c)),
            (CalloutKind::Statute, Authority::Instrument(i)) => {
                if rest.is_empty() {
                    return Some(CalloutTarget::Provision(i, None));
                }
                let rest_at = title_at + title.find(rest).unwrap_or(0);
                match oscola::parse_locator(rest) {
                    Ok(Locator::Provision(p)) => {
                        self.check_provision(i, &p, rest_at..rest_at + rest.len());
                        Some(CalloutTarget::Provision(i, Some(p)))
                    }
                    Ok(_) => {
                        self.diags.push(
                            Diagnostic::error("bad-locator", format!("`{rest}` is not a provision"))
                                .at(self.file, rest_at..rest_at + rest.len())
                                .hint("name a provision: s 1, art 2, reg 3, r 54.5, sch 1, para 3"),
                        );
                        None
                    }
                    Err(e) => {
                        self.diags.push(
                            Diagnostic::error("bad-locator", e.message)
                                .at(self.file, rest_at + e.span.start..rest_at + e.span.end.max(e.span.start + 1))
                                .maybe_hint(e.hint),
                        );
                        None
                    }
                }
            }
            (CalloutKind::Case, Authority::Instrument(_)) => {
                self.diags.push(
                    Diagnostic::error("callout-target-kind", format!("`{id}` is legislation, not a case"))
                        .at(self.file, id_span)
                        .hint(format!("use `> [!statute] {id} …` for a provision")),
                );
                None
            }
            _ => {
                self.diags.push(
                    Diagnostic::error("callout-target-kind", format!("`{id}` is a case, not legislation"))
                        .at(self.file, id_span)
                        .hint(format!("use `> [!case] {id}` for a case")),
                );
                None
            }
        }
    }

    fn lookup_id(&mut self, id: &str, span: Range<usize>) -> Option<Authority> {
        if let Some(a) = self.lookup.ids.get(id) {
            return Some(*a);
        }
        let hint = match nearest(id, self.lookup.ids.keys().map(String::as_str)) {
            Some(n) => format!("did you mean `{n}`?"),
            None => "add a file cases/<id>.md or legislation/<id>.md with that id".to_owned(),
        };
        self.diags.push(
            Diagnostic::error("unknown-citation", format!("no case or legislation has the id `{id}`"))
                .at(self.file, span)
                .label("unknown id")
                .hint(hint),
        );
        None
    }

    fn check_provision(&mut self, inst: crate::model::InstrumentIdx, p: &oscola::Provision, span: Range<usize>) {
        let base = p.base_label();
        let have = &self.lookup.provisions[inst.0];
        if !have.iter().any(|h| *h == base) {
            let id = self.lookup.ids.iter().find(|(_, a)| **a == Authority::Instrument(inst)).map(|(k, _)| k.as_str()).unwrap_or("");
            let hint = if have.is_empty() {
                format!("legislation/{id}.md has no provisions; add a `## {base} …` section")
            } else {
                format!("legislation/{id}.md has: {}", have.join(", "))
            };
            self.diags.push(
                Diagnostic::error("unknown-provision", format!("`{id}` has no provision `{base}`"))
                    .at(self.file, span)
                    .label("not in the instrument")
                    .hint(hint),
            );
        }
    }

    /// Emits the pending text run, with citations cut out of it.
    fn flush_text(&mut self) {
        if self.text.is_empty() {
            return;
        }
        let run = std::mem::take(&mut self.text);
        let mut last = 0;
        for found in cite::find(&run.text) {
            if run.escaped_at(found.range.start, self.source) {
                continue;
            }
            if found.range.start > last {
                self.push(Event::Text(run.text[last..found.range.start].to_owned()));
            }
            last = found.range.end;
            let span = run.source_range(found.range.clone(), self.source);
            match found.items {
                Err((msg, r)) => {
                    self.diags.push(
                        Diagnostic::error("malformed-citation", msg)
                            .at(self.file, run.source_range(r, self.source))
                            .hint("write [@id], [@id, [14]], [@id, s 1(1)] or [@a; @b]"),
                    );
                    self.push(Event::Text(run.text[found.range].to_owned()));
                }
                Ok(items) => {
                    let mut resolved = Vec::new();
                    for item in items {
                        let id_span = run.source_range(item.id_range.clone(), self.source);
                        let Some(authority) = self.lookup_id(&item.id, id_span) else { continue };
                        let locator = match &item.locator {
                            None => None,
                            Some((text, r)) => {
                                let loc_span = run.source_range(r.clone(), self.source);
                                self.locator(authority, &item.id, text, loc_span)
                            }
                        };
                        resolved.push(CiteItem { authority, locator, text: Vec::new(), note: None, anchor: String::new() });
                    }
                    if resolved.is_empty() {
                        self.push(Event::Text(run.text[found.range].to_owned()));
                    } else {
                        self.push(Event::Cite(Box::new(Citation { items: resolved, footnote: None, span: self.span(span) })));
                    }
                }
            }
        }
        if last < run.text.len() {
            self.push(Event::Text(run.text[last..].to_owned()));
        }
    }

    fn locator(&mut self, authority: Authority, id: &str, text: &str, span: Range<usize>) -> Option<Locator> {
        match oscola::parse_locator(text) {
            Err(e) => {
                let s = span.start + e.span.start.min(text.len());
                let end = (span.start + e.span.end).min(span.end).max(s);
                self.diags.push(Diagnostic::error("bad-locator", e.message).at(self.file, s..end).maybe_hint(e.hint));
                None
            }
            Ok(Locator::Provision(p)) => match authority {
                Authority::Instrument(i) => {
                    self.check_provision(i, &p, span);
                    Some(Locator::Provision(p))
                }
                Authority::Case(_) => {
                    self.diags.push(
                        Diagnostic::error("bad-locator", format!("`{id}` is a case: it has paragraphs and pages, not provisions"))
                            .at(self.file, span)
                            .hint("pinpoint a paragraph as [14] or a page as 580"),
                    );
                    None
                }
            },
            Ok(loc) => match authority {
                Authority::Case(_) => Some(loc),
                Authority::Instrument(_) => {
                    self.diags.push(
                        Diagnostic::error("bad-locator", format!("`{id}` is legislation: cite a provision"))
                            .at(self.file, span)
                            .hint("write a provision such as s 1(1), art 2(4), reg 3, r 54.5, sch 1 or para 3"),
                    );
                    None
                }
            },
        }
    }

    /// The target of a link, or `None` (the text prints without a link) after
    /// a diagnostic.
    fn link_target(&mut self, dest: &str, range: Range<usize>) -> Option<LinkTarget> {
        if let Some(scheme) = url::scheme(dest) {
            if url::refused(&scheme) {
                self.diags.push(
                    Diagnostic::error("bad-link", format!("links with the scheme `{scheme}:` are not allowed"))
                        .at(self.file, range)
                        .hint("link to a web or mail address, or to another chapter's .md file"),
                );
                return None;
            }
            return match url::external(dest) {
                Ok(href) => Some(LinkTarget::External(href)),
                Err(why) => {
                    self.diags.push(
                        Diagnostic::warning("invalid-url", format!("`{dest}` is not a valid URL: {why}"))
                            .at(self.file, range)
                            .label("printed as text, without a link")
                            .hint("check the address; write it as it appears in a browser's address bar"),
                    );
                    None
                }
            };
        }
        let (path, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(sanitize_id(&url::decode(f)))),
            None => (dest, None),
        };
        let path = url::decode(path);
        if path.is_empty() {
            let this = crate::diag::display_path(self.lookup.root, self.file_path);
            self.out.chapter_links.push((this.clone(), fragment.clone(), self.span(range)));
            return Some(LinkTarget::ChapterFile { path: this, fragment });
        }
        let base = self.file_path.parent().unwrap_or(self.lookup.root);
        let Some(abs) = join_inside(self.lookup.root, base, &path) else {
            self.diags.push(
                Diagnostic::error("path-outside-workspace", format!("link `{dest}` leaves the workspace"))
                    .at(self.file, range)
                    .hint("link to chapters inside the workspace"),
            );
            return None;
        };
        if !path.ends_with(".md") {
            self.diags.push(
                Diagnostic::error("bad-link", format!("link `{dest}` is neither a web address nor a chapter"))
                    .at(self.file, range)
                    .hint("books cannot carry arbitrary files: link to a chapter's .md file or to a web address"),
            );
            return None;
        }
        let rel = crate::diag::display_path(self.lookup.root, &abs);
        self.out.chapter_links.push((rel.clone(), fragment.clone(), self.span(range)));
        Some(LinkTarget::ChapterFile { path: rel, fragment })
    }

    fn image(&mut self, dest: String, title: String, alt: String, span: Range<usize>) {
        let base = self.file_path.parent().unwrap_or(self.lookup.root);
        let lower = dest.to_ascii_lowercase();
        if lower.starts_with("http:") || lower.starts_with("https:") || lower.starts_with("data:") {
            self.diags.push(
                Diagnostic::error("remote-image", "images must be files in the workspace")
                    .at(self.file, span)
                    .hint("casebook never reaches the network: download the image into the workspace"),
            );
            return;
        }
        let Some(abs) = join_inside(self.lookup.root, base, &dest) else {
            self.diags.push(
                Diagnostic::error("path-outside-workspace", format!("image `{dest}` is outside the workspace"))
                    .at(self.file, span)
                    .label("outside the workspace")
                    .hint("images must stay inside the folder that holds casebook.toml"),
            );
            return;
        };
        let ext = abs.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        if !matches!(ext.as_str(), "png" | "jpg" | "jpeg" | "gif" | "svg") {
            self.diags.push(
                Diagnostic::error("image-format", format!("image `{dest}` is not PNG, JPEG, GIF or SVG"))
                    .at(self.file, span)
                    .hint("convert it to PNG, JPEG, GIF or SVG"),
            );
            return;
        }
        let inside = abs.canonicalize().ok().is_some_and(|r| r.starts_with(self.lookup.root));
        if !abs.is_file() || !inside {
            self.diags.push(
                Diagnostic::error("missing-image", format!("image `{dest}` does not exist"))
                    .at(self.file, span)
                    .label("no such file")
                    .hint("paths are relative to this Markdown file"),
            );
            return;
        }
        let alt = alt.trim().to_owned();
        if alt.is_empty() {
            self.diags.push(
                Diagnostic::warning("missing-alt-text", "image has no alt text")
                    .at(self.file, span.clone())
                    .hint("describe the image for readers who cannot see it: ![The court hierarchy](…)"),
            );
        }
        let path = crate::diag::display_path(self.lookup.root, &abs);
        let span = self.span(span);
        self.push(Event::Image(Box::new(Image { alt, title: (!title.is_empty()).then_some(title), path, abs_path: abs, span })));
    }

    fn diagram(&mut self, run: TextRun, span: Range<usize>) {
        match crate::diagram::parse(&run.text) {
            Ok(graph) => {
                self.diagrams += 1;
                if graph.description.as_deref().is_none_or(|d| d.trim().is_empty()) {
                    self.diags.push(
                        Diagnostic::warning("diagram-alt-text", "flowchart has no `accDescr:` alt text")
                            .at(self.file, span.start..span.start + self.source[span.clone()].find('\n').unwrap_or(0))
                            .hint("add a line `accDescr: what the diagram shows` for readers who cannot see it"),
                    );
                }
                let title = graph.title.clone();
                let alt = graph.description.clone();
                self.push(Event::Diagram(Box::new(Diagram { graph, title, alt, number: 0, span: self.span(span) })));
            }
            Err(errors) => {
                for e in errors {
                    let r = run.source_range(e.span.clone(), self.source);
                    self.diags.push(
                        Diagnostic::error("diagram-syntax", e.message)
                            .at(self.file, r)
                            .maybe_hint(e.hint),
                    );
                }
            }
        }
    }
}

/// Wraps each `rule` callout and the `exception` callouts that follow it
/// (siblings, nothing in between) in a `RulePanel`.
pub fn group_rule_panels(events: &mut Vec<Event>) {
    let mut out = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        if is_callout(&events[i], CalloutKind::Rule) {
            let mut end = matching_end(events, i);
            let mut n = 0;
            while end + 1 < events.len() && is_callout(&events[end + 1], CalloutKind::Exception) {
                end = matching_end(events, end + 1);
                n += 1;
            }
            if n > 0 {
                out.push(Event::Start(Tag::RulePanel));
                out.extend(events[i..=end].iter().cloned());
                out.push(Event::End);
                i = end + 1;
                continue;
            }
        }
        out.push(events[i].clone());
        i += 1;
    }
    *events = out;
}

fn is_callout(e: &Event, kind: CalloutKind) -> bool {
    matches!(e, Event::Start(Tag::Callout(c)) if c.kind == kind)
}

