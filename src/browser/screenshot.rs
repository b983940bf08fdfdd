//! A full-page screenshot of the current document ([`Page::screenshot_full`]), for
//! `tagc pick`: the picker shows the page as an image with the inventory's boxes over it,
//! so none of the target's scripts run in the user's browser.

use base64::Engine as _;
use serde_json::{Value, json};

use super::{BrowserError, Page};

/// The default cap on a screenshot's height, in CSS pixels: Chromium's own limit on a
/// capture is 16,384 device pixels, and a longer page is rarely worth more.
pub const MAX_SCREENSHOT_HEIGHT: u32 = 16_000;

/// A PNG of the document from its top-left corner, at one device pixel per CSS pixel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screenshot {
    /// The PNG image.
    pub png: Vec<u8>,
    /// Its width in CSS pixels (the document's width).
    pub width: u32,
    /// Its height in CSS pixels (the document's height, at most the cap).
    pub height: u32,
    /// The document's full height in CSS pixels.
    pub document_height: u32,
    /// Whether the document is taller than the image (`height < document_height`).
    pub truncated: bool,
}

impl Page<'_> {
    /// Captures the whole document, beyond the viewport (CDP `Page.captureScreenshot` with
    /// `captureBeyondViewport`), cut at `max_height` CSS pixels (at least 1); boxes in the
    /// inventory's document coordinates ([`super::Rect`]) land on the same pixels.
    ///
    /// # Errors
    /// When a CDP call fails or the answer is not an image.
    pub fn screenshot_full(&mut self, max_height: u32) -> Result<Screenshot, BrowserError> {
        let metrics = self.call("Page.getLayoutMetrics", json!({}))?;
        let size = &metrics["cssContentSize"];
        let dim = |v: &Value| -> u32 {
            let f = v.as_f64().unwrap_or(0.0).ceil();
            if f.is_finite() && f >= 1.0 {
                // Bounded by the check: the cast cannot truncate meaningfully.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let n = f.min(f64::from(u32::MAX)) as u32;
                n
            } else {
                1
            }
        };
        let width = dim(&size["width"]);
        let document_height = dim(&size["height"]);
        let height = document_height.min(max_height.max(1));
        let shot = self.call(
            "Page.captureScreenshot",
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "fromSurface": true,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            }),
        )?;
        let data = shot["data"].as_str().unwrap_or_default();
        let png = base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| BrowserError::Script {
                expression: "Page.captureScreenshot".to_owned(),
                message: format!("the answer is not base64: {e}"),
            })?;
        if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err(BrowserError::Script {
                expression: "Page.captureScreenshot".to_owned(),
                message: "the answer is not a PNG image".to_owned(),
            });
        }
        Ok(Screenshot {
            png,
            width,
            height,
            document_height,
            truncated: height < document_height,
        })
    }
}

impl Page<'_> {
    /// Lays the page out for a `width`×`height` CSS-pixel window (CDP
    /// `Emulation.setDeviceMetricsOverride`, device scale 1, desktop): what `innerWidth`
    /// and `innerHeight` say, what media queries see and what a screenshot shows. Headless
    /// Chromium's own window is 800×600, narrow enough for many sites' mobile layout.
    ///
    /// # Errors
    /// When the CDP call fails.
    pub fn set_viewport(&mut self, width: u32, height: u32) -> Result<(), BrowserError> {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}),
        )?;
        Ok(())
    }
}
