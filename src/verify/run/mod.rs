//! Running a plan: server checks (Graph API or Meta's rules offline), browser checks on
//! parallel workers (`pool`), then dedup checks from what the browser checks saw. Every
//! check is bounded in time, and one check's failure never stops the others. `--shard K/N`
//! runs every N-th selected check, so a CI matrix splits a large plan across runners.

mod dedup;
mod pool;
mod server;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::browser::{LaunchOptions, MetaMode};
use crate::mapping::{ApplyContext, Mapper, Mapping};
use crate::send::client::{Client, RetryPolicy, Token};

use super::check::{Ctx, Observation};
use super::plan::{BrowserCheck, ExpectedCall, Plan, PlanCheck};
use super::{CheckKind, CheckResult, Mismatch, Note, NoteLevel, Outcome, Report};

/// How to run a plan.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The plan's directory (the mapping and snippets are relative to it).
    pub plan_dir: PathBuf,
    /// Sends server checks to Test Events with this code (required with a token).
    pub test_event_code: Option<String>,
    /// The access token; without one, server checks run offline.
    pub token: Option<Token>,
    /// The Graph API base URL.
    pub graph_url: String,
    /// A real site to run browser checks against; harness pages on 127.0.0.1 otherwise.
    pub base_url: Option<String>,
    /// On a real site, replace `fbevents.js` with the recorder (no network to Meta at all)
    /// instead of loading the real library and capturing its pixel requests.
    pub site_recorder: bool,
    /// Run only this kind of check.
    pub only: Option<CheckKind>,
    /// Run only these checks (ids, or id prefixes such as `browser/landing`).
    pub checks: Vec<String>,
    /// Run only shard `k` of `n` (1-based): every `n`-th selected check, from the `k`-th.
    pub shard: Option<(usize, usize)>,
    /// Browser checks run on this many workers, each with its own Chromium.
    pub jobs: usize,
    /// How long to wait for an element to be ready on a real site, unless the check says.
    pub wait: Duration,
    /// A check that passed with a warning fails.
    pub deny_warnings: bool,
    /// The deadline of one check.
    pub check_timeout: Duration,
    /// The deadline of the whole run.
    pub total_timeout: Duration,
    /// Retries of a server request (network errors, 5xx, throttling).
    pub retry: RetryPolicy,
    /// "Now" as Unix seconds (the clock when `None`).
    pub now: Option<i64>,
    /// How to start the browser.
    pub launch: LaunchOptions,
}

impl RunOptions {
    /// Options for an offline run of the plan in `plan_dir`: harness pages, server checks
    /// with Meta's rules, one worker per core.
    #[must_use]
    pub fn offline(plan_dir: PathBuf) -> RunOptions {
        RunOptions {
            plan_dir,
            test_event_code: None,
            token: None,
            graph_url: "https://graph.facebook.com".to_owned(),
            base_url: None,
            site_recorder: false,
            only: None,
            checks: Vec::new(),
            shard: None,
            jobs: default_jobs(),
            wait: Duration::from_secs(10),
            deny_warnings: false,
            check_timeout: Duration::from_secs(30),
            total_timeout: Duration::from_secs(900),
            retry: RetryPolicy::default(),
            now: None,
            launch: LaunchOptions::default(),
        }
    }
}

/// One browser worker per core, at most 8 (each is a Chromium, and on a real site each
/// is a visitor at the same time).
#[must_use]
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// Receives each result as soon as it is known.
pub trait Progress {
    /// A check finished (`done` of `total`).
    fn check_done(&mut self, result: &CheckResult, done: usize, total: usize);
}

/// A progress sink that ignores everything.
#[derive(Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn check_done(&mut self, _: &CheckResult, _: usize, _: usize) {}
}

/// The state server and dedup checks share.
struct Runner<'a> {
    plan: &'a Plan,
    o: &'a RunOptions,
    mapping: Option<Result<Mapping, String>>,
    /// What each browser check saw, for the dedup checks.
    observations: BTreeMap<String, Result<Observation, (Outcome, String)>>,
    /// Each server event's mapping, compiled once.
    mappers: BTreeMap<String, Mapper>,
    /// One HTTP client (and its connection pool) for every server check.
    client: Option<Client>,
    token_refused: bool,
    cx: ApplyContext,
}

/// Whether `--check` selects the check `id`: no filter, the exact id, or a prefix ending
/// at a `/` (`browser/landing` selects `browser/landing/attend`).
#[must_use]
pub fn wanted(id: &str, checks: &[String]) -> bool {
    checks.is_empty()
        || checks.iter().any(|want| {
            id == want
                || id
                    .strip_prefix(want.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        })
}

/// Why a check is not run, or `None` when it is.
fn skip_reason(c: &PlanCheck, o: &RunOptions, position: &mut usize) -> Option<String> {
    if o.only.is_some_and(|k| k != c.kind()) || !wanted(c.id(), &o.checks) {
        return Some("not selected (--only, --check)".to_owned());
    }
    let (k, n) = o.shard?;
    let i = *position;
    *position += 1;
    let shard = i % n.max(1) + 1;
    (shard != k).then(|| format!("in shard {shard}/{n}"))
}

/// Runs the plan.
#[must_use]
pub fn run(plan: &Plan, o: &RunOptions, progress: &mut dyn Progress) -> Report {
    let started = Instant::now();
    let deadline = started + o.total_timeout;
    let cx = o.now.map_or_else(ApplyContext::now, ApplyContext::at);
    let mut r = Runner {
        plan,
        o,
        mapping: None,
        observations: BTreeMap::new(),
        mappers: BTreeMap::new(),
        client: None,
        token_refused: false,
        cx,
    };
    let mut position = 0;
    let skipped: Vec<Option<String>> = plan
        .checks
        .iter()
        .map(|c| skip_reason(c, o, &mut position))
        .collect();
    let total = skipped.iter().filter(|s| s.is_none()).count();
    let mut results: Vec<Option<CheckResult>> = vec![None; plan.checks.len()];
    let mut done = 0;
    let mut finish = |i: usize, mut res: CheckResult, results: &mut Vec<Option<CheckResult>>| {
        deny_warnings(&mut res, o.deny_warnings);
        done += 1;
        progress.check_done(&res, done, total);
        results[i] = Some(res);
    };
    let over = |r: &Runner<'_>, c: &PlanCheck| {
        r.result(
            c,
            Outcome::Error,
            format!(
                "not run: the whole run's deadline ({} s) passed",
                o.total_timeout.as_secs()
            ),
            Vec::new(),
        )
    };

    // Server checks, in order.
    for (i, c) in plan.checks.iter().enumerate() {
        if let (PlanCheck::Server(s), None) = (c, &skipped[i]) {
            let t = Instant::now();
            let mut res = if t > deadline {
                over(&r, c)
            } else {
                r.server(c, s)
            };
            res.millis = millis(t);
            finish(i, res, &mut results);
        }
    }

    // Browser checks on parallel workers: the selected ones, and those a selected dedup
    // check needs (their results stay out of the report).
    let needed: BTreeSet<&str> = plan
        .checks
        .iter()
        .zip(&skipped)
        .filter_map(|(c, s)| match (c, s) {
            (PlanCheck::Dedup(d), None) => Some(d.browser_check.as_str()),
            _ => None,
        })
        .collect();
    let browser: Vec<(usize, &BrowserCheck)> = plan
        .checks
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match c {
            PlanCheck::Browser(b) if skipped[i].is_none() || needed.contains(b.id.as_str()) => {
                Some((i, b))
            }
            _ => None,
        })
        .collect();
    let meta_down = OnceLock::new();
    let ctx = Ctx::new(
        plan,
        &o.plan_dir,
        o.base_url.as_deref(),
        o.base_url.is_some() && !o.site_recorder,
        o.wait,
        o.check_timeout,
        &meta_down,
    );
    let mode = if o.base_url.is_some() && !o.site_recorder {
        MetaMode::Capture
    } else {
        MetaMode::Recorder
    };
    let workers = pool::Workers {
        launch: &o.launch,
        mode,
        jobs: o.jobs,
        deadline,
        total_secs: o.total_timeout.as_secs(),
    };
    pool::run(&ctx, &workers, &browser, &mut |(i, v, ms)| {
        let c = &plan.checks[i];
        r.observations.insert(
            c.id().to_owned(),
            match v.outcome {
                Outcome::Error | Outcome::Skipped => Err((v.outcome, v.message.clone())),
                _ => Ok(v.observation.clone()),
            },
        );
        if skipped[i].is_none() {
            let mut res = r.result(c, v.outcome, v.message, v.mismatches);
            res.notes = v.notes;
            res.sent = v.sent;
            res.millis = ms;
            finish(i, res, &mut results);
        }
    });

    // Dedup checks, from what the browser checks saw.
    for (i, c) in plan.checks.iter().enumerate() {
        if let (PlanCheck::Dedup(d), None) = (c, &skipped[i]) {
            let t = Instant::now();
            let mut res = if t > deadline {
                over(&r, c)
            } else {
                r.dedup(c, d)
            };
            res.millis = millis(t);
            finish(i, res, &mut results);
        }
    }

    let checks = plan
        .checks
        .iter()
        .zip(results)
        .zip(skipped)
        .map(|((c, res), why)| match (res, why) {
            (Some(res), _) => res,
            (None, Some(why)) => r.result(c, Outcome::Skipped, why, Vec::new()),
            // Never silently nothing: a check that was due and has no verdict is an error.
            (None, None) => r.result(
                c,
                Outcome::Error,
                "no verdict: the check was due but never reported (a tagc bug; please report it)"
                    .to_owned(),
                Vec::new(),
            ),
        })
        .collect();
    Report {
        env: plan.env.clone(),
        sent_to_meta: o.token.is_some() && o.test_event_code.is_some(),
        test_event_code: o.test_event_code.clone(),
        browser_target: target(o),
        checks,
        manual: plan.manual.clone(),
        notes: r.notes(),
    }
}

/// Where the browser checks ran, in words.
fn target(o: &RunOptions) -> String {
    // A base URL may carry credentials (`https://user:pass@staging…`): never print them.
    let base = o.base_url.as_deref().map(|u| match u.split_once("://") {
        Some((scheme, rest)) => match rest.split('/').next().and_then(|a| a.rsplit_once('@')) {
            Some((_, host)) => format!(
                "{scheme}://…@{host}{}",
                &rest[rest.find('/').unwrap_or(rest.len())..]
            ),
            None => u.to_owned(),
        },
        None => u.to_owned(),
    });
    match (&base, o.site_recorder) {
        (None, _) => "harness pages on 127.0.0.1 (fbevents.js replaced by a recorder)".to_owned(),
        (Some(u), true) => {
            format!("{u} (fbevents.js replaced by tagc's recorder: nothing reaches Meta)")
        }
        (Some(u), false) => format!(
            "{u} (Meta's real fbevents.js; its requests to facebook.com/tr captured, not sent)"
        ),
    }
}

/// With `--deny-warnings`, a check that passed with a warning fails.
fn deny_warnings(res: &mut CheckResult, deny: bool) {
    if !deny || res.outcome != Outcome::Passed {
        return;
    }
    if let Some(w) = res.notes.iter().find(|n| n.level == NoteLevel::Warning) {
        res.outcome = Outcome::Failed;
        res.message = format!(
            "a warning, and --deny-warnings makes warnings fail: {}",
            w.message
        );
    }
}

fn millis(t: Instant) -> u64 {
    u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX)
}

impl Runner<'_> {
    fn result(
        &self,
        c: &PlanCheck,
        outcome: Outcome,
        message: String,
        mismatches: Vec<Mismatch>,
    ) -> CheckResult {
        CheckResult {
            id: c.id().to_owned(),
            kind: c.kind(),
            title: c.title().to_owned(),
            location: c.location().clone(),
            outcome,
            message,
            mismatches,
            notes: Vec::<Note>::new(),
            sent: Vec::new(),
            millis: 0,
        }
    }

    /// Passed without mismatches, else failed for `why` with them.
    fn concluded(&self, c: &PlanCheck, why: &str, mismatches: Vec<Mismatch>) -> CheckResult {
        if mismatches.is_empty() {
            self.result(c, Outcome::Passed, String::new(), mismatches)
        } else {
            self.result(c, Outcome::Failed, why.to_owned(), mismatches)
        }
    }

    /// Notes about the run as a whole.
    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if !(self.o.token.is_some() && self.o.test_event_code.is_some()) {
            notes.push(
                "offline: server checks were checked with Meta's rules; nothing was sent to Meta (give META_ACCESS_TOKEN or --token-file and --test-event-code to send to Test Events)"
                    .to_owned(),
            );
        }
        if self
            .plan
            .checks
            .iter()
            .any(|c| matches!(c, PlanCheck::Server(_)))
        {
            notes.push(
                "server checks send each sample record with event_time set to the time of the run (a sample's own time may be older than Meta's 7-day limit)"
                    .to_owned(),
            );
        }
        if self.token_refused {
            notes.push(
                "Meta refused the access token: the remaining server checks did not run".to_owned(),
            );
        }
        notes
    }
}

/// Expected calls as text, for messages.
#[must_use]
pub fn describe(e: &ExpectedCall) -> String {
    super::compare::describe(e, super::compare::Seen::Harness)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_the_selected_checks_round_robin() {
        let plan_check = |id: &str| {
            PlanCheck::Dedup(super::super::plan::DedupCheck {
                id: id.into(),
                title: String::new(),
                location: super::super::Location {
                    file: String::new(),
                    line: 1,
                    column: 1,
                },
                browser_check: String::new(),
                server_check: String::new(),
                server_event: String::new(),
                event_name: String::new(),
                shared: None,
                server_event_id_path: None,
                browser_id_source: None,
                server_copies_from: None,
            })
        };
        let checks: Vec<PlanCheck> = (0..7).map(|i| plan_check(&format!("dedup/{i}"))).collect();
        let mut o = RunOptions::offline(PathBuf::new());
        let mut runs = [0; 7];
        for k in 1..=3 {
            o.shard = Some((k, 3));
            let mut position = 0;
            for (i, c) in checks.iter().enumerate() {
                if skip_reason(c, &o, &mut position).is_none() {
                    runs[i] += 1;
                }
            }
        }
        assert_eq!(runs, [1; 7], "every check in exactly one shard");
        o.shard = Some((2, 3));
        o.checks = vec!["dedup/1".into()];
        let mut position = 0;
        let why: Vec<Option<String>> = checks
            .iter()
            .map(|c| skip_reason(c, &o, &mut position))
            .collect();
        assert_eq!(
            why[1].as_deref(),
            Some("in shard 1/3"),
            "shards count selected checks only"
        );
    }
}
