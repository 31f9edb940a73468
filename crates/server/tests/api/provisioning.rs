//! Helpers for provision tests: a partner ready to provision, provisions, and reading them.

use provisio_client::{
    wire::{
        objects::PartnerUserProvision,
        requests::{ProvisionRequest, StatusRequest},
        Item,
    },
    Client,
};
use reqwest::Method;

use crate::helpers::*;

/// A partner client with an active OAuth client and a callback URL.
pub async fn ready_partner(app: &TestApp) -> Client {
    let client = app.client().await;
    client
        .create_oauth_client("https://partner.example/oauth/callback")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    client
}

pub fn first_id(items: &[Item]) -> i64 {
    match items.first() {
        Some(Item::Id(id)) => id.id,
        other => panic!("expected an Id, got {other:?}"),
    }
}

pub fn person(uuid: &str) -> ProvisionRequest {
    ProvisionRequest {
        external_uuid: Some(uuid.into()),
        user_verified_type: Some("PARTNER_USER_PERSON".into()),
        email: Some("eva@example.com".into()),
        phone_number: Some("+31612345678".into()),
        products: Some(vec!["USER_VERIFIED".into()]),
        ..ProvisionRequest::default()
    }
}

pub fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub async fn create(client: &Client, body: &ProvisionRequest) -> i64 {
    let answer = client
        .post("/v1/partner-user-provision", body)
        .await
        .unwrap_or_else(|e| panic!("create provision: {e}"));
    first_id(&answer.response)
}

pub async fn get(client: &Client, id: i64) -> PartnerUserProvision {
    let answer = client
        .get(&format!("/v1/partner-user-provision/{id}"))
        .await
        .unwrap_or_else(|e| panic!("get provision {id}: {e}"));
    match answer.response.as_slice() {
        [Item::PartnerUserProvision(p)] => p.clone(),
        other => panic!("unexpected {other:?}"),
    }
}

pub fn state(p: &PartnerUserProvision) -> (&str, &str, &str) {
    (
        p.status.as_str(),
        p.sub_status.as_str(),
        p.action_required.as_str(),
    )
}

pub async fn put(
    client: &Client,
    id: i64,
    status: &str,
) -> Result<(), provisio_client::ClientError> {
    client
        .put(
            &format!("/v1/partner-user-provision/{id}"),
            &StatusRequest {
                status: status.into(),
            },
        )
        .await
        .map(drop)
}

/// A provision carried to CREATED/PENDING_PROCESS_USER_ONBOARDING, with its credential token.
pub async fn onboarding(app: &TestApp, client: &Client) -> (i64, String) {
    let id = create(client, &person(&new_uuid())).await;
    app.drain().await;
    let p = get(client, id).await;
    assert_eq!(
        state(&p),
        ("CREATED", "PENDING_PROCESS_USER_ONBOARDING", "USER")
    );
    let token = p
        .credential
        .and_then(|c| c.token_value)
        .unwrap_or_else(|| panic!("no credential token"));
    (id, token)
}

/// An operator call on the admin surface.
pub async fn admin(app: &TestApp, method: Method, path: &str) -> provisio_client::Reply {
    operator(app, method, path, None).await
}
