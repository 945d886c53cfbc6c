//! Anki flashcards (`<id>.anki.txt`): Anki's plain-text import format
//! (<https://docs.ankiweb.net/importing/text-files.html>), one note of the
//! stock `Basic` note type per case the guide cites and per key term it uses.
//!
//! The file opens with Anki's file headers, so that File > Import (or the
//! backend's `get_csv_metadata` + `import_csv`) needs no choices:
//!
//! ```text
//! #separator:tab
//! #html:true
//! #notetype:Basic
//! #columns:GUID<TAB>Deck<TAB>Tags<TAB>Front<TAB>Back
//! #guid column:1
//! #deck column:2
//! #tags column:3
//! ```
//!
//! then one line per note, five tab-separated columns:
//!
//! - **GUID**: [`note_guid`], stable across editions and guides, so a
//!   student who imports the next edition (or a second guide that cites the
//!   same case) gets the existing note updated, never a duplicate. It comes
//!   first so that no line can start with `#`, which Anki reads as a comment.
//! - **Deck**: `<guide title>::Cases` or `<guide title>::Key terms`.
//! - **Tags**, separated by spaces: for a case, its `subjects`; for both
//!   kinds, `<guide id>::<chapter slug>` (`criminal-law::ch02-actus-reus`)
//!   for every chapter that cites the case, or lists the term among its key
//!   terms or defines it with a `definition` callout. Anki tags cannot hold
//!   spaces: every run of whitespace in a tag becomes one `_`
//!   (`duty of care` → `duty_of_care`), and `"` and control characters are
//!   dropped ([`tag`]).
//! - **Front**: a case's name (italic) and OSCOLA citation, as the editions
//!   print a case's first full citation ([`oscola::case_full`]); a term.
//! - **Back**: a case's Principle, Held and Key quote (when it has one),
//!   each under its heading in bold; a term's definition.
//!
//! Cases come in the order of their first citation in the guide (a `case`
//! callout counts as a citation), then the terms alphabetically.
//!
//! Fields are HTML (`#html:true`): text is escaped (`&`, `<`, `>`, `"`), so
//! `<script>` in a source prints as text; emphasis is `<i>`/`<b>`,
//! paragraphs are joined with `<br><br>`, lists and tables are HTML lists and
//! tables. No field ever holds a raw tab, line feed or carriage return (they
//! become spaces, or `<br>` in a code block). A field that holds a `"` (only
//! ever inside an attribute such as a link's `href`, since text quotes are
//! `&quot;`) is written quoted, with its quotes doubled, as Anki's reader
//! (a standard CSV reader) expects. Links to other chapters mean nothing in
//! Anki: they print their text only; links to the web keep their address.
//! Citations print their OSCOLA text; images and diagrams, which a text
//! import cannot carry, print their alt text or caption in brackets.
//!
//! What a student sees on import (Anki 26.9.3, checked by `tests/anki.rs`):
//! Anki matches notes by GUID and, by default, updates the ones it has. An
//! updated note takes the fields and the tags of the file imported last; its
//! card stays in the deck it was first imported into. So the next edition
//! updates the notes in place, and a case cited by two guides is one note,
//! in the deck of the guide imported first, tagged with the chapters of the
//! guide imported last.
//!
//! The output is a pure function of the sources: the same bytes on every build.

use std::collections::BTreeSet;

use uuid::Uuid;

use crate::model::{Authority, CaseIdx, CaseSectionKind, CalloutKind, Citation, Corpus, Event, Guide, LinkTarget, Tag, TermIdx};
use crate::oscola::{self, Locator, Run, Style};

/// The namespace of the UUID v5 note GUIDs. Never change it: every note a
/// student has imported would come in again as a new note.
pub const GUID_NAMESPACE: Uuid = Uuid::from_u128(0x3a9e_61c2_5d0b_4f7e_8c14_b2d9_07e5_a6f3);

/// The header lines, in the order Anki's reader wants them (the separator
/// before the column labels it splits).
pub const HEADER: &str = "#separator:tab\n#html:true\n#notetype:Basic\n#columns:GUID\tDeck\tTags\tFront\tBack\n#guid column:1\n#deck column:2\n#tags column:3\n";

/// The deck of the case notes under the guide's title.
pub const CASES_DECK: &str = "Cases";

/// The deck of the key-term notes under the guide's title.
pub const TERMS_DECK: &str = "Key terms";

/// What a note is about, for its GUID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteKey<'a> {
    /// A case, by its id (the file stem: `donoghue-v-stevenson`).
    Case(&'a str),
    /// A key term, by its name (matched case-insensitively, as the glossary
    /// matches terms).
    Term(&'a str),
}

/// The GUID of a note: the UUID v5, in [`GUID_NAMESPACE`], of the name
/// `<publisher>\ncase:<case id>` or `<publisher>\nterm:<term name in lower
/// case, whitespace collapsed>`, printed in the usual hyphenated form. The
/// publisher is `casebook.toml`'s, trimmed (empty when there is none).
///
/// It depends on nothing else, not the guide nor the edition: the same case
/// in two guides of one publisher is one note, and an edited case keeps its
/// GUID, so importing the next edition updates the note. Renaming a case's
/// file, a term, or the publisher makes new notes.
pub fn note_guid(publisher: Option<&str>, key: NoteKey<'_>) -> String {
    let publisher = publisher.map(str::trim).unwrap_or("");
    let name = match key {
        NoteKey::Case(id) => format!("{publisher}\ncase:{id}"),
        NoteKey::Term(term) => format!("{publisher}\nterm:{}", term.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()),
    };
    Uuid::new_v5(&GUID_NAMESPACE, name.as_bytes()).hyphenated().to_string()
}

/// The guide's flashcards in Anki's text import format.
pub fn anki_text(corpus: &Corpus, guide: &Guide, publisher: Option<&str>) -> String {
    let mut out = String::with_capacity(4096 + 2048 * guide.citations.len());
    out.push_str(HEADER);
    let title = match one_line(&guide.title) {
        t if t.is_empty() => guide.id.clone(),
        t => t,
    };
    let case_deck = format!("{title}::{CASES_DECK}");
    let term_deck = format!("{title}::{TERMS_DECK}");

    for c in cases_in_order(guide) {
        let case = corpus.case(c);
        let mut tags = Tags::default();
        for s in &case.subjects {
            tags.push(tag(s));
        }
        for ch in guide.chapters.iter().filter(|ch| ch.key_cases.contains(&c)) {
            tags.push(chapter_tag(guide, &ch.slug));
        }
        let front = runs_html(&oscola::case_full(&case.info, None));
        let mut back = String::new();
        for kind in [CaseSectionKind::Principle, CaseSectionKind::Held, CaseSectionKind::KeyQuote] {
            for s in case.sections.iter().filter(|s| s.kind == kind) {
                if !back.is_empty() {
                    back.push_str("<br><br>");
                }
                back.push_str("<b>");
                back.push_str(kind.heading());
                back.push_str("</b><br>");
                back.push_str(&html(corpus, &s.body));
            }
        }
        row(&mut out, [&note_guid(publisher, NoteKey::Case(&case.id)), &case_deck, &tags.joined(), &front, &back]);
    }

    let defined_in: Vec<BTreeSet<TermIdx>> = guide.chapters.iter().map(|ch| chapter_terms(&ch.key_terms, &ch.body)).collect();
    for &t in &guide.terms {
        let term = corpus.term(t);
        let mut tags = Tags::default();
        for (ch, terms) in guide.chapters.iter().zip(&defined_in) {
            if terms.contains(&t) {
                tags.push(chapter_tag(guide, &ch.slug));
            }
        }
        let mut front = String::new();
        escape_into(&mut front, term.name.trim());
        let back = html(corpus, &term.definition);
        row(&mut out, [&note_guid(publisher, NoteKey::Term(&term.name)), &term_deck, &tags.joined(), &front, &back]);
    }
    out
}

/// The cases the guide cites, in the order of their first citation (each
/// chapter's cases are in that order already; a `case` callout counts).
pub fn cases_in_order(guide: &Guide) -> Vec<CaseIdx> {
    let mut seen = BTreeSet::new();
    let mut v: Vec<CaseIdx> = guide.chapters.iter().flat_map(|ch| ch.key_cases.iter().copied()).filter(|c| seen.insert(*c)).collect();
    // Every case of the table of cases has a note, whatever the chapters say.
    for c in guide.cases_cited() {
        if seen.insert(c) {
            v.push(c);
        }
    }
    v
}

/// The terms a chapter lists among its key terms or defines in a
/// `definition` callout.
fn chapter_terms(key_terms: &[TermIdx], body: &[Event]) -> BTreeSet<TermIdx> {
    let mut set: BTreeSet<TermIdx> = key_terms.iter().copied().collect();
    for e in body {
        if let Event::Start(Tag::Callout(c)) = e {
            if let (CalloutKind::Definition, Some(t)) = (c.kind, c.term) {
                set.insert(t);
            }
        }
    }
    set
}

/// A chapter's tag: `<guide id>::<chapter slug>`.
fn chapter_tag(guide: &Guide, slug: &str) -> String {
    format!("{}::{}", tag(&guide.id), tag(slug))
}

/// `text` as an Anki tag: every run of whitespace becomes one `_` (Anki
/// separates tags with spaces), `"` and control characters are dropped (Anki
/// refuses them), and the ends are trimmed. May be empty.
pub fn tag(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.trim().chars() {
        if c.is_whitespace() {
            gap = true;
        } else if c == '"' || c.is_control() {
            continue;
        } else {
            if gap && !s.is_empty() {
                s.push('_');
            }
            gap = false;
            s.push(c);
        }
    }
    s
}

/// A note's tags, in order, without empty ones or repeats (Anki compares
/// tags without regard to case).
#[derive(Default)]
struct Tags(Vec<String>);

impl Tags {
    fn push(&mut self, t: String) {
        if !t.is_empty() && !self.0.iter().any(|x| x.to_lowercase() == t.to_lowercase()) {
            self.0.push(t);
        }
    }

    fn joined(&self) -> String {
        self.0.join(" ")
    }
}

/// `text` on one line for a plain (non-HTML) column: control characters and
/// runs of whitespace become one space, trimmed.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Appends one note: the fields, separated by tabs, and a line feed.
fn row(out: &mut String, fields: [&str; 5]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        field_into(out, f);
    }
    out.push('\n');
}

/// Appends a field. Tabs, line feeds and carriage returns cannot end up in
/// it (a space stands in for each, should one slip through); a field that
/// holds `"` is quoted with its quotes doubled (RFC 4180, as Anki reads it).
fn field_into(out: &mut String, f: &str) {
    let clean = |c: char| if matches!(c, '\t' | '\n' | '\r') { ' ' } else { c };
    if f.contains('"') {
        out.push('"');
        for c in f.chars().map(clean) {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    } else {
        out.extend(f.chars().map(clean));
    }
}

/// Appends `s` as HTML text: `&`, `<`, `>` and `"` escaped; tabs and line
/// breaks become spaces; other control characters are dropped.
pub fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

/// Formatted runs (an OSCOLA citation) as HTML, italic runs in `<i>`.
fn runs_html(runs: &[Run]) -> String {
    let mut s = String::new();
    for r in runs {
        match r.style {
            Style::Italic => {
                s.push_str("<i>");
                escape_into(&mut s, &r.text);
                s.push_str("</i>");
            }
            Style::Roman => escape_into(&mut s, &r.text),
        }
    }
    s
}

/// A run of events as the HTML of one field.
fn html(corpus: &Corpus, events: &[Event]) -> String {
    let mut w = Html { corpus, out: String::new(), sep: false, stack: Vec::new(), head: false, code: false };
    w.run(events);
    w.out
}

/// What closes an open container, and what follows it.
#[derive(Clone, Copy)]
enum Close {
    /// A paragraph-like block: the next one is set off by a blank line.
    Block(&'static str),
    /// A block HTML sets off itself (a list, a table, a quotation).
    Container(&'static str),
    /// Inline markup.
    Inline(&'static str),
    /// A table's header row.
    Head,
    /// A code block.
    Code,
}

/// The small HTML writer of the fields: paragraphs joined by `<br><br>`, no
/// links but to the web, no ids, nothing that needs a stylesheet.
struct Html<'a> {
    corpus: &'a Corpus,
    out: String,
    /// A paragraph-like block ended: the next one starts with `<br><br>`.
    sep: bool,
    stack: Vec<Close>,
    /// Inside a table's header row.
    head: bool,
    /// Inside a code block.
    code: bool,
}

impl Html<'_> {
    fn run(&mut self, events: &[Event]) {
        for e in events {
            match e {
                Event::Start(tag) => self.start(tag),
                Event::End => self.end(),
                Event::Text(t) => {
                    if self.code {
                        // Lines kept apart, tabs as four spaces (`<pre>` keeps them).
                        for (i, line) in t.split('\n').enumerate() {
                            if i > 0 {
                                self.out.push_str("<br>");
                            }
                            escape_into(&mut self.out, &line.replace('\t', "    "));
                        }
                    } else {
                        escape_into(&mut self.out, t);
                    }
                }
                Event::Code(t) => {
                    self.out.push_str("<code>");
                    escape_into(&mut self.out, t);
                    self.out.push_str("</code>");
                }
                Event::SoftBreak => self.out.push(' '),
                Event::HardBreak => self.out.push_str("<br>"),
                Event::Rule => {
                    self.out.push_str("<hr>");
                    self.sep = false;
                }
                Event::FootnoteRef { number, .. } => self.out.push_str(&format!("<sup>{number}</sup>")),
                Event::Cite(c) => self.cite(c),
                Event::Image(img) => {
                    let what = if img.alt.trim().is_empty() { img.path.as_str() } else { img.alt.as_str() };
                    self.out.push_str("[Image: ");
                    escape_into(&mut self.out, what.trim());
                    self.out.push(']');
                }
                Event::Diagram(d) => {
                    self.block();
                    let what = d.title.as_deref().or(d.alt.as_deref()).map(str::trim).unwrap_or("");
                    self.out.push_str("[Figure");
                    if !what.is_empty() {
                        self.out.push_str(": ");
                        escape_into(&mut self.out, what);
                    }
                    self.out.push(']');
                    self.sep = true;
                }
            }
        }
        // Unbalanced input (never from the resolver) still closes every tag.
        while !self.stack.is_empty() {
            self.end();
        }
    }

    /// Starts a paragraph-like block.
    fn block(&mut self) {
        if self.sep {
            self.out.push_str("<br><br>");
        }
        self.sep = false;
    }

    fn open(&mut self, markup: &str, close: Close) {
        self.out.push_str(markup);
        self.stack.push(close);
    }

    fn start(&mut self, tag: &Tag) {
        match tag {
            Tag::Paragraph => {
                self.block();
                self.stack.push(Close::Block(""));
            }
            Tag::Heading { .. } => {
                self.block();
                self.open("<b>", Close::Block("</b>"));
            }
            Tag::Callout(c) => {
                self.block();
                let title = if c.title.trim().is_empty() { c.kind.default_title() } else { c.title.trim() };
                self.out.push_str("<b>");
                escape_into(&mut self.out, title);
                self.out.push_str("</b><br>");
                self.stack.push(Close::Block(""));
            }
            Tag::FootnoteDefinition { number, .. } => {
                self.block();
                self.out.push_str(&format!("<sup>{number}</sup> "));
                self.stack.push(Close::Block(""));
            }
            Tag::CodeBlock { .. } => {
                self.sep = false;
                self.code = true;
                self.open("<pre><code>", Close::Code);
            }
            Tag::BlockQuote => self.container("<blockquote>", "</blockquote>"),
            Tag::RulePanel => self.container("", ""),
            Tag::List(None) => self.container("<ul>", "</ul>"),
            Tag::List(Some(1)) => self.container("<ol>", "</ol>"),
            Tag::List(Some(n)) => {
                self.sep = false;
                self.open(&format!("<ol start=\"{n}\">"), Close::Container("</ol>"));
            }
            Tag::Item => self.container("<li>", "</li>"),
            Tag::Table(_) => self.container("<table>", "</table>"),
            Tag::TableHead => {
                self.head = true;
                self.open("<tr>", Close::Head);
            }
            Tag::TableRow => self.container("<tr>", "</tr>"),
            Tag::TableCell if self.head => self.container("<th>", "</th>"),
            Tag::TableCell => self.container("<td>", "</td>"),
            Tag::DefinitionList => self.container("<dl>", "</dl>"),
            Tag::DefinitionTerm => self.container("<dt>", "</dt>"),
            Tag::DefinitionDetails => self.container("<dd>", "</dd>"),
            Tag::Emphasis => self.open("<i>", Close::Inline("</i>")),
            Tag::Strong => self.open("<b>", Close::Inline("</b>")),
            Tag::Strikethrough => self.open("<s>", Close::Inline("</s>")),
            Tag::Link(LinkTarget::External(url)) => {
                let mut a = String::from("<a href=\"");
                escape_into(&mut a, url);
                a.push_str("\">");
                self.open(&a, Close::Inline("</a>"));
            }
            // A chapter or a heading of the guide: its text only.
            Tag::Link(_) => self.stack.push(Close::Inline("")),
        }
    }

    fn container(&mut self, open: &str, close: &'static str) {
        self.sep = false;
        self.open(open, Close::Container(close));
    }

    fn end(&mut self) {
        match self.stack.pop() {
            Some(Close::Block(s)) => {
                self.out.push_str(s);
                self.sep = true;
            }
            Some(Close::Container(s)) => {
                self.out.push_str(s);
                self.sep = false;
            }
            Some(Close::Inline(s)) => self.out.push_str(s),
            Some(Close::Head) => {
                self.out.push_str("</tr>");
                self.head = false;
                self.sep = false;
            }
            Some(Close::Code) => {
                // The block's last line feed ends its last line; it is not an empty line.
                if self.out.ends_with("<br>") {
                    self.out.truncate(self.out.len() - "<br>".len());
                }
                self.out.push_str("</code></pre>");
                self.code = false;
                self.sep = false;
            }
            None => {}
        }
    }

    /// A citation: the text the guide gave it, or (in a case summary or a
    /// definition, which no guide resolves) the full OSCOLA form.
    fn cite(&mut self, c: &Citation) {
        let mut first = true;
        for item in &c.items {
            let full;
            let runs: &[Run] = if item.text.is_empty() {
                let provision = match &item.locator {
                    Some(Locator::Provision(p)) => Some(p),
                    _ => None,
                };
                full = match item.authority {
                    Authority::Case(k) => oscola::case_full(&self.corpus.case(k).info, item.locator.as_ref()),
                    Authority::Instrument(i) => oscola::instrument_full(&self.corpus.instrument(i).info, provision),
                };
                &full
            } else {
                &item.text
            };
            if runs.is_empty() {
                continue;
            }
            if !first {
                self.out.push_str("; ");
            }
            first = false;
            self.out.push_str(&runs_html(runs));
        }
    }
}

#[cfg(test)]
mod tests;
