//! The `World` Typst compiles against: a thin adapter over typst-kit's
//! `FileStore` and `FontStore`.
//!
//! - Generated files live at stable virtual paths under `/__casebook__/`, so a
//!   later watch mode can keep one World per guide and recompile incrementally
//!   (`set_generated`, then `reset`).
//! - Every other path is a file of the workspace; nothing outside it can be
//!   read, and packages (`@preview/…`) are refused with a clear message.
//! - Fonts: typst-kit's embedded fonts, the fonts in this repository's
//!   `fonts/` (embedded in the binary), and the workspace's `fonts/`. Never
//!   system fonts.
//! - `today` is the edition date.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::files::{FileLoader, FileStore};
use typst_kit::fonts::FontStore;

use crate::oscola::Date;

/// Fonts bundled in `fonts/` (OFL), embedded in the binary.
const BUNDLED_FONTS: &[&[u8]] = &[
    include_bytes!("../../../fonts/Inter-Regular.otf"),
    include_bytes!("../../../fonts/Inter-Italic.otf"),
    include_bytes!("../../../fonts/Inter-SemiBold.otf"),
    include_bytes!("../../../fonts/Inter-SemiBoldItalic.otf"),
    include_bytes!("../../../fonts/Inter-Bold.otf"),
    include_bytes!("../../../fonts/Inter-BoldItalic.otf"),
];

/// The built-in fonts, parsed once per process.
fn builtin_fonts() -> &'static [(Font, FontInfo)] {
    static FONTS: OnceLock<Vec<(Font, FontInfo)>> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut v: Vec<(Font, FontInfo)> = typst_kit::fonts::embedded().collect();
        for data in BUNDLED_FONTS {
            for font in Font::iter(Bytes::new(*data)) {
                let info = font.info().clone();
                v.push((font, info));
            }
        }
        v
    })
}

/// Loads the fonts of a workspace's `fonts/` folder (sorted by name).
pub fn workspace_fonts(root: &Path) -> Vec<(Font, FontInfo)> {
    let mut out = Vec::new();
    for path in crate::workspace::sorted_entries(&root.join("fonts")) {
        let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        if !matches!(ext.as_str(), "ttf" | "otf" | "ttc" | "otc") {
            continue;
        }
        if let Ok(data) = std::fs::read(&path) {
            for font in Font::iter(Bytes::new(data)) {
                let info = font.info().clone();
                out.push((font, info));
            }
        }
    }
    out
}

/// The family names every World knows, for checking a manifest's font.
pub fn font_families(root: &Path) -> Vec<String> {
    let mut v: Vec<String> = builtin_fonts().iter().map(|(_, i)| i.family.clone()).collect();
    v.extend(workspace_fonts(root).into_iter().map(|(_, i)| i.family));
    v.sort();
    v.dedup();
    v
}

/// Serves generated files from memory and workspace files from disk.
pub struct Loader {
    root: PathBuf,
    generated: BTreeMap<String, Bytes>,
}

impl FileLoader for Loader {
    fn load(&self, id: FileId) -> FileResult<Bytes> {
        let rooted = id.get();
        if let VirtualRoot::Package(spec) = rooted.root() {
            return Err(FileError::Other(Some(
                format!("casebook works offline and cannot import Typst packages ({spec}); copy what you need into the workspace's template").into(),
            )));
        }
        let vpath = rooted.vpath().get_with_slash();
        if let Some(bytes) = self.generated.get(vpath) {
            return Ok(bytes.clone());
        }
        if vpath.starts_with(super::GEN_DIR) {
            return Err(FileError::NotFound(PathBuf::from(vpath)));
        }
        let path = rooted.vpath().realize(&self.root).map_err(|_| FileError::AccessDenied)?;
        // Symbolic links must not lead out of the workspace.
        let real = path.canonicalize().map_err(|_| FileError::NotFound(path.clone()))?;
        if !real.starts_with(&self.root) {
            return Err(FileError::AccessDenied);
        }
        if real.is_dir() {
            return Err(FileError::IsDirectory);
        }
        std::fs::read(&real).map(Bytes::new).map_err(|e| FileError::from_io(e, &path))
    }
}

/// One guide's compilation environment.
pub struct CasebookWorld {
    library: LazyHash<Library>,
    fonts: FontStore,
    files: FileStore<Loader>,
    main: FileId,
    today: Option<Datetime>,
}

/// A project file id for a virtual path.
pub fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("generated paths are valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

impl CasebookWorld {
    /// A world for the workspace at `root` (canonical), with the generated files.
    pub fn new(root: &Path, generated: BTreeMap<String, String>, today: Option<Date>) -> Self {
        let mut fonts = FontStore::new();
        fonts.extend(builtin_fonts().iter().cloned());
        fonts.extend(workspace_fonts(root));
        let loader = Loader { root: root.to_path_buf(), generated: BTreeMap::new() };
        let mut world = CasebookWorld {
            library: LazyHash::new(Library::builder().build()),
            fonts,
            files: FileStore::new(loader),
            main: file_id(&super::main_path()),
            today: today.and_then(|d| Datetime::from_ymd(d.year, d.month, d.day)),
        };
        world.set_generated(generated);
        world
    }

    /// Replaces the generated files (same paths, new text) and marks every file
    /// stale, so the next compilation re-reads and reuses what did not change.
    pub fn set_generated(&mut self, generated: BTreeMap<String, String>) {
        self.files.loader_mut().generated = generated.into_iter().map(|(k, v)| (k, Bytes::from_string(v))).collect();
        self.files.reset();
    }
}

impl World for CasebookWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.files.source(id)
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.file(id)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}
