//! The CI integration: the GitHub Action's steps (`scripts/ci-action.sh`, which
//! `action.yml` runs) on local git repositories, docs/ci.md's workflow against the action's
//! inputs, and the pre-commit hook (`.pre-commit-hooks.yaml`) through pre-commit itself.
//!
//! Two tests need `tagc diff` (built on another branch) and are ignored until it lands:
//! `action_steps_on_a_pull_request` and `docs_ci_shell_recipe_runs_on_a_pull_request`.
//! Run them with `cargo test --test ci_integration -- --ignored`.

#![allow(clippy::print_stderr)] // a skip, and each block's time, for the test log

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/blocks.rs"]
mod blocks;

use blocks::{Block, blocks, path_with_tagc, root};

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs git in `dir` with a fixed identity, asserting success; returns stdout.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=tagc tests",
            "-c",
            "user.email=tests@example.com",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// The starter configuration `tagc init` writes, at `dir/tagc.yaml`.
fn init_config(dir: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_tagc"))
        .args(["init", "tagc.yaml", "--pixel", "123456789012345"])
        .current_dir(dir)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", text(&out));
}

/// Runs scripts/ci-action.sh in `dir` as a GitHub runner would, `tagc` under test on
/// PATH (so nothing is installed).
fn action(dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(root().join("scripts/ci-action.sh"));
    cmd.current_dir(dir)
        .env("PATH", path_with_tagc())
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_BASE_REF")
        .env_remove("GITHUB_EVENT_NAME")
        .env_remove("TAGC_BASE")
        .env_remove("TAGC_CONFIG")
        .env_remove("TAGC_FAIL_ON")
        .env_remove("TAGC_VERSION")
        .env_remove("TAGC_ENV");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the script runs")
}

/// On a push the action checks the configuration and does not diff; a broken
/// configuration fails the job with annotations; a bad input is a usage error.
#[test]
fn action_checks_on_push() {
    let dir = tempfile::tempdir().expect("tempdir");
    git(dir.path(), &["init", "-q"]);
    init_config(dir.path());
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "tracking"]);

    let out = action(dir.path(), &[("GITHUB_EVENT_NAME", "push")]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("tagc is on PATH"), "nothing installed: {all}");
    assert!(
        all.contains("::group::tagc check --format github tagc.yaml"),
        "{all}"
    );
    assert!(all.contains("no diff"), "{all}");

    let config = dir.path().join("tagc.yaml");
    let clean = std::fs::read_to_string(&config).expect("read");
    std::fs::write(&config, clean.replace("event: Contact", "event: Contct")).expect("write");
    let out = action(dir.path(), &[("GITHUB_EVENT_NAME", "push")]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("::error") && all.contains("TAG2001"),
        "an annotation: {all}"
    );

    // A configuration elsewhere, through the input.
    std::fs::create_dir(dir.path().join("tracking")).expect("mkdir");
    std::fs::write(dir.path().join("tracking/tagc.yaml"), &clean).expect("write");
    let out = action(
        dir.path(),
        &[
            ("GITHUB_EVENT_NAME", "push"),
            ("TAGC_CONFIG", "tracking/tagc.yaml"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let out = action(
        dir.path(),
        &[("GITHUB_EVENT_NAME", "push"), ("TAGC_FAIL_ON", "sometimes")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("fail-on is `sometimes`"));
}

/// Without a `tagc` on PATH the action installs one with `cargo install --locked`: the
/// tagc beside the script by default (the action's own ref), or `source` at `version`.
/// `cargo` here is a stand-in that records its arguments and "installs" the tagc under
/// test, so no release build runs.
#[test]
fn action_installs_tagc_when_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let work = dir.path().join("work");
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&work).expect("mkdir");
    std::fs::create_dir_all(&bin).expect("mkdir");
    init_config(&work);
    let log = dir.path().join("cargo.log");
    let fake = bin.join("cargo");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nln -sf '{}' '{}/tagc'\n",
            log.display(),
            env!("CARGO_BIN_EXE_tagc"),
            bin.display()
        ),
    )
    .expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", bin.display());
    let run = |env: &[(&str, &str)]| {
        let _ = std::fs::remove_file(bin.join("tagc"));
        let _ = std::fs::remove_file(&log);
        let mut cmd = Command::new(root().join("scripts/ci-action.sh"));
        cmd.current_dir(&work)
            .env("PATH", &path)
            .env("GITHUB_EVENT_NAME", "push")
            .env_remove("GITHUB_ACTION_REPOSITORY")
            .env_remove("TAGC_VERSION")
            .env_remove("TAGC_SOURCE")
            .env_remove("TAGC_BASE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("the script runs");
        let calls = std::fs::read_to_string(&log).unwrap_or_default();
        (out, calls)
    };

    let (out, calls) = run(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        calls.trim(),
        format!("install --locked --path {}", root().display()),
        "the tagc beside the script"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("::group::tagc check"));

    let (out, calls) = run(&[
        ("TAGC_VERSION", "v1.2.0"),
        ("GITHUB_ACTION_REPOSITORY", "someone/tagc"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        calls.trim(),
        "install --locked --git https://github.com/someone/tagc --rev v1.2.0 tagc"
    );

    let (out, calls) = run(&[
        ("TAGC_VERSION", "0123abc"),
        ("TAGC_SOURCE", "https://git.example.com/tagc.git"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        calls.trim(),
        "install --locked --git https://git.example.com/tagc.git --rev 0123abc tagc"
    );

    // Neither tagc nor cargo: a usage error that says what to install.
    std::fs::remove_file(&fake).expect("rm");
    let (out, _) = run(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("neither tagc nor cargo"));
}

/// A pull request as GitHub's checkout leaves it: a clone of `origin` (a bare repository
/// whose `main` holds the starter configuration) on a branch `change`, whose commit
/// `edit` made; `origin/main` is not fetched (a shallow checkout of the merge commit).
fn pull_request(edit: impl FnOnce(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let origin = dir.path().join("origin.git");
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).expect("mkdir");
    git(dir.path(), &["init", "-q", "--bare", "origin.git"]);
    git(&work, &["init", "-q"]);
    init_config(&work);
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-qm", "tracking"]);
    git(
        &work,
        &["remote", "add", "origin", origin.to_str().expect("utf-8")],
    );
    git(&work, &["push", "-q", "origin", "main"]);
    git(&work, &["checkout", "-q", "-b", "change"]);
    let config = work.join("tagc.yaml");
    let before = std::fs::read_to_string(&config).expect("read");
    std::fs::write(&config, edit(&before)).expect("write");
    git(&work, &["commit", "-qam", "change"]);
    git(&work, &["update-ref", "-d", "refs/remotes/origin/main"]);
    dir
}

/// A page added: an addition (info), neither breaking nor notable.
fn add_a_page(config: &str) -> String {
    config.replace(
        "\n# Conversions API events",
        "  - id: pricing\n    url: /pricing\n    on_load:\n      - event: ViewContent\n\n# Conversions API events",
    )
}

// needs tagc diff
/// On a pull request the action checks, fetches the base, writes the markdown diff to the
/// job summary and fails by `fail-on`.
#[test]
fn action_steps_on_a_pull_request() {
    let dir = pull_request(add_a_page);
    let work = dir.path().join("work");
    let summary = dir.path().join("summary.md");
    let summary_s = summary.to_str().expect("utf-8");
    let run = |fail_on: &str| {
        std::fs::write(&summary, "").expect("write");
        action(
            &work,
            &[
                ("GITHUB_EVENT_NAME", "pull_request"),
                ("GITHUB_BASE_REF", "main"),
                ("GITHUB_STEP_SUMMARY", summary_s),
                ("TAGC_FAIL_ON", fail_on),
            ],
        )
    };
    for (fail_on, code) in [("never", 0), ("breaking", 0), ("notable", 0)] {
        let out = run(fail_on);
        let all = text(&out);
        assert_eq!(out.status.code(), Some(code), "fail-on {fail_on}: {all}");
        assert!(
            all.contains("::group::tagc check --format github tagc.yaml"),
            "{all}"
        );
        assert!(
            all.contains(&format!("--format github --fail-on {fail_on}")),
            "{all}"
        );
        let md = std::fs::read_to_string(&summary).expect("the summary");
        assert!(
            md.contains("pricing"),
            "the markdown diff names the page: {md}"
        );
    }
    // The base was fetched.
    git(
        &work,
        &["rev-parse", "--verify", "refs/remotes/origin/main"],
    );

    // A notable change (a button's standard event for another) fails `notable` only.
    let dir = pull_request(|c| c.replacen("event: Contact ", "event: Lead    ", 1));
    let work = dir.path().join("work");
    for (fail_on, code) in [("breaking", 0), ("notable", 1)] {
        std::fs::write(&summary, "").expect("write");
        let out = action(
            &work,
            &[
                ("GITHUB_EVENT_NAME", "pull_request"),
                ("GITHUB_BASE_REF", "main"),
                ("GITHUB_STEP_SUMMARY", summary_s),
                ("TAGC_FAIL_ON", fail_on),
            ],
        );
        let all = text(&out);
        assert_eq!(out.status.code(), Some(code), "fail-on {fail_on}: {all}");
        assert!(all.contains("event.changed"), "{all}");
    }

    // A breaking change: events go to another pixel.
    let dir = pull_request(|c| c.replace("123456789012345", "999999999999999"));
    let work = dir.path().join("work");
    std::fs::write(&summary, "").expect("write");
    let out = action(
        &work,
        &[
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_BASE_REF", "main"),
            ("GITHUB_STEP_SUMMARY", summary_s),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(!std::fs::read_to_string(&summary).expect("read").is_empty());

    // The `allow` input acknowledges it (a rule with `*` is not a file-name pattern).
    let out = action(
        &work,
        &[
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_BASE_REF", "main"),
            ("GITHUB_STEP_SUMMARY", summary_s),
            ("TAGC_ALLOW", "pixel.id_changed:pixel/main\n*:page/none*"),
        ],
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(
        all.contains("acknowledged by pixel.id_changed:pixel/main"),
        "{all}"
    );
    assert!(all.contains("*:page/none* matches no change"), "{all}");
}

/// The `sh ci-job` blocks of docs/ci.md.
fn ci_job_blocks() -> Vec<Block> {
    let found: Vec<Block> = blocks(&root().join("docs/ci.md"))
        .into_iter()
        .filter(|b| b.words.iter().any(|w| w == "ci-job"))
        .collect();
    assert!(!found.is_empty(), "docs/ci.md has its shell recipe");
    found
}

// needs tagc diff
/// docs/ci.md's shell recipe (`sh ci-job`) runs as written in a pull request's checkout.
#[test]
fn docs_ci_shell_recipe_runs_on_a_pull_request() {
    for block in ci_job_blocks() {
        let dir = pull_request(add_a_page);
        let work = dir.path().join("work");
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("set -e\n{}", block.body))
            .current_dir(&work)
            .env("PATH", path_with_tagc())
            .output()
            .expect("bash runs");
        assert_eq!(out.status.code(), Some(0), "{}: {}", block.at, text(&out));
        let md = std::fs::read_to_string(work.join("tagc-diff.md")).expect("tagc-diff.md");
        assert!(md.contains("pricing"), "{}: {md}", block.at);
    }
}

/// Parses YAML with tagc's own loader.
fn yaml(text: &str) -> serde_json::Value {
    tagc::load::yaml::parse(tagc::source::FileId(0), text, tagc::load::Limits::default())
        .expect("YAML")
        .value
}

/// docs/ci.md shows the action with inputs it has, documents every input, and the action
/// passes every input to the script, which reads it.
#[test]
fn docs_ci_workflow_uses_the_actions_inputs() {
    let action_text = std::fs::read_to_string(root().join("action.yml")).expect("action.yml");
    let action = yaml(&action_text);
    let inputs: Vec<&String> = action["inputs"]
        .as_object()
        .expect("inputs")
        .keys()
        .collect();
    let script = std::fs::read_to_string(root().join("scripts/ci-action.sh")).expect("script");
    let step = &action["runs"]["steps"][0];
    assert_eq!(action["runs"]["using"], "composite");
    assert!(
        step["run"]
            .as_str()
            .is_some_and(|r| r.contains("scripts/ci-action.sh")),
        "{step}"
    );
    let env = step["env"].as_object().expect("the step's env");
    for input in &inputs {
        let (var, _) = env
            .iter()
            .find(|(_, v)| v.as_str() == Some(&format!("${{{{ inputs.{input} }}}}")))
            .unwrap_or_else(|| panic!("input `{input}` is not passed to the script"));
        assert!(script.contains(var.as_str()), "the script reads {var}");
    }

    let ci_md = std::fs::read_to_string(root().join("docs/ci.md")).expect("docs/ci.md");
    for input in &inputs {
        assert!(
            ci_md.contains(&format!("| `{input}` |")),
            "docs/ci.md's table has input `{input}`"
        );
    }
    let workflows: Vec<Block> = blocks(&root().join("docs/ci.md"))
        .into_iter()
        .filter(|b| b.words.iter().any(|w| w == "github-workflow"))
        .collect();
    let mut uses = 0;
    for block in &workflows {
        let wf = yaml(&block.body);
        for job in wf["jobs"].as_object().expect("jobs").values() {
            for step in job["steps"].as_array().expect("steps") {
                let Some(used) = step["uses"].as_str() else {
                    continue;
                };
                if !(used.starts_with("OWNER/tagc@") || used == "./") {
                    continue;
                }
                uses += 1;
                for key in step["with"].as_object().into_iter().flat_map(|w| w.keys()) {
                    assert!(
                        inputs.contains(&key),
                        "{}: `{key}` is not an input of action.yml",
                        block.at
                    );
                }
            }
        }
    }
    assert!(uses >= 1, "docs/ci.md shows the action in a workflow");
}

/// Where pre-commit is: `TAGC_PRE_COMMIT`, or the venv scripts/test installs it into.
/// Missing: a failure on CI (`CI` set), a loud skip elsewhere.
fn pre_commit() -> Option<PathBuf> {
    let path = std::env::var_os("TAGC_PRE_COMMIT")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/tools/venv/bin/pre-commit"));
    if path.is_file() {
        return Some(path);
    }
    let msg = format!(
        "pre-commit not found at {}: scripts/test installs it (a venv under target/tools/venv), or set TAGC_PRE_COMMIT",
        path.display()
    );
    assert!(std::env::var_os("CI").is_none(), "{msg}");
    eprintln!("\n\n*** SKIPPED: {msg} ***\n");
    None
}

/// A git repository holding this checkout's files (committed, with what is not yet
/// committed here), so pre-commit can clone it as a hook repository.
fn repo_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root())
        .output()
        .expect("git runs");
    assert!(files.status.success(), "{}", text(&files));
    for name in files.stdout.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let name = std::str::from_utf8(name).expect("utf-8 paths");
        let from = root().join(name);
        if !from.is_file() {
            continue; // deleted here, not yet committed
        }
        let to = dir.path().join(name);
        std::fs::create_dir_all(to.parent().expect("a parent")).expect("mkdir");
        std::fs::copy(&from, &to).expect("copy");
    }
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "copy"]);
    dir
}

/// The pre-commit hook `tagc-check`, through pre-commit: `try-repo` passes on a clean root
/// configuration, fails on a broken one, leaves included files alone; docs/ci.md's
/// `.pre-commit-config.yaml` blocks work as shown (the split one checks its root when an
/// included file changes). pre-commit builds tagc with `cargo install` (a release build)
/// for each `try-repo` and once for the configurations; `CARGO_TARGET_DIR` under target/
/// (the dependencies are built once) and opt-level 0 keep each to 15–40 s on 2 cores, the
/// first about a minute more.
#[test]
fn pre_commit_hook_checks_configurations() {
    let Some(pre_commit) = pre_commit() else {
        return;
    };
    let repo = repo_copy();
    let dir = repo.path();
    let home = tempfile::tempdir().expect("tempdir");
    let shop = std::fs::read_to_string(dir.join("examples/shop/tagc.yaml")).expect("read");
    std::fs::create_dir(dir.join("broken")).expect("mkdir");
    std::fs::write(
        dir.join("broken/tagc.yaml"),
        shop.replace("event: Purchase", "event: Purchse"),
    )
    .expect("write");
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "a broken configuration"]);
    let rev = git(dir, &["rev-parse", "HEAD"]);

    let run = |args: &[&str]| {
        let started = std::time::Instant::now();
        let out = Command::new(&pre_commit)
            .args(args)
            .current_dir(dir)
            .env("PRE_COMMIT_HOME", home.path())
            .env("PRE_COMMIT_COLOR", "never")
            .env("CARGO_TARGET_DIR", root().join("target/pre-commit"))
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .env("CARGO_NET_OFFLINE", "true")
            .env_remove("CARGO_BUILD_TARGET_DIR")
            .output()
            .expect("pre-commit runs");
        eprintln!(
            "pre-commit {args:?}: {:.1}s",
            started.elapsed().as_secs_f64()
        );
        (out.status.code(), text(&out))
    };
    let repo_arg = dir.to_str().expect("utf-8");
    let try_repo = |file: &str| {
        run(&[
            "try-repo",
            repo_arg,
            "tagc-check",
            "--ref",
            &rev,
            "--files",
            file,
        ])
    };

    let (code, all) = try_repo("examples/shop/tagc.yaml");
    assert_eq!(code, Some(0), "{all}");
    assert!(all.contains("Passed"), "{all}");
    let (code, all) = try_repo("broken/tagc.yaml");
    assert_eq!(code, Some(1), "{all}");
    assert!(all.contains("Failed") && all.contains("TAG2001"), "{all}");

    // docs/ci.md's configurations, pointed at the copy; `tracking/` is the multi-file example.
    let configs: Vec<Block> = blocks(&root().join("docs/ci.md"))
        .into_iter()
        .filter(|b| b.words.iter().any(|w| w == "pre-commit-config"))
        .collect();
    assert_eq!(configs.len(), 2, "the plain and the split configuration");
    let write_config = |block: &Block| {
        let config = block
            .body
            .replace("https://github.com/OWNER/tagc", repo_arg)
            .replace("rev: main", &format!("rev: {rev}"))
            .replace("tracking/", "examples/multi-file/");
        assert!(config.contains(repo_arg), "{}: repo", block.at);
        std::fs::write(dir.join(".pre-commit-config.yaml"), config).expect("write");
        git(dir, &["add", ".pre-commit-config.yaml"]);
    };
    let hook = |file: &str| run(&["run", "tagc-check", "--files", file]);

    write_config(&configs[0]);
    let (code, all) = hook("examples/shop/tagc.yaml");
    assert_eq!(code, Some(0), "{}: {all}", configs[0].at);
    assert!(all.contains("Passed"), "{all}");
    let (code, all) = hook("examples/multi-file/pages/home.yaml");
    assert_eq!(code, Some(0), "{all}");
    assert!(
        all.contains("Skipped"),
        "an included file is not checked alone: {all}"
    );

    write_config(&configs[1]);
    let (code, all) = hook("examples/multi-file/pages/home.yaml");
    assert_eq!(code, Some(0), "{}: {all}", configs[1].at);
    assert!(all.contains("Passed"), "the root is checked: {all}");
    let home_page = dir.join("examples/multi-file/pages/home.yaml");
    let page = std::fs::read_to_string(&home_page).expect("read");
    std::fs::write(&home_page, page.replace("event: Contact", "event: Contct")).expect("write");
    let (code, all) = hook("examples/multi-file/pages/home.yaml");
    assert_eq!(code, Some(1), "{}: {all}", configs[1].at);
    assert!(all.contains("TAG2001"), "{all}");
}
