//! The served site: every page in memory under its output key, the errors
//! of the latest build (shown to browsers as an overlay) and a generation
//! number that changes whenever what browsers see changes.
//!
//! Only holds and swaps bytes; builds happen in `rebuild`, serving in `http`.

use std::collections::HashMap;
use std::sync::Arc;

use super::rebuild::Outcome;
use crate::diagnostics::Diagnostic;

/// What applying a build changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Changed {
    /// Keys added, modified or removed.
    pub(crate) pages: Vec<String>,
    /// True when the error overlay appeared, changed or went away.
    pub(crate) errors: bool,
}

/// Pages and build state, shared between the builder and request handlers.
#[derive(Default)]
pub(crate) struct Store {
    pages: HashMap<String, Arc<Vec<u8>>>,
    /// The search index, kept apart: it is rebuilt in the background and
    /// is never part of what a build changed (no reloads for it).
    index: HashMap<String, Arc<Vec<u8>>>,
    errors: Vec<Diagnostic>,
    generation: u64,
}

impl Store {
    /// The page at `key`.
    pub(crate) fn get(&self, key: &str) -> Option<Arc<Vec<u8>>> {
        self.pages.get(key).or_else(|| self.index.get(key)).cloned()
    }

    /// Errors of the latest build; empty when it succeeded.
    pub(crate) fn errors(&self) -> &[Diagnostic] {
        &self.errors
    }

    /// Changes whenever pages or errors change.
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// Take in search index files built after the pages they index; they do
    /// not change what open pages show, so no reload is announced.
    pub(crate) fn put_index(&mut self, files: Vec<(String, Vec<u8>)>) {
        self.index = files
            .into_iter()
            .map(|(key, bytes)| (key, Arc::new(bytes)))
            .collect();
    }

    /// Take in a build: a failed one only replaces the errors (the last
    /// good pages stay served), a good one replaces pages and clears errors.
    pub(crate) fn apply(&mut self, outcome: Outcome) -> Changed {
        let mut changed = Changed::default();
        if outcome.failed_build() {
            let errors: Vec<Diagnostic> = outcome
                .diagnostics
                .into_iter()
                .filter(Diagnostic::is_error)
                .collect();
            changed.errors = errors != self.errors;
            self.errors = errors;
        } else {
            changed.errors = !self.errors.is_empty();
            self.errors.clear();
            if outcome.complete {
                let stale: Vec<String> = self
                    .pages
                    .keys()
                    .filter(|k| !outcome.files.contains_key(*k))
                    .cloned()
                    .collect();
                changed.pages.extend(stale);
            }
            changed.pages.extend(outcome.removed);
            for key in &changed.pages {
                self.pages.remove(key);
            }
            for (key, bytes) in outcome.files {
                if self.pages.get(&key).is_none_or(|old| **old != *bytes) {
                    self.pages.insert(key.clone(), Arc::new(bytes));
                    changed.pages.push(key);
                }
            }
            changed.pages.sort();
            changed.pages.dedup();
        }
        if changed.errors || !changed.pages.is_empty() {
            self.generation += 1;
        }
        changed
    }
}
