//! Rendering: turns the computed catalogue into every page of the site
//! (documents, home, catalogue and facet listings, decisions, 404, alias
//! redirects, static assets) and hands them to an `Output`.
//!
//! Templates are compiled once per `Renderer`; document pages render in
//! parallel. Reads nothing from disk after `Renderer::new`.

mod fingerprint;
mod lint;
mod listing;
mod notes;
pub mod review;
pub mod theme;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Mutex;

use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior, Value, context};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::catalogue::Catalogue;
use crate::compare::{Blocks, compare_blocks};
use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::export;
use crate::i18n::Strings;
use crate::markdown::Markdown;
use crate::model::{DocId, RelationKind, Status, VersionState};
use crate::output::Output;
use crate::routes;
use crate::view::{self, Banner, DocView, EventView, StatusView, doc_views, relation_groups};
pub use fingerprint::Fingerprint;
pub use listing::PageDigests;

/// Compiled templates plus everything needed to render any site page.
pub struct Renderer {
    env: Environment<'static>,
    markdown: Markdown,
    strings: Strings,
    /// Template name → (source text, origin file), for diagnostics.
    sources: BTreeMap<String, (String, PathBuf)>,
    statics: BTreeMap<String, Vec<u8>>,
    config: Config,
    /// Whether document pages may show the status counts (see `fingerprint`).
    counts_on_documents: bool,
    /// Templates that may show the status counts.
    counts_readers: BTreeSet<String>,
}

/// A facet (issuer, level, …): its pages, label key and value of a document.
struct Facet {
    facet: routes::Facet,
    label: &'static str,
    value: fn(&DocView) -> Option<String>,
}

const FACETS: [Facet; 4] = [
    Facet {
        facet: routes::Facet::Issuer,
        label: "by_issuer",
        value: |d| d.fields.issuer.clone(),
    },
    Facet {
        facet: routes::Facet::Level,
        label: "by_level",
        value: |d| d.fields.level.clone(),
    },
    Facet {
        facet: routes::Facet::Category,
        label: "by_category",
        value: |d| d.fields.category.clone(),
    },
    Facet {
        facet: routes::Facet::Year,
        label: "by_year",
        value: |d| d.fields.published.map(|p| p.format("%Y").to_string()),
    },
];

/// The kinds of page, each rendered from one template: the one place a
/// page's template is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    Home,
    Listing,
    Facets,
    Decisions,
    Search,
    NotFound,
    Review,
    Redirect,
    Document,
    Compare,
}

impl Page {
    const ALL: [Page; 10] = [
        Page::Home,
        Page::Listing,
        Page::Facets,
        Page::Decisions,
        Page::Search,
        Page::NotFound,
        Page::Review,
        Page::Redirect,
        Page::Document,
        Page::Compare,
    ];

    fn template(self) -> &'static str {
        match self {
            Page::Home => "index.html",
            Page::Listing => "listing.html",
            Page::Facets => "facets.html",
            Page::Decisions => "decisions.html",
            Page::Search => "search.html",
            Page::NotFound => "404.html",
            Page::Review => "review.html",
            Page::Redirect => "redirect.html",
            Page::Document => "document.html",
            Page::Compare => "compare.html",
        }
    }

    /// Rendered with each document (its page, versions, comparisons and
    /// the redirects of files merged into it), so refreshed only when the
    /// document's fingerprint changes.
    fn of_a_document(self) -> bool {
        matches!(self, Page::Document | Page::Compare | Page::Redirect)
    }
}

/// What a render pass leaves the next pass, so that it visits only the
/// documents its [`Selection`] names. Whoever keeps it vouches for that: a
/// document the next selection leaves out must have the view and catalogue
/// entry it had in the pass that made the carry (the dev server keeps the
/// carry of its last good build, and selects every document whose page
/// inputs changed since).
#[derive(Default, Clone)]
pub struct Carry {
    /// Digests of the listing pages.
    pub listings: PageDigests,
    /// Digest of each document's listing row, by id.
    rows: FxHashMap<DocId, u64>,
    /// Each document's share of the exports.
    exports: export::Shares,
}

impl Carry {
    /// A carry with the listing page digests `listings` and nothing else.
    pub fn of_listings(listings: PageDigests) -> Carry {
        Carry {
            listings,
            ..Carry::default()
        }
    }

    /// This carry without its listing page digests (every listing page is
    /// then rendered again).
    pub fn without_listings(&self) -> Carry {
        Carry {
            listings: PageDigests::default(),
            ..self.clone()
        }
    }

    /// Forget the rows and shares of `ids`.
    fn forget<'i>(&mut self, ids: impl IntoIterator<Item = &'i DocId> + Clone) {
        for id in ids.clone() {
            self.rows.remove(id);
        }
        self.exports.forget(ids);
    }
}

/// Which pages a render pass writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every page of the site.
    All,
    /// The pages of these documents (indices into `Catalogue::docs`), plus,
    /// if `listings`, every other page (home, listings, decisions, 404,
    /// aliases, static files and exports).
    Some {
        /// Documents whose pages to render.
        docs: BTreeSet<usize>,
        /// Also render every page that is not a document page.
        listings: bool,
    },
}

impl Selection {
    fn has_doc(&self, i: usize) -> bool {
        match self {
            Selection::All => true,
            Selection::Some { docs, .. } => docs.contains(&i),
        }
    }

    /// Are listing pages (and exports) in the selection?
    pub fn has_listings(&self) -> bool {
        matches!(
            self,
            Selection::All | Selection::Some { listings: true, .. }
        )
    }
}

/// The catalogue-derived part of a document page's context.
#[derive(Serialize)]
struct DocumentInputs<'a> {
    doc: &'a DocView,
    banner: Banner,
    acts: Vec<view::RelationGroup>,
    /// The acts as numbered annex lists with their downloads.
    annexes: Vec<export::annex::Annex>,
    relations: Vec<view::RelationGroup>,
    events: Vec<EventView<'a>>,
    versions: Vec<view::VersionView>,
    timeline: Vec<view::TimelineEntry<'a>>,
    cited_by: Vec<view::CitedBy>,
    withheld: u32,
    extra: &'a BTreeMap<String, serde_json::Value>,
}

/// What a version page adds to a document page: which version it shows.
#[derive(Serialize)]
struct VersionPage {
    /// The version shown.
    shown: view::VersionView,
    /// The sentence above the text.
    banner: String,
    /// The version that replaced it, if any.
    next: Option<view::VersionView>,
    /// Title and 文号 as this version states them.
    title: String,
    number: Option<String>,
}

impl VersionPage {
    fn new(
        versions: &[view::VersionView],
        k: usize,
        t: &Strings,
        text: &crate::content::VersionText,
    ) -> VersionPage {
        let shown = versions[k].clone();
        let key = match (shown.state, shown.until) {
            (VersionState::InForce, _) => "version_banner_in_force",
            (VersionState::Pending, _) => "version_banner_pending",
            (_, Some(_)) if k + 1 == versions.len() => "version_banner_last",
            _ => "version_banner_historical",
        };
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| t.date(d)).unwrap_or_default();
        let banner = t
            .get(key)
            .replace("{from}", &date(Some(shown.effective)))
            .replace("{until}", &date(shown.until));
        VersionPage {
            next: versions.get(k + 1).cloned(),
            shown,
            banner,
            title: text.title.clone(),
            number: text.number.clone(),
        }
    }
}

/// The entries of `map` whose key is one of `names` or starts with one of
/// them that ends in `_`.
fn pick(map: Value, names: minijinja::value::Rest<String>) -> Result<Value, minijinja::Error> {
    let wanted = |key: &str| {
        names
            .iter()
            .any(|n| key == n || (n.ends_with('_') && key.starts_with(n.as_str())))
    };
    let mut out = BTreeMap::new();
    for key in map.try_iter()? {
        if key.as_str().is_some_and(wanted) {
            out.insert(key.to_string(), map.get_item(&key)?);
        }
    }
    Ok(Value::from(out))
}

/// One value of a facet with its documents' count, for facet index pages.
#[derive(Serialize)]
struct FacetValue {
    name: String,
    url: String,
    count: usize,
}

impl Renderer {
    /// Compile the site's theme. Template syntax errors are reported with file and line.
    pub fn new(root: &std::path::Path, config: &Config) -> Result<Renderer, Diagnostics> {
        let theme = theme::Theme::load(root, config)?;
        let strings = Strings::new(config.language);
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.set_formatter(format_value);
        let mut diags = Diagnostics::default();
        let mut sources = BTreeMap::new();
        for (name, file) in &theme.templates {
            let source = String::from_utf8_lossy(&file.bytes).into_owned();
            sources.insert(name.clone(), (source.clone(), file.origin.clone()));
            if let Err(e) = env.add_template_owned(name.clone(), source) {
                diags.push(template_diagnostic(&e, &file.origin));
            }
        }
        let base_path = config.base_path();
        env.add_function("url", move |path: &str| {
            format!("{base_path}{}", path.trim_start_matches('/'))
        });
        env.add_filter("date", move |iso: &str| {
            iso.parse()
                .map(|d| strings.date(d))
                .unwrap_or_else(|_| iso.to_owned())
        });
        // `{{ title | book_title }}`: 《title》 with the marks inside made single.
        env.add_filter("book_title", |title: &str| {
            crate::markdown::nest_book_marks(&format!("《{title}》"))
        });
        // `{{ i18n | pick("search_", "all") }}`: the strings a script needs,
        // by name or by a prefix ending in `_`, not all of them.
        env.add_filter("pick", pick);
        env.add_global("i18n", v(strings.to_map()));
        let mut statics: BTreeMap<String, Vec<u8>> = theme
            .statics
            .into_iter()
            .map(|(k, f)| (k, f.bytes))
            .collect();
        match crate::markdown::highlight_css(&config.highlight_theme) {
            Ok(css) => {
                statics
                    .entry("syntax.css".into())
                    .or_insert_with(|| css.into_bytes());
            }
            Err(message) => diags.push(Diagnostic::error(Code::Config, "site.toml", message)),
        }
        if diags.has_errors() {
            return Err(diags);
        }
        let counts_readers = fingerprint::counts_readers(&env);
        let counts_on_documents = fingerprint::counts_on_document_pages(&counts_readers);
        Ok(Renderer {
            env,
            markdown: Markdown::new(config.unsafe_html),
            strings,
            sources,
            statics,
            config: config.clone(),
            counts_on_documents,
            counts_readers,
        })
    }

    /// Render every page of `cat` into `out`; problems are returned, not printed.
    pub fn render(&self, cat: &Catalogue, out: &dyn Output) -> Diagnostics {
        let views = self.views(cat);
        self.render_selected(cat, &views, out, &Selection::All, None)
    }

    /// What every listing shows of each document of `cat` (`views` of the
    /// other methods): the dev server makes them once a build, for
    /// [`Renderer::fingerprint`] and [`Renderer::render_selected`] both.
    pub fn views(&self, cat: &Catalogue) -> Vec<DocView> {
        doc_views(cat, &self.strings)
    }

    /// Render the pages `selection` names (the dev server re-renders only
    /// what a change affects). With `carry`, what the last pass left and
    /// where this pass leaves its own: a listing page whose digest is the
    /// same is not rendered again, and the documents `selection` does not
    /// name keep their rows and export shares unseen.
    pub fn render_selected(
        &self,
        cat: &Catalogue,
        views: &[DocView],
        out: &dyn Output,
        selection: &Selection,
        carry: Option<(&Carry, &mut Carry)>,
    ) -> Diagnostics {
        let site = self.site_value(cat, views);
        let (none, mut scratch) = (Carry::default(), Carry::default());
        let digest = carry.is_some() && selection.has_listings();
        let (last, next) = carry.unwrap_or((&none, &mut scratch));
        let fresh = |i: usize| selection.has_doc(i);
        if let (false, Selection::Some { docs, .. }) = (selection.has_listings(), selection) {
            // The carry now lags behind these documents' pages.
            *next = last.clone();
            next.forget(docs.iter().map(|&i| &cat.docs[i].id));
        }
        let no_pages = PageDigests::default();
        let digesting = digest.then(|| {
            let previous = match selection {
                Selection::All => &no_pages,
                Selection::Some { .. } => &last.listings,
            };
            let rows = listing::row_digests(cat, views, &self.strings, &last.rows, &fresh);
            listing::Digesting::new(previous, rows, &self.site_settings(cat), &site)
        });
        let pass = Pass {
            r: self,
            cat,
            views,
            site,
            out,
            diags: Mutex::new(Diagnostics::default()),
            provided: Mutex::default(),
            digesting,
        };
        let mut exports = None;
        // Listings and exports are few but large: render them beside the
        // (already parallel) document pages instead of after them.
        rayon::join(
            || pass.render_documents(selection),
            || {
                if selection.has_listings() {
                    let site_files =
                        || exports = Some(pass.write_site_files(&last.exports, &fresh));
                    rayon::join(|| pass.render_listings(), site_files);
                }
            },
        );
        if let (Some(d), Some(shares)) = (pass.digesting, exports) {
            (next.listings, next.rows) = d.finish(cat);
            next.exports = shares;
        }
        let diags = pass.diags.into_inner().unwrap_or_else(|e| e.into_inner());
        let provided = pass
            .provided
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        self.with_template_warnings(diags, &provided)
    }

    /// `diags` and the warnings about variables no page gives a template,
    /// except where a render of that template already failed (a variable
    /// is reported once, as that error).
    fn with_template_warnings(
        &self,
        mut diags: Diagnostics,
        provided: &BTreeMap<String, BTreeSet<String>>,
    ) -> Diagnostics {
        let warnings = lint::undeclared_variables(&self.env, &self.sources, provided);
        let failed: BTreeSet<_> = diags
            .iter()
            .filter(|d| d.code == Code::Template)
            .map(|d| (d.path.clone(), d.line))
            .collect();
        let new = warnings
            .into_iter()
            .filter(|w| !failed.contains(&(w.path.clone(), w.line)));
        diags.extend(new);
        diags
    }

    fn site_value(&self, cat: &Catalogue, views: &[DocView]) -> Value {
        let counts: Vec<_> = Status::ALL
            .iter()
            .map(|s| {
                let count = views.iter().filter(|v| v.status.status == *s).count();
                context! { status => v(StatusView::new(*s, &self.strings)), count, url => routes::status_dir(*s) }
            })
            .collect();
        context! { total => views.len(), status_counts => counts, ..self.site_settings(cat) }
    }

    /// The part of the `site` value that does not depend on the documents.
    fn site_settings(&self, cat: &Catalogue) -> Value {
        context! {
            title => &self.config.title,
            description => &self.config.description,
            base_url => self.config.absolute_base(),
            base_path => self.config.base_path(),
            language => self.config.language.tag(),
            as_of => cat.as_of.to_string(),
            facets => FACETS.iter().map(|f| context! { url => f.facet.dir(), label => self.strings.get(f.label) }).collect::<Vec<_>>(),
        }
    }
}

/// State of one render pass.
struct Pass<'a> {
    r: &'a Renderer,
    cat: &'a Catalogue,
    views: &'a [DocView],
    site: Value,
    out: &'a dyn Output,
    diags: Mutex<Diagnostics>,
    /// Keys of the context each template was rendered with.
    provided: Mutex<BTreeMap<String, BTreeSet<String>>>,
    /// Listing page digests, when the caller keeps them between passes.
    digesting: Option<listing::Digesting<'a>>,
}

impl Pass<'_> {
    fn report(&self, d: Diagnostic) {
        self.diags.lock().unwrap_or_else(|e| e.into_inner()).push(d);
    }

    fn write(&self, rel: &str, bytes: &[u8]) {
        self.written(rel, self.out.write(rel, bytes));
    }

    /// [`Pass::write`] of bytes the pass is done with.
    fn write_owned(&self, rel: &str, bytes: Vec<u8>) {
        self.written(rel, self.out.write_owned(rel, bytes));
    }

    fn written(&self, rel: &str, result: Result<(), crate::output::OutputError>) {
        if let Err(e) = result {
            self.report(Diagnostic::error(Code::Output, rel, e.message));
        }
    }

    /// Remember which variables `name` is given, for the template lint.
    fn record_keys(&self, name: &str, ctx: &Value) {
        let mut provided = self.provided.lock().unwrap_or_else(|e| e.into_inner());
        if !provided.contains_key(name) {
            let keys = ctx.try_iter().into_iter().flatten();
            let keys = keys.filter_map(|k| k.as_str().map(str::to_owned)).collect();
            provided.insert(name.to_owned(), keys);
        }
    }

    /// Render `page`'s template with `ctx` and write it to the page at `url_path` (`a/b/`).
    fn page(&self, page: Page, url_path: &str, ctx: Value) {
        let name = page.template();
        let ctx = Variables::of(
            ctx,
            [("site", self.site.clone()), ("page_path", url_path.into())],
        );
        self.record_keys(name, &ctx);
        let rendered = self.r.env.get_template(name).and_then(|t| t.render(ctx));
        match rendered {
            Ok(html) => {
                self.write_owned(&routes::page_file(url_path), html.into_bytes());
            }
            Err(e) => {
                let origin = e
                    .name()
                    .and_then(|n| self.r.sources.get(n))
                    .map(|(_, origin)| origin.clone())
                    .unwrap_or_else(|| name.into());
                let d = template_diagnostic(&e, &origin);
                let mut diags = self.diags.lock().unwrap_or_else(|e| e.into_inner());
                if !diags
                    .iter()
                    .any(|x| x.message == d.message && x.path == d.path)
                {
                    diags.push(d);
                }
            }
        }
    }

    /// Alias redirects, static files and exports (see [`export::files`]
    /// for `last` and `fresh`); the export shares made.
    fn write_site_files(
        &self,
        last: &export::Shares,
        fresh: &(dyn Fn(usize) -> bool + Sync),
    ) -> export::Shares {
        self.render_aliases();
        self.write_statics();
        let (files, shares) = export::files(self.cat, self.views, &self.r.config, last, fresh);
        for (rel, bytes) in files {
            self.write_owned(&rel, bytes);
        }
        shares
    }

    /// Selected document pages, in parallel.
    fn render_documents(&self, selection: &Selection) {
        (0..self.cat.docs.len())
            .into_par_iter()
            .filter(|i| selection.has_doc(*i))
            .for_each(|i| self.render_document(i));
    }

    fn render_document(&self, i: usize) {
        let doc = &self.cat.docs[i];
        let shown = doc.shown_version();
        let (body_html, toc) = self.shown_html(i);
        let inputs = self.document_inputs(i);
        self.write_annexes(i, &inputs.annexes);
        let inputs = v(inputs);
        let page = |body_html: Option<Value>, toc, version: Option<VersionPage>, url: &str| {
            self.document_page(i, &inputs, body_html, toc, version, url);
        };
        let versions = view::version_views(i, self.cat, self.views, &self.r.strings);
        for k in doc.paged_versions() {
            let Some(text) = &doc.versions[k].text else {
                continue;
            };
            let (html, toc) = if Some(k) == shown {
                (body_html.clone(), toc.clone())
            } else {
                let (html, toc) = self.text_html(i, Some(k), &text.body);
                (Some(html), toc)
            };
            let version = VersionPage::new(&versions, k, &self.r.strings, text);
            page(
                html,
                toc,
                Some(version),
                &routes::version_dir(&doc.id, doc.versions[k].date),
            );
        }
        page(body_html, toc, None, &routes::doc_dir(&doc.id));
        self.render_comparisons(i, &versions);
        self.render_merged_redirects(i);
    }

    /// The text the document page shows, its citations linked and tagged
    /// with the cited documents' statuses, and its table of contents.
    fn shown_html(&self, i: usize) -> (Option<Value>, Vec<crate::markdown::TocEntry>) {
        let doc = &self.cat.docs[i];
        let Some(body) = &doc.body else {
            return (None, Vec::new());
        };
        let base = self.r.config.base_path();
        let links = notes::citation_links(i, self.cat, self.views);
        let linked = crate::content::Body {
            markdown: notes::link_citations(&body.markdown, &links, &base).into(),
            ..body.clone()
        };
        let (html, toc) = self.text_html(i, doc.shown_version(), &linked);
        let tagged = notes::tag_cited_status(&html.to_string(), i, self.cat, self.views, &base);
        (Some(Value::from_safe_string(tagged)), toc)
    }

    /// Text `body` of document `i` (version `k`, if a version) as HTML, with
    /// the notes under each article an act changed.
    fn text_html(
        &self,
        i: usize,
        k: Option<usize>,
        body: &crate::content::Body,
    ) -> (Value, Vec<crate::markdown::TocEntry>) {
        let doc = &self.cat.docs[i];
        let notes = k
            .and_then(|k| doc.versions[k].derived.as_ref())
            .map_or(&[][..], |d| &d.notes[..]);
        let (html, toc) = self.body_html(i, body);
        let base = self.r.config.base_path();
        let t = &self.r.strings;
        let html = notes::annotate_articles(&html, notes, self.cat, self.views, t, &base);
        (Value::from_safe_string(html), toc)
    }

    /// One page of document `i`: its own (`version` none) or a version's.
    fn document_page(
        &self,
        i: usize,
        inputs: &Value,
        body_html: Option<Value>,
        toc: Vec<crate::markdown::TocEntry>,
        version: Option<VersionPage>,
        url: &str,
    ) {
        let doc = &self.cat.docs[i];
        let shown = version.as_ref().map(|v| &v.shown);
        let jsonld = export::json_ld(&self.views[i], shown, &self.r.config);
        // Only a text with code needs the highlighting styles (15 KB).
        let has_code = (body_html.as_ref())
            .and_then(Value::as_str)
            .is_some_and(|h| h.contains("<pre"));
        let anchors = doc.body.as_ref().map(|b| {
            b.outline
                .anchors()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
        });
        let ctx = context! {
            has_code,
            body_html,
            toc => v(toc),
            version => v(version),
            articles => v(anchors),
            jsonld => Value::from_safe_string(jsonld),
            page_title => &self.views[i].title,
            ..inputs.clone()
        };
        self.page(Page::Document, url, ctx);
    }

    /// The HTML and table of contents of one text of document `i`, its
    /// written links pointing where the catalogue resolved them.
    fn body_html(
        &self,
        i: usize,
        body: &crate::content::Body,
    ) -> (String, Vec<crate::markdown::TocEntry>) {
        let base = self.r.config.base_path();
        let resolve = |url: &str| {
            let to = self.cat.link(i, url)?;
            let fragment = to
                .fragment
                .as_ref()
                .map(|f| format!("#{f}"))
                .unwrap_or_default();
            Some(format!("{base}{}{fragment}", self.views[to.doc].url))
        };
        let rendered = self
            .r
            .markdown
            .render(&body.markdown, &body.outline, &resolve);
        (rendered.html, rendered.toc)
    }

    /// A 对照表 page for every pair of versions of document `i` that have texts.
    fn render_comparisons(&self, i: usize, versions: &[view::VersionView]) {
        let doc = &self.cat.docs[i];
        let paged = doc.paged_versions();
        if paged.len() < 2 {
            return;
        }
        // Each text is compared with every other: cut it into blocks once.
        let texts: Vec<Option<Blocks>> = (paged.iter())
            .map(|&k| doc.versions[k].text.as_ref().map(|t| Blocks::of(&t.body)))
            .collect();
        for (n, &a) in paged.iter().enumerate() {
            for (m, &b) in paged.iter().enumerate().skip(n + 1) {
                let (Some(before), Some(after)) = (&texts[n], &texts[m]) else {
                    continue;
                };
                let rows = compare_blocks(before, after);
                let counts = view::ChangeCounts::of(&rows);
                let ctx = context! {
                    doc => v(&self.views[i]),
                    from => v(&versions[a]),
                    to => v(&versions[b]),
                    versions => v(versions),
                    rows => v(rows),
                    counts => v(counts),
                    page_title => format!("{} {}", self.views[i].title, self.r.strings.get("compare")),
                };
                let url = routes::compare_dir(&doc.id, doc.versions[a].date, doc.versions[b].date);
                self.page(Page::Compare, &url, ctx);
            }
        }
    }

    /// Redirects from the ids of files merged into document `i` to the
    /// version each stood for (or the document, without version pages).
    fn render_merged_redirects(&self, i: usize) {
        let doc = &self.cat.docs[i];
        let urls = routes::version_urls(doc);
        for (from, date) in &doc.redirects {
            if self.cat.find(from).is_some() {
                continue;
            }
            let mut target = self.views[i].clone();
            let page = doc
                .versions
                .iter()
                .zip(&urls)
                .find(|(v, _)| v.date == *date);
            if let Some((_, Some(url))) = page {
                target.url = url.clone();
            }
            self.page(
                Page::Redirect,
                &routes::doc_dir(from),
                context! { target => v(target), page_title => &doc.title },
            );
        }
    }

    /// What a document page shows of the catalogue: its view, banner,
    /// relations and events. The rest of the page derives from its own source
    /// or from its view, so this is all `Renderer::fingerprint` digests.
    fn document_inputs(&self, i: usize) -> DocumentInputs<'_> {
        let (cat, views, t) = (self.cat, self.views, &self.r.strings);
        let doc = &cat.docs[i];
        let (acts, relations): (Vec<_>, Vec<_>) = relation_groups(i, cat, views, t)
            .into_iter()
            .partition(|g| !g.incoming && g.kind != RelationKind::BasedOn && views[i].is_act);
        let versions = view::version_views(i, cat, views, t);
        DocumentInputs {
            doc: &views[i],
            banner: Banner::new(i, cat, views, t),
            annexes: export::annex::annexes(&acts, t),
            acts,
            relations,
            events: cat.events[i]
                .iter()
                .filter(|e| e.date <= cat.as_of)
                .filter_map(|e| EventView::new(e, cat, views, t))
                .collect(),
            timeline: view::timeline(i, cat, &versions, views, t),
            cited_by: view::cited_by(i, cat, views, t),
            versions,
            withheld: doc.meta.withheld,
            extra: &doc.meta.extra,
        }
    }

    /// Each annex list of act `i` as CSV and XLSX in the act's folder.
    fn write_annexes(&self, i: usize, annexes: &[export::annex::Annex]) {
        let doc = &self.cat.docs[i];
        let dated = doc.meta.fields.published.or(doc.meta.fields.effective);
        for file in export::annex::files(annexes, &self.r.strings, dated) {
            match file.bytes {
                Ok(bytes) => self.write_owned(&routes::doc_file(&doc.id, &file.name), bytes),
                Err(e) => {
                    let message = format!("cannot write the annex list {}: {e}", file.name);
                    let d = Diagnostic::error(Code::Output, &doc.path, message).at_line(doc.line);
                    self.report(d);
                }
            }
        }
    }

    /// A redirect page at each alias; an alias that collides with a page is an error.
    fn render_aliases(&self) {
        let mut claims = Claims::default();
        for (doc, view) in self.cat.docs.iter().zip(self.views) {
            for alias in &doc.meta.aliases {
                let rel = routes::page_file(alias.url.trim_start_matches('/'));
                if !claims.claim(&rel) {
                    self.report(
                        Diagnostic::error(
                            Code::UrlCollision,
                            &doc.path,
                            format!(
                                "alias `{}` collides with a generated page or another alias",
                                alias.url
                            ),
                        )
                        .at(alias.line, alias.column)
                        .with_help("choose an old URL that gazette does not generate"),
                    );
                    continue;
                }
                self.page(
                    Page::Redirect,
                    &rel,
                    context! { target => v(view), page_title => &view.title },
                );
            }
        }
    }

    fn write_statics(&self) {
        for (name, bytes) in &self.r.statics {
            self.write(&routes::static_file(name), bytes);
        }
    }
}

/// Output paths taken by aliases, compared case-insensitively (sites are
/// often served from case-insensitive file systems).
#[derive(Default)]
struct Claims {
    files: BTreeSet<String>,
    dirs: BTreeSet<String>,
}

impl Claims {
    /// Take `rel` for a file; false if a generated page, another claimed
    /// file or folder is already there, or a parent of it is a file.
    fn claim(&mut self, rel: &str) -> bool {
        let rel = crate::model::fold(rel);
        let mut parents = rel.match_indices('/').map(|(i, _)| &rel[..i]);
        let free = !routes::generated(&rel)
            && !self.files.contains(&rel)
            && !self.dirs.contains(&rel)
            && !parents.any(|p| self.files.contains(p));
        if free {
            self.dirs
                .extend(rel.match_indices('/').map(|(i, _)| rel[..i].to_owned()));
            self.files.insert(rel);
        }
        free
    }
}

/// minijinja's formatter, except that HTML escaping leaves `/` alone: URLs
/// stay readable and pages smaller, with the same safety (`&<>"'` escaped).
fn format_value(
    out: &mut minijinja::Output<'_>,
    state: &mut minijinja::State<'_, '_>,
    value: &Value,
) -> Result<(), minijinja::Error> {
    match value.as_str() {
        Some(text)
            if !value.is_safe() && matches!(state.auto_escape(), minijinja::AutoEscape::Html) =>
        {
            crate::markdown::write_escaped(out, text).map_err(minijinja::Error::from)
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// A page's variables in one map. A template looks every name it does not
/// set (globals and macros too) up here first, and a merged context costs
/// a lookup in each of its parts.
#[derive(Debug)]
struct Variables(FxHashMap<String, Value>);

impl Variables {
    /// The variables of `ctx` (a map, merged or not) with `extra` set over them.
    fn of<const N: usize>(ctx: Value, extra: [(&str, Value); N]) -> Value {
        let keys = ctx.try_iter().into_iter().flatten();
        let mut map: FxHashMap<String, Value> = keys
            .filter_map(|k| {
                let value = ctx.get_item(&k).ok().filter(|v| !v.is_undefined())?;
                Some((k.as_str()?.to_owned(), value))
            })
            .collect();
        map.extend(extra.map(|(k, v)| (k.to_owned(), v)));
        Value::from_object(Variables(map))
    }
}

impl minijinja::value::Object for Variables {
    fn get_value(self: &std::sync::Arc<Self>, key: &Value) -> Option<Value> {
        self.0.get(key.as_str()?).cloned()
    }

    fn enumerate(self: &std::sync::Arc<Self>) -> minijinja::value::Enumerator {
        let mut keys: Vec<Value> = self.0.keys().map(|k| Value::from(k.as_str())).collect();
        keys.sort();
        minijinja::value::Enumerator::Values(keys)
    }
}

/// Any serialisable value as a template value.
fn v<T: Serialize>(x: T) -> Value {
    Value::from(Serde(x))
}

fn template_diagnostic(e: &minijinja::Error, origin: &std::path::Path) -> Diagnostic {
    let mut message = e
        .detail()
        .map_or_else(|| e.kind().to_string(), |d| format!("{}: {d}", e.kind()));
    if let Some(source) = std::error::Error::source(e) {
        message.push_str(&format!(" ({source})"));
    }
    let d = Diagnostic::error(Code::Template, origin, message)
        .with_help("fix the template; see the minijinja syntax docs");
    match e.line() {
        Some(line) => d.at_line(line),
        None => d,
    }
}

/// A facet's index label without its 按 (by) prefix in Chinese, for breadcrumbs.
fn heading_label(label: &str) -> &str {
    label.strip_prefix('按').unwrap_or(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_claims_reject_generated_pages_and_file_folder_clashes() {
        let mut c = Claims::default();
        assert!(c.claim("old/a.html"));
        assert!(!c.claim("OLD/A.html"), "case-insensitive duplicate");
        assert!(!c.claim("old/a.html/index.html"), "under a claimed file");
        assert!(!c.claim("old"), "a claimed folder");
        assert!(!c.claim("docs/x/index.html"));
        assert!(!c.claim("Feed.xml"));
        assert!(c.claim("old/b/index.html"));
    }
}
