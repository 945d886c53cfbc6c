//! The event writer: resolved model events in, XHTML5 (XML syntax) out, plus
//! the shell every content document shares.
//!
//! A small state machine in the style of pulldown-cmark's `html.rs`: `run`
//! walks the events, `start` opens an element and pushes what closes it,
//! `end` pops. Everything the sources say is escaped (`escape.rs`): raw HTML
//! reached the model as text and prints literally.
//!
//! One writer renders one body: a chapter (`Mode::Chapter`: headings mapped by
//! its [`HeadingPlan`], citations carrying their anchors, footnotes collected
//! and printed as EPUB 3 footnotes at the end) or a piece embedded in
//! generated matter (`Mode::Embedded`: a case section, a provision, a
//! definition; headings at a fixed level or as paragraphs, no anchors).

use std::collections::{BTreeMap, BTreeSet};
use std::mem;

use super::escape::{attr, attr_into, text_into, url_part};
use super::{Cx, HeadingPlan, Resources};
use crate::model::{
    Align, Authority, Callout, CalloutKind, CalloutTarget, Citation, Event, LinkTarget, Tag,
};
use crate::oscola::{self, Locator, Run, Style};
use crate::render::pages::{BlockMark, ChapterPlace, Place};

/// The state of one output document: the ids already used, so that no id is
/// ever written twice (EPUBCheck RSC-005).
#[derive(Debug, Default)]
pub(crate) struct Doc {
    ids: BTreeSet<String>,
    counter: usize,
}

impl Doc {
    /// A new document.
    pub fn new() -> Self {
        Doc::default()
    }

    /// Claims `id`: true the first time, false if the document already has it.
    pub fn claim(&mut self, id: &str) -> bool {
        if self.ids.contains(id) {
            return false;
        }
        self.ids.insert(id.to_owned());
        true
    }

    /// A fresh id starting with `base`, unused in this document.
    pub fn fresh(&mut self, base: &str) -> String {
        loop {
            self.counter += 1;
            let id = format!("{base}{}", self.counter);
            if self.claim(&id) {
                return id;
            }
        }
    }
}

/// How a body is rendered.
pub(crate) enum Mode<'p> {
    /// A chapter's own body.
    Chapter {
        /// Its index in the guide.
        chapter: usize,
        /// Heading levels.
        headings: &'p HeadingPlan,
    },
    /// A body embedded in generated matter. `heading`: the XHTML level of any
    /// heading inside (`None`: headings become bold paragraphs).
    Embedded { heading: Option<u8> },
}

/// What closes an open element.
enum Open {
    /// Write this.
    Close(&'static str),
    /// Write this.
    CloseOwned(String),
    /// A footnote definition: its body is collected apart.
    Note { saved: String, number: u32, id: String },
    /// A callout; `case`/`statute` append their other part before closing.
    Callout { callout: Callout, close: &'static str },
    /// A table.
    Table,
    /// The header row of a table.
    TableHead,
    /// A body row.
    TableRow,
    /// A cell.
    TableCell { close: &'static str },
}

struct TableState {
    aligns: Vec<Align>,
    in_head: bool,
    body_open: bool,
    col: usize,
    /// The header row's first cell is empty: a two-way table whose first
    /// column holds row headers.
    row_headers: bool,
}

/// A collected footnote.
struct Note {
    id: String,
    number: u32,
    html: String,
}

/// Renders model events to XHTML.
pub(crate) struct Writer<'w, 'a> {
    cx: &'w Cx<'a>,
    res: &'w mut Resources,
    doc: &'w mut Doc,
    mode: Mode<'w>,
    /// The output.
    pub out: String,
    stack: Vec<Open>,
    tables: Vec<TableState>,
    notes: BTreeMap<u32, Note>,
    /// Ids of the references to each note number (the first is the back-link target).
    note_refs: BTreeMap<u32, Vec<String>>,
    /// Embedded bodies number their own notes (the model gives them 0).
    local_notes: BTreeMap<String, u32>,
    note_prefix: String,
    /// Whether the event after the current one closes it (an empty element).
    next_is_end: bool,
}

impl<'w, 'a> Writer<'w, 'a> {
    /// A writer for one body.
    pub fn new(cx: &'w Cx<'a>, res: &'w mut Resources, doc: &'w mut Doc, mode: Mode<'w>) -> Self {
        let note_prefix = match mode {
            Mode::Chapter { .. } => "fn_".to_owned(),
            Mode::Embedded { .. } => doc.fresh("n") + "_fn_",
        };
        Writer {
            cx,
            res,
            doc,
            mode,
            out: String::new(),
            stack: Vec::new(),
            tables: Vec::new(),
            notes: BTreeMap::new(),
            note_refs: BTreeMap::new(),
            local_notes: BTreeMap::new(),
            note_prefix,
            next_is_end: false,
        }
    }

    /// Renders `events` (a balanced sequence) into [`Writer::out`].
    pub fn run(&mut self, events: &[Event]) {
        let skip = match &self.mode {
            Mode::Chapter { headings, .. } => headings.dropped.as_ref().map(|d| (d.0, d.1)),
            Mode::Embedded { .. } => None,
        };
        // Where the print edition's pages begin (a chapter's own body only).
        let marks = match &self.mode {
            Mode::Chapter { chapter, .. } if self.cx.has_print_pages() => Some((*chapter, crate::render::pages::block_places(events))),
            _ => None,
        };
        for (i, e) in events.iter().enumerate() {
            if skip.is_some_and(|(a, b)| i >= a && i <= b) {
                continue;
            }
            self.next_is_end = matches!(events.get(i + 1), Some(Event::End));
            let mark = marks.as_ref().and_then(|(chapter, places)| places.get(&i).map(|m| (*chapter, *m)));
            match mark {
                Some((chapter, how)) => {
                    let file = self.cx.plan.chapter_files[chapter].clone();
                    let markers = self.cx.page_markers(Place::Chapter(chapter, ChapterPlace::Block(i)), &file, self.doc);
                    match how {
                        BlockMark::Before => {
                            self.out.push_str(&markers);
                            self.event(e);
                        }
                        BlockMark::Inside => {
                            self.event(e);
                            self.out.push_str(&markers);
                        }
                    }
                }
                None => self.event(e),
            }
        }
        while !self.stack.is_empty() {
            self.end();
        }
    }

    /// The footnotes collected, as EPUB 3 footnotes, in number order; empty if none.
    pub fn take_notes(&mut self) -> String {
        let mut s = String::new();
        // A reference whose note never came (cannot happen with the resolver's
        // numbering, but a dangling link would make the book invalid) gets an
        // empty note.
        let missing: Vec<u32> = self.note_refs.keys().filter(|n| !self.notes.contains_key(n)).copied().collect();
        for n in missing {
            let id = format!("{}{n}", self.note_prefix);
            self.notes.insert(n, Note { id, number: n, html: String::new() });
        }
        for (number, note) in mem::take(&mut self.notes) {
            s.push_str("<aside epub:type=\"footnote\" role=\"doc-footnote\" class=\"footnote\" id=\"");
            attr_into(&mut s, &note.id);
            s.push_str("\">");
            let back = self.note_refs.get(&number).and_then(|r| r.first()).map(|id| {
                format!("<a class=\"fn-back\" role=\"doc-backlink\" href=\"#{}\">{}</a> ", attr(id), note.number)
            });
            let label = back.unwrap_or_else(|| format!("<span class=\"fn-back\">{}</span> ", note.number));
            // The number opens the note's first paragraph when it has one.
            if let Some(rest) = note.html.strip_prefix("<p>") {
                s.push_str("<p>");
                s.push_str(&label);
                s.push_str(rest);
            } else {
                s.push_str("<p>");
                s.push_str(&label);
                s.push_str("</p>");
                s.push_str(&note.html);
            }
            s.push_str("</aside>\n");
        }
        s
    }

    fn event(&mut self, e: &Event) {
        match e {
            Event::Start(tag) => self.start(tag),
            Event::End => self.end(),
            Event::Text(t) => text_into(&mut self.out, t),
            Event::Code(c) => {
                self.out.push_str("<code>");
                text_into(&mut self.out, c);
                self.out.push_str("</code>");
            }
            Event::SoftBreak => self.out.push('\n'),
            Event::HardBreak => self.out.push_str("<br/>\n"),
            Event::Rule => self.out.push_str("<hr/>\n"),
            Event::FootnoteRef { label, number } => {
                let (number, id) = self.note_target(label, *number);
                self.noteref(number, &id);
            }
            Event::Cite(c) => self.cite(c),
            Event::Image(img) => {
                let href = self.res.image(img);
                self.out.push_str("<img src=\"");
                attr_into(&mut self.out, &url_part(&href));
                self.out.push_str("\" alt=\"");
                attr_into(&mut self.out, &img.alt);
                self.out.push('"');
                if let Some(t) = &img.title {
                    self.out.push_str(" title=\"");
                    attr_into(&mut self.out, t);
                    self.out.push('"');
                }
                self.out.push_str("/>");
            }
            Event::Diagram(d) => {
                let alt = diagram_alt(d);
                let href = self.res.diagram(d, alt.clone());
                self.out.push_str("<figure class=\"diagram\"><img src=\"");
                attr_into(&mut self.out, &url_part(&href));
                self.out.push_str("\" alt=\"");
                attr_into(&mut self.out, &alt);
                self.out.push_str("\"/>");
                if let Some(t) = d.title.as_deref().filter(|t| !t.trim().is_empty()) {
                    self.out.push_str("<figcaption>");
                    text_into(&mut self.out, &crate::render::figure_caption(d.number, t));
                    self.out.push_str("</figcaption>");
                }
                self.out.push_str("</figure>\n");
            }
        }
    }

    fn start(&mut self, tag: &Tag) {
        let open = match tag {
            Tag::Paragraph => {
                self.out.push_str("<p>");
                Open::Close("</p>\n")
            }
            Tag::Heading { level, id } => self.heading(*level, id),
            Tag::BlockQuote => {
                self.out.push_str("<blockquote>\n");
                Open::Close("</blockquote>\n")
            }
            Tag::Callout(c) => self.callout_start(c),
            Tag::RulePanel => {
                self.out.push_str("<section class=\"rule-panel\">\n<p class=\"panel-title\">");
                text_into(&mut self.out, crate::render::RULE_PANEL_LABEL);
                self.out.push_str("</p>\n");
                Open::Close("</section>\n")
            }
            Tag::CodeBlock { lang } => {
                self.out.push_str("<pre><code");
                if let Some(l) = lang.as_deref().filter(|l| !l.is_empty()) {
                    self.out.push_str(" class=\"language-");
                    attr_into(&mut self.out, &super::anchor_part(l));
                    self.out.push('"');
                }
                self.out.push('>');
                Open::Close("</code></pre>\n")
            }
            Tag::List(None) => {
                self.out.push_str("<ul>\n");
                Open::Close("</ul>\n")
            }
            Tag::List(Some(start)) => {
                if *start == 1 {
                    self.out.push_str("<ol>\n");
                } else {
                    self.out.push_str(&format!("<ol start=\"{start}\">\n"));
                }
                Open::Close("</ol>\n")
            }
            Tag::Item => {
                self.out.push_str("<li>");
                Open::Close("</li>\n")
            }
            Tag::FootnoteDefinition { label, number } => {
                let (number, id) = self.note_target(label, *number);
                let saved = mem::take(&mut self.out);
                Open::Note { saved, number, id }
            }
            Tag::Table(aligns) => {
                let class = if aligns.len() >= 4 { "table-wrap wide" } else { "table-wrap" };
                self.out.push_str(&format!("<div class=\"{class}\"><table>\n"));
                self.tables.push(TableState { aligns: aligns.clone(), in_head: false, body_open: false, col: 0, row_headers: false });
                Open::Table
            }
            Tag::TableHead => {
                self.out.push_str("<thead><tr>");
                if let Some(t) = self.tables.last_mut() {
                    t.in_head = true;
                    t.col = 0;
                }
                Open::TableHead
            }
            Tag::TableRow => {
                if let Some(t) = self.tables.last_mut() {
                    if !t.body_open {
                        t.body_open = true;
                        self.out.push_str("<tbody>\n");
                    }
                    t.col = 0;
                }
                self.out.push_str("<tr>");
                Open::TableRow
            }
            Tag::TableCell => {
                let empty = self.next_is_end;
                let (head, row_header, align) = match self.tables.last_mut() {
                    Some(t) => {
                        let a = t.aligns.get(t.col).copied().unwrap_or(Align::None);
                        if t.in_head && t.col == 0 && empty {
                            t.row_headers = true;
                        }
                        let row_header = !t.in_head && t.col == 0 && t.row_headers;
                        t.col += 1;
                        (t.in_head, row_header, a)
                    }
                    None => (false, false, Align::None),
                };
                let class = match align {
                    Align::None => "",
                    Align::Left => " class=\"al-left\"",
                    Align::Center => " class=\"al-center\"",
                    Align::Right => " class=\"al-right\"",
                };
                // An empty header cell (the corner of a two-way table) is a data
                // cell: a header must name something.
                if head && !empty {
                    self.out.push_str(&format!("<th scope=\"col\"{class}>"));
                    Open::TableCell { close: "</th>" }
                } else if row_header {
                    self.out.push_str(&format!("<th scope=\"row\"{class}>"));
                    Open::TableCell { close: "</th>" }
                } else {
                    self.out.push_str(&format!("<td{class}>"));
                    Open::TableCell { close: "</td>" }
                }
            }
            Tag::Emphasis => {
                self.out.push_str("<em>");
                Open::Close("</em>")
            }
            Tag::Strong => {
                self.out.push_str("<strong>");
                Open::Close("</strong>")
            }
            Tag::Strikethrough => {
                self.out.push_str("<del>");
                Open::Close("</del>")
            }
            Tag::Link(target) => {
                let href = match target {
                    // Checked and percent-encoded in the model.
                    LinkTarget::External(url) => url.clone(),
                    LinkTarget::ChapterFile { .. } => String::new(),
                    LinkTarget::Chapter { chapter, fragment } => {
                        let plan = self.cx.plan;
                        let file = plan.chapter_files.get(*chapter).cloned().unwrap_or_default();
                        // A fragment naming a heading the chapter no longer prints (its
                        // title heading, printed as the chapter title) links to the chapter.
                        match fragment {
                            Some(f) if plan.heading_ids.get(*chapter).is_some_and(|ids| ids.contains(f)) => {
                                format!("{file}#{}", url_part(f))
                            }
                            _ => file,
                        }
                    }
                };
                if href.is_empty() {
                    self.out.push_str("<span>");
                    Open::Close("</span>")
                } else {
                    let external = matches!(target, LinkTarget::External(_));
                    self.out.push_str(if external { "<a class=\"ext\" href=\"" } else { "<a href=\"" });
                    attr_into(&mut self.out, &href);
                    self.out.push_str("\">");
                    Open::Close("</a>")
                }
            }
            Tag::DefinitionList => {
                self.out.push_str("<dl>\n");
                Open::Close("</dl>\n")
            }
            Tag::DefinitionTerm => {
                self.out.push_str("<dt>");
                Open::Close("</dt>\n")
            }
            Tag::DefinitionDetails => {
                self.out.push_str("<dd>");
                Open::Close("</dd>\n")
            }
        };
        self.stack.push(open);
    }

    fn end(&mut self) {
        let Some(open) = self.stack.pop() else { return };
        match open {
            Open::Close(s) => self.out.push_str(s),
            Open::CloseOwned(s) => self.out.push_str(&s),
            Open::Note { saved, number, id } => {
                let html = mem::replace(&mut self.out, saved);
                self.notes.entry(number).or_insert(Note { id, number, html });
            }
            Open::Callout { callout, close } => {
                self.out.push_str("</div>\n");
                self.callout_beside(&callout);
                self.out.push_str(close);
            }
            Open::Table => {
                if let Some(t) = self.tables.pop() {
                    if t.body_open {
                        self.out.push_str("</tbody>\n");
                    }
                }
                self.out.push_str("</table></div>\n");
            }
            Open::TableHead => {
                self.out.push_str("</tr></thead>\n");
                if let Some(t) = self.tables.last_mut() {
                    t.in_head = false;
                }
            }
            Open::TableRow => self.out.push_str("</tr>\n"),
            Open::TableCell { close } => self.out.push_str(close),
        }
    }

    fn heading(&mut self, level: u8, id: &str) -> Open {
        let (level, with_id) = match &self.mode {
            Mode::Chapter { headings, .. } => (headings.levels.get(id).copied().unwrap_or(level.clamp(2, 6)), true),
            Mode::Embedded { heading: Some(l) } => (*l, false),
            Mode::Embedded { heading: None } => {
                self.out.push_str("<p class=\"subhead\"><strong>");
                return Open::Close("</strong></p>\n");
            }
        };
        let level = level.clamp(1, 6);
        self.out.push_str(&format!("<h{level}"));
        if with_id && !id.is_empty() && self.doc.claim(id) {
            self.out.push_str(" id=\"");
            attr_into(&mut self.out, id);
            self.out.push('"');
        }
        self.out.push('>');
        Open::CloseOwned(format!("</h{level}>\n"))
    }

    // -- callouts ---------------------------------------------------------

    fn callout_start(&mut self, c: &Callout) -> Open {
        let (element, role) = callout_element(c.kind);
        let close = if element == "aside" { "</aside>\n" } else { "</section>\n" };
        self.out.push('<');
        self.out.push_str(element);
        self.out.push_str(" class=\"callout c-");
        self.out.push_str(c.kind.name());
        self.out.push('"');
        if let Some(r) = role {
            self.out.push_str(" role=\"");
            self.out.push_str(r);
            self.out.push('"');
        }
        // The first block showing a case or provision is what citations link to.
        if let (Mode::Chapter { chapter, .. }, Some(target)) = (&self.mode, &c.target) {
            let planned = match target {
                CalloutTarget::Case(k) => self.cx.plan.case_callout.get(k),
                CalloutTarget::Provision(i, p) => self.cx.plan.statute_callout.get(&(*i, p.as_ref().map(|p| p.base_label()))),
            };
            if let Some((ch, id)) = planned {
                if ch == chapter && self.doc.claim(id) {
                    self.out.push_str(" id=\"");
                    attr_into(&mut self.out, id);
                    self.out.push('"');
                }
            }
        }
        self.out.push_str(">\n");
        // A case or statute block is a place the authority is cited: the
        // tables of authorities link back to this anchor.
        if let (Mode::Chapter { .. }, Some(anchor)) = (&self.mode, &c.anchor) {
            if self.doc.claim(anchor) {
                self.out.push_str("<span class=\"cite\" id=\"");
                attr_into(&mut self.out, anchor);
                self.out.push_str("\"></span>");
            }
        }
        if c.target.is_none() {
            self.callout_title(c);
        }
        self.out.push_str("<div class=\"callout-body\">\n");
        if c.target.is_some() {
            // The concept first, then the case or provision beside it (titled
            // there), in the order print reads them.
            self.out.push_str("<p class=\"concept-label\">");
            text_into(&mut self.out, crate::render::CONCEPT_LABEL);
            self.out.push_str("</p>\n");
        }
        Open::Callout { callout: c.clone(), close }
    }

    /// The title line of a callout: its label and its own title.
    fn callout_title(&mut self, c: &Callout) {
        self.out.push_str("<p class=\"callout-title\"><span class=\"callout-label\">");
        let label = match (c.kind, c.step) {
            (CalloutKind::Step, Some(n)) => format!("Step {n}"),
            (k, _) => k.default_title().to_owned(),
        };
        text_into(&mut self.out, &label);
        self.out.push_str("</span>");
        let name = self.callout_name(c);
        if !name.is_empty() {
            self.out.push_str("<span class=\"sep\">: </span><span class=\"callout-name\">");
            self.out.push_str(&name);
            self.out.push_str("</span>");
        }
        self.out.push_str("</p>\n");
    }

    /// The callout's own title as XHTML (empty when it has none).
    fn callout_name(&self, c: &Callout) -> String {
        let corpus = self.cx.corpus;
        match (&c.target, c.kind) {
            // A case or statute block names its authority, linked to the table entry.
            (Some(CalloutTarget::Case(k)), _) => {
                let name = runs_html(&oscola::case_full(&corpus.case(*k).info, None));
                link_to(self.cx.plan.table_href(Authority::Case(*k), None), name)
            }
            (Some(CalloutTarget::Provision(i, p)), _) => {
                let name = runs_html(&oscola::instrument_in_text(&corpus.instrument(*i).info, p.as_ref(), true));
                link_to(self.cx.plan.table_href(Authority::Instrument(*i), p.as_ref()), name)
            }
            (None, CalloutKind::Definition) => {
                let mut s = String::from("<dfn>");
                match c.term.and_then(|t| self.cx.plan.term_href(corpus, t)) {
                    Some(href) => {
                        s.push_str("<a href=\"");
                        attr_into(&mut s, &href);
                        s.push_str("\">");
                        text_into(&mut s, c.title.trim());
                        s.push_str("</a>");
                    }
                    None => text_into(&mut s, c.title.trim()),
                }
                s.push_str("</dfn>");
                s
            }
            // A case or statute callout whose target did not resolve shows its title as written.
            _ => {
                let t = c.title.trim();
                if t.is_empty() || t.eq_ignore_ascii_case(c.kind.default_title()) {
                    String::new()
                } else {
                    super::escape::text(t)
                }
            }
        }
    }

    /// The other part of a `case` or `statute` callout, stacked under the body.
    fn callout_beside(&mut self, c: &Callout) {
        let corpus = self.cx.corpus;
        match &c.target {
            Some(CalloutTarget::Case(k)) => {
                let case = corpus.case(*k);
                self.out.push_str("<div class=\"beside\">\n");
                self.callout_title(c);
                let summary_elsewhere = self.cx.plan.summary_href.get(k).cloned();
                for s in crate::render::aside_sections(self.cx.guide, case) {
                    self.out.push_str("<p class=\"beside-title\">");
                    text_into(&mut self.out, s.kind.heading());
                    self.out.push_str("</p>\n");
                    let html = self.embedded(&s.body, None);
                    self.out.push_str(&html);
                }
                if let Some(href) = summary_elsewhere {
                    self.out.push_str("<p class=\"more\"><a href=\"");
                    attr_into(&mut self.out, &href);
                    self.out.push_str("\">");
                    text_into(&mut self.out, crate::render::FULL_SUMMARY_LEAD);
                    self.out.push_str(&runs_html(&[Run { text: case.info.name.clone(), style: Style::Italic }]));
                    self.out.push_str("</a></p>\n");
                }
                self.out.push_str("</div>\n");
            }
            Some(CalloutTarget::Provision(i, p)) => {
                let inst = corpus.instrument(*i);
                self.out.push_str("<div class=\"beside\">\n");
                self.callout_title(c);
                let provisions: Vec<&crate::model::ProvisionText> = match p {
                    Some(p) => inst.provision(&p.base_label()).into_iter().collect(),
                    None => inst.provisions.iter().collect(),
                };
                for pt in provisions {
                    self.out.push_str("<p class=\"beside-title\">");
                    text_into(&mut self.out, &pt.provision.base_label());
                    if !pt.heading.trim().is_empty() {
                        self.out.push(' ');
                        text_into(&mut self.out, pt.heading.trim());
                    }
                    self.out.push_str("</p>\n<div class=\"provision-text\">\n");
                    let html = self.embedded(&pt.body, None);
                    self.out.push_str(&html);
                    self.out.push_str("</div>\n");
                }
                self.out.push_str("</div>\n");
            }
            None => {}
        }
    }

    /// Renders a body embedded in this document (with its own notes after it).
    pub fn embedded(&mut self, events: &[Event], heading: Option<u8>) -> String {
        let mut w = Writer::new(self.cx, self.res, self.doc, Mode::Embedded { heading });
        w.run(events);
        let notes = w.take_notes();
        let mut s = w.out;
        if !notes.is_empty() {
            s.push_str("<div class=\"footnotes\">\n");
            s.push_str(&notes);
            s.push_str("</div>\n");
        }
        s
    }

    // -- footnotes --------------------------------------------------------

    /// The number shown and the id of a user footnote.
    fn note_target(&mut self, label: &str, number: u32) -> (u32, String) {
        let number = match self.mode {
            Mode::Chapter { .. } if number > 0 => number,
            _ => {
                let next = self.local_notes.len() as u32 + 1;
                *self.local_notes.entry(label.to_owned()).or_insert(next)
            }
        };
        (number, format!("{}{number}", self.note_prefix))
    }

    fn noteref(&mut self, number: u32, note_id: &str) {
        let refs = self.note_refs.entry(number).or_default();
        let base = format!("{}ref_{number}", self.note_prefix);
        let id = if refs.is_empty() { base.clone() } else { format!("{base}_{}", refs.len() + 1) };
        let id = if self.doc.claim(&id) { id } else { self.doc.fresh(&format!("{base}_")) };
        refs.push(id.clone());
        self.out.push_str("<a epub:type=\"noteref\" role=\"doc-noteref\" class=\"noteref\" id=\"");
        attr_into(&mut self.out, &id);
        self.out.push_str("\" href=\"#");
        attr_into(&mut self.out, note_id);
        self.out.push_str(&format!("\">{number}</a>"));
    }

    // -- citations --------------------------------------------------------

    fn cite(&mut self, c: &Citation) {
        let corpus = self.cx.corpus;
        let plan = self.cx.plan;
        let mut first = true;
        let mut note_parts: Vec<String> = Vec::new();
        for item in &c.items {
            let provision = match &item.locator {
                Some(Locator::Provision(p)) => Some(p),
                _ => None,
            };
            let table = plan.table_href(item.authority, provision);
            let text_target = plan.text_href(item.authority, provision);
            // Text runs are empty only in bodies the guide did not resolve (a
            // citation inside a case summary or a definition): print the full form.
            let fallback;
            let runs: &[Run] = if item.text.is_empty() && item.note.is_none() {
                fallback = match item.authority {
                    Authority::Case(k) => oscola::case_full(&corpus.case(k).info, item.locator.as_ref()),
                    Authority::Instrument(i) => oscola::instrument_full(&corpus.instrument(i).info, provision),
                };
                &fallback
            } else {
                &item.text
            };
            if runs.is_empty() {
                // Nothing stands in the text, but the tables still link here.
                if matches!(self.mode, Mode::Chapter { .. }) && !item.anchor.is_empty() && self.doc.claim(&item.anchor) {
                    self.out.push_str(&format!("<span class=\"cite\" id=\"{}\"></span>", attr(&item.anchor)));
                }
            } else {
                if !first {
                    self.out.push_str("; ");
                }
                first = false;
                let primary = text_target.clone().or_else(|| table.clone());
                let with_id = matches!(self.mode, Mode::Chapter { .. }) && !item.anchor.is_empty() && self.doc.claim(&item.anchor);
                match &primary {
                    Some(href) => {
                        self.out.push_str("<a class=\"cite\"");
                        if with_id {
                            self.out.push_str(&format!(" id=\"{}\"", attr(&item.anchor)));
                        }
                        self.out.push_str(" href=\"");
                        attr_into(&mut self.out, href);
                        self.out.push_str("\">");
                        self.out.push_str(&runs_html(runs));
                        self.out.push_str("</a>");
                    }
                    None => {
                        self.out.push_str("<span class=\"cite\"");
                        if with_id {
                            self.out.push_str(&format!(" id=\"{}\"", attr(&item.anchor)));
                        }
                        self.out.push('>');
                        self.out.push_str(&runs_html(runs));
                        self.out.push_str("</span>");
                    }
                }
            }
            if let (Some(_), Some(note)) = (c.footnote, &item.note) {
                let html = runs_html(note);
                note_parts.push(match &table {
                    Some(t) => format!("<a class=\"cite\" href=\"{}\">{html}</a>", attr(t)),
                    None => html,
                });
            }
        }
        if let Some(n) = c.footnote {
            if !note_parts.is_empty() {
                let id = format!("{}{n}", self.note_prefix);
                self.noteref(n, &id);
                let mut html = String::from("<p>");
                html.push_str(&note_parts.join("; "));
                html.push_str(".</p>");
                self.notes.entry(n).or_insert(Note { id, number: n, html });
            }
        }
    }
}

/// The element and ARIA role of a callout kind: asides for advice beside the
/// argument, sections for what is part of it.
fn callout_element(kind: CalloutKind) -> (&'static str, Option<&'static str>) {
    match kind {
        CalloutKind::Tip | CalloutKind::ExamTip | CalloutKind::ExtraMarks => ("aside", Some("doc-tip")),
        CalloutKind::Note | CalloutKind::Important | CalloutKind::Warning | CalloutKind::Caution | CalloutKind::Pitfall => {
            ("aside", Some("note"))
        }
        CalloutKind::Example => ("section", Some("doc-example")),
        CalloutKind::Definition
        | CalloutKind::Rule
        | CalloutKind::Exception
        | CalloutKind::Summary
        | CalloutKind::Checklist
        | CalloutKind::Question
        | CalloutKind::AnswerPlan
        | CalloutKind::Step
        | CalloutKind::Case
        | CalloutKind::Statute => ("section", None),
    }
}

/// The alt text of a diagram: its `accDescr`, else its title, else its nodes.
pub(crate) fn diagram_alt(d: &crate::model::Diagram) -> String {
    if let Some(a) = d.alt.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        return a.to_owned();
    }
    if let Some(t) = d.title.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        return format!("Flowchart: {t}");
    }
    let labels: Vec<String> = d.graph.nodes.iter().map(|n| n.label.replace('\n', " ")).collect();
    format!("Flowchart: {}", labels.join(", "))
}

/// Formatted runs as XHTML: italic runs in `<i>` (case names are titles, not emphasis).
pub(crate) fn runs_html(runs: &[Run]) -> String {
    let mut s = String::new();
    for r in runs {
        match r.style {
            Style::Italic => {
                s.push_str("<i>");
                text_into(&mut s, &r.text);
                s.push_str("</i>");
            }
            Style::Roman => text_into(&mut s, &r.text),
        }
    }
    s
}

/// `html` inside a link to `href`, or as it is when there is none.
pub(crate) fn link_to(href: Option<String>, html: String) -> String {
    match href {
        Some(h) => format!("<a href=\"{}\">{html}</a>", attr(&h)),
        None => html,
    }
}

/// A complete XHTML content document.
pub(crate) fn document(lang: &str, title: &str, body: &str) -> String {
    let mut s = String::with_capacity(body.len() + 512);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" lang=\"");
    attr_into(&mut s, lang);
    s.push_str("\" xml:lang=\"");
    attr_into(&mut s, lang);
    s.push_str("\">\n<head>\n<meta charset=\"UTF-8\"/>\n<title>");
    text_into(&mut s, title);
    s.push_str("</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"");
    s.push_str(super::CSS_FILE);
    s.push_str("\"/>\n</head>\n<body>\n");
    s.push_str(body);
    s.push_str("</body>\n</html>\n");
    s
}
