//! Machine-readable outputs: `catalogue.json`, `catalogue.csv`,
//! `sitemap.xml`, the Atom `feed.xml` of lifecycle changes, `lifecycle.json`
//! (every dated event, for point-in-time views computed in the browser), and
//! the schema.org `Legislation` JSON-LD embedded in document pages.
//!
//! Serialises the computed catalogue; no templates, no Markdown. A
//! decision's annex lists and their downloads live in `annex`.

pub mod annex;

use serde::Serialize;

use crate::catalogue::{Catalogue, Event, EventKind};
use crate::config::Config;
use crate::content::fields::{Cell, FIELDS, Fields};
use crate::content::{Document, VersionKind};
use crate::model::{DocIdx, Status, VersionState};
use crate::routes::{self, version_urls};
use crate::view::{DocView, VersionView};

/// One document as published in `catalogue.json` (and, flattened, in the CSV).
#[derive(Serialize)]
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

impl Serialize for Catalogued<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.cells())
    }
}

/// The mentions of one document (and article) in a text, in `catalogue.json`.
#[derive(Serialize)]
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
#[derive(Serialize)]
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

/// Every machine-readable file: (output path, bytes).
pub fn files(cat: &Catalogue, views: &[DocView], config: &Config) -> Vec<(String, Vec<u8>)> {
    let base = config.absolute_base();
    let entries: Vec<Entry<'_>> = views
        .iter()
        .enumerate()
        .map(|(i, doc)| Entry::new(doc, i, cat, &base))
        .collect();
    let json = serde_json::to_vec_pretty(&entries).unwrap_or_default();
    vec![
        (routes::CATALOGUE_JSON.into(), json),
        (routes::LIFECYCLE_JSON.into(), lifecycle(cat, views)),
        (routes::CATALOGUE_CSV.into(), csv(&entries)),
        (
            routes::SITEMAP.into(),
            sitemap(cat, views, &base).into_bytes(),
        ),
        (routes::FEED.into(), feed(cat, views, config).into_bytes()),
    ]
}

/// Every document's events (all of them, future ones too) and versions in
/// the compact shape `static/lifecycle.js` reads: statuses on any date
/// follow from them exactly as `catalogue::lifecycle` computes them.
fn lifecycle(cat: &Catalogue, views: &[DocView]) -> Vec<u8> {
    #[derive(Serialize)]
    struct Doc<'a> {
        id: &'a str,
        published: Option<chrono::NaiveDate>,
        /// `[date, kind]`, by date.
        events: Vec<(chrono::NaiveDate, &'static str)>,
        /// `[date, effective, page url or null]`, oldest first.
        versions: Vec<(chrono::NaiveDate, chrono::NaiveDate, Option<String>)>,
    }
    let docs: Vec<Doc<'_>> = views
        .iter()
        .zip(&cat.docs)
        .zip(&cat.events)
        .map(|((view, doc), events)| Doc {
            id: &view.id,
            published: view.fields.published,
            events: events.iter().map(|e| (e.date, e.kind.key())).collect(),
            versions: doc
                .versions
                .iter()
                .zip(version_urls(doc))
                .map(|(v, url)| (v.date, v.effective, url))
                .collect(),
        })
        .collect();
    serde_json::to_vec(&docs).unwrap_or_default()
}

fn csv(entries: &[Entry<'_>]) -> Vec<u8> {
    let carried = FIELDS.iter().filter(|f| f.catalogue).map(|f| f.key);
    let header: Vec<&str> = ["id", "title"]
        .into_iter()
        .chain(carried)
        .chain(["status", "url", "events"])
        .collect();
    let rows = entries.iter().map(|e| {
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
        let fields = e.fields.cells().map(|(_, cell)| cell.to_csv());
        [e.id.to_owned(), e.title.to_owned()]
            .into_iter()
            .chain(fields)
            .chain([e.status.key().to_owned(), e.url.clone(), events.join("; ")])
    });
    spreadsheet_csv(&header, rows)
}

/// CSV for spreadsheet programs: a byte-order mark so they read the
/// Chinese as UTF-8, the `header`, then `rows` with every cell made inert.
pub fn spreadsheet_csv<R, C>(header: &[&str], rows: impl IntoIterator<Item = R>) -> Vec<u8>
where
    R: IntoIterator<Item = C>,
    C: Into<String>,
{
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        // Writing into a Vec cannot fail.
        let _ = w.write_record(header);
        for row in rows {
            let _ = w.write_record(row.into_iter().map(|c| inert_cell(c.into())));
        }
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

fn sitemap(cat: &Catalogue, views: &[DocView], base: &str) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in [routes::HOME, routes::CATALOGUE, routes::DECISIONS] {
        xml.push_str(&format!(
            "  <url><loc>{}</loc></url>\n",
            xml_escape(&format!("{base}{path}"))
        ));
    }
    for (view, events) in views.iter().zip(&cat.events) {
        let lastmod = events
            .iter()
            .map(|e| e.date)
            .filter(|d| *d <= cat.as_of)
            .max();
        let lastmod = lastmod
            .map(|d| format!("<lastmod>{d}</lastmod>"))
            .unwrap_or_default();
        xml.push_str(&format!(
            "  <url><loc>{}</loc>{lastmod}</url>\n",
            xml_escape(&format!("{base}{}", view.url))
        ));
    }
    xml.push_str("</urlset>\n");
    xml
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
