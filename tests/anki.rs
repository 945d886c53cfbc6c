//! The Anki flashcards (`--format anki`, `<id>.anki.txt`) imported by the
//! real Anki backend: PyPI `anki` 26.9.3, which `scripts/test.sh` installs
//! into `target/tools/anki-venv` and names in `CASEBOOK_ANKI_PYTHON`.
//! `tests/anki/import.py` opens a collection offline and imports each file
//! as Anki's File > Import does (`get_csv_metadata`, then `import_csv` with
//! the headers' metadata unchanged), then prints every note as JSON.
//!
//! The sample guides are built as a user builds them, in a temporary copy of
//! `guides/`: the notes' count, fields, decks and tags are checked; a case is
//! edited, the guide rebuilt and imported again into the same collection (the
//! note is updated, nothing is duplicated); and the three guides imported
//! together give one note per case, however many guides cite it. A small
//! workspace checks that text which looks like markup, quotes, tabs and line
//! breaks reach Anki as the text they are.
//!
//! No Anki, no pass: a missing interpreter or an `anki` that does not import
//! fails the test with the reason.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use casebook::model::{Corpus, Guide};
use casebook::render::anki::{cases_in_order, note_guid, NoteKey};
use casebook::resolve::{check, ResolveOptions};
use serde_json::Value;
use support::{copy_dir, repo, TempDir};

/// The pinned Anki version the import runs against.
const ANKI_VERSION: &str = "26.9.3";

/// The Python that has `anki`: `CASEBOOK_ANKI_PYTHON` (as `scripts/test.sh`
/// exports it), else where `scripts/test.sh` installs it, as for the other
/// tools (`support::validator`). Its absence fails the test.
fn anki_python() -> PathBuf {
    let p = std::env::var_os("CASEBOOK_ANKI_PYTHON").map(PathBuf::from).unwrap_or_else(|| {
        let tools = std::env::var_os("CASEBOOK_TOOLS").map(PathBuf::from).unwrap_or_else(|| repo().join("target/tools"));
        tools.join("anki-venv/bin/python")
    });
    assert!(p.is_file(), "{} is missing: this test imports the flashcards with the real Anki backend (PyPI anki=={ANKI_VERSION}); run `bash scripts/test.sh`, which installs it, or set CASEBOOK_ANKI_PYTHON", p.display());
    p
}

/// Imports `files`, in order, into the collection at `collection` (created
/// when missing) and returns what `tests/anki/import.py` prints.
fn import(collection: &Path, files: &[&Path]) -> Value {
    let python = anki_python();
    let out = Command::new(&python)
        .arg(repo().join("tests/anki/import.py"))
        .arg(collection)
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} ({e}); run `bash scripts/test.sh` to install anki=={ANKI_VERSION}", python.display()));
    assert!(
        out.status.success(),
        "the Anki import failed (exit {:?}):\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("import.py prints JSON");
    assert_eq!(v["anki_version"], ANKI_VERSION, "the tests pin anki=={ANKI_VERSION}; run `bash scripts/test.sh`");
    v
}

/// `casebook build DIR --format anki --out DIR/out --quiet`, which must succeed.
fn build_anki(ws: &Path) -> PathBuf {
    let out_dir = ws.join("out");
    let out = Command::new(env!("CARGO_BIN_EXE_casebook"))
        .env_remove("SOURCE_DATE_EPOCH")
        .arg("build")
        .arg(ws)
        .args(["--format", "anki", "--quiet", "--out"])
        .arg(&out_dir)
        .output()
        .expect("the binary runs");
    assert!(out.status.success(), "build failed:\n{}", String::from_utf8_lossy(&out.stderr));
    out_dir
}

/// The workspace's corpus (for the ids, counts and GUIDs the notes must have).
fn corpus(ws: &Path) -> Corpus {
    let (_, corpus, diags) = check(ws, &ResolveOptions::default()).expect("the workspace loads");
    assert!(!diags.has_errors());
    corpus
}

fn guide<'a>(corpus: &'a Corpus, id: &str) -> &'a Guide {
    corpus.guides.iter().find(|g| g.id == id).unwrap_or_else(|| panic!("no guide {id}"))
}

/// The GUIDs a guide's notes must have: its cases, then its terms.
fn guids(corpus: &Corpus, g: &Guide) -> Vec<String> {
    let publisher = corpus.publisher.as_deref();
    cases_in_order(g)
        .into_iter()
        .map(|c| note_guid(publisher, NoteKey::Case(&corpus.case(c).id)))
        .chain(g.terms.iter().map(|t| note_guid(publisher, NoteKey::Term(&corpus.term(*t).name))))
        .collect()
}

/// The notes, by GUID.
fn notes(v: &Value) -> BTreeMap<String, Value> {
    v["notes"].as_array().expect("notes").iter().map(|n| (n["guid"].as_str().unwrap().to_owned(), n.clone())).collect()
}

/// The log counts of the `i`th import.
fn log(v: &Value, i: usize, key: &str) -> u64 {
    v["imports"][i]["log"][key].as_u64().unwrap_or_else(|| panic!("no {key} in the log: {v}"))
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array().expect("an array").iter().map(|s| s.as_str().unwrap()).collect()
}

/// Copies the sample guides into a temporary folder.
fn sample_copy(name: &str) -> TempDir {
    let t = TempDir::new(name);
    copy_dir(&repo().join("guides"), t.path());
    t
}

#[test]
fn a_guide_imports_into_anki_and_the_next_edition_updates_its_notes() {
    let t = sample_copy("anki-import");
    let out = build_anki(t.path());
    let file = out.join("criminal-law.anki.txt");
    let corpus = corpus(t.path());
    let g = guide(&corpus, "criminal-law");
    let want = guids(&corpus, g);
    assert_eq!(want.len(), g.cases_cited().len() + g.terms.len());
    assert!(g.cases_cited().len() >= 10 && g.terms.len() >= 10, "the sample guide has cases and terms");

    let col = t.join("collection.anki2");
    let v = import(&col, &[&file]);
    let md = &v["imports"][0]["metadata"];
    assert_eq!(md["force_delimiter"], true, "the #separator header is read: {md}");
    assert_eq!(md["is_html"], true, "{md}");
    assert_eq!(md["force_is_html"], true, "{md}");
    assert_eq!(md["guid_column"], 1, "{md}");
    assert_eq!(md["deck_column"], 2, "{md}");
    assert_eq!(md["tags_column"], 3, "{md}");
    assert_eq!(md["field_columns"], serde_json::json!([4, 5]), "Front and Back are columns 4 and 5: {md}");
    assert_eq!(log(&v, 0, "new") as usize, want.len(), "{}", v["imports"]);
    for k in ["updated", "duplicate", "conflicting", "first_field_match", "missing_notetype", "missing_deck", "empty_first_field"] {
        assert_eq!(log(&v, 0, k), 0, "{k}: {}", v["imports"]);
    }
    assert_eq!(v["note_count"].as_u64().unwrap() as usize, want.len());
    let ns = notes(&v);
    assert_eq!(ns.keys().cloned().collect::<BTreeSet<_>>(), want.iter().cloned().collect::<BTreeSet<_>>());

    let cases = cases_in_order(g).len();
    for (i, guid) in want.iter().enumerate() {
        let n = &ns[guid];
        assert_eq!(n["notetype"], "Basic");
        let deck = if i < cases { "Criminal Law::Cases" } else { "Criminal Law::Key terms" };
        assert_eq!(strs(&n["decks"]), [deck], "{n}");
        for f in ["Front", "Back"] {
            let text = n["fields"][f].as_str().unwrap();
            assert!(!text.trim().is_empty(), "an empty {f}: {n}");
            assert!(!text.contains(['\t', '\n', '\r']), "{n}");
        }
        for tag in strs(&n["tags"]) {
            assert!(!tag.contains(char::is_whitespace), "{n}");
        }
    }

    // A known case: R v Miller, cited in the text and in a `case` block of
    // chapter 2, and in the exam chapters' problem questions if they cite it.
    let miller_guid = note_guid(corpus.publisher.as_deref(), NoteKey::Case("r-v-miller"));
    let miller = &ns[&miller_guid];
    assert_eq!(miller["fields"]["Front"], "<i>R v Miller</i> [1983] 2 AC 161 (HL)");
    let back = miller["fields"]["Back"].as_str().unwrap();
    assert!(back.starts_with("<b>Principle</b><br>Where D creates a dangerous situation, even accidentally, and realises that he has done so, a duty arises"), "{back}");
    assert!(back.contains("<br><br><b>Held</b><br>"), "{back}");
    let tags = strs(&miller["tags"]);
    for t in ["criminal_law", "actus_reus", "omissions", "criminal_damage", "criminal-law::ch02-actus-reus"] {
        assert!(tags.contains(&t), "{t} not in {tags:?}");
    }

    // A known key term, defined by a `definition` callout in chapter 3.
    let term = corpus.terms.iter().find(|t| t.name == "Oblique intention").expect("chapter 3 defines Oblique intention");
    let n = &ns[&note_guid(corpus.publisher.as_deref(), NoteKey::Term(&term.name))];
    assert_eq!(n["fields"]["Front"], "Oblique intention");
    assert!(n["fields"]["Back"].as_str().unwrap().contains("virtual certainty"), "{n}");
    assert!(strs(&n["tags"]).contains(&"criminal-law::ch03-mens-rea"), "{n}");

    // The next edition: Miller's principle rewritten. Importing it again
    // updates that note, in place; nothing is added.
    let case_file = t.join("cases/r-v-miller.md");
    let source = std::fs::read_to_string(&case_file).unwrap();
    let start = source.find("## Principle").unwrap();
    let end = source[start + 3..].find("\n## ").map(|i| start + 3 + i).unwrap_or(source.len());
    let edited = format!("{}## Principle\n\nRewritten for the next edition: a duty to act arises from **creating** a danger.\n{}", &source[..start], &source[end..]);
    std::fs::write(&case_file, edited).unwrap();
    build_anki(t.path());
    let v2 = import(&col, &[&file]);
    assert_eq!(v2["note_count"].as_u64().unwrap() as usize, want.len(), "no duplicates");
    assert_eq!(log(&v2, 0, "new"), 0, "{}", v2["imports"]);
    assert_eq!(log(&v2, 0, "updated"), 1, "only Miller changed: {}", v2["imports"]);
    let ns2 = notes(&v2);
    let back2 = ns2[&miller_guid]["fields"]["Back"].as_str().unwrap();
    assert!(
        back2.starts_with("<b>Principle</b><br>Rewritten for the next edition: a duty to act arises from <b>creating</b> a danger.<br><br><b>Held</b>"),
        "{back2}"
    );
    assert!(!back2.contains("Where D creates"), "{back2}");
    for (guid, n) in &ns {
        if *guid != miller_guid {
            assert_eq!(ns2[guid], *n, "only Miller's note changed");
        }
    }
}

#[test]
fn a_case_cited_by_several_guides_is_one_note() {
    let t = sample_copy("anki-shared");
    let out = build_anki(t.path());
    let corpus = corpus(t.path());
    let ids: Vec<&str> = corpus.guides.iter().map(|g| g.id.as_str()).collect();
    assert!(ids.len() >= 2, "the sample workspace has several guides: {ids:?}");
    // The cases each guide cites, and those cited by more than one.
    let mut guides_of: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut all: BTreeSet<String> = BTreeSet::new();
    for g in &corpus.guides {
        for c in cases_in_order(g) {
            guides_of.entry(corpus.case(c).id.clone()).or_default().push(&g.id);
        }
        all.extend(guids(&corpus, g));
    }
    let shared: Vec<(&String, &Vec<&str>)> = guides_of.iter().filter(|(_, gs)| gs.len() > 1).collect();
    assert!(!shared.is_empty(), "the sample guides share a case");

    let files: Vec<PathBuf> = ids.iter().map(|id| out.join(format!("{id}.anki.txt"))).collect();
    let file_refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let v = import(&t.join("collection.anki2"), &file_refs);
    let ns = notes(&v);
    assert_eq!(v["note_count"].as_u64().unwrap() as usize, all.len(), "one note per case or term, whatever the guides");
    assert_eq!(ns.keys().cloned().collect::<BTreeSet<_>>(), all);
    let total_new: u64 = (0..ids.len()).map(|i| log(&v, i, "new")).sum();
    assert_eq!(total_new as usize, all.len(), "{}", v["imports"]);
    for (case, gs) in shared {
        let n = &ns[&note_guid(corpus.publisher.as_deref(), NoteKey::Case(case))];
        // One note, one card, in the deck of the first guide imported that
        // cites it: Anki updates a note's fields and tags, but leaves its
        // cards in their decks.
        let first = gs[0];
        let title = &corpus.guides.iter().find(|g| g.id == first).unwrap().title;
        assert_eq!(strs(&n["decks"]), [format!("{title}::Cases")], "{case}: {n}");
        // The note carries the tags of the last guide imported that cites it
        // (an update replaces the tags).
        let last = gs.last().unwrap();
        assert!(strs(&n["tags"]).iter().any(|t| t.starts_with(&format!("{last}::"))), "{case}: {n}");
    }
}

#[test]
fn text_that_looks_like_markup_reaches_anki_as_text() {
    let t = TempDir::new("anki-escape");
    let files: &[(&str, &str)] = &[
        ("casebook.toml", "[workspace]\npublisher = \"Press\"\n"),
        ("g/guide.toml", "title = \"Odd \\\"Law\\\"\"\nchapters = [\"one.md\"]\n"),
        ("g/one.md", "+++\nkey-terms = [\"Tab\\tand <b>\"]\n+++\n# One\n\nSee [@odd-v-even].\n"),
        ("glossary.md", "Tab\tand <b>\n: Defined with \"quotes\" & <i>tags</i>.\n"),
        (
            "cases/odd-v-even.md",
            "+++\nname = \"Odd \\\"Q\\\" & <Co> v\\tEven\"\ncitation = \"[2001] 1 AC 1\"\ncourt = \"HL\"\nsubjects = [\"duty\\tof care\", \"a\\nb\"]\n+++\n\n## Facts\nF.\n\n## Held\nH.\n\n## Principle\nTab\there & <script>alert(1)</script>, `\"quoted\"`\nnext line; [a link](https://example.org/?a=1&b=2).\n",
        ),
    ];
    for (rel, text) in files {
        let p = t.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let out = build_anki(t.path());
    let file = out.join("g.anki.txt");
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().filter(|l| !l.starts_with('#')).count(), 2, "{text}");
    let v = import(&t.join("collection.anki2"), &[&file]);
    assert_eq!(v["note_count"], 2, "{v}");
    let ns = notes(&v);
    let case = &ns[&note_guid(Some("Press"), NoteKey::Case("odd-v-even"))];
    assert_eq!(case["fields"]["Front"], "<i>Odd &quot;Q&quot; &amp; &lt;Co&gt; v Even</i> [2001] 1 AC 1 (HL)");
    assert_eq!(
        case["fields"]["Back"],
        "<b>Principle</b><br>Tab here &amp; &lt;script&gt;alert(1)&lt;/script&gt;, <code>&quot;quoted&quot;</code> next line; \
         <a href=\"https://example.org/?a=1&amp;b=2\">a link</a>.<br><br><b>Held</b><br>H."
    );
    assert_eq!(strs(&case["decks"]), ["Odd \"Law\"::Cases"]);
    assert_eq!(strs(&case["tags"]), ["a_b", "duty_of_care", "g::ch01-one"]);
    let term = &ns[&note_guid(Some("Press"), NoteKey::Term("Tab\tand <b>"))];
    assert_eq!(term["fields"]["Front"], "Tab and &lt;b&gt;");
    assert_eq!(term["fields"]["Back"], "Defined with “quotes” &amp; &lt;i&gt;tags&lt;/i&gt;.");
    assert_eq!(strs(&term["decks"]), ["Odd \"Law\"::Key terms"]);
}
