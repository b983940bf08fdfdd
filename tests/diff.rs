//! `tagc diff`: each output format on one pair (snapshots), the JSON report against its
//! committed schema, and sides read from git revisions in a temporary repository.

use std::path::Path;
use std::process::Command as Std;

use assert_cmd::Command;

const BASE: &str = "tests/fixtures/diff/base.yaml";
const HEAD: &str = "tests/fixtures/diff/head.yaml";

fn tagc() -> Command {
    let mut c = Command::cargo_bin("tagc").expect("binary builds");
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    c
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = tagc().args(args).output().expect("tagc runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn human_report() {
    let (code, out, err) = run(&["diff", BASE, HEAD]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn markdown_report_escapes_configuration_text() {
    let (code, out, err) = run(&["diff", BASE, HEAD, "--format", "markdown"]);
    assert_eq!(code, 0, "{err}");
    // The button text `Guardar | <b>favorito</b>` and `</script>` stay inert text.
    assert!(!out.contains("<b>") && !out.contains("</script>"), "{out}");
    for line in out.lines().filter(|l| l.starts_with("| `")) {
        let cells = line.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 6, "a cell broke the table: {line}");
    }
    insta::assert_snapshot!(out);
}

#[test]
fn json_report_follows_its_committed_schema() {
    let (code, out, err) = run(&["diff", BASE, HEAD, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let committed =
        std::fs::read_to_string(root.join("schema/diff.schema.json")).unwrap_or_default();
    assert_eq!(
        committed,
        tagc::diff::schema_text(),
        "schema/diff.schema.json is out of date; regenerate it with:\n\n    cargo run -- schema diff > schema/diff.schema.json\n"
    );
    let schema: serde_json::Value = serde_json::from_str(&committed).expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(report["version"], 1);
    insta::assert_snapshot!(out);
}

#[test]
fn github_annotations_land_on_head_lines() {
    let (code, out, err) = run(&[
        "diff",
        BASE,
        HEAD,
        "--format",
        "github",
        "--fail-on",
        "breaking",
    ]);
    assert_eq!(code, 1, "breaking changes fail --fail-on breaking: {err}");
    for line in out.lines() {
        assert!(
            line.starts_with("::error file=tests/fixtures/diff/head.yaml,line=")
                || line.starts_with("::warning file=tests/fixtures/diff/head.yaml,line=")
                || line.starts_with("::notice file=tests/fixtures/diff/head.yaml,line="),
            "{line}"
        );
    }
    insta::assert_snapshot!(out);
}

#[test]
fn a_configuration_against_itself_has_no_change() {
    for format in ["human", "markdown", "json", "github"] {
        let (code, out, err) = run(&[
            "diff",
            BASE,
            BASE,
            "--format",
            format,
            "--fail-on",
            "notable",
        ]);
        assert_eq!(code, 0, "{format}: {err}");
        if format == "json" {
            let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
            assert_eq!(v["changes"], serde_json::json!([]));
        }
        if format == "github" {
            assert_eq!(out, "");
        }
    }
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["diff", BASE]).0, 2, "one side without --base");
    assert_eq!(
        run(&["diff", "--base", "HEAD", BASE, HEAD]).0,
        2,
        "--base with two sides"
    );
    assert_eq!(
        run(&["diff", BASE, "tests/fixtures/diff/none.yaml"]).0,
        2,
        "missing file"
    );
    let (code, _, err) = run(&["diff", BASE, HEAD, "--allow", "page.remove:page/wishlist"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `page.removed`"), "{err}");
    let (code, _, err) = run(&["diff", BASE, HEAD, "--env", "qa"]);
    assert_eq!(code, 2);
    assert!(err.contains("`production`, `staging`"), "{err}");
}

#[test]
fn acknowledged_changes_are_reported_but_do_not_fail() {
    let allows = [
        "--allow",
        "*:page/wishlist*",
        "--allow",
        "*:page/landing*",
        "--allow",
        "*:page/product*",
        "--allow",
        "*:server/registration*",
        "--allow",
        "pixel.id_changed:pixel/main",
    ];
    let mut args = vec![
        "diff",
        BASE,
        HEAD,
        "--fail-on",
        "notable",
        "--format",
        "json",
    ];
    args.extend(allows);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}\n{out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        v["summary"]["acknowledged"],
        v["changes"].as_array().map_or(0, Vec::len)
    );
    // Without the pixel rule one breaking change is left: exit 1.
    let (code, _, _) = run(&args[..args.len() - 2]);
    assert_eq!(code, 1);
    let (code, out, _) = run(&["diff", BASE, BASE, "--allow", "page.removed:page/gone"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("page.removed:page/gone matches no change"),
        "{out}"
    );
}

#[test]
fn an_invalid_side_is_reported_and_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "pixels: [\n").expect("write");
    let (code, _, err) = run(&["diff", BASE, &bad.to_string_lossy()]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("TAG0002") && err.contains("nothing was compared"),
        "{err}"
    );
}

// ---- git revisions -----------------------------------------------------------------

fn git(dir: &Path, args: &[&str]) {
    let out = Std::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const ROOT: &str = "\
pixels:
  - name: main
    ids: {production: \"123456789012345\"}
include:
  - pages/*.yaml
";

const HOME: &str = "\
pages:
  - id: home
    url: /
    buttons:
      - id: signup
        text: Sign up
        event: Lead
";

/// A repository with `tracking/tagc.yaml` including `tracking/pages/home.yaml`, committed.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = dir.path().join("tracking");
    std::fs::create_dir_all(t.join("pages")).expect("mkdir");
    std::fs::write(t.join("tagc.yaml"), ROOT).expect("write");
    std::fs::write(t.join("pages/home.yaml"), HOME).expect("write");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "base"]);
    dir
}

fn diff_in(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = tagc()
        .current_dir(dir)
        .arg("diff")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("tagc runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap_or(-1), v, stderr)
}

fn kinds(v: &serde_json::Value) -> Vec<String> {
    v["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn base_revision_reads_includes_at_that_revision() {
    let dir = repo();
    let t = dir.path().join("tracking");
    // Only the included file changes in the working tree.
    std::fs::write(
        t.join("pages/home.yaml"),
        HOME.replace("Sign up", "Register"),
    )
    .expect("write");
    let (code, v, err) = diff_in(dir.path(), &["--base", "main", "tracking/tagc.yaml"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(kinds(&v), ["button.locator_changed"]);
    assert_eq!(v["base"], "main:tracking/tagc.yaml");
    let c = &v["changes"][0];
    assert_eq!(c["base"]["file"], "main:tracking/pages/home.yaml");
    assert_eq!(c["base"]["rev"], "main");
    assert_eq!(c["base"]["path"], "tracking/pages/home.yaml");
    assert_eq!(c["head"]["file"], "tracking/pages/home.yaml");
    // The same from inside the directory, with a path relative to it.
    let (code, v, err) = diff_in(&t, &["--base", "main", "tagc.yaml"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(kinds(&v), ["button.locator_changed"]);
    assert_eq!(
        v["changes"][0]["base"]["file"],
        "main:tracking/pages/home.yaml"
    );
}

#[test]
fn both_sides_may_be_revisions_and_text_only_commits_change_nothing() {
    let dir = repo();
    let t = dir.path().join("tracking");
    // Comments, key order and a flow mapping: the same configuration.
    let reworded = "# the home page\npages:\n  - url: /\n    id: home\n    buttons:\n      - {event: Lead, text: Sign up, id: signup}\n";
    std::fs::write(t.join("pages/home.yaml"), reworded).expect("write");
    git(dir.path(), &["commit", "-qam", "reformat"]);
    let (code, v, err) = diff_in(
        dir.path(),
        &["main~1:tracking/tagc.yaml", "main:tracking/tagc.yaml"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(kinds(&v), Vec::<String>::new());
    // Deleting the included page file removes the page.
    std::fs::remove_file(t.join("pages/home.yaml")).expect("rm");
    std::fs::write(t.join("pages/other.yaml"), HOME.replace("home", "other")).expect("write");
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "move"]);
    let (code, v, err) = diff_in(
        dir.path(),
        &[
            "HEAD~1:tracking/tagc.yaml",
            "HEAD:tracking/tagc.yaml",
            "--fail-on",
            "breaking",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(kinds(&v), ["page.removed", "page.added"]);
    // A removed page is annotated on the head's root file (its nearest surviving parent).
    assert_eq!(v["changes"][0]["head"]["file"], "HEAD:tracking/tagc.yaml");
}

#[test]
fn bad_revisions_and_paths_exit_2_with_a_reason() {
    let dir = repo();
    let (code, _, err) = diff_in(
        dir.path(),
        &["--base", "no-such-branch", "tracking/tagc.yaml"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("`no-such-branch` is not a revision"), "{err}");
    let (code, _, err) = diff_in(
        dir.path(),
        &["main:tracking/none.yaml", "tracking/tagc.yaml"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("`tracking/none.yaml` does not exist at `main`"),
        "{err}"
    );
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("tagc.yaml"), ROOT).expect("write");
    let (code, _, err) = diff_in(outside.path(), &["--base", "main", "tagc.yaml"]);
    assert_eq!(code, 2);
    assert!(err.contains("not inside a git repository"), "{err}");
}

#[test]
fn the_head_can_acknowledge_its_own_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let head =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(HEAD)).expect("head");
    let acks = "\nacknowledge:\n  - change: page.removed:page/wishlist\n    reason: The wishlist was retired in Q3\n  - change: \"*:page/gone*\"\n    reason: stale on purpose\n";
    let path = dir.path().join("head.yaml");
    std::fs::write(&path, format!("{head}{acks}")).expect("write");
    let p = path.to_string_lossy().into_owned();
    let (code, out, err) = run(&["diff", BASE, &p, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let removed: Vec<&serde_json::Value> = v["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["kind"] == "page.removed")
        .collect();
    assert_eq!(removed.len(), 1);
    let by = removed[0]["acknowledged_by"].as_str().unwrap_or_default();
    assert!(
        by.starts_with("page.removed:page/wishlist (")
            && by.ends_with("head.yaml:69: The wishlist was retired in Q3)"),
        "{by}"
    );
    assert_eq!(
        v["unused_allows"].as_array().map_or(0, Vec::len),
        1,
        "{}",
        v["unused_allows"]
    );
    assert_eq!(v["summary"]["acknowledged"], 1);

    // A misspelt kind in the configuration is the configuration's problem: exit 1.
    std::fs::write(
        &path,
        format!("{head}\nacknowledge:\n  - change: page.remove:page/wishlist\n    reason: typo\n"),
    )
    .expect("write");
    let (code, _, err) = run(&["diff", BASE, &p]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("head.yaml:69") && err.contains("did you mean `page.removed`"),
        "{err}"
    );
}

/// The pull request that introduces tagc: the base has no configuration yet. That is not
/// an error (the action must not fail it) and not "no change" either: the report says so.
#[test]
fn a_configuration_new_at_head_has_nothing_to_compare() {
    let dir = repo();
    let t = dir.path().join("tracking");
    std::fs::write(
        t.join("new.yaml"),
        ROOT.replace("include:\n  - pages/*.yaml\n", ""),
    )
    .expect("write");
    for (format, stdout_has) in [("human", "is new"), ("markdown", "a new configuration")] {
        let out = tagc()
            .current_dir(dir.path())
            .args([
                "diff",
                "--base",
                "main",
                "tracking/new.yaml",
                "--fail-on",
                "breaking",
                "--format",
                format,
            ])
            .output()
            .expect("tagc runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains(stdout_has) && stdout.contains("does not exist at"),
            "{stdout}"
        );
    }
    // Its errors still fail.
    std::fs::write(t.join("new.yaml"), "pixels: [\n").expect("write");
    let (code, _, err) = diff_in(dir.path(), &["--base", "main", "tracking/new.yaml"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("TAG0002"), "{err}");
}
