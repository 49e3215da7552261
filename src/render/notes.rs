//! Article notes of consolidated texts: after each article an amending act
//! changed or added, a line naming the act and the article's earlier
//! wordings (本条沿革), inserted into the rendered text.
//!
//! Works on rendered HTML (which holds the `id="art-N"` anchors) and the
//! notes the catalogue derived; reads nothing else.

use super::i18n::Strings;
use super::view::DocView;
use crate::catalogue::Catalogue;

/// Notes under each changed article of a consolidated text: which act
/// changed or added it, and its earlier wordings (本条沿革), inserted after
/// the article in `html` (rendered Markdown with `id="art-N"` paragraphs).
pub(super) fn annotate_articles(
    html: &str,
    notes: &[crate::model::ArticleNote],
    cat: &Catalogue,
    views: &[DocView],
    t: &Strings,
    base: &str,
) -> String {
    use crate::markdown::escape_html;
    let mut by_article: std::collections::BTreeMap<u32, Vec<&crate::model::ArticleNote>> =
        std::collections::BTreeMap::new();
    for note in notes {
        by_article.entry(note.article).or_default().push(note);
    }
    let mut inserts: Vec<(usize, String)> = Vec::new();
    for (article, notes) in by_article {
        let Some(start) = html.find(&format!("id=\"art-{article}\"")) else {
            continue;
        };
        let rest = &html[start..];
        let end = ["<p id=\"art-", "<h", "<!--/text-->"]
            .iter()
            .filter_map(|m| rest[1..].find(m).map(|i| i + 1))
            .min()
            .map_or(html.len(), |i| start + i);
        let act = |n: &crate::model::ArticleNote| match cat.find(&n.act).map(|j| &views[j]) {
            Some(v) => format!(
                "<a href=\"{base}{}\">{}</a>",
                v.url,
                escape_html(v.number.as_deref().unwrap_or(&v.title))
            ),
            None => escape_html(n.act.as_str()),
        };
        let said: Vec<String> = notes
            .iter()
            .map(|n| {
                let key = match n.change {
                    crate::model::ArticleChange::Added => "article_added",
                    crate::model::ArticleChange::Amended => "article_amended",
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
        let details = if history.is_empty() {
            String::new()
        } else {
            format!(
                "<details class=\"article-history\"><summary>{}</summary><ol>{history}</ol></details>",
                t.get("article_history")
            )
        };
        inserts.push((
            end,
            format!(
                "<div class=\"article-note\"><p>{}</p>{details}</div>\n",
                said.join(" ")
            ),
        ));
    }
    let mut out = html.to_owned();
    for (at, text) in inserts.into_iter().rev() {
        out.insert_str(at, &text);
    }
    out
}
