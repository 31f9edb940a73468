//! Lists across users, for when no user id is at hand: every account (by partner and status,
//! with balances), every card (by partner and status) and every payment (by partner), newest
//! first, paged, each row linking to its user and its account; each follows changes by itself.

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    response::{IntoResponse, Response},
};
use maud::html;
use provisio_core::{
    account::{amount::format_minor, AccountStatus},
    card::CardStatus,
    model::Page,
    store::{OwnedRow, OwnerFilter},
};

use super::users;
use crate::{
    http::error::ApiError,
    ui::{
        layout::{self, page_query, Section},
        session::{Flash, Operator},
    },
    AppState,
};

const PAGE_SIZE: u32 = 25;

/// What differs between the three lists.
#[derive(Clone, Copy)]
enum List {
    Accounts,
    Cards,
    Payments,
}

impl List {
    fn title(self) -> &'static str {
        match self {
            List::Accounts => "Every account",
            List::Cards => "Every card",
            List::Payments => "Every payment",
        }
    }

    fn path(self) -> &'static str {
        match self {
            List::Accounts => "/_provisio/ui/lists/accounts",
            List::Cards => "/_provisio/ui/lists/cards",
            List::Payments => "/_provisio/ui/lists/payments",
        }
    }

    fn statuses(self) -> Vec<&'static str> {
        match self {
            List::Accounts => AccountStatus::ALL.iter().map(|s| s.as_str()).collect(),
            List::Cards => CardStatus::ALL.iter().map(|s| s.as_str()).collect(),
            List::Payments => Vec::new(),
        }
    }

    /// The column headings of (label, detail, amount).
    fn headings(self) -> (&'static str, &'static str, &'static str) {
        match self {
            List::Accounts => ("Description", "IBAN", "Balance"),
            List::Cards => ("Name on card", "Last four", "Limit"),
            List::Payments => ("Description", "Counterparty", "Amount"),
        }
    }
}

pub async fn accounts(
    state: State<AppState>,
    operator: Operator,
    flash: Flash,
    params: Query<HashMap<String, String>>,
) -> Response {
    list(List::Accounts, state, operator, flash, params).await
}

pub async fn cards(
    state: State<AppState>,
    operator: Operator,
    flash: Flash,
    params: Query<HashMap<String, String>>,
) -> Response {
    list(List::Cards, state, operator, flash, params).await
}

pub async fn payments(
    state: State<AppState>,
    operator: Operator,
    flash: Flash,
    params: Query<HashMap<String, String>>,
) -> Response {
    list(List::Payments, state, operator, flash, params).await
}

async fn list(
    which: List,
    State(state): State<AppState>,
    operator: Operator,
    flash: Flash,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let text = |name: &str| {
        params
            .get(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let (partner_text, status_text) = (text("partner"), text("status"));
    let statuses = which.statuses();
    let mut filter = OwnerFilter::default();
    let mut problem = None;
    if !partner_text.is_empty() {
        match partner_text.parse::<i64>() {
            Ok(id) if id > 0 => filter.partner = Some(id),
            _ => problem = Some("A partner id is a positive number.".to_owned()),
        }
    }
    if !status_text.is_empty() {
        match statuses.contains(&status_text.as_str()) {
            true => filter.status = Some(status_text.clone()),
            false => problem = Some(format!("status is one of {}.", statuses.join(", "))),
        }
    }
    let query = page_query(&params, PAGE_SIZE);
    let found = match problem {
        Some(_) => Ok(Page::whole(Vec::new())),
        None => match which {
            List::Accounts => state.store.list_accounts(&filter, query).await,
            List::Cards => state.store.list_cards(&filter, query).await,
            List::Payments => state.store.list_payments(&filter, query).await,
        },
    };
    let page = match found {
        Ok(page) => page,
        Err(err) => return ApiError::from(err).into_response(),
    };
    let base = format!(
        "{}?partner={}&status={}",
        which.path(),
        layout::query_value(&partner_text),
        layout::query_value(&status_text)
    );
    let (label, detail, amount) = which.headings();
    let body = html! {
        h1 { (which.title()) }
        p {
            a href="/_provisio/ui/lists/accounts" { "accounts" } " · "
            a href="/_provisio/ui/lists/cards" { "cards" } " · "
            a href="/_provisio/ui/lists/payments" { "payments" } " · "
            a href="/_provisio/ui/lists/card-transactions" { "card transactions" } " · "
            a href="/_provisio/ui/users" { "users" }
        }
        form.card.filters method="get" role="search" aria-label="Filter" {
            div {
                label for="partner" { "Partner id" }
                input #partner name="partner" inputmode="numeric" value=(partner_text) autocomplete="off";
            }
            @if !statuses.is_empty() {
                div {
                    label for="status" { "Status" }
                    select #status name="status" {
                        option value="" selected[status_text.is_empty()] { "Any" }
                        @for s in &statuses { option value=(s) selected[*s == status_text] { (s) } }
                    }
                }
            }
            div { button type="submit" { "Filter" } }
        }
        @if let Some(problem) = problem { p.flash.error role="alert" { (problem) } }
        (users::live_note())
        section #owned-live data-live=(users::LIVE) aria-label=(which.title()) {
        @if page.items.is_empty() {
            p.muted { "Nothing matches." }
        } @else {
            div.table-wrap {
                table.stack #owned {
                    thead { tr { th.num { "Id" } th { "User" } th { (label) } th { (detail) } th { "Status" } th.num { (amount) } th { "Created" } } }
                    tbody {
                        @for r in &page.items { (row(which, r)) }
                    }
                }
            }
        }
        (layout::pager(
            &base,
            page.has_newer,
            page.has_older,
            page.items.first().map_or(0, |r| r.id),
            page.items.last().map_or(0, |r| r.id),
        ))
        }
        script src="/_provisio/ui/assets/live.js" defer {}
    };
    let section = match which {
        List::Accounts | List::Payments => Section::Accounts,
        List::Cards => Section::Cards,
    };
    layout::page(which.title(), section, &operator, flash, body)
}

fn row(which: List, r: &OwnedRow) -> maud::Markup {
    let account = format!(
        "/_provisio/ui/users/{}/accounts/{}",
        r.user_id, r.account_id
    );
    html! {
        tr {
            td.num data-label="Id" { (r.id) }
            td data-label="User" { a href={ "/_provisio/ui/users/" (r.user_id) } { (r.user_name) } " " span.muted { "#" (r.user_id) } }
            td data-label="What" {
                @match which {
                    List::Accounts => a href=(account) { (r.label) },
                    List::Cards => { (r.label) " " a href={ (account) "/card-transactions" } { "transactions" } },
                    List::Payments => { (r.label) " " a href=(account) { "account " (r.account_id) } },
                }
            }
            td data-label="Detail" { code { (r.detail) } }
            td data-label="Status" { (layout::status(&r.status)) }
            td.num data-label="Amount" { (format_minor(r.amount_minor)) " " (r.currency) }
            td data-label="Created" { time { (layout::time(r.created)) } }
        }
    }
}
