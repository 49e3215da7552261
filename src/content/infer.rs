//! Infers metadata that a file without front matter states in plain text:
//! the title from its first heading and dates from the history lines
//! (`2021年8月20日 …通过`, `…起施行`) above `<!-- INFO END -->`, or from a
//! `NAME(YYYY-MM-DD).md` file name.
//!
//! Pure text functions; explicit front matter always wins over inference.

use chrono::NaiveDate;
use serde::Serialize;

/// Words of a history line that record passing or publishing a text.
const PROMULGATION: [&str; 8] = [
    "通过", "公布", "发布", "批准", "修订", "修正", "修改", "颁布",
];

/// The marker that ends the history block in imported texts.
pub const INFO_END: &str = "<!-- INFO END -->";

/// Text of the first `# ` heading of `body`.
pub fn title(body: &str) -> Option<String> {
    body.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("# "))
        .map(|t| t.trim().trim_end_matches('#').trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// What a history line records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryKind {
    /// Passed, approved or published (通过, 批准, 公布, 发布, 颁布).
    Promulgated,
    /// Revised as a whole (修订): a new version.
    Revised,
    /// Amended by a decision (修正, 修改): a new version.
    Amended,
    /// Takes effect (施行).
    Effective,
}

/// One dated line of the history block, e.g. `2018年10月26日 …《关于修改〈…〉的决定》第四次修正`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct HistoryEntry {
    /// The date the line states.
    pub date: NaiveDate,
    /// What happened.
    pub kind: HistoryKind,
    /// The amending act the line names (`《关于修改〈…〉的决定》`), if any.
    pub act: Option<String>,
    /// 0-based line of the entry within the body.
    pub line: usize,
}

/// Every dated line of the history block above `<!-- INFO END -->`, in
/// written order. A line that both passes and brings a text into force
/// (`…公布 自2019年5月1日起施行`) yields two entries.
pub fn history(body: &str) -> Vec<HistoryEntry> {
    let Some(end) = body.find(INFO_END) else {
        return Vec::new();
    };
    let mut entries = Vec::new();
    let mut passed = false;
    for (line, text) in body[..end].lines().enumerate() {
        let text = text.trim();
        // `自1994年9月1日起施行` dates the text's taking effect too.
        let in_force_from = || {
            let (date, rest) = leading_cn_date(text.strip_prefix('自')?)?;
            rest.contains("施行").then_some((date, rest))
        };
        let Some((date, rest)) = leading_cn_date(text).or_else(in_force_from) else {
            continue;
        };
        let entry = |kind, date| HistoryEntry {
            date,
            kind,
            act: None,
            line,
        };
        // Judicial interpretations record each revision as another 通过.
        let passed_again = passed && rest.contains("通过");
        passed |= rest.contains("通过");
        let kind = if rest.contains("修订") || passed_again {
            Some(HistoryKind::Revised)
        } else if rest.contains("修正") || rest.contains("修改") {
            Some(HistoryKind::Amended)
        } else if PROMULGATION.iter().any(|w| rest.contains(w)) || !rest.contains("施行") {
            Some(HistoryKind::Promulgated)
        } else {
            None
        };
        if let Some(kind) = kind {
            entries.push(HistoryEntry {
                act: cited_title(rest).filter(|_| kind == HistoryKind::Amended),
                ..entry(kind, date)
            });
        }
        if rest.contains("施行") {
            let on = embedded_cn_date(rest).unwrap_or(date);
            entries.push(entry(HistoryKind::Effective, on));
        }
    }
    entries
}

/// (published, effective) read from the history block above `<!-- INFO END -->`.
///
/// `published` is the last promulgation-type line (passed, published,
/// revised); `effective` the last line that says 施行, if any.
pub fn history_dates(body: &str) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let entries = history(body);
    let last = |wanted: fn(HistoryKind) -> bool| {
        entries
            .iter()
            .rev()
            .find(|e| wanted(e.kind))
            .map(|e| e.date)
    };
    let published = last(|k| k != HistoryKind::Effective);
    let effective = last(|k| k == HistoryKind::Effective);
    // A later revision takes effect on its own date, not on an older 施行 line.
    let effective = effective.filter(|e| published.is_none_or(|p| *e >= p));
    (published.or(effective), effective)
}

/// The date a text's own commencement article names (`第八十条 本法自2024年
/// 3月1日起施行。`, `八、本修正案自…起施行。`): the last line below the history
/// block that, after its article label or item number, opens with `本` and
/// says `自YYYY年M月D日起施行`. Quoted text an amending act inserts opens
/// with `“`, so it is never taken for the act's own clause.
pub fn commencement(body: &str) -> Option<NaiveDate> {
    let text = body.find(INFO_END).map_or(body, |end| &body[end..]);
    text.lines().rev().find_map(|line| {
        let rest = without_label(line.trim()).strip_prefix('本')?;
        let (_, rest) = split_near(rest, '自')?;
        let (date, rest) = leading_cn_date(rest)?;
        let after = rest.strip_prefix("起施行")?.chars().next();
        after.is_none_or(|c| "。，；,;".contains(c)).then_some(date)
    })
}

/// `line` without a leading `第…条` article label or `八、` item number.
fn without_label(line: &str) -> &str {
    let numeral = |c: char| "一二三四五六七八九十百千零〇".contains(c);
    let rest = match line.strip_prefix('第').and_then(|l| split_near(l, '条')) {
        Some((n, rest)) if n.chars().all(numeral) => rest,
        _ => match split_near(line, '、') {
            Some((n, rest)) if !n.is_empty() && n.chars().all(numeral) => rest,
            _ => line,
        },
    };
    rest.trim_start_matches([' ', '\u{3000}'])
}

/// The first `《…》` of `text`, nested `〈…〉` included.
fn cited_title(text: &str) -> Option<String> {
    let start = text.find('《')?;
    let mut depth = 0usize;
    for (i, c) in text[start..].char_indices() {
        match c {
            '《' => depth += 1,
            '》' => {
                depth -= 1;
                if depth == 0 {
                    return Some(text[start..start + i + c.len_utf8()].to_owned());
                }
            }
            _ => {}
        }
    }
    None
}

/// The date in a `NAME(YYYY-MM-DD)` file stem.
pub fn stem_date(stem: &str) -> Option<NaiveDate> {
    let open = stem.rfind('(')?;
    let inner = stem[open + 1..].strip_suffix(')')?;
    NaiveDate::parse_from_str(inner, "%Y-%m-%d").ok()
}

/// A `YYYY年M月D日` date at the start of `line`, and the text after it.
fn leading_cn_date(line: &str) -> Option<(NaiveDate, &str)> {
    let (y, rest) = split_near(line, '年')?;
    let (m, rest) = split_near(rest, '月')?;
    let (d, rest) = split_near(rest, '日')?;
    let date = NaiveDate::from_ymd_opt(
        y.trim().parse().ok()?,
        m.trim().parse().ok()?,
        d.trim().parse().ok()?,
    )?;
    Some((date, rest))
}

/// Split at `mark` if it occurs within the first few characters: a date's
/// parts are short, and scanning whole lines would make long lines quadratic.
fn split_near(text: &str, mark: char) -> Option<(&str, &str)> {
    let i = text[..text.floor_char_boundary(16)].find(mark)?;
    Some((&text[..i], &text[i + mark.len_utf8()..]))
}

/// The first `YYYY年M月D日` anywhere in `text`.
fn embedded_cn_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    (0..text.len())
        .filter(|&i| {
            text.is_char_boundary(i)
                && bytes[i].is_ascii_digit()
                && (i == 0 || !bytes[i - 1].is_ascii_digit())
        })
        .find_map(|i| leading_cn_date(&text[i..]).map(|(d, _)| d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn title_is_the_first_heading() {
        assert_eq!(
            title("\n# 中华人民共和国个人信息保护法\n\n## 第一章").as_deref(),
            Some("中华人民共和国个人信息保护法")
        );
        assert_eq!(title("no heading"), None);
    }

    #[test]
    fn dates_come_from_history_lines() {
        let body = "# 法\n\n2021年8月20日 第十三届全国人民代表大会常务委员会第三十次会议通过\n\n<!-- INFO END -->\n第一条 …";
        assert_eq!(history_dates(body), (d(2021, 8, 20), None));
        let body = "# 条例\n\n1986年12月3日 国务院批准\n\n1994年7月15日 公安部发布\n\n自1994年9月1日起施行\n\n<!-- INFO END -->";
        assert_eq!(history_dates(body), (d(1994, 7, 15), d(1994, 9, 1)));
        let body =
            "# 条例\n\n2019年3月2日 国务院令第709号公布\n\n2019年5月1日 施行\n<!-- INFO END -->";
        assert_eq!(history_dates(body), (d(2019, 3, 2), d(2019, 5, 1)));
        assert_eq!(history_dates("# 无历史\n第一条"), (None, None));
        let revised = "# 法\n1994年10月27日 通过\n2021年4月29日 第二次修正\n2015年9月1日 施行\n<!-- INFO END -->";
        assert_eq!(history_dates(revised), (d(2021, 4, 29), None));
    }

    #[test]
    fn history_lines_become_entries_with_their_acts() {
        let body = "1993年12月29日 第八届全国人民代表大会常务委员会第五次会议通过\n\n2005年10月27日 第十届全国人民代表大会常务委员会第十八次会议第一次修订\n2018年10月26日 第十三届全国人民代表大会常务委员会第六次会议《关于修改〈中华人民共和国公司法〉的决定》第四次修正　\n2019年3月2日 国务院令第709号公布 自2019年5月1日起施行\n<!-- INFO END -->\n2020年1月1日 通过";
        let kinds: Vec<_> = history(body)
            .iter()
            .map(|e| (e.kind, e.date, e.line))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (HistoryKind::Promulgated, d(1993, 12, 29).unwrap(), 0),
                (HistoryKind::Revised, d(2005, 10, 27).unwrap(), 2),
                (HistoryKind::Amended, d(2018, 10, 26).unwrap(), 3),
                (HistoryKind::Promulgated, d(2019, 3, 2).unwrap(), 4),
                (HistoryKind::Effective, d(2019, 5, 1).unwrap(), 4),
            ]
        );
        assert_eq!(
            history(body)[2].act.as_deref(),
            Some("《关于修改〈中华人民共和国公司法〉的决定》")
        );
        assert_eq!(history(body)[1].act, None);
        let passed_twice = "2003年12月4日 审判委员会第1299次会议通过\n2020年12月23日 审判委员会第1823次会议通过\n2022年5月1日 施行\n<!-- INFO END -->";
        let kinds: Vec<_> = history(passed_twice).iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                HistoryKind::Promulgated,
                HistoryKind::Revised,
                HistoryKind::Effective
            ]
        );
    }

    #[test]
    fn stem_dates_are_read_from_file_names() {
        assert_eq!(
            stem_date("公民出境入境管理法实施细则(2011-01-08)"),
            d(2011, 1, 8)
        );
        assert_eq!(stem_date("刑法修正案（十）"), None);
    }

    #[test]
    fn commencement_is_the_texts_own_clause() {
        let act = "# 修正案\n\n2023年12月29日 通过\n\n<!-- INFO END -->\n\n一、将第一条修改为：“本法自2030年1月1日起施行。”\n\n八、本修正案自2024年3月1日起施行。\n";
        assert_eq!(commencement(act), d(2024, 3, 1));
        let law = "第一条 总则。\n\n第八十条　本法自2021年1月1日起施行。1986年的通则同时废止。";
        assert_eq!(commencement(law), d(2021, 1, 1));
        assert_eq!(commencement("本决定自公布之日起施行。"), None);
        assert_eq!(commencement("“本法自2030年1月1日起施行。”"), None, "quoted");
        assert_eq!(
            commencement("第一条 本法自2021年1月1日起施行前的行为"),
            None
        );
    }
}
