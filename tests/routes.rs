//! Every file a build writes is at a path `routes` names: the pages of a
//! document are exactly `routes::doc_files`, everything else sits where
//! `routes::generated` says a build writes (so no alias can take it), and
//! the fixed pages and files are where `routes` puts them.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use common::Fixture;
use gazette::model::{DocId, Status};
use gazette::output::Memory;
use gazette::{routes, site};

/// Every file of a build of `f` on `as_of`, with the loaded site.
fn build(f: &Fixture, as_of: &str) -> (site::Site, BTreeMap<String, Vec<u8>>) {
    let (site, diags) = site::load(&f.options(as_of)).expect("the fixture loads");
    let out = Memory::default();
    site.render_with_index(&out, diags)
        .expect("the fixture builds");
    (site, out.into_files())
}

#[track_caller]
fn every_file_is_at_a_route(f: &Fixture, as_of: &str) {
    let (site, files) = build(f, as_of);
    let cat = &site.catalogue;
    let ids: HashSet<&DocId> = cat.docs.iter().map(|d| &d.id).collect();
    let of_documents: BTreeSet<String> = (cat.docs.iter())
        .flat_map(|d| routes::doc_files(d, |id| ids.contains(id)))
        .collect();
    let aliases: BTreeSet<String> = (cat.docs.iter())
        .flat_map(|d| &d.meta.aliases)
        .map(|a| routes::page_file(a.url.trim_start_matches('/')))
        .collect();
    for file in files.keys() {
        let of_a_document = cat
            .docs
            .iter()
            .any(|d| file.starts_with(&routes::doc_dir(&d.id)));
        assert!(
            of_documents.contains(file) || !of_a_document,
            "{file} is written but not among routes::doc_files"
        );
        assert!(
            routes::generated(file) || aliases.contains(file),
            "{file} is written but routes::generated does not know it"
        );
    }
    for file in &of_documents {
        assert!(
            files.contains_key(file),
            "routes::doc_files names {file}, never written"
        );
    }
    let fixed = [
        routes::HOME,
        routes::CATALOGUE,
        routes::DECISIONS,
        routes::SEARCH,
    ];
    let statuses = Status::ALL.map(routes::status_dir);
    let facets = routes::Facet::ALL.map(routes::Facet::dir);
    let exports = [
        routes::NOT_FOUND,
        routes::CATALOGUE_JSON,
        routes::LIFECYCLE_JSON,
        routes::CATALOGUE_CSV,
        routes::SITEMAP,
        routes::FEED,
        routes::SEARCH_MANIFEST,
    ];
    let pages = fixed
        .iter()
        .copied()
        .chain(statuses.iter().map(String::as_str));
    for file in pages.chain(facets).chain(exports).map(routes::page_file) {
        assert!(files.contains_key(&file), "{file} is not written");
    }
    let review = routes::page_file(routes::REVIEW);
    assert_eq!(files.contains_key(&review), site.config.review.publish);
}

#[test]
fn the_example_site_writes_only_routed_files() {
    every_file_is_at_a_route(&Fixture::example_site(), "2026-11-27");
}

#[test]
fn versions_redirects_annex_lists_and_the_review_page_are_routed() {
    every_file_is_at_a_route(&Fixture::new("versions"), "2026-01-01");
    every_file_is_at_a_route(&Fixture::new("decision_annex_lists"), "2026-01-01");
    let review = Fixture::new("review");
    let config = review.root().join("site.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("[review]", "[review]\npublish = true"),
    )
    .unwrap();
    every_file_is_at_a_route(&review, "2026-01-01");
}

#[test]
fn aliases_may_not_take_a_generated_path() {
    for taken in [
        "docs",
        "DOCS/x.html",
        "Feed.xml",
        "issuers/a/",
        "index.html",
        "search/x",
    ] {
        assert!(routes::generated(taken), "{taken}");
    }
    for free in [
        "old/a.html",
        "docs.html",
        "feed.xml.bak",
        "wenjian/index.html",
    ] {
        assert!(!routes::generated(free), "{free}");
    }
}
