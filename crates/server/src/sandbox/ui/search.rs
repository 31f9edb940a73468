//! `GET /_provisio/ui/search?q=…`: the header's search. Exact matches of an id, an
//! `external_uuid`, an email, an IBAN or a card's last four digits, each linking to its page.

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    response::{IntoResponse, Response},
};
use maud::html;
use provisio_core::store::{Hit, HitKind, MAX_HITS};

use crate::{
    http::error::ApiError,
    ui::{
        layout::{self, Section},
        session::{Flash, Operator},
    },
    AppState,
};

/// The most characters of a search the page reads (anything longer names nothing we store).
const MAX_TEXT: usize = 200;

/// Where a hit's page is.
pub fn href(hit: &Hit) -> String {
    let user = hit.user_id.unwrap_or_default();
    match hit.kind {
        HitKind::Provision => format!("/_provisio/ui/provisions/{}", hit.id),
        HitKind::User => format!("/_provisio/ui/users/{}", hit.id),
        HitKind::Account => format!("/_provisio/ui/users/{user}/accounts/{}", hit.id),
        HitKind::Card => format!("/_provisio/ui/users/{user}#card-{}", hit.id),
        // The account's payments, from this one on (the pager's `older` bound is exclusive).
        HitKind::Payment => format!(
            "/_provisio/ui/users/{user}/accounts/{}?older={}",
            hit.account_id.unwrap_or_default(),
            hit.id.saturating_add(1)
        ),
    }
}

pub async fn page(
    State(state): State<AppState>,
    operator: Operator,
    flash: Flash,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let text: String = params
        .get("q")
        .map(|q| q.trim().chars().take(MAX_TEXT).collect())
        .unwrap_or_default();
    let hits = match state.store.search(&text).await {
        Ok(hits) => hits,
        Err(err) => return ApiError::from(err).into_response(),
    };
    let body = html! {
        h1 { "Search" }
        form.card.filters method="get" action="/_provisio/ui/search" role="search" aria-label="Search again" {
            div {
                label for="search-again" { "Provision or user id, external_uuid, email, IBAN, card last four, payment id" }
                input #search-again type="search" name="q" value=(text) autocomplete="off";
            }
            div { button type="submit" { "Search" } }
        }
        @if text.is_empty() {
            p.muted { "Type what you are looking for: matches are exact (a whole id, a whole IBAN, with or without spaces)." }
        } @else if hits.is_empty() {
            p #no-hits { "Nothing matches " strong { (text) } "." }
        } @else {
            p role="status" { (hits.len()) " found for " strong { (text) } @if hits.len() == MAX_HITS { " (the first " (MAX_HITS) ")" } "." }
            ul.hits #hits {
                @for hit in &hits {
                    li.card {
                        span.event-kind { (hit.kind.as_str()) } " "
                        a href=(href(hit)) { (hit.kind.as_str()) " " (hit.id) } " · " (hit.label)
                        br;
                        span.muted { "matched its " (hit.matched)
                            @if hit.kind != HitKind::User { @if let Some(user) = hit.user_id { " · user " (user) } } }
                    }
                }
            }
        }
    };
    layout::page("Search", Section::Elsewhere, &operator, flash, body)
}
