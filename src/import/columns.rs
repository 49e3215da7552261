//! Reads meaning into a sheet: finds the header row, maps each header
//! (Chinese or English, or as `--map` says) to a catalogue field, and turns
//! every data row into a typed `Entry`, collecting one `Problem` per bad
//! cell with its sheet, row and column.
//!
//! Knows nothing of the site: matching entries to documents is `plan`'s.

use chrono::NaiveDate;

use super::Problem;
use super::sheet::{Cell, SheetRow, Table, column_letters};
use crate::model::Outcome;

/// A catalogue or review field a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    /// An explicit catalogue id.
    Id,
    /// 文件名称.
    Title,
    /// 文号.
    Number,
    /// 发文机关.
    Issuer,
    /// 效力级别.
    Level,
    /// 类别.
    Category,
    /// 发布日期.
    Published,
    /// 施行日期.
    Effective,
    /// 有效期至.
    Expires,
    /// 清理结果: keep, revise, repeal, invalidate.
    Outcome,
    /// 效力状态: an outcome, or a status gazette computes itself.
    Status,
    /// 理由.
    Reason,
    /// 审核人.
    Reviewer,
    /// 审核日期.
    Reviewed,
    /// 不予公开: 是 marks a document not published (counted, not listed).
    Withheld,
    /// 是否公开: 否 marks a document not published.
    Public,
    /// A column read and dropped (序号).
    Skip,
}

/// Each field's `--map` key, then the headers recognised for it (compared
/// after `normalise_header`).
const HEADERS: &[(Field, &str, &[&str])] = &[
    (Field::Id, "id", &["id", "标识"]),
    (
        Field::Title,
        "title",
        &[
            "title",
            "name",
            "文件名称",
            "标题",
            "名称",
            "文件标题",
            "文件名",
        ],
    ),
    (
        Field::Number,
        "number",
        &[
            "number",
            "docnumber",
            "文号",
            "发文字号",
            "文件编号",
            "发文号",
        ],
    ),
    (
        Field::Issuer,
        "issuer",
        &[
            "issuer",
            "发文机关",
            "制定机关",
            "发布机关",
            "制发机关",
            "发文单位",
            "起草单位",
        ],
    ),
    (
        Field::Level,
        "level",
        &["level", "效力级别", "层级", "文件层级", "文种"],
    ),
    (
        Field::Category,
        "category",
        &["category", "类别", "分类", "文件类别"],
    ),
    (
        Field::Published,
        "published",
        &[
            "published",
            "date",
            "发布日期",
            "印发日期",
            "成文日期",
            "公布日期",
            "发文日期",
            "发布时间",
            "印发时间",
        ],
    ),
    (
        Field::Effective,
        "effective",
        &["effective", "施行日期", "生效日期", "实施日期", "施行时间"],
    ),
    (
        Field::Expires,
        "expires",
        &[
            "expires",
            "有效期至",
            "失效日期",
            "到期日期",
            "有效期截止",
            "有效期",
        ],
    ),
    (
        Field::Outcome,
        "outcome",
        &[
            "outcome",
            "清理结果",
            "处理意见",
            "清理意见",
            "审查结果",
            "清理结论",
            "处理结果",
        ],
    ),
    (
        Field::Status,
        "status",
        &["status", "效力状态", "状态", "现行状态"],
    ),
    (
        Field::Reason,
        "reason",
        &["reason", "理由", "清理理由", "备注", "说明", "处理理由"],
    ),
    (
        Field::Reviewer,
        "reviewer",
        &["reviewer", "审核人", "审查人", "经办人", "清理人"],
    ),
    (
        Field::Reviewed,
        "reviewed",
        &["reviewed", "reviewdate", "审核日期", "清理日期", "审查日期"],
    ),
    (
        Field::Withheld,
        "withheld",
        &["withheld", "不予公开", "不公开"],
    ),
    (Field::Public, "public", &["public", "是否公开", "公开属性"]),
    (Field::Skip, "skip", &["序号", "no", "no.", "#"]),
];

impl Field {
    /// The field `--map` names by `key` (`title`, `published`, …).
    pub(super) fn from_key(key: &str) -> Option<Field> {
        let key = key.trim().to_ascii_lowercase();
        HEADERS
            .iter()
            .find(|(_, k, _)| *k == key)
            .map(|(f, _, _)| *f)
    }

    /// Every `--map` key, for help texts.
    pub(super) fn keys() -> String {
        HEADERS
            .iter()
            .map(|(_, k, _)| *k)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The field a header names, if it is one gazette knows.
    fn recognise(header: &str) -> Option<Field> {
        let h = normalise_header(header);
        HEADERS
            .iter()
            .find(|(_, _, names)| names.iter().any(|n| normalise_header(n) == h))
            .map(|(f, _, _)| *f)
    }
}

/// A header compared without spaces, line breaks, case or a trailing
/// note in brackets (`发布日期（必填）`).
fn normalise_header(header: &str) -> String {
    let h: String = header.chars().filter(|c| !c.is_whitespace()).collect();
    let h = match h.find(['（', '(']) {
        Some(i) if i > 0 => h[..i].to_owned(),
        _ => h,
    };
    h.to_lowercase()
}

/// `--map 'header=field'` pairs, checked before any sheet is read.
#[derive(Debug, Clone, Default)]
pub(super) struct Mapping(Vec<(String, Field)>);

impl Mapping {
    /// Parse `--map` arguments; the error names the bad one and the keys.
    pub(super) fn parse(args: &[String]) -> Result<Mapping, String> {
        let mut pairs = Vec::new();
        for arg in args {
            let Some((header, key)) = arg.rsplit_once('=') else {
                return Err(format!("--map `{arg}` is not header=field"));
            };
            let field = Field::from_key(key).ok_or_else(|| {
                format!(
                    "--map `{arg}`: unknown field `{key}`; use one of {}",
                    Field::keys()
                )
            })?;
            pairs.push((normalise_header(header), field));
        }
        Ok(Mapping(pairs))
    }

    fn field(&self, header: &str) -> Option<Field> {
        let h = normalise_header(header);
        self.0
            .iter()
            .find(|(name, _)| *name == h)
            .map(|(_, f)| *f)
            .or_else(|| Field::recognise(header))
    }
}

/// One row of the sheet as a document (and maybe a review outcome).
#[derive(Debug, Clone, Default)]
pub(super) struct Entry {
    /// Where the row is, for messages: sheet name and 1-based row.
    pub(super) sheet: String,
    /// 1-based row number.
    pub(super) row: usize,
    /// Explicit id, if the sheet gives one.
    pub(super) id: Option<String>,
    /// 文件名称.
    pub(super) title: String,
    /// 文号.
    pub(super) number: Option<String>,
    /// 发文机关.
    pub(super) issuer: Option<String>,
    /// 效力级别.
    pub(super) level: Option<String>,
    /// 类别.
    pub(super) category: Option<String>,
    /// 发布日期.
    pub(super) published: Option<NaiveDate>,
    /// 施行日期.
    pub(super) effective: Option<NaiveDate>,
    /// 有效期至.
    pub(super) expires: Option<NaiveDate>,
    /// 清理结果.
    pub(super) outcome: Option<Outcome>,
    /// A status the sheet claims that only an act can bring about (已废止).
    pub(super) ended: Option<String>,
    /// 理由.
    pub(super) reason: Option<String>,
    /// 审核人.
    pub(super) reviewer: Option<String>,
    /// 审核日期.
    pub(super) reviewed: Option<NaiveDate>,
    /// Not published: reviewed and counted, never listed in the catalogue.
    pub(super) withheld: bool,
}

/// How many leading rows may hold a sheet title above the header row.
const HEADER_SEARCH_ROWS: usize = 10;

/// The entries of one sheet, or `None` when it has no header row gazette
/// recognises (an instructions sheet). `file` names the file in problems.
pub(super) fn entries(
    file: &str,
    table: &Table,
    map: &Mapping,
    problems: &mut Vec<Problem>,
) -> Option<Vec<Entry>> {
    let (h, fields) = table
        .rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .enumerate()
        .map(|(i, row)| (i, header_fields(row, map)))
        .find(|(_, fields)| {
            fields
                .iter()
                .flatten()
                .filter(|f| **f != Field::Skip)
                .count()
                >= 2
        })?;
    let header = &table.rows[h];
    if !fields.contains(&Some(Field::Title)) {
        problems.push(
            Problem::at(
                file,
                &table.sheet,
                header.number,
                None,
                None,
                "no title column",
            )
            .help("name the column 文件名称 or 标题, or map it: --map '你的列名=title'"),
        );
        return Some(Vec::new());
    }
    let headers: Vec<String> = header.cells.iter().map(Cell::text).collect();
    let columns = Columns {
        file,
        sheet: &table.sheet,
        headers: &headers,
        fields: &fields,
    };
    let rows = table.rows[h + 1..]
        .iter()
        .filter(|r| !r.cells.iter().all(Cell::is_blank));
    Some(rows.filter_map(|r| columns.entry(r, problems)).collect())
}

fn header_fields(row: &SheetRow, map: &Mapping) -> Vec<Option<Field>> {
    row.cells.iter().map(|c| map.field(&c.text())).collect()
}

/// A sheet's header row read into fields, for parsing its data rows.
struct Columns<'a> {
    file: &'a str,
    sheet: &'a str,
    headers: &'a [String],
    fields: &'a [Option<Field>],
}

impl Columns<'_> {
    /// The entry of one non-blank row, or `None` with its problems recorded.
    fn entry(&self, row: &SheetRow, problems: &mut Vec<Problem>) -> Option<Entry> {
        let before = problems.len();
        let mut e = Entry {
            sheet: self.sheet.to_owned(),
            row: row.number,
            ..Entry::default()
        };
        for (c, cell) in row.cells.iter().enumerate() {
            let Some(field) = self.fields.get(c).copied().flatten() else {
                continue;
            };
            if cell.is_blank() {
                continue;
            }
            if let Err((message, help)) = fill(&mut e, field, cell) {
                problems.push(self.problem(row.number, c, cell, message, help));
            }
        }
        if e.title.is_empty() {
            let c = self
                .fields
                .iter()
                .position(|f| *f == Some(Field::Title))
                .unwrap_or(0);
            let p = self.problem(
                row.number,
                c,
                &Cell::Empty,
                "no title".into(),
                "every row needs the document's title (文件名称)",
            );
            problems.push(p);
        }
        (problems.len() == before).then_some(e)
    }

    fn problem(&self, row: usize, c: usize, cell: &Cell, message: String, help: &str) -> Problem {
        let header = self.headers.get(c).map(String::as_str).unwrap_or_default();
        let column = format!("{} ({header})", column_letters(c));
        let value = (!cell.is_blank()).then(|| cell.text());
        Problem::at(self.file, self.sheet, row, Some(column), value, &message).help(help)
    }
}

/// Put one cell's value into its field; the error is (what is wrong, what to do).
fn fill(e: &mut Entry, field: Field, cell: &Cell) -> Result<(), (String, &'static str)> {
    let text = || Some(cell.text());
    match field {
        Field::Id => e.id = text(),
        Field::Title => e.title = cell.text(),
        Field::Number => e.number = text(),
        Field::Issuer => e.issuer = text(),
        Field::Level => e.level = text(),
        Field::Category => e.category = text(),
        Field::Reason => e.reason = text(),
        Field::Reviewer => e.reviewer = text(),
        Field::Published => e.published = Some(date(cell)?),
        Field::Effective => e.effective = Some(date(cell)?),
        Field::Expires => e.expires = Some(date(cell)?),
        Field::Reviewed => e.reviewed = Some(date(cell)?),
        Field::Outcome => e.outcome = Some(outcome(cell)?),
        Field::Status => status(e, cell)?,
        Field::Withheld => e.withheld = yes_no(cell)?,
        Field::Public => e.withheld = !public(cell)?,
        Field::Skip => {}
    }
    Ok(())
}

const DATE_HELP: &str = "write the date as 2019-03-02, 2019/3/2, 2019.3.2 or 2019年3月2日, or format the cell as a date";

fn date(cell: &Cell) -> Result<NaiveDate, (String, &'static str)> {
    let parsed = match cell {
        Cell::Date(d) => Some(*d),
        Cell::Number(n) => super::sheet::serial_date(*n),
        other => parse_date(&other.text()),
    };
    parsed.ok_or_else(|| ("not a date".to_owned(), DATE_HELP))
}

/// A date as people write them: `2019-03-02`, `2019/3/2`, `2019.3.2`,
/// `2019年3月2日`, `20190302`.
pub(super) fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(t, "%Y%m%d").ok();
    }
    let parts: Vec<&str> = t
        .trim_end_matches('日')
        .split(['-', '/', '.', '年', '月'])
        .map(str::trim)
        .collect();
    let [y, m, d] = parts[..] else {
        return None;
    };
    if y.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

const OUTCOME_HELP: &str =
    "write 保留, 修改, 废止 or 宣布失效 (or keep, revise, repeal, invalidate)";

fn outcome(cell: &Cell) -> Result<Outcome, (String, &'static str)> {
    Outcome::parse(&cell.text()).ok_or_else(|| ("not a clean-up outcome".to_owned(), OUTCOME_HELP))
}

/// A yes/no cell: 是/否, Y/N, yes/no, 1/0, √/×.
fn yes_no(cell: &Cell) -> Result<bool, (String, &'static str)> {
    match cell.text().to_lowercase().as_str() {
        "是" | "y" | "yes" | "true" | "1" | "√" | "✓" => Ok(true),
        "否" | "n" | "no" | "false" | "0" | "×" => Ok(false),
        _ => Err((
            "neither yes nor no".into(),
            "write 是 or 否 (or yes, no, 1, 0)",
        )),
    }
}

/// A 是否公开 cell: yes/no, or the publication terms offices use.
fn public(cell: &Cell) -> Result<bool, (String, &'static str)> {
    match cell.text().as_str() {
        "公开" | "主动公开" | "依申请公开" => Ok(true),
        "不公开" | "不予公开" => Ok(false),
        _ => yes_no(cell),
    }
}

/// Statuses a sheet may state that need no act: gazette computes them.
const STATUS_IN_FORCE: [&str; 8] = [
    "现行有效",
    "有效",
    "现行",
    "已修改",
    "已修正",
    "current",
    "amended",
    "in force",
];

/// Statuses only an act (a decision, a successor) or an expiry date brings about.
const STATUS_ENDED: [&str; 10] = [
    "已废止",
    "已失效",
    "已宣布失效",
    "已到期",
    "已被替代",
    "repealed",
    "invalid",
    "expired",
    "superseded",
    "尚未生效",
];

/// A 效力状态 cell: an outcome (废止) is recorded as one; a status in force
/// needs nothing; an ended one is kept aside for a note, since gazette
/// computes status from acts and will not assert it unsupported.
fn status(e: &mut Entry, cell: &Cell) -> Result<(), (String, &'static str)> {
    let t = cell.text();
    let lower = t.to_lowercase();
    if let Some(o) = Outcome::parse(&t) {
        e.outcome = Some(o);
    } else if STATUS_ENDED.contains(&lower.as_str()) {
        e.ended = Some(t);
    } else if !STATUS_IN_FORCE.contains(&lower.as_str()) {
        return Err((
            "neither a clean-up outcome nor a status".into(),
            "write an outcome (保留, 修改, 废止, 宣布失效) or a status (现行有效, 已废止, 已失效)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_forms_offices_write_them() {
        let d = NaiveDate::from_ymd_opt(2019, 3, 2);
        for t in [
            "2019-03-02",
            "2019/3/2",
            "2019.3.2",
            "2019年3月2日",
            "20190302",
            " 2019-3-2 ",
        ] {
            assert_eq!(parse_date(t), d, "{t}");
        }
        for t in ["2019-13-02", "19/3/2", "2019年3月", "三月二日"] {
            assert_eq!(parse_date(t), None, "{t}");
        }
    }

    #[test]
    fn headers_are_recognised_in_both_languages_and_mapped() {
        assert_eq!(Field::recognise(" 发文字号 "), Some(Field::Number));
        assert_eq!(Field::recognise("发布日期（必填）"), Some(Field::Published));
        assert_eq!(Field::recognise("Title"), Some(Field::Title));
        assert_eq!(Field::recognise("附件"), None);
        let map = Mapping::parse(&["牵头处室=issuer".into()]).unwrap();
        assert_eq!(map.field("牵头处室"), Some(Field::Issuer));
        assert!(Mapping::parse(&["x=nonsense".into()]).is_err());
    }
}
