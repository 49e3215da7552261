//! A decision's annex lists (决定废止的文件目录 …): numbered tables on its
//! page, and each list as CSV and XLSX downloads that read back as the
//! catalogue says, with formula-like text made harmless.

mod common;

use std::io::Cursor;

use calamine::{Data, Reader};
use common::Fixture;

const DECISION: &str = "docs/qingli/2025/";

/// The rows a list should hold, from the fixture's catalogue: for each
/// document the decision names under `key`, [序号, 文件名称, 文号, 发文机关, 理由].
fn expected_rows(f: &Fixture, key: &str) -> Vec<[String; 5]> {
    let text = std::fs::read_to_string(f.root().join("content/catalogue.toml")).unwrap();
    let cat: toml::Table = text.parse().unwrap();
    let docs = cat["document"].as_array().unwrap();
    let decision = &cat["decision"].as_array().unwrap()[0];
    let field =
        |d: &toml::Value, k: &str| d.get(k).and_then(|v| v.as_str()).unwrap_or("").to_owned();
    decision[key]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(n, r)| {
            let doc = docs
                .iter()
                .find(|d| d["id"].as_str() == r["id"].as_str())
                .unwrap();
            [
                (n + 1).to_string(),
                field(doc, "title"),
                field(doc, "number"),
                field(doc, "issuer"),
                field(r, "reason"),
            ]
        })
        .collect()
}

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark for Excel");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// Every cell of the only sheet as text, with the sheet's name, and
/// whether any cell holds a formula.
fn xlsx_rows(bytes: Vec<u8>) -> (String, Vec<Vec<String>>, bool) {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).unwrap();
    let names = book.sheet_names();
    assert_eq!(names.len(), 1);
    let range = book.worksheet_range(&names[0]).unwrap();
    let rows = range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => i.to_string(),
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => panic!("unexpected cell {other:?}"),
                })
                .collect()
        })
        .collect();
    let formulas = book.worksheet_formula(&names[0]).unwrap();
    let any_formula = formulas.used_cells().any(|(_, _, f)| !f.is_empty());
    (names[0].clone(), rows, any_formula)
}

#[test]
fn decision_annex_lists_are_numbered_tables_in_publication_order() {
    let f = Fixture::new("decision_annex_lists");
    f.build("2026-01-01");
    let html = f.read(&format!("{DECISION}index.html"));
    let heads = [
        "决定废止的文件目录",
        "决定宣布失效的文件目录",
        "决定修改的文件目录",
    ];
    let at: Vec<usize> = heads
        .iter()
        .map(|h| html.find(h).unwrap_or_else(|| panic!("no {h}")))
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "lists out of order: {at:?}"
    );
    let columns = "<th scope=\"col\">序号</th><th scope=\"col\">文件名称</th><th scope=\"col\">文号</th><th scope=\"col\">发文机关</th><th scope=\"col\">理由</th>";
    assert_eq!(
        html.matches(columns).count(),
        3,
        "every list has the five columns"
    );
    assert_eq!(html.matches("<colgroup><col class=\"w-no\">").count(), 3);
    for key in ["repeals", "invalidates", "amends"] {
        for ext in ["csv", "xlsx"] {
            let link = format!("href=\"/{DECISION}annex-{key}.{ext}\"");
            assert!(html.contains(&link), "no download link {link}");
            f.assert_file_exists(&format!("{DECISION}annex-{key}.{ext}"));
        }
    }
    let repeals = expected_rows(&f, "repeals");
    let text = common::plain_text(&html);
    for row in &repeals {
        assert!(
            text.contains(&row[1]) && text.contains(&row[2]),
            "row {row:?} missing"
        );
    }
    assert!(
        html.contains("<td class=\"col-no\">2</td>"),
        "rows are numbered"
    );
}

#[test]
fn annex_downloads_read_back_and_formula_like_text_stays_inert() {
    let f = Fixture::new("decision_annex_lists");
    f.build("2026-01-01");
    let header = ["序号", "文件名称", "文号", "发文机关", "理由"];
    for (key, sheet) in [
        ("repeals", "决定废止的文件目录"),
        ("invalidates", "决定宣布失效的文件目录"),
    ] {
        let expected = expected_rows(&f, key);
        let csv =
            csv_rows(&std::fs::read(f.out().join(format!("{DECISION}annex-{key}.csv"))).unwrap());
        assert_eq!(csv[0], header);
        let (name, xlsx, any_formula) =
            xlsx_rows(std::fs::read(f.out().join(format!("{DECISION}annex-{key}.xlsx"))).unwrap());
        assert_eq!(name, sheet);
        assert_eq!(xlsx[0], header);
        assert!(!any_formula, "the workbook holds no formulas");
        assert_eq!(
            (csv.len(), xlsx.len()),
            (expected.len() + 1, expected.len() + 1)
        );
        for ((want, c), x) in expected.iter().zip(&csv[1..]).zip(&xlsx[1..]) {
            assert_eq!(x, want, "XLSX keeps every text exactly, as string cells");
            let inert: Vec<String> = want
                .iter()
                .map(|s| {
                    if s.starts_with('=') {
                        format!("'{s}")
                    } else {
                        s.clone()
                    }
                })
                .collect();
            assert_eq!(*c, inert, "CSV quotes formula-like cells");
        }
    }
    let csv = f.read(&format!("{DECISION}annex-repeals.csv"));
    assert!(
        csv.contains("'=HYPERLINK"),
        "the fixture's formula-like reason was made inert"
    );
}

#[test]
fn annex_downloads_are_the_same_bytes_on_every_build() {
    let f = Fixture::new("decision_annex_lists");
    f.build("2026-01-01");
    let first = std::fs::read(f.out().join(format!("{DECISION}annex-amends.xlsx"))).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    f.build("2026-01-01");
    let second = std::fs::read(f.out().join(format!("{DECISION}annex-amends.xlsx"))).unwrap();
    assert!(first == second, "the XLSX embeds no build time");
}

#[test]
fn english_ui_labels_annex_columns_in_english() {
    let f = Fixture::new("decision_annex_lists");
    f.write("site.toml", "title = \"Annexes\"\nlanguage = \"en\"\n");
    f.build("2026-01-01");
    let html = f.read(&format!("{DECISION}index.html"));
    let columns = "<th scope=\"col\">No.</th><th scope=\"col\">Title</th><th scope=\"col\">Number</th><th scope=\"col\">Issuer</th><th scope=\"col\">Reason</th>";
    assert_eq!(html.matches(columns).count(), 3);
    let csv =
        csv_rows(&std::fs::read(f.out().join(format!("{DECISION}annex-repeals.csv"))).unwrap());
    assert_eq!(csv[0], ["No.", "Title", "Number", "Issuer", "Reason"]);
}
