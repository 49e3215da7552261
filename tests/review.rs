//! Clean-up campaigns: the review queue (one fixture document per reason
//! code, and its look-alikes that must not be queued), campaign progress,
//! the draft decision built and checked like any other content, and the
//! `gazette review` command's formats. Driven by `tests/fixtures/review/`
//! and the bundled example site.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use common::Fixture;
use gazette::catalogue::EventKind;
use gazette::review::{self, Reason};
use gazette::site::{self, Site};

fn load(f: &Fixture, as_of: &str) -> Site {
    match site::load(&f.options(as_of)) {
        Ok((site, _)) => site,
        Err(d) => panic!("{}", common::render(&d)),
    }
}

/// `(document id, reason code)` of every queue item.
fn queue(site: &Site) -> BTreeSet<(String, &'static str)> {
    let items = review::queue(&site.catalogue, &site.campaigns, &site.config.review);
    items
        .iter()
        .map(|i| (site.catalogue.docs[i.doc].id.to_string(), i.reason.code()))
        .collect()
}

fn reasons_of(site: &Site, id: &str) -> Vec<Reason> {
    let items = review::queue(&site.catalogue, &site.campaigns, &site.config.review);
    items
        .into_iter()
        .filter(|i| site.catalogue.docs[i.doc].id.as_str() == id)
        .map(|i| i.reason)
        .collect()
}

#[test]
fn each_reason_is_queued_with_its_evidence_and_nothing_else() {
    let f = Fixture::new("review");
    let site = load(&f, "2026-12-02");
    let expected: BTreeSet<(String, &str)> = [
        ("rules/child", "basis-changed"),
        ("rules/citer", "cited-changed"),
        ("rules/term", "expiring"),
        ("rules/old", "review-overdue"),
        ("rules/doomed", "outcome-pending"),
    ]
    .into_iter()
    .map(|(id, code)| (id.to_owned(), code))
    .collect();
    // Not queued: `kept` (reviewed in 2024), `reg` (10 years for its level),
    // `amended` (revised in 2024), `gone` (its repeal carried out), the
    // decision and the amending act (acts are not reviewed).
    assert_eq!(queue(&site), expected);
    match &reasons_of(&site, "rules/child")[..] {
        [Reason::BasisChanged { basis, change }] => {
            assert_eq!(basis.as_str(), "rules/basis");
            assert_eq!(change.kind, EventKind::Repealed);
            assert_eq!(change.date.to_string(), "2026-03-01");
            assert_eq!(change.actor.as_ref().unwrap().as_str(), "decisions/2026");
        }
        other => panic!("{other:?}"),
    }
    match &reasons_of(&site, "rules/citer")[..] {
        [Reason::CitedChanged { cited, change }] => {
            assert_eq!(
                (cited.as_str(), change.kind),
                ("rules/amended", EventKind::Amended)
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn reviews_windows_and_dates_move_the_queue() {
    let f = Fixture::new("review");
    // Six months before 2027-03-01 the term is not yet due.
    let early = load(&f, "2026-08-31");
    assert!(!queue(&early).contains(&("rules/term".into(), "expiring")));
    assert!(queue(&load(&f, "2026-09-01")).contains(&("rules/term".into(), "expiring")));
    // A record is not known before its date (2026-02-01).
    let pending = ("rules/doomed".to_owned(), "outcome-pending");
    assert!(!queue(&load(&f, "2026-01-31")).contains(&pending));
    assert!(queue(&load(&f, "2026-02-01")).contains(&pending));
    // Reviewing the document after its basis changed clears the reason.
    let campaign = std::fs::read_to_string(f.root().join("reviews/2026.toml")).unwrap();
    f.write(
        "reviews/2026.toml",
        &format!(
            "{campaign}\n[[record]]\ndoc = \"rules/child\"\ndate = 2026-04-01\noutcome = \"保留\"\n"
        ),
    );
    assert!(reasons_of(&load(&f, "2026-12-02"), "rules/child").is_empty());
}

#[test]
fn campaign_progress_counts_scope_outcomes_and_the_deadline() {
    let f = Fixture::new("review");
    let site = load(&f, "2026-12-02");
    let campaign = review::find(&site.campaigns, "2026年清理").expect("by name");
    assert!(std::ptr::eq(
        campaign,
        review::find(&site.campaigns, "2026").unwrap()
    ));
    let p = review::progress(&site.catalogue, campaign);
    let ids = |list: &[usize]| -> Vec<&str> {
        list.iter()
            .map(|&i| site.catalogue.docs[i].id.as_str())
            .collect()
    };
    // In force on 2026-01-01 and now, of the scope's level, or reviewed.
    assert_eq!(
        ids(&p.in_scope),
        [
            "rules/amended",
            "rules/child",
            "rules/citer",
            "rules/doomed",
            "rules/gone",
            "rules/kept",
            "rules/old",
            "rules/term"
        ]
    );
    assert_eq!(p.unreviewed.len(), 5);
    assert_eq!((p.carried_out, p.to_carry_out, p.withheld.len()), (1, 2, 1));
    assert!(p.overdue, "the deadline 2026-11-30 has passed");
    assert!(!review::progress(&load(&f, "2026-11-30").catalogue, campaign).overdue);
}

#[test]
fn draft_decision_is_built_and_checked_like_any_other_content() {
    let f = Fixture::new("review");
    let site = load(&f, "2026-12-02");
    let campaign = review::find(&site.campaigns, "2026").unwrap();
    let draft = review::draft(&site.catalogue, campaign, site.catalogue.as_of);
    assert!(draft.contains("repeals = [\n  { id = \"rules/doomed\", reason = \"已不适应\" },\n]"));
    assert!(
        !draft.contains("rules/gone"),
        "already repealed: not decided again"
    );
    assert!(draft.contains("withheld = 1"));
    assert!(draft.contains("示例市人民政府关于废止一批规范性文件的决定"));
    f.write("content/decisions/2026-draft.md", &draft);
    let diags = gazette::check(&f.options("2026-12-02")).unwrap_or_else(|d| d);
    assert!(diags.is_empty(), "{}", common::render(&diags));
    let after = load(&f, "2026-12-02");
    assert!(
        !queue(&after)
            .iter()
            .any(|(_, code)| *code == "outcome-pending")
    );
    let p = review::progress(
        &after.catalogue,
        review::find(&after.campaigns, "2026").unwrap(),
    );
    assert_eq!((p.carried_out, p.to_carry_out), (2, 2));
    f.build("2026-12-02");
    f.assert_file_contains("docs/rules/doomed/index.html", "status-repealed");
}

fn gazette(f: &Fixture, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .arg("review")
        .arg("--root")
        .arg(f.root())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn review_command_prints_text_json_and_safe_csv() {
    let f = Fixture::new("review");
    let (code, text, _) = gazette(&f, &["--as-of", "2026-12-02"]);
    assert_eq!(code, 0);
    assert!(text.contains("rules/child 《依据基础规定的细则》 [current]\n  basis-changed"));
    assert!(
        text.ends_with("5 reason(s) for 5 document(s) as of 2026-12-02\n"),
        "{text}"
    );
    let (_, json, _) = gazette(&f, &["--as-of", "2026-12-02", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["items"].as_array().unwrap().len(), 5);
    assert_eq!(json["items"][0]["detail"]["code"], "basis-changed");
    let (code, empty, _) = gazette(&f, &["--as-of", "2016-01-02"]);
    assert_eq!(
        (code, empty.as_str()),
        (0, "nothing needs review as of 2016-01-02\n")
    );
    // A reason a spreadsheet would run as a formula is exported as text.
    let campaign = std::fs::read_to_string(f.root().join("reviews/2026.toml")).unwrap();
    f.write(
        "reviews/2026.toml",
        &campaign.replace(
            "reason = \"仍然适用\"",
            "reason = \"=HYPERLINK(\\\"http://x\\\")\"",
        ),
    );
    let (code, csv, _) = gazette(
        &f,
        &[
            "--campaign",
            "2026",
            "--format",
            "csv",
            "--as-of",
            "2026-12-02",
        ],
    );
    assert_eq!(code, 0);
    assert!(csv.starts_with("\u{feff}id,title,number,outcome,date,reason,reviewer\n"));
    assert!(
        csv.contains("rules/kept,经评估保留的办法,,keep,2024-05-01,\"'=HYPERLINK("),
        "{csv}"
    );
    let (code, _, err) = gazette(&f, &["--campaign", "nope"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("no campaign “nope”") && err.contains("2026年清理"),
        "{err}"
    );
}

#[test]
fn draft_command_never_overwrites_without_force() {
    let f = Fixture::new("review");
    let args = ["--draft-decision", "2026", "--as-of", "2026-12-02"];
    let (code, _, err) = gazette(&f, &args);
    assert_eq!(code, 0, "{err}");
    let path = f.root().join("reviews/2026-decision.md");
    let first = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, "edited by hand").unwrap();
    let (code, _, err) = gazette(&f, &args);
    assert_eq!(code, 1);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "edited by hand");
    let (code, _, _) = gazette(&f, &[&args[..], &["--force"]].concat());
    assert_eq!((code, std::fs::read_to_string(&path).unwrap()), (0, first));
}

#[test]
fn example_site_shows_every_reason_and_a_reproducible_draft() {
    let f = Fixture::example_site();
    let site = load(&f, "2026-12-02");
    let codes: BTreeSet<&str> = queue(&site).into_iter().map(|(_, c)| c).collect();
    let all = [
        "basis-changed",
        "cited-changed",
        "expiring",
        "review-overdue",
        "outcome-pending",
    ];
    assert_eq!(codes, all.into_iter().collect());
    let campaign = review::find(&site.campaigns, "2026-qingli").unwrap();
    let p = review::progress(&site.catalogue, campaign);
    assert!(
        !p.unreviewed.is_empty() && p.unreviewed.len() < p.in_scope.len(),
        "half done"
    );
    let draft = review::draft(&site.catalogue, campaign, site.catalogue.as_of);
    let committed =
        std::fs::read_to_string(f.root().join("reviews/2026-qingli-decision.md")).unwrap();
    assert_eq!(
        draft, committed,
        "regenerate with `gazette review --draft-decision 2026-qingli --as-of 2026-12-02 --force`"
    );
}

#[test]
fn the_review_page_is_published_only_when_the_site_opts_in() {
    let f = Fixture::new("review");
    f.build("2026-12-02");
    assert!(!f.out().join("review").exists(), "unpublished by default");
    let config = std::fs::read_to_string(f.root().join("site.toml")).unwrap();
    f.write(
        "site.toml",
        &config.replace("[review]\n", "[review]\npublish = true\n"),
    );
    f.build("2026-12-02");
    let page = f.read("review/index.html");
    for code in [
        "basis-changed",
        "cited-changed",
        "expiring",
        "review-overdue",
        "outcome-pending",
    ] {
        assert!(page.contains(&format!("class=\"reason-{code}\"")), "{code}");
    }
    assert!(
        page.contains("制定依据《基础规定》已于2026年3月1日废止（《关于废止一批文件的决定》）")
    );
    assert!(page.contains("<progress max=\"8\" value=\"3\">"));
}
