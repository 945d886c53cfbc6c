//! What a build tells its user while it runs.
//!
//! - On a terminal: `indicatif` bars, one line per guide in flight showing its
//!   phase (resolve, typeset, export, package) and one overall bar.
//! - With no terminal, under `CI`, or with `--quiet`: one plain line per guide.
//! - With `--message-format json`: nothing (stdout carries only the JSON).
//!
//! Guides finish in any order when built in parallel; their lines are printed
//! in the guides' own order all the same, so the output is stable.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A step of building one guide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Loading and resolving the sources.
    Resolve,
    /// Laying out the PDF.
    Typeset,
    /// Writing the PDF's bytes.
    Export,
    /// Drawing the EPUB's cover and diagrams and zipping the book.
    Package,
}

impl Phase {
    /// The word shown to the user.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Resolve => "resolve",
            Phase::Typeset => "typeset",
            Phase::Export => "export",
            Phase::Package => "package",
        }
    }
}

/// How progress is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Live bars on a terminal.
    Bars,
    /// One plain line per guide, on stderr.
    Lines,
    /// Nothing at all.
    Silent,
}

impl Mode {
    /// Bars on an interactive stderr outside CI; plain lines otherwise or when `quiet`.
    pub fn detect(quiet: bool) -> Mode {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0");
        if quiet || ci || !std::io::stderr().is_terminal() {
            Mode::Lines
        } else {
            Mode::Bars
        }
    }
}

/// The progress of one run over a list of guides.
pub struct Progress {
    mode: Mode,
    multi: Option<MultiProgress>,
    overall: Option<ProgressBar>,
    state: Mutex<Ordered>,
    hide_unchanged: bool,
}

/// Finished lines waiting for the guides before them.
struct Ordered {
    lines: Vec<Option<Option<String>>>,
    bars: Vec<Option<ProgressBar>>,
    next: usize,
}

impl Progress {
    /// Progress over `guides` (their ids, in the order their lines are printed).
    pub fn new(mode: Mode, guides: &[String]) -> Progress {
        let (multi, overall) = if mode == Mode::Bars && !guides.is_empty() {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let overall = multi.add(ProgressBar::new(guides.len() as u64));
            overall.set_style(ProgressStyle::with_template("{prefix:>10.bold} [{bar:30}] {pos}/{len} guides {elapsed}").unwrap_or_else(|_| ProgressStyle::default_bar()).progress_chars("=> "));
            overall.set_prefix("Building");
            (Some(multi), Some(overall))
        } else {
            (None, None)
        };
        Progress { mode, multi, overall, state: Mutex::new(Ordered { lines: vec![None; guides.len()], bars: vec![None; guides.len()], next: 0 }), hide_unchanged: false }
    }

    /// Leaves out the lines of guides that needed no rebuild (for `watch`).
    pub fn hide_unchanged(mut self) -> Progress {
        self.hide_unchanged = true;
        self
    }

    /// Whether lines of guides that needed no rebuild are shown.
    pub fn shows_unchanged(&self) -> bool {
        !self.hide_unchanged
    }

    /// A progress that shows nothing.
    pub fn silent() -> Progress {
        Progress::new(Mode::Silent, &[])
    }

    /// Guide `index` entered `phase`.
    pub fn phase(&self, index: usize, guide: &str, phase: Phase) {
        let Some(multi) = &self.multi else { return };
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let Some(slot) = state.bars.get_mut(index) else { return };
        let bar = slot.get_or_insert_with(|| {
            let bar = multi.insert_from_back(1, ProgressBar::new_spinner());
            bar.set_style(ProgressStyle::with_template("{prefix:>10.cyan.bold} {spinner} {msg} {elapsed}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        bar.set_prefix(phase.name());
        bar.set_message(guide.to_owned());
    }

    /// Guide `index` is done; `line` is its one line of summary. Lines are
    /// printed in guide order, each as soon as every guide before it is done.
    pub fn done(&self, index: usize, line: Option<String>) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(Some(bar)) = state.bars.get_mut(index).map(Option::take) {
            bar.finish_and_clear();
            if let Some(multi) = &self.multi {
                multi.remove(&bar);
            }
        }
        if let Some(o) = &self.overall {
            o.inc(1);
        }
        if let Some(slot) = state.lines.get_mut(index) {
            *slot = Some(line);
        }
        while let Some(Some(line)) = state.lines.get(state.next).cloned() {
            state.next += 1;
            if let Some(line) = line {
                self.print(&line);
            }
        }
    }

    fn print(&self, line: &str) {
        match (&self.mode, &self.multi) {
            (Mode::Silent, _) => {}
            (_, Some(multi)) => {
                let _ = multi.println(line);
            }
            _ => eprintln!("{line}"),
        }
    }

    /// Removes the bars.
    pub fn finish(&self) {
        if let Some(o) = &self.overall {
            o.finish_and_clear();
        }
        if let Some(multi) = &self.multi {
            let _ = multi.clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
