//! What a body may contain and what the refusal says: the API's words rather than the
//! parser's, objects where objects belong, no control characters in free text, short echoes.

use provisio_client::{
    wire::{
        kyc::AttachmentUser,
        requests::{
            AddressRequest, OnboardingRequest, TaxResident, TaxResidentRequest, UserPersonRequest,
        },
        Item,
    },
    Client, Reply, Request,
};
use reqwest::Method;

use crate::{helpers::*, onboarding::*, provisioning::*, raw};

/// A request of `client`'s, signed with its key, whatever the body.
async fn send(client: &Client, method: Method, path: &str, body: &[u8]) -> Reply {
    let token = client
        .context()
        .await
        .map(|c| c.session_token)
        .unwrap_or_default();
    client
        .api()
        .send(Request::new(method, path).token(&token).body(body.to_vec()))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn description(reply: &Reply) -> String {
    reply
        .error_envelope()
        .and_then(|e| e.description().map(str::to_owned))
        .unwrap_or_default()
}

/// A 400 whose description is exactly `text`.
fn assert_refused(reply: &Reply, app: &TestApp, text: &str) {
    assert_error(reply, &app.server_key, 400, text);
    assert_eq!(description(reply), text);
}

for_each_backend! { TestApp::spawn =>
    async fn refusals_use_the_apis_words_not_the_parsers(app: TestApp) {
        let install = |body: &str| Request::new(Method::POST, "/v1/installation").body(body.as_bytes().to_vec());
        assert_refused(&app.send(install("{}")).await, &app, "client_public_key is required.");
        assert_refused(&app.send(install(r#"{"client_public_key": 5}"#)).await, &app, "client_public_key must be a string.");
        assert_refused(&app.send(install(r#"{"client_public_key": "#)).await, &app, "The request body is not valid JSON: it ends too early.");
        assert_refused(&app.send(install("{'a': 1}")).await, &app, "The request body is not valid JSON.");

        let client = app.client().await;
        let me = client.context().await.map(|c| c.user_id).unwrap_or_default();
        let filters = format!("/v1/user/{me}/notification-filter-url");
        let reply = send(&client, Method::POST, &filters, b"{}").await;
        assert_refused(&reply, &app, "notification_filters is required.");
        let reply = send(&client, Method::POST, &filters, br#"{"notification_filters":[{"category":5}]}"#).await;
        assert_refused(&reply, &app, "notification_filters[0].category must be a string.");
        let reply = send(&client, Method::POST, &filters,
            br#"{"notification_filters":[{"category":"PAYMENTS","notification_target":"https://partner.example/hook"}]}"#).await;
        assert_error(&reply, &app.server_key, 400, "notification_filters[0].category \"PAYMENTS\" is not a known category; use one of ");
        assert!(description(&reply).contains("PARTNER_USER_PROVISION"), "{}", description(&reply));
    }

    async fn a_body_must_be_a_json_object(app: TestApp) {
        let client = ready_partner(&app).await;
        let id = create(&client, &person(&new_uuid())).await;
        // serde would read ["CANCELLED"] as {"status":"CANCELLED"}: it must not cancel.
        let path = format!("/v1/partner-user-provision/{id}");
        let reply = send(&client, Method::PUT, &path, br#"["CANCELLED"]"#).await;
        assert_refused(&reply, &app, "The request body must be a JSON object.");
        assert_ne!(get(&client, id).await.status, "CANCELLED");
        for body in [&b"\"CANCELLED\""[..], b"42", b"null", b"true"] {
            let reply = send(&client, Method::PUT, &path, body).await;
            assert_refused(&reply, &app, "The request body must be a JSON object.");
        }
        let reply = send(&client, Method::POST, "/v1/partner-user-provision", b"[]").await;
        assert_refused(&reply, &app, "The request body must be a JSON object.");
        // Nor inside: serde would read ["EMAIL", "…"] as a pointer, in field order.
        let nested = serde_json::json!({
            "external_uuid": new_uuid(), "products": ["USER_VERIFIED"],
            "pointer": ["EMAIL", "eva@example.com", "Eva"],
        });
        let reply = send(&client, Method::POST, "/v1/partner-user-provision", nested.to_string().as_bytes()).await;
        assert_refused(&reply, &app, "pointer must be an object.");
    }

    async fn missing_dates_and_countries_are_required(app: TestApp) {
        let (_, user, key, _) = onboarding_user(&app).await;
        let person = UserPersonRequest { date_of_birth: None, ..person_details() };
        let err = user.put(&format!("/v1/user-person/{key}"), &person).await.err();
        assert_eq!(err.as_ref().and_then(|e| e.description()), Some("date_of_birth is required."));
        let no_country = AddressRequest {
            address_main: Some(provisio_client::wire::requests::Address { country: None, ..address() }),
            ..Default::default()
        };
        let err = user.post(&format!("/v1/user/{key}/address-main"), &no_country).await.err();
        assert_eq!(err.as_ref().and_then(|e| e.description()), Some("address_main.country is required."));
    }

    async fn control_characters_are_refused_naming_the_field(app: TestApp) {
        let (_, user, key, _) = onboarding_user(&app).await;
        user.post(&format!("/v1/user/{key}/user-onboarding"), &OnboardingRequest::default())
            .await.unwrap_or_else(|e| panic!("{e}"));
        let person_path = format!("/v1/user-person/{key}");
        for (person, field) in [
            (UserPersonRequest { first_name: Some("Jan\u{202E}sinnaV".into()), ..person_details() }, "first_name"),
            (UserPersonRequest { middle_name: Some("van\0der".into()), ..person_details() }, "middle_name"),
            (UserPersonRequest { last_name: Some("\u{2066}Vries\u{2069}".into()), ..person_details() }, "last_name"),
            (UserPersonRequest { last_name: Some("Vries\u{1b}[2J".into()), ..person_details() }, "last_name"),
            (UserPersonRequest { last_name: Some("Vries\u{9b}2J".into()), ..person_details() }, "last_name"),
        ] {
            let err = user.put(&person_path, &person).await.err();
            let text = err.as_ref().and_then(|e| e.description()).unwrap_or_default();
            assert!(text.starts_with(&format!("{field} contains a control character")), "{person:?}: {text}");
        }
        let street = AddressRequest {
            address_main: Some(provisio_client::wire::requests::Address { street: Some("Keizers\u{202D}gracht".into()), ..address() }),
            ..Default::default()
        };
        let err = user.post(&format!("/v1/user/{key}/address-main"), &street).await.err();
        assert!(err.as_ref().and_then(|e| e.description()).is_some_and(|d| d.starts_with("address_main.street contains a control character")), "{err:?}");
        let tax = TaxResidentRequest { tax_resident: vec![TaxResident { country: Some("NL".into()), tax_number: Some("123\u{0}456".into()), status: None }] };
        let err = user.post(&format!("/v1/user/{key}/tax-resident"), &tax).await.err();
        assert!(err.as_ref().and_then(|e| e.description()).is_some_and(|d| d.starts_with("tax_resident[0].tax_number contains a control character")), "{err:?}");
        // Nothing was stored: the onboarding still misses the name and address.
        let onboarding = user.get(&format!("/v1/user/{key}/user-onboarding")).await.unwrap_or_else(|e| panic!("{e}"));
        let [Item::UserOnboarding(o)] = onboarding.response.as_slice() else { panic!("{onboarding:?}") };
        assert!(fulfilled(o).is_empty(), "{:?}", fulfilled(o));

        let err = app.client_builder().description("laptop\u{0}").connect().await.err();
        assert_eq!(err.as_ref().and_then(|e| e.status()), Some(400));
        assert!(err.as_ref().and_then(|e| e.description()).is_some_and(|d| d.starts_with("description contains a control character")), "{err:?}");
    }

    async fn echoed_input_is_cut_short(app: TestApp) {
        let client = ready_partner(&app).await;
        let long = "x".repeat(5_000);
        let err = client.post("/v1/partner-user-provision", &person(&long)).await.err();
        let text = err.as_ref().and_then(|e| e.description()).unwrap_or_default().to_owned();
        assert!(text.starts_with(&format!("external_uuid \"{}…\"", "x".repeat(100))), "{text}");
        assert!(text.chars().count() < 200, "{text}");
    }

    async fn attachment_descriptions_are_checked_like_device_descriptions(app: TestApp) {
        let (_, user, key, _) = onboarding_user(&app).await;
        let path = format!("/v1/user/{key}/attachment");
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        let uploaded = user.upload(&path, "image/png", Some("Zoë's passport"), png.clone()).await
            .unwrap_or_else(|e| panic!("{e}"));
        let id = first_id(&uploaded.response);
        let read = user.get(&format!("{path}/{id}")).await.unwrap_or_else(|e| panic!("{e}"));
        let [Item::AttachmentUser(AttachmentUser { attachment, .. })] = read.response.as_slice() else { panic!("{read:?}") };
        assert_eq!(attachment.description.as_deref(), Some("Zoë's passport"));

        let err = user.upload(&path, "image/png", Some(&"d".repeat(256)), png.clone()).await.err();
        assert_eq!(err.as_ref().and_then(|e| e.description()), Some("X-Bunq-Attachment-Description is longer than 255 characters."));
        let err = user.upload(&path, "image/png", Some("front\u{202E}"), png.clone()).await.err();
        assert!(err.as_ref().and_then(|e| e.description()).is_some_and(|d| d.starts_with("X-Bunq-Attachment-Description contains a control character")), "{err:?}");

        // Not UTF-8: refused, not stored without its description.
        let token = user.context().await.map(|c| c.session_token).unwrap_or_default();
        let mut request = format!(
            "POST {path} HTTP/1.1\r\nHost: provisio\r\nX-Bunq-Client-Authentication: {token}\r\nContent-Type: image/png\r\nContent-Length: {}\r\nX-Bunq-Attachment-Description: caf",
            png.len()
        ).into_bytes();
        request.extend_from_slice(b"\xe9\r\n\r\n");
        request.extend_from_slice(&png);
        let reply = raw::exchange(app.addr, &request).await;
        assert_refused(&reply, &app, "X-Bunq-Attachment-Description must be UTF-8 text.");
    }

    async fn dev_takes_json_sent_as_a_form_or_as_text(app: TestApp) {
        let form = Some("application/x-www-form-urlencoded");
        let key = test_key().public_key_pem().unwrap_or_default();
        let body = serde_json::to_vec(&serde_json::json!({ "client_public_key": key })).unwrap_or_default();
        let reply = app.send(Request::new(Method::POST, "/v1/installation").body(body).content_type(form)).await;
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
        let reply = app.send(Request::new(Method::POST, "/v1/installation").body(b"client_public_key=abc".to_vec()).content_type(form)).await;
        assert_refused(&reply, &app, "Content-Type \"application/x-www-form-urlencoded\" is not supported here; send application/json.");
        // What Node's fetch sends for a string body when the code names no type.
        let text = Some("text/plain;charset=UTF-8");
        let body = serde_json::to_vec(&serde_json::json!({ "client_public_key": key })).unwrap_or_default();
        let reply = app.send(Request::new(Method::POST, "/v1/installation").body(body).content_type(text)).await;
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
        let reply = app.send(Request::new(Method::POST, "/v1/installation").body(b"hello".to_vec()).content_type(text)).await;
        assert_refused(&reply, &app, "Content-Type \"text/plain;charset=UTF-8\" is not supported here; send application/json.");
    }
}

for_each_backend! { strict =>
    async fn strict_refuses_json_sent_as_a_form(app: TestApp) {
        let key = test_key().public_key_pem().unwrap_or_default();
        let body = serde_json::to_vec(&serde_json::json!({ "client_public_key": key })).unwrap_or_default();
        let reply = app.send(Request::new(Method::POST, "/v1/installation").body(body)
            .content_type(Some("application/x-www-form-urlencoded"))).await;
        assert_refused(&reply, &app, "Content-Type \"application/x-www-form-urlencoded\" is not supported here; send application/json.");
        let body = serde_json::to_vec(&serde_json::json!({ "client_public_key": key })).unwrap_or_default();
        let reply = app.send(Request::new(Method::POST, "/v1/installation").body(body)
            .content_type(Some("text/plain"))).await;
        assert_refused(&reply, &app, "Content-Type \"text/plain\" is not supported here; send application/json.");
    }
}
