//! Pinpoints (`[@id, locator]`), provision labels and their numeric order.

use super::{trim_range, OscolaError};
use std::ops::Range;

/// One pinpoint into a case: a single paragraph or page, or a range of them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pinpoint {
    /// The first (or only) paragraph or page, without brackets: `14`, `580`.
    pub from: String,
    /// The last paragraph or page of a range, as written (a page range may be
    /// abbreviated: `81` in `580–81`).
    pub to: Option<String>,
}

/// What follows the id in `[@id, locator]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Locator {
    /// Paragraphs, in the order written (never empty): `[14]` is one [`Pinpoint`]
    /// `{ from: "14", to: None }`; `[14]-[16]`, `[14]–[16]` or `[14-16]` is `to:
    /// Some("16")`; `[42], [45]` and `[42]–[45], [50]` are lists (OSCOLA 4th edn 2.1.6).
    Paragraphs(Vec<Pinpoint>),
    /// Pages, in the order written (never empty): `580` is `{ from: "580", to: None }`;
    /// `580-81`, `580–81` or `580-581` is `to: Some("81")` or `Some("581")`, kept as
    /// written (printed with an en dash); `530, 534` and `530–31, 534` are lists.
    Pages(Vec<Pinpoint>),
    /// `s 1(1)`, `ss 1-6`, `art 2(4)`, `arts 31-32`, `reg 3`, `r 54.5`, `sch 1`,
    /// `sch 1, para 3`, `para 3`, `s 3A`.
    Provision(Provision),
}

impl Locator {
    /// The pinpoint as printed, ranges with an en dash and list items separated by
    /// `, `: `[14]–[16]`, `[42], [45]`, `580–81`, `530, 534`, `s 1(1)`.
    pub fn display(&self) -> String {
        let join = |pins: &[Pinpoint], bracket: bool| {
            pins.iter()
                .map(|p| {
                    let (open, close) = if bracket { ("[", "]") } else { ("", "") };
                    match &p.to {
                        None => format!("{open}{}{close}", p.from),
                        Some(to) => format!("{open}{}{close}–{open}{to}{close}", p.from),
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Locator::Paragraphs(pins) => join(pins, true),
            Locator::Pages(pins) => join(pins, false),
            Locator::Provision(p) => p.display(),
        }
    }
}

/// The kind of a provision, named by its OSCOLA abbreviation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProvisionKind {
    /// `s`
    Section,
    /// `ss` (a range or list of sections)
    Sections,
    /// `art`
    Article,
    /// `arts` (a range or list of articles)
    Articles,
    /// `reg`
    Regulation,
    /// `r`
    Rule,
    /// `sch`
    Schedule,
    /// `para`
    Paragraph,
}

impl ProvisionKind {
    /// The abbreviation as printed: `s`, `ss`, `art`, `arts`, `reg`, `r`, `sch`, `para`.
    pub fn prefix(&self) -> &'static str {
        match self {
            ProvisionKind::Section => "s",
            ProvisionKind::Sections => "ss",
            ProvisionKind::Article => "art",
            ProvisionKind::Articles => "arts",
            ProvisionKind::Regulation => "reg",
            ProvisionKind::Rule => "r",
            ProvisionKind::Schedule => "sch",
            ProvisionKind::Paragraph => "para",
        }
    }

    /// The kind for an abbreviation, ignoring ASCII case (`Art` is `art`).
    pub fn from_prefix(p: &str) -> Option<ProvisionKind> {
        Some(match p.to_ascii_lowercase().as_str() {
            "s" => ProvisionKind::Section,
            "ss" => ProvisionKind::Sections,
            "art" => ProvisionKind::Article,
            "arts" => ProvisionKind::Articles,
            "reg" => ProvisionKind::Regulation,
            "r" => ProvisionKind::Rule,
            "sch" => ProvisionKind::Schedule,
            "para" => ProvisionKind::Paragraph,
            _ => return None,
        })
    }

    /// Whether this is a plural kind (`ss`, `arts`).
    pub fn is_plural(&self) -> bool {
        matches!(self, ProvisionKind::Sections | ProvisionKind::Articles)
    }

    /// The singular kind: `ss` -> `s`, `arts` -> `art`, others unchanged.
    pub fn singular(&self) -> ProvisionKind {
        match self {
            ProvisionKind::Sections => ProvisionKind::Section,
            ProvisionKind::Articles => ProvisionKind::Article,
            k => *k,
        }
    }

    fn noun(&self) -> &'static str {
        match self.singular() {
            ProvisionKind::Section => "section",
            ProvisionKind::Article => "article",
            ProvisionKind::Regulation => "regulation",
            ProvisionKind::Rule => "rule",
            ProvisionKind::Schedule => "schedule",
            _ => "paragraph",
        }
    }

    fn rank(&self) -> u8 {
        match self.singular() {
            ProvisionKind::Section => 0,
            ProvisionKind::Article => 1,
            ProvisionKind::Regulation => 2,
            ProvisionKind::Rule => 3,
            ProvisionKind::Schedule => 4,
            _ => 5,
        }
    }
}

/// A provision of an instrument: kind plus label.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Provision {
    /// The kind (`s`, `art`, ...).
    pub kind: ProvisionKind,
    /// The label after the abbreviation, normalised: `1(1)`, `3A`, `54.5`, `1-6`
    /// (ranges stored with a hyphen), `1 and 3`, `1, para 3` (schedules).
    pub label: String,
}

impl Provision {
    /// The provision as printed, ranges with an en dash: `s 1(1)`, `ss 1–6`.
    pub fn display(&self) -> String {
        format!("{} {}", self.kind.prefix(), self.label.replace('-', "–"))
    }

    /// The top-level unit the instrument must have a section for, as written in
    /// legislation headings: `s 1(1)` -> `s 1`, `art 2(4)` -> `art 2`, `r 54.5` ->
    /// `r 54.5`, `s 3A` -> `s 3A`, `ss 1-6` -> `s 1` (first of the range),
    /// `sch 1, para 3` -> `sch 1`. Equal to `display()` of the provision parsed from the
    /// matching heading by [`parse_provision_heading`].
    pub fn base_label(&self) -> String {
        let first: String = self
            .label
            .chars()
            .take_while(|c| !matches!(c, '(' | ',' | '-' | '–') && !c.is_whitespace())
            .collect();
        format!("{} {}", self.kind.singular().prefix(), first)
    }
}

const LOCATOR_HINT: &str = "write a paragraph as `[14]`, `[14]–[16]` or `[42], [45]`, a page as `580`, `580–81` \
or `530, 534`, or a provision as `s 1(1)`, `ss 1–6`, `art 2(4)`, `arts 31–32`, `reg 3`, `r 54.5`, `sch 1` or `para 3`";

const PREFIX_LIST: &str = "`s`, `ss`, `art`, `arts`, `reg`, `r`, `sch` or `para`";

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | '‑' | '‒')
}

/// `(before, after)` around the first dash, both trimmed.
fn split_dash(t: &str) -> Option<(&str, &str)> {
    let (i, c) = t.char_indices().find(|&(_, c)| is_dash(c))?;
    Some((t[..i].trim(), t[i + c.len_utf8()..].trim()))
}

fn is_digits(t: &str) -> bool {
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
}

/// Numeric comparison key for a digit string of any length.
fn num_key(d: &str) -> (usize, &str) {
    let t = d.trim_start_matches('0');
    (t.len(), t)
}

/// Parse what follows the id in `[@id, locator]`: paragraphs (`[14]`, `[14]–[16]`,
/// `[42], [45]`, `[42]–[45], [50]`), pages (`580`, `580–81`, `530, 534`) or a
/// provision (`s 1(1)`, ...). Surrounding whitespace is ignored; spans in errors are
/// within `s`. A range that ends before it starts is an error, and so is a list that
/// mixes paragraphs and pages or has an empty item.
pub fn parse_locator(s: &str) -> Result<Locator, OscolaError> {
    let (a, b) = trim_range(s, 0, s.len());
    if a == b {
        return Err(OscolaError::new(0..s.len(), "empty pinpoint").hint(LOCATOR_HINT));
    }
    let first = s[a..b].chars().next().unwrap_or(' ');
    if first == '[' {
        parse_pins(s, a, b, true).map(Locator::Paragraphs)
    } else if first.is_ascii_digit() {
        parse_pins(s, a, b, false).map(Locator::Pages)
    } else if first.is_alphabetic() {
        parse_provision(s, a, b).map(Locator::Provision)
    } else {
        Err(OscolaError::new(a..b, "unrecognised pinpoint").hint(LOCATOR_HINT))
    }
}

/// The comma-separated paragraphs (or pages) in the trimmed, non-empty `s[a..b]`.
fn parse_pins(s: &str, a: usize, b: usize, paragraphs: bool) -> Result<Vec<Pinpoint>, OscolaError> {
    let (what, example) = if paragraphs {
        ("paragraphs", "`[42], [45]` or `[42]–[45], [50]`")
    } else {
        ("pages", "`530, 534` or `530–31, 534`")
    };
    // Items split at commas outside brackets: (start, end, the comma after it).
    let mut items: Vec<(usize, usize, Option<usize>)> = Vec::new();
    let mut depth = 0usize;
    let mut start = a;
    for (i, c) in s[a..b].char_indices() {
        let i = a + i;
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                items.push((start, i, Some(i)));
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push((start, b, None));
    let mut out = Vec::with_capacity(items.len());
    for (k, &(x, y, comma)) in items.iter().enumerate() {
        let (x, y) = trim_range(s, x, y);
        if x == y {
            // Blame the comma after the empty item or, at the end, the one before it.
            let at = comma
                .or_else(|| {
                    k.checked_sub(1)
                        .and_then(|j| items.get(j))
                        .and_then(|p| p.2)
                })
                .unwrap_or(a);
            return Err(
                OscolaError::new(at..at + 1, "empty item in a pinpoint list")
                    .hint(format!("separate {what} with one comma: {example}")),
            );
        }
        let c = s[x..y].chars().next().unwrap_or(' ');
        let kind_ok = if paragraphs {
            c == '['
        } else {
            c.is_ascii_digit()
        };
        if !kind_ok {
            return Err(if c == '[' || c.is_ascii_digit() {
                OscolaError::new(x..y, "a pinpoint list mixes paragraphs and pages")
                    .hint(format!("cite {what} alone: {example}"))
            } else {
                OscolaError::new(x..y, format!("not one of the {what} in the list"))
                    .hint(format!("list {what} separated by commas: {example}"))
            });
        }
        out.push(if paragraphs {
            parse_paragraph(s, x, y)?
        } else {
            parse_page(s, x, y)?
        });
    }
    Ok(out)
}

fn valid_paragraph(l: &str) -> bool {
    !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '.')
}

/// `[label]` starting at `i`: the label's trimmed range and the index after `]`.
fn bracketed(s: &str, i: usize, b: usize) -> Result<(Range<usize>, usize), OscolaError> {
    let Some(rel) = s[i + 1..b].find(']') else {
        return Err(OscolaError::new(i..b, "unclosed `[` in pinpoint").hint(LOCATOR_HINT));
    };
    let j = i + 1 + rel;
    let (x, y) = trim_range(s, i + 1, j);
    Ok((x..y, j + 1))
}

fn check_order(from: &str, to: &str, span: Range<usize>) -> Result<(), OscolaError> {
    if is_digits(from) && is_digits(to) && num_key(to) <= num_key(from) {
        return Err(OscolaError::new(span, "the range ends before it starts")
            .hint("write the lower number first"));
    }
    Ok(())
}

fn parse_paragraph(s: &str, a: usize, b: usize) -> Result<Pinpoint, OscolaError> {
    let bad = |span: Range<usize>| {
        OscolaError::new(span, "not a paragraph number")
            .hint("write a paragraph as `[14]`, a range as `[14]–[16]`")
    };
    let (l1, mut next) = bracketed(s, a, b)?;
    let inner = &s[l1.clone()];
    if inner.contains('[') {
        return Err(bad(a..next));
    }
    let (from, mut to) = match split_dash(inner) {
        Some((x, y)) => (x.to_string(), Some(y.to_string())),
        None => (inner.to_string(), None),
    };
    for p in std::iter::once(&from).chain(to.iter()) {
        if !valid_paragraph(p) {
            return Err(bad(a..next));
        }
    }
    let rest = &s[next..b];
    let rest_trim = rest.trim_start();
    if !rest_trim.is_empty() {
        let dash_at = next + (rest.len() - rest_trim.len());
        let c = rest_trim.chars().next().unwrap_or(' ');
        if !is_dash(c) || to.is_some() {
            return Err(
                OscolaError::new(next..b, "unexpected text after the paragraph").hint(
                    "write one paragraph as `[14]`, a range as `[14]–[16]`, a list as `[14], [16]`",
                ),
            );
        }
        let after = dash_at + c.len_utf8();
        let (x, _) = trim_range(s, after, b);
        if x >= b || !s[x..b].starts_with('[') {
            return Err(OscolaError::new(
                a..b,
                "a paragraph range ends with a paragraph in brackets",
            )
            .hint("write `[14]–[16]`"));
        }
        let (l2, n2) = bracketed(s, x, b)?;
        let second = &s[l2];
        if !valid_paragraph(second) {
            return Err(bad(x..n2));
        }
        next = n2;
        if !s[next..b].trim().is_empty() {
            return Err(
                OscolaError::new(next..b, "unexpected text after the paragraph range")
                    .hint("write `[14]–[16]`"),
            );
        }
        to = Some(second.to_string());
    }
    if let Some(t) = &to {
        check_order(&from, t, a..b)?;
    }
    Ok(Pinpoint { from, to })
}

fn parse_page(s: &str, a: usize, b: usize) -> Result<Pinpoint, OscolaError> {
    let t = &s[a..b];
    let err = || {
        OscolaError::new(a..b, "not a page number").hint(
            "write a page as `580`, a range as `580–81`, a list as `530, 534`; a paragraph goes in brackets: `[14]`",
        )
    };
    match split_dash(t) {
        None => {
            if !is_digits(t) {
                return Err(err());
            }
            Ok(Pinpoint {
                from: t.to_string(),
                to: None,
            })
        }
        Some((x, y)) => {
            if !is_digits(x) || !is_digits(y) {
                return Err(err());
            }
            let full = if y.len() < x.len() {
                format!("{}{}", &x[..x.len() - y.len()], y)
            } else {
                y.to_string()
            };
            check_order(x, &full, a..b)?;
            Ok(Pinpoint {
                from: x.to_string(),
                to: Some(y.to_string()),
            })
        }
    }
}

/// A hint for a provision word that is not one of the abbreviations.
fn prefix_hint(word: &str, rest: &str) -> String {
    let rest = rest.trim();
    let n = if rest.is_empty() { "1" } else { rest };
    let suggest = |p: &str| format!("write `{p} {n}`; provisions start with {PREFIX_LIST}");
    match word.to_ascii_lowercase().as_str() {
        "section" | "sec" | "sect" => suggest("s"),
        "sections" | "secs" => suggest("ss"),
        "article" => suggest("art"),
        "articles" => suggest("arts"),
        "regulation" => suggest("reg"),
        "rule" => suggest("r"),
        "schedule" | "sched" => suggest("sch"),
        "paragraph" => suggest("para"),
        "pt" | "part" => format!("cite the provision itself; provisions start with {PREFIX_LIST}"),
        "regs" | "regulations" => format!("cite one regulation: `reg {n}`"),
        "rr" | "rules" => format!("cite one rule: `r {n}`"),
        "paras" | "paragraphs" => format!("cite one paragraph: `para {n}`"),
        "p" | "pp" | "page" | "pages" => {
            "write a page as a bare number: `580` or `580–81`".to_string()
        }
        _ => format!("provisions start with {PREFIX_LIST}, e.g. `s 1(1)`"),
    }
}

/// The abbreviation at `s[a..b]`: its kind and where the label starts.
fn parse_prefix(s: &str, a: usize, b: usize) -> Result<(ProvisionKind, usize), OscolaError> {
    let t = &s[a..b];
    let plen = t.find(|c: char| !c.is_alphabetic()).unwrap_or(t.len());
    let word = &t[..plen];
    let rest = &t[plen..];
    let Some(kind) = ProvisionKind::from_prefix(word) else {
        return Err(
            OscolaError::new(a..a + plen, format!("unknown provision `{word}`"))
                .hint(prefix_hint(word, rest)),
        );
    };
    let p = kind.prefix();
    match rest.chars().next() {
        Some(c) if c.is_whitespace() => {
            let (x, _) = trim_range(s, a + plen, b);
            if x >= b {
                return Err(OscolaError::new(a..b, format!("`{word}` needs a number"))
                    .hint(format!("e.g. `{p} 1`")));
            }
            Ok((kind, x))
        }
        Some('.') => Err(OscolaError::new(
            a + plen..a + plen + 1,
            "no full stop after a provision abbreviation",
        )
        .hint(format!("write `{p} {}`", rest[1..].trim()))),
        Some(c) if c.is_alphanumeric() || c == '(' => Err(OscolaError::new(
            a..b,
            format!("put a space after `{word}`"),
        )
        .hint(format!("write `{p} {}`", rest.trim()))),
        None => Err(OscolaError::new(a..b, format!("`{word}` needs a number"))
            .hint(format!("e.g. `{p} 1`"))),
        Some(_) => Err(OscolaError::new(a..b, "unrecognised provision").hint(LOCATOR_HINT)),
    }
}

/// A single provision number: `1`, `1(1)(a)`, `3A`, `54.5`, `A1`.
fn valid_unit(u: &str) -> bool {
    let mut chars = u.chars();
    match chars.next() {
        Some(c) if c.is_alphanumeric() => {}
        _ => return false,
    }
    if u.ends_with('.') {
        return false;
    }
    let mut open = false;
    let mut empty_group = false;
    for c in u.chars() {
        match c {
            '(' => {
                if open {
                    return false;
                }
                open = true;
                empty_group = true;
            }
            ')' => {
                if !open || empty_group {
                    return false;
                }
                open = false;
            }
            c if c.is_alphanumeric() || c == '.' => empty_group = false,
            _ => return false,
        }
    }
    !open
}

fn bad_unit(span: Range<usize>, kind: ProvisionKind) -> OscolaError {
    OscolaError::new(span, format!("not a {} number", kind.noun()))
        .hint("write the number as in the legislation, e.g. `s 1(1)`, `s 3A`, `art 2(4)`, `r 54.5`")
}

/// `1-6`, `1 and 3`, `1, 3, 5–7`: normalised with `-`, `, ` and ` and `.
fn parse_list(label: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut count = 0usize;
    let mut ranges = 0usize;
    let chunks: Vec<&str> = label.split(',').collect();
    for (ci, chunk) in chunks.iter().enumerate() {
        // within a chunk, items are separated by the word `and` or `&`
        let mut items: Vec<String> = vec![String::new()];
        for w in chunk.split_whitespace() {
            if w == "and" || w == "&" {
                items.push(String::new());
            } else if let Some(last) = items.last_mut() {
                if !last.is_empty() {
                    last.push(' ');
                }
                last.push_str(w);
            }
        }
        for (ii, item) in items.iter().enumerate() {
            let norm = match split_dash(item) {
                Some((x, y)) => {
                    if !valid_unit(x) || !valid_unit(y) {
                        return None;
                    }
                    ranges += 1;
                    format!("{x}-{y}")
                }
                None => {
                    if !valid_unit(item) {
                        return None;
                    }
                    item.clone()
                }
            };
            if ci > 0 && ii == 0 {
                out.push_str(", ");
            } else if ii > 0 {
                out.push_str(" and ");
            }
            out.push_str(&norm);
            count += 1;
        }
    }
    Some((out, count + ranges))
}

fn parse_provision(s: &str, a: usize, b: usize) -> Result<Provision, OscolaError> {
    let (kind, ls) = parse_prefix(s, a, b)?;
    let label = &s[ls..b];
    let span = ls..b;
    if kind.is_plural() {
        return match parse_list(label) {
            Some((norm, n)) if n > 1 => Ok(Provision { kind, label: norm }),
            Some((norm, _)) => Err(OscolaError::new(
                a..b,
                format!("`{}` is for several {}s", kind.prefix(), kind.noun()),
            )
            .hint(format!("write `{} {norm}`", kind.singular().prefix()))),
            None => Err(bad_unit(span, kind)),
        };
    }
    if valid_unit(label) {
        return Ok(Provision {
            kind,
            label: label.to_string(),
        });
    }
    if kind == ProvisionKind::Schedule {
        if let Some(l) = schedule_label(label) {
            return Ok(Provision { kind, label: l });
        }
        return Err(OscolaError::new(span, "not a schedule reference")
            .hint("write `sch 1` or `sch 1, para 3`"));
    }
    let several = label.contains(',')
        || label.chars().any(is_dash)
        || label.split_whitespace().any(|w| w == "and" || w == "&");
    if several {
        if let Some((norm, _)) = parse_list(label) {
            let hint = match kind {
                ProvisionKind::Section => format!(
                    "a range or list of sections takes `ss`: `ss {}`",
                    norm.replace('-', "–")
                ),
                ProvisionKind::Article => format!(
                    "a range or list of articles takes `arts`: `arts {}`",
                    norm.replace('-', "–")
                ),
                _ => {
                    let first: String = norm
                        .chars()
                        .take_while(|c| !matches!(c, ',' | '-' | ' '))
                        .collect();
                    format!(
                        "cite one {} at a time: `{} {first}`",
                        kind.noun(),
                        kind.prefix()
                    )
                }
            };
            return Err(OscolaError::new(
                span,
                format!("several {}s after `{}`", kind.noun(), kind.prefix()),
            )
            .hint(hint));
        }
    }
    Err(bad_unit(span, kind))
}

/// `1, para 3` / `1 para 3` / `1, pt 2` / `1, paras 3-5`, normalised to `1, para 3`.
fn schedule_label(label: &str) -> Option<String> {
    let cut = label.find(|c: char| c == ',' || c.is_whitespace())?;
    let main = &label[..cut];
    if !valid_unit(main) {
        return None;
    }
    let sub = label[cut..].trim_start_matches(|c: char| c == ',' || c.is_whitespace());
    let wlen = sub.find(|c: char| !c.is_alphabetic()).unwrap_or(sub.len());
    let word = sub[..wlen].to_ascii_lowercase();
    let rest = sub[wlen..].trim();
    if rest.is_empty() || !sub[wlen..].starts_with(char::is_whitespace) {
        return None;
    }
    let rest = match word.as_str() {
        "para" | "pt" | "art" => {
            if !valid_unit(rest) {
                return None;
            }
            rest.to_string()
        }
        "paras" => {
            let (norm, n) = parse_list(rest)?;
            if n < 2 {
                return None;
            }
            norm
        }
        _ => return None,
    };
    Some(format!("{main}, {word} {rest}"))
}

/// Parse a provision heading label at the start of a legislation section heading:
/// `s 1 Basic definition of theft` -> (`s 1`, `Basic definition of theft`);
/// `art 2 Purposes`; `r 54.5 Time limit`; `sch 1` (rest empty). A heading names one
/// provision, so `ss`/`arts` are errors. A full stop, colon or dash straight after
/// the label is dropped (`s 1. Theft`, `s 1 – Theft`). Errors carry a hint listing
/// the allowed prefixes.
pub fn parse_provision_heading(s: &str) -> Result<(Provision, String), OscolaError> {
    let (a, b) = trim_range(s, 0, s.len());
    let hint = "start the heading with the provision's label: `s`, `art`, `reg`, `r`, `sch` or `para` and its number, \
e.g. `s 1 Basic definition of theft`, `art 2 Purposes`, `r 54.5 Time limit`, `sch 1`";
    if a == b {
        return Err(OscolaError::new(0..s.len(), "empty provision heading").hint(hint));
    }
    let first = s[a..b].chars().next().unwrap_or(' ');
    if !first.is_alphabetic() {
        return Err(OscolaError::new(a..b, "a provision heading starts with its label").hint(hint));
    }
    let (kind, ls) = match parse_prefix(s, a, b) {
        Ok(k) => k,
        Err(mut e) => {
            if e.message.starts_with("unknown provision") {
                let word_end = e.span.end;
                let rest = &s[word_end..b];
                let n = rest.split_whitespace().next().unwrap_or("1");
                let lower = s[a..word_end].to_ascii_lowercase();
                let better = match lower.as_str() {
                    "section" | "sec" => Some("s"),
                    "article" => Some("art"),
                    "regulation" => Some("reg"),
                    "rule" => Some("r"),
                    "schedule" | "sched" => Some("sch"),
                    "paragraph" => Some("para"),
                    _ => None,
                };
                e.hint = Some(match better {
                    Some(p) => format!("write `{p} {n}`; {hint}"),
                    None => hint.to_string(),
                });
            }
            return Err(e);
        }
    };
    if kind.is_plural() {
        let word_end = s[a..b]
            .find(|c: char| !c.is_alphabetic())
            .map_or(b, |i| a + i);
        return Err(
            OscolaError::new(a..word_end, format!("a heading names one {}", kind.noun())).hint(
                format!(
                    "write `{}` and give each provision its own heading",
                    kind.singular().prefix()
                ),
            ),
        );
    }
    let tok_end = s[ls..b]
        .find(char::is_whitespace)
        .map(|i| ls + i)
        .unwrap_or(b);
    let raw = &s[ls..tok_end];
    let label = raw.trim_end_matches(|c: char| matches!(c, '.' | ':' | ',' | ';') || is_dash(c));
    if !valid_unit(label) {
        return Err(bad_unit(ls..tok_end, kind).hint(hint));
    }
    let rest = s[tok_end..b].trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, '.' | ':' | ';') || is_dash(c)
    });
    Ok((
        Provision {
            kind,
            label: label.to_string(),
        },
        rest.trim_end().to_string(),
    ))
}

/// Ordering key for provisions (see [`provision_sort_key`]).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProvisionKey {
    rank: u8,
    parts: Vec<KeyPart>,
    kind: ProvisionKind,
    label: String,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum KeyPart {
    /// A sub-division opens: `(` or a schedule's `, para`.
    Open,
    /// A number, compared numerically (digit count, then digits).
    Num(usize, String),
    /// A letter suffix, compared case-insensitively.
    Alpha(String),
}

fn key_parts(label: &str, out: &mut Vec<KeyPart>) {
    let mut chars = label.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut d = String::new();
            while let Some(&c) = chars.peek() {
                if !c.is_ascii_digit() {
                    break;
                }
                d.push(c);
                chars.next();
            }
            let t = d.trim_start_matches('0').to_string();
            out.push(KeyPart::Num(t.len(), t));
        } else if c.is_alphabetic() {
            let mut w = String::new();
            while let Some(&c) = chars.peek() {
                if !c.is_alphabetic() {
                    break;
                }
                w.extend(c.to_lowercase());
                chars.next();
            }
            out.push(KeyPart::Alpha(w));
        } else {
            if c == '(' {
                out.push(KeyPart::Open);
            }
            chars.next();
        }
    }
}

/// Numeric provision order, for the sub-entries of the table of legislation: kind
/// first (sections, then articles, regulations, rules, schedules, paragraphs; `ss`
/// with `s` and `arts` with `art`), then numeric runs as numbers with letter suffixes
/// after them, and subdivisions before the next letter: `s 2 < s 3 < s 3(1) < s 3A <
/// s 12 < s 12(1)`, `art 2 < art 51`, `r 54.5 < r 54.10`. Distinct provisions never
/// compare equal (the label breaks ties).
pub fn provision_sort_key(p: &Provision) -> ProvisionKey {
    let mut parts = Vec::new();
    match p.label.split_once(',') {
        Some((main, sub)) => {
            key_parts(main, &mut parts);
            parts.push(KeyPart::Open);
            let sub = sub.trim_start();
            let sub = match sub.split_once(char::is_whitespace) {
                Some((w, rest)) if w.chars().all(char::is_alphabetic) => rest,
                _ => sub,
            };
            key_parts(sub, &mut parts);
        }
        None => key_parts(&p.label, &mut parts),
    }
    ProvisionKey {
        rank: p.kind.rank(),
        parts,
        kind: p.kind,
        label: p.label.clone(),
    }
}
