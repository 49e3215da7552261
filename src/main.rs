//! The `gazette` command line: parses arguments into options, calls the
//! library, prints diagnostics and maps the outcome to an exit code.

use std::net::IpAddr;
use std::path::PathBuf;
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
}

impl SiteArgs {
    fn options(self) -> BuildOptions {
        BuildOptions {
            as_of: self.as_of,
            ..BuildOptions::new(self.root)
        }
    }
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Build { site, output } => {
            let started = Instant::now();
            let opts = BuildOptions {
                output,
                ..site.options()
            };
            match gazette::build(&opts) {
                Ok(report) => {
                    print_diagnostics(&report.warnings);
                    eprintln!(
                        "built {} documents into {} in {} ms",
                        report.documents,
                        report.out_dir.display(),
                        started.elapsed().as_millis()
                    );
                    ExitCode::SUCCESS
                }
                Err(diags) => fail(&diags),
            }
        }
        Command::Check { site } => match gazette::check(&site.options()) {
            Ok(warnings) => {
                print_diagnostics(&warnings);
                eprintln!("no errors ({} warnings)", warnings.len());
                ExitCode::SUCCESS
            }
            Err(diags) => fail(&diags),
        },
        Command::Serve {
            site,
            port,
            bind,
            open,
        } => {
            let opts = ServeOptions {
                build: site.options(),
                bind,
                port,
                open,
            };
            match serve::serve(opts) {
                Ok(()) => ExitCode::SUCCESS,
                Err(ServeError::Site(diags)) => {
                    print_diagnostics(&diags);
                    eprintln!("error: cannot serve until site.toml and the templates are fixed");
                    ExitCode::FAILURE
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::New { dir } => match scaffold::new_site(&dir) {
            Ok(()) => {
                eprintln!(
                    "created a new site in {}; build it with `gazette build --root {}`",
                    dir.display(),
                    dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            }
        },
    }
}

fn print_diagnostics(diags: &Diagnostics) {
    for d in diags.iter() {
        eprintln!("{d}\n");
    }
}

fn fail(diags: &Diagnostics) -> ExitCode {
    print_diagnostics(diags);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    eprintln!("error: build failed with {errors} error(s); the previous output was left untouched");
    ExitCode::FAILURE
}
