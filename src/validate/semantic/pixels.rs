//! Pixels and site-wide settings: pixel ids, environments, Limited Data Use, settings that
//! may appear only once.

use std::collections::BTreeSet;

use super::Ctx;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::meta;
use crate::model::LimitedDataUse;
use crate::source::Span;

pub(super) fn check(ctx: &mut Ctx<'_>) {
    let files = ctx.files;
    let mut envs: BTreeSet<&str> = BTreeSet::new();
    let mut any_pixel = false;
    for vf in files {
        for px in &vf.config.pixels {
            any_pixel = true;
            envs.extend(px.ids.keys().map(String::as_str));
        }
    }
    for (f, vf) in files.iter().enumerate() {
        for (i, px) in vf.config.pixels.iter().enumerate() {
            if px.ids.is_empty() {
                ctx.push(
                    Diagnostic::new(
                        Code::InvalidPixelId,
                        ctx.span(f, &crate::path!["pixels", i, "ids"]),
                        format!("pixel `{}` has no ids", px.name),
                    )
                    .label("empty")
                    .help("add one id per environment, such as `production: \"123456789012345\"`"),
                );
            }
            for (env, id) in &px.ids {
                let span = ctx.span(f, &crate::path!["pixels", i, "ids", env.as_str()]);
                if !id.bytes().all(|b| b.is_ascii_digit()) || id.is_empty() {
                    ctx.push(
                        Diagnostic::new(Code::InvalidPixelId, span, format!("`{}` is not a pixel id", crate::diagnostic::truncate(id, 40)))
                            .label("not a digit string")
                            .help("copy the dataset id from Events Manager → Data sources; it is 15 or 16 digits, such as \"123456789012345\""),
                    );
                } else if !meta::is_pixel_id(id) {
                    let mut d = Diagnostic::new(
                        Code::InvalidPixelId,
                        span,
                        format!(
                            "pixel id `{id}` has {} digits; Meta's ids have 15 or 16",
                            id.len()
                        ),
                    )
                    .label("unusual length")
                    .help("check that the whole id was copied from Events Manager");
                    d.severity = Severity::Warning;
                    ctx.push(d);
                }
            }
            if ctx.complete && envs.len() > 1 {
                let missing: Vec<&str> = envs
                    .iter()
                    .copied()
                    .filter(|e| !px.ids.contains_key(*e))
                    .collect();
                if !missing.is_empty() {
                    ctx.push(
                        Diagnostic::new(Code::MissingEnvironment, ctx.key_span(f, &crate::path!["pixels", i, "ids"]), format!("pixel `{}` has no id for {}", px.name, missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")))
                            .label("environments listed here")
                            .help("a build with `--env` for that environment leaves this pixel out; add its id if that is not intended"),
                    );
                }
            }
        }
        if let Some(ldu) = vf.config.limited_data_use {
            check_ldu(ctx, f, ldu);
        }
    }
    if ctx.complete
        && !any_pixel
        && let Some(f) = files.iter().position(|v| v.is_root)
    {
        let file = files[f].file;
        ctx.push(
            Diagnostic::new(
                Code::NoPixels,
                Span::file_start(file),
                "the configuration defines no pixel",
            )
            .label("no `pixels:` here or in included files")
            .help("add `pixels: [{name: main, ids: {production: \"123456789012345\"}}]`"),
        );
    }
    // Site-wide settings may be set in one file only.
    if ctx.complete {
        for key in ["site", "graph", "consent", "limited_data_use"] {
            let mut first: Option<Span> = None;
            for (f, vf) in files.iter().enumerate() {
                let set = match key {
                    "site" => vf.config.site.is_some(),
                    "graph" => vf.config.graph.is_some(),
                    "consent" => vf.config.consent.is_some(),
                    _ => vf.config.limited_data_use.is_some(),
                };
                if !set {
                    continue;
                }
                let span = ctx.key_span(f, &crate::path![key]);
                match first {
                    None => first = Some(span),
                    Some(fs) => ctx.push(
                        Diagnostic::new(
                            Code::DuplicateId,
                            span,
                            format!("`{key}` is set in more than one file"),
                        )
                        .label("set again here")
                        .with_secondary(fs, "first set here")
                        .help("keep site-wide settings in the root file"),
                    ),
                }
            }
        }
    }
}

fn check_ldu(ctx: &mut Ctx<'_>, f: usize, ldu: LimitedDataUse) {
    if let LimitedDataUse::Explicit { country, state } = ldu {
        if country != 1 && country != 0 {
            ctx.push(
                Diagnostic::new(
                    Code::LimitedDataUse,
                    ctx.span(f, &crate::path!["limited_data_use", "country"]),
                    format!("Limited Data Use country `{country}` is not supported"),
                )
                .label("Meta accepts 1 (USA) or 0 (geolocate)")
                .help("use `country: 1`, or `mode: geolocate` to let Meta decide"),
            );
        }
        if !meta::is_ldu_state(state) {
            ctx.push(
                Diagnostic::new(Code::LimitedDataUse, ctx.span(f, &crate::path!["limited_data_use", "state"]), format!("Limited Data Use state `{state}` is not one of Meta's codes"))
                    .label("expected 0 or 1000–1013")
                    .help("use 1000 for California, 1001 Colorado, 1002 Connecticut, … 1013 Rhode Island, or 0 to geolocate"),
            );
        }
    }
}
