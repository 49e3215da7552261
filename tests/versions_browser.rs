//! Versions and point-in-time views in headless Chromium: the browser's
//! lifecycle (`static/lifecycle.js`) gives exactly the Rust lifecycle's
//! status and version in force for random documents and dates (example site
//! and shared corpus), `?as_of=` recomputes the catalogue, and the 对照表
//! page's picker opens the comparison of the versions chosen.

mod common;

use chrono::{Days, NaiveDate};
use common::Fixture;
use common::browser::{Driver, Server, chromium, dump_dom};
use gazette::catalogue::{Catalogue, lifecycle, versions};
use serde_json::{Value, json};

/// A small deterministic generator (no dependency needed for test data).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// `n` (document index, date) pairs: half on or next to one of the
/// document's own event dates (where off-by-one errors live), half anywhere
/// from 1980 to 2040.
fn pairs(cat: &Catalogue, n: usize, seed: u64) -> Vec<(usize, NaiveDate)> {
    let mut rng = Lcg(seed);
    let start = NaiveDate::from_ymd_opt(1980, 1, 1).unwrap();
    (0..n)
        .map(|k| {
            let doc = rng.below(cat.docs.len() as u64) as usize;
            let events = &cat.events[doc];
            let date = if k % 2 == 0 && !events.is_empty() {
                let e = &events[rng.below(events.len() as u64) as usize];
                e.date - Days::new(rng.below(2))
            } else {
                start + Days::new(rng.below(60 * 365))
            };
            (doc, date)
        })
        .collect()
}

/// Status key and version index (-1: none in force) by the Rust lifecycle.
fn rust_side(cat: &Catalogue, pairs: &[(usize, NaiveDate)]) -> Vec<Value> {
    pairs
        .iter()
        .map(|&(doc, on)| {
            let status = lifecycle::status_at(&cat.events[doc], on).status;
            let version =
                versions::in_force_at(&cat.docs[doc].versions, status, on).map_or(-1, |k| k as i64);
            json!([status.key(), version])
        })
        .collect()
}

/// The same by `lifecycle.js` in Chromium, over the published lifecycle.json.
fn browser_side(
    out: &std::path::Path,
    cat: &Catalogue,
    pairs: &[(usize, NaiveDate)],
) -> Option<Vec<Value>> {
    let chromium = chromium()?;
    let input: Vec<Value> = pairs
        .iter()
        .map(|&(doc, on)| json!([cat.docs[doc].id.as_str(), on.to_string()]))
        .collect();
    let page = format!(
        r#"<!DOCTYPE html><meta charset="utf-8"><pre id="out"></pre>
<script type="module">
import {{ statusAt, versionAt }} from "/static/lifecycle.js";
const pairs = {};
const docs = new Map((await (await fetch("/lifecycle.json")).json()).map((d) => [d.id, d]));
const result = pairs.map(([id, on]) => {{
  const doc = docs.get(id);
  const status = statusAt(doc.events, on);
  return [status, versionAt(doc.versions, status, on)];
}});
document.getElementById("out").textContent = JSON.stringify(result);
</script>"#,
        Value::from(input)
    );
    std::fs::write(out.join("parity.html"), page).unwrap();
    let server = Server::start(out, "/");
    let dom = dump_dom(&chromium, &format!("{}/parity.html", server.origin));
    let json = dom
        .split("<pre id=\"out\">")
        .nth(1)?
        .split("</pre>")
        .next()?;
    Some(serde_json::from_str(&json.replace("&quot;", "\"")).expect("parity output"))
}

fn assert_parity(f: &Fixture, as_of: &str, n: usize) {
    let report = f.build(as_of);
    let (site, _) = gazette::site::load(&f.options(as_of)).unwrap();
    let cat = &site.catalogue;
    let pairs = pairs(cat, n, 0x5eed);
    let rust = rust_side(cat, &pairs);
    let Some(browser) = browser_side(&report.out_dir, cat, &pairs) else {
        return;
    };
    assert_eq!(browser.len(), rust.len());
    let mismatches: Vec<String> = pairs
        .iter()
        .zip(rust.iter().zip(&browser))
        .filter(|(_, (r, b))| r != b)
        .map(|((doc, on), (r, b))| format!("{} on {on}: rust {r}, browser {b}", cat.docs[*doc].id))
        .collect();
    assert!(
        mismatches.is_empty(),
        "{} of {n} differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn browser_lifecycle_equals_rust_lifecycle_on_the_example_site() {
    assert_parity(&Fixture::example_site(), "2026-11-27", 1000);
}

#[test]
fn browser_lifecycle_equals_rust_lifecycle_on_the_corpus() {
    let Some(f) = common::corpus_site() else {
        return;
    };
    assert_parity(&f, "2026-11-27", 1500);
}

#[test]
fn as_of_parameter_recomputes_the_catalogue_in_the_browser() {
    let Some(chromium) = chromium() else {
        return;
    };
    let f = Fixture::example_site();
    let report = f.build("2026-11-27");
    let (site, _) = gazette::site::load(&f.options("2026-11-27")).unwrap();
    let cat = &site.catalogue;
    let server = Server::start(&report.out_dir, "/");
    for on in ["2014-01-01", "2019-06-30", "2031-07-01"] {
        let date: NaiveDate = on.parse().unwrap();
        let dom = dump_dom(
            &chromium,
            &format!("{}/catalogue/?as_of={on}", server.origin),
        );
        let statuses = cat.statuses_on(date);
        let mut shown = 0;
        for (doc, status) in cat.docs.iter().zip(&statuses) {
            let marker = format!("data-id=\"{}\"", doc.id);
            let row = dom
                .split("<tr ")
                .find(|r| r.contains(&marker))
                .unwrap_or_else(|| panic!("no row for {}", doc.id));
            let issued = doc.meta.fields.published.is_none_or(|p| p <= date);
            assert_eq!(
                !row.contains("hidden"),
                issued,
                "{} on {on}: listed although not yet issued, or hidden",
                doc.id
            );
            if issued {
                shown += 1;
                assert!(
                    row.contains(&format!("class=\"status status-{}\"", status.key())),
                    "{} on {on} should be {}: {row}",
                    doc.id,
                    status.key()
                );
            }
        }
        assert!(
            dom.contains(&format!("<strong>{shown}</strong>")),
            "count on {on} should be {shown}"
        );
    }
}

#[test]
fn comparison_picker_opens_the_chosen_pair() {
    let Some(driver) = Driver::start() else {
        return;
    };
    let f = Fixture::new("versions");
    let report = f.build("2026-01-01");
    let server = Server::start(&report.out_dir, "/");
    let session = driver.session();
    session.goto(&format!(
        "{}/docs/rules/base/compare/2015-03-01/2018-05-10/",
        server.origin
    ));
    let hidden = session.script(
        "return [...document.querySelectorAll('tr.row-unchanged')].every(r => getComputedStyle(r).display === 'none')",
    );
    assert_eq!(hidden, json!(true), "unchanged rows are hidden at first");
    session.script("document.getElementById('show-unchanged').click(); return 0");
    let shown = session.script(
        "return [...document.querySelectorAll('tr.row-unchanged')].every(r => getComputedStyle(r).display !== 'none')",
    );
    assert_eq!(shown, json!(true), "the toggle shows unchanged rows");
    session.script(
        "const f = document.querySelector('.compare-pick'); f.elements.from.value = '2020-06-01'; \
         f.elements.to.value = '2015-03-01'; f.requestSubmit(); return 0",
    );
    let mut path = Value::Null;
    for _ in 0..100 {
        path = session.script("return location.pathname");
        if path != json!("/docs/rules/base/compare/2015-03-01/2018-05-10/") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        path,
        json!("/docs/rules/base/compare/2015-03-01/2020-06-01/")
    );
    let rows = session.script("return document.querySelectorAll('.compare-table tbody tr').length");
    assert!(rows.as_u64().unwrap() >= 4, "{rows}");
}
