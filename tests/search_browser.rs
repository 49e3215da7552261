//! The search page in headless Chromium, against the built example site and
//! the shared corpus served on loopback: ranked results, filters, highlighted
//! snippets, article links, URL state, a `base_url` path prefix, exact
//! result counts for CJK phrases, and a page left open across a new deploy.
//! Skips with a reason when Chromium is absent.

mod common;

use std::path::Path;

use serde_json::Value;

use common::Fixture;
use common::browser::{Driver, Server, chromium, dump_dom, encode};

/// One result as the page shows it.
#[derive(Debug)]
struct Hit {
    class: String,
    href: String,
    title: String,
    snippet: String,
}

/// The search page's state after running the query in `params`.
struct Page {
    dom: String,
}

impl Page {
    fn open(chromium: &Path, server: &Server, prefix: &str, params: &str) -> Page {
        let dom = dump_dom(
            chromium,
            &format!("{}{prefix}search/?{params}", server.origin),
        );
        assert!(
            dom.contains("data-state=\"done\""),
            "search did not finish for {params}:\n{dom}"
        );
        Page { dom }
    }

    /// The "共 N 条" total.
    fn total(&self) -> usize {
        let after = self.dom.split("id=\"search-count\"").nth(1).unwrap();
        let n = after
            .split("<strong>")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap();
        n.parse().unwrap()
    }

    fn hits(&self) -> Vec<Hit> {
        self.dom
            .split("<li class=\"result ")
            .skip(1)
            .map(|li| {
                let attr = |s: &str, name: &str| {
                    s.split(&format!("{name}=\""))
                        .nth(1)
                        .unwrap()
                        .split('"')
                        .next()
                        .unwrap()
                        .to_owned()
                };
                let title = li.split("class=\"result-title\"").nth(1).unwrap();
                Hit {
                    class: li.split('"').next().unwrap().to_owned(),
                    href: attr(title, "href"),
                    title: title
                        .split_once('>')
                        .unwrap()
                        .1
                        .split("</a>")
                        .next()
                        .unwrap()
                        .to_owned(),
                    snippet: li
                        .split("class=\"snippet\">")
                        .nth(1)
                        .map(|s| s.split("</p>").next().unwrap().to_owned())
                        .unwrap_or_default(),
                }
            })
            .collect()
    }

    /// The count shown next to a filter option, e.g. `中共青川市委 (2)`.
    fn option_count(&self, value: &str) -> Option<usize> {
        let after = self.dom.split(&format!(">{value} (")).nth(1)?;
        after.split(')').next()?.parse().ok()
    }
}

#[test]
fn example_site_search_ranks_filters_and_links_articles() {
    let Some(chromium) = chromium() else {
        return;
    };
    let f = Fixture::example_site();
    f.build("2026-11-27");
    let server = Server::start(&f.out(), "/");
    let open = |params: &str| Page::open(&chromium, &server, "/", params);

    let page = open(&format!("q={}", encode("接待")));
    let hits = page.hits();
    assert_eq!(page.total(), 4, "in-force documents mentioning 接待");
    assert_eq!(hits.len(), 4);
    assert!(
        hits[0].title.contains("<mark>接待</mark>") && hits[1].title.contains("<mark>接待</mark>"),
        "title matches rank first: {hits:#?}"
    );
    assert!(!hits[3].title.contains("<mark>"));
    let mut title_hits = [hits[0].href.as_str(), hits[1].href.as_str()];
    title_hits.sort();
    assert_eq!(
        title_hits,
        [
            "/docs/jiedai/gongwu-jiedai/#art-1",
            "/docs/jiedai/waishi-jiedai/#art-1"
        ]
    );
    assert!(hits[3].href.ends_with("/docs/zuofeng/shuangshitiao/#art-3"));
    assert!(hits[3].snippet.starts_with("第三条"));
    assert!(hits.iter().all(|h| h.snippet.contains("<mark>接待</mark>")));
    assert_eq!(page.option_count("中共青川市委办公室"), Some(1));

    let all = open(&format!("q={}&status=all", encode("接待")));
    assert_eq!(all.total(), 5, "the superseded 2013 rules join");
    assert!(
        all.hits()
            .iter()
            .any(|h| h.class.starts_with("result-superseded"))
    );

    let issuer = open(&format!(
        "q={}&issuer={}",
        encode("接待"),
        encode("中共青川市委")
    ));
    assert_eq!(issuer.total(), 2);
    let titles = open(&format!("q={}&scope=title", encode("接待")));
    assert_eq!(titles.total(), 2);
    let years = open(&format!("q={}&from=2014&to=2017", encode("接待")));
    assert_eq!(years.total(), 2);

    let number = open(&format!("q={}&status=all", encode("青发〔2013〕1号")));
    assert!(
        number.hits()[0]
            .href
            .contains("/docs/zuofeng/shuangshitiao/")
    );

    let article = open(&format!("q={}", encode("十项规定 第三条")));
    assert!(
        article.hits()[0]
            .href
            .ends_with("/docs/zuofeng/shuangshitiao/#art-3")
    );

    let repealed = open(&format!("q={}", encode("下乡工作补助")));
    assert!(
        repealed
            .hits()
            .iter()
            .all(|h| !h.class.starts_with("result-repealed"))
    );
    let with_repealed = open(&format!("q={}&status=all", encode("下乡工作补助")));
    assert!(with_repealed.total() > repealed.total());

    let none = open(&format!("q={}", encode("量子纠缠")));
    assert_eq!(none.total(), 0);
}

#[test]
fn search_respects_a_base_url_path() {
    let Some(chromium) = chromium() else {
        return;
    };
    let f = Fixture::new("base_url_with_path");
    f.build("2026-11-27");
    let server = Server::start(&f.out(), "/rules/");
    let page = Page::open(
        &chromium,
        &server,
        "/rules/",
        &format!("q={}", encode("条例")),
    );
    assert!(page.total() >= 1);
    assert!(page.hits()[0].href.starts_with("/rules/docs/"));
    assert!(
        server
            .take_log()
            .iter()
            .any(|(p, _)| p == "/rules/search/manifest.json")
    );
}

#[test]
fn corpus_phrase_counts_equal_texts_containing_them() {
    let (Some(chromium), Some(corpus), Some(site)) =
        (chromium(), common::corpus(), common::corpus_site())
    else {
        return;
    };
    let report = site.build("2026-11-27");
    // Each document is indexed once, with the text it shows (the version in
    // force): a brute-force scan of those texts gives the exact counts.
    let (loaded, _) = gazette::site::load(&site.options("2026-11-27")).unwrap();
    let texts: Vec<String> = loaded
        .catalogue
        .docs
        .iter()
        .filter_map(|d| Some(format!("{}\n{}", d.title, d.body.as_ref()?.markdown)))
        .collect();
    assert!(texts.len() > 1400 && corpus.is_dir());
    let server = Server::start(&report.out_dir, "/");
    for phrase in ["法律责任", "个人信息", "人民法院", "政府信息公开", "起诉"] {
        let expected = texts.iter().filter(|t| t.contains(phrase)).count();
        let page = Page::open(
            &chromium,
            &server,
            "/",
            &format!("q={}&status=all", encode(phrase)),
        );
        assert_eq!(page.total(), expected, "{phrase}");
        let hits = page.hits();
        assert!(hits.len() >= 10.min(expected));
        assert!(
            hits.iter()
                .all(|h| h.snippet.contains(&format!("<mark>{phrase}</mark>"))
                    || h.title.contains(&format!("<mark>{phrase}</mark>"))),
            "{phrase}: every result shows the phrase highlighted"
        );
        let log = server.take_log();
        let bytes: usize = log.iter().map(|(_, n)| n).sum();
        eprintln!("{phrase}: {expected} texts, first query fetched {bytes} bytes");
        let pages: Vec<&(String, usize)> = log
            .iter()
            .filter(|(p, _)| p.starts_with("/docs/"))
            .collect();
        let whole = |path: &str| {
            let file = report
                .out_dir
                .join(path.trim_start_matches('/'))
                .join("index.html");
            std::fs::metadata(file).unwrap().len() as usize
        };
        assert!(
            !pages.is_empty() && pages.iter().all(|(p, n)| *n < whole(p)),
            "{phrase}: snippets fetch one article of a page, never the whole page: {pages:?}"
        );
    }
    let article = Page::open(
        &chromium,
        &server,
        "/",
        &format!("q={}", encode("个人信息保护法 第十条")),
    );
    assert!(
        article.hits()[0].href.ends_with(
            "%E4%B8%AA%E4%BA%BA%E4%BF%A1%E6%81%AF%E4%BF%9D%E6%8A%A4%E6%B3%95(2021-08-20)/#art-10"
        ),
        "{:?}",
        article.hits()[0]
    );
}

/// The example site built and served, and a WebDriver session's driver;
/// `None` (with a printed reason) without Chromium or chromedriver.
fn example_with_driver() -> Option<(Fixture, Server, Driver)> {
    chromium()?;
    let driver = Driver::start()?;
    let f = Fixture::example_site();
    f.build("2026-11-27");
    let server = Server::start(&f.out(), "/");
    Some((f, server, driver))
}

#[test]
fn an_open_search_page_follows_the_index_of_a_new_deploy() {
    let Some((f, server, driver)) = example_with_driver() else {
        return;
    };
    let session = driver.session();
    session.goto(&format!("{}/search/?q={}", server.origin, encode("接待")));
    session.wait_for_search();
    // Deploy again with one more document: the old index folder is gone.
    f.write(
        "content/jiedai/jieyue.md",
        "+++\ntitle = \"青川市节俭办会规定\"\npublished = 2024-01-01\n+++\n\n第一条 会议一律节俭办会。\n",
    );
    f.build("2026-11-27");
    session.script(
        "delete document.getElementById('search-app').dataset.state; \
         const q = document.getElementById('search-q'); q.value = ''; q.focus();",
    );
    session.keys("节俭办会");
    session.wait_for_search();
    let state = session.script("return document.getElementById('search-app').dataset.state");
    assert_eq!(state.as_str(), Some("done"));
    let titles = session.script(
        "return [...document.querySelectorAll('#search-results .result-title')].map(a => a.textContent)",
    );
    assert_eq!(titles, serde_json::json!(["青川市节俭办会规定"]));
}

#[test]
fn typing_searches_as_you_type_and_arrow_keys_walk_the_results() {
    let Some((_site, server, driver)) = example_with_driver() else {
        return;
    };
    let session = driver.session();
    session.goto(&format!("{}/search/", server.origin));
    // The empty query has settled (state "done"); wait for the typed one.
    session.wait_for_search();
    session.script(
        "delete document.getElementById('search-app').dataset.state; document.getElementById('search-q').focus()",
    );
    session.keys("接待");
    let mut url = Value::Null;
    for _ in 0..100 {
        url = session.script("return location.search");
        if url.as_str().is_some_and(|u| u.contains("q=")) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        url.as_str(),
        Some(format!("?q={}", encode("接待")).as_str()),
        "URL follows the query"
    );
    session.wait_for_search();
    let count =
        session.script("return document.querySelectorAll('#search-results .result').length");
    assert_eq!(count, 4);
    session.keys("\u{E015}\u{E015}");
    let focused = session.script("return document.activeElement.getAttribute('href')");
    let second = session.script(
        "return document.querySelectorAll('#search-results .result')[1].querySelector('a').getAttribute('href')",
    );
    assert!(focused.is_string());
    assert_eq!(focused, second, "second result focused");
    session.keys("\u{E00C}");
    let back = session.script("return document.activeElement.id");
    assert_eq!(back.as_str(), Some("search-q"), "Escape returns to the box");
}

#[test]
fn issue_16_exact_names_brackets_and_snippets_on_the_example_site() {
    let Some(chromium) = chromium() else {
        return;
    };
    let f = Fixture::example_site();
    f.build("2026-11-27");
    let server = Server::start(&f.out(), "/");
    let open = |q: &str| Page::open(&chromium, &server, "/", &format!("q={}", encode(q)));

    // A repealed document's 文号 or title typed in full finds it under the
    // default (in force) filter; a partial title does not.
    for q in ["青政办发〔2008〕19号", "青川市机关干部下乡工作补助暂行规定"]
    {
        let hits = open(q).hits();
        assert!(
            hits[0].href.starts_with("/docs/zhengfu/xiaxiang-buzhu/")
                && hits[0].class.starts_with("result-repealed"),
            "{q}: {hits:#?}"
        );
    }
    assert!(
        open("下乡工作补助")
            .hits()
            .iter()
            .all(|h| !h.class.starts_with("result-repealed"))
    );

    // Brackets are matched as typed, in any shape, against titles and 文号.
    let with_brackets: Vec<String> = walkdir::WalkDir::new(f.root().join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .flat_map(|text| {
            text.lines()
                .filter(|l| l.starts_with("number = ") && l.contains("〔2013〕"))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    let all = |q: &str| {
        Page::open(
            &chromium,
            &server,
            "/",
            &format!("q={}&status=all", encode(q)),
        )
    };
    let bracketed = all("〔2013〕");
    assert_eq!(bracketed.total(), with_brackets.len(), "{with_brackets:?}");
    assert!(all("2013").total() > bracketed.total());
    let square = all("青发[2013]1号").hits();
    assert_eq!(square.len(), 1);
    assert!(square[0].href.contains("/docs/zuofeng/shuangshitiao/"));

    // The jump link says the article as the text numbers it; typed with or
    // without a space the query jumps the same.
    for q in ["十项规定 第三条", "十项规定第三条", "十项规定 第3条"] {
        let page = open(q);
        assert!(
            page.hits()[0]
                .href
                .ends_with("/docs/zuofeng/shuangshitiao/#art-3"),
            "{q}"
        );
        assert!(page.dom.contains(">直达 第三条</a>"), "{q}");
    }

    // A snippet stays within its article: no heading after it.
    let hits = open("社区志愿服务").hits();
    let hit = hits
        .iter()
        .find(|h| h.href.contains("fuwuxing-jiceng"))
        .unwrap();
    assert!(
        hit.snippet.contains("<mark>社区志愿服务</mark>") && !hit.snippet.contains("保障措施"),
        "{hit:?}"
    );
}

#[test]
fn corpus_law_names_rank_the_law_first() {
    let (Some(chromium), Some(site)) = (chromium(), common::corpus_site()) else {
        return;
    };
    let report = site.build("2026-11-27");
    let server = Server::start(&report.out_dir, "/");
    let open = |q: &str| Page::open(&chromium, &server, "/", &format!("q={}", encode(q)));
    for (q, path) in [
        ("民法典", "%E6%B0%91%E6%B3%95%E5%85%B8/"),
        (
            "公司法",
            "%E6%B0%91%E6%B3%95%E5%95%86%E6%B3%95/%E5%85%AC%E5%8F%B8%E6%B3%95/",
        ),
        ("刑法", "%E5%88%91%E6%B3%95/%E5%88%91%E6%B3%95/"),
    ] {
        let hits = open(q).hits();
        assert!(
            hits[0].href.starts_with(&format!("/docs/{path}")),
            "{q}: {:#?}",
            &hits[..3]
        );
    }
    let spaced = open("民法典 第十条").hits();
    let joined = open("民法典第十条").hits();
    assert!(spaced[0].href.ends_with("/#art-10"), "{:?}", spaced[0]);
    assert_eq!(spaced[0].href, joined[0].href);
    assert!(
        open("〔2019〕").total() == 0,
        "no corpus text has 〔2019〕 in its title"
    );
}

#[test]
fn filters_keep_focus_and_arrow_keys_only_move_the_choice() {
    let Some((_site, server, driver)) = example_with_driver() else {
        return;
    };
    let session = driver.session();
    // Wide enough for the filters to show beside the results.
    session.window(1280, 900);
    session.goto(&format!("{}/search/?q={}", server.origin, encode("接待")));
    session.wait_for_search();
    let focused_key = || session.script("return document.activeElement.dataset.key || null");
    let query = || session.script("return location.search");

    session.script("document.querySelector('select[data-key=issuer]').focus()");
    let before = query();
    session.keys("\u{E015}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(query(), before, "↓ alone applies nothing");
    assert_eq!(
        focused_key(),
        "issuer",
        "{}",
        session.script("return document.activeElement.outerHTML.slice(0, 200)")
    );
    session.script("delete document.getElementById('search-app').dataset.state");
    session.keys("\u{E007}");
    session.wait_for_search();
    assert!(
        query().as_str().unwrap().contains("issuer="),
        "Enter applies the choice"
    );
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert_eq!(focused_key(), "issuer", "focus stays on the dropdown");

    session.script("document.querySelector('[data-key=status-repealed]').focus()");
    session.script("delete document.getElementById('search-app').dataset.state");
    session.keys(" ");
    session.wait_for_search();
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert!(query().as_str().unwrap().contains("repealed"));
    assert_eq!(focused_key(), "status-repealed", "Space keeps focus");
    let boxes = session.script(
        "return [...document.querySelectorAll('#search-filters input[type=checkbox]')].map(b => b.dataset.key)",
    );
    assert_eq!(
        boxes,
        serde_json::json!([
            "status-current",
            "status-amended",
            "status-pending",
            "status-superseded",
            "status-repealed",
            "status-invalid",
            "status-expired"
        ]),
        "the statuses docs.bin ships, in its order"
    );
}

#[test]
fn filters_sit_above_results_on_a_phone_and_beside_them_on_a_desktop() {
    let Some((_site, server, driver)) = example_with_driver() else {
        return;
    };
    let session = driver.session();
    let layout = "const r = (s) => document.querySelector(s).getBoundingClientRect(); \
        const p = r('#search-filter-panel'), l = r('#search-results'); \
        return [document.getElementById('search-filter-panel').open, p.bottom <= l.top, p.right <= l.left];";
    session.window(390, 900);
    session.goto(&format!("{}/search/?q={}", server.origin, encode("接待")));
    session.wait_for_search();
    assert_eq!(
        session.script(layout),
        serde_json::json!([false, true, false]),
        "phone: a closed panel above the results"
    );
    session.script("document.querySelector('#search-filter-panel summary').click()");
    let open =
        session.script("return document.querySelector('select[data-key=issuer]').offsetHeight > 0");
    assert_eq!(open, true, "one tap opens the filters");
    session.window(1280, 900);
    session.goto(&format!("{}/search/?q={}", server.origin, encode("接待")));
    session.wait_for_search();
    assert_eq!(
        session.script(layout),
        serde_json::json!([true, false, true]),
        "desktop: filters open beside the results"
    );
}
