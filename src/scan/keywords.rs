//! The keyword table: which standard event an element's visible text suggests.
//!
//! `tagc scan` proposes a `buttons:` entry for every call to action nobody tracks, with a
//! standard event when the text makes one obvious. The table maps each event to the
//! phrases that suggest it; the defaults ([`Keywords::defaults`], `keywords.yaml` beside
//! this file) cover English and Spanish, and a table of the same format ([`Keywords::parse`],
//! for `--keywords FILE`) replaces them:
//!
//! ```yaml
//! AddToCart: [add to cart, anadir al carrito]
//! Lead: [register, asistir, inscribirse]
//! ```
//!
//! # Matching
//!
//! Text and phrases are read the same way:
//!
//! 1. whitespace is collapsed as tagc reads a button's visible text
//!    ([`crate::text::normalize_text`]);
//! 2. lowercased, then accent-folded: Unicode canonical decomposition (NFD) with the
//!    combining marks dropped, so "Añadir" reads as "anadir", "Inscríbete" as "inscribete"
//!    and "AÑADIR" as "anadir" (ñ is n plus a tilde, so it folds to n);
//! 3. cut into words at every character that is not a letter or a digit, so punctuation
//!    separates words ("¡Comprar!" is the word "comprar"; "Booking.com" is "booking", "com").
//!
//! A phrase matches when its words appear in the text's words consecutively, whole words
//! only: `book` does not match "Booking.com reviews", nor `contact` "Contactless payment".
//!
//! When several phrases match, **the longest phrase, counted in words, wins**; between
//! phrases of the same length, the event listed earlier in the table wins (then the phrase
//! listed earlier). So "Add to cart and buy" suggests `AddToCart` (`add to cart`, three
//! words) rather than `InitiateCheckout` (`buy`, one word): the longer phrase is the more
//! specific reading of the text. A text no phrase matches ("Leer más") suggests nothing.
//!
//! # Validation
//!
//! Suggestions are standard events only: every key must be a standard Meta event
//! ([`crate::meta::is_standard_event`]), every phrase must keep a letter or digit once
//! folded, and no phrase (as folded) may be listed under two events. The same phrase twice
//! under one event is harmless and kept once.

use std::collections::HashMap;
use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::load::Limits;
use crate::load::yaml::parse_tree;
use crate::source::FileId;

/// The default table, English and Spanish.
const DEFAULTS: &str = include_str!("keywords.yaml");

/// A keyword table: standard events, each with the phrases that suggest it, in table order.
#[derive(Debug, Clone, Default)]
pub struct Keywords {
    entries: Vec<Entry>,
    /// Every phrase by its first word: `(entry, phrase)` indices.
    by_first: HashMap<String, Vec<(usize, usize)>>,
}

/// One event of the table and its phrases.
#[derive(Debug, Clone)]
struct Entry {
    event: String,
    phrases: Vec<Phrase>,
}

/// A phrase as written and as matched.
#[derive(Debug, Clone)]
struct Phrase {
    written: String,
    words: Vec<String>,
}

/// The event a text suggests, and the table's phrase that matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suggestion<'a> {
    /// The standard event, as the table spells it (`AddToCart`).
    pub event: &'a str,
    /// The phrase that matched, as the table writes it (`anadir al carrito`).
    pub phrase: &'a str,
}

/// Why a keyword table was refused. Lines are 1-based lines of the table's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeywordsError {
    /// The text is not valid YAML (or uses YAML tagc does not accept).
    #[error(
        "line {line}: {message}; a keyword table is YAML, one `Event: [phrase, other phrase]` per line"
    )]
    Yaml {
        /// Where the loader stopped.
        line: u32,
        /// The loader's message.
        message: String,
    },
    /// The document is not a mapping (an empty file included).
    #[error(
        "line {line}: a keyword table maps standard events to lists of phrases, like `Lead: [register, asistir]`"
    )]
    NotAMapping {
        /// Where the document starts.
        line: u32,
    },
    /// A key is not a standard Meta event.
    #[error(
        "line {line}: `{event}` is not a standard Meta event; {hint} (suggestions are standard events only)"
    )]
    NotStandard {
        /// The key's line.
        line: u32,
        /// The key as written.
        event: String,
        /// The closest standard name, or the list of them.
        hint: String,
    },
    /// An event's value is not a list.
    #[error("line {line}: `{event}` must list its phrases, like `{event}: [phrase, other phrase]`")]
    NotAList {
        /// The value's line.
        line: u32,
        /// The event.
        event: String,
    },
    /// An event lists no phrases.
    #[error("line {line}: `{event}` lists no phrases; add one or remove the line")]
    NoPhrases {
        /// The value's line.
        line: u32,
        /// The event.
        event: String,
    },
    /// A phrase is not a string (a number, a list, a mapping or null).
    #[error("line {line}: a phrase of `{event}` is not text; quote it (`\"…\"`) or remove it")]
    NotText {
        /// The phrase's line.
        line: u32,
        /// The event.
        event: String,
    },
    /// A phrase has no letter or digit once folded, so it could never match.
    #[error(
        "line {line}: phrase `{phrase}` of `{event}` is empty once folded (it has no letter or digit); remove it"
    )]
    EmptyPhrase {
        /// The phrase's line.
        line: u32,
        /// The event.
        event: String,
        /// The phrase as written.
        phrase: String,
    },
    /// A phrase (as folded) is listed under two events.
    #[error(
        "line {line}: phrase `{phrase}` (read as `{folded}`) of `{event}` is already listed under `{first_event}` on line {first_line}; a phrase suggests one event, so keep it under one of them"
    )]
    Duplicate {
        /// The second listing's line.
        line: u32,
        /// The phrase as written the second time.
        phrase: String,
        /// The phrase as matched.
        folded: String,
        /// The event of the second listing.
        event: String,
        /// The event it was first listed under.
        first_event: String,
        /// The first listing's line.
        first_line: u32,
    },
}

impl KeywordsError {
    /// The 1-based line of the table's text the error is about.
    #[must_use]
    pub fn line(&self) -> u32 {
        match self {
            KeywordsError::Yaml { line, .. }
            | KeywordsError::NotAMapping { line }
            | KeywordsError::NotStandard { line, .. }
            | KeywordsError::NotAList { line, .. }
            | KeywordsError::NoPhrases { line, .. }
            | KeywordsError::NotText { line, .. }
            | KeywordsError::EmptyPhrase { line, .. }
            | KeywordsError::Duplicate { line, .. } => *line,
        }
    }
}

impl Keywords {
    /// The default table (`src/scan/keywords.yaml`): English and Spanish phrases.
    ///
    /// The table is built into the binary and tested to parse; were it ever broken, this
    /// would return an empty table (no suggestions) rather than panic.
    #[must_use]
    pub fn defaults() -> Keywords {
        static DEFAULT: LazyLock<Keywords> =
            LazyLock::new(|| Keywords::parse(DEFAULTS).unwrap_or_default());
        DEFAULT.clone()
    }

    /// Reads a keyword table: a YAML mapping of standard events to lists of phrases, in
    /// the order they are to win ties.
    ///
    /// # Errors
    /// [`KeywordsError`] for YAML that does not load, a key that is not a standard event,
    /// a value that is not a non-empty list of text, a phrase empty once folded, or a
    /// phrase listed under two events; each names the line.
    pub fn parse(text: &str) -> Result<Keywords, KeywordsError> {
        let parsed = parse_tree(FileId(0), text, Limits::default()).map_err(|d| {
            let first = d.as_slice().first();
            if first.is_some_and(|d| d.code == crate::diagnostic::Code::EmptyFile) {
                return KeywordsError::NotAMapping { line: 1 };
            }
            KeywordsError::Yaml {
                line: first.map_or(1, |d| d.primary.span.start.line),
                message: first.map_or_else(|| "not valid YAML".to_owned(), |d| d.message.clone()),
            }
        })?;
        let tree = &parsed.tree;
        let root = tree.root();
        let line_of = |id| tree.span(id).start.line;
        if !tree.to_value(root).is_object() {
            return Err(KeywordsError::NotAMapping {
                line: line_of(root),
            });
        }
        let mut keywords = Keywords::default();
        // Each folded phrase: the entry it is under and its line.
        let mut seen: HashMap<Vec<String>, (usize, u32)> = HashMap::new();
        for node in tree.children(root) {
            let event = tree.key(node).unwrap_or_default().to_owned();
            let key_line = tree
                .key_span_of(node)
                .map_or(line_of(node), |s| s.start.line);
            if !crate::meta::is_standard_event(&event) {
                let names = crate::meta::standard_event_names();
                let hint = match crate::diagnostic::did_you_mean(&event, names.clone()) {
                    Some(name) => format!("did you mean `{name}`?"),
                    None => format!(
                        "the standard events are {}",
                        names
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                return Err(KeywordsError::NotStandard {
                    line: key_line,
                    event,
                    hint,
                });
            }
            if !tree.is_seq(node) {
                return Err(KeywordsError::NotAList {
                    line: line_of(node),
                    event,
                });
            }
            let index = keywords.entries.len();
            let mut phrases: Vec<Phrase> = Vec::new();
            for item in tree.children(node) {
                let line = line_of(item);
                let serde_json::Value::String(written) = tree.to_value(item) else {
                    return Err(KeywordsError::NotText { line, event });
                };
                let words = fold_words(&written);
                if words.is_empty() {
                    return Err(KeywordsError::EmptyPhrase {
                        line,
                        event,
                        phrase: written,
                    });
                }
                match seen.get(&words) {
                    Some(&(first, _)) if first == index => continue,
                    Some(&(first, first_line)) => {
                        return Err(KeywordsError::Duplicate {
                            line,
                            folded: words.join(" "),
                            phrase: written,
                            event,
                            first_event: keywords
                                .entries
                                .get(first)
                                .map(|e| e.event.clone())
                                .unwrap_or_default(),
                            first_line,
                        });
                    }
                    None => {
                        seen.insert(words.clone(), (index, line));
                    }
                }
                phrases.push(Phrase { written, words });
            }
            if phrases.is_empty() {
                return Err(KeywordsError::NoPhrases {
                    line: line_of(node),
                    event,
                });
            }
            for (p, phrase) in phrases.iter().enumerate() {
                if let Some(first) = phrase.words.first() {
                    keywords
                        .by_first
                        .entry(first.clone())
                        .or_default()
                        .push((index, p));
                }
            }
            keywords.entries.push(Entry { event, phrases });
        }
        Ok(keywords)
    }

    /// The event `text` (an element's visible text) suggests: the longest phrase of the
    /// table found among its whole words, ties going to the event listed first (see the
    /// module documentation). `None` when no phrase matches.
    #[must_use]
    pub fn suggest(&self, text: &str) -> Option<Suggestion<'_>> {
        let words = fold_words(text);
        // (words in the phrase, entry, phrase): longer first, then earlier.
        let mut best: Option<(usize, usize, usize)> = None;
        for (start, word) in words.iter().enumerate() {
            let Some(candidates) = self.by_first.get(word) else {
                continue;
            };
            let rest = words.get(start..).unwrap_or_default();
            for &(e, p) in candidates {
                let Some(phrase) = self.entries.get(e).and_then(|en| en.phrases.get(p)) else {
                    continue;
                };
                if !rest.starts_with(&phrase.words) {
                    continue;
                }
                let better = best.is_none_or(|(len, be, bp)| {
                    phrase.words.len() > len || (phrase.words.len() == len && (e, p) < (be, bp))
                });
                if better {
                    best = Some((phrase.words.len(), e, p));
                }
            }
        }
        let (_, e, p) = best?;
        let entry = self.entries.get(e)?;
        Some(Suggestion {
            event: &entry.event,
            phrase: &entry.phrases.get(p)?.written,
        })
    }

    /// The table's events, in table order.
    pub fn events(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.event.as_str())
    }
}

/// `text`'s words as the table matches them: whitespace collapsed as for a button's text,
/// lowercased, accent-folded (NFD without combining marks), cut at every character that
/// is not a letter or a digit.
pub(crate) fn fold_words(text: &str) -> Vec<String> {
    let folded: String = crate::text::normalize_text(text)
        .chars()
        .flat_map(char::to_lowercase)
        .nfd()
        .filter(|&c| !is_combining_mark(c))
        .collect();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example table of docs/scan.md ("`--keywords FILE`") is a valid table.
    #[test]
    fn the_documented_example_table_parses() {
        let doc = include_str!("../../docs/scan.md");
        let section = doc
            .split("## `--keywords FILE`")
            .nth(1)
            .expect("the section");
        let block = section
            .split("```text\n")
            .nth(1)
            .and_then(|b| b.split("```").next())
            .expect("the example");
        let k = Keywords::parse(block).expect("parses");
        assert_eq!(
            k.suggest("Reservar mesa ahora").map(|s| s.event),
            Some("Schedule")
        );
        assert_eq!(
            k.suggest("Añadir al carrito").map(|s| s.event),
            Some("AddToCart")
        );
        assert_eq!(k.suggest("Reservaremos"), None);
    }

    fn event(text: &str) -> Option<&'static str> {
        static K: LazyLock<Keywords> = LazyLock::new(Keywords::defaults);
        K.suggest(text).map(|s| s.event)
    }

    fn err(text: &str) -> String {
        Keywords::parse(text).unwrap_err().to_string()
    }

    #[test]
    fn the_issues_examples() {
        assert_eq!(event("Añadir al carrito"), Some("AddToCart"));
        assert_eq!(event("Comprar"), Some("InitiateCheckout"));
        assert_eq!(event("Buy"), Some("InitiateCheckout"));
        assert_eq!(event("Suscribirse"), Some("Subscribe"));
        assert_eq!(event("Asistir"), Some("Lead"));
        assert_eq!(event("Register"), Some("Lead"));
        assert_eq!(event("Inscribirse"), Some("Lead"));
        assert_eq!(event("Contactar"), Some("Contact"));
        assert_eq!(event("Asistir presencial"), Some("Lead"));
    }

    #[test]
    fn case_accents_and_whitespace_fold() {
        assert_eq!(event("AÑADIR AL CARRITO"), Some("AddToCart"));
        assert_eq!(event("  añadir\n\tal   carrito "), Some("AddToCart"));
        assert_eq!(event("Inscríbete"), Some("Lead"));
        assert_eq!(event("¡Apúntate!"), Some("Lead"));
        assert_eq!(event("Contáctanos"), Some("Contact"));
        // A decomposed ñ (n + U+0303) reads as the composed one.
        assert_eq!(event("An\u{303}adir al carrito"), Some("AddToCart"));
        assert_eq!(
            fold_words("Añadir MÉTODO de pago"),
            ["anadir", "metodo", "de", "pago"]
        );
    }

    #[test]
    fn english_phrases() {
        assert_eq!(event("Buy now"), Some("InitiateCheckout"));
        assert_eq!(event("Subscribe to our newsletter"), Some("Subscribe"));
        assert_eq!(event("Proceed to checkout →"), Some("InitiateCheckout"));
        assert_eq!(event("Book a demo"), Some("Schedule"));
        assert_eq!(event("Start free trial"), Some("StartTrial"));
    }

    #[test]
    fn whole_words_only() {
        assert_eq!(event("Booking.com reviews"), None);
        assert_eq!(event("Contactless payment"), None);
        assert_eq!(event("Buyer's guide"), None);
        // Punctuation separates words.
        assert_eq!(event("Contact/Support"), Some("Contact"));
        assert_eq!(event("¿Comprar?"), Some("InitiateCheckout"));
    }

    #[test]
    fn the_longest_phrase_wins_then_the_earlier_event() {
        let k = Keywords::defaults();
        assert_eq!(
            k.suggest("Add to cart and buy"),
            Some(Suggestion {
                event: "AddToCart",
                phrase: "add to cart"
            })
        );
        assert_eq!(
            k.suggest("Comprar ahora").map(|s| s.phrase),
            Some("comprar ahora")
        );
        let k = Keywords::parse("Contact: [call]\nLead: [call]\n").map(|_| ());
        assert!(k.is_err());
        let k = Keywords::parse("Lead: [go]\nContact: [now]\n").unwrap();
        assert_eq!(k.suggest("now go").map(|s| s.event), Some("Lead"));
        let k = Keywords::parse("Lead: [go]\nContact: [go now]\n").unwrap();
        assert_eq!(k.suggest("go now").map(|s| s.event), Some("Contact"));
    }

    #[test]
    fn no_suggestion() {
        assert_eq!(event("Leer más"), None);
        assert_eq!(event(""), None);
        assert_eq!(event("   "), None);
        assert_eq!(event("…"), None);
    }

    #[test]
    fn the_defaults_parse_and_are_standard_events() {
        let table = Keywords::parse(DEFAULTS).unwrap();
        let events: Vec<_> = table.events().collect();
        assert!(events.len() >= 10, "{events:?}");
        for e in &events {
            assert!(crate::meta::is_standard_event(e), "{e}");
        }
        assert!(!events.contains(&"Purchase"));
        assert_eq!(Keywords::defaults().events().count(), events.len());
    }

    #[test]
    fn a_non_standard_event_is_refused_with_the_closest_name() {
        assert_eq!(
            err("Lead: [register]\nAddToCrat: [add to cart]\n"),
            "line 2: `AddToCrat` is not a standard Meta event; did you mean `AddToCart`? \
             (suggestions are standard events only)"
        );
        let e = err("Newsletter: [news]\n");
        assert!(e.starts_with("line 1: `Newsletter` is not a standard Meta event; the standard events are `AddPaymentInfo`, "), "{e}");
    }

    #[test]
    fn an_empty_phrase_is_refused() {
        assert_eq!(
            err("Lead: [register, '']\n"),
            "line 1: phrase `` of `Lead` is empty once folded (it has no letter or digit); remove it"
        );
        assert_eq!(
            err("Lead:\n  - register\n  - '¡!'\n"),
            "line 3: phrase `¡!` of `Lead` is empty once folded (it has no letter or digit); remove it"
        );
    }

    #[test]
    fn a_phrase_under_two_events_is_refused() {
        assert_eq!(
            err("Lead: [asistir]\nContact:\n  - Asistir\n"),
            "line 3: phrase `Asistir` (read as `asistir`) of `Contact` is already listed under \
             `Lead` on line 1; a phrase suggests one event, so keep it under one of them"
        );
        // Twice under one event is harmless.
        let k = Keywords::parse("Lead: [asistir, Asistir]\n").unwrap();
        assert_eq!(k.suggest("asistir").map(|s| s.phrase), Some("asistir"));
    }

    #[test]
    fn malformed_tables_are_refused() {
        assert_eq!(
            err("Lead: [register\n"),
            "line 2: invalid YAML: while parsing a flow sequence, expected ',' or ']'; \
             a keyword table is YAML, one `Event: [phrase, other phrase]` per line"
        );
        assert_eq!(
            err("Lead: [a]\nLead: [b]\n"),
            "line 2: the key `Lead` appears twice in this mapping; \
             a keyword table is YAML, one `Event: [phrase, other phrase]` per line"
        );
        assert!(err("# only a comment\n").contains("a keyword table maps standard events"));
        assert_eq!(
            err("- Lead\n"),
            "line 1: a keyword table maps standard events to lists of phrases, like `Lead: [register, asistir]`"
        );
        let e = err("");
        assert!(e.contains("a keyword table maps standard events"), "{e}");
        assert_eq!(
            err("Lead: register\n"),
            "line 1: `Lead` must list its phrases, like `Lead: [phrase, other phrase]`"
        );
        assert_eq!(
            err("Lead: []\n"),
            "line 1: `Lead` lists no phrases; add one or remove the line"
        );
        assert_eq!(
            err("Lead: [register, 42]\n"),
            "line 1: a phrase of `Lead` is not text; quote it (`\"…\"`) or remove it"
        );
    }
}
