//! Splits a Markdown file into front matter and body, and parses TOML (`+++`)
//! or YAML (`---`) front matter into one neutral JSON shape.
//!
//! Knows nothing of which keys mean what; `fields` does that.

use crate::diagnostics::line_col;

/// The front matter syntax a file used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `+++` … `+++`
    Toml,
    /// `---` … `---`
    Yaml,
}

/// A file cut into its parts.
#[derive(Debug)]
pub struct Split<'a> {
    /// Front matter text and its syntax, if the file has any.
    pub front_matter: Option<(Format, &'a str)>,
    /// 1-based line on which the front matter text starts.
    pub front_matter_line: usize,
    /// Everything after the closing delimiter.
    pub body: &'a str,
    /// 1-based line on which the body starts.
    pub body_line: usize,
}

/// Why a file's front matter could not be read.
#[derive(Debug, PartialEq, Eq)]
pub struct FrontMatterError {
    /// 1-based line in the file.
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
    /// What the parser said.
    pub message: String,
    /// The problem is a date that does not exist (e.g. `2023-02-30`).
    pub invalid_date: bool,
}

/// Cut `text` into front matter and body.
pub fn split(text: &str) -> Result<Split<'_>, FrontMatterError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (format, delim) = match text.lines().next().map(str::trim_end) {
        Some("+++") => (Format::Toml, "+++"),
        Some("---") => (Format::Yaml, "---"),
        _ => {
            return Ok(Split {
                front_matter: None,
                front_matter_line: 1,
                body: text,
                body_line: 1,
            });
        }
    };
    let start = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut offset = start;
    for (i, line) in text[start..].split_inclusive('\n').enumerate() {
        if line.trim_end() == delim {
            return Ok(Split {
                front_matter: Some((format, &text[start..offset])),
                front_matter_line: 2,
                body: &text[offset + line.len()..],
                body_line: i + 3,
            });
        }
        offset += line.len();
    }
    Err(FrontMatterError {
        line: 1,
        column: 1,
        message: format!("front matter opened with `{delim}` is never closed"),
        invalid_date: false,
    })
}

/// Parse front matter into a JSON object; dates become `YYYY-MM-DD` strings.
///
/// `first_line` is the file line the front matter text starts on, so errors
/// point into the file, not into the snippet.
pub fn parse(
    format: Format,
    text: &str,
    first_line: usize,
) -> Result<serde_json::Map<String, serde_json::Value>, FrontMatterError> {
    let value = match format {
        Format::Toml => parse_toml(text, first_line)?,
        Format::Yaml => parse_yaml(text, first_line)?,
    };
    match value {
        serde_json::Value::Object(map) => Ok(map),
        serde_json::Value::Null => Ok(serde_json::Map::new()),
        _ => Err(FrontMatterError {
            line: first_line,
            column: 1,
            message: "front matter must be a table of `key = value` pairs".into(),
            invalid_date: false,
        }),
    }
}

/// Parse a whole TOML document (front matter or `catalogue.toml`) into JSON.
pub fn parse_toml(text: &str, first_line: usize) -> Result<serde_json::Value, FrontMatterError> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        FrontMatterError {
            line: first_line + line - 1,
            column,
            message: format!("invalid TOML: {}", e.message()),
            invalid_date: e.message().starts_with("invalid date"),
        }
    })?;
    Ok(toml_to_json(toml::Value::Table(table)))
}

fn parse_yaml(text: &str, first_line: usize) -> Result<serde_json::Value, FrontMatterError> {
    let value: yaml_serde::Value = yaml_serde::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        // An error at the end of input (an unclosed list) belongs to the last line.
        let last = text.lines().count().max(1);
        FrontMatterError {
            line: first_line + line.min(last) - 1,
            column: if line > last { 1 } else { column },
            message: format!("invalid YAML: {e}"),
            invalid_date: false,
        }
    })?;
    serde_json::to_value(value).map_err(|e| FrontMatterError {
        line: first_line,
        column: 1,
        message: format!("unsupported YAML value: {e}"),
        invalid_date: false,
    })
}

fn toml_to_json(value: toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(i) => J::from(i),
        toml::Value::Float(f) => J::from(f),
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(
            d.date
                .map_or_else(|| d.to_string(), |date| date.to_string()),
        ),
        toml::Value::Array(a) => J::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            J::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_toml_and_yaml_and_plain_files() {
        let s = split("+++\ntitle = \"a\"\n+++\n# 标题\n").unwrap();
        assert_eq!(s.front_matter, Some((Format::Toml, "title = \"a\"\n")));
        assert_eq!(s.body, "# 标题\n");
        assert_eq!(s.body_line, 4);
        let s = split("---\ntitle: a\n---\nbody").unwrap();
        assert_eq!(s.front_matter.unwrap().0, Format::Yaml);
        let s = split("# 中华人民共和国民法典\n").unwrap();
        assert!(s.front_matter.is_none());
    }

    #[test]
    fn unterminated_front_matter_is_an_error() {
        assert!(split("+++\ntitle = \"a\"\n# body").is_err());
    }

    #[test]
    fn toml_dates_become_iso_strings_and_errors_carry_file_lines() {
        let map = parse(Format::Toml, "published = 2014-03-01\n", 2).unwrap();
        assert_eq!(map["published"], "2014-03-01");
        let err = parse(Format::Toml, "title = \"a\"\nnumber = \n", 2).unwrap_err();
        assert_eq!(err.line, 3);
        let map = parse(Format::Yaml, "published: 2014-03-01\ntags: [a, b]\n", 2).unwrap();
        assert_eq!(map["published"], "2014-03-01");
    }
}
