//! Output paths and URLs: where every page and file of a build goes, and
//! the site-relative URL that reaches it. The one place a path is spelled:
//! render, export, search, catalogue (page clashes) and the dev server ask
//! here.
//!
//! A page lives in a folder (`catalogue/`, `docs/<id>/`; the home page at
//! ``) written as that folder's `index.html` ([`page_file`]); its URL is the
//! folder, percent-encoded ([`encode_path`]). Output paths are not encoded.
//!
//! Only names places; renders nothing, writes nothing.

use chrono::NaiveDate;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::content::Document;
use crate::model::{ANNEX_KINDS, DocId, RelationKind, Status, fold};

/// The home page.
pub const HOME: &str = "";
/// Every document, newest first.
pub const CATALOGUE: &str = "catalogue/";
/// The acts (decisions) of the catalogue.
pub const DECISIONS: &str = "decisions/";
/// The search page; the index files live under it too.
pub const SEARCH: &str = "search/";
/// The clean-up review page.
pub const REVIEW: &str = "review/";
/// The page a server shows for a missing file.
pub const NOT_FOUND: &str = "404.html";
/// The search index's entry point.
pub const SEARCH_MANIFEST: &str = "search/manifest.json";
/// Machine-readable exports.
pub const CATALOGUE_JSON: &str = "catalogue.json";
/// Every dated event, for point-in-time views.
pub const LIFECYCLE_JSON: &str = "lifecycle.json";
/// The catalogue as a spreadsheet.
pub const CATALOGUE_CSV: &str = "catalogue.csv";
/// For search engines.
pub const SITEMAP: &str = "sitemap.xml";
/// The Atom feed of lifecycle changes.
pub const FEED: &str = "feed.xml";
const DOCS: &str = "docs/";
const STATUS: &str = "status/";
const STATIC: &str = "static/";
const INDEX: &str = "index.html";

/// Everything a build writes sits under one of these (a folder, with its
/// slash, or a file): an alias may take none of them.
const TOP_LEVEL: [&str; 18] = [
    INDEX,
    DOCS,
    STATUS,
    STATIC,
    CATALOGUE,
    DECISIONS,
    SEARCH,
    REVIEW,
    NOT_FOUND,
    CATALOGUE_JSON,
    LIFECYCLE_JSON,
    CATALOGUE_CSV,
    SITEMAP,
    FEED,
    Facet::Issuer.dir(),
    Facet::Level.dir(),
    Facet::Category.dir(),
    Facet::Year.dir(),
];

/// A facet listings group documents by, each value a page of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facet {
    /// 发文机关.
    Issuer,
    /// 效力级别.
    Level,
    /// Category.
    Category,
    /// Year of publication.
    Year,
}

impl Facet {
    /// Every facet, in the order the site lists them.
    pub const ALL: [Facet; 4] = [Facet::Issuer, Facet::Level, Facet::Category, Facet::Year];

    /// The folder of the facet's index page, e.g. `issuers/`.
    pub const fn dir(self) -> &'static str {
        match self {
            Facet::Issuer => "issuers/",
            Facet::Level => "levels/",
            Facet::Category => "categories/",
            Facet::Year => "years/",
        }
    }

    /// The folder of one value's listing (`slug` from [`facet_slugs`]).
    pub fn value_dir(self, slug: &str) -> String {
        format!("{}{slug}/", self.dir())
    }
}

/// The folder of page `n` (1-based) of the listing whose first page is in
/// `dir`: `dir` itself, then `dir/page/2/`, ….
pub fn listing_page(dir: &str, n: usize) -> String {
    match n {
        1 => dir.to_owned(),
        n => format!("{dir}page/{n}/"),
    }
}

/// The file a page in folder `dir` is written to (`a/b/` → `a/b/index.html`,
/// the home page `` → `index.html`); a path naming a file is that file.
pub fn page_file(dir: &str) -> String {
    index_in(dir.to_owned())
}

/// [`page_file`] of a folder already owned.
fn index_in(mut dir: String) -> String {
    if dir.is_empty() || dir.ends_with('/') {
        dir.push_str(INDEX);
    }
    dir
}

/// True for the file of a document page or of one of its version and
/// comparison pages.
pub fn is_document_page(file: &str) -> bool {
    file.starts_with(DOCS)
        && file
            .strip_suffix(INDEX)
            .is_some_and(|dir| dir.ends_with('/'))
}

/// True when `rel` (an output path) is, or is under, a path a build
/// generates, compared as a case-insensitive file system would.
pub fn generated(rel: &str) -> bool {
    let rel = fold(rel);
    TOP_LEVEL.iter().any(|top| match top.strip_suffix('/') {
        Some(dir) => rel == dir || rel.starts_with(top),
        None => rel == *top || rel.starts_with(&format!("{top}/")),
    })
}

/// The folder of the listing of documents with `status`, e.g. `status/repealed/`.
pub fn status_dir(status: Status) -> String {
    format!("{STATUS}{}/", status.key())
}

/// Output path of a theme's static file `name` (`style.css`).
pub fn static_file(name: &str) -> String {
    format!("{STATIC}{name}")
}

/// Output path of the search index file `name`.
pub fn search_file(name: &str) -> String {
    format!("{SEARCH}{name}")
}

/// Folder of a document's page, e.g. `docs/zuofeng/x/` (not encoded).
pub fn doc_dir(id: &DocId) -> String {
    format!("{DOCS}{id}/")
}

/// Characters encoded in a URL path segment (non-ASCII is always encoded).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^')
    .add(b'[')
    .add(b']');

/// Percent-encode each `/`-separated segment of `path`.
pub fn encode_path(path: &str) -> String {
    path.split('/')
        .map(|s| utf8_percent_encode(s, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// Output file of a document's page, e.g. `docs/zuofeng/x/index.html`.
pub fn doc_page_file(id: &DocId) -> String {
    index_in(doc_dir(id))
}

/// Folder of a version page of a document, e.g. `docs/zuofeng/x/2018-03-20/`.
pub fn version_dir(id: &DocId, date: NaiveDate) -> String {
    format!("{}{date}/", doc_dir(id))
}

/// Folder of the comparison of two versions, e.g. `docs/x/compare/2013-01-01/2018-03-20/`.
pub fn compare_dir(id: &DocId, from: NaiveDate, to: NaiveDate) -> String {
    format!("{}compare/{from}/{to}/", doc_dir(id))
}

/// Site-relative URL of each version's page (`None` for a version without
/// one), aligned with `doc.versions`: the one place version URLs are made.
pub fn version_urls(doc: &Document) -> Vec<Option<String>> {
    let paged = doc.paged_versions();
    (0..doc.versions.len())
        .map(|k| {
            let date = doc.versions[k].date;
            paged
                .contains(&k)
                .then(|| encode_path(&version_dir(&doc.id, date)))
        })
        .collect()
}

/// File name of an annex list's download inside the act's folder, e.g.
/// `annex-repeals.csv`.
pub fn annex_file(kind: RelationKind, ext: &str) -> String {
    format!("annex-{}.{ext}", kind.key())
}

/// Output path of a file in document `id`'s folder, e.g. an annex download.
pub fn doc_file(id: &DocId, name: &str) -> String {
    format!("{}{name}", doc_dir(id))
}

/// Every output file a document's pages occupy: its page, its version and
/// comparison pages, its annex downloads if it is an act, and redirects
/// from the ids of files merged into it (`ids_taken` tells which ids
/// belong to documents of their own).
pub fn doc_files(doc: &Document, ids_taken: impl Fn(&DocId) -> bool) -> Vec<String> {
    let mut files = vec![doc_page_file(&doc.id)];
    if doc.is_act() {
        let listed = |k: RelationKind| {
            doc.meta
                .relations
                .iter()
                .any(|r| r.kind == k && ids_taken(&r.target))
        };
        for kind in ANNEX_KINDS.into_iter().filter(|k| listed(*k)) {
            for ext in ["csv", "xlsx"] {
                files.push(doc_file(&doc.id, &annex_file(kind, ext)));
            }
        }
    }
    let paged = doc.paged_versions();
    for (n, &k) in paged.iter().enumerate() {
        let date = doc.versions[k].date;
        files.push(index_in(version_dir(&doc.id, date)));
        for &later in &paged[n + 1..] {
            let to = doc.versions[later].date;
            files.push(index_in(compare_dir(&doc.id, date, to)));
        }
    }
    for (from, _) in doc.redirects.iter().filter(|(from, _)| !ids_taken(from)) {
        files.push(doc_page_file(from));
    }
    files
}

/// Site-relative URL path of a document page, e.g. `docs/a%2Fb/` … `docs/zuofeng/x/`.
pub fn doc_url(id: &DocId) -> String {
    encode_path(&doc_dir(id))
}

/// Longest facet slug in bytes: a path component must stay within the
/// 255-byte limit of common file systems, with room for a `-N` suffix.
const MAX_SLUG_BYTES: usize = 200;

/// A facet value turned into one safe, short path segment.
fn facet_slug(value: &str) -> String {
    let slug: String = value
        .trim()
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\') || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect();
    let slug = slug.trim_start_matches('.');
    let slug = &slug[..slug.floor_char_boundary(MAX_SLUG_BYTES)];
    if slug.is_empty() { "-" } else { slug }.to_owned()
}

/// One distinct path segment per facet value, in the values' order. A slug
/// that would land on an earlier one (`a/b` and `a-b`; `ABC` and `abc` on a
/// case-insensitive disk; NFC and NFD spellings; the listing's own
/// `index.html`) gets a `-2`, `-3`, … suffix instead of overwriting it.
pub fn facet_slugs<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut taken = std::collections::HashSet::from([fold(INDEX)]);
    values
        .into_iter()
        .map(|value| {
            let base = facet_slug(value);
            (1..)
                .map(|n| match n {
                    1 => base.clone(),
                    n => format!("{base}-{n}"),
                })
                .find(|slug| taken.insert(fold(slug)))
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicode_ids_are_percent_encoded_per_segment() {
        let id = DocId::new("行政法规/条例(2019-03-02)").unwrap();
        assert_eq!(
            doc_url(&id),
            "docs/%E8%A1%8C%E6%94%BF%E6%B3%95%E8%A7%84/%E6%9D%A1%E4%BE%8B(2019-03-02)/"
        );
        assert_eq!(encode_path("a b/c#d"), "a%20b/c%23d");
    }

    #[test]
    fn facet_slugs_cannot_nest_or_hide() {
        assert_eq!(facet_slug("中共青川市委/办公室"), "中共青川市委-办公室");
        assert_eq!(facet_slug("../x"), "-x");
        assert_eq!(facet_slug(".."), "-");
    }

    #[test]
    fn facet_slugs_never_collide_or_overflow_a_file_name() {
        let long = "机".repeat(100);
        let values = [
            "a/b",
            "a-b",
            "ABC",
            "abc",
            "caf\u{e9}",
            "cafe\u{301}",
            "index.html",
            &long,
        ];
        let slugs = facet_slugs(values);
        assert_eq!(
            slugs[..7],
            [
                "a-b",
                "a-b-2",
                "ABC",
                "abc-2",
                "caf\u{e9}",
                "cafe\u{301}-2",
                "index.html-2"
            ]
        );
        assert!(slugs[7].len() <= MAX_SLUG_BYTES);
    }
}
