//! The request log (`GET /_provisio/requests`): this process's recent requests, with who made
//! them and, for a refusal, the reason the client was given.

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    response::Response,
};
use maud::html;

use crate::{
    ui::{
        layout::{self, Section},
        session::{Flash, Operator},
    },
    AppState,
};

const SHOWN: usize = 200;

pub async fn page(
    State(state): State<AppState>,
    operator: Operator,
    flash: Flash,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let partner_text = params.get("partner").map(|p| p.trim()).unwrap_or_default();
    let partner = partner_text.parse::<i64>().ok();
    let refused_only = params.get("refused").is_some_and(|v| v == "on");
    let records: Vec<_> = state
        .requests
        .recent(partner, 0, SHOWN)
        .into_iter()
        .filter(|r| !refused_only || r.status >= 400)
        .collect();
    let body = html! {
        h1 { "Requests" }
        form.card.filters method="get" role="search" aria-label="Filter requests" {
            div {
                label for="partner" { "Partner id" }
                input #partner name="partner" inputmode="numeric" value=(partner_text) autocomplete="off";
            }
            div.check {
                input #refused type="checkbox" name="refused" checked[refused_only];
                label for="refused" { "Refused only" }
            }
            div { button type="submit" { "Filter" } }
        }
        p.muted { "This process's newest requests to " code { "/v1" } ", newest first (kept in memory: the newest 1000), with their bodies: secrets, PANs and CVC2s masked." }
        @if records.is_empty() {
            p.muted { "No requests yet." }
        } @else {
            div.table-wrap {
                table.stack {
                    thead { tr { th { "At" } th { "Request" } th.num { "Status" } th.num { "Latency" } th { "Who" } th { "Refusal reason" } } }
                    tbody {
                        @for r in &records {
                            tr {
                                td data-label="At" { time { (r.at.chars().take(19).collect::<String>()) } }
                                td data-label="Request" {
                                    code { (r.method) " " (r.path) } br; span.muted { (r.route) }
                                    @if r.request_body.is_some() || r.response_body.is_some() {
                                        details.bodies {
                                            summary { "Bodies" }
                                            @for (label, body) in [("Sent", &r.request_body), ("Answered", &r.response_body)] {
                                                @if let Some(body) = body {
                                                    p.muted { (label) ": " (body.bytes) " bytes, " (body.kind) @if body.truncated { " (the start only)" } }
                                                    @if let Some(text) = &body.text { pre { (text) } }
                                                }
                                            }
                                        }
                                    }
                                }
                                td.num data-label="Status" {
                                    @if r.status >= 400 { span.tag.bad { (r.status) } } @else { span.tag.good { (r.status) } }
                                }
                                td.num data-label="Latency" { (r.latency_ms) " ms" }
                                td.who data-label="Who" {
                                    @if let Some(p) = r.partner_id { "partner " (p) }
                                    @if let Some(u) = r.user_id { br; span.muted { "as user " (u) } }
                                }
                                td data-label="Refusal reason" { (r.reason.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
        }
    };
    layout::page("Requests", Section::Requests, &operator, flash, body)
}
