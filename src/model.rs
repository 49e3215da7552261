//! The domain vocabulary every stage shares: document ids and indices,
//! relation kinds and lifecycle statuses.
//!
//! Plain types only: no I/O, no parsing of files, no rendering. Upstream of
//! `content`, `catalogue` and `render`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A document's place in the catalogue, which every per-document vector
/// (`docs`, `events`, `computed`, the views, …) is indexed by. Relations,
/// citations and links point at documents with it, never with a bare
/// number; `vec[idx]` works for any such vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct DocIdx(usize);

impl DocIdx {
    /// The index of the `i`-th document.
    pub fn new(i: usize) -> DocIdx {
        DocIdx(i)
    }

    /// As a plain position.
    pub fn get(self) -> usize {
        self.0
    }
}

impl<T> std::ops::Index<DocIdx> for Vec<T> {
    type Output = T;
    fn index(&self, i: DocIdx) -> &T {
        &self[i.0]
    }
}

impl<T> std::ops::IndexMut<DocIdx> for Vec<T> {
    fn index_mut(&mut self, i: DocIdx) -> &mut T {
        &mut self[i.0]
    }
}

impl<T> std::ops::Index<DocIdx> for [T] {
    type Output = T;
    fn index(&self, i: DocIdx) -> &T {
        &self[i.0]
    }
}

/// A document's stable identifier, e.g. `zuofeng/shuangshitiao`.
///
/// Ids are `/`-separated segments; none may be empty, `.` or `..`, so an id
/// can be used as an output path without escaping the output folder.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct DocId(String);

impl DocId {
    /// Validate and wrap `raw`; the error says what is wrong with it.
    pub fn new(raw: &str) -> Result<DocId, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("an id may not be empty".into());
        }
        if let Some(c) = forbidden_char(raw) {
            return Err(format!("id `{raw}` contains the character {c:?}"));
        }
        if raw
            .split('/')
            .any(|seg| seg.is_empty() || seg == "." || seg == ".." || seg.trim() != seg)
        {
            return Err(format!(
                "id `{raw}` has an empty, `.` or `..` segment or stray spaces"
            ));
        }
        if let Some(long) = too_long(raw) {
            return Err(format!("id `{raw}` {long}"));
        }
        Ok(DocId(raw.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How one document acts on or refers to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// Replaces the target once this document takes effect.
    Supersedes,
    /// Changes the target, which stays in force.
    Amends,
    /// Repeals the target (废止).
    Repeals,
    /// Declares the target invalid (宣布失效).
    Invalidates,
    /// Is based on the target (依据); no lifecycle effect.
    BasedOn,
}

impl RelationKind {
    /// Every kind, in display order.
    pub const ALL: [RelationKind; 5] = [
        RelationKind::Supersedes,
        RelationKind::Amends,
        RelationKind::Repeals,
        RelationKind::Invalidates,
        RelationKind::BasedOn,
    ];

    /// The front-matter / catalogue key that lists targets of this kind.
    pub fn key(self) -> &'static str {
        match self {
            RelationKind::Supersedes => "supersedes",
            RelationKind::Amends => "amends",
            RelationKind::Repeals => "repeals",
            RelationKind::Invalidates => "invalidates",
            RelationKind::BasedOn => "based_on",
        }
    }
}

/// The relations an act's annex lists show, in the order offices publish
/// them (决定废止的, 宣布失效的, 修改的文件目录; then what it supersedes).
pub const ANNEX_KINDS: [RelationKind; 4] = [
    RelationKind::Repeals,
    RelationKind::Invalidates,
    RelationKind::Amends,
    RelationKind::Supersedes,
];

/// A document's legal status on a given date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Published, effective date still ahead (尚未生效).
    Pending,
    /// In force, never changed (现行有效).
    Current,
    /// In force, changed by later acts (已修改).
    Amended,
    /// Replaced by a document that took effect (已被替代).
    Superseded,
    /// Repealed (已废止).
    Repealed,
    /// Declared invalid (已失效 / 宣布失效).
    Invalid,
    /// Its fixed term is over (已到期).
    Expired,
}

impl Status {
    /// Every status, in display order.
    pub const ALL: [Status; 7] = [
        Status::Current,
        Status::Amended,
        Status::Pending,
        Status::Superseded,
        Status::Repealed,
        Status::Invalid,
        Status::Expired,
    ];

    /// The English key used in URLs, JSON and CSS classes.
    pub fn key(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Current => "current",
            Status::Amended => "amended",
            Status::Superseded => "superseded",
            Status::Repealed => "repealed",
            Status::Invalid => "invalid",
            Status::Expired => "expired",
        }
    }

    /// Parse a key as written in front matter (`status = "repealed"`).
    pub fn from_key(key: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.key() == key.trim())
    }

    /// True while the document binds readers (current or amended).
    pub fn in_force(self) -> bool {
        matches!(self, Status::Current | Status::Amended)
    }
}

/// Where one dated version of a document stands on the build date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionState {
    /// The text in force (施行中).
    InForce,
    /// Replaced by a later version, or ended with the document.
    Historical,
    /// Takes effect after the build date.
    Pending,
}

/// What a clean-up review (清理) decided for one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Kept as it is (保留).
    Keep,
    /// To be revised (修改): an amending act is due.
    Revise,
    /// To be repealed (废止).
    Repeal,
    /// To be declared invalid (宣布失效).
    Invalidate,
}

impl Outcome {
    /// Every outcome, in the order decisions list them.
    pub const ALL: [Outcome; 4] = [
        Outcome::Keep,
        Outcome::Revise,
        Outcome::Repeal,
        Outcome::Invalidate,
    ];

    /// The English key written in review records and exports.
    pub fn key(self) -> &'static str {
        match self {
            Outcome::Keep => "keep",
            Outcome::Revise => "revise",
            Outcome::Repeal => "repeal",
            Outcome::Invalidate => "invalidate",
        }
    }

    /// The Chinese term offices write in their lists.
    pub fn label_zh(self) -> &'static str {
        match self {
            Outcome::Keep => "保留",
            Outcome::Revise => "修改",
            Outcome::Repeal => "废止",
            Outcome::Invalidate => "宣布失效",
        }
    }

    /// Parse an outcome as written by people: the English key or the
    /// Chinese term (also the common variants 继续有效, 拟修改, 失效).
    pub fn parse(text: &str) -> Option<Outcome> {
        let t = text.trim();
        let t = t.strip_prefix('拟').unwrap_or(t);
        Outcome::ALL
            .into_iter()
            .find(|o| o.key().eq_ignore_ascii_case(t) || o.label_zh() == t)
            .or(match t {
                "继续有效" | "保留有效" => Some(Outcome::Keep),
                "修订" | "修正" => Some(Outcome::Revise),
                "失效" | "宣布无效" => Some(Outcome::Invalidate),
                _ => None,
            })
    }

    /// The relation a decision uses to carry this outcome out, if any.
    pub fn relation(self) -> Option<RelationKind> {
        match self {
            Outcome::Keep => None,
            Outcome::Revise => Some(RelationKind::Amends),
            Outcome::Repeal => Some(RelationKind::Repeals),
            Outcome::Invalidate => Some(RelationKind::Invalidates),
        }
    }
}

/// Longest path segment of an id or alias in bytes: a file or folder name
/// on common file systems (ext4, APFS, NTFS) is at most 255 bytes.
pub const MAX_SEGMENT_BYTES: usize = 255;

/// Longest id or alias in bytes, leaving room for the output folder's own
/// path within the 4096-byte limit of a whole path.
pub const MAX_PATH_BYTES: usize = 2048;

/// Why `path` cannot be a file path in the output, if it is too long.
pub fn too_long(path: &str) -> Option<String> {
    if path.len() > MAX_PATH_BYTES {
        return Some(format!(
            "is {} bytes long; the limit is {MAX_PATH_BYTES}",
            path.len()
        ));
    }
    let seg = path.split('/').find(|seg| seg.len() > MAX_SEGMENT_BYTES)?;
    Some(format!(
        "has a segment of {} bytes; a file name holds at most {MAX_SEGMENT_BYTES}",
        seg.len()
    ))
}

/// The first character an id or alias may not hold: controls, characters
/// that end a path in a URL or an HTML attribute, and `:` (a URL scheme such
/// as `javascript:`, a drive such as `C:`).
pub fn forbidden_char(path: &str) -> Option<char> {
    path.chars()
        .find(|c| c.is_control() || matches!(c, '\\' | '?' | '#' | '"' | '<' | '>' | '%' | ':'))
}

/// The form two names share when a file system would treat them as one
/// (macOS, Windows): NFC-normalised, lower-cased.
pub fn fold(name: &str) -> String {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
    // Nearly every name is NFC already: the quick check spares a copy
    // (every build folds every id and facet value).
    if is_nfc_quick(name.chars()) == IsNormalized::Yes {
        return name.to_lowercase();
    }
    name.nfc().collect::<String>().to_lowercase()
}

/// How an article came to read as it does in a consolidated text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArticleChange {
    /// Reworded by an amending act.
    Amended,
    /// Added by an amending act.
    Added,
}

/// What one amending act did to one article of a consolidated text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArticleNote {
    /// The article's number in the consolidated text.
    pub article: u32,
    /// Reworded or added.
    pub change: ArticleChange,
    /// The amending act.
    pub act: DocId,
    /// The day the change took effect.
    pub date: chrono::NaiveDate,
    /// The article's wording before the act (none for an added article).
    pub before: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_cannot_escape_the_output_folder() {
        assert!(DocId::new("a/b").is_ok());
        assert!(DocId::new("行政法规/条例(2019-03-02)").is_ok());
        for bad in [
            "", "../x", "a/../b", "/abs", "a//b", "a\\b", "a?b", "a/./b", "x/",
        ] {
            assert!(DocId::new(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn outcomes_parse_in_both_languages() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.key()), Some(o));
            assert_eq!(Outcome::parse(o.label_zh()), Some(o));
        }
        assert_eq!(Outcome::parse(" 拟废止 "), Some(Outcome::Repeal));
        assert_eq!(Outcome::parse("Keep"), Some(Outcome::Keep));
        assert_eq!(Outcome::parse("删除"), None);
    }

    #[test]
    fn status_keys_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::from_key(s.key()), Some(s));
        }
        assert_eq!(Status::from_key("nonsense"), None);
    }
}
