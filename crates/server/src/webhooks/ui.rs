//! Webhook deliveries, live: the inspector's list (`GET /_provisio/deliveries`) with each
//! payload and the headers it is sent with, filtered by target and status, with resend. The
//! page's script polls `deliveries/version` and re-renders the list when it changes. And the
//! built-in sink (`/_provisio/sink/{name}`, dev profile): what each name kept, live the same
//! way, so a developer watches webhooks arrive without a receiver of their own.

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    http::HeaderMap,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use maud::{html, Markup};
use provisio_wire::objects::WebhookDelivery;

use super::{dispatch::Inspector, routes::operator};
use crate::{
    http::{error::ApiError, extract::PathId},
    ui::{
        actions::{back, outcome, OPERATOR},
        layout::{self, Section},
        session::{Flash, Operator, Posted},
    },
    AppState,
};

/// How many of the newest deliveries the page reads (the inspector's own maximum).
const SHOWN: u32 = 200;
const STATUSES: &[&str] = &["PENDING", "DELIVERED", "FAILED"];

/// The deliveries page and its resend button, merged into the router by `router::router`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_provisio/ui/deliveries", get(page))
        .route("/_provisio/ui/deliveries/version", get(version))
        .route("/_provisio/ui/deliveries/{id}/resend", post(resend))
        .route("/_provisio/ui/sink", get(sink_page))
        .route("/_provisio/ui/sink/version", get(sink_version))
}

/// One delivery: what was sent where, the attempts, the payload and its headers. On a
/// timeline (`dated` false) the timeline shows its kind and time.
pub fn card(operator: &Operator, d: &WebhookDelivery, dated: bool) -> Markup {
    html! {
        article.delivery id={ "delivery-" (d.id) } {
            div.event-head {
                @if dated { span.event-kind { "Webhook" } }
                strong { (d.event_type) }
                (layout::status(&d.status))
                @if dated { time { (d.created.chars().take(19).collect::<String>()) } }
            }
            p { "To " code { (d.target) } " · delivery " (d.id) " · " (d.attempts.len()) " attempt(s)" }
            @if !d.attempts.is_empty() {
                div.table-wrap {
                    table {
                        thead { tr { th { "At" } th.num { "Response" } th.num { "Latency" } th { "Error" } } }
                        tbody {
                            @for a in &d.attempts {
                                tr {
                                    td { time { (a.at.chars().take(19).collect::<String>()) } }
                                    td.num { @if let Some(code) = a.response_code { (code) } @else { "—" } }
                                    td.num { (format!("{:.0} ms", a.latency_ms)) }
                                    td { (a.error.as_deref().unwrap_or("")) }
                                }
                            }
                        }
                    }
                }
            }
            details id={ "payload-" (d.id) } {
                summary { "Payload and headers" }
                h3 { "Headers" }
                pre { code {
                    @for (name, value) in &d.headers { (name) ": " (value) "\n" }
                } }
                h3 { "Payload" }
                (layout::json_block(&d.body))
            }
            div.actions {
                (layout::button(operator, &format!("/_provisio/ui/deliveries/{}/resend", d.id), "Resend", "secondary"))
            }
        }
    }
}

async fn read(state: &AppState, target: Option<&str>) -> Result<Vec<WebhookDelivery>, ApiError> {
    Ok(Inspector::new(state.signer.clone())
        .deliveries(state.store.as_ref(), target, SHOWN)
        .await?)
}

pub async fn page(
    State(state): State<AppState>,
    operator: Operator,
    flash: Flash,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let target = params
        .get("target")
        .map(|t| t.trim())
        .filter(|t| !t.is_empty());
    let status = params.get("status").map(|s| s.trim()).unwrap_or_default();
    let deliveries = match read(&state, target).await {
        Ok(deliveries) => deliveries,
        Err(err) => return err.into_response(),
    };
    let shown: Vec<&WebhookDelivery> = deliveries
        .iter()
        .filter(|d| status.is_empty() || d.status == status)
        .collect();
    let body = html! {
        h1 { "Webhook deliveries" }
        form.card.filters method="get" role="search" aria-label="Filter deliveries" {
            div {
                label for="target" { "Target URL" }
                input #target name="target" type="url" value=(target.unwrap_or_default()) autocomplete="off";
            }
            div {
                label for="status" { "Status" }
                select #status name="status" {
                    option value="" selected[status.is_empty()] { "Any" }
                    @for s in STATUSES { option value=(s) selected[*s == status] { (s) } }
                }
            }
            div { button type="submit" { "Filter" } }
        }
        p.muted { "The newest " (SHOWN) " deliveries; this list follows new ones by itself. No receiver of your own? Point a filter at "
            a href="/_provisio/ui/sink" { "the built-in sink" } ". "
            span #live-status role="status" aria-live="polite" {} }
        section #deliveries data-live="/_provisio/ui/deliveries/version" aria-label="Deliveries" {
            @if shown.is_empty() {
                p.muted { "No deliveries yet: set a notification filter (" code { "POST /v1/user/{id}/notification-filter-url" } ") and change something." }
            }
            @for d in &shown { div.card { (card(&operator, d, true)) } }
        }
        script src="/_provisio/ui/assets/live.js" defer {}
    };
    layout::page("Webhooks", Section::Deliveries, &operator, flash, body)
}

/// `{"version":"D-A"}`: the newest delivery's id and the newest attempt's; the live page
/// reloads its list when this changes (a new delivery, or an attempt on any).
pub async fn version(State(state): State<AppState>, _: Operator) -> Response {
    let newest = state.store.deliveries(None, 1).await;
    let attempt = state.store.latest_attempt_id().await;
    match (newest, attempt) {
        (Ok(newest), Ok(attempt)) => {
            let delivery = newest.first().map_or(0, |d| d.id);
            Json(serde_json::json!({ "version": format!("{delivery}-{attempt}") })).into_response()
        }
        (Err(err), _) | (_, Err(err)) => ApiError::from(err).into_response(),
    }
}

pub async fn resend(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathId(id): PathId,
    _: Posted,
) -> Response {
    let result = operator::resend(State(state), OPERATOR, PathId(id)).await;
    outcome(
        result,
        &format!("Delivery {id} queued again."),
        &back(&headers, "/_provisio/ui/deliveries"),
    )
}

/// The most of one sink name's requests the page shows (the sink keeps up to a thousand).
const SINK_SHOWN: usize = 200;

/// `GET /_provisio/ui/sink[?name=…]`: the sink's names, and what the chosen one kept, newest
/// first, each with its signature check, headers and body. Follows new requests by itself.
pub async fn sink_page(
    State(state): State<AppState>,
    operator: Operator,
    flash: Flash,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let dev = state.config.profile == crate::config::Profile::Dev;
    let names = state.sink.names();
    let chosen = params
        .get("name")
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .or_else(|| names.first().map(|(name, _, _)| name.clone()));
    let mut kept = chosen
        .as_deref()
        .map(|name| state.sink.list(name, 0, SINK_SHOWN))
        .unwrap_or_default();
    kept.reverse();
    let example = format!("/_provisio/sink/{}", chosen.as_deref().unwrap_or("acme"));
    let body = html! {
        h1 { "Webhook sink" }
        @if !dev {
            p role="status" { "The sink exists in the " code { "dev" } " profile only; this server runs " code { "strict" } "." }
        } @else {
            p.muted { "Any POST to this server's " code { (example) } " is kept here (in this process's memory, the newest 1,000 per name), with its "
                code { "X-Bunq-Server-Signature" } " checked against this server's key. Use it as a notification filter's target." }
            form.card.filters method="get" role="search" aria-label="Choose a sink" {
                div {
                    label for="name" { "Name" }
                    input #name name="name" value=(chosen.as_deref().unwrap_or_default()) autocomplete="off";
                }
                div { button type="submit" { "Show" } }
            }
            p.muted { "This page follows new requests by itself. " span #live-status role="status" aria-live="polite" {} }
            section #sink data-live="/_provisio/ui/sink/version" aria-label="Kept requests" {
                @if names.is_empty() {
                    p.muted { "Nothing kept yet." }
                } @else {
                    nav aria-label="Sink names" {
                        ul.inline {
                            @for (name, count, _) in &names {
                                li { a href={ "/_provisio/ui/sink?name=" (name) } aria-current=[(Some(name) == chosen.as_ref()).then_some("page")] { (name) } " (" (count) ")" }
                            }
                        }
                    }
                }
                @if let Some(name) = &chosen {
                    h2 { code { (name) } ": " (kept.len()) " request(s)" @if kept.len() == SINK_SHOWN { ", the newest " (SINK_SHOWN) } }
                    @for k in &kept {
                        article.card.delivery id={ "sink-" (k.id) } {
                            div.event-head {
                                strong { "#" (k.id) }
                                (layout::status(&k.signature))
                                time { (k.at.chars().take(19).collect::<String>()) }
                            }
                            p.muted { (k.body_bytes) " bytes" @if k.truncated { " (the start only)" } }
                            details id={ "sink-body-" (k.id) } {
                                summary { "Body and headers" }
                                h3 { "Headers" }
                                pre { code { @for (header, value) in &k.headers { (header) ": " (value) "\n" } } }
                                h3 { "Body" }
                                (layout::json_block(&k.body))
                            }
                        }
                    }
                }
            }
            script src="/_provisio/ui/assets/live.js" defer {}
        }
    };
    layout::page("Webhook sink", Section::Deliveries, &operator, flash, body)
}

/// `{"version":N}`: the newest request the sink kept, under any name.
pub async fn sink_version(State(state): State<AppState>, _: Operator) -> Response {
    Json(serde_json::json!({ "version": state.sink.newest_id() })).into_response()
}
