//! The dashboard's sessions are kept server-side: signing out ends one (the old cookie opens
//! nothing), one runs out when idle or too old (on the sandbox clock), and one outlives a
//! restart of the server.

use std::time::Duration;

use provisio_server::{config::DashboardConfig, ServerConfig};
use reqwest::StatusCode;

use crate::{
    dashboard::{fetch, form_token, location, post, sign_in},
    helpers::*,
    sandbox_clock::advance,
};

/// Whether `cookie` opens the dashboard (else it is sent to the login page).
async fn opens(app: &TestApp, cookie: &str) -> bool {
    let page = fetch(app, "/_provisio/ui/", Some(cookie)).await;
    match page.status() {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER if location(&page) == "/_provisio/ui/login" => false,
        other => panic!("{other}: {}", location(&page)),
    }
}

/// Sessions that end an hour after signing in, and a fixed admin token (so a restart keeps it).
async fn short_lived(backend: provisio_store::Backend) -> TestApp {
    let config = ServerConfig {
        admin_token: Some(provisio_core::secret::Secret::from_client(
            "admin_dashboard_sessions_test",
        )),
        dashboard: DashboardConfig {
            idle: Duration::from_secs(30 * 60),
            lifetime: Duration::from_secs(3600),
        },
        ..test_config()
    };
    TestApp::spawn_with(backend, config).await
}

for_each_backend! { TestApp::spawn =>
    async fn signing_out_ends_the_session(app: TestApp) {
        let cookie = sign_in(&app).await;
        assert!(opens(&app, &cookie).await);
        let token = form_token(&app, &cookie, "/_provisio/ui/").await;
        let out = post(&app, "/_provisio/ui/logout", Some(&cookie), Some(&app.base_url), &format!("form_token={token}")).await;
        assert_eq!((out.status(), location(&out)), (StatusCode::SEE_OTHER, "/_provisio/ui/login"));
        // The browser forgets the cookie; one that was kept (copied, stolen) opens nothing.
        assert!(!opens(&app, &cookie).await, "the old cookie still opens the dashboard");
        let pressed = post(&app, "/_provisio/ui/logout", Some(&cookie), Some(&app.base_url), &format!("form_token={token}")).await;
        assert_eq!(location(&pressed), "/_provisio/ui/login", "nor does it press a button");
        // Signing in again gives a new session.
        let again = sign_in(&app).await;
        assert_ne!(again, cookie);
        assert!(opens(&app, &again).await);
    }

    async fn an_idle_session_runs_out(app: TestApp) {
        let cookie = sign_in(&app).await;
        // Used every 20 minutes, a session lives on past the idle time of 30 minutes.
        advance(&app, "20m").await;
        assert!(opens(&app, &cookie).await);
        advance(&app, "20m").await;
        assert!(opens(&app, &cookie).await);
        advance(&app, "31m").await;
        assert!(!opens(&app, &cookie).await, "an idle session still opens the dashboard");
        assert!(opens(&app, &sign_in(&app).await).await);
    }
}

for_each_backend! { short_lived =>
    async fn a_session_ends_at_its_lifetime_even_when_used(app: TestApp) {
        let cookie = sign_in(&app).await;
        advance(&app, "25m").await;
        assert!(opens(&app, &cookie).await);
        advance(&app, "25m").await;
        assert!(opens(&app, &cookie).await);
        advance(&app, "25m").await;
        assert!(!opens(&app, &cookie).await, "a session older than its lifetime still opens the dashboard");
    }

    async fn a_session_outlives_a_restart(app: TestApp) {
        let mut app = app;
        let cookie = sign_in(&app).await;
        app.restart().await;
        assert!(opens(&app, &cookie).await, "the session was lost in the restart");
    }
}
