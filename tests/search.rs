//! Search index: on the shared corpus every CJK phrase query returns exactly
//! the documents whose text contains the phrase (no misses, no false hits);
//! index files are named by their content, so a rebuild rewrites only the
//! files whose bytes changed.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

/// Every index file under `out/search/` (beside the search page) with its
/// modification time.
fn index_files(out: &Path) -> BTreeMap<String, SystemTime> {
    std::fs::read_dir(out.join("search"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            assert!(e.file_type().unwrap().is_file(), "one flat folder");
            let name = e.file_name().into_string().unwrap();
            (name, e.metadata().unwrap().modified().unwrap())
        })
        .filter(|(name, _)| name != "index.html")
        .collect()
}

#[test]
fn index_files_are_named_by_content_and_kept_when_unchanged() {
    let f = common::Fixture::example_site();
    f.build("2026-11-27");
    let before = index_files(&f.out());
    for (name, _) in before.iter().filter(|(n, _)| *n != "manifest.json") {
        let bytes = std::fs::read(f.out().join("search").join(name)).unwrap();
        let hash = gazette::digest::bytes(&bytes);
        assert_eq!(
            name,
            &format!("{:012x}.bin", hash >> 16),
            "named by its bytes"
        );
    }
    std::thread::sleep(std::time::Duration::from_millis(20));
    f.build("2026-11-27");
    assert_eq!(index_files(&f.out()), before, "no change, no file written");

    // An issuer is metadata only: docs.bin and the manifest naming it change,
    // every postings and table file keeps its name and bytes.
    let path = "content/zuofeng/jieri-songli.md";
    let text = std::fs::read_to_string(f.root().join(path))
        .unwrap()
        .replace("中共青川市纪律检查委员会", "中共青川市委");
    f.write(path, &text);
    f.build("2026-11-27");
    let after = index_files(&f.out());
    let gone: Vec<&String> = before.keys().filter(|n| !after.contains_key(*n)).collect();
    let new: Vec<&String> = after.keys().filter(|n| !before.contains_key(*n)).collect();
    assert_eq!(
        (gone.len(), new.len()),
        (1, 1),
        "docs.bin only: {gone:?} {new:?}"
    );
    let rewritten: Vec<&String> = after
        .iter()
        .filter(|(n, t)| before.get(*n).is_some_and(|old| old != *t))
        .map(|(n, _)| n)
        .collect();
    assert_eq!(rewritten, ["manifest.json"]);
}

/// Legal phrases readers search for, of 2 to 6 characters, common and rare.
const PHRASES: &[&str] = &[
    "法律责任",
    "个人信息",
    "人民法院",
    "政府信息公开",
    "起诉",
    "行政复议",
    "国务院",
    "知识产权",
    "未成年人",
    "劳动合同",
    "消费者",
    "罚款",
    "没收违法所得",
    "由公安机关",
    "依法追究刑事责任",
    "个人信息保护",
    "数据安全",
    "网络安全",
    "环境保护",
    "土地管理",
    "食品安全",
    "著作权",
    "商标",
    "专利权",
    "仲裁",
    "诉讼时效",
    "国家秘密",
    "公共利益",
    "县级以上地方人民政府",
    "民事行为能力",
    "正当防卫",
    "死刑",
    "律责",
    "信息公开",
    "第十条",
    "第5条",
];

fn contains(doc: &gazette::content::Document, phrase: &str) -> bool {
    doc.title.contains(phrase)
        || doc
            .meta
            .fields
            .number
            .as_deref()
            .is_some_and(|n| n.contains(phrase))
        || doc
            .body
            .as_ref()
            .is_some_and(|b| b.markdown.contains(phrase))
}

#[test]
fn cjk_phrases_match_exactly_the_texts_containing_them() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.toml"), "title = \"corpus\"\n").unwrap();
    common::copy_dir(&corpus, &dir.path().join("content"));
    let opts = gazette::BuildOptions {
        as_of: Some("2026-11-27".parse().unwrap()),
        ..gazette::BuildOptions::new(dir.path())
    };
    let (site, _) = gazette::site::load(&opts).unwrap_or_else(|d| panic!("{}", common::render(&d)));
    let cat = &site.catalogue;
    let index = gazette::search::index(cat);
    for phrase in PHRASES {
        let expected: Vec<u32> = (0..cat.docs.len() as u32)
            .filter(|&i| contains(&cat.docs[i as usize], phrase))
            .collect();
        let found: Vec<u32> = index
            .phrase(phrase)
            .unwrap()
            .into_iter()
            .map(|(d, _)| d)
            .collect();
        let missed: Vec<_> = expected.iter().filter(|d| !found.contains(d)).collect();
        let false_hits: Vec<_> = found.iter().filter(|d| !expected.contains(d)).collect();
        assert!(
            missed.is_empty() && false_hits.is_empty(),
            "{phrase}: {} expected, {} found; missed {:?}, false hits {:?}",
            expected.len(),
            found.len(),
            missed
                .iter()
                .map(|&&d| &cat.docs[d as usize].id)
                .collect::<Vec<_>>(),
            false_hits
                .iter()
                .map(|&&d| &cat.docs[d as usize].id)
                .collect::<Vec<_>>(),
        );
        eprintln!("{phrase}: {} texts", expected.len());
    }
}
