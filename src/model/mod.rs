//! The resolved, immutable model that both editions render: the case bank,
//! the legislation, the key terms, and each guide with its chapters as a
//! stream of resolved events.
//!
//! Built only by `resolve`, never changed afterwards. Everything that can reach
//! output is ordered (sorted `Vec`s, `BTreeMap`s), so output is a pure function
//! of the sources and the edition date. Renderers read `&Corpus` and never see
//! TOML or raw Markdown.

mod events;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::config::GuideOptions;
use crate::diag::Span;
use crate::diagram::Graph;
use crate::oscola::{CaseInfo, Date, InstrumentInfo, Locator, Provision, Runs};

pub use events::{matching_end, plain_text, sanitize_id, slug};

/// Index of a case in [`Corpus::cases`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CaseIdx(pub usize);

/// Index of an instrument in [`Corpus::instruments`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InstrumentIdx(pub usize);

/// Index of a key term in [`Corpus::terms`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TermIdx(pub usize);

/// A cited authority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Authority {
    /// A case of the bank.
    Case(CaseIdx),
    /// An instrument of the legislation folder.
    Instrument(InstrumentIdx),
}

/// Everything one build renders.
#[derive(Debug)]
pub struct Corpus {
    /// Workspace root on disk.
    pub root: PathBuf,
    /// Publisher, from `casebook.toml`.
    pub publisher: Option<String>,
    /// Output folder (absolute).
    pub out_dir: PathBuf,
    /// Every case, sorted by id.
    pub cases: Vec<Case>,
    /// Every instrument, sorted by id.
    pub instruments: Vec<Instrument>,
    /// Every key term, sorted by name (case-insensitive).
    pub terms: Vec<Term>,
    /// The guides, sorted by id.
    pub guides: Vec<Guide>,
}

impl Corpus {
    /// The case at an index.
    pub fn case(&self, i: CaseIdx) -> &Case {
        &self.cases[i.0]
    }

    /// The instrument at an index.
    pub fn instrument(&self, i: InstrumentIdx) -> &Instrument {
        &self.instruments[i.0]
    }

    /// The term at an index.
    pub fn term(&self, i: TermIdx) -> &Term {
        &self.terms[i.0]
    }
}

/// Names of the case sections, in print order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CaseSectionKind {
    /// `## Facts`
    Facts,
    /// `## Issue`
    Issue,
    /// `## Held`
    Held,
    /// `## Principle` (alias `Ratio`)
    Principle,
    /// `## Significance`
    Significance,
    /// `## Key quote`
    KeyQuote,
}

impl CaseSectionKind {
    /// Every kind, in print order.
    pub const ALL: [CaseSectionKind; 6] = [
        CaseSectionKind::Facts,
        CaseSectionKind::Issue,
        CaseSectionKind::Held,
        CaseSectionKind::Principle,
        CaseSectionKind::Significance,
        CaseSectionKind::KeyQuote,
    ];

    /// The heading as printed.
    pub fn heading(self) -> &'static str {
        match self {
            CaseSectionKind::Facts => "Facts",
            CaseSectionKind::Issue => "Issue",
            CaseSectionKind::Held => "Held",
            CaseSectionKind::Principle => "Principle",
            CaseSectionKind::Significance => "Significance",
            CaseSectionKind::KeyQuote => "Key quote",
        }
    }
}

/// A case of the bank.
#[derive(Debug)]
pub struct Case {
    /// The id (file stem).
    pub id: String,
    /// Name, citation and the rest, as OSCOLA needs them.
    pub info: CaseInfo,
    /// The citation as written.
    pub citation_text: Option<String>,
    /// Jurisdiction, if given.
    pub jurisdiction: Option<String>,
    /// Subject tags.
    pub subjects: Vec<String>,
    /// One line for tables (the `summary` field or the first sentence of Principle).
    pub summary: String,
    /// Summary sections in print order.
    pub sections: Vec<CaseSection>,
    /// Where the file is.
    pub span: Span,
}

/// One section of a case summary.
#[derive(Debug)]
pub struct CaseSection {
    /// Which section.
    pub kind: CaseSectionKind,
    /// Its body.
    pub body: Vec<Event>,
    /// Its `## …` heading in the case file.
    pub span: Span,
}

/// An instrument: statute, statutory instrument, treaty, EU measure or bill.
#[derive(Debug)]
pub struct Instrument {
    /// The id (file stem).
    pub id: String,
    /// What OSCOLA needs.
    pub info: InstrumentInfo,
    /// Jurisdiction, if given.
    pub jurisdiction: Option<String>,
    /// The provisions, in file order.
    pub provisions: Vec<ProvisionText>,
    /// Where the file is.
    pub span: Span,
}

impl Instrument {
    /// The provision whose heading label is `base` (e.g. `s 1`).
    pub fn provision(&self, base: &str) -> Option<&ProvisionText> {
        self.provisions.iter().find(|p| p.provision.base_label() == base)
    }
}

/// One provision's text.
#[derive(Debug)]
pub struct ProvisionText {
    /// Its label.
    pub provision: Provision,
    /// The heading after the label ("Basic definition of theft").
    pub heading: String,
    /// An anchor unique within the instrument (`s-1`).
    pub anchor: String,
    /// The text.
    pub body: Vec<Event>,
}

/// Where a term is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermSource {
    /// In `glossary.md`.
    Glossary,
    /// By a `definition` callout in a chapter file.
    Callout {
        /// The chapter file, workspace-relative.
        chapter: String,
    },
}

/// A key term.
#[derive(Debug)]
pub struct Term {
    /// The term as written.
    pub name: String,
    /// An anchor for the glossary (`term-actus-reus`).
    pub anchor: String,
    /// The definition.
    pub definition: Vec<Event>,
    /// Where it is defined.
    pub source: TermSource,
    /// Where.
    pub span: Span,
}

/// Kind of chapter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ChapterKind {
    /// A chapter of the subject.
    #[default]
    Chapter,
    /// An exam-technique guide.
    ExamGuide,
    /// An essay-style article.
    Article,
}

impl ChapterKind {
    /// The name as written in front matter (`exam-guide`).
    pub fn name(self) -> &'static str {
        match self {
            ChapterKind::Chapter => "chapter",
            ChapterKind::ExamGuide => "exam-guide",
            ChapterKind::Article => "article",
        }
    }
}

/// A guide, resolved.
#[derive(Debug)]
pub struct Guide {
    /// The folder name.
    pub id: String,
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// Edition statement.
    pub edition: Option<String>,
    /// Edition date (after `SOURCE_DATE_EPOCH`), if any.
    pub date: Option<Date>,
    /// Authors.
    pub authors: Vec<String>,
    /// Description.
    pub description: Option<String>,
    /// Identifier, if the guide sets one.
    pub identifier: Option<String>,
    /// Merged options.
    pub options: GuideOptions,
    /// Chapters in reading order.
    pub chapters: Vec<Chapter>,
    /// Every authority cited in the chapters, with every place.
    pub citations: BTreeMap<Authority, Vec<CitePlace>>,
    /// Cited provisions per instrument (base labels), for the table of legislation.
    pub provisions_cited: BTreeMap<InstrumentIdx, Vec<(Provision, Vec<CitePlace>)>>,
    /// Key terms used by the guide's chapters, sorted by name.
    pub terms: Vec<TermIdx>,
    /// The `guide.toml`.
    pub span: Span,
}

impl Guide {
    /// The images its chapters show, in reading order.
    pub fn images(&self) -> impl Iterator<Item = &Image> {
        self.chapters.iter().flat_map(|ch| &ch.body).filter_map(|e| match e {
            Event::Image(img) => Some(&**img),
            _ => None,
        })
    }

    /// Hashes the path and the bytes of every image its chapters show (an
    /// image that cannot be read hashes as missing).
    pub fn hash_images(&self, h: &mut impl std::hash::Hasher) {
        use std::hash::Hash;
        for img in self.images() {
            img.path.hash(h);
            std::fs::read(&img.abs_path).ok().hash(h);
        }
    }

    /// The cases cited, in table-of-cases order.
    pub fn cases_cited(&self) -> Vec<CaseIdx> {
        self.citations
            .keys()
            .filter_map(|a| match a {
                Authority::Case(c) => Some(*c),
                Authority::Instrument(_) => None,
            })
            .collect()
    }
}

/// One place an authority is cited.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CitePlace {
    /// Chapter index in the guide.
    pub chapter: usize,
    /// The anchor of the citation (unique in the guide).
    pub anchor: String,
}

/// A chapter, resolved for one guide.
#[derive(Debug)]
pub struct Chapter {
    /// Workspace-relative path of the source file.
    pub path: String,
    /// The source file.
    pub file: crate::diag::SourceId,
    /// A slug unique in the guide, used for file names and anchors (`ch03-omissions`).
    pub slug: String,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: ChapterKind,
    /// Key terms of the opening box.
    pub key_terms: Vec<TermIdx>,
    /// Cases cited, in order of first citation (for the Key cases table).
    pub key_cases: Vec<CaseIdx>,
    /// The body.
    pub body: Vec<Event>,
    /// Headings: level, id, plain text (for navigation).
    pub headings: Vec<HeadingInfo>,
    /// Number of footnotes in the chapter, user notes and citation notes together.
    pub footnote_count: u32,
}

/// A heading in a chapter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeadingInfo {
    /// 1 to 6.
    pub level: u8,
    /// Unique id in the chapter.
    pub id: String,
    /// Plain text.
    pub text: String,
}

/// A resolved Markdown event. Mirrors pulldown-cmark's, with links, images,
/// citations, callouts and diagrams resolved; every event keeps its source span.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// Start of a container.
    Start(Tag),
    /// End of the innermost open container.
    End,
    /// Literal text.
    Text(String),
    /// Inline code.
    Code(String),
    /// A soft line break.
    SoftBreak,
    /// A hard line break.
    HardBreak,
    /// A thematic break.
    Rule,
    /// A reference to a user footnote, with its number in the chapter.
    FootnoteRef {
        /// The label as written.
        label: String,
        /// Its number among the chapter's footnotes.
        number: u32,
    },
    /// A citation of one or more authorities.
    Cite(Box<Citation>),
    /// An image.
    Image(Box<Image>),
    /// A flowchart.
    Diagram(Box<Diagram>),
}

/// Containers.
#[derive(Clone, Debug, PartialEq)]
pub enum Tag {
    /// A paragraph.
    Paragraph,
    /// A heading.
    Heading {
        /// 1 to 6.
        level: u8,
        /// Unique id in the chapter.
        id: String,
    },
    /// A plain block quote.
    BlockQuote,
    /// A callout box.
    Callout(Callout),
    /// A rule followed by its exceptions.
    RulePanel,
    /// A code block.
    CodeBlock {
        /// The info string's language, if any.
        lang: Option<String>,
    },
    /// A list; `Some(start)` when numbered.
    List(Option<u64>),
    /// A list item.
    Item,
    /// A footnote's text.
    FootnoteDefinition {
        /// The label.
        label: String,
        /// Its number.
        number: u32,
    },
    /// A table with column alignments.
    Table(Vec<Align>),
    /// The header row.
    TableHead,
    /// A body row.
    TableRow,
    /// A cell.
    TableCell,
    /// Emphasis.
    Emphasis,
    /// Strong emphasis.
    Strong,
    /// Strikethrough.
    Strikethrough,
    /// A link.
    Link(LinkTarget),
    /// A definition list.
    DefinitionList,
    /// A term in a definition list.
    DefinitionTerm,
    /// A definition in a definition list.
    DefinitionDetails,
}

/// Column alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Not set.
    None,
    /// Left.
    Left,
    /// Centre.
    Center,
    /// Right.
    Right,
}

/// Where a link goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkTarget {
    /// Outside the book: a valid URL, percent-encoded.
    External(String),
    /// A chapter file (workspace-relative path) and heading id, as written:
    /// resolved to [`LinkTarget::Chapter`] when a guide is assembled, and left
    /// so (printed as text) when the file is not a chapter of the guide.
    ChapterFile {
        /// Workspace-relative path of the `.md` file.
        path: String,
        /// Heading id, sanitised.
        fragment: Option<String>,
    },
    /// A chapter of the guide, optionally a heading in it.
    Chapter {
        /// Chapter index.
        chapter: usize,
        /// Heading id.
        fragment: Option<String>,
    },
}

/// The kinds of callout (spec section 2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CalloutKind {
    /// GitHub note.
    Note,
    /// GitHub tip.
    Tip,
    /// GitHub important.
    Important,
    /// GitHub warning.
    Warning,
    /// GitHub caution.
    Caution,
    /// Defines a term.
    Definition,
    /// A rule.
    Rule,
    /// An exception to the rule before it.
    Exception,
    /// Exam advice.
    ExamTip,
    /// A common mistake.
    Pitfall,
    /// How to earn extra marks.
    ExtraMarks,
    /// An example.
    Example,
    /// A summary.
    Summary,
    /// A checklist.
    Checklist,
    /// An exam question.
    Question,
    /// An answer plan.
    AnswerPlan,
    /// A numbered method step.
    Step,
    /// Concept beside a case summary.
    Case,
    /// Concept beside a provision.
    Statute,
}

impl CalloutKind {
    /// Every kind with its source name.
    pub const ALL: [(CalloutKind, &'static str); 19] = [
        (CalloutKind::Note, "note"),
        (CalloutKind::Tip, "tip"),
        (CalloutKind::Important, "important"),
        (CalloutKind::Warning, "warning"),
        (CalloutKind::Caution, "caution"),
        (CalloutKind::Definition, "definition"),
        (CalloutKind::Rule, "rule"),
        (CalloutKind::Exception, "exception"),
        (CalloutKind::ExamTip, "exam-tip"),
        (CalloutKind::Pitfall, "pitfall"),
        (CalloutKind::ExtraMarks, "extra-marks"),
        (CalloutKind::Example, "example"),
        (CalloutKind::Summary, "summary"),
        (CalloutKind::Checklist, "checklist"),
        (CalloutKind::Question, "question"),
        (CalloutKind::AnswerPlan, "answer-plan"),
        (CalloutKind::Step, "step"),
        (CalloutKind::Case, "case"),
        (CalloutKind::Statute, "statute"),
    ];

    /// The kind named in source (case-insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        Self::ALL.iter().find(|(_, n)| *n == lower).map(|(k, _)| *k)
    }

    /// The name as written in source.
    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(k, _)| *k == self).map(|(_, n)| *n).unwrap_or("note")
    }

    /// The default title, when the source gives none.
    pub fn default_title(self) -> &'static str {
        match self {
            CalloutKind::Note => "Note",
            CalloutKind::Tip => "Tip",
            CalloutKind::Important => "Important",
            CalloutKind::Warning => "Warning",
            CalloutKind::Caution => "Caution",
            CalloutKind::Definition => "Definition",
            CalloutKind::Rule => "Rule",
            CalloutKind::Exception => "Exception",
            CalloutKind::ExamTip => "Exam tip",
            CalloutKind::Pitfall => "Pitfall",
            CalloutKind::ExtraMarks => "Extra marks",
            CalloutKind::Example => "Example",
            CalloutKind::Summary => "Summary",
            CalloutKind::Checklist => "Checklist",
            CalloutKind::Question => "Question",
            CalloutKind::AnswerPlan => "Answer plan",
            CalloutKind::Step => "Step",
            CalloutKind::Case => "Case",
            CalloutKind::Statute => "Statute",
        }
    }
}

/// A callout box.
#[derive(Clone, Debug, PartialEq)]
pub struct Callout {
    /// Its kind.
    pub kind: CalloutKind,
    /// Its title as written (may be empty).
    pub title: String,
    /// For `case` and `statute`: what sits beside the body.
    pub target: Option<CalloutTarget>,
    /// For `step`: its number in the chapter (1, 2, …).
    pub step: Option<u32>,
    /// For `definition`: the term defined.
    pub term: Option<TermIdx>,
    /// For `case` and `statute`: an anchor unique in the guide, listed in the
    /// tables of authorities as a place the authority is cited.
    pub anchor: Option<String>,
}

/// The other column of a `case` or `statute` callout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CalloutTarget {
    /// A case summary.
    Case(CaseIdx),
    /// A provision's text; `None` means the whole instrument.
    Provision(InstrumentIdx, Option<Provision>),
}

/// A citation of one or more authorities, with its OSCOLA forms resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Citation {
    /// The authorities, in the order written.
    pub items: Vec<CiteItem>,
    /// In footnote mode: the footnote number (in the chapter).
    pub footnote: Option<u32>,
    /// Where it is written.
    pub span: Span,
}

/// One authority in a citation.
#[derive(Clone, Debug, PartialEq)]
pub struct CiteItem {
    /// What is cited.
    pub authority: Authority,
    /// The pinpoint or provision.
    pub locator: Option<Locator>,
    /// What stands in the running text (inline mode: the full or short
    /// citation; footnote mode: the case name, or nothing for legislation).
    pub text: Runs,
    /// Footnote mode: this item's part of the footnote.
    pub note: Option<Runs>,
    /// An anchor unique in the guide (`cite-3-14`), linked from the tables.
    pub anchor: String,
}

/// An image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    /// Alt text.
    pub alt: String,
    /// Title, if any.
    pub title: Option<String>,
    /// Workspace-relative path.
    pub path: String,
    /// Absolute path.
    pub abs_path: PathBuf,
    /// Where it is written.
    pub span: Span,
}

/// A flowchart.
#[derive(Clone, Debug)]
pub struct Diagram {
    /// The parsed graph.
    pub graph: Graph,
    /// Caption (`accTitle`).
    pub title: Option<String>,
    /// Alt text (`accDescr`).
    pub alt: Option<String>,
    /// A number unique in the guide (for file names).
    pub number: usize,
    /// Where it is written.
    pub span: Span,
}

impl PartialEq for Diagram {
    fn eq(&self, other: &Self) -> bool {
        self.number == other.number && self.span == other.span
    }
}
