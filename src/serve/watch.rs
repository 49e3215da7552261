//! File watching for the dev server: watching the folders a site reads
//! (`inputs::Layout`), and coalescing bursts of file-system events into one
//! batch of `inputs::Change`s.
//!
//! Knows nothing about rendering or serving; hands `Change`s to the caller.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, ModifyKind, RemoveKind, RenameMode};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::inputs::{Change, Layout, classify};

/// A burst ends after this long without events. (A fixed-delay debouncer
/// such as notify-debouncer-full would add its whole delay to every
/// save→reload; ending the burst on quiet keeps it short, see `SETTLE`.)
const QUIET: Duration = Duration::from_millis(15);
/// A burst whose last event finished writing an input (closed it after
/// writing, renamed it into place, deleted it) ends after this long
/// instead: a save's own events arrive together, so waiting the whole
/// `QUIET` for more would only delay the reload.
const SETTLE: Duration = Duration::from_millis(3);
/// A burst never delays a rebuild by more than this.
const LONGEST_BURST: Duration = Duration::from_millis(500);

/// Watches a site's sources; dropping it stops watching.
pub(crate) struct SiteWatcher {
    root: PathBuf,
    watcher: RecommendedWatcher,
    events: Receiver<Signal>,
    /// The folders watched so far (recursively or not), by what they were
    /// when watching began.
    watching: HashMap<(PathBuf, bool), Folder>,
}

/// Which folder a path named when it was watched: watching one again
/// walks its whole tree (every file of a large site), so `follow` does it
/// only for a folder that is new or was replaced by another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Folder {
    device: u64,
    inode: u64,
    /// Inode numbers are reused: a folder made again may get the old one.
    born: Option<std::time::SystemTime>,
}

impl Folder {
    /// The folder at `dir`, or `None` if there is none or it cannot be told
    /// apart from a later one there (then it is always watched again).
    fn at(dir: &Path) -> Option<Folder> {
        let meta = std::fs::metadata(dir).ok().filter(|m| m.is_dir())?;
        Folder::of(&meta)
    }

    #[cfg(unix)]
    fn of(meta: &std::fs::Metadata) -> Option<Folder> {
        use std::os::unix::fs::MetadataExt;
        Some(Folder {
            device: meta.dev(),
            inode: meta.ino(),
            born: meta.created().ok(),
        })
    }

    #[cfg(not(unix))]
    fn of(_: &std::fs::Metadata) -> Option<Folder> {
        None
    }
}

/// What the watcher thread reports.
enum Signal {
    /// Something happened at `path`; `done` when the event finished
    /// writing it (see `SETTLE`).
    Path { path: PathBuf, done: bool },
    /// The watcher failed (e.g. its event queue overflowed): events may be
    /// lost, so everything is read again.
    Lost(String),
}

impl SiteWatcher {
    /// Start watching the site at `root` (an absolute path).
    pub(crate) fn new(root: &Path, layout: &Layout) -> notify::Result<SiteWatcher> {
        let (tx, events) = channel();
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            // A send fails only once the server is shutting down.
            match event {
                Err(e) => drop(tx.send(Signal::Lost(e.to_string()))),
                Ok(event) => {
                    let done = finishes(&event.kind);
                    // Opening or reading a file (the builds do) changes nothing.
                    if !done && matches!(event.kind, EventKind::Access(_)) {
                        return;
                    }
                    for path in event.paths {
                        let _ = tx.send(Signal::Path { path, done });
                    }
                }
            }
        })?;
        let mut this = SiteWatcher {
            root: root.to_path_buf(),
            watcher,
            events,
            watching: HashMap::new(),
        };
        this.watcher.watch(root, RecursiveMode::NonRecursive)?;
        this.follow(layout);
        Ok(this)
    }

    /// Watch the folders of `layout` that exist now (after a setup change,
    /// too) and are not watched yet.
    pub(crate) fn follow(&mut self, layout: &Layout) {
        for dir in layout.watched() {
            self.watch(&self.root.join(dir), RecursiveMode::Recursive);
        }
        let outside = !layout.catalogue.starts_with(&layout.content);
        if let Some(parent) = layout
            .catalogue
            .parent()
            .filter(|p| outside && *p != Path::new(""))
        {
            self.watch(&self.root.join(parent), RecursiveMode::NonRecursive);
        }
    }

    /// Watch `dir` unless it is missing or watched already.
    fn watch(&mut self, dir: &Path, mode: RecursiveMode) {
        if !dir.is_dir() {
            return;
        }
        let key = (dir.to_path_buf(), mode == RecursiveMode::Recursive);
        let folder = Folder::at(dir);
        if folder.is_some() && self.watching.get(&key) == folder.as_ref() {
            return;
        }
        match self.watcher.watch(dir, mode) {
            Ok(()) => {
                self.watching.extend(folder.map(|f| (key, f)));
            }
            Err(e) => cannot_watch(dir, &e),
        }
    }

    /// Wait for the next burst of events and return its changes, or `None`
    /// when the watcher has stopped.
    pub(crate) fn next_batch(&mut self, layout: &Layout) -> Option<BTreeSet<Change>> {
        loop {
            let first = self.events.recv().ok()?;
            let started = Instant::now();
            let mut quiet = self.quiet_after(&first, layout);
            let mut signals = vec![first];
            while started.elapsed() < LONGEST_BURST {
                match self.events.recv_timeout(quiet) {
                    Ok(signal) => {
                        quiet = self.quiet_after(&signal, layout);
                        signals.push(signal);
                    }
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return None,
                }
            }
            let changes: BTreeSet<Change> = signals
                .iter()
                .filter_map(|s| match s {
                    Signal::Path { path, .. } => self.change(path, layout),
                    Signal::Lost(why) => {
                        // Events were lost: watch every folder again too.
                        self.watching.clear();
                        crate::say!(
                            "warning: file watching failed ({why}); reading the whole site again"
                        );
                        Some(Change::Setup)
                    }
                })
                .filter(|c| *c != Change::Ignored)
                .collect();
            if !changes.is_empty() {
                return Some(changes);
            }
        }
    }

    /// What a change of `path` (absolute) means to the site.
    fn change(&self, path: &Path, layout: &Layout) -> Option<Change> {
        let rel = path.strip_prefix(&self.root).ok()?;
        Some(classify(rel, layout))
    }

    /// How long to wait for more events after `signal`.
    fn quiet_after(&self, signal: &Signal, layout: &Layout) -> Duration {
        match signal {
            Signal::Path { path, done: true }
                if self
                    .change(path, layout)
                    .is_some_and(|c| c != Change::Ignored) =>
            {
                SETTLE
            }
            _ => QUIET,
        }
    }
}

/// True for an event that finishes writing a file: closed after writing,
/// renamed into place, deleted.
fn finishes(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Access(AccessKind::Close(AccessMode::Write))
            | EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both))
            | EventKind::Remove(RemoveKind::File)
    )
}

/// Say that `dir` is not watched, and what that means.
fn cannot_watch(dir: &Path, e: &notify::Error) {
    crate::say!(
        "warning: cannot watch {} ({e}); edits there will not reload until the server restarts",
        dir.display()
    );
}
