//! The EPUB navigation document: the contents (every generated part, each
//! chapter with its level-2 sections and its end-of-chapter summaries) and the
//! landmarks (cover, title page, contents, start of the body matter, glossary).
//! It is also the contents page in the spine, where the PDF has its contents.

use super::escape::{attr, text, url_part};
use super::matter::full_title;
use crate::render::pages::Marker;
use super::{Cx, CASES_FILE, COVER_FILE, GLOSSARY_FILE, LEGISLATION_FILE, NAV_FILE, TITLE_FILE};

fn item(href: &str, label: &str) -> String {
    format!("<li><a href=\"{}\">{}</a></li>\n", attr(href), text(label))
}

/// The whole `nav.xhtml`: `markers` are the page-break markers of the
/// contents' own pages; `pages` every marker of the book, for the page list
/// (`None` without a print edition: no page list).
pub(crate) fn nav(cx: &Cx, markers: &str, pages: Option<&[Marker]>) -> String {
    let plan = cx.plan;
    let guide = cx.guide;
    let mut b = String::from(markers);
    b.push_str(
        "<nav epub:type=\"toc\" role=\"doc-toc\" id=\"toc\" aria-labelledby=\"toc-title\">\n<h1 id=\"toc-title\">Contents</h1>\n<ol class=\"toc\">\n",
    );
    b.push_str(&item(TITLE_FILE, "Title page"));
    if !plan.toc_cases.is_empty() {
        b.push_str(&item(CASES_FILE, "Table of cases"));
    }
    if !plan.toc_legislation.is_empty() {
        b.push_str(&item(LEGISLATION_FILE, "Table of legislation"));
    }
    for (i, ch) in guide.chapters.iter().enumerate() {
        let file = &plan.chapter_files[i];
        b.push_str(&format!("<li><a href=\"{}\">{}</a>", attr(file), text(ch.title.trim())));
        let mut sub = String::new();
        for h in &ch.headings {
            if plan.headings[i].levels.get(&h.id) == Some(&2) && !h.text.trim().is_empty() {
                sub.push_str(&item(&format!("{file}#{}", url_part(&h.id)), h.text.trim()));
            }
        }
        if let Some(f) = &plan.chapter_end_files[i] {
            sub.push_str(&item(f, "Case summaries"));
        }
        if !sub.is_empty() {
            b.push_str("\n<ol>\n");
            b.push_str(&sub);
            b.push_str("</ol>\n");
        }
        b.push_str("</li>\n");
    }
    if let Some((file, _)) = plan.appendix.first() {
        b.push_str(&item(file, "Case summaries"));
    }
    if !guide.terms.is_empty() {
        b.push_str(&item(GLOSSARY_FILE, "Glossary"));
    }
    b.push_str("</ol>\n</nav>\n");

    b.push_str("<nav epub:type=\"landmarks\" id=\"landmarks\" hidden=\"hidden\">\n<h2>Landmarks</h2>\n<ol>\n");
    let mut landmark = |kind: &str, href: &str, label: &str| {
        b.push_str(&format!("<li><a epub:type=\"{kind}\" href=\"{}\">{}</a></li>\n", attr(href), text(label)));
    };
    landmark("cover", COVER_FILE, "Cover");
    landmark("titlepage", TITLE_FILE, "Title page");
    landmark("toc", NAV_FILE, "Contents");
    if let Some(first) = plan.chapter_files.first() {
        landmark("bodymatter", first, "Start of content");
    }
    if !guide.terms.is_empty() {
        landmark("glossary", GLOSSARY_FILE, "Glossary");
    }
    b.push_str("</ol>\n</nav>\n");
    // The print edition's pages, in the order of the book.
    if let Some(pages) = pages.filter(|p| !p.is_empty()) {
        b.push_str("<nav epub:type=\"page-list\" role=\"doc-pagelist\" id=\"page-list\" aria-labelledby=\"page-list-title\" hidden=\"hidden\">\n<h2 id=\"page-list-title\">Pages of the print edition</h2>\n<ol>\n");
        for m in pages {
            let href = format!("{}#{}", m.file, m.id);
            b.push_str(&item(&href, &m.label));
        }
        b.push_str("</ol>\n</nav>\n");
    }
    super::xhtml::document(cx.lang(), &format!("Contents: {}", full_title(cx)), &b)
}
