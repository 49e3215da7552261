//! `gazette check`: every invalid fixture under `tests/fixtures/invalid/<case>/`
//! reports exactly the diagnostics listed in its `expected.txt`
//! (`severity code path:line`, one a line; `GAZETTE_BLESS=1` rewrites them),
//! and the binary maps outcomes to exit codes and JSON.

mod common;

use std::path::Path;
use std::process::Command;

use common::Fixture;
use gazette::diagnostics::Diagnostics;

/// One line per diagnostic: `error unknown-reference content/a.md:4`.
fn summary(diags: &Diagnostics) -> String {
    diags
        .iter()
        .map(|d| {
            let severity = if d.is_error() { "error" } else { "warning" };
            let line = d.line.map_or("-".to_owned(), |l| l.to_string());
            format!(
                "{severity} {} {}:{line}\n",
                d.code.as_str(),
                d.path.display()
            )
        })
        .collect()
}

fn check(f: &Fixture) -> Diagnostics {
    gazette::check(&f.options("2026-01-01")).unwrap_or_else(|d| d)
}

#[test]
fn invalid_fixtures_report_the_expected_diagnostics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
    let bless = std::env::var_os("GAZETTE_BLESS").is_some();
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    assert!(cases.len() >= 25, "only {} invalid fixtures", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let f = Fixture::new(&format!("invalid/{case}"));
        let found = summary(&check(&f));
        let expected_file = dir.join(case).join("expected.txt");
        if bless {
            std::fs::write(&expected_file, &found).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_file).unwrap_or_default();
        if found != expected || expected.is_empty() {
            failures.push(format!(
                "{case}:\n--- expected\n{expected}--- found\n{found}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn example_site_checks_clean() {
    let f = Fixture::example_site();
    let diags = gazette::check(&f.options("2026-11-27"))
        .unwrap_or_else(|d| panic!("{}", common::render(&d)));
    assert!(diags.is_empty(), "{}", common::render(&diags));
}

#[test]
fn warnings_pass_unless_denied() {
    let f = Fixture::new("invalid/warnings");
    let warnings = gazette::check(&f.options("2026-01-01")).expect("warnings only");
    assert!(!warnings.is_empty());
    let denied = gazette::BuildOptions {
        deny_warnings: true,
        ..f.options("2026-01-01")
    };
    let errors = gazette::check(&denied).expect_err("--deny-warnings makes them errors");
    assert_eq!(errors.error_count(), warnings.len());
    assert!(gazette::build(&denied).is_err());
    assert!(!f.out().exists(), "a denied build wrote output");
}

fn gazette(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn exit_codes_distinguish_clean_errors_and_no_site() {
    let clean = Fixture::new("lifecycle");
    let root = clean.root().to_str().unwrap();
    assert_eq!(gazette(&["check", "--root", root]).status.code(), Some(0));
    let broken = Fixture::new("invalid/duplicate_id");
    let root = broken.root().to_str().unwrap();
    let out = gazette(&["check", "--root", root]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(gazette(&["build", "--root", root]).status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error[duplicate-id]"), "{stderr}");
    assert!(stderr.contains("content/rules/x.md:1"), "{stderr}");
    let empty = tempfile::tempdir().unwrap();
    let root = empty.path().to_str().unwrap();
    assert_eq!(gazette(&["check", "--root", root]).status.code(), Some(2));
    assert_eq!(gazette(&["build", "--root", root]).status.code(), Some(2));
    let warned = Fixture::new("invalid/warnings");
    let root = warned.root().to_str().unwrap();
    assert_eq!(gazette(&["check", "--root", root]).status.code(), Some(0));
    let denied = gazette(&["check", "--root", root, "--deny-warnings"]);
    assert_eq!(denied.status.code(), Some(1));
}

#[test]
fn human_report_shows_the_source_line_with_a_marker_and_help() {
    let f = Fixture::new("invalid/nonexistent_date");
    let out = gazette(&["check", "--root", f.root().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error[invalid-date]"), "{stderr}");
    assert!(stderr.contains("content/toml.md:3"), "{stderr}");
    assert!(stderr.contains("3 | published = 2023-02-30"), "{stderr}");
    assert!(stderr.contains("^^^"), "{stderr}");
    assert!(
        stderr.contains("help: write dates as YYYY-MM-DD"),
        "{stderr}"
    );
}

#[test]
fn json_format_is_machine_readable() {
    let f = Fixture::new("invalid/unknown_reference");
    let out = gazette(&[
        "check",
        "--root",
        f.root().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &json["diagnostics"][0];
    assert_eq!(first["severity"], "error");
    assert_eq!(first["code"], "unknown-reference");
    assert_eq!(first["path"], "content/new.md");
    assert_eq!(first["line"], 4);
    assert_eq!(
        first["help"],
        "did you mean `zuofeng/shuangshitiao` (关于改进工作作风的双十条规定)?"
    );
    assert_eq!(
        json["errors"],
        json["diagnostics"].as_array().unwrap().len()
    );
}
