//! OAuth clients and callback URLs (spec C), under `/user/{user_id}/oauth-client` and, as
//! bunq's swagger has them, under `/oauth-client` (J-13).

use axum::{extract::State, http::request::Parts};
use provisio_core::{
    model::{CallbackUrlId, OauthClientId},
    provision::consent::GrantFilter,
    provision::oauth::{validate_callback_url, OauthClient, OauthClientStatus},
    secret::Secret,
};
use provisio_wire::render;
use provisio_wire::{
    requests::{CallbackUrlRequest, OauthClientRequest, StatusRequest},
    Item,
};

use crate::{
    http::{
        error::ApiError,
        extract::Json,
        pagination::Paging,
        respond::{ApiResult, Bunq},
        scope::{path_id, CompanyPath},
    },
    AppState,
};

/// The `{oauth_client_id}` and `{callback_url_id}` path segments.
pub struct ClientIds {
    client: OauthClientId,
    url: Option<CallbackUrlId>,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientIds {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let client = OauthClientId(path_id(parts, "oauth_client_id").await?);
        let url = match path_id(parts, "callback_url_id").await {
            Ok(id) => Some(CallbackUrlId(id)),
            Err(_) => None,
        };
        Ok(ClientIds { client, url })
    }
}

fn client_not_found() -> ApiError {
    ApiError::not_found("OauthClient not found.")
}

/// The caller's client named in the path, with its callback URLs.
async fn owned_client(
    state: &AppState,
    company: &CompanyPath,
    ids: &ClientIds,
) -> Result<OauthClient, ApiError> {
    state
        .store
        .oauth_client(company.partner, ids.client)
        .await?
        .ok_or_else(client_not_found)
}

fn url_not_found() -> ApiError {
    ApiError::not_found("OauthCallbackUrl not found.")
}

pub async fn create(
    State(state): State<AppState>,
    company: CompanyPath,
    Json(body): Json<OauthClientRequest>,
) -> ApiResult {
    let status = match body.status.as_deref() {
        None => OauthClientStatus::Active,
        Some(text) => OauthClientStatus::parse_request(text)?,
    };
    let client_id = Secret::generate("");
    let secret = Secret::generate("");
    let client = state
        .store
        .create_oauth_client(
            company.partner,
            status,
            &client_id.expose()[..32],
            secret.expose(),
            state.clock.now(),
        )
        .await?;
    Bunq::id(client.id.0)
}

pub async fn list(
    State(state): State<AppState>,
    company: CompanyPath,
    paging: Paging,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
) -> ApiResult {
    let page = state
        .store
        .list_oauth_clients(company.partner, paging.query)
        .await?;
    let links = paging.links(uri.path(), &page, |c| c.id.0);
    Bunq::page(
        page.items
            .iter()
            .map(|c| Item::OauthClient(render::oauth_client(c)))
            .collect(),
        links,
    )
}

pub async fn get(State(state): State<AppState>, company: CompanyPath, ids: ClientIds) -> ApiResult {
    let client = owned_client(&state, &company, &ids).await?;
    Bunq::items(vec![Item::OauthClient(render::oauth_client(&client))])
}

pub async fn update(
    State(state): State<AppState>,
    company: CompanyPath,
    ids: ClientIds,
    Json(body): Json<StatusRequest>,
) -> ApiResult {
    let status = OauthClientStatus::parse_request(&body.status)?;
    if !state
        .store
        .set_oauth_client_status(company.partner, ids.client, status, state.clock.now())
        .await?
    {
        return Err(client_not_found());
    }
    if status == OauthClientStatus::Cancelled {
        // Its grants ended in the same write; this process forgets their sessions now.
        let ended = state
            .store
            .oauth_grants(GrantFilter::Client(ids.client))
            .await?;
        for grant in ended {
            state.auth.revoke_user(grant.api_key_user);
        }
    }
    Bunq::id(ids.client.0)
}

pub async fn add_url(
    State(state): State<AppState>,
    company: CompanyPath,
    ids: ClientIds,
    Json(body): Json<CallbackUrlRequest>,
) -> ApiResult {
    let url = validate_callback_url(&body.url, state.config.allow_loopback_http())?;
    let url = state
        .store
        .add_callback_url(company.partner, ids.client, &url, state.clock.now())
        .await?
        .ok_or_else(client_not_found)?;
    Bunq::id(url.id.0)
}

pub async fn list_urls(
    State(state): State<AppState>,
    company: CompanyPath,
    ids: ClientIds,
) -> ApiResult {
    let client = owned_client(&state, &company, &ids).await?;
    // A client has a handful of URLs; they are listed whole, newest first.
    let items = client
        .callback_urls
        .iter()
        .rev()
        .map(|u| Item::OauthCallbackUrl(render::callback_url(u)))
        .collect();
    Bunq::items(items)
}

pub async fn get_url(
    State(state): State<AppState>,
    company: CompanyPath,
    ids: ClientIds,
) -> ApiResult {
    let client = owned_client(&state, &company, &ids).await?;
    let url = client
        .callback_urls
        .iter()
        .find(|u| Some(u.id) == ids.url)
        .ok_or_else(url_not_found)?;
    Bunq::items(vec![Item::OauthCallbackUrl(render::callback_url(url))])
}

pub async fn update_url(
    State(state): State<AppState>,
    company: CompanyPath,
    ids: ClientIds,
    Json(body): Json<CallbackUrlRequest>,
) -> ApiResult {
    let url = validate_callback_url(&body.url, state.config.allow_loopback_http())?;
    let id = ids.url.ok_or_else(url_not_found)?;
    let updated = state
        .store
        .update_callback_url(company.partner, ids.client, id, &url, state.clock.now())
        .await?
        .ok_or_else(url_not_found)?;
    Bunq::id(updated.id.0)
}

pub async fn delete_url(
    State(state): State<AppState>,
    company: CompanyPath,
    ids: ClientIds,
) -> ApiResult {
    let id = ids.url.ok_or_else(url_not_found)?;
    if !state
        .store
        .delete_callback_url(company.partner, ids.client, id)
        .await?
    {
        return Err(url_not_found());
    }
    Bunq::items(Vec::new())
}
