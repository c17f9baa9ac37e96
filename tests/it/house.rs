//! The house rules that hold, checked so they stay true (DESIGN.md: operations own the write;
//! the test rig stands apart). The issue that finishes the move adds the rest.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Commands parse, call one operation and render: the operation opens and commits the write,
/// and SQL lives in the stores.
#[test]
fn no_command_opens_a_transaction_or_runs_sql() {
    let mut found = Vec::new();
    for file in rust_files(&src().join("features")) {
        if file.file_name().is_some_and(|n| n == "commands.rs") {
            let text = std::fs::read_to_string(&file).unwrap();
            for needle in [".begin()", "sqlx::query"] {
                if text.contains(needle) {
                    found.push(format!("{} uses {needle}", file.display()));
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

/// The simulator keys Discord's rate limits from its own route table, never from the bot's
/// outbox code, so a bucket-keying bug in the bot cannot pass its own tests.
#[test]
fn the_simulator_does_not_import_the_bots_outbox() {
    let found: Vec<String> = rust_files(&src().join("harness").join("sim"))
        .into_iter()
        .filter(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .contains("crate::outbox")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(found.is_empty(), "{found:#?}");
}
