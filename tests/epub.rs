//! EPUB edition tests: every sample guide, a `casebook new` workspace and a
//! fixture holding every construct of the source format are built in-process
//! with `build_epub`, then checked
//!
//! - by us: the archive (mimetype first and stored, fixed timestamps, no extra
//!   fields), every XHTML document well-formed (roxmltree) with `lang` and
//!   `xml:lang`, ids unique, headings that never skip a level, every internal
//!   link resolving to a file and an id, every image with alt text, and the
//!   XHTML each construct becomes;
//! - by the reference validators, which must be installed (`bash
//!   scripts/validators.sh`; a missing validator fails, never skips):
//!   EPUBCheck 5.3.0 (0 errors, 0 warnings) and Ace by DAISY 1.4.6 (no serious
//!   or critical violation, no missing accessibility metadata);
//! - for determinism (two builds, same bytes); its speed is measured by `bench/run.sh`, not tested.
//!
//! The EPUBs are left in `$CARGO_TARGET_TMPDIR/epub/` for inspection.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use casebook::model::Corpus;
use casebook::oscola::Date;
use casebook::render::epub::{build_epub, EpubAssets, EpubError, EpubOptions, DEFAULT_CSS};
use casebook::resolve::{check, ResolveOptions};
use support::{repo, validator, TempDir};

mod support;

/// A valid 1×1 PNG, standing in for the cover the Typst backend renders.
const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

// ---------------------------------------------------------------------------
// Helpers

fn out_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("epub");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn resolve(root: &Path) -> Corpus {
    let (ws, corpus, mut diags) = check(root, &ResolveOptions::default()).unwrap();
    diags.finish();
    assert!(!diags.has_errors(), "{}", casebook::diag::to_human_string(&ws.db, &diags));
    corpus
}

fn options<'a>(corpus: &'a Corpus, guide: &casebook::model::Guide) -> EpubOptions<'a> {
    EpubOptions {
        css: DEFAULT_CSS,
        date: guide.date.unwrap_or(Date { year: 2026, month: 1, day: 1 }),
        publisher: corpus.publisher.as_deref(),
        print_pages: None,
    }
}

/// Builds every guide of a workspace: (guide id, EPUB bytes).
fn build_workspace(root: &Path, cover: bool) -> Vec<(String, Vec<u8>)> {
    let corpus = resolve(root);
    let assets = EpubAssets { cover_png: cover.then(|| TINY_PNG.to_vec()), diagrams: BTreeMap::new() };
    corpus
        .guides
        .iter()
        .map(|g| (g.id.clone(), build_epub(&corpus, g, &assets, &options(&corpus, g)).unwrap()))
        .collect()
}

/// Runs `casebook build --format epub` on a workspace, as a user would: the
/// cover image and the diagrams are the real ones Typst renders. With
/// `with_pdf`, the PDF is built too, and the EPUB carries its pages.
fn build_with_binary(root: &Path, out: &Path, with_pdf: bool) -> Vec<(String, PathBuf)> {
    let formats: &[&str] = if with_pdf { &["--format", "pdf", "--format", "epub"] } else { &["--format", "epub"] };
    let status = Command::new(env!("CARGO_BIN_EXE_casebook"))
        .arg("build")
        .args(formats)
        .arg("--out")
        .arg(out)
        .arg(root)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("casebook runs");
    assert!(status.status.success(), "casebook build failed: {}", String::from_utf8_lossy(&status.stderr));
    let mut books: Vec<(String, PathBuf)> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "epub"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    books.sort();
    books
}

/// The EPUBs every validator test checks, built once: (name, path). The
/// sample guides and a `casebook new` workspace are built by the binary
/// (with Typst's cover and diagram SVGs); the fixture in process.
fn books() -> &'static Vec<(String, PathBuf)> {
    static BOOKS: OnceLock<Vec<(String, PathBuf)>> = OnceLock::new();
    BOOKS.get_or_init(|| {
        let dir = out_dir();
        let mut out = Vec::new();
        let guides_out = dir.join("guides");
        let _ = std::fs::remove_dir_all(&guides_out);
        // The sample guides with their PDFs (page-break markers and a page
        // list), the new workspace's without (neither).
        out.extend(build_with_binary(&repo().join("guides"), &guides_out, true));
        let new = TempDir::new("new");
        let ws = new.0.join("ws");
        casebook::scaffold::create(&ws).unwrap();
        let new_out = dir.join("new");
        let _ = std::fs::remove_dir_all(&new_out);
        for (id, p) in build_with_binary(&ws, &new_out, false) {
            out.push((format!("new-{id}"), p));
        }
        let fx = fixture();
        for (id, bytes) in build_workspace(&fx.0, true) {
            let p = dir.join(format!("fixture-{id}.epub"));
            std::fs::write(&p, bytes).unwrap();
            out.push((format!("fixture-{id}"), p));
        }
        out
    })
}

/// The entries of an EPUB: name -> bytes, in archive order.
fn entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            (f.name().to_owned(), v)
        })
        .collect()
}

fn xhtml_docs(bytes: &[u8]) -> BTreeMap<String, String> {
    entries(bytes)
        .into_iter()
        .filter(|(n, _)| n.ends_with(".xhtml"))
        .map(|(n, v)| (n.trim_start_matches("EPUB/").to_owned(), String::from_utf8(v).unwrap()))
        .collect()
}

/// Parses XML; XHTML documents carry `<!DOCTYPE html>`, which roxmltree refuses by default.
fn parse_xml(text: &str) -> Result<roxmltree::Document<'_>, roxmltree::Error> {
    roxmltree::Document::parse_with_options(text, roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() })
}

const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
const EPUB_NS: &str = "http://www.idpf.org/2007/ops";

/// Checks one book with an XML parser: well-formed, languages, unique ids,
/// heading order, alt text, and every internal link resolving.
fn check_book(name: &str, bytes: &[u8]) {
    let docs = xhtml_docs(bytes);
    let all = entries(bytes);
    let files: BTreeSet<String> = all.iter().map(|(n, _)| n.trim_start_matches("EPUB/").to_owned()).collect();
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut links: Vec<(String, String)> = Vec::new();
    for (file, text) in &docs {
        let doc = parse_xml(text).unwrap_or_else(|e| panic!("{name}/{file} is not well-formed: {e}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().namespace(), Some(XHTML_NS), "{name}/{file}");
        let lang = root.attribute("lang").unwrap_or_else(|| panic!("{name}/{file}: no lang"));
        assert_eq!(root.attribute((XML_NS, "lang")), Some(lang), "{name}/{file}: xml:lang");
        let mut seen = BTreeSet::new();
        let mut prev_heading = 0u8;
        for n in doc.descendants().filter(|n| n.is_element()) {
            if let Some(id) = n.attribute("id") {
                assert!(seen.insert(id.to_owned()), "{name}/{file}: duplicate id {id}");
            }
            let tag = n.tag_name().name();
            if let Some(l) = tag.strip_prefix('h').and_then(|d| d.parse::<u8>().ok()).filter(|_| tag.len() == 2) {
                // The landmarks heading is hidden; everything else is in order.
                let hidden = n.ancestors().any(|a| a.attribute("hidden").is_some());
                if !hidden {
                    assert!(l <= prev_heading + 1, "{name}/{file}: h{l} after h{prev_heading}: {:?}", n.text());
                    prev_heading = l;
                }
            }
            if tag == "img" {
                let alt = n.attribute("alt").unwrap_or_else(|| panic!("{name}/{file}: img without alt"));
                assert!(!alt.trim().is_empty(), "{name}/{file}: empty alt on {:?}", n.attribute("src"));
            }
            for attr in ["href", "src"] {
                if let Some(h) = n.attribute(attr) {
                    if !h.contains(':') {
                        links.push((file.clone(), h.to_owned()));
                    }
                }
            }
        }
        if file != "nav.xhtml" && file != "cover.xhtml" {
            assert!(doc.descendants().any(|n| n.has_tag_name((XHTML_NS, "h1"))), "{name}/{file}: no h1");
        }
        ids.insert(file.clone(), seen);
    }
    for (from, href) in links {
        let (path, frag) = match href.split_once('#') {
            Some((p, f)) => (p.to_owned(), Some(f.to_owned())),
            None => (href.clone(), None),
        };
        let target = if path.is_empty() { from.clone() } else { path.clone() };
        assert!(files.contains(&target), "{name}/{from}: link to missing file {href}");
        if let Some(f) = frag {
            let f = percent_decode(&f);
            assert!(ids.get(&target).is_some_and(|s| s.contains(&f)), "{name}/{from}: link to missing id {href}");
        }
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 3 <= b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

// ---------------------------------------------------------------------------
// A fixture with every construct.

const FIXTURE_CHAPTER: &str = r#"+++
title = "Every construct"
key-terms = ["Omission", "Actus reus"]
+++

# Every construct

Text with *emphasis*, **strong**, ~~struck~~, `code <b>`, a hard break\
here, and an [external link](https://example.org/a?b=1&c=2 "Title") and a
[link to the next chapter](two.md#second-heading) and [to its top](two.md) and
[to its title](two.md#two).
Raw HTML prints literally: <script>alert("x")</script> & "quotes" 'too'. A
footnote[^note] and another[^2].

[^note]: The note's *text*, citing [@corr].
[^2]: Second note.

## Lists {#lists}

3. three
4. four
   - nested *bullet*
   - another

- [ ] a task
- [x] done

> A plain block quote.

```rust
fn main() { println!("<&>"); }
```

| Left | Centre | Right |
|:-----|:------:|------:|
| a    | b      | c     |
| `d`  | **e**  | 1,000 |

|            | Murder | Manslaughter |
|------------|--------|--------------|
| Mens rea   | Intent | Less         |

Term
: Its definition.

---

### Deep heading

#### Deeper still

## Callouts

> [!note]
> A note.

> [!tip]
> A tip.

> [!important]
> Important.

> [!warning]
> A warning.

> [!caution]
> Caution.

> [!definition] Novus actus
> An intervening act that breaks the chain of causation.

> [!rule] The rule
> The rule's text.

> [!exception] First exception
> One [@corr, [14]].

> [!exception]
> Two.

> [!exam-tip]
> Tip for the exam.

> [!pitfall]
> A pitfall.

> [!extra-marks]
> Extra marks.

> [!example]
> An example.

> [!summary]
> A summary.

> [!checklist]
> - one
> - two

> [!question]
> A question?

> [!answer-plan]
> 1. Plan.

> [!step] Identify the issue
> First step.

> [!step]
> Second step.

> [!case] corr
> The concept beside the case.

> [!statute] theft-act-1968 s 1
> The concept beside the provision.

> [!statute] theft-act-1968
> The whole Act.

## Citations

Inline: [@corr]; later [@corr, [16]]; [@page, 165]; [@theft-act-1968, s 1(1)];
[@theft-act-1968, s 3]; several [@corr; @page, 160].

![A diagram of the court hierarchy](images/courts.png "Courts")

```mermaid
flowchart LR
  accTitle: A small flowchart
  accDescr: Start leads to a decision, which ends either way.
  A[Start] --> B{Decide?}
  B -->|Yes| C([End])
  B -. No .-> D((Stop))
  A ==> D
  C --- D
```
"#;

const FIXTURE_TWO: &str = r#"# Two

## Second heading

Again [@corr] and [@page]. And a `<script>` in code, and & alone.

# A second top-level heading

### Skips a level

Text.

## Dollars

The explicit id below wins: this heading's automatic id is renamed. See [money](#dollars),
[this one](#dollars-1) and [the odd one](#1st:a.b).

## Money {#dollars}

Write to <clerk@example.org> or read <https://example.org/a[1]\b>, [the rules](<https://example.org/civil rules>)
and [a broken address](http://../).

## Odd {#1st:a.b}

Text.
"#;

/// A workspace with every construct, in both citation modes.
fn fixture() -> TempDir {
    let d = TempDir::new("fixture");
    let png = TINY_PNG.to_vec();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("casebook.toml", b"[workspace]\npublisher = \"Fixture & <Press>\"\nlanguage = \"en-GB\"\n".to_vec()),
        (
            "inline/guide.toml",
            b"title = \"Inline <Guide> & Co\"\nsubtitle = \"Every \\\"construct\\\"\"\nedition = \"First edition\"\ndate = 2026-09-01\nauthors = [\"A. Tutor\", \"B. Tutor\", \"C. Tutor\"]\ndescription = \"A fixture.\"\nchapters = [\"../ch/one.md\", \"../ch/two.md\"]\ncitations = \"inline\"\ncase-summaries = \"appendix\"\n".to_vec(),
        ),
        (
            "notes/guide.toml",
            b"title = \"Footnotes\"\ndate = 2026-09-01\nauthors = [\"A. Tutor\"]\nidentifier = \"urn:isbn:9780000000002\"\nchapters = [\"../ch/one.md\", \"../ch/two.md\"]\ncitations = \"footnotes\"\ncase-summaries = \"chapter-end\"\n".to_vec(),
        ),
        (
            "none/guide.toml",
            b"title = \"No summaries\"\ndate = 2026-09-01\nchapters = [\"../ch/one.md\", \"../ch/two.md\"]\ncase-summaries = \"none\"\n".to_vec(),
        ),
        ("ch/one.md", FIXTURE_CHAPTER.as_bytes().to_vec()),
        ("ch/two.md", FIXTURE_TWO.as_bytes().to_vec()),
        ("ch/images/courts.png", png),
        ("glossary.md", b"Omission\n: A failure to act.\n\nActus reus\n: The conduct element: see [@corr].\n".to_vec()),
        (
            "cases/corr.md",
            b"+++\nname = \"Corr v IBC Vehicles Ltd\"\ncitation = \"[2008] UKHL 13, [2008] 1 AC 884\"\ncourt = \"HL\"\nshort-name = \"Corr\"\n+++\n\n## Facts\nF <b>bold</b> & more.\n\n## Held\nH, following [@page].\n\n## Principle\nSuicide did not break the chain of causation. Second sentence.\n".to_vec(),
        ),
        (
            "cases/page.md",
            b"+++\nname = \"Page v Smith\"\ncitation = \"[1996] AC 155\"\ncourt = \"HL\"\nshort-name = \"Page\"\nsummary = \"Primary victims need only foresee personal injury.\"\n+++\n\n## Facts\nF.\n\n## Held\nH.\n\n## Principle\nP.\n".to_vec(),
        ),
        (
            "legislation/theft-act-1968.md",
            b"+++\ntitle = \"Theft Act 1968\"\nkind = \"act\"\n+++\n\n## s 1 Basic definition of theft\n(1) A person is guilty of theft if he dishonestly appropriates property.\n\n## s 3 Appropriates\nText three.\n".to_vec(),
        ),
    ];
    for (rel, bytes) in files {
        let p = d.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    d
}

// ---------------------------------------------------------------------------
// Our own checks

/// Spec section 2: e-mail autolinks, explicit heading ids over automatic ones,
/// percent-encoded URLs, invalid URLs as text, and one sanitised id per anchor.
#[test]
fn links_and_heading_ids_from_any_commonmark() {
    let fx = fixture();
    let (ws, _, mut diags) = check(&fx.0, &ResolveOptions::default()).unwrap();
    diags.finish();
    let report = casebook::diag::to_json_lines(&ws.db, &diags);
    // The broken address is a warning; the autolinks and ids raise nothing
    // (the fixture's raw HTML warnings are another test's).
    let codes: Vec<&str> = diags.iter().filter(|d| d.code != "raw-html").map(|d| d.code).collect();
    assert_eq!(codes, ["invalid-url"], "{report}");
    let built: BTreeMap<String, Vec<u8>> = build_workspace(&fx.0, true).into_iter().collect();
    let docs = xhtml_docs(&built["inline"]);
    let two = &docs["ch02-two.xhtml"];
    let d = parse_xml(two).unwrap();
    let heading = |id: &str| text_of(find(&d, |n| n.attribute("id") == Some(id)));
    assert_eq!(heading("dollars"), "Money");
    assert_eq!(heading("dollars-1"), "Dollars");
    assert_eq!(heading("s-1st-a.b"), "Odd");
    let link = |text: &str| find(&d, |n| n.has_tag_name((XHTML_NS, "a")) && text_of(*n) == text).attribute("href").unwrap().to_owned();
    assert_eq!(link("money"), "ch02-two.xhtml#dollars");
    assert_eq!(link("this one"), "ch02-two.xhtml#dollars-1");
    assert_eq!(link("the odd one"), "ch02-two.xhtml#s-1st-a.b");
    assert_eq!(link("clerk@example.org"), "mailto:clerk@example.org");
    assert_eq!(link("https://example.org/a[1]\\b"), "https://example.org/a%5B1%5D%5Cb");
    assert_eq!(link("the rules"), "https://example.org/civil%20rules");
    assert!(text_of(d.root_element()).contains("a broken address"));
    assert!(!two.contains("http://.."), "an invalid URL is never an href");
    // The navigation document names each heading by the id the chapter gives it.
    let nav = parse_xml(&docs["nav.xhtml"]).unwrap();
    let frags: Vec<&str> =
        nav.descendants().filter_map(|n| n.attribute("href")).filter_map(|h| h.strip_prefix("ch02-two.xhtml#")).collect();
    assert!(!frags.is_empty());
    for f in frags {
        let id = percent_decode(f);
        assert!(d.descendants().any(|n| n.attribute("id") == Some(id.as_str())), "nav links to #{f}, which ch02-two lacks");
    }
}

#[test]
fn every_book_is_well_formed_linked_and_ordered() {
    for (name, path) in books() {
        check_book(name, &std::fs::read(path).unwrap());
    }
}

#[test]
fn archive_is_ocf_and_deterministic() {
    let root = repo().join("guides");
    let a = build_workspace(&root, true);
    let b = build_workspace(&root, true);
    assert_eq!(a.len(), 3);
    for ((id, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{id}: two builds differ");
        // Local header of the first entry: "mimetype", stored, no extra field.
        assert_eq!(&x[0..4], b"PK\x03\x04");
        assert_eq!(u16::from_le_bytes([x[8], x[9]]), 0, "{id}: mimetype compressed");
        assert_eq!(u16::from_le_bytes([x[26], x[27]]), 8);
        assert_eq!(u16::from_le_bytes([x[28], x[29]]), 0, "{id}: extra field on mimetype");
        assert_eq!(&x[30..38], b"mimetype");
        assert_eq!(&x[38..58], b"application/epub+zip");
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(x.as_slice())).unwrap();
        for i in 0..z.len() {
            let f = z.by_index(i).unwrap();
            let t = f.last_modified().unwrap();
            assert_eq!((t.year(), t.month(), t.day(), t.hour(), t.minute()), (2026, 9, 1, 0, 0), "{id}: {}", f.name());
            assert!(f.extra_data().map_or(true, |e| e.is_empty()), "{id}: extra field on {}", f.name());
        }
    }
    // Another date: another stamp and dcterms:modified; same identifier.
    let corpus = resolve(&root);
    let g = &corpus.guides[0];
    let mut o = options(&corpus, g);
    o.date = Date { year: 2030, month: 2, day: 3 };
    let bytes = build_epub(&corpus, g, &EpubAssets::default(), &o).unwrap();
    let opf = String::from_utf8(entries(&bytes).into_iter().find(|(n, _)| n == "EPUB/package.opf").unwrap().1).unwrap();
    assert!(opf.contains("<meta property=\"dcterms:modified\">2030-02-03T00:00:00Z</meta>"), "{opf}");
    let opf_a = String::from_utf8(entries(&a[0].1).into_iter().find(|(n, _)| n == "EPUB/package.opf").unwrap().1).unwrap();
    let ident = |s: &str| s.split("<dc:identifier id=\"pub-id\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    assert_eq!(ident(&opf), ident(&opf_a));
    assert!(ident(&opf).starts_with("urn:uuid:"));
}

#[test]
fn package_metadata_spine_and_nav() {
    let fx = fixture();
    let built: BTreeMap<String, Vec<u8>> = build_workspace(&fx.0, true).into_iter().collect();
    let inline = &built["inline"];
    let e: BTreeMap<String, Vec<u8>> = entries(inline).into_iter().collect();
    let opf = String::from_utf8(e["EPUB/package.opf"].clone()).unwrap();
    let doc = parse_xml(&opf).unwrap();
    let metas: Vec<(String, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("meta") && n.attribute("property").is_some())
        .map(|n| (n.attribute("property").unwrap().to_owned(), n.text().unwrap_or("").to_owned()))
        .collect();
    let has = |p: &str, v: &str| metas.iter().any(|(a, b)| a == p && b == v);
    for (p, v) in [
        ("schema:accessMode", "textual"),
        ("schema:accessMode", "visual"),
        ("schema:accessModeSufficient", "textual"),
        ("schema:accessibilityFeature", "structuralNavigation"),
        ("schema:accessibilityFeature", "tableOfContents"),
        ("schema:accessibilityFeature", "alternativeText"),
        ("schema:accessibilityFeature", "readingOrder"),
        ("schema:accessibilityHazard", "none"),
        ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"),
        ("dcterms:modified", "2026-09-01T00:00:00Z"),
    ] {
        assert!(has(p, v), "missing {p} = {v} in\n{opf}");
    }
    assert!(metas.iter().any(|(a, b)| a == "schema:accessibilitySummary" && b.len() > 100));
    // Escaped metadata, distinct ids for language and creators.
    assert!(opf.contains("<dc:title id=\"book-title\">Inline &lt;Guide&gt; &amp; Co</dc:title>"), "{opf}");
    assert!(opf.contains("<dc:publisher>Fixture &amp; &lt;Press&gt;</dc:publisher>"));
    assert!(opf.contains("<dc:creator id=\"creator-3\">C. Tutor</dc:creator>"));
    assert!(opf.contains("properties=\"cover-image\""));
    // Spine: cover, title page, contents, tables, chapters, summaries, glossary.
    let spine: Vec<&str> = doc.descendants().filter(|n| n.has_tag_name("itemref")).map(|n| n.attribute("idref").unwrap()).collect();
    assert_eq!(spine, ["cover", "title", "nav", "cases", "legislation", "ch01-one", "ch02-two", "summaries", "glossary"]);
    // The footnote guide: the guide's own identifier, chapter-end summaries after their chapter.
    let notes: BTreeMap<String, Vec<u8>> = entries(&built["notes"]).into_iter().collect();
    let opf = String::from_utf8(notes["EPUB/package.opf"].clone()).unwrap();
    assert!(opf.contains("<dc:identifier id=\"pub-id\">urn:isbn:9780000000002</dc:identifier>"));
    let spine: Vec<&str> = opf.lines().filter_map(|l| l.strip_prefix("<itemref idref=\"")).map(|l| l.split('"').next().unwrap()).collect();
    assert_eq!(spine, ["cover", "title", "nav", "cases", "legislation", "ch01-one", "ch01-one-cases", "ch02-two", "glossary"]);

    // Navigation: contents with level-2 sections, landmarks.
    let nav = String::from_utf8(e["EPUB/nav.xhtml"].clone()).unwrap();
    let nd = parse_xml(&nav).unwrap();
    let toc = nd.descendants().find(|n| n.attribute((EPUB_NS, "type")) == Some("toc")).unwrap();
    let hrefs: Vec<&str> = toc.descendants().filter_map(|n| n.attribute("href")).collect();
    assert_eq!(
        hrefs,
        [
            "title.xhtml",
            "cases.xhtml",
            "legislation.xhtml",
            "ch01-one.xhtml",
            "ch01-one.xhtml#lists",
            "ch01-one.xhtml#callouts",
            "ch01-one.xhtml#citations",
            "ch02-two.xhtml",
            "ch02-two.xhtml#second-heading",
            "ch02-two.xhtml#a-second-top-level-heading",
            "summaries.xhtml",
            "glossary.xhtml"
        ]
    );
    let landmarks = nd.descendants().find(|n| n.attribute((EPUB_NS, "type")) == Some("landmarks")).unwrap();
    let kinds: Vec<&str> = landmarks.descendants().filter_map(|n| n.attribute((EPUB_NS, "type"))).collect();
    assert_eq!(kinds, ["landmarks", "cover", "titlepage", "toc", "bodymatter", "glossary"]);
}

/// The text of the first element matching `pred`, serialised back as XML.
fn find<'a>(doc: &'a roxmltree::Document, pred: impl Fn(&roxmltree::Node) -> bool) -> roxmltree::Node<'a, 'a> {
    doc.descendants().find(|n| n.is_element() && pred(n)).expect("element not found")
}

fn class_is(n: &roxmltree::Node, c: &str) -> bool {
    n.attribute("class").is_some_and(|v| v.split_whitespace().any(|x| x == c))
}

fn text_of(n: roxmltree::Node) -> String {
    n.descendants().filter(|d| d.is_text()).map(|d| d.text().unwrap()).collect()
}

#[test]
fn every_construct_becomes_the_right_xhtml() {
    let fx = fixture();
    let built: BTreeMap<String, Vec<u8>> = build_workspace(&fx.0, true).into_iter().collect();
    let docs = xhtml_docs(&built["inline"]);
    let one = &docs["ch01-one.xhtml"];
    let d = parse_xml(one).unwrap();

    // Title as the only h1 (the repeated `# Every construct` is not printed twice),
    // `##` as h2, `###` as h3; the second chapter shifts its `#` sections down.
    let h1s: Vec<String> = d.descendants().filter(|n| n.has_tag_name((XHTML_NS, "h1"))).map(text_of).collect();
    assert_eq!(h1s, ["Every construct"]);
    assert_eq!(find(&d, |n| n.attribute("id") == Some("lists")).tag_name().name(), "h2");
    assert_eq!(find(&d, |n| n.attribute("id") == Some("deep-heading")).tag_name().name(), "h3");
    assert_eq!(find(&d, |n| n.attribute("id") == Some("deeper-still")).tag_name().name(), "h4");
    let two = parse_xml(&docs["ch02-two.xhtml"]).unwrap();
    assert_eq!(find(&two, |n| n.attribute("id") == Some("chapter_title")).tag_name().name(), "h1");
    assert_eq!(find(&two, |n| n.attribute("id") == Some("a-second-top-level-heading")).tag_name().name(), "h2");
    assert_eq!(find(&two, |n| n.attribute("id") == Some("skips-a-level")).tag_name().name(), "h3");

    // Inline markup, escaping, links.
    assert!(one.contains("<em>emphasis</em>") && one.contains("<strong>strong</strong>") && one.contains("<del>struck</del>"));
    assert!(one.contains("<code>code &lt;b&gt;</code>"));
    assert!(one.contains("a hard break<br/>"));
    assert!(one.contains("&lt;script&gt;alert(\u{201c}x\u{201d})&lt;/script&gt; &amp; \u{201c}quotes\u{201d} \u{2018}too\u{2019}"), "smart quotes, escaped HTML");
    assert!(!one.contains("<script"));
    assert!(one.contains("<a class=\"ext\" href=\"https://example.org/a?b=1&amp;c=2\">external link</a>"));
    assert!(one.contains("<a href=\"ch02-two.xhtml#second-heading\">link to the next chapter</a>"));
    assert!(one.contains("<a href=\"ch02-two.xhtml\">to its top</a>"));
    // The title heading is printed as the chapter title: a link to it goes to the chapter.
    assert!(one.contains("<a href=\"ch02-two.xhtml\">to its title</a>"), "{one}");

    // Lists, quotes, code, tables, definition lists, rules.
    assert!(one.contains("<ol start=\"3\">"));
    assert!(find(&d, |n| n.has_tag_name((XHTML_NS, "ol"))).descendants().any(|n| n.has_tag_name((XHTML_NS, "ul"))), "nested list");
    assert!(one.contains("[ ] a task") && one.contains("[x] done"));
    assert!(one.contains("<blockquote>\n<p>A plain block quote.</p>\n</blockquote>"));
    assert!(one.contains("<pre><code class=\"language-rust\">fn main() { println!(\"&lt;&amp;&gt;\"); }\n</code></pre>"));
    assert!(one.contains("<th scope=\"col\" class=\"al-left\">Left</th><th scope=\"col\" class=\"al-center\">Centre</th><th scope=\"col\" class=\"al-right\">Right</th>"));
    assert!(one.contains("<td class=\"al-right\">1,000</td>"));
    // A two-way table: empty corner as a data cell, first column as row headers.
    assert!(one.contains("<thead><tr><td></td><th scope=\"col\">Murder</th>"), "{one}");
    assert!(one.contains("<tr><th scope=\"row\">Mens rea</th><td>Intent</td>"));
    assert!(one.contains("<dl>\n<dt>Term</dt>\n<dd>Its definition.</dd>\n</dl>"));
    assert!(one.contains("<hr/>"));

    // Footnotes: EPUB 3 noterefs and asides with back-links.
    let r = find(&d, |n| n.attribute((EPUB_NS, "type")) == Some("noteref"));
    assert_eq!((r.attribute("role"), r.attribute("href"), r.text()), (Some("doc-noteref"), Some("#fn_1"), Some("1")));
    let note = find(&d, |n| n.attribute("id") == Some("fn_1"));
    assert_eq!((note.tag_name().name(), note.attribute((EPUB_NS, "type")), note.attribute("role")), ("aside", Some("footnote"), Some("doc-footnote")));
    assert!(text_of(note).contains("The note\u{2019}s text, citing Corr"), "{}", text_of(note));
    let back = find(&d, |n| n.attribute("role") == Some("doc-backlink"));
    assert_eq!(back.attribute("href"), Some("#fn_ref_1"));

    // Callouts: semantic elements, titles, default titles, step numbers.
    let callout = |kind: &str| find(&d, |n| class_is(n, &format!("c-{kind}")));
    assert_eq!(callout("tip").tag_name().name(), "aside");
    assert_eq!(callout("tip").attribute("role"), Some("doc-tip"));
    assert_eq!(callout("warning").attribute("role"), Some("note"));
    assert_eq!(callout("rule").tag_name().name(), "section");
    assert_eq!(callout("example").attribute("role"), Some("doc-example"));
    for kind in ["note", "important", "caution", "exam-tip", "pitfall", "extra-marks", "summary", "checklist", "question", "answer-plan"] {
        assert!(text_of(callout(kind)).len() > 3, "{kind}");
    }
    assert!(text_of(callout("exam-tip")).trim_start().starts_with("Exam tip"));
    let steps: Vec<String> = d
        .descendants()
        .filter(|n| class_is(n, "c-step"))
        .map(|n| text_of(find_in(n, "callout-title")))
        .collect();
    assert_eq!(steps, ["Step 1: Identify the issue", "Step 2"]);
    assert_eq!(text_of(find_in(callout("definition"), "callout-title")), "Definition: Novus actus");
    assert!(callout("definition").descendants().any(|n| n.attribute("href") == Some("glossary.xhtml#term-novus-actus")));

    // Rule and exceptions in one panel.
    let panel = find(&d, |n| class_is(n, "rule-panel"));
    let kinds: Vec<&str> = panel.children().filter_map(|n| n.attribute("class")).collect();
    assert_eq!(kinds, ["panel-title", "callout c-rule", "callout c-exception", "callout c-exception"]);

    // `case` and `statute`: the concept, then the summary's Principle (summaries
    // are printed) or the provision's text, stacked.
    let case = callout("case");
    assert_eq!(case.attribute("id"), Some("case_corr"));
    assert!(text_of(case).contains("Corr v IBC Vehicles Ltd [2008] UKHL 13, [2008] 1 AC 884"));
    let beside = text_of(find_in(case, "beside"));
    assert!(beside.contains("Principle") && beside.contains("Suicide did not break") && !beside.contains("Facts"), "{beside}");
    let statute = callout("statute");
    assert_eq!(statute.attribute("id"), Some("stat_theft-act-1968_s-1"));
    assert!(text_of(find_in(statute, "beside")).contains("s 1 Basic definition of theft"));
    let whole = d.descendants().filter(|n| class_is(n, "c-statute")).nth(1).unwrap();
    assert!(text_of(whole).contains("Text three."), "the whole Act");

    // Citations: id = anchor, link to the summary (or the provision text), and
    // nothing added to the running text: the table entry is reached from the
    // summary's heading and from the case or statute block's name.
    let c1 = find(&d, |n| n.attribute("id") == Some("cite-1-2"));
    assert_eq!(c1.attribute("href"), Some("summaries.xhtml#case-corr"));
    for (name, doc) in &docs {
        assert!(!doc.contains("class=\"toa\" href"), "{name}: a link token in the running text");
    }
    let links_to = |n: roxmltree::Node, href: &str| n.descendants().any(|a| a.attribute("href") == Some(href));
    assert!(links_to(find_in(case, "callout-name"), "cases.xhtml#tc-corr"), "the case block's name links to the table");
    assert!(
        find_in(statute, "callout-name").descendants().any(|a| a.attribute("href").is_some_and(|h| h.starts_with("legislation.xhtml#tl-theft-act-1968"))),
        "the statute block's name links to the table"
    );
    let summaries = parse_xml(&docs["summaries.xhtml"]).unwrap();
    let corr = find(&summaries, |n| n.attribute("id") == Some("case-corr"));
    let heading = corr.children().find(|n| n.has_tag_name((XHTML_NS, "h2"))).unwrap();
    assert!(links_to(heading, "cases.xhtml#tc-corr"), "the summary's heading links to the table");
    let prov = d
        .descendants()
        .find(|n| class_is(n, "cite") && text_of(*n) == "Theft Act 1968, s 1(1)")
        .expect("provision citation");
    assert_eq!(prov.attribute("href"), Some("ch01-one.xhtml#stat_theft-act-1968_s-1"));

    // Images and diagrams.
    let img = find(&d, |n| n.has_tag_name((XHTML_NS, "img")) && n.attribute("src").is_some_and(|s| s.starts_with("images/")));
    assert_eq!((img.attribute("alt"), img.attribute("title")), (Some("A diagram of the court hierarchy"), Some("Courts")));
    let fig = find(&d, |n| class_is(n, "diagram"));
    let dimg = fig.children().find(|n| n.has_tag_name((XHTML_NS, "img"))).unwrap();
    assert_eq!(dimg.attribute("src"), Some("diagrams/d1.svg"));
    assert_eq!(dimg.attribute("alt"), Some("Start leads to a decision, which ends either way."));
    assert_eq!(text_of(fig.children().find(|n| n.has_tag_name((XHTML_NS, "figcaption"))).unwrap()), "Figure 1: A small flowchart");
    let e: BTreeMap<String, Vec<u8>> = entries(&built["inline"]).into_iter().collect();
    let svg = String::from_utf8(e["EPUB/diagrams/d1.svg"].clone()).unwrap();
    let sd = parse_xml(&svg).unwrap();
    assert_eq!(sd.root_element().tag_name().name(), "svg");
    assert!(svg.contains("<desc id=\"d\">Start leads to a decision, which ends either way.</desc>"));
    assert!(svg.contains(">Decide?</tspan>") && svg.contains("stroke-dasharray"));

    // Key terms box and Key cases table.
    let kt = find(&d, |n| class_is(n, "key-terms"));
    let terms: Vec<String> = kt.descendants().filter(|n| n.has_tag_name((XHTML_NS, "dt"))).map(text_of).collect();
    assert_eq!(terms, ["Omission", "Actus reus"]);
    assert!(kt.descendants().any(|n| n.attribute("href") == Some("glossary.xhtml#term-actus-reus")));
    let kc = find(&d, |n| class_is(n, "key-cases"));
    let rows: Vec<String> = kc.descendants().filter(|n| n.has_tag_name((XHTML_NS, "tr"))).map(text_of).collect();
    assert_eq!(rows[1], "Corr v IBC Vehicles Ltd [2008] UKHL 13, [2008] 1 AC 884Suicide did not break the chain of causation.");
    assert_eq!(rows[2], "Page v Smith [1996] AC 155 (HL)Primary victims need only foresee personal injury.");

    // Tables of authorities link back to every place; case names roman.
    let cases = parse_xml(&docs["cases.xhtml"]).unwrap();
    let corr = find(&cases, |n| n.attribute("id") == Some("tc-corr"));
    assert!(!corr.descendants().any(|n| n.has_tag_name((XHTML_NS, "i"))), "roman in the table");
    let back: Vec<&str> = corr.descendants().filter_map(|n| n.attribute("href")).filter(|h| h.contains("#cite-")).collect();
    assert!(back.len() >= 5 && back.iter().any(|h| h.starts_with("ch02-two.xhtml")), "{back:?}");
    let leg = parse_xml(&docs["legislation.xhtml"]).unwrap();
    let subs: Vec<String> = leg.descendants().filter(|n| n.has_tag_name((XHTML_NS, "li")) && n.attribute("id").is_some_and(|i| i.contains('_'))).map(|n| n.attribute("id").unwrap().to_owned()).collect();
    // `s 1` is the provision shown beside a `statute` block: a place it is cited too.
    assert_eq!(subs, ["tl-theft-act-1968_s-1", "tl-theft-act-1968_s-1-1", "tl-theft-act-1968_s-3"]);

    // Summaries: sections as h3 under the case's h2; glossary as a definition list.
    let sum = parse_xml(&docs["summaries.xhtml"]).unwrap();
    let s = find(&sum, |n| n.attribute("id") == Some("case-corr"));
    let h3: Vec<String> = s.descendants().filter(|n| n.has_tag_name((XHTML_NS, "h3"))).map(text_of).collect();
    assert_eq!(h3, ["Facts", "Held", "Principle"]);
    assert!(text_of(s).contains("F <b>bold</b> & more."), "raw HTML literal in a summary");
    assert!(text_of(s).contains("following Page v Smith [1996] AC 155 (HL)"), "citation in a summary printed in full");
    let glossary = parse_xml(&docs["glossary.xhtml"]).unwrap();
    let dt = find(&glossary, |n| n.attribute("id") == Some("term-omission"));
    assert_eq!(dt.tag_name().name(), "dt");

    // Title page.
    let title = &docs["title.xhtml"];
    for s in ["Inline &lt;Guide&gt; &amp; Co", "Every \"construct\"", "First edition", "1 September 2026", "A. Tutor, B. Tutor and C. Tutor", "Fixture &amp; &lt;Press&gt;"] {
        assert!(title.contains(s), "{s} in {title}");
    }
}

fn find_in<'a>(n: roxmltree::Node<'a, 'a>, class: &str) -> roxmltree::Node<'a, 'a> {
    n.descendants().find(|d| class_is(d, class)).unwrap_or_else(|| panic!("no .{class}"))
}

#[test]
fn footnote_mode_puts_citations_in_numbered_notes() {
    let fx = fixture();
    let built: BTreeMap<String, Vec<u8>> = build_workspace(&fx.0, true).into_iter().collect();
    let docs = xhtml_docs(&built["notes"]);
    let d = parse_xml(&docs["ch01-one.xhtml"]).unwrap();
    // The text keeps the case name (italic), linking to its summary at the chapter end.
    let c = find(&d, |n| {
        class_is(n, "cite") && n.next_sibling_element().is_some_and(|s| s.attribute((EPUB_NS, "type")) == Some("noteref"))
    });
    assert_eq!(text_of(c), "Corr");
    assert_eq!(c.attribute("href"), Some("ch01-one-cases.xhtml#case-corr"));
    assert!(c.children().any(|n| n.has_tag_name((XHTML_NS, "i"))));
    // Followed by its note reference; the note holds the citation, linked to the table.
    let r = c.next_sibling_element().unwrap();
    assert_eq!(r.attribute((EPUB_NS, "type")), Some("noteref"));
    let target = r.attribute("href").unwrap().trim_start_matches('#');
    let note = find(&d, |n| n.attribute("id") == Some(target));
    assert_eq!(note.attribute((EPUB_NS, "type")), Some("footnote"));
    let t = text_of(note);
    assert!(t.ends_with("Corr v IBC Vehicles Ltd [2008] UKHL 13, [2008] 1 AC 884 [14]."), "{t}");
    assert!(note.descendants().any(|n| n.attribute("href") == Some("cases.xhtml#tc-corr")));
    // Several cases in one citation: one note, items joined with "; ".
    let notes: Vec<String> = d.descendants().filter(|n| n.attribute((EPUB_NS, "type")) == Some("footnote")).map(text_of).collect();
    assert!(notes.iter().any(|n| n.contains("Corr; Page (n ") || n.contains("; Page")), "{notes:#?}");
    // Numbers match the model: user notes and citation notes share one sequence.
    let numbers: Vec<String> = d.descendants().filter(|n| n.attribute((EPUB_NS, "type")) == Some("noteref")).map(text_of).collect();
    let mut sorted = numbers.clone();
    sorted.sort_by_key(|n| n.parse::<u32>().unwrap());
    assert_eq!(numbers, sorted);
    // Chapter-end summaries follow the chapter.
    assert!(docs.contains_key("ch01-one-cases.xhtml") && !docs.contains_key("summaries.xhtml"));
}

#[test]
fn without_summaries_citations_link_to_case_blocks_or_tables() {
    let fx = fixture();
    let built: BTreeMap<String, Vec<u8>> = build_workspace(&fx.0, true).into_iter().collect();
    let docs = xhtml_docs(&built["none"]);
    let d = parse_xml(&docs["ch01-one.xhtml"]).unwrap();
    assert_eq!(find(&d, |n| n.attribute("id") == Some("cite-1-2")).attribute("href"), Some("ch01-one.xhtml#case_corr"));
    // Page has no case block: its citation goes to the table, with no second marker.
    let page = d.descendants().find(|n| class_is(n, "cite") && text_of(*n).starts_with("Page v Smith")).unwrap();
    assert_eq!(page.attribute("href"), Some("cases.xhtml#tc-page"));
    assert!(!page.next_sibling_element().is_some_and(|n| class_is(&n, "toa")));
    // The case block shows the whole summary.
    let beside = text_of(find_in(find(&d, |n| class_is(n, "c-case")), "beside"));
    assert!(beside.contains("Facts") && beside.contains("Held") && beside.contains("Principle"));
    assert!(!docs.keys().any(|k| k.contains("summaries") || k.ends_with("-cases.xhtml")));
}

#[test]
fn text_only_cover_and_unreadable_image_error() {
    let fx = fixture();
    let corpus = resolve(&fx.0);
    let g = corpus.guides.iter().find(|g| g.id == "inline").unwrap();
    let bytes = build_epub(&corpus, g, &EpubAssets::default(), &options(&corpus, g)).unwrap();
    let e: BTreeMap<String, Vec<u8>> = entries(&bytes).into_iter().collect();
    assert!(!e.contains_key("EPUB/images/cover.png"));
    let cover = String::from_utf8(e["EPUB/cover.xhtml"].clone()).unwrap();
    assert!(cover.contains("<h1 class=\"cover-title\">Inline &lt;Guide&gt; &amp; Co</h1>") && cover.contains("First edition"));
    assert!(!String::from_utf8(e["EPUB/package.opf"].clone()).unwrap().contains("cover-image"));

    std::fs::remove_file(fx.0.join("ch/images/courts.png")).unwrap();
    match build_epub(&corpus, g, &EpubAssets::default(), &options(&corpus, g)) {
        Err(err @ EpubError::Image { .. }) => assert!(err.to_string().contains("ch/images/courts.png"), "{err}"),
        other => panic!("expected an image error, got {:?}", other.map(|b| b.len())),
    }
}

#[test]
fn typst_diagrams_are_used_when_given() {
    let fx = fixture();
    let corpus = resolve(&fx.0);
    let g = corpus.guides.iter().find(|g| g.id == "inline").unwrap();
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\"/></svg>";
    let assets = EpubAssets { cover_png: None, diagrams: [(1usize, svg.to_owned())].into() };
    let bytes = build_epub(&corpus, g, &assets, &options(&corpus, g)).unwrap();
    let e: BTreeMap<String, Vec<u8>> = entries(&bytes).into_iter().collect();
    assert_eq!(e["EPUB/diagrams/d1.svg"], svg.as_bytes());
}

// ---------------------------------------------------------------------------
// The reference validators

#[test]
fn epubcheck_reports_no_errors_and_no_warnings() {
    let epubcheck = validator("epubcheck");
    let mut failures = Vec::new();
    // One JVM per book, all at once: the machine's cores share the work.
    let children: Vec<_> = books()
        .iter()
        .map(|(name, path)| {
            let child = Command::new(&epubcheck)
                .arg("--json")
                .arg("-")
                .arg(path)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("epubcheck runs");
            (name, child)
        })
        .collect();
    for (name, child) in children {
        let out = child.wait_with_output().expect("epubcheck runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let json_start = stdout.find('{').unwrap_or_else(|| panic!("{name}: no JSON from epubcheck: {stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
        let report: serde_json::Value = serde_json::from_str(&stdout[json_start..]).expect("epubcheck JSON");
        let checker = &report["checker"];
        let (fatal, errors, warnings) = (checker["nFatal"].as_u64().unwrap(), checker["nError"].as_u64().unwrap(), checker["nWarning"].as_u64().unwrap());
        eprintln!("epubcheck {name}: {fatal} fatal, {errors} errors, {warnings} warnings");
        if fatal + errors + warnings > 0 {
            for m in report["messages"].as_array().unwrap() {
                let sev = m["severity"].as_str().unwrap_or("");
                if matches!(sev, "FATAL" | "ERROR" | "WARNING") {
                    failures.push(format!("{name}: {sev} {} {} at {}", m["ID"], m["message"], m["locations"]));
                }
            }
        }
    }
    assert!(failures.is_empty(), "epubcheck:\n{}", failures.join("\n"));
}

#[test]
fn ace_reports_no_serious_violation_and_complete_metadata() {
    let ace = validator("ace");
    let mut failures = Vec::new();
    for (name, path) in books() {
        let report_dir = out_dir().join(format!("ace-{name}"));
        let _ = std::fs::remove_dir_all(&report_dir);
        let out = Command::new(&ace)
            .arg("--silent")
            .arg("--outdir")
            .arg(&report_dir)
            .arg("--tempdir")
            .arg(out_dir().join(format!("ace-tmp-{name}")))
            .arg(path)
            .output()
            .expect("ace runs");
        let report_path = report_dir.join("report.json");
        let text = std::fs::read_to_string(&report_path).unwrap_or_else(|_| {
            panic!("{name}: ace wrote no report ({}):\n{}\n{}", out.status, String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
        });
        let report: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for doc in report["assertions"].as_array().unwrap() {
            for a in doc["assertions"].as_array().into_iter().flatten() {
                if a["earl:result"]["earl:outcome"] != "fail" {
                    continue;
                }
                let impact = a["earl:test"]["earl:impact"].as_str().unwrap_or("?").to_owned();
                *counts.entry(impact.clone()).or_default() += 1;
                if impact == "serious" || impact == "critical" {
                    failures.push(format!(
                        "{name}: {impact} {} in {}: {}",
                        a["earl:test"]["dct:title"],
                        doc["earl:testSubject"]["url"],
                        a["earl:result"]["dct:description"]
                    ));
                }
            }
        }
        // Ace lists as missing every property of its list that is absent,
        // including `a11y:certifierCredential` and `a11y:certifierReport`, which
        // describe a third party's certification: a book that has none must not
        // claim one, so those two may be absent; everything else must be there.
        let missing: Vec<&str> = report["a11y-metadata"]["missing"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        let empty = report["a11y-metadata"]["empty"].as_array().unwrap();
        let not_ours = |p: &&str| *p != "a11y:certifierCredential" && *p != "a11y:certifierReport";
        if missing.iter().any(not_ours) || !empty.is_empty() {
            failures.push(format!("{name}: missing accessibility metadata {missing:?}, empty {empty:?}"));
        }
        let present: Vec<&str> = report["a11y-metadata"]["present"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        for p in ["schema:accessMode", "schema:accessibilityFeature", "schema:accessibilityHazard", "schema:accessibilitySummary", "schema:accessModeSufficient", "dcterms:conformsTo", "a11y:certifiedBy"] {
            if !present.contains(&p) {
                failures.push(format!("{name}: Ace does not see {p}"));
            }
        }
        eprintln!("ace {name}: violations by impact {counts:?}");
    }
    assert!(failures.is_empty(), "ace:\n{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------
// Text is text: whatever a chapter says, every document stays well-formed.

mod text_is_text {
    use super::*;
    use proptest::prelude::*;

    /// Markdown-ish text rich in markup characters, entities and controls.
    fn chapter_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("<script>alert('x')</script>".to_owned()),
            Just("&amp; &lt; & < > \" '".to_owned()),
            Just("*a* **b** ~~c~~ `d<e>`".to_owned()),
            Just("[link](https://example.org/?a=\"b\"&c=<d>)".to_owned()),
            Just("\n\n> [!tip] <b>Title</b> & co\n> body\n\n".to_owned()),
            Just("\n\n| <a> | & |\n|---|---|\n| \" | ' |\n\n".to_owned()),
            Just("\n\n## Heading <i>&</i> {#h-1}\n\n".to_owned()),
            Just("[^n]\n\n[^n]: note <x> & y\n\n".to_owned()),
            Just("\u{0}\u{1}\u{8}\u{b}\u{c}\u{1f}\u{fffe}\u{ffff}".to_owned()),
            Just("$ # @ \\ ]] [[ !".to_owned()),
            "[ -~]{0,20}",
            "\\PC{0,12}",
        ];
        prop::collection::vec(piece, 1..12).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 40, .. ProptestConfig::default() })]
        #[test]
        fn any_chapter_gives_well_formed_documents(body in chapter_text(), title in "[ -~]{1,30}") {
            let d = TempDir::new("prop");
            let chapter = format!("+++\ntitle = {}\n+++\n\n{body}\n", serde_json::to_string(&title).unwrap());
            std::fs::create_dir_all(d.0.join("g")).unwrap();
            std::fs::write(d.0.join("casebook.toml"), "[workspace]\npublisher = \"P<&>\"\n").unwrap();
            std::fs::write(d.0.join("g/guide.toml"), "title = \"T\"\nchapters = [\"c.md\"]\n").unwrap();
            std::fs::write(d.0.join("g/c.md"), chapter).unwrap();
            let (_ws, corpus, diags) = check(&d.0, &ResolveOptions::default()).unwrap();
            prop_assume!(!diags.has_errors());
            let g = &corpus.guides[0];
            let bytes = build_epub(&corpus, g, &EpubAssets::default(), &options(&corpus, g)).unwrap();
            check_book("prop", &bytes);
            for (name, text) in xhtml_docs(&bytes) {
                prop_assert!(!text.contains("<script"), "{name}");
            }
        }
    }
}

#[test]
fn binary_builds_are_byte_identical() {
    // Two processes, two output folders, the real Typst cover and diagrams.
    let a = out_dir().join("twice-a");
    let b = out_dir().join("twice-b");
    for d in [&a, &b] {
        let _ = std::fs::remove_dir_all(d);
    }
    let first = build_with_binary(&repo().join("guides"), &a, true);
    let second = build_with_binary(&repo().join("guides"), &b, true);
    assert_eq!(first.len(), 3);
    for ((id, x), (_, y)) in first.iter().zip(&second) {
        assert!(std::fs::read(x).unwrap() == std::fs::read(y).unwrap(), "{id}: two builds differ");
        let bytes = std::fs::read(x).unwrap();
        // A real cover image rendered by Typst, and every diagram as Typst's SVG.
        let names: Vec<String> = entries(&bytes).into_iter().map(|(n, _)| n).collect();
        assert!(names.iter().any(|n| n.ends_with("cover.png")), "{id}: {names:?}");
        for (n, data) in entries(&bytes) {
            if n.contains("diagrams/") {
                let svg = String::from_utf8_lossy(&data);
                assert!(svg.contains("<svg") && svg.contains("<path"), "{id}: {n} is not a drawn SVG");
            }
        }
    }
}
