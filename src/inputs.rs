//! Which files a site reads: the folders and files that are a build's
//! inputs (`Layout`), what a changed path means for the build (`classify`,
//! pure), and digests of them (`digest`), by which a build tells that
//! nothing, or nothing every page depends on, changed since the last one.
//!
//! Reads files only to digest them, keeping the Markdown files' bytes for
//! loading (`Prefetched`); parsing them is `config`'s and `content`'s job.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::{CONFIG_FILE, Config};
use crate::digest::Digester;

/// What a changed path asks the build to do.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
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
pub struct Layout {
    /// The content folder.
    pub content: PathBuf,
    /// The catalogue file.
    pub catalogue: PathBuf,
    /// The folder of clean-up campaign files.
    pub reviews: PathBuf,
    /// The output folder, which is never an input.
    pub output: PathBuf,
}

impl Layout {
    /// The layout `config` describes.
    pub fn new(config: &Config) -> Layout {
        Layout {
            content: config.content_dir.clone(),
            catalogue: config.catalogue.clone(),
            reviews: config.review.dir.clone(),
            output: config.output_dir.clone(),
        }
    }

    /// Folders to watch recursively (those that exist are watched).
    pub fn watched(&self) -> [PathBuf; 5] {
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
pub fn classify(rel: &Path, layout: &Layout) -> Change {
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

/// Digests of a site's inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digests {
    /// Every input: the path and bytes of `site.toml`, the catalogue file
    /// and each file under the watched folders that `classify` does not
    /// ignore (a symbolic link by its path alone: builds skip links).
    pub all: u64,
    /// The inputs every page depends on: `site.toml`, templates and static
    /// files (of the site and its themes).
    pub setup: u64,
}

/// Bytes of the Markdown files read while digesting them (when asked), by
/// path relative to the site root, for loading to take instead of reading
/// each file again (ten thousand documents are 40,000 fewer system calls).
/// Bytes and digest come from the same read, so the stamp describes
/// exactly what is built.
#[derive(Debug, Default)]
pub struct Prefetched(HashMap<PathBuf, Vec<u8>>);

impl Prefetched {
    /// The bytes of `rel`, if they were read (each can be taken once).
    pub fn take(&mut self, rel: &Path) -> Option<Vec<u8>> {
        self.0.remove(rel)
    }
}

/// Digest the inputs of the site at `root`, keeping the bytes of its
/// Markdown files if `keep` (else each file's bytes are dropped once
/// digested). Hidden entries are skipped, as the build skips them. An
/// input that cannot be read is an error: the caller then builds in full,
/// which reports it.
pub fn digest(root: &Path, layout: &Layout, keep: bool) -> std::io::Result<(Digests, Prefetched)> {
    let mut files = BTreeMap::new();
    for top in [PathBuf::from(CONFIG_FILE), layout.catalogue.clone()] {
        if let Ok(meta) = root.join(&top).symlink_metadata() {
            files.insert(top, meta.file_type().is_symlink());
        }
    }
    for dir in layout.watched() {
        inputs_under(root, &dir, layout, &mut files)?;
    }
    let read: Vec<(&PathBuf, Change, Input)> = files
        .par_iter()
        .map(|(rel, &link)| {
            let change = classify(rel, layout);
            let keep = keep && matches!(change, Change::Content(_));
            Ok((rel, change, Input::read(root, rel, link, keep)?))
        })
        .collect::<std::io::Result<_>>()?;
    let (mut all, mut setup) = (Digester::new(), Digester::new());
    let mut prefetched = Prefetched::default();
    for (rel, change, input) in read {
        (rel, input.digest).hash(&mut all);
        if matches!(change, Change::Setup | Change::Static) {
            (rel, input.digest).hash(&mut setup);
        }
        if let Some(bytes) = input.kept {
            prefetched.0.insert(rel.clone(), bytes);
        }
    }
    let digests = Digests {
        all: all.finish(),
        setup: setup.finish(),
    };
    Ok((digests, prefetched))
}

/// Add the input files under `dir` (relative to `root`) to `files`, each
/// with whether it is a symbolic link.
fn inputs_under(
    root: &Path,
    dir: &Path,
    layout: &Layout,
    files: &mut BTreeMap<PathBuf, bool>,
) -> std::io::Result<()> {
    let full = root.join(dir);
    if !full.is_dir() {
        return Ok(());
    }
    let walk = WalkDir::new(&full).follow_links(false).into_iter();
    let visible =
        |e: &walkdir::DirEntry| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.');
    for entry in walk.filter_entry(visible) {
        let entry = entry.map_err(std::io::Error::other)?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        if classify(rel, layout) != Change::Ignored {
            files.insert(rel.to_path_buf(), entry.path_is_symlink());
        }
    }
    Ok(())
}

/// One input as digested: the digest of its bytes (of its path alone for a
/// link, which is not read), and the bytes if asked to keep them.
struct Input {
    digest: u64,
    kept: Option<Vec<u8>>,
}

impl Input {
    fn read(root: &Path, rel: &Path, link: bool, keep: bool) -> std::io::Result<Input> {
        let mut h = Digester::new();
        let mut kept = None;
        if link {
            "link".hash(&mut h);
        } else {
            let bytes = std::fs::read(root.join(rel))?;
            h.write(&bytes);
            kept = keep.then_some(bytes);
        }
        Ok(Input {
            digest: h.finish(),
            kept,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

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
    fn folders_named_with_dot_components_classify_as_walked() {
        let config =
            Config::parse("content_dir = \"./texts/\"\n[review]\ndir = \"./rev\"").unwrap();
        let layout = Layout::new(&config);
        let md = Path::new("texts/a.md");
        assert_eq!(classify(md, &layout), Change::Content(md.into()));
        assert_eq!(classify(Path::new("rev/c.toml"), &layout), Change::Reviews);
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

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (rel, text) in files {
            write(dir.path(), rel, text);
        }
        dir
    }

    fn digest_of(dir: &Path) -> u64 {
        digest(dir, &layout(), false).unwrap().0.all
    }

    fn setup_of(dir: &Path) -> u64 {
        digest(dir, &layout(), false).unwrap().0.setup
    }

    #[test]
    fn the_digest_changes_with_every_input_and_nothing_else() {
        let dir = site(&[
            ("site.toml", "title = \"x\"\n"),
            ("content/a.md", "# A\n"),
            ("templates/document.html", "{{ doc.title }}"),
            ("reviews/2026.toml", ""),
        ]);
        let before = digest_of(dir.path());
        assert_eq!(digest_of(dir.path()), before, "stable");
        for (rel, text) in [
            ("public/index.html", "output"),
            ("content/.draft.md", "hidden"),
            ("content/scan.pdf", "not read"),
            ("README.md", "not read"),
            ("content/a.md~", "backup"),
        ] {
            write(dir.path(), rel, text);
            assert_eq!(digest_of(dir.path()), before, "{rel} is not an input");
        }
        let mut seen = BTreeSet::from([before]);
        for (rel, text, setup) in [
            ("content/a.md", "# A\n\nedited\n", false),
            ("content/b/c.md", "# C\n", false),
            ("site.toml", "title = \"y\"\n", true),
            ("templates/document.html", "{{ doc.id }}", true),
            ("static/logo.svg", "<svg/>", true),
            ("themes/t/templates/base.html", "x", true),
            ("reviews/2026.toml", "[campaign]", false),
            ("content/catalogue.toml", "[[document]]", false),
        ] {
            let was = setup_of(dir.path());
            write(dir.path(), rel, text);
            assert!(seen.insert(digest_of(dir.path())), "{rel} is an input");
            assert_eq!(
                setup_of(dir.path()) != was,
                setup,
                "{rel} is setup: {setup}"
            );
        }
        std::fs::remove_file(dir.path().join("content/b/c.md")).unwrap();
        assert!(seen.insert(digest_of(dir.path())), "a deleted input counts");
    }

    #[test]
    fn markdown_bytes_are_kept_for_loading_and_nothing_else() {
        let dir = site(&[
            ("site.toml", "title = \"x\"\n"),
            ("content/a.md", "# A\n"),
            ("content/catalogue.toml", ""),
            ("templates/document.html", "{{ doc.title }}"),
        ]);
        let a = Path::new("content/a.md");
        let (_, mut streamed) = digest(dir.path(), &layout(), false).unwrap();
        assert_eq!(streamed.take(a), None, "not asked to keep");
        let (_, mut prefetched) = digest(dir.path(), &layout(), true).unwrap();
        assert_eq!(prefetched.take(a).as_deref(), Some(&b"# A\n"[..]));
        assert_eq!(prefetched.take(a), None, "taken once");
        for other in [
            "site.toml",
            "content/catalogue.toml",
            "templates/document.html",
        ] {
            assert_eq!(prefetched.take(Path::new(other)), None, "{other}");
        }
    }
}
