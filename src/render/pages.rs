//! The print edition's pages, as the EPUB carries them (page-break markers and
//! a page list): what both backends agree on.
//!
//! Both backends walk the guide in the same reading order. The places where a
//! printed page may begin are named by [`Place`]: the title page, the
//! contents, each entry of the tables of authorities, each chapter's title,
//! each block of its body (see [`block_places`]), its Key cases table and its
//! end-of-chapter summaries, each summary of the appendix, each glossary
//! entry. The Typst backend marks every place in the generated markup and
//! reads back, after layout, the page each place landed on
//! ([`PrintPages::from_marks`]); the EPUB backend writes, at each place, the
//! markers of the pages that begin there ([`PageCursor`]).
//!
//! The granularity is the block: a page-break marker sits before the first
//! block (paragraph, list item, heading, callout, table, summary, table or
//! glossary entry) that starts on that page. A page on which no block starts
//! (the rest of a long paragraph or table) gets its marker right before the
//! next page's, so the marker before any block is the page the block starts on.

use std::collections::BTreeMap;
use std::fmt;

use crate::model::{Event, Tag};

/// A place in the guide where a printed page may begin, in reading order
/// (the derived order is the order of the book: variants and fields compare
/// as the book runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Place {
    /// The title page.
    TitlePage,
    /// The contents.
    Contents,
    /// Entry `k` of the table of cases.
    CaseTable(usize),
    /// Instrument `k` of the table of legislation (counted across its groups).
    LegislationTable(usize),
    /// A place in chapter `i`.
    Chapter(usize, ChapterPlace),
    /// Summary `k` of the appendix of case summaries.
    Appendix(usize),
    /// Entry `k` of the glossary.
    Glossary(usize),
    /// After everything (pages at the very end on which nothing starts).
    End,
}

/// A place inside one chapter, in reading order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChapterPlace {
    /// The chapter's title (with its Key terms box).
    Title,
    /// The block opened by the chapter body's event at this index.
    Block(usize),
    /// The Key cases table.
    KeyCases,
    /// End-of-chapter summary `k`.
    Summary(usize),
}

impl fmt::Display for Place {
    /// The place as a short key (`ch:2:b:17`), which the typesetter carries
    /// through layout and [`Place::parse`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::TitlePage => f.write_str("title"),
            Place::Contents => f.write_str("contents"),
            Place::CaseTable(k) => write!(f, "tc:{k}"),
            Place::LegislationTable(k) => write!(f, "tl:{k}"),
            Place::Chapter(i, ChapterPlace::Title) => write!(f, "ch:{i}:t"),
            Place::Chapter(i, ChapterPlace::Block(e)) => write!(f, "ch:{i}:b:{e}"),
            Place::Chapter(i, ChapterPlace::KeyCases) => write!(f, "ch:{i}:k"),
            Place::Chapter(i, ChapterPlace::Summary(k)) => write!(f, "ch:{i}:s:{k}"),
            Place::Appendix(k) => write!(f, "ap:{k}"),
            Place::Glossary(k) => write!(f, "gl:{k}"),
            Place::End => f.write_str("end"),
        }
    }
}

impl Place {
    /// Reads a key written by `Display`; `None` for anything else (a
    /// template's own metadata under the same label, say).
    pub fn parse(key: &str) -> Option<Place> {
        let parts: Vec<&str> = key.split(':').collect();
        let n = |s: &str| s.parse::<usize>().ok();
        Some(match parts.as_slice() {
            ["title"] => Place::TitlePage,
            ["contents"] => Place::Contents,
            ["tc", k] => Place::CaseTable(n(k)?),
            ["tl", k] => Place::LegislationTable(n(k)?),
            ["ch", i, "t"] => Place::Chapter(n(i)?, ChapterPlace::Title),
            ["ch", i, "b", e] => Place::Chapter(n(i)?, ChapterPlace::Block(n(e)?)),
            ["ch", i, "k"] => Place::Chapter(n(i)?, ChapterPlace::KeyCases),
            ["ch", i, "s", k] => Place::Chapter(n(i)?, ChapterPlace::Summary(n(k)?)),
            ["ap", k] => Place::Appendix(n(k)?),
            ["gl", k] => Place::Glossary(n(k)?),
            ["end"] => Place::End,
            _ => return None,
        })
    }
}

/// How a block place is marked, which both backends must agree on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockMark {
    /// Before the block's element (a paragraph, a heading, a callout…).
    Before,
    /// At the start of its content (a list item: nothing may stand between
    /// list items).
    Inside,
}

/// The events of a chapter body that open a block a printed page may begin
/// with, and how each is marked: every block at the top level, and the
/// paragraphs, list items and nested blocks of block quotes, callouts, rule
/// panels and lists. Nothing inside headings, tables, definition lists, code
/// or footnotes: those are marked as a whole, or (footnotes) printed apart.
pub fn block_places(body: &[Event]) -> BTreeMap<usize, BlockMark> {
    let mut out = BTreeMap::new();
    // Each open container: whether it lets its children be marked, and
    // whether it is a list (only items may stand in a list).
    let mut open: Vec<(bool, bool)> = Vec::new();
    for (i, e) in body.iter().enumerate() {
        match e {
            Event::Start(tag) => {
                let markable = open.iter().all(|&(m, _)| m);
                let parent_is_list = open.last().is_some_and(|&(_, list)| list);
                let is_block = matches!(
                    tag,
                    Tag::Paragraph
                        | Tag::Heading { .. }
                        | Tag::BlockQuote
                        | Tag::Callout(_)
                        | Tag::RulePanel
                        | Tag::CodeBlock { .. }
                        | Tag::List(_)
                        | Tag::Table(_)
                        | Tag::DefinitionList
                );
                if markable {
                    if matches!(tag, Tag::Item) {
                        out.insert(i, BlockMark::Inside);
                    } else if is_block && !parent_is_list {
                        out.insert(i, BlockMark::Before);
                    }
                }
                let lets_children = matches!(tag, Tag::BlockQuote | Tag::Callout(_) | Tag::RulePanel | Tag::List(_) | Tag::Item);
                open.push((lets_children, matches!(tag, Tag::List(_))));
            }
            Event::End => {
                open.pop();
            }
            _ => {}
        }
    }
    out
}

/// One printed page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintPage {
    /// Its printed label (`iii`, `47`), as the PDF's page labels give it.
    pub label: String,
    /// The place its marker goes before: the first place that starts on it,
    /// or, when none does, the first place of a later page.
    pub at: Place,
}

/// The print edition's pages, in order, each with the place where it begins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrintPages {
    /// The labelled pages of the PDF, in page order (unlabelled pages, such
    /// as the cover, are left out).
    pub pages: Vec<PrintPage>,
    /// What the pages come from (the PDF's file name), for the EPUB's
    /// `pageBreakSource`.
    pub source: String,
}

impl PrintPages {
    /// Builds the map from what the typesetter read back: each page's label
    /// (`None` for an unlabelled page) and every mark as `(page index, place)`.
    pub fn from_marks(labels: &[Option<String>], marks: &[(usize, Place)], source: &str) -> PrintPages {
        let mut first: BTreeMap<usize, Place> = BTreeMap::new();
        for (page, place) in marks {
            first.entry(*page).and_modify(|p| *p = (*p).min(*place)).or_insert(*place);
        }
        let mut pages = Vec::new();
        let mut pending: Vec<String> = Vec::new();
        for (index, label) in labels.iter().enumerate() {
            if let Some(l) = label {
                pending.push(l.clone());
            }
            if let Some(place) = first.get(&index) {
                pages.extend(pending.drain(..).map(|label| PrintPage { label, at: *place }));
            }
        }
        pages.extend(pending.into_iter().map(|label| PrintPage { label, at: Place::End }));
        // A page whose first place comes before an earlier page's in reading
        // order (content the EPUB orders differently) goes with the later one,
        // so the markers stay in page order.
        let mut floor = Place::TitlePage;
        for p in &mut pages {
            if p.at < floor {
                p.at = floor;
            }
            floor = p.at;
        }
        PrintPages { pages, source: source.to_owned() }
    }
}

/// A page marker the EPUB wrote: its label, the document and the id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// The printed label.
    pub label: String,
    /// The content document it is in.
    pub file: String,
    /// Its id there.
    pub id: String,
}

/// Walks the pages as the EPUB writes the book: at each place, hands out the
/// labels of the pages that begin there (and of any before it not yet
/// written), and records where their markers went.
#[derive(Debug, Default)]
pub struct PageCursor {
    pages: Vec<PrintPage>,
    next: usize,
    /// Markers written so far, in order.
    pub written: Vec<Marker>,
}

impl PageCursor {
    /// A cursor at the start of the book.
    pub fn new(pages: &PrintPages) -> PageCursor {
        PageCursor { pages: pages.pages.clone(), next: 0, written: Vec::new() }
    }

    /// The labels of the pages whose markers go before `place` and are not
    /// written yet.
    pub fn take(&mut self, place: Place) -> Vec<String> {
        let mut out = Vec::new();
        while self.next < self.pages.len() && self.pages[self.next].at <= place {
            out.push(self.pages[self.next].label.clone());
            self.next += 1;
        }
        out
    }

    /// Records a marker written.
    pub fn wrote(&mut self, label: String, file: &str, id: String) {
        self.written.push(Marker { label, file: file.to_owned(), id });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        let places = [
            Place::TitlePage,
            Place::Contents,
            Place::CaseTable(3),
            Place::LegislationTable(0),
            Place::Chapter(2, ChapterPlace::Title),
            Place::Chapter(2, ChapterPlace::Block(17)),
            Place::Chapter(2, ChapterPlace::KeyCases),
            Place::Chapter(2, ChapterPlace::Summary(4)),
            Place::Appendix(9),
            Place::Glossary(1),
            Place::End,
        ];
        for p in places {
            assert_eq!(Place::parse(&p.to_string()), Some(p), "{p}");
        }
        // And the derived order is the book's.
        assert!(places.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(Place::parse("ch:x:t"), None);
        assert_eq!(Place::parse("body-start"), None);
    }

    #[test]
    fn pages_without_a_place_go_with_the_next_page() {
        let labels = [None, Some("i".into()), Some("ii".into()), Some("1".into()), Some("2".into()), Some("3".into()), Some("4".into())];
        let b = |e| Place::Chapter(0, ChapterPlace::Block(e));
        // The cover (0) has no label; "i" has the title; "ii" nothing; page 2
        // is the rest of a long paragraph; page 4 is blank at the end.
        let marks = [(1, Place::TitlePage), (3, b(4)), (3, b(1)), (5, b(9))];
        let pages = PrintPages::from_marks(&labels, &marks, "g.pdf");
        let got: Vec<(&str, Place)> = pages.pages.iter().map(|p| (p.label.as_str(), p.at)).collect();
        assert_eq!(
            got,
            [("i", Place::TitlePage), ("ii", b(1)), ("1", b(1)), ("2", b(9)), ("3", b(9)), ("4", Place::End)]
        );
        let mut cursor = PageCursor::new(&pages);
        assert_eq!(cursor.take(Place::TitlePage), ["i"]);
        assert!(cursor.take(Place::Contents).is_empty());
        assert_eq!(cursor.take(b(1)), ["ii", "1"]);
        assert!(cursor.take(b(4)).is_empty());
        assert_eq!(cursor.take(b(12)), ["2", "3"]);
        assert_eq!(cursor.take(Place::End), ["4"]);
    }

    #[test]
    fn list_items_are_marked_inside_and_tables_as_a_whole() {
        use crate::model::Event::*;
        let body = vec![
            Start(Tag::Paragraph),
            Text("a".into()),
            End,
            Start(Tag::List(None)),
            Start(Tag::Item),
            Text("b".into()),
            End,
            Start(Tag::Item),
            Start(Tag::Paragraph),
            Text("c".into()),
            End,
            End,
            End,
            Start(Tag::Table(vec![])),
            Start(Tag::TableRow),
            Start(Tag::TableCell),
            Start(Tag::Paragraph),
            End,
            End,
            End,
            End,
        ];
        let places = block_places(&body);
        let got: Vec<(usize, BlockMark)> = places.into_iter().collect();
        assert_eq!(
            got,
            [(0, BlockMark::Before), (3, BlockMark::Before), (4, BlockMark::Inside), (7, BlockMark::Inside), (8, BlockMark::Before), (13, BlockMark::Before)]
        );
    }
}
