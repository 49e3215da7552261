//! Client-side full-text search: builds the static index the theme's
//! `search.js` queries in the browser. CJK text is indexed as character
//! bigrams with positions, so a phrase query is an exact substring match.
//!
//! Reads the computed catalogue (metadata, statuses, Markdown bodies) and
//! the article ranges of rendered pages, and returns files to write under
//! `search/`; never renders pages, never reads or writes files itself.
//!
//! Layout: every index file but the manifest is `search/<hash>.bin`, named
//! by a hash of its bytes, so a file whose bytes did not change keeps its
//! name across builds (not rewritten, still valid in caches) and a cached
//! file of an older build is never mixed with a newer one. `.bin` files
//! starting with the gzip magic are gunzipped in the browser; postings are
//! bit streams, not compressed further.
//! - `search/manifest.json`: format version and the name of `docs.bin`;
//! - `docs.bin`: JSON metadata of every document, one row each (id, title,
//!   the fields of `content::fields::FIELDS` the search carries, status,
//!   lengths, snippet table length), with `columns` naming the row's
//!   positions; the status keys and facet values; the names of all other
//!   files;
//! - postings shards (see [`codec`]): the keys whose FNV-1a hash is `n`
//!   modulo the shard count, a directory of them first, so a reader fetches
//!   the directory and then just its key's posting with Range requests; and
//!   one file for each large posting;
//! - snippet tables (see [`snippets`]): where each document's articles start,
//!   in tokens and in its page's bytes, one gzip member per document, the
//!   documents of [`TABLE_GROUP`] consecutive numbers in one file (a reader
//!   fetches its document's member with a Range request).

pub mod codec;
pub mod index;
pub mod snippets;
pub mod text;
pub mod tokenize;

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde_json::{Value, json};

use crate::catalogue::Catalogue;
use crate::content::fields::{Cell, FIELDS, InSearch};
use crate::model::Status;
use crate::routes::{self, doc_page_file};
use index::{Index, Source, write_varint};
use snippets::Article;

/// Target size of a postings shard: large enough to keep the corpus index
/// in a few hundred files, small enough for a first query's budget.
const SHARD_BYTES: usize = 32 * 1024;
/// Postings larger than this get a file of their own.
const OWN_FILE_BYTES: usize = 16 * 1024;
/// Documents whose snippet tables share one file.
pub const TABLE_GROUP: usize = 16;

/// Index the title, 文号 and body text of every document of `cat`.
pub fn index(cat: &Catalogue) -> Index {
    Index::build(sources(cat))
}

fn sources(cat: &Catalogue) -> impl Iterator<Item = Source<'_>> {
    cat.docs.iter().map(|d| Source {
        title: &d.title,
        number: d.meta.fields.number.as_deref(),
        body: d.body.as_ref(),
    })
}

/// The part of the index that needs no rendered page: the postings, named.
/// Built beside the pages; [`Prepared::take_files`] hands their files out
/// to be written while pages still render, [`Prepared::finish`] adds what
/// needs the pages.
pub struct Prepared {
    index: Index,
    postings: Postings,
    /// Files named but not yet handed out.
    files: Named,
}

/// Tokenise, invert and encode the postings of `cat`.
pub fn prepare(cat: &Catalogue) -> Prepared {
    encode(index(cat))
}

/// [`prepare`], given up (`None`) as soon as `stale` says the catalogue
/// has been replaced: the dev server's indexer then leaves both cores to
/// the rebuild a reader is waiting for.
pub fn prepare_unless(cat: &Catalogue, stale: &dyn Fn() -> bool) -> Option<Prepared> {
    let index = Index::build(sources(cat).take_while(|_| !stale()));
    (!stale()).then(|| encode(index))
}

fn encode(mut index: Index) -> Prepared {
    let mut files = Named::default();
    let postings = postings_files(&mut index, &mut files);
    Prepared {
        index,
        postings,
        files,
    }
}

impl Prepared {
    /// The index files made so far (the postings) by output path; `finish`
    /// then returns only the others.
    pub fn take_files(&mut self) -> Vec<(String, Vec<u8>)> {
        std::mem::take(&mut self.files).into_output()
    }

    /// The index files not taken yet by output path, given the article ranges of each
    /// document's page (`page` maps an output path such as
    /// `docs/<id>/index.html` to them).
    pub fn finish(
        self,
        cat: &Catalogue,
        page: &(dyn Fn(&str) -> Option<Vec<Article>> + Sync),
    ) -> Result<Vec<(String, Vec<u8>)>, IndexError> {
        // Table bytes count from the start of the page's body, which docs.bin
        // records: a change above the body (status banner, metadata) leaves
        // the table, and so its file, as it was.
        // Unzipped from an indexed iterator (a `Result` collect is not one),
        // so rayon splits as it did and sets up as few encoders.
        let (tables, bodies): (Vec<Result<Table, IndexError>>, Vec<u32>) = cat
            .docs
            .par_iter()
            .zip(&self.index.docs)
            .map_init(Gzip::default, |gz, (doc, text)| {
                let mut articles = page(&doc_page_file(&doc.id)).unwrap_or_default();
                let body = articles.first().map_or(0, |a| a.start);
                articles.iter_mut().for_each(|a| a.start -= body);
                let json = snippets::table(&text.chunks, &articles);
                (json.map(|json| gz.gzip(&json, 6)).transpose(), body)
            })
            .unzip();
        let tables: Vec<Table> = tables.into_iter().collect::<Result<_, _>>()?;
        let mut files = self.files;
        let (shards, heads): (Vec<String>, Vec<usize>) = self.postings.shards.into_iter().unzip();
        let own: BTreeMap<String, String> = self.postings.own.into_iter().collect();
        let groups: Vec<Option<String>> = tables
            .chunks(TABLE_GROUP)
            .map(|group| {
                let bytes: Vec<u8> = group.iter().flatten().flatten().copied().collect();
                (!bytes.is_empty()).then(|| files.add(bytes))
            })
            .collect();
        let names = json!({
            "shards": shards,
            "heads": heads,
            "own": own,
            "tables": groups,
            "group": TABLE_GROUP,
            "avg_body": self.postings.avg_body,
        });
        let docs = docs_json(cat, &self.index, (&tables, &bodies), names);
        let docs = files.add(Gzip::default().gzip(&docs, 9)?);
        let manifest = json!({ "version": 5, "docs": docs });
        let mut out = files.into_output();
        out.push((
            routes::SEARCH_MANIFEST.into(),
            manifest.to_string().into_bytes(),
        ));
        Ok(out)
    }
}

/// A document's gzipped snippet table, if it has articles.
type Table = Option<Vec<u8>>;

/// Index files named by their content.
#[derive(Default)]
struct Named(BTreeMap<String, Vec<u8>>);

impl Named {
    /// Keep `bytes`; their file name. Equal contents share one file.
    fn add(&mut self, bytes: Vec<u8>) -> String {
        let name = name_of(&bytes);
        self.0.entry(name.clone()).or_insert(bytes);
        name
    }

    /// [`Named::add`] for many files, named side by side: the postings are
    /// most of the index's bytes.
    fn add_all(&mut self, files: Vec<Vec<u8>>) -> Vec<String> {
        let names: Vec<String> = files.par_iter().map(|bytes| name_of(bytes)).collect();
        for (name, bytes) in names.iter().zip(files) {
            self.0.entry(name.clone()).or_insert(bytes);
        }
        names
    }

    /// The files by output path.
    fn into_output(self) -> Vec<(String, Vec<u8>)> {
        let files = self.0.into_iter();
        files
            .map(|(name, bytes)| (routes::search_file(&name), bytes))
            .collect()
    }
}

/// The file name of an index file holding `bytes`: its digest, shortened
/// (a name only has to differ when the bytes do, across a site's few
/// hundred index files).
fn name_of(bytes: &[u8]) -> String {
    format!("{:012x}.bin", crate::digest::bytes(bytes) >> 16)
}

/// 32-bit FNV-1a of `key`'s UTF-8; `search.js` computes the same.
pub fn fnv1a(key: &str) -> u32 {
    key.bytes().fold(0x811c_9dc5, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// A key's text, document count and encoded posting.
type Keyed = (String, u32, Vec<u8>);

/// Encoded postings, by file name: shard files by number with the length of
/// their directories, and the keys with a file of their own; the average
/// body length BM25 needs.
struct Postings {
    shards: Vec<(String, usize)>,
    own: Vec<(String, String)>,
    avg_body: f64,
}

/// Postings files, added to `files`: each key goes to a file of its own
/// (large postings) or to the shard of its hash. Takes the postings out of
/// `index`.
fn postings_files(index: &mut Index, files: &mut Named) -> Postings {
    let documents = index.docs.len() as u32;
    let mut keyed: Vec<Keyed> = Vec::new();
    // A partition at a time, its freed pages handed back before the next:
    // the maps and their encodings are never all in memory together.
    for partition in index.take_postings() {
        let encoded = partition.into_par_iter();
        keyed.par_extend(encoded.map(|(key, p)| (key.text(), p.docs, p.into_wire(documents))));
        crate::memory::release();
    }
    let total: usize = keyed.iter().map(|k| k.2.len()).sum();
    // A power of two: the count, and so every key's shard, stays put while
    // the index grows or shrinks by less than half.
    let count = (total / SHARD_BYTES).max(1).next_power_of_two();
    let (mut own, rest): (Vec<&Keyed>, Vec<&Keyed>) =
        keyed.iter().partition(|k| k.2.len() > OWN_FILE_BYTES);
    let mut members: Vec<Vec<&Keyed>> = vec![Vec::new(); count];
    for k in rest {
        members[fnv1a(&k.0) as usize % count].push(k);
    }
    // Keys in text order within each file: sorted shard by shard.
    let by_text = |a: &&Keyed, b: &&Keyed| a.0.cmp(&b.0);
    own.par_sort_unstable_by(by_text);
    members
        .par_iter_mut()
        .for_each(|m| m.sort_unstable_by(by_text));
    let docs = index.docs.len().max(1) as f64;
    let body: f64 = index.docs.iter().map(|d| f64::from(d.body_len)).sum();
    let (shards, heads): (Vec<Vec<u8>>, Vec<usize>) =
        members.par_iter().map(|list| shard_file(list)).unzip();
    let (keys, own): (Vec<String>, Vec<Vec<u8>>) = own
        .into_par_iter()
        .map(|k| (k.0.clone(), postings_file(&[k])))
        .unzip();
    Postings {
        shards: files.add_all(shards).into_iter().zip(heads).collect(),
        own: keys.into_iter().zip(files.add_all(own)).collect(),
        avg_body: (body / docs).round(),
    }
}

/// A shard: a directory (for each key, its length and text, its document
/// count and the posting's length), then the postings in the same order;
/// and the directory's length.
fn shard_file(keys: &[&Keyed]) -> (Vec<u8>, usize) {
    let mut bytes = Vec::with_capacity(keys.iter().map(|k| k.2.len() + 16).sum());
    for keyed in keys {
        entry_head(&mut bytes, keyed);
    }
    let head = bytes.len();
    for (_, _, posting) in keys {
        bytes.extend_from_slice(posting);
    }
    (bytes, head)
}

/// A file of one large posting: for each key, its length and text, its document count,
/// the posting's length and the posting.
fn postings_file(keys: &[&Keyed]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(keys.iter().map(|k| k.2.len() + 16).sum());
    for keyed in keys {
        entry_head(&mut bytes, keyed);
        bytes.extend_from_slice(&keyed.2);
    }
    bytes
}

/// One key's directory entry: its length and text, its document count and
/// its posting's length.
fn entry_head(bytes: &mut Vec<u8>, (key, docs, posting): &Keyed) {
    write_varint(bytes, key.len() as u32);
    bytes.extend_from_slice(key.as_bytes());
    write_varint(bytes, *docs);
    write_varint(bytes, posting.len() as u32);
}

/// The columns of a document's row in `docs.bin` before the fields of
/// [`FIELDS`] the search carries, and after them.
const LEADING: [&str; 2] = ["id", "title"];
const TRAILING: [&str; 5] = ["status", "head_end", "body_len", "table", "body"];

/// Metadata of every document (one row each, its `columns` named once),
/// facet values interned, with the length of its snippet table and where
/// its page's body starts; and `files`: the names of the other index files.
fn docs_json(
    cat: &Catalogue,
    index: &Index,
    (snippet_tables, bodies): (&[Option<Vec<u8>>], &[u32]),
    files: Value,
) -> Vec<u8> {
    let mut facets = Facets::default();
    let docs: Vec<Value> = cat
        .docs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut row = vec![json!(d.id.as_str()), json!(d.title)];
            for (field, cell) in d.meta.fields.cells() {
                match field.search {
                    InSearch::No => {}
                    InSearch::Value => row.push(json!(cell)),
                    InSearch::Facet => row.push(facets.intern(field.key, cell)),
                }
            }
            row.extend([
                json!(status_index(cat.computed[i].status)),
                json!(index.docs[i].head_end),
                json!(index.docs[i].body_len),
                json!(snippet_tables[i].as_ref().map_or(0, Vec::len)),
                json!(bodies[i]),
            ]);
            Value::Array(row)
        })
        .collect();
    let searched = FIELDS.iter().filter(|f| f.search != InSearch::No);
    let columns: Vec<&str> = (LEADING.into_iter())
        .chain(searched.map(|f| f.key))
        .chain(TRAILING)
        .collect();
    let keys = |keep: fn(Status) -> bool| {
        let kept = Status::ALL.into_iter().filter(|s| keep(*s));
        kept.map(Status::key).collect::<Vec<_>>()
    };
    json!({
        "statuses": keys(|_| true),
        // Shown unless the reader asks for more: what binds now or soon.
        "shown": keys(|s| s.in_force() || s == Status::Pending),
        "in_force": keys(Status::in_force),
        "facets": facets.names(),
        "columns": columns,
        "docs": docs,
        "files": files,
    })
    .to_string()
    .into_bytes()
}

/// The distinct values of each facet field, numbered in order of first use.
#[derive(Default)]
struct Facets(BTreeMap<&'static str, BTreeMap<String, usize>>);

impl Facets {
    /// The number of `cell`'s value among field `key`'s values; null if absent.
    fn intern(&mut self, key: &'static str, cell: Cell<'_>) -> Value {
        let text = cell.to_csv();
        let values = self.0.entry(key).or_default();
        if text.is_empty() {
            return Value::Null;
        }
        let n = values.len();
        json!(*values.entry(text).or_insert(n))
    }

    /// Each facet field's values, by number.
    fn names(self) -> BTreeMap<&'static str, Vec<String>> {
        let by_number = |values: BTreeMap<String, usize>| {
            let mut v: Vec<(String, usize)> = values.into_iter().collect();
            v.sort_by_key(|x| x.1);
            v.into_iter().map(|x| x.0).collect()
        };
        self.0.into_iter().map(|(k, v)| (k, by_number(v))).collect()
    }
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
    fn gzip(&mut self, bytes: &[u8], level: u32) -> Result<Vec<u8>, IndexError> {
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
        member(bytes, |input, out| {
            let before = enc.total_in();
            let status = enc.compress_vec(input, out, flate2::FlushCompress::Finish);
            let ended = status.map_err(|e| e.to_string())? == flate2::Status::StreamEnd;
            Ok(((enc.total_in() - before) as usize, ended))
        })
    }
}

/// A gzip member around the raw deflate stream `deflate` writes: each call
/// consumes a prefix of its input, appends to the output, and says how much
/// it consumed and whether the stream ended. A failed or stalled deflate is
/// an error, never a member with a torn stream under a valid trailer.
fn member(
    bytes: &[u8],
    mut deflate: impl FnMut(&[u8], &mut Vec<u8>) -> Result<(usize, bool), String>,
) -> Result<Vec<u8>, IndexError> {
    let mut out = Vec::with_capacity(bytes.len() / 2 + 64);
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    let mut done = 0;
    loop {
        out.reserve(bytes.len() / 4 + 64);
        let written = out.len();
        let (consumed, ended) = deflate(&bytes[done..], &mut out).map_err(IndexError)?;
        done += consumed;
        if ended {
            break;
        }
        if consumed == 0 && out.len() == written {
            return Err(IndexError("the compressor stopped making progress".into()));
        }
    }
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    Ok(out)
}

/// An index file could not be compressed: the index is not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexError(String);

impl std::fmt::Display for IndexError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot compress the search index: {}", self.0)
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
                flate2::read::GzDecoder::new(gz.gzip(text, level).unwrap().as_slice())
                    .read_to_end(&mut out)
                    .unwrap();
                assert_eq!(out, text);
            }
        }
    }

    #[test]
    fn a_failed_or_stalled_deflate_is_an_error_not_a_file() {
        let failing = member(b"abc", |_, out: &mut Vec<u8>| {
            out.push(0);
            Err("stream error".into())
        });
        assert_eq!(failing, Err(IndexError("stream error".into())));
        let stalled = member(b"abc", |_, _: &mut Vec<u8>| Ok((0, false)));
        assert!(stalled.unwrap_err().to_string().contains("progress"));
    }

    #[test]
    fn a_stale_index_is_given_up_and_a_fresh_one_is_the_full_one() {
        let docs = (0..40)
            .map(|i| {
                let text = format!(
                    "+++\ntitle = \"规定{i}\"\npublished = 2020-01-01\n+++\n第一条 内容{i}。\n"
                );
                let rel = std::path::PathBuf::from(format!("content/d{i}.md"));
                let mut diags = Vec::new();
                crate::content::parse_document(
                    &rel,
                    std::path::Path::new(&format!("d{i}.md")),
                    &text,
                    &mut diags,
                )
                .unwrap()
            })
            .collect();
        let content = crate::content::Content {
            documents: docs,
            ..Default::default()
        };
        let (cat, _) = Catalogue::build(content, "2026-01-01".parse().unwrap());
        let asked = std::sync::atomic::AtomicUsize::new(0);
        let stale_soon = || asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst) > 5;
        assert!(prepare_unless(&cat, &stale_soon).is_none());
        assert!(
            asked.into_inner() < 20,
            "stopped reading documents once stale"
        );
        let files = |p: Prepared| p.finish(&cat, &|_| None).unwrap();
        let fresh = prepare_unless(&cat, &|| false).map(files);
        assert_eq!(fresh, Some(files(prepare(&cat))));
    }

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(fnv1a(""), 0x811c_9dc5);
        assert_eq!(fnv1a("a"), 0xe40c_292c);
        assert_eq!(fnv1a("foobar"), 0xbf9c_f968);
    }
}
