//! The versioned JSON report.

use std::io::{self, Write};

use crate::diff::Report;
use crate::render::{Emitter, JsonEmitter};

impl Emitter<Report> for JsonEmitter {
    fn emit(&mut self, w: &mut dyn Write, report: &Report) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *w, report)?;
        w.write_all(b"\n")
    }
}
