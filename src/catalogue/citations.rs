//! Citations: finds where a text mentions another document of the catalogue
//! — `《title》` (with or without the `中华人民共和国` prefix, nested `〈…〉`
//! as written), `《title》第N条`, a 文号 (`青发〔2013〕1号`, with `〔〕`, `[]`
//! or `（）`), a short title the text defines (`以下简称“双十条”`) — and where
//! it cites its own articles (`本规定第十条`).
//!
//! Pure: a [`Names`] index built once from the catalogue, and `find` over one
//! text; `cited` resolves and checks the mentions, the renderer turns them
//! into links, the catalogue into "cited by" lists. Code, links, headings
//! and passages between `<!-- no-citations -->` markers are never searched.

use crate::model::DocIdx;
use std::collections::HashMap;
use std::ops::Range;

use aho_corasick::{AhoCorasick, MatchKind};

/// What a mention refers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mention {
    /// Bytes of the mention in the text.
    pub range: Range<usize>,
    /// The document cited (index into the catalogue), or `None` for the
    /// citing text itself (`本法第十条`).
    pub target: Option<DocIdx>,
    /// The article cited, if any.
    pub article: Option<u32>,
}

/// A `《…》` naming two or more documents: left as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ambiguous {
    /// Bytes of the title, 书名号 included, in the text.
    pub range: Range<usize>,
    /// The documents it names (indices into the catalogue).
    pub candidates: Vec<usize>,
}

/// What `find` saw: mentions to link, and mentions it could not link.
#[derive(Debug, Default, Clone)]
pub struct Found {
    /// Mentions of one document each.
    pub mentions: Vec<Mention>,
    /// `《…》` naming two or more documents.
    pub ambiguous: Vec<Ambiguous>,
    /// Bytes of each `《…》` naming nothing in the catalogue (a national law
    /// on a municipal site): left as text and counted.
    pub unknown: Vec<Range<usize>>,
}

/// Titles, short titles and 文号 of every document, for lookups.
#[derive(Debug)]
pub struct Names {
    titles: HashMap<String, Vec<usize>>,
    numbers: Option<AhoCorasick>,
    /// Document of each 文号 pattern, aligned with `numbers`.
    number_docs: Vec<usize>,
}

const PREFIX: &str = "中华人民共和国";

/// A title as compared: nested 〈〉 as 《》, the national prefix dropped.
fn normal(title: &str) -> String {
    let title = title.replace('〈', "《").replace('〉', "》");
    title.strip_prefix(PREFIX).unwrap_or(&title).to_owned()
}

/// The spellings a 文号 is written with: 〔〕, [], （）, ［］, ().
fn number_spellings(number: &str) -> Vec<String> {
    const PAIRS: [(char, char); 5] = [
        ('〔', '〕'),
        ('[', ']'),
        ('（', '）'),
        ('［', '］'),
        ('(', ')'),
    ];
    let canonical: String = number
        .chars()
        .map(|c| match c {
            c if PAIRS.iter().any(|(o, _)| *o == c) => '〔',
            c if PAIRS.iter().any(|(_, e)| *e == c) => '〕',
            c => c,
        })
        .collect();
    if !canonical.contains('〔') {
        return vec![canonical];
    }
    PAIRS
        .iter()
        .map(|(o, e)| {
            canonical
                .replace('〔', &o.to_string())
                .replace('〕', &e.to_string())
        })
        .collect()
}

impl Names {
    /// Index `(title, 文号)` of every document, by position.
    pub fn new<'a>(docs: impl Iterator<Item = (&'a str, Option<&'a str>)>) -> Names {
        let mut titles: HashMap<String, Vec<usize>> = HashMap::new();
        let mut patterns = Vec::new();
        let mut number_docs = Vec::new();
        for (i, (title, number)) in docs.enumerate() {
            let list = titles.entry(normal(title)).or_default();
            if !list.contains(&i) {
                list.push(i);
            }
            for spelling in number.into_iter().flat_map(number_spellings) {
                patterns.push(spelling);
                number_docs.push(i);
            }
        }
        // No 文号 at all (an imported collection of laws): nothing to scan for.
        let numbers = (!patterns.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&patterns)
                    .ok()
            })
            .flatten();
        Names {
            titles,
            numbers,
            number_docs,
        }
    }

    fn title(&self, title: &str) -> Option<&[usize]> {
        self.titles.get(&normal(title)).map(Vec::as_slice)
    }
}

/// Every mention in `text` (a Markdown body) of a document other than
/// `own` (the citing document's index), outside code, links and headings.
pub fn find(text: &str, own: usize, names: &Names) -> Found {
    let mut found = Found::default();
    let mut aliases: Vec<(String, usize)> = Vec::new();
    for span in searchable(text) {
        let part = &text[span.clone()];
        titles(part, span.start, own, names, &mut found, &mut aliases);
        numbers(part, span.start, own, names, &mut found);
        own_articles(part, span.start, &mut found);
    }
    short_titles(text, &aliases, &mut found);
    found.mentions.sort_by_key(|m| m.range.start);
    found.mentions.dedup_by(|b, a| b.range.start < a.range.end);
    found
}

/// Byte ranges of `text` outside fenced code, inline code, links, headings
/// and passages the author opted out.
fn searchable(text: &str) -> Vec<Range<usize>> {
    let mut out = unquoted(text);
    for cut in opted_out(text) {
        out = out
            .into_iter()
            .flat_map(|r| [r.start..r.end.min(cut.start), r.start.max(cut.end)..r.end])
            .filter(|r| r.start < r.end)
            .collect();
    }
    out
}

/// From each `<!-- no-citations -->` to the next `<!-- /no-citations -->`
/// (or the end of the text): passages whose mentions are not citations.
fn opted_out(text: &str) -> Vec<Range<usize>> {
    use crate::markdown::{NO_CITATIONS, NO_CITATIONS_END};
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(start) = text[from..].find(NO_CITATIONS).map(|i| from + i) {
        let after = start + NO_CITATIONS.len();
        let end = text[after..]
            .find(NO_CITATIONS_END)
            .map_or(text.len(), |i| after + i + NO_CITATIONS_END.len());
        out.push(start..end);
        from = end;
    }
    out
}

/// Byte ranges of `text` outside fenced code, inline code, links and headings.
fn unquoted(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut fenced = false;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced || trimmed.starts_with('#') {
            continue;
        }
        // Cut out `code` and [links](…).
        let mut from = 0;
        let mut i = 0;
        while let Some(k) = memchr::memchr2(b'`', b'[', &line.as_bytes()[i..]).map(|k| i + k) {
            let skip_to = match line.as_bytes()[k] {
                b'`' => line[k + 1..].find('`').map(|e| k + 1 + e + 1),
                _ => line[k..]
                    .find("](")
                    .and_then(|e| line[k + e..].find(')').map(|c| k + e + c + 1)),
            };
            match skip_to {
                Some(end) => {
                    out.push(start + from..start + k);
                    from = end;
                    i = end;
                }
                None => i = k + 1,
            }
        }
        out.push(start + from..start + line.len());
    }
    out.retain(|r| !r.is_empty());
    out
}

/// `《…》` mentions (and `《…》第N条`); a definition `以下简称“X”` or
/// `（以下简称X）` right after one makes X a short title of the same document.
fn titles(
    part: &str,
    base: usize,
    own: usize,
    names: &Names,
    found: &mut Found,
    aliases: &mut Vec<(String, usize)>,
) {
    let mut rest = 0;
    while let Some(open) = part[rest..].find('《').map(|i| rest + i) {
        let Some(close) = closing(&part[open..]).map(|c| open + c) else {
            break;
        };
        let inner = &part[open + '《'.len_utf8()..close];
        let end = close + '》'.len_utf8();
        rest = end;
        let Some(docs) = names.title(inner) else {
            found.unknown.push(base + open..base + end);
            continue;
        };
        let [target] = docs else {
            found.ambiguous.push(Ambiguous {
                range: base + open..base + end,
                candidates: docs.to_vec(),
            });
            continue;
        };
        if *target == own {
            continue;
        }
        let (article, end) = match cited_article(&part[end..]) {
            Some((n, len)) => (Some(n), end + len),
            None => (None, end),
        };
        found.mentions.push(Mention {
            range: base + open..base + end,
            target: Some(DocIdx::new(*target)),
            article,
        });
        if let Some(alias) = defined_alias(&part[end..]) {
            aliases.push((alias, *target));
        }
    }
}

/// Byte offset of the `》` closing the `《` that `text` starts with.
fn closing(text: &str) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '《' => depth += 1,
            '》' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            '\n' => return None,
            _ => {}
        }
    }
    None
}

/// `第N条` right at the start of `text`: N and its length in bytes.
fn cited_article(text: &str) -> Option<(u32, usize)> {
    let rest = text.strip_prefix('第')?;
    let end = rest.find('条')?;
    if end > 12 * 3 {
        return None;
    }
    let n = crate::articles::parse_numeral(&rest[..end])?;
    Some((n, '第'.len_utf8() + end + '条'.len_utf8()))
}

/// `（…，以下简称“双十条”）` or `（以下简称双十条）` near the start of `text`.
fn defined_alias(text: &str) -> Option<String> {
    let window = &text[..text.floor_char_boundary(120)];
    let at = window.find("以下简称")?;
    // `《甲》、《乙》（以下简称乙）` defines a short title of 乙, not of 甲.
    if window[..at].contains('《') {
        return None;
    }
    let after = &window[at + "以下简称".len()..];
    let alias = match after.strip_prefix('“') {
        Some(quoted) => &quoted[..quoted.find('”')?],
        None => &after[..after.find(['）', ')', '，', '。'])?],
    };
    let alias = alias.trim_matches(['《', '》']);
    (!alias.is_empty() && alias.chars().count() <= 20).then(|| alias.to_owned())
}

/// 文号 anywhere in the text.
fn numbers(part: &str, base: usize, own: usize, names: &Names, found: &mut Found) {
    let Some(numbers) = &names.numbers else {
        return;
    };
    for m in numbers.find_iter(part) {
        let target = names.number_docs[m.pattern().as_usize()];
        if target != own {
            found.mentions.push(Mention {
                range: base + m.start()..base + m.end(),
                target: Some(DocIdx::new(target)),
                article: None,
            });
        }
    }
}

/// `本法第十条`, `本规定第三条`: the citing text's own articles.
fn own_articles(part: &str, base: usize, found: &mut Found) {
    const OWN: [&str; 8] = ["法", "条例", "规定", "办法", "决定", "细则", "解释", "规则"];
    for (i, _) in part.match_indices('本') {
        let rest = &part[i + '本'.len_utf8()..];
        let Some(kind) = OWN.iter().find(|k| rest.starts_with(*k)) else {
            continue;
        };
        let after = i + '本'.len_utf8() + kind.len();
        if let Some((n, len)) = cited_article(&part[after..]) {
            found.mentions.push(Mention {
                range: base + after..base + after + len,
                target: None,
                article: Some(n),
            });
        }
    }
}

/// Later uses of a defined short title: `“双十条”`, `《双十条》` or bare.
fn short_titles(text: &str, aliases: &[(String, usize)], found: &mut Found) {
    if aliases.is_empty() {
        return;
    }
    let spans = searchable(text);
    for (alias, target) in aliases {
        let defined_at = found
            .mentions
            .iter()
            .filter(|m| m.target == Some(DocIdx::new(*target)))
            .map(|m| m.range.end)
            .min()
            .unwrap_or(0);
        for (i, _) in text.match_indices(alias.as_str()) {
            let end = i + alias.len();
            let inside = spans.iter().any(|s| s.start <= i && end <= s.end);
            // Skip the definition itself (`以下简称“X”`, `以下简称《X》`).
            let defining = ["以下简称", "以下简称“", "以下简称《"]
                .iter()
                .any(|d| text[..i].ends_with(d));
            if i > defined_at && inside && !defining && !word_goes_on(alias, &text[end..]) {
                let article = cited_article(&text[end..]);
                found.mentions.push(Mention {
                    range: i..end + article.map_or(0, |(_, len)| len),
                    target: Some(DocIdx::new(*target)),
                    article: article.map(|(n, _)| n),
                });
            }
        }
    }
}

/// True if a short title ending in 法 is only the start of a longer word:
/// `土地管理法律`, `保密法规` (but `保密法规定` is 保密法 + 规定).
fn word_goes_on(alias: &str, after: &str) -> bool {
    alias.ends_with('法')
        && (after.starts_with('律') || (after.starts_with('规') && !after.starts_with("规定")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names::new(
            [
                ("中华人民共和国食品安全法", None),
                ("关于改进工作作风、密切联系群众的十项规定和十个严禁", Some("青发〔2013〕1号")),
                ("中共青川市委关于修改《关于改进工作作风、密切联系群众的十项规定和十个严禁》的决定", Some("青发〔2018〕4号")),
                ("重名办法", None),
                ("重名办法", None),
                ("本文件", None),
            ]
            .into_iter(),
        )
    }

    fn cited(text: &str) -> Vec<(&str, Option<usize>, Option<u32>)> {
        find(text, 5, &names())
            .mentions
            .iter()
            .map(|m| (&text[m.range.clone()], m.target.map(DocIdx::get), m.article))
            .collect()
    }

    #[test]
    fn titles_numbers_short_titles_and_own_articles_are_found() {
        let text = "根据《食品安全法》第十条和《关于改进工作作风、密切联系群众的十项规定和十个严禁》（青发[2013]1号，以下简称“双十条”）制定。违反双十条第三条的，依照本规定第五条处理。见《中共青川市委关于修改〈关于改进工作作风、密切联系群众的十项规定和十个严禁〉的决定》。";
        assert_eq!(
            cited(text),
            vec![
                ("《食品安全法》第十条", Some(0), Some(10)),
                (
                    "《关于改进工作作风、密切联系群众的十项规定和十个严禁》",
                    Some(1),
                    None
                ),
                ("青发[2013]1号", Some(1), None),
                ("双十条第三条", Some(1), Some(3)),
                ("第五条", None, Some(5)),
                (
                    "《中共青川市委关于修改〈关于改进工作作风、密切联系群众的十项规定和十个严禁〉的决定》",
                    Some(2),
                    None
                ),
            ]
        );
    }

    #[test]
    fn ambiguous_unknown_code_and_links_are_left_alone() {
        let found = find(
            "《重名办法》《中华人民共和国民法典》`《食品安全法》` [《食品安全法》](doc:x)\n# 《食品安全法》\n",
            5,
            &names(),
        );
        assert!(found.mentions.is_empty(), "{:?}", found.mentions);
        assert_eq!(found.ambiguous.len(), 1);
        assert_eq!(found.ambiguous[0].range, 0..18);
        assert_eq!(found.ambiguous[0].candidates, [3, 4]);
        assert_eq!(found.unknown.len(), 1);
        assert_eq!(found.unknown[0], 18..54);
    }

    #[test]
    fn a_short_title_inside_a_longer_word_is_not_a_mention() {
        let text = "《食品安全法》（以下简称食品安全法）。违反食品安全法律法规、食品安全法规和食品安全法规定的。";
        let found: Vec<&str> = cited(text).into_iter().map(|(t, _, _)| t).collect();
        assert_eq!(found, ["《食品安全法》", "食品安全法"]);
    }

    #[test]
    fn opted_out_passages_are_not_read() {
        let text = "《食品安全法》<!-- no-citations -->《食品安全法》第一条<!-- /no-citations -->本法第二条\n<!-- no-citations -->\n青发〔2013〕1号";
        let found: Vec<&str> = cited(text).into_iter().map(|(t, _, _)| t).collect();
        assert_eq!(found, ["《食品安全法》", "第二条"]);
    }

    #[test]
    fn number_forms_are_found_as_written() {
        let names = Names::new(
            [
                ("国务院令", Some("国务院令第588号")),
                ("解释", Some("法释〔2020〕17号")),
                ("青发", Some("青发[2013]1号")),
            ]
            .into_iter(),
        );
        let text = "依据国务院令第588号、国务院令第5888号、法释[2020]17号、法释（2020）17号、法释［2020］17号、法释〔2020〕171号和青发〔2013〕1号。";
        let found = find(text, 9, &names);
        let got: Vec<(&str, Option<usize>)> = found
            .mentions
            .iter()
            .map(|m| (&text[m.range.clone()], m.target.map(DocIdx::get)))
            .collect();
        assert_eq!(
            got,
            [
                ("国务院令第588号", Some(0)),
                ("法释[2020]17号", Some(1)),
                ("法释（2020）17号", Some(1)),
                ("法释［2020］17号", Some(1)),
                ("青发〔2013〕1号", Some(2)),
            ]
        );
    }
}
