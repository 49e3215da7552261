//! Reads clean-up campaign files (`reviews/*.toml`, one campaign each) into
//! `Campaign`s with their review records, and checks the records against the
//! catalogue: unknown documents, a document reviewed twice in one campaign,
//! an outcome a later decision contradicts.
//!
//! Reads only the campaign folder; knows nothing of queues or rendering.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use crate::catalogue::Catalogue;
use crate::config::plain_date;
use crate::diagnostics::{Code, Diagnostic, Diagnostics, line_col};
use crate::model::{DocId, DocIdx, Outcome, RelationKind};

/// One clean-up campaign (清理) and what its reviewers recorded.
#[derive(Debug, Clone)]
pub struct Campaign {
    /// Its name, e.g. `2026年规范性文件集中清理`.
    pub name: String,
    /// The file it was read from, relative to the site root.
    pub path: PathBuf,
    /// The file's name without `.toml`; `--campaign` accepts it too.
    pub stem: String,
    /// Who decides on the results (for the draft decision).
    pub issuer: Option<String>,
    /// When the campaign began: documents in force then are in scope.
    pub started: Option<NaiveDate>,
    /// By when every document in scope should be reviewed.
    pub deadline: Option<NaiveDate>,
    /// Which documents the campaign covers.
    pub scope: Scope,
    /// The review records, in file order.
    pub records: Vec<Record>,
}

/// The documents a campaign covers; every given condition must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// Issued by one of these (empty: any).
    #[serde(default)]
    pub issuer: Vec<String>,
    /// Of one of these levels (empty: any).
    #[serde(default)]
    pub level: Vec<String>,
    /// Issued on or before this date.
    #[serde(default, deserialize_with = "date")]
    pub published_before: Option<NaiveDate>,
    /// Issued on or after this date.
    #[serde(default, deserialize_with = "date")]
    pub published_after: Option<NaiveDate>,
}

/// What one review found about one document.
#[derive(Debug, Clone)]
pub struct Record {
    /// The document reviewed, or `None` for one not published (withheld).
    pub doc: Option<DocId>,
    /// The title of a withheld document, for the reviewers' own use.
    pub title: Option<String>,
    /// When the review was recorded.
    pub date: NaiveDate,
    /// What it decided.
    pub outcome: Outcome,
    /// Why.
    pub reason: Option<String>,
    /// Who reviewed it.
    pub reviewer: Option<String>,
    /// Line of its `[[record]]` header in the campaign file.
    pub line: usize,
}

/// The campaign file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    campaign: Header,
    #[serde(default)]
    record: Vec<Spanned<RecordToml>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    name: String,
    issuer: Option<String>,
    #[serde(default, deserialize_with = "date")]
    started: Option<NaiveDate>,
    #[serde(default, deserialize_with = "date")]
    deadline: Option<NaiveDate>,
    #[serde(default)]
    scope: Scope,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordToml {
    doc: Option<Spanned<String>>,
    title: Option<String>,
    #[serde(deserialize_with = "plain_date")]
    date: NaiveDate,
    outcome: Spanned<String>,
    reason: Option<String>,
    reviewer: Option<String>,
    #[serde(default)]
    withheld: bool,
}

/// Every campaign file in `dir` (relative to `root`), sorted by file name.
/// A missing folder means no campaigns.
pub fn load(root: &Path, dir: &Path, diags: &mut Diagnostics) -> Vec<Campaign> {
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| dir.join(e.file_name()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|rel| match std::fs::read_to_string(root.join(&rel)) {
            Ok(text) => parse(&rel, &text).map_err(|d| diags.push(d)).ok(),
            Err(e) => {
                diags.push(Diagnostic::error(
                    Code::Io,
                    &rel,
                    format!("cannot read campaign file: {e}"),
                ));
                None
            }
        })
        .collect()
}

/// Parse one campaign file; `rel` names it in diagnostics.
pub fn parse(rel: &Path, text: &str) -> Result<Campaign, Diagnostic> {
    let file: File = toml::from_str(text).map_err(|e| {
        let d = Diagnostic::error(Code::Review, rel, e.message().to_string()).with_help(
            "a campaign file holds one [campaign] (name, deadline, scope) and [[record]] entries (doc, date, outcome, reason); see README “Clean-up campaigns”",
        );
        match e.span() {
            Some(span) => {
                let (line, col) = line_col(text, span.start);
                d.at(line, col)
            }
            None => d,
        }
    })?;
    let records = file
        .record
        .into_iter()
        .map(|r| record(rel, text, r))
        .collect::<Result<_, _>>()?;
    let h = file.campaign;
    Ok(Campaign {
        name: h.name,
        path: rel.to_path_buf(),
        stem: rel
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        issuer: h.issuer,
        started: h.started,
        deadline: h.deadline,
        scope: h.scope,
        records,
    })
}

fn record(rel: &Path, text: &str, r: Spanned<RecordToml>) -> Result<Record, Diagnostic> {
    let line = header_line(text, r.span().start);
    let r = r.into_inner();
    let at = |span: std::ops::Range<usize>| line_col(text, span.start);
    let outcome = Outcome::parse(r.outcome.get_ref()).ok_or_else(|| {
        let (l, c) = at(r.outcome.span());
        Diagnostic::error(
            Code::Review,
            rel,
            format!("unknown outcome `{}`", r.outcome.get_ref()),
        )
        .at(l, c)
        .with_help("write keep, revise, repeal or invalidate (or 保留, 修改, 废止, 宣布失效)")
    })?;
    let doc = match (&r.doc, r.withheld) {
        (Some(raw), _) => Some(DocId::new(raw.get_ref()).map_err(|m| {
            let (l, c) = at(raw.span());
            Diagnostic::error(Code::Review, rel, m).at(l, c)
        })?),
        (None, true) => None,
        (None, false) => {
            return Err(
                Diagnostic::error(Code::Review, rel, "review record names no document")
                    .at_line(line)
                    .with_help(
                        "add doc = \"<id>\", or withheld = true for a document not published",
                    ),
            );
        }
    };
    Ok(Record {
        doc,
        title: r.title,
        date: r.date,
        outcome,
        reason: r.reason,
        reviewer: r.reviewer,
        line,
    })
}

/// The line of the `[[record]]` header at or before byte `offset`, where
/// the record's span starts.
fn header_line(text: &str, offset: usize) -> usize {
    let end = text.floor_char_boundary(offset + "[[record]]".len());
    let before = &text[..end];
    let header = before
        .rfind("[[record]]")
        .unwrap_or(offset.min(before.len()));
    line_col(text, header).0
}

fn date<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Option<NaiveDate>, D::Error> {
    plain_date(de).map(Some)
}

/// Check every record against the catalogue.
pub fn validate(campaigns: &[Campaign], cat: &Catalogue, diags: &mut Diagnostics) {
    for c in campaigns {
        let mut seen: BTreeMap<&DocId, usize> = BTreeMap::new();
        for r in &c.records {
            let Some(id) = &r.doc else { continue };
            let Some(i) = cat.find(id) else {
                diags.push(unknown(c, r, id, cat));
                continue;
            };
            if let Some(first) = seen.insert(id, r.line) {
                let d = Diagnostic::error(
                    Code::Review,
                    &c.path,
                    format!("`{id}` is reviewed twice in campaign “{}”", c.name),
                )
                .at_line(r.line)
                .with_help(format!(
                    "keep one record per document; the first is at line {first}"
                ));
                diags.push(d);
            }
            if let Some(d) = contradiction(c, r, i, cat) {
                diags.push(d);
            }
        }
    }
}

fn unknown(c: &Campaign, r: &Record, id: &DocId, cat: &Catalogue) -> Diagnostic {
    let d = Diagnostic::error(
        Code::Review,
        &c.path,
        format!("review record for unknown document `{id}`"),
    )
    .at_line(r.line);
    match cat.suggest(id.as_str()) {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None => d.with_help("use the id of a document in content/ or the catalogue"),
    }
}

/// A decision after the record that does something else to the document
/// than the record says (a later campaign may overrule an earlier one, so
/// this is a warning for someone to look at, not an error).
fn contradiction(c: &Campaign, r: &Record, i: DocIdx, cat: &Catalogue) -> Option<Diagnostic> {
    let acts = cat.incoming[i].iter().filter(|inc| {
        matches!(
            inc.kind,
            RelationKind::Repeals | RelationKind::Invalidates | RelationKind::Amends
        ) && cat.docs[inc.from].effective().is_some_and(|d| d > r.date)
    });
    let against = acts
        .into_iter()
        .find(|inc| Some(inc.kind) != r.outcome.relation())?;
    let act = &cat.docs[against.from];
    let d = Diagnostic::warning(
        Code::ReviewContradicted,
        &c.path,
        format!(
            "the record says {} `{}`, but 《{}》 ({}) {} it",
            r.outcome.key(),
            cat.docs[i].id,
            act.title,
            act.effective().map(|d| d.to_string()).unwrap_or_default(),
            against.kind.key(),
        ),
    )
    .at_line(r.line)
    .with_help("correct the record, or the decision if the record is right");
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"[campaign]
name = "2026年清理"
deadline = 2026-12-31
[campaign.scope]
level = ["党内规范性文件"]

[[record]]
doc = "a/b"
date = 2026-10-01
outcome = "废止"
reason = "过时"

[[record]]
withheld = true
title = "不公开的文件"
date = "2026-10-02"
outcome = "invalidate"
"#;

    #[test]
    fn reads_header_scope_and_records_with_lines() {
        let c = parse(Path::new("reviews/2026.toml"), FILE).unwrap();
        assert_eq!((c.name.as_str(), c.stem.as_str()), ("2026年清理", "2026"));
        assert_eq!(c.scope.level, ["党内规范性文件"]);
        assert_eq!(c.records.len(), 2);
        assert_eq!(
            (c.records[0].line, c.records[0].outcome),
            (7, Outcome::Repeal)
        );
        assert_eq!((c.records[1].line, c.records[1].doc.as_ref()), (13, None));
        assert_eq!(c.records[1].date.to_string(), "2026-10-02");
    }

    #[test]
    fn bad_records_name_their_line() {
        let bad = FILE.replace("outcome = \"废止\"", "outcome = \"删除\"");
        let d = parse(Path::new("r.toml"), &bad).unwrap_err();
        assert_eq!((d.code, d.line), (Code::Review, Some(10)));
        let bad = FILE.replace("date = 2026-10-01", "date = 2026-02-30");
        assert_eq!(parse(Path::new("r.toml"), &bad).unwrap_err().line, Some(9));
        let bad = FILE.replace("reason = \"过时\"", "reasn = \"过时\"");
        assert_eq!(parse(Path::new("r.toml"), &bad).unwrap_err().line, Some(11));
        let bad = FILE.replace("withheld = true\n", "");
        assert_eq!(parse(Path::new("r.toml"), &bad).unwrap_err().line, Some(13));
    }
}
