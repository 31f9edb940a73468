//! OAuth for users who already bank here (issue 19), end to end over HTTP: the consent page
//! visited and its form posted as a browser does, the code exchanged at `POST /v1/token`, a
//! context opened with the access token (a `UserApiKey` of the consenting user), a payment
//! made for the user, the partner's own routes out of reach, the grant revoked and its session
//! refused at once; codes that are reused, expired (on the virtual clock), foreign or for
//! another callback refused with RFC 6749's errors; a cancelled client ending its grants.

use provisio_client::{wire::Item, Client, Request};
use reqwest::{redirect::Policy, Method};
use serde_json::{json, Value};

use crate::{
    accounts::{active_user, bank, banks, open, own_id},
    cards::ok,
    helpers::*,
    payments::{fund, pay, payments, to},
    provisioning::ready_partner,
    sandbox_clock::advance,
};

fn body(reply: &provisio_client::Reply) -> Value {
    serde_json::from_slice(&reply.body).unwrap_or(Value::Null)
}

pub(crate) const CALLBACK: &str = "https://partner.example/oauth/callback";

/// The partner's OAuth client: (client_id, secret).
pub(crate) async fn credentials(partner: &Client) -> (String, String) {
    let list = ok(partner.get("/v1/oauth-client").await);
    match list.response.as_slice() {
        [Item::OauthClient(c), ..] => (c.client_id.clone(), c.secret.clone()),
        other => panic!("{other:?}"),
    }
}

/// A sandbox person who may consent: its client, id and main account (with money on it).
pub(crate) async fn sandbox_person(app: &TestApp) -> (Client, i64, i64) {
    let reply = app
        .send(Request::new(Method::POST, "/v1/sandbox-user-person").body("{}"))
        .await;
    let envelope = reply.envelope().unwrap_or_else(|e| panic!("{e}"));
    let [Item::ApiKey(key)] = envelope.response.as_slice() else {
        panic!("{envelope:?}")
    };
    let client = Client::builder(&app.base_url, &key.api_key)
        .signing_key(test_key())
        .connect()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let me = own_id(&client).await;
    let account = banks(&client, me)
        .await
        .pop()
        .unwrap_or_else(|| panic!("no account"))
        .id;
    fund(app, account, "100.00").await;
    (client, me, account)
}

/// A tenant of its own (a sandbox company) with an OAuth client calling back to `CALLBACK`.
async fn sandbox_company(app: &TestApp) -> Client {
    let reply = app
        .send(Request::new(Method::POST, "/v1/sandbox-user-company").body("{}"))
        .await;
    let envelope = reply.envelope().unwrap_or_else(|e| panic!("{e}"));
    let [Item::ApiKey(key)] = envelope.response.as_slice() else {
        panic!("{envelope:?}")
    };
    let client = connect(app, &key.api_key).await;
    ok(client.create_oauth_client(CALLBACK).await);
    client
}

/// A browser: it shows redirects instead of following them.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn encode(text: &str) -> String {
    provisio_core::provision::consent::encode(text)
}

/// The consent page for `client_id` and `redirect_uri`: (status, HTML).
async fn consent_page(app: &TestApp, client_id: &str, redirect_uri: &str) -> (u16, String) {
    let url = format!(
        "{}/auth?response_type=code&client_id={}&redirect_uri={}&state=s%201",
        app.base_url,
        encode(client_id),
        encode(redirect_uri)
    );
    let reply = browser()
        .get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = reply.status().as_u16();
    (status, reply.text().await.unwrap_or_default())
}

/// The consent form posted from the page (same origin, unless `origin` says otherwise):
/// (status, Location).
async fn post_consent(
    app: &TestApp,
    fields: &[(&str, &str)],
    origin: &str,
) -> (u16, Option<String>) {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let reply = browser()
        .post(format!("{}/auth", app.base_url))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", origin)
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let location = reply
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (reply.status().as_u16(), location)
}

/// The value of `name` in a URL's query.
fn query_value(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.replace("%20", " "))
    })
}

/// `POST /v1/token` for `code`: (status, JSON).
pub(crate) async fn exchange(
    app: &TestApp,
    code: &str,
    client_id: &str,
    secret: &str,
) -> (u16, Value) {
    token(
        app,
        &format!(
            "grant_type=authorization_code&code={}&redirect_uri={}&client_id={}&client_secret={}",
            encode(code),
            encode(CALLBACK),
            encode(client_id),
            encode(secret)
        ),
    )
    .await
}

async fn token(app: &TestApp, query: &str) -> (u16, Value) {
    let reply = app
        .send(Request::new(Method::POST, format!("/v1/token?{query}")))
        .await;
    (
        reply.status,
        serde_json::from_slice(&reply.body).unwrap_or(Value::Null),
    )
}

/// A code from the operator's consent without a browser.
pub(crate) async fn authorized_code(app: &TestApp, client_id: &str, user: i64) -> String {
    let reply = operator(app, Method::POST, "/_provisio/oauth/authorize", Some(json!({
        "client_id": client_id, "redirect_uri": CALLBACK, "state": "ci", "user_id": user, "approve": true,
    }))).await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let url = body(&reply)["redirect_url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(url.starts_with(&format!("{CALLBACK}?code=")), "{url}");
    assert_eq!(query_value(&url, "state").as_deref(), Some("ci"));
    query_value(&url, "code").unwrap_or_default()
}

pub(crate) async fn connect(app: &TestApp, key: &str) -> Client {
    Client::builder(&app.base_url, key)
        .signing_key(test_key())
        .connect()
        .await
        .unwrap_or_else(|e| panic!("handshake with the access token: {e}"))
}

/// `GET /v1/user` with a session token, raw: the status.
pub(crate) async fn user_status(app: &TestApp, session_token: &str) -> u16 {
    app.send(
        Request::new(Method::GET, "/v1/user").header("x-bunq-client-authentication", session_token),
    )
    .await
    .status
}

for_each_backend! { TestApp::spawn =>
    async fn a_user_consents_in_the_browser_and_the_partner_pays_for_it_until_revoked(app: TestApp) {
        let partner = ready_partner(&app).await;
        let partner_id = own_id(&partner).await;
        let (client_id, secret) = credentials(&partner).await;
        let (_, user, account) = sandbox_person(&app).await;

        // The page names the client and offers the user, but not the client's own partner.
        let (status, html) = consent_page(&app, &client_id, CALLBACK).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains(&client_id) && html.contains(&format!("value=\"{user}\"")), "{html}");
        assert!(!html.contains(&format!("value=\"{partner_id}\"")), "{html}");
        assert!(!html.contains("<script"), "{html}");

        // Approved as a browser posts the form: 303 to the callback with the code and state.
        let user_text = user.to_string();
        let (status, location) = post_consent(&app, &[
            ("client_id", &client_id), ("redirect_uri", CALLBACK), ("state", "s 1"),
            ("user_id", &user_text), ("decision", "approve"),
        ], &app.base_url).await;
        assert_eq!(status, 303);
        let location = location.unwrap_or_default();
        assert!(location.starts_with(&format!("{CALLBACK}?code=")), "{location}");
        assert_eq!(query_value(&location, "state").as_deref(), Some("s 1"));
        let code = query_value(&location, "code").unwrap_or_default();

        let (status, answer) = exchange(&app, &code, &client_id, &secret).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!((answer["token_type"].as_str(), answer["state"].as_str()), (Some("bearer"), Some("s 1")));
        let access_token = answer["access_token"].as_str().unwrap_or_default().to_owned();
        // A code works once.
        let (status, again) = exchange(&app, &code, &client_id, &secret).await;
        assert_eq!((status, again["error"].as_str()), (400, Some("invalid_grant")), "{again}");

        // The token is an API key: its session is a UserApiKey the user granted the partner.
        let granted = connect(&app, &access_token).await;
        let me = ok(granted.get("/v1/user").await);
        let [Item::UserApiKey(key)] = me.response.as_slice() else { panic!("{me:?}") };
        let key = serde_json::to_value(key).unwrap_or_default();
        assert_eq!(key["requested_by_user"]["UserCompany"]["id"], partner_id, "{key}");
        assert_eq!(key["granted_by_user"]["UserPerson"]["id"], user, "{key}");

        // It reaches the user's accounts and pays for the user…
        let paid = ok(pay(&granted, user, account, &to("NL20INGB0001234567", "12.50")).await);
        assert!(payments(&granted, user, account).await.iter().any(|p| p.id == paid));
        // …and nothing of the partner's.
        let err = granted.get("/v1/partner-user-provision").await.err();
        assert_eq!(err.and_then(|e| e.status()), Some(403));
        let err = granted.get(&format!("/v1/user/{partner_id}/monetary-account")).await.err();
        assert_eq!(err.and_then(|e| e.status()), Some(404));

        // The operator sees the grant and revokes it: the session is refused at once.
        let session = granted.context().await.unwrap_or_else(|e| panic!("{e}")).session_token;
        assert_eq!(user_status(&app, &session).await, 200);
        let grants = operator(&app, Method::GET, &format!("/_provisio/oauth/grants?user_id={user}"), None).await;
        let grant = body(&grants)["grants"][0].clone();
        assert_eq!((grant["client_id"].as_str(), grant["status"].as_str()), (Some(client_id.as_str()), Some("ACTIVE")), "{grant}");
        let revoked = operator(&app, Method::POST, &format!("/_provisio/oauth/grants/{}/revoke", grant["id"]), None).await;
        assert_eq!((revoked.status, body(&revoked)["status"].as_str()), (200, Some("REVOKED")));
        assert_eq!(user_status(&app, &session).await, 401);
        // Its device opens no new session.
        let refused = Client::builder(&app.base_url, &access_token).signing_key(test_key()).connect().await;
        assert!(refused.is_err());
    }

    async fn bad_requests_redirect_nowhere_and_bad_codes_are_refused(app: TestApp) {
        let partner = ready_partner(&app).await;
        let (client_id, secret) = credentials(&partner).await;
        let (_, user, _) = sandbox_person(&app).await;

        // Not one of the callbacks exactly, or no such client: said on the page, no redirect.
        for (id, uri, why) in [
            (client_id.as_str(), "https://partner.example/oauth/callback/", "callback URLs"),
            (client_id.as_str(), "https://evil.example/cb", "callback URLs"),
            ("nope", CALLBACK, "No OAuth client"),
        ] {
            let (status, html) = consent_page(&app, id, uri).await;
            assert_eq!(status, 400, "{html}");
            assert!(html.contains(why) && !html.contains("<form"), "{html}");
            let (status, location) = post_consent(&app, &[
                ("client_id", id), ("redirect_uri", uri), ("decision", "deny"),
            ], &app.base_url).await;
            assert_eq!((status, location), (400, None));
        }
        // Denied: the callback hears access_denied.
        let (status, location) = post_consent(&app, &[
            ("client_id", &client_id), ("redirect_uri", CALLBACK), ("state", "x"), ("decision", "deny"),
        ], &app.base_url).await;
        assert_eq!((status, location.as_deref()), (303, Some(format!("{CALLBACK}?error=access_denied&state=x").as_str())));
        // Another site cannot post the form.
        let user_text = user.to_string();
        let (status, location) = post_consent(&app, &[
            ("client_id", &client_id), ("redirect_uri", CALLBACK), ("user_id", &user_text), ("decision", "approve"),
        ], "https://evil.example").await;
        assert_eq!((status, location), (403, None));

        // The token endpoint's errors, RFC 6749's.
        let code = authorized_code(&app, &client_id, user).await;
        let (status, body) = exchange(&app, &code, &client_id, "wrong").await;
        assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")), "{body}");
        let (status, body) = token(&app, "grant_type=password&username=a&password=b").await;
        assert_eq!((status, body["error"].as_str()), (400, Some("unsupported_grant_type")), "{body}");
        let (status, body) = token(&app, &format!(
            "grant_type=authorization_code&code={code}&redirect_uri={}&client_id={client_id}&client_secret={secret}",
            encode("https://partner.example/other"))).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
        let (status, body) = exchange(&app, "not-a-code", &client_id, &secret).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
        // Another client cannot use the code.
        let other = ready_partner(&app).await;
        let (other_id, other_secret) = credentials(&other).await;
        let (status, body) = exchange(&app, &code, &other_id, &other_secret).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");

        // Ten minutes on the virtual clock and the code is dead, used or not.
        advance(&app, "11m").await;
        let (status, body) = exchange(&app, &code, &client_id, &secret).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
        assert!(body["error_description"].as_str().unwrap_or_default().contains("expired"), "{body}");
        // A fresh one still works.
        let fresh = authorized_code(&app, &client_id, user).await;
        let (status, body) = exchange(&app, &fresh, &client_id, &secret).await;
        assert_eq!(status, 200, "{body}");
        // The description says so: the token endpoint's refusals are RFC 6749's (or the
        // envelope, from the layers in front of it).
        let doc = app.send(Request::new(Method::GET, "/_provisio/openapi.json")).await;
        let doc: Value = serde_json::from_slice(&doc.body).unwrap_or_default();
        let refusal = &doc["paths"]["/v1/token"]["post"]["responses"]["default"]["content"]["application/json"]["schema"];
        assert_eq!(refusal["anyOf"][0]["required"], json!(["error"]), "{refusal}");
    }

    async fn a_cancelled_client_ends_its_grants(app: TestApp) {
        let partner = ready_partner(&app).await;
        let (client_id, secret) = credentials(&partner).await;
        // This time a sandbox company consents: its key's user is granted by a UserCompany.
        let user = own_id(&sandbox_company(&app).await).await;
        let code = authorized_code(&app, &client_id, user).await;
        let (_, answer) = exchange(&app, &code, &client_id, &secret).await;
        let granted = connect(&app, answer["access_token"].as_str().unwrap_or_default()).await;
        let me = ok(granted.get("/v1/user").await);
        let [Item::UserApiKey(key)] = me.response.as_slice() else { panic!("{me:?}") };
        let key = serde_json::to_value(key).unwrap_or_default();
        assert_eq!(key["granted_by_user"]["UserCompany"]["id"], user, "{key}");
        let session = granted.context().await.unwrap_or_else(|e| panic!("{e}")).session_token;
        assert_eq!(user_status(&app, &session).await, 200);

        let list = ok(partner.get("/v1/oauth-client").await);
        let [Item::OauthClient(c), ..] = list.response.as_slice() else { panic!("{list:?}") };
        ok(partner.put(&format!("/v1/oauth-client/{}", c.id),
            &provisio_client::wire::requests::StatusRequest { status: "CANCELLED".into() }).await);
        assert_eq!(user_status(&app, &session).await, 401);
        let grants = operator(&app, Method::GET, "/_provisio/oauth/grants", None).await;
        assert_eq!(body(&grants)["grants"][0]["status"], "REVOKED");
        // And a cancelled client asks for no consent.
        let (status, html) = consent_page(&app, &client_id, CALLBACK).await;
        assert!(status == 400 && html.contains("CANCELLED"), "{html}");
    }

    async fn a_provisioned_user_consents_to_another_partners_client(app: TestApp) {
        let (_, own, _, _) = active_user(&app).await;
        let me = ok(own.get("/v1/user").await);
        let [Item::UserApiKey(key)] = me.response.as_slice() else { panic!("{me:?}") };
        let user = serde_json::to_value(key).unwrap_or_default()["granted_by_user"]["UserPerson"]["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("{me:?}"));
        // Another tenant than the user's partner (`ready_partner` is always the test's partner).
        let other = sandbox_company(&app).await;
        let other_id = own_id(&other).await;
        let (client_id, secret) = credentials(&other).await;
        let (status, html) = consent_page(&app, &client_id, CALLBACK).await;
        assert!(status == 200 && html.contains(&format!("value=\"{user}\"")), "{html}");

        let code = authorized_code(&app, &client_id, user).await;
        let (status, answer) = exchange(&app, &code, &client_id, &secret).await;
        assert_eq!(status, 200, "{answer}");
        let granted = connect(&app, answer["access_token"].as_str().unwrap_or_default()).await;
        let me = ok(granted.get("/v1/user").await);
        let [Item::UserApiKey(key)] = me.response.as_slice() else { panic!("{me:?}") };
        let key = serde_json::to_value(key).unwrap_or_default();
        assert_eq!(key["requested_by_user"]["UserCompany"]["id"], other_id, "{key}");
        assert_eq!(key["granted_by_user"]["UserPerson"]["id"], user, "{key}");
        // The other partner reaches the user's accounts through the grant (what it opens there
        // is the user's own), not without it.
        let opened = open(&granted, user, "bank", &bank("EUR", "Through OAuth")).await;
        assert!(banks(&own, user).await.iter().any(|a| a.id == opened));
        let err = other.get(&format!("/v1/user/{user}/monetary-account")).await.err();
        assert_eq!(err.and_then(|e| e.status()), Some(404));
    }

    async fn removing_either_side_removes_its_grants(app: TestApp) {
        // The consenting user goes, then the partner whose client held grants.
        let partner = ready_partner(&app).await;
        let partner_id = own_id(&partner).await;
        let (client_id, secret) = credentials(&partner).await;
        for remove_user in [true, false] {
            let (_, user, _) = sandbox_person(&app).await;
            let code = authorized_code(&app, &client_id, user).await;
            let (status, answer) = exchange(&app, &code, &client_id, &secret).await;
            assert_eq!(status, 200, "{answer}");
            let granted = connect(&app, answer["access_token"].as_str().unwrap_or_default()).await;
            let session = granted.context().await.unwrap_or_else(|e| panic!("{e}")).session_token;
            let gone = if remove_user { user } else { partner_id };
            let reply = operator(&app, Method::DELETE, &format!("/_provisio/partners/{gone}"), None).await;
            assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
            assert_eq!(user_status(&app, &session).await, 401);
            let grants = operator(&app, Method::GET, &format!("/_provisio/oauth/grants?user_id={user}"), None).await;
            assert_eq!(body(&grants)["grants"], json!([]));
        }
    }
}
