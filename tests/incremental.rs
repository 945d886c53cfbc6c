//! Incremental and parallel builds (issue 8):
//!
//! - the long-lived [`Builder`] rebuilds exactly the guides an edit affects
//!   (a case: the guides that cite it; a chapter: the guide that includes it;
//!   `casebook.toml`, the template or a font: every guide) and nothing when
//!   nothing changed;
//! - a guide's compiler hands back its PDF, cover and diagrams unchanged when
//!   what they are made of did not change;
//! - `-j N` gives the same bytes and the same messages, in the same order, as `-j 1`;
//! - `--message-format json` keeps stdout for JSON alone;
//! - `casebook watch` follows real edits, deletions and renames (an editor's
//!   save-by-rename too), keeps the last good edition on errors, recovers,
//!   and stops cleanly on Ctrl-C.

use std::collections::BTreeSet;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use casebook::build::{guide_files, BuildOptions, Builder, Format};
use casebook::diag::Diagnostics;
use casebook::model::Corpus;
use casebook::progress::Progress;
use casebook::resolve::{check, ResolveOptions};
use casebook::workspace::Workspace;
use support::{copy_dir, repo, TempDir};

mod support;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_casebook"))
}

fn load(ws: &Path) -> (Workspace, Corpus, Diagnostics) {
    let (ws, corpus, diags) = check(ws, &ResolveOptions::default()).expect("the workspace loads");
    assert!(!diags.has_errors(), "{:?}", diags.iter().collect::<Vec<_>>());
    (ws, corpus, diags)
}

/// The text of every XHTML document of an EPUB, concatenated.
fn epub_text(path: &Path) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = String::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        if f.name().ends_with(".xhtml") {
            f.read_to_string(&mut out).unwrap();
        }
    }
    out
}

/// A workspace file that only `guide` depends on, among `prefix`'s files (by path).
fn file_only_in(ws: &Workspace, corpus: &Corpus, guide: &str, prefix: &str) -> PathBuf {
    let mut users: std::collections::BTreeMap<casebook::diag::SourceId, BTreeSet<String>> = Default::default();
    for g in &corpus.guides {
        for f in guide_files(ws, corpus, g) {
            users.entry(f).or_default().insert(g.id.clone());
        }
    }
    let id = users
        .iter()
        .filter(|(_, gs)| gs.len() == 1 && gs.contains(guide))
        .map(|(f, _)| *f)
        .find(|f| ws.db.get(*f).name.starts_with(prefix))
        .unwrap_or_else(|| panic!("no file under {prefix} used by {guide} alone"));
    ws.db.get(id).path.clone()
}

fn append(path: &Path, text: &str) {
    let mut s = std::fs::read_to_string(path).unwrap();
    s.push_str(text);
    std::fs::write(path, s).unwrap();
}

const TWO: &[&str] = &["public-law", "criminal-law"];

fn options(out: &Path) -> BuildOptions {
    BuildOptions { guides: TWO.iter().map(|s| s.to_string()).collect(), out: Some(out.to_path_buf()), formats: [Format::Pdf, Format::Epub].into_iter().collect(), jobs: 2, cache: None, cache_max_size: None }
}

#[test]
fn a_builder_rebuilds_exactly_the_guides_an_edit_affects() {
    let tmp = TempDir::new("builder");
    let ws_dir = tmp.join("ws");
    copy_dir(&repo().join("guides"), &ws_dir);
    let out = tmp.join("out");
    let mut builder = Builder::long_lived();
    let mut round = |label: &str| {
        let (ws, corpus, mut diags) = load(&ws_dir);
        let report = builder.build(&ws, &corpus, &options(&out), &mut diags, &Progress::silent()).unwrap();
        assert!(report.failed.is_empty(), "{label}: {:?}", report.failed);
        (report.rebuilt, report.unchanged, report.written.len())
    };
    let (rebuilt, _, written) = round("first build");
    assert_eq!(rebuilt, ["criminal-law", "public-law"], "guides come in the workspace's order");
    assert_eq!(written, 4);
    let pdf_time = std::fs::metadata(out.join("criminal-law.pdf")).unwrap().modified().unwrap();

    assert_eq!(round("no change"), (vec![], vec!["criminal-law".to_owned(), "public-law".to_owned()], 0), "a build with no change rebuilt something");

    let (ws, corpus, _) = load(&ws_dir);
    let case = file_only_in(&ws, &corpus, "public-law", "cases/");
    append(&case, "\nIncremental marker quokka.\n");
    let (rebuilt, unchanged, written) = round("a case cited by public-law alone");
    assert_eq!((rebuilt, unchanged, written), (vec!["public-law".to_owned()], vec!["criminal-law".to_owned()], 2), "edited {}", case.display());
    assert!(epub_text(&out.join("public-law.epub")).contains("Incremental marker quokka."));
    assert_eq!(std::fs::metadata(out.join("criminal-law.pdf")).unwrap().modified().unwrap(), pdf_time, "criminal-law was rewritten");

    let chapter = ws_dir.join("criminal-law/homicide.md");
    append(&chapter, "\nChapter marker wombat.\n");
    let (rebuilt, unchanged, _) = round("a chapter of criminal-law");
    assert_eq!((rebuilt, unchanged), (vec!["criminal-law".to_owned()], vec!["public-law".to_owned()]));
    assert!(epub_text(&out.join("criminal-law.epub")).contains("Chapter marker wombat."));

    // A case no selected guide cites: nothing to do.
    let (ws, corpus, _) = load(&ws_dir);
    let other = file_only_in(&ws, &corpus, "international-law", "cases/");
    append(&other, "\nUnused marker.\n");
    assert_eq!(round("a case only international-law cites").0, Vec::<String>::new());

    let both = vec!["criminal-law".to_owned(), "public-law".to_owned()];
    append(&ws_dir.join("casebook.toml"), "\n# an edit to the manifest\n");
    assert_eq!(round("casebook.toml").0, both);
    std::fs::create_dir_all(ws_dir.join("templates")).unwrap();
    std::fs::write(ws_dir.join("templates/guide.typ"), format!("{}\n// the workspace's own copy\n", casebook::render::typst::DEFAULT_TEMPLATE)).unwrap();
    assert_eq!(round("the template").0, both);
    std::fs::create_dir_all(ws_dir.join("fonts")).unwrap();
    std::fs::copy(repo().join("fonts/Inter-Regular.otf"), ws_dir.join("fonts/Extra.otf")).unwrap();
    assert_eq!(round("a font").0, both);
    assert_eq!(round("nothing again").0, Vec::<String>::new());
    // A deleted output is written again even though its sources did not change.
    std::fs::remove_file(out.join("public-law.epub")).unwrap();
    assert_eq!(round("a deleted output").0, vec!["public-law".to_owned()]);
    assert!(out.join("public-law.epub").exists());
}

#[test]
fn a_guide_compiler_redoes_only_what_changed() {
    use casebook::render::typst::compiler::Typesetter;
    let tmp = TempDir::new("compiler");
    let ws_dir = tmp.join("ws");
    copy_dir(&repo().join("guides"), &ws_dir);
    let (ws, corpus, _) = load(&ws_dir);
    let template = casebook::build::template(&ws);
    let typesetter = Typesetter::new(&ws.root, &casebook::fonts::WorkspaceFonts::load(&ws.root));
    let mut compiler = typesetter.compiler();
    let guide = corpus.guides.iter().find(|g| g.id == "public-law").unwrap();
    let mut phases = Vec::new();
    let first = compiler.pdf(casebook::render::typst::PdfKind::Guide, &corpus, guide, &template, &mut |p| phases.push(p)).unwrap();
    assert!(!first.reused);
    assert_eq!(phases, [casebook::progress::Phase::Typeset, casebook::progress::Phase::Export]);
    let art = compiler.epub_art(&corpus, guide, &template).unwrap();
    assert!(!art.reused && art.cover_png.is_some() && !art.diagrams.is_empty(), "public-law has a cover and diagrams");
    let mut phases = Vec::new();
    let again = compiler.pdf(casebook::render::typst::PdfKind::Guide, &corpus, guide, &template, &mut |p| phases.push(p)).unwrap();
    assert!(again.reused && again.bytes.is_none() && phases.is_empty(), "the same sources were typeset again");
    assert_eq!((again.pages, again.warnings.len()), (first.pages, first.warnings.len()));
    assert!(compiler.epub_art(&corpus, guide, &template).unwrap().reused);

    // A case's text changes the PDF but neither the cover nor the diagrams.
    let case = file_only_in(&ws, &corpus, "public-law", "cases/");
    append(&case, "\nCompiler marker.\n");
    let (ws2, corpus2, _) = load(&ws_dir);
    let guide2 = corpus2.guides.iter().find(|g| g.id == "public-law").unwrap();
    let edited = compiler.pdf(casebook::render::typst::PdfKind::Guide, &corpus2, guide2, &casebook::build::template(&ws2), &mut |_| {}).unwrap();
    let edited_bytes = edited.bytes.expect("a new PDF");
    assert!(!edited.reused && Some(&edited_bytes) != first.bytes.as_ref());
    // The long-lived compiler gives exactly what a fresh one gives.
    let fresh = casebook::build::render_pdf(&ws2, &corpus2, guide2, &casebook::build::template(&ws2)).unwrap();
    assert!(fresh.0 == edited_bytes, "an incremental PDF differs from a cold one");
    let art2 = compiler.epub_art(&corpus2, guide2, &casebook::build::template(&ws2)).unwrap();
    assert!(art2.reused, "a case's text redrew the cover or the diagrams");
    assert_eq!(art2.cover_png, art.cover_png);
    // Forgetting redoes everything.
    compiler.forget();
    let redone = compiler.pdf(casebook::render::typst::PdfKind::Guide, &corpus2, guide2, &casebook::build::template(&ws2), &mut |_| {}).unwrap();
    assert!(!redone.reused && redone.bytes.as_ref() == Some(&edited_bytes));
    assert!(!compiler.epub_art(&corpus2, guide2, &casebook::build::template(&ws2)).unwrap().reused);
}

/// The lines a build prints, with durations blanked.
fn lines_without_times(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .map(|l| {
            l.split(' ')
                .map(|w| if w.trim_end_matches([',', ';']).parse::<f64>().is_ok() && l.contains(" s") { "#" } else { w })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[test]
fn parallel_builds_are_byte_identical_with_messages_in_order() {
    let tmp = TempDir::new("jobs");
    let run = |jobs: &str| {
        let out = tmp.join(format!("out-{jobs}"));
        let o = bin().arg("build").arg(repo().join("guides")).arg("--out").arg(&out).args(["-j", jobs, "--quiet"]).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        let shown = out.display().to_string();
        (out, lines_without_times(&o.stderr).into_iter().map(|l| l.replace(&shown, "OUT")).collect::<Vec<_>>())
    };
    let (one, lines_one) = run("1");
    let (three, lines_three) = run("3");
    let mut names: Vec<_> = std::fs::read_dir(&one).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names.len(), 18, "PDF, EPUB and the revision pack of each of the three sample guides");
    for name in &names {
        let a = std::fs::read(one.join(name)).unwrap();
        let b = std::fs::read(three.join(name)).unwrap();
        assert!(a == b, "{name:?} differs between -j 1 and -j 3");
    }
    assert_eq!(lines_one, lines_three, "messages differ between -j 1 and -j 3");
    let built: Vec<&String> = lines_one.iter().filter(|l| l.starts_with("built ") && l.contains(':') && !l.contains("files")).collect();
    assert_eq!(built.len(), 3, "one line per guide: {lines_one:#?}");
    let order: Vec<&str> = built.iter().map(|l| l.trim_start_matches("built ").split(':').next().unwrap()).collect();
    assert_eq!(order, ["criminal-law", "international-law", "public-law"], "guide lines are in guide order");
    let bad = bin().args(["build", "-j", "0"]).arg(repo().join("guides")).output().unwrap();
    assert_eq!(bad.status.code(), Some(2), "-j 0 is a usage error");
}

/// Typst lays out pages on rayon's global pool. Guides built on a rayon pool
/// of their own would, while waiting for it, steal and start the next guide
/// on the same thread, until every guide was in flight at once (and memory
/// was that of all of them). `-j N` means at most N guides at a time.
#[test]
fn a_build_compiles_at_most_jobs_guides_at_once() {
    let tmp = TempDir::new("at-once");
    let (ws, corpus, _) = load(&repo().join("guides"));
    let all = corpus.guides.len();
    assert!(all >= 3, "the sample has {all} guides");
    for jobs in [1, 2] {
        let opts = BuildOptions { guides: Vec::new(), out: Some(tmp.join(format!("out-{jobs}"))), formats: [Format::Pdf].into_iter().collect(), jobs, cache: None, cache_max_size: None };
        let (_, _, mut diags) = load(&repo().join("guides"));
        let report = Builder::new().build(&ws, &corpus, &opts, &mut diags, &Progress::silent()).unwrap();
        assert_eq!(report.rebuilt.len(), all, "-j {jobs}: {:?}", report.failed);
        assert_eq!(report.most_at_once, jobs, "-j {jobs}: guides compiled at once");
    }
}

#[test]
fn json_messages_keep_stdout_to_json() {
    let tmp = TempDir::new("json");
    let o = bin()
        .arg("build")
        .arg(repo().join("tests/fixtures/invalid-url"))
        .arg("--out")
        .arg(tmp.path())
        .args(["--message-format", "json", "-j", "2"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(!stdout.trim().is_empty(), "the fixture's warning is reported");
    for line in stdout.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
    }
    assert!(!String::from_utf8_lossy(&o.stderr).contains("built "), "progress printed in JSON mode: {}", String::from_utf8_lossy(&o.stderr));
}

// ---------------------------------------------------------------------------
// casebook watch

/// A running `casebook watch`, killed if the test fails.
struct Watch {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Watch {
    fn start(ws: &Path, out: &Path, extra: &[&str]) -> Watch {
        let mut child = bin()
            .arg("watch")
            .arg(ws)
            .arg("--out")
            .arg(out)
            .args(extra)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("casebook watch starts");
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watch { child, lines, seen: Vec::new() }
    }

    /// Waits for a line that satisfies `f` (after the ones already seen) and returns it.
    fn wait(&mut self, what: &str, f: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if f(&line) {
                        return line;
                    }
                }
                Err(_) => panic!("watch: no line for {what} within 120 s; it printed:\n{}", self.seen.join("\n")),
            }
        }
    }

    /// Waits for the summary line of the next round that rebuilt or kept a guide.
    fn round(&mut self, what: &str) -> String {
        self.wait(what, |l| l.contains("error") && (l.starts_with("rebuilt ") || l.contains("kept (errors)")))
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn watch_follows_edits_deletions_and_renames() {
    let tmp = TempDir::new("watch");
    let ws = tmp.join("ws");
    copy_dir(&repo().join("guides"), &ws);
    let out = tmp.join("out");
    let mut w = Watch::start(&ws, &out, &["--guide", "public-law", "--guide", "criminal-law", "-j", "2"]);
    let first = w.round("the first build");
    assert!(first.starts_with("rebuilt criminal-law, public-law in"), "{first}");
    w.wait("watching", |l| l.starts_with("watching "));

    // An edit to a case that only public-law cites.
    let (wsm, corpus, _) = load(&ws);
    let case = file_only_in(&wsm, &corpus, "public-law", "cases/");
    append(&case, "\nWatch marker one.\n");
    let line = w.round("a case edit");
    assert!(line.starts_with("rebuilt public-law in") && line.contains("1 guide unchanged"), "{line}");
    assert!(epub_text(&out.join("public-law.epub")).contains("Watch marker one."));

    // An editor's save-by-rename of a criminal-law chapter: write a temporary file, rename it over.
    let chapter = ws.join("criminal-law/homicide.md");
    let mut text = std::fs::read_to_string(&chapter).unwrap();
    text.push_str("\nWatch marker two.\n");
    let tmp_file = ws.join("criminal-law/.homicide.md.swp");
    std::fs::write(&tmp_file, &text).unwrap();
    std::fs::rename(&tmp_file, &chapter).unwrap();
    let line = w.round("a save by rename");
    assert!(line.starts_with("rebuilt criminal-law in"), "{line}");
    assert!(epub_text(&out.join("criminal-law.epub")).contains("Watch marker two."));

    // Deleting the chapter: errors, and the last good edition stays.
    let before = std::fs::read(out.join("criminal-law.pdf")).unwrap();
    std::fs::remove_file(&chapter).unwrap();
    let line = w.round("a deleted chapter");
    assert!(line.contains("kept (errors): criminal-law") && !line.contains("0 errors"), "{line}");
    assert!(w.seen.iter().any(|l| l.contains("homicide.md")), "the error names the missing chapter:\n{}", w.seen.join("\n"));
    assert!(std::fs::read(out.join("criminal-law.pdf")).unwrap() == before, "the last good PDF was replaced");
    // Restoring it recovers without a restart.
    std::fs::write(&chapter, &text).unwrap();
    let line = w.round("the chapter restored");
    assert!(line.starts_with("rebuilt criminal-law in") && line.contains("0 errors"), "{line}");

    // Renaming a case file away breaks the citations to it; renaming it back mends them.
    let renamed = case.with_file_name("renamed-away.md");
    std::fs::rename(&case, &renamed).unwrap();
    let line = w.round("a case renamed away");
    assert!(line.contains("kept (errors): public-law"), "{line}");
    std::fs::rename(&renamed, &case).unwrap();
    let line = w.round("the case renamed back");
    assert!(line.starts_with("rebuilt public-law in") && line.contains("0 errors"), "{line}");

    // The manifest is shared: every guide rebuilds.
    append(&ws.join("casebook.toml"), "\n# touched\n");
    let line = w.round("casebook.toml");
    assert!(line.starts_with("rebuilt criminal-law, public-law in"), "{line}");

    // Ctrl-C stops it cleanly.
    let pid = w.child.id().to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = w.child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "watch did not stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(status.code(), Some(0), "watch exits 0 on Ctrl-C");
    w.wait("the goodbye", |l| l == "stopped watching");
    let leftovers: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).filter(|n| n.ends_with(".tmp")).collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// `casebook watch --serve`: a real browser shows a chapter of the EPUB as a
/// web page; an edit to the source is rebuilt and the open page reloads
/// itself with the new text. The preview binds 127.0.0.1 and serves only the
/// output folder.
#[test]
fn watch_serve_shows_an_edit_in_the_browser() {
    use support::browser::{http, Browser};
    let tmp = TempDir::new("watch-serve");
    let ws = tmp.join("ws");
    copy_dir(&repo().join("guides"), &ws);
    let out = tmp.join("out");
    let mut w = Watch::start(&ws, &out, &["--guide", "public-law", "--format", "epub", "--serve", "0"]);
    let line = w.wait("the preview's address", |l| l.starts_with("serving a live preview at "));
    let url = line.trim_start_matches("serving a live preview at ").trim().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "binds loopback by default: {url}");
    let addr: std::net::SocketAddr = url.trim_start_matches("http://").trim_end_matches('/').parse().unwrap();
    w.wait("watching", |l| l.starts_with("watching "));

    // Only the output folder: the workspace next to it is never served.
    for path in ["/../ws/casebook.toml", "/%2e%2e/ws/casebook.toml", "/ws/casebook.toml", "/casebook.toml"] {
        let r = http(addr, "GET", path);
        assert!(r.status >= 400 && !r.text().contains("[workspace]"), "{path}: {}", r.status);
    }
    let index = http(addr, "GET", "/").text();
    assert!(index.contains("Public Law"), "the index lists the guide: {index}");
    // It links the outputs this watch makes (`--format epub`), and only those.
    assert!(index.contains("<a href=\"/public-law.epub\">EPUB <small>"), "{index}");
    assert!(!index.contains("public-law.pdf") && !index.contains("PDF"), "the index lists an output this watch does not make: {index}");

    let browser = Browser::start();
    let chapter = "EPUB/ch02-judicial-review-access.xhtml";
    browser.goto(&format!("{url}public-law/epub/{chapter}"));
    let before = browser.wait_for_text(Duration::from_secs(20), "the chapter", |t| t.len() > 200);
    assert!(!before.contains("Live preview marker"));
    let source = ws.join("public-law/judicial-review-access.md");
    append(&source, "\nLive preview marker: the page reloaded itself.\n");
    let line = w.round("the edit");
    assert!(line.starts_with("rebuilt public-law in"), "{line}");
    browser.wait_for_text(Duration::from_secs(30), "the edited text", |t| t.contains("Live preview marker: the page reloaded itself."));
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("watch-serve");
    std::fs::create_dir_all(&shots).unwrap();
    browser.screenshot(&shots.join("chapter-after-edit.png"));
}
