//! A user's requests for money (those it made, `RequestInquiry`, and those made of it,
//! `RequestResponse`), its draft payments and its scheduled payments with their next run,
//! across its accounts: what `…/request-inquiry`, `…/request-response`, `…/draft-payment` and
//! `…/schedule-payment` list, one account at a time, in bunq's API.

use maud::{html, Markup};
use provisio_core::{
    account::{
        amount::format_minor,
        batch::DraftPayment,
        pointer::Pointer,
        request::MoneyRequest,
        schedule::{PaymentSchedule, ScheduleStatus},
        MonetaryAccount,
    },
    model::{Page, UserId},
    time::Timestamp,
};

use super::{section, Ask};
use crate::{http::error::ApiError, ui::layout, AppState};

/// The newest `cap` of the pages read from each account, newest first; and whether any was
/// left out (a page had more, or the merge cut some).
fn newest<T>(pages: Vec<Page<T>>, cap: u32, at: impl Fn(&T) -> (Timestamp, i64)) -> (Vec<T>, bool) {
    let mut more = pages.iter().any(|p| p.has_older);
    let mut all: Vec<T> = pages.into_iter().flat_map(|p| p.items).collect();
    all.sort_by_key(|item| std::cmp::Reverse(at(item)));
    if all.len() > cap as usize {
        all.truncate(cap as usize);
        more = true;
    }
    (all, more)
}

/// Whom a payment names, as a person reads it.
fn payee(pointer: &Pointer) -> String {
    match pointer {
        Pointer::Iban { iban, name } => format!("{name} ({iban})"),
        other => format!("{} {}", other.kind(), other.value()),
    }
}

pub async fn sections(
    state: &AppState,
    ask: &Ask,
    accounts: &[MonetaryAccount],
) -> Result<Markup, ApiError> {
    let user = UserId(ask.user);
    let (mut made, mut asked, mut drafts, mut schedules) = (vec![], vec![], vec![], vec![]);
    for a in accounts {
        let store = &state.store;
        made.push(
            store
                .request_inquiries(user, a.id, ask.newest("requests"))
                .await?,
        );
        asked.push(
            store
                .request_responses(user, a.id, ask.newest("requests"))
                .await?,
        );
        drafts.push(store.drafts(user, a.id, ask.newest("drafts")).await?);
        schedules.push(store.schedules(user, a.id, ask.newest("schedules")).await?);
    }
    // One list of both sides: (made by this user, the request).
    let both: Vec<Page<(bool, MoneyRequest)>> = made
        .into_iter()
        .map(|p| tag(p, true))
        .chain(asked.into_iter().map(|p| tag(p, false)))
        .collect();
    let (requests, more_requests) = newest(both, ask.cap("requests"), |(_, r)| (r.created, r.id));
    let (drafts, more_drafts) = newest(drafts, ask.cap("drafts"), |d| (d.created, d.id));
    let (schedules, more_schedules) =
        newest(schedules, ask.cap("schedules"), |s| (s.created, s.id));
    let now = state.clock.now();
    Ok(html! {
        (section("requests", "Requests for money", html! {
            (request_table(ask.user, &requests))
            (ask.more_link("requests", more_requests))
        }))
        (section("drafts", "Draft payments", html! {
            (draft_table(ask.user, &drafts))
            (ask.more_link("drafts", more_drafts))
        }))
        (section("schedules", "Scheduled payments", html! {
            (schedule_table(ask.user, &schedules, now))
            (ask.more_link("schedules", more_schedules))
        }))
    })
}

fn tag(page: Page<MoneyRequest>, made: bool) -> Page<(bool, MoneyRequest)> {
    Page {
        items: page.items.into_iter().map(|r| (made, r)).collect(),
        has_older: page.has_older,
        has_newer: page.has_newer,
    }
}

fn account_link(user: i64, account: i64) -> Markup {
    html! { a href={ "/_provisio/ui/users/" (user) "/accounts/" (account) } { (account) } }
}

fn request_table(user: i64, requests: &[(bool, MoneyRequest)]) -> Markup {
    html! {
        @if requests.is_empty() {
            p.muted { "No requests for money, made or received." }
        } @else {
            div.table-wrap {
                table.stack #user-requests {
                    thead { tr { th.num { "Id" } th { "Kind" } th.num { "Account" } th { "Counterparty" } th { "Description" } th.num { "Amount" } th { "Status" } th { "At" } } }
                    tbody {
                        @for (made, r) in requests {
                            tr {
                                td.num data-label="Id" { (r.id) }
                                td data-label="Kind" { @if *made { "Asked (RequestInquiry)" } @else { "Asked of it (RequestResponse)" } }
                                td.num data-label="Account" {
                                    @if *made { (account_link(user, r.monetary_account_id.0)) }
                                    @else if let Some(a) = r.responder_account_id { (account_link(user, a.0)) }
                                }
                                td data-label="Counterparty" {
                                    @if *made { (r.counterparty_name) " " span.muted { (r.counterparty_value) } }
                                    @else { (r.alias_name) " " span.muted { (r.alias_iban) } }
                                }
                                td data-label="Description" { (r.description) }
                                td.num data-label="Amount" {
                                    (format_minor(r.amount_inquired_minor)) " " (r.currency)
                                    @if let Some(paid) = r.amount_responded_minor { br; span.muted { "paid " (format_minor(paid)) } }
                                }
                                td data-label="Status" { (layout::status(r.status.as_str())) }
                                td data-label="At" { time { (layout::time(r.created)) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn draft_table(user: i64, drafts: &[DraftPayment]) -> Markup {
    html! {
        @if drafts.is_empty() {
            p.muted { "No draft payments." }
        } @else {
            div.table-wrap {
                table.stack #user-drafts {
                    thead { tr { th.num { "Id" } th.num { "Account" } th { "Pays" } th.num { "Total" } th { "Status" } th { "At" } } }
                    tbody {
                        @for d in drafts {
                            tr {
                                td.num data-label="Id" { (d.id) }
                                td.num data-label="Account" { (account_link(user, d.monetary_account_id.0)) }
                                td data-label="Pays" {
                                    @for (_, p) in &d.entries {
                                        (payee(&p.counterparty)) ": " (format_minor(p.amount_minor)) " " (p.currency) " " span.muted { (p.description) } br;
                                    }
                                }
                                td.num data-label="Total" {
                                    (format_minor(d.entries.iter().map(|(_, p)| i128::from(p.amount_minor)).sum::<i128>()))
                                    " " (d.entries.first().map_or("", |(_, p)| p.currency.as_str()))
                                }
                                td data-label="Status" { (layout::status(d.status.as_str())) }
                                td data-label="At" { time { (layout::time(d.created)) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// When an ACTIVE schedule runs next: the first occurrence at or after now, which is the run
/// its timer holds (moving the clock runs every run that falls due at once).
fn next_run(s: &PaymentSchedule, now: Timestamp) -> Option<Timestamp> {
    (s.status == ScheduleStatus::Active)
        .then(|| s.recurrence.next_from(now).map(|(_, at)| at))
        .flatten()
}

fn schedule_table(user: i64, schedules: &[PaymentSchedule], now: Timestamp) -> Markup {
    html! {
        @if schedules.is_empty() {
            p.muted { "No scheduled payments." }
        } @else {
            div.table-wrap {
                table.stack #user-schedules {
                    thead { tr { th.num { "Id" } th.num { "Account" } th { "Pays" } th.num { "Amount" } th { "Every" } th { "Status" } th { "Next run" } } }
                    tbody {
                        @for s in schedules {
                            tr {
                                td.num data-label="Id" { (s.id) }
                                td.num data-label="Account" { (account_link(user, s.monetary_account_id.0)) }
                                td data-label="Pays" { (payee(&s.payment.counterparty)) " " span.muted { (s.payment.description) } }
                                td.num data-label="Amount" { (format_minor(s.payment.amount_minor)) " " (s.payment.currency) }
                                td data-label="Every" {
                                    (s.recurrence.size) " × " (s.recurrence.unit.as_str())
                                    br; span.muted { "from " (layout::time(s.recurrence.time_start))
                                        @if let Some(end) = s.recurrence.time_end { " to " (layout::time(end)) } }
                                }
                                td data-label="Status" { (layout::status(s.status.as_str())) }
                                td data-label="Next run" {
                                    @match next_run(s, now) {
                                        Some(at) => time.next-run { (layout::time(at)) },
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
}
