//! Stopping a run from outside: the first SIGINT or SIGTERM asks it to stop gracefully,
//! a second one asks for what can be vouched for at once ([`Stop::emergency`]).
//!
//! The library never installs signal handlers or exits; the CLI turns signals into
//! [`Stop::request`] calls and decides what to print.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::Summary;
use super::ledger::Ledger;

/// The signal that stopped a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM (`timeout`, CI runners, Kubernetes).
    Terminate,
}

impl Signal {
    /// Its name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }

    /// The exit code a process stopped by it reports: 128 + the signal's number.
    #[must_use]
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }
}

/// What an emergency stop can vouch for.
#[derive(Debug, Clone)]
pub struct Emergency {
    /// The counts so far.
    pub summary: Summary,
}

#[derive(Debug, Default)]
struct State {
    signal: Option<(Signal, Instant)>,
}

/// A stop request shared between a run and whoever may stop it.
#[derive(Debug, Default)]
pub struct Stop {
    /// Set with the first request (read once per record, so no lock).
    asked: AtomicBool,
    state: Mutex<State>,
    changed: Condvar,
    ledger: Mutex<Option<Arc<Ledger>>>,
}

impl Stop {
    /// No stop requested.
    #[must_use]
    pub fn new() -> Stop {
        Stop::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Asks the run to stop: read no more, let requests in flight finish within the
    /// grace period, record the rest. Later requests keep the first signal.
    pub fn request(&self, signal: Signal) {
        let mut s = self.state();
        s.signal.get_or_insert((signal, Instant::now()));
        self.asked.store(true, Ordering::Release);
        self.changed.notify_all();
    }

    /// The signal that asked the run to stop, and when.
    #[must_use]
    pub fn requested(&self) -> Option<(Signal, Instant)> {
        self.state().signal
    }

    /// Whether a stop was asked for.
    #[must_use]
    pub fn is_requested(&self) -> bool {
        self.asked.load(Ordering::Acquire)
    }

    /// Sleeps for `d`, or less if a stop is asked for; `false` when it was.
    pub fn sleep(&self, d: Duration) -> bool {
        let deadline = Instant::now() + d;
        let mut s = self.state();
        while s.signal.is_none() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return true;
            }
            s = self
                .changed
                .wait_timeout(s, left)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
        false
    }

    pub(super) fn attach(&self, ledger: Option<Arc<Ledger>>) {
        *self
            .ledger
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = ledger;
    }

    /// For a second signal: makes what the failed file holds durable and returns the
    /// counts and the resume point that holds right now (every input line up to it is
    /// accepted or in the failed file). `None` when no run is going on.
    #[must_use]
    pub fn emergency(&self) -> Option<Emergency> {
        let ledger = self
            .ledger
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()?;
        Some(Emergency {
            summary: ledger.emergency(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_wakes_a_sleeper_and_keeps_the_first_signal() {
        let stop = Arc::new(Stop::new());
        let s = Arc::clone(&stop);
        let t = std::thread::spawn(move || s.sleep(Duration::from_secs(30)));
        std::thread::sleep(Duration::from_millis(20));
        stop.request(Signal::Terminate);
        stop.request(Signal::Interrupt);
        assert!(!t.join().expect("joins"), "woken by the stop");
        assert_eq!(stop.requested().map(|r| r.0), Some(Signal::Terminate));
        assert_eq!(Signal::Terminate.exit_code(), 143);
        assert_eq!(Signal::Interrupt.exit_code(), 130);
        assert!(Stop::new().sleep(Duration::from_millis(1)));
        assert!(stop.emergency().is_none(), "no run attached");
    }
}
