//! Finding citations in running text (spec sections 2.1 and 8): `[@id]`,
//! `[@id, locator]` and `[@a; @b, [3]]`, wherever pulldown-cmark split them
//! into several text events, with byte offsets mapped back to the source.

use std::ops::Range;

/// Text merged from consecutive text events, with a map back to the source.
#[derive(Debug, Default)]
pub struct TextRun {
    /// The merged text.
    pub text: String,
    /// `(offset in text, source range)` of each piece, in order.
    pub pieces: Vec<(usize, Range<usize>)>,
}

impl TextRun {
    /// Appends one text event.
    pub fn push(&mut self, s: &str, src: Range<usize>) {
        self.pieces.push((self.text.len(), src));
        self.text.push_str(s);
    }

    /// True when nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// Maps a byte offset of `text` to a source offset. Exact where the piece's
    /// text equals its source; otherwise the nearest piece boundary.
    pub fn source_offset(&self, at: usize, source: &str) -> usize {
        let i = match self.pieces.binary_search_by(|(o, _)| o.cmp(&at)) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        };
        let Some((start, src)) = self.pieces.get(i) else { return 0 };
        let end = self.pieces.get(i + 1).map_or(self.text.len(), |p| p.0);
        let piece = &self.text[*start..end];
        let delta = at - start;
        if source.get(src.clone()) == Some(piece) {
            src.start + delta
        } else if delta == 0 {
            src.start
        } else {
            src.end
        }
    }

    /// Maps a range of `text` to a source range.
    pub fn source_range(&self, r: Range<usize>, source: &str) -> Range<usize> {
        let s = self.source_offset(r.start, source);
        let e = self.source_offset(r.end, source).max(s);
        s..e
    }

    /// True when the character at `at` was written escaped (`\[`) in the source.
    pub fn escaped_at(&self, at: usize, source: &str) -> bool {
        let src = self.source_offset(at, source);
        let i = match self.pieces.binary_search_by(|(o, _)| o.cmp(&at)) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        };
        let Some((_, range)) = self.pieces.get(i) else { return false };
        source.get(range.clone()).is_some_and(|s| s.starts_with('\\')) && src == range.start
            || (src > 0 && source.as_bytes().get(src.wrapping_sub(1)) == Some(&b'\\') && source.as_bytes().get(src) != Some(&b'\\'))
    }
}

/// One `@id` item of a citation, with ranges in the merged text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawItem {
    /// The id.
    pub id: String,
    /// Where the id is.
    pub id_range: Range<usize>,
    /// The locator, trimmed.
    pub locator: Option<(String, Range<usize>)>,
}

/// A citation found in merged text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The whole `[@…]`.
    pub range: Range<usize>,
    /// Its items, or the reason it is malformed (with the range to blame).
    pub items: Result<Vec<RawItem>, (String, Range<usize>)>,
}

/// Finds every `[@…]` in `text`, honouring nested square brackets in locators.
pub fn find(text: &str) -> Vec<Found> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'[' && bytes[i + 1] == b'@' {
            // Find the matching `]`.
            let mut depth = 0usize;
            let mut end = None;
            for (j, &b) in bytes.iter().enumerate().skip(i) {
                match b {
                    b'[' => depth += 1,
                    b']' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(j);
                            break;
                        }
                    }
                    b'\n' if j > i && bytes.get(j + 1) == Some(&b'\n') => break,
                    _ => {}
                }
            }
            match end {
                Some(e) => {
                    out.push(Found { range: i..e + 1, items: parse_items(text, i + 1..e) });
                    i = e + 1;
                }
                None => {
                    out.push(Found {
                        range: i..i + 2,
                        items: Err(("citation is never closed with `]`".to_owned(), i..i + 2)),
                    });
                    i += 2;
                }
            }
        } else {
            i += 1;
        }
    }
    out
}

fn parse_items(text: &str, inner: Range<usize>) -> Result<Vec<RawItem>, (String, Range<usize>)> {
    let mut items = Vec::new();
    let mut start = inner.start;
    for part in split_top_level(&text[inner.clone()], ';') {
        let part_range = start..start + part.len();
        start += part.len() + 1;
        let lead = part.len() - part.trim_start().len();
        let p = part.trim();
        let at = part_range.start + lead;
        let Some(rest) = p.strip_prefix('@') else {
            return Err((
                "each authority in a citation starts with `@`".to_owned(),
                at..at + p.len().max(1),
            ));
        };
        let (id, loc) = match rest.find(',') {
            Some(c) => (&rest[..c], Some(&rest[c + 1..])),
            None => (rest, None),
        };
        let id_trim = id.trim_end();
        if id_trim.is_empty() {
            return Err(("a citation needs an id after `@`".to_owned(), at..at + 1));
        }
        let id_range = at + 1..at + 1 + id_trim.len();
        let locator = match loc {
            Some(l) => {
                let l_start = id_range.start + id.len() + 1;
                let lt = l.trim();
                if lt.is_empty() {
                    return Err(("a comma in a citation must be followed by a pinpoint or provision".to_owned(), l_start - 1..l_start));
                }
                let off = l_start + (l.len() - l.trim_start().len());
                Some((lt.to_owned(), off..off + lt.len()))
            }
            None => None,
        };
        items.push(RawItem { id: id_trim.to_owned(), id_range, locator });
    }
    Ok(items)
}

fn split_top_level(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut last = 0;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            c if c == sep && depth == 0 => {
                out.push(&s[last..i]);
                last = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<Vec<(String, Option<String>)>> {
        find(text)
            .into_iter()
            .map(|f| {
                f.items
                    .unwrap()
                    .into_iter()
                    .map(|i| (i.id, i.locator.map(|l| l.0)))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn finds_every_form_of_section_2_1() {
        let t = |id: &str, loc: Option<&str>| (id.to_owned(), loc.map(str::to_owned));
        assert_eq!(ids("see [@donoghue-v-stevenson]."), vec![vec![t("donoghue-v-stevenson", None)]]);
        assert_eq!(ids("[@corr-v-ibc-vehicles, [14]]"), vec![vec![t("corr-v-ibc-vehicles", Some("[14]"))]]);
        assert_eq!(ids("[@theft-act-1968, s 1(1)]"), vec![vec![t("theft-act-1968", Some("s 1(1)"))]]);
        assert_eq!(ids("[@a; @b, [3]]"), vec![vec![t("a", None), t("b", Some("[3]"))]]);
        assert_eq!(ids("[@x, 580–81] and [@y]"), vec![vec![t("x", Some("580–81"))], vec![t("y", None)]]);
        assert_eq!(ids("no citations [here] or @there"), Vec::<Vec<_>>::new());
    }

    #[test]
    fn ranges_point_at_the_id() {
        let f = &find("ab [@foo, [2]] cd")[0];
        assert_eq!(f.range, 3..14);
        let items = f.items.as_ref().unwrap();
        assert_eq!(items[0].id_range, 5..8);
        assert_eq!(items[0].locator.as_ref().unwrap().1, 10..13);
    }

    #[test]
    fn malformed_citations_are_errors() {
        assert!(find("[@]").pop().unwrap().items.is_err());
        assert!(find("[@a; b]").pop().unwrap().items.is_err());
        assert!(find("[@a, ]").pop().unwrap().items.is_err());
        assert!(find("[@a").pop().unwrap().items.is_err());
    }
}
