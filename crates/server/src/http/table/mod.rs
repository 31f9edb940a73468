//! Every route provisio serves, each registered with its description (see `http::openapi`).

mod bunq;
mod operator;

use axum::Router;

use super::openapi::Api;
use crate::AppState;

/// `/v1` (with `v1_layers` applied to its routes only) and `/_provisio`.
pub fn api(v1_layers: impl FnOnce(Router<AppState>) -> Router<AppState>) -> Api {
    let v1 = bunq::api()
        .merge(super::routes::cards::v1())
        .merge(bunq::oauth_clients())
        .nest("/user/{user_id}", bunq::oauth_clients())
        .map_router(v1_layers);
    Api::new().nest("/v1", v1).nest(
        "/_provisio",
        operator::api().merge(super::routes::card_transactions::operator()),
    )
}
