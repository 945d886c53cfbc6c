//! `casebook watch`: build, then rebuild whenever a source changes, until Ctrl-C.
//!
//! - File events come from `notify`, debounced, for the whole workspace
//!   (except the output folder and hidden or temporary files). An editor's
//!   save-by-rename, a deletion or a new file are all just "something changed".
//! - Each round loads and resolves the workspace again (fast), then hands it
//!   to the same [`Builder`]: it rebuilds exactly the guides whose inputs
//!   changed (a case only in the guides that cite it, a chapter only in the
//!   guides that include it, `casebook.toml`, the template or a font in every
//!   guide), each through its long-lived Typst compiler.
//! - A round with errors prints them and writes nothing for the guides they
//!   stop, so the last good editions stay in place; the next good round
//!   recovers without a restart.
//! - With `--serve`, a [`crate::serve::Preview`] shows the output folder and
//!   reloads open pages after every round.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify_debouncer_full::notify::RecursiveMode;
use notify_debouncer_full::DebounceEventResult;

use crate::build::{BuildReport, Builder};
use crate::cli::WatchArgs;
use crate::commands::{self, Loaded};
use crate::diag::MessageFormat;
use crate::progress::Progress;
use crate::workspace::ToolError;

/// How long the file system must be quiet before a rebuild starts.
const DEBOUNCE: Duration = Duration::from_millis(150);

enum Msg {
    Changed(Vec<PathBuf>),
    WatchError(String),
    Stop,
}

/// Runs `casebook watch` until Ctrl-C; returns the exit code.
pub fn run(args: &WatchArgs) -> Result<u8, ToolError> {
    if args.build.shard.is_some() {
        return Err(ToolError::new("`--shard` splits a build across CI runners; `watch` rebuilds the guides an edit affects", Some("use `--guide ID` to watch some guides")));
    }
    let root = commands::locate(args.build.source.dir.as_deref())?;
    let root = root.canonicalize().map_err(|e| ToolError::new(format!("cannot read {}: {e}", root.display()), None))?;
    let human = args.build.source.message_format != MessageFormat::Json;
    let say = |line: &str| {
        if human {
            eprintln!("{line}");
        }
    };
    let (tx, rx) = mpsc::channel::<Msg>();
    let stop = tx.clone();
    ctrlc::set_handler(move || {
        let _ = stop.send(Msg::Stop);
    })
    .map_err(|e| ToolError::new(format!("cannot handle Ctrl-C: {e}"), None))?;

    let events = tx.clone();
    let mut debouncer = notify_debouncer_full::new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
        let msg = match result {
            Ok(events) => Msg::Changed(events.into_iter().filter(|e| is_change(&e.event.kind)).flat_map(|e| e.event.paths).collect()),
            Err(errors) => Msg::WatchError(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")),
        };
        let _ = events.send(msg);
    })
    .map_err(|e| ToolError::new(format!("cannot watch files: {e}"), Some("check the system's limit on watched files (fs.inotify.max_user_watches)")))?;
    debouncer
        .watch(&root, RecursiveMode::Recursive)
        .map_err(|e| ToolError::new(format!("cannot watch {}: {e}", root.display()), Some("check the system's limit on watched files (fs.inotify.max_user_watches)")))?;

    let mut session = Session { args, root: root.clone(), builder: Builder::long_lived(), out_dir: None, preview: None, status: Status::default() };
    session.round(&[]);
    if let Some(addr) = args.serve {
        let out = session.out_dir.clone().unwrap_or_else(|| root.join("dist"));
        let title = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "casebook".to_owned());
        let preview = crate::serve::Preview::start(addr, &out, &title)
            .map_err(|e| ToolError::new(format!("cannot serve a preview on {addr}: {e}"), Some("choose another port: --serve PORT")))?;
        // Always printed: the address is what the user came for.
        eprintln!("serving a live preview at {}", preview.url());
        session.preview = Some(preview);
        session.publish();
    }
    say(&format!("watching {} for changes (Ctrl-C to stop)", root.display()));

    loop {
        let Ok(msg) = rx.recv() else { break };
        let mut changed = match msg {
            Msg::Changed(paths) if paths.is_empty() => continue,
            Msg::Stop => break,
            Msg::WatchError(e) => {
                say(&format!("warning: file watching: {e}"));
                continue;
            }
            Msg::Changed(paths) => paths,
        };
        // Coalesce whatever else arrived meanwhile; stop wins.
        let mut stopping = false;
        while let Ok(more) = rx.try_recv() {
            match more {
                Msg::Changed(paths) => changed.extend(paths),
                Msg::WatchError(_) => {}
                Msg::Stop => stopping = true,
            }
        }
        if stopping {
            break;
        }
        let relevant = session.relevant(changed);
        if relevant.is_empty() {
            continue;
        }
        session.round(&relevant);
        session.publish();
    }
    debouncer.stop();
    if let Some(p) = session.preview.take() {
        p.shutdown();
    }
    say("stopped watching");
    Ok(0)
}

/// Whether an event can mean new content: reads (our own, every round) cannot;
/// closing a file written to can.
fn is_change(kind: &notify_debouncer_full::notify::EventKind) -> bool {
    use notify_debouncer_full::notify::event::{AccessKind, AccessMode, EventKind};
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// The state of one watch session.
struct Session<'a> {
    args: &'a WatchArgs,
    root: PathBuf,
    builder: Builder,
    /// The output folder of the last round (its events are ignored).
    out_dir: Option<PathBuf>,
    /// The live preview, with `--serve`.
    preview: Option<crate::serve::Preview>,
    /// What the last round gives the preview to show.
    status: Status,
}

/// The outcome of a round, as the preview shows it.
#[derive(Default)]
struct Status {
    guides: Vec<crate::serve::PreviewGuide>,
    /// An error that stopped the whole round (a broken manifest, say).
    errors: Option<String>,
}

impl Session<'_> {
    /// The changed paths that can matter: inside the workspace, outside the
    /// output folder, not hidden, not a temporary or backup file.
    fn relevant(&self, paths: Vec<PathBuf>) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = paths.into_iter().filter(|p| self.matters(p)).collect();
        out.sort();
        out.dedup();
        out
    }

    fn matters(&self, path: &Path) -> bool {
        let Ok(rel) = path.strip_prefix(&self.root) else { return false };
        if let Some(out) = &self.out_dir {
            if path.starts_with(out) {
                return false;
            }
        }
        let hidden = rel.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
        let name = rel.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let scratch = name.ends_with('~') || name.ends_with(".tmp") || name.ends_with(".swp") || name.ends_with(".swx") || name == "4913";
        !hidden && !scratch
    }

    /// One load-and-build round; prints what changed, what was rebuilt and how long it took.
    fn round(&mut self, changed: &[PathBuf]) {
        let args = self.args;
        let human = args.build.source.message_format != MessageFormat::Json;
        let started = Instant::now();
        if human && !changed.is_empty() {
            let shown: Vec<String> = changed.iter().take(3).map(|p| p.strip_prefix(&self.root).unwrap_or(p).display().to_string()).collect();
            let more = if changed.len() > 3 { format!(" and {} more", changed.len() - 3) } else { String::new() };
            eprintln!("changed: {}{more}", shown.join(", "));
        }
        let mut source = args.build.source.clone();
        source.dir = Some(self.root.clone());
        let Loaded { ws, corpus, mut diags } = match commands::load_with(&source, &mut self.builder) {
            Ok(l) => l,
            Err(e) => {
                self.tool_error(&e);
                return;
            }
        };
        let opts = commands::build_options(&args.build);
        let progress = Progress::new(commands::progress_mode(&args.build), &commands::selected_guides(&corpus, &opts)).hide_unchanged();
        let report = match self.builder.build(&ws, &corpus, &opts, &mut diags, &progress) {
            Ok(r) => r,
            Err(e) => {
                progress.finish();
                self.tool_error(&e);
                return;
            }
        };
        progress.finish();
        // The build succeeded, so the folder exists; canonical, to compare with event paths.
        self.out_dir = opts.out_dir(&corpus).ok().map(|out| out.canonicalize().unwrap_or(out));
        if args.build.source.strict {
            diags.promote_warnings();
        }
        diags.finish();
        commands::report(&ws.db, &diags, args.build.source.message_format);
        if human {
            let (errors, warnings) = diags.counts();
            eprintln!("{}", summary(&report, errors, warnings, started.elapsed()));
        }
        self.status = status(&ws, &corpus, &opts, &commands::selected_guides(&corpus, &opts), &report, &diags);
    }

    /// Prints a problem that stopped the round, and keeps it for the preview.
    fn tool_error(&mut self, e: &ToolError) {
        let mut text = format!("error: {}", e.message);
        if let Some(h) = &e.hint {
            text.push_str(&format!("\nhint: {h}"));
        }
        eprintln!("{text}");
        self.status.errors = Some(text);
    }

    /// Shows the last round in the preview and reloads its open pages.
    fn publish(&self) {
        if let Some(p) = &self.preview {
            p.set_guides(self.status.guides.clone());
            p.set_errors(self.status.errors.clone());
            p.reload();
        }
    }
}

/// The one line closing a round: `rebuilt criminal-law in 0.84 s; 2 guides unchanged; 0 errors, 1 warning`.
pub fn summary(report: &BuildReport, errors: usize, warnings: usize, took: Duration) -> String {
    let plural = |n: usize, one: &str, many: &str| if n == 1 { format!("{n} {one}") } else { format!("{n} {many}") };
    let mut parts = Vec::new();
    if report.rebuilt.is_empty() {
        parts.push(format!("nothing to rebuild (checked in {:.2} s)", took.as_secs_f64()));
    } else {
        parts.push(format!("rebuilt {} in {:.2} s", report.rebuilt.join(", "), took.as_secs_f64()));
    }
    if !report.unchanged.is_empty() {
        parts.push(format!("{} unchanged", plural(report.unchanged.len(), "guide", "guides")));
    }
    if !report.failed.is_empty() {
        parts.push(format!("{} kept (errors): {}", plural(report.failed.len(), "guide's last edition", "guides' last editions"), report.failed.join(", ")));
    }
    parts.push(format!("{}, {}", plural(errors, "error", "errors"), plural(warnings, "warning", "warnings")));
    parts.join("; ")
}


/// Each guide's line in the preview: its errors when its build failed (the
/// errors in the files it depends on, and those of the whole workspace).
fn status(
    ws: &crate::workspace::Workspace,
    corpus: &crate::model::Corpus,
    opts: &crate::build::BuildOptions,
    selected: &[String],
    report: &BuildReport,
    diags: &crate::diag::Diagnostics,
) -> Status {
    use crate::diag::{Diagnostics, Severity};
    let guides = corpus
        .guides
        .iter()
        .filter(|g| selected.contains(&g.id))
        .map(|g| {
            let errors = report.failed.contains(&g.id).then(|| {
                let files = crate::build::guide_files(ws, corpus, g);
                let mut own = Diagnostics::new();
                for d in diags.iter().filter(|d| d.severity == Severity::Error) {
                    if d.span.as_ref().is_none_or(|s| files.contains(&s.file)) {
                        own.push(d.clone());
                    }
                }
                crate::diag::to_human_string(&ws.db, &own)
            });
            let outputs = opts.formats_of(g).iter().map(|f| (f.file_name(&g.id), f.label().to_owned())).collect();
            crate::serve::PreviewGuide { id: g.id.clone(), title: g.title.clone(), outputs, errors }
        })
        .collect();
    Status { guides, errors: None }
}
