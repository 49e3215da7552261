//! Client-side full-text search: builds the static index the theme's
//! `search.js` queries in the browser. CJK text is indexed as character
//! bigrams with positions, so a phrase query is an exact substring match.
//!
//! Reads the computed catalogue (metadata, statuses, Markdown bodies) and
//! returns files to write under `search/`; never renders pages, never reads
//! or writes files itself. Called by `render` after the pages.
//!
//! Layout (all `.bin` files are gzip, decoded in the browser):
//! - `search/manifest.json`: shard count, keys stored in files of their own;
//! - `search/docs.bin`: JSON metadata of every document (title, 文号, facets,
//!   status, date, text layout);
//! - `search/p/<n>.bin`: postings of the keys whose FNV-1a hash is `n` modulo
//!   the shard count, `search/p/o<n>.bin`: one large posting each;
//! - `search/t/<n>.bin`: JSON chunks of body text for snippets and anchors.

pub mod index;
pub mod text;
pub mod tokenize;

use std::collections::BTreeMap;
use std::io::Write;

use rayon::prelude::*;
use serde_json::{Value, json};

use crate::catalogue::Catalogue;
use crate::model::Status;
use index::{Index, Source, write_varint};

/// Target size of a postings shard before compression.
const SHARD_BYTES: usize = 4096;
/// Postings larger than this get a file of their own.
const OWN_FILE_BYTES: usize = 16 * 1024;
/// Characters of body text per snippet file.
const PART_CHARS: usize = 800;

/// Index the title, 文号 and body text of every document of `cat`.
pub fn index(cat: &Catalogue) -> Index {
    let sources = cat
        .docs
        .iter()
        .map(|d| Source {
            title: &d.title,
            number: d.meta.number.as_deref(),
            chunks: d
                .body
                .as_ref()
                .map(|b| text::chunks(&b.markdown))
                .unwrap_or_default(),
        })
        .collect();
    Index::build(sources)
}

/// The search index of `cat` as `(path under the output, bytes)` files.
pub fn build_index(cat: &Catalogue) -> Vec<(String, Vec<u8>)> {
    let index = index(cat);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let parts = text_parts(&index);
    let manifest = postings_files(&index, &mut files);
    files.push(("search/docs.bin".into(), docs_json(cat, &index, &parts)));
    for (n, part) in parts.iter().enumerate() {
        files.push((format!("search/t/{n}.bin"), part.json.clone()));
    }
    files.par_iter_mut().for_each(|(path, bytes)| {
        // Postings are dense varints that barely compress: gzip them fast;
        // squeeze the metadata every query loads.
        let level = match path.as_str() {
            "search/docs.bin" => 9,
            p if p.starts_with("search/p/") => 1,
            _ => 6,
        };
        *bytes = gzip(bytes, level);
    });
    files.push(("search/manifest.json".into(), manifest));
    files
}

/// 32-bit FNV-1a of `key`'s UTF-8; `search.js` computes the same.
pub fn fnv1a(key: &str) -> u32 {
    key.bytes().fold(0x811c_9dc5, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// Shard files (added to `files`) and the manifest naming them.
fn postings_files(index: &Index, files: &mut Vec<(String, Vec<u8>)>) -> Vec<u8> {
    let total: usize = index.postings().map(|(_, p)| p.bytes.len()).sum();
    let shards = (total / SHARD_BYTES).max(1).next_power_of_two();
    let mut keyed: Vec<(String, &index::Posting)> =
        index.postings().map(|(k, p)| (k.text(), p)).collect();
    keyed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut own: BTreeMap<String, usize> = BTreeMap::new();
    let mut shard_bytes: Vec<Vec<u8>> = vec![Vec::new(); shards];
    for (key, posting) in keyed {
        let mut entry = Vec::with_capacity(posting.bytes.len() + key.len() + 12);
        write_varint(&mut entry, key.len() as u32);
        entry.extend_from_slice(key.as_bytes());
        write_varint(&mut entry, posting.docs);
        write_varint(&mut entry, posting.bytes.len() as u32);
        entry.extend_from_slice(&posting.bytes);
        if posting.bytes.len() > OWN_FILE_BYTES {
            let n = own.len();
            files.push((format!("search/p/o{n}.bin"), entry));
            own.insert(key, n);
        } else {
            shard_bytes[fnv1a(&key) as usize % shards].extend(entry);
        }
    }
    for (n, bytes) in shard_bytes.into_iter().enumerate() {
        files.push((format!("search/p/{n}.bin"), bytes));
    }
    let docs = index.docs.len().max(1) as f64;
    let avg_body = index
        .docs
        .iter()
        .map(|d| f64::from(d.body_len))
        .sum::<f64>()
        / docs;
    let manifest =
        json!({ "version": 1, "shards": shards, "own": own, "avg_body": avg_body.round() });
    manifest.to_string().into_bytes()
}

/// A file of consecutive body chunks of one document.
struct Part {
    doc: usize,
    start: u32,
    json: Vec<u8>,
}

/// Cut every document's chunks into files of about `PART_CHARS` characters.
fn text_parts(index: &Index) -> Vec<Part> {
    let mut parts = Vec::new();
    for (doc, text) in index.docs.iter().enumerate() {
        let mut current: Vec<Value> = Vec::new();
        let mut chars = 0;
        let mut start = 0;
        for (pos, chunk) in &text.chunks {
            if current.is_empty() {
                start = *pos;
            }
            chars += chunk.text.chars().count();
            current.push(json!([
                pos,
                chunk.anchor.as_deref().unwrap_or(""),
                chunk.text
            ]));
            if chars >= PART_CHARS {
                parts.push(part(doc, start, std::mem::take(&mut current)));
                chars = 0;
            }
        }
        if !current.is_empty() {
            parts.push(part(doc, start, current));
        }
    }
    parts
}

fn part(doc: usize, start: u32, chunks: Vec<Value>) -> Part {
    Part {
        doc,
        start,
        json: Value::Array(chunks).to_string().into_bytes(),
    }
}

/// Metadata of every document, facet values interned.
fn docs_json(cat: &Catalogue, index: &Index, parts: &[Part]) -> Vec<u8> {
    let mut tables: [BTreeMap<String, usize>; 3] = Default::default();
    let mut intern = |table: usize, value: &Option<String>| -> Value {
        value.as_ref().map_or(Value::Null, |v| {
            let t = &mut tables[table];
            let n = t.len();
            json!(*t.entry(v.clone()).or_insert(n))
        })
    };
    let mut first_part = vec![usize::MAX; cat.docs.len()];
    let mut part_starts: Vec<Vec<u32>> = vec![Vec::new(); cat.docs.len()];
    for (n, p) in parts.iter().enumerate() {
        first_part[p.doc] = first_part[p.doc].min(n);
        part_starts[p.doc].push(p.start);
    }
    let docs: Vec<Value> = cat
        .docs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let m = &d.meta;
            json!([
                d.id.as_str(),
                d.title,
                m.number,
                intern(0, &m.issuer),
                intern(1, &m.level),
                intern(2, &m.category),
                status_index(cat.computed[i].status),
                m.published.map(|p| p.to_string()),
                index.docs[i].head_end,
                index.docs[i].body_len,
                (first_part[i] != usize::MAX).then_some(first_part[i]),
                part_starts[i],
            ])
        })
        .collect();
    let names = |t: &BTreeMap<String, usize>| {
        let mut v: Vec<(&String, &usize)> = t.iter().collect();
        v.sort_by_key(|x| *x.1);
        v.into_iter().map(|x| x.0.clone()).collect::<Vec<_>>()
    };
    json!({
        "statuses": Status::ALL.iter().map(|s| s.key()).collect::<Vec<_>>(),
        "issuers": names(&tables[0]),
        "levels": names(&tables[1]),
        "categories": names(&tables[2]),
        "docs": docs,
    })
    .to_string()
    .into_bytes()
}

fn status_index(status: Status) -> usize {
    Status::ALL.iter().position(|s| *s == status).unwrap_or(0)
}

fn gzip(bytes: &[u8], level: u32) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(fnv1a(""), 0x811c_9dc5);
        assert_eq!(fnv1a("a"), 0xe40c_292c);
        assert_eq!(fnv1a("foobar"), 0xbf9c_f968);
    }
}
