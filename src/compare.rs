//! Comparison of two texts of one document (the 对照表): aligns them article
//! by article, tells changed, added, deleted and renumbered articles apart,
//! and marks the changed words inside a changed article.
//!
//! Texts with their outlines in (articles are what the outline says), rows
//! out; templates lay the rows out, nothing here renders.

use serde::Serialize;
use similar::{Algorithm, DiffOp, DiffTag, capture_diff_slices};

use crate::content::Body;
use crate::outline::BlockKind;

/// A unit of comparison: an article with its further paragraphs (款), or a
/// heading or paragraph outside any article.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Block {
    number: Option<u32>,
    text: String,
    /// Distinct character pairs of the text, sorted: a cheap fingerprint
    /// for telling whether two blocks are one reworded block.
    bigrams: Vec<u64>,
}

impl Block {
    /// The text without its `第N条` label, so a renumbered article matches.
    fn key(&self) -> &str {
        match self.number {
            Some(_) => self
                .text
                .split_once('条')
                .map_or(&*self.text, |(_, rest)| rest.trim_start()),
            None => &self.text,
        }
    }
}

/// What happened to one block between the two texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Same text, same place.
    Unchanged,
    /// Same text under a new article number.
    Renumbered,
    /// Reworded.
    Changed,
    /// Only in the later text.
    Added,
    /// Only in the earlier text.
    Deleted,
}

/// A run of text, marked when it differs from the other side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    /// The text.
    pub text: String,
    /// True for words deleted (left) or inserted (right).
    pub marked: bool,
}

/// One side of a row: the article number (if an article) and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    /// Article number, for `#art-N` links.
    pub number: Option<u32>,
    /// The text in spans.
    pub spans: Vec<Span>,
}

/// One aligned row of the 对照表.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// What changed.
    pub change: Change,
    /// The earlier text's block (absent when added).
    pub before: Option<Side>,
    /// The later text's block (absent when deleted).
    pub after: Option<Side>,
}

/// A text cut into its blocks, ready to compare: a text compared with
/// several others is cut once.
#[derive(Debug)]
pub struct Blocks(Vec<Block>);

impl Blocks {
    /// The blocks of a Markdown body.
    pub fn of(body: &Body) -> Blocks {
        Blocks(blocks(body))
    }
}

/// Rows of the comparison of `before` with `after` (both Markdown bodies).
pub fn compare(before: &Body, after: &Body) -> Vec<Row> {
    compare_blocks(&Blocks::of(before), &Blocks::of(after))
}

/// [`compare`] of texts already cut into blocks.
pub fn compare_blocks(Blocks(old): &Blocks, Blocks(new): &Blocks) -> Vec<Row> {
    let old_keys: Vec<&str> = old.iter().map(Block::key).collect();
    let new_keys: Vec<&str> = new.iter().map(Block::key).collect();
    let mut rows = Vec::new();
    for op in capture_diff_slices(Algorithm::Patience, &old_keys, &new_keys) {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                for k in 0..len {
                    let (a, b) = (&old[old_index + k], &new[new_index + k]);
                    let change = if a.number == b.number {
                        Change::Unchanged
                    } else {
                        Change::Renumbered
                    };
                    rows.push(Row {
                        change,
                        before: Some(plain(a)),
                        after: Some(plain(b)),
                    });
                }
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => rows.extend(old[old_index..old_index + old_len].iter().map(deleted)),
            DiffOp::Insert {
                new_index, new_len, ..
            } => rows.extend(new[new_index..new_index + new_len].iter().map(added)),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => pair_up(
                &old[old_index..old_index + old_len],
                &new[new_index..new_index + new_len],
                &mut rows,
            ),
        }
    }
    rows
}

/// Rows for a run of old blocks replaced by a run of new ones: each old
/// block is paired with the first later new block that still resembles it
/// (half its characters kept), the new blocks skipped on the way were added;
/// an old block with no such partner was deleted.
fn pair_up(old: &[Block], new: &[Block], rows: &mut Vec<Row>) {
    let mut j = 0;
    for a in old {
        let window = j..new.len().min(j + LOOKAHEAD);
        match window.into_iter().find(|&k| similar_enough(a, &new[k])) {
            Some(k) => {
                rows.extend(new[j..k].iter().map(added));
                rows.push(changed(a, &new[k]));
                j = k + 1;
            }
            None => rows.push(deleted(a)),
        }
    }
    rows.extend(new[j..].iter().map(added));
}

/// How many new blocks ahead a partner of an old block is looked for: a
/// whole revision replaces hundreds of articles, and each try is a diff.
const LOOKAHEAD: usize = 12;

/// True when `a` and `b` share at least half their character pairs (Dice
/// coefficient): one article reworded rather than two different articles.
fn similar_enough(a: &Block, b: &Block) -> bool {
    let (x, y) = (&a.bigrams, &b.bigrams);
    if x.is_empty() || y.is_empty() {
        return a.text == b.text;
    }
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common * 4 >= x.len() + y.len()
}

fn bigrams(text: &str) -> Vec<u64> {
    let chars: Vec<u64> = text.chars().map(u64::from).collect();
    let mut pairs: Vec<u64> = chars.windows(2).map(|w| (w[0] << 32) | w[1]).collect();
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Blocks longer than this (bytes of both sides) are compared line by line:
/// a character diff costs up to the product of their lengths. A bound on
/// size, not on time, so that the same texts always give the same page.
const CHAR_DIFF_BYTES: usize = 12_000;

fn changed(a: &Block, b: &Block) -> Row {
    let (left, right) = if a.text.len() + b.text.len() <= CHAR_DIFF_BYTES {
        let chars = |t: &str| t.chars().collect::<Vec<char>>();
        word_spans(&a.text, &b.text, &chars(&a.text), &chars(&b.text))
    } else {
        let lines = |t| str::split_inclusive(t, '\n').collect::<Vec<&str>>();
        word_spans(&a.text, &b.text, &lines(&a.text), &lines(&b.text))
    };
    Row {
        change: Change::Changed,
        before: Some(Side {
            number: a.number,
            spans: left,
        }),
        after: Some(Side {
            number: b.number,
            spans: right,
        }),
    }
}

/// The spans of `a` and `b`, cut into `old` and `new` units (characters or
/// lines, which make up the texts in order), the units only one side has
/// marked. Units compare as chars or slices, not as allocated strings.
fn word_spans<T: AsUnit>(a: &str, b: &str, old: &[T], new: &[T]) -> (Vec<Span>, Vec<Span>) {
    let (from, to) = (offsets(old), offsets(new));
    let (mut left, mut right) = (Vec::new(), Vec::new());
    for op in capture_diff_slices(Algorithm::Myers, old, new) {
        let (_, o, n) = op.as_tag_tuple();
        let (o, n) = (&a[from[o.start]..from[o.end]], &b[to[n.start]..to[n.end]]);
        match op.tag() {
            DiffTag::Equal => {
                push_span(&mut left, o, false);
                push_span(&mut right, n, false);
            }
            _ => {
                push_span(&mut left, o, true);
                push_span(&mut right, n, true);
            }
        }
    }
    (left, right)
}

/// A unit of a text: its length in bytes.
trait AsUnit: Ord + std::hash::Hash {
    fn len_utf8(&self) -> usize;
}

impl AsUnit for char {
    fn len_utf8(&self) -> usize {
        char::len_utf8(*self)
    }
}

impl AsUnit for &str {
    fn len_utf8(&self) -> usize {
        self.len()
    }
}

/// Where each unit starts, and the end.
fn offsets<T: AsUnit>(units: &[T]) -> Vec<usize> {
    let mut at = 0;
    let mut out = Vec::with_capacity(units.len() + 1);
    out.push(0);
    out.extend(units.iter().map(|u| {
        at += u.len_utf8();
        at
    }));
    out
}

/// Append `text` to the last span if it has the same mark, else start one.
fn push_span(spans: &mut Vec<Span>, text: &str, marked: bool) {
    if text.is_empty() {
        return;
    }
    match spans.last_mut() {
        Some(last) if last.marked == marked => last.text.push_str(text),
        _ => spans.push(Span {
            text: text.to_owned(),
            marked,
        }),
    }
}

fn plain(b: &Block) -> Side {
    Side {
        number: b.number,
        spans: vec![Span {
            text: b.text.clone(),
            marked: false,
        }],
    }
}

fn marked(b: &Block) -> Side {
    Side {
        number: b.number,
        spans: vec![Span {
            text: b.text.clone(),
            marked: true,
        }],
    }
}

fn deleted(b: &Block) -> Row {
    Row {
        change: Change::Deleted,
        before: Some(marked(b)),
        after: None,
    }
}

fn added(b: &Block) -> Row {
    Row {
        change: Change::Added,
        before: None,
        after: Some(marked(b)),
    }
}

/// A body's sections (an article with the paragraphs after it, a
/// heading, another paragraph: [`Outline::sections`]) as plain wording.
fn blocks(body: &Body) -> Vec<Block> {
    let lines: Vec<&str> = body.markdown.lines().collect();
    let sections = body.outline.sections();
    let blocks = sections.iter().map(|section| {
        let texts = section.blocks.iter().map(|b| clean(b.source(&lines)));
        let text = texts
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        let text = match section.kind() {
            BlockKind::Heading => text.trim_start_matches('#').trim().to_owned(),
            _ => text,
        };
        Block {
            number: section.article.map(|a| a.anchor.number),
            bigrams: bigrams(&text),
            text,
        }
    });
    blocks.filter(|b| !b.text.is_empty()).collect()
}

/// A block's text with Markdown line breaks, quote marks, zero-width
/// padding and link syntax removed (the 对照表 compares wording, not link
/// targets).
fn clean(lines: &[&str]) -> String {
    lines
        .iter()
        .map(|l| l.trim().trim_start_matches(['>', ' ']))
        .map(|l| l.trim_matches(['\u{200b}', '\u{3000}']))
        .filter(|l| !l.is_empty())
        .map(link_text)
        .collect::<Vec<_>>()
        .join("\n")
}

/// `line` with each Markdown link `[text](target)` written as its text.
fn link_text(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find("](") else { break };
        let Some(end) = after[close + 2..].find(')') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&after[..close]);
        rest = &after[close + 2 + end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compare(before: &str, after: &str) -> Vec<Row> {
        super::compare(&body(before), &body(after))
    }

    fn body(text: &str) -> Body {
        Body::new(text.to_owned(), 1)
    }

    fn changes(rows: &[Row]) -> Vec<(Change, Option<u32>, Option<u32>)> {
        rows.iter()
            .map(|r| {
                (
                    r.change,
                    r.before.as_ref().and_then(|s| s.number),
                    r.after.as_ref().and_then(|s| s.number),
                )
            })
            .collect()
    }

    #[test]
    fn articles_align_as_changed_added_deleted_and_renumbered() {
        let before = "## 第一章 总则\n\n第一条 为了规范管理，制定本办法。\n\n第二条 本办法适用于本市。\n\n第三条 机关应当厉行节约。\n\n第四条 本办法自公布之日起施行。";
        let after = "## 第一章 总则\n\n第一条 为了规范公务管理，制定本办法。\n\n第二条 新增的条文，规定监督检查。\n\n第三条 本办法适用于本市。\n\n第五条 本办法自公布之日起施行。";
        let rows = compare(before, after);
        assert_eq!(
            changes(&rows),
            vec![
                (Change::Unchanged, None, None),
                (Change::Changed, Some(1), Some(1)),
                (Change::Added, None, Some(2)),
                (Change::Renumbered, Some(2), Some(3)),
                (Change::Deleted, Some(3), None),
                (Change::Renumbered, Some(4), Some(5)),
            ]
        );
        let after_side = rows[1].after.as_ref().unwrap();
        let inserted: Vec<&str> = after_side
            .spans
            .iter()
            .filter(|s| s.marked)
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(inserted, vec!["公务"]);
    }

    #[test]
    fn further_paragraphs_belong_to_their_article() {
        let text = "前言段落。\n\n第一条 第一款。\n\n第二款。\n\n## 第二章\n\n尾注。";
        let b = blocks(&body(text));
        assert_eq!(b.len(), 4, "{b:?}");
        assert_eq!(b[1].text, "第一条 第一款。\n第二款。");
        assert_eq!(b[3].number, None);
        assert_eq!(b[3].text, "尾注。");
    }

    #[test]
    fn links_compare_as_their_text() {
        assert_eq!(
            link_text("见[《甲办法》](../a.md#art-2)和[乙](doc:b)。[注]"),
            "见《甲办法》和乙。[注]"
        );
        let rows = compare("第一条 见《甲》。", "第一条 见[《甲》](a.md)。");
        assert!(rows.iter().all(|r| r.change == Change::Unchanged));
    }

    #[test]
    fn a_very_long_article_is_compared_by_paragraph() {
        let paragraph = "本款规定的事项，由有关部门依照职责办理。".repeat(80);
        let before = format!("第一条 {paragraph}\n\n{paragraph}");
        let after = format!("第一条 {paragraph}\n\n{paragraph}又及。");
        assert!(before.len() + after.len() > CHAR_DIFF_BYTES);
        let rows = compare(&before, &after);
        let spans = &rows[0].after.as_ref().unwrap().spans;
        let marked: Vec<&str> = spans
            .iter()
            .filter(|s| s.marked)
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(
            marked,
            [format!("{paragraph}又及。")],
            "the changed paragraph, whole"
        );
        assert_eq!(
            compare(&before, &after),
            rows,
            "the same texts give the same rows"
        );
    }

    #[test]
    fn identical_texts_have_only_unchanged_rows() {
        let text = "第一条 甲。\n\n第二条 乙。";
        assert!(
            compare(text, text)
                .iter()
                .all(|r| r.change == Change::Unchanged)
        );
    }
}
