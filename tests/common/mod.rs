//! Shared helpers for the integration tests: copy a fixture site from
//! `tests/fixtures/<case>/` into a temp dir, build it, and assert on output.
#![allow(dead_code, unreachable_pub)]

pub mod browser;
pub mod fs;
pub mod server;

pub use fs::copy_dir;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gazette::diagnostics::{Code, Diagnostics};
use gazette::{BuildOptions, BuildReport};

pub use browser::skip;

/// A fixture site copied into a temporary directory.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    /// Copy `tests/fixtures/<case>/` into a fresh temp dir.
    #[track_caller]
    pub fn new(case: &str) -> Fixture {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(case);
        assert!(src.is_dir(), "no fixture {}", src.display());
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&src, dir.path());
        Fixture { dir }
    }

    /// The repository root itself as a site (the bundled example with its
    /// campaign files), copied.
    pub fn example_site() -> Fixture {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(root.join("site.toml"), dir.path().join("site.toml")).unwrap();
        copy_dir(&root.join("content"), &dir.path().join("content"));
        copy_dir(&root.join("reviews"), &dir.path().join("reviews"));
        Fixture { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn out(&self) -> PathBuf {
        self.root().join("public")
    }

    pub fn options(&self, as_of: &str) -> BuildOptions {
        BuildOptions {
            as_of: Some(as_of.parse().unwrap()),
            ..BuildOptions::new(self.root())
        }
    }

    /// Build as of `as_of`; panics with the diagnostics if it fails.
    #[track_caller]
    pub fn build(&self, as_of: &str) -> BuildReport {
        match gazette::build(&self.options(as_of)) {
            Ok(report) => report,
            Err(diags) => panic!("build failed:\n{}", render(&diags)),
        }
    }

    /// Build as of `as_of`, expecting failure; returns the diagnostics.
    #[track_caller]
    pub fn build_err(&self, as_of: &str) -> Diagnostics {
        match gazette::build(&self.options(as_of)) {
            Ok(_) => panic!("build unexpectedly succeeded"),
            Err(diags) => diags,
        }
    }

    /// Contents of an output file.
    #[track_caller]
    pub fn read(&self, rel: &str) -> String {
        let path = self.out().join(rel);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    /// Write a file in the site.
    pub fn write(&self, rel: &str, text: &str) {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[track_caller]
    pub fn assert_file_contains(&self, rel: &str, needle: &str) {
        let text = self.read(rel);
        assert!(text.contains(needle), "{rel} does not contain {needle:?}");
    }

    #[track_caller]
    pub fn assert_file_lacks(&self, rel: &str, needle: &str) {
        let text = self.read(rel);
        assert!(
            !text.contains(needle),
            "{rel} unexpectedly contains {needle:?}"
        );
    }

    #[track_caller]
    pub fn assert_file_exists(&self, rel: &str) {
        assert!(self.out().join(rel).is_file(), "{rel} was not written");
    }
}

/// The JSON of a gzipped search index file.
pub fn gunzip_json(bytes: &[u8]) -> serde_json::Value {
    let mut text = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut text).unwrap();
    serde_json::from_slice(&text).unwrap()
}

/// Diagnostics as text, for failure messages.
pub fn render(diags: &Diagnostics) -> String {
    diags.iter().map(|d| format!("{d}\n")).collect()
}

/// True if some error has `code` in a file ending with `path_end` at `line`.
pub fn has_error(diags: &Diagnostics, code: Code, path_end: &str, line: Option<usize>) -> bool {
    diags.iter().any(|d| {
        d.is_error()
            && d.code == code
            && d.path.to_string_lossy().ends_with(path_end)
            && (line.is_none() || d.line == line)
    })
}

/// The shared corpus as a site (no front matter added), or `None` (with a
/// printed reason) when it is absent.
pub fn corpus_site() -> Option<Fixture> {
    let corpus = corpus()?;
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&corpus, &dir.path().join("content"));
    std::fs::write(dir.path().join("site.toml"), "title = \"corpus\"\n").unwrap();
    Some(Fixture { dir })
}

/// The shared corpus, or `None` (with a printed reason) when it is absent.
pub fn corpus() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/lawrefbook");
    if path.is_dir() {
        Some(path)
    } else {
        skip(&format!("shared corpus not found at {}", path.display()));
        None
    }
}

/// Every file under `dir` (relative path → bytes), to compare outputs.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            (
                rel.to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// The text of an HTML page: tags dropped, entities unescaped.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
