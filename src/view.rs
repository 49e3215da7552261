//! View models: the serialisable shapes templates and `export` see, built
//! once per build from the catalogue (one `DocView` per document, shared by
//! every page that lists it).
//!
//! Only reshapes data; no Markdown, no templates, no I/O; URLs come from
//! `routes`.

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;

use crate::catalogue::{Catalogue, Event, EventKind};
use crate::content::fields::{FIELDS, Fields};
use crate::content::{OriginKind, VersionKind};
use crate::i18n::Strings;
use crate::model::{RelationKind, Status, VersionState};
use crate::routes::{compare_dir, doc_url, encode_path, version_urls};

/// A status with its key (for CSS, URLs) and label (for readers).
#[derive(Debug, Clone, Serialize, Hash)]
pub struct StatusView {
    /// The status; templates see its English key.
    #[serde(rename = "key")]
    pub status: Status,
    /// Localised label.
    pub label: &'static str,
    /// True when the document binds readers.
    pub in_force: bool,
}

impl StatusView {
    /// View of `status` in the site's language.
    pub fn new(status: Status, t: &Strings) -> StatusView {
        StatusView {
            status,
            label: t.status(status),
            in_force: status.in_force(),
        }
    }
}

/// What every listing shows of a document.
#[derive(Debug, Clone, Hash)]
pub struct DocView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Site-relative URL (prefix with `url()` in templates).
    pub url: String,
    /// The descriptive fields, `effective` defaulting to `published`;
    /// templates see each under its own name beside `id`, `title`, ….
    pub fields: Fields,
    /// Status as of the build date.
    pub status: StatusView,
    /// True for decisions and other acts.
    pub is_act: bool,
    /// True when the text is published (not a catalogue-only entry).
    pub has_text: bool,
}

/// Serialised by hand as one flat struct: `#[serde(flatten)]` would make it
/// a map, which rendered the corpus's listings 28% slower (54 ms against 42).
impl Serialize for DocView {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("DocView", 6 + FIELDS.len())?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("title", &self.title)?;
        st.serialize_field("url", &self.url)?;
        for (field, cell) in self.fields.cells() {
            st.serialize_field(field.key, &cell)?;
        }
        st.serialize_field("status", &self.status)?;
        st.serialize_field("is_act", &self.is_act)?;
        st.serialize_field("has_text", &self.has_text)?;
        st.end()
    }
}

/// Build the list-level view of every document, aligned with `cat.docs`.
pub fn doc_views(cat: &Catalogue, t: &Strings) -> Vec<DocView> {
    // Ten thousand documents, on every build and dev-server rebuild: share them out.
    (cat.docs.par_iter())
        .zip(&cat.computed)
        .map(|(doc, computed)| DocView {
            id: doc.id.to_string(),
            title: crate::markdown::nest_book_marks(&doc.title),
            url: doc_url(&doc.id),
            fields: Fields {
                effective: doc.effective(),
                ..doc.meta.fields.clone()
            },
            status: StatusView::new(computed.status, t),
            is_act: doc.is_act(),
            has_text: doc.origin == OriginKind::Markdown,
        })
        .collect()
}

/// Events of one day by one act (a decision repealing several documents),
/// shown together in 最近变动; events without an act stay alone.
#[derive(Debug, Clone, Serialize)]
pub struct EventGroup<'a> {
    /// Date of the events.
    pub date: NaiveDate,
    /// The act, if any.
    pub actor: Option<&'a DocView>,
    /// The events, in the order given.
    pub events: Vec<EventView<'a>>,
}

/// At most `n` groups of events (newest first) sharing date and act.
pub fn group_events(events: Vec<EventView<'_>>, n: usize) -> Vec<EventGroup<'_>> {
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
                actor: e.actor,
                events: vec![e],
            });
        }
    }
    groups
}

/// A dated event with the documents involved.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct EventView<'a> {
    /// Event kind key.
    pub kind: &'static str,
    /// Localised label.
    pub label: &'static str,
    /// Date.
    pub date: NaiveDate,
    /// The document it happened to.
    pub target: &'a DocView,
    /// The acting document, if any.
    pub actor: Option<&'a DocView>,
    /// Reason given.
    pub reason: Option<String>,
    /// The act's name when it is not a document of the catalogue.
    pub act_name: Option<String>,
}

impl<'a> EventView<'a> {
    /// View of `e`, looking documents up in `views`.
    pub fn new(
        e: &Event,
        cat: &Catalogue,
        views: &'a [DocView],
        t: &Strings,
    ) -> Option<EventView<'a>> {
        let target = views.get(cat.find(&e.target)?.get())?;
        let actor = e
            .actor
            .as_ref()
            .and_then(|a| cat.find(a))
            .and_then(|i| views.get(i.get()));
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
    /// Where it stands on the build date.
    pub state: VersionState,
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
            VersionState::InForce
        } else if v.effective > cat.as_of && ended.is_none_or(|e| v.effective < e) {
            VersionState::Pending
        } else {
            VersionState::Historical
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
pub struct TimelineEntry<'a> {
    /// Date.
    pub date: NaiveDate,
    /// The version that begins on this date, if the entry is one.
    pub version: Option<VersionView>,
    /// The event, if the entry is one.
    pub event: Option<EventView<'a>>,
}

/// Timeline entries of document `i`, by date.
pub fn timeline<'a>(
    i: usize,
    cat: &Catalogue,
    versions: &[VersionView],
    views: &'a [DocView],
    t: &Strings,
) -> Vec<TimelineEntry<'a>> {
    let has_versions = !versions.is_empty();
    let stands_for_version = |e: &Event| {
        has_versions
            && (matches!(e.kind, EventKind::Promulgated | EventKind::Effective)
                || (e.kind == EventKind::Amended && e.actor.is_none()))
    };
    // An act's amendment is the version it made: one entry, not two.
    let made_a_version = |e: &EventView| {
        e.kind == EventKind::Amended.key()
            && e.actor.is_some_and(|a| {
                versions.iter().any(|v| {
                    v.derived_act.as_ref().is_some_and(|d| d.id == a.id)
                        || v.act.as_deref() == Some(a.title.as_str())
                })
            })
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
            .filter(|e| !made_a_version(e))
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
    /// The relation.
    #[serde(skip)]
    pub kind: RelationKind,
    /// What templates see of `kind` and `incoming`: `supersedes`, `amends_in`, ….
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
    let outgoing = cat.outgoing[i].iter().map(|r| (r.kind, r.to, &r.reason));
    let incoming = cat.incoming[i].iter().map(|r| (r.kind, r.from, &r.reason));
    let both: [(bool, Vec<_>); 2] = [(false, outgoing.collect()), (true, incoming.collect())];
    let mut groups = Vec::new();
    for (incoming, related) in both {
        for kind in RelationKind::ALL {
            let docs: Vec<Related> = (related.iter())
                .filter(|(k, _, _)| *k == kind)
                .map(|(_, j, reason)| Related {
                    doc: views[*j].clone(),
                    reason: (*reason).clone(),
                })
                .collect();
            if docs.is_empty() {
                continue;
            }
            let key = match incoming {
                true => format!("{}_in", kind.key()),
                false => kind.key().into(),
            };
            let label = t.relation(kind, incoming);
            groups.push(RelationGroup {
                kind,
                key,
                label,
                incoming,
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
    fn relations_and_statuses_stay_typed_and_templates_see_their_keys() {
        let toml = "[[document]]\nid = \"old\"\npublished = 2010-01-01\n\
             [[document]]\nid = \"law\"\npublished = 2010-01-01\n\
             [[decision]]\nid = \"d\"\ndate = 2020-01-01\n\
             repeals = [\"old\"]\nbased_on = [\"law\"]\n";
        let path = std::path::Path::new("catalogue.toml");
        let (documents, _) = crate::content::catalogue_file::parse(path, toml);
        let content = crate::content::Content {
            documents,
            ..Default::default()
        };
        let (cat, _) = Catalogue::build(content, "2026-01-01".parse().unwrap());
        let t = Strings::new(crate::config::Language::ZhCn);
        let views = doc_views(&cat, &t);
        let at = |id: &str| cat.find(&crate::model::DocId::new(id).unwrap()).unwrap();
        assert_eq!(views[at("old")].status.status, Status::Repealed);
        let groups = relation_groups(at("d").get(), &cat, &views, &t);
        let kinds: Vec<_> = groups.iter().map(|g| (g.kind, g.incoming)).collect();
        assert_eq!(
            kinds,
            [
                (RelationKind::Repeals, false),
                (RelationKind::BasedOn, false)
            ]
        );
        let json = serde_json::to_value((&groups, &views[at("old")])).unwrap();
        assert_eq!(json[0][1]["key"], "based_on");
        assert_eq!(json[1]["status"]["key"], "repealed");
        assert_eq!(json[1]["status"]["in_force"], false);
        assert_eq!(serde_json::json!(VersionState::InForce), "in_force");
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
