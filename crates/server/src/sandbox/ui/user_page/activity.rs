//! A user's event feed, newest first, each event as `GET /v1/user/{id}/event` renders it (the
//! feed's own loader and renderer), and the webhook deliveries made for the user with how
//! each went.

use maud::{html, Markup};
use provisio_core::{feed::EventFilter, model::UserId};
use provisio_wire::{feed::event, Item};

use super::{section, Ask};
use crate::{
    feed::objects::load,
    http::error::ApiError,
    ui::{layout, session::Operator},
    AppState,
};

pub async fn sections(
    state: &AppState,
    operator: &Operator,
    ask: &Ask,
) -> Result<Markup, ApiError> {
    let page = state
        .store
        .events(
            UserId(ask.user),
            &EventFilter::default(),
            ask.newest("events"),
        )
        .await?;
    let mut events = Vec::with_capacity(page.items.len());
    for e in &page.items {
        // As the feed does: an event whose object is gone (or of a kind not rendered) is
        // left out rather than failing the page.
        if let Some(object) = load(state, e).await? {
            let json = serde_json::to_string(&Item::Event(event(e, object))).unwrap_or_default();
            events.push((e, json));
        }
    }
    let cap = ask.cap("webhooks");
    // One more than shown tells whether there is more.
    let mut deliveries = state.store.user_deliveries(ask.user, cap + 1).await?;
    let more_deliveries = deliveries.len() > cap as usize;
    deliveries.truncate(cap as usize);
    Ok(html! {
        (section("events", "Events", html! {
            @if events.is_empty() {
                p.muted { "No events yet: payments, card transactions, requests, drafts and schedules appear here as they happen." }
            } @else {
                ol.events #user-events {
                    @for (e, json) in &events {
                        li {
                            details id={ "event-" (e.id) } {
                                summary {
                                    time { (layout::time(e.created)) } " "
                                    strong { (e.kind) } " " (e.object_id) " · " (e.action.as_str()) " · "
                                    (layout::status(e.status.as_str()))
                                    @if let Some(a) = e.monetary_account_id { " · account " (a.0) }
                                }
                                (layout::json_block(json))
                            }
                        }
                    }
                }
            }
            (ask.more_link("events", page.has_older))
        }))
        (section("webhooks", "Webhooks sent", html! {
            @if deliveries.is_empty() {
                p.muted { "No webhooks for this user: it (or its partner, for it) sets notification filters to get them." }
            } @else {
                div.table-wrap {
                    table.stack #user-webhooks {
                        thead { tr { th.num { "Id" } th { "Event" } th { "Target" } th { "Status" } th.num { "Attempts" } th { "At" } th.row-actions { "Actions" } } }
                        tbody {
                            @for d in &deliveries {
                                tr {
                                    td.num data-label="Id" { (d.id) }
                                    td data-label="Event" { (d.category) br; span.muted { (d.event_type) " " (d.object_id) } }
                                    td data-label="Target" { code { (d.target) } }
                                    td data-label="Status" {
                                        (layout::status(&d.status))
                                        @if let Some(code) = d.response_code { " " span.muted { "HTTP " (code) } }
                                    }
                                    td.num data-label="Attempts" { (d.attempts) }
                                    td data-label="At" { time { (layout::time(d.created)) } }
                                    td.row-actions data-label="Actions" {
                                        (layout::button(operator, &format!("/_provisio/ui/deliveries/{}/resend", d.id), "Resend", "secondary"))
                                    }
                                }
                            }
                        }
                    }
                }
                p.muted { "Payloads and headers on the " a href="/_provisio/ui/deliveries" { "Webhooks page" } "." }
            }
            (ask.more_link("webhooks", more_deliveries))
        }))
    })
}
