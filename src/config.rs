//! The two manifests (`casebook.toml`, `guide.toml`) and every TOML front
//! matter table: strict serde types (`Raw*`, unknown keys refused), the one
//! function that turns a TOML error into a located diagnostic with the nearest
//! known key as a hint, and the validated per-guide options.

use std::ops::Range;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::diag::{did_you_mean, Diagnostic, Diagnostics, SourceId};
use crate::oscola::Date;

/// `casebook.toml`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawWorkspaceManifest {
    /// `[workspace]`
    #[serde(default)]
    pub workspace: RawWorkspaceSection,
    /// `[defaults]`: guide options for every guide.
    #[serde(default)]
    pub defaults: RawGuideOptions,
}

/// `[workspace]` of `casebook.toml`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawWorkspaceSection {
    /// Printed on title pages and in EPUB metadata.
    pub publisher: Option<String>,
    /// BCP 47 language tag, default for every guide.
    pub language: Option<String>,
    /// Output folder, relative to the workspace root.
    pub out_dir: Option<String>,
}

/// Options a guide may set, or `[defaults]` may set for every guide.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawGuideOptions {
    /// `inline` or `footnotes`.
    pub citations: Option<CitationMode>,
    /// `appendix`, `chapter-end` or `none`.
    pub case_summaries: Option<CaseSummaries>,
    /// BCP 47 language tag.
    pub language: Option<String>,
    /// The outputs to make (`--format` on the command line overrides them).
    pub formats: Option<Vec<toml::Spanned<Format>>>,
    /// `[pdf]`
    #[serde(default)]
    pub pdf: RawPdfOptions,
    /// `[summary]`
    #[serde(default)]
    pub summary: RawSummaryOptions,
}

/// `[summary]` options: the condensed edition.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSummaryOptions {
    /// `portrait` or `landscape` (both in two columns).
    pub orientation: Option<Orientation>,
}

/// Which way up the condensed edition's pages are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Orientation {
    /// Taller than wide.
    #[default]
    Portrait,
    /// Wider than tall.
    Landscape,
}

/// One output of a guide (spec section 1, `formats`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// The printable PDF edition: `<id>.pdf`.
    Pdf,
    /// The EPUB 3 edition: `<id>.epub`.
    Epub,
    /// Case and key-term cards, four to a sheet, for duplex printing: `<id>-cards.pdf`.
    Cards,
    /// The condensed edition, in two columns: `<id>-summary.pdf`.
    Summary,
    /// The large-print edition (RNIB clear print): `<id>-large-print.pdf`.
    LargePrint,
    /// Flashcards in Anki's text import format: `<id>.anki.txt`.
    Anki,
}

impl Format {
    /// Every format, in the order outputs are made and listed.
    pub const ALL: [Format; 6] = [Format::Pdf, Format::Epub, Format::Cards, Format::Summary, Format::LargePrint, Format::Anki];

    /// The name used in `formats = [...]` and `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Epub => "epub",
            Format::Cards => "cards",
            Format::Summary => "summary",
            Format::LargePrint => "large-print",
            Format::Anki => "anki",
        }
    }

    /// What the output is called on the preview page and in messages.
    pub fn label(self) -> &'static str {
        match self {
            Format::Pdf => "PDF",
            Format::Epub => "EPUB",
            Format::Cards => "Case cards (PDF)",
            Format::Summary => "Summary (PDF)",
            Format::LargePrint => "Large print (PDF)",
            Format::Anki => "Anki flashcards",
        }
    }

    /// The output's file name for a guide.
    pub fn file_name(self, guide: &str) -> String {
        match self {
            Format::Pdf => format!("{guide}.pdf"),
            Format::Epub => format!("{guide}.epub"),
            Format::Cards => format!("{guide}-cards.pdf"),
            Format::Summary => format!("{guide}-summary.pdf"),
            Format::LargePrint => format!("{guide}-large-print.pdf"),
            Format::Anki => format!("{guide}.anki.txt"),
        }
    }
}

/// `[pdf]` options.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawPdfOptions {
    /// Paper size.
    pub paper: Option<Paper>,
    /// PDF standard to conform to.
    pub standard: Option<PdfStandard>,
    /// Body font family (must be bundled or in the workspace's `fonts/`).
    pub font: Option<String>,
    /// Printed on both sides and bound: mirrored margins, chapters open on a
    /// right-hand page.
    pub duplex: Option<bool>,
}

/// `guide.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawGuideManifest {
    /// The guide's title.
    pub title: String,
    /// Optional subtitle.
    pub subtitle: Option<String>,
    /// Free-text edition statement.
    pub edition: Option<String>,
    /// Edition date.
    pub date: Option<toml::value::Datetime>,
    /// Authors, as printed.
    #[serde(default)]
    pub authors: Vec<String>,
    /// EPUB `dc:description`.
    pub description: Option<String>,
    /// EPUB identifier; default a UUID v5.
    pub identifier: Option<String>,
    /// Chapter paths in reading order, relative to the guide folder.
    pub chapters: Vec<toml::Spanned<String>>,
    /// `inline` or `footnotes`, overriding `[defaults]`.
    pub citations: Option<CitationMode>,
    /// `appendix`, `chapter-end` or `none`, overriding `[defaults]`.
    pub case_summaries: Option<CaseSummaries>,
    /// BCP 47 language, overriding the workspace's.
    pub language: Option<String>,
    /// The outputs to make, overriding `[defaults]`.
    pub formats: Option<Vec<toml::Spanned<Format>>>,
    /// `[pdf]`, overriding `[defaults]`.
    #[serde(default)]
    pub pdf: RawPdfOptions,
    /// `[summary]`, overriding `[defaults]`.
    #[serde(default)]
    pub summary: RawSummaryOptions,
}

impl RawGuideManifest {
    /// The guide's own options (serde's `flatten` cannot be combined with
    /// `deny_unknown_fields`, so they are listed above and gathered here).
    pub fn options(&self) -> RawGuideOptions {
        RawGuideOptions {
            citations: self.citations,
            case_summaries: self.case_summaries,
            language: self.language.clone(),
            formats: self.formats.clone(),
            pdf: self.pdf.clone(),
            summary: self.summary.clone(),
        }
    }
}

/// How citations are printed (spec section 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum CitationMode {
    /// Full citation in the text the first time in a chapter, short form after.
    #[default]
    Inline,
    /// Case name in the text, the citation in a footnote.
    Footnotes,
}

/// Where case summaries are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum CaseSummaries {
    /// All in an appendix at the end of the guide.
    #[default]
    Appendix,
    /// After each chapter, those it cites.
    ChapterEnd,
    /// Not printed.
    None,
}

/// Paper size of the PDF edition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Paper {
    /// ISO A4.
    #[default]
    A4,
    /// ISO A5.
    A5,
    /// US letter.
    UsLetter,
}

/// PDF standard of the PDF edition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PdfStandard {
    /// PDF/UA-1.
    #[serde(rename = "ua-1")]
    Ua1,
    /// PDF/A-2b.
    #[serde(rename = "a-2b")]
    A2b,
}

/// Validated options of one guide: manifest defaults merged with the guide's own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuideOptions {
    /// Citation mode.
    pub citations: CitationMode,
    /// Case summary placement.
    pub case_summaries: CaseSummaries,
    /// BCP 47 language.
    pub language: String,
    /// Paper size.
    pub paper: Paper,
    /// PDF standard, if any.
    pub pdf_standard: Option<PdfStandard>,
    /// Body font family, if not the default.
    pub font: Option<String>,
    /// The outputs a build makes when `--format` does not say.
    pub formats: std::collections::BTreeSet<Format>,
    /// Printed on both sides and bound.
    pub duplex: bool,
    /// The condensed edition's page orientation.
    pub summary_orientation: Orientation,
}

impl GuideOptions {
    /// Merges `[defaults]`, the workspace language, and the guide's own options.
    pub fn merge(defaults: &RawGuideOptions, workspace_language: Option<&str>, own: &RawGuideOptions) -> Self {
        GuideOptions {
            citations: own.citations.or(defaults.citations).unwrap_or_default(),
            case_summaries: own.case_summaries.or(defaults.case_summaries).unwrap_or_default(),
            language: own
                .language
                .clone()
                .or_else(|| defaults.language.clone())
                .or_else(|| workspace_language.map(str::to_owned))
                .unwrap_or_else(|| "en-GB".to_owned()),
            paper: own.pdf.paper.or(defaults.pdf.paper).unwrap_or_default(),
            pdf_standard: own.pdf.standard.or(defaults.pdf.standard),
            font: own.pdf.font.clone().or_else(|| defaults.pdf.font.clone()),
            formats: match own.formats.as_ref().or(defaults.formats.as_ref()) {
                Some(list) => list.iter().map(|f| *f.get_ref()).collect(),
                None => [Format::Pdf, Format::Epub].into_iter().collect(),
            },
            duplex: own.pdf.duplex.or(defaults.pdf.duplex).unwrap_or(false),
            summary_orientation: own.summary.orientation.or(defaults.summary.orientation).unwrap_or_default(),
        }
    }
}

/// Converts a TOML datetime that must be a plain date.
pub fn toml_date(d: &toml::value::Datetime) -> Option<Date> {
    match (d.date, d.time, d.offset) {
        (Some(date), None, None) => Some(Date { year: date.year as i32, month: date.month, day: date.day }),
        _ => None,
    }
}

/// Deserialises TOML text that starts at byte `offset` of `file`, reporting any
/// error as a located diagnostic (with the nearest known key for unknown keys).
pub fn parse_toml<T: DeserializeOwned>(
    text: &str,
    file: SourceId,
    offset: usize,
    diags: &mut Diagnostics,
) -> Option<T> {
    // An unknown key on a line of its own is blanked out (with spaces, so that
    // offsets stay put) and the table parsed again, so that one run reports
    // every unknown key of a file, not just the first.
    const MAX_ROUNDS: usize = 32;
    let mut text = std::borrow::Cow::Borrowed(text);
    for _ in 0..MAX_ROUNDS {
        match toml::from_str::<T>(&text) {
            Ok(v) => return Some(v),
            Err(e) => {
                let d = toml_error(&text, file, offset, &e);
                let retry = d.code == "unknown-key" && e.span().is_some_and(|span| blank_line(text.to_mut(), span.start));
                diags.push(d);
                if !retry {
                    return None;
                }
            }
        }
    }
    None
}

/// Blanks the `key = value` line starting at `at` if its value is complete on
/// that line; returns whether it did.
fn blank_line(text: &mut String, at: usize) -> bool {
    let start = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[start..end];
    let Some((_, value)) = line.split_once('=') else { return false };
    if toml::from_str::<toml::Table>(&format!("v = {value}")).is_err() {
        return false;
    }
    let blank = " ".repeat(end - start);
    text.replace_range(start..end, &blank);
    true
}

fn toml_error(text: &str, file: SourceId, offset: usize, e: &toml::de::Error) -> Diagnostic {
    let msg = e.message().trim().trim_end_matches('.').to_owned();
    let span: Range<usize> = e.span().unwrap_or(0..0);
    let span = span.start.min(text.len())..span.end.min(text.len());
    let global = offset + span.start..offset + span.end;
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let hint = if known.is_empty() { "remove this key".to_owned() } else { did_you_mean(field, &known, "known keys") };
        return Diagnostic::error("unknown-key", format!("unknown key `{field}`"))
            .at(file, global)
            .label("not a known key here")
            .hint(hint);
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        return Diagnostic::error("missing-field", format!("missing required key `{field}`"))
            .at(file, global)
            .label(format!("this table needs `{field}`"))
            .hint(format!("add `{field} = …`"));
    }
    if let Some(rest) = msg.strip_prefix("unknown variant `") {
        let (value, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let hint = did_you_mean(value, &known, "allowed");
        return Diagnostic::error("invalid-value", format!("`{value}` is not an allowed value"))
            .at(file, global)
            .label("not allowed here")
            .hint(hint);
    }
    let first_line = msg.lines().next().unwrap_or("invalid TOML").to_owned();
    let (code, hint) = if first_line.starts_with("invalid type") {
        ("invalid-type", "check the value's type: strings are quoted, lists use [ ], dates are written 2026-09-01")
    } else {
        ("toml-syntax", "see https://toml.io for the syntax; strings need quotes")
    };
    Diagnostic::error(code, first_line).at(file, global).label("here").hint(hint)
}
