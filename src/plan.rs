//! `casebook plan` and `casebook build --shard I/N`: the work of a build laid
//! out for a CI system's job matrix.
//!
//! - For every guide: its formats, the workspace files it depends on (the
//!   same set that stops or rebuilds it in `build` and `watch`:
//!   [`crate::build::guide_files`]), an estimated weight, and a **content
//!   key** per edition: a SHA-256 of everything that edition is made from.
//! - [`assign`] spreads the guides over N shards, balanced by weight and
//!   stable when a guide is added or removed (rendezvous hashing with
//!   bounded loads), so that a CI cache keyed by shard keeps working.
//!
//! `build --shard I/N` builds exactly the guides [`assign`] gives shard I;
//! every output depends only on its own guide's inputs, so the N shards
//! together make the same files, byte for byte, as one full build.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::build::{guide_files, template, Format};
use crate::fonts::WorkspaceFonts;
use crate::model::{Authority, Corpus, Guide};
use crate::workspace::Workspace;

/// How much a guide costs to build: the kilobytes of text it typesets (its
/// chapters and every case and instrument it cites), at least 1. Typesetting
/// time grows with it; it needs no compilation to know.
pub fn weight(ws: &Workspace, corpus: &Corpus, guide: &Guide) -> u64 {
    let mut bytes = 0usize;
    for ch in &guide.chapters {
        bytes += ws.db.get(ch.file).text.len();
    }
    for a in guide.citations.keys() {
        let file = match a {
            Authority::Case(c) => corpus.case(*c).span.file,
            Authority::Instrument(i) => corpus.instrument(*i).span.file,
        };
        bytes += ws.db.get(file).text.len();
    }
    (bytes as u64).div_ceil(1000).max(1)
}

/// The content key of one edition of a guide: SHA-256, in hex, of
/// casebook's version, the edition, the guide's id, date (the edition's, or
/// `SOURCE_DATE_EPOCH`), publisher and options, the name and text of every
/// source file it depends on, the images its chapters show, the templates
/// and stylesheet, and the workspace's fonts. Equal keys give equal bytes.
pub fn content_key(ws: &Workspace, corpus: &Corpus, guide: &Guide, fonts: &WorkspaceFonts, format: Format, formats: &BTreeSet<Format>) -> String {
    let mut h = Sha256::new();
    // Each part is length-prefixed, so that no two inputs run together.
    let mut part = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    part(b"casebook content key 1");
    part(env!("CARGO_PKG_VERSION").as_bytes());
    part(format.name().as_bytes());
    // An EPUB built beside its PDF carries the PDF's pages.
    if format == Format::Epub && formats.contains(&Format::Pdf) {
        part(b"with the print edition's pages");
    }
    part(guide.id.as_bytes());
    part(format!("{:?}", guide.date).as_bytes());
    part(corpus.publisher.as_deref().unwrap_or("").as_bytes());
    part(format!("{:?}", guide.options).as_bytes());
    for id in guide_files(ws, corpus, guide) {
        let f = ws.db.get(id);
        part(f.name.as_bytes());
        part(f.text.as_bytes());
    }
    for img in guide.images() {
        part(img.path.as_bytes());
        part(&std::fs::read(&img.abs_path).unwrap_or_default());
    }
    let t = template(ws);
    for text in [&t.text, &t.cards.text, &t.summary.text] {
        part(text.as_bytes());
    }
    part(crate::build::epub_css(ws).as_bytes());
    for f in &fonts.files {
        part(f.name.as_bytes());
        part(&f.data);
    }
    let digest = h.finalize();
    let mut hex = String::with_capacity(64);
    for b in digest {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

/// One guide in a plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedGuide {
    /// The guide's id (its folder).
    pub id: String,
    /// Its title.
    pub title: String,
    /// The outputs a build makes for it.
    pub formats: Vec<&'static str>,
    /// The workspace files it depends on, relative to the workspace root, sorted.
    pub files: Vec<String>,
    /// Estimated cost: kilobytes of text typeset ([`weight`]).
    pub weight: u64,
    /// Cases it cites.
    pub cases: usize,
    /// Per output: its file name and content key.
    pub outputs: Vec<PlannedOutput>,
    /// The shard it belongs to (1-based), when the plan has shards.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<usize>,
}

/// One output of a guide in a plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedOutput {
    /// The format.
    pub format: &'static str,
    /// The file it writes in the output folder.
    pub file: String,
    /// [`content_key`].
    pub key: String,
}

/// One shard of a plan.
#[derive(Debug, Clone, Serialize)]
pub struct Shard {
    /// `I/N`, as `build --shard` takes it.
    pub shard: String,
    /// Its guides, in workspace order.
    pub guides: Vec<String>,
    /// The sum of their weights.
    pub weight: u64,
}

/// The whole plan, as `casebook plan --json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// casebook's version (part of every content key).
    pub casebook: &'static str,
    /// Every guide, in workspace order.
    pub guides: Vec<PlannedGuide>,
    /// With `--shards N`: the shards, 1 to N.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shards: Option<Vec<Shard>>,
    /// With `--shards N`: `{"include": [{"shard": "1/N"}, …]}`, for a GitHub
    /// Actions `strategy.matrix: ${{ fromJSON(…) }}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matrix: Option<serde_json::Value>,
}

/// Plans a build: every guide with its outputs (`formats`, or each guide's
/// own when empty) and, when `shards` is given, their assignment.
pub fn plan(ws: &Workspace, corpus: &Corpus, fonts: &WorkspaceFonts, formats: &BTreeSet<Format>, shards: Option<usize>) -> Plan {
    let mut guides: Vec<PlannedGuide> = corpus
        .guides
        .iter()
        .map(|g| {
            let own = if formats.is_empty() { &g.options.formats } else { formats };
            let mut files: Vec<String> = guide_files(ws, corpus, g).into_iter().map(|f| ws.db.get(f).name.clone()).collect();
            files.extend(g.images().map(|i| i.path.clone()));
            files.sort();
            files.dedup();
            PlannedGuide {
                id: g.id.clone(),
                title: g.title.clone(),
                formats: own.iter().map(|f| f.name()).collect(),
                files,
                weight: weight(ws, corpus, g),
                cases: g.cases_cited().len(),
                outputs: own.iter().map(|f| PlannedOutput { format: f.name(), file: f.file_name(&g.id), key: content_key(ws, corpus, g, fonts, *f, own) }).collect(),
                shard: None,
            }
        })
        .collect();
    let (shard_list, matrix) = match shards {
        Some(n) => {
            let n = n.max(1);
            let of = assign(&guides.iter().map(|g| (g.id.as_str(), g.weight)).collect::<Vec<_>>(), n);
            let mut list: Vec<Shard> = (1..=n).map(|i| Shard { shard: format!("{i}/{n}"), guides: Vec::new(), weight: 0 }).collect();
            for (g, s) in guides.iter_mut().zip(&of) {
                g.shard = Some(s + 1);
                list[*s].guides.push(g.id.clone());
                list[*s].weight += g.weight;
            }
            let include: Vec<serde_json::Value> = list.iter().map(|s| serde_json::json!({ "shard": s.shard })).collect();
            (Some(list), Some(serde_json::json!({ "include": include })))
        }
        None => (None, None),
    };
    Plan { casebook: env!("CARGO_PKG_VERSION"), guides, shards: shard_list, matrix }
}

/// A stable score of a guide on a shard (rendezvous hashing): the first
/// eight bytes of SHA-256 of both.
fn score(id: &str, shard: usize) -> u64 {
    let d = Sha256::new().chain_update(id.as_bytes()).chain_update([0]).chain_update((shard as u64).to_le_bytes()).finalize();
    u64::from_le_bytes(d[..8].try_into().expect("eight bytes"))
}

/// Spreads guides (id, weight) over `n` shards; returns each guide's shard
/// (0-based). Deterministic. Guides are placed heaviest first, each on its
/// highest-scoring shard (rendezvous hashing: which depends only on the
/// guide's id, so adding or removing a guide moves few others) among those
/// it does not push past 1.1 × the mean load, or else on the least loaded.
pub fn assign(guides: &[(&str, u64)], n: usize) -> Vec<usize> {
    let n = n.max(1);
    let total: u64 = guides.iter().map(|g| g.1).sum();
    let cap = (total as f64 / n as f64) * 1.1;
    let mut order: Vec<usize> = (0..guides.len()).collect();
    order.sort_by(|&a, &b| guides[b].1.cmp(&guides[a].1).then_with(|| guides[a].0.cmp(guides[b].0)));
    let mut load = vec![0u64; n];
    let mut out = vec![0usize; guides.len()];
    for i in order {
        let (id, w) = guides[i];
        let mut ranked: Vec<usize> = (0..n).collect();
        ranked.sort_by(|&a, &b| score(id, b).cmp(&score(id, a)).then(a.cmp(&b)));
        let chosen = ranked
            .iter()
            .copied()
            .find(|&s| (load[s] + w) as f64 <= cap)
            .unwrap_or_else(|| (0..n).min_by(|&a, &b| load[a].cmp(&load[b]).then(a.cmp(&b))).expect("at least one shard"));
        load[chosen] += w;
        out[i] = chosen;
    }
    out
}

/// `I/N` from the command line: 1 ≤ I ≤ N.
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (i, n) = s.split_once('/').ok_or_else(|| format!("`{s}` is not a shard: write I/N, as 2/5"))?;
    let i: usize = i.trim().parse().map_err(|_| format!("`{i}` is not a shard number"))?;
    let n: usize = n.trim().parse().map_err(|_| format!("`{n}` is not a number of shards"))?;
    if n == 0 || i == 0 || i > n {
        return Err(format!("shard {i}/{n} does not exist: I runs from 1 to N"));
    }
    Ok((i, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spread(guides: &[(String, u64)], n: usize) -> Vec<usize> {
        let g: Vec<(&str, u64)> = guides.iter().map(|(i, w)| (i.as_str(), *w)).collect();
        assign(&g, n)
    }

    #[test]
    fn shards_are_balanced_deterministic_and_stable_when_a_guide_is_added() {
        // 100 guides of uneven weight, as a publisher's bank has them.
        let guides: Vec<(String, u64)> = (0..100).map(|i| (format!("guide-{i:03}"), 40 + (i * 37 % 90) as u64)).collect();
        let a = spread(&guides, 10);
        assert_eq!(a, spread(&guides, 10), "deterministic");
        let mut load = [0u64; 10];
        for (g, s) in guides.iter().zip(&a) {
            load[*s] += g.1;
        }
        let mean = load.iter().sum::<u64>() as f64 / 10.0;
        let max = *load.iter().max().unwrap() as f64;
        assert!(max <= 1.15 * mean, "largest shard {max} against a mean of {mean}: {load:?}");
        // One guide more: few of the others move.
        let mut more = guides.clone();
        more.push(("guide-new".into(), 70));
        let b = spread(&more, 10);
        let moved = a.iter().zip(&b).filter(|(x, y)| x != y).count();
        assert!(moved <= 15, "{moved} of 100 guides moved when one was added");
    }

    #[test]
    fn shard_numbers_are_checked() {
        assert_eq!(parse_shard("2/5"), Ok((2, 5)));
        assert_eq!(parse_shard("1/1"), Ok((1, 1)));
        for bad in ["0/3", "4/3", "1/0", "2", "a/b", "-1/3"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }
}
