//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostic::render::Format;

/// tagc — compile tracking configuration into Meta Pixel and Conversions API artifacts.
#[derive(Debug, Parser)]
#[command(name = "tagc", version, about, max_term_width = 100)]
pub struct Args {
    /// When to use colour in human output (`NO_COLOR` is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Colour choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// Colour when stderr is a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented starter configuration (and its JSON Schema beside it) that
    /// checks clean: one pixel, one page, one button, one server event.
    Init(InitArgs),
    /// Validate configuration files: schema, Meta's rules, references.
    Check(CheckArgs),
    /// Check, then write the pixel artifacts and a manifest into the output directory.
    Build(BuildArgs),
    /// Check, then print one page's inline head snippet to stdout.
    Snippet(SnippetArgs),
    /// Normalize and hash customer data the way Meta documents it (an offline Payload
    /// Helper): one JSON line per value.
    Hash(HashArgs),
    /// Map backend records (NDJSON or CSV) to Conversions API events and send them.
    Send(SendArgs),
    /// Run a verification plan: server events against Test Events (or Meta's rules
    /// offline), pages and buttons in headless Chromium, deduplication end to end.
    Verify(VerifyArgs),
    /// What a configuration change does to what Meta receives: both sides are resolved
    /// and compared, each change classified as breaking, notable or info.
    Diff(DiffArgs),
    /// Load a page in headless Chromium and list every element a visitor can act on,
    /// with a unique locator; with `--config`, which are tracked, untracked or ambiguous.
    Scan(ScanArgs),
    /// Show a page in your browser with every element it scanned boxed; click one, choose
    /// its event, and the button is added to the configuration file in place (then checked).
    Pick(PickArgs),
    /// Print the JSON Schema of the configuration language (or of another document).
    Schema {
        /// Which schema.
        #[arg(value_enum, default_value_t = SchemaKind::Config)]
        kind: SchemaKind,
    },
    /// Explain a diagnostic code, such as `tagc explain TAG2005`.
    Explain {
        /// The code (`TAG2005`) or its name (`purchase-missing-value-currency`).
        code: Option<String>,
        /// List every code.
        #[arg(long)]
        list: bool,
    },
}

/// Arguments of `tagc init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The configuration file to write (`tagc.schema.json` goes beside it).
    #[arg(default_value = "tagc.yaml", value_name = "FILE")]
    pub path: PathBuf,
    /// The pixel (dataset) id from Events Manager.
    #[arg(long, value_name = "ID")]
    pub pixel: String,
    /// Replace the files if they exist.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `tagc check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The configurations, each checked as its own (`include:` entries are followed).
    #[arg(required = true, value_name = "CONFIG")]
    pub configs: Vec<PathBuf>,
    /// Output format: `human` (stderr), `json` or `github` (stdout).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Treat warnings as errors (exit 1).
    #[arg(long)]
    pub deny_warnings: bool,
}

/// What `tagc build` produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    /// Every artifact and the manifest, written into `--out`.
    Artifacts,
    /// The resolved model as JSON on stdout (a debugging aid); nothing is written.
    Ir,
}

/// Options shared by the commands that generate code.
#[derive(Debug, clap::Args)]
pub struct GenArgs {
    /// The environment whose pixel ids are used.
    #[arg(long, default_value = "production", value_name = "ENV")]
    pub env: String,
    /// A CSP nonce, or your template engine's placeholder for one (`'{{ csp_nonce }}'`,
    /// `'<%= nonce %>'`), added verbatim to every `<script>` tag.
    #[arg(long, value_name = "NONCE", value_parser = nonce)]
    pub nonce: Option<String>,
    /// How problems found while checking are reported (not the artifacts' format):
    /// `human` on stderr; `json` or `github` on stdout for `build`, on stderr for
    /// `snippet` and `build --emit ir`, whose stdout is the artifact.
    #[arg(
        long = "diagnostics-format",
        alias = "format",
        value_enum,
        default_value_t = Format::Human,
        value_name = "FORMAT"
    )]
    pub format: Format,
    /// Treat warnings as errors (exit 1, nothing generated).
    #[arg(long)]
    pub deny_warnings: bool,
}

/// Arguments of `tagc build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The configuration (its `include:` entries are followed). One per run: a path on
    /// the command line is always one whole configuration, as for `check`.
    #[arg(value_name = "CONFIG")]
    pub config: PathBuf,
    /// The output directory (created if missing).
    #[arg(long, short, default_value = "dist", value_name = "DIR")]
    pub out: PathBuf,
    /// What to produce.
    #[arg(long, value_enum, default_value_t = Emit::Artifacts)]
    pub emit: Emit,
    /// The URL the site serves `pixel/tagc.js` from (used in `pixel/head.html`).
    #[arg(long, default_value = "/tagc.js", value_name = "URL")]
    pub script_url: String,
    /// Shared options.
    #[command(flatten)]
    pub gen_args: GenArgs,
}

/// Arguments of `tagc snippet`.
#[derive(Debug, clap::Args)]
pub struct SnippetArgs {
    /// The configuration (its `include:` entries are followed). One per run: a path on
    /// the command line is always one whole configuration, as for `check`.
    #[arg(value_name = "CONFIG")]
    pub config: PathBuf,
    /// The page whose snippet to print.
    #[arg(long, value_name = "ID")]
    pub page: String,
    /// Shared options.
    #[command(flatten)]
    pub gen_args: GenArgs,
}

/// Which JSON Schema `tagc schema` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// The configuration language (`schema/tagc.schema.json`).
    Config,
    /// The Conversions API mapping (`schema/capi-mapping.schema.json`).
    Mapping,
    /// The verification plan (`schema/verify-plan.schema.json`).
    Plan,
    /// The `tagc diff --format json` report (`schema/diff.schema.json`).
    Diff,
    /// The `tagc scan --format json` report (`schema/scan.schema.json`).
    Scan,
}

/// Arguments of `tagc scan`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  tagc scan https://example.com/
  tagc scan https://example.com/ --config tagc.yaml --format yaml
  tagc scan https://example.com/ --config tagc.yaml --fail-on untracked --ignore 'nav, footer'
  tagc scan --all --config tagc.yaml --base-url https://staging.example.com --fail-on missing

Exit status: 0 scanned; 1 a --fail-on condition holds, or the configuration has errors;
2 usage error, no browser, an unreachable URL, an HTTP error, a document that is not HTML,
a step that failed, or (with --all) a page that could not be scanned.")]
#[command(group(clap::ArgGroup::new("target").required(true).args(["url", "all"])))]
pub struct ScanArgs {
    /// The page to scan (http:// or https://).
    #[arg(value_name = "URL", conflicts_with = "all")]
    pub url: Option<String>,
    /// Scan every page of the configuration that has an example path (`verify.urls`, else
    /// its literal URL patterns), at `--base-url` or the configuration's `site.url`.
    #[arg(long, requires = "config")]
    pub all: bool,
    /// With `--all`: scan each page at every one of its example paths (`verify.urls`),
    /// not only the first.
    #[arg(long, requires = "all")]
    pub all_urls: bool,
    /// With `--all`: the site's address (default: the configuration's `site.url`).
    #[arg(long, value_name = "URL", requires = "all")]
    pub base_url: Option<String>,
    /// Match the elements against this configuration's page for the URL's path.
    #[arg(long, value_name = "CONFIG")]
    pub config: Option<PathBuf>,
    /// The environment the configuration is resolved for.
    #[arg(long, default_value = "production", value_name = "ENV")]
    pub env: String,
    /// Output format: `human` (a table), `json` (versioned, `tagc schema scan`) or `yaml`
    /// (commented-out `buttons:` entries for the untracked elements).
    #[arg(long, value_enum, default_value_t = ScanFormat::Human)]
    pub format: ScanFormat,
    /// Exit 1 when this holds on any page scanned (repeatable): `untracked` — a visible,
    /// untracked call to action (an element whose text suggests a standard event, or a
    /// form or its submit control; plain links do not count); `ambiguous` — an element a
    /// configured button fires on along with other visible elements; `missing` — a
    /// configured button of the page that fires on no element.
    #[arg(long, value_enum, value_name = "CONDITION")]
    pub fail_on: Vec<ScanFailOn>,
    /// Drop the elements inside a match of this CSS selector (repeatable): reported as
    /// `ignored`, never suggested, never failing.
    #[arg(long = "ignore", value_name = "SELECTOR")]
    pub ignore: Vec<String>,
    /// A keyword table (YAML, `Event: [phrase, other phrase]`) to suggest events from,
    /// instead of the built-in English and Spanish one.
    #[arg(long, value_name = "FILE")]
    pub keywords: Option<PathBuf>,
    /// Do not scroll through the page before listing its elements (lazily rendered
    /// elements are then missed).
    #[arg(long)]
    pub no_scroll: bool,
    /// How the page is loaded.
    #[command(flatten)]
    pub load: PageLoadArgs,
    /// How problems in the configuration are reported.
    #[arg(long, value_enum, default_value_t = Format::Human, value_name = "FORMAT")]
    pub diagnostics_format: Format,
}

/// Arguments of `tagc pick`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  tagc pick https://example.com/ --config tagc.yaml
  tagc pick http://localhost:3000/checkout --config tracking/tagc.yaml --no-open --port 8765

Exit status: 0 the picker ran (until Done, or Ctrl-C); 2 usage error, a configuration with
errors, no browser, an unreachable URL, an HTTP error or a document that is not HTML (the
file is untouched).")]
pub struct PickArgs {
    /// The page to pick buttons on (http:// or https://).
    #[arg(value_name = "URL")]
    pub url: String,
    /// The configuration to add buttons to (edited in place, then checked).
    #[arg(long, value_name = "CONFIG")]
    pub config: PathBuf,
    /// The environment the configuration is resolved for.
    #[arg(long, default_value = "production", value_name = "ENV")]
    pub env: String,
    /// The port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 0, value_name = "PORT")]
    pub port: u16,
    /// A keyword table (YAML, see `docs/scan.md`) for the event the panel proposes,
    /// instead of the built-in English and Spanish one.
    #[arg(long, value_name = "FILE")]
    pub keywords: Option<PathBuf>,
    /// Print the picker's address without opening it in a browser.
    #[arg(long)]
    pub no_open: bool,
    /// How the page is loaded.
    #[command(flatten)]
    pub load: PageLoadArgs,
}

/// How `tagc scan` and `tagc pick` load a page.
#[derive(Debug, clap::Args)]
pub struct PageLoadArgs {
    /// The window the page is laid out for, in CSS pixels (`390x844` for a phone's
    /// layout).
    #[arg(long, default_value = "1280x800", value_name = "WxH", value_parser = parse_viewport)]
    pub viewport: (u32, u32),
    /// Milliseconds to wait once the network is quiet, for late rendering.
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    pub settle_ms: u64,
    /// Seconds the load and the settling may take in all; a page still busy then is
    /// scanned as it is (with a note).
    #[arg(long, default_value_t = 15.0, value_name = "SECONDS")]
    pub timeout: f64,
    /// The Chromium binary (default: `$TAGC_CHROMIUM`, then `PATH`).
    #[arg(long, value_name = "PATH")]
    pub browser: Option<PathBuf>,
}

impl PageLoadArgs {
    /// `--timeout` as a duration (at most an hour); `None` unless positive.
    #[must_use]
    pub fn timeout(&self) -> Option<std::time::Duration> {
        (self.timeout.is_finite() && self.timeout > 0.0)
            .then(|| std::time::Duration::from_secs_f64(self.timeout.min(3600.0)))
    }

    /// The scan options these flags set, the others at their defaults.
    #[must_use]
    pub fn scan_options(&self, timeout: std::time::Duration) -> crate::scan::ScanOptions {
        crate::scan::ScanOptions {
            launch: crate::browser::LaunchOptions {
                binary: self.browser.clone(),
                timeout,
                ..crate::browser::LaunchOptions::default()
            },
            settle: std::time::Duration::from_millis(self.settle_ms.min(600_000)),
            viewport: self.viewport,
            timeout,
            ..crate::scan::ScanOptions::default()
        }
    }
}

/// `tagc scan --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// A table on stdout.
    Human,
    /// The versioned JSON report on stdout.
    Json,
    /// Commented-out `buttons:` entries on stdout.
    Yaml,
}

/// `tagc scan --fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFailOn {
    /// A visible, untracked call to action.
    Untracked,
    /// An element a configured button fires on along with other visible elements.
    Ambiguous,
    /// A configured button of the page that fires on no element.
    Missing,
}

/// Arguments of `tagc diff`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  tagc diff old/tagc.yaml tagc.yaml
  tagc diff origin/main:tracking/tagc.yaml tracking/tagc.yaml
  tagc diff --base origin/main tracking/tagc.yaml --format markdown
  tagc diff --base origin/main tagc.yaml --fail-on breaking --allow page.removed:page/wishlist")]
pub struct DiffArgs {
    /// The configurations: `BASE HEAD`, each a path or `REV:path` (read with git, includes
    /// at that revision); or, with `--base`, only the head.
    #[arg(value_name = "CONFIG", num_args = 1..=2, required_unless_present = "list_kinds")]
    pub configs: Vec<String>,
    /// Compare CONFIG at this git revision (`origin/main`) with CONFIG in the working tree.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Only these environments (repeatable); default every environment of either side.
    #[arg(long = "env", value_name = "ENV")]
    pub envs: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = crate::diff::render::Format::Human)]
    pub format: crate::diff::render::Format,
    /// Exit 1 when a change at or above this severity is not acknowledged.
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = FailOn::Never)]
    pub fail_on: FailOn,
    /// Acknowledge a change the team means, as KIND:SUBJECT (`page.removed:page/wishlist`;
    /// `*` matches any run). Acknowledged changes are reported but do not fail.
    #[arg(long = "allow", value_name = "KIND:SUBJECT")]
    pub allows: Vec<String>,
    /// List every change kind with its severity, and exit.
    #[arg(long)]
    pub list_kinds: bool,
}

/// `tagc diff --fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Fail on breaking changes.
    Breaking,
    /// Fail on breaking and notable changes.
    Notable,
    /// Never fail because of a change (the default).
    Never,
}

/// Arguments of `tagc hash`.
#[derive(Debug, clap::Args)]
pub struct HashArgs {
    /// The customer-data key: em, ph, fn, ln, db, ge, ct, st, zp, country, external_id
    /// (also `email`, `phone`, `first_name`, …), or client_ip_address, fbc, fbp to
    /// validate a never-hashed id.
    #[arg(value_name = "FIELD")]
    pub field: String,
    /// The values; read one per line from stdin when none are given.
    #[arg(value_name = "VALUE")]
    pub values: Vec<String>,
    /// Country calling code added to national phone numbers (`34`) when `--country` gives
    /// none, like `server.defaults.phone_country_code`.
    #[arg(long, value_name = "CODE")]
    pub phone_country_code: Option<String>,
    /// The record's country (ISO alpha-2), for rules that depend on it (US zip codes, the
    /// calling code of national phone numbers, which it decides as in `tagc send`).
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,
}

/// Input format of `tagc send`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// From the file name: `.csv` is CSV, anything else NDJSON.
    Auto,
    /// One JSON object per line.
    Ndjson,
    /// Comma-separated values with a header row (`customer.email` columns nest).
    Csv,
}

/// Arguments of `tagc send`.
#[derive(Debug, clap::Args)]
pub struct SendArgs {
    /// The mapping written by `tagc build` (`dist/capi/mapping.json`).
    #[arg(long, value_name = "FILE")]
    pub mapping: PathBuf,
    /// The server event to send (its `id` in the configuration).
    #[arg(long, value_name = "ID")]
    pub event: String,
    /// The records: a file, or `-` (the default) for stdin.
    #[arg(value_name = "FILE", default_value = "-")]
    pub input: PathBuf,
    /// The input format.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub input_format: InputFormat,
    /// Send to Events Manager → Test Events with this code.
    #[arg(long, value_name = "CODE")]
    pub test_event_code: Option<String>,
    /// Read the access token from this file (instead of `META_ACCESS_TOKEN`).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Write every event that was not accepted, with the reason, to this NDJSON file (it
    /// can be sent again as it is).
    #[arg(long, value_name = "FILE")]
    pub failed: Option<PathBuf>,
    /// Write every warning (customer data left out, Meta's rule warnings and messages) to
    /// this NDJSON file, one line each with the record's line (and CSV row), its event id,
    /// the field and the record path — never the value.
    #[arg(long, value_name = "FILE")]
    pub warnings: Option<PathBuf>,
    /// Print the request bodies (without the token) instead of sending them.
    #[arg(long)]
    pub dry_run: bool,
    /// The Graph API base URL.
    #[arg(long, default_value = "https://graph.facebook.com", value_name = "URL")]
    pub graph_url: String,
    /// Events per request (at most 1000).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub batch_size: u16,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Per-request timeout in seconds (Meta recommends at least 1.5).
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    pub timeout: f64,
    /// Retries of a failed request (network errors, 5xx, throttling).
    #[arg(long, default_value_t = 5)]
    pub retries: u32,
    /// First retry delay in milliseconds (doubles on each retry, with jitter).
    #[arg(long, default_value_t = 500, hide = true)]
    pub retry_base_ms: u64,
    /// Unix time to use as "now" (reproducible runs).
    #[arg(long, hide = true)]
    pub now: Option<i64>,
    /// Start after the first N input lines: the resume point a stopped run printed
    /// (a CSV header is still read; line numbers still count from the file's start).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub skip: u64,
    /// On SIGINT/SIGTERM, how long requests already sent may take to finish before
    /// their events are written to the failed file as unconfirmed.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub grace: f64,
}

/// Report format of `tagc verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// A table on stderr.
    Human,
    /// One JSON document on stdout.
    Json,
    /// JUnit XML on stdout (CI test tabs).
    Junit,
    /// GitHub Actions annotations on stdout.
    Github,
}

/// Which `fbevents.js` a real site gets during `tagc verify --base-url`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Fbevents {
    /// Meta's own library; its requests to facebook.com/tr are captured, not sent.
    Real,
    /// A stand-in for Meta's library: nothing reaches Meta, and no network to Meta is
    /// needed (every `fbq` call is observed either way).
    Recorder,
}

/// Which checks `--only` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnlyKind {
    /// Server checks.
    Server,
    /// Browser checks.
    Browser,
    /// Dedup checks.
    Dedup,
}

/// Arguments of `tagc verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The plan written by `tagc build` (`dist/verify/plan.json`).
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,
    /// Send server checks to Events Manager → Test Events with this code (needs a token).
    #[arg(long, value_name = "CODE")]
    pub test_event_code: Option<String>,
    /// Run browser checks against this site, as a visitor would (Meta's real fbevents.js;
    /// its pixel requests are captured, not sent), instead of harness pages on 127.0.0.1.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// With --base-url: `real` loads Meta's fbevents.js and captures its pixel requests
    /// (nothing reaches Meta); `recorder` replaces it with tagc's recorder, for sites
    /// checked without network access to Meta.
    #[arg(long, value_enum, default_value_t = Fbevents::Real)]
    pub fbevents: Fbevents,
    /// The Graph API base URL.
    #[arg(long, default_value = "https://graph.facebook.com", value_name = "URL")]
    pub graph_url: String,
    /// Read the access token from this file (instead of `META_ACCESS_TOKEN`).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Run only one kind of check.
    #[arg(long, value_enum)]
    pub only: Option<OnlyKind>,
    /// Run only this check (an id, or a prefix such as `browser/landing`); repeatable.
    #[arg(long = "check", value_name = "ID")]
    pub checks: Vec<String>,
    /// Run only part K of N of the selected checks (every N-th, from the K-th), for a CI
    /// matrix that splits a large plan across runners.
    #[arg(long, value_name = "K/N", value_parser = shard)]
    pub shard: Option<(usize, usize)>,
    /// Browser checks in parallel, each worker with its own Chromium (default: one per core,
    /// at most 8).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: Option<u16>,
    /// How long to wait for an element to be ready on a real site, in seconds (a button's
    /// `verify.wait` overrides it).
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    pub wait: f64,
    /// A check that passes with a warning (a locator matching several different elements)
    /// fails.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
    /// The deadline of one check, in seconds.
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    pub timeout: f64,
    /// The deadline of the whole run, in seconds.
    #[arg(long, default_value_t = 900.0, value_name = "SECONDS")]
    pub total_timeout: f64,
    /// The browser binary (default: `$TAGC_CHROMIUM`, then chromium on PATH).
    #[arg(long, value_name = "PATH")]
    pub browser: Option<PathBuf>,
    /// Unix time to use as "now" (reproducible runs).
    #[arg(long, hide = true)]
    pub now: Option<i64>,
}

/// A `--shard K/N` value: 1 ≤ K ≤ N.
fn shard(s: &str) -> Result<(usize, usize), String> {
    let parsed = s.split_once('/').and_then(|(k, n)| {
        Some((
            k.trim().parse::<usize>().ok()?,
            n.trim().parse::<usize>().ok()?,
        ))
    });
    match parsed {
        Some((k, n)) if (1..=n).contains(&k) && n <= 10_000 => Ok((k, n)),
        _ => Err("a shard is K/N with 1 ≤ K ≤ N, such as 1/4".to_owned()),
    }
}

/// A `--nonce` value: verbatim in a double-quoted attribute, so no `"` or control character.
fn nonce(s: &str) -> Result<String, String> {
    if crate::emit::escape::is_verbatim_placeholder(s) {
        Ok(s.to_owned())
    } else {
        Err(
            "a nonce or placeholder goes verbatim into nonce=\"…\": it cannot be empty or \
             contain a double quote or a line break"
                .to_owned(),
        )
    }
}

/// `--viewport WxH`: two whole numbers of CSS pixels, each 100 to 10,000.
fn parse_viewport(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("`{s}` is not WIDTHxHEIGHT in CSS pixels, such as 1280x800 or 390x844");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    let w: u32 = w.trim().parse().map_err(|_| bad())?;
    let h: u32 = h.trim().parse().map_err(|_| bad())?;
    if !(100..=10_000).contains(&w) || !(100..=10_000).contains(&h) {
        return Err(format!(
            "`{s}`: width and height must each be 100 to 10000 CSS pixels"
        ));
    }
    Ok((w, h))
}
