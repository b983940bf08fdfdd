//! `check`: load and validate configurations, as one library call.

use std::path::PathBuf;

use crate::diagnostic::Diagnostics;
use crate::load::{self, Limits, LoadError};
use crate::source::SourceMap;
use crate::validate::{self, Validated};

/// The last rule of `check`, once the configuration is otherwise clean: every server
/// event's sample record is mapped exactly as `tagc send` maps a record.
mod samples {
    use crate::diagnostic::{Code, Diagnostic, Diagnostics};
    use crate::load::Seg;
    use crate::mapping::{ApplyContext, Mapping};
    use crate::validate::Validated;

    /// Maps each sample with the compiled mapping of the first environment (samples do
    /// not depend on pixel ids) and reports a record `send` would refuse, at the field
    /// that refuses it.
    pub(super) fn check(config: &Validated, diagnostics: &mut Diagnostics) {
        let has_samples = config.files.iter().any(|vf| {
            vf.config
                .server
                .as_ref()
                .is_some_and(|s| s.events.iter().any(|e| e.sample.is_some()))
        });
        if !has_samples {
            return;
        }
        let Some(env) = crate::resolve::environments(config).into_iter().next() else {
            return;
        };
        let Ok(site) = crate::resolve::resolve_server_side(config, &env) else {
            return;
        };
        let mapping = Mapping::from_site(&site);
        let cx = ApplyContext::now();
        for ev in &site.server.events {
            let Some(sample) = &ev.sample else { continue };
            let Ok(mapper) = mapping.compile(&ev.id) else {
                continue;
            };
            let record = serde_json::Value::Object(sample.clone());
            let Err(e) = mapper.apply(&record, &cx) else {
                continue;
            };
            // Where the server event is written: its file and its index there.
            let Some((vf, i)) = config.files.iter().find_map(|vf| {
                let events = &vf.config.server.as_ref()?.events;
                let i = events.iter().position(|x| x.id == ev.id)?;
                (vf.file == ev.origin.file).then_some((vf, i))
            }) else {
                continue;
            };
            let mut path = crate::path!["server", "events", i];
            path.extend(e.field.split('.').map(|s| Seg::from(s.to_owned())));
            let at = if vf.tree.contains(&path) {
                vf.tree.value_span(&path)
            } else {
                ev.origin
            };
            let sample_at = vf
                .tree
                .key_span(&crate::path!["server", "events", i, "sample"]);
            diagnostics.push(
                Diagnostic::new(
                    Code::SampleDoesNotMap,
                    at,
                    format!("the sample record does not map: {e}"),
                )
                .label("`tagc send` would refuse a record like the sample")
                .with_secondary(sample_at, "sample record")
                .help(
                    "make the sample a real record of your export; if it is one, this record \
                     would be written to the failed file: fix the mapping or the data",
                ),
            );
        }
    }
}

/// The result of checking one or more configurations.
#[derive(Debug)]
pub struct Checked {
    /// Every file read.
    pub sources: SourceMap,
    /// Every problem found, sorted.
    pub diagnostics: Diagnostics,
    /// The validated files of each configuration, in the order the roots were given.
    pub configs: Vec<Validated>,
}

/// Loads and validates the one configuration rooted at `paths` (several roots are merged
/// into one configuration, as if one included the others).
///
/// # Errors
/// Only when a path given on the command line cannot be read (an operational error);
/// problems in the configuration are diagnostics in the result.
pub fn check_paths(paths: &[PathBuf], limits: Limits) -> Result<Checked, LoadError> {
    check_into(
        SourceMap::new(),
        paths,
        limits,
        Diagnostics::new(),
        Vec::new(),
    )
}

/// Checks each root in `roots` as a separate configuration (what `tagc check a.yaml b.yaml`
/// does), collecting everything into one report.
///
/// # Errors
/// As [`check_paths`], for the first root that cannot be read.
pub fn check_each(roots: &[PathBuf], limits: Limits) -> Result<Checked, LoadError> {
    let mut acc = Checked {
        sources: SourceMap::new(),
        diagnostics: Diagnostics::new(),
        configs: Vec::new(),
    };
    for root in roots {
        acc = check_into(
            acc.sources,
            std::slice::from_ref(root),
            limits,
            acc.diagnostics,
            acc.configs,
        )?;
    }
    Ok(acc)
}

fn check_into(
    sources: SourceMap,
    paths: &[PathBuf],
    limits: Limits,
    mut diagnostics: Diagnostics,
    mut configs: Vec<Validated>,
) -> Result<Checked, LoadError> {
    let loaded = load::load_into(sources, paths, limits)?;
    let load_ok = !loaded.diagnostics.has_errors();
    let mut validated = validate::validate(loaded.files, load_ok);
    diagnostics.extend(loaded.diagnostics);
    diagnostics.extend(std::mem::take(&mut validated.diagnostics));
    if !diagnostics.has_errors() {
        samples::check(&validated, &mut diagnostics);
    }
    diagnostics.sort();
    configs.push(validated);
    Ok(Checked {
        sources: loaded.sources,
        diagnostics,
        configs,
    })
}
