//! Parsing a case's `citation` front-matter string into a neutral citation and reports.

use super::{trim_range, OscolaError};
use std::fmt;
use std::ops::Range;

/// A neutral citation: `[2008] UKHL 13`, `[2003] EWCA Crim 1234`,
/// `[2010] EWHC 123 (Admin)`, `[2019] UKSC 41`, `[2014] UKPC 9`, `[2021] EWCA Civ 12`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NeutralCitation {
    /// The year in the square brackets.
    pub year: u16,
    /// The court code with any sub-division written before the number: `UKHL`,
    /// `EWCA Crim`, `EWHC` (or the 2001 form `EWHC Admin`).
    pub court: String,
    /// The judgment number.
    pub number: u32,
    /// The division in brackets after the number: `Admin`, `QB`, `KB`, `Ch`, `Fam`.
    pub division: Option<String>,
}

impl fmt::Display for NeutralCitation {
    /// Prints the citation back as `[2010] EWHC 123 (Admin)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{:04}] {} {}", self.year, self.court, self.number)?;
        if let Some(d) = &self.division {
            write!(f, " ({d})")?;
        }
        Ok(())
    }
}

/// A law report: `[2008] 1 AC 884`, `(1983) 76 Cr App R 279`, `[1932] AC 562`,
/// `[1986] ICJ Rep 14`, `(1765) 19 St Tr 1029`, `(1927) PCIJ Series A No 10`,
/// `[2005] ECR I-7879`, a nominate report `(1854) 9 Exch 341`, and the English
/// Reports citation that follows a nominate report with no year of its own:
/// `156 ER 145` (OSCOLA 4th edn 2.1.9).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Report {
    /// The year in the brackets; `None` only for an English Reports citation after
    /// the nominate report it reprints.
    pub year: Option<u16>,
    /// Square brackets (`[1932]`, the year identifies the volume) rather than round
    /// ones (`(1983)`, the volume number does). Always `false` when there is no year.
    pub square: bool,
    /// The volume number, when the report has one: `1` in `[2008] 1 AC 884`.
    pub volume: Option<String>,
    /// The report series, as written with single spaces: `AC`, `Cr App R`, `ICJ Rep`,
    /// `PCIJ Series A`, `H & N`, `De G M & G`, `ER`.
    pub series: String,
    /// The first page (or number): `884`, `I-7879`, `No 10`.
    pub page: String,
}

impl fmt::Display for Report {
    /// Prints the report back as written, with single spaces: `[2008] 1 AC 884`,
    /// `156 ER 145`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.year {
            Some(y) if self.square => write!(f, "[{y:04}] ")?,
            Some(y) => write!(f, "({y:04}) ")?,
            None => {}
        }
        if let Some(v) = &self.volume {
            write!(f, "{v} ")?;
        }
        write!(f, "{} {}", self.series, self.page)
    }
}

/// A parsed `citation` string: the neutral citation, if any, then the reports in the
/// order written.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct ParsedCitation {
    /// The neutral citation, always written first.
    pub neutral: Option<NeutralCitation>,
    /// The reports after it, best first as the author wrote them.
    pub reports: Vec<Report>,
}

impl ParsedCitation {
    /// The year of the neutral citation, else of the first report.
    pub fn first_year(&self) -> Option<u16> {
        self.neutral
            .as_ref()
            .map(|n| n.year)
            .or_else(|| self.reports.first().and_then(|r| r.year))
    }
}

impl fmt::Display for ParsedCitation {
    /// Prints the parts joined by `, `: `[2008] UKHL 13, [2008] 1 AC 884`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        if let Some(n) = &self.neutral {
            write!(f, "{n}")?;
            first = false;
        }
        for r in &self.reports {
            if !first {
                f.write_str(", ")?;
            }
            write!(f, "{r}")?;
            first = false;
        }
        Ok(())
    }
}

/// Neutral-citation court codes (the first word after the year). A square-bracketed
/// part starting with one of these is parsed as a neutral citation; anything else is a
/// report. Matched exactly (case-sensitive), as the codes are always written so.
const NEUTRAL_COURTS: &[&str] = &[
    // United Kingdom
    "UKSC", "UKPC", "UKHL", "EWCA", "EWHC", "EWFC", "EWCOP", "EWCC", "UKUT", "UKFTT", "UKEAT",
    "EAT", "UKAIT", "UKIPTrib", "UKSIAC", "UKAITUR", "CSIH", "CSOH", "HCJAC", "SAC", "NICA",
    "NIQB", "NIKB", "NICh", "NIFam", "NICC", "NIMaster", "NICty",
    // Ireland, Commonwealth
    "IESC", "IECA", "IEHC", "HCA", "NZSC", "NZCA", "NZHC", "SCC", "ZACC", "ZASCA", "CCJ", "JCA",
    "JMCA", "TTCA", "EWCST",
];

/// One comma-separated part of a citation, with where it was written.
pub(crate) struct SpannedPart {
    pub(crate) kind: PartKind,
    /// The whole part (trimmed).
    pub(crate) span: Range<usize>,
    /// The bracketed year, brackets included; empty, at the start of the part, for an
    /// English Reports citation with no year.
    pub(crate) year_span: Range<usize>,
}

pub(crate) enum PartKind {
    Neutral(NeutralCitation),
    Report(Report),
}

/// Parse a `citation` front-matter string: comma-separated parts, neutral citation
/// first if any, then reports. Tolerant of the odd report series of international
/// courts: the series is everything between the year/volume and the final page token,
/// and a final `No N` is one page token, so `(1927) PCIJ Series A No 10` has series
/// `PCIJ Series A` and page `No 10` and prints back unchanged.
///
/// An English Reports citation straight after a report may go without a year, as
/// OSCOLA prints it: `(1854) 9 Exch 341, 156 ER 145`. Nominate series are written
/// as they are abbreviated, spaces and ampersands included (`H & N`, `B & Ald`,
/// `De G M & G`), and a page may carry a letter (`5 Co Rep 117a`).
///
/// Errors (each with a span within `s`) for: an empty string or empty part, a part
/// with no year in brackets (other than that English Reports citation), a year that is not four digits (year ranges such as
/// `(1979-80)` are not supported: cite the first year), a neutral citation that is not
/// first or is in round brackets or lacks its number (or, for `EWCA`/`EWHC`, its
/// division), a report with no series or no final page, a court in brackets at the end
/// (it belongs in the `court` field), and unbalanced brackets.
pub fn parse_citation(s: &str) -> Result<ParsedCitation, OscolaError> {
    let parts = parse_spanned(s)?;
    let mut out = ParsedCitation::default();
    for p in parts {
        match p.kind {
            PartKind::Neutral(n) => out.neutral = Some(n),
            PartKind::Report(r) => out.reports.push(r),
        }
    }
    Ok(out)
}

pub(crate) fn parse_spanned(s: &str) -> Result<Vec<SpannedPart>, OscolaError> {
    if s.trim().is_empty() {
        return Err(OscolaError::new(0..s.len(), "empty citation").hint(
            "write the citation as printed, e.g. `[1932] AC 562`; leave `citation` out for an unreported case",
        ));
    }
    check_brackets(s)?;

    // Split at commas outside brackets.
    let mut pieces: Vec<(usize, usize, Option<usize>)> = Vec::new(); // start, end, comma after
    let mut depth = 0usize;
    let mut start = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                pieces.push((start, i, Some(i)));
                start = i + 1;
            }
            _ => {}
        }
    }
    pieces.push((start, s.len(), None));

    let mut parts = Vec::with_capacity(pieces.len());
    for (idx, &(a, b, comma)) in pieces.iter().enumerate() {
        let (a, b) = trim_range(s, a, b);
        if a == b {
            // An empty part: point at the comma after it (or, at the end, before it).
            let at = comma
                .or_else(|| {
                    idx.checked_sub(1)
                        .and_then(|j| pieces.get(j))
                        .and_then(|p| p.2)
                })
                .unwrap_or(0);
            return Err(
                OscolaError::new(at..(at + 1).min(s.len()), "empty part in citation")
                    .hint("separate the neutral citation and each report with one comma"),
            );
        }
        let after_report = matches!(
            parts.last(),
            Some(SpannedPart {
                kind: PartKind::Report(_),
                ..
            })
        );
        parts.push(parse_part(s, a, b, after_report)?);
    }

    for (i, p) in parts.iter().enumerate() {
        if let PartKind::Neutral(n) = &p.kind {
            if i != 0 {
                let others: Vec<&str> = parts
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .filter_map(|(_, q)| s.get(q.span.clone()))
                    .collect();
                let hint = if parts
                    .iter()
                    .filter(|q| matches!(q.kind, PartKind::Neutral(_)))
                    .count()
                    > 1
                {
                    "a case has one neutral citation; keep the first".to_string()
                } else {
                    format!("put it first: `{}, {}`", n, others.join(", "))
                };
                return Err(OscolaError::new(
                    p.span.clone(),
                    "the neutral citation must come first",
                )
                .hint(hint));
            }
        }
    }
    Ok(parts)
}

/// Every bracket closed by its own kind, in order.
fn check_brackets(s: &str) -> Result<(), OscolaError> {
    let mut stack: Vec<(char, usize)> = Vec::new();
    for (i, c) in s.char_indices() {
        match c {
            '(' | '[' => stack.push((c, i)),
            ')' | ']' => {
                let want = if c == ')' { '(' } else { '[' };
                match stack.pop() {
                    Some((o, _)) if o == want => {}
                    Some((o, oi)) => {
                        return Err(OscolaError::new(
                            oi..i + 1,
                            format!("unbalanced brackets: `{o}` closed by `{c}`"),
                        )
                        .hint("close each bracket with its own kind: `[2008]`, `(1983)`"));
                    }
                    None => {
                        return Err(OscolaError::new(
                            i..i + 1,
                            format!("unbalanced brackets: unmatched `{c}`"),
                        )
                        .hint(format!("remove it or add the opening `{want}`")));
                    }
                }
            }
            _ => {}
        }
    }
    if let Some((o, oi)) = stack.pop() {
        let close = if o == '(' { ')' } else { ']' };
        return Err(OscolaError::new(
            oi..oi + 1,
            format!("unbalanced brackets: `{o}` is never closed"),
        )
        .hint(format!("add the closing `{close}`")));
    }
    Ok(())
}

/// Tokens of `s[start..end]`, split at whitespace outside brackets.
pub(crate) fn tokens(s: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let Some(slice) = s.get(start..end) else {
        return out;
    };
    let mut depth = 0usize;
    let mut tok: Option<usize> = None;
    for (i, c) in slice.char_indices() {
        let i = i + start;
        if c.is_whitespace() && depth == 0 {
            if let Some(t) = tok.take() {
                out.push((t, i));
            }
            continue;
        }
        if tok.is_none() {
            tok = Some(i);
        }
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if let Some(t) = tok {
        out.push((t, end));
    }
    out
}

fn is_digits(t: &str) -> bool {
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
}

fn year_hint(square: bool) -> &'static str {
    if square {
        "write the year as four digits, e.g. `[1932] AC 562`"
    } else {
        "write the year as four digits, e.g. `(1983) 76 Cr App R 279`"
    }
}

const NO_YEAR_HINT: &str = "each part starts with its year in brackets: `[2008] UKHL 13`, `[1932] AC 562`, `(1983) 76 Cr App R 279`";

/// The English Reports, the reprint of the nominate reports before 1865.
pub(crate) fn is_english_reports(series: &str) -> bool {
    series == "ER"
}

/// Parse one trimmed, non-empty part `s[a..b]` (brackets already balanced);
/// `after_report` when the part before it is a report.
fn parse_part(s: &str, a: usize, b: usize, after_report: bool) -> Result<SpannedPart, OscolaError> {
    let text = &s[a..b];
    let first = text.chars().next().unwrap_or(' ');
    if first != '[' && first != '(' {
        return parse_yearless(s, a, b, after_report);
    }
    let square = first == '[';
    // The matching closing bracket.
    let mut depth = 0usize;
    let mut close = None;
    for (i, c) in text.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    close = Some(a + i);
                    break;
                }
            }
            _ => {}
        }
    }
    let Some(close) = close else {
        return Err(OscolaError::new(a..a + 1, "unbalanced brackets").hint(year_hint(square)));
    };
    let year_span = a..close + 1;
    let inner = s[a + 1..close].trim();
    let year: u16 = if inner.len() == 4 && is_digits(inner) {
        inner.parse().unwrap_or(0)
    } else {
        let is_range = inner
            .split(['-', '–', '—', '/'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .all(is_digits)
            && inner.chars().any(|c| matches!(c, '-' | '–' | '—' | '/'));
        let e = if is_range {
            OscolaError::new(year_span.clone(), "year ranges are not supported")
                .hint("cite the report by the year of its volume, e.g. `(1979) 2 EHRR 245`")
        } else if inner.is_empty() {
            OscolaError::new(year_span.clone(), "no year in brackets").hint(year_hint(square))
        } else {
            OscolaError::new(year_span.clone(), format!("`{inner}` is not a year"))
                .hint(year_hint(square))
        };
        return Err(e);
    };

    let toks = tokens(s, close + 1, b);
    if toks.is_empty() {
        return Err(OscolaError::new(a..b, "nothing after the year")
            .hint("a report needs its series and first page: `[1932] AC 562`"));
    }

    if toks
        .first()
        .is_some_and(|&(x, y)| NEUTRAL_COURTS.contains(&&s[x..y]))
    {
        if !square {
            return Err(
                OscolaError::new(year_span, "a neutral citation takes square brackets")
                    .hint(format!("write `[{year:04}] {}`", s[close + 1..b].trim())),
            );
        }
        return parse_neutral(s, a, b, year, year_span, &toks);
    }

    let (volume, series, page) = report_body(s, &toks, a, b)?;
    Ok(SpannedPart {
        kind: PartKind::Report(Report {
            year: Some(year),
            square,
            volume,
            series,
            page,
        }),
        span: a..b,
        year_span,
    })
}

/// A report's `[volume] series page` from its tokens (after the year, if any);
/// `a..b` is the whole part, for errors that cover it.
fn report_body(
    s: &str,
    toks: &[(usize, usize)],
    a: usize,
    b: usize,
) -> Result<(Option<String>, String, String), OscolaError> {
    let t = |k: usize| -> &str { toks.get(k).map(|&(x, y)| &s[x..y]).unwrap_or("") };
    let span_of = |from: usize, to: usize| -> Range<usize> {
        // tokens from..to (exclusive), as one byte range
        match (toks.get(from), toks.get(to.saturating_sub(1))) {
            (Some(f), Some(l)) => f.0..l.1,
            _ => a..b,
        }
    };
    if toks.is_empty() {
        return Err(OscolaError::new(a..b, "nothing after the year")
            .hint("a report needs its series and first page: `[1932] AC 562`"));
    }
    let n = toks.len();
    let last = t(n - 1);
    if last.starts_with('[') {
        return Err(
            OscolaError::new(span_of(n - 1, n), "text in brackets after the page").hint(format!(
                "a pinpoint goes where the case is cited: `[@id, {last}]`"
            )),
        );
    }
    if last.starts_with('(') {
        let court = last
            .trim_start_matches(['(', '['])
            .trim_end_matches([')', ']'])
            .trim();
        return Err(OscolaError::new(span_of(n - 1, n), "text in brackets after the page")
            .hint(format!(
                "put the court in the case's `court` field (`court = \"{court}\"`); it is printed only when needed"
            )));
    }
    let page_from = if n >= 3 && t(n - 2).eq_ignore_ascii_case("no") {
        n - 2
    } else {
        n - 1
    };
    let page = toks[page_from..]
        .iter()
        .map(|&(x, y)| &s[x..y])
        .collect::<Vec<_>>()
        .join(" ");
    if !page.chars().any(|c| c.is_ascii_digit()) {
        return Err(OscolaError::new(
            span_of(page_from, n),
            "expected the first page at the end of the report",
        )
        .hint("a report ends with its first page: `[1932] AC 562`"));
    }
    if page_from == 0 {
        return Err(OscolaError::new(a..b, "the report has no series")
            .hint("write the series between the year and the page: `[1932] AC 562`"));
    }
    let (volume, series_from) = if page_from >= 2 && is_digits(t(0)) {
        (Some(t(0).to_string()), 1)
    } else {
        (None, 0)
    };
    let series = toks[series_from..page_from]
        .iter()
        .map(|&(x, y)| &s[x..y])
        .collect::<Vec<_>>()
        .join(" ");
    if !series.chars().any(char::is_alphabetic) {
        return Err(
            OscolaError::new(span_of(series_from, page_from), "the report has no series").hint(
                "write the series between the year (and volume) and the page: `[2008] 1 AC 884`",
            ),
        );
    }
    Ok((volume, series, page))
}

/// A part with no year in brackets: only an English Reports citation after the
/// nominate report it reprints (`156 ER 145`) may be written so.
fn parse_yearless(
    s: &str,
    a: usize,
    b: usize,
    after_report: bool,
) -> Result<SpannedPart, OscolaError> {
    let toks = tokens(s, a, b);
    let names_er = toks.iter().any(|&(x, y)| is_english_reports(&s[x..y]));
    let no_year = || {
        let e = OscolaError::new(a..b, "no year in brackets");
        if after_report && !names_er {
            e.hint(format!("{NO_YEAR_HINT}; only an English Reports citation after its nominate report has none: `(1854) 9 Exch 341, 156 ER 145`"))
        } else {
            e.hint(NO_YEAR_HINT)
        }
    };
    let (volume, series, page) = match report_body(s, &toks, a, b) {
        Ok(r) => r,
        Err(e) if names_er && after_report => return Err(e),
        Err(_) => return Err(no_year()),
    };
    if !is_english_reports(&series) {
        return Err(no_year());
    }
    let written = &s[a..b];
    if !after_report {
        return Err(OscolaError::new(
            a..b,
            "an English Reports citation without a year must follow its nominate report",
        )
        .hint(format!(
            "cite the nominate report first, as in `(1854) 9 Exch 341, 156 ER 145`, or give the year: `(1854) {written}`"
        )));
    }
    if volume.is_none() {
        return Err(
            OscolaError::new(a..b, "an English Reports citation needs its volume")
                .hint("write the volume before `ER`: `(1854) 9 Exch 341, 156 ER 145`"),
        );
    }
    Ok(SpannedPart {
        kind: PartKind::Report(Report {
            year: None,
            square: false,
            volume,
            series,
            page,
        }),
        span: a..b,
        year_span: a..a,
    })
}

fn parse_neutral(
    s: &str,
    a: usize,
    b: usize,
    year: u16,
    year_span: Range<usize>,
    toks: &[(usize, usize)],
) -> Result<SpannedPart, OscolaError> {
    let t = |k: usize| -> &str { toks.get(k).map(|&(x, y)| &s[x..y]).unwrap_or("") };
    let code = t(0);
    let example = match code {
        "EWCA" => format!("[{year:04}] EWCA Civ 12` or `[{year:04}] EWCA Crim 1234"),
        "EWHC" => format!("[{year:04}] EWHC 123 (Admin)"),
        _ => format!("[{year:04}] {code} 13"),
    };
    let mut k = 1;
    while k < toks.len() && !t(k).is_empty() && t(k).chars().all(char::is_alphabetic) {
        k += 1;
    }
    let court_end = toks[k - 1].1;
    let court = s[toks[0].0..court_end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if k >= toks.len() || !is_digits(t(k)) {
        let span = toks.get(k).map(|&(x, y)| x..y).unwrap_or(a..b);
        return Err(
            OscolaError::new(span, "a neutral citation needs its judgment number")
                .hint(format!("write `{example}`")),
        );
    }
    let number: u32 = match t(k).parse() {
        Ok(n) => n,
        Err(_) => {
            return Err(
                OscolaError::new(toks[k].0..toks[k].1, "judgment number is too large")
                    .hint(format!("write `{example}`")),
            )
        }
    };
    k += 1;
    let mut division = None;
    if k < toks.len() {
        let d = t(k);
        if d.starts_with('(') && d.ends_with(')') && d.len() >= 2 {
            let inner = d[1..d.len() - 1].trim();
            if inner.is_empty() {
                return Err(
                    OscolaError::new(toks[k].0..toks[k].1, "empty division in brackets")
                        .hint(format!("write `{example}`")),
                );
            }
            division = Some(inner.split_whitespace().collect::<Vec<_>>().join(" "));
            k += 1;
        }
    }
    if k < toks.len() {
        return Err(OscolaError::new(toks[k].0..toks[toks.len() - 1].1, "unexpected text after the neutral citation")
            .hint("separate the neutral citation from a report with a comma: `[2008] UKHL 13, [2008] 1 AC 884`"));
    }
    let words = court.split(' ').count();
    if code == "EWCA" && words == 1 {
        return Err(
            OscolaError::new(a..b, "an EWCA neutral citation names its division")
                .hint(format!("write `{example}`")),
        );
    }
    if code == "EWHC" && words == 1 && division.is_none() {
        return Err(
            OscolaError::new(a..b, "an EWHC neutral citation names its division")
                .hint(format!("write `{example}`")),
        );
    }
    Ok(SpannedPart {
        kind: PartKind::Neutral(NeutralCitation {
            year,
            court,
            number,
            division,
        }),
        span: a..b,
        year_span,
    })
}
