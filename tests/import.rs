//! `gazette import`: real-shaped spreadsheets (an XLSX with a title row, an
//! instructions sheet, date cells and a raw date serial; CSVs with bad rows)
//! become catalogue entries and review records; bad rows are all reported
//! with sheet, row and column and nothing is written; a re-import and a dry
//! run change nothing; the imported site checks clean.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::{Fixture, snapshot};
use gazette::import::{ImportOptions, ImportReport, Problem, import};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

fn options(f: &Fixture, file: &Path) -> ImportOptions {
    ImportOptions {
        root: f.root().to_path_buf(),
        file: file.to_path_buf(),
        dry_run: false,
        campaign: Some("2026-qingli".into()),
        map: Vec::new(),
        today: "2026-10-12".parse().unwrap(),
    }
}

#[track_caller]
fn imported(opts: &ImportOptions) -> ImportReport {
    import(opts).unwrap_or_else(|p| panic!("import failed: {}", lines(&p)))
}

fn lines(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("{p}\n")).collect()
}

/// One row of the ledger: 文件名称, 文号, 制定机关, 效力级别, 印发日期,
/// 清理结果, 清理理由, 审核人 (empty text means a blank cell).
struct LedgerRow {
    title: &'static str,
    number: &'static str,
    issuer: &'static str,
    level: &'static str,
    issued: (u16, u8, u8),
    outcome: &'static str,
    reason: &'static str,
    reviewer: &'static str,
    /// 不予公开: 是.
    withheld: bool,
}

const LEDGER: [LedgerRow; 6] = [
    // In the catalogue under 青发〔2003〕12号, issued 2003-05-10: the date differs.
    LedgerRow {
        title: "关于加强机关作风建设的若干规定",
        number: "青发[2003]12号",
        issuer: "中共青川市委",
        level: "党内规范性文件",
        issued: (2003, 5, 11),
        outcome: "废止",
        reason: "已被新规定代替",
        reviewer: "法规室 张三",
        withheld: false,
    },
    // A Markdown document without 文号: matched by title.
    LedgerRow {
        title: "青川市会议管理办法",
        number: "",
        issuer: "青川市人民政府",
        level: "",
        issued: (2016, 4, 1),
        outcome: "保留",
        reason: "",
        reviewer: "",
        withheld: false,
    },
    LedgerRow {
        title: "青川市公务用车管理办法",
        number: "青政办发〔2019〕3号",
        issuer: "青川市人民政府办公室",
        level: "行政规范性文件",
        issued: (2019, 3, 2),
        outcome: "修改",
        reason: "与新规定不一致",
        reviewer: "",
        withheld: false,
    },
    LedgerRow {
        title: "关于开展专项整治的通知",
        number: "",
        issuer: "青川市人民政府",
        level: "",
        issued: (2021, 1, 5),
        outcome: "宣布失效",
        reason: "任务已完成",
        reviewer: "",
        withheld: false,
    },
    LedgerRow {
        title: "青川市档案管理规定",
        number: "青政发〔2020〕8号",
        issuer: "青川市人民政府",
        level: "行政规范性文件",
        issued: (2020, 6, 1),
        outcome: "",
        reason: "",
        reviewer: "",
        withheld: false,
    },
    // Not published: a record by title, no catalogue entry.
    LedgerRow {
        title: "关于内部事项的通知",
        number: "青办发〔2012〕2号",
        issuer: "中共青川市委办公室",
        level: "",
        issued: (2012, 2, 1),
        outcome: "废止",
        reason: "已过时",
        reviewer: "",
        withheld: true,
    },
];

/// The expiry of 青川市公务用车管理办法, written as a bare Excel serial.
const EXPIRES: (u16, u8, u8) = (2029, 3, 1);

/// A workbook as offices keep it: an instructions sheet first, then the
/// ledger under a merged title row, dates as date cells (one as text in
/// Chinese form, one expiry as a bare serial number).
fn write_ledger(path: &Path) -> Result<(), XlsxError> {
    let mut book = Workbook::new();
    let notes = book.add_worksheet();
    notes.set_name("填表说明")?;
    notes.write_string(0, 0, "每行填写一件文件；日期按“年-月-日”填写。")?;
    let sheet = book.add_worksheet();
    sheet.set_name("清理台账")?;
    sheet.merge_range(0, 0, 0, 9, "2026年规范性文件清理台账", &Format::new())?;
    let headers = [
        "序号",
        "文件名称",
        "发文字号",
        "制定机关",
        "效力级别",
        "印发日期",
        "有效期至",
        "清理结果",
        "清理理由",
        "审核人",
        "不予公开",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(1, c as u16, *h)?;
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (n, r) in LEDGER.iter().enumerate() {
        let row = n as u32 + 2;
        sheet.write_number(row, 0, n as f64 + 1.0)?;
        let texts = [
            (1, r.title),
            (2, r.number),
            (3, r.issuer),
            (4, r.level),
            (7, r.outcome),
            (8, r.reason),
            (9, r.reviewer),
        ];
        for (c, t) in texts.into_iter().filter(|(_, t)| !t.is_empty()) {
            sheet.write_string(row, c, t)?;
        }
        sheet.write_string(row, 10, if r.withheld { "是" } else { "否" })?;
        let (y, m, d) = r.issued;
        if y == 2021 {
            sheet.write_string(row, 5, format!("{y}年{m}月{d}日"))?;
        } else {
            sheet.write_datetime_with_format(row, 5, ExcelDateTime::from_ymd(y, m, d)?, &date)?;
        }
    }
    let (y, m, d) = EXPIRES;
    sheet.write_number(4, 6, ExcelDateTime::from_ymd(y, m, d)?.to_excel())?;
    book.save(path)
}

fn iso((y, m, d): (u16, u8, u8)) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

/// The site's document ids by title, as gazette loads them.
fn ids_by_title(root: &Path) -> BTreeMap<String, String> {
    let config = gazette::config::Config::load(root).unwrap();
    let (content, _) = gazette::content::load(root, &config, Default::default());
    content
        .documents
        .iter()
        .map(|d| (d.title.clone(), d.id.to_string()))
        .collect()
}

fn toml_file(path: &Path) -> toml::Table {
    std::fs::read_to_string(path).unwrap().parse().unwrap()
}

#[test]
fn xlsx_ledger_becomes_entries_and_records_and_the_site_checks_clean() {
    let f = Fixture::new("import_site");
    let xlsx = f.root().join("台账.xlsx");
    write_ledger(&xlsx).unwrap();
    let catalogue_before =
        std::fs::read_to_string(f.root().join("content/catalogue.toml")).unwrap();

    let report = imported(&options(&f, &xlsx));
    assert_eq!(
        (report.documents, report.records, report.matched),
        (3, 5, 2)
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("row 3") && n.contains("发布日期") && n.contains("2003-05-10")),
        "the differing date is reported: {:?}",
        report.notes
    );

    let catalogue_text = std::fs::read_to_string(f.root().join("content/catalogue.toml")).unwrap();
    assert!(
        catalogue_text.starts_with(&catalogue_before),
        "existing text and comments are kept"
    );
    let catalogue = toml_file(&f.root().join("content/catalogue.toml"));
    let docs = catalogue["document"].as_array().unwrap();
    let by_title = |t: &str| {
        docs.iter()
            .filter(|d| d["title"].as_str() == Some(t))
            .collect::<Vec<_>>()
    };
    // One entry per document: none added for the two already in the site,
    // none at all for the one published as Markdown or the withheld one.
    for r in &LEDGER {
        let want = usize::from(r.title != LEDGER[1].title && !r.withheld);
        assert_eq!(by_title(r.title).len(), want, "{}", r.title);
    }
    let car = by_title(LEDGER[2].title)[0];
    assert_eq!(car["number"].as_str(), Some(LEDGER[2].number));
    assert_eq!(car["issuer"].as_str(), Some(LEDGER[2].issuer));
    assert_eq!(
        car["published"].to_string(),
        iso(LEDGER[2].issued),
        "from a date cell"
    );
    assert_eq!(
        car["expires"].to_string(),
        iso(EXPIRES),
        "from a bare serial"
    );
    assert_eq!(
        by_title(LEDGER[3].title)[0]["published"].to_string(),
        iso(LEDGER[3].issued),
        "from 2021年1月5日"
    );

    let ids = ids_by_title(f.root());
    let campaign = toml_file(&f.root().join("reviews/2026-qingli.toml"));
    assert_eq!(campaign["campaign"]["name"].as_str(), Some("2026-qingli"));
    let records: BTreeMap<&str, &toml::Value> = campaign["record"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.get("doc").or(r.get("title")).unwrap().as_str().unwrap(),
                r,
            )
        })
        .collect();
    let want: BTreeMap<&str, &str> = LEDGER
        .iter()
        .filter(|r| !r.outcome.is_empty())
        .map(|r| {
            let subject = if r.withheld {
                r.title
            } else {
                ids[r.title].as_str()
            };
            (subject, r.outcome)
        })
        .collect();
    assert_eq!(
        records.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    for (doc, outcome) in want {
        let r = records[doc];
        let parsed = gazette::model::Outcome::parse(r["outcome"].as_str().unwrap());
        assert_eq!(parsed, gazette::model::Outcome::parse(outcome), "{doc}");
        assert_eq!(
            r["date"].to_string(),
            "2026-10-12",
            "undated rows take the import's date"
        );
    }
    assert_eq!(
        records[ids[LEDGER[0].title].as_str()]["reviewer"].as_str(),
        Some(LEDGER[0].reviewer)
    );
    let withheld = LEDGER.iter().find(|r| r.withheld).unwrap();
    assert_eq!(records[withheld.title]["withheld"].as_bool(), Some(true));
    assert!(records[withheld.title].get("doc").is_none());

    let diags = gazette::check(&f.options("2026-11-01"))
        .unwrap_or_else(|d| panic!("{}", common::render(&d)));
    assert!(!diags.has_errors(), "{}", common::render(&diags));
    assert_eq!(
        diags.len(),
        0,
        "no warnings either: {}",
        common::render(&diags)
    );
}

#[test]
fn reimporting_the_same_ledger_changes_no_byte() {
    let f = Fixture::new("import_site");
    let xlsx = f.root().join("台账.xlsx");
    write_ledger(&xlsx).unwrap();
    imported(&options(&f, &xlsx));
    let after_first = snapshot(f.root());
    let again = imported(&options(&f, &xlsx));
    assert_eq!(
        (again.documents, again.records, again.matched),
        (0, 0, LEDGER.iter().filter(|r| !r.withheld).count())
    );
    assert!(again.changes.is_empty());
    assert!(
        snapshot(f.root()) == after_first,
        "a re-import rewrote a file"
    );
}

const BAD_CSV: &str = "\u{feff}文件名称,文号,发文机关,发布日期,清理结果,理由
好的文件,青发〔2020〕1号,中共青川市委,2020-01-01,保留,
坏日期,青发〔2020〕2号,中共青川市委,2020-13-45,保留,

坏结果,青发〔2020〕3号,中共青川市委,2020-01-03,删除,
,青发〔2020〕4号,中共青川市委,2020-01-04,废止,无标题
";

#[test]
fn bad_rows_are_all_reported_with_sheet_row_and_column_and_nothing_is_written() {
    let f = Fixture::new("import_site");
    let csv = f.root().join("清理结果.csv");
    std::fs::write(&csv, BAD_CSV).unwrap();
    let before = snapshot(f.root());
    let problems = import(&options(&f, &csv)).expect_err("bad rows must fail the import");
    let located: Vec<(Option<usize>, Option<&str>, Option<&str>)> = problems
        .iter()
        .map(|p| (p.row, p.column.as_deref(), p.value.as_deref()))
        .collect();
    assert_eq!(
        located,
        [
            (Some(3), Some("D (发布日期)"), Some("2020-13-45")),
            (Some(5), Some("E (清理结果)"), Some("删除")),
            (Some(6), Some("A (文件名称)"), None),
        ],
        "{}",
        lines(&problems)
    );
    assert!(
        problems
            .iter()
            .all(|p| p.sheet.as_deref() == Some("清理结果") && p.help.is_some())
    );
    assert!(
        snapshot(f.root()) == before,
        "a failed import wrote something"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(["import", "清理结果.csv", "--campaign", "2026-qingli"])
        .current_dir(f.root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "清理结果.csv, sheet 清理结果, row 3, column D (发布日期): not a date: `2020-13-45`"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(snapshot(f.root()) == before);
}

#[test]
fn outcomes_without_a_campaign_are_refused() {
    let f = Fixture::new("import_site");
    let csv = f.root().join("结果.csv");
    std::fs::write(&csv, "文件名称,发布日期,清理结果\n甲文件,2020-01-01,保留\n").unwrap();
    let opts = ImportOptions {
        campaign: None,
        ..options(&f, &csv)
    };
    let problems = import(&opts).expect_err("no campaign named");
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].row, Some(2));
    assert!(
        problems[0]
            .help
            .as_deref()
            .unwrap_or_default()
            .contains("--campaign")
    );
}

#[test]
fn dry_run_writes_nothing_and_shows_exactly_what_a_run_appends() {
    let f = Fixture::new("import_site");
    let csv = f.root().join("新增.csv");
    std::fs::write(
        &csv,
        "标题,文号,牵头处室,成文日期\n青川市新规定,青政发〔2024〕1号,法规室,2024/5/6\n",
    )
    .unwrap();
    let before = snapshot(f.root());
    let catalogue = f.root().join("content/catalogue.toml");
    let text_before = std::fs::read_to_string(&catalogue).unwrap();
    let dry = ImportOptions {
        dry_run: true,
        map: vec!["牵头处室=issuer".into()],
        ..options(&f, &csv)
    };
    let report = imported(&dry);
    assert!(!report.written);
    assert!(snapshot(f.root()) == before, "a dry run wrote something");
    let [change] = &report.changes[..] else {
        panic!("one file should change: {:?}", report.changes);
    };
    assert!(
        change.added.contains("issuer = \"法规室\""),
        "--map applies: {}",
        change.added
    );
    assert!(
        change.added.contains("published = 2024-05-06"),
        "{}",
        change.added
    );

    imported(&ImportOptions {
        dry_run: false,
        ..dry
    });
    let text_after = std::fs::read_to_string(&catalogue).unwrap();
    assert_eq!(text_after, format!("{text_before}{}", change.added));
}

#[test]
fn records_append_to_the_campaign_named_in_its_file_keeping_what_it_holds() {
    let f = Fixture::new("import_site");
    let existing = "# 集中清理工作记录（人工维护的注释）\n[campaign]\nname = \"2026年规范性文件集中清理\"\ndeadline = 2026-12-31\n\n[[record]]\ndoc = \"old/qingfa-2003-12\"\ndate = 2026-09-01\noutcome = \"废止\"\nreason = \"人工录入\"\n";
    f.write("reviews/qingli.toml", existing);
    let xlsx = f.root().join("台账.xlsx");
    write_ledger(&xlsx).unwrap();
    let opts = ImportOptions {
        campaign: Some("2026年规范性文件集中清理".into()),
        ..options(&f, &xlsx)
    };
    let report = imported(&opts);
    let with_outcome = LEDGER.iter().filter(|r| !r.outcome.is_empty()).count();
    assert_eq!(
        report.records,
        with_outcome - 1,
        "the recorded review is not repeated"
    );
    let text = std::fs::read_to_string(f.root().join("reviews/qingli.toml")).unwrap();
    assert!(
        text.starts_with(existing),
        "the campaign file's text is kept"
    );
    assert!(
        !f.root()
            .join("reviews/2026年规范性文件集中清理.toml")
            .exists()
    );
    let table: toml::Table = text.parse().unwrap();
    let docs: Vec<&str> = table["record"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r.get("doc").and_then(|d| d.as_str()))
        .collect();
    assert_eq!(
        docs.iter().filter(|d| **d == "old/qingfa-2003-12").count(),
        1
    );
}

#[test]
fn a_site_without_a_catalogue_file_gets_one() {
    let f = Fixture::new("import_site");
    std::fs::remove_file(f.root().join("content/catalogue.toml")).unwrap();
    let csv = f.root().join("目录.csv");
    std::fs::write(
        &csv,
        "标题,文号,发布日期\n青川市新规定,青政发〔2024〕1号,2024-05-06\n",
    )
    .unwrap();
    let report = imported(&options(&f, &csv));
    assert!(report.changes[0].created);
    let catalogue = toml_file(&f.root().join("content/catalogue.toml"));
    let docs = catalogue["document"].as_array().unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["title"].as_str(), Some("青川市新规定"));
    let diags = gazette::check(&f.options("2026-11-01"))
        .unwrap_or_else(|d| panic!("{}", common::render(&d)));
    assert!(!diags.has_errors(), "{}", common::render(&diags));
}
