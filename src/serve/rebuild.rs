//! The incremental rebuild engine of the dev server: keeps every parsed
//! source file in memory, re-parses only files that changed, recomputes the
//! catalogue, and re-renders only the pages whose inputs changed.
//!
//! A document page shows the document, the documents it relates to (either
//! way) and their statuses. So after a change the engine digests the pages
//! of the documents whose sources (now or at the last good build), status
//! or citation targets changed and of their old and new neighbours, and
//! compares those digests (the renderer's `Fingerprint`)
//! with the last good build's: a page is rendered again if its source or
//! digest changed, or if its text links to a document whose id, source file
//! or article numbers changed (links as the catalogue resolved them);
//! exports and feed, and the listing pages whose own digest (the rows they
//! show) changed, if any digest or the set of documents changed;
//! every page if the site-wide digest changed or a template or `site.toml`
//! changed. The documents it renders are all whose page inputs may have
//! changed, so the render pass takes every other document's listing row
//! and export share from the last good build unseen (`render::Carry`).
//! Never writes files: pages go to a `Memory` and the caller applies them
//! to the served store.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::BuildOptions;
use crate::catalogue::{Catalogue, CitationCache, Event};
use crate::config::Config;
use crate::content::Sources;
use crate::diagnostics::Diagnostics;
use crate::inputs::{Change, Layout, Prefetched};
use crate::model::{DocId, DocIdx, Status};
use crate::output::Memory;
use crate::render::{Carry, Fingerprint, PageDigests, Renderer, Selection};
use crate::review::Campaign;
use crate::routes::doc_files;
use crate::view::DocView;

/// Configuration and compiled theme: everything a template or `site.toml` change replaces.
struct Setup {
    config: Config,
    as_of: NaiveDate,
    renderer: Renderer,
}

/// What the last good build knew about one document.
struct Known {
    /// Digest of its page's catalogue-derived inputs.
    digest: u64,
    /// Its computed status and the event that set it.
    status: (Status, Option<Event>),
    /// Documents it relates to, either way.
    neighbours: Vec<DocId>,
    /// Digest of what links into it resolve against.
    anchor: u64,
    /// Documents its texts link to or cite (the catalogue's `cites`).
    links: Vec<DocId>,
    /// The source files it was made from: one of them gone or moved to
    /// another document (a deleted version) changes it too.
    inputs: Vec<PathBuf>,
    /// Digest of where its citations lead ([`citation_targets`]).
    cited: u64,
    /// Every file its pages occupy (page, versions, comparisons, redirects).
    files: Vec<String>,
}

impl Known {
    /// True when document `i` of `cat` has the status this one had.
    fn has_status(&self, cat: &Catalogue, i: usize) -> bool {
        let (status, cause) = &self.status;
        let computed = &cat.computed[i];
        *status == computed.status && *cause == computed.cause
    }

    /// True when document `i` of `cat` may differ from this one without a
    /// change of its own sources: its status changed, a file it was made
    /// from changed, or its citations lead elsewhere (a namesake made one
    /// ambiguous, another part of its code gained the article it cites).
    fn changed(&self, cat: &Catalogue, i: usize, dirty: &BTreeSet<PathBuf>) -> bool {
        !self.has_status(cat, i)
            || self.inputs.iter().any(|p| dirty.contains(p))
            || self.cited != citation_targets(cat, i)
    }
}

/// What the last successful build produced, to compare the next one with.
struct Baseline {
    site: u64,
    docs: FxHashMap<DocId, Known>,
    /// Keys written by everything except document pages.
    listing_keys: BTreeSet<String>,
    /// Digests of the listing pages, to render only those that change, and
    /// the rows and export shares of the documents.
    carry: Carry,
}

/// A good build's baseline before its documents are known: turning every
/// document into a `Known` takes a while on a large site, so it is done
/// while nothing waits (`Engine::prepare`), or else when the next build starts.
struct Unsettled {
    site: u64,
    listing_keys: BTreeSet<String>,
    carry: Carry,
    cat: Arc<Catalogue>,
    fp: Fingerprint,
    /// The files of each document of `cat`.
    owned: Vec<Vec<String>>,
    /// The previous baseline's documents.
    known: FxHashMap<DocId, Known>,
}

impl Unsettled {
    fn settle(self) -> Baseline {
        Baseline {
            site: self.site,
            docs: known_documents(&self.cat, &self.fp, self.owned, &self.known),
            listing_keys: self.listing_keys,
            carry: self.carry,
        }
    }
}

/// How much the next build must render.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Scope {
    /// Only what the changed sources affect.
    Incremental,
    /// Static files changed: render the non-document pages again.
    Statics,
    /// Everything.
    Full,
}

/// What the review page of a good build is made from.
struct ReviewDue {
    cat: Arc<Catalogue>,
    campaigns: Vec<Campaign>,
}

/// The result of one build.
#[derive(Default)]
pub(crate) struct Outcome {
    /// Pages rendered: (key, bytes). Empty when the build failed.
    pub(crate) files: BTreeMap<String, Vec<u8>>,
    /// Keys whose pages no longer exist.
    pub(crate) removed: Vec<String>,
    /// True when `files` is the whole site (drop every key not in it).
    pub(crate) complete: bool,
    /// Errors (nothing was rendered) or warnings, sorted.
    pub(crate) diagnostics: Diagnostics,
    /// Document pages rendered.
    pub(crate) documents: usize,
    /// The catalogue of a good build, for indexing off the reload path.
    pub(crate) catalogue: Option<Arc<Catalogue>>,
}

impl Outcome {
    /// True when the build failed and the last good site must stay served.
    pub(crate) fn failed_build(&self) -> bool {
        self.diagnostics.has_errors()
    }
}

/// The dev server's in-memory site.
pub(crate) struct Engine {
    opts: BuildOptions,
    setup: Setup,
    setup_errors: Diagnostics,
    sources: Sources,
    good: Option<Baseline>,
    /// The last good build's baseline, when `good` has not caught up with it.
    unsettled: Option<Unsettled>,
    /// Sources changed since the last good build.
    dirty: BTreeSet<PathBuf>,
    pending: Scope,
    /// Citations of unchanged texts, reused by the next rebuild.
    citations: CitationCache,
    /// The last good build's review page, to render after its reload.
    review_due: Option<ReviewDue>,
    /// Digest of the review page as last rendered (see `render_review_if_changed`).
    review_digest: PageDigests,
    /// Render the review page (only for a server the network cannot reach,
    /// unless the site publishes it anyway).
    pub(crate) review_page: bool,
}

impl Engine {
    /// Read the configuration and theme and parse every source file; `Err`
    /// if `site.toml` or a template is broken (nothing could be served).
    pub(crate) fn new(opts: BuildOptions) -> Result<Engine, Diagnostics> {
        let setup = load_setup(&opts)?;
        let mut engine = Engine {
            opts,
            setup,
            setup_errors: Diagnostics::default(),
            sources: Sources::default(),
            citations: CitationCache::default(),
            review_page: true,
            review_due: None,
            review_digest: PageDigests::default(),
            good: None,
            unsettled: None,
            dirty: BTreeSet::new(),
            pending: Scope::Full,
        };
        engine.read_all();
        Ok(engine)
    }

    fn failed(&self, mut diagnostics: Diagnostics) -> Outcome {
        diagnostics.sort();
        Outcome {
            diagnostics,
            ..Outcome::default()
        }
    }

    /// True when the site publishes its review page.
    pub(crate) fn publishes_review(&self) -> bool {
        self.setup.config.review.publish
    }

    /// Where sources live, for the watcher.
    pub(crate) fn layout(&self) -> Layout {
        Layout::new(&self.setup.config)
    }

    /// Apply a burst of changes and build what they affect.
    pub(crate) fn rebuild(&mut self, changes: &BTreeSet<Change>) -> Outcome {
        for change in changes {
            match change {
                Change::Setup => self.pending = Scope::Full,
                Change::Static => self.pending = self.pending.max(Scope::Statics),
                // Campaign files are read again by every build.
                Change::Reviews => {}
                Change::Catalogue => {
                    self.sources.reread_catalogue(&self.setup.config);
                    self.dirty.insert(self.setup.config.catalogue.clone());
                }
                // A link is skipped by the walk: list the tree again, which
                // drops what the link replaced and warns about it.
                Change::Content(rel) if self.sources.through_link(rel) => self.rescan(),
                Change::Content(rel) => self.reread(rel),
                Change::ContentTree => self.rescan(),
                Change::Ignored => {}
            }
        }
        if changes
            .iter()
            .any(|c| matches!(c, Change::Setup | Change::Static))
        {
            match load_setup(&self.opts) {
                Ok(setup) => {
                    let moved = setup.config.content_dir != self.setup.config.content_dir
                        || setup.config.catalogue != self.setup.config.catalogue;
                    self.setup = setup;
                    self.setup_errors = Diagnostics::default();
                    if moved {
                        self.read_all();
                    }
                }
                Err(diags) => self.setup_errors = diags,
            }
        }
        self.build()
    }

    /// Build from the parsed sources: everything the first time or after a
    /// setup change, else only what changed since the last good build.
    pub(crate) fn build(&mut self) -> Outcome {
        if !self.setup_errors.is_empty() {
            return self.failed(self.setup_errors.clone());
        }
        self.settle();
        let mut diags = self.sources.diagnostics();
        let (cat, campaigns) = crate::site::resolve(
            &self.opts.root,
            &self.setup.config,
            self.setup.as_of,
            self.sources.take_content(),
            &mut self.citations,
            &mut diags,
        );
        let deny = self.opts.deny_warnings;
        let mut diags = match crate::site::settle(diags, deny) {
            Ok(diags) => diags,
            Err(diags) => return self.failed(diags),
        };
        let views = self.setup.renderer.views(&cat);
        let (selection, fingerprint) = self.plan(&cat, &views);
        let out = Memory::default();
        // Changed static files may show on any page, and a complete build
        // replaces every page: then render them all again. Rows and export
        // shares depend on no template or static file.
        let (empty, mut carry) = (Carry::default(), Carry::default());
        let last = match &self.good {
            Some(good) if self.pending != Scope::Incremental => &good.carry.without_listings(),
            Some(good) => &good.carry,
            None => &empty,
        };
        if self.pending != Scope::Incremental {
            self.review_digest = PageDigests::default();
        }
        let renderer = &self.setup.renderer;
        // A complete build replaces every page, the review page too: render
        // it beside the others. Else it waits for the reload (`review`).
        let inline_review = self.review_page && self.pending == Scope::Full;
        let (rendered, reviewed) = rayon::join(
            || renderer.render_selected(&cat, &views, &out, &selection, Some((last, &mut carry))),
            || match inline_review {
                true => renderer.render_review(&cat, &campaigns, &out),
                false => Diagnostics::default(),
            },
        );
        diags.extend(rendered);
        diags.extend(reviewed);
        let diags = match crate::site::settle(diags, deny) {
            Ok(diags) => diags,
            Err(diags) => return self.failed(diags),
        };
        let files = out.into_files();
        let cat = Arc::new(cat);
        let outcome = self.commit(&cat, fingerprint, &selection, files, carry, diags);
        self.review_due = (self.review_page && !inline_review).then(|| ReviewDue {
            cat: Arc::clone(&cat),
            campaigns,
        });
        Outcome {
            catalogue: Some(cat),
            ..outcome
        }
    }

    /// The review page of the last good build, if it was left for after
    /// the reload: rendered when its digest changed (`files` is empty when
    /// it did not). The page is for the developer alone and its queue takes
    /// as long to digest as the exports, so the other open tabs need not
    /// wait for it.
    pub(crate) fn review(&mut self) -> Option<Outcome> {
        let due = self.review_due.take()?;
        let out = Memory::default();
        let mut current = PageDigests::default();
        let pages = Some((&self.review_digest, &mut current));
        let renderer = &self.setup.renderer;
        let diags = renderer.render_review_if_changed(&due.cat, &due.campaigns, &out, pages);
        let diagnostics = match crate::site::settle(diags, self.opts.deny_warnings) {
            Ok(diags) => diags,
            Err(diags) => return Some(self.failed(diags)),
        };
        self.review_digest = current;
        Some(Outcome {
            files: out.into_files(),
            diagnostics,
            ..Outcome::default()
        })
    }

    /// Which pages the changes since the last good build affect, with the
    /// digests that decided it.
    fn plan(&self, cat: &Catalogue, views: &[DocView]) -> (Selection, Fingerprint) {
        let renderer = &self.setup.renderer;
        let all: BTreeSet<usize> = (0..cat.docs.len()).collect();
        let Some(good) = self.good.as_ref().filter(|_| self.pending < Scope::Full) else {
            return (Selection::All, renderer.fingerprint(cat, views, &all));
        };
        let fp = renderer.fingerprint(cat, views, &self.affected(cat, good));
        if fp.site != good.site {
            let fp = renderer.fingerprint(cat, views, &all);
            let everything = Selection::Some {
                docs: all,
                listings: true,
            };
            return (everything, fp);
        }
        let mut listings = self.pending == Scope::Statics || good.docs.len() != cat.docs.len();
        let mut docs = relinked(cat, good, &fp.anchors);
        for (&i, digest) in &fp.docs {
            let doc = &cat.docs[i];
            let changed = good.docs.get(&doc.id).map(|k| k.digest) != Some(*digest);
            listings |= changed;
            if changed || doc.inputs().any(|p| self.dirty.contains(p)) {
                docs.insert(i);
            }
        }
        (Selection::Some { docs, listings }, fp)
    }

    /// Documents whose page may have changed: those whose source or status
    /// changed, and their neighbours before and after the change.
    fn affected(&self, cat: &Catalogue, good: &Baseline) -> BTreeSet<usize> {
        let sections = self
            .dirty
            .iter()
            .any(|p| p.file_name().is_some_and(|n| n == "_index.md"));
        let changed: Vec<usize> = (0..cat.docs.len())
            .into_par_iter()
            .filter(|&i| {
                let doc = &cat.docs[i];
                sections
                    || doc.inputs().any(|p| self.dirty.contains(p))
                    || (good.docs.get(&doc.id)).is_none_or(|k| k.changed(cat, i, &self.dirty))
            })
            .collect();
        let known_neighbours = |id: &DocId| {
            good.docs
                .get(id)
                .into_iter()
                .flat_map(|k| k.neighbours.iter().filter_map(|n| cat.find(n)))
                .map(DocIdx::get)
        };
        let mut affected: BTreeSet<usize> = changed.iter().copied().collect();
        for &i in &changed {
            affected.extend(neighbours(cat, i));
            affected.extend(known_neighbours(&cat.docs[i].id));
        }
        for gone in good.docs.keys().filter(|id| cat.find(id).is_none()) {
            affected.extend(known_neighbours(gone));
        }
        affected
    }

    /// Record the build as the new (unsettled) baseline and say what to serve.
    fn commit(
        &mut self,
        cat: &Arc<Catalogue>,
        fp: Fingerprint,
        selection: &Selection,
        files: BTreeMap<String, Vec<u8>>,
        carry: Carry,
        diagnostics: Diagnostics,
    ) -> Outcome {
        let owned: Vec<Vec<String>> = (cat.docs.par_iter())
            .map(|d| doc_files(d, |id| cat.find(id).is_some()))
            .collect();
        let doc_keys: FxHashSet<&str> = owned.iter().flatten().map(String::as_str).collect();
        let (known, old_listing_keys) = self
            .good
            .take()
            .map(|g| (g.docs, g.listing_keys))
            .unwrap_or_default();
        // Files of the last build's documents that no document has now.
        let mut removed: Vec<String> = (known.values())
            .flat_map(|k| &k.files)
            .filter(|f| !doc_keys.contains(f.as_str()))
            .cloned()
            .collect();
        let rendered_listings = matches!(
            selection,
            Selection::All | Selection::Some { listings: true, .. }
        );
        // Listing pages not rendered again are still there.
        let listing_keys = if rendered_listings {
            files
                .keys()
                .chain(carry.listings.files())
                .filter(|k| !doc_keys.contains(k.as_str()))
                .cloned()
                .collect()
        } else {
            old_listing_keys.clone()
        };
        removed.extend(old_listing_keys.difference(&listing_keys).cloned());
        let documents = match selection {
            Selection::All => cat.docs.len(),
            Selection::Some { docs, .. } => docs.len(),
        };
        self.unsettled = Some(Unsettled {
            site: fp.site,
            listing_keys,
            carry,
            cat: Arc::clone(cat),
            fp,
            owned,
            known,
        });
        self.dirty.clear();
        let complete = self.pending == Scope::Full;
        self.pending = Scope::Incremental;
        Outcome {
            files,
            removed,
            complete,
            diagnostics,
            documents,
            catalogue: None,
        }
    }

    /// Bring the baseline up to the last good build.
    fn settle(&mut self) {
        if let Some(unsettled) = self.unsettled.take() {
            self.good = Some(unsettled.settle());
        }
    }

    /// Do what the next build needs done, before it is asked for.
    pub(crate) fn prepare(&mut self) {
        self.settle();
        self.sources.prepare();
    }

    /// Parse every Markdown file and the catalogue again.
    fn read_all(&mut self) {
        self.sources = Sources::read(&self.opts.root, &self.setup.config, Prefetched::default());
        self.pending = Scope::Full;
    }

    /// Parse `rel` again, or forget it if it is gone (or became a link).
    fn reread(&mut self, rel: &Path) {
        self.sources.reread(rel);
        self.dirty.insert(rel.to_path_buf());
    }

    /// A folder appeared, vanished or was renamed: list the files again and
    /// parse those that are new.
    fn rescan(&mut self) {
        let changed = self.sources.rescan(&self.setup.config);
        self.dirty.extend(changed);
    }
}

/// What a build knows about each document of `cat` (whose files are
/// `owned`), for the next one to compare with; `known`, the previous
/// build's, gives the digests of the documents `fp` did not digest again.
fn known_documents(
    cat: &Catalogue,
    fp: &Fingerprint,
    owned: Vec<Vec<String>>,
    known: &FxHashMap<DocId, Known>,
) -> FxHashMap<DocId, Known> {
    (cat.docs.iter().enumerate().zip(owned))
        .map(|((i, doc), files)| {
            let digest = fp.docs.get(&i).copied();
            let old = || known.get(&doc.id).map(|k| k.digest);
            let known = Known {
                digest: digest.or_else(old).unwrap_or_default(),
                status: status(cat, i),
                neighbours: neighbours(cat, i).map(|j| cat.docs[j].id.clone()).collect(),
                anchor: fp.anchors[i],
                // What its texts link to, by written link or citation.
                links: cat.cites[i]
                    .iter()
                    .map(|&j| cat.docs[j].id.clone())
                    .collect(),
                inputs: doc.inputs().map(Path::to_path_buf).collect(),
                cited: citation_targets(cat, i),
                files,
            };
            (doc.id.clone(), known)
        })
        .collect()
}

/// Digest of where document `i`'s citations lead, by id (none for a
/// mention that names no single document).
fn citation_targets(cat: &Catalogue, i: usize) -> u64 {
    let targets = cat.citations[i]
        .iter()
        .map(|c| c.target.map(|j| &cat.docs[j].id));
    crate::digest::of(&targets.collect::<Vec<_>>())
}

/// A document's computed status and its cause, as compared between builds.
fn status(cat: &Catalogue, i: usize) -> (Status, Option<Event>) {
    let computed = &cat.computed[i];
    (computed.status, computed.cause.clone())
}

/// The documents `i` relates to or cites, in either direction.
fn neighbours(cat: &Catalogue, i: usize) -> impl Iterator<Item = usize> + '_ {
    let related = cat.outgoing[i].iter().map(|r| r.to);
    let related = related.chain(cat.incoming[i].iter().map(|r| r.from));
    let related = related.chain(cat.cites[i].iter().copied());
    let related = related.chain(cat.cited_by[i].iter().map(|(from, _)| *from));
    related.map(DocIdx::get)
}

/// Pages whose text links to a document that is gone or whose id, source
/// file or articles changed: their links must be resolved again.
fn relinked(cat: &Catalogue, good: &Baseline, anchors: &[u64]) -> BTreeSet<usize> {
    let moved: FxHashSet<&DocId> = good
        .docs
        .iter()
        .filter(|(id, k)| cat.find(id).is_none_or(|i| anchors[i.get()] != k.anchor))
        .map(|(id, _)| id)
        .collect();
    if moved.is_empty() {
        return BTreeSet::new();
    }
    good.docs
        .iter()
        .filter(|(_, k)| k.links.iter().any(|t| moved.contains(t)))
        .filter_map(|(id, _)| cat.find(id))
        .map(DocIdx::get)
        .collect()
}

fn load_setup(opts: &BuildOptions) -> Result<Setup, Diagnostics> {
    let (config, as_of) = crate::site::configure(opts)?;
    let renderer = Renderer::new(&opts.root, &config)?;
    Ok(Setup {
        config,
        as_of,
        renderer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Markdown document with TOML front matter.
    fn doc(title: &str, published: &str, extra: &str, body: &str) -> String {
        format!("+++\ntitle = \"{title}\"\npublished = {published}\n{extra}+++\n{body}\n")
    }

    /// A three-document site (b links to a's first article), built once,
    /// with the pages a browser would be served.
    struct TestSite {
        dir: tempfile::TempDir,
        engine: Engine,
        served: BTreeMap<String, Vec<u8>>,
    }

    impl TestSite {
        fn new() -> TestSite {
            TestSite::with(|_| {})
        }

        fn with(adjust: impl FnOnce(&mut BuildOptions)) -> TestSite {
            let files = [
                ("content/a.md", doc("甲", "2020-01-01", "", "第一条 甲。")),
                (
                    "content/b.md",
                    doc("乙", "2021-01-01", "", "第一条 见[甲](a.md#art-1)。"),
                ),
                ("content/c.md", doc("丙", "2021-01-01", "", "第一条 丙。")),
            ];
            let site = TestSite::from_files(&files, adjust);
            let mut site = site;
            site.engine.settle();
            assert_eq!(site.engine.good.as_ref().unwrap().docs.len(), 3);
            site
        }

        /// A site of `files` (with `site.toml` unless given), built once
        /// (the build may fail).
        fn from_files(
            files: &[(&str, String)],
            adjust: impl FnOnce(&mut BuildOptions),
        ) -> TestSite {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("site.toml"), "title = \"t\"\n").unwrap();
            let mut opts = BuildOptions {
                as_of: Some("2026-01-01".parse().unwrap()),
                ..BuildOptions::new(dir.path())
            };
            adjust(&mut opts);
            for (rel, text) in files {
                let path = dir.path().join(rel);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, text).unwrap();
            }
            let mut engine = Engine::new(opts).unwrap();
            // The dev-only review page is not part of a full build.
            engine.review_page = false;
            let mut site = TestSite {
                engine,
                dir,
                served: BTreeMap::new(),
            };
            let first = site.engine.build();
            site.apply(&first);
            site
        }

        /// Write `text` to `rel` (an empty text deletes it), rebuild, and
        /// serve the result as the store would.
        fn edit(&mut self, rel: &str, text: &str) -> Outcome {
            let path = self.dir.path().join(rel);
            let change = if !rel.starts_with("content/") {
                if text.is_empty() {
                    std::fs::remove_file(&path).unwrap();
                } else {
                    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                    std::fs::write(&path, text).unwrap();
                }
                crate::inputs::classify(Path::new(rel), &self.engine.layout())
            } else if text.is_empty() {
                std::fs::remove_file(&path).unwrap();
                Change::Content(rel.into())
            } else if !path.parent().unwrap().is_dir() {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, text).unwrap();
                Change::ContentTree
            } else {
                std::fs::write(&path, text).unwrap();
                Change::Content(rel.into())
            };
            self.rebuild(&BTreeSet::from([change]))
        }

        /// Rebuild after `changes` and serve the result, then the review
        /// page the server renders after announcing the reload; the outcome
        /// holds the files and diagnostics of both.
        fn rebuild(&mut self, changes: &BTreeSet<Change>) -> Outcome {
            let mut outcome = self.engine.rebuild(changes);
            self.apply(&outcome);
            if let Some(review) = self.engine.review() {
                self.apply(&review);
                outcome.files.extend(review.files);
                outcome.diagnostics.extend(review.diagnostics);
            }
            outcome
        }

        fn apply(&mut self, outcome: &Outcome) {
            if outcome.failed_build() {
                return;
            }
            if outcome.complete {
                self.served.clear();
            }
            for key in &outcome.removed {
                self.served.remove(key);
            }
            self.served.extend(outcome.files.clone());
        }

        /// The pages of a full build of the site as it is now, or `None`
        /// if it fails.
        fn full_build(&self) -> Option<BTreeMap<String, Vec<u8>>> {
            let opts = BuildOptions {
                as_of: Some("2026-01-01".parse().unwrap()),
                ..BuildOptions::new(self.dir.path())
            };
            let (site, diags) = crate::site::load(&opts).ok()?;
            let out = Memory::default();
            site.render(&out, diags).ok()?;
            Some(out.into_files())
        }

        /// Each (file, text, what it does) edit in turn, the served site
        /// checked against a full build after each.
        #[track_caller]
        fn edits(&mut self, steps: &[(&str, &str, &str)]) {
            for (rel, text, after) in steps {
                self.edit(rel, text);
                self.assert_matches_full_build(after);
            }
        }

        /// The served pages equal a full build of the site as it is now.
        #[track_caller]
        fn assert_matches_full_build(&self, after: &str) {
            let full = self.full_build().expect("the full build fails");
            let stale: Vec<_> = full
                .iter()
                .filter(|(k, v)| self.served.get(*k) != Some(v))
                .map(|(k, _)| k)
                .collect();
            assert!(stale.is_empty(), "after {after}: stale {stale:?}");
            assert_eq!(self.served.len(), full.len(), "after {after}: extra pages");
        }
    }

    fn keys(outcome: &Outcome) -> Vec<&str> {
        outcome.files.keys().map(String::as_str).collect()
    }

    #[test]
    fn changing_a_cited_title_number_or_article_list_renders_citing_pages_again() {
        let mut site = TestSite::new();
        site.edit("content/b.md", &doc("乙", "2021-01-01", "", "第一条 乙。"));
        let cites = "第一条 依照《丁》第二条和甲发〔2020〕1号。";
        site.edit("content/c.md", &doc("丙", "2021-01-01", "", cites));
        site.assert_matches_full_build("citing titles not in the catalogue");
        site.edit("content/a.md", &doc("丁", "2020-01-01", "", "一、甲。"));
        site.assert_matches_full_build("renaming the cited document");
        let number = "number = \"甲发〔2020〕1号\"\n";
        site.edit("content/a.md", &doc("丁", "2020-01-01", number, "一、甲。"));
        site.assert_matches_full_build("giving it the cited 文号");
        let articles = "第一条 甲。\n\n第二条 乙。";
        site.edit("content/a.md", &doc("丁", "2020-01-01", number, articles));
        site.assert_matches_full_build("giving it the cited article");
        assert!(
            String::from_utf8_lossy(&site.served["docs/c/index.html"])
                .contains("href=\"/docs/a/#art-2\">《丁》第二条</a>")
        );
    }

    #[test]
    fn body_edit_renders_only_that_page() {
        let mut site = TestSite::new();
        let out = site.edit(
            "content/c.md",
            &doc("丙", "2021-01-01", "", "第一条 丙改。"),
        );
        assert_eq!(out.documents, 1);
        assert_eq!(keys(&out), vec!["docs/c/index.html"]);
    }

    #[test]
    fn relation_change_renders_both_ends_and_listings() {
        let mut site = TestSite::new();
        let c = doc("丙", "2021-01-01", "supersedes = [\"a\"]\n", "第一条 丙。");
        let out = site.edit("content/c.md", &c);
        assert!(!out.failed_build());
        let pages = keys(&out);
        assert!(pages.contains(&"docs/a/index.html"));
        assert!(pages.contains(&"catalogue.json"));
        assert!(
            !pages.contains(&"docs/b/index.html"),
            "b is not related to a or c"
        );
        site.assert_matches_full_build("supersedes");
    }

    #[test]
    fn status_change_renders_only_listing_pages_whose_rows_changed() {
        let mut site = TestSite::new();
        let expired = doc("丙", "2021-01-01", "expires = 2025-01-01\n", "第一条 丙。");
        let out = site.edit("content/c.md", &expired);
        let pages = keys(&out);
        for page in [
            "catalogue/index.html",
            "status/current/index.html",
            "status/expired/index.html",
            "years/2021/index.html",
            "index.html",
        ] {
            assert!(pages.contains(&page), "{page} not rendered: {pages:?}");
        }
        for page in ["years/2020/index.html", "status/repealed/index.html"] {
            assert!(!pages.contains(&page), "{page} rendered: {pages:?}");
        }
        site.assert_matches_full_build("expiry");
    }

    #[test]
    fn review_page_is_rendered_again_only_when_its_inputs_change() {
        let mut site = TestSite::new();
        site.engine.review_page = true;
        let rendered = |out: &Outcome| keys(out).contains(&"review/index.html");
        let d = |title: &str| doc(title, "2025-06-01", "", "第一条 丁。");
        assert!(
            rendered(&site.edit("content/d.md", &d("丁"))),
            "no digest yet"
        );
        let body = site.edit(
            "content/a.md",
            &doc("甲", "2020-01-01", "", "第一条 甲改。"),
        );
        assert!(!rendered(&body), "a body edit leaves the queue as it was");
        let listed = site.edit("content/d.md", &d("丁新"));
        assert!(keys(&listed).contains(&"catalogue/index.html"));
        assert!(!rendered(&listed), "d is too recent to be in the queue");
        assert!(!listed.removed.iter().any(|k| k == "review/index.html"));
        let queued = site.edit(
            "content/a.md",
            &doc("甲新", "2020-01-01", "", "第一条 甲。"),
        );
        assert!(rendered(&queued), "a, six years old, is in the queue");
        let page = String::from_utf8_lossy(&site.served["review/index.html"]);
        assert!(page.contains("甲新"));
    }

    #[test]
    fn review_page_follows_a_status_change_after_the_reload() {
        let files = [
            (
                "site.toml",
                "title = \"t\"\n[review]\npublish = true\n".into(),
            ),
            ("content/a.md", doc("甲", "2020-01-01", "", "第一条 甲。")),
            ("content/c.md", doc("丙", "2021-01-01", "", "第一条 丙。")),
        ];
        let mut site = TestSite::from_files(&files, |_| {});
        site.engine.review_page = true;
        site.rebuild(&BTreeSet::new());
        site.assert_matches_full_build("the first review page");
        let listed = |site: &TestSite| {
            String::from_utf8_lossy(&site.served["review/index.html"]).contains("/docs/a/")
        };
        assert!(listed(&site), "a, six years in force, is in the queue");
        let expired = doc("甲", "2020-01-01", "expires = 2025-06-01\n", "第一条 甲。");
        std::fs::write(site.dir.path().join("content/a.md"), expired).unwrap();
        let change = Change::Content("content/a.md".into());
        let reload = site.engine.rebuild(&BTreeSet::from([change]));
        assert!(keys(&reload).contains(&"status/expired/index.html"));
        assert!(!keys(&reload).contains(&"review/index.html"));
        site.apply(&reload);
        let review = site.engine.review().expect("the review page is due");
        assert_eq!(keys(&review), ["review/index.html"]);
        site.apply(&review);
        assert!(!listed(&site), "an expired document leaves the queue");
        site.assert_matches_full_build("the review page after the reload");
        assert!(site.engine.review().is_none(), "rendered once a build");
    }

    #[test]
    fn title_change_updates_pages_that_list_it() {
        let mut site = TestSite::new();
        let out = site.edit(
            "content/a.md",
            &doc("甲新", "2020-01-01", "", "第一条 甲。"),
        );
        assert!(keys(&out).contains(&"catalogue/index.html"));
        assert!(!keys(&out).contains(&"docs/c/index.html"));
        site.assert_matches_full_build("title");
    }

    #[test]
    fn renaming_a_repealing_act_updates_the_listing_that_shows_the_repeal() {
        let mut site = TestSite::new();
        let act = |title: &str| {
            doc(
                title,
                "2022-01-01",
                "repeals = [\"c\"]\n",
                "第一条 废止丙。",
            )
        };
        site.edit("content/d.md", &act("丁"));
        let out = site.edit("content/d.md", &act("丁改"));
        let repealed = String::from_utf8_lossy(&out.files["status/repealed/index.html"]);
        assert!(repealed.contains("丁改"), "{repealed}");
        site.assert_matches_full_build("act title");
    }

    #[test]
    fn deleting_a_version_updates_the_rows_and_exports_of_its_document() {
        let mut site = TestSite::new();
        let repeals = doc("丙", "2024-01-01", "repeals = [\"a\"]\n", "第一条 废止甲。");
        let version = "+++\ntitle = \"甲二\"\nversion_of = \"a\"\npublished = 2023-01-01\n+++\n第一条 甲二。\n";
        site.edits(&[
            ("content/c.md", &repeals, "a repeal"),
            ("content/a-2023.md", version, "a revised title"),
            // `a` keeps its status and cause, and no file it now has changed.
            ("content/a-2023.md", "", "deleting the version"),
            // A later build that renders the listings must not bring 甲二 back.
            (
                "content/d.md",
                &doc("丁", "2022-01-01", "", "第一条 丁。"),
                "an unrelated edit",
            ),
        ]);
    }

    #[test]
    fn a_namesake_updates_the_documents_citing_the_name() {
        let mut site = TestSite::new();
        site.edits(&[
            (
                "content/c.md",
                &doc("丙", "2021-01-01", "", "第一条 依照《甲》第一条。"),
                "citing 甲",
            ),
            (
                "content/d.md",
                &doc("甲", "2022-01-01", "", "第一条 丁。"),
                "a second 甲",
            ),
            (
                "content/b.md",
                &doc("乙改", "2021-01-01", "", "第一条 乙。"),
                "an unrelated edit",
            ),
        ]);
    }

    #[test]
    fn a_part_gaining_the_cited_article_updates_the_citing_part() {
        let mut site = TestSite::new();
        let part = |body: &str| doc("丙", "2021-01-01", "", body);
        site.edits(&[
            (
                "content/c.md",
                &part("第一条 依照本法第二条。"),
                "citing article 2",
            ),
            ("content/e.md", &part("第一条 戊。"), "a second part"),
            (
                "content/e.md",
                &part("第一条 戊。\n\n第二条 己。"),
                "the part gains the article",
            ),
        ]);
    }

    /// Random small sites under random edit sequences: after every edit the
    /// served site equals a full build (or both builds fail).
    mod incremental_equals_full {
        use proptest::prelude::*;
        use proptest::test_runner::RngSeed;

        use super::*;

        /// Documents in a generated site: `d0` … `d4`, the last in a subfolder.
        const DOCS: usize = 5;

        /// What document `k`'s file says; every field is a small number so
        /// that edits collide with other documents' ids, years and titles.
        #[derive(Debug, Clone)]
        struct Spec {
            title: u8,
            /// An `id` other than the file's path (`x0` … `x2`).
            id: Option<u8>,
            /// Published in year 2018 + k + `later` (0 or 1), so a document
            /// may act on any with a lower index, published no later.
            later: u8,
            /// Expired by the build date: a status change.
            expires: bool,
            /// `supersedes` (true) or `amends` (false) a document with a
            /// lower index.
            relation: Option<(bool, usize)>,
            /// A link from article 1 to another document's article 1.
            link: Option<usize>,
            /// A citation of `《规定N》第一条` (titles collide, so a citation
            /// may name one document, several or none).
            cite: Option<u8>,
            /// Text variant and whether a second article follows.
            text: u8,
            second: bool,
        }

        #[derive(Debug, Clone)]
        enum Edit {
            Write(usize, Spec),
            Delete(usize),
            /// Override (`Some`) or stop overriding a template; odd
            /// variants show the site-wide counts.
            Template(&'static str, Option<u8>),
            PageSize(usize),
            Section(u8),
            /// Write (title variant, in the future or not) or delete a
            /// later version of document `k`.
            Version(usize, Option<(u8, bool)>),
        }

        /// The default id of document `k`.
        fn id(k: usize) -> String {
            if k + 1 == DOCS {
                format!("sub/d{k}")
            } else {
                format!("d{k}")
            }
        }

        fn rel(k: usize) -> String {
            if k + 1 == DOCS {
                format!("content/sub/d{k}.md")
            } else {
                format!("content/d{k}.md")
            }
        }

        fn text(k: usize, s: &Spec) -> String {
            let mut meta = String::new();
            if let Some(id) = s.id {
                meta += &format!("id = \"x{id}\"\n");
            }
            if s.expires {
                meta += "expires = 2025-06-01\n";
            }
            if let Some((supersedes, j)) = s.relation.filter(|(_, j)| *j < k) {
                let key = if supersedes { "supersedes" } else { "amends" };
                meta += &format!("{key} = [\"{}\"]\n", id(j));
            }
            let up = if k + 1 == DOCS { "../" } else { "" };
            let link = match s.link.filter(|j| *j != k) {
                Some(j) if j + 1 == DOCS => format!("见[文](sub/d{j}.md#art-1)"),
                Some(j) => format!("见[文]({up}d{j}.md#art-1)"),
                None => String::new(),
            };
            let cite = s
                .cite
                .map(|t| format!("依照《规定{t}》第一条"))
                .unwrap_or_default();
            let mut body = format!("第一条 文{}{link}{cite}。", s.text);
            if s.second {
                body += "\n\n第二条 又。";
            }
            let published = format!("{}-01-01", 2018 + k + usize::from(s.later));
            doc(&format!("规定{}", s.title), &published, &meta, &body)
        }

        fn spec() -> impl Strategy<Value = Spec> {
            let relation = proptest::option::weighted(0.4, (any::<bool>(), 0..DOCS));
            (
                (0..4u8, proptest::option::weighted(0.1, 0..3u8), 0..2u8),
                (proptest::bool::weighted(0.3), relation),
                (
                    proptest::option::weighted(0.3, 0..DOCS),
                    proptest::option::weighted(0.3, 0..4u8),
                    0..3u8,
                    any::<bool>(),
                ),
            )
                .prop_map(
                    |((title, id, later), (expires, relation), (link, cite, text, second))| Spec {
                        title,
                        id,
                        later,
                        expires,
                        relation,
                        link,
                        cite,
                        text,
                        second,
                    },
                )
        }

        fn template() -> impl Strategy<Value = Edit> {
            let name = prop_oneof![Just("listing.html"), Just("document.html")];
            (name, proptest::option::of(0..4u8)).prop_map(|(t, v)| Edit::Template(t, v))
        }

        fn edit() -> impl Strategy<Value = Edit> {
            prop_oneof![
                12 => (0..DOCS, spec()).prop_map(|(k, s)| Edit::Write(k, s)),
                2 => (0..DOCS).prop_map(Edit::Delete),
                1 => template(),
                1 => (1..4usize).prop_map(Edit::PageSize),
                1 => (0..3u8).prop_map(Edit::Section),
                2 => (0..DOCS, proptest::option::of((0..2u8, any::<bool>())))
                    .prop_map(|(k, v)| Edit::Version(k, v)),
            ]
        }

        /// The file an edit writes and its new text (empty: deleted).
        fn file(edit: &Edit) -> (String, String) {
            match edit {
                Edit::Write(k, s) => (rel(*k), text(*k, s)),
                Edit::Delete(k) => (rel(*k), String::new()),
                Edit::Template(name, None) => (format!("templates/{name}"), String::new()),
                Edit::Template(name, Some(v)) => {
                    let counts = match v % 2 {
                        1 => {
                            "{{ site.total }}{% for c in site.status_counts %}{{ c.count }}{% endfor %}"
                        }
                        _ => "",
                    };
                    let shown = if *name == "document.html" {
                        "{{ doc.title }}{{ body_html }}"
                    } else {
                        "{% for d in docs %}{{ d.title }} {{ d.status.key }};{% endfor %}"
                    };
                    let source = format!(
                        "{{% extends \"base.html\" %}}{{% block main %}}<p>v{v}</p>{shown}{counts}{{% endblock %}}"
                    );
                    (format!("templates/{name}"), source)
                }
                Edit::PageSize(n) => ("site.toml".into(), site_toml(*n)),
                Edit::Section(n) => (
                    "content/sub/_index.md".into(),
                    format!("+++\ntitle = \"分组{n}\"\n+++\n"),
                ),
                Edit::Version(k, None) => (format!("content/v{k}.md"), String::new()),
                Edit::Version(k, Some((title, future))) => {
                    let year = if *future { 2030 } else { 2024 };
                    let text = format!(
                        "+++\ntitle = \"规定{title}修订\"\nversion_of = \"{}\"\npublished = {year}-01-01\n+++\n第一条 修订{title}。\n",
                        id(*k)
                    );
                    (format!("content/v{k}.md"), text)
                }
            }
        }

        /// `site.toml` with `n` rows a listing page; the review page is
        /// published, so full builds have it too.
        fn site_toml(n: usize) -> String {
            format!("title = \"t\"\nlisting_page_size = {n}\n[review]\npublish = true\n")
        }

        proptest! {
            #![proptest_config(ProptestConfig {
                cases: 24,
                failure_persistence: None,
                // Deterministic unless PROPTEST_RNG_SEED says otherwise.
                rng_seed: match ProptestConfig::default().rng_seed {
                    RngSeed::Random => RngSeed::Fixed(0x6a7e_77e5),
                    seed => seed,
                },
                ..ProptestConfig::default()
            })]

            #[test]
            fn every_incremental_build_equals_a_full_build(
                specs in proptest::collection::vec(spec(), DOCS),
                theme in template(),
                edits in proptest::collection::vec(edit(), 1..8),
            ) {
                let files: Vec<(String, String)> =
                    specs.iter().enumerate().map(|(k, s)| (rel(k), text(k, s))).collect();
                let mut files: Vec<(&str, String)> =
                    files.iter().map(|(r, t)| (r.as_str(), t.clone())).collect();
                files.push(("site.toml", site_toml(2)));
                let theme = file(&theme);
                if !theme.1.is_empty() {
                    files.push((&theme.0, theme.1.clone()));
                }
                let mut site = TestSite::from_files(&files, |_| {});
                site.engine.review_page = true;
                site.rebuild(&BTreeSet::new());
                let mut had = site.full_build().is_some();
                for (n, edit) in edits.iter().enumerate() {
                    let (rel, text) = file(edit);
                    if text.is_empty() && !site.dir.path().join(&rel).exists() {
                        continue;
                    }
                    // The server prepares before every save; half the
                    // builds here find nothing prepared (settling and copying then).
                    if n % 2 == 0 {
                        site.engine.prepare();
                    }
                    let out = site.edit(&rel, &text);
                    let full = site.full_build();
                    prop_assert_eq!(
                        out.failed_build(),
                        full.is_none(),
                        "step {}: {:?}: {:?}",
                        n,
                        edit,
                        out.diagnostics
                    );
                    if let Some(full) = full {
                        let differ: BTreeSet<&String> = full
                            .keys()
                            .chain(site.served.keys())
                            .filter(|k| full.get(*k) != site.served.get(*k))
                            .collect();
                        prop_assert!(differ.is_empty(), "step {}: {:?}: {:?}", n, edit, differ);
                        had = true;
                    }
                }
                // A sequence that never built says nothing.
                prop_assume!(had);
            }
        }
    }

    #[test]
    fn version_edits_render_the_document_its_versions_and_comparisons() {
        let mut site = TestSite::new();
        let version =
            |body: &str| format!("+++\nversion_of = \"a\"\npublished = 2023-01-01\n+++\n{body}\n");
        let added = site.edit("content/a-2023.md", &version("第一条 甲修订。"));
        assert!(!added.failed_build(), "{:?}", added.diagnostics);
        site.assert_matches_full_build("adding a version");
        assert!(keys(&added).contains(&"docs/a/compare/2020-01-01/2023-01-01/index.html"));
        let edited = site.edit("content/a-2023.md", &version("第一条 甲再修订。"));
        let pages = keys(&edited);
        for page in [
            "docs/a/index.html",
            "docs/a/2020-01-01/index.html",
            "docs/a/2023-01-01/index.html",
            "docs/a/compare/2020-01-01/2023-01-01/index.html",
        ] {
            assert!(pages.contains(&page), "{page} not rendered: {pages:?}");
        }
        assert!(!pages.contains(&"docs/c/index.html"));
        site.assert_matches_full_build("editing a version");
        site.edit("content/a-2023.md", "");
        site.assert_matches_full_build("removing the version");
        assert!(!site.served.contains_key("docs/a/2023-01-01/index.html"));
    }

    #[test]
    fn deleted_document_loses_its_page() {
        let mut site = TestSite::new();
        let out = site.edit("content/c.md", "");
        assert!(out.removed.contains(&"docs/c/index.html".to_owned()));
        assert!(keys(&out).contains(&"catalogue/index.html"));
    }

    #[test]
    fn broken_edit_keeps_baseline_and_fix_recovers() {
        let mut site = TestSite::new();
        let broken = site.edit("content/a.md", "+++\ntitle = \n+++\n第一条 甲。\n");
        assert!(broken.failed_build());
        assert!(broken.files.is_empty());
        let error = broken.diagnostics.iter().find(|d| d.is_error()).unwrap();
        assert_eq!(error.path, Path::new("content/a.md"));
        assert_eq!(error.line, Some(2));
        let fixed = site.edit(
            "content/a.md",
            &doc("甲", "2020-01-01", "", "第一条 甲二。"),
        );
        assert!(!fixed.failed_build());
        assert!(keys(&fixed).contains(&"docs/a/index.html"));
        site.assert_matches_full_build("fix");
    }

    #[test]
    fn new_article_rerenders_only_pages_linking_to_it() {
        let mut site = TestSite::new();
        let a = doc("甲", "2020-01-01", "", "第一条 甲。\n\n第二条 乙。");
        let out = site.edit("content/a.md", &a);
        assert_eq!(keys(&out), vec!["docs/a/index.html", "docs/b/index.html"]);
    }

    #[test]
    fn removing_an_article_rechecks_links_into_it() {
        let mut site = TestSite::new();
        let out = site.edit("content/a.md", &doc("甲", "2020-01-01", "", "甲。"));
        assert!(out.failed_build(), "b links to a#art-1, which is gone");
        assert!(
            out.diagnostics
                .iter()
                .any(|d| d.path == Path::new("content/b.md"))
        );
    }

    #[test]
    fn denied_warnings_fail_the_build() {
        let mut site = TestSite::with(|opts| opts.deny_warnings = true);
        let c = doc("丙", "2021-01-01", "titel = \"x\"\n", "第一条 丙。");
        let out = site.edit("content/c.md", &c);
        assert!(out.failed_build(), "an unknown key is a warning, denied");
    }

    #[test]
    fn a_link_in_an_older_version_is_a_dependency_too() {
        let mut site = TestSite::new();
        let version =
            |body: &str| format!("+++\nversion_of = \"c\"\npublished = 2023-01-01\n+++\n{body}\n");
        // c's first text links to a's second article; its newer one does not.
        let c = doc("丙", "2021-01-01", "", "第一条 见[甲](a.md#art-2)。");
        site.edit("content/c-2023.md", &version("第一条 丙修订。"));
        let out = site.edit("content/c.md", &c);
        assert!(out.failed_build(), "a has no second article yet");
        let a = doc("甲", "2020-01-01", "", "第一条 甲。\n\n第二条 乙。");
        let out = site.edit("content/a.md", &a);
        assert!(!out.failed_build(), "{:?}", out.diagnostics);
        site.assert_matches_full_build("adding the article an old version links to");
        let out = site.edit("content/a.md", &doc("甲", "2020-01-01", "", "第一条 甲。"));
        assert!(
            out.diagnostics
                .iter()
                .any(|d| d.path == Path::new("content/c.md")),
            "removing it again is found through the old version's link"
        );
    }
}
