//! The map and check stages: a record becomes a CAPI event through the mapping, and
//! Meta's rules ([`crate::meta::capi`]) decide whether it may join a batch — one bad event
//! fails a whole request, so an event Meta would reject is set aside instead.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use super::{Failure, Stage, WarningLine};
use crate::mapping::{ApplyContext, Mapper};
use crate::meta::capi::{self, Level, RuleContext};
use crate::record_path::Record;

/// What became of a record.
pub(super) enum Prepared {
    /// The event's JSON, ready for a batch.
    Event(String),
    /// Why it cannot be sent.
    Invalid(Failure),
}

/// A record mapped and checked, with the warnings still to count and write.
pub(super) struct Mapped {
    /// The event's JSON, or why it cannot be sent.
    pub prepared: Prepared,
    /// The mapping's warnings, as counted (`field: message`).
    mapping: Vec<String>,
    /// The rules' warnings of an event that is sent: rule, message.
    rules: Vec<(&'static str, String)>,
    /// The warnings file's lines.
    lines: Vec<WarningLine>,
}

/// Maps and checks records, on any thread.
pub(super) struct Prepare<'a> {
    mapper: &'a Mapper,
    cx: ApplyContext,
    rules: RuleContext,
}

/// Warnings counted by message, and written, in input order: [`Tally::settle`].
#[derive(Default)]
pub(super) struct Tally {
    mapping_warnings: BTreeMap<String, u64>,
    rule_warnings: HashMap<&'static str, (u64, String)>,
}

impl<'a> Prepare<'a> {
    /// Stages for `mapper`, at Unix time `now` (the clock when `None`).
    pub fn new(mapper: &'a Mapper, now: Option<i64>) -> Prepare<'a> {
        let cx = match now {
            Some(now) => ApplyContext::at(now),
            None => ApplyContext::now(),
        };
        Prepare {
            mapper,
            rules: RuleContext { now: cx.now },
            cx,
        }
    }

    /// Maps and checks the record that starts on `line`, on any thread; its warnings
    /// are kept (as lines only when `lines` is set) for [`Tally::settle`], which must
    /// see the records in input order.
    pub fn map<R: Record + ?Sized>(
        &self,
        line: u64,
        row: Option<u64>,
        record: &R,
        lines: bool,
    ) -> Mapped {
        let applied = match self.mapper.apply(record, &self.cx) {
            Ok(a) => a,
            Err(e) => {
                return Mapped {
                    prepared: Prepared::Invalid(Failure {
                        row,
                        ..Failure::new(line, Stage::Mapping, e.to_string())
                    }),
                    mapping: Vec::new(),
                    rules: Vec::new(),
                    lines: Vec::new(),
                };
            }
        };
        let violations = capi::check_event(&applied.event, 0, &self.rules);
        let blocking = violations.iter().find(|v| v.level != Level::Warning);
        let mut out = Vec::new();
        if lines {
            let located = |stage, field: Option<String>, record_path, rule, message| WarningLine {
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
            let mapping = applied.warnings.iter().map(|w| {
                located(
                    "mapping",
                    Some(w.field.clone()),
                    w.record_path.clone(),
                    None,
                    w.message.clone(),
                )
            });
            // An event that fails has its failure instead (as counted).
            let rules = violations.iter().filter(|_| blocking.is_none()).map(|v| {
                let field = field_of(&v.path);
                let path = field.as_deref().and_then(|f| self.mapper.record_path(f));
                located("rules", field, path, Some(v.rule), v.message.clone())
            });
            out.extend(mapping.chain(rules));
        }
        let mapping = applied
            .warnings
            .iter()
            .map(|w| format!("{}: {}", w.field, w.message))
            .collect();
        if let Some(v) = blocking {
            return Mapped {
                prepared: Prepared::Invalid(Failure {
                    row,
                    code: Some(v.code),
                    subcode: v.subcode,
                    ..Failure::new(line, Stage::Rules, format!("{} ({})", v.message, v.rule))
                }),
                mapping,
                rules: Vec::new(),
                lines: out,
            };
        }
        let rules = violations
            .into_iter()
            .map(|v| (v.rule, v.message))
            .collect();
        let mut json = String::with_capacity(1024);
        capi::event::fast_json::event(&mut json, &applied.event);
        Mapped {
            prepared: Prepared::Event(json),
            mapping,
            rules,
            lines: out,
        }
    }

    /// [`Prepare::map`] then [`Tally::settle`], on this thread.
    ///
    /// # Errors
    /// When the warnings file cannot be written.
    #[cfg(test)]
    pub fn event(
        &self,
        tally: &mut Tally,
        line: u64,
        row: Option<u64>,
        record: &serde_json::Value,
        warnings: Option<&mut dyn Write>,
    ) -> std::io::Result<Prepared> {
        let mapped = self.map(line, row, record, warnings.is_some());
        tally.settle(mapped, warnings)
    }

    /// The record's top-level keys the mapping reads.
    pub fn top_keys(&self) -> Vec<&'a str> {
        self.mapper.top_keys()
    }
}

impl Tally {
    /// Counts a mapped record's warnings and writes its lines to `warnings`, in input
    /// order (this runs on the one thread that reads).
    ///
    /// # Errors
    /// When the warnings file cannot be written.
    pub fn settle(
        &mut self,
        mapped: Mapped,
        warnings: Option<&mut dyn Write>,
    ) -> std::io::Result<Prepared> {
        // Counted here and reported once at the end: one message per event to the
        // ledger would cost more than mapping the event.
        for key in mapped.mapping {
            *self.mapping_warnings.entry(key).or_default() += 1;
        }
        if let Some(out) = warnings {
            for w in &mapped.lines {
                write_warning(out, w)?;
            }
        }
        for (rule, message) in mapped.rules {
            self.rule_warnings
                .entry(rule)
                .or_insert_with(|| (0, format!("{message} ({rule})")))
                .0 += 1;
        }
        Ok(mapped.prepared)
    }

    /// Every warning by message, with its count.
    pub fn warnings(self) -> BTreeMap<String, u64> {
        let mut all = self.mapping_warnings;
        all.extend(self.rule_warnings.into_values().map(|(n, w)| (w, n)));
        all
    }
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

/// One line of the warnings file.
pub(super) fn write_warning(out: &mut dyn Write, w: &WarningLine) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, w)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::send::testing::lead_mapper as mapper;

    #[test]
    fn a_record_becomes_an_event_or_says_why_not() {
        let m = mapper();
        let p = Prepare::new(&m, Some(1_795_300_000));
        let mut tally = Tally::default();
        let mut out = Vec::new();
        let good = p
            .event(
                &mut tally,
                1,
                None,
                &serde_json::json!({"em": "a@b.co"}),
                Some(&mut out),
            )
            .expect("io");
        assert!(matches!(good, Prepared::Event(j) if j.contains("\"em\"")));
        let bad = p
            .event(
                &mut tally,
                2,
                Some(3),
                &serde_json::json!({"em": "nope"}),
                Some(&mut out),
            )
            .expect("io");
        match bad {
            Prepared::Invalid(f) => {
                assert_eq!(
                    (f.line, f.row, f.stage),
                    (2, Some(3), Stage::Mapping),
                    "{f:?}"
                );
                assert!(f.reason.contains("no customer information"), "{f:?}");
            }
            Prepared::Event(_) => panic!("an event without customer data"),
        }
        let text = String::from_utf8(out).expect("utf-8");
        assert!(!text.contains("nope"), "{text}");
    }

    #[test]
    fn rule_paths_name_the_capi_field() {
        assert_eq!(
            field_of("$['data'][0]['user_data']['em'][0]").as_deref(),
            Some("user_data.em")
        );
        assert_eq!(field_of("$['data'][0]"), None);
    }
}
