//! The review page (`review/`): the clean-up queue and each campaign's
//! progress, shown by the dev server (to the local machine) and on the
//! published site only when `[review] publish = true`.
//!
//! Renders what `review` computed; computes nothing about documents.

use std::sync::Mutex;

use minijinja::context;
use serde::Serialize;

use super::{Pass, Renderer, v};
use crate::catalogue::Catalogue;
use crate::diagnostics::Diagnostics;
use crate::output::Output;
use crate::review::{self, Campaign};
use crate::routes::{self, doc_url};
use crate::view::StatusView;

/// A document named on the page.
#[derive(Serialize)]
struct DocLink<'a> {
    url: String,
    title: &'a str,
    number: &'a str,
}

impl<'a> DocLink<'a> {
    fn new(cat: &'a Catalogue, i: usize) -> DocLink<'a> {
        let d = &cat.docs[i];
        DocLink {
            url: doc_url(&d.id),
            title: &d.title,
            number: d.meta.fields.number.as_deref().unwrap_or(""),
        }
    }
}

/// A document in the queue with every reason it is there.
#[derive(Serialize)]
struct ItemView<'a> {
    doc: DocLink<'a>,
    status: StatusView,
    reasons: Vec<ReasonView>,
}

#[derive(Serialize)]
struct ReasonView {
    code: &'static str,
    date: String,
    evidence: String,
}

#[derive(Serialize)]
struct CampaignView<'a> {
    name: &'a str,
    file: String,
    deadline: Option<String>,
    in_scope: usize,
    reviewed: usize,
    outcomes: Vec<(&'static str, usize)>,
    withheld: usize,
    carried_out: usize,
    to_carry_out: usize,
    overdue: bool,
    unreviewed: Vec<DocLink<'a>>,
}

impl Renderer {
    /// Render the review page of `cat` and `campaigns` into `out`.
    pub fn render_review(
        &self,
        cat: &Catalogue,
        campaigns: &[Campaign],
        out: &dyn Output,
    ) -> Diagnostics {
        self.render_review_if_changed(cat, campaigns, out, None)
    }

    /// `render_review`, except that with `pages` (the dev server's listing
    /// page digests of the last build and of this one) the page is skipped
    /// when its inputs' digest is unchanged; the new digest is recorded.
    pub fn render_review_if_changed(
        &self,
        cat: &Catalogue,
        campaigns: &[Campaign],
        out: &dyn Output,
        pages: Option<(&super::PageDigests, &mut super::PageDigests)>,
    ) -> Diagnostics {
        let t = &self.strings;
        let mut items: Vec<ItemView> = Vec::new();
        for item in review::queue(cat, campaigns, &self.config.review) {
            let evidence = review::report::evidence(cat, &item.reason, self.config.language);
            let reason = ReasonView {
                code: item.reason.code(),
                date: item.reason.date().to_string(),
                evidence: crate::markdown::nest_book_marks(&evidence),
            };
            let doc = DocLink::new(cat, item.doc);
            match items.last_mut() {
                Some(last) if last.doc.url == doc.url => last.reasons.push(reason),
                _ => items.push(ItemView {
                    doc,
                    status: StatusView::new(cat.computed[item.doc].status, t),
                    reasons: vec![reason],
                }),
            }
        }
        let campaigns: Vec<CampaignView> =
            campaigns.iter().map(|c| campaign_view(cat, c)).collect();
        let site = context! { total => cat.docs.len(), ..self.site_settings(cat) };
        let inputs = (crate::digest::of_json(&(&items, &campaigns)), &site);
        let file = routes::page_file(routes::REVIEW);
        if let Some((previous, current)) = pages {
            let digest = crate::digest::of(&inputs);
            let unchanged = previous.get(&file) == Some(digest);
            current.record(file, digest);
            if unchanged {
                return Diagnostics::default();
            }
        }
        let pass = Pass {
            r: self,
            cat,
            views: &[],
            site,
            out,
            diags: Mutex::new(Diagnostics::default()),
            provided: Mutex::default(),
            digesting: None,
        };
        pass.page(
            super::Page::Review,
            crate::routes::REVIEW,
            context! { items => v(items), campaigns => v(campaigns), page_title => t.get("review_title") },
        );
        pass.diags.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

fn campaign_view<'a>(cat: &'a Catalogue, c: &'a Campaign) -> CampaignView<'a> {
    let p = review::progress(cat, c);
    CampaignView {
        name: &c.name,
        file: c.path.display().to_string(),
        deadline: c.deadline.map(|d| d.to_string()),
        in_scope: p.in_scope.len(),
        reviewed: p.in_scope.len() - p.unreviewed.len(),
        outcomes: p.by_outcome.iter().map(|(o, n)| (o.key(), *n)).collect(),
        withheld: p.withheld.len(),
        carried_out: p.carried_out,
        to_carry_out: p.to_carry_out,
        overdue: p.overdue,
        unreviewed: p.unreviewed.iter().map(|&i| DocLink::new(cat, i)).collect(),
    }
}
