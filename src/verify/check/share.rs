//! Where the browser handed its event id to the server, read back: from the requests the
//! page really sent (a form post, a `fetch`), the form's hidden field, the cookie jar, or
//! the data layer.

use super::Run;
use crate::browser::form_fields;
use crate::model::IdShare;

/// JavaScript that reads where an id is shared in the current document, or `null`.
fn shared_js(share: &IdShare) -> String {
    let name = serde_json::to_string(match share {
        IdShare::FormField { name } | IdShare::Cookie { name } => name,
        IdShare::DataLayer { key } => key,
    })
    .unwrap_or_default();
    match share {
        IdShare::FormField { .. } => format!(
            "(() => {{ const i = [...document.querySelectorAll('input[type=hidden]')].filter((x) => x.name === {name}); return i.length ? i[i.length - 1].value : null; }})()"
        ),
        IdShare::DataLayer { .. } => format!(
            "(() => {{ const d = window.dataLayer || []; for (let i = d.length - 1; i >= 0; i--) if (d[i] && d[i][{name}] != null) return String(d[i][{name}]); return null; }})()"
        ),
        IdShare::Cookie { .. } => format!(
            "(() => {{ const n = {name} + '='; const c = document.cookie.split('; ').find((x) => x.startsWith(n)); return c ? decodeURIComponent(c.slice(n.length)) : null; }})()"
        ),
    }
}

impl Run<'_, '_, '_> {
    /// The value found where `share` hands the id over (`None`: not there), or why it
    /// could not be read.
    pub(super) fn read_share(&mut self, share: &IdShare) -> Result<Option<String>, String> {
        let same_document = self.current_doc() == self.doc;
        match share {
            IdShare::FormField { name } => {
                // What the server received: the last request since the action with a field
                // of that name.
                let cap = self.page.capture();
                let posted = cap.sent.iter().skip(self.sent_mark).rev().find_map(|r| {
                    form_fields(r.content_type.as_deref(), &r.body)
                        .into_iter()
                        .rev()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v)
                });
                if posted.is_some() || !same_document {
                    return Ok(posted);
                }
                self.eval_share(share)
            }
            IdShare::Cookie { name } => {
                let url = self
                    .page
                    .capture()
                    .documents
                    .iter()
                    .rev()
                    .find(|d| d.top)
                    .map(|d| d.url.clone())
                    .unwrap_or_default();
                self.page.cookie(&url, name).map_err(|e| e.to_string())
            }
            IdShare::DataLayer { .. } if !same_document => {
                Err("the page navigated away before its data layer could be read".to_owned())
            }
            IdShare::DataLayer { .. } => self.eval_share(share),
        }
    }

    fn eval_share(&mut self, share: &IdShare) -> Result<Option<String>, String> {
        self.page
            .eval(&shared_js(share))
            .map(|v| v.as_str().map(str::to_owned))
            .map_err(|e| e.to_string())
    }
}
