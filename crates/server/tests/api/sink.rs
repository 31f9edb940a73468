//! The built-in webhook sink (`/_provisio/sink/{name}`, dev profile): a notification filter
//! pointing at it gets its deliveries kept, read back with the signature checked.

use provisio_client::{
    wire::{operator::SinkRequest, Item},
    Request,
};
use reqwest::Method;

use crate::{helpers::*, provisioning::*, webhooks::subscribed};

async fn kept(app: &TestApp, name: &str, query: &str) -> Vec<SinkRequest> {
    let path = format!("/_provisio/sink/{name}{query}");
    operator_items(app, Method::GET, &path, None)
        .await
        .into_iter()
        .map(|item| match item {
            Item::SinkRequest(request) => request,
            other => panic!("{other:?}"),
        })
        .collect()
}

fn post(name: &str, body: &[u8]) -> Request {
    Request::new(Method::POST, format!("/_provisio/sink/{name}")).body(body.to_vec())
}

for_each_backend! { TestApp::spawn =>
    async fn a_provisions_webhooks_arrive_in_the_sink_verified(app: TestApp) {
        let target = format!("http://localhost:{}/_provisio/sink/acme", app.addr.port());
        let client = subscribed(&app, &target).await;
        let id = create(&client, &person(&new_uuid())).await;
        app.drain().await;
        assert_eq!(app.deliver().await, 4, "each delivered at the first attempt");

        let arrived = kept(&app, "acme", "").await;
        assert_eq!(arrived.len(), 4, "{arrived:?}");
        let states: Vec<String> = arrived
            .iter()
            .map(|r| {
                let body: serde_json::Value = serde_json::from_str(&r.body).unwrap_or_default();
                let p = &body["NotificationUrl"]["object"]["PartnerUserProvision"];
                assert_eq!(p["id"].as_i64(), Some(id), "{body}");
                format!("{}/{}", p["status"].as_str().unwrap_or_default(), p["sub_status"].as_str().unwrap_or_default())
            })
            .collect();
        assert_eq!(states.first().map(String::as_str), Some("CREATED/PENDING_PROCESS_USER"));
        assert_eq!(states.last().map(String::as_str), Some("CREATED/PENDING_PROCESS_USER_ONBOARDING"), "{states:?}");
        assert!(arrived.windows(2).all(|w| w[0].id < w[1].id), "oldest first");
        for r in &arrived {
            assert_eq!(r.signature, "VALID", "{r:?}");
            assert_eq!(r.name, "acme");
            assert!(!r.truncated);
            assert!(r.headers.contains_key("x-provisio-event-id"), "{r:?}");
        }
        // Following: only what came after the last one seen; then cleared.
        let last = arrived.last().map(|r| r.id).unwrap_or_default();
        assert!(kept(&app, "acme", &format!("?after={last}")).await.is_empty());
        assert_eq!(kept(&app, "acme", "?count=1").await.first().map(|r| r.id), Some(last));
        let cleared = operator(&app, Method::DELETE, "/_provisio/sink/acme", None).await;
        assert_eq!(cleared.status, 200);
        assert!(kept(&app, "acme", "").await.is_empty());
    }

    async fn any_post_is_kept_and_a_forged_signature_is_told(app: TestApp) {
        let reply = app
            .send(post("mine", b"not json at all").header("x-bunq-server-signature", "Zm9yZ2Vk"))
            .await;
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
        app.send(post("mine", b"{}").header("authorization", "Bearer secret-token")).await;
        let big = vec![b'x'; 100 * 1024];
        app.send(post("mine", &big)).await;
        app.send(post("other", b"elsewhere")).await;

        let mine = kept(&app, "mine", "").await;
        assert_eq!(mine.len(), 3, "{mine:?}");
        assert_eq!((mine[0].body.as_str(), mine[0].signature.as_str()), ("not json at all", "INVALID"));
        assert_eq!(mine[1].signature, "MISSING");
        assert_eq!(mine[1].headers.get("authorization").map(String::as_str), Some("***"), "secrets are not kept");
        assert!(mine[2].truncated && mine[2].body.len() == 64 * 1024 && mine[2].body_bytes == 100 * 1024);
        assert_eq!(kept(&app, "other", "").await.len(), 1);
        assert!(kept(&app, "nobody", "").await.is_empty());
    }

    async fn the_dashboard_shows_what_each_name_kept_and_follows_new_requests(app: TestApp) {
        let cookie = crate::dashboard::sign_in(&app).await;
        let empty = crate::dashboard_find::html(&app, &cookie, "/_provisio/ui/sink").await;
        assert!(empty.contains("Nothing kept yet."), "{empty}");
        let version = || async {
            let page = crate::dashboard_find::html(&app, &cookie, "/_provisio/ui/sink/version").await;
            serde_json::from_str::<serde_json::Value>(&page).unwrap_or_else(|e| panic!("{e}: {page}"))["version"].clone()
        };
        let before = version().await;

        app.send(post("hooks", br#"{"NotificationUrl":{"category":"PAYMENT"}}"#)).await;
        app.send(post("hooks", b"second").header("x-bunq-server-signature", "Zm9yZ2Vk")).await;
        app.send(post("other", b"elsewhere")).await;
        assert_ne!(version().await, before, "the live page would not notice");

        let page = crate::dashboard_find::html(&app, &cookie, "/_provisio/ui/sink?name=hooks").await;
        let kept = page.split("id=\"sink\"").nth(1).unwrap_or_else(|| panic!("no live section: {page}"));
        assert!(kept.contains("hooks</code>: 2 request(s)"), "{kept}");
        assert!(kept.contains("NotificationUrl") && kept.contains("INVALID") && kept.contains("MISSING"), "{kept}");
        assert!(!kept.contains("elsewhere"), "another name's request on this one's page");
        // Newest first, and every name listed with its count.
        assert!(kept.find("id=\"sink-2\"") < kept.find("id=\"sink-1\""), "{kept}");
        assert!(kept.contains("?name=other\"") && kept.contains("(1)"), "{kept}");
        // Without a name, the name written to last is shown.
        let latest = crate::dashboard_find::html(&app, &cookie, "/_provisio/ui/sink").await;
        assert!(latest.contains("other</code>: 1 request(s)"), "{latest}");
    }

    async fn reading_takes_the_admin_token_and_bad_input_is_refused(app: TestApp) {
        let anonymous = app.send(Request::new(Method::GET, "/_provisio/sink/acme")).await;
        assert_error(&anonymous, &app.server_key, 401, "Authorization: Bearer");
        let bad_name = app.send(post("a%20b", b"{}")).await;
        assert_error(&bad_name, &app.server_key, 400, "1 to 64 of the letters");
        let bad_count = operator(&app, Method::GET, "/_provisio/sink/acme?count=0", None).await;
        assert_error(&bad_count, &app.server_key, 400, "count must be an integer from 1 to 1000");
    }
}

for_each_backend! { strict =>
    async fn a_strict_server_has_no_sink(app: TestApp) {
        let posted = app.send(post("acme", b"{}")).await;
        assert_error(&posted, &app.server_key, 404, "route does not exist");
        let read = operator(&app, Method::GET, "/_provisio/sink/acme", None).await;
        assert_error(&read, &app.server_key, 404, "route does not exist");
        let cleared = operator(&app, Method::DELETE, "/_provisio/sink/acme", None).await;
        assert_error(&cleared, &app.server_key, 404, "route does not exist");
        let cookie = crate::dashboard::sign_in(&app).await;
        let page = crate::dashboard_find::html(&app, &cookie, "/_provisio/ui/sink").await;
        assert!(page.contains("exists in the <code>dev</code> profile only"), "{page}");
    }
}

for_each_backend! { strict_production =>
    async fn production_has_no_sink(app: TestApp) {
        let posted = app.send(post("acme", b"{}")).await;
        assert_error(&posted, &app.server_key, 404, "route does not exist");
    }
}
