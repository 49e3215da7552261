//! The parsed source files of a site, kept by path so that one changed file
//! can be parsed again without the others: what a build loads once and the
//! dev server keeps between rebuilds.
//!
//! Reads and parses only; turning the files into a catalogue is `catalogue`'s.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{Content, Document, Item, assemble, load_catalogue, markdown_files, read_file};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::inputs::Prefetched;

/// A parsed file and the problems found in it.
type Parsed = (Option<Item>, Vec<Diagnostic>);

/// Every Markdown file under the content folder and the catalogue file, parsed.
#[derive(Debug, Default)]
pub struct Sources {
    root: PathBuf,
    content_dir: PathBuf,
    files: BTreeMap<PathBuf, Parsed>,
    /// Problems listing the content folder.
    walk_problems: Diagnostics,
    listed: (Vec<Document>, Vec<Diagnostic>),
    /// A copy of every parsed file's item, made while nothing waits, for
    /// the next build to take; kept in step with `files`.
    spare: Option<BTreeMap<PathBuf, Item>>,
}

impl Sources {
    /// List and parse every source of the site at `root`, taking the
    /// files `prefetched` holds instead of reading them.
    pub fn read(root: &Path, config: &Config, mut prefetched: Prefetched) -> Sources {
        let mut walk_problems = Diagnostics::default();
        let paths = markdown_files(root, config, &mut walk_problems);
        let bytes: Vec<Option<Vec<u8>>> = paths.iter().map(|rel| prefetched.take(rel)).collect();
        let sizes: Vec<u64> = (paths.par_iter().zip(&bytes))
            .map(|(rel, b)| match b {
                Some(b) => b.len() as u64,
                None => std::fs::metadata(root.join(rel)).map_or(0, |m| m.len()),
            })
            .collect();
        let parsed = crate::parallel::map_largest_first(
            paths.iter().zip(bytes),
            |i| sizes[i],
            |_, (rel, bytes)| read_file(root, &config.content_dir, rel, bytes),
        );
        Sources {
            root: root.to_path_buf(),
            content_dir: config.content_dir.clone(),
            files: paths.into_iter().zip(parsed).collect(),
            walk_problems,
            listed: load_catalogue(root, config),
            spare: None,
        }
    }

    /// Parse the catalogue file again.
    pub fn reread_catalogue(&mut self, config: &Config) {
        self.listed = load_catalogue(&self.root, config);
    }

    /// True if `rel` is or lies under a symbolic link, which is never followed.
    pub fn through_link(&self, rel: &Path) -> bool {
        super::through_link(&self.root, &self.content_dir, rel)
    }

    /// Parse `rel` again, or forget it if it is gone (or became a link).
    pub fn reread(&mut self, rel: &Path) {
        let parsed = (self.root.join(rel).is_file() && !self.through_link(rel))
            .then(|| read_file(&self.root, &self.content_dir, rel, None));
        if let Some(spare) = &mut self.spare {
            match parsed.as_ref().and_then(|(item, _)| item.clone()) {
                Some(item) => spare.insert(rel.to_path_buf(), item),
                None => spare.remove(rel),
            };
        }
        match parsed {
            Some(parsed) => self.files.insert(rel.to_path_buf(), parsed),
            None => self.files.remove(rel),
        };
    }

    /// List the content folder again (a folder appeared, vanished or was
    /// renamed) and parse the files that came or went; returns them.
    pub fn rescan(&mut self, config: &Config) -> Vec<PathBuf> {
        self.walk_problems = Diagnostics::default();
        let now: Vec<PathBuf> = markdown_files(&self.root, config, &mut self.walk_problems);
        let now: std::collections::BTreeSet<PathBuf> = now.into_iter().collect();
        let changed: Vec<PathBuf> = self
            .files
            .keys()
            .filter(|p| !now.contains(*p))
            .chain(now.iter().filter(|p| !self.files.contains_key(*p)))
            .cloned()
            .collect();
        for rel in &changed {
            self.reread(rel);
        }
        changed
    }

    /// Every problem found reading the sources, in path order.
    pub fn diagnostics(&self) -> Diagnostics {
        let mut diags = self.walk_problems.clone();
        for (_, problems) in self.files.values() {
            diags.extend(problems.iter().cloned());
        }
        diags.extend(self.listed.1.iter().cloned());
        diags
    }

    /// Copy every parsed item for the next `take_content`, unless a copy
    /// is ready: copying ten thousand documents takes a while, better done
    /// before a build than during one.
    pub fn prepare(&mut self) {
        if self.spare.is_none() {
            self.spare = Some(self.items());
        }
    }

    /// The documents and sections, ready for the catalogue (the sources
    /// are kept for the next change): the copy `prepare` made, or a new one.
    pub fn take_content(&mut self) -> Content {
        let items = self.spare.take().unwrap_or_else(|| self.items());
        assemble(items.into_values(), self.listed.0.clone())
    }

    /// A copy of every parsed file's item, by path.
    fn items(&self) -> BTreeMap<PathBuf, Item> {
        // Ten thousand documents: share the copying out.
        (self.files.par_iter())
            .filter_map(|(path, (item, _))| Some((path.clone(), item.clone()?)))
            .collect()
    }

    /// The documents and sections, and the problems found reading them.
    pub fn into_content(self) -> (Content, Diagnostics) {
        let diags = self.diagnostics();
        let items = self.files.into_values().filter_map(|(item, _)| item);
        (assemble(items, self.listed.0), diags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document file titled `title` at `rel` (relative to `root`).
    fn write(root: &Path, rel: &str, title: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = format!("+++\ntitle = \"{title}\"\npublished = 2020-01-01\n+++\n第一条 文。\n");
        std::fs::write(path, text).unwrap();
    }

    /// The content a build would see, as text (`Content` has no equality).
    fn shown(content: &Content) -> String {
        format!("{content:?}")
    }

    /// An empty site in a temporary folder, and its configuration.
    fn site() -> (tempfile::TempDir, Config) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("site.toml"), "title = \"t\"\n").unwrap();
        let config = Config::load(dir.path()).unwrap();
        (dir, config)
    }

    #[test]
    fn prepared_copy_follows_every_change_and_equals_a_fresh_read() {
        let (dir, config) = site();
        let root = dir.path();
        for k in 0..4 {
            write(root, &format!("content/d{k}.md"), &format!("文{k}"));
        }
        let mut sources = Sources::read(root, &config, Prefetched::default());
        // Each step: (file, new title; empty deletes it), then a build.
        let steps = [
            ("content/d1.md", "改一"),
            ("content/d2.md", ""),
            ("content/new.md", "新"),
            ("content/sub/d5.md", "分组"),
            ("content/d1.md", "再改"),
            ("content/new.md", ""),
        ];
        for (n, (rel, title)) in steps.iter().enumerate() {
            // Every other build finds a copy prepared before the change.
            if n % 2 == 0 {
                sources.prepare();
            }
            match title.is_empty() {
                true => std::fs::remove_file(root.join(rel)).unwrap(),
                false => write(root, rel, title),
            }
            if rel.contains("sub/") {
                sources.rescan(&config);
            } else {
                sources.reread(Path::new(rel));
            }
            let fresh = Sources::read(root, &config, Prefetched::default())
                .into_content()
                .0;
            assert_eq!(shown(&sources.take_content()), shown(&fresh), "step {n}");
        }
    }

    #[test]
    fn loading_parses_the_bytes_the_stamp_read() {
        let (dir, config) = site();
        let root = dir.path();
        write(root, "content/d.md", "读时");
        let layout = crate::inputs::Layout::new(&config);
        let (_, prefetched) = crate::inputs::digest(root, &layout, true).unwrap();
        write(root, "content/d.md", "改后");
        let title = |content: Content| content.documents[0].title.clone();
        let read = Sources::read(root, &config, prefetched).into_content().0;
        assert_eq!(title(read), "读时", "the digested bytes, not the file now");
        let fresh = Sources::read(root, &config, Prefetched::default())
            .into_content()
            .0;
        assert_eq!(title(fresh), "改后");
    }
}
