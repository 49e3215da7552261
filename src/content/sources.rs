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
}

impl Sources {
    /// List and parse every source of the site at `root`.
    pub fn read(root: &Path, config: &Config) -> Sources {
        let mut walk_problems = Diagnostics::default();
        let paths = markdown_files(root, config, &mut walk_problems);
        let parsed: Vec<Parsed> = paths
            .par_iter()
            .map(|rel| read_file(root, &config.content_dir, rel))
            .collect();
        Sources {
            root: root.to_path_buf(),
            content_dir: config.content_dir.clone(),
            files: paths.into_iter().zip(parsed).collect(),
            walk_problems,
            listed: load_catalogue(root, config),
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
        if self.root.join(rel).is_file() && !self.through_link(rel) {
            let parsed = read_file(&self.root, &self.content_dir, rel);
            self.files.insert(rel.to_path_buf(), parsed);
        } else {
            self.files.remove(rel);
        }
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

    /// The documents and sections, ready for the catalogue (the sources
    /// are kept for the next change).
    pub fn content(&self) -> Content {
        // Copying ten thousand documents takes a while: share it out.
        let items: Vec<Item> = (self.files.par_iter())
            .filter_map(|(_, (item, _))| item.clone())
            .collect();
        assemble(items, self.listed.0.clone())
    }

    /// The documents and sections, and the problems found reading them.
    pub fn into_content(self) -> (Content, Diagnostics) {
        let diags = self.diagnostics();
        let items = self.files.into_values().filter_map(|(item, _)| item);
        (assemble(items, self.listed.0), diags)
    }
}
