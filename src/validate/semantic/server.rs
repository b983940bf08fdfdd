//! Server events: action-source requirements, customer-data sufficiency, field sources,
//! the sample record, and deduplication with the browser event.

use serde_json::Value;

use super::events::{Occurrence, effective, occurrences};
use super::params::{self, Side};
use super::{Ctx, join};
use crate::diagnostic::{Code, Diagnostic, did_you_mean, truncate};
use crate::load::Seg;
use crate::meta;
use crate::model::{FieldSource, ServerEvent, Source};
use crate::record_path::RecordPath;
use crate::source::Span;

pub(super) fn check(ctx: &mut Ctx<'_>) {
    super::event_time::check(ctx);
    let files = ctx.files;
    for (f, vf) in files.iter().enumerate() {
        let Some(server) = &vf.config.server else {
            continue;
        };
        let default_country = server
            .defaults
            .as_ref()
            .and_then(|d| d.country.as_ref())
            .is_some();
        for (i, ev) in server.events.iter().enumerate() {
            let base = crate::path!["server", "events", i];
            check_event(ctx, f, &base, ev, default_country);
        }
    }
}

fn fields<'a>(ev: &'a ServerEvent) -> Vec<(Vec<Seg<'a>>, &'a FieldSource)> {
    let mut v: Vec<(Vec<Seg<'a>>, &FieldSource)> = Vec::new();
    for (k, src) in [
        ("event_id", &ev.event_id),
        ("event_time", &ev.event_time),
        ("event_source_url", &ev.event_source_url),
    ] {
        if let Some(s) = src {
            v.push((crate::path![k], s));
        }
    }
    for (k, s) in ev.user_data.entries() {
        v.push((crate::path!["user_data", k], s));
    }
    for (k, s) in &ev.custom_data {
        v.push((crate::path!["custom_data", k.as_str()], s));
    }
    v
}

fn check_event<'a>(
    ctx: &mut Ctx<'_>,
    f: usize,
    base: &[Seg<'a>],
    ev: &'a ServerEvent,
    default_country: bool,
) {
    let at = |rel: &[Seg<'a>]| join(base, rel.iter().cloned());
    // Event name: the same rules as browser events.
    let name_span = ctx.span(f, &at(&crate::path!["event"]));
    super::events::check_name(ctx, f, &at(&crate::path!["event"]), &ev.event, ev.custom);
    // Field sources: exactly one of path/value; constants where a person's data belongs.
    for (rel, src) in fields(ev) {
        let path = at(&rel);
        if let Some(spec) = src.spec()
            && spec.path.is_some() == spec.value.is_some()
        {
            ctx.push(
                Diagnostic::new(
                    Code::AmbiguousFieldSource,
                    ctx.span(f, &path),
                    if spec.path.is_some() {
                        "both `path` and `value` are set"
                    } else {
                        "neither `path` nor `value` is set"
                    },
                )
                .label("where does this field come from?")
                .help("give `path: record.field` to read the record, or `value: …` for a constant"),
            );
        }
        let key = rel
            .last()
            .and_then(|s| {
                if let Seg::Key(k) = s {
                    Some(k.as_ref())
                } else {
                    None
                }
            })
            .unwrap_or_default();
        let is_user = matches!(rel.first(), Some(Seg::Key(k)) if k == "user_data");
        if is_user
            && src.constant().is_some()
            && !matches!(key, "country" | "ct" | "st" | "zp" | "page_id")
        {
            ctx.push(
                Diagnostic::new(
                    Code::ConstantCustomerData,
                    ctx.span(f, &path),
                    format!("`user_data.{key}` is a constant"),
                )
                .label("every event would claim to be the same person")
                .help(format!(
                    "read it from the record, such as `{key}: {}`",
                    match key {
                        "em" => "customer.email",
                        "ph" => "customer.phone",
                        "fn" => "customer.first_name",
                        "ln" => "customer.last_name",
                        "db" => "customer.birth_date",
                        "external_id" => "customer.id",
                        "client_ip_address" => "request.ip",
                        "client_user_agent" => "request.user_agent",
                        "fbc" => "request.cookies._fbc",
                        "fbp" => "request.cookies._fbp",
                        _ => "customer.field",
                    }
                )),
            );
        }
        if key == "event_id" && src.constant().is_some() {
            ctx.push(
                Diagnostic::new(
                    Code::ConstantEventId,
                    ctx.span(f, &path),
                    "`event_id` is a constant",
                )
                .label("every event would share one id")
                .help("read a unique id per action from the record, such as `event_id: order.id`"),
            );
        }
        if src.spec().is_some_and(|s| s.hashed)
            && !(is_user && meta::HASHED_USER_DATA.contains(&key))
        {
            ctx.push(
                Diagnostic::new(Code::HashedNeverHashField, ctx.key_span(f, &join(&path, [Seg::from("hashed")])), format!("`{key}` is marked `hashed: true`, but Meta wants it unhashed"))
                    .label("never hashed")
                    .help(if is_user {
                        "remove `hashed: true`: Meta rejects hashed IP addresses, user agents, click ids (fbc) and browser ids (fbp)".to_owned()
                    } else {
                        "remove `hashed: true`: only customer-data keys under `user_data` are hashed".to_owned()
                    }),
            );
        }
        let is_custom = matches!(rel.first(), Some(Seg::Key(k)) if k == "custom_data");
        if is_custom {
            let declared = ev.custom_params.iter().any(|c| c == key);
            let key_span = ctx.key_span(f, &path);
            params::misspelled(ctx, Side::Server, &ev.event, key_span, key, declared);
            if let Some(ud) = meta::customer_data_key(key) {
                params::customer_data(
                    ctx,
                    Side::Server,
                    key_span,
                    format!("`custom_data.{key}` carries customer data"),
                    ud,
                );
            }
            if let Some(c) = src.constant() {
                params::constant(ctx, Side::Server, f, &path, key, c);
            }
        }
    }
    params::custom_params(ctx, f, base, &ev.custom_params);
    // Required and paired parameters, from Meta's table.
    let keys: Vec<&str> = ev.custom_data.keys().map(String::as_str).collect();
    let key_spans: Vec<(&str, Span)> = keys
        .iter()
        .map(|k| (*k, ctx.key_span(f, &at(&crate::path!["custom_data", *k]))))
        .collect();
    params::required(
        ctx,
        Side::Server,
        &ev.event,
        &keys,
        name_span,
        None,
        &|_, key| {
            key_spans
                .iter()
                .find(|(k, _)| *k == key)
                .map_or(name_span, |(_, s)| *s)
        },
    );
    if let Some(spec) = ev.custom_data.get("contents").and_then(FieldSource::spec)
        && !spec.each.is_empty()
    {
        for key in spec.each.keys() {
            let span = ctx.key_span(
                f,
                &at(&crate::path![
                    "custom_data",
                    "contents",
                    "each",
                    key.as_str()
                ]),
            );
            params::item_key(ctx, span, key);
        }
        let missing: Vec<&str> = ["id", "quantity"]
            .into_iter()
            .filter(|k| !spec.each.contains_key(*k))
            .collect();
        if !missing.is_empty() {
            let span = ctx.key_span(f, &at(&crate::path!["custom_data", "contents", "each"]));
            params::contents_item_missing(ctx, span, &missing, true);
        }
    }
    // What the action source requires.
    let as_span = ctx.span(f, &at(&crate::path!["action_source"]));
    let mut missing = Vec::new();
    for field in meta::action_source_requires(ev.action_source.as_str()) {
        let app = ev.app_data.as_ref();
        let present = match *field {
            "event_source_url" => ev.event_source_url.is_some(),
            "user_data.client_user_agent" => ev.user_data.client_user_agent.is_some(),
            "messaging_channel" => ev.messaging_channel.is_some(),
            "app_data.advertiser_tracking_enabled" => {
                app.is_some_and(|a| a.advertiser_tracking_enabled.is_some())
            }
            "app_data.application_tracking_enabled" => {
                app.is_some_and(|a| a.application_tracking_enabled.is_some())
            }
            "app_data.extinfo.ext_info_version" => {
                app.is_some_and(|a| a.extinfo.ext_info_version.is_some())
            }
            "app_data.extinfo.os_version" => app.is_some_and(|a| a.extinfo.os_version.is_some()),
            // A requirement the configuration language cannot express yet: Meta's to report.
            _ => true,
        };
        if !present {
            missing.push(*field);
        }
    }
    if !missing.is_empty() {
        let source = ev.action_source.as_str();
        ctx.push(
            Diagnostic::new(
                Code::ActionSourceRequirement,
                as_span,
                format!(
                    "{} `{source}` event needs {}",
                    if source.starts_with(['a', 'e', 'i', 'o', 'u']) {
                        "an"
                    } else {
                        "a"
                    },
                    params::listing(&missing)
                ),
            )
            .label(format!("required by `action_source: {source}`"))
            .help(format!(
                "map {}",
                missing
                    .iter()
                    .map(|m| match *m {
                        "event_source_url" => "`event_source_url: request.url`",
                        "user_data.client_user_agent" =>
                            "`client_user_agent: request.user_agent` under `user_data`",
                        "messaging_channel" =>
                            "`messaging_channel: whatsapp` (or `messenger`, `instagram`)",
                        "app_data.advertiser_tracking_enabled" =>
                            "`advertiser_tracking_enabled: device.att` under `app_data`",
                        "app_data.application_tracking_enabled" =>
                            "`application_tracking_enabled: device.tracking` under `app_data`",
                        "app_data.extinfo.ext_info_version" =>
                            "`ext_info_version: {value: i2}` under `app_data.extinfo`",
                        "app_data.extinfo.os_version" =>
                            "`os_version: device.os_version` under `app_data.extinfo`",
                        _ => "it from the record",
                    })
                    .collect::<Vec<_>>()
                    .join(" and ")
            )),
        );
    }
    // Customer data that can never identify anyone.
    let mut keys: Vec<&str> = ev.user_data.entries().into_iter().map(|(k, _)| k).collect();
    if default_country && !keys.contains(&"country") {
        keys.push("country");
    }
    if meta::is_insufficient(&keys) {
        let path = at(&crate::path!["user_data"]);
        let span = if ctx.has(f, &path) {
            ctx.key_span(f, &path)
        } else {
            as_span
        };
        let msg = if keys.is_empty() {
            "`user_data` is empty".to_owned()
        } else {
            format!(
                "`user_data` has only {}",
                keys.iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        ctx.push(
            Diagnostic::new(Code::InsufficientCustomerData, span, msg)
                .label("Meta rejects events with only these keys (error 2804050)")
                .help("add a strong match key: `em` (email), `ph` (phone), `external_id`, or `client_ip_address` with `client_user_agent`"),
        );
    }
    if ctx.complete {
        for (k, px) in ev.pixels.iter().enumerate() {
            if !ctx.index.pixels.contains_key(px.as_str()) {
                ctx.push(
                    Diagnostic::new(
                        Code::UnknownReference,
                        ctx.span(f, &at(&crate::path!["pixels", k])),
                        format!("no pixel named `{}`", truncate(px, 60)),
                    )
                    .label("not defined under `pixels:`")
                    .help("use the `name` of a pixel under `pixels:`"),
                );
            }
        }
        check_dedup(ctx, f, base, ev);
    }
    check_sample(ctx, f, base, ev);
}

/// The browser event this server event deduplicates with must share an event id and name.
fn check_dedup(ctx: &mut Ctx<'_>, f: usize, base: &[Seg<'_>], ev: &ServerEvent) {
    let Some(target) = ev.deduplicate_with.as_deref() else {
        return;
    };
    let dpath = join(base, [Seg::from("deduplicate_with")]);
    let dspan = ctx.span(f, &dpath);
    let button = ctx.index.buttons.get(target).map(|at| (at.file, at.path()));
    let found: Vec<Occurrence<'_>> = occurrences(ctx)
        .filter(|o| match &button {
            Some((bf, bp)) => o.file == *bf && &o.path == bp,
            None => o.def_name == Some(target),
        })
        .collect();
    let Some(occ) = found.first() else {
        let mut names: Vec<String> = ctx.index.events.keys().map(|s| (*s).to_owned()).collect();
        names.extend(ctx.index.buttons.keys().cloned());
        let sug = did_you_mean(target, names.iter().map(String::as_str));
        ctx.push(
            Diagnostic::new(
                Code::UnknownReference,
                dspan,
                format!(
                    "no browser event `{}` to deduplicate with",
                    truncate(target, 60)
                ),
            )
            .label("not an event definition or `PAGE/BUTTON`")
            .help(sug.map_or_else(
                || {
                    "name a definition under `events:`, or a button as `PAGE_ID/BUTTON_ID`"
                        .to_owned()
                },
                |s| format!("did you mean `{s}`?"),
            )),
        );
        return;
    };
    let Some(eff) = effective(ctx, occ) else {
        return;
    };
    let (nf, npath) = &eff.name_at;
    if eff.name != ev.event {
        ctx.push(
            Diagnostic::new(
                Code::DedupNameMismatch,
                ctx.span(f, &join(base, [Seg::from("event")])),
                format!(
                    "server event `{}` deduplicates with browser event `{}`",
                    ev.event, eff.name
                ),
            )
            .label("event names differ")
            .with_secondary(ctx.span(*nf, npath), "browser event name")
            .help(format!(
                "Meta deduplicates only events with the same name; use `{}` on both sides",
                eff.name
            )),
        );
    }
    match &eff.event_id {
        None => ctx.push(
            Diagnostic::new(Code::DedupWithoutEventId, ctx.span(*nf, npath), format!("browser event `{target}` has no `event_id`, but server event `{}` deduplicates with it", ev.id))
                .label("no `eventID` is sent")
                .with_secondary(dspan, "deduplicated here")
                .help("add `event_id: {source: {from: random}, share: {via: form_field, name: event_id}}` (or a source the server knows, such as the order id)"),
        ),
        Some((eid, ef, epath)) => {
            if matches!(eid.source, Source::Random) && eid.share.is_none() {
                ctx.push(
                    Diagnostic::new(Code::EventIdNotShared, ctx.span(*ef, epath), "a random event id that never reaches the server")
                        .label("the server cannot send the same `event_id`")
                        .with_secondary(dspan, "deduplicated here")
                        .help("add `share: {via: form_field, name: event_id}` (or `data_layer` / `cookie`) and read that field in the server event's `event_id`"),
                );
            }
        }
    }
    if ev.event_id.is_none() {
        ctx.push(
            Diagnostic::new(Code::DedupWithoutEventId, dspan, format!("server event `{}` deduplicates with `{target}` but maps no `event_id`", ev.id))
                .label("no `event_id` is sent")
                .help("add `event_id:` with the record field that carries the browser's event id, such as `event_id: form.event_id`"),
        );
    }
}

/// Every record path the mapping reads must exist in the sample record.
fn check_sample(ctx: &mut Ctx<'_>, f: usize, base: &[Seg<'_>], ev: &ServerEvent) {
    let Some(sample) = &ev.sample else { return };
    let sample = Value::Object(sample.clone());
    for (rel, src) in fields(ev) {
        let Some(p) = src.path() else { continue };
        let Some(found) = lookup(&sample, p) else {
            let path = join(base, rel.iter().cloned());
            // `send` reads `null` as missing (RecordPath); say so when that is the reason.
            let is_null = RecordPath::new(p)
                .get_raw(&sample)
                .is_some_and(Value::is_null);
            let (message, help) = if is_null {
                (
                    format!("the sample record's `{}` is null", truncate(p, 60)),
                    format!("give `{p}` a value in `sample:`; `tagc send` treats null as missing"),
                )
            } else {
                (
                    format!("the sample record has no `{}`", truncate(p, 60)),
                    format!(
                        "add `{p}` to `sample:` so the verification plan can send a complete event"
                    ),
                )
            };
            ctx.push(
                Diagnostic::new(Code::SampleMissingField, ctx.span(f, &path), message)
                    .label("read here")
                    .with_secondary(
                        ctx.key_span(f, &join(base, [Seg::from("sample")])),
                        "sample record",
                    )
                    .help(help),
            );
            continue;
        };
        if let Some(spec) = src.spec() {
            for (out_key, item_path) in &spec.each {
                let items = found.as_array().map(Vec::as_slice).unwrap_or_default();
                if items.iter().any(|it| lookup(it, item_path).is_none()) {
                    let path = join(
                        base,
                        rel.iter()
                            .cloned()
                            .chain([Seg::from("each"), Seg::from(out_key.as_str())]),
                    );
                    ctx.push(
                        Diagnostic::new(
                            Code::SampleMissingField,
                            ctx.span(f, &path),
                            format!("items of `{p}` in the sample record have no `{item_path}`"),
                        )
                        .label("read here")
                        .help(format!(
                            "add `{item_path}` to each item of `{p}` in `sample:`"
                        )),
                    );
                }
            }
        }
    }
}

/// Follows a dotted record path the way `tagc send` does ([`RecordPath`]): numeric
/// segments index lists, and `null` is absent.
#[must_use]
pub fn lookup<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    RecordPath::new(path).get(v)
}
