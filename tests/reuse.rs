//! Issue 15: a build keeps the pages of the last build that are still
//! right and renders the rest, and its output equals a fresh build's, byte
//! for byte, with the same warnings, whatever was edited in between: a
//! property test over random sequences of edits that reach other documents'
//! pages (an amending act's instruction rewrites another document's text, a
//! repeal changes its status, a title changes the pages citing it).

mod common;

use std::collections::BTreeMap;

use common::{Fixture, snapshot};
use proptest::prelude::*;

/// One edit of the `versions` fixture.
#[derive(Debug, Clone, Copy)]
enum Edit {
    /// Rewrite the instruction of the act amending `rules/base`.
    AmendingInstruction,
    /// Append an article to `rules/base`.
    BaseText,
    /// Add (or remove) a decision repealing `rules/base`.
    Repeal,
    /// Change the title of `rules/base`, which other texts cite.
    BaseTitle,
    /// Add (or remove) a document linking to an article of `rules/base`.
    Citing,
    /// Move the date the statuses are computed for.
    Date,
    /// Add (or change) a static file.
    Static,
}

const EDITS: [Edit; 7] = [
    Edit::AmendingInstruction,
    Edit::BaseText,
    Edit::Repeal,
    Edit::BaseTitle,
    Edit::Citing,
    Edit::Date,
    Edit::Static,
];

/// The fixture and the date builds use.
struct Site {
    f: Fixture,
    day: &'static str,
    n: usize,
}

impl Site {
    fn apply(&mut self, edit: Edit) {
        self.n += 1;
        let n = self.n;
        match edit {
            Edit::AmendingInstruction => self.replace(
                "content/rules/amend-2020.md",
                "修改为“",
                &format!("修改为“第{n}种"),
            ),
            Edit::BaseText => self.append("content/rules/base.md", &format!("\n第{}条 新增第{n}次。\n", 4 + n)),
            Edit::Repeal => self.toggle(
                "content/rules/repeal.md",
                "+++\ntitle = \"关于废止《档案管理办法》的决定\"\npublished = 2024-01-05\nrepeals = [\"rules/base\"]\n+++\n废止《档案管理办法》。\n",
            ),
            Edit::BaseTitle => self.replace("content/rules/base.md", "档案管理", &format!("档案{n}管理")),
            Edit::Citing => self.toggle(
                "content/rules/citing.md",
                "+++\ntitle = \"引用规定\"\npublished = 2022-01-05\n+++\n依照[第二条](doc:rules/base#art-2)办理。\n",
            ),
            Edit::Date => self.day = if self.day == "2026-11-27" { "2021-01-01" } else { "2026-11-27" },
            Edit::Static => self.f.write("static/extra.css", &format!("p {{ margin: {n}px }}")),
        }
    }

    fn replace(&self, rel: &str, from: &str, to: &str) {
        let path = self.f.root().join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(path, text.replacen(from, to, 1)).unwrap();
    }

    fn append(&self, rel: &str, more: &str) {
        let path = self.f.root().join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(path, text + more).unwrap();
    }

    fn toggle(&self, rel: &str, text: &str) {
        let path = self.f.root().join(rel);
        if path.exists() {
            std::fs::remove_file(path).unwrap();
        } else {
            self.f.write(rel, text);
        }
    }

    /// Build into the site's output, and fresh into an empty folder: the
    /// outputs (manifest aside) and the warnings must be equal.
    fn assert_build_equals_fresh(&self, after: &[Edit]) {
        let kept = gazette::build(&self.f.options(self.day)).unwrap();
        let fresh = tempfile::tempdir().unwrap();
        let opts = gazette::BuildOptions {
            output: Some(fresh.path().join("out")),
            ..self.f.options(self.day)
        };
        let full = gazette::build(&opts).unwrap();
        assert_eq!(kept.warnings.0, full.warnings.0, "warnings after {after:?}");
        let (ours, theirs) = (files(&self.f.out()), files(&fresh.path().join("out")));
        let differ: std::collections::BTreeSet<_> = theirs
            .keys()
            .chain(ours.keys())
            .filter(|k| ours.get(*k) != theirs.get(*k))
            .collect();
        assert!(
            differ.is_empty(),
            "after {after:?} these differ: {differ:?}"
        );
    }
}

fn files(out: &std::path::Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = snapshot(out);
    files.remove(".gazette-manifest");
    files
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn a_build_keeping_pages_equals_a_fresh_build(edits in prop::collection::vec(0..EDITS.len(), 1..7)) {
        let mut site = Site { f: Fixture::new("versions"), day: "2026-11-27", n: 0 };
        site.assert_build_equals_fresh(&[]);
        let mut done = Vec::new();
        for e in edits {
            site.apply(EDITS[e]);
            done.push(EDITS[e]);
            site.assert_build_equals_fresh(&done);
        }
    }
}

/// An edit of one document renders its pages and those it reaches, and
/// keeps the others (their files are not even read: same mtime and inode).
#[cfg(unix)]
#[test]
fn an_edit_renders_only_what_it_reaches() {
    use std::os::unix::fs::MetadataExt;
    let mut site = Site {
        f: Fixture::new("versions"),
        day: "2026-11-27",
        n: 0,
    };
    site.assert_build_equals_fresh(&[]);
    let untouched = site.f.out().join("docs/laws/单行条例/index.html");
    let inode = |path: &std::path::Path| path.metadata().unwrap().ino();
    let before = inode(&untouched);
    site.apply(Edit::Repeal);
    site.assert_build_equals_fresh(&[Edit::Repeal]);
    assert_eq!(inode(&untouched), before, "an unrelated page is kept");
    let repealed = site.f.read("docs/rules/base/index.html");
    assert!(repealed.contains("被以下文件废止"), "the repeal is shown");
}

/// A folder named with `./` in site.toml is the same folder: an edit
/// under `content_dir = "./content"` is built (such a site's texts were
/// once no input of the no-change check, and its edits were never built).
#[test]
fn an_edit_under_a_dotted_content_dir_is_built() {
    let mut site = Site {
        f: Fixture::new("versions"),
        day: "2026-11-27",
        n: 0,
    };
    site.append("site.toml", "content_dir = \"./content\"\n");
    site.assert_build_equals_fresh(&[]);
    site.apply(Edit::Repeal);
    site.assert_build_equals_fresh(&[Edit::Repeal]);
    let repealed = site.f.read("docs/rules/base/index.html");
    assert!(repealed.contains("被以下文件废止"), "the repeal is shown");
}
