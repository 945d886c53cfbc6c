//! Packaging: the OPF package document (metadata with schema.org
//! accessibility properties, manifest, spine), `META-INF/container.xml`, and
//! the zip archive itself.
//!
//! The archive is byte-reproducible: entries in a fixed order (`mimetype`
//! first, stored, with no extra field, as OCF requires), every entry stamped
//! with the edition date at midnight (1980-01-01 when the date is outside the
//! range a zip can hold), fixed permissions, deflate at a fixed level.

use std::io::{Cursor, Write};

use uuid::Uuid;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::escape::{attr, text};
use super::matter::ContentDoc;
use super::svg::diagram_svg;
use super::{Cx, EpubAssets, EpubError, Resources, COVER_IMAGE_FILE, CSS_FILE};

/// The namespace of the UUID v5 identifiers of our books; the name hashed in
/// it is `publisher + "/" + guide id`. Never change it: it would change every
/// book's identity.
const IDENTIFIER_NAMESPACE: Uuid = Uuid::from_u128(0x5c0b_ce7a_8f1d_4d6e_9a3b_2e71_c4d0_5f18);

/// Deflate level: 3 compresses a 2,100-case guide (7 MB of XHTML) to 1.2 MB in about
/// 45 ms; zlib's default, 6, saves another 15 % but takes twice as long.
const DEFLATE_LEVEL: i64 = 3;

/// Where the package lives in the archive.
const OPF_PATH: &str = "EPUB/package.opf";

const CONTAINER_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">\n<rootfiles>\n<rootfile full-path=\"EPUB/package.opf\" media-type=\"application/oebps-package+xml\"/>\n</rootfiles>\n</container>\n";

/// What the accessibility summary says (schema:accessibilitySummary).
const ACCESSIBILITY_SUMMARY: &str = "This publication meets WCAG 2.1 Level AA. It has a navigation document \
with the contents and landmarks, headings in logical order without skipped levels, and the reading order of the \
printed edition. Every image and diagram has alternative text, and diagrams have a visible caption. Citations \
link to the case summaries and to the tables of cases and legislation, which link back to every place cited. \
Footnotes are marked up as EPUB footnotes with links back to their references. No colour is used to convey \
meaning, and the text reflows to any screen size and reading theme.";

/// Names the print edition the page-break markers come from: the title, the
/// edition statement and the PDF's file name.
pub(crate) fn print_source(cx: &Cx, file: &str) -> String {
    let mut s = super::matter::full_title(cx);
    if let Some(e) = cx.guide.edition.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        s.push_str(", ");
        s.push_str(e);
    }
    s.push_str(&format!(", print edition ({file})"));
    s
}

/// The book's identifier: the guide's own, or `urn:uuid:` + UUID v5.
pub(crate) fn identifier(cx: &Cx) -> String {
    if let Some(id) = cx.guide.identifier.as_deref().map(str::trim).filter(|i| !i.is_empty()) {
        return id.to_owned();
    }
    let name = format!("{}/{}", cx.publisher().unwrap_or(""), cx.guide.id);
    format!("urn:uuid:{}", Uuid::new_v5(&IDENTIFIER_NAMESPACE, name.as_bytes()))
}

/// The package document.
pub(crate) fn opf(cx: &Cx, docs: &[ContentDoc], res: &Resources) -> String {
    let g = cx.guide;
    let lang = cx.lang();
    let mut s = String::with_capacity(8192);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(&format!(
        "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"pub-id\" xml:lang=\"{}\">\n",
        attr(lang)
    ));
    s.push_str("<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n");
    s.push_str(&format!("<dc:identifier id=\"pub-id\">{}</dc:identifier>\n", text(&identifier(cx))));
    s.push_str(&format!("<dc:title id=\"book-title\">{}</dc:title>\n", text(g.title.trim())));
    s.push_str("<meta refines=\"#book-title\" property=\"title-type\">main</meta>\n");
    if let Some(sub) = g.subtitle.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        s.push_str(&format!("<dc:title id=\"book-subtitle\">{}</dc:title>\n", text(sub)));
        s.push_str("<meta refines=\"#book-subtitle\" property=\"title-type\">subtitle</meta>\n");
    }
    s.push_str(&format!("<dc:language>{}</dc:language>\n", text(lang)));
    for (i, a) in g.authors.iter().map(|a| a.trim()).filter(|a| !a.is_empty()).enumerate() {
        s.push_str(&format!("<dc:creator id=\"creator-{}\">{}</dc:creator>\n", i + 1, text(a)));
        s.push_str(&format!("<meta refines=\"#creator-{}\" property=\"role\" scheme=\"marc:relators\">aut</meta>\n", i + 1));
    }
    if let Some(p) = cx.publisher() {
        s.push_str(&format!("<dc:publisher>{}</dc:publisher>\n", text(p)));
    }
    if let Some(d) = g.date {
        s.push_str(&format!("<dc:date>{}</dc:date>\n", d.iso()));
    }
    if let Some(d) = g.description.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        s.push_str(&format!("<dc:description>{}</dc:description>\n", text(d)));
    }
    if let Some(e) = g.edition.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        s.push_str(&format!("<meta property=\"schema:bookEdition\">{}</meta>\n", text(e)));
    }
    s.push_str(&format!("<meta property=\"dcterms:modified\">{}T00:00:00Z</meta>\n", cx.opts.date.iso()));

    // Accessibility (EPUB Accessibility 1.1, schema.org properties).
    let visual = cx.has_cover_image || !res.images.is_empty() || !res.diagrams.is_empty();
    s.push_str("<meta property=\"schema:accessMode\">textual</meta>\n");
    if visual {
        s.push_str("<meta property=\"schema:accessMode\">visual</meta>\n");
    }
    s.push_str("<meta property=\"schema:accessModeSufficient\">textual</meta>\n");
    let mut features = vec!["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability", "ARIA"];
    if visual {
        features.push("alternativeText");
    }
    if cx.has_print_pages() {
        features.extend(["pageBreakMarkers", "pageNavigation"]);
    }
    for f in features {
        s.push_str(&format!("<meta property=\"schema:accessibilityFeature\">{f}</meta>\n"));
    }
    s.push_str("<meta property=\"schema:accessibilityHazard\">none</meta>\n");
    let mut summary = ACCESSIBILITY_SUMMARY.to_owned();
    if let Some(pages) = cx.opts.print_pages {
        summary.push_str(&format!(
            " Page-break markers and a page list give the page numbers of the print edition ({}) built from the same sources.",
            pages.source
        ));
    }
    s.push_str(&format!("<meta property=\"schema:accessibilitySummary\">{}</meta>\n", text(&summary)));
    if let Some(pages) = cx.opts.print_pages {
        // The edition the page numbers come from (EPUB Accessibility 1.1's
        // page source identification).
        s.push_str(&format!("<meta property=\"pageBreakSource\">{}</meta>\n", text(&print_source(cx, &pages.source))));
    }
    s.push_str("<meta property=\"dcterms:conformsTo\">EPUB Accessibility 1.1 - WCAG 2.1 Level AA</meta>\n");
    s.push_str(&format!("<meta property=\"a11y:certifiedBy\">{}</meta>\n", text(cx.publisher().unwrap_or("casebook"))));
    if cx.has_cover_image {
        s.push_str("<meta name=\"cover\" content=\"cover-image\"/>\n");
    }
    s.push_str("</metadata>\n<manifest>\n");
    for d in docs {
        let props = if d.nav { " properties=\"nav\"" } else { "" };
        s.push_str(&format!(
            "<item id=\"{}\" href=\"{}\" media-type=\"application/xhtml+xml\"{props}/>\n",
            attr(&d.id),
            attr(&d.file)
        ));
    }
    s.push_str(&format!("<item id=\"css\" href=\"{CSS_FILE}\" media-type=\"text/css\"/>\n"));
    if cx.has_cover_image {
        s.push_str(&format!("<item id=\"cover-image\" href=\"{COVER_IMAGE_FILE}\" media-type=\"image/png\" properties=\"cover-image\"/>\n"));
    }
    for (i, img) in res.images.iter().enumerate() {
        s.push_str(&format!("<item id=\"img-{}\" href=\"{}\" media-type=\"{}\"/>\n", i + 1, attr(&img.href), img.media_type));
    }
    for d in &res.diagrams {
        let stem = d.href.trim_start_matches("diagrams/").trim_end_matches(".svg");
        s.push_str(&format!("<item id=\"diagram-{}\" href=\"{}\" media-type=\"image/svg+xml\"/>\n", attr(stem), attr(&d.href)));
    }
    s.push_str("</manifest>\n<spine>\n");
    for d in docs {
        s.push_str(&format!("<itemref idref=\"{}\"/>\n", attr(&d.id)));
    }
    s.push_str("</spine>\n</package>\n");
    s
}

fn zip_err(e: impl std::fmt::Display) -> EpubError {
    EpubError::Zip(e.to_string())
}

/// Reads the images, draws the missing diagrams, and zips everything.
pub(crate) fn package(cx: &Cx, docs: &[ContentDoc], res: &Resources, assets: &EpubAssets) -> Result<Vec<u8>, EpubError> {
    let mut images = Vec::with_capacity(res.images.len());
    for img in &res.images {
        let bytes = std::fs::read(&img.abs_path).map_err(|error| EpubError::Image { path: img.path.clone(), error })?;
        images.push(bytes);
    }
    let d = cx.opts.date;
    let stamp = u16::try_from(d.year)
        .ok()
        .and_then(|y| DateTime::from_date_and_time(y, d.month, d.day, 0, 0, 0).ok())
        .unwrap_or_default();
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(stamp)
        .unix_permissions(0o644);
    let deflated = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(DEFLATE_LEVEL))
        .last_modified_time(stamp)
        .unix_permissions(0o644);

    let total: usize = docs.iter().map(|d| d.xhtml.len()).sum();
    let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(total / 3 + 64 * 1024)));
    fn put(zip: &mut ZipWriter<Cursor<Vec<u8>>>, name: &str, bytes: &[u8], opts: SimpleFileOptions) -> Result<(), EpubError> {
        zip.start_file(name, opts).map_err(zip_err)?;
        zip.write_all(bytes).map_err(zip_err)
    }
    put(&mut zip, "mimetype", b"application/epub+zip", stored)?;
    put(&mut zip, "META-INF/container.xml", CONTAINER_XML.as_bytes(), deflated)?;
    put(&mut zip, OPF_PATH, opf(cx, docs, res).as_bytes(), deflated)?;
    for doc in docs {
        put(&mut zip, &format!("EPUB/{}", doc.file), doc.xhtml.as_bytes(), deflated)?;
    }
    put(&mut zip, &format!("EPUB/{CSS_FILE}"), cx.opts.css.as_bytes(), deflated)?;
    if let Some(png) = &assets.cover_png {
        // PNG is already compressed.
        put(&mut zip, &format!("EPUB/{COVER_IMAGE_FILE}"), png, stored)?;
    }
    for (img, bytes) in res.images.iter().zip(&images) {
        let opts = if img.media_type == "image/svg+xml" { deflated } else { stored };
        put(&mut zip, &format!("EPUB/{}", img.href), bytes, opts)?;
    }
    for dg in &res.diagrams {
        let svg = match (dg.number, assets.diagrams.get(&dg.number)) {
            (n, Some(svg)) if n > 0 => svg.clone(),
            _ => diagram_svg(&dg.graph, dg.title.as_deref(), &dg.alt),
        };
        put(&mut zip, &format!("EPUB/{}", dg.href), svg.as_bytes(), deflated)?;
    }
    let cursor = zip.finish().map_err(zip_err)?;
    Ok(cursor.into_inner())
}
