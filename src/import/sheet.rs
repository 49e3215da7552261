//! Reads a spreadsheet, XLSX (through calamine) or CSV, into plain tables:
//! each sheet's rows of typed cells with their 1-based row numbers as the
//! spreadsheet program shows them.
//!
//! Knows nothing of headers, fields or the catalogue; `columns` reads meaning
//! into the cells. Parses bytes, so tests need no files.

use chrono::NaiveDate;

/// One cell's value as the spreadsheet stores it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    /// Nothing in the cell.
    Empty,
    /// Text (also Excel errors such as `#N/A`, shown as written).
    Text(String),
    /// A number not formatted as a date (may still be a date serial).
    Number(f64),
    /// A cell formatted as a date.
    Date(NaiveDate),
}

impl Cell {
    /// The cell as text, the way a person reading the sheet would copy it.
    pub(super) fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.trim().to_owned(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
        }
    }

    /// True for an empty cell or one holding only spaces.
    pub(super) fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }
}

/// One row of a sheet.
#[derive(Debug, Clone)]
pub(super) struct SheetRow {
    /// 1-based row number as the spreadsheet program shows it.
    pub(super) number: usize,
    /// Cells from column A on.
    pub(super) cells: Vec<Cell>,
}

/// One sheet (a CSV file is one sheet named after the file).
#[derive(Debug, Clone)]
pub(super) struct Table {
    /// The sheet's name.
    pub(super) sheet: String,
    /// Its rows, blank ones included, in order.
    pub(super) rows: Vec<SheetRow>,
}

/// The spreadsheet kinds `read` understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Office Open XML workbook (`.xlsx`, also `.xlsm`, `.xls`, `.ods` via calamine).
    Workbook,
    /// Comma-separated values in UTF-8.
    Csv,
}

impl Kind {
    /// The kind a file name's extension says, if it names one gazette reads.
    pub(super) fn of(file_name: &str) -> Option<Kind> {
        let ext = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "xlsx" | "xlsm" | "xls" | "ods" => Some(Kind::Workbook),
            "csv" => Some(Kind::Csv),
            _ => None,
        }
    }
}

/// Every sheet of a workbook or the one table of a CSV file; the error
/// says why the bytes are not a readable spreadsheet.
pub(super) fn read(kind: Kind, name: &str, bytes: Vec<u8>) -> Result<Vec<Table>, String> {
    match kind {
        Kind::Workbook => read_workbook(bytes),
        Kind::Csv => read_csv(name, &bytes).map(|t| vec![t]),
    }
}

fn read_workbook(bytes: Vec<u8>) -> Result<Vec<Table>, String> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a readable workbook: {e}"))?;
    let mut tables = Vec::new();
    for sheet in book.sheet_names() {
        let range = book
            .worksheet_range(&sheet)
            .map_err(|e| format!("cannot read sheet {sheet}: {e}"))?;
        // A sheet's used range may start below row 1 or right of column A.
        let (top, left) = range.start().unwrap_or((0, 0));
        let rows = range
            .rows()
            .enumerate()
            .map(|(i, cells)| SheetRow {
                number: top as usize + i + 1,
                cells: std::iter::repeat_n(Cell::Empty, left as usize)
                    .chain(cells.iter().map(cell))
                    .collect(),
            })
            .collect();
        tables.push(Table { sheet, rows });
    }
    Ok(tables)
}

fn cell(data: &calamine::Data) -> Cell {
    use calamine::Data;
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Int(n) => Cell::Number(*n as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Text(if *b { "TRUE" } else { "FALSE" }.into()),
        Data::DateTime(dt) => serial_date(dt.as_f64())
            .map(Cell::Date)
            .unwrap_or(Cell::Number(dt.as_f64())),
        Data::Error(e) => Cell::Text(e.to_string()),
    }
}

/// The day an Excel date serial stands for (1900 date system; the time of
/// day is dropped), if it is a plausible date (1900-03-01 to 9999-12-31).
pub(super) fn serial_date(serial: f64) -> Option<NaiveDate> {
    // Excel counts 1900-02-29, which never was, so from day 61 on serials
    // are days since 1899-12-30; earlier ones are not needed for documents.
    if !(61.0..2_958_466.0).contains(&serial) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(serial as u64))
}

fn read_csv(name: &str, bytes: &[u8]) -> Result<Table, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "is not UTF-8 (byte {}); in Excel save it as “CSV UTF-8”",
            e.valid_up_to()
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("is not valid CSV: {e}"))?;
        // A record's position is where the reader resumed, before any blank
        // lines it skipped; count lines up to its first character instead.
        let bytes = text.as_bytes();
        let mut start = record.position().map_or(0, |p| p.byte() as usize);
        while matches!(bytes.get(start), Some(b'\n' | b'\r')) {
            start += 1;
        }
        let number = 1 + memchr::memchr_iter(b'\n', &bytes[..start]).count();
        let cells = record
            .iter()
            .map(|c| {
                if c.trim().is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(c.to_owned())
                }
            })
            .collect();
        rows.push(SheetRow { number, cells });
    }
    let sheet = name
        .rsplit_once('.')
        .map_or(name, |(stem, _)| stem)
        .to_owned();
    Ok(Table { sheet, rows })
}

/// A column's letters as spreadsheets show them: 0 → A, 25 → Z, 26 → AA.
pub(super) fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serials_become_dates() {
        assert_eq!(serial_date(43526.0), NaiveDate::from_ymd_opt(2019, 3, 2));
        assert_eq!(serial_date(61.0), NaiveDate::from_ymd_opt(1900, 3, 1));
        assert_eq!(serial_date(12.0), None);
    }

    #[test]
    fn column_letters_roll_over_like_spreadsheets() {
        let got: Vec<String> = [0, 25, 26, 51, 702].map(column_letters).to_vec();
        assert_eq!(got, ["A", "Z", "AA", "AZ", "AAA"]);
    }

    #[test]
    fn csv_rows_keep_their_line_numbers_and_drop_the_bom() {
        let t = read_csv(
            "台账.csv",
            "\u{feff}标题,文号\n\"两行\n标题\",x\n\n甲,y\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(t.sheet, "台账");
        let numbers: Vec<usize> = t.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [1, 2, 5]);
        assert_eq!(t.rows[0].cells[0], Cell::Text("标题".into()));
    }
}
