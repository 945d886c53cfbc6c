//! The fonts a workspace can use, loaded once per process and shared by
//! every guide: the families built into the binary, and the `.ttf`/`.otf`
//! files of the workspace's `fonts/` folder (never system fonts).
//!
//! This module reads font files and their family names (with `ttf-parser`)
//! but knows nothing of the typesetter: `check` asks it which families exist,
//! and `render::typst` turns the loaded bytes into its font store.

use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

/// Families the binary carries: Typst's embedded fonts and Inter (OFL, from
/// this repository's `fonts/`). `render::typst`'s tests check this list
/// against the typesetter's own view of the embedded fonts.
pub const BUILTIN_FAMILIES: &[&str] = &["DejaVu Sans Mono", "Inter", "Libertinus Serif", "New Computer Modern", "New Computer Modern Math"];

/// One font file of the workspace.
#[derive(Debug, Clone)]
pub struct FontFile {
    /// Path relative to the workspace's `fonts/` folder.
    pub name: String,
    /// The file's bytes (shared, never copied again).
    pub data: Arc<Vec<u8>>,
    /// The families the file's faces belong to, as the typesetter names them.
    pub families: Vec<String>,
}

/// The workspace's own fonts, as read at one moment.
#[derive(Debug, Clone, Default)]
pub struct WorkspaceFonts {
    /// Font files, sorted by name.
    pub files: Vec<FontFile>,
    /// A hash of the names and bytes of every file: changes exactly when a
    /// font is added, removed or replaced.
    pub fingerprint: u64,
    /// Names, sizes and modification times of the files, to notice a change cheaply.
    stamp: u64,
}

/// A hash of the names, sizes and modification times of the font files.
fn stamp(root: &Path) -> u64 {
    let dir = root.join("fonts");
    let mut hasher = siphasher::sip::SipHasher13::new();
    for path in crate::workspace::sorted_entries(&dir) {
        if !is_font_file(&path) {
            continue;
        }
        path.hash(&mut hasher);
        if let Ok(meta) = std::fs::metadata(&path) {
            meta.len().hash(&mut hasher);
            meta.modified().ok().hash(&mut hasher);
        }
    }
    hasher.finish()
}

impl WorkspaceFonts {
    /// Reads every `.ttf`, `.otf`, `.ttc` and `.otc` file in `<root>/fonts/` (sorted by name).
    pub fn load(root: &Path) -> WorkspaceFonts {
        WorkspaceFonts::load_stamped(root, stamp(root))
    }

    /// [`WorkspaceFonts::load`] with the folder's stamp already taken.
    fn load_stamped(root: &Path, stamp: u64) -> WorkspaceFonts {
        let dir = root.join("fonts");
        let mut files = Vec::new();
        let mut hasher = siphasher::sip::SipHasher13::new();
        for path in crate::workspace::sorted_entries(&dir) {
            if !is_font_file(&path) {
                continue;
            }
            let Ok(data) = std::fs::read(&path) else { continue };
            let name = path.strip_prefix(&dir).unwrap_or(&path).to_string_lossy().into_owned();
            name.hash(&mut hasher);
            data.hash(&mut hasher);
            let families = families_of(&data);
            files.push(FontFile { name, data: Arc::new(data), families });
        }
        WorkspaceFonts { files, fingerprint: hasher.finish(), stamp }
    }

    /// The fonts as they are now: `previous` itself when no file of `fonts/`
    /// was added, removed or touched (by name, size and modification time),
    /// else a fresh [`WorkspaceFonts::load`].
    pub fn load_if_changed(root: &Path, previous: Option<WorkspaceFonts>) -> WorkspaceFonts {
        let stamp = stamp(root);
        match previous {
            Some(p) if p.stamp == stamp => p,
            _ => WorkspaceFonts::load_stamped(root, stamp),
        }
    }

    /// Every family available to a guide (built-in and the workspace's), sorted, without repeats.
    pub fn families(&self) -> Vec<String> {
        let mut v: Vec<String> = BUILTIN_FAMILIES.iter().map(|s| (*s).to_owned()).collect();
        v.extend(self.files.iter().flat_map(|f| f.families.iter().cloned()));
        v.sort();
        v.dedup();
        v
    }
}

/// Whether a path names a font file by its extension.
pub fn is_font_file(path: &Path) -> bool {
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    matches!(ext.as_str(), "ttf" | "otf" | "ttc" | "otc")
}

/// The family names of every face in a font file (a collection has several):
/// the family as the typesetter derives it (Name ID 1 without style words),
/// and the typographic family (Name ID 16) when the font gives one. The
/// typesetter also renames a few well-known fonts by a table of its own; the
/// built-in ones among them are in [`BUILTIN_FAMILIES`].
pub fn families_of(data: &[u8]) -> Vec<String> {
    let count = ttf_parser::fonts_in_collection(data).unwrap_or(1);
    let mut out: Vec<String> = (0..count)
        .filter_map(|i| ttf_parser::Face::parse(data, i).ok())
        .flat_map(|face| {
            let family = find_name(&face, ttf_parser::name_id::FAMILY).map(|f| typographic_family(&f).to_owned());
            let typographic = find_name(&face, ttf_parser::name_id::TYPOGRAPHIC_FAMILY);
            family.into_iter().chain(typographic)
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn find_name(face: &ttf_parser::Face<'_>, id: u16) -> Option<String> {
    face.names().into_iter().filter(|n| n.name_id == id).find_map(|n| n.to_string())
}

/// Trims style words from a family name ("Inter SemiBold" is "Inter"), as
/// the typesetter does when it groups faces into families: it reads Name ID 1
/// and drops style suffixes, optionally preceded by a modifier.
pub fn typographic_family(family: &str) -> &str {
    const SEPARATORS: [char; 3] = [' ', '-', '_'];
    const MODIFIERS: &[&str] = &["extra", "ext", "ex", "x", "semi", "sem", "sm", "demi", "dem", "ultra"];
    const SUFFIXES: &[&str] = &[
        "normal", "italic", "oblique", "slanted", "thin", "th", "hairline", "light", "lt", "regular", "medium", "med", "md", "bold", "bd", "demi",
        "extb", "black", "blk", "bk", "heavy", "narrow", "condensed", "cond", "cn", "cd", "compressed", "expanded", "exp", "vf", "var", "variable",
    ];
    let family = family.trim().trim_start_matches('.');
    let lower = family.to_ascii_lowercase();
    let mut len = usize::MAX;
    let mut trimmed = lower.as_str();
    while trimmed.len() < len {
        len = trimmed.len();
        let mut t = trimmed;
        let mut shortened = false;
        while let Some(s) = SUFFIXES.iter().find_map(|s| t.strip_suffix(s)) {
            shortened = true;
            t = s;
        }
        if !shortened {
            break;
        }
        if let Some(s) = t.strip_suffix(SEPARATORS) {
            trimmed = s;
            t = s;
        }
        if let Some(t) = MODIFIERS.iter().find_map(|s| t.strip_suffix(s)) {
            if let Some(stripped) = t.strip_suffix(SEPARATORS) {
                trimmed = stripped;
            }
        }
    }
    &family[..len.min(family.len())]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn style_words_are_trimmed() {
        assert_eq!(typographic_family("Inter SemiBold"), "Inter");
        assert_eq!(typographic_family("Inter"), "Inter");
        assert_eq!(typographic_family("Source Sans Pro ExtraLight"), "Source Sans Pro");
        assert_eq!(typographic_family("Noto Sans Display"), "Noto Sans Display");
        assert_eq!(typographic_family(".SF NS Text Bold"), "SF NS Text");
    }

    #[test]
    fn bundled_inter_is_one_family() {
        let data = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fonts/Inter-SemiBoldItalic.otf")).unwrap();
        assert_eq!(families_of(&data), vec!["Inter".to_owned()]);
        assert!(families_of(b"not a font").is_empty());
    }
}
