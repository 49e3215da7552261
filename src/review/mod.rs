//! Clean-up campaigns (规范性文件清理): the review queue (what needs
//! attention on a date, and why), campaign files with their review records,
//! each campaign's progress, and the draft decision that carries its
//! outcomes out.
//!
//! Runs after the catalogue is computed and reads only it and the campaign
//! folder; it never renders pages (templates show what it returns) and
//! never writes files (the binary does).

pub mod draft;
pub mod progress;
pub mod queue;
pub mod records;
pub mod report;

use std::path::Path;

pub use draft::draft;
pub use progress::{Progress, progress};
pub use queue::{Change, Item, Reason, queue};
pub use records::{Campaign, Record, Scope};

use crate::catalogue::Catalogue;
use crate::config::Config;
use crate::diagnostics::Diagnostics;

/// Read the site's campaign files and check their records against `cat`.
pub fn load(
    root: &Path,
    config: &Config,
    cat: &Catalogue,
    diags: &mut Diagnostics,
) -> Vec<Campaign> {
    let campaigns = records::load(root, &config.review.dir, diags);
    records::validate(&campaigns, cat, diags);
    campaigns
}

/// The campaign called `name`, by its name or its file's stem.
pub fn find<'c>(campaigns: &'c [Campaign], name: &str) -> Option<&'c Campaign> {
    let name = name.trim();
    campaigns.iter().find(|c| c.name == name || c.stem == name)
}
