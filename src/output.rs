//! Output sinks: where rendered files go. `Staged` builds into a fresh folder
//! beside the target and swaps it in only when the whole build succeeded, so
//! a failed build leaves the previous output byte-identical; on Linux the swap
//! is one atomic exchange, and the next build cleans up after a killed one
//! (restoring a previous site parked mid-swap); `Memory` keeps
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
    /// Create an empty staging folder beside `target`, after cleaning up
    /// what killed builds left there.
    pub fn begin(target: &Path) -> std::io::Result<Staged> {
        recover(target)?;
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
        if self.target.exists() {
            swap(&self.staging, &self.target)?;
            self.committed = true;
            // The staging path now holds the previous site.
            std::fs::remove_dir_all(&self.staging)
        } else {
            std::fs::rename(&self.staging, &self.target)?;
            self.committed = true;
            Ok(())
        }
    }
}

/// Put the folder at `staging` in `target`'s place and the old `target` at
/// `staging`. On Linux one `renameat2(RENAME_EXCHANGE)`: `target` is the old
/// or the new site at every instant. Elsewhere, or on a file system that
/// cannot exchange, two renames with the old site parked at
/// `.<name>.old-<pid>` in between, which `recover` puts back if the build
/// dies there.
fn swap(staging: &Path, target: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    match exchange(staging, target) {
        Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS)) => {}
        done => return done,
    }
    let old = sibling(target, "old");
    std::fs::rename(target, &old)?;
    std::fs::rename(staging, target)?;
    std::fs::rename(&old, staging)
}

/// Atomically exchange two paths (Linux 3.15+, most local file systems).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are NUL-terminated C strings that outlive the call.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Clean up beside `target` after builds that are no longer running: a
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
    let name = file_name(target);
    target.with_file_name(format!(".{name}.{what}-{}", std::process::id()))
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

    /// A pid no process has (above Linux's largest `pid_max`).
    const DEAD: u32 = 2_000_000_000;

    #[test]
    fn leftovers_of_killed_builds_are_removed_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        std::fs::create_dir_all(&target).unwrap();
        let staging = dir.path().join(format!(".public.staging-{DEAD}"));
        std::fs::create_dir_all(staging.join("docs")).unwrap();
        let other = dir.path().join(format!(".other.staging-{DEAD}"));
        std::fs::create_dir_all(&other).unwrap();
        Staged::begin(&target).unwrap().commit().unwrap();
        assert!(!staging.exists(), "staging folder of a killed build");
        assert!(other.exists(), "another output's folder is left alone");
    }

    #[test]
    fn a_site_parked_mid_swap_is_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let parked = dir.path().join(format!(".public.old-{DEAD}"));
        std::fs::create_dir_all(&parked).unwrap();
        std::fs::write(parked.join("index.html"), "previous").unwrap();
        let abandoned = Staged::begin(&target).unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("index.html")).unwrap(),
            "previous"
        );
        drop(abandoned);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn exchange_swaps_two_folders_in_one_step() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir(&a).unwrap();
        std::fs::write(a.join("new"), "").unwrap();
        std::fs::create_dir(&b).unwrap();
        std::fs::write(b.join("old"), "").unwrap();
        exchange(&a, &b).unwrap();
        assert!(b.join("new").exists() && a.join("old").exists());
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
