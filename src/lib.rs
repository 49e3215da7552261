//! gazette compiles a folder of Markdown policy documents and a rule
//! catalogue into a static website whose document statuses (in force,
//! amended, superseded, repealed, declared invalid, expired, pending) are
//! computed from dated events, not maintained by hand.
//!
//! Data flows one way: `config` → `content` (load) → `catalogue` (validate,
//! compute lifecycle) → `review` (clean-up queue and
//! campaigns) → `render` (+ `markdown`, `export`) → `search` →
//! `output`; `site` sequences the stages. `import` turns a spreadsheet
//! into catalogue entries and review records, beside the pipeline.
//! `diagnostics` and `model` are
//! leaves anyone may use. `serve` (the dev server) sits on top and is used only by the binary.

pub mod articles;
pub mod catalogue;
pub mod compare;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod export;
pub mod import;
pub mod markdown;
pub mod model;
pub mod outline;
pub mod output;
pub mod render;
pub mod review;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site;

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
