//! `tagc init`: a commented starter configuration that checks clean, and the JSON Schema
//! beside it so an editor completes and explains every key from the first minute.

use std::path::Path;

use super::args::InitArgs;
use super::{ExitStatus, err};

/// The starter configuration; `{{PIXEL}}` is replaced by `--pixel`.
const TEMPLATE: &str = include_str!("templates/init.yaml");

/// The schema file written beside the configuration (its first line points there).
const SCHEMA_FILE: &str = "tagc.schema.json";

/// The starter configuration for `pixel`.
#[must_use]
pub fn starter(pixel: &str) -> String {
    TEMPLATE.replace("{{PIXEL}}", pixel)
}

pub(super) fn init(a: &InitArgs) -> ExitStatus {
    let pixel = a.pixel.trim();
    if !crate::meta::is_pixel_id(pixel) {
        err(&format!(
            "error: `{pixel}` is not a pixel id\n  = help: copy the 15- or 16-digit id from Events Manager → Data sources → your pixel\n"
        ));
        return ExitStatus::Error;
    }
    let dir = a
        .path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let schema = dir.join(SCHEMA_FILE);
    for path in [&a.path, &schema] {
        if path.exists() && !a.force {
            err(&format!(
                "error: {} already exists; nothing was written\n  = help: pass --force to replace it, or name another file: tagc init path/to/tagc.yaml\n",
                path.display()
            ));
            return ExitStatus::Error;
        }
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        err(&format!("error: cannot create {}: {e}\n", dir.display()));
        return ExitStatus::Error;
    }
    let files = [
        (&a.path, starter(pixel)),
        (&schema, crate::schema::schema_text()),
    ];
    for (path, text) in files {
        if let Err(e) = std::fs::write(path, text) {
            err(&format!("error: cannot write {}: {e}\n", path.display()));
            return ExitStatus::Error;
        }
    }
    err(&format!(
        "wrote {} and {}\nnext: tagc check {}   (then tagc build {} --out dist/)\n",
        a.path.display(),
        schema.display(),
        a.path.display(),
        a.path.display()
    ));
    ExitStatus::Success
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_names_the_pixel_and_the_schema_beside_it() {
        let text = starter("123456789012345");
        assert!(text.starts_with(&format!("# yaml-language-server: $schema=./{SCHEMA_FILE}")));
        assert!(text.contains("production: \"123456789012345\""));
        assert!(!text.contains("{{"), "every placeholder is filled");
    }
}
