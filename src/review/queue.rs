//! The review queue: which documents need attention on a date, each with a
//! reason and its evidence, computed from the catalogue's events, relations
//! and citations and from the review records.
//!
//! Pure: reads a computed `Catalogue` and parsed campaigns, returns items.

use std::collections::HashMap;

use chrono::{Months, NaiveDate};
use serde::Serialize;

use super::records::{Campaign, Record};
use crate::catalogue::{Catalogue, EventKind};
use crate::config::ReviewConfig;
use crate::model::{DocId, DocIdx, Outcome, RelationKind};

/// Why a document needs review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum Reason {
    /// A document it is based on (`based_on`) changed after it was issued
    /// (or after its last review).
    BasisChanged {
        /// The basis.
        basis: DocId,
        /// What happened to it.
        change: Change,
    },
    /// A document it cites changed after it was issued (or last reviewed).
    CitedChanged {
        /// The cited document.
        cited: DocId,
        /// What happened to it.
        change: Change,
    },
    /// Its fixed term ends within the configured window.
    Expiring {
        /// The day it stops being in force.
        expires: NaiveDate,
    },
    /// In force longer than its level allows without a review or revision.
    ReviewOverdue {
        /// Issued, last revised or last reviewed, whichever is latest.
        since: NaiveDate,
        /// The limit for its level.
        years: u32,
    },
    /// A review decided to repeal, invalidate or revise it, and no decision
    /// has done so yet.
    OutcomePending {
        /// The campaign that recorded it.
        campaign: String,
        /// What the record says.
        outcome: Outcome,
        /// When it was recorded.
        recorded: NaiveDate,
    },
}

/// A dated change to another document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What happened.
    pub kind: EventKind,
    /// When it took effect.
    pub date: NaiveDate,
    /// The act that did it, if known.
    pub actor: Option<DocId>,
}

impl Reason {
    /// The stable code printed and exported (`basis-changed`, …).
    pub fn code(&self) -> &'static str {
        match self {
            Reason::BasisChanged { .. } => "basis-changed",
            Reason::CitedChanged { .. } => "cited-changed",
            Reason::Expiring { .. } => "expiring",
            Reason::ReviewOverdue { .. } => "review-overdue",
            Reason::OutcomePending { .. } => "outcome-pending",
        }
    }

    /// The day the reason arose (or, for an expiry, falls due).
    pub fn date(&self) -> NaiveDate {
        match self {
            Reason::BasisChanged { change, .. } | Reason::CitedChanged { change, .. } => {
                change.date
            }
            Reason::Expiring { expires } => *expires,
            Reason::ReviewOverdue { since, .. } => *since,
            Reason::OutcomePending { recorded, .. } => *recorded,
        }
    }
}

/// One document that needs attention, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Index of the document in the catalogue.
    pub doc: usize,
    /// Why.
    pub reason: Reason,
}

/// Everything due on the catalogue's date, by document then reason.
pub fn queue(cat: &Catalogue, campaigns: &[Campaign], config: &ReviewConfig) -> Vec<Item> {
    let last = latest_records(cat, campaigns);
    let bases = bases(cat);
    let mut items = Vec::new();
    for (i, bases) in bases.iter().enumerate() {
        let reviewed = last.get(&i).map(|(_, r)| r.date);
        if cat.computed[i].status.in_force() && !cat.docs[i].is_act() {
            items.extend(basis_changed(cat, i, bases, reviewed));
            items.extend(cited_changed(cat, i, reviewed));
            items.extend(expiring(cat, i, config));
            items.extend(overdue(cat, i, reviewed, config));
        }
        if let Some((campaign, record)) = last.get(&i) {
            items.extend(pending(cat, i, campaign, record));
        }
    }
    items
}

/// The newest record of each document over all campaigns, up to the
/// queue's date.
fn latest_records<'c>(
    cat: &Catalogue,
    campaigns: &'c [Campaign],
) -> HashMap<usize, (&'c Campaign, &'c Record)> {
    let mut last: HashMap<usize, (&Campaign, &Record)> = HashMap::new();
    for c in campaigns {
        for r in c.records.iter().filter(|r| r.date <= cat.as_of) {
            let Some(i) = r.doc.as_ref().and_then(|id| cat.find(id)).map(DocIdx::get) else {
                continue;
            };
            if last.get(&i).is_none_or(|(_, old)| old.date <= r.date) {
                last.insert(i, (c, r));
            }
        }
    }
    last
}

/// The day a document was issued: published, else effective.
fn issued(cat: &Catalogue, i: usize) -> Option<NaiveDate> {
    let m = &cat.docs[i].meta.fields;
    m.published.or(m.effective)
}

/// The change to `other` that `i` has not caught up with: the end of its
/// force (after `i`'s last review), else its latest amendment after `i`
/// was issued and last reviewed; only changes on or before the queue's date.
fn unseen_change(
    cat: &Catalogue,
    i: usize,
    other: usize,
    reviewed: Option<NaiveDate>,
) -> Option<Change> {
    let after_review = |d: NaiveDate| reviewed.is_none_or(|r| d > r);
    let after_issue = |d: NaiveDate| issued(cat, i).is_none_or(|p| d > p);
    // A change `i` made itself (superseding its predecessor) is no news to it.
    let own = |e: &crate::catalogue::Event| e.actor.as_ref() == Some(&cat.docs[i].id);
    let mut seen = cat.events[other]
        .iter()
        .filter(|e| e.date <= cat.as_of && after_review(e.date) && !own(e));
    let terminal = seen.clone().find(|e| e.kind.terminal_status().is_some());
    let amended = || seen.rfind(|e| e.kind == EventKind::Amended && after_issue(e.date));
    terminal.or_else(amended).map(|e| Change {
        kind: e.kind,
        date: e.date,
        actor: e.actor.clone(),
    })
}

fn basis_changed(
    cat: &Catalogue,
    i: usize,
    bases: &[usize],
    reviewed: Option<NaiveDate>,
) -> Vec<Item> {
    bases
        .iter()
        .filter_map(|&t| {
            let change = unseen_change(cat, i, t, reviewed)?;
            let basis = cat.docs[t].id.clone();
            Some(Item {
                doc: i,
                reason: Reason::BasisChanged { basis, change },
            })
        })
        .collect()
}

/// The documents each document names as its basis (`based_on`).
fn bases(cat: &Catalogue) -> Vec<Vec<usize>> {
    let mut bases = vec![Vec::new(); cat.docs.len()];
    for (t, incoming) in cat.incoming.iter().enumerate() {
        for inc in incoming
            .iter()
            .filter(|inc| inc.kind == RelationKind::BasedOn)
        {
            bases[inc.from].push(t);
        }
    }
    bases
}

fn cited_changed(cat: &Catalogue, i: usize, reviewed: Option<NaiveDate>) -> Vec<Item> {
    let cited = cat.cites.get(i).map_or(&[][..], Vec::as_slice);
    cited
        .iter()
        .map(|t| t.get())
        .filter(|&t| t != i && !cat.docs[t].is_act())
        .filter_map(|t| {
            let change = unseen_change(cat, i, t, reviewed)?;
            let cited = cat.docs[t].id.clone();
            Some(Item {
                doc: i,
                reason: Reason::CitedChanged { cited, change },
            })
        })
        .collect()
}

fn expiring(cat: &Catalogue, i: usize, config: &ReviewConfig) -> Option<Item> {
    let expires = cat.docs[i].meta.fields.expires?;
    let horizon = cat
        .as_of
        .checked_add_months(Months::new(config.expiry_window_months))?;
    (expires > cat.as_of && expires <= horizon).then_some(Item {
        doc: i,
        reason: Reason::Expiring { expires },
    })
}

fn overdue(
    cat: &Catalogue,
    i: usize,
    reviewed: Option<NaiveDate>,
    config: &ReviewConfig,
) -> Option<Item> {
    let years = config.max_age(cat.docs[i].meta.fields.level.as_deref());
    let revised = cat.events[i]
        .iter()
        .filter(|e| e.kind == EventKind::Amended && e.date <= cat.as_of)
        .map(|e| e.date)
        .max();
    let since = [issued(cat, i), revised, reviewed]
        .into_iter()
        .flatten()
        .max()?;
    let due = since.checked_add_months(Months::new(years.checked_mul(12)?))?;
    (years > 0 && due <= cat.as_of).then_some(Item {
        doc: i,
        reason: Reason::ReviewOverdue { since, years },
    })
}

fn pending(cat: &Catalogue, i: usize, campaign: &Campaign, record: &Record) -> Option<Item> {
    (record.outcome != Outcome::Keep && !carried_out(cat, i, record)).then(|| Item {
        doc: i,
        reason: Reason::OutcomePending {
            campaign: campaign.name.clone(),
            outcome: record.outcome,
            recorded: record.date,
        },
    })
}

/// True when what `record` asks of document `i` has been done: a decision
/// repeals or invalidates it (or it is no longer in force anyway), or an
/// act dated on or after the record amends it. A kept document asks nothing.
pub(super) fn carried_out(cat: &Catalogue, i: usize, record: &Record) -> bool {
    let Some(wanted) = record.outcome.relation() else {
        return true;
    };
    if wanted != RelationKind::Amends {
        let decided = cat.incoming[i].iter().any(|inc| inc.kind == wanted);
        return decided || !cat.computed[i].status.in_force();
    }
    let act_after = cat.incoming[i].iter().any(|inc| {
        let act = &cat.docs[inc.from];
        inc.kind == wanted && act.meta.fields.published.or(act.effective()) >= Some(record.date)
    });
    act_after
        || cat.events[i]
            .iter()
            .any(|e| e.kind == EventKind::Amended && e.date >= record.date)
}
