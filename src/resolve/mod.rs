//! Stage 3 — resolve: the validated files of one configuration → one typed model for one
//! environment, with every reference followed.
//!
//! Input: a [`Validated`] configuration without errors. Output: a [`Site`], in which
//! `use:` is applied, pixel names are replaced by the ids of the chosen environment, URL
//! patterns carry their compiled JavaScript regular expressions, and each browser event
//! knows the server event it deduplicates with. Emitters read only this model.
//! `tagc build --emit ir` prints it as JSON.

mod server;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash as _, Hasher as _};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::load::{Seg, Tree};
use crate::meta;
use crate::model::{
    ButtonVerify, Config, EventDef, EventFields, EventId, LimitedDataUse, Page, PageVerify,
    ParamMap, Step, Trigger,
};
use crate::source::Span;
use crate::urlpattern::UrlPattern;
use crate::validate::Validated;

pub use crate::text::normalize_text;
pub use server::{DEFAULT_GRAPH_VERSION, DedupLink, ResolvedServer, ResolvedServerEvent};

/// The resolved model of one configuration in one environment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Site {
    /// The site's name, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The site's canonical URL, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The environment the ids were chosen for (`production`, `staging`, …).
    pub env: String,
    /// The pixels active in this environment, in configuration order.
    pub pixels: Vec<ResolvedPixel>,
    /// Whether consent is required before any personal data is sent.
    pub consent_required: bool,
    /// Limited Data Use, when the configuration sets it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limited_data_use: Option<LimitedDataUse>,
    /// How a visitor accepts tracking on the consent banner (`site.verify.consent`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify_consent: Option<Step>,
    /// Pages in configuration order (the first page whose pattern matches wins).
    pub pages: Vec<ResolvedPage>,
    /// The Conversions API side.
    pub server: ResolvedServer,
}

/// A pixel with the id of the chosen environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedPixel {
    /// The name used in the configuration.
    pub name: String,
    /// The dataset id for this environment.
    pub id: String,
}

/// A page with its compiled URL patterns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedPage {
    /// The page id.
    pub id: String,
    /// The URL patterns, each with its JavaScript regular expression.
    pub url: Vec<ResolvedPattern>,
    /// Events fired when the page loads (or a route change lands on it).
    pub on_load: Vec<ResolvedEvent>,
    /// Buttons and forms that fire events.
    pub buttons: Vec<ResolvedButton>,
    /// How `tagc verify` checks it on a real site.
    #[serde(skip_serializing_if = "is_default")]
    pub verify: PageVerify,
    /// Where the page is defined (for reports).
    #[serde(skip)]
    pub origin: Span,
    /// Where each load event is defined, in `on_load` order.
    #[serde(skip)]
    pub on_load_origins: Vec<Span>,
}

/// A URL pattern and its compiled form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedPattern {
    /// As written in the configuration.
    pub pattern: String,
    /// A JavaScript `RegExp` source matching the same paths.
    pub regex: String,
}

/// How a button is found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum ResolvedLocator {
    /// The closest ancestor-or-self of the clicked element matching a CSS selector.
    Selector {
        /// The CSS selector.
        selector: String,
    },
    /// The innermost ancestor-or-self whose whitespace-normalised text equals `text`.
    Text {
        /// The visible text.
        text: String,
        /// Only inside an element matching this selector.
        #[serde(skip_serializing_if = "Option::is_none")]
        within: Option<String>,
    },
}

/// A button (or form) and the event it fires.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedButton {
    /// The button id.
    pub id: String,
    /// How the element is found.
    pub locator: ResolvedLocator,
    /// `click` or `submit`.
    pub on: Trigger,
    /// The event fired.
    pub event: ResolvedEvent,
    /// How `tagc verify` reaches and uses it on a real site.
    #[serde(skip_serializing_if = "is_default")]
    pub verify: ButtonVerify,
    /// Where the button is defined (for reports).
    #[serde(skip)]
    pub origin: Span,
}

/// A browser event after `use:` and pixel names are resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedEvent {
    /// The Meta event name.
    pub event: String,
    /// Whether it is a custom event (`trackCustom`) rather than a standard one (`track`).
    pub custom: bool,
    /// The pixel ids it goes to when not every pixel (`trackSingle`); `None` means all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pixels: Option<Vec<String>>,
    /// Parameters: constants, or sources read when the event fires. Shared by every
    /// event with the same parameters (a large site has hundreds of thousands of events
    /// and a handful of distinct parameter sets).
    #[serde(serialize_with = "serialize_params")]
    pub params: Arc<EventParams>,
    /// Where the `eventID` comes from and how it is handed to the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<EventId>,
    /// The ids of the server events that deduplicate with this event.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deduplicated_by: Vec<String>,
}

/// A resolved event's parameters, by name.
pub type EventParams = ParamMap;

fn serialize_params<S: serde::Serializer>(p: &Arc<EventParams>, s: S) -> Result<S::Ok, S::Error> {
    p.as_ref().serialize(s)
}

/// One copy of each distinct parameter set: equal sets are one [`Arc`].
#[derive(Default)]
struct ParamSets {
    /// By a hash of the set's JSON text; the sets themselves are compared.
    sets: Mutex<HashMap<u64, Vec<Arc<EventParams>>>>,
}

impl ParamSets {
    /// The shared copy of `params`.
    fn share(&self, params: EventParams) -> Arc<EventParams> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        // Hashing the JSON text needs no allocation; a set that cannot be written (none
        // can) hashes as far as it got, which only makes it less likely to be shared.
        let _ = serde_json::to_writer(HashWriter(&mut hasher), &params);
        params.len().hash(&mut hasher);
        let key = hasher.finish();
        let mut sets = self
            .sets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let same = sets.entry(key).or_default();
        if let Some(shared) = same.iter().find(|p| ***p == params) {
            return Arc::clone(shared);
        }
        let shared = Arc::new(params);
        same.push(Arc::clone(&shared));
        shared
    }
}

/// Feeds what is written into a hasher.
struct HashWriter<'a, H>(&'a mut H);

impl<H: std::hash::Hasher> std::io::Write for HashWriter<'_, H> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Why a configuration cannot be resolved for an environment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// No pixel has an id for the requested environment.
    #[error("no pixel has an id for environment `{env}`; the configuration defines {known}")]
    UnknownEnv {
        /// The requested environment.
        env: String,
        /// The environments that exist, ready to print.
        known: String,
    },
    /// The configuration still has errors (resolve runs only on clean configurations).
    #[error("the configuration has errors; run `tagc check` to see them")]
    Invalid,
    /// `--page` names no page.
    #[error("no page `{page}`{hint}")]
    UnknownPage {
        /// The requested page id.
        page: String,
        /// A did-you-mean or the list of pages.
        hint: String,
    },
}

/// Every environment named by any pixel, sorted.
#[must_use]
pub fn environments(config: &Validated) -> BTreeSet<String> {
    config
        .files
        .iter()
        .flat_map(|f| f.config.pixels.iter())
        .flat_map(|p| p.ids.keys().cloned())
        .collect()
}

/// Resolves a clean configuration for `env`.
///
/// # Errors
/// When the configuration is incomplete (it had errors) or no pixel has an id for `env`.
pub fn resolve(config: &Validated, env: &str) -> Result<Site, ResolveError> {
    resolve_with(config, env, Pages::Borrowed)
}

/// [`resolve`] without the pages (`pages` is empty): the server side alone, for what
/// needs only the Conversions API mapping (`tagc check`'s sample records). Server events
/// still know whom they deduplicate with; only the browser event's own id source is not
/// filled in.
///
/// # Errors
/// As [`resolve`].
pub fn resolve_server_side(config: &Validated, env: &str) -> Result<Site, ResolveError> {
    resolve_with(config, env, Pages::Skip)
}

/// [`resolve`], consuming the configuration: each batch of pages is dropped from it once
/// resolved, so the typed pages and their resolved form are never both whole in memory
/// (for a large site, each is hundreds of megabytes).
///
/// # Errors
/// As [`resolve`].
pub fn resolve_owned(mut config: Validated, env: &str) -> Result<Site, ResolveError> {
    let taken = config
        .files
        .iter_mut()
        .map(|vf| std::mem::take(&mut vf.config.pages))
        .collect();
    resolve_with(&config, env, Pages::Owned(taken))
}

/// Where [`resolve_with`] finds the pages to resolve.
enum Pages {
    /// None: the server side alone.
    Skip,
    /// In the configuration.
    Borrowed,
    /// Taken out of the configuration, per file: dropped a batch at a time once resolved.
    Owned(Vec<Vec<Page>>),
}

/// How many pages [`resolve_owned`] resolves (on every core) before it drops them.
const PAGE_BATCH: usize = 1024;

fn resolve_with(config: &Validated, env: &str, with_pages: Pages) -> Result<Site, ResolveError> {
    if !config.complete || config.diagnostics.has_errors() {
        return Err(ResolveError::Invalid);
    }
    let files: Vec<&Config> = config.files.iter().map(|f| &f.config).collect();
    let root = config
        .files
        .iter()
        .find(|f| f.is_root)
        .map(|f| &f.config)
        .or(files.first().copied());

    let mut pixels = Vec::new();
    let mut pixel_ids: BTreeMap<&str, &str> = BTreeMap::new();
    for p in files.iter().flat_map(|c| c.pixels.iter()) {
        if let Some(id) = p.ids.get(env) {
            pixels.push(ResolvedPixel {
                name: p.name.clone(),
                id: id.clone(),
            });
            pixel_ids.insert(&p.name, id);
        }
    }
    if pixels.is_empty() {
        let envs = environments(config);
        let known = if envs.is_empty() {
            "no environments".to_owned()
        } else {
            envs.iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(ResolveError::UnknownEnv {
            env: env.to_owned(),
            known,
        });
    }

    let defs: BTreeMap<&str, &EventDef> = files
        .iter()
        .flat_map(|c| c.events.iter())
        .map(|(k, v)| (k.as_str(), v))
        .collect();

    // Which server events deduplicate with which browser event (by definition name or
    // `PAGE/BUTTON`).
    let mut dedup: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for se in files
        .iter()
        .filter_map(|c| c.server.as_ref())
        .flat_map(|s| s.events.iter())
    {
        if let Some(target) = se.deduplicate_with.as_deref() {
            dedup.entry(target).or_default().push(se.id.clone());
        }
    }

    let r = Resolver {
        defs: &defs,
        pixel_ids: &pixel_ids,
        all_pixels: pixels.len(),
        dedup: &dedup,
        params: ParamSets::default(),
    };
    // Pages resolve independently of each other: on every core, in configuration order.
    let pages = match with_pages {
        Pages::Skip => Vec::new(),
        Pages::Borrowed => {
            let all: Vec<(&crate::validate::ValidFile, usize)> = config
                .files
                .iter()
                .flat_map(|vf| (0..vf.config.pages.len()).map(move |pi| (vf, pi)))
                .collect();
            crate::par::map(&all, |_, &(vf, pi)| {
                r.page(&vf.tree, pi, &vf.config.pages[pi])
            })
        }
        Pages::Owned(taken) => {
            let mut out = Vec::with_capacity(taken.iter().map(Vec::len).sum());
            for (vf, file_pages) in config.files.iter().zip(taken) {
                let mut rest = file_pages.into_iter();
                let mut first = 0;
                loop {
                    let batch: Vec<Page> = rest.by_ref().take(PAGE_BATCH).collect();
                    if batch.is_empty() {
                        break;
                    }
                    out.extend(crate::par::map(&batch, |i, page| {
                        r.page(&vf.tree, first + i, page)
                    }));
                    first += batch.len();
                }
            }
            out
        }
    };

    let server = server::resolve_server(config, root, &pixel_ids, &pages);
    let site = root.and_then(|c| c.site.as_ref());
    let setting = |f: fn(&Config) -> bool| files.iter().any(|c| f(c));
    Ok(Site {
        name: site.and_then(|s| s.name.clone()),
        url: site.and_then(|s| s.url.clone()),
        env: env.to_owned(),
        pixels,
        consent_required: setting(|c| c.consent == Some(crate::model::Consent::Required)),
        verify_consent: site
            .and_then(|s| s.verify.as_ref())
            .and_then(|v| v.consent.clone()),
        limited_data_use: files.iter().find_map(|c| c.limited_data_use),
        pages,
        server,
    })
}

fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

struct Resolver<'a> {
    defs: &'a BTreeMap<&'a str, &'a EventDef>,
    pixel_ids: &'a BTreeMap<&'a str, &'a str>,
    all_pixels: usize,
    dedup: &'a BTreeMap<&'a str, Vec<String>>,
    params: ParamSets,
}

impl Resolver<'_> {
    /// Resolves `page`, the `pi`th page of the file whose spans are in `tree`.
    fn page(&self, tree: &Tree, pi: usize, page: &Page) -> ResolvedPage {
        let r = self;
        let span = |rel: &[Seg<'_>]| {
            let mut path = vec![Seg::from("pages"), Seg::Index(pi)];
            path.extend(rel.iter().cloned());
            tree.value_span(&path)
        };
        let url = page
            .url
            .0
            .iter()
            .filter_map(|p| UrlPattern::parse(p).ok())
            .map(|p| ResolvedPattern {
                pattern: p.as_str().to_owned(),
                regex: p.to_regex_source(),
            })
            .collect();
        let mut on_load = Vec::new();
        let mut on_load_origins = Vec::new();
        for (li, e) in page.on_load.iter().enumerate() {
            if let Some(ev) = r.event(e.fields(), None) {
                on_load.push(ev);
                on_load_origins.push(span(&[Seg::from("on_load"), Seg::Index(li)]));
            }
        }
        on_load.shrink_to_fit();
        let mut buttons: Vec<ResolvedButton> = page
            .buttons
            .iter()
            .enumerate()
            .filter_map(|(bi, b)| {
                let locator = match (&b.selector, &b.text) {
                    (Some(s), _) => ResolvedLocator::Selector {
                        selector: s.clone(),
                    },
                    (None, Some(t)) => ResolvedLocator::Text {
                        text: normalize_text(t),
                        within: b.within.clone(),
                    },
                    (None, None) => return None,
                };
                let key = format!("{}/{}", page.id, b.id);
                Some(ResolvedButton {
                    id: b.id.clone(),
                    locator,
                    on: b.on,
                    event: r.event(b.fields(), Some(&key))?,
                    verify: b.verify.as_deref().cloned().unwrap_or_default(),
                    origin: span(&[Seg::from("buttons"), Seg::Index(bi)]),
                })
            })
            .collect();
        // Kept for the whole build, one per page: without the room the list grew into.
        buttons.shrink_to_fit();
        ResolvedPage {
            id: page.id.clone(),
            url,
            on_load,
            buttons,
            verify: page.verify.clone().unwrap_or_default(),
            origin: span(&[]),
            on_load_origins,
        }
    }

    /// Applies `use:`; `None` when the event goes to no pixel active in this environment.
    fn event(&self, f: EventFields<'_>, button_key: Option<&str>) -> Option<ResolvedEvent> {
        let def = f.use_.and_then(|u| self.defs.get(u).copied());
        let name = f.event.or(def.map(|d| d.event.as_str()))?;
        let custom = f
            .custom
            .or(def.and_then(|d| d.custom))
            .unwrap_or_else(|| !meta::is_standard_event(name));
        let params: EventParams = def
            .into_iter()
            .flat_map(|d| d.params.iter())
            .chain(f.params.iter())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let params = self.params.share(params);
        let names: &[String] = if f.pixels.is_empty() {
            def.map_or(&[], |d| d.pixels.as_slice())
        } else {
            f.pixels
        };
        let pixels = if names.is_empty() {
            None
        } else {
            let mut ids: Vec<String> = Vec::with_capacity(names.len());
            for id in names
                .iter()
                .filter_map(|n| self.pixel_ids.get(n.as_str()).map(|s| (*s).to_owned()))
            {
                // A pixel named twice is still one pixel: counted twice, it could make
                // the list look like "every pixel" and send the event to all of them.
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            if ids.is_empty() {
                return None;
            }
            // Every active pixel named: plain `track` does the same with one call.
            (ids.len() < self.all_pixels).then_some(ids)
        };
        let event_id = f
            .event_id
            .or(def.and_then(|d| d.event_id.as_ref()))
            .cloned();
        let mut deduplicated_by = Vec::new();
        for key in f.use_.into_iter().chain(button_key) {
            if let Some(ids) = self.dedup.get(key) {
                deduplicated_by.extend(ids.iter().cloned());
            }
        }
        Some(ResolvedEvent {
            event: name.to_owned(),
            custom,
            pixels,
            params,
            event_id,
            deduplicated_by,
        })
    }
}

impl ResolvedPage {
    /// The concrete paths a visitor loads to reach this page on a real site, or why there
    /// are none — the one rule `tagc verify` (the paths it checks) and `tagc scan --all`
    /// (the pages it walks) share: `verify.urls` when given; else the URL patterns without
    /// parameters or wildcards (literal paths); else, when `verify.before` starts with a
    /// `goto`, no path (the steps reach the page) and no reason; else `Err` with the
    /// sentence both commands report for the skipped page. tagc never invents a path.
    ///
    /// # Errors
    /// Why the page cannot be reached: every pattern has parameters or wildcards and
    /// there is no `verify.urls` (nor a `goto` step).
    pub fn example_paths(&self) -> Result<Vec<String>, String> {
        if !self.verify.urls.is_empty() {
            return Ok(self.verify.urls.clone());
        }
        let literal: Vec<String> = self
            .url
            .iter()
            .filter(|p| UrlPattern::parse(&p.pattern).is_ok_and(|u| u.is_literal()))
            .map(|p| p.pattern.clone())
            .collect();
        if !literal.is_empty() || matches!(self.verify.before.first(), Some(Step::Goto(_))) {
            return Ok(literal);
        }
        let patterns: Vec<&str> = self.url.iter().map(|p| p.pattern.as_str()).collect();
        Err(format!(
            "not verifiable on a real site: every URL pattern of page `{}` ({}) has parameters or wildcards, and it has no `verify.urls` to load (tagc never invents a path); add `verify: {{urls: [/a/real/path]}}` to the page",
            self.id,
            patterns.join(", ")
        ))
    }
}

impl Site {
    /// The page a path belongs to: the first whose patterns match
    /// ([`crate::urlpattern::first_match`], the rule the runtime and `tagc verify` use).
    #[must_use]
    pub fn page_for_path(&self, path: &str) -> Option<&ResolvedPage> {
        let patterns: Vec<Vec<crate::urlpattern::UrlPattern>> = self
            .pages
            .iter()
            .map(|p| {
                p.url
                    .iter()
                    .filter_map(|u| crate::urlpattern::UrlPattern::parse(&u.pattern).ok())
                    .collect()
            })
            .collect();
        let i = crate::urlpattern::first_match(&patterns, path)?;
        self.pages.get(i)
    }
    /// The site restricted to one page (what a per-page inline snippet carries).
    ///
    /// # Errors
    /// When no page has that id.
    pub fn only_page(&self, id: &str) -> Result<Site, ResolveError> {
        let Some(page) = self.pages.iter().find(|p| p.id == id) else {
            let ids: Vec<&str> = self.pages.iter().map(|p| p.id.as_str()).collect();
            let hint = match crate::diagnostic::did_you_mean(id, ids.iter().copied()) {
                Some(s) => format!("; did you mean `{s}`?"),
                None if ids.is_empty() => "; the configuration has no pages".to_owned(),
                None => format!("; pages: {}", ids.join(", ")),
            };
            return Err(ResolveError::UnknownPage {
                page: id.to_owned(),
                hint,
            });
        };
        Ok(self.with_pages(vec![page.clone()]))
    }

    /// This site's settings with other pages (without copying the current ones).
    #[must_use]
    pub fn with_pages(&self, pages: Vec<ResolvedPage>) -> Site {
        Site {
            name: self.name.clone(),
            url: self.url.clone(),
            env: self.env.clone(),
            pixels: self.pixels.clone(),
            consent_required: self.consent_required,
            verify_consent: self.verify_consent.clone(),
            limited_data_use: self.limited_data_use,
            pages,
            server: self.server.clone(),
        }
    }

    /// Every event of every page, load events first.
    pub fn events(&self) -> impl Iterator<Item = &ResolvedEvent> {
        self.pages
            .iter()
            .flat_map(|p| p.on_load.iter().chain(p.buttons.iter().map(|b| &b.event)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check_paths;
    use crate::load::Limits;

    fn site(yaml: &str, env: &str) -> Result<Site, ResolveError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tagc.yaml");
        std::fs::write(&path, yaml).unwrap();
        let checked = check_paths(&[path], Limits::default()).unwrap();
        assert!(
            !checked.diagnostics.has_errors(),
            "{:?}",
            checked.diagnostics
        );
        resolve(&checked.configs[0], env)
    }

    const TWO_PIXELS: &str = r#"
pixels:
  - name: main
    ids: {production: "123456789012345", staging: "987654321098765"}
  - name: agency
    ids: {production: "111111111111111"}
events:
  lead:
    event: Lead
    pixels: [agency]
pages:
  - id: home
    url: ["/", "/home/{slug}"]
    on_load:
      - use: lead
      - event: ViewContent
        pixels: [main, agency]
    buttons:
      - id: go
        text: "  Go   now "
        event: JoinWaitlist
"#;

    #[test]
    fn pixels_use_and_custom_are_resolved() {
        let s = site(TWO_PIXELS, "production").unwrap();
        assert_eq!(s.pixels.len(), 2);
        let page = &s.pages[0];
        assert_eq!(page.url[1].regex, r"^\/home\/(?<slug>[^\/]+)\/?$");
        assert_eq!(page.on_load[0].event, "Lead");
        assert_eq!(
            page.on_load[0].pixels.as_deref(),
            Some(&["111111111111111".to_owned()][..])
        );
        // Both pixels named: plain `track`.
        assert_eq!(page.on_load[1].pixels, None);
        let b = &page.buttons[0];
        assert!(b.event.custom);
        assert_eq!(
            b.locator,
            ResolvedLocator::Text {
                text: "Go now".into(),
                within: None
            }
        );
    }

    #[test]
    fn a_pixel_named_twice_is_still_only_that_pixel() {
        let yaml = TWO_PIXELS.replace("pixels: [agency]", "pixels: [agency, agency]");
        let s = site(&yaml, "production").unwrap();
        assert_eq!(
            s.pages[0].on_load[0].pixels.as_deref(),
            Some(&["111111111111111".to_owned()][..]),
            "trackSingle for the agency pixel, not track for both"
        );
    }

    #[test]
    fn events_for_pixels_absent_from_the_env_are_dropped() {
        let s = site(TWO_PIXELS, "staging").unwrap();
        assert_eq!(s.pixels.len(), 1);
        assert_eq!(s.pages[0].on_load.len(), 1, "the agency-only Lead is gone");
        assert_eq!(s.pages[0].on_load[0].event, "ViewContent");
    }

    #[test]
    fn unknown_env_lists_the_known_ones() {
        let e = site(TWO_PIXELS, "prod").unwrap_err();
        assert_eq!(
            e.to_string(),
            "no pixel has an id for environment `prod`; the configuration defines `production`, `staging`"
        );
    }

    #[test]
    fn only_page_suggests() {
        let s = site(TWO_PIXELS, "production").unwrap();
        assert_eq!(s.only_page("home").unwrap().pages.len(), 1);
        let e = s.only_page("hom").unwrap_err();
        assert_eq!(e.to_string(), "no page `hom`; did you mean `home`?");
    }
}
