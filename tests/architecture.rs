//! One direction through the house: every module of `src/` imports only from the layers below
//! it (the table in [`LAYERS`]), a service never imports another service, and no two top-level
//! modules depend on each other, however indirectly.
//!
//! The check reads the sources as text: `use` declarations (grouped ones across lines too),
//! `super::` and `self::` resolved against the module they are written in, and paths such as
//! `crate::db::run` written inline in code. Comments and string literals are skipped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt::Write as _,
    path::Path,
};

/// The infrastructure modules: each may use the others, as long as no cycle forms.
const INFRASTRUCTURE: &[&str] = &["auth", "cache", "email", "live", "metrics", "telemetry"];

/// Who may import whom: each top-level module of `src/` with the modules it may import
/// (besides itself), lowest layer first. `*` means every module. A module missing here is an
/// error too.
#[rustfmt::skip]
const LAYERS: &[(&str, &[&str])] = &[
    ("domain",     &[]),
    // The service's messages in six languages (Fluent), for every layer that speaks to people.
    ("i18n",       &["domain"]),
    ("error",      &["domain"]),
    ("pagination", &["domain", "error"]),
    ("config",     &["domain", "error"]),
    // The listener and the limits on connections, for `startup`: plain sockets and the process.
    ("connections", &[]),
    ("db",         &["domain", "error", "pagination", "config"]),
    // Infrastructure: the layers below, and each other (see INFRASTRUCTURE).
    ("auth",       &["i18n", "cache", "email", "live", "metrics", "telemetry", "db", "domain", "error", "pagination", "config"]),
    ("cache",      &["i18n", "auth", "email", "live", "metrics", "telemetry", "db", "domain", "error", "pagination", "config"]),
    ("email",      &["i18n", "auth", "cache", "live", "metrics", "telemetry", "db", "domain", "error", "pagination", "config"]),
    ("live",       &["i18n", "auth", "cache", "email", "metrics", "telemetry", "db", "domain", "error", "pagination", "config"]),
    ("metrics",    &["i18n", "auth", "cache", "email", "live", "telemetry", "db", "domain", "error", "pagination", "config"]),
    ("telemetry",  &["i18n", "auth", "cache", "email", "live", "metrics", "db", "domain", "error", "pagination", "config"]),
    // Use cases; one service never imports another (checked per file, see SERVICES).
    ("services",   &["i18n", "auth", "cache", "email", "live", "metrics", "telemetry", "db", "domain", "error", "pagination", "config"]),
    ("state",      &["i18n", "auth", "cache", "email", "live", "metrics", "telemetry", "db", "config", "domain", "error"]),
    // HTTP: handlers, extractors, problems, middleware, the OpenAPI document.
    ("routes",     &["i18n", "services", "state", "auth", "cache", "email", "live", "metrics", "telemetry", "db", "domain", "error", "pagination", "config"]),
    ("startup",    &["*"]),
];

/// The module whose files may not import one another (file level, see [`service_of`]).
const SERVICES: &str = "services";

/// Crate roots: they declare the modules and wire the binary, and are not part of any layer.
const ROOTS: &[&str] = &["lib.rs", "main.rs"];

#[test]
fn the_source_tree_keeps_the_layer_rule() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = Vec::new();
    collect_sources(&src, &src, &mut sources);
    assert!(
        sources.iter().any(|s| s.path.starts_with("domain/")),
        "no sources found under {}",
        src.display()
    );
    let violations = check(&sources);
    assert!(
        violations.is_empty(),
        "{} breach(es) of the layer rule (imports go downward only, a service never imports \
         another service, no cycles; see LAYERS in tests/architecture.rs):\n{}",
        violations.len(),
        violations.join("\n")
    );
}

#[test]
fn the_layer_table_names_each_module_once_and_only_known_modules() {
    let mut seen = BTreeSet::new();
    for (module, allowed) in LAYERS {
        assert!(seen.insert(*module), "{module} appears twice in LAYERS");
        for target in *allowed {
            assert!(
                *target == "*" || LAYERS.iter().any(|(m, _)| m == target),
                "{module} may import {target}, which has no row"
            );
            assert_ne!(module, target, "{module} lists itself");
        }
    }
    for module in INFRASTRUCTURE {
        assert!(seen.contains(module), "{module} has no row");
    }
}

// ---------------------------------------------------------------------------------------------
// The checker.

/// One source file: its path relative to `src/` (with `/`), and its text.
#[derive(Debug, Clone)]
struct Source {
    path: String,
    text: String,
}

/// An import of something in this crate, resolved to its absolute path (without `crate`).
#[derive(Debug, Clone)]
struct Import {
    line: usize,
    path: Vec<String>,
}

fn collect_sources(root: &Path, dir: &Path, out: &mut Vec<Source>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_sources(root, &path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            out.push(Source {
                path: relative,
                text,
            });
        }
    }
}

/// Every breach of the rule in `sources`, one line each, sorted by file and line; then any
/// unknown module and any cycle between top-level modules.
fn check(sources: &[Source]) -> Vec<String> {
    let mut violations = Vec::new();
    let mut unknown = BTreeSet::new();
    // (from, to) → the first import that makes the edge, for the cycle report.
    let mut edges: BTreeMap<(String, String), String> = BTreeMap::new();
    let modules: BTreeSet<String> = sources
        .iter()
        .filter_map(|s| module_path(&s.path).map(|p| p[0].clone()))
        .collect();

    let mut ordered: Vec<&Source> = sources.iter().collect();
    ordered.sort_by(|a, b| a.path.cmp(&b.path));
    for source in ordered {
        let Some(own_path) = module_path(&source.path) else {
            continue;
        };
        let from = own_path[0].as_str();
        let allowed = allowed_imports(from);
        if allowed.is_none() {
            // Reported once below, rather than once per import.
            unknown.insert(from.to_owned());
        }
        // Several paths of one grouped `use` on one line: one entry per target module.
        let mut per_line: BTreeMap<(usize, String), Vec<String>> = BTreeMap::new();
        for import in imports(&source.text, &own_path) {
            let Some(to) = import.path.first() else {
                continue;
            };
            if !modules.contains(to) {
                // A crate-root item (a `#[macro_export]` macro) or nothing we can place.
                continue;
            }
            let shown = format!("crate::{}", import.path.join("::"));
            if to == from {
                if from == SERVICES {
                    if let Some(own) = service_of(&own_path) {
                        let other = import.path.get(1).map_or("", String::as_str);
                        if other != own {
                            per_line
                                .entry((import.line, format!("service {other}")))
                                .or_default()
                                .push(shown);
                        }
                    }
                }
                continue;
            }
            edges
                .entry((from.to_owned(), to.clone()))
                .or_insert_with(|| format!("src/{}:{} {shown}", source.path, import.line));
            let permitted = allowed.is_none_or(|list| list.iter().any(|m| *m == "*" || m == to));
            if !permitted {
                per_line
                    .entry((import.line, to.clone()))
                    .or_default()
                    .push(shown);
            }
        }
        for ((line, target), mut paths) in per_line {
            paths.dedup();
            let paths = paths.join(", ");
            let message = match target.strip_prefix("service ") {
                Some(other) => format!(
                    "src/{}:{line}: a service imports another service: services::{} uses \
                     services::{} ({paths}); share it through db or domain instead",
                    source.path,
                    service_of(&own_path).unwrap_or_default(),
                    if other.is_empty() { "(the module itself)" } else { other },
                ),
                None => format!(
                    "src/{}:{line}: {from} may not import {target} ({paths}); {from} may import: {}",
                    source.path,
                    match allowed {
                        Some(list) if !list.is_empty() => list.join(", "),
                        _ => "nothing outside itself".to_owned(),
                    },
                ),
            };
            violations.push(message);
        }
    }
    for module in unknown {
        violations.push(format!(
            "module `{module}` has no row in LAYERS: give it a place in the layers"
        ));
    }
    for cycle in cycles(&edges) {
        let mut message = format!("cycle between top-level modules: {}", cycle.join(" → "));
        for pair in cycle.windows(2) {
            let witness = &edges[&(pair[0].clone(), pair[1].clone())];
            let _ = write!(message, "\n    {} → {}: {witness}", pair[0], pair[1]);
        }
        violations.push(message);
    }
    violations
}

fn allowed_imports(module: &str) -> Option<&'static [&'static str]> {
    LAYERS
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, allowed)| *allowed)
}

/// The module path a file defines: `routes/x.rs` → `[routes, x]`, `db/mod.rs` → `[db]`;
/// `None` for the crate roots.
fn module_path(file: &str) -> Option<Vec<String>> {
    if ROOTS.contains(&file) {
        return None;
    }
    let stem = file.strip_suffix(".rs")?;
    let mut parts: Vec<String> = stem.split('/').map(str::to_owned).collect();
    if parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    (!parts.is_empty()).then_some(parts)
}

/// The service a file of `services` belongs to (`services/a.rs` and `services/a/*.rs` → `a`);
/// `None` for `services/mod.rs`, which only declares them.
fn service_of(module_path: &[String]) -> Option<&str> {
    match module_path {
        [first, service, ..] if first == SERVICES => Some(service),
        _ => None,
    }
}

/// Each elementary cycle through the edges' strongly connected components, as a closed walk
/// (`a → b → a`). One cycle is reported per component, the shortest through its first module.
fn cycles(edges: &BTreeMap<(String, String), String>) -> Vec<Vec<String>> {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        graph.entry(from).or_default().insert(to);
        graph.entry(to).or_default();
    }
    let reaches = |start: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![start.to_owned()];
        while let Some(node) = stack.pop() {
            for next in &graph[node.as_str()] {
                if seen.insert((*next).to_owned()) {
                    stack.push((*next).to_owned());
                }
            }
        }
        seen
    };
    let reach: BTreeMap<&str, BTreeSet<String>> =
        graph.keys().map(|node| (*node, reaches(node))).collect();
    let mut done = BTreeSet::new();
    let mut found = Vec::new();
    for node in graph.keys() {
        if done.contains(*node) || !reach[node].contains(*node) {
            continue;
        }
        let component: BTreeSet<&str> = graph
            .keys()
            .filter(|other| reach[node].contains(**other) && reach[**other].contains(*node))
            .copied()
            .collect();
        done.extend(component.iter().map(|m| (*m).to_owned()));
        found.push(shortest_cycle(&graph, node, &component));
    }
    found
}

/// Breadth-first from `start` back to itself, inside `component`.
fn shortest_cycle(
    graph: &BTreeMap<&str, BTreeSet<&str>>,
    start: &str,
    component: &BTreeSet<&str>,
) -> Vec<String> {
    let mut previous: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for next in &graph[node] {
            if !component.contains(next) {
                continue;
            }
            if *next == start {
                let mut walk = vec![start.to_owned(), node.to_owned()];
                let mut at = node;
                while at != start {
                    at = previous[at];
                    walk.push(at.to_owned());
                }
                walk.reverse();
                return walk;
            }
            if !previous.contains_key(next) {
                previous.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    vec![start.to_owned(), start.to_owned()]
}

// ---------------------------------------------------------------------------------------------
// Reading Rust source just far enough to find paths.

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Semi,
    Star,
    Other(char),
}

/// The crate-internal paths `text` refers to, resolved from the module `own_path` it defines.
fn imports(text: &str, own_path: &[String]) -> Vec<Import> {
    let tokens = tokenize(&strip_comments_and_literals(text));
    let mut found = Vec::new();
    // Inline modules (`mod tests { ... }`) open at a brace depth.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    let current = |inline: &[(String, usize)]| -> Vec<String> {
        own_path
            .iter()
            .cloned()
            .chain(inline.iter().map(|(name, _)| name.clone()))
            .collect()
    };
    while i < tokens.len() {
        let (line, token) = &tokens[i];
        match token {
            Token::Ident(word) if word == "mod" => {
                if let (Some((_, Token::Ident(name))), Some((_, Token::Open))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                {
                    inline.push((name.clone(), depth));
                    depth += 1;
                    i += 3;
                    continue;
                }
            }
            Token::Open => depth += 1,
            Token::Close => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, at)| *at == depth) {
                    inline.pop();
                }
            }
            Token::Ident(word) if word == "use" => {
                let mut paths = Vec::new();
                let mut j = i + 1;
                parse_use_tree(&tokens, &mut j, Vec::new(), &mut paths);
                let here = current(&inline);
                for (line, path) in paths {
                    if let Some(path) = resolve(&path, &here) {
                        found.push(Import { line, path });
                    }
                }
                // Up to the `;`, keeping the brace depth as it was.
                while j < tokens.len() && tokens[j].1 != Token::Semi {
                    j += 1;
                }
                i = j + 1;
                continue;
            }
            Token::Ident(word)
                if (word == "crate" || word == "super" || word == "self")
                    && matches!(tokens.get(i + 1), Some((_, Token::PathSep)))
                    && !matches!(i.checked_sub(1).map(|k| &tokens[k].1), Some(Token::PathSep)) =>
            {
                let mut path = vec![word.clone()];
                let mut j = i + 1;
                while let (Some((_, Token::PathSep)), Some((_, Token::Ident(next)))) =
                    (tokens.get(j), tokens.get(j + 1))
                {
                    path.push(next.clone());
                    j += 2;
                }
                if let Some(path) = resolve(&path, &current(&inline)) {
                    found.push(Import { line: *line, path });
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// Reads one use tree from `tokens[*at]`, adding each full path (with the line of its last
/// segment) under `prefix` to `out`.
fn parse_use_tree(
    tokens: &[(usize, Token)],
    at: &mut usize,
    prefix: Vec<String>,
    out: &mut Vec<(usize, Vec<String>)>,
) {
    let mut path = prefix;
    let mut line;
    loop {
        let Some((here, token)) = tokens.get(*at) else {
            return;
        };
        match token {
            Token::PathSep => *at += 1,
            Token::Ident(word) => {
                line = *here;
                path.push(word.clone());
                *at += 1;
                match tokens.get(*at) {
                    Some((_, Token::PathSep)) => *at += 1,
                    Some((_, Token::Ident(kw))) if kw == "as" => {
                        *at += 2;
                        break;
                    }
                    _ => break,
                }
            }
            Token::Star => {
                line = *here;
                path.push("*".to_owned());
                *at += 1;
                break;
            }
            Token::Open => {
                *at += 1;
                loop {
                    match tokens.get(*at) {
                        None => return,
                        Some((_, Token::Close)) => {
                            *at += 1;
                            return;
                        }
                        Some((_, Token::Comma)) => *at += 1,
                        Some(_) => {
                            let before = *at;
                            parse_use_tree(tokens, at, path.clone(), out);
                            if *at == before {
                                *at += 1;
                            }
                        }
                    }
                }
            }
            _ => return,
        }
    }
    if path.last().is_some_and(|last| last == "self") {
        path.pop();
    }
    out.push((line, path));
}

/// `crate::a::b` → `[a, b]`; `super::`/`self::` against `here`; `None` for other crates'
/// paths (and for child modules named without `self::`, which never leave their module).
fn resolve(path: &[String], here: &[String]) -> Option<Vec<String>> {
    let first = path.first()?;
    let resolved: Vec<String> = match first.as_str() {
        "crate" => path[1..].to_vec(),
        "self" => here.iter().chain(&path[1..]).cloned().collect(),
        "super" => {
            let ups = path.iter().take_while(|s| *s == "super").count();
            let base = here.len().checked_sub(ups)?;
            here[..base].iter().chain(&path[ups..]).cloned().collect()
        }
        _ => return None,
    };
    (!resolved.is_empty() && resolved[0] != "*").then_some(resolved)
}

/// The code with comments, string and character literals blanked out (line breaks kept, so
/// that line numbers stay right).
fn strip_comments_and_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    // Keeps the line breaks of chars[from..to].
    let blank = |out: &mut String, from: usize, to: usize| {
        out.push(' ');
        out.extend(
            chars[from..to.min(chars.len())]
                .iter()
                .filter(|c| **c == '\n'),
        );
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let after_ident = i > 0 && is_ident(chars[i - 1]);
        if c == '/' && next == Some('/') {
            let end = chars[i..]
                .iter()
                .position(|c| *c == '\n')
                .map_or(chars.len(), |p| i + p);
            i = end;
        } else if c == '/' && next == Some('*') {
            let mut level = 0;
            let start = i;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    level += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    level -= 1;
                    i += 2;
                    if level == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            blank(&mut out, start, i);
        } else if !after_ident
            && (c == 'r' || ((c == 'b' || c == 'c') && next == Some('r')))
            && raw_string_hashes(&chars, if c == 'r' { i + 1 } else { i + 2 }).is_some()
        {
            let open = if c == 'r' { i + 1 } else { i + 2 };
            let hashes = raw_string_hashes(&chars, open).unwrap_or(0);
            let start = i;
            i = open + hashes + 1;
            while i < chars.len() {
                if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
                    i += hashes + 1;
                    break;
                }
                i += 1;
            }
            blank(&mut out, start, i);
        } else if c == '"' {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            blank(&mut out, start, i);
        } else if c == '\'' && next == Some('\\') {
            // An escaped character literal: '\n', '\'', '\u{1F600}'.
            let start = i;
            i += 3;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
            blank(&mut out, start, i);
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            out.push(' ');
            i += 3;
        } else {
            // Everything else, lifetimes and labels included.
            out.push(c);
            i += 1;
        }
    }
    out
}

/// At `at`: `#`* then `"` (a raw string's opening), giving the number of `#`.
fn raw_string_hashes(chars: &[char], at: usize) -> Option<usize> {
    let hashes = chars[at.min(chars.len())..]
        .iter()
        .take_while(|c| **c == '#')
        .count();
    (chars.get(at + hashes) == Some(&'"')).then_some(hashes)
}

fn tokenize(code: &str) -> Vec<(usize, Token)> {
    let chars: Vec<char> = code.chars().collect();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let mut word: String = chars[start..i].iter().collect();
            // A raw identifier, `r#type`.
            if word == "r" && chars.get(i) == Some(&'#') {
                let rest = i + 1;
                let mut end = rest;
                while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '_') {
                    end += 1;
                }
                word = chars[rest..end].iter().collect();
                i = end;
            }
            tokens.push((line, Token::Ident(word)));
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push((line, Token::PathSep));
            i += 2;
        } else {
            let token = match c {
                '{' => Token::Open,
                '}' => Token::Close,
                ',' => Token::Comma,
                ';' => Token::Semi,
                '*' => Token::Star,
                other => Token::Other(other),
            };
            tokens.push((line, token));
            i += 1;
        }
    }
    tokens
}

// ---------------------------------------------------------------------------------------------
// The checker on small sources.

fn source(path: &str, text: &str) -> Source {
    Source {
        path: path.to_owned(),
        text: text.to_owned(),
    }
}

/// The modules every test tree has, so that import targets are known modules.
fn tree(files: &[(&str, &str)]) -> Vec<Source> {
    let mut sources: Vec<Source> = LAYERS
        .iter()
        .map(|(module, _)| source(&format!("{module}/mod.rs"), ""))
        .collect();
    sources.extend(files.iter().map(|(path, text)| source(path, text)));
    sources
}

fn violations_of(files: &[(&str, &str)]) -> Vec<String> {
    check(&tree(files))
}

#[test]
fn checker_rejects_domain_importing_db() {
    let found = violations_of(&[("domain/pledge.rs", "use crate::db::schema::pledges;\n")]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("src/domain/pledge.rs:1: domain may not import db"),
        "{found:#?}"
    );
}

#[test]
fn checker_rejects_db_importing_services() {
    let found = violations_of(&[(
        "db/counters.rs",
        "use crate::{\n    domain::ids::PledgeId,\n    services::stats::recount,\n};\n",
    )]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("src/db/counters.rs:3: db may not import services"),
        "{found:#?}"
    );
}

#[test]
fn checker_rejects_a_service_importing_another_service() {
    for text in [
        "use crate::services::accounts::find_user;\n",
        "use super::accounts;\n",
        "use crate::services::{pledges::helper, accounts::{self, find_user}};\n",
        "fn f() { crate::services::accounts::find_user(); }\n",
    ] {
        let found = violations_of(&[("services/pledges.rs", text)]);
        assert_eq!(found.len(), 1, "{text}: {found:#?}");
        assert!(
            found[0].contains("a service imports another service")
                && found[0].contains("services::accounts"),
            "{text}: {found:#?}"
        );
    }
    // What services/mod.rs holds is not a way around the rule either.
    let found = violations_of(&[("services/pledges.rs", "use super::shared_helper;\n")]);
    assert_eq!(found.len(), 1, "{found:#?}");
}

#[test]
fn checker_rejects_back_imports_written_inline_and_through_super() {
    let found = violations_of(&[
        (
            "domain/pledge.rs",
            "fn f() -> crate::db::Database {\n    todo!()\n}\n",
        ),
        (
            "db/mod.rs",
            "mod inner {\n    use super::super::routes::x;\n}\n",
        ),
        (
            "error.rs",
            "pub(crate) fn f() { let _ = crate::config::Settings::default(); }\n",
        ),
    ]);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        found[0].starts_with("src/db/mod.rs:2: db may not import routes"),
        "{found:#?}"
    );
    assert!(
        found[1].starts_with("src/domain/pledge.rs:1: domain may not import db"),
        "{found:#?}"
    );
    assert!(
        found[2].starts_with("src/error.rs:1: error may not import config"),
        "{found:#?}"
    );
}

#[test]
fn checker_rejects_a_cycle_even_between_modules_that_may_import_each_other() {
    let found = violations_of(&[
        ("auth/tokens.rs", "use crate::email::Links;\n"),
        ("email/outbox.rs", "use crate::live::poke;\n"),
        ("live.rs", "use crate::auth::tokens::Claims;\n"),
    ]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("cycle between top-level modules: auth → email → live → auth"),
        "{found:#?}"
    );
    assert!(
        found[0].contains("src/live.rs:1 crate::auth::tokens::Claims"),
        "{found:#?}"
    );
}

#[test]
fn checker_rejects_a_module_without_a_place_in_the_layers() {
    let found = violations_of(&[("gadgets.rs", "use crate::domain::ids::PledgeId;\n")]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].contains("`gadgets` has no row"), "{found:#?}");
}

#[test]
fn checker_accepts_downward_imports() {
    let found = violations_of(&[
        (
            "routes/pledges.rs",
            "use super::{paged, problem::Problem};\n\
             use crate::{\n    services::pledges as service,\n    state::AppState,\n    \
             domain::{ids::PledgeId, actor::Actor},\n};\n",
        ),
        (
            "services/pledges.rs",
            "use crate::{db::pledges, email::Links, domain::workflow::Action};\n\
             use crate::services::pledges::helper;\n\
             pub(super) fn g() { self::helper(); }\n\
             #[cfg(test)]\nmod tests {\n    use super::*;\n    use crate::db::Database;\n}\n",
        ),
        (
            "db/pledges.rs",
            "use crate::{domain::ids::PledgeId, error::AppError};\nuse super::schema;\n",
        ),
        (
            "domain/pledge.rs",
            "use super::ids::PledgeId;\nuse std::fmt;\nuse diesel::prelude::*;\n",
        ),
        (
            "startup.rs",
            "use crate::{routes, services, db, state::AppState};\n",
        ),
        ("email/outbox.rs", "use crate::auth::tokens;\n"),
    ]);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn checker_ignores_comments_strings_and_other_crates() {
    let found = violations_of(&[(
        "domain/pledge.rs",
        "// use crate::db::Database;\n\
         /* crate::services::x /* nested */ crate::routes::y */\n\
         const A: &str = \"crate::db::schema\";\n\
         const B: &str = r#\"use crate::db;\"#;\n\
         const C: char = '\"';\n\
         const D: char = '{';\n\
         fn f<'a>(x: &'a str) -> &'a str { x }\n\
         use other_crate::db::Database;\n\
         pub(crate) struct S;\n\
         /// See [`crate::db`].\n\
         fn g() {}\n",
    )]);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn checker_reports_every_violation_at_once_with_its_line() {
    let found = violations_of(&[
        (
            "domain/a.rs",
            "use crate::db::X;\n\nuse crate::services::Y;\n",
        ),
        ("pagination.rs", "use crate::config::Settings;\n"),
    ]);
    assert_eq!(
        found
            .iter()
            .map(|v| v.split(' ').next().unwrap())
            .collect::<Vec<_>>(),
        [
            "src/domain/a.rs:1:",
            "src/domain/a.rs:3:",
            "src/pagination.rs:1:"
        ],
        "{found:#?}"
    );
}
