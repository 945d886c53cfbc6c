//! casebook compiles a workspace of Markdown case summaries, legislation and
//! chapters into revision guides. The pipeline, each stage a function:
//!
//! ```text
//! load     workspace::load        casebook.toml, guide.toml, every .md  -> Workspace (SourceDb)
//! parse    parse::*               front matter (spans kept), Markdown events with offsets
//! resolve  resolve::resolve       citations, callouts, diagrams, key terms, OSCOLA forms -> Corpus
//! report   diag::*                rustc-style or JSON diagnostics; exit code
//! ```
//!
//! The model (`model::Corpus`) is immutable once built; renderers read it.

pub mod build;
pub mod cache;
pub mod cli;
pub mod commands;
pub mod config;
pub mod diag;
pub mod diagram;
pub mod fonts;
pub mod model;
pub mod oscola;
pub mod plan;
pub mod parse;
pub mod progress;
pub mod render;
pub mod resolve;
pub mod scaffold;
pub mod serve;
pub mod watch;
pub mod workspace;
