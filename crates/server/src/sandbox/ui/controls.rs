//! The sandbox controls as forms: move the virtual clock, create a partner (its API key shown
//! once, on the answer to the form), run a scenario, put money into an account. Each calls the
//! service the operator API's route calls, so a form and a `curl` do the same thing.

use axum::{
    extract::State,
    http::{header, HeaderMap},
    response::{IntoResponse, Response},
};
use maud::html;
use provisio_core::{
    account::amount::format_minor,
    model::{MonetaryAccountId, UserId},
    time::{clock_step, parse_duration},
};

use crate::{
    banking::payments,
    context::partners,
    http::error::ApiError,
    sandbox::scenarios::{self, Runnable},
    sandbox_clock,
    ui::{
        actions::back,
        layout::{self, Section},
        session::{self, Flash, Operator, Posted},
    },
    AppState,
};

/// The scenarios a form can run: (name, what it leaves).
const SCENARIOS: &[(&str, &str)] = &[
    (
        "onboarding-user",
        "CREATED, onboarding pending, credential unused",
    ),
    ("active-user", "ACTIVE, a EUR account holding 1000.00"),
    ("failed-user", "FAILED, onboarding denied"),
    ("closed-user", "CLOSED, cancelled and closed"),
];

pub async fn page(State(state): State<AppState>, operator: Operator, flash: Flash) -> Response {
    let partners = match state.store.list_partners().await {
        Ok(partners) => partners,
        Err(err) => return ApiError::from(err).into_response(),
    };
    let body = html! {
        h1 { "Sandbox" }
        div.grid2 {
            section.card #clock aria-labelledby="clock-h" {
                h2 #clock-h { "Virtual clock" }
                p { "provisio's now: " time { (layout::time(operator.now)) } ". Moving it runs at once, in order, the jobs, card steps, schedules and webhook retries that fall due." }
                form.filters method="post" action="/_provisio/ui/clock/advance" {
                    (layout::token(&operator))
                    div {
                        label for="by" { "Advance by (30s, 15m, 2h, 7d; at least 1s)" }
                        input #by name="by" required autocomplete="off" placeholder="2h";
                    }
                    div { button type="submit" { "Advance the clock" } }
                }
            }
            section.card aria-labelledby="partner-h" {
                h2 #partner-h { "New partner" }
                p.muted { "Its API key is shown once, on the next page." }
                form.filters method="post" action="/_provisio/ui/sandbox/partners" {
                    (layout::token(&operator))
                    div {
                        label for="partner-name" { "Name" }
                        input #partner-name name="name" required autocomplete="off";
                    }
                    div { button type="submit" { "Create partner" } }
                }
            }
            section.card aria-labelledby="scenario-h" {
                h2 #scenario-h { "Run a scenario" }
                @if partners.is_empty() {
                    p.muted { "Create a partner first: a scenario provisions a user for one." }
                } @else {
                    form.filters method="post" action="/_provisio/ui/sandbox/scenarios" {
                        (layout::token(&operator))
                        div {
                            label for="scenario-partner" { "Partner" }
                            select #scenario-partner name="partner" {
                                @for p in &partners { option value=(p.id.0) { (p.name) " (#" (p.id.0) ")" } }
                            }
                        }
                        div {
                            label for="scenario" { "Scenario" }
                            select #scenario name="scenario" {
                                @for (name, leaves) in SCENARIOS { option value=(name) { (name) ": " (leaves) } }
                            }
                        }
                        div { button type="submit" { "Run" } }
                    }
                }
            }
            section.card aria-labelledby="credit-h" {
                h2 #credit-h { "Money in" }
                p.muted { "An incoming payment from an IBAN elsewhere, with its webhooks." }
                form.filters method="post" action="/_provisio/ui/sandbox/credit" {
                    (layout::token(&operator))
                    div {
                        label for="credit-account" { "Account id" }
                        input #credit-account name="account" inputmode="numeric" required autocomplete="off";
                    }
                    div {
                        label for="credit-amount" { "Amount" }
                        input #credit-amount name="amount" inputmode="decimal" required placeholder="100.00" autocomplete="off";
                    }
                    div {
                        label for="credit-description" { "Description" }
                        input #credit-description name="description" autocomplete="off";
                    }
                    div { button type="submit" { "Credit" } }
                }
            }
        }
    };
    layout::page("Sandbox", Section::Sandbox, &operator, flash, body)
}

/// `POST /_provisio/ui/clock/advance` `by=…`: as `POST /_provisio/clock/advance`.
pub async fn advance(State(state): State<AppState>, headers: HeaderMap, form: Posted) -> Response {
    let to = back(&headers, "/_provisio/ui/sandbox");
    let by = match parse_duration(form.field("by").unwrap_or_default()).and_then(clock_step) {
        Ok(by) => by,
        Err(why) => return Flash::redirect(false, &format!("Refused: {why}"), &to),
    };
    if let Err(err) = sandbox_clock::advance(state.store.as_ref(), state.clock.as_ref(), by).await {
        return refused(ApiError::from(err), &to);
    }
    state.changed();
    // The operator's session ran out on the clock just moved, unless renewed.
    let cookie = match session::renew(&state, &form).await {
        Ok(cookie) => cookie,
        Err(err) => return err.into_response(),
    };
    let now = layout::time(state.clock.now());
    let by = form.field("by").unwrap_or_default();
    let text = format!("Clock advanced by {by}: now {now}.");
    let mut response = Flash::redirect(true, &text, &to);
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// `POST /_provisio/ui/sandbox/partners` `name=…`: as `POST /_provisio/partners`. Answered
/// with a page, not a redirect: the key must not travel in the one-time message's cookie.
pub async fn create_partner(State(state): State<AppState>, form: Posted) -> Response {
    let name = form.field("name").unwrap_or_default();
    let created = partners::create_partner(
        state.store.as_ref(),
        state.clock.as_ref(),
        state.config.environment,
        name,
    )
    .await;
    let (partner, key) = match created {
        Ok(created) => created,
        Err(err) => return refused(ApiError::from(err), "/_provisio/ui/sandbox"),
    };
    let operator = form.operator();
    let body = html! {
        h1 { "Partner " (partner.name) " created" }
        section.card aria-labelledby="key-h" {
            h2 #key-h { "Its API key" }
            p { "Shown this once: provisio keeps only its hash. Copy it now." }
            pre { code #api-key { (key.expose()) } }
            p { a href={ "/_provisio/ui/partners/" (partner.id.0) } { "Provisions of " (partner.name) " (#" (partner.id.0) ")" } }
        }
    };
    let none = Flash {
        ok: true,
        text: String::new(),
    };
    layout::page("Partner created", Section::Sandbox, operator, none, body)
}

/// `POST /_provisio/ui/sandbox/scenarios` `partner=…&scenario=…`: as `POST
/// /_provisio/scenarios/{name}`; then the provision it made.
pub async fn run_scenario(State(state): State<AppState>, form: Posted) -> Response {
    let to = "/_provisio/ui/sandbox";
    let name = form.field("scenario").unwrap_or_default();
    let Some(scenario) = Runnable::parse(name) else {
        return Flash::redirect(false, "Refused: choose a scenario.", to);
    };
    let Some(partner) = form.field("partner").and_then(|p| p.parse::<i64>().ok()) else {
        return Flash::redirect(false, "Refused: choose a partner.", to);
    };
    let ran = scenarios::run(
        state.store.as_ref(),
        state.clock.as_ref(),
        state.config.environment,
        UserId(partner),
        scenario,
    )
    .await;
    match ran {
        Ok(provision) => {
            state.changed();
            let text = format!(
                "Scenario {name} ran: provision {} is {}/{}.",
                provision.id.0,
                provision.state.status.as_str(),
                provision.state.sub_status.as_str()
            );
            let to = format!("/_provisio/ui/provisions/{}", provision.id.0);
            Flash::redirect(true, &text, &to)
        }
        Err(err) => refused(ApiError::from(err), to),
    }
}

/// `POST /_provisio/ui/sandbox/credit` `account=…&amount=…`: as `POST
/// /_provisio/monetary-accounts/{id}/credit`; then the account's payments.
pub async fn credit(State(state): State<AppState>, form: Posted) -> Response {
    let to = "/_provisio/ui/sandbox";
    let Some(account) = form.field("account").and_then(|a| a.parse::<i64>().ok()) else {
        return Flash::redirect(false, "Refused: an account id is a number.", to);
    };
    let paid = payments::credit(
        state.store.as_ref(),
        state.clock.as_ref(),
        MonetaryAccountId(account),
        form.field("amount").unwrap_or_default(),
        None,
        None,
        form.field("description"),
        None,
    )
    .await;
    match paid {
        Ok(payment) => {
            state.changed();
            let text = format!(
                "Credited {} {} to account {account}: payment {}.",
                format_minor(payment.amount_minor),
                payment.currency,
                payment.id.0
            );
            let to = format!(
                "/_provisio/ui/users/{}/accounts/{account}",
                payment.user_id.0
            );
            Flash::redirect(true, &text, &to)
        }
        Err(err) => refused(ApiError::from(err), to),
    }
}

fn refused(err: ApiError, to: &str) -> Response {
    Flash::redirect(false, &format!("Refused: {}", err.description()), to)
}
