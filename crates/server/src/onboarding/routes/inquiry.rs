//! Compliance inquiries for a provisioned user (spec G): read them, answer them entry by entry.

use crate::http::scope::path_segment;
use std::collections::HashMap;

use axum::extract::{Query, State};
use provisio_core::{
    inquiry::{EntryStatus, Inquiry, InquiryFilter},
    model::UserRecord,
};
use provisio_wire::{kyc, requests::InquiryAnswerRequest, Item};
use serde_json::json;

use crate::{
    http::{
        error::ApiError,
        extract::{Json, PathId},
        pagination::Paging,
        respond::{ApiResult, Bunq},
        scope::OwnUser,
    },
    AppState,
};

/// Longest free-text answer accepted.
const MAX_ANSWER: usize = 10_000;

path_segment!(
    /// `{inquiry_id}` of the entry route.
    pub struct InquiryPath(i64) = "inquiry_id"
);

async fn inquiry_of(state: &AppState, user: &UserRecord, id: i64) -> Result<Inquiry, ApiError> {
    state
        .store
        .inquiry(id)
        .await?
        .filter(|i| i.user_id == user.id.0)
        .ok_or_else(|| ApiError::not_found("UserInformationInquiry not found."))
}

/// `GET …/user-information-inquiry?status=…&purpose=…&type=…` (comma lists), newest first.
pub async fn list(
    State(state): State<AppState>,
    OwnUser { user }: OwnUser,
    paging: Paging,
    Query(params): Query<HashMap<String, String>>,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
) -> ApiResult {
    let given = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let filter = InquiryFilter::parse(given("status"), given("purpose"), given("type"))?;
    let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
    let carried: Vec<(&str, String)> = [
        ("status", statuses.join(",")),
        ("purpose", filter.purposes.join(",")),
        ("type", filter.model_names.join(",")),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let page = state
        .store
        .inquiries(user.id, &filter, paging.query)
        .await?;
    let links = paging.links_with(uri.path(), &carried, &page, |i| i.id);
    Bunq::page(
        page.items
            .iter()
            .map(|i| Item::UserInformationInquiry(kyc::inquiry(i)))
            .collect(),
        links,
    )
}

pub async fn get(
    State(state): State<AppState>,
    OwnUser { user }: OwnUser,
    PathId(id): PathId,
) -> ApiResult {
    let inquiry = inquiry_of(&state, &user, id).await?;
    Bunq::items(vec![Item::UserInformationInquiry(kyc::inquiry(&inquiry))])
}

/// `PUT …/{inquiry_id}/partner-user-information-inquiry-entry/{id}` (G.3): an answer and/or
/// attachments of the same user, to a PENDING entry of that inquiry.
pub async fn answer(
    State(state): State<AppState>,
    OwnUser { user }: OwnUser,
    InquiryPath(inquiry_id): InquiryPath,
    PathId(entry_id): PathId,
    Json(body): Json<InquiryAnswerRequest>,
) -> ApiResult {
    let inquiry = inquiry_of(&state, &user, inquiry_id).await?;
    let entry = inquiry
        .entries
        .iter()
        .find(|e| e.id == entry_id)
        .ok_or_else(|| ApiError::not_found("UserInformationInquiryEntry not found."))?;
    let text = body
        .answer
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    let attachments = body.all_attachment_id.unwrap_or_default();
    if text.is_none() && attachments.is_empty() {
        return Err(ApiError::bad_request(
            "Give an answer, attachments (all_attachment_id), or both.",
        ));
    }
    if let Some(answer) = text {
        provisio_core::text::required("answer", Some(answer), MAX_ANSWER)?;
    }
    if entry.status != EntryStatus::Pending {
        return Err(ApiError::bad_request(format!(
            "This entry is {}; only PENDING entries can be answered.",
            entry.status
        )));
    }
    let foreign = state
        .store
        .foreign_attachments(user.id, &attachments)
        .await?;
    if let Some(id) = foreign.first() {
        return Err(ApiError::bad_request(format!(
            "Attachment {id} is not an attachment of this user."
        )));
    }
    let mut data: Vec<serde_json::Value> = text
        .map(|t| json!({ "type": "FREE_TEXT", "value": t }))
        .into_iter()
        .collect();
    data.extend(
        attachments
            .iter()
            .map(|id| json!({ "type": "ATTACHMENT", "attachment_id": id })),
    );
    let data = serde_json::Value::Array(data).to_string();
    if !state
        .store
        .answer_entry(entry.id, &data, state.clock.now())
        .await?
    {
        return Err(ApiError::bad_request(
            "This entry was answered or reviewed meanwhile; read the inquiry again.",
        ));
    }
    state.changed();
    Bunq::id(entry.id)
}
