//! Site configuration: reads and validates `site.toml`.
//!
//! Owns every site-wide setting (title, base URL, language, folders, theme,
//! raw-HTML opt-in). It does no other I/O than reading that one file and never
//! looks at content or templates.

use std::path::{Path, PathBuf};

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
    /// Compute statuses as of this date instead of today.
    pub as_of: Option<NaiveDate>,
    /// syntect theme used for the generated highlighting stylesheet.
    pub highlight_theme: String,
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
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), Diagnostic> {
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
    fn english_language_is_selectable() {
        let c = Config::parse("language = \"en\"").unwrap();
        assert_eq!(c.language, Language::En);
    }
}
