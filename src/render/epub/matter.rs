//! The content documents of the book, in reading order: cover, title page,
//! contents (the navigation document), table of cases, table of legislation,
//! the chapters (each opening with its Key terms box, closing with its Key
//! cases table and footnotes, and followed by its case summaries in
//! `chapter-end` mode), the case-summary appendix, and the glossary.

use std::collections::BTreeSet;

use super::escape::{attr, attr_into, text, text_into};
use super::xhtml::{document, link_to, runs_html, Doc, Mode, Writer};
use super::{
    nav, summary_id, Cx, Resources, CASES_FILE, COVER_FILE, COVER_IMAGE_FILE, GLOSSARY_FILE, LEGISLATION_FILE,
    TITLE_FILE,
};
use crate::model::{CaseIdx, CitePlace};
use crate::render::pages::{ChapterPlace, Place};
use crate::oscola::{self, Style};

/// One XHTML content document of the book.
pub(crate) struct ContentDoc {
    /// File name inside `EPUB/`.
    pub file: String,
    /// Its manifest id.
    pub id: String,
    /// The whole document.
    pub xhtml: String,
    /// Whether it is the navigation document.
    pub nav: bool,
}

fn doc(file: &str, xhtml: String) -> ContentDoc {
    let id = file.trim_end_matches(".xhtml").replace(['.', '/'], "-");
    ContentDoc { file: file.to_owned(), id, xhtml, nav: false }
}

/// Every content document, in spine order.
pub(crate) fn documents(cx: &Cx, res: &mut Resources) -> Vec<ContentDoc> {
    let plan = cx.plan;
    let mut docs = vec![cover(cx), title_page(cx)];
    // The contents' pages are marked in the navigation document, which is
    // written last (its page list needs every marker).
    let nav_markers = cx.page_markers(Place::Contents, super::NAV_FILE, &mut Doc::new());
    if !plan.toc_cases.is_empty() {
        docs.push(table_of_cases(cx));
    }
    if !plan.toc_legislation.is_empty() {
        docs.push(table_of_legislation(cx));
    }
    for i in 0..cx.guide.chapters.len() {
        docs.push(chapter(cx, res, i));
        if let Some(file) = &plan.chapter_end_files[i] {
            docs.push(chapter_end(cx, res, i, file));
        }
    }
    let mut first = 0;
    for (k, (file, cases)) in plan.appendix.iter().enumerate() {
        docs.push(appendix(cx, res, file, first, cases, k > 0));
        first += cases.len();
    }
    if !cx.guide.terms.is_empty() {
        docs.push(glossary(cx, res));
    }
    // Pages at the very end on which nothing starts: at the end of the book.
    if let Some(last) = docs.last_mut() {
        let file = last.file.clone();
        let rest = cx.page_markers(Place::End, &file, &mut Doc::new());
        if let Some(at) = last.xhtml.rfind("</body>") {
            last.xhtml.insert_str(at, &rest);
        }
    }
    let written = cx.pages.borrow().as_ref().map(|c| c.written.clone());
    let mut nav_doc = doc(super::NAV_FILE, nav::nav(cx, &nav_markers, written.as_deref()));
    nav_doc.nav = true;
    docs.insert(2, nav_doc);
    docs
}

/// "Title: Subtitle", for document titles and alt text.
pub(crate) fn full_title(cx: &Cx) -> String {
    match cx.guide.subtitle.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => format!("{}: {s}", cx.guide.title.trim()),
        None => cx.guide.title.trim().to_owned(),
    }
}

fn cover(cx: &Cx) -> ContentDoc {
    let g = cx.guide;
    let mut b = String::new();
    if cx.has_cover_image {
        let mut alt = format!("Cover of {}", full_title(cx));
        if let Some(e) = g.edition.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            alt.push_str(", ");
            alt.push_str(e);
        }
        b.push_str("<section epub:type=\"cover\" class=\"cover cover-image\">\n<img role=\"doc-cover\" src=\"");
        b.push_str(COVER_IMAGE_FILE);
        b.push_str("\" alt=\"");
        attr_into(&mut b, &alt);
        b.push_str("\"/>\n</section>\n");
    } else {
        b.push_str("<section epub:type=\"cover\" class=\"cover cover-text\">\n<h1 class=\"cover-title\">");
        text_into(&mut b, g.title.trim());
        b.push_str("</h1>\n");
        for (class, v) in [("cover-subtitle", &g.subtitle), ("cover-edition", &g.edition)] {
            if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                b.push_str(&format!("<p class=\"{class}\">{}</p>\n", text(v)));
            }
        }
        b.push_str("</section>\n");
    }
    doc(COVER_FILE, document(cx.lang(), &format!("Cover: {}", full_title(cx)), &b))
}

/// "A, B and C".
fn join_names(names: &[String]) -> String {
    let names: Vec<&str> = names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()).collect();
    match names.len() {
        0 => String::new(),
        1 => names[0].to_owned(),
        n => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

fn title_page(cx: &Cx) -> ContentDoc {
    let g = cx.guide;
    let mut b = String::from("<section epub:type=\"titlepage\" class=\"titlepage\">\n");
    b.push_str(&cx.page_markers(Place::TitlePage, TITLE_FILE, &mut Doc::new()));
    b.push_str("<h1 class=\"title\">");
    text_into(&mut b, g.title.trim());
    b.push_str("</h1>\n");
    if let Some(s) = g.subtitle.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        b.push_str(&format!("<p class=\"subtitle\">{}</p>\n", text(s)));
    }
    let authors = join_names(&g.authors);
    if !authors.is_empty() {
        b.push_str(&format!("<p class=\"authors\">{}</p>\n", text(&authors)));
    }
    if let Some(e) = g.edition.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        b.push_str(&format!("<p class=\"edition\">{}</p>\n", text(e)));
    }
    if let Some(d) = g.date {
        b.push_str(&format!("<p class=\"date\"><time datetime=\"{}\">{}</time></p>\n", d.iso(), text(&d.long())));
    }
    if let Some(p) = cx.publisher() {
        b.push_str(&format!("<p class=\"publisher\">{}</p>\n", text(p)));
    }
    b.push_str("</section>\n");
    doc(TITLE_FILE, document(cx.lang(), &full_title(cx), &b))
}

/// A chapter's title: the link text of places in the tables and summaries.
/// (Full titles: shortening at a colon made "Grounds of Review: Illegality" and
/// "Grounds of Review: Procedural Impropriety" the same.)
fn chapter_link_text(cx: &Cx, chapter: usize) -> String {
    cx.guide.chapters[chapter].title.trim().to_owned()
}

/// Links back to every place: grouped by chapter, the first link named by the
/// chapter, later ones in the same chapter numbered (`Homicide 2 3`).
fn places_html(cx: &Cx, places: &[CitePlace]) -> String {
    let mut s = String::new();
    let mut i = 0;
    while i < places.len() {
        let ch = places[i].chapter;
        let file = &cx.plan.chapter_files[ch];
        let title = chapter_link_text(cx, ch);
        if !s.is_empty() {
            s.push_str("; ");
        }
        s.push_str(&format!("<a href=\"{file}#{}\">{}</a>", attr(&places[i].anchor), text(&title)));
        let mut n = 1;
        i += 1;
        while i < places.len() && places[i].chapter == ch {
            n += 1;
            s.push_str(&format!(
                " <a href=\"{file}#{}\" aria-label=\"{}, citation {n}\">{n}</a>",
                attr(&places[i].anchor),
                attr(&title)
            ));
            i += 1;
        }
    }
    s
}

fn table_of_cases(cx: &Cx) -> ContentDoc {
    let corpus = cx.corpus;
    let mut d = Doc::new();
    let mut b = String::from("<section class=\"toa\" aria-labelledby=\"toa-title\">\n");
    b.push_str(&cx.page_markers(Place::CaseTable(0), CASES_FILE, &mut d));
    b.push_str(
        "<h1 id=\"toa-title\">Table of cases</h1>\n\
<p class=\"toa-intro\">Each case links to its summary; the chapter names after it link to every place it is cited.</p>\n<ul class=\"toa-list\">\n",
    );
    for (k, e) in cx.plan.toc_cases.iter().enumerate() {
        let case = corpus.case(e.case);
        let id = &cx.plan.case_table_ids[&e.case];
        d.claim(id);
        b.push_str(&format!("<li id=\"{}\">", attr(id)));
        b.push_str(&cx.page_markers(Place::CaseTable(k), CASES_FILE, &mut d));
        b.push_str("<span class=\"toa-entry\">");
        let entry = runs_html(&oscola::case_table_entry(&case.info));
        match cx.plan.text_href(crate::model::Authority::Case(e.case), None) {
            Some(href) => b.push_str(&format!("<a href=\"{}\">{entry}</a>", attr(&href))),
            None => b.push_str(&entry),
        }
        b.push_str("</span> <span class=\"toa-places\">");
        b.push_str(&places_html(cx, &e.places));
        b.push_str("</span></li>\n");
    }
    b.push_str("</ul>\n</section>\n");
    doc(CASES_FILE, document(cx.lang(), "Table of cases", &b))
}

fn table_of_legislation(cx: &Cx) -> ContentDoc {
    let corpus = cx.corpus;
    let plan = cx.plan;
    let mut d = Doc::new();
    let mut b = String::from("<section class=\"toa\" aria-labelledby=\"toa-title\">\n");
    b.push_str(&cx.page_markers(Place::LegislationTable(0), LEGISLATION_FILE, &mut d));
    b.push_str(
        "<h1 id=\"toa-title\">Table of legislation</h1>\n\
<p class=\"toa-intro\">Each instrument and provision is followed by links to every place it is cited.</p>\n",
    );
    let mut k = 0;
    for (group, entries) in &plan.toc_legislation {
        b.push_str("<section class=\"toa-group\">\n<h2>");
        text_into(&mut b, group.heading());
        b.push_str("</h2>\n<ul class=\"toa-list\">\n");
        for e in entries {
            let inst = corpus.instrument(e.instrument);
            let a = crate::model::Authority::Instrument(e.instrument);
            d.claim(&plan.inst_table_ids[&e.instrument]);
            b.push_str(&format!("<li id=\"{}\">", attr(&plan.inst_table_ids[&e.instrument])));
            b.push_str(&cx.page_markers(Place::LegislationTable(k), LEGISLATION_FILE, &mut d));
            k += 1;
            b.push_str("<span class=\"toa-entry\">");
            let entry = runs_html(&oscola::instrument_table_entry(&inst.info));
            match plan.statute_callout.get(&(e.instrument, None)).and(plan.text_href(a, None)) {
                Some(href) => b.push_str(&format!("<a href=\"{}\">{entry}</a>", attr(&href))),
                None => b.push_str(&entry),
            }
            b.push_str("</span>");
            // Places cited without a provision sit on the instrument's own line.
            let in_provisions: BTreeSet<&str> =
                e.provisions.iter().flat_map(|(_, ps)| ps.iter().map(|p| p.anchor.as_str())).collect();
            let own: Vec<CitePlace> = e.places.iter().filter(|p| !in_provisions.contains(p.anchor.as_str())).cloned().collect();
            if !own.is_empty() {
                b.push_str(" <span class=\"toa-places\">");
                b.push_str(&places_html(cx, &own));
                b.push_str("</span>");
            }
            if !e.provisions.is_empty() {
                b.push_str("\n<ul class=\"toa-sub\">\n");
                for (p, places) in &e.provisions {
                    let display = p.display();
                    let id = &plan.prov_table_ids[&(e.instrument, display.clone())];
                    b.push_str(&format!("<li id=\"{}\"><span class=\"toa-entry\">", attr(id)));
                    match plan.statute_callout.get(&(e.instrument, Some(p.base_label()))).and(plan.text_href(a, Some(p))) {
                        Some(href) => b.push_str(&format!("<a href=\"{}\">{}</a>", attr(&href), text(&display))),
                        None => text_into(&mut b, &display),
                    }
                    b.push_str("</span> <span class=\"toa-places\">");
                    b.push_str(&places_html(cx, places));
                    b.push_str("</span></li>\n");
                }
                b.push_str("</ul>");
            }
            b.push_str("</li>\n");
        }
        b.push_str("</ul>\n</section>\n");
    }
    b.push_str("</section>\n");
    doc(LEGISLATION_FILE, document(cx.lang(), "Table of legislation", &b))
}

fn chapter(cx: &Cx, res: &mut Resources, i: usize) -> ContentDoc {
    let ch = &cx.guide.chapters[i];
    let plan = cx.plan;
    let headings = &plan.headings[i];
    let file = &plan.chapter_files[i];
    let mut d = Doc::new();
    // Ids of generated parts are claimed first: the body's own ids give way.
    for id in ["key_terms", "key_cases", "fn_notes"] {
        d.claim(id);
    }
    let title_id = match &headings.dropped {
        Some((_, _, id)) if !id.is_empty() => id.clone(),
        _ => "chapter_title".to_owned(),
    };
    d.claim(&title_id);
    let kind = ch.kind.name();
    let mut b = format!("<section epub:type=\"chapter\" role=\"doc-chapter\" class=\"chapter k-{kind}\">\n");
    b.push_str(&cx.page_markers(Place::Chapter(i, ChapterPlace::Title), file, &mut d));
    b.push_str("<p class=\"kicker\">");
    text_into(&mut b, &crate::render::chapter_kicker(cx.guide, i));
    b.push_str(&format!("</p>\n<h1 id=\"{}\">", attr(&title_id)));
    text_into(&mut b, ch.title.trim());
    b.push_str("</h1>\n");

    let mut w = Writer::new(cx, res, &mut d, Mode::Chapter { chapter: i, headings });
    if !ch.key_terms.is_empty() {
        let mut box_ = String::from("<aside class=\"key-terms\" role=\"note\" aria-labelledby=\"key_terms\">\n<h2 id=\"key_terms\">Key terms</h2>\n<dl>\n");
        for t in &ch.key_terms {
            let term = cx.corpus.term(*t);
            box_.push_str("<dt>");
            match plan.term_href(cx.corpus, *t) {
                Some(href) => box_.push_str(&format!("<a href=\"{}\">{}</a>", attr(&href), text(term.name.trim()))),
                None => text_into(&mut box_, term.name.trim()),
            }
            box_.push_str("</dt>\n<dd>");
            box_.push_str(&w.embedded(&term.definition, None));
            box_.push_str("</dd>\n");
        }
        box_.push_str("</dl>\n</aside>\n");
        b.push_str(&box_);
    }
    w.run(&ch.body);
    let notes = w.take_notes();
    b.push_str(&w.out);
    drop(w);

    if !ch.key_cases.is_empty() {
        b.push_str(&cx.page_markers(Place::Chapter(i, ChapterPlace::KeyCases), file, &mut d));
        b.push_str("<section class=\"key-cases\" aria-labelledby=\"key_cases\">\n<h2 id=\"key_cases\">Key cases</h2>\n");
        b.push_str("<div class=\"table-wrap\"><table>\n<thead><tr><th scope=\"col\">Case</th><th scope=\"col\">Principle</th></tr></thead>\n<tbody>\n");
        for c in &ch.key_cases {
            let case = cx.corpus.case(*c);
            let cite = runs_html(&oscola::case_full(&case.info, None));
            b.push_str("<tr><td>");
            match plan.text_href(crate::model::Authority::Case(*c), None) {
                Some(href) => b.push_str(&format!("<a href=\"{}\">{cite}</a>", attr(&href))),
                None => b.push_str(&cite),
            }
            b.push_str("</td><td>");
            text_into(&mut b, case.summary.trim());
            b.push_str("</td></tr>\n");
        }
        b.push_str("</tbody>\n</table></div>\n</section>\n");
    }
    if !notes.is_empty() {
        b.push_str("<section class=\"footnotes\" aria-labelledby=\"fn_notes\">\n<h2 id=\"fn_notes\">Notes</h2>\n");
        b.push_str(&notes);
        b.push_str("</section>\n");
    }
    b.push_str("</section>\n");
    doc(file, document(cx.lang(), ch.title.trim(), &b))
}

/// One case summary: heading (name and citation, linked to the table of
/// cases, whose entry links to every place it is cited), and its sections,
/// as in print.
fn summary(cx: &Cx, w: &mut Writer, c: CaseIdx, b: &mut String) {
    let case = cx.corpus.case(c);
    b.push_str(&format!("<section class=\"case-summary\" id=\"{}\">\n<h2>", attr(&summary_id(cx.corpus, c))));
    // The heading links to the case's entry in the table of cases.
    let mut name = String::new();
    for r in oscola::case_full(&case.info, None) {
        match r.style {
            Style::Italic => {
                name.push_str("<i>");
                text_into(&mut name, &r.text);
                name.push_str("</i>");
            }
            Style::Roman => {
                name.push_str("<span class=\"case-citation\">");
                text_into(&mut name, &r.text);
                name.push_str("</span>");
            }
        }
    }
    b.push_str(&link_to(cx.plan.table_href(crate::model::Authority::Case(c), None), name));
    b.push_str("</h2>\n");
    for s in &case.sections {
        b.push_str("<h3>");
        text_into(b, s.kind.heading());
        b.push_str("</h3>\n");
        b.push_str(&w.embedded(&s.body, Some(4)));
    }
    b.push_str("</section>\n");
}

fn chapter_end(cx: &Cx, res: &mut Resources, i: usize, file: &str) -> ContentDoc {
    let ch = &cx.guide.chapters[i];
    let mut d = Doc::new();
    let mut b = String::from("<section class=\"summaries chapter-end\">\n");
    b.push_str(&cx.page_markers(Place::Chapter(i, ChapterPlace::Summary(0)), file, &mut d));
    b.push_str("<h1>Case summaries</h1>\n");
    let mut markers = Vec::new();
    for k in 0..cx.plan.chapter_end[i].len() {
        markers.push(cx.page_markers(Place::Chapter(i, ChapterPlace::Summary(k)), file, &mut d));
    }
    let mut w = Writer::new(cx, res, &mut d, Mode::Embedded { heading: None });
    for (c, m) in cx.plan.chapter_end[i].iter().zip(&markers) {
        b.push_str(m);
        summary(cx, &mut w, *c, &mut b);
    }
    b.push_str("</section>\n");
    doc(file, document(cx.lang(), &format!("Case summaries: {}", ch.title.trim()), &b))
}

fn appendix(cx: &Cx, res: &mut Resources, file: &str, first: usize, cases: &[CaseIdx], continued: bool) -> ContentDoc {
    let mut d = Doc::new();
    let heading = if continued { "Case summaries (continued)" } else { "Case summaries" };
    let mut b = String::from("<section epub:type=\"appendix\" role=\"doc-appendix\" class=\"summaries\">\n");
    b.push_str(&cx.page_markers(Place::Appendix(first), file, &mut d));
    b.push_str(&format!("<h1>{heading}</h1>\n"));
    // The markers are taken in order before the writer borrows the ids.
    let markers: Vec<String> = (0..cases.len()).map(|k| cx.page_markers(Place::Appendix(first + k), file, &mut d)).collect();
    let mut w = Writer::new(cx, res, &mut d, Mode::Embedded { heading: None });
    for (c, m) in cases.iter().zip(&markers) {
        b.push_str(m);
        summary(cx, &mut w, *c, &mut b);
    }
    b.push_str("</section>\n");
    doc(file, document(cx.lang(), heading, &b))
}

fn glossary(cx: &Cx, res: &mut Resources) -> ContentDoc {
    let mut d = Doc::new();
    let mut b = String::from("<section epub:type=\"glossary\" role=\"doc-glossary\" class=\"glossary\" aria-labelledby=\"glossary-title\">\n");
    b.push_str(&cx.page_markers(Place::Glossary(0), GLOSSARY_FILE, &mut d));
    b.push_str("<h1 id=\"glossary-title\">Glossary</h1>\n<dl>\n");
    for t in &cx.guide.terms {
        d.claim(&cx.corpus.term(*t).anchor);
    }
    let markers: Vec<String> = (0..cx.guide.terms.len()).map(|k| cx.page_markers(Place::Glossary(k), GLOSSARY_FILE, &mut d)).collect();
    let mut w = Writer::new(cx, res, &mut d, Mode::Embedded { heading: None });
    for (t, m) in cx.guide.terms.iter().zip(&markers) {
        let term = cx.corpus.term(*t);
        b.push_str(&format!("<dt id=\"{}\">{m}<dfn>", attr(&term.anchor)));
        text_into(&mut b, term.name.trim());
        b.push_str("</dfn></dt>\n<dd>");
        b.push_str(&w.embedded(&term.definition, None));
        b.push_str("</dd>\n");
    }
    b.push_str("</dl>\n</section>\n");
    doc(GLOSSARY_FILE, document(cx.lang(), "Glossary", &b))
}
