//! Compliance inquiries (spec G), and who may call the onboarding and compliance routes (J-8).

use provisio_client::{
    wire::{
        kyc::UserInformationInquiry,
        requests::{AddressRequest, InquiryAnswerRequest, OnboardingRequest},
        Item,
    },
    Client,
};
use provisio_server::ServerConfig;

use crate::{
    helpers::*,
    onboarding::*,
    provisioning::*,
    verification::{admin_json, onboarding_of, subscribe},
};

async fn inquiries(client: &Client, key: i64, query: &str) -> Vec<UserInformationInquiry> {
    let read = client
        .get(&format!("/v1/user/{key}/user-information-inquiry{query}"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    read.response
        .into_iter()
        .map(|item| match item {
            Item::UserInformationInquiry(i) => i,
            other => panic!("{other:?}"),
        })
        .collect()
}

async fn inquiry(client: &Client, key: i64, id: i64) -> UserInformationInquiry {
    let read = client
        .get(&format!("/v1/user/{key}/user-information-inquiry/{id}"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    match read.response.as_slice() {
        [Item::UserInformationInquiry(i)] => i.clone(),
        other => panic!("{other:?}"),
    }
}

fn text(answer: &str) -> InquiryAnswerRequest {
    InquiryAnswerRequest {
        answer: Some(answer.into()),
        all_attachment_id: None,
    }
}

fn entry_path(key: i64, inquiry: i64, entry: i64) -> String {
    format!("/v1/user/{key}/user-information-inquiry/{inquiry}/partner-user-information-inquiry-entry/{entry}")
}

async fn review(app: &TestApp, entry: i64, body: serde_json::Value) {
    let reply = admin_json(
        app,
        &format!("/_provisio/inquiry-entries/{entry}/review"),
        body,
    )
    .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
}

/// Raising an ONBOARDING inquiry automatically, as `--onboarding-inquiry` does.
async fn with_onboarding_inquiry(backend: provisio_store::Backend) -> TestApp {
    let mut config = test_config();
    config.onboarding.onboarding_inquiry = vec!["USER_PERSON_SOURCE_OF_FUND".into()];
    TestApp::spawn_with(backend, config).await
}

for_each_backend! { with_onboarding_inquiry =>
    async fn an_inquiry_is_answered_entry_by_entry_then_finalized(app: TestApp) {
        let (partner, user, key, _) = onboarding_user(&app).await;
        let receiver = Receiver::start().await;
        subscribe(&partner, key, "USER_INFORMATION_INQUIRY", &receiver.url).await;
        user.post(&format!("/v1/user/{key}/user-onboarding"), &OnboardingRequest::default())
            .await.unwrap_or_else(|e| panic!("{e}"));
        // The configured rule raised one; the compliance team adds a question, merged into it.
        let raised = admin_json(&app, &format!("/_provisio/users/{key}/inquiries"),
            serde_json::json!({"purpose": "ONBOARDING", "entry_types": ["USER_PERSON_ACCOUNT_PURPOSE"]})).await;
        assert_eq!(raised.status, 200, "{:?}", raised.body);
        let open = inquiries(&user, key, "?status=EXPECTING_REPLY_FROM_USER&purpose=ONBOARDING&type=USER_PERSON").await;
        let [i] = open.as_slice() else { panic!("{open:?}") };
        let id = i.id;
        let kinds: Vec<_> = i.all_entry.iter().map(|e| (e.entry.kind.as_str(), e.entry.status.as_str())).collect();
        assert_eq!(kinds, vec![("USER_PERSON_SOURCE_OF_FUND", "PENDING"), ("USER_PERSON_ACCOUNT_PURPOSE", "PENDING")]);
        let (first, second) = (i.all_entry[0].entry.id, i.all_entry[1].entry.id);
        assert!(inquiries(&user, key, "?status=FINALIZED").await.is_empty());
        // An open onboarding inquiry is something the user must do.
        assert_eq!(onboarding_of(&user, key).await.action_required, "USER");

        // Answering: text, then an attachment of the user's own.
        partner.put(&entry_path(key, id, first), &text("Salary")).await.unwrap_or_else(|e| panic!("{e}"));
        let i = inquiry(&user, key, id).await;
        assert_eq!((i.status.as_str(), i.all_entry[0].entry.status.as_str()), ("EXPECTING_REPLY_FROM_USER", "WAITING_FOR_REVIEW"));
        assert_eq!(i.all_entry[0].entry.all_data_submitted, serde_json::json!([{"type": "FREE_TEXT", "value": "Salary"}]));
        let payslip = user.upload(&format!("/v1/user/{key}/attachment"), "application/pdf", Some("Payslip"), b"%PDF-1.7\n%\xe2\xe3\n".to_vec())
            .await.unwrap_or_else(|e| panic!("{e}"));
        let payslip = first_id(&payslip.response);
        user.put(&entry_path(key, id, second), &InquiryAnswerRequest { answer: Some("Savings".into()), all_attachment_id: Some(vec![payslip]) })
            .await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(inquiry(&user, key, id).await.status, "EXPECTING_REPLY_FROM_BUNQ");

        // bunq rejects the second answer and asks again; the user answers; bunq approves.
        review(&app, first, serde_json::json!({"status": "APPROVED"})).await;
        review(&app, second, serde_json::json!({"status": "REJECTED", "reject_reason": "Unreadable", "reopen": true})).await;
        let i = inquiry(&user, key, id).await;
        assert_eq!(i.status, "EXPECTING_REPLY_FROM_USER");
        let statuses: Vec<_> = i.all_entry.iter().map(|e| e.entry.status.as_str()).collect();
        assert_eq!(statuses, vec!["APPROVED", "REJECTED", "PENDING"]);
        assert_eq!(i.all_entry[1].entry.reject_reason.as_deref(), Some("Unreadable"));
        let third = i.all_entry[2].entry.id;
        user.put(&entry_path(key, id, third), &text("Savings, see the new payslip")).await.unwrap_or_else(|e| panic!("{e}"));
        review(&app, third, serde_json::json!({"status": "APPROVED"})).await;
        let i = inquiry(&user, key, id).await;
        assert_eq!(i.status, "FINALIZED");
        assert_eq!(inquiries(&user, key, "?status=FINALIZED").await.len(), 1);

        app.deliver().await;
        let events: Vec<String> = receiver.received().iter().map(|r| r.json())
            .map(|b| b["NotificationUrl"]["event_type"].as_str().unwrap_or_default().trim_start_matches("USER_INFORMATION_INQUIRY_").to_owned())
            .collect();
        assert_eq!(events, vec!["EXPECTING_REPLY_FROM_USER", "EXPECTING_REPLY_FROM_USER", "EXPECTING_REPLY_FROM_BUNQ",
            "EXPECTING_REPLY_FROM_USER", "EXPECTING_REPLY_FROM_BUNQ", "FINALIZED"]);
        let last = receiver.received().last().map(|r| r.json()).unwrap_or_default();
        assert_eq!(last["NotificationUrl"]["object"]["UserInformationInquiry"]["status"], "FINALIZED");
    }

    async fn answers_follow_the_rules(app: TestApp) {
        let (_, user, key, _) = onboarding_user(&app).await;
        let (_, other, other_key, _) = onboarding_user(&app).await;
        user.post(&format!("/v1/user/{key}/user-onboarding"), &OnboardingRequest::default())
            .await.unwrap_or_else(|e| panic!("{e}"));
        let [i] = inquiries(&user, key, "").await.try_into().unwrap_or_else(|v| panic!("{v:?}"));
        let entry = i.all_entry[0].entry.id;
        // Pagination links are absolute paths that keep the filters.
        let query = "status=EXPECTING_REPLY_FROM_USER&count=1";
        let page = user.get(&format!("/v1/user/{key}/user-information-inquiry?{query}")).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(page.pagination.and_then(|p| p.future_url),
            Some(format!("/v1/user/{key}/user-information-inquiry?{query}&newer_id={}", i.id)));
        let theirs = other.upload(&format!("/v1/user/{other_key}/attachment"), "application/pdf", None, b"%PDF-1.4\n".to_vec())
            .await.unwrap_or_else(|e| panic!("{e}"));
        let theirs = first_id(&theirs.response);
        let cases = [
            (entry_path(key, i.id, entry), InquiryAnswerRequest::default(), 400, "answer"),
            (entry_path(key, i.id, entry), InquiryAnswerRequest { answer: None, all_attachment_id: Some(vec![theirs]) }, 400, "not an attachment of this user"),
            (entry_path(key, i.id, entry + 1000), text("x"), 404, "Entry not found"),
            (entry_path(key, i.id + 1000, entry), text("x"), 404, "Inquiry not found"),
            // Another user's inquiry is not there at all.
            (entry_path(other_key, i.id, entry), text("x"), 404, "Inquiry not found"),
        ];
        for (path, body, status, description) in cases {
            let client = if path.contains(&format!("/user/{other_key}/")) { &other } else { &user };
            let err = client.put(&path, &body).await.err();
            assert_eq!(err.as_ref().and_then(|e| e.status()), Some(status), "{path}: {err:?}");
            assert!(err.as_ref().and_then(|e| e.description()).is_some_and(|d| d.contains(description)), "{err:?} lacks {description}");
        }
        user.put(&entry_path(key, i.id, entry), &text("Salary")).await.unwrap_or_else(|e| panic!("{e}"));
        let twice = user.put(&entry_path(key, i.id, entry), &text("Salary")).await.err();
        assert!(twice.as_ref().and_then(|e| e.description()).is_some_and(|d| d.contains("only PENDING")), "{twice:?}");
        let bad = user.get(&format!("/v1/user/{key}/user-information-inquiry?status=OPEN")).await.err();
        assert_eq!(bad.and_then(|e| e.status()), Some(400));
        // Finalizing cancels what is still open.
        let done = admin_json(&app, &format!("/_provisio/inquiries/{}/finalize", i.id), serde_json::json!({})).await;
        assert_eq!(done.status, 200);
        let i = inquiry(&user, key, i.id).await;
        assert_eq!((i.status.as_str(), i.all_entry[0].entry.status.as_str()), ("FINALIZED", "CANCELLED"));
    }
}

for_each_backend! { TestApp::spawn =>
    async fn operators_raise_known_types_and_review_only_answers(app: TestApp) {
        let (_, user, key, _) = onboarding_user(&app).await;
        let raise_path = format!("/_provisio/users/{key}/inquiries");
        let raise = |types: serde_json::Value| admin_json(&app, &raise_path,
            serde_json::json!({"purpose": "ONBOARDING", "entry_types": types}));
        let bad = raise(serde_json::json!(["NOT_A_TYPE"])).await;
        assert_error(&bad, &app.server_key, 400, "Entry type \"NOT_A_TYPE\" is not one of USER_PERSON_INVOLVEMENT_IN_POLITICS, ");
        assert_error(&bad, &app.server_key, 400, "USER_COMPANY_SOURCE_OF_FUND.");
        assert!(inquiries(&user, key, "").await.is_empty(), "nothing was raised");

        let raised = raise(serde_json::json!(["USER_PERSON_SOURCE_OF_FUND"])).await;
        let i = match raised.envelope().unwrap_or_else(|e| panic!("{e}")).response.as_slice() {
            [Item::UserInformationInquiry(i)] => i.clone(),
            other => panic!("{other:?}"),
        };
        let entry = i.all_entry[0].entry.id;
        let review_path = format!("/_provisio/inquiry-entries/{entry}/review");
        let review = |status: &str| admin_json(&app, &review_path, serde_json::json!({"status": status}));
        let early = review("APPROVED").await;
        assert_error(&early, &app.server_key, 400, &format!("Entry {entry} is PENDING: the user has not answered it yet"));
        assert_eq!(inquiry(&user, key, i.id).await.all_entry[0].entry.status, "PENDING");

        user.put(&entry_path(key, i.id, entry), &text("Salary")).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(review("APPROVED").await.status, 200);
        assert_error(&review("REJECTED").await, &app.server_key, 400, &format!("Entry {entry} is APPROVED: it has been reviewed already."));
        let unknown = admin_json(&app, "/_provisio/inquiry-entries/999999/review", serde_json::json!({"status": "APPROVED"})).await;
        assert_error(&unknown, &app.server_key, 404, "not found");
    }
}

async fn user_session_only(backend: provisio_store::Backend) -> TestApp {
    let mut config: ServerConfig = test_config();
    config.onboarding.user_session_only = true;
    TestApp::spawn_with(backend, config).await
}

for_each_backend! { user_session_only =>
    async fn the_documented_rule_keeps_the_partner_out(app: TestApp) {
        let (partner, user, key, _) = onboarding_user(&app).await;
        let body = AddressRequest { address_main: Some(address()), ..Default::default() };
        user.post(&format!("/v1/user/{key}/address-main"), &body).await.unwrap_or_else(|e| panic!("{e}"));
        for path in [format!("/v1/user/{key}/user-onboarding"), format!("/v1/user/{key}/user-information-inquiry")] {
            let err = partner.get(&path).await.err();
            assert_eq!(err.as_ref().and_then(|e| e.status()), Some(403), "{path}");
            assert!(err.as_ref().and_then(|e| e.description()).is_some_and(|d| d.contains("own session")), "{err:?}");
        }
        // The partner still manages its own webhooks for the user.
        subscribe(&partner, key, "USER_ONBOARDING", "https://partner.example/hooks").await;
    }
}

for_each_backend! { strict =>
    async fn the_strict_profile_applies_the_documented_rule(app: TestApp) {
        let (partner, user, key, _) = onboarding_user(&app).await;
        let path = format!("/v1/user/{key}/user-onboarding");
        let err = partner.get(&path).await.err();
        assert_eq!(err.and_then(|e| e.status()), Some(403));
        user.get(&path).await.unwrap_or_else(|e| panic!("{e}"));
    }
}
