//! `tagc diff`: what a change to the configuration does to what Meta receives.
//!
//! Both sides are loaded, validated and resolved for each environment; the resolved
//! models are compared (`compare`), never the text, so comments, key order, anchors
//! and moving a definition into an include change nothing. Each change has a stable
//! [`Kind`] with a [`Severity`]; the same change in several environments is reported
//! once, with the environments it applies to. Renderers live in [`render`].

mod allow;
mod compare;
mod kind;
pub mod render;
mod side;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

pub use allow::{Allow, AllowError};
pub use kind::{Kind, Severity};
pub use side::{Side, SideError, Spec};

use crate::resolve::{self, Site};

/// The version of the JSON report (`schema/diff.schema.json`); bumped on any
/// incompatible change.
pub const REPORT_VERSION: u32 = 1;

/// A place in one side's files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Location {
    /// The file as shown (`origin/main:tracking/tagc.yaml` for a revision).
    pub file: String,
    /// The file's path in the repository or working tree (for annotations).
    pub path: String,
    /// The revision the file was read at, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rev: Option<String>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One classified change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Change {
    /// What changed (`button.removed`).
    pub kind: Kind,
    /// How much it matters.
    pub severity: Severity,
    /// The item, as a path: `page/home/button/signup/param/value`, `server/purchase`,
    /// `pixel/main`, `site/consent`. `--allow KIND:SUBJECT` matches it.
    pub subject: String,
    /// One sentence for people.
    pub message: String,
    /// The value before, in words or compact JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// The value after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Where the item was defined in the base.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<Location>,
    /// Where it is defined in the head, or, for a removal, its nearest surviving parent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head: Option<Location>,
    /// The environments it applies to.
    pub envs: Vec<String>,
    /// The rule that acknowledges it (`--allow KIND:SUBJECT`, or an `acknowledge:` entry
    /// with where it is written and its reason): it no longer counts for `--fail-on`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<String>,
}

impl Change {
    /// The page or server event it belongs to (`page/home`, `server/purchase`), or the
    /// site.
    #[must_use]
    pub fn group(&self) -> &str {
        let mut it = self.subject.match_indices('/');
        match (self.subject.split('/').next(), it.nth(1)) {
            (Some("page" | "server"), Some((i, _))) => &self.subject[..i],
            (Some("page" | "server"), None) => &self.subject,
            _ => "site",
        }
    }
}

/// The counts of a report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Summary {
    /// Breaking changes (acknowledged ones included).
    pub breaking: usize,
    /// Notable changes.
    pub notable: usize,
    /// Informational changes.
    pub info: usize,
    /// Changes acknowledged (by `--allow` or an `acknowledge:` entry).
    pub acknowledged: usize,
}

/// The whole result, as `--format json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(title = "tagc diff report")]
pub struct Report {
    /// [`REPORT_VERSION`].
    pub version: u32,
    /// The base side, as named.
    pub base: String,
    /// The head side, as named.
    pub head: String,
    /// The environments compared.
    pub envs: Vec<String>,
    /// Counts by severity.
    pub summary: Summary,
    /// Every change, grouped by page and server event in configuration order, the most
    /// severe first within a group.
    pub changes: Vec<Change>,
    /// Rules that matched no change (stale acknowledgements: remove them).
    pub unused_allows: Vec<String>,
    /// The level `--fail-on` judges by, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<Severity>,
}

impl Report {
    /// The changes at or above `level` that no rule acknowledges.
    pub fn failing(&self, level: Severity) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(move |c| c.severity >= level && c.acknowledged_by.is_none())
    }
}

/// Why a diff cannot be computed (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// An `acknowledge:` entry of the head is malformed.
    #[error("{at}: {error}")]
    Acknowledgement {
        /// Where it is written.
        at: String,
        /// What is wrong.
        error: AllowError,
    },
    /// A side has errors: it has no resolved model to compare.
    #[error("`{0}` has errors; run `tagc check` on it")]
    Invalid(String),
    /// `--env` names an environment neither side defines.
    #[error(
        "no pixel has an id for environment `{env}` on either side; the configurations define {known}"
    )]
    UnknownEnv {
        /// The requested environment.
        env: String,
        /// The environments that exist.
        known: String,
    },
}

/// Compares two clean sides in `envs` (every environment of either side when empty).
///
/// # Errors
/// When a side has errors, or `envs` names an environment neither side has.
pub fn diff(
    base: &Side,
    head: &Side,
    envs: &[String],
    allows: &[Allow],
) -> Result<Report, DiffError> {
    for s in [base, head] {
        if s.checked.diagnostics.has_errors() || s.config().is_none() {
            return Err(DiffError::Invalid(s.label.clone()));
        }
    }
    // The head's own acknowledgements come after the command line's.
    let mut allows = allows.to_vec();
    for vf in head.config().iter().flat_map(|c| c.files.iter()) {
        for (i, ack) in vf.config.acknowledge.iter().enumerate() {
            let span = vf
                .tree
                .value_span(&crate::path!["acknowledge", i, "change"]);
            let at = head.location(span).to_string();
            let rule = Allow::acknowledged(&ack.change, at.clone(), &ack.reason)
                .map_err(|error| DiffError::Acknowledgement { at, error })?;
            allows.push(rule);
        }
    }
    let allows = allows.as_slice();
    let all: std::collections::BTreeSet<String> = [base, head]
        .iter()
        .filter_map(|s| s.config())
        .flat_map(resolve::environments)
        .collect();
    let envs: Vec<String> = if envs.is_empty() {
        all.iter().cloned().collect()
    } else {
        for e in envs {
            if !all.contains(e) {
                return Err(DiffError::UnknownEnv {
                    env: e.clone(),
                    known: all
                        .iter()
                        .map(|e| format!("`{e}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
        envs.to_vec()
    };
    // Changes in generation order, merged across environments.
    let mut order: Vec<Change> = Vec::new();
    // The same change in another environment: same kind, subject, values and message.
    type Key = (Kind, String, Option<String>, Option<String>, String);
    let mut index: BTreeMap<Key, usize> = BTreeMap::new();
    for env in &envs {
        let site = |s: &Side| s.config().and_then(|c| resolve::resolve(c, env).ok());
        // The two sides resolve at once (each is as costly as the comparison).
        let (bs, hs) = std::thread::scope(|sc| {
            let hs = sc.spawn(|| site(head));
            let bs = site(base);
            (bs, hs.join().ok().flatten())
        });
        let empty = || Site {
            name: None,
            url: None,
            env: env.clone(),
            pixels: Vec::new(),
            consent_required: false,
            limited_data_use: None,
            verify_consent: None,
            pages: Vec::new(),
            server: resolve::ResolvedServer {
                graph_version: String::new(),
                defaults: Default::default(),
                events: Vec::new(),
            },
        };
        let raws = match (&bs, &hs) {
            (Some(b), Some(h)) => compare::Compare::new(b, h).run(),
            // An environment on one side only: its pixels appear or disappear (nothing
            // is sent without a pixel, so that is the whole story).
            (Some(b), None) => {
                let h = empty();
                compare::Compare::new(b, &h).pixels_only()
            }
            (None, Some(h)) => {
                let b = empty();
                compare::Compare::new(&b, h).pixels_only()
            }
            (None, None) => Vec::new(),
        };
        for r in raws {
            let key = (
                r.kind,
                r.subject.clone(),
                r.before.clone(),
                r.after.clone(),
                r.message.clone(),
            );
            if let Some(&i) = index.get(&key) {
                order[i].envs.push(env.clone());
                continue;
            }
            let (base_span, head_span) = match &r.key {
                Some(k) => (base.find(k), head.find(k)),
                None => (r.base, r.head),
            };
            let head_span = head_span.or_else(|| head.root());
            index.insert(key, order.len());
            order.push(Change {
                kind: r.kind,
                severity: r.kind.severity(),
                subject: r.subject,
                message: r.message,
                before: r.before,
                after: r.after,
                base: base_span.map(|s| base.location(s)),
                head: head_span.map(|s| head.location(s)),
                envs: vec![env.clone()],
                acknowledged_by: None,
            });
        }
    }
    // Group by page and server event, keeping first-seen order inside and between groups.
    let mut rank: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for c in &order {
        let n = rank.len();
        rank.entry(c.group().to_owned()).or_insert(n);
    }
    let mut changes = order;
    // Within a group the most severe first; otherwise the order found (stable sort).
    changes.sort_by_key(|c| {
        (
            rank.get(c.group()).copied().unwrap_or(usize::MAX),
            std::cmp::Reverse(c.severity),
        )
    });
    let mut used = vec![false; allows.len()];
    for c in &mut changes {
        if let Some(i) = allows.iter().position(|a| a.matches(c)) {
            used[i] = true;
            c.acknowledged_by = Some(allows[i].to_string());
        }
    }
    let mut summary = Summary::default();
    for c in &changes {
        match c.severity {
            Severity::Breaking => summary.breaking += 1,
            Severity::Notable => summary.notable += 1,
            Severity::Info => summary.info += 1,
        }
        if c.acknowledged_by.is_some() {
            summary.acknowledged += 1;
        }
    }
    Ok(Report {
        version: REPORT_VERSION,
        base: base.label.clone(),
        head: head.label.clone(),
        envs,
        summary,
        changes,
        unused_allows: allows
            .iter()
            .zip(used)
            .filter(|(_, u)| !u)
            .map(|(a, _)| a.to_string())
            .collect(),
        fail_on: None,
    })
}

/// The `$id` of the report's JSON Schema.
pub const SCHEMA_ID: &str = "https://tagc.dev/schema/diff.schema.json";

/// The JSON Schema of the report as text (`tagc schema diff`, committed as
/// `schema/diff.schema.json`).
#[must_use]
pub fn schema_text() -> String {
    crate::schema::to_text(&crate::schema::schema_for::<Report>(SCHEMA_ID))
}
