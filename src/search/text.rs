//! Plain text of a document body for the search index, cut into chunks
//! along the body's [`Outline`]: one per article (the `第…条` paragraph and
//! the blocks after it), one per heading, one per run of other blocks. A
//! hit inside an article links to the outline's anchor, the one the page has.
//!
//! Strips Markdown markup from the outline's blocks only; decides nothing
//! about structure; no tokenising, no I/O.

use crate::outline::{Block, BlockKind, Outline};

/// A piece of a document's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Anchor of the article it belongs to (`art-10`, `art-3-2`), if any.
    pub anchor: Option<String>,
    /// Plain text; paragraphs separated by `\n`.
    pub text: String,
}

/// Split a Markdown body into chunks of plain text, along its outline's
/// sections; a run of sections that are neither articles nor headings is
/// one chunk.
pub fn chunks(markdown: &str, outline: &Outline) -> Vec<Chunk> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out: Vec<Chunk> = Vec::new();
    let mut open = false;
    for section in outline.sections() {
        let text = section_text(&lines, section.blocks);
        if text.trim().is_empty() {
            continue;
        }
        let kind = section.kind();
        match out.last_mut() {
            Some(last) if open && kind == BlockKind::Text => {
                last.text.push('\n');
                last.text.push_str(&text);
            }
            _ => {
                let anchor = section.article.map(|a| a.anchor.to_string());
                out.push(Chunk { anchor, text });
                open = kind != BlockKind::Heading;
            }
        }
    }
    out
}

/// The plain text of a section's blocks, one line per source line.
fn section_text(lines: &[&str], blocks: &[Block]) -> String {
    let texts = blocks.iter().map(|b| plain(b.source(lines)));
    texts
        .filter(|t| !t.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The lines of a block without Markdown markup: heading and quote marks,
/// list bullets, code fences, emphasis, code ticks, HTML comments and link
/// targets.
fn plain(lines: &[&str]) -> String {
    let mut out = String::new();
    let text = lines.iter().map(|l| l.trim()).filter(|l| !is_fence(l));
    for (i, line) in text.enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = line.trim_start_matches(['#', '>', ' ']);
        let line = strip_bullet(line);
        inline(line, &mut out);
    }
    out
}

fn is_fence(line: &str) -> bool {
    line.starts_with("```") || line.starts_with("~~~")
}

fn strip_bullet(line: &str) -> &str {
    for bullet in ["- ", "* ", "+ "] {
        if let Some(rest) = line.strip_prefix(bullet) {
            return rest;
        }
    }
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits > 0
        && let Some(rest) = line[digits..]
            .strip_prefix(". ")
            .or_else(|| line[digits..].strip_prefix(") "))
    {
        return rest;
    }
    line
}

/// Copy `line` into `out` without emphasis, ticks, comments and `](url)` parts.
fn inline(line: &str, out: &mut String) {
    let mut rest = line;
    // Bytes, not chars: every mark is ASCII, and no byte of a multi-byte
    // character is.
    let mark = |b: u8| matches!(b, b'*' | b'`' | b'<' | b'[' | b']' | b'!' | b'_');
    while let Some(i) = rest.bytes().position(mark) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        rest = if let Some(after) = tail.strip_prefix("<!--") {
            after.find("-->").map_or("", |e| &after[e + 3..])
        } else if let Some(after) = tail.strip_prefix("](") {
            after.find(')').map_or(after, |e| &after[e + 1..])
        } else if tail.starts_with("**") || tail.starts_with("__") {
            &tail[2..]
        } else if tail.starts_with(['*', '`', '[', ']']) || tail.starts_with("![") {
            &tail[1..]
        } else {
            let c = tail.chars().next().map_or(1, char::len_utf8);
            out.push_str(&tail[..c]);
            &tail[c..]
        };
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outlined(md: &str) -> Vec<Chunk> {
        chunks(md, &Outline::parse(md))
    }

    #[test]
    fn articles_own_their_following_paragraphs() {
        let md = "前言段落。\n\n## 第一章 总则\n\n第一条 为了规范。\n\n本条所称……\n\n第二条 本法适用于。\n";
        let c = outlined(md);
        let anchors: Vec<_> = c.iter().map(|c| c.anchor.as_deref()).collect();
        assert_eq!(anchors, [None, None, Some("art-1"), Some("art-2")]);
        assert_eq!(c[1].text, "第一章 总则");
        assert_eq!(c[2].text, "第一条 为了规范。\n本条所称……");
    }

    #[test]
    fn repeated_article_numbers_get_suffixes_like_the_page() {
        let c = outlined("第一条 甲。\n\n附件\n\n第一条 乙。");
        assert_eq!(c[0].anchor.as_deref(), Some("art-1"));
        assert_eq!(c[1].anchor.as_deref(), Some("art-1-2"));
    }

    #[test]
    fn markup_is_stripped() {
        let c = outlined(
            "**第三条** 见[《条例》第五条](../a.md#art-5)和`代码`。<!-- x -->\n\n- 列表 *项*",
        );
        assert_eq!(c[0].anchor.as_deref(), Some("art-3"));
        assert_eq!(c[0].text, "第三条 见《条例》第五条和代码。\n列表 项");
    }
}
