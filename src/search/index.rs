//! The in-memory inverted index: for every token key, the documents holding
//! it with term frequency and (for positional keys) every position, ready to
//! be written in the wire format of [`codec`]. Documents are tokenised in
//! parallel, in batches, and merged in document order.
//!
//! Also answers exact phrase lookups in Rust, the same way `search.js` does,
//! so tests and benchmarks can check the index without a browser.

use std::collections::HashMap;
use std::hash::BuildHasher;

use rayon::prelude::*;
use rustc_hash::{FxBuildHasher, FxHashMap as FxMap};

use super::codec::{self, Layout};
use super::text;
use super::tokenize::{Key, Sink, Token, Tokenizer, tokens};
use crate::content::Body;

/// What one document contributes to the index, besides its postings.
#[derive(Debug, Clone)]
pub struct DocText {
    /// First position after the title and 文号 (positions below are title hits).
    pub head_end: u32,
    /// Number of body positions (for BM25 length normalisation).
    pub body_len: u32,
    /// Where each body chunk starts, with its article anchor if it has one.
    pub chunks: Vec<(u32, Option<String>)>,
}

/// The text of one document to index.
pub struct Source<'a> {
    /// Title.
    pub title: &'a str,
    /// 文号, if any.
    pub number: Option<&'a str>,
    /// The body, if any.
    pub body: Option<&'a Body>,
}

/// Documents holding one key: (document gap, frequency) varints and, for
/// positional keys, the positions section of the wire format, written as
/// documents are added.
#[derive(Debug, Default, Clone)]
pub struct Posting {
    /// How many documents hold the key.
    pub docs: u32,
    head: Vec<u8>,
    positions: Option<codec::Positions>,
    next_doc: u32,
}

/// Postings are split by key hash into this many maps, merged in parallel.
const PARTITIONS: usize = 8;

/// The partition of a key packed by [`pack`] (`word`: its text, for a
/// word, whose number differs from map to map), from the top bits of its
/// hash: rustc-hash mixes them best (partitions from bits 32-34 left the
/// corpus build's peak memory 9 MB higher).
fn partition(packed: u64, word: Option<&str>) -> usize {
    let hash = match word {
        Some(w) => FxBuildHasher.hash_one(w),
        None => FxBuildHasher.hash_one(packed),
    };
    (hash >> 61) as usize % PARTITIONS
}

/// The partition of `key`.
fn partition_of(key: &Key) -> usize {
    match key {
        Key::Word(w) => partition(WORD << KIND_SHIFT, Some(w)),
        _ => partition(pack(key, |_| 0), None),
    }
}

/// The inverted index of a whole catalogue.
#[derive(Debug)]
pub struct Index {
    /// Per document, aligned with the catalogue.
    pub docs: Vec<DocText>,
    partitions: Vec<Partition>,
}

/// The postings of the keys of one partition, by packed key: hashing and
/// comparing a `u64` is what makes merging a document cheap.
#[derive(Debug, Default)]
struct Partition {
    postings: FxMap<u64, Posting>,
    words: Words,
}

/// Documents tokenised in one parallel step while the step before is merged
/// in. Small: a tokenised document holds every position of its text (batches
/// of 128 raised the corpus build's peak memory by 50 MB), and small batches
/// stay in cache.
const BATCH: usize = 8;

impl Index {
    /// Index `sources`, one per catalogue document, in order.
    pub fn build<'a>(sources: impl IntoIterator<Item = Source<'a>>) -> Index {
        let mut sources = sources.into_iter();
        let mut index = Index {
            docs: Vec::with_capacity(sources.size_hint().0),
            partitions: (0..PARTITIONS).map(|_| Partition::default()).collect(),
        };
        // Tokenise the next batch while the last one is merged in.
        let tokenise = |batch: Vec<Source<'_>>| -> Vec<(DocText, Tokenised)> {
            batch
                .into_par_iter()
                .map(|source| COUNTER.with_borrow_mut(|c| index_document(c, source)))
                .collect()
        };
        let mut done = tokenise(sources.by_ref().take(BATCH).collect());
        while !done.is_empty() {
            let batch: Vec<Source<'_>> = sources.by_ref().take(BATCH).collect();
            let first = index.docs.len() as u32;
            let partitions = &mut index.partitions;
            let (next, ()) = rayon::join(
                || tokenise(batch),
                || {
                    partitions.par_iter_mut().enumerate().for_each(|(p, part)| {
                        for (n, (_, tokenised)) in done.iter().enumerate() {
                            part.add_document(first + n as u32, tokenised, p);
                        }
                    })
                },
            );
            index.docs.extend(done.into_iter().map(|(doc, _)| doc));
            done = next;
        }
        index
    }

    /// Move every key with its posting out of the index, in partitions
    /// (about an eighth of the keys each).
    pub fn take_postings(&mut self) -> impl Iterator<Item = Vec<(Key, Posting)>> {
        let partitions = std::mem::take(&mut self.partitions).into_iter();
        partitions.map(|part| {
            let mut words = part.words;
            let mut unpack = |packed| unpack(packed, |id| std::mem::take(&mut words.list[id]));
            part.postings
                .into_iter()
                .map(|(k, p)| (unpack(k), p))
                .collect()
        })
    }

    /// The posting of `key`.
    pub fn posting(&self, key: &Key) -> Option<&Posting> {
        let part = &self.partitions[partition_of(key)];
        let word = match key {
            Key::Word(w) => Some(*part.words.ids.get(w.as_str())?),
            _ => None,
        };
        part.postings.get(&pack(key, |_| word.unwrap_or_default()))
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

    /// Decode the posting of `key` from its wire format: (document,
    /// positions) pairs.
    fn decode(&self, key: &Key) -> Vec<(u32, Vec<u32>)> {
        let Some(posting) = self.posting(key) else {
            return Vec::new();
        };
        let lengths = self.lengths();
        let layout = self.layout(&lengths);
        let bytes = posting.clone().into_wire(layout.documents);
        codec::decode(&bytes, posting.docs, key.positional(), layout)
            .into_iter()
            .map(|(doc, _, positions)| (doc, positions))
            .collect()
    }

    /// Positions in each document (title, 文号 and body).
    pub fn lengths(&self) -> Vec<u32> {
        self.docs.iter().map(|d| d.head_end + d.body_len).collect()
    }

    /// What a reader of the wire format knows, given [`Index::lengths`].
    pub fn layout<'a>(&self, lengths: &'a [u32]) -> Layout<'a> {
        Layout {
            documents: self.docs.len() as u32,
            lengths,
        }
    }
}

impl Posting {
    /// The posting in its wire format (see [`codec`]) for an index of
    /// `documents` documents.
    pub fn into_wire(self, documents: u32) -> Vec<u8> {
        let heads = Heads {
            bytes: &self.head,
            left: self.docs,
            doc: 0,
        };
        codec::posting(heads, documents, self.positions)
    }

    /// Add `doc`, of `length` positions, in which the key occurs `count`
    /// times, at `positions` for a positional key.
    fn push(&mut self, doc: u32, count: u32, positions: Option<(u32, &[u32])>) {
        write_varint(&mut self.head, doc - self.next_doc);
        write_varint(&mut self.head, count);
        self.docs += 1;
        self.next_doc = doc + 1;
        if let Some((length, positions)) = positions {
            self.positions
                .get_or_insert_with(Default::default)
                .push(length, positions);
        }
    }
}

/// (document, frequency) pairs read back from a posting's varints.
struct Heads<'a> {
    bytes: &'a [u8],
    left: u32,
    doc: u32,
}

impl Iterator for Heads<'_> {
    type Item = (u32, u32);

    fn next(&mut self) -> Option<(u32, u32)> {
        self.left = self.left.checked_sub(1)?;
        let doc = self.doc + read_varint(&mut self.bytes);
        self.doc = doc + 1;
        Some((doc, read_varint(&mut self.bytes)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left as usize, Some(self.left as usize))
    }
}

impl ExactSizeIterator for Heads<'_> {}

/// One key's occurrences in a document: the key packed (a word by its
/// number in `Tokenised::words`), how many, and for positional keys their
/// positions as a range of `Tokenised::positions`.
struct Group {
    packed: u64,
    from: u32,
    to: u32,
    count: u32,
}

/// A tokenised document: groups split by partition over shared positions.
struct Tokenised {
    groups: Vec<Vec<Group>>,
    positions: Vec<u32>,
    /// The document's words, by their numbers in its groups.
    words: Vec<String>,
    /// Positions in the document.
    length: u32,
}

impl Partition {
    /// Append document `doc`'s groups of partition `p`.
    fn add_document(&mut self, doc: u32, t: &Tokenised, p: usize) {
        for g in &t.groups[p] {
            let positions = positional(g.packed)
                .then(|| (t.length, &t.positions[g.from as usize..g.to as usize]));
            let packed = match word_number(g.packed) {
                Some(id) => (WORD << KIND_SHIFT) | self.words.number(&t.words[id]) as u64,
                None => g.packed,
            };
            (self.postings.entry(packed).or_default()).push(doc, g.count, positions);
        }
    }
}

/// The tokenizer counts into a [`Counter`]; CJK characters take the
/// short way: the `Key` each builds for [`pack`] is a constant kind once
/// inlined, so the match on it folds away.
impl Sink for Counter {
    fn token(&mut self, key: Key, pos: u32) {
        let packed = pack(&key, |w| self.words.number(w));
        self.count(packed, pos);
    }

    #[inline(always)]
    fn bigram(&mut self, a: char, b: char, pos: u32) {
        self.count(pack(&Key::Bigram(a, b), |_| 0), pos);
    }

    #[inline(always)]
    fn unigram(&mut self, c: char, pos: u32) {
        self.count(pack(&Key::Unigram(c), |_| 0), pos);
    }
}

/// Words numbered in order of first use, so keys pack into a `u64`.
#[derive(Debug, Default)]
struct Words {
    ids: HashMap<String, usize>,
    list: Vec<String>,
}

impl Words {
    /// The number of `word`, given a new one if it has none.
    fn number(&mut self, word: &str) -> usize {
        if let Some(&id) = self.ids.get(word) {
            return id;
        }
        self.list.push(word.to_owned());
        self.ids.insert(word.to_owned(), self.list.len() - 1);
        self.list.len() - 1
    }

    fn clear(&mut self) {
        self.ids.clear();
        self.list.clear();
    }
}

/// `key` packed into a `u64`, the kind in the top four bits; `word` numbers
/// a word.
fn pack(key: &Key, word: impl FnOnce(&str) -> usize) -> u64 {
    let (kind, value) = match key {
        Key::Bigram(a, b) => (0, (u64::from(*a) << 21) | u64::from(*b)),
        Key::Unigram(c) => (UNIGRAM, u64::from(*c)),
        Key::RunStart(c) => (2, u64::from(*c)),
        Key::RunEnd(c) => (3, u64::from(*c)),
        Key::Article(n) => (ARTICLE, u64::from(*n)),
        Key::Word(w) => (WORD, word(w) as u64),
    };
    (kind << KIND_SHIFT) | value
}

/// Where [`pack`] puts a key's kind, and the kinds tested on packed keys.
const KIND_SHIFT: u32 = 60;
const UNIGRAM: u64 = 1;
const ARTICLE: u64 = 4;
const WORD: u64 = 5;

/// [`Key::positional`] of a packed key.
fn positional(packed: u64) -> bool {
    !matches!(packed >> KIND_SHIFT, UNIGRAM | ARTICLE)
}

/// The number of a packed word, `None` for another kind of key.
fn word_number(packed: u64) -> Option<usize> {
    (packed >> KIND_SHIFT == WORD).then_some((packed & ((1 << KIND_SHIFT) - 1)) as usize)
}

/// The slot of `packed` in [`Counter::unigrams`], if it is the unigram of
/// a character of the Basic Multilingual Plane.
fn unigram_slot(packed: u64) -> Option<usize> {
    let unigram = pack(&Key::Unigram('\0'), |_| 0);
    (packed >> 16 == unigram >> 16).then_some((packed & 0xffff) as usize)
}

/// The key `packed` stands for; `word` gives back a word by its number.
fn unpack(packed: u64, word: impl FnOnce(usize) -> String) -> Key {
    let value = packed & ((1 << KIND_SHIFT) - 1);
    let char_of = |v: u64| char::from_u32(v as u32).unwrap_or(char::REPLACEMENT_CHARACTER);
    match packed >> KIND_SHIFT {
        0 => Key::Bigram(char_of(value >> 21), char_of(value & 0x1f_ffff)),
        1 => Key::Unigram(char_of(value)),
        2 => Key::RunStart(char_of(value)),
        3 => Key::RunEnd(char_of(value)),
        4 => Key::Article(value as u32),
        _ => Key::Word(word(value as usize)),
    }
}

/// Tokenise one document: its layout and its tokens grouped by key.
fn index_document(counter: &mut Counter, source: Source<'_>) -> (DocText, Tokenised) {
    let mut tk = Tokenizer::new();
    let body = source
        .body
        .map(|b| text::chunks(&b.markdown, &b.outline))
        .unwrap_or_default();
    counter.start();
    tk.feed(source.title, counter);
    tk.gap();
    if let Some(number) = source.number {
        tk.feed(number, counter);
        tk.gap();
    }
    let head_end = tk.position();
    let mut chunks = Vec::with_capacity(body.len());
    for chunk in body {
        let start = tk.position();
        let article = chunk.anchor.as_deref().and_then(|a| a.strip_prefix("art-"));
        if let Some(n) = article.and_then(|n| n.parse().ok()) {
            counter.token(Key::Article(n), start);
        }
        tk.feed(&chunk.text, counter);
        tk.gap();
        chunks.push((start, chunk.anchor));
    }
    let body_len = tk.position() - head_end;
    let doc = DocText {
        head_end,
        body_len,
        chunks,
    };
    let mut tokenised = counter.group();
    tokenised.length = tk.position();
    (doc, tokenised)
}

thread_local! {
    /// One counter per indexing thread, reused for every document it indexes
    /// (`index_document` never waits on rayon, so it is never borrowed twice).
    static COUNTER: std::cell::RefCell<Counter> = std::cell::RefCell::default();
}

/// A document's distinct keys (numbered in order of first occurrence) with
/// their counts and the positions of positional keys in text order. Reused
/// from document to document: its buffers keep their capacity.
#[derive(Default)]
struct Counter {
    words: Words,
    ids: FxMap<u64, u32>,
    /// The id (plus one; zero for none yet) of each character of the Basic
    /// Multilingual Plane as a unigram: half the tokens of a CJK text are
    /// unigrams, and an array lookup is much cheaper than hashing.
    unigrams: Vec<u32>,
    keys: Vec<u64>,
    counts: Vec<u32>,
    occurrences: Vec<(u32, u32)>,
}

impl Counter {
    /// Forget the previous document.
    fn start(&mut self) {
        if self.unigrams.is_empty() {
            self.unigrams = vec![0; 0x1_0000];
        }
        for &packed in &self.keys {
            if let Some(slot) = unigram_slot(packed) {
                self.unigrams[slot] = 0;
            }
        }
        self.ids.clear();
        self.keys.clear();
        self.counts.clear();
        self.occurrences.clear();
        self.words.clear();
    }

    /// Count one occurrence of the key `packed` at `pos`. Inlined into the
    /// tokenizer's CJK loop with its callers `bigram` and `unigram`: a call
    /// per token (saving registers, passing the token) cost as much as the
    /// counting.
    #[inline(always)]
    fn count(&mut self, packed: u64, pos: u32) {
        let next = self.keys.len() as u32;
        let id = match unigram_slot(packed) {
            Some(slot) => {
                let id = &mut self.unigrams[slot];
                if *id == 0 {
                    *id = next + 1;
                }
                *id - 1
            }
            None => *self.ids.entry(packed).or_insert(next),
        };
        if id == next {
            self.keys.push(packed);
            self.counts.push(0);
        }
        self.counts[id as usize] += 1;
        if positional(packed) {
            self.occurrences.push((id, pos));
        }
    }

    /// Group positions by key with a counting sort: positions arrive in
    /// increasing order, so each key's slice comes out sorted.
    fn group(&mut self) -> Tokenised {
        let parts: Vec<u8> = (self.keys.iter())
            .map(|&packed| {
                let word = word_number(packed).map(|id| self.words.list[id].as_str());
                partition(packed, word) as u8
            })
            .collect();
        let mut sizes = [0; PARTITIONS];
        parts.iter().for_each(|&p| sizes[p as usize] += 1);
        let mut groups: Vec<Vec<Group>> = sizes.iter().map(|&n| Vec::with_capacity(n)).collect();
        let mut next = Vec::with_capacity(self.keys.len());
        let mut from = 0;
        for ((&packed, &count), &p) in self.keys.iter().zip(&self.counts).zip(&parts) {
            let to = if positional(packed) {
                from + count
            } else {
                from
            };
            next.push(from);
            groups[p as usize].push(Group {
                packed,
                from,
                to,
                count,
            });
            from = to;
        }
        // Not `vec![0; n]`: jemalloc zeroes a large calloc by handing its
        // pages back to the kernel (madvise), and the build faults them in
        // again (a fresh corpus build's minor faults fell by 8%).
        #[allow(clippy::slow_vector_initialization)]
        let mut positions = Vec::with_capacity(from as usize);
        positions.resize(from as usize, 0);
        for &(id, pos) in &self.occurrences {
            let slot = &mut next[id as usize];
            positions[*slot as usize] = pos;
            *slot += 1;
        }
        Tokenised {
            groups,
            positions,
            words: std::mem::take(&mut self.words.list),
            length: 0,
        }
    }
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

    fn index(texts: &[&str]) -> Index {
        let bodies: Vec<Body> = texts.iter().map(|t| Body::new(t.to_string(), 1)).collect();
        Index::build(bodies.iter().map(|b| Source {
            title: "标题",
            number: None,
            body: Some(b),
        }))
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
    fn single_characters_are_counted_per_document_in_and_beyond_the_bmp() {
        let ix = index(&["法法𠀀", "𠀀𠀀", "律法"]);
        let unigram = |c| ix.decode(&Key::Unigram(c));
        assert_eq!(unigram('法'), [(0, vec![]), (2, vec![])]);
        assert_eq!(unigram('𠀀'), [(0, vec![]), (1, vec![])]);
        assert_eq!(unigram('律'), [(2, vec![])]);
        let count = |c, doc| {
            let posting = ix.posting(&Key::Unigram(c)).unwrap();
            let mut heads = Heads {
                bytes: &posting.head,
                left: posting.docs,
                doc: 0,
            };
            heads.find(|(d, _)| *d == doc).map(|(_, n)| n)
        };
        let counts = [
            count('法', 0),
            count('法', 2),
            count('𠀀', 0),
            count('𠀀', 1),
        ];
        assert_eq!(counts, [Some(2), Some(1), Some(1), Some(2)]);
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
        assert_eq!(doc.chunks[1].1.as_deref(), Some("art-2"));
        assert!(doc.chunks[0].0 >= doc.head_end);
        let hits = ix.phrase("法律责任").unwrap();
        let p = hits[0].1[0];
        assert!(p > doc.chunks[1].0, "hit lies in the second chunk");
        assert_eq!(docs(&ix, "标题"), [0]);
        assert!(ix.posting(&Key::Article(2)).is_some());
        assert!(ix.phrase("标题").unwrap()[0].1[0] < doc.head_end);
    }

    proptest::proptest! {
        /// Counting through the sink's CJK methods (the index's way) gives
        /// the same keys, counts and positions as counting every token of
        /// `tokens` through the generic method.
        #[test]
        fn the_cjk_short_way_counts_what_the_tokens_say(
            text in "[法律责任第条一二〇𠀀 ,.，。（）a-zA-Z0-9５]{0,80}"
        ) {
            let counted = |fill: &dyn Fn(&mut Counter)| {
                let mut c = Counter::default();
                c.start();
                fill(&mut c);
                (c.keys, c.counts, c.occurrences, c.words.list)
            };
            let short = counted(&|c| Tokenizer::new().feed(&text, c));
            let generic = counted(&|c| tokens(&text).into_iter().for_each(|t| c.token(t.key, t.pos)));
            proptest::prop_assert_eq!(short, generic);
        }
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
