//! The comparison: two resolved models of one environment → classified changes.
//!
//! Items are matched by id (pages, buttons, server events, pixels by name), load events
//! by name and then by position (so `ViewContent` → `ViewItem` reads as a rename, not a
//! removal and an addition). Only what reaches Meta is compared: `verify:` settings,
//! sample records and compiled regular expressions are not.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{FieldSource, ParamMap, ParamValue, Source};
use crate::resolve::{
    ResolvedButton, ResolvedEvent, ResolvedLocator, ResolvedPage, ResolvedServerEvent, Site,
};
use crate::source::Span;
use crate::urlpattern::UrlPattern;

use super::Kind;

/// One change before it is located and merged across environments.
#[derive(Debug, Clone)]
pub(super) struct Raw {
    pub kind: Kind,
    pub subject: String,
    pub message: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// Where the item was, in the base (`None` for additions and site-wide changes).
    pub base: Option<Span>,
    /// Where the item is in the head, or its nearest surviving parent.
    pub head: Option<Span>,
    /// For a site-wide change: the key to look up on each side.
    pub key: Option<SiteKey>,
}

/// A site-wide setting, found in each side's files when the change is located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum SiteKey {
    /// A top-level key (`consent`, `limited_data_use`, `graph`, `site`, `server`).
    Top(&'static str),
    /// A pixel, by name.
    Pixel(String),
}

/// Collects changes for one environment.
pub(super) struct Compare<'a> {
    /// The base side's pixel ids by name (for naming pixels in messages).
    base_site: &'a Site,
    head_site: &'a Site,
    pub out: Vec<Raw>,
}

/// A value as one short line: strings bare, everything else as compact JSON.
pub(super) fn show<T: Serialize + ?Sized>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::from("?"),
    }
}

fn locator_text(l: &ResolvedLocator) -> String {
    match l {
        ResolvedLocator::Selector { selector } => format!("selector {selector}"),
        ResolvedLocator::Text { text, within: None } => format!("text \"{text}\""),
        ResolvedLocator::Text {
            text,
            within: Some(w),
        } => format!("text \"{text}\" within {w}"),
    }
}

fn event_text(e: &ResolvedEvent) -> String {
    if e.custom {
        format!("{} (custom)", e.event)
    } else {
        e.event.clone()
    }
}

/// An event id source in words: `data layer ecommerce.transaction_id, shared via cookie x`.
fn event_id_text(id: Option<&crate::model::EventId>) -> String {
    let Some(id) = id else {
        return "none".into();
    };
    let mut s = id.source.describe();
    if let Some(share) = &id.share {
        let via = match share {
            crate::model::IdShare::FormField { name } => format!("form field {name}"),
            crate::model::IdShare::DataLayer { key } => format!("data layer key {key}"),
            crate::model::IdShare::Cookie { name } => format!("cookie {name}"),
        };
        s.push_str(", shared via ");
        s.push_str(&via);
    }
    s
}

fn param_text(p: &ParamValue) -> String {
    match p {
        ParamValue::Literal(v) => show(v),
        ParamValue::Source(s) => format!("{} as {}", s.describe(), show(&s.ty())),
    }
}

/// A source without its type, to tell "read elsewhere" from "converted differently".
fn untyped(s: &Source) -> serde_json::Value {
    let mut v = serde_json::to_value(s).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("type");
    }
    v
}

/// A server field in one shape, whichever form it was written in.
fn field_json(f: &FieldSource) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(f).unwrap_or_default() {
        serde_json::Value::String(p) => {
            let mut m = serde_json::Map::new();
            m.insert("path".into(), serde_json::Value::String(p));
            m
        }
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

/// How a server field changed: its source, its constant, or only its format.
enum FieldChange {
    Source,
    Constant,
    Format,
}

fn field_change(b: &FieldSource, h: &FieldSource) -> Option<FieldChange> {
    let (bj, hj) = (field_json(b), field_json(h));
    if bj == hj {
        return None;
    }
    let (bv, hv) = (bj.get("value"), hj.get("value"));
    if bv.is_some() && hv.is_some() && bj.get("path") == hj.get("path") {
        return Some(FieldChange::Constant);
    }
    if bv.is_some() != hv.is_some()
        || bj.get("path") != hj.get("path")
        || bj.get("each") != hj.get("each")
    {
        return Some(FieldChange::Source);
    }
    Some(FieldChange::Format)
}

/// A server event's id field as it is read: short and long forms alike, and without
/// `copied_from` (a declaration of where the backend copied it from, not a change to
/// what is read).
fn id_field(e: &ResolvedServerEvent) -> Option<serde_json::Map<String, serde_json::Value>> {
    e.event_id.as_ref().map(|f| {
        let mut m = field_json(f);
        m.remove("copied_from");
        m
    })
}

fn field_text(f: &FieldSource) -> String {
    let m = field_json(f);
    if m.len() == 1
        && let Some(p) = m.get("path").and_then(|p| p.as_str())
    {
        return p.to_owned();
    }
    serde_json::Value::Object(m).to_string()
}

/// Pairs items by key, keeping base order, then head-only items in head order.
fn pair<'x, T>(
    base: &'x [T],
    head: &'x [T],
    key: impl Fn(&T) -> &str,
) -> Vec<(Option<&'x T>, Option<&'x T>)> {
    let hmap: BTreeMap<&str, &T> = head.iter().map(|h| (key(h), h)).collect();
    let bkeys: BTreeSet<&str> = base.iter().map(&key).collect();
    let mut out: Vec<_> = base
        .iter()
        .map(|b| (Some(b), hmap.get(key(b)).copied()))
        .collect();
    out.extend(
        head.iter()
            .filter(|h| !bkeys.contains(key(h)))
            .map(|h| (None, Some(h))),
    );
    out
}

impl<'a> Compare<'a> {
    /// A comparison of two resolutions of one environment.
    pub fn new(base_site: &'a Site, head_site: &'a Site) -> Self {
        Compare {
            base_site,
            head_site,
            out: Vec::new(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        kind: Kind,
        subject: String,
        message: String,
        before: Option<String>,
        after: Option<String>,
        base: Option<Span>,
        head: Option<Span>,
    ) {
        self.out.push(Raw {
            kind,
            subject,
            message,
            before,
            after,
            base,
            head,
            key: None,
        });
    }

    /// [`Compare::push`] for a site-wide change, located by `key` on each side.
    fn push_site(
        &mut self,
        kind: Kind,
        subject: &str,
        message: String,
        values: (String, String),
        key: SiteKey,
    ) {
        self.out.push(Raw {
            kind,
            subject: subject.to_owned(),
            message,
            before: Some(values.0),
            after: Some(values.1),
            base: None,
            head: None,
            key: Some(key),
        });
    }

    /// Compares everything: the site, its pages, its server events.
    pub fn run(mut self) -> Vec<Raw> {
        let (b, h) = (self.base_site, self.head_site);
        self.pixels(b, h);
        let consent = |on: bool| if on { "required" } else { "not required" }.to_owned();
        if b.consent_required != h.consent_required {
            self.push_site(
                Kind::ConsentChanged,
                "site/consent",
                "whether the pixel waits for consent changed".into(),
                (consent(b.consent_required), consent(h.consent_required)),
                SiteKey::Top("consent"),
            );
        }
        let ldu =
            |l: &Option<crate::model::LimitedDataUse>| l.as_ref().map_or("not set".into(), show);
        if b.limited_data_use != h.limited_data_use {
            self.push_site(
                Kind::LimitedDataUseChanged,
                "site/limited_data_use",
                "Limited Data Use changed".into(),
                (ldu(&b.limited_data_use), ldu(&h.limited_data_use)),
                SiteKey::Top("limited_data_use"),
            );
        }
        if b.name != h.name || b.url != h.url {
            self.push_site(
                Kind::SiteChanged,
                "site",
                "the site's name or URL changed".into(),
                (site_text(b), site_text(h)),
                SiteKey::Top("site"),
            );
        }
        if b.server.graph_version != h.server.graph_version {
            self.push_site(
                Kind::GraphVersionChanged,
                "site/graph_version",
                "the Graph API version changed".into(),
                (
                    b.server.graph_version.clone(),
                    h.server.graph_version.clone(),
                ),
                SiteKey::Top("graph"),
            );
        }
        if b.server.defaults != h.server.defaults {
            self.push_site(
                Kind::ServerDefaultsChanged,
                "site/server_defaults",
                "the server's normalization defaults changed".into(),
                (show(&b.server.defaults), show(&h.server.defaults)),
                SiteKey::Top("server"),
            );
        }
        for (bp, hp) in pair(&b.pages, &h.pages, |p| p.id.as_str()) {
            match (bp, hp) {
                (Some(bp), Some(hp)) => self.page(bp, hp),
                (Some(bp), None) => self.push(
                    Kind::PageRemoved,
                    format!("page/{}", bp.id),
                    format!("page `{}` removed", bp.id),
                    Some(patterns(bp)),
                    None,
                    Some(bp.origin),
                    None,
                ),
                (None, Some(hp)) => self.push(
                    Kind::PageAdded,
                    format!("page/{}", hp.id),
                    format!("page `{}` added", hp.id),
                    None,
                    Some(patterns(hp)),
                    None,
                    Some(hp.origin),
                ),
                (None, None) => {}
            }
        }
        for (bs, hs) in pair(&b.server.events, &h.server.events, |e| e.id.as_str()) {
            match (bs, hs) {
                (Some(bs), Some(hs)) => self.server_event(bs, hs),
                (Some(bs), None) => self.push(
                    Kind::ServerEventRemoved,
                    format!("server/{}", bs.id),
                    format!("server event `{}` ({}) removed", bs.id, bs.event),
                    Some(bs.event.clone()),
                    None,
                    Some(bs.origin),
                    None,
                ),
                (None, Some(hs)) => self.push(
                    Kind::ServerEventAdded,
                    format!("server/{}", hs.id),
                    format!("server event `{}` ({}) added", hs.id, hs.event),
                    None,
                    Some(hs.event.clone()),
                    None,
                    Some(hs.origin),
                ),
                (None, None) => {}
            }
        }
        self.out
    }

    /// Compares the pixels only (an environment that exists on one side).
    pub fn pixels_only(mut self) -> Vec<Raw> {
        let (b, h) = (self.base_site, self.head_site);
        self.pixels(b, h);
        self.out
    }

    fn pixels(&mut self, b: &Site, h: &Site) {
        for (bp, hp) in pair(&b.pixels, &h.pixels, |p| p.name.as_str()) {
            let none = || "none".to_owned();
            let (kind, name, verb) = match (bp, hp) {
                (Some(x), Some(y)) if x.id != y.id => {
                    (Kind::PixelIdChanged, &x.name, "has another dataset id")
                }
                (Some(x), None) => (Kind::PixelRemoved, &x.name, "is no longer active"),
                (None, Some(y)) => (Kind::PixelAdded, &y.name, "is now active"),
                _ => continue,
            };
            self.push_site(
                kind,
                &format!("pixel/{name}"),
                format!("pixel `{name}` {verb}"),
                (
                    bp.map_or_else(none, |p| p.id.clone()),
                    hp.map_or_else(none, |p| p.id.clone()),
                ),
                SiteKey::Pixel(name.clone()),
            );
        }
    }

    fn page(&mut self, b: &ResolvedPage, h: &ResolvedPage) {
        let subject = format!("page/{}", b.id);
        let parse = |p: &ResolvedPage| -> Vec<UrlPattern> {
            p.url
                .iter()
                .filter_map(|u| UrlPattern::parse(&u.pattern).ok())
                .collect()
        };
        let (bu, hu) = (parse(b), parse(h));
        let lost: Vec<&str> = bu
            .iter()
            .filter(|bp| !hu.iter().any(|hp| hp.covers(bp)))
            .map(UrlPattern::as_str)
            .collect();
        let gained: Vec<&str> = hu
            .iter()
            .filter(|hp| !bu.iter().any(|bp| bp.covers(hp)))
            .map(UrlPattern::as_str)
            .collect();
        if !lost.is_empty() {
            self.push(
                Kind::PageUrlNarrowed,
                format!("{subject}/url"),
                format!(
                    "page `{}` no longer matches every path it matched: {} is not covered",
                    b.id,
                    lost.join(", ")
                ),
                Some(patterns(b)),
                Some(patterns(h)),
                Some(b.origin),
                Some(h.origin),
            );
        }
        if !gained.is_empty() {
            self.push(
                Kind::PageUrlWidened,
                format!("{subject}/url"),
                format!(
                    "page `{}` matches paths it did not match: {}",
                    b.id,
                    gained.join(", ")
                ),
                Some(patterns(b)),
                Some(patterns(h)),
                Some(b.origin),
                Some(h.origin),
            );
        }
        self.load_events(b, h, &subject);
        for (bb, hb) in pair(&b.buttons, &h.buttons, |x| x.id.as_str()) {
            match (bb, hb) {
                (Some(bb), Some(hb)) => self.button(bb, hb, &subject),
                (Some(bb), None) => self.push(
                    Kind::ButtonRemoved,
                    format!("{subject}/button/{}", bb.id),
                    format!(
                        "button `{}` ({}) removed from page `{}`",
                        bb.id, bb.event.event, b.id
                    ),
                    Some(format!(
                        "{} on {}",
                        event_text(&bb.event),
                        locator_text(&bb.locator)
                    )),
                    None,
                    Some(bb.origin),
                    Some(h.origin),
                ),
                (None, Some(hb)) => self.push(
                    Kind::ButtonAdded,
                    format!("{subject}/button/{}", hb.id),
                    format!(
                        "button `{}` ({}) added to page `{}`",
                        hb.id, hb.event.event, h.id
                    ),
                    None,
                    Some(format!(
                        "{} on {}",
                        event_text(&hb.event),
                        locator_text(&hb.locator)
                    )),
                    None,
                    Some(hb.origin),
                ),
                (None, None) => {}
            }
        }
    }

    fn load_events(&mut self, b: &ResolvedPage, h: &ResolvedPage, subject: &str) {
        let span =
            |p: &ResolvedPage, i: usize| p.on_load_origins.get(i).copied().unwrap_or(p.origin);
        // Match by name (the n-th `ViewContent` with the n-th), then the rest by position.
        let mut pairs: Vec<(Option<usize>, Option<usize>)> = Vec::new();
        let mut used_h = vec![false; h.on_load.len()];
        let mut left_b = Vec::new();
        for (i, be) in b.on_load.iter().enumerate() {
            let found = h
                .on_load
                .iter()
                .enumerate()
                .find(|(j, he)| !used_h[*j] && he.event == be.event)
                .map(|(j, _)| j);
            match found {
                Some(j) => {
                    used_h[j] = true;
                    pairs.push((Some(i), Some(j)));
                }
                None => left_b.push(i),
            }
        }
        let mut left_h = (0..h.on_load.len()).filter(|j| !used_h[*j]);
        for i in left_b {
            pairs.push((Some(i), left_h.next()));
        }
        pairs.extend(left_h.map(|j| (None, Some(j))));
        for (bi, hi) in pairs {
            match (bi, hi) {
                (Some(i), Some(j)) => {
                    let s = format!("{subject}/on_load/{}", b.on_load[i].event);
                    let where_ = format!("page `{}`, on load", b.id);
                    self.event(
                        &b.on_load[i],
                        &h.on_load[j],
                        &s,
                        &where_,
                        span(b, i),
                        span(h, j),
                    );
                }
                (Some(i), None) => self.push(
                    Kind::LoadEventRemoved,
                    format!("{subject}/on_load/{}", b.on_load[i].event),
                    format!(
                        "{} is no longer sent when page `{}` loads",
                        b.on_load[i].event, b.id
                    ),
                    Some(event_text(&b.on_load[i])),
                    None,
                    Some(span(b, i)),
                    Some(h.origin),
                ),
                (None, Some(j)) => self.push(
                    Kind::LoadEventAdded,
                    format!("{subject}/on_load/{}", h.on_load[j].event),
                    format!("{} is sent when page `{}` loads", h.on_load[j].event, h.id),
                    None,
                    Some(event_text(&h.on_load[j])),
                    None,
                    Some(span(h, j)),
                ),
                (None, None) => {}
            }
        }
    }

    fn button(&mut self, b: &ResolvedButton, h: &ResolvedButton, page: &str) {
        let subject = format!("{page}/button/{}", b.id);
        if b.locator != h.locator {
            self.push(
                Kind::ButtonLocatorChanged,
                subject.clone(),
                format!("button `{}` is found another way", b.id),
                Some(locator_text(&b.locator)),
                Some(locator_text(&h.locator)),
                Some(b.origin),
                Some(h.origin),
            );
        }
        if b.on != h.on {
            self.push(
                Kind::ButtonTriggerChanged,
                subject.clone(),
                format!("button `{}` fires on another trigger", b.id),
                Some(show(&b.on)),
                Some(show(&h.on)),
                Some(b.origin),
                Some(h.origin),
            );
        }
        let where_ = format!("button `{}`", b.id);
        self.event(&b.event, &h.event, &subject, &where_, b.origin, h.origin);
    }

    /// Compares one browser event (a load event or a button's).
    fn event(
        &mut self,
        b: &ResolvedEvent,
        h: &ResolvedEvent,
        subject: &str,
        where_: &str,
        bs: Span,
        hs: Span,
    ) {
        if let Some(kind) = rename_kind(&b.event, b.custom, &h.event, h.custom) {
            self.push(
                kind,
                subject.to_owned(),
                format!("{where_}: the event changed"),
                Some(event_text(b)),
                Some(event_text(h)),
                Some(bs),
                Some(hs),
            );
        }
        let targets = |e: &ResolvedEvent, site: &Site| -> BTreeSet<String> {
            e.pixels.clone().map_or_else(
                || site.pixels.iter().map(|p| p.id.clone()).collect(),
                |v| v.into_iter().collect(),
            )
        };
        let (bt, ht) = (targets(b, self.base_site), targets(h, self.head_site));
        let head_all: BTreeSet<&String> = self.head_site.pixels.iter().map(|p| &p.id).collect();
        let base_all: BTreeSet<&String> = self.base_site.pixels.iter().map(|p| &p.id).collect();
        // A pixel gone from the site is reported once, as `pixel.removed`.
        let lost: Vec<&String> = bt
            .iter()
            .filter(|p| !ht.contains(*p) && head_all.contains(p))
            .collect();
        let won: Vec<&String> = ht
            .iter()
            .filter(|p| !bt.contains(*p) && base_all.contains(p))
            .collect();
        if !lost.is_empty() {
            self.push(
                Kind::EventPixelsNarrowed,
                subject.to_owned(),
                format!(
                    "{where_}: pixel {} no longer receives the event",
                    join(&lost)
                ),
                Some(join(&bt.iter().collect::<Vec<_>>())),
                Some(join(&ht.iter().collect::<Vec<_>>())),
                Some(bs),
                Some(hs),
            );
        }
        if !won.is_empty() {
            self.push(
                Kind::EventPixelsWidened,
                subject.to_owned(),
                format!("{where_}: pixel {} now receives the event", join(&won)),
                Some(join(&bt.iter().collect::<Vec<_>>())),
                Some(join(&ht.iter().collect::<Vec<_>>())),
                Some(bs),
                Some(hs),
            );
        }
        self.params(&b.params, &h.params, subject, where_, bs, hs);
        // The event id of a deduplicated event is judged with its server event.
        if b.deduplicated_by.is_empty() && h.deduplicated_by.is_empty() && b.event_id != h.event_id
        {
            self.push(
                Kind::EventIdChanged,
                format!("{subject}/event_id"),
                format!("{where_}: the event id comes from elsewhere"),
                Some(event_id_text(b.event_id.as_ref())),
                Some(event_id_text(h.event_id.as_ref())),
                Some(bs),
                Some(hs),
            );
        }
    }

    fn params(
        &mut self,
        b: &ParamMap,
        h: &ParamMap,
        subject: &str,
        where_: &str,
        bs: Span,
        hs: Span,
    ) {
        let names: BTreeSet<&String> = b.keys().chain(h.keys()).collect();
        for name in names {
            let s = format!("{subject}/param/{name}");
            let (kind, msg) = match (b.get(name), h.get(name)) {
                (Some(_), None) => (
                    Kind::ParamRemoved,
                    format!("{where_}: `{name}` is no longer sent"),
                ),
                (None, Some(_)) => (Kind::ParamAdded, format!("{where_}: `{name}` is sent")),
                (Some(x), Some(y)) if x == y => continue,
                (Some(ParamValue::Literal(_)), Some(ParamValue::Literal(_))) => (
                    Kind::ParamConstantChanged,
                    format!("{where_}: `{name}` has another constant value"),
                ),
                (Some(ParamValue::Source(x)), Some(ParamValue::Source(y)))
                    if untyped(x) == untyped(y) =>
                {
                    (
                        Kind::ParamTypeChanged,
                        format!("{where_}: `{name}` is converted to another type"),
                    )
                }
                _ => (
                    Kind::ParamSourceChanged,
                    format!("{where_}: `{name}` is read from elsewhere"),
                ),
            };
            self.push(
                kind,
                s,
                msg,
                b.get(name).map(param_text),
                h.get(name).map(param_text),
                Some(bs),
                Some(hs),
            );
        }
    }

    fn server_event(&mut self, b: &ResolvedServerEvent, h: &ResolvedServerEvent) {
        let subject = format!("server/{}", b.id);
        let (bs, hs) = (Some(b.origin), Some(h.origin));
        let where_ = format!("server event `{}`", b.id);
        // Server events have no `custom` flag: Meta's standard names are the standard ones.
        let custom = |n: &str| !crate::meta::events::is_standard_event(n);
        if let Some(kind) = rename_kind(&b.event, custom(&b.event), &h.event, custom(&h.event)) {
            self.push(
                kind,
                subject.clone(),
                format!("{where_}: the event name changed"),
                Some(b.event.clone()),
                Some(h.event.clone()),
                bs,
                hs,
            );
        }
        if b.action_source != h.action_source {
            self.push(
                Kind::ServerEventActionSourceChanged,
                subject.clone(),
                format!("{where_}: the action source changed"),
                Some(show(&b.action_source)),
                Some(show(&h.action_source)),
                bs,
                hs,
            );
        }
        let head_all: BTreeSet<&String> = self.head_site.pixels.iter().map(|p| &p.id).collect();
        let base_all: BTreeSet<&String> = self.base_site.pixels.iter().map(|p| &p.id).collect();
        let lost: Vec<&String> = b
            .pixels
            .iter()
            .filter(|p| !h.pixels.contains(p) && head_all.contains(p))
            .collect();
        let won: Vec<&String> = h
            .pixels
            .iter()
            .filter(|p| !b.pixels.contains(p) && base_all.contains(p))
            .collect();
        for (list, kind, verb) in [
            (&lost, Kind::ServerEventPixelsNarrowed, "no longer receives"),
            (&won, Kind::ServerEventPixelsWidened, "now receives"),
        ] {
            if !list.is_empty() {
                self.push(
                    kind,
                    subject.clone(),
                    format!("pixel {} {verb} server event `{}`", join(list), b.id),
                    Some(b.pixels.join(", ")),
                    Some(h.pixels.join(", ")),
                    bs,
                    hs,
                );
            }
        }
        self.dedup(b, h, &subject);
        // Fields read from the record, one by one.
        let fields = |e: &ResolvedServerEvent| -> BTreeMap<String, FieldSource> {
            let mut m = BTreeMap::new();
            for (name, f) in [
                ("event_time", &e.event_time),
                ("event_source_url", &e.event_source_url),
                ("opt_out", &e.opt_out),
                ("referrer_url", &e.referrer_url),
            ] {
                if let Some(f) = f {
                    m.insert(name.to_owned(), f.clone());
                }
            }
            m
        };
        self.fields(
            &fields(b),
            &fields(h),
            &format!("{subject}/field"),
            &where_,
            bs,
            hs,
            false,
        );
        self.fields(
            &b.custom_data,
            &h.custom_data,
            &format!("{subject}/custom_data"),
            &where_,
            bs,
            hs,
            false,
        );
        let user_data = |e: &ResolvedServerEvent| -> BTreeMap<String, FieldSource> {
            let v = serde_json::to_value(&e.user_data).unwrap_or_default();
            v.as_object()
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| Some((k.clone(), serde_json::from_value(v.clone()).ok()?)))
                .collect()
        };
        self.fields(
            &user_data(b),
            &user_data(h),
            &format!("{subject}/user_data"),
            &where_,
            bs,
            hs,
            true,
        );
        if b.data_processing_options != h.data_processing_options {
            self.push(
                Kind::LimitedDataUseChanged,
                format!("{subject}/data_processing_options"),
                format!("{where_}: Limited Data Use read from each record changed"),
                b.data_processing_options
                    .as_ref()
                    .map(show)
                    .or(Some("not set".into())),
                h.data_processing_options
                    .as_ref()
                    .map(show)
                    .or(Some("not set".into())),
                bs,
                hs,
            );
        }
        for (name, bv, hv) in [
            (
                "messaging_channel",
                show(&b.messaging_channel),
                show(&h.messaging_channel),
            ),
            ("app_data", show(&b.app_data), show(&h.app_data)),
        ] {
            if bv != hv {
                self.push(
                    Kind::ServerEventChanged,
                    format!("{subject}/{name}"),
                    format!("{where_}: `{name}` changed"),
                    Some(bv),
                    Some(hv),
                    bs,
                    hs,
                );
            }
        }
    }

    fn dedup(&mut self, b: &ResolvedServerEvent, h: &ResolvedServerEvent, subject: &str) {
        let (bs, hs) = (Some(b.origin), Some(h.origin));
        let s = format!("{subject}/dedup");
        let server_id =
            |e: &ResolvedServerEvent| e.event_id.as_ref().map_or("none".into(), field_text);
        match (&b.dedup, &h.dedup) {
            (Some(bd), None) => self.push(
                Kind::DedupRemoved,
                s,
                format!(
                    "server event `{}` no longer deduplicates with the browser's {}: Meta counts both",
                    b.id, bd.browser_event
                ),
                Some(bd.with.clone()),
                None,
                bs,
                hs,
            ),
            (None, Some(hd)) => self.push(
                Kind::DedupAdded,
                s,
                format!(
                    "server event `{}` deduplicates with the browser's {}",
                    h.id, hd.browser_event
                ),
                None,
                Some(hd.with.clone()),
                bs,
                hs,
            ),
            (Some(bd), Some(hd)) => {
                if bd.with != hd.with {
                    self.push(
                        Kind::DedupChanged,
                        s.clone(),
                        format!("server event `{}` deduplicates with another browser event", b.id),
                        Some(bd.with.clone()),
                        Some(hd.with.clone()),
                        bs,
                        hs,
                    );
                }
                let browser_changed = bd.browser_event_id != hd.browser_event_id;
                let server_changed = id_field(b) != id_field(h);
                let browser =
                    |d: &crate::resolve::DedupLink| event_id_text(d.browser_event_id.as_ref());
                if browser_changed != server_changed {
                    let side = if browser_changed {
                        "the browser's event id changed but the server still reads the same field"
                    } else {
                        "the server reads its event id elsewhere but the browser's is unchanged"
                    };
                    self.push(
                        Kind::DedupBroken,
                        s,
                        format!(
                            "deduplication of server event `{}` with `{}` breaks: {side}",
                            b.id, bd.with
                        ),
                        Some(format!("browser {} / server {}", browser(bd), server_id(b))),
                        Some(format!("browser {} / server {}", browser(hd), server_id(h))),
                        bs,
                        hs,
                    );
                } else if browser_changed {
                    self.push(
                        Kind::EventIdChanged,
                        format!("{subject}/event_id"),
                        format!(
                            "the event id of server event `{}` and of its browser event both changed",
                            b.id
                        ),
                        Some(format!("browser {} / server {}", browser(bd), server_id(b))),
                        Some(format!("browser {} / server {}", browser(hd), server_id(h))),
                        bs,
                        hs,
                    );
                }
            }
            (None, None) => {
                if id_field(b) != id_field(h) {
                    self.push(
                        Kind::EventIdChanged,
                        format!("{subject}/event_id"),
                        format!("the event id of server event `{}` is read elsewhere", b.id),
                        Some(server_id(b)),
                        Some(server_id(h)),
                        bs,
                        hs,
                    );
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn fields(
        &mut self,
        b: &BTreeMap<String, FieldSource>,
        h: &BTreeMap<String, FieldSource>,
        subject: &str,
        where_: &str,
        bs: Option<Span>,
        hs: Option<Span>,
        user_data: bool,
    ) {
        let names: BTreeSet<&String> = b.keys().chain(h.keys()).collect();
        for name in names {
            let (bf, hf) = (b.get(name), h.get(name));
            let (kind, msg) = match (bf, hf, user_data) {
                (Some(_), None, true) => (
                    Kind::UserDataRemoved,
                    format!("{where_}: `{name}` is no longer sent (match quality drops)"),
                ),
                (Some(_), None, false) => (
                    Kind::ParamRemoved,
                    format!("{where_}: `{name}` is no longer sent"),
                ),
                (None, Some(_), true) => {
                    (Kind::UserDataAdded, format!("{where_}: `{name}` is sent"))
                }
                (None, Some(_), false) => (Kind::ParamAdded, format!("{where_}: `{name}` is sent")),
                (Some(x), Some(y), _) => match (field_change(x, y), user_data) {
                    (None, _) => continue,
                    (Some(FieldChange::Source | FieldChange::Constant), true) => (
                        Kind::UserDataSourceChanged,
                        format!("{where_}: `{name}` is read from another field"),
                    ),
                    (Some(FieldChange::Format), true) => (
                        Kind::UserDataFormatChanged,
                        format!("{where_}: `{name}` is hashed or formatted differently"),
                    ),
                    (Some(FieldChange::Source), false) => (
                        Kind::ParamSourceChanged,
                        format!("{where_}: `{name}` is read from another field"),
                    ),
                    (Some(FieldChange::Constant), false) => (
                        Kind::ParamConstantChanged,
                        format!("{where_}: `{name}` has another constant value"),
                    ),
                    (Some(FieldChange::Format), false) => (
                        Kind::ParamFormatChanged,
                        format!("{where_}: `{name}` is formatted differently"),
                    ),
                },
                (None, None, _) => continue,
            };
            self.push(
                kind,
                format!("{subject}/{name}"),
                msg,
                bf.map(field_text),
                hf.map(field_text),
                bs,
                hs,
            );
        }
    }
}

/// `Tienda Ejemplo (https://shop.example.com)`, or what of it is set.
fn site_text(s: &Site) -> String {
    match (&s.name, &s.url) {
        (Some(n), Some(u)) => format!("{n} ({u})"),
        (Some(x), None) | (None, Some(x)) => x.clone(),
        (None, None) => "not set".to_owned(),
    }
}

fn join(ids: &[&String]) -> String {
    ids.iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn patterns(p: &ResolvedPage) -> String {
    p.url
        .iter()
        .map(|u| u.pattern.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// How an event name change is classified, or `None` when nothing changed.
fn rename_kind(b: &str, b_custom: bool, h: &str, h_custom: bool) -> Option<Kind> {
    if b == h && b_custom == h_custom {
        return None;
    }
    Some(match (b_custom, h_custom) {
        (false, true) => Kind::EventMadeCustom,
        (false, false) => Kind::EventChanged,
        (true, _) => Kind::EventRenamed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_are_classified_by_standard_and_custom() {
        assert_eq!(rename_kind("Lead", false, "Lead", false), None);
        assert_eq!(
            rename_kind("ViewContent", false, "ViewItem", true),
            Some(Kind::EventMadeCustom)
        );
        assert_eq!(
            rename_kind("Lead", false, "CompleteRegistration", false),
            Some(Kind::EventChanged)
        );
        assert_eq!(
            rename_kind("Foo", true, "Bar", true),
            Some(Kind::EventRenamed)
        );
        assert_eq!(
            rename_kind("Foo", true, "Lead", false),
            Some(Kind::EventRenamed)
        );
    }

    #[test]
    fn a_field_written_short_or_long_is_the_same_field() {
        let short: FieldSource = serde_json::from_value(serde_json::json!("order.id")).unwrap();
        let long: FieldSource =
            serde_json::from_value(serde_json::json!({"path": "order.id"})).unwrap();
        assert!(field_change(&short, &long).is_none());
        let hashed: FieldSource =
            serde_json::from_value(serde_json::json!({"path": "order.id", "hashed": true}))
                .unwrap();
        assert!(matches!(
            field_change(&short, &hashed),
            Some(FieldChange::Format)
        ));
        let other: FieldSource = serde_json::from_value(serde_json::json!("order.number")).unwrap();
        assert!(matches!(
            field_change(&short, &other),
            Some(FieldChange::Source)
        ));
    }
}
