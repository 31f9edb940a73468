//! OAuth clients and callback URLs (spec C, J-13).

use provisio_client::{
    wire::{
        requests::{CallbackUrlRequest, StatusRequest},
        Item,
    },
    Client,
};

use crate::{helpers::*, provisioning::first_id};

async fn company(client: &Client) -> i64 {
    client
        .context()
        .await
        .map(|c| c.user_id)
        .unwrap_or_default()
}

for_each_backend! { TestApp::spawn =>
    async fn clients_and_callback_urls_round_trip(app: TestApp) {
        let client = app.client().await;
        let me = company(&client).await;
        let base = format!("/v1/user/{me}/oauth-client");
        let id = first_id(&client.post(&base, &serde_json::json!({})).await.unwrap_or_else(|e| panic!("{e}")).response);

        let url = first_id(&client.post(&format!("{base}/{id}/callback-url"),
            &CallbackUrlRequest { url: "https://partner.example/cb".into() }).await.unwrap_or_else(|e| panic!("{e}")).response);
        // Loopback http is fine in the dev profile.
        client.post(&format!("{base}/{id}/callback-url"),
            &CallbackUrlRequest { url: "http://localhost:3000/cb".into() }).await.unwrap_or_else(|e| panic!("{e}"));

        let got = client.get(&format!("{base}/{id}")).await.unwrap_or_else(|e| panic!("{e}"));
        let [Item::OauthClient(c)] = got.response.as_slice() else { panic!("{got:?}") };
        assert_eq!((c.id, c.status.as_str()), (id, "ACTIVE"));
        assert!(c.client_id.len() >= 16 && c.secret.len() == 64);
        assert_eq!(c.callback_url.iter().map(|u| u.url.as_str()).collect::<Vec<_>>(),
            vec!["https://partner.example/cb", "http://localhost:3000/cb"]);

        // The swagger's paths without /user/{id} reach the same client.
        let same = client.get(&format!("/v1/oauth-client/{id}")).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(same.response, got.response);

        client.put(&format!("{base}/{id}/callback-url/{url}"),
            &CallbackUrlRequest { url: "https://partner.example/new".into() }).await.unwrap_or_else(|e| panic!("{e}"));
        let one = client.get(&format!("{base}/{id}/callback-url/{url}")).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(one.response.as_slice(), [Item::OauthCallbackUrl(u)] if u.url == "https://partner.example/new"));
        let all = client.get(&format!("{base}/{id}/callback-url")).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(all.response.len(), 2);
        client.delete(&format!("{base}/{id}/callback-url/{url}")).await.unwrap_or_else(|e| panic!("{e}"));
        let gone = client.get(&format!("{base}/{id}/callback-url/{url}")).await.err();
        assert_eq!(gone.and_then(|e| e.status()), Some(404));

        client.put(&format!("{base}/{id}"), &StatusRequest { status: "CANCELLED".into() }).await.unwrap_or_else(|e| panic!("{e}"));
        let list = client.get(&base).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(list.response.as_slice(), [Item::OauthClient(c)] if c.status == "CANCELLED"));
        assert!(list.pagination.is_some());
        // A cancelled client cannot be provisioned against (J-14).
        let err = client.post("/v1/partner-user-provision", &crate::provisioning::person(&crate::provisioning::new_uuid())).await.err();
        assert_eq!(err.and_then(|e| e.status()), Some(400));
    }

    async fn bad_input_and_foreign_ids_are_refused(app: TestApp) {
        let client = app.client().await;
        let me = company(&client).await;
        let base = format!("/v1/user/{me}/oauth-client");
        let id = first_id(&client.post(&base, &serde_json::json!({})).await.unwrap_or_else(|e| panic!("{e}")).response);
        for bad in ["http://partner.example/cb", "partner.example/cb", "ftp://partner.example", ""] {
            let err = client.post(&format!("{base}/{id}/callback-url"), &CallbackUrlRequest { url: bad.into() }).await.err();
            assert_eq!(err.as_ref().and_then(|e| e.status()), Some(400), "{bad}");
        }
        let err = client.put(&format!("{base}/{id}"), &StatusRequest { status: "PAUSED".into() }).await.err();
        assert_eq!(err.and_then(|e| e.status()), Some(400));
        let err = client.post(&base, &serde_json::json!({"status": "NOPE"})).await.err();
        assert_eq!(err.and_then(|e| e.status()), Some(400));
        // Another company's path, an unknown client: 404.
        let err = client.get(&format!("/v1/user/{}/oauth-client", me + 1000)).await.err();
        assert_eq!(err.and_then(|e| e.status()), Some(404));
        let err = client.get(&format!("{base}/{}", id + 1000)).await.err();
        assert_eq!(err.and_then(|e| e.status()), Some(404));
        let err = client.post(&format!("{base}/{}/callback-url", id + 1000),
            &CallbackUrlRequest { url: "https://partner.example/cb".into() }).await.err();
        assert_eq!(err.and_then(|e| e.status()), Some(404));
    }
}

for_each_backend! { strict =>
    async fn strict_wants_https_callbacks_everywhere(app: TestApp) {
        let client = app.client().await;
        let me = company(&client).await;
        let base = format!("/v1/user/{me}/oauth-client");
        let id = first_id(&client.post(&base, &serde_json::json!({})).await.unwrap_or_else(|e| panic!("{e}")).response);
        let err = client.post(&format!("{base}/{id}/callback-url"),
            &CallbackUrlRequest { url: "http://localhost:3000/cb".into() }).await.err();
        assert_eq!(err.and_then(|e| e.status()), Some(400));
    }
}
