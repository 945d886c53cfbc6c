//! Case files (spec section 3): front matter checked and linted, the body
//! split into its named sections, still as Markdown events.

use crate::diag::{Diagnostic, Diagnostics, SourceFile, SourceId};
use crate::model::CaseSectionKind;
use crate::oscola::{self, CaseInfo};
use crate::parse::front_matter::{self, RawCaseFront};
use crate::parse::markdown::MdEvents;
use crate::parse::{date_of, file_id, sections};

/// A case file parsed, its sections not yet converted.
#[derive(Debug)]
pub struct ParsedCase {
    /// The id (the file stem).
    pub id: String,
    /// The file.
    pub file: SourceId,
    /// Name, parsed citation, court and dates.
    pub info: CaseInfo,
    /// The citation as written.
    pub citation_text: Option<String>,
    /// Jurisdiction.
    pub jurisdiction: Option<String>,
    /// Subject tags.
    pub subjects: Vec<String>,
    /// The one-line summary, when the front matter gives one.
    pub summary: Option<String>,
    /// The sections in their canonical order, each with its heading's byte range.
    pub sections: Vec<(CaseSectionKind, std::ops::Range<usize>, MdEvents)>,
}

/// Parses a case file. `None` when it has no usable front matter.
pub fn parse_case(src: &SourceFile, file: SourceId, diags: &mut Diagnostics) -> Option<ParsedCase> {
    let id = file_id(src, file, diags);
    let text = src.text.as_str();
    let split = front_matter::split(text, file, diags);
    let Some(front_text) = split.front else {
        diags.push(front_matter::missing(file, "a case file", "name = \"Donoghue v Stevenson\"\ncitation = \"[1932] AC 562\"\ncourt = \"HL\""));
        return None;
    };
    let front: RawCaseFront = crate::config::parse_toml(front_text, file, split.front_offset, diags)?;
    let off = split.front_offset;
    let citation = match &front.citation {
        Some(c) => match oscola::parse_citation(c.get_ref()) {
            Ok(p) => Some(p),
            Err(e) => {
                let base = c.span().start + off + 1;
                diags.push(
                    Diagnostic::error("bad-citation", e.message)
                        .at(file, base + e.span.start..base + e.span.end.max(e.span.start + 1))
                        .maybe_hint(e.hint),
                );
                None
            }
        },
        None => None,
    };
    let decided = date_of(&front.decided, file, off, diags);
    if front.citation.is_none() && decided.is_none() {
        diags.push(
            Diagnostic::error("missing-field", "a case needs a `citation`, or a `decided` date when it is unreported")
                .at(file, off..off)
                .hint("add `citation = \"[2008] UKHL 13, [2008] 1 AC 884\"`"),
        );
    }
    for lint in oscola::lint_case(front.name.get_ref(), front.citation.as_ref().map(|c| c.get_ref().as_str()), front.court.get_ref(), decided, front.jurisdiction.as_deref()) {
        let field = match lint.field {
            oscola::LintField::Name => Some(front.name.span()),
            oscola::LintField::Citation => front.citation.as_ref().map(|c| c.span()),
        };
        let Some(field) = field else { continue };
        let base = field.start + off + 1;
        diags.push(
            Diagnostic::warning(lint.code, lint.message)
                .at(file, base + lint.span.start..base + lint.span.end)
                .hint(lint.hint),
        );
    }
    let mut sections_out: Vec<(CaseSectionKind, std::ops::Range<usize>, MdEvents)> = Vec::new();
    for (heading, span, events) in sections(split.body, split.body_offset, file, "case", diags) {
        let kind = match heading.to_ascii_lowercase().as_str() {
            "facts" => CaseSectionKind::Facts,
            "issue" | "issues" => CaseSectionKind::Issue,
            "held" => CaseSectionKind::Held,
            "principle" | "ratio" => CaseSectionKind::Principle,
            "significance" => CaseSectionKind::Significance,
            "key quote" | "key quotes" => CaseSectionKind::KeyQuote,
            _ => {
                let allowed = ["Facts", "Issue", "Held", "Principle", "Ratio", "Significance", "Key quote"];
                let hint = crate::diag::did_you_mean(&heading, &allowed, "allowed sections");
                diags.push(
                    Diagnostic::error("unknown-section", format!("`{heading}` is not a case section"))
                        .at(file, span)
                        .label("unknown section")
                        .hint(hint),
                );
                continue;
            }
        };
        if sections_out.iter().any(|(k, _, _)| *k == kind) {
            diags.push(
                Diagnostic::error("duplicate-section", format!("the case has two `{}` sections", kind.heading()))
                    .at(file, span)
                    .hint("merge them into one section"),
            );
            continue;
        }
        // The heading's line, without the blank lines pulldown-cmark counts in it.
        let mut heading = span;
        while heading.end > heading.start && text.as_bytes().get(heading.end - 1).is_some_and(|b| b.is_ascii_whitespace()) {
            heading.end -= 1;
        }
        sections_out.push((kind, heading, events));
    }
    for required in [CaseSectionKind::Facts, CaseSectionKind::Held, CaseSectionKind::Principle] {
        if !sections_out.iter().any(|(k, _, _)| *k == required) {
            let end = text.len();
            diags.push(
                Diagnostic::error("missing-section", format!("the case has no `## {}` section", required.heading()))
                    .at(file, end..end)
                    .hint("every case needs Facts, Held and Principle"),
            );
        }
    }
    sections_out.sort_by_key(|(k, _, _)| *k);
    Some(ParsedCase {
        id,
        file,
        info: CaseInfo {
            name: front.name.into_inner(),
            citation,
            court: front.court.into_inner(),
            short_name: front.short_name,
            case_number: front.case_number,
            decided,
        },
        citation_text: front.citation.map(|c| c.into_inner()),
        jurisdiction: front.jurisdiction,
        subjects: front.subjects,
        summary: front.summary,
        sections: sections_out,
    })
}

