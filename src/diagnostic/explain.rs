//! Long explanations for `tagc explain CODE`.
//!
//! Every [`Code`] has one text, written for marketers and developers alike: what the check
//! looks at, why it matters (citing Meta's rule where there is one), a minimal YAML example
//! that triggers it and the corrected YAML. The texts live in one `match` with no wildcard
//! arm, so adding a code without an explanation does not compile.

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
#[allow(clippy::too_many_lines)]
fn body(code: Code) -> &'static str {
    match code {
        Code::NotUtf8 => {
            r##"## What it checks
tagc reads configuration files as UTF-8 text. A file saved as UTF-16, Latin-1 or
Windows-1252 contains bytes that are not UTF-8; tagc reports the first one. A UTF-8
byte-order mark is fine and ignored.

## Why
Names such as `Café Central` or `García` must reach Meta exactly as written. Guessing
the encoding could silently turn them into other characters.

## Example
```yaml
# saved as Windows-1252: the "é" below is the single byte 0xE9
site:
  name: Café Central
```

## Fix
Save the file as UTF-8 (in most editors: "Save with encoding", then "UTF-8"), or convert
it with `iconv -f WINDOWS-1252 -t UTF-8 old.yaml > tagc.yaml`. The text stays the same:
```yaml
# saved as UTF-8: "é" is now the two bytes 0xC3 0xA9
site:
  name: Café Central
```
"##
        }
        Code::YamlSyntax => {
            r##"## What it checks
The file must be valid YAML. The usual culprits: a tab used for indentation, a `[` or
`{` that is never closed, a value containing `: ` without quotes, or an alias (`*name`)
with no matching anchor (`&name`).

## Why
tagc cannot guess what a broken file was meant to say, and a wrong guess could fire the
wrong event. It stops and points at the spot where the YAML breaks.

## Example
```yaml
pages:
  - id: pricing
    url: /pricing
    buttons:
      - id: pay
        text: Step 1: pay
        event: AddPaymentInfo
```

## Fix
Quote values that contain `: ` (or `#`), and indent with spaces only:
```yaml
pages:
  - id: pricing
    url: /pricing
    buttons:
      - id: pay
        text: "Step 1: pay"
        event: AddPaymentInfo
```
"##
        }
        Code::DuplicateKey => {
            r##"## What it checks
The same key appears twice in one mapping, such as two `currency:` lines in one event's
`params`, or two `on_load:` lists on one page. tagc shows both places.

## Why
Most YAML tools silently keep the last value, so half of what you wrote is ignored
without a word. tagc never lets one of them win: you choose.

## Example
```yaml
events:
  purchase:
    event: Purchase
    params:
      value: {from: data_layer, path: ecommerce.value, type: number}
      currency: EUR
      currency: USD
```

## Fix
Keep the one you mean and delete the other:
```yaml
events:
  purchase:
    event: Purchase
    params:
      value: {from: data_layer, path: ecommerce.value, type: number}
      currency: EUR
```
"##
        }
        Code::TooDeep => {
            r##"## What it checks
The document is nested more than 64 levels deep (lists inside lists, mappings inside
mappings). A tracking configuration never needs more than a handful of levels.

## Why
Such nesting is almost always a runaway generated file or hostile input. The limit keeps
`tagc check` fast and safe on any file, including pull requests from strangers in CI.

## Example
```yaml
# a sample record pasted from a tool that wraps every value in a list, 70 levels deep
server:
  events:
    - id: purchase
      event: Purchase
      action_source: system_generated
      user_data: {em: order.email}
      sample: {order: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{email: ana@example.com}]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}
```

## Fix
Flatten the structure; keep only the fields the configuration reads:
```yaml
server:
  events:
    - id: purchase
      event: Purchase
      action_source: system_generated
      user_data: {em: order.email}
      sample: {order: {email: ana@example.com}}
```
"##
        }
        Code::TooLarge => {
            r##"## What it checks
A configuration file is larger than 32 MB. Hand-written tracking configurations are a few
kilobytes; this size means something else ended up in the file.

## Why
The limit keeps tagc quick and safe on any input. The usual cause is a data export (a
product feed, a database dump) pasted into a `sample:` record.

## Example
```yaml
server:
  events:
    - id: purchase
      event: Purchase
      action_source: system_generated
      user_data: {em: order.email}
      sample:
        order: {email: ana@example.com}
        catalog: [...]   # the whole 200,000-product feed pasted here
```

## Fix
Keep `sample:` to one realistic record, and split large configurations into several files
with `include:`:
```yaml
include: [server.yaml]   # server.yaml holds the server events, one sample each
```
"##
        }
        Code::TooManyNodes => {
            r##"## What it checks
Counting every value after aliases (`*name`) are expanded, the document holds more than
2,000,000 values. Each alias copies everything its anchor (`&name`) holds, so a few
lines that alias aliases can expand to billions of values.

## Why
This is the "billion laughs" attack on YAML parsers. tagc stops counting at the limit
instead of running out of memory.

## Example
```yaml
a: &a [x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
```

## Fix
Write out the values you need. To reuse an event on several buttons, define it once under
`events:` and fire it with `use:` instead of aliases:
```yaml
events:
  signup: {event: Lead}
```
"##
        }
        Code::EmptyFile => {
            r##"## What it checks
A configuration file (the root file or an included one) holds no configuration: it is
empty, or holds only comments, or only `null`.

## Why
An empty file is almost always a mistake, such as a file created but never filled in, or
the wrong path. Checking it would otherwise "pass" while tracking nothing.

## Example
```yaml
# tracking for the new landing page: TODO
```

## Fix
Add the configuration (start from `examples/event-landing/tagc.yaml`), or, for an included
file you no longer need, remove it from `include:`:
```yaml
pixels:
  - name: main
    ids:
      production: "123456789012345"
```
"##
        }
        Code::UnsupportedYaml => {
            r##"## What it checks
The file uses a YAML feature tagc does not accept: merge keys (`<<: *base`), tags (`!foo`,
`!!binary`), several documents in one file (`---`), lists or mappings as keys, aliases as
keys, or the special numbers `.nan` and `.inf`.

## Why
These features behave differently from one YAML tool to the next (merge keys are YAML
1.1 only), so the same file could mean different things. tagc keeps to plain YAML 1.2.

## Example
```yaml
events:
  signup: &signup
    event: Lead
    params: {content_category: signup}
  newsletter:
    <<: *signup
    params: {content_name: Newsletter}
```

## Fix
Share a definition with `use:`; parameters given next to `use:` are added to (and
override) the definition's. Put each document in its own file and list it in `include:`.
```yaml
events:
  signup:
    event: Lead
    params: {content_category: signup}
pages:
  - id: home
    url: /
    buttons:
      - id: newsletter
        selector: "#newsletter"
        use: signup
        params: {content_name: Newsletter}
```
"##
        }
        Code::UnknownField => {
            r##"## What it checks
A key that the language does not allow at this place, usually a typo (`onload` for
`on_load`, `param` for `params`) or a key put one level too high or too low. tagc
suggests the closest allowed key, or lists them all.

## Why
Every key is checked, so a typo is an error with a location instead of a silently ignored
setting that leaves an event unfired. `tagc schema` gives your editor the same list for
autocompletion.

## Example
```yaml
pages:
  - id: home
    url: /
    onload:
      - event: ViewContent
```

## Fix
```yaml
pages:
  - id: home
    url: /
    on_load:
      - event: ViewContent
```
"##
        }
        Code::MissingField => {
            r##"## What it checks
A required key is missing. Required keys include `id` and `url` on a page, `id` on a
button, `name` and `ids` on a pixel, `event` on an event definition, `id`, `event` and
`action_source` on a server event, `from` on a parameter source and `version` under
`graph`.

## Why
Without them tagc cannot know which URLs a page covers, which event to send, or where a
conversion happened, so it cannot build the pixel or the Conversions API call.

## Example
```yaml
pages:
  - id: pricing
    buttons:
      - id: trial
        text: Start free trial
        event: StartTrial
```

## Fix
```yaml
pages:
  - id: pricing
    url: /pricing
    buttons:
      - id: trial
        text: Start free trial
        event: StartTrial
```
"##
        }
        Code::WrongType => {
            r##"## What it checks
A value has the wrong type: a number where text is expected, text where a list or mapping
is expected, and so on. The most common case is a pixel id written without quotes, which
YAML reads as a number.

## Why
Pixel ids are digit strings, and Meta's snippet uses them exactly as written. Treated as
numbers, long ids can lose digits in other tools; quoting keeps them as text.

## Example
```yaml
pixels:
  - name: main
    ids:
      production: 123456789012345
```

## Fix
```yaml
pixels:
  - name: main
    ids:
      production: "123456789012345"
```
"##
        }
        Code::InvalidValue => {
            r##"## What it checks
A value is not one of the allowed choices. For example: button `on` is `click` or
`submit`; `consent` is `none` or `required`; `action_source` is `website`,
`physical_store`, `phone_call`, `chat`, `email`, `system_generated` or `other`;
`delivery_category` is `in_store`, `curbside` or `home_delivery`; `from: random` is only
for `event_id`. tagc suggests the closest allowed value.

## Why
Meta and the generated code understand only these exact words; anything else would be
rejected or ignored.

## Example
```yaml
pages:
  - id: home
    url: /
    buttons:
      - id: signup
        text: Sign up
        on: hover
        event: Lead
```

## Fix
```yaml
pages:
  - id: home
    url: /
    buttons:
      - id: signup
        text: Sign up
        on: click
        event: Lead
```
"##
        }
        Code::InvalidFormat => {
            r##"## What it checks
A value does not have the required format, length or range. For example: page and button
ids use letters, digits, `_` and `-`; `site.url` is an origin with no path
(`https://shop.example.com`); `graph.version` looks like `v25.0`; `server.defaults.country`
is two letters; record paths look like `order.customer.email`.

## Why
These values end up in generated code and in Meta's API URL
(`https://graph.facebook.com/v25.0/…`), where a malformed one would break the call.

## Example
```yaml
site:
  url: https://shop.example.com/
graph:
  version: v25
```

## Fix
```yaml
site:
  url: https://shop.example.com
graph:
  version: v25.0
```
"##
        }
        Code::MisspelledStandardEvent => {
            r##"## What it checks
An event name (browser or server) that is not a standard event but is very close to one,
such as `lead`, `Purchse` or `AddtoCart`, and is not marked `custom: true`. Standard
event names are case-sensitive.

## Why
Meta only recognizes the exact standard names. Any other name is a custom event, so a
`lead` would not count as a Lead in reports, optimization or campaign setup.

## Example
```yaml
pages:
  - id: contact
    url: /contact
    buttons:
      - id: send
        selector: "form#contact"
        on: submit
        event: lead
```

## Fix
Write the standard name exactly (or add `custom: true` if you really mean a custom event):
```yaml
pages:
  - id: contact
    url: /contact
    buttons:
      - id: send
        selector: "form#contact"
        on: submit
        event: Lead
```
"##
        }
        Code::StandardEventMarkedCustom => {
            r##"## What it checks
A standard event name, such as `Lead` or `Purchase`, is marked `custom: true`.

## Why
`custom: true` makes tagc send the event with `fbq('trackCustom', …)`. Meta's Pixel
reference sends standard events with `fbq('track', …)`; sent as custom, the event would
not be treated as the standard one in reports and optimization.

## Example
```yaml
events:
  signup:
    event: Lead
    custom: true
```

## Fix
Remove `custom: true`:
```yaml
events:
  signup:
    event: Lead
```
"##
        }
        Code::UndeclaredCustomEvent => {
            r##"## What it checks
An event name that is not one of Meta's 18 standard events and is not marked
`custom: true`. This is a warning: the event is still sent, as a custom event. The standard
events are `AddPaymentInfo`, `AddToCart`, `AddToWishlist`, `CompleteRegistration`,
`Contact`, `CustomizeProduct`, `Donate`, `FindLocation`, `InitiateCheckout`, `Lead`,
`PageView`, `Purchase`, `Schedule`, `Search`, `StartTrial`, `SubmitApplication`,
`Subscribe` and `ViewContent` (names are case-sensitive).

## Why
Meta's Pixel reference lets only standard names go through `fbq('track')`; others must use
`trackCustom`. Custom events work for custom conversions but not for standard reporting
and optimization, so tagc asks you to confirm that you meant one.

## Example
```yaml
events:
  newsletter:
    event: NewsletterSignup
```

## Fix
Confirm it is custom, or use a standard event that fits (here `Lead` would too):
```yaml
events:
  newsletter:
    event: NewsletterSignup
    custom: true
```
"##
        }
        Code::CustomEventNameTooLong => {
            r##"## What it checks
A custom event name longer than 50 characters, on a browser or a server event.

## Why
Meta's Pixel documentation says a custom event name is a string of at most 50 characters;
tagc applies the same limit to Conversions API events. Longer names are not accepted.

## Example
```yaml
events:
  footer_download:
    event: ClickedTheBigOrangeDownloadButtonInThePricingPageFooter
    custom: true
```

## Fix
Use a short name, and put the details in parameters:
```yaml
events:
  footer_download:
    event: PricingDownload
    custom: true
    params: {content_name: Pricing page footer}
```
"##
        }
        Code::PurchaseMissingValueCurrency => {
            r##"## What it checks
A browser `Purchase` event lacks `value` or `currency` in its parameters. Parameters set
in the event definition and next to `use:` both count.

## Why
Meta's Pixel reference requires `value` and `currency` on every `Purchase`. Without them
Meta cannot report revenue or return on ad spend, nor optimize campaigns for value, and
Meta Pixel Helper flags the event.

## Example
```yaml
events:
  purchase:
    event: Purchase
    params:
      value: {from: data_layer, path: ecommerce.value, type: number}
```

## Fix
```yaml
events:
  purchase:
    event: Purchase
    params:
      value: {from: data_layer, path: ecommerce.value, type: number}
      currency: EUR
```
"##
        }
        Code::InvalidCurrency => {
            r##"## What it checks
A `currency` written in the configuration (a browser parameter, or a server
`custom_data.currency` given as `{value: …}`) is not an ISO 4217 code in upper case, such
as `EUR`, `USD` or `GBP`. Symbols (`€`), names (`euro`) and lower case (`eur`) are errors.

## Why
Meta's Conversions API parameters require `currency` to be a valid ISO 4217 three-letter
code wherever `value` is sent; otherwise the value cannot be used for reporting.

## Example
```yaml
events:
  add_to_cart:
    event: AddToCart
    params:
      value: 19.9
      currency: "€"
```

## Fix
```yaml
events:
  add_to_cart:
    event: AddToCart
    params:
      value: 19.9
      currency: EUR
```
"##
        }
        Code::ParameterType => {
            r##"## What it checks
A standard parameter has the wrong type. `value`, `predicted_ltv` and `net_revenue` are
numbers; `num_items` is a whole number; `content_ids` is a list; `contents` is a list of
items; `currency`, `content_name`, `content_type` and the like are text. For a value read
in the browser (`from: …`), its `type:` must match; the default is text.

## Why
Meta's Pixel reference gives these types. A price sent as text (`"49.90"`) or an id list
sent as one string may be misread or dropped, which breaks value reporting and catalog
matching.

## Example
```yaml
events:
  add_to_cart:
    event: AddToCart
    params:
      value: {from: attribute, name: data-price}
      currency: EUR
      content_ids: SKU-1
```

## Fix
```yaml
events:
  add_to_cart:
    event: AddToCart
    params:
      value: {from: attribute, name: data-price, type: number}
      currency: EUR
      content_ids: ["SKU-1"]
```
"##
        }
        Code::InvalidContentType => {
            r##"## What it checks
A `content_type` parameter that is neither `product` nor `product_group`.

## Why
Meta's Pixel reference allows only these two values. Meta uses `content_type` to match
`content_ids` against your catalog: `product` for product ids, `product_group` for
product-group ids. Any other value breaks catalog ads.

## Example
```yaml
events:
  product_view:
    event: ViewContent
    params:
      content_ids: {from: data_layer, path: ecommerce.product_id, type: "string[]"}
      content_type: products
```

## Fix
```yaml
events:
  product_view:
    event: ViewContent
    params:
      content_ids: {from: data_layer, path: ecommerce.product_id, type: "string[]"}
      content_type: product
```
"##
        }
        Code::InvalidContentsItem => {
            r##"## What it checks
An item of a `contents` list written in the configuration lacks `id` or `quantity`, or has
a `quantity` that is not a whole number. `item_price` and `delivery_category` are
optional. (Lists read at run time with `type: contents` cannot be checked here.)

## Why
Meta's Pixel reference requires `id` and `quantity` on every `contents` item; without them
Meta cannot tie the event to catalog products.

## Example
```yaml
events:
  add_to_cart:
    event: AddToCart
    params:
      contents: [{id: SKU-1, item_price: 19.9}]
```

## Fix
```yaml
events:
  add_to_cart:
    event: AddToCart
    params:
      contents: [{id: SKU-1, quantity: 1, item_price: 19.9}]
```
"##
        }
        Code::CustomerDataInParameters => {
            r##"## What it checks
Customer data sent as an event parameter: a browser parameter or server `custom_data` key
named like personal data (`email`, `phone`, `first_name`, `zip`, `ip`, …), or a browser
parameter that reads such a field (`{from: data_layer, path: user.email}`).

## Why
Parameters reach Meta unhashed. Meta's Business Tools Terms require contact information to
be hashed, and Meta's privacy guidance asks for no personal data in custom data. Customer
data belongs in the server event's `user_data`, which tagc normalizes and hashes.

## Example
```yaml
events:
  signup:
    event: Lead
    params:
      email: {from: data_layer, path: user.email}
```

## Fix
```yaml
events:
  signup:
    event: Lead
server:
  events:
    - id: signup
      event: Lead
      action_source: website
      event_source_url: request.url
      user_data: {em: form.email, client_user_agent: request.user_agent}
```
"##
        }
        Code::InvalidPixelId => {
            r##"## What it checks
A pixel id under `pixels[].ids` is not a string of digits, or a pixel has no ids at all.
An id of digits that is not 15 or 16 digits long is a warning: every id Meta shows has
that length.

## Why
The id goes into Meta's snippet (`fbq('init', ID)`) and the Conversions API URL exactly as
written. A wrong id sends your events nowhere, or to someone else's pixel.

## Example
```yaml
pixels:
  - name: main
    ids:
      production: "px-123456789012345"
```

## Fix
Copy the dataset id from Events Manager, under Data sources:
```yaml
pixels:
  - name: main
    ids:
      production: "123456789012345"
```
"##
        }
        Code::DedupWithoutEventId => {
            r##"## What it checks
A server event with `deduplicate_with:` where the browser event it names has no
`event_id:`, or the server event maps no `event_id:` from its record.

## Why
Meta deduplicates a browser/server pair only when the Pixel's `eventID` equals the
Conversions API `event_id` and the event names match (within 48 hours). Without a shared
id, Meta counts every registration twice.

## Example
```yaml
events:
  registration: {event: Lead}
server:
  events:
    - id: registration
      event: Lead
      action_source: website
      deduplicate_with: registration
      event_source_url: request.url
      user_data: {em: form.email, client_user_agent: request.user_agent}
```

## Fix
Give the browser event an id, hand it to the server with the form, and map it there:
```yaml
events:
  registration:
    event: Lead
    event_id:
      source: {from: random}
      share: {via: form_field, name: event_id}
server:
  events:
    - id: registration
      event: Lead
      action_source: website
      deduplicate_with: registration
      event_id: form.event_id
      event_source_url: request.url
      user_data: {em: form.email, client_user_agent: request.user_agent}
```
"##
        }
        Code::DedupNameMismatch => {
            r##"## What it checks
A server event deduplicates (`deduplicate_with:`) with a browser event that has a
different event name.

## Why
Meta's deduplication needs both the same event id and the same event name: the Pixel's
event must equal the Conversions API `event_name`. With different names, Meta keeps both
copies and counts two different conversions.

## Example
```yaml
events:
  registration:
    event: CompleteRegistration
    event_id: {source: {from: random}, share: {via: form_field, name: event_id}}
server:
  events:
    - id: registration
      event: Lead
      action_source: website
      deduplicate_with: registration
      event_id: form.event_id
      event_source_url: request.url
      user_data: {em: form.email, client_user_agent: request.user_agent}
```

## Fix
Use the same name on both sides:
```yaml
events:
  registration:
    event: CompleteRegistration
    event_id: {source: {from: random}, share: {via: form_field, name: event_id}}
server:
  events:
    - id: registration
      event: CompleteRegistration
      action_source: website
      deduplicate_with: registration
      event_id: form.event_id
      event_source_url: request.url
      user_data: {em: form.email, client_user_agent: request.user_agent}
```
"##
        }
        Code::ActionSourceRequirement => {
            r##"## What it checks
A server event with `action_source: website` lacks `event_source_url` or
`user_data.client_user_agent`.

## Why
Meta's Conversions API parameters require both for website events: the page URL where the
conversion happened and the visitor's browser user agent. They also improve matching. If
the conversion did not happen on the website (a CRM status change, a phone order), use
that `action_source` instead.

## Example
```yaml
server:
  events:
    - id: lead
      event: Lead
      action_source: website
      user_data: {em: form.email}
```

## Fix
Map them from the request that triggered the event:
```yaml
server:
  events:
    - id: lead
      event: Lead
      action_source: website
      event_source_url: request.url
      user_data:
        em: form.email
        client_user_agent: request.user_agent
```
"##
        }
        Code::InsufficientCustomerData => {
            r##"## What it checks
A server event's `user_data` is empty, or can only ever hold one of Meta's too-broad
combinations (or part of one): city, state, zip, country, gender and user agent; date of
birth and user agent; first name and gender; last name and gender.
`server.defaults.country` counts as `country`.

## Why
Meta's best practices reject such events (error 2804050, "insufficient customer
information"), and one bad event fails the whole batch. Strong keys are `em`, `ph`,
`external_id`, `fn` with `ln`, or `client_ip_address` with `client_user_agent`.

## Example
```yaml
server:
  events:
    - id: crm_lead
      event: Lead
      action_source: system_generated
      user_data: {fn: lead.first_name, ge: lead.gender}
```

## Fix
```yaml
server:
  events:
    - id: crm_lead
      event: Lead
      action_source: system_generated
      user_data: {em: lead.email, fn: lead.first_name, ge: lead.gender}
```
"##
        }
        Code::SecretInConfig => {
            r##"## What it checks
Anything in any file that looks like a secret: a key named like one (`access_token`,
`token`, `app_secret`, `api_key`, `password`, …) or a value that looks like a Meta access
token (a long string starting with `EAA`). The message never repeats the secret.

## Why
Configurations are committed to git and shared. Anyone holding the access token can send
events to your pixel. tagc reads the token from the `META_ACCESS_TOKEN` environment
variable or `--token-file` only.

## Example
```yaml
graph:
  version: v25.0
  access_token: EAAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
```

## Fix
Delete it (and from git history), generate a new token in Events Manager, and keep it in
the environment, such as a CI secret named `META_ACCESS_TOKEN`:
```yaml
graph:
  version: v25.0
```
"##
        }
        Code::ValueWithoutCurrency => {
            r##"## What it checks
A browser event other than `Purchase` sends `value` but no `currency`. This is a warning
(on `Purchase` it is the error TAG2005).

## Why
Meta's Conversions API parameters require `currency`, an ISO 4217 code, whenever `value`
is sent. A value without a currency is an amount Meta cannot use for reporting or value
optimization.

## Example
```yaml
events:
  add_to_cart:
    event: AddToCart
    params:
      value: {from: attribute, name: data-price, closest: .product-card, type: number}
```

## Fix
```yaml
events:
  add_to_cart:
    event: AddToCart
    params:
      value: {from: attribute, name: data-price, closest: .product-card, type: number}
      currency: EUR
```
"##
        }
        Code::EventIdNotShared => {
            r##"## What it checks
A browser event deduplicated with a server event uses a random event id
(`source: {from: random}`) but has no `share:`, so the id never leaves the browser.

## Why
Meta deduplicates only when the Pixel's `eventID` equals the server's `event_id`. The
server cannot know a random id unless the browser hands it over, in a hidden form field,
a data-layer entry or a cookie.

## Example
```yaml
events:
  registration:
    event: Lead
    event_id:
      source: {from: random}
server:
  events:
    - id: registration
      event: Lead
      action_source: website
      deduplicate_with: registration
      event_id: form.event_id
      event_source_url: request.url
      user_data: {em: form.email, client_user_agent: request.user_agent}
```

## Fix
Share it, here as a hidden `event_id` field added to the submitted form, which the server
event reads as `form.event_id`:
```yaml
events:
  registration:
    event: Lead
    event_id:
      source: {from: random}
      share: {via: form_field, name: event_id}
```
"##
        }
        Code::PersonalDataLiteral => {
            r##"## What it checks
A value written in the configuration looks like personal data: an email address or a phone
number in a browser parameter, or in a custom event name. This is a warning.

## Why
Parameters and event names reach Meta unhashed and show up in reports. Meta's privacy
guidance asks businesses to keep personal data out of custom data and custom events.
Often this is a test value that was never removed.

## Example
```yaml
events:
  call:
    event: Contact
    params: {content_name: "+34 600 123 456"}
```

## Fix
Describe the action, not the person or number:
```yaml
events:
  call:
    event: Contact
    params: {content_name: Call sales}
```
"##
        }
        Code::ParameterKeyHasSpace => {
            r##"## What it checks
A browser parameter key contains spaces, such as `plan name`. This is a warning.

## Why
Meta's Pixel documentation says parameter keys must not contain spaces if you want to use
them when building custom audiences. Underscores work everywhere, and tagc suggests the
key with underscores in place of the spaces.

## Example
```yaml
events:
  trial:
    event: StartTrial
    params: {"plan name": Pro}
```

## Fix
```yaml
events:
  trial:
    event: StartTrial
    params: {plan_name: Pro}
```
"##
        }
        Code::LimitedDataUse => {
            r##"## What it checks
`limited_data_use` with `mode: explicit` gives a country other than `1` (USA) or `0`
(let Meta geolocate), or a state that is not one of Meta's codes: `0` (geolocate) or
`1000` to `1013` (`1000` California, `1001` Colorado, … `1013` Rhode Island).

## Why
Meta's Data Processing Options accept only these codes. They are Meta's own numbers, not
postal or FIPS codes. An unknown code leaves it unclear whether US state privacy law
applies.

## Example
```yaml
limited_data_use: {mode: explicit, country: 1, state: 6}
```

## Fix
Use Meta's state code, or `mode: geolocate` to let Meta decide:
```yaml
limited_data_use: {mode: explicit, country: 1, state: 1000}
```
"##
        }
        Code::SampleMissingField => {
            r##"## What it checks
A server event has a `sample:` record, but a record path the mapping reads (`order.total`,
or a field named under `each:`) is not in it.

## Why
The sample shows what a real backend record looks like; tagc uses it to check the paths
and to build complete test events. A path missing from the sample is usually a typo, which
in production would silently drop that field from every event.

## Example
```yaml
server:
  events:
    - id: purchase
      event: Purchase
      action_source: system_generated
      user_data: {em: order.email}
      custom_data: {value: order.total, currency: {value: EUR}}
      sample:
        order: {email: ana@example.com}
```

## Fix
Fix the path, or complete the sample:
```yaml
server:
  events:
    - id: purchase
      event: Purchase
      action_source: system_generated
      user_data: {em: order.email}
      custom_data: {value: order.total, currency: {value: EUR}}
      sample:
        order: {email: ana@example.com, total: 49.9}
```
"##
        }
        Code::ConstantCustomerData => {
            r##"## What it checks
A customer-data field in a server event's `user_data` is a constant (`{value: …}`) instead
of a record path. Location fields (`country`, `ct`, `st`, `zp`) may be constants.

## Why
Every event would name the same person, so Meta would match all your conversions to one
account (often a tester's), ruining attribution and match quality.

## Example
```yaml
server:
  events:
    - id: lead
      event: Lead
      action_source: system_generated
      user_data: {em: {value: test@example.com}}
```

## Fix
Read it from the record:
```yaml
server:
  events:
    - id: lead
      event: Lead
      action_source: system_generated
      user_data: {em: lead.email}
```
"##
        }
        Code::ConstantEventId => {
            r##"## What it checks
A server event's `event_id` is a constant (`{value: …}`) instead of a record path.

## Why
Meta treats events with the same name and `event_id` as one action and discards the
copies. With a constant id, every lead after the first would be thrown away. Use an id
unique to each action, such as the lead id.

## Example
```yaml
server:
  events:
    - id: lead
      event: Lead
      action_source: system_generated
      event_id: {value: lead}
      user_data: {em: lead.email}
```

## Fix
```yaml
server:
  events:
    - id: lead
      event: Lead
      action_source: system_generated
      event_id: lead.id
      user_data: {em: lead.email}
```
"##
        }
        Code::ClickSourceOnLoad => {
            r##"## What it checks
A parameter of a page-load event (`on_load:`) reads the clicked element: `from: attribute`
(with or without `closest`) or `from: text` without a `selector`.

## Why
On page load nothing has been clicked, so there is no element to read. The value would
always be missing and the event would be sent without it.

## Example
```yaml
pages:
  - id: product
    url: /p/{slug}
    on_load:
      - event: ViewContent
        params:
          content_ids: {from: attribute, name: data-sku, type: "string[]"}
```

## Fix
```yaml
pages:
  - id: product
    url: /p/{slug}
    on_load:
      - event: ViewContent
        params:
          content_ids: {from: data_layer, path: ecommerce.sku, type: "string[]"}
```
"##
        }
        Code::SampleUnreadableTime => {
            r##"## What it checks
A server event has a `sample:` record, and the value at its `event_time` path cannot be
read with the event time's `format`: text that does not match a strftime pattern such as
`%Y-%m-%d %H:%M:%S`, a date-time without an offset for `rfc3339`, text for `unix`, a
13-digit millisecond value for `unix`, or a time that exists in no time zone.

## Why
The sample shows what a real backend record looks like. If its time cannot be read, no
record written the same way can be: `tagc send` would reject every one of them
("event_time: does not match the pattern …"), and nothing would reach Meta.

## Example
```yaml
server:
  defaults: {timezone: Europe/Madrid}
  events:
    - id: sale
      event: Purchase
      action_source: physical_store
      event_time: {path: fecha, format: "%Y-%m-%d %H:%M:%S"}
      user_data: {em: email}
      custom_data: {value: total, currency: {value: EUR}}
      sample:
        fecha: "01/12/2026 10:00"
        email: ana@example.com
        total: 49.9
```

## Fix
Write the pattern the export really uses (or fix the sample):
```yaml
server:
  defaults: {timezone: Europe/Madrid}
  events:
    - id: sale
      event: Purchase
      action_source: physical_store
      event_time: {path: fecha, format: "%d/%m/%Y %H:%M"}
      user_data: {em: email}
      custom_data: {value: total, currency: {value: EUR}}
      sample:
        fecha: "01/12/2026 10:00"
        email: ana@example.com
        total: 49.9
```
"##
        }
        Code::HashedNeverHashField => {
            r##"## What it checks
A field marked `hashed: true` (already a SHA-256 hash) that Meta wants in clear:
`client_ip_address`, `client_user_agent`, `fbc`, `fbp`, the other ids under `user_data`,
or anything outside `user_data`.

## Why
Meta hashes only customer information (`em`, `ph`, `fn`, `ln`, `db`, `ge`, `ct`, `st`, `zp`,
`country`, `external_id`). IP addresses, user agents and the click and browser ids must be
sent as they are; a hashed value cannot be matched and the event loses its best match keys.

## Example
```yaml
server:
  events:
    - id: lead
      event: Lead
      action_source: system_generated
      user_data:
        em: lead.email
        client_ip_address: {path: lead.ip, hashed: true}
```

## Fix
```yaml
server:
  events:
    - id: lead
      event: Lead
      action_source: system_generated
      user_data:
        em: lead.email
        client_ip_address: lead.ip
```
"##
        }
        Code::UnknownReference => {
            r##"## What it checks
A name that points at nothing: `use:` naming no definition under `events:`, `pixels:`
naming no pixel, `deduplicate_with:` naming no definition or `PAGE_ID/BUTTON_ID`, or
`from: url_param` naming no `{param}` in the page's `url`. tagc suggests the closest name.

## Why
A broken reference means an event that never fires, or fires to the wrong place, and
nobody notices until the reports are empty.

## Example
```yaml
events:
  purchase:
    event: Purchase
    params: {value: 49.9, currency: EUR}
pages:
  - id: thanks
    url: /checkout/thanks
    on_load:
      - use: purchse
```

## Fix
```yaml
events:
  purchase:
    event: Purchase
    params: {value: 49.9, currency: EUR}
pages:
  - id: thanks
    url: /checkout/thanks
    on_load:
      - use: purchase
```
"##
        }
        Code::DuplicateId => {
            r##"## What it checks
Two definitions share an id: two pages, two pixels, two event definitions, two server
events, or two buttons on one page. Also a site-wide setting (`site`, `graph`, `consent`,
`limited_data_use`) set in more than one file.

## Why
Ids are how references (`use:`, `deduplicate_with:`, `tagc send --event`) and reports
find things; with two candidates tagc could pick the wrong one.

## Example
```yaml
pages:
  - id: product
    url: /p/{slug}
  - id: product
    url: /outlet/{slug}
```

## Fix
```yaml
pages:
  - id: product
    url: /p/{slug}
  - id: outlet-product
    url: /outlet/{slug}
```
"##
        }
        Code::InvalidUrlPattern => {
            r##"## What it checks
A page `url` pattern that cannot be parsed. Patterns are paths starting with `/`: no
domain, query string (`?`) or fragment (`#`); no spaces (percent-encode them); `{name}`
and `**` must each be a whole path segment; `*` matches within one segment.

## Why
The pattern decides on which pages the pixel fires events. tagc refuses to guess, and
the message points at the exact character, with a suggested rewrite.

## Example
```yaml
pages:
  - id: product
    url:
      - /p/item-{sku}
      - /checkout?step=1
```

## Fix
Read query values with `from: query` instead of matching them:
```yaml
pages:
  - id: product
    url:
      - /p/item-*
      - /checkout
```
"##
        }
        Code::ShadowedUrlPattern => {
            r##"## What it checks
A page's URL pattern can never match, because an earlier page's pattern matches every URL
it would. For each URL, the first page (in file order) whose pattern matches is the one
that applies.

## Why
The later page's events would never fire. This often happens when a catch-all such as
`/blog/*` is listed before a specific page such as `/blog/launch`.

## Example
```yaml
pages:
  - id: blog
    url: /blog/*
  - id: launch-post
    url: /blog/launch
```

## Fix
List the specific page first:
```yaml
pages:
  - id: launch-post
    url: /blog/launch
  - id: blog
    url: /blog/*
```
"##
        }
        Code::InvalidSelector => {
            r##"## What it checks
A CSS selector that browsers would reject: in a button's `selector` or `within`, in
`closest:` of an attribute source, or in `selector:` of a text source. jQuery-only
extensions such as `:contains()` are not CSS.

## Why
`document.querySelector` throws on an invalid selector, so the button would never fire
its event. tagc points at the bad character.

## Example
```yaml
pages:
  - id: product
    url: /p/{slug}
    buttons:
      - id: buy
        selector: "button:contains('Buy now')"
        event: AddToCart
```

## Fix
Find the button by its visible text instead (or fix the selector):
```yaml
pages:
  - id: product
    url: /p/{slug}
    buttons:
      - id: buy
        text: Buy now
        event: AddToCart
```
"##
        }
        Code::IncludeFailed => {
            r##"## What it checks
A file listed under `include:` cannot be read: it does not exist, is not readable, is a
directory, or the pattern is not a valid glob. Too many included files (over 10,000) also
stop here.

## Why
A missing include means missing pages or events, so the check would pass while tracking
less than you think. Paths are relative to the file that includes them.

## Example
```yaml
# the file on disk is server.yaml
include: [server.yml]
```

## Fix
```yaml
include: [server.yaml]
```
"##
        }
        Code::NoPixels => {
            r##"## What it checks
Neither the root file nor any included file defines a pixel under `pixels:`.

## Why
Every event is sent to a Meta pixel (a dataset). Without one, tagc has nowhere to send
anything, and the generated snippet would have no `fbq('init', …)`.

## Example
```yaml
pages:
  - id: home
    url: /
```

## Fix
Add your pixel id from Events Manager (quoted, so it stays text):
```yaml
pixels:
  - name: main
    ids:
      production: "123456789012345"
pages:
  - id: home
    url: /
```
"##
        }
        Code::MissingEnvironment => {
            r##"## What it checks
One pixel has an id for an environment (such as `staging`) that another pixel lacks. This
is a warning.

## Why
A build for that environment (`--env staging`) leaves the pixel out, so its events are
silently missing there. That may be what you want; often the id was simply forgotten.

## Example
```yaml
pixels:
  - name: main
    ids: {production: "123456789012345", staging: "987654321098765"}
  - name: agency
    ids: {production: "555555555555555"}
```

## Fix
```yaml
pixels:
  - name: main
    ids: {production: "123456789012345", staging: "987654321098765"}
  - name: agency
    ids: {production: "555555555555555", staging: "444444444444444"}
```
"##
        }
        Code::AmbiguousLocator => {
            r##"## What it checks
A button must be found by exactly one of `selector` (CSS) or `text` (its visible label,
the way Meta's Event Setup Tool picks buttons). Having both, or neither, is an error, and
so is `within` without `text`.

## Why
With both, it is unclear which element is meant; with neither, the button is never found
and its event never fires.

## Example
```yaml
pages:
  - id: home
    url: /
    buttons:
      - id: signup
        selector: "#signup"
        text: Sign up
        event: Lead
```

## Fix
Keep one:
```yaml
pages:
  - id: home
    url: /
    buttons:
      - id: signup
        selector: "#signup"
        event: Lead
```
"##
        }
        Code::AmbiguousEvent => {
            r##"## What it checks
A button or an `on_load` entry must give its event with exactly one of `use:` (a
definition under `events:`) or `event:` (inline). Having both, or neither, is an error.

## Why
With both, it is unclear which event should fire; with neither, nothing fires at all.
Parameters written next to `use:` are added to the definition's, so there is no need to
repeat the event name.

## Example
```yaml
events:
  signup: {event: Lead}
pages:
  - id: home
    url: /
    buttons:
      - id: signup
        text: Sign up
        use: signup
        event: Lead
```

## Fix
```yaml
events:
  signup: {event: Lead}
pages:
  - id: home
    url: /
    buttons:
      - id: signup
        text: Sign up
        use: signup
```
"##
        }
        Code::AmbiguousFieldSource => {
            r##"## What it checks
A server event field written in the long form (a mapping) must have exactly one of
`path:` (read the record) or `value:` (a constant). Having both, or neither, is an error;
for example a mapping with only `format:`.

## Why
tagc must know whether the field comes from each record or is the same on every event.

## Example
```yaml
server:
  events:
    - id: purchase
      event: Purchase
      action_source: system_generated
      event_time: {format: unix}
      user_data: {em: order.email}
```

## Fix
```yaml
server:
  events:
    - id: purchase
      event: Purchase
      action_source: system_generated
      event_time: {path: order.created_at, format: unix}
      user_data: {em: order.email}
```
"##
        }
        Code::IncludeCycle => {
            r##"## What it checks
Files include each other in a loop (`tagc.yaml` includes `pages.yaml`, which includes
`tagc.yaml`), or one file is included twice, for example by a glob that also matches it.

## Why
Each file must be merged once. Twice would define every page and event twice; a loop would
never end.

## Example
```yaml
# tagc.yaml, next to pages.yaml and server.yaml: the glob matches tagc.yaml itself
include: ["*.yaml"]
```

## Fix
Name the files, or keep them in their own folder. Let the root file list every include,
and leave `include:` out of the included files:
```yaml
include: [pages.yaml, server.yaml]
```
"##
        }
        Code::IncludeMatchesNothing => {
            r##"## What it checks
A glob pattern under `include:` (one with `*`, `?` or `[`) matches no file. This is a
warning.

## Why
The files you meant to include are not part of the check, so their pages and events are
missing. Usually the extension or the folder is wrong; paths are relative to the
including file.

## Example
```yaml
# the files are pages/home.yaml and pages/shop.yaml
include: ["pages/*.yml"]
```

## Fix
```yaml
include: ["pages/*.yaml"]
```
"##
        }
        Code::DuplicateUrlPattern => {
            r##"## What it checks
The same URL pattern is listed twice for one page. This is a warning.

## Why
The second copy does nothing. Often it is a copy-paste where the second line was meant to
be different, such as the sub-pages of the first. A page may list as many different
patterns as it needs.

## Example
```yaml
pages:
  - id: pricing
    url: [/pricing, /pricing]
```

## Fix
```yaml
pages:
  - id: pricing
    url: [/pricing, /pricing/*]
```
"##
        }
        Code::VerifyUrlNotCovered => {
            r##"## What it checks
Every path under a page's `verify.urls` must be a URL of that page: matched by one of its
`url` patterns, and by no page listed before it (the first page whose pattern matches a
URL is the one tagc applies there). It must be a path of the site, starting with `/`.

## Why
`tagc verify --base-url` loads these paths to check the page on the real site. A path
that another page owns would check that other page's events under this page's name and
report them as wrong; a path the page does not cover checks nothing of it.

## Example
```yaml
pages:
  - id: product
    url: /p/{slug}
    verify:
      urls: [/products/red-shoes]
```

## Fix
```yaml
pages:
  - id: product
    url: /p/{slug}
    verify:
      urls: [/p/red-shoes]
```
"##
        }
        Code::ConsentStepWithoutConsentMode => {
            r##"## What it checks
`site.verify.consent` (how a visitor accepts tracking on the consent banner) is given,
but the configuration does not say `consent: required`.

## Why
With a consent step, `tagc verify` clicks it and then requires that consent really
reached the pixel (`fbq('consent', 'grant')`). Without `consent: required` the pixel
never waits for consent, so no grant is ever sent and every check would fail. Either the
site does hold tracking until consent (then say so, and tagc generates the consent
hooks), or the banner only needs dismissing (then use `verify.before` steps).

## Example
```yaml
consent: none
site:
  verify:
    consent: {click: "#cookie-accept"}
```

## Fix
```yaml
consent: required
site:
  verify:
    consent: {click: "#cookie-accept"}
```
"##
        }
        Code::InvalidVerifyStep => {
            r##"## What it checks
A step under `verify.before`, `site.verify.consent` or a page's `verify` that `tagc
verify` cannot perform: a `goto` that is not a path of the site, a `text` step without
text, or a consent step that is not a click.

## Why
Steps are what a visitor does before the checked action (accept cookies, open a modal,
reach a single-page app's route). A step that cannot be performed would stop every check
that needs it.

## Example
```yaml
pages:
  - id: pricing
    url: /app/pricing
    verify:
      before: [{goto: "https://app.example.com/app"}, {click: "a[href='/app/pricing']"}]
```

## Fix
```yaml
pages:
  - id: pricing
    url: /app/pricing
    verify:
      before: [{goto: /app}, {click: "a[href='/app/pricing']"}]
```
"##
        }
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
        for name in crate::meta::STANDARD_EVENTS {
            assert!(text.contains(&format!("`{name}`")), "{name} missing");
        }
    }
}
