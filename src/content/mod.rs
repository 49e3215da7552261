//! Content loading: turns `content/**/*.md` and the catalogue file into
//! `Document`s and `Section`s, with diagnostics for anything malformed.
//!
//! Loading only reads and parses; it never validates cross-document
//! references (that is `catalogue`) and never renders (that is `render`).

pub mod catalogue_file;
pub mod fields;
pub mod front_matter;
pub mod infer;
mod sources;

pub use sources::Sources;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;
use walkdir::WalkDir;

use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic, Diagnostics, line_col};
use crate::inputs::Prefetched;
use crate::model::{DocId, RelationKind, Status};
use crate::outline::Outline;
use fields::Located;

/// A reference from one document to another, as written in its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    /// What the relation does.
    pub kind: RelationKind,
    /// The document referred to.
    pub target: DocId,
    /// Why, if the source says (e.g. a clean-up decision's reason).
    pub reason: Option<String>,
    /// 1-based line of the reference in the source file.
    pub line: usize,
    /// 1-based column (in characters) of the reference on that line.
    pub column: usize,
}

/// Metadata common to Markdown documents and catalogue entries.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// Explicit id, if given.
    pub id: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// The descriptive fields of [`fields::FIELDS`].
    pub fields: fields::Fields,
    /// Old URLs that must redirect here.
    pub aliases: Vec<Alias>,
    /// The document this file is a dated version of (`version_of = "<id>"`).
    pub version_of: Option<String>,
    /// Explicit status, checked against the computed one.
    pub status: Option<Status>,
    /// Entries a decision counts but does not publish.
    pub withheld: u32,
    /// References to other documents.
    pub relations: Vec<Relation>,
    /// Unknown keys, for templates.
    pub extra: BTreeMap<String, serde_json::Value>,
    /// 1-based file line of each key as written, for diagnostics.
    pub lines: BTreeMap<String, usize>,
}

/// An old URL that redirects to a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// The URL path as written, e.g. `/wenjian/2016/21.html`.
    pub url: String,
    /// 1-based line in the source file.
    pub line: usize,
    /// 1-based column (in characters) of the alias on that line.
    pub column: usize,
}

/// Where a document came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginKind {
    /// A Markdown file with published text.
    Markdown,
    /// A `[[document]]` entry of the catalogue: listed, no text.
    Listed,
    /// A `[[decision]]` entry of the catalogue.
    Decision,
}

/// One policy document, decision or listed entry.
#[derive(Debug, Clone)]
pub struct Document {
    /// Stable id.
    pub id: DocId,
    /// Title, given or inferred.
    pub title: String,
    /// Metadata as written (dates possibly inferred). Boxed: documents are
    /// moved between vectors many times a build, and it is most of their size.
    pub meta: Box<Meta>,
    /// Markdown body, for documents with published text.
    pub body: Option<Body>,
    /// Source file relative to the site root.
    pub path: PathBuf,
    /// 1-based line where the document's entry starts in `path`.
    pub line: usize,
    /// What kind of source it came from.
    pub origin: OriginKind,
    /// The folder under `content/` holding it (empty at the top).
    pub section: String,
    /// Dated lines of the text's history block (`…通过`, `…修正`, `…施行`).
    pub history: Vec<infer::HistoryEntry>,
    /// The document's dated texts, oldest first, once `catalogue` has
    /// gathered them; empty for a document with one text and no history.
    pub versions: Vec<Version>,
    /// Ids of files merged into this document as versions or duplicates,
    /// with the date of the version each stood for: their old URLs redirect.
    pub redirects: Vec<(DocId, NaiveDate)>,
}

/// How a version of a document came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionKind {
    /// The text as first issued.
    Original,
    /// Revised as a whole (修订).
    Revised,
    /// Amended by a decision (修正, 修改).
    Amended,
}

/// One dated text of a document.
#[derive(Debug, Clone)]
pub struct Version {
    /// The version's date (its promulgation; its URL is `docs/<id>/<date>/`).
    pub date: NaiveDate,
    /// The date it takes effect: in force from then until the next version's.
    pub effective: NaiveDate,
    /// How it came about.
    pub kind: VersionKind,
    /// The amending act named by the history line, if any.
    pub act: Option<String>,
    /// The text, when a file supplies it or an act's instructions derive
    /// it; `None` for a version known only from a history line.
    pub text: Option<VersionText>,
    /// For a text computed by applying an amending act: the act, and what it
    /// and earlier acts did to each article.
    pub derived: Option<Derived>,
}

/// How a consolidated text was computed.
#[derive(Debug, Clone)]
pub struct Derived {
    /// The amending act applied.
    pub act: DocId,
    /// Its source file (an edit to it changes this text).
    pub act_path: PathBuf,
    /// Notes on every changed article, oldest first.
    pub notes: Vec<crate::model::ArticleNote>,
}

/// Where a version's text comes from.
#[derive(Debug, Clone)]
pub struct VersionText {
    /// The body.
    pub body: Body,
    /// Title as the version states it.
    pub title: String,
    /// 文号 of the version, if given.
    pub number: Option<String>,
    /// Source file relative to the site root.
    pub path: PathBuf,
}

/// The published text of a document.
#[derive(Debug, Clone)]
pub struct Body {
    /// Markdown, without front matter, leading title heading or history marker
    /// (shared, so keeping documents in memory and copying them is cheap).
    pub markdown: Arc<str>,
    /// File line on which `markdown` starts.
    pub first_line: usize,
    /// Its structure: articles, headings, links, blocks (shared, like the text).
    pub outline: Arc<Outline>,
}

impl Body {
    /// A body of `markdown` starting on file line `first_line`, outlined.
    pub fn new(markdown: String, first_line: usize) -> Body {
        Body {
            outline: Arc::new(Outline::parse(&markdown)),
            markdown: markdown.into(),
            first_line,
        }
    }
}

impl Document {
    /// File line of `key` in the document's metadata, else the entry's first line.
    pub fn line_of(&self, key: &str) -> usize {
        self.meta.lines.get(key).copied().unwrap_or(self.line)
    }

    /// Every file the document's texts come from: its own and its versions'.
    pub fn sources(&self) -> impl Iterator<Item = &Path> {
        let versions = self.versions.iter().filter_map(|v| v.text.as_ref());
        std::iter::once(self.path.as_path()).chain(versions.map(|t| t.path.as_path()))
    }

    /// The versions that get a page of their own (`docs/<id>/<date>/`):
    /// every version with a text, once the document has two or more.
    pub fn paged_versions(&self) -> Vec<usize> {
        let texts: Vec<usize> = (0..self.versions.len())
            .filter(|&k| self.versions[k].text.is_some())
            .collect();
        if texts.len() < 2 { Vec::new() } else { texts }
    }

    /// Every file whose change alters the document's texts: its sources and
    /// the amending acts its consolidated texts were computed from.
    pub fn inputs(&self) -> impl Iterator<Item = &Path> {
        let acts = self.versions.iter().filter_map(|v| v.derived.as_ref());
        self.sources().chain(acts.map(|d| d.act_path.as_path()))
    }

    /// Index of the version whose text is the one shown at `docs/<id>/`.
    pub fn shown_version(&self) -> Option<usize> {
        let body = &self.body.as_ref()?.markdown;
        self.versions.iter().position(|v| {
            v.text
                .as_ref()
                .is_some_and(|t| Arc::ptr_eq(&t.body.markdown, body))
        })
    }

    /// The date the document takes effect: `effective`, else `published`.
    pub fn effective(&self) -> Option<NaiveDate> {
        self.meta.fields.effective.or(self.meta.fields.published)
    }

    /// True for clean-up decisions and other acts whose purpose is to
    /// repeal, invalidate or amend documents (a successor that merely
    /// supersedes its predecessor is a regulation, not an act).
    pub fn is_act(&self) -> bool {
        self.origin == OriginKind::Decision
            || self.meta.relations.iter().any(|r| {
                matches!(
                    r.kind,
                    RelationKind::Repeals | RelationKind::Invalidates | RelationKind::Amends
                )
            })
    }
}

/// A folder under `content/`, described by its `_index.md`.
#[derive(Debug, Clone)]
pub struct Section {
    /// Folder path under `content/`, `/`-separated.
    pub path: String,
    /// Title from `_index.md`, else the folder name.
    pub title: String,
    /// Description from `_index.md`.
    pub description: Option<String>,
}

/// Everything loaded from a site's content folder.
#[derive(Debug, Default)]
pub struct Content {
    /// All documents: Markdown first, then catalogue entries.
    pub documents: Vec<Document>,
    /// All sections, sorted by path.
    pub sections: Vec<Section>,
    /// Document files with errors, which references must not report again.
    pub unreadable: Vec<Unreadable>,
}

/// Load every document and section under the content folder (taking the
/// files `prefetched` holds instead of reading them), and the catalogue.
pub fn load(root: &Path, config: &Config, prefetched: Prefetched) -> (Content, Diagnostics) {
    Sources::read(root, config, prefetched).into_content()
}

/// The documents of the catalogue file, if the site has one. A catalogue
/// named in `site.toml` must exist; only the default one may be absent.
fn load_catalogue(root: &Path, config: &Config) -> (Vec<Document>, Vec<Diagnostic>) {
    let found = root.join(&config.catalogue).symlink_metadata();
    if found.as_ref().is_ok_and(|m| m.file_type().is_symlink()) {
        // Under the content folder, the walk already warned about the link.
        let walked = config.catalogue.starts_with(&config.content_dir);
        let d = Diagnostic::warning(
            Code::Symlink,
            &config.catalogue,
            "skipped the catalogue: it is a symbolic link, and gazette does not follow links",
        )
        .with_help("put the catalogue file itself in the site instead of linking it");
        (Vec::new(), (!walked).then_some(d).into_iter().collect())
    } else if found.is_ok() {
        catalogue_file::load(root, &config.catalogue)
    } else if config.catalogue != Config::default().catalogue {
        let message = format!("catalogue file {} not found", config.catalogue.display());
        let d = config
            .error_at("catalogue", message)
            .with_help("create the file, correct the path, or remove `catalogue` from site.toml");
        (Vec::new(), vec![d])
    } else {
        (Vec::new(), Vec::new())
    }
}

/// Put parsed files (in path order) and catalogue entries together: sections
/// sorted, default categories filled in.
fn assemble(items: impl IntoIterator<Item = Item>, listed: Vec<Document>) -> Content {
    let mut content = Content::default();
    let items = items.into_iter();
    content.documents.reserve(items.size_hint().0);
    for item in items {
        match item {
            Item::Document(doc) => content.documents.push(*doc),
            Item::Section(section) => content.sections.push(section),
            Item::Unreadable(file) => content.unreadable.push(file),
        }
    }
    content.sections.sort_by(|a, b| a.path.cmp(&b.path));
    fill_categories(&mut content);
    content.documents.extend(listed);
    content
}

/// Markdown files under the content folder, relative to `root`, in path
/// order; hidden entries are skipped. Symbolic links are never followed (a
/// loop cannot hang the walk and a link cannot pull files from outside the
/// site in); each one skipped is a warning.
fn markdown_files(root: &Path, config: &Config, diags: &mut Diagnostics) -> Vec<PathBuf> {
    let content_dir = root.join(&config.content_dir);
    if !content_dir.is_dir() {
        diags.push(
            Diagnostic::error(Code::Io, &config.content_dir, "content folder not found")
                .with_help("create it, or set `content_dir` in site.toml"),
        );
        return Vec::new();
    }
    let mut files = Vec::new();
    let walker = WalkDir::new(&content_dir)
        .follow_links(false)
        .sort_by_file_name();
    let relative = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
    for entry in walker
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
    {
        match entry {
            Ok(e) if e.path_is_symlink() && e.depth() > 0 => diags.push(
                Diagnostic::warning(
                    Code::Symlink,
                    relative(e.path()),
                    "skipped a symbolic link: gazette does not follow links",
                )
                .with_help("copy the file or folder into content/ instead of linking it"),
            ),
            Ok(e) if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md") => {
                let rel = relative(e.path());
                if rel.to_str().is_some() {
                    files.push(rel);
                } else {
                    diags.push(
                        Diagnostic::error(Code::Encoding, rel, "file name is not valid UTF-8")
                            .with_help("rename the file; its name becomes the document's URL"),
                    );
                }
            }
            Ok(_) => {}
            Err(e) => {
                let path = e.path().map(relative).unwrap_or_default();
                diags.push(Diagnostic::error(
                    Code::Io,
                    path,
                    format!("cannot read: {e}"),
                ));
            }
        }
    }
    files
}

/// True if `rel` (relative to `root`, inside `content_dir`) is, or sits
/// under, a symbolic link below the content folder: a path `markdown_files`
/// skips, so a watcher must not read it either.
fn through_link(root: &Path, content_dir: &Path, rel: &Path) -> bool {
    let mut path = root.join(content_dir);
    let under = rel.strip_prefix(content_dir).unwrap_or(rel);
    under.components().any(|part| {
        path.push(part);
        path.symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
    })
}

/// One parsed Markdown file: a document, or a folder's `_index.md`.
#[derive(Debug, Clone)]
pub enum Item {
    /// A document with published text.
    Document(Box<Document>),
    /// A folder description.
    Section(Section),
    /// A document file that has an error: references to it are not
    /// reported again, its own error is the root cause.
    Unreadable(Unreadable),
}

/// A document file that could not be read or parsed, and the ids it would
/// have had (from its path, and any `id` its front matter declares).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// The file, relative to the site root.
    pub path: PathBuf,
    /// Ids it may have: declared, and derived from its path.
    pub ids: Vec<String>,
}

impl Unreadable {
    /// The file at `rel` (`under_content` inside the content folder) with `text`.
    fn new(rel: &Path, under_content: &Path, text: Option<&str>) -> Unreadable {
        let declared = text.and_then(declared_id);
        let derived = slash_path(&under_content.with_extension(""));
        Unreadable {
            path: rel.to_path_buf(),
            ids: declared.into_iter().chain([derived]).collect(),
        }
    }
}

/// The `id` a front matter declares, read line by line so that a front
/// matter that does not parse still names it.
fn declared_id(text: &str) -> Option<String> {
    let mut lines = text.lines();
    let fence = lines.next()?.trim();
    (fence == "+++" || fence == "---").then_some(())?;
    lines.take_while(|l| l.trim() != fence).find_map(|l| {
        let rest = l.trim().strip_prefix("id")?.trim_start();
        let value = rest.strip_prefix(['=', ':'])?.trim();
        let value = value.trim_matches(|c| c == '"' || c == '\'');
        (!value.is_empty()).then(|| value.to_owned())
    })
}

/// Parse `rel` (relative to `root`, inside `content_dir`): `bytes` if
/// they were read already, else what the file holds.
fn read_file(
    root: &Path,
    content_dir: &Path,
    rel: &Path,
    bytes: Option<Vec<u8>>,
) -> (Option<Item>, Vec<Diagnostic>) {
    let under_content = rel.strip_prefix(content_dir).unwrap_or(rel);
    let section = under_content.file_name().is_some_and(|n| n == "_index.md");
    let unreadable = |text: Option<&str>| {
        (!section).then(|| Item::Unreadable(Unreadable::new(rel, under_content, text)))
    };
    let bytes = match bytes.map_or_else(|| std::fs::read(root.join(rel)), Ok) {
        Ok(b) => b,
        Err(e) => {
            let d = Diagnostic::error(Code::Io, rel, format!("cannot read file: {e}"));
            return (unreadable(None), vec![d]);
        }
    };
    let text = match utf8(rel, bytes) {
        Ok(text) => text,
        Err(d) => return (unreadable(None), vec![d]),
    };
    let mut diags = Vec::new();
    let item = if section {
        parse_section(rel, under_content, &text, &mut diags).map(Item::Section)
    } else {
        parse_document(rel, under_content, &text, &mut diags).map(|d| Item::Document(Box::new(d)))
    };
    let failed = diags.iter().any(Diagnostic::is_error);
    match item {
        None if failed => (unreadable(Some(&text)), diags),
        item => (item, diags),
    }
}

/// The file's text, or an error at the first byte that is not UTF-8.
pub fn utf8(rel: &Path, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let valid = e.utf8_error().valid_up_to();
        let before = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
        let (line, column) = line_col(before, valid);
        Diagnostic::error(
            Code::Encoding,
            rel,
            format!("file is not valid UTF-8 (byte {valid} is not)"),
        )
        .at(line, column)
        .with_help("save the file as UTF-8 (e.g. `iconv -f GB18030 -t UTF-8`)")
    })
}

/// True for a character XML 1.0 forbids (C0 controls but tab, line feed and
/// carriage return; U+FFFE, U+FFFF): `feed.xml` and `sitemap.xml` drop them.
pub fn forbidden_in_xml(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}')
}

/// A warning at the first metadata value (title, 文号, issuer, level,
/// category, a relation's reason) holding a character XML forbids: feeds
/// and sitemaps carry these values and drop the character.
pub fn control_character(doc: &Document) -> Option<Diagnostic> {
    let m = &doc.meta.fields;
    let fields = [
        ("title", Some(doc.title.as_str())),
        ("number", m.number.as_deref()),
        ("issuer", m.issuer.as_deref()),
        ("level", m.level.as_deref()),
        ("category", m.category.as_deref()),
    ]
    .map(|(key, value)| (key, value, doc.line_of(key)));
    let reasons = doc
        .meta
        .relations
        .iter()
        .map(|r| (r.kind.key(), r.reason.as_deref(), r.line));
    let (key, value, line) = fields
        .into_iter()
        .chain(reasons)
        .find(|(_, value, _)| value.is_some_and(|v| v.chars().any(forbidden_in_xml)))?;
    let c = value?.chars().find(|&c| forbidden_in_xml(c))?;
    let d = Diagnostic::warning(
        Code::ControlCharacter,
        &doc.path,
        format!("`{key}` holds control character U+{:04X}, which XML forbids; feeds and sitemaps drop it", c as u32),
    )
    .at_line(line)
    .with_help("delete it (often pasted from a word processor)");
    Some(d)
}

/// Parse one Markdown document. `rel` is relative to the site root (for
/// diagnostics), `under_content` relative to the content folder (for its id).
pub fn parse_document(
    rel: &Path,
    under_content: &Path,
    text: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Document> {
    let (meta, body, body_line) = split_and_read(rel, text, true, diags)?;
    let default_id = slash_path(&under_content.with_extension(""));
    let id = match DocId::new(meta.id.as_deref().unwrap_or(&default_id)) {
        Ok(id) => id,
        Err(message) => {
            let at = Located {
                path: rel,
                text,
                first_line: 1,
            };
            diags.push(Diagnostic::error(Code::InvalidId, rel, message).at_line(at.line_of("id")));
            return None;
        }
    };
    let stem = under_content
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut meta = meta;
    infer_dates(&mut meta, body, &stem);
    let history = infer::history(body);
    let title = meta.title.clone().or_else(|| infer::title(body));
    // A version file may leave the title to the document it is a version of.
    if title.is_none() && meta.version_of.is_none() {
        diags.push(
            Diagnostic::warning(Code::MissingMetadata, rel, "document has no title")
                .at_line(1)
                .with_help("add `title = \"…\"` to the front matter or a `# ` heading"),
        );
    }
    let title = title.unwrap_or(stem);
    let (markdown, first_line) = clean_body(body, body_line, &title);
    let doc = Document {
        id,
        title,
        meta: Box::new(meta),
        body: Some(Body::new(markdown, first_line)),
        path: rel.to_path_buf(),
        line: 1,
        origin: OriginKind::Markdown,
        section: under_content.parent().map(slash_path).unwrap_or_default(),
        history: history
            .into_iter()
            .map(|e| infer::HistoryEntry {
                line: body_line + e.line,
                ..e
            })
            .collect(),
        versions: Vec::new(),
        redirects: Vec::new(),
    };
    diags.extend(control_character(&doc));
    Some(doc)
}

/// Dates the front matter leaves out, from the history lines above
/// `<!-- INFO END -->` or a `NAME(YYYY-MM-DD)` file name.
fn infer_dates(meta: &mut Meta, body: &str, stem: &str) {
    let (history_published, history_effective) = infer::history_dates(body);
    let fields = &mut meta.fields;
    fields.published = fields
        .published
        .or(history_published)
        .or(infer::stem_date(stem));
    let published = fields.published;
    let same_event = published == history_published;
    // Without a 施行 line, the text's own commencement article (a later
    // date than its publication: a consolidated text's article still names
    // the original's date), else the history's publication. Front matter's
    // date needs none of this: the body is scanned only when it is absent.
    let stated = || {
        let commencement =
            || infer::commencement(body).filter(|c| published.is_none_or(|p| *c >= p));
        (history_effective.filter(|_| same_event))
            .or_else(commencement)
            .or(history_published.filter(|_| same_event))
    };
    fields.effective = fields.effective.or_else(stated);
}

fn parse_section(
    rel: &Path,
    under_content: &Path,
    text: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Section> {
    let (meta, _, _) = split_and_read(rel, text, false, diags)?;
    let path = under_content.parent().map(slash_path).unwrap_or_default();
    let folder = path.rsplit('/').next().unwrap_or_default().to_owned();
    let description = meta
        .extra
        .get("description")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .or(meta.fields.summary);
    Some(Section {
        path,
        title: meta.title.unwrap_or(folder),
        description,
    })
}

/// Split off and read the front matter; `None` if it is unreadable.
fn split_and_read<'t>(
    rel: &Path,
    text: &'t str,
    warn_unknown: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Meta, &'t str, usize)> {
    let fm_error = |e: front_matter::FrontMatterError| {
        let (code, help) = if e.invalid_date {
            (Code::InvalidDate, "use a day that exists, as YYYY-MM-DD")
        } else {
            (
                Code::FrontMatter,
                "fix the front matter between the `+++` (TOML) or `---` (YAML) lines",
            )
        };
        Diagnostic::error(code, rel, e.message)
            .at(e.line, e.column)
            .with_help(help)
    };
    let split = front_matter::split(text)
        .map_err(fm_error)
        .map_err(|d| diags.push(d))
        .ok()?;
    let meta = match split.front_matter {
        None => Meta::default(),
        Some((format, fm)) => {
            let map = front_matter::parse(format, fm, split.front_matter_line)
                .map_err(fm_error)
                .map_err(|d| diags.push(d))
                .ok()?;
            let at = Located {
                path: rel,
                text: fm,
                first_line: split.front_matter_line,
            };
            fields::read_meta(map, &at, warn_unknown, diags)
        }
    };
    Some((meta, split.body, split.body_line))
}

/// Drop the leading title heading (the page shows the title) and the
/// import marker; returns the body and the file line it now starts on.
fn clean_body(body: &str, body_line: usize, title: &str) -> (String, usize) {
    let mut first_line = body_line;
    let mut rest = body;
    loop {
        let (line, after) = rest.split_once('\n').unwrap_or((rest, ""));
        let trimmed = line.trim();
        if trimmed.is_empty() && !after.is_empty() {
            rest = after;
            first_line += 1;
            continue;
        }
        if trimmed
            .strip_prefix("# ")
            .is_some_and(|t| t.trim() == title)
        {
            rest = after;
            first_line += 1;
        }
        break;
    }
    (rest.replacen(infer::INFO_END, "", 1), first_line)
}

/// `/`-separated form of a relative path, whatever the platform.
pub fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Default category: the document's own, else its top section's title.
fn fill_categories(content: &mut Content) {
    let titles: BTreeMap<&str, &str> = content
        .sections
        .iter()
        .map(|s| (s.path.as_str(), s.title.as_str()))
        .collect();
    for doc in &mut content.documents {
        if doc.meta.fields.category.is_none() && !doc.section.is_empty() {
            let top = doc.section.split('/').next().unwrap_or_default();
            doc.meta.fields.category = Some(titles.get(top).map_or(top, |t| t).to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(under: &str, text: &str) -> (Option<Document>, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let rel = Path::new("content").join(under);
        (
            parse_document(&rel, Path::new(under), text, &mut diags),
            diags,
        )
    }

    #[test]
    fn plain_corpus_file_infers_title_dates_and_articles() {
        let text = "# 中华人民共和国个人信息保护法\n\n2021年8月20日 第十三届全国人民代表大会常务委员会第三十次会议通过\n\n<!-- INFO END -->\n\n## 第一章 总 则\n\n第一条 为了保护个人信息权益。\n\n第二条 自然人的个人信息受法律保护。\n";
        let (doc, diags) = parse("经济法/个人信息保护法(2021-08-20).md", text);
        let doc = doc.unwrap();
        assert!(diags.is_empty());
        assert_eq!(doc.id.as_str(), "经济法/个人信息保护法(2021-08-20)");
        assert_eq!(doc.title, "中华人民共和国个人信息保护法");
        assert_eq!(
            doc.meta.fields.published,
            NaiveDate::from_ymd_opt(2021, 8, 20)
        );
        let body = doc.body.unwrap();
        let anchors: Vec<String> = body.outline.anchors().map(|a| a.to_string()).collect();
        assert_eq!(anchors, ["art-1", "art-2"]);
        assert!(!body.markdown.contains("INFO END"));
        assert!(!body.markdown.starts_with("# "));
    }

    #[test]
    fn front_matter_wins_over_inference() {
        let text =
            "+++\nid = \"x\"\ntitle = \"给定标题\"\npublished = 2020-01-01\n+++\n# 另一个标题\n";
        let doc = parse("a.md", text).0.unwrap();
        assert_eq!(doc.id.as_str(), "x");
        assert_eq!(doc.title, "给定标题");
        assert_eq!(
            doc.meta.fields.published,
            NaiveDate::from_ymd_opt(2020, 1, 1)
        );
    }

    #[test]
    fn invalid_utf8_is_located_at_its_first_bad_byte() {
        let mut bytes = "标题\n第一条 ".as_bytes().to_vec();
        bytes.extend([0xd6, 0xd0, 0xbb]);
        let d = utf8(Path::new("content/a.md"), bytes).unwrap_err();
        assert_eq!(
            (d.code, d.line, d.column),
            (Code::Encoding, Some(2), Some(5))
        );
    }

    #[test]
    #[cfg(unix)]
    fn links_below_the_content_folder_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/real")).unwrap();
        std::fs::write(root.join("content/real/a.md"), "# A").unwrap();
        std::os::unix::fs::symlink(root.join("content/real"), root.join("content/link")).unwrap();
        let content = Path::new("content");
        assert!(!through_link(root, content, Path::new("content/real/a.md")));
        assert!(through_link(root, content, Path::new("content/link/a.md")));
        assert!(through_link(root, content, Path::new("content/link")));
        assert!(!through_link(root, content, Path::new("content/gone.md")));
    }

    #[test]
    fn hostile_id_is_rejected_with_line() {
        let (doc, diags) = parse("a.md", "+++\ntitle = \"t\"\nid = \"../../etc\"\n+++\n");
        assert!(doc.is_none());
        assert_eq!((diags[0].code, diags[0].line), (Code::InvalidId, Some(3)));
    }
}
