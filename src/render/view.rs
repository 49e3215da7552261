//! View models: the serialisable shapes templates see, built once per build
//! from the catalogue (one `DocView` per document, shared by every page that
//! lists it).
//!
//! Only reshapes data; no Markdown, no templates, no I/O.

use chrono::NaiveDate;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Serialize;

use super::i18n::Strings;
use crate::catalogue::{Catalogue, Event, EventKind};
use crate::content::{Document, OriginKind, VersionKind};
use crate::model::{DocId, RelationKind, Status, fold};

/// Characters encoded in a URL path segment (non-ASCII is always encoded).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^')
    .add(b'[')
    .add(b']');

/// Percent-encode each `/`-separated segment of `path`.
pub fn encode_path(path: &str) -> String {
    path.split('/')
        .map(|s| utf8_percent_encode(s, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// Output file of a document's page, e.g. `docs/zuofeng/x/index.html`.
pub fn doc_page_file(id: &DocId) -> String {
    format!("docs/{id}/index.html")
}

/// Folder of a version page of a document, e.g. `docs/zuofeng/x/2018-03-20/`.
pub fn version_dir(id: &DocId, date: NaiveDate) -> String {
    format!("docs/{id}/{date}/")
}

/// Folder of the comparison of two versions, e.g. `docs/x/compare/2013-01-01/2018-03-20/`.
pub fn compare_dir(id: &DocId, from: NaiveDate, to: NaiveDate) -> String {
    format!("docs/{id}/compare/{from}/{to}/")
}

/// Site-relative URL of each version's page (`None` for a version without
/// one), aligned with `doc.versions`: the one place version URLs are made.
pub fn version_urls(doc: &Document) -> Vec<Option<String>> {
    let paged = doc.paged_versions();
    (0..doc.versions.len())
        .map(|k| {
            let date = doc.versions[k].date;
            paged
                .contains(&k)
                .then(|| encode_path(&version_dir(&doc.id, date)))
        })
        .collect()
}

/// The relations an act's annex lists show, in the order offices publish
/// them (决定废止的, 宣布失效的, 修改的文件目录; then what it supersedes).
pub const ANNEX_KINDS: [RelationKind; 4] = [
    RelationKind::Repeals,
    RelationKind::Invalidates,
    RelationKind::Amends,
    RelationKind::Supersedes,
];

/// File name of an annex list's download inside the act's folder, e.g.
/// `annex-repeals.csv`.
pub fn annex_file(kind: RelationKind, ext: &str) -> String {
    format!("annex-{}.{ext}", kind.key())
}

/// Every output file a document's pages occupy: its page, its version and
/// comparison pages, its annex downloads if it is an act, and redirects
/// from the ids of files merged into it (`ids_taken` tells which ids
/// belong to documents of their own).
pub fn doc_files(doc: &Document, ids_taken: impl Fn(&DocId) -> bool) -> Vec<String> {
    let mut files = vec![doc_page_file(&doc.id)];
    if doc.is_act() {
        let listed = |k: RelationKind| {
            doc.meta
                .relations
                .iter()
                .any(|r| r.kind == k && ids_taken(&r.target))
        };
        for kind in ANNEX_KINDS.into_iter().filter(|k| listed(*k)) {
            for ext in ["csv", "xlsx"] {
                files.push(format!("docs/{}/{}", doc.id, annex_file(kind, ext)));
            }
        }
    }
    let paged = doc.paged_versions();
    for (n, &k) in paged.iter().enumerate() {
        let date = doc.versions[k].date;
        files.push(format!("{}index.html", version_dir(&doc.id, date)));
        for &later in &paged[n + 1..] {
            let to = doc.versions[later].date;
            files.push(format!("{}index.html", compare_dir(&doc.id, date, to)));
        }
    }
    for (from, _) in doc.redirects.iter().filter(|(from, _)| !ids_taken(from)) {
        files.push(doc_page_file(from));
    }
    files
}

/// Site-relative URL path of a document page, e.g. `docs/a%2Fb/` … `docs/zuofeng/x/`.
pub fn doc_url(id: &DocId) -> String {
    format!("docs/{}/", encode_path(id.as_str()))
}

/// Longest facet slug in bytes: a path component must stay within the
/// 255-byte limit of common file systems, with room for a `-N` suffix.
const MAX_SLUG_BYTES: usize = 200;

/// A facet value turned into one safe, short path segment.
fn facet_slug(value: &str) -> String {
    let slug: String = value
        .trim()
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\') || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect();
    let slug = slug.trim_start_matches('.');
    let slug = &slug[..slug.floor_char_boundary(MAX_SLUG_BYTES)];
    if slug.is_empty() { "-" } else { slug }.to_owned()
}

/// One distinct path segment per facet value, in the values' order. A slug
/// that would land on an earlier one (`a/b` and `a-b`; `ABC` and `abc` on a
/// case-insensitive disk; NFC and NFD spellings; the listing's own
/// `index.html`) gets a `-2`, `-3`, … suffix instead of overwriting it.
pub fn facet_slugs<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut taken = std::collections::HashSet::from([fold("index.html")]);
    values
        .into_iter()
        .map(|value| {
            let base = facet_slug(value);
            (1..)
                .map(|n| match n {
                    1 => base.clone(),
                    n => format!("{base}-{n}"),
                })
                .find(|slug| taken.insert(fold(slug)))
                .unwrap_or_default()
        })
        .collect()
}

/// A status with its key (for CSS, URLs) and label (for readers).
#[derive(Debug, Clone, Serialize)]
pub struct StatusView {
    /// English key.
    pub key: &'static str,
    /// Localised label.
    pub label: &'static str,
    /// True when the document binds readers.
    pub in_force: bool,
}

impl StatusView {
    /// View of `status` in the site's language.
    pub fn new(status: Status, t: &Strings) -> StatusView {
        StatusView {
            key: status.key(),
            label: t.status(status),
            in_force: status.in_force(),
        }
    }
}

/// What every listing shows of a document.
#[derive(Debug, Clone, Serialize)]
pub struct DocView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Site-relative URL (prefix with `url()` in templates).
    pub url: String,
    /// 文号.
    pub number: Option<String>,
    /// 发文机关.
    pub issuer: Option<String>,
    /// 效力级别.
    pub level: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Summary.
    pub summary: Option<String>,
    /// Published date, ISO.
    pub published: Option<NaiveDate>,
    /// Effective date, ISO.
    pub effective: Option<NaiveDate>,
    /// Expiry date, ISO.
    pub expires: Option<NaiveDate>,
    /// Status as of the build date.
    pub status: StatusView,
    /// True for decisions and other acts.
    pub is_act: bool,
    /// True when the text is published (not a catalogue-only entry).
    pub has_text: bool,
}

/// Build the list-level view of every document, aligned with `cat.docs`.
pub fn doc_views(cat: &Catalogue, t: &Strings) -> Vec<DocView> {
    cat.docs
        .iter()
        .zip(&cat.computed)
        .map(|(doc, computed)| DocView {
            id: doc.id.to_string(),
            title: crate::markdown::nest_book_marks(&doc.title),
            url: doc_url(&doc.id),
            number: doc.meta.number.clone(),
            issuer: doc.meta.issuer.clone(),
            level: doc.meta.level.clone(),
            category: doc.meta.category.clone(),
            tags: doc.meta.tags.clone(),
            summary: doc.meta.summary.clone(),
            published: doc.meta.published,
            effective: doc.effective(),
            expires: doc.meta.expires,
            status: StatusView::new(computed.status, t),
            is_act: doc.is_act(),
            has_text: doc.origin == OriginKind::Markdown,
        })
        .collect()
}

/// Events of one day by one act (a decision repealing several documents),
/// shown together in 最近变动; events without an act stay alone.
#[derive(Debug, Clone, Serialize)]
pub struct EventGroup {
    /// Date of the events.
    pub date: NaiveDate,
    /// The act, if any.
    pub actor: Option<DocView>,
    /// The events, in the order given.
    pub events: Vec<EventView>,
}

/// At most `n` groups of events (newest first) sharing date and act.
pub fn group_events(events: Vec<EventView>, n: usize) -> Vec<EventGroup> {
    let mut groups: Vec<EventGroup> = Vec::new();
    for e in events {
        let same = groups.iter().position(|g| {
            g.date == e.date
                && e.actor.is_some()
                && g.actor.as_ref().map(|a| &a.id) == e.actor.as_ref().map(|a| &a.id)
        });
        if let Some(k) = same {
            groups[k].events.push(e);
        } else if groups.len() == n {
            break;
        } else {
            groups.push(EventGroup {
                date: e.date,
                actor: e.actor.clone(),
                events: vec![e],
            });
        }
    }
    groups
}

/// A dated event with the documents involved.
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    /// Event kind key.
    pub kind: &'static str,
    /// Localised label.
    pub label: &'static str,
    /// Date.
    pub date: NaiveDate,
    /// The document it happened to.
    pub target: DocView,
    /// The acting document, if any.
    pub actor: Option<DocView>,
    /// Reason given.
    pub reason: Option<String>,
    /// The act's name when it is not a document of the catalogue.
    pub act_name: Option<String>,
}

impl EventView {
    /// View of `e`, looking documents up in `views`.
    pub fn new(e: &Event, cat: &Catalogue, views: &[DocView], t: &Strings) -> Option<EventView> {
        let target = views.get(cat.find(&e.target)?)?.clone();
        let actor = e
            .actor
            .as_ref()
            .and_then(|a| cat.find(a))
            .and_then(|i| views.get(i))
            .cloned();
        Some(EventView {
            kind: e.kind.key(),
            label: t.event(e.kind),
            date: e.date,
            target,
            actor,
            reason: e.reason.clone(),
            act_name: e.act_name.clone(),
        })
    }
}

/// One version of a document as the timeline and version pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct VersionView {
    /// The version's date (promulgation), ISO.
    pub date: NaiveDate,
    /// In force from.
    pub effective: NaiveDate,
    /// In force until (the next version's effective date, or the end of
    /// the document's force), if it ended.
    pub until: Option<NaiveDate>,
    /// `original`, `revised` or `amended`.
    pub kind: VersionKind,
    /// Localised label (公布, 修订, 修正).
    pub label: &'static str,
    /// The amending act, as the history line names it.
    pub act: Option<String>,
    /// `in_force`, `historical` or `pending` on the build date.
    pub state: &'static str,
    /// Its page, if it has one (site-relative).
    pub url: Option<String>,
    /// True when its text is published.
    pub has_text: bool,
    /// The comparison with the previous version that has a text.
    pub compare_url: Option<String>,
    /// For a text computed from an amending act: the act.
    pub derived_act: Option<DocView>,
    /// True for the version whose text the document page shows.
    pub shown: bool,
}

/// Views of every version of document `i`, oldest first.
pub fn version_views(
    i: usize,
    cat: &Catalogue,
    views: &[DocView],
    t: &Strings,
) -> Vec<VersionView> {
    let doc = &cat.docs[i];
    let computed = &cat.computed[i];
    let in_force =
        crate::catalogue::versions::in_force_at(&doc.versions, computed.status, cat.as_of);
    let ended = computed
        .cause
        .as_ref()
        .filter(|e| e.kind.terminal_status().is_some())
        .map(|e| e.date);
    let paged = doc.paged_versions();
    let urls = version_urls(doc);
    let mut previous_text: Option<NaiveDate> = None;
    let mut out = Vec::with_capacity(doc.versions.len());
    for (k, v) in doc.versions.iter().enumerate() {
        let next = doc.versions.get(k + 1).map(|n| n.effective);
        // Until the next version, or the document's end if that is earlier;
        // a version due after the end never took effect.
        let until = match (next, ended) {
            (Some(n), Some(e)) => Some(n.min(e)),
            (n, e) => n.or(e),
        };
        let state = if Some(k) == in_force {
            "in_force"
        } else if v.effective > cat.as_of && ended.is_none_or(|e| v.effective < e) {
            "pending"
        } else {
            "historical"
        };
        let has_page = paged.contains(&k);
        out.push(VersionView {
            date: v.date,
            effective: v.effective,
            until,
            kind: v.kind,
            label: t.get(&format!("version_{}", kind_key(v.kind))),
            act: v.act.clone(),
            state,
            url: urls[k].clone(),
            has_text: v.text.is_some(),
            compare_url: previous_text
                .filter(|_| has_page)
                .map(|from| encode_path(&compare_dir(&doc.id, from, v.date))),
            derived_act: v
                .derived
                .as_ref()
                .and_then(|d| cat.find(&d.act))
                .map(|j| views[j].clone()),
            shown: Some(k) == doc.shown_version(),
        });
        if has_page {
            previous_text = Some(v.date);
        }
    }
    out
}

fn kind_key(kind: VersionKind) -> &'static str {
    match kind {
        VersionKind::Original => "original",
        VersionKind::Revised => "revised",
        VersionKind::Amended => "amended",
    }
}

/// The timeline of document `i`: its versions and, besides the events its
/// versions already stand for, every lifecycle event up to the build date.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    /// Date.
    pub date: NaiveDate,
    /// The version that begins on this date, if the entry is one.
    pub version: Option<VersionView>,
    /// The event, if the entry is one.
    pub event: Option<EventView>,
}

/// Timeline entries of document `i`, by date.
pub fn timeline(
    i: usize,
    cat: &Catalogue,
    versions: &[VersionView],
    views: &[DocView],
    t: &Strings,
) -> Vec<TimelineEntry> {
    let has_versions = !versions.is_empty();
    let stands_for_version = |e: &Event| {
        has_versions
            && (matches!(e.kind, EventKind::Promulgated | EventKind::Effective)
                || (e.kind == EventKind::Amended && e.actor.is_none()))
    };
    let mut entries: Vec<TimelineEntry> = versions
        .iter()
        .map(|v| TimelineEntry {
            date: v.date,
            version: Some(v.clone()),
            event: None,
        })
        .collect();
    entries.extend(
        cat.events[i]
            .iter()
            // A scheduled 施行 date is shown ahead of time (pending documents).
            .filter(|e| {
                (e.date <= cat.as_of || e.kind == EventKind::Effective) && !stands_for_version(e)
            })
            .filter_map(|e| EventView::new(e, cat, views, t))
            .map(|e| TimelineEntry {
                date: e.date,
                version: None,
                event: Some(e),
            }),
    );
    entries.sort_by_key(|e| e.date);
    entries
}

/// The sentence at the top of a document page: `before`, a link to `actor`, `after`.
#[derive(Debug, Clone, Serialize)]
pub struct Banner {
    /// Status shown.
    pub status: StatusView,
    /// Text before the actor link.
    pub before: String,
    /// The act that caused the status.
    pub actor: Option<DocView>,
    /// The act's name when it is not a document of the catalogue.
    pub act_name: Option<String>,
    /// Text after the actor link.
    pub after: String,
    /// The reason the act gave.
    pub reason: Option<String>,
}

impl Banner {
    /// Banner of document `i` from its computed status and cause.
    pub fn new(i: usize, cat: &Catalogue, views: &[DocView], t: &Strings) -> Banner {
        let computed = &cat.computed[i];
        let date = computed
            .cause
            .as_ref()
            .map(|e| e.date)
            .or(cat.docs[i].effective());
        let date_text = date.map(|d| t.date(d)).unwrap_or_default();
        let cause = computed.cause.as_ref();
        let unnamed = cause.is_some_and(|e| e.actor.is_none() && e.act_name.is_none());
        let pattern = if computed.status == Status::Amended && unnamed {
            t.get("banner_revised")
        } else {
            t.banner(computed.status)
        };
        let sentence = pattern.replace("{date}", &date_text);
        let actor = computed
            .cause
            .as_ref()
            .and_then(|e| e.actor.as_ref())
            .and_then(|a| cat.find(a))
            .map(|j| views[j].clone());
        let (before, after) = match sentence.split_once("{actor}") {
            Some((b, a)) => (b.to_owned(), a.to_owned()),
            None => (sentence, String::new()),
        };
        let reason = computed.cause.as_ref().and_then(|e| e.reason.clone());
        Banner {
            status: StatusView::new(computed.status, t),
            before,
            actor,
            act_name: cause.and_then(|e| e.act_name.clone()),
            after,
            reason,
        }
    }
}

/// A related document and the reason given for the relation.
#[derive(Debug, Clone, Serialize)]
pub struct Related {
    /// The other document.
    pub doc: DocView,
    /// Reason given, if any.
    pub reason: Option<String>,
}

/// Related documents under one heading ("Amended by", "Repeals", …).
#[derive(Debug, Clone, Serialize)]
pub struct RelationGroup {
    /// `supersedes`, `amends_in`, ….
    pub key: String,
    /// Localised heading.
    pub label: &'static str,
    /// True for relations pointing at this document.
    pub incoming: bool,
    /// The documents.
    pub docs: Vec<Related>,
}

/// Relations of document `i`, outgoing then incoming, empty groups omitted.
pub fn relation_groups(
    i: usize,
    cat: &Catalogue,
    views: &[DocView],
    t: &Strings,
) -> Vec<RelationGroup> {
    let mut groups = Vec::new();
    for kind in RelationKind::ALL {
        let docs: Vec<Related> = cat.outgoing[i]
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| Related {
                doc: views[r.to].clone(),
                reason: r.reason.clone(),
            })
            .collect();
        if !docs.is_empty() {
            groups.push(RelationGroup {
                key: kind.key().into(),
                label: t.relation(kind, false),
                incoming: false,
                docs,
            });
        }
    }
    for kind in RelationKind::ALL {
        let docs: Vec<Related> = cat.incoming[i]
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| Related {
                doc: views[r.from].clone(),
                reason: r.reason.clone(),
            })
            .collect();
        if !docs.is_empty() {
            groups.push(RelationGroup {
                key: format!("{}_in", kind.key()),
                label: t.relation(kind, true),
                incoming: true,
                docs,
            });
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicode_ids_are_percent_encoded_per_segment() {
        let id = DocId::new("行政法规/条例(2019-03-02)").unwrap();
        assert_eq!(
            doc_url(&id),
            "docs/%E8%A1%8C%E6%94%BF%E6%B3%95%E8%A7%84/%E6%9D%A1%E4%BE%8B(2019-03-02)/"
        );
        assert_eq!(encode_path("a b/c#d"), "a%20b/c%23d");
    }

    #[test]
    fn facet_slugs_cannot_nest_or_hide() {
        assert_eq!(facet_slug("中共青川市委/办公室"), "中共青川市委-办公室");
        assert_eq!(facet_slug("../x"), "-x");
        assert_eq!(facet_slug(".."), "-");
    }

    #[test]
    fn facet_slugs_never_collide_or_overflow_a_file_name() {
        let long = "机".repeat(100);
        let values = [
            "a/b",
            "a-b",
            "ABC",
            "abc",
            "caf\u{e9}",
            "cafe\u{301}",
            "index.html",
            &long,
        ];
        let slugs = facet_slugs(values);
        assert_eq!(
            slugs[..7],
            [
                "a-b",
                "a-b-2",
                "ABC",
                "abc-2",
                "caf\u{e9}",
                "cafe\u{301}-2",
                "index.html-2"
            ]
        );
        assert!(slugs[7].len() <= MAX_SLUG_BYTES);
    }
}

/// How many rows of a comparison changed in each way.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ChangeCounts {
    /// Reworded.
    pub changed: usize,
    /// New.
    pub added: usize,
    /// Removed.
    pub deleted: usize,
    /// Same text, new number.
    pub renumbered: usize,
}

impl ChangeCounts {
    /// Count the rows of a comparison (articles and other blocks alike).
    pub fn of(rows: &[crate::compare::Row]) -> ChangeCounts {
        use crate::compare::Change;
        let count = |c: Change| rows.iter().filter(|r| r.change == c).count();
        ChangeCounts {
            changed: count(Change::Changed),
            added: count(Change::Added),
            deleted: count(Change::Deleted),
            renumbered: count(Change::Renumbered),
        }
    }
}

/// A document citing this one, and the articles of this one it cites.
#[derive(Debug, Clone, Serialize)]
pub struct CitedBy {
    /// The citing document.
    pub doc: DocView,
    /// (label, anchor) of the articles cited, in first-cited order.
    pub articles: Vec<(String, String)>,
}

/// Who cites document `i`, in catalogue order.
pub fn cited_by(i: usize, cat: &Catalogue, views: &[DocView], t: &Strings) -> Vec<CitedBy> {
    cat.cited_by[i]
        .iter()
        .map(|(from, articles)| CitedBy {
            doc: views[*from].clone(),
            articles: articles
                .iter()
                .map(|&n| (t.article(n), crate::outline::Anchor::first(n).to_string()))
                .collect(),
        })
        .collect()
}
