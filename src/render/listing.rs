//! Listing pages: the home page, the catalogue, status and facet listings
//! and the decisions page, split into pages of `listing_page_size` rows
//! (`…/page/2/` after the first), each rendered only when its digest
//! differs from the last pass's (see `PageDigests`).
//!
//! Owns pagination and the digests of listing pages; document pages and
//! exports are rendered elsewhere.

use std::collections::BTreeMap;
use std::hash::Hash;
use std::sync::Mutex;

use minijinja::{Value, context};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::{FACETS, Facet, FacetValue, Page, Pass, heading_label, v};
use crate::catalogue::{Catalogue, EventKind};
use crate::digest;
use crate::i18n::Strings;
use crate::model::{DocId, Status};
use crate::routes::{self, encode_path, facet_slugs};
use crate::view::{self, DocView, EventView};

/// Digest of each listing page's inputs by output file, from the last pass
/// that rendered listings. The dev server keeps it between builds, and a
/// build in the output's manifest, so a status change renders only the
/// listing pages whose rows changed.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct PageDigests(FxHashMap<String, u64>);

impl PageDigests {
    /// Forget the pages whose file `keep` refuses.
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.0.retain(|file, _| keep(file));
    }

    /// Output files of the listing pages the last pass produced.
    pub fn files(&self) -> impl Iterator<Item = &String> {
        self.0.keys()
    }

    /// The digest recorded for the page in `file`.
    pub(super) fn get(&self, file: &str) -> Option<u64> {
        self.0.get(file).copied()
    }

    /// Record `digest` for the page in `file`.
    pub(super) fn record(&mut self, file: String, digest: u64) {
        self.0.insert(file, digest);
    }

    /// Record the digests `other` holds too.
    pub fn extend(&mut self, other: PageDigests) {
        self.0.extend(other.0);
    }
}

/// The digest state of one render pass.
pub(super) struct Digesting<'a> {
    /// Digests of the last pass (empty when every page must be rendered).
    previous: &'a PageDigests,
    /// Digests of this pass.
    current: Mutex<FxHashMap<String, u64>>,
    /// Digest of each document's row, aligned with `Catalogue::docs`.
    rows: Vec<u64>,
    /// The `site` value without the status counts, and with them.
    settings: u64,
    counts: u64,
}

impl<'a> Digesting<'a> {
    pub(super) fn new(
        previous: &'a PageDigests,
        rows: Vec<u64>,
        settings: &Value,
        site: &Value,
    ) -> Digesting<'a> {
        Digesting {
            previous,
            current: Mutex::default(),
            rows,
            settings: digest::of(&settings),
            counts: digest::of(site),
        }
    }

    /// This pass's page digests, and its row digests by document id.
    pub(super) fn finish(self, cat: &Catalogue) -> (PageDigests, FxHashMap<DocId, u64>) {
        let pages = self.current.into_inner().unwrap_or_else(|e| e.into_inner());
        let ids = cat.docs.iter().map(|d| d.id.clone());
        (PageDigests(pages), ids.zip(self.rows).collect())
    }
}

/// Digest of each document's row, aligned with `views`: the one in
/// `carried` for a document `fresh` does not name (its view and events are
/// those digested then), else a digest of its view and of how it ended
/// (hashed as they are, not through their JSON form: a full pass digests
/// every row).
pub(super) fn row_digests(
    cat: &Catalogue,
    views: &[DocView],
    t: &Strings,
    carried: &FxHashMap<DocId, u64>,
    fresh: &(dyn Fn(usize) -> bool + Sync),
) -> Vec<u64> {
    (views.par_iter().enumerate())
        .map(|(i, view)| match carried.get(&cat.docs[i].id) {
            Some(&row) if !fresh(i) => row,
            _ => digest::of(&(view, end_of(i, cat, views, t))),
        })
        .collect()
}

/// What ended document `i`: the date and act of its last repeal,
/// invalidation, replacement or expiry by the build date.
fn end_of<'v>(
    i: usize,
    cat: &Catalogue,
    views: &'v [DocView],
    t: &Strings,
) -> Option<EventView<'v>> {
    let e = cat.events[i].iter().rev().find(|e| {
        e.date <= cat.as_of
            && matches!(
                e.kind,
                EventKind::Repealed
                    | EventKind::DeclaredInvalid
                    | EventKind::Superseded
                    | EventKind::Expired
            )
    })?;
    EventView::new(e, cat, views, t)
}

/// One list of documents (indices into `Catalogue::docs`, in display order)
/// shown as a table over one or more pages.
struct Listing<'l> {
    /// URL folder of the first page (`status/current/`).
    path: String,
    heading: String,
    rows: &'l [usize],
    /// (label, URL) of the index page it belongs to, for the breadcrumb.
    parent: Option<(&'l str, &'l str)>,
    /// Show when and by what each document ended (status listings).
    ends: bool,
    /// The status filter links (the catalogue's first page).
    status_filter: Option<Value>,
}

/// Where a page sits among the pages of its listing, for the page links.
#[derive(Debug, Serialize, Hash)]
struct Pagination {
    /// 1-based number of this page.
    current: usize,
    /// Number of pages, which is the number of the last. (Not `total`: the
    /// page-digest analysis takes that word for the site-wide counts.)
    last: usize,
    /// Index of this page's first row among all rows (0-based).
    offset: usize,
    prev: Option<String>,
    next: Option<String>,
    /// Numbered links: the first and last pages and those near this one;
    /// `None` stands for a gap.
    pages: Vec<Option<PageLink>>,
}

#[derive(Debug, Serialize, Hash)]
struct PageLink {
    number: usize,
    url: String,
}

impl Pagination {
    /// Page `n` of `last` of the listing at `path`, `size` rows a page.
    fn new(path: &str, n: usize, last: usize, size: usize) -> Pagination {
        let link = |k: usize| PageLink {
            number: k,
            url: routes::listing_page(path, k),
        };
        let near = |k: usize| k == 1 || k == last || k.abs_diff(n) <= 2;
        let mut pages = Vec::new();
        for k in (1..=last).filter(|&k| near(k)) {
            if pages
                .last()
                .is_some_and(|p: &Option<PageLink>| p.as_ref().is_some_and(|p| p.number + 1 != k))
            {
                pages.push(None);
            }
            pages.push(Some(link(k)));
        }
        Pagination {
            current: n,
            last,
            offset: (n - 1) * size,
            prev: (n > 1).then(|| routes::listing_page(path, n - 1)),
            next: (n < last).then(|| routes::listing_page(path, n + 1)),
            pages,
        }
    }
}

impl Pass<'_> {
    /// Render a page other than a document page, unless the last pass
    /// rendered it from inputs with the same digest. `key` digests what the
    /// page's context holds besides `site`; `ctx` builds that context.
    fn listing_page(&self, page: Page, url_path: &str, key: u64, ctx: impl FnOnce() -> Value) {
        if let Some(d) = &self.digesting {
            let name = page.template();
            let site = if self.r.counts_readers.contains(name) {
                d.counts
            } else {
                d.settings
            };
            let file = routes::page_file(url_path);
            let page = digest::of(&(name, url_path, site, key));
            let unchanged = d.previous.get(&file) == Some(page);
            d.current
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(file, page);
            if unchanged {
                return;
            }
        }
        self.page(page, url_path, ctx());
    }

    /// Digest of the rows `rows` as shown in a table.
    fn rows_digest(&self, rows: &[usize]) -> u64 {
        match &self.digesting {
            Some(d) => digest::of(&rows.iter().map(|&i| d.rows[i]).collect::<Vec<_>>()),
            None => 0,
        }
    }

    pub(super) fn render_listings(&self) {
        let t = &self.r.strings;
        let mut all: Vec<usize> = (0..self.views.len()).collect();
        all.sort_by(|&a, &b| {
            let (a, b) = (&self.views[a], &self.views[b]);
            b.fields
                .published
                .cmp(&a.fields.published)
                .then_with(|| a.title.cmp(&b.title))
        });
        let latest = view::group_events(self.latest_events(80), 10);
        self.listing_page(Page::Home, routes::HOME, digest::of_json(&latest), || {
            context! { latest => v(&latest), page_title => t.get("home") }
        });
        self.listing(&Listing {
            path: routes::CATALOGUE.into(),
            heading: t.get("catalogue_all").into(),
            rows: &all,
            parent: None,
            ends: false,
            status_filter: self.site.get_attr("status_counts").ok(),
        });
        Status::ALL.par_iter().for_each(|&status| {
            let rows: Vec<usize> = all
                .iter()
                .copied()
                .filter(|&i| self.views[i].status.status == status)
                .collect();
            self.listing(&Listing {
                path: routes::status_dir(status),
                heading: t.status(status).into(),
                rows: &rows,
                parent: Some((
                    t.get("by_status").trim_start_matches('按'),
                    routes::CATALOGUE,
                )),
                ends: true,
                status_filter: None,
            });
        });
        FACETS
            .par_iter()
            .for_each(|facet| self.render_facet(facet, &all));
        let acts: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&i| self.views[i].is_act)
            .collect();
        self.listing_page(
            Page::Decisions,
            routes::DECISIONS,
            self.rows_digest(&acts),
            || {
                let docs: Vec<&DocView> = acts.iter().map(|&i| &self.views[i]).collect();
                context! { docs => v(docs), page_title => t.get("decisions") }
            },
        );
        self.listing_page(Page::Search, routes::SEARCH, 0, || {
            context! { page_title => t.get("search") }
        });
        self.listing_page(Page::NotFound, routes::NOT_FOUND, 0, || {
            context! { page_title => t.get("not_found") }
        });
    }

    /// Every page of one listing, in parallel.
    fn listing(&self, listing: &Listing) {
        let size = self.r.config.listing_page_size;
        let pages = listing.rows.len().div_ceil(size).max(1);
        (1..=pages).into_par_iter().for_each(|n| {
            let rows = &listing.rows[(n - 1) * size..(n * size).min(listing.rows.len())];
            self.listing_part(
                listing,
                Pagination::new(&listing.path, n, pages, size),
                rows,
            );
        });
    }

    /// Page `pagination.current` of `listing`, showing `rows`.
    fn listing_part(&self, listing: &Listing, pagination: Pagination, rows: &[usize]) {
        let t = &self.r.strings;
        let status_filter = listing
            .status_filter
            .as_ref()
            .filter(|_| pagination.current == 1);
        // A row's digest covers how its document ended, too.
        let key = digest::of(&(
            &listing.heading,
            listing.parent,
            listing.rows.len(),
            listing.ends,
            &pagination,
            self.rows_digest(rows),
            status_filter,
        ));
        let url = routes::listing_page(&listing.path, pagination.current);
        self.listing_page(Page::Listing, &url, key, || {
            let page_title = match pagination.current {
                1 => listing.heading.clone(),
                n => format!(
                    "{} · {}",
                    listing.heading,
                    t.get("page_n").replace("{n}", &n.to_string())
                ),
            };
            let parent = listing.parent.map(|(label, url)| context! { label, url });
            let docs: Vec<&DocView> = rows.iter().map(|&i| &self.views[i]).collect();
            let ends: BTreeMap<&str, EventView> = match listing.ends {
                true => rows
                    .iter()
                    .filter_map(|&i| Some((self.views[i].id.as_str(), self.end_of(i)?)))
                    .collect(),
                false => BTreeMap::new(),
            };
            context! {
                heading => &listing.heading,
                docs => v(docs),
                count => listing.rows.len(),
                page_title,
                parent,
                ends => v(ends),
                status_filter,
                pagination => v(&pagination),
            }
        });
    }

    /// What ended document `i` (see [`end_of`]).
    fn end_of(&self, i: usize) -> Option<EventView<'_>> {
        end_of(i, self.cat, self.views, &self.r.strings)
    }

    fn render_facet(&self, facet: &Facet, all: &[usize]) {
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for &i in all {
            if let Some(value) = (facet.value)(&self.views[i]) {
                groups.entry(value).or_default().push(i);
            }
        }
        let slugs = facet_slugs(groups.keys().map(String::as_str));
        let mut values: Vec<FacetValue> = groups
            .iter()
            .zip(&slugs)
            .map(|((name, rows), slug)| FacetValue {
                name: name.clone(),
                url: encode_path(&facet.facet.value_dir(slug)),
                count: rows.len(),
            })
            .collect();
        if facet.facet == routes::Facet::Year {
            values.reverse();
        } else {
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        }
        let heading = self.r.strings.get(facet.label);
        let index = facet.facet.dir();
        self.listing_page(Page::Facets, index, digest::of_json(&values), || {
            context! { heading, values => v(&values), page_title => heading }
        });
        let parent = heading_label(heading);
        let groups: Vec<_> = groups.iter().zip(&slugs).collect();
        groups.into_par_iter().for_each(|((name, rows), slug)| {
            let heading = if facet.facet == routes::Facet::Year {
                format!("{name}{}", self.r.strings.get("year_suffix"))
            } else {
                name.clone()
            };
            self.listing(&Listing {
                path: facet.facet.value_dir(slug),
                heading,
                rows,
                parent: Some((parent, index)),
                ends: false,
                status_filter: None,
            });
        });
    }

    /// The `n` most recent events on or before the build date, newest first.
    fn latest_events(&self, n: usize) -> Vec<EventView<'_>> {
        crate::export::recent_events(self.cat, n)
            .into_iter()
            .filter_map(|e| EventView::new(e, self.cat, self.views, &self.r.strings))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(p: &Pagination) -> Vec<Option<usize>> {
        p.pages
            .iter()
            .map(|l| l.as_ref().map(|l| l.number))
            .collect()
    }

    #[test]
    fn pages_link_their_neighbours_and_both_ends() {
        let first = Pagination::new("status/current/", 1, 9, 100);
        assert_eq!((first.prev.as_deref(), first.offset), (None, 0));
        assert_eq!(first.next.as_deref(), Some("status/current/page/2/"));
        assert_eq!(numbers(&first), [Some(1), Some(2), Some(3), None, Some(9)]);
        let middle = Pagination::new("status/current/", 5, 9, 100);
        assert_eq!(middle.prev.as_deref(), Some("status/current/page/4/"));
        assert_eq!(middle.offset, 400);
        let shown = [
            Some(1),
            None,
            Some(3),
            Some(4),
            Some(5),
            Some(6),
            Some(7),
            None,
            Some(9),
        ];
        assert_eq!(numbers(&middle), shown);
        let last = Pagination::new("catalogue/", 2, 2, 100);
        assert_eq!(
            last.prev.as_deref(),
            Some("catalogue/"),
            "page 1 keeps its URL"
        );
        assert_eq!(
            (last.next.as_deref(), numbers(&last)),
            (None, vec![Some(1), Some(2)])
        );
    }
}
