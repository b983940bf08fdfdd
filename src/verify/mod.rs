//! The verification plan (`dist/verify/plan.json`) and its results.
//!
//! `tagc build` derives the plan from the configuration: one check per server event (its
//! sample record, mapped and sent with a `test_event_code`), per page load and per button
//! (the exact `fbq` calls expected in a browser), and per deduplicated browser/server pair,
//! plus the manual step only Events Manager can show. `tagc verify` runs it and produces a
//! [`Report`], which [`report`] renders for humans, JSON, JUnit and GitHub annotations.

mod check;
pub mod compare;
pub mod harness;
pub mod plan;
pub mod report;
pub mod run;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The version of the plan document's shape.
pub const PLAN_VERSION: u32 = 2;

/// The `$schema` URL written into every plan.
pub const PLAN_SCHEMA_ID: &str = "https://tagc.dev/schema/verify-plan.schema.json";

/// The path of the committed plan schema, relative to the repository root.
pub const PLAN_SCHEMA_PATH: &str = "schema/verify-plan.schema.json";

/// Where in the configuration a check comes from.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// The configuration file, as named on the command line or by `include:`.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// What kind of check.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// A server event's sample record, mapped and sent to the Graph API (or checked
    /// offline with Meta's rules).
    Server,
    /// A page load or a button, in a real browser.
    Browser,
    /// A browser/server pair that must share `event_id` and event name.
    Dedup,
}

impl CheckKind {
    /// `server`, `browser` or `dedup`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            CheckKind::Server => "server",
            CheckKind::Browser => "browser",
            CheckKind::Dedup => "dedup",
        }
    }
}

/// How a check ended.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It passed.
    Passed,
    /// What tagc could see matched, but the verdict rests on something outside its sight,
    /// stated in the message (`assumed: the backend's `order.id` carries …`): not proven,
    /// not a failure either (the exit code stays 0).
    Assumed,
    /// It ran and what it saw differs from what was expected.
    Failed,
    /// It could not run (no browser, network down, timeout, a check it depends on failed).
    Error,
    /// Not run (filtered out by `--only` / `--check`).
    Skipped,
}

/// One difference between what a check expected and what it saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mismatch {
    /// What was looked at (`fbq call 2: params.value`, `events_received`).
    pub what: String,
    /// What was expected, as text.
    pub expected: String,
    /// What was seen, as text.
    pub actual: String,
}

/// How much a note matters.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum NoteLevel {
    /// Worth knowing: which element was acted on, an unrelated page error.
    Note,
    /// Probably wrong though the check passed (a locator matching several different
    /// elements); fails the check with `--deny-warnings`.
    Warning,
}

/// Something a check noticed besides its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// `note` or `warning`.
    pub level: NoteLevel,
    /// One line.
    pub message: String,
}

impl Note {
    /// A note.
    #[must_use]
    pub fn info(message: impl Into<String>) -> Note {
        Note {
            level: NoteLevel::Note,
            message: message.into(),
        }
    }

    /// A warning.
    #[must_use]
    pub fn warning(message: impl Into<String>) -> Note {
        Note {
            level: NoteLevel::Warning,
            message: message.into(),
        }
    }
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckResult {
    /// The check's stable id (`server/purchase`, `browser/landing/attend`, `dedup/purchase`).
    pub id: String,
    /// Its kind.
    pub kind: CheckKind,
    /// A one-line description (`Lead on click of "Asistir presencial" on landing`).
    pub title: String,
    /// Where it comes from in the configuration.
    pub location: Location,
    /// How it ended.
    pub outcome: Outcome,
    /// One line: why it failed or could not run; empty when it passed.
    pub message: String,
    /// Every expected-versus-actual difference (failures).
    pub mismatches: Vec<Mismatch>,
    /// What the check noticed besides its verdict: the element acted on, several
    /// elements matching, page errors that are not tagc's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// The `fbq` calls the page made for this check (browser checks), as JSON arrays.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sent: Vec<serde_json::Value>,
    /// Wall time in milliseconds (0 for skipped checks; left out of snapshots).
    pub millis: u64,
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// The plan's environment.
    pub env: String,
    /// Whether anything was really sent to Meta (false: offline, rules only).
    pub sent_to_meta: bool,
    /// The `test_event_code` used, if any.
    pub test_event_code: Option<String>,
    /// Where the browser checks ran (`harness pages on 127.0.0.1` or the base URL).
    pub browser_target: String,
    /// Every check, in plan order.
    pub checks: Vec<CheckResult>,
    /// What to confirm by hand in Events Manager → Test Events.
    pub manual: Vec<String>,
    /// Notes about how the run went (offline mode, retries), for humans.
    pub notes: Vec<String>,
}

impl Report {
    /// Counts per outcome.
    #[must_use]
    pub fn counts(&self) -> BTreeMap<Outcome, usize> {
        let mut m = BTreeMap::new();
        for c in &self.checks {
            *m.entry(c.outcome).or_default() += 1;
        }
        m
    }

    /// Whether every check that ran passed (or passed on a stated assumption).
    #[must_use]
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| {
            matches!(
                c.outcome,
                Outcome::Passed | Outcome::Assumed | Outcome::Skipped
            )
        })
    }
}
