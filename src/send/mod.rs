//! `tagc send`: records → mapped, checked CAPI events → batches of up to 1,000 → Meta,
//! as visible stages:
//!
//! - **read** ([`records`], [`lines`]): records, and every line that is not one, numbered,
//!   on the calling thread; an NDJSON line is parsed later, for the mapping's own
//!   top-level keys only ([`records::parse_ndjson_fields`]);
//! - **map** and **check** (`prepare`): the mapping, then Meta's rules
//!   ([`crate::meta::capi`]), on every core; an event that would fail its batch is set
//!   aside instead of being sent. One thread books the results in input order, so the
//!   output is what one thread would write;
//! - **batch** (`batch`, and the hand-over here): per pixel, up to the batch size, through
//!   a bounded queue, so memory stays flat however many records stream through;
//! - **post** (`post`, [`client`]): sender threads, one Graph client, one retry loop, one
//!   classification of Meta's answers shared with `tagc verify`;
//! - **account** ([`ledger`]): where every record ends up — accepted, or in the failed
//!   file as it was read ([`verbatim`]) with the reason — and the resume point.
//!
//! A run stops early on a [`Stop`] request (a signal, in the CLI), a refused token, or a
//! failed file that cannot be written; whatever was read and not accepted is then still
//! in the failed file or counted as unrecorded, and the summary says up to which line
//! everything is accounted for. Nothing here prints: progress reaches the caller through
//! [`Observer`].

mod batch;
pub mod client;
pub mod ledger;
pub mod lines;
mod post;
mod prepare;
mod queue;
pub mod records;
pub mod redact;
pub mod stop;
#[cfg(test)]
mod testing;
pub mod verbatim;

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::mapping::Mapper;

pub use client::{BadUrl, Client, Outcome, RetryPolicy, Token, Verdict};
pub use ledger::FailedSink;
pub use records::{FAILURE_KEY, Record, RecordFormat, Records};
use records::{Fields, Unparsed, parse_ndjson_fields};
pub use stop::{Emergency, Signal, Stop};

use batch::Batches;
use ledger::{Kept, Ledger};
use prepare::Prepared;

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
    /// The access token (required unless `dry_run`).
    pub token: Option<Token>,
    /// After a stop is asked for, how long requests in flight may take to finish.
    pub grace: Duration,
    /// Asks the run to stop (the CLI's signal handler holds it too).
    pub stop: Arc<Stop>,
}

/// Where a record stopped: the failed file's `_tagc.stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Not a record (bad JSON, a malformed CSV row, not UTF-8).
    Input,
    /// The mapping could not build an event from it.
    Mapping,
    /// Meta's rules would reject the event (so it was never sent).
    Rules,
    /// Meta refused it.
    Meta,
    /// Meta confirmed fewer events than were sent, or had not answered when the run
    /// stopped.
    Unconfirmed,
    /// Meta or the network was unavailable through every retry.
    Network,
    /// Never sent: the run stopped, or the token was refused, before its turn.
    NotSent,
}

impl Stage {
    /// Whether the record was set aside before anything was sent.
    #[must_use]
    pub fn is_invalid(self) -> bool {
        matches!(self, Stage::Input | Stage::Mapping | Stage::Rules)
    }
}

/// Why an event was not accepted, as written to the failed file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The input line the record starts on.
    pub line: u64,
    /// CSV input: the row as a spreadsheet numbers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    /// Where it stopped.
    pub stage: Stage,
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
}

impl Failure {
    /// A failure with no Graph details.
    #[must_use]
    pub fn new(line: u64, stage: Stage, reason: String) -> Failure {
        Failure {
            line,
            row: None,
            stage,
            reason,
            pixel: None,
            code: None,
            subcode: None,
            fbtrace_id: None,
        }
    }
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
    /// Of `failed`: could not be written to the failed file (it broke).
    pub unrecorded: u64,
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
    /// Why the run stopped sending early (a refused token, an unwritable failed file),
    /// if it did.
    pub aborted: Option<String>,
    /// The signal that stopped the run, if one did.
    #[serde(skip)]
    pub stopped: Option<Signal>,
    /// Whether Meta or the network was unavailable for some request through its retries.
    pub unreachable: bool,
    /// Why reading the input stopped early, if it did (the records read before were
    /// processed as usual).
    pub input_error: Option<String>,
    /// Every record starting on an input line up to this one is accepted or in the
    /// failed file: `tagc send --skip N` goes on from there.
    pub resume_after: u64,
    /// Whether every input line was read.
    pub complete: bool,
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
    /// Writing the warnings file or the dry-run output failed.
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
    /// The Graph API URL cannot work.
    #[error(transparent)]
    BadUrl(#[from] BadUrl),
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

impl WarningLine {
    /// One of Meta's `messages` for a request whose events span `lines`.
    pub(crate) fn meta(lines: (u64, u64), pixel: &str, message: String) -> WarningLine {
        WarningLine {
            line: lines.0,
            last_line: Some(lines.1),
            row: None,
            event_id: None,
            stage: "meta",
            field: None,
            record_path: None,
            rule: None,
            pixel: Some(pixel.to_owned()),
            message,
        }
    }
}

/// Where a run writes what it produces; each is optional.
#[derive(Default)]
pub struct Outputs<'a> {
    /// The failed-events file (`--failed`): written line by line, made durable at the
    /// end and on a stop.
    pub failed: Option<Box<dyn FailedSink>>,
    /// The warnings file (`--warnings`).
    pub warnings: Option<&'a mut (dyn Write + Send)>,
    /// The request bodies of a dry run (stdout).
    pub dry_run: Option<&'a mut (dyn Write + Send)>,
}

/// Sends every record of `input` through `mapper`, writing to `outputs`.
///
/// `failed` receives one NDJSON line per event that was not accepted: the record as it
/// was read with a `_tagc` note saying why. `warnings` receives one [`WarningLine`] per
/// warning: those of the records in input order, then Meta's messages in the order of
/// their first line. `dry_run` receives the request bodies of a dry run, one per line.
///
/// # Errors
/// When the warnings file or the dry-run output cannot be written, no token is given for
/// a real run, or the Graph API URL cannot work. Problems after the run started (an
/// unwritable failed file, a refused token, a stop) end it early and are in the summary.
pub fn send<R: BufRead>(
    mapper: &Mapper,
    input: Records<R>,
    options: &SendOptions,
    outputs: Outputs<'_>,
    observer: &mut dyn Observer,
) -> Result<Summary, SendError> {
    let Outputs {
        failed,
        mut warnings,
        mut dry_run,
    } = outputs;
    if !options.dry_run && options.token.is_none() {
        return Err(SendError::NoToken);
    }
    let client = if options.dry_run {
        None
    } else {
        Some(Client::new(
            &options.graph_url,
            &options.graph_version,
            options.timeout,
            options.token.as_ref(),
        )?)
    };
    let concurrency = options.concurrency.max(1);
    let ledger = Arc::new(Ledger::new(failed, options.pixels.len(), input.skipped()));
    let stop = Arc::clone(&options.stop);
    stop.attach(Some(Arc::clone(&ledger)));

    // Post: sender threads, not scoped, so a run that stops does not wait for a request
    // that hangs past the grace period.
    let (job_tx, job_rx) = mpsc::sync_channel::<post::Job>(concurrency);
    if let Some(client) = client {
        let senders = Arc::new(post::Senders {
            client,
            ledger: Arc::clone(&ledger),
            stop: Arc::clone(&stop),
            jobs: std::sync::Mutex::new(job_rx),
            token: options.token.clone(),
            test_event_code: options.test_event_code.clone(),
            retry: options.retry,
        });
        for worker in 0..concurrency {
            let s = Arc::clone(&senders);
            std::thread::spawn(move || s.run(worker as u64));
        }
    }
    let hand_over = HandOver {
        options,
        ledger: &ledger,
        stop: &stop,
        jobs: job_tx,
    };

    let mut input = input;
    let prepare = prepare::Prepare::new(mapper, options.now);
    let mut tally = prepare::Tally::default();
    let mut batches = Batches::new(options.pixels.len(), options.batch_size.clamp(1, MAX_BATCH));
    let mut input_error: Option<String> = None;
    let mut result: Result<(), SendError> = Ok(());
    let lines = warnings.is_some();
    let keys = prepare.top_keys();
    let mappers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(MAX_MAPPERS);
    // Three stages on their own threads: this one reads; the mappers (one per core)
    // parse, map and check whatever records are there, up to a chunk; one accountant
    // takes the chunks back in input order and books their records one by one, as a
    // single thread would. A record that trickles in from a pipe is mapped and batched
    // at once: nothing waits for a chunk to fill. The tokens bound the chunks taken and
    // not yet booked, so memory stays flat.
    let quit = std::sync::atomic::AtomicBool::new(false);
    let queue = queue::Queue::<Item>::new(CHUNK * (mappers + 1), CHUNK, mappers);
    let (token_tx, token_rx) = mpsc::sync_channel::<()>(mappers + 1);
    for _ in 0..=mappers {
        let _ = token_tx.send(());
    }
    let token_rx = Arc::new(std::sync::Mutex::new(token_rx));
    let (done_tx, done_rx) = mpsc::channel::<Done>();
    std::thread::scope(|scope| {
        for _ in 0..mappers {
            let (done_tx, token_rx) = (done_tx.clone(), Arc::clone(&token_rx));
            let (prepare, keys, queue) = (&prepare, &keys, &queue);
            scope.spawn(move || {
                let _taker = queue::Taker(queue);
                while let Ok(Ok(())) = token_rx.lock().map(|t| t.recv()) {
                    let Some((seq, items)) = queue.take() else {
                        break;
                    };
                    let taken = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        items
                            .iter()
                            .map(|item| map_item(item, prepare, keys, lines))
                            .collect()
                    }));
                    if done_tx.send((seq, items, taken)).is_err() {
                        break;
                    }
                }
            });
        }
        drop((done_tx, token_rx));
        let (stop, ledger, quit) = (&stop, &*ledger, &quit);
        let (tally, batches, result) = (&mut tally, &mut batches, &mut result);
        let (warnings, dry_run, hand_over) = (&mut warnings, &mut dry_run, &hand_over);
        let observer = &mut *observer;
        let accountant = scope.spawn(move || {
            let mut next = 0u64;
            let mut back: BTreeMap<u64, (Vec<Item>, Vec<Taken>)> = BTreeMap::new();
            let mut records_read = 0u64;
            let mut last_progress = Instant::now();
            'books: while let Ok((seq, items, taken)) = done_rx.recv() {
                let taken = taken.unwrap_or_else(|p| std::panic::resume_unwind(p));
                back.insert(seq, (items, taken));
                while let Some((items, taken)) = back.remove(&next) {
                    next += 1;
                    for (item, outcome) in items.into_iter().zip(taken) {
                        if stop.is_requested() || ledger.halted() {
                            // Read ahead but not booked: as if never read (the summary
                            // resumes before it).
                            break 'books;
                        }
                        records_read += 1;
                        ledger.records_read(records_read);
                        if records_read.is_multiple_of(1024)
                            && last_progress.elapsed() >= Duration::from_millis(100)
                        {
                            observer.progress(&ledger.snapshot());
                            last_progress = Instant::now();
                        }
                        let (line, end, row, only_pixel, mapped) = match outcome {
                            Taken::Mapped {
                                line,
                                end,
                                row,
                                only_pixel,
                                mapped,
                            } => (line, end, row, only_pixel, mapped),
                            Taken::Bad {
                                line,
                                row,
                                reason,
                                raw,
                            } => {
                                let f = Failure {
                                    row,
                                    ..Failure::new(line, Stage::Input, reason)
                                };
                                ledger.fail(&Kept::Line(raw), &f);
                                ledger.read_through(line);
                                continue;
                            }
                        };
                        let only =
                            only_pixel.and_then(|p| options.pixels.iter().position(|x| *x == p));
                        // The record as the failed file must keep it: its NDJSON text as
                        // read (copied only when it is kept: a dry run keeps a record only
                        // when it fails), else the record a CSV row became.
                        let kept = || match &item {
                            Item::Line { text, .. } => Kept::Raw(text.as_slice().into()),
                            Item::Record(Record::Ok { value, .. }) => Kept::Value(value.clone()),
                            Item::Record(Record::Bad { raw, .. }) => Kept::Line(raw.clone()),
                        };
                        let out = warnings.as_mut().map(|w| &mut **w as &mut dyn Write);
                        let json = match tally.settle(mapped, out) {
                            Ok(Prepared::Event(json)) => json,
                            Ok(Prepared::Invalid(f)) => {
                                ledger.fail(&kept(), &f);
                                ledger.read_through(end);
                                continue;
                            }
                            Err(source) => {
                                // Nothing more can be recorded, so nothing more is sent.
                                ledger.halt("cannot write the warnings file".to_owned());
                                let f = Failure::new(
                                    line,
                                    Stage::NotSent,
                                    "not sent: the warnings file cannot be written".to_owned(),
                                );
                                ledger.fail(&kept(), &f);
                                *result = Err(SendError::Output {
                                    what: "the warnings file",
                                    source,
                                });
                                break 'books;
                            }
                        };
                        let keep = || {
                            if options.dry_run {
                                Kept::Nothing
                            } else {
                                kept()
                            }
                        };
                        batches.push(line, row, json, only, &keep, &mut |pixel| {
                            if !options.dry_run {
                                ledger.batch_head(pixel, Some(line));
                            }
                        });
                        drop(item);
                        ledger.read_through(end);
                        for (pixel, events) in batches.full() {
                            if let Err(e) = hand_over.batch(pixel, events, dry_run) {
                                *result = Err(e);
                            }
                        }
                        if result.is_err() {
                            break 'books;
                        }
                    }
                    // A chunk booked: a mapper may take another.
                    let _ = token_tx.send(());
                }
            }
            quit.store(true, std::sync::atomic::Ordering::Relaxed);
        });
        while !(stop.is_requested()
            || ledger.halted()
            || quit.load(std::sync::atomic::Ordering::Relaxed))
        {
            let item = match input.next_unparsed() {
                None => break,
                Some(Err(e)) => {
                    // What was read is valid and still sent; the summary says where
                    // reading stopped.
                    input_error = Some(format!(
                        "cannot read the records after line {}: {e}",
                        input.lines_read()
                    ));
                    break;
                }
                Some(Ok(Unparsed::Line { line, text })) => Item::Line {
                    line,
                    text: text.to_vec(),
                },
                Some(Ok(Unparsed::Record(r))) => Item::Record(r),
            };
            if queue.put(item).is_err() {
                break;
            }
        }
        queue.close();
        if let Err(panic) = accountant.join() {
            std::panic::resume_unwind(panic);
        }
    });
    // What is left in the batches: sent, unless the run is stopping.
    let stopping = why_stopped(&stop, &ledger).or_else(|| {
        result
            .as_ref()
            .err()
            .map(|e| format!("the run stopped: {e}"))
    });
    let complete = input_error.is_none() && stopping.is_none();
    for (pixel, events) in batches.drain() {
        if stopping.is_none() {
            if let Err(e) = hand_over.batch(pixel, events, &mut dry_run) {
                result = Err(e);
            }
        } else {
            let why = format!("not sent: {}", stopping.as_deref().unwrap_or_default());
            for (held, _) in events {
                let f = Failure {
                    pixel: Some(options.pixels[pixel].clone()),
                    row: held.row,
                    ..Failure::new(held.line, Stage::NotSent, why.clone())
                };
                ledger.fail(&held.kept, &f);
            }
            ledger.batch_head(pixel, None);
        }
    }
    drop(hand_over);
    let counted = tally.warnings();
    ledger.count(|s| {
        for (w, n) in counted {
            *s.warnings.entry(w).or_default() += n;
        }
    });

    // Account: wait for the senders, within the grace period once a stop is asked for.
    while !ledger.idle() {
        if let Some((signal, at)) = stop.requested()
            && at.elapsed() >= options.grace
        {
            ledger.close(&format!(
                "the run stopped ({}) and its grace period of {} s ran out",
                signal.name(),
                options.grace.as_secs_f64()
            ));
            break;
        }
        ledger.wait(Duration::from_millis(100));
        observer.progress(&ledger.snapshot());
    }
    if let Err(e) = ledger.sync() {
        ledger.halt(format!("cannot write the failed-events file: {e}"));
    }
    stop.attach(None);
    let (mut summary, mut meta_warnings) = ledger.finish();
    summary.input_error = input_error;
    summary.stopped = stop.requested().map(|r| r.0);
    summary.complete = complete;
    observer.progress(&summary);
    result?;
    if let Some(out) = warnings.as_mut() {
        meta_warnings.sort_by(|a, b| {
            (a.line, a.last_line, &a.pixel, &a.message).cmp(&(
                b.line,
                b.last_line,
                &b.pixel,
                &b.message,
            ))
        });
        let written: std::io::Result<()> = meta_warnings
            .iter()
            .try_for_each(|w| prepare::write_warning(&mut **out, w))
            .and_then(|()| out.flush());
        written.map_err(|source| SendError::Output {
            what: "the warnings file",
            source,
        })?;
    }
    Ok(summary)
}

/// The most records a mapper takes at once.
const CHUNK: usize = 256;

/// The most mapper threads, whatever the cores: each holds a chunk and its allocator's
/// pages, and memory must stay flat.
const MAX_MAPPERS: usize = 8;

/// A record read, not yet mapped.
enum Item {
    /// An NDJSON line not yet parsed: its number and its bytes (without a byte-order
    /// mark).
    Line { line: u64, text: Vec<u8> },
    /// A CSV record, or a line that is not a record.
    Record(Record),
}

/// A mapped chunk: its place in the input, its records, and what became of each (or the
/// mapper's panic).
type Done = (u64, Vec<Item>, std::thread::Result<Vec<Taken>>);

/// What became of one record of a chunk, on whichever thread mapped it.
enum Taken {
    /// A record, mapped and checked.
    Mapped {
        line: u64,
        end: u64,
        row: Option<u64>,
        only_pixel: Option<String>,
        mapped: prepare::Mapped,
    },
    /// A line that is not a record.
    Bad {
        line: u64,
        row: Option<u64>,
        reason: String,
        raw: Vec<u8>,
    },
}

/// Parses (NDJSON, the mapping's own top-level keys), maps and checks one record; runs on
/// any thread.
fn map_item(item: &Item, prepare: &prepare::Prepare<'_>, keys: &[&str], lines: bool) -> Taken {
    let mapped = |line, end, row, value: &serde_json::Value, only_pixel| Taken::Mapped {
        line,
        end,
        row,
        only_pixel,
        mapped: prepare.map(line, row, value, lines),
    };
    let other = |record| match record {
        Record::Bad {
            line,
            row,
            reason,
            raw,
        } => Taken::Bad {
            line,
            row,
            reason,
            raw,
        },
        Record::Ok {
            line,
            end,
            row,
            value,
            only_pixel,
        } => mapped(line, end, row, &value, only_pixel),
    };
    match item {
        Item::Line { line, text } => match parse_ndjson_fields(*line, text, keys) {
            Fields::Record { fields, only_pixel } => Taken::Mapped {
                line: *line,
                end: *line,
                row: None,
                only_pixel,
                mapped: prepare.map(*line, None, &fields, lines),
            },
            Fields::Other(record) => other(record),
        },
        Item::Record(Record::Ok {
            line,
            end,
            row,
            value,
            only_pixel,
        }) => mapped(*line, *end, *row, value, only_pixel.clone()),
        Item::Record(Record::Bad {
            line,
            row,
            reason,
            raw,
        }) => Taken::Bad {
            line: *line,
            row: *row,
            reason: reason.clone(),
            raw: raw.clone(),
        },
    }
}

/// The hand-over from the batch stage: a dry run writes the body, a real run gives the
/// records to the ledger and the JSON to a sender, waiting while every sender is busy
/// (the back-pressure that keeps memory flat) unless the run is stopping.
struct HandOver<'a> {
    options: &'a SendOptions,
    ledger: &'a Ledger,
    stop: &'a Stop,
    jobs: mpsc::SyncSender<post::Job>,
}

impl HandOver<'_> {
    fn batch(
        &self,
        pixel_index: usize,
        events: Vec<batch::Pending>,
        dry_run: &mut Option<&mut (dyn Write + Send)>,
    ) -> Result<(), SendError> {
        let (options, ledger) = (self.options, self.ledger);
        if options.dry_run {
            if let Some(out) = dry_run.as_mut() {
                let mut body = client::request_body(
                    events.iter().map(|e| e.1.as_str()),
                    options.test_event_code.as_deref(),
                    None,
                );
                // One write, ending with its line break: stdout looks for the last line
                // break from the end, so it finds this one at once instead of scanning
                // the megabyte before it.
                body.push('\n');
                out.write_all(body.as_bytes())
                    .map_err(|source| SendError::Output {
                        what: "the dry-run output",
                        source,
                    })?;
            }
            ledger.count(|s| s.dry_run_bodies += 1);
            return Ok(());
        }
        let pixel = options.pixels[pixel_index].clone();
        let mut records = Vec::with_capacity(events.len());
        let mut jsons = Vec::with_capacity(events.len());
        for (i, (held, json)) in events.into_iter().enumerate() {
            jsons.push((i, held.line, json));
            records.push(held);
        }
        let id = ledger.open_job(records);
        ledger.batch_head(pixel_index, None);
        let mut job = post::Job {
            id,
            pixel: pixel.clone(),
            events: jsons,
        };
        loop {
            match self.jobs.try_send(job) {
                Ok(()) => return Ok(()),
                Err(mpsc::TrySendError::Full(j)) if why_stopped(self.stop, ledger).is_none() => {
                    job = j;
                    std::thread::sleep(Duration::from_millis(2));
                }
                Err(_) => {
                    let why = format!(
                        "not sent: {}",
                        why_stopped(self.stop, ledger)
                            .unwrap_or_else(|| "no sender is left".to_owned())
                    );
                    ledger.fail_job(id, &|line| Failure {
                        pixel: Some(pixel.clone()),
                        ..Failure::new(line, Stage::NotSent, why.clone())
                    });
                    return Ok(());
                }
            }
        }
    }
}

/// Why nothing more is sent, if that is so: a stop asked for, or the run halted (a
/// refused token, an unwritable failed file). The reader, the hand-over and the senders
/// all ask this.
fn why_stopped(stop: &Stop, ledger: &Ledger) -> Option<String> {
    if let Some((signal, _)) = stop.requested() {
        return Some(format!(
            "the run was stopped ({}) before it was sent",
            signal.name()
        ));
    }
    ledger.halted().then(|| {
        ledger
            .aborted()
            .unwrap_or_else(|| "the run stopped".to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::send::testing::{FullSink, SharedSink, lead_mapper as mapper};

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
            token: None,
            grace: Duration::from_secs(10),
            stop: Arc::new(Stop::new()),
        }
    }

    #[test]
    fn a_failed_file_that_cannot_be_written_stops_the_run() {
        let input = "{}\n{\"em\":\"a@b.co\"}\n{\"em\":\"c@d.co\"}\n";
        let mut out = Vec::new();
        let s = send(
            &mapper(),
            Records::new(input.as_bytes(), RecordFormat::Ndjson),
            &options(),
            Outputs {
                failed: Some(Box::new(FullSink)),
                warnings: None,
                dry_run: Some(&mut out),
            },
            &mut Quiet,
        )
        .expect("a summary");
        // The run stops, says why, and counts what it could not record.
        assert!(s.aborted.is_some_and(|a| a.contains("no space left")));
        assert_eq!((s.records, s.unrecorded, s.resume_after), (1, 1, 0));
        assert!(!s.complete);
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
                .is_some_and(|e| e.contains("after line 3")),
            "{s:?}"
        );
        assert_eq!(s.resume_after, 3);
    }

    #[test]
    fn a_stop_before_reading_sends_nothing_and_resumes_at_the_skip() {
        let o = options();
        o.stop.request(Signal::Terminate);
        let s = send(
            &mapper(),
            Records::new("{\"em\":\"a@b.co\"}\n".as_bytes(), RecordFormat::Ndjson).skip(7),
            &o,
            Outputs::default(),
            &mut Quiet,
        )
        .expect("a summary");
        assert_eq!((s.records, s.resume_after), (0, 7));
        assert_eq!(s.stopped, Some(Signal::Terminate));
    }

    #[test]
    fn records_that_fail_are_written_as_they_were_read() {
        let failed = SharedSink::default();
        let input = "{\"id\": 123456789012345678901234, \"em\":\"nope\" , \"x\":0.1000000000000000055511151231257827}\n\u{7b}oops\n";
        let s = send(
            &mapper(),
            Records::new(input.as_bytes(), RecordFormat::Ndjson),
            &options(),
            Outputs {
                failed: Some(Box::new(failed.clone())),
                ..Outputs::default()
            },
            &mut Quiet,
        )
        .expect("a summary");
        assert_eq!(s.failed, 2, "{s:?}");
        let text = failed.text();
        let first = text.lines().next().expect("a line");
        assert!(
            first.starts_with("{\"id\": 123456789012345678901234, \"em\":\"nope\" , \"x\":0.1000000000000000055511151231257827,\"_tagc\":{\"line\":1,"),
            "{first}"
        );
    }
}
