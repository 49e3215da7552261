//! The table of descriptive metadata fields (文号, issuer, dates, …) and
//! the reading of a front matter or catalogue entry into typed metadata,
//! with a diagnostic (file, line, key) for every wrong type, bad date or
//! unknown key.
//!
//! [`FIELDS`] is the one list of descriptive fields: it makes the
//! [`Fields`] struct templates see, the keys front matter may set, the
//! columns of `catalogue.json`/`.csv` and of the search metadata. Adding a
//! field is one line in the `fields!` call below. Works on the neutral JSON
//! map `front_matter` produces; never touches files, never formats outputs.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};

use super::{Alias, Meta, Relation};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::{DocId, RelationKind, Status};

/// One descriptive field of the table: its front-matter key (also its name
/// in templates and outputs) and which generated files carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Front-matter key, template variable and column name.
    pub key: &'static str,
    /// A column of `catalogue.json` and `catalogue.csv`.
    pub catalogue: bool,
    /// How the search metadata (`docs.bin`) carries it.
    pub search: InSearch,
}

/// How the search index's metadata carries a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InSearch {
    /// Not at all.
    No,
    /// As its value.
    Value,
    /// As an index into the list of the field's distinct values (a facet).
    Facet,
}

/// The value of one field of one document, whatever its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum Cell<'a> {
    /// A text (文号, issuer, …).
    Text(Option<&'a str>),
    /// A list of texts (tags).
    List(&'a [String]),
    /// A date, written `YYYY-MM-DD`.
    Date(Option<NaiveDate>),
}

impl Cell<'_> {
    /// The value as a spreadsheet cell: empty when absent, a list joined by `; `.
    pub fn to_csv(self) -> String {
        match self {
            Cell::Text(t) => t.unwrap_or_default().to_owned(),
            Cell::List(items) => items.join("; "),
            Cell::Date(d) => d.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

/// A type a descriptive field may have: how to read it from front matter
/// and how outputs see it.
trait FieldType {
    fn read(r: &mut Reader<'_, '_, '_>, key: &str) -> Self;
    fn cell(&self) -> Cell<'_>;
}

impl FieldType for Option<String> {
    fn read(r: &mut Reader<'_, '_, '_>, key: &str) -> Self {
        r.string(key)
    }
    fn cell(&self) -> Cell<'_> {
        Cell::Text(self.as_deref())
    }
}

impl FieldType for Vec<String> {
    fn read(r: &mut Reader<'_, '_, '_>, key: &str) -> Self {
        r.strings(key)
    }
    fn cell(&self) -> Cell<'_> {
        Cell::List(self)
    }
}

impl FieldType for Option<NaiveDate> {
    fn read(r: &mut Reader<'_, '_, '_>, key: &str) -> Self {
        r.date(key)
    }
    fn cell(&self) -> Cell<'_> {
        Cell::Date(*self)
    }
}

/// Declares the table: the [`Fields`] struct, [`FIELDS`], reading and
/// [`Fields::cells`], all in the order written.
macro_rules! fields {
    ($($(#[doc = $doc:literal])* $name:ident: $ty:ty, catalogue: $catalogue:literal, search: $search:ident;)*) => {
        /// The descriptive metadata of a document, one member per entry of [`FIELDS`].
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
        pub struct Fields {
            $($(#[doc = $doc])* pub $name: $ty,)*
        }

        /// Every descriptive field, in the order outputs list them.
        pub const FIELDS: &[Field] = &[$(Field {
            key: stringify!($name),
            catalogue: $catalogue,
            search: InSearch::$search,
        },)*];

        impl Fields {
            fn read(r: &mut Reader<'_, '_, '_>) -> Fields {
                Fields { $($name: FieldType::read(r, stringify!($name)),)* }
            }

            /// Each field of the table with its value here, in table order.
            pub fn cells(&self) -> impl Iterator<Item = (&'static Field, Cell<'_>)> {
                FIELDS.iter().zip([$(self.$name.cell(),)*])
            }
        }
    };
}

fields! {
    /// Document number (文号).
    number: Option<String>, catalogue: true, search: Value;
    /// Issuing authority (发文机关).
    issuer: Option<String>, catalogue: true, search: Facet;
    /// Legal rank (效力级别).
    level: Option<String>, catalogue: true, search: Facet;
    /// Subject category.
    category: Option<String>, catalogue: true, search: Facet;
    /// Free tags.
    tags: Vec<String>, catalogue: false, search: No;
    /// One-paragraph summary.
    summary: Option<String>, catalogue: false, search: No;
    /// Date of promulgation (公布日期).
    published: Option<NaiveDate>, catalogue: true, search: Value;
    /// Date it takes effect (施行日期); outputs show `published` when absent.
    effective: Option<NaiveDate>, catalogue: true, search: No;
    /// Date its fixed term ends (no longer in force from then).
    expires: Option<NaiveDate>, catalogue: true, search: No;
}

/// The keys gazette understands besides [`FIELDS`] and the relation keys
/// (`RelationKind::key`): identity, lifecycle and site structure, which
/// every stage reads in its own way rather than passing through.
pub const OTHER_KEYS: &[&str] = &[
    "id",
    "title",
    "date",
    "aliases",
    "version_of",
    "status",
    "withheld",
    "extra",
];

/// Every key gazette understands, for "did you mean" suggestions.
pub fn known_keys() -> impl Iterator<Item = &'static str> {
    let fields = FIELDS.iter().map(|f| f.key);
    let relations = RelationKind::ALL.into_iter().map(RelationKind::key);
    OTHER_KEYS.iter().copied().chain(fields).chain(relations)
}

/// Where the entry's text lives, so a key can be traced to its line.
pub struct Located<'a> {
    /// File relative to the site root.
    pub path: &'a Path,
    /// The entry's source text.
    pub text: &'a str,
    /// File line on which `text` starts.
    pub first_line: usize,
}

impl Located<'_> {
    /// File line of `key = …` / `key: …`, or the entry's first line.
    pub fn line_of(&self, key: &str) -> usize {
        self.text
            .lines()
            .position(|l| {
                let l = l.trim_start();
                l.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with(['=', ':']))
            })
            .map_or(self.first_line, |i| self.first_line + i)
    }

    /// File line and 1-based character column of `needle` (preferably
    /// quoted) on the first line from `key`'s on that mentions it.
    fn position_of_value(&self, key: &str, needle: &str) -> (usize, usize) {
        let key_line = self.line_of(key);
        let find = |wanted: &str| {
            self.text
                .lines()
                .enumerate()
                .skip(key_line - self.first_line)
                .find_map(|(i, l)| {
                    let byte = l.find(wanted)?;
                    Some((self.first_line + i, l[..byte].chars().count() + 1))
                })
        };
        find(&format!("\"{needle}\""))
            .or_else(|| find(&format!("'{needle}'")))
            .or_else(|| find(needle))
            .unwrap_or((key_line, 1))
    }

    fn error(&self, key: &str, code: Code, message: String) -> Diagnostic {
        Diagnostic::error(code, self.path, message).at_line(self.line_of(key))
    }
}

/// Turn `map` into metadata; problems go to `diags`, bad values are dropped.
pub fn read_meta(
    mut map: Map<String, Value>,
    at: &Located<'_>,
    warn_unknown: bool,
    diags: &mut Vec<Diagnostic>,
) -> Meta {
    let lines = map.keys().map(|k| (k.clone(), at.line_of(k))).collect();
    let mut r = Reader {
        map: &mut map,
        at,
        diags,
    };
    let mut meta = Meta {
        // A blank id is kept (and rejected as invalid), never replaced by the path.
        id: r.text("id"),
        title: r.string("title"),
        fields: Fields::read(&mut r),
        aliases: r.aliases(),
        version_of: r.string("version_of"),
        status: r.status(),
        withheld: r.count("withheld"),
        relations: Vec::new(),
        extra: BTreeMap::new(),
        lines,
    };
    if let Some(date) = r.date("date") {
        meta.fields.published.get_or_insert(date);
    }
    for kind in RelationKind::ALL {
        meta.relations.extend(r.relations(kind));
    }
    if let Some(Value::Object(extra)) = map.remove("extra") {
        meta.extra.extend(extra);
    }
    for (key, value) in map {
        if warn_unknown {
            diags.push(unknown_key(&key, at));
        }
        meta.extra.insert(key, value);
    }
    meta
}

fn unknown_key(key: &str, at: &Located<'_>) -> Diagnostic {
    let nearest = known_keys()
        .map(|k| (strsim::jaro_winkler(key, k), k))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(score, _)| *score > 0.8);
    let d = Diagnostic::warning(
        Code::UnknownKey,
        at.path,
        format!("unknown key `{key}` (kept in `extra` for templates)"),
    )
    .at_line(at.line_of(key));
    match nearest {
        Some((_, k)) => d.with_help(format!("did you mean `{k}`?")),
        None => d.with_help("move it under [extra] to silence this warning"),
    }
}

struct Reader<'m, 'a, 'd> {
    map: &'m mut Map<String, Value>,
    at: &'a Located<'a>,
    diags: &'d mut Vec<Diagnostic>,
}

impl Reader<'_, '_, '_> {
    fn wrong_type(&mut self, key: &str, expected: &str, got: &Value) {
        let d = self.at.error(
            key,
            Code::FrontMatter,
            format!("`{key}` must be {expected}, found {}", describe(got)),
        );
        self.diags.push(d);
    }

    fn string(&mut self, key: &str) -> Option<String> {
        self.text(key).filter(|s| !s.is_empty())
    }

    /// The value of `key` as trimmed text, blank included.
    fn text(&mut self, key: &str) -> Option<String> {
        match self.map.remove(key)? {
            Value::String(s) => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            other => {
                self.wrong_type(key, "a string", &other);
                None
            }
        }
    }

    fn strings(&mut self, key: &str) -> Vec<String> {
        match self.map.remove(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
                .into_iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(other) => {
                self.wrong_type(key, "a list of strings", &other);
                Vec::new()
            }
        }
    }

    fn date(&mut self, key: &str) -> Option<NaiveDate> {
        let value = self.map.remove(key)?;
        let Value::String(text) = &value else {
            self.wrong_type(key, "a date (YYYY-MM-DD)", &value);
            return None;
        };
        match parse_date(text) {
            Ok(date) => Some(date),
            Err(message) => {
                let d = self
                    .at
                    .error(key, Code::InvalidDate, format!("`{key}`: {message}"));
                self.diags
                    .push(d.with_help("write dates as YYYY-MM-DD, e.g. 2024-03-01"));
                None
            }
        }
    }

    fn aliases(&mut self) -> Vec<Alias> {
        let mut aliases = Vec::new();
        for url in self.strings("aliases") {
            let (line, column) = self.at.position_of_value("aliases", &url);
            match check_alias(&url) {
                Ok(()) => aliases.push(Alias { url, line, column }),
                Err(message) => self.diags.push(
                    Diagnostic::error(Code::InvalidAlias, self.at.path, message)
                        .at(line, column)
                        .with_help(
                            "an alias is an old path on this site, e.g. \"/wenjian/2016/21.html\"",
                        ),
                ),
            }
        }
        aliases
    }

    fn count(&mut self, key: &str) -> u32 {
        match self.map.remove(key) {
            None => 0,
            Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n <= u32::MAX as u64) => {
                n.as_u64().unwrap_or(0) as u32
            }
            Some(other) => {
                self.wrong_type(key, "a non-negative whole number", &other);
                0
            }
        }
    }

    fn status(&mut self) -> Option<Status> {
        let text = self.string("status")?;
        let status = Status::from_key(&text);
        if status.is_none() {
            let keys: Vec<_> = Status::ALL.iter().map(|s| s.key()).collect();
            let d = self.at.error(
                "status",
                Code::FrontMatter,
                format!("unknown status `{text}`"),
            );
            self.diags
                .push(d.with_help(format!("use one of: {}", keys.join(", "))));
        }
        status
    }

    fn relations(&mut self, kind: RelationKind) -> Vec<Relation> {
        let key = kind.key();
        let items = match self.map.remove(key) {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Array(items)) => items,
            Some(Value::String(s)) => vec![Value::String(s)],
            Some(other) => {
                self.wrong_type(key, "a list of ids", &other);
                return Vec::new();
            }
        };
        items
            .into_iter()
            .filter_map(|item| self.relation(kind, item))
            .collect()
    }

    fn relation(&mut self, kind: RelationKind, item: Value) -> Option<Relation> {
        let key = kind.key();
        let (raw, reason) = match &item {
            Value::String(s) => (s.clone(), None),
            Value::Object(o) => match o.get("id") {
                Some(Value::String(id)) => (
                    id.clone(),
                    o.get("reason").and_then(Value::as_str).map(str::to_owned),
                ),
                _ => {
                    self.wrong_type(key, "ids or tables with an `id`", &item);
                    return None;
                }
            },
            other => {
                self.wrong_type(key, "ids or tables with an `id`", other);
                return None;
            }
        };
        let (line, column) = self.at.position_of_value(key, &raw);
        match DocId::new(&raw) {
            Ok(target) => Some(Relation {
                kind,
                target,
                reason,
                line,
                column,
            }),
            Err(message) => {
                let d =
                    Diagnostic::error(Code::InvalidId, self.at.path, format!("`{key}`: {message}"))
                        .at(line, column);
                self.diags.push(d);
                None
            }
        }
    }
}

/// Accept an alias only if it names a page of its own inside the output folder.
fn check_alias(url: &str) -> Result<(), String> {
    let path = url.trim().trim_start_matches('/');
    if path.is_empty() {
        return Err(format!("alias `{url}` points nowhere: it is the site root"));
    }
    if url.contains("://") || url.starts_with("//") {
        return Err(format!("alias `{url}` is not a path on this site"));
    }
    if let Some(c) = crate::model::forbidden_char(path) {
        return Err(format!("alias `{url}` contains the character {c:?}"));
    }
    if let Some(long) = crate::model::too_long(path) {
        return Err(format!("alias `{url}` {long}"));
    }
    let dir_or_file = path.strip_suffix('/').unwrap_or(path);
    if dir_or_file
        .split('/')
        .any(|seg| seg.is_empty() || seg.starts_with('.'))
    {
        return Err(format!(
            "alias `{url}` has an empty segment or one starting with `.` (hidden, or leaving the output folder)"
        ));
    }
    Ok(())
}

/// Parse `YYYY-MM-DD` (a time part, if any, is ignored), rejecting days that do not exist.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let day = text.trim().get(..10).unwrap_or(text.trim());
    NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| format!("`{text}` is not a valid date"))
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Meta, Vec<Diagnostic>) {
        let map =
            super::super::front_matter::parse(super::super::front_matter::Format::Toml, text, 2)
                .unwrap();
        let at = Located {
            path: Path::new("content/a.md"),
            text,
            first_line: 2,
        };
        let mut diags = Vec::new();
        (read_meta(map, &at, true, &mut diags), diags)
    }

    #[test]
    fn reads_relations_with_reasons_and_lines() {
        let (meta, diags) = read(
            "title = \"t\"\nrepeals = [\n  \"a/b\",\n  { id = \"c\", reason = \"过时\" },\n]\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(meta.relations.len(), 2);
        assert_eq!(meta.relations[1].reason.as_deref(), Some("过时"));
        assert_eq!(meta.relations[0].line, 4);
        assert_eq!(meta.relations[1].line, 5);
    }

    #[test]
    fn impossible_dates_and_wrong_types_name_the_line() {
        let (_, mut diags) = read("title = \"t\"\npublished = \"2023-02-30\"\ntags = \"x\"\n");
        diags.sort_by_key(|d| d.line);
        assert_eq!(diags.len(), 2);
        assert_eq!((diags[0].code, diags[0].line), (Code::InvalidDate, Some(3)));
        assert_eq!((diags[1].code, diags[1].line), (Code::FrontMatter, Some(4)));
    }

    #[test]
    fn hostile_aliases_are_rejected_with_their_line() {
        let (meta, diags) = read(
            "title = \"t\"\naliases = [\n  \"/old/a.html\",\n  \"../../etc/passwd\",\n  \"/\",\n  \"https://x.org/a\",\n]\n",
        );
        assert_eq!(meta.aliases.len(), 1);
        assert_eq!(meta.aliases[0].url, "/old/a.html");
        assert_eq!(meta.aliases[0].line, 4);
        let found: Vec<_> = diags.iter().map(|d| (d.code, d.line)).collect();
        assert_eq!(
            found,
            vec![
                (Code::InvalidAlias, Some(5)),
                (Code::InvalidAlias, Some(6)),
                (Code::InvalidAlias, Some(7))
            ]
        );
        for ok in ["/a/b/", "wenjian/2016/21.html", "/旧/地址.html"] {
            assert!(check_alias(ok).is_ok(), "{ok}");
        }
        for bad in ["a//b", "a/./b", "/a/../b", "a\\b", "a?b"] {
            assert!(check_alias(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn key_lines_are_recorded() {
        let (meta, _) = read("title = \"t\"\n\nstatus = \"current\"\n");
        assert_eq!(meta.lines["status"], 4);
    }

    /// A front-matter value for `field`, by its type, unique to the field.
    fn sample(k: usize, field: &Field, cell: Cell<'_>) -> String {
        match cell {
            Cell::Text(_) => format!("{} = \"值{k}\"", field.key),
            Cell::List(_) => format!("{} = [\"值{k}\"]", field.key),
            Cell::Date(_) => format!("{} = \"2020-01-{:02}\"", field.key, k + 1),
        }
    }

    #[test]
    fn every_field_of_the_table_is_read_from_its_key() {
        let mut text = String::from("title = \"t\"\n");
        for (k, (field, cell)) in Fields::default().cells().enumerate() {
            text += &sample(k, field, cell);
            text.push('\n');
        }
        let (meta, diags) = read(&text);
        assert!(diags.is_empty(), "{diags:?}");
        assert!(meta.extra.is_empty(), "{:?}", meta.extra);
        for (k, (field, cell)) in meta.fields.cells().enumerate() {
            let value = cell.to_csv();
            let expected = match cell {
                Cell::Date(_) => format!("2020-01-{:02}", k + 1),
                _ => format!("值{k}"),
            };
            assert_eq!(value, expected, "{}", field.key);
        }
    }

    #[test]
    fn every_known_key_is_a_field_a_relation_or_a_documented_other_key() {
        let known: Vec<&str> = known_keys().collect();
        let unique: std::collections::BTreeSet<_> = known.iter().collect();
        assert_eq!(
            unique.len(),
            known.len(),
            "a key is listed twice: {known:?}"
        );
        // Every key read_meta takes but the table's is in OTHER_KEYS (or a
        // relation): written with a value of its type, none lands in `extra`.
        let others = "title = \"t\"\nid = \"a/b\"\ndate = \"2020-01-01\"\n\
            aliases = [\"/old/a.html\"]\nversion_of = \"a\"\nstatus = \"current\"\n\
            withheld = 2\nsupersedes = [\"x\"]\namends = [\"x\"]\nrepeals = [\"x\"]\n\
            invalidates = [\"x\"]\nbased_on = [\"x\"]\n[extra]\nnote = \"n\"\n";
        let (meta, diags) = read(others);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(meta.extra.keys().collect::<Vec<_>>(), ["note"]);
        for key in OTHER_KEYS {
            assert!(meta.lines.contains_key(*key), "{key} is exercised here");
        }
    }

    #[test]
    fn facets_are_texts() {
        for (field, cell) in Fields::default().cells() {
            if field.search == InSearch::Facet {
                assert!(matches!(cell, Cell::Text(_)), "{} is a facet", field.key);
            }
        }
    }

    #[test]
    fn unknown_keys_are_kept_and_warned_with_nearest_key() {
        let (meta, diags) = read("titel = \"t\"\n");
        assert_eq!(meta.extra["titel"], "t");
        assert_eq!(diags[0].code, Code::UnknownKey);
        assert!(diags[0].help.as_deref().unwrap().contains("`title`"));
    }
}
