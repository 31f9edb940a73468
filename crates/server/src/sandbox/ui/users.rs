//! Users across partners (filtered by partner, kind and provision status, paged), what the
//! live pages poll (`version`), and what a user's page (`user_page`) shares with the list.

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    response::{IntoResponse, Response},
    Json,
};
use maud::{html, Markup};
use provisio_core::{
    model::Page,
    provision::Status,
    store::{UserFilter, UserSummary},
};

use crate::{
    http::error::ApiError,
    ui::{
        layout::{self, page_query, Section},
        session::{Flash, Operator},
    },
    AppState,
};

const PAGE_SIZE: u32 = 25;
const KINDS: &[&str] = &["PARTNER", "PERSON", "COMPANY"];

/// The filters as typed, shown back in the form; a value that is no choice is refused.
fn filter_of(params: &HashMap<String, String>) -> (UserFilter, [String; 3], Option<String>) {
    let text = |name: &str| {
        params
            .get(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let shown = [text("partner"), text("kind"), text("provision_status")];
    let mut filter = UserFilter::default();
    let mut problem = None;
    if !shown[0].is_empty() {
        match shown[0].parse::<i64>() {
            Ok(id) if id > 0 => filter.partner = Some(id),
            _ => problem = Some("A partner id is a positive number.".to_owned()),
        }
    }
    if !shown[1].is_empty() {
        match KINDS.contains(&shown[1].as_str()) {
            true => filter.kind = Some(shown[1].clone()),
            false => problem = Some(format!("kind is one of {}.", KINDS.join(", "))),
        }
    }
    if !shown[2].is_empty() {
        match Status::parse(&shown[2]) {
            Some(status) => filter.provision_status = Some(status.as_str().to_owned()),
            None => problem = Some("provision_status is not a provision status.".to_owned()),
        }
    }
    (filter, shown, problem)
}

fn select(name: &str, label: &str, options: &[&str], chosen: &str) -> Markup {
    html! {
        div {
            label for=(name) { (label) }
            select #(name) name=(name) {
                option value="" selected[chosen.is_empty()] { "Any" }
                @for option in options { option value=(option) selected[*option == chosen] { (option) } }
            }
        }
    }
}

pub(super) fn provision_cell(u: &UserSummary) -> Markup {
    html! {
        @match (u.provision_id, &u.provision_status) {
            (Some(id), Some(status)) => {
                a href={ "/_provisio/ui/provisions/" (id) } { (id) } " " (layout::status(status))
                " " span.muted { (u.provision_sub_status.as_deref().unwrap_or("")) }
            },
            _ => span.muted { "—" },
        }
    }
}

/// Where a live section polls, and the line that says it is live (see `ui/live.js`).
pub(super) const LIVE: &str = "/_provisio/ui/version";

pub(super) fn live_note() -> Markup {
    html! {
        p.muted { "This page follows changes by itself. " span #live-status role="status" aria-live="polite" {} }
    }
}

/// `GET /_provisio/ui/version`: `{"version":"…"}`, which changes with any user, provision,
/// account, payment, card, card transaction, request for money, draft, schedule, event,
/// webhook delivery or OAuth grant; live pages fetch themselves again when it does.
pub async fn version(State(state): State<AppState>, _: Operator) -> Response {
    match state.store.change_mark().await {
        Ok(mark) => Json(serde_json::json!({ "version": mark })).into_response(),
        Err(err) => ApiError::from(err).into_response(),
    }
}

/// `GET /_provisio/ui/users?partner=…&kind=…&provision_status=…`.
pub async fn list(
    State(state): State<AppState>,
    operator: Operator,
    flash: Flash,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let (filter, shown, problem) = filter_of(&params);
    let page = match problem {
        Some(_) => Page::whole(Vec::new()),
        None => match state
            .store
            .list_users(&filter, page_query(&params, PAGE_SIZE))
            .await
        {
            Ok(page) => page,
            Err(err) => return ApiError::from(err).into_response(),
        },
    };
    let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    let base = format!(
        "/_provisio/ui/users?partner={}&kind={}&provision_status={}",
        layout::query_value(&shown[0]),
        layout::query_value(&shown[1]),
        layout::query_value(&shown[2])
    );
    let body = html! {
        h1 { "Users" }
        form.card.filters method="get" role="search" aria-label="Filter users" {
            div {
                label for="partner" { "Partner id" }
                input #partner name="partner" inputmode="numeric" value=(shown[0]) autocomplete="off";
            }
            (select("kind", "Kind", KINDS, &shown[1]))
            (select("provision_status", "Provision status", &statuses, &shown[2]))
            div { button type="submit" { "Filter" } }
        }
        @if let Some(problem) = problem { p.flash.error role="alert" { (problem) } }
        (live_note())
        section #users-live data-live=(LIVE) aria-label="Users" {
        @if page.items.is_empty() {
            p.muted { "No users match." }
        } @else {
            div.table-wrap {
                table.stack #users {
                    thead { tr { th.num { "Id" } th { "Name" } th { "Kind" } th { "Partner" } th { "Provision" } th { "Created" } } }
                    tbody {
                        @for u in &page.items {
                            tr {
                                td.num data-label="Id" { (u.id) }
                                td data-label="Name" { a href={ "/_provisio/ui/users/" (u.id) } { (u.name) } }
                                td data-label="Kind" { (u.kind) @if u.status != "ACTIVE" { " " (layout::status(&u.status)) } }
                                td data-label="Partner" {
                                    @match u.partner_id {
                                        Some(p) => a href={ "/_provisio/ui/partners/" (p) } { "#" (p) },
                                        None => span.muted { "—" },
                                    }
                                }
                                td data-label="Provision" { (provision_cell(u)) }
                                td data-label="Created" { time { (layout::time(u.created)) } }
                            }
                        }
                    }
                }
            }
        }
        (layout::pager(
            &base,
            page.has_newer,
            page.has_older,
            page.items.first().map_or(0, |u| u.id),
            page.items.last().map_or(0, |u| u.id),
        ))
        }
        script src="/_provisio/ui/assets/live.js" defer {}
    };
    layout::page("Users", Section::Users, &operator, flash, body)
}
