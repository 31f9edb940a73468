//! Onboarding and compliance objects (spec E, G) and how records become them.

use provisio_core::{
    attachment::Attachment,
    identity::{IdentityVerification, URL_API},
    inquiry::{Entry, Inquiry},
    onboarding::{self, Fulfillment, Onboarding},
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::{
    objects::{FulfillmentObject, NotificationEnvelope, NotificationUrl, UserOnboarding},
    time::ts,
    Item,
};

/// `IdentityVerificationSessionIncode` (spec E.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IdentityVerificationSession {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub purpose: String,
    #[schema(required = true)]
    pub applicant_identifier_external: Option<String>,
    pub session_identifier_external: String,
    pub country: String,
    pub status: String,
    pub token: String,
    pub url_api: String,
    pub should_record_session: bool,
    #[schema(required = true)]
    pub result: Option<IdentityVerificationResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IdentityVerificationResult {
    pub result: String,
    pub all_fail_reason: Vec<String>,
}

/// `AttachmentUser` (spec E.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AttachmentUser {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub attachment: AttachmentObject,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AttachmentObject {
    #[schema(required = true)]
    pub description: Option<String>,
    pub content_type: String,
    pub urls: Vec<AttachmentUrl>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AttachmentUrl {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
}

/// `UserInformationInquiry` (spec G.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UserInformationInquiry {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub user_id: i64,
    pub title: String,
    pub subtitle: String,
    pub purpose: String,
    pub status: String,
    pub all_entry: Vec<EntryItem>,
    #[schema(required = true)]
    pub assistant_conversation: Option<Value>,
    #[schema(required = true)]
    pub finn_conversation: Option<Value>,
    #[schema(required = true)]
    pub time_expiry: Option<String>,
    pub external_model_name: String,
    pub external_model_id: i64,
}

/// Entries are type-indicated in every example bunq shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EntryItem {
    #[serde(rename = "UserInformationInquiryEntry")]
    pub entry: UserInformationInquiryEntry,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UserInformationInquiryEntry {
    pub id: i64,
    pub created: String,
    pub updated: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    pub all_data_submitted: Value,
    #[schema(required = true)]
    pub assistant_conversation: Option<Value>,
    pub context: Value,
    #[schema(required = true)]
    pub reject_reason: Option<String>,
    pub entry_description: String,
}

/// Every fulfillment the onboarding lists, filled in where the user provided it.
pub fn fulfillments(
    user: i64,
    done: &[Fulfillment],
    started: provisio_core::time::Timestamp,
) -> Vec<FulfillmentObject> {
    onboarding::ALL
        .iter()
        .map(|kind| {
            let found = done.iter().find(|f| f.kind == *kind);
            FulfillmentObject {
                kind: kind.as_str().into(),
                reason: kind.reason().into(),
                reason_translated: kind.reason().into(),
                user_id: user,
                status: found.map(|_| "FULFILLED".into()),
                time_mandatory: kind.due_within().map(|d| ts(started.plus(d))),
                all_status_allowed: vec!["FULFILLED".into()],
                id: found.map(|f| f.id),
                created_timestamp: found.map(|f| ts(f.created)),
                updated_timestamp: found.map(|f| ts(f.updated)),
            }
        })
        .collect()
}

pub fn onboarding(o: &Onboarding, done: &[Fulfillment]) -> UserOnboarding {
    UserOnboarding {
        id: o.id,
        created: ts(o.created),
        updated: ts(o.updated),
        user_id: o.user_id,
        kind: o.kind.clone(),
        user_status_desired: "ACTIVE".into(),
        user_verification_status_desired: "VERIFIED".into(),
        status: o.status.as_str().into(),
        action_required: o.action_required.as_str().into(),
        waiting_type: o.waiting_type.clone(),
        waiting_time_message: None,
        waiting_time_message_translated: None,
        all_fulfillment: fulfillments(o.user_id, done, o.created),
    }
}

pub fn identity_verification(v: &IdentityVerification) -> IdentityVerificationSession {
    IdentityVerificationSession {
        id: v.id,
        created: ts(v.created),
        updated: ts(v.updated),
        purpose: v.purpose.clone(),
        applicant_identifier_external: None,
        session_identifier_external: v.external_id.clone(),
        country: v.country.clone(),
        status: v.status.as_str().into(),
        token: v.token.clone(),
        url_api: URL_API.into(),
        should_record_session: true,
        result: v
            .verdict
            .as_ref()
            .map(|verdict| IdentityVerificationResult {
                result: verdict.result.as_str().into(),
                all_fail_reason: verdict.fail_reasons.clone(),
            }),
    }
}

/// `url` serves the bytes (see the server's attachment routes).
pub fn attachment(a: &Attachment, url: String) -> AttachmentUser {
    AttachmentUser {
        id: a.id,
        created: ts(a.created),
        updated: ts(a.created),
        attachment: AttachmentObject {
            description: a.description.clone(),
            content_type: a.content_type.clone(),
            urls: vec![AttachmentUrl {
                kind: "ORIGINAL".into(),
                url,
            }],
        },
    }
}

fn json(text: &str, fallback: Value) -> Value {
    serde_json::from_str(text).unwrap_or(fallback)
}

fn entry(e: &Entry) -> EntryItem {
    EntryItem {
        entry: UserInformationInquiryEntry {
            id: e.id,
            created: ts(e.created),
            updated: ts(e.updated),
            kind: e.kind.clone(),
            status: e.status.as_str().into(),
            all_data_submitted: json(&e.data_submitted, Value::Array(Vec::new())),
            assistant_conversation: None,
            context: json(&e.context, Value::Object(Default::default())),
            reject_reason: e.reject_reason.clone(),
            entry_description: e.description.clone(),
        },
    }
}

pub fn inquiry(i: &Inquiry) -> UserInformationInquiry {
    UserInformationInquiry {
        id: i.id,
        created: ts(i.created),
        updated: ts(i.updated),
        user_id: i.user_id,
        title: i.title.clone(),
        subtitle: i.subtitle.clone(),
        purpose: i.purpose.clone(),
        status: i.status.as_str().into(),
        all_entry: i.entries.iter().map(entry).collect(),
        assistant_conversation: None,
        finn_conversation: None,
        time_expiry: i.time_expiry.map(ts),
        external_model_name: i.external_model_name.clone(),
        external_model_id: i.user_id,
    }
}

/// A webhook body (spec F.3) for any object.
pub fn event(category: &str, event_type: &str, object: Item, target: &str) -> String {
    let body = NotificationEnvelope {
        notification_url: NotificationUrl {
            target_url: target.to_owned(),
            category: category.to_owned(),
            event_type: event_type.to_owned(),
            object,
        },
    };
    serde_json::to_string(&body).unwrap_or_default()
}
