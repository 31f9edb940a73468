//! `{"Response":[...]}`, `{"Error":[...]}` and `Pagination` (spec A.4, A.5, A.7).
//!
//! Each element of `Response` is an object with one key, the type name. serde's externally
//! tagged enums have exactly that shape, so [`Item`] is the list of types provisio answers with,
//! and the order of a `Vec<Item>` is the order on the wire (some SDKs read by position).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::objects::{
    DeviceServer, Id, NotificationFilterFailure, NotificationFilterUrl, OauthCallbackUrl,
    OauthClient, PartnerUserProvision, ProvisionHistoryEntry, ServerPublicKey, Token, UserApiKey,
    UserCompany, UserOnboarding, UserPerson, WebhookDelivery,
};

// Items are built once per response and serialised straight away; boxing the large user
// objects would only add noise at every construction site.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub enum Item {
    Id(Id),
    Token(Token),
    ServerPublicKey(ServerPublicKey),
    UserCompany(UserCompany),
    UserPerson(UserPerson),
    UserApiKey(UserApiKey),
    DeviceServer(DeviceServer),
    OauthClient(OauthClient),
    OauthCallbackUrl(OauthCallbackUrl),
    PartnerUserProvision(PartnerUserProvision),
    NotificationFilterUrl(NotificationFilterUrl),
    UserOnboarding(UserOnboarding),
    NotificationFilterFailure(NotificationFilterFailure),
    IdentityVerificationSessionIncode(crate::kyc::IdentityVerificationSession),
    AttachmentUser(crate::kyc::AttachmentUser),
    UserInformationInquiry(crate::kyc::UserInformationInquiry),
    MonetaryAccountBank(crate::accounts::MonetaryAccountBank),
    MonetaryAccountExternal(crate::accounts::MonetaryAccountExternal),
    Payment(crate::payments::PaymentObject),
    RequestInquiry(crate::money_requests::RequestInquiryObject),
    RequestResponse(crate::money_requests::RequestResponseObject),
    BunqMeTab(crate::bunqme::BunqMeTabObject),
    PaymentBatch(crate::batches::PaymentBatchObject),
    DraftPayment(crate::batches::DraftPaymentObject),
    SchedulePayment(crate::schedules::SchedulePaymentObject),
    ScheduleInstance(crate::schedules::ScheduleInstanceObject),
    /// provisio's operator API, not bunq's.
    LedgerCheck(crate::payments::LedgerCheck),
    /// provisio's operator API, not bunq's.
    ProvisionHistoryEntry(ProvisionHistoryEntry),
    /// provisio's operator API, not bunq's.
    WebhookDelivery(WebhookDelivery),
    /// provisio's operator API, not bunq's.
    RequestRecord(crate::operator::RequestRecord),
    /// provisio's operator API, not bunq's.
    SinkRequest(crate::operator::SinkRequest),
    /// provisio's operator API, not bunq's.
    Fault(crate::operator::Fault),
    /// provisio's operator API, not bunq's.
    Scenario(crate::operator::Scenario),
    /// provisio's operator API, not bunq's.
    SandboxClock(crate::objects::SandboxClock),
    /// provisio's operator API, not bunq's.
    SandboxPartner(crate::objects::SandboxPartner),
    CardDebit(crate::cards::CardObject),
    CardCredit(crate::cards::CardObject),
    CardPrimaryAccountNumber(crate::cards::CardPrimaryAccountNumber),
    CardGeneratedCvc2(crate::cards::CardGeneratedCvc2),
    MasterCardAction(crate::cards::MasterCardActionObject),
    MasterCardIdentityCheckChallengeRequest(crate::cards::ChallengeRequestObject),
    /// A new sandbox user's API key.
    ApiKey(crate::objects::SandboxApiKey),
    /// The names a user's card may carry.
    CardUserNameArray(crate::cards::CardUserNameArray),
    Event(crate::feed::EventObject),
    NoteTextPayment(crate::feed::NoteTextObject),
    Uuid(crate::public_attachments::UuidObject),
    AttachmentPublic(crate::public_attachments::AttachmentPublicObject),
    Avatar(crate::public_attachments::AvatarObject),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ResponseEnvelope {
    #[serde(rename = "Response")]
    pub response: Vec<Item>,
    /// Present on lists only; a sibling of `Response`.
    #[serde(
        rename = "Pagination",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pagination: Option<Pagination>,
}

impl Item {
    /// The user or account this item is, showing `avatar` instead of its default: a
    /// `UserPerson` or `UserCompany`, a `UserApiKey`'s granting user, a monetary account. Any
    /// other item is left as it is.
    pub fn show_avatar(&mut self, avatar: crate::objects::Avatar) {
        match self {
            Item::UserPerson(u) => u.avatar = avatar,
            Item::UserCompany(u) => u.avatar = avatar,
            Item::UserApiKey(k) => k.granted_by_user.show_avatar(avatar),
            Item::MonetaryAccountBank(a) => a.avatar = avatar,
            Item::MonetaryAccountExternal(a) => a.account.avatar = avatar,
            _ => {}
        }
    }
}

impl ResponseEnvelope {
    pub fn of(items: Vec<Item>) -> Self {
        ResponseEnvelope {
            response: items,
            pagination: None,
        }
    }

    pub fn page(items: Vec<Item>, pagination: Pagination) -> Self {
        ResponseEnvelope {
            response: items,
            pagination: Some(pagination),
        }
    }
}

/// All three keys are always present, `null` when there is nowhere to go: the Python SDK
/// indexes each of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Pagination {
    #[schema(required = true)]
    pub future_url: Option<String>,
    #[schema(required = true)]
    pub newer_url: Option<String>,
    #[schema(required = true)]
    pub older_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorEnvelope {
    #[serde(rename = "Error")]
    pub error: Vec<ErrorItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorItem {
    pub error_description: String,
    pub error_description_translated: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_additional_parameter: Option<serde_json::Value>,
}

impl ErrorEnvelope {
    pub fn single(description: impl Into<String>) -> Self {
        let description = description.into();
        ErrorEnvelope {
            error: vec![ErrorItem {
                error_description_translated: description.clone(),
                error_description: description,
                error_additional_parameter: None,
            }],
        }
    }

    /// The first description, which is what bunq's clients show.
    pub fn description(&self) -> Option<&str> {
        self.error.first().map(|e| e.error_description.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_type_indicated_and_keep_their_order() {
        let body = ResponseEnvelope::of(vec![
            Item::Id(Id { id: 7 }),
            Item::ServerPublicKey(ServerPublicKey {
                server_public_key: "k".into(),
            }),
        ]);
        let json = serde_json::to_string(&body).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"Response":[{"Id":{"id":7}},{"ServerPublicKey":{"server_public_key":"k"}}]}"#
        );
    }

    #[test]
    fn pagination_keeps_null_keys() {
        let body = ResponseEnvelope::page(
            vec![],
            Pagination {
                future_url: Some("/v1/x?newer_id=0".into()),
                newer_url: None,
                older_url: None,
            },
        );
        let json = serde_json::to_string(&body).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"Response":[],"Pagination":{"future_url":"/v1/x?newer_id=0","newer_url":null,"older_url":null}}"#
        );
    }

    #[test]
    fn errors_have_bunqs_shape() {
        let json = serde_json::to_string(&ErrorEnvelope::single("Nope.")).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"Error":[{"error_description":"Nope.","error_description_translated":"Nope."}]}"#
        );
    }
}
