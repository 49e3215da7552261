//! Plain text of a document body for the search index, cut into chunks: one
//! per article (the `第…条` paragraph and the paragraphs after it), one per
//! heading, one per run of other paragraphs. A hit inside an article links to
//! its `#art-N` anchor, numbered exactly as `markdown` numbers them.
//!
//! Strips Markdown markup only; no tokenising, no I/O.

use std::collections::HashMap;

use crate::articles;

/// A piece of a document's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Anchor of the article it belongs to (`art-10`, `art-3-2`), if any.
    pub anchor: Option<String>,
    /// Plain text; paragraphs separated by `\n`.
    pub text: String,
}

/// Split a Markdown body into chunks of plain text.
pub fn chunks(markdown: &str) -> Vec<Chunk> {
    let mut out: Vec<Chunk> = Vec::new();
    let mut seen: HashMap<u32, u32> = HashMap::new();
    let mut open = false;
    for block in blocks(markdown) {
        let heading = block.starts_with('#');
        let text = plain(&block);
        if text.trim().is_empty() {
            continue;
        }
        let article = (!heading)
            .then(|| articles::article_number(&text))
            .flatten();
        if let Some(n) = article {
            let count = seen.entry(n).or_insert(0);
            *count += 1;
            let anchor = match *count {
                1 => articles::anchor(n),
                c => format!("{}-{c}", articles::anchor(n)),
            };
            out.push(Chunk {
                anchor: Some(anchor),
                text,
            });
            open = true;
        } else if heading || !open {
            out.push(Chunk { anchor: None, text });
            open = !heading;
        } else if let Some(last) = out.last_mut() {
            last.text.push('\n');
            last.text.push_str(&text);
        }
    }
    out
}

/// Paragraph-like blocks: runs of non-blank lines; a heading line is a block of its own.
fn blocks(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in markdown.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            flush(&mut current, &mut out);
        }
        if line.starts_with('#') {
            out.push(line.to_owned());
        } else if !line.is_empty() {
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(line);
        }
    }
    flush(&mut current, &mut out);
    out
}

fn flush(current: &mut String, out: &mut Vec<String>) {
    if !current.is_empty() {
        out.push(std::mem::take(current));
    }
}

/// A block without Markdown markup: heading and quote marks, list bullets,
/// emphasis, code ticks, HTML comments and link targets.
fn plain(block: &str) -> String {
    let mut out = String::with_capacity(block.len());
    for (i, line) in block.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = line.trim_start_matches(['#', '>', ' ']);
        let line = strip_bullet(line);
        inline(line, &mut out);
    }
    out
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
    while let Some(i) = rest.find(['*', '`', '<', '[', ']', '!', '_']) {
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

    #[test]
    fn articles_own_their_following_paragraphs() {
        let md = "前言段落。\n\n## 第一章 总则\n\n第一条 为了规范。\n\n本条所称……\n\n第二条 本法适用于。\n";
        let c = chunks(md);
        let anchors: Vec<_> = c.iter().map(|c| c.anchor.as_deref()).collect();
        assert_eq!(anchors, [None, None, Some("art-1"), Some("art-2")]);
        assert_eq!(c[1].text, "第一章 总则");
        assert_eq!(c[2].text, "第一条 为了规范。\n本条所称……");
    }

    #[test]
    fn repeated_article_numbers_get_suffixes_like_the_page() {
        let c = chunks("第一条 甲。\n\n附件\n\n第一条 乙。");
        assert_eq!(c[0].anchor.as_deref(), Some("art-1"));
        assert_eq!(c[1].anchor.as_deref(), Some("art-1-2"));
    }

    #[test]
    fn markup_is_stripped() {
        let c = chunks(
            "**第三条** 见[《条例》第五条](../a.md#art-5)和`代码`。<!-- x -->\n\n- 列表 *项*",
        );
        assert_eq!(c[0].anchor.as_deref(), Some("art-3"));
        assert_eq!(c[0].text, "第三条 见《条例》第五条和代码。\n列表 项");
    }
}
