//! The draft decision of a campaign: a Markdown document with front matter
//! that repeals, invalidates and amends what the campaign's records say
//! (and no decision has done yet), with reasons and the withheld count,
//! ready for an office to edit and publish.
//!
//! Pure: returns text; the caller decides where it goes.

use chrono::NaiveDate;

use super::records::{Campaign, Record};
use crate::catalogue::Catalogue;
use crate::model::Outcome;

/// The draft decision for `campaign`, dated `date`.
pub fn draft(cat: &Catalogue, campaign: &Campaign, date: NaiveDate) -> String {
    let lists: Vec<(Outcome, Vec<(usize, &Record)>)> =
        [Outcome::Repeal, Outcome::Invalidate, Outcome::Revise]
            .into_iter()
            .map(|o| (o, to_decide(cat, campaign, o)))
            .filter(|(_, list)| !list.is_empty())
            .collect();
    let withheld = campaign
        .records
        .iter()
        .filter(|r| r.doc.is_none() && r.outcome != Outcome::Keep)
        .count();
    let title = title(campaign, &lists);
    let mut out = front_matter(cat, campaign, date, &title, &lists, withheld);
    out.push_str(&body(cat, campaign, &title, &lists, withheld));
    out
}

/// Records asking for `outcome` that no decision has carried out, by the
/// documents' dates of issue.
fn to_decide<'c>(cat: &Catalogue, c: &'c Campaign, outcome: Outcome) -> Vec<(usize, &'c Record)> {
    let mut list: Vec<(usize, &Record)> = c
        .records
        .iter()
        .filter(|r| r.outcome == outcome)
        .filter_map(|r| Some((cat.find(r.doc.as_ref()?)?.get(), r)))
        .filter(|(i, r)| !super::queue::carried_out(cat, *i, r))
        .collect();
    list.sort_by_key(|(i, _)| (cat.docs[*i].meta.fields.published, *i));
    list
}

/// 关于废止、宣布失效和修改一批规范性文件的决定, naming only the lists there are.
fn title(c: &Campaign, lists: &[(Outcome, Vec<(usize, &Record)>)]) -> String {
    let verbs: Vec<&str> = lists.iter().map(|(o, _)| o.label_zh()).collect();
    let verbs = match verbs.as_slice() {
        [] => "清理".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{}和{last}", init.join("、")),
    };
    format!(
        "{}关于{verbs}一批规范性文件的决定",
        c.issuer.as_deref().unwrap_or("")
    )
}

fn front_matter(
    cat: &Catalogue,
    c: &Campaign,
    date: NaiveDate,
    title: &str,
    lists: &[(Outcome, Vec<(usize, &Record)>)],
    withheld: usize,
) -> String {
    let q = |s: &str| toml::Value::String(s.to_owned()).to_string();
    let mut fm = format!(
        "+++\n# Drafted by `gazette review --draft-decision {}` from {} on {date}.\n\
         # Before publishing: set the number (文号) and the date, edit the text, then move\n\
         # this file under content/. Each list below becomes an annex of the decision page.\n",
        q(&c.name),
        c.path.display(),
    );
    fm.push_str(&format!("title = {}\n", q(title)));
    if let Some(issuer) = &c.issuer {
        fm.push_str(&format!("issuer = {}\n", q(issuer)));
    }
    fm.push_str("category = \"文件清理\"\n");
    fm.push_str(&format!("summary = {}\n", q(&summary(lists, withheld))));
    fm.push_str(&format!("published = {date}\n"));
    for (outcome, list) in lists {
        let Some(kind) = outcome.relation() else {
            continue;
        };
        fm.push_str(&format!("{} = [\n", kind.key()));
        for (i, r) in list {
            let reason = r
                .reason
                .as_deref()
                .map(|why| format!(", reason = {}", q(why)))
                .unwrap_or_default();
            fm.push_str(&format!(
                "  {{ id = {}{reason} }},\n",
                q(cat.docs[*i].id.as_str())
            ));
        }
        fm.push_str("]\n");
    }
    if withheld > 0 {
        fm.push_str(&format!("withheld = {withheld}\n"));
    }
    fm.push_str("+++\n\n");
    fm
}

/// 经集中清理，决定废止N件、宣布失效M件…
fn summary(lists: &[(Outcome, Vec<(usize, &Record)>)], withheld: usize) -> String {
    let counts: Vec<String> = lists
        .iter()
        .map(|(o, list)| format!("{}{}件", o.label_zh(), list.len()))
        .collect();
    let mut s = format!("经集中清理，决定{}规范性文件", counts.join("、"));
    if withheld > 0 {
        s.push_str(&format!("，另有{withheld}件不予公开的文件一并处理"));
    }
    s.push('。');
    s
}

fn body(
    cat: &Catalogue,
    c: &Campaign,
    title: &str,
    lists: &[(Outcome, Vec<(usize, &Record)>)],
    withheld: usize,
) -> String {
    const NUMERALS: [&str; 3] = ["一", "二", "三"];
    let mut text = format!(
        "# {title}\n\n根据{}的工作安排，对现行规范性文件进行了集中清理。经审核，决定：\n\n",
        c.name
    );
    for (k, (outcome, list)) in lists.iter().enumerate() {
        let (first, _) = list[0];
        let some = match list.len() {
            1 => format!("《{}》", cat.docs[first].title),
            n => format!("《{}》等{n}件规范性文件", cat.docs[first].title),
        };
        let action = match outcome {
            Outcome::Repeal => "予以废止",
            Outcome::Invalidate => "宣布失效",
            _ => "予以修改，修改后的文本另行公布",
        };
        text.push_str(&format!(
            "{}、对{some}{action}（目录见附件{}）。\n\n",
            NUMERALS[k],
            k + 1
        ));
    }
    if withheld > 0 {
        text.push_str(&format!("另有{withheld}件不予公开的文件一并处理。\n\n"));
    }
    text.push_str("本决定自印发之日起施行。\n");
    text
}
