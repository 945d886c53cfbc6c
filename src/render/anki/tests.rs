//! Unit tests of the Anki writer on small workspaces written to a temporary
//! folder: the headers, the columns and their escaping, the GUID scheme, the
//! order of the notes, the tags. The real import is tested in `tests/anki.rs`.

use std::path::{Path, PathBuf};

use super::*;
use crate::resolve::{check, ResolveOptions};

/// A workspace in a temporary folder, removed when dropped.
struct Ws(PathBuf);

impl Drop for Ws {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn workspace(name: &str, files: &[(&str, &str)]) -> Ws {
    let d = std::env::temp_dir().join(format!("casebook-anki-unit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    for (rel, text) in files {
        let p = d.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    Ws(d)
}

/// The Anki text of the workspace's only guide (the sources must be clean).
fn anki_of(root: &Path) -> String {
    let (_ws, corpus, diags) = check(root, &ResolveOptions::default()).unwrap();
    assert!(!diags.has_errors(), "{diags:?}");
    assert_eq!(corpus.guides.len(), 1);
    anki_text(&corpus, &corpus.guides[0], corpus.publisher.as_deref())
}

const CASE_A: &str = "+++\nname = \"Alpha v Beta\"\ncitation = \"[2001] UKHL 1, [2002] 1 AC 10\"\ncourt = \"HL\"\nsubjects = [\"tort\", \"duty of care\", \"Tort\"]\n+++\n\n## Facts\nF.\n\n## Held\nAppeal *allowed*.\n\n## Principle\nFirst paragraph.\n\nSecond paragraph.\n\n## Key quote\n“A quote.”\n";
const CASE_B: &str = "+++\nname = \"Gamma v Delta\"\ncitation = \"[1990] 2 QB 5\"\ncourt = \"CA\"\n+++\n\n## Facts\nF.\n\n## Held\nH.\n\n## Principle\nP of Gamma.\n";
const CASE_C: &str = "+++\nname = \"Epsilon v Zeta\"\ncitation = \"[1980] AC 1\"\ncourt = \"HL\"\n+++\n\n## Facts\nF.\n\n## Held\nH.\n\n## Principle\nP of Epsilon.\n";

fn small() -> Vec<(&'static str, &'static str)> {
    vec![
        ("casebook.toml", "[workspace]\npublisher = \"Press\"\n"),
        ("g/guide.toml", "title = \"Tort Law\"\nchapters = [\"one.md\", \"two.md\"]\n"),
        // Gamma first, then Alpha; Epsilon only through a `case` callout in chapter two.
        ("g/one.md", "+++\nkey-terms = [\"Omission\"]\n+++\n# One\n\nSee [@gamma-v-delta] and [@alpha-v-beta].\n"),
        ("g/two.md", "# Two\n\nAgain [@alpha-v-beta].\n\n> [!case] epsilon-v-zeta\n> The concept.\n\n> [!definition] Actus reus\n> The conduct element.\n"),
        ("glossary.md", "Omission\n: A failure to act.\n\nZebra crossing\n: Unused.\n"),
        ("cases/alpha-v-beta.md", CASE_A),
        ("cases/gamma-v-delta.md", CASE_B),
        ("cases/epsilon-v-zeta.md", CASE_C),
    ]
}

/// Splits a data line into its fields as a CSV reader with tab separators
/// and `"` quoting does.
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if at_start => quoted = true,
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().unwrap().push('"');
            }
            '"' if quoted => quoted = false,
            '\t' if !quoted => {
                out.push(String::new());
                at_start = true;
                continue;
            }
            c => out.last_mut().unwrap().push(c),
        }
        at_start = false;
    }
    assert!(!quoted, "an unterminated quoted field in {line:?}");
    out
}

fn notes(text: &str) -> Vec<Vec<String>> {
    text.lines().filter(|l| !l.starts_with('#')).map(fields).collect()
}

#[test]
fn the_headers_come_first_in_anki_syntax() {
    let ws = workspace("headers", &small());
    let text = anki_of(&ws.0);
    let head: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
    assert_eq!(
        head,
        [
            "#separator:tab",
            "#html:true",
            "#notetype:Basic",
            "#columns:GUID\tDeck\tTags\tFront\tBack",
            "#guid column:1",
            "#deck column:2",
            "#tags column:3",
        ]
    );
    // Nothing but notes after the headers, every one with five columns.
    assert!(text.ends_with('\n'));
    for n in notes(&text) {
        assert_eq!(n.len(), 5, "{n:?}");
    }
}

#[test]
fn cases_in_order_of_first_citation_then_terms_alphabetically() {
    let ws = workspace("order", &small());
    let text = anki_of(&ws.0);
    let ns = notes(&text);
    let fronts: Vec<&str> = ns.iter().map(|n| n[3].as_str()).collect();
    assert_eq!(
        fronts,
        [
            "<i>Gamma v Delta</i> [1990] 2 QB 5 (CA)",
            "<i>Alpha v Beta</i> [2001] UKHL 1, [2002] 1 AC 10",
            "<i>Epsilon v Zeta</i> [1980] AC 1 (HL)",
            "Actus reus",
            "Omission",
        ]
    );
    let decks: Vec<&str> = ns.iter().map(|n| n[1].as_str()).collect();
    assert_eq!(decks, ["Tort Law::Cases", "Tort Law::Cases", "Tort Law::Cases", "Tort Law::Key terms", "Tort Law::Key terms"]);
}

#[test]
fn backs_hold_principle_held_and_key_quote() {
    let ws = workspace("backs", &small());
    let ns = notes(&anki_of(&ws.0));
    assert_eq!(
        ns[1][4],
        "<b>Principle</b><br>First paragraph.<br><br>Second paragraph.<br><br><b>Held</b><br>Appeal <i>allowed</i>.<br><br><b>Key quote</b><br>“A quote.”"
    );
    assert_eq!(ns[0][4], "<b>Principle</b><br>P of Gamma.<br><br><b>Held</b><br>H.");
    assert_eq!(ns[3][4], "The conduct element.");
    assert_eq!(ns[4][4], "A failure to act.");
}

#[test]
fn tags_are_subjects_and_chapters_without_spaces() {
    let ws = workspace("tags", &small());
    let ns = notes(&anki_of(&ws.0));
    let tags: Vec<&str> = ns.iter().map(|n| n[2].as_str()).collect();
    assert_eq!(
        tags,
        [
            "g::ch01-one",
            // `Tort` repeats `tort` for Anki, which ignores case in tags.
            "tort duty_of_care g::ch01-one g::ch02-two",
            "g::ch02-two",
            "g::ch02-two",
            "g::ch01-one",
        ]
    );
    assert_eq!(tag("duty of care"), "duty_of_care");
    assert_eq!(tag("  a \t\u{3000} b  "), "a_b");
    assert_eq!(tag("say \"hi\"\u{7}"), "say_hi");
    assert_eq!(tag(" \" "), "");
}

#[test]
fn guids_depend_on_publisher_and_id_only() {
    // Pinned: a change here re-creates every note a student has imported.
    assert_eq!(note_guid(Some("Press"), NoteKey::Case("alpha-v-beta")), note_guid(Some(" Press "), NoteKey::Case("alpha-v-beta")));
    assert_eq!(
        note_guid(Some("Casebook Sample Press"), NoteKey::Case("donoghue-v-stevenson")),
        Uuid::new_v5(&GUID_NAMESPACE, b"Casebook Sample Press\ncase:donoghue-v-stevenson").hyphenated().to_string()
    );
    assert_eq!(note_guid(Some("Casebook Sample Press"), NoteKey::Case("donoghue-v-stevenson")), PINNED_DONOGHUE);
    assert_ne!(note_guid(Some("Press"), NoteKey::Case("x")), note_guid(Some("Other"), NoteKey::Case("x")));
    assert_ne!(note_guid(Some("Press"), NoteKey::Case("omission")), note_guid(Some("Press"), NoteKey::Term("omission")));
    assert_eq!(note_guid(None, NoteKey::Term("Actus  Reus")), note_guid(Some(""), NoteKey::Term("actus reus")));

    // The same case in two guides of one workspace: one GUID; the guide's
    // title and the edition do not enter it.
    let mut files = small();
    files[1] = ("g/guide.toml", "title = \"Another Title\"\nedition = \"Ninth edition\"\nchapters = [\"one.md\", \"two.md\"]\n");
    let ws2 = workspace("guid-b", &files);
    let ws1 = workspace("guid-a", &small());
    let g1: Vec<String> = notes(&anki_of(&ws1.0)).into_iter().map(|n| n[0].clone()).collect();
    let g2: Vec<String> = notes(&anki_of(&ws2.0)).into_iter().map(|n| n[0].clone()).collect();
    assert_eq!(g1, g2);
    assert_eq!(g1[1], note_guid(Some("Press"), NoteKey::Case("alpha-v-beta")));
    assert_eq!(g1[4], note_guid(Some("Press"), NoteKey::Term("Omission")));
    let unique: BTreeSet<&String> = g1.iter().collect();
    assert_eq!(unique.len(), g1.len());
}

/// `note_guid(Some("Casebook Sample Press"), NoteKey::Case("donoghue-v-stevenson"))`.
const PINNED_DONOGHUE: &str = "70186d37-3787-5ebe-a9a3-dc9e61454454";

#[test]
fn fields_are_escaped_html_on_one_line() {
    let mut files = small();
    files[5] = (
        "cases/alpha-v-beta.md",
        "+++\nname = \"Alpha \\\"A\\\" & <B> v\\tBeta\"\ncitation = \"[2001] UKHL 1\"\ncourt = \"HL\"\nsubjects = [\"a\\tb\", \"x\\ny\"]\n+++\n\n## Facts\nF.\n\n## Held\nH.\n\n## Principle\nTab\there & <script>alert(1)</script>, a `\"quote\"`\nand a new line, a [link](https://example.org/?a=1&b=\"2\"), and [@gamma-v-delta].\n\n```\nline one\n\tline two\n```\n",
    );
    files[1] = ("g/guide.toml", "title = \"Tort\\tLaw\\n\"\nchapters = [\"one.md\", \"two.md\"]\n");
    let ws = workspace("escape", &files);
    let text = anki_of(&ws.0);
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        assert_eq!(fields(line).len(), 5, "{line:?}");
        assert!(!line.contains('\r'));
    }
    let ns = notes(&text);
    let a = &ns[1];
    assert_eq!(a[1], "Tort Law::Cases");
    assert_eq!(a[2], "a_b x_y g::ch01-one g::ch02-two");
    assert_eq!(a[3], "<i>Alpha &quot;A&quot; &amp; &lt;B&gt; v Beta</i> [2001] UKHL 1");
    assert_eq!(
        a[4],
        "<b>Principle</b><br>Tab here &amp; &lt;script&gt;alert(1)&lt;/script&gt;, a <code>&quot;quote&quot;</code> and a new line, \
         a <a href=\"https://example.org/?a=1&amp;b=%222%22\">link</a>, and <i>Gamma v Delta</i> [1990] 2 QB 5 (CA).\
         <pre><code>line one<br>    line two</code></pre><br><br><b>Held</b><br>H."
    );
    // The back holds a `"` (in the link's href), so it is quoted on the line.
    let line = text.lines().find(|l| l.contains("Alpha")).unwrap();
    assert!(line.ends_with('"') && line.contains("\t\"<b>Principle</b>"), "{line}");
    assert!(!text.contains("<script"));
}

#[test]
fn the_output_is_the_same_every_time() {
    let ws = workspace("same", &small());
    assert_eq!(anki_of(&ws.0), anki_of(&ws.0));
}
