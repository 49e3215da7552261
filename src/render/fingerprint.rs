//! Fingerprints for incremental rendering: digests of everything a page
//! receives besides a document's own text, so the dev server can tell which
//! pages a change affects without rendering them.
//!
//! Digests the same inputs the render pass uses (`DocumentInputs`, the `site`
//! value), so they cannot drift apart; renders nothing, writes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

use rayon::prelude::*;

use super::{Page, Pass, Renderer};
use crate::catalogue::Catalogue;
use crate::diagnostics::Diagnostics;
use crate::digest::Digester;
use crate::view::DocView;
use minijinja::Environment;

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
    pub fn fingerprint(
        &self,
        cat: &Catalogue,
        views: &[DocView],
        docs: &BTreeSet<usize>,
    ) -> Fingerprint {
        let site = self.site_value(cat, views);
        let mut settings = Digester::new();
        if self.counts_on_documents {
            site.hash(&mut settings);
        } else {
            // Counts change with any status; only listings show them, and
            // listings are rendered again whenever a status changes.
            self.site_settings(cat).hash(&mut settings);
        }
        let anchors = (cat.docs.par_iter())
            .map(|doc| {
                let mut h = Digester::new();
                (&doc.id, &doc.path, doc.body.is_some()).hash(&mut h);
                let anchors = doc.body.as_ref().map(|b| b.outline.anchors());
                anchors.into_iter().flatten().for_each(|a| a.hash(&mut h));
                h.finish()
            })
            .collect();
        let pass = Pass {
            r: self,
            cat,
            views,
            site,
            out: &crate::output::Discard,
            diags: Mutex::new(Diagnostics::default()),
            provided: Mutex::default(),
            digesting: None,
        };
        let docs = docs
            .par_iter()
            .filter(|i| **i < cat.docs.len())
            .map(|&i| {
                let mut h = Digester::new();
                // Serialising plain data into a hasher cannot fail.
                let _ = serde_json::to_writer(&mut h, &pass.document_inputs(i));
                // Where its citations link, and the status tags after them:
                // a cited title, 文号, article list or status may change them.
                super::notes::citation_links(i, cat, views).hash(&mut h);
                for j in cat.citations[i].iter().filter_map(|c| c.target) {
                    views[j].status.status.hash(&mut h);
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

    /// Per document, aligned with `Catalogue::docs`: a digest of everything
    /// its pages (the files `routes::doc_files` names) are rendered from,
    /// given `setup`, the digest of what every page depends on (templates,
    /// settings, date, program). Besides the [`Fingerprint`] (site-wide
    /// values, the catalogue-derived context, citation links and statuses),
    /// it covers the Markdown of each of its texts (computed versions
    /// included), the ids and anchors of the documents its texts link to or
    /// cite, and the files it owns. A build may keep the pages of a
    /// document whose key is the one they were rendered with.
    pub fn page_keys(&self, cat: &Catalogue, views: &[DocView], setup: u64) -> Vec<u64> {
        let fp = self.fingerprint(cat, views, &(0..cat.docs.len()).collect());
        let taken = |id: &_| cat.find(id).is_some();
        (0..cat.docs.len())
            .into_par_iter()
            .map(|i| {
                let doc = &cat.docs[i];
                let mut h = Digester::new();
                (setup, fp.site, fp.docs.get(&i)).hash(&mut h);
                let versions = doc.versions.iter().filter_map(|v| v.text.as_ref());
                for body in doc.body.iter().chain(versions.map(|t| &t.body)) {
                    body.markdown.hash(&mut h);
                }
                for &j in &cat.cites[i] {
                    (&cat.docs[j].id, fp.anchors[j.get()]).hash(&mut h);
                }
                crate::routes::doc_files(doc, taken).hash(&mut h);
                h.finish()
            })
            .collect()
    }
}

/// Templates that may show the site-wide counts (`site.total`,
/// `site.status_counts`, or `site` as a whole, as minijinja's parser reads
/// the variables each uses) and, transitively, those that name (extend,
/// include, import) such a template.
pub(super) fn counts_readers(env: &Environment<'_>) -> BTreeSet<String> {
    let shows_counts = |t: &minijinja::Template<'_, '_>| {
        let vars = t.undeclared_variables(true);
        vars.iter()
            .any(|v| matches!(v.as_str(), "site" | "site.total" | "site.status_counts"))
    };
    let mut readers: BTreeSet<String> = env
        .templates()
        .filter(|(_, t)| shows_counts(t))
        .map(|(n, _)| n.to_owned())
        .collect();
    loop {
        let names =
            |r: &String, s: &str| s.contains(&format!("\"{r}\"")) || s.contains(&format!("'{r}'"));
        let more: Vec<String> = env
            .templates()
            .filter(|(n, t)| !readers.contains(*n) && readers.iter().any(|r| names(r, t.source())))
            .map(|(n, _)| n.to_owned())
            .collect();
        if more.is_empty() {
            return readers;
        }
        readers.extend(more);
    }
}

/// True if a template document pages are rendered from may show the counts.
pub(super) fn counts_on_document_pages(readers: &BTreeSet<String>) -> bool {
    let mut documents = Page::ALL.into_iter().filter(|p| p.of_a_document());
    documents.any(|p| readers.contains(p.template()))
}

#[cfg(test)]
mod tests {

    use super::*;

    fn env(files: &[(&'static str, &'static str)]) -> Environment<'static> {
        let mut env = Environment::new();
        for (name, source) in files {
            env.add_template(name, source).unwrap();
        }
        env
    }

    #[test]
    fn counts_reach_document_pages_only_through_shared_templates() {
        let listing = (
            "listing.html",
            "{% extends \"base.html\" %}{{ site.total }}",
        );
        let document = (
            "document.html",
            "{% extends \"base.html\" %}{{ doc.title }} {# site.total #} {{ 'total' }} {{ totals }}",
        );
        let quiet = ("base.html", "<main>{{ site.title }}</main>");
        let readers = counts_readers(&env(&[listing, document, quiet]));
        assert_eq!(
            readers,
            BTreeSet::from(["listing.html".to_owned()]),
            "the word alone is no use"
        );
        assert!(!counts_on_document_pages(&readers));
        let base = ("base.html", "{% for c in site.status_counts %}{% endfor %}");
        let readers = counts_readers(&env(&[listing, document, base]));
        assert_eq!(readers.len(), 3, "both extend a base that shows the counts");
        assert!(counts_on_document_pages(&readers));
        let aliased = ("partial.html", "{% set s = site %}{{ s.total }}");
        let including = ("document.html", "{% include 'partial.html' %}");
        assert!(counts_on_document_pages(&counts_readers(&env(&[
            listing, aliased, including
        ]))));
        // The search page lists no document; a merged file's redirect is
        // rendered with its document.
        let search = ("search.html", "{{ site.total }}");
        assert!(!counts_on_document_pages(&counts_readers(&env(&[
            listing, search
        ]))));
        let redirect = ("redirect.html", "{{ site.total }}");
        assert!(counts_on_document_pages(&counts_readers(&env(&[
            listing, redirect
        ]))));
    }
}
