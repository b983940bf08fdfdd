//! Tests of the rules, through the public entry points and the helpers.

use super::*;

const NOW: i64 = 1_767_225_600;
const EM: &str = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";
const CX: RuleContext = RuleContext::at(NOW);

/// A website event that breaks no rule.
fn valid() -> CapiEvent {
    let mut e = CapiEvent {
        event_name: "Purchase".into(),
        event_time: NOW - 60,
        action_source: "website".into(),
        event_id: Some("order-123".into()),
        event_source_url: Some("https://shop.example.com/thanks".into()),
        custom_data: Some(
            serde_json::json!({
                "currency": "USD", "value": 12.5, "content_type": "product",
                "contents": [{"id": "sku-1", "quantity": 1, "item_price": 12.5}],
                "num_items": 1, "delivery_category": "home_delivery"
            })
            .as_object()
            .cloned()
            .unwrap_or_default(),
        ),
        ..CapiEvent::default()
    };
    e.user_data.em = vec![EM.into()];
    e.user_data.external_id = vec!["b".repeat(64)];
    e.user_data.client_ip_address = Some("2a03:2880:f12f:83:face:b00c::25de".into());
    e.user_data.client_user_agent = Some("Mozilla/5.0".into());
    e.user_data.fbp = Some("fb.1.1596403881668.1116446470".into());
    e.user_data.fbc = Some("fb.1.1554763741205.IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYX".into());
    e
}

fn rules_of(e: &CapiEvent) -> Vec<&'static str> {
    check_event(e, 0, &CX).into_iter().map(|v| v.rule).collect()
}

/// Asserts the valid event passes and the changed one breaks exactly `rule`.
fn only(rule: &Rule, change: impl FnOnce(&mut CapiEvent)) -> Violation {
    assert!(rules_of(&valid()).is_empty(), "{:?}", rules_of(&valid()));
    let mut e = valid();
    change(&mut e);
    let vs = check_event(&e, 3, &CX);
    assert_eq!(
        vs.iter().map(|v| v.rule).collect::<Vec<_>>(),
        vec![rule.name],
        "{vs:#?}"
    );
    let v = vs.into_iter().next().expect("one violation");
    assert_eq!(
        (v.level, v.code, v.subcode),
        (rule.level, rule.code, rule.subcode)
    );
    assert!(v.path.starts_with("$['data'][3]"), "{}", v.path);
    v
}

fn cd(e: &mut CapiEvent) -> &mut Map<String, Value> {
    e.custom_data.get_or_insert_with(Map::new)
}

#[test]
fn a_valid_event_has_no_violation_and_rule_names_are_unique() {
    assert!(check_event(&valid(), 0, &CX).is_empty());
    let mut names: Vec<_> = ALL_RULES.iter().map(|r| r.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), ALL_RULES.len());
}

#[test]
fn event_name() {
    only(&EVENT_NAME_MISSING, |e| e.event_name = " ".into());
    only(&EVENT_NAME_TOO_LONG, |e| e.event_name = "x".repeat(51));
    only(&EVENT_NAME_CASE, |e| e.event_name = "viewcontent".into());
    let mut e = valid();
    e.event_name = "x".repeat(50);
    e.custom_data = None;
    assert!(rules_of(&e).is_empty());
}

#[test]
fn event_time() {
    let v = only(&EVENT_TIME_TOO_OLD, |e| e.event_time = NOW - MAX_AGE - 1);
    assert_eq!(v.path, "$['data'][3]['event_time']");
    assert_eq!(v.subcode, Some(2_804_003));
    only(&EVENT_TIME_MILLISECONDS, |e| e.event_time = NOW * 1000);
    only(&EVENT_TIME_IN_FUTURE, |e| {
        e.event_time = NOW + FUTURE_SKEW + 1
    });
    let mut e = valid();
    e.event_time = NOW - MAX_AGE;
    assert!(rules_of(&e).is_empty());
    e.event_time = NOW + FUTURE_SKEW;
    assert!(rules_of(&e).is_empty());
}

#[test]
fn physical_store_events_may_be_62_days_old() {
    let mut e = valid();
    e.action_source = "physical_store".into();
    e.event_time = NOW - 30 * 86_400;
    assert!(rules_of(&e).is_empty());
    e.event_time = NOW - MAX_AGE_PHYSICAL_STORE - 1;
    assert_eq!(rules_of(&e), vec!["event-time-too-old"]);
}

#[test]
fn action_source() {
    only(&ACTION_SOURCE_MISSING, |e| e.action_source = String::new());
    only(&ACTION_SOURCE_INVALID, |e| {
        e.action_source = "Website".into()
    });
    for s in ACTION_SOURCES
        .iter()
        .filter(|s| !matches!(**s, "website" | "app" | "business_messaging"))
    {
        let mut e = valid();
        e.action_source = (*s).into();
        assert!(rules_of(&e).is_empty(), "{s}");
    }
}

#[test]
fn website_needs_url_and_user_agent() {
    only(&EVENT_SOURCE_URL_MISSING, |e| e.event_source_url = None);
    let v = only(&CLIENT_USER_AGENT_MISSING, |e| {
        e.user_data.client_user_agent = None;
    });
    assert_eq!(v.path, "$['data'][3]['user_data']['client_user_agent']");
    only(&URL_NOT_ABSOLUTE, |e| {
        e.event_source_url = Some("/thanks".into())
    });
    only(&URL_NOT_ABSOLUTE, |e| {
        e.referrer_url = Some("example.com/x".into())
    });
    assert!(is_absolute_http_url("HTTP://a.b/c?d"));
    assert!(!is_absolute_http_url("https:///path"));
    assert!(!is_absolute_http_url("ftp://a.b"));
    assert!(!is_absolute_http_url("https://a.b/with space"));
}

#[test]
fn app_events_need_extinfo() {
    let app = |e: &mut CapiEvent| {
        e.action_source = "app".into();
        e.event_source_url = None;
    };
    only(&APP_DATA_MISSING, app);
    let mut ext: Vec<Value> = vec![Value::String(String::new()); 16];
    ext[0] = "a2".into();
    ext[4] = "14".into();
    let mut e = valid();
    app(&mut e);
    e.app_data = Some(serde_json::json!({ "extinfo": ext }));
    assert!(rules_of(&e).is_empty());
    ext[4] = "".into();
    only(&APP_EXTINFO_INVALID, |e| {
        app(e);
        e.app_data = Some(serde_json::json!({ "extinfo": ext }));
    });
    only(&APP_EXTINFO_INVALID, |e| {
        app(e);
        e.app_data = Some(serde_json::json!({ "extinfo": ["i2"] }));
    });
}

#[test]
fn business_messaging_needs_a_known_channel() {
    let bm = |e: &mut CapiEvent| {
        e.action_source = "business_messaging".into();
        e.event_source_url = None;
    };
    only(&MESSAGING_CHANNEL_MISSING, bm);
    for c in MESSAGING_CHANNELS {
        let mut e = valid();
        bm(&mut e);
        e.messaging_channel = Some(Value::String((*c).into()));
        assert!(rules_of(&e).is_empty(), "{c}");
    }
    let v = only(&MESSAGING_CHANNEL_INVALID, |e| {
        bm(e);
        e.messaging_channel = Some(Value::String("WhatsApp".into()));
    });
    assert_eq!(v.path, "$['data'][3]['messaging_channel']");
    only(&MESSAGING_CHANNEL_INVALID, |e| {
        e.messaging_channel = Some(Value::Bool(true));
    });
}

/// Meta's parameter index marks `madid` "Do not hash", like the other app ids.
#[test]
fn a_hashed_madid_is_reported() {
    only(&USER_DATA_ID_HASHED, |e| {
        e.user_data.madid = Some(EM.into())
    });
    let mut e = valid();
    e.user_data.madid = Some("38400000-8cf0-11bd-b23e-10b96e40000d".into());
    assert!(rules_of(&e).is_empty());
}

#[test]
fn event_id() {
    only(&EVENT_ID_EMPTY, |e| e.event_id = Some(String::new()));
}

#[test]
fn data_processing_options() {
    let mut e = valid();
    e.data_processing_options = Some(vec!["LDU".into()]);
    e.data_processing_options_country = Some(1);
    e.data_processing_options_state = Some(1000);
    assert!(rules_of(&e).is_empty());
    e.data_processing_options = Some(vec![]);
    e.data_processing_options_country = None;
    e.data_processing_options_state = None;
    assert!(rules_of(&e).is_empty());
    only(&DPO_INVALID, |e| {
        e.data_processing_options = Some(vec!["ldu".into()])
    });
    only(&DPO_COUNTRY_MISSING, |e| {
        e.data_processing_options = Some(vec!["LDU".into()]);
        e.data_processing_options_state = Some(0);
    });
    only(&DPO_COUNTRY_INVALID, |e| {
        e.data_processing_options_country = Some(2);
        e.data_processing_options_state = Some(0);
    });
    only(&DPO_STATE_MISSING, |e| {
        e.data_processing_options_country = Some(0)
    });
    only(&DPO_STATE_INVALID, |e| {
        e.data_processing_options_country = Some(1);
        e.data_processing_options_state = Some(1014);
    });
    // LDU, country given, no state: one finding, whatever the IP.
    only(&DPO_STATE_MISSING, |e| {
        e.data_processing_options = Some(vec!["LDU".into()]);
        e.data_processing_options_country = Some(1);
        e.user_data.client_ip_address = None;
    });
}

#[test]
fn purchase_needs_value_and_currency() {
    only(&PURCHASE_CURRENCY_MISSING, |e| {
        cd(e).remove("currency");
    });
    let v = only(&PURCHASE_VALUE_MISSING, |e| {
        cd(e).insert("value".into(), Value::Null);
    });
    assert_eq!(v.path, "$['data'][3]['custom_data']['value']");
    let mut e = valid();
    e.custom_data = None;
    assert_eq!(
        rules_of(&e),
        vec!["purchase-value-missing", "purchase-currency-missing"]
    );
    e.event_name = "Lead".into();
    assert!(rules_of(&e).is_empty());
}

#[test]
fn custom_data_values() {
    only(&CURRENCY_INVALID, |e| {
        cd(e).insert("currency".into(), "XYZ".into());
    });
    only(&CURRENCY_INVALID, |e| {
        cd(e).insert("currency".into(), 840.into());
    });
    let mut e = valid();
    cd(&mut e).insert("currency".into(), "eur".into());
    assert!(rules_of(&e).is_empty());
    only(&NUMBER_AS_STRING, |e| {
        cd(e).insert("value".into(), "12.50".into());
    });
    only(&NUMBER_INVALID, |e| {
        cd(e).insert("predicted_ltv".into(), "lots".into());
    });
    only(&VALUE_WITHOUT_CURRENCY, |e| {
        e.event_name = "Lead".into();
        cd(e).remove("currency");
    });
    only(&CONTENT_TYPE_INVALID, |e| {
        cd(e).insert("content_type".into(), "products".into());
    });
    only(&NUM_ITEMS_INVALID, |e| {
        cd(e).insert("num_items".into(), 1.5.into());
    });
    only(&DELIVERY_CATEGORY_INVALID, |e| {
        cd(e).insert("delivery_category".into(), "drone".into());
    });
    only(&CUSTOMER_SEGMENTATION_INVALID, |e| {
        e.customer_segmentation = Some("vip".into());
    });
    let v = only(&CONTENTS_INVALID, |e| {
        cd(e).insert(
            "contents".into(),
            serde_json::json!([{"id": "a", "quantity": 1}, {"id": "b"}]),
        );
    });
    assert_eq!(v.path, "$['data'][3]['custom_data']['contents'][1]");
    only(&CONTENTS_INVALID, |e| {
        cd(e).insert("contents".into(), "sku-1".into());
    });
    only(&DELIVERY_CATEGORY_INVALID, |e| {
        cd(e).insert(
            "contents".into(),
            serde_json::json!([{"id": 7, "quantity": 1, "delivery_category": "x"}]),
        );
    });
}

#[test]
fn user_data_must_not_be_empty_or_insufficient() {
    let v = only(&USER_DATA_EMPTY, |e| {
        e.user_data = CapiUserData::default();
        e.event_source_url = Some("https://a.example/".into());
        e.action_source = "email".into();
    });
    assert_eq!(v.subcode, Some(2_804_050));
    let v = only(&USER_DATA_INSUFFICIENT, |e| {
        e.action_source = "email".into();
        e.user_data = CapiUserData {
            ge: vec!["c".repeat(64)],
            ct: vec!["d".repeat(64)],
            ..CapiUserData::default()
        };
    });
    assert!(v.message.contains("ge + ct"), "{}", v.message);
    // ip + user agent is enough (Meta's own Test Events example).
    let mut e = valid();
    e.user_data = CapiUserData {
        client_ip_address: Some("8.8.8.8".into()),
        client_user_agent: Some("Mozilla/5.0".into()),
        ..CapiUserData::default()
    };
    assert!(rules_of(&e).is_empty());
}

#[test]
fn hashed_keys_must_be_hashed() {
    let v = only(&USER_DATA_NOT_HASHED, |e| {
        e.user_data.em.push("john_smith@gmail.com".into());
    });
    assert_eq!(v.path, "$['data'][3]['user_data']['em'][1]");
    assert_eq!(v.subcode, Some(2_804_016));
    assert!(v.message.starts_with("The em parameter isn't hashed"));
    assert!(!v.message.contains("john"), "no customer data in messages");
    only(&USER_DATA_NOT_HASHED, |e| {
        e.user_data.ct = vec!["paris".into()]
    });
    only(&USER_DATA_HASH_UPPERCASE, |e| {
        e.user_data.ph = vec![EM.to_uppercase()]
    });
    only(&EXTERNAL_ID_NOT_HASHED, |e| {
        e.user_data.external_id = vec!["user-42".into()]
    });
    // The Parameter Builder appendix is allowed.
    let mut e = valid();
    e.user_data.em = vec![format!("{EM}.AQQCAQMB")];
    assert!(rules_of(&e).is_empty());
    assert_eq!(hash_form(&format!("{EM}.AQ")), HashForm::Lower);
    assert_eq!(hash_form(&format!("{EM}.A")), HashForm::NotHashed);
    assert_eq!(hash_form(&EM[1..]), HashForm::NotHashed);
}

#[test]
fn never_hashed_ids_must_not_be_hashed() {
    only(&USER_DATA_ID_HASHED, |e| {
        e.user_data.client_user_agent = Some(EM.into())
    });
    only(&USER_DATA_ID_HASHED, |e| {
        e.user_data.subscription_id = Some(EM.into())
    });
    let v = only(&FBP_FORMAT, |e| e.user_data.fbp = Some(EM.into()));
    assert!(v.message.contains("looks hashed"));
    let v = only(&CLIENT_IP_INVALID, |e| {
        e.user_data.client_ip_address = Some(EM.into())
    });
    assert!(v.message.contains("looks hashed"));
}

#[test]
fn client_ip_address() {
    only(&CLIENT_IP_INVALID, |e| {
        e.user_data.client_ip_address = Some("1.2.3".into())
    });
    only(&CLIENT_IP_INVALID, |e| {
        e.user_data.client_ip_address = Some(" 8.8.8.8".into())
    });
    for ip in [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.1",
        "::1",
        "fd00::1",
        "::ffff:10.0.0.1",
    ] {
        only(&CLIENT_IP_NOT_PUBLIC, |e| {
            e.user_data.client_ip_address = Some(ip.into())
        });
    }
    let mut e = valid();
    e.user_data.client_ip_address = Some("168.212.226.204".into());
    assert!(rules_of(&e).is_empty());
}

#[test]
fn fbc_and_fbp_formats() {
    assert_eq!(
        check_cookie_id("fb.1.1554763741205.IwAR2F4-dbP0l7Mn1Iaw", false),
        Ok(())
    );
    assert_eq!(
        check_cookie_id("fb.2.1554763741205.abc.AQQCAQMB", false),
        Ok(())
    );
    assert_eq!(
        check_cookie_id("fb.1.1596403881668.1116446470.Bg", true),
        Ok(())
    );
    assert_eq!(
        check_cookie_id("fb.1.1554763741.IwAR2F4", false),
        Err(CookieIdProblem::Seconds)
    );
    assert_eq!(
        check_cookie_id("fb.1.1596403881668.abc", true),
        Err(CookieIdProblem::Payload)
    );
    assert_eq!(
        check_cookie_id("fb.1.1596403881668.", false),
        Err(CookieIdProblem::Payload)
    );
    assert_eq!(
        check_cookie_id("fb.1.1596403881668.1.ABC", true),
        Err(CookieIdProblem::Appendix)
    );
    assert_eq!(
        check_cookie_id("FB.1.1596403881668.1", true),
        Err(CookieIdProblem::Shape)
    );
    assert_eq!(
        check_cookie_id("fb.1.1596403881668", true),
        Err(CookieIdProblem::Shape)
    );
    assert_eq!(
        check_cookie_id("fb.x.1596403881668.1", true),
        Err(CookieIdProblem::Shape)
    );
    assert_eq!(
        check_cookie_id("fb.1.15964038816680.1", true),
        Err(CookieIdProblem::Time)
    );
    let v = only(&FBC_FORMAT, |e| {
        e.user_data.fbc = Some("fb.1.1554763741.IwAR".into())
    });
    assert!(v.message.contains("seconds"), "{}", v.message);
    only(&FBP_FORMAT, |e| {
        e.user_data.fbp = Some("1596403881668.1116446470".into())
    });
}

#[test]
fn numeric_ids() {
    only(&USER_DATA_ID_NOT_INTEGER, |e| {
        e.user_data.lead_id = Some("L-1".into())
    });
    let mut e = valid();
    e.user_data.fb_login_id = Some(12_345.into());
    e.user_data.lead_id = Some("67890".into());
    assert!(rules_of(&e).is_empty());
}

#[test]
fn request_batch_size() {
    let mut r = CapiRequest::default();
    assert_eq!(check_request(&r, &CX)[0].rule, "data-empty");
    r.data = vec![valid(); MAX_EVENTS];
    assert!(check_request(&r, &CX).is_empty());
    r.data.push(valid());
    let vs = check_request(&r, &CX);
    assert_eq!(vs.len(), 1);
    assert_eq!(first_rejection(&vs).map(|v| v.rule), Some("data-too-many"));
}

#[test]
fn first_rejection_skips_warnings() {
    let mut e = valid();
    e.user_data.client_ip_address = Some("10.0.0.1".into());
    e.event_time = 0;
    let vs = check_event(&e, 0, &CX);
    assert_eq!(vs.len(), 2);
    assert_eq!(
        first_rejection(&vs).map(|v| v.rule),
        Some("event-time-too-old")
    );
}

fn parse_err(body: &str) -> Violation {
    parse_request(body.as_bytes()).expect_err("rejected")
}

#[test]
fn parse_accepts_a_valid_body_and_takes_the_token_out() {
    let body = serde_json::json!({
        "data": [valid()], "test_event_code": "TEST123", "access_token": "EAAtoken",
        "appsecret_proof": "abc", "partner_agent": "tagc", "upload_tag": "x"
    });
    let parsed = parse_body(body.to_string().as_bytes());
    assert_eq!(parsed.access_token.as_deref(), Some("EAAtoken"));
    assert_eq!(parsed.appsecret_proof.as_deref(), Some("abc"));
    assert!(parsed.warnings.is_empty());
    let r = parsed.request.expect("valid");
    assert_eq!(r.data, vec![valid()]);
    assert_eq!(r.test_event_code.as_deref(), Some("TEST123"));
    let (_, token) = parse_request_with_token(body.to_string().as_bytes()).expect("valid");
    assert_eq!(token.as_deref(), Some("EAAtoken"));
}

#[test]
fn parse_reports_malformed_json() {
    let v = parse_err("{'data': []}");
    assert_eq!(
        (v.rule, v.code, v.subcode),
        ("body-malformed", 100, Some(2_804_019))
    );
    assert_eq!(parse_err("[1]").rule, "body-malformed");
    assert_eq!(parse_err("").rule, "body-malformed");
}

#[test]
fn parse_requires_data() {
    let v = parse_err("{}");
    assert_eq!((v.rule, v.path.as_str()), ("param-missing", "$['data']"));
    assert_eq!(parse_err(r#"{"data": []}"#).rule, "data-empty");
    assert_eq!(parse_err(r#"{"data": {}}"#).rule, "param-type");
}

#[test]
fn parse_accepts_form_style_data_strings() {
    let data = serde_json::to_string(&vec![valid()]).expect("serializes");
    let body = serde_json::json!({ "data": data }).to_string();
    assert_eq!(
        parse_request(body.as_bytes()).expect("valid").data,
        vec![valid()]
    );
}

#[test]
fn parse_refuses_unknown_keys() {
    let v = parse_err(
        r#"{"data":[{"event_name":"Lead","event_time":1,"action_source":"email","advertiser_tracking_enabled":true}]}"#,
    );
    assert_eq!(v.rule, "unknown-key");
    assert_eq!(
        v.message,
        r#"Server Side Api Parameter Error: Unexpected key "advertiser_tracking_enabled" on param "$['data'][0]""#
    );
    let v = parse_err(
        r#"{"data":[{"event_name":"Lead","event_time":1,"action_source":"email","user_data":{"email":"x"}}]}"#,
    );
    assert!(
        v.message
            .contains(r#"Unexpected key "email" on param "$['data'][0]['user_data']""#)
    );
}

#[test]
fn parse_warns_about_unknown_top_level_keys() {
    let parsed = parse_body(
        br#"{"data":[{"event_name":"Lead","event_time":1,"action_source":"email"}],"debug":1}"#,
    );
    assert!(parsed.request.is_ok());
    assert_eq!(parsed.warnings[0].rule, "request-unknown-key");
    assert_eq!(parsed.warnings[0].path, "$['debug']");
}

#[test]
fn parse_names_missing_and_mistyped_fields() {
    let v = parse_err(r#"{"data":[{"event_name":"Lead","action_source":"email"}]}"#);
    assert_eq!(
        (v.rule, v.message.as_str()),
        (
            "param-missing",
            "The parameter $['data'][0]['event_time'] is required."
        )
    );
    let v = parse_err(
        r#"{"data":[{"event_name":"Lead","event_time":"1767225600","action_source":"email"}]}"#,
    );
    assert_eq!(
        (v.rule, v.path.as_str()),
        ("param-type", "$['data'][0]['event_time']")
    );
    let v =
        parse_err(r#"{"data":[{"event_name":"Lead","event_time":1.5,"action_source":"email"}]}"#);
    assert_eq!(v.rule, "param-type");
    let v = parse_err(
        r#"{"data":[{"event_name":"Lead","event_time":1,"action_source":"email","opt_out":"yes"}]}"#,
    );
    assert_eq!(v.path, "$['data'][0]['opt_out']");
    let v = parse_err(
        r#"{"data":[{"event_name":"Lead","event_time":1,"action_source":"email","user_data":{"em":[1]}}]}"#,
    );
    assert_eq!(v.path, "$['data'][0]['user_data']['em']");
    assert_eq!(parse_err(r#"{"data":[1]}"#).path, "$['data'][0]");
    assert_eq!(
        parse_err(r#"{"data":[{}],"access_token":5}"#).path,
        "$['access_token']"
    );
}

#[test]
fn parse_ignores_nulls_and_reads_single_strings() {
    let r = parse_request(
        br#"{"data":[{"event_name":"Lead","event_time":1,"action_source":"email","event_id":null,"user_data":{"em":"x","ph":null}}]}"#,
    )
    .expect("valid");
    assert_eq!(r.data[0].user_data.em, vec!["x".to_string()]);
    assert_eq!(r.data[0].event_id, None);
}
