//! Legislation files (spec section 4): front matter checked, the body split
//! into one section per provision, each heading parsed into its label.

use crate::diag::{Diagnostic, Diagnostics, SourceFile, SourceId};
use crate::oscola::{self, InstrumentInfo, InstrumentKind, Provision};
use crate::parse::front_matter::{self, RawInstrumentFront};
use crate::parse::markdown::MdEvents;
use crate::parse::{date_of, file_id, sections};

/// A legislation file parsed, its provisions not yet converted.
#[derive(Debug)]
pub struct ParsedInstrument {
    /// The id (the file stem).
    pub id: String,
    /// The file.
    pub file: SourceId,
    /// Title, kind and the treaty or SI details.
    pub info: InstrumentInfo,
    /// Jurisdiction.
    pub jurisdiction: Option<String>,
    /// Each provision: its label, the rest of its heading, its body.
    pub provisions: Vec<(Provision, String, MdEvents)>,
}

/// Parses a legislation file. `None` when it has no usable front matter.
pub fn parse_instrument(src: &SourceFile, file: SourceId, diags: &mut Diagnostics) -> Option<ParsedInstrument> {
    let id = file_id(src, file, diags);
    let text = src.text.as_str();
    let split = front_matter::split(text, file, diags);
    let Some(front_text) = split.front else {
        diags.push(front_matter::missing(file, "a legislation file", "title = \"Theft Act 1968\"\nkind = \"act\""));
        return None;
    };
    let off = split.front_offset;
    let front: RawInstrumentFront = crate::config::parse_toml(front_text, file, off, diags)?;
    let kind = front.kind;
    if kind == InstrumentKind::Si && front.si_number.is_none() {
        diags.push(
            Diagnostic::error("missing-field", "a statutory instrument needs its `si-number`")
                .at(file, off..off)
                .hint("add `si-number = \"2009/2163\"`"),
        );
    }
    if kind == InstrumentKind::Treaty && front.adopted.is_none() && front.opened.is_none() {
        diags.push(
            Diagnostic::warning("treaty-date", "a treaty should give the date it was `adopted` or `opened` for signature")
                .at(file, off..off)
                .hint("add `adopted = 1948-12-10` or `opened = 1969-05-23`"),
        );
    }
    let info = InstrumentInfo {
        title: front.title.clone(),
        kind,
        si_number: front.si_number.clone(),
        adopted: date_of(&front.adopted, file, off, diags),
        opened: date_of(&front.opened, file, off, diags),
        in_force: date_of(&front.in_force, file, off, diags),
        series: front.series.clone(),
        abbreviation: front.abbreviation.clone(),
    };
    let mut provisions: Vec<(Provision, String, MdEvents)> = Vec::new();
    for (heading, span, events) in sections(split.body, split.body_offset, file, "legislation", diags) {
        match oscola::parse_provision_heading(&heading) {
            Ok((p, rest)) => {
                if provisions.iter().any(|(q, _, _)| q.base_label() == p.base_label()) {
                    diags.push(
                        Diagnostic::error("duplicate-provision", format!("provision `{}` appears twice", p.base_label()))
                            .at(file, span)
                            .hint("give each provision one section"),
                    );
                    continue;
                }
                provisions.push((p, rest, events));
            }
            Err(e) => {
                let head_at = text[span.clone()].find(heading.as_str()).map_or(span.start, |i| span.start + i);
                diags.push(
                    Diagnostic::error("bad-provision-heading", e.message)
                        .at(file, head_at + e.span.start..head_at + e.span.end.max(e.span.start + 1).min(heading.len()))
                        .label("expected a provision label")
                        .maybe_hint(e.hint),
                );
            }
        }
    }
    Some(ParsedInstrument { id, file, info, jurisdiction: front.jurisdiction, provisions })
}

