//! Syntax checking for the CSS selectors written in tracking configs.
//!
//! Selectors from button `selector:` / `within:` and attribute-source `closest:`
//! end up in `document.querySelectorAll` or `Element.closest`, which throw a
//! `SyntaxError` at run time when the selector does not parse. This module
//! follows the Selectors Level 4 grammar as Chromium implements it, so that
//! `tagc check` can point at the exact character instead.
//!
//! [`parse_selector`] returns the selector as a tree ([`SelectorList`] →
//! [`ComplexSelector`] → [`CompoundSelector`] → [`SimpleSelector`]) with
//! identifiers and strings unescaped, so that other parts of tagc (the offline
//! verification harness) read selectors without re-parsing their text;
//! [`validate_selector`] only checks them.
//!
//! Checked: selector lists, type/universal/id/class/attribute selectors, CSS
//! identifiers (escapes, non-ASCII, `--custom`), strings, combinators, the
//! nesting selector `&` (`:scope` outside nesting), and known pseudo-classes
//! with their argument grammars (`:not`, `:is`, `:where`, `:has`, `:nth-*`
//! with `An+B [of S]`, `:lang`, `:dir`, `:host`, `:host-context`, `:state`).
//!
//! Deliberate choices:
//! - like Chromium, the `s` attribute flag and `:lang()` lists or strings are
//!   rejected, and so is everything not in the known pseudo-class lists below;
//! - stricter than a browser: namespace prefixes (`ns|a`, `*|a`), CSS comments,
//!   a lone trailing `\`, and unclosed `[`, `(` or strings (which browsers may
//!   close at the end of input) are rejected; `:dir()` only takes `ltr`/`rtl`;
//! - pseudo-elements (`::before`, `:after`, …) are rejected because
//!   `querySelector` never returns them;
//! - `:is()`/`:where()` arguments are checked strictly, although browsers
//!   silently drop invalid items (such an item is always a bug);
//! - only syntax is checked: `:lang(xx)` or a misspelt attribute name pass.

/// Maximum nesting of functional pseudo-classes, to bound recursion.
const MAX_DEPTH: usize = 32;

/// Pseudo-classes that take no arguments (lowercase).
const PSEUDO_CLASSES: &str = "\
    active any-link autofill checked default defined disabled empty enabled first-child \
    first-of-type focus focus-visible focus-within fullscreen host hover in-range \
    indeterminate invalid last-child last-of-type link modal only-child only-of-type \
    open optional out-of-range picture-in-picture placeholder-shown \
    popover-open read-only read-write required root scope target user-invalid user-valid \
    valid visited -webkit-any-link -webkit-autofill -webkit-full-screen";

/// Pseudo-classes that require an argument in parentheses (lowercase).
const FUNCTIONAL_PSEUDO_CLASSES: &str = "\
    not is where has nth-child nth-last-child nth-of-type nth-last-of-type lang dir host \
    host-context state";

/// Pseudo-elements that may also be written with a single colon.
const LEGACY_PSEUDO_ELEMENTS: &str = "after before first-letter first-line";

/// A parsed selector list, e.g. `a.buy, button[type=submit]`: what
/// `querySelectorAll` accepts. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorList {
    /// The comma-separated selectors, in order.
    pub selectors: Vec<ComplexSelector>,
}

/// Compound selectors joined by combinators, e.g. `form#signup > button.primary`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplexSelector {
    /// The combinator written before the first compound of a relative selector
    /// (`:has(> img)`); `None` everywhere else, and for `:has(img)`.
    pub leading: Option<Combinator>,
    /// The leftmost compound.
    pub first: CompoundSelector,
    /// The compounds after the first, left to right, each with the combinator
    /// that joins it to the compound before it.
    pub rest: Vec<(Combinator, CompoundSelector)>,
}

impl ComplexSelector {
    /// The compounds left to right, each with the combinator before it (`None`
    /// for the first; the leading combinator of a relative selector is not
    /// included).
    pub fn parts(&self) -> impl Iterator<Item = (Option<Combinator>, &CompoundSelector)> {
        let rest = self.rest.iter().map(|(c, s)| (Some(*c), s));
        std::iter::once((None, &self.first)).chain(rest)
    }

    /// The rightmost compound: the one whose elements the selector selects.
    pub fn subject(&self) -> &CompoundSelector {
        self.rest.last().map_or(&self.first, |(_, s)| s)
    }
}

/// How two compound selectors relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combinator {
    /// Whitespace: the right element is a descendant of the left one.
    Descendant,
    /// `>`: the right element is a child of the left one.
    Child,
    /// `+`: the right element immediately follows the left one.
    NextSibling,
    /// `~`: the right element follows the left one, under the same parent.
    SubsequentSibling,
}

/// Simple selectors written without whitespace, e.g. `a.buy[href]:hover`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompoundSelector {
    /// The simple selectors in source order; a type or universal selector
    /// comes first. Never empty.
    pub simple: Vec<SimpleSelector>,
}

/// One condition on an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimpleSelector {
    /// A type selector such as `button`, unescaped, in its written case (HTML
    /// compares it case-insensitively).
    Type(String),
    /// `*`.
    Universal,
    /// `#id`, unescaped (`#a\:b` is `a:b`).
    Id(String),
    /// `.class`, unescaped.
    Class(String),
    /// `[name]` or `[name op value flag]`.
    Attribute(AttributeSelector),
    /// `:name` or `:name(argument)`.
    PseudoClass(PseudoClass),
    /// The nesting selector `&`.
    Nesting,
}

/// An attribute selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeSelector {
    /// The attribute name, unescaped, in its written case.
    pub name: String,
    /// The value condition; `None` for `[name]` (the attribute is present).
    pub matcher: Option<AttributeMatcher>,
}

/// The value condition of an attribute selector, e.g. `^="https:" i`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeMatcher {
    /// The operator.
    pub op: AttributeOp,
    /// The value, unescaped (from an identifier or a quoted string).
    pub value: String,
    /// Whether the `i` flag asks for an ASCII case-insensitive comparison.
    pub case_insensitive: bool,
}

/// An attribute selector's operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeOp {
    /// `=`: the value is exactly this.
    Equals,
    /// `~=`: one of the value's whitespace-separated words is this.
    Includes,
    /// `|=`: the value is this or starts with this followed by `-`.
    DashMatch,
    /// `^=`: the value starts with this.
    Prefix,
    /// `$=`: the value ends with this.
    Suffix,
    /// `*=`: the value contains this.
    Substring,
}

/// A pseudo-class, e.g. `:hover` or `:nth-child(2n+1 of .item)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PseudoClass {
    /// The name without the colon, ASCII-lowercased (`first-child`).
    pub name: String,
    /// The argument of a functional pseudo-class.
    pub argument: Option<PseudoArgument>,
}

/// The argument of a functional pseudo-class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PseudoArgument {
    /// `:not()`, `:is()`, `:where()` and `:has()` (whose selectors are relative:
    /// see [`ComplexSelector::leading`]).
    Selectors(SelectorList),
    /// `:nth-child()` and the other `:nth-*()`: `An+B`, and for `:nth-child()`
    /// and `:nth-last-child()` an optional `of S`.
    Nth {
        /// The `An+B` formula.
        an_b: AnPlusB,
        /// The selectors after `of`.
        of: Option<SelectorList>,
    },
    /// `:host()` and `:host-context()`.
    Compound(CompoundSelector),
    /// `:dir()`, `:lang()` and `:state()`: an identifier, unescaped, as written.
    Ident(String),
}

/// An `An+B` formula: it matches the 1-based positions `A×n + B` for `n = 0, 1, 2, …`.
/// `odd` is `2n+1` and `even` is `2n+0`. Numbers too large for `i32` saturate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnPlusB {
    /// The step `A`.
    pub a: i32,
    /// The offset `B`.
    pub b: i32,
}

impl AnPlusB {
    /// Whether the 1-based `position` is `A×n + B` for some `n ≥ 0`.
    pub fn matches(&self, position: usize) -> bool {
        let position = i64::try_from(position).unwrap_or(i64::MAX);
        let diff = position.saturating_sub(i64::from(self.b));
        match i64::from(self.a) {
            0 => diff == 0,
            a => diff % a == 0 && diff / a >= 0,
        }
    }
}

/// A syntax error in a CSS selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorError {
    /// Character offset (0-based, counted in chars, not bytes) in the selector where the problem is.
    pub offset: usize,
    /// Length in chars of the offending part (at least 1, except for "unexpected end" where it may be 0).
    pub len: usize,
    /// A short lowercase message, e.g. "unclosed attribute selector `[`".
    pub message: String,
    /// Optional help: what to type instead, e.g. "did you mean `:hover`?".
    pub help: Option<String>,
}

impl SelectorError {
    /// Attaches a help text.
    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Creates an error without help.
fn error(offset: usize, len: usize, message: impl Into<String>) -> SelectorError {
    let message = message.into();
    let help = None;
    SelectorError {
        offset,
        len,
        message,
        help,
    }
}

impl std::fmt::Display for SelectorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at character {})", self.message, self.offset)
    }
}

impl std::error::Error for SelectorError {}

/// Checks that `selector` is a valid selector list for `document.querySelectorAll`.
pub fn validate_selector(selector: &str) -> Result<(), SelectorError> {
    parse_selector(selector).map(|_| ())
}

/// Parses `selector` as a selector list for `document.querySelectorAll`, with the
/// same errors as [`validate_selector`].
pub fn parse_selector(selector: &str) -> Result<SelectorList, SelectorError> {
    let chars: Vec<char> = selector.chars().collect();
    if chars.iter().all(|&c| is_ws(c)) {
        let help = "write a selector such as `.buy-button`";
        return Err(error(0, chars.len(), "selector is empty").help(help));
    }
    let (pos, depth, in_has) = (0, 0, false);
    Parser {
        chars,
        pos,
        depth,
        in_has,
    }
    .selector_list(false, false)
}

type PResult<T = ()> = Result<T, SelectorError>;

/// A run of ASCII digits as a number, saturating at `i32::MAX`.
fn int(digits: &str) -> i32 {
    digits.parse().unwrap_or(i32::MAX)
}

/// The combinator written as `c` (`>`, `+` or `~`).
fn combinator_kind(c: char) -> Combinator {
    match c {
        '>' => Combinator::Child,
        '+' => Combinator::NextSibling,
        _ => Combinator::SubsequentSibling,
    }
}

/// Whether `name` is one of the whitespace-separated names in `list`.
fn is_listed(list: &str, name: &str) -> bool {
    list.split_whitespace().any(|known| known == name)
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
}

fn is_newline(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\x0c')
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || !c.is_ascii()
}

fn is_name(c: char) -> bool {
    is_name_start(c) || c.is_ascii_digit() || c == '-'
}

fn is_combinator(c: char) -> bool {
    matches!(c, '>' | '+' | '~')
}

/// Recursive-descent parser over the selector's chars; `pos` is a char index.
struct Parser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
    in_has: bool,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.peek_at(self.pos)
    }

    fn peek_at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(c);
        self.pos += usize::from(hit);
        hit
    }

    fn skip_ws(&mut self) -> bool {
        let start = self.pos;
        self.pos += self.count_from(start, is_ws);
        self.pos > start
    }

    /// Number of consecutive chars from `at` that satisfy `pred`.
    fn count_from(&self, at: usize, pred: impl Fn(char) -> bool) -> usize {
        let rest = self.chars.get(at..).unwrap_or_default();
        rest.iter().take_while(|&&c| pred(c)).count()
    }

    fn text(&self, start: usize, len: usize) -> String {
        let part = self.chars.get(start..start + len).unwrap_or_default();
        part.iter().collect()
    }

    /// Consumes a case-insensitive keyword that is not followed by a name char.
    fn eat_keyword(&mut self, word: &str) -> bool {
        let end = self.pos + word.len();
        let next_is_name = self.peek_at(end).is_some_and(|c| is_name(c) || c == '\\');
        let hit = self.text(self.pos, word.len()).eq_ignore_ascii_case(word) && !next_is_name;
        if hit {
            self.pos = end;
        }
        hit
    }

    fn valid_escape(&self, at: usize) -> bool {
        self.peek_at(at) == Some('\\') && self.peek_at(at + 1).is_some_and(|c| !is_newline(c))
    }

    fn starts_ident(&self, at: usize) -> bool {
        match self.peek_at(at) {
            Some('-') => match self.peek_at(at + 1) {
                Some('\\') => self.valid_escape(at + 1),
                Some(c) => is_name_start(c) || c == '-',
                None => false,
            },
            Some('\\') => self.valid_escape(at),
            Some(c) => is_name_start(c),
            None => false,
        }
    }

    /// Consumes a CSS identifier and returns its unescaped value.
    fn ident(&mut self) -> Option<String> {
        if !self.starts_ident(self.pos) {
            return None;
        }
        let mut value = String::new();
        loop {
            match self.peek() {
                Some(c) if is_name(c) => {
                    value.push(c);
                    self.pos += 1;
                }
                Some('\\') if self.valid_escape(self.pos) => {
                    self.pos += 1;
                    value.push(self.escape());
                }
                _ => return Some(value),
            }
        }
    }

    /// Consumes the part of a valid escape after the `\`.
    fn escape(&mut self) -> char {
        let digits = self.count_from(self.pos, |c| c.is_ascii_hexdigit()).min(6);
        if digits == 0 {
            self.pos += 1;
            return self.peek_at(self.pos - 1).unwrap_or('\u{fffd}');
        }
        let code = u32::from_str_radix(&self.text(self.pos, digits), 16).unwrap_or(0);
        self.pos += digits;
        if self.peek() == Some('\r') && self.peek_at(self.pos + 1) == Some('\n') {
            self.pos += 1;
        }
        self.pos += usize::from(self.peek().is_some_and(is_ws));
        char::from_u32(code)
            .filter(|&c| c != '\0')
            .unwrap_or('\u{fffd}')
    }

    /// Consumes a quoted string and returns its unescaped value; `pos` is at the
    /// opening quote.
    fn string(&mut self) -> PResult<String> {
        let open = self.pos;
        let quote = self.peek().unwrap_or('"');
        self.pos += 1;
        let mut value = String::new();
        loop {
            match self.peek() {
                None => {
                    let err = error(open, 1, format!("unclosed string `{quote}`"));
                    return Err(err.help(format!("close it with `{quote}`")));
                }
                Some(c) if is_newline(c) => {
                    let err = error(self.pos, 1, "a string cannot contain a line break");
                    return Err(err.help(format!("close it with `{quote}`, or write `\\a`")));
                }
                Some('\\') if self.valid_escape(self.pos) => {
                    self.pos += 1;
                    value.push(self.escape());
                }
                // A `\` before a line break continues the string.
                Some('\\') => self.pos += 2,
                Some(c) => {
                    self.pos += 1;
                    if c == quote {
                        return Ok(value);
                    }
                    value.push(c);
                }
            }
        }
    }

    /// `<complex-selector> [, <complex-selector>]*`, relative inside `:has()`.
    fn selector_list(&mut self, relative: bool, nested: bool) -> PResult<SelectorList> {
        let mut last_comma = None;
        let mut selectors = Vec::new();
        loop {
            self.skip_ws();
            match (self.peek(), last_comma) {
                (Some(','), _) => {
                    let err = error(self.pos, 1, "empty selector in list");
                    return Err(err.help("remove the extra `,`"));
                }
                (None | Some(')'), Some(comma)) => {
                    let err = error(comma, 1, "trailing comma in selector list");
                    return Err(err.help("remove the trailing `,`"));
                }
                _ => selectors.push(self.complex(relative)?),
            }
            match self.peek() {
                Some(',') => last_comma = Some(self.pos),
                None => return Ok(SelectorList { selectors }),
                Some(')') if nested => return Ok(SelectorList { selectors }),
                Some(')') => {
                    let err = error(self.pos, 1, "unmatched `)`");
                    return Err(err.help("remove it or add the missing `(`"));
                }
                Some(_) => return Err(self.unexpected()),
            }
            self.pos += 1;
        }
    }

    /// Compound selectors joined by combinators; consumes trailing whitespace.
    fn complex(&mut self, relative: bool) -> PResult<ComplexSelector> {
        let mut leading = None;
        if let Some(c) = self.peek().filter(|&c| is_combinator(c)) {
            if !relative {
                let err = error(self.pos, 1, format!("a selector cannot start with `{c}`"));
                return Err(err.help(format!("remove it, or write `:scope {c} …`")));
            }
            leading = Some(self.combinator(c)?);
        }
        let first = self.compound()?;
        let mut rest = Vec::new();
        loop {
            let had_ws = self.skip_ws();
            let combinator = match self.peek() {
                Some(c) if is_combinator(c) => self.combinator(c)?,
                Some(c) if had_ws && !matches!(c, ',' | ')') => Combinator::Descendant,
                _ => {
                    return Ok(ComplexSelector {
                        leading,
                        first,
                        rest,
                    });
                }
            };
            rest.push((combinator, self.compound()?));
        }
    }

    /// Consumes combinator `c` and checks that a selector follows it.
    fn combinator(&mut self, c: char) -> PResult<Combinator> {
        let at = self.pos;
        self.pos += 1;
        self.skip_ws();
        match self.peek() {
            None | Some(',' | ')') => {
                let msg = format!("a combinator `{c}` must be followed by a selector");
                Err(error(at, 1, msg).help(format!("add a selector after `{c}` or remove it")))
            }
            Some(d) if is_combinator(d) => {
                let msg = format!("two combinators in a row: `{c}` and `{d}`");
                Err(error(self.pos, 1, msg).help("remove one of them"))
            }
            Some(_) => Ok(combinator_kind(c)),
        }
    }

    /// A sequence of simple selectors without whitespace, e.g. `a.b[c]:hover`.
    fn compound(&mut self) -> PResult<CompoundSelector> {
        let start = self.pos;
        let mut simple = Vec::new();
        if self.eat('*') {
            simple.push(SimpleSelector::Universal);
        } else if let Some(name) = self.ident() {
            simple.push(SimpleSelector::Type(name));
        }
        while let Some(c) = self.peek() {
            simple.push(match c {
                '#' => SimpleSelector::Id(self.named('#', "id", start)?),
                '.' => SimpleSelector::Class(self.named('.', "class name", start)?),
                '[' => SimpleSelector::Attribute(self.attribute()?),
                ':' => SimpleSelector::PseudoClass(self.pseudo()?),
                '&' => {
                    self.pos += 1;
                    SimpleSelector::Nesting
                }
                '|' => return Err(namespace_error(self.pos)),
                '*' => return Err(self.not_first(self.pos, 1)),
                _ if self.starts_ident(self.pos) => {
                    let at = self.pos;
                    self.ident();
                    return Err(self.not_first(at, self.pos - at));
                }
                _ => break,
            });
        }
        if self.pos == start {
            return Err(self.unexpected());
        }
        Ok(CompoundSelector { simple })
    }

    /// Error for a type selector or `*` that is not at the start of its compound.
    fn not_first(&self, at: usize, len: usize) -> SelectorError {
        let name = self.text(at, len);
        let err = error(
            at,
            len,
            format!("`{name}` must come first in a compound selector"),
        );
        err.help(format!(
            "move `{name}` to the front, or add a space to select a descendant"
        ))
    }

    /// `#id` or `.class`: the sigil must be followed by an identifier, whose
    /// unescaped value is returned.
    fn named(&mut self, sigil: char, what: &str, compound: usize) -> PResult<String> {
        let at = self.pos;
        self.pos += 1;
        if let Some(name) = self.ident() {
            return Ok(name);
        }
        let run = self.count_from(self.pos, is_name);
        if run == 0 {
            return Err(error(at, 1, format!("expected {what} after `{sigil}`")));
        }
        let rest = self.text(self.pos, run);
        let err = error(
            at,
            run + 1,
            format!("`{sigil}{rest}` is not a valid {what}"),
        );
        if sigil == '.' && at > compound && self.peek_at(at - 1).is_some_and(is_name) {
            let prefix = self.text(compound, at - compound);
            let fixed = format!("{prefix}\\.{rest}");
            return Err(err.help(format!(
                "to use a literal `.` in a name, escape it: `{fixed}`"
            )));
        }
        let Some(i) = rest.find(|c: char| c.is_ascii_digit()) else {
            return Err(err);
        };
        let (head, tail) = rest.split_at(i);
        let mut tail = tail.chars();
        let digit = tail.next().map_or(0, u32::from);
        let fixed = format!("{sigil}{head}\\{digit:x} {}", tail.as_str());
        Err(err.help(format!(
            "{what}s cannot start with a digit; escape it: `{fixed}`"
        )))
    }

    /// `[name]`, `[name op value]` or `[name op value flag]`.
    fn attribute(&mut self) -> PResult<AttributeSelector> {
        let open = self.pos;
        self.pos += 1;
        self.skip_ws();
        let star_bar = self.peek() == Some('*') && self.peek_at(self.pos + 1) == Some('|');
        if self.peek() == Some('|') || star_bar {
            return Err(namespace_error(self.pos));
        }
        let Some(name) = self.ident() else {
            let err = error(self.pos, 1, "expected an attribute name after `[`");
            return Err(self.or_unclosed(open, err.help("write e.g. `[data-id]`")));
        };
        if self.peek() == Some('|') && self.peek_at(self.pos + 1) != Some('=') {
            return Err(namespace_error(self.pos));
        }
        self.skip_ws();
        let op = match (self.peek(), self.peek_at(self.pos + 1)) {
            (Some('='), _) => Some(AttributeOp::Equals),
            (Some('~'), Some('=')) => Some(AttributeOp::Includes),
            (Some('|'), Some('=')) => Some(AttributeOp::DashMatch),
            (Some('^'), Some('=')) => Some(AttributeOp::Prefix),
            (Some('$'), Some('=')) => Some(AttributeOp::Suffix),
            (Some('*'), Some('=')) => Some(AttributeOp::Substring),
            _ => None,
        };
        let Some(op) = op else {
            let err = error(self.pos, 1, "expected `]` or an operator such as `=`");
            let help = "operators are `=`, `~=`, `|=`, `^=`, `$=` and `*=`";
            self.close_attribute(open, err.help(help))?;
            let matcher = None;
            return Ok(AttributeSelector { name, matcher });
        };
        self.pos += if op == AttributeOp::Equals { 1 } else { 2 };
        self.skip_ws();
        let value = self.attribute_value(open)?;
        self.skip_ws();
        let flag_at = self.pos;
        let flag = self.ident();
        if let Some(flag) = &flag {
            let len = self.pos - flag_at;
            if flag.eq_ignore_ascii_case("s") {
                let err = error(
                    flag_at,
                    len,
                    "chromium does not support the `s` attribute flag",
                );
                return Err(err.help("remove it: values match case-sensitively by default"));
            }
            if !flag.eq_ignore_ascii_case("i") {
                let err = error(flag_at, len, format!("unknown attribute flag `{flag}`"));
                return Err(err.help("only `i` is allowed here; quote values that contain spaces"));
            }
            self.skip_ws();
        }
        let err = error(self.pos, 1, "expected `]` to close the attribute selector");
        self.close_attribute(open, err)?;
        let case_insensitive = flag.is_some();
        let matcher = Some(AttributeMatcher {
            op,
            value,
            case_insensitive,
        });
        Ok(AttributeSelector { name, matcher })
    }

    /// Consumes the `]` of the attribute selector opened at `open`, or fails with `err`.
    fn close_attribute(&mut self, open: usize, err: SelectorError) -> PResult {
        if self.eat(']') {
            return Ok(());
        }
        Err(self.or_unclosed(open, err))
    }

    /// Replaces `err` by an "unclosed `[`" error at the end of input.
    fn or_unclosed(&self, open: usize, err: SelectorError) -> SelectorError {
        match self.peek() {
            Some(_) => err,
            None => error(open, 1, "unclosed attribute selector `[`").help("close it with `]`"),
        }
    }

    /// An attribute selector's value: a string or an identifier, unescaped.
    fn attribute_value(&mut self, open: usize) -> PResult<String> {
        if matches!(self.peek(), Some('"' | '\'')) {
            return self.string();
        }
        if let Some(value) = self.ident() {
            return Ok(value);
        }
        let len = self.count_from(self.pos, |c| c != ']' && !is_ws(c));
        let value = self.text(self.pos, len);
        let err = error(
            self.pos,
            len.max(1),
            "unquoted attribute values must be identifiers",
        );
        Err(self.or_unclosed(open, err.help(format!("quote the value: `\"{value}\"`"))))
    }

    /// `:name`, `:name(...)` or a pseudo-element.
    fn pseudo(&mut self) -> PResult<PseudoClass> {
        let start = self.pos;
        self.pos += 1;
        if self.eat(':') {
            let name = self.ident().unwrap_or_default();
            return Err(pseudo_element(start, self.pos - start, &name));
        }
        let Some(name) = self.ident() else {
            let err = error(start, 1, "expected a pseudo-class name after `:`");
            let space = self.peek().is_some_and(is_ws);
            return Err(if space {
                err.help("remove the space after `:`")
            } else {
                err
            });
        };
        let lower = name.to_ascii_lowercase();
        let span = self.pos - start;
        if is_listed(LEGACY_PSEUDO_ELEMENTS, &lower) {
            Err(pseudo_element(start, span, &lower))
        } else if self.peek() == Some('(') {
            let argument = Some(self.functional(&lower, start)?);
            Ok(PseudoClass {
                name: lower,
                argument,
            })
        } else if is_listed(PSEUDO_CLASSES, &lower) {
            let argument = None;
            Ok(PseudoClass {
                name: lower,
                argument,
            })
        } else if is_listed(FUNCTIONAL_PSEUDO_CLASSES, &lower) {
            let err = error(start, span, format!("`:{lower}` needs an argument"));
            Err(err.help(format!("write `:{lower}(…)`")))
        } else {
            Err(unknown_pseudo(start, span, &name))
        }
    }

    /// The parenthesised argument of a functional pseudo-class.
    fn functional(&mut self, name: &str, start: usize) -> PResult<PseudoArgument> {
        let open = self.pos;
        self.pos += 1;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(error(start, open - start, "selector is nested too deeply"));
        }
        self.skip_ws();
        let unclosed = || error(open, 1, "unclosed `(`").help("close it with `)`");
        let argument = match self.peek() {
            None => return Err(unclosed()),
            Some(')') if is_listed(FUNCTIONAL_PSEUDO_CLASSES, name) => {
                let len = self.pos + 1 - start;
                return Err(error(start, len, format!("`:{name}()` needs an argument")));
            }
            _ => self.pseudo_argument(name, start, open)?,
        };
        self.skip_ws();
        self.depth -= 1;
        match self.peek() {
            _ if self.eat(')') => Ok(argument),
            None => Err(unclosed()),
            Some(_) => Err(self.unexpected()),
        }
    }

    fn pseudo_argument(
        &mut self,
        name: &str,
        start: usize,
        open: usize,
    ) -> PResult<PseudoArgument> {
        let span = open - start;
        match name {
            "not" | "is" | "where" => {
                Ok(PseudoArgument::Selectors(self.selector_list(false, true)?))
            }
            "has" if self.in_has => Err(error(start, span, "`:has()` cannot be nested")),
            "has" => {
                self.in_has = true;
                let result = self.selector_list(true, true);
                self.in_has = false;
                Ok(PseudoArgument::Selectors(result?))
            }
            "nth-child" | "nth-last-child" => self.nth(true),
            "nth-of-type" | "nth-last-of-type" => self.nth(false),
            "host" | "host-context" => Ok(PseudoArgument::Compound(self.compound()?)),
            "dir" | "lang" | "state" => Ok(PseudoArgument::Ident(self.keyword_argument(name)?)),
            _ if is_listed(PSEUDO_CLASSES, name) => {
                let err = error(start, span, format!("`:{name}` does not take arguments"));
                Err(err.help(format!("remove the parentheses: `:{name}`")))
            }
            _ => Err(unknown_pseudo(start, span, name)),
        }
    }

    /// `An+B` optionally followed by `of <selector list>`.
    fn nth(&mut self, allow_of: bool) -> PResult<PseudoArgument> {
        let start = self.pos;
        let an_b = self.an_plus_b();
        let had_ws = self.skip_ws();
        if let Some(an_b) = an_b
            && self.peek() == Some(')')
        {
            let of = None;
            return Ok(PseudoArgument::Nth { an_b, of });
        }
        let of_at = self.pos;
        if let Some(an_b) = an_b
            && had_ws
            && self.eat_keyword("of")
        {
            if !allow_of {
                let msg = "`of` is only allowed in `:nth-child()` and `:nth-last-child()`";
                return Err(error(of_at, 2, msg));
            }
            self.skip_ws();
            if matches!(self.peek(), None | Some(')')) {
                return Err(error(of_at, 2, "`of` must be followed by a selector"));
            }
            let of = Some(self.selector_list(false, true)?);
            return Ok(PseudoArgument::Nth { an_b, of });
        }
        let len = self.count_from(start, |c| c != ')');
        let msg = format!(
            "invalid `An+B` expression `{}`",
            self.text(start, len).trim_end()
        );
        Err(error(start, len.max(1), msg).help("use e.g. `odd`, `even`, `3`, `2n+1` or `-n+3`"))
    }

    /// Consumes an `An+B` value (or `odd`/`even`); `None` if it is invalid.
    fn an_plus_b(&mut self) -> Option<AnPlusB> {
        if self.eat_keyword("odd") {
            return Some(AnPlusB { a: 2, b: 1 });
        }
        if self.eat_keyword("even") {
            return Some(AnPlusB { a: 2, b: 0 });
        }
        let sign = self.sign();
        let a_digits = self.digits();
        if !(self.eat('n') || self.eat('N')) {
            let b = sign * int(&a_digits);
            return (!a_digits.is_empty()).then_some(AnPlusB { a: 0, b });
        }
        let a = sign
            * if a_digits.is_empty() {
                1
            } else {
                int(&a_digits)
            };
        let after_n = self.pos;
        self.skip_ws();
        if !matches!(self.peek(), Some('+' | '-')) {
            self.pos = after_n;
            return Some(AnPlusB { a, b: 0 });
        }
        let sign = self.sign();
        self.skip_ws();
        let b_digits = self.digits();
        let b = sign * int(&b_digits);
        (!b_digits.is_empty()).then_some(AnPlusB { a, b })
    }

    /// Consumes an optional `+` or `-`; returns -1 for `-` and 1 otherwise.
    fn sign(&mut self) -> i32 {
        if self.eat('-') {
            return -1;
        }
        self.eat('+');
        1
    }

    /// Consumes a run of ASCII digits (possibly empty).
    fn digits(&mut self) -> String {
        let len = self.count_from(self.pos, |c| c.is_ascii_digit());
        self.pos += len;
        self.text(self.pos - len, len)
    }

    /// The single identifier argument of `:dir()`, `:lang()` or `:state()`, unescaped.
    fn keyword_argument(&mut self, name: &str) -> PResult<String> {
        let at = self.pos;
        let written = self.ident().unwrap_or_default();
        let value = written.to_ascii_lowercase();
        let (valid, help) = match name {
            "dir" => (value == "ltr" || value == "rtl", "use `ltr` or `rtl`"),
            "lang" => (
                !value.is_empty(),
                "chromium takes one unquoted tag, e.g. `:lang(en)`",
            ),
            _ => (
                !value.is_empty(),
                "use an identifier, e.g. `:state(checked)`",
            ),
        };
        self.skip_ws();
        if valid && self.peek() == Some(')') {
            return Ok(written);
        }
        let len = self.count_from(at, |c| c != ')').max(1);
        Err(error(at, len, format!("invalid argument for `:{name}()`")).help(help))
    }

    /// Error for a character that cannot appear where it is.
    fn unexpected(&self) -> SelectorError {
        let Some(c) = self.peek() else {
            return error(self.pos, 0, "unexpected end of selector");
        };
        let err = error(self.pos, 1, format!("unexpected `{c}`"));
        match c {
            '{' | '}' => err.help("a selector cannot contain a declaration block"),
            ';' => err.help("remove the `;`"),
            '"' | '\'' => err.help("strings are only allowed in attribute values: `[a=\"b\"]`"),
            '/' if self.peek_at(self.pos + 1) == Some('*') => {
                err.help("comments are not supported")
            }
            '\\' => err.help("a `\\` must be followed by the character it escapes"),
            '0'..='9' => {
                let code = u32::from(c);
                err.help(format!(
                    "names cannot start with a digit; escape it: `\\{code:x} `"
                ))
            }
            _ => err,
        }
    }
}

fn namespace_error(at: usize) -> SelectorError {
    let err = error(at, 1, "namespace selectors with `|` are not supported");
    err.help("remove the namespace prefix and the `|`")
}

fn pseudo_element(start: usize, len: usize, name: &str) -> SelectorError {
    let err = error(
        start,
        len,
        "pseudo-elements such as `::before` never match an element",
    );
    if is_listed(PSEUDO_CLASSES, &name.to_ascii_lowercase()) {
        return err.help(format!(
            "use a single colon for the pseudo-class: `:{name}`"
        ));
    }
    err.help("select the element itself; remove the pseudo-element")
}

fn unknown_pseudo(start: usize, len: usize, name: &str) -> SelectorError {
    let err = error(start, len, format!("unknown pseudo-class `:{name}`"));
    match suggest(&name.to_ascii_lowercase()) {
        Some(best) => err.help(format!("did you mean `:{best}`?")),
        None => err,
    }
}

/// The closest known pseudo-class name, if it is close enough.
fn suggest(name: &str) -> Option<&'static str> {
    let max = (name.chars().count() / 3).clamp(1, 3);
    let known = PSEUDO_CLASSES.split_whitespace();
    known
        .chain(FUNCTIONAL_PSEUDO_CLASSES.split_whitespace())
        .map(|known| (levenshtein(name, known), known))
        .filter(|&(distance, _)| distance <= max)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, known)| known)
}

/// Edit distance between two strings, counted in chars.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, &cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != cb);
            cur.push(substitute.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Selectors that Chromium's `querySelectorAll` accepts.
    #[rustfmt::skip]
    const VALID: &[&str] = &[
        "button.add-to-cart", "form#signup button[type=submit]", "[data-testid=\"buy-now\"]",
        ".product-card:not(.sold-out) > .btn", "a[href^=\"https://\"]", "#main .grid .col-md-6",
        "li:nth-child(2n+1 of .item)", "div:has(> img)", "input[name='email' i]",
        "a, b", "*", "*.x", "a > b + c ~ d e", "a>b+c~d", "  .padded  ", "[a]", "[ a = b ]",
        "[a=\"b c\"]", "[a~=b][a|=b][a^=b][a$=b][a*=b]", "[a=b I]", "[a=\"x\"i]",
        "[data-price=\"9.99\"]", "[a='say \"hi\"']", "[a=\"esc\\\"aped\"]", "[a=\"\\\nb\"]",
        ".\\31 23", "#\\31 a", "#a\\.b", ".café", ".日本語", ".--custom", "#--x", ".-foo", "._x",
        "x-custom-element", "a:hover", "A:HOVER", "input:focus-visible:not(:disabled)",
        ":is(h1, h2) > a", ":where(.a, .b)", "div:has(+ p, ~ span, .x)", "a:not(a, b)",
        ":root", ":scope > .x", "& > .x", ":host(.x)", ":state(checked)", "p:lang(en-US)",
        "p:dir(rtl)", "li:nth-child(odd)", "li:nth-child(EVEN)", "li:nth-child(3)",
        "li:nth-child(-n+3)", "li:nth-child(2n + 1)", "li:nth-child(+5)", "li:nth-child(-3)",
        "li:nth-of-type(2n- 1)", "li:nth-last-child( n )", "li:nth-last-of-type(-2n -1)",
    ];

    /// Invalid selectors with the expected error offset and a message fragment.
    #[rustfmt::skip]
    const INVALID: &[(&str, usize, &str)] = &[
        ("", 0, "selector is empty"),
        ("   ", 0, "selector is empty"),
        ("a,,b", 2, "empty selector in list"),
        (",a", 0, "empty selector in list"),
        ("a,", 1, "trailing comma"),
        ("a, b ,  ", 5, "trailing comma"),
        ("a >", 2, "combinator `>` must be followed by a selector"),
        ("a +, b", 2, "combinator `+` must be followed"),
        ("> a", 0, "cannot start with `>`"),
        ("a, ~ b", 3, "cannot start with `~`"),
        ("a > > b", 4, "two combinators in a row"),
        ("a ~+ b", 3, "two combinators in a row"),
        ("a{", 1, "unexpected `{`"),
        ("a { color: red }", 2, "unexpected `{`"),
        ("a;", 1, "unexpected `;`"),
        ("!", 0, "unexpected `!`"),
        ("a !important", 2, "unexpected `!`"),
        ("a)", 1, "unmatched `)`"),
        ("a(b)", 1, "unexpected `(`"),
        ("\"a\"", 0, "unexpected `\"`"),
        ("a\\", 1, "unexpected `\\`"),
        ("a /* x */ b", 2, "unexpected `/`"),
        (".1a", 0, "`.1a` is not a valid class name"),
        ("#1a", 0, "`#1a` is not a valid id"),
        ("#-1a", 0, "not a valid id"),
        (".", 0, "expected class name after `.`"),
        ("a #", 2, "expected id after `#`"),
        ("1a", 0, "unexpected `1`"),
        ("[a]div", 3, "`div` must come first"),
        (".a*", 2, "`*` must come first"),
        ("ns|a", 2, "namespace"),
        ("[*|a]", 1, "namespace"),
        ("[a", 0, "unclosed attribute selector `[`"),
        ("[a=\"b\"", 0, "unclosed attribute selector `[`"),
        ("[a=\"b]", 3, "unclosed string"),
        ("[a=\"b\nc\"]", 5, "line break"),
        ("[a=b c]", 5, "unknown attribute flag `c`"),
        ("[a=b s]", 5, "`s` attribute flag"),
        ("[a=1]", 3, "unquoted attribute values must be identifiers"),
        ("[=a]", 1, "expected an attribute name"),
        ("[a==b]", 3, "unquoted attribute values"),
        ("[a!=b]", 2, "expected `]` or an operator"),
        ("[a=b]]", 5, "unexpected `]`"),
        ("a:hovr", 1, "unknown pseudo-class `:hovr`"),
        ("a: hover", 1, "expected a pseudo-class name"),
        ("a::before", 1, "pseudo-elements such as `::before` never match"),
        ("a:after", 1, "pseudo-elements"),
        (":not", 0, "`:not` needs an argument"),
        (":not()", 0, "`:not()` needs an argument"),
        (":not(.a", 4, "unclosed `(`"),
        (":not(", 4, "unclosed `(`"),
        (":not(.a, )", 7, "trailing comma"),
        (":not(a >)", 7, "must be followed by a selector"),
        (":is(> a)", 4, "cannot start with `>`"),
        (":hover()", 0, "`:hover` does not take arguments"),
        (":nope(a)", 0, "unknown pseudo-class `:nope`"),
        ("div:has()", 3, "`:has()` needs an argument"),
        ("div:has(> > img)", 10, "two combinators in a row"),
        ("div:has(:has(a))", 8, "`:has()` cannot be nested"),
        ("li:nth-child(foo)", 13, "invalid `An+B` expression `foo`"),
        ("li:nth-child(2 n)", 13, "invalid `An+B`"),
        ("li:nth-child(+ 5)", 13, "invalid `An+B`"),
        ("li:nth-child(2n+)", 13, "invalid `An+B`"),
        ("li:nth-child(2n + +1)", 13, "invalid `An+B`"),
        ("li:nth-child(2.5n)", 13, "invalid `An+B`"),
        ("li:nth-child(2nd)", 13, "invalid `An+B`"),
        ("li:nth-child(2n+1of .a)", 13, "invalid `An+B`"),
        ("li:nth-child(odd of)", 17, "`of` must be followed by a selector"),
        ("li:nth-of-type(odd of .a)", 19, "only allowed in `:nth-child()`"),
        ("p:dir(up)", 6, "invalid argument for `:dir()`"),
        ("p:lang(en, de)", 7, "invalid argument for `:lang()`"),
        ("p:lang(\"en\")", 7, "invalid argument for `:lang()`"),
        ("p:lang()", 1, "needs an argument"),
    ];

    #[test]
    fn accepts_valid_selectors() {
        let failures: Vec<_> = VALID
            .iter()
            .map(|s| (s, validate_selector(s)))
            .filter(|(_, result)| result.is_err())
            .collect();
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn rejects_invalid_selectors() {
        let failures: Vec<_> = INVALID
            .iter()
            .map(|&(s, offset, fragment)| (s, offset, fragment, validate_selector(s)))
            .filter(|(_, offset, fragment, result)| {
                !matches!(result, Err(e) if e.offset == *offset && e.message.contains(fragment))
            })
            .collect();
        assert!(failures.is_empty(), "{failures:#?}");
    }

    fn help(selector: &str) -> Option<String> {
        validate_selector(selector).err().and_then(|e| e.help)
    }

    #[test]
    fn gives_helpful_suggestions() {
        assert_eq!(help("a:hovr").as_deref(), Some("did you mean `:hover`?"));
        assert_eq!(
            help("li:frist-child").as_deref(),
            Some("did you mean `:first-child`?")
        );
        assert_eq!(help(":nott(.a)").as_deref(), Some("did you mean `:not`?"));
        assert_eq!(help(":zzzzzzzz"), None);
        let single_colon = "use a single colon for the pseudo-class: `:hover`";
        assert_eq!(help("a::hover").as_deref(), Some(single_colon));
        let escaped = "ids cannot start with a digit; escape it: `#\\31 a`";
        assert_eq!(help("#1a").as_deref(), Some(escaped));
        let dot = "to use a literal `.` in a name, escape it: `#a\\.1b`";
        assert_eq!(help("#a.1b").as_deref(), Some(dot));
        assert_eq!(help("[a=1]").as_deref(), Some("quote the value: `\"1\"`"));
        assert_eq!(help("[a").as_deref(), Some("close it with `]`"));
    }

    #[test]
    fn reports_spans_in_chars() {
        let span = |s: &str| validate_selector(s).map_err(|e| (e.offset, e.len));
        assert_eq!(span("a:hovr"), Err((1, 5)));
        assert_eq!(span(".café > "), Err((6, 1)));
        assert_eq!(span(".日本 :hovr"), Err((4, 5)));
        assert_eq!(span("#a.1b"), Err((2, 3)));
        assert_eq!(span("[a]div"), Err((3, 3)));
    }

    #[test]
    fn never_panics_on_odd_input() {
        let nested = ":not(".repeat(200) + "a" + &")".repeat(200);
        assert!(validate_selector(&nested).is_err());
        for s in [
            "\\",
            "[",
            "(",
            ")",
            "#",
            ":",
            "::",
            "[a=",
            "[a|",
            "'",
            ":nth-child(",
            "\"\\",
        ] {
            assert!(validate_selector(s).is_err(), "{s}");
        }
        assert_eq!(validate_selector("\\110000 \\0 \\fffffff"), Ok(()));
    }

    /// The only complex selector of `s`.
    fn complex(s: &str) -> ComplexSelector {
        let mut list = parse_selector(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(list.selectors.len(), 1, "{s}");
        list.selectors.remove(0)
    }

    /// The simple selectors of the only compound of `s`.
    fn simple(s: &str) -> Vec<SimpleSelector> {
        let c = complex(s);
        assert!(c.rest.is_empty() && c.leading.is_none(), "{s}");
        c.first.simple
    }

    fn compound(simple: Vec<SimpleSelector>) -> CompoundSelector {
        CompoundSelector { simple }
    }

    fn class(name: &str) -> SimpleSelector {
        SimpleSelector::Class(name.into())
    }

    fn ty(name: &str) -> SimpleSelector {
        SimpleSelector::Type(name.into())
    }

    fn pseudo(name: &str, argument: Option<PseudoArgument>) -> SimpleSelector {
        let name = name.into();
        SimpleSelector::PseudoClass(PseudoClass { name, argument })
    }

    fn attr(name: &str, op: AttributeOp, value: &str, case_insensitive: bool) -> SimpleSelector {
        let (name, value) = (name.into(), value.into());
        SimpleSelector::Attribute(AttributeSelector {
            name,
            matcher: Some(AttributeMatcher {
                op,
                value,
                case_insensitive,
            }),
        })
    }

    #[test]
    fn the_tree_holds_unescaped_names_and_values() {
        use SimpleSelector::{Id, Universal};
        assert_eq!(simple("#a\\:b"), [Id("a:b".into())]);
        assert_eq!(simple(".\\31 23"), [class("123")]);
        assert_eq!(simple(".a\\.b"), [class("a.b")]);
        // A hex escape ends at (and swallows) one whitespace.
        assert_eq!(simple(".caf\\e9 x"), [class("caféx")]);
        assert_eq!(simple(".caf\\0000e9x"), [class("caféx")]);
        assert_eq!(simple("*.\\--x"), [Universal, class("--x")]);
        assert_eq!(simple("A.B"), [ty("A"), class("B")], "case as written");
        let eq = AttributeOp::Equals;
        assert_eq!(
            simple("[data-x=\"a\\\"b\"]"),
            [attr("data-x", eq, "a\"b", false)]
        );
        assert_eq!(
            simple("[a='say \"hi\"']"),
            [attr("a", eq, "say \"hi\"", false)]
        );
        assert_eq!(simple("[a=\"x\\\ny\"]"), [attr("a", eq, "xy", false)]);
        assert_eq!(simple("[a=\"\\41 B\"]"), [attr("a", eq, "AB", false)]);
        assert_eq!(simple("[a=\\0]"), [attr("a", eq, "\u{fffd}", false)]);
        assert_eq!(simple("[d\\61ta-x=b]"), [attr("data-x", eq, "b", false)]);
    }

    #[test]
    fn combinators_join_compounds_left_to_right() {
        use Combinator::{Child, Descendant, NextSibling, SubsequentSibling};
        let c = complex("  form#f  >  .row .col+a~ b ");
        let id = SimpleSelector::Id("f".into());
        assert_eq!(c.first, compound(vec![ty("form"), id]));
        assert_eq!(
            c.rest,
            [
                (Child, compound(vec![class("row")])),
                (Descendant, compound(vec![class("col")])),
                (NextSibling, compound(vec![ty("a")])),
                (SubsequentSibling, compound(vec![ty("b")])),
            ]
        );
        assert_eq!(c.subject(), &compound(vec![ty("b")]));
        let kinds: Vec<_> = c.parts().map(|(k, _)| k).collect();
        let want = [
            None,
            Some(Child),
            Some(Descendant),
            Some(NextSibling),
            Some(SubsequentSibling),
        ];
        assert_eq!(kinds, want);
        let list = parse_selector("a, b > c,d").unwrap_or_else(|e| panic!("{e}"));
        let subjects: Vec<_> = list.selectors.iter().map(|c| c.subject().clone()).collect();
        let want = ["a", "c", "d"].map(|t| compound(vec![ty(t)]));
        assert_eq!(subjects, want);
        let nested = complex("& > .x");
        assert_eq!(nested.first, compound(vec![SimpleSelector::Nesting]));
    }

    #[test]
    fn attribute_operators_and_flags() {
        use AttributeOp::*;
        let sel = "[a][b=c][b~=c][b|=c][b^=c][b$=c][b*=c][b=\"C\" i][ b = c I ]";
        let want = vec![
            SimpleSelector::Attribute(AttributeSelector {
                name: "a".into(),
                matcher: None,
            }),
            attr("b", Equals, "c", false),
            attr("b", Includes, "c", false),
            attr("b", DashMatch, "c", false),
            attr("b", Prefix, "c", false),
            attr("b", Suffix, "c", false),
            attr("b", Substring, "c", false),
            attr("b", Equals, "C", true),
            attr("b", Equals, "c", true),
        ];
        assert_eq!(simple(sel), want);
    }

    #[test]
    fn pseudo_class_arguments_are_trees() {
        let list = |s: &str| parse_selector(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        let args = |s: &str| Some(PseudoArgument::Selectors(list(s)));
        assert_eq!(
            simple("A:HOVER:First-Child"),
            [ty("A"), pseudo("hover", None), pseudo("first-child", None)]
        );
        assert_eq!(
            simple("a:not(.x, :is(b > c))"),
            [ty("a"), pseudo("not", args(".x, :is(b > c)"))]
        );
        let has = simple("div:has(> img, + p, span)");
        let Some(SimpleSelector::PseudoClass(PseudoClass {
            argument: Some(PseudoArgument::Selectors(rel)),
            ..
        })) = has.get(1)
        else {
            panic!("{has:?}");
        };
        let leading: Vec<_> = rel.selectors.iter().map(|c| c.leading).collect();
        let want = [Some(Combinator::Child), Some(Combinator::NextSibling), None];
        assert_eq!(leading, want);
        let ident = |s: &str| Some(PseudoArgument::Ident(s.into()));
        assert_eq!(
            simple(":lang(en-US):dir(rtl):state(\\63 hecked)"),
            [
                pseudo("lang", ident("en-US")),
                pseudo("dir", ident("rtl")),
                pseudo("state", ident("checked"))
            ]
        );
        let host = Some(PseudoArgument::Compound(compound(vec![class("x")])));
        assert_eq!(simple(":host(.x)"), [pseudo("host", host)]);
        let deep = ":not(".repeat(MAX_DEPTH) + "a" + &")".repeat(MAX_DEPTH);
        assert!(parse_selector(&deep).is_ok());
        let deeper = ":not(".repeat(MAX_DEPTH + 1) + "a" + &")".repeat(MAX_DEPTH + 1);
        let err = parse_selector(&deeper).err().map(|e| e.message);
        assert_eq!(err.as_deref(), Some("selector is nested too deeply"));
    }

    #[test]
    fn an_plus_b_values() {
        let nth = |arg: &str| {
            let s = format!("li:nth-child({arg})");
            match simple(&s).pop() {
                Some(SimpleSelector::PseudoClass(PseudoClass {
                    argument: Some(PseudoArgument::Nth { an_b, of }),
                    ..
                })) => (an_b.a, an_b.b, of.is_some()),
                other => panic!("{s}: {other:?}"),
            }
        };
        let cases = [
            ("odd", (2, 1)),
            ("EVEN", (2, 0)),
            ("3", (0, 3)),
            ("+5", (0, 5)),
            ("-3", (0, -3)),
            ("n", (1, 0)),
            ("-n+3", (-1, 3)),
            ("+n", (1, 0)),
            ("2n+1", (2, 1)),
            ("2N - 1", (2, -1)),
            (" -2n -1 ", (-2, -1)),
            ("10n+0", (10, 0)),
            ("99999999999", (0, i32::MAX)),
        ];
        for (arg, (a, b)) in cases {
            assert_eq!(nth(arg), (a, b, false), "{arg}");
        }
        assert_eq!(nth("2n+1 of .item, .x"), (2, 1, true));
        let of = simple("li:nth-last-child(odd of .a)").pop();
        let want = pseudo(
            "nth-last-child",
            Some(PseudoArgument::Nth {
                an_b: AnPlusB { a: 2, b: 1 },
                of: parse_selector(".a").ok(),
            }),
        );
        assert_eq!(of, Some(want));
        let nth_of_type = simple("p:nth-of-type(2)").pop();
        let an_b = AnPlusB { a: 0, b: 2 };
        let want = pseudo("nth-of-type", Some(PseudoArgument::Nth { an_b, of: None }));
        assert_eq!(nth_of_type, Some(want));
    }

    #[test]
    fn an_plus_b_matches_positions() {
        let positions =
            |a, b| -> Vec<usize> { (1..=10).filter(|&i| AnPlusB { a, b }.matches(i)).collect() };
        assert_eq!(positions(2, 1), [1, 3, 5, 7, 9]);
        assert_eq!(positions(2, 0), [2, 4, 6, 8, 10]);
        assert_eq!(positions(0, 3), [3]);
        assert_eq!(positions(-1, 3), [1, 2, 3]);
        assert_eq!(positions(3, -1), [2, 5, 8]);
        assert_eq!(positions(-2, -1), Vec::<usize>::new());
        assert_eq!(positions(0, 0), Vec::<usize>::new());
        assert!(AnPlusB { a: 1, b: i32::MIN }.matches(usize::MAX));
    }
}
