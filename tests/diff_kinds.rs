//! `tagc diff`, tested as a black box against docs/diff.md: for every kind of the table, a
//! pair of small configurations (both `tagc check` clean) that must produce exactly that
//! kind — nothing else — and the reverse direction; text-only changes that must produce
//! nothing; environments, `--fail-on`, `--allow` and exit codes.
//!
//! Written without reading the implementation (src/diff/compare.rs): the oracle is the
//! documentation. A test that disagrees with it is kept, marked `#[ignore = "…"]`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

// ---------------------------------------------------------------------------------------
// The kinds table of docs/diff.md, as this test reads it.

const KINDS: &[(&str, &str)] = &[
    ("page.removed", "breaking"),
    ("page.url_narrowed", "breaking"),
    ("load_event.removed", "breaking"),
    ("button.removed", "breaking"),
    ("button.locator_changed", "breaking"),
    ("button.trigger_changed", "breaking"),
    ("event.made_custom", "breaking"),
    ("event.renamed", "breaking"),
    ("event.pixels_narrowed", "breaking"),
    ("param.removed", "breaking"),
    ("param.source_changed", "breaking"),
    ("server_event.removed", "breaking"),
    ("server_event.pixels_narrowed", "breaking"),
    ("user_data.removed", "breaking"),
    ("user_data.source_changed", "breaking"),
    ("dedup.removed", "breaking"),
    ("dedup.broken", "breaking"),
    ("pixel.removed", "breaking"),
    ("pixel.id_changed", "breaking"),
    ("consent.changed", "breaking"),
    ("limited_data_use.changed", "breaking"),
    ("event.changed", "notable"),
    ("event.pixels_widened", "notable"),
    ("event_id.changed", "notable"),
    ("param.type_changed", "notable"),
    ("param.constant_changed", "notable"),
    ("param.format_changed", "notable"),
    ("user_data.format_changed", "notable"),
    ("server_event.pixels_widened", "notable"),
    ("server_event.action_source_changed", "notable"),
    ("server_event.changed", "notable"),
    ("dedup.changed", "notable"),
    ("pixel.added", "notable"),
    ("graph.version_changed", "notable"),
    ("server.defaults_changed", "notable"),
    ("page.added", "info"),
    ("page.url_widened", "info"),
    ("load_event.added", "info"),
    ("button.added", "info"),
    ("param.added", "info"),
    ("server_event.added", "info"),
    ("user_data.added", "info"),
    ("dedup.added", "info"),
    ("site.changed", "info"),
];

fn severity_of(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .unwrap_or_else(|| panic!("`{kind}` is not a kind of docs/diff.md"))
        .1
}

// ---------------------------------------------------------------------------------------
// Running the real binary.

fn tagc(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tagc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("tagc runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A temporary directory holding `base.yaml` and `head.yaml` (plus any other files).
struct Sides {
    dir: tempfile::TempDir,
}

impl Sides {
    fn new(base: &str, head: &str) -> Sides {
        let s = Sides {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        s.write("base.yaml", base);
        s.write("head.yaml", head);
        s
    }

    fn write(&self, name: &str, yaml: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, yaml).expect("write");
        p
    }

    fn run(&self, args: &[&str]) -> Output {
        tagc(args, self.dir.path())
    }

    /// Both sides (or any file given) must check clean: exit 0, no warning.
    fn assert_clean(&self, file: &str) {
        let out = self.run(&["check", file]);
        let err = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{file} does not check clean:\n{err}\n--- {file}\n{}",
            std::fs::read_to_string(self.dir.path().join(file)).unwrap_or_default()
        );
        assert!(
            !err.contains("warning"),
            "{file} checks with warnings:\n{err}"
        );
    }

    /// `tagc diff FROM TO --format json EXTRA…`: the exit code and the parsed report.
    fn diff(&self, from: &str, to: &str, extra: &[&str]) -> (Option<i32>, Value, String) {
        let mut args = vec!["diff", from, to, "--format", "json"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        let stdout = text(&out.stdout);
        let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!(
                "no JSON report ({e}) for {args:?}: exit {:?}\nstdout:\n{stdout}\nstderr:\n{}",
                out.status.code(),
                text(&out.stderr)
            )
        });
        (out.status.code(), report, text(&out.stderr))
    }
}

fn changes(report: &Value) -> Vec<Value> {
    report["changes"]
        .as_array()
        .expect("`changes` is an array")
        .clone()
}

fn kinds_of(report: &Value) -> Vec<String> {
    let mut k: Vec<String> = changes(report)
        .iter()
        .map(|c| c["kind"].as_str().expect("kind").to_string())
        .collect();
    k.sort();
    k
}

/// A subject pattern: exact, `prefix*`, or `*` for any subject.
fn subject_matches(pattern: &str, subject: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => subject.starts_with(prefix),
        None => pattern == subject,
    }
}

/// The report schema, as `tagc schema diff` prints it.
fn diff_schema() -> &'static jsonschema::Validator {
    static V: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        let out = tagc(&["schema", "diff"], Path::new(env!("CARGO_MANIFEST_DIR")));
        assert_eq!(out.status.code(), Some(0), "tagc schema diff");
        let schema: Value = serde_json::from_slice(&out.stdout).expect("schema is JSON");
        jsonschema::validator_for(&schema).expect("a valid schema")
    })
}

/// Every change has the severity of the table and a summary that counts them; the report
/// follows its schema.
fn assert_well_formed(report: &Value) {
    assert_eq!(report["version"], 1, "report version");
    let errors: Vec<String> = diff_schema()
        .iter_errors(report)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "report breaks its schema: {errors:?}\n{report:#}"
    );
    let (mut b, mut n, mut i) = (0, 0, 0);
    for c in changes(report) {
        let kind = c["kind"].as_str().expect("kind");
        assert_eq!(
            c["severity"].as_str(),
            Some(severity_of(kind)),
            "severity of {kind} (docs/diff.md's table): {c:#}"
        );
        assert!(c["subject"].is_string(), "subject of {c:#}");
        match severity_of(kind) {
            "breaking" => b += 1,
            "notable" => n += 1,
            _ => i += 1,
        }
    }
    assert_eq!(report["summary"]["breaking"], b, "summary: {report:#}");
    assert_eq!(report["summary"]["notable"], n, "summary: {report:#}");
    assert_eq!(report["summary"]["info"], i, "summary: {report:#}");
}

/// The changes are exactly `expected` (kind, subject pattern), as a multiset.
fn assert_changes(report: &Value, expected: &[(&str, &str)], what: &str) {
    assert_well_formed(report);
    let mut want: Vec<String> = expected.iter().map(|(k, _)| k.to_string()).collect();
    want.sort();
    assert_eq!(
        kinds_of(report),
        want,
        "{what}: kinds differ from docs/diff.md's expectation; report:\n{report:#}"
    );
    let mut left = changes(report);
    for (kind, subject) in expected {
        let at = left
            .iter()
            .position(|c| {
                c["kind"] == *kind && subject_matches(subject, c["subject"].as_str().unwrap_or(""))
            })
            .unwrap_or_else(|| {
                panic!("{what}: no `{kind}` with subject `{subject}`; report:\n{report:#}")
            });
        left.remove(at);
    }
}

/// Base → head gives `forward`, head → base gives `reverse`; both sides check clean and
/// `tagc diff` exits 0 (no `--fail-on`).
fn pair(base: &str, head: &str, forward: &[(&str, &str)], reverse: &[(&str, &str)]) -> Sides {
    assert_ne!(base, head, "the pair must differ");
    let s = Sides::new(base, head);
    s.assert_clean("base.yaml");
    s.assert_clean("head.yaml");
    let (code, report, err) = s.diff("base.yaml", "head.yaml", &[]);
    assert_eq!(code, Some(0), "diff exits 0 without --fail-on: {err}");
    assert_changes(&report, forward, "base → head");
    let (code, report, err) = s.diff("head.yaml", "base.yaml", &[]);
    assert_eq!(code, Some(0), "diff exits 0 without --fail-on: {err}");
    assert_changes(&report, reverse, "head → base");
    s
}

/// `s` with the first `from` replaced by `to`; `from` must be there. When `from` is whole
/// lines (it ends with a newline), it is found at any extra indentation, at the start of a
/// line, and `to` is indented the same way: fragments keep their relative indentation
/// wherever the builder put them.
fn swap(s: &str, from: &str, to: &str) -> String {
    if !from.ends_with('\n') {
        assert!(s.contains(from), "`{from}` is not in:\n{s}");
        return s.replacen(from, to, 1);
    }
    let shift = |t: &str, k: usize| -> String {
        let pad = " ".repeat(k);
        t.lines().map(|l| format!("{pad}{l}\n")).collect()
    };
    for k in 0..16 {
        let f = shift(from, k);
        let mut start = 0;
        while let Some(at) = s[start..].find(&f).map(|i| i + start) {
            if at == 0 || s.as_bytes()[at - 1] == b'\n' {
                return format!("{}{}{}", &s[..at], shift(to, k), &s[at + f.len()..]);
            }
            start = at + 1;
        }
    }
    panic!("the lines\n{from}are not in:\n{s}");
}

// ---------------------------------------------------------------------------------------
// A small configuration builder.

/// Removes the common indentation of `s` and indents every line by `by` spaces.
fn indent(s: &str, by: usize) -> String {
    let lines: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).collect();
    let common = lines
        .iter()
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let pad = " ".repeat(by);
    lines
        .iter()
        .map(|l| format!("{pad}{}\n", &l[common..]))
        .collect()
}

#[derive(Clone)]
struct Cfg {
    site_name: String,
    /// (name, [(env, id)])
    pixels: Vec<(String, Vec<(String, String)>)>,
    graph: String,
    consent: String,
    ldu: Option<String>,
    include: Vec<String>,
    /// raw entries under `events:`
    events: Vec<String>,
    /// raw list items under `pages:`
    pages: Vec<String>,
    /// raw `server.defaults` mapping
    defaults: Option<String>,
    /// raw list items under `server.events:`
    server: Vec<String>,
}

const MAIN_ID: &str = "123456789012345";
const ADS_ID: &str = "223456789012345";

impl Cfg {
    /// A site with one pixel `main` (production only) and no pages.
    fn bare() -> Cfg {
        Cfg {
            site_name: "Demo".into(),
            pixels: vec![("main".into(), vec![("production".into(), MAIN_ID.into())])],
            graph: "v25.0".into(),
            consent: "none".into(),
            ldu: None,
            include: vec![],
            events: vec![],
            pages: vec![],
            defaults: None,
            server: vec![],
        }
    }

    /// `bare()` with a home page `/` that has a `signup` button firing `Lead`.
    fn new() -> Cfg {
        Cfg::bare().page(HOME)
    }

    fn page(mut self, raw: &str) -> Cfg {
        self.pages.push(raw.to_string());
        self
    }

    fn event_def(mut self, raw: &str) -> Cfg {
        self.events.push(raw.to_string());
        self
    }

    fn server_event(mut self, raw: &str) -> Cfg {
        self.server.push(raw.to_string());
        self
    }

    fn defaults(mut self, raw: &str) -> Cfg {
        self.defaults = Some(raw.to_string());
        self
    }

    fn pixel(mut self, name: &str, ids: &[(&str, &str)]) -> Cfg {
        self.pixels.retain(|(n, _)| n != name);
        self.pixels.push((
            name.into(),
            ids.iter()
                .map(|(e, i)| (e.to_string(), i.to_string()))
                .collect(),
        ));
        self
    }

    fn two_pixels(self) -> Cfg {
        self.pixel("ads", &[("production", ADS_ID)])
    }

    fn render(&self) -> String {
        let mut y = String::new();
        if !self.include.is_empty() {
            y.push_str("include:\n");
            for i in &self.include {
                y.push_str(&format!("  - \"{i}\"\n"));
            }
        }
        y.push_str(&format!(
            "site:\n  name: {}\n  url: https://demo.example.com\n",
            self.site_name
        ));
        y.push_str("pixels:\n");
        for (name, ids) in &self.pixels {
            y.push_str(&format!("  - name: {name}\n    ids:\n"));
            for (env, id) in ids {
                y.push_str(&format!("      {env}: \"{id}\"\n"));
            }
        }
        y.push_str(&format!("graph:\n  version: {}\n", self.graph));
        y.push_str(&format!("consent: {}\n", self.consent));
        if let Some(ldu) = &self.ldu {
            y.push_str(&format!("limited_data_use: {ldu}\n"));
        }
        if !self.events.is_empty() {
            y.push_str("events:\n");
            for e in &self.events {
                y.push_str(&indent(e, 2));
            }
        }
        if !self.pages.is_empty() {
            y.push_str("pages:\n");
            for p in &self.pages {
                y.push_str(&indent(p, 2));
            }
        }
        if self.defaults.is_some() || !self.server.is_empty() {
            y.push_str("server:\n");
            if let Some(d) = &self.defaults {
                y.push_str("  defaults:\n");
                y.push_str(&indent(d, 4));
            }
            if !self.server.is_empty() {
                y.push_str("  events:\n");
                for e in &self.server {
                    y.push_str(&indent(e, 4));
                }
            }
        }
        y
    }
}

const HOME: &str = r#"
- id: home
  url: /
  buttons:
    - id: signup
      selector: button.signup
      event: Lead
"#;

const ABOUT: &str = r#"
- id: about
  url: /about
  on_load:
    - event: ViewContent
"#;

const PRODUCT: &str = r#"
- id: product
  url: /p/{slug}
  on_load:
    - event: ViewContent
      params:
        content_ids: {from: url_param, name: slug, type: "string[]"}
"#;

/// A home page whose `signup` button carries parameters.
const HOME_PARAMS: &str = r#"
- id: home
  url: /
  buttons:
    - id: signup
      selector: button.signup
      event: Lead
      params:
        value: {from: attribute, name: data-price, type: number}
        currency: EUR
        seats: {from: attribute, name: data-seats, type: integer}
"#;

/// A server `Lead` sent from the website's form handler (not deduplicated).
const SERVER_LEAD: &str = r#"
- id: lead
  event: Lead
  action_source: website
  event_id: form.lead_id
  event_source_url: request.url
  user_data:
    em: form.email
    ph: form.phone
    client_ip_address: request.ip
    client_user_agent: request.user_agent
  custom_data:
    content_name: form.plan
  sample:
    form: {lead_id: "L-1", email: ana@example.com, phone: "+34 600 123 456", plan: team}
    request: {url: "https://demo.example.com/thanks", ip: 203.0.113.42, user_agent: "Mozilla/5.0 (X11; Linux x86_64)"}
"#;

/// A server-only custom event from a CRM.
const SERVER_CRM: &str = r#"
- id: crm
  event: QualifiedLead
  custom: true
  action_source: system_generated
  event_id: change.id
  event_time: {path: change.at, format: unix}
  user_data:
    em: lead.email
    ph: lead.phone
  sample:
    change: {id: c1, at: 1795511024}
    lead: {email: a@example.com, phone: "+34 600 123 456"}
"#;

/// A browser `Lead` on the thank-you page whose event id is the data layer's lead id,
/// deduplicated with the server `lead` (same id from the backend's record).
const DEDUP_DEF: &str = r#"
lead:
  event: Lead
  event_id:
    source: {from: data_layer, path: ecommerce.lead_id}
"#;

const THANKS: &str = r#"
- id: thanks
  url: /thanks
  on_load:
    - use: lead
"#;

fn dedup_cfg() -> Cfg {
    Cfg::new()
        .event_def(DEDUP_DEF)
        .page(THANKS)
        .server_event(&swap(
            SERVER_LEAD,
            "  action_source: website\n",
            "  action_source: website\n  deduplicate_with: lead\n",
        ))
}

// ---------------------------------------------------------------------------------------
// The table and --list-kinds.

#[test]
fn list_kinds_prints_the_documented_table() {
    let out = tagc(
        &["diff", "--list-kinds"],
        Path::new(env!("CARGO_MANIFEST_DIR")),
    );
    assert_eq!(out.status.code(), Some(0));
    let listed: Vec<(String, String)> = text(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut w = l.split_whitespace();
            (
                w.next().unwrap().to_string(),
                w.next().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = KINDS
        .iter()
        .map(|(k, s)| (k.to_string(), s.to_string()))
        .collect();
    assert_eq!(listed, want);
}

#[test]
fn this_test_reads_the_table_of_docs_diff_md() {
    let doc = include_str!("../docs/diff.md");
    let table: Vec<(String, String)> = doc
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let kind = cells.get(1)?.trim_matches('`');
            let sev = *cells.get(2)?;
            ["breaking", "notable", "info"]
                .contains(&sev)
                .then(|| (kind.to_string(), sev.to_string()))
        })
        .collect();
    let want: Vec<(String, String)> = KINDS
        .iter()
        .map(|(k, s)| (k.to_string(), s.to_string()))
        .collect();
    assert_eq!(table, want);
}

#[test]
fn every_kind_is_exercised_by_a_test_here() {
    let me = include_str!("diff_kinds.rs");
    let tests_part = me.rsplit("// The table and --list-kinds.").next().unwrap();
    for (kind, _) in KINDS {
        assert!(
            tests_part.contains(&format!("\"{kind}\",")),
            "no test expects `{kind}`"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Text-only changes: nothing.

fn assert_no_changes(s: &Sides, from: &str, to: &str) {
    let (code, report, err) = s.diff(from, to, &[]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(report["changes"], serde_json::json!([]), "{report:#}");
    assert_eq!(report["summary"]["breaking"], 0);
    assert_eq!(report["summary"]["notable"], 0);
    assert_eq!(report["summary"]["info"], 0);
    let (code, report, err) = s.diff(to, from, &["--fail-on", "notable"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(report["changes"], serde_json::json!([]), "{report:#}");
}

#[test]
fn identical_files_produce_nothing() {
    let y = dedup_cfg()
        .page(
            &HOME_PARAMS
                .replace("home", "home2")
                .replace("url: /", "url: /h2"),
        )
        .render();
    let s = Sides::new(&y, &y);
    s.assert_clean("base.yaml");
    assert_no_changes(&s, "base.yaml", "head.yaml");
}

#[test]
fn reordered_keys_and_comments_produce_nothing() {
    let base = Cfg::new().server_event(SERVER_LEAD).render();
    let head = swap(
        &base,
        "graph:\n  version: v25.0\nconsent: none\n",
        "consent: none   # nothing waits\n# the API version\ngraph:\n  version: v25.0\n",
    );
    let head = swap(
        &head,
        "- id: signup\n  selector: button.signup\n  event: Lead\n",
        "- event: Lead      # a comment\n  selector: button.signup\n  id: signup\n",
    );
    let head = swap(
        &head,
        "user_data:\n  em: form.email\n  ph: form.phone\n",
        "user_data:\n  ph: form.phone\n  # email\n  em: form.email\n",
    );
    let head = format!("# a comment at the top\n{head}");
    assert!(head.contains("id: signup\n") && head.contains("# email"));
    let s = Sides::new(&base, &head);
    s.assert_clean("base.yaml");
    s.assert_clean("head.yaml");
    assert_no_changes(&s, "base.yaml", "head.yaml");
}

#[test]
fn inline_event_versus_use_of_a_definition_produces_nothing() {
    let base = Cfg::new()
        .page(
            r#"
            - id: pricing
              url: /pricing
              buttons:
                - id: plan
                  selector: a.choose-plan
                  event: SelectPlan
                  custom: true
                  params:
                    plan: {from: attribute, name: data-plan, closest: .plan-card}
                    value: {from: attribute, name: data-price, closest: .plan-card, type: number}
                    currency: USD
            "#,
        )
        .render();
    let head = Cfg::new()
        .event_def(
            r#"
            select_plan:
              event: SelectPlan
              custom: true
              params:
                plan: {from: attribute, name: data-plan, closest: .plan-card}
                value: {from: attribute, name: data-price, closest: .plan-card, type: number}
                currency: USD
            "#,
        )
        .page(
            r#"
            - id: pricing
              url: /pricing
              buttons:
                - id: plan
                  selector: a.choose-plan
                  use: select_plan
            "#,
        )
        .render();
    let s = Sides::new(&base, &head);
    s.assert_clean("base.yaml");
    s.assert_clean("head.yaml");
    assert_no_changes(&s, "base.yaml", "head.yaml");
}

#[test]
fn anchors_and_aliases_produce_nothing() {
    let base = Cfg::new()
        .page(
            r#"
            - id: cart
              url: /cart
              buttons:
                - id: a
                  selector: button.a
                  event: AddToCart
                  params: {value: 10, currency: EUR}
                - id: b
                  selector: button.b
                  event: AddToCart
                  params: {value: 10, currency: EUR}
            "#,
        )
        .render();
    let head = base
        .replacen(
            "params: {value: 10, currency: EUR}",
            "params: &p {value: 10, currency: EUR}",
            1,
        )
        .replacen("params: {value: 10, currency: EUR}", "params: *p", 1);
    assert!(head.contains("*p"));
    let s = Sides::new(&base, &head);
    s.assert_clean("base.yaml");
    s.assert_clean("head.yaml");
    assert_no_changes(&s, "base.yaml", "head.yaml");
}

#[test]
fn moving_pages_into_an_included_file_produces_nothing() {
    let whole = Cfg::new().page(ABOUT).server_event(SERVER_LEAD);
    let base = whole.render();
    let mut root = whole.clone();
    root.pages.clear();
    root.include = vec!["pages/*.yaml".into()];
    let pages = format!("pages:\n{}{}", indent(HOME, 2), indent(ABOUT, 2));
    let s = Sides::new(&base, &root.render());
    s.write("pages/site.yaml", &pages);
    s.assert_clean("base.yaml");
    s.assert_clean("head.yaml");
    assert_no_changes(&s, "base.yaml", "head.yaml");
}

#[test]
fn verify_settings_and_samples_are_not_compared() {
    let base = Cfg::new().page(PRODUCT).server_event(SERVER_LEAD).render();
    let head = swap(
        &swap(
            &base,
            "  url: /p/{slug}\n",
            "  url: /p/{slug}\n  verify:\n    urls: [/p/red-shoes]\n",
        ),
        "email: ana@example.com",
        "email: bea@example.com",
    );
    let s = Sides::new(&base, &head);
    s.assert_clean("base.yaml");
    s.assert_clean("head.yaml");
    assert_no_changes(&s, "base.yaml", "head.yaml");
}

#[test]
fn the_order_of_pages_is_not_compared() {
    let base = Cfg::new().page(ABOUT).page(PRODUCT).render();
    let head = Cfg::new().page(PRODUCT).page(ABOUT).render();
    let s = Sides::new(&base, &head);
    s.assert_clean("base.yaml");
    s.assert_clean("head.yaml");
    assert_no_changes(&s, "base.yaml", "head.yaml");
}

// ---------------------------------------------------------------------------------------
// Pages and URL patterns.

#[test]
fn page_removed_and_added() {
    let base = Cfg::new().page(ABOUT).render();
    let head = Cfg::new().render();
    pair(
        &base,
        &head,
        &[("page.removed", "page/about")],
        &[("page.added", "page/about")],
    );
}

#[test]
fn renaming_a_page_id_is_a_removal_and_an_addition() {
    let base = Cfg::new().page(ABOUT).render();
    let head = swap(&base, "id: about", "id: about-us");
    pair(
        &base,
        &head,
        &[
            ("page.removed", "page/about"),
            ("page.added", "page/about-us"),
        ],
        &[
            ("page.removed", "page/about-us"),
            ("page.added", "page/about"),
        ],
    );
}

/// `/p/*` and `/p/{slug}` are one language (both: one non-empty segment, src/urlpattern.rs),
/// so swapping one for the other is a text change only.
#[test]
fn url_slug_to_star_is_the_same_language() {
    let base = Cfg::new()
        .page(&PRODUCT.replace(
            "{from: url_param, name: slug,",
            "{from: data_layer, path: sku,",
        ))
        .render();
    let head = swap(&base, "url: /p/{slug}", "url: /p/*");
    let s = Sides::new(&base, &head);
    s.assert_clean("base.yaml");
    s.assert_clean("head.yaml");
    assert_no_changes(&s, "base.yaml", "head.yaml");
}

#[test]
fn url_slug_to_any_depth_is_widened_only() {
    let base = Cfg::new()
        .page(&PRODUCT.replace(
            "{from: url_param, name: slug,",
            "{from: data_layer, path: sku,",
        ))
        .render();
    let head = swap(&base, "url: /p/{slug}", "url: /p/**");
    pair(
        &base,
        &head,
        &[("page.url_widened", "page/product/url")],
        &[("page.url_narrowed", "page/product/url")],
    );
}

#[test]
fn url_slug_to_star_prefix_is_widened_only() {
    // `p-*` matches `p-` too (a `*` inside a segment matches even the empty run): wider.
    let base = Cfg::new()
        .page(
            &PRODUCT
                .replace(
                    "{from: url_param, name: slug,",
                    "{from: data_layer, path: sku,",
                )
                .replace("url: /p/{slug}", "url: /p/p-{slug}")
                .replace("/p/p-{slug}", "/p/p-x"),
        )
        .render();
    let head = swap(&base, "url: /p/p-x", "url: /p/p-*");
    pair(
        &base,
        &head,
        &[("page.url_widened", "page/product/url")],
        &[("page.url_narrowed", "page/product/url")],
    );
}

#[test]
fn url_slug_to_double_star_is_widened_only() {
    let base = Cfg::new()
        .page(&PRODUCT.replace(
            "{from: url_param, name: slug,",
            "{from: data_layer, path: sku,",
        ))
        .render();
    let head = swap(&base, "url: /p/{slug}", "url: /**");
    pair(
        &base,
        &head,
        &[("page.url_widened", "page/product/url")],
        &[("page.url_narrowed", "page/product/url")],
    );
}

#[test]
fn url_moved_elsewhere_is_narrowed_and_widened() {
    let base = Cfg::new().page(PRODUCT).render();
    let head = swap(&base, "url: /p/{slug}", "url: /products/{slug}");
    pair(
        &base,
        &head,
        &[
            ("page.url_narrowed", "page/product/url"),
            ("page.url_widened", "page/product/url"),
        ],
        &[
            ("page.url_narrowed", "page/product/url"),
            ("page.url_widened", "page/product/url"),
        ],
    );
}

#[test]
fn adding_a_url_pattern_is_widened() {
    let base = Cfg::new().page(ABOUT).render();
    let head = swap(&base, "url: /about", "url: [/about, /team]");
    pair(
        &base,
        &head,
        &[("page.url_widened", "page/about/url")],
        &[("page.url_narrowed", "page/about/url")],
    );
}

#[test]
fn renaming_a_url_parameter_changes_nothing() {
    // `/p/{slug}` and `/p/{id}` match the same paths: a language, not a text.
    let base = Cfg::new()
        .page(&PRODUCT.replace(
            "{from: url_param, name: slug,",
            "{from: data_layer, path: sku,",
        ))
        .render();
    let head = swap(&base, "url: /p/{slug}", "url: /p/{id}");
    let s = Sides::new(&base, &head);
    s.assert_clean("base.yaml");
    s.assert_clean("head.yaml");
    assert_no_changes(&s, "base.yaml", "head.yaml");
}

#[test]
fn patterns_split_into_narrower_ones_are_narrowed_only() {
    // `/docs/b` is matched by the base's `/docs/*` and by neither new pattern: narrowed;
    // both new patterns match only paths `/docs/*` matched: not widened.
    let base = Cfg::new()
        .page(
            r#"
            - id: docs
              url: /docs/*
            "#,
        )
        .render();
    let head = swap(&base, "url: /docs/*", "url: [/docs/a*, /docs/*x]");
    pair(
        &base,
        &head,
        &[("page.url_narrowed", "page/docs/url")],
        &[("page.url_widened", "page/docs/url")],
    );
}

// ---------------------------------------------------------------------------------------
// Events on page load.

#[test]
fn load_event_removed_and_added() {
    let base = Cfg::new().page(ABOUT).render();
    let head = swap(&base, "  on_load:\n    - event: ViewContent\n", "");
    pair(
        &base,
        &head,
        &[("load_event.removed", "page/about/on_load/ViewContent")],
        &[("load_event.added", "page/about/on_load/ViewContent")],
    );
}

#[test]
fn view_content_to_custom_view_item_is_made_custom_not_removed_and_added() {
    let base = Cfg::new().page(ABOUT).render();
    let head = swap(
        &base,
        "    - event: ViewContent\n",
        "    - event: ViewItem\n      custom: true\n",
    );
    // Reversed, a custom event gets another (standard) name: `event.renamed`.
    pair(
        &base,
        &head,
        &[("event.made_custom", "page/about/on_load/*")],
        &[("event.renamed", "page/about/on_load/*")],
    );
}

#[test]
fn made_custom_names_the_base_event_in_its_subject() {
    let base = Cfg::new().page(ABOUT).render();
    let head = swap(
        &base,
        "    - event: ViewContent\n",
        "    - event: ViewItem\n      custom: true\n",
    );
    let s = pair(
        &base,
        &head,
        &[("event.made_custom", "page/about/on_load/ViewContent")],
        &[("event.renamed", "page/about/on_load/*")],
    );
    let (_, report, _) = s.diff("base.yaml", "head.yaml", &[]);
    let c = &changes(&report)[0];
    assert!(
        c["before"].as_str().unwrap_or("").contains("ViewContent"),
        "{c:#}"
    );
    assert!(
        c["after"].as_str().unwrap_or("").contains("ViewItem"),
        "{c:#}"
    );
}

#[test]
fn load_events_matched_by_name_first() {
    // Two load events; the first is removed. Matched by name, `Search` survives unchanged.
    let base = Cfg::new()
        .page(
            r#"
            - id: search
              url: /search
              on_load:
                - event: ViewContent
                - event: Search
                  params:
                    search_string: {from: query, name: q}
            "#,
        )
        .render();
    let head = swap(&base, "    - event: ViewContent\n", "");
    pair(
        &base,
        &head,
        &[("load_event.removed", "page/search/on_load/ViewContent")],
        &[("load_event.added", "page/search/on_load/ViewContent")],
    );
}

#[test]
fn standard_load_event_to_another_standard_one_is_event_changed() {
    let base = Cfg::new().page(ABOUT).render();
    let head = swap(&base, "    - event: ViewContent\n", "    - event: Search\n");
    pair(
        &base,
        &head,
        &[("event.changed", "page/about/on_load/*")],
        &[("event.changed", "page/about/on_load/*")],
    );
}

// ---------------------------------------------------------------------------------------
// Buttons.

#[test]
fn button_removed_and_added() {
    let base = Cfg::new().render();
    let head = swap(
        &base,
        "  buttons:\n    - id: signup\n      selector: button.signup\n      event: Lead\n",
        "  on_load:\n    - event: ViewContent\n",
    );
    pair(
        &base,
        &head,
        &[
            ("button.removed", "page/home/button/signup"),
            ("load_event.added", "page/home/on_load/ViewContent"),
        ],
        &[
            ("button.added", "page/home/button/signup"),
            ("load_event.removed", "page/home/on_load/ViewContent"),
        ],
    );
}

#[test]
fn second_button_removed_and_added() {
    let base = Cfg::new().render();
    let base = swap(
        &base,
        "      event: Lead\n",
        "      event: Lead\n    - id: contact\n      text: Talk to sales\n      event: Contact\n",
    );
    let head = Cfg::new().render();
    pair(
        &base,
        &head,
        &[("button.removed", "page/home/button/contact")],
        &[("button.added", "page/home/button/contact")],
    );
}

#[test]
fn button_selector_to_text_is_locator_changed() {
    let base = Cfg::new().render();
    let head = swap(&base, "selector: button.signup", "text: Sign up");
    pair(
        &base,
        &head,
        &[("button.locator_changed", "page/home/button/signup")],
        &[("button.locator_changed", "page/home/button/signup")],
    );
}

#[test]
fn button_within_is_locator_changed() {
    let base = swap(
        &Cfg::new().render(),
        "selector: button.signup",
        "text: Sign up",
    );
    let head = swap(&base, "text: Sign up\n", "text: Sign up\nwithin: header\n");
    pair(
        &base,
        &head,
        &[("button.locator_changed", "page/home/button/signup")],
        &[("button.locator_changed", "page/home/button/signup")],
    );
}

#[test]
fn button_click_to_submit_is_trigger_changed() {
    let base = swap(
        &Cfg::new().render(),
        "selector: button.signup",
        "selector: form#signup",
    );
    let head = swap(
        &base,
        "selector: form#signup\n",
        "selector: form#signup\non: submit\n",
    );
    pair(
        &base,
        &head,
        &[("button.trigger_changed", "page/home/button/signup")],
        &[("button.trigger_changed", "page/home/button/signup")],
    );
}

#[test]
fn button_lead_to_complete_registration_is_event_changed() {
    let base = Cfg::new().render();
    let head = swap(&base, "event: Lead", "event: CompleteRegistration");
    pair(
        &base,
        &head,
        &[("event.changed", "page/home/button/signup*")],
        &[("event.changed", "page/home/button/signup*")],
    );
}

#[test]
fn custom_event_renamed() {
    let base = swap(
        &Cfg::new().render(),
        "      event: Lead\n",
        "      event: SignUpClick\n      custom: true\n",
    );
    let head = swap(&base, "event: SignUpClick", "event: SignupClick");
    pair(
        &base,
        &head,
        &[("event.renamed", "page/home/button/signup*")],
        &[("event.renamed", "page/home/button/signup*")],
    );
}

#[test]
fn button_standard_event_made_custom() {
    let base = Cfg::new().render();
    let head = swap(
        &base,
        "      event: Lead\n",
        "      event: SignUpClick\n      custom: true\n",
    );
    pair(
        &base,
        &head,
        &[("event.made_custom", "page/home/button/signup*")],
        &[("event.renamed", "page/home/button/signup*")],
    );
}

#[test]
fn event_pixels_narrowed_and_widened() {
    let base = Cfg::new().two_pixels().render();
    let head = swap(
        &base,
        "      event: Lead\n",
        "      event: Lead\n      pixels: [main]\n",
    );
    pair(
        &base,
        &head,
        &[("event.pixels_narrowed", "page/home/button/signup*")],
        &[("event.pixels_widened", "page/home/button/signup*")],
    );
}

#[test]
fn event_moved_to_the_other_pixel_is_narrowed_and_widened() {
    let base = swap(
        &Cfg::new().two_pixels().render(),
        "      event: Lead\n",
        "      event: Lead\n      pixels: [main]\n",
    );
    let head = swap(&base, "pixels: [main]", "pixels: [ads]");
    pair(
        &base,
        &head,
        &[
            ("event.pixels_narrowed", "page/home/button/signup*"),
            ("event.pixels_widened", "page/home/button/signup*"),
        ],
        &[
            ("event.pixels_narrowed", "page/home/button/signup*"),
            ("event.pixels_widened", "page/home/button/signup*"),
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Browser parameters.

fn params_cfg() -> String {
    Cfg::bare().page(HOME_PARAMS).render()
}

#[test]
fn browser_param_removed_and_added() {
    let base = params_cfg();
    let head = swap(
        &base,
        "        seats: {from: attribute, name: data-seats, type: integer}\n",
        "",
    );
    pair(
        &base,
        &head,
        &[("param.removed", "page/home/button/signup/param/seats")],
        &[("param.added", "page/home/button/signup/param/seats")],
    );
}

#[test]
fn browser_param_read_from_another_attribute_is_source_changed() {
    let base = params_cfg();
    let head = swap(&base, "name: data-price,", "name: data-amount,");
    pair(
        &base,
        &head,
        &[(
            "param.source_changed",
            "page/home/button/signup/param/value",
        )],
        &[(
            "param.source_changed",
            "page/home/button/signup/param/value",
        )],
    );
}

#[test]
fn browser_param_constant_to_read_is_source_changed() {
    let base = params_cfg();
    let head = swap(
        &base,
        "currency: EUR",
        "currency: {from: data_layer, path: currency}",
    );
    pair(
        &base,
        &head,
        &[(
            "param.source_changed",
            "page/home/button/signup/param/currency",
        )],
        &[(
            "param.source_changed",
            "page/home/button/signup/param/currency",
        )],
    );
}

#[test]
fn browser_param_converted_to_another_type_is_type_changed() {
    let base = params_cfg();
    let head = swap(
        &base,
        "name: data-seats, type: integer",
        "name: data-seats, type: number",
    );
    pair(
        &base,
        &head,
        &[("param.type_changed", "page/home/button/signup/param/seats")],
        &[("param.type_changed", "page/home/button/signup/param/seats")],
    );
}

#[test]
fn browser_param_constant_value_changed() {
    let base = params_cfg();
    let head = swap(&base, "currency: EUR", "currency: USD");
    pair(
        &base,
        &head,
        &[(
            "param.constant_changed",
            "page/home/button/signup/param/currency",
        )],
        &[(
            "param.constant_changed",
            "page/home/button/signup/param/currency",
        )],
    );
}

#[test]
fn load_event_param_removed_and_added() {
    let base = Cfg::new().page(PRODUCT).render();
    let head = swap(
        &base,
        "    - event: ViewContent\n      params:\n        content_ids: {from: url_param, name: slug, type: \"string[]\"}\n",
        "    - event: ViewContent\n",
    );
    pair(
        &base,
        &head,
        &[(
            "param.removed",
            "page/product/on_load/ViewContent/param/content_ids",
        )],
        &[(
            "param.added",
            "page/product/on_load/ViewContent/param/content_ids",
        )],
    );
}

// ---------------------------------------------------------------------------------------
// Server events.

#[test]
fn server_event_removed_and_added() {
    let base = Cfg::new()
        .server_event(SERVER_LEAD)
        .server_event(SERVER_CRM)
        .render();
    let head = Cfg::new().server_event(SERVER_LEAD).render();
    pair(
        &base,
        &head,
        &[("server_event.removed", "server/crm")],
        &[("server_event.added", "server/crm")],
    );
}

#[test]
fn server_custom_event_renamed() {
    let base = Cfg::new().server_event(SERVER_CRM).render();
    let head = swap(&base, "event: QualifiedLead", "event: LeadQualified");
    pair(
        &base,
        &head,
        &[("event.renamed", "server/crm*")],
        &[("event.renamed", "server/crm*")],
    );
}

#[test]
fn server_standard_event_changed() {
    let base = Cfg::new().server_event(SERVER_LEAD).render();
    let head = swap(
        &base,
        "event: Lead\naction_source: website\n",
        "event: CompleteRegistration\naction_source: website\n",
    );
    // The button's `Lead` is untouched: the only `event: Lead` swapped is the server's.
    let head = if head.matches("event: Lead").count() == 1 {
        head
    } else {
        panic!("{head}")
    };
    pair(
        &base,
        &head,
        &[("event.changed", "server/lead*")],
        &[("event.changed", "server/lead*")],
    );
}

#[test]
fn server_pixels_narrowed_and_widened() {
    let base = Cfg::bare().two_pixels().server_event(SERVER_CRM).render();
    let head = swap(
        &base,
        "  custom: true\n",
        "  custom: true\n  pixels: [main]\n",
    );
    pair(
        &base,
        &head,
        &[("server_event.pixels_narrowed", "server/crm")],
        &[("server_event.pixels_widened", "server/crm")],
    );
}

#[test]
fn server_custom_data_removed_and_added() {
    let base = Cfg::new().server_event(SERVER_LEAD).render();
    let head = swap(&base, "  custom_data:\n    content_name: form.plan\n", "");
    pair(
        &base,
        &head,
        &[("param.removed", "server/lead/custom_data/content_name")],
        &[("param.added", "server/lead/custom_data/content_name")],
    );
}

#[test]
fn server_custom_data_read_elsewhere_is_source_changed() {
    let base = Cfg::new().server_event(SERVER_LEAD).render();
    let head = swap(
        &swap(
            &base,
            "content_name: form.plan",
            "content_name: form.plan_name",
        ),
        "plan: team}",
        "plan_name: team}",
    );
    pair(
        &base,
        &head,
        &[(
            "param.source_changed",
            "server/lead/custom_data/content_name",
        )],
        &[(
            "param.source_changed",
            "server/lead/custom_data/content_name",
        )],
    );
}

#[test]
fn server_custom_data_constant_changed() {
    let base = swap(
        &Cfg::new().server_event(SERVER_LEAD).render(),
        "content_name: form.plan",
        "content_name: {value: Newsletter}",
    );
    let head = swap(&base, "{value: Newsletter}", "{value: Webinar}");
    pair(
        &base,
        &head,
        &[(
            "param.constant_changed",
            "server/lead/custom_data/content_name",
        )],
        &[(
            "param.constant_changed",
            "server/lead/custom_data/content_name",
        )],
    );
}

#[test]
fn server_event_time_removed_and_added() {
    let base = Cfg::new().server_event(SERVER_CRM).render();
    let head = swap(&base, "  event_time: {path: change.at, format: unix}\n", "");
    pair(
        &base,
        &head,
        &[("param.removed", "server/crm/field/event_time")],
        &[("param.added", "server/crm/field/event_time")],
    );
}

#[test]
fn server_event_time_format_changed() {
    let base = Cfg::new().server_event(SERVER_CRM).render();
    let head = swap(
        &swap(&base, "format: unix}", "format: unix_ms}"),
        "at: 1795511024}",
        "at: 1795511024000}",
    );
    pair(
        &base,
        &head,
        &[("param.format_changed", "server/crm/field/event_time")],
        &[("param.format_changed", "server/crm/field/event_time")],
    );
}

#[test]
fn server_event_time_read_elsewhere_is_source_changed() {
    let base = Cfg::new().server_event(SERVER_CRM).render();
    let head = swap(
        &swap(&base, "{path: change.at,", "{path: change.when,"),
        "at: 1795511024}",
        "when: 1795511024}",
    );
    pair(
        &base,
        &head,
        &[("param.source_changed", "server/crm/field/event_time")],
        &[("param.source_changed", "server/crm/field/event_time")],
    );
}

#[test]
fn user_data_removed_and_added() {
    let base = Cfg::new().server_event(SERVER_LEAD).render();
    let head = swap(&base, "    ph: form.phone\n", "");
    pair(
        &base,
        &head,
        &[("user_data.removed", "server/lead/user_data/ph")],
        &[("user_data.added", "server/lead/user_data/ph")],
    );
}

#[test]
fn user_data_read_from_another_field_is_source_changed() {
    let base = Cfg::new().server_event(SERVER_LEAD).render();
    let head = swap(
        &swap(&base, "em: form.email", "em: form.mail"),
        "email: ana@example.com",
        "mail: ana@example.com",
    );
    pair(
        &base,
        &head,
        &[("user_data.source_changed", "server/lead/user_data/em")],
        &[("user_data.source_changed", "server/lead/user_data/em")],
    );
}

#[test]
fn user_data_hashed_differently_is_format_changed() {
    let base = Cfg::new().server_event(SERVER_CRM).render();
    let head = swap(
        &swap(
            &base,
            "em: lead.email",
            "em: {path: lead.email, hashed: true}",
        ),
        "email: a@example.com",
        "email: 5b2b0f2b8a0e7d6c1a4f9f3e8d2c1b0a9f8e7d6c5b4a3928171605f4e3d2c1b0",
    );
    pair(
        &base,
        &head,
        &[("user_data.format_changed", "server/crm/user_data/em")],
        &[("user_data.format_changed", "server/crm/user_data/em")],
    );
}

#[test]
fn action_source_changed() {
    let base = Cfg::new().server_event(SERVER_CRM).render();
    let head = swap(
        &base,
        "action_source: system_generated",
        "action_source: other",
    );
    pair(
        &base,
        &head,
        &[("server_event.action_source_changed", "server/crm")],
        &[("server_event.action_source_changed", "server/crm")],
    );
}

const SERVER_CHAT: &str = r#"
- id: chat
  event: Purchase
  action_source: business_messaging
  messaging_channel: whatsapp
  event_id: chat.order_id
  event_time: {path: chat.at, format: rfc3339}
  user_data:
    ctwa_clid: chat.ctwa_clid
    page_id: {value: "104958307215486"}
    ph: chat.phone
  custom_data:
    value: chat.total
    currency: {value: USD}
  sample:
    chat: {order_id: WA-1, at: "2026-11-21T08:05:00Z", total: 24.00, phone: "+1 415 555 0172", ctwa_clid: "ARAkLkA8rmlFeiCktEJQ"}
"#;

#[test]
fn messaging_channel_is_server_event_changed() {
    let base = Cfg::bare().server_event(SERVER_CHAT).render();
    let head = swap(
        &base,
        "messaging_channel: whatsapp",
        "messaging_channel: messenger",
    );
    pair(
        &base,
        &head,
        &[("server_event.changed", "server/chat*")],
        &[("server_event.changed", "server/chat*")],
    );
}

const SERVER_APP: &str = r#"
- id: app
  event: Purchase
  action_source: app
  event_id: order.id
  event_time: {path: order.at, format: unix}
  app_data:
    advertiser_tracking_enabled: device.att
    application_tracking_enabled: device.ad_tracking
    extinfo: {ext_info_version: {value: i2}, os_version: device.os}
  user_data: {madid: device.idfa, anon_id: device.install_id, em: order.email}
  custom_data: {value: order.total, currency: {value: USD}}
  sample:
    order: {id: A-1, at: 1795298400, email: noah@example.com, total: 11.5}
    device: {att: true, ad_tracking: true, os: "18.1", idfa: "6D92078A-8246-4BA4-AE5B-76104861E7DC", install_id: "XZ6f1c2b7e"}
"#;

#[test]
fn app_data_is_server_event_changed() {
    let base = Cfg::bare().server_event(SERVER_APP).render();
    let head = swap(
        &base,
        "os_version: device.os}",
        "os_version: device.os_version}",
    );
    let head = swap(&head, "os: \"18.1\"", "os_version: \"18.1\"");
    pair(
        &base,
        &head,
        &[("server_event.changed", "server/app*")],
        &[("server_event.changed", "server/app*")],
    );
}

#[test]
fn server_unpaired_event_id_changed() {
    let base = Cfg::new().server_event(SERVER_CRM).render();
    let head = swap(
        &swap(&base, "event_id: change.id", "event_id: change.uuid"),
        "{id: c1,",
        "{uuid: c1,",
    );
    pair(
        &base,
        &head,
        &[("event_id.changed", "server/crm*")],
        &[("event_id.changed", "server/crm*")],
    );
}

#[test]
fn browser_unpaired_event_id_changed() {
    let base = swap(
        &Cfg::new().render(),
        "      event: Lead\n",
        "      event: Lead\n      event_id:\n        source: {from: random}\n",
    );
    let head = swap(
        &base,
        "source: {from: random}",
        "source: {from: data_layer, path: lead_id}",
    );
    pair(
        &base,
        &head,
        &[("event_id.changed", "page/home/button/signup*")],
        &[("event_id.changed", "page/home/button/signup*")],
    );
}

// ---------------------------------------------------------------------------------------
// Deduplicated pairs.

#[test]
fn dedup_pair_is_clean_and_unchanged() {
    let y = dedup_cfg().render();
    let s = Sides::new(&y, &y);
    s.assert_clean("base.yaml");
    assert_no_changes(&s, "base.yaml", "head.yaml");
}

#[test]
fn dedup_browser_id_source_only_is_broken() {
    let base = dedup_cfg().render();
    let head = swap(
        &base,
        "path: ecommerce.lead_id}",
        "path: ecommerce.order_id}",
    );
    pair(
        &base,
        &head,
        &[("dedup.broken", "server/lead*")],
        &[("dedup.broken", "server/lead*")],
    );
}

#[test]
fn dedup_server_event_id_only_is_broken() {
    let base = dedup_cfg().render();
    let head = swap(
        &swap(&base, "event_id: form.lead_id", "event_id: form.order_id"),
        "{lead_id: \"L-1\",",
        "{order_id: \"L-1\",",
    );
    pair(
        &base,
        &head,
        &[("dedup.broken", "server/lead*")],
        &[("dedup.broken", "server/lead*")],
    );
}

#[test]
fn dedup_both_sides_is_event_id_changed() {
    let base = dedup_cfg().render();
    let head = swap(
        &base,
        "path: ecommerce.lead_id}",
        "path: ecommerce.order_id}",
    );
    let head = swap(
        &swap(&head, "event_id: form.lead_id", "event_id: form.order_id"),
        "{lead_id: \"L-1\",",
        "{order_id: \"L-1\",",
    );
    pair(
        &base,
        &head,
        &[("event_id.changed", "*")],
        &[("event_id.changed", "*")],
    );
}

#[test]
fn dedup_removed_and_added() {
    let base = dedup_cfg().render();
    let head = swap(&base, "  deduplicate_with: lead\n", "");
    pair(
        &base,
        &head,
        &[("dedup.removed", "server/lead*")],
        &[("dedup.added", "server/lead*")],
    );
}

#[test]
fn dedup_with_another_browser_event_is_dedup_changed() {
    // Two browser `Lead`s with the same event id source; the server pairs with the other.
    let base = dedup_cfg()
        .event_def(&DEDUP_DEF.replace("lead:", "lead2:"))
        .page(
            r#"
            - id: welcome
              url: /welcome
              on_load:
                - use: lead2
            "#,
        )
        .render();
    let head = swap(
        &base,
        "deduplicate_with: lead\n",
        "deduplicate_with: lead2\n",
    );
    pair(
        &base,
        &head,
        &[("dedup.changed", "server/lead*")],
        &[("dedup.changed", "server/lead*")],
    );
}

// ---------------------------------------------------------------------------------------
// Pixels, site-wide settings, environments.

#[test]
fn pixel_removed_and_added() {
    // The only events target `main` explicitly, so no event loses or gains a pixel.
    let base = Cfg::bare()
        .two_pixels()
        .server_event(&swap(
            SERVER_CRM,
            "  custom: true\n",
            "  custom: true\n  pixels: [main]\n",
        ))
        .render();
    let head = Cfg::bare()
        .server_event(&swap(
            SERVER_CRM,
            "  custom: true\n",
            "  custom: true\n  pixels: [main]\n",
        ))
        .render();
    pair(
        &base,
        &head,
        &[("pixel.removed", "pixel/ads")],
        &[("pixel.added", "pixel/ads")],
    );
}

#[test]
fn pixel_dropped_from_one_environment() {
    let base = Cfg::new()
        .pixel(
            "main",
            &[("production", MAIN_ID), ("staging", "987654321098765")],
        )
        .render();
    let head = Cfg::new().render();
    let s = pair(
        &base,
        &head,
        &[("pixel.removed", "pixel/main")],
        &[("pixel.added", "pixel/main")],
    );
    let (_, report, _) = s.diff("base.yaml", "head.yaml", &[]);
    assert_eq!(changes(&report)[0]["envs"], serde_json::json!(["staging"]));
}

#[test]
fn consent_changed() {
    let base = Cfg::new().render();
    let head = swap(&base, "consent: none", "consent: required");
    pair(
        &base,
        &head,
        &[("consent.changed", "site/consent")],
        &[("consent.changed", "site/consent")],
    );
}

#[test]
fn limited_data_use_changed_site_wide() {
    let base = Cfg::new().render();
    let mut c = Cfg::new();
    c.ldu = Some("{mode: geolocate}".into());
    let head = c.render();
    pair(
        &base,
        &head,
        &[("limited_data_use.changed", "site/limited_data_use")],
        &[("limited_data_use.changed", "site/limited_data_use")],
    );
}

#[test]
fn limited_data_use_read_from_each_record_changed() {
    let base = Cfg::bare().server_event(SERVER_APP).render();
    let head = swap(
        &base,
        "user_data: {madid: device.idfa, anon_id: device.install_id, em: order.email}\n",
        "data_processing_options: {path: consent.ldu}\nuser_data: {madid: device.idfa, anon_id: device.install_id, em: order.email}\n",
    );
    let head = swap(
        &head,
        "order: {id: A-1, at: 1795298400, email: noah@example.com, total: 11.5}\n",
        "consent: {ldu: true}\norder: {id: A-1, at: 1795298400, email: noah@example.com, total: 11.5}\n",
    );
    pair(
        &base,
        &head,
        &[("limited_data_use.changed", "*")],
        &[("limited_data_use.changed", "*")],
    );
}

#[test]
fn graph_version_changed() {
    let base = Cfg::new().render();
    let head = swap(&base, "version: v25.0", "version: v24.0");
    pair(
        &base,
        &head,
        &[("graph.version_changed", "site/graph_version")],
        &[("graph.version_changed", "site/graph_version")],
    );
}

#[test]
fn server_defaults_changed() {
    let base = Cfg::bare()
        .defaults("country: es")
        .server_event(SERVER_CRM)
        .render();
    let head = swap(&base, "country: es", "country: fr");
    pair(
        &base,
        &head,
        &[("server.defaults_changed", "site/server_defaults")],
        &[("server.defaults_changed", "site/server_defaults")],
    );
}

#[test]
fn site_name_changed() {
    let base = Cfg::new().render();
    let head = swap(&base, "name: Demo", "name: Demo Shop");
    pair(
        &base,
        &head,
        &[("site.changed", "site")],
        &[("site.changed", "site")],
    );
}

#[test]
fn site_url_changed() {
    let base = Cfg::new().render();
    let head = swap(
        &base,
        "url: https://demo.example.com",
        "url: https://www.demo.example.com",
    );
    pair(
        &base,
        &head,
        &[("site.changed", "site")],
        &[("site.changed", "site")],
    );
}

fn two_env_cfg() -> Cfg {
    Cfg::new().pixel(
        "main",
        &[("production", MAIN_ID), ("staging", "987654321098765")],
    )
}

#[test]
fn staging_id_change_is_reported_for_staging_only() {
    let base = two_env_cfg().render();
    let head = swap(
        &base,
        "staging: \"987654321098765\"",
        "staging: \"987654321098766\"",
    );
    let s = pair(
        &base,
        &head,
        &[("pixel.id_changed", "pixel/main")],
        &[("pixel.id_changed", "pixel/main")],
    );
    let (_, report, _) = s.diff("base.yaml", "head.yaml", &[]);
    assert_eq!(
        changes(&report)[0]["envs"],
        serde_json::json!(["staging"]),
        "{report:#}"
    );
    let mut envs: Vec<String> = report["envs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_string())
        .collect();
    envs.sort();
    assert_eq!(
        envs,
        ["production", "staging"],
        "every environment of either side"
    );
    // the human report says so
    let out = s.run(&["diff", "base.yaml", "head.yaml"]);
    let human = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(human.contains("staging only"), "{human}");
}

#[test]
fn a_change_common_to_all_environments_is_reported_once() {
    let base = two_env_cfg().render();
    let head = swap(&base, "consent: none", "consent: required");
    let s = pair(
        &base,
        &head,
        &[("consent.changed", "site/consent")],
        &[("consent.changed", "site/consent")],
    );
    let (_, report, _) = s.diff("base.yaml", "head.yaml", &[]);
    let mut envs: Vec<String> = changes(&report)[0]["envs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_string())
        .collect();
    envs.sort();
    assert_eq!(envs, ["production", "staging"], "{report:#}");
}

#[test]
fn env_option_restricts_the_comparison() {
    let base = two_env_cfg().render();
    let head = swap(
        &base,
        "staging: \"987654321098765\"",
        "staging: \"987654321098766\"",
    );
    let s = Sides::new(&base, &head);
    let (code, report, err) = s.diff("base.yaml", "head.yaml", &["--env", "production"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(report["envs"], serde_json::json!(["production"]));
    assert_eq!(report["changes"], serde_json::json!([]), "{report:#}");
    let (code, report, err) = s.diff("base.yaml", "head.yaml", &["--env", "staging"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(report["envs"], serde_json::json!(["staging"]));
    assert_changes(
        &report,
        &[("pixel.id_changed", "pixel/main")],
        "--env staging",
    );
    assert_eq!(changes(&report)[0]["envs"], serde_json::json!(["staging"]));
}

// ---------------------------------------------------------------------------------------
// --fail-on, --allow, exit codes.

fn removed_button() -> Sides {
    let base = Cfg::new().render();
    let base = swap(
        &base,
        "      event: Lead\n",
        "      event: Lead\n    - id: contact\n      text: Talk to sales\n      event: Contact\n",
    );
    // head: `signup` is gone, `contact` stays.
    let head = swap(
        &base,
        "    - id: signup\n      selector: button.signup\n      event: Lead\n",
        "",
    );
    let s = Sides::new(&base, &head);
    s.assert_clean("base.yaml");
    s.assert_clean("head.yaml");
    s
}

#[test]
fn fail_on_breaking_exits_1_with_a_breaking_change() {
    let s = removed_button();
    let (code, report, _) = s.diff("base.yaml", "head.yaml", &["--fail-on", "breaking"]);
    assert_changes(
        &report,
        &[("button.removed", "page/home/button/signup")],
        "fail-on",
    );
    assert_eq!(code, Some(1));
    let (code, _, _) = s.diff("base.yaml", "head.yaml", &["--fail-on", "notable"]);
    assert_eq!(code, Some(1));
    let (code, _, _) = s.diff("base.yaml", "head.yaml", &["--fail-on", "never"]);
    assert_eq!(code, Some(0));
    let (code, _, _) = s.diff("base.yaml", "head.yaml", &[]);
    assert_eq!(code, Some(0), "default is never");
    // the reverse is an addition (info): nothing fails
    let (code, _, _) = s.diff("head.yaml", "base.yaml", &["--fail-on", "notable"]);
    assert_eq!(code, Some(0));
}

#[test]
fn fail_on_breaking_exits_0_with_only_notable_and_notable_exits_1() {
    let base = Cfg::new().render();
    let head = swap(&base, "version: v25.0", "version: v24.0");
    let s = Sides::new(&base, &head);
    let (code, report, _) = s.diff("base.yaml", "head.yaml", &["--fail-on", "breaking"]);
    assert_changes(
        &report,
        &[("graph.version_changed", "site/graph_version")],
        "notable",
    );
    assert_eq!(code, Some(0));
    let (code, _, _) = s.diff("base.yaml", "head.yaml", &["--fail-on", "notable"]);
    assert_eq!(code, Some(1));
}

#[test]
fn allow_acknowledges_a_change() {
    let s = removed_button();
    let (code, report, err) = s.diff(
        "base.yaml",
        "head.yaml",
        &[
            "--fail-on",
            "breaking",
            "--allow",
            "button.removed:page/home/button/signup",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let c = &changes(&report)[0];
    assert_eq!(c["kind"], "button.removed");
    assert_eq!(
        c["acknowledged_by"], "button.removed:page/home/button/signup",
        "{c:#}"
    );
    assert_eq!(report["summary"]["acknowledged"], 1);
    assert_eq!(
        report["summary"]["breaking"], 1,
        "still reported and counted"
    );
    assert_eq!(report["unused_allows"], serde_json::json!([]));
}

#[test]
fn allow_with_wildcards() {
    let s = removed_button();
    let (code, report, err) = s.diff(
        "base.yaml",
        "head.yaml",
        &["--fail-on", "breaking", "--allow", "button.*:page/*/signup"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        changes(&report)[0]["acknowledged_by"],
        "button.*:page/*/signup"
    );
}

#[test]
fn unused_allow_is_listed_and_does_not_acknowledge() {
    let s = removed_button();
    let (code, report, _) = s.diff(
        "base.yaml",
        "head.yaml",
        &[
            "--fail-on",
            "breaking",
            "--allow",
            "button.removed:page/home/button/contact",
        ],
    );
    assert_eq!(code, Some(1));
    assert_eq!(
        report["unused_allows"],
        serde_json::json!(["button.removed:page/home/button/contact"]),
        "{report:#}"
    );
    let c = &changes(&report)[0];
    assert!(c["acknowledged_by"].is_null(), "{c:#}");
    assert_eq!(report["summary"]["acknowledged"], 0);
}

#[test]
fn misspelt_allow_kind_exits_2() {
    let s = removed_button();
    let out = s.run(&[
        "diff",
        "base.yaml",
        "head.yaml",
        "--format",
        "json",
        "--allow",
        "page.remove:x",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("page.removed"),
        "a suggestion: {}",
        text(&out.stderr)
    );
}

#[test]
fn invalid_head_exits_1_with_its_diagnostics() {
    let base = Cfg::new().render();
    let s = Sides::new(
        &base,
        "pixels:\n  - name: main\n    ids: {production: \"1\"\n",
    );
    let out = s.run(&["diff", "base.yaml", "head.yaml", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        all.contains("head.yaml"),
        "diagnostics name the file: {all}"
    );
    assert!(all.contains("error"), "diagnostics: {all}");
    // Nothing is compared.
    assert!(
        serde_json::from_str::<Value>(&text(&out.stdout))
            .map(|v| v.get("changes").is_none())
            .unwrap_or(true),
        "no report: {all}"
    );
}

#[test]
fn head_failing_a_semantic_rule_exits_1() {
    let base = Cfg::new().render();
    let head = swap(&base, "event: Lead", "event: Purchse");
    let s = Sides::new(&base, &head);
    let out = s.run(&["diff", "base.yaml", "head.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(all.contains("TAG2001"), "{all}");
}

#[test]
fn missing_file_exits_2() {
    let base = Cfg::new().render();
    let s = Sides::new(&base, &base);
    let out = s.run(&["diff", "base.yaml", "nope.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let out = s.run(&["diff", "nope.yaml", "head.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

// ---------------------------------------------------------------------------------------
// More of docs/diff.md: matching, environments, locations, formats, git.

#[test]
fn load_events_without_a_name_match_are_matched_by_position() {
    let base = Cfg::new()
        .page(
            r#"
            - id: about
              url: /about
              on_load:
                - event: ViewContent
                - event: Lead
            "#,
        )
        .render();
    let head = swap(
        &swap(&base, "- event: ViewContent\n", "- event: Search\n"),
        "- event: Lead\n",
        "- event: Contact\n",
    );
    pair(
        &base,
        &head,
        &[
            ("event.changed", "page/about/on_load/*"),
            ("event.changed", "page/about/on_load/*"),
        ],
        &[
            ("event.changed", "page/about/on_load/*"),
            ("event.changed", "page/about/on_load/*"),
        ],
    );
}

#[test]
fn a_definition_used_by_two_buttons_changes_both() {
    let base = Cfg::bare()
        .event_def(
            r#"
            atc:
              event: AddToCart
              params:
                value: {from: attribute, name: data-price, type: number}
                currency: EUR
            "#,
        )
        .page(
            r#"
            - id: home
              url: /
              buttons:
                - id: a
                  selector: button.a
                  use: atc
                - id: b
                  selector: button.b
                  use: atc
            "#,
        )
        .render();
    let head = swap(&base, "currency: EUR", "currency: USD");
    pair(
        &base,
        &head,
        &[
            (
                "param.constant_changed",
                "page/home/button/a/param/currency",
            ),
            (
                "param.constant_changed",
                "page/home/button/b/param/currency",
            ),
        ],
        &[
            (
                "param.constant_changed",
                "page/home/button/a/param/currency",
            ),
            (
                "param.constant_changed",
                "page/home/button/b/param/currency",
            ),
        ],
    );
}

#[test]
fn a_pixel_gone_is_pixel_removed_only_not_every_event_narrowed() {
    // Events that name no pixels go to every pixel; losing one is one change, of the pixel.
    let base = Cfg::new().two_pixels().page(ABOUT).render();
    let head = Cfg::new().page(ABOUT).render();
    pair(
        &base,
        &head,
        &[("pixel.removed", "pixel/ads")],
        &[("pixel.added", "pixel/ads")],
    );
}

#[test]
fn pixel_added_in_one_environment() {
    let base = Cfg::new().render();
    let head = two_env_cfg().render();
    let s = pair(
        &base,
        &head,
        &[("pixel.added", "pixel/main")],
        &[("pixel.removed", "pixel/main")],
    );
    let (_, report, _) = s.diff("base.yaml", "head.yaml", &[]);
    assert_eq!(changes(&report)[0]["envs"], serde_json::json!(["staging"]));
}

#[test]
fn different_id_changes_per_environment_are_two_changes() {
    let base = two_env_cfg().render();
    let head = swap(
        &swap(
            &base,
            "staging: \"987654321098765\"",
            "staging: \"987654321098766\"",
        ),
        "production: \"123456789012345\"",
        "production: \"123456789012346\"",
    );
    let s = pair(
        &base,
        &head,
        &[
            ("pixel.id_changed", "pixel/main"),
            ("pixel.id_changed", "pixel/main"),
        ],
        &[
            ("pixel.id_changed", "pixel/main"),
            ("pixel.id_changed", "pixel/main"),
        ],
    );
    let (_, report, _) = s.diff("base.yaml", "head.yaml", &[]);
    let mut envs: Vec<Value> = changes(&report).iter().map(|c| c["envs"].clone()).collect();
    envs.sort_by_key(|e| e.to_string());
    assert_eq!(
        envs,
        [
            serde_json::json!(["production"]),
            serde_json::json!(["staging"])
        ]
    );
}

#[test]
fn the_same_id_change_in_every_environment_is_one_change() {
    let base = Cfg::new()
        .pixel("main", &[("production", MAIN_ID), ("staging", MAIN_ID)])
        .render();
    let head = base.replace(MAIN_ID, "123456789012346");
    let s = pair(
        &base,
        &head,
        &[("pixel.id_changed", "pixel/main")],
        &[("pixel.id_changed", "pixel/main")],
    );
    let (_, report, _) = s.diff("base.yaml", "head.yaml", &[]);
    let c = &changes(&report)[0];
    assert_eq!(
        c["envs"],
        serde_json::json!(["production", "staging"]),
        "{c:#}"
    );
    assert_eq!(c["before"], MAIN_ID);
    assert_eq!(c["after"], "123456789012346");
}

#[test]
fn acknowledged_notable_does_not_fail_notable() {
    let base = Cfg::new().render();
    let head = swap(&base, "version: v25.0", "version: v24.0");
    let s = Sides::new(&base, &head);
    let (code, report, err) = s.diff(
        "base.yaml",
        "head.yaml",
        &[
            "--fail-on",
            "notable",
            "--allow",
            "graph.version_changed:site/*",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(report["summary"]["acknowledged"], 1);
    assert_eq!(
        changes(&report)[0]["acknowledged_by"],
        "graph.version_changed:site/*"
    );
}

#[test]
fn changed_items_carry_both_locations() {
    let base = params_cfg();
    let head = format!(
        "# moved down a line\n{}",
        swap(&base, "currency: EUR", "currency: USD")
    );
    let s = Sides::new(&base, &head);
    let (_, report, _) = s.diff("base.yaml", "head.yaml", &[]);
    let c = &changes(&report)[0];
    assert_eq!(c["kind"], "param.constant_changed");
    assert_eq!(c["base"]["file"], "base.yaml", "{c:#}");
    assert_eq!(c["head"]["file"], "head.yaml", "{c:#}");
    let (b, h) = (
        c["base"]["line"].as_u64().unwrap(),
        c["head"]["line"].as_u64().unwrap(),
    );
    assert_eq!(
        h,
        b + 1,
        "the head's location moved with the comment: {c:#}"
    );
    assert_eq!(c["before"], "EUR");
    assert_eq!(c["after"], "USD");
}

/// The 1-based line of the first line of `yaml` that starts (after indentation) with `key`.
fn line_of(yaml: &str, key: &str) -> u64 {
    yaml.lines()
        .position(|l| l.trim_start().starts_with(key))
        .unwrap_or_else(|| panic!("no `{key}` in:\n{yaml}")) as u64
        + 1
}

#[test]
fn site_wide_changes_point_at_their_lines() {
    let base = format!("# a comment\n{}", Cfg::new().render());
    let head = swap(&Cfg::new().render(), "consent: none", "consent: required");
    let s = Sides::new(&base, &head);
    let (_, report, _) = s.diff("base.yaml", "head.yaml", &[]);
    let c = &changes(&report)[0];
    assert_eq!(c["kind"], "consent.changed");
    assert_eq!(c["base"]["line"], line_of(&base, "consent:"), "{c:#}");
    assert_eq!(c["head"]["line"], line_of(&head, "consent:"), "{c:#}");
}

#[test]
fn a_removed_button_is_located_at_its_page_in_the_head() {
    let s = removed_button();
    let head = std::fs::read_to_string(s.dir.path().join("head.yaml")).unwrap();
    let (_, report, _) = s.diff("base.yaml", "head.yaml", &[]);
    let c = &changes(&report)[0];
    assert_eq!(c["head"]["file"], "head.yaml", "{c:#}");
    assert_eq!(c["head"]["line"], line_of(&head, "- id: home"), "{c:#}");
    let out = s.run(&["diff", "base.yaml", "head.yaml", "--format", "github"]);
    let gh = text(&out.stdout);
    let want = format!(
        "::error file=head.yaml,line={}",
        line_of(&head, "- id: home")
    );
    assert!(gh.contains(&want), "{want} in:\n{gh}");
}

#[test]
fn github_levels_follow_severity_and_acknowledgement() {
    let base = Cfg::new().render();
    let head = swap(
        &swap(&base, "version: v25.0", "version: v24.0"),
        "name: Demo",
        "name: Demo 2",
    );
    let head = swap(&head, "consent: none", "consent: required");
    let s = Sides::new(&base, &head);
    let out = s.run(&["diff", "base.yaml", "head.yaml", "--format", "github"]);
    let gh = text(&out.stdout);
    let line = |kind: &str| {
        gh.lines()
            .find(|l| l.contains(kind))
            .unwrap_or_else(|| panic!("{kind} in:\n{gh}"))
            .to_string()
    };
    assert!(line("consent.changed").starts_with("::error "), "{gh}");
    assert!(
        line("graph.version_changed").starts_with("::warning "),
        "{gh}"
    );
    assert!(line("site.changed").starts_with("::notice "), "{gh}");
    let out = s.run(&[
        "diff",
        "base.yaml",
        "head.yaml",
        "--format",
        "github",
        "--allow",
        "consent.changed:site/consent",
    ]);
    let gh = text(&out.stdout);
    let l = gh
        .lines()
        .find(|l| l.contains("consent.changed"))
        .unwrap_or("");
    assert!(l.starts_with("::notice "), "acknowledged is a notice: {gh}");
}

#[test]
fn markdown_escapes_configuration_values() {
    let base = swap(
        &Cfg::new().render(),
        "selector: button.signup",
        "text: \"a | <b>x</b>\"",
    );
    let head = swap(&base, "<b>x</b>", "<img src=x onerror=alert(1)>");
    let s = Sides::new(&base, &head);
    s.assert_clean("head.yaml");
    let out = s.run(&["diff", "base.yaml", "head.yaml", "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(0));
    let md = text(&out.stdout);
    assert!(
        !md.contains("<b>") && !md.contains("<img"),
        "HTML escaped:\n{md}"
    );
    let row = md
        .lines()
        .find(|l| l.contains("button.locator_changed"))
        .unwrap_or_else(|| panic!("{md}"));
    let header = md
        .lines()
        .find(|l| l.starts_with("| Change"))
        .expect("a table");
    let cells = |l: &str| l.replace("\\|", "").matches('|').count();
    assert_eq!(cells(row), cells(header), "the row keeps its cells:\n{md}");
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
}

#[test]
fn a_revision_side_is_read_with_git() {
    let base = Cfg::new().page(ABOUT).render();
    let s = Sides::new(&base, &base);
    s.write("tagc.yaml", &base);
    git(s.dir.path(), &["init", "-q"]);
    git(s.dir.path(), &["add", "tagc.yaml"]);
    git(s.dir.path(), &["commit", "-qm", "base"]);
    s.write("tagc.yaml", &Cfg::new().render());
    for args in [
        vec!["diff", "--base", "HEAD", "tagc.yaml", "--format", "json"],
        vec!["diff", "HEAD:tagc.yaml", "tagc.yaml", "--format", "json"],
    ] {
        let out = s.run(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_changes(&report, &[("page.removed", "page/about")], "git");
        assert_eq!(changes(&report)[0]["base"]["rev"], "HEAD", "{report:#}");
    }
    let out = s.run(&["diff", "--base", "no-such-rev", "tagc.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn includes_are_read_at_the_revision() {
    let whole = Cfg::new().page(ABOUT);
    let mut root = whole.clone();
    root.pages.clear();
    root.include = vec!["pages/*.yaml".into()];
    let s = Sides::new("", "");
    s.write("tagc.yaml", &root.render());
    s.write(
        "pages/site.yaml",
        &format!("pages:\n{}{}", indent(HOME, 2), indent(ABOUT, 2)),
    );
    git(s.dir.path(), &["init", "-q"]);
    git(s.dir.path(), &["add", "."]);
    git(s.dir.path(), &["commit", "-qm", "split"]);
    // the working tree: one file again, and the included file gone
    std::fs::remove_dir_all(s.dir.path().join("pages")).unwrap();
    s.write("tagc.yaml", &whole.render());
    let (code, report, err) = s.diff("HEAD:tagc.yaml", "tagc.yaml", &[]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(report["changes"], serde_json::json!([]), "{report:#}");
}

#[test]
fn a_directory_is_a_usage_error() {
    let base = Cfg::new().render();
    let s = Sides::new(&base, &base);
    let out = s.run(&["diff", ".", "head.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn the_documented_schema_file_is_committed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let committed = std::fs::read_to_string(root.join("schema/diff.schema.json"))
        .expect("schema/diff.schema.json exists");
    let out = tagc(&["schema", "diff"], root);
    let printed = text(&out.stdout);
    let a: Value = serde_json::from_str(&committed).expect("json");
    let b: Value = serde_json::from_str(&printed).expect("json");
    assert_eq!(a, b, "the committed schema matches `tagc schema diff`");
}

// ---------------------------------------------------------------------------------------
// Equivalent spellings (nothing) and a few more places each kind applies to.

fn assert_same(base: &str, head: &str) {
    let s = Sides::new(base, head);
    s.assert_clean("base.yaml");
    s.assert_clean("head.yaml");
    assert_no_changes(&s, "base.yaml", "head.yaml");
}

#[test]
fn url_list_order_and_trailing_slash_change_nothing() {
    let base = Cfg::new().page(ABOUT).render();
    assert_same(
        &swap(&base, "url: /about", "url: [/about, /team]"),
        &swap(&base, "url: /about", "url: [/team/, /about]"),
    );
}

#[test]
fn explicit_every_pixel_equals_no_pixels_list() {
    let base = Cfg::new().two_pixels().server_event(SERVER_CRM).render();
    let head = swap(
        &base,
        "      event: Lead\n",
        "      event: Lead\n      pixels: [main, ads]\n",
    );
    let head = swap(
        &head,
        "  custom: true\n",
        "  custom: true\n  pixels: [ads, main]\n",
    );
    assert_same(&base, &head);
}

#[test]
fn params_merged_over_a_definition_equal_the_inline_event() {
    let base = Cfg::bare()
        .event_def(
            r#"
            atc:
              event: AddToCart
              params:
                value: {from: attribute, name: data-price, type: number}
                currency: EUR
            "#,
        )
        .page(
            r#"
            - id: home
              url: /
              buttons:
                - id: a
                  selector: button.a
                  use: atc
                  params:
                    content_type: product
            "#,
        )
        .render();
    let head = Cfg::bare()
        .page(
            r#"
            - id: home
              url: /
              buttons:
                - id: a
                  selector: button.a
                  event: AddToCart
                  params:
                    content_type: product
                    currency: EUR
                    value: {from: attribute, name: data-price, type: number}
            "#,
        )
        .render();
    assert_same(&base, &head);
}

#[test]
fn allow_subject_star_matches_across_slashes() {
    let base = params_cfg();
    let head = swap(
        &base,
        "        seats: {from: attribute, name: data-seats, type: integer}\n",
        "",
    );
    let s = Sides::new(&base, &head);
    let (code, report, err) = s.diff(
        "base.yaml",
        "head.yaml",
        &[
            "--fail-on",
            "breaking",
            "--allow",
            "param.removed:page/*/param/seats",
        ],
    );
    assert_eq!(code, Some(0), "{err}\n{report:#}");
    assert_eq!(report["summary"]["acknowledged"], 1);
}

#[test]
fn server_event_source_url_removed_is_param_removed() {
    let base = swap(
        &Cfg::new().server_event(SERVER_CRM).render(),
        "  event_time: {path: change.at, format: unix}\n",
        "  event_time: {path: change.at, format: unix}\n  event_source_url: change.url\n",
    );
    let base = swap(
        &base,
        "{id: c1, at: 1795511024}",
        "{id: c1, at: 1795511024, url: \"https://demo.example.com/x\"}",
    );
    let head = swap(&base, "  event_source_url: change.url\n", "");
    pair(
        &base,
        &head,
        &[("param.removed", "server/crm/field/event_source_url")],
        &[("param.added", "server/crm/field/event_source_url")],
    );
}

#[test]
fn event_time_zone_is_format_changed() {
    let base = swap(
        &Cfg::new().server_event(SERVER_CRM).render(),
        "  event_time: {path: change.at, format: unix}\n",
        "  event_time: {path: change.at, format: \"%Y-%m-%d %H:%M:%S\", timezone: Europe/Madrid}\n",
    );
    let base = swap(&base, "at: 1795511024}", "at: \"2026-11-20 18:42:13\"}");
    let head = swap(&base, "timezone: Europe/Madrid", "timezone: Europe/London");
    pair(
        &base,
        &head,
        &[("param.format_changed", "server/crm/field/event_time")],
        &[("param.format_changed", "server/crm/field/event_time")],
    );
}

#[test]
fn server_defaults_time_zone_and_phone_code() {
    let base = Cfg::bare()
        .defaults("phone_country_code: \"34\"\ncountry: es")
        .server_event(SERVER_CRM)
        .render();
    let head = swap(
        &base,
        "phone_country_code: \"34\"",
        "phone_country_code: \"33\"",
    );
    pair(
        &base,
        &head,
        &[("server.defaults_changed", "site/server_defaults")],
        &[("server.defaults_changed", "site/server_defaults")],
    );
}

#[test]
fn server_standard_event_made_custom() {
    let base = Cfg::new().server_event(SERVER_CRM).render();
    let base = swap(
        &base,
        "  event: QualifiedLead\n  custom: true\n",
        "  event: Lead\n",
    );
    let head = swap(
        &base,
        "event: Lead\naction_source: system_generated\n",
        "event: QualifiedLead\ncustom: true\naction_source: system_generated\n",
    );
    pair(
        &base,
        &head,
        &[("event.made_custom", "server/crm*")],
        &[("event.renamed", "server/crm*")],
    );
}

#[test]
fn browser_param_closest_changed_is_source_changed() {
    let base = params_cfg();
    let head = swap(
        &base,
        "name: data-price, type",
        "name: data-price, closest: .card, type",
    );
    pair(
        &base,
        &head,
        &[(
            "param.source_changed",
            "page/home/button/signup/param/value",
        )],
        &[(
            "param.source_changed",
            "page/home/button/signup/param/value",
        )],
    );
}

#[test]
fn button_moved_to_another_page_is_removed_and_added() {
    let base = Cfg::new().page(ABOUT).render();
    let head = swap(
        &swap(
            &base,
            "  buttons:\n    - id: signup\n      selector: button.signup\n      event: Lead\n",
            "",
        ),
        "  on_load:\n    - event: ViewContent\n",
        "  on_load:\n    - event: ViewContent\n  buttons:\n    - id: signup\n      selector: button.signup\n      event: Lead\n",
    );
    pair(
        &base,
        &head,
        &[
            ("button.removed", "page/home/button/signup"),
            ("button.added", "page/about/button/signup"),
        ],
        &[
            ("button.removed", "page/about/button/signup"),
            ("button.added", "page/home/button/signup"),
        ],
    );
}

#[test]
fn limited_data_use_off_versus_absent_is_a_change() {
    // Absent: no data-processing options at all; `off`: `dataProcessingOptions: []`.
    let base = Cfg::new().render();
    let mut c = Cfg::new();
    c.ldu = Some("{mode: \"off\"}".into());
    let head = c.render();
    pair(
        &base,
        &head,
        &[("limited_data_use.changed", "site/limited_data_use")],
        &[("limited_data_use.changed", "site/limited_data_use")],
    );
}

#[test]
fn dedup_through_a_form_field_both_sides_renamed_is_event_id_changed() {
    let base = Cfg::new()
        .event_def(
            r#"
            signup:
              event: Lead
              event_id:
                source: {from: random}
                share: {via: form_field, name: event_id}
            "#,
        )
        .page(
            r#"
            - id: join
              url: /join
              buttons:
                - id: form
                  selector: form#join
                  on: submit
                  use: signup
            "#,
        )
        .server_event(&swap(
            &SERVER_LEAD.replace("lead_id", "event_id"),
            "  action_source: website\n",
            "  action_source: website\n  deduplicate_with: signup\n",
        ))
        .render();
    let head = swap(
        &swap(
            &swap(&base, "name: event_id}", "name: eid}"),
            "event_id: form.event_id",
            "event_id: form.eid",
        ),
        "{event_id: \"L-1\"",
        "{eid: \"L-1\"",
    );
    pair(
        &base,
        &head,
        &[("event_id.changed", "*")],
        &[("event_id.changed", "*")],
    );
}

// ---------------------------------------------------------------------------------------
// URL patterns as languages (segments per src/urlpattern.rs: `*` and `{x}` one non-empty
// segment, a `*` inside a segment any run, `**` zero or more segments).

/// `from` → `to` on a page of its own: `narrowed`/`widened` as expected, and the reverse
/// swapped.
fn url_case(from: &str, to: &str, narrowed: bool, widened: bool) {
    let page = format!("- id: docs\n  url: \"{from}\"\n  on_load:\n    - event: ViewContent\n");
    let base = Cfg::new().page(&page).render();
    let head = swap(
        &base,
        &format!("url: \"{from}\""),
        &format!("url: \"{to}\""),
    );
    let mut fwd = vec![];
    let mut rev = vec![];
    if narrowed {
        fwd.push(("page.url_narrowed", "page/docs/url"));
        rev.push(("page.url_widened", "page/docs/url"));
    }
    if widened {
        fwd.push(("page.url_widened", "page/docs/url"));
        rev.push(("page.url_narrowed", "page/docs/url"));
    }
    if fwd.is_empty() {
        assert_same(&base, &head);
    } else {
        pair(&base, &head, &fwd, &rev);
    }
}

#[test]
fn url_any_depth_to_one_segment_is_narrowed_only() {
    url_case("/docs/**", "/docs/*", true, false);
}

#[test]
fn url_prefix_star_to_segment_star_is_widened_only() {
    url_case("/docs/item-*", "/docs/*", false, true);
}

#[test]
fn url_star_needing_a_dash_is_narrower() {
    url_case("/docs/*", "/docs/*-*", true, false);
}

#[test]
fn url_infix_stars() {
    url_case("/docs/x*", "/docs/x*y", true, false);
    url_case("/docs/a*", "/docs/*b", true, true);
}

#[test]
fn url_any_depth_in_the_middle() {
    url_case("/docs/*/edit", "/docs/**/edit", false, true);
    url_case("/docs/{id}/**", "/docs/**", false, true);
}

#[test]
fn url_trailing_slash_and_param_names_are_the_same_language() {
    url_case("/docs/{a}/", "/docs/{b}", false, false);
}

#[test]
fn url_everything_to_root_is_narrowed_only() {
    // (the home page `/` comes first; `/**` after it shadows nothing)
    url_case("/**", "/docs", true, false);
}

// ---------------------------------------------------------------------------------------
// Spelling the same thing another way: nothing.

#[test]
fn defaults_spelt_out_change_nothing() {
    let base = params_cfg();
    let head = swap(
        &swap(
            &base,
            "selector: button.signup\n",
            "selector: button.signup\non: click\n",
        ),
        "event: Lead\n",
        "event: Lead\ncustom: false\n",
    );
    let head = swap(&head, "currency: EUR", "currency: \"EUR\"");
    let head = swap(&head, "url: /\n", "url: [\"/\"]\n");
    assert_same(&base, &head);
}

#[test]
fn default_param_type_spelt_out_changes_nothing() {
    let base = swap(
        &params_cfg(),
        "        seats: {from: attribute, name: data-seats, type: integer}\n",
        "        plan: {from: attribute, name: data-plan}\n",
    );
    let head = swap(
        &base,
        "{from: attribute, name: data-plan}",
        "{from: attribute, name: data-plan, type: string}",
    );
    assert_same(&base, &head);
}

#[test]
fn server_field_long_forms_change_nothing() {
    let base = Cfg::new().server_event(SERVER_CRM).render();
    let head = swap(&base, "em: lead.email", "em: {path: lead.email}");
    let head = swap(
        &head,
        "ph: lead.phone",
        "ph: {path: lead.phone, hashed: false}",
    );
    assert_same(&base, &head);
}

#[test]
fn server_event_id_long_form_changes_nothing() {
    let base = Cfg::new().server_event(SERVER_CRM).render();
    let head = swap(&base, "event_id: change.id", "event_id: {path: change.id}");
    assert_same(&base, &head);
}

#[test]
fn paired_server_event_id_long_form_changes_nothing() {
    let base = dedup_cfg().render();
    let head = swap(
        &base,
        "event_id: form.lead_id",
        "event_id: {path: form.lead_id}",
    );
    assert_same(&base, &head);
    // and so it cannot fail CI
    let s = Sides::new(&base, &head);
    let (code, _, err) = s.diff("base.yaml", "head.yaml", &["--fail-on", "breaking"]);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn definitions_and_server_events_moved_into_included_files_change_nothing() {
    let base = dedup_cfg().render();
    let mut root = dedup_cfg();
    root.events.clear();
    root.server.clear();
    root.include = vec!["events.yaml".into(), "server/*.yaml".into()];
    let s = Sides::new(&base, &root.render());
    s.write("events.yaml", &format!("events:\n{}", indent(DEDUP_DEF, 2)));
    let server = swap(
        SERVER_LEAD,
        "  action_source: website\n",
        "  action_source: website\n  deduplicate_with: lead\n",
    );
    s.write(
        "server/lead.yaml",
        &format!("server:\n  events:\n{}", indent(&server, 4)),
    );
    s.assert_clean("base.yaml");
    s.assert_clean("head.yaml");
    assert_no_changes(&s, "base.yaml", "head.yaml");
}

#[test]
fn a_whole_event_shared_by_an_anchor_changes_nothing() {
    let base = swap(
        &Cfg::new().page(ABOUT).render(),
        "  buttons:\n",
        "  on_load:\n    - event: ViewContent\n  buttons:\n",
    );
    let head = swap(
        &base,
        "  on_load:\n    - event: ViewContent\n",
        "  on_load:\n    - &vc {event: ViewContent}\n",
    );
    let head = swap(
        &head,
        "  on_load:\n    - event: ViewContent\n",
        "  on_load:\n    - *vc\n",
    );
    assert_same(&base, &head);
}

#[test]
fn declaring_copied_from_changes_nothing() {
    let base = Cfg::new()
        .event_def(
            r#"
            reg:
              event: Lead
              event_id:
                source: {from: random}
                share: {via: form_field, name: event_id}
            "#,
        )
        .page(
            r#"
            - id: join
              url: /join
              buttons:
                - id: form
                  selector: form#join
                  on: submit
                  use: reg
            "#,
        )
        .server_event(&swap(
            &SERVER_LEAD.replace("lead_id", "event_id"),
            "  action_source: website\n",
            "  action_source: website\n  deduplicate_with: reg\n",
        ))
        .render();
    let head = swap(
        &base,
        "event_id: form.event_id",
        "event_id: {path: form.event_id, copied_from: event_id}",
    );
    assert_same(&base, &head);
}

#[test]
fn custom_load_event_renamed_is_matched_by_position() {
    let base = Cfg::new()
        .page(
            r#"
            - id: item
              url: /item
              on_load:
                - event: Search
                - event: ViewItem
                  custom: true
            "#,
        )
        .render();
    let head = swap(&base, "event: ViewItem", "event: ItemViewed");
    pair(
        &base,
        &head,
        &[("event.renamed", "page/item/on_load/*")],
        &[("event.renamed", "page/item/on_load/*")],
    );
}

#[test]
fn second_load_event_made_custom_keeps_the_first_matched_by_name() {
    let base = Cfg::new()
        .page(
            r#"
            - id: item
              url: /item
              on_load:
                - event: Search
                - event: ViewContent
            "#,
        )
        .render();
    let head = swap(
        &base,
        "- event: ViewContent\n",
        "- event: ViewItem\n  custom: true\n",
    );
    pair(
        &base,
        &head,
        &[("event.made_custom", "page/item/on_load/ViewContent")],
        &[("event.renamed", "page/item/on_load/*")],
    );
}

#[test]
fn renamed_ids_are_removals_and_additions() {
    let base = Cfg::new().server_event(SERVER_CRM).render();
    let head = swap(&base, "id: signup", "id: sign-up");
    let head = swap(&head, "- id: crm\n", "- id: crm-lead\n");
    pair(
        &base,
        &head,
        &[
            ("button.removed", "page/home/button/signup"),
            ("button.added", "page/home/button/sign-up"),
            ("server_event.removed", "server/crm"),
            ("server_event.added", "server/crm-lead"),
        ],
        &[
            ("button.removed", "page/home/button/sign-up"),
            ("button.added", "page/home/button/signup"),
            ("server_event.removed", "server/crm-lead"),
            ("server_event.added", "server/crm"),
        ],
    );
}

#[test]
fn renamed_pixel_is_removed_and_added() {
    let base = Cfg::new().render();
    let head = swap(&base, "- name: main\n", "- name: primary\n");
    pair(
        &base,
        &head,
        &[
            ("pixel.removed", "pixel/main"),
            ("pixel.added", "pixel/primary"),
        ],
        &[
            ("pixel.removed", "pixel/primary"),
            ("pixel.added", "pixel/main"),
        ],
    );
}

#[test]
fn a_side_with_warnings_only_is_compared() {
    // `ads` has no staging id: a warning (TAG3008), not an error.
    let base = two_env_cfg().render();
    let head = two_env_cfg().two_pixels().render();
    let s = Sides::new(&base, &head);
    let out = s.run(&["check", "head.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("warning"),
        "{}",
        text(&out.stderr)
    );
    let (code, report, err) = s.diff("base.yaml", "head.yaml", &[]);
    assert_eq!(code, Some(0), "{err}");
    assert_changes(&report, &[("pixel.added", "pixel/ads")], "warnings only");
    assert_eq!(
        changes(&report)[0]["envs"],
        serde_json::json!(["production"])
    );
}

#[test]
fn a_removed_page_of_an_included_file_is_located_at_the_root_file() {
    let mut root = Cfg::new();
    root.pages.clear();
    root.include = vec!["pages/*.yaml".into()];
    let s = Sides::new(&root.render(), &root.render());
    s.write("base/tagc.yaml", &root.render());
    s.write(
        "base/pages/site.yaml",
        &format!("pages:\n{}{}", indent(HOME, 2), indent(ABOUT, 2)),
    );
    s.write("head/tagc.yaml", &root.render());
    s.write(
        "head/pages/site.yaml",
        &format!("pages:\n{}", indent(HOME, 2)),
    );
    s.assert_clean("base/tagc.yaml");
    s.assert_clean("head/tagc.yaml");
    let (code, report, err) = s.diff("base/tagc.yaml", "head/tagc.yaml", &[]);
    assert_eq!(code, Some(0), "{err}");
    assert_changes(&report, &[("page.removed", "page/about")], "included page");
    let c = &changes(&report)[0];
    assert_eq!(c["base"]["file"], "base/pages/site.yaml", "{c:#}");
    assert_eq!(c["head"]["file"], "head/tagc.yaml", "the root file: {c:#}");
}
