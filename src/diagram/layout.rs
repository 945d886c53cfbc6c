//! A layered (Sugiyama-style) layout of a flowchart, independent of any renderer.
//!
//! The layout is computed in an abstract frame where ranks run down the *main* axis and the
//! nodes of a rank sit side by side along the *cross* axis (top-down). `LR`, `RL` and `BT` are
//! the same layout with the frame rotated or mirrored at the end; a node's box is never
//! rotated (for `LR` its width runs along the main axis), and text is always horizontal.
//!
//! Steps:
//!
//! 1. Cycles are broken by reversing the back edges a depth-first search finds, visiting nodes
//!    and edges in source order. Reversed edges are drawn pointing back up.
//! 2. Ranks by longest path; sources are then pulled down next to their highest successor.
//! 3. Edges spanning several ranks get a dummy vertex on each rank they cross; a labelled long
//!    edge carries its label on its middle dummy, which reserves the label's room.
//! 4. Crossings are reduced by barycenter sweeps (alternately down and up, stable sort so
//!    ties keep the current order) and adjacent swaps, keeping the best order seen.
//! 5. Ranks are bands along the main axis, as thick as their thickest vertex, separated by
//!    `rank_gap` grown to fit the labels of the one-rank edges crossing the gap. Along the
//!    cross axis, Brandes and Köpf's method: vertices are aligned with their median
//!    neighbours into vertical blocks (four ways: above or below, from the left or the right;
//!    segments between dummies win conflicts, so long edges run straight), blocks are
//!    compacted with the gaps (`node_gap` between nodes, half that next to a dummy), and the
//!    four results are balanced.
//! 6. An edge leaves its source at a port on the side facing the next rank, runs straight
//!    along the main axis to the edge of the source's band, crosses each gap as a straight
//!    segment and each intermediate band straight through its dummy, and enters its target
//!    through a port the same way. Segments therefore never cross a node: inside a band they
//!    stay in their own vertex's column, and gaps hold no nodes. The ends are clipped to the
//!    node's outline (diamond, circle and stadium exactly; box and rounded box at the box).
//!    Parallel edges get separate ports. A one-rank edge's label sits at the middle of its
//!    gap segment, labels in the same gap pushed apart along the cross axis. Self-loops are
//!    drawn on the node's far cross side (right for TD/BT, below for LR/RL) in room reserved
//!    for them.

use std::collections::{BTreeMap, BTreeSet};

use super::{Direction, EdgeLabel, EdgePath, Graph, Layout, LayoutOptions, NodeBox, Shape};

/// Space around the whole drawing.
const MARGIN: f64 = 2.0;
/// Space between an edge label's text and its box.
const LABEL_PAD_X: f64 = 3.0;
const LABEL_PAD_Y: f64 = 1.5;
/// Clear space along the main axis on each side of a label in a gap.
const LABEL_CLEARANCE: f64 = 6.0;
/// Minimum space between labels in the same gap.
const LABEL_SEP: f64 = 4.0;
/// Preferred distance between neighbouring ports on one side of a node.
const PORT_GAP: f64 = 8.0;
/// How far the first self-loop reaches beyond its node, and each further one beyond that.
const LOOP_LEN: f64 = 14.0;
const LOOP_STEP: f64 = 8.0;
/// Space between the outermost self-loop and its labels.
const LOOP_LABEL_GAP: f64 = 4.0;
/// Decision labels wrap at this fraction of `max_label_width`.
const DECISION_WRAP: f64 = 0.6;
const ORDER_ITERATIONS: usize = 16;
const TRANSPOSE_PASSES: usize = 4;

/// Lay out a flowchart. Deterministic; never panics, whatever the graph (edges whose node
/// indices are out of range get an empty path) or the options (values that are not finite or
/// out of a sane range are replaced by the defaults).
pub fn layout(g: &Graph, opts: &LayoutOptions) -> Layout {
    Engine::new(g, opts).run()
}

/// Options with every value finite and in a sane range.
fn sanitize(o: &LayoutOptions) -> LayoutOptions {
    let d = LayoutOptions::default();
    let pick = |v: f64, default: f64, lo: f64, hi: f64| {
        if v.is_finite() && v >= lo && v <= hi {
            v
        } else {
            default
        }
    };
    LayoutOptions {
        font_size: pick(o.font_size, d.font_size, 0.01, 1000.0),
        char_width: pick(o.char_width, d.char_width, 0.01, 10.0),
        line_height: pick(o.line_height, d.line_height, 0.01, 10.0),
        max_label_width: pick(o.max_label_width, d.max_label_width, 0.0, 100_000.0),
        padding_x: pick(o.padding_x, d.padding_x, 0.0, 1000.0),
        padding_y: pick(o.padding_y, d.padding_y, 0.0, 1000.0),
        rank_gap: pick(o.rank_gap, d.rank_gap, 0.0, 10_000.0),
        node_gap: pick(o.node_gap, d.node_gap, 0.0, 10_000.0),
        edge_label_font_size: pick(o.edge_label_font_size, d.edge_label_font_size, 0.01, 1000.0),
    }
}

/// Wraps `text` by words so that no line is longer than `max_width` at `advance` per
/// character; a word longer than that is broken. Explicit line breaks are kept.
fn wrap(text: &str, max_width: f64, advance: f64) -> Vec<String> {
    let max_chars = if advance > 0.0 {
        ((max_width / advance) + 1e-9).floor().max(1.0)
    } else {
        1.0
    };
    let max_chars = if max_chars >= 1e9 {
        usize::MAX
    } else {
        max_chars as usize
    };
    let mut lines = Vec::new();
    if text.trim().is_empty() {
        return lines;
    }
    for para in text.split('\n') {
        let mut current = String::new();
        let mut current_len = 0usize;
        let mut any = false;
        for word in para.split_whitespace() {
            any = true;
            let chars: Vec<char> = word.chars().collect();
            if chars.len() > max_chars {
                if current_len > 0 {
                    lines.push(std::mem::take(&mut current));
                }
                let mut chunks = chars.chunks(max_chars).peekable();
                current_len = 0;
                while let Some(chunk) = chunks.next() {
                    let s: String = chunk.iter().collect();
                    if chunks.peek().is_some() {
                        lines.push(s);
                    } else {
                        current_len = chunk.len();
                        current = s;
                    }
                }
            } else if current_len == 0 {
                current = word.to_string();
                current_len = chars.len();
            } else if current_len + 1 + chars.len() <= max_chars {
                current.push(' ');
                current.push_str(word);
                current_len += 1 + chars.len();
            } else {
                lines.push(std::mem::replace(&mut current, word.to_string()));
                current_len = chars.len();
            }
        }
        if current_len > 0 || !any {
            lines.push(current);
        }
    }
    lines
}

/// Width and height of a block of text lines.
fn text_size(lines: &[String], advance: f64, line_px: f64) -> (f64, f64) {
    let longest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    (longest as f64 * advance, lines.len() as f64 * line_px)
}

/// A node's measured size (real frame) and wrapped label.
struct NodeGeom {
    w: f64,
    h: f64,
    shape: Shape,
    lines: Vec<String>,
}

fn measure_node(label: &str, shape: Shape, o: &LayoutOptions) -> NodeGeom {
    let advance = o.font_size * o.char_width;
    // A diamond around a wide, flat block of text is very wide and flat itself: decisions
    // wrap narrower, which keeps them closer to a rhombus and the drawing narrower.
    let wrap_at = match shape {
        Shape::Decision => o.max_label_width * DECISION_WRAP,
        _ => o.max_label_width,
    };
    let max_w = wrap_at.max(advance);
    let lines = wrap(label, max_w, advance);
    let (tw, th) = text_size(&lines, advance, o.font_size * o.line_height);
    let tw = tw.min(max_w);
    let w = tw + 2.0 * o.padding_x;
    let h = th + 2.0 * o.padding_y;
    let (w, h) = match shape {
        Shape::Box | Shape::Rounded => (w, h),
        // Room for the semicircular ends.
        Shape::Stadium => (w.max(tw + h), h),
        Shape::Circle => {
            let d = w
                .max(h)
                .max(tw.hypot(th) + 2.0 * o.padding_x.min(o.padding_y));
            (d, d)
        }
        Shape::Decision => {
            // A diamond scaled by s from the padded box holds the text block when
            // tw/(s w) + th/(s h) <= 1; keep some air, and at least 1.5x.
            let fill = if w > 0.0 { tw / w } else { 0.0 } + if h > 0.0 { th / h } else { 0.0 };
            let s = (fill + 0.25).clamp(1.5, 2.0);
            (w * s, h * s)
        }
    };
    NodeGeom {
        w: w.max(1.0),
        h: h.max(1.0),
        shape,
        lines,
    }
}

/// An edge label's wrapped lines and box size (real frame).
struct LabelGeom {
    lines: Vec<String>,
    w: f64,
    h: f64,
}

fn measure_label(text: &str, o: &LayoutOptions) -> LabelGeom {
    let advance = o.edge_label_font_size * o.char_width;
    let max_w = o.max_label_width.max(advance);
    let lines = wrap(text, max_w, advance);
    let (tw, th) = text_size(&lines, advance, o.edge_label_font_size * o.line_height);
    LabelGeom {
        lines,
        w: tw.min(max_w) + 2.0 * LABEL_PAD_X,
        h: th + 2.0 * LABEL_PAD_Y,
    }
}

/// Whether the point at offset (dx, dy) from the centre lies in (or on) the outline of a
/// `w` x `h` node of the given shape (real frame).
pub(crate) fn inside_shape(shape: Shape, w: f64, h: f64, dx: f64, dy: f64) -> bool {
    let (hw, hh) = (w / 2.0, h / 2.0);
    let (ax, ay) = (dx.abs(), dy.abs());
    if !(ax <= hw && ay <= hh) {
        return false;
    }
    match shape {
        Shape::Box | Shape::Rounded => true,
        Shape::Decision => {
            if hw <= 0.0 || hh <= 0.0 {
                true
            } else {
                ax / hw + ay / hh <= 1.0
            }
        }
        Shape::Circle => {
            let r = hw.min(hh);
            ax * ax + ay * ay <= r * r
        }
        Shape::Stadium => {
            let r = hw.min(hh);
            if hw >= hh {
                let cx = hw - r;
                ax <= cx || (ax - cx).powi(2) + ay * ay <= r * r
            } else {
                let cy = hh - r;
                ay <= cy || ax * ax + (ay - cy).powi(2) <= r * r
            }
        }
    }
}

/// A vertex of the layered graph: a node or a dummy on a long edge.
#[derive(Clone)]
struct Vert {
    rank: usize,
    /// Cross-axis extent to the left of the vertex's position.
    left: f64,
    /// Cross-axis extent to the right (includes self-loops and their labels).
    right: f64,
    /// Main-axis thickness.
    main: f64,
    /// The node, for a real vertex.
    node: Option<usize>,
}

/// An edge of the graph as laid out (not a self-loop).
struct LEdge {
    /// Index into the graph's edges.
    edge: usize,
    /// Whether it was reversed to break a cycle.
    reversed: bool,
    /// Vertices from the layout source to the layout target, dummies between.
    chain: Vec<usize>,
    /// The dummy carrying the label, for a labelled long edge.
    label_vertex: Option<usize>,
}

type Pt = (f64, f64);

/// An edge's points and its label's centre (with the edge's index), in the abstract frame.
type Route = (Vec<Pt>, Option<(Pt, usize)>);

struct Engine<'g> {
    g: &'g Graph,
    o: LayoutOptions,
    horizontal: bool,
    geoms: Vec<NodeGeom>,
    labels: Vec<Option<LabelGeom>>,
    verts: Vec<Vert>,
    ledges: Vec<LEdge>,
    loops: Vec<Vec<usize>>,
    layers: Vec<Vec<usize>>,
    /// Position of each vertex within its layer.
    pos: Vec<usize>,
    /// Neighbours in the rank above / below, with weights.
    ups: Vec<Vec<(usize, f64)>>,
    downs: Vec<Vec<(usize, f64)>>,
    /// Cross-axis coordinate of each vertex.
    x: Vec<f64>,
}

impl<'g> Engine<'g> {
    fn new(g: &'g Graph, opts: &LayoutOptions) -> Self {
        let o = sanitize(opts);
        let horizontal = matches!(g.direction, Direction::LeftRight | Direction::RightLeft);
        let geoms = g
            .nodes
            .iter()
            .map(|n| measure_node(&n.label, n.shape, &o))
            .collect();
        let labels = g
            .edges
            .iter()
            .map(|e| e.label.as_deref().map(|t| measure_label(t, &o)))
            .collect();
        Engine {
            g,
            o,
            horizontal,
            geoms,
            labels,
            verts: Vec::new(),
            ledges: Vec::new(),
            loops: vec![Vec::new(); g.nodes.len()],
            layers: Vec::new(),
            pos: Vec::new(),
            ups: Vec::new(),
            downs: Vec::new(),
            x: Vec::new(),
        }
    }

    /// (cross, main) extents of a real-frame size.
    fn abs_size(&self, w: f64, h: f64) -> (f64, f64) {
        if self.horizontal {
            (h, w)
        } else {
            (w, h)
        }
    }

    /// Whether the abstract offset (dc, dm) from node `n`'s centre is inside its outline.
    fn inside(&self, n: usize, dc: f64, dm: f64) -> bool {
        let gm = &self.geoms[n];
        if self.horizontal {
            inside_shape(gm.shape, gm.w, gm.h, dm, dc)
        } else {
            inside_shape(gm.shape, gm.w, gm.h, dc, dm)
        }
    }

    /// The point where the segment from `inner` (inside node `n`, centred at `centre`) to
    /// `outer` crosses the node's outline (abstract frame).
    fn clip(&self, n: usize, centre: Pt, inner: Pt, outer: Pt) -> Pt {
        let rel = |p: Pt| (p.0 - centre.0, p.1 - centre.1);
        let (oc, om) = rel(outer);
        if self.inside(n, oc, om) {
            return outer;
        }
        let (ic, im) = rel(inner);
        if !self.inside(n, ic, im) {
            return inner;
        }
        let (mut lo, mut hi) = (0.0f64, 1.0f64);
        for _ in 0..60 {
            let mid = (lo + hi) / 2.0;
            let p = (ic + (oc - ic) * mid, im + (om - im) * mid);
            if self.inside(n, p.0, p.1) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        (
            inner.0 + (outer.0 - inner.0) * hi,
            inner.1 + (outer.1 - inner.1) * hi,
        )
    }

    fn run(mut self) -> Layout {
        let n = self.g.nodes.len();
        let mut normal = Vec::new();
        for (i, e) in self.g.edges.iter().enumerate() {
            if e.from >= n || e.to >= n {
                continue;
            }
            if e.from == e.to {
                self.loops[e.from].push(i);
            } else {
                normal.push(i);
            }
        }
        let reversed = self.break_cycles(&normal);
        let ends: Vec<(usize, usize)> = normal
            .iter()
            .map(|&i| {
                let e = &self.g.edges[i];
                if reversed[i] {
                    (e.to, e.from)
                } else {
                    (e.from, e.to)
                }
            })
            .collect();
        let rank = rank_nodes(n, &ends);
        self.build_vertices(&rank, &normal, &ends, &reversed);
        self.order();
        self.place_cross();
        self.finish()
    }

    /// Marks the edges a depth-first search in source order finds going back up the stack.
    fn break_cycles(&self, normal: &[usize]) -> Vec<bool> {
        let n = self.g.nodes.len();
        let mut out: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
        for &i in normal {
            let e = &self.g.edges[i];
            out[e.from].push((i, e.to));
        }
        let mut reversed = vec![false; self.g.edges.len()];
        let mut state = vec![0u8; n];
        for s in 0..n {
            if state[s] != 0 {
                continue;
            }
            state[s] = 1;
            let mut stack: Vec<(usize, usize)> = vec![(s, 0)];
            while let Some(top) = stack.last_mut() {
                let (u, k) = *top;
                if k < out[u].len() {
                    top.1 += 1;
                    let (e, v) = out[u][k];
                    match state[v] {
                        0 => {
                            state[v] = 1;
                            stack.push((v, 0));
                        }
                        1 => reversed[e] = true,
                        _ => {}
                    }
                } else {
                    state[u] = 2;
                    stack.pop();
                }
            }
        }
        reversed
    }

    /// Creates the vertices (nodes, then dummies in edge order) and the layout edges.
    fn build_vertices(
        &mut self,
        rank: &[usize],
        normal: &[usize],
        ends: &[(usize, usize)],
        reversed: &[bool],
    ) {
        for (u, &node_rank) in rank.iter().enumerate() {
            let gm = &self.geoms[u];
            let (c, m) = self.abs_size(gm.w, gm.h);
            let mut right = c / 2.0;
            let mut main = m;
            let loops = &self.loops[u];
            if !loops.is_empty() {
                let reach = c / 2.0 + LOOP_LEN + (loops.len() - 1) as f64 * LOOP_STEP;
                right = right.max(reach);
                let mut stack = 0.0;
                let mut widest: f64 = 0.0;
                let mut labelled = 0;
                for &e in loops {
                    if let Some(l) = &self.labels[e] {
                        let (lc, lm) = self.abs_size(l.w, l.h);
                        widest = widest.max(lc);
                        stack += lm;
                        labelled += 1;
                    }
                }
                if labelled > 0 {
                    stack += 2.0 * (labelled - 1) as f64;
                    right = right.max(reach + LOOP_LABEL_GAP + widest);
                    main = main.max(stack);
                }
            }
            self.verts.push(Vert {
                rank: node_rank,
                left: c / 2.0,
                right,
                main,
                node: Some(u),
            });
        }
        for (k, &i) in normal.iter().enumerate() {
            let (a, b) = ends[k];
            let mut chain = vec![a];
            let (ra, rb) = (rank[a], rank[b]);
            let mut dummies = Vec::new();
            for r in ra + 1..rb {
                let id = self.verts.len();
                self.verts.push(Vert {
                    rank: r,
                    left: 0.0,
                    right: 0.0,
                    main: 0.0,
                    node: None,
                });
                dummies.push(id);
                chain.push(id);
            }
            chain.push(b);
            let mut label_vertex = None;
            if let (Some(l), false) = (&self.labels[i], dummies.is_empty()) {
                let d = dummies[(dummies.len() - 1) / 2];
                let (lc, lm) = self.abs_size(l.w, l.h);
                let v = &mut self.verts[d];
                v.left = lc / 2.0;
                v.right = lc / 2.0;
                v.main = lm;
                label_vertex = Some(d);
            }
            self.ledges.push(LEdge {
                edge: i,
                reversed: reversed[i],
                chain,
                label_vertex,
            });
        }
        let nv = self.verts.len();
        self.ups = vec![Vec::new(); nv];
        self.downs = vec![Vec::new(); nv];
        for le in &self.ledges {
            for pair in le.chain.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                let w = match (self.verts[a].node.is_some(), self.verts[b].node.is_some()) {
                    (true, true) => 1.0,
                    (false, false) => 8.0,
                    _ => 2.0,
                };
                self.downs[a].push((b, w));
                self.ups[b].push((a, w));
            }
        }
        let ranks = self.verts.iter().map(|v| v.rank + 1).max().unwrap_or(0);
        self.layers = vec![Vec::new(); ranks];
        for (id, v) in self.verts.iter().enumerate() {
            self.layers[v.rank].push(id);
        }
        self.pos = vec![0; nv];
    }

    fn refresh_pos(&mut self) {
        for layer in &self.layers {
            for (i, &v) in layer.iter().enumerate() {
                self.pos[v] = i;
            }
        }
    }

    /// Orders the vertices within their ranks to reduce crossings.
    fn order(&mut self) {
        // Initial order: each rank by the leftmost position of its neighbours above.
        self.refresh_pos();
        for r in 1..self.layers.len() {
            let mut keyed: Vec<(f64, usize)> = self.layers[r]
                .iter()
                .map(|&v| {
                    let key = self.ups[v]
                        .iter()
                        .map(|&(u, _)| self.pos[u] as f64)
                        .fold(f64::INFINITY, f64::min);
                    (key, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            self.layers[r] = keyed.into_iter().map(|(_, v)| v).collect();
            for (i, &v) in self.layers[r].iter().enumerate() {
                self.pos[v] = i;
            }
        }
        let mut best = self.layers.clone();
        let mut best_crossings = self.crossings();
        if best_crossings == 0 {
            return;
        }
        for it in 0..ORDER_ITERATIONS {
            let r_count = self.layers.len();
            if it % 2 == 0 {
                for r in 1..r_count {
                    self.sweep(r, true);
                }
            } else {
                for r in (0..r_count.saturating_sub(1)).rev() {
                    self.sweep(r, false);
                }
            }
            self.transpose();
            let c = self.crossings();
            if c < best_crossings {
                best_crossings = c;
                best = self.layers.clone();
                if c == 0 {
                    break;
                }
            }
        }
        self.layers = best;
        self.refresh_pos();
    }

    /// Sorts rank `r` by the barycenter of its neighbours above (`up`) or below.
    fn sweep(&mut self, r: usize, up: bool) {
        let neigh = if up { &self.ups } else { &self.downs };
        let mut keyed: Vec<(f64, usize)> = self.layers[r]
            .iter()
            .map(|&v| {
                let ns = &neigh[v];
                if ns.is_empty() {
                    (self.pos[v] as f64, v)
                } else {
                    let sum: f64 = ns.iter().map(|&(u, _)| self.pos[u] as f64).sum();
                    (sum / ns.len() as f64, v)
                }
            })
            .collect();
        // Stable: ties keep the current order.
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
        self.layers[r] = keyed.into_iter().map(|(_, v)| v).collect();
        for (i, &v) in self.layers[r].iter().enumerate() {
            self.pos[v] = i;
        }
    }

    /// Crossings between edges of `left` and of `right` (to the same neighbouring rank) when
    /// `left` is to the left of `right`.
    fn pair_crossings(&self, left: usize, right: usize, neigh: &[Vec<(usize, f64)>]) -> usize {
        let mut c = 0;
        for &(a, _) in &neigh[left] {
            for &(b, _) in &neigh[right] {
                if self.pos[a] > self.pos[b] {
                    c += 1;
                }
            }
        }
        c
    }

    /// Swaps neighbours in a rank while that reduces crossings.
    fn transpose(&mut self) {
        for _ in 0..TRANSPOSE_PASSES {
            let mut improved = false;
            for r in 0..self.layers.len() {
                for i in 0..self.layers[r].len().saturating_sub(1) {
                    let (v, w) = (self.layers[r][i], self.layers[r][i + 1]);
                    let keep = self.pair_crossings(v, w, &self.ups)
                        + self.pair_crossings(v, w, &self.downs);
                    let swap = self.pair_crossings(w, v, &self.ups)
                        + self.pair_crossings(w, v, &self.downs);
                    if swap < keep {
                        self.layers[r].swap(i, i + 1);
                        self.pos[v] = i + 1;
                        self.pos[w] = i;
                        improved = true;
                    }
                }
            }
            if !improved {
                break;
            }
        }
    }

    /// Total number of crossings between consecutive ranks.
    fn crossings(&self) -> usize {
        let mut total = 0;
        for layer in &self.layers {
            let mut segs: Vec<(usize, usize)> = Vec::new();
            for &v in layer {
                for &(w, _) in &self.downs[v] {
                    segs.push((self.pos[v], self.pos[w]));
                }
            }
            segs.sort_unstable();
            let mut seq: Vec<usize> = segs.into_iter().map(|s| s.1).collect();
            total += count_inversions(&mut seq);
        }
        total
    }

    /// Minimum distance between the positions of neighbours `a` (left) and `b` in a rank.
    fn separation(&self, a: usize, b: usize) -> f64 {
        let (va, vb) = (&self.verts[a], &self.verts[b]);
        let gap = if va.node.is_some() && vb.node.is_some() {
            self.o.node_gap
        } else {
            self.o.node_gap / 2.0
        };
        va.right + vb.left + gap
    }

    /// Assigns cross-axis coordinates by Brandes and Köpf's method: four alignments (to the
    /// median neighbour above or below, scanning from the left or the right), each compacted,
    /// aligned to the narrowest, then balanced (the mean of the two middle candidates).
    fn place_cross(&mut self) {
        let nv = self.verts.len();
        let unique = |lists: &[Vec<(usize, f64)>]| -> Vec<Vec<usize>> {
            lists
                .iter()
                .map(|l| {
                    let mut v: Vec<usize> = l.iter().map(|&(u, _)| u).collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                })
                .collect()
        };
        let preds = unique(&self.ups);
        let succs = unique(&self.downs);
        let conflicts = self.type1_conflicts(&preds);
        let mut candidates: Vec<Vec<f64>> = Vec::with_capacity(4);
        for from_top in [true, false] {
            for from_left in [true, false] {
                let mut layering = self.layers.clone();
                if !from_top {
                    layering.reverse();
                }
                if !from_left {
                    for layer in &mut layering {
                        layer.reverse();
                    }
                }
                let neigh = if from_top { &preds } else { &succs };
                let root = vertical_alignment(&layering, &conflicts, neigh, nv);
                let mut xs = self.horizontal_compaction(&layering, &root, !from_left);
                if !from_left {
                    for x in &mut xs {
                        *x = -*x;
                    }
                }
                candidates.push(xs);
            }
        }
        // Align every candidate to the narrowest: left-scanned ones by their left end,
        // right-scanned ones by their right end.
        let extent = |xs: &[f64]| {
            let mut lo = f64::INFINITY;
            let mut hi = f64::NEG_INFINITY;
            for (v, &x) in xs.iter().enumerate() {
                lo = lo.min(x - self.verts[v].left);
                hi = hi.max(x + self.verts[v].right);
            }
            (lo, hi)
        };
        let values = |xs: &[f64]| {
            let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (lo, hi)
        };
        let mut narrowest = 0;
        let mut best_width = f64::INFINITY;
        for (i, xs) in candidates.iter().enumerate() {
            let (lo, hi) = extent(xs);
            if hi - lo < best_width {
                best_width = hi - lo;
                narrowest = i;
            }
        }
        let (target_lo, target_hi) = values(&candidates[narrowest]);
        for (i, xs) in candidates.iter_mut().enumerate() {
            if i == narrowest || nv == 0 {
                continue;
            }
            let (lo, hi) = values(xs);
            let delta = if i % 2 == 0 {
                target_lo - lo
            } else {
                target_hi - hi
            };
            for x in xs.iter_mut() {
                *x += delta;
            }
        }
        self.x = (0..nv)
            .map(|v| {
                let mut xs = [
                    candidates[0][v],
                    candidates[1][v],
                    candidates[2][v],
                    candidates[3][v],
                ];
                xs.sort_by(f64::total_cmp);
                (xs[1] + xs[2]) / 2.0
            })
            .collect();
    }

    /// Type 1 conflicts: segments between a real vertex and anything that cross an inner
    /// segment (between two dummies). Alignment avoids them so long edges stay straight.
    fn type1_conflicts(&self, preds: &[Vec<usize>]) -> BTreeSet<(usize, usize)> {
        let mut conflicts = BTreeSet::new();
        let is_dummy = |v: usize| self.verts[v].node.is_none();
        for r in 1..self.layers.len() {
            let prev_len = self.layers[r - 1].len();
            let layer = &self.layers[r];
            let mut k0 = 0usize;
            let mut scan = 0usize;
            for (i, &v) in layer.iter().enumerate() {
                let inner = if is_dummy(v) {
                    preds[v].iter().copied().find(|&u| is_dummy(u))
                } else {
                    None
                };
                let k1 = inner.map(|w| self.pos[w]).unwrap_or(prev_len);
                if inner.is_some() || i + 1 == layer.len() {
                    for &u in &layer[scan..=i] {
                        for &up in &preds[u] {
                            let p = self.pos[up];
                            if (p < k0 || k1 < p) && !(is_dummy(u) && is_dummy(up)) {
                                conflicts.insert((up.min(u), up.max(u)));
                            }
                        }
                    }
                    scan = i + 1;
                    k0 = k1;
                }
            }
        }
        conflicts
    }

    /// Places the blocks of an alignment as far left as the separations allow, then pulls
    /// each towards its right neighbour. `reverse`: the layering's ranks are right to left.
    fn horizontal_compaction(
        &self,
        layering: &[Vec<usize>],
        root: &[usize],
        reverse: bool,
    ) -> Vec<f64> {
        let nv = self.verts.len();
        let mut seps: BTreeMap<(usize, usize), f64> = BTreeMap::new();
        for layer in layering {
            for pair in layer.windows(2) {
                let (u, v) = (pair[0], pair[1]);
                let s = if reverse {
                    self.separation(v, u)
                } else {
                    self.separation(u, v)
                };
                let e = seps.entry((root[u], root[v])).or_insert(s);
                *e = e.max(s);
            }
        }
        let mut ins: Vec<Vec<(usize, f64)>> = vec![Vec::new(); nv];
        let mut outs: Vec<Vec<(usize, f64)>> = vec![Vec::new(); nv];
        let mut indeg = vec![0usize; nv];
        for (&(a, b), &s) in &seps {
            outs[a].push((b, s));
            ins[b].push((a, s));
            indeg[b] += 1;
        }
        let blocks: BTreeSet<usize> = (0..nv).map(|v| root[v]).collect();
        let mut ready: BTreeSet<usize> =
            blocks.iter().copied().filter(|&b| indeg[b] == 0).collect();
        let mut topo = Vec::with_capacity(blocks.len());
        let mut done = vec![false; nv];
        while let Some(b) = ready.pop_first() {
            topo.push(b);
            done[b] = true;
            for &(c, _) in &outs[b] {
                indeg[c] -= 1;
                if indeg[c] == 0 {
                    ready.insert(c);
                }
            }
        }
        // Only if the block graph had a cycle (it cannot): place the rest anyway.
        topo.extend(blocks.iter().copied().filter(|&b| !done[b]));
        let mut xs = vec![0.0f64; nv];
        for &b in &topo {
            xs[b] = ins[b].iter().map(|&(a, s)| xs[a] + s).fold(0.0, f64::max);
        }
        for &b in topo.iter().rev() {
            let limit = outs[b]
                .iter()
                .map(|&(c, s)| xs[c] - s)
                .fold(f64::INFINITY, f64::min);
            if limit.is_finite() {
                xs[b] = xs[b].max(limit);
            }
        }
        (0..nv).map(|v| xs[root[v]]).collect()
    }

    /// Main-axis geometry, routing, labels, and the final transform.
    fn finish(self) -> Layout {
        let n = self.g.nodes.len();
        let r_count = self.layers.len();
        // Bands.
        let mut thick = vec![0.0f64; r_count];
        for v in &self.verts {
            if let Some(t) = thick.get_mut(v.rank) {
                *t = t.max(v.main);
            }
        }
        let mut gap_label = vec![0.0f64; r_count];
        for le in &self.ledges {
            if le.chain.len() == 2 {
                if let Some(l) = &self.labels[le.edge] {
                    let (_, lm) = self.abs_size(l.w, l.h);
                    let r = self.verts[le.chain[0]].rank;
                    if let Some(gl) = gap_label.get_mut(r) {
                        *gl = gl.max(lm);
                    }
                }
            }
        }
        let gap: Vec<f64> = gap_label
            .iter()
            .map(|&l| {
                if l > 0.0 {
                    self.o.rank_gap.max(l + 2.0 * LABEL_CLEARANCE)
                } else {
                    self.o.rank_gap
                }
            })
            .collect();
        let mut top = vec![0.0f64; r_count];
        for r in 1..r_count {
            top[r] = top[r - 1] + thick[r - 1] + gap[r - 1];
        }
        let band_top = |r: usize| top.get(r).copied().unwrap_or(0.0);
        let band_bottom = |r: usize| band_top(r) + thick.get(r).copied().unwrap_or(0.0);
        let centre = |v: usize| -> Pt {
            let r = self.verts[v].rank;
            (
                self.x[v],
                band_top(r) + thick.get(r).copied().unwrap_or(0.0) / 2.0,
            )
        };

        // Ports: offsets along the cross axis where edges leave and enter nodes.
        let mut port_out = vec![0.0f64; self.ledges.len()];
        let mut port_in = vec![0.0f64; self.ledges.len()];
        {
            let mut outs: Vec<Vec<usize>> = vec![Vec::new(); n];
            let mut ins: Vec<Vec<usize>> = vec![Vec::new(); n];
            for (k, le) in self.ledges.iter().enumerate() {
                outs[le.chain[0]].push(k);
                ins[le.chain[le.chain.len() - 1]].push(k);
            }
            for u in 0..n {
                let gm = &self.geoms[u];
                let (c, _) = self.abs_size(gm.w, gm.h);
                let usable = match gm.shape {
                    Shape::Box | Shape::Rounded => c * 0.6,
                    _ => c * 0.5,
                };
                for (list, ports, next_of) in [
                    (&mut outs[u], &mut port_out, 1usize),
                    (&mut ins[u], &mut port_in, 0usize),
                ] {
                    let key = |k: usize| {
                        let ch = &self.ledges[k].chain;
                        let other = if next_of == 1 {
                            ch[1]
                        } else {
                            ch[ch.len() - 2]
                        };
                        self.x[other]
                    };
                    list.sort_by(|&a, &b| {
                        key(a)
                            .total_cmp(&key(b))
                            .then(self.ledges[a].edge.cmp(&self.ledges[b].edge))
                    });
                    let count = list.len();
                    if count < 2 {
                        continue;
                    }
                    let step = PORT_GAP.min(usable / (count - 1) as f64);
                    for (i, &k) in list.iter().enumerate() {
                        ports[k] = (i as f64 - (count - 1) as f64 / 2.0) * step;
                    }
                }
            }
        }

        // Edge routes and labels (abstract frame).
        let mut paths: Vec<Option<Route>> = vec![None; self.g.edges.len()];
        // One-rank labels waiting to be spread out: per gap, (desired cross, edge).
        let mut gap_labels: Vec<Vec<(f64, usize)>> = vec![Vec::new(); r_count];
        for (k, le) in self.ledges.iter().enumerate() {
            let a = le.chain[0];
            let b = le.chain[le.chain.len() - 1];
            let (ca, cb) = (centre(a), centre(b));
            let ra = self.verts[a].rank;
            let rb = self.verts[b].rank;
            let a_in = (ca.0 + port_out[k], ca.1);
            let a_out = (ca.0 + port_out[k], band_bottom(ra));
            let b_out = (cb.0 + port_in[k], band_top(rb));
            let b_in = (cb.0 + port_in[k], cb.1);
            let mut pts = vec![self.clip(a, ca, a_in, a_out), a_out];
            for &d in &le.chain[1..le.chain.len() - 1] {
                let r = self.verts[d].rank;
                pts.push((self.x[d], band_top(r)));
                pts.push((self.x[d], band_bottom(r)));
            }
            pts.push(b_out);
            pts.push(self.clip(b, cb, b_in, b_out));
            let mut pts = simplify(pts);
            if le.reversed {
                pts.reverse();
            }
            let label = match (le.label_vertex, &self.labels[le.edge]) {
                (Some(d), Some(_)) => Some((centre(d), le.edge)),
                (None, Some(_)) if le.chain.len() == 2 && ra < r_count => {
                    gap_labels[ra].push(((a_out.0 + b_out.0) / 2.0, le.edge));
                    None
                }
                _ => None,
            };
            paths[le.edge] = Some((pts, label));
        }
        for (r, list) in gap_labels.iter_mut().enumerate() {
            if list.is_empty() {
                continue;
            }
            list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let half = |e: usize| {
                self.labels[e]
                    .as_ref()
                    .map(|l| self.abs_size(l.w, l.h).0 / 2.0)
                    .unwrap_or(0.0)
            };
            let mut offsets = Vec::with_capacity(list.len());
            let mut acc = 0.0;
            for i in 0..list.len() {
                if i > 0 {
                    acc += half(list[i - 1].1) + half(list[i].1) + LABEL_SEP;
                }
                offsets.push(acc);
            }
            let targets: Vec<f64> = list.iter().zip(&offsets).map(|(t, o)| t.0 - o).collect();
            let weights = vec![1.0; list.len()];
            let y = isotonic(&targets, &weights);
            let m = band_bottom(r) + gap.get(r).copied().unwrap_or(0.0) / 2.0;
            for (i, &(_, e)) in list.iter().enumerate() {
                if let Some(Some((_, label))) = paths.get_mut(e) {
                    *label = Some(((y[i] + offsets[i], m), e));
                }
            }
        }
        // Self-loops.
        for u in 0..n {
            let loops = &self.loops[u];
            if loops.is_empty() {
                continue;
            }
            let cu = centre(u);
            let gm = &self.geoms[u];
            let (c, mext) = self.abs_size(gm.w, gm.h);
            let half_c = c / 2.0;
            let half_m = mext / 2.0;
            let reach = half_c + LOOP_LEN + (loops.len() - 1) as f64 * LOOP_STEP;
            let mut stack = 0.0;
            let mut count = 0;
            for &e in loops {
                if let Some(l) = &self.labels[e] {
                    stack += self.abs_size(l.w, l.h).1;
                    count += 1;
                }
            }
            if count > 0 {
                stack += 2.0 * (count - 1) as f64;
            }
            let mut label_m = cu.1 - stack / 2.0;
            for (i, &e) in loops.iter().enumerate() {
                let q = half_m * (0.3 + 0.25 * i as f64).min(0.85);
                let out = half_c + LOOP_LEN + i as f64 * LOOP_STEP;
                let p1 = (cu.0 + out, cu.1 - q);
                let p2 = (cu.0 + out, cu.1 + q);
                let start = self.clip(u, cu, (cu.0, cu.1 - q), p1);
                let end = self.clip(u, cu, (cu.0, cu.1 + q), p2);
                let pts = vec![start, p1, p2, end];
                let label = self.labels[e].as_ref().map(|l| {
                    let (lc, lm) = self.abs_size(l.w, l.h);
                    let at = (cu.0 + reach + LOOP_LABEL_GAP + lc / 2.0, label_m + lm / 2.0);
                    label_m += lm + 2.0;
                    (at, e)
                });
                paths[e] = Some((pts, label));
            }
        }

        // Bounds in the abstract frame.
        let mut cmin = f64::INFINITY;
        let mut cmax = f64::NEG_INFINITY;
        let mut mmin = f64::INFINITY;
        let mut mmax = f64::NEG_INFINITY;
        let mut include = |c0: f64, c1: f64, m0: f64, m1: f64| {
            cmin = cmin.min(c0);
            cmax = cmax.max(c1);
            mmin = mmin.min(m0);
            mmax = mmax.max(m1);
        };
        for u in 0..n {
            let (cc, cm) = centre(u);
            let gm = &self.geoms[u];
            let (c, m) = self.abs_size(gm.w, gm.h);
            include(cc - c / 2.0, cc + c / 2.0, cm - m / 2.0, cm + m / 2.0);
        }
        for (pts, label) in paths.iter().flatten() {
            for &(pc, pm) in pts {
                include(pc, pc, pm, pm);
            }
            if let Some(((lc, lm), e)) = label {
                if let Some(l) = &self.labels[*e] {
                    let (c, m) = self.abs_size(l.w, l.h);
                    include(lc - c / 2.0, lc + c / 2.0, lm - m / 2.0, lm + m / 2.0);
                }
            }
        }
        if !(cmin.is_finite() && cmax.is_finite() && mmin.is_finite() && mmax.is_finite()) {
            cmin = 0.0;
            cmax = 0.0;
            mmin = 0.0;
            mmax = 0.0;
        }
        let dir = self.g.direction;
        let tf = |(c, m): Pt| -> Pt {
            match dir {
                Direction::TopDown => (c - cmin + MARGIN, m - mmin + MARGIN),
                Direction::BottomUp => (c - cmin + MARGIN, mmax - m + MARGIN),
                Direction::LeftRight => (m - mmin + MARGIN, c - cmin + MARGIN),
                Direction::RightLeft => (mmax - m + MARGIN, c - cmin + MARGIN),
            }
        };
        let (span_c, span_m) = (cmax - cmin, mmax - mmin);
        let (width, height) = if n == 0 {
            (0.0, 0.0)
        } else if self.horizontal {
            (span_m + 2.0 * MARGIN, span_c + 2.0 * MARGIN)
        } else {
            (span_c + 2.0 * MARGIN, span_m + 2.0 * MARGIN)
        };
        let nodes = (0..n)
            .map(|u| {
                let gm = &self.geoms[u];
                let (cx, cy) = tf(centre(u));
                NodeBox {
                    node: u,
                    x: cx - gm.w / 2.0,
                    y: cy - gm.h / 2.0,
                    width: gm.w,
                    height: gm.h,
                    shape: gm.shape,
                    lines: gm.lines.clone(),
                }
            })
            .collect();
        let edges = self
            .g
            .edges
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let (points, label) = match &paths[i] {
                    Some((pts, label)) => {
                        let points: Vec<Pt> = pts.iter().map(|&p| tf(p)).collect();
                        let label = label.and_then(|(at, le)| {
                            let l = self.labels[le].as_ref()?;
                            let (cx, cy) = tf(at);
                            Some(EdgeLabel {
                                lines: l.lines.clone(),
                                x: cx - l.w / 2.0,
                                y: cy - l.h / 2.0,
                                width: l.w,
                                height: l.h,
                            })
                        });
                        (points, label)
                    }
                    None => (Vec::new(), None),
                };
                EdgePath {
                    edge: i,
                    points,
                    kind: e.kind,
                    label,
                }
            })
            .collect();
        Layout {
            width,
            height,
            nodes,
            edges,
            font_size: self.o.font_size,
            edge_label_font_size: self.o.edge_label_font_size,
            line_height: self.o.line_height,
        }
    }
}

/// Aligns each vertex with its median neighbour in the previous rank of `layering` (two
/// candidates when the count is even), unless that would cross an earlier alignment or a
/// type 1 conflict. Returns each vertex's block root.
fn vertical_alignment(
    layering: &[Vec<usize>],
    conflicts: &BTreeSet<(usize, usize)>,
    neigh: &[Vec<usize>],
    nv: usize,
) -> Vec<usize> {
    let mut root: Vec<usize> = (0..nv).collect();
    let mut align: Vec<usize> = (0..nv).collect();
    let mut pos = vec![0usize; nv];
    for layer in layering {
        for (i, &v) in layer.iter().enumerate() {
            pos[v] = i;
        }
    }
    for layer in layering {
        let mut prev: Option<usize> = None;
        for &v in layer {
            let mut ws = neigh[v].clone();
            if ws.is_empty() {
                continue;
            }
            ws.sort_by_key(|&w| pos[w]);
            let lo = (ws.len() - 1) / 2;
            let hi = ws.len() / 2;
            for &w in &ws[lo..=hi] {
                let after_prev = prev.map_or(true, |p| p < pos[w]);
                if align[v] == v && after_prev && !conflicts.contains(&(v.min(w), v.max(w))) {
                    align[w] = v;
                    root[v] = root[w];
                    align[v] = root[v];
                    prev = Some(pos[w]);
                }
            }
        }
    }
    root
}

/// Ranks by longest path from the sources; then each source moves down to just above its
/// highest successor. `ends` must be acyclic.
fn rank_nodes(n: usize, ends: &[(usize, usize)]) -> Vec<usize> {
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut indeg = vec![0usize; n];
    for &(a, b) in ends {
        succ[a].push(b);
        indeg[b] += 1;
    }
    let mut rank = vec![0usize; n];
    let mut remaining = indeg.clone();
    let mut ready: BTreeSet<usize> = (0..n).filter(|&u| remaining[u] == 0).collect();
    while let Some(u) = ready.pop_first() {
        for &v in &succ[u] {
            rank[v] = rank[v].max(rank[u] + 1);
            remaining[v] -= 1;
            if remaining[v] == 0 {
                ready.insert(v);
            }
        }
    }
    for u in 0..n {
        if indeg[u] == 0 && !succ[u].is_empty() {
            let lowest = succ[u].iter().map(|&v| rank[v]).min().unwrap_or(1);
            rank[u] = rank[u].max(lowest.saturating_sub(1));
        }
    }
    let min = rank.iter().copied().min().unwrap_or(0);
    rank.iter().map(|r| r - min).collect()
}

/// Weighted isotonic (non-decreasing) regression by pool adjacent violators.
fn isotonic(targets: &[f64], weights: &[f64]) -> Vec<f64> {
    // (total weight, weighted sum, count)
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(targets.len());
    for (&t, &w) in targets.iter().zip(weights) {
        blocks.push((w, w * t, 1));
        while blocks.len() >= 2 {
            let last = blocks[blocks.len() - 1];
            let prev = blocks[blocks.len() - 2];
            if prev.1 / prev.0 > last.1 / last.0 {
                blocks.pop();
                let merged = (prev.0 + last.0, prev.1 + last.1, prev.2 + last.2);
                if let Some(b) = blocks.last_mut() {
                    *b = merged;
                }
            } else {
                break;
            }
        }
    }
    let mut out = Vec::with_capacity(targets.len());
    for (w, s, count) in blocks {
        let value = s / w;
        out.extend(std::iter::repeat(value).take(count));
    }
    out
}

/// Number of pairs i < j with seq[i] > seq[j] (merge sort; sorts `seq`).
fn count_inversions(seq: &mut [usize]) -> usize {
    let len = seq.len();
    if len < 2 {
        return 0;
    }
    let mid = len / 2;
    let mut count = count_inversions(&mut seq[..mid]) + count_inversions(&mut seq[mid..]);
    let mut merged = Vec::with_capacity(len);
    let (mut i, mut j) = (0, mid);
    while i < mid && j < len {
        if seq[i] <= seq[j] {
            merged.push(seq[i]);
            i += 1;
        } else {
            merged.push(seq[j]);
            count += mid - i;
            j += 1;
        }
    }
    merged.extend_from_slice(&seq[i..mid]);
    merged.extend_from_slice(&seq[j..len]);
    seq.copy_from_slice(&merged);
    count
}

/// Drops repeated points and middle points of straight runs.
fn simplify(pts: Vec<Pt>) -> Vec<Pt> {
    let mut out: Vec<Pt> = Vec::with_capacity(pts.len());
    for p in pts {
        if let Some(&last) = out.last() {
            if (p.0 - last.0).abs() < 1e-9 && (p.1 - last.1).abs() < 1e-9 {
                continue;
            }
        }
        if out.len() >= 2 {
            let a = out[out.len() - 2];
            let b = out[out.len() - 1];
            let (ux, uy) = (b.0 - a.0, b.1 - a.1);
            let (vx, vy) = (p.0 - b.0, p.1 - b.1);
            let cross = ux * vy - uy * vx;
            let dot = ux * vx + uy * vy;
            let scale = (ux.hypot(uy) * vx.hypot(vy)).max(1e-12);
            if cross.abs() <= 1e-9 * scale && dot > 0.0 {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}
