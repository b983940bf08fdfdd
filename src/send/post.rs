//! The post stage: sender threads take batches from a bounded queue, post them through
//! the one Graph client ([`Client::deliver`]) and settle each event in the ledger by the
//! one classification of Meta's answers ([`Verdict`]).

use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};

use super::client::{Client, Jitter, Retry, RetryPolicy, Token, Verdict, request_body};
use super::ledger::Ledger;
use super::stop::Stop;
use super::{Failure, Stage, WarningLine};
use crate::meta::capi::GraphError;

/// `f`'s failures with Meta's code, subcode and trace id.
fn with_error<'a>(f: impl Fn(u64) -> Failure + 'a, e: &GraphError) -> impl Fn(u64) -> Failure + 'a {
    let (code, subcode, trace) = (e.code, e.error_subcode, e.fbtrace_id.clone());
    move |line| Failure {
        code: Some(code),
        subcode,
        fbtrace_id: Some(trace.clone()),
        ..f(line)
    }
}

/// A batch for one pixel: each event's index in the ledger's job, its line and JSON.
pub(super) struct Job {
    pub id: u64,
    pub pixel: String,
    pub events: Vec<(usize, u64, String)>,
}

/// What every sender shares.
pub(super) struct Senders {
    pub client: Client,
    pub ledger: Arc<Ledger>,
    pub stop: Arc<Stop>,
    pub jobs: Mutex<Receiver<Job>>,
    pub token: Option<Token>,
    pub test_event_code: Option<String>,
    pub retry: RetryPolicy,
}

impl Senders {
    /// One sender thread's loop, until the queue is closed and empty.
    pub fn run(&self, worker: u64) {
        let mut jitter = Jitter::new(worker + 1);
        loop {
            let job = match self.jobs.lock() {
                Ok(rx) => rx.recv(),
                Err(_) => return,
            };
            let Ok(job) = job else { return };
            self.post(job, &mut jitter);
        }
    }

    fn post(&self, job: Job, jitter: &mut Jitter) {
        let Job {
            id,
            pixel,
            mut events,
        } = job;
        let ledger = &*self.ledger;
        let failure = |stage: Stage, reason: String| {
            let pixel = pixel.clone();
            move |line| Failure {
                pixel: Some(pixel.clone()),
                ..Failure::new(line, stage, reason.clone())
            }
        };
        let mut first = true;
        while !events.is_empty() {
            if let Some(why) = super::why_stopped(&self.stop, &self.ledger) {
                ledger.fail_job(id, &failure(Stage::NotSent, format!("not sent: {why}")));
                return;
            }
            let body = request_body(
                events.iter().map(|e| e.2.as_str()),
                self.test_event_code.as_deref(),
                self.token.as_ref(),
            );
            let n = events.len() as u64;
            ledger.posting(id);
            if first {
                // A batch sent again without one refused event is the same request.
                ledger.count(|s| {
                    s.requests += 1;
                    s.sent += n;
                });
                first = false;
            }
            let retry = Retry {
                policy: self.retry,
                deadline: None,
                stop: Some(&self.stop),
            };
            let verdict =
                self.client
                    .deliver(&pixel, body.as_bytes(), n, &retry, jitter, &mut || {
                        ledger.count(|s| s.retries += 1);
                    });
            drop(body);
            if ledger.closed() {
                // The run gave up waiting; these events are already in the failed file.
                return;
            }
            match verdict {
                Verdict::Accepted(r) => {
                    let lines = (
                        events.first().map_or(0, |e| e.1),
                        events.last().map_or(0, |e| e.1),
                    );
                    for m in r.messages {
                        ledger.meta_warning(WarningLine::meta(lines, &pixel, format!("Meta: {m}")));
                    }
                    ledger.accept_job(id);
                    return;
                }
                Verdict::Refused {
                    error,
                    event: Some(i),
                    ..
                } if events.len() > 1 => {
                    // One bad event fails the batch: set it aside and send the rest again.
                    let (index, _, _) = events.remove(i);
                    let reason = error
                        .error_user_msg
                        .clone()
                        .unwrap_or(error.message.clone());
                    let f = with_error(failure(Stage::Meta, reason), &error);
                    ledger.fail_event(id, index, &f);
                }
                Verdict::Refused { status, error, .. } => {
                    let f = with_error(
                        failure(Stage::Meta, format!("HTTP {status}, {}", error.describe())),
                        &error,
                    );
                    ledger.fail_job(id, &f);
                    return;
                }
                Verdict::Unconfirmed { response, sent } => {
                    let trace = response.fbtrace_id.clone();
                    let f = failure(
                        Stage::Unconfirmed,
                        format!(
                            "Meta confirmed only {} of {sent} events of the request",
                            response.events_received
                        ),
                    );
                    ledger.fail_job(id, &move |line| Failure {
                        fbtrace_id: Some(trace.clone()),
                        ..f(line)
                    });
                    return;
                }
                Verdict::Outage(why) => {
                    ledger.count(|s| s.unreachable = true);
                    ledger.fail_job(id, &failure(Stage::Network, why));
                    return;
                }
                Verdict::TokenRefused(error) => {
                    let why = format!(
                        "Meta refused the access token (code {}): check META_ACCESS_TOKEN or --token-file",
                        error.code
                    );
                    ledger.halt(why.clone());
                    ledger.fail_job(id, &with_error(failure(Stage::Meta, why), &error));
                    return;
                }
                Verdict::Denied(why) => {
                    ledger.halt(why.clone());
                    ledger.fail_job(id, &failure(Stage::Meta, why));
                    return;
                }
            }
        }
    }
}
