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

/// A site whose catalogue holds `n` decisions, each repealing an unknown
/// id and sharing one 文号: one error per decision, and two per line pair.
fn many_errors(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.toml"), "title = \"scale\"\n").unwrap();
    std::fs::create_dir(dir.path().join("content")).unwrap();
    let catalogue: String = (0..n)
        .map(|i| {
            format!(
                "[[decision]]\nid = \"d/{i}\"\ntitle = \"决定{i}\"\nnumber = \"同号〔2020〕1号\"\ndate = 2020-01-01\nrepeals = [\"missing/{i}\"]\n\n"
            )
        })
        .collect();
    std::fs::write(dir.path().join("content/catalogue.toml"), catalogue).unwrap();
    dir
}

/// Issue 17.3: check was quadratic in unknown references (a did-you-mean
/// compared each with every document) and in the human report (each
/// diagnostic's source line was found by scanning its file from the top).
#[test]
fn issue_17_check_with_many_errors_stays_near_linear() {
    let n = 4_000;
    let site = many_errors(n);
    let started = std::time::Instant::now();
    let out = gazette()
        .args(["check", "--as-of", "2026-01-01", "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("error[unknown-reference]").count(), n);
    assert_eq!(stderr.matches("error[duplicate-number]").count(), n - 1);
    assert!(
        stderr.contains("repeals = [\"missing/3999\"]"),
        "source lines shown"
    );
    assert!(took.as_secs() < 30, "check took {took:?} for {n} decisions");
}

/// Issue 17.15: a closed or full stderr/stdout never turns into a panic
/// (exit 101); the exit code still says whether the site has errors.
#[cfg(target_os = "linux")]
#[test]
fn issue_17_full_or_closed_output_keeps_the_documented_exit_code() {
    let site = many_errors(3);
    let full = || std::fs::File::create("/dev/full").unwrap();
    for format in ["human", "json"] {
        let status = gazette()
            .args([
                "check",
                "--format",
                format,
                "--as-of",
                "2026-01-01",
                "--root",
            ])
            .arg(site.path())
            .stdout(full())
            .stderr(full())
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(1), "{format}");
    }
    let mut child = gazette()
        .args(["build", "--as-of", "2026-01-01", "--root"])
        .arg(site.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    assert_eq!(child.wait().unwrap().code(), Some(1), "closed pipe");
}

#[test]
fn check_verbose_lists_the_amending_acts_applied() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = gazette()
        .args([
            "check",
            "--verbose",
            "--as-of",
            "2026-11-27",
            "--root",
            root,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for line in [
        "applied: `zuofeng/shuangshitiao-xiuding` to `zuofeng/shuangshitiao`: 5 instruction(s)",
        "applied: `zuofeng/shuangshitiao-xiuding-2023` to `zuofeng/shuangshitiao`: 6 instruction(s)",
    ] {
        assert!(stderr.contains(line), "missing {line:?} in:\n{stderr}");
    }
    let quiet = gazette()
        .args(["check", "--as-of", "2026-11-27", "--root", root])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("applied:"));
}
