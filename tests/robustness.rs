//! Robustness: no input makes gazette panic, hang or go quadratic, bad files
//! get one diagnostic each, symbolic links never lead out of the site, and
//! hostile content cannot write outside the output folder.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{Fixture, snapshot};
use gazette::catalogue::Catalogue;
use gazette::content::{Content, catalogue_file, parse_document};
use gazette::diagnostics::Code;
use gazette::markdown::Markdown;
use gazette::outline::Outline;
use gazette::search::text::chunks;
use proptest::prelude::*;

/// Pieces of front matter, valid and not, for the generators to combine.
const FRONT_MATTER_LINES: &[&str] = &[
    "title = \"标题\"",
    "id = \"a/b\"",
    "id = \"../x\"",
    "published = 2020-01-01",
    "published = 2023-02-30",
    "effective = \"2020-13-01\"",
    "supersedes = [\"a\", \"a\"]",
    "repeals = [{ id = \"x\", reason = 3 }]",
    "aliases = [\"../../etc\", \"/\", \"/old.html\"]",
    "status = \"repealed\"",
    "tags = \"x\"",
    "withheld = -4",
    "[extra]",
    "x = [[1], {a = 2}]",
    "title: 标题",
    "published: 2020-01-01",
    "based_on: [a, {id: b}]",
    "- list",
    "\"unterminated",
    "= = =",
    "",
];

/// Pieces of Markdown that stress the parser and the article/link passes.
/// Paragraph shapes that open articles or look as if they did.
const ARTICLE_PIECES: &[&str] = &[
    "第一条 甲。",
    "第二条 乙。\n第三条 同一段。",
    "> 第一条 引用。",
    "> > 第五条 深引用。",
    "- 第一条 列表项。",
    "1. 第二条 有序列表。\n\n   第三条 列表里的段落。",
    "**第一条** 粗体。",
    "第1条 阿拉伯数字。",
    "## 第一章 总则",
    "| 第一条 | 表 |\n|---|---|\n| 第二条 | 格 |",
    "```\n第一条 代码\n```",
    "[^1]: 第一条 脚注。",
    "<!-- no-citations -->",
    "依照第三条 办理。",
    "",
];

const MARKDOWN_PIECES: &[&str] = &[
    "# 标题",
    "第一条 内容。",
    "第九十九条之一",
    "[x](doc:a#art-3)",
    "[x](../../x.md#art-)",
    "[x](@/a.md#art-99999999999999999999)",
    "[x](%FF%FE.md)",
    "> > > 引用",
    "- - - 列表",
    "```rust\nfn main() {}\n```",
    "```\n未闭合",
    "| a | b |\n|---|---|",
    "<script>alert(1)</script>",
    "{{ 7 * 7 }} {% raw %}",
    "[^1]: 注",
    "<!-- INFO END -->",
    "2021年8月20日 通过",
    "自2021年13月40日起施行",
    "\u{0}\u{feff}\r\n",
];

fn pieces(list: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(list).prop_map(str::to_owned),
            any::<String>()
        ],
        0..24,
    )
    .prop_map(|v| v.join("\n"))
}

fn resolve(url: &str) -> Option<String> {
    url.starts_with("doc:a").then(|| "/docs/a/".to_owned())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn parsing_any_document_never_panics(fm in pieces(FRONT_MATTER_LINES), body in pieces(MARKDOWN_PIECES), yaml in any::<bool>()) {
        let delim = if yaml { "---" } else { "+++" };
        let text = format!("{delim}\n{fm}\n{delim}\n{body}");
        let mut diags = Vec::new();
        let doc = parse_document(Path::new("content/a.md"), Path::new("a.md"), &text, &mut diags);
        for d in &diags {
            prop_assert!(d.line.is_none_or(|l| l >= 1 && l <= text.lines().count().max(1) + 1), "{d:?}");
        }
        if let Some(doc) = doc {
            let (cat, _) = Catalogue::build(Content { documents: vec![doc], ..Content::default() }, "2026-01-01".parse().unwrap());
            prop_assert_eq!(cat.docs.len(), 1);
        }
    }

    #[test]
    fn parsing_any_catalogue_never_panics(entries in prop::collection::vec((any::<bool>(), pieces(FRONT_MATTER_LINES)), 0..8)) {
        let text: String = entries
            .iter()
            .map(|(decision, body)| format!("[[{}]]\n{body}\n", if *decision { "decision" } else { "document" }))
            .collect();
        let (documents, _) = catalogue_file::parse(Path::new("content/catalogue.toml"), &text);
        let (cat, diags) = Catalogue::build(Content { documents, ..Content::default() }, "2026-01-01".parse().unwrap());
        prop_assert!(cat.computed.len() == cat.docs.len());
        prop_assert!(diags.iter().all(|d| d.line.is_some()));
    }

    #[test]
    fn rendering_any_markdown_never_panics(body in pieces(MARKDOWN_PIECES)) {
        let rendered = Markdown::new(false).render(&body, &Outline::parse(&body), &resolve);
        prop_assert!(!rendered.html.contains("<script"));
    }

    /// The page, `check` and search agree on the articles of any body: the
    /// anchors the rendered HTML has are the outline's, and so are the ones
    /// search chunks link to.
    #[test]
    fn page_and_search_anchor_exactly_the_outlines_articles(body in pieces(ARTICLE_PIECES)) {
        let outline = Outline::parse(&body);
        let expected: Vec<String> = outline.anchors().map(|a| a.to_string()).collect();
        let html = Markdown::new(false).render(&body, &outline, &resolve).html;
        let page: Vec<String> = html
            .split("id=\"art-")
            .skip(1)
            .map(|rest| format!("art-{}", &rest[..rest.find('"').unwrap()]))
            .collect();
        prop_assert_eq!(&page, &expected, "page of {:?}", body);
        let searched: Vec<String> = chunks(&body, &outline).into_iter().filter_map(|c| c.anchor).collect();
        prop_assert_eq!(&searched, &expected, "search of {:?}", body);
    }

    #[test]
    fn parsing_any_site_toml_never_panics(text in pieces(&["title = \"x\"", "base_url = \"ftp:x\"", "language = \"fr\"", "as_of = 2023-02-30", "theme = \"../x\"", "[x]"])) {
        let _ = gazette::config::Config::parse(&text);
    }
}

/// A site whose content is a sample of the shared corpus (every `step`-th
/// file, at most `limit` of them).
fn corpus_sample(step: usize, limit: usize) -> Option<(tempfile::TempDir, Vec<PathBuf>)> {
    let corpus = common::corpus()?;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.toml"), "title = \"corpus\"\n").unwrap();
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&corpus)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .filter(|e| e.file_name() != "_index.md")
        .map(|e| e.path().strip_prefix(&corpus).unwrap().to_path_buf())
        .step_by(step)
        .collect();
    files.truncate(limit);
    for rel in &files {
        let target = dir.path().join("content").join(rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(corpus.join(rel), target).unwrap();
    }
    Some((dir, files))
}

/// How a file is damaged, and whether that must produce an error.
fn mangle(i: usize, text: &str, rng: &mut u64) -> (Vec<u8>, Option<Code>) {
    let mut next = |n: usize| {
        *rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*rng >> 33) as usize % n.max(1)
    };
    let bytes = text.as_bytes();
    match i % 6 {
        // Cut in the middle of a character.
        0 => {
            let cut = (1..bytes.len())
                .map(|_| next(bytes.len()))
                .find(|&c| !text.is_char_boundary(c));
            match cut {
                Some(c) => (bytes[..c].to_vec(), Some(Code::Encoding)),
                None => (bytes.to_vec(), None),
            }
        }
        // Random bytes.
        1 => (
            (0..4096).map(|_| next(256) as u8).chain([0xff]).collect(),
            Some(Code::Encoding),
        ),
        // The same text in GB18030, as exported by many Chinese office tools.
        2 => (
            encoding_rs::GB18030.encode(text).0.into_owned(),
            Some(Code::Encoding),
        ),
        // UTF-16 with a byte-order mark.
        3 => (
            [0xff, 0xfe]
                .into_iter()
                .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                .collect(),
            Some(Code::Encoding),
        ),
        // Front matter cut off before it closes.
        4 => (
            "+++\ntitle = \"截断\"\npublished = 2020-"
                .as_bytes()
                .to_vec(),
            Some(Code::FrontMatter),
        ),
        // Truncated at a character boundary: still a valid document.
        _ => {
            let cut = text.floor_char_boundary(next(text.len()));
            (bytes[..cut].to_vec(), None)
        }
    }
}

#[test]
fn mangled_corpus_files_each_get_a_diagnostic_and_never_panic() {
    let Some((dir, files)) = corpus_sample(29, 60) else {
        return;
    };
    let opts = gazette::BuildOptions {
        as_of: Some("2026-11-27".parse().unwrap()),
        ..gazette::BuildOptions::new(dir.path())
    };
    let report = gazette::build(&opts).unwrap_or_else(|d| panic!("{}", common::render(&d)));
    let before = snapshot(&report.out_dir);
    let mut rng = 42u64;
    let mut expected: BTreeMap<PathBuf, Code> = BTreeMap::new();
    for (i, rel) in files.iter().enumerate() {
        let path = dir.path().join("content").join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        let (bytes, code) = mangle(i, &text, &mut rng);
        std::fs::write(&path, bytes).unwrap();
        if let Some(code) = code {
            expected.insert(Path::new("content").join(rel), code);
        }
    }
    let diags = gazette::check(&opts).expect_err("mangled files are errors");
    for (path, code) in &expected {
        let found: Vec<_> = diags
            .iter()
            .filter(|d| &d.path == path && d.is_error())
            .collect();
        assert!(
            found.len() == 1 && found[0].code == *code && found[0].line.is_some(),
            "{}: expected one {code:?} error, got {found:?}",
            path.display()
        );
    }
    let unexpected: Vec<_> = diags
        .iter()
        .filter(|d| d.is_error() && !expected.contains_key(&d.path))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:?}");
    assert!(gazette::build(&opts).is_err());
    assert_eq!(
        before,
        snapshot(&report.out_dir),
        "a failed build changed the output"
    );
}

#[cfg(unix)]
#[test]
fn symlinks_are_skipped_with_a_warning_and_never_followed_out_of_the_site() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.md"),
        "# 机密文件\n\n第一条 不应发布。\n",
    )
    .unwrap();
    let f = Fixture::new("lifecycle");
    let content = f.root().join("content");
    symlink(outside.path().join("secret.md"), content.join("secret.md")).unwrap();
    symlink(outside.path(), content.join("outside")).unwrap();
    symlink(&content, content.join("rules/loop")).unwrap();
    symlink("missing.md", content.join("dangling.md")).unwrap();
    let report = f.build("2026-11-27");
    let mut skipped: Vec<_> = report
        .warnings
        .iter()
        .filter(|d| d.code == Code::Symlink)
        .map(|d| d.path.to_string_lossy().into_owned())
        .collect();
    skipped.sort();
    assert_eq!(
        skipped,
        [
            "content/dangling.md",
            "content/outside",
            "content/rules/loop",
            "content/secret.md"
        ]
    );
    let published = snapshot(&f.out());
    assert!(
        published
            .keys()
            .all(|k| !k.contains("secret") && !k.contains("loop"))
    );
    assert!(
        published
            .values()
            .all(|v| !String::from_utf8_lossy(v).contains("机密文件"))
    );
}

#[cfg(unix)]
#[test]
fn file_name_that_is_not_utf8_is_an_encoding_error() {
    use std::os::unix::ffi::OsStrExt;
    let f = Fixture::new("lifecycle");
    let name = std::ffi::OsStr::from_bytes(b"\xd6\xd0\xce\xc4.md");
    std::fs::write(f.root().join("content").join(name), "# 标题\n").unwrap();
    let diags = gazette::check(&f.options("2026-11-27")).unwrap_err();
    let found: Vec<_> = diags.iter().map(|d| d.code).collect();
    assert_eq!(found, [Code::Encoding], "{}", common::render(&diags));
}

#[test]
fn unreadable_files_are_io_errors_not_panics() {
    let f = Fixture::new("lifecycle");
    let doc = f.root().join("content/rules/conduct.md");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&doc, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    let readable_anyway = std::fs::read(&doc).is_ok();
    // Nobody, not even root, can read a folder as the catalogue file.
    let catalogue = f.root().join("content/catalogue.toml");
    std::fs::remove_file(&catalogue).unwrap();
    std::fs::create_dir(&catalogue).unwrap();
    let diags = gazette::check(&f.options("2026-11-27")).unwrap_err();
    let shown = common::render(&diags);
    assert!(
        common::has_error(&diags, Code::Io, "content/catalogue.toml", None),
        "{shown}"
    );
    if readable_anyway {
        eprintln!(
            "running as root: permission bits do not stop reads, so only the folder case is checked"
        );
    } else {
        assert!(
            common::has_error(&diags, Code::Io, "content/rules/conduct.md", None),
            "{shown}"
        );
    }
}

/// A document with `articles` numbered articles, one paragraph each.
fn long_document(articles: usize) -> String {
    let mut text = String::from("# 超长文件\n\n2020年1月1日 通过\n\n<!-- INFO END -->\n\n");
    for n in 1..=articles {
        text.push_str(&format!(
            "第{n}条 本条规定的内容，见[第一条](#art-1)，重复以增加篇幅。\n\n"
        ));
    }
    text
}

#[test]
fn large_and_deeply_nested_files_do_not_crash() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.toml"), "title = \"big\"\n").unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(&content).unwrap();
    // ~4 MB here; bench/robustness.sh times the 50 MB case in a release build.
    std::fs::write(content.join("long.md"), long_document(40_000)).unwrap();
    let depth = 5_000;
    std::fs::write(
        content.join("quotes.md"),
        format!("# 引用\n\n{}深\n", "> ".repeat(depth)),
    )
    .unwrap();
    let list: String = (0..depth)
        .map(|i| format!("{}- 第{i}层\n", "  ".repeat(i)))
        .collect();
    std::fs::write(content.join("lists.md"), format!("# 列表\n\n{list}")).unwrap();
    std::fs::write(
        content.join("brackets.md"),
        format!("# 括号\n\n{}x{}\n", "[".repeat(depth), "]".repeat(depth)),
    )
    .unwrap();
    let digits = format!(
        "# 数字\n\n2020年{}\n<!-- INFO END -->\n",
        "1".repeat(200_000)
    );
    std::fs::write(content.join("digits.md"), digits).unwrap();
    let catalogue: String = (0..5_000)
        .map(|i| {
            format!("[[document]]\nid = \"c/{i}\"\ntitle = \"文件{i}\"\npublished = 2020-01-01\n\n")
        })
        .collect();
    std::fs::write(content.join("catalogue.toml"), catalogue).unwrap();
    let opts = gazette::BuildOptions {
        as_of: Some("2026-01-01".parse().unwrap()),
        ..gazette::BuildOptions::new(dir.path())
    };
    let diags = gazette::check(&opts).unwrap_or_else(|d| panic!("{}", common::render(&d)));
    assert!(diags.iter().all(|d| !d.is_error()));
}

#[test]
fn hostile_content_cannot_write_outside_the_output_folder() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("site");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    common::copy_dir(&fixtures.join("hostile_input"), &root);
    let escape = root.join("content/escape.md");
    std::fs::write(
        &escape,
        "+++\ntitle = \"{{ site.title }}\"\npublished = 2020-01-01\naliases = [\"../../escaped.html\"]\n+++\n[x](../../../../etc/passwd.md)\n",
    )
    .unwrap();
    let opts = gazette::BuildOptions {
        as_of: Some("2026-01-01".parse().unwrap()),
        ..gazette::BuildOptions::new(&root)
    };
    let diags = gazette::build(&opts).unwrap_err();
    let shown = common::render(&diags);
    assert!(
        common::has_error(&diags, Code::InvalidAlias, "content/escape.md", Some(4)),
        "{shown}"
    );
    assert!(
        common::has_error(&diags, Code::BrokenLink, "content/escape.md", Some(6)),
        "{shown}"
    );
    assert_eq!(
        listing(outer.path()),
        ["site"],
        "something was written beside the site"
    );
    std::fs::write(
        &escape,
        "+++\ntitle = \"{{ site.title }}\"\npublished = 2020-01-01\naliases = [\"/old/escape.html\"]\n+++\n正文\n",
    )
    .unwrap();
    let report = gazette::build(&opts).unwrap_or_else(|d| panic!("{}", common::render(&d)));
    let page = std::fs::read_to_string(report.out_dir.join("docs/escape/index.html")).unwrap();
    assert!(
        page.contains("<h1>{{ site.title }}</h1>"),
        "template syntax in a title stays text"
    );
    assert_eq!(listing(outer.path()), ["site"]);
}

#[test]
fn build_never_replaces_a_folder_it_did_not_write() {
    let f = Fixture::new("lifecycle");
    let foreign = f.root().join("documents");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("thesis.docx"), "years of work").unwrap();
    let opts = gazette::BuildOptions {
        output: Some(foreign.clone()),
        ..f.options("2026-11-27")
    };
    let diags = gazette::build(&opts).unwrap_err();
    assert!(
        diags.iter().any(|d| d.code == Code::Output),
        "{}",
        common::render(&diags)
    );
    assert_eq!(listing(&foreign), ["thesis.docx"]);
    f.build("2026-11-27");
    f.build("2026-11-27");
    f.assert_file_exists(".gazette");
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Issue 17.1: a cell a spreadsheet would evaluate is written as text.
#[test]
fn issue_17_csv_cells_never_start_a_formula() {
    let f = Fixture::new("lifecycle");
    f.write(
        "content/formula.md",
        "+++\ntitle = \"=HYPERLINK(\\\"http://x\\\",\\\"y\\\")\"\nissuer = \"@SUM(1,1)\"\nnumber = \"-2+3\"\ncategory = \"\\tx\"\npublished = 2020-01-01\n+++\n正文\n",
    );
    f.build("2026-11-27");
    let csv = f.read("catalogue.csv");
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "formula cell {cell:?}"
            );
        }
    }
    assert!(csv.contains("'@SUM(1,1)"), "{csv}");
}

/// Issue 17.4: a control character in a title, heading or reason is dropped
/// from every XML output (which stays well-formed) and reported at its source.
#[test]
fn issue_17_xml_outputs_drop_characters_xml_forbids() {
    let f = Fixture::new("lifecycle");
    f.write(
        "content/control.md",
        "# 标题\u{1}含\u{0}控制\u{b}字符\n\n第一条 内容。\n",
    );
    f.write(
        "content/repealer.md",
        "+++\ntitle = \"废止\\u0001决定\"\npublished = 2021-01-01\nrepeals = [{ id = \"control\", reason = \"原因\\u000C\" }]\n+++\n正文\n",
    );
    let report = f.build("2026-11-27");
    let warned: Vec<_> = report
        .warnings
        .iter()
        .filter(|d| d.code == Code::ControlCharacter)
        .map(|d| (d.path.to_string_lossy().into_owned(), d.line))
        .collect();
    assert_eq!(
        warned,
        [
            ("content/control.md".to_owned(), Some(1)),
            ("content/repealer.md".to_owned(), Some(2))
        ]
    );
    for xml in ["feed.xml", "sitemap.xml"] {
        let text = f.read(xml);
        let bad = text
            .chars()
            .find(|&c| gazette::content::forbidden_in_xml(c));
        assert_eq!(bad, None, "{xml} is not well-formed XML");
    }
    f.assert_file_contains("feed.xml", "废止决定");
}

/// Issue 17.5: facet values whose slugs coincide each keep their own page.
#[test]
fn issue_17_facet_values_never_share_a_page() {
    let f = Fixture::new("lifecycle");
    let values = [
        ("a/b", "Facet one"),
        ("a-b", "Facet two"),
        ("ABC", "Facet three"),
        ("abc", "Facet four"),
        ("index.html", "Facet five"),
    ];
    for (i, (issuer, title)) in values.iter().enumerate() {
        f.write(
            &format!("content/facet{i}.md"),
            &format!("+++\ntitle = \"{title}\"\nissuer = \"{issuer}\"\nlevel = \"{issuer}\"\ncategory = \"{issuer}\"\npublished = 2020-01-01\n+++\n正文\n"),
        );
    }
    f.build("2026-11-27");
    for dir in ["issuers", "levels", "categories"] {
        let listings: Vec<String> = snapshot(&f.out().join(dir))
            .into_iter()
            .filter(|(k, _)| k.ends_with("/index.html"))
            .map(|(_, v)| String::from_utf8_lossy(&v).into_owned())
            .collect();
        for (_, title) in values {
            let pages = listings.iter().filter(|page| page.contains(title)).count();
            assert_eq!(pages, 1, "{dir}: {title} is listed on {pages} pages");
        }
    }
}

/// Issue 17.6: a symbolic link as the output is built through, not replaced.
#[cfg(unix)]
#[test]
fn issue_17_symlinked_output_is_built_into_its_target() {
    let f = Fixture::new("lifecycle");
    let real = tempfile::tempdir().unwrap();
    let link = f.root().join("public");
    std::os::unix::fs::symlink(real.path(), &link).unwrap();
    f.build("2026-11-27");
    f.build("2026-11-27");
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    assert!(real.path().join("catalogue.json").is_file());
    std::fs::remove_dir_all(real.path()).unwrap();
    let diags = f.build_err("2026-11-27");
    assert!(
        common::has_error(&diags, Code::Output, "public", None),
        "{}",
        common::render(&diags)
    );
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
}

/// Issue 17.9: what `build` would fail on writing (a file name over 255
/// bytes, a facet value named `index.html`) is reported by `check` at the
/// source line, or written under a name that fits.
#[test]
fn issue_17_check_reports_what_build_cannot_write() {
    let f = Fixture::new("lifecycle");
    let long = "长".repeat(100);
    f.write(
        "content/long-id.md",
        &format!("+++\ntitle = \"长 id\"\nid = \"x/{long}\"\npublished = 2020-01-01\n+++\n正文\n"),
    );
    f.write(
        "content/long-alias.md",
        &format!("+++\ntitle = \"长别名\"\npublished = 2020-01-01\naliases = [\"/old/{long}.html\"]\n+++\n正文\n"),
    );
    let diags = gazette::check(&f.options("2026-11-27")).unwrap_err();
    let shown = common::render(&diags);
    assert!(
        common::has_error(&diags, Code::InvalidId, "content/long-id.md", Some(3)),
        "{shown}"
    );
    assert!(
        common::has_error(&diags, Code::InvalidAlias, "content/long-alias.md", Some(4)),
        "{shown}"
    );
    std::fs::remove_file(f.root().join("content/long-id.md")).unwrap();
    std::fs::remove_file(f.root().join("content/long-alias.md")).unwrap();
    for (i, value) in [long.as_str(), "index.html"].into_iter().enumerate() {
        f.write(
            &format!("content/facet{i}.md"),
            &format!("+++\ntitle = \"分面{i}\"\nissuer = \"{value}\"\nlevel = \"{value}\"\ncategory = \"{value}\"\npublished = 2020-01-01\n+++\n正文\n"),
        );
    }
    gazette::check(&f.options("2026-11-27")).unwrap_or_else(|d| panic!("{}", common::render(&d)));
    f.build("2026-11-27");
}

/// A disk that refuses every write, as a full one does.
struct FullDisk;

impl gazette::output::Output for FullDisk {
    fn write(&self, rel: &str, _: &[u8]) -> Result<(), gazette::output::OutputError> {
        Err(gazette::output::OutputError {
            path: rel.into(),
            message: "No space left on device (os error 28)".into(),
        })
    }
}

/// Issue 17 (also observed): a full disk is reported once, not per file.
#[test]
fn issue_17_full_disk_is_reported_once() {
    let f = Fixture::new("lifecycle");
    let (site, diags) = gazette::site::load(&f.options("2026-11-27")).unwrap();
    let diags = site.render_with_index(&FullDisk, diags).unwrap_err();
    let output: Vec<_> = diags.iter().filter(|d| d.code == Code::Output).collect();
    assert_eq!(output.len(), 1, "{}", common::render(&diags));
    assert!(
        output[0].message.contains("more files"),
        "{}",
        output[0].message
    );
}

/// Issue 17.2 (catalogue): a catalogue file that is a symbolic link is
/// skipped with a warning, like links under `content/`.
#[cfg(unix)]
#[test]
fn issue_17_symlinked_catalogue_is_never_followed() {
    let f = Fixture::new("lifecycle");
    let outside = tempfile::tempdir().unwrap();
    let catalogue = f.root().join("content/catalogue.toml");
    std::fs::write(
        outside.path().join("c.toml"),
        "[[document]]\nid = \"secret\"\ntitle = \"机密目录\"\npublished = 2020-01-01\n",
    )
    .unwrap();
    std::fs::remove_file(&catalogue).unwrap();
    std::os::unix::fs::symlink(outside.path().join("c.toml"), &catalogue).unwrap();
    f.write(
        "content/cites.md",
        "+++\ntitle = \"引用\"\npublished = 2021-01-01\nbased_on = [\"secret\"]\n+++\n正文\n",
    );
    let diags = gazette::check(&f.options("2026-11-27")).unwrap_or_else(|d| d);
    let shown = common::render(&diags);
    let warned = diags
        .iter()
        .filter(|d| d.code == Code::Symlink && d.path.ends_with("catalogue.toml"))
        .count();
    assert_eq!(warned, 1, "{shown}");
    assert!(
        common::has_error(&diags, Code::UnknownReference, "content/cites.md", Some(4)),
        "the linked catalogue was read: {shown}"
    );
}

/// Issues 17.7 and 17.8: a build killed at any moment leaves a site in
/// place, and the next build removes what the killed one left (issue 15:
/// temporary files of the incremental output, as well as the staging
/// folders earlier versions made).
#[cfg(target_os = "linux")]
#[test]
fn issue_17_killed_builds_never_lose_the_site_or_leave_folders() {
    let f = Fixture::new("lifecycle");
    f.build("2026-11-27");
    let leftovers = || {
        listing(f.root())
            .into_iter()
            .filter(|n| n.starts_with(".public."))
            .collect::<Vec<_>>()
    };
    for i in 0..12u64 {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gazette"))
            .args(["build", "--as-of", "2026-11-27", "--root"])
            .arg(f.root())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(15 * i));
        let _ = child.kill();
        let _ = child.wait();
        for page in ["index.html", ".gazette", "catalogue.json"] {
            assert!(f.out().join(page).is_file(), "kill {i}: {page} missing");
        }
    }
    f.build("2026-11-27");
    assert_eq!(leftovers(), Vec::<String>::new());
    assert_eq!(temporary_files(&f.out()), Vec::<String>::new());
}

/// Temporary files an incremental build left in `out` (in a temporary
/// folder, as a fresh build writes them, or beside their place).
fn temporary_files(out: &Path) -> Vec<String> {
    snapshot(out)
        .into_keys()
        .filter(|rel| temporary(rel))
        .collect()
}

/// True if `rel` is a temporary file or lies in a temporary folder.
fn temporary(rel: &str) -> bool {
    rel.split('/').any(|part| part.starts_with(".gz-tmp-"))
}

/// Modification time and inode of every file under `dir`: a file written
/// again, even with the same bytes, gets a new inode (and mtime).
fn stats(dir: &Path) -> BTreeMap<String, (std::time::SystemTime, u64)> {
    use std::os::unix::fs::MetadataExt;
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let meta = e.metadata().unwrap();
            let rel = e.path().strip_prefix(dir).unwrap();
            let rel = rel.to_string_lossy().into_owned();
            (rel, (meta.modified().unwrap(), meta.ino()))
        })
        .collect()
}

/// Issue 15: a rebuild with no change writes no file.
#[cfg(unix)]
#[test]
fn issue_15_a_rebuild_with_no_change_writes_nothing() {
    let f = Fixture::new("lifecycle");
    assert!(!f.build("2026-11-27").unchanged);
    let before = stats(&f.out());
    assert!(before.contains_key(".gazette-manifest"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert!(f.build("2026-11-27").unchanged, "nothing was loaded");
    assert_eq!(before, stats(&f.out()));
}

/// The output of `f` equals what a fresh build of it as of `day` writes.
#[track_caller]
fn assert_equals_fresh_build(f: &Fixture, day: &str) {
    let fresh = tempfile::tempdir().unwrap();
    let opts = gazette::BuildOptions {
        output: Some(fresh.path().join("out")),
        ..f.options(day)
    };
    gazette::build(&opts).unwrap();
    assert_eq!(
        without_manifest(snapshot(&f.out())),
        without_manifest(snapshot(&fresh.path().join("out")))
    );
}

/// Issue 15: a build does nothing only when nothing it reads changed.
/// Every kind of input (a document, the date, a template, a static file,
/// `site.toml`, the catalogue file) makes a full build, whose output equals
/// a fresh build's; the build after it has nothing to do.
#[test]
fn issue_15_any_changed_input_builds_again() {
    let f = Fixture::new("lifecycle");
    f.build("2026-11-27");
    let doc = f.root().join("content/rules/conduct.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    let edits: [(&str, &dyn Fn() -> &'static str); 6] = [
        ("a document", &|| {
            std::fs::write(&doc, format!("{text}\n第九十条 新增的条文。\n")).unwrap();
            "2026-11-27"
        }),
        ("the date", &|| "2026-11-28"),
        ("a template", &|| {
            f.write("templates/404.html", "<p>gone</p>");
            "2026-11-28"
        }),
        ("a static file", &|| {
            f.write("static/extra.css", "body { margin: 0 }");
            "2026-11-28"
        }),
        ("site.toml", &|| {
            let config = std::fs::read_to_string(f.root().join("site.toml")).unwrap();
            f.write("site.toml", &format!("{config}\n# edited\n"));
            "2026-11-28"
        }),
        ("the catalogue", &|| {
            let path = f.root().join("content/catalogue.toml");
            let catalogue = std::fs::read_to_string(&path).unwrap();
            std::fs::write(path, format!("{catalogue}\n# edited\n")).unwrap();
            "2026-11-28"
        }),
    ];
    for (what, edit) in edits {
        let day = edit();
        assert!(!f.build(day).unchanged, "{what} changed: build again");
        assert_equals_fresh_build(&f, day);
        assert!(f.build(day).unchanged, "after {what}: nothing changed");
    }
}

/// Issue 15: an output edited, added to or cut since the last build is
/// built again (and so repaired), though no input changed.
#[cfg(unix)]
#[test]
fn issue_15_an_output_touched_since_the_last_build_is_repaired() {
    let f = Fixture::new("lifecycle");
    f.build("2026-11-27");
    let index = f.out().join("index.html");
    let touches: [(&str, &dyn Fn()); 4] = [
        ("edited", &|| std::fs::write(&index, "defaced").unwrap()),
        ("removed", &|| std::fs::remove_file(&index).unwrap()),
        ("added to", &|| {
            std::fs::write(f.out().join("stray.html"), "x").unwrap()
        }),
        ("left a temporary file in", &|| {
            std::fs::write(f.out().join(".gz-tmp-4194303-0"), "half").unwrap()
        }),
    ];
    for (what, touch) in touches {
        touch();
        assert!(!f.build("2026-11-27").unchanged, "output {what}");
        assert_equals_fresh_build(&f, "2026-11-27");
    }
}

/// Issue 15: a build with nothing to do reports the warnings the last one
/// found, and `--deny-warnings` still fails on them, changing nothing.
#[test]
fn issue_15_a_build_with_nothing_to_do_repeats_its_warnings() {
    let f = Fixture::new("lifecycle");
    f.write("content/undated.md", "# 无日期的文件\n\n正文。\n");
    let first = f.build("2026-11-27");
    let warned = |d: &gazette::diagnostics::Diagnostics| {
        d.iter().filter(|d| d.code == Code::MissingMetadata).count()
    };
    assert_eq!(
        warned(&first.warnings),
        1,
        "{}",
        common::render(&first.warnings)
    );
    let again = f.build("2026-11-27");
    assert!(again.unchanged);
    assert_eq!(again.warnings.0, first.warnings.0);
    let before = snapshot(&f.out());
    let denied = gazette::build(&gazette::BuildOptions {
        deny_warnings: true,
        ..f.options("2026-11-27")
    })
    .unwrap_err();
    assert!(denied.has_errors() && warned(&denied) == 1);
    assert_eq!(before, snapshot(&f.out()));
}

/// Issue 15: editing one document rewrites exactly the files whose bytes
/// changed, and the result equals a fresh build.
#[cfg(unix)]
#[test]
fn issue_15_editing_one_document_rewrites_only_the_files_it_changes() {
    let f = Fixture::new("lifecycle");
    f.build("2026-11-27");
    let (bytes, before) = (snapshot(&f.out()), stats(&f.out()));
    let doc = f.root().join("content/rules/conduct.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    std::fs::write(&doc, format!("{text}\n第九十条 新增的条文。\n")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    f.build("2026-11-27");
    let (now, after) = (snapshot(&f.out()), stats(&f.out()));
    let changed: Vec<_> = now
        .keys()
        .filter(|k| bytes.get(*k) != now.get(*k))
        .collect();
    assert!(
        changed.iter().any(|k| k.starts_with("docs/rules/conduct/")),
        "{changed:?}"
    );
    for (rel, stat) in &after {
        let rewritten = before.get(rel) != Some(stat);
        let differs = bytes.get(rel) != now.get(rel);
        assert_eq!(
            rewritten, differs,
            "{rel}: rewritten {rewritten}, bytes changed {differs}"
        );
    }
    assert!(
        changed.len() < now.len() / 2,
        "{} of {} files changed",
        changed.len(),
        now.len()
    );
    let fresh = tempfile::tempdir().unwrap();
    let opts = gazette::BuildOptions {
        output: Some(fresh.path().join("out")),
        ..f.options("2026-11-27")
    };
    gazette::build(&opts).unwrap();
    assert_eq!(
        without_manifest(now),
        without_manifest(snapshot(&fresh.path().join("out")))
    );
}

fn without_manifest(mut files: BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    files.remove(".gazette-manifest");
    files
}

/// Issue 15: a build that fails while rendering leaves every file as it
/// was, mtimes included, and no temporary file or new folder.
#[cfg(unix)]
#[test]
fn issue_15_a_failed_build_changes_no_file() {
    let f = Fixture::new("lifecycle");
    f.build("2026-11-27");
    let (bytes, before) = (snapshot(&f.out()), stats(&f.out()));
    let folders = |dir: &Path| -> Vec<String> {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| e.path().to_string_lossy().into_owned())
            .collect()
    };
    let listing_before = folders(f.root());
    f.write(
        "content/new/page.md",
        "+++\ntitle = \"新\"\npublished = 2013-03-01\n+++\n[missing](doc:nothing)\n",
    );
    let diags = f.build_err("2026-11-27");
    assert!(common::has_error(
        &diags,
        Code::BrokenLink,
        "content/new/page.md",
        Some(5)
    ));
    assert_eq!(bytes, snapshot(&f.out()));
    assert_eq!(before, stats(&f.out()));
    std::fs::remove_dir_all(f.root().join("content/new")).unwrap();
    assert_eq!(
        listing_before,
        folders(f.root()),
        "no folder or file was added"
    );
}

/// Issue 15: builds of a copy of the shared corpus killed at staggered
/// moments leave every file either as the previous build or as the killed
/// build would have written it (never torn), and the next build turns the
/// output into exactly what a fresh build writes.
#[cfg(target_os = "linux")]
#[test]
fn issue_15_killed_builds_leave_old_or_new_files_and_the_next_build_repairs_them() {
    let Some((dir, _)) = corpus_sample(5, usize::MAX) else {
        return;
    };
    let (old_day, new_day) = ("2000-01-01", "2026-11-27");
    let fresh = |day: &str| {
        let out = dir.path().join(format!("fresh-{day}"));
        let started = std::time::Instant::now();
        run_build(dir.path(), day, Some(&out)).wait().unwrap();
        (snapshot(&out), started.elapsed())
    };
    let (old, _) = fresh(old_day);
    let (new, took) = fresh(new_day);
    assert_ne!(without_manifest(old.clone()), without_manifest(new.clone()));
    let out = dir.path().join("public");
    for i in 0..8u32 {
        let (from, to) = if i % 2 == 0 {
            (old_day, new_day)
        } else {
            (new_day, old_day)
        };
        assert!(run_build(dir.path(), from, None).wait().unwrap().success());
        let expected = if from == old_day { &old } else { &new };
        let repaired = without_manifest(snapshot(&out));
        assert!(
            repaired == without_manifest(expected.clone()),
            "kill {i}: not repaired"
        );
        let mut child = run_build(dir.path(), to, None);
        std::thread::sleep(took * (i + 1) / 8);
        let _ = child.kill();
        let _ = child.wait();
        for (rel, bytes) in snapshot(&out) {
            let known = [&old, &new].iter().any(|s| s.get(&rel) == Some(&bytes));
            assert!(
                known || temporary(&rel) || rel == ".gazette-manifest",
                "kill {i}: {rel} is torn"
            );
        }
    }
    assert!(
        run_build(dir.path(), new_day, None)
            .wait()
            .unwrap()
            .success()
    );
    assert_eq!(without_manifest(snapshot(&out)), without_manifest(new));
    assert_eq!(temporary_files(&out), Vec::<String>::new());
}

/// Issue 15: a fresh build (into no output) writes its files in a
/// temporary folder inside the output and moves them out at the end. Killed
/// at staggered moments, it leaves no torn file outside that folder, and
/// the next build removes the folder and writes exactly a fresh build's
/// bytes.
#[cfg(target_os = "linux")]
#[test]
fn issue_15_killed_fresh_builds_tear_no_file_and_the_next_build_completes_them() {
    let Some((dir, _)) = corpus_sample(5, usize::MAX) else {
        return;
    };
    let day = "2026-11-27";
    let reference = dir.path().join("reference");
    let started = std::time::Instant::now();
    assert!(
        run_build(dir.path(), day, Some(&reference))
            .wait()
            .unwrap()
            .success()
    );
    let took = started.elapsed();
    let expected = without_manifest(snapshot(&reference));
    let mut staged = 0;
    for i in 0..8u32 {
        let out = dir.path().join(format!("killed-{i}"));
        let mut child = run_build(dir.path(), day, Some(&out));
        std::thread::sleep(took * (i + 1) / 8);
        let _ = child.kill();
        let _ = child.wait();
        let left = snapshot(&out);
        staged += usize::from(left.keys().any(|rel| temporary(rel)));
        for (rel, bytes) in left {
            let own = temporary(&rel) || rel == ".gazette" || rel == ".gazette-manifest";
            assert!(
                own || expected.get(&rel) == Some(&bytes),
                "kill {i}: {rel} is torn or not the build's"
            );
        }
        assert!(
            run_build(dir.path(), day, Some(&out))
                .wait()
                .unwrap()
                .success()
        );
        let completed = without_manifest(snapshot(&out));
        assert!(completed == expected, "kill {i}: not completed");
        assert_eq!(temporary_files(&out), Vec::<String>::new());
    }
    assert!(staged > 0, "no kill landed while files were staged");
}

/// Issue 15: a killed fresh build's temporary folder, left empty or full,
/// beside the marker, goes with the next build, even when nothing changed
/// since the last one (a no-change build otherwise writes nothing).
#[test]
fn issue_15_a_temporary_folder_of_a_dead_build_goes_with_the_next_build() {
    let f = Fixture::new("lifecycle");
    f.build("2026-11-27");
    let folder = f.out().join(".gz-tmp-2000000000-site");
    std::fs::create_dir_all(folder.join("docs")).unwrap();
    f.build("2026-11-27");
    assert!(!folder.exists(), "left behind by a no-change build");
    let fresh = tempfile::tempdir().unwrap();
    let out = fresh.path().join("public");
    std::fs::create_dir_all(out.join(".gz-tmp-2000000000-site/docs")).unwrap();
    std::fs::copy(f.out().join(".gazette"), out.join(".gazette")).unwrap();
    assert!(
        run_build(f.root(), "2026-11-27", Some(&out))
            .wait()
            .unwrap()
            .success()
    );
    let (built, fresh) = (snapshot(&out), snapshot(&f.out()));
    assert!(
        without_manifest(built) == without_manifest(fresh),
        "a fresh build's bytes, no leftover"
    );
}

/// Issue 15: two fresh builds into the same empty output at once both
/// succeed (the second moves its files into the folders the first put in
/// place) and leave a fresh build's bytes.
#[test]
fn issue_15_two_fresh_builds_into_one_output_both_succeed() {
    let f = Fixture::new("lifecycle");
    f.build("2026-11-27");
    for round in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir(&out).unwrap();
        let builds: Vec<_> = (0..2)
            .map(|_| run_build(f.root(), "2026-11-27", Some(&out)))
            .collect();
        for mut b in builds {
            assert!(b.wait().unwrap().success(), "round {round}: a build failed");
        }
        let (built, fresh) = (snapshot(&out), snapshot(&f.out()));
        assert!(
            without_manifest(built) == without_manifest(fresh),
            "round {round}: not a fresh build's bytes"
        );
    }
}

/// Start `gazette build` of the site at `root` as of `day`.
fn run_build(root: &Path, day: &str, output: Option<&Path>) -> std::process::Child {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_gazette"));
    cmd.args(["build", "--as-of", day, "--root"]).arg(root);
    if let Some(out) = output {
        cmd.arg("--output").arg(out);
    }
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}
