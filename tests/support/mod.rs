//! What the integration tests share: the repository root, temporary folders
//! removed on drop, and the external tools they run (poppler-utils and qpdf
//! from Debian; EPUBCheck and Ace where `scripts/validators.sh` puts them).
//! A missing tool fails the test that needs it; nothing is skipped. Also the
//! PDF's bookmarks, which several tests use to find where chapters start, and
//! its words with their boxes (`pdftotext -bbox`). And the casebook binary.
//!
//! Each test file includes this module (`mod support;`) and uses part of it.
//! `browser`: a raw HTTP client and headless Chromium over WebDriver.
#![allow(dead_code)]

pub mod browser;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The start of every temporary folder's name, followed by the process id.
const TEMP_PREFIX: &str = "casebook-it-";

/// A unique temporary folder, removed when dropped (also when a test panics).
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A new empty folder whose name contains `name`.
    pub fn new(name: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let d = shared_temp_dir(&format!("{name}-{n}"));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// A path inside the folder.
    pub fn join(&self, p: impl AsRef<Path>) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A temporary folder for this process that is never removed by it (a
/// `static` build shared by every test: statics are never dropped). Each run
/// first removes what earlier runs, whose processes have ended, left behind.
pub fn shared_temp_dir(name: &str) -> PathBuf {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
        for e in entries.flatten() {
            let file = e.file_name().to_string_lossy().into_owned();
            let Some(rest) = file.strip_prefix(TEMP_PREFIX) else { continue };
            let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else { continue };
            if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    });
    std::env::temp_dir().join(format!("{TEMP_PREFIX}{}-{name}", std::process::id()))
}

/// Copies a folder recursively (skipping `dist`, the default output folder).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        if name == "dist" {
            continue;
        }
        let target = to.join(&name);
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// Runs an external tool; a tool that cannot be started fails the test.
pub fn tool<I, S>(name: &str, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!("`{name}` is required by this test but could not be run ({e}); install it with `apt-get install -y poppler-utils qpdf`")
    })
}

/// Runs a tool and requires exit status 0; returns its stdout.
pub fn tool_ok<I, S>(name: &str, args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = tool(name, args);
    assert!(
        out.status.success(),
        "`{name}` failed: exit {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Where `scripts/validators.sh` put a validator (`epubcheck`, `ace`).
pub fn validator(name: &str) -> PathBuf {
    let dir = std::env::var_os("CASEBOOK_TOOLS").map(PathBuf::from).unwrap_or_else(|| repo().join("target/tools"));
    let p = dir.join("bin").join(name);
    assert!(p.is_file(), "{} is missing: run `bash scripts/validators.sh` first (the validators are part of the tests)", p.display());
    p
}

/// A bookmark of a PDF: title, physical page (0-based), and its children.
#[derive(Debug, Clone)]
pub struct Bookmark {
    pub title: String,
    pub page: usize,
    pub kids: Vec<Bookmark>,
}

/// The PDF's outline, from `qpdf --json`.
pub fn bookmarks(pdf: &Path) -> Vec<Bookmark> {
    let out = tool_ok("qpdf", [OsStr::new("--json"), OsStr::new("--json-key=outlines"), pdf.as_os_str()]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("qpdf prints JSON");
    fn convert(items: &serde_json::Value) -> Vec<Bookmark> {
        items
            .as_array()
            .expect("an outline array")
            .iter()
            .map(|o| Bookmark {
                title: o["title"].as_str().expect("a title").to_owned(),
                page: o["destpageposfrom1"].as_u64().expect("a destination page") as usize - 1,
                kids: convert(&o["kids"]),
            })
            .collect()
    }
    convert(&v["outlines"])
}

/// The casebook binary, run from the repository root, with no
/// `SOURCE_DATE_EPOCH` inherited from the caller.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_casebook"));
    c.env_remove("SOURCE_DATE_EPOCH");
    c.current_dir(repo());
    c
}

/// Bytes a process printed, as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A finished process's exit code and output, for assertion messages.
pub fn describe(out: &Output) -> String {
    format!("exit {:?}\n--- stdout\n{}\n--- stderr\n{}", out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// One word of `pdftotext -bbox`, in points from the top-left corner.
#[derive(Debug, Clone)]
pub struct Word {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
    pub text: String,
}

/// A numeric attribute of a `pdftotext -bbox` tag.
pub fn bbox_attr(tag: &str, name: &str) -> f64 {
    let key = format!("{name}=\"");
    let start = tag.find(&key).unwrap_or_else(|| panic!("no {name} in {tag}")) + key.len();
    let end = start + tag[start..].find('"').unwrap();
    tag[start..end].parse().unwrap()
}

/// The text of a `pdftotext -bbox` word, its XML escapes undone.
pub fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&#39;", "'").replace("&amp;", "&")
}

/// Page sizes and words of every page, from `pdftotext -bbox`.
pub fn pdf_words(pdf: &Path) -> Vec<((f64, f64), Vec<Word>)> {
    let out = tool_ok("pdftotext", [OsStr::new("-bbox"), OsStr::new("-enc"), OsStr::new("UTF-8"), pdf.as_os_str(), OsStr::new("-")]);
    let mut pages = Vec::new();
    for chunk in out.split("<page ").skip(1) {
        let head = &chunk[..chunk.find('>').unwrap()];
        let size = (bbox_attr(head, "width"), bbox_attr(head, "height"));
        let mut words = Vec::new();
        for w in chunk.split("<word ").skip(1) {
            let close = w.find('>').unwrap();
            let tag = &w[..close];
            let body = &w[close + 1..w.find("</word>").unwrap()];
            words.push(Word { x0: bbox_attr(tag, "xMin"), y0: bbox_attr(tag, "yMin"), x1: bbox_attr(tag, "xMax"), y1: bbox_attr(tag, "yMax"), text: unescape(body) });
        }
        pages.push((size, words));
    }
    pages
}
