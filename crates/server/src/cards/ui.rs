//! A user's cards and 3DS challenges, a form that plays the merchant (a card authorisation),
//! and an account's card transactions (MasterCardActions) with reverse and settle.

use std::collections::HashMap;

use axum::{
    extract::{Path, Query, State},
    http::HeaderMap,
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use maud::{html, Markup};
use provisio_core::{
    account::amount::format_minor,
    card::{
        action::{
            AuthorisationStatus, AuthorizationInput, Challenge, MasterCardAction, SettlementStatus,
            DECLINE_REASONS,
        },
        Card,
    },
    model::{CardId, MonetaryAccountId, PageBound, PageQuery, UserId, MAX_PAGE_COUNT},
    store::AuthorizationOutcome,
};

use super::{network, routes::transactions};
use crate::{
    banking::ui as accounts,
    http::{error::ApiError, extract::PathId, idempotency::Idempotency},
    ui::{
        actions::{back, outcome, OPERATOR},
        layout::{self, page_query, Section},
        session::{Flash, Operator, Posted},
    },
    AppState,
};

const PAGE_SIZE: u32 = 25;

/// The cards pages and the merchant's form, merged into the router by `router::router`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_provisio/ui/cards", get(page))
        .route("/_provisio/ui/cards/authorize", post(authorize))
        .route(
            "/_provisio/ui/users/{user}/accounts/{account}/card-transactions",
            get(transactions),
        )
        .route(
            "/_provisio/ui/mastercard-actions/{id}/{action}",
            post(settle_or_reverse),
        )
}

fn newest(count: u32) -> PageQuery {
    PageQuery {
        count,
        bound: PageBound::Newest,
    }
}

/// Where an account's card transactions are listed.
fn transactions_path(user: UserId, account: MonetaryAccountId) -> String {
    format!(
        "/_provisio/ui/users/{}/accounts/{}/card-transactions",
        user.0, account.0
    )
}

/// `GET /_provisio/ui/cards?user=ID`: the user's cards, the merchant's form, its challenges.
pub async fn page(
    State(state): State<AppState>,
    operator: Operator,
    flash: Flash,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let user_text = params.get("user").map(|u| u.trim()).unwrap_or_default();
    let user = match accounts::owner(&state, user_text).await {
        Ok(user) => user,
        Err(err) => return err.into_response(),
    };
    let mut found = None;
    if let Some(user) = user {
        let cards = match state.store.cards(user, newest(MAX_PAGE_COUNT)).await {
            Ok(page) => page.items,
            Err(err) => return ApiError::from(err).into_response(),
        };
        let challenges = match state.store.challenges(user, &[], newest(PAGE_SIZE)).await {
            Ok(page) => page.items,
            Err(err) => return ApiError::from(err).into_response(),
        };
        found = Some((user, cards, challenges));
    }
    let body = html! {
        h1 { "Cards" }
        form.card.filters method="get" role="search" aria-label="Find a user's cards" {
            div {
                label for="user" { "User id (a partner's or a provisioned user's)" }
                input #user name="user" inputmode="numeric" value=(user_text) required autocomplete="off";
            }
            div { button type="submit" { "Show cards" } }
        }
        p { "Or, across users: " a href="/_provisio/ui/lists/cards" { "every card" } " · "
            a href="/_provisio/ui/lists/card-transactions" { "every card transaction" } }
        @if !user_text.is_empty() && user.is_none() {
            p.flash.error role="alert" { "A user id is a positive number." }
        }
        @if let Some((user, cards, challenges)) = &found {
            h2 { "Cards of user " (user.0) }
            p { a href={ "/_provisio/ui/accounts?user=" (user.0) } { "accounts of user " (user.0) } }
            @if cards.is_empty() {
                p.muted { "This user has no cards: " code { "POST /v1/user/" (user.0) "/card-debit" } "." }
            } @else {
                (card_table(cards))
                (authorize_form(&operator, cards))
            }
            h2 { "3DS challenges" }
            @if challenges.is_empty() {
                p.muted { "No identity checks asked of this user." }
            } @else {
                p.muted { "The newest " (PAGE_SIZE) "; the user answers them with "
                    code { "PUT /v1/user/" (user.0) "/challenge-request/ID" } "." }
                (challenge_table(challenges))
            }
        }
    };
    layout::page("Cards", Section::Cards, &operator, flash, body)
}

fn card_table(cards: &[Card]) -> Markup {
    html! {
        div.table-wrap {
            table.stack #cards {
                thead { tr { th.num { "Id" } th { "Card" } th { "Name on card" } th { "Number" } th { "Status" } th { "Order" } th { "Account" } th.num { "Daily limit" } } }
                tbody {
                    @for c in cards {
                        tr {
                            td.num data-label="Id" { (c.id.0) }
                            td data-label="Card" { (c.second_line) " " span.muted { (c.kind.object_type()) " · " (c.product_type) } }
                            td data-label="Name on card" { (c.name_on_card) }
                            td data-label="Number" { code { "•••• " (c.pan_last_four) } " " span.muted { (c.expiry_date) } }
                            td data-label="Status" { (layout::status(c.status.as_str())) }
                            td data-label="Order" { (c.order_status.as_str()) }
                            td data-label="Account" {
                                a href=(transactions_path(c.user_id, c.monetary_account_id)) { "#" (c.monetary_account_id.0) " transactions" }
                                @if let Some(fallback) = c.monetary_account_id_fallback {
                                    br; span.muted { "fallback #" (fallback.0) }
                                }
                            }
                            td.num data-label="Daily limit" { (format_minor(c.card_limit_minor)) " " (c.currency) }
                        }
                    }
                }
            }
        }
    }
}

/// The operator's card network as a form: a merchant's authorisation on one of the cards.
fn authorize_form(operator: &Operator, cards: &[Card]) -> Markup {
    html! {
        section.card aria-labelledby="authorize-h" {
            h3 #authorize-h { "Simulate a card payment" }
            p.muted { "A merchant's authorization, as " code { "provisio card authorize" } " sends it." }
            form.filters method="post" action="/_provisio/ui/cards/authorize" {
                (layout::token(operator))
                div {
                    label for="card" { "Card" }
                    select #card name="card" {
                        @for c in cards { option value=(c.id.0) { (c.id.0) " · " (c.second_line) " · •••• " (c.pan_last_four) } }
                    }
                }
                div {
                    label for="amount" { "Amount" }
                    input #amount name="amount" inputmode="decimal" placeholder="12.50" required autocomplete="off";
                }
                div {
                    label for="merchant" { "Merchant" }
                    input #merchant name="merchant" value="Coffee BV" required;
                }
                div {
                    label for="country" { "Merchant country" }
                    input #country name="country" value="NL" maxlength="2";
                }
                div {
                    label for="decline_reason" { "Force a decline" }
                    select #decline_reason name="decline_reason" {
                        option value="" selected { "No: decide by the rules" }
                        @for reason in DECLINE_REASONS { option value=(reason) { (reason) } }
                    }
                }
                div.check {
                    input #identity_check type="checkbox" name="identity_check" value="true";
                    label for="identity_check" { "Ask for 3DS" }
                }
                div { button type="submit" { "Authorize" } }
            }
        }
    }
}

fn challenge_table(challenges: &[Challenge]) -> Markup {
    html! {
        div.table-wrap {
            table.stack #challenges {
                thead { tr { th.num { "Id" } th { "At" } th.num { "Card" } th { "Merchant" } th.num { "Amount" } th { "Status" } th { "Expires" } th.num { "Transaction" } } }
                tbody {
                    @for c in challenges {
                        tr {
                            td.num data-label="Id" { (c.id.0) }
                            td data-label="At" { time { (layout::time(c.created)) } }
                            td.num data-label="Card" { (c.card_id.0) }
                            td data-label="Merchant" { (c.merchant.name) }
                            td.num data-label="Amount" { (format_minor(c.amount_minor)) " " (c.currency) }
                            td data-label="Status" { (layout::status(c.status.as_str())) }
                            td data-label="Expires" { time { (layout::time(c.expiry_time)) } }
                            td.num data-label="Transaction" {
                                @match c.mastercard_action_id { Some(id) => (id.0), None => span.muted { "—" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /_provisio/ui/users/{user}/accounts/{account}/card-transactions`, newest first.
pub async fn transactions(
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
        .mastercard_actions(user, account, page_query(&params, PAGE_SIZE))
        .await
    {
        Ok(page) => page,
        Err(err) => return ApiError::from(err).into_response(),
    };
    let body = html! {
        h1 { "Card transactions " span.muted { (found.description) " · " (found.iban) } }
        p { "Balance " strong { (format_minor(found.balance_minor)) " " (found.currency) } " · "
            a href={ "/_provisio/ui/users/" (user.0) "/accounts/" (account.0) } { "payments" } " · "
            a href={ "/_provisio/ui/cards?user=" (user.0) } { "cards of user " (user.0) } }
        @if page.items.is_empty() {
            p.muted { "No card transactions on this account yet." }
        } @else {
            (action_table(&operator, &page.items))
        }
        (layout::pager(
            &transactions_path(user, account),
            page.has_newer,
            page.has_older,
            page.items.first().map_or(0, |a| a.id.0),
            page.items.last().map_or(0, |a| a.id.0),
        ))
    };
    layout::page("Card transactions", Section::Cards, &operator, flash, body)
}

fn action_table(operator: &Operator, actions: &[MasterCardAction]) -> Markup {
    html! {
        div.table-wrap {
            table.stack #card-transactions {
                thead { tr { th.num { "Id" } th { "At" } th.num { "Card" } th { "Merchant" } th.num { "Amount" } th { "Decision" } th { "Authorization" } th { "Clearing" } th { "Settlement" } th.row-actions { "Actions" } } }
                tbody {
                    @for a in actions {
                        tr {
                            td.num data-label="Id" { (a.id.0) }
                            td data-label="At" { time { (layout::time(a.created)) } }
                            td.num data-label="Card" { (a.card_id.0) }
                            td data-label="Merchant" { (a.merchant.name) " " span.muted { (a.merchant.country) } }
                            td.num data-label="Amount" { (format_minor(a.amount_minor)) " " (a.currency) }
                            td data-label="Decision" { (a.decision) br; span.muted { (a.decision_description) } }
                            td data-label="Authorization" { (layout::status(a.authorisation_status.as_str())) }
                            td data-label="Clearing" { (a.clearing_status.as_str()) }
                            td data-label="Settlement" { (a.settlement_status.as_str()) }
                            td.row-actions data-label="Actions" {
                                @if a.authorisation_status == AuthorisationStatus::Authorised
                                    && a.settlement_status == SettlementStatus::PendingSettlement {
                                    (layout::button(operator, &format!("/_provisio/ui/mastercard-actions/{}/settle", a.id.0), "Settle", ""))
                                    (layout::button(operator, &format!("/_provisio/ui/mastercard-actions/{}/reverse", a.id.0), "Reverse", "danger"))
                                } @else {
                                    span.muted { "—" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `POST /_provisio/ui/cards/authorize`: the card network's own call (as the operator API's
/// and `provisio card authorize`), then back to the cards page with what came of it.
pub async fn authorize(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Posted,
) -> Response {
    let to = back(&headers, "/_provisio/ui/cards");
    let Some(card) = form.field("card").and_then(|c| c.parse::<i64>().ok()) else {
        return Flash::redirect(false, "Refused: choose a card.", &to);
    };
    let input = AuthorizationInput {
        amount: form.field("amount").map(str::to_owned),
        merchant: form.field("merchant").map(str::to_owned),
        country: form.field("country").map(str::to_ascii_uppercase),
        decline_reason: form.field("decline_reason").map(str::to_owned),
        identity_check: form.field("identity_check") == Some("true"),
        ..AuthorizationInput::default()
    };
    let result = network::authorize(
        state.store.as_ref(),
        state.clock.as_ref(),
        CardId(card),
        &input,
        None,
    )
    .await;
    if result.is_ok() {
        state.webhooks_queued();
    }
    match result {
        Ok(AuthorizationOutcome::Action(a)) => {
            let amount = format!("{} {}", format_minor(a.amount_minor), a.currency);
            let text = format!(
                "Card transaction {} on card {card}: {amount} at {}, {}.",
                a.id.0, a.merchant.name, a.decision
            );
            Flash::redirect(true, &text, &to)
        }
        Ok(AuthorizationOutcome::Challenge(c)) => {
            let text = format!(
                "3DS challenge {} on card {card} waits for the user's answer.",
                c.id.0
            );
            Flash::redirect(true, &text, &to)
        }
        Err(err) => {
            let err = ApiError::from(err);
            Flash::redirect(false, &format!("Refused: {}", err.description()), &to)
        }
    }
}

/// `POST /_provisio/ui/mastercard-actions/{id}/{settle|reverse}`.
pub async fn settle_or_reverse(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, action)): Path<(i64, String)>,
    _: Posted,
) -> Response {
    let to = back(&headers, "/_provisio/ui/cards");
    let s = State(state);
    let result = match action.as_str() {
        "settle" => transactions::settle(s, OPERATOR, PathId(id), Idempotency::NONE).await,
        "reverse" => transactions::reverse(s, OPERATOR, PathId(id), Idempotency::NONE).await,
        _ => return Flash::redirect(false, "No such action.", &to),
    };
    let done = if action == "settle" {
        "settled"
    } else {
        "reversed"
    };
    outcome(result, &format!("Card transaction {id} {done}."), &to)
}
