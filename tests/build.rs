//! `tagc build` and `tagc snippet`: the artifacts of every example (insta snapshots), their
//! manifest and integrity hashes, determinism, escaping of hostile strings, `node --check`,
//! and the failure modes (unknown environment or page, a broken config, atomic output).

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use base64::Engine as _;
use sha2::{Digest, Sha256, Sha384};

const EXAMPLES: [&str; 4] = ["event-landing", "shop", "offline", "multi-file"];

fn tagc() -> Command {
    let mut c = Command::cargo_bin("tagc").expect("binary builds");
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    c
}

fn build(config: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    tagc()
        .args(["build", config, "--out"])
        .arg(out)
        .args(extra)
        .output()
        .expect("runs")
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// The JavaScript inside the `<script>` elements of an HTML snippet.
fn scripts(html: &str) -> Vec<String> {
    html.split("<script")
        .skip(1)
        .filter_map(|s| {
            let (_, rest) = s.split_once('>')?;
            let (body, _) = rest.split_once("</script>")?;
            Some(body.to_owned())
        })
        .filter(|b| !b.trim().is_empty())
        .collect()
}

fn node_check(js: &str, name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("check.js");
    std::fs::write(&path, js).unwrap();
    let out = Process::new("node")
        .arg("--check")
        .arg(&path)
        .output()
        .expect("node is installed (apt-get install -y nodejs)");
    assert!(
        out.status.success(),
        "{name} is not valid JavaScript:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_example_builds_and_its_artifacts_are_snapshots() {
    for example in EXAMPLES {
        let dir = tempfile::tempdir().unwrap();
        let config = format!("examples/{example}/tagc.yaml");
        let out = build(&config, dir.path(), &[]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{example}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for rel in files(dir.path()) {
            let text = std::fs::read_to_string(dir.path().join(&rel)).unwrap();
            let name = format!("{example}__{}", rel.display()).replace(['/', '\\'], "__");
            insta::assert_snapshot!(name, text);
        }
    }
}

#[test]
fn generated_javascript_parses() {
    for example in EXAMPLES {
        let dir = tempfile::tempdir().unwrap();
        let out = build(&format!("examples/{example}/tagc.yaml"), dir.path(), &[]);
        assert_eq!(out.status.code(), Some(0));
        for rel in files(dir.path()) {
            let text = std::fs::read_to_string(dir.path().join(&rel)).unwrap();
            let name = format!("{example}/{}", rel.display());
            if name.ends_with(".js") {
                node_check(&text, &name);
            } else if name.ends_with(".html") {
                let s = scripts(&text);
                assert!(!s.is_empty(), "{name} has a script");
                for js in s {
                    node_check(&js, &name);
                }
            }
        }
    }
}

#[test]
fn manifest_lists_every_artifact_with_its_sha256_and_the_sri_is_right() {
    let dir = tempfile::tempdir().unwrap();
    let out = build(
        "examples/shop/tagc.yaml",
        dir.path(),
        &["--script-url", "/static/tagc.js"],
    );
    assert_eq!(out.status.code(), Some(0));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("manifest.json")).unwrap()).unwrap();
    let listed: Vec<&str> = manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["path"].as_str().unwrap())
        .collect();
    let on_disk: Vec<String> = files(dir.path())
        .iter()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .filter(|p| p != "manifest.json")
        .collect();
    assert_eq!(listed, on_disk);
    for a in manifest["artifacts"].as_array().unwrap() {
        let bytes = std::fs::read(dir.path().join(a["path"].as_str().unwrap())).unwrap();
        let hex: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(a["sha256"], hex.as_str());
        assert_eq!(a["bytes"], bytes.len());
    }
    let js = std::fs::read(dir.path().join("pixel/tagc.js")).unwrap();
    let sri = format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha384::digest(&js))
    );
    assert_eq!(manifest["pixel"]["integrity"], sri.as_str());
    let head = std::fs::read_to_string(dir.path().join("pixel/head.html")).unwrap();
    assert!(
        head.contains(&format!(
            r#"<script src="/static/tagc.js" integrity="{sri}" crossorigin="anonymous" async></script>"#
        )),
        "{head}"
    );
    // The inline loader's CSP hash is the hash of its text.
    let loader = &scripts(&head)[0];
    let csp = format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(loader.as_bytes()))
    );
    assert_eq!(manifest["pixel"]["csp"]["script-src"][1], csp.as_str());
}

#[test]
fn builds_are_byte_identical() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    assert_eq!(
        build("examples/shop/tagc.yaml", a.path(), &[])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        build("examples/shop/tagc.yaml", b.path(), &[])
            .status
            .code(),
        Some(0)
    );
    let fa = files(a.path());
    assert_eq!(fa, files(b.path()));
    for rel in fa {
        assert_eq!(
            std::fs::read(a.path().join(&rel)).unwrap(),
            std::fs::read(b.path().join(&rel)).unwrap(),
            "{}",
            rel.display()
        );
    }
}

#[test]
fn snippet_prints_the_page_artifact() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        build("examples/shop/tagc.yaml", dir.path(), &[])
            .status
            .code(),
        Some(0)
    );
    let out = tagc()
        .args(["snippet", "examples/shop/tagc.yaml", "--page", "thank-you"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        out.stdout,
        std::fs::read(dir.path().join("pixel/pages/thank-you.html")).unwrap()
    );
}

/// `snippet`'s stdout is the snippet (`> head.html`), whatever the diagnostics format:
/// machine-readable diagnostics go to stderr there. `--format` is kept as another name
/// for `--diagnostics-format`.
#[test]
fn snippet_diagnostics_never_mix_with_the_snippet() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.yaml");
    // A custom event named like no standard one: a warning, and the snippet is still made.
    std::fs::write(
        &path,
        "pixels:\n  - name: main\n    ids: {production: \"123456789012345\"}\npages:\n  - id: home\n    url: /\n    buttons:\n      - id: n\n        text: Newsletter\n        event: NewsletterSignup\n",
    )
    .unwrap();
    let plain = tagc()
        .args(["snippet", path.to_str().unwrap(), "--page", "home"])
        .output()
        .unwrap();
    assert_eq!(plain.status.code(), Some(0));
    for flag in ["--diagnostics-format", "--format"] {
        for format in ["json", "github"] {
            let out = tagc()
                .args([
                    "snippet",
                    path.to_str().unwrap(),
                    "--page",
                    "home",
                    flag,
                    format,
                ])
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(0), "{flag} {format}");
            assert_eq!(
                out.stdout, plain.stdout,
                "{flag} {format}: stdout is the snippet"
            );
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains("TAG"),
                "{flag} {format}: the warning is on stderr: {err}"
            );
        }
    }
    // `build` keeps machine formats on stdout, like `check`, so CI reads the annotations.
    let out = tagc()
        .args([
            "build",
            path.to_str().unwrap(),
            "--diagnostics-format",
            "json",
            "--out",
        ])
        .arg(dir.path().join("dist"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["warnings"], 1, "{v}");
}

/// A server-only configuration (no pages) has nothing to put a pixel on: no
/// `pixel/head.html` with a `<noscript>` PageView, no `tagc.js`, no `pixel` entry in the
/// manifest — only the mapping and the plan.
#[test]
fn a_server_only_configuration_has_no_pixel_artifacts() {
    let dir = tempfile::tempdir().unwrap();
    let out = build("examples/offline/tagc.yaml", dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!dir.path().join("pixel").exists(), "no pixel directory");
    assert!(dir.path().join("capi/mapping.json").exists());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("manifest.json")).unwrap()).unwrap();
    assert!(manifest.get("pixel").is_none(), "{manifest}");
}

#[test]
fn staging_uses_the_staging_pixel() {
    let out = tagc()
        .args([
            "snippet",
            "examples/shop/tagc.yaml",
            "--page",
            "home",
            "--env",
            "staging",
        ])
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains(r#"fbq('init', "271828182845904");"#), "{s}");
    assert!(!s.contains("314159265358979"));
}

#[test]
fn nonce_placeholder_goes_on_every_inline_script() {
    let out = tagc()
        .args([
            "snippet",
            "examples/event-landing/tagc.yaml",
            "--page",
            "landing",
            "--nonce",
            "{{ csp_nonce }}",
        ])
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert_eq!(s.matches("<script").count(), 1);
    assert!(s.contains(r#"<script nonce="{{ csp_nonce }}">"#), "{s}");
    // Other template engines' placeholders reach every script tag as they are, in both
    // delivery modes.
    let dir = tempfile::tempdir().unwrap();
    let out = tagc()
        .args([
            "build",
            "examples/shop/tagc.yaml",
            "--nonce",
            "<%= @nonce %>",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let head = std::fs::read_to_string(dir.path().join("pixel/head.html")).unwrap();
    assert_eq!(
        head.matches(r#"<script nonce="<%= @nonce %>""#).count(),
        2,
        "{head}"
    );
    let page = std::fs::read_to_string(dir.path().join("pixel/pages/cart.html")).unwrap();
    assert!(page.contains(r#"<script nonce="<%= @nonce %>">"#), "{page}");
    // A nonce cannot break out of its attribute: refused as a usage error.
    let out = tagc()
        .args([
            "snippet",
            "examples/event-landing/tagc.yaml",
            "--page",
            "landing",
            "--nonce",
            "\"><script>x()</script>",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("double quote"), "{err}");
}

#[test]
fn hostile_strings_stay_inside_their_strings() {
    let out = tagc()
        .args([
            "snippet",
            "tests/fixtures/build/hostile.yaml",
            "--page",
            "hostile",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8(out.stdout).unwrap();
    // Exactly one script element, closed once; one comment (the header), closed once.
    assert_eq!(s.matches("<script").count(), 1, "{s}");
    assert_eq!(s.to_lowercase().matches("</script").count(), 1, "{s}");
    assert_eq!(s.matches("<!--").count(), 1, "{s}");
    assert_eq!(s.matches("-->").count(), 1, "{s}");
    assert!(!s.contains('\u{2028}') && !s.contains('\u{2029}'));
    for js in scripts(&s) {
        node_check(&js, "hostile snippet");
    }
    insta::assert_snapshot!("hostile__snippet", s);
}

#[test]
fn emit_ir_prints_the_resolved_model() {
    let out = tagc()
        .args(["build", "examples/shop/tagc.yaml", "--emit", "ir"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // The document itself, as printed (numbers as written, never re-rendered).
    let text = String::from_utf8(out.stdout).unwrap();
    serde_json::from_str::<serde_json::Value>(&text).unwrap();
    insta::assert_snapshot!("shop__ir", text);
}

#[test]
fn unknown_env_and_page_are_usage_errors() {
    let out = tagc()
        .args([
            "snippet",
            "examples/shop/tagc.yaml",
            "--page",
            "home",
            "--env",
            "prod",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("`production`, `staging`"), "{e}");
    let out = tagc()
        .args(["snippet", "examples/shop/tagc.yaml", "--page", "thankyou"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("did you mean `thank-you`?"), "{e}");
}

#[test]
fn a_config_with_errors_builds_nothing_and_keeps_the_previous_output() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        build("examples/shop/tagc.yaml", dir.path(), &[])
            .status
            .code(),
        Some(0)
    );
    let before = std::fs::read(dir.path().join("manifest.json")).unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "pixels: [{name: main, ids: {production: \"123\"}}]\npages: [{id: a, url: /, on_load: [{event: Purchse}]}]\n",
    )
    .unwrap();
    let out = tagc()
        .args(["build"])
        .arg(&bad)
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("nothing generated"), "{e}");
    assert_eq!(
        std::fs::read(dir.path().join("manifest.json")).unwrap(),
        before
    );
}

#[test]
fn an_unwritable_output_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let out = build("examples/shop/tagc.yaml", &file, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
}

#[path = "../benches/common/mod.rs"]
#[allow(dead_code)]
mod bench_config;

/// A site large enough to be generated on every core (pages are split into one chunk per
/// core, of at least 64) gives, in page order, every time, the checks and snippets of a
/// one-page-at-a-time derivation.
#[test]
fn a_large_site_is_generated_in_parallel_with_the_sequential_bytes() {
    use tagc::dist::layout;
    let dir = tempfile::tempdir().unwrap();
    let root = bench_config::generate(dir.path(), 300, 2);
    let checked =
        tagc::check::check_paths(&[root], tagc::load::Limits::default()).expect("readable");
    assert!(!checked.diagnostics.has_errors());
    let site = tagc::resolve::resolve(&checked.configs[0], "production").expect("resolves");
    let opts = tagc::emit::PixelOptions {
        nonce: None,
        script_url: "/tagc.js".into(),
    };
    let artifacts = tagc::build::emit(&site, &checked.sources, &opts).expect("emits");
    assert_eq!(
        artifacts,
        tagc::build::emit(&site, &checked.sources, &opts).expect("emits"),
        "deterministic"
    );

    // The plan, streamed line by line from the workers, is the plan document.
    let plan = tagc::verify::plan::build(
        &site,
        &checked.sources,
        &layout::relative(layout::VERIFY_PLAN, layout::PAGE_SNIPPETS),
        None,
    );
    assert_eq!(plan.checks.len(), 300 * 11);
    let plan_bytes = &artifacts
        .iter()
        .find(|a| a.path == layout::VERIFY_PLAN)
        .unwrap()
        .bytes;
    assert_eq!(
        std::str::from_utf8(plan_bytes).unwrap(),
        plan.to_json(),
        "render() == build().to_json()"
    );
    // Each page's harness is built with its own index: a wrong one would route its path
    // to another page and say so.
    for c in &plan.checks {
        if let tagc::verify::plan::PlanCheck::Browser(b) = c {
            assert_eq!(b.harness_error, None, "{}", b.id);
        }
    }
    let ids: Vec<&str> = plan.checks.iter().map(|c| c.id()).collect();
    assert_eq!(ids[0], "browser/page-0/load");
    assert_eq!(ids[11], "browser/page-1/load");
    assert_eq!(ids[3299], "browser/page-299/wish-9");

    // Every page's snippet, in page order, is what rendering that page alone gives.
    let snippets: Vec<&tagc::dist::OutputFile> = artifacts
        .iter()
        .filter(|a| a.kind == "page-snippet")
        .collect();
    assert_eq!(snippets.len(), 300);
    for (i, page) in site.pages.iter().enumerate() {
        assert_eq!(
            snippets[i].path,
            layout::path(&tagc::artifact::ArtifactId::PageSnippet {
                page: page.id.clone()
            })
        );
    }
    for i in [0, 63, 64, 150, 299] {
        let one = site.only_page(&site.pages[i].id).unwrap();
        let alone = tagc::emit::pixel::inline_snippet(&one, &opts).unwrap();
        assert_eq!(std::str::from_utf8(&snippets[i].bytes).unwrap(), alone);
    }
}

/// The library driver writes what `tagc build` writes: the same files, the same bytes,
/// each where `dist::layout` says, the manifest listing the others.
#[test]
fn the_library_driver_builds_what_the_command_builds() {
    use tagc::dist::layout;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = root.join("examples/shop/tagc.yaml");
    let by_cli = tempfile::tempdir().unwrap();
    let out = build(config.to_str().unwrap(), by_cli.path(), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let by_lib = tempfile::tempdir().unwrap();
    let opts = tagc::emit::PixelOptions {
        nonce: None,
        script_url: "/tagc.js".into(),
    };
    let built =
        tagc::build::build(&config, "production", &opts, Some(by_lib.path())).expect("builds");
    assert!(!built.diagnostics.has_errors());
    assert_eq!(files(by_lib.path()), files(by_cli.path()));
    for f in files(by_cli.path()) {
        assert_eq!(
            std::fs::read(by_lib.path().join(&f)).unwrap(),
            std::fs::read(by_cli.path().join(&f)).unwrap(),
            "{}",
            f.display()
        );
    }
    assert_eq!(built.files.last().unwrap().path, layout::MANIFEST);
    for path in [
        layout::SITE_SCRIPT,
        layout::CAPI_MAPPING,
        layout::VERIFY_PLAN,
    ] {
        assert!(built.files.iter().any(|f| f.path == path), "{path}");
    }
}

/// A configuration with errors stops the driver before anything is generated, and the
/// error carries the diagnostics to render.
#[test]
fn the_library_driver_stops_on_errors_with_the_diagnostics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = root.join("tests/fixtures/invalid/TAG0002-tab-indentation.yaml");
    let out = tempfile::tempdir().unwrap();
    let opts = tagc::emit::PixelOptions {
        nonce: None,
        script_url: "/tagc.js".into(),
    };
    match tagc::build::build(&config, "production", &opts, Some(out.path())) {
        Err(tagc::build::BuildError::Invalid { diagnostics, .. }) => {
            assert!(diagnostics.has_errors());
        }
        other => panic!("{other:?}"),
    }
    assert!(files(out.path()).is_empty(), "nothing written");
}

/// Resolving a configuration by value (what `tagc build` does, dropping typed pages a batch
/// at a time) gives the site resolving it by reference gives, across batch boundaries.
#[test]
fn resolving_by_value_gives_the_same_site() {
    let dir = tempfile::tempdir().unwrap();
    let root = bench_config::generate(dir.path(), 2_100, 2);
    let checked =
        tagc::check::check_paths(&[root], tagc::load::Limits::default()).expect("readable");
    assert!(!checked.diagnostics.has_errors());
    let by_ref = tagc::resolve::resolve(&checked.configs[0], "production").expect("resolves");
    let (by_value, _, _) = tagc::build::resolve_checked(checked, "production").expect("resolves");
    assert_eq!(by_value.pages.len(), 2_100);
    assert_eq!(by_value, by_ref);
}
