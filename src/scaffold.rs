//! `casebook new`: writes a small workspace that passes `check --strict` (one
//! guide, two chapters, three cases, one statute, a glossary, a diagram and
//! the common callouts). The files live in `templates/new/` and are embedded
//! in the binary.

use std::fs;
use std::path::Path;

use crate::workspace::ToolError;

/// The files of a new workspace: (relative path, contents).
pub const FILES: &[(&str, &str)] = &[
    ("casebook.toml", include_str!("../templates/new/casebook.toml")),
    ("glossary.md", include_str!("../templates/new/glossary.md")),
    ("cases/r-v-g.md", include_str!("../templates/new/cases/r-v-g.md")),
    ("cases/r-v-miller.md", include_str!("../templates/new/cases/r-v-miller.md")),
    ("cases/r-v-woollin.md", include_str!("../templates/new/cases/r-v-woollin.md")),
    ("legislation/theft-act-1968.md", include_str!("../templates/new/legislation/theft-act-1968.md")),
    ("my-guide/guide.toml", include_str!("../templates/new/my-guide/guide.toml")),
    ("my-guide/foundations.md", include_str!("../templates/new/my-guide/foundations.md")),
    ("my-guide/fault.md", include_str!("../templates/new/my-guide/fault.md")),
];

/// Creates the workspace in `dir`, which must be absent or empty. On refusal
/// nothing is written.
pub fn create(dir: &Path) -> Result<(), ToolError> {
    if dir.exists() {
        if !dir.is_dir() {
            return Err(ToolError::new(format!("{} exists and is not a folder", dir.display()), Some("choose a new folder name")));
        }
        let non_empty = fs::read_dir(dir)
            .map_err(|e| ToolError::new(format!("cannot read {}: {e}", dir.display()), None))?
            .next()
            .is_some();
        if non_empty {
            return Err(ToolError::new(
                format!("{} is not empty", dir.display()),
                Some("casebook new only writes into an empty or new folder, so it never overwrites your files"),
            ));
        }
    }
    for (rel, text) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| ToolError::new(format!("cannot create {}: {e}", parent.display()), None))?;
        }
        fs::write(&path, text).map_err(|e| ToolError::new(format!("cannot write {}: {e}", path.display()), None))?;
    }
    Ok(())
}
