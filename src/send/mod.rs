//! `tagc send`: records → mapped, checked CAPI events → batches of up to 1,000 → Meta.
//!
//! The reading thread maps each record and checks the event with Meta's rules
//! ([`crate::meta::capi`]); an event that would fail its batch is written to the failed
//! file instead of being sent. Full batches go through a bounded queue to a fixed number
//! of sender threads, so memory stays flat however many records stream through. A
//! collector thread owns the failed file and the counts. The reading thread writes the
//! warnings file as it maps, so its lines follow the input; Meta's messages, which arrive
//! from the senders in any order, are sorted by line and written at the end. Nothing here prints: progress
//! reaches the caller through [`Observer`].

pub mod client;
pub mod records;

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::mapping::{ApplyContext, Mapper};
use crate::meta::capi::{self, Level, RuleContext};

pub use client::{Client, Outcome, RetryPolicy, Token};
pub use records::{FAILURE_KEY, Record, RecordFormat, Records};

/// The most events Meta accepts in one request.
pub const MAX_BATCH: usize = 1000;

/// How to send.
#[derive(Debug, Clone)]
pub struct SendOptions {
    /// The Graph API base URL (`https://graph.facebook.com`).
    pub graph_url: String,
    /// The Graph API version (`v25.0`).
    pub graph_version: String,
    /// The pixel (dataset) ids every event goes to.
    pub pixels: Vec<String>,
    /// Routes the events to Test Events.
    pub test_event_code: Option<String>,
    /// Events per request (1–1000).
    pub batch_size: usize,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Retries.
    pub retry: RetryPolicy,
    /// Build the request bodies and hand them to the dry-run sink instead of posting.
    pub dry_run: bool,
    /// Unix time used for events without a time and for the age rules; the clock when
    /// `None`.
    pub now: Option<i64>,
}

/// Why an event was not accepted, as written to the failed file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The input line the record starts on.
    pub line: u64,
    /// `input`, `mapping`, `rules`, `meta`, `unconfirmed`, `network` or `not_sent`.
    pub stage: &'static str,
    /// What went wrong (never customer data).
    pub reason: String,
    /// The pixel the event was sent to, for failures after sending.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pixel: Option<String>,
    /// Meta's error code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<u32>,
    /// Meta's error subcode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subcode: Option<u32>,
    /// Meta's trace id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fbtrace_id: Option<String>,
    /// The raw line, when it was not a record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Records read (including bad lines).
    pub records: u64,
    /// Events posted (one per record and pixel).
    pub sent: u64,
    /// Events Meta confirmed.
    pub accepted: u64,
    /// Events not accepted: invalid before sending, or refused/unconfirmed by Meta.
    pub failed: u64,
    /// Of `failed`: stopped before sending (bad line, mapping or rule).
    pub invalid: u64,
    /// Requests made (without retries).
    pub requests: u64,
    /// Retried requests.
    pub retries: u64,
    /// Request bodies built in a dry run.
    pub dry_run_bodies: u64,
    /// Warnings by message, with their counts (dropped customer data, Meta's messages,
    /// rule warnings).
    pub warnings: BTreeMap<String, u64>,
    /// Failures by reason, with their counts.
    pub failures: BTreeMap<String, u64>,
    /// Why the run stopped sending early (a refused token), if it did.
    pub aborted: Option<String>,
    /// Whether nothing could be delivered because the network or Meta was unreachable.
    pub unreachable: bool,
    /// Why reading the input stopped early, if it did (the records read before were
    /// processed as usual).
    pub input_error: Option<String>,
}

/// Receives progress while a run goes on.
pub trait Observer: Send {
    /// Called at most every 100 ms with the counts so far.
    fn progress(&mut self, summary: &Summary);
}

/// An observer that ignores everything.
#[derive(Debug, Default)]
pub struct Quiet;

impl Observer for Quiet {
    fn progress(&mut self, _: &Summary) {}
}

/// A send failure that stops the run before it starts, or an I/O error while running.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Reading the input failed.
    #[error("cannot read the records: {0}")]
    Input(std::io::Error),
    /// Writing the failed file or the dry-run output failed.
    #[error("cannot write {what}: {source}")]
    Output {
        /// Which output.
        what: &'static str,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A token is required to send.
    #[error(
        "no access token: set META_ACCESS_TOKEN or pass --token-file (or use --dry-run to only build the requests)"
    )]
    NoToken,
}

/// One event waiting to be sent.
struct Pending {
    line: u64,
    record: Kept,
    json: String,
}

struct Job {
    pixel: String,
    events: Vec<Pending>,
}

/// The record of a pending event, kept for the failed file.
enum Kept {
    /// The parsed record.
    Value(Value),
    /// Its JSON text as read.
    Raw(Box<[u8]>),
    /// Nothing (a dry run writes no failed file after mapping).
    Nothing,
}

impl Kept {
    fn into_value(self) -> Value {
        match self {
            Kept::Value(v) => v,
            Kept::Raw(bytes) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            Kept::Nothing => Value::Null,
        }
    }
}

enum Report {
    Failed(Kept, Failure),
    Accepted(u64),
    Sent(u64),
    Request,
    Retry,
    /// One of Meta's `messages` for a request: the lines of its first and last event.
    Meta {
        message: String,
        pixel: String,
        lines: (u64, u64),
    },
    Warnings(BTreeMap<String, u64>),
    DryRun,
    Unreachable,
}

/// One line of the warnings file (`tagc send --warnings FILE`): where a warning comes
/// from, never the value that caused it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WarningLine {
    /// The input line the record starts on (for Meta's messages, the first event's).
    pub line: u64,
    /// For Meta's messages: the line of the request's last event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_line: Option<u64>,
    /// CSV input: the row as a spreadsheet numbers it (the header is row 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    /// The event's `event_id` (the record's id, as mapped), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// `mapping` (customer data left out), `rules` (Meta's rules: accepted but worse
    /// matching) or `meta` (Meta's `messages` for a request).
    pub stage: &'static str,
    /// The CAPI field (`user_data.em`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The record path the field is read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_path: Option<String>,
    /// For `rules`: the rule's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
    /// For `meta`: the pixel the request went to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pixel: Option<String>,
    /// What was wrong (never customer data, never the token).
    pub message: String,
}

/// The CAPI field of a rule's path: `$['data'][0]['user_data']['em'][0]` → `user_data.em`.
fn field_of(path: &str) -> Option<String> {
    let rest = path.strip_prefix("$['data'][")?;
    let rest = &rest[rest.find(']')? + 1..];
    let keys: Vec<&str> = rest
        .split(']')
        .filter_map(|seg| seg.strip_prefix("['")?.strip_suffix('\''))
        .collect();
    (!keys.is_empty()).then(|| keys.join("."))
}

fn write_warning(out: &mut dyn Write, w: &WarningLine) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, w)?;
    out.write_all(b"\n")
}

/// Where a run writes what it produces; each is optional.
#[derive(Default)]
pub struct Outputs<'a> {
    /// The failed-events file (`--failed`).
    pub failed: Option<&'a mut (dyn Write + Send)>,
    /// The warnings file (`--warnings`).
    pub warnings: Option<&'a mut (dyn Write + Send)>,
    /// The request bodies of a dry run (stdout).
    pub dry_run: Option<&'a mut (dyn Write + Send)>,
}

/// Sends every record of `input` through `mapper`, writing to `outputs`.
///
/// `failed` receives one NDJSON line per event that was not accepted: the record with a
/// `_tagc` note saying why. `warnings` receives one [`WarningLine`] per warning: those of
/// the records in input order, then Meta's messages in the order of their first line.
/// `dry_run` receives the request bodies of a dry run, one per line.
///
/// # Errors
/// When the input cannot be read or an output cannot be written, or no token is given
/// for a real run.
pub fn send<R: BufRead>(
    mapper: &Mapper,
    input: Records<R>,
    options: &SendOptions,
    token: Option<&Token>,
    outputs: Outputs<'_>,
    observer: &mut dyn Observer,
) -> Result<Summary, SendError> {
    let Outputs {
        failed,
        warnings,
        dry_run,
    } = outputs;
    if !options.dry_run && token.is_none() {
        return Err(SendError::NoToken);
    }
    let cx = match options.now {
        Some(now) => ApplyContext::at(now),
        None => ApplyContext::now(),
    };
    let rules = RuleContext { now: cx.now };
    let batch_size = options.batch_size.clamp(1, MAX_BATCH);
    let concurrency = options.concurrency.max(1);
    let client = Client::new(&options.graph_url, &options.graph_version, options.timeout);
    let abort = AtomicBool::new(false);
    let abort_reason = std::sync::Mutex::new(None::<String>);

    let (report_tx, report_rx) = mpsc::channel::<Report>();
    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(concurrency);
    let job_rx = std::sync::Mutex::new(job_rx);

    std::thread::scope(|scope| -> Result<Summary, SendError> {
        // The collector: counts, the failed file, progress.
        let (abort_ref, reason_ref) = (&abort, &abort_reason);
        let collector = scope.spawn(move || -> Result<(Summary, Vec<WarningLine>), SendError> {
            let mut summary = Summary::default();
            let mut meta_warnings = Vec::new();
            let mut failed = failed;
            let mut write_error: Option<std::io::Error> = None;
            let mut last = Instant::now();
            for report in report_rx {
                match report {
                    Report::Failed(record, failure) => {
                        summary.failed += 1;
                        if matches!(failure.stage, "input" | "mapping" | "rules") {
                            summary.invalid += 1;
                        }
                        *summary.failures.entry(failure.reason.clone()).or_default() += 1;
                        if write_error.is_none()
                            && let Some(out) = failed.as_mut()
                            && let Err(e) = write_failure(&mut **out, record.into_value(), &failure)
                        {
                            // Nothing more can be recorded, so nothing more is sent.
                            if let Ok(mut r) = reason_ref.lock() {
                                r.get_or_insert_with(|| {
                                    format!("cannot write the failed-events file: {e}")
                                });
                            }
                            abort_ref.store(true, Ordering::Relaxed);
                            write_error = Some(e);
                        }
                    }
                    Report::Accepted(n) => summary.accepted += n,
                    Report::Sent(n) => summary.sent += n,
                    Report::Request => summary.requests += 1,
                    Report::Retry => summary.retries += 1,
                    Report::Meta {
                        message,
                        pixel,
                        lines,
                    } => {
                        *summary.warnings.entry(message.clone()).or_default() += 1;
                        meta_warnings.push(WarningLine {
                            line: lines.0,
                            last_line: Some(lines.1),
                            row: None,
                            event_id: None,
                            stage: "meta",
                            field: None,
                            record_path: None,
                            rule: None,
                            pixel: Some(pixel),
                            message,
                        });
                    }
                    Report::Warnings(ws) => {
                        for (w, n) in ws {
                            *summary.warnings.entry(w).or_default() += n;
                        }
                    }
                    Report::DryRun => summary.dry_run_bodies += 1,
                    Report::Unreachable => summary.unreachable = true,
                }
                if last.elapsed() >= Duration::from_millis(100) {
                    observer.progress(&summary);
                    last = Instant::now();
                }
            }
            if let Some(source) = write_error {
                return Err(SendError::Output {
                    what: "the failed-events file",
                    source,
                });
            }
            if let Some(out) = failed.as_mut() {
                out.flush().map_err(|source| SendError::Output {
                    what: "the failed-events file",
                    source,
                })?;
            }
            observer.progress(&summary);
            Ok((summary, meta_warnings))
        });

        // The senders.
        if !options.dry_run {
            for worker in 0..concurrency {
                let (job_rx, report_tx) = (&job_rx, report_tx.clone());
                let (client, abort, abort_reason) = (&client, &abort, &abort_reason);
                let token = token.cloned();
                scope.spawn(move || {
                    let mut jitter = client::Jitter::new(worker as u64 + 1);
                    loop {
                        let job = match job_rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        post_job(
                            client,
                            job,
                            options,
                            token.as_ref(),
                            &report_tx,
                            abort,
                            abort_reason,
                            &mut jitter,
                        );
                    }
                });
            }
        }

        // This thread: read, map, check, batch.
        let mut records_read = 0u64;
        let mut input_error: Option<String> = None;
        let mut mapping_warnings: BTreeMap<String, u64> = BTreeMap::new();
        let mut rule_warnings: std::collections::HashMap<&'static str, (u64, String)> =
            std::collections::HashMap::new();
        let mut batches: Vec<Vec<Pending>> = options.pixels.iter().map(|_| Vec::new()).collect();
        let mut dry_run = dry_run;
        let mut warnings = warnings;
        let mut result: Result<(), SendError> = Ok(());
        let flush = |pixel_index: usize,
                     events: Vec<Pending>,
                     dry_run: &mut Option<&mut (dyn Write + Send)>|
         -> Result<(), SendError> {
            let pixel = options.pixels[pixel_index].clone();
            if abort.load(Ordering::Relaxed) {
                not_sent(events, &pixel, &abort_reason, &report_tx);
                return Ok(());
            }
            if options.dry_run {
                if let Some(out) = dry_run.as_mut() {
                    let body = request_body(&events, options, None);
                    out.write_all(body.as_bytes())
                        .and_then(|()| out.write_all(b"\n"))
                        .map_err(|source| SendError::Output {
                            what: "the dry-run output",
                            source,
                        })?;
                }
                let _ = report_tx.send(Report::DryRun);
                return Ok(());
            }
            // Blocks while every sender is busy: the back-pressure that keeps memory flat.
            if let Err(mpsc::SendError(job)) = job_tx.send(Job { pixel, events }) {
                not_sent(job.events, &job.pixel, &abort_reason, &report_tx);
            }
            Ok(())
        };
        for item in input {
            let item = match item {
                Ok(r) => r,
                Err(e) => {
                    // What was read is valid and still sent; the summary says where
                    // reading stopped.
                    input_error = Some(format!(
                        "cannot read the records after {records_read} of them: {e}"
                    ));
                    break;
                }
            };
            records_read += 1;
            let (line, row, record, raw, only) = match item {
                Record::Ok {
                    line,
                    row,
                    value,
                    raw,
                    only_pixel,
                } => {
                    let only = only_pixel.and_then(|p| options.pixels.iter().position(|x| *x == p));
                    (line, row, value, raw, only)
                }
                Record::Bad { line, reason, raw } => {
                    let _ = report_tx.send(Report::Failed(
                        Kept::Nothing,
                        Failure {
                            raw: Some(raw),
                            ..failure(line, "input", reason)
                        },
                    ));
                    continue;
                }
            };
            let applied = match mapper.apply(&record, &cx) {
                Ok(a) => a,
                Err(e) => {
                    let _ = report_tx.send(Report::Failed(
                        Kept::Value(record),
                        failure(line, "mapping", e.to_string()),
                    ));
                    continue;
                }
            };
            // Warnings are counted here and reported once at the end: one message per
            // event through the channel would cost more than mapping the event.
            for w in &applied.warnings {
                let key = format!("{}: {}", w.field, w.message);
                *mapping_warnings.entry(key).or_default() += 1;
            }
            let violations = capi::check_event(&applied.event, 0, &rules);
            // The warnings file is written here, in input order, by the one thread that
            // reads the records.
            if let Some(out) = warnings.as_mut() {
                let located =
                    |stage, field: Option<String>, record_path, rule, message| WarningLine {
                        line,
                        last_line: None,
                        row,
                        event_id: applied.event.event_id.clone(),
                        stage,
                        field,
                        record_path,
                        rule,
                        pixel: None,
                        message,
                    };
                let lines = applied
                    .warnings
                    .iter()
                    .map(|w| {
                        located(
                            "mapping",
                            Some(w.field.clone()),
                            w.record_path.clone(),
                            None,
                            w.message.clone(),
                        )
                    })
                    .chain(
                        violations
                            .iter()
                            // An event that fails has its failure instead (as counted).
                            .filter(|_| violations.iter().all(|v| v.level == Level::Warning))
                            .map(|v| {
                                let field = field_of(&v.path);
                                let path = field.as_deref().and_then(|f| mapper.record_path(f));
                                located("rules", field, path, Some(v.rule), v.message.clone())
                            }),
                    );
                for w in lines {
                    if let Err(source) = write_warning(&mut **out, &w) {
                        // Nothing more can be recorded, so nothing more is sent.
                        result = Err(SendError::Output {
                            what: "the warnings file",
                            source,
                        });
                        break;
                    }
                }
                if result.is_err() {
                    break;
                }
            }
            if let Some(v) = violations.iter().find(|v| v.level != Level::Warning) {
                let mut f = failure(line, "rules", format!("{} ({})", v.message, v.rule));
                f.code = Some(v.code);
                f.subcode = v.subcode;
                let _ = report_tx.send(Report::Failed(Kept::Value(record), f));
                continue;
            }
            for v in &violations {
                let slot = rule_warnings
                    .entry(v.rule)
                    .or_insert_with(|| (0, format!("{} ({})", v.message, v.rule)));
                slot.0 += 1;
            }
            let mut json = String::with_capacity(1024);
            capi::event::fast_json::event(&mut json, &applied.event);
            drop(applied);
            // What the failed file would need if Meta refuses the event: the record's
            // text as read, or the record itself; nothing in a dry run.
            let keep = |record: &Value, raw: &Option<Box<[u8]>>| match (options.dry_run, raw) {
                (true, _) => Kept::Nothing,
                (false, Some(raw)) => Kept::Raw(raw.clone()),
                (false, None) => Kept::Value(record.clone()),
            };
            let n = batches.len();
            let mut json = Some(json);
            for (i, batch) in batches
                .iter_mut()
                .enumerate()
                .filter(|(i, _)| only.is_none_or(|o| o == *i))
            {
                let json = if i + 1 == n {
                    json.take().unwrap_or_default()
                } else {
                    json.clone().unwrap_or_default()
                };
                batch.push(Pending {
                    line,
                    record: keep(&record, &raw),
                    json,
                });
            }
            drop(record);
            for (i, batch) in batches.iter_mut().enumerate() {
                if batch.len() >= batch_size {
                    let events = std::mem::take(batch);
                    if let Err(e) = flush(i, events, &mut dry_run) {
                        result = Err(e);
                        break;
                    }
                }
            }
            if result.is_err() {
                break;
            }
        }
        if result.is_ok() {
            for (i, events) in std::mem::take(&mut batches).into_iter().enumerate() {
                if !events.is_empty()
                    && let Err(e) = flush(i, events, &mut dry_run)
                {
                    result = Err(e);
                    break;
                }
            }
        }
        mapping_warnings.extend(rule_warnings.into_values().map(|(n, w)| (w, n)));
        let _ = report_tx.send(Report::Warnings(mapping_warnings));
        drop(job_tx);
        drop(report_tx);
        let collected = collector
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        result?;
        let (mut summary, mut meta_warnings) = collected?;
        if let Some(out) = warnings.as_mut() {
            meta_warnings.sort_by(|a, b| {
                (a.line, a.last_line, &a.pixel, &a.message).cmp(&(
                    b.line,
                    b.last_line,
                    &b.pixel,
                    &b.message,
                ))
            });
            for w in &meta_warnings {
                write_warning(&mut **out, w).map_err(|source| SendError::Output {
                    what: "the warnings file",
                    source,
                })?;
            }
            out.flush().map_err(|source| SendError::Output {
                what: "the warnings file",
                source,
            })?;
        }
        summary.records = records_read;
        summary.input_error = input_error;
        if let Ok(reason) = abort_reason.lock() {
            summary.aborted.clone_from(&reason);
        }
        Ok(summary)
    })
}

fn failure(line: u64, stage: &'static str, reason: String) -> Failure {
    Failure {
        line,
        stage,
        reason,
        pixel: None,
        code: None,
        subcode: None,
        fbtrace_id: None,
        raw: None,
    }
}

fn write_failure(out: &mut dyn Write, record: Value, f: &Failure) -> std::io::Result<()> {
    let mut obj = match record {
        Value::Object(o) => o,
        _ => Map::new(),
    };
    obj.insert(
        FAILURE_KEY.to_owned(),
        serde_json::to_value(f).unwrap_or(Value::Null),
    );
    serde_json::to_writer(&mut *out, &Value::Object(obj))?;
    out.write_all(b"\n")
}

fn not_sent(
    events: Vec<Pending>,
    pixel: &str,
    reason: &std::sync::Mutex<Option<String>>,
    report: &mpsc::Sender<Report>,
) {
    let why = reason
        .lock()
        .ok()
        .and_then(|r| r.clone())
        .unwrap_or_else(|| "the run stopped".to_owned());
    for p in events {
        let mut f = failure(p.line, "not_sent", format!("not sent: {why}"));
        f.pixel = Some(pixel.to_owned());
        let _ = report.send(Report::Failed(p.record, f));
    }
}

/// The JSON request body of a batch; `token` goes in the body, never in the URL.
fn request_body(events: &[Pending], options: &SendOptions, token: Option<&Token>) -> String {
    let mut body =
        String::with_capacity(events.iter().map(|e| e.json.len() + 1).sum::<usize>() + 128);
    body.push_str("{\"data\":[");
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&e.json);
    }
    body.push(']');
    if let Some(code) = &options.test_event_code {
        body.push_str(",\"test_event_code\":");
        body.push_str(&Value::String(code.clone()).to_string());
    }
    body.push_str(",\"partner_agent\":\"tagc\"");
    if let Some(t) = token {
        body.push_str(",\"access_token\":");
        body.push_str(&Value::String(t.expose().to_owned()).to_string());
    }
    body.push('}');
    body
}

/// The index `N` of `$['data'][N]` in a Graph error message.
fn event_index(msg: &str) -> Option<usize> {
    let start = msg.find("['data'][")? + "['data'][".len();
    let rest = &msg[start..];
    let end = rest.find(']')?;
    rest[..end].parse().ok()
}

#[allow(clippy::too_many_arguments)]
fn post_job(
    client: &Client,
    job: Job,
    options: &SendOptions,
    token: Option<&Token>,
    report: &mpsc::Sender<Report>,
    abort: &AtomicBool,
    abort_reason: &std::sync::Mutex<Option<String>>,
    jitter: &mut client::Jitter,
) {
    let Job { pixel, mut events } = job;
    let mut attempt = 0u32;
    let mut first = true;
    while !events.is_empty() {
        if abort.load(Ordering::Relaxed) {
            not_sent(events, &pixel, abort_reason, report);
            return;
        }
        let body = request_body(&events, options, token);
        if first {
            let _ = report.send(Report::Request);
            let _ = report.send(Report::Sent(events.len() as u64));
            first = false;
        }
        let outcome = client.post(&pixel, body.as_bytes());
        drop(body);
        let redact = |s: &str| token.map_or_else(|| s.to_owned(), |t| t.redact(s));
        match outcome {
            Outcome::Success(r) if r.events_received == events.len() as u64 => {
                let lines = (
                    events.first().map_or(0, |e| e.line),
                    events.last().map_or(0, |e| e.line),
                );
                for m in &r.messages {
                    let _ = report.send(Report::Meta {
                        message: format!("Meta: {}", redact(m)),
                        pixel: pixel.clone(),
                        lines,
                    });
                }
                let _ = report.send(Report::Accepted(r.events_received));
                return;
            }
            Outcome::Graph { error, .. } if error.code == 100 => {
                let msg = redact(error.error_user_msg.as_deref().unwrap_or(&error.message));
                match event_index(&msg).filter(|i| *i < events.len()) {
                    // One bad event fails the batch: drop it and send the rest again.
                    Some(i) if events.len() > 1 => {
                        let bad = events.remove(i);
                        let mut f = failure(bad.line, "meta", msg);
                        f.pixel = Some(pixel.clone());
                        f.code = Some(error.code);
                        f.subcode = error.error_subcode;
                        f.fbtrace_id = Some(error.fbtrace_id.clone());
                        let _ = report.send(Report::Failed(bad.record, f));
                    }
                    _ => {
                        for p in events {
                            let mut f = failure(p.line, "meta", msg.clone());
                            f.pixel = Some(pixel.clone());
                            f.code = Some(error.code);
                            f.subcode = error.error_subcode;
                            f.fbtrace_id = Some(error.fbtrace_id.clone());
                            let _ = report.send(Report::Failed(p.record, f));
                        }
                        return;
                    }
                }
            }
            outcome => {
                if outcome.is_token_error() {
                    if let Ok(mut r) = abort_reason.lock() {
                        r.get_or_insert_with(|| {
                            "Meta refused the access token (code 190): check META_ACCESS_TOKEN or --token-file"
                                .to_owned()
                        });
                    }
                    abort.store(true, Ordering::Relaxed);
                    not_sent(events, &pixel, abort_reason, report);
                    return;
                }
                let partial = matches!(&outcome, Outcome::Success(_));
                if (outcome.is_retryable() || partial) && attempt < options.retry.max_retries {
                    std::thread::sleep(options.retry.backoff(attempt, jitter));
                    attempt += 1;
                    let _ = report.send(Report::Retry);
                    continue;
                }
                let (stage, reason, code, subcode, trace) = match &outcome {
                    Outcome::Success(r) => (
                        "unconfirmed",
                        format!(
                            "Meta confirmed only {} of {} events of the request",
                            r.events_received,
                            events.len()
                        ),
                        None,
                        None,
                        Some(r.fbtrace_id.clone()),
                    ),
                    Outcome::Graph { status, error } => (
                        "meta",
                        redact(&format!("HTTP {status}, {}", error.describe())),
                        Some(error.code),
                        error.error_subcode,
                        Some(error.fbtrace_id.clone()),
                    ),
                    Outcome::Http { detail, .. } => ("meta", detail.clone(), None, None, None),
                    Outcome::Transport(m) => {
                        let _ = report.send(Report::Unreachable);
                        (
                            "network",
                            format!("{m} (after {attempt} retries)"),
                            None,
                            None,
                            None,
                        )
                    }
                };
                for p in events {
                    let mut f = failure(p.line, stage, reason.clone());
                    f.pixel = Some(pixel.clone());
                    f.code = code;
                    f.subcode = subcode;
                    f.fbtrace_id.clone_from(&trace);
                    let _ = report.send(Report::Failed(p.record, f));
                }
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapper() -> Mapper {
        let m: crate::mapping::Mapping = serde_json::from_value(serde_json::json!({
            "$schema": "", "version": 1, "generator": "t", "env": "p", "graph_version": "v25.0",
            "defaults": {},
            "events": [{
                "id": "lead", "event_name": "Lead", "action_source": "email", "pixels": ["1"],
                "event_time": {"format": "send_time"},
                "user_data": {"em": {"path": "em", "transform": "sha256", "rule": ""}},
                "custom_data": {}, "required": []
            }]
        }))
        .expect("mapping");
        m.compile("lead").expect("compiles")
    }

    fn options() -> SendOptions {
        SendOptions {
            graph_url: "http://127.0.0.1:9".into(),
            graph_version: "v25.0".into(),
            pixels: vec!["1".into()],
            test_event_code: None,
            batch_size: 1000,
            concurrency: 1,
            timeout: Duration::from_secs(1),
            retry: RetryPolicy::default(),
            dry_run: true,
            now: Some(1_795_300_000),
        }
    }

    struct Broken;
    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failed_file_that_cannot_be_written_stops_the_run() {
        let input = "{}\n{\"em\":\"a@b.co\"}\n{\"em\":\"c@d.co\"}\n";
        let mut failed = Broken;
        let mut out = Vec::new();
        let r = send(
            &mapper(),
            Records::new(input.as_bytes(), RecordFormat::Ndjson),
            &options(),
            None,
            Outputs {
                failed: Some(&mut failed),
                warnings: None,
                dry_run: Some(&mut out),
            },
            &mut Quiet,
        );
        // The run stops and says why (batches already handed on may have gone out).
        assert!(matches!(r, Err(SendError::Output { .. })), "{r:?}");
    }

    #[test]
    fn a_read_error_keeps_what_was_read_and_says_where_it_stopped() {
        struct Fails(usize);
        impl std::io::Read for Fails {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0 == 0 {
                    return Err(std::io::Error::other("connection lost"));
                }
                self.0 -= 1;
                let line = b"{\"em\":\"a@b.co\"}\n";
                buf[..line.len()].copy_from_slice(line);
                Ok(line.len())
            }
        }
        let mut out = Vec::new();
        let s = send(
            &mapper(),
            Records::new(std::io::BufReader::new(Fails(3)), RecordFormat::Ndjson),
            &options(),
            None,
            Outputs {
                dry_run: Some(&mut out),
                ..Outputs::default()
            },
            &mut Quiet,
        )
        .expect("a summary");
        assert_eq!(s.records, 3);
        assert_eq!(s.dry_run_bodies, 1, "the three records read are still sent");
        assert!(
            s.input_error
                .as_deref()
                .is_some_and(|e| e.contains("after 3")),
            "{s:?}"
        );
    }

    #[test]
    fn finds_the_failing_event_in_metas_message() {
        assert_eq!(
            event_index("The parameter $['data'][17]['event_time'] is required."),
            Some(17)
        );
        assert_eq!(event_index("Invalid OAuth access token."), None);
        assert_eq!(event_index("$['data'][x]"), None);
    }
}
