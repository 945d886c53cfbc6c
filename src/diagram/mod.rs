//! Diagrams: the Mermaid flowchart subset of the source format (spec section 2.3).
//!
//! A ` ```mermaid ` fence in a chapter holds a flowchart written in a small, well-defined
//! subset of Mermaid, so that the same source previews on GitHub and in Obsidian. This module
//! turns that text into a [`Graph`] ([`parse`]) and the graph into pure geometry ([`layout`]),
//! which both renderers (Typst drawing primitives for the PDF, SVG for the EPUB) draw the same
//! way.
//!
//! Everything here is pure and deterministic: the same input always gives the same output, no
//! hash-map iteration order reaches the output, and no input makes either function panic.
//!
//! # The subset
//!
//! * header: `flowchart DIR` or `graph DIR`, DIR one of `TD`, `TB`, `BT`, `LR`, `RL`;
//! * node shapes `A[box]`, `A(rounded)`, `A([stadium])`, `A((circle))`, `A{decision}`, labels
//!   optionally quoted (`A["s 1(1) applies"]`), `<br>` for a line break, `#quot;`-style entity
//!   codes; a bare id is a box labelled with its id;
//! * edges `-->`, `---`, `-.->`, `==>` (longer forms such as `--->` are accepted as the same
//!   kind), labelled as `-->|text|` or `-- text -->` (`-. text .->`, `== text ==>`), chained
//!   as `A --> B --> C`;
//! * `%%` comments, `accTitle: text`, `accDescr: text`, `accDescr { ... }`, `;` separators.
//!
//! Everything else (subgraphs, styling, click handlers, other diagram types, other arrow
//! forms, `&`) is reported as a [`DiagramError`] pointing at the offending line.
//!
//! # Geometry
//!
//! [`layout`] is a layered (Sugiyama-style) layout in points, origin top-left, y down. Edge
//! labels sit on their edge (centred on the line); renderers should paint a background behind
//! them. Rounded and stadium corners are a renderer's choice; edges are clipped to the exact
//! outline of diamonds, circles and stadiums, and to the bounding box of boxes and rounded
//! boxes.

mod layout;
mod parse;
#[cfg(test)]
mod tests;

use std::fmt;
use std::ops::Range;

use serde::Serialize;

pub use layout::layout;
pub use parse::parse;

/// The direction a flowchart flows in (the `TD` in `flowchart TD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Direction {
    /// `TD` or `TB`: top to bottom.
    TopDown,
    /// `BT`: bottom to top.
    BottomUp,
    /// `LR`: left to right.
    LeftRight,
    /// `RL`: right to left.
    RightLeft,
}

/// The outline of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Shape {
    /// `A[text]`: a rectangle (also a node mentioned by its id alone).
    Box,
    /// `A(text)`: a rectangle with rounded corners.
    Rounded,
    /// `A([text])`: a stadium (pill): a rectangle with semicircular ends.
    Stadium,
    /// `A((text))`: a circle; its layout box is a square.
    Circle,
    /// `A{text}`: a diamond (rhombus) touching the midpoints of its layout box's sides.
    Decision,
}

/// How an edge is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum EdgeKind {
    /// `-->`: a solid line with an arrowhead at the target.
    Arrow,
    /// `---`: a solid line without an arrowhead.
    Line,
    /// `-.->`: a dotted line with an arrowhead at the target.
    Dotted,
    /// `==>`: a thick line with an arrowhead at the target.
    Thick,
}

impl EdgeKind {
    /// Whether the edge ends in an arrowhead at its target.
    pub fn has_arrowhead(self) -> bool {
        !matches!(self, EdgeKind::Line)
    }
}

/// A node of a flowchart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    /// The id the source uses for the node (`A` in `A[Text]`).
    pub id: String,
    /// The label, trimmed, `<br>` turned into `'\n'`, entity codes decoded; the id when the
    /// source never gives a label. Markdown is not interpreted.
    pub label: String,
    /// The outline.
    pub shape: Shape,
    /// Byte range in the diagram source where the node is defined (its first mention with a
    /// label), or first mentioned if it never gets a label.
    pub span: Range<usize>,
}

/// An edge of a flowchart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edge {
    /// Index into [`Graph::nodes`] of the source.
    pub from: usize,
    /// Index into [`Graph::nodes`] of the target.
    pub to: usize,
    /// How the edge is drawn.
    pub kind: EdgeKind,
    /// The label, if any (trimmed, `<br>` as `'\n'`).
    pub label: Option<String>,
    /// Byte range in the diagram source, from the source node's reference to the target's.
    pub span: Range<usize>,
}

/// A parsed flowchart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Graph {
    /// The direction from the header.
    pub direction: Direction,
    /// The nodes, in order of first appearance.
    pub nodes: Vec<Node>,
    /// The edges, in source order (a chain `A --> B --> C` gives two edges).
    pub edges: Vec<Edge>,
    /// `accTitle:`, the diagram's caption.
    pub title: Option<String>,
    /// `accDescr:` or `accDescr { ... }`, the diagram's alt text (the lines of a block are
    /// trimmed and joined with `'\n'`).
    pub description: Option<String>,
    /// Byte range of the description's text in the diagram source.
    pub description_span: Option<Range<usize>>,
}

/// A problem in a diagram's source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiagramError {
    /// Byte range within the string given to [`parse`] (the offending token, or the trimmed
    /// line).
    pub span: Range<usize>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it, if there is something useful to say.
    pub hint: Option<String>,
}

impl fmt::Display for DiagramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for DiagramError {}

/// Sizes and spacing for [`layout`], in points unless stated otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LayoutOptions {
    /// Font size of node labels (default 9).
    pub font_size: f64,
    /// Average advance of a character as a fraction of the font size (default 0.55).
    pub char_width: f64,
    /// Line height as a fraction of the font size (default 1.3).
    pub line_height: f64,
    /// Width at which labels wrap (default 130); decision labels wrap at 60% of it, so that
    /// their diamonds stay reasonably proportioned.
    pub max_label_width: f64,
    /// Space between a node's text and its box, left and right (default 8).
    pub padding_x: f64,
    /// Space between a node's text and its box, top and bottom (default 5).
    pub padding_y: f64,
    /// Minimum space between consecutive ranks (default 36); it grows to fit edge labels.
    pub rank_gap: f64,
    /// Minimum space between neighbouring nodes of a rank (default 24).
    pub node_gap: f64,
    /// Font size of edge labels (default 8).
    pub edge_label_font_size: f64,
}

impl Default for LayoutOptions {
    fn default() -> Self {
        LayoutOptions {
            font_size: 9.0,
            char_width: 0.55,
            line_height: 1.3,
            max_label_width: 130.0,
            padding_x: 8.0,
            padding_y: 5.0,
            rank_gap: 36.0,
            node_gap: 24.0,
            edge_label_font_size: 8.0,
        }
    }
}

/// Where a node is drawn.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeBox {
    /// Index into [`Graph::nodes`].
    pub node: usize,
    /// Left edge of the box.
    pub x: f64,
    /// Top edge of the box.
    pub y: f64,
    /// Width of the box.
    pub width: f64,
    /// Height of the box.
    pub height: f64,
    /// The outline to draw inside the box (a diamond or circle fills it).
    pub shape: Shape,
    /// The label's lines, wrapped by words to the maximum label width (a longer word is
    /// broken); draw them centred in the box, `font_size * line_height` apart (see
    /// [`Layout::font_size`], [`Layout::line_height`]).
    pub lines: Vec<String>,
}

/// Where an edge is drawn.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EdgePath {
    /// Index into [`Graph::edges`].
    pub edge: usize,
    /// A polyline from the border of the source's outline to the border of the target's; the
    /// last segment ends at the target so an arrowhead can be drawn there. Empty only for an
    /// edge whose node indices are out of range.
    pub points: Vec<(f64, f64)>,
    /// How the edge is drawn.
    pub kind: EdgeKind,
    /// The label, if the edge has one.
    pub label: Option<EdgeLabel>,
}

/// Where an edge's label is drawn.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EdgeLabel {
    /// The label's lines, wrapped; draw them centred in the box at
    /// [`Layout::edge_label_font_size`].
    pub lines: Vec<String>,
    /// Left edge of the label's box.
    pub x: f64,
    /// Top edge of the label's box.
    pub y: f64,
    /// Width of the label's box.
    pub width: f64,
    /// Height of the label's box. The box overlaps no node box; it sits on its edge's line,
    /// so paint a background behind the text.
    pub height: f64,
}

/// The geometry of a laid-out flowchart, in points, origin top-left, y down.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Layout {
    /// Width of the drawing; every box, label and edge point lies within `0..=width`.
    pub width: f64,
    /// Height of the drawing; every box, label and edge point lies within `0..=height`.
    pub height: f64,
    /// One box per node, in the order of [`Graph::nodes`].
    pub nodes: Vec<NodeBox>,
    /// One path per edge, in the order of [`Graph::edges`].
    pub edges: Vec<EdgePath>,
    /// Font size for node labels (the option, times any [`Layout::scaled`] factor).
    pub font_size: f64,
    /// Font size for edge labels (the option, times any [`Layout::scaled`] factor).
    pub edge_label_font_size: f64,
    /// Line height as a fraction of the font size (unchanged by scaling).
    pub line_height: f64,
}

impl Layout {
    /// The same drawing uniformly scaled by `factor` (to fit a page). Sizes, positions and
    /// font sizes are scaled; a factor that is not a positive finite number leaves the layout
    /// unchanged.
    pub fn scaled(&self, factor: f64) -> Layout {
        let k = if factor.is_finite() && factor > 0.0 {
            factor
        } else {
            1.0
        };
        Layout {
            width: self.width * k,
            height: self.height * k,
            nodes: self
                .nodes
                .iter()
                .map(|n| NodeBox {
                    node: n.node,
                    x: n.x * k,
                    y: n.y * k,
                    width: n.width * k,
                    height: n.height * k,
                    shape: n.shape,
                    lines: n.lines.clone(),
                })
                .collect(),
            edges: self
                .edges
                .iter()
                .map(|e| EdgePath {
                    edge: e.edge,
                    points: e.points.iter().map(|&(x, y)| (x * k, y * k)).collect(),
                    kind: e.kind,
                    label: e.label.as_ref().map(|l| EdgeLabel {
                        lines: l.lines.clone(),
                        x: l.x * k,
                        y: l.y * k,
                        width: l.width * k,
                        height: l.height * k,
                    }),
                })
                .collect(),
            font_size: self.font_size * k,
            edge_label_font_size: self.edge_label_font_size * k,
            line_height: self.line_height,
        }
    }
}
