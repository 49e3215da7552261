//! Diagnostics: the one shape every stage uses to report a problem in the
//! user's input (file, line, column, code, message, help).
//!
//! Stages never print; they return `Diagnostic`s. Only the binary decides how
//! to show them and which exit code follows. This module is a leaf: it knows
//! nothing about documents, templates or output.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The site cannot be published as it stands.
    Error,
    /// Suspicious input; the build still succeeds.
    Warning,
}

/// A stable, machine-readable name for each kind of problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// The site root or a file in it could not be read.
    Io,
    /// A file is not valid UTF-8.
    Encoding,
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
    /// A relation names an id that does not exist.
    UnknownReference,
    /// A Markdown link to a document or article that does not exist.
    BrokenLink,
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
    /// A template that does not parse or fails to render.
    Template,
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
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
