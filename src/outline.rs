//! The structure of a document body, found once on comrak's syntax tree:
//! which paragraphs open articles and the anchor each gets, the headings
//! (with the ids their HTML gets), the links the author wrote, and the
//! blocks of text search indexes. It is the one owner of "what is an
//! article": `content` and `catalogue` check links against it, `markdown`
//! puts anchors where it says, and `search` links hits to its anchors.
//!
//! An article is a paragraph that opens with `第N条` (see
//! [`articles::article_number`]) at the top level of the body or in a block
//! quote; a list item or table cell that happens to start so is not one.
//!
//! Parses only: renders nothing and knows nothing of the catalogue.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use comrak::nodes::{AstNode, NodeValue};
use comrak::{Anchorizer, Arena, Options};

use crate::articles;

/// The anchor of an article: `art-N`, or `art-N-k` for the k-th article
/// numbered N (annexes restart their numbering).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Anchor {
    /// The article's number.
    pub number: u32,
    /// 1 for the first article with this number, 2 for the next, ….
    pub occurrence: u32,
}

impl Anchor {
    /// The anchor of the first article numbered `number`.
    pub fn first(number: u32) -> Anchor {
        Anchor {
            number,
            occurrence: 1,
        }
    }

    /// Read an anchor back from a fragment (`art-3`, `art-3-2`).
    pub fn parse(fragment: &str) -> Option<Anchor> {
        let rest = fragment.strip_prefix("art-")?;
        let (number, occurrence) = match rest.split_once('-') {
            Some((n, k)) => (n.parse().ok()?, k.parse().ok().filter(|&k| k > 1)?),
            None => (rest.parse().ok()?, 1),
        };
        Some(Anchor { number, occurrence })
    }
}

impl fmt::Display for Anchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.occurrence {
            1 => write!(f, "art-{}", self.number),
            k => write!(f, "art-{}-{k}", self.number),
        }
    }
}

/// A paragraph that opens an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// Its anchor (which carries its number).
    pub anchor: Anchor,
    /// The body line (1-based) on which the paragraph starts.
    pub line: u32,
}

/// A heading of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1 for `#`, 2 for `##`, ….
    pub level: u8,
    /// The id its HTML element gets.
    pub id: String,
    /// Its text without markup.
    pub text: String,
}

/// A link the author wrote (`[…](url)`), outside code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The destination as written.
    pub url: String,
    /// The body line (1-based) it is on.
    pub line: usize,
}

/// What a block of text is, for search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// A heading.
    Heading,
    /// The paragraph opening article `articles[i]`.
    Article(u32),
    /// Any other paragraph, code block or table.
    Text,
}

/// A leaf block of text: a heading, paragraph, code block or table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// What it is.
    pub kind: BlockKind,
    /// Its body lines (1-based, end exclusive). (`u32`s: a large site
    /// holds some hundred thousand blocks.)
    pub lines: Range<u32>,
}

/// Blocks read together: an article with the blocks that follow it up to
/// the next article or heading, a heading, or one other block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section<'o> {
    /// The article it is, if any.
    pub article: Option<&'o Article>,
    /// Its blocks, the opening one first.
    pub blocks: &'o [Block],
}

impl Section<'_> {
    /// What its opening block is.
    pub fn kind(&self) -> BlockKind {
        self.blocks[0].kind
    }
}

impl Block {
    /// Its source lines, from the body's lines (clamped to them).
    pub fn source<'t>(&self, lines: &'t [&'t str]) -> &'t [&'t str] {
        let end = (self.lines.end as usize).min(lines.len() + 1);
        &lines[(self.lines.start as usize).min(end) - 1..end - 1]
    }
}

/// The structure of one body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    /// Article paragraphs in reading order.
    pub articles: Vec<Article>,
    /// Headings in reading order.
    pub headings: Vec<Heading>,
    /// Written links in reading order.
    pub links: Vec<Link>,
    /// Leaf blocks in reading order.
    pub blocks: Vec<Block>,
}

/// What a link in Markdown points at, before resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// `doc:ID`
    Id(String),
    /// A source file, `/`-separated and relative to `content/` (from `../x.md` or `@/x.md`).
    Source(String),
}

/// Split an internal link into target and fragment; `None` for external links.
pub fn internal_target(url: &str, source_dir: &str) -> Option<(LinkTarget, Option<String>)> {
    let (path, fragment) = match url.split_once('#') {
        Some((p, f)) => (p, Some(f.to_owned())),
        None => (url, None),
    };
    let path = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    if let Some(id) = path.strip_prefix("doc:") {
        return Some((LinkTarget::Id(id.to_owned()), fragment));
    }
    if let Some(site_rooted) = path.strip_prefix("@/") {
        return Some((LinkTarget::Source(site_rooted.to_owned()), fragment));
    }
    let has_scheme = path.split_once(':').is_some_and(|(s, _)| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    if has_scheme || path.starts_with('/') || !path.ends_with(".md") {
        return None;
    }
    Some((
        LinkTarget::Source(join_relative(source_dir, &path)),
        fragment,
    ))
}

/// `dir/rel` with `.` and `..` applied; `..` above the top stays at the top.
fn join_relative(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The parse options every reading of a body uses (extensions change the
/// tree, so the renderer starts from these too).
pub fn parse_options() -> Options<'static> {
    let mut options = Options::default();
    let ext = &mut options.extension;
    ext.table = true;
    ext.strikethrough = true;
    ext.autolink = true;
    ext.footnotes = true;
    ext.tasklist = true;
    ext.header_id_prefix = Some(String::new());
    options
}

impl Outline {
    /// The outline of `markdown`.
    pub fn parse(markdown: &str) -> Outline {
        let arena = Arena::new();
        let root = comrak::parse_document(&arena, markdown, &parse_options());
        Outline::of_tree(root)
    }

    /// The outline of a parsed body.
    pub fn of_tree<'a>(root: &'a AstNode<'a>) -> Outline {
        let mut out = Outline::default();
        let mut seen: HashMap<u32, u32> = HashMap::new();
        let mut ids = Anchorizer::new();
        for node in root.descendants() {
            let data = node.data();
            let pos = data.sourcepos;
            let lines = pos.start.line as u32..pos.end.line as u32 + 1;
            let kind = match &data.value {
                NodeValue::Heading(h) => {
                    let text = node.collect_text();
                    let id = ids.anchorize(&text);
                    out.headings.push(Heading {
                        level: h.level,
                        id,
                        text,
                    });
                    BlockKind::Heading
                }
                NodeValue::Paragraph => match article_number(node) {
                    Some(number) => {
                        let occurrence = seen.entry(number).or_insert(0);
                        *occurrence += 1;
                        let anchor = Anchor {
                            number,
                            occurrence: *occurrence,
                        };
                        out.articles.push(Article {
                            anchor,
                            line: pos.start.line as u32,
                        });
                        BlockKind::Article(out.articles.len() as u32 - 1)
                    }
                    None => BlockKind::Text,
                },
                NodeValue::CodeBlock(_) | NodeValue::Table(_) | NodeValue::HtmlBlock(_) => {
                    BlockKind::Text
                }
                NodeValue::Link(link) => {
                    out.links.push(Link {
                        url: link.url.clone(),
                        line: pos.start.line,
                    });
                    continue;
                }
                _ => continue,
            };
            out.blocks.push(Block { kind, lines });
        }
        // Kept for the whole build: no spare capacity.
        out.articles.shrink_to_fit();
        out.headings.shrink_to_fit();
        out.links.shrink_to_fit();
        out.blocks.shrink_to_fit();
        out
    }

    /// The article that opens on body line `line`, if any.
    pub fn article_at(&self, line: usize) -> Option<&Article> {
        self.articles
            .binary_search_by_key(&line, |a| a.line as usize)
            .ok()
            .map(|i| &self.articles[i])
    }

    /// Does the body have this anchor?
    pub fn has_anchor(&self, anchor: Anchor) -> bool {
        self.articles.iter().any(|a| a.anchor == anchor)
    }

    /// Does the body have an article numbered `n`?
    pub fn has_article(&self, n: u32) -> bool {
        self.has_anchor(Anchor::first(n))
    }

    /// The blocks in sections, in reading order.
    pub fn sections(&self) -> Vec<Section<'_>> {
        let mut out: Vec<Section<'_>> = Vec::new();
        let mut start = 0;
        for (i, block) in self.blocks.iter().enumerate().skip(1) {
            let joins = block.kind == BlockKind::Text
                && matches!(self.blocks[start].kind, BlockKind::Article(_));
            if !joins {
                out.push(self.section(start..i));
                start = i;
            }
        }
        if start < self.blocks.len() {
            out.push(self.section(start..self.blocks.len()));
        }
        out
    }

    fn section(&self, blocks: Range<usize>) -> Section<'_> {
        let blocks = &self.blocks[blocks];
        let article = match blocks[0].kind {
            BlockKind::Article(i) => Some(&self.articles[i as usize]),
            _ => None,
        };
        Section { article, blocks }
    }

    /// Article anchors in reading order.
    pub fn anchors(&self) -> impl Iterator<Item = Anchor> + '_ {
        self.articles.iter().map(|a| a.anchor)
    }
}

/// The number of the article `paragraph` opens, if it is an article: its
/// text opens with `第N条` and it sits at the top level or in block quotes.
fn article_number<'a>(paragraph: &'a AstNode<'a>) -> Option<u32> {
    let placed = paragraph
        .ancestors()
        .skip(1)
        .all(|a| matches!(a.data().value, NodeValue::Document | NodeValue::BlockQuote));
    if !placed {
        return None;
    }
    articles::article_number(&opening_text(paragraph))
}

/// The text a paragraph opens with, up to its first line break (enough to
/// read `第N条` and what follows it); a first line that is blank but for
/// zero-width spaces does not count.
fn opening_text<'a>(paragraph: &'a AstNode<'a>) -> String {
    let mut out = String::new();
    for node in paragraph.descendants().skip(1) {
        match &node.data().value {
            NodeValue::Text(t) => out.push_str(t),
            NodeValue::Code(c) => out.push_str(&c.literal),
            NodeValue::SoftBreak | NodeValue::LineBreak if is_blank(&out) => out.clear(),
            NodeValue::SoftBreak | NodeValue::LineBreak => break,
            _ => {}
        }
        if out.len() > 64 {
            break;
        }
    }
    out
}

/// Nothing but white space and zero-width spaces.
pub fn is_blank(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_whitespace() || c == articles::ZERO_WIDTH)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchors(md: &str) -> Vec<String> {
        let o = Outline::parse(md);
        o.articles.iter().map(|a| a.anchor.to_string()).collect()
    }

    #[test]
    fn only_paragraphs_that_open_with_an_article_number_are_articles() {
        assert_eq!(
            anchors("第一条 甲。\n\n第二条 乙。\n\n依照第三条 办理。"),
            ["art-1", "art-2"]
        );
    }

    #[test]
    fn an_article_on_the_next_line_of_a_paragraph_is_not_a_second_article() {
        assert_eq!(anchors("第一条 甲。\n第二条 乙。"), ["art-1"]);
    }

    #[test]
    fn a_line_of_zero_width_space_before_an_article_is_skipped() {
        assert_eq!(
            anchors("\u{200b}\n第一条 甲。\n\n第二条 乙。"),
            ["art-1", "art-2"]
        );
        assert_eq!(anchors("\u{200b}第三条 甲。"), ["art-3"]);
    }

    #[test]
    fn quoted_articles_count_list_items_do_not() {
        assert_eq!(anchors("> 第一条 甲。"), ["art-1"]);
        assert_eq!(anchors("- 第一条 甲。\n\n第一条 乙。"), ["art-1"]);
        assert_eq!(
            anchors("1. 第一条 甲。\n\n   第二条 乙。"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn repeated_numbers_get_suffixes_that_read_back() {
        let o = Outline::parse("第一条 甲。\n\n附件\n\n**第一条** 乙。");
        let a: Vec<_> = o.articles.iter().map(|a| a.anchor).collect();
        assert_eq!(a[1].to_string(), "art-1-2");
        assert_eq!(o.articles[1].line, 5);
        for anchor in a {
            assert_eq!(Anchor::parse(&anchor.to_string()), Some(anchor));
        }
        assert_eq!(Anchor::parse("art-1-1"), None, "the first has no suffix");
        assert_eq!(Anchor::parse("art-x"), None);
    }

    #[test]
    fn headings_links_and_blocks_are_read_from_the_tree() {
        let md = "## 第一章 总则\n\n第一条 见[条例](../a.md#art-2)。\n\n```\n[x](b.md)\n```\n\n| 第一条 | x |\n|---|---|\n| a | b |\n";
        let o = Outline::parse(md);
        assert_eq!(o.headings[0].id, "第一章-总则");
        assert_eq!(o.headings[0].text, "第一章 总则");
        assert_eq!(
            o.links,
            [Link {
                url: "../a.md#art-2".into(),
                line: 3
            }],
            "links in code are not links"
        );
        let kinds: Vec<_> = o.blocks.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [
                BlockKind::Heading,
                BlockKind::Article(0),
                BlockKind::Text,
                BlockKind::Text
            ]
        );
        assert_eq!(o.blocks[2].lines, 5..8);
        let sections: Vec<(BlockKind, usize)> = o
            .sections()
            .iter()
            .map(|s| (s.kind(), s.blocks.len()))
            .collect();
        assert_eq!(
            sections,
            [(BlockKind::Heading, 1), (BlockKind::Article(0), 3)],
            "code and table belong to the article before them"
        );
        assert_eq!(o.article_at(3).map(|a| a.anchor.number), Some(1));
        assert!(o.article_at(1).is_none());
    }
}
