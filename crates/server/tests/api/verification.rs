//! Identity verification and the onboarding decision (spec E.4, E.7, J-6), attachments and
//! identity documents (E.5, E.6).

use std::time::Duration;

use provisio_client::{
    wire::{
        kyc::{AttachmentUser, IdentityVerificationSession},
        objects::UserOnboarding,
        requests::{
            Address, AddressRequest, IdentityVerificationRequest, NationalityRequest,
            NotificationFilterRequest, NotificationFiltersRequest, OnboardingRequest, TaxResident,
            TaxResidentRequest, UserPersonRequest,
        },
        Item,
    },
    Client, Request,
};
use reqwest::Method;

use crate::{helpers::*, onboarding::*, provisioning::*};

/// The sandbox's default review delay (`OnboardingConfig`).
const REVIEW: Duration = Duration::from_secs(5);
/// The smallest thing that is a PNG by its content.
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

pub async fn subscribe(client: &Client, user: i64, category: &str, target: &str) {
    let body = NotificationFiltersRequest {
        notification_filters: vec![NotificationFilterRequest {
            category: Some(category.into()),
            notification_target: Some(target.into()),
        }],
    };
    client
        .post(&format!("/v1/user/{user}/notification-filter-url"), &body)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Every fulfillment, with `last_name` as the user's last name.
pub async fn fulfill_all(client: &Client, key: i64, last_name: &str) {
    let ok =
        |r: Result<_, provisio_client::ClientError>| r.map(drop).unwrap_or_else(|e| panic!("{e}"));
    ok(client
        .post(
            &format!("/v1/user/{key}/address-main"),
            &AddressRequest {
                address_main: Some(Address {
                    country: Some("BE".into()),
                    ..address()
                }),
                ..Default::default()
            },
        )
        .await);
    ok(client
        .put(
            &format!("/v1/user-person/{key}"),
            &UserPersonRequest {
                last_name: Some(last_name.into()),
                ..person_details()
            },
        )
        .await);
    ok(client
        .post(
            &format!("/v1/user/{key}/tax-resident"),
            &TaxResidentRequest {
                tax_resident: vec![TaxResident {
                    country: Some("NL".into()),
                    tax_number: Some("426702311".into()),
                    status: Some("CONFIRMED".into()),
                }],
            },
        )
        .await);
    ok(client
        .post(
            &format!("/v1/user/{key}/nationality"),
            &NationalityRequest {
                all_nationality: vec!["NL".into()],
            },
        )
        .await);
}

fn incode() -> IdentityVerificationRequest {
    IdentityVerificationRequest {
        purpose: Some("VERIFICATION".into()),
        provider: Some("INCODE".into()),
        status: None,
    }
}

fn submitted() -> IdentityVerificationRequest {
    IdentityVerificationRequest {
        status: Some("SUBMITTED".into()),
        ..Default::default()
    }
}

pub async fn start_verification(client: &Client, key: i64) -> i64 {
    let created = client
        .post(
            &format!("/v1/user/{key}/identity-verification-session"),
            &incode(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    first_id(&created.response)
}

pub async fn verification(client: &Client, key: i64, id: i64) -> IdentityVerificationSession {
    let read = client
        .get(&format!(
            "/v1/user/{key}/identity-verification-session/{id}"
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    match read.response.as_slice() {
        [Item::IdentityVerificationSessionIncode(s)] => s.clone(),
        other => panic!("{other:?}"),
    }
}

pub async fn onboarding_of(client: &Client, key: i64) -> UserOnboarding {
    let read = client
        .get(&format!("/v1/user/{key}/user-onboarding"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    match read.response.as_slice() {
        [Item::UserOnboarding(o)] => o.clone(),
        other => panic!("{other:?}"),
    }
}

fn shown(o: &UserOnboarding) -> (&str, &str, Option<&str>) {
    (
        o.status.as_str(),
        o.action_required.as_str(),
        o.waiting_type.as_deref(),
    )
}

/// `action_required` of each `USER_ONBOARDING_UPDATED` received, in order.
fn onboarding_events(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .map(|r| r.json())
        .filter(|b| b["NotificationUrl"]["event_type"] == "USER_ONBOARDING_UPDATED")
        .map(|b| {
            b["NotificationUrl"]["object"]["UserOnboarding"]["action_required"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

for_each_backend! { TestApp::spawn =>
    async fn the_whole_road_ends_active(app: TestApp) {
        let (partner, user, key, provision) = onboarding_user(&app).await;
        let receiver = Receiver::start().await;
        subscribe(&user, key, "USER_ONBOARDING", &receiver.url).await;
        let onboarding = user.post(&format!("/v1/user/{key}/user-onboarding"), &OnboardingRequest::default())
            .await.unwrap_or_else(|e| panic!("{e}"));
        let onboarding = first_id(&onboarding.response);
        fulfill_all(&user, key, "de Vries").await;
        assert_eq!(shown(&onboarding_of(&user, key).await), ("IN_PROGRESS", "USER", None));

        let id = start_verification(&user, key).await;
        let session = verification(&partner, key, id).await;
        assert_eq!((session.status.as_str(), session.purpose.as_str(), session.result.as_ref()), ("CREATED", "VERIFICATION", None));
        assert!(!session.token.is_empty() && session.url_api.starts_with("https://"));
        assert_eq!(session.country, "BE", "the country of the main address");

        user.put(&format!("/v1/user/{key}/identity-verification-session/{id}"), &submitted())
            .await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(verification(&user, key, id).await.status, "SUBMITTED");
        assert_eq!(shown(&onboarding_of(&user, key).await), ("IN_PROGRESS", "SYSTEM", Some("AUTOMATED")));
        // Only a CREATED session can be submitted.
        let again = user.put(&format!("/v1/user/{key}/identity-verification-session/{id}"), &submitted()).await.err();
        assert_eq!(again.as_ref().and_then(|e| e.status()), Some(400));
        let wrong = user.put(&format!("/v1/user/{key}/identity-verification-session/{id}"),
            &IdentityVerificationRequest { status: Some("PROCESSED".into()), ..Default::default() }).await.err();
        assert_eq!(wrong.and_then(|e| e.status()), Some(400));

        // The review takes its time: nothing is decided before the delay has passed.
        app.drain().await;
        assert_eq!(verification(&user, key, id).await.status, "SUBMITTED");
        app.clock.advance(REVIEW);
        app.drain().await;

        let session = verification(&user, key, id).await;
        assert_eq!(session.status, "PROCESSED");
        let result = session.result.unwrap_or_else(|| panic!("no result"));
        assert_eq!((result.result.as_str(), result.all_fail_reason.len()), ("APPROVED", 0));
        let o = onboarding_of(&partner, key).await;
        assert_eq!(shown(&o), ("VERIFIED", "NONE", None));
        assert_eq!(fulfilled(&o), vec!["ADDRESS_MAIN", "DATE_OF_BIRTH", "LEGAL_NAME", "TAX_RESIDENT", "NATIONALITY", "IDENTITY_VERIFICATION"]);
        let p = get(&partner, provision).await;
        assert_eq!(state(&p), ("ACTIVE", "NONE", "NONE"));
        assert_eq!(p.credential.map(|c| c.status).as_deref(), Some("ACTIVE"));
        // With nothing missing, the onboarding PUT is accepted.
        let put = user.put(&format!("/v1/user/{key}/user-onboarding/{onboarding}"), &OnboardingRequest {
            user_status_desired: Some("ACTIVE".into()), ..Default::default() }).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first_id(&put.response), onboarding);

        // USER_ONBOARDING_UPDATED only when action_required changed: USER → SYSTEM → NONE.
        app.deliver().await;
        assert_eq!(onboarding_events(&receiver.received()), vec!["SYSTEM", "NONE"]);
    }

    async fn a_rejected_verification_fails_the_provision(app: TestApp) {
        let (partner, user, key, provision) = onboarding_user(&app).await;
        fulfill_all(&user, key, "Rejected").await;
        let id = start_verification(&partner, key).await;
        partner.put(&format!("/v1/user/{key}/identity-verification-session/{id}"), &submitted())
            .await.unwrap_or_else(|e| panic!("{e}"));
        app.clock.advance(REVIEW);
        app.drain().await;

        let result = verification(&partner, key, id).await.result.unwrap_or_else(|| panic!("no result"));
        assert_eq!((result.result.as_str(), result.all_fail_reason.clone()), ("REJECTED", vec!["DOCUMENT_NOT_VALID".to_owned()]));
        assert_eq!(shown(&onboarding_of(&partner, key).await), ("DENIED", "NONE", None));
        let p = get(&partner, provision).await;
        assert_eq!(state(&p), ("FAILED", "NONE", "NONE"));
        assert_eq!(p.credential.map(|c| c.status).as_deref(), Some("REVOKED"));
    }

    async fn an_onboarding_decided_early_moves_the_provision_when_it_arrives(app: TestApp) {
        let partner = ready_partner(&app).await;
        let provision = create(&partner, &person(&new_uuid())).await;
        app.step().await;
        // The user exists; its partner onboards it while the provision's last steps still run.
        let stored = app.store.provision(provisio_core::model::ProvisionId(provision)).await
            .unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("no provision"));
        let key = stored.user.map(|u| u.id.0).unwrap_or_else(|| panic!("no user yet"));
        fulfill_all(&partner, key, "de Vries").await;
        let id = start_verification(&partner, key).await;
        let decided = admin_json(&app, &format!("/_provisio/identity-verifications/{id}/decide"),
            serde_json::json!({"result": "APPROVED"})).await;
        assert_eq!(decided.status, 200, "{:?}", decided.body);
        assert_eq!(onboarding_of(&partner, key).await.status, "VERIFIED");
        assert_eq!(state(&get(&partner, provision).await).0, "CREATED");
        app.drain().await;
        assert_eq!(state(&get(&partner, provision).await), ("ACTIVE", "NONE", "NONE"));
    }

    async fn operators_decide_through_the_same_path(app: TestApp) {
        // A verification forced to REJECTED, before the sandbox rule would approve it.
        let (partner, user, key, provision) = onboarding_user(&app).await;
        fulfill_all(&user, key, "de Vries").await;
        let id = start_verification(&user, key).await;
        let decided = admin_json(&app, &format!("/_provisio/identity-verifications/{id}/decide"),
            serde_json::json!({"result": "REJECTED", "all_fail_reason": ["FACE_MISMATCH"]})).await;
        assert_eq!(decided.status, 200, "{:?}", decided.body);
        let result = verification(&user, key, id).await.result.unwrap_or_else(|| panic!("no result"));
        assert_eq!((result.result.as_str(), result.all_fail_reason.clone()), ("REJECTED", vec!["FACE_MISMATCH".to_owned()]));
        assert_eq!(state(&get(&partner, provision).await), ("FAILED", "NONE", "NONE"));
        let twice = admin_json(&app, &format!("/_provisio/identity-verifications/{id}/decide"),
            serde_json::json!({"result": "APPROVED"})).await;
        assert_eq!(twice.status, 400);

        // The operator's approval of a provision marks the onboarding too.
        let (id, token) = onboarding(&app, &partner).await;
        let other = Client::builder(&app.base_url, &token).signing_key(test_key()).connect().await
            .unwrap_or_else(|e| panic!("{e}"));
        let other_key = other.context().await.map(|c| c.user_id).unwrap_or_default();
        let approved = admin(&app, Method::POST, &format!("/_provisio/provisions/{id}/approve")).await;
        assert_eq!(approved.status, 200);
        assert_eq!(shown(&onboarding_of(&other, other_key).await), ("VERIFIED", "NONE", None));
        assert_eq!(state(&get(&partner, id).await), ("ACTIVE", "NONE", "NONE"));
    }

    async fn attachments_round_trip_and_stay_with_their_user(app: TestApp) {
        let (partner, user, key, _) = onboarding_user(&app).await;
        let mut content = PNG.to_vec();
        content.extend((0..=255u8).cycle().take(5000));
        let uploaded = user.upload(&format!("/v1/user/{key}/attachment"), "image/png", Some("Passport front page"), content.clone())
            .await.unwrap_or_else(|e| panic!("{e}"));
        let attachment = first_id(&uploaded.response);

        let read = partner.get(&format!("/v1/user/{key}/attachment/{attachment}")).await.unwrap_or_else(|e| panic!("{e}"));
        let [Item::AttachmentUser(AttachmentUser { attachment: a, .. })] = read.response.as_slice() else { panic!("{read:?}") };
        assert_eq!((a.description.as_deref(), a.content_type.as_str()), (Some("Passport front page"), "image/png"));
        let url = &a.urls[0].url;
        assert_eq!(url, &format!("{}/v1/user/{key}/attachment/{attachment}/content", app.base_url));
        let path = &url[url.find("/v1/").unwrap_or_else(|| panic!("{url}"))..];
        for client in [&user, &partner] {
            let (content_type, bytes) = client.download(path).await.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(content_type, "image/png");
            assert_eq!(bytes.as_ref(), content.as_slice(), "byte for byte");
        }

        // A document links the user's own attachments only.
        let doc = |front: i64| serde_json::json!({"document_type": "PASSPORT", "document_country_of_issuance": "NL", "document_attachment_id": front});
        let created = user.post(&format!("/v1/user/{key}/document-identification"), &doc(attachment)).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(first_id(&created.response) > 0);
        let (_, other, other_key, _) = onboarding_user(&app).await;
        let theirs = other.upload(&format!("/v1/user/{other_key}/attachment"), "application/pdf", None, b"%PDF-1.7\n%\xe2\xe3\n".to_vec())
            .await.unwrap_or_else(|e| panic!("{e}"));
        let theirs = first_id(&theirs.response);
        let err = user.post(&format!("/v1/user/{key}/document-identification"), &doc(theirs)).await.err();
        assert_eq!(err.as_ref().and_then(|e| e.status()), Some(400), "{err:?}");
        // Another user sees neither the attachment nor its bytes.
        for path in [format!("/v1/user/{key}/attachment/{attachment}"), format!("/v1/user/{other_key}/attachment/{attachment}"), format!("/v1/user/{other_key}/attachment/{attachment}/content")] {
            let err = other.get(&path).await.err();
            assert_eq!(err.and_then(|e| e.status()), Some(404), "{path}");
        }

        // Bad uploads: empty, not what they claim, unsupported, unsigned-but-tampered.
        for (content_type, body, text) in [
            ("image/png", Vec::new(), "empty"),
            ("image/jpeg", PNG.to_vec(), "not image/jpeg"),
            ("text/plain", b"hello".to_vec(), "not supported"),
        ] {
            let err = user.upload(&format!("/v1/user/{key}/attachment"), content_type, None, body).await.err();
            assert_eq!(err.as_ref().and_then(|e| e.status()), Some(400), "{content_type}");
            assert!(err.as_ref().and_then(|e| e.description()).is_some_and(|d| d.contains(text)), "{err:?} lacks {text}");
        }
        let token = user.context().await.map(|c| c.session_token).unwrap_or_default();
        let forged = app.send(Request::new(Method::POST, format!("/v1/user/{key}/attachment")).token(token)
            .content_type(Some("image/png")).body(PNG.to_vec())
            .signing(provisio_client::Signing::Header(user.api().key().sign(b"other bytes").unwrap_or_default()))).await;
        assert_error(&forged, &app.server_key, 401, "signature");
    }
}

for_each_backend! { TestApp::spawn =>
    async fn verifications_and_documents_are_validated(app: TestApp) {
        let (_, user, key, _) = onboarding_user(&app).await;
        let session = format!("/v1/user/{key}/identity-verification-session");
        for (body, text) in [
            (serde_json::json!({"purpose": "SELFIE", "provider": "INCODE"}), "purpose"),
            (serde_json::json!({"purpose": "VERIFICATION", "provider": "ONFIDO"}), "provider"),
        ] {
            let err = user.post(&session, &body).await.err();
            assert_eq!(err.as_ref().and_then(|e| e.status()), Some(400), "{body}");
            assert!(err.as_ref().and_then(|e| e.description()).is_some_and(|d| d.contains(text)), "{err:?}");
        }
        let unknown = user.put(&format!("{session}/999999"), &submitted()).await.err();
        assert_eq!(unknown.and_then(|e| e.status()), Some(404));

        // The collection lists the user's sessions, newest first, paginated.
        let first = start_verification(&user, key).await;
        let second = start_verification(&user, key).await;
        let ids = |page: &provisio_client::wire::ResponseEnvelope| -> Vec<i64> {
            page.response.iter().map(|item| match item {
                Item::IdentityVerificationSessionIncode(s) => s.id,
                other => panic!("{other:?}"),
            }).collect()
        };
        let all = user.get(&session).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ids(&all), vec![second, first]);
        let newest = user.get(&format!("{session}?count=1")).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ids(&newest), vec![second]);
        let older = newest.pagination.and_then(|p| p.older_url).unwrap_or_else(|| panic!("no older_url"));
        assert_eq!(older, format!("{session}?count=1&older_id={second}"));
        let rest = user.get(&older).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ids(&rest), vec![first]);

        let attachment = user.upload(&format!("/v1/user/{key}/attachment"), "image/png", None, PNG.to_vec())
            .await.unwrap_or_else(|e| panic!("{e}"));
        let attachment = first_id(&attachment.response);
        let documents = format!("/v1/user/{key}/document-identification");
        for (body, text) in [
            (serde_json::json!({"document_type": "SELFIE", "document_country_of_issuance": "NL", "document_attachment_id": attachment}), "document_type"),
            (serde_json::json!({"document_type": "PASSPORT", "document_country_of_issuance": "XX", "document_attachment_id": attachment}), "document_country_of_issuance"),
            (serde_json::json!({"document_type": "PASSPORT", "document_country_of_issuance": "NL"}), "document_attachment_id"),
            (serde_json::json!({"document_type": "PASSPORT", "document_country_of_issuance": "NL", "document_attachment_id": attachment, "document_back_attachment_id": 999999}), "999999"),
        ] {
            let err = user.post(&documents, &body).await.err();
            assert_eq!(err.as_ref().and_then(|e| e.status()), Some(400), "{body}");
            assert!(err.as_ref().and_then(|e| e.description()).is_some_and(|d| d.contains(text)), "{err:?} lacks {text}");
        }
    }
}

#[tokio::test]
async fn attachments_have_a_size_limit() {
    let mut config = test_config();
    config.onboarding.attachment_limit = 1024;
    let app = TestApp::spawn_with(provisio_store::Backend::Sqlite, config).await;
    let (_, user, key, _) = onboarding_user(&app).await;
    let mut big = PNG.to_vec();
    big.resize(2048, 0);
    let err = user
        .upload(
            &format!("/v1/user/{key}/attachment"),
            "image/png",
            None,
            big,
        )
        .await
        .err();
    assert_eq!(err.as_ref().and_then(|e| e.status()), Some(413));
    assert!(
        err.as_ref()
            .and_then(|e| e.description())
            .is_some_and(|d| d.contains("too large")),
        "{err:?}"
    );
}

/// An operator call with a JSON body.
pub async fn admin_json(
    app: &TestApp,
    path: &str,
    body: serde_json::Value,
) -> provisio_client::Reply {
    operator(app, Method::POST, path, Some(body)).await
}
