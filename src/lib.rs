//! gazette compiles a folder of Markdown policy documents and a rule
//! catalogue into a static website whose document statuses (in force,
//! amended, superseded, repealed, declared invalid, expired, pending) are
//! computed from dated events, not maintained by hand.
//!
//! Data flows one way: `config` → `content` (load) → `catalogue` (validate,
//! compute lifecycle) → `review` (clean-up queue and campaigns) → `render`
//! (pages, with the `view` models, `i18n` words and `export`'s
//! machine-readable files) → `search` → `output`; `site` sequences the
//! stages, `routes` names every output path and URL. `import` turns a
//! spreadsheet into catalogue entries and review records, beside the
//! pipeline. `serve` (the dev server) sits on top and is used only by the
//! binary.
//!
//! # Layers
//!
//! A module may use the modules of lower layers only: never one of its own
//! layer or above. `tests/layering.rs` reads this table and every
//! `crate::` path under `src/`, and fails on a use that points up. Layers
//! say who may call whom, which is not always the order data flows in:
//! `output` is a leaf the stages write into, and `export` sits below
//! `review`, whose reports use its spreadsheet writer.
//!
//! | layer | modules | what they are |
//! |---|---|---|
//! | 0 | `digest` | the digests that decide reuse (below the file sinks, whose manifest uses them) |
//! | 1 | `diagnostics`, `model`, `articles`, `output`, `scaffold`, `memory`, `parallel` | under every stage: vocabulary, reports, article numbers, file sinks, allocator purges, uneven work over the cores |
//! | 2 | `config`, `outline` | settings; a body's structure |
//! | 3 | `markdown`, `inputs` | Markdown to HTML, anchors where `outline` says; which files a site reads |
//! | 4 | `content` | load front matter, bodies and the catalogue file |
//! | 5 | `routes`, `compare`, `import` | every output path and URL; two texts compared; spreadsheet import |
//! | 6 | `catalogue` | the resolved site |
//! | 7 | `i18n` | UI words |
//! | 8 | `view` | the shapes templates and exports see |
//! | 9 | `export` | `catalogue.json`/`.csv`, feed, sitemap, JSON-LD, annex lists |
//! | 10 | `review` | clean-up queue, campaigns and reports |
//! | 11 | `render`, `search` | pages; the search index |
//! | 12 | `site` | sequences the stages of a build |
//! | 13 | `serve` | the dev server |

pub mod articles;
pub mod catalogue;
pub mod compare;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod digest;
pub mod export;
pub mod i18n;
pub mod import;
pub mod inputs;
pub mod markdown;
pub mod memory;
pub mod model;
pub mod outline;
pub mod output;
pub mod parallel;
pub mod render;
pub mod review;
pub mod routes;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site;
pub mod view;

pub use site::{BuildOptions, BuildReport, build, check};

/// `eprintln!` that ignores a closed or full stderr (`2>/dev/full`, a
/// pipe whose reader quit): a lost message must not become a panic and
/// exit code 101 instead of the documented codes.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
