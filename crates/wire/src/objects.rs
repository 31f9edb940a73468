//! The objects inside `Response` elements (spec B).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Id {
    pub id: i64,
}

/// Installation and session tokens (J-28: the superset `{id, created, updated, token}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Token {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ServerPublicKey {
    pub server_public_key: String,
}

/// A user's or an account's avatar: its default (the owner's `public_uuid`, no image) or the
/// one set with `avatar_uuid` (that avatar's uuid and its image, as `Avatar` renders it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Avatar {
    pub uuid: String,
    pub anchor_uuid: String,
    pub image: Vec<serde_json::Value>,
}

/// A company user: for now, always a partner (spec B.4 variant 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserCompany {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub public_uuid: String,
    pub name: String,
    pub display_name: String,
    pub public_nick_name: String,
    pub alias: Vec<serde_json::Value>,
    pub avatar: Avatar,
    pub language: String,
    pub region: String,
    pub session_timeout: i64,
    pub status: String,
    pub sub_status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeviceServer {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub description: String,
    pub ip: String,
    pub status: String,
}

/// A provisioned person (spec B.4 variant 2 and `granted_by_user`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserPerson {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub public_uuid: String,
    /// A sandbox person's generated name; a provisioned person's is its onboarding's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_name: Option<String>,
    pub display_name: String,
    pub public_nick_name: String,
    pub alias: Vec<serde_json::Value>,
    pub avatar: Avatar,
    pub language: String,
    pub region: String,
    pub session_timeout: i64,
    pub status: String,
    pub sub_status: String,
}

/// A user object inside another, type-indicated: `{"UserCompany":{...}}` or `{"UserPerson":{...}}`.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum AnyUser {
    UserCompany(UserCompany),
    UserPerson(UserPerson),
}

impl AnyUser {
    /// The user, showing `avatar` instead of its default.
    pub fn show_avatar(&mut self, avatar: Avatar) {
        match self {
            AnyUser::UserCompany(u) => u.avatar = avatar,
            AnyUser::UserPerson(u) => u.avatar = avatar,
        }
    }
}

/// A session opened with a provision credential (spec B.4 variant 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserApiKey {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub requested_by_user: AnyUser,
    pub granted_by_user: AnyUser,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OauthCallbackUrl {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OauthClient {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub status: String,
    #[schema(required = true)]
    pub display_name: Option<String>,
    pub client_id: String,
    pub secret: String,
    pub callback_url: Vec<OauthCallbackUrl>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LabelAvatar {
    pub uuid: String,
    pub image: Vec<serde_json::Value>,
    pub anchor_uuid: String,
    pub style: String,
}

/// `label_user` (spec D.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LabelUser {
    pub uuid: String,
    pub display_name: String,
    pub country: String,
    pub avatar: LabelAvatar,
    pub public_nick_name: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// `oauth_request`: the real capture's shape plus `id` and `client_id` (J-15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OauthRequest {
    pub id: i64,
    pub uuid: String,
    pub created: String,
    pub updated: String,
    #[schema(required = true)]
    pub oauth_client_id: Option<i64>,
    #[schema(required = true)]
    pub oauth_client_display_name: Option<String>,
    #[schema(required = true)]
    pub client_id: Option<String>,
    pub response_type: String,
    #[schema(required = true)]
    pub callback_url: Option<String>,
    pub status: String,
    #[schema(required = true)]
    pub state: Option<String>,
    pub authorization_code: String,
    pub user_alias_created: LabelUser,
    #[schema(required = true)]
    pub redirect_url: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
}

/// `credential` (spec D.5, J-16).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Credential {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub status: String,
    pub expiry_time: String,
    #[schema(required = true)]
    pub token_value: Option<String>,
    #[schema(required = true)]
    pub permitted_device: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PartnerUserProvision {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub external_uuid: String,
    pub status: String,
    pub sub_status: String,
    pub action_required: String,
    pub products: Vec<String>,
    #[schema(required = true)]
    pub label_user: Option<LabelUser>,
    #[schema(required = true)]
    pub oauth_request: Option<OauthRequest>,
    #[schema(required = true)]
    pub credential: Option<Credential>,
}

/// provisio's own (operator API): one entry of a provision's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProvisionHistoryEntry {
    pub at: String,
    #[schema(required = true)]
    pub from_status: Option<String>,
    #[schema(required = true)]
    pub from_sub_status: Option<String>,
    pub to_status: String,
    pub to_sub_status: String,
    pub cause: String,
}

/// provisio's own (operator API): the sandbox's virtual clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SandboxClock {
    /// provisio's "now", in bunq's timestamp format.
    pub now: String,
    /// How far it runs ahead of the system clock (shared by every process on the database).
    pub offset_seconds: i64,
}

/// provisio's own (operator API): a partner, with its API key when just created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SandboxPartner {
    pub id: i64,
    pub name: String,
    pub created: String,
    /// Shown only in the answer to the creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// `PERSON` or `COMPANY` for a partner created as a bunq sandbox user
    /// (`POST /v1/sandbox-user-person`, `-company`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox_user: Option<String>,
}

/// `POST /v1/sandbox-user-person` (and `-company`): the new sandbox user's API key, as bunq's
/// sandbox answers it (`{"ApiKey":{"api_key":"sandbox_…"}}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SandboxApiKey {
    pub api_key: String,
}

/// The body of a webhook call (spec F.3), wrapped as `{"NotificationUrl":{...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NotificationUrl {
    pub target_url: String,
    pub category: String,
    pub event_type: String,
    /// Exactly one type-indicated object.
    pub object: crate::Item,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NotificationEnvelope {
    #[serde(rename = "NotificationUrl")]
    pub notification_url: NotificationUrl,
}

/// A notification filter as bunq answers it (spec F.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NotificationFilterUrl {
    pub category: String,
    pub notification_target: String,
    pub all_user_id: Vec<i64>,
    pub all_monetary_account_id: Vec<i64>,
    pub all_verification_type: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FailedFilter {
    pub notification_delivery_method: String,
    pub notification_target: String,
    pub category: String,
}

/// A delivery that ran out of attempts (spec F.5, J-25).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NotificationFilterFailure {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub notification_filters: Vec<FailedFilter>,
    pub category: String,
    pub event_type: String,
    pub object_id: i64,
    #[schema(required = true)]
    pub exception_message: Option<String>,
    #[schema(required = true)]
    pub response_code: Option<u16>,
    pub notification_target: String,
    pub user_id: i64,
    #[schema(required = true)]
    pub user_requested_id: Option<i64>,
}

/// provisio's operator API: one attempt to deliver a webhook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookAttempt {
    pub at: String,
    #[schema(required = true)]
    pub response_code: Option<u16>,
    #[schema(required = true)]
    pub error: Option<String>,
    pub latency_ms: f64,
}

/// provisio's operator API: a webhook delivery and its attempts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: i64,
    pub event_id: String,
    pub category: String,
    pub event_type: String,
    pub object_id: i64,
    pub target: String,
    pub status: String,
    pub created: String,
    /// The body, exactly as sent.
    pub body: String,
    /// The headers it is sent with (names as sent, lower-case).
    pub headers: std::collections::BTreeMap<String, String>,
    pub attempts: Vec<WebhookAttempt>,
}

/// One requirement of an onboarding (spec E.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FulfillmentObject {
    #[serde(rename = "type")]
    pub kind: String,
    pub reason: String,
    pub reason_translated: String,
    pub user_id: i64,
    /// Null until provided, then `FULFILLED`.
    #[schema(required = true)]
    pub status: Option<String>,
    #[schema(required = true)]
    pub time_mandatory: Option<String>,
    pub all_status_allowed: Vec<String>,
    #[schema(required = true)]
    pub id: Option<i64>,
    #[schema(required = true)]
    pub created_timestamp: Option<String>,
    #[schema(required = true)]
    pub updated_timestamp: Option<String>,
}

/// `UserOnboarding` (spec E.2), with its fulfillments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserOnboarding {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub user_id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub user_status_desired: String,
    pub user_verification_status_desired: String,
    pub status: String,
    pub action_required: String,
    #[schema(required = true)]
    pub waiting_type: Option<String>,
    #[schema(required = true)]
    pub waiting_time_message: Option<String>,
    #[schema(required = true)]
    pub waiting_time_message_translated: Option<String>,
    pub all_fulfillment: Vec<FulfillmentObject>,
}
