//! The rule catalogue: every document indexed by id, relations turned into
//! dated events, contradictions reported, and each status computed as of the
//! build date.
//!
//! Takes loaded `Document`s, returns a `Catalogue`; never reads files or
//! renders. Status computation itself lives in `lifecycle` and is pure.

pub mod amendments;
pub mod citations;
pub mod cited;
pub mod lifecycle;
pub mod links;
mod names;
pub mod versions;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rustc_hash::FxHashMap;

use crate::content::{
    Content, Derived, Document, Relation, Section, Unreadable, Version, VersionKind, VersionText,
};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::{DocId, DocIdx, RelationKind, Status};
pub use lifecycle::{Event, EventKind, StatusAt};
use names::Names;

/// A relation seen from its target: "`from` supersedes/amends/… me".
#[derive(Debug, Clone)]
pub struct Incoming {
    /// What the other document does to this one.
    pub kind: RelationKind,
    /// The acting document.
    pub from: DocIdx,
    /// Reason given by the act.
    pub reason: Option<String>,
}

/// A relation as resolved: "I supersede/amend/… `to`", whether its target
/// was written as an id or a title.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// What this document does to the other.
    pub kind: RelationKind,
    /// The target.
    pub to: DocIdx,
    /// Reason given by the act.
    pub reason: Option<String>,
    /// Index of the relation in the document's `meta.relations` (its line).
    pub written: usize,
}

/// What `apply_act` needs of an amending act.
struct ActRef {
    id: DocId,
    path: std::path::PathBuf,
    title: String,
    body: crate::content::Body,
    /// The day its changes take effect.
    date: NaiveDate,
    /// The day it was published: the date of the version it makes.
    published: NaiveDate,
}

impl ActRef {
    fn of(doc: &Document) -> Option<ActRef> {
        let date = doc.effective()?;
        Some(ActRef {
            id: doc.id.clone(),
            path: doc.path.clone(),
            title: doc.title.clone(),
            body: doc.body.clone()?,
            date,
            published: doc.meta.fields.published.unwrap_or(date),
        })
    }

    /// A problem at `line` (0-based, in the body) of the act.
    fn problem(&self, line: usize, why: &str, error: bool) -> Diagnostic {
        let d = if error {
            Diagnostic::error(Code::Amendment, &self.path, why.to_owned())
        } else {
            Diagnostic::warning(Code::Amendment, &self.path, why.to_owned())
        };
        d.at_line(self.body.first_line + line).with_help(
            "write each change as README's “Amending acts” lists, e.g. 将第三条修改为：“…”",
        )
    }

    /// The version of the amended document that this act's text makes.
    fn version(
        &self,
        text: crate::content::Body,
        notes: Vec<crate::model::ArticleNote>,
        base: VersionText,
    ) -> Version {
        Version {
            date: self.published,
            effective: self.date,
            kind: VersionKind::Amended,
            act: Some(self.title.clone()),
            text: Some(VersionText { body: text, ..base }),
            derived: Some(Derived {
                act: self.id.clone(),
                act_path: self.path.clone(),
                notes,
            }),
        }
    }
}

/// Citations found in each text, kept across builds: valid while every
/// document's title and 文号 (in order) stay the same.
#[derive(Debug, Default)]
pub struct CitationCache {
    names_key: Option<u64>,
    /// The index of those names, built when a text first needs it (on a
    /// 10,000-document site it takes longer than everything else the
    /// catalogue computes, so an edit of one text must not rebuild it).
    names: std::sync::OnceLock<citations::Names>,
    /// By (document index, address of its text). The entry holds the text,
    /// so no other text can take that address while the entry lives; an
    /// unchanged file keeps its text between builds, an edited one gets a
    /// new one. (Keyed by a hash, every rebuild read all the texts again:
    /// 24 MB on the shared corpus.)
    found: FxHashMap<(usize, usize), (Arc<str>, Arc<citations::Found>)>,
}

fn text_address(text: &Arc<str>) -> usize {
    Arc::as_ptr(text).cast::<u8>() as usize
}

/// An amending act applied to a document, for `check --verbose`.
#[derive(Debug, Clone)]
pub struct AppliedAct {
    /// The act.
    pub act: DocId,
    /// The document it amends.
    pub target: DocId,
    /// How many instructions it gave.
    pub instructions: usize,
}

/// A document's computed status as of the build date.
#[derive(Debug, Clone)]
pub struct Computed {
    /// The status.
    pub status: Status,
    /// The event that set it.
    pub cause: Option<Event>,
}

/// All documents with their events, reverse relations and statuses.
#[derive(Debug)]
pub struct Catalogue {
    /// Every document, in load order.
    pub docs: Vec<Document>,
    /// Every section.
    pub sections: Vec<Section>,
    /// Events of each document, by date.
    pub events: Vec<Vec<Event>>,
    /// Relations pointing at each document.
    pub incoming: Vec<Vec<Incoming>>,
    /// Each document's own relations, resolved (the other direction of
    /// `incoming`; duplicates and unknown targets left out).
    pub outgoing: Vec<Vec<Outgoing>>,
    /// Status of each document as of `as_of`.
    pub computed: Vec<Computed>,
    /// The date statuses are computed for.
    pub as_of: NaiveDate,
    /// Every amending act whose instructions were applied.
    pub applied: Vec<AppliedAct>,
    /// Citations of other documents (and of its own articles) in each
    /// document's text, in text order.
    pub citations: Vec<Vec<cited::Citation>>,
    /// Documents citing each document, with the articles they cite.
    pub cited_by: Vec<Vec<(DocIdx, Vec<u32>)>>,
    /// Documents each document cites (the other direction of `cited_by`).
    pub cites: Vec<Vec<DocIdx>>,
    /// The links written in each document's texts that lead into the site,
    /// resolved (see [`Catalogue::link`]).
    pub links: Vec<Vec<links::LinkTo>>,
    /// Over all texts: `《…》` naming two documents, and naming none.
    pub unlinked: (usize, usize),
    /// Document files with errors: references to them are not errors of
    /// their own.
    pub unreadable: Vec<Unreadable>,
    index: FxHashMap<DocId, DocIdx>,
    names: Names,
    /// Every source file of every document, for links written to a file.
    by_source: FxHashMap<String, DocIdx>,
}

impl Catalogue {
    /// Index `content`, derive events, check them and compute statuses on `as_of`.
    pub fn build(content: Content, as_of: NaiveDate) -> (Catalogue, Diagnostics) {
        Catalogue::build_with(content, as_of, &mut CitationCache::default())
    }

    /// `build`, reusing the citations found in texts that have not changed
    /// since the cache was filled (the dev server keeps one across rebuilds).
    pub fn build_with(
        content: Content,
        as_of: NaiveDate,
        cache: &mut CitationCache,
    ) -> (Catalogue, Diagnostics) {
        let mut diags = Diagnostics::default();
        let Content {
            documents,
            sections,
            unreadable,
        } = content;
        let mut documents = versions::gather(documents, &unreadable, as_of, &mut diags);
        let index = index_documents(&mut documents, &mut diags);
        let (checked, names) =
            rayon::join(|| check_documents(&documents), || Names::new(&documents));
        diags.extend(checked);
        let mut cat = Catalogue {
            events: vec![Vec::new(); documents.len()],
            incoming: vec![Vec::new(); documents.len()],
            outgoing: vec![Vec::new(); documents.len()],
            computed: Vec::new(),
            docs: documents,
            sections,
            as_of,
            applied: Vec::new(),
            citations: Vec::new(),
            cited_by: Vec::new(),
            cites: Vec::new(),
            links: Vec::new(),
            unlinked: (0, 0),
            unreadable,
            index,
            names,
            by_source: FxHashMap::default(),
        };
        cat.add_own_events(&mut diags);
        cat.add_relation_events(&mut diags);
        cat.apply_amendments(&mut diags);
        check_version_urls(&cat, &mut diags);
        cat.by_source = links::by_source(&cat.docs);
        cat.find_citations(cache, &mut diags);
        cat.add_version_events();
        check_supersession_cycles(&cat, &mut diags);
        for events in &mut cat.events {
            events.sort_by_key(|e| (e.date, e.kind));
        }
        cat.computed = cat
            .events
            .iter()
            .map(|events| {
                let at = lifecycle::status_at(events, as_of);
                Computed {
                    status: at.status,
                    cause: at.cause.cloned(),
                }
            })
            .collect();
        cat.check_declared_status(&mut diags);
        cited::check_in_force(&cat, &mut diags);
        (cat, diags)
    }

    /// True when `id` (or the file at `path`, site-relative) belongs to a
    /// document file whose own error is already reported.
    pub fn is_unreadable(&self, id: &str, path: Option<&std::path::Path>) -> bool {
        self.unreadable
            .iter()
            .any(|u| u.ids.iter().any(|i| i == id) || Some(u.path.as_path()) == path)
    }

    /// The document with `id`.
    pub fn find(&self, id: &DocId) -> Option<DocIdx> {
        self.index.get(id).copied()
    }

    /// Every document's index, in catalogue order.
    pub fn indices(&self) -> impl Iterator<Item = DocIdx> + use<> {
        (0..self.docs.len()).map(DocIdx::new)
    }

    /// Status of every document on another date, from the same events.
    pub fn statuses_on(&self, on: NaiveDate) -> Vec<Status> {
        self.events
            .iter()
            .map(|e| lifecycle::status_at(e, on).status)
            .collect()
    }

    fn add_own_events(&mut self, diags: &mut Diagnostics) {
        for (i, doc) in self.docs.iter().enumerate() {
            let own = |kind, date| Event {
                target: doc.id.clone(),
                kind,
                date,
                actor: None,
                reason: None,
                act_name: None,
            };
            let m = &doc.meta;
            if let (Some(p), Some(e)) = (m.fields.published, m.fields.effective)
                && e < p
            {
                diags.push(
                    Diagnostic::error(
                        Code::EffectiveBeforePublished,
                        &doc.path,
                        format!(
                            "`{}` takes effect ({e}) before it is published ({p})",
                            doc.id
                        ),
                    )
                    .at_line(doc.line_of("effective"))
                    .with_help("check `published` and `effective`"),
                );
            }
            if let Some(p) = m.fields.published {
                self.events[i].push(own(EventKind::Promulgated, p));
            }
            if let Some(e) = doc.effective() {
                self.events[i].push(own(EventKind::Effective, e));
            }
            if let Some(x) = m.fields.expires {
                self.events[i].push(own(EventKind::Expired, x));
            }
            // A date that was written but is invalid already has its error.
            let date_written = ["published", "date"]
                .iter()
                .any(|k| m.lines.contains_key(*k));
            if m.fields.published.is_none()
                && !date_written
                && doc.origin != crate::content::OriginKind::Decision
            {
                diags.push(
                    Diagnostic::warning(
                        Code::MissingMetadata,
                        &doc.path,
                        format!("`{}` has no date", doc.id),
                    )
                    .at_line(doc.line)
                    .with_help("add `published = YYYY-MM-DD` so its status can be computed"),
                );
            }
        }
    }

    /// Apply, in date order, the instructions of every act that amends one
    /// document to the text in force before the act: each yields a new,
    /// derived version of that document.
    fn apply_amendments(&mut self, diags: &mut Diagnostics) {
        for target in 0..self.docs.len() {
            let mut acts: Vec<DocIdx> = self.incoming[target]
                .iter()
                .filter(|r| r.kind == RelationKind::Amends)
                .map(|r| r.from)
                .filter(|&a| self.docs[a].body.is_some() && amends_one(&self.docs[a]))
                .collect();
            acts.sort_by_key(|&a| (self.docs[a].effective(), a));
            let mut derived = false;
            for act in acts {
                derived |= self.apply_act(act.get(), target, diags);
            }
            if derived {
                versions::show_in_force(&mut self.docs[target], self.as_of);
            }
        }
    }

    /// Derive `target`'s text after act `a`; true if a version was added.
    /// Whatever stops it is reported: nothing is skipped silently.
    fn apply_act(&mut self, a: usize, target: usize, diags: &mut Diagnostics) -> bool {
        let Some(act) = ActRef::of(&self.docs[a]) else {
            return false; // undated: already an `undated-act` error
        };
        let doc = &self.docs[target];
        let Some(parsed) = instructions(&act, doc, diags) else {
            return false;
        };
        let mut all = if doc.versions.is_empty() {
            vec![versions::text_version(doc)]
        } else {
            doc.versions.clone()
        };
        let by_hand = all.iter().position(|v| {
            v.derived.is_none()
                && v.text.is_some()
                && (v.date == act.published || v.effective == act.date)
        });
        let Some(base) = base_before(&all, by_hand, &act) else {
            let why = format!(
                "`{}` has no text in force before {}, so it cannot be consolidated",
                doc.id, act.date
            );
            diags.push(act.problem(0, &why, false));
            return false;
        };
        let Some((text, notes)) = consolidate(&act, &parsed, base, doc, diags) else {
            return false;
        };
        if let Some(hand) = by_hand.and_then(|k| all[k].text.as_ref()) {
            compare_by_hand(&text, &hand.body, doc, &act.path, diags);
            return false;
        }
        let base_text = base.text.clone().unwrap_or_else(|| unreachable!());
        let version = act.version(text, notes, base_text);
        all.retain(|v| v.date != act.published || v.text.is_some());
        all.push(version);
        all.sort_by_key(|v| (v.effective, v.date));
        self.docs[target].versions = all;
        self.applied.push(AppliedAct {
            act: act.id,
            target: self.docs[target].id.clone(),
            instructions: parsed.instructions.len(),
        });
        true
    }

    /// Find every citation in the texts shown, and who cites whom.
    fn find_citations(&mut self, cache: &mut CitationCache, diags: &mut Diagnostics) {
        let found = self.mentions(cache);
        self.link_citing(&found, diags);
        self.resolve_citations(found, diags);
    }

    /// The mentions of other documents in each text shown, from `cache`
    /// for texts unchanged since it was filled (which it then holds).
    fn mentions(&self, cache: &mut CitationCache) -> Vec<Arc<citations::Found>> {
        let names_of =
            || (self.docs.iter()).map(|d| (d.title.as_str(), d.meta.fields.number.as_deref()));
        let names_key = crate::digest::of(&names_of().collect::<Vec<_>>());
        if cache.names_key != Some(names_key) {
            *cache = CitationCache {
                names_key: Some(names_key),
                ..CitationCache::default()
            };
        }
        let names = || {
            cache
                .names
                .get_or_init(|| citations::Names::new(names_of()))
        };
        let length = |i: usize| {
            self.docs[i]
                .body
                .as_ref()
                .map_or(0, |b| b.markdown.len() as u64)
        };
        let found = crate::parallel::map_largest_first(&self.docs, length, |i, d| {
            let Some(body) = &d.body else {
                return Arc::default();
            };
            match cache.found.get(&(i, text_address(&body.markdown))) {
                Some((_, found)) => found.clone(),
                None => Arc::new(citations::find(&body.markdown, i, names())),
            }
        });
        cache.found = (self.docs.iter().enumerate())
            .zip(&found)
            .filter_map(|((i, d), f)| {
                let text = &d.body.as_ref()?.markdown;
                Some(((i, text_address(text)), (text.clone(), f.clone())))
            })
            .collect();
        found
    }

    /// Who cites whom, by written link or mention, both ways; `《…》`
    /// naming two documents is a note.
    fn link_citing(&mut self, found: &[Arc<citations::Found>], diags: &mut Diagnostics) {
        self.cited_by = vec![Vec::new(); self.docs.len()];
        self.links = (0..self.docs.len())
            .map(|from| self.written_links(from, diags))
            .collect();
        for (from, f) in found.iter().enumerate() {
            let citing = DocIdx::new(from);
            for to in &self.links[from] {
                let article = to.article().map(|a| a.number);
                cite(&mut self.cited_by[to.doc], citing, article);
            }
            self.unlinked.0 += f.ambiguous.len();
            self.unlinked.1 += f.unknown.len();
            cited::ambiguous(&self.docs, &self.docs[from], &f.ambiguous, diags);
            for m in &f.mentions {
                if let Some(to) = m.target {
                    cite(&mut self.cited_by[to], citing, m.article);
                }
            }
        }
        self.cites = vec![Vec::new(); self.docs.len()];
        for (to, list) in self.cited_by.iter().enumerate() {
            for (from, _) in list {
                self.cites[*from].push(DocIdx::new(to));
            }
        }
    }

    /// Each text's mentions as citations of a document's version and
    /// article (`本法` spans the other parts of its code, same title).
    fn resolve_citations(&mut self, found: Vec<Arc<citations::Found>>, diags: &mut Diagnostics) {
        let mut by_title: FxHashMap<&str, Vec<DocIdx>> = FxHashMap::default();
        for (i, d) in self.docs.iter().enumerate() {
            by_title
                .entry(d.title.as_str())
                .or_default()
                .push(DocIdx::new(i));
        }
        let citations = (found.into_iter().enumerate())
            .map(|(from, f)| {
                let same_title = &by_title[self.docs[from].title.as_str()];
                let parts: Vec<DocIdx> = same_title
                    .iter()
                    .copied()
                    .filter(|&p| p.get() != from)
                    .collect();
                cited::resolve(&self.docs, from, &parts, &f.mentions, diags)
            })
            .collect();
        self.citations = citations;
    }

    /// Each version after the first amends the document on its effective
    /// date, unless an act in the catalogue already does so that day.
    /// A version that an act of the catalogue amends into being is of kind
    /// `amended`.
    fn add_version_events(&mut self) {
        for (doc, events) in self.docs.iter_mut().zip(&mut self.events) {
            for v in doc.versions.iter_mut().skip(1) {
                let by_act = events
                    .iter()
                    .any(|e| e.kind == EventKind::Amended && e.date == v.effective);
                if by_act {
                    v.kind = crate::content::VersionKind::Amended;
                } else {
                    events.push(Event {
                        target: doc.id.clone(),
                        kind: EventKind::Amended,
                        date: v.effective,
                        actor: None,
                        reason: None,
                        act_name: v.act.clone(),
                    });
                }
            }
        }
    }

    /// Resolve every relation both ways, and add the events acts cause.
    fn add_relation_events(&mut self, diags: &mut Diagnostics) {
        let mut ended_by: FxHashMap<DocIdx, (usize, RelationKind)> = FxHashMap::default();
        for actor in 0..self.docs.len() {
            let mut seen: FxHashMap<(DocIdx, bool), usize> = FxHashMap::default();
            for written in 0..self.docs[actor].meta.relations.len() {
                if let Some(target) = self.link_relation(actor, written, &mut seen, diags) {
                    self.add_act_event(actor, written, target, &mut ended_by, diags);
                }
            }
        }
    }

    /// Record relation `written` of `actor` in `outgoing` and `incoming`;
    /// its target, unless it has none or was listed already (`seen`).
    fn link_relation(
        &mut self,
        actor: usize,
        written: usize,
        seen: &mut FxHashMap<(DocIdx, bool), usize>,
        diags: &mut Diagnostics,
    ) -> Option<DocIdx> {
        let rel = &self.docs[actor].meta.relations[written];
        let target = self.resolve(actor, rel, diags)?;
        let based_on = rel.kind == RelationKind::BasedOn;
        if let Some(first_line) = seen.insert((target, based_on), rel.line) {
            let message = format!(
                "`{}` is listed twice (first on line {first_line})",
                self.docs[target].id
            );
            let d = self.rel_error(actor, rel, Code::DuplicateTarget, message);
            diags.push(d.with_help("an act does one thing to a document: keep one entry"));
            return None;
        }
        let (kind, reason) = (rel.kind, rel.reason.clone());
        let from = DocIdx::new(actor);
        self.incoming[target].push(Incoming { kind, from, reason });
        let reason = rel.reason.clone();
        let to = target;
        self.outgoing[actor].push(Outgoing {
            kind,
            to,
            reason,
            written,
        });
        Some(target)
    }

    /// The event relation `written` of `actor` causes to `target`, if any;
    /// an act dated before its target or ending it a second time
    /// (`ended_by`) is reported.
    fn add_act_event(
        &mut self,
        actor: usize,
        written: usize,
        target: DocIdx,
        ended_by: &mut FxHashMap<DocIdx, (usize, RelationKind)>,
        diags: &mut Diagnostics,
    ) {
        let rel = &self.docs[actor].meta.relations[written];
        let Some(kind) = event_kind(rel.kind) else {
            return;
        };
        let Some(date) = self.act_date(actor, rel, diags) else {
            return;
        };
        if let Some(published) = self.docs[target]
            .meta
            .fields
            .published
            .filter(|p| date < *p)
        {
            let message = format!(
                "acts on `{}` on {date}, before it was published on {published}",
                rel.target
            );
            diags.push(self.rel_error(actor, rel, Code::EventBeforePublication, message));
        }
        if matches!(kind, EventKind::Repealed | EventKind::DeclaredInvalid)
            && let Some((first, first_kind)) = ended_by.insert(target, (actor, rel.kind))
        {
            let message = format!(
                "`{}` is already {} by `{}`",
                rel.target,
                past_tense(first_kind),
                self.docs[first].id
            );
            diags.push(self.rel_error(actor, rel, Code::ConflictingEvents, message));
        }
        let event = Event {
            target: self.docs[target].id.clone(),
            kind,
            date,
            actor: Some(self.docs[actor].id.clone()),
            reason: rel.reason.clone(),
            act_name: None,
        };
        self.events[target].push(event);
    }

    /// Index of a relation's target, or a diagnostic suggesting the closest
    /// id. A target named by a document's exact title resolves, with a warning.
    fn resolve(&self, actor: usize, rel: &Relation, diags: &mut Diagnostics) -> Option<DocIdx> {
        match self
            .find(&rel.target)
            .or_else(|| self.names.by_title(rel.target.as_str()))
        {
            Some(t) if t == DocIdx::new(actor) => {
                diags.push(self.rel_error(
                    actor,
                    rel,
                    Code::SelfReference,
                    format!("`{}` {} itself", rel.target, rel.kind.key()),
                ));
                None
            }
            Some(t) if self.docs[t].id != rel.target => {
                let id = &self.docs[t].id;
                diags.push(
                    Diagnostic::warning(
                        Code::RelationByTitle,
                        &self.docs[actor].path,
                        format!("`{}` names `{}` by its title", rel.kind.key(), rel.target),
                    )
                    .at(rel.line, rel.column)
                    .with_help(format!("write its id `{id}`: titles change, ids do not")),
                );
                Some(t)
            }
            Some(t) => Some(t),
            None if self.is_unreadable(rel.target.as_str(), None) => None,
            None => {
                let mut d = self.rel_error(
                    actor,
                    rel,
                    Code::UnknownReference,
                    format!("`{}` lists unknown id `{}`", rel.kind.key(), rel.target),
                );
                if let Some(hint) = self.suggest(rel.target.as_str()) {
                    let title = &self.docs[self.find(hint)?].title;
                    d = d.with_help(if title == hint.as_str() {
                        format!("did you mean `{hint}`?")
                    } else {
                        format!("did you mean `{hint}` ({title})?")
                    });
                }
                diags.push(d);
                None
            }
        }
    }

    /// The id closest to `raw`, comparing it with the ids, titles and
    /// document numbers of the documents sharing its rarest character pairs.
    pub fn suggest(&self, raw: &str) -> Option<&DocId> {
        let score = |d: &Document| {
            [
                Some(d.id.as_str()),
                Some(d.title.as_str()),
                d.meta.fields.number.as_deref(),
            ]
            .into_iter()
            .flatten()
            .map(|s| similarity(raw, s))
            .fold(0.0, f64::max)
        };
        self.names
            .candidates(&self.docs, raw)
            .into_iter()
            .map(|i| (score(&self.docs[i]), i))
            .filter(|(score, _)| *score > 0.5)
            // On a tie the later document wins, as in load order.
            .max_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .map(|(_, i)| &self.docs[i].id)
    }

    fn act_date(&self, actor: usize, rel: &Relation, diags: &mut Diagnostics) -> Option<NaiveDate> {
        let date = self.docs[actor].effective();
        if date.is_none() {
            diags.push(
                self.rel_error(
                    actor,
                    rel,
                    Code::UndatedAct,
                    format!(
                        "`{}` acts on `{}` but has no date",
                        self.docs[actor].id, rel.target
                    ),
                )
                .with_help("give the act `published`/`effective` (or `date` for a decision)"),
            );
        }
        date
    }

    fn rel_error(&self, actor: usize, rel: &Relation, code: Code, message: String) -> Diagnostic {
        Diagnostic::error(code, &self.docs[actor].path, message).at(rel.line, rel.column)
    }

    fn check_declared_status(&self, diags: &mut Diagnostics) {
        for (doc, computed) in self.docs.iter().zip(&self.computed) {
            if let Some(declared) = doc.meta.status.filter(|s| *s != computed.status) {
                diags.push(
                    Diagnostic::error(
                        Code::StatusMismatch,
                        &doc.path,
                        format!(
                            "`{}` says status = \"{}\" but its events make it `{}` on {}",
                            doc.id,
                            declared.key(),
                            computed.status.key(),
                            self.as_of
                        ),
                    )
                    .at_line(doc.line_of("status"))
                    .with_help("remove `status` (it is computed) or add the act that causes it"),
                );
            }
        }
    }
}

/// A document whose id lies where another document's version or comparison
/// pages go (`a/2020-01-01`, `a/compare/…` beside a document `a` with
/// versions) would overwrite them.
fn check_version_urls(cat: &Catalogue, diags: &mut Diagnostics) {
    for doc in &cat.docs {
        let id = doc.id.as_str();
        for (cut, _) in id.match_indices('/') {
            let Some(owner) = DocId::new(&id[..cut]).ok().and_then(|p| cat.find(&p)) else {
                continue;
            };
            let owner = &cat.docs[owner];
            let first = id[cut + 1..].split('/').next().unwrap_or_default();
            let taken = owner
                .paged_versions()
                .iter()
                .any(|&k| owner.versions[k].date.to_string() == first);
            if taken || (first == "compare" && !owner.paged_versions().is_empty()) {
                diags.push(
                    Diagnostic::error(
                        Code::UrlCollision,
                        &doc.path,
                        format!("`{id}` is where a version page of `{}` goes", owner.id),
                    )
                    .at_line(doc.line_of("id"))
                    .with_help("give the document another id"),
                );
            }
        }
    }
}

/// The content folder (with a trailing `/`) a Markdown document's path
/// starts with: its path less its section and file name.
fn content_dir(doc: &Document) -> Option<String> {
    let path = crate::content::slash_path(&doc.path);
    let file = path.rsplit('/').next()?;
    let under = match doc.section.as_str() {
        "" => file.to_owned(),
        section => format!("{section}/{file}"),
    };
    path.strip_suffix(&under).map(str::to_owned)
}

/// Record that `from` cites the document whose list is `cited_by` (and
/// `article` of it, if named).
fn cite(cited_by: &mut Vec<(DocIdx, Vec<u32>)>, from: DocIdx, article: Option<u32>) {
    let k = match cited_by.iter().position(|(f, _)| *f == from) {
        Some(k) => k,
        None => {
            cited_by.push((from, Vec::new()));
            cited_by.len() - 1
        }
    };
    if let Some(n) = article.filter(|n| !cited_by[k].1.contains(n)) {
        cited_by[k].1.push(n);
    }
}

/// True for an act whose `amends` names one document and that does nothing
/// else: its instructions (`将第三条修改为…`) then can only mean that
/// document. A clean-up decision that also repeals or invalidates documents
/// only announces revisions, whose texts are published separately.
fn amends_one(act: &Document) -> bool {
    let kinds = || act.meta.relations.iter().map(|r| r.kind);
    kinds().filter(|&k| k == RelationKind::Amends).count() == 1
        && !kinds().any(|k| matches!(k, RelationKind::Repeals | RelationKind::Invalidates))
}

/// The instructions of `act` for `doc`, or `None` (reported) when they
/// cannot be read or there are none.
fn instructions(
    act: &ActRef,
    doc: &Document,
    diags: &mut Diagnostics,
) -> Option<amendments::Parsed> {
    let parsed = amendments::parse(&act.body.markdown);
    for (line, why) in &parsed.problems {
        diags.push(act.problem(*line, why, true));
    }
    if !parsed.problems.is_empty() {
        return None;
    }
    if parsed.instructions.is_empty() {
        let why = format!(
            "amends `{}` but gives no instruction gazette can apply, so its text is not consolidated",
            doc.id
        );
        diags.push(act.problem(0, &why, false));
        return None;
    }
    Some(parsed)
}

/// The version in force just before `act` (its own history line and the
/// text supplied by hand aside), if it has a text.
fn base_before<'v>(
    all: &'v [Version],
    by_hand: Option<usize>,
    act: &ActRef,
) -> Option<&'v Version> {
    let base = all.iter().enumerate().rev().find(|(k, v)| {
        Some(*k) != by_hand
            && v.effective <= act.date
            && !(v.text.is_none() && v.date == act.published)
    });
    base.map(|(_, v)| v).filter(|v| v.text.is_some())
}

/// `base`'s text with `act`'s instructions applied, and the notes on every
/// changed article; `None` (reported) when an instruction does not fit.
fn consolidate(
    act: &ActRef,
    parsed: &amendments::Parsed,
    base: &Version,
    doc: &Document,
    diags: &mut Diagnostics,
) -> Option<(crate::content::Body, Vec<crate::model::ArticleNote>)> {
    let text = &base.text.as_ref()?.body.markdown;
    let prior = base
        .derived
        .as_ref()
        .map(|d| d.notes.clone())
        .unwrap_or_default();
    let act_ref = amendments::Act {
        id: &act.id,
        date: act.date,
    };
    match amendments::apply(text, &prior, parsed, &act_ref) {
        Ok((text, notes)) => Some((crate::content::Body::new(text, 1), notes)),
        Err(problems) => {
            for (line, why) in problems {
                diags.push(act.problem(line, &format!("`{}`: {why}", doc.id), true));
            }
            None
        }
    }
}

/// Warn about every article where a consolidated text supplied by hand
/// differs from the one computed from the act (once per article).
fn compare_by_hand(
    computed: &crate::content::Body,
    by_hand: &crate::content::Body,
    doc: &Document,
    act_path: &std::path::Path,
    diags: &mut Diagnostics,
) {
    let mut articles = std::collections::BTreeSet::new();
    for row in crate::compare::compare(by_hand, computed) {
        if row.change != crate::compare::Change::Unchanged {
            let side = row.before.as_ref().or(row.after.as_ref());
            articles.insert(side.and_then(|s| s.number));
        }
    }
    for article in articles {
        let which = article.map_or_else(
            || "text outside the articles".into(),
            |n| format!("article {n}"),
        );
        diags.push(
            Diagnostic::warning(
                Code::ConsolidationMismatch,
                &doc.path,
                format!(
                    "`{}`: {which} of the text supplied by hand differs from the one computed from {}",
                    doc.id,
                    act_path.display(),
                ),
            )
            .with_help("correct the version file or the act; gazette shows the version file"),
        );
    }
}

/// How alike two names are, 0 to 1; a name contained in the other (a short
/// title inside a full one) counts as close.
fn similarity(a: &str, b: &str) -> f64 {
    let contained = |x: &str, y: &str| x.chars().count() >= 3 && y.contains(x);
    if contained(a, b) || contained(b, a) {
        0.9
    } else {
        strsim::normalized_levenshtein(a, b)
    }
}

fn event_kind(kind: RelationKind) -> Option<EventKind> {
    match kind {
        RelationKind::Supersedes => Some(EventKind::Superseded),
        RelationKind::Amends => Some(EventKind::Amended),
        RelationKind::Repeals => Some(EventKind::Repealed),
        RelationKind::Invalidates => Some(EventKind::DeclaredInvalid),
        RelationKind::BasedOn => None,
    }
}

fn past_tense(kind: RelationKind) -> &'static str {
    match kind {
        RelationKind::Invalidates => "declared invalid",
        _ => "repealed",
    }
}

/// Map ids to indices; a duplicate id is an error and the later copy is dropped.
fn index_documents(docs: &mut Vec<Document>, diags: &mut Diagnostics) -> FxHashMap<DocId, DocIdx> {
    // Sized up front: growing a map of 10,000 ids rehashes them all again.
    let mut first: FxHashMap<DocId, DocIdx> =
        FxHashMap::with_capacity_and_hasher(docs.len(), Default::default());
    let mut keep = Vec::with_capacity(docs.len());
    for doc in docs.drain(..) {
        if let Some(&i) = first.get(&doc.id) {
            let other: &Document = &keep[i];
            diags.push(
                Diagnostic::error(
                    Code::DuplicateId,
                    &doc.path,
                    format!(
                        "id `{}` is already used by {}:{}",
                        doc.id,
                        other.path.display(),
                        other.line
                    ),
                )
                .at_line(doc.line_of("id"))
                .with_help("give one of them a different `id`"),
            );
            continue;
        }
        first.insert(doc.id.clone(), DocIdx::new(keep.len()));
        keep.push(doc);
    }
    *docs = keep;
    first
}

/// The checks that read the documents alone, side by side (each goes
/// through all of them); their diagnostics in a fixed order.
fn check_documents(docs: &[Document]) -> Diagnostics {
    type Check = fn(&[Document], &mut Diagnostics);
    let run = |check: Check| {
        let mut diags = Diagnostics::default();
        check(docs, &mut diags);
        diags
    };
    let (mut diags, (numbers, facets)) = rayon::join(
        || run(check_page_urls),
        || rayon::join(|| run(check_numbers), || run(check_facet_spellings)),
    );
    diags.extend(numbers);
    diags.extend(facets);
    diags
}

/// Pages live at [`crate::routes::doc_page_file`]. Two ids that differ only in case
/// or Unicode form (NFC `café`, NFD `café`; U+F900 and U+8C48) would
/// overwrite each other on a case-insensitive or normalising file system,
/// and a page file cannot also be a folder of another page (`c` and
/// `c/index.html`, or `c/index.html/d`).
fn check_page_urls(docs: &[Document], diags: &mut Diagnostics) {
    use rayon::prelude::*;
    // Every build names every page: share that out. The maps borrow the
    // names rather than copy each folder of each page.
    let named: Vec<String> = (docs.par_iter())
        .map(|doc| crate::model::fold(&crate::routes::doc_page_file(&doc.id)))
        .collect();
    let mut pages: FxHashMap<&str, &Document> =
        FxHashMap::with_capacity_and_hasher(docs.len(), Default::default());
    let mut folders: FxHashMap<&str, &Document> =
        FxHashMap::with_capacity_and_hasher(docs.len(), Default::default());
    for (doc, page) in docs.iter().zip(&named) {
        let mut needed = page.match_indices('/').map(|(i, _)| &page[..i]);
        let clash = pages
            .get(page.as_str())
            .or_else(|| folders.get(page.as_str()))
            .or_else(|| needed.find_map(|f| pages.get(f)));
        if let Some(other) = clash {
            diags.push(
                Diagnostic::error(
                    Code::UrlCollision,
                    &doc.path,
                    format!(
                        "`{}` and `{}` ({}) would be written to the same page",
                        doc.id,
                        other.id,
                        other.path.display()
                    ),
                )
                .at_line(doc.line_of("id"))
                .with_help("ids must differ in more than letter case or Unicode form; rename one"),
            );
            continue;
        }
        for (i, _) in page.match_indices('/') {
            folders.entry(&page[..i]).or_insert(doc);
        }
        pages.insert(page, doc);
    }
}

/// Issuers, levels and categories spelt two ways that differ only in case
/// or Unicode form (`ABC` and `abc`) get two listing pages: warn, as they
/// are most likely one value.
fn check_facet_spellings(docs: &[Document], diags: &mut Diagnostics) {
    type ValueOf = fn(&Document) -> Option<&str>;
    let facets: [(&str, ValueOf); 3] = [
        ("issuer", |d| d.meta.fields.issuer.as_deref()),
        ("level", |d| d.meta.fields.level.as_deref()),
        ("category", |d| d.meta.fields.category.as_deref()),
    ];
    for (key, value_of) in facets {
        let mut first: FxHashMap<String, (&str, &Document)> = FxHashMap::default();
        // Few values, each on many documents: fold each value once.
        let mut by_value: FxHashMap<&str, (&str, &Document)> = FxHashMap::default();
        for doc in docs {
            let Some(value) = value_of(doc) else { continue };
            let (seen, other) = *by_value.entry(value).or_insert_with(|| {
                *first
                    .entry(crate::model::fold(value))
                    .or_insert((value, doc))
            });
            if seen != value {
                let message = format!(
                    "{key} `{value}` differs from `{seen}` (in `{}`) only in letter case or Unicode form; they get two listing pages",
                    other.id
                );
                diags.push(
                    Diagnostic::warning(Code::UrlCollision, &doc.path, message)
                        .at_line(doc.line_of(key))
                        .with_help(format!("write the {key} the same way in every document")),
                );
            }
        }
    }
}

fn check_numbers(docs: &[Document], diags: &mut Diagnostics) {
    let mut seen: BTreeMap<&str, &Document> = BTreeMap::new();
    for doc in docs {
        let Some(number) = doc.meta.fields.number.as_deref() else {
            continue;
        };
        if let Some(other) = seen.insert(number, doc) {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateNumber,
                    &doc.path,
                    format!("document number {number} is also used by `{}`", other.id),
                )
                .at_line(doc.line_of("number"))
                .with_help("each 文号 identifies one document; correct one of them"),
            );
        }
    }
}

/// Report every loop in the supersedes graph once, at the relation closing it.
fn check_supersession_cycles(cat: &Catalogue, diags: &mut Diagnostics) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let mut marks = vec![Mark::New; cat.docs.len()];
    for start in 0..cat.docs.len() {
        if marks[start] != Mark::New {
            continue;
        }
        // Iterative DFS: (node, next relation index to visit).
        let mut stack = vec![(start, 0usize)];
        marks[start] = Mark::Active;
        while let Some((node, next)) = stack.pop() {
            let Some(out) = cat.outgoing[node].get(next) else {
                marks[node] = Mark::Done;
                continue;
            };
            stack.push((node, next + 1));
            if out.kind != RelationKind::Supersedes {
                continue;
            }
            let (target, rel) = (out.to.get(), &cat.docs[node].meta.relations[out.written]);
            match marks[target] {
                Mark::New => {
                    marks[target] = Mark::Active;
                    stack.push((target, 0));
                }
                Mark::Active => diags.push(
                    cat.rel_error(
                        node,
                        rel,
                        Code::SupersessionCycle,
                        format!(
                            "`{}` supersedes `{}`, which (directly or not) supersedes it back",
                            cat.docs[node].id, cat.docs[target].id
                        ),
                    )
                    .with_help("remove one `supersedes` entry of the loop"),
                ),
                Mark::Done => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::content::catalogue_file;

    fn catalogue(text: &str) -> (Catalogue, Diagnostics) {
        let (documents, d) = catalogue_file::parse(Path::new("catalogue.toml"), text);
        assert!(!d.iter().any(Diagnostic::is_error), "{d:?}");
        Catalogue::build(
            Content {
                documents,
                ..Content::default()
            },
            "2026-01-01".parse().unwrap(),
        )
    }

    fn codes(d: &Diagnostics) -> Vec<Code> {
        d.iter().filter(|d| d.is_error()).map(|d| d.code).collect()
    }

    #[test]
    fn decision_repeals_and_successor_supersedes() {
        let (cat, d) = catalogue(
            "[[document]]\nid = \"old\"\npublished = 2010-01-01\n\
             [[document]]\nid = \"new\"\npublished = 2015-01-01\nsupersedes = [\"old\"]\n\
             [[document]]\nid = \"x\"\npublished = 2010-01-01\n\
             [[decision]]\nid = \"d\"\ndate = 2020-01-01\nrepeals = [{ id = \"x\", reason = \"过时\" }]\n",
        );
        assert!(codes(&d).is_empty(), "{d:?}");
        let status = |id: &str| cat.computed[cat.find(&DocId::new(id).unwrap()).unwrap()].clone();
        assert_eq!(status("old").status, Status::Superseded);
        assert_eq!(status("new").status, Status::Current);
        let x = status("x");
        assert_eq!(x.status, Status::Repealed);
        assert_eq!(x.cause.unwrap().reason.as_deref(), Some("过时"));
        let on_2012 = cat.statuses_on("2012-01-01".parse().unwrap());
        assert_eq!(
            on_2012[cat.find(&DocId::new("old").unwrap()).unwrap()],
            Status::Current
        );
    }

    #[test]
    fn contradictions_are_errors_with_lines() {
        let (_, d) = catalogue(
            "[[document]]\nid = \"a\"\npublished = 2010-01-01\n\
             [[decision]]\nid = \"d1\"\ndate = 2020-01-01\nrepeals = [\"a\"]\n\
             [[decision]]\nid = \"d2\"\ndate = 2021-01-01\ninvalidates = [\"a\"]\n\
             [[decision]]\nid = \"d3\"\ndate = 2005-01-01\namends = [\"a\", \"zz\"]\n",
        );
        assert_eq!(
            codes(&d),
            vec![
                Code::ConflictingEvents,
                Code::EventBeforePublication,
                Code::UnknownReference
            ]
        );
        let conflict = d
            .iter()
            .find(|d| d.code == Code::ConflictingEvents)
            .unwrap();
        assert_eq!(conflict.line, Some(11));
    }

    #[test]
    fn supersession_cycle_and_status_mismatch_are_caught() {
        let (_, d) = catalogue(
            "[[document]]\nid = \"a\"\npublished = 2010-01-01\nsupersedes = [\"b\"]\n\
             [[document]]\nid = \"b\"\npublished = 2011-01-01\nsupersedes = [\"a\"]\n\
             [[document]]\nid = \"c\"\npublished = 2011-01-01\nstatus = \"repealed\"\n",
        );
        let codes = codes(&d);
        assert!(codes.contains(&Code::SupersessionCycle), "{codes:?}");
        assert!(codes.contains(&Code::StatusMismatch), "{codes:?}");
    }

    #[test]
    fn unknown_reference_suggests_closest_id() {
        let (_, d) = catalogue(
            "[[document]]\nid = \"zuofeng/shuangshitiao\"\ntitle = \"双十条\"\npublished = 2010-01-01\n\
             [[decision]]\nid = \"d\"\ndate = 2020-01-01\namends = [\"zuofeng/shuangshitao\", \"关于改进工作作风的双十条规定\"]\n",
        );
        let helps: Vec<_> = d.iter().filter_map(|d| d.help.as_deref()).collect();
        assert_eq!(
            helps,
            vec![
                "did you mean `zuofeng/shuangshitiao` (双十条)?",
                "did you mean `zuofeng/shuangshitiao` (双十条)?"
            ]
        );
    }

    #[test]
    fn relation_by_exact_title_resolves_with_a_warning() {
        let (cat, d) = catalogue(
            "[[document]]\nid = \"a\"\ntitle = \"旧规定\"\npublished = 2010-01-01\n\
             [[decision]]\nid = \"d\"\ndate = 2020-01-01\nrepeals = [\"旧规定\"]\nbased_on = [\"a\"]\n",
        );
        let found: Vec<_> = d.iter().map(|d| (d.code, d.is_error(), d.line)).collect();
        assert_eq!(found, vec![(Code::RelationByTitle, false, Some(8))]);
        let a = cat.find(&DocId::new("a").unwrap()).unwrap();
        assert_eq!(cat.computed[a].status, Status::Repealed);
    }

    #[test]
    fn ids_differing_in_case_or_nesting_under_a_page_collide() {
        let (_, d) = catalogue(
            "[[document]]\nid = \"a/B\"\n[[document]]\nid = \"a/b\"\n\
             [[document]]\nid = \"c/index.html\"\n[[document]]\nid = \"c\"\n",
        );
        let found: Vec<_> = d
            .iter()
            .filter(|d| d.is_error())
            .map(|d| (d.code, d.line))
            .collect();
        assert_eq!(
            found,
            vec![(Code::UrlCollision, Some(4)), (Code::UrlCollision, Some(8))]
        );
    }
}
