//! The fallback drawing of a diagram: an SVG made from the same layout the PDF
//! uses ([`crate::diagram::layout`]), for diagrams the Typst backend did not
//! hand over (and in tests). Boxes, rounded boxes, stadiums, circles and
//! diamonds; solid, dotted and thick edges with arrowheads; edge labels on a
//! white plate. The drawing sits on a white background so that it stays legible
//! when a reading system switches to a dark theme (an `<img>` does not inherit
//! the page's colours).

use std::fmt::Write as _;

use super::escape::text;
use crate::diagram::{layout, EdgeKind, Graph, LayoutOptions, Shape};

/// Pixels per layout point: the layout is in points, SVG user units are CSS pixels.
const PX_PER_PT: f64 = 4.0 / 3.0;
/// Space around the drawing, in points.
const PAD: f64 = 6.0;
/// Length and half-width of an arrowhead, in points.
const ARROW_LEN: f64 = 7.0;
const ARROW_HALF: f64 = 3.5;
const INK: &str = "#1a1a1a";
const FILL: &str = "#f4f4f4";
const DECISION_FILL: &str = "#fff7e0";

fn n(v: f64) -> String {
    // Two decimals are plenty and keep the output stable across platforms.
    let r = (v * 100.0).round() / 100.0;
    let s = format!("{r:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.').to_owned();
    if s == "-0" {
        "0".to_owned()
    } else {
        s
    }
}

/// The SVG document of a flowchart, with its title and description for
/// assistive technology.
pub(crate) fn diagram_svg(graph: &Graph, title: Option<&str>, alt: &str) -> String {
    let l = layout(graph, &LayoutOptions::default());
    let w = l.width + 2.0 * PAD;
    let h = l.height + 2.0 * PAD;
    let mut s = String::with_capacity(4096);
    let _ = write!(
        s,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" aria-labelledby=\"t d\">\n",
        n(w * PX_PER_PT),
        n(h * PX_PER_PT),
        n(w),
        n(h)
    );
    let _ = writeln!(s, "<title id=\"t\">{}</title>", text(title.map(str::trim).filter(|t| !t.is_empty()).unwrap_or("Flowchart")));
    let _ = writeln!(s, "<desc id=\"d\">{}</desc>", text(alt));
    let _ = writeln!(s, "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>", n(w), n(h));
    let _ = writeln!(s, "<g transform=\"translate({} {})\" font-family=\"sans-serif\" fill=\"none\" stroke=\"{INK}\">", n(PAD), n(PAD));

    for e in &l.edges {
        if e.points.len() < 2 {
            continue;
        }
        let pts: Vec<String> = e.points.iter().map(|(x, y)| format!("{},{}", n(*x), n(*y))).collect();
        let (width, dash) = match e.kind {
            EdgeKind::Thick => ("2.2", ""),
            EdgeKind::Dotted => ("1", " stroke-dasharray=\"2 3\""),
            EdgeKind::Arrow | EdgeKind::Line => ("1", ""),
        };
        let _ = writeln!(s, "<polyline points=\"{}\" stroke-width=\"{width}\"{dash}/>", pts.join(" "));
        if e.kind.has_arrowhead() {
            let (x2, y2) = e.points[e.points.len() - 1];
            let (x1, y1) = e.points[e.points.len() - 2];
            let (dx, dy) = (x2 - x1, y2 - y1);
            let len = (dx * dx + dy * dy).sqrt();
            if len > 0.0 {
                let (ux, uy) = (dx / len, dy / len);
                let (bx, by) = (x2 - ux * ARROW_LEN, y2 - uy * ARROW_LEN);
                let (px, py) = (-uy * ARROW_HALF, ux * ARROW_HALF);
                let _ = writeln!(
                    s,
                    "<polygon points=\"{},{} {},{} {},{}\" fill=\"{INK}\" stroke=\"none\"/>",
                    n(x2),
                    n(y2),
                    n(bx + px),
                    n(by + py),
                    n(bx - px),
                    n(by - py)
                );
            }
        }
    }

    for b in &l.nodes {
        let (x, y, w, h) = (b.x, b.y, b.width, b.height);
        match b.shape {
            Shape::Box => {
                let _ = writeln!(s, "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{FILL}\"/>", n(x), n(y), n(w), n(h));
            }
            Shape::Rounded => {
                let _ = writeln!(s, "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"{FILL}\"/>", n(x), n(y), n(w), n(h));
            }
            Shape::Stadium => {
                let r = h / 2.0;
                let _ = writeln!(s, "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" fill=\"{FILL}\"/>", n(x), n(y), n(w), n(h), n(r));
            }
            Shape::Circle => {
                let _ = writeln!(
                    s,
                    "<ellipse cx=\"{}\" cy=\"{}\" rx=\"{}\" ry=\"{}\" fill=\"{FILL}\"/>",
                    n(x + w / 2.0),
                    n(y + h / 2.0),
                    n(w / 2.0),
                    n(h / 2.0)
                );
            }
            Shape::Decision => {
                let (cx, cy) = (x + w / 2.0, y + h / 2.0);
                let _ = writeln!(
                    s,
                    "<polygon points=\"{},{} {},{} {},{} {},{}\" fill=\"{DECISION_FILL}\"/>",
                    n(cx),
                    n(y),
                    n(x + w),
                    n(cy),
                    n(cx),
                    n(y + h),
                    n(x),
                    n(cy)
                );
            }
        }
        lines(&mut s, &b.lines, x + w / 2.0, y + h / 2.0, l.font_size, l.line_height);
    }

    for e in &l.edges {
        if let Some(lab) = &e.label {
            let _ = writeln!(
                s,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\" stroke=\"none\"/>",
                n(lab.x),
                n(lab.y),
                n(lab.width),
                n(lab.height)
            );
            lines(&mut s, &lab.lines, lab.x + lab.width / 2.0, lab.y + lab.height / 2.0, l.edge_label_font_size, l.line_height);
        }
    }
    s.push_str("</g>\n</svg>\n");
    s
}

/// Centred lines of text around (`cx`, `cy`).
fn lines(s: &mut String, lines: &[String], cx: f64, cy: f64, size: f64, line_height: f64) {
    if lines.is_empty() {
        return;
    }
    let step = size * line_height;
    let first = cy - step * (lines.len() as f64 - 1.0) / 2.0;
    let _ = write!(s, "<text font-size=\"{}\" text-anchor=\"middle\" fill=\"{INK}\" stroke=\"none\">", n(size));
    for (i, line) in lines.iter().enumerate() {
        // `dominant-baseline` is not honoured everywhere: shift by a third of the size instead.
        let y = first + step * i as f64 + size / 3.0;
        let _ = write!(s, "<tspan x=\"{}\" y=\"{}\">{}</tspan>", n(cx), n(y), text(line));
    }
    s.push_str("</text>\n");
}
