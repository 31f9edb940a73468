//! Closed users stay closed on every route: each `/v1` route with `{user_id}` in its path and a
//! method that changes something is read from the server's own route table (the OpenAPI
//! document built from it), and called for a user whose provision is CANCELLED, CLOSED or
//! FAILED, through the partner's session and the user's own. Each call is refused in bunq's
//! envelope and changes nothing. A route added to a table later is covered without a word
//! here; one that must answer otherwise has to be named in [`EXCEPTIONS`], with its reason.

use provisio_client::{Client, ClientError, Request};
use reqwest::Method;
use serde_json::{json, Value};

use crate::{
    closed::{frozen_users, refusal, seen, Frozen},
    helpers::*,
};

/// Routes with `{user_id}` whose writes are not refused as a closed user's, and why.
const EXCEPTIONS: &[(&str, &str)] = &[(
    "/v1/user/{user_id}/oauth-client",
    // OAuth clients belong to the partner's company only (`CompanyPath`): `{user_id}` must be
    // the caller's own company, so a provisioned user's id names nothing there (404), open
    // or closed, and the user's own session may not call them at all (403).
    "the partner's company's own",
)];

/// Every write route with `{user_id}`, from the served description: (method, path template).
fn user_write_routes() -> Vec<(Method, String)> {
    let doc: Value =
        serde_json::from_slice(provisio_server::openapi_json()).unwrap_or_else(|e| panic!("{e}"));
    let mut routes = Vec::new();
    for (path, item) in doc["paths"].as_object().cloned().unwrap_or_default() {
        if !path.starts_with("/v1/") || !path.contains("{user_id}") {
            continue;
        }
        for method in item
            .as_object()
            .map(|m| m.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            let method = match method.as_str() {
                "post" => Method::POST,
                "put" => Method::PUT,
                "delete" => Method::DELETE,
                "patch" => Method::PATCH,
                _ => continue,
            };
            routes.push((method, path.clone()));
        }
    }
    routes
}

/// `template` with `user_id` for `{user_id}` and the fixture's objects for the other ids, so
/// each call names something that exists (a refusal that only came from a missing object
/// would prove nothing).
fn concrete(template: &str, f: &Frozen, user_id: i64) -> String {
    let segments: Vec<&str> = template.split('/').collect();
    let mut out = Vec::with_capacity(segments.len());
    for (i, segment) in segments.iter().enumerate() {
        let before = i
            .checked_sub(1)
            .and_then(|j| segments.get(j))
            .copied()
            .unwrap_or("");
        let id = match (*segment, before) {
            ("{user_id}", _) => user_id,
            ("{card_id}", _) => f.card,
            ("{inquiry_id}", _) => f.inquiry,
            (
                "{id}",
                "monetary-account" | "monetary-account-bank" | "monetary-account-external",
            ) => f.account,
            ("{id}", "generated-cvc2") => f.cvc2,
            ("{id}", "challenge-request") => f.challenge,
            ("{id}", "identity-verification-session") => f.session,
            ("{id}", "user-onboarding") => f.onboarding,
            ("{id}", "partner-user-information-inquiry-entry") => f.pending,
            ("{id}", "attachment") => f.attachment,
            (s, _) if s.starts_with('{') => 1,
            (s, _) => {
                out.push(s.to_owned());
                continue;
            }
        };
        out.push(id.to_string());
    }
    out.join("/")
}

async fn call(client: &Client, method: &Method, path: &str) -> Result<(), ClientError> {
    let body = json!({});
    match *method {
        Method::POST => client.post(path, &body).await.map(drop),
        Method::PUT => client.put(path, &body).await.map(drop),
        Method::DELETE => client.delete(path).await.map(drop),
        _ => client
            .api()
            .send(Request::new(method.clone(), path).json(&body))
            .await
            .and_then(|reply| reply.envelope())
            .map(drop),
    }
}

fn assert_refused(f: &Frozen, what: &str, result: Result<(), ClientError>) {
    match result {
        Ok(()) => panic!("{what} was accepted for a {} user", f.status),
        Err(e) => {
            assert_eq!(e.status(), Some(400), "{what}: {e:?}");
            assert_eq!(e.description(), Some(refusal(f).as_str()), "{what}");
        }
    }
}

/// Whether the user's own session still acts (a CANCELLED provision ends it; see docs/provisioning.md).
async fn own_session_acts(f: &Frozen) -> bool {
    f.own.get(&format!("/v1/user/{}", f.key)).await.is_ok()
}

for_each_backend! { TestApp::spawn =>
    async fn every_write_route_of_a_user_is_refused_once_its_provision_ended(app: TestApp) {
        let routes = user_write_routes();
        assert!(routes.len() >= 25, "only {} write routes with {{user_id}}: {routes:?}", routes.len());
        for f in frozen_users(&app).await {
            let own_acts = own_session_acts(&f).await;
            // What the user shows is compared once around all the calls: one snapshot per call
            // would make this test take minutes.
            let before = seen(&app, &f).await;
            for (method, template) in &routes {
                let excepted = EXCEPTIONS.iter().find(|(prefix, _)| template.starts_with(prefix));
                // The user's `UserApiKey` id and its `UserPerson` id name the same user (J-9).
                for user_id in [f.key, f.user] {
                    let path = concrete(template, &f, user_id);
                    let what = format!("{method} {path} ({template})");
                    match excepted {
                        Some((_, why)) => {
                            let err = call(&f.partner, method, &path).await.err()
                                .unwrap_or_else(|| panic!("{what} accepted ({why})"));
                            assert_eq!(err.status(), Some(404), "{what} ({why}): {err:?}");
                        }
                        None => {
                            assert_refused(&f, &format!("{what} by the partner"), call(&f.partner, method, &path).await);
                            if own_acts {
                                assert_refused(&f, &format!("{what} by the user"), call(&f.own, method, &path).await);
                            } else {
                                let err = call(&f.own, method, &path).await.err()
                                    .unwrap_or_else(|| panic!("{what} accepted from an ended session"));
                                assert!(err.status().is_some_and(|s| (400..500).contains(&s)), "{what}: {err:?}");
                            }
                        }
                    }
                }
            }
            assert_eq!(seen(&app, &f).await, before, "a refused write changed a {} user", f.status);
        }
    }
}
