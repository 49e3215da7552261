//! What a build keeps from the build before it, and the record that lets
//! it: a build whose inputs are unchanged, into an untouched output, does
//! nothing; otherwise a document's pages are kept when their key
//! (`Renderer::page_keys`) is the one recorded and the output manifest
//! vouches for every file of them, and a listing page is kept when its
//! digest (`PageDigests`) is unchanged. Anything in doubt is rendered.
//!
//! Owns the stamp of a build's inputs and the record it leaves in the
//! manifest for the next build; renders nothing, and touches the output only
//! through `Incremental::keep`.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{BuildOptions, BuildReport, Site, configure, output_dir, settle};
use crate::catalogue::Catalogue;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::inputs::{Layout, Prefetched};
use crate::output::Incremental;
use crate::output::manifest::Stat;
use crate::render::{PageDigests, Selection};
use crate::routes;
use crate::search::snippets::{Article, articles};
use crate::view::DocView;

/// Digests of what a build's output depends on, taken before anything is
/// loaded (an edit made during the build then only makes the next build
/// do more; a first build parses the very Markdown bytes digested).
pub(super) struct Stamp {
    /// Every input file, the date, the base URL and this program.
    pub(super) inputs: u64,
    /// What every page depends on: settings, templates and static files,
    /// the date, the base URL and this program.
    pub(super) setup: u64,
    /// The output folder.
    pub(super) out_dir: PathBuf,
}

/// The stamp of a build with `opts`, and the Markdown bytes read to take
/// it; `None` if an input cannot be read (the build then runs in full and
/// reports it). The bytes are kept only for an output that holds no
/// manifest, which the build surely loads in full: a build that may turn
/// out to have nothing to do digests file by file, holding none.
pub(super) fn stamp(opts: &BuildOptions) -> Option<(Stamp, Prefetched)> {
    let (config, as_of) = configure(opts).ok()?;
    let out_dir = output_dir(opts, &config).ok()?;
    let keep = !Incremental::has_manifest(&out_dir);
    let layout = Layout::new(&config);
    let (files, prefetched) = crate::inputs::digest(&opts.root, &layout, keep).ok()?;
    let exe = Stat::of(&std::env::current_exe().and_then(std::fs::metadata).ok()?);
    let options = (as_of, &config.base_url, env!("CARGO_PKG_VERSION"));
    let program = (exe.size, exe.mtime_ns, exe.ino);
    let with = |files: u64| crate::digest::of(&(files, options, program));
    let stamp = Stamp {
        inputs: with(files.all),
        setup: with(files.setup),
        out_dir,
    };
    Some((stamp, prefetched))
}

/// What a build records in the manifest for the next one.
#[derive(Default, Serialize, Deserialize)]
struct Record {
    documents: usize,
    warnings: Vec<Diagnostic>,
    /// [`Stamp::setup`] of the build.
    setup: u64,
    /// Page key of each document, by id.
    pages: HashMap<String, u64>,
    /// Digest of each listing page, by file.
    listings: PageDigests,
}

/// The report of a build with nothing to do: the output at `stamp.out_dir`
/// was built from the same inputs and is untouched. Its warnings settle as
/// they did then (`--deny-warnings` still fails on them).
pub(super) fn unchanged(
    opts: &BuildOptions,
    stamp: &Stamp,
) -> Option<Result<BuildReport, Diagnostics>> {
    let record = Incremental::up_to_date(&stamp.out_dir, stamp.inputs)?;
    let record: Record = serde_json::from_str(&record).ok()?;
    let report = settle(Diagnostics(record.warnings), opts.deny_warnings);
    Some(report.map(|warnings| BuildReport {
        documents: record.documents,
        out_dir: stamp.out_dir.clone(),
        warnings,
        unchanged: true,
    }))
}

/// What one build renders and what it keeps.
pub(super) struct Reuse {
    /// The pages to render.
    pub(super) selection: Selection,
    /// Listing page digests: those of the last build the output still
    /// holds, then (after rendering) this build's.
    pub(super) listings: Option<PageDigests>,
    /// Document pages kept, for the search index's snippet tables.
    kept_pages: Vec<String>,
    /// The output folder the kept pages are in.
    out_dir: PathBuf,
    setup: Option<u64>,
    keys: Vec<u64>,
}

impl Reuse {
    /// Render everything, keep nothing.
    pub(super) fn none() -> Reuse {
        Reuse {
            selection: Selection::All,
            listings: None,
            kept_pages: Vec::new(),
            out_dir: PathBuf::new(),
            setup: None,
            keys: Vec::new(),
        }
    }

    /// Decide what `site` (its documents' `views`), stamped with `setup`,
    /// may keep of the output `out` in `out_dir`, and keep those documents'
    /// files.
    pub(super) fn plan(
        site: &Site,
        views: &[DocView],
        setup: Option<u64>,
        out: &Incremental,
        out_dir: &Path,
    ) -> Reuse {
        let Some(setup) = setup else {
            return Reuse::none();
        };
        let cat = &site.catalogue;
        let keys = site.renderer.page_keys(cat, views, setup);
        let record = out
            .previous()
            .and_then(|b| serde_json::from_str(&b.report).ok());
        let Some(record) = record.filter(|r: &Record| r.setup == setup) else {
            // Render everything, recording the listing digests.
            return Reuse {
                listings: Some(PageDigests::default()),
                setup: Some(setup),
                keys,
                ..Reuse::none()
            };
        };
        let files = |i: usize| routes::doc_files(&cat.docs[i], |id| cat.find(id).is_some());
        let mut kept: BTreeSet<usize> = (0..cat.docs.len())
            .into_par_iter()
            .filter(|&i| record.pages.get(cat.docs[i].id.as_str()) == Some(&keys[i]))
            .filter(|&i| files(i).iter().all(|f| out.keepable(f)))
            .collect();
        // Template warnings come from the templates pages were rendered
        // with: render one document of each kind of page so every template
        // a kept page uses is checked as in a full build.
        for i in representatives(cat, &kept) {
            kept.remove(&i);
        }
        let mut kept_pages = Vec::new();
        for &i in &kept {
            for file in files(i) {
                out.keep(&file);
                if routes::is_document_page(&file) {
                    kept_pages.push(file);
                }
            }
        }
        let mut listings = record.listings;
        listings.retain(|file| out.keepable(file));
        let docs = (0..cat.docs.len()).filter(|i| !kept.contains(i)).collect();
        Reuse {
            selection: Selection::Some {
                docs,
                listings: true,
            },
            listings: Some(listings),
            kept_pages,
            out_dir: out_dir.to_path_buf(),
            setup: Some(setup),
            keys,
        }
    }

    /// Article ranges of the kept document pages, read from the output
    /// (the search index's snippet tables need them).
    pub(super) fn kept_articles(&self) -> Result<Vec<(String, Vec<Article>)>, Diagnostic> {
        self.kept_pages
            .par_iter()
            .map(|rel| match std::fs::read(self.out_dir.join(rel)) {
                Ok(html) => Ok((rel.clone(), articles(&html))),
                Err(e) => Err(Diagnostic::error(
                    Code::Output,
                    rel,
                    format!("cannot read a kept page: {e}"),
                )),
            })
            .collect()
    }

    /// Keep the listing pages this build did not render again (their
    /// digest is unchanged), and return the record for the next build;
    /// `None` when the inputs could not be stamped.
    pub(super) fn finish(
        self,
        out: &Incremental,
        cat: &Catalogue,
        warnings: &Diagnostics,
    ) -> Option<String> {
        let listings = self.listings.unwrap_or_default();
        for file in listings.files() {
            out.keep(file);
        }
        let pages = cat.docs.iter().map(|d| d.id.to_string());
        let record = Record {
            documents: cat.docs.len(),
            warnings: warnings.0.clone(),
            setup: self.setup?,
            pages: pages.zip(self.keys).collect(),
            listings,
        };
        serde_json::to_string(&record).ok()
    }
}

/// Of the documents `kept`, the first with a document page, the first with
/// comparison pages and the first with redirects: together they use every
/// template a document's pages use.
fn representatives(cat: &Catalogue, kept: &BTreeSet<usize>) -> BTreeSet<usize> {
    let compares = |i: &usize| {
        let doc = &cat.docs[*i];
        let texts = doc.paged_versions().into_iter();
        texts.filter(|&k| doc.versions[k].text.is_some()).count() >= 2
    };
    let redirects = |i: &usize| {
        let doc = &cat.docs[*i];
        doc.redirects
            .iter()
            .any(|(from, _)| cat.find(from).is_none())
    };
    let first = kept.iter().next().copied();
    let compare = kept.iter().find(|i| compares(i)).copied();
    let redirect = kept.iter().find(|i| redirects(i)).copied();
    [first, compare, redirect].into_iter().flatten().collect()
}
