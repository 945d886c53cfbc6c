//! Diagnostics as data: the source database every span points into, the
//! `Diagnostic` value, the sink that collects them, and the two emitters
//! (rustc-style text through codespan-reporting, and one JSON object per line).
//!
//! Problems in a user's sources are never `Err`s and never panics: every stage
//! pushes `Diagnostic`s into a [`Diagnostics`] sink and carries on, so that one
//! run reports everything it can find.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::{self, Files};
use codespan_reporting::term::{self, termcolor::WriteColor};
use serde::Serialize;

/// Index of a file in the [`SourceDb`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceId(pub u32);

/// One file of the workspace, as read from disk.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the workspace root, with `/` separators: what users see.
    pub name: String,
    /// Absolute path on disk.
    pub path: PathBuf,
    /// The text as every stage reads it: lossily decoded when the file is not
    /// UTF-8 (a diagnostic says so), and normalised at load (see
    /// `workspace::normalize_text`): LF line endings, no byte-order mark, no
    /// control characters. Lines are the file's own lines.
    pub text: String,
    line_starts: Vec<usize>,
    /// Offsets in `text` where a control character was dropped at load: each
    /// one counts as a column, so that columns stay those of the file on disk.
    dropped: Vec<usize>,
}

impl SourceFile {
    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let col = self.text[start..floor_char_boundary(&self.text, offset)]
            .chars()
            .count();
        let dropped = self.dropped.partition_point(|&p| p < offset) - self.dropped.partition_point(|&p| p < start);
        (line + 1, col + dropped + 1)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Every file the workspace read, addressable by [`SourceId`].
#[derive(Debug, Default)]
pub struct SourceDb {
    files: Vec<SourceFile>,
}

impl SourceDb {
    /// Adds a file and returns its id.
    pub fn add(&mut self, name: String, path: PathBuf, text: String) -> SourceId {
        self.add_normalized(name, path, text, Vec::new())
    }

    /// Adds a file whose text was normalised at load, with the sorted offsets
    /// (in `text`) where control characters were dropped.
    pub fn add_normalized(&mut self, name: String, path: PathBuf, text: String, dropped: Vec<usize>) -> SourceId {
        let line_starts = files::line_starts(&text).collect();
        self.files.push(SourceFile { name, path, text, line_starts, dropped });
        SourceId(self.files.len() as u32 - 1)
    }

    /// The file behind an id.
    pub fn get(&self, id: SourceId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The id of a file by its workspace-relative name.
    pub fn find(&self, name: &str) -> Option<SourceId> {
        self.files
            .iter()
            .position(|f| f.name == name)
            .map(|i| SourceId(i as u32))
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when no file was read.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

impl<'a> Files<'a> for SourceDb {
    type FileId = SourceId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: SourceId) -> Result<&'a str, files::Error> {
        Ok(&self.get(id).name)
    }

    fn source(&'a self, id: SourceId) -> Result<&'a str, files::Error> {
        Ok(&self.get(id).text)
    }

    fn line_index(&'a self, id: SourceId, byte_index: usize) -> Result<usize, files::Error> {
        let f = self.get(id);
        Ok(match f.line_starts.binary_search(&byte_index) {
            Ok(i) => i,
            Err(i) => i - 1,
        })
    }

    fn line_range(&'a self, id: SourceId, line_index: usize) -> Result<Range<usize>, files::Error> {
        let f = self.get(id);
        let start = *f.line_starts.get(line_index).ok_or(files::Error::LineTooLarge {
            given: line_index,
            max: f.line_starts.len() - 1,
        })?;
        let end = f.line_starts.get(line_index + 1).copied().unwrap_or(f.text.len());
        Ok(start..end)
    }

    fn column_number(&'a self, id: SourceId, _line_index: usize, byte_index: usize) -> Result<usize, files::Error> {
        Ok(self.get(id).line_col(byte_index).1)
    }
}

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The guide cannot be built.
    Error,
    /// Worth fixing; an error under `--strict`.
    Warning,
}

/// A place in a source file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    /// The file.
    pub file: SourceId,
    /// Byte range in the file's text.
    pub range: Range<usize>,
}

impl Ord for Span {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.file, self.range.start, self.range.end).cmp(&(other.file, other.range.start, other.range.end))
    }
}

impl PartialOrd for Span {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Span {
    /// A span in `file`.
    pub fn new(file: SourceId, range: Range<usize>) -> Self {
        Span { file, range }
    }
}

/// One problem found in the sources.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    /// Where; `None` for problems with no place (an empty workspace folder, say).
    pub span: Option<Span>,
    /// Error or warning.
    pub severity: Severity,
    /// A stable kebab-case code, e.g. `unknown-citation`.
    pub code: &'static str,
    /// What is wrong, one sentence, no trailing full stop.
    pub message: String,
    /// The label printed under the offending source.
    pub label: Option<String>,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic { span: None, severity: Severity::Error, code, message: message.into(), label: None, hint: None }
    }

    /// A warning.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, message) }
    }

    /// Places the diagnostic.
    pub fn at(mut self, file: SourceId, range: Range<usize>) -> Self {
        self.span = Some(Span::new(file, range));
        self
    }

    /// Places the diagnostic at a span.
    pub fn at_span(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// Sets the label under the source line.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the hint if there is one.
    pub fn maybe_hint(mut self, hint: Option<String>) -> Self {
        if hint.is_some() {
            self.hint = hint;
        }
        self
    }
}

/// The sink every stage writes into.
#[derive(Debug, Default)]
pub struct Diagnostics {
    list: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.list.push(d);
    }

    /// Moves all of `other` in.
    pub fn extend(&mut self, other: Diagnostics) {
        self.list.extend(other.list);
    }

    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.list.iter().any(|d| d.severity == Severity::Error)
    }

    /// Number of errors and warnings.
    pub fn counts(&self) -> (usize, usize) {
        let errors = self.list.iter().filter(|d| d.severity == Severity::Error).count();
        (errors, self.list.len() - errors)
    }

    /// Under `--strict` every warning is an error.
    pub fn promote_warnings(&mut self) {
        for d in &mut self.list {
            d.severity = Severity::Error;
        }
    }

    /// Sorts by file, position, then code, and drops exact duplicates (a chapter
    /// shared by three guides is checked three times but reported once).
    pub fn finish(&mut self) {
        self.list.sort_by(|a, b| {
            let key = |d: &Diagnostic| d.span.as_ref().map(|s| (s.file, s.range.start, s.range.end));
            key(a).cmp(&key(b)).then_with(|| a.cmp(b))
        });
        self.list.dedup();
    }

    /// The diagnostics, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.list.iter()
    }

    /// Number of diagnostics.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// Output format of diagnostics, as chosen by `--message-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MessageFormat {
    /// rustc-style text with the source line.
    Human,
    /// One JSON object per line.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`), so that
    /// errors and warnings show on a pull request's lines.
    Github,
}

/// Writes diagnostics rustc-style.
pub fn emit_human(db: &SourceDb, diags: &Diagnostics, out: &mut dyn WriteColor) -> std::io::Result<()> {
    let config = term::Config::default();
    for d in diags.iter() {
        let mut cs = match d.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
        }
        .with_code(d.code)
        .with_message(&d.message);
        if let Some(span) = &d.span {
            let mut label = Label::primary(span.file, span.range.clone());
            if let Some(l) = &d.label {
                label = label.with_message(l);
            }
            cs = cs.with_labels(vec![label]);
        }
        if let Some(h) = &d.hint {
            cs = cs.with_notes(vec![format!("hint: {h}")]);
        }
        term::emit(out, &config, db, &cs).map_err(std::io::Error::other)?;
    }
    Ok(())
}

/// One diagnostic as `--message-format json` prints it.
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    severity: Severity,
    code: &'a str,
    message: &'a str,
    label: Option<&'a str>,
    hint: Option<&'a str>,
}

/// Renders the diagnostics as JSON lines.
pub fn to_json_lines(db: &SourceDb, diags: &Diagnostics) -> String {
    let mut s = String::new();
    for d in diags.iter() {
        let (file, start, end) = match &d.span {
            Some(span) => {
                let f = db.get(span.file);
                (Some(f.name.as_str()), Some(f.line_col(span.range.start)), Some(f.line_col(span.range.end)))
            }
            None => (None, None, None),
        };
        let j = JsonDiagnostic {
            file,
            line: start.map(|p| p.0),
            column: start.map(|p| p.1),
            end_line: end.map(|p| p.0),
            end_column: end.map(|p| p.1),
            severity: d.severity,
            code: d.code,
            message: &d.message,
            label: d.label.as_deref(),
            hint: d.hint.as_deref(),
        };
        let _ = writeln!(s, "{}", serde_json::to_string(&j).expect("diagnostics serialise"));
    }
    s
}

/// Escapes a workflow command's message as the Actions runner reads it
/// (`%`, CR and LF; as `escapeData` in actions/toolkit).
fn github_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value (also `:` and `,`, which
/// delimit properties; as `escapeProperty` in actions/toolkit).
fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Renders the diagnostics as GitHub Actions workflow commands, one per line:
/// `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`. The
/// file is given relative to `base` (the folder the build runs in, which on
/// a runner is the checkout) when it lies inside it, so that the annotation
/// lands on the pull request's file; the message carries the label and the
/// hint on lines of their own.
pub fn to_github_lines(db: &SourceDb, diags: &Diagnostics, base: &std::path::Path) -> String {
    let mut s = String::new();
    for d in diags.iter() {
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = Vec::new();
        if let Some(span) = &d.span {
            let f = db.get(span.file);
            let shown = match f.path.strip_prefix(base) {
                Ok(rel) => rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/"),
                Err(_) => f.path.display().to_string(),
            };
            let (line, col) = f.line_col(span.range.start);
            let (end_line, end_col) = f.line_col(span.range.end);
            props.push(format!("file={}", github_property(&shown)));
            props.push(format!("line={line}"));
            props.push(format!("col={col}"));
            props.push(format!("endLine={end_line}"));
            props.push(format!("endColumn={end_col}"));
        }
        props.push(format!("title={}", github_property(&format!("casebook {kind}[{}]", d.code))));
        let mut message = d.message.clone();
        if let Some(l) = &d.label {
            message.push_str(&format!("\n{l}"));
        }
        if let Some(h) = &d.hint {
            message.push_str(&format!("\nhint: {h}"));
        }
        let _ = writeln!(s, "::{kind} {}::{}", props.join(","), github_data(&message));
    }
    s
}

/// Renders the diagnostics as plain rustc-style text (no colour), for tests and logs.
pub fn to_human_string(db: &SourceDb, diags: &Diagnostics) -> String {
    let mut buf = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
    emit_human(db, diags, &mut buf).expect("writing to memory");
    String::from_utf8_lossy(&buf.into_inner()).into_owned()
}

/// The nearest of `candidates` to `word`, if any is close enough to be a useful hint.
pub fn nearest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::normalized_damerau_levenshtein(word, c)
            .max(if c.contains(word) || word.contains(c) { 0.7 } else { 0.0 });
        if score >= 0.7 && best.map_or(true, |(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// A hint naming the nearest of `candidates` to `word` (if one is close) and
/// listing them all: "did you mean `x`? {what}: a, b, c".
pub fn did_you_mean(word: &str, candidates: &[&str], what: &str) -> String {
    match nearest(word, candidates.iter().copied()) {
        Some(n) => format!("did you mean `{n}`? {what}: {}", candidates.join(", ")),
        None => format!("{what}: {}", candidates.join(", ")),
    }
}

/// Shows a path relative to the workspace root with `/` separators.
pub fn display_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_commands_escape_what_the_runner_would_misread() {
        let mut db = SourceDb::default();
        let root = std::path::Path::new("/ws");
        let id = db.add("a, b: c%.md".into(), root.join("a, b: c%.md"), "line one\nline two\n".into());
        let mut diags = Diagnostics::new();
        diags.push(Diagnostic::error("some-code", "100% wrong:\nsecond line\r").at(id, 9..13).label("here, too").hint("fix: it"));
        diags.push(Diagnostic::warning("no-place", "nowhere"));
        let out = to_github_lines(&db, &diags, root);
        assert_eq!(
            out,
            "::error file=a%2C b%3A c%25.md,line=2,col=1,endLine=2,endColumn=5,title=casebook error[some-code]::100%25 wrong:%0Asecond line%0D%0Ahere, too%0Ahint: fix: it\n\
             ::warning title=casebook warning[no-place]::nowhere\n"
        );
        // Outside the base folder, the absolute path.
        let other = to_github_lines(&db, &diags, std::path::Path::new("/elsewhere"));
        assert!(other.starts_with("::error file=/ws/a%2C b%3A c%25.md,"), "{other}");
    }
}
