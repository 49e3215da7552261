//! Static check of compiled templates: every variable a page template reads
//! must be one the renderer gave it (page context, globals, minijinja
//! builtins). Catches typos that render silently, e.g. `{% if summry %}`.
//!
//! Reads compiled templates only; the renderer decides what to provide.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use minijinja::Environment;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};

/// Names minijinja itself declares inside templates.
const BUILTIN_NAMES: [&str; 6] = ["loop", "self", "super", "caller", "varargs", "kwargs"];

/// A warning for each variable a page template reads that it is not given.
/// `provided` holds the context keys each page template was rendered with;
/// templates never rendered directly (partials, or no such page) are skipped.
pub(super) fn undeclared_variables(
    env: &Environment<'_>,
    sources: &BTreeMap<String, (String, PathBuf)>,
    provided: &BTreeMap<String, BTreeSet<String>>,
) -> Diagnostics {
    let globals: BTreeSet<String> = env
        .globals()
        .map(|(name, _)| name.to_owned())
        .chain(BUILTIN_NAMES.map(str::to_owned))
        .collect();
    let mut diags = Diagnostics::default();
    for (name, template) in env.templates() {
        let (Some((source, origin)), Some(given)) = (sources.get(name), provided.get(name)) else {
            continue;
        };
        let mut unknown: Vec<String> = template
            .undeclared_variables(false)
            .into_iter()
            .filter(|v| !globals.contains(v) && !given.contains(v))
            .collect();
        unknown.sort();
        for var in unknown {
            let mut d = Diagnostic::warning(
                Code::Template,
                origin,
                format!("`{var}` is never given to this template, so it is always undefined"),
            )
            .with_help(format!(
                "the template is given: {}",
                given
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            if let Some(line) = line_of_identifier(source, &var) {
                d = d.at_line(line);
            }
            diags.push(d);
        }
    }
    diags
}

/// 1-based line of the first whole-word use of `ident` inside `{{ }}` or `{% %}`.
fn line_of_identifier(source: &str, ident: &str) -> Option<usize> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut in_tag = false;
    for (i, line) in source.lines().enumerate() {
        let mut rest = line;
        while !rest.is_empty() {
            if !in_tag {
                match rest.find("{{").into_iter().chain(rest.find("{%")).min() {
                    Some(p) => {
                        in_tag = true;
                        rest = &rest[p + 2..];
                    }
                    None => break,
                }
            }
            let end = ["}}", "%}"]
                .iter()
                .filter_map(|e| rest.find(e))
                .min()
                .unwrap_or(rest.len());
            let inside = &rest[..end];
            let found = inside.match_indices(ident).any(|(p, _)| {
                !inside[..p].ends_with(is_word)
                    && !inside[..p].ends_with('.')
                    && !inside[p + ident.len()..].starts_with(is_word)
            });
            if found {
                return Some(i + 1);
            }
            if end < rest.len() {
                in_tag = false;
                rest = &rest[end + 2..];
            } else {
                rest = "";
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_variables_are_found_with_their_line() {
        let mut env = Environment::new();
        let source =
            "<p>dco</p>\n{% for d in docs %}{{ d.dco }}{% endfor %}\n{% if dco %}x{% endif %}\n";
        env.add_template("t.html", source).unwrap();
        env.add_template("partial.html", "{{ anything }}").unwrap();
        let sources = BTreeMap::from([
            (
                "t.html".to_owned(),
                (source.to_owned(), PathBuf::from("templates/t.html")),
            ),
            (
                "partial.html".to_owned(),
                (
                    "{{ anything }}".to_owned(),
                    PathBuf::from("templates/partial.html"),
                ),
            ),
        ]);
        let provided = BTreeMap::from([("t.html".to_owned(), BTreeSet::from(["docs".to_owned()]))]);
        let diags = undeclared_variables(&env, &sources, &provided);
        let found: Vec<_> = diags
            .iter()
            .map(|d| (d.code, d.line, d.is_error()))
            .collect();
        assert_eq!(found, vec![(Code::Template, Some(3), false)]);
        assert!(diags.0[0].message.contains("`dco`"));
    }
}
