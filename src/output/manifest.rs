//! The manifest an incremental build keeps inside its output folder: for
//! every file it wrote, a digest of the bytes and the size, modification
//! time and inode the file had on disk afterwards. The next build trusts a
//! file whose stat still matches and compares anything else byte for byte.
//! It also records what the output was built from (`Built`): a build with
//! the same inputs into an untouched output has nothing to do.
//!
//! Pure: parses and prints text, digests bytes, reads `Metadata` values it
//! is handed. `output::incremental` does the file I/O.

use std::collections::BTreeMap;

/// Name of the manifest file inside the output folder.
pub const NAME: &str = ".gazette-manifest";

const HEADER: &str = "gazette manifest 3";

/// Starts the line that records [`Built`].
const INPUTS: &str = "inputs ";

/// What a file on disk looked like: enough to notice that it was replaced
/// or edited since the manifest was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    /// Length in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: i128,
    /// Inode number (0 where the platform has none).
    pub ino: u64,
}

impl Stat {
    /// The stat of `meta` (from `symlink_metadata` or an open file).
    pub fn of(meta: &std::fs::Metadata) -> Stat {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Stat {
                size: meta.size(),
                mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
                ino: meta.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            let mtime_ns = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i128);
            Stat {
                size: meta.len(),
                mtime_ns,
                ino: 0,
            }
        }
    }
}

/// One file of the output as the manifest records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// [`digest`] of the bytes.
    pub digest: u64,
    /// Its stat right after it was written (or found equal).
    pub stat: Stat,
}

/// What an output was built from, and what that build reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// Digest of the build's inputs (sources, settings, date, program).
    pub inputs: u64,
    /// The build's report, on one line (the caller's format).
    pub report: String,
}

/// Path (relative, `/`-separated) → entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// What the build that wrote the manifest was made from, if it knew.
    pub built: Option<Built>,
    /// Every file the build that wrote the manifest produced.
    pub files: BTreeMap<String, Entry>,
}

/// A digest of file contents ([`crate::digest`]; with the size beside it,
/// a false match is about 2⁻⁶⁴ per changed file).
pub fn digest(bytes: &[u8]) -> u64 {
    crate::digest::bytes(bytes)
}

impl Manifest {
    /// Parse a manifest; text that is not one (damaged, another version)
    /// gives an empty manifest, which only makes the build compare more.
    pub fn parse(text: &str) -> Manifest {
        let mut lines = text.lines().peekable();
        if lines.next() != Some(HEADER) {
            return Manifest::default();
        }
        let built = lines
            .next_if(|l| l.starts_with(INPUTS))
            .and_then(parse_built);
        match lines.map(parse_line).collect::<Option<_>>() {
            Some(files) => Manifest { built, files },
            None => Manifest::default(),
        }
    }

    /// The manifest as text, one file a line, sorted by path.
    pub fn print(&self) -> String {
        let mut out = String::with_capacity(64 * self.files.len() + 32);
        out.push_str(HEADER);
        out.push('\n');
        if let Some(b) = &self.built {
            // A report holding a line break would end the line early.
            let report = b.report.replace('\n', " ");
            out.push_str(&format!("{INPUTS}{:016x} {report}\n", b.inputs));
        }
        for (path, e) in &self.files {
            let s = e.stat;
            out.push_str(&format!(
                "{:016x} {} {} {} {path}\n",
                e.digest, s.size, s.mtime_ns, s.ino
            ));
        }
        out
    }

    /// True if the file at `path`, now with stat `now`, is known to hold
    /// bytes with `digest`: it is the file this manifest recorded, untouched.
    pub fn vouches(&self, path: &str, digest: u64, now: Stat) -> bool {
        self.files
            .get(path)
            .is_some_and(|e| e.digest == digest && e.stat == now)
    }
}

fn parse_built(line: &str) -> Option<Built> {
    let (inputs, report) = line.strip_prefix(INPUTS)?.split_once(' ')?;
    Some(Built {
        inputs: u64::from_str_radix(inputs, 16).ok()?,
        report: report.to_owned(),
    })
}

fn parse_line(line: &str) -> Option<(String, Entry)> {
    let mut parts = line.splitn(5, ' ');
    let digest = u64::from_str_radix(parts.next()?, 16).ok()?;
    let size = parts.next()?.parse().ok()?;
    let mtime_ns = parts.next()?.parse().ok()?;
    let ino = parts.next()?.parse().ok()?;
    let path = parts.next()?.to_owned();
    let stat = Stat {
        size,
        mtime_ns,
        ino,
    };
    Some((path, Entry { digest, stat }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(digest: u64, size: u64) -> Entry {
        Entry {
            digest,
            stat: Stat {
                size,
                mtime_ns: -5,
                ino: 7,
            },
        }
    }

    #[test]
    fn a_manifest_reads_back_what_it_printed() {
        let mut m = Manifest::default();
        m.files
            .insert("docs/a b/index.html".into(), entry(u64::MAX, 3));
        m.files.insert("index.html".into(), entry(1, 0));
        assert_eq!(Manifest::parse(&m.print()), m);
        m.built = Some(Built {
            inputs: 0xfe,
            report: r#"{"documents": 2, "warnings": []}"#.into(),
        });
        assert_eq!(Manifest::parse(&m.print()), m);
    }

    #[test]
    fn damaged_manifests_are_empty() {
        assert_eq!(Manifest::parse(""), Manifest::default());
        assert_eq!(Manifest::parse("gazette manifest 0\n"), Manifest::default());
        let cut = format!("{HEADER}\n00000000000000ff 3 1");
        assert_eq!(Manifest::parse(&cut), Manifest::default());
    }

    #[test]
    fn only_an_untouched_file_with_the_same_digest_is_vouched_for() {
        let mut m = Manifest::default();
        let e = entry(digest(b"abc"), 3);
        m.files.insert("a".into(), e);
        assert!(m.vouches("a", digest(b"abc"), e.stat));
        assert!(!m.vouches("a", digest(b"abd"), e.stat));
        let touched = Stat {
            mtime_ns: 9,
            ..e.stat
        };
        assert!(!m.vouches("a", digest(b"abc"), touched));
        assert!(!m.vouches("b", digest(b"abc"), e.stat));
    }
}
