//! The top of the server: every domain's route table (bunq's routes under `/v1`, the
//! operator's under `/_provisio`, each registered with its description, see `http::openapi`)
//! and dashboard pages, merged into one router with the layers every response passes through,
//! and the OpenAPI document of that router.
//!
//! Only `lib.rs` imports it; it imports whatever it assembles (the domains, `http`, `ui`).
//! Adding a route to a domain changes that domain's `routes` table, not this file.

use std::{collections::HashSet, sync::OnceLock};

use axum::{
    extract::State,
    http::{header, HeaderValue, Uri},
    middleware,
    response::{IntoResponse, Response},
    Router,
};
use serde_json::Value;
use tower_http::catch_panic::CatchPanicLayer;

use crate::{
    banking, cards, context, feed,
    http::{
        access_log, encryption, fault_layer,
        openapi::{self, get, Api, Auth, Op},
        sign_layer, unimplemented, ApiError,
    },
    onboarding, provisioning, sandbox, ui, webhooks, AppState,
};

pub fn router(state: AppState) -> Router {
    let v1_state = state.clone();
    let (api, described) = api(move |v1| {
        // bunq's rate limits apply in `strict` only, a setting fixed at start: without them
        // the layer would cost every call a clone and a drop of the service below it
        // (~2,800 instructions, docs/benchmarks.md) to do nothing.
        let v1 = if v1_state.config.rate_limits() {
            v1.route_layer(middleware::from_fn_with_state(
                v1_state.clone(),
                sign_layer::rate_limit,
            ))
        } else {
            v1
        };
        // Inside the response signer, which then signs the ciphertext sent (A.10/A.11).
        v1.layer(middleware::from_fn_with_state(
            v1_state.clone(),
            encryption::decrypt_and_seal,
        ))
        // Outside the rest: a faulted call is answered before anything reads its body, and
        // its latency comes before the real handling.
        .layer(middleware::from_fn_with_state(
            v1_state,
            fault_layer::inject,
        ))
    })
    .into_parts();
    state
        .faults
        .serve(described.iter().map(|d| (d.method, d.path.as_str())));
    api.merge(pages())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // A panic is a bug, but the client still gets the envelope (and a signature).
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "An internal error occurred. Please try again later.",
            )
            .into_response_for_panic()
        }))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            sign_layer::sign_responses,
        ))
        // Outside the signing, so the line has the response id and the whole latency.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            access_log::log_request,
        ))
        .with_state(state)
}

/// The fallback: a bunq route provisio does not implement is told from a path bunq does not
/// have either (a typo), see `http::unimplemented`.
async fn not_found(uri: Uri) -> ApiError {
    static SERVED: OnceLock<HashSet<String>> = OnceLock::new();
    let served = SERVED.get_or_init(|| {
        let (_, described) = api(|router| router).into_parts();
        unimplemented::names_of(described.iter().map(|d| d.path.as_str()))
    });
    if unimplemented::is_bunq_route(uri.path(), served) {
        ApiError::not_found(unimplemented::NOT_IMPLEMENTED)
    } else {
        ApiError::not_found("The requested route does not exist.")
    }
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "This method is not allowed on this route.",
    )
}

/// Every route of the API, each domain's table in turn: `/v1` (with `v1_layers` applied to its
/// routes only) and `/_provisio`.
pub fn api(v1_layers: impl FnOnce(Router<AppState>) -> Router<AppState>) -> Api {
    let v1 = context::routes::v1()
        .merge(webhooks::routes::v1())
        .merge(provisioning::routes::v1())
        .merge(onboarding::routes::v1())
        .merge(banking::routes::v1())
        .merge(cards::routes::v1())
        .merge(feed::routes::v1())
        .map_router(v1_layers);
    let operator = webhooks::routes::operator()
        .merge(provisioning::routes::operator())
        .merge(onboarding::routes::operator())
        .merge(banking::routes::operator())
        .merge(cards::routes::operator())
        .merge(sandbox::routes::operator())
        .route(
            "/openapi.json",
            [get(
                describe,
                Op::new("This description")
                    .auth(Auth::Public)
                    .answers_document(),
            )],
        );
    Api::new().nest("/v1", v1).nest("/_provisio", operator)
}

/// The dashboard under `/_provisio/ui`: its shell's routes and each domain's pages. HTML, not
/// API: none of it is described.
fn pages() -> Router<AppState> {
    ui::router()
        .merge(webhooks::ui::router())
        .merge(provisioning::ui::router())
        .merge(onboarding::ui::router())
        .merge(banking::ui::router())
        .merge(cards::ui::router())
        .merge(sandbox::ui::router())
}

/// The description of every route [`router`] serves: with the operator API or without it
/// (`strict` in production, where its routes do not exist, so the document names none of them),
/// with the sandbox's own routes (`sandbox-user-person`…) only in the sandbox environment, and
/// with the dev profile's own (the webhook sink) only in `dev`.
fn document(operator: bool, sandbox: bool, dev: bool) -> Value {
    let (_, described) = api(|router| router).into_parts();
    let served: Vec<_> = described
        .into_iter()
        .filter(|d| operator || d.op.caller() != Auth::Admin)
        .filter(|d| sandbox || !d.op.is_sandbox_only())
        .filter(|d| dev || !d.op.is_dev_only())
        .collect();
    openapi::build(&served, operator)
}

/// [`document`] with the operator API, the sandbox's routes and the dev profile's, as
/// `provisio openapi` prints it: built once.
pub fn openapi_json() -> &'static [u8] {
    openapi_json_for(true, true, true)
}

/// [`document`] as a server with (`operator`) or without the operator API, in the sandbox
/// environment (`sandbox`) or in production, in the dev profile (`dev`) or not, serves it:
/// each built once, then the same bytes every time.
fn openapi_json_for(operator: bool, sandbox: bool, dev: bool) -> &'static [u8] {
    static CELLS: [OnceLock<Vec<u8>>; 8] = [const { OnceLock::new() }; 8];
    let cell = &CELLS[usize::from(operator) * 4 + usize::from(sandbox) * 2 + usize::from(dev)];
    cell.get_or_init(|| serde_json::to_vec(&document(operator, sandbox, dev)).unwrap_or_default())
}

/// `GET /_provisio/openapi.json`: the description of every route this server serves, public in
/// every profile (it holds no data, and it is what `provisio openapi` prints without a server
/// anyway).
async fn describe(State(state): State<AppState>) -> Response {
    let sandbox = state.config.environment == provisio_core::model::Environment::Sandbox;
    let dev = state.config.profile == crate::Profile::Dev;
    let mut response = openapi_json_for(state.config.admin_enabled(), sandbox, dev).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use provisio_wire::Item;
    use utoipa::PartialSchema;

    use super::*;

    #[test]
    fn every_answer_names_an_item_variant() {
        let (_, described) = api(|router| router).into_parts();
        let item = serde_json::to_value(Item::schema()).unwrap_or_default();
        let items = openapi::document::item_schemas(Some(&item));
        assert!(items.contains_key("Id") && items.contains_key("Payment"));
        for d in &described {
            for name in d.op.item_names() {
                assert!(
                    items.contains_key(*name),
                    "{} {} answers {name}, which is no Item variant",
                    d.method,
                    d.path
                );
            }
        }
    }
}
