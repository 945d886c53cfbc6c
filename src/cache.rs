//! `--cache DIR`: a content-addressed store of finished outputs, which a CI
//! system's cache action can carry from run to run.
//!
//! An entry is one file, `DIR/v1/<key>.<sha256 of its bytes>`, where the key
//! is the output's content key ([`crate::plan::content_key`]). Restoring
//! reads the entry and checks its bytes against the digest in its name: an
//! entry that was damaged (a disk fault, a half-copied cache, an edit) is
//! deleted and the output rebuilt, never served. The output is then written
//! as the build writes any output (a temporary file in the output folder,
//! renamed): a hard link of the entry when the two folders share a device,
//! else a copy.
//!
//! Storing writes a temporary file in `DIR/v1/tmp/` and renames it into
//! place, so a killed build never leaves a partial entry under a real name,
//! and two builds sharing the cache never clash: entries under one name have
//! the same bytes. A restore touches its entry's modification time, so that
//! `--cache-max-size` evicts the least recently used entries first.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

/// The cache folder.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

/// SHA-256 of bytes, in hex.
fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// What a restore found.
#[derive(Debug, PartialEq, Eq)]
pub enum Restore {
    /// The output was written from the cache.
    Restored,
    /// No entry for the key.
    Missing,
    /// An entry whose bytes do not match its digest: deleted.
    Corrupt,
}

impl Cache {
    /// The cache in `dir` (created when first stored into).
    pub fn new(dir: &Path) -> Cache {
        Cache { dir: dir.join("v1") }
    }

    /// The entries for a key (normally one).
    fn entries(&self, key: &str) -> Vec<PathBuf> {
        let prefix = format!("{key}.");
        let mut v: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|r| r.flatten().filter(|e| e.file_name().to_string_lossy().starts_with(&prefix)).map(|e| e.path()).collect())
            .unwrap_or_default();
        v.sort();
        v
    }

    /// Writes the output for `key` to `out` from the cache, if a sound entry is there.
    pub fn restore(&self, key: &str, out: &Path) -> std::io::Result<Restore> {
        let mut found = Restore::Missing;
        for entry in self.entries(key) {
            let name = entry.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let Some(want) = name.strip_prefix(&format!("{key}.")) else { continue };
            let Ok(bytes) = std::fs::read(&entry) else { continue };
            if digest(&bytes) != want {
                let _ = std::fs::remove_file(&entry);
                found = Restore::Corrupt;
                continue;
            }
            place(&entry, &bytes, out)?;
            // Used now: the last to be evicted.
            if let Ok(f) = std::fs::File::options().append(true).open(&entry) {
                let _ = f.set_modified(SystemTime::now());
            }
            return Ok(Restore::Restored);
        }
        Ok(found)
    }

    /// Stores the bytes of the output for `key`.
    pub fn store(&self, key: &str, bytes: &[u8]) -> std::io::Result<()> {
        let tmp_dir = self.dir.join("tmp");
        std::fs::create_dir_all(&tmp_dir)?;
        let target = self.dir.join(format!("{key}.{}", digest(bytes)));
        if target.is_file() {
            return Ok(());
        }
        let tmp = tmp_dir.join(format!("{key}.{}.{:?}", std::process::id(), std::thread::current().id()).replace(['(', ')'], ""));
        let result = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            std::io::Write::write_all(&mut f, bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &target)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    /// Deletes the least recently used entries until the cache holds at most `max` bytes.
    pub fn evict(&self, max: u64) -> std::io::Result<usize> {
        let mut entries: Vec<(SystemTime, u64, PathBuf)> = std::fs::read_dir(&self.dir)
            .map(|r| {
                r.flatten()
                    .filter_map(|e| {
                        let meta = e.metadata().ok()?;
                        meta.is_file().then(|| (meta.modified().unwrap_or(SystemTime::UNIX_EPOCH), meta.len(), e.path()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        entries.sort();
        let mut total: u64 = entries.iter().map(|e| e.1).sum();
        let mut removed = 0;
        for (_, len, path) in entries {
            if total <= max {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= len;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// Writes `out` from a cache entry atomically: a hard link to the entry
/// (same device), else a copy of its bytes, under a temporary name renamed.
fn place(entry: &Path, bytes: &[u8], out: &Path) -> std::io::Result<()> {
    let dir = out.parent().unwrap_or(Path::new("."));
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.cache.tmp", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    if std::fs::hard_link(entry, &tmp).is_ok() {
        if let Err(e) = std::fs::rename(&tmp, out) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        return Ok(());
    }
    crate::build::write_atomic(out, bytes)
}

/// A size from the command line: bytes, or with a K, M or G suffix (powers of 1024).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, mult) = match t.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&t[..t.len() - 1], 1u64 << 10),
        Some('M') => (&t[..t.len() - 1], 1 << 20),
        Some('G') => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    let n: u64 = num.trim().parse().map_err(|_| format!("`{s}` is not a size: write bytes, or 500M, 2G"))?;
    n.checked_mul(mult).ok_or_else(|| format!("`{s}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_checked_stored_atomically_and_evicted_least_recently_used_first() {
        let root = std::env::temp_dir().join(format!("casebook-cache-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let cache = Cache::new(&root.join("cache"));
        let out_dir = root.join("out");
        std::fs::create_dir_all(&out_dir).unwrap();
        let out = out_dir.join("a.pdf");
        assert_eq!(cache.restore("k1", &out).unwrap(), Restore::Missing);
        cache.store("k1", b"first output").unwrap();
        assert_eq!(cache.restore("k1", &out).unwrap(), Restore::Restored);
        assert_eq!(std::fs::read(&out).unwrap(), b"first output");
        // Nothing is left in tmp/.
        assert_eq!(std::fs::read_dir(root.join("cache/v1/tmp")).unwrap().count(), 0);
        // A damaged entry is found, deleted and not served.
        let entry = cache.entries("k1").pop().unwrap();
        std::fs::remove_file(&out).unwrap();
        std::fs::write(&entry, b"first outpuT").unwrap();
        assert_eq!(cache.restore("k1", &out).unwrap(), Restore::Corrupt);
        assert!(!out.exists() && cache.entries("k1").is_empty());
        // Least recently used first.
        cache.store("old", &[0u8; 100]).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        cache.store("new", &[1u8; 100]).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(cache.restore("old", &out_dir.join("b")).unwrap(), Restore::Restored);
        assert_eq!(cache.evict(150).unwrap(), 1);
        assert!(cache.entries("new").is_empty() && cache.entries("old").len() == 1);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("500M"), Ok(500 << 20));
        assert_eq!(parse_size("2g"), Ok(2 << 30));
        assert_eq!(parse_size("1234"), Ok(1234));
        assert!(parse_size("lots").is_err());
    }
}
