//! The documentation runs: every fenced block in README.md and docs/**/*.md says what it
//! is, every YAML configuration in them checks, and every shell block is executed (or says
//! in its info string why it cannot be), as ripgrep and just test theirs.
//!
//! Info strings (the words after the opening fence):
//!
//! | info string | what the test does |
//! | --- | --- |
//! | `yaml` | a whole configuration: `tagc check --deny-warnings` must pass |
//! | `yaml fragment` | a piece of one: still YAML whose keys and values the schema knows |
//! | `yaml github-workflow`, `yaml gitlab-ci`, `yaml pre-commit-config` | not tagc's; must parse; tests/ci_integration.rs runs what docs/ci.md shows |
//! | `sh`, `shell`, `bash`, `console` | run, in order, in one sandbox per Markdown file; must exit 0 |
//! | `sh exit=N` | the same, and must exit N |
//! | `sh no-run=network` | not run: it talks to Meta, a real site or a package registry |
//! | `sh no-run=toolchain` | not run: it builds or tests tagc itself (`cargo`, `scripts/test`), which the test suite is |
//! | `sh ci-job` | not run here: tests/ci_integration.rs runs it in a pull request's checkout |
//! | `json`, `jsonc`, `rust`, `text` | nothing (JSON, Rust and output shown to the reader) |
//!
//! A block with no info string, or with one this table does not know, fails the test.
//!
//! The sandbox of a Markdown file is a new git repository whose one commit holds copies of
//! `examples/` and `schema/` and the input files the commands read (`signups.ndjson` with
//! today's date, `phones.txt`), so `tagc diff --base HEAD …` has a revision to read. `tagc` is the binary under test, first on `PATH`; `set -e` is on;
//! `META_ACCESS_TOKEN` is removed. A `console` block runs its `$ ` lines. The YAML blocks
//! of docs/codes/ are run by tests/explain.rs (their Examples are meant to fail).

#![allow(clippy::print_stderr)] // a skip, and each block's time, for the test log

use std::path::Path;
use std::process::Command;

#[path = "support/blocks.rs"]
mod blocks;

use blocks::{Block, all_blocks, blocks, doc_files, path_with_tagc, root};

const SHELLS: [&str; 4] = ["sh", "shell", "bash", "console"];
const OTHERS: [&str; 5] = ["yaml", "json", "jsonc", "rust", "text"];
const NO_RUN_REASONS: [&str; 2] = ["network", "toolchain"];

/// What a shell block asks for.
#[derive(Debug, PartialEq)]
enum Mode {
    /// Run it; it must exit with this code.
    Run(i32),
    /// Not run, for this reason.
    NotRun,
    /// Run by tests/ci_integration.rs.
    CiJob,
}

/// Reads a shell block's info string, or says what is wrong with it.
fn shell_run(block: &Block) -> Result<Mode, String> {
    let mut run = Mode::Run(0);
    for word in &block.words {
        let next = if let Some(code) = word.strip_prefix("exit=") {
            Mode::Run(
                code.parse()
                    .map_err(|_| format!("`{word}`: not a number"))?,
            )
        } else if let Some(reason) = word.strip_prefix("no-run=") {
            if !NO_RUN_REASONS.contains(&reason) {
                return Err(format!(
                    "`{word}`: the reasons are {NO_RUN_REASONS:?} (see tests/docs.rs)"
                ));
            }
            Mode::NotRun
        } else if word == "ci-job" {
            Mode::CiJob
        } else {
            return Err(format!(
                "`{word}` is not an info word this test knows: `exit=N`, \
                 `no-run=network`, `no-run=toolchain` or `ci-job` (see tests/docs.rs)"
            ));
        };
        if run != Mode::Run(0) {
            return Err("more than one of `exit=`, `no-run=`, `ci-job`".to_owned());
        }
        run = next;
    }
    Ok(run)
}

/// Every block says what it is, in words this test knows; a shell block that is not run
/// says why.
#[test]
fn every_block_has_an_info_string_the_tests_know() {
    let mut wrong = Vec::new();
    for block in all_blocks() {
        let lang = block.lang.as_str();
        if SHELLS.contains(&lang) {
            if let Err(why) = shell_run(&block) {
                wrong.push(format!("{}: ```{lang}: {why}", block.at));
            }
        } else if lang == "yaml" {
            let known = [
                "fragment",
                "github-workflow",
                "gitlab-ci",
                "pre-commit-config",
            ];
            match block.words.as_slice() {
                [] => {}
                [w] if known.contains(&w.as_str()) => {}
                other => wrong.push(format!(
                    "{}: ```yaml {}: known: nothing, or one of {known:?}",
                    block.at,
                    other.join(" ")
                )),
            }
        } else if lang.is_empty() {
            wrong.push(format!(
                "{}: a block with no info string: say what it is (`text` for output, `sh` for commands, …)",
                block.at
            ));
        } else if !OTHERS.contains(&lang) {
            wrong.push(format!(
                "{}: ```{lang}: not a language this test knows ({SHELLS:?}, {OTHERS:?})",
                block.at
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

/// A new sandbox for one Markdown file's shell blocks.
fn sandbox() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    // The records the README's `send` commands read carry today's date: Meta refuses
    // events older than 7 days, and so does `tagc send --dry-run`.
    let setup = r#"
set -e
cp -R "$ROOT/examples" "$ROOT/schema" .
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cat > signups.ndjson <<EOF
{"user": {"id": "u-2001", "created_at": "$now", "signup_url": "https://www.example.com/signup", "email": "Ana@Example.com ", "ip": "81.2.69.160", "user_agent": "Mozilla/5.0 (X11; Linux x86_64)"}}
{"user": {"id": "u-2002", "created_at": "$now", "signup_url": "https://www.example.com/signup", "email": "bo@example.com", "ip": "81.2.69.161", "user_agent": "Mozilla/5.0 (X11; Linux x86_64)"}}
EOF
printf '612 345 678\n+44 20 7946 0958\n' > phones.txt
git init -q
git add -A
git -c user.name=docs -c user.email=docs@example.com -c commit.gpgsign=false commit -qm sandbox
"#;
    let out = Command::new("bash")
        .arg("-c")
        .arg(setup)
        .env("ROOT", root())
        .current_dir(dir.path())
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "sandbox setup: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// Runs a shell block's commands in `dir`, returning the exit code and both streams.
fn run_shell(block: &Block, dir: &Path) -> (Option<i32>, String) {
    let script = if block.lang == "console" {
        block
            .body
            .lines()
            .filter_map(|l| l.strip_prefix("$ "))
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        block.body.clone()
    };
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("set -e\n{script}"))
        .current_dir(dir)
        .env("PATH", path_with_tagc())
        .env("NO_COLOR", "1")
        .env_remove("META_ACCESS_TOKEN")
        .env_remove("CLICOLOR_FORCE")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("bash runs");
    let streams = format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), streams)
}

/// Every shell block in README.md and docs/ that can run, runs, in order, as a reader
/// following the file would type it; it exits 0 or the code its info string gives.
#[test]
fn every_shell_block_in_the_docs_runs() {
    let mut ran = 0;
    let mut failures = Vec::new();
    for file in doc_files() {
        let shell_blocks: Vec<Block> = blocks(&file)
            .into_iter()
            .filter(|b| SHELLS.contains(&b.lang.as_str()))
            .collect();
        if shell_blocks.is_empty() {
            continue;
        }
        let dir = sandbox();
        for block in &shell_blocks {
            let Ok(Mode::Run(expected)) = shell_run(block) else {
                continue;
            };
            let started = std::time::Instant::now();
            let (code, streams) = run_shell(block, dir.path());
            ran += 1;
            eprintln!(
                "{}: exit {code:?} in {:.1}s",
                block.at,
                started.elapsed().as_secs_f64()
            );
            if code != Some(expected) {
                failures.push(format!(
                    "{}: exit {code:?}, expected {expected}\n{}\n{streams}",
                    block.at, block.body
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
    assert!(ran >= 6, "found the blocks ({ran} ran)");
}

/// The README opens with what a newcomer types on a fresh machine: build the bundled
/// example, run the tests. Neither is run by the block runner (both are `cargo`), so this
/// keeps them true: the build command's arguments work with the tagc it builds, and
/// `scripts/test` is there, executable, and runs `cargo test --locked`.
#[test]
fn readme_opens_with_the_newcomer_commands() {
    let readme = blocks(&root().join("README.md"));
    let first = readme.first().expect("README.md has blocks");
    assert_eq!(
        (first.lang.as_str(), shell_run(first)),
        ("sh", Ok(Mode::NotRun)),
        "{}",
        first.at
    );
    let lines: Vec<&str> = first
        .body
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .collect();
    assert_eq!(lines.len(), 2, "two commands: {lines:?}");
    let args = lines[0]
        .strip_prefix("cargo run")
        .and_then(|rest| rest.split_once(" -- "))
        .map(|(_, args)| args)
        .expect("`cargo run … -- ARGS` first");
    assert!(args.starts_with("build examples/"), "{args}");
    assert_eq!(lines[1], "scripts/test");

    let dir = sandbox();
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("set -e\ntagc {args}"))
        .current_dir(dir.path())
        .env("PATH", path_with_tagc())
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "tagc {args}: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let script = root().join("scripts/test");
    let text = std::fs::read_to_string(&script).expect("scripts/test");
    assert!(text.contains("cargo test --locked"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&script)
            .expect("stat")
            .permissions()
            .mode();
        assert!(mode & 0o111 != 0, "scripts/test is executable");
    }
}

/// Every YAML block in README.md and docs/*.md is a configuration that checks clean (the
/// one under "The language" first: a newcomer copies it), or says what else it is in its
/// info string: `yaml fragment` (a piece of one: it must still be YAML whose keys and
/// values the schema knows) or not tagc's (`github-workflow`, `gitlab-ci`,
/// `pre-commit-config`: it must parse as YAML). The explanations in docs/codes/ run in
/// tests/explain.rs.
#[test]
fn every_yaml_block_in_the_docs_checks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut checked = 0;
    for block in all_blocks() {
        if block.lang != "yaml" || block.file.parent() == Some(&root().join("docs/codes")) {
            continue;
        }
        let at = &block.at;
        let info = block.words.first().map(String::as_str).unwrap_or_default();
        let path = dir.path().join(format!("block-{checked}.yaml"));
        std::fs::write(&path, &block.body).expect("write");
        checked += 1;
        let out = Command::new(env!("CARGO_BIN_EXE_tagc"))
            .args(["check", "--deny-warnings", "--format", "json"])
            .arg(&path)
            .env("NO_COLOR", "1")
            .output()
            .expect("runs");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
        let codes: Vec<&str> = report["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter_map(|d| d["code"].as_str())
            .collect();
        match info {
            "" => assert_eq!(out.status.code(), Some(0), "{at}: {report}"),
            "fragment" => {
                let broken: Vec<&&str> = codes
                    .iter()
                    .filter(|c| {
                        c.starts_with("TAG0") || (c.starts_with("TAG1") && **c != "TAG1002")
                    })
                    .collect();
                assert!(
                    broken.is_empty(),
                    "{at}: a fragment that is not valid: {codes:?}"
                );
            }
            // Not tagc's: it must still be YAML (TAG0xxx are the loader's codes).
            "github-workflow" | "gitlab-ci" | "pre-commit-config" => {
                let syntax: Vec<&&str> = codes.iter().filter(|c| c.starts_with("TAG0")).collect();
                assert!(syntax.is_empty(), "{at}: not YAML: {report}");
            }
            other => panic!("{at}: unknown info string `yaml {other}`"),
        }
    }
    assert!(checked >= 3, "found the blocks");
}
