//! Citations: `《title》`, `《title》第N条`, 文号, defined short titles and
//! `本规定第N条` in a text become links; a cited document no longer in force
//! is tagged; every document lists who cites it. Driven by
//! `tests/fixtures/citations/` and the shared corpus.

mod common;

use common::Fixture;
use gazette::diagnostics::{Code, Severity};

#[test]
fn mentions_become_links_and_cited_documents_know_it() {
    let f = Fixture::new("citations");
    let report = f.build("2026-01-01");
    let b = f.read("docs/b/index.html");
    for link in [
        // b (2021) cites the 2020 text of a, not the 2022 one shown at /docs/a/.
        "<a href=\"/docs/a/2020-01-01/#art-2\">《食品安全管理办法》第二条</a>",
        "<a href=\"/docs/a/2020-01-01/\">示发[2020]1号</a>",
        "<a href=\"/docs/a/2020-01-01/#art-3\">办法第三条</a>",
        "<a href=\"#art-1\">第一条</a>",
    ] {
        assert!(b.contains(link), "missing {link}");
    }
    assert!(
        b.contains("《某国家法律》另有规定"),
        "unknown titles stay text"
    );
    assert!(
        b.contains("<code>《食品安全管理办法》</code>"),
        "code is never linked"
    );
    assert!(
        b.contains("<a href=\"/docs/c/\">《旧检查规则》</a><span class=\"status status-repealed cite-status\">已废止</span>"),
        "a repealed document is tagged where it is cited"
    );
    let e = f.read("docs/e/index.html");
    assert!(
        e.contains("<a href=\"/docs/a/#art-2\">《中华人民共和国食品安全管理办法》第二条</a>"),
        "a text of 2023 cites the version shown, prefix or not"
    );
    let a = f.read("docs/a/index.html");
    let cited = &a[a.find("class=\"cited-by\"").expect("a cited-by list")..];
    assert!(cited.contains("食品安全检查规定"));
    assert!(cited.contains(">第二条</a>") && cited.contains(">第三条</a>"));
    let c = f.read("docs/c/index.html");
    assert!(c.contains("class=\"cited-by\""), "written links count too");
    assert!(c.contains("关于废止《旧检查规则》的决定"));
    let json: serde_json::Value = serde_json::from_str(&f.read("catalogue.json")).unwrap();
    let b = json
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "b")
        .unwrap();
    assert_eq!(
        b["cites"],
        serde_json::json!([
            {"id": "a", "article": null, "count": 1},
            {"id": "a", "article": 2, "count": 1},
            {"id": "a", "article": 3, "count": 1},
            {"id": "c", "article": null, "count": 1},
        ]),
        "catalogue.json lists outgoing citations by target and article"
    );
    let warned: Vec<_> = report
        .warnings
        .iter()
        .map(|d| (d.code, d.path.to_string_lossy().into_owned(), d.line))
        .collect();
    assert_eq!(
        warned,
        [(Code::CitesNotInForce, "content/b.md".to_owned(), Some(5))],
        "b is in force and relies on c, repealed by d; d itself is not warned"
    );
    assert!(
        report.warnings.0[0]
            .message
            .contains("repealed on 2020-06-01 by `d`")
    );
}

#[test]
fn an_opted_out_passage_is_text_and_written_links_still_win() {
    let f = Fixture::new("citations");
    f.build("2026-01-01");
    let b = f.read("docs/b/index.html");
    assert!(
        b.contains("第三条</a> 《食品安全管理办法》第九条曾经规定的事项"),
        "an opted-out passage is neither linked nor checked, and its markers vanish"
    );
    assert!(b.contains("<a href=\"/docs/a/\">《食品安全管理办法》</a>的解释除外"));
}

#[test]
fn a_missing_article_is_an_error_but_older_numbering_is_not() {
    let f = Fixture::new("citations");
    f.write(
        "content/g.md",
        "+++\ntitle = \"抽检办法\"\npublished = 2023-06-01\n+++\n第一条 依照《食品安全管理办法》第三条处理。\n",
    );
    let diags = f.build_err("2026-01-01");
    assert!(
        common::has_error(&diags, Code::BrokenLink, "content/g.md", Some(5)),
        "in 2023 the text in force (2022) has no article 3:\n{}",
        common::render(&diags)
    );
    assert_eq!(
        diags.error_count(),
        1,
        "b (2021) may cite article 3 of the 2020 text"
    );
}

#[test]
fn an_ambiguous_title_is_a_note_that_never_fails_a_build() {
    let f = Fixture::new("citations");
    for name in ["x1", "x2"] {
        f.write(
            &format!("content/{name}.md"),
            "+++\ntitle = \"重名规定\"\npublished = 2020-01-01\n+++\n第一条 内容。\n",
        );
    }
    f.write(
        "content/h.md",
        "+++\ntitle = \"引用重名\"\npublished = 2021-01-01\n+++\n第一条 依照《重名规定》和《重名规定》。\n",
    );
    f.write(
        "content/b.md",
        "+++\ntitle = \"无引用\"\npublished = 2021-01-01\n+++\n无。\n",
    );
    let opts = gazette::BuildOptions {
        deny_warnings: true,
        ..f.options("2026-01-01")
    };
    let report = gazette::build(&opts).unwrap_or_else(|d| panic!("{}", common::render(&d)));
    let notes: Vec<_> = report
        .warnings
        .iter()
        .filter(|d| d.code == Code::AmbiguousCitation)
        .collect();
    assert_eq!(notes.len(), 1, "one note per title and text");
    assert_eq!(notes[0].severity, Severity::Note);
    assert_eq!((notes[0].line, notes[0].column), (Some(5), Some(7)));
    assert!(notes[0].message.contains("`x1`, `x2`") && notes[0].message.contains("2 times"));
    assert!(!f.read("docs/h/index.html").contains("<a href=\"/docs/x"));
}

#[test]
fn corpus_citations_resolve_without_errors() {
    let Some(f) = common::corpus_site() else {
        return;
    };
    f.build("2026-11-27");
    // 《民法典》 names the books of the code (parts with one title): not linked.
    let page = f.read("docs/民法商法/公司法/index.html");
    assert!(page.contains("class=\"cited-by\""), "the 公司法 is cited");
    // The 2017 细则 cites article 30 of the 2014 反间谍法 (阻碍执行任务), which
    // the 2023 revision renumbered: the link goes to the 2014 version.
    let rules = f.read("docs/行政法规/反间谍法实施细则(2017-11-22)/index.html");
    let law = "/docs/%E8%A1%8C%E6%94%BF%E6%B3%95/%E5%8F%8D%E9%97%B4%E8%B0%8D%E6%B3%95";
    assert!(rules.contains(&format!(
        "<a href=\"{law}/2014-11-01/#art-30\">《反间谍法》第三十条</a>"
    )));
}

#[test]
fn example_site_links_a_title_cited_without_its_prefix() {
    let f = Fixture::example_site();
    f.build("2026-12-02");
    // 《政府信息公开条例》 names the catalogue's 中华人民共和国政府信息公开条例.
    f.assert_file_contains(
        "docs/zhengfu/zhengwu-gongkai/index.html",
        "<a href=\"/docs/shangweifa/zhengfu-xinxi-gongkai-tiaoli/\">《政府信息公开条例》</a>",
    );
}
