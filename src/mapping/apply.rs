//! Applying a mapping: one backend record → one [`CapiEvent`].
//!
//! A [`Mapper`] is compiled once per event kind (paths split, rules looked up) and then
//! applied to every record. Missing optional data is left out; customer data that cannot
//! be normalized is dropped with a [`MappingWarning`] (the event is still worth sending);
//! anything Meta requires that the record lacks is a [`MappingError`] naming the CAPI
//! field, the record path and the rule. Neither ever contains the customer's data.

use serde_json::{Map, Number, Value};

use crate::meta::capi::{CapiEvent, CapiUserData};
use crate::normalize::{self, Field, NormalizeError};

mod surface;

use super::{CustomType, DataProcessing, Defaults, MappedEvent, Mapping, Source, Transform};
use crate::event_time::TimeReader;
use crate::record_path::{Record, RecordPath};

/// What applying needs to know about the moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplyContext {
    /// Now, as Unix seconds (the `event_time` of events without one).
    pub now: i64,
    /// The current year (the upper bound of a date of birth).
    pub current_year: i32,
}

impl ApplyContext {
    /// The context for this moment, from the system clock.
    #[must_use]
    pub fn now() -> ApplyContext {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        ApplyContext::at(now)
    }

    /// The context at a given Unix time (for reproducible runs and tests).
    #[must_use]
    pub fn at(now: i64) -> ApplyContext {
        // Civil year of `now` (UTC).
        let days = now.div_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        ApplyContext {
            now,
            current_year: i32::try_from(year).unwrap_or(i32::MAX),
        }
    }
}

/// A record the mapping cannot turn into a valid event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}{}: {message}", record_path.as_ref().map(|p| format!(" (record `{p}`)")).unwrap_or_default())]
pub struct MappingError {
    /// The CAPI field (`custom_data.value`, `user_data.client_user_agent`, `event_time`).
    pub field: String,
    /// The record path it is read from, when it has one.
    pub record_path: Option<String>,
    /// What is wrong and what the rule is.
    pub message: String,
}

/// Customer data dropped from an event, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MappingWarning {
    /// The CAPI field (`user_data.ph`).
    pub field: String,
    /// The record path it is read from.
    pub record_path: Option<String>,
    /// What was wrong (never the value itself).
    pub message: String,
}

/// A mapped event and what was dropped on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The event, ready for Meta's rules and the request body.
    pub event: CapiEvent,
    /// Customer data that was left out because it could not be normalized.
    pub warnings: Vec<MappingWarning>,
}

#[derive(Debug, Clone)]
enum Src {
    Path(RecordPath),
    Const(Value),
}

impl Src {
    fn new(s: &Source) -> Option<Src> {
        match (&s.path, &s.value) {
            (Some(p), _) => Some(Src::Path(RecordPath::new(p))),
            (None, Some(v)) => Some(Src::Const(v.clone())),
            (None, None) => None,
        }
    }

    fn get<'v, R: Record + ?Sized>(&'v self, record: &'v R) -> Option<&'v Value> {
        match self {
            Src::Path(p) => p.get(record),
            Src::Const(v) => (!v.is_null()).then_some(v),
        }
    }

    fn path(&self) -> Option<String> {
        match self {
            Src::Path(p) => Some(p.as_str().to_owned()),
            Src::Const(_) => None,
        }
    }
}

#[derive(Debug, Clone)]
enum UserKind {
    Hash(Field),
    PreHashed,
    /// `transform: none` on a key Meta wants hashed: sent as it is, and Meta's rules
    /// (2804016) decide.
    Unhashed,
    Id,
    NumericId,
}

#[derive(Debug, Clone)]
struct UserEntry {
    key: String,
    kind: UserKind,
    src: Src,
}

#[derive(Debug, Clone)]
struct CustomEntry {
    key: String,
    kind: CustomType,
    src: Src,
    each: Vec<(String, RecordPath)>,
}

/// A compiled mapping for one server event.
#[derive(Debug, Clone)]
pub struct Mapper {
    event_name: String,
    action_source: String,
    event_id: Option<Src>,
    event_id_required: bool,
    time_path: Option<RecordPath>,
    time: TimeReader,
    url: Option<Src>,
    url_required: bool,
    user_agent_required: bool,
    user: Vec<UserEntry>,
    country: Option<Src>,
    custom: Vec<CustomEntry>,
    /// The `custom_data` keys the mapping document lists as required (Meta's table).
    required_custom: Vec<String>,
    defaults: Defaults,
    dpo: Option<DataProcessing>,
    surface: surface::Surface,
}

impl Mapping {
    /// Compiles the mapping of the server event `id`.
    ///
    /// # Errors
    /// When no event has that id; the message lists the ids there are.
    pub fn compile(&self, id: &str) -> Result<Mapper, String> {
        let Some(e) = self.event(id) else {
            let ids: Vec<&str> = self.events.iter().map(|e| e.id.as_str()).collect();
            return Err(
                match crate::diagnostic::did_you_mean(id, ids.iter().copied()) {
                    Some(s) => {
                        format!("the mapping has no server event `{id}`; did you mean `{s}`?")
                    }
                    None if ids.is_empty() => "the mapping has no server events".to_owned(),
                    None => format!(
                        "the mapping has no server event `{id}`; it has: {}",
                        ids.join(", ")
                    ),
                },
            );
        };
        Mapper::new(e, &self.defaults, self.data_processing_options.as_ref())
    }
}

impl Mapper {
    /// Compiles one event's mapping.
    ///
    /// # Errors
    /// When its `event_time` format cannot be used (a pattern that cannot read times, an
    /// unknown time zone, a pattern without a zone and no `timezone`).
    pub fn new(
        e: &MappedEvent,
        defaults: &Defaults,
        dpo: Option<&DataProcessing>,
    ) -> Result<Mapper, String> {
        let time = TimeReader::new(
            e.event_time.format,
            e.event_time.pattern.as_deref(),
            e.event_time.timezone.as_deref(),
        )
        .map_err(|why| format!("server event `{}`: event_time: {why}", e.id))?;
        let required = |f: &str| e.required.iter().any(|r| r == f);
        let mut user = Vec::new();
        let mut country = None;
        for (key, f) in &e.user_data {
            let Some(src) = Src::new(&Source {
                path: f.path.clone(),
                value: f.value.clone(),
            }) else {
                continue;
            };
            let kind = match (f.transform, Field::from_key(key)) {
                (Transform::Hashed, _) => UserKind::PreHashed,
                (Transform::Sha256, Some(field)) => UserKind::Hash(field),
                (_, Some(_)) => UserKind::Unhashed,
                _ if matches!(key.as_str(), "fb_login_id" | "lead_id") => UserKind::NumericId,
                _ => UserKind::Id,
            };
            if key == "country" && matches!(kind, UserKind::Hash(_)) {
                country = Some(src);
                continue;
            }
            user.push(UserEntry {
                key: key.clone(),
                kind,
                src,
            });
        }
        let custom = e
            .custom_data
            .iter()
            .filter_map(|(key, f)| {
                Some(CustomEntry {
                    key: key.clone(),
                    kind: f.kind,
                    src: Src::new(&Source {
                        path: f.path.clone(),
                        value: f.value.clone(),
                    })?,
                    each: f
                        .each
                        .iter()
                        .map(|(k, p)| (k.clone(), RecordPath::new(p)))
                        .collect(),
                })
            })
            .collect();
        Ok(Mapper {
            event_name: e.event_name.clone(),
            action_source: e.action_source.clone(),
            event_id: e.event_id.as_ref().and_then(Src::new),
            event_id_required: required("event_id"),
            time_path: e.event_time.path.as_deref().map(RecordPath::new),
            time,
            url: e.event_source_url.as_ref().and_then(Src::new),
            url_required: required("event_source_url"),
            user_agent_required: required("user_data.client_user_agent"),
            user,
            country,
            custom,
            required_custom: e
                .required
                .iter()
                .filter_map(|r| r.strip_prefix("custom_data."))
                .map(str::to_owned)
                .collect(),
            defaults: defaults.clone(),
            dpo: dpo.cloned(),
            surface: surface::Surface::new(e),
        })
    }

    /// The CAPI event name.
    #[must_use]
    pub fn event_name(&self) -> &str {
        &self.event_name
    }

    /// The record path a CAPI field is read from (`user_data.em` → `customer.email`), for
    /// locating a rule's finding in the record; `None` for constants and unmapped fields.
    #[must_use]
    pub fn record_path(&self, field: &str) -> Option<String> {
        match field.split_once('.') {
            None => match field {
                "event_id" => self.event_id.as_ref().and_then(Src::path),
                "event_source_url" => self.url.as_ref().and_then(Src::path),
                "event_time" => self.time_path.as_ref().map(|p| p.as_str().to_owned()),
                _ => None,
            },
            Some(("user_data", "country")) => self.country.as_ref().and_then(Src::path),
            Some(("user_data", key)) => self
                .user
                .iter()
                .find(|u| u.key == key)
                .and_then(|u| u.src.path()),
            Some(("custom_data", key)) => {
                let key = key.split('.').next().unwrap_or(key);
                self.custom
                    .iter()
                    .find(|c| c.key == key)
                    .and_then(|c| c.src.path())
            }
            Some(_) => None,
        }
    }

    /// The record's top-level keys this mapping reads (the first segment of each record
    /// path), each once: a reader may keep only these fields of a record
    /// ([`crate::send::records::parse_ndjson_fields`]).
    #[must_use]
    pub fn top_keys(&self) -> Vec<&str> {
        let srcs = self
            .event_id
            .iter()
            .chain(&self.url)
            .chain(self.user.iter().map(|u| &u.src))
            .chain(&self.country)
            .chain(self.custom.iter().map(|c| &c.src))
            .chain(self.surface.srcs());
        let paths = srcs
            .filter_map(|s| match s {
                Src::Path(p) => Some(p),
                Src::Const(_) => None,
            })
            .chain(&self.time_path);
        let mut keys: Vec<&str> = Vec::new();
        for p in paths {
            if !keys.contains(&p.top_key()) {
                keys.push(p.top_key());
            }
        }
        keys
    }

    /// Builds the CAPI event of one record.
    ///
    /// # Errors
    /// When the record lacks something Meta requires, or a required value cannot be
    /// converted; the error names the CAPI field, the record path and the rule.
    pub fn apply<R: Record + ?Sized>(
        &self,
        record: &R,
        cx: &ApplyContext,
    ) -> Result<Applied, MappingError> {
        let mut warnings = Vec::new();
        let mut event = CapiEvent {
            event_name: self.event_name.clone(),
            event_time: self.event_time(record, cx)?,
            action_source: self.action_source.clone(),
            ..CapiEvent::default()
        };

        // event_id
        match self.event_id.as_ref().map(|s| (s, present(s.get(record)))) {
            // Read as the browser reads its eventID (`12.0` → "12", whitespace tidied), so
            // the two copies of a deduplicated event carry the same id.
            Some((src, Some(v))) => match crate::values::read_text(v).filter(|_| !v.is_boolean()) {
                Some(t) => event.event_id = Some(t),
                None => {
                    return Err(err(
                        "event_id",
                        src.path(),
                        "must be text or a whole number (the same value as the browser's eventID)",
                    ));
                }
            },
            Some((src, None)) if self.event_id_required => {
                return Err(err(
                    "event_id",
                    src.path(),
                    "missing: this event deduplicates with a browser event, so it needs the browser's eventID",
                ));
            }
            _ => {}
        }

        // event_source_url
        match self.url.as_ref().map(|s| (s, present(s.get(record)))) {
            Some((_, Some(Value::String(u)))) => {
                event.event_source_url = Some(u.trim().to_owned());
            }
            Some((src, Some(_))) => {
                return Err(err("event_source_url", src.path(), "must be a URL (text)"));
            }
            Some((src, None)) if self.url_required => {
                return Err(err(
                    "event_source_url",
                    src.path(),
                    "missing: website events need the URL of the page where they happened",
                ));
            }
            None if self.url_required => {
                return Err(err(
                    "event_source_url",
                    None,
                    "website events need the URL of the page where they happened; map `event_source_url`",
                ));
            }
            _ => {}
        }

        self.user_data(record, cx, &mut event.user_data, &mut warnings);
        if self.user_agent_required && event.user_data.client_user_agent.is_none() {
            return Err(err(
                "user_data.client_user_agent",
                self.user
                    .iter()
                    .find(|u| u.key == "client_user_agent")
                    .and_then(|u| u.src.path()),
                "missing: website events need the browser's User-Agent",
            ));
        }
        if !event.user_data.any_present() {
            return Err(err(
                "user_data",
                None,
                "no customer information: every mapped field was missing or invalid, and Meta rejects an event it cannot match",
            ));
        }

        let custom = self.custom_data(record, &mut warnings)?;
        if !custom.is_empty() {
            event.custom_data = Some(custom);
        }

        if let Some(d) = &self.dpo {
            event.data_processing_options = Some(d.options.clone());
            event.data_processing_options_country = d.country;
            event.data_processing_options_state = d.state;
        }
        self.surface.apply(record, &mut event, &mut warnings)?;
        Ok(Applied { event, warnings })
    }

    fn event_time<R: Record + ?Sized>(
        &self,
        record: &R,
        cx: &ApplyContext,
    ) -> Result<i64, MappingError> {
        let Some(path) = self
            .time_path
            .as_ref()
            .filter(|_| !self.time.is_send_time())
        else {
            return Ok(cx.now);
        };
        let at = || Some(path.as_str().to_owned());
        let Some(v) = present(path.get(record)) else {
            return Err(err(
                "event_time",
                at(),
                "missing: the time the event happened is required",
            ));
        };
        self.time
            .read(v, cx.now)
            .map_err(|e| err("event_time", at(), &e.message))
    }

    fn user_data<R: Record + ?Sized>(
        &self,
        record: &R,
        cx: &ApplyContext,
        out: &mut CapiUserData,
        warnings: &mut Vec<MappingWarning>,
    ) {
        // Country first: phone and zip rules depend on it.
        let mut country: Option<String> = None;
        if let Some(src) = &self.country {
            let ncx = normalize::Context {
                phone_country_code: None,
                country: None,
                current_year: cx.current_year,
            };
            if let Some(v) = src.get(record) {
                for text in texts(v) {
                    match normalize::normalize_and_hash(Field::Country, &text, &ncx) {
                        Ok(n) => {
                            if country.is_none() && !n.was_hashed {
                                country = Some(n.normalized.clone());
                            }
                            push_unique(&mut out.country, n.sha256);
                        }
                        Err(e) => warn_normalize(warnings, "country", src.path(), &e),
                    }
                }
            }
        }
        // A national phone number gets the calling code of the record's own country;
        // `defaults.phone_country_code` (then `defaults.country`) only when the record
        // carries no readable country.
        let record_code = country.as_deref().and_then(normalize::calling_code);
        if out.country.is_empty()
            && let Some(c) = &self.defaults.country
        {
            out.country.push(normalize::sha256_hex(c.as_bytes()));
            country = Some(c.clone());
        }
        let ncx = normalize::Context {
            phone_country_code: record_code.or(self.defaults.phone_country_code.as_deref()),
            country: country.as_deref(),
            current_year: cx.current_year,
        };
        for u in &self.user {
            let Some(v) = u.src.get(record) else { continue };
            match &u.kind {
                UserKind::Hash(field) => {
                    let Some(list) = out.hashed_mut(&u.key) else {
                        continue;
                    };
                    for text in texts(v) {
                        match normalize::normalize_and_hash(*field, &text, &ncx) {
                            Ok(n) => push_unique(list, n.sha256),
                            Err(e) => warn_normalize(warnings, &u.key, u.src.path(), &e),
                        }
                    }
                }
                UserKind::PreHashed => {
                    let Some(list) = out.hashed_mut(&u.key) else {
                        continue;
                    };
                    for text in texts(v) {
                        if let Some(t) = crate::meta::hashed::canonical(text.trim()) {
                            push_unique(list, t);
                        } else {
                            warnings.push(MappingWarning {
                                field: format!("user_data.{}", u.key),
                                record_path: u.src.path(),
                                message: "marked `hashed` but is not a SHA-256 hash (64 hex characters); left out".to_owned(),
                            });
                        }
                    }
                }
                UserKind::NumericId => {
                    let id = match v {
                        Value::Number(n) if n.is_u64() => Some(v.clone()),
                        Value::String(s)
                            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) =>
                        {
                            s.parse::<u64>().ok().map(|n| Value::Number(n.into()))
                        }
                        _ => None,
                    };
                    match (id, u.key.as_str()) {
                        (Some(id), "fb_login_id") => out.fb_login_id = Some(id),
                        (Some(id), _) => out.lead_id = Some(id),
                        (None, _) => warnings.push(MappingWarning {
                            field: format!("user_data.{}", u.key),
                            record_path: u.src.path(),
                            message: "must be a whole number; left out".to_owned(),
                        }),
                    }
                }
                UserKind::Unhashed => {
                    if let Some(list) = out.hashed_mut(&u.key) {
                        for text in texts(v) {
                            let t = text.trim();
                            if !t.is_empty() {
                                push_unique(list, t.to_owned());
                            }
                        }
                    }
                }
                UserKind::Id => {
                    let Some(text) = scalar_text(v) else {
                        warnings.push(MappingWarning {
                            field: format!("user_data.{}", u.key),
                            record_path: u.src.path(),
                            message: "must be text; left out".to_owned(),
                        });
                        continue;
                    };
                    let checked = match normalize::ids::IdKey::from_key(&u.key) {
                        Some(k) => normalize::ids::validate_id(k, &text).map_err(|e| {
                            (e.kind == normalize::ids::IdErrorKind::Empty, e.to_string())
                        }),
                        None => Ok(text.trim().to_owned()),
                    };
                    match checked {
                        Ok(valid) if !valid.is_empty() => {
                            if let Some(slot) = out.id_mut(&u.key) {
                                *slot = Some(valid);
                            }
                        }
                        Ok(_) | Err((true, _)) => {}
                        Err((false, why)) => warnings.push(MappingWarning {
                            field: format!("user_data.{}", u.key),
                            record_path: u.src.path(),
                            message: format!("{why}; left out"),
                        }),
                    }
                }
            }
        }
    }

    fn custom_data<R: Record + ?Sized>(
        &self,
        record: &R,
        warnings: &mut Vec<MappingWarning>,
    ) -> Result<Map<String, Value>, MappingError> {
        let mut out = Map::new();
        for c in &self.custom {
            let required = self.required_custom.contains(&c.key);
            let Some(v) = present(c.src.get(record)) else {
                if required {
                    return Err(err(
                        &format!("custom_data.{}", c.key),
                        c.src.path(),
                        &format!(
                            "missing: {} requires {}",
                            self.event_name,
                            self.required_list()
                        ),
                    ));
                }
                continue;
            };
            let mut dropped = Vec::new();
            let converted = convert(c, v, &mut dropped);
            // Items left out of a `contents` list, each named (the browser leaves out the
            // same items: docs/values.md).
            warnings.extend(dropped.into_iter().map(|why| MappingWarning {
                field: format!("custom_data.{}", c.key),
                record_path: c.src.path(),
                message: why,
            }));
            match converted {
                Ok(v) => {
                    out.insert(c.key.clone(), v);
                }
                Err(why) if required => {
                    return Err(err(&format!("custom_data.{}", c.key), c.src.path(), &why));
                }
                Err(why) => warnings.push(MappingWarning {
                    field: format!("custom_data.{}", c.key),
                    record_path: c.src.path(),
                    message: format!("{why}; left out"),
                }),
            }
        }
        for key in &self.required_custom {
            if !out.contains_key(key) && !self.custom.iter().any(|c| &c.key == key) {
                return Err(err(
                    &format!("custom_data.{key}"),
                    None,
                    &format!(
                        "{} requires {}; map `custom_data.{key}`",
                        self.event_name,
                        self.required_list()
                    ),
                ));
            }
        }
        Ok(out)
    }

    /// `` `value` and `currency` ``: the required `custom_data` keys, for messages.
    fn required_list(&self) -> String {
        self.required_custom
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(" and ")
    }
}

fn err(field: &str, record_path: Option<String>, message: &str) -> MappingError {
    MappingError {
        field: field.to_owned(),
        record_path,
        message: message.to_owned(),
    }
}

fn warn_normalize(
    warnings: &mut Vec<MappingWarning>,
    key: &str,
    path: Option<String>,
    e: &NormalizeError,
) {
    if e.is_empty() {
        return;
    }
    warnings.push(MappingWarning {
        field: format!("user_data.{key}"),
        record_path: path,
        message: format!("{e}; left out"),
    });
}

fn push_unique(list: &mut Vec<String>, v: String) {
    if !list.contains(&v) {
        list.push(v);
    }
}

/// The value, unless it is text that is empty or only whitespace: a blank field is an
/// absent one (exports write `""` for "no value").
pub(super) fn present(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| !matches!(v, Value::String(s) if s.trim().is_empty()))
}

/// Text of a scalar: strings as they are, numbers written out.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Text of a scalar without copying strings.
fn scalar_cow(v: &Value) -> Option<std::borrow::Cow<'_, str>> {
    match v {
        Value::String(s) => Some(std::borrow::Cow::Borrowed(s)),
        Value::Number(n) => Some(std::borrow::Cow::Owned(n.to_string())),
        _ => None,
    }
}

/// Every text of a value that may be one scalar or a list of them, borrowed.
fn texts(v: &Value) -> impl Iterator<Item = std::borrow::Cow<'_, str>> {
    let items: &[Value] = match v {
        Value::Array(items) => items,
        other => std::slice::from_ref(other),
    };
    items.iter().filter_map(scalar_cow)
}

/// A number as the browser reads one (`docs/values.md`): a JSON number, or the first
/// number in a text such as `"12,50"`, `"1.234,50"` or `"49.90 €"`.
fn number(v: &Value) -> Result<Number, String> {
    crate::values::read_number(v).ok_or_else(|| "must be a number (such as 84.80)".to_owned())
}

/// A whole number as the browser reads one: a fraction is an error (left out), never
/// rounded.
fn integer(v: &Value) -> Result<Value, String> {
    if let Some(i) = crate::values::read_integer(v) {
        return Ok(Value::from(i));
    }
    let fraction = crate::values::read_number(v)
        .and_then(|n| n.as_f64())
        .is_some_and(|f| f.fract() != 0.0);
    Err(if fraction {
        "must be a whole number (such as 2), not a fraction (it is not rounded)"
    } else {
        "must be a whole number (such as 2)"
    }
    .to_owned())
}

/// Converts a record value to the field's type. Items of a `contents` list that cannot be
/// sent are left out one by one, with their reasons in `dropped`, as the browser does.
fn convert(c: &CustomEntry, v: &Value, dropped: &mut Vec<String>) -> Result<Value, String> {
    Ok(match c.kind {
        CustomType::Number => Value::Number(number(v)?),
        CustomType::Integer => integer(v)?,
        CustomType::Currency => {
            let code = v
                .as_str()
                .map(|s| s.trim().to_ascii_uppercase())
                .ok_or("must be a currency code such as EUR")?;
            if !crate::meta::is_currency(&code) {
                return Err("is not an ISO 4217 currency code (such as EUR, USD)".to_owned());
            }
            Value::String(code)
        }
        // As the browser's `as(v, 'string')`: tidied text, numbers as JavaScript writes them.
        CustomType::String => Value::String(crate::values::read_text(v).ok_or("must be text")?),
        CustomType::StringList => {
            let ids: Vec<Value> = texts(v).map(|t| Value::String(t.into_owned())).collect();
            if ids.is_empty() {
                return Err("must be an id or a list of ids".to_owned());
            }
            Value::Array(ids)
        }
        CustomType::Contents => {
            let items = v.as_array().ok_or("must be a list of items")?;
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                if c.each.is_empty() {
                    if !item.is_object() {
                        return Err(format!("item {i} is not an object"));
                    }
                    out.push(item.clone());
                    continue;
                }
                match contents_item(c, i, item) {
                    Ok(o) => out.push(Value::Object(o)),
                    Err(why) => dropped.push(format!("{why}; item left out")),
                }
            }
            if out.is_empty() {
                return Err("has no item Meta can read (each needs `id` and `quantity`)".to_owned());
            }
            Value::Array(out)
        }
        CustomType::Any => v.clone(),
    })
}

/// One `contents` item mapped by `each:`: `id` as text, `quantity` a whole number,
/// `item_price` a number (as `docs/values.md` reads them).
fn contents_item(c: &CustomEntry, i: usize, item: &Value) -> Result<Map<String, Value>, String> {
    let mut o = Map::new();
    for (key, path) in &c.each {
        let Some(x) = present(path.get(item)) else {
            continue;
        };
        let x = match key.as_str() {
            // As the runtime's `String(id)`: text as it is, a number as JavaScript writes it.
            "id" => Value::String(match x {
                Value::String(s) => s.clone(),
                other => crate::values::read_text(other)
                    .filter(|_| other.is_number())
                    .ok_or_else(|| format!("item {i}: `id` must be text"))?,
            }),
            "quantity" => integer(x).map_err(|e| format!("item {i}: `quantity` {e}"))?,
            "item_price" => {
                Value::Number(number(x).map_err(|e| format!("item {i}: `item_price` {e}"))?)
            }
            _ => x.clone(),
        };
        o.insert(key.clone(), x);
    }
    if !o.contains_key("id") || !o.contains_key("quantity") {
        return Err(format!(
            "item {i} lacks `id` or `quantity`, which Meta requires"
        ));
    }
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sha(s: &str) -> String {
        normalize::sha256_hex(s.as_bytes())
    }

    fn mapping(extra: Value) -> Mapping {
        let mut m = json!({
            "$schema": super::super::SCHEMA_ID,
            "version": 1,
            "generator": "test",
            "env": "production",
            "graph_version": "v25.0",
            "defaults": {"phone_country_code": "34", "country": "es"},
            "events": [{
                "id": "purchase",
                "event_name": "Purchase",
                "action_source": "website",
                "pixels": ["123"],
                "deduplicates_with": {"with": "purchase", "browser_event": "Purchase"},
                "event_id": {"path": "order.id"},
                "event_time": {"path": "order.paid_at", "format": "auto"},
                "event_source_url": {"path": "url"},
                "user_data": {
                    "em": {"path": "customer.email", "transform": "sha256", "rule": ""},
                    "ph": {"path": "customer.phone", "transform": "sha256", "rule": ""},
                    "country": {"path": "customer.country", "transform": "sha256", "rule": ""},
                    "external_id": {"path": "customer.hash", "transform": "hashed", "rule": ""},
                    "client_user_agent": {"path": "ua", "transform": "none", "rule": ""},
                    "client_ip_address": {"path": "ip", "transform": "none", "rule": ""},
                    "fbp": {"path": "fbp", "transform": "none", "rule": ""}
                },
                "custom_data": {
                    "value": {"path": "order.total", "type": "number"},
                    "currency": {"path": "order.currency", "type": "currency"},
                    "num_items": {"path": "order.count", "type": "integer"},
                    "content_type": {"value": "product", "type": "string"},
                    "contents": {"path": "order.lines", "type": "contents",
                                 "each": {"id": "sku", "quantity": "qty", "item_price": "price"}}
                },
                "required": ["event_name", "event_time", "action_source", "user_data", "event_id",
                             "event_source_url", "user_data.client_user_agent",
                             "custom_data.value", "custom_data.currency"]
            }]
        });
        if let (Some(obj), Value::Object(extra)) = (m.as_object_mut(), extra) {
            obj.extend(extra);
        }
        serde_json::from_value(m).expect("a mapping")
    }

    fn record() -> Value {
        json!({
            "order": {"id": 1042, "paid_at": "2026-11-20T18:42:13+01:00", "total": "84.80",
                      "currency": "eur", "count": "3",
                      "lines": [{"sku": 7, "qty": "2", "price": 24.9}]},
            "customer": {"email": " Lucia.Martin@Example.com", "phone": "612 345 678",
                         "hash": "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789"},
            "url": "https://shop.example.com/thanks",
            "ua": "Mozilla/5.0",
            "ip": "2001:db8::1",
            "fbp": "fb.1.1596403881668.1116446470"
        })
    }

    const NOW: i64 = 1_795_300_000;

    fn apply(m: &Mapping, r: &Value) -> Result<Applied, MappingError> {
        m.compile("purchase")
            .expect("compiles")
            .apply(r, &ApplyContext::at(NOW))
    }

    /// The server reads a number as the browser does (`docs/values.md`): a Spanish till
    /// export's `"12,50"` is a value, not a lost row; a fraction is no quantity.
    #[test]
    fn numbers_in_text_map_as_the_browser_reads_them() {
        for (total, want) in [("12,50", 12.5), ("1.234,50", 1234.5), ("49.90 €", 49.9)] {
            let mut r = record();
            r["order"]["total"] = json!(total);
            r["order"]["lines"][0]["price"] = json!(total);
            r["order"]["lines"][0]["qty"] = json!("2,0");
            let a = apply(&mapping(json!({})), &r).expect("maps");
            assert!(a.warnings.is_empty(), "{total}: {:?}", a.warnings);
            let cd = a.event.custom_data.expect("custom data");
            assert_eq!(cd["value"], json!(want), "{total}");
            assert_eq!(
                cd["contents"],
                json!([{"id": "7", "quantity": 2, "item_price": want}])
            );
        }
        let mut r = record();
        r["order"]["count"] = json!("2,5");
        r["order"]["total"] = json!("n/a");
        let e = apply(&mapping(json!({})), &r).expect_err("value is required");
        assert_eq!(e.field, "custom_data.value");
        assert!(
            e.message.contains("must be a number (such as 84.80)"),
            "{e:?}"
        );
        r["order"]["total"] = json!("84,80");
        let a = apply(&mapping(json!({})), &r).expect("maps");
        assert_eq!(a.warnings.len(), 1, "{:?}", a.warnings);
        assert_eq!(
            a.warnings[0].message,
            "must be a whole number (such as 2), not a fraction (it is not rounded); left out"
        );
    }

    #[test]
    fn a_full_record_becomes_metas_event() {
        let a = apply(&mapping(json!({})), &record()).expect("maps");
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
        let e = a.event;
        assert_eq!(e.event_id.as_deref(), Some("1042"));
        assert_eq!(e.event_time, 1_795_200_133 - 3600);
        assert_eq!(e.user_data.em, vec![sha("lucia.martin@example.com")]);
        assert_eq!(
            e.user_data.ph,
            vec![sha("34612345678")],
            "default country code"
        );
        assert_eq!(e.user_data.country, vec![sha("es")], "default country");
        assert_eq!(e.user_data.external_id, vec!["abcdef0123456789".repeat(4)]);
        assert_eq!(
            e.user_data.client_ip_address.as_deref(),
            Some("2001:db8::1")
        );
        let cd = e.custom_data.expect("custom data");
        assert_eq!(cd["value"], json!(84.8));
        assert_eq!(cd["currency"], json!("EUR"));
        assert_eq!(cd["num_items"], json!(3));
        assert_eq!(
            cd["contents"],
            json!([{"id": "7", "quantity": 2, "item_price": 24.9}])
        );
        assert_eq!(ApplyContext::at(NOW).current_year, 2026);
    }

    #[test]
    fn limited_data_use_goes_on_every_event() {
        let m = mapping(
            json!({"data_processing_options": {"options": ["LDU"], "country": 1, "state": 1000}}),
        );
        let e = apply(&m, &record()).expect("maps").event;
        assert_eq!(e.data_processing_options, Some(vec!["LDU".to_owned()]));
        assert_eq!(
            (
                e.data_processing_options_country,
                e.data_processing_options_state
            ),
            (Some(1), Some(1000))
        );
    }

    #[test]
    fn bad_customer_data_is_dropped_with_a_warning_that_does_not_leak_it() {
        let mut r = record();
        r["customer"]["email"] = json!("lucia at example");
        r["fbp"] = json!("fb.1.1596403881.1116446470");
        let a = apply(&mapping(json!({})), &r).expect("still maps");
        assert!(a.event.user_data.em.is_empty());
        assert!(a.event.user_data.fbp.is_none());
        assert_eq!(a.warnings.len(), 2, "{:?}", a.warnings);
        assert_eq!(a.warnings[0].field, "user_data.em");
        assert_eq!(a.warnings[0].record_path.as_deref(), Some("customer.email"));
        for w in &a.warnings {
            assert!(
                !w.message.contains("lucia") && !w.message.contains("1596403881"),
                "{w:?}"
            );
        }
    }

    #[test]
    fn missing_required_fields_name_the_field_and_the_path() {
        let m = mapping(json!({}));
        type Case = (
            &'static str,
            fn(&mut Value),
            &'static str,
            Option<&'static str>,
        );
        let cases: [Case; 6] = [
            (
                "event_id",
                |r| {
                    r["order"].as_object_mut().map(|o| o.remove("id"));
                },
                "event_id",
                Some("order.id"),
            ),
            (
                "url",
                |r| {
                    r.as_object_mut().map(|o| o.remove("url"));
                },
                "event_source_url",
                Some("url"),
            ),
            (
                "ua",
                |r| {
                    r.as_object_mut().map(|o| o.remove("ua"));
                },
                "user_data.client_user_agent",
                Some("ua"),
            ),
            (
                "value",
                |r| {
                    r["order"]["total"] = json!("lots");
                },
                "custom_data.value",
                Some("order.total"),
            ),
            (
                "currency",
                |r| {
                    r["order"]["currency"] = json!("EURO");
                },
                "custom_data.currency",
                Some("order.currency"),
            ),
            (
                "time",
                |r| {
                    r["order"]["paid_at"] = json!(1_795_200_133_000_i64);
                },
                "event_time",
                Some("order.paid_at"),
            ),
        ];
        for (name, change, field, path) in cases {
            let mut r = record();
            change(&mut r);
            let e = apply(&m, &r).expect_err(name);
            assert_eq!(e.field, field, "{name}");
            assert_eq!(e.record_path.as_deref(), path, "{name}");
        }
        let e = apply(&m, &record()).map(|_| ());
        assert!(e.is_ok());
    }

    #[test]
    fn times_in_every_format() {
        let m = mapping(json!({}));
        let mut r = record();
        r["order"]["paid_at"] = json!(1_795_200_000);
        assert_eq!(
            apply(&m, &r).expect("seconds").event.event_time,
            1_795_200_000
        );
        r["order"]["paid_at"] = json!("1795200000");
        assert_eq!(
            apply(&m, &r).expect("digits").event.event_time,
            1_795_200_000
        );
        let mut ms = mapping(json!({}));
        ms.events[0].event_time.format = super::super::TimeFormatName::UnixMs;
        r["order"]["paid_at"] = json!(1_795_200_000_999_i64);
        assert_eq!(apply(&ms, &r).expect("ms").event.event_time, 1_795_200_000);
        let mut send_time = mapping(json!({}));
        send_time.events[0].event_time = super::super::EventTime {
            path: None,
            format: super::super::TimeFormatName::SendTime,
            pattern: None,
            timezone: None,
        };
        assert_eq!(
            apply(&send_time, &record()).expect("now").event.event_time,
            NOW
        );
    }

    #[test]
    fn national_phones_take_the_calling_code_of_the_records_own_country() {
        let m = mapping(json!({}));
        let mut r = record();
        r["customer"]["country"] = json!("us");
        r["customer"]["phone"] = json!("(650) 555-1212");
        let e = apply(&m, &r).expect("maps").event;
        assert_eq!(e.user_data.ph, vec![sha("16505551212")], "not 346505551212");
        assert_eq!(e.user_data.country, vec![sha("us")]);
        // An international number keeps its own code whatever the country.
        r["customer"]["phone"] = json!("+34 612 345 678");
        let e = apply(&m, &r).expect("maps").event;
        assert_eq!(e.user_data.ph, vec![sha("34612345678")]);
        r["customer"]["phone"] = json!("0044 20 7946 0958");
        let e = apply(&m, &r).expect("maps").event;
        assert_eq!(e.user_data.ph, vec![sha("442079460958")]);
        // A country the record names but tagc cannot read: the defaults decide.
        r["customer"]["country"] = json!("Atlantis");
        r["customer"]["phone"] = json!("612 345 678");
        let a = apply(&m, &r).expect("maps");
        assert_eq!(a.event.user_data.ph, vec![sha("34612345678")]);
        // No country in the record: `defaults.phone_country_code`.
        let e = apply(&m, &record()).expect("maps").event;
        assert_eq!(e.user_data.ph, vec![sha("34612345678")]);
        // No phone default either: `defaults.country`'s calling code.
        let mut only_country = mapping(json!({}));
        only_country.defaults.phone_country_code = None;
        only_country.defaults.country = Some("gb".into());
        let mut r = record();
        r["customer"]["phone"] = json!("07946 095858");
        let e = apply(&only_country, &r).expect("maps").event;
        assert_eq!(e.user_data.ph, vec![sha("447946095858")]);
    }

    #[test]
    fn blank_optional_fields_are_left_out() {
        let mut m = mapping(json!({}));
        m.events[0].required = vec!["event_name".into(), "event_time".into()];
        m.events[0].event_name = "Lead".into();
        for blank in ["", "   "] {
            let mut r = record();
            r["order"]["id"] = json!(blank);
            r["url"] = json!(blank);
            r["order"]["total"] = json!(blank);
            r["order"]["currency"] = json!(blank);
            r["order"]["count"] = json!(blank);
            let a = apply(&m, &r).expect("a blank optional field is not an error");
            assert!(a.warnings.is_empty(), "{:?}", a.warnings);
            assert_eq!(a.event.event_id, None);
            assert_eq!(a.event.event_source_url, None);
            let cd = a.event.custom_data.expect("custom data");
            for key in ["value", "currency", "num_items"] {
                assert!(!cd.contains_key(key), "{key}");
            }
        }
    }

    #[test]
    fn a_bad_contents_item_is_left_out_alone_as_in_the_browser() {
        let mut m = mapping(json!({}));
        m.events[0].custom_data.insert(
            "contents".into(),
            serde_json::from_value(json!({
                "path": "order.lines",
                "type": "contents",
                "each": {"id": "sku", "quantity": "qty", "item_price": "price"}
            }))
            .expect("a contents field"),
        );
        let mut r = record();
        r["order"]["lines"] = json!([
            {"sku": "A", "qty": 2, "price": "12,50"},
            {"sku": "B", "qty": "2,5", "price": 3},
            {"sku": 7.0, "qty": "1", "price": ""}
        ]);
        let a = apply(&m, &r).expect("maps");
        let cd = a.event.custom_data.expect("custom data");
        assert_eq!(
            cd["contents"],
            json!([
                {"id": "A", "quantity": 2, "item_price": 12.5},
                {"id": "7", "quantity": 1}
            ])
        );
        assert_eq!(a.warnings.len(), 1, "{:?}", a.warnings);
        assert!(a.warnings[0].message.contains("item 1"), "{:?}", a.warnings);
        r["order"]["lines"] = json!([{"sku": "B", "qty": "many"}]);
        let a = apply(&m, &r).expect("maps without contents");
        assert!(
            a.event
                .custom_data
                .is_none_or(|cd| !cd.contains_key("contents"))
        );
    }

    #[test]
    fn event_ids_are_read_as_the_browser_reads_its_event_id() {
        let m = mapping(json!({}));
        for (id, want) in [
            (json!(12.0), "12"),
            (json!(12), "12"),
            (json!(" A-1 "), "A-1"),
            (json!("ES 000\t1"), "ES 000 1"),
        ] {
            let mut r = record();
            r["order"]["id"] = id.clone();
            let a = apply(&m, &r).expect("maps");
            assert_eq!(a.event.event_id.as_deref(), Some(want), "{id}");
        }
    }

    #[test]
    fn blank_required_fields_are_missing() {
        let m = mapping(json!({}));
        type Case = (&'static str, fn(&mut Value), &'static str);
        let cases: [Case; 5] = [
            ("event_id", |r| r["order"]["id"] = json!(" "), "event_id"),
            ("url", |r| r["url"] = json!(""), "event_source_url"),
            (
                "value",
                |r| r["order"]["total"] = json!(""),
                "custom_data.value",
            ),
            (
                "currency",
                |r| r["order"]["currency"] = json!("\t"),
                "custom_data.currency",
            ),
            ("time", |r| r["order"]["paid_at"] = json!(""), "event_time"),
        ];
        for (name, change, field) in cases {
            let mut r = record();
            change(&mut r);
            let e = apply(&m, &r).expect_err(name);
            assert_eq!(e.field, field, "{name}");
            assert!(e.message.starts_with("missing"), "{name}: {e}");
        }
    }

    #[test]
    fn fields_lead_back_to_their_record_paths() {
        let m = mapping(json!({})).compile("purchase").expect("compiles");
        assert_eq!(
            m.record_path("user_data.em").as_deref(),
            Some("customer.email")
        );
        assert_eq!(
            m.record_path("user_data.country").as_deref(),
            Some("customer.country")
        );
        assert_eq!(m.record_path("event_source_url").as_deref(), Some("url"));
        assert_eq!(
            m.record_path("event_time").as_deref(),
            Some("order.paid_at")
        );
        assert_eq!(
            m.record_path("custom_data.value").as_deref(),
            Some("order.total")
        );
        assert_eq!(
            m.record_path("custom_data.content_type"),
            None,
            "a constant"
        );
        assert_eq!(m.record_path("user_data.fn"), None, "not mapped");
    }

    #[test]
    fn strftime_times_compile_only_with_a_zone_they_can_use() {
        let mut m = mapping(json!({}));
        m.events[0].event_time = super::super::EventTime {
            path: Some("order.paid_at".into()),
            format: super::super::TimeFormatName::Strftime,
            pattern: Some("%d/%m/%Y %H:%M".into()),
            timezone: Some("Europe/Madrid".into()),
        };
        let mut r = record();
        r["order"]["paid_at"] = json!("20/11/2026 18:42");
        assert_eq!(
            apply(&m, &r).expect("maps").event.event_time,
            1_795_200_120 - 3600
        );
        r["order"]["paid_at"] = json!("2026-11-20 18:42");
        let e = apply(&m, &r).expect_err("does not match");
        assert_eq!(e.field, "event_time");
        assert!(!e.message.contains("2026-11-20"), "{e}");
        for (tz, why) in [
            (Some("Mars/Base"), "not an IANA time zone"),
            (None, "no `timezone`"),
        ] {
            m.events[0].event_time.timezone = tz.map(str::to_owned);
            let e = m.compile("purchase").expect_err("refused");
            assert!(e.contains(why) && e.contains("`purchase`"), "{e}");
        }
    }

    #[test]
    fn unknown_event_ids_get_a_suggestion() {
        let e = mapping(json!({})).compile("purchse").expect_err("unknown");
        assert!(e.contains("did you mean `purchase`"), "{e}");
    }
}
