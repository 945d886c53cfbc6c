//! The Markdown conformance suites as tests: every example of CommonMark
//! 0.31.2, GFM 0.29, the cmark-gfm extensions and pulldown-cmark's extension
//! specs (1,898 in all) is run as a chapter through both editions.
//!
//! Method, per suite (one `#[test]` each):
//!
//! 1. Every example is written, exactly as the suite gives it, as the only
//!    chapter of a one-guide workspace and `check`ed on its own (in process,
//!    under `catch_unwind`: a panic is a failure). An example `check` rejects
//!    must be rejected for a reason the spec gives: [`rejection_reason`]
//!    classifies every error code, and an error with no such reason fails.
//! 2. The examples that pass are grouped, in suite order, into guides of at
//!    most [`GROUP`] chapters (one chapter per example) in one workspace, which
//!    must `check` clean as a whole. Every guide is rendered with the library
//!    (`build::render_pdf`, `build::render_epub`: what `casebook build` runs):
//!    its PDF must compile, and its EPUB must pass EPUBCheck 5.3.0
//!    (`target/tools/bin/epubcheck`, installed by `scripts/validators.sh`; a
//!    missing validator fails) with 0 errors and 0 warnings.
//! 3. The text of each chapter in the EPUB must equal the text of the
//!    example's reference HTML ([`visible_text`]: tags dropped, block
//!    boundaries as a space, entities decoded, runs of ASCII whitespace
//!    collapsed; both sides alike). Normalisations, each for a documented
//!    choice of the source format: smart punctuation is on (curly quotes,
//!    dashes and ellipses fold to their ASCII spelling on both sides); a
//!    chapter's first H1 is its title, printed first (a leading H1 that
//!    repeats it is not printed again, README; any other stays in place, so
//!    the title joins the front of the reference); the label a callout's `[!kind]` marker becomes is not
//!    compared; footnotes are EPUB 3 notes (markers and note bodies are
//!    compared apart from the running text, each note's text as a multiset;
//!    a note nothing refers to, or a second definition of a label, is left
//!    out with a warning, as cmark-gfm does).
//!    Examples the source format deliberately treats otherwise are not
//!    compared, by rule ([`not_compared`]: raw HTML, features the spec turns
//!    off or does not have, extensions that parse the example differently)
//!    and by a short explicit list with a reason each ([`EXPLICIT`]).
//!
//! Figures (examples run, passing `check`, rejections by reason, PDFs
//! compiled, EPUBCheck per group, comparisons and mismatches) are printed to
//! stderr: run with `--nocapture` to see them. The EPUBs are left in
//! `$CARGO_TARGET_TMPDIR/conformance/`.
//!
//! The suites are read at run time from `../shared/testdata` beside the
//! repository (a missing folder fails the test); nothing from them is copied
//! into this repository or compiled into the product. They are test inputs
//! only, under their own licences (see `testdata/LICENSE-NOTE.md`): the
//! CommonMark and GFM specs are CC-BY-SA 4.0 (© John MacFarlane, GitHub), the
//! cmark-gfm extension tests BSD-2-Clause (© John MacFarlane), pulldown-cmark's
//! specs MIT (© Google Inc.) and `smart_punct.txt` BSD-2-Clause.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use casebook::diag::{Diagnostics, Severity};
use casebook::resolve::{check, ResolveOptions};
use pulldown_cmark::{CodeBlockKind, Event as Md, Options, Parser, Tag as MdTag};
use support::{validator, TempDir};

mod support;

/// Chapters per guide: small enough that a group's PDF compiles in seconds,
/// large enough that EPUBCheck (one JVM per book) runs about ten times a suite.
const GROUP: usize = 120;

// ---------------------------------------------------------------------------
// The suites.

/// One example of a suite.
#[derive(Debug, Clone)]
struct Example {
    /// Short name of its spec file (`commonmark`, `gfm`, `table`…).
    spec: String,
    /// Which harness options the suite's reference HTML was made with.
    family: Family,
    /// 1-based number in its file.
    number: u64,
    section: String,
    markdown: String,
    html: String,
    extensions: Vec<String>,
}

impl Example {
    /// `commonmark #12`.
    fn label(&self) -> String {
        format!("{} #{}", self.spec, self.number)
    }

    /// The chapter file's stem (`commonmark-0012`).
    fn stem(&self) -> String {
        format!("{}-{:04}", self.spec.replace('_', "-"), self.number)
    }
}

/// The options the suite's reference renderer ran with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// cmark: plain CommonMark.
    CommonMark,
    /// cmark-gfm's spec: CommonMark plus the extensions an example names.
    GfmSpec,
    /// cmark-gfm's extensions test: every extension, footnotes included.
    GfmExtensions,
    /// pulldown-cmark's harness (its `specs/` folder).
    Pulldown,
}

/// `../shared/testdata`, beside the repository. Missing is a failure.
fn testdata() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata");
    assert!(
        d.join("LICENSE-NOTE.md").is_file(),
        "{} is missing: the conformance suites are read from ../shared/testdata beside the repository",
        d.display()
    );
    d
}

fn load(rel: &str, family: Family) -> Vec<Example> {
    let path = testdata().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let stem = Path::new(rel).file_stem().unwrap().to_string_lossy().into_owned();
    let spec = match family {
        Family::CommonMark => "commonmark".to_owned(),
        Family::GfmSpec => "gfm".to_owned(),
        Family::GfmExtensions => "gfm-ext".to_owned(),
        Family::Pulldown => stem,
    };
    json.as_array()
        .unwrap_or_else(|| panic!("{rel}: not an array"))
        .iter()
        .map(|e| Example {
            spec: spec.clone(),
            family,
            number: e["example"].as_u64().unwrap(),
            section: e["section"].as_str().unwrap_or("").to_owned(),
            markdown: e["markdown"].as_str().unwrap().to_owned(),
            html: e["html"].as_str().unwrap().to_owned(),
            extensions: e["extensions"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_owned()).collect(),
        })
        .collect()
}

/// pulldown-cmark's spec files, sorted.
fn pulldown_files() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(testdata().join("pulldown-cmark"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .map(|n| format!("pulldown-cmark/{n}"))
        .collect();
    v.sort();
    v
}

// ---------------------------------------------------------------------------
// Step 1: each example alone through `check`.

/// A one-guide workspace whose only chapter is rewritten for every example.
struct Workspace(TempDir);

impl Workspace {
    fn new(name: &str) -> Workspace {
        let d = TempDir::new(&format!("conformance-{name}"));
        std::fs::write(d.join("casebook.toml"), "[workspace]\npublisher = \"Conformance\"\nlanguage = \"en\"\n").unwrap();
        Workspace(d)
    }
}

/// What `check` said about one example alone.
enum Checked {
    Passed,
    /// Errors: (code, message, the source text it points at).
    Rejected(Vec<(String, String, String)>),
    Panicked(String),
}

fn panic_text(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default()
}

fn check_alone(ws: &Workspace, ex: &Example) -> Checked {
    let dir = ws.0.join("g");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("guide.toml"), "title = \"One example\"\nchapters = [\"example.md\"]\n").unwrap();
    std::fs::write(dir.join("example.md"), &ex.markdown).unwrap();
    let result = catch_unwind(AssertUnwindSafe(|| {
        let (ws, _corpus, mut diags) = check(ws.0.path(), &ResolveOptions::default()).expect("the workspace loads");
        diags.finish();
        errors_of(&ws, &diags)
    }));
    match result {
        Err(p) => Checked::Panicked(panic_text(p)),
        Ok(errors) if errors.is_empty() => Checked::Passed,
        Ok(errors) => Checked::Rejected(errors.into_iter().map(|(_, c, m, s)| (c, m, s)).collect()),
    }
}

/// Every error: (file name, code, message, the source text it points at).
fn errors_of(ws: &casebook::workspace::Workspace, diags: &Diagnostics) -> Vec<(String, String, String, String)> {
    diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let (file, at) = match &d.span {
                Some(s) => {
                    let f = ws.db.get(s.file);
                    (f.name.clone(), f.text.get(s.range.clone()).unwrap_or("").to_owned())
                }
                None => (String::new(), String::new()),
            };
            (file, d.code.to_owned(), d.message.clone(), at)
        })
        .collect()
}

/// The reason the spec gives for an error `check` reports on an example, or
/// `None` when the spec says the input is valid.
fn rejection_reason(ex: &Example, code: &str, at: &str) -> Option<&'static str> {
    let front_matter = ex.markdown.lines().next().is_some_and(|l| l.trim_end() == "+++");
    Some(match code {
        // Spec 2: `<name@example.org>` is a link (issue 7: the lead's part).
        "bad-link" if is_email_autolink(at) => return None,
        "bad-link" => "a link that is neither a web address, mailto, nor a chapter's .md file (README: chapter links)",
        "broken-link" => "a link to a heading this chapter does not have (README: chapter links)",
        "path-outside-workspace" => "a path that leaves the workspace (spec 7)",
        "missing-image" | "remote-image" | "image-format" => "an image that is not a PNG/JPEG/GIF/SVG file in the workspace (spec 2.4)",
        // Spec 2: only two explicit ids alike are an error.
        "duplicate-heading-id" if explicit_ids_repeat(&ex.markdown) => "two explicit heading ids alike (spec 2)",
        "duplicate-heading-id" => return None,
        "unknown-callout" | "callout-target-missing" | "callout-target-kind" | "definition-without-term" => {
            "a `[!kind]` block quote that is not a valid callout (spec 2.2)"
        }
        "malformed-citation" | "unknown-citation" | "bad-locator" | "unknown-provision" => "a `[@…]` citation that does not resolve (spec 2.1)",
        "diagram-syntax" => "a mermaid fence outside the flowchart subset (spec 2.3)",
        "unclosed-front-matter" | "unknown-key" | "missing-field" | "invalid-value" | "invalid-type" | "toml-syntax" if front_matter => {
            "an opening `+++` line is TOML front matter (spec 2)"
        }
        _ => return None,
    })
}

/// `<clerk@example.org>`: a CommonMark e-mail autolink.
fn is_email_autolink(at: &str) -> bool {
    let inner = at.trim();
    inner.starts_with('<') && inner.ends_with('>') && inner.contains('@') && !inner.contains(':')
}

/// Whether two headings of `md` carry the same explicit `{#id}`.
fn explicit_ids_repeat(md: &str) -> bool {
    let mut seen = std::collections::BTreeSet::new();
    for e in Parser::new_ext(md, casebook::parse::markdown::options()) {
        if let Md::Start(MdTag::Heading { id: Some(id), .. }) = e {
            if !seen.insert(id.to_string()) {
                return true;
            }
        }
    }
    false
}

// ---------------------------------------------------------------------------
// Which examples are not compared, and why.

/// The options the suite's reference HTML was rendered with, in pulldown-cmark's terms.
fn suite_options(ex: &Example) -> Options {
    let has = |e: &str| ex.extensions.iter().any(|x| x == e);
    match ex.family {
        Family::CommonMark => Options::empty(),
        Family::GfmSpec => {
            let mut o = Options::empty();
            if has("table") {
                o |= Options::ENABLE_TABLES;
            }
            if has("strikethrough") {
                o |= Options::ENABLE_STRIKETHROUGH;
            }
            o
        }
        Family::GfmExtensions => Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS | Options::ENABLE_FOOTNOTES,
        Family::Pulldown => {
            let mut o = Options::ENABLE_TABLES
                | Options::ENABLE_STRIKETHROUGH
                | Options::ENABLE_TASKLISTS
                | Options::ENABLE_GFM
                | Options::ENABLE_HEADING_ATTRIBUTES
                | Options::ENABLE_MATH
                | Options::ENABLE_SUPERSCRIPT;
            o |= if has("old_footnotes") { Options::ENABLE_OLD_FOOTNOTES } else { Options::ENABLE_FOOTNOTES };
            if has("smartpunct") {
                o |= Options::ENABLE_SMART_PUNCTUATION;
            }
            if has("metadata_blocks") {
                o |= Options::ENABLE_YAML_STYLE_METADATA_BLOCKS | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS;
            }
            if has("super_sub") {
                o |= Options::ENABLE_SUBSCRIPT;
            }
            if has("wikilinks") {
                o |= Options::ENABLE_WIKILINKS;
            }
            if has("deflists") {
                o |= Options::ENABLE_DEFINITION_LIST;
            }
            o
        }
    }
}

/// The shape of a parse: every event but text (smart punctuation changes text
/// only; a task-list marker prints as the text `[ ]`, as the checkbox does).
fn shape(md: &str, opts: Options) -> Vec<String> {
    let mut out = Vec::new();
    for e in Parser::new_ext(md, opts) {
        let s = match e {
            Md::Text(_) | Md::TaskListMarker(_) => continue,
            Md::Start(t) => format!("start {}", tag_shape(&t)),
            Md::End(t) => format!("end {t:?}"),
            Md::Code(_) => "code".to_owned(),
            Md::InlineMath(_) | Md::DisplayMath(_) => "math".to_owned(),
            Md::Html(_) | Md::InlineHtml(_) => "html".to_owned(),
            Md::FootnoteReference(l) => format!("footnote-ref {}", &*l),
            other => format!("{other:?}"),
        };
        out.push(s);
    }
    out
}

fn tag_shape(t: &MdTag) -> String {
    match t {
        MdTag::Heading { level, id, classes, attrs } => {
            let classes: Vec<&str> = classes.iter().map(|c| &**c).collect();
            let attrs: Vec<(&str, Option<&str>)> = attrs.iter().map(|(k, v)| (&**k, v.as_deref())).collect();
            format!("heading {level:?} {:?} {classes:?} {attrs:?}", id.as_deref())
        }
        MdTag::CodeBlock(CodeBlockKind::Fenced(info)) => format!("fenced {}", &**info),
        MdTag::CodeBlock(CodeBlockKind::Indented) => "indented".to_owned(),
        MdTag::Link { link_type, dest_url, title, .. } => format!("link {link_type:?} {} {}", &**dest_url, &**title),
        MdTag::Image { link_type, dest_url, title, .. } => format!("image {link_type:?} {} {}", &**dest_url, &**title),
        MdTag::FootnoteDefinition(l) => format!("footnote {}", &**l),
        MdTag::MetadataBlock(_) => "metadata".to_owned(),
        other => format!("{other:?}"),
    }
}

/// The feature a shape entry belongs to, for the reason of an exclusion.
fn feature(entry: &str) -> &'static str {
    let table: &[(&str, &'static str)] = &[
        ("math", "math is off: `$` is a dollar sign (spec 2)"),
        ("Superscript", "superscript/subscript are not in the source format"),
        ("Subscript", "superscript/subscript are not in the source format"),
        ("WikiLink", "wikilinks are not in the source format"),
        ("metadata", "metadata blocks: `+++` is only front matter at the top (spec 2, 8)"),
        ("MetadataBlock", "metadata blocks: `+++` is only front matter at the top (spec 2, 8)"),
        ("Table", "GFM tables are on in the source format"),
        ("Strikethrough", "strikethrough is on in the source format"),
        ("footnote", "footnotes are on in the source format"),
        ("Footnote", "footnotes are on in the source format"),
        ("Definition", "definition lists are on in the source format"),
        ("heading", "heading attributes (`{#id}`) are on in the source format"),
        ("BlockQuote(Some", "GFM alerts are on in the source format"),
        ("BlockQuote", "GFM alerts are on in the source format"),
    ];
    table.iter().find(|(k, _)| entry.contains(k)).map_or("the source format's extensions parse it otherwise", |(_, v)| v)
}

/// Examples not compared with their reference HTML, with the reason; found
/// by rule. `None`: the text must be equal.
fn not_compared(ex: &Example) -> Option<String> {
    if let Some((_, why)) = EXPLICIT.iter().find(|(name, _)| *name == ex.label()) {
        return Some(format!("listed: {why}"));
    }
    if ex.html.trim() == "<IGNORE>" {
        return Some("the suite only asks that it does not crash (`<IGNORE>`)".to_owned());
    }
    match ex.spec.as_str() {
        "highlight" => return Some("`==highlight==` is not in the source format (nor in pulldown-cmark 0.13)".to_owned()),
        "container_extensions" => return Some("`:::` containers are not in the source format (nor in pulldown-cmark 0.13)".to_owned()),
        _ => {}
    }
    let ours = casebook::parse::markdown::options();
    // Raw HTML is shown as text (spec 2); comments are dropped and `<br>` is a
    // line break, as in the reference.
    for e in Parser::new_ext(&ex.markdown, ours) {
        if let Md::Html(h) | Md::InlineHtml(h) = e {
            if !is_comment_or_br(&h) {
                return Some("raw HTML is shown as literal text (spec 2)".to_owned());
            }
        }
    }
    let theirs = shape(&ex.markdown, suite_options(ex));
    let mine = shape(&ex.markdown, ours);
    if theirs != mine {
        let i = theirs.iter().zip(&mine).position(|(a, b)| a != b).unwrap_or(theirs.len().min(mine.len()));
        let entry = theirs.get(i).or(mine.get(i)).cloned().unwrap_or_default();
        let other = mine.get(i).cloned().unwrap_or_default();
        let why = feature(&entry);
        let why = if why.starts_with("the source") { feature(&other) } else { why };
        return Some(why.to_owned());
    }
    None
}

/// HTML that both editions treat as the reference does: comments (dropped)
/// and `<br>` (a line break). Comments may span several events.
fn is_comment_or_br(h: &str) -> bool {
    let t = h.trim();
    if t.is_empty() {
        return true;
    }
    let lower = t.to_ascii_lowercase();
    if matches!(lower.as_str(), "<br>" | "<br/>" | "<br />") {
        return true;
    }
    lower.starts_with("<!--") && (lower.ends_with("-->") || !lower.contains('>'))
}

/// Examples compared by no rule above that the source format treats
/// otherwise on purpose, or where the suite's reference is not what the
/// pinned parser does. Each name is `spec #number`; a listed example that
/// starts to match fails the test, so the list cannot go stale.
const EXPLICIT: &[(&str, &str)] = &[
    // HTML comments: GFM 0.29 is older than CommonMark 0.31's comment rule,
    // which pulldown-cmark 0.13 follows; the comment is dropped (spec 2).
    ("gfm #645", "GFM 0.29 predates CommonMark 0.31.2, where `<!-- … -- … -->` is a comment (dropped)"),
    ("gfm #646", "GFM 0.29 predates CommonMark 0.31.2, where `<!-->` is a whole comment (dropped)"),
    // XML cannot hold C0 controls other than tab, LF and CR: they are dropped.
    ("heading_attrs #40", "U+000B (vertical tab) cannot appear in XHTML: it is dropped"),
    ("regression #48", "U+0007 (bell) cannot appear in XHTML: it is dropped"),
    // The pulldown-cmark specs are from its master branch; these examples are
    // newer than the pinned 0.13.6 (they are not in its tests/suite), which
    // parses them otherwise.
    ("regression #212", "newer than pulldown-cmark 0.13.6, which reads `[link]\\[id]` as a reference link"),
    ("regression #213", "newer than pulldown-cmark 0.13.6, which reads `[id]\\[]` as a reference link"),
    ("regression #214", "newer than pulldown-cmark 0.13.6, which reads a title with no space before it as a link"),
    ("super_sub #8", "superscript/subscript are not in the source format (and 0.13.6 reads this as text)"),
    ("super_sub #11", "superscript/subscript are not in the source format (and 0.13.6 reads this as text)"),
];

// ---------------------------------------------------------------------------
// Text of HTML, alike for the reference and the EPUB.

const BLOCKS: &[&str] = &[
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "hr", "br", "table",
    "thead", "tbody", "tr", "th", "td", "section", "aside", "figure", "figcaption",
];
const VOID: &[&str] = &["br", "hr", "img", "input", "meta", "link"];

/// A tag: lower-case name, its attributes' text, closing, self-closing.
struct TagToken<'a> {
    name: String,
    attrs: &'a str,
    closing: bool,
    void: bool,
}

/// The end of a tag opened at `at` (quote-aware), or `None`.
fn tag_end(s: &str, at: usize) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, b) in s.bytes().enumerate().skip(at + 1) {
        match (quote, b) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn parse_tag(inner: &str) -> TagToken<'_> {
    let closing = inner.starts_with('/');
    let body = inner.trim_start_matches('/');
    let name_end = body.find(|c: char| c.is_whitespace() || c == '/').unwrap_or(body.len());
    let name = body[..name_end].to_ascii_lowercase();
    let attrs = &body[name_end..];
    let void = inner.ends_with('/') || VOID.contains(&name.as_str());
    TagToken { name, attrs, closing, void }
}

fn has_class(attrs: &str, class: &str) -> bool {
    let Some(i) = attrs.find("class=\"") else { return false };
    let rest = &attrs[i + 7..];
    rest[..rest.find('"').unwrap_or(rest.len())].split_whitespace().any(|c| c == class)
}

/// The visible text of an HTML or XHTML fragment: elements `skip` names
/// (by name and attributes) are left out with everything inside them; block
/// elements are a space; a checkbox is `[ ]` or `[x]`; entities are decoded.
fn visible_text(html: &str, skip: &dyn Fn(&str, &str) -> bool) -> String {
    let mut out = String::new();
    let mut skipping: Option<(String, usize)> = None;
    let mut i = 0;
    while i < html.len() {
        let rest = &html[i..];
        if rest.starts_with("<!--") {
            i += rest.find("-->").map_or(rest.len(), |e| e + 3);
            continue;
        }
        let is_tag = rest.starts_with('<') && rest[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!' || c == '?');
        if is_tag {
            let Some(end) = tag_end(html, i) else {
                out.push('<');
                i += 1;
                continue;
            };
            let tag = parse_tag(&html[i + 1..end]);
            i = end + 1;
            if let Some((name, depth)) = &mut skipping {
                if tag.name == *name && !tag.void {
                    if tag.closing {
                        *depth -= 1;
                        if *depth == 0 {
                            skipping = None;
                        }
                    } else {
                        *depth += 1;
                    }
                }
                continue;
            }
            if !tag.closing && skip(&tag.name, tag.attrs) {
                if !tag.void {
                    skipping = Some((tag.name.clone(), 1));
                }
                continue;
            }
            if tag.name == "input" && tag.attrs.contains("checkbox") {
                out.push_str(if tag.attrs.contains("checked") { " [x] " } else { " [ ] " });
            } else if BLOCKS.contains(&tag.name.as_str()) {
                out.push(' ');
            }
            continue;
        }
        let c = rest.chars().next().unwrap();
        i += c.len_utf8();
        if skipping.is_some() {
            continue;
        }
        if c == '&' {
            if let Some(semi) = rest.find(';').filter(|s| *s < 12) {
                let ent = &rest[1..semi];
                let decoded = match ent {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    _ if ent.starts_with("#x") || ent.starts_with("#X") => u32::from_str_radix(&ent[2..], 16).ok().and_then(char::from_u32),
                    _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
                    _ => None,
                };
                if let Some(d) = decoded {
                    out.push(d);
                    i = i - 1 + semi + 1;
                    continue;
                }
            }
        }
        out.push(c);
    }
    normalise(&out)
}

/// Smart punctuation folded to ASCII, ASCII whitespace runs to one space.
fn normalise(s: &str) -> String {
    let mut folded = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{2018}' | '\u{2019}' => folded.push('\''),
            '\u{201C}' | '\u{201D}' => folded.push('"'),
            '\u{2013}' => folded.push_str("--"),
            '\u{2014}' => folded.push_str("---"),
            '\u{2026}' => folded.push_str("..."),
            c => folded.push(c),
        }
    }
    folded.split(|c: char| c.is_ascii_whitespace()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Footnote markers and definitions as the reference renderers write them.
fn reference_note_part(name: &str, attrs: &str) -> bool {
    (name == "sup" && (has_class(attrs, "footnote-reference") || has_class(attrs, "footnote-ref")))
        || (name == "div" && has_class(attrs, "footnote-definition"))
        || (name == "section" && has_class(attrs, "footnotes"))
}

/// The texts of each footnote in the reference (label and back-link left out).
fn reference_notes(html: &str) -> Vec<String> {
    let mut notes = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    // pulldown-cmark: `<div class="footnote-definition" …>`; cmark-gfm: `<li id="fn…">` in `<section class="footnotes">`.
    for (open, close) in [("<div class=\"footnote-definition\"", "</div>"), ("<li id=\"fn", "</li>")] {
        let mut rest = html;
        while let Some(i) = rest.find(open) {
            let body = &rest[i..];
            let end = body.find(close).map_or(body.len(), |e| e + close.len());
            let skip = |n: &str, a: &str| (n == "sup" && has_class(a, "footnote-definition-label")) || (n == "a" && has_class(a, "footnote-backref"));
            // Notes nothing outside them refers to, and second definitions of a label, are
            // left out with a warning (as cmark-gfm does); pulldown-cmark's
            // HTML prints every definition where it stands.
            let id = body.find(" id=\"").map(|i| &body[i + 5..]).and_then(|r| r.split('"').next()).unwrap_or("");
            let at = html.len() - body.len();
            let outside = format!("{}{}", &html[..at], &html[at + end..]);
            let referenced = open.starts_with("<li") || outside.contains(&format!("<a href=\"#{id}\">"));
            if referenced && seen.insert(id.to_owned()) {
                notes.push(visible_text(&body[..end], &skip));
            }
            rest = &body[end..];
        }
    }
    notes.sort();
    notes
}

/// What the comparison sees of one example.
struct Compared {
    expected: String,
    actual: String,
    expected_notes: Vec<String>,
    actual_notes: Vec<String>,
}

/// The reference side and the EPUB side of one chapter.
fn compare(ex: &Example, chapter_xhtml: &str) -> Compared {
    // The chapter: `<section epub:type="chapter" …><h1 id=…>Title</h1>` … `</section>`.
    let start = chapter_xhtml.find("<section epub:type=\"chapter\"").expect("a chapter section");
    let doc = &chapter_xhtml[start..];
    let h1_open = doc.find("<h1 id=\"").unwrap();
    let h1_end = doc.find("</h1>").unwrap();
    let title = visible_text(&doc[h1_open..h1_end + 5], &|_, _| false);
    // The chapter's first H1 is its title when the example has one (else the
    // title is the file stem, which the reference does not have).
    let first_h1 = match (ex.html.find("<h1"), ex.html.find("</h1>")) {
        (Some(a), Some(b)) if a < b => Some((a, b + 5)),
        _ => None,
    };
    let title_from_h1 = first_h1.is_some_and(|(a, b)| visible_text(&ex.html[a..b], &|_, _| false) == title);
    let body_end = doc.rfind("</section>").unwrap();
    let body = &doc[h1_end + 5..body_end];
    let epub_skip = |n: &str, a: &str| {
        (n == "a" && has_class(a, "noteref"))
            || (n == "section" && has_class(a, "footnotes"))
            || (n == "span" && (has_class(a, "callout-label") || has_class(a, "sep")))
    };
    let mut actual = visible_text(body, &epub_skip);
    if title_from_h1 {
        actual = normalise(&format!("{title} {actual}"));
    }
    // The title is printed first; a leading H1 that repeats it is not printed
    // again (README), any other H1 stays where it is.
    let mut expected = visible_text(&ex.html, &reference_note_part);
    if title_from_h1 && first_h1.is_some_and(|(a, _)| !ex.html[..a].trim().is_empty()) {
        expected = normalise(&format!("{title} {expected}"));
    }
    let mut actual_notes: Vec<String> = Vec::new();
    if let Some(i) = body.find("<section class=\"footnotes\"") {
        let notes = &body[i..];
        let mut rest = notes;
        while let Some(a) = rest.find("<aside epub:type=\"footnote\"") {
            let n = &rest[a..];
            let e = n.find("</aside>").map_or(n.len(), |e| e + 8);
            let skip = |n: &str, a: &str| (n == "a" || n == "span") && has_class(a, "fn-back");
            actual_notes.push(visible_text(&n[..e], &skip));
            rest = &n[e..];
        }
    }
    actual_notes.sort();
    Compared { expected, actual, expected_notes: reference_notes(&ex.html), actual_notes }
}

// ---------------------------------------------------------------------------
// Steps 2 and 3: groups of passing examples through both editions.

fn epubcheck(path: &Path) -> Child {
    Command::new(validator("epubcheck"))
        // A short-lived JVM: the quick JIT tier and the serial collector halve
        // the CPU time of a run, and change nothing in what EPUBCheck reports.
        .env("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .arg("--json")
        .arg("-")
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("epubcheck runs")
}

/// EPUBCheck's verdict: (errors + fatals, warnings, the messages).
fn epubcheck_result(child: Child, files: &BTreeMap<String, String>) -> (u64, u64, Vec<String>) {
    let out = child.wait_with_output().expect("epubcheck runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let Some(json_start) = stdout.find('{') else {
        return (1, 0, vec![format!("no JSON from epubcheck: {stdout} {}", String::from_utf8_lossy(&out.stderr))]);
    };
    let report: serde_json::Value = serde_json::from_str(&stdout[json_start..]).expect("epubcheck JSON");
    let c = &report["checker"];
    let errors = c["nFatal"].as_u64().unwrap() + c["nError"].as_u64().unwrap();
    let warnings = c["nWarning"].as_u64().unwrap();
    let mut messages = Vec::new();
    for m in report["messages"].as_array().unwrap() {
        let sev = m["severity"].as_str().unwrap_or("");
        if matches!(sev, "FATAL" | "ERROR" | "WARNING") {
            let mut at = m["locations"].to_string();
            for (file, label) in files {
                at = at.replace(file.as_str(), &format!("{file} ({label})"));
            }
            messages.push(format!("{sev} {} {} at {at}", m["ID"].as_str().unwrap_or(""), m["message"].as_str().unwrap_or("")));
        }
    }
    (errors, warnings, messages)
}

/// Runs one suite end to end and asserts every required result.
fn run_suite(name: &str, examples: Vec<Example>, expected_count: usize) {
    let started = std::time::Instant::now();
    assert_eq!(examples.len(), expected_count, "{name}: the suite should hold {expected_count} examples");
    let mut failures: Vec<String> = Vec::new();

    // Step 1.
    let alone = Workspace::new(&format!("{name}-alone"));
    let mut passing: Vec<&Example> = Vec::new();
    let mut rejected: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for ex in &examples {
        match check_alone(&alone, ex) {
            Checked::Passed => passing.push(ex),
            Checked::Panicked(msg) => failures.push(format!("{}: check panicked: {msg}", ex.label())),
            Checked::Rejected(errors) => {
                let mut reasons = Vec::new();
                for (code, msg, at) in &errors {
                    match rejection_reason(ex, code, at) {
                        Some(r) => reasons.push(r),
                        None => failures.push(format!("{}: rejected for no reason the spec gives: {code}: {msg} (at {at:?})", ex.label())),
                    }
                }
                if let Some(r) = reasons.first() {
                    rejected.entry(r).or_default().push(ex.label());
                }
            }
        }
    }
    drop(alone);
    let checked_in = started.elapsed().as_secs_f64();
    let mut render_secs = 0.0;

    // Step 2: one workspace, a guide per group.
    let ws_dir = Workspace::new(&format!("{name}-groups"));
    let groups: Vec<&[&Example]> = passing.chunks(GROUP).collect();
    for (gi, group) in groups.iter().enumerate() {
        let gdir = ws_dir.0.join(format!("{name}-{:02}", gi + 1));
        std::fs::create_dir_all(&gdir).unwrap();
        let chapters: Vec<String> = group.iter().map(|e| format!("\"{}.md\"", e.stem())).collect();
        std::fs::write(
            gdir.join("guide.toml"),
            format!("title = \"{name} conformance, group {}\"\ndate = 2026-01-01\nchapters = [{}]\n", gi + 1, chapters.join(", ")),
        )
        .unwrap();
        for e in group.iter() {
            std::fs::write(gdir.join(format!("{}.md", e.stem())), &e.markdown).unwrap();
        }
    }
    let (ws, corpus, mut diags) = check(ws_dir.0.path(), &ResolveOptions::default()).expect("the workspace loads");
    diags.finish();
    for (file, code, msg, at) in errors_of(&ws, &diags) {
        failures.push(format!("{file}: passes check alone but not in its group: {code}: {msg} (at {at:?})"));
    }
    let template = casebook::build::template(&ws);
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("conformance");
    std::fs::create_dir_all(&out_dir).unwrap();

    let mut pdfs = 0;
    let mut epub_lines: Vec<String> = Vec::new();
    let mut pending: Option<(String, Child, BTreeMap<String, String>)> = None;
    let mut compared = 0;
    let mut skipped: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut mismatches: Vec<String> = Vec::new();
    let mut listed_but_equal: Vec<String> = Vec::new();
    let finish_epubcheck = |p: Option<(String, Child, BTreeMap<String, String>)>, lines: &mut Vec<String>, failures: &mut Vec<String>| {
        if let Some((gid, child, files)) = p {
            let (errors, warnings, messages) = epubcheck_result(child, &files);
            lines.push(format!("{gid}: {errors} errors, {warnings} warnings"));
            for m in messages {
                failures.push(format!("{gid}: EPUBCheck {m}"));
            }
        }
    };
    for (gi, guide) in corpus.guides.iter().enumerate() {
        let group = groups[gi];
        assert_eq!(guide.chapters.len(), group.len(), "{}", guide.id);
        let render_started = std::time::Instant::now();
        let pdf = catch_unwind(AssertUnwindSafe(|| casebook::build::render_pdf(&ws, &corpus, guide, &template)));
        match pdf {
            Err(p) => failures.push(format!("{}: the PDF panicked: {}", guide.id, panic_text(p))),
            Ok(Err(errors)) => failures.push(format!("{}: the PDF does not compile: {}", guide.id, describe(&ws, &errors))),
            Ok(Ok(_)) => pdfs += 1,
        }
        let epub = catch_unwind(AssertUnwindSafe(|| casebook::build::render_epub(&ws, &corpus, guide, &template)));
        let bytes = match epub {
            Err(p) => {
                failures.push(format!("{}: the EPUB panicked: {}", guide.id, panic_text(p)));
                continue;
            }
            Ok(Err(errors)) => {
                failures.push(format!("{}: no EPUB: {}", guide.id, describe(&ws, &errors)));
                continue;
            }
            Ok(Ok(b)) => b,
        };
        render_secs += render_started.elapsed().as_secs_f64();
        let path = out_dir.join(format!("{}.epub", guide.id));
        std::fs::write(&path, &bytes).unwrap();
        let files: BTreeMap<String, String> =
            guide.chapters.iter().zip(group.iter()).map(|(c, e)| (format!("{}.xhtml", c.slug), e.label())).collect();
        finish_epubcheck(pending.take(), &mut epub_lines, &mut failures);
        pending = Some((guide.id.clone(), epubcheck(&path), files));

        // Step 3.
        let docs = xhtml_docs(&bytes);
        for (ch, ex) in guide.chapters.iter().zip(group.iter()) {
            let xhtml = docs.get(&format!("{}.xhtml", ch.slug)).unwrap_or_else(|| panic!("{}: no chapter document", ex.label()));
            let listed = EXPLICIT.iter().any(|(n, _)| *n == ex.label());
            if let Some(why) = not_compared(ex) {
                if listed {
                    let c = compare(ex, xhtml);
                    if c.expected == c.actual && c.expected_notes == c.actual_notes {
                        listed_but_equal.push(ex.label());
                    }
                }
                skipped.entry(why).or_default().push(ex.label());
                continue;
            }
            compared += 1;
            let c = compare(ex, xhtml);
            if c.expected != c.actual {
                mismatches.push(format!("{} ({}):\n  markdown {:?}\n  expected {:?}\n  epub     {:?}", ex.label(), ex.section, ex.markdown, c.expected, c.actual));
            } else if c.expected_notes != c.actual_notes {
                mismatches.push(format!("{} ({}): footnotes\n  expected {:?}\n  epub     {:?}", ex.label(), ex.section, c.expected_notes, c.actual_notes));
            }
        }
    }
    finish_epubcheck(pending.take(), &mut epub_lines, &mut failures);

    // The figures.
    let rejected_total: usize = rejected.values().map(Vec::len).sum();
    eprintln!("== {name}: {} examples run, {} pass check, {rejected_total} rejected for a reason the spec gives", examples.len(), passing.len());
    for (why, list) in &rejected {
        let shown: Vec<&str> = list.iter().take(6).map(String::as_str).collect();
        eprintln!("   rejected ({}): {why}: {}{}", list.len(), shown.join(", "), if list.len() > 6 { ", …" } else { "" });
    }
    eprintln!("   {} groups, {pdfs} PDFs compiled", groups.len());
    for l in &epub_lines {
        eprintln!("   EPUBCheck {l}");
    }
    eprintln!("   text compared: {compared}, mismatches: {}", mismatches.len());
    for (why, list) in &skipped {
        let shown: Vec<&str> = list.iter().take(6).map(String::as_str).collect();
        eprintln!("   not compared ({}): {why}: {}{}", list.len(), shown.join(", "), if list.len() > 6 { ", …" } else { "" });
    }
    eprintln!("   {:.1} s in all: check {checked_in:.1} s, rendering {render_secs:.1} s", started.elapsed().as_secs_f64());
    for m in &mismatches {
        failures.push(format!("text mismatch: {m}"));
    }
    for l in &listed_but_equal {
        failures.push(format!("{l} is listed in EXPLICIT but now matches its reference: remove it from the list"));
    }
    assert!(failures.is_empty(), "{name}: {} failures:\n{}", failures.len(), failures.join("\n"));
}

fn describe(ws: &casebook::workspace::Workspace, errors: &[casebook::diag::Diagnostic]) -> String {
    let mut d = Diagnostics::new();
    for e in errors {
        d.push(e.clone());
    }
    casebook::diag::to_human_string(&ws.db, &d)
}

/// Every XHTML document of an EPUB, by name under `EPUB/`.
fn xhtml_docs(bytes: &[u8]) -> BTreeMap<String, String> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().to_owned();
        if name.ends_with(".xhtml") {
            let mut s = String::new();
            f.read_to_string(&mut s).unwrap();
            out.insert(name.trim_start_matches("EPUB/").to_owned(), s);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// The tests.

#[test]
fn commonmark_0_31_2() {
    run_suite("commonmark", load("commonmark/spec-0.31.2.json", Family::CommonMark), 652);
}

#[test]
fn gfm_0_29_and_cmark_gfm_extensions() {
    let mut v = load("gfm/gfm-spec-0.29.json", Family::GfmSpec);
    v.extend(load("gfm/cmark-gfm-extensions.json", Family::GfmExtensions));
    run_suite("gfm", v, 671 + 28);
}

#[test]
fn pulldown_cmark_extension_specs() {
    let mut v = Vec::new();
    for f in pulldown_files() {
        v.extend(load(&f, Family::Pulldown));
    }
    run_suite("pulldown", v, 547);
}

/// The normalisation is what the method says, on both sides.
#[test]
fn visible_text_drops_tags_and_folds_what_the_source_format_changes() {
    let none = |_: &str, _: &str| false;
    assert_eq!(visible_text("<p>a<em>b</em></p>\n<p>c &amp; &lt;d&gt; &#35; &#x41;</p>", &none), "ab c & <d> # A");
    assert_eq!(visible_text("<p>\u{201C}It\u{2019}s\u{201D} \u{2013} \u{2014} \u{2026}</p>", &none), "\"It's\" -- --- ...");
    assert_eq!(visible_text("<li><input type=\"checkbox\" disabled=\"\" checked=\"\" /> done</li>", &none), "[x] done");
    assert_eq!(visible_text("<p>a<!-- c -->b<br />c</p>", &none), "ab c");
    assert_eq!(visible_text("<p>x<sup class=\"footnote-ref\"><a href=\"#fn1\">1</a></sup></p>", &reference_note_part), "x");
    // Non-ASCII whitespace is text, not layout.
    assert_eq!(visible_text("<p>a\u{a0}b</p>", &none), "a\u{a0}b");
}
