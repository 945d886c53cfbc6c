//! The subcommands: each turns its arguments into a run of the pipeline and
//! an exit code. Problems in the sources are diagnostics (exit 1); problems of
//! the tool or the command line are [`ToolError`]s (exit 2).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};

use crate::cli::{BuildArgs, CheckArgs, Cli, Command, ListArgs, NewArgs, SourceArgs};
use crate::diag::{self, Diagnostics, MessageFormat, SourceDb};
use crate::model::{Corpus, Event};
use crate::oscola::Date;
use crate::resolve::{self, ResolveOptions};
use crate::workspace::{self, ToolError};

/// Runs a parsed command line; returns the exit code.
pub fn run(cli: Cli) -> Result<u8, ToolError> {
    match cli.command {
        Command::New(args) => new(&args),
        Command::Check(args) => check(&args),
        Command::List(args) => list(&args),
        Command::Build(args) => build(&args),
        Command::Watch(args) => crate::watch::run(&args),
        Command::Plan(args) => plan(&args),
    }
}

/// Finds the workspace root: the given folder, or the nearest one upwards.
pub fn locate(dir: Option<&Path>) -> Result<PathBuf, ToolError> {
    match dir {
        Some(d) => {
            if !d.is_dir() {
                return Err(ToolError::new(format!("{} is not a folder", d.display()), Some("pass the folder that holds casebook.toml")));
            }
            Ok(d.to_path_buf())
        }
        None => {
            let cwd = std::env::current_dir().map_err(|e| ToolError::new(format!("cannot read the current folder: {e}"), None))?;
            workspace::find_root(&cwd).ok_or_else(|| {
                ToolError::new(
                    "no casebook.toml in this folder or any parent",
                    Some("run inside a workspace, pass its folder, or create one with `casebook new DIR`"),
                )
            })
        }
    }
}

/// `SOURCE_DATE_EPOCH`, if set, as a UTC date.
pub fn source_date_epoch() -> Result<Option<Date>, ToolError> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => {
            let secs: i64 = v.trim().parse().map_err(|_| {
                ToolError::new(format!("SOURCE_DATE_EPOCH=`{v}` is not a whole number of seconds"), Some("unset it or set it to a Unix time such as 1788220800"))
            })?;
            Ok(Some(date_from_unix(secs)))
        }
        _ => Ok(None),
    }
}

/// The UTC calendar date of a Unix time (Howard Hinnant's civil-from-days).
pub fn date_from_unix(secs: i64) -> Date {
    let days = secs.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    Date { year: (if m <= 2 { y + 1 } else { y }) as i32, month: m as u8, day: d as u8 }
}

/// Prints diagnostics as asked: human text to stderr, JSON lines to stdout.
pub fn report(db: &SourceDb, diags: &Diagnostics, format: MessageFormat) {
    match format {
        MessageFormat::Human => {
            let choice = if std::io::stderr().is_terminal() { ColorChoice::Auto } else { ColorChoice::Never };
            let mut err = StandardStream::stderr(choice);
            let _ = diag::emit_human(db, diags, &mut err);
        }
        MessageFormat::Json => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(diag::to_json_lines(db, diags).as_bytes());
        }
        MessageFormat::Github => {
            // The runner reads workflow commands from stdout.
            let base = std::env::current_dir().unwrap_or_default();
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(diag::to_github_lines(db, diags, &base).as_bytes());
        }
    }
}

/// A loaded and resolved workspace.
pub struct Loaded {
    /// The sources.
    pub ws: workspace::Workspace,
    /// The resolved model.
    pub corpus: Corpus,
    /// Diagnostics so far (sorted; strictness applied).
    pub diags: Diagnostics,
}

/// Loads and resolves; strictness applied, diagnostics sorted. The
/// workspace's fonts come from `fonts` (read once per process by the caller's
/// [`crate::build::Builder`]).
pub fn load_with(args: &SourceArgs, builder: &mut crate::build::Builder) -> Result<Loaded, ToolError> {
    let root = locate(args.dir.as_deref())?;
    let opts = ResolveOptions { source_date: source_date_epoch()? };
    let (ws, corpus, mut diags) = resolve::check(&root, &opts)?;
    let fonts = builder.fonts(&ws.root);
    crate::build::check_fonts(&ws, &corpus, fonts, &mut diags);
    if args.strict {
        diags.promote_warnings();
    }
    diags.finish();
    Ok(Loaded { ws, corpus, diags })
}

/// Loads and resolves; strictness applied, diagnostics sorted.
pub fn load(args: &SourceArgs) -> Result<(workspace::Workspace, Corpus, Diagnostics), ToolError> {
    let Loaded { ws, corpus, diags } = load_with(args, &mut crate::build::Builder::new())?;
    Ok((ws, corpus, diags))
}

fn check(args: &CheckArgs) -> Result<u8, ToolError> {
    let (ws, corpus, diags) = load(&args.source)?;
    report(&ws.db, &diags, args.source.message_format);
    let (errors, warnings) = diags.counts();
    if args.source.message_format != MessageFormat::Json {
        eprintln!(
            "checked {} guide{}, {} cases, {} instruments, {} key terms: {} error{}, {} warning{}",
            corpus.guides.len(),
            if corpus.guides.len() == 1 { "" } else { "s" },
            corpus.cases.len(),
            corpus.instruments.len(),
            corpus.terms.len(),
            errors,
            if errors == 1 { "" } else { "s" },
            warnings,
            if warnings == 1 { "" } else { "s" },
        );
    }
    Ok(u8::from(errors > 0))
}

fn list(args: &ListArgs) -> Result<u8, ToolError> {
    let source = SourceArgs { dir: args.dir.clone(), strict: false, message_format: MessageFormat::Human };
    let (ws, corpus, diags) = load(&source)?;
    if diags.has_errors() {
        report(&ws.db, &diags, MessageFormat::Human);
    }
    let mut out = String::new();
    print_list(&corpus, &mut out);
    print!("{out}");
    Ok(u8::from(diags.has_errors()))
}

/// The text `casebook list` prints.
pub fn print_list(corpus: &Corpus, out: &mut String) {
    use std::fmt::Write as _;
    let mut total_cites = 0;
    let mut total_diagrams = 0;
    for g in &corpus.guides {
        let cites: usize = g.chapters.iter().map(|c| count(&c.body, |e| matches!(e, Event::Cite(_)))).sum();
        let diagrams: usize = g.chapters.iter().map(|c| count(&c.body, |e| matches!(e, Event::Diagram(_)))).sum();
        total_cites += cites;
        total_diagrams += diagrams;
        let cases = g.cases_cited().len();
        let insts = g.citations.len() - cases;
        let _ = writeln!(out, "{} — {}", g.id, g.title);
        let formats: Vec<String> = g.options.formats.iter().map(|f| format!("{} ({})", f.name(), f.file_name(&g.id))).collect();
        let _ = writeln!(out, "  formats: {}", formats.join(", "));
        for (i, c) in g.chapters.iter().enumerate() {
            let _ = writeln!(out, "  {:>2}. {}  ({})", i + 1, c.title, c.path);
        }
        let _ = writeln!(
            out,
            "  {} chapters, {} cases and {} instruments cited, {} citations, {} key terms, {} diagrams\n",
            g.chapters.len(),
            cases,
            insts,
            cites,
            g.terms.len(),
            diagrams
        );
    }
    let _ = writeln!(
        out,
        "workspace: {} guides, {} cases, {} instruments, {} key terms, {} citations, {} diagrams",
        corpus.guides.len(),
        corpus.cases.len(),
        corpus.instruments.len(),
        corpus.terms.len(),
        total_cites,
        total_diagrams
    );
}

fn count(events: &[Event], f: impl Fn(&Event) -> bool) -> usize {
    events.iter().filter(|e| f(e)).count()
}

fn new(args: &NewArgs) -> Result<u8, ToolError> {
    crate::scaffold::create(&args.dir)?;
    println!("created a casebook workspace in {}", args.dir.display());
    println!("next: casebook check {}", args.dir.display());
    Ok(0)
}

/// The build options a command line asks for.
pub fn build_options(args: &BuildArgs) -> crate::build::BuildOptions {
    // No --format: each guide makes its own `formats`.
    let formats = args.formats.iter().copied().collect();
    let jobs = args.jobs.map_or_else(crate::build::default_jobs, usize::from);
    crate::build::BuildOptions {
        guides: args.guides.clone(),
        out: args.out.clone(),
        formats,
        jobs,
        cache: args.cache.as_ref().map(|c| std::env::current_dir().map(|d| d.join(c)).unwrap_or_else(|_| c.clone())),
        cache_max_size: args.cache_max_size,
    }
}

/// How progress shows for a command line.
pub fn progress_mode(args: &BuildArgs) -> crate::progress::Mode {
    if args.source.message_format == MessageFormat::Json {
        crate::progress::Mode::Silent
    } else {
        crate::progress::Mode::detect(args.quiet)
    }
}

/// The ids of the guides a build will visit, in order.
pub fn selected_guides(corpus: &Corpus, opts: &crate::build::BuildOptions) -> Vec<String> {
    corpus.guides.iter().filter(|g| opts.guides.is_empty() || opts.guides.contains(&g.id)).map(|g| g.id.clone()).collect()
}

fn plan(args: &crate::cli::PlanArgs) -> Result<u8, ToolError> {
    let mut builder = crate::build::Builder::new();
    let Loaded { ws, corpus, diags } = load_with(&args.source, &mut builder)?;
    report(&ws.db, &diags, args.source.message_format);
    if diags.has_errors() {
        return Ok(1);
    }
    let formats = args.formats.iter().copied().collect();
    let fonts = builder.fonts(&ws.root).clone();
    let plan = crate::plan::plan(&ws, &corpus, &fonts, &formats, args.shards.map(usize::from));
    if args.json {
        println!("{}", serde_json::to_string_pretty(&plan).map_err(|e| ToolError::new(e.to_string(), None))?);
        return Ok(0);
    }
    for g in &plan.guides {
        let shard = g.shard.map(|s| format!("  shard {s}")).unwrap_or_default();
        println!("{}  weight {}  {} files  {}{shard}", g.id, g.weight, g.files.len(), g.formats.join(", "));
    }
    for s in plan.shards.iter().flatten() {
        println!("shard {}: weight {}: {}", s.shard, s.weight, s.guides.join(", "));
    }
    Ok(0)
}

fn build(args: &BuildArgs) -> Result<u8, ToolError> {
    let mut builder = crate::build::Builder::new();
    let Loaded { ws, corpus, mut diags } = load_with(&args.source, &mut builder)?;
    let mut opts = build_options(args);
    if let Some((i, n)) = args.shard {
        // The guides `plan --shards N` gives shard I (by weight, from the sources).
        let weights: Vec<(&str, u64)> = corpus.guides.iter().map(|g| (g.id.as_str(), crate::plan::weight(&ws, &corpus, g))).collect();
        let of = crate::plan::assign(&weights, n);
        opts.guides = corpus.guides.iter().zip(of).filter(|(_, s)| *s + 1 == i).map(|(g, _)| g.id.clone()).collect();
        if opts.guides.is_empty() {
            if args.source.message_format != MessageFormat::Json {
                eprintln!("shard {i}/{n} has no guides: nothing to build");
            }
            report(&ws.db, &diags, args.source.message_format);
            return Ok(u8::from(diags.has_errors()));
        }
    }
    // The summary lines go to stderr in human and github formats (never in JSON).
    let human = args.source.message_format != MessageFormat::Json;
    let progress = crate::progress::Progress::new(progress_mode(args), &selected_guides(&corpus, &opts));
    let report = builder.build(&ws, &corpus, &opts, &mut diags, &progress)?;
    progress.finish();
    if args.source.strict {
        diags.promote_warnings();
    }
    diags.finish();
    crate::commands::report(&ws.db, &diags, args.source.message_format);
    let (errors, warnings) = diags.counts();
    if human {
        for p in &report.written {
            let shown = p.strip_prefix(&ws.root).unwrap_or(p);
            eprintln!("wrote {}", shown.display());
        }
        let cached = if args.cache.is_some() { format!(" ({} restored from the cache)", report.restored_files.len()) } else { String::new() };
        eprintln!(
            "built {} file{}{cached}: {} error{}, {} warning{}",
            report.written.len(),
            if report.written.len() == 1 { "" } else { "s" },
            errors,
            if errors == 1 { "" } else { "s" },
            warnings,
            if warnings == 1 { "" } else { "s" }
        );
    }
    Ok(u8::from(errors > 0 || !report.failed.is_empty()))
}
