//! Citations: `《title》`, `《title》第N条`, 文号, defined short titles and
//! `本规定第N条` in a text become links; a cited document no longer in force
//! is tagged; every document lists who cites it. Driven by
//! `tests/fixtures/citations/` and the shared corpus.

mod common;

use common::Fixture;

#[test]
fn mentions_become_links_and_cited_documents_know_it() {
    let f = Fixture::new("citations");
    f.build("2026-01-01");
    let b = f.read("docs/b/index.html");
    for link in [
        "<a href=\"/docs/a/#art-2\">《食品安全管理办法》第二条</a>",
        "<a href=\"/docs/a/\">示发[2020]1号</a>",
        "<a href=\"/docs/a/#art-3\">办法第三条</a>",
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
    let a = f.read("docs/a/index.html");
    let cited = &a[a.find("class=\"cited-by\"").expect("a cited-by list")..];
    assert!(cited.contains("食品安全检查规定"));
    assert!(cited.contains(">第二条</a>") && cited.contains(">第三条</a>"));
    let c = f.read("docs/c/index.html");
    assert!(c.contains("class=\"cited-by\""), "written links count too");
    assert!(c.contains("关于废止《旧检查规则》的决定"));
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
}
