//! `ge`: `f` or `m`.
//!
//! Meta: "one lowercase initial: `f` or `m`". tagc lowercases, keeps letters only (so
//! `F.` and `fe-male` work, as in Node's SDK) and maps a short list of words: `female`,
//! `woman`, `male`, `man`, and the German, Spanish, French, Italian and Portuguese words
//! for them. Anything else is an error rather than a guess (Node drops it silently;
//! Python hashes it as written, which matches nothing).

use super::ErrorKind;
use super::text::{is_letter_or_mark, lower_filter_nfc};

pub(super) fn gender(t: &str) -> Result<String, ErrorKind> {
    if t.len() > 64 {
        return Err(ErrorKind::GenderUnknown);
    }
    let key = lower_filter_nfc(t, is_letter_or_mark);
    let g = match key.as_str() {
        "f" | "female" | "woman" | "weiblich" | "frau" | "mujer" | "femenino" | "femme"
        | "féminin" | "feminin" | "donna" | "femmina" | "feminino" | "mulher" => "f",
        "m" | "male" | "man" | "männlich" | "mannlich" | "maennlich" | "mann" | "hombre"
        | "masculino" | "homme" | "masculin" | "uomo" | "maschio" | "homem" => "m",
        _ => return Err(ErrorKind::GenderUnknown),
    };
    Ok(g.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_words() {
        for (s, g) in [
            ("f", "f"),
            ("M", "m"),
            (" m ", "m"),
            ("Female", "f"),
            ("FEMALE", "f"),
            ("fe-male", "f"),
            ("f.", "f"),
            ("woman", "f"),
            ("Männlich", "m"),
            ("MALE", "m"),
            ("homme", "m"),
        ] {
            assert_eq!(gender(s).ok().as_deref(), Some(g), "{s}");
        }
    }

    #[test]
    fn rejects_others() {
        for s in [
            "other",
            "x",
            "fm",
            "unknown",
            "😀",
            "\0",
            ".",
            &"f".repeat(5_000),
        ] {
            assert_eq!(gender(s).err(), Some(ErrorKind::GenderUnknown), "{s}");
        }
    }
}
