//! Parsing: front matter split off with its byte offsets kept, the raw serde
//! types of every front matter table, the one function that sets
//! pulldown-cmark's options, and the parsers of case and legislation files
//! (front matter checked, body split into its level-2 sections). Nothing here
//! resolves references: Markdown bodies leave as pulldown-cmark events.

pub mod case;
pub mod front_matter;
pub mod legislation;
pub mod markdown;

use std::ops::Range;

use pulldown_cmark::{Event as Md, HeadingLevel, Tag as MdTag, TagEnd};

use crate::config::toml_date;
use crate::diag::{Diagnostic, Diagnostics, SourceFile, SourceId};
use crate::oscola::Date;
use markdown::MdEvents;

/// True for a well-formed id: lower-case ASCII letters, digits and single hyphens.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A suggested id for an invalid one.
pub fn suggest_id(id: &str) -> String {
    let mut s = String::new();
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    s.trim_end_matches('-').to_owned()
}

/// The id of a case or legislation file: its file stem, reported when invalid.
pub(crate) fn file_id(src: &SourceFile, file: SourceId, diags: &mut Diagnostics) -> String {
    let path = &src.path;
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    if !valid_id(&stem) {
        diags.push(
            Diagnostic::error("invalid-id", format!("`{stem}` is not a valid id"))
                .at(file, 0..0)
                .hint(format!(
                    "ids are lower-case letters, digits and single hyphens: rename the file to `{}.md`",
                    suggest_id(&stem)
                )),
        );
    }
    stem
}


/// A front matter date, reported when it has a time or an offset.
pub(crate) fn date_of(dt: &Option<toml::Spanned<toml::value::Datetime>>, file: SourceId, offset: usize, diags: &mut Diagnostics) -> Option<Date> {
    let s = dt.as_ref()?;
    match toml_date(s.get_ref()) {
        Some(d) => Some(d),
        None => {
            diags.push(
                Diagnostic::error("invalid-date", "expected a date without a time")
                    .at(file, front_matter::shift(s.span(), offset))
                    .hint("write dates as 2026-09-01"),
            );
            None
        }
    }
}


/// Splits a Markdown body into its level-2 sections: `(heading text, heading span, body events)`.
/// Anything before the first level-2 heading is reported.
#[allow(clippy::type_complexity)]
pub(crate) fn sections(
    body: &str,
    offset: usize,
    file: SourceId,
    what: &str,
    diags: &mut Diagnostics,
) -> Vec<(String, Range<usize>, MdEvents)> {
    let mut out: Vec<(String, Range<usize>, MdEvents)> = Vec::new();
    let mut depth = 0usize;
    let mut in_heading: Option<(String, Range<usize>)> = None;
    let mut stray_reported = false;
    for (ev, r) in markdown::events(body, offset) {
        match (&ev, depth) {
            (Md::Start(MdTag::Heading { level: HeadingLevel::H2, .. }), 0) => {
                in_heading = Some((String::new(), r.clone()));
                depth += 1;
                continue;
            }
            (Md::End(TagEnd::Heading(HeadingLevel::H2)), 1) if in_heading.is_some() => {
                let (text, span) = in_heading.take().unwrap_or_default();
                out.push((text.trim().to_owned(), span, Vec::new()));
                depth -= 1;
                continue;
            }
            _ => {}
        }
        if let Some((text, _)) = &mut in_heading {
            if let Md::Text(t) | Md::Code(t) = &ev {
                text.push_str(t);
            }
            continue;
        }
        match &ev {
            Md::Start(_) => depth += 1,
            Md::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        match out.last_mut() {
            Some(s) => s.2.push((ev.into_static(), r)),
            None => {
                if !stray_reported && !matches!(ev, Md::Html(_)) {
                    stray_reported = true;
                    diags.push(
                        Diagnostic::error("text-before-section", format!("{what} text must sit under a level-2 heading"))
                            .at(file, r)
                            .label("before the first `##` heading")
                            .hint(if what == "case" {
                                "start with `## Facts`; sections are Facts, Issue, Held, Principle, Significance, Key quote"
                            } else {
                                "each provision is a level-2 section whose heading starts with its label: `## s 1 Basic definition of theft`"
                            }),
                    );
                }
            }
        }
    }
    out
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_rules() {
        assert!(valid_id("r-v-miller"));
        assert!(valid_id("theft-act-1968"));
        for bad in ["R-v-Miller", "r v miller", "r--v", "-r", "r-", "", "r_v"] {
            assert!(!valid_id(bad), "{bad}");
        }
        assert_eq!(suggest_id("R v Miller"), "r-v-miller");
    }
}
