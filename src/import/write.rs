//! Writes what an import adds as TOML text appended to the catalogue and
//! campaign files, so their comments and layout survive, and replaces each
//! file atomically (temporary file, then rename).
//!
//! Decides nothing: `plan` chose the entries and ids.

use std::io::Write as _;
use std::path::Path;

use super::plan::{NewDocument, NewRecord, Subject};

/// A TOML basic string: quotes, backslashes and control characters escaped.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `key = "value"` lines for the values present.
fn lines(out: &mut String, pairs: &[(&str, Option<&str>)]) {
    for (key, value) in pairs {
        if let Some(v) = value {
            out.push_str(&format!("{key} = {}\n", quoted(v)));
        }
    }
}

fn dates(out: &mut String, pairs: &[(&str, Option<chrono::NaiveDate>)]) {
    for (key, value) in pairs {
        if let Some(d) = value {
            out.push_str(&format!("{key} = {d}\n"));
        }
    }
}

/// A `[[document]]` entry, headed by a comment naming the row it came from.
pub(super) fn document(d: &NewDocument, file: &str) -> String {
    let e = &d.entry;
    let mut out = format!(
        "\n# 导入自 {file}，工作表 {}，第 {} 行\n[[document]]\n",
        e.sheet, e.row
    );
    lines(
        &mut out,
        &[
            ("id", Some(&d.id)),
            ("title", Some(&e.title)),
            ("number", e.number.as_deref()),
            ("issuer", e.issuer.as_deref()),
            ("level", e.level.as_deref()),
            ("category", e.category.as_deref()),
        ],
    );
    dates(
        &mut out,
        &[
            ("published", e.published),
            ("effective", e.effective),
            ("expires", e.expires),
        ],
    );
    out
}

/// A `[[record]]` of a campaign file: `doc = "<id>"`, or for a document
/// not published its `title` and `withheld = true`.
pub(super) fn record(r: &NewRecord) -> String {
    let mut out = String::from("\n[[record]]\n");
    match &r.subject {
        Subject::Doc(id) => lines(&mut out, &[("doc", Some(id))]),
        Subject::Withheld(title) => lines(&mut out, &[("title", Some(title))]),
    }
    dates(&mut out, &[("date", Some(r.date))]);
    lines(
        &mut out,
        &[
            ("outcome", Some(r.outcome.key())),
            ("reason", r.reason.as_deref()),
            ("reviewer", r.reviewer.as_deref()),
        ],
    );
    if matches!(r.subject, Subject::Withheld(_)) {
        out.push_str("withheld = true\n");
    }
    out
}

/// The `[campaign]` table a new campaign file starts with.
pub(super) fn campaign_header(name: &str) -> String {
    format!(
        "# 清理工作记录：由 gazette import 创建。\n\n[campaign]\nname = {}\n",
        quoted(name)
    )
}

/// `existing` text with `added` appended after a line break.
pub(super) fn appended(existing: &str, added: &str) -> String {
    let mut out = existing.to_owned();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(added);
    out
}

/// Replace `path` with `text` atomically: readers see the old file or the
/// new one, never half of it. Creates the parent folder if needed.
pub(super) fn replace(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.import-{}", std::process::id()));
    let result = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(text.as_bytes())?;
        f.sync_all()
    });
    let result = result.and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_strings_parse_back_as_toml() {
        let nasty = "引号\"、反斜杠\\、换行\n与\u{7}控制符";
        let text = format!("x = {}\n", quoted(nasty));
        let table: toml::Table = text.parse().unwrap();
        assert_eq!(table["x"].as_str(), Some(nasty));
    }
}
