//! Closed users stay closed: once a provision is CANCELLED, CLOSED or FAILED, every write to
//! its user's data (onboarding, compliance, attachments) is refused with bunq's envelope and
//! changes nothing, no webhook included; reads go on. The store refuses the same writes on its
//! own, inside their transactions.

use provisio_client::{
    wire::{
        objects::{AnyUser, PartnerUserProvision},
        requests::{
            Address, AddressRequest, IdentityVerificationRequest, InquiryAnswerRequest,
            NationalityRequest, NotificationFilterRequest, NotificationFiltersRequest,
            OnboardingRequest, TaxResident, TaxResidentRequest,
        },
        Item,
    },
    Client, ClientError,
};
use provisio_core::{
    attachment::NewDocument, identity::Verdict, inquiry::NewInquiry, model::UserId,
    onboarding::FulfillmentType, time::Clock, StoreError,
};
use reqwest::Method;
use serde_json::json;

use crate::{
    accounts::{bank, open},
    cards::{debit_order, order},
    helpers::*,
    onboarding::*,
    payments::fund,
    provisioning::*,
    verification::admin_json,
};

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
/// Where every event of these users would go; nothing is delivered in these tests, deliveries
/// are only counted.
pub const HOOK: &str = "https://partner.example/hooks";

/// A user whose provision has ended, with something of everything made before the end.
pub struct Frozen {
    pub status: &'static str,
    pub partner: Client,
    /// The user's own client (its session may be gone once the provision ended).
    pub own: Client,
    /// The user's `UserApiKey` id, through which the partner reaches it (J-9).
    pub key: i64,
    /// The `UserPerson` id.
    pub user: i64,
    pub provision: i64,
    pub onboarding: i64,
    /// An identity verification session, still CREATED.
    pub session: i64,
    pub attachment: i64,
    pub inquiry: i64,
    /// Entries of the inquiry: one still PENDING, one answered (WAITING_FOR_REVIEW).
    pub pending: i64,
    pub answered: i64,
    /// A funded EUR account, an ACTIVE debit card on it with a CVC2, and a 3DS challenge on
    /// the card still PENDING at the end.
    pub account: i64,
    pub card: i64,
    pub cvc2: i64,
    pub challenge: i64,
}

fn ok<T>(result: Result<T, ClientError>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

pub fn entry_path(f: &Frozen, entry: i64) -> String {
    format!(
        "/v1/user/{}/user-information-inquiry/{}/partner-user-information-inquiry-entry/{entry}",
        f.key, f.inquiry
    )
}

/// A user in onboarding, with an onboarding, a main address, a verification session, an
/// attachment and an inquiry, whose events all have a target.
pub async fn prepare(app: &TestApp, status: &'static str) -> Frozen {
    let (partner, own, key, provision) = onboarding_user(app).await;
    let company = partner
        .context()
        .await
        .map(|c| c.user_id)
        .unwrap_or_default();
    let filters = |categories: &[&str]| NotificationFiltersRequest {
        notification_filters: categories
            .iter()
            .map(|c| NotificationFilterRequest {
                category: Some((*c).into()),
                notification_target: Some(HOOK.into()),
            })
            .collect(),
    };
    ok(partner
        .post(
            &format!("/v1/user/{company}/notification-filter-url"),
            &filters(&["PARTNER_USER_PROVISION"]),
        )
        .await);
    ok(partner
        .post(
            &format!("/v1/user/{key}/notification-filter-url"),
            &filters(&[
                "USER_ONBOARDING",
                "USER_INFORMATION_INQUIRY",
                "CARD",
                "CARD_TRANSACTION_FAILED",
                "MASTERCARD_IDENTITY_CHECK",
            ]),
        )
        .await);
    let onboarding = first_id(
        &ok(partner
            .post(
                &format!("/v1/user/{key}/user-onboarding"),
                &OnboardingRequest::default(),
            )
            .await)
        .response,
    );
    ok(partner
        .post(
            &format!("/v1/user/{key}/address-main"),
            &AddressRequest {
                address_main: Some(address()),
                ..Default::default()
            },
        )
        .await);
    let incode = IdentityVerificationRequest {
        purpose: Some("VERIFICATION".into()),
        provider: Some("INCODE".into()),
        status: None,
    };
    let session = first_id(
        &ok(partner
            .post(
                &format!("/v1/user/{key}/identity-verification-session"),
                &incode,
            )
            .await)
        .response,
    );
    let attachment = first_id(
        &ok(partner
            .upload(
                &format!("/v1/user/{key}/attachment"),
                "image/png",
                None,
                PNG.to_vec(),
            )
            .await)
        .response,
    );
    let raised = admin_json(app, &format!("/_provisio/users/{key}/inquiries"),
        json!({"purpose": "ONBOARDING", "entry_types": ["USER_PERSON_SOURCE_OF_FUND", "USER_PERSON_ACCOUNT_PURPOSE"]})).await;
    let inquiry = match ok(raised.envelope()).response.as_slice() {
        [Item::UserInformationInquiry(i)] => i.clone(),
        other => panic!("{other:?}"),
    };
    let user = match ok(partner.get(&format!("/v1/user/{key}")).await)
        .response
        .as_slice()
    {
        [Item::UserApiKey(k)] => match &k.granted_by_user {
            AnyUser::UserPerson(p) => p.id,
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    let (account, card, cvc2, challenge) = card_with_challenge(app, &own, key).await;
    let f = Frozen {
        status,
        partner,
        own,
        key,
        user,
        provision,
        onboarding,
        session,
        attachment,
        inquiry: inquiry.id,
        pending: inquiry.all_entry[0].entry.id,
        answered: inquiry.all_entry[1].entry.id,
        account,
        card,
        cvc2,
        challenge,
    };
    ok(f.partner
        .put(
            &entry_path(&f, f.answered),
            &InquiryAnswerRequest {
                answer: Some("Salary".into()),
                all_attachment_id: None,
            },
        )
        .await);
    f
}

/// A funded account, a debit card with a CVC2 on it, and a PENDING 3DS challenge on the card.
async fn card_with_challenge(app: &TestApp, own: &Client, key: i64) -> (i64, i64, i64, i64) {
    let account = open(own, key, "bank", &bank("EUR", "Main")).await;
    fund(app, account, "10.00").await;
    let card = ok(order(own, key, &debit_order()).await).id;
    let made = ok(own
        .post(
            &format!("/v1/user/{key}/card/{card}/generated-cvc2"),
            &json!({}),
        )
        .await);
    let cvc2 = match made.response.as_slice() {
        [Item::CardGeneratedCvc2(c)] => c.id,
        other => panic!("no CVC2: {other:?}"),
    };
    let asked = admin_json(
        app,
        &format!("/_provisio/cards/{card}/authorize"),
        json!({"amount": "2.00", "merchant": "Shop BV", "identity_check": true}),
    )
    .await;
    let challenge = match ok(asked.envelope()).response.as_slice() {
        [Item::MasterCardIdentityCheckChallengeRequest(c)] if c.status == "PENDING" => c.id,
        other => panic!("no pending challenge: {other:?}"),
    };
    (account, card, cvc2, challenge)
}

/// Ends the provision the way `f.status` says.
pub async fn end(app: &TestApp, f: &Frozen) {
    match f.status {
        "FAILED" => {
            let denied = admin(
                app,
                Method::POST,
                &format!("/_provisio/provisions/{}/deny", f.provision),
            )
            .await;
            assert_eq!(denied.status, 200);
        }
        "CLOSED" => {
            ok(put(&f.partner, f.provision, "CANCELLED").await);
            app.drain().await;
        }
        _ => ok(put(&f.partner, f.provision, "CANCELLED").await),
    }
    assert_eq!(state(&get(&f.partner, f.provision).await).0, f.status);
}

/// One user of each ending, on one server. CANCELLED ends last: a drain would close it.
pub async fn frozen_users(app: &TestApp) -> Vec<Frozen> {
    let mut users = Vec::new();
    for status in ["FAILED", "CLOSED", "CANCELLED"] {
        users.push(prepare(app, status).await);
    }
    for f in &users {
        end(app, f).await;
    }
    users
}

/// What a change would show: the user's objects as the partner reads them, and the number of
/// webhook deliveries queued on the whole server. Reading them also shows reads still work.
#[derive(Debug, PartialEq)]
pub struct Seen {
    provision: PartnerUserProvision,
    objects: Vec<Vec<Item>>,
    deliveries: usize,
}

pub async fn seen(app: &TestApp, f: &Frozen) -> Seen {
    let key = f.key;
    let mut objects = Vec::new();
    for path in [
        format!("/v1/user/{key}"),
        format!("/v1/user/{key}/user-onboarding/{}", f.onboarding),
        format!("/v1/user/{key}/identity-verification-session/{}", f.session),
        format!("/v1/user/{key}/attachment/{}", f.attachment),
        format!("/v1/user/{key}/user-information-inquiry/{}", f.inquiry),
        format!("/v1/user/{key}/notification-filter-url"),
        format!("/v1/user/{key}/monetary-account"),
        format!("/v1/user/{key}/monetary-account/{}/payment", f.account),
        format!(
            "/v1/user/{key}/monetary-account/{}/mastercard-action",
            f.account
        ),
        format!("/v1/user/{key}/card"),
        format!("/v1/user/{key}/card/{}/generated-cvc2", f.card),
        format!("/v1/user/{key}/challenge-request"),
    ] {
        objects.push(ok(f.partner.get(&path).await).response);
    }
    let listed = admin(app, Method::GET, "/_provisio/deliveries?count=200").await;
    Seen {
        provision: get(&f.partner, f.provision).await,
        objects,
        deliveries: ok(listed.envelope()).response.len(),
    }
}

pub fn refusal(f: &Frozen) -> String {
    format!(
        "This user's provision is {}; the user can no longer be changed.",
        f.status
    )
}

fn assert_refused<T: std::fmt::Debug>(f: &Frozen, what: &str, result: Result<T, ClientError>) {
    let err = result
        .err()
        .unwrap_or_else(|| panic!("{what} was accepted for a {} user", f.status));
    assert_eq!(err.status(), Some(400), "{what}: {err:?}");
    assert_eq!(err.description(), Some(refusal(f).as_str()), "{what}");
}

/// Runs `attempt` on every frozen user and checks that nothing it tried changed anything.
macro_rules! refused_for_every_ending {
    ($app:expr, |$f:ident| $attempt:block) => {
        for $f in frozen_users(&$app).await {
            let before = seen(&$app, &$f).await;
            $attempt
            assert_eq!(seen(&$app, &$f).await, before, "{} user changed", $f.status);
        }
    };
}

for_each_backend! { TestApp::spawn =>
    async fn onboarding_fulfillments_are_refused(app: TestApp) {
        refused_for_every_ending!(app, |f| {
            let base = format!("/v1/user/{}", f.key);
            let main = AddressRequest { address_main: Some(Address { city: Some("Utrecht".into()), ..address() }), ..Default::default() };
            assert_refused(&f, "address-main", f.partner.post(&format!("{base}/address-main"), &main).await);
            let postal = AddressRequest { address_postal: Some(address()), ..Default::default() };
            assert_refused(&f, "address-postal", f.partner.post(&format!("{base}/address-postal"), &postal).await);
            let tax = TaxResidentRequest { tax_resident: vec![TaxResident { country: Some("NL".into()), tax_number: Some("426702311".into()), status: None }] };
            assert_refused(&f, "tax-resident", f.partner.post(&format!("{base}/tax-resident"), &tax).await);
            let nationality = NationalityRequest { all_nationality: vec!["NL".into()] };
            assert_refused(&f, "nationality", f.partner.post(&format!("{base}/nationality"), &nationality).await);
        });
    }

    async fn the_user_person_put_is_refused(app: TestApp) {
        refused_for_every_ending!(app, |f| {
            assert_refused(&f, "user-person", f.partner.put(&format!("/v1/user-person/{}", f.key), &person_details()).await);
            // Refused before the body is read: a bad body gets the same answer.
            assert_refused(&f, "user-person", f.partner.put(&format!("/v1/user-person/{}", f.key), &json!({})).await);
        });
    }

    async fn the_onboarding_post_and_put_are_refused(app: TestApp) {
        refused_for_every_ending!(app, |f| {
            let base = format!("/v1/user/{}/user-onboarding", f.key);
            assert_refused(&f, "onboarding POST", f.partner.post(&base, &OnboardingRequest::default()).await);
            let desired = OnboardingRequest { user_status_desired: Some("ACTIVE".into()), ..Default::default() };
            assert_refused(&f, "onboarding PUT", f.partner.put(&format!("{base}/{}", f.onboarding), &desired).await);
        });
    }

    async fn identity_verification_is_refused(app: TestApp) {
        refused_for_every_ending!(app, |f| {
            let base = format!("/v1/user/{}/identity-verification-session", f.key);
            let incode = IdentityVerificationRequest { purpose: Some("VERIFICATION".into()), provider: Some("INCODE".into()), status: None };
            assert_refused(&f, "verification POST", f.partner.post(&base, &incode).await);
            let submitted = IdentityVerificationRequest { status: Some("SUBMITTED".into()), ..Default::default() };
            assert_refused(&f, "verification PUT", f.partner.put(&format!("{base}/{}", f.session), &submitted).await);
        });
    }

    async fn attachment_uploads_are_refused(app: TestApp) {
        let mut newest = 0;
        refused_for_every_ending!(app, |f| {
            let path = format!("/v1/user/{}/attachment", f.key);
            assert_refused(&f, "attachment", f.partner.upload(&path, "image/png", Some("Passport"), PNG.to_vec()).await);
            newest = newest.max(f.attachment);
        });
        // No attachment was stored: none exists past the newest one made before the ends.
        for id in newest + 1..=newest + 3 {
            assert!(ok_store(app.store.attachment(id).await).is_none(), "attachment {id} exists");
        }
    }

    async fn document_identification_is_refused(app: TestApp) {
        refused_for_every_ending!(app, |f| {
            let body = json!({"document_type": "PASSPORT", "document_country_of_issuance": "NL", "document_attachment_id": f.attachment});
            assert_refused(&f, "document", f.partner.post(&format!("/v1/user/{}/document-identification", f.key), &body).await);
        });
    }

    async fn inquiry_answers_are_refused(app: TestApp) {
        refused_for_every_ending!(app, |f| {
            let answer = InquiryAnswerRequest { answer: Some("Savings".into()), all_attachment_id: None };
            assert_refused(&f, "inquiry answer", f.partner.put(&entry_path(&f, f.pending), &answer).await);
        });
    }

    async fn operators_are_refused_naming_the_state(app: TestApp) {
        refused_for_every_ending!(app, |f| {
            let calls = [
                (format!("/_provisio/users/{}/inquiries", f.key), json!({"entry_types": ["USER_PERSON_SOURCE_OF_INCOME"]})),
                (format!("/_provisio/identity-verifications/{}/decide", f.session), json!({"result": "APPROVED"})),
                (format!("/_provisio/inquiry-entries/{}/review", f.answered), json!({"status": "APPROVED"})),
                (format!("/_provisio/inquiries/{}/finalize", f.inquiry), json!({})),
            ];
            for (path, body) in calls {
                let reply = admin_json(&app, &path, body).await;
                assert_error(&reply, &app.server_key, 400, &refusal(&f));
            }
        });
    }

    async fn the_store_refuses_the_write_itself(app: TestApp) {
        // Past the HTTP layer's check: what a closure racing with a request would meet.
        refused_for_every_ending!(app, |f| {
            let (store, now, user) = (app.store.as_ref(), app.clock.now(), UserId(f.user));
            let frozen = |what: &str, err: Option<StoreError>| match err {
                Some(StoreError::UserFrozen(status)) => assert_eq!(status.as_str(), f.status, "{what}"),
                other => panic!("{what} on a {} user: {other:?}", f.status),
            };
            let inquiry = NewInquiry::validate("ONBOARDING", vec!["USER_PERSON_SOURCE_OF_INCOME".into()], None)
                .unwrap_or_else(|e| panic!("{e}"));
            let document = NewDocument { document_type: "PASSPORT".into(), country: "NL".into(), front: f.attachment, back: None };
            frozen("onboarding", store.onboarding(user, "PARTNER_USER", Some(&inquiry), now).await.err());
            frozen("fulfill", store.fulfill(user, &[(FulfillmentType::Nationality, "[\"NL\"]".into())], Some("Eva Other"), now).await.err());
            frozen("verification", store.create_identity_verification(user, "NL", "incode_x", now).await.err());
            frozen("submit", store.submit_identity_verification(f.session, now, now).await.err());
            frozen("decide", store.process_identity_verification(f.session, &Verdict::approved(), now).await.err());
            frozen("attachment", store.store_attachment(user, "image/png", None, PNG.to_vec(), now).await.err());
            frozen("document", store.create_document(user, &document, now).await.err());
            frozen("raise", store.raise_inquiry(user, &inquiry, now).await.err());
            frozen("answer", store.answer_entry(f.pending, "[]", now).await.err());
            frozen("review", store.review_entry(f.answered, true, None, false, now).await.err());
            frozen("finalize", store.finalize_inquiry(f.inquiry, now).await.err());
            frozen("filters", store.replace_filters(user, None, &[], now).await.err());
        });
    }
}

fn ok_store<T>(result: Result<T, StoreError>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

for_each_backend! { TestApp::spawn =>
    async fn a_review_due_after_the_end_is_dropped(app: TestApp) {
        let f = prepare(&app, "CLOSED").await;
        let submitted = IdentityVerificationRequest { status: Some("SUBMITTED".into()), ..Default::default() };
        ok(f.partner.put(&format!("/v1/user/{}/identity-verification-session/{}", f.key, f.session), &submitted).await);
        end(&app, &f).await;
        let before = seen(&app, &f).await;
        let jobs = ok_store(app.store.pending_jobs().await);
        // The sandbox review falls due: it decides nothing for a closed user, and says nothing,
        // and is done (not failing and retried for ever).
        app.clock.advance(std::time::Duration::from_secs(60));
        app.drain().await;
        assert_eq!(seen(&app, &f).await, before);
        assert_eq!(ok_store(app.store.pending_jobs().await), jobs - 1, "the review is done");
    }
}
