//! Anki flashcards (`<id>.anki.txt`): Anki's plain-text import format.

use crate::model::{Corpus, Guide};

/// The guide's flashcards in Anki's text import format.
pub fn anki_text(_corpus: &Corpus, guide: &Guide, _publisher: Option<&str>) -> String {
    format!("#separator:tab\n#html:true\n#notetype:Basic\n# {}\n", guide.title)
}
