//! `Incremental`: the disk sink of `build`. It writes only files whose bytes
//! changed, each into a temporary file beside its final place; `commit`
//! renames them in (one atomic rename per file), deletes what the build no
//! longer produces and writes the manifest last. A build that fails before
//! `commit` removes its temporary files and leaves the output as it was.
//!
//! A file is unchanged when the manifest vouches for it (same digest, stat
//! untouched) or, failing that, when its bytes on disk equal the new ones,
//! so the next build repairs whatever a killed one left half done.
//!
//! Into an output holding no file (a fresh build), files are written under
//! their own names in a temporary folder inside the output, and `commit`
//! renames its top-level entries in: a few renames instead of one per file,
//! with the same guarantees (a killed build leaves no torn file, and the
//! next build removes the folder).

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use super::manifest::{self, Built, Entry, Manifest, Stat};
use super::{MARKER, Output, OutputError, checked};

/// Prefix of temporary files; the rest is `<pid>-<n>`.
const TEMP: &str = ".gz-tmp-";

/// What a commit did, for reports and tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Written {
    /// Files written (new or changed).
    pub written: usize,
    /// Files deleted because the build no longer produces them.
    pub deleted: usize,
    /// Files left as they were.
    pub kept: usize,
}

/// A file the build produced.
struct Produced {
    entry: Entry,
    /// Where its new bytes wait to be renamed in; `None` if unchanged.
    temp: Option<PathBuf>,
}

/// Writes only what changed into `target`, atomically per file.
pub struct Incremental {
    target: PathBuf,
    old: Manifest,
    old_text: String,
    /// Files (and links) found in the output before the build, by path.
    disk: HashMap<String, Stat>,
    /// Folders found in the output before the build ("" is the output).
    dirs: BTreeSet<String>,
    produced: Mutex<HashMap<String, Produced>>,
    /// Files that must replace a stale file in their path: written at commit.
    deferred: Mutex<Vec<(String, Vec<u8>)>>,
    /// Folders this build created (topmost only), removed if it fails.
    created: Mutex<BTreeSet<String>>,
    counter: AtomicU64,
    /// In a fresh build, the temporary folder (relative to the output) the
    /// files are written in before `commit` moves them out.
    fresh: Option<String>,
    marked: bool,
    committing: bool,
}

impl Incremental {
    /// Read the manifest and the state of `target`, removing temporary
    /// files of builds that are no longer running; marks `target` as
    /// gazette's (creating it if absent).
    pub fn begin(target: &Path) -> std::io::Result<Incremental> {
        super::recover(target)?;
        let mut inc = Incremental {
            target: target.to_path_buf(),
            old: Manifest::default(),
            old_text: String::new(),
            disk: HashMap::new(),
            dirs: BTreeSet::new(),
            produced: Mutex::default(),
            deferred: Mutex::default(),
            created: Mutex::default(),
            counter: AtomicU64::new(0),
            fresh: None,
            marked: false,
            committing: false,
        };
        if target.is_dir() {
            inc.scan()?;
        } else {
            std::fs::create_dir_all(target)?;
            inc.created_mut().insert(String::new());
            inc.dirs.insert(String::new());
        }
        if !inc.disk.contains_key(MARKER) {
            std::fs::write(target.join(MARKER), MARKER_TEXT)?;
            inc.marked = true;
        }
        // After the marker, so that a build killed in between leaves an
        // output the next one may write into (and clean). Not over empty
        // folders: a folder moved out could not replace one.
        if inc.disk.is_empty() && inc.dirs.len() == 1 {
            let folder = format!("{TEMP}{}-site", std::process::id());
            std::fs::create_dir(target.join(&folder))?;
            inc.created_mut().insert(folder.clone());
            inc.fresh = Some(folder);
        }
        Ok(inc)
    }

    fn created_mut(&mut self) -> &mut BTreeSet<String> {
        self.created.get_mut().unwrap_or_else(|e| e.into_inner())
    }

    /// Record every file and folder under the output; delete temporary
    /// files and folders that killed builds left.
    fn scan(&mut self) -> std::io::Result<()> {
        self.old_text =
            std::fs::read_to_string(self.target.join(manifest::NAME)).unwrap_or_default();
        self.old = Manifest::parse(&self.old_text);
        let mut walk = walkdir::WalkDir::new(&self.target)
            .follow_links(false)
            .into_iter();
        while let Some(entry) = walk.next() {
            let entry = entry.map_err(std::io::Error::other)?;
            let rel = relative(entry.path(), &self.target);
            let is_dir = entry.file_type().is_dir();
            if let Some(pid) = temp_pid(&entry.file_name().to_string_lossy()) {
                if is_dir {
                    walk.skip_current_dir();
                }
                if pid == std::process::id() || !super::running(pid) {
                    match is_dir {
                        true => std::fs::remove_dir_all(entry.path())?,
                        false => std::fs::remove_file(entry.path())?,
                    }
                }
            } else if is_dir {
                self.dirs.insert(rel);
            } else {
                let meta = entry.metadata().map_err(std::io::Error::other)?;
                let mut stat = Stat::of(&meta);
                if !meta.is_file() {
                    // A link or device is never read through: always replaced.
                    stat.size = u64::MAX;
                }
                self.disk.insert(rel, stat);
            }
        }
        Ok(())
    }

    /// True if the file at `rel` already holds `bytes`.
    fn unchanged(&self, rel: &str, digest: u64, bytes: &[u8]) -> Option<Stat> {
        let stat = *self.disk.get(rel)?;
        if stat.size != bytes.len() as u64 {
            return None;
        }
        let same = self.old.vouches(rel, digest, stat)
            || std::fs::read(self.target.join(rel)).is_ok_and(|old| old == bytes);
        same.then_some(stat)
    }

    /// What the build that wrote the output was made from, if it said.
    pub fn previous(&self) -> Option<&Built> {
        self.old.built.as_ref()
    }

    /// True if the file at `rel` is as the last build wrote it (the manifest
    /// vouches for its stat), so this build may keep it unrendered.
    pub fn keepable(&self, rel: &str) -> bool {
        self.old_entry(rel).is_some()
    }

    /// Keep the file at `rel` as the last build wrote it, unless this build
    /// produced it already; false if it is not [`Incremental::keepable`].
    pub fn keep(&self, rel: &str) -> bool {
        let Some(entry) = self.old_entry(rel) else {
            return false;
        };
        let mut all = self.produced.lock().unwrap_or_else(|e| e.into_inner());
        all.entry(rel.to_owned())
            .or_insert(Produced { entry, temp: None });
        true
    }

    /// The manifest's entry for `rel`, if the file on disk still matches it.
    fn old_entry(&self, rel: &str) -> Option<Entry> {
        let entry = *self.old.files.get(rel)?;
        (self.disk.get(rel) == Some(&entry.stat)).then_some(entry)
    }

    /// True if a file (or link) of the old output stands where `rel` needs
    /// a folder.
    fn blocked(&self, rel: &str) -> bool {
        ancestors(rel).any(|a| self.disk.contains_key(a))
    }

    /// Where the file at `rel` is written: in the output, or in a fresh
    /// build's temporary folder.
    fn path(&self, rel: &str) -> PathBuf {
        match &self.fresh {
            Some(folder) => self.target.join(folder).join(rel),
            None => self.target.join(rel),
        }
    }

    /// Write `bytes` into a new file in `rel`'s folder: a temporary file, or
    /// in a fresh build `rel` itself unless written already.
    fn stage(&self, rel: &str, bytes: &[u8]) -> std::io::Result<(PathBuf, Stat)> {
        let parent = rel.rsplit_once('/').map_or("", |(p, _)| p);
        if !self.dirs.contains(parent) {
            // A fresh build's folders go with its temporary folder.
            let new_top = ancestors(rel).find(|a| !self.dirs.contains(*a));
            if let Some(top) = new_top.filter(|_| self.fresh.is_none()) {
                let mut created = self.created.lock().unwrap_or_else(|e| e.into_inner());
                created.insert(top.to_owned());
            }
            std::fs::create_dir_all(self.path(parent))?;
        }
        let open = |path: &Path| {
            std::fs::File::options()
                .write(true)
                .create_new(true)
                .open(path)
        };
        let placed = self.fresh.is_some().then(|| self.path(rel));
        let (path, mut file) = match placed.map(|path| (open(&path), path)) {
            Some((Ok(file), path)) => (path, file),
            Some((Err(e), _)) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(e),
            _ => {
                let n = self.counter.fetch_add(1, Ordering::Relaxed);
                let name = format!("{TEMP}{}-{n}", std::process::id());
                let temp = self.path(parent).join(name);
                let file = open(&temp)?;
                (temp, file)
            }
        };
        file.write_all(bytes)?;
        let stat = Stat::of(&file.metadata()?);
        Ok((path, stat))
    }

    fn record(&self, rel: &str, produced: Produced) {
        let mut all = self.produced.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(Produced {
            temp: Some(stale), ..
        }) = all.insert(rel.to_owned(), produced)
        {
            let _ = std::fs::remove_file(stale);
        }
    }

    /// True if `target` holds a manifest: a build there may find files, or
    /// everything, unchanged.
    pub fn has_manifest(target: &Path) -> bool {
        target.join(manifest::NAME).is_file()
    }

    /// The report of the build that wrote `target`, if it was built from
    /// `inputs` and every file is as that build left it: no file edited,
    /// added or removed since, and no temporary file of a killed build.
    /// Reads only; `None` whenever in doubt.
    pub fn up_to_date(target: &Path, inputs: u64) -> Option<String> {
        let text = std::fs::read_to_string(target.join(manifest::NAME)).ok()?;
        let Manifest { built, files } = Manifest::parse(&text);
        let built = built.filter(|b| b.inputs == inputs)?;
        let mut seen = 0;
        for entry in walkdir::WalkDir::new(target).follow_links(false) {
            let entry = entry.ok()?;
            if entry.file_type().is_dir() {
                // A killed build's temporary folder, even empty, needs a build to go.
                match temp_pid(&entry.file_name().to_string_lossy()) {
                    Some(_) => return None,
                    None => continue,
                }
            }
            let rel = relative(entry.path(), target);
            if rel == MARKER || rel == manifest::NAME {
                continue;
            }
            let stat = Stat::of(&entry.metadata().ok()?);
            if files.get(&rel)?.stat != stat {
                return None;
            }
            seen += 1;
        }
        let marked = target.join(MARKER).is_file();
        (marked && seen == files.len()).then_some(built.report)
    }

    /// Put every changed file in place, delete files no longer produced,
    /// then write the manifest (only if it changed), recording `built`.
    pub fn commit(mut self, built: Option<Built>) -> std::io::Result<Written> {
        self.committing = true;
        self.write_deferred()?;
        let mut done = Written::default();
        let mut next = Manifest {
            built,
            ..Manifest::default()
        };
        let mut produced = self.produced.lock().unwrap_or_else(|e| e.into_inner());
        // Each rename is on its own: spread them over the cores (a fresh
        // build of ten thousand documents renames twelve thousand files).
        let renamed: Vec<std::io::Result<bool>> = (produced.par_iter_mut())
            .map(|(rel, p)| {
                let Some(temp) = p.temp.take() else {
                    return Ok(false);
                };
                self.put(rel, &temp).inspect_err(|_| p.temp = Some(temp))?;
                Ok(true)
            })
            .collect();
        for written in renamed {
            match written? {
                true => done.written += 1,
                false => done.kept += 1,
            }
        }
        next.files
            .extend(produced.iter().map(|(rel, p)| (rel.clone(), p.entry)));
        drop(produced);
        done.deleted = self.delete_stale(&next)?;
        let text = next.print();
        if text != self.old_text {
            let (temp, _) = self.stage(manifest::NAME, text.as_bytes())?;
            self.put(manifest::NAME, &temp)?;
        }
        self.move_out()?;
        self.marked = false;
        self.created_mut().clear();
        Ok(done)
    }

    /// Move a fresh build's files out of its temporary folder (each entry at
    /// its top, folders whole), then remove the folder.
    fn move_out(&self) -> std::io::Result<()> {
        let Some(folder) = &self.fresh else {
            return Ok(());
        };
        let folder = self.target.join(folder);
        for entry in std::fs::read_dir(&folder)? {
            let name = entry?.file_name();
            if name != manifest::NAME {
                move_into(&folder.join(&name), &self.target.join(name))?;
            }
        }
        // Last, as in any build: a manifest vouches for files in place.
        let manifest = folder.join(manifest::NAME);
        if manifest.exists() {
            std::fs::rename(manifest, self.target.join(manifest::NAME))?;
        }
        std::fs::remove_dir(folder)
    }

    /// Write the files whose folder a stale file occupied, removing it.
    fn write_deferred(&mut self) -> std::io::Result<()> {
        let deferred = std::mem::take(self.deferred.get_mut().unwrap_or_else(|e| e.into_inner()));
        for (rel, bytes) in deferred {
            for a in ancestors(&rel) {
                if self.disk.remove(a).is_some() {
                    std::fs::remove_file(self.target.join(a))?;
                }
            }
            let (temp, stat) = self.stage(&rel, &bytes)?;
            let entry = Entry {
                digest: manifest::digest(&bytes),
                stat,
            };
            self.record(
                &rel,
                Produced {
                    entry,
                    temp: Some(temp),
                },
            );
        }
        Ok(())
    }

    /// Rename `temp` to `rel`, replacing a stale folder standing there (a
    /// file a fresh build wrote in place stays).
    fn put(&self, rel: &str, temp: &Path) -> std::io::Result<()> {
        let path = self.path(rel);
        if temp == path {
            return Ok(());
        }
        if self.dirs.contains(rel) && path.is_dir() {
            std::fs::remove_dir_all(&path)?;
        }
        std::fs::rename(temp, path)
    }

    /// Delete files of the old output the build did not produce, then
    /// folders left empty; returns how many files went.
    fn delete_stale(&self, next: &Manifest) -> std::io::Result<usize> {
        let mut deleted = 0;
        for rel in self.disk.keys() {
            let own = rel == MARKER || rel == manifest::NAME;
            if !own && !next.files.contains_key(rel) {
                // Gone already, or its folder was replaced by a new file.
                use std::io::ErrorKind::{NotADirectory, NotFound};
                match std::fs::remove_file(self.target.join(rel)) {
                    Err(e) if !matches!(e.kind(), NotFound | NotADirectory) => return Err(e),
                    _ => deleted += 1,
                }
            }
        }
        let needed: BTreeSet<&str> = next.files.keys().flat_map(|r| ancestors(r)).collect();
        for dir in self.dirs.iter().rev() {
            if !dir.is_empty() && !needed.contains(dir.as_str()) {
                // Not empty means something the build wrote lives there.
                let _ = std::fs::remove_dir(self.target.join(dir));
            }
        }
        Ok(deleted)
    }
}

const MARKER_TEXT: &str =
    "Written by gazette: files in this folder are replaced or deleted on every build.\n";

impl Output for Incremental {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        checked(rel)?;
        let fail = |e: std::io::Error| OutputError {
            path: rel.into(),
            message: e.to_string(),
        };
        if self.blocked(rel) {
            let mut deferred = self.deferred.lock().unwrap_or_else(|e| e.into_inner());
            deferred.push((rel.to_owned(), bytes.to_vec()));
            return Ok(());
        }
        let digest = manifest::digest(bytes);
        let (stat, temp) = match self.unchanged(rel, digest, bytes) {
            Some(stat) => (stat, None),
            None => {
                let (temp, stat) = self.stage(rel, bytes).map_err(fail)?;
                (stat, Some(temp))
            }
        };
        let entry = Entry { digest, stat };
        self.record(rel, Produced { entry, temp });
        Ok(())
    }
}

impl Drop for Incremental {
    /// An abandoned build removes its temporary files and the folders it
    /// created; once renaming began, what is in place stays (the next build
    /// repairs any mix).
    fn drop(&mut self) {
        let produced = self.produced.get_mut().unwrap_or_else(|e| e.into_inner());
        // A fresh build's files go with its folder.
        if self.fresh.is_none() {
            for temp in produced.values().filter_map(|p| p.temp.as_ref()) {
                let _ = std::fs::remove_file(temp);
            }
        }
        if self.committing {
            return;
        }
        if self.marked {
            let _ = std::fs::remove_file(self.target.join(MARKER));
        }
        let created = std::mem::take(self.created_mut());
        for dir in created {
            let _ = std::fs::remove_dir_all(self.target.join(dir));
        }
    }
}

/// Rename `from` to `to`; where a folder stands at `to` already (a build
/// running beside this one put it there), move `from`'s entries into it
/// one by one, each file by one rename.
fn move_into(from: &Path, to: &Path) -> std::io::Result<()> {
    match std::fs::rename(from, to) {
        Err(_) if from.is_dir() && to.is_dir() => {
            for entry in std::fs::read_dir(from)? {
                let name = entry?.file_name();
                move_into(&from.join(&name), &to.join(name))?;
            }
            std::fs::remove_dir(from)
        }
        done => done,
    }
}

/// The folders holding `rel`, outermost first, without the output itself
/// (`a/b/c` → `a`, `a/b`).
fn ancestors(rel: &str) -> impl Iterator<Item = &str> {
    rel.match_indices('/').map(move |(i, _)| &rel[..i])
}

/// `path` relative to `root`, `/`-separated ("" for the root itself).
fn relative(path: &Path, root: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<_> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    parts.join("/")
}

/// The pid in a temporary file's name.
fn temp_pid(name: &str) -> Option<u32> {
    name.strip_prefix(TEMP)?.split_once('-')?.0.parse().ok()
}
