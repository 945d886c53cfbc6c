//! The parser for casebook's Mermaid flowchart subset.
//!
//! The source is read line by line. The first line that is neither blank nor a `%%` comment
//! is the header; every later line is an `accTitle`/`accDescr` line or one or more statements
//! separated by `;`. A statement is a chain `node (edge node)*`. Each bad line gives exactly
//! one error, and parsing carries on with the next line so that every bad line is reported.
//! A statement is checked completely before it changes the graph.

use std::collections::BTreeMap;
use std::ops::Range;

use super::{DiagramError, Direction, Edge, EdgeKind, Graph, Node, Shape};

/// The hint given with errors about constructs outside the subset.
const SUBSET_HINT: &str = "supported: node shapes [..], (..), ([..]), ((..)), {..}; \
edges -->, ---, -.->, ==>; labels -->|text| and -- text -->";

/// The hint given when the header lacks or misspells its direction.
const DIRECTION_HINT: &str =
    "write `flowchart TD` (top down); the others are `LR` (left to right), `BT` (bottom up) and `RL` (right to left)";

/// Other Mermaid diagram types, recognised in the header position to give a clear error.
const OTHER_DIAGRAMS: &[&str] = &[
    "sequenceDiagram",
    "classDiagram",
    "classDiagram-v2",
    "stateDiagram",
    "stateDiagram-v2",
    "erDiagram",
    "journey",
    "gantt",
    "pie",
    "quadrantChart",
    "requirementDiagram",
    "gitGraph",
    "mindmap",
    "timeline",
    "zenuml",
    "sankey-beta",
    "sankey",
    "xychart-beta",
    "xychart",
    "block-beta",
    "block",
    "packet-beta",
    "packet",
    "kanban",
    "architecture-beta",
    "architecture",
    "radar-beta",
    "treemap-beta",
    "C4Context",
    "C4Container",
    "C4Component",
    "C4Dynamic",
    "C4Deployment",
];

/// Parse the body of a ` ```mermaid ` fence (the text between the fence lines).
///
/// Returns the graph, or every error found: one per bad line, in source order, each with a
/// byte range into `src`. Never panics.
pub fn parse(src: &str) -> Result<Graph, Vec<DiagramError>> {
    let mut p = Parser {
        src,
        direction: Direction::TopDown,
        header_span: None,
        nodes: Vec::new(),
        labelled: Vec::new(),
        ids: BTreeMap::new(),
        edges: Vec::new(),
        title: None,
        description: None,
        description_span: None,
        errors: Vec::new(),
    };
    p.run();
    p.finish()
}

fn err(span: Range<usize>, message: impl Into<String>, hint: Option<String>) -> DiagramError {
    DiagramError {
        span,
        message: message.into(),
        hint,
    }
}

fn subset_hint() -> Option<String> {
    Some(SUBSET_HINT.to_string())
}

/// A reference to a node in a statement: `A`, or `A[label]` which also defines it.
struct NodeRef {
    id: String,
    span: Range<usize>,
    def: Option<(Shape, String)>,
}

/// An edge operator with its label: `-->`, `-->|x|`, `-- x -->`.
struct EdgeOp {
    kind: EdgeKind,
    label: Option<String>,
    span: Range<usize>,
}

struct Parser<'a> {
    src: &'a str,
    direction: Direction,
    header_span: Option<Range<usize>>,
    nodes: Vec<Node>,
    /// Whether each node has had its label (and shape) given.
    labelled: Vec<bool>,
    ids: BTreeMap<String, usize>,
    edges: Vec<Edge>,
    title: Option<String>,
    description: Option<String>,
    description_span: Option<Range<usize>>,
    errors: Vec<DiagramError>,
}

/// A line of the source: `start..end` excludes the line break.
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
}

fn split_lines(src: &str) -> Vec<Line> {
    let bytes = src.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut push = |start: usize, end: usize| {
        let mut end = end;
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        lines.push(Line { start, end });
    };
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            push(start, i);
            start = i + 1;
        }
    }
    push(start, bytes.len());
    lines
}

/// The range `a..b` without leading and trailing whitespace.
fn trim(src: &str, a: usize, b: usize) -> (usize, usize) {
    let s = &src[a..b];
    let lead = s.len() - s.trim_start().len();
    let kept = s.trim_end().len();
    if kept <= lead {
        (b, b)
    } else {
        (a + lead, a + kept)
    }
}

/// Where a `%%` comment starts in `a..b` (outside double quotes), or `b`.
fn strip_comment(src: &str, a: usize, b: usize) -> usize {
    let s = &src[a..b];
    let bytes = s.as_bytes();
    let mut in_quote = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => in_quote = !in_quote,
            b'%' if !in_quote && bytes.get(i + 1) == Some(&b'%') => return a + i,
            _ => {}
        }
        i += 1;
    }
    b
}

/// The statements of `a..b`, split at `;` outside quotes, brackets and `|..|` labels, trimmed,
/// empty ones dropped.
fn split_statements(src: &str, a: usize, b: usize) -> Vec<(usize, usize)> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut depth: i64 = 0;
    let mut in_quote = false;
    let mut in_pipe = false;
    let mut start = a;
    for (i, &byte) in bytes.iter().enumerate().take(b).skip(a) {
        match byte {
            b'"' => in_quote = !in_quote,
            b'|' if !in_quote => in_pipe = !in_pipe,
            b'[' | b'(' | b'{' if !in_quote && !in_pipe => depth += 1,
            b']' | b')' | b'}' if !in_quote && !in_pipe => depth -= 1,
            b';' if !in_quote && !in_pipe && depth <= 0 => {
                out.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push((start, b));
    out.into_iter()
        .map(|(s, e)| trim(src, s, e))
        .filter(|(s, e)| s < e)
        .collect()
}

/// Whitespace-separated words of `a..b` with their ranges.
fn words(src: &str, a: usize, b: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, ch) in src[a..b].char_indices() {
        if ch.is_whitespace() {
            if let Some(s) = start.take() {
                out.push((s, a + i));
            }
        } else if start.is_none() {
            start = Some(a + i);
        }
    }
    if let Some(s) = start {
        out.push((s, b));
    }
    out
}

fn is_id_char(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// The 1-based line number of byte `pos`.
fn line_number(src: &str, pos: usize) -> usize {
    let pos = pos.min(src.len());
    src.as_bytes()[..pos]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn parse_direction(word: &str) -> Option<Direction> {
    match word {
        "TD" | "TB" => Some(Direction::TopDown),
        "BT" => Some(Direction::BottomUp),
        "LR" => Some(Direction::LeftRight),
        "RL" => Some(Direction::RightLeft),
        _ => None,
    }
}

fn shape_brackets(shape: Shape) -> (&'static str, &'static str) {
    match shape {
        Shape::Box => ("[", "]"),
        Shape::Rounded => ("(", ")"),
        Shape::Stadium => ("([", "])"),
        Shape::Circle => ("((", "))"),
        Shape::Decision => ("{", "}"),
    }
}

/// A cursor over `pos..end` of the source.
struct Cur<'a> {
    s: &'a str,
    pos: usize,
    end: usize,
}

impl<'a> Cur<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.pos..self.end]
    }
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }
    fn at_end(&self) -> bool {
        self.pos >= self.end
    }
    fn bump(&mut self) {
        if let Some(ch) = self.peek() {
            self.pos += ch.len_utf8();
        }
    }
    fn eat(&mut self, lit: &str) -> bool {
        if self.rest().starts_with(lit) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }
    /// Skips whitespace; returns whether there was any.
    fn skip_ws(&mut self) -> bool {
        let before = self.pos;
        while matches!(self.peek(), Some(ch) if ch.is_whitespace()) {
            self.bump();
        }
        self.pos > before
    }
    /// The end of the run of non-whitespace characters starting at `from`.
    fn token_end(&self, from: usize) -> usize {
        let from = from.min(self.end);
        match self.s[from..self.end].find(char::is_whitespace) {
            Some(k) => from + k,
            None => self.end,
        }
    }
    /// The end of the character at `at`.
    fn char_end(&self, at: usize) -> usize {
        match self.s[at..self.end].chars().next() {
            Some(ch) => at + ch.len_utf8(),
            None => at,
        }
    }
    /// Reads a node id (letters, digits, `_`, and `-` between them).
    fn id(&mut self) -> Range<usize> {
        let start = self.pos;
        loop {
            match self.peek() {
                Some(ch) if is_id_char(ch) => self.bump(),
                Some('-') if self.pos > start => {
                    let next = self.s[self.pos + 1..self.end].chars().next();
                    if matches!(next, Some(ch) if is_id_char(ch)) {
                        self.bump();
                    } else {
                        break;
                    }
                }
                _ => break,
            }
        }
        start..self.pos
    }
}

/// Turns a raw label into its text: `<br>` becomes a line break, entity codes are decoded,
/// each line and the whole are trimmed.
fn clean_label(raw: &str) -> String {
    let with_breaks = replace_br(raw);
    let decoded = decode_entities(&with_breaks);
    let lines: Vec<&str> = decoded.split('\n').map(str::trim).collect();
    let joined = lines.join("\n");
    joined.trim().to_string()
}

/// Replaces `<br>`, `<br/>`, `<br />` (any case) with `'\n'`.
fn replace_br(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let bytes = tail.as_bytes();
        let mut matched = None;
        if bytes.len() >= 3
            && bytes[1].eq_ignore_ascii_case(&b'b')
            && bytes[2].eq_ignore_ascii_case(&b'r')
        {
            let mut j = 3;
            while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'/' {
                j += 1;
                while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
                    j += 1;
                }
            }
            if j < bytes.len() && bytes[j] == b'>' {
                matched = Some(j + 1);
            }
        }
        match matched {
            Some(len) => {
                out.push('\n');
                rest = &tail[len..];
            }
            None => {
                out.push('<');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes Mermaid entity codes: `#quot;`, `#amp;`, `#lt;`, `#gt;`, `#apos;`, `#nbsp;`,
/// `#hash;` and decimal `#35;`. Anything else is left as written.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('#') {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 1..];
        let semi = tail
            .char_indices()
            .take(12)
            .find(|&(_, c)| c == ';')
            .map(|(k, _)| k);
        let decoded = semi.and_then(|k| {
            let name = &tail[..k];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
                return None;
            }
            let ch = if name.chars().all(|c| c.is_ascii_digit()) {
                name.parse::<u32>().ok().and_then(char::from_u32)
            } else {
                match name {
                    "quot" => Some('"'),
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "apos" => Some('\''),
                    "nbsp" => Some('\u{a0}'),
                    "hash" => Some('#'),
                    _ => None,
                }
            };
            ch.map(|c| (c, k + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('#');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A quoted text (`"..."`) loses its quotes.
fn unquote(s: &str) -> &str {
    let t = s.trim();
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        &t[1..t.len() - 1]
    } else {
        t
    }
}

/// Finds the end of a `-- text -->` label in `rest` from byte `from`: a run of two or more
/// `-` followed by `>`, or of three or more. Returns (start of the run, its length with the
/// `>`, kind).
fn find_dash_terminator(rest: &str, from: usize) -> Option<(usize, usize, EdgeKind)> {
    let b = rest.as_bytes();
    let mut i = from;
    while i < b.len() {
        if b[i] == b'-' {
            let mut r = 0;
            while i + r < b.len() && b[i + r] == b'-' {
                r += 1;
            }
            if r >= 2 && b.get(i + r) == Some(&b'>') {
                return Some((i, r + 1, EdgeKind::Arrow));
            }
            if r >= 3 {
                return Some((i, r, EdgeKind::Line));
            }
            i += r;
        } else {
            i += 1;
        }
    }
    None
}

/// Finds `==>` (two or more `=` then `>`) or a bare `===` in `rest` from `from`.
/// Returns (start, length, whether it has the arrowhead).
fn find_eq_terminator(rest: &str, from: usize) -> Option<(usize, usize, bool)> {
    let b = rest.as_bytes();
    let mut i = from;
    while i < b.len() {
        if b[i] == b'=' {
            let mut r = 0;
            while i + r < b.len() && b[i + r] == b'=' {
                r += 1;
            }
            if r >= 2 && b.get(i + r) == Some(&b'>') {
                return Some((i, r + 1, true));
            }
            if r >= 3 {
                return Some((i, r, false));
            }
            i += r;
        } else {
            i += 1;
        }
    }
    None
}

impl<'a> Parser<'a> {
    fn run(&mut self) {
        let src = self.src;
        let lines = split_lines(src);
        let mut header_done = false;
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            i += 1;
            let code_end = strip_comment(src, line.start, line.end);
            let (a, b) = trim(src, line.start, code_end);
            if a >= b {
                continue;
            }
            if !header_done {
                header_done = true;
                if !self.header(a, b) {
                    return;
                }
                continue;
            }
            // accDescr { ... } takes the raw text, comments included.
            let (ra, rb) = trim(src, line.start, line.end);
            if let Some(brace) = self.acc_block_start(ra, rb) {
                i = self.acc_block(ra, brace, &lines, i);
                continue;
            }
            if let Some(result) = self.acc_line(a, b) {
                if let Err(e) = result {
                    self.errors.push(e);
                }
                continue;
            }
            for (sa, sb) in split_statements(src, a, b) {
                if let Err(e) = self.statement(sa, sb) {
                    self.errors.push(e);
                    break;
                }
            }
        }
        if !header_done {
            self.errors.push(err(
                0..0,
                "the diagram is empty",
                Some(
                    "start it with a header such as `flowchart TD`, then at least one node".into(),
                ),
            ));
        }
    }

    fn finish(mut self) -> Result<Graph, Vec<DiagramError>> {
        if self.errors.is_empty() && self.nodes.is_empty() {
            let span = self.header_span.clone().unwrap_or(0..0);
            self.errors.push(err(
                span,
                "the flowchart has no nodes",
                Some("add at least one node, for example `A[Start] --> B[End]`".into()),
            ));
        }
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        Ok(Graph {
            direction: self.direction,
            nodes: self.nodes,
            edges: self.edges,
            title: self.title,
            description: self.description,
            description_span: self.description_span,
        })
    }

    /// Parses the header line `a..b`. Returns whether to go on parsing the rest.
    fn header(&mut self, a: usize, b: usize) -> bool {
        let src = self.src;
        let text = &src[a..b];
        let (ha, hb) = match text.find(';') {
            Some(k) => trim(src, a, a + k),
            None => (a, b),
        };
        let rest = text.find(';').map(|k| a + k + 1);
        let ws = words(src, ha, hb);
        let Some(&(fa, fb)) = ws.first() else {
            // `;` alone on the first line.
            self.errors.push(err(
                a..b,
                "expected a `flowchart` header",
                Some(DIRECTION_HINT.into()),
            ));
            return false;
        };
        let first = &src[fa..fb];
        let is_flowchart = first == "flowchart" || first == "graph";
        if !is_flowchart {
            if first.starts_with("---") {
                self.errors.push(err(
                    a..b,
                    "front matter (`---`) is not supported in casebook diagrams",
                    Some(
                        "start with `flowchart TD`; give the caption as `accTitle: ...` and the alt text as `accDescr: ...`"
                            .into(),
                    ),
                ));
                return false;
            }
            if OTHER_DIAGRAMS.contains(&first) {
                self.errors.push(err(
                    fa..fb,
                    format!("`{first}` diagrams are not supported: casebook draws only flowcharts"),
                    Some(format!(
                        "start the diagram with `flowchart TD`; {SUBSET_HINT}"
                    )),
                ));
                return false;
            }
            let close = ["flowchart", "graph"]
                .iter()
                .find(|k| first.eq_ignore_ascii_case(k) || strsim::osa_distance(first, k) <= 2);
            match close {
                Some(k) => {
                    self.errors.push(err(
                        fa..fb,
                        format!("expected a `flowchart` header, found `{first}`"),
                        Some(format!("did you mean `{k}`?")),
                    ));
                    if let Some(&(da, db)) = ws.get(1) {
                        if let Some(d) = parse_direction(&src[da..db]) {
                            self.direction = d;
                        }
                    }
                    self.header_span = Some(ha..hb);
                    return true;
                }
                None => {
                    self.errors.push(err(
                        fa..fb,
                        format!("expected a `flowchart` header, found `{first}`"),
                        Some("start the diagram with `flowchart TD` (or `LR`, `BT`, `RL`)".into()),
                    ));
                    return false;
                }
            }
        }
        self.header_span = Some(ha..hb);
        match ws.get(1) {
            None => {
                self.errors.push(err(
                    ha..hb,
                    format!("the `{first}` header needs a direction"),
                    Some(DIRECTION_HINT.into()),
                ));
            }
            Some(&(da, db)) => {
                let word = &src[da..db];
                match parse_direction(word) {
                    Some(d) => {
                        self.direction = d;
                        if let Some(&(xa, _)) = ws.get(2) {
                            self.errors.push(err(
                                xa..hb,
                                "unexpected text after the header",
                                Some("the header is `flowchart` and a direction alone; put nodes and edges on the following lines".into()),
                            ));
                            return true;
                        }
                    }
                    None => {
                        let upper = word.to_ascii_uppercase();
                        let suggestion = if parse_direction(&upper).is_some() {
                            Some(upper)
                        } else {
                            ["TD", "TB", "BT", "LR", "RL"]
                                .iter()
                                .find(|d| strsim::osa_distance(word, d) <= 1)
                                .map(|d| d.to_string())
                        };
                        let hint = match suggestion {
                            Some(s) => format!("did you mean `{s}`? {DIRECTION_HINT}"),
                            None => DIRECTION_HINT.to_string(),
                        };
                        self.errors.push(err(
                            da..db,
                            format!("unknown direction `{word}`"),
                            Some(hint),
                        ));
                        return true;
                    }
                }
            }
        }
        if let Some(r) = rest {
            for (sa, sb) in split_statements(src, r, b) {
                if let Err(e) = self.statement(sa, sb) {
                    self.errors.push(e);
                    break;
                }
            }
        }
        true
    }

    /// If the raw trimmed line `a..b` opens an `accDescr {` block, the position of the `{`.
    fn acc_block_start(&self, a: usize, b: usize) -> Option<usize> {
        let text = &self.src[a..b];
        let after = text.strip_prefix("accDescr")?;
        let trimmed = after.trim_start();
        if trimmed.starts_with('{') {
            Some(b - trimmed.len())
        } else {
            None
        }
    }

    /// Reads an `accDescr { ... }` block whose `{` is at `brace`; `next` is the index of the
    /// line after the opening one. Returns the index of the line to go on with.
    fn acc_block(&mut self, a: usize, brace: usize, lines: &[Line], next: usize) -> usize {
        let src = self.src;
        let content_start = brace + 1;
        let mut close: Option<(usize, usize)> = None; // (position of `}`, next line index)
        let mut j = next;
        // The opening line itself.
        let first_end = lines[next - 1].end;
        if let Some(k) = src[content_start..first_end].find('}') {
            close = Some((content_start + k, next));
        } else {
            while j < lines.len() {
                let l = lines[j];
                j += 1;
                if let Some(k) = src[l.start..l.end].find('}') {
                    close = Some((l.start + k, j));
                    break;
                }
            }
        }
        let Some((close_pos, resume)) = close else {
            self.errors.push(err(
                a..content_start,
                "`accDescr {` is never closed",
                Some("end the description with `}` on its own line".into()),
            ));
            return lines.len();
        };
        // Anything after the `}` on its line must be a comment.
        let line_end = lines[resume - 1].end;
        let after_end = strip_comment(src, close_pos + 1, line_end);
        let (xa, xb) = trim(src, close_pos + 1, after_end);
        let duplicate = self.description.is_some();
        let raw = &src[content_start..close_pos];
        let text: Vec<&str> = raw.split('\n').map(str::trim).collect();
        let text = text.join("\n").trim().to_string();
        let (ta, tb) = trim(src, content_start, close_pos);
        if xa < xb {
            self.errors.push(err(
                xa..xb,
                "unexpected text after the `}` that closes `accDescr {`",
                Some("put the next statement on its own line".into()),
            ));
        } else if duplicate {
            self.errors.push(err(
                a..content_start,
                "`accDescr` is given twice",
                Some("a diagram has one description (its alt text)".into()),
            ));
        } else if text.is_empty() {
            self.errors.push(err(
                a..close_pos + 1,
                "the `accDescr` block is empty",
                Some("describe the diagram for readers who cannot see it".into()),
            ));
        } else {
            self.description = Some(text);
            self.description_span = Some(ta..tb);
        }
        resume
    }

    /// Handles `accTitle: text` and `accDescr: text` on the (comment-stripped, trimmed) line
    /// `a..b`; `None` if the line is neither.
    fn acc_line(&mut self, a: usize, b: usize) -> Option<Result<(), DiagramError>> {
        let src = self.src;
        let text = &src[a..b];
        let (is_title, kw) = if text.starts_with("accTitle") {
            (true, "accTitle")
        } else if text.starts_with("accDescr") {
            (false, "accDescr")
        } else {
            return None;
        };
        let after = &text[kw.len()..];
        let trimmed = after.trim_start();
        if !trimmed.starts_with(':') {
            // `accTitleX` is an id, not the keyword; let the statement parser handle it.
            if !after.is_empty() && !after.starts_with(char::is_whitespace) {
                return None;
            }
            return Some(Err(err(
                a..a + kw.len(),
                format!("`{kw}` needs a colon: `{kw}: text`"),
                Some(if is_title {
                    "write the caption as `accTitle: text`".into()
                } else {
                    "write the alt text as `accDescr: text`, or over several lines as `accDescr { ... }`"
                        .into()
                }),
            )));
        }
        let value_start = b - trimmed.len() + 1;
        let (va, vb) = trim(src, value_start, b);
        let kw_span = a..a + kw.len();
        if va >= vb {
            return Some(Err(err(
                a..b,
                format!("`{kw}:` has no text"),
                Some(if is_title {
                    "give the diagram a caption after the colon".into()
                } else {
                    "describe the diagram for readers who cannot see it".into()
                }),
            )));
        }
        let value = src[va..vb].to_string();
        if is_title {
            if self.title.is_some() {
                return Some(Err(err(
                    kw_span,
                    "`accTitle` is given twice",
                    Some("a diagram has one caption".into()),
                )));
            }
            self.title = Some(value);
        } else {
            if self.description.is_some() {
                return Some(Err(err(
                    kw_span,
                    "`accDescr` is given twice",
                    Some("a diagram has one description (its alt text)".into()),
                )));
            }
            self.description = Some(value);
            self.description_span = Some(va..vb);
        }
        Some(Ok(()))
    }

    /// Parses one statement `a..b` (trimmed, non-empty) and adds it to the graph.
    fn statement(&mut self, a: usize, b: usize) -> Result<(), DiagramError> {
        self.check_keyword(a, b)?;
        let mut c = Cur {
            s: self.src,
            pos: a,
            end: b,
        };
        let mut refs = vec![self.node_ref(&mut c, None)?];
        let mut ops: Vec<EdgeOp> = Vec::new();
        loop {
            c.skip_ws();
            if c.at_end() {
                break;
            }
            match self.edge_op(&mut c)? {
                Some(op) => {
                    c.skip_ws();
                    if c.at_end() {
                        return Err(err(
                            op.span.clone(),
                            "this edge points to nothing",
                            Some("write the target node after the edge: `A --> B`".into()),
                        ));
                    }
                    let target = self.node_ref(&mut c, Some(&op))?;
                    ops.push(op);
                    refs.push(target);
                }
                None => return Err(self.unexpected(&c)),
            }
        }
        // Check every definition against the graph (and earlier ones in this statement)
        // before changing anything.
        let mut pending: BTreeMap<&str, (Shape, &str, Range<usize>)> = BTreeMap::new();
        for r in &refs {
            let Some((shape, label)) = &r.def else {
                continue;
            };
            let existing = match self.ids.get(&r.id) {
                Some(&i) if self.labelled[i] => Some((
                    self.nodes[i].shape,
                    self.nodes[i].label.as_str(),
                    self.nodes[i].span.clone(),
                )),
                _ => pending.get(r.id.as_str()).cloned(),
            };
            match existing {
                Some((s, l, span)) => {
                    if s != *shape || l != label {
                        let (open, close) = shape_brackets(s);
                        return Err(err(
                            r.span.clone(),
                            format!(
                                "node `{}` already has a label: `{}{}{}{}` on line {}",
                                r.id,
                                r.id,
                                open,
                                l.replace('\n', "<br>"),
                                close,
                                line_number(self.src, span.start)
                            ),
                            Some(
                                "give a node's shape and label once; elsewhere refer to it by its id alone"
                                    .into(),
                            ),
                        ));
                    }
                }
                None => {
                    pending.insert(r.id.as_str(), (*shape, label.as_str(), r.span.clone()));
                }
            }
        }
        let indices: Vec<usize> = refs.iter().map(|r| self.intern(r)).collect();
        for (k, op) in ops.into_iter().enumerate() {
            self.edges.push(Edge {
                from: indices[k],
                to: indices[k + 1],
                kind: op.kind,
                label: op.label,
                span: refs[k].span.start..refs[k + 1].span.end,
            });
        }
        Ok(())
    }

    /// Adds or updates the node a reference names (already checked for conflicts).
    fn intern(&mut self, r: &NodeRef) -> usize {
        match self.ids.get(&r.id) {
            Some(&i) => {
                if let Some((shape, label)) = &r.def {
                    if !self.labelled[i] {
                        self.labelled[i] = true;
                        let node = &mut self.nodes[i];
                        node.shape = *shape;
                        node.label = label.clone();
                        node.span = r.span.clone();
                    }
                }
                i
            }
            None => {
                let i = self.nodes.len();
                let (shape, label, labelled) = match &r.def {
                    Some((s, l)) => (*s, l.clone(), true),
                    None => (Shape::Box, r.id.clone(), false),
                };
                self.nodes.push(Node {
                    id: r.id.clone(),
                    label,
                    shape,
                    span: r.span.clone(),
                });
                self.labelled.push(labelled);
                self.ids.insert(r.id.clone(), i);
                i
            }
        }
    }

    /// Rejects statements that start with a keyword outside the subset.
    fn check_keyword(&self, a: usize, b: usize) -> Result<(), DiagramError> {
        let mut c = Cur {
            s: self.src,
            pos: a,
            end: b,
        };
        let r = c.id();
        let word = &self.src[r.clone()];
        let followed_ok = match c.peek() {
            None => true,
            Some(ch) => ch.is_whitespace(),
        };
        if !followed_ok {
            return Ok(());
        }
        let (message, hint): (String, Option<String>) = match word {
            "subgraph" => (
                "subgraph is not supported by casebook's flowchart subset".into(),
                Some(format!("draw the nodes without grouping; {SUBSET_HINT}")),
            ),
            "end" => (
                "`end` is not supported: casebook's flowchart subset has no subgraphs".into(),
                subset_hint(),
            ),
            "classDef" | "class" | "style" | "linkStyle" => (
                format!("{word} is not supported by casebook's flowchart subset"),
                Some(format!("casebook styles diagrams itself; {SUBSET_HINT}")),
            ),
            "click" => (
                "click is not supported by casebook's flowchart subset".into(),
                Some("diagrams in a guide are not interactive; remove the line".into()),
            ),
            "direction" => (
                "direction is not supported by casebook's flowchart subset".into(),
                Some("give the direction once, in the header: `flowchart LR`".into()),
            ),
            "flowchart" | "graph" => (
                format!("a second `{word}` header"),
                Some("a diagram has one header, on its first line; split the fence into two diagrams".into()),
            ),
            _ => return Ok(()),
        };
        Err(err(r, message, hint))
    }

    /// The error for text that is neither an edge nor the end of the statement.
    fn unexpected(&self, c: &Cur) -> DiagramError {
        let end = c.token_end(c.pos).max(c.char_end(c.pos));
        let tok = &self.src[c.pos..end];
        if tok.starts_with(":::") {
            return err(
                c.pos..end,
                "the `:::` class shorthand is not supported by casebook's flowchart subset",
                Some("casebook styles diagrams itself; remove `:::` and the class name".into()),
            );
        }
        err(
            c.pos..end,
            format!("unexpected `{tok}`"),
            Some(format!(
                "after a node, write an edge and the next node, or end the line; {SUBSET_HINT}"
            )),
        )
    }

    /// Reads a node reference: an id and an optional shape with its label.
    fn node_ref(&self, c: &mut Cur, after: Option<&EdgeOp>) -> Result<NodeRef, DiagramError> {
        let src = self.src;
        let start = c.pos;
        let id_range = c.id();
        if id_range.is_empty() {
            let end = c.token_end(c.pos).max(c.char_end(c.pos));
            let tok = &src[c.pos..end];
            let looks_like_edge = matches!(c.peek(), Some('-' | '=' | '<' | '~' | '&' | '.'));
            let message = match (after, looks_like_edge) {
                (Some(_), _) => format!("expected a node id after the edge, found `{tok}`"),
                (None, true) => format!("this edge (`{tok}`) has no source node"),
                (None, false) => format!("expected a node id, found `{tok}`"),
            };
            return Err(err(
                c.pos..end,
                message,
                Some(format!(
                    "node ids are letters, digits and `_` (and `-` between them); {SUBSET_HINT}"
                )),
            ));
        }
        let id = src[id_range.clone()].to_string();
        if c.rest().starts_with(":::") {
            let end = c.token_end(c.pos);
            return Err(err(
                c.pos..end,
                "the `:::` class shorthand is not supported by casebook's flowchart subset",
                Some("casebook styles diagrams itself; remove `:::` and the class name".into()),
            ));
        }
        if c.rest().starts_with("@{") {
            let end = c.rest().find('}').map(|k| c.pos + k + 1).unwrap_or(c.end);
            return Err(err(
                c.pos..end,
                "the `@{ shape: ... }` node syntax is not supported by casebook's flowchart subset",
                subset_hint(),
            ));
        }
        let save = c.pos;
        let had_ws = c.skip_ws();
        let open_pos = c.pos;
        let rest = c.rest();
        if !had_ws && rest.starts_with('>') {
            return Err(err(
                open_pos..c.token_end(open_pos),
                "the asymmetric node shape `>..]` is not supported by casebook's flowchart subset",
                subset_hint(),
            ));
        }
        const UNSUPPORTED: &[(&str, &str)] = &[
            ("(((", "double circle `(((..)))`"),
            ("[[", "subroutine `[[..]]`"),
            ("[(", "cylinder `[(..)]`"),
            ("[/", "parallelogram or trapezoid `[/../]`"),
            ("[\\", "parallelogram or trapezoid `[\\..\\]`"),
            ("{{", "hexagon `{{..}}`"),
        ];
        for (prefix, name) in UNSUPPORTED {
            if rest.starts_with(prefix) {
                return Err(err(
                    open_pos..open_pos + prefix.len(),
                    format!(
                        "the {name} node shape is not supported by casebook's flowchart subset"
                    ),
                    subset_hint(),
                ));
            }
        }
        let (shape, open, close) = if rest.starts_with("([") {
            (Shape::Stadium, "([", "])")
        } else if rest.starts_with("((") {
            (Shape::Circle, "((", "))")
        } else if rest.starts_with('[') {
            (Shape::Box, "[", "]")
        } else if rest.starts_with('(') {
            (Shape::Rounded, "(", ")")
        } else if rest.starts_with('{') {
            (Shape::Decision, "{", "}")
        } else {
            c.pos = save;
            return Ok(NodeRef {
                id,
                span: start..id_range.end,
                def: None,
            });
        };
        c.eat(open);
        c.skip_ws();
        let raw: &str;
        if c.peek() == Some('"') {
            let q = c.pos;
            c.bump();
            let Some(k) = c.rest().find('"') else {
                return Err(err(
                    q..c.end,
                    "this quoted label is never closed",
                    Some(format!("end the label with `\"` and then `{close}`")),
                ));
            };
            raw = &src[q + 1..q + 1 + k];
            c.pos = q + 1 + k + 1;
            c.skip_ws();
            if !c.eat(close) {
                let end = c.token_end(c.pos).max(c.char_end(c.pos));
                return Err(err(
                    open_pos..end,
                    format!("expected `{close}` after the quoted label"),
                    Some(format!("write the node as {id}{open}\"label\"{close}")),
                ));
            }
        } else {
            let text_start = c.pos;
            loop {
                if c.rest().starts_with(close) {
                    raw = &src[text_start..c.pos];
                    c.eat(close);
                    break;
                }
                match c.peek() {
                    None => {
                        return Err(err(
                            open_pos..c.end,
                            format!("`{open}` is never closed"),
                            Some(format!("close the label with `{close}`")),
                        ));
                    }
                    Some('"') => {
                        return Err(err(
                            c.pos..c.pos + 1,
                            "a quotation mark inside an unquoted label",
                            Some(format!(
                                "quote the whole label ({id}{open}\"...\"{close}) and write `#quot;` for a quotation mark inside it"
                            )),
                        ));
                    }
                    Some(ch @ ('[' | ']' | '(' | ')' | '{' | '}')) => {
                        return Err(err(
                            c.pos..c.pos + 1,
                            format!("`{ch}` inside an unquoted label (unbalanced brackets)"),
                            Some(format!(
                                "quote the label to use brackets in it: {id}{open}\"...\"{close}"
                            )),
                        ));
                    }
                    Some(_) => c.bump(),
                }
            }
        }
        let label = clean_label(raw);
        if label.is_empty() {
            return Err(err(
                open_pos..c.pos,
                format!("node `{id}` has an empty label"),
                Some(
                    "give the node a label, or write its id alone to use the id as its label"
                        .into(),
                ),
            ));
        }
        Ok(NodeRef {
            id,
            span: start..c.pos,
            def: Some((shape, label)),
        })
    }

    /// Reads an edge operator and its label, or returns `None` if the text is not an edge.
    fn edge_op(&self, c: &mut Cur) -> Result<Option<EdgeOp>, DiagramError> {
        let start = c.pos;
        let rest = c.rest();
        let b = rest.as_bytes();
        let run = |ch: u8, from: usize| {
            b[from.min(b.len())..]
                .iter()
                .take_while(|&&x| x == ch)
                .count()
        };
        // (kind, length of the operator, label from the `-- text -->` form)
        let (kind, len, text_label): (EdgeKind, usize, Option<&str>) = match b.first() {
            Some(b'-') => {
                let n = run(b'-', 0);
                let next = b.get(n).copied();
                if n >= 2 && next == Some(b'>') {
                    (EdgeKind::Arrow, n + 1, None)
                } else if n >= 3 {
                    (EdgeKind::Line, n, None)
                } else if n == 2 {
                    if let Some((at, tl, kind)) = find_dash_terminator(rest, 2) {
                        (kind, at + tl, Some(&rest[2..at]))
                    } else if matches!(next, Some(b'o' | b'x')) {
                        return Err(err(
                            start..start + 3,
                            "circle and cross arrowheads (`--o`, `--x`) are not supported by casebook's flowchart subset",
                            subset_hint(),
                        ));
                    } else {
                        return Err(err(
                            start..start + 2,
                            "`--` starts an edge label, but no `-->` or `---` ends it",
                            Some("write `A -- text --> B` or `A -->|text| B`, or `A --- B` for a line".into()),
                        ));
                    }
                } else if next == Some(b'.') {
                    let m = run(b'.', 1);
                    let after = 1 + m;
                    if b.get(after) == Some(&b'-') {
                        if b.get(after + 1) == Some(&b'>') {
                            (EdgeKind::Dotted, after + 2, None)
                        } else {
                            return Err(err(
                                start..start + after + 1,
                                "`-.-` (a dotted line without an arrowhead) is not supported by casebook's flowchart subset",
                                Some(format!("use `-.->`, or `---` for a plain line; {SUBSET_HINT}")),
                            ));
                        }
                    } else {
                        match rest[after..].find(".-") {
                            Some(k) => {
                                let at = after + k;
                                let dots = rest[after..at].len()
                                    - rest[after..at].trim_end_matches('.').len();
                                let text_end = at - dots;
                                if b.get(at + 2) == Some(&b'>') {
                                    (EdgeKind::Dotted, at + 3, Some(&rest[after..text_end]))
                                } else {
                                    return Err(err(
                                        start + at..start + at + 2,
                                        "`-. text .-` (a dotted line without an arrowhead) is not supported by casebook's flowchart subset",
                                        Some(format!("end the label with `.->`; {SUBSET_HINT}")),
                                    ));
                                }
                            }
                            None => {
                                return Err(err(
                                    start..start + after,
                                    "`-.` starts a dotted edge label, but no `.->` ends it",
                                    Some("write `A -. text .-> B` or `A -.->|text| B`".into()),
                                ));
                            }
                        }
                    }
                } else if next == Some(b'>') {
                    return Err(err(
                        start..start + 2,
                        "`->` is not an edge",
                        Some(format!("use `-->` for an arrow; {SUBSET_HINT}")),
                    ));
                } else {
                    let end = c.token_end(start).max(start + 1);
                    return Err(err(
                        start..end,
                        format!("unknown edge `{}`", &self.src[start..end]),
                        subset_hint(),
                    ));
                }
            }
            Some(b'=') => {
                let n = run(b'=', 0);
                let next = b.get(n).copied();
                if n >= 2 && next == Some(b'>') {
                    (EdgeKind::Thick, n + 1, None)
                } else if n >= 3 {
                    return Err(err(
                        start..start + n,
                        "`===` (a thick line without an arrowhead) is not supported by casebook's flowchart subset",
                        Some(format!("use `==>`; {SUBSET_HINT}")),
                    ));
                } else if n == 2 {
                    match find_eq_terminator(rest, 2) {
                        Some((at, tl, true)) => (EdgeKind::Thick, at + tl, Some(&rest[2..at])),
                        Some((at, tl, false)) => {
                            return Err(err(
                                start + at..start + at + tl,
                                "`== text ===` (a thick line without an arrowhead) is not supported by casebook's flowchart subset",
                                Some(format!("end the label with `==>`; {SUBSET_HINT}")),
                            ));
                        }
                        None => {
                            return Err(err(
                                start..start + 2,
                                "`==` starts a thick edge label, but no `==>` ends it",
                                Some("write `A == text ==> B` or `A ==>|text| B`".into()),
                            ));
                        }
                    }
                } else {
                    let end = c.token_end(start).max(start + 1);
                    return Err(err(
                        start..end,
                        format!("unknown edge `{}`", &self.src[start..end]),
                        subset_hint(),
                    ));
                }
            }
            Some(b'<') => {
                let end = c.token_end(start).max(start + 1);
                return Err(err(
                    start..end,
                    "two-headed arrows such as `<-->` are not supported by casebook's flowchart subset",
                    Some(format!("draw one arrow in the direction of the flow; {SUBSET_HINT}")),
                ));
            }
            Some(b'~') => {
                let end = c.token_end(start).max(start + 1);
                return Err(err(
                    start..end,
                    "invisible links (`~~~`) are not supported by casebook's flowchart subset",
                    subset_hint(),
                ));
            }
            Some(b'&') => {
                return Err(err(
                    start..start + 1,
                    "`&` (linking several nodes at once) is not supported by casebook's flowchart subset",
                    Some("write one edge per line: `A --> C` and `B --> C`".into()),
                ));
            }
            _ => return Ok(None),
        };
        c.pos = start + len;
        let mut label = match text_label {
            Some(t) => {
                let cleaned = clean_label(unquote(t));
                if cleaned.is_empty() {
                    return Err(err(
                        start..c.pos,
                        "this edge's label is empty",
                        Some("write the label between the dashes, or use `-->` alone".into()),
                    ));
                }
                Some(cleaned)
            }
            None => None,
        };
        let save = c.pos;
        c.skip_ws();
        if c.peek() == Some('|') {
            let bar = c.pos;
            if label.is_some() {
                return Err(err(
                    bar..bar + 1,
                    "this edge already has a label",
                    Some("give an edge one label: `-- text -->` or `-->|text|`".into()),
                ));
            }
            let Some(k) = self.src[bar + 1..c.end].find('|') else {
                return Err(err(
                    bar..c.end,
                    "the edge label's `|` is never closed",
                    Some("write the label as `-->|text|`".into()),
                ));
            };
            let raw = &self.src[bar + 1..bar + 1 + k];
            let cleaned = clean_label(unquote(raw));
            c.pos = bar + 1 + k + 1;
            if cleaned.is_empty() {
                return Err(err(
                    bar..c.pos,
                    "this edge's label is empty",
                    Some("write the label between the bars, or remove them".into()),
                ));
            }
            label = Some(cleaned);
        } else {
            c.pos = save;
        }
        Ok(Some(EdgeOp {
            kind,
            label,
            span: start..c.pos,
        }))
    }
}
