//! What the renderer adds to a text beyond its Markdown: citations turned
//! into links (before rendering), a status tag after each link to a cited
//! document no longer in force, and the notes under each article an amending
//! act changed or added, with its earlier wordings (本条沿革).
//!
//! Works on the catalogue's mentions and notes and on rendered HTML (which
//! holds the `id="art-N"` anchors); reads nothing else.

use std::collections::BTreeMap;

use crate::catalogue::Catalogue;
use crate::i18n::Strings;
use crate::markdown::escape_html;
use crate::model::{ArticleChange, ArticleNote, DocIdx};
use crate::outline::Anchor;
use crate::view::DocView;

/// Notes under each changed article of a consolidated text: which act
/// changed or added it, and its earlier wordings (本条沿革), inserted after
/// the article in `html` (rendered Markdown with `id="art-N"` paragraphs).
pub(super) fn annotate_articles(
    html: &str,
    notes: &[ArticleNote],
    cat: &Catalogue,
    views: &[DocView],
    t: &Strings,
    base: &str,
) -> String {
    let mut by_article: BTreeMap<u32, Vec<&ArticleNote>> = BTreeMap::new();
    for note in notes {
        by_article.entry(note.article).or_default().push(note);
    }
    let act = |n: &ArticleNote| match cat.find(&n.act).map(|j| &views[j]) {
        Some(v) => format!(
            "<a href=\"{base}{}\">{}</a>",
            v.url,
            escape_html(v.fields.number.as_deref().unwrap_or(&v.title))
        ),
        None => escape_html(n.act.as_str()),
    };
    let inserts: Vec<(usize, String)> = (by_article.into_iter())
        .filter_map(|(article, notes)| Some((article_end(html, article)?, notes)))
        .map(|(end, notes)| (end, note_html(&notes, &act, t)))
        .collect();
    let mut out = html.to_owned();
    for (at, text) in inserts.into_iter().rev() {
        out.insert_str(at, &text);
    }
    out
}

/// Where the paragraphs of article `n` end in `html`: at the next article,
/// heading or the end of the text.
fn article_end(html: &str, n: u32) -> Option<usize> {
    let start = html.find(&format!("id=\"{}\"", Anchor::first(n)))?;
    let rest = &html[start..];
    let end = ["<p id=\"art-", "<h", crate::markdown::TEXT_END]
        .iter()
        .filter_map(|m| rest[1..].find(m).map(|i| i + 1))
        .min()
        .map_or(html.len(), |i| start + i);
    Some(end)
}

/// The note under one article: what each act did to it, and the wordings
/// before.
fn note_html(notes: &[&ArticleNote], act: &dyn Fn(&ArticleNote) -> String, t: &Strings) -> String {
    let said: Vec<String> = notes
        .iter()
        .map(|n| {
            let key = match n.change {
                ArticleChange::Added => "article_added",
                ArticleChange::Amended => "article_amended",
            };
            t.get(key)
                .replace("{act}", &act(n))
                .replace("{date}", &t.date(n.date))
        })
        .collect();
    let history: String = notes
        .iter()
        .filter_map(|n| {
            let before = n.before.as_ref()?;
            Some(format!(
                "<li><span class=\"muted\">{}</span> {}</li>",
                t.get("article_before").replace("{date}", &t.date(n.date)),
                escape_html(before)
            ))
        })
        .collect();
    let details = match history.is_empty() {
        true => String::new(),
        false => format!(
            "<details class=\"article-history\"><summary>{}</summary><ol>{history}</ol></details>",
            t.get("article_history")
        ),
    };
    format!(
        "<div class=\"article-note\"><p>{}</p>{details}</div>\n",
        said.join(" ")
    )
}

/// Where a citation of a text links.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct CitationLink {
    /// Bytes of the mention in the text.
    pub(super) range: std::ops::Range<usize>,
    /// Site-relative URL (`docs/ID/`, `docs/ID/DATE/`, with `#art-N` when
    /// the text linked to has the article), or `#art-N` of the text itself.
    pub(super) url: String,
}

/// Where each citation of document `i`'s text links: the cited document,
/// or the page of its version in force on the citing text's date.
pub(super) fn citation_links(i: usize, cat: &Catalogue, views: &[DocView]) -> Vec<CitationLink> {
    cat.citations[i]
        .iter()
        .filter_map(|c| {
            let fragment = c
                .article
                .filter(|_| c.anchored)
                .map(|n| format!("#{}", crate::outline::Anchor::first(n)));
            let page = match (c.target, c.version) {
                (Some(j), Some(k)) => crate::routes::version_urls(&cat.docs[j])[k].clone()?,
                (Some(j), None) => views[j].url.clone(),
                (None, _) => String::new(),
            };
            let url = page + &fragment.unwrap_or_default();
            (!url.is_empty()).then(|| CitationLink {
                range: c.range.clone(),
                url,
            })
        })
        .collect()
}

/// `markdown` with each citation turned into a link to `links`' URLs.
pub(super) fn link_citations(markdown: &str, links: &[CitationLink], base: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + 64);
    let mut last = 0;
    for link in links {
        let (start, end) = (link.range.start, link.range.end);
        if start < last || end > markdown.len() {
            continue;
        }
        let base = if link.url.starts_with('#') { "" } else { base };
        let text = markdown[start..end].replace('[', "\\[").replace(']', "\\]");
        out.push_str(&markdown[last..start]);
        out.push_str(&format!("[{text}](<{base}{}>)", link.url));
        last = end;
    }
    out.push_str(&markdown[last..]);
    out
}

/// After each link to a document that is no longer in force (its page or a
/// version page), a small tag with its status, so a reader sees the cited
/// text was repealed.
pub(super) fn tag_cited_status(
    html: &str,
    i: usize,
    cat: &Catalogue,
    views: &[DocView],
    base: &str,
) -> String {
    let mut out = html.to_owned();
    let mut targets: Vec<DocIdx> = cat.citations[i].iter().filter_map(|c| c.target).collect();
    targets.sort_unstable();
    targets.dedup();
    for j in targets.into_iter().filter(|&j| !views[j].status.in_force) {
        let status = &views[j].status;
        let tag = format!(
            "<span class=\"status status-{} cite-status\">{}</span>",
            status.status.key(),
            status.label
        );
        let versions = crate::routes::version_urls(&cat.docs[j]);
        let pages = std::iter::once(&views[j].url).chain(versions.iter().flatten());
        for page in pages {
            for quote in ['"', '#'] {
                let href = format!("href=\"{base}{page}{quote}");
                let mut from = 0;
                while let Some(at) = out[from..].find(&href).map(|k| from + k) {
                    let Some(close) = out[at..].find("</a>").map(|k| at + k + 4) else {
                        break;
                    };
                    out.insert_str(close, &tag);
                    from = close + tag.len();
                }
            }
        }
    }
    out
}
