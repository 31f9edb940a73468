//! Users across partners (filtered by partner, kind and provision status, paged), and one
//! user's page: its provision, its accounts with their balances, its cards, its newest
//! payments and its newest events (requests, drafts, schedules too), each linking to the page
//! that has more.

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    response::{IntoResponse, Response},
    Json,
};
use maud::{html, Markup};
use provisio_core::{
    account::amount::format_minor,
    feed::EventFilter,
    model::{Page, PageBound, PageQuery, UserId, MAX_PAGE_COUNT},
    provision::Status,
    store::{UserFilter, UserSummary},
};

use crate::{
    http::{error::ApiError, extract::PathId},
    ui::{
        layout::{self, page_query, Section},
        session::{Flash, Operator},
    },
    AppState,
};

const PAGE_SIZE: u32 = 25;
/// The newest payments a user's page shows of each account.
const RECENT_PAYMENTS: u32 = 5;
/// The newest events a user's page shows.
const RECENT_EVENTS: u32 = 20;
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

fn provision_cell(u: &UserSummary) -> Markup {
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
/// account, payment, card or card transaction; live pages fetch themselves again when it does.
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

/// `GET /_provisio/ui/users/{id}`.
pub async fn page(
    State(state): State<AppState>,
    operator: Operator,
    flash: Flash,
    PathId(id): PathId,
) -> Response {
    match user_body(&state, id).await {
        Ok(Some((title, body))) => layout::page(&title, Section::Users, &operator, flash, body),
        Ok(None) => layout::missing(&operator, &format!("There is no user {id}.")),
        Err(err) => err.into_response(),
    }
}

async fn user_body(state: &AppState, id: i64) -> Result<Option<(String, Markup)>, ApiError> {
    let Some(user) = state.store.user_summary(id).await? else {
        return Ok(None);
    };
    let all = PageQuery {
        count: MAX_PAGE_COUNT,
        bound: PageBound::Newest,
    };
    let accounts = state.store.accounts(UserId(id), None, all).await?.items;
    let cards = state.store.cards(UserId(id), all).await?.items;
    let recent = PageQuery {
        count: RECENT_PAYMENTS,
        bound: PageBound::Newest,
    };
    let mut payments = Vec::new();
    for account in &accounts {
        payments.extend(
            state
                .store
                .payments(UserId(id), account.id, recent)
                .await?
                .items,
        );
    }
    payments.sort_by_key(|p| std::cmp::Reverse(p.id.0));
    let recent_events = PageQuery {
        count: RECENT_EVENTS,
        bound: PageBound::Newest,
    };
    let events = state
        .store
        .events(UserId(id), &EventFilter::default(), recent_events)
        .await?
        .items;
    let body = html! {
        h1 { (user.name) " " span.muted { (user.kind) " #" (user.id) } }
        (live_note())
        div #user-live data-live=(LIVE) {
        section.card aria-labelledby="facts-h" {
            h2 #facts-h { "Details" }
            dl.facts {
                dt { "Status" } dd { (layout::status(&user.status)) }
                dt { "Partner" } dd {
                    @match user.partner_id {
                        Some(p) => a href={ "/_provisio/ui/partners/" (p) } { "#" (p) },
                        None => span.muted { "— (a partner itself)" },
                    }
                }
                dt { "Provision" } dd { (provision_cell(&user)) @if user.provision_id.is_some() { " · its timeline is on its page" } }
                dt { "Created" } dd { time { (layout::time(user.created)) } }
            }
        }
        h2 { "Accounts" }
        @if accounts.is_empty() {
            p.muted { "No monetary accounts." }
        } @else {
            div.table-wrap {
                table.stack #user-accounts {
                    thead { tr { th.num { "Id" } th { "Description" } th { "IBAN" } th { "Status" } th.num { "Balance" } } }
                    tbody {
                        @for a in &accounts {
                            tr {
                                td.num data-label="Id" { (a.id.0) }
                                td data-label="Description" { a href={ "/_provisio/ui/users/" (id) "/accounts/" (a.id.0) } { (a.description) } }
                                td data-label="IBAN" { code { (a.iban) } }
                                td data-label="Status" { (layout::status(a.status.as_str())) }
                                td.num data-label="Balance" { (format_minor(a.balance_minor)) " " (a.currency) }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Cards" }
        @if cards.is_empty() {
            p.muted { "No cards." }
        } @else {
            div.table-wrap {
                table.stack #user-cards {
                    thead { tr { th.num { "Id" } th { "Name on card" } th { "Last four" } th { "Status" } th.num { "Account" } } }
                    tbody {
                        @for c in &cards {
                            tr id={ "card-" (c.id.0) } {
                                td.num data-label="Id" { (c.id.0) }
                                td data-label="Name on card" { (c.name_on_card) " " span.muted { (c.kind.as_str()) } }
                                td data-label="Last four" { code { "•••• " (c.pan_last_four) } }
                                td data-label="Status" { (layout::status(c.status.as_str())) }
                                td.num data-label="Account" { a href={ "/_provisio/ui/users/" (id) "/accounts/" (c.monetary_account_id.0) "/card-transactions" } { (c.monetary_account_id.0) } }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Recent payments" }
        @if payments.is_empty() {
            p.muted { "No payments yet." }
        } @else {
            div.table-wrap {
                table.stack #user-payments {
                    thead { tr { th.num { "Id" } th { "At" } th.num { "Account" } th { "Counterparty" } th { "Description" } th.num { "Amount" } } }
                    tbody {
                        @for p in &payments {
                            tr {
                                td.num data-label="Id" { (p.id.0) }
                                td data-label="At" { time { (layout::time(p.created)) } }
                                td.num data-label="Account" { a href={ "/_provisio/ui/users/" (id) "/accounts/" (p.monetary_account_id.0) } { (p.monetary_account_id.0) } }
                                td data-label="Counterparty" { (p.counterparty_name) }
                                td data-label="Description" { (p.description) }
                                td.num data-label="Amount" { (format_minor(p.amount_minor)) " " (p.currency) }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Activity" }
        p.muted { "The user's event feed (" code { "GET /v1/user/" (id) "/event" } "), newest first: payments, requests for money, draft payments, scheduled payments and card transactions." }
        @if events.is_empty() {
            p.muted { "Nothing yet." }
        } @else {
            div.table-wrap {
                table.stack #user-events {
                    thead { tr { th.num { "Id" } th { "At" } th { "Object" } th { "Action" } th { "Status" } th.num { "Account" } } }
                    tbody {
                        @for e in &events {
                            tr {
                                td.num data-label="Id" { (e.id) }
                                td data-label="At" { time { (layout::time(e.created)) } }
                                td data-label="Object" { (e.kind) " " span.muted { "#" (e.object_id) } }
                                td data-label="Action" { (e.action.as_str()) }
                                td data-label="Status" { (layout::status(e.status.as_str())) }
                                td.num data-label="Account" {
                                    @match e.monetary_account_id {
                                        Some(a) => a href={ "/_provisio/ui/users/" (id) "/accounts/" (a.0) } { (a.0) },
                                        None => span.muted { "—" },
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        }
        script src="/_provisio/ui/assets/live.js" defer {}
    };
    Ok(Some((format!("User {id}"), body)))
}
