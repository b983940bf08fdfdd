//! Server events' `event_time`: the format (a name or a strftime pattern), the time zone
//! (the field's `timezone` or `server.defaults.timezone`), and whether the sample record's
//! time can be read with them — the same reader `tagc send` uses.

use serde_json::Value;

use super::{Ctx, join};
use crate::diagnostic::{Code, Diagnostic, did_you_mean, truncate};
use crate::event_time::{TimeFormatName, TimeReader, TimeSpecError};
use crate::load::Seg;
use crate::model::{ServerEvent, TimeFormat};

/// Checks every server event's `event_time` and `server.defaults.timezone`.
pub(super) fn check(ctx: &mut Ctx<'_>) {
    let files = ctx.files;
    // The defaults that apply: those of the first file that has any (as resolution does).
    let default_tz = files
        .iter()
        .filter_map(|vf| vf.config.server.as_ref())
        .find_map(|s| s.defaults.as_ref())
        .and_then(|d| d.timezone.as_deref());
    for (f, vf) in files.iter().enumerate() {
        let Some(server) = &vf.config.server else {
            continue;
        };
        if let Some(tz) = server.defaults.as_ref().and_then(|d| d.timezone.as_deref()) {
            let path = crate::path!["server", "defaults", "timezone"];
            check_zone(ctx, f, &path, tz);
        }
        for (i, ev) in server.events.iter().enumerate() {
            let base = crate::path!["server", "events", i, "event_time"];
            check_event(ctx, f, &base, ev, default_tz);
        }
    }
}

/// Reports an unknown time zone; whether it is known.
fn check_zone(ctx: &mut Ctx<'_>, f: usize, path: &[Seg<'_>], tz: &str) -> bool {
    let Err(TimeSpecError::UnknownTimeZone { suggestion, .. }) = crate::event_time::time_zone(tz)
    else {
        return true;
    };
    ctx.push(
        Diagnostic::new(
            Code::InvalidValue,
            ctx.span(f, path),
            format!("`{}` is not an IANA time zone", truncate(tz, 40)),
        )
        .label("unknown time zone")
        .help(match suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            None => "use a name of the IANA time zone database, such as `Europe/Madrid` or `America/New_York`".to_owned(),
        }),
    );
    false
}

fn check_event(
    ctx: &mut Ctx<'_>,
    f: usize,
    base: &[Seg<'_>],
    ev: &ServerEvent,
    default_tz: Option<&str>,
) {
    let Some(spec) = ev.event_time.as_ref().and_then(|s| s.spec()) else {
        // The short form (a path) reads Unix seconds or RFC 3339: nothing to configure.
        return check_sample(ctx, f, base, ev, None);
    };
    let at = |key: &'static str| join(base, [Seg::from(key)]);
    let own_tz_ok = match spec.timezone.as_deref() {
        Some(tz) => check_zone(ctx, f, &at("timezone"), tz),
        None => true,
    };
    let (format, pattern) = match &spec.format {
        None => (TimeFormatName::Auto, None),
        Some(TimeFormat::Unix) => (TimeFormatName::Unix, None),
        Some(TimeFormat::UnixMs) => (TimeFormatName::UnixMs, None),
        Some(TimeFormat::Rfc3339) => (TimeFormatName::Rfc3339, None),
        Some(TimeFormat::Strftime(p)) => (TimeFormatName::Strftime, Some(p.as_str())),
    };
    if let Some(p) = pattern
        && !p.contains('%')
    {
        let names = ["unix", "unix_ms", "rfc3339"];
        ctx.push(
            Diagnostic::new(
                Code::InvalidValue,
                ctx.span(f, &at("format")),
                format!("`{}` is not a time format", truncate(p, 40)),
            )
            .label("not a format name or a pattern")
            .help(match did_you_mean(p, names) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "use `unix`, `unix_ms`, `rfc3339`, or a strftime pattern such as `%Y-%m-%d %H:%M:%S`".to_owned(),
            }),
        );
        return;
    }
    if !own_tz_ok {
        return;
    }
    // The zone a pattern is read in: the field's own, else the defaults' (checked above).
    let tz = spec
        .timezone
        .as_deref()
        .or(default_tz.filter(|tz| crate::event_time::time_zone(tz).is_ok()));
    let reader = match TimeReader::new(format, pattern, tz) {
        Ok(r) => r,
        Err(TimeSpecError::Pattern { why, .. }) => {
            ctx.push(
                Diagnostic::new(
                    Code::InvalidFormat,
                    ctx.span(f, &at("format")),
                    format!(
                        "the pattern `{}` cannot read times",
                        truncate(pattern.unwrap_or_default(), 60)
                    ),
                )
                .label(truncate(&why, 120))
                .help("use strftime conversions for a whole date and the time of day, such as `%Y-%m-%d %H:%M:%S` or `%d/%m/%Y %H:%M`"),
            );
            return;
        }
        Err(TimeSpecError::NoTimeZone(p)) => {
            if default_tz.is_some() {
                // An unknown default zone was reported where it is written.
                return;
            }
            ctx.push(
                Diagnostic::new(
                    Code::MissingField,
                    ctx.span(f, &at("format")),
                    format!(
                        "the pattern `{}` has no offset, and no time zone is set",
                        truncate(&p, 60)
                    ),
                )
                .label("local times, but local to where?")
                .help("add `timezone: Europe/Madrid` (your zone) to `event_time` or under `server.defaults`, or read the offset with `%z`"),
            );
            return;
        }
        Err(TimeSpecError::UnknownTimeZone { .. } | TimeSpecError::NoPattern) => return,
    };
    check_sample(ctx, f, base, ev, Some(&reader));
}

/// The sample record's time must be readable with the event's format.
fn check_sample(
    ctx: &mut Ctx<'_>,
    f: usize,
    base: &[Seg<'_>],
    ev: &ServerEvent,
    reader: Option<&TimeReader>,
) {
    let (Some(sample), Some(src)) = (&ev.sample, &ev.event_time) else {
        return;
    };
    let Some(path) = src.path() else { return };
    // The value, and the configuration path of it under `sample:`.
    let mut segs: Vec<Seg<'_>> = base[..base.len().saturating_sub(1)].to_vec();
    segs.push(Seg::from("sample"));
    let sample = Value::Object(sample.clone());
    let mut cur = &sample;
    for part in path.split('.') {
        let (next, seg) = match cur {
            Value::Object(o) => (o.get(part), Seg::Key(part.to_owned().into())),
            Value::Array(a) => match part.parse::<usize>() {
                Ok(n) => (a.get(n), Seg::Index(n)),
                Err(_) => (None, Seg::Index(0)),
            },
            _ => (None, Seg::Index(0)),
        };
        let Some(next) = next else {
            return; // reported as a missing field
        };
        cur = next;
        segs.push(seg);
    }
    let v = cur;
    if v.is_null() || matches!(v, Value::String(s) if s.trim().is_empty()) {
        return;
    }
    let auto;
    let reader = match reader {
        Some(r) => r,
        None => match TimeReader::new(TimeFormatName::Auto, None, None) {
            Ok(r) => {
                auto = r;
                &auto
            }
            Err(_) => return,
        },
    };
    let Err(e) = reader.read(v, 0) else { return };
    let secondary = ctx.span(f, base);
    ctx.push(
        Diagnostic::new(
            Code::SampleUnreadableTime,
            ctx.span(f, &segs),
            format!(
                "the sample's `{}` cannot be read as the event time: {}",
                truncate(path, 60),
                truncate(&e.message, 120)
            ),
        )
        .label(match &e.detail {
            Some(why) => truncate(why, 120),
            None => "not a time in this format".to_owned(),
        })
        .with_secondary(secondary, "the event time's format")
        .help(
            "make the format match how the records write the time (or fix the sample), such as `format: \"%d/%m/%Y %H:%M\"` for 01/12/2026 10:00",
        ),
    );
}
