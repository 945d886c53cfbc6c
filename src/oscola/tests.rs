//! Table-driven tests for the OSCOLA module: every example of sections 2.1 and 5 of the
//! source format, plus real cases and instruments.

use super::*;
use std::cmp::Ordering;

// ---------------------------------------------------------------------------
// helpers

fn d(year: i32, month: u8, day: u8) -> Date {
    Date::new(year, month, day).expect("valid date")
}

fn cit(s: &str) -> ParsedCitation {
    parse_citation(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn loc(s: &str) -> Locator {
    parse_locator(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn prov(s: &str) -> Provision {
    match loc(s) {
        Locator::Provision(p) => p,
        other => panic!("{s:?} is not a provision: {other:?}"),
    }
}

fn case(name: &str, citation: Option<&str>, court: &str) -> CaseInfo {
    CaseInfo {
        name: name.to_string(),
        citation: citation.map(cit),
        court: court.to_string(),
        short_name: None,
        case_number: None,
        decided: None,
    }
}

fn short(mut c: CaseInfo, s: &str) -> CaseInfo {
    c.short_name = Some(s.to_string());
    c
}

fn numbered(mut c: CaseInfo, n: &str) -> CaseInfo {
    c.case_number = Some(n.to_string());
    c
}

fn decided(mut c: CaseInfo, date: Date) -> CaseInfo {
    c.decided = Some(date);
    c
}

fn corr() -> CaseInfo {
    short(
        case(
            "Corr v IBC Vehicles Ltd",
            Some("[2008] UKHL 13, [2008] 1 AC 884"),
            "HL",
        ),
        "Corr",
    )
}
fn page_v_smith() -> CaseInfo {
    short(case("Page v Smith", Some("[1996] AC 155"), "HL"), "Page")
}
fn commission_v_council() -> CaseInfo {
    numbered(
        case("Commission v Council", Some("[2005] ECR I-7879"), "ECJ"),
        "C-176/03",
    )
}
fn r_v_smith_unreported() -> CaseInfo {
    decided(case("R v Smith", None, "CA"), d(2019, 5, 3))
}
fn r_v_g() -> CaseInfo {
    short(
        case("R v G", Some("[2003] UKHL 50, [2004] 1 AC 1034"), "HL"),
        "G",
    )
}
fn jogee() -> CaseInfo {
    short(
        case("R v Jogee", Some("[2016] UKSC 8, [2017] AC 387"), "UKSC"),
        "Jogee",
    )
}
fn pagett() -> CaseInfo {
    short(
        case("R v Pagett", Some("(1983) 76 Cr App R 279"), "CA"),
        "Pagett",
    )
}
fn donoghue() -> CaseInfo {
    short(
        case("Donoghue v Stevenson", Some("[1932] AC 562"), "HL"),
        "Donoghue",
    )
}

fn hadley() -> CaseInfo {
    short(
        case(
            "Hadley v Baxendale",
            Some("(1854) 9 Exch 341, 156 ER 145"),
            "Exch",
        ),
        "Hadley",
    )
}
fn jonathan_cape() -> CaseInfo {
    short(
        case(
            "Attorney General v Jonathan Cape Ltd",
            Some("[1976] QB 752"),
            "QB",
        ),
        "Jonathan Cape",
    )
}
fn carlill() -> CaseInfo {
    short(
        case(
            "Carlill v Carbolic Smoke Ball Co",
            Some("[1893] 1 QB 256"),
            "CA",
        ),
        "Carlill",
    )
}
fn rylands() -> CaseInfo {
    short(
        case("Rylands v Fletcher", Some("(1868) LR 3 HL 330"), "HL"),
        "Rylands",
    )
}
fn tuberville() -> CaseInfo {
    case(
        "Tuberville v Savage",
        Some("(1669) 1 Mod Rep 3, 86 ER 684"),
        "KB",
    )
}
fn pinnel() -> CaseInfo {
    case(
        "Pinnel's Case",
        Some("(1602) 5 Co Rep 117a, 77 ER 237"),
        "CP",
    )
}

fn text(runs: &[Run]) -> String {
    plain(runs)
}

fn italics(runs: &[Run]) -> Vec<String> {
    runs.iter()
        .filter(|r| r.style == Style::Italic)
        .map(|r| r.text.clone())
        .collect()
}

fn assert_well_formed(runs: &[Run]) {
    for r in runs {
        assert!(!r.text.is_empty(), "empty run in {runs:?}");
    }
    for w in runs.windows(2) {
        assert_ne!(w[0].style, w[1].style, "unmerged runs in {runs:?}");
    }
}

fn instrument(title: &str, kind: InstrumentKind) -> InstrumentInfo {
    InstrumentInfo {
        title: title.to_string(),
        kind,
        si_number: None,
        adopted: None,
        opened: None,
        in_force: None,
        series: None,
        abbreviation: None,
    }
}

fn theft_act() -> InstrumentInfo {
    instrument("Theft Act 1968", InstrumentKind::Act)
}
fn cpr() -> InstrumentInfo {
    InstrumentInfo {
        si_number: Some("1998/3132".into()),
        ..instrument("Civil Procedure Rules 1998", InstrumentKind::Si)
    }
}
fn udhr() -> InstrumentInfo {
    InstrumentInfo {
        adopted: Some(d(1948, 12, 10)),
        series: Some("UNGA Res 217 A(III)".into()),
        abbreviation: Some("UDHR".into()),
        ..instrument(
            "Universal Declaration of Human Rights",
            InstrumentKind::Treaty,
        )
    }
}
fn vclt(abbreviation: Option<&str>) -> InstrumentInfo {
    InstrumentInfo {
        opened: Some(d(1969, 5, 23)),
        in_force: Some(d(1980, 1, 27)),
        series: Some("1155 UNTS 331".into()),
        abbreviation: abbreviation.map(String::from),
        ..instrument(
            "Vienna Convention on the Law of Treaties",
            InstrumentKind::Treaty,
        )
    }
}

// ---------------------------------------------------------------------------
// dates and runs

#[test]
fn dates() {
    let table: &[(Date, &str, &str)] = &[
        (d(1948, 12, 10), "10 December 1948", "1948-12-10"),
        (d(1969, 5, 23), "23 May 1969", "1969-05-23"),
        (d(1980, 1, 27), "27 January 1980", "1980-01-27"),
        (d(2019, 5, 3), "3 May 2019", "2019-05-03"),
        (d(2000, 2, 29), "29 February 2000", "2000-02-29"),
        (
            Date {
                year: 2000,
                month: 13,
                day: 1,
            },
            "1 13 2000",
            "2000-13-01",
        ),
        (
            Date {
                year: 2000,
                month: 0,
                day: 1,
            },
            "1 0 2000",
            "2000-00-01",
        ),
    ];
    for (date, long, iso) in table {
        assert_eq!(date.long(), *long);
        assert_eq!(date.iso(), *iso);
    }
    for (y, m, day, ok) in [
        (2001, 2, 29, false),
        (1900, 2, 29, false),
        (2024, 2, 29, true),
        (2024, 4, 31, false),
        (2024, 0, 1, false),
        (2024, 1, 0, false),
        (2024, 12, 31, true),
    ] {
        assert_eq!(Date::new(y, m, day).is_some(), ok, "{y}-{m}-{day}");
    }
    assert!(d(1948, 12, 10) < d(1969, 5, 23));
}

#[test]
fn runs_helpers() {
    let runs = vec![
        Run {
            text: "ibid".into(),
            style: Style::Roman,
        },
        Run {
            text: " [16]".into(),
            style: Style::Roman,
        },
    ];
    assert_eq!(text(&runs), "ibid [16]");
    let cap = capitalise_first(&runs);
    assert_eq!(
        cap,
        vec![Run {
            text: "Ibid [16]".into(),
            style: Style::Roman
        }]
    );
    let it = vec![
        Run {
            text: "corr".into(),
            style: Style::Italic,
        },
        Run {
            text: " (n 3)".into(),
            style: Style::Roman,
        },
    ];
    assert_eq!(text(&capitalise_first(&it)), "Corr (n 3)");
    assert_eq!(capitalise_first(&[]), Vec::<Run>::new());
    let empty_first = vec![
        Run {
            text: String::new(),
            style: Style::Italic,
        },
        Run {
            text: "ibid".into(),
            style: Style::Roman,
        },
    ];
    assert_eq!(
        capitalise_first(&empty_first),
        vec![Run {
            text: "Ibid".into(),
            style: Style::Roman
        }]
    );
}

// ---------------------------------------------------------------------------
// parse_citation

type N = Option<(u16, &'static str, u32, Option<&'static str>)>;
type R = (
    Option<u16>,
    bool,
    Option<&'static str>,
    &'static str,
    &'static str,
);

#[test]
fn citations_parse() {
    let table: &[(&str, N, &[R], &str)] = &[
        // spec, sections 3 and 5
        (
            "[1932] AC 562",
            None,
            &[(Some(1932), true, None, "AC", "562")],
            "[1932] AC 562",
        ),
        (
            "[2008] UKHL 13, [2008] 1 AC 884",
            Some((2008, "UKHL", 13, None)),
            &[(Some(2008), true, Some("1"), "AC", "884")],
            "[2008] UKHL 13, [2008] 1 AC 884",
        ),
        (
            "[1996] AC 155",
            None,
            &[(Some(1996), true, None, "AC", "155")],
            "[1996] AC 155",
        ),
        (
            "[2005] ECR I-7879",
            None,
            &[(Some(2005), true, None, "ECR", "I-7879")],
            "[2005] ECR I-7879",
        ),
        // the brief's neutral citations
        (
            "[2003] EWCA Crim 1234",
            Some((2003, "EWCA Crim", 1234, None)),
            &[],
            "[2003] EWCA Crim 1234",
        ),
        (
            "[2010] EWHC 123 (Admin)",
            Some((2010, "EWHC", 123, Some("Admin"))),
            &[],
            "[2010] EWHC 123 (Admin)",
        ),
        (
            "[2019] UKSC 41",
            Some((2019, "UKSC", 41, None)),
            &[],
            "[2019] UKSC 41",
        ),
        (
            "[2014] UKPC 9",
            Some((2014, "UKPC", 9, None)),
            &[],
            "[2014] UKPC 9",
        ),
        (
            "[2021] EWCA Civ 12",
            Some((2021, "EWCA Civ", 12, None)),
            &[],
            "[2021] EWCA Civ 12",
        ),
        (
            "[2020] EWHC 1 (QB)",
            Some((2020, "EWHC", 1, Some("QB"))),
            &[],
            "[2020] EWHC 1 (QB)",
        ),
        (
            "[2023] EWHC 2 (KB)",
            Some((2023, "EWHC", 2, Some("KB"))),
            &[],
            "[2023] EWHC 2 (KB)",
        ),
        (
            "[2019] EWHC 3 (Ch)",
            Some((2019, "EWHC", 3, Some("Ch"))),
            &[],
            "[2019] EWHC 3 (Ch)",
        ),
        (
            "[2001] EWHC Admin 123",
            Some((2001, "EWHC Admin", 123, None)),
            &[],
            "[2001] EWHC Admin 123",
        ),
        (
            "[2010] UKUT 123 (IAC)",
            Some((2010, "UKUT", 123, Some("IAC"))),
            &[],
            "[2010] UKUT 123 (IAC)",
        ),
        // the brief's reports
        (
            "(1983) 76 Cr App R 279",
            None,
            &[(Some(1983), false, Some("76"), "Cr App R", "279")],
            "(1983) 76 Cr App R 279",
        ),
        (
            "[1986] ICJ Rep 14",
            None,
            &[(Some(1986), true, None, "ICJ Rep", "14")],
            "[1986] ICJ Rep 14",
        ),
        (
            "(1765) 19 St Tr 1029",
            None,
            &[(Some(1765), false, Some("19"), "St Tr", "1029")],
            "(1765) 19 St Tr 1029",
        ),
        (
            "(1927) PCIJ Series A No 10",
            None,
            &[(Some(1927), false, None, "PCIJ Series A", "No 10")],
            "(1927) PCIJ Series A No 10",
        ),
        // real cases
        (
            "[2003] UKHL 50, [2004] 1 AC 1034",
            Some((2003, "UKHL", 50, None)),
            &[(Some(2004), true, Some("1"), "AC", "1034")],
            "[2003] UKHL 50, [2004] 1 AC 1034",
        ),
        (
            "[2016] UKSC 8, [2017] AC 387",
            Some((2016, "UKSC", 8, None)),
            &[(Some(2017), true, None, "AC", "387")],
            "[2016] UKSC 8, [2017] AC 387",
        ),
        (
            "[2017] UKSC 5, [2018] AC 61, [2017] 2 WLR 583",
            Some((2017, "UKSC", 5, None)),
            &[
                (Some(2018), true, None, "AC", "61"),
                (Some(2017), true, Some("2"), "WLR", "583"),
            ],
            "[2017] UKSC 5, [2018] AC 61, [2017] 2 WLR 583",
        ),
        (
            "[2001] Fam 147, [2000] 4 All ER 961",
            None,
            &[
                (Some(2001), true, None, "Fam", "147"),
                (Some(2000), true, Some("4"), "All ER", "961"),
            ],
            "[2001] Fam 147, [2000] 4 All ER 961",
        ),
        (
            "[2001] 1 All ER (Comm) 1",
            None,
            &[(Some(2001), true, Some("1"), "All ER (Comm)", "1")],
            "[2001] 1 All ER (Comm) 1",
        ),
        (
            "(1998) 29 EHRR 245",
            None,
            &[(Some(1998), false, Some("29"), "EHRR", "245")],
            "(1998) 29 EHRR 245",
        ),
        (
            "(1976) Series A no 24",
            None,
            &[(Some(1976), false, None, "Series A", "no 24")],
            "(1976) Series A no 24",
        ),
        (
            "(1842) 8 ER 718",
            None,
            &[(Some(1842), false, Some("8"), "ER", "718")],
            "(1842) 8 ER 718",
        ),
        // nominate reports and the English Reports (OSCOLA 4th edn 2.1.9): the ER
        // citation after a nominate report has no year; abbreviations keep their
        // spaces and ampersands
        (
            "(1854) 9 Exch 341, 156 ER 145",
            None,
            &[
                (Some(1854), false, Some("9"), "Exch", "341"),
                (None, false, Some("156"), "ER", "145"),
            ],
            "(1854) 9 Exch 341, 156 ER 145",
        ),
        (
            "(1765) 2 Wils KB 275, 95 ER 807",
            None,
            &[
                (Some(1765), false, Some("2"), "Wils KB", "275"),
                (None, false, Some("95"), "ER", "807"),
            ],
            "(1765) 2 Wils KB 275, 95 ER 807",
        ),
        (
            "(1669) 1 Mod Rep 3, 86 ER 684",
            None,
            &[
                (Some(1669), false, Some("1"), "Mod Rep", "3"),
                (None, false, Some("86"), "ER", "684"),
            ],
            "(1669) 1 Mod Rep 3, 86 ER 684",
        ),
        (
            "(1602) 5 Co Rep 117a, 77 ER 237",
            None,
            &[
                (Some(1602), false, Some("5"), "Co Rep", "117a"),
                (None, false, Some("77"), "ER", "237"),
            ],
            "(1602) 5 Co Rep 117a, 77 ER 237",
        ),
        (
            "(1857) 2 H & N 564, 157 ER 232",
            None,
            &[
                (Some(1857), false, Some("2"), "H & N", "564"),
                (None, false, Some("157"), "ER", "232"),
            ],
            "(1857) 2 H & N 564, 157 ER 232",
        ),
        (
            "(1818) 1 B & Ald 681, 106 ER 250",
            None,
            &[
                (Some(1818), false, Some("1"), "B & Ald", "681"),
                (None, false, Some("106"), "ER", "250"),
            ],
            "(1818) 1 B & Ald 681, 106 ER 250",
        ),
        (
            "(1852) 1 De G M & G 604, 42 ER 687",
            None,
            &[
                (Some(1852), false, Some("1"), "De G M & G", "604"),
                (None, false, Some("42"), "ER", "687"),
            ],
            "(1852) 1 De G M & G 604, 42 ER 687",
        ),
        (
            "(1842) 10 M & W 109, 152 ER 402",
            None,
            &[
                (Some(1842), false, Some("10"), "M & W", "109"),
                (None, false, Some("152"), "ER", "402"),
            ],
            "(1842) 10 M & W 109, 152 ER 402",
        ),
        (
            "(1775) 1 Cowp 341, 98 ER 1120",
            None,
            &[
                (Some(1775), false, Some("1"), "Cowp", "341"),
                (None, false, Some("98"), "ER", "1120"),
            ],
            "(1775) 1 Cowp 341, 98 ER 1120",
        ),
        (
            "(1766) 3 Burr 1905, 97 ER 1162",
            None,
            &[
                (Some(1766), false, Some("3"), "Burr", "1905"),
                (None, false, Some("97"), "ER", "1162"),
            ],
            "(1766) 3 Burr 1905, 97 ER 1162",
        ),
        (
            "(1772) Lofft 1, 98 ER 499",
            None,
            &[
                (Some(1772), false, None, "Lofft", "1"),
                (None, false, Some("98"), "ER", "499"),
            ],
            "(1772) Lofft 1, 98 ER 499",
        ),
        // several reports, then the English Reports
        (
            "(1843) 10 Cl & F 200, 8 ER 718",
            None,
            &[
                (Some(1843), false, Some("10"), "Cl & F", "200"),
                (None, false, Some("8"), "ER", "718"),
            ],
            "(1843) 10 Cl & F 200, 8 ER 718",
        ),
        (
            "(1854)  9 Exch 341 ,(1854) 23 LJ Ex 179,156  ER 145",
            None,
            &[
                (Some(1854), false, Some("9"), "Exch", "341"),
                (Some(1854), false, Some("23"), "LJ Ex", "179"),
                (None, false, Some("156"), "ER", "145"),
            ],
            "(1854) 9 Exch 341, (1854) 23 LJ Ex 179, 156 ER 145",
        ),
        // the English Reports alone, with its year
        (
            "(1842) 152 ER 402",
            None,
            &[(Some(1842), false, Some("152"), "ER", "402")],
            "(1842) 152 ER 402",
        ),
        // the Law Reports before 1891, and the Court of Appeal in QB
        (
            "(1868) LR 3 HL 330",
            None,
            &[(Some(1868), false, None, "LR 3 HL", "330")],
            "(1868) LR 3 HL 330",
        ),
        (
            "(1884) 14 QBD 273",
            None,
            &[(Some(1884), false, Some("14"), "QBD", "273")],
            "(1884) 14 QBD 273",
        ),
        (
            "(1879) 4 Ex D 216",
            None,
            &[(Some(1879), false, Some("4"), "Ex D", "216")],
            "(1879) 4 Ex D 216",
        ),
        (
            "[1893] 1 QB 256",
            None,
            &[(Some(1893), true, Some("1"), "QB", "256")],
            "[1893] 1 QB 256",
        ),
        (
            "[1976] QB 752",
            None,
            &[(Some(1976), true, None, "QB", "752")],
            "[1976] QB 752",
        ),
        // whitespace is normalised
        (
            "  [1932]   AC  562 ",
            None,
            &[(Some(1932), true, None, "AC", "562")],
            "[1932] AC 562",
        ),
        (
            "[2008] UKHL 13 ,  [2008] 1 AC 884",
            Some((2008, "UKHL", 13, None)),
            &[(Some(2008), true, Some("1"), "AC", "884")],
            "[2008] UKHL 13, [2008] 1 AC 884",
        ),
    ];
    for (input, neutral, reports, printed) in table {
        let p = cit(input);
        let want_n = neutral.map(|(year, court, number, division)| NeutralCitation {
            year,
            court: court.to_string(),
            number,
            division: division.map(String::from),
        });
        assert_eq!(p.neutral, want_n, "{input}");
        let want_r: Vec<Report> = reports
            .iter()
            .map(|&(year, square, volume, series, page)| Report {
                year,
                square,
                volume: volume.map(String::from),
                series: series.to_string(),
                page: page.to_string(),
            })
            .collect();
        assert_eq!(p.reports, want_r, "{input}");
        assert_eq!(p.to_string(), *printed, "{input}");
        assert_eq!(cit(printed), p, "{input}: printed form reparses");
    }
    assert_eq!(
        cit("[2003] UKHL 50, [2004] 1 AC 1034").first_year(),
        Some(2003)
    );
    assert_eq!(cit("(1983) 76 Cr App R 279").first_year(), Some(1983));
    assert_eq!(
        cit("(1854) 9 Exch 341, 156 ER 145").first_year(),
        Some(1854)
    );
}

#[test]
fn citation_errors() {
    // (input, text the span covers, words in the message)
    let table: &[(&str, &str, &str)] = &[
        ("", "", "empty citation"),
        ("   ", "   ", "empty citation"),
        ("AC 562", "AC 562", "no year in brackets"),
        ("1932 AC 562", "1932 AC 562", "no year in brackets"),
        (
            "[2008] UKHL 13, 2008 1 AC 884",
            "2008 1 AC 884",
            "no year in brackets",
        ),
        (
            "[1932] AC 562, [2008] UKHL 13",
            "[2008] UKHL 13",
            "must come first",
        ),
        (
            "[2008] UKHL 13, [2009] UKHL 14",
            "[2009] UKHL 14",
            "must come first",
        ),
        ("[1932 AC 562", "[", "never closed"),
        ("[1932] AC 562)", ")", "unmatched"),
        ("(1932] AC 562", "(1932]", "closed by"),
        ("[2008] UKHL 13,", ",", "empty part"),
        ("[2008] UKHL 13,, [2008] 1 AC 884", ",", "empty part"),
        ("[2008] UKHL", "[2008] UKHL", "judgment number"),
        (
            "[2008] UKHL thirteen",
            "[2008] UKHL thirteen",
            "judgment number",
        ),
        ("(2008) UKHL 13", "(2008)", "square brackets"),
        ("[2003] EWCA 1234", "[2003] EWCA 1234", "division"),
        ("[2010] EWHC 123", "[2010] EWHC 123", "division"),
        ("[2010] EWHC 123 ()", "()", "empty division"),
        (
            "[2008] UKHL 13 [2008] 1 AC 884",
            "[2008] 1 AC 884",
            "after the neutral citation",
        ),
        ("[1996] AC 155 (HL)", "(HL)", "brackets after the page"),
        ("[1932] AC", "AC", "first page"),
        ("[2008] 1 AC 884 [14]", "[14]", "brackets after the page"),
        ("[1932] 562", "[1932] 562", "no series"),
        ("[1932] 1 2", "1", "no series"),
        ("[19x2] AC 562", "[19x2]", "not a year"),
        ("[] AC 562", "[]", "no year"),
        ("(1979-80) 2 EHRR 245", "(1979-80)", "year ranges"),
        ("[1932]", "[1932]", "nothing after the year"),
        ("[2008] UKHL 99999999999", "99999999999", "too large"),
        // only the English Reports after a nominate report goes without a year
        (
            "156 ER 145",
            "156 ER 145",
            "must follow its nominate report",
        ),
        (
            "[2008] UKHL 13, 156 ER 145",
            "156 ER 145",
            "must follow its nominate report",
        ),
        (
            "(1854) 9 Exch 341, 23 LJ Ex 179",
            "23 LJ Ex 179",
            "no year in brackets",
        ),
        ("(1854) 9 Exch 341, ER 145", "ER 145", "needs its volume"),
        (
            "(1854) 9 Exch 341, 156 ER 145 (Exch)",
            "(Exch)",
            "brackets after the page",
        ),
        ("(1854) 9 Exch 341, 156 ER", "ER", "first page"),
    ];
    for (input, covered, message) in table {
        let e = parse_citation(input).expect_err(input);
        assert_eq!(&input[e.span.clone()], *covered, "{input}: {e:?}");
        assert!(e.message.contains(message), "{input}: {e:?}");
    }
    // hints
    let e = parse_citation("[1932] AC 562, [2008] UKHL 13").unwrap_err();
    assert_eq!(
        e.hint.as_deref(),
        Some("put it first: `[2008] UKHL 13, [1932] AC 562`")
    );
    let e = parse_citation("(2008) UKHL 13").unwrap_err();
    assert_eq!(e.hint.as_deref(), Some("write `[2008] UKHL 13`"));
    let e = parse_citation("[1996] AC 155 (HL)").unwrap_err();
    assert!(e.hint.unwrap().contains("court = \"HL\""));
    let e = parse_citation("[2008] 1 AC 884 [14]").unwrap_err();
    assert_eq!(
        e.hint.as_deref(),
        Some("a pinpoint goes where the case is cited: `[@id, [14]]`")
    );
    let e = parse_citation("[2010] EWHC 123").unwrap_err();
    assert!(e.hint.unwrap().contains("[2010] EWHC 123 (Admin)"));
    let e = parse_citation("156 ER 145").unwrap_err();
    assert_eq!(
        e.hint.as_deref(),
        Some("cite the nominate report first, as in `(1854) 9 Exch 341, 156 ER 145`, or give the year: `(1854) 156 ER 145`")
    );
    let e = parse_citation("(1854) 9 Exch 341, 23 LJ Ex 179").unwrap_err();
    assert!(
        e.hint
            .unwrap()
            .contains("only an English Reports citation after its nominate report"),
        "the hint says which report may go without a year"
    );
}

// ---------------------------------------------------------------------------
// parse_locator

fn pins(list: &[(&str, Option<&str>)]) -> Vec<Pinpoint> {
    list.iter()
        .map(|&(from, to)| Pinpoint {
            from: from.into(),
            to: to.map(String::from),
        })
        .collect()
}
fn para(from: &str, to: Option<&str>) -> Locator {
    Locator::Paragraphs(pins(&[(from, to)]))
}
fn page(from: &str, to: Option<&str>) -> Locator {
    Locator::Pages(pins(&[(from, to)]))
}
fn paras(list: &[(&str, Option<&str>)]) -> Locator {
    Locator::Paragraphs(pins(list))
}
fn pages(list: &[(&str, Option<&str>)]) -> Locator {
    Locator::Pages(pins(list))
}
fn pv(kind: ProvisionKind, label: &str) -> Locator {
    Locator::Provision(Provision {
        kind,
        label: label.into(),
    })
}

#[test]
fn locators_parse() {
    use ProvisionKind::*;
    let table: Vec<(&str, Locator, &str)> = vec![
        // spec section 2.1
        ("[14]", para("14", None), "[14]"),
        ("580", page("580", None), "580"),
        ("580–81", page("580", Some("81")), "580–81"),
        ("s 1(1)", pv(Section, "1(1)"), "s 1(1)"),
        ("ss 1-6", pv(Sections, "1-6"), "ss 1–6"),
        ("art 2(4)", pv(Article, "2(4)"), "art 2(4)"),
        ("reg 3", pv(Regulation, "3"), "reg 3"),
        ("r 54.5", pv(Rule, "54.5"), "r 54.5"),
        ("sch 1", pv(Schedule, "1"), "sch 1"),
        ("para 3", pv(Paragraph, "3"), "para 3"),
        // paragraphs
        ("[14]-[16]", para("14", Some("16")), "[14]–[16]"),
        ("[14]–[16]", para("14", Some("16")), "[14]–[16]"),
        ("[14] – [16]", para("14", Some("16")), "[14]–[16]"),
        ("[14-16]", para("14", Some("16")), "[14]–[16]"),
        ("  [87]  ", para("87", None), "[87]"),
        ("[14A]", para("14A", None), "[14A]"),
        // pages
        ("580-81", page("580", Some("81")), "580–81"),
        ("580-581", page("580", Some("581")), "580–581"),
        ("580 – 81", page("580", Some("81")), "580–81"),
        ("98-102", page("98", Some("102")), "98–102"),
        ("165", page("165", None), "165"),
        // lists of paragraphs and pages, ranges mixed in (OSCOLA 4th edn 2.1.6)
        (
            "[42], [45]",
            paras(&[("42", None), ("45", None)]),
            "[42], [45]",
        ),
        (
            "[42]–[45], [50]",
            paras(&[("42", Some("45")), ("50", None)]),
            "[42]–[45], [50]",
        ),
        (
            "[42]-[45],[50]",
            paras(&[("42", Some("45")), ("50", None)]),
            "[42]–[45], [50]",
        ),
        (
            "[7] , [42-45] ,  [50]",
            paras(&[("7", None), ("42", Some("45")), ("50", None)]),
            "[7], [42]–[45], [50]",
        ),
        (
            "[1], [3]–[5], [9]–[12]",
            paras(&[("1", None), ("3", Some("5")), ("9", Some("12"))]),
            "[1], [3]–[5], [9]–[12]",
        ),
        (
            "530, 534",
            pages(&[("530", None), ("534", None)]),
            "530, 534",
        ),
        ("530–31", page("530", Some("31")), "530–31"),
        (
            "530-31, 534",
            pages(&[("530", Some("31")), ("534", None)]),
            "530–31, 534",
        ),
        (
            "530,534 – 36,540-541",
            pages(&[("530", None), ("534", Some("36")), ("540", Some("541"))]),
            "530, 534–36, 540–541",
        ),
        // provisions
        ("s 3A", pv(Section, "3A"), "s 3A"),
        ("arts 31-32", pv(Articles, "31-32"), "arts 31–32"),
        ("ss 1–6", pv(Sections, "1-6"), "ss 1–6"),
        ("ss 1 - 6", pv(Sections, "1-6"), "ss 1–6"),
        ("ss 1 and 2", pv(Sections, "1 and 2"), "ss 1 and 2"),
        ("ss 1, 3", pv(Sections, "1, 3"), "ss 1, 3"),
        ("Art 8", pv(Article, "8"), "art 8"),
        ("s 1(1)(a)", pv(Section, "1(1)(a)"), "s 1(1)(a)"),
        ("reg 3(2)(b)", pv(Regulation, "3(2)(b)"), "reg 3(2)(b)"),
        ("sch 1, para 3", pv(Schedule, "1, para 3"), "sch 1, para 3"),
        ("sch 1 para 3", pv(Schedule, "1, para 3"), "sch 1, para 3"),
        ("sch A1", pv(Schedule, "A1"), "sch A1"),
        ("art 31(3)(c)", pv(Article, "31(3)(c)"), "art 31(3)(c)"),
    ];
    for (input, want, shown) in table {
        let got = loc(input);
        assert_eq!(got, want, "{input}");
        assert_eq!(got.display(), shown, "{input}");
        assert_eq!(loc(shown), got, "{input}: display reparses");
    }
}

#[test]
fn locator_errors() {
    // (input, text the span covers, words in the message, words in the hint)
    let table: &[(&str, &str, &str, &str)] = &[
        ("", "", "empty pinpoint", "[14]"),
        ("p 580", "p", "unknown provision", "bare number"),
        ("pp 580-81", "pp", "unknown provision", "bare number"),
        ("section 1", "section", "unknown provision", "`s 1`"),
        ("article 8", "article", "unknown provision", "`art 8`"),
        ("s1", "s1", "space", "`s 1`"),
        ("s. 1", ".", "full stop", "`s 1`"),
        ("s", "s", "needs a number", "`s 1`"),
        ("ss 1", "ss 1", "several", "`s 1`"),
        ("s 1-6", "1-6", "several sections", "`ss 1–6`"),
        ("art 2, 3", "2, 3", "several articles", "`arts 2, 3`"),
        ("reg 3-5", "3-5", "several regulations", "`reg 3`"),
        ("regs 3-5", "regs", "unknown provision", "`reg 3-5`"),
        ("[16]-[14]", "[16]-[14]", "ends before it starts", "lower"),
        ("580-579", "580-579", "ends before it starts", "lower"),
        ("580-80", "580-80", "ends before it starts", "lower"),
        ("[14", "[14", "unclosed", "[14]"),
        ("[14] [16]", " [16]", "unexpected text", "[14]–[16]"),
        ("[14]-16", "[14]-16", "paragraph in brackets", "[14]–[16]"),
        ("[]", "[]", "not a paragraph", "[14]"),
        ("580f", "580f", "not a page", "580"),
        ("580, 582f", "582f", "not a page", "580"),
        // lists
        ("[42], 45", "45", "mixes paragraphs and pages", "[42], [45]"),
        (
            "530, [14]",
            "[14]",
            "mixes paragraphs and pages",
            "530, 534",
        ),
        ("[42],", ",", "empty item", "[42], [45]"),
        ("[42], , [45]", ",", "empty item", "[42], [45]"),
        (",[42]", ",[42]", "unrecognised", "[42], [45]"),
        ("530,, 534", ",", "empty item", "530, 534"),
        (
            "[42], and [45]",
            "and [45]",
            "not one of the paragraphs",
            "[42], [45]",
        ),
        ("530, p 534", "p 534", "not one of the pages", "530, 534"),
        (
            "[45], [42]-[40]",
            "[42]-[40]",
            "ends before it starts",
            "lower",
        ),
        ("530, 534-33", "534-33", "ends before it starts", "lower"),
        ("[42], [45", "[45", "unclosed", "[14]"),
        ("[42], [45] [46]", " [46]", "unexpected text", "[14], [16]"),
        ("#1", "#1", "unrecognised", "[14]"),
        ("art 2(", "2(", "not a article", "s 1(1)"),
        ("s 1()", "1()", "not a section", "s 1(1)"),
        ("sch 1, pt", "1, pt", "schedule", "sch 1, para 3"),
    ];
    for (input, covered, message, hint) in table {
        let e = parse_locator(input).expect_err(input);
        assert_eq!(&input[e.span.clone()], *covered, "{input}: {e:?}");
        assert!(e.message.contains(message), "{input}: {e:?}");
        assert!(
            e.hint.as_deref().unwrap_or("").contains(hint),
            "{input}: {e:?}"
        );
    }
}

#[test]
fn provision_display_and_base_label() {
    let table: &[(&str, &str, &str)] = &[
        ("s 1(1)", "s 1(1)", "s 1"),
        ("art 2(4)", "art 2(4)", "art 2"),
        ("r 54.5", "r 54.5", "r 54.5"),
        ("s 3A", "s 3A", "s 3A"),
        ("ss 1-6", "ss 1–6", "s 1"),
        ("arts 31-32", "arts 31–32", "art 31"),
        ("ss 4 and 5", "ss 4 and 5", "s 4"),
        ("sch 1, para 3", "sch 1, para 3", "sch 1"),
        ("reg 3(2)(b)", "reg 3(2)(b)", "reg 3"),
        ("para 3", "para 3", "para 3"),
        ("r 54.5(1)", "r 54.5(1)", "r 54.5"),
    ];
    for (input, shown, base) in table {
        let p = prov(input);
        assert_eq!(p.display(), *shown, "{input}");
        assert_eq!(p.base_label(), *base, "{input}");
    }
}

// ---------------------------------------------------------------------------
// parse_provision_heading

#[test]
fn provision_headings() {
    use ProvisionKind::*;
    let table: &[(&str, ProvisionKind, &str, &str)] = &[
        // spec section 4 and the brief
        (
            "s 1 Basic definition of theft",
            Section,
            "1",
            "Basic definition of theft",
        ),
        ("art 2 Purposes", Article, "2", "Purposes"),
        (
            "r 54.5 Time limit for filing claim form",
            Rule,
            "54.5",
            "Time limit for filing claim form",
        ),
        ("sch 1", Schedule, "1", ""),
        ("s 3A Something", Section, "3A", "Something"),
        ("s 1. Theft", Section, "1", "Theft"),
        ("s 1 – Basic definition", Section, "1", "Basic definition"),
        ("s 1: Basic definition", Section, "1", "Basic definition"),
        ("reg 3 Interpretation", Regulation, "3", "Interpretation"),
        (
            "para 3 Duty to co-operate",
            Paragraph,
            "3",
            "Duty to co-operate",
        ),
        (
            "Art 8 Right to respect for private and family life",
            Article,
            "8",
            "Right to respect for private and family life",
        ),
        (
            "  s 12  Taking motor vehicle  ",
            Section,
            "12",
            "Taking motor vehicle",
        ),
        ("sch A1 Administration", Schedule, "A1", "Administration"),
    ];
    for (input, kind, label, rest) in table {
        let (p, r) = parse_provision_heading(input).unwrap_or_else(|e| panic!("{input}: {e:?}"));
        assert_eq!(
            p,
            Provision {
                kind: *kind,
                label: label.to_string()
            },
            "{input}"
        );
        assert_eq!(r, *rest, "{input}");
    }
    // The heading's provision is what base_label() of a pinpoint names.
    for (pin, heading) in [
        ("s 1(1)", "s 1 Basic definition of theft"),
        ("art 2(4)", "art 2 Purposes"),
        ("r 54.5", "r 54.5 Time limit"),
        ("ss 1-6", "s 1 Basic definition of theft"),
        ("Art 8(2)", "art 8 Private life"),
        ("sch 1, para 3", "sch 1"),
    ] {
        assert_eq!(
            prov(pin).base_label(),
            parse_provision_heading(heading).unwrap().0.display(),
            "{pin}"
        );
    }

    let errors: &[(&str, &str, &str)] = &[
        ("Section 1 Theft", "Section", "`s 1`"),
        (
            "Basic definition",
            "Basic",
            "`s`, `art`, `reg`, `r`, `sch` or `para`",
        ),
        ("ss 1-6 General", "ss", "own heading"),
        ("", "", "`s`, `art`, `reg`, `r`, `sch` or `para`"),
        ("s", "s", "`s 1`"),
        ("s1 Theft", "s1 Theft", "`s 1 Theft`"),
        (
            "1 Theft",
            "1 Theft",
            "`s`, `art`, `reg`, `r`, `sch` or `para`",
        ),
        (
            "s (1) Theft",
            "(1)",
            "`s`, `art`, `reg`, `r`, `sch` or `para`",
        ),
    ];
    for (input, covered, hint) in errors {
        let e = parse_provision_heading(input).expect_err(input);
        assert_eq!(&input[e.span.clone()], *covered, "{input}: {e:?}");
        assert!(
            e.hint.as_deref().unwrap_or("").contains(hint),
            "{input}: {e:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// case printing

#[test]
fn case_full_forms() {
    let brasserie = numbered(
        case(
            "Brasserie du Pêcheur SA v Germany",
            Some("[1996] ECR I-1029"),
            "ECJ",
        ),
        "C-46/93 and C-48/93",
    );
    let nicaragua = case(
        "Military and Paramilitary Activities in and against Nicaragua (Nicaragua v United States of America) (Merits)",
        Some("[1986] ICJ Rep 14"),
        "ICJ",
    );
    let omojudi = decided(
        numbered(case("Omojudi v UK", None, "ECtHR"), "App no 1820/08"),
        d(2009, 11, 24),
    );
    let table: Vec<(CaseInfo, Option<&str>, &str)> = vec![
        // spec section 5 and the brief
        (corr(), Some("[14]"), "Corr v IBC Vehicles Ltd [2008] UKHL 13, [2008] 1 AC 884 [14]"),
        (corr(), None, "Corr v IBC Vehicles Ltd [2008] UKHL 13, [2008] 1 AC 884"),
        (page_v_smith(), None, "Page v Smith [1996] AC 155 (HL)"),
        (page_v_smith(), Some("165"), "Page v Smith [1996] AC 155 (HL) 165"),
        (commission_v_council(), None, "Case C-176/03 Commission v Council [2005] ECR I-7879"),
        (r_v_smith_unreported(), None, "R v Smith (CA, 3 May 2019)"),
        // pinpoints and ranges
        (corr(), Some("890"), "Corr v IBC Vehicles Ltd [2008] UKHL 13, [2008] 1 AC 884, 890"),
        (corr(), Some("[14]-[16]"), "Corr v IBC Vehicles Ltd [2008] UKHL 13, [2008] 1 AC 884 [14]–[16]"),
        (page_v_smith(), Some("165-67"), "Page v Smith [1996] AC 155 (HL) 165–67"),
        (donoghue(), Some("580-81"), "Donoghue v Stevenson [1932] AC 562 (HL) 580–81"),
        (r_v_g(), Some("[32]"), "R v G [2003] UKHL 50, [2004] 1 AC 1034 [32]"),
        (jogee(), Some("[87]–[89]"), "R v Jogee [2016] UKSC 8, [2017] AC 387 [87]–[89]"),
        (pagett(), None, "R v Pagett (1983) 76 Cr App R 279 (CA)"),
        (pagett(), Some("288"), "R v Pagett (1983) 76 Cr App R 279 (CA) 288"),
        (
            case("R v Pagett", Some("(1983) 76 Cr App R 279"), "CA (Crim Div)"),
            None,
            "R v Pagett (1983) 76 Cr App R 279 (CA, Crim Div)",
        ),
        (
            case("Re A (Conjoined Twins)", Some("[2001] Fam 147"), "CA"),
            Some("[45]"),
            "Re A (Conjoined Twins) [2001] Fam 147 (CA) [45]",
        ),
        (
            case(
                "Overseas Tankship (UK) Ltd v Morts Dock and Engineering Co Ltd (The Wagon Mound)",
                Some("[1961] AC 388"),
                "PC",
            ),
            None,
            "Overseas Tankship (UK) Ltd v Morts Dock and Engineering Co Ltd (The Wagon Mound) [1961] AC 388 (PC)",
        ),
        // the court bracket after a series that shares the court's name but also
        // carries the Court of Appeal (OSCOLA 4th edn 2.1.5)
        (jonathan_cape(), Some("770"), "Attorney General v Jonathan Cape Ltd [1976] QB 752 (QB) 770"),
        (jonathan_cape(), None, "Attorney General v Jonathan Cape Ltd [1976] QB 752 (QB)"),
        (carlill(), None, "Carlill v Carbolic Smoke Ball Co [1893] 1 QB 256 (CA)"),
        (carlill(), Some("262"), "Carlill v Carbolic Smoke Ball Co [1893] 1 QB 256 (CA) 262"),
        (case("X v Y", Some("[1950] 1 KB 1"), "KB"), None, "X v Y [1950] 1 KB 1 (KB)"),
        (case("X v Y", Some("[1990] Ch 1"), "Ch"), None, "X v Y [1990] Ch 1 (Ch)"),
        (case("X v Y", Some("[1990] Fam 1"), "Fam"), None, "X v Y [1990] Fam 1 (Fam)"),
        (case("X v Y", Some("(1884) 14 QBD 273"), "QBD"), None, "X v Y (1884) 14 QBD 273 (QBD)"),
        (case("R v Dudley and Stephens", Some("(1884) 14 QBD 273"), "DC"), None, "R v Dudley and Stephens (1884) 14 QBD 273 (DC)"),
        (case("Rylands v Fletcher", Some("(1866) LR 1 Ex 265"), "Ex Ch"), None, "Rylands v Fletcher (1866) LR 1 Ex 265 (Ex Ch)"),
        (case("X v Y", Some("(1870) LR 5 QB 1"), "QB"), None, "X v Y (1870) LR 5 QB 1 (QB)"),
        (case("X v Y", Some("[2001] 1 All ER (Comm) 1"), "Comm"), None, "X v Y [2001] 1 All ER (Comm) 1 (Comm)"),
        // a series that reports only the court it is named after
        (rylands(), None, "Rylands v Fletcher (1868) LR 3 HL 330"),
        (rylands(), Some("339"), "Rylands v Fletcher (1868) LR 3 HL 330, 339"),
        (case("X v Y", Some("(1870) LR 3 PC 1"), "PC"), None, "X v Y (1870) LR 3 PC 1"),
        // nominate reports and the English Reports (OSCOLA 4th edn 2.1.9)
        (hadley(), None, "Hadley v Baxendale (1854) 9 Exch 341, 156 ER 145"),
        (hadley(), Some("151"), "Hadley v Baxendale (1854) 9 Exch 341, 156 ER 145, 151"),
        (tuberville(), None, "Tuberville v Savage (1669) 1 Mod Rep 3, 86 ER 684 (KB)"),
        (pinnel(), Some("238"), "Pinnel's Case (1602) 5 Co Rep 117a, 77 ER 237 (CP) 238"),
        (case("Entick v Carrington", Some("(1765) 2 Wils KB 275, 95 ER 807"), "CP"), None, "Entick v Carrington (1765) 2 Wils KB 275, 95 ER 807 (CP)"),
        (case("Entick v Carrington", Some("(1765) 19 St Tr 1029"), "CP"), Some("1066"), "Entick v Carrington (1765) 19 St Tr 1029 (CP) 1066"),
        (case("Winterbottom v Wright", Some("(1842) 152 ER 402"), "Exch"), None, "Winterbottom v Wright (1842) 152 ER 402 (Exch)"),
        (case("Tulk v Moxhay", Some("(1848) 2 Ph 774, 41 ER 1143"), ""), None, "Tulk v Moxhay (1848) 2 Ph 774, 41 ER 1143"),
        // pinpoint lists
        (corr(), Some("[42], [45]"), "Corr v IBC Vehicles Ltd [2008] UKHL 13, [2008] 1 AC 884 [42], [45]"),
        (corr(), Some("[42]–[45], [50]"), "Corr v IBC Vehicles Ltd [2008] UKHL 13, [2008] 1 AC 884 [42]–[45], [50]"),
        (corr(), Some("890, 894"), "Corr v IBC Vehicles Ltd [2008] UKHL 13, [2008] 1 AC 884, 890, 894"),
        (page_v_smith(), Some("530, 534"), "Page v Smith [1996] AC 155 (HL) 530, 534"),
        (page_v_smith(), Some("530-31"), "Page v Smith [1996] AC 155 (HL) 530–31"),
        (page_v_smith(), Some("530–31, 534"), "Page v Smith [1996] AC 155 (HL) 530–31, 534"),
        // neutral citation only; court never printed with one
        (case("R v Smith", Some("[2019] EWCA Crim 123"), "CA"), Some("[7]"), "R v Smith [2019] EWCA Crim 123 [7]"),
        (case("R (Miller) v Prime Minister", Some("[2019] UKSC 41, [2020] AC 373"), "UKSC"), None, "R (Miller) v Prime Minister [2019] UKSC 41, [2020] AC 373"),
        // series that name their court
        (brasserie, None, "Joined Cases C-46/93 and C-48/93 Brasserie du Pêcheur SA v Germany [1996] ECR I-1029"),
        (nicaragua, Some("[190]"), "Military and Paramilitary Activities in and against Nicaragua (Nicaragua v United States of America) (Merits) [1986] ICJ Rep 14 [190]"),
        (case("The Case of the SS Lotus (France v Turkey)", Some("(1927) PCIJ Series A No 10"), "PCIJ"), None, "The Case of the SS Lotus (France v Turkey) (1927) PCIJ Series A No 10"),
        (case("Osman v UK", Some("(1998) 29 EHRR 245"), "ECtHR"), Some("[115]"), "Osman v UK (1998) 29 EHRR 245 [115]"),
        (omojudi, None, "Omojudi v UK App no 1820/08 (ECtHR, 24 November 2009)"),
        // unreported edge cases
        (case("R v Smith", None, "CA"), None, "R v Smith (CA)"),
        (decided(case("R v Smith", None, "CA"), d(2019, 5, 3)), Some("[12]"), "R v Smith (CA, 3 May 2019) [12]"),
        (case("R v Smith", None, ""), Some("5"), "R v Smith, 5"),
    ];
    for (c, pin, want) in table {
        let pin = pin.map(loc);
        let runs = case_full(&c, pin.as_ref());
        assert_well_formed(&runs);
        assert_eq!(text(&runs), want, "{}", c.name);
        assert_eq!(
            italics(&runs),
            vec![c.name.trim().to_string()],
            "{}: only the name is italic",
            c.name
        );
    }
    // exact runs
    assert_eq!(
        case_full(&commission_v_council(), None),
        vec![
            Run {
                text: "Case C-176/03 ".into(),
                style: Style::Roman
            },
            Run {
                text: "Commission v Council".into(),
                style: Style::Italic
            },
            Run {
                text: " [2005] ECR I-7879".into(),
                style: Style::Roman
            },
        ]
    );
    assert_eq!(
        case_full(&corr(), Some(&loc("[14]"))),
        vec![
            Run {
                text: "Corr v IBC Vehicles Ltd".into(),
                style: Style::Italic
            },
            Run {
                text: " [2008] UKHL 13, [2008] 1 AC 884 [14]".into(),
                style: Style::Roman
            },
        ]
    );
}

#[test]
fn case_short_forms() {
    let table: Vec<(CaseInfo, Option<&str>, &str)> = vec![
        (corr(), Some("[14]"), "Corr [14]"),
        (page_v_smith(), Some("165"), "Page 165"),
        (page_v_smith(), Some("165-67"), "Page 165–67"),
        (corr(), None, "Corr"),
        (
            case("R v G", Some("[2003] UKHL 50"), "HL"),
            Some("[32]"),
            "R v G [32]",
        ),
        (jogee(), Some("[87]-[89]"), "Jogee [87]–[89]"),
        (corr(), Some("[42], [45]"), "Corr [42], [45]"),
        (corr(), Some("[42]-[45], [50]"), "Corr [42]–[45], [50]"),
        (page_v_smith(), Some("530-31, 534"), "Page 530–31, 534"),
        (hadley(), Some("151"), "Hadley 151"),
        (jonathan_cape(), Some("770"), "Jonathan Cape 770"),
        (short(case("X v Y", None, "CA"), "  "), None, "X v Y"),
    ];
    for (c, pin, want) in table {
        let pin = pin.map(loc);
        let runs = case_short(&c, pin.as_ref());
        assert_well_formed(&runs);
        assert_eq!(text(&runs), want);
        assert_eq!(runs[0].style, Style::Italic);
    }
}

#[test]
fn case_table_entries() {
    let table: Vec<(CaseInfo, &str)> = vec![
        (
            corr(),
            "Corr v IBC Vehicles Ltd [2008] UKHL 13, [2008] 1 AC 884",
        ),
        (
            commission_v_council(),
            "Commission v Council (C-176/03) [2005] ECR I-7879",
        ),
        (page_v_smith(), "Page v Smith [1996] AC 155 (HL)"),
        (pagett(), "R v Pagett (1983) 76 Cr App R 279 (CA)"),
        (r_v_smith_unreported(), "R v Smith (CA, 3 May 2019)"),
        (
            case("Re A (Conjoined Twins)", Some("[2001] Fam 147"), "CA"),
            "A (Conjoined Twins), Re [2001] Fam 147 (CA)",
        ),
        (
            case("The Wagon Mound (No 2)", Some("[1967] 1 AC 617"), "PC"),
            "Wagon Mound (No 2), The [1967] 1 AC 617 (PC)",
        ),
        (
            numbered(
                case("Commission v Council", Some("[2005] ECR I-7879"), "ECJ"),
                "Case C-176/03",
            ),
            "Commission v Council (C-176/03) [2005] ECR I-7879",
        ),
        (hadley(), "Hadley v Baxendale (1854) 9 Exch 341, 156 ER 145"),
        (
            jonathan_cape(),
            "Attorney General v Jonathan Cape Ltd [1976] QB 752 (QB)",
        ),
        (
            carlill(),
            "Carlill v Carbolic Smoke Ball Co [1893] 1 QB 256 (CA)",
        ),
        (rylands(), "Rylands v Fletcher (1868) LR 3 HL 330"),
        (
            tuberville(),
            "Tuberville v Savage (1669) 1 Mod Rep 3, 86 ER 684 (KB)",
        ),
        (
            pinnel(),
            "Pinnel's Case (1602) 5 Co Rep 117a, 77 ER 237 (CP)",
        ),
    ];
    for (c, want) in table {
        let runs = case_table_entry(&c);
        assert_well_formed(&runs);
        assert_eq!(text(&runs), want);
        assert!(
            runs.iter().all(|r| r.style == Style::Roman),
            "{want}: all roman"
        );
    }
}

#[test]
fn case_sort_keys_and_table_names() {
    let keys: &[(&str, &str)] = &[
        ("Re A (Conjoined Twins)", "a conjoined twins re"),
        ("The Wagon Mound", "wagon mound the"),
        ("R v G", "r v g"),
        (
            "R (Miller) v Secretary of State for Exiting the European Union",
            "r miller v secretary of state for exiting the european union",
        ),
        ("Donoghue v Stevenson", "donoghue v stevenson"),
        ("O'Brien v Sim-Chem Ltd", "obrien v sim chem ltd"),
        (
            "Brasserie du Pêcheur SA v Germany",
            "brasserie du pecheur sa v germany",
        ),
        (
            "Reeves v Commissioner of Police of the Metropolis",
            "reeves v commissioner of police of the metropolis",
        ),
        ("Theakston v MGN Ltd", "theakston v mgn ltd"),
        ("Pinnel's Case", "pinnels case"),
        ("Hadley v Baxendale", "hadley v baxendale"),
        (
            "Attorney General v Jonathan Cape Ltd",
            "attorney general v jonathan cape ltd",
        ),
        ("  re B  ", "b re"),
        ("Re", "re"),
        ("", ""),
    ];
    for (name, key) in keys {
        assert_eq!(case_sort_key(name), *key, "{name}");
    }
    let names: &[(&str, &str)] = &[
        ("Re A (Conjoined Twins)", "A (Conjoined Twins), Re"),
        ("The Wagon Mound", "Wagon Mound, The"),
        ("R v G", "R v G"),
        (
            "Reeves v Commissioner of Police",
            "Reeves v Commissioner of Police",
        ),
        (" Page v Smith ", "Page v Smith"),
    ];
    for (name, shown) in names {
        assert_eq!(case_table_name(name), *shown, "{name}");
    }
    // Filing order of a table of cases.
    let mut list = vec![
        "The Wagon Mound",
        "R v Jogee",
        "Page v Smith",
        "R v G",
        "Airedale NHS Trust v Bland",
        "R (Miller) v Secretary of State for Exiting the European Union",
        "Re A (Conjoined Twins)",
        "Donoghue v Stevenson",
        "Smith v Jones",
        "Tuberville v Savage",
        "Pinnel's Case",
        "Hadley v Baxendale",
        "Rylands v Fletcher",
        "Carlill v Carbolic Smoke Ball Co",
        "Attorney General v Jonathan Cape Ltd",
        "Pinnel v Smith",
    ];
    list.sort_by_key(|n| case_sort_key(n));
    assert_eq!(
        list,
        vec![
            "Re A (Conjoined Twins)",
            "Airedale NHS Trust v Bland",
            "Attorney General v Jonathan Cape Ltd",
            "Carlill v Carbolic Smoke Ball Co",
            "Donoghue v Stevenson",
            "Hadley v Baxendale",
            "Page v Smith",
            "Pinnel v Smith",
            "Pinnel's Case",
            "R (Miller) v Secretary of State for Exiting the European Union",
            "R v G",
            "R v Jogee",
            "Rylands v Fletcher",
            "Smith v Jones",
            "Tuberville v Savage",
            "The Wagon Mound",
        ]
    );
}

// ---------------------------------------------------------------------------
// instruments

#[test]
fn instrument_forms() {
    let gdpr = InstrumentInfo {
        series: Some("[2016] OJ L119/1".into()),
        abbreviation: Some("GDPR".into()),
        ..instrument("Regulation (EU) 2016/679 on the protection of natural persons with regard to the processing of personal data (General Data Protection Regulation)", InstrumentKind::EuRegulation)
    };
    let unfair_terms = InstrumentInfo {
        series: Some("[1993] OJ L95/29".into()),
        ..instrument(
            "Council Directive 93/13/EEC of 5 April 1993 on unfair terms in consumer contracts",
            InstrumentKind::EuDirective,
        )
    };
    let echr = InstrumentInfo {
        opened: Some(d(1950, 11, 4)),
        in_force: Some(d(1953, 9, 3)),
        series: Some("213 UNTS 221".into()),
        abbreviation: Some("ECHR".into()),
        ..instrument(
            "Convention for the Protection of Human Rights and Fundamental Freedoms",
            InstrumentKind::Treaty,
        )
    };
    let bare_treaty = InstrumentInfo {
        adopted: Some(d(2000, 1, 1)),
        ..instrument("Some Treaty", InstrumentKind::Treaty)
    };
    let undated = instrument("Another Treaty", InstrumentKind::Treaty);
    let both_dates = InstrumentInfo {
        adopted: Some(d(1966, 12, 16)),
        opened: Some(d(1966, 12, 19)),
        in_force: Some(d(1976, 3, 23)),
        series: Some("999 UNTS 171".into()),
        abbreviation: Some("ICCPR".into()),
        ..instrument(
            "International Covenant on Civil and Political Rights",
            InstrumentKind::Treaty,
        )
    };
    let si_prefixed = InstrumentInfo {
        si_number: Some("SI 2009/2163".into()),
        ..instrument("Equality Regulations 2009", InstrumentKind::Si)
    };
    let si_plain = InstrumentInfo {
        si_number: Some("2009/2163".into()),
        ..instrument("Equality Regulations 2009", InstrumentKind::Si)
    };
    let bill = InstrumentInfo {
        series: Some("HL Bill (2017–19) 66".into()),
        ..instrument("Data Protection", InstrumentKind::Bill)
    };
    let hra = InstrumentInfo {
        abbreviation: Some("HRA".into()),
        ..instrument("Human Rights Act 1998", InstrumentKind::Act)
    };

    // (instrument, provision, full, short)
    let table: Vec<(InstrumentInfo, Option<&str>, &str, &str)> = vec![
        (theft_act(), Some("s 1(1)"), "Theft Act 1968, s 1(1)", "Theft Act 1968, s 1(1)"),
        (theft_act(), None, "Theft Act 1968", "Theft Act 1968"),
        (theft_act(), Some("ss 1-6"), "Theft Act 1968, ss 1–6", "Theft Act 1968, ss 1–6"),
        (hra, Some("sch 1, art 2"), "Human Rights Act 1998, sch 1, art 2", "Human Rights Act 1998, sch 1, art 2"),
        (cpr(), Some("r 54.5"), "Civil Procedure Rules 1998, SI 1998/3132, r 54.5", "Civil Procedure Rules 1998, r 54.5"),
        (si_prefixed, Some("reg 3"), "Equality Regulations 2009, SI 2009/2163, reg 3", "Equality Regulations 2009, reg 3"),
        (si_plain, None, "Equality Regulations 2009, SI 2009/2163", "Equality Regulations 2009"),
        (udhr(), None, "Universal Declaration of Human Rights (adopted 10 December 1948) UNGA Res 217 A(III) (UDHR)", "UDHR"),
        (udhr(), Some("art 19"), "Universal Declaration of Human Rights (adopted 10 December 1948) UNGA Res 217 A(III) (UDHR) art 19", "UDHR, art 19"),
        (
            vclt(None),
            None,
            "Vienna Convention on the Law of Treaties (opened for signature 23 May 1969, entered into force 27 January 1980) 1155 UNTS 331",
            "Vienna Convention on the Law of Treaties",
        ),
        (
            vclt(None),
            Some("art 31"),
            "Vienna Convention on the Law of Treaties (opened for signature 23 May 1969, entered into force 27 January 1980) 1155 UNTS 331, art 31",
            "Vienna Convention on the Law of Treaties, art 31",
        ),
        (
            vclt(Some("VCLT")),
            Some("art 31"),
            "Vienna Convention on the Law of Treaties (opened for signature 23 May 1969, entered into force 27 January 1980) 1155 UNTS 331 (VCLT) art 31",
            "VCLT, art 31",
        ),
        (
            echr,
            Some("art 8"),
            "Convention for the Protection of Human Rights and Fundamental Freedoms (opened for signature 4 November 1950, entered into force 3 September 1953) 213 UNTS 221 (ECHR) art 8",
            "ECHR, art 8",
        ),
        (
            both_dates,
            Some("art 9"),
            "International Covenant on Civil and Political Rights (opened for signature 19 December 1966, entered into force 23 March 1976) 999 UNTS 171 (ICCPR) art 9",
            "ICCPR, art 9",
        ),
        (bare_treaty, Some("art 2"), "Some Treaty (adopted 1 January 2000) art 2", "Some Treaty, art 2"),
        (undated, Some("art 2"), "Another Treaty, art 2", "Another Treaty, art 2"),
        (
            gdpr,
            Some("art 5"),
            "Regulation (EU) 2016/679 on the protection of natural persons with regard to the processing of personal data (General Data Protection Regulation) [2016] OJ L119/1 (GDPR) art 5",
            "GDPR, art 5",
        ),
        (
            unfair_terms,
            Some("art 3"),
            "Council Directive 93/13/EEC of 5 April 1993 on unfair terms in consumer contracts [1993] OJ L95/29, art 3",
            "Council Directive 93/13/EEC of 5 April 1993 on unfair terms in consumer contracts, art 3",
        ),
        (bill, Some("s 2"), "Data Protection HL Bill (2017–19) 66, s 2", "Data Protection, s 2"),
    ];
    for (i, p, full, short_form) in table {
        let p = p.map(prov);
        let f = instrument_full(&i, p.as_ref());
        let s = instrument_short(&i, p.as_ref());
        assert_well_formed(&f);
        assert_well_formed(&s);
        assert_eq!(text(&f), full);
        assert_eq!(text(&s), short_form);
        assert!(
            f.iter().chain(s.iter()).all(|r| r.style == Style::Roman),
            "{full}: all roman"
        );
        assert_eq!(instrument_table_entry(&i), instrument_full(&i, None));
    }
}

#[test]
fn legislation_groups() {
    use InstrumentKind::*;
    let table: &[(InstrumentKind, LegislationGroup, &str, &str)] = &[
        (Act, LegislationGroup::Statutes, "Statutes", "act"),
        (
            Si,
            LegislationGroup::StatutoryInstruments,
            "Statutory instruments",
            "si",
        ),
        (
            Treaty,
            LegislationGroup::Treaties,
            "Treaties and conventions",
            "treaty",
        ),
        (
            EuRegulation,
            LegislationGroup::Eu,
            "European Union legislation",
            "eu-regulation",
        ),
        (
            EuDirective,
            LegislationGroup::Eu,
            "European Union legislation",
            "eu-directive",
        ),
        (Bill, LegislationGroup::Bills, "Bills", "bill"),
    ];
    for (kind, group, heading, name) in table {
        assert_eq!(legislation_group(*kind), *group);
        assert_eq!(group.heading(), *heading);
        assert_eq!(kind.as_str(), *name);
        assert_eq!(InstrumentKind::parse(name), Some(*kind));
    }
    assert_eq!(InstrumentKind::parse("Act"), None);
    let mut groups = vec![
        LegislationGroup::Bills,
        LegislationGroup::Eu,
        LegislationGroup::Statutes,
        LegislationGroup::Treaties,
        LegislationGroup::StatutoryInstruments,
    ];
    groups.sort();
    assert_eq!(
        groups,
        vec![
            LegislationGroup::Statutes,
            LegislationGroup::StatutoryInstruments,
            LegislationGroup::Treaties,
            LegislationGroup::Eu,
            LegislationGroup::Bills
        ]
    );
    assert_eq!(
        instrument_sort_key("The Civil Procedure Rules 1998"),
        "civil procedure rules 1998 the"
    );
    assert!(
        instrument_sort_key("Criminal Justice Act 1988")
            < instrument_sort_key("Criminal Justice Act 2003")
    );
    assert!(instrument_sort_key("Theft Act 1968") < instrument_sort_key("Theft Act 1978"));
}

#[test]
fn provision_order() {
    // each pair: a < b
    let less: &[(&str, &str)] = &[
        ("s 2", "s 3"),
        ("s 3", "s 3A"),
        ("s 3A", "s 12"),
        ("s 2", "s 12"),
        ("s 12", "s 12(1)"),
        ("s 3(1)", "s 3A"),
        ("s 3(1)", "s 3(2)"),
        ("s 3(2)", "s 3(10)"),
        ("s 3A", "s 3B"),
        ("art 2", "art 51"),
        ("art 2", "art 2(4)"),
        ("r 54.5", "r 54.10"),
        ("s 99", "art 1"),
        ("art 99", "reg 1"),
        ("reg 99", "r 1"),
        ("r 99", "sch 1"),
        ("sch 1", "sch 1, para 3"),
        ("sch 1, para 3", "sch 1A"),
        ("sch 1, para 2", "sch 1, para 10"),
        ("sch 2", "para 1"),
        ("s 1", "ss 1-6"),
        ("ss 1-6", "s 2"),
        ("art 31", "arts 31-32"),
    ];
    for (a, b) in less {
        let (ka, kb) = (provision_sort_key(&prov(a)), provision_sort_key(&prov(b)));
        assert_eq!(ka.cmp(&kb), Ordering::Less, "{a} < {b}");
        assert_eq!(kb.cmp(&ka), Ordering::Greater, "{b} > {a}");
    }
    let mut list: Vec<Provision> = ["s 12", "s 3A", "s 2", "s 3", "s 12(1)", "s 3(1)", "s 1"]
        .iter()
        .map(|s| prov(s))
        .collect();
    list.sort_by_key(provision_sort_key);
    let shown: Vec<String> = list.iter().map(Provision::display).collect();
    assert_eq!(
        shown,
        ["s 1", "s 2", "s 3", "s 3(1)", "s 3A", "s 12", "s 12(1)"]
    );
    // distinct labels never tie
    assert_ne!(
        provision_sort_key(&Provision {
            kind: ProvisionKind::Section,
            label: "02".into()
        }),
        provision_sort_key(&Provision {
            kind: ProvisionKind::Section,
            label: "2".into()
        })
    );
    assert_eq!(
        provision_sort_key(&prov("s 3A")),
        provision_sort_key(&prov("s 3A"))
    );
}

// ---------------------------------------------------------------------------
// footnotes

#[test]
fn footnote_sequences() {
    use FootnoteForm::*;
    // (note, sources, forms); each table is one chapter
    type Step = (
        u32,
        &'static [(&'static str, bool)],
        &'static [FootnoteForm],
    );
    let chapters: &[&[Step]] = &[
        // ibid, then a different source, then (n X)
        &[
            (1, &[("corr", false)], &[Full]),
            (2, &[("corr", false)], &[Ibid]),
            (3, &[("page", false)], &[Full]),
            (4, &[("corr", false)], &[ShortRef { first_note: 1 }]),
            (5, &[("corr", false)], &[Ibid]),
            (
                6,
                &[("corr", false), ("page", false)],
                &[ShortRef { first_note: 1 }, ShortRef { first_note: 3 }],
            ),
            // a footnote with two sources never yields ibid next
            (7, &[("page", false)], &[ShortRef { first_note: 3 }]),
            (8, &[("page", false)], &[Ibid]),
            (
                9,
                &[("jogee", false), ("page", false)],
                &[Full, ShortRef { first_note: 3 }],
            ),
            (10, &[("jogee", false)], &[ShortRef { first_note: 9 }]),
        ],
        // legislation never takes (n X), but takes ibid
        &[
            (1, &[("theft-act-1968", true)], &[Full]),
            (2, &[("corr", false)], &[Full]),
            (3, &[("theft-act-1968", true)], &[Short]),
            (4, &[("theft-act-1968", true)], &[Ibid]),
            (
                5,
                &[("corr", false), ("theft-act-1968", true)],
                &[ShortRef { first_note: 2 }, Short],
            ),
        ],
        // a gap in numbering (an author's own footnote) rules out ibid
        &[
            (1, &[("corr", false)], &[Full]),
            (3, &[("corr", false)], &[ShortRef { first_note: 1 }]),
        ],
        // a footnote citing nothing also breaks the chain
        &[
            (1, &[("corr", false)], &[Full]),
            (2, &[], &[]),
            (3, &[("corr", false)], &[ShortRef { first_note: 1 }]),
        ],
        // a source twice in one footnote
        &[
            (1, &[("corr", false), ("corr", false)], &[Full, Short]),
            (2, &[("corr", false)], &[ShortRef { first_note: 1 }]),
        ],
        // ibid needs the same single source, not just a single source
        &[
            (1, &[("a", false)], &[Full]),
            (2, &[("b", false)], &[Full]),
            (3, &[("b", false)], &[Ibid]),
            (4, &[("a", false)], &[ShortRef { first_note: 1 }]),
        ],
        // non-increasing numbers do not panic and give no ibid
        &[
            (5, &[("a", false)], &[Full]),
            (5, &[("a", false)], &[Short]),
            (u32::MAX, &[("a", false)], &[ShortRef { first_note: 5 }]),
            (0, &[("a", false)], &[ShortRef { first_note: 5 }]),
        ],
    ];
    for (ci, steps) in chapters.iter().enumerate() {
        let mut t = FootnoteTracker::new();
        for (note, sources, forms) in steps.iter() {
            assert_eq!(
                t.cite(*note, sources),
                forms.to_vec(),
                "chapter {ci}, note {note}"
            );
        }
    }
    // a new chapter starts again with full citations
    let mut t = FootnoteTracker::new();
    assert_eq!(t.cite(1, &[("corr", false)]), vec![Full]);
}

#[test]
fn footnote_rendering() {
    use FootnoteForm::*;
    let table: Vec<(CaseInfo, FootnoteForm, Option<&str>, &str, &str)> = vec![
        (corr(), Ibid, Some("[16]"), "ibid [16]", "Ibid [16]"),
        (corr(), Ibid, None, "ibid", "Ibid"),
        (page_v_smith(), Ibid, Some("165"), "ibid 165", "Ibid 165"),
        (
            corr(),
            ShortRef { first_note: 3 },
            Some("[16]"),
            "Corr (n 3) [16]",
            "Corr (n 3) [16]",
        ),
        (
            page_v_smith(),
            ShortRef { first_note: 2 },
            Some("165"),
            "Page (n 2) 165",
            "Page (n 2) 165",
        ),
        (
            corr(),
            ShortRef { first_note: 12 },
            None,
            "Corr (n 12)",
            "Corr (n 12)",
        ),
        (
            corr(),
            Full,
            Some("[14]"),
            "Corr v IBC Vehicles Ltd [2008] UKHL 13, [2008] 1 AC 884 [14]",
            "Corr v IBC Vehicles Ltd [2008] UKHL 13, [2008] 1 AC 884 [14]",
        ),
        (corr(), Short, Some("[14]"), "Corr [14]", "Corr [14]"),
        // pinpoint lists
        (
            corr(),
            Ibid,
            Some("[42], [45]"),
            "ibid [42], [45]",
            "Ibid [42], [45]",
        ),
        (
            page_v_smith(),
            Ibid,
            Some("530-31, 534"),
            "ibid 530–31, 534",
            "Ibid 530–31, 534",
        ),
        (
            corr(),
            ShortRef { first_note: 3 },
            Some("[42]-[45], [50]"),
            "Corr (n 3) [42]–[45], [50]",
            "Corr (n 3) [42]–[45], [50]",
        ),
        (
            hadley(),
            Full,
            Some("151, 153"),
            "Hadley v Baxendale (1854) 9 Exch 341, 156 ER 145, 151, 153",
            "Hadley v Baxendale (1854) 9 Exch 341, 156 ER 145, 151, 153",
        ),
        (
            jonathan_cape(),
            Full,
            Some("770"),
            "Attorney General v Jonathan Cape Ltd [1976] QB 752 (QB) 770",
            "Attorney General v Jonathan Cape Ltd [1976] QB 752 (QB) 770",
        ),
    ];
    for (c, form, pin, want, capitalised) in table {
        let pin = pin.map(loc);
        let runs = case_in_footnote(&c, &form, pin.as_ref());
        assert_well_formed(&runs);
        assert_eq!(text(&runs), want);
        assert_eq!(text(&capitalise_first(&runs)), capitalised);
    }
    assert_eq!(
        case_in_footnote(&corr(), &ShortRef { first_note: 3 }, Some(&loc("[16]"))),
        vec![
            Run {
                text: "Corr".into(),
                style: Style::Italic
            },
            Run {
                text: " (n 3) [16]".into(),
                style: Style::Roman
            }
        ]
    );
    assert_eq!(
        case_in_footnote(&corr(), &Ibid, None),
        vec![Run {
            text: "ibid".into(),
            style: Style::Roman
        }]
    );

    let itable: Vec<(InstrumentInfo, FootnoteForm, Option<&str>, &str)> = vec![
        (theft_act(), Ibid, Some("s 2"), "ibid s 2"),
        (theft_act(), Ibid, None, "ibid"),
        (theft_act(), Short, Some("s 2"), "Theft Act 1968, s 2"),
        (
            theft_act(),
            ShortRef { first_note: 1 },
            Some("s 2"),
            "Theft Act 1968, s 2",
        ),
        (
            cpr(),
            Full,
            Some("r 54.5"),
            "Civil Procedure Rules 1998, SI 1998/3132, r 54.5",
        ),
        (
            cpr(),
            Short,
            Some("r 54.5"),
            "Civil Procedure Rules 1998, r 54.5",
        ),
        (vclt(Some("VCLT")), Short, Some("art 31"), "VCLT, art 31"),
    ];
    for (i, form, p, want) in itable {
        let p = p.map(prov);
        let runs = instrument_in_footnote(&i, &form, p.as_ref());
        assert_well_formed(&runs);
        assert_eq!(text(&runs), want);
    }
}

// ---------------------------------------------------------------------------
// lints

#[test]
fn lints() {
    // (name, citation, court, decided, jurisdiction) -> [(code, field, covered text)]
    type Row = (
        &'static str,
        Option<&'static str>,
        &'static str,
        Option<Date>,
        Option<&'static str>,
        Vec<(&'static str, LintField, &'static str)>,
    );
    use LintField::*;
    let table: Vec<Row> = vec![
        // clean, real cases
        (
            "Donoghue v Stevenson",
            Some("[1932] AC 562"),
            "HL",
            None,
            Some("Scotland"),
            vec![],
        ),
        (
            "Corr v IBC Vehicles Ltd",
            Some("[2008] UKHL 13, [2008] 1 AC 884"),
            "HL",
            None,
            None,
            vec![],
        ),
        (
            "R v G",
            Some("[2003] UKHL 50, [2004] 1 AC 1034"),
            "HL",
            None,
            None,
            vec![],
        ),
        (
            "R v Jogee",
            Some("[2016] UKSC 8, [2017] AC 387"),
            "UKSC",
            None,
            None,
            vec![],
        ),
        (
            "Page v Smith",
            Some("[1996] AC 155"),
            "HL",
            None,
            None,
            vec![],
        ),
        (
            "R v Pagett",
            Some("(1983) 76 Cr App R 279"),
            "CA",
            None,
            None,
            vec![],
        ),
        (
            "R v Smith (No 2)",
            Some("[2000] 1 WLR 1"),
            "CA",
            None,
            None,
            vec![],
        ),
        // full stops
        (
            "Donoghue v. Stevenson",
            Some("[1932] AC 562"),
            "HL",
            None,
            None,
            vec![("full-stop-in-case-name", Name, ".")],
        ),
        (
            "Smith Ltd. v Jones Co.",
            None,
            "QBD",
            Some(d(1990, 1, 1)),
            None,
            vec![
                ("full-stop-in-case-name", Name, "."),
                ("full-stop-in-case-name", Name, "."),
            ],
        ),
        // vs
        (
            "Smith vs Jones",
            Some("[1990] 1 QB 1"),
            "QBD",
            None,
            None,
            vec![("vs-in-case-name", Name, "vs")],
        ),
        (
            "Smith vs. Jones",
            Some("[1990] 1 QB 1"),
            "QBD",
            None,
            None,
            vec![
                ("full-stop-in-case-name", Name, "."),
                ("vs-in-case-name", Name, "vs"),
            ],
        ),
        (
            "Evans v Versus Ltd",
            Some("[1990] 1 QB 1"),
            "QBD",
            None,
            None,
            vec![("vs-in-case-name", Name, "Versus")],
        ),
        // missing neutral citation: CA and HL from 2001, HC from 2002
        (
            "R v Smith",
            Some("[2005] 1 WLR 1"),
            "CA",
            None,
            None,
            vec![("missing-neutral-citation", Citation, "[2005] 1 WLR 1")],
        ),
        (
            "R v Smith",
            Some("[2001] 1 WLR 1"),
            "CA (Civ Div)",
            None,
            None,
            vec![("missing-neutral-citation", Citation, "[2001] 1 WLR 1")],
        ),
        (
            "R v Smith",
            Some("(2004) 168 JP 1"),
            "CA (Crim Div)",
            None,
            None,
            vec![("missing-neutral-citation", Citation, "(2004) 168 JP 1")],
        ),
        (
            "R v Smith",
            Some("[2004] 1 WLR 1"),
            "EWCA",
            None,
            None,
            vec![("missing-neutral-citation", Citation, "[2004] 1 WLR 1")],
        ),
        (
            "R v Smith",
            Some("[2001] 1 AC 1"),
            "HL",
            None,
            None,
            vec![("missing-neutral-citation", Citation, "[2001] 1 AC 1")],
        ),
        ("R v Smith", Some("[2000] 1 AC 1"), "HL", None, None, vec![]),
        ("X v Y", Some("[2001] 1 WLR 1"), "HC", None, None, vec![]),
        (
            "X v Y",
            Some("[2002] 1 WLR 1"),
            "HC",
            None,
            None,
            vec![("missing-neutral-citation", Citation, "[2002] 1 WLR 1")],
        ),
        (
            "X v Y",
            Some("[2003] QB 1"),
            "QBD",
            None,
            None,
            vec![("missing-neutral-citation", Citation, "[2003] QB 1")],
        ),
        (
            "X v Y",
            Some("[2003] Ch 1"),
            "ChD",
            None,
            None,
            vec![("missing-neutral-citation", Citation, "[2003] Ch 1")],
        ),
        (
            "X v Y",
            Some("[2003] Fam 1"),
            "Fam",
            None,
            None,
            vec![("missing-neutral-citation", Citation, "[2003] Fam 1")],
        ),
        (
            "X v Y",
            Some("[2003] 1 WLR 1"),
            "EWHC",
            None,
            None,
            vec![("missing-neutral-citation", Citation, "[2003] 1 WLR 1")],
        ),
        (
            "X v Y",
            Some("[2003] 1 WLR 1"),
            "Admin",
            None,
            None,
            vec![("missing-neutral-citation", Citation, "[2003] 1 WLR 1")],
        ),
        (
            "X v Y",
            Some("[2003] 1 WLR 1"),
            "DC",
            None,
            None,
            vec![("missing-neutral-citation", Citation, "[2003] 1 WLR 1")],
        ),
        ("X v Y", Some("[2003] 1 WLR 1"), "ECtHR", None, None, vec![]),
        (
            "R v Smith",
            Some("[2017] AC 387"),
            "UKSC",
            None,
            None,
            vec![("missing-neutral-citation", Citation, "[2017] AC 387")],
        ),
        // `decided` wins over the report's year
        (
            "R v Smith",
            Some("[2000] 1 WLR 1"),
            "CA",
            Some(d(2001, 3, 1)),
            None,
            vec![("missing-neutral-citation", Citation, "[2000] 1 WLR 1")],
        ),
        (
            "R v Smith",
            Some("[2002] 1 WLR 1"),
            "CA",
            Some(d(2000, 12, 1)),
            None,
            vec![],
        ),
        // jurisdiction
        (
            "X v Y",
            Some("[2005] 1 AC 1"),
            "HL",
            None,
            Some("Scotland"),
            vec![],
        ),
        (
            "X v Y",
            Some("[2005] 1 AC 1"),
            "PC",
            None,
            Some("Jamaica"),
            vec![],
        ),
        (
            "X v Y",
            Some("[2005] 1 AC 1"),
            "HL",
            None,
            Some("England and Wales"),
            vec![("missing-neutral-citation", Citation, "[2005] 1 AC 1")],
        ),
        (
            "X v Y",
            Some("[2005] 1 AC 1"),
            "HL",
            None,
            Some("England & Wales"),
            vec![("missing-neutral-citation", Citation, "[2005] 1 AC 1")],
        ),
        (
            "X v Y",
            Some("[2005] 1 AC 1"),
            "HL",
            None,
            Some("UK"),
            vec![("missing-neutral-citation", Citation, "[2005] 1 AC 1")],
        ),
        // unreported: empty span
        (
            "R v Smith",
            None,
            "CA",
            Some(d(2019, 5, 3)),
            None,
            vec![("missing-neutral-citation", Citation, "")],
        ),
        ("R v Smith", None, "CA", None, None, vec![]),
        // report brackets
        (
            "Page v Smith",
            Some("(1996) AC 155"),
            "HL",
            None,
            None,
            vec![("report-brackets", Citation, "(1996)")],
        ),
        (
            "R v Pagett",
            Some("[1983] 76 Cr App R 279"),
            "CA",
            None,
            None,
            vec![("report-brackets", Citation, "[1983]")],
        ),
        // From 1995 the Criminal Appeal Reports are numbered by year: square brackets.
        (
            "R v Misra",
            Some("[2004] EWCA Crim 2375, [2005] 1 Cr App R 21"),
            "CA",
            None,
            None,
            vec![],
        ),
        (
            "R v Misra",
            Some("[2004] EWCA Crim 2375, (2005) 1 Cr App R 21"),
            "CA",
            None,
            None,
            vec![("report-brackets", Citation, "(2005)")],
        ),
        (
            "Osman v UK",
            Some("[1998] 29 EHRR 245"),
            "ECtHR",
            None,
            None,
            vec![("report-brackets", Citation, "[1998]")],
        ),
        (
            "X v Y",
            Some("(1990) 2 All ER 1"),
            "QBD",
            None,
            None,
            vec![("report-brackets", Citation, "(1990)")],
        ),
        (
            "X v Y",
            Some("[1842] 8 ER 718"),
            "HL",
            None,
            None,
            vec![("report-brackets", Citation, "[1842]")],
        ),
        (
            "X v Y",
            Some("[1999] 50 BMLR 1"),
            "CA",
            None,
            None,
            vec![("report-brackets", Citation, "[1999]")],
        ),
        (
            "X v Y",
            Some("(1999) 1 WLR 1"),
            "CA",
            None,
            None,
            vec![("report-brackets", Citation, "(1999)")],
        ),
        (
            "X v Y",
            Some("(1999) KB 1"),
            "CA",
            None,
            None,
            vec![("report-brackets", Citation, "(1999)")],
        ),
        (
            "R v Smith",
            Some("[2004] EWCA Crim 1, (2004) 1 WLR 1, [1994] 2 Cr App R 1"),
            "CA",
            None,
            None,
            vec![
                ("report-brackets", Citation, "(2004)"),
                ("report-brackets", Citation, "[1994]"),
            ],
        ),
        ("X v Y", Some("(1999) 1 FLR 1"), "CA", None, None, vec![]),
        // nominate reports, the English Reports and the Law Reports before 1891
        (
            "Hadley v Baxendale",
            Some("(1854) 9 Exch 341, 156 ER 145"),
            "Exch",
            None,
            None,
            vec![],
        ),
        (
            "Tuberville v Savage",
            Some("(1669) 1 Mod Rep 3, 86 ER 684"),
            "KB",
            None,
            None,
            vec![],
        ),
        (
            "Pinnel's Case",
            Some("(1602) 5 Co Rep 117a, 77 ER 237"),
            "CP",
            None,
            None,
            vec![],
        ),
        (
            "Rylands v Fletcher",
            Some("(1868) LR 3 HL 330"),
            "HL",
            None,
            None,
            vec![],
        ),
        (
            "Carlill v Carbolic Smoke Ball Co",
            Some("[1893] 1 QB 256"),
            "CA",
            None,
            None,
            vec![],
        ),
        (
            "Attorney General v Jonathan Cape Ltd",
            Some("[1976] QB 752"),
            "QB",
            None,
            None,
            vec![],
        ),
        (
            "Hadley v Baxendale",
            Some("[1854] 9 Exch 341, 156 ER 145"),
            "Exch",
            None,
            None,
            vec![("report-brackets", Citation, "[1854]")],
        ),
        (
            "Hadley v Baxendale",
            Some("(1854) 9 Exch 341, [1854] 156 ER 145"),
            "Exch",
            None,
            None,
            vec![("report-brackets", Citation, "[1854]")],
        ),
        (
            "Rylands v Fletcher",
            Some("[1868] LR 3 HL 330"),
            "HL",
            None,
            None,
            vec![("report-brackets", Citation, "[1868]")],
        ),
        (
            "X v Y",
            Some("[1889] 14 App Cas 337"),
            "HL",
            None,
            None,
            vec![("report-brackets", Citation, "[1889]")],
        ),
        (
            "X v Y",
            Some("[1884] 14 QBD 273"),
            "DC",
            None,
            None,
            vec![("report-brackets", Citation, "[1884]")],
        ),
        (
            "Entick v Carrington",
            Some("[1765] 19 St Tr 1029"),
            "CP",
            None,
            None,
            vec![("report-brackets", Citation, "[1765]")],
        ),
        // a nominate report not reprinted in the ER is not one the lint knows
        (
            "X v Y",
            Some("[1854] 9 Exch 341"),
            "Exch",
            None,
            None,
            vec![],
        ),
        // an unparseable citation gets no citation lints (parse_citation reports it)
        (
            "X v. Y",
            Some("1999 AC 1"),
            "HL",
            Some(d(2005, 1, 1)),
            None,
            vec![("full-stop-in-case-name", Name, ".")],
        ),
    ];
    for (name, citation, court, date, jurisdiction, want) in table {
        let got = lint_case(name, citation, court, date, jurisdiction);
        let got_short: Vec<(&str, LintField, &str)> = got
            .iter()
            .map(|l| {
                let field = match l.field {
                    Name => name,
                    Citation => citation.unwrap_or(""),
                };
                (l.code, l.field, &field[l.span.clone()])
            })
            .collect();
        assert_eq!(got_short, want, "{name} / {citation:?} / {court}");
        for l in &got {
            assert!(!l.message.is_empty() && !l.hint.is_empty());
        }
    }

    // spans and hints in detail
    let l = lint_case("Donoghue v. Stevenson", None, "HL", None, None);
    assert_eq!(l[0].span, 10..11);
    assert!(l[0].hint.contains("`v`"), "{}", l[0].hint);
    let l = lint_case("X v Y", Some("(1996) AC 155"), "HL", None, None);
    assert_eq!(l[0].hint, "write `[1996] AC 155`");
    assert_eq!(l[0].message, "the AC takes square brackets round the year");
    let l = lint_case("X v Y", Some("[1983] 76 Cr App R 279"), "CA", None, None);
    assert_eq!(l[0].hint, "write `(1983) 76 Cr App R 279`");
    let l = lint_case("X v Y", Some("[2005] 1 WLR 1"), "CA (Crim Div)", None, None);
    assert_eq!(l[0].hint, "Court of Appeal decisions have neutral citations from 2001: put it first, e.g. `[2005] EWCA Crim <number>, [2005] 1 WLR 1`");
    let l = lint_case("X v Y", Some("[2005] 1 WLR 1"), "Admin", None, None);
    assert!(
        l[0].hint
            .contains("`[2005] EWHC <number> (Admin), [2005] 1 WLR 1`"),
        "{}",
        l[0].hint
    );
    let l = lint_case("X v Y", Some("  [2005] 1 AC 1  "), "HL", None, None);
    assert_eq!(l[0].span, 2..15);
    let l = lint_case(
        "X v Y",
        Some("[1854] 9 Exch 341, 156 ER 145"),
        "Exch",
        None,
        None,
    );
    assert_eq!(l[0].hint, "write `(1854) 9 Exch 341`");
    assert_eq!(l[0].message, "the Exch takes round brackets round the year");
}

// ---------------------------------------------------------------------------
// never panics

mod never_panics {
    use super::super::*;
    use proptest::prelude::*;

    fn check_span(s: &str, span: &std::ops::Range<usize>) {
        assert!(
            span.start <= span.end && span.end <= s.len(),
            "{s:?} {span:?}"
        );
        assert!(
            s.is_char_boundary(span.start) && s.is_char_boundary(span.end),
            "{s:?} {span:?}"
        );
    }

    fn exercise(s: &str) {
        match parse_citation(s) {
            Ok(c) => {
                assert_eq!(
                    parse_citation(&c.to_string()).as_ref(),
                    Ok(&c),
                    "{s:?} round trip"
                );
                let info = CaseInfo {
                    name: s.to_string(),
                    citation: Some(c),
                    court: s.to_string(),
                    short_name: Some(s.to_string()),
                    case_number: Some(s.to_string()),
                    decided: None,
                };
                let _ = case_full(&info, None);
                let _ = case_table_entry(&info);
            }
            Err(e) => check_span(s, &e.span),
        }
        match parse_locator(s) {
            Ok(l) => {
                assert_eq!(
                    parse_locator(&l.display()).as_ref(),
                    Ok(&l),
                    "{s:?} round trip"
                );
                if let Locator::Provision(p) = &l {
                    let _ = p.base_label();
                    let _ = provision_sort_key(p);
                }
                let info = CaseInfo {
                    name: s.to_string(),
                    citation: None,
                    court: String::new(),
                    short_name: None,
                    case_number: None,
                    decided: None,
                };
                let _ = case_full(&info, Some(&l));
                let _ = case_short(&info, Some(&l));
            }
            Err(e) => check_span(s, &e.span),
        }
        match parse_provision_heading(s) {
            Ok((p, _)) => {
                let _ = provision_sort_key(&p);
                let _ = p.base_label();
            }
            Err(e) => check_span(s, &e.span),
        }
        let _ = case_sort_key(s);
        let _ = case_table_name(s);
        let _ = instrument_sort_key(s);
        let _ = provision_sort_key(&Provision {
            kind: ProvisionKind::Schedule,
            label: s.to_string(),
        });
        let _ = Provision {
            kind: ProvisionKind::Sections,
            label: s.to_string(),
        }
        .base_label();
        for l in lint_case(s, Some(s), s, None, Some(s))
            .into_iter()
            .chain(lint_case(s, None, s, None, None))
        {
            check_span(s, &l.span);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_strings(s in any::<String>()) {
            exercise(&s);
        }

        #[test]
        fn citation_like_strings(s in "[\\[\\]() 0-9A-Za-z,.\\-–/&é]{0,40}") {
            exercise(&s);
        }

        #[test]
        fn structured_strings(
            s in "(\\[|\\()(19|20)[0-9]{2}(\\]|\\)) ([0-9]{1,2} )?(UKHL|EWCA Civ|EWHC|AC|Cr App R|PCIJ Series A|No|\\(Admin\\)|,| ){1,4} ?[0-9]{0,4}( \\(Admin\\))?(, \\[20[0-9]{2}\\] [0-9] AC [0-9]{1,3})?"
        ) {
            exercise(&s);
        }

        #[test]
        fn locator_like_strings(s in "(s|ss|art|arts|reg|r|sch|para|Art|p)? ?[\\[\\]0-9A-Za-z().,\\- –]{0,16}") {
            exercise(&s);
        }
    }
}
