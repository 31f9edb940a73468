//! `POST /v1/device-server`, `GET /v1/device-server[/{id}]` (spec B.3).

use axum::extract::State;
use provisio_core::{
    ip::IpPolicy,
    model::{DeviceKey, NewDevice, Page, PageBound, PageQuery},
    secret::SecretHash,
    text::{self, MAX_DESCRIPTION},
    DomainError,
};
use provisio_wire::render;
use provisio_wire::{requests::DeviceServerRequest, Item};

use crate::{
    http::{
        error::ApiError,
        explain,
        extract::{ClientIp, InstallationAuth, Json, PathId, SessionAuth},
        pagination::Paging,
        respond::{ApiResult, Bunq},
    },
    AppState,
};

pub async fn create(
    State(state): State<AppState>,
    InstallationAuth(installation): InstallationAuth,
    ClientIp(ip): ClientIp,
    Json(body): Json<DeviceServerRequest>,
) -> ApiResult {
    let description = text::required("description", Some(&body.description), MAX_DESCRIPTION)?;
    let description = description.as_str();
    let permitted = IpPolicy::requested(body.permitted_ips.as_deref(), ip)?;
    let secret = SecretHash::of(body.secret.trim());
    let now = state.clock.now();
    // The secret is a partner API key, or a provisioned user's credential (spec E.1), or an
    // OAuth grant's access token (issue 19), which acts as a credential does.
    let (user_id, key) = match state.store.partner_by_api_key(&secret).await? {
        Some((partner, key)) => (partner.id, DeviceKey::ApiKey(key)),
        None => {
            let grant = match state
                .store
                .credential_grant(installation.installation.id, &secret)
                .await?
            {
                Some(grant) if grant.usable(now) => grant,
                unusable => {
                    return Err(explain::refusal(
                        &state,
                        DomainError::BadCredentials,
                        || explain::credential(unusable.as_ref()),
                    ))
                }
            };
            (grant.api_key_user.id, grant.key)
        }
    };
    let device = state
        .store
        .create_device(&NewDevice {
            installation_id: installation.installation.id,
            user_id,
            key,
            description: description.to_owned(),
            ip: ip.to_string(),
            permitted,
            now,
        })
        .await?;
    state
        .auth
        .forget_grant(installation.installation.id, &secret);
    Bunq::id(device.id.0)
}

pub async fn list(State(state): State<AppState>, auth: SessionAuth, paging: Paging) -> ApiResult {
    let user = auth.session.context.session.user_id;
    let page = state.store.list_devices(user, paging.query).await?;
    let links = paging.links("/v1/device-server", &page, |d| d.id.0);
    Bunq::page(
        page.items
            .iter()
            .map(|d| Item::DeviceServer(render::device_server(d)))
            .collect(),
        links,
    )
}

pub async fn get(
    State(state): State<AppState>,
    auth: SessionAuth,
    PathId(id): PathId,
) -> ApiResult {
    let user = auth.session.context.session.user_id;
    // A one-item window ending at `id`: the same visibility rule as the list.
    let window = PageQuery {
        count: 1,
        bound: PageBound::OlderThan(id.saturating_add(1)),
    };
    let Page { items, .. } = state.store.list_devices(user, window).await?;
    match items.first() {
        Some(device) if device.id.0 == id => {
            Bunq::items(vec![Item::DeviceServer(render::device_server(device))])
        }
        _ => Err(ApiError::not_found("DeviceServer not found.")),
    }
}
