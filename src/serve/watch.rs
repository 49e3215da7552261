//! File watching for the dev server: watching the folders a site reads
//! (`inputs::Layout`), and coalescing bursts of file-system events into one
//! batch of `inputs::Change`s.
//!
//! Knows nothing about rendering or serving; hands `Change`s to the caller.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::inputs::{Change, Layout, classify};

/// A burst ends after this long without events. (A fixed-delay debouncer
/// such as notify-debouncer-full would add its whole delay to every
/// save→reload; ending the burst on quiet keeps a single save at ~15 ms.)
const QUIET: Duration = Duration::from_millis(15);
/// A burst never delays a rebuild by more than this.
const LONGEST_BURST: Duration = Duration::from_millis(500);

/// Watches a site's sources; dropping it stops watching.
pub(crate) struct SiteWatcher {
    root: PathBuf,
    watcher: RecommendedWatcher,
    events: Receiver<Signal>,
}

/// What the watcher thread reports.
enum Signal {
    /// Something happened at this path.
    Path(PathBuf),
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
                Ok(event) if matches!(event.kind, EventKind::Access(_)) => {}
                Ok(event) => {
                    for path in event.paths {
                        let _ = tx.send(Signal::Path(path));
                    }
                }
            }
        })?;
        let mut this = SiteWatcher {
            root: root.to_path_buf(),
            watcher,
            events,
        };
        this.watcher.watch(root, RecursiveMode::NonRecursive)?;
        this.follow(layout);
        Ok(this)
    }

    /// Watch the folders of `layout` that exist now (after a setup change, too).
    pub(crate) fn follow(&mut self, layout: &Layout) {
        for dir in layout.watched() {
            let dir = self.root.join(dir);
            if !dir.is_dir() {
                continue;
            }
            if let Err(e) = self.watcher.watch(&dir, RecursiveMode::Recursive) {
                cannot_watch(&dir, &e);
            }
        }
        let outside = !layout.catalogue.starts_with(&layout.content);
        if let Some(parent) = layout
            .catalogue
            .parent()
            .filter(|p| outside && *p != Path::new(""))
        {
            let dir = self.root.join(parent);
            if let Err(e) = self.watcher.watch(&dir, RecursiveMode::NonRecursive) {
                cannot_watch(&dir, &e);
            }
        }
    }

    /// Wait for the next burst of events and return its changes, or `None`
    /// when the watcher has stopped.
    pub(crate) fn next_batch(&self, layout: &Layout) -> Option<BTreeSet<Change>> {
        loop {
            let first = self.events.recv().ok()?;
            let started = Instant::now();
            let mut signals = vec![first];
            while started.elapsed() < LONGEST_BURST {
                match self.events.recv_timeout(QUIET) {
                    Ok(signal) => signals.push(signal),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return None,
                }
            }
            let changes: BTreeSet<Change> = signals
                .iter()
                .filter_map(|s| match s {
                    Signal::Path(p) => p
                        .strip_prefix(&self.root)
                        .ok()
                        .map(|rel| classify(rel, layout)),
                    Signal::Lost(why) => {
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
}

/// Say that `dir` is not watched, and what that means.
fn cannot_watch(dir: &Path, e: &notify::Error) {
    crate::say!(
        "warning: cannot watch {} ({e}); edits there will not reload until the server restarts",
        dir.display()
    );
}
