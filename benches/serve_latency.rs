//! Benchmark (not a test): how long `gazette serve` takes from saving one
//! document to announcing the reload over server-sent events, on the bundled
//! example site and on the shared corpus, next to the time of a full
//! `gazette build` and of the server's first build. Prints a table.
//!
//! Run with `cargo bench --bench serve_latency`; `GAZETTE_BENCH_SITE=<root>`
//! and `GAZETTE_BENCH_EDIT=<file under root>` add one more site.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::server::{Server, save};
use common::{Fixture, copy_dir};

const AS_OF: &str = "2026-11-27";
const EDITS: usize = 21;

struct Site {
    name: &'static str,
    site: Fixture,
    edited: PathBuf,
}

fn sites() -> Vec<Site> {
    let example = Fixture::example_site();
    let mut sites = vec![Site {
        name: "example site",
        edited: example.root().join("content/jiedai/gongwu-jiedai.md"),
        site: example,
    }];
    if let Some(corpus) = common::corpus() {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&corpus, &dir.path().join("content"));
        std::fs::write(dir.path().join("site.toml"), "title = \"corpus\"\n").unwrap();
        sites.push(Site {
            name: "shared corpus",
            edited: dir
                .path()
                .join("content/行政法/个人信息保护法(2021-08-20).md"),
            site: Fixture { dir },
        });
    }
    // One more site, e.g. bench/run's 10k synthetic catalogue.
    if let (Ok(root), Ok(edit)) = (
        std::env::var("GAZETTE_BENCH_SITE"),
        std::env::var("GAZETTE_BENCH_EDIT"),
    ) {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(Path::new(&root), dir.path());
        sites.push(Site {
            name: "extra site",
            edited: dir.path().join(edit),
            site: Fixture { dir },
        });
    }
    sites
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(sorted: &[f64]) -> f64 {
    sorted[sorted.len() / 2]
}

/// Text of the `n`th edit: new text only, or (`status`) alternately adding
/// and removing an expiry date, which changes the document's status.
fn edited(original: &str, n: usize, status: bool) -> String {
    if !status {
        return format!("{original}\n\n本段为第{n}次修改。\n");
    }
    if n % 2 == 1 {
        return original.to_owned();
    }
    let expiry = "expires = 2026-01-01\n";
    match original.strip_prefix("+++\n") {
        Some(rest) => format!("+++\n{expiry}{rest}"),
        None => format!("+++\n{expiry}+++\n{original}"),
    }
}

/// Median, p90, min and max save→reload-event latency over `EDITS` edits, in ms.
fn latencies(server: &Server, path: &Path, status: bool) -> [f64; 4] {
    let mut events = server.events();
    let original = std::fs::read_to_string(path).unwrap();
    let mut ms_each: Vec<f64> = (0..EDITS)
        .map(|n| {
            std::thread::sleep(Duration::from_millis(150));
            let text = edited(&original, n, status);
            let started = Instant::now();
            save(path, &text);
            events.next_page_reload();
            ms(started.elapsed())
        })
        .collect();
    save(path, &original);
    events.next_page_reload();
    ms_each.sort_by(f64::total_cmp);
    let n = ms_each.len();
    [
        median(&ms_each),
        ms_each[n * 9 / 10],
        ms_each[0],
        ms_each[n - 1],
    ]
}

fn main() {
    let bin = env!("CARGO_BIN_EXE_gazette");
    println!(
        "| site | documents | gazette build | serve: first build | edit | save → reload event: median | p90 | min | max |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for site in sites() {
        let root = site.site.root();
        let mut builds: Vec<f64> = (0..3)
            .map(|_| {
                let started = Instant::now();
                let status = Command::new(bin)
                    .args(["build", "--as-of", AS_OF, "--root"])
                    .arg(root)
                    .output()
                    .unwrap();
                assert!(
                    status.status.success(),
                    "{}",
                    String::from_utf8_lossy(&status.stderr)
                );
                ms(started.elapsed())
            })
            .collect();
        builds.sort_by(f64::total_cmp);
        std::fs::remove_dir_all(root.join("public")).unwrap();
        let documents = walk_md(&root.join("content"));
        let started = Instant::now();
        let server = Server::start(root, AS_OF);
        let first = ms(started.elapsed());
        for (edit, status) in [
            ("text of one document", false),
            ("status of one document", true),
        ] {
            let [mid, p90, min, max] = latencies(&server, &site.edited, status);
            println!(
                "| {} | {documents} | {:.0} ms | {first:.0} ms | {edit} | {mid:.1} ms | {p90:.1} ms | {min:.1} ms | {max:.1} ms |",
                site.name,
                median(&builds),
            );
        }
    }
}

fn walk_md(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            if p.is_dir() {
                walk_md(&p)
            } else {
                usize::from(p.extension().is_some_and(|x| x == "md") && !p.ends_with("_index.md"))
            }
        })
        .sum()
}
