//! Links authors write (`[…](../x.md#art-3)`, `@/x.md`, `doc:ID`), as
//! the outline of each text found them, resolved once against the
//! catalogue: to a document and an article that exists, or to an
//! `error[broken-link]` at the link's line. The cited-by lists and the
//! renderer's URLs both read the result.

use std::path::Path;

use rustc_hash::FxHashMap;

use super::{Catalogue, content_dir};
use crate::content::{Body, Document, slash_path};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::{DocId, DocIdx};
use crate::outline::{Anchor, LinkTarget, internal_target};

/// Where a written link leads inside the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTo {
    /// The link's destination as written (`../a.md#art-3`).
    pub url: String,
    /// The document.
    pub doc: DocIdx,
    /// The fragment as written (`art-3`, a heading id), if any.
    pub fragment: Option<String>,
}

impl LinkTo {
    /// The article the link names, if it names one.
    pub fn article(&self) -> Option<Anchor> {
        self.fragment.as_deref().and_then(Anchor::parse)
    }
}

/// Every source file of every document (`content/a/b.md` → its document).
pub(super) fn by_source(docs: &[Document]) -> FxHashMap<String, DocIdx> {
    use rayon::prelude::*;
    // Naming every file is most of the work: share it out, then insert in
    // catalogue order (a later document keeps a file both name).
    let named: Vec<Vec<String>> = (docs.par_iter())
        .map(|d| d.sources().map(slash_path).collect())
        .collect();
    (named.into_iter().enumerate())
        .flat_map(|(i, paths)| paths.into_iter().map(move |p| (p, DocIdx::new(i))))
        .collect()
}

impl Catalogue {
    /// Where the link written as `url` in a text of document `i` leads, as
    /// the catalogue resolved it; `None` for a link out of the site or one
    /// that leads nowhere (reported already).
    pub fn link(&self, i: usize, url: &str) -> Option<&LinkTo> {
        self.links[i].iter().find(|l| l.url == url)
    }

    /// Where a link written in a text of document `from` leads: `Ok(None)`
    /// for a link out of the site, or into a file whose own error is
    /// reported instead; `Err` says why it leads nowhere.
    fn resolve_link(&self, from: usize, url: &str) -> Result<Option<LinkTo>, String> {
        let doc = &self.docs[from];
        let Some((target, fragment)) = internal_target(url, &doc.section) else {
            return Ok(None);
        };
        let dir = content_dir(doc).unwrap_or_default();
        let found = match &target {
            LinkTarget::Id(id) => DocId::new(id).ok().and_then(|id| self.find(&id)),
            LinkTarget::Source(path) => self.by_source.get(&format!("{dir}{path}")).copied(),
        };
        let Some(to) = found else {
            let unreadable = match &target {
                LinkTarget::Id(id) => self.is_unreadable(id, None),
                LinkTarget::Source(path) => {
                    self.is_unreadable("", Some(Path::new(&format!("{dir}{path}"))))
                }
            };
            // The linked file's own error is the problem, not this link.
            return match unreadable {
                true => Ok(None),
                false => Err("no document has this id or source file".to_owned()),
            };
        };
        let link = LinkTo {
            url: url.to_owned(),
            doc: to,
            fragment,
        };
        if let Some(f) = link.fragment.as_deref().filter(|f| f.starts_with("art-")) {
            let known = self.docs[to]
                .body
                .as_ref()
                .zip(link.article())
                .is_some_and(|(b, a)| b.outline.has_anchor(a));
            if !known {
                return Err(format!("`{}` has no article #{f}", self.docs[to].id));
            }
        }
        Ok(Some(link))
    }

    /// The links written in every text of document `from` that a page
    /// shows (its own and its other versions'), resolved; a link that
    /// leads nowhere is reported. Called once per build, for `links`.
    pub(super) fn written_links(&self, from: usize, diags: &mut Diagnostics) -> Vec<LinkTo> {
        let doc = &self.docs[from];
        // The texts pages show: the document's, and its other versions'.
        let shown = doc.shown_version();
        let versions = doc
            .paged_versions()
            .into_iter()
            .filter(|&k| Some(k) != shown);
        let versions = versions.filter_map(|k| doc.versions[k].text.as_ref());
        let texts = doc.body.iter().map(|b| (b, doc.path.as_path()));
        let texts = texts.chain(versions.map(|t| (&t.body, t.path.as_path())));
        let mut out = Vec::new();
        for (body, path) in texts {
            for link in &body.outline.links {
                match self.resolve_link(from, &link.url) {
                    Ok(to) => out.extend(to),
                    Err(reason) => diags.push(broken(body, path, &link.url, link.line, &reason)),
                }
            }
        }
        out
    }
}

fn broken(body: &Body, path: &Path, url: &str, line: usize, reason: &str) -> Diagnostic {
    Diagnostic::error(
        Code::BrokenLink,
        path,
        format!("link `{url}` leads nowhere: {reason}"),
    )
    .at_line(body.first_line + line - 1)
    .with_help(
        "link to a document's source file (../x/y.md, @/x/y.md) or doc:ID, with #art-N for an article",
    )
}
