//! Dedup contracts: the name under which the browser shares its event id (a form field, a
//! cookie, a data-layer key) against the record path the paired server event reads its
//! `event_id` from.
//!
//! Everything needed is in the configuration, so `check` reports what `verify` would
//! otherwise find late, or never:
//!
//! - the path ends in the shared name (`form.event_id` for the form field `event_id`), or
//!   in the same words in another case style (`form.eventId`): fine;
//! - the path's last segment is a near miss of the shared name (`form.eventid`,
//!   `form.evnt_id`): an error (TAG2028) with the path that reads it;
//! - an unrelated name (`order.ref`) for a random id: tagc cannot tell whether the backend
//!   copies the shared value there, a warning (TAG2030) that the server event silences by
//!   declaring it, `event_id: {path: order.ref, copied_from: event_id}`. An id the server
//!   can know on its own (an order id) may well be read from its own field: nothing.
//!
//! `copied_from` itself must name the shared id, and only `event_id` takes it.

use super::events::{effective, occurrences};
use super::{Ctx, join};
use crate::diagnostic::{Code, Diagnostic, truncate};
use crate::load::Seg;
use crate::model::{FieldSource, IdShare, ServerEvent, Source};

pub(super) fn check(ctx: &mut Ctx<'_>) {
    let files = ctx.files;
    for (f, vf) in files.iter().enumerate() {
        let Some(server) = &vf.config.server else {
            continue;
        };
        for (i, ev) in server.events.iter().enumerate() {
            let base = crate::path!["server", "events", i];
            misplaced_declarations(ctx, f, &base, ev);
            check_event(ctx, f, &base, ev);
        }
    }
}

/// How a shared name relates to the last segment of the path the server reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameMatch {
    /// The path ends in the name (`form.event_id` for `event_id`).
    Exact,
    /// The same words in another case style (`eventId`, `EventID`, `event-id`).
    SameWords,
    /// A near miss: a typo of the name (`eventid`, `evnt_id`).
    NearMiss,
    /// Nothing in common that tagc can tell.
    Unrelated,
}

/// How the record path `path` relates to the shared `name`.
pub(crate) fn name_match(path: &str, name: &str) -> NameMatch {
    if path == name || path.strip_suffix(name).is_some_and(|p| p.ends_with('.')) {
        return NameMatch::Exact;
    }
    let last = path.rsplit('.').next().unwrap_or(path);
    let (wl, wn) = (words(last), words(name));
    if !wn.is_empty() && wl == wn {
        return NameMatch::SameWords;
    }
    let (sl, sn) = (squash(last), squash(name));
    if sl == sn && !sn.is_empty() {
        return NameMatch::NearMiss;
    }
    // Short names are too close to everything (`id` and `eid`): only longer ones count
    // as typos.
    let limit = if sl.chars().count().max(sn.chars().count()) >= 12 {
        2
    } else {
        1
    };
    if sl.chars().count() >= 4
        && sn.chars().count() >= 4
        && strsim::damerau_levenshtein(&sl, &sn) <= limit
    {
        return NameMatch::NearMiss;
    }
    NameMatch::Unrelated
}

/// The lowercase words of a name: split at anything but letters and digits and at case
/// changes (`eventId`, `EventID`, `event_id` and `EVENT-ID` are all `event id`).
fn words(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            });
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The letters and digits of a name, lowercase.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// `form field `event_id``, `cookie `tagc_eid``, `data-layer key `tagc_event_id``.
fn describe(share: &IdShare) -> (String, &str) {
    match share {
        IdShare::FormField { name } => (format!("form field `{}`", truncate(name, 40)), name),
        IdShare::Cookie { name } => (format!("cookie `{}`", truncate(name, 40)), name),
        IdShare::DataLayer { key } => (format!("data-layer key `{}`", truncate(key, 40)), key),
    }
}

/// `copied_from` anywhere but `event_id` is not allowed.
fn misplaced_declarations(ctx: &mut Ctx<'_>, f: usize, base: &[Seg<'_>], ev: &ServerEvent) {
    let mut fields: Vec<(Vec<Seg<'_>>, &FieldSource)> = Vec::new();
    for (k, src) in [
        ("event_time", &ev.event_time),
        ("event_source_url", &ev.event_source_url),
    ] {
        if let Some(s) = src {
            fields.push((crate::path![k], s));
        }
    }
    for (k, s) in ev.user_data.entries() {
        fields.push((crate::path!["user_data", k], s));
    }
    for (k, s) in &ev.custom_data {
        fields.push((crate::path!["custom_data", k.as_str()], s));
    }
    for (rel, src) in fields {
        if src.spec().is_some_and(|s| s.copied_from.is_some()) {
            let at = join(base, rel.into_iter().chain([Seg::from("copied_from")]));
            ctx.push(
                Diagnostic::new(
                    Code::UnknownField,
                    ctx.key_span(f, &at),
                    "`copied_from` applies only to `event_id`",
                )
                .label("not allowed here")
                .help(
                    "remove it; it declares where the backend stores the browser's shared event id",
                ),
            );
        }
    }
}

fn check_event(ctx: &mut Ctx<'_>, f: usize, base: &[Seg<'_>], ev: &ServerEvent) {
    let Some(src) = &ev.event_id else { return };
    let id_at = join(base, [Seg::from("event_id")]);
    let declared = src.spec().and_then(|s| s.copied_from.as_deref());
    let decl_at = join(&id_at, [Seg::from("copied_from")]);
    let Some(target) = ev.deduplicate_with.as_deref() else {
        if declared.is_some() {
            ctx.push(
                Diagnostic::new(
                    Code::SharedIdNotRead,
                    ctx.span(f, &decl_at),
                    format!(
                        "server event `{}` declares where the browser's shared id is copied, but deduplicates with no browser event",
                        truncate(&ev.id, 40)
                    ),
                )
                .label("no browser event shares an id with this one")
                .help("remove `copied_from`, or add `deduplicate_with:` naming the browser event"),
            );
        }
        return;
    };
    // The browser event, as `server.rs` finds it (unknown references are reported there).
    let button = ctx.index.buttons.get(target).map(|at| (at.file, at.path()));
    let Some(occ) = occurrences(ctx).find(|o| match &button {
        Some((bf, bp)) => o.file == *bf && &o.path == bp,
        None => o.def_name == Some(target),
    }) else {
        return;
    };
    let Some(eff) = effective(ctx, &occ) else {
        return;
    };
    // No event id at all: TAG2012.
    let Some((eid, ef, epath)) = eff.event_id else {
        return;
    };
    let Some(share) = &eid.share else {
        if declared.is_some() {
            ctx.push(
                Diagnostic::new(
                    Code::SharedIdNotRead,
                    ctx.span(f, &decl_at),
                    format!(
                        "browser event `{}` shares no event id",
                        truncate(target, 60)
                    ),
                )
                .label("nothing is copied from the browser")
                .with_secondary(ctx.span(ef, &epath), "its event id, not shared")
                .help("remove `copied_from`, or add `share:` to the browser event's `event_id`"),
            );
        }
        return;
    };
    let Some(path) = src.path() else {
        // A constant: TAG2024.
        return;
    };
    let (how, name) = describe(share);
    let name_key = match share {
        IdShare::DataLayer { .. } => "key",
        _ => "name",
    };
    let share_span = ctx.span(ef, &join(&epath, [Seg::from("share"), Seg::from(name_key)]));
    let path_at = match src {
        FieldSource::Path(_) => id_at.clone(),
        FieldSource::Spec(_) => join(&id_at, [Seg::from("path")]),
    };
    let path_span = ctx.span(f, &path_at);
    let shown = truncate(path, 60);
    if let Some(d) = declared {
        if d != name {
            ctx.push(
                Diagnostic::new(
                    Code::SharedIdNotRead,
                    ctx.span(f, &decl_at),
                    format!(
                        "`copied_from: {}`, but the browser shares its event id as {how}",
                        truncate(d, 40)
                    ),
                )
                .label("not the shared name")
                .with_secondary(share_span, "shared here")
                .help(format!("did you mean `copied_from: {name}`?")),
            );
        }
        return;
    }
    let fixed = match path.rsplit_once('.') {
        Some((head, _)) => format!("{head}.{name}"),
        None => name.to_owned(),
    };
    match name_match(path, name) {
        NameMatch::Exact | NameMatch::SameWords => {}
        NameMatch::NearMiss => ctx.push(
            Diagnostic::new(
                Code::SharedIdNotRead,
                path_span,
                format!(
                    "server event `{}` reads its event id from `{shown}`, but the browser shares it as {how}",
                    truncate(&ev.id, 40)
                ),
            )
            .label("never holds the browser's id")
            .with_secondary(share_span, "shared here")
            .help(format!(
                "did you mean `{}`? Meta deduplicates only when both sides send the same id",
                truncate(&fixed, 60)
            )),
        ),
        NameMatch::Unrelated if matches!(eid.source, Source::Random) => ctx.push(
            Diagnostic::new(
                Code::SharedIdCopyUndeclared,
                path_span,
                format!(
                    "server event `{}` reads its event id from `{shown}`; tagc cannot tell that the backend copies the browser's {how} there",
                    truncate(&ev.id, 40)
                ),
            )
            .label("not the shared name")
            .with_secondary(share_span, "shared here")
            .help(format!(
                "if the backend stores it there, declare it: `event_id: {{path: {shown}, copied_from: {name}}}`; otherwise read the field the browser fills"
            )),
        ),
        NameMatch::Unrelated => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_exactly_at_the_end_of_the_path() {
        assert_eq!(name_match("form.event_id", "event_id"), NameMatch::Exact);
        assert_eq!(name_match("event_id", "event_id"), NameMatch::Exact);
        // A cookie name may hold dots.
        assert_eq!(name_match("cookies.tagc.eid", "tagc.eid"), NameMatch::Exact);
        assert_ne!(name_match("form.xevent_id", "event_id"), NameMatch::Exact);
    }

    #[test]
    fn other_case_styles_are_the_same_words() {
        for last in ["eventId", "EventID", "EVENT_ID", "event-id", "EventId"] {
            assert_eq!(
                name_match(&format!("order.{last}"), "event_id"),
                NameMatch::SameWords,
                "{last}"
            );
        }
        assert_eq!(
            name_match("session.tagcEid", "tagc_eid"),
            NameMatch::SameWords
        );
    }

    #[test]
    fn typos_are_near_misses() {
        for last in ["eventid", "evnt_id", "event_di", "eventi_d", "Eventid"] {
            assert_eq!(
                name_match(&format!("form.{last}"), "event_id"),
                NameMatch::NearMiss,
                "{last}"
            );
        }
        assert_eq!(
            name_match("cookies.tagc_ied", "tagc_eid"),
            NameMatch::NearMiss
        );
    }

    #[test]
    fn different_names_are_unrelated() {
        for (path, name) in [
            ("order.id", "eid"),
            ("form.eid", "event_id"),
            ("order.id", "event_id"),
            ("order.dedup_key", "event_id"),
            ("order.number", "tagc_event_id"),
            ("form.tagc_lead", "tagc_eid"),
        ] {
            assert_eq!(
                name_match(path, name),
                NameMatch::Unrelated,
                "{path} {name}"
            );
        }
    }

    #[test]
    fn words_split_at_case_changes_and_punctuation() {
        assert_eq!(words("eventID"), ["event", "id"]);
        assert_eq!(words("HTTPServer_id"), ["http", "server", "id"]);
        assert_eq!(words("a1B"), ["a1", "b"]);
        assert!(words("__").is_empty());
    }
}
