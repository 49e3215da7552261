//! The annex lists of a decision as offices publish them (决定废止的文件目录,
//! 决定宣布失效的文件目录, 决定修改的文件目录): numbered rows of 序号, 文件名称,
//! 文号, 发文机关, 理由, and each list as a CSV and an XLSX download written
//! into the decision's output folder.
//!
//! Builds from the relation groups `render` computed for the page, so the
//! table and its downloads cannot disagree; renders no HTML, reads no files.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};
use serde::Serialize;

use crate::i18n::Strings;
use crate::model::ANNEX_KINDS;
use crate::routes::annex_file;
use crate::view::{Related, RelationGroup};

/// One numbered list of a decision: what it repeals, invalidates, amends or supersedes.
#[derive(Debug, Clone, Serialize)]
pub struct Annex {
    /// The relation key (`repeals`, `invalidates`, `amends`, `supersedes`).
    pub key: String,
    /// Localised heading, e.g. 决定废止的文件目录.
    pub heading: &'static str,
    /// The rows, numbered from 1.
    pub rows: Vec<AnnexRow>,
    /// File name of the CSV download, inside the decision's folder.
    pub csv: String,
    /// File name of the XLSX download, inside the decision's folder.
    pub xlsx: String,
}

/// One document of an annex list.
#[derive(Debug, Clone, Serialize)]
pub struct AnnexRow {
    /// 序号, from 1.
    pub no: usize,
    /// 文件名称.
    pub title: String,
    /// Site-relative URL of the document's page.
    pub url: String,
    /// 文号, empty when unknown.
    pub number: String,
    /// 发文机关, empty when unknown.
    pub issuer: String,
    /// 理由, empty when the decision gives none.
    pub reason: String,
}

/// The annex lists of an act from its outgoing relation groups, in
/// publication order; groups of other kinds (`based_on`) are not lists.
pub fn annexes(acts: &[RelationGroup], t: &Strings) -> Vec<Annex> {
    ANNEX_KINDS
        .into_iter()
        .filter_map(|kind| {
            let g = acts.iter().find(|g| g.kind == kind)?;
            Some(Annex {
                key: g.key.clone(),
                heading: t.get(&format!("annex_{}", g.key)),
                rows: g.docs.iter().enumerate().map(|(n, r)| row(n, r)).collect(),
                csv: annex_file(kind, "csv"),
                xlsx: annex_file(kind, "xlsx"),
            })
        })
        .collect()
}

fn row(n: usize, r: &Related) -> AnnexRow {
    AnnexRow {
        no: n + 1,
        title: r.doc.title.clone(),
        url: r.doc.url.clone(),
        number: r.doc.fields.number.clone().unwrap_or_default(),
        issuer: r.doc.fields.issuer.clone().unwrap_or_default(),
        reason: r.reason.clone().unwrap_or_default(),
    }
}

/// The column headings, in the UI language.
fn header(t: &Strings) -> [&'static str; 5] {
    [
        t.get("annex_no"),
        t.get("annex_title"),
        t.get("number"),
        t.get("issuer"),
        t.get("reason"),
    ]
}

/// One file to write beside the decision's page.
#[derive(Debug)]
pub struct Download {
    /// File name inside the decision's folder.
    pub name: String,
    /// Its bytes, or why the workbook could not be assembled.
    pub bytes: Result<Vec<u8>, String>,
}

/// Every download of `lists`; `dated` fixes the XLSX creation date so a
/// rebuild writes the same bytes.
pub fn files(lists: &[Annex], t: &Strings, dated: Option<NaiveDate>) -> Vec<Download> {
    let mut files = Vec::new();
    for list in lists {
        files.push(Download {
            name: list.csv.clone(),
            bytes: Ok(csv(list, t)),
        });
        files.push(Download {
            name: list.xlsx.clone(),
            bytes: xlsx(list, t, dated).map_err(|e| e.to_string()),
        });
    }
    files
}

/// The list as CSV: a byte-order mark so Excel reads the Chinese as UTF-8,
/// every text cell made inert against formula injection.
pub fn csv(list: &Annex, t: &Strings) -> Vec<u8> {
    let rows = list.rows.iter().map(|r| {
        [
            r.no.to_string(),
            r.title.clone(),
            r.number.clone(),
            r.issuer.clone(),
            r.reason.clone(),
        ]
    });
    super::spreadsheet_csv(&header(t), rows)
}

/// Column widths in Excel character units: 序号 narrow, titles and reasons wide.
const WIDTHS: [f64; 5] = [6.0, 48.0, 22.0, 24.0, 40.0];

/// The list as an XLSX workbook of one sheet. Text goes in as string
/// cells, which spreadsheets never evaluate, so it needs no quoting.
pub fn xlsx(list: &Annex, t: &Strings, dated: Option<NaiveDate>) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let date = dated.unwrap_or_default();
    let created = ExcelDateTime::from_ymd(
        u16::try_from(date.year()).unwrap_or(1970),
        date.month() as u8,
        date.day() as u8,
    )?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name(list.heading))?;
    let bold = Format::new().set_bold();
    for (c, (head, width)) in header(t).iter().zip(WIDTHS).enumerate() {
        let c = c as u16;
        sheet.write_string_with_format(0, c, *head, &bold)?;
        sheet.set_column_width(c, width)?;
    }
    for (n, r) in list.rows.iter().enumerate() {
        let row = n as u32 + 1;
        sheet.write_number(row, 0, r.no as f64)?;
        for (c, text) in [&r.title, &r.number, &r.issuer, &r.reason]
            .into_iter()
            .enumerate()
        {
            if !text.is_empty() {
                sheet.write_string(row, c as u16 + 1, text)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

/// A worksheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(heading: &str) -> String {
    let name: String = heading
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect();
    if name.is_empty() {
        "Sheet1".into()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Language;
    use calamine::Reader;

    fn list(reason: &str) -> Annex {
        Annex {
            key: "repeals".into(),
            heading: "决定废止的文件目录",
            rows: vec![AnnexRow {
                no: 1,
                title: "关于<某事>&“某事”的通知".into(),
                url: "docs/a/".into(),
                number: String::new(),
                issuer: "青川市人民政府".into(),
                reason: reason.into(),
            }],
            csv: "annex-repeals.csv".into(),
            xlsx: "annex-repeals.xlsx".into(),
        }
    }

    #[test]
    fn xlsx_keeps_markup_and_control_characters_readable() {
        let t = Strings::new(Language::ZhCn);
        let reason = "已被\u{7}新规定<代替>&\"废止\"";
        let bytes = xlsx(&list(reason), &t, NaiveDate::from_ymd_opt(2025, 6, 30)).unwrap();
        let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("决定废止的文件目录").unwrap();
        let row: Vec<String> = range
            .rows()
            .nth(1)
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(row[1], "关于<某事>&“某事”的通知");
        assert_eq!(row[3], "青川市人民政府");
        assert_eq!(row[4], reason, "XML-special and control characters survive");
    }

    #[test]
    fn csv_quotes_every_formula_like_cell() {
        let t = Strings::new(Language::ZhCn);
        for reason in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1"] {
            let text = String::from_utf8(csv(&list(reason), &t)).unwrap();
            let last = text.lines().last().unwrap();
            assert!(
                last.contains(&format!("'{reason}")),
                "{reason:?} not inert in {last}"
            );
        }
    }
}
