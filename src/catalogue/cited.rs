//! Citations resolved and checked. Each mention `citations` finds in a text
//! is tied to the text it cites: the version of the cited document in force
//! on the citing text's date (texts cite the numbering of their day). Then
//! checked: an article that text lacks is an error, as for a written
//! `#art-N` link; a document in force citing one that has ended is a
//! warning; a title naming several documents is a note.
//!
//! Pure: reads documents, versions and statuses; the renderer turns each
//! [`Citation`] into a link.

use std::collections::HashSet;
use std::ops::Range;

use chrono::NaiveDate;

use super::citations::{Ambiguous, Mention};
use super::{Catalogue, EventKind};
use crate::content::{Body, Document};
use crate::diagnostics::{Code, Diagnostic, Diagnostics, line_col};
use crate::model::DocIdx;
use crate::outline::Outline;

/// A mention resolved against the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Citation {
    /// Bytes of the mention in the citing text.
    pub range: Range<usize>,
    /// The document cited, or `None` for the citing text itself (`本法第十条`).
    pub target: Option<DocIdx>,
    /// The article named, if any.
    pub article: Option<u32>,
    /// The version of `target` in force on the citing text's date, when it
    /// is not the text its document page shows (it has a page of its own).
    pub version: Option<usize>,
    /// True when the text linked to has the article: the link takes `#art-N`.
    pub anchored: bool,
}

/// The text of a document a citation reaches.
enum Cited<'a> {
    /// The text the document page shows.
    Shown,
    /// Another version, with a page of its own.
    Version(usize, &'a Outline),
    /// A version whose text is not held (known from a history line), or
    /// none yet on the citing date: articles cannot be checked.
    Unheld,
}

/// Resolve the mentions of document `from`'s text; `parts` are the other
/// documents of its title (the books of one code, which `本法` spans). An
/// article citation to an article the cited text lacks is reported.
pub(super) fn resolve(
    docs: &[Document],
    from: usize,
    parts: &[DocIdx],
    mentions: &[Mention],
    diags: &mut Diagnostics,
) -> Vec<Citation> {
    let doc = &docs[from];
    let Some(body) = &doc.body else {
        return Vec::new();
    };
    let on = citing_date(doc);
    // In an amending act `本法第N条` sits in the amended text's new wording.
    let amending = amends_others(doc);
    mentions
        .iter()
        .filter(|m| m.target.is_some() || !amending)
        .map(|m| {
            let (citation, missing) = match m.target {
                Some(j) => to_document(&docs[j], m, on),
                None => to_own_article(docs, from, parts, m),
            };
            if let (true, Some(n)) = (missing, m.article) {
                let target = &docs[m.target.unwrap_or(DocIdx::new(from))];
                diags.push(missing_article(doc, body, m, target, citation.version, n));
            }
            citation
        })
        .collect()
}

/// A citation of another document, and whether the article it names is
/// missing from the text cited.
fn to_document(target: &Document, m: &Mention, on: Option<NaiveDate>) -> (Citation, bool) {
    let shown = outline(target);
    let (version, cited) = match cited_text(target, on) {
        Cited::Shown => (None, shown),
        Cited::Version(k, outline) => (Some(k), Some(outline)),
        Cited::Unheld => (None, None),
    };
    let anchored = m
        .article
        .is_some_and(|n| cited.or(shown).is_some_and(|o| o.has_article(n)));
    // A text without 第N条 articles (items 一、二、) cannot be checked.
    let checked = cited.is_some_and(|o| !o.articles.is_empty());
    let citation = Citation {
        range: m.range.clone(),
        target: m.target,
        article: m.article,
        version,
        anchored,
    };
    (citation, m.article.is_some() && checked && !anchored)
}

/// A citation of the text's own article, or of another part of its code
/// (`本法第一百四十二条` in one book of the 民法典), and whether it is missing.
fn to_own_article(
    docs: &[Document],
    from: usize,
    parts: &[DocIdx],
    m: &Mention,
) -> (Citation, bool) {
    let has = |d: &Document, n| outline(d).is_some_and(|o| o.has_article(n));
    let own = |n| has(&docs[from], n);
    let part = m
        .article
        .filter(|&n| !own(n))
        .and_then(|n| parts.iter().copied().find(|&p| has(&docs[p], n)));
    let anchored = part.is_some() || m.article.is_some_and(own);
    let citation = Citation {
        range: m.range.clone(),
        target: part,
        article: m.article,
        version: None,
        anchored,
    };
    let checkable = outline(&docs[from]).is_some_and(|o| !o.articles.is_empty());
    (citation, !anchored && checkable)
}

/// The outline of the text a document page shows.
fn outline(doc: &Document) -> Option<&Outline> {
    doc.body.as_ref().map(|b| &*b.outline)
}

/// True for a text that amends others (an act with `amends`, a 修正案, a
/// 关于修改…的决定): its `本法第N条` are the amended text's articles.
fn amends_others(doc: &Document) -> bool {
    let amends = doc.meta.relations.iter();
    amends
        .clone()
        .any(|r| r.kind == crate::model::RelationKind::Amends)
        || doc.title.contains("修正案")
        || doc.title.contains("修改")
}

/// The date a text cites as of: the promulgation of the version shown, else
/// of the document.
fn citing_date(doc: &Document) -> Option<NaiveDate> {
    let shown = doc.shown_version().map(|k| doc.versions[k].date);
    shown
        .or(doc.meta.fields.published)
        .or(doc.meta.fields.effective)
}

/// Which text of `doc` was in force on `on` (`None`: the text shown).
fn cited_text(doc: &Document, on: Option<NaiveDate>) -> Cited<'_> {
    let Some(on) = on else {
        return Cited::Shown;
    };
    if doc.versions.is_empty() {
        // One text: it can be checked only if it existed on that day.
        let existed = doc
            .meta
            .fields
            .published
            .or(doc.effective())
            .is_none_or(|d| d <= on);
        return if existed { Cited::Shown } else { Cited::Unheld };
    }
    let versions = &doc.versions;
    // In force on the day, else promulgated by then and awaiting its date.
    let k = versions
        .iter()
        .rposition(|v| v.effective <= on)
        .or_else(|| versions.iter().rposition(|v| v.date <= on));
    match k.map(|k| (k, &versions[k].text)) {
        Some((k, _)) if Some(k) == doc.shown_version() => Cited::Shown,
        Some((k, Some(text))) if doc.paged_versions().contains(&k) => {
            Cited::Version(k, &text.body.outline)
        }
        _ => Cited::Unheld,
    }
}

/// `error[broken-link]` for an article citation whose article is missing.
fn missing_article(
    doc: &Document,
    body: &Body,
    m: &Mention,
    target: &Document,
    version: Option<usize>,
    n: u32,
) -> Diagnostic {
    let written = &body.markdown[m.range.clone()];
    let (line, column) = line_col(&body.markdown, m.range.start);
    let text = match version {
        Some(k) => format!(" in its text of {}", target.versions[k].date),
        None => String::new(),
    };
    let d = if m.target.is_some() {
        let message = format!(
            "citation `{written}` leads nowhere: `{}` ({}) has no article {n}{text}",
            target.id, target.title
        );
        Diagnostic::error(Code::BrokenLink, &doc.path, message).with_help(
            "correct the article number; a passage that must stay as written can be wrapped in <!-- no-citations --> … <!-- /no-citations -->",
        )
    } else {
        // Citation and text come from one source: the text held is more
        // likely cut short or has an unreadable heading (`第四百一十四 条`).
        let message = format!("citation `{written}` leads nowhere: this text has no article {n}");
        Diagnostic::warning(Code::BrokenLink, &doc.path, message)
            .with_help("check that the text is complete and that article's heading reads `第N条 …`")
    };
    d.at(body.first_line + line - 1, column)
}

/// A note for each title of `doc`'s text that names several documents (once
/// per title, at its first mention).
pub(super) fn ambiguous(
    docs: &[Document],
    doc: &Document,
    found: &[Ambiguous],
    diags: &mut Diagnostics,
) {
    let Some(body) = &doc.body else {
        return;
    };
    let mut seen = HashSet::new();
    for a in found {
        let title = &body.markdown[a.range.clone()];
        if !seen.insert(title) {
            continue;
        }
        let times = found
            .iter()
            .filter(|b| &body.markdown[b.range.clone()] == title)
            .count();
        let candidates: Vec<String> = a
            .candidates
            .iter()
            .map(|&j| format!("`{}`", docs[j].id))
            .collect();
        let (line, column) = line_col(&body.markdown, a.range.start);
        let mut message = format!(
            "`{title}` names {} documents ({}), so it is not linked",
            candidates.len(),
            candidates.join(", ")
        );
        if times > 1 {
            message.push_str(&format!(" ({times} times in this text)"));
        }
        diags.push(
            Diagnostic::note(Code::AmbiguousCitation, &doc.path, message)
                .at(body.first_line + line - 1, column)
                .with_help("link the one meant: [《…》](doc:ID)"),
        );
    }
}

/// `warning[cites-not-in-force]` for each document in force citing one that
/// was repealed, declared invalid, expired or superseded: once per cited
/// document, at its first mention. A text that itself ends the cited one
/// (an act on it, or `《X》同时废止`) is not relying on it.
pub(super) fn check_in_force(cat: &Catalogue, diags: &mut Diagnostics) {
    for (i, doc) in cat.docs.iter().enumerate() {
        let Some(body) = doc
            .body
            .as_ref()
            .filter(|_| cat.computed[i].status.in_force())
        else {
            continue;
        };
        let mut targets: Vec<DocIdx> = cat.citations[i].iter().filter_map(|c| c.target).collect();
        targets.sort_unstable();
        targets.dedup();
        for j in targets {
            let Some(end) = cat.computed[j].cause.as_ref() else {
                continue;
            };
            if end.kind.terminal_status().is_none() || acts_on(cat, i, j) {
                continue;
            }
            let mentions = cat.citations[i].iter().filter(|c| c.target == Some(j));
            if mentions
                .clone()
                .any(|c| announces_end(&body.markdown, c.range.clone()))
            {
                continue;
            }
            let Some(first) = mentions.map(|c| c.range.start).min() else {
                continue;
            };
            let (line, column) = line_col(&body.markdown, first);
            diags.push(not_in_force(cat, doc, j, end).at(body.first_line + line - 1, column));
        }
    }
}

/// The warning for `doc` citing `j`, which `end` ended.
fn not_in_force(cat: &Catalogue, doc: &Document, j: DocIdx, end: &super::Event) -> Diagnostic {
    let target = &cat.docs[j];
    let how = match end.kind {
        EventKind::Superseded => "superseded",
        EventKind::DeclaredInvalid => "declared invalid",
        EventKind::Expired => "expired",
        _ => "repealed",
    };
    let act = match (&end.actor, &end.act_name) {
        (Some(actor), _) => {
            let title = cat.find(actor).map_or("", |a| cat.docs[a].title.as_str());
            format!(" by `{actor}` ({title})")
        }
        (None, Some(name)) => format!(" by {name}"),
        (None, None) => String::new(),
    };
    let help = match (&end.actor, end.kind) {
        (Some(successor), EventKind::Superseded) => {
            format!("cite its successor `{successor}` if this text relies on it")
        }
        _ => "revise the passage, or repeal or amend this text".to_owned(),
    };
    Diagnostic::warning(
        Code::CitesNotInForce,
        &doc.path,
        format!(
            "cites `{}` ({}), {how} on {}{act}",
            target.id, target.title, end.date
        ),
    )
    .with_help(help)
}

/// True if document `i` repeals, supersedes, amends or invalidates `j`, or
/// is the act that ended it.
fn acts_on(cat: &Catalogue, i: usize, j: DocIdx) -> bool {
    let by_relation = cat.incoming[j]
        .iter()
        .any(|r| r.from == DocIdx::new(i) && r.kind != crate::model::RelationKind::BasedOn);
    let ended = cat.computed[j]
        .cause
        .as_ref()
        .and_then(|e| e.actor.as_ref());
    by_relation || ended == Some(&cat.docs[i].id)
}

/// True if the sentence around `range` announces the end of what it names
/// (`《X》同时废止`, `由本办法代替`): the text is not relying on it.
fn announces_end(text: &str, range: Range<usize>) -> bool {
    const ENDS: [&str; 6] = ["废止", "失效", "代替", "替代", "废除", "停止执行"];
    const STOPS: [char; 4] = ['。', '；', '\n', ';'];
    let before = &text[..range.start];
    let start = before
        .char_indices()
        .rfind(|(_, c)| STOPS.contains(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let end = text[range.end..]
        .find(STOPS)
        .map_or(text.len(), |i| range.end + i);
    let sentence = &text[start..end];
    ENDS.iter().any(|w| sentence.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_ending_the_cited_text_is_not_reliance() {
        let text = "第一条 依照《甲》第二条处理。\n第九条 本办法自公布之日起施行，《甲》同时废止。";
        let first = text.find("《甲》").unwrap();
        let last = text.rfind("《甲》").unwrap();
        assert!(!announces_end(text, first..first + 9));
        assert!(announces_end(text, last..last + 9));
    }
}
