//! Markdown to HTML: comrak with GFM extensions, syntect highlighting by CSS
//! class, `#art-N` anchors on article paragraphs, heading ids and a table of
//! contents, and internal links (`../x.md`, `@/x.md`, `doc:ID#art-N`)
//! rewritten to document URLs. The body is wrapped in [`TEXT_START`] and
//! [`TEXT_END`] comments so search snippets can find it in a page; the
//! [`NO_CITATIONS`] markers authors write are dropped.
//!
//! Knows nothing of the catalogue: link targets are resolved by a callback
//! the renderer supplies. Syntaxes are loaded once per process.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::{self, Write};
use std::sync::OnceLock;

use comrak::adapters::SyntaxHighlighterAdapter;
use comrak::html::{ChildRendering, Context};
use comrak::nodes::{AstNode, NodeValue};
use comrak::options::Plugins;
use comrak::{Arena, Options};
use serde::Serialize;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use crate::outline::{self, Anchor, Outline};

/// CSS class prefix of highlighted code tokens.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// One entry of a document's table of contents.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TocEntry {
    /// Heading level (2 = chapter, 3 = section, …).
    pub level: u8,
    /// Anchor id of the heading.
    pub id: String,
    /// Heading text.
    pub text: String,
}

/// A rendered document body.
#[derive(Debug, Default)]
pub struct Rendered {
    /// HTML of the body, between [`TEXT_START`] and [`TEXT_END`].
    pub html: String,
    /// Headings for the table of contents.
    pub toc: Vec<TocEntry>,
}

/// The URL a written link gets (given its destination as written), or
/// `None` to leave it as written.
pub type Resolve<'r> = dyn Fn(&str) -> Option<String> + Sync + 'r;

/// A configured Markdown renderer; build once, use from many threads.
pub struct Markdown {
    options: Options<'static>,
}

impl Markdown {
    /// A renderer; `unsafe_html` passes raw HTML through instead of escaping it.
    pub fn new(unsafe_html: bool) -> Markdown {
        let mut options = outline::parse_options();
        options.render.r#unsafe = unsafe_html;
        options.render.escape = !unsafe_html;
        Markdown { options }
    }

    /// Render `markdown`, putting article anchors where its `outline`
    /// says and giving written links the URLs `resolve` finds.
    pub fn render(&self, markdown: &str, outline: &Outline, resolve: &Resolve<'_>) -> Rendered {
        let arena = Arena::new();
        let root = comrak::parse_document(&arena, markdown, &self.options);
        let mut out = Rendered::default();
        let mut markers = Vec::new();
        for node in root.descendants() {
            let mut data = node.data_mut();
            match &mut data.value {
                NodeValue::Link(link) => {
                    if let Some(url) = resolve(&link.url) {
                        link.url = url;
                    }
                }
                NodeValue::HtmlInline(html) if is_marker(html) => markers.push(node),
                NodeValue::HtmlBlock(block) if is_marker(&block.literal) => markers.push(node),
                _ => {}
            }
        }
        for marker in markers {
            marker.detach();
        }
        let highlighter = Highlighter;
        let mut plugins = Plugins::default();
        plugins.render.codefence_syntax_highlighter = Some(&highlighter);
        let mut html = String::with_capacity(markdown.len() * 3 / 2);
        html.push_str(TEXT_START);
        let marks = Marks {
            outline,
            label: None,
            articles: Vec::new(),
        };
        // Writing into a String cannot fail.
        let labelled = comrak::html::format_document_with_formatter(
            root,
            &self.options,
            &mut html,
            &plugins,
            format_node,
            marks,
        )
        .map(|m| m.articles)
        .unwrap_or_default();
        out.toc = outline
            .headings
            .iter()
            .filter(|h| h.level <= 3)
            .map(|h| TocEntry {
                level: h.level,
                id: h.id.clone(),
                text: h.text.clone(),
            })
            .collect();
        if out.toc.is_empty() {
            // No chapters: the table of contents lists the articles.
            out.toc = labelled;
        }
        nest_book_marks_in(&mut html);
        html.push_str(TEXT_END);
        out.html = html;
        out
    }
}

/// What the HTML formatter adds to comrak's output: article anchors from
/// the outline, and the article labels it turns into links.
struct Marks<'o> {
    outline: &'o Outline,
    /// The article whose label (第N条) the next text opens with.
    label: Option<Anchor>,
    /// Labelled articles, first of each number, for the table of contents.
    articles: Vec<TocEntry>,
}

/// comrak's HTML, except that an article paragraph gets its anchor id and
/// its label becomes a link to it, and a paragraph opening with a list
/// number （一） gets `class="item"` so it is indented like the articles.
fn format_node<'a>(
    cx: &mut Context<Marks<'_>>,
    node: &'a AstNode<'a>,
    entering: bool,
) -> Result<ChildRendering, fmt::Error> {
    match &node.data().value {
        NodeValue::Paragraph if entering => {
            let line = node.data().sourcepos.start.line;
            if let Some(article) = cx.user.outline.article_at(line) {
                let anchor = article.anchor;
                cx.cr()?;
                write!(cx, "<p id=\"{anchor}\" class=\"article\">")?;
                cx.user.label = Some(anchor);
                return Ok(ChildRendering::HTML);
            }
            if is_block_paragraph(node) && opens_with_item_number(node) {
                cx.cr()?;
                cx.write_str("<p class=\"item\">")?;
                return Ok(ChildRendering::HTML);
            }
        }
        NodeValue::Text(text) if entering && !outline::is_blank(text) => {
            if let Some(anchor) = cx.user.label.take() {
                write_label(cx, anchor, text)?;
                return Ok(ChildRendering::HTML);
            }
        }
        _ => {}
    }
    comrak::html::format_node_default(cx, node, entering)
}

/// The opening text of an article: its label `第N条` as a link to the
/// article's own anchor, then the rest.
fn write_label(cx: &mut Context<Marks<'_>>, anchor: Anchor, text: &str) -> fmt::Result {
    let text = text.trim_start_matches(crate::articles::ZERO_WIDTH);
    let label = text
        .find('条')
        .map(|end| &text[..end + '条'.len_utf8()])
        .filter(|l| l.starts_with('第'));
    let Some(label) = label else {
        return cx.escape(text);
    };
    write!(cx, "<a class=\"art-no\" href=\"#{anchor}\">")?;
    cx.escape(label)?;
    cx.write_str("</a>")?;
    if anchor.occurrence == 1 {
        cx.user.articles.push(TocEntry {
            level: 3,
            id: anchor.to_string(),
            text: label.to_owned(),
        });
    }
    cx.escape(&text[label.len()..])
}

/// A paragraph at the top level or in a block quote (never in a list,
/// whose tight items have no `<p>`).
fn is_block_paragraph<'a>(node: &'a AstNode<'a>) -> bool {
    node.parent()
        .is_some_and(|p| matches!(p.data().value, NodeValue::Document | NodeValue::BlockQuote))
}

/// Does a paragraph open with a list number such as （一） or （十二）?
fn opens_with_item_number<'a>(node: &'a AstNode<'a>) -> bool {
    let first = node.first_child();
    let text = first.as_ref().map(|n| n.data());
    let Some(NodeValue::Text(text)) = text.as_ref().map(|d| &d.value) else {
        return false;
    };
    let Some(rest) = text.trim_start().strip_prefix('（') else {
        return false;
    };
    let Some(end) = rest.find('）') else {
        return false;
    };
    let numeral = &rest[..end];
    !numeral.is_empty()
        && numeral.chars().count() <= 4
        && numeral
            .chars()
            .all(|c| "一二三四五六七八九十百零〇".contains(c) || c.is_ascii_digit())
}

/// Opens a passage whose mentions of other documents are not citations
/// (closed by [`NO_CITATIONS_END`], else running to the end of the text).
/// An HTML comment, so it survives escaping; never output.
pub const NO_CITATIONS: &str = "<!-- no-citations -->";
/// Closes a passage opened by [`NO_CITATIONS`].
pub const NO_CITATIONS_END: &str = "<!-- /no-citations -->";

/// Marks where a body's HTML starts in a page, for the search snippets that
/// fetch parts of pages (an HTML comment: no effect on layout or text).
pub const TEXT_START: &str = "<!--text-->";
/// Marks where a body's HTML ends in a page.
pub const TEXT_END: &str = "<!--/text-->";
/// How an article paragraph opens (`<p id="art-3" class="article">`).
pub const ARTICLE_OPEN: &str = "<p id=\"art-";

/// True for gazette's own markers, which are never output.
fn is_marker(html: &str) -> bool {
    [NO_CITATIONS, NO_CITATIONS_END].contains(&html.trim())
}

/// Book-title marks nested inside book-title marks become single ones, as
/// Chinese typesetting requires: 《关于修改《办法》的决定》 reads
/// 《关于修改〈办法〉的决定》. Each line is counted on its own, so an
/// unbalanced mark cannot spill into the next paragraph.
pub fn nest_book_marks(text: &str) -> String {
    let mut out = text.to_owned();
    nest_book_marks_in(&mut out);
    out
}

/// [`nest_book_marks`] in place: a nested mark has the UTF-8 length of the
/// mark it replaces. Only newlines and the lead byte of CJK punctuation
/// (U+3000-U+3FFF) are looked at, so Han text is skipped over.
fn nest_book_marks_in(text: &mut String) {
    const OPEN: &[u8] = "《".as_bytes();
    const CLOSE: &[u8] = "》".as_bytes();
    let mut nested = Vec::new();
    let mut depth = 0u32;
    let bytes = text.as_bytes();
    for i in memchr::memchr2_iter(b'\n', OPEN[0], bytes) {
        let at = &bytes[i..];
        if at[0] == b'\n' {
            depth = 0;
        } else if at.starts_with(OPEN) {
            depth += 1;
            if depth.is_multiple_of(2) {
                nested.push((i, "〈"));
            }
        } else if at.starts_with(CLOSE) && depth > 0 {
            if depth.is_multiple_of(2) {
                nested.push((i, "〉"));
            }
            depth -= 1;
        }
    }
    for (i, mark) in nested {
        text.replace_range(i..i + mark.len(), mark);
    }
}

fn syntax_set() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The stylesheet for highlighted code in the named syntect theme.
pub fn highlight_css(theme: &str) -> Result<String, String> {
    let themes = syntect::highlighting::ThemeSet::load_defaults();
    let theme = themes.themes.get(theme).ok_or_else(|| {
        let names: Vec<_> = themes.themes.keys().map(String::as_str).collect();
        format!(
            "unknown highlight theme `{theme}`; available: {}",
            names.join(", ")
        )
    })?;
    syntect::html::css_for_theme_with_class_style(theme, CLASS_STYLE).map_err(|e| e.to_string())
}

/// comrak adapter that highlights fenced code with syntect CSS classes.
struct Highlighter;

impl SyntaxHighlighterAdapter for Highlighter {
    fn write_highlighted(
        &self,
        output: &mut dyn fmt::Write,
        lang: Option<&str>,
        code: &str,
    ) -> fmt::Result {
        let set = syntax_set();
        let syntax = lang.and_then(|l| set.find_syntax_by_token(l));
        let Some(syntax) = syntax else {
            return write_escaped(output, code);
        };
        let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            if generator
                .parse_html_for_line_which_includes_newline(line)
                .is_err()
            {
                return write_escaped(output, code);
            }
        }
        output.write_str(&generator.finalize())
    }

    fn write_pre_tag(
        &self,
        output: &mut dyn fmt::Write,
        attributes: HashMap<&'static str, Cow<'_, str>>,
    ) -> fmt::Result {
        write_tag(output, "pre", attributes)
    }

    fn write_code_tag(
        &self,
        output: &mut dyn fmt::Write,
        attributes: HashMap<&'static str, Cow<'_, str>>,
    ) -> fmt::Result {
        write_tag(output, "code", attributes)
    }
}

fn write_tag(
    output: &mut dyn fmt::Write,
    name: &str,
    attributes: HashMap<&'static str, Cow<'_, str>>,
) -> fmt::Result {
    let mut attrs: Vec<_> = attributes.into_iter().collect();
    attrs.sort();
    write!(output, "<{name}")?;
    for (k, v) in attrs {
        write!(output, " {k}=\"{}\"", escape_html(&v))?;
    }
    output.write_str(">")
}

/// Escape text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = write_escaped(&mut out, text);
    out
}

/// Write `text` to `out` as [`escape_html`] returns it, without building
/// the string first (templates write every value so).
pub fn write_escaped(out: &mut (impl std::fmt::Write + ?Sized), text: &str) -> std::fmt::Result {
    let mut copied = 0;
    // The five characters are ASCII, so every other byte is copied in runs.
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.write_str(&text[copied..i])?;
        out.write_str(entity)?;
        copied = i + 1;
    }
    out.write_str(&text[copied..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(md: &str) -> Rendered {
        let resolve = |url: &str| match url {
            "doc:known#art-3" => Some("/docs/known/#art-3".to_owned()),
            _ => None,
        };
        Markdown::new(false).render(md, &Outline::parse(md), &resolve)
    }

    #[test]
    fn nested_book_marks_become_single_and_list_items_are_marked() {
        assert_eq!(
            nest_book_marks("《关于修改《公务接待办法》的决定》"),
            "《关于修改〈公务接待办法〉的决定》"
        );
        assert_eq!(nest_book_marks("《甲》和《乙》"), "《甲》和《乙》");
        assert_eq!(nest_book_marks("《a《b《c》》》"), "《a〈b《c》〉》");
        let r = render(
            "第一条 依据《关于修改《办法》的决定》。\n\n（一）一项；\n\n（十二）又一项。\n\n（注）不是。\n",
        );
        assert!(r.html.contains("《关于修改〈办法〉的决定》"));
        assert_eq!(r.html.matches("<p class=\"item\">").count(), 2);
        // No headings: the table of contents lists the articles.
        assert_eq!(r.toc.len(), 1);
        assert_eq!(
            (r.toc[0].id.as_str(), r.toc[0].text.as_str()),
            ("art-1", "第一条")
        );
    }

    #[test]
    fn no_citations_markers_are_never_output() {
        let r = render(
            "<!-- no-citations -->\n\n第一条 见<!-- no-citations -->《甲》<!-- /no-citations -->。<!-- 其他 -->\n",
        );
        assert!(!r.html.contains("citations"), "{}", r.html);
        assert!(
            r.html.contains("见《甲》。&lt;!-- 其他 --&gt;"),
            "{}",
            r.html
        );
    }

    #[test]
    fn articles_get_stable_anchors() {
        let r = render("第一条 总则。\n\n第二条 范围。\n\n附件\n\n第一条 附件条款。\n");
        assert!(r.html.contains(
            "<p id=\"art-1\" class=\"article\"><a class=\"art-no\" href=\"#art-1\">第一条</a>"
        ));
        assert!(r.html.contains(
            "<p id=\"art-2\" class=\"article\"><a class=\"art-no\" href=\"#art-2\">第二条</a>"
        ));
        assert!(
            r.html
                .contains("<p id=\"art-1-2\" class=\"article\"><a class=\"art-no\" href=\"#art-1-2\">第一条</a> 附件")
        );
    }

    #[test]
    fn an_article_after_a_zero_width_line_gets_its_anchor_and_label() {
        let r = render("\u{200b}\n第一条 总则。");
        assert!(
            r.html.contains("<p id=\"art-1\" class=\"article\">\u{200b}\n<a class=\"art-no\" href=\"#art-1\">第一条</a> 总则。"),
            "{}",
            r.html
        );
    }

    #[test]
    fn raw_html_is_escaped_by_default() {
        let r = render("<script>alert(1)</script>\n\n[x](javascript:alert(1))");
        assert!(!r.html.contains("<script>"));
        assert!(r.html.contains("&lt;script&gt;"));
        assert!(!r.html.contains("javascript:"));
    }

    #[test]
    fn links_get_the_urls_resolve_finds() {
        let r = render("[a](doc:known#art-3) [b](../sec/missing.md) [d](https://example.org/x.md)");
        assert!(r.html.contains("href=\"/docs/known/#art-3\""));
        assert!(
            r.html.contains("href=\"../sec/missing.md\""),
            "left as written"
        );
        assert!(r.html.contains("href=\"https://example.org/x.md\""));
    }

    #[test]
    fn headings_make_the_toc_and_code_is_highlighted() {
        let r = render("## 第一章 总则\n\n```rust\nfn main() {}\n```\n");
        assert_eq!(r.toc[0].text, "第一章 总则");
        assert!(r.html.contains(&format!("id=\"{}\"", r.toc[0].id)));
        assert!(r.html.contains("class=\"hl-"));
    }

    #[test]
    fn gfm_tables_footnotes_and_strikethrough_render() {
        let r = render("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~旧~~ 新[^1]\n\n[^1]: 注释\n");
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>旧</del>"));
        assert!(r.html.contains("footnote"));
    }

    /// [`nest_book_marks`] by its definition, a character at a time.
    fn nested_by_definition(text: &str) -> String {
        let mut depth = 0u32;
        let swap = |outer: char, inner: char, depth: u32| match depth % 2 {
            0 => inner,
            _ => outer,
        };
        text.chars()
            .map(|c| match c {
                '《' => {
                    depth += 1;
                    swap('《', '〈', depth)
                }
                '》' if depth > 0 => {
                    depth -= 1;
                    swap('》', '〉', depth + 1)
                }
                '\n' => {
                    depth = 0;
                    c
                }
                c => c,
            })
            .collect()
    }

    /// [`escape_html`] by its definition, a character at a time.
    fn escaped_by_definition(text: &str) -> String {
        let entity = |c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        };
        text.chars().map(entity).collect()
    }

    proptest::proptest! {
        /// The byte-scanning versions equal the definitions, on text made
        /// of marks, other CJK punctuation (same lead byte), Han, ASCII
        /// specials and newlines.
        #[test]
        fn scanning_equals_the_definitions(text in "[《》〈〉、。「」法律a&<>\"'\n]{0,40}") {
            proptest::prop_assert_eq!(nest_book_marks(&text), nested_by_definition(&text));
            proptest::prop_assert_eq!(escape_html(&text), escaped_by_definition(&text));
        }
    }
}
