//! The house rules (DESIGN.md: operations own the write; core never sees a feature; the test
//! rig stands apart), checked so they stay true.

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

/// Commands parse, call one operation and render: SQL lives in the stores.
#[test]
fn no_command_runs_sql() {
    let found: Vec<String> = files_of(&["features"])
        .into_iter()
        .filter(|f| f.ends_with("commands.rs") && product_text(f).contains("sqlx::query"))
        .map(|f| f.display().to_string())
        .collect();
    assert!(found.is_empty(), "{found:#?}");
}

/// In a feature, only its entry points open a transaction: `actions.rs`, its jobs and the
/// other files a door or the scheduler calls (a webhook, an import). The parts they compose
/// (`ops.rs` writes in the caller's transaction, `store.rs` holds statements, `rules.rs` and
/// `render.rs` are pure, `commands.rs` and `doors.rs` route) never do, so one user action is
/// one transaction however the parts are combined.
#[test]
fn only_actions_and_jobs_open_transactions_in_features() {
    const PARTS: [&str; 8] = [
        "ops.rs",
        "store.rs",
        "rules.rs",
        "render.rs",
        "commands.rs",
        "doors.rs",
        "roles.rs",
        "error.rs",
    ];
    let files = files_of(&["features"]);
    let parts: Vec<&PathBuf> = files
        .iter()
        .filter(|f| {
            let name = f.file_name().unwrap().to_string_lossy();
            PARTS.contains(&name.as_ref()) || f.components().any(|c| c.as_os_str() == "store")
        })
        .collect();
    assert!(parts.len() >= 50, "{}", parts.len());
    let found: Vec<String> = parts
        .into_iter()
        .filter(|f| product_text(f).contains(".begin()"))
        .map(|f| f.display().to_string())
        .collect();
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

/// The text of a source file without its unit-test module (tests may reach anywhere).
fn product_text(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// Files of `rooms` (paths under `src/`, a folder or a file).
fn files_of(rooms: &[&str]) -> Vec<PathBuf> {
    rooms
        .iter()
        .flat_map(|room| {
            let path = src().join(room);
            if path.is_dir() {
                rust_files(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

/// Core never sees a feature, the Discord shell, the web door or the assembly above them.
#[test]
fn core_imports_no_feature_and_no_door() {
    let core = [
        "outbox",
        "grants",
        "jobs.rs",
        "db.rs",
        "config",
        "i18n.rs",
        "clock.rs",
        "error.rs",
        "state.rs",
        "roles.rs",
        "access",
        "audit.rs",
        "modlog.rs",
        "health.rs",
        "member_locale.rs",
        "members.rs",
        "member_actions.rs",
        "staff_actions.rs",
        "vocabulary.rs",
    ];
    let mut found = Vec::new();
    for file in files_of(&core) {
        let text = product_text(&file);
        for needle in [
            "crate::features",
            "crate::discord",
            "crate::web",
            "crate::app",
            "crate::harness",
        ] {
            if text.contains(needle) {
                found.push(format!("{} names {needle}", file.display()));
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

/// The Discord kit (context, checks, replies, localization, delivery) imports no feature: the
/// command list and event routing are assembled in `app/`.
#[test]
fn the_discord_kit_imports_no_feature() {
    let found: Vec<String> = files_of(&["discord"])
        .into_iter()
        .filter(|f| product_text(f).contains("crate::features"))
        .map(|f| f.display().to_string())
        .collect();
    assert!(found.is_empty(), "{found:#?}");
}

/// Doors (gateway routing, web handlers, each feature's `doors.rs`) call operations; they open
/// no transaction.
#[test]
fn doors_open_no_transaction() {
    let features_doors: Vec<PathBuf> = files_of(&["features"])
        .into_iter()
        .filter(|f| f.ends_with("doors.rs"))
        .collect();
    assert!(features_doors.len() >= 10, "{features_doors:?}");
    let found: Vec<String> = files_of(&["app/events.rs", "app/interactions.rs", "web"])
        .into_iter()
        .chain(features_doors)
        .filter(|f| product_text(f).contains(".begin()"))
        .map(|f| f.display().to_string())
        .collect();
    assert!(found.is_empty(), "{found:#?}");
}

/// A feature's SQL lives in its `store.rs` (or a `store/` folder), nowhere else.
#[test]
fn feature_sql_lives_in_stores() {
    let found: Vec<String> = files_of(&["features"])
        .into_iter()
        .filter(|f| !f.ends_with("store.rs") && !f.components().any(|c| c.as_os_str() == "store"))
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            text.contains("sqlx::query") || text.contains("QueryBuilder")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(found.is_empty(), "{found:#?}");
}

/// Which room a source file belongs to: `src/X.rs` or `src/X/` (and `src/features/Y/`).
fn room_of(file: &Path) -> String {
    let rel = file.strip_prefix(src()).unwrap();
    let parts: Vec<String> = rel
        .components()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .collect();
    match parts.as_slice() {
        [features, sub, ..] if features == "features" && sub != "mod" => format!("features/{sub}"),
        [top, ..] => top.clone(),
        [] => unreachable!(),
    }
}

/// No two rooms import each other, directly or around a loop: a newcomer can read the house
/// bottom-up.
#[test]
fn no_import_cycle_between_rooms() {
    use std::collections::{BTreeMap, BTreeSet};
    let rooms: BTreeSet<String> = rust_files(&src()).iter().map(|f| room_of(f)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&src()) {
        let me = room_of(&file);
        let text = product_text(&file);
        for (at, _) in text.match_indices("crate::") {
            let path: String = text[at + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let mut segments = path.split("::");
            let top = segments.next().unwrap_or_default().to_string();
            let other = match (top.as_str(), segments.next()) {
                ("features", Some(sub)) if rooms.contains(&format!("features/{sub}")) => {
                    format!("features/{sub}")
                }
                _ => top,
            };
            if other != me && rooms.contains(&other) && other != "lib" && other != "main" {
                edges.entry(me.clone()).or_default().insert(other);
            }
        }
    }
    // A room on a cycle reaches itself.
    let mut cyclic = Vec::new();
    for room in &rooms {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&String> = edges.get(room).into_iter().flatten().collect();
        while let Some(next) = stack.pop() {
            if seen.insert(next.clone()) {
                stack.extend(edges.get(next).into_iter().flatten());
            }
        }
        if seen.contains(room) {
            cyclic.push(room.clone());
        }
    }
    assert!(cyclic.is_empty(), "rooms on an import cycle: {cyclic:?}");
}

/// The SQL statements written out in a file: string literals (plain or raw) that begin with a
/// statement keyword, with `{NAME}` filled from the file's `const NAME: &str = "..."`.
fn statements_in(text: &str) -> Vec<String> {
    let literal =
        regex::Regex::new(r#"(?s)r?#?"((?:SELECT|INSERT|UPDATE|DELETE|WITH)\b(?:[^"\\]|\\.)*)"#)
            .expect("a regex");
    let constant = regex::Regex::new(r#"const (\w+): &str\s*=\s*"([^"]*)""#).expect("a regex");
    let constants: Vec<(String, String)> = constant
        .captures_iter(text)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect();
    literal
        .captures_iter(text)
        // A fragment a QueryBuilder assembles into a statement at run time is not one.
        .filter(|c| {
            let before = text[..c.get(0).unwrap().start()].trim_end();
            !["QueryBuilder::new(", "push(", "with_totals("]
                .iter()
                .any(|call| before.ends_with(call))
        })
        .map(|c| {
            let mut sql = c[1]
                .replace("\\\n", " ")
                .replace("{{", "{")
                .replace("}}", "}");
            for (name, value) in &constants {
                sql = sql.replace(&format!("{{{name}}}"), value);
            }
            sql
        })
        .collect()
}

/// Every statement written out in a store is prepared by SQLite against the real schema (all
/// migrations applied): a misspelt column or table fails here, whichever path runs it.
/// (Statements assembled at run time — the ledger's multi-row INSERT, a grant end's condition —
/// are left to the tests that run them; there may be only a few.)
#[tokio::test]
async fn every_store_statement_compiles_against_the_schema() {
    use sqlx::Executor;
    let dir = tempfile::tempdir().unwrap();
    let db = lyceum::db::Db::open(&dir.path().join("schema.db"))
        .await
        .unwrap();
    let mut conn = db.read.acquire().await.unwrap();
    let mut checked = 0;
    let mut failed = Vec::new();
    let mut assembled = Vec::new();
    for file in rust_files(&src()) {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let is_store =
            name == "store.rs" || ["audit.rs", "modlog.rs", "db.rs"].contains(&name.as_str());
        if !is_store {
            continue;
        }
        for sql in statements_in(&std::fs::read_to_string(&file).unwrap()) {
            if sql.contains('{') {
                assembled.push(format!("{}: {sql}", file.display()));
                continue;
            }
            checked += 1;
            if let Err(e) = (&mut *conn).prepare(sql.as_str()).await {
                failed.push(format!("{}: {e}\n  {sql}", file.display()));
            }
        }
    }
    assert!(checked > 100, "only {checked} statements found");
    assert!(
        assembled.len() <= 3,
        "statements assembled at run time: {assembled:#?}"
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// `app/` routes and orders, it decides nothing: the gateway and interaction routers stay small
/// (every press, form and message hook lives in its feature's `doors.rs`).
#[test]
fn the_app_routers_only_route() {
    let lines: usize = ["app/events.rs", "app/interactions.rs"]
        .iter()
        .map(|f| {
            std::fs::read_to_string(src().join(f))
                .unwrap()
                .lines()
                .count()
        })
        .sum();
    assert!(
        lines <= 250,
        "app/events.rs + app/interactions.rs: {lines} lines"
    );
}

/// `app/`'s routers reach a feature only through what it registers: its `doors` (presses,
/// forms, member hooks, message hooks). A new hook is added in the feature's folder.
#[test]
fn the_app_routers_call_features_only_through_their_doors() {
    let features: Vec<String> = std::fs::read_dir(src().join("features"))
        .unwrap()
        .filter_map(|e| {
            let path = e.unwrap().path();
            path.is_dir()
                .then(|| path.file_name().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    assert!(features.len() >= 14, "{features:?}");
    let mut found = Vec::new();
    for file in ["app/events.rs", "app/interactions.rs"] {
        let text = product_text(&src().join(file));
        for feature in &features {
            let needle = format!("{feature}::");
            for (at, _) in text.match_indices(&needle) {
                let before = text[..at].chars().last().unwrap_or(' ');
                if before.is_ascii_alphanumeric() || before == '_' {
                    continue;
                }
                let next: String = text[at + needle.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if next != "doors" {
                    found.push(format!("{file}: {feature}::{next}"));
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

/// A source file as a module path (`features/membership/stripe/unmatched`; a `mod.rs` is its
/// folder).
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src()).unwrap();
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// The module paths a file names through `crate::…` and `super::…` (grouped imports
/// expanded one level), resolved from the file's own module.
fn paths_named(me: &[String], text: &str) -> Vec<Vec<String>> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let bytes: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let rest: String = bytes[i..bytes.len().min(i + 7)].iter().collect();
        let starts = (rest.starts_with("crate::") || rest.starts_with("super::"))
            && (i == 0 || !ident(bytes[i - 1]) && bytes[i - 1] != ':');
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < bytes.len() && (ident(bytes[j]) || bytes[j] == ':') {
            j += 1;
        }
        let path: String = bytes[i..j].iter().collect();
        let mut base: Vec<String> = Vec::new();
        for (k, seg) in path.split("::").filter(|s| !s.is_empty()).enumerate() {
            match seg {
                "crate" if k == 0 => base.clear(),
                "super" if k == 0 => {
                    base = me.to_vec();
                    base.pop();
                }
                "super" => {
                    base.pop();
                }
                "self" => {}
                s => base.push(s.to_string()),
            }
        }
        if j < bytes.len() && bytes[j] == '{' {
            let end = (j..bytes.len()).find(|&k| bytes[k] == '}').unwrap_or(j);
            let group: String = bytes[j + 1..end].iter().collect();
            for item in group.split(',') {
                let first: String = item.trim().chars().take_while(|c| ident(*c)).collect();
                if !first.is_empty() && first != "self" {
                    let mut p = base.clone();
                    p.push(first);
                    out.push(p);
                }
            }
        }
        out.push(base);
        i = j;
    }
    out
}

/// No two source files import each other, directly or around a loop (a parent `mod.rs` and
/// its children aside: they are one module's face and parts).
#[test]
fn no_import_cycle_between_files() {
    use std::collections::{BTreeMap, BTreeSet};
    let files = rust_files(&src());
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(f)).collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for file in &files {
        let me = module_of(file);
        // Comments name modules too (doc links); only code imports.
        let code: String = product_text(file)
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for mut path in paths_named(&me, &code) {
            while !path.is_empty() && !modules.contains(&path) {
                path.pop();
            }
            let related = path.starts_with(&me) || me.starts_with(&path);
            if !path.is_empty() && !related {
                edges.entry(me.clone()).or_default().insert(path);
            }
        }
    }
    let mut cyclic = BTreeSet::new();
    for module in &modules {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&Vec<String>> = edges.get(module).into_iter().flatten().collect();
        while let Some(next) = stack.pop() {
            if seen.insert(next.clone()) {
                stack.extend(edges.get(next).into_iter().flatten());
            }
        }
        if seen.contains(module) {
            cyclic.insert(module.join("/"));
        }
    }
    assert!(cyclic.is_empty(), "files on an import cycle: {cyclic:#?}");
}

/// Discord's component and answer type numbers (`"type": 2` a button, `9` a form…) are written
/// in the kit (`discord/components.rs`) and nowhere else: features build by name.
#[test]
fn no_raw_component_numbers_outside_the_kit() {
    let found: Vec<String> = rust_files(&src())
        .into_iter()
        .filter(|f| {
            let rel = f.strip_prefix(src()).unwrap();
            !rel.starts_with("discord") && !rel.starts_with("harness")
        })
        .filter(|f| {
            let text = product_text(f);
            text.match_indices("\"type\":").any(|(at, _)| {
                text[at + 7..]
                    .trim_start()
                    .starts_with(|c: char| c.is_ascii_digit())
            })
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(found.is_empty(), "{found:#?}");
}

/// No function of the product (`src/` but the test rig, tests excluded) runs over 100 lines:
/// past that a reader wants names for its parts. (The rig's scene scripts and route tables
/// read top to bottom and are left long.)
#[test]
fn no_product_function_runs_over_a_hundred_lines() {
    const MAX: usize = 100;
    let mut found = Vec::new();
    for file in rust_files(&src()) {
        if file.components().any(|c| c.as_os_str() == "harness") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text
            .lines()
            .take_while(|l| !l.starts_with("#[cfg(test)]"))
            .collect();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            let code = line.trim_start();
            let indent = &line[..line.len() - code.len()];
            let signature = ["pub ", "pub(crate) ", "pub(super) ", "async ", "const "]
                .iter()
                .fold(code, |rest, p| rest.strip_prefix(p).unwrap_or(rest));
            if signature.starts_with("fn ") && !line.trim_end().ends_with(';') {
                let close = format!("{indent}}}");
                let end = (i..lines.len())
                    .find(|&j| lines[j].starts_with(&close))
                    .unwrap_or(lines.len() - 1);
                let length = end - i + 1;
                if length > MAX {
                    let name: String = signature[3..]
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    found.push(format!("{}: {name} ({length} lines)", file.display()));
                }
                i = end;
            }
            i += 1;
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}
