//! The event-level fields beyond the basics: `opt_out`, `referrer_url`,
//! `messaging_channel`, `app_data`, and Limited Data Use read from each record.
//!
//! Applied after everything else, so a record's own data-processing options replace the
//! document-wide ones.

use serde_json::{Map, Value};

use super::{MappingError, MappingWarning, Src, err, integer, present, scalar_text};
use crate::mapping::{CustomType, MappedEvent, Source};
use crate::meta::capi::CapiEvent;
use crate::record_path::Record;

/// The compiled extra fields of one server event.
#[derive(Debug, Clone, Default)]
pub(super) struct Surface {
    opt_out: Option<Src>,
    referrer: Option<Src>,
    channel: Option<String>,
    app: Option<App>,
    dpo: Option<RecordDpo>,
}

#[derive(Debug, Clone)]
struct App {
    advertiser_tracking: Option<Src>,
    application_tracking: Option<Src>,
    /// Slot name, integer slot, source (16 entries, Meta's order).
    extinfo: Vec<(String, bool, Option<Src>)>,
}

#[derive(Debug, Clone)]
struct RecordDpo {
    ldu: Src,
    country: Option<Src>,
    state: Option<Src>,
}

impl Surface {
    pub(super) fn new(e: &MappedEvent) -> Surface {
        Surface {
            opt_out: e.opt_out.as_ref().and_then(Src::new),
            referrer: e.referrer_url.as_ref().and_then(Src::new),
            channel: e.messaging_channel.clone(),
            app: e.app_data.as_ref().map(|a| App {
                advertiser_tracking: a.advertiser_tracking_enabled.as_ref().and_then(Src::new),
                application_tracking: a.application_tracking_enabled.as_ref().and_then(Src::new),
                extinfo: a
                    .extinfo
                    .iter()
                    .map(|s| {
                        (
                            s.slot.clone(),
                            s.kind == CustomType::Integer,
                            Src::new(&Source {
                                path: s.path.clone(),
                                value: s.value.clone(),
                            }),
                        )
                    })
                    .collect(),
            }),
            dpo: e.data_processing_options.as_ref().map(|d| RecordDpo {
                ldu: Src::Path(super::RecordPath::new(&d.path)),
                country: d.country.as_ref().and_then(Src::new),
                state: d.state.as_ref().and_then(Src::new),
            }),
        }
    }

    /// Every record source these fields read.
    pub(super) fn srcs(&self) -> impl Iterator<Item = &Src> {
        let app = self.app.iter().flat_map(|a| {
            a.advertiser_tracking
                .iter()
                .chain(&a.application_tracking)
                .chain(a.extinfo.iter().filter_map(|e| e.2.as_ref()))
        });
        let dpo = self
            .dpo
            .iter()
            .flat_map(|d| std::iter::once(&d.ldu).chain(&d.country).chain(&d.state));
        self.opt_out
            .iter()
            .chain(&self.referrer)
            .chain(app)
            .chain(dpo)
    }

    /// Sets the extra fields of `event` from `record`.
    pub(super) fn apply<R: Record + ?Sized>(
        &self,
        record: &R,
        event: &mut CapiEvent,
        warnings: &mut Vec<MappingWarning>,
    ) -> Result<(), MappingError> {
        if let Some(src) = &self.opt_out
            && let Some(v) = present(src.get(record))
        {
            event.opt_out = Some(boolean(v).ok_or_else(|| err("opt_out", src.path(), BOOLEAN))?);
        }
        if let Some(src) = &self.referrer
            && let Some(v) = src.get(record)
        {
            match v {
                Value::String(u) if !u.trim().is_empty() => {
                    event.referrer_url = Some(u.trim().to_owned());
                }
                Value::String(_) => {}
                _ => warnings.push(MappingWarning {
                    field: "referrer_url".to_owned(),
                    record_path: src.path(),
                    message: "must be a URL (text); left out".to_owned(),
                }),
            }
        }
        if let Some(c) = &self.channel {
            event.messaging_channel = Some(Value::String(c.clone()));
        }
        if let Some(app) = &self.app {
            event.app_data = Some(app.build(record, warnings)?);
        }
        if let Some(d) = &self.dpo {
            d.apply(record, event)?;
        }
        Ok(())
    }
}

impl App {
    fn build<R: Record + ?Sized>(
        &self,
        record: &R,
        warnings: &mut Vec<MappingWarning>,
    ) -> Result<Value, MappingError> {
        let mut out = Map::new();
        for (key, src) in [
            ("advertiser_tracking_enabled", &self.advertiser_tracking),
            ("application_tracking_enabled", &self.application_tracking),
        ] {
            let field = format!("app_data.{key}");
            let Some(src) = src else {
                return Err(err(
                    &field,
                    None,
                    "app events need it (true or false); map it in `app_data`",
                ));
            };
            let Some(v) = present(src.get(record)) else {
                return Err(err(
                    &field,
                    src.path(),
                    "missing: Meta requires it on app events",
                ));
            };
            let b = boolean(v).ok_or_else(|| err(&field, src.path(), BOOLEAN))?;
            out.insert(key.to_owned(), Value::Bool(b));
        }
        let mut extinfo = Vec::with_capacity(16);
        for (i, (slot, is_int, src)) in self.extinfo.iter().enumerate() {
            let field = || format!("app_data.extinfo.{slot}");
            let v = src.as_ref().and_then(|s| s.get(record));
            let path = || src.as_ref().and_then(Src::path);
            let item = match (v, *is_int) {
                (None, _) => None,
                (Some(v), true) => match integer(v) {
                    Ok(n) => Some(n),
                    Err(why) => {
                        warnings.push(MappingWarning {
                            field: field(),
                            record_path: path(),
                            message: format!("{why}; sent as \"\""),
                        });
                        None
                    }
                },
                (Some(v), false) => match scalar_text(v) {
                    Some(t) if !t.trim().is_empty() => Some(Value::String(t.trim().to_owned())),
                    Some(_) => None,
                    None => {
                        warnings.push(MappingWarning {
                            field: field(),
                            record_path: path(),
                            message: "must be text; sent as \"\"".to_owned(),
                        });
                        None
                    }
                },
            };
            // Slot 0 is the version (`a2` Android, `i2` iOS), slot 4 the OS version.
            let item = match (i, item) {
                (0, Some(Value::String(s))) => {
                    let s = s.to_ascii_lowercase();
                    if s != "a2" && s != "i2" {
                        return Err(err(
                            &field(),
                            path(),
                            "must be `a2` (Android) or `i2` (iOS)",
                        ));
                    }
                    Value::String(s)
                }
                (0 | 4, None) => {
                    return Err(err(
                        &field(),
                        path(),
                        "missing: Meta requires the extinfo version (a2/i2) and the OS version on app events",
                    ));
                }
                (_, Some(v)) => v,
                (_, None) => Value::String(String::new()),
            };
            extinfo.push(item);
        }
        out.insert("extinfo".to_owned(), Value::Array(extinfo));
        Ok(Value::Object(out))
    }
}

impl RecordDpo {
    fn apply<R: Record + ?Sized>(
        &self,
        record: &R,
        event: &mut CapiEvent,
    ) -> Result<(), MappingError> {
        let Some(v) = self.ldu.get(record) else {
            // No field in this record: the document-wide options (if any) stay.
            return Ok(());
        };
        let ldu = match v {
            Value::Bool(b) => Some(*b),
            Value::Array(items) => match items.as_slice() {
                [] => Some(false),
                [Value::String(s)] if s.trim().eq_ignore_ascii_case("ldu") => Some(true),
                _ => None,
            },
            Value::String(s) if s.trim().eq_ignore_ascii_case("ldu") => Some(true),
            Value::String(s) if s.trim().is_empty() => Some(false),
            other => boolean(other),
        };
        let Some(ldu) = ldu else {
            return Err(err(
                "data_processing_options",
                self.ldu.path(),
                "must say whether Limited Data Use applies: true/false, \"LDU\"/\"\", or [\"LDU\"]/[]",
            ));
        };
        if !ldu {
            event.data_processing_options = Some(Vec::new());
            event.data_processing_options_country = None;
            event.data_processing_options_state = None;
            return Ok(());
        }
        let country = read_code(
            self.country.as_ref(),
            record,
            "data_processing_options_country",
            |n| matches!(n, 0 | 1),
            "must be 1 (USA) or 0 (let Meta geolocate)",
        )?;
        let state = read_code(
            self.state.as_ref(),
            record,
            "data_processing_options_state",
            |n| u32::try_from(n).is_ok_and(crate::meta::is_ldu_state),
            "must be 0 (geolocate) or a state code from 1000 to 1013",
        )?;
        event.data_processing_options = Some(vec!["LDU".to_owned()]);
        event.data_processing_options_country = Some(country.unwrap_or(0));
        event.data_processing_options_state = Some(state.unwrap_or(0));
        Ok(())
    }
}

/// An LDU country or state code: a whole number (or digits) that passes `ok`.
fn read_code<R: Record + ?Sized>(
    src: Option<&Src>,
    record: &R,
    field: &str,
    ok: impl Fn(i64) -> bool,
    rule: &str,
) -> Result<Option<i64>, MappingError> {
    let Some(src) = src else { return Ok(None) };
    let Some(v) = present(src.get(record)) else {
        return Ok(None);
    };
    match crate::values::read_integer(v) {
        Some(n) if ok(n) => Ok(Some(n)),
        _ => Err(err(field, src.path(), rule)),
    }
}

/// What a boolean field accepts, for messages (docs/values.md).
const BOOLEAN: &str =
    "must be true or false (or the text true/false, 1/0, yes/no, on/off, in any case)";

/// A boolean read as the browser runtime reads one ([`crate::values::read_boolean`]).
fn boolean(v: &Value) -> Option<bool> {
    crate::values::read_boolean(v)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::mapping::{Applied, ApplyContext, Mapping, MappingError};

    const NOW: i64 = 1_795_300_000;

    /// A mapping of one `other` event with `extra` merged into the event.
    fn mapping(action_source: &str, extra: Value, dpo: Option<Value>) -> Mapping {
        let mut event = json!({
            "id": "e",
            "event_name": "Lead",
            "action_source": action_source,
            "pixels": ["123"],
            "event_time": {"format": "send_time"},
            "user_data": {
                "external_id": {"path": "customer.id", "transform": "sha256", "rule": ""},
                "madid": {"path": "device.madid", "transform": "none", "rule": ""},
                "anon_id": {"path": "device.anon_id", "transform": "none", "rule": ""},
                "page_id": {"value": "1234567890", "transform": "none", "rule": ""},
                "ctwa_clid": {"path": "chat.ctwa_clid", "transform": "none", "rule": ""}
            },
            "custom_data": {},
            "required": ["event_name", "event_time", "action_source", "user_data"]
        });
        if let (Some(o), Value::Object(extra)) = (event.as_object_mut(), extra) {
            o.extend(extra);
        }
        let mut m = json!({
            "$schema": crate::mapping::SCHEMA_ID,
            "version": 1,
            "generator": "test",
            "env": "production",
            "graph_version": "v25.0",
            "defaults": {},
            "events": [event]
        });
        if let (Some(o), Some(d)) = (m.as_object_mut(), dpo) {
            o.insert("data_processing_options".into(), d);
        }
        serde_json::from_value(m).expect("a mapping")
    }

    fn apply(m: &Mapping, r: &Value) -> Result<Applied, MappingError> {
        m.compile("e")
            .expect("compiles")
            .apply(r, &ApplyContext::at(NOW))
    }

    use serde_json::Value;

    fn record() -> Value {
        json!({
            "customer": {"id": "u-1"},
            "device": {"madid": " 38400000-8cf0-11bd-b23e-10b96e40000d ", "anon_id": "XZ-1",
                       "att": true, "tracking": "false", "os": "17.4", "platform": "I2",
                       "width": "1179", "model": "iPhone15,2"},
            "chat": {"ctwa_clid": "ARAkLkA8rmlFeiCk"},
            "consent": {"ldu": true, "country": 1, "state": "1000"},
            "ads": {"opt_out": "1"},
            "request": {"referrer": " https://www.facebook.com/ "}
        })
    }

    #[test]
    fn app_ids_are_sent_unhashed_as_they_are() {
        let e = apply(&mapping("other", json!({}), None), &record())
            .expect("maps")
            .event;
        let u = &e.user_data;
        assert_eq!(
            u.madid.as_deref(),
            Some("38400000-8cf0-11bd-b23e-10b96e40000d")
        );
        assert_eq!(u.anon_id.as_deref(), Some("XZ-1"));
        assert_eq!(u.page_id.as_deref(), Some("1234567890"));
        assert_eq!(u.ctwa_clid.as_deref(), Some("ARAkLkA8rmlFeiCk"));
        assert!(e.opt_out.is_none() && e.referrer_url.is_none() && e.app_data.is_none());
    }

    #[test]
    fn opt_out_and_referrer_url_come_from_the_record() {
        let m = mapping(
            "other",
            json!({"opt_out": {"path": "ads.opt_out"}, "referrer_url": {"path": "request.referrer"}}),
            None,
        );
        let e = apply(&m, &record()).expect("maps").event;
        assert_eq!(e.opt_out, Some(true));
        assert_eq!(e.referrer_url.as_deref(), Some("https://www.facebook.com/"));
        let mut r = record();
        r["ads"]["opt_out"] = json!(false);
        assert_eq!(apply(&m, &r).expect("maps").event.opt_out, Some(false));
        r["ads"]["opt_out"] = json!("maybe");
        let e = apply(&m, &r).expect_err("not a boolean");
        assert_eq!(
            (e.field.as_str(), e.record_path.as_deref()),
            ("opt_out", Some("ads.opt_out"))
        );
        // Read as docs/values.md reads booleans; a blank field is absent (not an error).
        for (text, want) in [
            (json!("on"), Some(true)),
            (json!("OFF"), Some(false)),
            (json!(1.0), Some(true)),
            (json!("  "), None),
            (json!(""), None),
        ] {
            r["ads"]["opt_out"] = text.clone();
            assert_eq!(apply(&m, &r).expect("maps").event.opt_out, want, "{text}");
        }
        let c = mapping("other", json!({"opt_out": {"value": true}}), None);
        assert_eq!(
            apply(&c, &record()).expect("maps").event.opt_out,
            Some(true)
        );
    }

    #[test]
    fn business_messaging_sends_its_channel() {
        let m = mapping(
            "business_messaging",
            json!({"messaging_channel": "whatsapp"}),
            None,
        );
        let e = apply(&m, &record()).expect("maps").event;
        assert_eq!(e.messaging_channel, Some(json!("whatsapp")));
        assert!(
            crate::meta::capi::check_event(&e, 0, &crate::meta::capi::RuleContext::at(NOW))
                .is_empty()
        );
    }

    fn app_mapping() -> Mapping {
        let mut slots: Vec<Value> = crate::model::Extinfo::SLOTS
            .iter()
            .map(|s| json!({"slot": s, "type": "string"}))
            .collect();
        slots[0] = json!({"slot": "ext_info_version", "type": "string", "path": "device.platform"});
        slots[4] = json!({"slot": "os_version", "type": "string", "path": "device.os"});
        slots[5] = json!({"slot": "device_model_name", "type": "string", "path": "device.model"});
        slots[9] = json!({"slot": "screen_width", "type": "integer", "path": "device.width"});
        mapping(
            "app",
            json!({"app_data": {
                "advertiser_tracking_enabled": {"path": "device.att"},
                "application_tracking_enabled": {"path": "device.tracking"},
                "extinfo": slots
            }}),
            None,
        )
    }

    #[test]
    fn app_data_is_meta_s_sixteen_item_extinfo() {
        let e = apply(&app_mapping(), &record()).expect("maps").event;
        let mut ext = vec![json!(""); 16];
        ext[0] = json!("i2");
        ext[4] = json!("17.4");
        ext[5] = json!("iPhone15,2");
        ext[9] = json!(1179);
        assert_eq!(
            e.app_data,
            Some(json!({
                "advertiser_tracking_enabled": true,
                "application_tracking_enabled": false,
                "extinfo": ext
            }))
        );
        assert!(
            crate::meta::capi::check_event(&e, 0, &crate::meta::capi::RuleContext::at(NOW))
                .is_empty()
        );
        for (change, field) in [
            (json!({"os": null}), "app_data.extinfo.os_version"),
            (
                json!({"platform": "web"}),
                "app_data.extinfo.ext_info_version",
            ),
            (
                json!({"att": "unknown"}),
                "app_data.advertiser_tracking_enabled",
            ),
        ] {
            let mut r = record();
            if let (Some(d), Value::Object(c)) = (r["device"].as_object_mut(), change) {
                for (k, v) in c {
                    if v.is_null() {
                        d.remove(&k);
                    } else {
                        d.insert(k, v);
                    }
                }
            }
            let e = apply(&app_mapping(), &r).expect_err(field);
            assert_eq!(e.field, field);
        }
    }

    #[test]
    fn limited_data_use_is_read_from_each_record() {
        let site = json!({"options": ["LDU"], "country": 0, "state": 0});
        let m = mapping(
            "other",
            json!({"data_processing_options": {
                "path": "consent.ldu",
                "country": {"path": "consent.country"},
                "state": {"path": "consent.state"}
            }}),
            Some(site),
        );
        let dpo = |r: &Value| {
            let e = apply(&m, r).expect("maps").event;
            (
                e.data_processing_options,
                e.data_processing_options_country,
                e.data_processing_options_state,
            )
        };
        let ldu = Some(vec!["LDU".to_owned()]);
        assert_eq!(dpo(&record()), (ldu.clone(), Some(1), Some(1000)));
        // This record says LDU does not apply: `[]`, no country or state.
        let mut r = record();
        r["consent"]["ldu"] = json!(false);
        assert_eq!(dpo(&r), (Some(Vec::new()), None, None));
        r["consent"]["ldu"] = json!([]);
        assert_eq!(dpo(&r), (Some(Vec::new()), None, None));
        // LDU on without a location: Meta geolocates.
        let mut r = record();
        r["consent"] = json!({"ldu": "LDU"});
        assert_eq!(dpo(&r), (ldu.clone(), Some(0), Some(0)));
        // No field: the site-wide constant.
        let mut r = record();
        r.as_object_mut().map(|o| o.remove("consent"));
        assert_eq!(dpo(&r), (ldu, Some(0), Some(0)));
        // Bad values are errors, not guesses.
        for (k, v, field) in [
            ("ldu", json!("maybe"), "data_processing_options"),
            ("state", json!(1999), "data_processing_options_state"),
            ("country", json!(2), "data_processing_options_country"),
        ] {
            let mut r = record();
            r["consent"][k] = v;
            assert_eq!(apply(&m, &r).expect_err(k).field, field);
        }
    }
}
