//! Footnote forms for `citations = "footnotes"`: full, `ibid`, `Short (n X)`.

use std::collections::BTreeMap;

/// The form a source takes in a footnote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FootnoteForm {
    /// First citation of the source in the chapter: the full form.
    Full,
    /// The previous footnote cited this single source, and so does this one.
    Ibid,
    /// A case cited before: `Short (n X)`, X the footnote of its first full citation.
    ShortRef {
        /// The footnote holding the first full citation.
        first_note: u32,
    },
    /// Legislation cited before (it never takes `(n X)`), or a source repeated within
    /// one footnote: the short form.
    Short,
}

/// Footnote mode bookkeeping, one per chapter (a new chapter starts again with full
/// citations: make a new tracker).
///
/// Section 5: `ibid` only when the previous footnote cites that single source; later
/// citations of a case are `Short (n X)` where X is the footnote of its first full
/// citation; legislation never takes `(n X)`: it is cited short per
/// [`instrument_short`](super::instrument_short).
///
/// "Previous footnote" means the footnote numbered `note - 1`: the renderer registers
/// every footnote, and a gap in the numbering (an author's own `[^n]` footnote between
/// two citations) rules `ibid` out, as it should. A footnote citing nothing may also be
/// registered with no sources.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FootnoteTracker {
    prev_note: Option<u32>,
    prev_sources: Vec<String>,
    first_note: BTreeMap<String, u32>,
}

impl FootnoteTracker {
    /// A tracker for a new chapter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Register footnote number `note` (1-based, increasing) that cites `sources` in
    /// order (each a source key string and whether it is legislation); returns one form
    /// per source. Ibid applies only when this footnote cites exactly one source and
    /// the previous footnote (number `note - 1`) cited exactly that one source; the
    /// pinpoint may differ (`ibid [16]`). A source repeated inside one footnote is
    /// `Short` the second time.
    pub fn cite(&mut self, note: u32, sources: &[(&str, bool)]) -> Vec<FootnoteForm> {
        let cited: Vec<Cited<'_>> =
            sources.iter().map(|&(key, legislation)| Cited { key, ibid_key: key, legislation }).collect();
        self.cite_sources(note, &cited)
    }

    /// As [`FootnoteTracker::cite`], for sources whose `ibid` identity is
    /// narrower than their key: legislation is short after its first full
    /// citation in the chapter (key: the instrument), but `ibid` only when the
    /// previous footnote cites the same provision alone (ibid key: instrument
    /// and provision).
    pub fn cite_sources(&mut self, note: u32, sources: &[Cited<'_>]) -> Vec<FootnoteForm> {
        let consecutive = self.prev_note.and_then(|p| p.checked_add(1)) == Some(note);
        let ibid = consecutive
            && sources.len() == 1
            && self.prev_sources.len() == 1
            && self.prev_sources[0] == sources[0].ibid_key;
        let mut forms = Vec::with_capacity(sources.len());
        for &Cited { key, legislation, .. } in sources {
            let form = if ibid {
                self.first_note.entry(key.to_string()).or_insert(note);
                FootnoteForm::Ibid
            } else {
                match self.first_note.get(key) {
                    None => {
                        self.first_note.insert(key.to_string(), note);
                        FootnoteForm::Full
                    }
                    Some(&n) if n == note || legislation => FootnoteForm::Short,
                    Some(&n) => FootnoteForm::ShortRef { first_note: n },
                }
            };
            forms.push(form);
        }
        self.prev_note = Some(note);
        self.prev_sources = sources.iter().map(|s| s.ibid_key.to_string()).collect();
        forms
    }
}

/// One source cited in a footnote, for [`FootnoteTracker::cite_sources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cited<'a> {
    /// Identity for full, short and `(n X)`: the case or the instrument.
    pub key: &'a str,
    /// Identity for `ibid`: the case, or the instrument and its provision.
    pub ibid_key: &'a str,
    /// Legislation never takes `(n X)`.
    pub legislation: bool,
}
