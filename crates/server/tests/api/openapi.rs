//! `GET /_provisio/openapi.json`: public, names every served route, and real answers match the
//! schemas it gives them.

use std::path::Path;

use provisio_client::{wire::requests::InstallationRequest, Reply, Request};
use reqwest::Method;
use serde_json::Value;

use crate::{
    helpers::*,
    openapi_schema::{operations, response_schema, validate},
    provisioning::{create, new_uuid, person, ready_partner},
};

async fn description(app: &TestApp) -> Value {
    let reply = app
        .send(Request::new(Method::GET, "/_provisio/openapi.json"))
        .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.header("content-type"), Some("application/json"));
    serde_json::from_slice(&reply.body).unwrap_or_else(|e| panic!("not JSON: {e}"))
}

/// Every `$ref` in `value` names a schema of the document.
fn assert_refs_resolve(doc: &Value, value: &Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                let name = target.trim_start_matches("#/components/schemas/");
                assert!(
                    doc["components"]["schemas"].get(name).is_some(),
                    "{target} does not resolve"
                );
            }
            map.values().for_each(|v| assert_refs_resolve(doc, v));
        }
        Value::Array(items) => items.iter().for_each(|v| assert_refs_resolve(doc, v)),
        _ => {}
    }
}

/// A request for `method` at `path` with every `{param}` filled in.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment {
            "{name}" => "active-user",
            s if s.starts_with('{') => "1",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn is_fallback(reply: &Reply) -> bool {
    let text = String::from_utf8_lossy(&reply.body);
    (reply.status == 404
        && (text.contains("The requested route does not exist.")
            || text.contains("provisio does not implement this bunq route yet")))
        || (reply.status == 405 && text.contains("This method is not allowed on this route."))
}

for_each_backend! { TestApp::spawn =>
    async fn the_description_is_public_and_names_every_operation_once(app: TestApp) {
        let doc = description(&app).await;
        assert_eq!(doc, serde_json::from_slice::<Value>(provisio_server::openapi_json()).unwrap_or_default());
        assert_eq!(doc["openapi"], "3.1.0");
        let ops = operations(&doc);
        assert!(ops.len() >= 90, "only {} operations", ops.len());
        let mut ids: Vec<&str> = ops.iter().map(|(_, _, op)| op["operationId"].as_str().unwrap_or_default()).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), before, "operationIds repeat");
        for (method, path, op) in &ops {
            assert!(op["responses"]["200"].is_object(), "{method} {path}: no 200");
            assert!(op["responses"]["default"].is_object(), "{method} {path}: no default");
            assert!(!op["summary"].as_str().unwrap_or_default().is_empty(), "{method} {path}: no summary");
        }
        // The nested copies of the OAuth routes, the sandbox router and this route are there.
        for (method, path) in [
            ("get", "/v1/user/{user_id}/oauth-client/{oauth_client_id}/callback-url"),
            ("post", "/_provisio/clock/advance"),
            ("delete", "/_provisio/partners/{id}"),
            ("get", "/_provisio/openapi.json"),
            ("get", "/v1/user/{user_id}/attachment/{id}/content"),
        ] {
            assert!(doc["paths"][path][method].is_object(), "{method} {path} is not described");
        }
        assert_refs_resolve(&doc, &doc);
        // Non-JSON answers say what they are.
        let metrics = &doc["paths"]["/_provisio/metrics"]["get"]["responses"]["200"]["content"];
        assert!(metrics.get("text/plain").is_some(), "{metrics}");
        let content = &doc["paths"]["/v1/user/{user_id}/attachment/{id}/content"]["get"]["responses"]["200"]["content"];
        assert!(content.get("application/pdf").is_some(), "{content}");
    }

    async fn every_described_operation_is_served(app: TestApp) {
        let doc = description(&app).await;
        // No token: nothing runs, but a served route answers with its own refusal.
        for (method, path, _) in operations(&doc) {
            let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap_or(Method::GET);
            let reply = app.send(Request::new(method.clone(), concrete(&path))).await;
            assert!(!is_fallback(&reply), "{method} {path} is described but not served");
        }
        // The check itself can fail.
        let reply = app.send(Request::new(Method::PATCH, "/v1/installation")).await;
        assert!(is_fallback(&reply));
    }

    async fn real_answers_match_their_schemas(app: TestApp) {
        let doc = description(&app).await;
        let check = |method: &str, path: &str, reply: &Reply| {
            let body: Value = serde_json::from_slice(&reply.body).unwrap_or_else(|e| panic!("{path}: {e}"));
            let schema = response_schema(&doc, method, path, reply.status);
            validate(&doc, &schema, &body).unwrap_or_else(|e| panic!("{method} {path} ({}): {e}\n{body}", reply.status));
        };
        let key = test_key();
        let reply = app.send(Request::new(Method::POST, "/v1/installation").json(&InstallationRequest {
            client_public_key: key.public_key_pem().unwrap_or_default(),
        })).await;
        check("post", "/v1/installation", &reply);

        let client = ready_partner(&app).await;
        let provision = create(&client, &person(&new_uuid())).await;
        let context = client.context().await.unwrap_or_else(|e| panic!("{e}"));
        let user = context.user_id;
        let get = |path: String| {
            let token = context.session_token.clone();
            let app = &app;
            async move {
                app.send(Request::new(Method::GET, path).header("x-bunq-client-authentication", &token)).await
            }
        };
        for (template, path) in [
            ("/v1/user/{user_id}", format!("/v1/user/{user}")),
            ("/v1/partner-user-provision", "/v1/partner-user-provision".to_owned()),
            ("/v1/partner-user-provision/{id}", format!("/v1/partner-user-provision/{provision}")),
            ("/v1/oauth-client", "/v1/oauth-client".to_owned()),
            ("/v1/user/{user_id}/oauth-client", format!("/v1/user/{user}/oauth-client")),
            ("/v1/device-server", "/v1/device-server".to_owned()),
            ("/v1/partner-user-provision/{id}", "/v1/partner-user-provision/999999".to_owned()),
        ] {
            let reply = get(path).await;
            check("get", template, &reply);
        }
        for path in ["/_provisio/clock", "/_provisio/partners", "/_provisio/scenarios"] {
            check("get", path, &operator(&app, Method::GET, path, None).await);
        }
        let health = app.send(Request::new(Method::GET, "/_provisio/health")).await;
        check("get", "/_provisio/health", &health);

        // A wrong answer is caught: the user is not an installation's answer.
        let user_reply = get(format!("/v1/user/{user}")).await;
        let body: Value = serde_json::from_slice(&user_reply.body).unwrap_or_default();
        assert!(validate(&doc, &response_schema(&doc, "post", "/v1/installation", 200), &body).is_err());
    }
}

/// Routes are served only through `http::openapi::Api`, which needs a description for each. An
/// axum method router (`axum::routing::…`) or service anywhere else would serve one without:
/// only the dashboard's HTML pages (`/_provisio/ui`, not API) may.
#[test]
fn no_route_is_served_without_a_description() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    scan(&src, &mut offenders);
    assert!(
        offenders.is_empty(),
        "routes served without a description: {offenders:?}"
    );
}

fn scan(dir: &Path, offenders: &mut Vec<String>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        // The dashboard's pages (any `ui` module) and the registry itself.
        if name == "ui" || name == "ui.rs" || path.ends_with("http/openapi/mod.rs") {
            continue;
        }
        if path.is_dir() {
            scan(&path, offenders);
        } else if name.ends_with(".rs") {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for needle in [
                "routing::",
                "route_service(",
                "nest_service(",
                "fallback_service(",
            ] {
                if text.contains(needle) {
                    offenders.push(format!("{} uses {needle}", path.display()));
                }
            }
        }
    }
}

for_each_backend! { strict_production =>
    async fn without_the_operator_api_the_description_names_only_what_is_served(app: TestApp) {
        let doc = description(&app).await;
        let ops = operations(&doc);
        for (method, path, _) in &ops {
            let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap_or(Method::GET);
            let reply = app.send(Request::new(method.clone(), concrete(path))).await;
            assert!(!is_fallback(&reply), "{method} {path} is described but not served");
        }
        let mut operator: Vec<&str> = ops.iter()
            .map(|(_, path, _)| path.as_str())
            .filter(|path| path.starts_with("/_provisio"))
            .collect();
        operator.sort_unstable();
        assert_eq!(operator, ["/_provisio/health", "/_provisio/openapi.json", "/_provisio/ready"]);
        assert!(doc["components"]["securitySchemes"].get("adminToken").is_none());
        assert!(!doc["info"]["description"].as_str().unwrap_or_default().contains("operator API"));
        // bunq's routes are all there.
        assert!(doc["paths"]["/v1/session-server"]["post"].is_object());
        assert!(ops.len() >= 60, "only {} operations", ops.len());
    }
}
