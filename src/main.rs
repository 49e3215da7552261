//! The `gazette` command line: parses arguments into options, calls the
//! library, prints diagnostics and maps the outcome to an exit code
//! (0 clean, 1 errors found, 2 could not run).

// Indexing and rendering allocate on every core at once; glibc's malloc
// spends a fifth of the search index build waiting on its arena locks.
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use gazette::diagnostics::Diagnostics;
use gazette::serve::{self, ServeError, ServeOptions};
use gazette::{BuildOptions, scaffold};

/// Static site generator for policy and regulation catalogues.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into its output folder (atomically: a failed build keeps the old output).
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// Output folder (default: `output_dir` from site.toml, usually `public`).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Validate the site and report every problem without writing output.
    Check {
        #[command(flatten)]
        site: SiteArgs,
        /// Also list each amending act applied and how many instructions it gave.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Serve the site from memory, rebuild what changes, live-reload the browser.
    Serve {
        #[command(flatten)]
        site: SiteArgs,
        /// Port to listen on (the next free one is used if it is taken; 0: any).
        #[arg(long, short, default_value_t = 1111)]
        port: u16,
        /// Address to listen on; anything but loopback exposes the site to the network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: IpAddr,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Import a catalogue spreadsheet (XLSX or CSV): rows become catalogue
    /// entries, clean-up outcomes become review records of a campaign.
    Import {
        /// The spreadsheet, .xlsx or .csv (UTF-8), one row per document.
        file: PathBuf,
        /// Site root, the folder holding site.toml.
        #[arg(long, short, default_value = ".")]
        root: PathBuf,
        /// Print what would be appended; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Campaign receiving review records: its name or file stem under reviews/.
        #[arg(long)]
        campaign: Option<String>,
        /// Read a column gazette does not recognise: 'header=field' (repeatable),
        /// e.g. '牵头处室=issuer'.
        #[arg(long, value_name = "HEADER=FIELD")]
        map: Vec<String>,
    },
    /// Clean-up review: what needs attention, a campaign's progress, its draft decision.
    Review(ReviewArgs),
    /// Create a new site with example content in DIR.
    New {
        /// Folder to create (must be absent or empty).
        dir: PathBuf,
    },
}

#[derive(clap::Args)]
struct SiteArgs {
    /// Site root, the folder holding site.toml.
    #[arg(long, short, default_value = ".")]
    root: PathBuf,
    /// Compute document statuses as of this date (YYYY-MM-DD; default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<NaiveDate>,
    /// Treat warnings as errors.
    #[arg(long)]
    deny_warnings: bool,
    /// How to print diagnostics: rustc-style text on stderr, or JSON on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(clap::Args)]
struct ReviewArgs {
    /// Site root, the folder holding site.toml.
    #[arg(long, short, default_value = ".")]
    root: PathBuf,
    /// Review as of this date (YYYY-MM-DD; default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<NaiveDate>,
    /// How to print the queue or progress.
    #[arg(long, value_enum, default_value_t = ReviewFormat::Human)]
    format: ReviewFormat,
    /// Show this campaign's progress instead of the queue (its name or file name).
    #[arg(long, value_name = "NAME", conflicts_with = "draft_decision")]
    campaign: Option<String>,
    /// Write the decision that carries out this campaign's outcomes.
    #[arg(long, value_name = "NAME")]
    draft_decision: Option<String>,
    /// Where the draft goes (default: `<campaign file>-decision.md` beside the campaign file).
    #[arg(long, value_name = "FILE", requires = "draft_decision")]
    output: Option<PathBuf>,
    /// Replace an existing draft file.
    #[arg(long, requires = "draft_decision")]
    force: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ReviewFormat {
    /// Plain text.
    Human,
    /// JSON on stdout.
    Json,
    /// CSV (UTF-8 with BOM) on stdout.
    Csv,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// rustc-style diagnostics with the source line, on stderr.
    Human,
    /// `{"errors", "warnings", "diagnostics": [...]}` on stdout.
    Json,
}

impl SiteArgs {
    fn options(&self) -> BuildOptions {
        BuildOptions {
            as_of: self.as_of,
            deny_warnings: self.deny_warnings,
            ..BuildOptions::new(&self.root)
        }
    }

    /// Print `diags` in the chosen format and return the exit code they imply.
    fn report(&self, diags: &Diagnostics) -> ExitCode {
        match self.format {
            Format::Human => print_human(&self.root, diags),
            Format::Json => print_json(diags),
        }
        if diags.could_not_run() {
            ExitCode::from(2)
        } else if diags.has_errors() {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Build { site, output } => build(&site, output),
        Command::Check { site, verbose } => check(&site, verbose),
        Command::Serve {
            site,
            port,
            bind,
            open,
        } => serve(
            &site,
            ServeOptions {
                build: site.options(),
                bind,
                port,
                open,
            },
        ),
        Command::Import {
            file,
            root,
            dry_run,
            campaign,
            map,
        } => {
            let opts = gazette::import::ImportOptions {
                root,
                file,
                dry_run,
                campaign,
                map,
                today: chrono::Local::now().date_naive(),
            };
            report_import(gazette::import::import(&opts))
        }
        Command::Review(args) => review(&args),
        Command::New { dir } => new_site(&dir),
    }
}

/// `gazette build`: what was built and where, or why nothing changed.
fn build(site: &SiteArgs, output: Option<PathBuf>) -> ExitCode {
    let started = Instant::now();
    let opts = BuildOptions {
        output,
        ..site.options()
    };
    match gazette::build(&opts) {
        Ok(report) => {
            let note = if report.unchanged {
                " (nothing changed since the last build: no file written)"
            } else {
                ""
            };
            gazette::say!(
                "built {} documents into {} in {} ms{note}",
                report.documents,
                report.out_dir.display(),
                started.elapsed().as_millis()
            );
            site.report(&report.warnings)
        }
        Err(diags) => {
            let code = site.report(&diags);
            let kept = match previous_output(&opts) {
                Some(dir) => format!("; {} was left untouched", dir.display()),
                None => String::new(),
            };
            gazette::say!(
                "error: build failed with {} error(s){kept}",
                diags.error_count()
            );
            code
        }
    }
}

/// `gazette check`: the diagnostics and their counts (with `--verbose`,
/// the citations linked and the amending acts applied).
fn check(site: &SiteArgs, verbose: bool) -> ExitCode {
    let (result, summary) = gazette::site::check_with_summary(&site.options());
    let diags = result.unwrap_or_else(|diags| diags);
    let code = site.report(&diags);
    if verbose {
        let (linked, ambiguous, unknown) = summary.citations;
        gazette::say!(
            "citations: {linked} linked, {ambiguous} naming two or more documents (not linked), {unknown} naming none in the catalogue"
        );
        for a in &summary.acts {
            gazette::say!(
                "applied: `{}` to `{}`: {} instruction(s)",
                a.act,
                a.target,
                a.instructions
            );
        }
    }
    let notes = match diags.len() - diags.error_count() - diags.warning_count() {
        0 => String::new(),
        n => format!(", {n} note(s)"),
    };
    gazette::say!(
        "checked: {} error(s), {} warning(s){notes}",
        diags.error_count(),
        diags.warning_count()
    );
    code
}

/// `gazette serve`, until it is stopped or cannot go on.
fn serve(site: &SiteArgs, opts: ServeOptions) -> ExitCode {
    match serve::serve(opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(ServeError::Site(diags)) => {
            let code = site.report(&diags);
            gazette::say!("error: cannot serve until site.toml and the templates are fixed");
            code
        }
        Err(e) => {
            gazette::say!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// `gazette new`: a starter site in `dir`.
fn new_site(dir: &Path) -> ExitCode {
    match scaffold::new_site(dir) {
        Ok(()) => {
            gazette::say!(
                "created a new site in {}; build it with `gazette build --root {}`",
                dir.display(),
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            gazette::say!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// What an import added (or, on a dry run, would add), or why it wrote
/// nothing: 0 done, 1 problems in the sheet, 2 could not run.
fn report_import(
    result: Result<gazette::import::ImportReport, Vec<gazette::import::Problem>>,
) -> ExitCode {
    use gazette::import::ProblemKind;
    let report = match result {
        Ok(report) => report,
        Err(problems) => {
            for p in &problems {
                gazette::say!("error: {p}");
            }
            gazette::say!(
                "import failed with {} problem(s); nothing was written",
                problems.len()
            );
            let fatal = problems.iter().any(|p| p.kind == ProblemKind::CannotRun);
            return if fatal {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            };
        }
    };
    for note in &report.notes {
        gazette::say!("note: {note}");
    }
    for c in &report.changes {
        if !report.written {
            let verb = if c.created { "create" } else { "append to" };
            let _ = writeln!(
                std::io::stdout(),
                "# would {verb} {}
{}",
                c.path.display(),
                c.added
            );
        }
    }
    let verb = if report.written {
        "imported"
    } else {
        "dry run: would import"
    };
    gazette::say!(
        "{verb} {} new document(s) and {} review record(s); {} row(s) matched documents already in the site",
        report.documents,
        report.records,
        report.matched
    );
    ExitCode::SUCCESS
}

/// The output folder a failed build left as it was, if there is one.
fn previous_output(opts: &BuildOptions) -> Option<PathBuf> {
    let (config, _) = gazette::site::configure(opts).ok()?;
    let dir = opts
        .output
        .clone()
        .unwrap_or_else(|| opts.root.join(&config.output_dir));
    std::fs::read_dir(&dir)
        .ok()?
        .next()
        .is_some()
        .then_some(dir)
}

/// `gazette review`: load and check the site, then print the queue, a
/// campaign's progress, or write a draft decision.
fn review(args: &ReviewArgs) -> ExitCode {
    use gazette::review;
    let site_args = SiteArgs {
        root: args.root.clone(),
        as_of: args.as_of,
        deny_warnings: false,
        format: Format::Human,
    };
    let (site, diags) = match gazette::site::load(&site_args.options()) {
        Ok(loaded) => loaded,
        Err(diags) => {
            let code = site_args.report(&diags);
            gazette::say!("error: fix these problems first; `gazette check` lists them");
            return code;
        }
    };
    print_human(&args.root, &diags);
    let cat = &site.catalogue;
    let name = args.campaign.as_ref().or(args.draft_decision.as_ref());
    let campaign = match name.map(|n| (n, review::find(&site.campaigns, n))) {
        Some((_, Some(c))) => Some(c),
        Some((n, None)) => {
            let known: Vec<&str> = site.campaigns.iter().map(|c| c.name.as_str()).collect();
            gazette::say!(
                "error: no campaign “{n}” in {}/ (campaigns: {})",
                site.config.review.dir.display(),
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            );
            return ExitCode::FAILURE;
        }
        None => None,
    };
    let out = match (campaign, &args.draft_decision) {
        (Some(c), Some(_)) => return write_draft(args, &site, c),
        (Some(c), None) => {
            let p = review::progress(cat, c);
            match args.format {
                ReviewFormat::Human => review::report::progress_text(cat, &p).into_bytes(),
                ReviewFormat::Json => review::report::progress_json(cat, &p).into_bytes(),
                ReviewFormat::Csv => review::report::progress_csv(cat, &p),
            }
        }
        (None, _) => {
            let items = review::queue(cat, &site.campaigns, &site.config.review);
            match args.format {
                ReviewFormat::Human => review::report::queue_text(cat, &items).into_bytes(),
                ReviewFormat::Json => review::report::queue_json(cat, &items).into_bytes(),
                ReviewFormat::Csv => review::report::queue_csv(cat, &items),
            }
        }
    };
    let _ = std::io::stdout().write_all(&out);
    ExitCode::SUCCESS
}

/// Write the draft decision of `campaign`, never over an existing file
/// unless `--force`.
fn write_draft(
    args: &ReviewArgs,
    site: &gazette::site::Site,
    campaign: &gazette::review::Campaign,
) -> ExitCode {
    let text = gazette::review::draft(&site.catalogue, campaign, site.catalogue.as_of);
    let path = args.output.clone().unwrap_or_else(|| {
        args.root.join(
            campaign
                .path
                .with_file_name(format!("{}-decision.md", campaign.stem)),
        )
    });
    if path.exists() && !args.force {
        gazette::say!(
            "error: {} exists; pass --force to replace it, or --output to write elsewhere",
            path.display()
        );
        return ExitCode::FAILURE;
    }
    match std::fs::write(&path, text) {
        Ok(()) => {
            gazette::say!(
                "wrote the draft decision of “{}” to {}; edit it, then move it under content/",
                campaign.name,
                path.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            gazette::say!("error: cannot write {}: {e}", path.display());
            ExitCode::from(2)
        }
    }
}

/// rustc-style diagnostics on stderr, each with its source line read from
/// the site.
fn print_human(root: &Path, diags: &Diagnostics) {
    let styled = std::io::stderr().is_terminal();
    for text in diags.render_with_sources(|p| gazette::site::read_source(root, p), styled) {
        gazette::say!("{text}\n");
    }
}

/// Every diagnostic as one JSON document on stdout, for editors and CI.
fn print_json(diags: &Diagnostics) {
    let json = serde_json::json!({
        "errors": diags.error_count(),
        "warnings": diags.warning_count(),
        "notes": diags.len() - diags.error_count() - diags.warning_count(),
        "diagnostics": diags.iter().collect::<Vec<_>>(),
    });
    // Like `say!`: a closed or full stdout loses the report, not the exit code.
    let _ = writeln!(std::io::stdout(), "{json}");
}
