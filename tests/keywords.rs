//! The keyword table of `tagc scan` through its public API (issue 19): the defaults, a
//! replacement table, and how suggestions are chosen.

use tagc::scan::keywords::{Keywords, KeywordsError, Suggestion};

#[test]
fn the_defaults_suggest_the_issues_events() {
    let k = Keywords::defaults();
    let cases = [
        ("Asistir presencial", "Lead"),
        ("Añadir al carrito", "AddToCart"),
        ("AÑADIR AL CARRITO", "AddToCart"),
        ("Comprar", "InitiateCheckout"),
        ("Buy now", "InitiateCheckout"),
        ("Suscribirse", "Subscribe"),
        ("Subscribe to our newsletter", "Subscribe"),
        ("Register", "Lead"),
        ("Inscribirse", "Lead"),
        ("Contactar", "Contact"),
        ("Add to cart and buy", "AddToCart"),
    ];
    for (text, event) in cases {
        assert_eq!(k.suggest(text).map(|s| s.event), Some(event), "{text}");
    }
    for text in ["Leer más", "Booking.com reviews", "Contactless payment"] {
        assert_eq!(k.suggest(text), None, "{text}");
    }
}

#[test]
fn a_table_replaces_the_defaults() {
    let k = Keywords::parse("# ours\nLead: [reservar mesa]\n").unwrap();
    assert_eq!(k.events().collect::<Vec<_>>(), ["Lead"]);
    assert_eq!(
        k.suggest("Reservar  MESA"),
        Some(Suggestion {
            event: "Lead",
            phrase: "reservar mesa"
        })
    );
    // The defaults are gone.
    assert_eq!(k.suggest("Add to cart"), None);
}

#[test]
fn errors_are_typed_and_name_the_line() {
    let e = Keywords::parse("Lead: [a]\nPurchse: [b]\n").unwrap_err();
    assert!(
        matches!(&e, KeywordsError::NotStandard { line: 2, event, .. } if event == "Purchse"),
        "{e:?}"
    );
    assert!(e.to_string().contains("did you mean `Purchase`?"), "{e}");
    let e = Keywords::parse("Lead: [a b]\nContact: [A  B]\n").unwrap_err();
    assert!(
        matches!(
            &e,
            KeywordsError::Duplicate {
                line: 2,
                first_line: 1,
                ..
            }
        ),
        "{e:?}"
    );
}
