//! `tagc scan` and `tagc pick` (issue 19): Meta's Event Setup Tool, as code.
//!
//! When complete, this module will load a page in headless Chromium (through
//! [`crate::browser`]), list every element a visitor can act on with a stable locator,
//! match each against the configuration's page for that URL (tracked, untracked or
//! ambiguous), render the result (a human table, versioned JSON, ready-to-paste YAML
//! `buttons:` entries), and serve the `pick` page that writes a chosen element into the
//! configuration in place.
//!
//! This is its first part: [`keywords`], the table that suggests a standard event for an
//! element's visible text ("Añadir al carrito" → `AddToCart`, "Asistir" → `Lead`).

pub mod keywords;
