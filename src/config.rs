//! Site configuration: reads and validates `site.toml`.
//!
//! Owns every site-wide setting (title, base URL, language, folders, theme,
//! raw-HTML opt-in). It does no other I/O than reading that one file and never
//! looks at content or templates.

use std::path::{Component, Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::diagnostics::{Code, Diagnostic, line_col};

/// The UI language of the generated site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
pub enum Language {
    /// Simplified Chinese, the default.
    #[default]
    #[serde(rename = "zh-CN", alias = "zh", alias = "zh-cn", alias = "zh-Hans")]
    ZhCn,
    /// English.
    #[serde(rename = "en", alias = "en-US", alias = "en-GB")]
    En,
}

impl Language {
    /// BCP 47 tag for `<html lang>` and feeds.
    pub fn tag(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::En => "en",
        }
    }
}

/// Everything `site.toml` can say.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Site title shown in the header and feeds.
    pub title: String,
    /// One-line description for the home page and feeds.
    pub description: String,
    /// Absolute URL the site is published under; may carry a path.
    pub base_url: String,
    /// UI language.
    pub language: Language,
    /// Output folder, relative to the site root.
    pub output_dir: PathBuf,
    /// Content folder, relative to the site root.
    pub content_dir: PathBuf,
    /// The rule catalogue file, relative to the site root.
    pub catalogue: PathBuf,
    /// Theme name under `themes/`.
    pub theme: String,
    /// Pass raw HTML in Markdown through instead of escaping it.
    pub unsafe_html: bool,
    /// Compute statuses as of this date instead of today: a TOML date
    /// (`as_of = 2026-01-01`) or the same in quotes.
    #[serde(deserialize_with = "toml_or_quoted_date")]
    pub as_of: Option<NaiveDate>,
    /// syntect theme used for the generated highlighting stylesheet.
    pub highlight_theme: String,
    /// Rows on each page of a listing (the catalogue, a status, a facet value).
    pub listing_page_size: usize,
    /// Clean-up review settings (`[review]`).
    pub review: ReviewConfig,
    /// 1-based line of each top-level key in `site.toml`, for diagnostics.
    #[serde(skip)]
    pub lines: std::collections::BTreeMap<String, usize>,
}

/// `as_of` written as a TOML date or as a `"YYYY-MM-DD"` string.
fn toml_or_quoted_date<'de, D: serde::Deserializer<'de>>(
    de: D,
) -> Result<Option<NaiveDate>, D::Error> {
    plain_date(de).map(Some)
}

/// A TOML date (`2026-12-31`) or the same in quotes; a date with a time
/// or an offset is refused.
pub(crate) fn plain_date<'de, D: serde::Deserializer<'de>>(de: D) -> Result<NaiveDate, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Date(toml::value::Datetime),
        Text(String),
    }
    let text = match Written::deserialize(de)? {
        Written::Date(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
        Written::Date(d) => {
            return Err(serde::de::Error::custom(format!(
                "`{d}` is not a plain date"
            )));
        }
        Written::Text(t) => t,
    };
    text.trim()
        .parse()
        .map_err(|_| serde::de::Error::custom(format!("`{text}` is not a date (YYYY-MM-DD)")))
}

/// `[review]` in `site.toml`: where campaign files live and when a document
/// needs review.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewConfig {
    /// Folder of campaign files (`*.toml`), relative to the site root.
    pub dir: PathBuf,
    /// A fixed-term document enters the queue this many months before it expires.
    pub expiry_window_months: u32,
    /// A document in force this many years without a review or revision
    /// enters the queue (0: never).
    pub max_age_years: u32,
    /// `max_age_years` for particular levels (效力级别), e.g. `{ "地方政府规章" = 10 }`.
    pub max_age_by_level: std::collections::BTreeMap<String, u32>,
    /// Publish the review queue at `review/` on the built site (the dev
    /// server always shows it, to the local machine only).
    pub publish: bool,
}

impl Default for ReviewConfig {
    fn default() -> Self {
        ReviewConfig {
            dir: "reviews".into(),
            expiry_window_months: 6,
            max_age_years: 5,
            max_age_by_level: Default::default(),
            publish: false,
        }
    }
}

impl ReviewConfig {
    /// Years a document of `level` may go without review (0: no limit).
    pub fn max_age(&self, level: Option<&str>) -> u32 {
        level
            .and_then(|l| self.max_age_by_level.get(l))
            .copied()
            .unwrap_or(self.max_age_years)
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "gazette".into(),
            description: String::new(),
            base_url: "/".into(),
            language: Language::ZhCn,
            output_dir: "public".into(),
            content_dir: "content".into(),
            catalogue: "content/catalogue.toml".into(),
            theme: "default".into(),
            unsafe_html: false,
            as_of: None,
            highlight_theme: "InspiredGitHub".into(),
            listing_page_size: 100,
            review: ReviewConfig::default(),
            lines: Default::default(),
        }
    }
}

/// File name of the configuration inside a site root.
pub const CONFIG_FILE: &str = "site.toml";

impl Config {
    /// Read `site.toml` from `root`. A missing file is an error: it marks a site.
    pub fn load(root: &Path) -> Result<Config, Diagnostic> {
        let path = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Diagnostic::error(
                Code::NoSite,
                CONFIG_FILE,
                format!("no site at {}: cannot read site.toml: {e}", root.display()),
            )
            .with_help(
                "run gazette in a site folder, pass --root, or create one with `gazette new DIR`",
            )
        })?;
        Config::parse(&text)
    }

    /// Parse the text of `site.toml`.
    pub fn parse(text: &str) -> Result<Config, Diagnostic> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let mut d = Diagnostic::error(Code::Config, CONFIG_FILE, e.message().to_string())
                .with_help("see the README for the keys site.toml accepts");
            if let Some(span) = e.span() {
                let (line, col) = line_col(text, span.start);
                d = d.at(line, col);
            }
            d
        })?;
        let mut config = config;
        config.lines = key_lines(text);
        config.validate()?;
        config.check_paths()?;
        config.normalize_paths();
        Ok(config)
    }

    /// Diagnostic about key `key`, at its line in `site.toml`.
    pub fn error_at(&self, key: &str, message: String) -> Diagnostic {
        let d = Diagnostic::error(Code::Config, CONFIG_FILE, message);
        match self.lines.get(key) {
            Some(&line) => d.at_line(line),
            None => d,
        }
    }

    /// Folders and files named in `site.toml` stay inside the site root
    /// (`--output` may point anywhere: it is given on purpose).
    fn check_paths(&self) -> Result<(), Diagnostic> {
        let paths = [
            ("output_dir", &self.output_dir),
            ("content_dir", &self.content_dir),
            ("catalogue", &self.catalogue),
            ("review", &self.review.dir),
        ];
        let theme = PathBuf::from(&self.theme);
        for (key, path) in paths.into_iter().chain([("theme", &theme)]) {
            let inside = path
                .components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
                && path.components().any(|c| matches!(c, Component::Normal(_)));
            if !inside {
                let message = format!("`{key}` = {} leaves the site root", path.display());
                return Err(self.error_at(key, message).with_help(
                    "name a path inside the site folder, e.g. \"public\"; pass --output to build elsewhere",
                ));
            }
        }
        Ok(())
    }

    /// Drop `.` components (`./content` is `content`): every stage compares
    /// these paths with paths found by walking the site, which have none.
    fn normalize_paths(&mut self) {
        for path in [
            &mut self.output_dir,
            &mut self.content_dir,
            &mut self.catalogue,
            &mut self.review.dir,
        ] {
            *path = path
                .components()
                .filter(|c| !matches!(c, Component::CurDir))
                .collect();
        }
    }

    fn validate(&self) -> Result<(), Diagnostic> {
        if self.listing_page_size == 0 {
            let message = "`listing_page_size` = 0: a listing page must hold at least one row";
            return Err(self
                .error_at("listing_page_size", message.into())
                .with_help("give the rows per listing page, e.g. listing_page_size = 100"));
        }
        let absolute =
            self.base_url.starts_with("http://") || self.base_url.starts_with("https://");
        if !absolute && !self.base_url.starts_with('/') {
            return Err(Diagnostic::error(
                Code::Config,
                CONFIG_FILE,
                format!(
                    "base_url `{}` is neither an absolute URL nor a path",
                    self.base_url
                ),
            )
            .with_help("use e.g. base_url = \"https://example.gov.cn/rules/\" or \"/\""));
        }
        Ok(())
    }

    /// The path part of `base_url`, always starting and ending with `/`.
    pub fn base_path(&self) -> String {
        let rest = self
            .base_url
            .split_once("://")
            .map_or(self.base_url.as_str(), |(_, rest)| {
                rest.find('/').map_or("", |i| &rest[i..])
            });
        let trimmed = rest.trim_matches('/');
        if trimmed.is_empty() {
            "/".into()
        } else {
            format!("/{trimmed}/")
        }
    }

    /// `base_url` with exactly one trailing slash, for absolute links in feeds.
    pub fn absolute_base(&self) -> String {
        format!("{}/", self.base_url.trim_end_matches('/'))
    }
}

/// Line of each top-level `key = …` in `text` (keys before any `[table]`).
fn key_lines(text: &str) -> std::collections::BTreeMap<String, usize> {
    text.lines()
        .enumerate()
        .take_while(|(_, l)| !l.trim_start().starts_with('['))
        .filter_map(|(i, l)| {
            let key = l.split_once('=')?.0.trim().trim_matches('"');
            (!key.is_empty() && !key.starts_with('#')).then(|| (key.to_owned(), i + 1))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_path_keeps_the_path_of_base_url() {
        let mut c = Config::default();
        assert_eq!(c.base_path(), "/");
        c.base_url = "https://example.gov.cn/rules".into();
        assert_eq!(c.base_path(), "/rules/");
        assert_eq!(c.absolute_base(), "https://example.gov.cn/rules/");
        c.base_url = "https://example.gov.cn".into();
        assert_eq!(c.base_path(), "/");
    }

    #[test]
    fn unknown_key_is_reported_with_line() {
        let err = Config::parse("title = \"x\"\ntitel = \"y\"\n").unwrap_err();
        assert_eq!(err.code, Code::Config);
        assert_eq!(err.line, Some(2));
    }

    #[test]
    fn as_of_is_a_toml_date_or_a_quoted_one() {
        let date = NaiveDate::from_ymd_opt(2026, 1, 1);
        assert_eq!(Config::parse("as_of = 2026-01-01").unwrap().as_of, date);
        assert_eq!(Config::parse("as_of = \"2026-01-01\"").unwrap().as_of, date);
        let err = Config::parse("title = \"x\"\nas_of = 2026-02-30").unwrap_err();
        assert_eq!((err.code, err.line), (Code::Config, Some(2)));
        assert!(Config::parse("as_of = 2026-01-01T10:00:00").is_err());
    }

    #[test]
    fn paths_in_site_toml_stay_inside_the_root() {
        for bad in [
            "content_dir = \"/etc\"",
            "catalogue = \"/etc/passwd\"",
            "output_dir = \"../www\"",
            "theme = \"../x\"",
            "output_dir = \"\"",
        ] {
            let err = Config::parse(&format!("title = \"x\"\n{bad}")).unwrap_err();
            assert_eq!((err.code, err.line), (Code::Config, Some(2)), "{bad}");
        }
        assert!(Config::parse("output_dir = \"./dist/site\"").is_ok());
    }

    #[test]
    fn paths_lose_their_dot_components() {
        let c = Config::parse(
            "content_dir = \"./texts/\"\ncatalogue = \"./texts/./list.toml\"\noutput_dir = \"./dist\"\n[review]\ndir = \"./rev\"",
        )
        .unwrap();
        let paths = [&c.content_dir, &c.catalogue, &c.output_dir, &c.review.dir];
        assert_eq!(
            paths.map(|p| p.to_str().unwrap()),
            ["texts", "texts/list.toml", "dist", "rev"]
        );
    }

    #[test]
    fn english_language_is_selectable() {
        let c = Config::parse("language = \"en\"").unwrap();
        assert_eq!(c.language, Language::En);
    }
}
