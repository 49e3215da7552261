//! Issue 16, reader experience, in headless Chromium on the example site:
//! the catalogue table sorts, filters in page and fits 390 px; print media
//! carry the as-of date, the page URL and the status; a punctuation-only
//! search settles instead of failing; keyboard focus stays on a search
//! filter that re-renders the panel.

mod common;

use common::Fixture;
use common::browser::{Driver, Server, chromium, encode};
use serde_json::{Value, json};

fn example_with_driver() -> Option<(Fixture, Server, Driver)> {
    chromium()?;
    let driver = Driver::start()?;
    let f = Fixture::example_site();
    f.build("2026-11-27");
    let server = Server::start(&f.out(), "/");
    Some((f, server, driver))
}

/// Poll `js` (returning a value) until it is truthy, for up to 5 s.
fn wait(session: &common::browser::Session<'_>, js: &str) -> Value {
    let mut value = Value::Null;
    for _ in 0..100 {
        value = session.script(js);
        if !matches!(value, Value::Null | Value::Bool(false)) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    value
}

#[test]
fn catalogue_table_sorts_filters_and_fits_a_phone() {
    let Some((_f, server, driver)) = example_with_driver() else {
        return;
    };
    let session = driver.session();
    session.window(1280, 900);
    session.goto(&format!("{}/catalogue/", server.origin));
    wait(
        &session,
        "return !document.querySelector('[data-table-tools]').hidden",
    );
    // Sort by 公布日期, ascending then descending.
    let dates = "return [...document.querySelectorAll('table.catalogue tbody tr')].map(r => r.cells[4].textContent.trim()).filter(Boolean)";
    session.script("document.querySelectorAll('table.catalogue th .sort')[4].click()");
    let asc: Vec<String> = serde_json::from_value(session.script(dates)).unwrap();
    let mut sorted = asc.clone();
    sorted.sort();
    assert_eq!(asc, sorted);
    assert_eq!(
        session.script(
            "return document.querySelectorAll('table.catalogue th')[4].getAttribute('aria-sort')"
        ),
        json!("ascending")
    );
    session.script("document.querySelectorAll('table.catalogue th .sort')[4].click()");
    let desc: Vec<String> = serde_json::from_value(session.script(dates)).unwrap();
    sorted.reverse();
    assert_eq!(desc, sorted);
    // The header stays in view while scrolling.
    assert_eq!(
        session.script(
            "return getComputedStyle(document.querySelector('table.catalogue thead th')).position"
        ),
        json!("sticky")
    );

    // Filter by text: only matching rows stay, and the count follows.
    session.script("const i = document.querySelector('[data-filter-text]'); i.focus();");
    session.keys("接待");
    let visible = "return [...document.querySelectorAll('table.catalogue tbody tr')].filter(r => r.offsetParent).map(r => r.textContent)";
    let rows: Vec<String> = serde_json::from_value(wait(
        &session,
        "const v = [...document.querySelectorAll('table.catalogue tbody tr')].filter(r => r.offsetParent); return v.length < 10 && v.map(r => r.textContent)",
    ))
    .unwrap();
    assert!(
        !rows.is_empty() && rows.iter().all(|r| r.contains("接待")),
        "{rows:?}"
    );
    assert_eq!(
        session.script("return +document.querySelector('.count strong').textContent"),
        json!(rows.len())
    );
    // Filter by status on top: the superseded 2013 rules only.
    session.script("document.querySelector('[data-filter-status][value=superseded]').click()");
    let rows: Vec<String> = serde_json::from_value(session.script(visible)).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("青办发〔2013〕10号"));

    // 390 px: nothing leaves the screen and titles get the full width.
    session.window(390, 844);
    session.goto(&format!("{}/catalogue/", server.origin));
    let width = session.script("return document.documentElement.scrollWidth");
    assert!(width.as_u64().unwrap() <= 390, "page is {width} px wide");
    let status_right = session.script(
        "return Math.max(...[...document.querySelectorAll('table.catalogue .col-status')].map(c => c.getBoundingClientRect().right))",
    );
    assert!(status_right.as_f64().unwrap() <= 390.0);
    let title_width = session
        .script("return document.querySelector('table.catalogue td.col-title').getBoundingClientRect().width");
    assert!(
        title_width.as_f64().unwrap() > 300.0,
        "title column {title_width}"
    );
}

#[test]
fn printed_document_shows_as_of_date_url_and_status() {
    let Some((_f, server, driver)) = example_with_driver() else {
        return;
    };
    let session = driver.session();
    session.goto(&format!(
        "{}/docs/jiedai/gongwu-jiedai-2013/",
        server.origin
    ));
    session.cdp("Emulation.setEmulatedMedia", json!({ "media": "print" }));
    let shown = |sel: &str| {
        session.script(&format!(
            "const e = document.querySelector('{sel}'); return !!e && e.offsetParent !== null && e.innerText"
        ))
    };
    let as_of = shown(".as-of-line");
    assert!(
        as_of
            .as_str()
            .is_some_and(|t| t.contains("效力状态计算日期") && t.contains("2026年11月27日")),
        "{as_of}"
    );
    let url = shown(".site-footer .print-only");
    assert!(
        url.as_str()
            .is_some_and(|t| t.contains("https://example.gov.cn/docs/jiedai/gongwu-jiedai-2013/")),
        "{url}"
    );
    let status = shown(".banner .status");
    assert!(status.as_str().is_some_and(|t| t.contains("已被替代")));
    assert_eq!(
        shown(".as-of"),
        json!(false),
        "the date picker is not printed"
    );
}

#[test]
fn punctuation_only_query_settles_and_empty_query_too() {
    let Some((_f, server, driver)) = example_with_driver() else {
        return;
    };
    let session = driver.session();
    for q in ["%%", "“", "&"] {
        session.goto(&format!("{}/search/?q={}", server.origin, encode(q)));
        session.wait_for_search();
        let state = session.script("return document.getElementById('search-app').dataset.state");
        assert_eq!(state, json!("done"), "query {q:?}");
        let text = session.script("return document.getElementById('search-count').textContent");
        assert!(
            !text.as_str().unwrap_or("").contains("失败"),
            "{q:?}: {text}"
        );
    }
    session.goto(&format!("{}/search/?q={}", server.origin, encode("接待")));
    session.wait_for_search();
    session.script(
        "delete document.getElementById('search-app').dataset.state; \
         const q = document.getElementById('search-q'); q.value = ''; q.dispatchEvent(new Event('input'));",
    );
    session.wait_for_search();
    assert_eq!(
        session.script("return document.getElementById('search-app').dataset.state"),
        json!("done")
    );
}

#[test]
fn search_filters_keep_keyboard_focus() {
    let Some((_f, server, driver)) = example_with_driver() else {
        return;
    };
    let session = driver.session();
    // Wide enough for the filters to show beside the results (on a narrow
    // window they fold into a closed panel).
    session.window(1280, 900);
    session.goto(&format!("{}/search/?q={}", server.origin, encode("接待")));
    session.wait_for_search();
    // Space on a status checkbox re-renders the panel; focus stays on it.
    session.script(
        "delete document.getElementById('search-app').dataset.state; \
         document.querySelector('[data-key=status-current]').focus()",
    );
    session.keys(" ");
    session.wait_for_search();
    let focused = wait(&session, "return document.activeElement.dataset.key");
    assert_eq!(focused, json!("status-current"));
    assert_eq!(
        session.script("return document.activeElement.checked"),
        json!(false)
    );
    // ↓ in a dropdown only moves the choice; Enter applies it, focus stays.
    session.script("document.querySelector('select[name=issuer]').focus()");
    let before = session.script("return location.search");
    session.keys("\u{E015}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(session.script("return location.search"), before);
    session.script("delete document.getElementById('search-app').dataset.state");
    session.keys("\u{E007}");
    session.wait_for_search();
    assert_ne!(session.script("return location.search"), before);
    let focused = wait(&session, "return document.activeElement.dataset.key");
    assert_eq!(focused, json!("issuer"));
}
