//! Requests for money as bunq renders them: `RequestInquiry` (the asking side) and
//! `RequestResponse` (the side asked, when it is an account here), and the bodies that make,
//! revoke and answer one.

use provisio_core::account::{
    payment::AliasInput,
    request::{MoneyRequest, RequestInput},
    rules::MoneyInput,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    accounts::{amount, Amount, AmountRequest},
    payments::{label, LabelMonetaryAccount, PointerRequest},
    time::ts,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RequestInquiryObject {
    pub id: i64,
    pub created: String,
    pub updated: String,
    #[schema(required = true)]
    pub time_responded: Option<String>,
    /// provisio's requests do not expire: always `null`.
    #[schema(required = true)]
    pub time_expiry: Option<String>,
    pub monetary_account_id: i64,
    pub amount_inquired: Amount,
    #[schema(required = true)]
    pub amount_responded: Option<Amount>,
    pub alias: LabelMonetaryAccount,
    pub counterparty_alias: LabelMonetaryAccount,
    pub description: String,
    #[schema(required = true)]
    pub merchant_reference: Option<String>,
    pub status: String,
    #[schema(required = true)]
    pub batch_id: Option<i64>,
    #[schema(required = true)]
    pub scheduled_id: Option<i64>,
    #[schema(required = true)]
    pub minimum_age: Option<i64>,
    pub require_address: String,
    /// provisio has no bunq.me pages for requests: always `null`, as bunq renders it for a
    /// request to a bunq user.
    #[schema(required = true)]
    pub bunqme_share_url: Option<String>,
    #[schema(required = true)]
    pub redirect_url: Option<String>,
    #[schema(required = true)]
    pub geolocation: Option<serde_json::Value>,
    pub allow_chat: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RequestResponseObject {
    pub id: i64,
    pub created: String,
    pub updated: String,
    #[schema(required = true)]
    pub time_responded: Option<String>,
    #[schema(required = true)]
    pub time_expiry: Option<String>,
    pub monetary_account_id: i64,
    pub amount_inquired: Amount,
    #[schema(required = true)]
    pub amount_responded: Option<Amount>,
    pub status: String,
    pub description: String,
    /// The account asked (this side).
    pub alias: LabelMonetaryAccount,
    /// The account asking.
    pub counterparty_alias: LabelMonetaryAccount,
    #[schema(required = true)]
    pub minimum_age: Option<i64>,
    pub require_address: String,
    #[schema(required = true)]
    pub geolocation: Option<serde_json::Value>,
    #[serde(rename = "type")]
    pub kind: String,
    pub sub_type: String,
    #[schema(required = true)]
    pub redirect_url: Option<String>,
    pub allow_chat: bool,
}

/// `POST /user/{userId}/monetary-account/{accountId}/request-inquiry`. Every field is optional
/// here; the domain says which are required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RequestInquiryRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_inquired: Option<AmountRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterparty_alias: Option<PointerRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_reference: Option<String>,
    /// Accepted and ignored: provisio has no bunq.me pages for requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_bunqme: Option<bool>,
}

impl From<RequestInquiryRequest> for RequestInput {
    fn from(r: RequestInquiryRequest) -> Self {
        RequestInput {
            amount_inquired: r.amount_inquired.map(money),
            counterparty_alias: r.counterparty_alias.map(|c| AliasInput {
                kind: c.kind,
                value: c.value,
                name: c.name,
            }),
            description: r.description,
            merchant_reference: r.merchant_reference,
        }
    }
}

/// `PUT …/request-inquiry/{id}` (`{"status":"REVOKED"}`) and `PUT …/request-response/{id}`
/// (`{"status":"ACCEPTED","amount_responded":{…}}` or `{"status":"REJECTED"}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RequestStatusRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_responded: Option<AmountRequest>,
}

impl RequestStatusRequest {
    pub fn amount(&self) -> Option<MoneyInput> {
        self.amount_responded.clone().map(money)
    }
}

fn money(a: AmountRequest) -> MoneyInput {
    MoneyInput {
        value: a.value,
        currency: a.currency,
    }
}

fn responded(r: &MoneyRequest) -> Option<Amount> {
    r.amount_responded_minor.map(|m| amount(m, &r.currency))
}

/// The asking side.
pub fn request_inquiry(r: &MoneyRequest) -> RequestInquiryObject {
    RequestInquiryObject {
        id: r.id,
        created: ts(r.created),
        updated: ts(r.updated),
        time_responded: r.time_responded.map(ts),
        time_expiry: None,
        monetary_account_id: r.monetary_account_id.0,
        amount_inquired: amount(r.amount_inquired_minor, &r.currency),
        amount_responded: responded(r),
        alias: label(&r.alias_iban, &r.alias_name),
        counterparty_alias: label(&r.counterparty_iban, &r.counterparty_name),
        description: r.description.clone(),
        merchant_reference: r.merchant_reference.clone(),
        status: r.status.as_str().into(),
        batch_id: None,
        scheduled_id: None,
        minimum_age: None,
        require_address: "NONE".into(),
        bunqme_share_url: None,
        redirect_url: None,
        geolocation: None,
        allow_chat: false,
    }
}

/// The side asked; `None` for a request to an IBAN elsewhere (nobody here sees it).
pub fn request_response(r: &MoneyRequest) -> Option<RequestResponseObject> {
    let account = r.responder_account_id?;
    Some(RequestResponseObject {
        id: r.id,
        created: ts(r.created),
        updated: ts(r.updated),
        time_responded: r.time_responded.map(ts),
        time_expiry: None,
        monetary_account_id: account.0,
        amount_inquired: amount(r.amount_inquired_minor, &r.currency),
        amount_responded: responded(r),
        status: r.status.as_str().into(),
        description: r.description.clone(),
        alias: label(&r.counterparty_iban, &r.counterparty_name),
        counterparty_alias: label(&r.alias_iban, &r.alias_name),
        minimum_age: None,
        require_address: "NONE".into(),
        geolocation: None,
        kind: "INTERNAL".into(),
        sub_type: "NONE".into(),
        redirect_url: None,
        allow_chat: false,
    })
}
