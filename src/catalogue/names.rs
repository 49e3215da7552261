//! Finding documents by name for relations: the one document with an exact
//! title, and the few documents worth comparing with an unknown id for a
//! "did you mean". Both answer in time independent of the catalogue's size,
//! so a check stays near-linear with many unknown references.
//!
//! Built by `Catalogue::build` from its documents; scores nothing itself.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::model::DocIdx;

use crate::content::Document;

/// At most this many documents are compared with one unknown id.
const CANDIDATES: usize = 32;

/// Indexes of titles and of character pairs in ids, titles and numbers.
#[derive(Debug, Default)]
pub(crate) struct Names {
    /// Title → its document, or `None` when several share it.
    titles: HashMap<String, Option<usize>>,
    /// Character pair → documents whose id, title or number holds it;
    /// built on the first unknown name (most builds have none, and it is
    /// the costly part on a large catalogue).
    pairs: OnceLock<HashMap<[char; 2], Vec<usize>>>,
}

impl Names {
    pub(crate) fn new(docs: &[Document]) -> Names {
        let mut names = Names::default();
        for (i, doc) in docs.iter().enumerate() {
            names
                .titles
                .entry(doc.title.clone())
                .and_modify(|found| *found = None)
                .or_insert(Some(i));
        }
        names
    }

    fn pairs(&self, docs: &[Document]) -> &HashMap<[char; 2], Vec<usize>> {
        self.pairs.get_or_init(|| {
            let mut all: HashMap<[char; 2], Vec<usize>> = HashMap::new();
            for (i, doc) in docs.iter().enumerate() {
                let keys = [
                    Some(doc.id.as_str()),
                    Some(&doc.title),
                    doc.meta.fields.number.as_deref(),
                ];
                for pair in keys.into_iter().flatten().flat_map(pairs) {
                    let docs = all.entry(pair).or_default();
                    if docs.last() != Some(&i) {
                        docs.push(i);
                    }
                }
            }
            all
        })
    }

    /// The one document whose title is exactly `title`.
    pub(crate) fn by_title(&self, title: &str) -> Option<DocIdx> {
        self.titles.get(title).copied().flatten().map(DocIdx::new)
    }

    /// Documents of `docs` (those the names were made from) sharing `raw`'s
    /// rarest character pairs, at most `CANDIDATES`: a name close to `raw`
    /// shares most of its pairs, so some rare one too.
    pub(crate) fn candidates(&self, docs: &[Document], raw: &str) -> Vec<usize> {
        let all = self.pairs(docs);
        let mut lists: Vec<&Vec<usize>> = pairs(raw).filter_map(|p| all.get(&p)).collect();
        lists.sort_by_key(|docs| docs.len());
        let mut found = HashSet::new();
        let mut order = Vec::new();
        for &doc in lists.into_iter().flatten() {
            if order.len() == CANDIDATES {
                break;
            }
            if found.insert(doc) {
                order.push(doc);
            }
        }
        order
    }
}

/// Adjacent character pairs of `s`; a one-character name is one pair with itself.
fn pairs(s: &str) -> impl Iterator<Item = [char; 2]> + '_ {
    let chars: Vec<char> = s.chars().collect();
    let single = (chars.len() == 1).then(|| [chars[0], chars[0]]);
    let windows: Vec<[char; 2]> = chars.windows(2).map(|w| [w[0], w[1]]).collect();
    windows.into_iter().chain(single)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::parse_document;
    use std::path::Path;

    fn doc(id: &str, title: &str) -> Document {
        let text = format!("+++\nid = \"{id}\"\ntitle = \"{title}\"\n+++\n正文\n");
        parse_document(
            Path::new("content/x.md"),
            Path::new("x.md"),
            &text,
            &mut Vec::new(),
        )
        .unwrap()
    }

    #[test]
    fn close_names_are_among_few_candidates() {
        let mut docs: Vec<Document> = (0..2000).map(|i| doc(&format!("c/{i}"), "文件")).collect();
        docs.push(doc("zuofeng/shuangshitiao", "双十条"));
        let names = Names::new(&docs);
        let found = names.candidates(&docs, "zuofeng/shuangshitao");
        assert!(found.len() <= CANDIDATES);
        assert!(found.contains(&2000));
        assert!(names.candidates(&docs, "c/17").len() <= CANDIDATES);
        assert_eq!(names.by_title("双十条"), Some(DocIdx::new(2000)));
        assert_eq!(
            names.by_title("文件"),
            None,
            "an ambiguous title names nothing"
        );
    }
}
