//! Parsing: front matter split off with its byte offsets kept, the raw serde
//! types of every front matter table, and the one function that sets
//! pulldown-cmark's options. Nothing here resolves references.

pub mod front_matter;
pub mod markdown;
