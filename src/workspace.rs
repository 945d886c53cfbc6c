//! Finding the workspace root and reading every source file into the
//! [`SourceDb`]: the manifest, the case bank, the legislation, the glossary,
//! every guide's `guide.toml` and the chapters it lists.
//!
//! Walks are sorted so that ids and output never depend on directory order.
//! Nothing outside the workspace is read: a chapter path that leaves it (by
//! `..` or through a symbolic link) is a diagnostic, not a read.

use std::fs;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use crate::config::{parse_toml, RawGuideManifest, RawWorkspaceManifest};
use crate::diag::{display_path, Diagnostic, Diagnostics, SourceDb, SourceId};

/// The name of the workspace manifest.
pub const MANIFEST: &str = "casebook.toml";

/// A failure of the tool itself (not of the user's sources): exit code 2.
#[derive(Debug)]
pub struct ToolError {
    /// What went wrong.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl ToolError {
    /// A tool error with a hint.
    pub fn new(message: impl Into<String>, hint: Option<&str>) -> Self {
        ToolError { message: message.into(), hint: hint.map(str::to_owned) }
    }
}

/// A guide folder and what its manifest lists.
#[derive(Debug)]
pub struct GuideSource {
    /// The folder name, which is the guide's id.
    pub id: String,
    /// The folder on disk.
    pub dir: PathBuf,
    /// `guide.toml`.
    pub manifest_file: SourceId,
    /// The parsed manifest, if it parsed.
    pub manifest: Option<RawGuideManifest>,
    /// The chapters, in order; `file` is `None` when the file could not be read.
    pub chapters: Vec<ChapterRef>,
}

/// One entry of a guide's `chapters` list.
#[derive(Debug)]
pub struct ChapterRef {
    /// The file, when it was read.
    pub file: Option<SourceId>,
    /// The span of the entry in `guide.toml`.
    pub entry: Range<usize>,
}

/// Every source of a workspace, read but not yet parsed.
#[derive(Debug)]
pub struct Workspace {
    /// The root folder (canonical).
    pub root: PathBuf,
    /// All files read.
    pub db: SourceDb,
    /// `casebook.toml`.
    pub manifest_file: SourceId,
    /// The parsed manifest (a default one when it has errors, which are reported).
    pub manifest: RawWorkspaceManifest,
    /// `cases/*.md`, sorted.
    pub cases: Vec<SourceId>,
    /// `legislation/*.md`, sorted.
    pub legislation: Vec<SourceId>,
    /// `glossary.md`, if present.
    pub glossary: Option<SourceId>,
    /// Guides, sorted by id.
    pub guides: Vec<GuideSource>,
    /// The workspace's template overrides (`templates/guide.typ`, `templates/epub.css`), by file name.
    pub templates: std::collections::BTreeMap<String, SourceId>,
}

/// Looks for `casebook.toml` in `start` and its parents.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        if d.join(MANIFEST).is_file() {
            return Some(d.to_path_buf());
        }
        dir = d.parent();
    }
    None
}

/// Reads the workspace at `root`. Problems in the sources go to `diags`; only a
/// missing or unreadable root is a [`ToolError`].
pub fn load(root: &Path, diags: &mut Diagnostics) -> Result<Workspace, ToolError> {
    let root = root.canonicalize().map_err(|e| {
        ToolError::new(format!("cannot open workspace folder {}: {e}", root.display()), None)
    })?;
    let manifest_path = root.join(MANIFEST);
    if !manifest_path.is_file() {
        return Err(ToolError::new(
            format!("{} has no {MANIFEST}", root.display()),
            Some("run `casebook new DIR` to start a workspace, or pass the folder that holds casebook.toml"),
        ));
    }
    let mut db = SourceDb::default();
    let manifest_file = read_source(&root, &manifest_path, &mut db, diags)
        .ok_or_else(|| ToolError::new(format!("cannot read {}", manifest_path.display()), None))?;
    let manifest = parse_toml::<RawWorkspaceManifest>(&db.get(manifest_file).text.clone(), manifest_file, 0, diags)
        .unwrap_or_default();

    let cases = read_folder(&root, "cases", &mut db, diags);
    let legislation = read_folder(&root, "legislation", &mut db, diags);
    let glossary_path = root.join("glossary.md");
    let glossary = glossary_path
        .is_file()
        .then(|| read_source(&root, &glossary_path, &mut db, diags))
        .flatten();

    let mut guides = Vec::new();
    for dir in sorted_entries(&root) {
        let manifest_path = dir.join("guide.toml");
        if !dir.is_dir() || !manifest_path.is_file() {
            continue;
        }
        let id = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let Some(manifest_file) = read_source(&root, &manifest_path, &mut db, diags) else { continue };
        let text = db.get(manifest_file).text.clone();
        let manifest = parse_toml::<RawGuideManifest>(&text, manifest_file, 0, diags);
        let mut chapters = Vec::new();
        if let Some(m) = &manifest {
            if m.chapters.is_empty() {
                let at = text.find("chapters").map(|i| i..i + "chapters".len()).unwrap_or(0..0);
                diags.push(
                    Diagnostic::error("empty-guide", format!("guide `{id}` lists no chapters"))
                        .at(manifest_file, at)
                        .label("empty list")
                        .hint("list the chapter files in reading order: chapters = [\"intro.md\"]"),
                );
            }
            for entry in &m.chapters {
                let span = entry.span();
                let file = resolve_chapter_path(&root, &dir, entry.get_ref(), manifest_file, span.clone(), &mut db, diags);
                chapters.push(ChapterRef { file, entry: span });
            }
        }
        guides.push(GuideSource { id, dir, manifest_file, manifest, chapters });
    }
    if guides.is_empty() && db.len() == 1 + cases.len() + legislation.len() + usize::from(glossary.is_some()) {
        diags.push(
            Diagnostic::warning("no-guides", "the workspace has no guides")
                .at(manifest_file, 0..0)
                .hint("a guide is a folder one level down holding a guide.toml"),
        );
    }
    let mut templates = std::collections::BTreeMap::new();
    for name in ["guide.typ", "epub.css"] {
        let path = root.join("templates").join(name);
        if path.is_file() {
            if let Some(id) = read_source(&root, &path, &mut db, diags) {
                templates.insert(name.to_owned(), id);
            }
        }
    }
    Ok(Workspace { root, db, manifest_file, manifest, cases, legislation, glossary, guides, templates })
}

/// Resolves one chapter entry, refusing paths that leave the workspace.
fn resolve_chapter_path(
    root: &Path,
    guide_dir: &Path,
    rel: &str,
    manifest: SourceId,
    span: Range<usize>,
    db: &mut SourceDb,
    diags: &mut Diagnostics,
) -> Option<SourceId> {
    let Some(path) = join_inside(root, guide_dir, rel) else {
        diags.push(
            Diagnostic::error("path-outside-workspace", format!("chapter path `{rel}` leaves the workspace"))
                .at(manifest, span)
                .label("outside the workspace")
                .hint("chapters must be files inside the folder that holds casebook.toml"),
        );
        return None;
    };
    if !rel.ends_with(".md") {
        diags.push(
            Diagnostic::error("chapter-not-markdown", format!("chapter `{rel}` is not a .md file"))
                .at(manifest, span)
                .hint("chapters are Markdown files ending in .md"),
        );
        return None;
    }
    let name = display_path(root, &path);
    if let Some(id) = db.find(&name) {
        return Some(id);
    }
    if !path.is_file() {
        let siblings: Vec<String> = path
            .parent()
            .map(|p| sorted_entries(p).iter().filter_map(|e| e.file_name().map(|n| n.to_string_lossy().into_owned())).filter(|n| n.ends_with(".md")).collect())
            .unwrap_or_default();
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let hint = crate::diag::nearest(&file_name, siblings.iter().map(String::as_str))
            .map(|n| format!("did you mean `{n}`?"))
            .unwrap_or_else(|| "check the path: it is relative to this guide.toml".to_owned());
        diags.push(
            Diagnostic::error("missing-chapter", format!("chapter file `{rel}` does not exist"))
                .at(manifest, span)
                .label("no such file")
                .hint(hint),
        );
        return None;
    }
    // Symbolic links must not lead out of the workspace either.
    match path.canonicalize() {
        Ok(real) if real.starts_with(root) => {}
        _ => {
            diags.push(
                Diagnostic::error("path-outside-workspace", format!("chapter `{rel}` links to a file outside the workspace"))
                    .at(manifest, span)
                    .hint("copy the file into the workspace instead of linking to it"),
            );
            return None;
        }
    }
    read_source(root, &path, db, diags)
}

/// Joins `rel` to `base` lexically and returns the result if it stays inside `root`.
pub fn join_inside(root: &Path, base: &Path, rel: &str) -> Option<PathBuf> {
    let rel_path = Path::new(rel);
    if rel_path.is_absolute() || rel.contains('\\') || rel.contains(':') {
        return None;
    }
    let mut out = base.to_path_buf();
    for c in rel_path.components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() || !out.starts_with(root) {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    out.starts_with(root).then_some(out)
}

/// Reads `root/<folder>/*.md`, sorted by file name.
fn read_folder(root: &Path, folder: &str, db: &mut SourceDb, diags: &mut Diagnostics) -> Vec<SourceId> {
    let dir = root.join(folder);
    if !dir.is_dir() {
        return Vec::new();
    }
    sorted_entries(&dir)
        .into_iter()
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "md"))
        .filter_map(|p| read_source(root, &p, db, diags))
        .collect()
}

/// The entries of a folder, sorted by name; unreadable folders give none.
pub fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// Reads one file into the database. A file that is not UTF-8 is added with
/// its text decoded lossily, and an error points at the first bad byte.
fn read_source(root: &Path, path: &Path, db: &mut SourceDb, diags: &mut Diagnostics) -> Option<SourceId> {
    let name = display_path(root, path);
    match fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(mut text) => {
                if text.starts_with('\u{feff}') {
                    // A byte-order mark is replaced by a space so offsets stay put.
                    text.replace_range(0..3, "   ");
                }
                Some(db.add(name, path.to_path_buf(), text))
            }
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let id = db.add(name, path.to_path_buf(), text);
                let (line, _) = db.get(id).line_col(at);
                diags.push(
                    Diagnostic::error("not-utf8", "the file is not valid UTF-8")
                        .at(id, at..at + 1)
                        .label(format!("invalid byte on line {line}"))
                        .hint("save the file as UTF-8"),
                );
                None
            }
        },
        Err(e) => {
            diags.push(Diagnostic::error("unreadable-file", format!("cannot read {name}: {e}")));
            None
        }
    }
}
