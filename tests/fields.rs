//! The table of descriptive fields (`content::fields::FIELDS`) drives every
//! output: a document setting each field of the table shows each in the
//! template context, in `catalogue.json`/`.csv` when the table says so, and
//! in the search metadata, whose columns `search.js` reads by name.
//!
//! The document is written from the table, so a field added to the table
//! is checked without touching this test.

mod common;

use common::{Fixture, gunzip_json};
use gazette::content::fields::{Cell, FIELDS, Fields, InSearch};
use serde_json::{Value, json};

const AS_OF: &str = "2026-11-27";

/// Front matter setting field `k` of the table, and the value each output
/// should then carry (as JSON and as a CSV cell).
fn sample(k: usize, key: &str, cell: Cell<'_>) -> (String, Value, String) {
    let text = format!("值{k}");
    let date = format!("2020-01-{:02}", k + 1);
    match cell {
        Cell::Text(_) => (format!("{key} = \"{text}\""), json!(text), text),
        Cell::List(_) => (format!("{key} = [\"{text}\"]"), json!([text]), text),
        // Dates in table order: published before effective before expires.
        Cell::Date(_) => (format!("{key} = \"{date}\""), json!(date), date),
    }
}

/// The `every_field` fixture with one document setting every field; each
/// field with the JSON and CSV values its outputs should carry.
fn site() -> (Fixture, Vec<(&'static str, Value, String)>) {
    let f = Fixture::new("every_field");
    let mut front = String::from("+++\ntitle = \"全字段\"\n");
    let mut expected = Vec::new();
    for (k, (field, cell)) in Fields::default().cells().enumerate() {
        let (line, json, csv) = sample(k, field.key, cell);
        front += &format!("{line}\n");
        expected.push((field.key, json, csv));
    }
    f.write("content/a.md", &format!("{front}+++\n\n第一条 正文。\n"));
    f.build(AS_OF);
    (f, expected)
}

/// docs.bin of the built site.
fn docs_bin(f: &Fixture) -> Value {
    let manifest: Value = serde_json::from_str(&f.read("search/manifest.json")).unwrap();
    let name = manifest["docs"].as_str().unwrap();
    gunzip_json(&std::fs::read(f.out().join("search").join(name)).unwrap())
}

#[test]
fn every_field_reaches_templates_catalogue_and_search_as_the_table_says() {
    let (f, expected) = site();
    let page = f.read("docs/a/index.html");
    let doc = page.split_once("<pre id=\"doc\">").unwrap().1;
    let doc: Value = serde_json::from_str(doc.split_once("</pre>").unwrap().0).unwrap();
    let json: Value = serde_json::from_str(&f.read("catalogue.json")).unwrap();
    let csv = f.read("catalogue.csv");
    let mut rows = csv.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    let row: Vec<&str> = rows.next().unwrap().split(',').collect();
    let meta = docs_bin(&f);
    let columns = meta["columns"].as_array().unwrap();
    let search_row = &meta["docs"][0];
    for (field, (key, value, cell)) in FIELDS.iter().zip(&expected) {
        assert_eq!(&doc[key], value, "template context: {key}");
        let in_json = json[0].get(key);
        assert_eq!(
            in_json,
            field.catalogue.then_some(value),
            "catalogue.json: {key}"
        );
        let in_csv = header.iter().position(|h| h == key).map(|i| row[i]);
        assert_eq!(
            in_csv,
            field.catalogue.then_some(cell.as_str()),
            "csv: {key}"
        );
        let at = columns.iter().position(|c| c == key);
        let in_search = at.map(|i| match field.search {
            InSearch::Facet => {
                meta["facets"][key][search_row[i].as_u64().unwrap() as usize].clone()
            }
            _ => search_row[i].clone(),
        });
        let wanted = (field.search != InSearch::No).then_some(value);
        assert_eq!(in_search.as_ref(), wanted, "docs.bin: {key}");
    }
}

/// The names `search.js` reads a docs.bin row by: `col.NAME` and
/// `facet(d, "NAME")`.
fn names_read(script: &str) -> Vec<(&'static str, String)> {
    let mut names = Vec::new();
    for (marker, kind) in [("col.", "column"), ("facet(d, \"", "facet")] {
        for (at, _) in script.match_indices(marker) {
            let rest = &script[at + marker.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            names.push((kind, rest[..end].to_owned()));
        }
    }
    names
}

#[test]
fn search_js_reads_docs_bin_rows_by_column_name() {
    let script = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/static/search.js"),
    )
    .unwrap();
    let positional = script
        .match_indices("d[")
        .find(|(at, _)| script[at + 2..].starts_with(|c: char| c.is_ascii_digit()));
    assert!(
        positional.is_none(),
        "search.js reads a docs.bin row by position: {}",
        &script[positional.unwrap().0..][..40]
    );
    let (f, _) = site();
    let meta = docs_bin(&f);
    let columns: Vec<&str> = meta["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let read = names_read(&script);
    for (kind, name) in &read {
        assert!(
            columns.contains(&name.as_str()),
            "search.js reads {kind} {name}, not in {columns:?}"
        );
        if *kind == "facet" {
            assert!(
                meta["facets"].get(name).is_some(),
                "no facet values for {name}"
            );
        }
    }
    for column in &columns {
        assert!(
            read.iter().any(|(_, name)| name == column),
            "docs.bin ships column {column}, which search.js never reads"
        );
    }
}
