//! `POST /v1/installation` and its reads (spec B.1, B.2).

use axum::extract::State;
use provisio_core::{crypto::VerifyingKey, secret::Secret};
use provisio_wire::render;
use provisio_wire::{
    objects::{Id, ServerPublicKey},
    requests::InstallationRequest,
    Item,
};

use crate::{
    http::{
        error::ApiError,
        extract::{Json, PathId, SessionAuth},
        respond::{ApiResult, Bunq},
    },
    AppState,
};

/// Registers the client's public key; answers `Id`, `Token`, `ServerPublicKey` in that order.
pub async fn create(
    State(state): State<AppState>,
    Json(body): Json<InstallationRequest>,
) -> ApiResult {
    let key = VerifyingKey::from_pem(&body.client_public_key).map_err(|e| {
        ApiError::bad_request(format!(
            "client_public_key is not a usable RSA public key in PEM format ({e})."
        ))
    })?;
    let token = Secret::generate("");
    let installation = state
        .store
        .create_installation(key.pem(), &token.hash(), state.clock.now())
        .await?;
    let id = installation.id.0;
    Bunq::items(vec![
        Item::Id(Id { id }),
        Item::Token(render::token(
            id,
            installation.created,
            installation.updated,
            token.expose(),
        )),
        Item::ServerPublicKey(server_public_key(&state)),
    ])
}

/// `GET /v1/installation`: the id of the caller's installation.
pub async fn current(auth: SessionAuth) -> ApiResult {
    Bunq::id(auth.session.context.session.installation_id.0)
}

/// `GET /v1/installation/{id}`: only the caller's own installation is visible.
pub async fn get(auth: SessionAuth, PathId(id): PathId) -> ApiResult {
    Bunq::id(own_installation(&auth, id)?)
}

/// `GET /v1/installation/{id}/server-public-key`.
pub async fn server_key(
    State(state): State<AppState>,
    auth: SessionAuth,
    PathId(id): PathId,
) -> ApiResult {
    own_installation(&auth, id)?;
    Bunq::items(vec![Item::ServerPublicKey(server_public_key(&state))])
}

fn own_installation(auth: &SessionAuth, id: i64) -> Result<i64, ApiError> {
    let own = auth.session.context.session.installation_id.0;
    if id == own {
        Ok(own)
    } else {
        Err(ApiError::not_found("Installation not found."))
    }
}

fn server_public_key(state: &AppState) -> ServerPublicKey {
    ServerPublicKey {
        server_public_key: state.signer.public_key_pem().to_owned(),
    }
}
