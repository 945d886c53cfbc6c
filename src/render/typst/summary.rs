//! The condensed edition (`<id>-summary.pdf`): the sources of the summary,
//! typeset by `templates/summary.typ`.

use super::pdf::TemplateSource;
use super::{escape::string, main_path, meta, summary_template_path, template_path, Generated};
use crate::model::{Corpus, Guide};
use super::markup::SourceMap;

/// Generates the Typst sources of a guide's condensed edition.
pub fn generate(corpus: &Corpus, guide: &Guide, templates: &TemplateSource) -> Generated {
    let mut g = Generated::default();
    g.add(template_path(), templates.text.clone(), SourceMap::default());
    g.add(summary_template_path(), templates.summary.text.clone(), SourceMap::default());
    let main = format!("#import {}: *\n#show: cb-summary.with(meta: {})\n", string(&summary_template_path()), meta(corpus, guide));
    g.add(main_path(), main, SourceMap::default());
    g
}
