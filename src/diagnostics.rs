//! Diagnostics: the one shape every stage uses to report a problem in the
//! user's input (file, line, column, code, message, help).
//!
//! Stages never print; they return `Diagnostic`s. Only the binary decides how
//! to show them and which exit code follows. This module is a leaf: it knows
//! nothing about documents, templates or output; it renders a diagnostic
//! (rustc-style, via annotate-snippets) from a source line the caller supplies.

use std::fmt;
use std::path::{Path, PathBuf};

use annotate_snippets::{AnnotationKind, Level, Origin, Renderer, Snippet};

/// How bad a diagnostic is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The site cannot be published as it stands.
    Error,
    /// Suspicious input; the build still succeeds.
    Warning,
    /// Worth knowing, never a fault: `--deny-warnings` leaves it alone.
    Note,
}

/// A stable, machine-readable name for each kind of problem.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// There is no site to work on: the root or its `site.toml` is missing or unreadable.
    NoSite,
    /// A file in the site could not be read.
    Io,
    /// A symbolic link under `content/` was skipped (links are never followed).
    Symlink,
    /// A file is not valid UTF-8.
    Encoding,
    /// A control character XML 1.0 forbids; it is dropped from XML outputs.
    ControlCharacter,
    /// `site.toml` is malformed or has a wrong value.
    Config,
    /// Front matter that does not parse or has wrong types.
    FrontMatter,
    /// A front-matter key gazette does not know.
    UnknownKey,
    /// A date that is malformed or does not exist.
    InvalidDate,
    /// `catalogue.toml` is malformed.
    Catalogue,
    /// An id that is empty or could escape the output folder.
    InvalidId,
    /// Two documents share an id.
    DuplicateId,
    /// Two documents share a document number (文号).
    DuplicateNumber,
    /// Two things want the same output URL.
    UrlCollision,
    /// An alias (old URL) that is empty, leaves the site or redirects to itself.
    InvalidAlias,
    /// A relation names an id that does not exist.
    UnknownReference,
    /// A relation names its target by title instead of id.
    RelationByTitle,
    /// A Markdown link to a document or article that does not exist, or
    /// an article citation (`《X》第N条`, `本法第N条`) to a missing article.
    BrokenLink,
    /// A document in force cites one that is repealed, invalid, expired or
    /// superseded.
    CitesNotInForce,
    /// A `《title》` that names two or more documents, so it is not linked.
    AmbiguousCitation,
    /// A document is repealed or declared invalid more than once.
    ConflictingEvents,
    /// An act dated before the document it acts on.
    EventBeforePublication,
    /// `effective` earlier than `published`.
    EffectiveBeforePublished,
    /// Documents that supersede each other in a loop.
    SupersessionCycle,
    /// An explicit `status` that the computed lifecycle contradicts.
    StatusMismatch,
    /// One act lists the same target twice.
    DuplicateTarget,
    /// A document acts on itself.
    SelfReference,
    /// An act that has no date to place its events on.
    UndatedAct,
    /// A document without a title or dates.
    MissingMetadata,
    /// Two versions of one document on the same date.
    DuplicateVersion,
    /// A version dated before the document was first issued.
    VersionBeforePublication,
    /// The same version of a text in two files.
    DuplicateText,
    /// An amending act's instruction that cannot be read or applied.
    Amendment,
    /// A consolidated text supplied by hand that differs from the one
    /// computed from the amending act.
    ConsolidationMismatch,
    /// A template that does not parse or fails to render.
    Template,
    /// A clean-up campaign file (`reviews/*.toml`) that does not parse, or a
    /// review record for an unknown document or reviewed twice in one campaign.
    Review,
    /// A review record whose outcome a later decision contradicts.
    ReviewContradicted,
    /// Writing the output failed.
    Output,
}

impl Code {
    /// The kebab-case name shown to users, e.g. `unknown-reference`.
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Which kind of problem.
    pub code: Code,
    /// File relative to the site root (empty for site-wide problems).
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column in characters, when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error about `path`.
    pub fn error(code: Code, path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            path: path.as_ref().to_path_buf(),
            line: None,
            column: None,
            message: message.into(),
            help: None,
        }
    }

    /// A warning about `path`.
    pub fn warning(code: Code, path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, path, message)
        }
    }

    /// Attach a 1-based line number.
    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// Attach a 1-based line and column.
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Attach a hint on how to fix the problem.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// A note about `path`: information that never fails a build.
    pub fn note(code: Code, path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Note,
            ..Diagnostic::error(code, path, message)
        }
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// rustc-style report: severity, code, `path:line:column`, the offending
    /// source line (`line_text`, when the caller could read it) with a marker
    /// under the column (or the whole line), and the help line.
    pub fn render(&self, line_text: Option<&str>, styled: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Note => Level::NOTE,
        };
        let code = self.code.as_str();
        let path = self.path.to_string_lossy();
        let title = level.primary_title(self.message.as_str()).id(code.as_str());
        let mut group = match (self.line, line_text) {
            (Some(line), Some(text)) => title.element(
                Snippet::source(text)
                    .line_start(line)
                    .path(path.as_ref())
                    .annotation(AnnotationKind::Primary.span(marked_span(text, self.column))),
            ),
            (Some(line), None) => {
                let origin = Origin::path(path.as_ref()).line(line);
                title.element(match self.column {
                    Some(column) => origin.char_column(column),
                    None => origin,
                })
            }
            (None, _) => title.element(Origin::path(path.as_ref())),
        };
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        let renderer = if styled {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&[group])
    }
}

/// Byte range of `text` to mark: the token at the 1-based character
/// `column` (a quoted string, or up to the next space or comma), or the
/// whole line without its indentation.
fn marked_span(text: &str, column: Option<usize>) -> std::ops::Range<usize> {
    let end = text.trim_end().len();
    let Some(column) = column else {
        return (text.len() - text.trim_start().len()).min(end)..end;
    };
    let start = text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(end, |(i, _)| i)
        .min(end);
    let token = &text[start..end];
    let len = match token.chars().next() {
        Some(q @ ('"' | '\'')) => token[1..].find(q).map_or(token.len(), |i| i + 2),
        _ => token.find([' ', '\t', ',']).unwrap_or(token.len()),
    };
    start..start + len.max(token.chars().next().map_or(0, char::len_utf8))
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        writeln!(f, "{severity}[{}]: {}", self.code.as_str(), self.message)?;
        write!(f, "  --> {}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if let Some(help) = &self.help {
            write!(f, "\n   = help: {help}")?;
        }
        Ok(())
    }
}

/// The problems gathered by one run, in the order found.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Every diagnostic rustc-style, each with its source line. `read`
    /// gives a file's text by its path; diagnostics come sorted by file, so
    /// each file is read and split into lines once.
    pub fn render_with_sources(
        &self,
        read: impl Fn(&Path) -> Option<String>,
        styled: bool,
    ) -> Vec<String> {
        let mut cached: Option<(PathBuf, Vec<String>)> = None;
        self.iter()
            .map(|d| {
                if cached.as_ref().is_none_or(|(p, _)| *p != d.path) {
                    let text = read(&d.path).unwrap_or_default();
                    cached = Some((d.path.clone(), text.lines().map(str::to_owned).collect()));
                }
                let line = cached
                    .as_ref()
                    .zip(d.line.and_then(|n| n.checked_sub(1)))
                    .and_then(|((_, lines), i)| lines.get(i))
                    .map(String::as_str);
                d.render(line, styled)
            })
            .collect()
    }

    /// Record one problem.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Take over every problem of `other`.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    /// True if any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings (notes are neither errors nor warnings).
    pub fn warning_count(&self) -> usize {
        let warning = |d: &&Diagnostic| d.severity == Severity::Warning;
        self.0.iter().filter(warning).count()
    }

    /// Turn every warning into an error (`--deny-warnings`); notes stay notes.
    pub fn deny_warnings(&mut self) {
        for d in self
            .0
            .iter_mut()
            .filter(|d| d.severity == Severity::Warning)
        {
            d.severity = Severity::Error;
        }
    }

    /// True if the run could not even start (no site at the root).
    pub fn could_not_run(&self) -> bool {
        self.0.iter().any(|d| d.code == Code::NoSite)
    }

    /// Keep one of the `code` diagnostics that share a message (a full disk
    /// fails every write the same way), saying how many files it stands for.
    pub fn collapse(&mut self, code: Code) {
        let mut count: std::collections::HashMap<String, usize> = Default::default();
        for d in self.0.iter().filter(|d| d.code == code) {
            *count.entry(d.message.clone()).or_default() += 1;
        }
        let mut kept = std::collections::HashSet::new();
        self.0.retain_mut(|d| {
            if d.code != code {
                return true;
            }
            if !kept.insert(d.message.clone()) {
                return false;
            }
            let more = count[&d.message] - 1;
            if more > 0 {
                d.message.push_str(&format!(" (and {more} more files)"));
            }
            true
        });
    }

    /// Sort by file, then line, so a report reads top to bottom.
    pub fn sort(&mut self) {
        self.0
            .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    }

    /// Iterate over the problems.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Number of problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// 1-based (line, column in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "标题\n第一条 内容";
        let offset = text.find("内容").unwrap();
        assert_eq!(line_col(text, offset), (2, 5));
    }

    #[test]
    fn render_shows_code_location_source_line_marker_and_help() {
        let d = Diagnostic::error(Code::InvalidDate, "content/a.md", "`published`: not a date")
            .at(3, 13)
            .with_help("write dates as YYYY-MM-DD");
        let shown = d.render(Some("published = 2023-02-30"), false);
        assert!(
            shown.contains("error[invalid-date]: `published`: not a date"),
            "{shown}"
        );
        assert!(shown.contains("content/a.md:3:13"), "{shown}");
        assert!(shown.contains("3 | published = 2023-02-30"), "{shown}");
        assert!(shown.contains("            ^^^^^^^^^^\n"), "{shown}");
        assert!(shown.contains("help: write dates as YYYY-MM-DD"), "{shown}");
    }

    #[test]
    fn render_without_source_still_names_the_place() {
        let d =
            Diagnostic::warning(Code::MissingMetadata, "content/标题.md", "no title").at_line(1);
        let shown = d.render(None, false);
        assert!(
            shown.starts_with("warning[missing-metadata]: no title"),
            "{shown}"
        );
        assert!(shown.contains("content/标题.md:1"), "{shown}");
        let short = Diagnostic::error(Code::FrontMatter, "a.md", "x").at(1, 9);
        assert!(short.render(Some("+++"), false).contains("+++"));
    }

    #[test]
    fn marker_covers_the_token_at_the_column() {
        let line = "aliases = [\"/a.html\", \"/b.html\"]";
        assert_eq!(&line[marked_span(line, Some(23))], "\"/b.html\"");
        assert_eq!(&line[marked_span(line, None)], line);
        let date = "x = 2023-02-30 # c";
        assert_eq!(&date[marked_span(date, Some(5))], "2023-02-30");
        assert_eq!(marked_span("+++", Some(9)), 3..3);
    }

    #[test]
    fn display_names_file_line_and_help() {
        let d = Diagnostic::error(Code::UnknownReference, "content/a.md", "unknown id `b`")
            .at(3, 7)
            .with_help("did you mean `c`?");
        let shown = d.to_string();
        assert!(shown.starts_with("error[unknown-reference]: unknown id `b`"));
        assert!(shown.contains("--> content/a.md:3:7"));
        assert!(shown.contains("help: did you mean `c`?"));
    }
}
