//! Browser checks in parallel: `jobs` workers, each with its own Chromium and one tab it
//! resets between checks (cookies and storage cleared), taking checks from a shared queue.
//! A worker whose check could not run opens a fresh tab for the next one; a worker whose
//! browser cannot start reports that for every check it takes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use crate::browser::{Browser, LaunchOptions, MetaMode};
use crate::verify::Outcome;
use crate::verify::check::{self, Ctx, Harness, Verdict};
use crate::verify::plan::BrowserCheck;

/// A browser check's verdict and its wall time in milliseconds.
pub(super) type Done = (usize, Verdict, u64);

/// How the workers run.
pub(super) struct Workers<'a> {
    /// How each starts its browser.
    pub launch: &'a LaunchOptions,
    /// What its tab does with requests to Meta.
    pub mode: MetaMode,
    /// How many.
    pub jobs: usize,
    /// The whole run's deadline: checks not started before it are reported as not run.
    pub deadline: Instant,
    /// The whole run's deadline in seconds, for that message.
    pub total_secs: u64,
}

/// Runs `checks` (plan index, check) on the workers; `done` receives each verdict as it
/// is known, on the calling thread.
pub(super) fn run(
    ctx: &Ctx<'_>,
    w: &Workers<'_>,
    checks: &[(usize, &BrowserCheck)],
    done: &mut dyn FnMut(Done),
) {
    if checks.is_empty() {
        return;
    }
    let next = AtomicUsize::new(0);
    let workers = w.jobs.clamp(1, checks.len());
    let live = AtomicUsize::new(workers);
    let take = || {
        let i = next.fetch_add(1, Ordering::Relaxed);
        checks.get(i).copied()
    };
    let (tx, rx) = mpsc::channel::<Done>();
    std::thread::scope(|s| {
        // `live` counts the workers that may still take checks; the one that brings it to
        // zero reports every check left. It starts at `workers` and is never overwritten,
        // so a worker that gives up before the others are spawned cannot be forgotten.
        let mut spawned = 0;
        for n in 0..workers {
            let (wtx, take, live) = (tx.clone(), &take, &live);
            let started = std::thread::Builder::new()
                .name(format!("tagc-verify-{n}"))
                .spawn_scoped(s, move || worker(ctx, w, take, &wtx, live))
                .is_ok();
            if started {
                spawned += 1;
            } else if live.fetch_sub(1, Ordering::SeqCst) == 1 && spawned > 0 {
                // Every spawned worker already gave up; this was the last count.
                while let Some((i, _)) = take() {
                    let v = Verdict::stopped(
                        Outcome::Error,
                        "not run: no verification worker could start".to_owned(),
                    );
                    let _ = tx.send((i, v, 0));
                }
            }
        }
        if spawned == 0 {
            // Not even one thread: run on this one.
            live.store(1, Ordering::SeqCst);
            worker(ctx, w, &take, &tx, &live);
        }
        drop(tx);
        for d in rx {
            done(d);
        }
    });
}

fn worker<'c>(
    ctx: &Ctx<'_>,
    w: &Workers<'_>,
    take: &dyn Fn() -> Option<(usize, &'c BrowserCheck)>,
    tx: &mpsc::Sender<Done>,
    live: &AtomicUsize,
) {
    let send = |i: usize, v: Verdict, t: Instant| {
        let ms = u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX);
        let _ = tx.send((i, v, ms));
    };
    // A worker whose browser fails leaves the queue to the others; the last one standing
    // reports why for every check left.
    let give_up = |why: &str| {
        if live.fetch_sub(1, Ordering::SeqCst) == 1 {
            while let Some((i, _)) = take() {
                send(
                    i,
                    Verdict::stopped(Outcome::Error, why.to_owned()),
                    Instant::now(),
                );
            }
        }
    };
    let launched = Browser::launch(w.launch).or_else(|_| Browser::launch(w.launch));
    let mut browser = match launched {
        Ok(b) => b,
        Err(e) => return give_up(&e.to_string()),
    };
    let mut harness = Harness::default();
    loop {
        let mut page = match browser.new_page_with(w.mode, ctx.site.is_some()) {
            Ok(p) => p,
            Err(e) => return give_up(&format!("cannot open a browser tab: {e}")),
        };
        page.set_timeout(ctx.timeout);
        loop {
            let Some((i, c)) = take() else { return };
            let t = Instant::now();
            if t > w.deadline {
                send(
                    i,
                    Verdict::stopped(
                        Outcome::Error,
                        format!(
                            "not run: the whole run's deadline ({} s) passed",
                            w.total_secs
                        ),
                    ),
                    t,
                );
                continue;
            }
            let v = check::run(&mut page, &mut harness, ctx, c);
            let fresh_tab = v.outcome == Outcome::Error;
            send(i, v, t);
            if fresh_tab {
                break;
            }
        }
    }
}
