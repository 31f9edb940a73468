//! The login page and logging in and out with the admin token (see `session` for the cookie).

use std::collections::HashMap;

use axum::{
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
    Form,
};
use maud::html;
use provisio_core::secret::SecretHash;

use super::{
    layout,
    session::{admin_of, forbidden, same, same_origin, start, Posted},
};
use crate::{http::error::ApiError, AppState};

pub async fn login_form(State(state): State<AppState>) -> Response {
    if let Err(err) = admin_of(&state) {
        return err.into_response();
    }
    login_page(StatusCode::OK, None)
}

fn login_page(status: StatusCode, error: Option<&str>) -> Response {
    let body = html! {
        section.card.login {
            h1 { "Sign in" }
            p { "Enter the admin token that " code { "provisio serve" } " printed at start (or its "
                code { "--admin-token" } ")." }
            @if let Some(error) = error {
                p.flash.error role="alert" { (error) }
            }
            form method="post" action="/_provisio/ui/login" {
                label for="token" { "Admin token" }
                input #token type="password" name="token" autocomplete="current-password" required autofocus;
                button type="submit" { "Sign in" }
            }
        }
    };
    let mut response = layout::bare("Sign in", body);
    *response.status_mut() = status;
    response
}

pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<HashMap<String, String>>,
) -> Response {
    let admin = match admin_of(&state) {
        Ok(admin) => admin,
        Err(err) => return err.into_response(),
    };
    if !same_origin(&headers) {
        return forbidden("Sign in from the dashboard's own page.");
    }
    let given = SecretHash::of(fields.get("token").map_or("", |t| t.trim()));
    if !same(given.as_str(), admin.as_str()) {
        return login_page(
            StatusCode::UNAUTHORIZED,
            Some("That is not the admin token."),
        );
    }
    let cookie = match start(&state, admin).await {
        Ok(cookie) => cookie,
        Err(err) => return err.into_response(),
    };
    let mut response = Redirect::to("/_provisio/ui/").into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// Ends the session server-side, so the cookie opens nothing any more even if kept.
pub async fn logout(State(state): State<AppState>, posted: Posted) -> Response {
    let ended = state
        .store
        .end_dashboard_session(posted.operator.session.as_str())
        .await;
    if let Err(err) = ended {
        return ApiError::from(err).into_response();
    }
    let mut response = Redirect::to("/_provisio/ui/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "provisio_ui=; Path=/_provisio/ui; HttpOnly; SameSite=Strict; Max-Age=0",
        ),
    );
    response
}
