//! A campaign's progress: which documents it covers, which are reviewed and
//! with what outcome, which outcomes a decision has carried out, and what
//! is overdue after the deadline.
//!
//! Pure: reads a computed `Catalogue` and one parsed campaign.

use std::collections::{BTreeMap, HashSet};

use super::records::{Campaign, Record};
use crate::catalogue::Catalogue;
use crate::content::Document;
use crate::model::Outcome;

/// Where one campaign stands on the catalogue's date.
#[derive(Debug)]
pub struct Progress<'c> {
    /// The campaign.
    pub campaign: &'c Campaign,
    /// Documents it covers (in force when it began and still in force, or
    /// reviewed by it), in catalogue order.
    pub in_scope: Vec<usize>,
    /// Records naming a document of the catalogue, with its index.
    pub reviewed: Vec<(usize, &'c Record)>,
    /// Records of documents not published, counted only.
    pub withheld: Vec<&'c Record>,
    /// Records by outcome (published and withheld alike).
    pub by_outcome: BTreeMap<Outcome, usize>,
    /// Records that ask for a decision and have one.
    pub carried_out: usize,
    /// Records that ask for a decision.
    pub to_carry_out: usize,
    /// Documents in scope without a record.
    pub unreviewed: Vec<usize>,
    /// True when the deadline has passed with documents unreviewed.
    pub overdue: bool,
}

/// The progress of `campaign` on the catalogue's date.
pub fn progress<'c>(cat: &Catalogue, campaign: &'c Campaign) -> Progress<'c> {
    let reviewed: Vec<(usize, &Record)> = campaign
        .records
        .iter()
        .filter_map(|r| Some((cat.find(r.doc.as_ref()?)?.get(), r)))
        .collect();
    let withheld = campaign
        .records
        .iter()
        .filter(|r| r.doc.is_none())
        .collect();
    let in_force = match campaign.started {
        Some(day) => cat.statuses_on(day),
        None => cat.computed.iter().map(|c| c.status).collect(),
    };
    let has_record: HashSet<usize> = reviewed.iter().map(|(i, _)| *i).collect();
    let in_scope: Vec<usize> = (0..cat.docs.len())
        .filter(|&i| {
            // In force when the campaign began and still now: a document
            // a decision ended meanwhile needs no review.
            let covered = in_force[i].in_force()
                && cat.computed[i].status.in_force()
                && !cat.docs[i].is_act();
            (covered && matches(campaign, &cat.docs[i])) || has_record.contains(&i)
        })
        .collect();
    let unreviewed: Vec<usize> = in_scope
        .iter()
        .copied()
        .filter(|i| !has_record.contains(i))
        .collect();
    let mut by_outcome = BTreeMap::new();
    for r in &campaign.records {
        *by_outcome.entry(r.outcome).or_insert(0) += 1;
    }
    let due = || reviewed.iter().filter(|(_, r)| r.outcome != Outcome::Keep);
    let carried_out = due()
        .filter(|(i, r)| super::queue::carried_out(cat, *i, r))
        .count();
    let to_carry_out = due().count();
    Progress {
        campaign,
        overdue: campaign.deadline.is_some_and(|d| cat.as_of > d) && !unreviewed.is_empty(),
        in_scope,
        reviewed,
        withheld,
        by_outcome,
        carried_out,
        to_carry_out,
        unreviewed,
    }
}

/// True when the campaign's scope covers `doc`.
fn matches(campaign: &Campaign, doc: &Document) -> bool {
    let s = &campaign.scope;
    let m = &doc.meta.fields;
    let any = |allowed: &[String], value: &Option<String>| {
        allowed.is_empty() || value.as_ref().is_some_and(|v| allowed.contains(v))
    };
    let issued = m.published.or(m.effective);
    any(&s.issuer, &m.issuer)
        && any(&s.level, &m.level)
        && s.published_before
            .is_none_or(|d| issued.is_some_and(|p| p <= d))
        && s.published_after
            .is_none_or(|d| issued.is_some_and(|p| p >= d))
}
