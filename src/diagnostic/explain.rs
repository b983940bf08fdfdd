//! Long explanations for `tagc explain CODE`.
//!
//! Every [`Code`] has one text, written for marketers and developers alike: what the check
//! looks at, why it matters (citing Meta's rule where there is one), a minimal YAML example
//! that triggers it and the corrected YAML. Each text is a file `docs/codes/TAGxxxx.md`,
//! included by one `match` with no wildcard arm, so adding a code without an explanation
//! does not compile. `tests/explain.rs` checks every example against `tagc check`.

use super::Code;

/// The long explanation of `code`: what it checks, why, an example and the fix.
///
/// The first line is `ID (name): summary`; the sections follow as `## What it checks`,
/// `## Why`, `## Example` and `## Fix`, with the examples in ```` ```yaml ```` blocks.
#[must_use]
pub fn explanation(code: Code) -> String {
    format!(
        "{} ({}): {}\n\n{}",
        code.id(),
        code.name(),
        code.summary(),
        body(code)
    )
}

/// The sections of `code`'s explanation, without the header line.
fn body(code: Code) -> &'static str {
    match code {
        Code::NotUtf8 => include_str!("../../docs/codes/TAG0001.md"),
        Code::YamlSyntax => include_str!("../../docs/codes/TAG0002.md"),
        Code::DuplicateKey => include_str!("../../docs/codes/TAG0003.md"),
        Code::TooDeep => include_str!("../../docs/codes/TAG0004.md"),
        Code::TooLarge => include_str!("../../docs/codes/TAG0005.md"),
        Code::TooManyNodes => include_str!("../../docs/codes/TAG0006.md"),
        Code::EmptyFile => include_str!("../../docs/codes/TAG0007.md"),
        Code::UnsupportedYaml => include_str!("../../docs/codes/TAG0008.md"),
        Code::UnknownField => include_str!("../../docs/codes/TAG1001.md"),
        Code::MissingField => include_str!("../../docs/codes/TAG1002.md"),
        Code::WrongType => include_str!("../../docs/codes/TAG1003.md"),
        Code::InvalidValue => include_str!("../../docs/codes/TAG1004.md"),
        Code::InvalidFormat => include_str!("../../docs/codes/TAG1005.md"),
        Code::MisspelledStandardEvent => include_str!("../../docs/codes/TAG2001.md"),
        Code::StandardEventMarkedCustom => include_str!("../../docs/codes/TAG2002.md"),
        Code::UndeclaredCustomEvent => include_str!("../../docs/codes/TAG2003.md"),
        Code::CustomEventNameTooLong => include_str!("../../docs/codes/TAG2004.md"),
        Code::PurchaseMissingValueCurrency => include_str!("../../docs/codes/TAG2005.md"),
        Code::InvalidCurrency => include_str!("../../docs/codes/TAG2006.md"),
        Code::ParameterType => include_str!("../../docs/codes/TAG2007.md"),
        Code::InvalidContentType => include_str!("../../docs/codes/TAG2008.md"),
        Code::InvalidContentsItem => include_str!("../../docs/codes/TAG2009.md"),
        Code::CustomerDataInParameters => include_str!("../../docs/codes/TAG2010.md"),
        Code::InvalidPixelId => include_str!("../../docs/codes/TAG2011.md"),
        Code::DedupWithoutEventId => include_str!("../../docs/codes/TAG2012.md"),
        Code::DedupNameMismatch => include_str!("../../docs/codes/TAG2013.md"),
        Code::ActionSourceRequirement => include_str!("../../docs/codes/TAG2014.md"),
        Code::InsufficientCustomerData => include_str!("../../docs/codes/TAG2015.md"),
        Code::SecretInConfig => include_str!("../../docs/codes/TAG2016.md"),
        Code::ValueWithoutCurrency => include_str!("../../docs/codes/TAG2017.md"),
        Code::EventIdNotShared => include_str!("../../docs/codes/TAG2018.md"),
        Code::PersonalDataLiteral => include_str!("../../docs/codes/TAG2019.md"),
        Code::ParameterKeyHasSpace => include_str!("../../docs/codes/TAG2020.md"),
        Code::LimitedDataUse => include_str!("../../docs/codes/TAG2021.md"),
        Code::SampleMissingField => include_str!("../../docs/codes/TAG2022.md"),
        Code::ConstantCustomerData => include_str!("../../docs/codes/TAG2023.md"),
        Code::ConstantEventId => include_str!("../../docs/codes/TAG2024.md"),
        Code::ClickSourceOnLoad => include_str!("../../docs/codes/TAG2025.md"),
        Code::HashedNeverHashField => include_str!("../../docs/codes/TAG2026.md"),
        Code::MisspelledStandardParameter => include_str!("../../docs/codes/TAG2027.md"),
        Code::SharedIdNotRead => include_str!("../../docs/codes/TAG2028.md"),
        Code::SampleUnreadableTime => include_str!("../../docs/codes/TAG2029.md"),
        Code::SharedIdCopyUndeclared => include_str!("../../docs/codes/TAG2030.md"),
        Code::SampleDoesNotMap => include_str!("../../docs/codes/TAG2031.md"),
        Code::UnknownReference => include_str!("../../docs/codes/TAG3001.md"),
        Code::DuplicateId => include_str!("../../docs/codes/TAG3002.md"),
        Code::InvalidUrlPattern => include_str!("../../docs/codes/TAG3003.md"),
        Code::ShadowedUrlPattern => include_str!("../../docs/codes/TAG3004.md"),
        Code::InvalidSelector => include_str!("../../docs/codes/TAG3005.md"),
        Code::IncludeFailed => include_str!("../../docs/codes/TAG3006.md"),
        Code::NoPixels => include_str!("../../docs/codes/TAG3007.md"),
        Code::MissingEnvironment => include_str!("../../docs/codes/TAG3008.md"),
        Code::AmbiguousLocator => include_str!("../../docs/codes/TAG3009.md"),
        Code::AmbiguousEvent => include_str!("../../docs/codes/TAG3010.md"),
        Code::AmbiguousFieldSource => include_str!("../../docs/codes/TAG3011.md"),
        Code::IncludeCycle => include_str!("../../docs/codes/TAG3012.md"),
        Code::IncludeMatchesNothing => include_str!("../../docs/codes/TAG3013.md"),
        Code::DuplicateUrlPattern => include_str!("../../docs/codes/TAG3014.md"),
        Code::VerifyUrlNotCovered => include_str!("../../docs/codes/TAG3015.md"),
        Code::ConsentStepWithoutConsentMode => include_str!("../../docs/codes/TAG3016.md"),
        Code::InvalidVerifyStep => include_str!("../../docs/codes/TAG3017.md"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADINGS: [&str; 4] = ["## What it checks", "## Why", "## Example", "## Fix"];

    #[test]
    fn every_code_has_all_sections_and_a_yaml_block() {
        for &code in Code::ALL {
            let text = explanation(code);
            let mut last = 0;
            for h in HEADINGS {
                let at = text
                    .find(&format!("\n{h}\n"))
                    .unwrap_or_else(|| panic!("{code}: no `{h}`"));
                assert!(at > last, "{code}: `{h}` out of order");
                last = at;
            }
            assert!(text.contains("```yaml\n"), "{code}: no yaml block");
            let example = &text[text.find("## Example").unwrap_or(0)..];
            let fix_at = example.find("## Fix").unwrap_or(0);
            assert!(
                example[..fix_at].contains("```yaml\n"),
                "{code}: example has no yaml"
            );
            assert!(
                example[fix_at..].contains("```yaml\n"),
                "{code}: fix has no yaml"
            );
            let fences = text.lines().filter(|l| l.starts_with("```")).count();
            assert_eq!(fences % 2, 0, "{code}: unclosed code block");
            assert!(
                text.ends_with("```\n"),
                "{code}: must end with a closed block"
            );
        }
    }

    #[test]
    fn header_names_its_own_code() {
        for &code in Code::ALL {
            let text = explanation(code);
            let header = text.lines().next().unwrap_or_default();
            assert_eq!(
                header,
                format!("{} ({}): {}", code.id(), code.name(), code.summary())
            );
            // No other explanation's id appears in this header.
            for &other in Code::ALL.iter().filter(|&&o| o != code) {
                assert!(!header.contains(other.id()), "{code} header names {other}");
            }
        }
    }

    /// Between 6 and 20 lines of text outside the YAML blocks (header and headings
    /// included), none of them wider than a terminal.
    #[test]
    fn text_is_short() {
        for &code in Code::ALL {
            let text = explanation(code);
            let mut in_block = false;
            let mut lines = 0;
            for line in text.lines() {
                if line.starts_with("```") {
                    in_block = !in_block;
                } else if !in_block && !line.is_empty() {
                    lines += 1;
                    assert!(
                        line.chars().count() <= 92 || lines == 1,
                        "{code}: long line `{line}`"
                    );
                }
            }
            assert!((6..=20).contains(&lines), "{code}: {lines} lines of text");
        }
    }

    #[test]
    fn undeclared_custom_event_lists_every_standard_event() {
        let text = explanation(Code::UndeclaredCustomEvent);
        for name in crate::meta::standard_event_names() {
            assert!(text.contains(&format!("`{name}`")), "{name} missing");
        }
    }
}
