//! File watching for the dev server: which folders to watch, what a changed
//! path means for the build (`classify`, pure and unit-tested), and
//! coalescing bursts of file-system events into one batch of changes.
//!
//! Knows nothing about rendering or serving; hands `Change`s to the caller.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::config::{CONFIG_FILE, Config};

/// A burst ends after this long without events. (A fixed-delay debouncer
/// such as notify-debouncer-full would add its whole delay to every
/// save→reload; ending the burst on quiet keeps a single save at ~15 ms.)
const QUIET: Duration = Duration::from_millis(15);
/// A burst never delays a rebuild by more than this.
const LONGEST_BURST: Duration = Duration::from_millis(500);

/// What a changed path asks the build to do.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Change {
    /// A Markdown file under the content folder (relative to the site root).
    Content(PathBuf),
    /// Something else under the content folder: maybe a folder, list again.
    ContentTree,
    /// The catalogue file.
    Catalogue,
    /// A campaign file of the clean-up review.
    Reviews,
    /// A static file of the site or theme.
    Static,
    /// `site.toml` or a template: reload the setup and rebuild everything.
    Setup,
    /// Output, hidden and temporary files, anything the site does not read.
    Ignored,
}

/// Where a site keeps its sources, relative to its root.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    content: PathBuf,
    catalogue: PathBuf,
    reviews: PathBuf,
    output: PathBuf,
}

impl Layout {
    /// The layout `config` describes.
    pub(crate) fn new(config: &Config) -> Layout {
        Layout {
            content: config.content_dir.clone(),
            catalogue: config.catalogue.clone(),
            reviews: config.review.dir.clone(),
            output: config.output_dir.clone(),
        }
    }

    /// Folders to watch recursively (those that exist are watched).
    fn watched(&self) -> [PathBuf; 5] {
        [
            self.content.clone(),
            self.reviews.clone(),
            "templates".into(),
            "themes".into(),
            "static".into(),
        ]
    }
}

/// What a change of `rel` (relative to the site root) means.
pub(crate) fn classify(rel: &Path, layout: &Layout) -> Change {
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let hidden = rel.components().any(|c| match c {
        Component::Normal(s) => s.to_string_lossy().starts_with('.'),
        _ => true,
    });
    if hidden || name.ends_with('~') || rel.starts_with(&layout.output) {
        return Change::Ignored;
    }
    if rel == layout.catalogue {
        return Change::Catalogue;
    }
    if rel == Path::new(CONFIG_FILE) {
        return Change::Setup;
    }
    if rel.starts_with(&layout.reviews) {
        return match rel.extension() {
            Some(ext) if ext == "toml" => Change::Reviews,
            _ => Change::Ignored,
        };
    }
    if rel.starts_with(&layout.content) {
        return match rel.extension() {
            Some(ext) if ext == "md" => Change::Content(rel.to_path_buf()),
            Some(_) => Change::Ignored,
            None => Change::ContentTree,
        };
    }
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    match (
        parts.next().as_deref(),
        parts.next(),
        parts.next().as_deref(),
    ) {
        (Some("static"), Some(_), _) | (Some("themes"), Some(_), Some("static")) => Change::Static,
        (Some("templates" | "themes" | "static"), _, _) => Change::Setup,
        _ => Change::Ignored,
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        Layout::new(&Config::default())
    }

    fn is(rel: &str) -> Change {
        classify(Path::new(rel), &layout())
    }

    #[test]
    fn content_files_and_folders() {
        assert_eq!(
            is("content/jiedai/a.md"),
            Change::Content("content/jiedai/a.md".into())
        );
        assert_eq!(is("content/jiedai"), Change::ContentTree);
        assert_eq!(is("content/catalogue.toml"), Change::Catalogue);
        assert_eq!(is("content/scan.pdf"), Change::Ignored);
        assert_eq!(is("reviews/2026.toml"), Change::Reviews);
        assert_eq!(is("reviews/2026-decision.md"), Change::Ignored);
    }

    #[test]
    fn setup_and_static_files() {
        assert_eq!(is("site.toml"), Change::Setup);
        assert_eq!(is("templates/document.html"), Change::Setup);
        assert_eq!(is("themes/plain/templates/base.html"), Change::Setup);
        assert_eq!(is("themes/plain/static/style.css"), Change::Static);
        assert_eq!(is("static/logo.png"), Change::Static);
    }

    #[test]
    fn output_hidden_and_editor_files_are_ignored() {
        assert_eq!(is("public/index.html"), Change::Ignored);
        assert_eq!(is("content/.a.md.swp"), Change::Ignored);
        assert_eq!(is("content/a.md~"), Change::Ignored);
        assert_eq!(is(".git/index"), Change::Ignored);
        assert_eq!(is("README.md"), Change::Ignored);
        assert_eq!(is("static"), Change::Setup, "a new folder to watch");
    }
}
