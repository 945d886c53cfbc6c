//! The command line, as clap derive types. Doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::diag::MessageFormat;

/// casebook: compile a bank of Markdown case summaries, statutes and chapters
/// into printable PDF revision guides and EPUB 3 e-books, offline.
#[derive(Debug, Parser)]
#[command(name = "casebook", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new workspace with one sample guide in DIR (which must be empty or absent).
    New(NewArgs),
    /// Load, parse and resolve every source and print diagnostics; writes nothing.
    Check(CheckArgs),
    /// List the guides with their chapters, and counts of what the workspace holds.
    List(ListArgs),
}

/// Arguments of `casebook new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// Folder to create the workspace in.
    pub dir: PathBuf,
}

/// Options shared by every command that reads sources.
#[derive(Debug, Args, Clone)]
pub struct SourceArgs {
    /// Workspace folder; by default the nearest folder, from here upwards, that holds casebook.toml.
    pub dir: Option<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value = "human")]
    pub message_format: MessageFormat,
}

/// Arguments of `casebook check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Where and how.
    #[command(flatten)]
    pub source: SourceArgs,
}

/// Arguments of `casebook list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Workspace folder; by default the nearest folder, from here upwards, that holds casebook.toml.
    pub dir: Option<PathBuf>,
}
