//! Decides what an import adds: each entry is matched to a document the
//! site already has (same 文号, or same title when either has no 文号) or
//! becomes a new catalogue entry with a stable, unique id; each outcome
//! becomes a review record unless the campaign already holds one.
//!
//! Pure: takes the site's documents and the campaign's existing records as
//! values, returns a `Plan`; writes nothing.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::Problem;
use super::columns::Entry;
use crate::content::Document;
use crate::model::{DocId, Outcome, fold};

/// A document as the plan knows it: an existing one or one it adds.
#[derive(Debug, Clone)]
struct Known {
    id: String,
    number: Option<String>,
    title: String,
    /// Index of the site's document, for an existing one.
    doc: Option<usize>,
    /// Row of the entry that added it, for a new document.
    row: Option<(String, usize)>,
}

/// The documents the plan knows, indexed by id, 文号 and title so that
/// matching a sheet costs a lookup per row, not a scan (5,000 rows took
/// 85 s scanning in a debug build).
#[derive(Default)]
struct Index {
    known: Vec<Known>,
    /// Folded id → document.
    by_id: HashMap<String, usize>,
    /// Normalised 文号 → the first document holding it.
    by_number: HashMap<String, usize>,
    /// Trimmed title → documents with it.
    by_title: HashMap<String, Vec<usize>>,
}

impl Index {
    fn add(&mut self, k: Known) {
        let i = self.known.len();
        self.by_id.entry(fold(&k.id)).or_insert(i);
        if let Some(n) = &k.number {
            self.by_number.entry(normalise_number(n)).or_insert(i);
        }
        let title = k.title.trim().to_owned();
        self.by_title.entry(title).or_default().push(i);
        self.known.push(k);
    }

    fn taken(&self, id: &str) -> bool {
        self.by_id.contains_key(&fold(id))
    }

    /// The known document an entry describes: by explicit id, by 文号, or
    /// by title when the entry or the document has no 文号.
    fn find(&self, e: &Entry) -> Option<&Known> {
        let i = if let Some(id) = &e.id {
            self.by_id.get(&fold(id)).copied()
        } else {
            let number = e.number.as_deref().map(normalise_number);
            number
                .and_then(|n| self.by_number.get(&n).copied())
                .or_else(|| {
                    let same_title = self.by_title.get(e.title.trim())?;
                    same_title
                        .iter()
                        .copied()
                        .find(|&i| self.known[i].number.is_none() || e.number.is_none())
                })
        };
        i.map(|i| &self.known[i])
    }
}

/// A catalogue entry to append.
#[derive(Debug, Clone)]
pub(super) struct NewDocument {
    /// The id chosen for it.
    pub(super) id: String,
    /// What the sheet says of it.
    pub(super) entry: Entry,
}

/// What a review record is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Subject {
    /// A document of the catalogue, by id.
    Doc(String),
    /// A document not published, by title (counted, never listed).
    Withheld(String),
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Doc(id) => write!(f, "`{id}`"),
            Subject::Withheld(title) => write!(f, "the withheld document {title}"),
        }
    }
}

/// A review record to append to the campaign.
#[derive(Debug, Clone)]
pub(super) struct NewRecord {
    /// The document reviewed.
    pub(super) subject: Subject,
    /// The review date: the sheet's, else the import's.
    pub(super) date: NaiveDate,
    /// What the review decided.
    pub(super) outcome: Outcome,
    /// Why.
    pub(super) reason: Option<String>,
    /// Who reviewed it.
    pub(super) reviewer: Option<String>,
}

/// Everything an import would add, and what it noticed on the way.
#[derive(Debug, Default)]
pub(super) struct Plan {
    /// New catalogue entries, in sheet order.
    pub(super) documents: Vec<NewDocument>,
    /// New review records, in sheet order.
    pub(super) records: Vec<NewRecord>,
    /// Rows that matched a document already in the site.
    pub(super) matched: usize,
    /// Differences and skipped claims, one line each.
    pub(super) notes: Vec<String>,
}

/// The outcome the campaign already records for each subject.
pub(super) type Recorded = BTreeMap<Subject, Outcome>;

/// Plan the import of `entries` into a site holding `docs`, whose campaign
/// already records `recorded`; `today` dates records the sheet leaves undated.
pub(super) fn plan(
    file: &str,
    entries: Vec<Entry>,
    docs: &[Document],
    recorded: &Recorded,
    today: NaiveDate,
    problems: &mut Vec<Problem>,
) -> Plan {
    let mut index = Index::default();
    for (i, d) in docs.iter().enumerate() {
        index.add(Known {
            id: d.id.to_string(),
            number: d.meta.fields.number.clone(),
            title: d.title.clone(),
            doc: Some(i),
            row: None,
        });
    }
    let mut planner = Planner {
        file,
        docs,
        index,
        reviewed: BTreeMap::new(),
        plan: Plan::default(),
        problems,
    };
    for entry in entries {
        if entry.withheld {
            // Not published, so never listed: only its review is kept.
            let subject = Subject::Withheld(entry.title.trim().to_owned());
            if entry.outcome.is_none() {
                let at = planner.at(&entry);
                planner.plan.notes.push(format!(
                    "{at}: not published and no outcome: nothing to import"
                ));
            }
            if let Some(record) = planner.review(&entry, subject, recorded, today) {
                planner.plan.records.push(record);
            }
            continue;
        }
        let Some(id) = planner.document(&entry) else {
            continue;
        };
        if let Some(ended) = &entry.ended {
            planner.plan.notes.push(format!(
                "{}: the sheet says {ended}; gazette computes status from acts, so it records nothing: import or write the act that ended `{id}`",
                planner.at(&entry)
            ));
        }
        if let Some(record) = planner.review(&entry, Subject::Doc(id), recorded, today) {
            planner.plan.records.push(record);
        }
    }
    planner.plan
}

/// The state of one planning pass over a sheet's entries.
struct Planner<'a> {
    file: &'a str,
    docs: &'a [Document],
    /// The site's documents, then those the plan adds.
    index: Index,
    /// Subjects reviewed by an earlier row, with that row.
    reviewed: BTreeMap<Subject, usize>,
    plan: Plan,
    problems: &'a mut Vec<Problem>,
}

impl Planner<'_> {
    fn at(&self, e: &Entry) -> String {
        format!("{}, sheet {}, row {}", self.file, e.sheet, e.row)
    }

    fn problem(&mut self, e: &Entry, message: &str, help: &str) {
        let p = Problem::at(self.file, &e.sheet, e.row, None, None, message).help(help);
        self.problems.push(p);
    }

    /// The id of the document `e` describes: one the site has (its
    /// differences noted) or a new entry; `None` after a problem.
    fn document(&mut self, e: &Entry) -> Option<String> {
        if let Some(k) = self.index.find(e) {
            if let Some((sheet, row)) = k.row.clone() {
                let message = format!("describes the same document as row {row} of sheet {sheet}");
                let help = "remove one of the two rows, or give them different 文号 or titles";
                self.problem(e, &message, help);
                return None;
            }
            let (id, doc) = (k.id.clone(), k.doc);
            self.plan.matched += 1;
            if let Some(doc) = doc.map(|i| &self.docs[i]) {
                let notes = differences(&self.at(e), doc, e);
                self.plan.notes.extend(notes);
            }
            return Some(id);
        }
        let index = &self.index;
        let id = new_id(e, |id| index.taken(id), self.file, self.problems)?;
        self.index.add(Known {
            id: id.clone(),
            number: e.number.clone(),
            title: e.title.clone(),
            doc: None,
            row: Some((e.sheet.clone(), e.row)),
        });
        self.plan.documents.push(NewDocument {
            id: id.clone(),
            entry: e.clone(),
        });
        Some(id)
    }

    /// The record `e`'s outcome adds, unless it has none, the campaign
    /// already holds one for the document, or an earlier row reviewed it.
    fn review(
        &mut self,
        e: &Entry,
        subject: Subject,
        recorded: &Recorded,
        today: NaiveDate,
    ) -> Option<NewRecord> {
        let outcome = e.outcome?;
        if let Some(first) = self.reviewed.insert(subject.clone(), e.row) {
            let message = format!("reviews {subject} again (row {first} already did)");
            self.problem(e, &message, "keep one review per document and campaign");
            return None;
        }
        match recorded.get(&subject) {
            Some(o) if *o == outcome => None,
            Some(o) => {
                self.plan.notes.push(format!(
                    "{}: {subject} is already recorded as {} in the campaign; the sheet says {}; left as recorded",
                    self.at(e),
                    o.label_zh(),
                    outcome.label_zh()
                ));
                None
            }
            None => Some(NewRecord {
                subject,
                date: e.reviewed.unwrap_or(today),
                outcome,
                reason: e.reason.clone(),
                reviewer: e.reviewer.clone(),
            }),
        }
    }
}

/// A 文号 compared without spaces and with its year brackets unified:
/// 青发[2003]12号, 青发（2003）12号 and 青发〔2003〕12号 are one number.
fn normalise_number(n: &str) -> String {
    n.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '[' | '(' | '（' | '【' | '〔' => '〔',
            ']' | ')' | '）' | '】' | '〕' => '〕',
            c => c,
        })
        .collect()
}

/// Folder under which imported documents get their ids.
const ID_PREFIX: &str = "imported";

/// A new id for `e`: its own if given, else derived from its 文号 (青发〔2003〕12号
/// → `imported/青发-2003-12`) or, without one, from a hash of its title;
/// `-2`, `-3`… is added until no document has it.
fn new_id(
    e: &Entry,
    taken: impl Fn(&str) -> bool,
    file: &str,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    if let Some(id) = &e.id {
        return match DocId::new(id) {
            Ok(id) => Some(id.to_string()),
            Err(message) => {
                let p = Problem::at(file, &e.sheet, e.row, None, Some(id.clone()), &message).help(
                    "ids are /-separated names without spaces at the ends, : ? # % \" < > or \\",
                );
                problems.push(p);
                None
            }
        };
    }
    let stem = e
        .number
        .as_deref()
        .map(number_slug)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| format!("t-{:08x}", fnv1a(e.title.trim()) as u32));
    let base = format!("{ID_PREFIX}/{stem}");
    let free = |id: &String| DocId::new(id).is_ok() && !taken(id);
    std::iter::once(base.clone())
        .chain((2..).map(|n| format!("{base}-{n}")))
        .find(free)
}

/// A 文号 as one id segment: brackets, separators and spaces become `-`,
/// the closing 号 is dropped.
fn number_slug(n: &str) -> String {
    let mapped: String = n
        .trim()
        .trim_end_matches('号')
        .chars()
        .map(|c| {
            let separator = c.is_whitespace()
                || crate::model::forbidden_char(&c.to_string()).is_some()
                || "[]()（）【】〔〕/".contains(c);
            if separator { '-' } else { c }
        })
        .collect();
    mapped
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// 64-bit FNV-1a: a hash that is the same on every machine and release
/// (std's `DefaultHasher` promises neither), so ids are stable.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Fields where the sheet and the site disagree, one note each; the site's
/// value is kept.
fn differences(at: &str, doc: &Document, e: &Entry) -> Vec<String> {
    let m = &doc.meta.fields;
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string());
    let pairs = [
        ("文件名称", Some(doc.title.clone()), Some(e.title.clone())),
        ("文号", m.number.clone(), e.number.clone()),
        ("发文机关", m.issuer.clone(), e.issuer.clone()),
        ("效力级别", m.level.clone(), e.level.clone()),
        ("发布日期", date(m.published), date(e.published)),
        ("施行日期", date(m.effective), date(e.effective)),
        ("有效期至", date(m.expires), date(e.expires)),
    ];
    pairs
        .into_iter()
        .filter_map(|(name, site, sheet)| {
            let sheet = sheet?;
            let differs = match name {
                "文号" => site.as_deref().map(normalise_number) != Some(normalise_number(&sheet)),
                _ => site.as_deref().map(str::trim) != Some(sheet.trim()),
            };
            differs.then(|| {
                format!(
                    "{at}: {name} differs for `{}`: the site has {}, the sheet {sheet}; kept the site's",
                    doc.id,
                    site.as_deref().unwrap_or("nothing")
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_from_the_number_and_never_collide() {
        assert_eq!(number_slug("青发〔2003〕12号"), "青发-2003-12");
        assert_eq!(number_slug("青政办发 [2019] 3 号"), "青政办发-2019-3");
        let entry = Entry {
            number: Some("青发〔2003〕12号".into()),
            title: "甲".into(),
            ..Entry::default()
        };
        let mut problems = Vec::new();
        let taken = |id: &str| fold(id) == fold("imported/青发-2003-12");
        assert_eq!(
            new_id(&entry, taken, "f", &mut problems).as_deref(),
            Some("imported/青发-2003-12-2")
        );
        let untitled = Entry {
            title: "关于某事的通知".into(),
            ..Entry::default()
        };
        let a = new_id(&untitled, |_| false, "f", &mut problems).unwrap();
        assert!(
            a.starts_with("imported/t-") && a.len() == "imported/t-".len() + 8,
            "{a}"
        );
        assert_eq!(new_id(&untitled, |_| false, "f", &mut problems).unwrap(), a);
    }

    #[test]
    fn numbers_match_whatever_brackets_they_use() {
        assert_eq!(
            normalise_number("青发[2003] 12号"),
            normalise_number("青发〔2003〕12号")
        );
        assert_ne!(
            normalise_number("青发〔2003〕12号"),
            normalise_number("青发〔2003〕13号")
        );
    }
}
