//! Versions of one document: gathered from `version_of` files and inferred
//! from file names and titles, shown on dated pages with a timeline and
//! 对照表, and never presented as in force once replaced. Driven by
//! `tests/fixtures/versions/` and the shared corpus.

mod common;

use std::collections::BTreeMap;

use common::Fixture;
use gazette::diagnostics::Code;
use serde_json::Value;

fn catalogue(f: &Fixture) -> BTreeMap<String, Value> {
    let json: Value = serde_json::from_str(&f.read("catalogue.json")).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|d| (d["id"].as_str().unwrap().to_owned(), d.clone()))
        .collect()
}

/// (date, kind, has_text) of each version of `id`.
fn versions(cat: &BTreeMap<String, Value>, id: &str) -> Vec<(String, String, bool)> {
    cat[id]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["date"].as_str().unwrap().to_owned(),
                v["kind"].as_str().unwrap().to_owned(),
                v["has_text"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn v(date: &str, kind: &str, has_text: bool) -> (String, String, bool) {
    (date.to_owned(), kind.to_owned(), has_text)
}

#[test]
fn version_files_make_one_document_with_dated_pages() {
    let f = Fixture::new("versions");
    f.build("2026-01-01");
    let cat = catalogue(&f);
    assert_eq!(
        versions(&cat, "rules/base"),
        vec![
            v("2015-03-01", "original", true),
            v("2018-05-10", "revised", true),
            v("2020-06-01", "amended", true),
        ]
    );
    assert_eq!(cat["rules/base"]["status"], "amended");
    for gone in ["rules/base-2018", "rules/base-2020"] {
        assert!(!cat.contains_key(gone), "{gone} is listed as a document");
    }
    // The page shows the text in force; each version has its own page.
    f.assert_file_contains("docs/rules/base/index.html", "责任制和电子档案管理制度");
    f.assert_file_contains("docs/rules/base/index.html", "<h1>档案管理办法</h1>");
    let old = f.read("docs/rules/base/2015-03-01/index.html");
    assert!(old.contains("历史版本：自2015年4月1日起施行至2018年7月1日。"));
    assert!(old.contains("banner-version-historical"));
    assert!(
        old.contains("docs/rules/base/2018-05-10/"),
        "links its successor"
    );
    assert!(!old.contains("本版本为现行版本"));
    assert!(old.contains("档案应当集中统一管理"));
    // Its metadata gives the state of the text shown, not the document's.
    let meta = |page: &str| {
        let from = page.find("<dl class=\"meta\">").unwrap();
        page[from..from + page[from..].find("</dl>").unwrap()].to_owned()
    };
    assert!(meta(&old).contains("version-historical\">历史版本</span>"));
    assert!(
        !meta(&old).contains("status-amended"),
        "not the document's status"
    );
    let current = f.read("docs/rules/base/2020-06-01/index.html");
    assert!(current.contains("本版本为现行版本"));
    assert!(
        current.contains("示发〔2018〕6号"),
        "inherits the last 文号"
    );
    // Old file ids redirect to the version they stood for.
    f.assert_file_contains(
        "docs/rules/base-2018/index.html",
        "url=/docs/rules/base/2018-05-10/",
    );
}

#[test]
fn the_text_shown_is_the_one_in_force_on_the_build_date() {
    let f = Fixture::new("versions");
    f.build("2019-01-01");
    f.assert_file_contains("docs/rules/base/index.html", "责任制。");
    f.assert_file_lacks("docs/rules/base/index.html", "电子档案");
    f.assert_file_contains(
        "docs/rules/base/2020-06-01/index.html",
        "尚未施行的版本：将于2020年7月1日起施行。",
    );
    f.build("2016-01-01");
    f.assert_file_contains("docs/rules/base/index.html", "档案应当集中统一管理");
    assert_eq!(catalogue(&f)["rules/base"]["status"], "current");
}

#[test]
fn texts_without_front_matter_are_versions_by_name_and_history() {
    let f = Fixture::new("versions");
    let report = f.build("2026-01-01");
    let cat = catalogue(&f);
    assert_eq!(
        versions(&cat, "laws/示例法"),
        vec![
            v("2001-04-28", "original", false),
            v("2012-08-31", "amended", true),
            v("2016-11-07", "amended", false),
            v("2021-04-29", "revised", true),
        ]
    );
    let acts: Vec<Value> = cat["laws/示例法"]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["act"].clone())
        .collect();
    assert_eq!(
        acts[2],
        "《关于修改〈中华人民共和国示例法〉等十二部法律的决定》"
    );
    assert_eq!(cat["laws/示例法"]["published"], "2001-04-28");
    f.assert_file_contains("docs/laws/示例法/index.html", "国家鼓励示例活动");
    f.assert_file_contains(
        "docs/laws/示例法(2012-08-31)/index.html",
        "url=/docs/laws/%E7%A4%BA%E4%BE%8B%E6%B3%95/2012-08-31/",
    );
    // One code's books share a title and a date: parts, not versions.
    assert!(cat.contains_key("code/总则") && cat.contains_key("code/物权编"));
    assert!(versions(&cat, "code/总则").is_empty());
    // The same text in two folders is one version, reported once.
    let duplicates: Vec<_> = report
        .warnings
        .iter()
        .filter(|d| d.code == Code::DuplicateText)
        .map(|d| d.path.to_string_lossy().into_owned())
        .collect();
    assert_eq!(duplicates, vec!["content/other/示例法(2021-04-29).md"]);
    assert_eq!(cat.len(), 6);
    // 通过 then 公布: two steps of one text, not an amendment.
    let single = &cat["laws/单行条例"];
    assert_eq!(single["status"], "current");
    assert_eq!(single["versions"], serde_json::json!([]));
    assert_eq!(single["published"], "2005-06-06");
    assert_eq!(single["effective"], "2005-07-01");
}

#[test]
fn timeline_lists_versions_acts_and_texts_known_only_by_date() {
    let f = Fixture::new("versions");
    f.build("2026-01-01");
    let page = f.read("docs/laws/示例法/index.html");
    let start = page.find("class=\"timeline\"").unwrap();
    let timeline = &page[start..start + page[start..].find("</ol>").unwrap()];
    let dates: Vec<&str> = timeline
        .match_indices("<time datetime=\"")
        .map(|(i, m)| &timeline[i + m.len()..i + m.len() + 10])
        .collect();
    assert_eq!(
        dates,
        vec!["2001-04-28", "2012-08-31", "2016-11-07", "2021-04-29"]
    );
    assert_eq!(timeline.matches("未收录文本").count(), 2);
    assert!(timeline.contains("compare/2012-08-31/2021-04-29/"));
    let rules = f.read("docs/rules/base/index.html");
    assert!(
        rules.contains("关于修改《档案管理办法》的决定"),
        "the amending act"
    );
}

#[test]
fn comparison_pages_align_articles() {
    let f = Fixture::new("versions");
    f.build("2026-01-01");
    let page = f.read("docs/rules/base/compare/2015-03-01/2018-05-10/index.html");
    let rows: Vec<&str> = page
        .match_indices("<tr class=\"row-")
        .map(|(i, m)| {
            let rest = &page[i + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            "unchanged",
            "changed",
            "added",
            "renumbered",
            "deleted",
            "changed"
        ]
    );
    assert!(page.contains("<mark>和改进</mark>"));
    assert!(page.contains("共修改2条、新增1条、删除1条、条序调整1条。"));
}

#[test]
fn version_errors_name_file_and_line() {
    let f = Fixture::new("invalid/version_errors");
    let diags = f.build_err("2026-01-01");
    for (code, file, line) in [
        (Code::UnknownReference, "orphan.md", 3),
        (Code::DuplicateVersion, "same-day.md", 3),
        (Code::VersionBeforePublication, "too-early.md", 4),
        (Code::MissingMetadata, "undated.md", 3),
        (Code::UrlCollision, "clash.md", 2),
    ] {
        assert!(
            common::has_error(&diags, code, file, Some(line)),
            "no {code:?} at {file}:{line}:\n{}",
            common::render(&diags)
        );
    }
}

/// Files of one folder named `NAME(DATE).md`, grouped by `NAME`, read
/// straight from the corpus (not through gazette).
fn corpus_families(corpus: &std::path::Path) -> BTreeMap<String, Vec<String>> {
    let mut families: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(corpus).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(corpus).unwrap();
        let Some(stem) = rel.to_str().and_then(|s| s.strip_suffix(".md")) else {
            continue;
        };
        if let Some((name, date)) = stem.strip_suffix(')').and_then(|s| s.rsplit_once('('))
            && date.len() == 10
        {
            families
                .entry(name.to_owned())
                .or_default()
                .push(stem.to_owned());
        }
    }
    families.retain(|_, files| files.len() > 1);
    families
}

#[test]
fn shared_corpus_never_shows_an_older_version_in_force() {
    let Some(f) = common::corpus_site() else {
        return;
    };
    let corpus = common::corpus().unwrap();
    let report = f.build("2026-11-27");
    let duplicates: Vec<String> = report
        .warnings
        .iter()
        .filter(|d| d.code == Code::DuplicateText)
        .map(|d| d.path.to_string_lossy().into_owned())
        .collect();
    let cat = catalogue(&f);
    let families = corpus_families(&corpus);
    assert!(families.len() >= 70, "only {} families", families.len());
    for (name, files) in &families {
        let (latest, older) = files.split_last().unwrap();
        assert!(cat.contains_key(name), "{name} is not one document");
        for file in older {
            assert!(!cat.contains_key(file), "{file} is still its own document");
            let redirect = f.read(&format!("docs/{file}/index.html"));
            let target = redirect
                .split("url=/")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap_or_else(|| panic!("{file} does not redirect"));
            let version = percent_encoding::percent_decode_str(target)
                .decode_utf8()
                .unwrap();
            let page = f.read(&format!("{version}index.html"));
            // An older file is a historical version, or the same version
            // published twice (reported as a duplicate).
            let duplicate = duplicates.contains(&format!("content/{file}.md"));
            assert!(
                page.contains("banner-version-historical") || duplicate,
                "{file} ({version}) is not marked historical"
            );
        }
        let shown = f.read(&format!("docs/{name}/index.html"));
        let text = std::fs::read_to_string(corpus.join(format!("{latest}.md"))).unwrap();
        let last_article = text
            .lines()
            .rfind(|l| l.starts_with('第') && l.contains("条 "))
            .unwrap();
        // Compare text, not markup: labels and citations are links.
        let expected = gazette::markdown::nest_book_marks(last_article.trim());
        let shown = common::plain_text(&shown);
        assert!(
            shown.contains(&expected),
            "{name} does not show the text of {latest}"
        );
    }
    assert_eq!(
        cat["民法商法/公司法"]["versions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["has_text"] == true)
            .count(),
        2
    );
}
