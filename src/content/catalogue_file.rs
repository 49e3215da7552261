//! Reads the rule catalogue file (`content/catalogue.toml`): `[[document]]`
//! entries (listed documents without published text) and `[[decision]]`
//! entries (acts that repeal, invalidate or amend on a date).
//!
//! Produces the same `Document` values as Markdown files, so both forms of a
//! decision yield the same lifecycle events downstream.

use std::path::Path;

use serde_json::Value;

use super::fields::{self, Located};
use super::{Document, OriginKind, front_matter};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::DocId;

/// Parse the catalogue at `rel` (relative to `root`).
pub fn load(root: &Path, rel: &Path) -> (Vec<Document>, Vec<Diagnostic>) {
    match std::fs::read(root.join(rel)) {
        Ok(bytes) => match super::utf8(rel, bytes) {
            Ok(text) => parse(rel, &text),
            Err(d) => (Vec::new(), vec![d]),
        },
        Err(e) => (
            Vec::new(),
            vec![Diagnostic::error(
                Code::Io,
                rel,
                format!("cannot read catalogue: {e}"),
            )],
        ),
    }
}

/// Parse catalogue text; `rel` names the file in diagnostics.
pub fn parse(rel: &Path, text: &str) -> (Vec<Document>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let root = match front_matter::parse_toml(text, 1) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return (Vec::new(), diags),
        Err(e) => {
            let code = if e.invalid_date {
                Code::InvalidDate
            } else {
                Code::Catalogue
            };
            diags.push(Diagnostic::error(code, rel, e.message).at(e.line, e.column));
            return (Vec::new(), diags);
        }
    };
    let mut docs = Vec::new();
    let lines = Lines::new(text);
    for (key, value) in root {
        let kind = match key.as_str() {
            "document" => OriginKind::Listed,
            "decision" => OriginKind::Decision,
            _ => {
                let line = header_lines(text, &key).first().copied().unwrap_or(1);
                let d = Diagnostic::error(
                    Code::Catalogue,
                    rel,
                    format!("unknown catalogue section `{key}`"),
                )
                .at_line(line)
                .with_help("the catalogue holds [[document]] and [[decision]] entries");
                diags.push(d);
                continue;
            }
        };
        let Value::Array(entries) = value else {
            let d = Diagnostic::error(
                Code::Catalogue,
                rel,
                format!("`{key}` must be written as [[{key}]] entries"),
            );
            diags.push(d);
            continue;
        };
        let headers = header_lines(text, &key);
        for (i, entry) in entries.into_iter().enumerate() {
            let start = headers.get(i).copied().unwrap_or(1);
            let end = lines.next_header_after(start);
            let slice = lines.range(start, end);
            if let Some(doc) = entry_document(rel, kind, entry, slice, start, &mut diags) {
                diags.extend(super::control_character(&doc));
                docs.push(doc);
            }
        }
    }
    (docs, diags)
}

fn entry_document(
    rel: &Path,
    kind: OriginKind,
    entry: Value,
    text: &str,
    line: usize,
    diags: &mut Vec<Diagnostic>,
) -> Option<Document> {
    let Value::Object(map) = entry else {
        return None;
    };
    let at = Located {
        path: rel,
        text,
        first_line: line,
    };
    let meta = fields::read_meta(map, &at, true, diags);
    let Some(raw_id) = meta.id.clone() else {
        let d = Diagnostic::error(Code::Catalogue, rel, "catalogue entry has no `id`")
            .at_line(line)
            .with_help("give every [[document]] and [[decision]] a unique id = \"…\"");
        diags.push(d);
        return None;
    };
    let id = DocId::new(&raw_id)
        .map_err(|m| {
            diags.push(Diagnostic::error(Code::InvalidId, rel, m).at_line(at.line_of("id")))
        })
        .ok()?;
    if meta.title.is_none() {
        diags.push(
            Diagnostic::warning(
                Code::MissingMetadata,
                rel,
                format!("`{raw_id}` has no title"),
            )
            .at_line(line)
            .with_help("add `title = \"…\"` so readers know what it is"),
        );
    }
    let title = meta.title.clone().unwrap_or_else(|| raw_id.clone());
    Some(Document {
        id,
        title,
        meta: Box::new(meta),
        body: None,
        path: rel.to_path_buf(),
        line,
        origin: kind,
        section: String::new(),
        history: Vec::new(),
        versions: Vec::new(),
        redirects: Vec::new(),
    })
}

/// 1-based lines of every `[[key]]` header.
fn header_lines(text: &str, key: &str) -> Vec<usize> {
    let header = format!("[[{key}]]");
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim().starts_with(&header))
        .map(|(i, _)| i + 1)
        .collect()
}

/// The catalogue's text indexed by line, so slicing one entry out costs
/// nothing per entry (a catalogue may hold thousands).
struct Lines<'t> {
    text: &'t str,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
    /// 1-based numbers of lines that open a `[…]` or `[[…]]` header.
    headers: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Lines<'t> {
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .filter(|&i| i < text.len())
            .collect();
        let headers = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.trim_start().starts_with('['))
            .map(|(i, _)| i + 1)
            .collect();
        Lines {
            text,
            starts,
            headers,
        }
    }

    /// The line of the next header after `start`, or past the end.
    fn next_header_after(&self, start: usize) -> usize {
        let i = self.headers.partition_point(|&h| h <= start);
        self.headers
            .get(i)
            .copied()
            .unwrap_or(self.starts.len() + 1)
    }

    /// Lines `start..end` (1-based, end exclusive).
    fn range(&self, start: usize, end: usize) -> &'t str {
        let offset = |line: usize| {
            self.starts
                .get(line.saturating_sub(1))
                .copied()
                .unwrap_or(self.text.len())
        };
        let (a, b) = (offset(start), offset(end).max(offset(start)));
        &self.text[a..b]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RelationKind;

    const CATALOGUE: &str = r#"
[[document]]
id = "old/a"
title = "旧文件"
published = 2003-05-10

[[decision]]
id = "qingli/2025"
title = "清理决定"
date = 2025-06-30
repeals = [
  { id = "old/a", reason = "已过时" },
]
invalidates = ["old/b"]
withheld = 4
"#;

    #[test]
    fn reads_documents_and_decisions_with_lines() {
        let (docs, diags) = parse(Path::new("content/catalogue.toml"), CATALOGUE);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(docs.len(), 2);
        let decision = docs
            .iter()
            .find(|d| d.origin == OriginKind::Decision)
            .unwrap();
        assert_eq!(decision.line, 7);
        assert_eq!(decision.meta.withheld, 4);
        assert_eq!(
            decision.meta.fields.published.unwrap().to_string(),
            "2025-06-30"
        );
        let repeal = &decision.meta.relations[0];
        assert_eq!((repeal.kind, repeal.line), (RelationKind::Repeals, 12));
        assert_eq!(decision.meta.relations[1].line, 14);
    }

    #[test]
    fn entry_without_id_is_an_error_at_its_header() {
        let (_, diags) = parse(Path::new("c.toml"), "[[decision]]\ntitle = \"x\"\n");
        assert_eq!((diags[0].code, diags[0].line), (Code::Catalogue, Some(1)));
    }
}
