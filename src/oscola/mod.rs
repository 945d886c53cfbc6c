//! OSCOLA (4th edition) citation rules for casebook: section 5 of the source format.
//!
//! This module owns everything about how legal authorities are written by authors and
//! printed in the guides:
//!
//! - parsing a case's `citation` front-matter string ([`parse_citation`]), a pinpoint
//!   after the id in `[@id, locator]` ([`parse_locator`]) and the provision label that
//!   opens a legislation section heading ([`parse_provision_heading`]);
//! - printing cases and instruments as formatted [`Runs`] (full, short, footnote and
//!   table-of-cases forms), with the ordering keys for the tables of cases and
//!   legislation;
//! - the footnote bookkeeping for `citations = "footnotes"` ([`FootnoteTracker`]: full,
//!   `ibid`, `Short (n X)`);
//! - the section-5 lints on case front matter ([`lint_case`]).
//!
//! It is pure: no I/O, no global state, deterministic output, and no input makes it
//! panic. Every span it returns is a byte range, on character boundaries, within the
//! string it was given, so the caller can add the string's own offset in its file.
//!
//! Decisions taken where the spec is silent are written on the item they concern.

mod citation;
mod footnote;
mod lint;
mod locator;
mod print;

#[cfg(test)]
mod tests;

use std::fmt;
use std::ops::Range;

pub use citation::{parse_citation, NeutralCitation, ParsedCitation, Report};
pub use footnote::{Cited, FootnoteForm, FootnoteTracker};
pub use lint::{lint_case, Lint, LintField};
pub use locator::{
    parse_locator, parse_provision_heading, provision_sort_key, Locator, Pinpoint, Provision,
    ProvisionKey, ProvisionKind,
};
pub use print::{
    case_full, case_in_footnote, case_short, case_sort_key, case_table_entry, case_table_name,
    instrument_full, instrument_in_footnote, instrument_in_text, instrument_short, instrument_sort_key,
    instrument_table_entry, legislation_group, CaseInfo, InstrumentInfo, InstrumentKind,
    LegislationGroup,
};

/// A calendar date as written in front matter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// The year, e.g. 1948.
    pub year: i32,
    /// The month, 1 to 12.
    pub month: u8,
    /// The day of the month, 1 to 31.
    pub day: u8,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Date {
    /// A checked date: `None` unless `month` is 1 to 12 and `day` exists in that month
    /// (proleptic Gregorian calendar, so 29 February only in leap years).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        if day == 0 || day > days {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// The date as OSCOLA prints it: day without a leading zero, month in full, year:
    /// `10 December 1948`. A month outside 1 to 12 (only possible for a `Date` built
    /// by hand) prints as its number rather than panicking.
    pub fn long(&self) -> String {
        match MONTHS.get(usize::from(self.month).wrapping_sub(1)) {
            Some(m) => format!("{} {} {}", self.day, m, self.year),
            None => format!("{} {} {}", self.day, self.month, self.year),
        }
    }

    /// ISO 8601 form, `1948-12-10`.
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The style of a [`Run`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Style {
    /// Upright text.
    Roman,
    /// Italic text (case names in running text and footnotes).
    Italic,
}

/// A piece of formatted text; renderers map Italic to emphasis. Adjacent runs of one
/// style are merged; no empty runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// The text, printed literally (never interpreted as markup).
    pub text: String,
    /// Its style.
    pub style: Style,
}

/// A sequence of [`Run`]s, as returned by every printing function here.
pub type Runs = Vec<Run>;

/// The concatenated text of `runs`, styles dropped.
pub fn plain(runs: &[Run]) -> String {
    runs.iter().map(|r| r.text.as_str()).collect()
}

/// `runs` with the first character of the text upper-cased (`ibid` -> `Ibid` when it
/// opens a footnote). Runs are otherwise unchanged; merging and no-empty-run
/// invariants are kept.
pub fn capitalise_first(runs: &[Run]) -> Runs {
    let mut b = RunsBuilder::default();
    let mut done = false;
    for r in runs {
        if !done && !r.text.is_empty() {
            done = true;
            let mut chars = r.text.chars();
            let mut text: String = chars
                .next()
                .map(|c| c.to_uppercase().collect())
                .unwrap_or_default();
            text.push_str(chars.as_str());
            b.push(&text, r.style);
        } else {
            b.push(&r.text, r.style);
        }
    }
    b.finish()
}

/// Builds [`Runs`], merging adjacent runs of one style and dropping empty text.
#[derive(Default)]
pub(crate) struct RunsBuilder(Runs);

impl RunsBuilder {
    pub(crate) fn push(&mut self, text: &str, style: Style) {
        if text.is_empty() {
            return;
        }
        if let Some(last) = self.0.last_mut() {
            if last.style == style {
                last.text.push_str(text);
                return;
            }
        }
        self.0.push(Run {
            text: text.to_string(),
            style,
        });
    }

    pub(crate) fn roman(&mut self, text: &str) {
        self.push(text, Style::Roman);
    }

    pub(crate) fn italic(&mut self, text: &str) {
        self.push(text, Style::Italic);
    }

    pub(crate) fn finish(self) -> Runs {
        self.0
    }
}

/// An error inside a string the user wrote: `span` is a byte range within that string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OscolaError {
    /// Byte range of the offending text within the string that was parsed (on
    /// character boundaries; empty only when the string itself is empty).
    pub span: Range<usize>,
    /// What is wrong, in lower case with no final full stop (rustc style).
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub hint: Option<String>,
}

impl OscolaError {
    pub(crate) fn new(span: Range<usize>, message: impl Into<String>) -> Self {
        OscolaError {
            span,
            message: message.into(),
            hint: None,
        }
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for OscolaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(h) = &self.hint {
            write!(f, " (hint: {h})")?;
        }
        Ok(())
    }
}

impl std::error::Error for OscolaError {}

/// The byte range of `s` without surrounding whitespace, as `(start, end)`.
pub(crate) fn trim_range(s: &str, start: usize, end: usize) -> (usize, usize) {
    let Some(slice) = s.get(start..end) else {
        return (start, start);
    };
    let lead = slice.len() - slice.trim_start().len();
    let trail = slice.len() - slice.trim_end().len();
    if lead == slice.len() {
        return (start, start);
    }
    (start + lead, end - trail)
}
