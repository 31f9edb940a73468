//! Sandbox controls under `/_provisio/` (operator API): partners over HTTP, so each CI job can
//! have a tenant of its own, and a reset that empties the store.

use axum::{body::Bytes, extract::State, http::StatusCode};
use provisio_core::{
    model::{Partner, UserId},
    sandbox_user::SandboxUserKind,
};
use provisio_wire::{
    objects::SandboxPartner,
    requests::{CreatePartnerRequest, ResetRequest},
    Item,
};

use crate::{
    context::partners::create_partner,
    http::{
        error::ApiError,
        extract::{Admin, Json, PathId},
        respond::{ApiResult, Bunq},
    },
    sandbox_clock, AppState, Profile,
};

fn rendered(partner: &Partner, api_key: Option<String>) -> Item {
    sandbox_rendered(partner, api_key, None)
}

/// A partner, saying which bunq user it stands for when it was created as a sandbox user.
fn sandbox_rendered(
    partner: &Partner,
    api_key: Option<String>,
    sandbox_user: Option<SandboxUserKind>,
) -> Item {
    Item::SandboxPartner(SandboxPartner {
        id: partner.id.0,
        name: partner.name.clone(),
        created: provisio_wire::time::format(partner.created.micros()),
        api_key,
        sandbox_user: sandbox_user.map(|k| k.as_str().to_owned()),
    })
}

/// `POST /_provisio/partners` `{"name":"Acme"}`: a new partner and its API key, shown once.
pub async fn create(
    State(state): State<AppState>,
    _: Admin,
    Json(body): Json<CreatePartnerRequest>,
) -> ApiResult {
    let (partner, key) = create_partner(
        state.store.as_ref(),
        state.clock.as_ref(),
        state.config.environment,
        body.name.as_deref().unwrap_or_default(),
    )
    .await?;
    Bunq::items(vec![rendered(&partner, Some(key.expose().to_owned()))])
}

/// `GET /_provisio/partners`: every partner, oldest first (no keys: they are stored hashed).
pub async fn list(State(state): State<AppState>, _: Admin) -> ApiResult {
    let partners = state.store.list_partners().await?;
    let kinds: std::collections::HashMap<UserId, SandboxUserKind> = state
        .store
        .sandbox_user_kinds()
        .await?
        .into_iter()
        .collect();
    Bunq::items(
        partners
            .iter()
            .map(|p| sandbox_rendered(p, None, kinds.get(&p.id).copied()))
            .collect(),
    )
}

/// `DELETE /_provisio/partners/{id}`: the partner and everything it owns, in one transaction.
pub async fn delete(State(state): State<AppState>, _: Admin, PathId(id): PathId) -> ApiResult {
    if state.store.delete_partner(UserId(id)).await?.is_none() {
        return Err(ApiError::not_found("Partner not found."));
    }
    state.auth.forget_all();
    Bunq::items(Vec::new())
}

/// `POST /_provisio/reset`: empties the store but for the server key (clients keep trusting
/// the server's public key) and the virtual clock; with `{"clock":"real"}`, the clock goes back
/// to real time as well. `dev` profile only. The body may be left out.
pub async fn reset(State(state): State<AppState>, _: Admin, body: Bytes) -> ApiResult {
    if state.config.profile != Profile::Dev {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "A reset empties the store; it is allowed in the dev profile only.",
        ));
    }
    let request: ResetRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ResetRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|_| {
            ApiError::bad_request("The body must be a JSON object: {} or {\"clock\":\"real\"}.")
        })?
    };
    let real = match request.clock.as_deref() {
        None => false,
        Some("real") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "clock must be \"real\" (back to real time), not {}.",
                provisio_core::text::quoted(other)
            )))
        }
    };
    state.store.reset().await?;
    if real {
        sandbox_clock::reset_to_real(state.store.as_ref(), state.clock.as_ref()).await?;
    }
    state.auth.forget_all();
    Bunq::items(Vec::new())
}
