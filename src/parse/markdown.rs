//! The one place that sets pulldown-cmark's options (spec section 2), and the
//! parse of a Markdown body into events with file-relative byte ranges.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser};

/// CommonMark with GFM tables, strikethrough, footnotes, definition lists,
/// smart punctuation, heading ids and GFM alerts. Math and metadata blocks are
/// off: a `$` is a dollar sign and `+++` is only front matter at the top.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// Parses `body`, which starts at byte `offset` of its file, into events whose
/// ranges are file-relative.
pub fn events(body: &str, offset: usize) -> Vec<(Event<'_>, Range<usize>)> {
    Parser::new_ext(body, options())
        .into_offset_iter()
        .map(|(e, r)| (e, r.start + offset..r.end + offset))
        .collect()
}

/// Markdown events with their file-relative byte ranges, owned.
pub type MdEvents = Vec<(Event<'static>, Range<usize>)>;
