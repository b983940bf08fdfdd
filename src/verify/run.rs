//! Running a plan: server checks (Graph API or Meta's rules offline), browser checks (one
//! headless Chromium, reused), dedup checks; every check bounded in time, one check's
//! failure never stopping the others.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::browser::{Browser, BrowserError, LaunchOptions, MetaMode, Page};
use crate::mapping::{ApplyContext, Mapper, Mapping};
use crate::meta::capi::{self, CapiEvent, Level, RuleContext};
use crate::model::IdShare;
use crate::send::client::{Client, Jitter, Outcome as HttpOutcome, RetryPolicy, Token};

use super::compare::Seen;
use super::harness;
use super::plan::{
    Action, BrowserCheck, DedupCheck, ExpectedCall, Locator, Plan, PlanCheck, ServerCheck,
};
use super::{CheckKind, CheckResult, Mismatch, Outcome, Report};

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
    /// instead of capturing the real library's pixel requests.
    pub site_recorder: bool,
    /// Run only this kind of check.
    pub only: Option<CheckKind>,
    /// Run only these checks (ids, or id prefixes such as `browser/landing`).
    pub checks: Vec<String>,
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

/// What a browser check saw that a dedup check needs.
#[derive(Debug, Clone, Default)]
struct Observation {
    /// `eventID`s of the calls, by event name.
    event_ids: BTreeMap<String, Vec<String>>,
    /// The value found where the id is shared (form field, data layer, cookie).
    shared: Option<String>,
}

struct Runner<'a> {
    plan: &'a Plan,
    o: &'a RunOptions,
    started: Instant,
    mapping: Option<Result<Mapping, String>>,
    browser: Option<Result<Browser, String>>,
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

/// Runs the plan.
#[must_use]
pub fn run(plan: &Plan, o: &RunOptions, progress: &mut dyn Progress) -> Report {
    let cx = o.now.map_or_else(ApplyContext::now, ApplyContext::at);
    let mut r = Runner {
        plan,
        o,
        started: Instant::now(),
        mapping: None,
        browser: None,
        observations: BTreeMap::new(),
        mappers: BTreeMap::new(),
        client: None,
        token_refused: false,
        cx,
    };
    let selected: Vec<&PlanCheck> = plan.checks.iter().filter(|c| r.selected(c)).collect();
    let total = selected.len();
    let mut results = Vec::new();
    let mut done = 0;
    for check in &plan.checks {
        let result = if r.selected(check) {
            let t = Instant::now();
            let mut res = if r.started.elapsed() > o.total_timeout {
                r.result(
                    check,
                    Outcome::Error,
                    format!(
                        "not run: the whole run's deadline ({} s) passed",
                        o.total_timeout.as_secs()
                    ),
                    Vec::new(),
                )
            } else {
                match check {
                    PlanCheck::Server(c) => r.server(check, c),
                    PlanCheck::Browser(c) => r.browser_check(check, c),
                    PlanCheck::Dedup(c) => r.dedup(check, c),
                }
            };
            res.millis = u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX);
            done += 1;
            progress.check_done(&res, done, total);
            res
        } else {
            r.result(check, Outcome::Skipped, String::new(), Vec::new())
        };
        results.push(result);
    }
    let sent = o.token.is_some() && o.test_event_code.is_some();
    let mut notes = Vec::new();
    if !sent {
        notes.push(
            "offline: server checks were checked with Meta's rules; nothing was sent to Meta (give META_ACCESS_TOKEN or --token-file and --test-event-code to send to Test Events)"
                .to_owned(),
        );
    }
    if plan
        .checks
        .iter()
        .any(|c| matches!(c, PlanCheck::Server(_)))
    {
        notes.push(
            "server checks send each sample record with event_time set to the time of the run (a sample's own time may be older than Meta's 7-day limit)"
                .to_owned(),
        );
    }
    if r.token_refused {
        notes.push(
            "Meta refused the access token: the remaining server checks did not run".to_owned(),
        );
    }
    Report {
        env: plan.env.clone(),
        sent_to_meta: sent,
        test_event_code: o.test_event_code.clone(),
        browser_target: o.base_url.clone().map_or_else(
            || "harness pages on 127.0.0.1 (fbevents.js replaced by a recorder)".to_owned(),
            |u| {
                format!(
                    "{u} (the real fbevents.js; requests to facebook.com/tr captured, not sent)"
                )
            },
        ),
        checks: results,
        manual: plan.manual.clone(),
        notes,
    }
}

impl Runner<'_> {
    fn selected(&self, c: &PlanCheck) -> bool {
        self.o.only.is_none_or(|k| k == c.kind()) && wanted(c.id(), &self.o.checks)
    }

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
            millis: 0,
        }
    }

    fn mapping(&mut self) -> Result<&Mapping, String> {
        if self.mapping.is_none() {
            let loaded = match &self.plan.mapping {
                None => Err("the plan names no mapping".to_owned()),
                Some(rel) => {
                    let path = self.o.plan_dir.join(rel);
                    std::fs::read_to_string(&path)
                        .map_err(|e| format!("cannot read {}: {e}", path.display()))
                        .and_then(|t| {
                            Mapping::from_json(&t)
                                .map_err(|e| format!("{} is not a mapping: {e}", path.display()))
                        })
                }
            };
            self.mapping = Some(loaded);
        }
        match &self.mapping {
            Some(Ok(m)) => Ok(m),
            Some(Err(e)) => Err(e.clone()),
            None => Err("no mapping".to_owned()),
        }
    }

    /// The sample mapped to a CAPI event (event_time = now), or why not.
    fn mapped(&mut self, c: &ServerCheck, record: &Value) -> Result<CapiEvent, (Outcome, String)> {
        let cx = self.cx;
        if !self.mappers.contains_key(&c.event) {
            let mapping = self.mapping().map_err(|e| (Outcome::Error, e))?;
            let mapper = mapping.compile(&c.event).map_err(|e| (Outcome::Error, e))?;
            self.mappers.insert(c.event.clone(), mapper);
        }
        let Some(mapper) = self.mappers.get(&c.event) else {
            return Err((Outcome::Error, format!("no mapping for `{}`", c.event)));
        };
        let mut applied = mapper.apply(record, &cx).map_err(|e| {
            (
                Outcome::Failed,
                format!("the sample record does not map: {e}"),
            )
        })?;
        // A sample's own date is an example and soon older than Meta's 7 days: send it as
        // of now. A time that is no plausible date at all (1970 from seconds read as
        // milliseconds, the far future) is kept, so Meta's rules report it.
        if (PLAUSIBLE_SINCE..=cx.now.saturating_add(86_400)).contains(&applied.event.event_time) {
            applied.event.event_time = cx.now;
        }
        Ok(applied.event)
    }

    fn server(&mut self, check: &PlanCheck, c: &ServerCheck) -> CheckResult {
        let Some(record) = &c.record else {
            return self.result(
                check,
                Outcome::Error,
                "no sample record: add `sample:` to the server event so it can be sent".to_owned(),
                Vec::new(),
            );
        };
        let event = match self.mapped(c, record) {
            Ok(e) => e,
            Err((outcome, msg)) => return self.result(check, outcome, msg, Vec::new()),
        };
        let rules = RuleContext { now: self.cx.now };
        let violations = capi::check_event(&event, 0, &rules);
        let blocking: Vec<Mismatch> = violations
            .iter()
            .filter(|v| v.level != Level::Warning)
            .map(|v| Mismatch {
                what: format!("{} ({})", v.path, v.rule),
                expected: "accepted by Meta's rules".to_owned(),
                actual: match v.subcode {
                    Some(s) => format!("{} [code {} / {s}]", v.message, v.code),
                    None => format!("{} [code {}]", v.message, v.code),
                },
            })
            .collect();
        if !blocking.is_empty() {
            return self.result(
                check,
                Outcome::Failed,
                "the mapped event breaks Meta's rules".to_owned(),
                blocking,
            );
        }
        let (Some(token), Some(code)) = (&self.o.token, &self.o.test_event_code) else {
            return self.result(check, Outcome::Passed, String::new(), Vec::new());
        };
        if self.token_refused {
            return self.result(
                check,
                Outcome::Error,
                "not sent: Meta refused the access token".to_owned(),
                Vec::new(),
            );
        }
        if self.client.is_none() {
            let version = match self.mapping() {
                Ok(m) => m.graph_version.clone(),
                Err(e) => return self.result(check, Outcome::Error, e, Vec::new()),
            };
            self.client = Some(Client::new(
                &self.o.graph_url,
                &version,
                self.o.check_timeout.min(Duration::from_secs(30)),
            ));
        }
        let Some(client) = self.client.clone() else {
            return self.result(
                check,
                Outcome::Error,
                "no HTTP client".to_owned(),
                Vec::new(),
            );
        };
        let mut body = String::from("{\"data\":[");
        capi::event::fast_json::event(&mut body, &event);
        body.push_str("],\"test_event_code\":");
        capi::event::fast_json::string(&mut body, code);
        body.push_str(",\"partner_agent\":\"tagc\",\"access_token\":");
        capi::event::fast_json::string(&mut body, token.expose());
        body.push('}');
        let deadline = Instant::now() + self.o.check_timeout;
        let mut mismatches = Vec::new();
        for pixel in &c.pixels {
            let mut jitter = Jitter::new(7);
            let mut attempt = 0;
            let outcome = loop {
                let out = client.post(pixel, body.as_bytes());
                if out.is_retryable()
                    && attempt < self.o.retry.max_retries
                    && Instant::now() < deadline
                {
                    let wait = self.o.retry.backoff(attempt, &mut jitter);
                    std::thread::sleep(
                        wait.min(deadline.saturating_duration_since(Instant::now())),
                    );
                    attempt += 1;
                    continue;
                }
                break out;
            };
            match outcome {
                HttpOutcome::Success(r) => {
                    if r.events_received != c.expect_events_received {
                        mismatches.push(Mismatch {
                            what: format!("pixel {pixel}: events_received"),
                            expected: c.expect_events_received.to_string(),
                            actual: r.events_received.to_string(),
                        });
                    }
                    if !r.messages.is_empty() {
                        mismatches.push(Mismatch {
                            what: format!("pixel {pixel}: messages"),
                            expected: "none".to_owned(),
                            actual: token.redact(&r.messages.join(" | ")),
                        });
                    }
                }
                out if out.is_token_error() => {
                    self.token_refused = true;
                    return self.result(
                        check,
                        Outcome::Error,
                        "Meta refused the access token (code 190): check META_ACCESS_TOKEN or --token-file".to_owned(),
                        Vec::new(),
                    );
                }
                HttpOutcome::Graph { status, error } => mismatches.push(Mismatch {
                    what: format!("pixel {pixel}: response"),
                    expected: "HTTP 200 with events_received 1".to_owned(),
                    actual: token.redact(&format!(
                        "HTTP {status}, Graph error {}{}: {}",
                        error.code,
                        error
                            .error_subcode
                            .map(|s| format!("/{s}"))
                            .unwrap_or_default(),
                        error.error_user_msg.as_deref().unwrap_or(&error.message)
                    )),
                }),
                HttpOutcome::Http { status, detail } => {
                    return self.result(
                        check,
                        Outcome::Error,
                        format!("pixel {pixel}: HTTP {status}: {detail} (after {attempt} retries)"),
                        Vec::new(),
                    );
                }
                HttpOutcome::Transport(m) => {
                    return self.result(
                        check,
                        Outcome::Error,
                        format!("pixel {pixel}: {m} (after {attempt} retries)"),
                        Vec::new(),
                    );
                }
            }
        }
        if mismatches.is_empty() {
            self.result(check, Outcome::Passed, String::new(), Vec::new())
        } else {
            self.result(
                check,
                Outcome::Failed,
                "Meta did not accept the event as expected".to_owned(),
                mismatches,
            )
        }
    }

    fn browser(&mut self) -> Result<&mut Browser, String> {
        if self.browser.is_none() {
            self.browser = Some(Browser::launch(&self.o.launch).map_err(|e| e.to_string()));
        }
        match &mut self.browser {
            Some(Ok(b)) => Ok(b),
            Some(Err(e)) => Err(e.clone()),
            None => Err("no browser".to_owned()),
        }
    }

    fn browser_check(&mut self, check: &PlanCheck, c: &BrowserCheck) -> CheckResult {
        match self.observe(c) {
            Ok((mismatches, _)) if mismatches.is_empty() => {
                self.result(check, Outcome::Passed, String::new(), Vec::new())
            }
            Ok((mismatches, _)) => self.result(
                check,
                Outcome::Failed,
                "the page did not make the expected fbq calls".to_owned(),
                mismatches,
            ),
            Err((outcome, e)) => self.result(check, outcome, e, Vec::new()),
        }
    }

    /// Runs a browser check once (cached for dedup checks).
    fn observe(
        &mut self,
        c: &BrowserCheck,
    ) -> Result<(Vec<Mismatch>, Observation), (Outcome, String)> {
        let result = self.observe_uncached(c);
        self.observations.insert(
            c.id.clone(),
            result
                .as_ref()
                .map(|(_, o)| o.clone())
                .map_err(Clone::clone),
        );
        result
    }

    fn observe_uncached(
        &mut self,
        c: &BrowserCheck,
    ) -> Result<(Vec<Mismatch>, Observation), (Outcome, String)> {
        let error = |e: String| (Outcome::Error, e);
        let offline = self.o.base_url.is_none();
        if offline && let Some(e) = &c.harness_error {
            return Err(error(e.clone()));
        }
        // The page: a harness around the page's own snippet, or the real site.
        let (server, url) = if offline {
            let snippet_path = self
                .o
                .plan_dir
                .join(&self.plan.snippets)
                .join(format!("{}.html", c.page));
            let snippet = std::fs::read_to_string(&snippet_path).map_err(|e| {
                error(format!(
                    "cannot read the page's snippet {}: {e}",
                    snippet_path.display()
                ))
            })?;
            let html = harness::render(&c.fixture, &snippet, &c.id);
            let path = c.path.split('?').next().unwrap_or("/").to_owned();
            let files = BTreeMap::from([(
                path,
                ("text/html; charset=utf-8".to_owned(), html.into_bytes()),
            )]);
            let server = crate::browser::serve::Server::start(files)
                .map_err(|e| error(format!("cannot serve the harness page: {e}")))?;
            let url = server.url(&c.path);
            (Some(server), url)
        } else {
            let base = self.o.base_url.clone().unwrap_or_default();
            (None, format!("{}{}", base.trim_end_matches('/'), c.path))
        };
        let timeout = self.o.check_timeout;
        let seen = match (offline, self.o.site_recorder) {
            (true, _) => Seen::Harness,
            (false, true) => Seen::SiteCalls,
            (false, false) => Seen::SiteHits,
        };
        let mode = if seen == Seen::SiteHits {
            MetaMode::Capture
        } else {
            MetaMode::Recorder
        };
        let browser = self.browser().map_err(error)?;
        let mut page = browser.new_page(mode).map_err(|e| error(e.to_string()))?;
        page.set_timeout(timeout);
        let outcome = drive(&mut page, c, &url, seen, timeout);
        let _ = page.close();
        drop(server);
        outcome.map_err(|e| match e {
            // The page is there but not as configured: a finding, not a failure to run.
            BrowserError::NoElement { .. }
            | BrowserError::NoText { .. }
            | BrowserError::NotVisible { .. }
            | BrowserError::NotAForm { .. }
            | BrowserError::InvalidForm { .. } => (Outcome::Failed, e.to_string()),
            other => (Outcome::Error, other.to_string()),
        })
    }

    fn dedup(&mut self, check: &PlanCheck, c: &DedupCheck) -> CheckResult {
        let Some(PlanCheck::Browser(b)) =
            self.plan.checks.iter().find(|x| x.id() == c.browser_check)
        else {
            return self.result(
                check,
                Outcome::Error,
                format!("the plan has no check {}", c.browser_check),
                Vec::new(),
            );
        };
        let obs = match self.observations.get(&c.browser_check).cloned() {
            Some(o) => o,
            None => self.observe(b).map(|(_, o)| o),
        };
        let obs = match obs {
            Ok(o) => o,
            Err((outcome, e)) => {
                return self.result(
                    check,
                    outcome,
                    format!("the browser side ({}): {e}", c.browser_check),
                    Vec::new(),
                );
            }
        };
        let mut mismatches = Vec::new();
        let browser_id = obs
            .event_ids
            .get(&c.event_name)
            .and_then(|ids| ids.first())
            .cloned();
        let Some(browser_id) = browser_id else {
            return self.result(
                check,
                Outcome::Failed,
                format!("the browser sent no `{}` with an eventID", c.event_name),
                vec![Mismatch {
                    what: format!("{}: eventID of {}", c.browser_check, c.event_name),
                    expected: "an eventID".to_owned(),
                    actual: match obs.event_ids.keys().next() {
                        Some(_) => format!(
                            "events {}",
                            obs.event_ids.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                        None => "no event".to_owned(),
                    },
                }],
            );
        };
        let Some(PlanCheck::Server(s)) = self.plan.checks.iter().find(|x| x.id() == c.server_check)
        else {
            return self.result(
                check,
                Outcome::Error,
                format!("the plan has no check {}", c.server_check),
                Vec::new(),
            );
        };
        let Some(mut record) = s.record.clone() else {
            return self.result(
                check,
                Outcome::Error,
                "the server event has no sample record".to_owned(),
                Vec::new(),
            );
        };
        // Where the server reads the id must be where the browser puts it.
        if let Some(share) = &c.shared {
            let (how, name) = match share {
                IdShare::FormField { name } => ("form field", name),
                IdShare::DataLayer { key } => ("data-layer key", key),
                IdShare::Cookie { name } => ("cookie", name),
            };
            match &obs.shared {
                Some(v) if *v == browser_id => {}
                other => mismatches.push(Mismatch {
                    what: format!("the {how} `{name}` on the page"),
                    expected: format!("the eventID {browser_id}"),
                    actual: other.clone().unwrap_or_else(|| "missing".to_owned()),
                }),
            }
            let last = c
                .server_event_id_path
                .as_deref()
                .and_then(|p| p.rsplit('.').next());
            if last != Some(name.as_str()) {
                mismatches.push(Mismatch {
                    what: "server event_id source".to_owned(),
                    expected: format!(
                        "a record field named `{name}` (the {how} the browser fills)"
                    ),
                    actual: c
                        .server_event_id_path
                        .as_ref()
                        .map_or_else(|| "no event_id mapped".to_owned(), |p| format!("`{p}`")),
                });
            }
            // The backend copies the shared value into the record.
            if let Some(path) = &c.server_event_id_path {
                crate::mapping::RecordPath::new(path).set(
                    &mut record,
                    Value::from(obs.shared.clone().unwrap_or_default()),
                );
            }
        }
        match self.mapped(s, &record) {
            Ok(event) => {
                if event.event_id.as_deref() != Some(browser_id.as_str()) {
                    mismatches.push(Mismatch {
                        what: "server event_id".to_owned(),
                        expected: format!("{browser_id} (the browser's eventID)"),
                        actual: event.event_id.clone().unwrap_or_else(|| "none".to_owned()),
                    });
                }
                if event.event_name != c.event_name {
                    mismatches.push(Mismatch {
                        what: "server event_name".to_owned(),
                        expected: c.event_name.clone(),
                        actual: event.event_name,
                    });
                }
            }
            Err((_, msg)) => mismatches.push(Mismatch {
                what: "server event".to_owned(),
                expected: "the sample record mapped".to_owned(),
                actual: msg,
            }),
        }
        if mismatches.is_empty() {
            self.result(check, Outcome::Passed, String::new(), Vec::new())
        } else {
            self.result(
                check,
                Outcome::Failed,
                "Meta would not deduplicate the browser and server events".to_owned(),
                mismatches,
            )
        }
    }
}

/// JavaScript that reads where an id is shared, or `null`.
fn shared_js(share: &IdShare) -> String {
    let name = serde_json::to_string(match share {
        IdShare::FormField { name } | IdShare::Cookie { name } => name,
        IdShare::DataLayer { key } => key,
    })
    .unwrap_or_default();
    match share {
        IdShare::FormField { .. } => format!(
            "(() => {{ const i = [...document.querySelectorAll('input[type=hidden]')].filter((x) => x.name === {name}); return i.length ? i[i.length - 1].value : null; }})()"
        ),
        IdShare::DataLayer { .. } => format!(
            "(() => {{ const d = window.dataLayer || []; for (let i = d.length - 1; i >= 0; i--) if (d[i] && d[i][{name}] != null) return String(d[i][{name}]); return null; }})()"
        ),
        IdShare::Cookie { .. } => format!(
            "(() => {{ const n = {name} + '='; const c = document.cookie.split('; ').find((x) => x.startsWith(n)); return c ? decodeURIComponent(c.slice(n.length)) : null; }})()"
        ),
    }
}

/// 2000-01-01T00:00:00Z: an event time before it is a unit mistake, not an old sample.
const PLAUSIBLE_SINCE: i64 = 946_684_800;

const GRACE: Duration = Duration::from_millis(150);

/// What a consent banner runs when the visitor agrees (nothing on a site without tagc).
const GRANT: &str = "window.tagc && window.tagc.grant && window.tagc.grant(), true";

/// Loads the page, acts, and compares the calls.
fn drive(
    page: &mut Page<'_>,
    c: &BrowserCheck,
    url: &str,
    seen: Seen,
    timeout: Duration,
) -> Result<(Vec<Mismatch>, Observation), BrowserError> {
    let offline = seen != Seen::SiteHits;
    page.goto(url)?;
    page.wait_for("document.readyState === 'complete'", timeout)?;
    let mut mismatches = Vec::new();
    let mut obs = Observation::default();
    let actual: Vec<Value> = if offline {
        let before = match c.action {
            Action::Load => 0,
            _ => {
                page.settle(GRACE)?;
                // With consent mode the snippet stores the shared id (a cookie) only
                // once the visitor has agreed: agree first, as a visitor who clicks would
                // have. The grant call comes before `before`, outside what is compared.
                if c.consent_required {
                    page.eval(GRANT)?;
                }
                page.fbq_calls()?.len()
            }
        };
        act(page, &c.action)?;
        let want = before + c.expect.len();
        // A missing call is reported as a mismatch, not as a timeout.
        let _ = page.wait_for(
            &format!("(window.__fbqCalls || []).length >= {want}"),
            timeout,
        );
        page.settle(GRACE)?;
        let calls = page.fbq_calls()?;
        calls
            .get(before..)
            .map(<[Value]>::to_vec)
            .unwrap_or_default()
    } else {
        // With consent mode the pixel holds every hit back until consent is granted.
        if c.consent_required {
            page.eval(GRANT)?;
        }
        let before = match c.action {
            Action::Load => 0,
            _ => {
                page.settle(Duration::from_millis(500))?;
                page.pixel_hits().len()
            }
        };
        act(page, &c.action)?;
        let want = before + c.expect.iter().filter(|e| e.event.is_some()).count();
        let _ = page.wait_for_pixel_hits(want, timeout);
        page.settle(GRACE)?;
        page.pixel_hits()
            .get(before..)
            .unwrap_or_default()
            .iter()
            .map(|h| {
                let mut params = serde_json::Map::new();
                for (k, v) in &h.cd {
                    params.insert(k.clone(), Value::from(v.clone()));
                }
                let mut a = vec![
                    Value::from("track"),
                    Value::from(h.ev.clone()),
                    Value::Object(params),
                ];
                if let Some(eid) = &h.eid {
                    a.push(serde_json::json!({"eventID": eid}));
                }
                Value::Array(a)
            })
            // A plain `track` reaches every initialised pixel: one hit each, the same
            // event. Compare the event once.
            .fold(Vec::new(), |mut acc: Vec<Value>, call| {
                if !acc.contains(&call) {
                    acc.push(call);
                }
                acc
            })
    };
    super::compare::calls(&c.expect, &actual, seen, &mut mismatches);
    for a in &actual {
        if let Some((event, id)) = super::compare::event_and_id(a) {
            obs.event_ids.entry(event).or_default().extend(id);
        }
    }
    // The grant hook works; and only after it does a load event store its shared id (a
    // cookie), so this comes before the id is read.
    if offline && c.consent_required && matches!(c.action, Action::Load) {
        let n = page.fbq_calls()?.len();
        page.eval(GRANT)?;
        let _ = page.wait_for(&format!("(window.__fbqCalls || []).length > {n}"), timeout);
        let calls = page.fbq_calls()?;
        let granted = calls
            .get(n..)
            .unwrap_or_default()
            .iter()
            .any(|a| *a == serde_json::json!(["consent", "grant"]));
        if !granted {
            mismatches.push(Mismatch {
                what: "tagc.grant()".to_owned(),
                expected: "fbq('consent', 'grant')".to_owned(),
                actual: "no such call".to_owned(),
            });
        }
    }
    if let Some((event, share)) = c.expect.iter().find_map(|e| {
        let share = e.event_id.as_ref()?.shared.clone()?;
        Some((e.event.clone()?, share))
    }) {
        let v = page.eval(&shared_js(&share))?;
        obs.shared = v.as_str().map(str::to_owned);
        // The id of the event that hands its id over, not of any other event.
        let id = obs
            .event_ids
            .get(&event)
            .and_then(|ids| ids.first())
            .cloned();
        if obs.shared != id {
            mismatches.push(Mismatch {
                what: "the id handed to the server".to_owned(),
                expected: id.unwrap_or_else(|| "the eventID".to_owned()),
                actual: obs.shared.clone().unwrap_or_else(|| "missing".to_owned()),
            });
        }
    }
    for e in page.errors() {
        mismatches.push(Mismatch {
            what: "page error".to_owned(),
            expected: "none".to_owned(),
            actual: e,
        });
    }
    Ok((mismatches, obs))
}

fn act(page: &mut Page<'_>, action: &Action) -> Result<(), BrowserError> {
    match action {
        Action::Load => Ok(()),
        Action::Click { locator } => match locator {
            Locator::Selector { selector } => page.click(selector),
            Locator::Text { text, within } => page.click_text(text, within.as_deref()),
        },
        Action::Submit { locator } => match locator {
            Locator::Selector { selector } => page.submit(selector),
            Locator::Text { text, within } => page.click_text(text, within.as_deref()),
        },
    }
}

/// Expected calls as text, for messages.
#[must_use]
pub fn describe(e: &ExpectedCall) -> String {
    super::compare::describe(e)
}
