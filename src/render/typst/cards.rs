//! The case and key-term cards (`<id>-cards.pdf`): the sources of the cards
//! edition, typeset by `templates/cards.typ`.

use super::pdf::TemplateSource;
use super::{cards_template_path, escape::string, main_path, meta, template_path, Generated};
use crate::model::{Corpus, Guide};
use super::markup::SourceMap;

/// Generates the Typst sources of a guide's cards.
pub fn generate(corpus: &Corpus, guide: &Guide, templates: &TemplateSource) -> Generated {
    let mut g = Generated::default();
    g.add(template_path(), templates.text.clone(), SourceMap::default());
    g.add(cards_template_path(), templates.cards.text.clone(), SourceMap::default());
    let main = format!("#import {}: *\n#cb-cards(meta: {}, cards: ())\n", string(&cards_template_path()), meta(corpus, guide));
    g.add(main_path(), main, SourceMap::default());
    g
}
