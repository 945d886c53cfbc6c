//! Section-5 lints on a case's front matter.

use super::citation::{is_english_reports, parse_spanned, PartKind};
use super::{trim_range, Date, Report};
use std::ops::Range;

/// The front-matter field a [`Lint`] points into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LintField {
    /// `name`
    Name,
    /// `citation` (for a missing neutral citation on a case with no `citation` at all,
    /// the span is empty, `0..0`: point at the front matter as a whole).
    Citation,
}

/// A section-5 lint (a warning; an error under `--strict`, the caller decides).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lint {
    /// `full-stop-in-case-name`, `vs-in-case-name`, `missing-neutral-citation` or
    /// `report-brackets`.
    pub code: &'static str,
    /// The field the span is in.
    pub field: LintField,
    /// Byte range within that field's string.
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

/// The section-5 lints for one case, in a fixed order (name, then citation):
///
/// - `full-stop-in-case-name`: every `.` in the name (`v.`, `Ltd.`), span at the dot;
/// - `vs-in-case-name`: `vs` or `versus` as a word in the name ("v, never v. or vs");
/// - `missing-neutral-citation`: a case decided (`decided`, else the year of the first
///   report) in 2001 or later in the Court of Appeal (`CA`, `EWCA`, `CA (Civ Div)`,
///   `CA (Crim Div)`), House of Lords (`HL`) or Privy Council (`PC`), 2002 or later in
///   the High Court (`HC`, `QBD`, `KBD`, `ChD`, `Fam`, `EWHC`, `Admin`, `DC`, ...), or
///   2009 or later in the Supreme Court (`UKSC`), with no neutral citation; skipped when
///   `jurisdiction` is set and is not England and Wales or the UK;
/// - `report-brackets`: a report series with the wrong kind of brackets round its year
///   (`AC`, `QB`, `KB`, `Ch`, `Fam`, `WLR`, `All ER` take square ones; `Cr App R`,
///   `EHRR`, `BMLR`, `ER`, the Law Reports of 1865–90 (`LR 3 HL`, `App Cas`, `QBD`,
///   `Ch D`, `Ex D`, `CPD`, `PD`), `St Tr`, and any nominate report followed by its
///   English Reports citation round ones, as their volumes are numbered), span on the
///   bracketed year, the hint showing the corrected report. An English Reports
///   citation after its nominate report has no year, hence no brackets to check.
///
/// A citation that does not parse gets no citation lints: the caller reports the
/// error from [`parse_citation`](super::parse_citation).
pub fn lint_case(
    name: &str,
    citation: Option<&str>,
    court: &str,
    decided: Option<Date>,
    jurisdiction: Option<&str>,
) -> Vec<Lint> {
    let mut out = Vec::new();
    lint_name(name, &mut out);

    let parts = match citation.map(parse_spanned) {
        Some(Ok(p)) => Some(p),
        Some(Err(_)) => return out,
        None => None,
    };

    // Missing neutral citation.
    let has_neutral = parts
        .as_ref()
        .is_some_and(|ps| ps.iter().any(|p| matches!(p.kind, PartKind::Neutral(_))));
    let uk = match jurisdiction {
        Some(j) => is_england_or_uk(j),
        None => true,
    };
    if !has_neutral && uk {
        let first_report_year = parts.as_ref().and_then(|ps| {
            ps.iter().find_map(|p| match &p.kind {
                PartKind::Report(r) => r.year.map(i32::from),
                PartKind::Neutral(_) => None,
            })
        });
        let year = decided.map(|d| d.year).or(first_report_year);
        if let (Some(year), Some(c)) = (year, classify_court(court)) {
            if year >= c.from {
                let span = match citation {
                    Some(s) => {
                        let (a, b) = trim_range(s, 0, s.len());
                        a..b
                    }
                    None => 0..0,
                };
                let example = match citation.map(str::trim).filter(|s| !s.is_empty()) {
                    Some(s) => format!("`[{year}] {}, {s}`", c.example),
                    None => format!("`[{year}] {}`", c.example),
                };
                out.push(Lint {
                    code: "missing-neutral-citation",
                    field: LintField::Citation,
                    span,
                    message: format!("no neutral citation for a {} decision of {year}", c.name),
                    hint: format!(
                        "{} decisions have neutral citations from {}: put it first, e.g. {example}",
                        c.name, c.from
                    ),
                });
            }
        }
    }

    // Brackets round the year.
    if let Some(ps) = &parts {
        for (i, p) in ps.iter().enumerate() {
            if let PartKind::Report(r) = &p.kind {
                let Some(year) = r.year else { continue };
                // A report reprinted in the English Reports is a nominate report,
                // identified by its volume.
                let nominate = ps.get(i + 1).is_some_and(|q| {
                    matches!(&q.kind, PartKind::Report(e) if e.year.is_none() && is_english_reports(&e.series))
                });
                let expected = if nominate {
                    Some(false)
                } else {
                    expected_square(&r.series, year)
                };
                if let Some(square) = expected {
                    if square != r.square {
                        let fixed = Report {
                            square,
                            ..r.clone()
                        };
                        let kind = if square { "square" } else { "round" };
                        out.push(Lint {
                            code: "report-brackets",
                            field: LintField::Citation,
                            span: p.year_span.clone(),
                            message: format!(
                                "the {} takes {kind} brackets round the year",
                                r.series
                            ),
                            hint: format!("write `{fixed}`"),
                        });
                    }
                }
            }
        }
    }
    out
}

fn lint_name(name: &str, out: &mut Vec<Lint>) {
    for (i, c) in name.char_indices() {
        if c != '.' {
            continue;
        }
        let word_start = name[..i]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| c.is_alphanumeric())
            .last()
            .map(|(j, _)| j)
            .unwrap_or(i);
        let word = &name[word_start..i];
        let hint = if word.is_empty() {
            "OSCOLA case names have no full stops: write `v`, `Ltd`, `Co` with no full stop"
                .to_string()
        } else {
            format!("write `{word}` with no full stop, as in `v`, `Ltd`, `Co`")
        };
        out.push(Lint {
            code: "full-stop-in-case-name",
            field: LintField::Name,
            span: i..i + 1,
            message: "full stop in a case name".to_string(),
            hint,
        });
    }
    // `vs` / `versus` as words.
    let mut start = None;
    let check = |a: usize, b: usize, out: &mut Vec<Lint>| {
        let w = &name[a..b];
        if w.eq_ignore_ascii_case("vs") || w.eq_ignore_ascii_case("versus") {
            out.push(Lint {
                code: "vs-in-case-name",
                field: LintField::Name,
                span: a..b,
                message: format!("`{w}` in a case name"),
                hint: "write `v`: `Donoghue v Stevenson`".to_string(),
            });
        }
    };
    for (i, c) in name.char_indices() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(a) = start.take() {
            check(a, i, out);
        }
    }
    if let Some(a) = start {
        check(a, name.len(), out);
    }
}

fn is_england_or_uk(j: &str) -> bool {
    let k = j.trim().to_lowercase().replace('&', " and ");
    let k = k.split_whitespace().collect::<Vec<_>>().join(" ");
    matches!(
        k.as_str(),
        "england and wales"
            | "england"
            | "wales"
            | "uk"
            | "united kingdom"
            | "great britain"
            | "gb"
            | "e and w"
    )
}

struct CourtClass {
    name: &'static str,
    from: i32,
    example: String,
}

/// Which court with neutral citations the `court` field names, if any.
fn classify_court(court: &str) -> Option<CourtClass> {
    let k = court.trim().to_lowercase().replace('.', "");
    let k = k.split_whitespace().collect::<Vec<_>>().join(" ");
    let head = k.split([' ', '(', ',']).next().unwrap_or("");
    let class = |name, from, example: &str| {
        Some(CourtClass {
            name,
            from,
            example: example.to_string(),
        })
    };
    if matches!(head, "ca" | "ewca") || k.starts_with("court of appeal") {
        let ex = if k.contains("crim") {
            "EWCA Crim <number>"
        } else {
            "EWCA Civ <number>"
        };
        return class("Court of Appeal", 2001, ex);
    }
    if matches!(head, "hl" | "ukhl") || k == "house of lords" {
        return class("House of Lords", 2001, "UKHL <number>");
    }
    if matches!(head, "pc" | "ukpc" | "jcpc") || k == "privy council" {
        return class("Privy Council", 2001, "UKPC <number>");
    }
    if matches!(head, "uksc") || k == "supreme court" || k == "uk supreme court" {
        return class("Supreme Court", 2009, "UKSC <number>");
    }
    let division = |d: &str| format!("EWHC <number> ({d})");
    let hc = |ex: String| {
        Some(CourtClass {
            name: "High Court",
            from: 2002,
            example: ex,
        })
    };
    match head {
        "admin" | "dc" => hc(division("Admin")),
        "qbd" | "qb" => hc(division("QB")),
        "kbd" | "kb" => hc(division("KB")),
        "chd" | "ch" => hc(division("Ch")),
        "fam" | "fd" => hc(division("Fam")),
        "comm" => hc(division("Comm")),
        "tcc" => hc(division("TCC")),
        "pat" => hc(division("Pat")),
        "ipec" => hc(division("IPEC")),
        "hc" | "ewhc" => {
            let d = ["admin", "qb", "kb", "ch", "fam", "comm", "tcc", "pat"]
                .iter()
                .find(|d| {
                    k.split(|c: char| !c.is_alphanumeric())
                        .skip(1)
                        .any(|w| w == **d)
                });
            hc(division(match d {
                Some(&"admin") => "Admin",
                Some(&"qb") => "QB",
                Some(&"kb") => "KB",
                Some(&"ch") => "Ch",
                Some(&"fam") => "Fam",
                Some(&"comm") => "Comm",
                Some(&"tcc") => "TCC",
                Some(&"pat") => "Pat",
                _ => "<division>",
            }))
        }
        _ if k.starts_with("high court") || k.starts_with("divisional court") => {
            hc(division("<division>"))
        }
        _ => None,
    }
}

/// Whether a report series takes square brackets (`Some(true)`), round ones
/// (`Some(false)`), or is not one the lint knows, for a report of `year`.
/// The Criminal Appeal Reports changed to year-based volumes in 1995
/// (`[2005] 1 Cr App R 21`); before that they took round brackets. The Law Reports
/// numbered their volumes until 1890 (`(1868) LR 3 HL 330`, `(1889) 14 App Cas 337`,
/// `(1886) 17 QBD 359`); from 1891 the year identifies the volume (`[1893] 1 QB 256`).
fn expected_square(series: &str, year: u16) -> Option<bool> {
    let s = series.split_whitespace().collect::<Vec<_>>().join(" ");
    let starts = |p: &str| s == p || s.strip_prefix(p).is_some_and(|r| r.starts_with(' '));
    if matches!(s.as_str(), "AC" | "QB" | "KB" | "Ch" | "Fam") || starts("WLR") || starts("All ER")
    {
        Some(true)
    } else if starts("Cr App R") {
        Some(year >= 1995)
    } else if starts("EHRR")
        || starts("LR")
        || is_english_reports(&s)
        || matches!(
            s.as_str(),
            "BMLR" | "App Cas" | "QBD" | "Ch D" | "ChD" | "Ex D" | "CPD" | "PD" | "St Tr"
        )
    {
        Some(false)
    } else {
        None
    }
}
