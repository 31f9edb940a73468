//! The consent page: bunq's `oauth.sandbox.bunq.com/auth`, served at `/auth` on the same
//! listener as `/v1` (issue 19). Server-rendered, no script: it names the partner's client,
//! lists who may consent (sandbox users, provisioned users) and posts the choice back here,
//! answered with a 303 to the client's callback URL. A bad `client_id` or `redirect_uri` is
//! said on the page and redirects nowhere.
//!
//! Like bunq's sandbox, there is no login: whoever reaches the page acts as the user chosen,
//! so it exists only where the operator API does (never in a strict production deployment).
//! Its POST must come from this origin (`Origin`, else `Referer`), so no other site can
//! consent for a user.

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Form,
};
use maud::{html, Markup, DOCTYPE};
use provisio_core::model::UserId;

use crate::{http::error::ApiError, provisioning::consent, ui::session::same_origin, AppState};

/// The page's headers: no script at all, no framing, nothing cached. Unlike the dashboard's,
/// no `form-action`: the form's answer redirects to the partner's callback, elsewhere.
fn page(status: StatusCode, title: &str, body: Markup) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · provisio" }
                link rel="stylesheet" href="/_provisio/ui/assets/style.css";
                link rel="icon" href="data:,";
            }
            body {
                header.top { span.brand { "provisio" } }
                main #main { (body) }
            }
        }
    };
    let mut response = (status, axum::response::Html(markup.into_string())).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// The request cannot be asked: why, and no redirect.
fn refused(status: StatusCode, why: &str) -> Response {
    page(
        status,
        "Cannot ask for consent",
        html! {
            section.card {
                h1 { "Cannot ask for consent" }
                p.flash.error role="alert" { (why) }
                p.muted { "Nothing was sent to the application." }
            }
        },
    )
}

/// A refusal on the page, in its own words; a failure of ours answered as the API answers it
/// (logged, its cause never shown).
fn failed(err: ApiError) -> Response {
    let why = err.description().to_owned();
    let response = err.into_response();
    let status = response.status();
    if status.is_server_error() {
        return response;
    }
    refused(status, &why)
}

fn field<'a>(fields: &'a HashMap<String, String>, name: &str) -> &'a str {
    fields.get(name).map(String::as_str).unwrap_or_default()
}

/// `GET /auth?response_type=code&client_id=…&redirect_uri=…&state=…`.
pub async fn form(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if !state.config.admin_enabled() {
        return ApiError::not_found("The requested route does not exist.").into_response();
    }
    if field(&query, "response_type") != "code" {
        return refused(
            StatusCode::BAD_REQUEST,
            "response_type must be code (the authorization-code flow).",
        );
    }
    let (client_id, redirect_uri) = (field(&query, "client_id"), field(&query, "redirect_uri"));
    let client = match consent::client_for(&state, client_id, redirect_uri).await {
        Ok(client) => client,
        Err(err) => return failed(err),
    };
    let users = match state.store.consent_users(client.user_id, 200).await {
        Ok(users) => users,
        Err(err) => {
            return failed(ApiError::from(err));
        }
    };
    let partner = state
        .store
        .partner(client.user_id)
        .await
        .ok()
        .flatten()
        .map(|p| p.name)
        .unwrap_or_default();
    let name = client
        .display_name
        .clone()
        .unwrap_or_else(|| partner.clone());
    page(
        StatusCode::OK,
        "Connect your account",
        html! {
            section.card {
                h1 { "Connect your account to " (name) }
                p { "The application " strong { (name) } " (client " code { (client_id) } ", of "
                    (partner) ") asks to reach your accounts, payments, cards and requests. "
                    "It will be sent back to " code { (redirect_uri) } "." }
                form method="post" action="/auth" {
                    input type="hidden" name="client_id" value=(client_id);
                    input type="hidden" name="redirect_uri" value=(redirect_uri);
                    input type="hidden" name="state" value=(field(&query, "state"));
                    fieldset {
                        legend { "Who are you?" }
                        @if users.is_empty() {
                            p.muted { "No user here may consent yet: create a sandbox user "
                                "(POST /v1/sandbox-user-person) or provision one. You can still deny." }
                        }
                        @for (i, user) in users.iter().enumerate() {
                            label.check {
                                input type="radio" name="user_id" value=(user.id.0) checked[i == 0];
                                " " (user.name) " "
                                span.muted { "(" (user.kind) ", user " (user.id.0) ")" }
                            }
                        }
                    }
                    div.actions {
                        button type="submit" name="decision" value="approve" disabled[users.is_empty()] { "Approve" }
                        button.secondary type="submit" name="decision" value="deny" { "Deny" }
                    }
                }
            }
        },
    )
}

/// `POST /auth`: the choice, answered with a 303 to the callback URL.
pub async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<HashMap<String, String>>,
) -> Response {
    if !state.config.admin_enabled() {
        return ApiError::not_found("The requested route does not exist.").into_response();
    }
    if !same_origin(&headers) {
        return refused(
            StatusCode::FORBIDDEN,
            "The consent form must be sent from this page (Origin or Referer of this server).",
        );
    }
    let (client_id, redirect_uri) = (field(&fields, "client_id"), field(&fields, "redirect_uri"));
    let client = match consent::client_for(&state, client_id, redirect_uri).await {
        Ok(client) => client,
        Err(err) => return failed(err),
    };
    let user = match field(&fields, "decision") {
        "approve" => match field(&fields, "user_id").parse::<i64>() {
            Ok(id) => Some(UserId(id)),
            Err(_) => return refused(StatusCode::BAD_REQUEST, "Choose who you are to approve."),
        },
        "deny" => None,
        _ => return refused(StatusCode::BAD_REQUEST, "Approve or deny."),
    };
    match consent::decide(&state, &client, redirect_uri, field(&fields, "state"), user).await {
        Ok(url) => match HeaderValue::from_str(&url) {
            Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
            Err(_) => refused(
                StatusCode::BAD_REQUEST,
                "The callback URL cannot be a Location.",
            ),
        },
        Err(err) => failed(err),
    }
}
