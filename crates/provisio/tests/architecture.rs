//! `ARCHITECTURE.md` stays true: it names every folder of the repository and no path that does
//! not exist, and the layers it declares for the store and the server hold in their code.
//!
//! The layers are read from the document's own `layers` block, one line per crate:
//! `crates/store/src: connect writer … | webhooks | provisioning | …`. Groups are separated by
//! `|`, bottom first. A top-level module may name (`crate::x`) only modules of groups below its
//! own; the first group holds the crate's common modules, which may also name each other (the
//! import-circle check keeps those files from reaching each other in a circle). Every top-level
//! module of the crate must be in the block, so a new folder has to be given its place.

use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn document() -> String {
    fs::read_to_string(root().join("ARCHITECTURE.md"))
        .unwrap_or_else(|e| panic!("ARCHITECTURE.md: {e}"))
}

/// Folders that are not the project's: build output, installed packages, local data.
fn ignored(name: &str) -> bool {
    (name.starts_with('.') && name != ".ci")
        || matches!(
            name,
            "target" | "node_modules" | "provisio-data" | "schemathesis-report"
        )
}

fn folders(dir: &Path, rel: &str, out: &mut BTreeSet<String>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.path().is_dir() || ignored(&name) {
            continue;
        }
        let path = format!("{rel}{name}/");
        folders(&entry.path(), &path, out);
        out.insert(path);
    }
}

/// Every `` `path` `` in the document that starts with a top-level folder of the repository.
fn named_paths(doc: &str) -> BTreeSet<String> {
    doc.split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| {
            [".ci/", "crates/", "docs/", "tests/"]
                .iter()
                .any(|top| span.starts_with(top))
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_architecture_document_names_every_folder_and_nothing_that_does_not_exist() {
    let doc = document();
    let named = named_paths(&doc);
    let mut existing = BTreeSet::new();
    folders(&root(), "", &mut existing);

    let unnamed: Vec<_> = existing.iter().filter(|f| !named.contains(*f)).collect();
    assert!(
        unnamed.is_empty(),
        "folders ARCHITECTURE.md does not name (as `path/`): {unnamed:?}"
    );
    let missing: Vec<_> = named
        .iter()
        .filter(|p| !root().join(p.trim_end_matches('/')).exists())
        .collect();
    assert!(
        missing.is_empty(),
        "paths ARCHITECTURE.md names that do not exist: {missing:?}"
    );
}

/// The crate-relative top-level module a file belongs to (`cards` for `cards/ui.rs`, `state` for
/// `state.rs`); `None` for the crate root.
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    let name = first.trim_end_matches(".rs");
    (!matches!(name, "lib" | "main")).then(|| name.to_owned())
}

/// The first segment of every `crate::…` path in `text`, with `use crate::{a::…, b}` expanded to
/// `a` and `b`. Comments are left out.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        let Some(group) = rest.strip_prefix('{') else {
            found.insert(ident(rest));
            continue;
        };
        let (mut depth, mut start) = (1, 0);
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 1 => {
                    found.insert(ident(&group[start..i]));
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 1 => {
                    found.insert(ident(&group[start..i]));
                    start = i + 1;
                }
                _ => {}
            }
        }
    }
    found.remove("");
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_store_and_the_server_import_only_downwards() {
    let doc = document();
    let block = doc
        .split("```layers\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap_or_else(|| panic!("ARCHITECTURE.md has no ```layers block"));
    let mut checked = 0;
    for line in block.lines().filter(|l| !l.trim().is_empty()) {
        let (crate_src, groups) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("{line:?}: not `crates/x/src: a b | c`"));
        let groups: Vec<Vec<&str>> = groups
            .split('|')
            .map(|g| g.split_whitespace().collect())
            .collect();
        let level = |module: &str| groups.iter().position(|g| g.contains(&module));
        let src = root().join(crate_src.trim());
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        assert!(!files.is_empty(), "{crate_src}: no Rust files");

        let mut problems = Vec::new();
        for file in &files {
            let Some(module) = top_module(&src, file) else {
                continue;
            };
            let Some(own) = level(&module) else {
                problems.push(format!("`{module}` has no place in the layers"));
                continue;
            };
            let text = fs::read_to_string(file).unwrap_or_default();
            for named in crate_paths(&text) {
                let Some(theirs) = level(&named) else {
                    continue; // an item of the crate root (`crate::AppState`), not a module
                };
                let allowed = theirs < own || (own == 0 && theirs == 0) || named == module;
                if !allowed {
                    let shown = file.strip_prefix(&src).unwrap_or(file).display();
                    problems.push(format!("{shown} names `crate::{named}`, not below it"));
                }
            }
        }
        assert!(problems.is_empty(), "{crate_src}: {problems:#?}");
        checked += 1;
    }
    assert_eq!(
        checked, 2,
        "the layers block declares the store and the server"
    );
}

#[test]
fn crate_paths_finds_every_first_segment() {
    let text = "use crate::{\n    http::{error::ApiError, extract::Json},\n    ui, AppState,\n};\n\
                // crate::commented\nlet x = crate::cards::network::authorize(y);";
    let found: Vec<_> = crate_paths(text).into_iter().collect();
    assert_eq!(found, ["AppState", "cards", "http", "ui"]);
}
