//! Browser events: names (standard, misspelled, custom), `use` references, parameters
//! (types, required ones, currency, customer data) and their dynamic sources.

use std::collections::{BTreeMap, BTreeSet};

use super::params::{self, Side};
use super::{Ctx, join};
use crate::diagnostic::{Code, Diagnostic, did_you_mean, truncate};
use crate::load::Seg;
use crate::meta::{self, StdParamType};
use crate::model::{EventDef, EventFields, EventId, Page, ParamType, ParamValue, Source};
use crate::source::Span;

/// One place an event fires from (or a definition), with its location.
pub(super) struct Occurrence<'a> {
    pub file: usize,
    pub path: Vec<Seg<'a>>,
    pub fields: EventFields<'a>,
    pub page: Option<&'a Page>,
    /// `Some(name)` for a definition under `events:`.
    pub def_name: Option<&'a str>,
}

/// An event after `use` is applied.
pub(super) struct Effective<'a> {
    /// The Meta event name, and where it is written.
    pub name: &'a str,
    pub name_at: (usize, Vec<Seg<'a>>),
    /// Parameters with where each is written.
    pub params: BTreeMap<&'a str, (&'a ParamValue, usize, Vec<Seg<'a>>)>,
    /// The event id, with where it is written.
    pub event_id: Option<(&'a EventId, usize, Vec<Seg<'a>>)>,
}

/// Every occurrence in the configuration, in file order. Made one at a time, never
/// collected: a site has one per button, each with its path.
pub(super) fn occurrences<'a>(ctx: &Ctx<'a>) -> impl Iterator<Item = Occurrence<'a>> + use<'a> {
    ctx.files.iter().enumerate().flat_map(|(f, vf)| {
        let defs = vf.config.events.iter().map(move |(name, def)| Occurrence {
            file: f,
            path: crate::path!["events", name.as_str()],
            fields: def.fields(),
            page: None,
            def_name: Some(name),
        });
        let pages = vf
            .config
            .pages
            .iter()
            .enumerate()
            .flat_map(move |(i, page)| {
                let on_load = page
                    .on_load
                    .iter()
                    .enumerate()
                    .map(move |(j, ev)| Occurrence {
                        file: f,
                        path: crate::path!["pages", i, "on_load", j],
                        fields: ev.fields(),
                        page: Some(page),
                        def_name: None,
                    });
                let buttons = page
                    .buttons
                    .iter()
                    .enumerate()
                    .map(move |(j, b)| Occurrence {
                        file: f,
                        path: crate::path!["pages", i, "buttons", j],
                        fields: b.fields(),
                        page: Some(page),
                        def_name: None,
                    });
                on_load.chain(buttons)
            });
        defs.chain(pages)
    })
}

/// Applies `use` to an occurrence. `None` when the reference is unknown or ambiguous.
pub(super) fn effective<'a>(ctx: &Ctx<'a>, occ: &Occurrence<'a>) -> Option<Effective<'a>> {
    let f = occ.file;
    let local = |key: &'a str| join(&occ.path, [Seg::from(key)]);
    let mut params = BTreeMap::new();
    let (name, name_at, mut event_id) = match (occ.fields.use_, occ.fields.event) {
        (None, Some(name)) => (name, (f, local("event")), None),
        (Some(u), None) => {
            let def: &super::At<'a, EventDef> = ctx.index.events.get(u)?;
            for (k, v) in &def.item.params {
                params.insert(
                    k.as_str(),
                    (
                        v,
                        def.file,
                        join(&def.path, [Seg::from("params"), Seg::from(k.as_str())]),
                    ),
                );
            }
            let eid = def
                .item
                .event_id
                .as_ref()
                .map(|e| (e, def.file, join(&def.path, [Seg::from("event_id")])));
            (
                def.item.event.as_str(),
                (def.file, join(&def.path, [Seg::from("event")])),
                eid,
            )
        }
        _ => return None,
    };
    for (k, v) in occ.fields.params {
        params.insert(
            k.as_str(),
            (
                v,
                f,
                join(&occ.path, [Seg::from("params"), Seg::from(k.as_str())]),
            ),
        );
    }
    if let Some(e) = occ.fields.event_id {
        event_id = Some((e, f, local("event_id")));
    }
    Some(Effective {
        name,
        name_at,
        params,
        event_id,
    })
}

pub(super) fn check(ctx: &mut Ctx<'_>) {
    let used: BTreeSet<&str> = occurrences(ctx).filter_map(|o| o.fields.use_).collect();
    // `None` when a pattern of the page does not parse (already reported; no follow-on errors).
    let mut url_params: std::collections::HashMap<*const Page, Option<BTreeSet<String>>> =
        std::collections::HashMap::new();
    for occ in occurrences(ctx) {
        let occ = &occ;
        let f = occ.file;
        // `use` xor `event`.
        match (occ.fields.use_, occ.fields.event, occ.def_name) {
            (Some(_), Some(_), _) => {
                ctx.push(
                    Diagnostic::new(Code::AmbiguousEvent, ctx.key_span(f, &join(&occ.path, [Seg::from("event")])), "both `use` and `event` are set")
                        .label("second event")
                        .with_secondary(ctx.key_span(f, &join(&occ.path, [Seg::from("use")])), "first event")
                        .help("keep `use: NAME` to fire a definition from `events:`, or `event:` for an inline event"),
                );
                continue;
            }
            (None, None, None) => {
                ctx.push(
                    Diagnostic::new(
                        Code::AmbiguousEvent,
                        ctx.span(f, &occ.path),
                        "no event is given",
                    )
                    .label("fires nothing")
                    .help(
                        "add `event: Lead` (inline) or `use: NAME` (a definition under `events:`)",
                    ),
                );
                continue;
            }
            (Some(u), None, _) if ctx.complete && !ctx.index.events.contains_key(u) => {
                let sug = did_you_mean(u, ctx.index.events.keys().copied());
                let mut d = Diagnostic::new(
                    Code::UnknownReference,
                    ctx.span(f, &join(&occ.path, [Seg::from("use")])),
                    format!("no event definition named `{}`", truncate(u, 60)),
                )
                .label("not defined under `events:`");
                d = d.help(match sug {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => {
                        "define it under `events:` or write the event inline with `event:`".into()
                    }
                });
                ctx.push(d);
                continue;
            }
            _ => {}
        }
        // Names and flags are checked where they are written: at inline events and definitions.
        if let Some(name) = occ.fields.event {
            check_name(
                ctx,
                f,
                &join(&occ.path, [Seg::from("event")]),
                name,
                occ.fields.custom,
            );
        }
        for (k, px) in occ.fields.pixels.iter().enumerate() {
            if ctx.complete && !ctx.index.pixels.contains_key(px.as_str()) {
                let sug = did_you_mean(px, ctx.index.pixels.keys().copied());
                ctx.push(
                    Diagnostic::new(
                        Code::UnknownReference,
                        ctx.span(f, &join(&occ.path, [Seg::from("pixels"), Seg::from(k)])),
                        format!("no pixel named `{}`", truncate(px, 60)),
                    )
                    .label("not defined under `pixels:`")
                    .help(sug.map_or_else(
                        || "use the `name` of a pixel under `pixels:`".to_owned(),
                        |s| format!("did you mean `{s}`?"),
                    )),
                );
            }
        }
        // Parameters as written here.
        let def = occ.fields.use_.and_then(|u| ctx.index.events.get(u));
        let def_custom: &[String] = def.map_or(&[], |d| d.item.custom_params.as_slice());
        let event_name: &str = occ
            .fields
            .event
            .or_else(|| def.map(|d| d.item.event.as_str()))
            .unwrap_or_default();
        for (k, v) in occ.fields.params {
            let path = join(&occ.path, [Seg::from("params"), Seg::from(k.as_str())]);
            check_param(ctx, f, &path, k, v);
            let declared = occ
                .fields
                .custom_params
                .iter()
                .chain(def_custom)
                .any(|c| c == k);
            let key_span = ctx.key_span(f, &path);
            params::misspelled(ctx, Side::Browser, event_name, key_span, k, declared);
        }
        params::custom_params(ctx, f, &occ.path, occ.fields.custom_params);
        if let Some(eid) = occ.fields.event_id
            && let Source::Attribute {
                closest: Some(sel), ..
            }
            | Source::Text {
                selector: Some(sel),
                ..
            } = &eid.source
        {
            let sel: &str = sel;
            let key = if matches!(eid.source, Source::Attribute { .. }) {
                "closest"
            } else {
                "selector"
            };
            super::pages::check_selector(
                ctx,
                f,
                &join(
                    &occ.path,
                    [Seg::from("event_id"), Seg::from("source"), Seg::from(key)],
                ),
                sel,
            );
        }
        // Whole-event rules on the effective event, at use sites (and unused definitions).
        if occ.def_name.is_some_and(|n| used.contains(n)) {
            continue;
        }
        if let Some(eff) = effective(ctx, occ) {
            let (nf, npath) = &eff.name_at;
            let (at, defined_at) = if occ.fields.use_.is_some() {
                (
                    ctx.span(occ.file, &join(&occ.path, [Seg::from("use")])),
                    Some(ctx.span(*nf, npath)),
                )
            } else {
                (ctx.span(*nf, npath), None)
            };
            let keys: Vec<&str> = eff.params.keys().copied().collect();
            params::required(
                ctx,
                Side::Browser,
                eff.name,
                &keys,
                at,
                defined_at,
                &|_, _| at,
            );
            if let Some(page) = occ.page {
                let names = url_params
                    .entry(std::ptr::from_ref(page))
                    .or_insert_with(|| {
                        let parsed: Result<Vec<_>, _> = page
                            .url
                            .0
                            .iter()
                            .map(|p| crate::urlpattern::UrlPattern::parse(p))
                            .collect();
                        parsed.ok().map(|ps| {
                            ps.iter()
                                .flat_map(|p| {
                                    p.params()
                                        .into_iter()
                                        .map(str::to_owned)
                                        .collect::<Vec<_>>()
                                })
                                .collect()
                        })
                    });
                if let Some(names) = names {
                    check_url_params(ctx, page, names, occ, &eff);
                }
                check_click_sources(ctx, occ, &eff);
            }
        }
    }
}

pub(super) fn check_name(
    ctx: &mut Ctx<'_>,
    f: usize,
    path: &[Seg<'_>],
    name: &str,
    custom: Option<bool>,
) {
    let files = ctx.files;
    let span = || files[f].tree.value_span(path);
    let standard = meta::is_standard_event(name);
    if standard && custom == Some(true) {
        ctx.push(
            Diagnostic::new(
                Code::StandardEventMarkedCustom,
                ctx.key_span(f, &with_last(path, "custom")),
                format!("`{name}` is a standard event but is marked `custom: true`"),
            )
            .label("as a custom event, Meta would not count it as the standard event")
            .with_secondary(span(), "standard event")
            .help("remove `custom: true`"),
        );
        return;
    }
    if standard {
        return;
    }
    if custom != Some(true) {
        if let Some(s) = did_you_mean(name, meta::standard_event_names()) {
            ctx.push(
                Diagnostic::new(Code::MisspelledStandardEvent, span(), format!("`{}` is not a standard event", truncate(name, 60)))
                    .label(format!("did you mean `{s}`?"))
                    .help(format!("write `{s}` (standard event names are case-sensitive); if you really mean a custom event, add `custom: true`")),
            );
            return;
        }
        ctx.push(
            Diagnostic::new(Code::UndeclaredCustomEvent, span(), format!("`{}` is not a standard event; it will be sent as a custom event", truncate(name, 60)))
                .label("custom event")
                .help("add `custom: true` to confirm, or use one of Meta's standard events (`tagc explain TAG2003` lists them)"),
        );
    }
    let len = name.chars().count();
    if len > meta::MAX_CUSTOM_EVENT_NAME {
        ctx.push(
            Diagnostic::new(
                Code::CustomEventNameTooLong,
                span(),
                format!(
                    "custom event name is {len} characters; Meta accepts at most {}",
                    meta::MAX_CUSTOM_EVENT_NAME
                ),
            )
            .label("too long")
            .help("shorten it to 50 characters or fewer, such as `SubmittedQuoteForm`"),
        );
    }
    if meta::looks_like_email(name) || meta::looks_like_phone(name) {
        ctx.push(
            Diagnostic::new(
                Code::PersonalDataLiteral,
                span(),
                "a custom event name that looks like personal data",
            )
            .label("email address or phone number")
            .help(
                "event names are visible to Meta and in reports; never put personal data in them",
            ),
        );
    }
}

fn with_last<'a>(path: &[Seg<'a>], last: &'a str) -> Vec<Seg<'a>> {
    let mut v = path.to_vec();
    v.pop();
    v.push(Seg::from(last));
    v
}

/// Rules on one parameter as written: key, literal value and source.
fn check_param(ctx: &mut Ctx<'_>, f: usize, path: &[Seg<'_>], key: &str, value: &ParamValue) {
    let files = ctx.files;
    let key_span = || files[f].tree.key_span(path);
    let span = || files[f].tree.value_span(path);
    if key == "__proto__" {
        // In the generated JavaScript this key would set the parameters' prototype
        // instead of being one: the other keys would go out wrong.
        ctx.push(
            Diagnostic::new(
                Code::InvalidValue,
                key_span(),
                "`__proto__` cannot be a parameter key",
            )
            .label("reserved in JavaScript")
            .help("give the parameter another name"),
        );
    }
    if key.contains(char::is_whitespace) {
        ctx.push(
            Diagnostic::new(
                Code::ParameterKeyHasSpace,
                key_span(),
                format!("parameter key `{}` contains spaces", truncate(key, 40)),
            )
            .label("spaces here")
            .help(format!(
                "Meta can only use keys without spaces in audiences: write `{}`",
                key.split_whitespace().collect::<Vec<_>>().join("_")
            )),
        );
    }
    let source_pii = match value {
        ParamValue::Source(s) => meta::customer_data_key(
            s.target()
                .rsplit(['.', '-', '_'])
                .next()
                .unwrap_or_default(),
        )
        .or_else(|| meta::customer_data_key(s.target())),
        ParamValue::Literal(_) => None,
    };
    if let Some(ud) = meta::customer_data_key(key).or(source_pii) {
        let (at, what) = match (meta::customer_data_key(key), value) {
            (None, ParamValue::Source(s)) => {
                let field = if matches!(s, Source::DataLayer { .. } | Source::Window { .. }) {
                    "path"
                } else {
                    "name"
                };
                let p = join(path, [Seg::from(field)]);
                (
                    if ctx.has(f, &p) {
                        ctx.span(f, &p)
                    } else {
                        span()
                    },
                    format!(
                        "parameter `{}` reads customer data (`{}`)",
                        truncate(key, 40),
                        truncate(s.target(), 40)
                    ),
                )
            }
            _ => (
                key_span(),
                format!("parameter `{}` carries customer data", truncate(key, 40)),
            ),
        };
        params::customer_data(ctx, Side::Browser, at, what, ud);
    }
    match value {
        ParamValue::Literal(v) => params::constant(ctx, Side::Browser, f, path, key, v),
        ParamValue::Source(src) => check_source(ctx, f, path, key, src, &span),
    }
}

fn check_source(
    ctx: &mut Ctx<'_>,
    f: usize,
    path: &[Seg<'_>],
    key: &str,
    src: &Source,
    span: &dyn Fn() -> Span,
) {
    if matches!(src, Source::Random) {
        ctx.push(
            Diagnostic::new(
                Code::InvalidValue,
                ctx.span(f, &join(path, [Seg::from("from")])),
                "`from: random` is only for `event_id`",
            )
            .label("a random parameter value")
            .help(
                "read the value from the page (`attribute`, `data_layer`, …) or write a constant",
            ),
        );
        return;
    }
    if let Some(expected) = meta::standard_param_type(key) {
        let ty = src.ty();
        let ok = match expected {
            StdParamType::Number => matches!(ty, ParamType::Number | ParamType::Integer),
            StdParamType::Integer => ty == ParamType::Integer,
            StdParamType::String => ty == ParamType::String,
            StdParamType::IdList => ty == ParamType::StringList,
            StdParamType::Contents => ty == ParamType::Contents,
        };
        if !ok {
            let written = ctx.has(f, &join(path, [Seg::from("type")]));
            let at = if written {
                ctx.span(f, &join(path, [Seg::from("type")]))
            } else {
                span()
            };
            let (found, help) = if written {
                (
                    format!("`type: {}`", ty.as_str()),
                    format!("change it to `type: {}`", expected.tagc_type()),
                )
            } else {
                (
                    format!("`type: {}` (the default)", ty.as_str()),
                    format!("add `type: {}` to this source", expected.tagc_type()),
                )
            };
            params::type_error(ctx, at, key, expected, &found, help);
        }
    }
    let selector = match src {
        Source::Attribute {
            closest: Some(s), ..
        } => Some(("closest", s)),
        Source::Text {
            selector: Some(s), ..
        } => Some(("selector", s)),
        _ => None,
    };
    if let Some((k, sel)) = selector {
        super::pages::check_selector(ctx, f, &join(path, [Seg::from(k)]), sel);
    }
}

/// Sources that read "the clicked element" need a click: not on page load.
fn check_click_sources(ctx: &mut Ctx<'_>, occ: &Occurrence<'_>, eff: &Effective<'_>) {
    if occ.path.get(2) != Some(&Seg::from("on_load")) {
        return;
    }
    for (key, (v, f, p)) in &eff.params {
        let clicked = match v {
            ParamValue::Source(Source::Attribute { closest: None, .. }) => {
                Some("an attribute of the clicked element")
            }
            ParamValue::Source(Source::Text { selector: None, .. }) => {
                Some("the clicked element's text")
            }
            ParamValue::Source(Source::Attribute {
                closest: Some(_), ..
            }) => Some("the clicked element's ancestors"),
            _ => None,
        };
        if let Some(what) = clicked {
            ctx.push(
                Diagnostic::new(Code::ClickSourceOnLoad, ctx.span(*f, &join(p, [Seg::from("from")])), format!("`{key}` reads {what}, but this event fires on page load"))
                    .label("nothing is clicked on page load")
                    .with_secondary(ctx.key_span(occ.file, &occ.path[..3]), "page-load events")
                    .help("on page load read from the page instead: `{from: data_layer, path: …}`, `{from: meta, name: …}` or `{from: text, selector: …}`"),
            );
        }
    }
}

/// `from: url_param` must name a `{param}` of the page's URL patterns.
fn check_url_params(
    ctx: &mut Ctx<'_>,
    page: &Page,
    names: &BTreeSet<String>,
    occ: &Occurrence<'_>,
    eff: &Effective<'_>,
) {
    let mut sources: Vec<(&Source, usize, Vec<Seg<'_>>)> = eff
        .params
        .values()
        .filter_map(|(v, f, p)| match v {
            ParamValue::Source(s) => Some((s, *f, p.clone())),
            ParamValue::Literal(_) => None,
        })
        .collect();
    if let Some((e, f, p)) = &eff.event_id {
        sources.push((&e.source, *f, join(p, [Seg::from("source")])));
    }
    for (src, f, p) in sources {
        if let Source::UrlParam { name, .. } = src
            && !names.contains(name)
        {
            let sug = did_you_mean(name, names.iter().map(String::as_str));
            ctx.push(
                    Diagnostic::new(Code::UnknownReference, ctx.span(f, &join(&p, [Seg::from("name")])), format!("page `{}` has no URL parameter `{{{}}}`", page.id, truncate(name, 40)))
                        .label("not in the page's URL patterns")
                        .with_secondary(ctx.span(occ.file, &occ.path[..2]), format!("page `{}`", page.id))
                        .help(sug.map_or_else(|| format!("add a `{{{name}}}` segment to the page's `url`, or read the value another way"), |s| format!("did you mean `{s}`?"))),
                );
        }
    }
}
