//! A user's accounts with their balances, its cards, and its newest payments across its
//! accounts (each account's page has all of them).

use maud::{html, Markup};
use provisio_core::{
    account::{amount::format_minor, payment::Payment, MonetaryAccount},
    card::Card,
    model::{PageBound, PageQuery, UserId, MAX_PAGE_COUNT},
};

use super::section;
use crate::{http::error::ApiError, ui::layout, AppState};

/// The newest payments the page shows of each account.
const RECENT_PAYMENTS: u32 = 5;

pub struct Money {
    pub user: i64,
    pub accounts: Vec<MonetaryAccount>,
    cards: Vec<Card>,
    payments: Vec<Payment>,
}

pub async fn load(state: &AppState, id: i64) -> Result<Money, ApiError> {
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
    Ok(Money {
        user: id,
        accounts,
        cards,
        payments,
    })
}

pub fn render(m: &Money) -> Markup {
    html! {
        (section("accounts", "Accounts", accounts(m)))
        (section("cards", "Cards", cards(m)))
        (section("payments", "Recent payments", payments(m)))
    }
}

fn accounts(m: &Money) -> Markup {
    html! {
        @if m.accounts.is_empty() {
            p.muted { "No monetary accounts." }
        } @else {
            div.table-wrap {
                table.stack #user-accounts {
                    thead { tr { th.num { "Id" } th { "Description" } th { "IBAN" } th { "Status" } th.num { "Balance" } } }
                    tbody {
                        @for a in &m.accounts {
                            tr {
                                td.num data-label="Id" { (a.id.0) }
                                td data-label="Description" { a href={ "/_provisio/ui/users/" (m.user) "/accounts/" (a.id.0) } { (a.description) } }
                                td data-label="IBAN" { code { (a.iban) } }
                                td data-label="Status" { (layout::status(a.status.as_str())) }
                                td.num data-label="Balance" { (format_minor(a.balance_minor)) " " (a.currency) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn cards(m: &Money) -> Markup {
    html! {
        @if m.cards.is_empty() {
            p.muted { "No cards." }
        } @else {
            div.table-wrap {
                table.stack #user-cards {
                    thead { tr { th.num { "Id" } th { "Name on card" } th { "Last four" } th { "Status" } th.num { "Account" } } }
                    tbody {
                        @for c in &m.cards {
                            tr id={ "card-" (c.id.0) } {
                                td.num data-label="Id" { (c.id.0) }
                                td data-label="Name on card" { (c.name_on_card) " " span.muted { (c.kind.as_str()) } }
                                td data-label="Last four" { code { "•••• " (c.pan_last_four) } }
                                td data-label="Status" { (layout::status(c.status.as_str())) }
                                td.num data-label="Account" { a href={ "/_provisio/ui/users/" (m.user) "/accounts/" (c.monetary_account_id.0) "/card-transactions" } { (c.monetary_account_id.0) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn payments(m: &Money) -> Markup {
    html! {
        @if m.payments.is_empty() {
            p.muted { "No payments yet." }
        } @else {
            p.muted { "The newest " (RECENT_PAYMENTS) " of each account; all of them on the account's page (above)." }
            div.table-wrap {
                table.stack #user-payments {
                    thead { tr { th.num { "Id" } th { "At" } th.num { "Account" } th { "Counterparty" } th { "Description" } th.num { "Amount" } } }
                    tbody {
                        @for p in &m.payments {
                            tr {
                                td.num data-label="Id" { (p.id.0) }
                                td data-label="At" { time { (layout::time(p.created)) } }
                                td.num data-label="Account" { a href={ "/_provisio/ui/users/" (m.user) "/accounts/" (p.monetary_account_id.0) } { (p.monetary_account_id.0) } }
                                td data-label="Counterparty" { (p.counterparty_name) }
                                td data-label="Description" { (p.description) }
                                td.num data-label="Amount" { (format_minor(p.amount_minor)) " " (p.currency) }
                            }
                        }
                    }
                }
            }
        }
    }
}
