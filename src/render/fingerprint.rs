//! Fingerprints for incremental rendering: digests of everything a page
//! receives besides a document's own text, so the dev server can tell which
//! pages a change affects without rendering them.
//!
//! Digests the same inputs the render pass uses (`DocumentInputs`, the `site`
//! value), so they cannot drift apart; renders nothing, writes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;

use rayon::prelude::*;

use super::theme::Theme;
use super::view::doc_views;
use super::{Pass, Renderer};
use crate::catalogue::Catalogue;
use crate::diagnostics::Diagnostics;

/// Digests of what each page receives besides a document's own text: two
/// renders of pages with equal digests (and unchanged sources) are equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Site-wide inputs every page sees (settings, date, and the status
    /// counts if document templates may show them).
    pub site: u64,
    /// Per requested document (by index into `Catalogue::docs`): the
    /// catalogue-derived part of its page context (view, banner, relations,
    /// events) and where its citations link. It depends only on the
    /// document itself and the documents it relates to or cites, in either
    /// direction, with their statuses.
    pub docs: BTreeMap<usize, u64>,
    /// Per document, aligned with `Catalogue::docs`: what internal links
    /// into it resolve against (id, source file, article numbers). A page
    /// whose text links to a document whose digest changed must be rendered
    /// again, as must pages linking to a document that is gone.
    pub anchors: Vec<u64>,
}

impl Renderer {
    /// Digest the site-wide inputs of every page and the page inputs of the
    /// documents `docs` (document bodies excepted), so a caller holding an
    /// earlier fingerprint can tell which pages would change.
    pub fn fingerprint(&self, cat: &Catalogue, docs: &BTreeSet<usize>) -> Fingerprint {
        let views = doc_views(cat, &self.strings);
        let site = self.site_value(cat, &views);
        let mut settings = DefaultHasher::new();
        if self.counts_on_documents {
            site.hash(&mut settings);
        } else {
            // Counts change with any status; only listings show them, and
            // listings are rendered again whenever a status changes.
            self.site_settings(cat).hash(&mut settings);
        }
        let anchors = cat
            .docs
            .iter()
            .map(|doc| {
                let mut h = DefaultHasher::new();
                (&doc.id, &doc.path, doc.body.as_ref().map(|b| &b.articles)).hash(&mut h);
                h.finish()
            })
            .collect();
        let pass = Pass {
            r: self,
            cat,
            views: &views,
            site,
            out: &crate::output::Discard,
            diags: Mutex::new(Diagnostics::default()),
            provided: Mutex::default(),
            digesting: None,
        };
        let docs = docs
            .par_iter()
            .filter(|i| **i < cat.docs.len())
            .map_init(Vec::new, |buf, &i| {
                buf.clear();
                // Serialising plain data into a Vec cannot fail.
                let _ = serde_json::to_writer(&mut *buf, &pass.document_inputs(i));
                let mut h = DefaultHasher::new();
                h.write(buf);
                // Where its citations link, and the status tags after them:
                // a cited title, 文号, article list or status may change them.
                super::notes::citation_links(i, cat, &views).hash(&mut h);
                for j in cat.citations[i].iter().filter_map(|c| c.target) {
                    views[j].status.key.hash(&mut h);
                }
                (i, h.finish())
            })
            .collect();
        Fingerprint {
            site: settings.finish(),
            docs,
            anchors,
        }
    }
}

/// Templates document pages are rendered from.
const DOCUMENT_TEMPLATES: [&str; 3] = ["document.html", "compare.html", "redirect.html"];

/// Templates that may show the site-wide counts (`site.total`,
/// `site.status_counts`): those that mention them and, transitively, those
/// that name (extend, include, import) such a template.
pub(super) fn counts_readers(theme: &Theme) -> BTreeSet<String> {
    let source = |file: &super::theme::ThemeFile| String::from_utf8_lossy(&file.bytes).into_owned();
    let sources: Vec<(&String, String)> = theme
        .templates
        .iter()
        .map(|(n, f)| (n, source(f)))
        .collect();
    let mut readers: BTreeSet<String> = sources
        .iter()
        .filter(|(_, s)| s.contains("total") || s.contains("status_counts"))
        .map(|(n, _)| (*n).clone())
        .collect();
    loop {
        let names =
            |r: &String, s: &str| s.contains(&format!("\"{r}\"")) || s.contains(&format!("'{r}'"));
        let more: Vec<String> = sources
            .iter()
            .filter(|(n, s)| !readers.contains(*n) && readers.iter().any(|r| names(r, s)))
            .map(|(n, _)| (*n).clone())
            .collect();
        if more.is_empty() {
            return readers;
        }
        readers.extend(more);
    }
}

/// True if a template document pages are rendered from may show the counts.
pub(super) fn counts_on_document_pages(readers: &BTreeSet<String>) -> bool {
    DOCUMENT_TEMPLATES.iter().any(|t| readers.contains(*t))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::render::theme::ThemeFile;

    fn theme(files: &[(&str, &str)]) -> Theme {
        let mut theme = Theme::default();
        for (name, source) in files {
            let file = ThemeFile {
                bytes: source.as_bytes().to_vec(),
                origin: PathBuf::from(name),
            };
            theme.templates.insert((*name).to_owned(), file);
        }
        theme
    }

    #[test]
    fn counts_reach_document_pages_only_through_shared_templates() {
        let listing = (
            "listing.html",
            "{% extends \"base.html\" %}{{ site.total }}",
        );
        let document = (
            "document.html",
            "{% extends \"base.html\" %}{{ doc.title }}",
        );
        let quiet = ("base.html", "<main></main>");
        let readers = counts_readers(&theme(&[listing, document, quiet]));
        assert_eq!(readers, BTreeSet::from(["listing.html".to_owned()]));
        assert!(!counts_on_document_pages(&readers));
        let base = ("base.html", "{% for c in site.status_counts %}{% endfor %}");
        let readers = counts_readers(&theme(&[listing, document, base]));
        assert_eq!(readers.len(), 3, "both extend a base that shows the counts");
        assert!(counts_on_document_pages(&readers));
    }
}
