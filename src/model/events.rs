//! Walking a resolved event stream: the `End` that closes a `Start`, the plain
//! text of a run of events, the slug of a heading's text, and the one
//! sanitiser of ids. Shared by
//! resolution and both renderers, so it lives with the events themselves.

use super::{Event, Tag};
use crate::oscola;

/// The index of the `End` matching the `Start` at `start`.
pub fn matching_end(events: &[Event], start: usize) -> usize {
    let mut depth = 0usize;
    for (i, e) in events.iter().enumerate().skip(start) {
        match e {
            Event::Start(_) => depth += 1,
            Event::End => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    events.len() - 1
}

/// A heading slug as GitHub makes them: lower case, spaces to hyphens,
/// punctuation dropped.
pub fn slug(text: &str) -> String {
    let mut s = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() && name_char(c) {
            s.extend(c.to_lowercase());
        } else if (c == ' ' || c == '-' || c == '_') && !s.ends_with('-') {
            s.push('-');
        }
    }
    let s = s.trim_matches('-').to_owned();
    // Ids must start with a letter to be valid XML ids.
    if s.chars().next().is_some_and(|c| !c.is_ascii_alphabetic()) {
        format!("s-{s}")
    } else {
        s
    }
}

/// Plain text of a run of events (for titles, alt text, one-line summaries).
pub fn plain_text(events: &[Event]) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            Event::Cite(c) => {
                for (i, item) in c.items.iter().enumerate() {
                    if i > 0 {
                        s.push_str("; ");
                    }
                    s.push_str(&oscola::plain(&item.text));
                }
            }
            Event::End => {}
            Event::Start(Tag::Paragraph) if !s.is_empty() => s.push(' '),
            _ => {}
        }
    }
    s
}

/// `raw` as an id both editions can use as it is: an XML name without colons
/// (XML 1.0, fifth edition), as EPUB requires of every `id`. Characters a name
/// cannot hold become one hyphen each run; a name that cannot start as it is
/// gets `s-` in front (as [`slug`] does). Ids are sanitised once, in the model,
/// so that an anchor and every link to it agree.
pub fn sanitize_id(raw: &str) -> String {
    let mut s = String::with_capacity(raw.len());
    for c in raw.chars() {
        if name_char(c) {
            s.push(c);
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    let s = s.trim_matches('-');
    match s.chars().next() {
        None => "section".to_owned(),
        Some(c) if name_start_char(c) => s.to_owned(),
        Some(_) => format!("s-{s}"),
    }
}

/// XML 1.0 `NameStartChar`, less the colon.
fn name_start_char(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}'
        | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

/// XML 1.0 `NameChar`, less the colon.
fn name_char(c: char) -> bool {
    name_start_char(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_xml_names() {
        for (raw, want) in [
            ("dollars", "dollars"),
            ("Caf\u{e9}.2", "Caf\u{e9}.2"),
            ("a:b c", "a-b-c"),
            ("1st", "s-1st"),
            ("-x-", "x"),
            ("a\u{7}b", "a-b"),
            ("a<b>&\"c", "a-b-c"),
            ("\u{1}", "section"),
            (".x", "s-.x"),
        ] {
            assert_eq!(sanitize_id(raw), want, "{raw:?}");
        }
        // A slug is already an id.
        for t in ["Dollars & cents", "1. Intro", "\u{e9}t\u{e9}", "x\u{b2}", "\u{2460} one"] {
            assert_eq!(sanitize_id(&slug(t)), slug(t));
        }
    }
}
