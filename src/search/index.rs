//! The in-memory inverted index: for every token key, the documents holding
//! it with term frequency and (for positional keys) every position, encoded
//! as the varint stream the shard files carry. Documents are indexed in
//! parallel, in batches, and merged in document order.
//!
//! Also answers exact phrase lookups in Rust, the same way `search.js` does,
//! so tests and benchmarks can check the index without a browser.

use std::collections::HashMap;

use rayon::prelude::*;

use super::text::Chunk;
use super::tokenize::{Key, Token, Tokenizer, tokens};

/// What one document contributes to the index, besides its postings.
#[derive(Debug, Clone)]
pub struct DocText {
    /// First position after the title and 文号 (positions below are title hits).
    pub head_end: u32,
    /// Number of body positions (for BM25 length normalisation).
    pub body_len: u32,
    /// Body chunks with the position each starts at.
    pub chunks: Vec<(u32, Chunk)>,
}

/// The text of one document to index.
pub struct Source<'a> {
    /// Title.
    pub title: &'a str,
    /// 文号, if any.
    pub number: Option<&'a str>,
    /// Body chunks.
    pub chunks: Vec<Chunk>,
}

/// Documents holding one key, as an encoded varint stream.
#[derive(Debug, Default, Clone)]
pub struct Posting {
    /// How many documents hold the key.
    pub docs: u32,
    /// Per document: gap to the previous document, frequency, position deltas.
    pub bytes: Vec<u8>,
    next_doc: u32,
}

/// The inverted index of a whole catalogue.
#[derive(Debug, Default)]
pub struct Index {
    /// Per document, aligned with the catalogue.
    pub docs: Vec<DocText>,
    /// Postings by key.
    pub postings: HashMap<Key, Posting>,
}

/// Documents tokenised in one parallel step; bounds peak memory.
const BATCH: usize = 64;

impl Index {
    /// Index `sources`, one per catalogue document, in order.
    pub fn build(sources: Vec<Source<'_>>) -> Index {
        let mut index = Index::default();
        let mut sources = sources.into_iter().peekable();
        while sources.peek().is_some() {
            let batch: Vec<Source<'_>> = sources.by_ref().take(BATCH).collect();
            let done: Vec<_> = batch.into_par_iter().map(index_document).collect();
            for (doc, grouped) in done {
                let n = index.docs.len() as u32;
                for (key, positions) in grouped {
                    let keep = key.positional();
                    index
                        .postings
                        .entry(key)
                        .or_default()
                        .push(n, &positions, keep);
                }
                index.docs.push(doc);
            }
        }
        index
    }

    /// Documents (with match positions) containing `phrase` as an exact
    /// token sequence; `None` if the phrase has no searchable token.
    pub fn phrase(&self, phrase: &str) -> Option<Vec<(u32, Vec<u32>)>> {
        let all = tokens(phrase);
        let positional: Vec<&Token> = all.iter().filter(|t| t.key.positional()).collect();
        if positional.is_empty() {
            let first = all.first()?;
            return Some(
                self.decode(&first.key)
                    .into_iter()
                    .map(|(d, _)| (d, Vec::new()))
                    .collect(),
            );
        }
        let lists: Vec<(u32, HashMap<u32, Vec<u32>>)> = positional
            .iter()
            .map(|t| (t.pos, self.decode(&t.key).into_iter().collect()))
            .collect();
        let (anchor_offset, anchor) = &lists[0];
        let mut out = Vec::new();
        for (doc, positions) in anchor {
            let starts: Vec<u32> = positions
                .iter()
                .filter_map(|p| p.checked_sub(*anchor_offset))
                .filter(|start| {
                    lists[1..].iter().all(|(offset, list)| {
                        list.get(doc)
                            .is_some_and(|ps| ps.binary_search(&(start + offset)).is_ok())
                    })
                })
                .collect();
            if !starts.is_empty() {
                out.push((*doc, starts));
            }
        }
        out.sort();
        Some(out)
    }

    /// Decode the posting of `key`: (document, positions) pairs.
    fn decode(&self, key: &Key) -> Vec<(u32, Vec<u32>)> {
        let Some(posting) = self.postings.get(key) else {
            return Vec::new();
        };
        let mut bytes = posting.bytes.as_slice();
        let mut out = Vec::with_capacity(posting.docs as usize);
        let mut doc = 0;
        for _ in 0..posting.docs {
            doc += read_varint(&mut bytes);
            let tf = read_varint(&mut bytes);
            let mut positions = Vec::new();
            if key.positional() {
                let mut p = 0;
                for _ in 0..tf {
                    p += read_varint(&mut bytes);
                    positions.push(p);
                }
            }
            out.push((doc, positions));
            doc += 1;
        }
        out
    }
}

impl Posting {
    /// Add `doc` with `positions` (kept only if `keep`; otherwise just counted).
    fn push(&mut self, doc: u32, positions: &[u32], keep: bool) {
        write_varint(&mut self.bytes, doc - self.next_doc);
        write_varint(&mut self.bytes, positions.len() as u32);
        self.docs += 1;
        self.next_doc = doc + 1;
        let mut last = 0;
        for &p in positions.iter().filter(|_| keep) {
            write_varint(&mut self.bytes, p - last);
            last = p;
        }
    }
}

/// Tokenise one document: its layout and its keys with positions
/// (empty for unigrams, which keep only the frequency).
fn index_document(source: Source<'_>) -> (DocText, Vec<(Key, Vec<u32>)>) {
    let mut tk = Tokenizer::new();
    let mut all: Vec<Token> = Vec::new();
    let mut emit = |t: Token| all.push(t);
    tk.feed(source.title, &mut emit);
    tk.gap();
    if let Some(number) = source.number {
        tk.feed(number, &mut emit);
        tk.gap();
    }
    let head_end = tk.position();
    let mut chunks = Vec::with_capacity(source.chunks.len());
    for chunk in source.chunks {
        let start = tk.position();
        let article = chunk.anchor.as_deref().and_then(|a| a.strip_prefix("art-"));
        if let Some(n) = article.and_then(|n| n.parse().ok()) {
            emit(Token {
                key: Key::Article(n),
                pos: start,
            });
        }
        tk.feed(&chunk.text, &mut emit);
        tk.gap();
        chunks.push((start, chunk));
    }
    let body_len = tk.position() - head_end;
    all.sort_by(|a, b| a.key.cmp(&b.key));
    let mut grouped: Vec<(Key, Vec<u32>)> = Vec::new();
    for t in all {
        match grouped.last_mut() {
            Some((key, positions)) if *key == t.key => positions.push(t.pos),
            _ => grouped.push((t.key, vec![t.pos])),
        }
    }
    let doc = DocText {
        head_end,
        body_len,
        chunks,
    };
    (doc, grouped)
}

/// Append `n` as a little-endian base-128 varint.
pub fn write_varint(out: &mut Vec<u8>, mut n: u32) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn read_varint(bytes: &mut &[u8]) -> u32 {
    let mut n = 0u32;
    let mut shift = 0;
    while let Some((&b, rest)) = bytes.split_first() {
        *bytes = rest;
        n |= u32::from(b & 0x7f) << shift;
        if b < 0x80 {
            break;
        }
        shift += 7;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::text::chunks;

    fn index(texts: &[&str]) -> Index {
        Index::build(
            texts
                .iter()
                .map(|t| Source {
                    title: "标题",
                    number: None,
                    chunks: chunks(t),
                })
                .collect(),
        )
    }

    fn docs(index: &Index, q: &str) -> Vec<u32> {
        index
            .phrase(q)
            .unwrap()
            .into_iter()
            .map(|(d, _)| d)
            .collect()
    }

    #[test]
    fn phrases_match_exact_substrings_only() {
        let ix = index(&[
            "承担法律责任。",
            "法律规定的责任",
            "违反纪律责任，依照法律",
            "法律，责任",
            "个人信息",
        ]);
        assert_eq!(docs(&ix, "法律责任"), [0]);
        assert_eq!(docs(&ix, "律责"), [0, 2]);
        assert_eq!(docs(&ix, "法律"), [0, 1, 2, 3]);
        assert_eq!(docs(&ix, "信"), [4]);
        assert_eq!(docs(&ix, "任"), [0, 1, 2, 3]);
        assert!(docs(&ix, "隐私").is_empty());
    }

    #[test]
    fn mixed_phrases_need_adjacency_across_scripts() {
        let ix = index(&["依照第5条规定", "第5项和第6条", "GDPR 2021年"]);
        assert_eq!(docs(&ix, "第5条"), [0]);
        assert_eq!(docs(&ix, "第6条"), [1]);
        assert_eq!(docs(&ix, "gdpr"), [2]);
        assert_eq!(docs(&ix, "2021年"), [2]);
    }

    #[test]
    fn body_positions_follow_the_head_and_mark_chunks() {
        let ix = index(&["第一条 总则。\n\n第二条 法律责任。"]);
        let doc = &ix.docs[0];
        assert_eq!(doc.chunks.len(), 2);
        assert!(doc.chunks[0].0 >= doc.head_end);
        let hits = ix.phrase("法律责任").unwrap();
        let p = hits[0].1[0];
        assert!(p > doc.chunks[1].0, "hit lies in the second chunk");
        assert_eq!(docs(&ix, "标题"), [0]);
        assert!(ix.postings.contains_key(&Key::Article(2)));
        assert!(ix.phrase("标题").unwrap()[0].1[0] < doc.head_end);
    }

    #[test]
    fn varints_round_trip() {
        let mut buf = Vec::new();
        for n in [0, 1, 127, 128, 300, 1 << 20, u32::MAX] {
            write_varint(&mut buf, n);
        }
        let mut s = buf.as_slice();
        for n in [0, 1, 127, 128, 300, 1 << 20, u32::MAX] {
            assert_eq!(read_varint(&mut s), n);
        }
    }
}
