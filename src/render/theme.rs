//! Theme resolution: which template and static file wins. Lookup order is the
//! site's `templates/` and `static/`, then `themes/<theme>/`, then the default
//! theme built into the binary (so `gazette new` sites need no theme copy).
//!
//! Reads files only; compiling templates is the renderer's job.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::config::Config;
use crate::content::slash_path;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../themes/default/", $name)))),*]
    };
}

/// The default theme, compiled in: (path under the theme folder, text).
const DEFAULT_THEME: &[(&str, &str)] = embedded![
    "templates/base.html",
    "templates/macros.html",
    "templates/index.html",
    "templates/document.html",
    "templates/listing.html",
    "templates/facets.html",
    "templates/decisions.html",
    "templates/review.html",
    "templates/404.html",
    "templates/redirect.html",
    "templates/search.html",
    "templates/compare.html",
    "static/style.css",
    "static/search.js",
    "static/compare.js",
    "static/lifecycle.js",
    "static/favicon.svg",
    "static/catalogue.js",
];

/// A theme file and where it came from.
#[derive(Debug, Clone)]
pub struct ThemeFile {
    /// Contents.
    pub bytes: Vec<u8>,
    /// Origin relative to the site root, or `<built-in>/…`.
    pub origin: PathBuf,
}

/// Resolved templates and static files.
#[derive(Debug, Default)]
pub struct Theme {
    /// Template name (`document.html`) to source.
    pub templates: BTreeMap<String, ThemeFile>,
    /// Output path under `static/` to file.
    pub statics: BTreeMap<String, ThemeFile>,
}

impl Theme {
    /// Resolve the theme of the site at `root`.
    pub fn load(root: &Path, config: &Config) -> Result<Theme, Diagnostics> {
        let mut theme = Theme::default();
        if config.theme == "default" {
            for (path, text) in DEFAULT_THEME {
                let origin = Path::new("<built-in>/themes/default").join(path);
                theme.insert(
                    path,
                    ThemeFile {
                        bytes: text.as_bytes().to_vec(),
                        origin,
                    },
                );
            }
        }
        let theme_dir = Path::new("themes").join(&config.theme);
        if config.theme != "default" && !root.join(&theme_dir).is_dir() {
            let d = Diagnostic::error(
                Code::Config,
                "site.toml",
                format!("theme `{}` not found in themes/", config.theme),
            )
            .with_help("create the theme folder or set theme = \"default\"");
            return Err(Diagnostics(vec![d]));
        }
        let mut diags = Diagnostics::default();
        for dir in [
            theme_dir.join("templates"),
            theme_dir.join("static"),
            "templates".into(),
            "static".into(),
        ] {
            theme.overlay(root, &dir, &mut diags);
        }
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(theme)
        }
    }

    /// Files under `root/dir` replace those of the same name.
    fn overlay(&mut self, root: &Path, dir: &Path, diags: &mut Diagnostics) {
        let kind = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let full = root.join(dir);
        if !full.is_dir() {
            return;
        }
        for entry in WalkDir::new(&full).follow_links(false).sort_by_file_name() {
            let entry = match entry {
                Ok(e) if e.file_type().is_file() => e,
                Ok(_) => continue,
                Err(e) => {
                    diags.push(Diagnostic::error(Code::Io, dir, e.to_string()));
                    continue;
                }
            };
            let rel = slash_path(entry.path().strip_prefix(&full).unwrap_or(entry.path()));
            let origin = dir.join(&rel);
            match std::fs::read(entry.path()) {
                Ok(bytes) => self.insert(&format!("{kind}/{rel}"), ThemeFile { bytes, origin }),
                Err(e) => diags.push(Diagnostic::error(Code::Io, origin, e.to_string())),
            }
        }
    }

    fn insert(&mut self, path: &str, file: ThemeFile) {
        if let Some(name) = path.strip_prefix("templates/") {
            self.templates.insert(name.to_owned(), file);
        } else if let Some(name) = path.strip_prefix("static/") {
            self.statics.insert(name.to_owned(), file);
        }
    }
}
