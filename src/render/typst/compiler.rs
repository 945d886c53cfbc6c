//! The one door to Typst: a [`Typesetter`] per workspace (the fonts, parsed
//! once and shared) hands out a long-lived [`GuideCompiler`] per guide.
//!
//! A guide's compiler keeps its World across rebuilds. Each request
//! regenerates the guide's Typst sources (cheap), swaps into the World only
//! the files whose text changed, and compiles; comemo then reuses everything
//! an edit did not touch. Each product (the PDF, the cover PNG, the diagram
//! SVGs) is keyed by a hash of exactly what it is made from: when the key is
//! the one of the last success, the last bytes are handed back and Typst is
//! not called at all.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::pdf::{self, Mapper, TemplateSource};
use super::world::{CasebookWorld, Fonts};
use super::{Generated, PdfKind, GEN_DIR};
use crate::diag::Diagnostic;
use crate::model::{Corpus, Guide};
use crate::progress::Phase;
use crate::render::pages::PrintPages;

/// The fonts of one workspace, parsed once; the factory of guide compilers.
#[derive(Clone)]
pub struct Typesetter {
    root: PathBuf,
    fonts: Arc<Fonts>,
}

impl Typesetter {
    /// A typesetter for the workspace at `root` with its fonts.
    pub fn new(root: &Path, fonts: &crate::fonts::WorkspaceFonts) -> Typesetter {
        Typesetter { root: root.to_path_buf(), fonts: Fonts::new(fonts) }
    }

    /// Replaces the workspace fonts when they changed (by fingerprint); returns whether they did.
    pub fn update_fonts(&mut self, fonts: &crate::fonts::WorkspaceFonts) -> bool {
        if fonts.fingerprint == self.fonts.fingerprint {
            return false;
        }
        self.fonts = Fonts::new(fonts);
        true
    }

    /// The family names the typesetter knows (built-in and the workspace's).
    pub fn families(&self) -> Vec<String> {
        self.fonts.families()
    }

    /// Evicts Typst's memo caches: drops every result not used in the last
    /// `max_age` evictions (0 drops everything). Called as guides finish, so
    /// that memory does not grow from guide to guide or rebuild to rebuild.
    pub fn evict(&self, max_age: usize) {
        comemo::evict(max_age);
    }

    /// A new compiler for one guide.
    pub fn compiler(&self) -> GuideCompiler {
        GuideCompiler {
            root: self.root.clone(),
            editions: BTreeMap::new(),
            art_world: CasebookWorld::new(&self.root, Arc::clone(&self.fonts), None),
            art_files: BTreeMap::new(),
            fonts: Arc::clone(&self.fonts),
            cover: None,
            diagrams: None,
        }
    }
}

/// A finished PDF edition.
#[derive(Clone, Debug)]
pub struct PdfEdition {
    /// The file's bytes; `None` when they are those of the last request
    /// (nothing they are made of changed), which the caller already has.
    pub bytes: Option<Vec<u8>>,
    /// Number of pages.
    pub pages: usize,
    /// Typst's and the writer's warnings, mapped to the Markdown.
    pub warnings: Vec<Diagnostic>,
    /// Whether the last result was handed back because nothing it is made of changed.
    pub reused: bool,
}

/// The cover and diagrams the EPUB takes from the typesetter.
#[derive(Clone, Debug)]
pub struct EpubArt {
    /// The cover page as a PNG.
    pub cover_png: Option<Vec<u8>>,
    /// One SVG per diagram, by diagram number.
    pub diagrams: BTreeMap<usize, String>,
    /// Whether both were handed back unchanged from the last build.
    pub reused: bool,
}

/// One guide's long-lived compiler.
///
/// It keeps a World for each PDF edition it has made (the guide, the large
/// print, the summary, the cards) and one for the cover and diagrams. A
/// World's file store keeps a file's parsed source for the next compilation
/// only if the last compilation read it; compiling the cover or another
/// edition in the guide's World would make it forget the chapters, and the
/// next PDF would start from scratch.
pub struct GuideCompiler {
    root: PathBuf,
    editions: BTreeMap<PdfKind, Edition>,
    art_world: CasebookWorld,
    /// The cover's and the diagrams' generated files.
    art_files: BTreeMap<String, String>,
    fonts: Arc<Fonts>,
    cover: Option<(u64, Option<Vec<u8>>)>,
    diagrams: Option<(u64, BTreeMap<usize, String>)>,
}

/// One PDF edition's World and what it last made.
struct Edition {
    world: CasebookWorld,
    /// The sources of the last compilation (for mapping diagnostics).
    generated: Generated,
    /// The key, page count and warnings of the last PDF (not its bytes: the
    /// caller wrote them; a long session over many guides must not hold them all).
    last: Option<(u64, usize, Vec<Diagnostic>)>,
    /// The guide edition's pages (for the EPUB's page list), and the key of
    /// the compilation they were read from.
    pages: Option<(u64, PrintPages)>,
}

/// Virtual path of the cover's main file.
fn cover_path() -> String {
    format!("{GEN_DIR}/cover.typ")
}

/// Virtual path of the diagrams' main file.
fn diagrams_path() -> String {
    format!("{GEN_DIR}/diagrams.typ")
}

fn hasher() -> siphasher::sip::SipHasher13 {
    let mut h = siphasher::sip::SipHasher13::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    h
}

impl GuideCompiler {
    /// Points this compiler at the typesetter's current fonts (after a font
    /// changed); the next request recompiles.
    pub fn use_fonts(&mut self, typesetter: &Typesetter) {
        if !Arc::ptr_eq(&self.fonts, &typesetter.fonts) {
            self.fonts = Arc::clone(&typesetter.fonts);
            for e in self.editions.values_mut() {
                e.world.set_fonts(Arc::clone(&self.fonts));
            }
            self.art_world.set_fonts(Arc::clone(&self.fonts));
        }
    }

    /// Forgets what was last made, so that the next requests redo everything
    /// (when an output the caller wrote has gone missing).
    pub fn forget(&mut self) {
        for e in self.editions.values_mut() {
            e.last = None;
        }
        self.cover = None;
        self.diagrams = None;
    }

    /// Compiles and exports one PDF edition of the guide, or says that the
    /// last one still stands when its sources, options, fonts and date are
    /// all unchanged.
    pub fn pdf(
        &mut self,
        kind: PdfKind,
        corpus: &Corpus,
        guide: &Guide,
        template: &TemplateSource,
        phase: &mut dyn FnMut(Phase),
    ) -> Result<PdfEdition, Vec<Diagnostic>> {
        let (generated, key) = self.edition_sources(kind, corpus, guide, template);
        let edition = self.edition(kind);
        if let Some((k, pages, warnings)) = &edition.last {
            if *k == key {
                return Ok(PdfEdition { bytes: None, pages: *pages, warnings: warnings.clone(), reused: true });
            }
        }
        phase(Phase::Typeset);
        let compiled = Self::compile_edition(edition, kind, guide, template, generated, key)?;
        let edition = self.edition(kind);
        let mapper = Mapper::new(&edition.generated, template, guide.span.clone());
        phase(Phase::Export);
        let pages = compiled.document.pages().len();
        let bytes = pdf::export(&edition.world, &mapper, &compiled.document, guide, kind, corpus.publisher.as_deref())?;
        let mut warnings = edition.generated.warnings.clone();
        warnings.extend(compiled.warnings);
        if kind == PdfKind::Cards {
            // The cards the template had to shorten.
            warnings.extend(super::cards::overflow_warnings(&compiled.document, corpus, guide));
        }
        edition.last = Some((key, pages, warnings.clone()));
        Ok(PdfEdition { bytes: Some(bytes), pages, warnings, reused: false })
    }

    /// Where the guide edition's printed pages begin, for the EPUB's
    /// page-break markers and page list: read from the last compilation of
    /// the guide edition when nothing it is made of changed since, or else
    /// from a new one (laid out, not exported: the PDF itself may have come
    /// from the cache).
    pub fn print_pages(&mut self, corpus: &Corpus, guide: &Guide, template: &TemplateSource) -> Result<PrintPages, Vec<Diagnostic>> {
        let kind = PdfKind::Guide;
        let (generated, key) = self.edition_sources(kind, corpus, guide, template);
        if let Some((k, pages)) = &self.edition(kind).pages {
            if *k == key {
                return Ok(pages.clone());
            }
        }
        let edition = self.edition(kind);
        Self::compile_edition(edition, kind, guide, template, generated, key)?;
        Ok(self.edition(kind).pages.as_ref().map(|(_, p)| p.clone()).unwrap_or_default())
    }

    /// The generated sources of an edition and the key of everything its PDF is made of.
    fn edition_sources(&self, kind: PdfKind, corpus: &Corpus, guide: &Guide, template: &TemplateSource) -> (Generated, u64) {
        let generated = super::generate_edition(kind, corpus, guide, template);
        let inputs = kind.inputs(guide);
        let mut h = hasher();
        for (path, file) in &generated.files {
            path.hash(&mut h);
            file.text.hash(&mut h);
        }
        (guide.date, self.fonts.fingerprint, &guide.id, &corpus.publisher, format!("{:?}", guide.options.pdf_standard), &inputs).hash(&mut h);
        // Typst reads the images from the workspace.
        guide.hash_images(&mut h);
        (generated, h.finish())
    }

    /// The World and last products of an edition.
    fn edition(&mut self, kind: PdfKind) -> &mut Edition {
        let (root, fonts) = (&self.root, &self.fonts);
        self.editions.entry(kind).or_insert_with(|| Edition {
            world: CasebookWorld::new(root, Arc::clone(fonts), None),
            generated: Generated::default(),
            last: None,
            pages: None,
        })
    }

    /// Lays out an edition from its generated sources (swapping into its
    /// World only what changed); the guide edition's pages are read back.
    fn compile_edition(
        edition: &mut Edition,
        kind: PdfKind,
        guide: &Guide,
        template: &TemplateSource,
        generated: Generated,
        key: u64,
    ) -> Result<pdf::Compiled, Vec<Diagnostic>> {
        dump(guide, kind, &generated);
        let files: BTreeMap<String, String> = generated.files.iter().map(|(k, v)| (k.clone(), v.text.clone())).collect();
        edition.generated = generated;
        edition.world.set_generated(&files);
        edition.world.set_today(guide.date);
        edition.world.set_inputs(&kind.inputs(guide));
        let mapper = Mapper::new(&edition.generated, template, guide.span.clone());
        let compiled = pdf::compile(&edition.world, &mapper)?;
        if kind == PdfKind::Guide {
            let source = crate::config::Format::Pdf.file_name(&guide.id);
            edition.pages = Some((key, pdf::print_pages(&compiled.document, guide, &source)));
        }
        Ok(compiled)
    }

    /// The EPUB's cover (PNG) and diagrams (SVG), drawn by the same template
    /// as the PDF; each is redone only when what it is made of changed.
    pub fn epub_art(&mut self, corpus: &Corpus, guide: &Guide, template: &TemplateSource) -> Result<EpubArt, Vec<Diagnostic>> {
        let cover_src = super::generate_cover(corpus, guide, &template.text);
        let diagrams_src = pdf::diagrams_main(guide);
        let key_of = |main: &str| {
            let mut h = hasher();
            (template.text.as_str(), main, guide.date, self.fonts.fingerprint, PdfKind::Guide.inputs(guide)).hash(&mut h);
            h.finish()
        };
        let cover_key = key_of(&cover_src.files[&super::main_path()].text);
        let diagrams_key = key_of(diagrams_src.as_ref().map_or("", |(main, _)| main.as_str()));
        let cover_fresh = self.cover.as_ref().is_some_and(|(k, _)| *k == cover_key);
        let diagrams_fresh = self.diagrams.as_ref().is_some_and(|(k, _)| *k == diagrams_key);
        if !cover_fresh || !diagrams_fresh {
            self.art_files.insert(super::template_path(), template.text.clone());
            self.art_files.insert(cover_path(), cover_src.files[&super::main_path()].text.clone());
            match &diagrams_src {
                Some((main, _)) => self.art_files.insert(diagrams_path(), main.clone()),
                None => self.art_files.remove(&diagrams_path()),
            };
            self.art_world.set_generated(&self.art_files);
            self.art_world.set_today(guide.date);
            self.art_world.set_inputs(&PdfKind::Guide.inputs(guide));
        }
        let empty = Generated::default();
        let mapper = Mapper::new(&empty, template, guide.span.clone());
        if !cover_fresh {
            self.art_world.set_main(&cover_path());
            let compiled = pdf::compile(&self.art_world, &mapper)?;
            self.cover = Some((cover_key, pdf::cover_png(&compiled.document)));
        }
        if !diagrams_fresh {
            let svgs = match &diagrams_src {
                Some((_, numbers)) => {
                    self.art_world.set_main(&diagrams_path());
                    let compiled = pdf::compile(&self.art_world, &mapper)?;
                    numbers.iter().copied().zip(compiled.document.pages()).map(|(n, page)| (n, typst_svg::svg(page, &typst_svg::SvgOptions::default()))).collect()
                }
                None => BTreeMap::new(),
            };
            self.diagrams = Some((diagrams_key, svgs));
        }
        let cover_png = self.cover.as_ref().and_then(|(_, c)| c.clone());
        let diagrams = self.diagrams.as_ref().map(|(_, d)| d.clone()).unwrap_or_default();
        Ok(EpubArt { cover_png, diagrams, reused: cover_fresh && diagrams_fresh })
    }
}

/// `CASEBOOK_DUMP_TYPST=DIR`: a debugging aid for template authors, writing
/// the generated sources as Typst sees them under `DIR/<guide>/` (the guide
/// edition) or `DIR/<guide>-<edition>/` (the others).
fn dump(guide: &Guide, kind: PdfKind, generated: &Generated) {
    let Some(dir) = std::env::var_os("CASEBOOK_DUMP_TYPST") else { return };
    let folder = match kind {
        PdfKind::Guide => guide.id.clone(),
        other => format!("{}-{}", guide.id, other.name()),
    };
    for (path, file) in &generated.files {
        let target = PathBuf::from(&dir).join(&folder).join(path.trim_start_matches('/'));
        if let Some(parent) = target.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(target, &file.text);
    }
}
