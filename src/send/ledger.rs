//! The account stage: where every record read ends up.
//!
//! The ledger holds the records of every batch handed to the senders until Meta's answer
//! settles them: accepted, or written to the failed file with the reason. It owns the
//! failed file and writes each line with one `write` call, so a line that was written is
//! whole and a record counts as recorded only once its line is out. From what it holds it
//! can say, at any moment, up to which input line everything is accounted for (the
//! resume point, `--skip N`). When the failed file cannot be written it halts the run:
//! nothing more is sent, and the records that could not be recorded are counted.

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Map, Value};

use super::verbatim;
use super::{Failure, Stage, Summary, WarningLine};

/// Where the failed-events lines go: written line by line, made durable on
/// [`FailedSink::sync`].
pub trait FailedSink: Write + Send {
    /// Flushes and makes what was written durable (`fsync` for a file).
    ///
    /// # Errors
    /// When it cannot.
    fn sync(&mut self) -> std::io::Result<()> {
        self.flush()
    }
}

impl FailedSink for std::fs::File {
    fn sync(&mut self) -> std::io::Result<()> {
        match self.sync_all() {
            // A pipe or a device (`/dev/stdout`) has nothing to make durable.
            Err(e) if e.raw_os_error() == Some(22) => Ok(()),
            r => r,
        }
    }
}

/// The record of an event, kept for the failed file.
#[derive(Debug)]
pub(super) enum Kept {
    /// Its JSON object text as read (NDJSON).
    Raw(Box<[u8]>),
    /// The record built by the reader (CSV).
    Value(Value),
    /// A line that is not a record: its bytes.
    Line(Vec<u8>),
    /// Nothing (a dry run writes no failed file after mapping).
    Nothing,
}

/// An event's record, where it came from, held until Meta's answer settles it.
#[derive(Debug)]
pub(super) struct Held {
    /// The line its record starts on.
    pub line: u64,
    /// CSV: the spreadsheet row.
    pub row: Option<u64>,
    /// The record for the failed file.
    pub kept: Kept,
}

impl Held {
    /// `failure` for this event, with its row.
    fn failure(&self, failure: &dyn Fn(u64) -> Failure) -> Failure {
        let mut f = failure(self.line);
        f.row = f.row.or(self.row);
        f
    }
}

/// A batch handed to the senders.
struct JobBook {
    /// Each event; `None` once settled.
    events: Vec<Option<Held>>,
    open: usize,
    /// Whether a request with these events went out.
    posted: bool,
}

struct Books {
    summary: Summary,
    failed: Option<Box<dyn FailedSink>>,
    jobs: HashMap<u64, JobBook>,
    next_job: u64,
    /// Per pixel: the line of the first event of the reader's open batch.
    batch_head: Vec<Option<u64>>,
    meta_warnings: Vec<WarningLine>,
    /// The first line whose failure could not be written.
    first_unrecorded: Option<u64>,
    /// Late answers are ignored once the run has given up on what was in flight.
    closed: bool,
    line: Vec<u8>,
}

/// The run's accounts (shared by the reader, the senders and an emergency stop).
pub struct Ledger {
    books: Mutex<Books>,
    settled: Condvar,
    halted: AtomicBool,
    /// The last input line the reader has handed on (every record up to it is in a
    /// batch, the ledger, or the failed file).
    read_through: AtomicU64,
    /// Records read so far.
    records: AtomicU64,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger").finish_non_exhaustive()
    }
}

impl Ledger {
    pub(super) fn new(failed: Option<Box<dyn FailedSink>>, pixels: usize, skipped: u64) -> Ledger {
        Ledger {
            books: Mutex::new(Books {
                summary: Summary::default(),
                failed,
                jobs: HashMap::new(),
                next_job: 0,
                batch_head: vec![None; pixels],
                meta_warnings: Vec::new(),
                first_unrecorded: None,
                closed: false,
                line: Vec::with_capacity(1024),
            }),
            settled: Condvar::new(),
            halted: AtomicBool::new(false),
            read_through: AtomicU64::new(skipped),
            records: AtomicU64::new(0),
        }
    }

    fn books(&self) -> MutexGuard<'_, Books> {
        self.books
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether the run must send nothing more (a refused token, an unwritable failed
    /// file).
    pub(super) fn halted(&self) -> bool {
        self.halted.load(Ordering::Relaxed)
    }

    /// Why the run halted, if it did.
    pub(super) fn aborted(&self) -> Option<String> {
        self.books().summary.aborted.clone()
    }

    /// Stops the run for `reason` (the first reason is kept).
    pub(super) fn halt(&self, reason: String) {
        let mut b = self.books();
        b.summary.aborted.get_or_insert(reason);
        self.halted.store(true, Ordering::Relaxed);
    }

    /// The reader has handed on everything up to `line`.
    pub(super) fn read_through(&self, line: u64) {
        self.read_through.store(line, Ordering::Relaxed);
    }

    /// The reader has read `n` records.
    pub(super) fn records_read(&self, n: u64) {
        self.records.store(n, Ordering::Relaxed);
    }

    /// Runs `f` on the counts.
    pub(super) fn count(&self, f: impl FnOnce(&mut Summary)) {
        f(&mut self.books().summary);
    }

    /// One of Meta's messages for a request.
    pub(super) fn meta_warning(&self, w: WarningLine) {
        let mut b = self.books();
        *b.summary.warnings.entry(w.message.clone()).or_default() += 1;
        b.meta_warnings.push(w);
    }

    /// The reader's open batch for `pixel` now starts at `line` (`None`: it is empty).
    pub(super) fn batch_head(&self, pixel: usize, line: Option<u64>) {
        if let Some(h) = self.books().batch_head.get_mut(pixel) {
            *h = line;
        }
    }

    /// Records a failure: its line in the failed file, or, if that cannot be written,
    /// counts it as unrecorded and halts the run.
    pub(super) fn fail(&self, kept: &Kept, failure: &Failure) {
        let mut b = self.books();
        fail_in(&mut b, &self.halted, kept, failure);
    }

    /// Takes a batch's records; the id names it in later calls.
    pub(super) fn open_job(&self, events: Vec<Held>) -> u64 {
        let mut b = self.books();
        let id = b.next_job;
        b.next_job += 1;
        let open = events.len();
        b.jobs.insert(
            id,
            JobBook {
                events: events.into_iter().map(Some).collect(),
                open,
                posted: false,
            },
        );
        id
    }

    /// A request with the job's events is going out.
    pub(super) fn posting(&self, job: u64) {
        if let Some(j) = self.books().jobs.get_mut(&job) {
            j.posted = true;
        }
    }

    /// Meta accepted every event of the job still open.
    pub(super) fn accept_job(&self, job: u64) {
        let mut b = self.books();
        if let Some(j) = b.jobs.remove(&job) {
            b.summary.accepted += j.open as u64;
        }
        drop(b);
        self.settled.notify_all();
    }

    /// Event `index` of the job failed.
    pub(super) fn fail_event(&self, job: u64, index: usize, failure: &dyn Fn(u64) -> Failure) {
        let mut b = self.books();
        let Some(slot) = b
            .jobs
            .get_mut(&job)
            .and_then(|j| j.events.get_mut(index))
            .and_then(Option::take)
        else {
            return;
        };
        if let Some(j) = b.jobs.get_mut(&job) {
            j.open -= 1;
        }
        fail_in(&mut b, &self.halted, &slot.kept, &slot.failure(failure));
    }

    /// Every event of the job still open failed.
    pub(super) fn fail_job(&self, job: u64, failure: &dyn Fn(u64) -> Failure) {
        let mut b = self.books();
        if let Some(j) = b.jobs.remove(&job) {
            for held in j.events.into_iter().flatten() {
                fail_in(&mut b, &self.halted, &held.kept, &held.failure(failure));
            }
        }
        drop(b);
        self.settled.notify_all();
    }

    /// Whether no batch is waiting for Meta.
    pub(super) fn idle(&self) -> bool {
        self.books().jobs.is_empty()
    }

    /// Waits up to `d` for a batch to settle.
    pub(super) fn wait(&self, d: Duration) {
        let b = self.books();
        if !b.jobs.is_empty() {
            let _ = self.settled.wait_timeout(b, d);
        }
    }

    /// Gives up on what is still in flight: each event is written as unconfirmed (or
    /// not sent, if its batch never went out), and answers that come later change
    /// nothing.
    pub(super) fn close(&self, why: &str) {
        close_in(&mut self.books(), &self.halted, why);
    }

    /// Whether late answers are to be ignored.
    pub(super) fn closed(&self) -> bool {
        self.books().closed
    }

    /// Makes the failed file durable.
    ///
    /// # Errors
    /// When it cannot be flushed or synced.
    pub(super) fn sync(&self) -> std::io::Result<()> {
        let mut b = self.books();
        let broken = b.first_unrecorded.is_some();
        match b.failed.as_mut() {
            Some(f) if !broken => f.sync(),
            _ => Ok(()),
        }
    }

    /// The last input line up to which every record is accepted or in the failed file.
    fn resume_in(&self, b: &Books) -> u64 {
        let mut point = self.read_through.load(Ordering::Relaxed);
        let mut before = |line: u64| point = point.min(line.saturating_sub(1));
        for j in b.jobs.values() {
            if let Some(line) = j.events.iter().flatten().map(|e| e.line).min() {
                before(line);
            }
        }
        for line in b.batch_head.iter().flatten() {
            before(*line);
        }
        if let Some(line) = b.first_unrecorded {
            before(line);
        }
        point
    }

    /// The resume point now.
    #[cfg(test)]
    fn resume_point(&self) -> u64 {
        self.resume_in(&self.books())
    }

    /// The counts and the resume point, after writing what is still in flight as
    /// unconfirmed and making the failed file durable.
    pub(super) fn emergency(&self) -> Summary {
        let mut b = self.books();
        close_in(&mut b, &self.halted, "the run was stopped at once");
        if let Some(f) = b.failed.as_mut() {
            let _ = f.sync();
        }
        let mut s = b.summary.clone();
        s.resume_after = self.resume_in(&b);
        s.records = self.records.load(Ordering::Relaxed);
        s
    }

    /// The final counts, the resume point and Meta's messages.
    pub(super) fn finish(&self) -> (Summary, Vec<WarningLine>) {
        let mut b = self.books();
        let mut s = b.summary.clone();
        s.resume_after = self.resume_in(&b);
        s.records = self.records.load(Ordering::Relaxed);
        (s, std::mem::take(&mut b.meta_warnings))
    }

    /// The counts so far (for progress).
    pub(super) fn snapshot(&self) -> Summary {
        let mut s = self.books().summary.clone();
        s.records = self.records.load(Ordering::Relaxed);
        s
    }
}

/// See [`Ledger::close`].
fn close_in(b: &mut Books, halted: &AtomicBool, why: &str) {
    b.closed = true;
    let mut jobs: Vec<(u64, JobBook)> = b.jobs.drain().collect();
    jobs.sort_by_key(|(id, _)| *id);
    for (_, j) in jobs {
        let (stage, reason) = if j.posted {
            (
                Stage::Unconfirmed,
                format!(
                    "{why} while Meta had not answered: it may have the event (sending it again is safe when it has an event_id)"
                ),
            )
        } else {
            (Stage::NotSent, format!("not sent: {why}"))
        };
        for held in j.events.into_iter().flatten() {
            let f = held.failure(&|line| Failure::new(line, stage, reason.clone()));
            fail_in(b, halted, &held.kept, &f);
        }
    }
}

fn fail_in(b: &mut Books, halted: &AtomicBool, kept: &Kept, f: &Failure) {
    b.summary.failed += 1;
    if f.stage.is_invalid() {
        b.summary.invalid += 1;
    }
    *b.summary.failures.entry(f.reason.clone()).or_default() += 1;
    let Books {
        failed,
        line,
        first_unrecorded,
        summary,
        ..
    } = b;
    let Some(out) = failed.as_mut() else {
        return;
    };
    let lost = |first: &mut Option<u64>| *first = Some(first.map_or(f.line, |l| l.min(f.line)));
    if first_unrecorded.is_some() {
        lost(first_unrecorded);
        summary.unrecorded += 1;
        return;
    }
    line.clear();
    write_line(line, kept, f);
    if let Err(e) = out.write_all(line) {
        lost(first_unrecorded);
        summary.unrecorded += 1;
        summary
            .aborted
            .get_or_insert_with(|| format!("cannot write the failed-events file: {e}"));
        halted.store(true, Ordering::Relaxed);
    }
}

/// One failed-file line: the record as read, with the note.
fn write_line(out: &mut Vec<u8>, kept: &Kept, f: &Failure) {
    let mut note = match serde_json::to_value(f) {
        Ok(Value::Object(o)) => o,
        _ => Map::new(),
    };
    if let Kept::Line(bytes) = kept {
        let (key, value) = verbatim::raw_field(bytes);
        note.insert(key.to_owned(), Value::String(value));
    }
    let note = Value::Object(note).to_string();
    match kept {
        Kept::Raw(raw) => verbatim::splice(out, raw, &note),
        Kept::Value(v) => verbatim::value_line(out, v, &note),
        Kept::Line(_) | Kept::Nothing => verbatim::splice(out, b"{}", &note),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::send::testing::{FullSink as Full, SharedSink as Shared};
    use std::sync::Arc;
    use std::time::Instant;

    fn raw(s: &str) -> Kept {
        Kept::Raw(s.as_bytes().into())
    }

    fn held(line: u64, kept: Kept) -> Held {
        Held {
            line,
            row: None,
            kept,
        }
    }

    #[test]
    fn the_resume_point_stops_before_anything_unsettled() {
        let l = Ledger::new(Some(Box::new(Shared::default())), 2, 0);
        l.read_through(10);
        assert_eq!(l.finish().0.resume_after, 10);
        let job = l.open_job(vec![held(4, raw("{}")), held(6, raw("{}"))]);
        l.batch_head(1, Some(8));
        assert_eq!(l.resume_point(), 3);
        l.fail_event(job, 0, &|line| Failure::new(line, Stage::Meta, "x".into()));
        assert_eq!(l.resume_point(), 5);
        l.accept_job(job);
        assert_eq!(l.resume_point(), 7);
        l.batch_head(1, None);
        let s = l.finish().0;
        assert_eq!((s.resume_after, s.accepted, s.failed), (10, 1, 1));
        // An emergency writes what is in flight, so the point can pass it.
        let job = l.open_job(vec![held(11, raw("{}"))]);
        l.read_through(12);
        assert_eq!(l.resume_point(), 10);
        let s = l.emergency();
        assert_eq!((s.resume_after, s.failed), (12, 2));
        l.accept_job(job);
        assert_eq!(l.finish().0.accepted, 1, "a late answer changes nothing");
    }

    #[test]
    fn closing_writes_what_was_in_flight_and_ignores_late_answers() {
        let out = Shared::default();
        let l = Ledger::new(Some(Box::new(out.clone())), 1, 0);
        let job = l.open_job(vec![Held {
            line: 1,
            row: Some(2),
            kept: raw("{\"n\":1e400}"),
        }]);
        l.posting(job);
        l.close("the run stopped");
        l.accept_job(job);
        let s = l.finish().0;
        assert_eq!((s.accepted, s.failed), (0, 1));
        let text = out.text();
        assert!(
            text.starts_with("{\"n\":1e400,\"_tagc\":{\"line\":1,"),
            "{text}"
        );
        assert!(text.contains("\"stage\":\"unconfirmed\""), "{text}");
        assert!(
            text.contains("\"row\":2"),
            "a CSV row keeps its number: {text}"
        );
    }

    #[test]
    fn an_unwritable_failed_file_halts_and_counts_what_it_lost() {
        let l = Ledger::new(Some(Box::new(Full)), 1, 0);
        l.read_through(3);
        let job = l.open_job(vec![held(2, raw("{}")), held(3, raw("{}"))]);
        l.fail_job(job, &|line| Failure::new(line, Stage::Meta, "x".into()));
        assert!(l.halted());
        let s = l.finish().0;
        assert_eq!((s.failed, s.unrecorded, s.resume_after), (2, 2, 1));
        // A record from earlier that cannot be recorded either moves the point back.
        l.fail(&raw("{}"), &Failure::new(1, Stage::NotSent, "x".into()));
        assert_eq!(l.finish().0.resume_after, 0);
        assert!(s.aborted.is_some_and(|a| a.contains("no space")));
    }

    #[test]
    fn lines_that_were_not_records_keep_their_bytes() {
        let out = Shared::default();
        let l = Ledger::new(Some(Box::new(out.clone())), 1, 0);
        l.fail(
            &Kept::Line(b"\xFFoops".to_vec()),
            &Failure::new(7, Stage::Input, "not UTF-8".into()),
        );
        let text = out.text();
        let v: Value = serde_json::from_str(&text).expect("json");
        assert_eq!(v["_tagc"]["raw_b64"], "/29vcHM=");
        assert!(v["_tagc"].get("raw").is_none());
    }

    #[test]
    fn waiting_ends_when_the_last_batch_settles() {
        let l = Arc::new(Ledger::new(None, 1, 0));
        let job = l.open_job(vec![held(1, Kept::Nothing)]);
        let l2 = Arc::clone(&l);
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            l2.accept_job(job);
        });
        let start = Instant::now();
        while !l.idle() {
            l.wait(Duration::from_secs(5));
        }
        assert!(start.elapsed() < Duration::from_secs(4));
        t.join().expect("joins");
    }
}
