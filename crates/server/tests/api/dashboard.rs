//! The dashboard at `/_provisio/ui/` over HTTP: its login, its guards against other sites'
//! forms, escaping, and a button that is the operator API's own call. (The same pages in a
//! real browser: crates/provisio/tests/dashboard.rs.)

use provisio_client::wire::requests::ProvisionRequest;
use provisio_server::{Profile, ServerConfig};
use reqwest::{header, redirect::Policy, StatusCode};

use crate::{helpers::*, provisioning::*};

pub(crate) fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

pub(crate) async fn fetch(app: &TestApp, path: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut request = http().get(format!("{}{path}", app.base_url));
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.send().await.unwrap_or_else(|e| panic!("{e}"))
}

/// A form POST from `origin` (None: no Origin header), with `cookie`.
pub(crate) async fn post(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    origin: Option<&str>,
    form: &str,
) -> reqwest::Response {
    let mut request = http()
        .post(format!("{}{path}", app.base_url))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form.to_owned());
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    if let Some(origin) = origin {
        request = request.header(header::ORIGIN, origin);
    }
    request.send().await.unwrap_or_else(|e| panic!("{e}"))
}

pub(crate) fn location(response: &reqwest::Response) -> &str {
    response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// Signs in; answers the session cookie (`name=value`).
pub(crate) async fn sign_in(app: &TestApp) -> String {
    let token = format!("token={}", app.admin_token);
    let response = post(
        app,
        "/_provisio/ui/login",
        None,
        Some(&app.base_url),
        &token,
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/_provisio/ui/");
    let set = response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no cookie"))
        .to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    assert!(
        !set.contains(&app.admin_token),
        "the cookie is not the token"
    );
    set.split(';').next().unwrap_or_default().to_owned()
}

/// The form token of a page (every form carries it).
pub(crate) async fn form_token(app: &TestApp, cookie: &str, path: &str) -> String {
    let page = fetch(app, path, Some(cookie))
        .await
        .text()
        .await
        .unwrap_or_default();
    let after = page
        .split("name=\"form_token\" value=\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no form token in {page}"));
    after.split('"').next().unwrap_or_default().to_owned()
}

for_each_backend! { TestApp::spawn =>
    async fn only_the_admin_token_opens_the_dashboard(app: TestApp) {
        let signed_out = fetch(&app, "/_provisio/ui/", None).await;
        assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&signed_out), "/_provisio/ui/login");
        let forged = fetch(&app, "/_provisio/ui/", Some("provisio_ui=abc.def")).await;
        assert_eq!(location(&forged), "/_provisio/ui/login");

        let wrong = post(&app, "/_provisio/ui/login", None, Some(&app.base_url), "token=admin_nope").await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        assert!(wrong.headers().get(header::SET_COOKIE).is_none());
        assert!(wrong.text().await.unwrap_or_default().contains("not the admin token"));
        // Another site's login form is refused before the token is even looked at.
        let elsewhere = format!("token={}", app.admin_token);
        let foreign = post(&app, "/_provisio/ui/login", None, Some("https://evil.example"), &elsewhere).await;
        assert_eq!(foreign.status(), StatusCode::FORBIDDEN);

        let cookie = sign_in(&app).await;
        let page = fetch(&app, "/_provisio/ui/", Some(&cookie)).await;
        assert_eq!(page.status(), StatusCode::OK);
        let csp = page.headers().get(header::CONTENT_SECURITY_POLICY).cloned();
        assert!(csp.is_some_and(|v| v.to_str().unwrap_or_default().contains("frame-ancestors 'none'")));
        let html = page.text().await.unwrap_or_default();
        assert!(html.contains("<html lang=\"en\">") && html.contains("<main"), "{html}");
        assert!(html.contains("Acme BV"), "{html}");
    }

    async fn a_button_is_the_operator_call_and_other_sites_cannot_press_it(app: TestApp) {
        let client = ready_partner(&app).await;
        let (id, _) = onboarding(&app, &client).await;
        let cookie = sign_in(&app).await;
        let page = format!("/_provisio/ui/provisions/{id}");
        let token = form_token(&app, &cookie, &page).await;
        let approve = format!("{page}/approve");
        let waiting = ("CREATED", "PENDING_PROCESS_USER_ONBOARDING", "USER");

        // No Origin (nor Referer), another origin, a wrong form token, no session: refused,
        // and nothing changed.
        let form = format!("form_token={token}");
        let none = post(&app, &approve, Some(&cookie), None, &form).await;
        assert_eq!(none.status(), StatusCode::FORBIDDEN);
        let foreign = post(&app, &approve, Some(&cookie), Some("http://evil.example"), &form).await;
        assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
        let stale = post(&app, &approve, Some(&cookie), Some(&app.base_url), "form_token=0000").await;
        assert_eq!(stale.status(), StatusCode::FORBIDDEN);
        let anonymous = post(&app, &approve, None, Some(&app.base_url), &form).await;
        assert_eq!(location(&anonymous), "/_provisio/ui/login");
        assert_eq!(state(&get(&client, id).await), waiting);

        let done = post(&app, &approve, Some(&cookie), Some(&app.base_url), &form).await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&done), page);
        assert_eq!(state(&get(&client, id).await), ("ACTIVE", "NONE", "NONE"));
        // The next page shows the result once.
        let flash = done
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .unwrap_or_default()
            .to_owned();
        let shown = fetch(&app, &page, Some(&format!("{cookie}; {flash}"))).await;
        assert!(shown.headers().get(header::SET_COOKIE).is_some(), "the message is cleared");
        assert!(shown.text().await.unwrap_or_default().contains("Approve onboarding: done."));

        // A refusal is the operator API's own, shown on the page.
        let again = post(&app, &approve, Some(&cookie), Some(&app.base_url), &form).await;
        let flash = again
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .unwrap_or_default()
            .to_owned();
        let shown = fetch(&app, &page, Some(&format!("{cookie}; {flash}"))).await;
        let html = shown.text().await.unwrap_or_default();
        assert!(html.contains("Refused: Provision") && html.contains("is ACTIVE/NONE"), "{html}");
    }

    async fn inquiries_are_raised_and_finalized_from_the_provision_page(app: TestApp) {
        use provisio_core::{inquiry::{InquiryFilter, InquiryStatus}, model::{PageBound, PageQuery, ProvisionId}};

        let client = ready_partner(&app).await;
        let (id, _) = onboarding(&app, &client).await;
        let provision = app.store.provision(ProvisionId(id)).await.unwrap_or_else(|e| panic!("{e}"));
        let user = provision.and_then(|p| p.user).unwrap_or_else(|| panic!("no user")).id;
        let cookie = sign_in(&app).await;
        let page = format!("/_provisio/ui/provisions/{id}");
        let form = format!("form_token={}", form_token(&app, &cookie, &page).await);
        let inquiries = || async {
            app.store
                .inquiries(user, &InquiryFilter::default(), PageQuery { count: 10, bound: PageBound::Newest })
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .items
        };

        let raise = format!("/_provisio/ui/users/{}/inquiries", user.0);
        let unknown = format!("{form}&purpose=ONBOARDING&entry_types=NOPE");
        let refused = post(&app, &raise, Some(&cookie), Some(&app.base_url), &unknown).await;
        assert_eq!(refused.status(), StatusCode::SEE_OTHER);
        assert!(inquiries().await.is_empty(), "a refused inquiry is not raised");
        let asked = format!("{form}&purpose=ONBOARDING&entry_types=USER_PERSON_SOURCE_OF_FUND%2C+USER_PERSON_ACCOUNT_PURPOSE");
        post(&app, &raise, Some(&cookie), Some(&app.base_url), &asked).await;
        let raised = inquiries().await;
        let [inquiry] = raised.as_slice() else { panic!("{raised:?}") };
        assert_eq!(inquiry.entries.len(), 2);
        assert_eq!(inquiry.status, InquiryStatus::ExpectingReplyFromUser);

        let html = fetch(&app, &page, Some(&cookie)).await.text().await.unwrap_or_default();
        let finalize = format!("/_provisio/ui/inquiries/{}/finalize", inquiry.id);
        assert!(html.contains("USER_PERSON_SOURCE_OF_FUND") && html.contains(&finalize), "{html}");
        post(&app, &finalize, Some(&cookie), Some(&app.base_url), &form).await;
        assert_eq!(inquiries().await[0].status, InquiryStatus::Finalized);
    }

    async fn an_identity_verification_is_decided_from_the_provision_page(app: TestApp) {
        use crate::{onboarding::onboarding_user, verification::{fulfill_all, start_verification, verification}};

        let (partner, user, key, provision) = onboarding_user(&app).await;
        fulfill_all(&user, key, "de Vries").await;
        let id = start_verification(&user, key).await;
        let cookie = sign_in(&app).await;
        let page = format!("/_provisio/ui/provisions/{provision}");
        let html = fetch(&app, &page, Some(&cookie)).await.text().await.unwrap_or_default();
        let decide = format!("/_provisio/ui/identity-verifications/{id}/decide");
        assert!(html.contains(&decide), "{html}");
        let form = format!("form_token={}", form_token(&app, &cookie, &page).await);
        let rejected = format!("{form}&result=REJECTED&all_fail_reason=FACE_MISMATCH");
        let done = post(&app, &decide, Some(&cookie), Some(&app.base_url), &rejected).await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        let result = verification(&user, key, id).await.result.unwrap_or_else(|| panic!("no result"));
        assert_eq!((result.result.as_str(), result.all_fail_reason.clone()), ("REJECTED", vec!["FACE_MISMATCH".to_owned()]));
        assert_eq!(state(&get(&partner, provision).await), ("FAILED", "NONE", "NONE"));
        // Decided: no more buttons for it.
        let html = fetch(&app, &page, Some(&cookie)).await.text().await.unwrap_or_default();
        assert!(!html.contains(&decide), "{html}");
    }

    async fn the_provision_list_filters_by_sub_status_and_escapes_what_it_shows(app: TestApp) {
        let client = ready_partner(&app).await;
        let (waiting, _) = onboarding(&app, &client).await;
        let odd = "<script>alert(1)</script>";
        let created = create(&client, &ProvisionRequest {
            email: Some(format!("{odd}@example.com")),
            ..person(&new_uuid())
        }).await;
        let cookie = sign_in(&app).await;
        let list = |query: String| {
            let (app, cookie) = (&app, &cookie);
            async move {
                fetch(app, &format!("/_provisio/ui/partners/{}{query}", app.partner_id), Some(cookie))
                    .await.text().await.unwrap_or_default()
            }
        };
        let link = |id: i64| format!("href=\"/_provisio/ui/provisions/{id}\"");
        let all = list(String::new()).await;
        assert!(all.contains(&link(waiting)) && all.contains(&link(created)));
        let onboarding = list("?sub_status=PENDING_PROCESS_USER_ONBOARDING".into()).await;
        assert!(onboarding.contains(&link(waiting)) && !onboarding.contains(&link(created)), "{onboarding}");
        let bad = list("?sub_status=NOPE".into()).await;
        assert!(bad.contains("is not a sub-status"), "{bad}");
        let uuid = get(&client, waiting).await.external_uuid.to_uppercase().replace('-', "");
        let found = list(format!("?external_uuid={uuid}")).await;
        assert!(found.contains(&link(waiting)) && !found.contains(&link(created)), "{found}");

        let page = fetch(&app, &format!("/_provisio/ui/provisions/{created}"), Some(&cookie))
            .await.text().await.unwrap_or_default();
        assert!(!page.contains(odd) && page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{page}");
    }
}

for_each_backend! { TestApp::spawn =>
    async fn a_card_payment_is_simulated_settled_and_refused_from_the_cards_pages(app: TestApp) {
        use provisio_core::model::{CardId, ChallengeId, MasterCardActionId, MonetaryAccountId, PageBound, PageQuery, ProvisionId};
        use provisio_core::card::action::{AuthorisationStatus, SettlementStatus};

        let (_, user, key, account, card, provision) = crate::card_transactions::card_holder(&app, "20.00").await;
        // `key` is the id the user's own context calls its user (its UserApiKey's), which the
        // page resolves to the user, as the API does; the store knows the user by its own id.
        let owner = app.store.provision(ProvisionId(provision)).await.ok().flatten()
            .and_then(|p| p.user).unwrap_or_else(|| panic!("no user")).id;
        let cookie = sign_in(&app).await;
        let cards = format!("/_provisio/ui/cards?user={key}");
        let html = fetch(&app, &cards, Some(&cookie)).await.text().await.unwrap_or_default();
        assert!(html.contains(&format!("<option value=\"{card}\">")), "the card is offered: {html}");
        assert!(html.contains("Groceries") && html.contains("No identity checks"), "{html}");
        let form = format!("form_token={}", form_token(&app, &cookie, &cards).await);
        let actions = || async {
            app.store
                .mastercard_actions(owner, MonetaryAccountId(account), PageQuery { count: 50, bound: PageBound::Newest })
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .items
        };
        let flash_of = |response: &reqwest::Response| {
            response.headers().get(header::SET_COOKIE).and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(';').next()).unwrap_or_default().to_owned()
        };
        let authorize = |body: String| {
            let (app, cookie, cards) = (&app, &cookie, &cards);
            async move {
                let origin = app.base_url.clone();
                let mut request = http()
                    .post(format!("{}/_provisio/ui/cards/authorize", app.base_url))
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::COOKIE, cookie.as_str())
                    .header(header::ORIGIN, origin.as_str())
                    .header(header::REFERER, format!("{}{cards}", app.base_url));
                request = request.body(body);
                request.send().await.unwrap_or_else(|e| panic!("{e}"))
            }
        };

        // A bad amount is refused with the card network's words, and nothing is recorded.
        let refused = authorize(format!("{form}&card={card}&amount=12%2C5&merchant=Coffee+BV")).await;
        assert_eq!((refused.status(), location(&refused)), (StatusCode::SEE_OTHER, cards.as_str()));
        let shown = fetch(&app, &cards, Some(&format!("{cookie}; {}", flash_of(&refused)))).await;
        assert!(shown.text().await.unwrap_or_default().contains("Refused: amount"), "the refusal is shown");
        assert!(actions().await.is_empty());
        assert_eq!(crate::card_transactions::balance(&user, key, account).await, "20.00");

        // An approval moves the money and says so; a forced decline moves none.
        let paid = authorize(format!("{form}&card={card}&amount=12.50&merchant=Coffee+BV&country=NL&decline_reason=")).await;
        let shown = fetch(&app, &cards, Some(&format!("{cookie}; {}", flash_of(&paid)))).await;
        assert!(shown.text().await.unwrap_or_default().contains("12.50 EUR at Coffee BV, ALLOWED"));
        assert_eq!(crate::card_transactions::balance(&user, key, account).await, "7.50");
        authorize(format!("{form}&card={card}&amount=1.00&merchant=Shady+Ltd&decline_reason=SUSPECTED_FRAUD")).await;
        assert_eq!(crate::card_transactions::balance(&user, key, account).await, "7.50");
        let recorded = actions().await;
        assert_eq!(recorded.iter().map(|a| a.decision.as_str()).collect::<Vec<_>>(), ["SUSPECTED_FRAUD", "ALLOWED"]);

        // 3DS: a challenge waits for the user and is listed.
        authorize(format!("{form}&card={card}&amount=2.00&merchant=Web+Shop&identity_check=true")).await;
        let challenges = app.store.challenges(owner, &[], PageQuery { count: 10, bound: PageBound::Newest }).await.unwrap_or_else(|e| panic!("{e}")).items;
        let [challenge] = challenges.as_slice() else { panic!("{challenges:?}") };
        assert_eq!(challenge.card_id, CardId(card));
        let html = fetch(&app, &cards, Some(&cookie)).await.text().await.unwrap_or_default();
        assert!(html.contains("id=\"challenges\"") && html.contains("Web Shop") && html.contains("PENDING"), "{html}");
        assert!(app.store.challenge(owner, ChallengeId(challenge.id.0)).await.is_ok_and(|c| c.is_some()));

        // The account's card transactions: settle the approval; reversing it then is refused.
        let list = format!("/_provisio/ui/users/{}/accounts/{account}/card-transactions", owner.0);
        assert!(html.contains(&list), "the card links to its account's card transactions: {html}");
        let html = fetch(&app, &list, Some(&cookie)).await.text().await.unwrap_or_default();
        let approved = recorded[1].id.0;
        let settle = format!("/_provisio/ui/mastercard-actions/{approved}/settle");
        let reverse = format!("/_provisio/ui/mastercard-actions/{approved}/reverse");
        assert!(html.contains(&settle) && html.contains(&reverse) && html.contains("Shady Ltd"), "{html}");
        assert!(!html.contains(&format!("/_provisio/ui/mastercard-actions/{}/settle", recorded[0].id.0)), "a decline has no buttons");
        let settled = post(&app, &settle, Some(&cookie), Some(&app.base_url), &form).await;
        assert_eq!(settled.status(), StatusCode::SEE_OTHER);
        let after = app.store.mastercard_action(owner, MonetaryAccountId(account), MasterCardActionId(approved)).await.unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("gone"));
        assert_eq!((after.authorisation_status, after.settlement_status), (AuthorisationStatus::Authorised, SettlementStatus::Settled));
        let again = post(&app, &reverse, Some(&cookie), Some(&app.base_url), &form).await;
        let shown = fetch(&app, &list, Some(&format!("{cookie}; {}", flash_of(&again)))).await;
        assert!(shown.text().await.unwrap_or_default().contains("Refused:"), "reversing a settled one is refused");
        assert_eq!(crate::card_transactions::balance(&user, key, account).await, "7.50");
        let html = fetch(&app, &list, Some(&cookie)).await.text().await.unwrap_or_default();
        assert!(!html.contains(&settle), "a settled transaction has no buttons: {html}");
    }
}

async fn strict_production(backend: provisio_store::Backend) -> TestApp {
    let config = ServerConfig {
        profile: Profile::Strict,
        environment: provisio_core::model::Environment::Production,
        ..test_config()
    };
    TestApp::spawn_with(backend, config).await
}

for_each_backend! { strict_production =>
    async fn there_is_no_dashboard_where_there_is_no_operator_api(app: TestApp) {
        for path in ["/_provisio/ui/", "/_provisio/ui/login", "/_provisio/ui/deliveries"] {
            assert_eq!(fetch(&app, path, None).await.status(), StatusCode::NOT_FOUND, "{path}");
        }
        let login = post(&app, "/_provisio/ui/login", None, Some(&app.base_url), "token=x").await;
        assert_eq!(login.status(), StatusCode::NOT_FOUND);
    }
}
