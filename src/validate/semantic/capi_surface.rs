//! Server events: the fields beyond the basics — what `action_source: app` and
//! `business_messaging` require, the constants of `opt_out`, `app_data` and per-record
//! Limited Data Use, and that their record paths exist in the sample record.

use serde_json::Value;

use super::{Ctx, join};
use crate::diagnostic::{Code, Diagnostic, truncate};
use crate::load::Seg;
use crate::meta;
use crate::model::{FieldSource, ServerEvent};

pub(super) fn check(ctx: &mut Ctx<'_>) {
    let files = ctx.files;
    for (f, vf) in files.iter().enumerate() {
        let Some(server) = &vf.config.server else {
            continue;
        };
        for (i, ev) in server.events.iter().enumerate() {
            let base = crate::path!["server", "events", i];
            check_event(ctx, f, &base, ev);
        }
    }
}

/// The field sources of the extra fields, with their paths relative to the event.
fn sources(ev: &ServerEvent) -> Vec<(Vec<Seg<'_>>, &FieldSource)> {
    let mut v = Vec::new();
    if let Some(s) = &ev.opt_out {
        v.push((crate::path!["opt_out"], s));
    }
    if let Some(s) = &ev.referrer_url {
        v.push((crate::path!["referrer_url"], s));
    }
    if let Some(app) = &ev.app_data {
        for (k, s) in [
            (
                "advertiser_tracking_enabled",
                &app.advertiser_tracking_enabled,
            ),
            (
                "application_tracking_enabled",
                &app.application_tracking_enabled,
            ),
        ] {
            if let Some(s) = s {
                v.push((crate::path!["app_data", k], s));
            }
        }
        for (slot, s) in app.extinfo.slots() {
            if let Some(s) = s {
                v.push((crate::path!["app_data", "extinfo", slot], s));
            }
        }
    }
    if let Some(d) = &ev.data_processing_options {
        for (k, s) in [("country", &d.country), ("state", &d.state)] {
            if let Some(s) = s {
                v.push((crate::path!["data_processing_options", k], s));
            }
        }
    }
    v
}

fn check_event<'a>(ctx: &mut Ctx<'_>, f: usize, base: &[Seg<'a>], ev: &'a ServerEvent) {
    let at = |rel: &[Seg<'a>]| join(base, rel.iter().cloned());
    // Constants that can be checked now.
    for (rel, src) in sources(ev) {
        let Some(c) = src.constant() else { continue };
        let path = at(&rel);
        let key = rel
            .iter()
            .map(|s| match s {
                Seg::Key(k) => k.to_string(),
                Seg::Index(i) => i.to_string(),
            })
            .collect::<Vec<_>>()
            .join(".");
        let problem = match key.as_str() {
            "opt_out"
            | "app_data.advertiser_tracking_enabled"
            | "app_data.application_tracking_enabled"
                if !c.is_boolean() =>
            {
                Some("must be `true` or `false`")
            }
            "app_data.extinfo.ext_info_version" if !matches!(c.as_str(), Some("a2" | "i2")) => {
                Some("must be `a2` (Android) or `i2` (iOS)")
            }
            "data_processing_options.country" if !matches!(c.as_i64(), Some(0 | 1)) => {
                Some("must be 1 (USA) or 0 (geolocate)")
            }
            "data_processing_options.state"
                if !c
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .is_some_and(meta::is_ldu_state) =>
            {
                Some("must be 0 (geolocate) or a state code from 1000 to 1013")
            }
            _ => None,
        };
        if let Some(problem) = problem {
            ctx.push(
                Diagnostic::new(
                    Code::ParameterType,
                    ctx.span(f, &path),
                    format!("`{key}` is `{}`", truncate(&c.to_string(), 30)),
                )
                .label(problem)
                .help(format!(
                    "write a value that {}",
                    problem.trim_start_matches("must ")
                )),
            );
        }
    }
    check_sample(ctx, f, base, ev);
}

/// Every record path the extra fields read must exist in the sample record.
fn check_sample(ctx: &mut Ctx<'_>, f: usize, base: &[Seg<'_>], ev: &ServerEvent) {
    let Some(sample) = &ev.sample else { return };
    let sample = Value::Object(sample.clone());
    let mut paths: Vec<(Vec<Seg<'_>>, &str)> = sources(ev)
        .into_iter()
        .filter_map(|(rel, s)| s.path().map(|p| (rel, p)))
        .collect();
    if let Some(d) = &ev.data_processing_options {
        paths.push((crate::path!["data_processing_options", "path"], &d.path));
    }
    for (rel, p) in paths {
        if super::server::lookup(&sample, p).is_some() {
            continue;
        }
        let path = join(base, rel.iter().cloned());
        ctx.push(
            Diagnostic::new(
                Code::SampleMissingField,
                ctx.span(f, &path),
                format!("the sample record has no `{}`", truncate(p, 60)),
            )
            .label("read here")
            .with_secondary(
                ctx.key_span(f, &join(base, [Seg::from("sample")])),
                "sample record",
            )
            .help(format!(
                "add `{p}` to `sample:` so the verification plan can send a complete event"
            )),
        );
    }
}
