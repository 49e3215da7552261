//! UI strings in Simplified Chinese and English, chosen by `site.toml`
//! `language`. Templates read them as the global `i18n`; Rust code uses the
//! same table for status labels and banner sentences.
//!
//! Only words live here; no layout, no data.

use std::collections::BTreeMap;

use crate::catalogue::EventKind;
use crate::config::Language;
use crate::model::{RelationKind, Status};

/// Key/value pairs of one language; both languages define every key.
type Table = &'static [(&'static str, &'static str)];

const ZH: Table = &[
    ("search", "搜索"),
    ("search_placeholder", "搜索标题、文号或全文"),
    ("search_title_only", "仅搜索标题和文号"),
    (
        "search_hint",
        "多个词用空格分隔（须同时包含）；加引号搜索完整短语；输入“第十条”或“个人信息保护法 第十条”可直达条文。",
    ),
    (
        "search_noscript",
        "全文检索需要启用 JavaScript。您也可以浏览",
    ),
    ("search_filters", "筛选"),
    ("search_loading", "正在检索…"),
    ("search_error", "检索索引加载失败，请稍后重试。"),
    ("search_none", "没有找到符合条件的文件。"),
    ("search_count_suffix", "条"),
    ("search_more", "显示更多"),
    ("search_include_all", "包含已废止、失效文件"),
    ("search_years", "公布年份"),
    ("search_year_from", "起始年份"),
    ("search_year_to", "截止年份"),
    ("search_jump", "直达"),
    ("search_article", "第{n}条"),
    ("home", "首页"),
    ("catalogue", "文件目录"),
    ("catalogue_all", "全部文件"),
    ("decisions", "清理与修改决定"),
    ("review_title", "清理评估"),
    (
        "review_note",
        "本页列出需要评估的文件及清理工作进度，仅在本机预览时显示；在 site.toml 的 [review] 中设置 publish = true 才会发布。",
    ),
    ("review_queue", "待评估文件"),
    ("review_empty", "目前没有需要评估的文件。"),
    ("review_document", "文件"),
    ("review_reason", "原因"),
    ("review_evidence", "说明"),
    ("review_date", "日期"),
    ("review_reason_basis-changed", "制定依据已变化"),
    ("review_reason_cited-changed", "引用文件已变化"),
    ("review_reason_expiring", "有效期即将届满"),
    ("review_reason_review-overdue", "超期未评估"),
    ("review_reason_outcome-pending", "清理结果待决定"),
    ("review_campaigns", "清理工作"),
    ("review_deadline", "截止日期："),
    ("review_progress", "已评估 {reviewed} 件，共 {total} 件"),
    ("review_outcome_keep", "保留"),
    ("review_outcome_revise", "修改"),
    ("review_outcome_repeal", "废止"),
    ("review_outcome_invalidate", "宣布失效"),
    ("review_withheld", "其中不予公开的文件"),
    ("review_carried_out", "已由决定落实"),
    ("review_overdue", "已过截止日期，仍有文件未评估。"),
    ("review_unreviewed", "尚未评估的文件"),
    ("by_status", "按效力状态"),
    ("by_issuer", "按发文机关"),
    ("by_level", "按效力级别"),
    ("by_category", "按类别"),
    ("by_year", "按年份"),
    ("status", "效力状态"),
    ("title", "标题"),
    ("number", "文号"),
    ("issuer", "发文机关"),
    ("level", "效力级别"),
    ("category", "类别"),
    ("tags", "标签"),
    ("published", "公布日期"),
    ("effective", "施行日期"),
    ("expires", "到期日期"),
    ("summary", "摘要"),
    ("documents", "件文件"),
    ("count_prefix", "共"),
    ("count_suffix", "件"),
    ("toc", "目录"),
    ("relations", "相关文件"),
    ("acts_heading", "本文件处理的文件"),
    ("history", "沿革"),
    ("reason", "理由"),
    ("colon", "："),
    ("paren_open", "（"),
    ("paren_close", "）"),
    ("breadcrumb", "当前位置"),
    ("article_link", "本条链接"),
    ("superseded_mark", "非现行文本"),
    ("printed_from", "网址"),
    ("scheduled", "预定"),
    ("sort_by", "排序"),
    ("filter_page", "在本页筛选"),
    ("pagination", "分页"),
    ("previous_page", "上一页"),
    ("next_page", "下一页"),
    ("page_n", "第 {n} 页"),
    ("page_of", "第 {n} 页，共 {last} 页"),
    ("act_level", "决定"),
    ("latest_changes", "最近变动"),
    ("status_overview", "效力状态概览"),
    ("entry_points", "浏览"),
    ("as_of", "效力状态计算日期"),
    ("as_of_field", "查看其他日期的效力状态"),
    ("as_of_go", "查看"),
    ("as_of_view", "按{date}的效力状态："),
    ("as_of_not_issued", "{date}本文件尚未公布。"),
    ("as_of_version", "当日施行的文本："),
    ("no_text", "本文件未公开全文，仅列入目录。"),
    ("annex_repeals", "决定废止的文件目录"),
    ("annex_invalidates", "决定宣布失效的文件目录"),
    ("annex_amends", "决定修改的文件目录"),
    ("annex_supersedes", "替代的文件目录"),
    ("annex_no", "序号"),
    ("annex_title", "文件名称"),
    ("annex_download", "下载本目录"),
    ("withheld", "另有不予公开的文件"),
    ("withheld_unit", "件"),
    ("not_found", "页面不存在"),
    ("not_found_text", "您访问的页面不存在或已被移动。"),
    ("back_home", "返回首页"),
    ("redirecting", "页面已迁移，正在跳转到"),
    ("feed", "变动订阅"),
    ("downloads", "数据下载"),
    ("skip", "跳到正文"),
    ("print", "打印"),
    ("metadata", "基本信息"),
    ("id", "编号"),
    ("act_target", "涉及文件"),
    ("event", "事项"),
    ("date", "日期"),
    ("all", "全部"),
    ("year_suffix", "年"),
    ("generator", "由 gazette 生成"),
    ("status_pending", "尚未生效"),
    ("status_current", "现行有效"),
    ("status_amended", "现行有效（已修改）"),
    ("status_superseded", "已被替代"),
    ("status_repealed", "已废止"),
    ("status_invalid", "已宣布失效"),
    ("status_expired", "已到期"),
    ("event_promulgated", "公布"),
    ("event_effective", "施行"),
    ("event_amended", "修改"),
    ("event_superseded", "被替代"),
    ("event_repealed", "废止"),
    ("event_declared_invalid", "宣布失效"),
    ("event_expired", "到期"),
    ("rel_supersedes", "替代以下文件"),
    ("rel_amends", "修改以下文件"),
    ("rel_repeals", "废止以下文件"),
    ("rel_invalidates", "宣布以下文件失效"),
    ("rel_based_on", "制定依据"),
    ("rel_supersedes_in", "被以下文件替代"),
    ("rel_amends_in", "被以下文件修改"),
    ("rel_repeals_in", "被以下文件废止"),
    ("rel_invalidates_in", "被以下文件宣布失效"),
    ("rel_based_on_in", "以本文件为依据的文件"),
    (
        "banner_revised",
        "本文件现行有效，经修改的现行文本自{date}起施行。",
    ),
    ("version_read", "查看文本"),
    ("cited_by", "被以下文件引用"),
    ("cited_articles", "引用条文："),
    ("article_amended", "本条经{act}修改（{date}起施行）。"),
    ("article_added", "本条由{act}增加（{date}起施行）。"),
    ("article_before", "{date}前："),
    ("article_history", "本条沿革"),
    (
        "text_consolidated",
        "本页为根据修改决定逐条修改后的文本，已并入",
    ),
    ("text_original", "本页为原始文本。"),
    ("version_original", "公布"),
    ("version_revised", "修订"),
    ("version_amended", "修正"),
    ("versions", "历史版本"),
    ("timeline", "时间线"),
    ("version_in_force", "现行版本"),
    ("version_historical", "历史版本"),
    ("version_pending", "尚未施行"),
    ("version_no_text", "未收录文本"),
    (
        "version_banner_historical",
        "历史版本：自{from}起施行至{until}。",
    ),
    (
        "version_banner_in_force",
        "本版本为现行版本，自{from}起施行。",
    ),
    (
        "version_banner_pending",
        "尚未施行的版本：将于{from}起施行。",
    ),
    (
        "version_banner_last",
        "本文件已不再有效，本版本自{from}起施行至{until}。",
    ),
    ("version_current_link", "查看现行文本"),
    ("version_replaced_by", "由以下版本取代："),
    ("compare", "对照表"),
    ("compare_with_previous", "与上一版本对照"),
    ("compare_before", "修改前"),
    ("compare_after", "修改后"),
    ("compare_pick", "比较任意两个版本"),
    ("compare_go", "对照"),
    ("compare_changed", "修改"),
    ("compare_added", "新增"),
    ("compare_deleted", "删除"),
    ("compare_renumbered", "条序调整"),
    ("compare_unchanged", "未改动"),
    (
        "compare_summary",
        "共修改{changed}条、新增{added}条、删除{deleted}条、条序调整{renumbered}条。",
    ),
    ("compare_show_unchanged", "显示未改动的条文"),
    ("shown_text", "本页显示{date}版本文本。"),
    ("banner_pending", "本文件尚未生效，将于{date}起施行。"),
    ("banner_current", "本文件现行有效，自{date}起施行。"),
    (
        "banner_amended",
        "本文件现行有效，已于{date}由{actor}修改。",
    ),
    (
        "banner_superseded",
        "本文件已被替代：{date}起由{actor}代替。",
    ),
    ("banner_repealed", "本文件已废止：{date}由{actor}废止。"),
    (
        "banner_invalid",
        "本文件已宣布失效：{date}由{actor}宣布失效。",
    ),
    (
        "banner_expired",
        "本文件已到期：有效期届满，自{date}起不再有效。",
    ),
];

const EN: Table = &[
    ("search", "Search"),
    ("search_placeholder", "Search documents"),
    ("search_title_only", "Titles and numbers only"),
    (
        "search_hint",
        "Separate words with spaces (all must match); quote an exact phrase; type 第十条 or 个人信息保护法 第十条 to go straight to an article.",
    ),
    (
        "search_noscript",
        "Full-text search needs JavaScript. You can also browse",
    ),
    ("search_filters", "Filters"),
    ("search_loading", "Searching…"),
    (
        "search_error",
        "The search index could not be loaded; please try again later.",
    ),
    ("search_none", "No documents match."),
    ("search_count_suffix", "results"),
    ("search_more", "Show more"),
    (
        "search_include_all",
        "Include repealed and invalid documents",
    ),
    ("search_years", "Year published"),
    ("search_year_from", "From year"),
    ("search_year_to", "To year"),
    ("search_jump", "Go to"),
    ("search_article", "Article {n}"),
    ("home", "Home"),
    ("catalogue", "Catalogue"),
    ("catalogue_all", "All documents"),
    ("decisions", "Clean-up and amending acts"),
    ("review_title", "Review"),
    (
        "review_note",
        "Documents that need review and the progress of clean-up campaigns. Shown only in the local preview unless [review] publish = true in site.toml.",
    ),
    ("review_queue", "Needs review"),
    ("review_empty", "Nothing needs review."),
    ("review_document", "Document"),
    ("review_reason", "Reason"),
    ("review_evidence", "Evidence"),
    ("review_date", "Date"),
    ("review_reason_basis-changed", "Basis changed"),
    ("review_reason_cited-changed", "Cited document changed"),
    ("review_reason_expiring", "Term ends soon"),
    ("review_reason_review-overdue", "Review overdue"),
    ("review_reason_outcome-pending", "Outcome awaits a decision"),
    ("review_campaigns", "Clean-up campaigns"),
    ("review_deadline", "Deadline: "),
    (
        "review_progress",
        "{reviewed} of {total} documents reviewed",
    ),
    ("review_outcome_keep", "Keep"),
    ("review_outcome_revise", "Revise"),
    ("review_outcome_repeal", "Repeal"),
    ("review_outcome_invalidate", "Declare invalid"),
    ("review_withheld", "of them not published"),
    ("review_carried_out", "carried out by a decision"),
    (
        "review_overdue",
        "The deadline has passed with documents not yet reviewed.",
    ),
    ("review_unreviewed", "Not yet reviewed"),
    ("by_status", "By status"),
    ("by_issuer", "By issuer"),
    ("by_level", "By level"),
    ("by_category", "By category"),
    ("by_year", "By year"),
    ("status", "Status"),
    ("title", "Title"),
    ("number", "Number"),
    ("issuer", "Issuer"),
    ("level", "Level"),
    ("category", "Category"),
    ("tags", "Tags"),
    ("published", "Published"),
    ("effective", "In force from"),
    ("expires", "Expires on"),
    ("summary", "Summary"),
    ("documents", "documents"),
    ("count_prefix", ""),
    ("count_suffix", "documents"),
    ("toc", "Contents"),
    ("relations", "Related documents"),
    ("acts_heading", "Documents acted on"),
    ("history", "History"),
    ("reason", "Reason"),
    ("colon", ": "),
    ("paren_open", " ("),
    ("paren_close", ")"),
    ("breadcrumb", "Breadcrumb"),
    ("article_link", "Link to this article"),
    ("superseded_mark", "Not the text in force"),
    ("printed_from", "URL"),
    ("scheduled", "scheduled"),
    ("sort_by", "Sort"),
    ("filter_page", "Filter this page"),
    ("pagination", "Pages"),
    ("previous_page", "Previous"),
    ("next_page", "Next"),
    ("page_n", "Page {n}"),
    ("page_of", "Page {n} of {last}"),
    ("act_level", "Decision"),
    ("latest_changes", "Latest changes"),
    ("status_overview", "Documents by status"),
    ("entry_points", "Browse"),
    ("as_of", "Statuses as of"),
    ("as_of_field", "Statuses on another date"),
    ("as_of_go", "Show"),
    ("as_of_view", "Status on {date}:"),
    ("as_of_not_issued", "Not yet issued on {date}."),
    ("as_of_version", "Text in force that day:"),
    (
        "no_text",
        "The text of this document is not published; it is listed in the catalogue only.",
    ),
    ("annex_repeals", "List of documents repealed"),
    ("annex_invalidates", "List of documents declared invalid"),
    ("annex_amends", "List of documents amended"),
    ("annex_supersedes", "List of documents superseded"),
    ("annex_no", "No."),
    ("annex_title", "Title"),
    ("annex_download", "Download this list"),
    ("withheld", "Further documents not published:"),
    ("withheld_unit", ""),
    ("not_found", "Page not found"),
    (
        "not_found_text",
        "The page you asked for does not exist or has moved.",
    ),
    ("back_home", "Back to the home page"),
    ("redirecting", "This page has moved to"),
    ("feed", "Changes feed"),
    ("downloads", "Data downloads"),
    ("skip", "Skip to content"),
    ("print", "Print"),
    ("metadata", "Details"),
    ("id", "Identifier"),
    ("act_target", "Document"),
    ("event", "Event"),
    ("date", "Date"),
    ("all", "All"),
    ("year_suffix", ""),
    ("generator", "Built with gazette"),
    ("status_pending", "Not yet in force"),
    ("status_current", "In force"),
    ("status_amended", "In force, amended"),
    ("status_superseded", "Superseded"),
    ("status_repealed", "Repealed"),
    ("status_invalid", "Declared invalid"),
    ("status_expired", "Expired"),
    ("event_promulgated", "Published"),
    ("event_effective", "In force"),
    ("event_amended", "Amended"),
    ("event_superseded", "Superseded"),
    ("event_repealed", "Repealed"),
    ("event_declared_invalid", "Declared invalid"),
    ("event_expired", "Expired"),
    ("rel_supersedes", "Supersedes"),
    ("rel_amends", "Amends"),
    ("rel_repeals", "Repeals"),
    ("rel_invalidates", "Declares invalid"),
    ("rel_based_on", "Based on"),
    ("rel_supersedes_in", "Superseded by"),
    ("rel_amends_in", "Amended by"),
    ("rel_repeals_in", "Repealed by"),
    ("rel_invalidates_in", "Declared invalid by"),
    ("rel_based_on_in", "Cited as basis by"),
    (
        "banner_revised",
        "In force; the text as changed applies from {date}.",
    ),
    ("version_read", "Read"),
    ("cited_by", "Cited by"),
    ("cited_articles", "articles cited:"),
    (
        "article_amended",
        "Amended by {act} (in force from {date}).",
    ),
    ("article_added", "Added by {act} (in force from {date})."),
    ("article_before", "Before {date}:"),
    ("article_history", "History of this article"),
    (
        "text_consolidated",
        "This page shows the text as amended article by article, including",
    ),
    ("text_original", "This page shows the original text."),
    ("version_original", "Published"),
    ("version_revised", "Revised"),
    ("version_amended", "Amended"),
    ("versions", "Versions"),
    ("timeline", "Timeline"),
    ("version_in_force", "In force"),
    ("version_historical", "Historical version"),
    ("version_pending", "Not yet in force"),
    ("version_no_text", "text not available"),
    (
        "version_banner_historical",
        "Historical version: in force from {from} to {until}.",
    ),
    (
        "version_banner_in_force",
        "This is the version in force, since {from}.",
    ),
    (
        "version_banner_pending",
        "Version not yet in force: takes effect on {from}.",
    ),
    (
        "version_banner_last",
        "No longer in force; this version applied from {from} to {until}.",
    ),
    ("version_current_link", "Read the text in force"),
    ("version_replaced_by", "Replaced by:"),
    ("compare", "Comparison"),
    ("compare_with_previous", "Compare with the previous version"),
    ("compare_before", "Before"),
    ("compare_after", "After"),
    ("compare_pick", "Compare any two versions"),
    ("compare_go", "Compare"),
    ("compare_changed", "Changed"),
    ("compare_added", "Added"),
    ("compare_deleted", "Deleted"),
    ("compare_renumbered", "Renumbered"),
    ("compare_unchanged", "Unchanged"),
    (
        "compare_summary",
        "{changed} changed, {added} added, {deleted} deleted, {renumbered} renumbered.",
    ),
    ("compare_show_unchanged", "Show unchanged articles"),
    ("shown_text", "This page shows the text of {date}."),
    (
        "banner_pending",
        "Not yet in force: takes effect on {date}.",
    ),
    ("banner_current", "In force since {date}."),
    ("banner_amended", "In force; amended on {date} by {actor}."),
    (
        "banner_superseded",
        "Superseded: replaced from {date} by {actor}.",
    ),
    ("banner_repealed", "Repealed on {date} by {actor}."),
    ("banner_invalid", "Declared invalid on {date} by {actor}."),
    (
        "banner_expired",
        "Expired: its fixed term is over; not in force from {date}.",
    ),
];

/// The UI strings of one language.
#[derive(Debug, Clone, Copy)]
pub struct Strings {
    table: Table,
    language: Language,
}

impl Strings {
    /// Strings for `language`.
    pub fn new(language: Language) -> Strings {
        let table = match language {
            Language::ZhCn => ZH,
            Language::En => EN,
        };
        Strings { table, language }
    }

    /// The string for `key`, or an empty string if it is missing (a unit test
    /// keeps both languages defining the same keys).
    pub fn get(&self, key: &str) -> &'static str {
        self.table
            .iter()
            .find(|(k, _)| *k == key)
            .map_or("", |(_, v)| v)
    }

    /// Every string, for templates.
    pub fn to_map(&self) -> BTreeMap<&'static str, &'static str> {
        self.table.iter().copied().collect()
    }

    /// Label of a status, e.g. 已废止.
    pub fn status(&self, s: Status) -> &'static str {
        self.get(&format!("status_{}", s.key()))
    }

    /// How the text names article `n`: 第十条, or Art. 10.
    pub fn article(&self, n: u32) -> String {
        match self.language {
            Language::ZhCn => format!("第{}条", crate::articles::numeral(n)),
            Language::En => format!("Art. {n}"),
        }
    }

    /// Label of an event kind, e.g. 宣布失效.
    pub fn event(&self, k: EventKind) -> &'static str {
        self.get(&format!("event_{}", k.key()))
    }

    /// Heading of a relation group, outgoing or incoming.
    pub fn relation(&self, k: RelationKind, incoming: bool) -> &'static str {
        self.get(&format!(
            "rel_{}{}",
            k.key(),
            if incoming { "_in" } else { "" }
        ))
    }

    /// The banner sentence pattern of a status, with `{date}` and `{actor}` holes.
    pub fn banner(&self, s: Status) -> &'static str {
        self.get(&format!("banner_{}", s.key()))
    }

    /// A date written the way readers of this language expect.
    pub fn date(&self, d: chrono::NaiveDate) -> String {
        match self.language {
            Language::ZhCn => d.format("%Y年%-m月%-d日").to_string(),
            Language::En => d.format("%-d %B %Y").to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_define_the_same_keys() {
        let zh: Vec<_> = ZH.iter().map(|(k, _)| *k).collect();
        let en: Vec<_> = EN.iter().map(|(k, _)| *k).collect();
        assert_eq!(zh, en);
    }

    #[test]
    fn every_status_and_event_has_a_label() {
        for lang in [Language::ZhCn, Language::En] {
            let s = Strings::new(lang);
            for status in Status::ALL {
                assert!(!s.status(status).is_empty());
                assert!(s.banner(status).contains("{date}"));
            }
        }
        assert_eq!(
            Strings::new(Language::ZhCn).status(Status::Invalid),
            "已宣布失效"
        );
        let d = chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
        assert_eq!(Strings::new(Language::ZhCn).date(d), "2025年6月30日");
        assert_eq!(Strings::new(Language::En).date(d), "30 June 2025");
    }
}
