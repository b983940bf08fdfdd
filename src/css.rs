//! Syntax checking for the CSS selectors written in tracking configs.
//!
//! Selectors from button `selector:` / `within:` and attribute-source `closest:`
//! end up in `document.querySelectorAll` or `Element.closest`, which throw a
//! `SyntaxError` at run time when the selector does not parse. This module
//! follows the Selectors Level 4 grammar as Chromium implements it, so that
//! `tagc check` can point at the exact character instead.
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

/// Checks that `selector` is a valid selector list for `document.querySelectorAll`.
pub fn validate_selector(selector: &str) -> Result<(), SelectorError> {
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

    /// Consumes a quoted string; `pos` is at the opening quote.
    fn string(&mut self) -> PResult {
        let open = self.pos;
        let quote = self.peek().unwrap_or('"');
        self.pos += 1;
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
                    self.escape();
                }
                Some(c) => {
                    // A `\` before a line break continues the string.
                    self.pos += if c == '\\' { 2 } else { 1 };
                    if c == quote {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// `<complex-selector> [, <complex-selector>]*`, relative inside `:has()`.
    fn selector_list(&mut self, relative: bool, nested: bool) -> PResult {
        let mut last_comma = None;
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
                _ => self.complex(relative)?,
            }
            match self.peek() {
                Some(',') => last_comma = Some(self.pos),
                None => return Ok(()),
                Some(')') if nested => return Ok(()),
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
    fn complex(&mut self, relative: bool) -> PResult {
        if let Some(c) = self.peek().filter(|&c| is_combinator(c)) {
            if !relative {
                let err = error(self.pos, 1, format!("a selector cannot start with `{c}`"));
                return Err(err.help(format!("remove it, or write `:scope {c} …`")));
            }
            self.combinator(c)?;
        }
        self.compound()?;
        loop {
            let had_ws = self.skip_ws();
            match self.peek() {
                None | Some(',' | ')') => return Ok(()),
                Some(c) if is_combinator(c) => self.combinator(c)?,
                Some(_) if had_ws => {}
                Some(_) => return Ok(()),
            }
            self.compound()?;
        }
    }

    /// Consumes combinator `c` and checks that a selector follows it.
    fn combinator(&mut self, c: char) -> PResult {
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
            Some(_) => Ok(()),
        }
    }

    /// A sequence of simple selectors without whitespace, e.g. `a.b[c]:hover`.
    fn compound(&mut self) -> PResult {
        let start = self.pos;
        if !self.eat('*') {
            self.ident();
        }
        while let Some(c) = self.peek() {
            match c {
                '#' => self.named('#', "id", start)?,
                '.' => self.named('.', "class name", start)?,
                '[' => self.attribute()?,
                ':' => self.pseudo()?,
                '&' => self.pos += 1,
                '|' => return Err(namespace_error(self.pos)),
                '*' => return Err(self.not_first(self.pos, 1)),
                _ if self.starts_ident(self.pos) => {
                    let at = self.pos;
                    self.ident();
                    return Err(self.not_first(at, self.pos - at));
                }
                _ => break,
            }
        }
        if self.pos == start {
            return Err(self.unexpected());
        }
        Ok(())
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

    /// `#id` or `.class`: the sigil must be followed by an identifier.
    fn named(&mut self, sigil: char, what: &str, compound: usize) -> PResult {
        let at = self.pos;
        self.pos += 1;
        if self.ident().is_some() {
            return Ok(());
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
    fn attribute(&mut self) -> PResult {
        let open = self.pos;
        self.pos += 1;
        self.skip_ws();
        let star_bar = self.peek() == Some('*') && self.peek_at(self.pos + 1) == Some('|');
        if self.peek() == Some('|') || star_bar {
            return Err(namespace_error(self.pos));
        }
        if self.ident().is_none() {
            let err = error(self.pos, 1, "expected an attribute name after `[`");
            return Err(self.or_unclosed(open, err.help("write e.g. `[data-id]`")));
        }
        if self.peek() == Some('|') && self.peek_at(self.pos + 1) != Some('=') {
            return Err(namespace_error(self.pos));
        }
        self.skip_ws();
        let two_char_op = self.peek().is_some_and(|c| "~|^$*".contains(c));
        if two_char_op && self.peek_at(self.pos + 1) == Some('=') {
            self.pos += 2;
        } else if !self.eat('=') {
            let err = error(self.pos, 1, "expected `]` or an operator such as `=`");
            let help = "operators are `=`, `~=`, `|=`, `^=`, `$=` and `*=`";
            return self.close_attribute(open, err.help(help));
        }
        self.skip_ws();
        self.attribute_value(open)?;
        self.skip_ws();
        let flag_at = self.pos;
        if let Some(flag) = self.ident() {
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
        self.close_attribute(open, err)
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

    fn attribute_value(&mut self, open: usize) -> PResult {
        if matches!(self.peek(), Some('"' | '\'')) {
            return self.string();
        }
        if self.ident().is_some() {
            return Ok(());
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
    fn pseudo(&mut self) -> PResult {
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
            self.functional(&lower, start)
        } else if is_listed(PSEUDO_CLASSES, &lower) {
            Ok(())
        } else if is_listed(FUNCTIONAL_PSEUDO_CLASSES, &lower) {
            let err = error(start, span, format!("`:{lower}` needs an argument"));
            Err(err.help(format!("write `:{lower}(…)`")))
        } else {
            Err(unknown_pseudo(start, span, &name))
        }
    }

    /// The parenthesised argument of a functional pseudo-class.
    fn functional(&mut self, name: &str, start: usize) -> PResult {
        let open = self.pos;
        self.pos += 1;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(error(start, open - start, "selector is nested too deeply"));
        }
        self.skip_ws();
        let unclosed = || error(open, 1, "unclosed `(`").help("close it with `)`");
        match self.peek() {
            None => return Err(unclosed()),
            Some(')') if is_listed(FUNCTIONAL_PSEUDO_CLASSES, name) => {
                let len = self.pos + 1 - start;
                return Err(error(start, len, format!("`:{name}()` needs an argument")));
            }
            _ => self.pseudo_argument(name, start, open)?,
        }
        self.skip_ws();
        self.depth -= 1;
        match self.peek() {
            _ if self.eat(')') => Ok(()),
            None => Err(unclosed()),
            Some(_) => Err(self.unexpected()),
        }
    }

    fn pseudo_argument(&mut self, name: &str, start: usize, open: usize) -> PResult {
        let span = open - start;
        match name {
            "not" | "is" | "where" => self.selector_list(false, true),
            "has" if self.in_has => Err(error(start, span, "`:has()` cannot be nested")),
            "has" => {
                self.in_has = true;
                let result = self.selector_list(true, true);
                self.in_has = false;
                result
            }
            "nth-child" | "nth-last-child" => self.nth(true),
            "nth-of-type" | "nth-last-of-type" => self.nth(false),
            "host" | "host-context" => self.compound(),
            "dir" | "lang" | "state" => self.keyword_argument(name),
            _ if is_listed(PSEUDO_CLASSES, name) => {
                let err = error(start, span, format!("`:{name}` does not take arguments"));
                Err(err.help(format!("remove the parentheses: `:{name}`")))
            }
            _ => Err(unknown_pseudo(start, span, name)),
        }
    }

    /// `An+B` optionally followed by `of <selector list>`.
    fn nth(&mut self, allow_of: bool) -> PResult {
        let start = self.pos;
        let valid = self.an_plus_b();
        let had_ws = self.skip_ws();
        if valid && self.peek() == Some(')') {
            return Ok(());
        }
        let of_at = self.pos;
        if valid && had_ws && self.eat_keyword("of") {
            if !allow_of {
                let msg = "`of` is only allowed in `:nth-child()` and `:nth-last-child()`";
                return Err(error(of_at, 2, msg));
            }
            self.skip_ws();
            if matches!(self.peek(), None | Some(')')) {
                return Err(error(of_at, 2, "`of` must be followed by a selector"));
            }
            return self.selector_list(false, true);
        }
        let len = self.count_from(start, |c| c != ')');
        let msg = format!(
            "invalid `An+B` expression `{}`",
            self.text(start, len).trim_end()
        );
        Err(error(start, len.max(1), msg).help("use e.g. `odd`, `even`, `3`, `2n+1` or `-n+3`"))
    }

    /// Consumes an `An+B` value (without `odd`/`even`); returns whether it is valid.
    fn an_plus_b(&mut self) -> bool {
        if self.eat_keyword("odd") || self.eat_keyword("even") {
            return true;
        }
        self.pos += usize::from(matches!(self.peek(), Some('+' | '-')));
        let a_digits = self.count_from(self.pos, |c| c.is_ascii_digit());
        self.pos += a_digits;
        if !(self.eat('n') || self.eat('N')) {
            return a_digits > 0;
        }
        let after_n = self.pos;
        self.skip_ws();
        if !matches!(self.peek(), Some('+' | '-')) {
            self.pos = after_n;
            return true;
        }
        self.pos += 1;
        self.skip_ws();
        let b_digits = self.count_from(self.pos, |c| c.is_ascii_digit());
        self.pos += b_digits;
        b_digits > 0
    }

    /// The single identifier argument of `:dir()`, `:lang()` or `:state()`.
    fn keyword_argument(&mut self, name: &str) -> PResult {
        let at = self.pos;
        let value = self.ident().unwrap_or_default().to_ascii_lowercase();
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
            return Ok(());
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
}
