//! Amending acts applied: reads the instructions of a 修改决定 (`将第三条修改为：
//! “…”`, `将第二条中的“X”修改为“Y”`, `删去第N条`, `在第N条后增加一条…`,
//! `条文顺序作相应调整`, …) and applies them to the text in force before the
//! act, producing the consolidated text and a record of which articles each
//! act changed.
//!
//! Pure text in, text and problems out; `catalogue` decides which act
//! applies to which version and reports problems with the act's file.

use std::borrow::Cow;

use chrono::NaiveDate;

use crate::articles::{article_number, parse_numeral};
use crate::model::{ArticleChange, ArticleNote, DocId};

/// One instruction of an amending act. `article` is always an article
/// number as the text reads before the act; `text`, `old` and `new` are the
/// act's quotations.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Instruction {
    /// 将第N条修改为：“…”
    ReplaceArticle { article: u32, text: String },
    /// 将第N条第M款修改为：“…”
    ReplaceClause {
        article: u32,
        clause: u32,
        text: String,
    },
    /// 将第N条第（K）项修改为：“…”
    ReplaceItem {
        article: u32,
        item: u32,
        text: String,
    },
    /// 将第N条中的“X”修改为“Y”
    ReplaceWords {
        article: u32,
        old: String,
        new: String,
    },
    /// 删去第N条
    DeleteArticle { article: u32 },
    /// 删去第N条中的“X”
    DeleteWords { article: u32, old: String },
    /// 删去第N条第（K）项
    DeleteItem { article: u32, item: u32 },
    /// 在第N条后增加一条，作为第P条：“…” (`after` is N, `number` is P)
    InsertArticle {
        after: u32,
        number: u32,
        text: String,
    },
    /// 在第N条后增加一条，作为第N条之M：“…” (keeps every other number)
    InsertSubArticle { after: u32, sub: u32, text: String },
    /// 第N条增加一款，作为第M款：“…”
    AddClause {
        article: u32,
        clause: u32,
        text: String,
    },
}

impl Instruction {
    /// The article (as numbered before the act) the instruction works on.
    fn article(&self) -> u32 {
        match self {
            Instruction::ReplaceArticle { article, .. }
            | Instruction::ReplaceClause { article, .. }
            | Instruction::ReplaceItem { article, .. }
            | Instruction::ReplaceWords { article, .. }
            | Instruction::DeleteArticle { article }
            | Instruction::DeleteWords { article, .. }
            | Instruction::DeleteItem { article, .. }
            | Instruction::AddClause { article, .. } => *article,
            Instruction::InsertArticle { after, .. }
            | Instruction::InsertSubArticle { after, .. } => *after,
        }
    }
}

/// The instructions of an act, each with its 0-based line in the body.
#[derive(Debug, Default)]
pub struct Parsed {
    /// What the act says to do, in order.
    pub instructions: Vec<(Instruction, usize)>,
    /// `条文顺序作相应调整`: renumber articles (and references to them).
    pub renumber: bool,
    /// Lines that look like instructions but cannot be read, with why.
    pub problems: Vec<(usize, String)>,
}

/// Read every instruction in an act's Markdown body.
pub fn parse(body: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let lines: Vec<(usize, &str)> = body
        .lines()
        .map(str::trim)
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
        .collect();
    let mut k = 0;
    while k < lines.len() {
        let (line, text) = lines[k];
        k += 1;
        if text.contains("条文顺序作相应调整") || text.contains("条文顺序相应调整")
        {
            parsed.renumber = true;
        }
        let Some(clause) = instruction_text(text) else {
            if ["修改为", "删去", "增加一条", "增加一款"]
                .iter()
                .any(|w| text.contains(w))
            {
                let why = "this line seems to change the text, but gazette cannot read it as an instruction";
                parsed.problems.push((line, why.into()));
            }
            continue;
        };
        let (whole, used) = with_quotation(&clause, &lines[k..]);
        k += used;
        match parse_instruction(&whole) {
            Ok(instructions) => parsed
                .instructions
                .extend(instructions.into_iter().map(|i| (i, line))),
            Err(why) => parsed.problems.push((line, why)),
        }
    }
    parsed
}

/// An instruction whose quotation goes on over the next paragraphs (`将第一条
/// 修改为：` then `“…` paragraphs, only the last closing with `”`): the
/// instruction with its whole quotation, paragraphs joined by line breaks,
/// and how many following lines it took.
fn with_quotation(clause: &str, next: &[(usize, &str)]) -> (String, usize) {
    let depth = |text: &str| {
        text.chars().fold(0i32, |d, c| match c {
            '“' => d + 1,
            '”' => d - 1,
            _ => d,
        })
    };
    let opens_on_next = clause.ends_with(['：', ':']) && !clause.contains('“');
    if !opens_on_next && depth(clause) <= 0 {
        return (clause.to_owned(), 0);
    }
    let mut whole = clause.to_owned();
    let mut open = depth(clause) > 0;
    for (used, (_, text)) in next.iter().enumerate() {
        // Each quoted paragraph opens with “; only the last one closes.
        let text = match text.strip_prefix('“') {
            Some(rest) if open => {
                whole.push('\n');
                rest
            }
            _ if open => {
                whole.push('\n');
                text
            }
            _ => text,
        };
        whole.push_str(text);
        open = depth(&whole) > 0;
        if !open {
            return (whole, used + 1);
        }
    }
    (clause.to_owned(), 0)
}

/// The text of a line that gives an instruction, numbering (`一、`, `1.`)
/// and the name of the amended act (`将《解释》原第六条…`) removed.
fn instruction_text(line: &str) -> Option<String> {
    let numbered = |sep: char| {
        line.split_once(sep)
            .filter(|(n, _)| !n.is_empty() && parse_numeral(n).is_some())
            .map(|(_, rest)| rest)
    };
    let rest = numbered('、')
        .or_else(|| numbered('.'))
        .unwrap_or(line)
        .trim();
    let plain = strip_links(rest);
    let rest = match plain
        .strip_prefix('将')
        .map(|r| r.trim_start_matches(|c| c != '第'))
    {
        Some(after) if plain.starts_with("将《") => {
            format!("将{}", after.trim_start_matches('原'))
        }
        _ => rest.replacen("将原第", "将第", 1),
    };
    let plain = strip_links(&rest);
    let article_first = plain.starts_with('第') && plain.contains("增加一款");
    let verb_first = ["将第", "删去第", "在第"]
        .iter()
        .any(|p| plain.starts_with(p));
    (article_first || verb_first).then_some(rest)
}

/// The skeleton of an instruction (quotations replaced by `Q`, Markdown
/// links by their text) and the quotations, raw.
fn split_quotes(text: &str) -> Result<(String, Vec<String>), String> {
    let curly = curly_quotes(text);
    let text: &str = &curly;
    let mut skeleton = String::new();
    let mut quotes = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('“') {
        skeleton.push_str(&rest[..open]);
        let inner = &rest[open + '“'.len_utf8()..];
        let mut depth = 1;
        let close = inner.char_indices().find_map(|(i, c)| {
            match c {
                '“' => depth += 1,
                '”' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(i)
        });
        let Some(close) = close else {
            return Err("a quotation “… is never closed with ”".into());
        };
        // Quoted in the act, ‘…’ inside the quotation is “…” in the text.
        quotes.push(inner[..close].replace('‘', "“").replace('’', "”"));
        skeleton.push('Q');
        rest = &inner[close + '”'.len_utf8()..];
    }
    skeleton.push_str(rest);
    Ok((strip_links(&skeleton), quotes))
}

/// Straight double quotes (`"…"`, typed on a Latin keyboard) as “…”.
fn curly_quotes(text: &str) -> Cow<'_, str> {
    if !text.contains('"') {
        return Cow::Borrowed(text);
    }
    let mut open = false;
    let curly = text.chars().map(|c| match c {
        '"' => {
            open = !open;
            if open { '“' } else { '”' }
        }
        c => c,
    });
    Cow::Owned(curly.collect())
}

/// `[text](url)` → `text`.
fn strip_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let Some((label, after)) = rest[open + 1..].split_once("](") else {
            break;
        };
        let Some(close) = after.find(')') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(label);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// `第N条` at the start of `s`: N and the rest.
fn article_ref(s: &str) -> Option<(u32, &str)> {
    let rest = s.strip_prefix('第')?;
    let end = rest.find('条')?;
    Some((parse_numeral(&rest[..end])?, &rest[end + '条'.len_utf8()..]))
}

/// `第M款` / `第（K）项` at the start of `s`.
fn part_ref(s: &str) -> Option<(Part, &str)> {
    let rest = s.strip_prefix('第')?;
    if let Some(item) = rest.strip_prefix('（') {
        let (n, after) = item.split_once('）')?;
        let after = after.strip_prefix('项')?;
        return Some((Part::Item(parse_numeral(n)?), after));
    }
    let end = rest.find('款')?;
    Some((
        Part::Clause(parse_numeral(&rest[..end])?),
        &rest[end + '款'.len_utf8()..],
    ))
}

enum Part {
    Clause(u32),
    Item(u32),
}

/// The instructions of one line: usually one, several for
/// `将第N条中的“A”修改为“B”，“C”修改为“D”`.
fn parse_instruction(text: &str) -> Result<Vec<Instruction>, String> {
    parse_one(text)
        .map(|one| vec![one])
        .or_else(|why| several_words(text).ok_or(why))
}

/// `将第N条中的“A”修改为“B”，“C”修改为“D”…`: one rewording each.
fn several_words(text: &str) -> Option<Vec<Instruction>> {
    let (skeleton, quotes) = split_quotes(text).ok()?;
    let rest = skeleton.trim_end_matches(['。', '；']).strip_prefix('将')?;
    let (article, rest) = article_ref(rest)?;
    let pairs = rest.strip_prefix("中的")?.split('，').collect::<Vec<_>>();
    if pairs.len() < 2 || pairs.iter().any(|p| *p != "Q修改为Q") || quotes.len() != 2 * pairs.len()
    {
        return None;
    }
    let words = quotes.chunks(2).map(|q| Instruction::ReplaceWords {
        article,
        old: q[0].clone(),
        new: q[1].clone(),
    });
    Some(words.collect())
}

/// One instruction from its sentence, the quoted wording cut out first.
/// Long on purpose: one arm per sentence form the README lists, kept
/// together so the grammar reads in one place.
fn parse_one(text: &str) -> Result<Instruction, String> {
    let (skeleton, quotes) = split_quotes(text)?;
    let s = skeleton.trim_end_matches(['。', '；', ';']);
    let quote = |k: usize| quotes.get(k).cloned();
    let unknown = || {
        format!(
            "cannot read the instruction `{}`",
            s.chars().take(40).collect::<String>()
        )
    };
    if let Some(rest) = s.strip_prefix('将') {
        let (article, rest) = article_ref(rest).ok_or_else(unknown)?;
        if let Some((part, rest)) = part_ref(rest) {
            let text = (rest == "修改为：Q" || rest == "修改为:Q")
                .then(|| quote(0))
                .flatten()
                .ok_or_else(unknown)?;
            return Ok(match part {
                Part::Clause(clause) => Instruction::ReplaceClause {
                    article,
                    clause,
                    text,
                },
                Part::Item(item) => Instruction::ReplaceItem {
                    article,
                    item,
                    text,
                },
            });
        }
        return match rest {
            "修改为：Q" | "修改为:Q" => Ok(Instruction::ReplaceArticle {
                article,
                text: quote(0).ok_or_else(unknown)?,
            }),
            "中的Q修改为Q" => Ok(Instruction::ReplaceWords {
                article,
                old: quote(0).ok_or_else(unknown)?,
                new: quote(1).ok_or_else(unknown)?,
            }),
            _ => Err(unknown()),
        };
    }
    if let Some(rest) = s.strip_prefix("删去") {
        let (article, rest) = article_ref(rest).ok_or_else(unknown)?;
        if rest.is_empty() {
            return Ok(Instruction::DeleteArticle { article });
        }
        if rest == "中的Q" {
            let old = quote(0).ok_or_else(unknown)?;
            return Ok(Instruction::DeleteWords { article, old });
        }
        return match part_ref(rest) {
            Some((Part::Item(item), "")) => Ok(Instruction::DeleteItem { article, item }),
            _ => Err(unknown()),
        };
    }
    if let Some(rest) = s.strip_prefix('在') {
        let (after, rest) = article_ref(rest).ok_or_else(unknown)?;
        let rest = rest.strip_prefix("后增加一条，作为").ok_or_else(unknown)?;
        let (number, rest) = article_ref(rest).ok_or_else(unknown)?;
        let (sub, rest) = match rest.strip_prefix('之') {
            Some(after_zhi) => {
                let end = after_zhi.find(['：', ':']).ok_or_else(unknown)?;
                let sub = parse_numeral(&after_zhi[..end]).ok_or_else(unknown)?;
                (Some(sub), &after_zhi[end..])
            }
            None => (None, rest),
        };
        if !matches!(rest, "：Q" | ":Q") {
            return Err(unknown());
        }
        let text = quote(0).ok_or_else(unknown)?;
        return Ok(match sub {
            Some(sub) if number == after => Instruction::InsertSubArticle { after, sub, text },
            Some(_) => return Err(format!("第N条之M must follow 第N条: {}", unknown())),
            None => Instruction::InsertArticle {
                after,
                number,
                text,
            },
        });
    }
    let (article, rest) = article_ref(s).ok_or_else(unknown)?;
    let rest = rest
        .trim_start_matches('中')
        .strip_prefix("增加一款，作为")
        .ok_or_else(unknown)?;
    match part_ref(rest) {
        Some((Part::Clause(clause), "：Q" | ":Q")) => Ok(Instruction::AddClause {
            article,
            clause,
            text: quote(0).ok_or_else(unknown)?,
        }),
        _ => Err(unknown()),
    }
}

/// What applying an act gives: the consolidated text and every article's
/// notes, or each instruction that failed (its line in the act and why).
pub type Applied = Result<(String, Vec<ArticleNote>), Vec<(usize, String)>>;

/// The act being applied: whose notes the changed articles get.
pub struct Act<'a> {
    /// The amending act.
    pub id: &'a DocId,
    /// The day its changes take effect.
    pub date: NaiveDate,
}

/// A paragraph group of a text: an article (its paragraphs, the first
/// opening with `第N条`) or anything else (headings, preamble), with the
/// history of the article's changes.
#[derive(Debug, Clone)]
struct Segment {
    article: Option<u32>,
    /// Marks an article this act inserts until `renumber` numbers it.
    inserted: bool,
    paragraphs: Vec<String>,
    notes: Vec<ArticleNote>,
}

/// Apply `parsed` to `body` (Markdown) whose articles already carry the
/// notes `prior`. Returns the consolidated text with every article's notes
/// (old and new), or each instruction that could not be applied (its line
/// and why): nothing is ever skipped silently.
pub fn apply(body: &str, prior: &[ArticleNote], parsed: &Parsed, act: &Act<'_>) -> Applied {
    let mut segments = segments(body, prior);
    let mut problems = Vec::new();
    for (instruction, line) in &parsed.instructions {
        if let Err(why) = apply_one(&mut segments, instruction, parsed.renumber, act) {
            problems.push((*line, why));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if parsed.renumber {
        renumber(&mut segments);
    }
    let notes = segments.iter().flat_map(|s| s.notes.clone()).collect();
    let text = segments
        .iter()
        .flat_map(|s| s.paragraphs.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("\n\n");
    Ok((text + "\n", notes))
}

fn segments(body: &str, prior: &[ArticleNote]) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    for para in body.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        let number = article_number(para);
        let continues = number.is_none() && !para.starts_with('#') && !is_sub_article(para);
        match out.last_mut() {
            Some(last) if continues && last.article.is_some() => {
                last.paragraphs.push(para.to_owned())
            }
            _ => out.push(Segment {
                article: number,
                inserted: false,
                paragraphs: vec![para.to_owned()],
                notes: prior
                    .iter()
                    .filter(|n| number == Some(n.article))
                    .cloned()
                    .collect(),
            }),
        }
    }
    out
}

/// `第八条之一 …`: an article inserted without renumbering, standing apart
/// from article 8 (it has no `#art-` anchor of its own).
fn is_sub_article(para: &str) -> bool {
    para.strip_prefix('第')
        .and_then(|rest| rest.split_once('条'))
        .is_some_and(|(n, after)| parse_numeral(n).is_some() && after.starts_with('之'))
}

/// Where to insert after segment `k`: past the articles this act already
/// inserted there, so two insertions keep the act's order.
fn after_inserted(segments: &[Segment], k: usize) -> usize {
    k + 1 + segments[k + 1..].iter().take_while(|s| s.inserted).count()
}

fn position(segments: &[Segment], article: u32) -> Result<usize, String> {
    segments
        .iter()
        .position(|s| s.article == Some(article) && !s.inserted)
        .ok_or_else(|| format!("the text has no article {}", label(article)))
}

/// `第十二条`.
fn label(n: u32) -> String {
    format!("第{}条", crate::articles::numeral(n))
}

/// The article's label as written (`第三条`), to keep it when rewording.
fn written_label(first: &str) -> &str {
    first
        .find('条')
        .map_or("", |i| &first[..i + '条'.len_utf8()])
}

/// Record that `act` rewords the article (once per act, with the wording
/// it had before the act's first change).
fn note(segment: &mut Segment, act: &Act<'_>) {
    if segment.notes.last().is_some_and(|n| n.act == *act.id) {
        return;
    }
    segment.notes.push(ArticleNote {
        article: segment.article.unwrap_or_default(),
        change: ArticleChange::Amended,
        act: act.id.clone(),
        date: act.date,
        before: Some(segment.paragraphs.join("\n")),
    });
}

/// Apply one instruction to the text's segments. Long on purpose: one arm
/// per instruction kind, beside each other so their effects compare.
fn apply_one(
    segments: &mut Vec<Segment>,
    instruction: &Instruction,
    renumber: bool,
    act: &Act<'_>,
) -> Result<(), String> {
    let article = instruction.article();
    let k = position(segments, article)?;
    if let Instruction::DeleteArticle { .. } = instruction {
        segments.remove(k);
        return Ok(());
    }
    if let Instruction::InsertArticle { number, text, .. } = instruction {
        if !renumber && segments.iter().any(|s| s.article == Some(*number)) {
            return Err(format!(
                "adds {} but the text already has one and the act does not say 条文顺序作相应调整",
                label(*number)
            ));
        }
        let mut paragraphs = paragraphs(text);
        paragraphs[0] = format!("{} {}", label(*number), paragraphs[0]);
        let note = ArticleNote {
            article: *number,
            change: ArticleChange::Added,
            act: act.id.clone(),
            date: act.date,
            before: None,
        };
        segments.insert(
            after_inserted(segments, k),
            Segment {
                article: Some(*number),
                inserted: true,
                paragraphs,
                notes: vec![note],
            },
        );
        return Ok(());
    }
    if let Instruction::InsertSubArticle { sub, text, .. } = instruction {
        // 第N条之M keeps every number; it has no `#art-` anchor of its own.
        let mut paragraphs = paragraphs(text);
        paragraphs[0] = format!(
            "{}之{} {}",
            label(article),
            crate::articles::numeral(*sub),
            paragraphs[0]
        );
        segments.insert(
            after_inserted(segments, k),
            Segment {
                article: None,
                inserted: true,
                paragraphs,
                notes: Vec::new(),
            },
        );
        return Ok(());
    }
    let s = &mut segments[k];
    match instruction {
        Instruction::ReplaceWords { old, new, .. } => return replace_words(s, old, new, act),
        Instruction::DeleteWords { old, .. } => return replace_words(s, old, "", act),
        _ => note(s, act),
    }
    match instruction {
        Instruction::ReplaceArticle { text, .. } => {
            let head = written_label(&s.paragraphs[0]).to_owned();
            s.paragraphs = paragraphs(text);
            s.paragraphs[0] = format!("{head} {}", s.paragraphs[0]);
        }
        Instruction::ReplaceClause { clause, text, .. } => {
            let k = clause_index(s, *clause)?;
            s.paragraphs[k] = if k == 0 {
                format!("{} {text}", written_label(&s.paragraphs[0]))
            } else {
                text.clone()
            };
        }
        Instruction::ReplaceItem { item, text, .. } => {
            let k = item_index(s, *item)?;
            s.paragraphs[k] = text.clone();
        }
        Instruction::DeleteItem { item, .. } => {
            let k = item_index(s, *item)?;
            s.paragraphs.remove(k);
        }
        Instruction::AddClause { clause, text, .. } => {
            let clauses = s.paragraphs.iter().filter(|p| !is_item(p)).count();
            let at = match *clause as usize {
                c if c == clauses + 1 => s.paragraphs.len(),
                c if (2..=clauses).contains(&c) => clause_index(s, *clause)?,
                c => {
                    return Err(format!(
                        "{} has {clauses} paragraphs (款); cannot add one as paragraph {c}",
                        label(article)
                    ));
                }
            };
            s.paragraphs.insert(at, text.clone());
        }
        _ => {}
    }
    Ok(())
}

fn paragraphs(text: &str) -> Vec<String> {
    let parts: Vec<String> = text
        .split('\n')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    if parts.is_empty() {
        vec![String::new()]
    } else {
        parts
    }
}

fn is_item(paragraph: &str) -> bool {
    paragraph.starts_with('（') && paragraph.contains('）')
}

fn clause_index(s: &Segment, clause: u32) -> Result<usize, String> {
    (0..s.paragraphs.len())
        .filter(|&k| !is_item(&s.paragraphs[k]))
        .nth(clause.saturating_sub(1) as usize)
        .ok_or_else(|| {
            format!(
                "{} has no paragraph (款) {clause}",
                label(s.article.unwrap_or_default())
            )
        })
}

fn item_index(s: &Segment, item: u32) -> Result<usize, String> {
    let wanted = format!("（{}）", crate::articles::numeral(item));
    s.paragraphs
        .iter()
        .position(|p| p.starts_with(&wanted))
        .ok_or_else(|| {
            format!(
                "{} has no item {wanted}",
                label(s.article.unwrap_or_default())
            )
        })
}

fn replace_words(s: &mut Segment, old: &str, new: &str, act: &Act<'_>) -> Result<(), String> {
    let text = s.paragraphs.join("\n\n");
    let name = label(s.article.unwrap_or_default());
    match text.matches(old).count() {
        1 => {
            note(s, act);
            let replaced = text.replacen(old, new, 1);
            s.paragraphs = replaced.split("\n\n").map(str::to_owned).collect();
            Ok(())
        }
        0 => Err(format!("{name} does not contain “{old}”")),
        n => Err(format!(
            "“{old}” occurs {n} times in {name}: quote more words so it is found once"
        )),
    }
}

/// Number the articles 1, 2, 3… in order, and make references to
/// renumbered articles (`本规定第十二条`, `第十二条规定`) follow them.
fn renumber(segments: &mut [Segment]) {
    let mut map = std::collections::HashMap::new();
    let mut next = 0;
    for s in segments.iter_mut().filter(|s| s.article.is_some()) {
        next += 1;
        if let Some(old) = s.article.filter(|&n| !s.inserted && n != next) {
            map.insert(old, next);
        }
        let head = written_label(&s.paragraphs[0]).len();
        s.paragraphs[0] = format!("{}{}", label(next), &s.paragraphs[0][head..]);
        s.article = Some(next);
        s.inserted = false;
        for note in &mut s.notes {
            note.article = next;
        }
    }
    if map.is_empty() {
        return;
    }
    for s in segments.iter_mut() {
        let labelled = s.article.is_some();
        for (k, p) in s.paragraphs.iter_mut().enumerate() {
            *p = renumber_references(p, labelled && k == 0, &map);
        }
    }
}

/// `第N条` → `第M条` in running text where `map` moves N to M, except
/// the article's own label (`labelled`: the text starts with it) and
/// references to another act's articles: after `》`, and the run of
/// references joined to them (`《某法》第四条、第五条`).
fn renumber_references(
    text: &str,
    labelled: bool,
    map: &std::collections::HashMap<u32, u32>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut first = true;
    let mut other_act = false;
    while let Some(i) = rest.find('第') {
        let (before, from) = rest.split_at(i);
        out.push_str(before);
        other_act = out.ends_with('》')
            || (other_act && ["、", "和", "及", "至", "或者"].contains(&before));
        let is_label = labelled && first && i == 0;
        first = false;
        match article_ref(from) {
            Some((n, after)) if !(other_act || is_label) && map.contains_key(&n) => {
                out.push_str(&label(map[&n]));
                rest = after;
            }
            Some((_, after)) => {
                out.push_str(&from[..from.len() - after.len()]);
                rest = after;
            }
            None => {
                out.push('第');
                rest = &from['第'.len_utf8()..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "## 第一章 总则\n\n第一条 为了规范管理，制定本规定。\n\n第二条 全市性会议一律不超过半天。\n\n第三条 规范公务接待。\n\n第四条 禁止下列行为：\n\n（一）严禁公款吃喝；\n\n（二）严禁出入私人会所；\n\n（三）严禁赌博。\n\n第五条 违反第三条、第四条规定的，依照《某法》第四条、第三条处理。\n\n第四条规定的行为，从重处理。";

    fn act_id() -> DocId {
        DocId::new("acts/2018").unwrap()
    }

    fn apply_text(act: &str) -> Applied {
        apply_text_on(TEXT, act)
    }

    fn apply_text_on(body: &str, act: &str) -> Applied {
        let id = act_id();
        let act_ref = Act {
            id: &id,
            date: "2018-03-20".parse().unwrap(),
        };
        apply(body, &[], &parse(act), &act_ref)
    }

    fn run(act: &str) -> Applied {
        let parsed = parse(act);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        apply_text(act)
    }

    #[test]
    fn each_instruction_kind_is_read() {
        let act = "一、将[第三条](doc:x#art-3)修改为：“规范公务接待。严格执行‘接待办法’。”\n二、将第二条中的“一律不超过半天”修改为“一般不超过半天”。\n三、将第四条第（二）项修改为：“（二）严禁出入私人会所，严禁持有会员卡；”\n四、删去第四条第（三）项。\n五、在第三条后增加一条，作为第四条：“严格控制会议规模。”\n六、第一条增加一款，作为第二款：“本规定适用于全市。”\n七、删去第五条中的“、第四条”。\n八、将第一条第一款修改为：“为了规范公务管理，制定本规定。”\n九、删去第二条。\n此外，条文顺序作相应调整。";
        let parsed = parse(act);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        assert!(parsed.renumber);
        let kinds: Vec<u32> = parsed
            .instructions
            .iter()
            .map(|(i, _)| i.article())
            .collect();
        assert_eq!(kinds, vec![3, 2, 4, 4, 3, 1, 5, 1, 2]);
        assert_eq!(
            parsed.instructions[0].0,
            Instruction::ReplaceArticle {
                article: 3,
                text: "规范公务接待。严格执行“接待办法”。".into()
            }
        );
    }

    #[test]
    fn amendments_apply_and_renumber_references() {
        let act = "一、将第二条中的“一律”修改为“一般”。\n二、在第三条后增加一条，作为第四条：“严格控制会议规模。”\n三、删去第四条第（三）项。\n条文顺序作相应调整。";
        let (text, notes) = run(act).unwrap();
        assert!(text.contains("第二条 全市性会议一般不超过半天。"), "{text}");
        assert!(text.contains("第四条 严格控制会议规模。"), "{text}");
        assert!(text.contains("第五条 禁止下列行为："), "{text}");
        assert!(!text.contains("严禁赌博"));
        assert!(
            text.contains("第六条 违反第三条、第五条规定的，依照《某法》第四条、第三条处理。"),
            "references follow, other acts' articles do not: {text}"
        );
        assert!(
            text.contains("\n\n第五条规定的行为，从重处理。"),
            "a 款 opening with a reference: {text}"
        );
        let changes: Vec<(u32, ArticleChange)> =
            notes.iter().map(|n| (n.article, n.change)).collect();
        assert_eq!(
            changes,
            vec![
                (2, ArticleChange::Amended),
                (4, ArticleChange::Added),
                (5, ArticleChange::Amended)
            ]
        );
        assert_eq!(
            notes[0].before.as_deref(),
            Some("第二条 全市性会议一律不超过半天。")
        );
    }

    #[test]
    fn insertions_keep_their_order_and_sub_articles_stand_apart() {
        let (text, _) = run("在第三条后增加一条，作为第四条：“甲。”\n在第三条后增加一条，作为第五条：“乙。”\n条文顺序作相应调整。").unwrap();
        assert!(
            text.contains("第四条 甲。\n\n第五条 乙。\n\n第六条 禁止下列行为"),
            "{text}"
        );
        let (text, _) = run("在第二条后增加一条，作为第二条之一：“丙。”").unwrap();
        let again = apply_text_on(&text, "将第二条修改为：“丁。”").unwrap().0;
        assert!(again.contains("第二条 丁。\n\n第二条之一 丙。"), "{again}");
    }

    #[test]
    fn instructions_that_cannot_apply_are_errors() {
        let problems = |act: &str| apply_text(act).unwrap_err();
        assert!(
            problems("一、将第九条修改为：“无。”")[0]
                .1
                .contains("no article 第九条")
        );
        assert!(
            problems("将第二条中的“两天”修改为“一天”。")[0]
                .1
                .contains("does not contain")
        );
        assert!(
            problems("将第四条中的“严禁”修改为“禁止”。")[0]
                .1
                .contains("occurs 3 times")
        );
        assert!(
            problems("删去第四条第（九）项。")[0]
                .1
                .contains("no item （九）")
        );
        assert!(
            problems("在第一条后增加一条，作为第二条：“新。”")[0]
                .1
                .contains("条文顺序")
        );
        let unclosed = parse("一、将第三条修改为：“规范公务接待。");
        assert!(unclosed.problems[0].1.contains("never closed"));
        let unreadable = parse("二、将第三条改得更好。");
        assert_eq!(unreadable.problems[0].0, 0);
        let several =
            parse("三、将第九条中的“到2022年”修改为“到2025年”，“百分之十五”修改为“百分之十八”。");
        assert_eq!(several.instructions.len(), 2, "{:?}", several.problems);
        let sub = parse("二、在第八条后增加一条，作为第八条之一：“加强‘清朗’治理。”");
        assert_eq!(
            sub.instructions[0].0,
            Instruction::InsertSubArticle {
                after: 8,
                sub: 1,
                text: "加强“清朗”治理。".into()
            }
        );
        let straight = parse("将第三条修改为：\"严格公务接待。\"");
        assert!(straight.problems.is_empty(), "{:?}", straight.problems);
        let unknown_form = parse("序言\n三、对第二条作如下修改：删去“一律”二字。");
        assert_eq!(unknown_form.problems[0].0, 1, "never skipped silently");
    }
}
