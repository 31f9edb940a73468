//! The page around every dashboard page, and the small pieces pages share. maud escapes
//! every value it renders; nothing here writes raw HTML from data.

use axum::{
    http::{header, HeaderValue},
    response::{Html, IntoResponse, Response},
};
use maud::{html, Markup, DOCTYPE};
use std::collections::HashMap;

use provisio_core::{
    model::{PageBound, PageQuery},
    time::Timestamp,
};

use super::session::{Flash, Operator};

/// The navigation's sections.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Partners,
    Users,
    Deliveries,
    Requests,
    Accounts,
    Cards,
    Sandbox,
    /// A page no section holds (search results, a missing page).
    Elsewhere,
}

const SECTIONS: &[(Section, &str, &str)] = &[
    (Section::Partners, "/_provisio/ui/", "Partners"),
    (Section::Users, "/_provisio/ui/users", "Users"),
    (Section::Deliveries, "/_provisio/ui/deliveries", "Webhooks"),
    (Section::Requests, "/_provisio/ui/requests", "Requests"),
    (Section::Accounts, "/_provisio/ui/accounts", "Accounts"),
    (Section::Cards, "/_provisio/ui/cards", "Cards"),
    (Section::Sandbox, "/_provisio/ui/sandbox", "Sandbox"),
];

/// The clock's quick steps in the layout: (the operator API's `by`, the button's label).
pub const CLOCK_STEPS: &[(&str, &str)] = &[("1h", "+1h"), ("1d", "+1d"), ("7d", "+7d")];

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · provisio" }
            link rel="stylesheet" href="/_provisio/ui/assets/style.css";
            // No favicon: its request would only be a 404 in the request log.
            link rel="icon" href="data:,";
        }
    }
}

/// Headers every dashboard page carries: no framing, no scripts or styles from elsewhere,
/// nothing cached (pages show live state and carry the form token).
fn html_response(markup: Markup) -> Response {
    let mut response = Html(markup.into_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// A page without navigation (the login page).
pub fn bare(title: &str, body: Markup) -> Response {
    html_response(html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                header.top { span.brand { "provisio" } }
                main #main { (body) }
            }
        }
    })
}

/// A dashboard page: navigation, the one-time message if any, and `body` (which starts with
/// its `h1`).
pub fn page(
    title: &str,
    section: Section,
    operator: &Operator,
    flash: Flash,
    body: Markup,
) -> Response {
    let mut response = html_response(html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/_provisio/ui/" { "provisio" }
                    nav aria-label="Sections" {
                        ul {
                            @for (s, href, label) in SECTIONS {
                                li {
                                    @if *s == section {
                                        a href=(href) aria-current="page" { (label) }
                                    } @else {
                                        a href=(href) { (label) }
                                    }
                                }
                            }
                        }
                    }
                    form.search method="get" action="/_provisio/ui/search" role="search" {
                        label.sr-only for="q" { "Search" }
                        input #q type="search" name="q" placeholder="Id, UUID, email, IBAN, last four" autocomplete="off";
                        button.secondary type="submit" { "Search" }
                    }
                    (clock(operator))
                    form.logout method="post" action="/_provisio/ui/logout" {
                        (token(operator))
                        button.link type="submit" { "Sign out" }
                    }
                }
                main #main {
                    @if !flash.is_empty() {
                        @let class = if flash.ok { "flash ok" } else { "flash error" };
                        p class=(class) role="status" { (flash.text) }
                    }
                    (body)
                }
            }
        }
    });
    if !flash.is_empty() {
        response
            .headers_mut()
            .append(header::SET_COOKIE, Flash::clear());
    }
    response
}

/// The virtual clock, and buttons that move it (the sandbox page takes any duration).
fn clock(operator: &Operator) -> Markup {
    html! {
        div.clock role="group" aria-label="Virtual clock" {
            span { "Now " time #clock-now { (time(operator.now)) } }
            @for (by, label) in CLOCK_STEPS {
                form.inline method="post" action="/_provisio/ui/clock/advance" {
                    (token(operator))
                    input type="hidden" name="by" value=(by);
                    button.secondary type="submit" aria-label={ (label) ": advance the clock by " (by) } { (label) }
                }
            }
            a href="/_provisio/ui/sandbox#clock" { "custom" }
        }
    }
}

/// A dashboard page that is not there (an unknown URL, or a thing no longer in the store),
/// answered 404 in the dashboard's own style with the way back.
pub fn missing(operator: &Operator, what: &str) -> Response {
    let body = html! {
        h1 { "Not found" }
        p #not-found { (what) }
        p { a href="/_provisio/ui/" { "Partners" } " · search from the bar at the top." }
    };
    let none = Flash {
        ok: true,
        text: String::new(),
    };
    let mut response = page("Not found", Section::Elsewhere, operator, none, body);
    *response.status_mut() = axum::http::StatusCode::NOT_FOUND;
    response
}

/// The hidden form token every POST form needs.
pub fn token(operator: &Operator) -> Markup {
    html! { input type="hidden" name="form_token" value=(operator.form_token); }
}

/// A form with one button that POSTs to `action`.
pub fn button(operator: &Operator, action: &str, label: &str, class: &str) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (token(operator))
            button class=(class) type="submit" { (label) }
        }
    }
}

/// provisio's time, to the second (UTC, as bunq's timestamps).
pub fn time(at: Timestamp) -> String {
    let full = provisio_wire::time::format(at.micros());
    full.chars().take(19).collect()
}

/// A status as a coloured tag; the colour follows the word, the word is always shown.
pub fn status(text: &str) -> Markup {
    let tone = match text {
        "ACTIVE" | "DELIVERED" | "APPROVED" | "VERIFIED" | "FULFILLED" | "ACCEPTED"
        | "FINALIZED" | "SUCCEEDED" => "good",
        "FAILED" | "DENIED" | "REJECTED" | "CANCELLED" | "CLOSED" | "REVOKED" | "EXPIRED" => "bad",
        _ => "wait",
    };
    html! { span class={ "tag " (tone) } { (text) } }
}

/// JSON, pretty-printed when it parses, in a `<pre>`.
pub fn json_block(text: &str) -> Markup {
    let pretty = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.to_owned());
    html! { pre { code { (pretty) } } }
}

/// Links to the page before and after this one, as `?…&newer=ID` and `?…&older=ID`.
pub fn pager(base: &str, has_newer: bool, has_older: bool, first: i64, last: i64) -> Markup {
    let join = if base.contains('?') { '&' } else { '?' };
    html! {
        @if has_newer || has_older {
            nav.pager aria-label="Pages" {
                @if has_newer { a href={ (base) (join) "newer=" (first) } rel="prev" { "← Newer" } }
                @if has_older { a href={ (base) (join) "older=" (last) } rel="next" { "Older →" } }
            }
        }
    }
}

/// `?older=ID` / `?newer=ID` from the pager.
pub fn page_query(params: &HashMap<String, String>, count: u32) -> PageQuery {
    let id = |name: &str| params.get(name).and_then(|v| v.parse::<i64>().ok());
    let bound = match (id("older"), id("newer")) {
        (Some(older), _) => PageBound::OlderThan(older),
        (None, Some(newer)) => PageBound::NewerThan(newer),
        (None, None) => PageBound::Newest,
    };
    PageQuery { count, bound }
}

/// `text` percent-encoded for a query string value.
pub fn query_value(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
