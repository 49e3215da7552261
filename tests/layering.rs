//! The layering of `src/lib.rs` holds: no module uses one of its own layer
//! or above. Reads the table in `lib.rs`'s doc comment (the one statement
//! of the layers) and every `crate::` path in the sources.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Layer of each module, from the `| N | `a`, `b` | … |` rows of lib.rs.
fn layers(lib: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for line in lib.lines().filter_map(|l| l.strip_prefix("//! |")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let Some(Ok(layer)) = cells.first().map(|c| c.parse::<usize>()) else {
            continue;
        };
        for module in cells[1].split(',') {
            out.insert(module.trim().trim_matches('`').to_owned(), layer);
        }
    }
    out
}

/// The modules `lib.rs` declares.
fn declared(lib: &str) -> Vec<String> {
    lib.lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';').to_owned())
        .collect()
}

/// Every Rust file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module names each `crate::` path of `code` starts with,
/// with their line: `crate::a::b` gives `a`; `crate::{a, b::{c, d}}` gives
/// `a` and `b`. Comments are skipped.
fn uses(code: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let line = line.split("//").next().unwrap_or_default();
        for (at, _) in line.match_indices("crate::") {
            if line[..at].ends_with('$') {
                continue;
            }
            let rest = &line[at + "crate::".len()..];
            let names = match rest.strip_prefix('{') {
                // A group may run over several lines: read on to its brace.
                Some(_) => top_level_items(&code_from(code, n, at)),
                None => vec![ident(rest)],
            };
            out.extend(names.into_iter().map(|m| (n + 1, m)));
        }
    }
    out
}

/// `code` from column `at` of line `n` on.
fn code_from(code: &str, n: usize, at: usize) -> String {
    let lines: Vec<&str> = code.lines().skip(n).collect();
    let mut text = lines.join("\n");
    text.replace_range(..at + "crate::".len(), "");
    text
}

/// The first identifier of each item of the `{…}` group `text` opens.
fn top_level_items(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut depth = 0;
    let mut start = true;
    for (i, c) in text.char_indices() {
        match c {
            '{' => {
                depth += 1;
                start = depth == 1;
                continue;
            }
            '}' if depth == 1 => break,
            '}' => depth -= 1,
            ',' if depth == 1 => start = true,
            c if start && depth == 1 && !c.is_whitespace() => {
                items.push(ident(&text[i..]));
                start = false;
            }
            _ => {}
        }
    }
    items
}

fn ident(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The top-level module of a file under `src/`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

#[test]
fn no_module_uses_one_of_its_layer_or_above() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let layers = layers(&lib);
    let mut problems = Vec::new();
    for module in declared(&lib) {
        if !layers.contains_key(&module) {
            problems.push(format!("module `{module}` has no layer in lib.rs's table"));
        }
    }
    for module in layers.keys() {
        if !src.join(format!("{module}.rs")).exists() && !src.join(module).join("mod.rs").exists() {
            problems.push(format!(
                "lib.rs's table names `{module}`, which is no module"
            ));
        }
    }
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    for file in files {
        let from = module_of(&src, &file);
        let Some(&own) = layers.get(&from) else {
            continue; // lib.rs and main.rs sit above every layer
        };
        let code = std::fs::read_to_string(&file).unwrap();
        for (line, to) in uses(&code) {
            match layers.get(&to) {
                Some(&layer) if to != from && layer >= own => problems.push(format!(
                    "{}:{line}: `{from}` (layer {own}) uses `{to}` (layer {layer})",
                    file.strip_prefix(&src).unwrap().display()
                )),
                _ => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn uses_are_read_from_paths_and_groups() {
    let code = "use crate::a::B;\nuse crate::{c, d::{E, F},\n    g};\nlet x = crate::h::f(); // crate::i\nmacro! { $crate::j }";
    let found: Vec<(usize, String)> = uses(code);
    let names: Vec<&str> = found.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(names, ["a", "c", "d", "g", "h"]);
    assert_eq!(found[4].0, 4);
}
