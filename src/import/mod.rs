//! `gazette import`: a catalogue spreadsheet (XLSX or CSV, one row per
//! document) becomes `[[document]]` entries appended to the catalogue file
//! and, for rows carrying a clean-up outcome, `[[record]]`s appended to the
//! campaign file `reviews/<campaign>.toml`.
//!
//! `sheet` reads cells, `columns` maps headers to fields, `plan` matches rows
//! to the site's documents, `write` appends TOML text. This module does the
//! I/O around them: nothing is written while any problem exists, and a
//! re-import of the same sheet writes nothing at all.

mod columns;
mod plan;
mod sheet;
mod write;

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::config::Config;
use crate::inputs::Prefetched;
use crate::model::Outcome;
use columns::{Entry, Mapping};
use plan::{Plan, Recorded, Subject};

/// What `gazette import` was asked to do.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Site root (holds `site.toml`).
    pub root: PathBuf,
    /// The spreadsheet to read.
    pub file: PathBuf,
    /// Report what would be written, write nothing.
    pub dry_run: bool,
    /// The campaign receiving review records: its name or file stem.
    pub campaign: Option<String>,
    /// `header=field` pairs for headers gazette does not recognise.
    pub map: Vec<String>,
    /// The date of review records whose row gives none.
    pub today: NaiveDate,
}

/// Whether a problem lies in the data (fix the sheet) or kept the import
/// from running at all (a missing file, a site that does not load).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// A bad row, cell or option: exit 1.
    Data,
    /// Nothing could be imported: exit 2.
    CannotRun,
}

/// One reason an import writes nothing, located as precisely as known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Data or cannot-run.
    pub kind: ProblemKind,
    /// The file at fault (the spreadsheet, the catalogue, a campaign file).
    pub file: String,
    /// Sheet name, for a spreadsheet.
    pub sheet: Option<String>,
    /// 1-based row as the spreadsheet program shows it.
    pub row: Option<usize>,
    /// Column letter and header, e.g. `F (发布日期)`.
    pub column: Option<String>,
    /// The cell's value as written.
    pub value: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl Problem {
    /// A problem in a cell or row of a sheet.
    fn at(
        file: &str,
        sheet: &str,
        row: usize,
        column: Option<String>,
        value: Option<String>,
        message: &str,
    ) -> Problem {
        Problem {
            kind: ProblemKind::Data,
            file: file.to_owned(),
            sheet: Some(sheet.to_owned()),
            row: Some(row),
            column,
            value,
            message: message.to_owned(),
            help: None,
        }
    }

    /// A problem with a whole file.
    fn file(kind: ProblemKind, file: &str, message: impl Into<String>) -> Problem {
        Problem {
            kind,
            file: file.to_owned(),
            sheet: None,
            row: None,
            column: None,
            value: None,
            message: message.into(),
            help: None,
        }
    }

    fn help(mut self, help: &str) -> Problem {
        self.help = Some(help.to_owned());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(sheet) = &self.sheet {
            write!(f, ", sheet {sheet}")?;
        }
        if let Some(row) = self.row {
            write!(f, ", row {row}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(value) = &self.value {
            write!(f, ": `{value}`")?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Text added to one file.
#[derive(Debug, Clone)]
pub struct FileChange {
    /// The file, relative to the site root.
    pub path: PathBuf,
    /// True when the import creates it.
    pub created: bool,
    /// The text appended (all of it, for a new file).
    pub added: String,
}

/// What an import did, or would do on a dry run.
#[derive(Debug, Clone)]
pub struct ImportReport {
    /// Catalogue entries added.
    pub documents: usize,
    /// Review records added.
    pub records: usize,
    /// Rows that matched a document the site already has.
    pub matched: usize,
    /// Differences and claims not imported, one line each.
    pub notes: Vec<String>,
    /// The files changed, in the order written; empty when nothing is new.
    pub changes: Vec<FileChange>,
    /// False on a dry run.
    pub written: bool,
}

/// Import `opts.file` into the site at `opts.root`: every problem is
/// returned and nothing written, or the report of what was appended.
pub fn import(opts: &ImportOptions) -> Result<ImportReport, Vec<Problem>> {
    let name = opts
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut problems = Vec::new();
    let entries = read_entries(opts, &name, &mut problems)?;
    let config = Config::load(&opts.root).map_err(|d| {
        vec![Problem::file(
            ProblemKind::CannotRun,
            "site.toml",
            d.message,
        )]
    })?;
    let docs = site_documents(&opts.root, &config)?;
    let campaign = match needs_campaign(&entries, opts, &name, &mut problems) {
        Some(wanted) => Some(Campaign::find(&opts.root, &config.review.dir, wanted)?),
        None => None,
    };
    let recorded = campaign
        .as_ref()
        .map(|c| c.recorded.clone())
        .unwrap_or_default();
    let plan = plan::plan(&name, entries, &docs, &recorded, opts.today, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    let changes = changes(&opts.root, &config, &name, &plan, campaign.as_ref())?;
    if !opts.dry_run {
        // Catalogue first: should the campaign write then fail, a re-import
        // finds the new entries and adds only the missing records.
        for (change, text) in &changes {
            write::replace(&opts.root.join(&change.path), text).map_err(|e| {
                let file = change.path.display().to_string();
                vec![Problem::file(
                    ProblemKind::CannotRun,
                    &file,
                    format!("cannot write: {e}"),
                )]
            })?;
        }
    }
    Ok(ImportReport {
        documents: plan.documents.len(),
        records: plan.records.len(),
        matched: plan.matched,
        notes: plan.notes,
        changes: changes.into_iter().map(|(c, _)| c).collect(),
        written: !opts.dry_run,
    })
}

/// The spreadsheet's entries; problems in cells are collected in
/// `problems`, an unreadable file or option ends the import at once.
fn read_entries(
    opts: &ImportOptions,
    name: &str,
    problems: &mut Vec<Problem>,
) -> Result<Vec<Entry>, Vec<Problem>> {
    let cannot = |m: String| vec![Problem::file(ProblemKind::CannotRun, name, m)];
    let map = Mapping::parse(&opts.map)
        .map_err(|m| vec![Problem::file(ProblemKind::Data, "--map", m)])?;
    let kind = sheet::Kind::of(name).ok_or_else(|| {
        cannot("is neither .xlsx nor .csv; save the sheet in one of those".into())
    })?;
    let bytes = std::fs::read(&opts.file).map_err(|e| cannot(format!("cannot read: {e}")))?;
    let tables = sheet::read(kind, name, bytes).map_err(cannot)?;
    let mut entries = Vec::new();
    let mut any_header = false;
    for table in &tables {
        if let Some(found) = columns::entries(name, table, &map, problems) {
            any_header = true;
            entries.extend(found);
        }
    }
    if !any_header {
        let p = Problem::file(ProblemKind::Data, name, "no sheet has a header row naming at least two known columns")
            .help(&format!("name the columns 文件名称, 文号, 发文机关, 发布日期 …, or map yours with --map '列名=field' (fields: {})", columns::Field::keys()));
        problems.push(p);
    }
    Ok(entries)
}

/// Every document of the site (Markdown and catalogue), to match rows
/// against. A catalogue that does not parse stops the import: appending to
/// it could not be checked.
fn site_documents(
    root: &Path,
    config: &Config,
) -> Result<Vec<crate::content::Document>, Vec<Problem>> {
    let (content, diags) = crate::content::load(root, config, Prefetched::default());
    let broken: Vec<Problem> = diags
        .iter()
        .filter(|d| d.severity == crate::diagnostics::Severity::Error && d.path == config.catalogue)
        .map(|d| {
            let at = d.line.map(|l| format!(" (line {l})")).unwrap_or_default();
            Problem::file(
                ProblemKind::CannotRun,
                &d.path.display().to_string(),
                format!("{}{at}", d.message),
            )
            .help("fix the catalogue first (`gazette check` shows where), then import again")
        })
        .collect();
    if broken.is_empty() {
        Ok(content.documents)
    } else {
        Err(broken)
    }
}

/// The campaign named by `--campaign` if any row carries an outcome; an
/// error if rows carry outcomes and no campaign is named.
fn needs_campaign<'o>(
    entries: &[Entry],
    opts: &'o ImportOptions,
    name: &str,
    problems: &mut Vec<Problem>,
) -> Option<&'o str> {
    let first = entries.iter().find(|e| e.outcome.is_some())?;
    if opts.campaign.is_none() {
        let message = "this row carries a clean-up outcome but no campaign is named";
        problems.push(
            Problem::at(name, &first.sheet, first.row, None, None, message).help(
                "name the campaign the records belong to: --campaign 2026-qingli (its file stem or name)",
            ),
        );
    }
    opts.campaign.as_deref()
}

/// The campaign file receiving the records.
#[derive(Debug)]
struct Campaign {
    /// Relative to the site root.
    path: PathBuf,
    /// The file's text; `None` when the import creates it.
    text: Option<String>,
    /// The name written in a new file's `[campaign]` header.
    name: String,
    /// Outcomes it already records, by document id.
    recorded: Recorded,
}

impl Campaign {
    /// The campaign file in `dir` (`[review] dir`, usually `reviews/`)
    /// whose stem or `[campaign] name` is `wanted`, or a new `<wanted>.toml` there.
    fn find(root: &Path, dir: &Path, wanted: &str) -> Result<Campaign, Vec<Problem>> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
        files.sort();
        for path in files {
            let (rel, text, table) = read_campaign(dir, &path)?;
            let named = table.get("campaign").and_then(|c| c.get("name"));
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
            if stem.as_deref() == Some(wanted) || named.and_then(|n| n.as_str()) == Some(wanted) {
                return Ok(Campaign {
                    path: rel,
                    text: Some(text),
                    name: wanted.to_owned(),
                    recorded: recorded(&table),
                });
            }
        }
        // A name may hold characters a file name cannot.
        let stem: String = wanted
            .trim()
            .chars()
            .map(|c| {
                if c.is_control() || "/\\:*?\"<>|".contains(c) {
                    '-'
                } else {
                    c
                }
            })
            .collect();
        if stem.is_empty() {
            let p = Problem::file(
                ProblemKind::Data,
                "--campaign",
                "the campaign name is empty",
            )
            .help("name the campaign, e.g. --campaign 2026-qingli");
            return Err(vec![p]);
        }
        Ok(Campaign {
            path: dir.join(format!("{stem}.toml")),
            text: None,
            name: wanted.trim().to_owned(),
            recorded: Recorded::new(),
        })
    }
}

/// A campaign file's path relative to the site root, its text and its
/// parsed table; a file that does not parse stops the import.
fn read_campaign(dir: &Path, path: &Path) -> Result<(PathBuf, String, toml::Table), Vec<Problem>> {
    let rel = dir.join(path.file_name().unwrap_or_default());
    let shown = rel.display().to_string();
    let fail = |message: String| {
        let p = Problem::file(ProblemKind::CannotRun, &shown, message);
        vec![p.help("fix the campaign file first, then import again")]
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    let table = text
        .parse::<toml::Table>()
        .map_err(|e| fail(e.message().to_owned()))?;
    Ok((rel, text, table))
}

/// The outcome of each `[[record]]`: by `doc`, or by `title` for a
/// withheld document.
fn recorded(table: &toml::Table) -> Recorded {
    let records = table.get("record").and_then(|r| r.as_array());
    records
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let text = |key: &str| r.get(key).and_then(|v| v.as_str());
            let outcome = Outcome::parse(text("outcome")?)?;
            let withheld = r.get("withheld").and_then(|w| w.as_bool()) == Some(true);
            let subject = match text("doc") {
                Some(doc) => Subject::Doc(doc.to_owned()),
                None if withheld => Subject::Withheld(text("title")?.trim().to_owned()),
                None => return None,
            };
            Some((subject, outcome))
        })
        .collect()
}

/// Each file the plan changes, with its new full text; none when the plan adds nothing.
fn changes(
    root: &Path,
    config: &Config,
    name: &str,
    plan: &Plan,
    campaign: Option<&Campaign>,
) -> Result<Vec<(FileChange, String)>, Vec<Problem>> {
    let mut out = Vec::new();
    if !plan.documents.is_empty() {
        let added: String = plan
            .documents
            .iter()
            .map(|d| write::document(d, name))
            .collect();
        let path = root.join(&config.catalogue);
        let existing = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                let file = config.catalogue.display().to_string();
                return Err(vec![Problem::file(
                    ProblemKind::CannotRun,
                    &file,
                    format!("cannot read: {e}"),
                )]);
            }
        };
        let text = match &existing {
            Some(text) => write::appended(text, &added),
            None => added.trim_start_matches('\n').to_owned(),
        };
        let change = FileChange {
            path: config.catalogue.clone(),
            created: existing.is_none(),
            added,
        };
        out.push((change, text));
    }
    if let Some(c) = campaign.filter(|_| !plan.records.is_empty()) {
        let added: String = plan.records.iter().map(write::record).collect();
        let base = c
            .text
            .clone()
            .unwrap_or_else(|| write::campaign_header(&c.name));
        let text = write::appended(&base, &added);
        let shown = if c.text.is_some() {
            added
        } else {
            text.clone()
        };
        out.push((
            FileChange {
                path: c.path.clone(),
                created: c.text.is_none(),
                added: shown,
            },
            text,
        ));
    }
    Ok(out)
}
