//! Output sinks: where rendered files go. `Staged` builds into a fresh folder
//! beside the target and swaps it in only when the whole build succeeded, so
//! a failed build leaves the previous output byte-identical; `Memory` keeps
//! files in a map (tests, dev server); `Discard` drops them (`check`).
//!
//! Sinks only store bytes under a relative path; they never render.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// Why a file could not be written.
#[derive(Debug)]
pub struct OutputError {
    /// The relative output path.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot write {}: {}", self.path, self.message)
    }
}

/// A destination for rendered files; shared across rendering threads.
pub trait Output: Sync {
    /// Store `bytes` at `rel`, a `/`-separated path inside the output.
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError>;
}

/// Reject paths that could leave the output folder.
fn checked(rel: &str) -> Result<&Path, OutputError> {
    let path = Path::new(rel);
    let inside = !rel.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)));
    if inside {
        Ok(path)
    } else {
        Err(OutputError {
            path: rel.into(),
            message: "path would leave the output folder".into(),
        })
    }
}

/// File every staged output carries, so a later build knows the folder is
/// its own to replace (and never deletes a folder it did not make).
pub const MARKER: &str = ".gazette";

/// True if `dir` may be replaced by a build: absent, empty, or made by gazette.
pub fn replaceable(dir: &Path) -> bool {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_none() || dir.join(MARKER).is_file(),
        Err(_) => !dir.exists(),
    }
}

/// Writes into a staging folder next to `target`; `commit` swaps it in.
pub struct Staged {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
}

impl Staged {
    /// Create an empty staging folder beside `target`.
    pub fn begin(target: &Path) -> std::io::Result<Staged> {
        let staging = sibling(target, "staging");
        if staging.exists() {
            std::fs::remove_dir_all(&staging)?;
        }
        std::fs::create_dir_all(&staging)?;
        std::fs::write(
            staging.join(MARKER),
            "Written by gazette: this folder is replaced on every build.\n",
        )?;
        Ok(Staged {
            target: target.to_path_buf(),
            staging,
            committed: false,
        })
    }

    /// Replace `target` with everything written so far.
    pub fn commit(mut self) -> std::io::Result<()> {
        let old = sibling(&self.target, "old");
        if old.exists() {
            std::fs::remove_dir_all(&old)?;
        }
        if self.target.exists() {
            std::fs::rename(&self.target, &old)?;
        }
        std::fs::rename(&self.staging, &self.target)?;
        self.committed = true;
        if old.exists() {
            std::fs::remove_dir_all(&old)?;
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: a leftover staging folder is removed by the next build.
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

impl Output for Staged {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let path = self.staging.join(checked(rel)?);
        let fail = |e: std::io::Error| OutputError {
            path: rel.into(),
            message: e.to_string(),
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        std::fs::write(&path, bytes).map_err(fail)
    }
}

/// `<parent>/.<name>.<what>-<pid>`: a hidden sibling of `target`.
fn sibling(target: &Path, what: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    target.with_file_name(format!(".{name}.{what}-{}", std::process::id()))
}

/// Keeps every file in memory.
#[derive(Default)]
pub struct Memory {
    files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl Memory {
    /// Take the files written so far.
    pub fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Output for Memory {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        checked(rel)?;
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.insert(rel.to_owned(), bytes.to_vec());
        Ok(())
    }
}

/// Drops everything: for `check`, which renders to find problems only.
pub struct Discard;

impl Output for Discard {
    fn write(&self, rel: &str, _: &[u8]) -> Result<(), OutputError> {
        checked(rel).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_outside_the_output() {
        let m = Memory::default();
        assert!(m.write("../x", b"").is_err());
        assert!(m.write("/etc/passwd", b"").is_err());
        assert!(m.write("docs/a/index.html", b"x").is_ok());
    }

    #[test]
    fn staged_output_replaces_target_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("old.html"), "old").unwrap();
        let abandoned = Staged::begin(&target).unwrap();
        abandoned.write("new.html", b"new").unwrap();
        drop(abandoned);
        assert!(target.join("old.html").exists());
        let staged = Staged::begin(&target).unwrap();
        staged.write("new.html", b"new").unwrap();
        staged.commit().unwrap();
        assert!(!target.join("old.html").exists());
        assert_eq!(
            std::fs::read_to_string(target.join("new.html")).unwrap(),
            "new"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no staging leftovers"
        );
        assert!(replaceable(&target));
    }

    #[test]
    fn only_absent_empty_or_own_folders_are_replaceable() {
        let dir = tempfile::tempdir().unwrap();
        assert!(replaceable(&dir.path().join("absent")));
        assert!(replaceable(dir.path()));
        std::fs::write(dir.path().join("thesis.docx"), "years of work").unwrap();
        assert!(!replaceable(dir.path()));
        assert!(!replaceable(&dir.path().join("thesis.docx")));
    }
}
