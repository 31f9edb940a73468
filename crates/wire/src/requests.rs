//! Request bodies (spec B). Unknown fields are ignored, as bunq does.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InstallationRequest {
    pub client_public_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeviceServerRequest {
    pub description: String,
    pub secret: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permitted_ips: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionServerRequest {
    pub secret: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Pointer {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `POST /partner-user-provision`, either form (J-1). Every field is optional here; the
/// domain says which are required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProvisionRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_uuid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_verified_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub director_relation_provision_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<Pointer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_of_residence: Option<String>,
}

/// `PUT` bodies that carry only a status (provision, OAuth client).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatusRequest {
    pub status: String,
}

/// `POST /oauth-client`: `{}` or `{"status":...}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OauthClientRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CallbackUrlRequest {
    pub url: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NotificationFilterRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_target: Option<String>,
}

/// `POST /user/{id}/notification-filter-url`: the complete new set (replace-all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NotificationFiltersRequest {
    pub notification_filters: Vec<NotificationFilterRequest>,
}

/// `POST /user/{id}/notification-filter-failure`: `"1,2,3"`, at most 100 ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FailureRetryRequest {
    pub notification_filter_failed_ids: String,
}

/// `POST`/`PUT …/user-onboarding`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OnboardingRequest {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_status_desired: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_verification_status_desired: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub house_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// `POST …/address-main` or `…/address-postal`: one of the two keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AddressRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_main: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_postal: Option<Address>,
}

/// `PUT /user-person/{id}`: legal name and date of birth, and the avatar.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserPersonRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    /// An avatar's uuid (`POST /avatar`): the user shows that avatar. Sent alone, it is the
    /// only change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_uuid: Option<String>,
}

impl UserPersonRequest {
    /// Whether the body names any of the onboarding's fields (the name, the date of birth).
    pub fn has_legal_fields(&self) -> bool {
        self.first_name.is_some()
            || self.middle_name.is_some()
            || self.last_name.is_some()
            || self.date_of_birth.is_some()
    }
}

/// `PUT /user-company/{id}`: of bunq's fields, provisio takes `avatar_uuid`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserCompanyRequest {
    /// An avatar's uuid (`POST /avatar`): the company shows that avatar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_uuid: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TaxResident {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TaxResidentRequest {
    #[serde(default)]
    pub tax_resident: Vec<TaxResident>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NationalityRequest {
    #[serde(default)]
    pub all_nationality: Vec<String>,
}

/// `POST …/identity-verification-session` (`PUT` sends only `status`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IdentityVerificationRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// `POST …/document-identification`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DocumentIdentificationRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_country_of_issuance: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_attachment_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_back_attachment_id: Option<i64>,
}

/// `PUT …/partner-user-information-inquiry-entry/{id}`: at least one of the two.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InquiryAnswerRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_attachment_id: Option<Vec<i64>>,
}

/// provisio's operator API: move the virtual clock, `{"by":"7d"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AdvanceClockRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// provisio's operator API (dev profile): make the next `count` calls of a route fail, slow
/// down or lose their connection, `{"method":"POST","path":"/v1/user/{user_id}/monetary-account/{id}/payment","count":2,"status":503}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FaultRequest {
    /// The method, e.g. `POST`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The route under `/v1`: a template as the OpenAPI document names it (every `{…}` segment
    /// matches any id) or a path with ids (only that one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// How many calls (1 to 10000; default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    /// The status to answer, 400 to 599, in bunq's error envelope. Left out, the call is only
    /// delayed (`latency`) or dropped (`drop_connection`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<i64>,
    /// The `error_description` to answer with `status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Added before the call is handled (or fails): a duration such as `500ms` or `2s`, at most
    /// `5m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<String>,
    /// Close the connection without an answer (after `latency`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_connection: Option<bool>,
}

/// provisio's operator API: empty the store, `{}`; `{"clock":"real"}` sets the virtual clock
/// back to real time as well.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ResetRequest {
    /// `real`: the virtual clock's offset back to zero. Left out, the clock stays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<String>,
}

/// provisio's operator API: create a partner, `{"name":"Acme"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CreatePartnerRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// provisio's operator API: raise an inquiry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RaiseInquiryRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    #[serde(default)]
    pub entry_types: Vec<String>,
}

/// provisio's operator API: review an inquiry entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReviewEntryRequest {
    /// `APPROVED` or `REJECTED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject_reason: Option<String>,
    /// Ask the question again as a new PENDING entry (after a rejection).
    #[serde(default)]
    pub reopen: bool,
}

/// provisio's operator API: decide an identity verification now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DecideVerificationRequest {
    /// `APPROVED` or `REJECTED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    #[serde(default)]
    pub all_fail_reason: Vec<String>,
}
