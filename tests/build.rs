//! End-to-end tests of `gazette build` on fixture sites under `tests/fixtures/`.

mod common;

use std::collections::BTreeMap;

use common::{Fixture, has_error, snapshot};
use gazette::diagnostics::Code;

/// id → status key from the built `catalogue.json`.
fn statuses(f: &Fixture) -> BTreeMap<String, String> {
    let json: serde_json::Value = serde_json::from_str(&f.read("catalogue.json")).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap().to_owned(),
                d["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn lifecycle_statuses_follow_the_as_of_date() {
    let f = Fixture::new("lifecycle");
    f.build("2026-11-27");
    let s = statuses(&f);
    let expect = [
        ("rules/old-reception", "superseded"),
        ("rules/new-reception", "current"),
        ("rules/conduct", "amended"),
        ("rules/conduct-amendment", "current"),
        ("rules/action-plan", "expired"),
        ("rules/five-duties", "pending"),
        ("old/a", "repealed"),
        ("old/b", "invalid"),
        ("cleanup/2025", "current"),
    ];
    for (id, status) in expect {
        assert_eq!(s[id], status, "{id}");
    }
    f.build("2016-06-30");
    let s = statuses(&f);
    assert_eq!(s["rules/old-reception"], "current");
    assert_eq!(s["rules/new-reception"], "pending");
    assert_eq!(s["rules/conduct"], "current");
    assert_eq!(s["old/a"], "current");
    f.build("2016-07-01");
    assert_eq!(statuses(&f)["rules/old-reception"], "superseded");
}

#[test]
fn repealed_document_banner_names_date_act_and_reason() {
    let f = Fixture::new("lifecycle");
    f.build("2026-11-27");
    let page = f.read("docs/old/a/index.html");
    assert!(page.contains("banner banner-repealed"));
    assert!(page.contains("已废止"));
    assert!(page.contains("2025年6月30日"));
    assert!(page.contains("href=\"/docs/cleanup/2025/\""));
    assert!(page.contains("已被新规定代替"));
    let superseded = f.read("docs/rules/old-reception/index.html");
    assert!(superseded.contains("banner banner-superseded"));
    assert!(superseded.contains("2016年7月1日"));
    assert!(superseded.contains("href=\"/docs/rules/new-reception/\""));
}

#[test]
fn relations_are_shown_both_ways() {
    let f = Fixture::new("lifecycle");
    f.build("2026-11-27");
    let old = f.read("docs/rules/old-reception/index.html");
    assert!(old.contains("被以下文件替代"));
    assert!(old.contains("/docs/rules/new-reception/"));
    let new = f.read("docs/rules/new-reception/index.html");
    assert!(new.contains("替代以下文件"));
    let conduct = f.read("docs/rules/conduct/index.html");
    assert!(conduct.contains("被以下文件修改"));
    assert!(conduct.contains("/docs/rules/conduct-amendment/"));
}

#[test]
fn decision_page_lists_repealed_invalidated_and_withheld() {
    let f = Fixture::new("lifecycle");
    f.build("2026-11-27");
    let page = f.read("docs/cleanup/2025/index.html");
    assert!(page.contains("决定废止的文件目录（1）"));
    assert!(page.contains("决定宣布失效的文件目录（1）"));
    assert!(page.contains("测发〔2003〕12号"));
    assert!(page.contains("适用期已过"));
    assert!(page.contains("<strong>4</strong>"));
    f.assert_file_contains("decisions/index.html", "/docs/cleanup/2025/");
}

#[test]
fn articles_get_anchors_and_internal_links_resolve() {
    let f = Fixture::new("lifecycle");
    f.build("2026-11-27");
    f.assert_file_contains(
        "docs/rules/conduct/index.html",
        "<p id=\"art-3\" class=\"article\"><a class=\"art-no\" href=\"#art-3\">第三条</a>",
    );
    f.assert_file_contains(
        "docs/rules/conduct-amendment/index.html",
        "href=\"/docs/rules/conduct/#art-3\"",
    );
    f.assert_file_contains(
        "docs/rules/new-reception/index.html",
        "href=\"/docs/rules/old-reception/#art-1\"",
    );
}

#[test]
fn listings_exports_and_redirects_are_written() {
    let f = Fixture::new("lifecycle");
    f.build("2026-11-27");
    for page in [
        "index.html",
        "catalogue/index.html",
        "status/repealed/index.html",
        "issuers/index.html",
        "years/2013/index.html",
        "404.html",
        "sitemap.xml",
        "feed.xml",
        "catalogue.csv",
        "static/style.css",
        "static/syntax.css",
    ] {
        f.assert_file_exists(page);
    }
    f.assert_file_contains(
        "status/repealed/index.html",
        "关于加强机关作风建设的若干规定",
    );
    f.assert_file_lacks("status/repealed/index.html", "公务接待管理办法");
    f.assert_file_contains("issuers/测试市委/index.html", "工作作风十项规定");
    f.assert_file_contains("old/reception.html", "url=/docs/rules/old-reception/");
    f.assert_file_contains("feed.xml", "<entry>");
    f.assert_file_contains("sitemap.xml", "https://example.org/docs/rules/conduct/");
    let json: serde_json::Value = serde_json::from_str(&f.read("catalogue.json")).unwrap();
    let b = json
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "old/b")
        .unwrap();
    assert_eq!(b["url"], "https://example.org/docs/old/b/");
    assert_eq!(b["number"], "测发〔2008〕6号");
    let invalidation = b["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "declared_invalid")
        .unwrap();
    assert_eq!(
        (
            invalidation["date"].as_str(),
            invalidation["actor"].as_str()
        ),
        (Some("2025-06-30"), Some("cleanup/2025"))
    );
    let csv = f.read("catalogue.csv");
    assert!(
        csv.lines()
            .any(|l| l.starts_with("old/b,") && l.contains(",invalid,"))
    );
    let doc = f.read("docs/rules/conduct/index.html");
    assert!(doc.contains("\"@type\":\"Legislation\""));
    assert!(doc.contains("https://schema.org/InForce"));
}

#[test]
fn hostile_titles_and_bodies_render_inert() {
    let f = Fixture::new("hostile_input");
    f.build("2026-01-01");
    let page = f.read("docs/evil/index.html");
    assert!(!page.contains("<script>alert"), "script tag leaked");
    assert!(!page.contains("<img src=x"), "img tag leaked");
    assert!(!page.contains("javascript:"), "javascript: link leaked");
    assert!(page.contains("&lt;script&gt;alert("));
    assert!(
        page.contains("{{ 7 * 7 }}"),
        "template syntax in Markdown must stay text"
    );
    assert!(!f.read("index.html").contains("<b>site</b>"));
}

#[test]
fn raw_html_passes_only_when_the_site_opts_in() {
    let f = Fixture::new("unsafe_html_opt_in");
    f.build("2026-01-01");
    f.assert_file_contains(
        "docs/raw/index.html",
        "<div class=\"notice\">原样输出</div>",
    );
}

#[test]
fn broken_links_fail_the_build_with_file_and_line() {
    let f = Fixture::new("broken_link");
    let diags = f.build_err("2026-01-01");
    assert!(
        has_error(&diags, Code::BrokenLink, "content/a.md", Some(5)),
        "{}",
        common::render(&diags)
    );
    assert!(
        has_error(&diags, Code::BrokenLink, "content/a.md", Some(7)),
        "{}",
        common::render(&diags)
    );
}

#[test]
fn failed_build_leaves_previous_output_untouched() {
    let f = Fixture::new("lifecycle");
    f.build("2026-11-27");
    let before = snapshot(&f.out());
    f.write(
        "content/rules/conduct.md",
        "+++\ntitle = \"broken\npublished = 2013-03-01\n+++\n",
    );
    let diags = f.build_err("2026-11-27");
    assert!(
        has_error(
            &diags,
            Code::FrontMatter,
            "content/rules/conduct.md",
            Some(2)
        ),
        "{}",
        common::render(&diags)
    );
    assert_eq!(
        before,
        snapshot(&f.out()),
        "output changed after a failed build"
    );
    let leftovers: Vec<_> = std::fs::read_dir(f.root())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".public"))
        .collect();
    assert!(leftovers.is_empty(), "staging folders left behind");
    // A problem found only while rendering (a broken link) fails just the same.
    f.write(
        "content/rules/conduct.md",
        "+++\ntitle = \"x\"\npublished = 2013-03-01\n+++\n[missing](doc:nothing)\n",
    );
    let diags = f.build_err("2026-11-27");
    assert!(has_error(
        &diags,
        Code::BrokenLink,
        "content/rules/conduct.md",
        Some(5)
    ));
    assert_eq!(
        before,
        snapshot(&f.out()),
        "output changed after a failed render"
    );
}

#[test]
fn deleted_documents_leave_no_stale_pages() {
    let f = Fixture::new("lifecycle");
    f.build("2026-11-27");
    f.assert_file_exists("docs/rules/action-plan/index.html");
    std::fs::remove_file(f.root().join("content/rules/action-plan.md")).unwrap();
    f.build("2026-11-27");
    assert!(!f.out().join("docs/rules/action-plan/index.html").exists());
}

#[test]
fn base_url_path_prefixes_every_link_and_unicode_ids_are_encoded() {
    let f = Fixture::new("base_url_with_path");
    f.build("2026-01-01");
    let page = f.read("docs/法规/条例/index.html");
    assert!(page.contains("href=\"/rules/static/style.css\""));
    assert!(
        page.contains("<h1>示例条例</h1>"),
        "title inferred from the heading"
    );
    assert!(
        page.contains("2019年3月2日"),
        "date inferred from the history line"
    );
    let home = f.read("index.html");
    assert!(home.contains("href=\"/rules/docs/%E6%B3%95%E8%A7%84/%E6%9D%A1%E4%BE%8B/\""));
    assert!(
        !home.contains("href=\"/docs/"),
        "a link ignores the base path"
    );
    f.assert_file_contains(
        "sitemap.xml",
        "https://example.gov.cn/rules/docs/%E6%B3%95%E8%A7%84/",
    );
}

#[test]
fn english_ui_is_selected_by_site_toml() {
    let f = Fixture::new("english_ui");
    f.build("2026-01-01");
    let page = f.read("docs/old/a/index.html");
    assert!(page.contains("lang=\"en\""));
    assert!(page.contains("Repealed on 30 June 2025 by"));
    assert!(!page.contains("已废止"));
}

#[test]
fn site_templates_override_the_theme() {
    let f = Fixture::new("template_override");
    f.build("2026-01-01");
    f.assert_file_contains(
        "docs/doc/index.html",
        "<div class=\"custom-override\">Doc / 现行有效</div>",
    );
    f.assert_file_contains("index.html", "site-header");
}

#[test]
fn example_site_shows_every_status() {
    let f = Fixture::example_site();
    f.build("2026-11-27");
    let found: std::collections::BTreeSet<String> = statuses(&f).into_values().collect();
    for status in [
        "pending",
        "current",
        "amended",
        "superseded",
        "repealed",
        "invalid",
        "expired",
    ] {
        assert!(
            found.contains(status),
            "example site has no {status} document"
        );
    }
}

#[test]
fn shared_corpus_builds_without_front_matter() {
    let Some(f) = common::corpus_site() else {
        return;
    };
    let report = f.build("2026-11-27");
    // 1,584 files; the texts of one law in force at different times are
    // versions of one document (see tests/versions.rs).
    assert!(
        report.documents >= 1450,
        "only {} documents",
        report.documents
    );
    let unexpected: Vec<_> = report
        .warnings
        .iter()
        .filter(|d| !matches!(d.code, Code::MissingMetadata | Code::DuplicateText))
        .filter(|d| d.code != Code::AmbiguousCitation)
        .filter(|d| d.code != Code::BrokenLink)
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:?}");
    // Texts citing their own articles that the corpus's copy lacks: one is
    // cut short after 第七条, one writes `第四百一十四 条` (twice).
    let own_articles: Vec<_> = report
        .warnings
        .iter()
        .filter(|d| d.code == Code::BrokenLink)
        .map(|d| (d.path.file_name().unwrap().to_string_lossy(), d.line))
        .collect();
    assert_eq!(
        own_articles,
        [
            (
                "最高人民法院关于证券纠纷代表人诉讼若干问题的规定(2020-07-30).md".into(),
                Some(35)
            ),
            (
                "最高人民法院关于适用《刑事诉讼法》的解释(2021-01-26).md".into(),
                Some(2207)
            ),
            (
                "最高人民法院关于适用《刑事诉讼法》的解释(2021-01-26).md".into(),
                Some(2289)
            ),
        ]
    );
    let page = std::fs::read_to_string(
        report
            .out_dir
            .join("docs/行政法/个人信息保护法(2021-08-20)/index.html"),
    )
    .unwrap();
    assert!(page.contains("<h1>中华人民共和国个人信息保护法</h1>"));
    assert!(page.contains("2021年8月20日"));
    assert!(page.contains("id=\"art-1\""));
}

/// Issue 10.2: a relation written with the target's title takes effect and
/// is shown on both pages, like one written with its id.
#[test]
fn relations_named_by_title_show_on_both_ends() {
    let f = Fixture::new("relation_by_title");
    let report = f.build("2026-01-01");
    assert_eq!(
        report.warnings.len(),
        2,
        "each title is a relation-by-title warning"
    );
    let decision = f.read("docs/decision/index.html");
    assert!(
        decision.contains("href=\"/docs/listed/\""),
        "the decision lists what it repeals"
    );
    assert!(decision.contains("已过时"));
    f.assert_file_contains("docs/listed/index.html", "status-repealed");
    f.assert_file_contains("docs/new/index.html", "href=\"/docs/old/\"");
    f.assert_file_contains("docs/old/index.html", "status-superseded");
}

/// Anchors `id="art-…"` on a built page, in order.
fn page_anchors(html: &str) -> Vec<String> {
    html.split("id=\"art-")
        .skip(1)
        .map(|rest| format!("art-{}", &rest[..rest.find('"').unwrap()]))
        .collect()
}

/// The articles of every document, three ways: the anchors its page has,
/// the outline `check` validates links against, and the anchors search
/// links hits to. They must be the same (`articles_agree` has a run-on
/// paragraph, a quoted article and a list item opening with 第一条; the
/// example site has real texts).
#[test]
fn articles_agree_between_page_check_and_search() {
    for f in [Fixture::new("articles_agree"), Fixture::example_site()] {
        f.build("2026-01-01");
        let (site, _) = gazette::site::load(&f.options("2026-01-01")).unwrap();
        let index = gazette::search::index(&site.catalogue);
        for (doc, text) in site.catalogue.docs.iter().zip(&index.docs) {
            let Some(body) = &doc.body else { continue };
            let outline: Vec<String> = body.outline.anchors().map(|a| a.to_string()).collect();
            let page = page_anchors(&f.read(&format!("docs/{}/index.html", doc.id)));
            assert_eq!(page, outline, "{}: page and outline", doc.id);
            let searched: Vec<String> = text.chunks.iter().filter_map(|(_, a)| a.clone()).collect();
            assert_eq!(searched, outline, "{}: search and outline", doc.id);
        }
    }
    let f = Fixture::new("articles_agree");
    let (site, _) = gazette::site::load(&f.options("2026-01-01")).unwrap();
    let anchors = |id: &str| {
        let doc = &site.catalogue.docs[site
            .catalogue
            .find(&gazette::model::DocId::new(id).unwrap())
            .unwrap()];
        let outline = &doc.body.as_ref().unwrap().outline;
        outline.anchors().map(|a| a.to_string()).collect::<Vec<_>>()
    };
    assert_eq!(anchors("runon"), ["art-1"], "one paragraph, one article");
    assert_eq!(
        anchors("quoted"),
        ["art-1", "art-2"],
        "a quoted article is one"
    );
    assert_eq!(
        anchors("listed"),
        ["art-1", "art-2", "art-1-2"],
        "a list item is not"
    );
}

/// Written links are resolved by the catalogue, once: loading the site
/// (no page rendered) already finds the links that lead nowhere.
#[test]
fn the_catalogue_resolves_written_links_before_anything_renders() {
    let f = Fixture::new("invalid/article_not_on_page");
    let Err(diags) = gazette::site::load(&f.options("2026-01-01")) else {
        panic!("links to missing articles must fail the load");
    };
    let broken: Vec<_> = diags
        .iter()
        .filter(|d| d.code == Code::BrokenLink)
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(broken.len(), 2, "{broken:?}");
    assert!(
        broken[0].contains("`runon` has no article #art-"),
        "{broken:?}"
    );
}

/// The highlighting stylesheet is linked only from pages whose text has code.
#[test]
fn highlighting_styles_load_only_where_there_is_code() {
    let f = Fixture::new("articles_agree");
    f.build("2026-01-01");
    f.assert_file_contains("docs/code/index.html", "static/syntax.css");
    f.assert_file_contains("docs/code/index.html", "class=\"hl-");
    for page in ["docs/runon/index.html", "search/index.html", "index.html"] {
        f.assert_file_lacks(page, "syntax.css");
    }
}

/// The search page carries only the UI strings search.js reads, and every
/// one of them: `T.name` and `T["prefix_" + …]` in the script, and the
/// facet names it looks up by variable.
#[test]
fn the_search_page_carries_the_strings_search_js_reads() {
    let f = Fixture::new("articles_agree");
    f.build("2026-01-01");
    let page = f.read("search/index.html");
    let json = page
        .split("id=\"search-strings\">")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .unwrap();
    let strings: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json).unwrap();
    let script = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/static/search.js"),
    )
    .unwrap();
    let word = |s: &str| {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<String>()
    };
    let names: Vec<String> = script
        .split("T.")
        .skip(1)
        .map(word)
        .filter(|w| !w.is_empty())
        .collect();
    let prefixes: Vec<String> = script.split("T[\"").skip(1).map(word).collect();
    assert!(
        names.len() > 10 && prefixes.len() >= 2,
        "{names:?} {prefixes:?}"
    );
    for name in names.iter().filter(|n| *n != "test").chain(&[
        "issuer".into(),
        "level".into(),
        "category".into(),
    ]) {
        assert!(strings.contains_key(name), "search.js reads T.{name}");
    }
    for prefix in &prefixes {
        assert!(
            strings.keys().any(|k| k.starts_with(prefix.as_str())),
            "T[\"{prefix}…\"]"
        );
    }
    assert!(
        !strings.contains_key("review_note"),
        "strings search.js never reads stay out"
    );
    assert!(json.len() < 2_500, "{} bytes", json.len());
}

#[test]
fn long_listings_are_paginated_and_pages_go_when_no_longer_needed() {
    let f = Fixture::new("paginated_listing");
    f.build("2026-01-01");
    let first = f.read("catalogue/index.html");
    assert_eq!(
        first.matches("<tr class=\"row-").count(),
        2,
        "two rows a page"
    );
    assert!(first.contains("关于戊的规定"), "newest first");
    assert!(first.contains("<link rel=\"next\" href=\"/catalogue/page/2/\">"));
    assert!(first.contains("第 1 页，共 3 页"));
    assert!(
        first.contains("<strong>5</strong>"),
        "the count is of all rows"
    );
    let last = f.read("catalogue/page/3/index.html");
    assert_eq!(last.matches("<tr class=\"row-").count(), 1);
    assert!(last.contains("关于甲的规定"));
    assert!(last.contains("href=\"/catalogue/page/2/\" rel=\"prev\""));
    assert!(last.contains("aria-current=\"page\">3</a>"));
    f.assert_file_exists("issuers/测试市政府/page/3/index.html");
    f.assert_file_exists("status/current/page/2/index.html");
    f.write(
        "site.toml",
        "title = \"t\"\nlanguage = \"en\"\nlisting_page_size = 4\n",
    );
    f.build("2026-01-01");
    f.assert_file_contains("catalogue/page/2/index.html", "Page 2 of 2");
    assert!(!f.out().join("catalogue/page/3").exists(), "page 3 is gone");
    assert!(!f.out().join("status/current/page/3").exists());
    f.write("site.toml", "title = \"t\"\nlisting_page_size = 0\n");
    let diags = f.build_err("2026-01-01");
    assert!(has_error(&diags, Code::Config, "site.toml", Some(2)));
}
