//! Public attachments and avatars: `POST /attachment-public` (the raw image, signed),
//! `GET /attachment-public/{uuid}[/content]`, `POST /avatar` and `GET /avatar/{uuid}`. They
//! name no user: any session may read them (bunq shows avatars to everyone), and an upload
//! belongs to the session's user (a provisioned user's, through its key).

use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Response},
};
use provisio_core::{
    model::{Principal, UserId},
    public_attachment::{check_public_upload, PublicAttachment},
};
use provisio_wire::{
    public_attachments::{attachment_public, avatar, AvatarRequest, UuidObject},
    Item,
};

use super::verification::attachment_description;
use crate::{
    http::{
        avatar::content_url,
        error::ApiError,
        extract::{Json, SessionAuth, SignedRawBody},
        respond::{ApiResult, Bunq},
    },
    AppState,
};

/// Whose upload it is: the partner's, or the provisioned user's whose key the session uses.
fn uploader(auth: &SessionAuth) -> UserId {
    match auth.session.context.principal {
        Principal::Partner(user) => user,
        Principal::UserApiKey { granted, .. } => granted,
    }
}

async fn attachment_of(state: &AppState, uuid: &str) -> Result<PublicAttachment, ApiError> {
    state
        .store
        .public_attachment(uuid)
        .await?
        .ok_or_else(|| ApiError::not_found("AttachmentPublic not found."))
}

/// `POST /attachment-public`: the raw image bytes, `X-Bunq-Attachment-Description`.
pub async fn upload(
    State(state): State<AppState>,
    auth: SessionAuth,
    SignedRawBody(body): SignedRawBody,
) -> ApiResult {
    let content_type = check_public_upload(body.content_type.as_deref(), &body.bytes)?;
    let description = attachment_description(&body.headers)?;
    let uuid = state
        .store
        .store_public_attachment(
            uploader(&auth),
            &content_type,
            description.as_deref(),
            body.bytes.to_vec(),
            state.clock.now(),
        )
        .await?;
    Bunq::items(vec![Item::Uuid(UuidObject { uuid })])
}

pub async fn get(
    State(state): State<AppState>,
    _: SessionAuth,
    Path(uuid): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let attachment = attachment_of(&state, &uuid).await?;
    let url = content_url(&headers, &attachment.uuid);
    Bunq::items(vec![Item::AttachmentPublic(attachment_public(
        &attachment,
        url,
    ))])
}

/// `GET /attachment-public/{uuid}/content`: the bytes as uploaded, with their type.
pub async fn content(
    State(state): State<AppState>,
    _: SessionAuth,
    Path(uuid): Path<String>,
) -> Result<Response, ApiError> {
    let attachment = attachment_of(&state, &uuid).await?;
    let bytes = state
        .store
        .public_attachment_content(&attachment.uuid)
        .await?
        .ok_or_else(|| ApiError::not_found("AttachmentPublic not found."))?;
    let mut response = bytes.into_response();
    if let Ok(value) = HeaderValue::from_str(&attachment.content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    Ok(response)
}

/// `POST /avatar` with `{"attachment_public_uuid":"…"}`, answered with the avatar's `Uuid`.
pub async fn create_avatar(
    State(state): State<AppState>,
    auth: SessionAuth,
    Json(body): Json<AvatarRequest>,
) -> ApiResult {
    let attachment = body
        .attachment_public_uuid
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("attachment_public_uuid is required."))?;
    let made = state
        .store
        .create_avatar(uploader(&auth), attachment.trim(), state.clock.now())
        .await?
        .ok_or_else(|| ApiError::not_found("AttachmentPublic not found."))?;
    Bunq::items(vec![Item::Uuid(UuidObject { uuid: made.uuid })])
}

pub async fn get_avatar(
    State(state): State<AppState>,
    _: SessionAuth,
    Path(uuid): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let found = state
        .store
        .avatar(&uuid)
        .await?
        .ok_or_else(|| ApiError::not_found("Avatar not found."))?;
    let url = content_url(&headers, &found.attachment.uuid);
    Bunq::items(vec![Item::Avatar(avatar(&found, url))])
}
