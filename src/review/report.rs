//! How the review queue and a campaign's progress are written out: plain
//! text for people, JSON and CSV (spreadsheet-safe) for other tools, and the
//! one-line evidence of each reason in English or Chinese.
//!
//! Formats values it is given; computes nothing about documents.

use serde::Serialize;

use super::progress::Progress;
use super::queue::{Change, Item, Reason};
use super::records::Record;
use crate::catalogue::{Catalogue, EventKind};
use crate::config::Language;
use crate::model::DocId;

/// One queue item as exported.
#[derive(Serialize)]
pub struct Row<'a> {
    /// The document's id.
    pub id: &'a str,
    /// Its title.
    pub title: &'a str,
    /// Its 文号.
    pub number: &'a str,
    /// Its level.
    pub level: &'a str,
    /// Its status key on the queue's date.
    pub status: &'static str,
    /// The reason code.
    pub reason: &'static str,
    /// The day the reason arose or falls due.
    pub date: String,
    /// The evidence, in words.
    pub evidence: String,
    /// The reason's facts.
    pub detail: &'a Reason,
}

/// The rows of `items`, with evidence in `lang`.
pub fn rows<'a>(cat: &'a Catalogue, items: &'a [Item], lang: Language) -> Vec<Row<'a>> {
    items
        .iter()
        .map(|item| {
            let doc = &cat.docs[item.doc];
            Row {
                id: doc.id.as_str(),
                title: &doc.title,
                number: doc.meta.fields.number.as_deref().unwrap_or(""),
                level: doc.meta.fields.level.as_deref().unwrap_or(""),
                status: cat.computed[item.doc].status.key(),
                reason: item.reason.code(),
                date: item.reason.date().to_string(),
                evidence: evidence(cat, &item.reason, lang),
                detail: &item.reason,
            }
        })
        .collect()
}

/// The queue as text: one block per document, one line per reason.
pub fn queue_text(cat: &Catalogue, items: &[Item]) -> String {
    if items.is_empty() {
        return format!("nothing needs review as of {}\n", cat.as_of);
    }
    let mut out = String::new();
    let mut last = None;
    for row in rows(cat, items, Language::En) {
        if last != Some(row.id) {
            let number = if row.number.is_empty() {
                String::new()
            } else {
                format!(" {}", row.number)
            };
            out.push_str(&format!(
                "{} 《{}》{number} [{}]\n",
                row.id, row.title, row.status
            ));
            last = Some(row.id);
        }
        out.push_str(&format!("  {:<16} {}\n", row.reason, row.evidence));
    }
    let docs = items
        .iter()
        .map(|i| i.doc)
        .collect::<std::collections::BTreeSet<_>>();
    out.push_str(&format!(
        "{} reason(s) for {} document(s) as of {}\n",
        items.len(),
        docs.len(),
        cat.as_of
    ));
    out
}

/// The queue as CSV for spreadsheets (`export::spreadsheet_csv`).
pub fn queue_csv(cat: &Catalogue, items: &[Item]) -> Vec<u8> {
    let header = [
        "id", "title", "number", "level", "status", "reason", "date", "evidence",
    ];
    let rows = rows(cat, items, Language::ZhCn).into_iter().map(|r| {
        [
            r.id.to_owned(),
            r.title.to_owned(),
            r.number.to_owned(),
            r.level.to_owned(),
            r.status.to_owned(),
            r.reason.to_owned(),
            r.date,
            r.evidence,
        ]
    });
    crate::export::spreadsheet_csv(&header, rows)
}

/// The queue as JSON: `{"as_of", "items": [...]}`.
pub fn queue_json(cat: &Catalogue, items: &[Item]) -> String {
    let value = serde_json::json!({
        "as_of": cat.as_of,
        "items": rows(cat, items, Language::En),
    });
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

/// A campaign's progress as text.
pub fn progress_text(cat: &Catalogue, p: &Progress<'_>) -> String {
    let c = p.campaign;
    let mut out = format!("campaign “{}” ({})\n", c.name, c.path.display());
    if let Some(deadline) = c.deadline {
        let days = (deadline - cat.as_of).num_days();
        let when = match days {
            d if d < 0 => format!("passed {} day(s) ago", -d),
            0 => "today".to_owned(),
            d => format!("in {d} day(s)"),
        };
        out.push_str(&format!("  deadline {deadline} ({when})\n"));
    }
    let reviewed = p.in_scope.len() - p.unreviewed.len();
    out.push_str(&format!(
        "  reviewed {reviewed} of {} document(s) in scope ({}%), {} not yet\n",
        p.in_scope.len(),
        (reviewed * 100)
            .checked_div(p.in_scope.len())
            .unwrap_or(100),
        p.unreviewed.len()
    ));
    let outcomes: Vec<String> = p
        .by_outcome
        .iter()
        .map(|(o, n)| format!("{} {n}", o.key()))
        .collect();
    if !outcomes.is_empty() {
        out.push_str(&format!(
            "  outcomes: {} ({} of them withheld documents)\n",
            outcomes.join(", "),
            p.withheld.len()
        ));
    }
    out.push_str(&format!(
        "  carried out by a decision: {} of {}\n",
        p.carried_out, p.to_carry_out
    ));
    if p.overdue {
        out.push_str(&format!(
            "  OVERDUE: {} document(s) not reviewed by the deadline\n",
            p.unreviewed.len()
        ));
    }
    for &i in &p.unreviewed {
        let d = &cat.docs[i];
        out.push_str(&format!("  not reviewed: {} 《{}》\n", d.id, d.title));
    }
    out
}

/// A campaign's progress as JSON.
pub fn progress_json(cat: &Catalogue, p: &Progress<'_>) -> String {
    let ids = |list: &[usize]| -> Vec<&DocId> { list.iter().map(|&i| &cat.docs[i].id).collect() };
    let value = serde_json::json!({
        "campaign": p.campaign.name,
        "file": p.campaign.path,
        "as_of": cat.as_of,
        "deadline": p.campaign.deadline,
        "in_scope": p.in_scope.len(),
        "reviewed": p.in_scope.len() - p.unreviewed.len(),
        "outcomes": p.by_outcome.iter().map(|(o, n)| (o.key(), n)).collect::<std::collections::BTreeMap<_, _>>(),
        "withheld": p.withheld.len(),
        "carried_out": p.carried_out,
        "to_carry_out": p.to_carry_out,
        "overdue": p.overdue,
        "unreviewed": ids(&p.unreviewed),
    });
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

/// A campaign's progress as CSV for spreadsheets: one row per document in scope.
pub fn progress_csv(cat: &Catalogue, p: &Progress<'_>) -> Vec<u8> {
    let header = [
        "id", "title", "number", "outcome", "date", "reason", "reviewer",
    ];
    let records: std::collections::HashMap<usize, &Record> = p.reviewed.iter().copied().collect();
    let rows = p.in_scope.iter().map(|&i| {
        let d = &cat.docs[i];
        let r = records.get(&i).copied();
        let text = |s: Option<&str>| s.unwrap_or_default().to_owned();
        [
            d.id.to_string(),
            d.title.clone(),
            text(d.meta.fields.number.as_deref()),
            text(r.map(|r| r.outcome.key())),
            r.map(|r| r.date.to_string()).unwrap_or_default(),
            text(r.and_then(|r| r.reason.as_deref())),
            text(r.and_then(|r| r.reviewer.as_deref())),
        ]
    });
    crate::export::spreadsheet_csv(&header, rows)
}

/// The evidence for `reason`, one sentence in `lang`.
pub fn evidence(cat: &Catalogue, reason: &Reason, lang: Language) -> String {
    let zh = lang == Language::ZhCn;
    let name = |id: &DocId| {
        cat.find(id)
            .map_or_else(|| id.to_string(), |i| format!("《{}》", cat.docs[i].title))
    };
    match reason {
        Reason::BasisChanged { basis, change } if zh => {
            format!("制定依据{}{}", name(basis), change_zh(cat, change))
        }
        Reason::BasisChanged { basis, change } => {
            format!("its basis `{basis}` {}", change_en(change))
        }
        Reason::CitedChanged { cited, change } if zh => {
            format!("所引用的{}{}", name(cited), change_zh(cat, change))
        }
        Reason::CitedChanged { cited, change } => {
            format!("it cites `{cited}`, which {}", change_en(change))
        }
        Reason::Expiring { expires } if zh => format!("有效期至{}", zh_date(*expires)),
        Reason::Expiring { expires } => format!("its fixed term ends on {expires}"),
        Reason::ReviewOverdue { since, years } if zh => {
            format!("自{}起未经评估或修改，超过{years}年", zh_date(*since))
        }
        Reason::ReviewOverdue { since, years } => {
            format!("not reviewed or revised since {since} (limit {years} years for its level)")
        }
        Reason::OutcomePending {
            campaign,
            outcome,
            recorded,
        } if zh => format!(
            "“{campaign}”于{}提出{}，尚无决定",
            zh_date(*recorded),
            outcome.label_zh()
        ),
        Reason::OutcomePending {
            campaign,
            outcome,
            recorded,
        } => format!(
            "campaign “{campaign}” recorded `{}` on {recorded}; no decision has carried it out",
            outcome.key()
        ),
    }
}

fn change_en(c: &Change) -> String {
    let verb = match c.kind {
        EventKind::Amended => "was amended",
        EventKind::Superseded => "was superseded",
        EventKind::Repealed => "was repealed",
        EventKind::DeclaredInvalid => "was declared invalid",
        EventKind::Expired => "expired",
        EventKind::Promulgated | EventKind::Effective => "took effect",
    };
    let by = c
        .actor
        .as_ref()
        .map(|a| format!(" by `{a}`"))
        .unwrap_or_default();
    format!("{verb} on {}{by}", c.date)
}

fn change_zh(cat: &Catalogue, c: &Change) -> String {
    let verb = match c.kind {
        EventKind::Amended => "修改",
        EventKind::Superseded => "被替代",
        EventKind::Repealed => "废止",
        EventKind::DeclaredInvalid => "宣布失效",
        EventKind::Expired => "到期",
        EventKind::Promulgated | EventKind::Effective => "施行",
    };
    let by = c
        .actor
        .as_ref()
        .and_then(|a| cat.find(a))
        .map(|i| format!("（《{}》）", cat.docs[i].title))
        .unwrap_or_default();
    format!("已于{}{verb}{by}", zh_date(c.date))
}

/// 2026年3月1日
fn zh_date(d: chrono::NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}
