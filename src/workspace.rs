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
    /// The workspace's template overrides (`templates/guide.typ`, `cards.typ`,
    /// `summary.typ`, `epub.css`), by file name.
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
    for name in ["guide.typ", "cards.typ", "summary.typ", "epub.css"] {
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

/// Reads one file into the database, normalised (see [`normalize_text`]). A
/// file that is not UTF-8 is added with its text decoded lossily, and an error
/// points at the first bad byte. Each dropped control character is a warning.
fn read_source(root: &Path, path: &Path, db: &mut SourceDb, diags: &mut Diagnostics) -> Option<SourceId> {
    let name = display_path(root, path);
    match fs::read(path) {
        Ok(bytes) => {
            let (raw, bad_byte) = match decode_utf16(&bytes) {
                // Windows editors' "Unicode": UTF-16 with its byte-order mark.
                Some(text) => (text, None),
                None => match String::from_utf8(bytes) {
                    Ok(text) => (text, None),
                    Err(e) => {
                        let at = e.utf8_error().valid_up_to();
                        (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
                    }
                },
            };
            let norm = normalize_text(&raw);
            let dropped: Vec<usize> = norm.controls.iter().map(|(p, _)| *p).collect();
            let bad_at = bad_byte.map(|raw_at| norm.map_offset(raw_at));
            let id = db.add_normalized(name, path.to_path_buf(), norm.text, dropped);
            report_controls(id, &norm.controls, diags);
            if let Some(at) = bad_at {
                let (line, _) = db.get(id).line_col(at);
                diags.push(
                    Diagnostic::error("not-utf8", "the file is not valid UTF-8")
                        .at(id, at..at + 1)
                        .label(format!("invalid byte on line {line}"))
                        .hint("save the file as UTF-8"),
                );
                return None;
            }
            Some(id)
        }
        Err(e) => {
            diags.push(Diagnostic::error("unreadable-file", format!("cannot read {name}: {e}")));
            None
        }
    }
}

/// The text of a UTF-16 file that opens with its byte-order mark (little- or
/// big-endian), unpaired surrogates replaced; `None` for anything else.
fn decode_utf16(bytes: &[u8]) -> Option<String> {
    let little = match bytes.get(..2)? {
        [0xFF, 0xFE] => true,
        [0xFE, 0xFF] => false,
        _ => return None,
    };
    let units = bytes[2..].chunks(2).map(|p| match (p, little) {
        ([a, b], true) => u16::from_le_bytes([*a, *b]),
        ([a, b], false) => u16::from_be_bytes([*a, *b]),
        // An odd last byte: not a whole code unit.
        _ => 0xFFFD,
    });
    Some(char::decode_utf16(units).map(|c| c.unwrap_or('\u{FFFD}')).collect())
}

/// Most control-character warnings for one file; the rest are counted in one more.
const MAX_CONTROL_WARNINGS: usize = 20;

fn report_controls(id: SourceId, controls: &[(usize, char)], diags: &mut Diagnostics) {
    for (at, c) in controls.iter().take(MAX_CONTROL_WARNINGS) {
        diags.push(
            Diagnostic::warning("control-character", format!("the control character U+{:04X} is dropped", u32::from(*c)))
                .at(id, *at..*at)
                .label("here")
                .hint("control characters print nothing and are not allowed in an EPUB: delete it from the file"),
        );
    }
    if let Some((at, _)) = controls.get(MAX_CONTROL_WARNINGS) {
        let more = controls.len() - MAX_CONTROL_WARNINGS;
        diags.push(
            Diagnostic::warning("control-character", format!("{more} more control characters are dropped"))
                .at(id, *at..*at)
                .label("the next one")
                .hint("is the file in UTF-16 or a binary format? Save it as UTF-8 text"),
        );
    }
}

/// A file's text as every stage reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// The text: no byte-order mark, every line ending (CRLF, or a lone CR as
    /// old Mac editors write) a single LF, and no control character other than
    /// tab and LF.
    pub text: String,
    /// Each dropped control character and the offset in `text` where it was.
    pub controls: Vec<(usize, char)>,
    /// `(offset in the raw text, bytes removed before it)` at each removal, in
    /// order: maps raw offsets to `text` offsets.
    removals: Vec<(usize, usize)>,
}

impl Normalized {
    /// The offset in `text` of a byte offset of the raw text.
    pub fn map_offset(&self, raw: usize) -> usize {
        let i = self.removals.partition_point(|(at, _)| *at <= raw);
        raw - if i == 0 { 0 } else { self.removals[i - 1].1 }
    }
}

/// True for the characters dropped at load: C0 controls other than tab, LF and
/// CR, DEL, and the C1 controls. None prints, and XML forbids most of them.
pub fn is_dropped_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Normalises a file's text at load, so that every later stage (front matter,
/// Markdown, TOML, both editions) sees one form, whatever editor wrote it: a
/// leading byte-order mark is dropped, CRLF and lone CR become LF, and control
/// characters are dropped (reported by the caller). The file keeps its lines,
/// so line numbers are the file's; columns are kept through [`Normalized::controls`].
pub fn normalize_text(raw: &str) -> Normalized {
    let body = raw.strip_prefix('\u{feff}').unwrap_or(raw);
    let mut removed = raw.len() - body.len();
    let mut removals = if removed > 0 { vec![(removed, removed)] } else { Vec::new() };
    let mut text = String::with_capacity(body.len());
    let mut controls = Vec::new();
    let base = removed;
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\r' => {
                text.push('\n');
                if let Some((j, '\n')) = chars.peek().copied() {
                    chars.next();
                    removed += 1;
                    removals.push((base + j + 1, removed));
                }
            }
            c if is_dropped_control(c) => {
                controls.push((text.len(), c));
                removed += c.len_utf8();
                removals.push((base + i + c.len_utf8(), removed));
            }
            c => text.push(c),
        }
    }
    Normalized { text, controls, removals }
}

#[cfg(test)]
mod normalize_tests {
    use super::*;

    #[test]
    fn line_endings_bom_and_controls() {
        for raw in ["a\nb\n\nc", "a\r\nb\r\n\r\nc", "a\rb\r\rc", "\u{feff}a\r\nb\r\rc"] {
            let n = normalize_text(raw);
            assert_eq!(n.text, "a\nb\n\nc", "{raw:?}");
            assert!(n.controls.is_empty());
        }
        let n = normalize_text("x\0y\u{1b}[0m\u{7f}\u{85}z\tw");
        assert_eq!(n.text, "xy[0mz\tw");
        assert_eq!(n.controls, vec![(1, '\0'), (2, '\u{1b}'), (5, '\u{7f}'), (5, '\u{85}')]);
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_decoded() {
        let text = "+++\r\ntitle = \"Caf\u{e9} \u{1F600}\"\r\n+++\r\n";
        let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let be: Vec<u8> = [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(decode_utf16(&le).as_deref(), Some(text));
        assert_eq!(decode_utf16(&be).as_deref(), Some(text));
        assert_eq!(decode_utf16(text.as_bytes()), None);
        assert_eq!(decode_utf16(&[0xFF, 0xFE, 0x41]).as_deref(), Some("\u{FFFD}"));
    }

    #[test]
    fn raw_offsets_map_to_normalised_ones() {
        let raw = "\u{feff}ab\r\ncd\0e\rf";
        let n = normalize_text(raw);
        assert_eq!(n.text, "ab\ncde\nf");
        for (raw_at, want) in [(3, 0), (4, 1), (7, 3), (9, 5), (10, 5), (11, 6), (12, 7), (13, 8)] {
            assert_eq!(n.map_offset(raw_at), want, "raw offset {raw_at}");
        }
    }

    #[test]
    fn columns_count_dropped_controls() {
        let mut db = SourceDb::default();
        let n = normalize_text("+++\r\nab\0\0cd\r\n");
        let dropped = n.controls.iter().map(|(p, _)| *p).collect();
        let id = db.add_normalized("f.md".into(), PathBuf::from("f.md"), n.text, dropped);
        let f = db.get(id);
        // `d` is the sixth character of line 2 on disk.
        let d = f.text.find('d').unwrap();
        assert_eq!(f.line_col(d), (2, 6));
        // The first NUL was at column 3.
        assert_eq!(f.line_col(n.controls[0].0), (2, 3));
        assert_eq!(f.line_col(0), (1, 1));
    }
}
