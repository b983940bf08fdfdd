//! Rules on `user_data`: hashing, sufficiency, never-hashed ids and `fbc`/`fbp` (rules
//! 47–58).

use super::*;

/// Why an `fbc`/`fbp` value is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieIdProblem {
    /// Not `fb.{index}.{time}.{payload}[.{appendix}]`.
    Shape,
    /// The creation time has 10 digits: seconds instead of milliseconds.
    Seconds,
    /// The creation time is not 13 digits.
    Time,
    /// The payload is empty, or (for `fbp`) not digits.
    Payload,
    /// The fifth part is not a 2- or 8-character appendix.
    Appendix,
}

/// Checks an `fbc` (`numeric_payload = false`) or `fbp` (`true`) value against rules
/// 54/55: `fb.\d+.\d{13}.{payload}(.{appendix})?`.
///
/// # Errors
/// What is wrong with it.
pub fn check_cookie_id(s: &str, numeric_payload: bool) -> Result<(), CookieIdProblem> {
    let mut parts = s.as_bytes().split(|&c| c == b'.');
    let (Some(b"fb"), Some(index), Some(time), Some(payload)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(CookieIdProblem::Shape);
    };
    let appendix = parts.next();
    if parts.next().is_some() || index.is_empty() || !index.iter().all(u8::is_ascii_digit) {
        return Err(CookieIdProblem::Shape);
    }
    if !time.iter().all(u8::is_ascii_digit) || time.is_empty() {
        return Err(CookieIdProblem::Time);
    }
    match time.len() {
        13 => {}
        10 => return Err(CookieIdProblem::Seconds),
        _ => return Err(CookieIdProblem::Time),
    }
    if payload.is_empty() || (numeric_payload && !payload.iter().all(u8::is_ascii_digit)) {
        return Err(CookieIdProblem::Payload);
    }
    if let Some(a) = appendix
        && !is_appendix(a)
    {
        return Err(CookieIdProblem::Appendix);
    }
    Ok(())
}

pub(super) fn not_hashed_message(key: &str, path: &str) -> String {
    format!(
        "The {key} parameter isn't hashed ({path}). Hash all user parameters as SHA256, except for client user agent, click ID, and browser ID."
    )
}

pub(super) fn check_user_data(ud: &CapiUserData, i: usize, out: &mut Vec<Violation>) {
    // The keys present, on the stack (25 keys at most).
    let mut keys = [""; 32];
    let mut n = 0;
    {
        let mut add = |k: &'static str| {
            if let Some(slot) = keys.get_mut(n) {
                *slot = k;
                n += 1;
            }
        };
        for (k, v) in ud.hashed() {
            if !v.is_empty() {
                add(k);
            }
        }
        for (k, v) in ud.ids() {
            if v.is_some() {
                add(k);
            }
        }
        if ud.fb_login_id.is_some() {
            add("fb_login_id");
        }
        if ud.lead_id.is_some() {
            add("lead_id");
        }
    }
    let present = &keys[..n];
    if present.is_empty() {
        out.push(USER_DATA_EMPTY.at(
            p_field(i, "user_data"),
            format!(
                "The parameter {} has no customer information. Send at least one parameter, such as em, ph, external_id or client_ip_address with client_user_agent.",
                p_field(i, "user_data")
            ),
        ));
    } else if is_insufficient(present) {
        out.push(USER_DATA_INSUFFICIENT.at(
            p_field(i, "user_data"),
            format!(
                "The parameter {} has insufficient customer information: {} alone cannot be matched. Add a stronger parameter such as em, ph, external_id, client_ip_address, fbp or fbc.",
                p_field(i, "user_data"),
                present.join(" + ")
            ),
        ));
    }

    for (key, values) in ud.hashed() {
        for (j, v) in values.iter().enumerate() {
            match hash_form(v) {
                HashForm::Lower => {}
                HashForm::Upper => {
                    let path = p_sub_item(i, "user_data", key, j);
                    let message = format!(
                        "The {key} parameter ({path}) is upper-case hex; send SHA-256 hashes as lower-case hex."
                    );
                    out.push(USER_DATA_HASH_UPPERCASE.at(path, message));
                }
                HashForm::NotHashed if key == "external_id" => {
                    let path = p_sub_item(i, "user_data", key, j);
                    let message = format!(
                        "The external_id parameter ({path}) isn't hashed. That is allowed, but it must then be unhashed on the Pixel too; hashing it with SHA-256 is recommended."
                    );
                    out.push(EXTERNAL_ID_NOT_HASHED.at(path, message));
                }
                HashForm::NotHashed => {
                    let path = p_sub_item(i, "user_data", key, j);
                    let message = not_hashed_message(key, &path);
                    out.push(USER_DATA_NOT_HASHED.at(path, message));
                }
            }
        }
    }

    if let Some(value) = &ud.client_ip_address {
        check_client_ip(value, i, out);
    }
    if let Some(value) = &ud.fbc {
        check_cookie(value, "fbc", i, out);
    }
    if let Some(value) = &ud.fbp {
        check_cookie(value, "fbp", i, out);
    }
    // The other never-hashed ids (Meta's parameter index: "Do not hash", `madid` too).
    for (key, value) in [
        ("client_user_agent", &ud.client_user_agent),
        ("subscription_id", &ud.subscription_id),
        ("anon_id", &ud.anon_id),
        ("madid", &ud.madid),
        ("page_id", &ud.page_id),
        ("page_scoped_user_id", &ud.page_scoped_user_id),
        ("ctwa_clid", &ud.ctwa_clid),
        ("ig_account_id", &ud.ig_account_id),
        ("ig_sid", &ud.ig_sid),
    ] {
        if let Some(value) = value
            && looks_hashed(value)
        {
            let path = p_sub(i, "user_data", key);
            let message = format!(
                "The parameter {path} looks hashed, but Meta expects it unhashed. Send it as it is."
            );
            out.push(USER_DATA_ID_HASHED.at(path, message));
        }
    }

    for (key, value) in [("fb_login_id", &ud.fb_login_id), ("lead_id", &ud.lead_id)] {
        let ok = match value {
            None => true,
            Some(Value::Number(n)) => n.is_u64(),
            Some(Value::String(s)) => !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()),
            Some(_) => false,
        };
        if !ok {
            let path = p_sub(i, "user_data", key);
            let message = format!("The parameter {path} should be an integer id.");
            out.push(USER_DATA_ID_NOT_INTEGER.at(path, message));
        }
    }
}

pub(super) fn check_cookie(value: &str, key: &str, i: usize, out: &mut Vec<Violation>) {
    let fbp = key == "fbp";
    if let Err(problem) = check_cookie_id(value, fbp) {
        let path = p_sub(i, "user_data", key);
        let (form, payload) = if fbp {
            (
                "fb.{subdomain_index}.{creation_time}.{random_number}",
                "random number (digits)",
            )
        } else {
            ("fb.{subdomain_index}.{creation_time}.{fbclid}", "fbclid")
        };
        let why = if looks_hashed(value) {
            "looks hashed; send the cookie value as it is (never hash it)".to_string()
        } else {
            match problem {
                CookieIdProblem::Seconds => "has a 10-digit creation time: that is seconds, but Meta expects Unix time in milliseconds (13 digits)".to_string(),
                CookieIdProblem::Time => "needs a creation time in milliseconds (13 digits)".to_string(),
                CookieIdProblem::Payload => format!("needs the {payload} as its fourth part"),
                CookieIdProblem::Appendix => "has a fifth part that is not a 2- or 8-character Parameter Builder appendix".to_string(),
                CookieIdProblem::Shape => format!("must have the form {form}"),
            }
        };
        let rule = if fbp { &FBP_FORMAT } else { &FBC_FORMAT };
        out.push(rule.at(path.clone(), format!("The parameter {path} {why}.")));
    }
}
