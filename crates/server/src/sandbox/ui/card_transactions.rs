//! Every card transaction across users (issue 21): filtered by partner and authorisation
//! status, newest first, paged, live; each row with settle and reverse where its state allows
//! them, as the per-account page has them (the same buttons, the same operator calls).

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    response::{IntoResponse, Response},
};
use maud::{html, Markup};
use provisio_core::{
    account::amount::format_minor,
    card::action::{AuthorisationStatus, SettlementStatus},
    model::Page,
    store::{CardTransactionRow, OwnerFilter},
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
pub const PATH: &str = "/_provisio/ui/lists/card-transactions";

/// `GET /_provisio/ui/lists/card-transactions?partner=…&status=…`.
pub async fn list(
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
    let statuses: Vec<&str> = AuthorisationStatus::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
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
    let page = match problem {
        Some(_) => Page::whole(Vec::new()),
        None => match state
            .store
            .list_card_transactions(&filter, page_query(&params, PAGE_SIZE))
            .await
        {
            Ok(page) => page,
            Err(err) => return ApiError::from(err).into_response(),
        },
    };
    let base = format!(
        "{PATH}?partner={}&status={}",
        layout::query_value(&partner_text),
        layout::query_value(&status_text)
    );
    let body = html! {
        h1 { "Every card transaction" }
        p {
            a href="/_provisio/ui/lists/cards" { "cards" } " · "
            a href="/_provisio/ui/lists/payments" { "payments" } " · "
            a href="/_provisio/ui/users" { "users" }
        }
        form.card.filters method="get" role="search" aria-label="Filter card transactions" {
            div {
                label for="partner" { "Partner id" }
                input #partner name="partner" inputmode="numeric" value=(partner_text) autocomplete="off";
            }
            div {
                label for="status" { "Authorization" }
                select #status name="status" {
                    option value="" selected[status_text.is_empty()] { "Any" }
                    @for s in &statuses { option value=(s) selected[*s == status_text] { (s) } }
                }
            }
            div { button type="submit" { "Filter" } }
        }
        @if let Some(problem) = problem { p.flash.error role="alert" { (problem) } }
        (users::live_note())
        section #card-transactions-live data-live=(users::LIVE) aria-label="Card transactions" {
            @if page.items.is_empty() {
                p.muted { "Nothing matches." }
            } @else {
                (table(&operator, &page.items))
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
    layout::page(
        "Every card transaction",
        Section::Cards,
        &operator,
        flash,
        body,
    )
}

/// Fewer columns than the per-account page (the merchant's country and the clearing status
/// fold into their neighbours), so the actions column fits a laptop screen beside them.
fn table(operator: &Operator, rows: &[CardTransactionRow]) -> Markup {
    html! {
        div.table-wrap {
            table.stack #card-transactions {
                thead { tr { th.num { "Id" } th { "User" } th { "Card" } th { "Merchant" } th.num { "Amount" } th { "Authorization" } th { "Settlement" } th { "At" } th.row-actions { "Actions" } } }
                tbody {
                    @for r in rows {
                        tr {
                            td.num data-label="Id" { (r.id) }
                            td data-label="User" { a href={ "/_provisio/ui/users/" (r.user_id) } { (r.user_name) } " " span.muted { "#" (r.user_id) } }
                            td data-label="Card" {
                                (r.card_id) " "
                                a href={ "/_provisio/ui/users/" (r.user_id) "/accounts/" (r.account_id) "/card-transactions" } { "account " (r.account_id) }
                            }
                            td data-label="Merchant" { (r.merchant_name) " " span.muted { (r.merchant_country) } }
                            td.num data-label="Amount" { (format_minor(r.amount_minor)) " " (r.currency) }
                            td data-label="Authorization" { (layout::status(r.authorisation_status.as_str())) br; span.muted { (r.decision) } }
                            td data-label="Settlement" { (r.settlement_status.as_str()) }
                            td data-label="At" { time { (layout::time(r.created)) } }
                            td.row-actions data-label="Actions" { (actions(operator, r)) }
                        }
                    }
                }
            }
        }
    }
}

/// Settle and reverse, only while the transaction is authorised and not yet settled (what the
/// card network's calls accept); they post to the per-account page's routes and come back here.
fn actions(operator: &Operator, r: &CardTransactionRow) -> Markup {
    let open = r.authorisation_status == AuthorisationStatus::Authorised
        && r.settlement_status == SettlementStatus::PendingSettlement;
    html! {
        @if open {
            (layout::button(operator, &format!("/_provisio/ui/mastercard-actions/{}/settle", r.id), "Settle", ""))
            (layout::button(operator, &format!("/_provisio/ui/mastercard-actions/{}/reverse", r.id), "Reverse", "danger"))
        } @else {
            span.muted { "—" }
        }
    }
}
