//! Client-side full-text search: builds the static index the theme's
//! `search.js` queries in the browser. CJK text is indexed as character
//! bigrams with positions, so a phrase query is an exact substring match.
//!
//! Reads the computed catalogue (metadata, statuses, Markdown bodies) and
//! the article ranges of rendered pages, and returns files to write under
//! `search/`; never renders pages, never reads or writes files itself.
//!
//! Layout (`.bin` files starting with the gzip magic are gunzipped in the
//! browser; postings are bit streams, not compressed further):
//! - `search/manifest.json`: format version, the build's folder `<dir>`
//!   (a hash of every file in it, so a cached file of an older build is never
//!   mixed with a newer one), shard count, keys stored in files of their own;
//! - `search/<dir>/docs.bin`: JSON metadata of every document (title, 文号,
//!   facets, status, date, lengths);
//! - `search/<dir>/p/<n>.bin`: postings (see [`codec`]) of the keys whose
//!   FNV-1a hash is `n` modulo the shard count, `p/o<n>.bin`: one large
//!   posting each;
//! - `search/<dir>/c/<n>.bin`: where document `n`'s articles start, in tokens
//!   and in its page's bytes (see [`snippets`]); no text is copied.

pub mod codec;
pub mod index;
pub mod snippets;
pub mod text;
pub mod tokenize;

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde_json::{Value, json};

use crate::catalogue::Catalogue;
use crate::model::Status;
use crate::render::view::doc_page_file;
use index::{Index, Source, write_varint};
use snippets::Article;

/// Target size of a postings shard.
const SHARD_BYTES: usize = 4096;
/// Postings larger than this get a file of their own.
const OWN_FILE_BYTES: usize = 16 * 1024;

/// Index the title, 文号 and body text of every document of `cat`.
pub fn index(cat: &Catalogue) -> Index {
    let sources = cat
        .docs
        .iter()
        .map(|d| Source {
            title: &d.title,
            number: d.meta.number.as_deref(),
            body: d.body.as_ref().map(|b| &*b.markdown),
        })
        .collect();
    Index::build(sources)
}

/// The part of the index that needs no rendered page: postings and manifest.
/// Built beside the pages; [`Prepared::finish`] adds what needs them.
pub struct Prepared {
    index: Index,
    /// Files by path inside the build's folder.
    files: Vec<(String, Vec<u8>)>,
    manifest: Value,
}

/// Tokenise, invert and encode the postings of `cat`.
pub fn prepare(cat: &Catalogue) -> Prepared {
    let mut index = index(cat);
    let mut files = Vec::new();
    let manifest = postings_files(&mut index, &mut files);
    Prepared {
        index,
        files,
        manifest,
    }
}

impl Prepared {
    /// All index files, given the article ranges of each document's page
    /// (`page` maps an output path such as `docs/<id>/index.html` to them).
    pub fn finish(
        mut self,
        cat: &Catalogue,
        page: &(dyn Fn(&str) -> Option<Vec<Article>> + Sync),
    ) -> Vec<(String, Vec<u8>)> {
        let tables: Vec<Option<Vec<u8>>> = cat
            .docs
            .par_iter()
            .zip(&self.index.docs)
            .map_init(Gzip::default, |gz, (doc, text)| {
                let articles = page(&doc_page_file(&doc.id))?;
                let json = snippets::table(&text.chunks, &articles)?;
                Some(gz.gzip(&json, 6))
            })
            .collect();
        let docs = docs_json(cat, &self.index, &tables);
        self.files
            .push(("docs.bin".into(), Gzip::default().gzip(&docs, 9)));
        for (n, table) in tables.into_iter().enumerate() {
            if let Some(bytes) = table {
                self.files.push((format!("c/{n}.bin"), bytes));
            }
        }
        let dir = build_id(&self.files);
        self.manifest["dir"] = json!(dir);
        let mut files: Vec<(String, Vec<u8>)> = self
            .files
            .into_iter()
            .map(|(path, bytes)| (format!("search/{dir}/{path}"), bytes))
            .collect();
        files.push((
            "search/manifest.json".into(),
            self.manifest.to_string().into_bytes(),
        ));
        files
    }
}

/// A name for the folder of one build's index files: a hash of all of them.
fn build_id(files: &[(String, Vec<u8>)]) -> String {
    let fnv = |h: u64, bytes: &[u8]| {
        bytes.iter().fold(h, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    const START: u64 = 0xcbf2_9ce4_8422_2325;
    let each: Vec<u64> = files
        .par_iter()
        .map(|(path, bytes)| fnv(fnv(START, path.as_bytes()), bytes))
        .collect();
    let all = each.iter().fold(START, |h, x| fnv(h, &x.to_le_bytes()));
    format!("{:012x}", all >> 16)
}

/// 32-bit FNV-1a of `key`'s UTF-8; `search.js` computes the same.
pub fn fnv1a(key: &str) -> u32 {
    key.bytes().fold(0x811c_9dc5, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// A key's text, document count and encoded posting.
type Keyed = (String, u32, Vec<u8>);

/// Postings files (added to `files`) and the manifest naming them: each
/// key goes to a file of its own (large postings, numbered in key order) or
/// to the shard of its hash. Takes the postings out of `index`.
fn postings_files(index: &mut Index, files: &mut Vec<(String, Vec<u8>)>) -> Value {
    let documents = index.docs.len() as u32;
    let taken: Vec<_> = index.take_postings().collect();
    let mut keyed: Vec<Keyed> = taken
        .into_par_iter()
        .map(|(key, p)| (key.text(), p.docs, p.into_wire(documents)))
        .collect();
    keyed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let total: usize = keyed.iter().map(|k| k.2.len()).sum();
    let shards = (total / SHARD_BYTES).max(1).next_power_of_two();
    // Each key's file: one of its own (numbered in key order) or its hash's
    // shard; then the files are filled in parallel.
    let mut own: BTreeMap<String, usize> = BTreeMap::new();
    let mut members: Vec<Vec<&Keyed>> = vec![Vec::new(); shards];
    let mut own_files: Vec<(String, Vec<&Keyed>)> = Vec::new();
    for k in &keyed {
        if k.2.len() > OWN_FILE_BYTES {
            let n = own.len();
            own_files.push((format!("p/o{n}.bin"), vec![k]));
            own.insert(k.0.clone(), n);
        } else {
            members[fnv1a(&k.0) as usize % shards].push(k);
        }
    }
    let shard_files = members
        .into_iter()
        .enumerate()
        .map(|(n, list)| (format!("p/{n}.bin"), list));
    own_files.extend(shard_files);
    files.par_extend(
        own_files
            .into_par_iter()
            .map(|(path, list)| (path, postings_file(&list))),
    );
    let docs = index.docs.len().max(1) as f64;
    let avg_body = index
        .docs
        .iter()
        .map(|d| f64::from(d.body_len))
        .sum::<f64>()
        / docs;
    json!({ "version": 3, "shards": shards, "own": own, "avg_body": avg_body.round() })
}

/// A postings file: for each key, its length and text, its document count,
/// the posting's length and the posting.
fn postings_file(keys: &[&Keyed]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(keys.iter().map(|k| k.2.len() + 16).sum());
    for (key, docs, posting) in keys {
        write_varint(&mut bytes, key.len() as u32);
        bytes.extend_from_slice(key.as_bytes());
        write_varint(&mut bytes, *docs);
        write_varint(&mut bytes, posting.len() as u32);
        bytes.extend_from_slice(posting);
    }
    bytes
}

/// Metadata of every document, facet values interned.
fn docs_json(cat: &Catalogue, index: &Index, snippet_tables: &[Option<Vec<u8>>]) -> Vec<u8> {
    let mut tables: [BTreeMap<String, usize>; 3] = Default::default();
    let mut intern = |table: usize, value: &Option<String>| -> Value {
        value.as_ref().map_or(Value::Null, |v| {
            let t = &mut tables[table];
            let n = t.len();
            json!(*t.entry(v.clone()).or_insert(n))
        })
    };
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
                u8::from(snippet_tables[i].is_some()),
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

/// Gzip encoders kept across files: setting up a deflate state costs more
/// than compressing one small index file.
#[derive(Default)]
struct Gzip {
    encoders: Vec<(u32, flate2::Compress)>,
}

impl Gzip {
    /// `bytes` as a gzip member compressed at `level`.
    fn gzip(&mut self, bytes: &[u8], level: u32) -> Vec<u8> {
        let at = match self.encoders.iter().position(|(l, _)| *l == level) {
            Some(at) => at,
            None => {
                let enc = flate2::Compress::new(flate2::Compression::new(level), false);
                self.encoders.push((level, enc));
                self.encoders.len() - 1
            }
        };
        let enc = &mut self.encoders[at].1;
        enc.reset();
        let mut out = Vec::with_capacity(bytes.len() / 2 + 64);
        out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
        let start = enc.total_in();
        loop {
            let done = (enc.total_in() - start) as usize;
            out.reserve(bytes.len() / 4 + 64);
            match enc.compress_vec(&bytes[done..], &mut out, flate2::FlushCompress::Finish) {
                Ok(flate2::Status::StreamEnd) | Err(_) => break,
                Ok(_) => {}
            }
        }
        let mut crc = flate2::Crc::new();
        crc.update(bytes);
        out.extend_from_slice(&crc.sum().to_le_bytes());
        out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn reused_gzip_encoders_write_valid_members() {
        let mut gz = Gzip::default();
        let long = "法律责任".repeat(5000);
        let texts: [&[u8]; 3] = [b"", long.as_bytes(), b"abc abc abc"];
        for level in [1, 9, 1] {
            for text in texts {
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(gz.gzip(text, level).as_slice())
                    .read_to_end(&mut out)
                    .unwrap();
                assert_eq!(out, text);
            }
        }
    }

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(fnv1a(""), 0x811c_9dc5);
        assert_eq!(fnv1a("a"), 0xe40c_292c);
        assert_eq!(fnv1a("foobar"), 0xbf9c_f968);
    }
}
