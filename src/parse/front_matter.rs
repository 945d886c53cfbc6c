//! Splitting `+++` TOML front matter off a Markdown file, keeping the byte
//! offsets of both parts so that TOML errors point at the right line of the
//! `.md` file, and the raw serde types of chapter, case and legislation front
//! matter.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, Diagnostics, SourceId};

/// A Markdown file split into front matter and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// The TOML between the `+++` lines, if any.
    pub front: Option<&'a str>,
    /// Byte offset of `front` in the file.
    pub front_offset: usize,
    /// The Markdown after the closing `+++` line (or the whole file).
    pub body: &'a str,
    /// Byte offset of `body` in the file.
    pub body_offset: usize,
}

/// Splits front matter off. A file that opens with `+++` but never closes it is
/// an error; the body is then empty.
pub fn split<'a>(text: &'a str, file: SourceId, diags: &mut Diagnostics) -> Split<'a> {
    let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_line_end].trim_end() != "+++" {
        return Split { front: None, front_offset: 0, body: text, body_offset: 0 };
    }
    let mut pos = first_line_end;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        if text[pos..end].trim_end() == "+++" {
            return Split {
                front: Some(&text[first_line_end..pos]),
                front_offset: first_line_end,
                body: &text[end..],
                body_offset: end,
            };
        }
        pos = end;
    }
    diags.push(
        Diagnostic::error("unclosed-front-matter", "front matter opened with `+++` is never closed")
            .at(file, 0..3)
            .label("opened here")
            .hint("end the TOML front matter with a line holding only `+++`"),
    );
    Split { front: Some(""), front_offset: first_line_end, body: "", body_offset: text.len() }
}

/// Reports a file that needs front matter but has none.
pub fn missing(file: SourceId, what: &str, example: &str) -> Diagnostic {
    Diagnostic::error("missing-front-matter", format!("{what} must start with `+++` TOML front matter"))
        .at(file, 0..0)
        .label("expected `+++` here")
        .hint(format!("start the file with:\n+++\n{example}\n+++"))
}

/// Chapter front matter.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawChapterFront {
    /// Title; default the first level-1 heading.
    pub title: Option<String>,
    /// Key terms for the opening box.
    #[serde(default)]
    pub key_terms: Vec<Spanned<String>>,
    /// Kind of chapter.
    #[serde(default)]
    pub kind: crate::model::ChapterKind,
}

/// Case front matter.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawCaseFront {
    /// Name as printed.
    pub name: Spanned<String>,
    /// Citation; required unless unreported.
    pub citation: Option<Spanned<String>>,
    /// Court.
    pub court: Spanned<String>,
    /// Date of decision.
    pub decided: Option<Spanned<toml::value::Datetime>>,
    /// Short name for later mentions.
    pub short_name: Option<String>,
    /// Jurisdiction.
    pub jurisdiction: Option<String>,
    /// Subject tags.
    #[serde(default)]
    pub subjects: Vec<String>,
    /// One line for tables.
    pub summary: Option<String>,
    /// EU or international case number.
    pub case_number: Option<String>,
}

/// Legislation front matter.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawInstrumentFront {
    /// Title as printed.
    pub title: String,
    /// Kind of instrument.
    pub kind: crate::oscola::InstrumentKind,
    /// Jurisdiction.
    pub jurisdiction: Option<String>,
    /// Treaties: date adopted.
    pub adopted: Option<Spanned<toml::value::Datetime>>,
    /// Treaties: date opened for signature.
    pub opened: Option<Spanned<toml::value::Datetime>>,
    /// Treaties: entry into force.
    pub in_force: Option<Spanned<toml::value::Datetime>>,
    /// Treaties: treaty series or resolution.
    pub series: Option<String>,
    /// Treaties: abbreviation.
    pub abbreviation: Option<String>,
    /// SIs: number, `2009/2163`.
    pub si_number: Option<String>,
}

/// Shifts a span of the front matter into file coordinates.
pub fn shift(span: Range<usize>, offset: usize) -> Range<usize> {
    span.start + offset..span.end + offset
}
