//! Printing cases and instruments (full, short, footnote and table forms) and the
//! ordering keys of the tables of cases and legislation.

use super::{Date, FootnoteForm, Locator, ParsedCitation, Provision, Runs, RunsBuilder};

/// A case as the printer needs it (from `cases/<id>.md` front matter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseInfo {
    /// The name as printed: `Corr v IBC Vehicles Ltd`.
    pub name: String,
    /// The parsed `citation`; `None` when unreported.
    pub citation: Option<ParsedCitation>,
    /// The court code: `HL`, `CA`, `CA (Crim Div)`, `ICJ`.
    pub court: String,
    /// The name for later mentions: `Corr`.
    pub short_name: Option<String>,
    /// EU and international courts' case numbers: `C-176/03`.
    pub case_number: Option<String>,
    /// The date of the decision (printed only for unreported cases).
    pub decided: Option<Date>,
}

/// The kind of an instrument (`kind` in legislation front matter).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InstrumentKind {
    /// `act`: an Act of Parliament (or other primary legislation).
    Act,
    /// `si`: a statutory instrument.
    Si,
    /// `treaty`: a treaty, convention or declaration.
    Treaty,
    /// `eu-regulation`
    EuRegulation,
    /// `eu-directive`
    EuDirective,
    /// `bill`
    Bill,
}

impl InstrumentKind {
    /// The kind for its front-matter spelling: `act`, `si`, `treaty`, `eu-regulation`,
    /// `eu-directive`, `bill` (exact, lower case).
    pub fn parse(s: &str) -> Option<InstrumentKind> {
        Some(match s {
            "act" => InstrumentKind::Act,
            "si" => InstrumentKind::Si,
            "treaty" => InstrumentKind::Treaty,
            "eu-regulation" => InstrumentKind::EuRegulation,
            "eu-directive" => InstrumentKind::EuDirective,
            "bill" => InstrumentKind::Bill,
            _ => return None,
        })
    }

    /// The front-matter spelling, the inverse of [`InstrumentKind::parse`].
    pub fn as_str(&self) -> &'static str {
        match self {
            InstrumentKind::Act => "act",
            InstrumentKind::Si => "si",
            InstrumentKind::Treaty => "treaty",
            InstrumentKind::EuRegulation => "eu-regulation",
            InstrumentKind::EuDirective => "eu-directive",
            InstrumentKind::Bill => "bill",
        }
    }

    /// Every front-matter spelling, for "expected one of" hints.
    pub const NAMES: [&'static str; 6] = [
        "act",
        "si",
        "treaty",
        "eu-regulation",
        "eu-directive",
        "bill",
    ];
}

/// An instrument as the printer needs it (from `legislation/<id>.md` front matter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstrumentInfo {
    /// The title with its year: `Theft Act 1968`.
    pub title: String,
    /// The kind.
    pub kind: InstrumentKind,
    /// Statutory instruments: `1998/3132` (a leading `SI ` is tolerated).
    pub si_number: Option<String>,
    /// Treaties: date adopted.
    pub adopted: Option<Date>,
    /// Treaties: date opened for signature.
    pub opened: Option<Date>,
    /// Treaties: date of entry into force.
    pub in_force: Option<Date>,
    /// Treaties and EU legislation: the treaty series or Official Journal reference:
    /// `1155 UNTS 331`, `UNGA Res 217 A(III)`, `[2016] OJ L119/1`; bills: `HL Bill (2017–19) 66`.
    pub series: Option<String>,
    /// Treaties and EU legislation: `VCLT`, `UDHR`, `GDPR`.
    pub abbreviation: Option<String>,
}

/// Table of legislation groups, in print order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LegislationGroup {
    /// Acts.
    Statutes,
    /// Statutory instruments.
    StatutoryInstruments,
    /// Treaties, conventions, declarations.
    Treaties,
    /// EU regulations and directives.
    Eu,
    /// Bills.
    Bills,
}

impl LegislationGroup {
    /// The group's heading in the table of legislation.
    pub fn heading(&self) -> &'static str {
        match self {
            LegislationGroup::Statutes => "Statutes",
            LegislationGroup::StatutoryInstruments => "Statutory instruments",
            LegislationGroup::Treaties => "Treaties and conventions",
            LegislationGroup::Eu => "European Union legislation",
            LegislationGroup::Bills => "Bills",
        }
    }
}

/// The table-of-legislation group of an instrument kind.
pub fn legislation_group(kind: InstrumentKind) -> LegislationGroup {
    match kind {
        InstrumentKind::Act => LegislationGroup::Statutes,
        InstrumentKind::Si => LegislationGroup::StatutoryInstruments,
        InstrumentKind::Treaty => LegislationGroup::Treaties,
        InstrumentKind::EuRegulation | InstrumentKind::EuDirective => LegislationGroup::Eu,
        InstrumentKind::Bill => LegislationGroup::Bills,
    }
}

// ---------------------------------------------------------------------------
// Cases

/// An EU case number (`C-176/03`, `T-344/99`, `C-46/93 and C-48/93`), without any
/// leading `Case`/`Joined Cases`, and whether it names several cases.
fn eu_case_number(n: &str) -> Option<(&str, bool)> {
    let mut t = n.trim();
    for p in ["Joined Cases ", "Cases ", "Case "] {
        if t.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p)) {
            t = t[p.len()..].trim_start();
            break;
        }
    }
    let mut chars = t.chars();
    let letter = chars.next()?;
    let dash = chars.next()?;
    let digit = chars.next()?;
    if !matches!(letter, 'C' | 'T' | 'F')
        || !matches!(dash, '-' | '–' | '‑')
        || !digit.is_ascii_digit()
    {
        return None;
    }
    let joined = t.contains(',') || t.contains('&') || t.split_whitespace().any(|w| w == "and");
    Some((t, joined))
}

/// Report series that name their court, so no court bracket follows them.
const SELF_IDENTIFYING_SERIES: &[&str] = &["ECR", "ICJ", "PCIJ", "EHRR", "ECHR", "ITLOS", "Series"];

fn alnum_upper(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Series named after a court or division that also carry the appeals from it (to
/// the Court of Appeal, or before 1875 the Exchequer Chamber): the
/// name does not tell the reader which court decided the case, so the court bracket
/// stays, as in `Attorney General v Jonathan Cape Ltd [1976] QB 752 (QB) 770`
/// (OSCOLA 4th edn 2.1.5). Compared after a leading `LR <volume>` is dropped.
const SERIES_WITH_APPEALS: &[&str] = &[
    "QB",
    "KB",
    "Ch",
    "Fam",
    "P",
    "QBD",
    "Ch D",
    "ChD",
    "Ex D",
    "CPD",
    "PD",
    "Ex",
    "CP",
    "All ER (Comm)",
];

/// The series without a leading `LR <volume>`: `LR 3 HL` -> `HL`, `QB` -> `QB`.
fn law_reports_series(series: &str) -> String {
    let words: Vec<&str> = series.split_whitespace().collect();
    let rest = match words.as_slice() {
        ["LR", v, rest @ ..] if !rest.is_empty() && v.chars().all(|c| c.is_ascii_digit()) => rest,
        all => all,
    };
    rest.join(" ")
}

/// Whether the court bracket is printed after the reports. OSCOLA (4th edn 2.1.5)
/// gives the court in brackets when there is no neutral citation, unless the report
/// makes the court evident. It is left out:
///
/// - with a neutral citation, which names the court;
/// - for an EU case with a case number, and after a series that names its court
///   (`ECR`, `ICJ Rep`, `PCIJ …`, `EHRR`, `ECHR`, `ITLOS`, ECtHR `Series A`);
/// - when a word of the first report's series is the court itself and that series
///   reports no other court: `(1868) LR 3 HL 330` with court `HL`, a nominate report
///   named for its court such as `(1854) 9 Exch 341` with court `Exch`.
///
/// It is printed after the Law Reports series that share a court's name but also
/// carry the Court of Appeal ([`SERIES_WITH_APPEALS`]): `[1976] QB 752 (QB)`,
/// `[1893] 1 QB 256 (CA)`. `AC` never names the court (it reports both the House of
/// Lords and the Privy Council): `[1932] AC 562 (HL)`.
fn court_needed(c: &CaseInfo, cit: &ParsedCitation) -> bool {
    if cit.neutral.is_some() || c.court.trim().is_empty() {
        return false;
    }
    if c.case_number.as_deref().and_then(eu_case_number).is_some() {
        return false;
    }
    if let Some(r) = cit.reports.first() {
        let first = r.series.split_whitespace().next().unwrap_or("");
        if SELF_IDENTIFYING_SERIES.contains(&first) {
            return false;
        }
        if SERIES_WITH_APPEALS.contains(&law_reports_series(&r.series).as_str()) {
            return true;
        }
        let court = alnum_upper(&c.court);
        if !court.is_empty() && r.series.split_whitespace().any(|w| alnum_upper(w) == court) {
            return false;
        }
    }
    true
}

/// The court as printed inside a bracket: `CA (Crim Div)` -> `CA, Crim Div`.
fn court_label(court: &str) -> String {
    let t = court.replace('(', ", ").replace(')', " ");
    let words: Vec<&str> = t.split_whitespace().collect();
    words
        .join(" ")
        .replace(" ,", ",")
        .trim_matches(|c: char| c == ',' || c.is_whitespace())
        .to_string()
}

/// Push a pinpoint: paragraphs after a space; pages and provisions after `, ` or, when
/// `after_bracket` (or in short forms), after a space.
fn push_pin(b: &mut RunsBuilder, pin: Option<&Locator>, after_bracket: bool) {
    match pin {
        None => {}
        Some(l @ Locator::Paragraphs(_)) => {
            b.roman(" ");
            b.roman(&l.display());
        }
        Some(l) => {
            b.roman(if after_bracket { " " } else { ", " });
            b.roman(&l.display());
        }
    }
}

/// Everything of a case's full form but the pinpoint; returns whether it ends with a
/// bracket (court or unreported date) so that a page pinpoint follows with a space.
fn case_body(b: &mut RunsBuilder, c: &CaseInfo, italic: bool, table: bool) -> bool {
    let eu = c.case_number.as_deref().and_then(eu_case_number);
    let name = if table {
        case_table_name(&c.name)
    } else {
        c.name.trim().to_string()
    };
    if let (Some((n, joined)), false) = (eu, table) {
        b.roman(if joined { "Joined Cases " } else { "Case " });
        b.roman(n);
        b.roman(" ");
    }
    if italic {
        b.italic(&name);
    } else {
        b.roman(&name);
    }
    if let (Some((n, _)), true) = (eu, table) {
        b.roman(" (");
        b.roman(n);
        b.roman(")");
    }
    match &c.citation {
        Some(cit) if cit.neutral.is_some() || !cit.reports.is_empty() => {
            b.roman(" ");
            b.roman(&cit.to_string());
            if court_needed(c, cit) {
                b.roman(" (");
                b.roman(&court_label(&c.court));
                b.roman(")");
                return true;
            }
            false
        }
        _ => {
            if eu.is_none() {
                if let Some(n) = c
                    .case_number
                    .as_deref()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                {
                    b.roman(" ");
                    b.roman(n);
                }
            }
            let mut inner: Vec<String> = Vec::new();
            let court = court_label(&c.court);
            if !court.is_empty() {
                inner.push(court);
            }
            if let Some(d) = c.decided {
                inner.push(d.long());
            }
            if inner.is_empty() {
                return false;
            }
            b.roman(" (");
            b.roman(&inner.join(", "));
            b.roman(")");
            true
        }
    }
}

/// First full citation, case name italic: `Corr v IBC Vehicles Ltd [2008] UKHL 13,
/// [2008] 1 AC 884 [14]`; `Page v Smith [1996] AC 155 (HL) 165`; `Case C-176/03
/// Commission v Council [2005] ECR I-7879`; unreported: `R v Smith (CA, 3 May 2019)`.
///
/// The court is in brackets only when there is no neutral citation, and not after a
/// series that names its court (`ECR`, `ICJ Rep`, `PCIJ …`, `EHRR`, ECtHR `Series A`,
/// or a series that reports only the court it is named after, as `LR 3 HL`) nor for
/// an EU case with a case number; the Law Reports' `QB`, `KB`, `Ch` and `Fam` also
/// carry the Court of Appeal, so they never stand for the court:
/// `[1976] QB 752 (QB) 770`. A court written `CA (Crim Div)` prints as `(CA, Crim Div)`. Paragraph
/// pinpoints follow after a space; page (and provision) pinpoints after `, `, or after
/// a space straight after a bracket. Ranges print with an en dash. A non-EU case
/// number (`App no 1820/08`) is printed after the name only for an unreported case,
/// as OSCOLA does for the ECtHR.
pub fn case_full(c: &CaseInfo, pin: Option<&Locator>) -> Runs {
    let mut b = RunsBuilder::default();
    let after = case_body(&mut b, c, true, false);
    push_pin(&mut b, pin, after);
    b.finish()
}

fn short_name(c: &CaseInfo) -> &str {
    match c.short_name.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => s,
        _ => c.name.trim(),
    }
}

/// Later mentions: short name (or full name) italic, with the pinpoint after a space:
/// `Corr [14]`, `Page 165`.
pub fn case_short(c: &CaseInfo, pin: Option<&Locator>) -> Runs {
    let mut b = RunsBuilder::default();
    b.italic(short_name(c));
    push_pin(&mut b, pin, true);
    b.finish()
}

/// Table-of-cases entry, all roman, name as [`case_table_name`] prints it:
/// `Corr v IBC Vehicles Ltd [2008] UKHL 13, [2008] 1 AC 884`; EU: `Commission v Council
/// (C-176/03) [2005] ECR I-7879`; `Page v Smith [1996] AC 155 (HL)` when there is no
/// neutral citation; `A (Conjoined Twins), Re [2001] Fam 147 (CA)`.
pub fn case_table_entry(c: &CaseInfo) -> Runs {
    let mut b = RunsBuilder::default();
    case_body(&mut b, c, false, true);
    b.finish()
}

/// A case in a footnote in the given form: `Full` as [`case_full`]; `Ibid` as `ibid`
/// (roman, lower case; the renderer capitalises it with
/// [`capitalise_first`](super::capitalise_first) when it opens the footnote) with the
/// pinpoint after a space (`ibid [16]`, `ibid 165`); `ShortRef` as `Corr (n 3) [16]`;
/// `Short` as [`case_short`].
pub fn case_in_footnote(c: &CaseInfo, form: &FootnoteForm, pin: Option<&Locator>) -> Runs {
    match form {
        FootnoteForm::Full => case_full(c, pin),
        FootnoteForm::Short => case_short(c, pin),
        FootnoteForm::Ibid => {
            let mut b = RunsBuilder::default();
            b.roman("ibid");
            push_pin(&mut b, pin, true);
            b.finish()
        }
        FootnoteForm::ShortRef { first_note } => {
            let mut b = RunsBuilder::default();
            b.italic(short_name(c));
            b.roman(&format!(" (n {first_note})"));
            push_pin(&mut b, pin, true);
            b.finish()
        }
    }
}

// ---------------------------------------------------------------------------
// Instruments

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

fn push_provision(b: &mut RunsBuilder, prov: Option<&Provision>, after_bracket: bool) {
    if let Some(p) = prov {
        b.roman(if after_bracket { " " } else { ", " });
        b.roman(&p.display());
    }
}

/// The full citation of an instrument, all roman:
/// - Act: `Theft Act 1968, s 1(1)`;
/// - SI: `Civil Procedure Rules 1998, SI 1998/3132, r 54.5`;
/// - treaty: `Universal Declaration of Human Rights (adopted 10 December 1948) UNGA Res
///   217 A(III) (UDHR) art 19`, `Vienna Convention on the Law of Treaties (opened for
///   signature 23 May 1969, entered into force 27 January 1980) 1155 UNTS 331, art 31`
///   (`opened for signature` wins when both dates are given; the abbreviation, when
///   set, follows the series in brackets, and a provision after a bracket follows with
///   a space, otherwise after `, `);
/// - EU legislation: title, then the OJ reference (`series`) and abbreviation if set;
/// - bill: title, then `series` (`HL Bill (2017–19) 66`) if set.
///
/// The abbreviation of an Act or SI is not printed (OSCOLA repeats their titles).
pub fn instrument_full(i: &InstrumentInfo, prov: Option<&Provision>) -> Runs {
    let mut b = RunsBuilder::default();
    b.roman(i.title.trim());
    let mut after_bracket = false;
    match i.kind {
        InstrumentKind::Act => {}
        InstrumentKind::Si => {
            if let Some(n) = non_empty(&i.si_number) {
                b.roman(", ");
                if !n.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("SI ")) {
                    b.roman("SI ");
                }
                b.roman(n);
            }
        }
        InstrumentKind::Treaty
        | InstrumentKind::EuRegulation
        | InstrumentKind::EuDirective
        | InstrumentKind::Bill => {
            if i.kind == InstrumentKind::Treaty {
                let mut dates: Vec<String> = Vec::new();
                if let Some(d) = i.opened {
                    dates.push(format!("opened for signature {}", d.long()));
                } else if let Some(d) = i.adopted {
                    dates.push(format!("adopted {}", d.long()));
                }
                if let Some(d) = i.in_force {
                    dates.push(format!("entered into force {}", d.long()));
                }
                if !dates.is_empty() {
                    b.roman(" (");
                    b.roman(&dates.join(", "));
                    b.roman(")");
                    after_bracket = true;
                }
            }
            if let Some(s) = non_empty(&i.series) {
                b.roman(" ");
                b.roman(s);
                after_bracket = false;
            }
            if i.kind != InstrumentKind::Bill {
                if let Some(a) = non_empty(&i.abbreviation) {
                    b.roman(" (");
                    b.roman(a);
                    b.roman(")");
                    after_bracket = true;
                }
            }
        }
    }
    push_provision(&mut b, prov, after_bracket);
    b.finish()
}

/// Later mentions, all roman: Acts, SIs and bills repeat the title (OSCOLA does; an
/// SI without its number): `Theft Act 1968, s 1(1)`; treaties and EU legislation use
/// the abbreviation if any, else the title: `VCLT, art 31`.
pub fn instrument_short(i: &InstrumentInfo, prov: Option<&Provision>) -> Runs {
    let mut b = RunsBuilder::default();
    let name = match i.kind {
        InstrumentKind::Treaty | InstrumentKind::EuRegulation | InstrumentKind::EuDirective => {
            non_empty(&i.abbreviation).unwrap_or(i.title.trim())
        }
        _ => i.title.trim(),
    };
    b.roman(name);
    push_provision(&mut b, prov, false);
    b.finish()
}

/// An instrument named in the running text when its citation is in a footnote:
/// the title the first time in a chapter, later the short name (a treaty's
/// abbreviation), with the provision: `Theft Act 1968, s 1(1)`, `VCLT, art 53`.
pub fn instrument_in_text(i: &InstrumentInfo, prov: Option<&Provision>, first: bool) -> Runs {
    if !first {
        return instrument_short(i, prov);
    }
    let mut b = RunsBuilder::default();
    b.roman(i.title.trim());
    push_provision(&mut b, prov, false);
    b.finish()
}

/// The table-of-legislation entry of an instrument (its provisions are sub-entries):
/// the full form without a provision, all roman.
pub fn instrument_table_entry(i: &InstrumentInfo) -> Runs {
    instrument_full(i, None)
}

/// An instrument in a footnote: `Full` as [`instrument_full`]; `Ibid` as `ibid` with the
/// provision after a space (`ibid s 2`); `Short` (and `ShortRef`, which
/// [`FootnoteTracker`](super::FootnoteTracker) never gives legislation) as
/// [`instrument_short`].
pub fn instrument_in_footnote(
    i: &InstrumentInfo,
    form: &FootnoteForm,
    prov: Option<&Provision>,
) -> Runs {
    match form {
        FootnoteForm::Full => instrument_full(i, prov),
        FootnoteForm::Ibid => {
            let mut b = RunsBuilder::default();
            b.roman("ibid");
            push_provision(&mut b, prov, true);
            b.finish()
        }
        FootnoteForm::Short | FootnoteForm::ShortRef { .. } => instrument_short(i, prov),
    }
}

// ---------------------------------------------------------------------------
// Sort keys and table names

/// Lower-case `c` with common Latin accents removed, into `out`.
fn fold_into(out: &mut String, c: char) {
    for l in c.to_lowercase() {
        let r = match l {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
            'ç' | 'ć' | 'č' => "c",
            'ď' | 'đ' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
            'ğ' => "g",
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => "i",
            'ł' | 'ľ' => "l",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
            'ř' => "r",
            'ś' | 'š' | 'ş' => "s",
            'ß' => "ss",
            'ť' | 'ţ' => "t",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
            'ý' | 'ÿ' => "y",
            'ź' | 'ż' | 'ž' => "z",
            'æ' => "ae",
            'œ' => "oe",
            'þ' => "th",
            'ð' => "d",
            _ => {
                out.push(l);
                continue;
            }
        };
        out.push_str(r);
    }
}

/// Lower-case, accents folded, apostrophes and full stops dropped, other punctuation
/// a word break, words separated by one space.
fn normalise(s: &str) -> String {
    let mut out = String::new();
    let mut pending_space = false;
    for c in s.chars() {
        if matches!(c, '\'' | '’' | '‘' | '.') {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            fold_into(&mut out, c);
        } else {
            pending_space = true;
        }
    }
    out
}

/// `(article as written, rest)` when `name` starts with one of `articles` and a space.
fn leading_article<'a>(name: &'a str, articles: &[&str]) -> Option<(&'a str, &'a str)> {
    let t = name.trim();
    for art in articles {
        let Some(head) = t.get(..art.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(art) {
            continue;
        }
        let tail = &t[art.len()..];
        if !tail.starts_with(char::is_whitespace) {
            continue;
        }
        let rest = tail.trim_start();
        if !rest.is_empty() {
            return Some((head, rest));
        }
    }
    None
}

/// Sort key for the table of cases: alphabetical by first significant word,
/// case-insensitive, ignoring punctuation (accents folded); a leading `Re` or `The` moved
/// to the end (`Re A (Conjoined Twins)` sorts as `a conjoined twins re`); `R v X` and
/// `R (Miller) v …` filed under R as written. Different names can share a key: break
/// ties with the name itself.
pub fn case_sort_key(name: &str) -> String {
    match leading_article(name, &["Re", "The"]) {
        Some((art, rest)) => normalise(&format!("{rest} {art}")),
        None => normalise(name),
    }
}

/// Name as printed in the table of cases: `Re A (Conjoined Twins)` -> `A (Conjoined
/// Twins), Re`; `The Wagon Mound` -> `Wagon Mound, The`; other names unchanged
/// (trimmed).
pub fn case_table_name(name: &str) -> String {
    match leading_article(name, &["Re", "The"]) {
        Some((art, rest)) => format!("{rest}, {art}"),
        None => name.trim().to_string(),
    }
}

/// Sort key for an instrument title within its table-of-legislation group, on the same
/// rules as [`case_sort_key`] (a leading `The` moved to the end).
pub fn instrument_sort_key(title: &str) -> String {
    match leading_article(title, &["The"]) {
        Some((art, rest)) => normalise(&format!("{rest} {art}")),
        None => normalise(title),
    }
}
