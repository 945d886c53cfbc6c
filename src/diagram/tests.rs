//! Tests for the diagram parser and layout: parse tables (every supported form, the spec's
//! examples, errors with their spans), layout invariants on examples and on random graphs,
//! determinism, and a snapshot of the spec example's layout.

use super::layout::inside_shape;
use super::*;
use proptest::prelude::*;

/// The example of spec section 2.3.
const SPEC_EXAMPLE: &str = "flowchart TD
  accTitle: Was there a duty to act?
  accDescr: Decide whether an omission can found liability.
  A[D failed to act] --> B{Duty to act?}
  B -->|No| C([Not liable])
  B -->|Yes| D{Breach caused the harm?}
  D -->|Yes| E([Actus reus made out])
  D -->|No| C
";

/// The IRAC diagram of the sample guides (has a cycle: H --> B).
const IRAC_EXAMPLE: &str = "flowchart TD
  accTitle: The IRAC method
  accDescr: Read the facts and list the issues. For each issue, state the rule with authority, then apply it to the facts.
  A([Read the facts and list the issues]) --> B[Take the next issue]
  B --> C[State the rule with authority]
  C --> D[Apply the rule to the facts]
  D --> E{Is the outcome clear?}
  E -->|Yes| F[Conclude on this issue]
  E -->|Arguable| G[Argue both ways and choose]
  G --> F
  F --> H{Any issues left?}
  H -->|Yes| B
  H -->|No| I([Overall conclusion and advice])
";

fn ok(src: &str) -> Graph {
    match parse(src) {
        Ok(g) => g,
        Err(errs) => panic!("unexpected errors for {src:?}: {errs:#?}"),
    }
}

fn errs(src: &str) -> Vec<DiagramError> {
    match parse(src) {
        Ok(g) => panic!("expected errors for {src:?}, got {g:#?}"),
        Err(e) => e,
    }
}

/// (id, label, shape) of every node.
fn nodes(g: &Graph) -> Vec<(&str, &str, Shape)> {
    g.nodes
        .iter()
        .map(|n| (n.id.as_str(), n.label.as_str(), n.shape))
        .collect()
}

/// (from id, to id, kind, label) of every edge.
fn edges(g: &Graph) -> Vec<(&str, &str, EdgeKind, Option<&str>)> {
    g.edges
        .iter()
        .map(|e| {
            (
                g.nodes[e.from].id.as_str(),
                g.nodes[e.to].id.as_str(),
                e.kind,
                e.label.as_deref(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Parser: supported forms

#[test]
fn parses_spec_example() {
    let g = ok(SPEC_EXAMPLE);
    assert_eq!(g.direction, Direction::TopDown);
    assert_eq!(g.title.as_deref(), Some("Was there a duty to act?"));
    assert_eq!(
        g.description.as_deref(),
        Some("Decide whether an omission can found liability.")
    );
    let span = g.description_span.clone().unwrap();
    assert_eq!(
        &SPEC_EXAMPLE[span],
        "Decide whether an omission can found liability."
    );
    assert_eq!(
        nodes(&g),
        vec![
            ("A", "D failed to act", Shape::Box),
            ("B", "Duty to act?", Shape::Decision),
            ("C", "Not liable", Shape::Stadium),
            ("D", "Breach caused the harm?", Shape::Decision),
            ("E", "Actus reus made out", Shape::Stadium),
        ]
    );
    assert_eq!(
        edges(&g),
        vec![
            ("A", "B", EdgeKind::Arrow, None),
            ("B", "C", EdgeKind::Arrow, Some("No")),
            ("B", "D", EdgeKind::Arrow, Some("Yes")),
            ("D", "E", EdgeKind::Arrow, Some("Yes")),
            ("D", "C", EdgeKind::Arrow, Some("No")),
        ]
    );
    // Spans: a node's definition, an edge from source to target.
    assert_eq!(&SPEC_EXAMPLE[g.nodes[0].span.clone()], "A[D failed to act]");
    assert_eq!(&SPEC_EXAMPLE[g.nodes[2].span.clone()], "C([Not liable])");
    assert_eq!(
        &SPEC_EXAMPLE[g.edges[1].span.clone()],
        "B -->|No| C([Not liable])"
    );
    assert_eq!(&SPEC_EXAMPLE[g.edges[4].span.clone()], "D -->|No| C");
}

#[test]
fn parses_irac_example() {
    let g = ok(IRAC_EXAMPLE);
    assert_eq!(g.nodes.len(), 9);
    assert_eq!(g.edges.len(), 10);
    assert_eq!(g.title.as_deref(), Some("The IRAC method"));
    assert_eq!(g.nodes[0].shape, Shape::Stadium);
    assert_eq!(g.nodes[4].shape, Shape::Decision);
    assert_eq!(edges(&g)[8], ("H", "B", EdgeKind::Arrow, Some("Yes")));
}

#[test]
fn parses_the_guides_diagrams() {
    // Every mermaid fence in the sample guides parses (when the guides are present).
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("guides");
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                let mut rest = text.as_str();
                while let Some(k) = rest.find("```mermaid\n") {
                    let body = &rest[k + "```mermaid\n".len()..];
                    let end = body.find("\n```").map(|e| e + 1).unwrap_or(body.len());
                    let g = parse(&body[..end]);
                    assert!(g.is_ok(), "{}: {:#?}", p.display(), g.err());
                    let g = g.unwrap();
                    check_invariants(&g, &layout(&g, &LayoutOptions::default()))
                        .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                    rest = &body[end..];
                }
            }
        }
    }
}

#[test]
fn directions() {
    let table = [
        ("flowchart TD", Direction::TopDown),
        ("flowchart TB", Direction::TopDown),
        ("flowchart BT", Direction::BottomUp),
        ("flowchart LR", Direction::LeftRight),
        ("flowchart RL", Direction::RightLeft),
        ("graph TD", Direction::TopDown),
        ("graph LR", Direction::LeftRight),
        ("graph RL;", Direction::RightLeft),
        ("  flowchart   BT   %% comment", Direction::BottomUp),
    ];
    for (header, dir) in table {
        let g = ok(&format!("{header}\nA --> B"));
        assert_eq!(g.direction, dir, "{header}");
    }
}

#[test]
fn node_shapes() {
    let table = [
        ("A[box]", Shape::Box, "box"),
        ("A(rounded)", Shape::Rounded, "rounded"),
        ("A([stadium])", Shape::Stadium, "stadium"),
        ("A((circle))", Shape::Circle, "circle"),
        ("A{decision}", Shape::Decision, "decision"),
        ("A", Shape::Box, "A"),
        ("A[  padded  ]", Shape::Box, "padded"),
        ("A[\"s 1(1) applies\"]", Shape::Box, "s 1(1) applies"),
        (
            "A(\"quoted [rounded]\")",
            Shape::Rounded,
            "quoted [rounded]",
        ),
        ("A{\"Is it {x}?\"}", Shape::Decision, "Is it {x}?"),
        ("A([\"a (b)\"])", Shape::Stadium, "a (b)"),
        ("A((\"c\"))", Shape::Circle, "c"),
        ("A[one<br>two]", Shape::Box, "one\ntwo"),
        ("A[one<br/>two<BR />three]", Shape::Box, "one\ntwo\nthree"),
        (
            "A[say #quot;hi#quot; #amp; #35;1]",
            Shape::Box,
            "say \"hi\" & #1",
        ),
        ("A[**not** markdown]", Shape::Box, "**not** markdown"),
        ("A [space before]", Shape::Box, "space before"),
        ("my_node-2[id with hyphen]", Shape::Box, "id with hyphen"),
        ("Ünïcode[accents é]", Shape::Box, "accents é"),
        (
            "A[unknown #foo; entity]",
            Shape::Box,
            "unknown #foo; entity",
        ),
    ];
    for (stmt, shape, label) in table {
        let g = ok(&format!("flowchart TD\n{stmt}"));
        assert_eq!(g.nodes.len(), 1, "{stmt}");
        assert_eq!(g.nodes[0].shape, shape, "{stmt}");
        assert_eq!(g.nodes[0].label, label, "{stmt}");
    }
}

#[test]
fn edge_forms() {
    let table: &[(&str, EdgeKind, Option<&str>)] = &[
        ("A --> B", EdgeKind::Arrow, None),
        ("A-->B", EdgeKind::Arrow, None),
        ("A --- B", EdgeKind::Line, None),
        ("A -.-> B", EdgeKind::Dotted, None),
        ("A ==> B", EdgeKind::Thick, None),
        ("A ---> B", EdgeKind::Arrow, None),
        ("A ---- B", EdgeKind::Line, None),
        ("A -..-> B", EdgeKind::Dotted, None),
        ("A ===> B", EdgeKind::Thick, None),
        ("A -->|Yes| B", EdgeKind::Arrow, Some("Yes")),
        ("A --> |Yes| B", EdgeKind::Arrow, Some("Yes")),
        ("A-->|Yes|B", EdgeKind::Arrow, Some("Yes")),
        ("A ---|a line| B", EdgeKind::Line, Some("a line")),
        ("A -.->|maybe| B", EdgeKind::Dotted, Some("maybe")),
        ("A ==>|surely| B", EdgeKind::Thick, Some("surely")),
        (
            "A -->|\"quoted (x)\"| B",
            EdgeKind::Arrow,
            Some("quoted (x)"),
        ),
        ("A -->|two<br>lines| B", EdgeKind::Arrow, Some("two\nlines")),
        ("A -- text --> B", EdgeKind::Arrow, Some("text")),
        ("A--text-->B", EdgeKind::Arrow, Some("text")),
        (
            "A -- well-known rule --> B",
            EdgeKind::Arrow,
            Some("well-known rule"),
        ),
        ("A -- text --- B", EdgeKind::Line, Some("text")),
        ("A -. text .-> B", EdgeKind::Dotted, Some("text")),
        ("A == text ==> B", EdgeKind::Thick, Some("text")),
        ("A -- \"quoted\" --> B", EdgeKind::Arrow, Some("quoted")),
    ];
    for (stmt, kind, label) in table {
        let g = ok(&format!("flowchart LR\n{stmt}"));
        assert_eq!(edges(&g), vec![("A", "B", *kind, *label)], "{stmt}");
    }
}

#[test]
fn chains_and_definitions() {
    let g = ok("flowchart TD\nA[Start] --> B{Q?} -->|yes| C --> D(End)\nC[Middle]\nA --> D");
    assert_eq!(
        nodes(&g),
        vec![
            ("A", "Start", Shape::Box),
            ("B", "Q?", Shape::Decision),
            ("C", "Middle", Shape::Box),
            ("D", "End", Shape::Rounded),
        ]
    );
    assert_eq!(
        edges(&g),
        vec![
            ("A", "B", EdgeKind::Arrow, None),
            ("B", "C", EdgeKind::Arrow, Some("yes")),
            ("C", "D", EdgeKind::Arrow, None),
            ("A", "D", EdgeKind::Arrow, None),
        ]
    );
    // C was first mentioned on line 2 and defined on line 3: its span is the definition.
    let src = "flowchart TD\nA --> C\nC[Middle]";
    let g = ok(src);
    assert_eq!(&src[g.nodes[1].span.clone()], "C[Middle]");
    // Mentioned only: the span is the mention.
    assert_eq!(&src[g.nodes[0].span.clone()], "A");
    // The same label twice is fine.
    let g = ok("flowchart TD\nA[x] --> B\nA[x] --> C");
    assert_eq!(g.nodes.len(), 3);
    // A node alone on a line, and self-loops.
    let g = ok("flowchart TD\nA\nB --> B");
    assert_eq!(edges(&g), vec![("B", "B", EdgeKind::Arrow, None)]);
}

#[test]
fn comments_semicolons_blank_lines_and_crlf() {
    let src = "%% leading comment\n\n  flowchart TD;\r\n\r\n    %% a comment\r\n  A[One] --> B[Two]; %% trailing\r\n  B --> C;\r\n  C --> D; D --> E\r\n\t  E[\"50%% off\"]\r\n";
    let g = ok(src);
    assert_eq!(g.nodes.len(), 5);
    assert_eq!(g.edges.len(), 4);
    assert_eq!(g.nodes[4].label, "50%% off");
    // %%{init}%% directives are comments.
    let g = ok("%%{init: {'theme': 'forest'}}%%\nflowchart TD\nA --> B");
    assert_eq!(g.nodes.len(), 2);
    // Statements after the header on the same line.
    let g = ok("graph TD; A --> B; B --> C");
    assert_eq!(g.edges.len(), 2);
}

#[test]
fn accessibility() {
    let src = "flowchart TD\naccTitle : Caption here  \naccDescr {\n   First line of\n   the description.\n}\nA --> B";
    let g = ok(src);
    assert_eq!(g.title.as_deref(), Some("Caption here"));
    assert_eq!(
        g.description.as_deref(),
        Some("First line of\nthe description.")
    );
    let span = g.description_span.clone().unwrap();
    assert_eq!(&src[span], "First line of\n   the description.");

    let src = "flowchart TD\naccDescr { On one line }\nA --> B";
    let g = ok(src);
    assert_eq!(g.description.as_deref(), Some("On one line"));
    assert_eq!(&src[g.description_span.clone().unwrap()], "On one line");

    let src = "flowchart TD\naccDescr: Short alt text. %% not part of it\nA --> B";
    let g = ok(src);
    assert_eq!(g.description.as_deref(), Some("Short alt text."));
    assert_eq!(&src[g.description_span.clone().unwrap()], "Short alt text.");

    let g = ok("flowchart TD\nA --> B");
    assert_eq!(g.title, None);
    assert_eq!(g.description, None);
    assert_eq!(g.description_span, None);
}

// ---------------------------------------------------------------------------------------
// Parser: errors

/// Parses `src`, expects exactly one error, and checks its span's text and message.
fn one_error(src: &str, span_text: &str, message_part: &str) -> DiagramError {
    let e = errs(src);
    assert_eq!(e.len(), 1, "{src:?}: {e:#?}");
    let e = e.into_iter().next().unwrap();
    assert_eq!(&src[e.span.clone()], span_text, "span for {src:?}: {e:#?}");
    assert!(
        e.message.contains(message_part),
        "message for {src:?}: {:?} should contain {message_part:?}",
        e.message
    );
    assert!(e.hint.is_some(), "{src:?} has no hint");
    e
}

#[test]
fn header_errors() {
    let e = one_error("flowchart\nA --> B", "flowchart", "needs a direction");
    assert!(e.hint.unwrap().contains("flowchart TD"));
    let e = one_error("flowchart XY\nA --> B", "XY", "unknown direction `XY`");
    assert!(!e.hint.unwrap().contains("did you mean"));
    let e = one_error("flowchart td\nA --> B", "td", "unknown direction");
    assert!(e.hint.unwrap().contains("did you mean `TD`?"));
    let e = one_error("flowchart DT\nA --> B", "DT", "unknown direction");
    assert!(e.hint.unwrap().contains("did you mean `TD`?"));
    one_error(
        "flowchart TD LR\nA --> B",
        "LR",
        "unexpected text after the header",
    );
    let e = one_error(
        "sequenceDiagram\n  Alice->>Bob: Hi",
        "sequenceDiagram",
        "`sequenceDiagram` diagrams are not supported",
    );
    assert!(e.hint.unwrap().contains("flowchart TD"));
    one_error(
        "stateDiagram-v2\n[*] --> A",
        "stateDiagram-v2",
        "not supported",
    );
    let e = one_error(
        "flowchar TD\nA --> B",
        "flowchar",
        "expected a `flowchart` header",
    );
    assert!(e.hint.unwrap().contains("did you mean `flowchart`?"));
    one_error("A --> B\nB --> C", "A", "expected a `flowchart` header");
    one_error(
        "---\ntitle: x\n---\nflowchart TD\nA-->B",
        "---",
        "front matter",
    );
    one_error("", "", "the diagram is empty");
    one_error("  \n %% only a comment\n", "", "the diagram is empty");
    one_error("flowchart TD\n", "flowchart TD", "has no nodes");
    one_error(
        "flowchart LR\naccTitle: Just a title\n%% nothing else",
        "flowchart LR",
        "has no nodes",
    );
    one_error(
        "flowchart TD\nflowchart LR\nA-->B",
        "flowchart",
        "a second `flowchart` header",
    );
}

#[test]
fn unsupported_constructs() {
    let table: &[(&str, &str, &str)] = &[
        (
            "subgraph one",
            "subgraph",
            "subgraph is not supported by casebook's flowchart subset",
        ),
        ("end", "end", "no subgraphs"),
        (
            "classDef red fill:#f00",
            "classDef",
            "classDef is not supported",
        ),
        ("class A red", "class", "class is not supported"),
        ("style A fill:#f9f", "style", "style is not supported"),
        (
            "linkStyle 0 stroke:#f00",
            "linkStyle",
            "linkStyle is not supported",
        ),
        ("click A callback", "click", "click is not supported"),
        ("direction LR", "direction", "direction is not supported"),
        ("A:::red --> B", ":::red", "`:::` class shorthand"),
        ("A --> B :::red", ":::red", "`:::` class shorthand"),
        ("A & B --> C", "&", "`&`"),
        ("A --> B & C", "&", "`&`"),
        ("A <--> B", "<-->", "two-headed"),
        ("A --o B", "--o", "circle and cross arrowheads"),
        ("A --x B", "--x", "circle and cross arrowheads"),
        ("A -.- B", "-.-", "dotted line without an arrowhead"),
        ("A === B", "===", "thick line without an arrowhead"),
        ("A ~~~ B", "~~~", "invisible links"),
        ("A -> B", "->", "`->` is not an edge"),
        ("A[[sub]]", "[[", "subroutine"),
        ("A[(db)]", "[(", "cylinder"),
        ("A{{hex}}", "{{", "hexagon"),
        ("A(((dbl)))", "(((", "double circle"),
        ("A[/para/]", "[/", "parallelogram"),
        ("A>flag]", ">flag]", "asymmetric"),
        ("A@{ shape: rect }", "@{ shape: rect }", "`@{ shape: ... }`"),
        ("A[unbalanced", "[unbalanced", "`[` is never closed"),
        ("A(open --> B", "(open --> B", "`(` is never closed"),
        ("A[s 1(1) Theft Act]", "(", "`(` inside an unquoted label"),
        (
            "A[say \"hi\"]",
            "\"",
            "quotation mark inside an unquoted label",
        ),
        ("A[\"never closed]", "\"never closed]", "never closed"),
        (
            "A[\"quoted\" tail]",
            "[\"quoted\" tail]",
            "expected `]` after the quoted label",
        ),
        ("A[]", "[]", "empty label"),
        ("A -->", "-->", "points to nothing"),
        ("A -->|label|", "-->|label|", "points to nothing"),
        ("--> B", "-->", "has no source node"),
        ("A --> B C", "C", "unexpected `C`"),
        ("A[x]]", "]", "unexpected `]`"),
        ("A -- text B", "--", "no `-->` or `---` ends it"),
        ("A -. text B", "-.", "no `.->` ends it"),
        ("A == text B", "==", "no `==>` ends it"),
        ("A -->|open B", "|open B", "never closed"),
        ("A -->|| B", "||", "label is empty"),
        ("A -- x -->|y| B", "|", "already has a label"),
        ("A --> -->", "-->", "expected a node id after the edge"),
        ("A.b --> C", ".b", "unexpected `.b`"),
    ];
    for (stmt, span_text, message) in table {
        let src = format!("flowchart TD\n  {stmt}\n");
        let e = one_error(&src, span_text, message);
        // The span lies on the offending line.
        assert!(e.span.start >= "flowchart TD\n".len(), "{stmt}");
    }
}

#[test]
fn subset_hint_is_given() {
    let e = one_error(
        "flowchart TD\nsubgraph one\n",
        "subgraph",
        "subgraph is not supported",
    );
    assert!(e.hint.unwrap().contains(
        "supported: node shapes [..], (..), ([..]), ((..)), {..}; edges -->, ---, -.->, ==>; labels -->|text| and -- text -->"
    ));
}

#[test]
fn conflicting_labels() {
    let src = "flowchart TD\nA[First] --> B\nA[Second] --> C";
    let e = one_error(
        src,
        "A[Second]",
        "node `A` already has a label: `A[First]` on line 2",
    );
    assert!(e.hint.unwrap().contains("once"));
    // A different shape is a different definition too.
    one_error("flowchart TD\nA[x]\nA(x)", "A(x)", "already has a label");
    // Within one statement.
    one_error("flowchart TD\nA[x] --> A[y]", "A[y]", "already has a label");
}

#[test]
fn acc_errors() {
    one_error(
        "flowchart TD\naccTitle Caption\nA-->B",
        "accTitle",
        "needs a colon",
    );
    one_error("flowchart TD\naccTitle:\nA-->B", "accTitle:", "has no text");
    one_error(
        "flowchart TD\naccTitle: a\naccTitle: b\nA-->B",
        "accTitle",
        "given twice",
    );
    one_error(
        "flowchart TD\naccDescr: a\naccDescr { b }\nA-->B",
        "accDescr {",
        "given twice",
    );
    one_error(
        "flowchart TD\nA-->B\naccDescr {\n never closed",
        "accDescr {",
        "never closed",
    );
    one_error(
        "flowchart TD\naccDescr {  }\nA-->B",
        "accDescr {  }",
        "is empty",
    );
    one_error(
        "flowchart TD\naccDescr { x } A-->B",
        "A-->B",
        "after the `}`",
    );
}

#[test]
fn collects_one_error_per_bad_line() {
    let src = "flowchart TD\n  A[ok] --> B\n  subgraph x\n  B --> C & D --o E\n  C --> D\n  style A fill:red\nend";
    let e = errs(src);
    let texts: Vec<&str> = e.iter().map(|e| &src[e.span.clone()]).collect();
    assert_eq!(texts, vec!["subgraph", "&", "style", "end"]);
    // Errors come in source order.
    assert!(e.windows(2).all(|w| w[0].span.start < w[1].span.start));
}

#[test]
fn error_display() {
    let e = errs("flowchart TD\nsubgraph x")[0].clone();
    let s = e.to_string();
    assert!(s.starts_with("subgraph is not supported"));
    assert!(s.contains("(hint: "));
}

// ---------------------------------------------------------------------------------------
// Layout: helpers

const TOL: f64 = 0.01;

fn centre(b: &NodeBox) -> (f64, f64) {
    (b.x + b.width / 2.0, b.y + b.height / 2.0)
}

/// Whether `p` lies on the outline of the node's shape, within `tol`.
fn on_outline(b: &NodeBox, p: (f64, f64), tol: f64) -> bool {
    let (cx, cy) = centre(b);
    let (dx, dy) = (p.0 - cx, p.1 - cy);
    let outer = inside_shape(b.shape, b.width + 2.0 * tol, b.height + 2.0 * tol, dx, dy);
    let inner = inside_shape(
        b.shape,
        (b.width - 2.0 * tol).max(0.0),
        (b.height - 2.0 * tol).max(0.0),
        dx,
        dy,
    );
    outer && !inner
}

/// Whether the segment p-q passes through the open rectangle (x0, x1) x (y0, y1).
fn segment_hits_rect(p: (f64, f64), q: (f64, f64), x0: f64, y0: f64, x1: f64, y1: f64) -> bool {
    if x1 <= x0 || y1 <= y0 {
        return false;
    }
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    for (num_lo, num_hi, d) in [(x0 - p.0, x1 - p.0, dx), (y0 - p.1, y1 - p.1, dy)] {
        if d.abs() < 1e-12 {
            if !(num_lo < 0.0 && num_hi > 0.0) {
                return false;
            }
        } else {
            let (a, b) = (num_lo / d, num_hi / d);
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            t0 = t0.max(lo);
            t1 = t1.min(hi);
        }
    }
    t1 - t0 > 1e-9
}

fn rects_overlap(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64), tol: f64) -> bool {
    a.0 + tol < b.0 + b.2 && b.0 + tol < a.0 + a.2 && a.1 + tol < b.1 + b.3 && b.1 + tol < a.1 + a.3
}

fn rect(b: &NodeBox) -> (f64, f64, f64, f64) {
    (b.x, b.y, b.width, b.height)
}

/// Checks the layout invariants; returns a description of the first violation.
fn check_invariants(g: &Graph, l: &Layout) -> Result<(), String> {
    if l.nodes.len() != g.nodes.len() || l.edges.len() != g.edges.len() {
        return Err("wrong number of boxes or paths".into());
    }
    let finite = |v: f64| v.is_finite();
    let within =
        |x: f64, y: f64| x >= -TOL && y >= -TOL && x <= l.width + TOL && y <= l.height + TOL;
    if !finite(l.width) || !finite(l.height) {
        return Err("size is not finite".into());
    }
    for (i, b) in l.nodes.iter().enumerate() {
        if b.node != i || b.shape != g.nodes[i].shape {
            return Err(format!("box {i} describes the wrong node"));
        }
        if ![b.x, b.y, b.width, b.height].into_iter().all(finite)
            || b.width <= 0.0
            || b.height <= 0.0
        {
            return Err(format!("box {i} is degenerate: {b:?}"));
        }
        if !within(b.x, b.y) || !within(b.x + b.width, b.y + b.height) {
            return Err(format!("box {i} is outside the drawing: {b:?}"));
        }
    }
    for i in 0..l.nodes.len() {
        for j in i + 1..l.nodes.len() {
            if rects_overlap(rect(&l.nodes[i]), rect(&l.nodes[j]), TOL) {
                return Err(format!("boxes {i} and {j} overlap"));
            }
        }
    }
    for (i, p) in l.edges.iter().enumerate() {
        let e = &g.edges[i];
        if p.edge != i || p.kind != e.kind {
            return Err(format!("path {i} describes the wrong edge"));
        }
        if p.points.len() < 2 {
            return Err(format!("path {i} has fewer than two points"));
        }
        for &(x, y) in &p.points {
            if !finite(x) || !finite(y) || !within(x, y) {
                return Err(format!(
                    "path {i} has a point outside the drawing: {:?}",
                    (x, y)
                ));
            }
        }
        let first = p.points[0];
        let last = p.points[p.points.len() - 1];
        if !on_outline(&l.nodes[e.from], first, 0.05) {
            return Err(format!(
                "path {i} does not start on its source's outline: {first:?} {:?}",
                l.nodes[e.from]
            ));
        }
        if !on_outline(&l.nodes[e.to], last, 0.05) {
            return Err(format!(
                "path {i} does not end on its target's outline: {last:?} {:?}",
                l.nodes[e.to]
            ));
        }
        for seg in p.points.windows(2) {
            for (k, b) in l.nodes.iter().enumerate() {
                if k == e.from || k == e.to {
                    continue;
                }
                if segment_hits_rect(
                    seg[0],
                    seg[1],
                    b.x + TOL,
                    b.y + TOL,
                    b.x + b.width - TOL,
                    b.y + b.height - TOL,
                ) {
                    return Err(format!("path {i} passes through node {k}: {seg:?} {b:?}"));
                }
            }
        }
        match (&p.label, &e.label) {
            (Some(lb), Some(_)) => {
                let r = (lb.x, lb.y, lb.width, lb.height);
                if !within(lb.x, lb.y) || !within(lb.x + lb.width, lb.y + lb.height) {
                    return Err(format!("label of edge {i} is outside the drawing"));
                }
                for (k, b) in l.nodes.iter().enumerate() {
                    if rects_overlap(r, rect(b), TOL) {
                        return Err(format!("label of edge {i} overlaps node {k}"));
                    }
                }
            }
            (None, None) => {}
            _ => {
                return Err(format!(
                    "edge {i}: label present in one of graph and layout only"
                ))
            }
        }
    }
    Ok(())
}

fn with_direction(g: &Graph, d: Direction) -> Graph {
    let mut g = g.clone();
    g.direction = d;
    g
}

const DIRECTIONS: [Direction; 4] = [
    Direction::TopDown,
    Direction::BottomUp,
    Direction::LeftRight,
    Direction::RightLeft,
];

// ---------------------------------------------------------------------------------------
// Layout: examples

#[test]
fn spec_example_invariants_in_every_direction() {
    let g = ok(SPEC_EXAMPLE);
    for d in DIRECTIONS {
        let gd = with_direction(&g, d);
        let l = layout(&gd, &LayoutOptions::default());
        check_invariants(&gd, &l).unwrap_or_else(|e| panic!("{d:?}: {e}"));
    }
    let g = ok(IRAC_EXAMPLE);
    for d in DIRECTIONS {
        let gd = with_direction(&g, d);
        let l = layout(&gd, &LayoutOptions::default());
        check_invariants(&gd, &l).unwrap_or_else(|e| panic!("IRAC {d:?}: {e}"));
    }
}

#[test]
fn spec_example_flows_down() {
    let g = ok(SPEC_EXAMPLE);
    let l = layout(&g, &LayoutOptions::default());
    for e in &g.edges {
        let (a, b) = (&l.nodes[e.from], &l.nodes[e.to]);
        assert!(b.y >= a.y + a.height - TOL, "{e:?}");
    }
    // A is above B, B above D, D above C and E; C and E share the bottom rank.
    let y = |i: usize| l.nodes[i].y + l.nodes[i].height / 2.0;
    assert!(y(0) < y(1) && y(1) < y(3) && y(3) < y(2));
    assert!((y(2) - y(4)).abs() < 1e-6);
    // The single edge A --> B is straight down.
    let p = &l.edges[0].points;
    assert_eq!(p.len(), 2);
    assert!((p[0].0 - p[1].0).abs() < 0.01);
    // Labels: present, on the right lines.
    assert_eq!(
        l.edges[1].label.as_ref().unwrap().lines,
        vec!["No".to_string()]
    );
}

#[test]
fn other_directions_transform_positions_not_boxes() {
    let g = ok(SPEC_EXAMPLE);
    let td = layout(&g, &LayoutOptions::default());
    let lr = layout(
        &with_direction(&g, Direction::LeftRight),
        &LayoutOptions::default(),
    );
    let bt = layout(
        &with_direction(&g, Direction::BottomUp),
        &LayoutOptions::default(),
    );
    let rl = layout(
        &with_direction(&g, Direction::RightLeft),
        &LayoutOptions::default(),
    );
    for i in 0..g.nodes.len() {
        for other in [&lr, &bt, &rl] {
            assert_eq!(td.nodes[i].width, other.nodes[i].width);
            assert_eq!(td.nodes[i].height, other.nodes[i].height);
            assert_eq!(td.nodes[i].lines, other.nodes[i].lines);
        }
    }
    let cx = |l: &Layout, i: usize| l.nodes[i].x + l.nodes[i].width / 2.0;
    let cy = |l: &Layout, i: usize| l.nodes[i].y + l.nodes[i].height / 2.0;
    for e in &g.edges {
        assert!(cx(&lr, e.to) > cx(&lr, e.from), "LR flows right");
        assert!(cx(&rl, e.to) < cx(&rl, e.from), "RL flows left");
        assert!(cy(&bt, e.to) < cy(&bt, e.from), "BT flows up");
    }
    // BT is TD mirrored.
    assert_eq!(td.width, bt.width);
    assert_eq!(td.height, bt.height);
    for i in 0..g.nodes.len() {
        assert!((td.nodes[i].x - bt.nodes[i].x).abs() < 1e-9);
        assert!((td.nodes[i].y - (bt.height - bt.nodes[i].y - bt.nodes[i].height)).abs() < 1e-9);
    }
}

#[test]
fn back_edges_are_drawn_back() {
    let g = ok(IRAC_EXAMPLE);
    let l = layout(&g, &LayoutOptions::default());
    // H --> B goes up: it starts below where it ends.
    let p = &l.edges[8].points;
    assert!(p[0].1 > p[p.len() - 1].1);
    // Every other edge goes down.
    for (i, e) in g.edges.iter().enumerate() {
        if i != 8 {
            assert!(l.nodes[e.to].y > l.nodes[e.from].y, "edge {i}");
        }
    }
}

#[test]
fn self_loops_and_parallel_edges() {
    let src = "flowchart TD\nA[Start] --> A\nA -->|again| A\nA --> B{Check}\nA --> B\nA -->|third| B\nB -->|loop| B\nB --> A";
    let g = ok(src);
    for d in DIRECTIONS {
        let gd = with_direction(&g, d);
        let l = layout(&gd, &LayoutOptions::default());
        check_invariants(&gd, &l).unwrap_or_else(|e| panic!("{d:?}: {e}"));
        // Self-loops leave the node and come back.
        for i in [0, 1, 5] {
            let p = &l.edges[i].points;
            assert!(p.len() >= 3, "loop {i} {d:?}");
        }
        // Parallel edges do not coincide.
        assert_ne!(l.edges[2].points, l.edges[3].points);
        assert_ne!(l.edges[3].points, l.edges[4].points);
    }
}

#[test]
fn long_edges_with_labels_route_around_nodes() {
    let src = "flowchart TD\nA --> B --> C --> D --> E\nA -->|a long way round| E\nB -->|skip| D\nA --> C";
    let g = ok(src);
    for d in DIRECTIONS {
        let gd = with_direction(&g, d);
        let l = layout(&gd, &LayoutOptions::default());
        check_invariants(&gd, &l).unwrap_or_else(|e| panic!("{d:?}: {e}"));
    }
}

#[test]
fn wide_and_disconnected_graphs() {
    let mut src = String::from("flowchart LR\n");
    for i in 0..12 {
        src.push_str(&format!(
            "R --> N{i}[Node number {i} with a rather long label to wrap]\n"
        ));
    }
    src.push_str("X((alone))\nY{Another part} -.-> Z\n");
    let g = ok(&src);
    for d in DIRECTIONS {
        let gd = with_direction(&g, d);
        let l = layout(&gd, &LayoutOptions::default());
        check_invariants(&gd, &l).unwrap_or_else(|e| panic!("{d:?}: {e}"));
    }
}

#[test]
fn node_sizes() {
    let o = LayoutOptions::default();
    let g = ok("flowchart TD\nA[Short]\nB{Short}\nC((Short))\nD([Short])\nE[Supercalifragilisticexpialidociousnessandmorebeyondthewidth]\nF[A label that is long enough to need wrapping onto several lines of text]");
    let l = layout(&g, &o);
    let adv = o.font_size * o.char_width;
    let line = o.font_size * o.line_height;
    let a = &l.nodes[0];
    assert!((a.width - (5.0 * adv + 2.0 * o.padding_x)).abs() < 1e-9);
    assert!((a.height - (line + 2.0 * o.padding_y)).abs() < 1e-9);
    let b = &l.nodes[1];
    assert!(b.width >= 1.5 * a.width - 1e-9 && b.height >= 1.5 * a.height - 1e-9);
    let c = &l.nodes[2];
    assert_eq!(c.width, c.height);
    assert!(c.width >= a.width);
    let dd = &l.nodes[3];
    assert!(dd.width > a.width);
    let max_chars = (o.max_label_width / adv).floor() as usize;
    for n in &l.nodes[4..] {
        assert!(n.lines.len() > 1, "{n:?}");
        assert!(
            n.lines.iter().all(|s| s.chars().count() <= max_chars),
            "{n:?}"
        );
        assert!(n.width <= o.max_label_width + 2.0 * o.padding_x + 1e-9);
    }
    // A long word is broken, not lost.
    assert_eq!(
        l.nodes[4].lines.concat(),
        "Supercalifragilisticexpialidociousnessandmorebeyondthewidth"
    );
    // Words are kept whole and in order.
    assert_eq!(
        l.nodes[5].lines.join(" "),
        "A label that is long enough to need wrapping onto several lines of text"
    );
    // Explicit line breaks are kept.
    let g = ok("flowchart TD\nA[one<br>two]");
    assert_eq!(layout(&g, &o).nodes[0].lines, vec!["one", "two"]);
}

#[test]
fn text_fits_in_diamonds_and_circles() {
    let o = LayoutOptions::default();
    let g = ok("flowchart TD\nA{Was the defendant under a duty to act at all?}\nB((A circle with a long label))\nC{x}");
    let l = layout(&g, &o);
    let adv = o.font_size * o.char_width;
    let lh = o.font_size * o.line_height;
    for b in &l.nodes {
        let tw = b.lines.iter().map(|s| s.chars().count()).max().unwrap() as f64 * adv;
        let th = b.lines.len() as f64 * lh;
        // Corners of the text block are inside the outline.
        assert!(
            inside_shape(b.shape, b.width, b.height, tw / 2.0, th / 2.0),
            "{b:?}"
        );
    }
}

#[test]
fn scaled_layout() {
    let g = ok(SPEC_EXAMPLE);
    let l = layout(&g, &LayoutOptions::default());
    let s = l.scaled(0.5);
    assert_eq!(s.width, l.width * 0.5);
    assert_eq!(s.height, l.height * 0.5);
    assert_eq!(s.font_size, l.font_size * 0.5);
    assert_eq!(s.edge_label_font_size, l.edge_label_font_size * 0.5);
    assert_eq!(s.line_height, l.line_height);
    assert_eq!(s.nodes[1].x, l.nodes[1].x * 0.5);
    assert_eq!(
        s.edges[2].points[1],
        (l.edges[2].points[1].0 * 0.5, l.edges[2].points[1].1 * 0.5)
    );
    assert_eq!(s.nodes[1].lines, l.nodes[1].lines);
    check_invariants(&g, &l.scaled(2.0)).unwrap();
    assert_eq!(l.scaled(f64::NAN), l);
    assert_eq!(l.scaled(-1.0), l);
    assert_eq!(l.scaled(1.0), l);
}

#[test]
fn deterministic() {
    for src in [SPEC_EXAMPLE, IRAC_EXAMPLE] {
        let g = ok(src);
        let a = layout(&g, &LayoutOptions::default());
        let b = layout(&g.clone(), &LayoutOptions::default());
        assert_eq!(a, b);
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }
}

#[test]
fn degenerate_inputs_do_not_panic() {
    let empty = Graph {
        direction: Direction::TopDown,
        nodes: vec![],
        edges: vec![Edge {
            from: 0,
            to: 3,
            kind: EdgeKind::Arrow,
            label: Some("x".into()),
            span: 0..0,
        }],
        title: None,
        description: None,
        description_span: None,
    };
    let l = layout(&empty, &LayoutOptions::default());
    assert_eq!(l.nodes.len(), 0);
    assert_eq!(l.edges.len(), 1);
    assert!(l.edges[0].points.is_empty());
    assert_eq!((l.width, l.height), (0.0, 0.0));

    let mut g = ok(SPEC_EXAMPLE);
    g.edges.push(Edge {
        from: 0,
        to: 99,
        kind: EdgeKind::Line,
        label: None,
        span: 0..0,
    });
    g.nodes[0].label = String::new();
    let l = layout(&g, &LayoutOptions::default());
    assert!(l.edges[5].points.is_empty());
    let bad = LayoutOptions {
        font_size: f64::NAN,
        char_width: -1.0,
        line_height: f64::INFINITY,
        max_label_width: 0.0,
        padding_x: -5.0,
        padding_y: 1e300,
        rank_gap: f64::NEG_INFINITY,
        node_gap: 0.0,
        edge_label_font_size: 0.0,
    };
    let g = ok(IRAC_EXAMPLE);
    let l = layout(&g, &bad);
    check_invariants(&g, &l).unwrap();
    assert!(l.width.is_finite() && l.height.is_finite());
}

/// A rounded, readable dump of a layout for snapshots.
fn dump(g: &Graph, l: &Layout) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "size {:.1} x {:.1}", l.width, l.height);
    for b in &l.nodes {
        let _ = writeln!(
            s,
            "node {} {:?} at ({:.1}, {:.1}) size {:.1} x {:.1} lines {:?}",
            g.nodes[b.node].id, b.shape, b.x, b.y, b.width, b.height, b.lines
        );
    }
    for p in &l.edges {
        let e = &g.edges[p.edge];
        let pts: Vec<String> = p
            .points
            .iter()
            .map(|(x, y)| format!("({x:.1}, {y:.1})"))
            .collect();
        let _ = writeln!(
            s,
            "edge {} -> {} {:?}: {}",
            g.nodes[e.from].id,
            g.nodes[e.to].id,
            p.kind,
            pts.join(" ")
        );
        if let Some(lb) = &p.label {
            let _ = writeln!(
                s,
                "  label {:?} at ({:.1}, {:.1}) size {:.1} x {:.1}",
                lb.lines, lb.x, lb.y, lb.width, lb.height
            );
        }
    }
    s
}

#[test]
fn spec_example_layout_snapshot() {
    let g = ok(SPEC_EXAMPLE);
    let l = layout(&g, &LayoutOptions::default());
    insta::assert_snapshot!("spec_example_td", dump(&g, &l));
    let lr = with_direction(&g, Direction::LeftRight);
    insta::assert_snapshot!(
        "spec_example_lr",
        dump(&lr, &layout(&lr, &LayoutOptions::default()))
    );
}

// ---------------------------------------------------------------------------------------
// Property tests

/// Source made of flowchart-ish fragments, to reach deep into the parser.
fn mermaidish() -> impl Strategy<Value = String> {
    let frag = prop::sample::select(vec![
        "flowchart",
        "graph",
        " TD",
        " LR",
        "\n",
        "\r\n",
        " ",
        ";",
        "A",
        "B",
        "c-d",
        "é",
        "[",
        "]",
        "(",
        ")",
        "{",
        "}",
        "((",
        "))",
        "([",
        "])",
        "\"",
        "|",
        "-->",
        "---",
        "-.->",
        "==>",
        "--",
        "-.",
        ".->",
        "==",
        "-",
        ".",
        "=",
        ">",
        "<",
        "&",
        ":::",
        "%%",
        "accTitle:",
        "accDescr:",
        "accDescr {",
        "subgraph",
        "end",
        "<br>",
        "#quot;",
        "#",
        "text",
        "o",
        "x",
        "~~~",
        "@{",
    ]);
    prop::collection::vec(frag, 0..40).prop_map(|v| v.concat())
}

fn arb_shape() -> impl Strategy<Value = Shape> {
    prop::sample::select(vec![
        Shape::Box,
        Shape::Rounded,
        Shape::Stadium,
        Shape::Circle,
        Shape::Decision,
    ])
}

fn arb_kind() -> impl Strategy<Value = EdgeKind> {
    prop::sample::select(vec![
        EdgeKind::Arrow,
        EdgeKind::Line,
        EdgeKind::Dotted,
        EdgeKind::Thick,
    ])
}

fn arb_direction() -> impl Strategy<Value = Direction> {
    prop::sample::select(DIRECTIONS.to_vec())
}

fn arb_label() -> impl Strategy<Value = String> {
    let word = prop::sample::select(vec![
        "Duty",
        "to",
        "act?",
        "No",
        "Yes",
        "s 1(1)",
        "Theft Act 1968",
        "reasonable",
        "foreseeability",
        "Supercalifragilisticexpialidociousnessandmore",
        "é",
        "a\nb",
        "",
    ]);
    prop::collection::vec(word, 0..8).prop_map(|w| w.join(" "))
}

/// A random graph: `dag` keeps every edge going from a lower to a higher node index.
fn arb_graph(dag: bool) -> impl Strategy<Value = Graph> {
    (1usize..10, arb_direction()).prop_flat_map(move |(n, direction)| {
        let nodes = prop::collection::vec((arb_shape(), arb_label()), n);
        let edges = prop::collection::vec(
            (
                0..n,
                0..n,
                arb_kind(),
                prop::option::weighted(0.4, arb_label()),
            ),
            0..(2 * n + 3),
        );
        (nodes, edges).prop_map(move |(nodes, edges)| {
            let nodes = nodes
                .into_iter()
                .enumerate()
                .map(|(i, (shape, label))| Node {
                    id: format!("n{i}"),
                    label: if label.trim().is_empty() {
                        format!("n{i}")
                    } else {
                        label
                    },
                    shape,
                    span: 0..0,
                })
                .collect();
            let edges = edges
                .into_iter()
                .filter_map(|(a, b, kind, label)| {
                    let (from, to) = if dag {
                        if a == b {
                            return None;
                        }
                        (a.min(b), a.max(b))
                    } else {
                        (a, b)
                    };
                    Some(Edge {
                        from,
                        to,
                        kind,
                        label: label.filter(|l| !l.trim().is_empty()),
                        span: 0..0,
                    })
                })
                .collect();
            Graph {
                direction,
                nodes,
                edges,
                title: None,
                description: None,
                description_span: None,
            }
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        // PROPTEST_CASES raises it for a longer soak.
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    })]

    #[test]
    fn parse_never_panics(src in any::<String>()) {
        let _ = parse(&src);
    }

    #[test]
    fn parse_never_panics_on_flowchart_fragments(src in mermaidish()) {
        let _ = parse(&src);
        let _ = parse(&format!("flowchart TD\n{src}"));
    }

    #[test]
    fn parse_errors_have_valid_spans(src in mermaidish()) {
        let src = format!("flowchart TD\n{src}");
        match parse(&src) {
            Ok(g) => {
                for n in &g.nodes {
                    prop_assert!(src.get(n.span.clone()).is_some());
                }
                for e in &g.edges {
                    prop_assert!(e.from < g.nodes.len() && e.to < g.nodes.len());
                    prop_assert!(src.get(e.span.clone()).is_some());
                }
                // Everything parsed lays out.
                let l = layout(&g, &LayoutOptions::default());
                prop_assert!(check_invariants(&g, &l).is_ok(), "{:?}", check_invariants(&g, &l));
            }
            Err(errs) => {
                prop_assert!(!errs.is_empty());
                for e in &errs {
                    prop_assert!(src.get(e.span.clone()).is_some(), "{:?}", e);
                    prop_assert!(!e.message.is_empty());
                }
            }
        }
    }

    #[test]
    fn layout_invariants_hold(g in arb_graph(false)) {
        let l = layout(&g, &LayoutOptions::default());
        if let Err(e) = check_invariants(&g, &l) {
            prop_assert!(false, "{}\n{:#?}\n{:#?}", e, g, l);
        }
    }

    #[test]
    fn dags_flow_forward(g in arb_graph(true)) {
        let mut g = g;
        g.direction = Direction::TopDown;
        let l = layout(&g, &LayoutOptions::default());
        prop_assert!(check_invariants(&g, &l).is_ok(), "{:?}", check_invariants(&g, &l));
        for (i, e) in g.edges.iter().enumerate() {
            let (a, b) = (&l.nodes[e.from], &l.nodes[e.to]);
            // The target's rank is below the source's.
            prop_assert!(b.y >= a.y + a.height - TOL, "edge {}", i);
            // The path never goes back up.
            for seg in l.edges[i].points.windows(2) {
                prop_assert!(seg[1].1 >= seg[0].1 - TOL, "edge {} goes up", i);
            }
        }
    }

    #[test]
    fn layout_is_deterministic(g in arb_graph(false)) {
        let a = layout(&g, &LayoutOptions::default());
        let b = layout(&g, &LayoutOptions::default());
        prop_assert_eq!(a, b);
    }

    #[test]
    fn layout_invariants_hold_with_other_options(
        g in arb_graph(false),
        font in 4.0f64..20.0,
        gap in 0.0f64..60.0,
        width in 10.0f64..300.0,
    ) {
        let o = LayoutOptions {
            font_size: font,
            max_label_width: width,
            rank_gap: gap,
            node_gap: gap / 2.0,
            ..LayoutOptions::default()
        };
        let l = layout(&g, &o);
        if let Err(e) = check_invariants(&g, &l) {
            prop_assert!(false, "{}\n{:#?}", e, g);
        }
    }
}

/// A plain SVG drawing of a layout, for looking at layouts while working on them.
fn debug_svg(l: &Layout) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}"><rect width="{w}" height="{h}" fill="white"/>"#,
        w = l.width,
        h = l.height
    );
    let esc = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;");
    for b in &l.nodes {
        let (cx, cy) = centre(b);
        let shape = match b.shape {
            Shape::Box => format!(
                r#"<rect x="{}" y="{}" width="{}" height="{}""#,
                b.x, b.y, b.width, b.height
            ),
            Shape::Rounded => format!(
                r#"<rect rx="5" x="{}" y="{}" width="{}" height="{}""#,
                b.x, b.y, b.width, b.height
            ),
            Shape::Stadium => format!(
                r#"<rect rx="{}" x="{}" y="{}" width="{}" height="{}""#,
                b.height / 2.0,
                b.x,
                b.y,
                b.width,
                b.height
            ),
            Shape::Circle => format!(r#"<circle cx="{cx}" cy="{cy}" r="{}""#, b.width / 2.0),
            Shape::Decision => format!(
                r#"<polygon points="{cx},{} {},{cy} {cx},{} {},{cy}""#,
                b.y,
                b.x + b.width,
                b.y + b.height,
                b.x
            ),
        };
        let _ = writeln!(
            s,
            r##"{shape} fill="#eef" stroke="black" stroke-width="0.8"/>"##
        );
        let lh = l.font_size * l.line_height;
        let top = cy - lh * b.lines.len() as f64 / 2.0;
        for (i, line) in b.lines.iter().enumerate() {
            let _ = writeln!(
                s,
                r#"<text x="{cx}" y="{}" font-size="{}" font-family="sans-serif" text-anchor="middle" dominant-baseline="central">{}</text>"#,
                top + lh * (i as f64 + 0.5),
                l.font_size,
                esc(line)
            );
        }
    }
    for p in &l.edges {
        let pts: Vec<String> = p.points.iter().map(|(x, y)| format!("{x},{y}")).collect();
        let dash = match p.kind {
            EdgeKind::Dotted => r#" stroke-dasharray="2 2""#,
            _ => "",
        };
        let width = if p.kind == EdgeKind::Thick { 2.0 } else { 0.8 };
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="black" stroke-width="{width}"{dash}/>"#,
            pts.join(" ")
        );
        if p.kind.has_arrowhead() && p.points.len() >= 2 {
            let (a, b) = (p.points[p.points.len() - 2], p.points[p.points.len() - 1]);
            let len = (b.0 - a.0).hypot(b.1 - a.1).max(1e-9);
            let (ux, uy) = ((b.0 - a.0) / len, (b.1 - a.1) / len);
            let (l1, l2) = (
                (b.0 - 6.0 * ux - 3.0 * uy, b.1 - 6.0 * uy + 3.0 * ux),
                (b.0 - 6.0 * ux + 3.0 * uy, b.1 - 6.0 * uy - 3.0 * ux),
            );
            let _ = writeln!(
                s,
                r#"<polygon points="{},{} {},{} {},{}"/>"#,
                b.0, b.1, l1.0, l1.1, l2.0, l2.1
            );
        }
        if let Some(lb) = &p.label {
            let _ = writeln!(
                s,
                r##"<rect x="{}" y="{}" width="{}" height="{}" fill="white" stroke="#ccc" stroke-width="0.3"/>"##,
                lb.x, lb.y, lb.width, lb.height
            );
            let lh = l.edge_label_font_size * l.line_height;
            for (i, line) in lb.lines.iter().enumerate() {
                let _ = writeln!(
                    s,
                    r#"<text x="{}" y="{}" font-size="{}" font-family="sans-serif" text-anchor="middle" dominant-baseline="central">{}</text>"#,
                    lb.x + lb.width / 2.0,
                    lb.y + (lb.height - lh * lb.lines.len() as f64) / 2.0 + lh * (i as f64 + 0.5),
                    l.edge_label_font_size,
                    esc(line)
                );
            }
        }
    }
    s.push_str("</svg>\n");
    s
}

/// Writes SVG drawings of the example layouts to `$CASEBOOK_DIAGRAM_SVG_DIR` (or the system
/// temporary folder): `cargo test --lib diagram::tests::write_debug_svgs -- --ignored`.
#[test]
#[ignore]
fn write_debug_svgs() {
    let dir = std::env::var_os("CASEBOOK_DIAGRAM_SVG_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let examples = [
        ("spec", SPEC_EXAMPLE.to_string()),
        ("irac", IRAC_EXAMPLE.to_string()),
        ("loops", "flowchart TD\nA[Start] --> A\nA -->|again| A\nA --> B{Check}\nA --> B\nA -->|third| B\nB -->|loop| B\nB --> A".to_string()),
        ("long", "flowchart TD\nA --> B --> C --> D --> E\nA -->|a long way round| E\nB -->|skip| D\nA --> C".to_string()),
    ];
    for (name, src) in examples {
        let g = ok(&src);
        for d in DIRECTIONS {
            let gd = with_direction(&g, d);
            let l = layout(&gd, &LayoutOptions::default());
            let path = dir.join(format!("diagram-{name}-{d:?}.svg"));
            std::fs::write(&path, debug_svg(&l)).unwrap();
        }
    }
}

#[test]
fn large_graph() {
    // A few hundred nodes and edges, some long and some backwards, in reasonable time.
    let mut src = String::from("flowchart TD\n");
    let n = 150;
    let mut seed: u64 = 42;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    for i in 0..n {
        src.push_str(&format!("N{i}[Node {i}]\n"));
    }
    for i in 0..n * 2 {
        let a = next() % n;
        let b = next() % n;
        if i % 5 == 0 {
            src.push_str(&format!("N{a} -->|edge {i}| N{b}\n"));
        } else {
            src.push_str(&format!("N{a} --> N{b}\n"));
        }
    }
    let g = ok(&src);
    let start = std::time::Instant::now();
    let l = layout(&g, &LayoutOptions::default());
    let took = start.elapsed();
    check_invariants(&g, &l).unwrap();
    eprintln!(
        "large graph: {} nodes, {} edges, {took:?}",
        g.nodes.len(),
        g.edges.len()
    );
}
