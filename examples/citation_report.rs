//! Citation report on a site (the shared corpus copied to a site, in
//! practice): mentions by kind, the share of `《…》` resolved, unresolved
//! titles by frequency, the time one pass of citation finding takes, and
//! random samples of resolved and unresolved mentions with their context,
//! for checking by hand. Numbers for docs/benchmarks.md.
//!
//! `cargo run --release --example citation_report -- SITE_ROOT SAMPLE_DIR`

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use gazette::catalogue::citations::{Found, Names, find};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, root, samples] = &args[..] else {
        eprintln!("usage: citation_report SITE_ROOT SAMPLE_DIR");
        std::process::exit(2);
    };
    let opts = gazette::BuildOptions {
        as_of: "2026-11-27".parse().ok(),
        ..gazette::BuildOptions::new(root)
    };
    let (site, _) = gazette::site::load(&opts).unwrap_or_else(|d| {
        eprintln!("{} errors", d.error_count());
        std::process::exit(1)
    });
    let cat = &site.catalogue;
    let started = Instant::now();
    let names = Names::new(
        cat.docs
            .iter()
            .map(|d| (d.title.as_str(), d.meta.fields.number.as_deref())),
    );
    let found: Vec<Found> = cat
        .docs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            d.body
                .as_ref()
                .map_or_else(Found::default, |b| find(&b.markdown, i, &names))
        })
        .collect();
    println!("finding citations, one thread: {:?}", started.elapsed());

    let mut kinds: HashMap<&str, usize> = HashMap::new();
    let mut resolved = Vec::new();
    for (i, doc) in cat.docs.iter().enumerate() {
        let Some(body) = &doc.body else { continue };
        for c in &cat.citations[i] {
            let text = &body.markdown[c.range.clone()];
            let kind = match (text.starts_with('《'), c.article, text.ends_with('号')) {
                (true, Some(_), _) => "《title》第N条",
                (true, None, _) => "《title》",
                (false, _, true) => "文号",
                (false, Some(_), _) if text.starts_with('第') => "本法第N条",
                _ => "short title (以下简称)",
            };
            *kinds.entry(kind).or_default() += 1;
            let to = c.target.map_or("(own text)".to_owned(), |j| {
                let version = c
                    .version
                    .map(|k| format!(" @{}", cat.docs[j].versions[k].date));
                format!("{}{}", cat.docs[j].title, version.unwrap_or_default())
            });
            resolved.push((doc.path.clone(), body.markdown.clone(), c.range.clone(), to));
        }
    }
    let mut unknown: HashMap<&str, usize> = HashMap::new();
    let mut unresolved = Vec::new();
    let mut ambiguous = 0;
    for (i, f) in found.iter().enumerate() {
        let Some(body) = &cat.docs[i].body else {
            continue;
        };
        ambiguous += f.ambiguous.len();
        for r in &f.unknown {
            *unknown.entry(&body.markdown[r.clone()]).or_default() += 1;
            let path = cat.docs[i].path.clone();
            unresolved.push((path, body.markdown.clone(), r.clone(), String::new()));
        }
    }
    let mut kinds: Vec<_> = kinds.into_iter().collect();
    kinds.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    println!("linked by kind: {kinds:?}");
    let titles = kinds
        .iter()
        .filter(|(k, _)| k.starts_with('《'))
        .map(|(_, n)| n)
        .sum::<usize>();
    let total = titles + ambiguous + unresolved.len();
    println!(
        "《…》: {titles} resolved, {ambiguous} ambiguous, {} not in the catalogue: {:.1}% resolved",
        unresolved.len(),
        100.0 * titles as f64 / total as f64
    );
    let mut top: Vec<_> = unknown.into_iter().collect();
    top.sort_by_key(|(t, n)| (std::cmp::Reverse(*n), *t));
    for (title, n) in top.iter().take(20) {
        println!("{n:5} {title}");
    }
    let dir = PathBuf::from(samples);
    std::fs::create_dir_all(&dir).expect("sample dir");
    write_sample(&dir.join("resolved.tsv"), &resolved, 100);
    write_sample(&dir.join("unresolved.tsv"), &unresolved, 50);
}

type Row = (PathBuf, std::sync::Arc<str>, std::ops::Range<usize>, String);

/// `n` rows picked at random (fixed seed), each with 30 characters around.
fn write_sample(path: &std::path::Path, rows: &[Row], n: usize) {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut out = String::new();
    for _ in 0..n.min(rows.len()) {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let (file, text, range, to) = &rows[(seed >> 33) as usize % rows.len()];
        let before: String = text[..range.start].chars().rev().take(30).collect();
        let before: String = before.chars().rev().collect();
        let after: String = text[range.end..].chars().take(30).collect();
        let clean = |s: &str| s.replace(['\n', '\t'], " ");
        let _ = writeln!(
            out,
            "{}\t{}[[{}]]{}\t{to}",
            file.display(),
            clean(&before),
            &text[range.clone()],
            clean(&after)
        );
    }
    std::fs::write(path, out).expect("write sample");
}
