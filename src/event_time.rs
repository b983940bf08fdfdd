//! Event times: RFC 3339 text, Unix seconds or milliseconds, and strftime-style patterns
//! read in an IANA time zone → Unix seconds.
//!
//! A pattern such as `%Y-%m-%d %H:%M:%S` reads the local times most exports write. A
//! pattern without its own offset (`%z`, `%:z`), zone (`%Q`) or Unix time (`%s`) needs a
//! time zone; local times are turned into instants with the zone's rules from the time
//! zone database bundled into tagc (the same answer on every machine):
//!
//! - a local time that does not exist because the clocks jumped forward (a DST gap, such as
//!   2026-03-29 02:30 in Europe/Madrid) is read with the offset in force before the jump,
//!   which lands after the gap (03:30 CEST, 01:30 UTC);
//! - a local time that happens twice because the clocks went back (a DST fold, such as
//!   2026-10-25 02:30 in Europe/Madrid) is the earlier of the two (02:30 CEST, 00:30 UTC).
//!
//! This is RFC 5545's and JavaScript Temporal's `compatible` choice. A time whose value
//! carries an offset or a zone is read with that one; the configured zone is not used.
//!
//! Below both users: the mapping ([`crate::mapping`], which re-exports these names) and
//! validation of `event_time` in the configuration.

use jiff::civil::DateTime;
use jiff::fmt::strtime;
use jiff::tz::TimeZone;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How a record writes a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeFormatName {
    /// Unix seconds (a number or digits), or RFC 3339 text.
    Auto,
    /// Unix time in seconds.
    Unix,
    /// Unix time in milliseconds.
    UnixMs,
    /// RFC 3339 / ISO 8601 with an offset (`2026-11-20T18:42:13+01:00`).
    Rfc3339,
    /// The strftime-style `pattern`, in `timezone` unless the value has its own offset.
    Strftime,
    /// No record field: the time the event is sent.
    SendTime,
}

/// Why an `event_time` format cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeSpecError {
    /// The strftime pattern cannot be used to read times.
    #[error("the pattern `{pattern}` cannot read times: {why}")]
    Pattern {
        /// The pattern.
        pattern: String,
        /// What is wrong with it.
        why: String,
    },
    /// The time zone is not in the time zone database.
    #[error("`{name}` is not an IANA time zone{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    UnknownTimeZone {
        /// The name given.
        name: String,
        /// The closest known name.
        suggestion: Option<String>,
    },
    /// A pattern without an offset or zone, and no time zone to read it in.
    #[error("the pattern `{0}` writes local times without an offset, and no `timezone` says where")]
    NoTimeZone(String),
    /// `format: strftime` without a pattern.
    #[error("`format: strftime` needs a `pattern`")]
    NoPattern,
}

/// Looks up an IANA time zone (`Europe/Madrid`) in the bundled database.
///
/// # Errors
/// When the name is unknown; the error suggests the closest known name.
pub fn time_zone(name: &str) -> Result<TimeZone, TimeSpecError> {
    let trimmed = name.trim();
    // Only names of the database: no POSIX TZ strings or file paths.
    let known = !trimmed.is_empty()
        && trimmed
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'+'));
    match known.then(|| TimeZone::get(trimmed)) {
        Some(Ok(tz)) => Ok(tz),
        _ => {
            let names: Vec<String> = jiff::tz::db().available().map(|n| n.to_string()).collect();
            let lower = trimmed.to_ascii_lowercase();
            let suggestion = names
                .iter()
                .find(|n| n.to_ascii_lowercase() == lower)
                .cloned()
                .or_else(|| {
                    crate::diagnostic::did_you_mean(trimmed, names.iter().map(String::as_str))
                        .map(str::to_owned)
                });
            Err(TimeSpecError::UnknownTimeZone {
                name: trimmed.to_owned(),
                suggestion,
            })
        }
    }
}

/// What parsing a pattern's own output tells about it.
struct PatternInfo {
    /// The values carry their own offset, zone or Unix time.
    zoned: bool,
}

/// The instant every pattern is tried on: distinct fields, afternoon (so `%I` without `%p`
/// shows), a fraction of a second, a non-zero offset.
fn reference() -> Option<jiff::ZonedDateTime> {
    DateTime::new(2026, 11, 20, 18, 42, 13, 250_000_000)
        .ok()?
        .in_tz("Europe/Madrid")
        .ok()
}

/// Checks that `pattern` can read back what it writes: a whole date, and a time of day
/// that is exact to the second, minute or hour, or absent (midnight).
fn check_pattern(pattern: &str) -> Result<PatternInfo, TimeSpecError> {
    let bad = |why: &str| TimeSpecError::Pattern {
        pattern: pattern.to_owned(),
        why: why.to_owned(),
    };
    if !pattern.contains('%') {
        return Err(bad("it has no `%` conversion such as `%Y`"));
    }
    let zdt = reference().ok_or_else(|| bad("internal error: no reference time"))?;
    let written = strtime::format(pattern, &zdt).map_err(|e| bad(&jiff_why(&e)))?;
    let tm = strtime::parse(pattern, &written).map_err(|e| bad(&jiff_why(&e)))?;
    let zoned = tm.timestamp().is_some() || tm.offset().is_some() || tm.iana_time_zone().is_some();
    let want = zdt.datetime();
    let got = if zoned {
        instant(&tm, None).map(|ts| ts.to_zoned_datetime(zdt.time_zone().clone()).datetime())
    } else {
        tm.to_datetime().ok()
    };
    let Some(got) = got else {
        return Err(bad("it does not give a whole date (year, month and day)"));
    };
    if got.date() != want.date() {
        return Err(bad("it does not give a whole date (year, month and day)"));
    }
    let t = |h, m, s| jiff::civil::Time::new(h, m, s, 0).unwrap_or(jiff::civil::Time::midnight());
    let time = got.time().with().subsec_nanosecond(0).build().ok();
    let accepted = [t(18, 42, 13), t(18, 42, 0), t(18, 0, 0), t(0, 0, 0)];
    if !time.is_some_and(|x| accepted.contains(&x)) {
        return Err(bad(
            "it does not read back the time of day it writes (is `%I` missing `%p`?)",
        ));
    }
    Ok(PatternInfo { zoned })
}

/// jiff's message, first line, without its generic prefix.
fn jiff_why(e: &jiff::Error) -> String {
    let s = e.to_string();
    let s = s.lines().next().unwrap_or_default();
    s.strip_prefix("strftime formatting failed: ")
        .or_else(|| s.strip_prefix("strptime parsing failed: "))
        .unwrap_or(s)
        .to_owned()
}

/// The instant of a parsed time: its Unix time, its offset, its zone, else `tz`.
fn instant(tm: &strtime::BrokenDownTime, tz: Option<&TimeZone>) -> Option<jiff::Timestamp> {
    if tm.timestamp().is_some() || tm.offset().is_some() {
        return tm.to_timestamp().ok();
    }
    let dt = tm.to_datetime().ok()?;
    let zone;
    let tz = match tm.iana_time_zone() {
        Some(name) => {
            zone = TimeZone::get(name).ok()?;
            &zone
        }
        None => tz?,
    };
    // Gap: the offset before the jump (later instant); fold: the earlier instant.
    tz.to_ambiguous_timestamp(dt).compatible().ok()
}

/// How to read `event_time` from a record: a compiled `format` (+ `pattern`, `timezone`).
#[derive(Debug, Clone)]
pub struct TimeReader {
    format: TimeFormatName,
    pattern: Option<String>,
    tz: Option<TimeZone>,
}

/// Why a record's time cannot be read (never the value itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeError {
    /// What is wrong and what the rule is.
    pub message: String,
    /// The parser's own explanation, which may quote the value: for configuration
    /// checks, never for records.
    pub detail: Option<String>,
}

impl TimeError {
    fn new(message: &str) -> TimeError {
        TimeError {
            message: message.to_owned(),
            detail: None,
        }
    }
}

impl TimeReader {
    /// Compiles a time format. `pattern` is used by [`TimeFormatName::Strftime`] only, and
    /// `timezone` only by a pattern whose values carry no offset or zone of their own.
    ///
    /// # Errors
    /// An unusable pattern, an unknown zone, or a zone-less pattern without a zone.
    pub fn new(
        format: TimeFormatName,
        pattern: Option<&str>,
        timezone: Option<&str>,
    ) -> Result<TimeReader, TimeSpecError> {
        let tz = timezone.map(time_zone).transpose()?;
        let pattern = match format {
            TimeFormatName::Strftime => {
                let p = pattern.ok_or(TimeSpecError::NoPattern)?;
                let info = check_pattern(p)?;
                if !info.zoned && tz.is_none() {
                    return Err(TimeSpecError::NoTimeZone(p.to_owned()));
                }
                Some(p.to_owned())
            }
            _ => None,
        };
        Ok(TimeReader {
            format,
            pattern,
            tz,
        })
    }

    /// Whether the time is the moment of sending (no record field is read).
    #[must_use]
    pub fn is_send_time(&self) -> bool {
        self.format == TimeFormatName::SendTime
    }

    /// Reads a record's time as Unix seconds (fractions dropped); `now` for `send_time`.
    ///
    /// # Errors
    /// When the value is not a time in this format.
    pub fn read(&self, v: &Value, now: i64) -> Result<i64, TimeError> {
        let as_int = |v: &Value| -> Option<i64> {
            match v {
                Value::Number(n) => n.as_i64().or_else(|| {
                    n.as_f64()
                        .filter(|f| f.is_finite())
                        .map(|f| f.floor() as i64)
                }),
                Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                    s.parse().ok()
                }
                _ => None,
            }
        };
        let seconds = |n: i64| -> Result<i64, TimeError> {
            if n >= 100_000_000_000 {
                Err(TimeError::new(
                    "looks like milliseconds; Meta wants seconds (set `format: unix_ms` in the configuration)",
                ))
            } else {
                Ok(n)
            }
        };
        match self.format {
            TimeFormatName::SendTime => Ok(now),
            TimeFormatName::Unix => as_int(v)
                .ok_or_else(|| TimeError::new("must be Unix seconds (a number)"))
                .and_then(seconds),
            TimeFormatName::UnixMs => as_int(v)
                .map(|ms| ms.div_euclid(1000))
                .ok_or_else(|| TimeError::new("must be Unix milliseconds (a number)")),
            TimeFormatName::Rfc3339 => match v {
                Value::String(s) => parse_rfc3339(s).map_err(TimeError::new),
                _ => Err(TimeError::new(
                    "must be RFC 3339 text such as 2026-11-20T18:42:13Z",
                )),
            },
            TimeFormatName::Auto => match (as_int(v), v) {
                (Some(n), _) => seconds(n),
                (None, Value::String(s)) => parse_rfc3339(s).map_err(TimeError::new),
                _ => Err(TimeError::new("must be Unix seconds or RFC 3339 text")),
            },
            TimeFormatName::Strftime => {
                let pattern = self.pattern.as_deref().unwrap_or_default();
                let text = match v {
                    Value::String(s) => s.trim().to_owned(),
                    Value::Number(n) => n.to_string(),
                    _ => {
                        return Err(TimeError::new(&format!(
                            "must be text in the pattern `{pattern}`"
                        )));
                    }
                };
                let tm = strtime::parse(pattern, &text).map_err(|e| TimeError {
                    message: format!("does not match the pattern `{pattern}`"),
                    detail: Some(jiff_why(&e)),
                })?;
                instant(&tm, self.tz.as_ref())
                    .map(jiff::Timestamp::as_second)
                    .ok_or_else(|| {
                        TimeError::new(&format!(
                            "is not a time that exists (read with the pattern `{pattern}`)"
                        ))
                    })
            }
        }
    }
}

/// Parses an RFC 3339 / ISO 8601 date-time with an offset (`2026-11-20T18:42:13+01:00`,
/// `2026-11-20T17:42:13.250Z`, `2026-11-20 17:42:13Z`) into Unix seconds (fractions are
/// dropped). A date-time without an offset is refused: its instant would depend on the
/// machine's time zone.
///
/// # Errors
/// A short description of what is wrong.
pub fn parse_rfc3339(s: &str) -> Result<i64, &'static str> {
    let b = s.trim().as_bytes();
    let num = |r: std::ops::Range<usize>| -> Result<i64, &'static str> {
        let part = b.get(r).ok_or("too short for a date-time")?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return Err("not a date-time like 2026-11-20T18:42:13Z");
        }
        Ok(part.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    };
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return Err("not a date-time like 2026-11-20T18:42:13Z");
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return Err("date and time must be separated by `T`");
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err("the date does not exist");
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err("the time of day is out of range");
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return Err("a fraction of a second needs digits after the dot");
        }
    }
    let offset = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
            let (h, m) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if h > 23 || m > 59 {
                return Err("the UTC offset is out of range");
            }
            let o = h * 3600 + m * 60;
            if *sign == b'-' { -o } else { o }
        }
        None => return Err("no UTC offset: add `Z` or `+01:00`"),
        _ => return Err("not a date-time like 2026-11-20T18:42:13Z"),
    };
    let days = days_from_civil(year, month, day);
    Ok(days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets_and_fractions() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_rfc3339("2026-01-01T00:00:00Z"), Ok(1_767_225_600));
        assert_eq!(
            parse_rfc3339("2026-11-20T18:42:13+01:00"),
            Ok(1_795_200_133 - 3600)
        );
        assert_eq!(
            parse_rfc3339("2026-11-20T17:42:13.250Z"),
            parse_rfc3339("2026-11-20T17:42:13Z")
        );
        assert_eq!(
            parse_rfc3339("2024-02-29 12:00:00-05:30"),
            Ok(1_709_227_800)
        );
        assert_eq!(
            parse_rfc3339("2026-11-20T18:42:13"),
            Err("no UTC offset: add `Z` or `+01:00`")
        );
    }

    fn reader(pattern: &str, tz: Option<&str>) -> TimeReader {
        TimeReader::new(TimeFormatName::Strftime, Some(pattern), tz).expect("a usable pattern")
    }

    fn read(r: &TimeReader, v: Value) -> Result<i64, String> {
        r.read(&v, 0).map_err(|e| e.message)
    }

    #[test]
    fn local_times_of_exports_are_read_in_their_time_zone() {
        let madrid = reader("%Y-%m-%d %H:%M:%S", Some("Europe/Madrid"));
        // Winter: UTC+1.
        assert_eq!(
            read(&madrid, "2026-12-01 10:00:00".into()),
            parse_rfc3339("2026-12-01T09:00:00Z").map_err(str::to_owned)
        );
        // Summer: UTC+2.
        assert_eq!(
            read(&madrid, " 2026-07-01 10:00:00 ".into()),
            parse_rfc3339("2026-07-01T08:00:00Z").map_err(str::to_owned)
        );
        let ny = reader("%m/%d/%Y %I:%M %p", Some("America/New_York"));
        assert_eq!(
            read(&ny, "12/01/2026 03:30 PM".into()),
            parse_rfc3339("2026-12-01T20:30:00Z").map_err(str::to_owned)
        );
        let compact = reader("%Y%m%d%H%M%S", Some("UTC"));
        assert_eq!(
            read(&compact, serde_json::json!(20_261_201_100_000_i64)),
            parse_rfc3339("2026-12-01T10:00:00Z").map_err(str::to_owned)
        );
        let date_only = reader("%d/%m/%Y", Some("Europe/Madrid"));
        assert_eq!(
            read(&date_only, "01/12/2026".into()),
            parse_rfc3339("2026-11-30T23:00:00Z").map_err(str::to_owned)
        );
    }

    #[test]
    fn dst_gaps_move_forward_and_folds_take_the_earlier_instant() {
        let madrid = reader("%Y-%m-%d %H:%M", Some("Europe/Madrid"));
        // 2026-03-29 02:30 does not exist in Madrid (02:00 CET → 03:00 CEST): read with
        // the offset before the jump, +01:00, it is 01:30 UTC (03:30 CEST).
        assert_eq!(
            read(&madrid, "2026-03-29 02:30".into()),
            parse_rfc3339("2026-03-29T01:30:00Z").map_err(str::to_owned)
        );
        // 2026-10-25 02:30 happens twice (03:00 CEST → 02:00 CET): the first, +02:00.
        assert_eq!(
            read(&madrid, "2026-10-25 02:30".into()),
            parse_rfc3339("2026-10-25T00:30:00Z").map_err(str::to_owned)
        );
        // Just outside them nothing moves.
        assert_eq!(
            read(&madrid, "2026-03-29 01:59".into()),
            parse_rfc3339("2026-03-29T00:59:00Z").map_err(str::to_owned)
        );
        assert_eq!(
            read(&madrid, "2026-10-25 03:00".into()),
            parse_rfc3339("2026-10-25T02:00:00Z").map_err(str::to_owned)
        );
    }

    #[test]
    fn a_value_with_its_own_offset_or_zone_keeps_it() {
        let with_offset = reader("%Y-%m-%d %H:%M:%S %z", Some("Asia/Tokyo"));
        assert_eq!(
            read(&with_offset, "2026-12-01 10:00:00 -0500".into()),
            parse_rfc3339("2026-12-01T15:00:00Z").map_err(str::to_owned)
        );
        // No time zone is needed when the pattern reads an offset, a zone or Unix time.
        for (pattern, value, want) in [
            (
                "%Y-%m-%dT%H:%M:%S%:z",
                "2026-12-01T10:00:00+01:00",
                "2026-12-01T09:00:00Z",
            ),
            (
                "%Y-%m-%d %H:%M %Q",
                "2026-07-01 10:00 Europe/Madrid",
                "2026-07-01T08:00:00Z",
            ),
            ("%s", "1795200000", "2026-11-20T18:40:00Z"),
        ] {
            let r = reader(pattern, None);
            assert_eq!(
                read(&r, value.into()),
                parse_rfc3339(want).map_err(str::to_owned),
                "{pattern}"
            );
        }
    }

    #[test]
    fn unusable_patterns_and_zones_are_refused() {
        let new =
            |p: &str, tz: Option<&str>| TimeReader::new(TimeFormatName::Strftime, Some(p), tz);
        for bad in [
            "rfc333",
            "%H:%M:%S",
            "%Y-%m",
            "%Y-%m-%d %I:%M",
            "%Y-%m-%d %Z",
            "%Y-%m-%d %E",
            "%c",
        ] {
            assert!(
                matches!(new(bad, Some("UTC")), Err(TimeSpecError::Pattern { .. })),
                "{bad}: {:?}",
                new(bad, Some("UTC"))
            );
        }
        assert_eq!(
            new("%Y-%m-%d %H:%M:%S", None).map(|_| ()),
            Err(TimeSpecError::NoTimeZone("%Y-%m-%d %H:%M:%S".into()))
        );
        match new("%F %T", Some("Europe/Madird")) {
            Err(TimeSpecError::UnknownTimeZone { suggestion, .. }) => {
                assert_eq!(suggestion.as_deref(), Some("Europe/Madrid"));
            }
            other => panic!("{other:?}"),
        }
        match new("%F %T", Some("europe/madrid")) {
            Err(TimeSpecError::UnknownTimeZone { suggestion, .. }) => {
                assert_eq!(suggestion.as_deref(), Some("Europe/Madrid"));
            }
            Ok(_) => {}
            other => panic!("{other:?}"),
        }
        for bad in [
            "",
            "CET-1CEST,M3.5.0,M10.5.0/3",
            "/etc/passwd",
            "Mars/Olympus",
        ] {
            assert!(
                matches!(time_zone(bad), Err(TimeSpecError::UnknownTimeZone { .. })),
                "{bad}"
            );
        }
        assert_eq!(
            TimeReader::new(TimeFormatName::Strftime, None, None).map(|_| ()),
            Err(TimeSpecError::NoPattern)
        );
    }

    #[test]
    fn values_that_do_not_match_are_errors_that_do_not_quote_them() {
        let madrid = reader("%Y-%m-%d %H:%M:%S", Some("Europe/Madrid"));
        for bad in [
            "2026-12-01",
            "01/12/2026 10:00:00",
            "2026-13-01 10:00:00",
            "soon",
        ] {
            let e = madrid.read(&bad.into(), 0).expect_err(bad);
            assert!(e.message.contains("does not match the pattern"), "{e:?}");
            assert!(!e.message.contains(bad), "{e:?}");
        }
        assert!(madrid.read(&serde_json::json!(true), 0).is_err());
    }

    #[test]
    fn refuses_what_is_not_an_instant() {
        for bad in [
            "",
            "2026-11-20",
            "2026-11-20T18:42:13",
            "2026-02-30T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-20T25:00:00Z",
            "2026-11-20T18:42:13+1:00",
            "2026-11-20T18:42:13Zjunk",
            "20261120T184213Z",
            "２０２６-11-20T18:42:13Z",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }
}
