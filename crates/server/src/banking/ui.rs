//! A user's monetary accounts with their balances, and an account's payments, newest first.

use std::collections::HashMap;

use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use maud::html;
use provisio_core::{
    account::amount::format_minor,
    model::{MonetaryAccountId, PageBound, PageQuery, UserId, UserKind},
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

/// The accounts pages, merged into the router by `router::router`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_provisio/ui/accounts", get(page))
        .route(
            "/_provisio/ui/users/{user}/accounts/{account}",
            get(payments),
        )
}

pub async fn page(
    State(state): State<AppState>,
    operator: Operator,
    flash: Flash,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let user_text = params.get("user").map(|u| u.trim()).unwrap_or_default();
    let user = match owner(&state, user_text).await {
        Ok(user) => user.map(|u| u.0),
        Err(err) => return err.into_response(),
    };
    let accounts = match user {
        None => None,
        Some(user) => {
            let all = PageQuery {
                count: provisio_core::model::MAX_PAGE_COUNT,
                bound: PageBound::Newest,
            };
            match state.store.accounts(UserId(user), None, all).await {
                Ok(page) => Some(page.items),
                Err(err) => return ApiError::from(err).into_response(),
            }
        }
    };
    let body = html! {
        h1 { "Accounts" }
        form.card.filters method="get" role="search" aria-label="Find a user's accounts" {
            div {
                label for="user" { "User id (a partner's or a provisioned user's)" }
                input #user name="user" inputmode="numeric" value=(user_text) required autocomplete="off";
            }
            div { button type="submit" { "Show accounts" } }
        }
        p { "Or, across users: " a href="/_provisio/ui/lists/accounts" { "every account" } " · " a href="/_provisio/ui/lists/payments" { "every payment" } }
        @if !user_text.is_empty() && user.is_none() {
            p.flash.error role="alert" { "A user id is a positive number." }
        }
        @if let (Some(user), Some(accounts)) = (user, &accounts) {
            h2 { "Accounts of user " (user) }
            p { a href={ "/_provisio/ui/cards?user=" (user) } { "cards of user " (user) } }
            @if accounts.is_empty() {
                p.muted { "This user has no monetary accounts." }
            } @else {
                div.table-wrap {
                    table.stack #accounts {
                        thead { tr { th.num { "Id" } th { "Description" } th { "IBAN" } th { "Status" } th.num { "Balance" } th.num { "Daily limit" } } }
                        tbody {
                            @for a in accounts {
                                tr {
                                    td.num data-label="Id" { (a.id.0) }
                                    td data-label="Description" {
                                        a href={ "/_provisio/ui/users/" (user) "/accounts/" (a.id.0) } { (a.description) }
                                        " " span.muted { (a.kind.as_str()) }
                                    }
                                    td data-label="IBAN" { code { (a.iban) } }
                                    td data-label="Status" { (layout::status(a.status.as_str())) }
                                    td.num data-label="Balance" { (format_minor(a.balance_minor)) " " (a.currency) }
                                    td.num data-label="Daily limit" { (format_minor(a.daily_limit_minor)) " " (a.currency) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout::page("Accounts", Section::Accounts, &operator, flash, body)
}

/// The user typed into a page's "User id" field: a `UserApiKey` id (what the user's own
/// context calls its user id) stands for the user who granted it, as in the API.
pub async fn owner(state: &AppState, text: &str) -> Result<Option<UserId>, ApiError> {
    let Some(id) = text.parse::<i64>().ok().filter(|u| *u > 0) else {
        return Ok(None);
    };
    let granted = match state.store.user(UserId(id)).await? {
        Some(found) if found.kind == UserKind::ApiKey => found.granted_user_id,
        _ => None,
    };
    Ok(Some(granted.unwrap_or(UserId(id))))
}

pub async fn payments(
    State(state): State<AppState>,
    operator: Operator,
    flash: Flash,
    Path((user, account)): Path<(i64, i64)>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let (user, account) = (UserId(user), MonetaryAccountId(account));
    let found = match state.store.account(user, account).await {
        Ok(Some(found)) => found,
        Ok(None) => return ApiError::not_found("MonetaryAccount not found.").into_response(),
        Err(err) => return ApiError::from(err).into_response(),
    };
    let page = match state
        .store
        .payments(user, account, page_query(&params, PAGE_SIZE))
        .await
    {
        Ok(page) => page,
        Err(err) => return ApiError::from(err).into_response(),
    };
    let base = format!("/_provisio/ui/users/{}/accounts/{}", user.0, account.0);
    let body = html! {
        h1 { (found.description) " " span.muted { (found.iban) } }
        p { "Balance " strong { (format_minor(found.balance_minor)) " " (found.currency) } " · "
            a href={ "/_provisio/ui/accounts?user=" (user.0) } { "all accounts of user " (user.0) } " · "
            a href={ "/_provisio/ui/users/" (user.0) "/accounts/" (account.0) "/card-transactions" } { "card transactions" } }
        h2 { "Payments" }
        @if page.items.is_empty() {
            p.muted { "No payments yet." }
        } @else {
            div.table-wrap {
                table.stack #payments {
                    thead { tr { th.num { "Id" } th { "At" } th { "Counterparty" } th { "Description" } th { "Type" } th.num { "Amount" } th.num { "Balance after" } } }
                    tbody {
                        @for p in &page.items {
                            tr {
                                td.num data-label="Id" { (p.id.0) }
                                td data-label="At" { time { (layout::time(p.created)) } }
                                td data-label="Counterparty" { (p.counterparty_name) br; code { (p.counterparty_iban) } }
                                td data-label="Description" { (p.description) }
                                td data-label="Type" { (p.kind.as_str()) }
                                td.num data-label="Amount" { (format_minor(p.amount_minor)) " " (p.currency) }
                                td.num data-label="Balance after" { (format_minor(p.balance_after_minor)) }
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
            page.items.first().map_or(0, |p| p.id.0),
            page.items.last().map_or(0, |p| p.id.0),
        ))
    };
    layout::page("Payments", Section::Accounts, &operator, flash, body)
}
