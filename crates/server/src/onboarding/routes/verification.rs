//! Identity verification (spec E.4), attachments (E.5) and document identification (E.6), for
//! a provisioned user (J-8, J-9).

use axum::{
    extract::{OriginalUri, State},
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Response},
};
use provisio_core::{
    attachment::{check_upload, Attachment, NewDocument},
    identity::{self, IdentityVerification},
    model::UserRecord,
    secret::Secret,
    text::{self, MAX_DESCRIPTION},
};
use provisio_wire::{
    headers, kyc,
    requests::{DocumentIdentificationRequest, IdentityVerificationRequest},
    Item,
};

use crate::{
    http::{
        error::ApiError,
        extract::{Json, PathId, RawBody},
        pagination::Paging,
        respond::{ApiResult, Bunq},
        scope::OwnUser,
    },
    AppState,
};

/// The user's session, or 404 as if it did not exist.
async fn session_of(
    state: &AppState,
    user: &UserRecord,
    id: i64,
) -> Result<IdentityVerification, ApiError> {
    state
        .store
        .identity_verification(id)
        .await?
        .filter(|v| v.user_id == user.id.0)
        .ok_or_else(|| ApiError::not_found("IdentityVerificationSession not found."))
}

pub async fn create_session(
    State(state): State<AppState>,
    OwnUser { user }: OwnUser,
    Json(body): Json<IdentityVerificationRequest>,
) -> ApiResult {
    identity::check_request(body.purpose.as_deref(), body.provider.as_deref())?;
    let token = Secret::generate("incode_");
    // bunq's partner sandbox is Dutch; a main address, once given, decides instead.
    let session = state
        .store
        .create_identity_verification(user.id, "NL", token.expose(), state.clock.now())
        .await?;
    state.changed();
    Bunq::id(session.id)
}

/// `GET …/identity-verification-session`: the user's sessions, newest first.
pub async fn list_sessions(
    State(state): State<AppState>,
    OwnUser { user }: OwnUser,
    paging: Paging,
    OriginalUri(uri): OriginalUri,
) -> ApiResult {
    let page = state
        .store
        .identity_verifications(user.id, paging.query)
        .await?;
    let links = paging.links(uri.path(), &page, |v| v.id);
    Bunq::page(
        page.items
            .iter()
            .map(|v| Item::IdentityVerificationSessionIncode(kyc::identity_verification(v)))
            .collect(),
        links,
    )
}

pub async fn get_session(
    State(state): State<AppState>,
    OwnUser { user }: OwnUser,
    PathId(id): PathId,
) -> ApiResult {
    let session = session_of(&state, &user, id).await?;
    Bunq::items(vec![Item::IdentityVerificationSessionIncode(
        kyc::identity_verification(&session),
    )])
}

/// `{"status":"SUBMITTED"}`, sent when the Incode SDK is done: only from CREATED (J-20). The
/// review follows after the configured delay.
pub async fn submit_session(
    State(state): State<AppState>,
    OwnUser { user }: OwnUser,
    PathId(id): PathId,
    Json(body): Json<IdentityVerificationRequest>,
) -> ApiResult {
    match body.status.as_deref() {
        Some("SUBMITTED") => {}
        None => return Err(ApiError::bad_request("status is required.")),
        Some(_) => return Err(ApiError::bad_request("status can only be SUBMITTED.")),
    }
    let session = session_of(&state, &user, id).await?;
    let now = state.clock.now();
    let review_at = now.plus(state.config.onboarding.identity_review_delay);
    if !state
        .store
        .submit_identity_verification(session.id, review_at, now)
        .await?
    {
        return Err(ApiError::bad_request(format!(
            "This identity verification session is {}; only a CREATED session can be submitted.",
            session.status
        )));
    }
    state.changed();
    Bunq::id(session.id)
}

/// `POST …/attachment`: the raw file bytes.
pub async fn upload(
    State(state): State<AppState>,
    OwnUser { user }: OwnUser,
    body: RawBody,
) -> ApiResult {
    let content_type = check_upload(body.content_type.as_deref(), &body.bytes)?;
    let description = attachment_description(&body.headers)?;
    let id = state
        .store
        .store_attachment(
            user.id,
            &content_type,
            description.as_deref(),
            body.bytes.to_vec(),
            state.clock.now(),
        )
        .await?;
    Bunq::id(id)
}

/// `X-Bunq-Attachment-Description`: UTF-8 text like a device's description, or absent.
pub(super) fn attachment_description(request: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = request.get(headers::ATTACHMENT_DESCRIPTION) else {
        return Ok(None);
    };
    let field = "X-Bunq-Attachment-Description";
    let text = std::str::from_utf8(value.as_bytes())
        .map_err(|_| ApiError::bad_request(format!("{field} must be UTF-8 text.")))?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(text::required(field, Some(text), MAX_DESCRIPTION)?))
}

async fn attachment_of(
    state: &AppState,
    user: &UserRecord,
    id: i64,
) -> Result<Attachment, ApiError> {
    state
        .store
        .attachment(id)
        .await?
        .filter(|a| a.user_id == user.id.0)
        .ok_or_else(|| ApiError::not_found("Attachment not found."))
}

/// `GET …/attachment/{id}`: the URL serves the bytes, to the same callers as this route.
pub async fn get_attachment(
    State(state): State<AppState>,
    OwnUser { user }: OwnUser,
    PathId(id): PathId,
    // The path as requested, `/v1` included (routes are nested).
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    request_headers: HeaderMap,
) -> ApiResult {
    let attachment = attachment_of(&state, &user, id).await?;
    let host = request_headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    // Behind a TLS-terminating proxy the URL must say https, as the caller sees it.
    let scheme = match request_headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
    {
        Some(proto) if proto.eq_ignore_ascii_case("https") => "https",
        _ => "http",
    };
    let url = format!("{scheme}://{host}{}/content", uri.path());
    Bunq::items(vec![Item::AttachmentUser(kyc::attachment(
        &attachment,
        url,
    ))])
}

/// `GET …/attachment/{id}/content`: the bytes as uploaded, signed like every answer.
pub async fn attachment_content(
    State(state): State<AppState>,
    OwnUser { user }: OwnUser,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let attachment = attachment_of(&state, &user, id).await?;
    let content = state
        .store
        .attachment_content(attachment.id)
        .await?
        .ok_or_else(|| ApiError::not_found("Attachment not found."))?;
    let mut response = content.into_response();
    if let Ok(value) = HeaderValue::from_str(&attachment.content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    Ok(response)
}

/// `POST …/document-identification`: links attachments of the same user.
pub async fn create_document(
    State(state): State<AppState>,
    OwnUser { user }: OwnUser,
    Json(body): Json<DocumentIdentificationRequest>,
) -> ApiResult {
    let document = NewDocument::validate(
        body.document_type.as_deref(),
        body.document_country_of_issuance.as_deref(),
        body.document_attachment_id,
        body.document_back_attachment_id,
    )?;
    let foreign = state
        .store
        .foreign_attachments(user.id, &document.attachments())
        .await?;
    if let Some(id) = foreign.first() {
        return Err(ApiError::bad_request(format!(
            "Attachment {id} is not an attachment of this user."
        )));
    }
    let id = state
        .store
        .create_document(user.id, &document, state.clock.now())
        .await?;
    Bunq::id(id)
}
