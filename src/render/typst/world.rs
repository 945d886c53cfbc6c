//! The `World` Typst compiles against: a thin adapter over typst-kit's
//! `FileStore` and `FontStore`.
//!
//! - Generated files live at stable virtual paths under `/__casebook__/`. A
//!   guide keeps one World across rebuilds (`set_generated` swaps only the
//!   files whose text changed), so comemo reuses what an edit did not touch.
//! - Every other path is a file of the workspace; nothing outside it can be
//!   read, and packages (`@preview/…`) are refused with a clear message.
//! - Fonts: typst-kit's embedded fonts, the fonts in this repository's
//!   `fonts/` (embedded in the binary), and the workspace's `fonts/`, parsed
//!   once per process into [`Fonts`] and shared by every World. Never system
//!   fonts.
//! - `today` is the edition date.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

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
pub fn builtin_fonts() -> &'static [(Font, FontInfo)] {
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

/// The standard library with the template's inputs (`sys.inputs`), built
/// once per process for each set of inputs and shared by every World that
/// uses them (the same hash everywhere, so comemo's caches serve every guide).
fn library(inputs: &[(&'static str, String)]) -> &'static LazyHash<Library> {
    type Libraries = std::sync::Mutex<BTreeMap<Vec<(&'static str, String)>, &'static LazyHash<Library>>>;
    static LIBRARIES: OnceLock<Libraries> = OnceLock::new();
    let mut map = LIBRARIES.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    map.entry(inputs.to_vec()).or_insert_with(|| {
        let dict: typst::foundations::Dict = inputs.iter().map(|(k, v)| ((*k).into(), typst::foundations::Value::Str(v.as_str().into()))).collect();
        // A handful of input sets per process (the editions times duplex): leaked once each.
        Box::leak(Box::new(LazyHash::new(Library::builder().with_inputs(dict).build())))
    })
}

/// The fonts of one workspace: the built-in ones and the workspace's own,
/// parsed once and shared (behind an `Arc`) by every guide's World.
pub struct Fonts {
    store: FontStore,
    /// Identifies the workspace fonts this store was made from.
    pub fingerprint: u64,
}

impl Fonts {
    /// A font store over the built-in fonts and the given workspace fonts
    /// (their bytes are shared, not copied).
    pub fn new(workspace: &crate::fonts::WorkspaceFonts) -> Arc<Fonts> {
        let mut store = FontStore::new();
        store.extend(builtin_fonts().iter().cloned());
        for file in &workspace.files {
            for font in Font::iter(Bytes::new(SharedBytes(Arc::clone(&file.data)))) {
                let info = font.info().clone();
                store.push((font, info));
            }
        }
        Arc::new(Fonts { store, fingerprint: workspace.fingerprint })
    }

    /// The family names the typesetter sees, sorted (for tests of
    /// `fonts::BUILTIN_FAMILIES` and `fonts::families_of`).
    pub fn families(&self) -> Vec<String> {
        let book = self.store.book();
        let mut v: Vec<String> = book.families().map(|(name, _)| name.to_owned()).collect();
        v.sort();
        v.dedup();
        v
    }
}

/// Font bytes shared with [`crate::fonts::FontFile`].
struct SharedBytes(Arc<Vec<u8>>);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
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
    library: &'static LazyHash<Library>,
    fonts: Arc<Fonts>,
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
    /// A world for the workspace at `root` (canonical), with the shared
    /// fonts, the edition date and no generated files yet.
    pub fn new(root: &Path, fonts: Arc<Fonts>, today: Option<Date>) -> Self {
        let loader = Loader { root: root.to_path_buf(), generated: BTreeMap::new() };
        CasebookWorld {
            library: library(&[]),
            fonts,
            files: FileStore::new(loader),
            main: file_id(&super::main_path()),
            today: today.and_then(|d| Datetime::from_ymd(d.year, d.month, d.day)),
        }
    }

    /// Replaces the generated files and marks every file stale, so that the
    /// next compilation re-reads them and comemo reuses whatever is unchanged
    /// (a file whose bytes are the same gives the same `Source`).
    pub fn set_generated(&mut self, generated: &BTreeMap<String, String>) {
        let loader = self.files.loader_mut();
        loader.generated.retain(|k, _| generated.contains_key(k));
        for (path, text) in generated {
            let same = loader.generated.get(path).is_some_and(|b| b.as_slice() == text.as_bytes());
            if !same {
                loader.generated.insert(path.clone(), Bytes::from_string(text.clone()));
            }
        }
        self.files.reset();
    }

    /// Chooses the file to compile (the guide, its cover, or its diagrams).
    pub fn set_main(&mut self, path: &str) {
        self.main = file_id(path);
    }

    /// Sets the template's inputs (`sys.inputs`: which edition, and so on).
    pub fn set_inputs(&mut self, inputs: &[(&'static str, String)]) {
        self.library = library(inputs);
    }

    /// Changes the edition date.
    pub fn set_today(&mut self, today: Option<Date>) {
        self.today = today.and_then(|d| Datetime::from_ymd(d.year, d.month, d.day));
    }

    /// Changes the fonts (after a font in the workspace changed).
    pub fn set_fonts(&mut self, fonts: Arc<Fonts>) {
        self.fonts = fonts;
    }
}

impl World for CasebookWorld {
    fn library(&self) -> &LazyHash<Library> {
        self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.store.book()
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
        self.fonts.store.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unchanged generated files keep their very bytes across `set_generated`,
    /// so Typst sees the same inputs and comemo reuses their results.
    #[test]
    fn unchanged_files_keep_their_bytes() {
        let fonts = Fonts::new(&crate::fonts::WorkspaceFonts::default());
        let mut world = CasebookWorld::new(Path::new("/nonexistent"), fonts, None);
        let mut files = BTreeMap::new();
        files.insert("/__casebook__/a.typ".to_owned(), "A".to_owned());
        files.insert("/__casebook__/b.typ".to_owned(), "B".to_owned());
        files.insert("/__casebook__/c.typ".to_owned(), "C".to_owned());
        world.set_generated(&files);
        let before = world.files.loader().generated.clone();
        files.insert("/__casebook__/b.typ".to_owned(), "B2".to_owned());
        files.remove("/__casebook__/c.typ");
        world.set_generated(&files);
        let after = &world.files.loader().generated;
        let a = "/__casebook__/a.typ";
        assert!(std::ptr::eq(before[a].as_slice().as_ptr(), after[a].as_slice().as_ptr()), "an unchanged file was replaced");
        assert_eq!(after["/__casebook__/b.typ"].as_slice(), b"B2");
        assert!(!after.contains_key("/__casebook__/c.typ"), "a file no longer generated stays visible");
        let b = world.source(file_id("/__casebook__/b.typ")).unwrap();
        assert_eq!(b.text(), "B2");
    }
}
