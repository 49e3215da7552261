//! Where each article of a document page lies in the page's bytes. The
//! index keeps no copy of the text: to show a snippet, `search.js` fetches
//! just the article holding the hit from the published page (an HTTP Range
//! request; a server without ranges sends the whole page, which works too).
//!
//! Owns the per-document tables (grouped in index files) that map token
//! positions to article anchors and byte ranges, and [`Tap`], which reads
//! those ranges from document pages as they are written. Never renders;
//! reads only bytes handed to it.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{Value, json};

use crate::markdown;
use crate::output::{Output, OutputError};

/// A part of a page's body: an article paragraph and what follows up to the
/// next, or the text before the first article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// Its anchor (`art-10`, `art-3-2`); `None` for the text before the first.
    pub anchor: Option<String>,
    /// Offset in the page.
    pub start: u32,
    /// Bytes up to the next article or the end of the body.
    pub len: u32,
}

/// The body of a rendered document page cut into [`Article`]s in page
/// order, the text before the first one first; empty when the page has no
/// body (no [`markdown::TEXT_START`] marker).
pub fn articles(html: &[u8]) -> Vec<Article> {
    let Some(body) = find(html, markdown::TEXT_START.as_bytes(), 0) else {
        return Vec::new();
    };
    let end = find(html, markdown::TEXT_END.as_bytes(), body).unwrap_or(html.len());
    let open = markdown::ARTICLE_OPEN.as_bytes();
    let mut starts = vec![(body, None)];
    let mut from = body;
    while let Some(at) = find(&html[..end], open, from) {
        from = at + open.len();
        let id_from = from - "art-".len();
        let Some(id_len) = html[id_from..end].iter().position(|&b| b == b'"') else {
            continue;
        };
        let anchor = String::from_utf8_lossy(&html[id_from..id_from + id_len]).into_owned();
        starts.push((at, Some(anchor)));
    }
    let ends: Vec<usize> = starts.iter().skip(1).map(|s| s.0).chain([end]).collect();
    starts
        .into_iter()
        .zip(ends)
        .map(|((start, anchor), end)| Article {
            anchor,
            start: start as u32,
            len: (end - start) as u32,
        })
        .collect()
}

/// Where `needle` first occurs in `haystack` at or after `from`.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    memchr::memmem::find(haystack.get(from..)?, needle).map(|at| from + at)
}

/// An output that passes every file on and keeps the article ranges of
/// document pages, for [`table`].
pub struct Tap<'a> {
    inner: &'a dyn Output,
    pages: Mutex<HashMap<String, Vec<Article>>>,
}

impl<'a> Tap<'a> {
    /// Pass files on to `inner`.
    pub fn new(inner: &'a dyn Output) -> Tap<'a> {
        Tap {
            inner,
            pages: Mutex::default(),
        }
    }

    /// Article ranges of every document page written, by output path.
    pub fn into_pages(self) -> HashMap<String, Vec<Article>> {
        self.pages.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Output for Tap<'_> {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        if crate::routes::is_document_page(rel) {
            let found = articles(bytes);
            let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
            pages.insert(rel.to_owned(), found);
        }
        self.inner.write(rel, bytes)
    }
}

/// A document's snippet table as JSON rows `[start, anchor, byte, len]`:
/// from token position `start` on, hits lie in the `len` page bytes at
/// `byte` (an article, or the text before the first one; without `byte` and
/// `len` the article is not on the page and the whole page is needed).
/// `anchor` is the chunk's article anchor, `null` for the text before the
/// first article and for headings (which belong to the article before
/// them). `start` and `byte` are gaps from the previous row. `chunks` are the
/// indexed body chunks (start, anchor); `None` for a page without a body.
pub fn table(chunks: &[(u32, Option<String>)], page: &[Article]) -> Option<Vec<u8>> {
    let by_anchor: HashMap<Option<&str>, &Article> =
        page.iter().map(|a| (a.anchor.as_deref(), a)).collect();
    let mut current = Some(*by_anchor.get(&None)?);
    let (mut last_start, mut last_byte) = (0, 0);
    let mut previous: Option<(Option<&str>, Option<u32>)> = None;
    let mut rows = Vec::new();
    for (start, anchor) in chunks {
        if anchor.is_some() {
            current = by_anchor.get(&anchor.as_deref()).copied();
        }
        // A chunk like the one before it (same anchor, same bytes) adds nothing.
        let key = (anchor.as_deref(), current.map(|a| a.start));
        if previous == Some(key) {
            continue;
        }
        previous = Some(key);
        let mut row = vec![json!(start - last_start), json!(anchor)];
        if let Some(article) = current {
            row.push(json!(i64::from(article.start) - i64::from(last_byte)));
            row.push(json!(article.len));
            last_byte = article.start;
        }
        rows.push(Value::Array(row));
        last_start = *start;
    }
    Some(Value::Array(rows).to_string().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::Markdown;

    fn page(body: &str) -> String {
        format!(
            "<html><body><nav><a href=\"#art-1\">第一条</a></nav><main>{body}</main><footer>f</footer></body></html>"
        )
    }

    #[test]
    fn cuts_the_body_markdown_writes_at_its_articles() {
        let md = "前言，通过。\n\n第一条 总则。\n\n第二条 法律责任。\n\n## 第二章\n\n第三条 附则。";
        let outline = crate::outline::Outline::parse(md);
        let body = Markdown::new(false).render(md, &outline, &|_| None);
        let html = page(&body.html);
        let found = articles(html.as_bytes());
        let anchors: Vec<Option<&str>> = found.iter().map(|a| a.anchor.as_deref()).collect();
        assert_eq!(anchors, [None, Some("art-1"), Some("art-2"), Some("art-3")]);
        let text = |n: usize| {
            let a = &found[n];
            &html[a.start as usize..(a.start + a.len) as usize]
        };
        assert!(text(0).contains("前言") && !text(0).contains("总则"));
        assert!(!text(0).contains("nav") && !text(3).contains("footer"));
        assert!(text(2).contains("法律责任") && !text(2).contains("第三条"));
        assert!(
            text(2).contains("第二章"),
            "a heading belongs to the article before it"
        );
        assert!(articles(b"<p id=\"art-1\">no body markers</p>").is_empty());
    }

    #[test]
    fn tables_join_chunks_and_pages_by_anchor() {
        let part = |anchor: Option<&str>, start: u32, len: u32| Article {
            anchor: anchor.map(str::to_owned),
            start,
            len,
        };
        let page = [
            part(None, 80, 20),
            part(Some("art-1"), 100, 50),
            part(Some("art-2"), 150, 70),
        ];
        let chunk = |start: u32, anchor: Option<&str>| (start, anchor.map(str::to_owned));
        let chunks = [
            chunk(3, None),
            chunk(5, None),
            chunk(10, Some("art-1")),
            chunk(30, Some("art-2")),
            chunk(45, None),
            chunk(60, Some("art-9")),
        ];
        let json = String::from_utf8(table(&chunks, &page).unwrap()).unwrap();
        assert_eq!(
            json,
            r#"[[3,null,80,20],[7,"art-1",20,50],[20,"art-2",50,70],[15,null,0,70],[15,"art-9"]]"#,
            "leading chunks share a row; a heading keeps its article's bytes; an article missing from the page needs the whole page"
        );
        assert!(table(&chunks, &[]).is_none());
    }
}
