//! `POST save`: the panel's choice → a new button in the configuration file, edited in
//! place ([`crate::edit`]), then checked; a result that does not check is undone.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Value, json};

use crate::check::Checked;
use crate::diagnostic::render::{DiagnosticReport, Format};
use crate::edit::{self, NewButton, NewLocator, NewPage, NewParam};
use crate::load::Limits;
use crate::model::{ParamType, Source, Trigger};
use crate::resolve::Site;

/// What the panel sends.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveRequest {
    /// The element's index in the scan report (for the answer only).
    #[serde(default)]
    pub index: Option<usize>,
    /// The event name: a standard event, or a custom one.
    pub event: String,
    /// Where the event's `value` comes from.
    #[serde(default)]
    pub value: ValueChoice,
    /// How the runtime finds the element.
    pub locator: LocatorChoice,
    /// The new button's id.
    pub id: String,
    /// `click` (default) or `submit`.
    #[serde(default)]
    pub on: Option<String>,
}

/// The panel's value choice.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ValueChoice {
    /// "Don't include value".
    #[default]
    None,
    /// A constant amount.
    Constant {
        /// The amount, as typed (`25`, `24.90`).
        amount: String,
        /// An ISO 4217 code.
        currency: String,
    },
    /// An attribute of the clicked element or of its closest ancestor matching `closest`.
    Attribute {
        /// The attribute's name.
        name: String,
        /// A CSS selector for the ancestor; empty for the element itself.
        #[serde(default)]
        closest: String,
        /// An ISO 4217 code.
        currency: String,
    },
    /// The text of the clicked element, or of the first match of `selector`.
    Text {
        /// A CSS selector; empty for the clicked element.
        #[serde(default)]
        selector: String,
        /// An ISO 4217 code.
        currency: String,
    },
}

/// The panel's locator.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum LocatorChoice {
    /// `text:` (and `within:`).
    Text {
        /// The visible text.
        text: String,
        /// A CSS selector for the container; empty for none.
        #[serde(default)]
        within: String,
    },
    /// `selector:`.
    Selector {
        /// The CSS selector.
        selector: String,
    },
}

/// The configuration being edited and the page path the picker shows.
pub(super) struct Target {
    /// The root configuration file.
    pub config: PathBuf,
    /// The environment it is resolved for.
    pub env: String,
    /// The scanned document's path (`/`, `/congreso/madrid`).
    pub path: String,
    /// The configuration as last checked (clean).
    pub site: Site,
}

/// A refusal: a message for the panel (no colour, several lines allowed).
pub(super) type Refusal = String;

/// Counts the elements of the live page a locator designates (the runtime's rule).
pub(super) type Counter<'a> = dyn FnMut(&LocatorChoice) -> Result<u64, String> + 'a;

/// Validates `req`, edits the file, checks the result (undoing the edit when it does not
/// check) and answers the panel's JSON. `count` asks the live page how many elements a
/// locator designates.
pub(super) fn save(target: &mut Target, body: &str, count: &mut Counter<'_>) -> Value {
    match try_save(target, body, count) {
        Ok(v) => v,
        Err(diagnostics) => json!({"ok": false, "diagnostics": diagnostics}),
    }
}

fn try_save(target: &mut Target, body: &str, count: &mut Counter<'_>) -> Result<Value, Refusal> {
    let req: SaveRequest =
        serde_json::from_str(body).map_err(|e| format!("error: a malformed request: {e}"))?;
    let button = new_button(&req)?;
    // `from: text` with a selector reads the document's first match, wherever the click
    // was: right only when the selector designates one element.
    if let ValueChoice::Text { selector, .. } = &req.value
        && !selector.trim().is_empty()
    {
        let n = count(&LocatorChoice::Selector {
            selector: selector.trim().to_owned(),
        })
        .map_err(|e| format!("error: cannot count the value selector's matches: {e}"))?;
        if n != 1 {
            return Err(format!(
                "error: the value's selector `{}` matches {n} elements in the page, and a text \
                 value is read from the first match in the whole page, not from the one near the \
                 click; choose a selector of one element, or read an attribute with `closest`",
                selector.trim()
            ));
        }
    }
    let notes: Vec<String> = match count(&req.locator) {
        Ok(0) => vec![
            "the locator matches nothing in the page as scanned: the button fires only when \
             such an element appears"
                .to_owned(),
        ],
        Ok(1) | Err(_) => Vec::new(),
        Ok(n) => vec![format!(
            "the locator matches {n} elements in the page: the button fires on each of them"
        )],
    };
    // The file as it is now: it may have been edited by hand since the picker started.
    let before = check(&target.config)?;
    if let Some(text) = errors(&before) {
        return Err(format!(
            "error: the configuration has errors before this edit; fix them first\n{text}"
        ));
    }
    let site = resolve(&before, &target.env)?;
    let page = site.page_for_path(&target.path);
    if let Some(p) = page
        && p.buttons.iter().any(|b| b.id == button.id)
    {
        return Err(format!(
            "error: page `{}` already has a button `{}`; choose another id",
            p.id, button.id
        ));
    }
    let (file, edit) = match page {
        Some(p) => {
            let (file, index) = locate_page(&before, &p.id).ok_or_else(|| {
                format!(
                    "error: page `{}` was not found in any file of the configuration",
                    p.id
                )
            })?;
            (file, Edit::Button(index))
        }
        None => {
            let url = new_page_url(&target.path)?;
            let id = new_page_id(&target.path, &site);
            (
                new_page_file(&before, &target.config),
                Edit::Page { id, url },
            )
        }
    };
    let original = edit::read(&file).map_err(|e| format!("error: {e}"))?;
    let new_text = match &edit {
        Edit::Button(index) => edit::insert_button(original.text(), *index, &button),
        Edit::Page { id, url } => edit::insert_page(
            original.text(),
            &NewPage {
                id: id.clone(),
                url: url.clone(),
                button: button.clone(),
            },
        ),
    }
    .map_err(|e| format!("error: {e}"))?;
    edit::write_cas(&file, &original, &new_text).map_err(|e| format!("error: {e}"))?;
    let undo = |why: String| -> Refusal {
        match edit::undo(&file, &original) {
            Ok(()) => format!(
                "{why}\nThe edit was undone: {} is as it was.",
                file.display()
            ),
            Err(e) => format!("{why}\nerror: the edit could not be undone: {e}"),
        }
    };
    let after = match check(&target.config) {
        Ok(c) => c,
        Err(why) => return Err(undo(why)),
    };
    if let Some(text) = errors(&after) {
        return Err(undo(text));
    }
    let site = match resolve(&after, &target.env) {
        Ok(s) => s,
        Err(why) => return Err(undo(why)),
    };
    let page_id = site
        .page_for_path(&target.path)
        .filter(|p| {
            p.buttons
                .iter()
                .any(|b| b.id == button.id && b.event.event == button.event)
        })
        .map(|p| p.id.clone());
    let Some(page_id) = page_id else {
        return Err(undo(format!(
            "error: after the edit, the page for {} has no button `{}` firing {}",
            target.path, button.id, button.event
        )));
    };
    let (at, inserted) = inserted(original.text(), &new_text);
    let line = 1 + new_text[..at].matches('\n').count();
    let warnings = warnings_text(&after);
    target.site = site;
    Ok(json!({
        "ok": true,
        "index": req.index,
        "file": file.display().to_string(),
        "line": line,
        "inserted": inserted,
        "page": page_id,
        "created_page": matches!(edit, Edit::Page { .. }),
        "button": button.id,
        "event": button.event,
        "warnings": warnings,
        "notes": notes,
    }))
}

enum Edit {
    Button(usize),
    Page { id: String, url: String },
}

fn check(config: &Path) -> Result<Checked, Refusal> {
    crate::check::check_paths(&[config.to_path_buf()], Limits::default())
        .map_err(|e| format!("error: {e}"))
}

/// The human rendering of `checked`'s diagnostics, without colour, when it has errors.
fn errors(checked: &Checked) -> Option<String> {
    checked.diagnostics.has_errors().then(|| render(checked))
}

fn warnings_text(checked: &Checked) -> Option<String> {
    (!checked.diagnostics.as_slice().is_empty()).then(|| render(checked))
}

fn render(checked: &Checked) -> String {
    Format::Human
        .emitter(false, true)
        .render(&DiagnosticReport::new(
            &checked.diagnostics,
            &checked.sources,
        ))
}

fn resolve(checked: &Checked, env: &str) -> Result<Site, Refusal> {
    let config = checked
        .configs
        .first()
        .ok_or_else(|| "error: no configuration was loaded".to_owned())?;
    crate::resolve::resolve(config, env).map_err(|e| format!("error: {e}"))
}

/// The file defining page `id` and the page's index in that file's `pages:`.
pub(super) fn locate_page(checked: &Checked, id: &str) -> Option<(PathBuf, usize)> {
    let config = checked.configs.first()?;
    config.files.iter().find_map(|f| {
        let i = f.config.pages.iter().position(|p| p.id == id)?;
        Some((PathBuf::from(checked.sources.name(f.file)), i))
    })
}

/// Where a new page goes: the file holding the configuration's last page, else the root.
fn new_page_file(checked: &Checked, root: &Path) -> PathBuf {
    checked
        .configs
        .first()
        .and_then(|c| c.files.iter().rev().find(|f| !f.config.pages.is_empty()))
        .map_or_else(
            || root.to_path_buf(),
            |f| PathBuf::from(checked.sources.name(f.file)),
        )
}

/// A new page's pattern: the path itself, which must not hold a pattern's own syntax.
pub(super) fn new_page_url(path: &str) -> Result<String, Refusal> {
    if let Some(c) = path.chars().find(|c| matches!(c, '*' | '{' | '}')) {
        return Err(format!(
            "error: no page of the configuration matches {path}, and `{c}` cannot be written \
             in a URL pattern literally; add a page for it by hand (a `{{name}}` segment or \
             a `*`), then pick again"
        ));
    }
    Ok(path.to_owned())
}

/// A new page's id: the path's words (`home` for `/`), unique among the site's pages.
pub(super) fn new_page_id(path: &str, site: &Site) -> String {
    let words = path.replace(['/', '.', '_'], " ");
    let base = if words.trim().is_empty() {
        "home".to_owned()
    } else {
        match super::super::slug(&words) {
            s if s == "button" => "page".to_owned(),
            s => s,
        }
    };
    let taken = |id: &str| site.pages.iter().any(|p| p.id == id);
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|c| !taken(c))
        .unwrap_or(base)
}

/// Where `new` differs from `old` by one insertion: its byte offset (moved back to the
/// start of a line when the insertion is whole lines) and the inserted text.
fn inserted(old: &str, new: &str) -> (usize, String) {
    let added = new.len().saturating_sub(old.len());
    let mut at = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    // The longest common prefix may run into the inserted text when it starts like the
    // text after it; any offset between the common suffix's start and the prefix's end
    // gives the same result, so prefer a line start.
    let lowest = old.len().saturating_sub(
        old.bytes()
            .rev()
            .zip(new.bytes().rev())
            .take_while(|(a, b)| a == b)
            .count(),
    );
    while at > lowest && at > 0 && new.as_bytes()[at - 1] != b'\n' {
        at -= 1;
    }
    while !new.is_char_boundary(at) {
        at -= 1;
    }
    let end = (at + added).min(new.len());
    let text = new.get(at..end).unwrap_or_default().to_owned();
    (at, text)
}

fn new_button(req: &SaveRequest) -> Result<NewButton, Refusal> {
    let event = req.event.trim();
    if event.is_empty() {
        return Err("error: choose an event".to_owned());
    }
    let standard = crate::meta::events::is_standard_event(event);
    if !standard {
        let n = event.chars().count();
        if n > crate::meta::events::MAX_CUSTOM_EVENT_NAME {
            return Err(format!(
                "error: a custom event name may have at most {} characters (this one has {n})",
                crate::meta::events::MAX_CUSTOM_EVENT_NAME
            ));
        }
        if event.chars().any(char::is_control) {
            return Err("error: the event name has a control character".to_owned());
        }
    }
    let id = req.id.trim();
    let id_ok = id.len() <= 64
        && id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !id_ok {
        return Err(format!(
            "error: `{id}` is not a button id: use letters, digits, `-` and `_`, starting \
             with a letter or digit (at most 64)"
        ));
    }
    let locator = match &req.locator {
        LocatorChoice::Text { text, within } => {
            let text = crate::text::normalize_text(text);
            if text.is_empty() {
                return Err("error: the locator's text is empty".to_owned());
            }
            let within = selector_opt(within, "the locator's `within`")?;
            NewLocator::Text { text, within }
        }
        LocatorChoice::Selector { selector } => {
            let s = selector_opt(selector, "the locator")?
                .ok_or_else(|| "error: the locator's selector is empty".to_owned())?;
            NewLocator::Selector(s)
        }
    };
    let on = match req.on.as_deref() {
        None | Some("" | "click") => Trigger::Click,
        Some("submit") => Trigger::Submit,
        Some(other) => return Err(format!("error: `on: {other}`: use click or submit")),
    };
    let currency = |c: &str| -> Result<NewParam, Refusal> {
        let c = c.trim().to_ascii_uppercase();
        if crate::meta::currency::is_currency(&c) {
            Ok(NewParam::Text(c))
        } else {
            Err(format!(
                "error: `{c}` is not an ISO 4217 currency code (EUR, USD, GBP…)"
            ))
        }
    };
    let params = match &req.value {
        ValueChoice::None => Vec::new(),
        ValueChoice::Constant {
            amount,
            currency: c,
        } => {
            let a = amount.trim();
            let ok = a.parse::<f64>().is_ok_and(|f| f.is_finite() && f >= 0.0)
                && a.chars().all(|c| c.is_ascii_digit() || c == '.');
            let n: Option<serde_json::Number> = ok.then(|| serde_json::from_str(a).ok()).flatten();
            let Some(n) = n else {
                return Err(format!(
                    "error: `{a}` is not an amount: write digits with `.` as the decimal point (24.90)"
                ));
            };
            vec![
                ("value".to_owned(), NewParam::Number(n)),
                ("currency".to_owned(), currency(c)?),
            ]
        }
        ValueChoice::Attribute {
            name,
            closest,
            currency: c,
        } => {
            let name = name.trim();
            let name_ok = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'));
            if !name_ok {
                return Err(format!("error: `{name}` is not an attribute name"));
            }
            let source = Source::Attribute {
                name: name.to_owned(),
                closest: selector_opt(closest, "`closest`")?,
                ty: ParamType::Number,
            };
            vec![
                ("value".to_owned(), NewParam::Source(source)),
                ("currency".to_owned(), currency(c)?),
            ]
        }
        ValueChoice::Text {
            selector,
            currency: c,
        } => {
            let source = Source::Text {
                selector: selector_opt(selector, "the value's selector")?,
                ty: ParamType::Number,
            };
            vec![
                ("value".to_owned(), NewParam::Source(source)),
                ("currency".to_owned(), currency(c)?),
            ]
        }
    };
    Ok(NewButton {
        id: id.to_owned(),
        locator,
        event: event.to_owned(),
        custom: !standard,
        params,
        on,
    })
}

/// A CSS selector as typed: `None` when blank, refused when `tagc check` would refuse it.
fn selector_opt(s: &str, what: &str) -> Result<Option<String>, Refusal> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    crate::css::validate_selector(s)
        .map_err(|e| format!("error: {what} `{s}` is not a valid CSS selector: {e}"))?;
    Ok(Some(s.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_insertion_point_is_a_line_start() {
        let old = "a:\n  - id: x\nb: 1\n";
        let new = "a:\n  - id: x\n  - id: y\nb: 1\n";
        assert_eq!(inserted(old, new), (13, "  - id: y\n".to_owned()));
        let (at, text) = inserted("[a]", "[a, b]");
        assert_eq!(&"[a, b]"[at..at + text.len()], text);
    }

    #[test]
    fn new_page_patterns_refuse_pattern_syntax() {
        assert_eq!(new_page_url("/a/b").as_deref(), Ok("/a/b"));
        assert!(new_page_url("/a/*").unwrap_or_default().is_empty());
        assert!(new_page_url("/a/{b}").is_err());
    }
}
