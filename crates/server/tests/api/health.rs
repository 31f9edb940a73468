//! `GET /_provisio/health` and `GET /_provisio/ready`: no token, every profile.

use provisio_client::Request;
use provisio_core::model::Environment;
use provisio_server::{Profile, ServerConfig};
use provisio_store::Backend;
use reqwest::Method;

use crate::helpers::*;

async fn get(app: &TestApp, path: &str) -> provisio_client::Reply {
    app.send(Request::new(Method::GET, path)).await
}

fn assert_ok(reply: &provisio_client::Reply) {
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap_or_default();
    assert_eq!(body, serde_json::json!({"status": "ok"}));
}

/// The locked-down deployment: strict profile, production environment, no operator API.
async fn strict_production(backend: Backend) -> TestApp {
    TestApp::spawn_with(
        backend,
        ServerConfig {
            profile: Profile::Strict,
            environment: Environment::Production,
            ..test_config()
        },
    )
    .await
}

for_each_backend! { TestApp::spawn =>
    async fn health_and_ready_answer_without_a_token(app: TestApp) {
        assert_ok(&get(&app, "/_provisio/health").await);
        assert_ok(&get(&app, "/_provisio/ready").await);
    }

    async fn a_missing_migration_makes_the_server_not_ready(app: TestApp) {
        app.database().execute("DELETE FROM _sqlx_migrations WHERE version = 7").await;
        let reply = get(&app, "/_provisio/ready").await;
        assert_error(&reply, &app.server_key, 503, "migrations");
        // Alive all the same.
        assert_ok(&get(&app, "/_provisio/health").await);
    }
}

for_each_backend! { strict_production =>
    async fn strict_production_keeps_the_probes_but_not_the_controls(app: TestApp) {
        assert_ok(&get(&app, "/_provisio/health").await);
        assert_ok(&get(&app, "/_provisio/ready").await);
        let reply = get(&app, "/_provisio/clock").await;
        assert_error(&reply, &app.server_key, 404, "does not exist");
    }
}
