//! The Meta Pixel artifacts: per-page inline head snippets, and the site-wide `tagc.js`
//! with its head tags.
//!
//! The generated code is Meta's base code (the `fbq` stub and the async `fbevents.js`
//! loader), the setup calls (`consent`, `dataProcessingOptions`, `init`, `PageView`) and a
//! small runtime (`templates/runtime.js.j2`) driven by a JSON description of the pages.
//! The runtime carries only the features the configuration uses (a page without cookie
//! sources gets no cookie reader), which keeps snippets small.

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine as _;
use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior, Value, context};
use serde::Serialize;
use sha2::{Digest, Sha256, Sha384};

use crate::escape::html as escape;
use crate::model::{IdShare, LimitedDataUse, ParamValue, Source, Trigger};
use crate::resolve::{ResolvedEvent, ResolvedLocator, ResolvedPage, Site};

/// Options for the generated pixel code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PixelOptions {
    /// A CSP nonce (or a template placeholder for one, like `{{ csp_nonce }}`) to put on
    /// every inline `<script>`.
    pub nonce: Option<String>,
    /// Where the site serves `tagc.js` (site-wide mode), e.g. `/assets/tagc.js`.
    pub script_url: String,
}

/// The site-wide artifacts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteWide {
    /// `tagc.js`: the pixel setup and runtime for every page.
    pub script: String,
    /// The tags for `<head>`: the inline loader, the `<script src integrity>` tag and the
    /// `<noscript>` fallback.
    pub head: String,
    /// The Subresource Integrity value of `script` (`sha384-…`).
    pub integrity: String,
    /// The CSP source for the inline loader (`'sha256-…'`), for sites that allow inline
    /// scripts by hash.
    pub loader_csp_hash: String,
}

/// Why pixel code could not be generated. Every variant is a bug in tagc (a template
/// error), not a problem of the configuration.
#[derive(Debug, thiserror::Error)]
pub enum EmitError {
    /// A template failed to render.
    #[error("internal error rendering {template}: {source}")]
    Template {
        /// The template name.
        template: &'static str,
        /// The template engine's error.
        source: minijinja::Error,
    },
}

/// The inline head snippet of one page: everything in one `<script>` plus `<noscript>`.
///
/// # Errors
/// Only on an internal template error.
pub fn inline_snippet(site: &Site, opts: &PixelOptions) -> Result<String, EmitError> {
    Renderer::new().inline_snippet(site, opts)
}

/// The site-wide script and head tags.
///
/// # Errors
/// Only on an internal template error.
pub fn site_wide(site: &Site, opts: &PixelOptions) -> Result<SiteWide, EmitError> {
    Renderer::new().site_wide(site, opts)
}

/// The runtime's text functions, `tidy` and `label` (`templates/text.js.j2`), as a
/// standalone script: what `tagc verify` evaluates in a page to find an element by its
/// text exactly as the runtime does.
#[must_use]
pub fn text_js() -> String {
    static TEXT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        environment()
            .get_template("text.js.j2")
            .and_then(|t| t.render(context! { f => context! { text_locator => true } }))
            .unwrap_or_default()
    });
    TEXT.clone()
}

/// The runtime's rule for which element a button designates (`templates/find.js.j2`):
/// `up(t)`, an element and its ancestors out through open shadow roots, and `find(b,
/// path)`, the first on that path matching `b.selector`, or whose `label` is `b.text`
/// (inside `b.within`). Standalone, for `tagc scan` to tell which configured button fires
/// on an element exactly as the runtime would; it needs [`text_js`] before it.
#[must_use]
pub fn find_js() -> String {
    static FIND: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        environment()
            .get_template("find.js.j2")
            .and_then(|t| {
                t.render(context! { f => context! { buttons => true, text_locator => true } })
            })
            .unwrap_or_default()
    });
    FIND.clone()
}

/// The runtime's value readers, `num`, `int`, `bool` and the `as` that applies them by
/// type (`templates/values.js.j2`, with the `tidy` they use), as a standalone script: the browser's side of the one definition
/// of reading values (`docs/values.md`), which `crate::values` is on the server's.
#[must_use]
pub fn values_js() -> String {
    static VALUES: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let env = environment();
        let f = context! { f => context! { text_locator => false, number => true, boolean => true, list => true, contents => true } };
        let render = |name: &str| env.get_template(name).and_then(|t| t.render(&f));
        match (render("text.js.j2"), render("values.js.j2")) {
            (Ok(text), Ok(values)) => text + &values,
            _ => String::new(),
        }
    });
    VALUES.clone()
}

/// The templates, compiled once and used for many pages.
pub struct Renderer {
    env: Environment<'static>,
    /// The runtime's code for each set of features, before and after its page table:
    /// thousands of pages share a handful of feature sets.
    runtimes: std::sync::Mutex<HashMap<Features, Arc<(String, String)>>>,
}

/// The site-wide inline loader: a stand-in `tagc` that queues consent calls until
/// `tagc.js` has loaded. A constant, so the manifest's CSP hash is of exactly these bytes.
const LOADER: &str = "window.tagc=window.tagc||{q:[],grant:function(){tagc.q.push('grant')},revoke:function(){tagc.q.push('revoke')}};";

/// Stands in for the page table while the runtime is rendered, and for the runtime while
/// the page around it is; it can't occur in a template's own text.
const CONFIG_SLOT: &str = "\u{0}tagc:config\u{0}";

impl Default for Renderer {
    fn default() -> Self {
        Self::new()
    }
}

impl Renderer {
    /// Compiles the templates.
    #[must_use]
    pub fn new() -> Self {
        Renderer {
            env: environment(),
            runtimes: std::sync::Mutex::default(),
        }
    }

    /// See [`inline_snippet`].
    ///
    /// # Errors
    /// Only on an internal template error.
    pub fn inline_snippet(&self, site: &Site, opts: &PixelOptions) -> Result<String, EmitError> {
        match site.pages.first() {
            Some(page) => self.page_snippet(site, page, opts),
            None => self.with_runtime("inline.html.j2", site, &[], opts, context! { page => "" }),
        }
    }

    /// The inline snippet of `page`, one of `site`'s pages (the site's other pages are not
    /// copied to make a one-page site).
    ///
    /// # Errors
    /// Only on an internal template error.
    pub fn page_snippet(
        &self,
        site: &Site,
        page: &ResolvedPage,
        opts: &PixelOptions,
    ) -> Result<String, EmitError> {
        let ctx = context! { page => page.id.as_str() };
        self.with_runtime(
            "inline.html.j2",
            site,
            std::slice::from_ref(page),
            opts,
            ctx,
        )
    }

    /// See [`site_wide`].
    ///
    /// # Errors
    /// Only on an internal template error.
    pub fn site_wide(&self, site: &Site, opts: &PixelOptions) -> Result<SiteWide, EmitError> {
        let script = self.with_runtime("site.js.j2", site, &site.pages, opts, context! {})?;
        let integrity = format!(
            "sha384-{}",
            base64::engine::general_purpose::STANDARD.encode(Sha384::digest(script.as_bytes()))
        );
        let head = self.render(
            "head.html.j2",
            site,
            opts,
            context! {
                integrity => integrity.clone(),
                script_url => opts.script_url.clone(),
                loader => Value::from_safe_string(LOADER.to_owned()),
            },
        )?;
        // The hash of the loader itself, not of what a parse of the tags finds.
        let loader_csp_hash = format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(LOADER.as_bytes()))
        );
        Ok(SiteWide {
            script,
            head,
            integrity,
            loader_csp_hash,
        })
    }

    /// The runtime for `f`, split where its page table goes.
    fn runtime(&self, f: Features) -> Result<Arc<(String, String)>, minijinja::Error> {
        let mut cache = self
            .runtimes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(code) = cache.get(&f) {
            return Ok(Arc::clone(code));
        }
        let text = self.env.get_template("runtime.js.j2")?.render(context! {
            f => Value::from(Serde(&f)),
            config => Value::from_safe_string(CONFIG_SLOT.to_owned()),
        })?;
        let Some((before, after)) = text.split_once(CONFIG_SLOT) else {
            return Err(minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                "the runtime template does not print its page table",
            ));
        };
        let code = Arc::new((before.to_owned(), after.to_owned()));
        cache.insert(f, Arc::clone(&code));
        Ok(code)
    }

    /// The values every template reads: the site's title, environment, pixels, consent,
    /// Limited Data Use and nonce, plus `extra`.
    fn context(site: &Site, opts: &PixelOptions, extra: Value) -> Value {
        let ldu = site.limited_data_use.map(|l| match l {
            LimitedDataUse::Off => "[]".to_owned(),
            LimitedDataUse::Geolocate => "['LDU'], 0, 0".to_owned(),
            LimitedDataUse::Explicit { country, state } => format!("['LDU'], {country}, {state}"),
        });
        context! {
            title => site.name.as_deref().unwrap_or("site"),
            env => site.env.clone(),
            pixels => Value::from(Serde(&site.pixels)),
            consent_required => site.consent_required,
            // Built from integers only.
            ldu => ldu.map(Value::from_safe_string),
            nonce => opts.nonce.clone(),
            ..extra
        }
    }

    /// A template that does not print the runtime (the site-wide head tags).
    fn render(
        &self,
        name: &'static str,
        site: &Site,
        opts: &PixelOptions,
        extra: Value,
    ) -> Result<String, EmitError> {
        let err = |source| EmitError::Template {
            template: name,
            source,
        };
        let tmpl = self.env.get_template(name).map_err(err)?;
        tmpl.render(Self::context(site, opts, extra)).map_err(err)
    }

    /// A template that prints the runtime for `pages` (`{{ runtime }}`). The template is
    /// rendered around a slot, and the runtime and its page table (megabytes for a large
    /// site) are copied into place once, into a string of the exact size, rather than
    /// through the template engine's growing buffer.
    fn with_runtime(
        &self,
        name: &'static str,
        site: &Site,
        pages: &[ResolvedPage],
        opts: &PixelOptions,
        extra: Value,
    ) -> Result<String, EmitError> {
        let err = |source| EmitError::Template {
            template: name,
            source,
        };
        // Laid out and escaped here, in one pass, rather than through the template engine.
        let table = RuntimeConfig::new(pages);
        let config = table.layout().map_err(|e| {
            err(minijinja::Error::new(
                minijinja::ErrorKind::BadSerialization,
                e.to_string(),
            ))
        })?;
        let mut f = features(pages);
        f.shared = !table.events.is_empty();
        f.consent = site.consent_required;
        let runtime = self.runtime(f).map_err(err)?;
        let page = self
            .env
            .get_template(name)
            .and_then(|t| {
                t.render(context! {
                    runtime => Value::from_safe_string(CONFIG_SLOT.to_owned()),
                    ..Self::context(site, opts, extra)
                })
            })
            .map_err(err)?;
        let Some((head, tail)) = page.split_once(CONFIG_SLOT) else {
            return Err(err(minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                "the template does not print the runtime",
            )));
        };
        let (before, after) = &*runtime;
        let mut out = String::with_capacity(
            head.len() + before.len() + config.len() + after.len() + tail.len(),
        );
        for part in [head, before, &config, after, tail] {
            out.push_str(part);
        }
        Ok(out)
    }
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    // Nothing is printed unless it went through an escaping filter (or is a number or a
    // boolean): a template that prints a raw string fails instead of emitting it.
    env.set_formatter(|out, state, value| {
        if value.is_safe()
            || value.is_number()
            || value.is_true()
            || value.kind() == minijinja::value::ValueKind::Bool
        {
            minijinja::escape_formatter(out, state, value)
        } else {
            Err(minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                "a string reached the output without an escaping filter (js, attr, placeholder, comment)",
            ))
        }
    });
    env.add_filter("js", |v: Value| to_js(&v));
    env.add_filter("attr", |v: String| {
        Value::from_safe_string(escape::html_attr(&v))
    });
    env.add_filter("placeholder", |v: String| {
        Value::from_safe_string(escape::placeholder_attr(&v))
    });
    env.add_filter("comment", |v: String| {
        Value::from_safe_string(escape::comment(&v))
    });
    for (name, text) in TEMPLATES {
        // The templates are part of the binary; a syntax error is caught by the tests.
        if let Err(e) = env.add_template_owned(name, compact(name, text)) {
            debug_assert!(false, "template {name}: {e}");
        }
    }
    env
}

/// The runtime's template is written for people (indentation, comments); what ships is the
/// same code with each line's indentation and every `//` comment line removed. One statement
/// stays on one line, so a diff of two builds still reads line by line.
fn compact(name: &str, text: &str) -> String {
    if !matches!(
        name,
        "runtime.js.j2" | "text.js.j2" | "values.js.j2" | "find.js.j2"
    ) {
        return text.to_owned();
    }
    text.lines()
        .map(str::trim_start)
        .filter(|l| !l.starts_with("//"))
        .fold(String::with_capacity(text.len()), |mut s, l| {
            s.push_str(l);
            s.push('\n');
            s
        })
}

const TEMPLATES: [(&str, &str); 9] = [
    ("setup.js.j2", include_str!("templates/setup.js.j2")),
    ("text.js.j2", include_str!("templates/text.js.j2")),
    ("find.js.j2", include_str!("templates/find.js.j2")),
    ("values.js.j2", include_str!("templates/values.js.j2")),
    ("runtime.js.j2", include_str!("templates/runtime.js.j2")),
    (
        "noscript.html.j2",
        include_str!("templates/noscript.html.j2"),
    ),
    ("inline.html.j2", include_str!("templates/inline.html.j2")),
    ("site.js.j2", include_str!("templates/site.js.j2")),
    ("head.html.j2", include_str!("templates/head.html.j2")),
];

fn to_js(v: &Value) -> Result<Value, minijinja::Error> {
    escape::js(v)
        .map(Value::from_safe_string)
        .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::BadSerialization, e.to_string()))
}

/// Which parts of the runtime a site needs.
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash, Serialize)]
struct Features {
    attribute: bool,
    text: bool,
    query: bool,
    url_param: bool,
    data_layer: bool,
    window: bool,
    cookie: bool,
    meta: bool,
    random: bool,
    dig: bool,
    number: bool,
    boolean: bool,
    list: bool,
    contents: bool,
    share: bool,
    share_form: bool,
    share_data_layer: bool,
    share_cookie: bool,
    buttons: bool,
    text_locator: bool,
    click: bool,
    submit: bool,
    /// The page table names events shared by several buttons or loads.
    shared: bool,
    /// Some event is for some of the pixels only (`trackSingle`).
    targeted: bool,
    /// `consent: required`: nothing is stored on the visitor's device before the grant.
    consent: bool,
}

fn features(pages: &[ResolvedPage]) -> Features {
    let mut f = Features::default();
    let source = |s: &Source, f: &mut Features| {
        match s {
            Source::Attribute { .. } => f.attribute = true,
            Source::Text { .. } => f.text = true,
            Source::Query { .. } => f.query = true,
            Source::UrlParam { .. } => f.url_param = true,
            Source::DataLayer { .. } => f.data_layer = true,
            Source::Window { .. } => f.window = true,
            Source::Cookie { .. } => f.cookie = true,
            Source::Meta { .. } => f.meta = true,
            Source::Random => f.random = true,
        }
        match s.ty() {
            crate::model::ParamType::Number | crate::model::ParamType::Integer => f.number = true,
            crate::model::ParamType::Boolean => f.boolean = true,
            crate::model::ParamType::StringList => f.list = true,
            crate::model::ParamType::Contents => {
                f.contents = true;
                f.number = true;
            }
            crate::model::ParamType::String => {}
        }
    };
    for e in pages
        .iter()
        .flat_map(|p| p.on_load.iter().chain(p.buttons.iter().map(|b| &b.event)))
    {
        for v in e.params.values() {
            if let ParamValue::Source(s) = v {
                source(s, &mut f);
            }
        }
        f.targeted |= e.pixels.is_some();
        if let Some(id) = &e.event_id {
            source(&id.source, &mut f);
            match &id.share {
                Some(IdShare::FormField { .. }) => f.share_form = true,
                Some(IdShare::DataLayer { .. }) => f.share_data_layer = true,
                Some(IdShare::Cookie { .. }) => f.share_cookie = true,
                None => {}
            }
        }
    }
    f.share = f.share_form || f.share_data_layer || f.share_cookie;
    f.dig = f.data_layer || f.window;
    for b in pages.iter().flat_map(|p| p.buttons.iter()) {
        f.buttons = true;
        match b.on {
            Trigger::Click => f.click = true,
            Trigger::Submit => f.submit = true,
        }
        if matches!(b.locator, ResolvedLocator::Text { .. }) {
            f.text_locator = true;
        }
    }
    f
}

/// The JSON description of the pages that the runtime reads.
#[derive(Debug, Serialize)]
struct RuntimeConfig<'a> {
    /// Events that several buttons or page loads fire identically, written once and
    /// named `"{event}#{n}"` where they are used (a `#` keeps the names clear of
    /// `Object.prototype`'s).
    events: Vec<(String, RtEvent<'a>)>,
    pages: Vec<RtPage<'a>>,
}

#[derive(Debug, Serialize)]
struct RtPage<'a> {
    id: &'a str,
    url: Vec<&'a str>,
    load: Vec<RtRef<'a>>,
    buttons: Vec<RtButton<'a>>,
}

/// An event where it is used: written out, or the name of a shared one.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum RtRef<'a> {
    Shared(SharedName),
    Inline(RtEvent<'a>),
}

/// The name of a shared event where it is used: one string for all its uses.
#[derive(Debug, Clone)]
struct SharedName(Arc<str>);

impl Serialize for SharedName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[derive(Debug, Serialize)]
struct RtButton<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    selector: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    within: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    on: Option<&'static str>,
    event: RtRef<'a>,
}

#[derive(Debug, Clone, Serialize)]
struct RtEvent<'a> {
    call: &'static str,
    event: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pixels: Option<&'a [String]>,
    #[serde(skip_serializing_if = "RtParams::is_empty")]
    params: RtParams<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<RtId<'a>>,
}

#[derive(Debug, Clone, Serialize)]
struct RtId<'a> {
    source: RtSource<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    share: Option<&'a IdShare>,
}

/// An event's parameters as the runtime reads them: constants as they are, sources as
/// [`rt_source`] writes them, by key. Borrowed, and converted only while serialized: a
/// large site's page table has hundreds of thousands of events.
#[derive(Debug, Clone, Copy)]
struct RtParams<'a>(&'a ResolvedEvent);

impl RtParams<'_> {
    fn is_empty(&self) -> bool {
        self.0.params.is_empty()
    }
}

impl Serialize for RtParams<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut params: Vec<(&str, &ParamValue)> =
            self.0.params.iter().map(|(k, v)| (k.as_str(), v)).collect();
        params.sort_by_key(|&(k, _)| k);
        let mut map = s.serialize_map(Some(params.len()))?;
        for (k, v) in params {
            match v {
                ParamValue::Literal(l) => map.serialize_entry(k, l)?,
                ParamValue::Source(src) => map.serialize_entry(k, &RtSource(src))?,
            }
        }
        map.end()
    }
}

/// A source as the runtime reads it ([`rt_source`]), converted only while serialized.
#[derive(Debug, Clone, Copy)]
struct RtSource<'a>(&'a Source);

impl Serialize for RtSource<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        rt_source(self.0).serialize(s)
    }
}

/// Items one per line at the depth of a page's lists.
fn list<T: Serialize>(out: &mut String, items: &[T]) -> Result<(), serde_json::Error> {
    for (i, item) in items.iter().enumerate() {
        out.push_str(if i == 0 { "\n        " } else { ",\n        " });
        out.push_str(&escape::js(item)?);
    }
    if !items.is_empty() {
        out.push_str("\n      ");
    }
    Ok(())
}

/// A source as the runtime reads it: `from`, its target, and `type`.
fn rt_source(s: &Source) -> serde_json::Value {
    let mut v = serde_json::to_value(s).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        // Strings are the default; leave them implicit to keep snippets small.
        if o.get("type").and_then(|t| t.as_str()) == Some("string") {
            o.remove("type");
        }
    }
    v
}

impl<'a> RuntimeConfig<'a> {
    /// The JSON text laid out for diffs: one line per page field, one line per event or
    /// button, keys in reading order (`id`, `url`, `load`, `buttons`); escaped for
    /// `<script>` by [`escape::js`].
    fn layout(&self) -> Result<String, serde_json::Error> {
        use std::fmt::Write as _;
        let mut out = String::from("{\n");
        if !self.events.is_empty() {
            out.push_str("  \"events\": {");
            for (i, (name, e)) in self.events.iter().enumerate() {
                out.push_str(if i == 0 { "\n    " } else { ",\n    " });
                let _ = write!(out, "{}: {}", escape::js(name)?, escape::js(e)?);
            }
            out.push_str("\n  },\n");
        }
        out.push_str("  \"pages\": [");
        for (i, p) in self.pages.iter().enumerate() {
            out.push_str(if i == 0 { "\n    {\n" } else { ",\n    {\n" });
            let _ = writeln!(out, "      \"id\": {},", escape::js(p.id)?);
            let _ = writeln!(out, "      \"url\": {},", escape::js(&p.url)?);
            out.push_str("      \"load\": [");
            list(&mut out, &p.load)?;
            out.push_str("],\n      \"buttons\": [");
            list(&mut out, &p.buttons)?;
            out.push_str("]\n    }");
        }
        out.push_str(if self.pages.is_empty() {
            "]\n}"
        } else {
            "\n  ]\n}"
        });
        Ok(out)
    }

    fn new(pages: &'a [ResolvedPage]) -> Self {
        let event = |e: &'a ResolvedEvent| RtEvent {
            call: match (e.custom, e.pixels.is_some()) {
                (false, false) => "track",
                (true, false) => "trackCustom",
                (false, true) => "trackSingle",
                (true, true) => "trackSingleCustom",
            },
            event: &e.event,
            pixels: e.pixels.as_deref(),
            params: RtParams(e),
            id: e.event_id.as_ref().map(|id| RtId {
                source: RtSource(&id.source),
                share: id.share.as_ref(),
            }),
        };
        let pages = pages
            .iter()
            .map(|p| RtPage {
                id: &p.id,
                url: p.url.iter().map(|u| u.regex.as_str()).collect(),
                load: p.on_load.iter().map(|e| RtRef::Inline(event(e))).collect(),
                buttons: p
                    .buttons
                    .iter()
                    .map(|b| {
                        let (selector, text, within) = match &b.locator {
                            ResolvedLocator::Selector { selector } => {
                                (Some(selector.as_str()), None, None)
                            }
                            ResolvedLocator::Text { text, within } => {
                                (None, Some(text.as_str()), within.as_deref())
                            }
                        };
                        RtButton {
                            id: &b.id,
                            selector,
                            text,
                            within,
                            on: (b.on == Trigger::Submit).then_some("submit"),
                            event: RtRef::Inline(event(&b.event)),
                        }
                    })
                    .collect(),
            })
            .collect();
        let mut config = RuntimeConfig {
            events: Vec::new(),
            pages,
        };
        config.share();
        config
    }

    /// Moves every event fired identically from two or more places into `events`, named
    /// in order of first use.
    fn share(&mut self) {
        // Each event's JSON text is its identity: each distinct text is kept once, and
        // every use by its number, in the order of the second pass.
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut uses: Vec<usize> = Vec::new();
        let mut keys: Vec<Option<usize>> = Vec::new();
        for p in &self.pages {
            for r in p.load.iter().chain(p.buttons.iter().map(|b| &b.event)) {
                // An event that cannot be serialized (none can) is never shared.
                let text = match r {
                    RtRef::Inline(e) => serde_json::to_string(e).ok(),
                    RtRef::Shared(_) => None,
                };
                keys.push(text.map(|t| {
                    let next = ids.len();
                    let id = *ids.entry(t).or_insert(next);
                    if id == uses.len() {
                        uses.push(0);
                    }
                    if let Some(n) = uses.get_mut(id) {
                        *n += 1;
                    }
                    id
                }));
            }
        }
        drop(ids);
        if !uses.iter().any(|&n| n > 1) {
            return;
        }
        let mut names: Vec<Option<SharedName>> = vec![None; uses.len()];
        let mut per_event: HashMap<&str, usize> = HashMap::new();
        let events = &mut self.events;
        let mut keys = keys.iter();
        for p in &mut self.pages {
            for r in p
                .load
                .iter_mut()
                .chain(p.buttons.iter_mut().map(|b| &mut b.event))
            {
                let Some(&Some(k)) = keys.next() else {
                    continue;
                };
                let RtRef::Inline(e) = r else { continue };
                if uses.get(k).copied().unwrap_or(0) < 2 {
                    continue;
                }
                let Some(slot) = names.get_mut(k) else {
                    continue;
                };
                let name = slot
                    .get_or_insert_with(|| {
                        let n = per_event.entry(e.event).or_default();
                        *n += 1;
                        let name = format!("{}#{n}", e.event);
                        events.push((name.clone(), e.clone()));
                        SharedName(name.into())
                    })
                    .clone();
                *r = RtRef::Shared(name);
            }
        }
    }
}
