//! The server side of the resolved model: each server event with its pixel ids and the
//! browser event it deduplicates with.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{
    ActionSource, AppData, Config, EventId, FieldSource, MessagingChannel, RecordDataProcessing,
    ServerDefaults, UserData,
};

use super::ResolvedPage;

/// The Graph API version used when the configuration names none.
pub const DEFAULT_GRAPH_VERSION: &str = "v25.0";

/// The resolved server side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedServer {
    /// The Graph API version (`v25.0`).
    pub graph_version: String,
    /// Normalization defaults.
    pub defaults: ServerDefaults,
    /// The server events active in this environment, in configuration order.
    pub events: Vec<ResolvedServerEvent>,
}

/// A server event with pixel names replaced by ids.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedServerEvent {
    /// Its id (`tagc send --event ID`).
    pub id: String,
    /// The CAPI `event_name`.
    pub event: String,
    /// Where the conversion happened.
    pub action_source: ActionSource,
    /// The pixel (dataset) ids it is sent to.
    pub pixels: Vec<String>,
    /// The browser event it deduplicates with, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dedup: Option<DedupLink>,
    /// The record field holding the event id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<FieldSource>,
    /// The record field holding the event time (send time when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_time: Option<FieldSource>,
    /// The record field holding the page URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_source_url: Option<FieldSource>,
    /// Customer information sources.
    pub user_data: UserData,
    /// Event parameter sources.
    pub custom_data: BTreeMap<String, FieldSource>,
    /// The `opt_out` source (attribution only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opt_out: Option<FieldSource>,
    /// The `referrer_url` source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referrer_url: Option<FieldSource>,
    /// The chat app of a business-messaging event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messaging_channel: Option<MessagingChannel>,
    /// App and device data of an app event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_data: Option<AppData>,
    /// Limited Data Use read from each record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_processing_options: Option<RecordDataProcessing>,
    /// The example record from the configuration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample: Option<serde_json::Map<String, serde_json::Value>>,
    /// Where the server event is defined (for reports).
    #[serde(skip)]
    pub origin: crate::source::Span,
}

/// The browser side of a deduplicated pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DedupLink {
    /// What `deduplicate_with` names: an event definition or `PAGE/BUTTON`.
    pub with: String,
    /// The browser event's name (equal to the server event's).
    pub browser_event: String,
    /// Where the browser's `eventID` comes from and how it reaches the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub browser_event_id: Option<EventId>,
}

/// Resolves the server events of every file for the active pixels.
pub(super) fn resolve_server(
    config: &crate::validate::Validated,
    root: Option<&Config>,
    pixel_ids: &BTreeMap<&str, &str>,
    pages: &[ResolvedPage],
) -> ResolvedServer {
    let files: Vec<&Config> = config.files.iter().map(|f| &f.config).collect();
    let graph_version = root
        .and_then(|c| c.graph.as_ref())
        .or_else(|| files.iter().find_map(|c| c.graph.as_ref()))
        .map_or_else(|| DEFAULT_GRAPH_VERSION.to_owned(), |g| g.version.clone());
    let defaults = files
        .iter()
        .filter_map(|c| c.server.as_ref())
        .find_map(|s| s.defaults.clone())
        .unwrap_or_default();
    // Pixel ids in configuration order, not name order.
    let ordered_ids: Vec<String> = files
        .iter()
        .flat_map(|c| c.pixels.iter())
        .filter_map(|p| pixel_ids.get(p.name.as_str()).map(|s| (*s).to_owned()))
        .collect();
    let mut events = Vec::new();
    let all = config.files.iter().flat_map(|vf| {
        vf.config
            .server
            .iter()
            .flat_map(|s| s.events.iter().enumerate())
            .map(move |(i, se)| {
                let path = [
                    crate::load::Seg::from("server"),
                    crate::load::Seg::from("events"),
                    crate::load::Seg::Index(i),
                ];
                (se, vf.tree.value_span(&path))
            })
    });
    for (se, origin) in all {
        let pixels: Vec<String> = if se.pixels.is_empty() {
            ordered_ids.clone()
        } else {
            se.pixels
                .iter()
                .filter_map(|n| pixel_ids.get(n.as_str()).map(|s| (*s).to_owned()))
                .collect()
        };
        if pixels.is_empty() {
            continue;
        }
        let dedup = se.deduplicate_with.as_ref().map(|with| {
            let browser = pages
                .iter()
                .flat_map(|p| p.on_load.iter().chain(p.buttons.iter().map(|b| &b.event)))
                .find(|e| e.deduplicated_by.iter().any(|id| id == &se.id));
            DedupLink {
                with: with.clone(),
                browser_event: browser.map_or_else(|| se.event.clone(), |e| e.event.clone()),
                browser_event_id: browser.and_then(|e| e.event_id.clone()),
            }
        });
        events.push(ResolvedServerEvent {
            id: se.id.clone(),
            event: se.event.clone(),
            action_source: se.action_source,
            pixels,
            dedup,
            event_id: se.event_id.clone(),
            event_time: se.event_time.clone(),
            event_source_url: se.event_source_url.clone(),
            user_data: se.user_data.clone(),
            custom_data: se.custom_data.clone(),
            opt_out: se.opt_out.clone(),
            referrer_url: se.referrer_url.clone(),
            messaging_channel: se.messaging_channel,
            app_data: se.app_data.clone(),
            data_processing_options: se.data_processing_options.clone(),
            sample: se.sample.clone(),
            origin,
        });
    }
    ResolvedServer {
        graph_version,
        defaults,
        events,
    }
}
