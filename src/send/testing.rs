//! Test helpers shared by the send stages' unit tests.
#![cfg(test)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use super::FailedSink;
use crate::mapping::Mapper;

/// A failed-file sink whose bytes the test can read while the run holds it.
#[derive(Clone, Default)]
pub(super) struct SharedSink(pub Arc<Mutex<Vec<u8>>>);

impl SharedSink {
    /// What was written, as text.
    pub fn text(&self) -> String {
        let bytes = self.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }
}

impl Write for SharedSink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl FailedSink for SharedSink {}

/// A sink that is always full.
pub(super) struct FullSink;

impl Write for FullSink {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::other("no space left on device"))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl FailedSink for FullSink {}

/// A `Lead` by email with the record's `id` as its `event_id`.
pub(super) fn lead_mapper() -> Mapper {
    let m: crate::mapping::Mapping = serde_json::from_value(serde_json::json!({
        "$schema": "", "version": 1, "generator": "t", "env": "p", "graph_version": "v25.0",
        "defaults": {},
        "events": [{
            "id": "lead", "event_name": "Lead", "action_source": "email", "pixels": ["1"],
            "event_time": {"format": "send_time"},
            "event_id": {"path": "id"},
            "user_data": {"em": {"path": "em", "transform": "sha256", "rule": ""}},
            "custom_data": {}, "required": []
        }]
    }))
    .expect("mapping");
    m.compile("lead").expect("compiles")
}
