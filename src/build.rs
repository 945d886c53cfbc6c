//! `casebook build` (and every rebuild of `casebook watch`): for every
//! selected guide of a resolved workspace, render its editions and write them
//! atomically into the output folder.
//!
//! - A guide with errors (in its own files, or in the cases, legislation and
//!   glossary it uses) gets diagnostics and no new file; the other guides
//!   still build. Every output is written to a temporary name in the output
//!   folder and renamed, so a failed build leaves the previous edition in place.
//! - A [`Builder`] lives as long as the process: one long-lived Typst compiler
//!   per guide, and the fingerprint of each guide's inputs at its last good
//!   build. A guide whose inputs did not change is not rebuilt.
//! - Independent guides are built in parallel on `jobs` plain threads (at most
//!   `jobs` guides in flight); each guide's output depends only on its own
//!   inputs, so the bytes never depend on `jobs`.
//! - A one-shot build drops each guide's compiler (its Worlds) when the guide
//!   is done, so ten guides in a row peak near the largest of them.
//! - Typst's memo caches are evicted as guides finish, so memory does not grow
//!   from guide to guide or from rebuild to rebuild.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::diag::{Diagnostic, Diagnostics, Severity, SourceId};
use crate::fonts::WorkspaceFonts;
use crate::model::{Authority, Corpus, Guide};
use crate::progress::{Phase, Progress};
use crate::render::typst::{self as typ, compiler::{GuideCompiler, Typesetter}, pdf::TemplateSource};
use crate::workspace::{ToolError, Workspace};

pub use crate::config::Format;

/// Validated options of one build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Guides to build (all when empty).
    pub guides: Vec<String>,
    /// Output folder (absolute or relative to the current folder); default from the manifest.
    pub out: Option<PathBuf>,
    /// Outputs to make (`--format`); when empty, each guide's own `formats`.
    pub formats: BTreeSet<Format>,
    /// Guides built at once (at least 1).
    pub jobs: usize,
    /// `--cache DIR`: finished outputs by content key, restored instead of rebuilt.
    pub cache: Option<PathBuf>,
    /// `--cache-max-size`: after the build, least recently used entries go until the cache is no larger.
    pub cache_max_size: Option<u64>,
}

impl BuildOptions {
    /// The output folder: `--out` (relative to the current folder), or the manifest's `out-dir`.
    pub fn out_dir(&self, corpus: &Corpus) -> Result<PathBuf, ToolError> {
        Ok(match &self.out {
            Some(p) if p.is_absolute() => p.clone(),
            Some(p) => std::env::current_dir().map_err(|e| ToolError::new(e.to_string(), None))?.join(p),
            None => corpus.out_dir.clone(),
        })
    }

    /// Every guide, each with its own formats, one guide at a time per core.
    pub fn all(out: Option<PathBuf>) -> BuildOptions {
        BuildOptions { guides: Vec::new(), out, formats: BTreeSet::new(), jobs: default_jobs(), cache: None, cache_max_size: None }
    }

    /// The outputs to make for a guide: `--format`, or else the guide's `formats`.
    pub fn formats_of<'a>(&'a self, guide: &'a Guide) -> &'a BTreeSet<Format> {
        if self.formats.is_empty() {
            &guide.options.formats
        } else {
            &self.formats
        }
    }
}

/// The number of cores (what `-j` defaults to).
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// What a build did, for the summary line and for tests.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Guides skipped because of errors.
    pub failed: Vec<String>,
    /// Guides built (or rebuilt), in guide order.
    pub rebuilt: Vec<String>,
    /// Guides left alone because nothing they are made of changed since their last build.
    pub unchanged: Vec<String>,
    /// The most guides this run compiled at once (never more than `jobs`).
    pub most_at_once: usize,
    /// Guides whose outputs all came from the cache (`--cache`), nothing compiled.
    pub restored: Vec<String>,
    /// Outputs written from the cache.
    pub restored_files: Vec<PathBuf>,
    /// Cache entries found damaged (their bytes did not match their digest), deleted and rebuilt.
    pub discarded: usize,
}

/// The source files a guide depends on: errors in any of them stop that
/// guide, and an edit to any of them rebuilds it.
pub fn guide_files(ws: &Workspace, corpus: &Corpus, guide: &Guide) -> BTreeSet<SourceId> {
    let mut files = BTreeSet::new();
    files.insert(ws.manifest_file);
    files.insert(guide.span.file);
    files.extend(ws.glossary);
    files.extend(ws.templates.values().copied());
    for ch in &guide.chapters {
        files.insert(ch.file);
    }
    for a in guide.citations.keys() {
        match a {
            Authority::Case(c) => files.insert(corpus.case(*c).span.file),
            Authority::Instrument(i) => files.insert(corpus.instrument(*i).span.file),
        };
    }
    for ch in &guide.chapters {
        for e in &ch.body {
            if let crate::model::Event::Start(crate::model::Tag::Callout(c)) = e {
                match &c.target {
                    Some(crate::model::CalloutTarget::Case(ci)) => {
                        files.insert(corpus.case(*ci).span.file);
                    }
                    Some(crate::model::CalloutTarget::Provision(ii, _)) => {
                        files.insert(corpus.instrument(*ii).span.file);
                    }
                    None => {}
                }
            }
        }
    }
    files
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, then a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The templates for a workspace: its overrides (`templates/guide.typ`,
/// `cards.typ`, `summary.typ`), or the built-in ones.
pub fn template(ws: &Workspace) -> TemplateSource {
    let mut t = TemplateSource::builtin();
    if let Some(id) = ws.templates.get("guide.typ") {
        t.text = ws.db.get(*id).text.clone();
        t.file = Some(*id);
    }
    for (name, slot) in [("cards.typ", &mut t.cards), ("summary.typ", &mut t.summary)] {
        if let Some(id) = ws.templates.get(name) {
            *slot = typ::pdf::TemplateFile { text: ws.db.get(*id).text.clone(), file: Some(*id) };
        }
    }
    t
}

/// The span of a `font = …` key in a TOML file, if there is one.
fn font_key(text: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let lead = line.len() - trimmed.len();
        for key in ["font", "pdf.font"] {
            if let Some(rest) = trimmed.strip_prefix(key) {
                if rest.trim_start().starts_with('=') {
                    return Some(offset + lead..offset + lead + key.len());
                }
            }
        }
        offset += line.len();
    }
    None
}

/// Checks that every guide's font family exists (built-in or in the
/// workspace's `fonts/`); a missing one is an error at the `font` key.
pub fn check_fonts(ws: &Workspace, corpus: &Corpus, fonts: &WorkspaceFonts, diags: &mut Diagnostics) {
    let wanted: Vec<&Guide> = corpus.guides.iter().filter(|g| g.options.font.is_some()).collect();
    if wanted.is_empty() {
        return;
    }
    let families = fonts.families();
    for guide in wanted {
        let Some(font) = &guide.options.font else { continue };
        if families.iter().any(|f| f.eq_ignore_ascii_case(font)) {
            continue;
        }
        let own = &ws.db.get(guide.span.file).text;
        let (file, at) = match font_key(own) {
            Some(r) => (guide.span.file, r),
            None => (ws.manifest_file, font_key(&ws.db.get(ws.manifest_file).text).unwrap_or(0..0)),
        };
        let names: Vec<&str> = families.iter().map(String::as_str).collect();
        let hint = format!("{}; add .ttf/.otf files to the workspace's fonts/ folder for others", crate::diag::did_you_mean(font, &names, "available"));
        diags.push(
            Diagnostic::error("missing-font", format!("font family `{font}` is not available"))
                .at(file, at)
                .label("no such font")
                .hint(hint),
        );
    }
}

/// What a guide's editions are made of, hashed: the text of every source file
/// it depends on, the images its chapters show, the template and stylesheet,
/// the fonts, its options and date, the editions asked for, and casebook's
/// version. Equal keys give equal outputs.
pub fn guide_key(ws: &Workspace, corpus: &Corpus, guide: &Guide, fonts: &WorkspaceFonts, formats: &BTreeSet<Format>) -> u64 {
    let mut h = siphasher::sip::SipHasher13::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    for id in guide_files(ws, corpus, guide) {
        let file = ws.db.get(id);
        file.name.hash(&mut h);
        file.text.hash(&mut h);
    }
    guide.hash_images(&mut h);
    epub_css(ws).hash(&mut h);
    let t = template(ws);
    (&t.text, &t.cards.text, &t.summary.text).hash(&mut h);
    fonts.fingerprint.hash(&mut h);
    (&guide.id, guide.date, &corpus.publisher, format!("{:?}", guide.options)).hash(&mut h);
    formats.hash(&mut h);
    h.finish()
}

/// One guide's state between builds.
struct GuideState {
    compiler: GuideCompiler,
    /// The key of its last good build.
    key: Option<u64>,
}

/// The long-lived part of building: the typesetter (fonts parsed once), one
/// compiler per guide, and what each guide was last built from.
#[derive(Default)]
pub struct Builder {
    typesetter: Option<Typesetter>,
    fonts: Option<WorkspaceFonts>,
    guides: BTreeMap<String, GuideState>,
    /// Keep Typst's caches between runs (watch): see [`Builder::long_lived`].
    keep_caches: bool,
}

/// How many rounds a cached Typst result survives unused in a long-lived builder.
const WATCH_MAX_AGE: usize = 3;

/// What happened to one guide in one run.
enum Outcome {
    Failed,
    /// An output could not be written (a problem of the tool, not the sources).
    NotWritten(ToolError),
    Unchanged,
    /// Every output came from the cache.
    Restored(Vec<PathBuf>),
    /// Outputs made (and perhaps some restored from the cache), and damaged cache entries met.
    Built { written: Vec<PathBuf>, restored: Vec<PathBuf>, discarded: usize },
}

/// Guides being compiled right now (for cache eviction).
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

impl Builder {
    /// A builder for one run: Typst's caches are dropped as each guide
    /// finishes, so memory stays that of the largest guide.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// A builder for many runs (`watch`): Typst's caches survive from one run
    /// to the next, so an edit recompiles only what it touched; results
    /// unused for a few runs are evicted, so memory does not grow.
    pub fn long_lived() -> Builder {
        Builder { keep_caches: true, ..Builder::default() }
    }

    /// The workspace fonts, read when first needed and again only when
    /// `fonts/` changed (by name, size and modification time).
    pub fn fonts(&mut self, root: &Path) -> &WorkspaceFonts {
        let fresh = WorkspaceFonts::load_if_changed(root, self.fonts.take());
        self.fonts.insert(fresh)
    }

    /// Forgets what every guide was built from: the next run rebuilds them all.
    pub fn forget(&mut self) {
        for g in self.guides.values_mut() {
            g.key = None;
        }
    }

    /// Builds the selected guides of a resolved workspace. Diagnostics go to
    /// `diags`; one line per guide goes to `progress`.
    pub fn build(&mut self, ws: &Workspace, corpus: &Corpus, opts: &BuildOptions, diags: &mut Diagnostics, progress: &Progress) -> Result<BuildReport, ToolError> {
        let known: Vec<&str> = corpus.guides.iter().map(|g| g.id.as_str()).collect();
        for id in &opts.guides {
            if !known.contains(&id.as_str()) {
                let hint = crate::diag::did_you_mean(id, &known, "guides");
                return Err(ToolError::new(format!("no guide `{id}` in this workspace"), Some(&hint)));
            }
        }
        let out_dir = opts.out_dir(corpus)?;
        std::fs::create_dir_all(&out_dir).map_err(|e| ToolError::new(format!("cannot create {}: {e}", out_dir.display()), None))?;

        // Which files have errors.
        let mut bad_files: BTreeSet<SourceId> = BTreeSet::new();
        let mut global_error = false;
        for d in diags.iter().filter(|d| d.severity == Severity::Error) {
            match &d.span {
                Some(s) => {
                    bad_files.insert(s.file);
                }
                None => global_error = true,
            }
        }
        let fonts = self.fonts(&ws.root).clone();
        let typesetter = match self.typesetter.take() {
            Some(mut t) => {
                t.update_fonts(&fonts);
                t
            }
            None => Typesetter::new(&ws.root, &fonts),
        };
        self.typesetter = Some(typesetter.clone());
        let template = template(ws);

        // Each selected guide with its state, taken out of the map while it builds.
        let selected: Vec<&Guide> = corpus.guides.iter().filter(|g| opts.guides.is_empty() || opts.guides.contains(&g.id)).collect();
        let mut work: Vec<(usize, &Guide, GuideState)> = selected
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let state = self.guides.remove(&g.id).unwrap_or_else(|| GuideState { compiler: typesetter.compiler(), key: None });
                (i, *g, state)
            })
            .collect();
        let cx = Cx {
            ws,
            corpus,
            opts,
            out_dir: &out_dir,
            fonts: &fonts,
            template: &template,
            typesetter: &typesetter,
            bad_files: &bad_files,
            global_error,
            progress,
            jobs: opts.jobs.max(1),
            keep_caches: self.keep_caches,
            at_once: AtomicUsize::new(0),
            most_at_once: AtomicUsize::new(0),
        };
        let work_len = work.len();
        let results: Vec<(Outcome, Diagnostics)> = if cx.jobs == 1 || work_len < 2 {
            work.iter_mut().map(|(i, guide, state)| cx.guide(*i, guide, state)).collect()
        } else {
            // Plain scoped threads taking guides from a shared queue, not a
            // rayon pool: Typst lays out pages on rayon's global pool, and a
            // rayon worker waiting for that would steal the next guide and
            // start it on the same stack, until every guide was in flight at
            // once (10 guides of 210 cases at -j 2 peaked at 2.1 GB; two at a
            // time, 0.66 GB). Results come back in guide order.
            let queue = std::sync::Mutex::new(work.iter_mut().enumerate());
            let mut done: Vec<(usize, (Outcome, Diagnostics))> = std::thread::scope(|scope| {
                let workers: Vec<_> = (0..cx.jobs.min(work_len))
                    .map(|_| {
                        scope.spawn(|| {
                            let mut mine = Vec::new();
                            loop {
                                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                                let Some((k, (i, guide, state))) = next else { break mine };
                                mine.push((k, cx.guide(*i, guide, state)));
                            }
                        })
                    })
                    .collect();
                // A worker that panicked has hit a bug: pass the panic on.
                workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
            });
            done.sort_by_key(|(k, _)| *k);
            done.into_iter().map(|(_, result)| result).collect()
        };

        let mut report = BuildReport { most_at_once: cx.most_at_once.load(Ordering::SeqCst), ..BuildReport::default() };
        let mut not_written = None;
        for ((_, guide, state), (outcome, local)) in work.into_iter().zip(results) {
            diags.extend(local);
            match outcome {
                Outcome::Failed => report.failed.push(guide.id.clone()),
                Outcome::NotWritten(e) => {
                    report.failed.push(guide.id.clone());
                    not_written.get_or_insert(e);
                }
                Outcome::Unchanged => report.unchanged.push(guide.id.clone()),
                Outcome::Restored(paths) => {
                    report.restored.push(guide.id.clone());
                    report.restored_files.extend(paths.iter().cloned());
                    report.written.extend(paths);
                }
                Outcome::Built { written, restored, discarded } => {
                    report.rebuilt.push(guide.id.clone());
                    report.restored_files.extend(restored.iter().cloned());
                    report.written.extend(restored);
                    report.written.extend(written);
                    report.discarded += discarded;
                }
            }
            self.guides.insert(guide.id.clone(), state);
        }
        // Guides that no longer exist take their compilers with them.
        self.guides.retain(|id, _| known.contains(&id.as_str()));
        if let Some(e) = not_written {
            return Err(e);
        }
        if let (Some(dir), Some(max)) = (&opts.cache, opts.cache_max_size) {
            crate::cache::Cache::new(dir).evict(max).map_err(|e| ToolError::new(format!("cannot trim the cache {}: {e}", dir.display()), None))?;
        }
        if self.keep_caches {
            // Between runs, keep what the last few rebuilds used (as typst watch does).
            typesetter.evict(WATCH_MAX_AGE);
        }
        Ok(report)
    }
}

/// What every guide of one run shares.
struct Cx<'a> {
    ws: &'a Workspace,
    corpus: &'a Corpus,
    opts: &'a BuildOptions,
    out_dir: &'a Path,
    fonts: &'a WorkspaceFonts,
    template: &'a TemplateSource,
    typesetter: &'a Typesetter,
    bad_files: &'a BTreeSet<SourceId>,
    global_error: bool,
    progress: &'a Progress,
    jobs: usize,
    keep_caches: bool,
    /// Guides of this run compiling now, and the most there have been.
    at_once: AtomicUsize,
    most_at_once: AtomicUsize,
}

impl Cx<'_> {
    /// Builds one guide: its editions, written atomically, or nothing at all.
    fn guide(&self, index: usize, guide: &Guide, state: &mut GuideState) -> (Outcome, Diagnostics) {
        let mut local = Diagnostics::new();
        let files = guide_files(self.ws, self.corpus, guide);
        if self.global_error || files.iter().any(|f| self.bad_files.contains(f)) {
            state.key = None;
            self.progress.done(index, Some(format!("skipped {}: it has errors", guide.id)));
            return (Outcome::Failed, local);
        }
        let formats = self.opts.formats_of(guide);
        let key = guide_key(self.ws, self.corpus, guide, self.fonts, formats);
        let paths: Vec<(Format, PathBuf)> = formats.iter().map(|f| (*f, self.out_dir.join(f.file_name(&guide.id)))).collect();
        if state.key == Some(key) && paths.iter().all(|(_, p)| p.exists()) {
            self.progress.done(index, self.progress.shows_unchanged().then(|| format!("unchanged {}", guide.id)));
            return (Outcome::Unchanged, local);
        }
        // Outputs the cache holds are restored, not made (their content keys
        // cover everything they are made of).
        let cache = self.opts.cache.as_deref().map(crate::cache::Cache::new);
        let mut keys: BTreeMap<Format, String> = BTreeMap::new();
        let mut restored = Vec::new();
        let mut discarded = 0;
        let mut paths = paths;
        if let Some(cache) = &cache {
            let mut left = Vec::new();
            for (format, path) in paths {
                let k = crate::plan::content_key(self.ws, self.corpus, guide, self.fonts, format, formats);
                match cache.restore(&k, &path) {
                    Ok(crate::cache::Restore::Restored) => restored.push(path),
                    Ok(crate::cache::Restore::Corrupt) => {
                        discarded += 1;
                        keys.insert(format, k);
                        left.push((format, path));
                    }
                    _ => {
                        keys.insert(format, k);
                        left.push((format, path));
                    }
                }
            }
            paths = left;
            if paths.is_empty() {
                state.key = Some(key);
                self.progress.done(index, Some(format!("restored {} from the cache", guide.id)));
                return (Outcome::Restored(restored), local);
            }
        }
        state.compiler.use_fonts(self.typesetter);
        if paths.iter().any(|(_, p)| !p.exists()) {
            // An output went missing: make everything again.
            state.compiler.forget();
        }
        IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
        let now = self.at_once.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_at_once.fetch_max(now, Ordering::SeqCst);
        let started = Instant::now();
        // Each output's new bytes, or `None` when the file written last time stands.
        let mut outputs: Vec<(Format, PathBuf, Option<Vec<u8>>)> = Vec::new();
        let mut parts: Vec<String> = Vec::new();
        let mut failed = false;
        for (format, path) in &paths {
            let t = Instant::now();
            let result = match format {
                Format::Pdf | Format::LargePrint | Format::Summary | Format::Cards => {
                    let kind = match format {
                        Format::LargePrint => typ::PdfKind::LargePrint,
                        Format::Summary => typ::PdfKind::Summary,
                        Format::Cards => typ::PdfKind::Cards,
                        _ => typ::PdfKind::Guide,
                    };
                    let label = match format {
                        Format::LargePrint => "large print",
                        Format::Summary => "summary",
                        Format::Cards => "cards",
                        _ => "PDF",
                    };
                    let mut phase = |p: Phase| self.progress.phase(index, &guide.id, p);
                    state.compiler.pdf(kind, self.corpus, guide, self.template, &mut phase).map(|pdf| {
                        let what = if pdf.reused { format!("{label} unchanged ({} pages)", pdf.pages) } else { format!("{label} {} pages in {:.2} s", pdf.pages, t.elapsed().as_secs_f64()) };
                        (pdf.bytes, pdf.warnings, what)
                    })
                }
                Format::Epub => {
                    self.progress.phase(index, &guide.id, Phase::Package);
                    // Built beside its PDF, the EPUB carries the PDF's pages.
                    let with_pages = formats.contains(&Format::Pdf);
                    epub(self.ws, self.corpus, guide, self.template, &mut state.compiler, with_pages)
                        .map(|bytes| (Some(bytes), Vec::new(), format!("EPUB in {:.2} s", t.elapsed().as_secs_f64())))
                }
                Format::Anki => {
                    self.progress.phase(index, &guide.id, Phase::Package);
                    let text = crate::render::anki::anki_text(self.corpus, guide, self.corpus.publisher.as_deref());
                    Ok((Some(text.into_bytes()), Vec::new(), format!("Anki in {:.2} s", t.elapsed().as_secs_f64())))
                }
            };
            match result {
                Ok((bytes, warnings, what)) => {
                    for w in warnings {
                        local.push(w);
                    }
                    parts.push(what);
                    outputs.push((*format, path.clone(), bytes));
                }
                Err(errors) => {
                    for e in errors {
                        local.push(e);
                    }
                    failed = true;
                    break;
                }
            }
        }
        let remaining = IN_FLIGHT.fetch_sub(1, Ordering::SeqCst) - 1;
        self.at_once.fetch_sub(1, Ordering::SeqCst);
        if !self.keep_caches {
            // Nothing else compiling: drop every memo. Otherwise keep only
            // what was used since the last eviction (the guides in flight).
            self.typesetter.evict(if remaining == 0 { 0 } else { 1 });
            // Nor keep this guide's Worlds (its parsed sources): no later run
            // of a one-shot build will ask for them.
            state.compiler = self.typesetter.compiler();
        }
        if failed {
            // What the compiler made was not written: it must not count as done.
            state.compiler.forget();
            state.key = None;
            self.progress.done(index, Some(format!("skipped {}: it has errors", guide.id)));
            return (Outcome::Failed, local);
        }
        let mut written = Vec::new();
        for (format, path, bytes) in outputs {
            let Some(bytes) = bytes else { continue };
            if let (Some(cache), Some(k)) = (&cache, keys.get(&format)) {
                // A cache that cannot be written only costs a rebuild next time.
                let _ = cache.store(k, &bytes);
            }
            if let Err(e) = write_atomic(&path, &bytes) {
                state.compiler.forget();
                state.key = None;
                self.progress.done(index, Some(format!("skipped {}: cannot write its editions", guide.id)));
                let error = ToolError::new(format!("cannot write {}: {e}", path.display()), Some("check that the output folder is writable"));
                return (Outcome::NotWritten(error), local);
            }
            written.push(path);
        }
        state.key = Some(key);
        let from_cache = if restored.is_empty() { String::new() } else { format!(" ({} from the cache)", restored.len()) };
        let damaged = if discarded == 0 { String::new() } else { format!("; {discarded} damaged cache entr{} discarded", if discarded == 1 { "y" } else { "ies" }) };
        self.progress.done(index, Some(format!("built {}: {} in {:.2} s{from_cache}{damaged}", guide.id, parts.join(", "), started.elapsed().as_secs_f64())));
        (Outcome::Built { written, restored, discarded }, local)
    }
}

/// Builds the selected guides once (what `casebook build` does).
pub fn build(ws: &Workspace, corpus: &Corpus, opts: &BuildOptions, diags: &mut Diagnostics, progress: &Progress) -> Result<BuildReport, ToolError> {
    Builder::new().build(ws, corpus, opts, diags, progress)
}

/// The EPUB's stylesheet: the workspace's `templates/epub.css`, or the built-in one.
pub fn epub_css(ws: &Workspace) -> &str {
    match ws.templates.get("epub.css") {
        Some(id) => &ws.db.get(*id).text,
        None => crate::render::epub::DEFAULT_CSS,
    }
}

/// One guide's EPUB: the cover image and the diagrams come from the guide's
/// compiler (the same template and layout as the PDF), the rest from the EPUB writer.
fn epub(ws: &Workspace, corpus: &Corpus, guide: &Guide, template: &TemplateSource, compiler: &mut GuideCompiler, with_pages: bool) -> Result<Vec<u8>, Vec<Diagnostic>> {
    use crate::render::epub::{build_epub, EpubAssets, EpubOptions};
    let art = compiler.epub_art(corpus, guide, template)?;
    let print_pages = if with_pages { Some(compiler.print_pages(corpus, guide, template)?) } else { None };
    let assets = EpubAssets { cover_png: art.cover_png, diagrams: art.diagrams };
    let opts = EpubOptions {
        css: epub_css(ws),
        date: guide.date.unwrap_or(crate::oscola::Date { year: 1980, month: 1, day: 1 }),
        publisher: corpus.publisher.as_deref(),
        print_pages: print_pages.as_ref(),
    };
    build_epub(corpus, guide, &assets, &opts).map_err(|e| {
        vec![Diagnostic::error("epub", e.to_string()).at_span(guide.span.clone()).hint("check that every image the guide uses can be read")]
    })
}

/// One guide's PDF from a fresh compiler: the bytes, the warnings and the
/// page count. For tests and tools that render a single guide.
pub fn render_pdf(ws: &Workspace, corpus: &Corpus, guide: &Guide, template: &TemplateSource) -> Result<(Vec<u8>, Vec<Diagnostic>, usize), Vec<Diagnostic>> {
    let typesetter = Typesetter::new(&ws.root, &WorkspaceFonts::load(&ws.root));
    let pdf = typesetter.compiler().pdf(typ::PdfKind::Guide, corpus, guide, template, &mut |_| {})?;
    Ok((pdf.bytes.unwrap_or_default(), pdf.warnings, pdf.pages))
}

/// One guide's EPUB from a fresh compiler. For tests and tools that render a single guide.
pub fn render_epub(ws: &Workspace, corpus: &Corpus, guide: &Guide, template: &TemplateSource) -> Result<Vec<u8>, Vec<Diagnostic>> {
    let typesetter = Typesetter::new(&ws.root, &WorkspaceFonts::load(&ws.root));
    epub(ws, corpus, guide, template, &mut typesetter.compiler(), false)
}
