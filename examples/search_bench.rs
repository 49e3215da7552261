//! Search benchmark on a site (default: the shared corpus as content):
//! index build time, index size, bytes a first query transfers and query
//! latency in headless Chromium. Run with `bench/search.sh`.

#[allow(unreachable_pub, dead_code)]
#[path = "../tests/common/browser.rs"]
mod browser;
#[allow(unreachable_pub)]
#[path = "../tests/common/fs.rs"]
mod fs;

// Measure with the allocator the gazette binary uses (see src/main.rs).
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::path::{Path, PathBuf};
use std::time::Instant;

const QUERIES: &[&str] = &[
    "起诉",
    "法律",
    "法律责任",
    "个人信息",
    "人民法院",
    "政府信息公开",
    "个人信息保护法 第十条",
];

fn main() {
    let corpus: PathBuf = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/corpus/lawrefbook".into())
        .into();
    let site = tempfile::tempdir().unwrap();
    fs::copy_dir(&corpus, &site.path().join("content"));
    std::fs::write(site.path().join("site.toml"), "title = \"corpus\"\n").unwrap();
    let opts = gazette::BuildOptions {
        as_of: Some("2026-11-27".parse().unwrap()),
        ..gazette::BuildOptions::new(site.path())
    };

    let (loaded, _) = gazette::site::load(&opts).unwrap_or_else(|d| panic!("{d:?}"));
    let median = |f: &dyn Fn()| {
        let mut times: Vec<f64> = (0..5)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        times[2]
    };
    let cat = &loaded.catalogue;
    println!("documents                  {}", cat.docs.len());

    let t = Instant::now();
    let report = gazette::build(&opts).unwrap_or_else(|d| panic!("{d:?}"));
    println!(
        "full site build            {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    // The article ranges the build read off its pages, read back from disk.
    let pages: std::collections::HashMap<String, _> = cat
        .docs
        .iter()
        .map(|d| gazette::routes::doc_page_file(&d.id))
        .filter_map(|path| {
            let html = std::fs::read(report.out_dir.join(&path)).ok()?;
            Some((path, gazette::search::snippets::articles(&html)))
        })
        .collect();
    let indexing = median(&|| drop(std::hint::black_box(gazette::search::index(cat))));
    println!("  tokenise + invert        {indexing:.0} ms");
    let total = median(&|| {
        let prepared = gazette::search::prepare(cat);
        drop(std::hint::black_box(
            prepared.finish(cat, &|path| pages.get(path).cloned()),
        ))
    });
    println!("index build (median of 5)  {total:.0} ms  (incl. encoding and snippet tables)");

    let (bytes, count) = dir_size(&report.out_dir.join("search"));
    println!(
        "index size                 {:.1} MB in {count} files",
        bytes as f64 / 1e6
    );
    let read = |name: &str| std::fs::read(report.out_dir.join("search").join(name)).unwrap();
    let manifest: serde_json::Value = serde_json::from_slice(&read("manifest.json")).unwrap();
    let docs_bin = read(manifest["docs"].as_str().unwrap());
    let mut text = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&docs_bin[..]), &mut text)
        .unwrap();
    let meta: serde_json::Value = serde_json::from_slice(&text).unwrap();
    let files = &meta["files"];
    let own: Vec<serde_json::Value> = files["own"]
        .as_object()
        .unwrap()
        .values()
        .cloned()
        .collect();
    println!(
        "  docs.bin                 {:.1} KB",
        docs_bin.len() as f64 / 1e3
    );
    for (list, what) in [
        (files["shards"].as_array().unwrap(), "postings shards"),
        (&own, "large postings"),
        (files["tables"].as_array().unwrap(), "snippet tables"),
    ] {
        let names: Vec<&str> = list.iter().filter_map(|n| n.as_str()).collect();
        let b: usize = names.iter().map(|n| read(n).len()).sum();
        println!(
            "  {what:<24} {:.1} MB in {} files",
            b as f64 / 1e6,
            names.len()
        );
    }

    let Some(chromium) = browser::chromium() else {
        return;
    };
    let server = browser::Server::start(&report.out_dir, "/");
    let driver = browser::Driver::start();
    println!();
    println!(
        "{:<24} {:>8} {:>9} {:>9} {:>9} {:>10} {:>9}",
        "first query", "results", "page KB", "index KB", "total KB", "first ms", "warm ms"
    );
    for q in QUERIES {
        let url = format!(
            "{}/search/?q={}&status=all",
            server.origin,
            browser::encode(q)
        );
        let dom = browser::dump_dom(&chromium, &url);
        let log = server.take_log();
        let is_index = |p: &str| p.starts_with("/search/") && !p.ends_with('/');
        let index: usize = log
            .iter()
            .filter(|(p, _)| is_index(p))
            .map(|(_, n)| n)
            .sum();
        let total: usize = log.iter().map(|(_, n)| n).sum();
        let results = dom
            .split("<strong>")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap_or("?")
            .to_owned();
        let timing = driver.as_ref().map(|d| timings(d, &server.origin, q));
        server.take_log();
        let (first, warm) = timing.map_or(("?".into(), "?".into()), |(f, w)| {
            (format!("{f:.1}"), format!("{w:.1}"))
        });
        println!(
            "{:<24} {:>8} {:>9.1} {:>9.1} {:>9.1} {:>10} {:>9}",
            q,
            results,
            (total - index) as f64 / 1024.0,
            index as f64 / 1024.0,
            total as f64 / 1024.0,
            first,
            warm,
        );
    }
    println!();
    println!("first ms: query submitted in a fresh browser until results and snippets are shown");
    println!(
        "warm ms: median of 9 repeats once the query's files are loaded (postings decoded afresh)"
    );
}

/// Milliseconds from submitting `q` on a freshly opened search page until
/// its results and snippets show, then the median of 9 repeats.
fn timings(driver: &browser::Driver, origin: &str, q: &str) -> (f64, f64) {
    let session = driver.session();
    session.goto(&format!("{origin}/search/?status=all"));
    session.wait_for_search();
    // Measured in the page: from the submit until search.js marks the page done.
    let submit = format!(
        "const app = document.getElementById('search-app'); \
         return new Promise((done) => {{ \
           new MutationObserver((_, o) => {{ if (app.dataset.state) {{ o.disconnect(); done(performance.now() - t0); }} }}) \
             .observe(app, {{ attributes: true, attributeFilter: ['data-state'] }}); \
           document.getElementById('search-q').value = {q}; \
           const t0 = performance.now(); \
           document.getElementById('search-form').requestSubmit(); \
         }});",
        q = serde_json::json!(q)
    );
    let run = || session.script(&submit).as_f64().unwrap_or(f64::NAN);
    let first = run();
    let mut warm: Vec<f64> = (0..9).map(|_| run()).collect();
    warm.sort_by(f64::total_cmp);
    (first, warm[4])
}

fn dir_size(dir: &Path) -> (u64, usize) {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name() != "index.html")
        .fold((0, 0), |(b, n), e| {
            (b + e.metadata().map_or(0, |m| m.len()), n + 1)
        })
}
