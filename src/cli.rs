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
    /// Build every guide's editions (PDF and EPUB) into the output folder.
    Build(BuildArgs),
    /// Build, then rebuild the guides an edit affects whenever a source changes (Ctrl-C stops).
    Watch(WatchArgs),
    /// Plan a build for a CI job matrix: every guide's outputs, the files it depends on,
    /// its weight and a content key per output; with --shards N, guides spread over N shards.
    Plan(PlanArgs),
}

/// Arguments of `casebook plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Where and how.
    #[command(flatten)]
    pub source: SourceArgs,
    /// Print one JSON document (for a CI job matrix) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Spread the guides over N shards, balanced by weight (`build --shard I/N` builds one).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub shards: Option<u16>,
    /// Outputs to plan; repeat for several. Default: each guide's `formats`.
    #[arg(long = "format", value_enum, value_name = "FORMAT")]
    pub formats: Vec<crate::build::Format>,
}

/// Arguments of `casebook build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Where and how.
    #[command(flatten)]
    pub source: SourceArgs,
    /// Build only this guide (by folder name); repeat for several.
    #[arg(long = "guide", value_name = "ID")]
    pub guides: Vec<String>,
    /// Build only the guides of shard I of N, as `casebook plan --shards N` assigns them.
    #[arg(long, value_name = "I/N", value_parser = crate::plan::parse_shard, conflicts_with = "guides")]
    pub shard: Option<(usize, usize)>,
    /// Output folder; default: `out-dir` from casebook.toml (`dist`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Editions to write; repeat for several. Default: all.
    #[arg(long = "format", value_enum, value_name = "FORMAT")]
    pub formats: Vec<crate::build::Format>,
    /// Guides to build at once; default: the number of cores. Outputs never depend on it.
    #[arg(short = 'j', long = "jobs", value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// A content-addressed cache of finished outputs (as a CI cache action carries it):
    /// an output whose content key it holds is restored instead of rebuilt.
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// After the build, evict least recently used cache entries down to SIZE (bytes, or 500M, 2G).
    #[arg(long, value_name = "SIZE", value_parser = crate::cache::parse_size, requires = "cache")]
    pub cache_max_size: Option<u64>,
    /// No progress bars: one plain line per guide (as with no terminal or under CI).
    #[arg(short, long)]
    pub quiet: bool,
}

/// Arguments of `casebook watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The same options as `build`.
    #[command(flatten)]
    pub build: BuildArgs,
    /// Also serve a live preview of the output folder (default 127.0.0.1:3000; ADDR may be a port,
    /// `localhost:PORT` or `IP:PORT`). Open pages reload after every rebuild.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:3000", value_parser = parse_addr)]
    pub serve: Option<std::net::SocketAddr>,
}

/// A listening address: `PORT`, `localhost:PORT` or `IP:PORT`.
fn parse_addr(s: &str) -> Result<std::net::SocketAddr, String> {
    let s = s.trim();
    if let Ok(port) = s.parse::<u16>() {
        return Ok(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    }
    if let Some(port) = s.strip_prefix("localhost:") {
        let port: u16 = port.parse().map_err(|_| format!("`{port}` is not a port number"))?;
        return Ok(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    }
    s.parse().map_err(|_| format!("`{s}` is not an address: give a port (3000), localhost:3000 or an IP and port (127.0.0.1:3000)"))
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
