//! Issue 16, reader experience, checked on the built example site: status
//! wording, typography (nested 书名号, list items, article links, a table of
//! contents of articles), the pending 施行 date, `<title>`, meta
//! descriptions, the favicon and the marking of texts no longer in force.

mod common;

use common::Fixture;

const AS_OF: &str = "2026-12-01";

fn site() -> Fixture {
    let f = Fixture::example_site();
    f.build(AS_OF);
    f
}

#[test]
fn amended_status_says_in_force_and_invalid_differs_from_expired() {
    let f = site();
    f.assert_file_contains(
        "docs/zuofeng/shuangshitiao/index.html",
        "<span class=\"status status-amended\">现行有效（已修改）</span>",
    );
    let csv_free = f.read("status/invalid/index.html");
    assert!(csv_free.contains("已宣布失效"), "invalid wording");
    assert!(!csv_free.contains(">已失效<"));
}

#[test]
fn document_typography_sets_off_articles_items_and_nested_book_marks() {
    let f = site();
    let page = f.read("docs/zuofeng/shuangshitiao/index.html");
    assert!(page.contains("<a class=\"art-no\" href=\"#art-11\">第十一条</a>"));
    assert!(page.contains("<p class=\"item\">（一）严禁用公款大吃大喝"));
    // No 《 inside 《…》 anywhere on the site's pages.
    for rel in [
        "catalogue/index.html",
        "docs/zuofeng/shuangshitiao/index.html",
    ] {
        let text = f.read(rel);
        for line in text.lines() {
            let mut depth = 0i32;
            for c in line.chars() {
                match c {
                    '《' => {
                        depth += 1;
                        assert!(depth < 2, "nested 《 in {rel}: {line}");
                    }
                    '》' => depth -= 1,
                    _ => {}
                }
            }
        }
    }
    // A document without chapters lists its articles as contents.
    let plain = f.read("docs/jiedai/waishi-jiedai/index.html");
    assert!(plain.contains("<li class=\"toc-3\"><a href=\"#art-1\">第一条</a></li>"));
}

#[test]
fn pending_history_title_description_and_favicon() {
    let f = site();
    let pending = f.read("docs/dangjian/wuge-zeren/index.html");
    assert!(pending.contains(
        "class=\"event event-effective\">施行</span> <span class=\"muted\">（预定）</span>"
    ));
    let page = f.read("docs/jiedai/gongwu-jiedai-2013/index.html");
    assert!(
        page.contains("<title>青川市党政机关公务接待管理规定（青办发〔2013〕10号） · 已被替代 - ")
    );
    let home = f.read("index.html");
    let description = |html: &str| {
        html.split("<meta name=\"description\" content=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_default()
            .to_owned()
    };
    assert_ne!(description(&page), description(&home));
    assert_ne!(
        description(&f.read("catalogue/index.html")),
        description(&home)
    );
    assert!(page.contains("<link rel=\"icon\" href=\"/static/favicon.svg\""));
    f.assert_file_exists("static/favicon.svg");
}

#[test]
fn texts_no_longer_in_force_are_marked_below_the_banner() {
    let f = site();
    f.assert_file_contains(
        "docs/jiedai/gongwu-jiedai-2013/index.html",
        "<div class=\"body body-outdated\" data-mark=\"非现行文本 · 已被替代\">",
    );
    f.assert_file_lacks("docs/jiedai/waishi-jiedai/index.html", "body-outdated");
}

#[test]
fn english_ui_has_no_full_width_punctuation_and_marks_chinese_content() {
    let f = Fixture::new("english_ui");
    f.build(AS_OF);
    let page = f.read("docs/old/a/index.html");
    for bad in ["Reason：", "as of：", "（1）", "aria-label=\"breadcrumb\""] {
        assert!(!page.contains(bad), "{bad} on an English page");
    }
    assert!(page.contains("<h1 lang=\"zh\">"));
    assert!(page.contains("aria-label=\"Breadcrumb\""));
    let decision = f.read("docs/cleanup/2025/index.html");
    assert!(
        decision.contains("Repeals (1)") || decision.contains(" (1)</h3>"),
        "counts in ASCII parentheses"
    );
    let catalogue = f.read("catalogue/index.html");
    assert!(catalogue.contains("<td class=\"col-title\" lang=\"zh\">"));
}

#[test]
fn listings_count_their_own_rows_and_say_what_ended_each_document() {
    let f = site();
    let year = f.read("years/2013/index.html");
    assert!(year.contains("<h1>2013年</h1>"));
    assert!(year.contains("<a href=\"/years/\">年份</a>"));
    // Own counts only: 2013 has no document in force without amendment.
    assert!(!year.contains("data-own-count=\"current\""));
    assert!(!year.contains("data-status-count"));
    let repealed = f.read("status/repealed/index.html");
    assert!(repealed.contains("<span class=\"ended\"><time datetime=\"2025-06-30\">2025-06-30</time> <a href=\"/docs/qingli/2025-decision/\">青发〔2025〕9号</a></span>"));
    // A decision's effects are grouped under it on the home page.
    let home = f.read("index.html");
    assert_eq!(home.matches("<ul class=\"group-effects\">").count(), 1);
    assert_eq!(
        home.matches("中共青川市委关于废止和宣布失效一批党内规范性文件的决定</a>")
            .count(),
        2,
        "once for the group, once for its 公布"
    );
    let decision = f.read("docs/qingli/2025-decision/index.html");
    assert!(decision.contains("<span class=\"status status-act\">决定</span>"));
    assert!(!decision.contains("class=\"status status-current\""));
    assert!(decision.contains("<a href=\"/decisions/\">清理与修改决定</a>"));
    assert!(decision.find("class=\"withheld\"") < decision.find("class=\"acts-table\""));
}
