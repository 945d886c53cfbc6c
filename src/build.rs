//! `casebook build`: resolve the workspace, then for every selected guide
//! render its editions and write them atomically into the output folder.
//!
//! A guide with errors (in its own files, or in the cases, legislation and
//! glossary it uses) gets diagnostics and no new file; the other guides still
//! build. Every output is written to a temporary name in the output folder
//! and renamed, so a failed build leaves the previous edition untouched.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::diag::{Diagnostic, Diagnostics, Severity, SourceId};
use crate::model::{Authority, Corpus, Guide};
use crate::render::typst::{self as typ, pdf::{Mapper, TemplateSource}, world::CasebookWorld};
use crate::workspace::{ToolError, Workspace};

/// Which editions to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Format {
    /// The printable PDF revision pack.
    Pdf,
    /// The EPUB 3 edition.
    Epub,
}

/// Validated options of one build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Guides to build (all when empty).
    pub guides: Vec<String>,
    /// Output folder (absolute or relative to the current folder); default from the manifest.
    pub out: Option<PathBuf>,
    /// Editions to write.
    pub formats: BTreeSet<Format>,
}

/// What a build did, for the summary line and for tests.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Guides skipped because of errors.
    pub failed: Vec<String>,
}

/// The files a guide depends on: errors in any of them stop that guide.
fn guide_files(ws: &Workspace, corpus: &Corpus, guide: &Guide) -> BTreeSet<SourceId> {
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

/// The template source for a workspace: its override, or the built-in one.
pub fn template(ws: &Workspace) -> TemplateSource {
    match ws.templates.get("guide.typ") {
        Some(id) => TemplateSource { text: ws.db.get(*id).text.clone(), file: Some(*id) },
        None => TemplateSource { text: typ::DEFAULT_TEMPLATE.to_owned(), file: None },
    }
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
pub fn check_fonts(ws: &Workspace, corpus: &Corpus, diags: &mut Diagnostics) {
    let wanted: Vec<&Guide> = corpus.guides.iter().filter(|g| g.options.font.is_some()).collect();
    if wanted.is_empty() {
        return;
    }
    let families = typ::world::font_families(&ws.root);
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

/// Builds the selected guides. Diagnostics go to `diags`.
pub fn build(ws: &Workspace, corpus: &Corpus, opts: &BuildOptions, diags: &mut Diagnostics, log: &mut dyn FnMut(&str)) -> Result<BuildReport, ToolError> {
    let known: Vec<&str> = corpus.guides.iter().map(|g| g.id.as_str()).collect();
    for id in &opts.guides {
        if !known.contains(&id.as_str()) {
            let hint = crate::diag::did_you_mean(id, &known, "guides");
            return Err(ToolError::new(format!("no guide `{id}` in this workspace"), Some(&hint)));
        }
    }
    let out_dir = match &opts.out {
        Some(p) if p.is_absolute() => p.clone(),
        Some(p) => std::env::current_dir().map_err(|e| ToolError::new(e.to_string(), None))?.join(p),
        None => corpus.out_dir.clone(),
    };
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
    let template = template(ws);
    let mut report = BuildReport::default();
    for guide in &corpus.guides {
        if !opts.guides.is_empty() && !opts.guides.contains(&guide.id) {
            continue;
        }
        let files = guide_files(ws, corpus, guide);
        let mut local = Diagnostics::new();
        if global_error || files.iter().any(|f| bad_files.contains(f)) {
            report.failed.push(guide.id.clone());
            log(&format!("skipped {}: it has errors", guide.id));
            diags.extend(local);
            continue;
        }
        let mut outputs: Vec<(PathBuf, Vec<u8>)> = Vec::new();
        let mut ok = true;
        for format in &opts.formats {
            let started = Instant::now();
            let result = match format {
                Format::Pdf => render_pdf(ws, corpus, guide, &template)
                    .map(|(bytes, warnings, pages)| (bytes, warnings, format!("typeset {} ({pages} pages)", guide.id))),
                Format::Epub => render_epub(ws, corpus, guide, &template).map(|bytes| (bytes, Vec::new(), format!("packaged {} EPUB", guide.id))),
            };
            match result {
                Ok((bytes, warnings, what)) => {
                    for w in warnings {
                        local.push(w);
                    }
                    log(&format!("{what} in {:.2} s", started.elapsed().as_secs_f64()));
                    let ext = match format {
                        Format::Pdf => "pdf",
                        Format::Epub => "epub",
                    };
                    outputs.push((out_dir.join(format!("{}.{ext}", guide.id)), bytes));
                }
                Err(errors) => {
                    ok = false;
                    for e in errors {
                        local.push(e);
                    }
                    break;
                }
            }
        }
        if ok {
            for (path, bytes) in outputs {
                write_atomic(&path, &bytes).map_err(|e| ToolError::new(format!("cannot write {}: {e}", path.display()), None))?;
                report.written.push(path);
            }
        } else {
            report.failed.push(guide.id.clone());
            log(&format!("skipped {}: it has errors", guide.id));
        }
        diags.extend(local);
    }
    Ok(report)
}

/// Generates, compiles and exports one guide's PDF: the bytes, Typst's
/// warnings, and the page count.
pub fn render_pdf(ws: &Workspace, corpus: &Corpus, guide: &Guide, template: &TemplateSource) -> Result<(Vec<u8>, Vec<Diagnostic>, usize), Vec<Diagnostic>> {
    let generated = typ::generate(corpus, guide, &template.text);
    if let Some(dir) = std::env::var_os("CASEBOOK_DUMP_TYPST") {
        // A debugging aid for template authors: the generated sources as Typst sees them.
        for (path, file) in &generated.files {
            let target = PathBuf::from(&dir).join(&guide.id).join(path.trim_start_matches('/'));
            if let Some(parent) = target.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            let _ = std::fs::write(target, &file.text);
        }
    }
    let files: BTreeMap<String, String> = generated.files.iter().map(|(k, v)| (k.clone(), v.text.clone())).collect();
    let world = CasebookWorld::new(&ws.root, files, guide.date);
    let mapper = Mapper::new(&generated, template, guide.span.clone());
    let compiled = typ::pdf::compile(&world, &mapper)?;
    let pages = compiled.document.pages().len();
    let bytes = typ::pdf::export(&world, &mapper, &compiled.document, guide, corpus.publisher.as_deref())?;
    let mut warnings = generated.warnings.clone();
    warnings.extend(compiled.warnings);
    Ok((bytes, warnings, pages))
}

/// The EPUB's stylesheet: the workspace's `templates/epub.css`, or the built-in one.
pub fn epub_css(ws: &Workspace) -> &str {
    match ws.templates.get("epub.css") {
        Some(id) => &ws.db.get(*id).text,
        None => crate::render::epub::DEFAULT_CSS,
    }
}

/// Renders one guide's EPUB: the cover image and the diagrams come from Typst
/// (the same template and layout as the PDF), the rest from the EPUB writer.
pub fn render_epub(ws: &Workspace, corpus: &Corpus, guide: &Guide, template: &TemplateSource) -> Result<Vec<u8>, Vec<Diagnostic>> {
    use crate::render::epub::{build_epub, EpubAssets, EpubOptions};
    let cover = typ::generate_cover(corpus, guide, &template.text);
    let files: BTreeMap<String, String> = cover.files.iter().map(|(k, v)| (k.clone(), v.text.clone())).collect();
    let world = CasebookWorld::new(&ws.root, files, guide.date);
    let mapper = Mapper::new(&cover, template, guide.span.clone());
    let compiled = typ::pdf::compile(&world, &mapper)?;
    let assets = EpubAssets {
        cover_png: typ::pdf::cover_png(&compiled.document),
        diagrams: typ::pdf::diagram_svgs(&ws.root, corpus, guide, template)?,
    };
    let opts = EpubOptions {
        css: epub_css(ws),
        date: guide.date.unwrap_or(crate::oscola::Date { year: 1980, month: 1, day: 1 }),
        publisher: corpus.publisher.as_deref(),
    };
    build_epub(corpus, guide, &assets, &opts).map_err(|e| {
        vec![Diagnostic::error("epub", e.to_string()).at_span(guide.span.clone()).hint("check that every image the guide uses can be read")]
    })
}
