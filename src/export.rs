//! Machine-readable outputs: `catalogue.json`, `catalogue.csv`,
//! `sitemap.xml`, the Atom `feed.xml` of lifecycle changes, `lifecycle.json`
//! (every dated event, for point-in-time views computed in the browser), and
//! the schema.org `Legislation` JSON-LD embedded in document pages.
//!
//! Serialises the computed catalogue; no templates, no Markdown. A
//! decision's annex lists and their downloads live in `annex`. Each
//! document's share of the large files is kept in [`Shares`], by id with
//! a digest of what it is made from, so that a build after a change to one
//! document serialises that document's share alone (and, in the dev
//! server, looks at no other document's).

pub mod annex;

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use chrono::NaiveDate;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::catalogue::{Catalogue, Event, EventKind};
use crate::config::Config;
use crate::content::fields::{Cell, FIELDS, Fields};
use crate::content::{Document, VersionKind};
use crate::model::{DocId, DocIdx, Status, VersionState};
use crate::routes::{self, version_urls};
use crate::view::{DocView, VersionView};

/// One document as published in `catalogue.json` (and, flattened, in the CSV).
#[derive(Serialize, Hash)]
struct Entry<'a> {
    id: &'a str,
    title: &'a str,
    #[serde(flatten)]
    fields: Catalogued<'a>,
    /// Absolute URL of the document page.
    url: String,
    /// Serialised as its English key (`current`, `repealed`, …).
    status: Status,
    /// Events up to the build date, oldest first.
    events: Vec<&'a Event>,
    /// Dated texts, oldest first (empty for a document with one text).
    versions: Vec<VersionEntry>,
    /// Citations its text makes of other documents.
    cites: Vec<CiteEntry<'a>>,
}

/// The fields of [`FIELDS`] that `catalogue.json` and `.csv` carry, in
/// table order.
struct Catalogued<'a>(&'a Fields);

impl<'a> Catalogued<'a> {
    fn cells(&self) -> impl Iterator<Item = (&'static str, Cell<'a>)> {
        let carried = self.0.cells().filter(|(f, _)| f.catalogue);
        carried.map(|(f, cell)| (f.key, cell))
    }
}

impl Hash for Catalogued<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.cells().for_each(|cell| cell.hash(h));
    }
}

impl Serialize for Catalogued<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.cells())
    }
}

/// The mentions of one document (and article) in a text, in `catalogue.json`.
#[derive(Serialize, Hash)]
struct CiteEntry<'a> {
    /// Id of the document cited.
    id: &'a str,
    /// The article named, if any.
    article: Option<u32>,
    /// How many times the text cites it so.
    count: usize,
}

/// Document `i`'s citations, by cited document (in catalogue order) and article.
fn cite_entries(i: usize, cat: &Catalogue) -> Vec<CiteEntry<'_>> {
    let mut counts: std::collections::BTreeMap<(DocIdx, Option<u32>), usize> = Default::default();
    for c in &cat.citations[i] {
        if let Some(j) = c.target {
            *counts.entry((j, c.article)).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .map(|((j, article), count)| CiteEntry {
            id: cat.docs[j].id.as_str(),
            article,
            count,
        })
        .collect()
}

/// One version of a document in `catalogue.json`.
#[derive(Serialize, Hash)]
struct VersionEntry {
    date: chrono::NaiveDate,
    effective: chrono::NaiveDate,
    /// How it arose: `original`, `revised`, `amended`.
    kind: VersionKind,
    /// The amending act named by the history line.
    act: Option<String>,
    /// Absolute URL of its page, when it has one.
    url: Option<String>,
    /// Whether its text is published.
    has_text: bool,
}

fn version_entries(doc: &Document, base: &str) -> Vec<VersionEntry> {
    doc.versions
        .iter()
        .zip(version_urls(doc))
        .map(|(v, url)| VersionEntry {
            date: v.date,
            effective: v.effective,
            kind: v.kind,
            act: v.act.clone(),
            url: url.map(|u| format!("{base}{u}")),
            has_text: v.text.is_some(),
        })
        .collect()
}

impl<'a> Entry<'a> {
    fn new(doc: &'a DocView, i: usize, cat: &'a Catalogue, base: &str) -> Entry<'a> {
        let events = &cat.events[i];
        Entry {
            id: &doc.id,
            title: &doc.title,
            fields: Catalogued(&doc.fields),
            url: format!("{base}{}", doc.url),
            status: doc.status.status,
            events: events.iter().filter(|e| e.date <= cat.as_of).collect(),
            versions: version_entries(&cat.docs[i], base),
            cites: cite_entries(i, cat),
        }
    }
}

/// One document in `lifecycle.json`: its events (all of them, future ones
/// too) and versions in the compact shape `static/lifecycle.js` reads;
/// statuses on any date follow from them exactly as `catalogue::lifecycle`
/// computes them.
#[derive(Serialize, Hash)]
struct LifecycleEntry<'a> {
    id: &'a str,
    published: Option<NaiveDate>,
    /// `[date, kind]`, by date.
    events: Vec<(NaiveDate, &'static str)>,
    /// `[date, effective, page url or null]`, oldest first.
    versions: Vec<(NaiveDate, NaiveDate, Option<String>)>,
}

impl<'a> LifecycleEntry<'a> {
    fn new(view: &'a DocView, i: usize, cat: &Catalogue) -> LifecycleEntry<'a> {
        let doc = &cat.docs[i];
        LifecycleEntry {
            id: &view.id,
            published: view.fields.published,
            events: cat.events[i]
                .iter()
                .map(|e| (e.date, e.kind.key()))
                .collect(),
            versions: doc
                .versions
                .iter()
                .zip(version_urls(doc))
                .map(|(v, url)| (v.date, v.effective, url))
                .collect(),
        }
    }
}

/// Everything one document puts into the large exports; its digest says
/// whether its [`Share`] can be reused.
#[derive(Hash)]
struct Record<'a> {
    entry: Entry<'a>,
    lifecycle: LifecycleEntry<'a>,
}

impl Record<'_> {
    fn digest(&self) -> u64 {
        crate::digest::of(self)
    }
}

/// One document's part of each large export, serialised.
struct Share {
    /// Its element of `catalogue.json`, indented as in the array.
    json: Vec<u8>,
    /// Its row of `catalogue.csv`.
    csv: Vec<u8>,
    /// Its element of `lifecycle.json`.
    lifecycle: Vec<u8>,
    /// Its `<url>` line of `sitemap.xml`.
    sitemap: Vec<u8>,
}

impl Share {
    fn of(record: &Record<'_>) -> Share {
        let entry = &record.entry;
        // Serialising plain data into a Vec cannot fail.
        let json = serde_json::to_vec_pretty(entry).unwrap_or_default();
        Share {
            json: indented(&json),
            csv: csv_record(csv_row(entry).map(inert_cell)),
            lifecycle: serde_json::to_vec(&record.lifecycle).unwrap_or_default(),
            sitemap: sitemap_line(&entry.url, entry.events.iter().map(|e| e.date).max())
                .into_bytes(),
        }
    }
}

/// Each document's [`Share`] of the last pass, by id, with its record's
/// digest. The dev server keeps them between builds and serialises only the
/// documents that changed (all of them took 40 ms on a 10,000-document
/// site, on every status change).
#[derive(Default, Clone)]
pub struct Shares(FxHashMap<DocId, (u64, Arc<Share>)>);

impl Shares {
    /// Forget the shares of `ids`: the next pass makes them afresh.
    pub fn forget<'i>(&mut self, ids: impl IntoIterator<Item = &'i DocId>) {
        for id in ids {
            self.0.remove(id);
        }
    }
}

/// Every machine-readable file, (output path, bytes), and the shares they
/// are made of. A document for which `fresh` is false takes its share from
/// `last` without a look at its record: the caller vouches that the record
/// is the one that share was made from. Any other document's record is
/// digested, and serialised if its digest is not the one in `last`.
pub fn files(
    cat: &Catalogue,
    views: &[DocView],
    config: &Config,
    last: &Shares,
    fresh: &(dyn Fn(usize) -> bool + Sync),
) -> (Vec<(String, Vec<u8>)>, Shares) {
    let base = config.absolute_base();
    let current: Vec<(u64, Arc<Share>)> = (views.par_iter().enumerate())
        .map(|(i, view)| {
            let last = last.0.get(&cat.docs[i].id);
            if let Some(last) = last.filter(|_| !fresh(i)) {
                return last.clone();
            }
            let record = Record {
                entry: Entry::new(view, i, cat, &base),
                lifecycle: LifecycleEntry::new(view, i, cat),
            };
            let key = record.digest();
            match last.filter(|(digest, _)| *digest == key) {
                Some(last) => last.clone(),
                None => (key, Arc::new(Share::of(&record))),
            }
        })
        .collect();
    let parts: Vec<&Share> = current.iter().map(|(_, share)| &**share).collect();
    let json = match parts.is_empty() {
        true => b"[]".to_vec(),
        false => joined("[\n  ", parts.iter().map(|p| &p.json), ",\n  ", "\n]"),
    };
    let files = vec![
        (routes::CATALOGUE_JSON.into(), json),
        (
            routes::LIFECYCLE_JSON.into(),
            joined("[", parts.iter().map(|p| &p.lifecycle), ",", "]"),
        ),
        (routes::CATALOGUE_CSV.into(), catalogue_csv(&parts)),
        (routes::SITEMAP.into(), sitemap(&parts, &base)),
        (routes::FEED.into(), feed(cat, views, config).into_bytes()),
    ];
    let ids = cat.docs.iter().map(|d| d.id.clone());
    (files, Shares(ids.zip(current).collect()))
}

/// `open`, the `parts` separated by `separator`, and `close`.
fn joined<'p>(
    open: &str,
    parts: impl Iterator<Item = &'p Vec<u8>> + Clone,
    separator: &str,
    close: &str,
) -> Vec<u8> {
    let len = parts
        .clone()
        .map(|p| p.len() + separator.len())
        .sum::<usize>();
    let mut out = Vec::with_capacity(open.len() + len + close.len());
    out.extend_from_slice(open.as_bytes());
    for (k, part) in parts.enumerate() {
        if k > 0 {
            out.extend_from_slice(separator.as_bytes());
        }
        out.extend_from_slice(part);
    }
    out.extend_from_slice(close.as_bytes());
    out
}

/// Pretty JSON indented one level further, as an element of a pretty array
/// (a line break inside a JSON string is always escaped).
fn indented(pretty: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(pretty.len() + pretty.len() / 8);
    for &b in pretty {
        out.push(b);
        if b == b'\n' {
            out.extend_from_slice(b"  ");
        }
    }
    out
}

fn catalogue_csv(parts: &[&Share]) -> Vec<u8> {
    let carried = FIELDS.iter().filter(|f| f.catalogue).map(|f| f.key);
    let header: Vec<&str> = ["id", "title"]
        .into_iter()
        .chain(carried)
        .chain(["status", "url", "events"])
        .collect();
    joined(
        "",
        std::iter::once(&csv_head(&header)).chain(parts.iter().map(|p| &p.csv)),
        "",
        "",
    )
}

/// An entry's cells in `catalogue.csv`, as written.
fn csv_row(e: &Entry<'_>) -> impl Iterator<Item = String> {
    let events: Vec<String> = e
        .events
        .iter()
        .map(|ev| {
            format!(
                "{} {}{}",
                ev.date,
                ev.kind.key(),
                ev.actor
                    .as_ref()
                    .map(|a| format!(" by {a}"))
                    .unwrap_or_default()
            )
        })
        .collect();
    let fields: Vec<String> = e.fields.cells().map(|(_, cell)| cell.to_csv()).collect();
    [e.id.to_owned(), e.title.to_owned()]
        .into_iter()
        .chain(fields)
        .chain([e.status.key().to_owned(), e.url.clone(), events.join("; ")])
}

/// CSV for spreadsheet programs: [`csv_head`], then `rows` with every
/// cell made inert.
pub fn spreadsheet_csv<R, C>(header: &[&str], rows: impl IntoIterator<Item = R>) -> Vec<u8>
where
    R: IntoIterator<Item = C>,
    C: Into<String>,
{
    let mut out = csv_head(header);
    for row in rows {
        out.extend(csv_record(row.into_iter().map(|c| inert_cell(c.into()))));
    }
    out
}

/// The start of a CSV for spreadsheet programs: a byte-order mark so they
/// read the Chinese as UTF-8, and the `header`.
fn csv_head(header: &[&str]) -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    out.extend(csv_record(header));
    out
}

/// One CSV line of `cells`, quoted where needed.
fn csv_record<C: AsRef<[u8]>>(cells: impl IntoIterator<Item = C>) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        // Writing into a Vec cannot fail.
        let _ = w.write_record(cells);
        let _ = w.flush();
    }
    out
}

/// A CSV cell a spreadsheet will show as text, never evaluate: a cell
/// starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading
/// `'` (OWASP's advice against CSV formula injection).
pub fn inert_cell(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

fn sitemap(parts: &[&Share], base: &str) -> Vec<u8> {
    let mut head = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in [routes::HOME, routes::CATALOGUE, routes::DECISIONS] {
        head.push_str(&sitemap_line(&format!("{base}{path}"), None));
    }
    let lines = parts.iter().map(|p| &p.sitemap);
    joined(&head, lines, "", "</urlset>\n")
}

/// The `<url>` line of `url` in `sitemap.xml`.
fn sitemap_line(url: &str, lastmod: Option<NaiveDate>) -> String {
    let lastmod = lastmod
        .map(|d| format!("<lastmod>{d}</lastmod>"))
        .unwrap_or_default();
    format!("  <url><loc>{}</loc>{lastmod}</url>\n", xml_escape(url))
}

/// Events on or before the build date, newest first, at most `n`.
pub fn recent_events(cat: &Catalogue, n: usize) -> Vec<&Event> {
    let mut events: Vec<&Event> = cat
        .events
        .iter()
        .flatten()
        .filter(|e| e.date <= cat.as_of && e.kind != EventKind::Effective)
        .collect();
    events.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.target.cmp(&b.target)));
    events.truncate(n);
    events
}

fn feed(cat: &Catalogue, views: &[DocView], config: &Config) -> String {
    let base = config.absolute_base();
    let t = crate::i18n::Strings::new(config.language);
    let events = recent_events(cat, 50);
    let updated = events.first().map_or(cat.as_of, |e| e.date);
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <title>{}</title>\n  <id>{}</id>\n  <link href=\"{}\"/>\n  <link rel=\"self\" href=\"{}{}\"/>\n  <updated>{updated}T00:00:00Z</updated>\n",
        config.language.tag(),
        xml_escape(&config.title),
        xml_escape(&base),
        xml_escape(&base),
        xml_escape(&base),
        routes::FEED,
    );
    for e in events {
        let Some(target) = cat.find(&e.target).map(|i| &views[i]) else {
            continue;
        };
        let actor = e
            .actor
            .as_ref()
            .and_then(|a| cat.find(a))
            .map(|i| &views[i]);
        let url = format!("{base}{}", target.url);
        let mut summary = format!("{} {}", t.date(e.date), t.event(e.kind));
        if let Some(actor) = actor {
            summary.push_str(&format!(" — {}", actor.title));
        }
        if let Some(reason) = &e.reason {
            summary.push_str(&format!(" — {}: {reason}", t.get("reason")));
        }
        xml.push_str(&format!(
            "  <entry>\n    <title>[{}] {}</title>\n    <id>{}#{}-{}</id>\n    <link href=\"{}\"/>\n    <updated>{}T00:00:00Z</updated>\n    <summary>{}</summary>\n  </entry>\n",
            xml_escape(t.event(e.kind)),
            xml_escape(&target.title),
            xml_escape(&url),
            e.kind.key(),
            e.date,
            xml_escape(&url),
            e.date,
            xml_escape(&summary),
        ));
    }
    xml.push_str("</feed>\n");
    xml
}

/// schema.org `Legislation` description of a document, safe to embed in `<script>`.
pub fn json_ld(doc: &DocView, version: Option<&VersionView>, config: &Config) -> String {
    let in_force = doc.status.in_force && version.is_none_or(|v| v.state == VersionState::InForce);
    let force = if in_force { "InForce" } else { "NotInForce" };
    let url = version.and_then(|v| v.url.as_deref()).unwrap_or(&doc.url);
    let mut value = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Legislation",
        "name": doc.title,
        "url": format!("{}{url}", config.absolute_base()),
        "legislationIdentifier": doc.fields.number,
        "legislationType": doc.fields.level,
        "legislationDate": doc.fields.published,
        "legislationDateOfApplicability": doc.fields.effective,
        "legislationPassedBy": doc.fields.issuer.as_ref().map(|i| serde_json::json!({"@type": "Organization", "name": i})),
        "legislationLegalForce": format!("https://schema.org/{force}"),
        "inLanguage": config.language.tag(),
    });
    if let Some(v) = version {
        value["legislationDateVersion"] = serde_json::json!(v.date);
    }
    // `<` escaped so no text can close the surrounding <script> element.
    value.to_string().replace('<', "\\u003c")
}

/// Escape text for XML content and attributes, dropping the characters
/// XML 1.0 forbids (reported as `control-character` warnings at the source).
pub fn xml_escape(text: &str) -> String {
    let allowed: String = text
        .chars()
        .filter(|&c| !crate::content::forbidden_in_xml(c))
        .collect();
    crate::markdown::escape_html(&allowed)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::content::{Content, catalogue_file};

    /// Documents `a` and `b`, `a` with `extra` front matter.
    fn catalogue(extra: &str) -> Catalogue {
        let text = format!(
            "[[document]]\nid = \"a\"\ntitle = \"甲\"\npublished = 2010-01-01\n{extra}\
             [[document]]\nid = \"b\"\ntitle = \"乙\"\npublished = 2011-01-01\n"
        );
        let (documents, problems) = catalogue_file::parse(Path::new("catalogue.toml"), &text);
        assert!(problems.is_empty(), "{problems:?}");
        let content = Content {
            documents,
            ..Content::default()
        };
        Catalogue::build(content, "2026-01-01".parse().unwrap()).0
    }

    #[test]
    fn kept_shares_give_what_fresh_shares_give() {
        let config = Config::default();
        let strings = crate::i18n::Strings::new(config.language);
        let mut shares = Shares::default();
        let edits = [
            "",
            "expires = 2020-01-01\n",
            "number = \"甲发〔2020〕1号\"\n",
            "",
        ];
        for extra in edits {
            let cat = catalogue(extra);
            let views = crate::view::doc_views(&cat, &strings);
            // Only `a` is edited: `b` keeps its share unseen.
            let edited = |i: usize| cat.docs[i].id.as_str() == "a";
            let kept;
            (kept, shares) = files(&cat, &views, &config, &shares, &edited);
            let (fresh, _) = files(&cat, &views, &config, &Shares::default(), &|_| true);
            assert_eq!(kept, fresh, "after {extra:?}");
            let json = String::from_utf8_lossy(&kept[0].1).into_owned();
            let expired = json.contains("\"status\": \"expired\"");
            assert_eq!(expired, extra.contains("expires"), "{json}");
        }
    }
}
