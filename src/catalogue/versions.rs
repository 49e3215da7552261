//! Versions: gathers the dated texts of one document into that document.
//!
//! A file with `version_of = "<id>"` is a version of the document `<id>`.
//! Files without front matter are versions of one document when their
//! `NAME(DATE).md` names or inferred titles are equal; texts of one date are
//! parts of one code (same folder, different text) or duplicates (a warning).
//! The history lines of the latest text add versions known only by date.
//! Runs on loaded documents before ids are indexed; no I/O, no rendering.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::content::infer::{HistoryEntry, HistoryKind, stem_date};
use crate::content::{Document, OriginKind, Unreadable, Version, VersionKind, VersionText};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::{DocId, Status};

/// Merge every document's versions into it; version files disappear as
/// documents of their own. `as_of` picks the text a document shows.
pub fn gather(
    docs: Vec<Document>,
    unreadable: &[Unreadable],
    as_of: NaiveDate,
    diags: &mut Diagnostics,
) -> Vec<Document> {
    let (explicit, rest): (Vec<_>, Vec<_>) =
        docs.into_iter().partition(|d| d.meta.version_of.is_some());
    let mut docs = infer_groups(rest, diags);
    attach_explicit(&mut docs, explicit, unreadable, diags);
    docs.par_iter_mut().for_each(|doc| finish(doc, as_of));
    docs
}

/// Group texts without front matter by name and title; merge each group of
/// two or more texts of distinct dates into one document.
fn infer_groups(docs: Vec<Document>, diags: &mut Diagnostics) -> Vec<Document> {
    let keys: Vec<Option<[String; 2]>> = docs.par_iter().map(inference_keys).collect();
    let mut sets = UnionFind::new(docs.len());
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, key) in keys.iter().enumerate() {
        for k in key.iter().flatten() {
            if let Some(&j) = first.get(k.as_str()) {
                sets.union(i, j);
            } else {
                first.insert(k, i);
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..docs.len() {
        groups.entry(sets.find(i)).or_default().push(i);
    }
    let mut slots: Vec<Option<Document>> = docs.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(slots.len());
    for members in groups.into_values() {
        let texts: Vec<Document> = members.iter().filter_map(|&i| slots[i].take()).collect();
        match family(texts, diags) {
            Ok(family) => out.push(merge(family)),
            Err(parts) => out.extend(parts),
        }
    }
    out
}

/// `[folder + name, title]` of a text that may be one version among
/// several: Markdown without front matter, with a date.
fn inference_keys(doc: &Document) -> Option<[String; 2]> {
    if doc.origin != OriginKind::Markdown || !doc.meta.lines.is_empty() {
        return None;
    }
    doc.meta.fields.published?;
    let stem = doc.path.file_stem()?.to_string_lossy();
    let name = match stem_date(&stem) {
        Some(_) => &stem[..stem.rfind('(')?],
        None => &stem,
    };
    Some([
        format!("name:{}/{name}", doc.section),
        format!("title:{}", doc.title),
    ])
}

/// Order a group's texts by date. Same-date texts of one folder that differ
/// and are alike only in title (the books of a code) are parts, not
/// versions: the group is returned unmerged. Other same-date texts are one
/// version twice: a warning, and the earlier file only redirects.
fn family(
    mut texts: Vec<Document>,
    diags: &mut Diagnostics,
) -> Result<Vec<Document>, Vec<Document>> {
    if texts.len() < 2 {
        return Ok(texts);
    }
    texts.sort_by(|a, b| {
        (a.meta.fields.published, &a.path).cmp(&(b.meta.fields.published, &b.path))
    });
    let parts = texts.windows(2).any(|w| {
        let names = |d: &Document| inference_keys(d).map(|[name, _]| name);
        w[0].meta.fields.published == w[1].meta.fields.published
            && w[0].section == w[1].section
            && names(&w[0]) != names(&w[1])
            && body_text(&w[0]) != body_text(&w[1])
    });
    if parts {
        return Err(texts);
    }
    let mut kept: Vec<Document> = Vec::with_capacity(texts.len());
    for doc in texts {
        match kept.last_mut() {
            Some(prev)
                if prev.meta.fields.published == doc.meta.fields.published
                    || same_text(prev, &doc) =>
            {
                // Within a folder the later file is the later publication.
                let dropped = if prev.section == doc.section {
                    std::mem::replace(prev, doc)
                } else {
                    doc
                };
                diags.push(
                    Diagnostic::warning(
                        Code::DuplicateText,
                        &dropped.path,
                        format!(
                            "the {} version of `{}` is also in {}",
                            date_text(dropped.meta.fields.published),
                            dropped.title,
                            prev.path.display()
                        ),
                    )
                    .at_line(1)
                    .with_help("keep one copy; gazette publishes the later file of a folder (else the first folder's) and redirects the other"),
                );
                let date = dropped.meta.fields.published.unwrap_or_default();
                prev.redirects.extend(dropped.redirects);
                prev.redirects.push((dropped.id, date));
            }
            _ => kept.push(doc),
        }
    }
    Ok(kept)
}

fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// True when two texts read the same from their first article on (one may
/// carry a history block the other lacks).
fn same_text(a: &Document, b: &Document) -> bool {
    let (a, b) = (from_first_article(a), from_first_article(b));
    a.is_some() && a == b
}

/// A document's text from the line its first article opens on.
fn from_first_article(doc: &Document) -> Option<&str> {
    let body = doc.body.as_ref()?;
    let first = body.outline.articles.first()?.line;
    let lines = body.markdown.split_inclusive('\n');
    let start: usize = lines.take(first as usize - 1).map(str::len).sum();
    body.markdown.get(start..).map(str::trim_end)
}

fn body_text(doc: &Document) -> Option<&str> {
    doc.body.as_ref().map(|b| &*b.markdown)
}

/// One document from a family: the latest text's metadata, every text as a
/// version, the id `folder/NAME` of the latest text.
fn merge(mut texts: Vec<Document>) -> Document {
    if texts.len() == 1 {
        return texts.pop().unwrap_or_else(|| unreachable!());
    }
    let versions: Vec<Version> = texts.iter().map(text_version).collect();
    let mut redirects: Vec<(DocId, NaiveDate)> = texts
        .iter_mut()
        .flat_map(|d| {
            let own = (d.id.clone(), d.meta.fields.published.unwrap_or_default());
            std::mem::take(&mut d.redirects).into_iter().chain([own])
        })
        .collect();
    let mut doc = texts.pop().unwrap_or_else(|| unreachable!());
    if let Some(id) = work_id(&doc) {
        doc.id = id;
    }
    redirects.retain(|(from, _)| *from != doc.id);
    doc.versions = versions;
    doc.redirects = redirects;
    doc
}

/// `folder/NAME` for a `folder/NAME(DATE).md` file.
fn work_id(doc: &Document) -> Option<DocId> {
    let id = doc.id.as_str();
    stem_date(id)?;
    DocId::new(&id[..id.rfind('(')?]).ok()
}

/// The version a text file supplies.
pub(super) fn text_version(doc: &Document) -> Version {
    let own =
        doc.history.iter().rev().find(|e| {
            e.kind != HistoryKind::Effective && Some(e.date) == doc.meta.fields.published
        });
    let published = doc.meta.fields.published.unwrap_or(NaiveDate::MIN);
    Version {
        date: published,
        effective: doc.effective().unwrap_or(published),
        kind: own.map_or(VersionKind::Original, |e| kind_of(e.kind)),
        act: own.and_then(|e| e.act.clone()),
        text: version_text(doc),
        derived: None,
    }
}

fn version_text(doc: &Document) -> Option<VersionText> {
    Some(VersionText {
        body: doc.body.clone()?,
        title: doc.title.clone(),
        number: doc.meta.fields.number.clone(),
        path: doc.path.clone(),
    })
}

fn kind_of(kind: HistoryKind) -> VersionKind {
    match kind {
        HistoryKind::Revised => VersionKind::Revised,
        HistoryKind::Amended => VersionKind::Amended,
        HistoryKind::Promulgated | HistoryKind::Effective => VersionKind::Original,
    }
}

/// Join each `version_of` file to its document, checking the id and date.
fn attach_explicit(
    docs: &mut [Document],
    versions: Vec<Document>,
    unreadable: &[Unreadable],
    diags: &mut Diagnostics,
) {
    let index: HashMap<&str, usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let mut joined: Vec<(usize, Document)> = Vec::new();
    for v in versions {
        let target = v.meta.version_of.as_deref().unwrap_or_default().trim();
        let line = v.line_of("version_of");
        let Some(&i) = index.get(target) else {
            // A document whose own file has an error is reported there.
            if unreadable
                .iter()
                .any(|u| u.ids.iter().any(|id| id == target))
            {
                continue;
            }
            diags.push(
                Diagnostic::error(
                    Code::UnknownReference,
                    &v.path,
                    format!("`version_of` names unknown id `{target}`"),
                )
                .at_line(line)
                .with_help("write the id of the document this file is a version of"),
            );
            continue;
        };
        joined.push((i, v));
    }
    for (i, v) in joined {
        if let Some(d) = check_explicit(&docs[i], &v) {
            diags.push(d);
            continue;
        }
        if docs[i].versions.is_empty() {
            let base = text_version(&docs[i]);
            docs[i].versions.push(base);
        }
        let mut version = text_version(&v);
        let untitled = v.meta.title.is_none() && v.path.file_stem() == Some(v.title.as_ref());
        if version.kind == VersionKind::Original {
            version.kind = VersionKind::Revised;
        }
        if let Some(text) = version.text.as_mut().filter(|_| untitled) {
            text.title = docs[i].title.clone();
        }
        docs[i].versions.push(version);
        let date = v.meta.fields.published.unwrap_or_default();
        docs[i].redirects.push((v.id, date));
    }
}

/// A problem with version file `v` of `doc`: no date, a date before the
/// document was issued, or a date another version already has.
fn check_explicit(doc: &Document, v: &Document) -> Option<Diagnostic> {
    let error = |code, key: &str, message: String, help: &str| {
        Some(
            Diagnostic::error(code, &v.path, message)
                .at_line(v.line_of(key))
                .with_help(help.to_owned()),
        )
    };
    let Some(date) = v.meta.fields.published else {
        return error(
            Code::MissingMetadata,
            "version_of",
            format!("this version of `{}` has no date", doc.id),
            "add `published = YYYY-MM-DD` (and `effective` if it differs)",
        );
    };
    if let Some(first) = doc.meta.fields.published.filter(|p| date < *p) {
        return error(
            Code::VersionBeforePublication,
            "published",
            format!(
                "this version of `{}` is dated {date}, before the document was issued on {first}",
                doc.id
            ),
            "check `published`, or the `version_of` id",
        );
    }
    let taken =
        doc.meta.fields.published == Some(date) || doc.versions.iter().any(|x| x.date == date);
    if taken {
        return error(
            Code::DuplicateVersion,
            "published",
            format!("`{}` already has a version dated {date}", doc.id),
            "a document has one text per date: correct the date or merge the files",
        );
    }
    None
}

/// Sort versions, add those the history lines know of, and show the text in
/// force on `as_of` (title, 文号, body and file of that version). A document
/// left with one version has no version list.
fn finish(doc: &mut Document, as_of: NaiveDate) {
    // One text and no history: no versions (most documents; copying the
    // text into a version only to drop it cost every build 10,000 copies).
    if doc.versions.is_empty() && doc.history.is_empty() {
        return;
    }
    if doc.versions.is_empty() && doc.body.is_some() {
        doc.versions.push(text_version(doc));
    }
    for (entry, effective) in history_versions(&doc.history) {
        add_history_version(&mut doc.versions, entry, effective);
    }
    // In force from its effective date until the next one's: order by it.
    doc.versions.sort_by_key(|v| (v.effective, v.date));
    if doc.versions.len() < 2 {
        doc.versions.clear();
        return;
    }
    // A version that states no 文号 keeps the one it amends.
    let mut number = None;
    for text in doc.versions.iter_mut().filter_map(|v| v.text.as_mut()) {
        text.number = text.number.take().or(number);
        number = text.number.clone();
    }
    let first = &doc.versions[0];
    doc.meta.fields.published = Some(first.date);
    doc.meta.fields.effective = Some(first.effective);
    show_in_force(doc, as_of);
}

/// Show the text in force on `as_of` (else the first text): its title,
/// 文号, body and file become the document's.
pub fn show_in_force(doc: &mut Document, as_of: NaiveDate) {
    let with_text = || doc.versions.iter().filter(|v| v.text.is_some());
    let shown = with_text()
        .rev()
        .find(|v| v.effective <= as_of)
        .or_else(|| with_text().next())
        .and_then(|v| v.text.clone());
    if let Some(text) = shown {
        doc.title = text.title;
        doc.meta.fields.number = text.number;
        doc.body = Some(text.body);
        doc.path = text.path;
    }
}

/// The versions a history block records, each with the day it takes
/// effect: the first text (its 通过/公布/批准 lines are steps of one version,
/// dated by the last, as `infer::history_dates` dates a text) and every
/// 修订/修正 line; each takes effect on the next 施行 line before the next
/// version, else on its own date.
fn history_versions(history: &[HistoryEntry]) -> Vec<(&HistoryEntry, NaiveDate)> {
    let mut out: Vec<(&HistoryEntry, Option<NaiveDate>)> = Vec::new();
    for entry in history {
        let last = out.last_mut();
        match (entry.kind, last) {
            (HistoryKind::Effective, Some((_, effective @ None))) => *effective = Some(entry.date),
            (HistoryKind::Effective, _) => {}
            (HistoryKind::Promulgated, Some((first, None)))
                if first.kind == HistoryKind::Promulgated =>
            {
                *first = entry;
            }
            (HistoryKind::Promulgated, Some(_)) => {}
            _ => out.push((entry, None)),
        }
    }
    out.into_iter()
        .map(|(e, effective)| (e, effective.filter(|d| *d >= e.date).unwrap_or(e.date)))
        .collect()
}

/// A version known from a history line, unless a version of that date
/// already stands for it (then the line only names its act and kind).
fn add_history_version(versions: &mut Vec<Version>, entry: &HistoryEntry, effective: NaiveDate) {
    let kind = match entry.kind {
        HistoryKind::Effective => return,
        HistoryKind::Promulgated if versions.iter().any(|v| v.date < entry.date) => return,
        k => kind_of(k),
    };
    if let Some(v) = versions.iter_mut().find(|v| v.date == entry.date) {
        v.act = v.act.take().or_else(|| entry.act.clone());
        if v.kind == VersionKind::Original {
            v.kind = kind;
        }
        return;
    }
    versions.push(Version {
        date: entry.date,
        effective,
        kind,
        act: entry.act.clone(),
        text: None,
        derived: None,
    });
}

/// Index of the version in force on `on` for a document whose status on
/// `on` is `status`: the last to take effect, while the document is in force.
pub fn in_force_at(versions: &[Version], status: Status, on: NaiveDate) -> Option<usize> {
    if !status.in_force() {
        return None;
    }
    versions.iter().rposition(|v| v.effective <= on)
}

/// Disjoint sets over indices, for grouping texts by any shared key.
struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind((0..n).collect())
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        self.0[a.max(b)] = a.min(b);
    }
}
