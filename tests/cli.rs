//! The `gazette` binary: scaffolding, exit codes and help.

use std::process::Command;

fn gazette() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gazette"))
}

#[test]
fn new_site_builds_as_scaffolded() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let status = gazette().arg("new").arg(&site).status().unwrap();
    assert!(status.success());
    let out = gazette()
        .args(["build", "--as-of", "2026-01-01", "--root"])
        .arg(&site)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = std::fs::read_to_string(site.join("public/catalogue.json")).unwrap();
    assert!(json.contains("\"status\": \"superseded\""));
    assert!(json.contains("\"status\": \"repealed\""));
    let again = gazette().arg("new").arg(&site).output().unwrap();
    assert!(
        !again.status.success(),
        "new must refuse a non-empty folder"
    );
}

#[test]
fn build_without_a_site_fails_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let out = gazette()
        .args(["build", "--root"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("site.toml"), "{stderr}");
    assert!(stderr.contains("gazette new"), "{stderr}");
}

#[test]
fn help_documents_every_build_option() {
    let out = gazette().args(["build", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in ["--root", "--output", "--as-of"] {
        assert!(help.contains(flag), "build --help lacks {flag}");
    }
}
