//! Sequences the stages for one build: load config → load content → compute
//! the catalogue → render → write, stopping before any write if an earlier
//! stage found errors, and committing the output only if everything succeeded.
//!
//! The one place that knows the order of stages; owns no stage's logic.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::catalogue::{AppliedAct, Catalogue, CitationCache};
use crate::config::Config;
use crate::content::Content;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::inputs::Prefetched;
use crate::output::manifest::Built;
use crate::output::{Discard, Incremental, Output};
use crate::render::{Carry, Renderer, Selection};
use crate::review::Campaign;
use crate::search;
use crate::view::DocView;
use reuse::Reuse;

mod reuse;

/// Resolved options of a build or check.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Site root (holds `site.toml`).
    pub root: PathBuf,
    /// Output folder; `None` means `site.toml`'s `output_dir` under the root.
    pub output: Option<PathBuf>,
    /// Compute statuses as of this date; `None` means `site.toml`, else today.
    pub as_of: Option<NaiveDate>,
    /// Replace `base_url` (the dev server serves on its own address).
    pub base_url: Option<String>,
    /// Treat warnings as errors (`--deny-warnings`).
    pub deny_warnings: bool,
}

impl BuildOptions {
    /// Options for the site at `root` with every default.
    pub fn new(root: impl Into<PathBuf>) -> BuildOptions {
        BuildOptions {
            root: root.into(),
            output: None,
            as_of: None,
            base_url: None,
            deny_warnings: false,
        }
    }
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    /// Documents in the catalogue.
    pub documents: usize,
    /// Where the site was written.
    pub out_dir: PathBuf,
    /// Warnings found on the way.
    pub warnings: Diagnostics,
    /// True when nothing had changed since the build that wrote the
    /// output, so nothing was done (its warnings are repeated).
    pub unchanged: bool,
}

/// A loaded and computed site, ready to render.
pub struct Site {
    /// Configuration in effect.
    pub config: Config,
    /// The computed catalogue.
    pub catalogue: Catalogue,
    /// Clean-up campaigns with their review records.
    pub campaigns: Vec<Campaign>,
    /// Compiled templates.
    pub renderer: Renderer,
    /// Treat warnings as errors.
    pub deny_warnings: bool,
}

/// Read `site.toml` with the options' overrides applied, and resolve the
/// status date (flag, else `site.toml`, else today).
pub fn configure(opts: &BuildOptions) -> Result<(Config, NaiveDate), Diagnostics> {
    let mut config = Config::load(&opts.root).map_err(|d| Diagnostics(vec![d]))?;
    if let Some(base_url) = &opts.base_url {
        config.base_url = base_url.clone();
    }
    let as_of = opts
        .as_of
        .or(config.as_of)
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    Ok((config, as_of))
}

/// Load, validate and compute; `Err` carries every diagnostic when any is an error.
pub fn load(opts: &BuildOptions) -> Result<(Site, Diagnostics), Diagnostics> {
    let (site, diags) = load_all(opts, Prefetched::default())?;
    let diags = settle(diags, opts.deny_warnings)?;
    Ok((site, diags))
}

/// Load (taking the Markdown files `prefetched` holds instead of reading
/// them), validate and compute as far as possible: `Err` only when there is
/// no configuration or theme to go on; content errors come back beside the site.
fn load_all(
    opts: &BuildOptions,
    prefetched: Prefetched,
) -> Result<(Site, Diagnostics), Diagnostics> {
    let (config, as_of) = configure(opts)?;
    let (content, mut diags) = crate::content::load(&opts.root, &config, prefetched);
    let mut citations = CitationCache::default();
    let (catalogue, campaigns) = resolve(
        &opts.root,
        &config,
        as_of,
        content,
        &mut citations,
        &mut diags,
    );
    let renderer = match Renderer::new(&opts.root, &config) {
        Ok(r) => r,
        Err(problems) => {
            diags.extend(problems);
            return Err(sorted(diags));
        }
    };
    Ok((
        Site {
            config,
            catalogue,
            campaigns,
            renderer,
            deny_warnings: opts.deny_warnings,
        },
        diags,
    ))
}

/// The resolve stage: the catalogue computed from loaded content (reusing
/// the citations `cache` holds for unchanged texts), and the clean-up
/// campaigns read against it.
pub fn resolve(
    root: &Path,
    config: &Config,
    as_of: NaiveDate,
    content: Content,
    cache: &mut CitationCache,
    diags: &mut Diagnostics,
) -> (Catalogue, Vec<Campaign>) {
    let (catalogue, problems) = Catalogue::build_with(content, as_of, cache);
    diags.extend(problems);
    let campaigns = crate::review::load(root, config, &catalogue, diags);
    (catalogue, campaigns)
}

impl Site {
    /// Render every page into `out`; `Err` if rendering found errors.
    pub fn render(&self, out: &dyn Output, diags: Diagnostics) -> Result<Diagnostics, Diagnostics> {
        let views = self.renderer.views(&self.catalogue);
        self.render_selected(out, diags, &views, &Selection::All, None)
    }

    /// Render the pages `selection` names (listing pages whose digest is in
    /// `carry` are left out; see `Renderer::render_selected`).
    fn render_selected(
        &self,
        out: &dyn Output,
        mut diags: Diagnostics,
        views: &[DocView],
        selection: &Selection,
        carry: Option<(&Carry, &mut Carry)>,
    ) -> Result<Diagnostics, Diagnostics> {
        let cat = &self.catalogue;
        let rendered = self
            .renderer
            .render_selected(cat, views, out, selection, carry);
        diags.extend(rendered);
        if self.config.review.publish {
            diags.extend(self.renderer.render_review(cat, &self.campaigns, out));
        }
        settle(diags, self.deny_warnings)
    }

    /// Render every page and, alongside, build the search index into `out`.
    pub fn render_with_index(
        &self,
        out: &dyn Output,
        diags: Diagnostics,
    ) -> Result<Diagnostics, Diagnostics> {
        let views = self.renderer.views(&self.catalogue);
        self.render_reusing(out, diags, &views, &mut Reuse::none())
    }

    /// Render the pages `reuse` selects and build the search index into
    /// `out`, with the article ranges of the pages `reuse` kept.
    fn render_reusing(
        &self,
        out: &dyn Output,
        diags: Diagnostics,
        views: &[DocView],
        reuse: &mut Reuse,
    ) -> Result<Diagnostics, Diagnostics> {
        // Postings need no page: build them beside the pages, then add the
        // snippet tables from the article ranges the tap read off the pages.
        let tap = search::snippets::Tap::new(out);
        // Listing digests are all a build records: rows and export shares
        // are made afresh (nothing vouches for a document left out).
        let last = reuse.listings.take().map(Carry::of_listings);
        let mut next = Carry::default();
        let (rendered, (prepared, written)) = rayon::join(
            || {
                let carry = last.as_ref().map(|last| (last, &mut next));
                self.render_selected(&tap, diags, views, &reuse.selection, carry)
            },
            || {
                // Most of the index's bytes: written while pages render,
                // not in the single-file tail of the build.
                let mut prepared = search::prepare(&self.catalogue);
                let written = write_all(out, prepared.take_files());
                (prepared, written)
            },
        );
        reuse.listings = last.map(|_| next.listings);
        let mut diags = rendered?;
        diags.extend(written);
        let mut pages = tap.into_pages();
        match reuse.kept_articles() {
            Ok(kept) => pages.extend(kept),
            Err(d) => diags.push(d),
        }
        let index = prepared.finish(&self.catalogue, &|path| pages.get(path).cloned());
        let index = index.unwrap_or_else(|e| {
            diags.push(Diagnostic::error(Code::Output, "search", e.to_string()));
            Vec::new()
        });
        diags.extend(write_all(out, index));
        settle(diags, self.deny_warnings)
    }
}

/// Write `files` side by side; what failed, as errors.
fn write_all(out: &dyn Output, files: Vec<(String, Vec<u8>)>) -> Vec<Diagnostic> {
    let failed = files.into_par_iter().filter_map(|(rel, bytes)| {
        let e = out.write(&rel, &bytes).err()?;
        Some(Diagnostic::error(Code::Output, rel, e.message))
    });
    failed.collect()
}

/// Build the site into its output folder, atomically. A site with errors is
/// still rendered (into nothing) so that one run reports every problem.
/// What the last build left that is still right is kept (see `reuse`):
/// with no input changed, nothing is done and that build's warnings are
/// repeated.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, Diagnostics> {
    let (stamp, prefetched) = reuse::stamp(opts).unzip();
    if let Some(report) = stamp.as_ref().and_then(|s| reuse::unchanged(opts, s)) {
        return report;
    }
    let (site, diags) = load_all(opts, prefetched.unwrap_or_default())?;
    let diags = match settle(diags, opts.deny_warnings) {
        Ok(diags) => diags,
        Err(diags) => return site.render(&Discard, diags).and_then(Err),
    };
    let out_dir = output_dir(opts, &site.config)?;
    guard_output(&opts.root, &out_dir)?;
    let io_error = |e: std::io::Error| {
        Diagnostics(vec![Diagnostic::error(
            Code::Output,
            &out_dir,
            format!("cannot write output: {e}"),
        )])
    };
    let out = Incremental::begin(&out_dir).map_err(io_error)?;
    let views = site.renderer.views(&site.catalogue);
    let setup = stamp.as_ref().map(|s| s.setup);
    let mut reuse = Reuse::plan(&site, &views, setup, &out, &out_dir);
    let warnings = site.render_reusing(&out, diags, &views, &mut reuse)?;
    let report = reuse.finish(&out, &site.catalogue, &warnings);
    let built = stamp.zip(report).map(|(stamp, report)| Built {
        inputs: stamp.inputs,
        report,
    });
    out.commit(built).map_err(io_error)?;
    Ok(BuildReport {
        documents: site.catalogue.docs.len(),
        out_dir,
        warnings,
        unchanged: false,
    })
}

/// The output folder of a build, through a symbolic link.
fn output_dir(opts: &BuildOptions, config: &Config) -> Result<PathBuf, Diagnostics> {
    let out_dir = opts
        .output
        .clone()
        .unwrap_or_else(|| opts.root.join(&config.output_dir));
    through_link(out_dir)
}

/// Validate the site and render it without writing anything, reporting
/// render-stage problems (links, templates, aliases) even when content has errors.
pub fn check(opts: &BuildOptions) -> Result<Diagnostics, Diagnostics> {
    check_with_summary(opts).0
}

/// What `check --verbose` tells beside the diagnostics.
#[derive(Debug, Default)]
pub struct CheckSummary {
    /// Every amending act whose instructions were applied.
    pub acts: Vec<AppliedAct>,
    /// Citations linked, `《…》` naming two documents, naming none.
    pub citations: (usize, usize, usize),
}

/// `check`, and beside its result what `check --verbose` reports.
pub fn check_with_summary(opts: &BuildOptions) -> (Result<Diagnostics, Diagnostics>, CheckSummary) {
    match load_all(opts, Prefetched::default()) {
        Ok((site, diags)) => {
            let cat = &site.catalogue;
            let linked = cat.citations.iter().map(Vec::len).sum();
            let summary = CheckSummary {
                acts: cat.applied.clone(),
                citations: (linked, cat.unlinked.0, cat.unlinked.1),
            };
            (site.render(&Discard, diags), summary)
        }
        Err(diags) => (Err(diags), CheckSummary::default()),
    }
}

/// An output that is a symbolic link is built into the folder it leads to
/// (swapping would replace the link itself and leave its folder stale); a
/// link that leads to no folder is refused.
fn through_link(out_dir: PathBuf) -> Result<PathBuf, Diagnostics> {
    if !out_dir
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        return Ok(out_dir);
    }
    match std::fs::canonicalize(&out_dir) {
        Ok(real) if real.is_dir() => Ok(real),
        _ => {
            let d = Diagnostic::error(
                Code::Output,
                &out_dir,
                format!(
                    "output {} is a symbolic link that leads to no folder",
                    out_dir.display()
                ),
            )
            .with_help("create the folder it points to, or choose a real output folder");
            Err(Diagnostics(vec![d]))
        }
    }
}

/// Refuse an output folder that is the site root or contains it, or that
/// holds files gazette did not write: swapping it in would delete them.
fn guard_output(root: &Path, out_dir: &Path) -> Result<(), Diagnostics> {
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let out = std::path::absolute(out_dir).unwrap_or_else(|_| out_dir.to_path_buf());
    let out = out
        .parent()
        .and_then(|p| std::fs::canonicalize(p).ok())
        .map_or(out.clone(), |p| p.join(out.file_name().unwrap_or_default()));
    if root.starts_with(&out) {
        let d = Diagnostic::error(
            Code::Config,
            "site.toml",
            format!(
                "output folder {} would contain the site itself",
                out_dir.display()
            ),
        )
        .with_help("set output_dir to a folder of its own, e.g. \"public\"");
        return Err(Diagnostics(vec![d]));
    }
    if !crate::output::replaceable(out_dir) {
        let d = Diagnostic::error(
            Code::Output,
            out_dir,
            format!(
                "output folder {} holds files gazette did not write; refusing to replace it",
                out_dir.display()
            ),
        )
        .with_help("choose an empty or new output folder, or delete this one yourself");
        return Err(Diagnostics(vec![d]));
    }
    Ok(())
}

/// The text of a site file a diagnostic names (relative to `root`), for
/// showing its source line; `None` if it cannot be read.
pub fn read_source(root: &Path, rel: &Path) -> Option<String> {
    let bytes = std::fs::read(root.join(rel)).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

fn sorted(mut d: Diagnostics) -> Diagnostics {
    d.sort();
    d
}

/// Sorted diagnostics: `Err` if any is an error (every warning is one when
/// `deny_warnings`). Every stage's result goes through here, the build's
/// as the dev server's.
pub fn settle(mut d: Diagnostics, deny_warnings: bool) -> Result<Diagnostics, Diagnostics> {
    d.collapse(Code::Output);
    if deny_warnings {
        d.deny_warnings();
    }
    if d.has_errors() {
        Err(sorted(d))
    } else {
        Ok(sorted(d))
    }
}
