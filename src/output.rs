//! Output sinks: where rendered files go. `Incremental` writes only what
//! changed into the output folder, each file atomically, and only once the
//! whole build succeeded (see `incremental`); `Memory` keeps files in a map
//! (tests, dev server); `Discard` drops them (`check`). Also cleans up the
//! staging folders that builds of earlier versions left beside the output.
//!
//! Sinks only store bytes under a relative path; they never render.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path};
use std::sync::Mutex;

mod incremental;
pub mod manifest;

pub use incremental::{Incremental, Written};

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

    /// [`Output::write`], for a caller done with `bytes` (an output that
    /// keeps them takes them without a copy).
    fn write_owned(&self, rel: &str, bytes: Vec<u8>) -> Result<(), OutputError> {
        self.write(rel, &bytes)
    }
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

/// File every output carries, so a later build knows the folder is its own
/// to write into (and never touches a folder it did not make).
pub const MARKER: &str = ".gazette";

/// True if `dir` may be replaced by a build: absent, empty, or made by gazette.
pub fn replaceable(dir: &Path) -> bool {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_none() || dir.join(MARKER).is_file(),
        Err(_) => !dir.exists(),
    }
}

/// Clean up beside `target` after builds of earlier gazette versions (which
/// staged the whole site in a sibling folder) that are no longer running: a
/// previous site parked mid-swap goes back in place if `target` is missing;
/// other staging and parked folders are deleted.
fn recover(target: &Path) -> std::io::Result<()> {
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(());
    };
    let name = file_name(target);
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some((what, pid)) = leftover(&file, &name) else {
            continue;
        };
        if pid != std::process::id() && running(pid) {
            continue;
        }
        if what == "old" && !target.exists() {
            std::fs::rename(entry.path(), target)?;
        } else {
            std::fs::remove_dir_all(entry.path())?;
        }
    }
    Ok(())
}

/// `("staging" | "old", pid)` if `file` is a folder a build of `name` leaves.
fn leftover<'f>(file: &'f str, name: &str) -> Option<(&'f str, u32)> {
    let rest = file
        .strip_prefix('.')?
        .strip_prefix(name)?
        .strip_prefix('.')?;
    let (what, pid) = rest.split_once('-')?;
    let pid = pid.parse().ok()?;
    matches!(what, "staging" | "old").then_some((what, pid))
}

/// True if a process `pid` exists (it may be building the same site).
fn running(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 only checks that the process exists; pid > 0
        // never addresses a process group.
        pid > 0
            && (unsafe { libc::kill(pid, 0) } == 0
                || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM))
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        false
    }
}

fn file_name(target: &Path) -> String {
    target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into())
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
        self.write_owned(rel, bytes.to_vec())
    }

    fn write_owned(&self, rel: &str, bytes: Vec<u8>) -> Result<(), OutputError> {
        checked(rel)?;
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.insert(rel.to_owned(), bytes);
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

    /// Build `files` into `target` and commit.
    fn build(target: &Path, files: &[(&str, &str)]) -> Written {
        let out = Incremental::begin(target).unwrap();
        for (rel, text) in files {
            out.write(rel, text.as_bytes()).unwrap();
        }
        out.commit(None).unwrap()
    }

    fn read(target: &Path, rel: &str) -> String {
        std::fs::read_to_string(target.join(rel)).unwrap()
    }

    fn stat(target: &Path, rel: &str) -> manifest::Stat {
        manifest::Stat::of(&std::fs::metadata(target.join(rel)).unwrap())
    }

    #[test]
    fn incremental_output_changes_the_target_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        build(&target, &[("old.html", "old"), ("docs/a/index.html", "a")]);
        let abandoned = Incremental::begin(&target).unwrap();
        abandoned.write("new.html", b"new").unwrap();
        abandoned.write("docs/b/index.html", b"b").unwrap();
        drop(abandoned);
        let mut names: Vec<_> = walkdir::WalkDir::new(&target)
            .into_iter()
            .map(|e| relative_name(&target, e.unwrap().path()))
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "",
                ".gazette",
                ".gazette-manifest",
                "docs",
                "docs/a",
                "docs/a/index.html",
                "old.html"
            ]
        );
        let done = build(&target, &[("new.html", "new")]);
        assert_eq!((done.written, done.deleted, done.kept), (1, 2, 0));
        assert!(!target.join("old.html").exists() && !target.join("docs").exists());
        assert_eq!(read(&target, "new.html"), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(replaceable(&target));
    }

    fn relative_name(target: &Path, path: &Path) -> String {
        path.strip_prefix(target)
            .unwrap()
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn an_abandoned_first_build_leaves_no_folder() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let abandoned = Incremental::begin(&target).unwrap();
        abandoned.write("docs/a/index.html", b"a").unwrap();
        drop(abandoned);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn unchanged_files_are_not_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let files = [("a.html", "a"), ("docs/b/index.html", "b")];
        build(&target, &files);
        let before = [stat(&target, "a.html"), stat(&target, ".gazette-manifest")];
        let done = build(&target, &files);
        assert_eq!((done.written, done.deleted, done.kept), (0, 0, 2));
        let after = [stat(&target, "a.html"), stat(&target, ".gazette-manifest")];
        assert_eq!(before, after, "a rebuild with no change writes no file");
        let done = build(&target, &[("a.html", "A"), ("docs/b/index.html", "b")]);
        assert_eq!((done.written, done.kept), (1, 1));
        assert_eq!(read(&target, "a.html"), "A");
    }

    #[test]
    fn files_edited_behind_the_manifest_are_repaired() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        build(&target, &[("a.html", "aaa"), ("b.html", "bbb")]);
        std::fs::write(target.join("a.html"), "xxx").unwrap();
        std::fs::remove_file(target.join("b.html")).unwrap();
        std::fs::write(target.join("stray.html"), "?").unwrap();
        let done = build(&target, &[("a.html", "aaa"), ("b.html", "bbb")]);
        assert_eq!((done.written, done.deleted), (2, 1));
        assert_eq!(read(&target, "a.html"), "aaa");
        assert_eq!(read(&target, "b.html"), "bbb");
        assert!(!target.join("stray.html").exists());
    }

    #[test]
    fn a_file_may_become_a_folder_and_back() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        build(&target, &[("docs/a", "file")]);
        build(&target, &[("docs/a/index.html", "page")]);
        assert_eq!(read(&target, "docs/a/index.html"), "page");
        build(&target, &[("docs/a", "file again")]);
        assert_eq!(read(&target, "docs/a"), "file again");
    }

    /// A pid no process has (above Linux's largest `pid_max`).
    const DEAD: u32 = 2_000_000_000;

    #[test]
    fn leftovers_of_killed_builds_are_removed_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        build(&target, &[("docs/a/index.html", "a")]);
        let temp = target.join(format!("docs/a/.gz-tmp-{DEAD}-3"));
        std::fs::write(&temp, "torn").unwrap();
        let staging = dir.path().join(format!(".public.staging-{DEAD}"));
        std::fs::create_dir_all(staging.join("docs")).unwrap();
        let other = dir.path().join(format!(".other.staging-{DEAD}"));
        std::fs::create_dir_all(&other).unwrap();
        drop(Incremental::begin(&target).unwrap());
        assert!(!temp.exists(), "temporary file of a killed build");
        assert!(!staging.exists(), "staging folder of an earlier version");
        assert!(other.exists(), "another output's folder is left alone");
    }

    #[test]
    fn a_site_parked_mid_swap_is_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let parked = dir.path().join(format!(".public.old-{DEAD}"));
        std::fs::create_dir_all(&parked).unwrap();
        std::fs::write(parked.join("index.html"), "previous").unwrap();
        std::fs::write(parked.join(MARKER), "").unwrap();
        let abandoned = Incremental::begin(&target).unwrap();
        assert_eq!(read(&target, "index.html"), "previous");
        drop(abandoned);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
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
