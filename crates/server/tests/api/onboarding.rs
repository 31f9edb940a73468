//! Onboarding, first part (spec E.2, E.3): the onboarding model and the fulfillments.

use provisio_client::{
    wire::{
        requests::{
            Address, AddressRequest, NationalityRequest, OnboardingRequest, TaxResident,
            TaxResidentRequest, UserPersonRequest,
        },
        Item,
    },
    Client,
};

use crate::{helpers::*, provisioning::*};

pub fn address() -> Address {
    Address {
        street: Some("Keizersgracht".into()),
        house_number: Some("116".into()),
        postal_code: Some("1015 CW".into()),
        city: Some("Amsterdam".into()),
        country: Some("NL".into()),
    }
}

pub fn person_details() -> UserPersonRequest {
    UserPersonRequest {
        first_name: Some("Jan".into()),
        middle_name: Some("".into()),
        last_name: Some("de Vries".into()),
        date_of_birth: Some("1990-05-15".into()),
        avatar_uuid: None,
    }
}

/// The partner, the provisioned user's own client, and the user's `UserApiKey` id.
pub async fn onboarding_user(app: &TestApp) -> (Client, Client, i64, i64) {
    let partner = ready_partner(app).await;
    let (id, token) = onboarding(app, &partner).await;
    let user = Client::builder(&app.base_url, &token)
        .signing_key(test_key())
        .connect()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let key = user.context().await.map(|c| c.user_id).unwrap_or_default();
    (partner, user, key, id)
}

pub fn fulfilled(o: &provisio_client::wire::objects::UserOnboarding) -> Vec<&str> {
    o.all_fulfillment
        .iter()
        .filter(|f| f.status.is_some())
        .map(|f| f.kind.as_str())
        .collect()
}

for_each_backend! { TestApp::spawn =>
    async fn fulfillments_fill_the_onboarding_and_the_put_lists_what_is_missing(app: TestApp) {
        let (partner, user, key, provision) = onboarding_user(&app).await;
        let base = format!("/v1/user/{key}/user-onboarding");
        let created = user.post(&base, &OnboardingRequest { kind: Some("PARTNER_USER".into()), ..Default::default() })
            .await.unwrap_or_else(|e| panic!("{e}"));
        let id = first_id(&created.response);

        // The partner reaches the same onboarding through the user's id (J-8, J-9).
        let read = partner.get(&format!("{base}/{id}")).await.unwrap_or_else(|e| panic!("{e}"));
        let [Item::UserOnboarding(o)] = read.response.as_slice() else { panic!("{read:?}") };
        assert_eq!((o.status.as_str(), o.action_required.as_str()), ("CREATED", "USER"));
        assert_eq!(o.all_fulfillment.len(), 7);
        assert!(fulfilled(o).is_empty());
        let tax = o.all_fulfillment.iter().find(|f| f.kind == "TAX_RESIDENT").unwrap_or_else(|| panic!());
        assert!(tax.time_mandatory.is_some(), "due within 90 days");

        user.post(&format!("/v1/user/{key}/address-main"), &AddressRequest { address_main: Some(address()), ..Default::default() })
            .await.unwrap_or_else(|e| panic!("{e}"));
        partner.put(&format!("/v1/user-person/{key}"), &person_details()).await.unwrap_or_else(|e| panic!("{e}"));
        user.post(&format!("/v1/user/{key}/tax-resident"), &TaxResidentRequest { tax_resident: vec![TaxResident {
            country: Some("NL".into()), tax_number: Some("426702311".into()), status: None }] })
            .await.unwrap_or_else(|e| panic!("{e}"));
        user.post(&format!("/v1/user/{key}/nationality"), &NationalityRequest { all_nationality: vec!["NL".into()] })
            .await.unwrap_or_else(|e| panic!("{e}"));

        let read = user.get(&base).await.unwrap_or_else(|e| panic!("{e}"));
        let [Item::UserOnboarding(o)] = read.response.as_slice() else { panic!("{read:?}") };
        assert_eq!(o.status, "IN_PROGRESS");
        assert_eq!(fulfilled(o), vec!["ADDRESS_MAIN", "DATE_OF_BIRTH", "LEGAL_NAME", "TAX_RESIDENT", "NATIONALITY"]);
        // The legal name names the user, and so the provision's label_user.
        let label = get(&partner, provision).await.label_user.map(|l| l.display_name);
        assert_eq!(label.as_deref(), Some("Jan de Vries"));

        // Identity verification is still missing: the PUT says so, in bunq's shape.
        let err = user.put(&format!("{base}/{id}"), &OnboardingRequest {
            user_status_desired: Some("ACTIVE".into()),
            user_verification_status_desired: Some("VERIFIED".into()),
            ..Default::default()
        }).await.err().unwrap_or_else(|| panic!("the PUT must be refused"));
        assert_eq!(err.status(), Some(400));
        assert_eq!(err.description(), Some("You need to provide additional information in order to perform this action."));
        let provisio_client::ClientError::Api { envelope: Some(envelope), .. } = err else { panic!() };
        let extra = envelope.error[0].error_additional_parameter.clone().unwrap_or_default();
        let missing: Vec<&str> = extra[0]["AdditionalFulfillmentParameter"]["all_fulfillment"]
            .as_array().map(|a| a.iter().filter_map(|f| f["type"].as_str()).collect()).unwrap_or_default();
        assert_eq!(missing, vec!["IDENTITY_VERIFICATION"]);

        // Resubmitting replaces the earlier value.
        partner.put(&format!("/v1/user-person/{key}"), &UserPersonRequest { first_name: Some("Johanna".into()), ..person_details() })
            .await.unwrap_or_else(|e| panic!("{e}"));
        let label = get(&partner, provision).await.label_user.map(|l| l.display_name);
        assert_eq!(label.as_deref(), Some("Johanna de Vries"));
    }

    async fn the_user_person_put_answers_the_users_own_id(app: TestApp) {
        onboarding_user(&app).await;
        // A second user: its fulfillment ids and its own id differ.
        let (partner, _, key, _) = onboarding_user(&app).await;
        let put = partner.put(&format!("/v1/user-person/{key}"), &person_details()).await.unwrap_or_else(|e| panic!("{e}"));
        let read = partner.get(&format!("/v1/user/{key}")).await.unwrap_or_else(|e| panic!("{e}"));
        let [Item::UserApiKey(k)] = read.response.as_slice() else { panic!("{read:?}") };
        let provisio_client::wire::objects::AnyUser::UserPerson(person) = &k.granted_by_user else { panic!("{k:?}") };
        assert_eq!(first_id(&put.response), person.id);
        let read = partner.get(&format!("/v1/user/{key}/user-onboarding")).await.unwrap_or_else(|e| panic!("{e}"));
        let [Item::UserOnboarding(o)] = read.response.as_slice() else { panic!("{read:?}") };
        let legal_name = o.all_fulfillment.iter().find(|f| f.kind == "LEGAL_NAME").and_then(|f| f.id);
        assert_ne!(legal_name, Some(person.id), "the test must tell the two apart");
    }

    async fn each_fulfillment_is_validated(app: TestApp) {
        let (_, user, key, _) = onboarding_user(&app).await;
        let cases: Vec<(String, serde_json::Value, &str)> = vec![
            (format!("/v1/user/{key}/address-main"), serde_json::json!({"address_main": {"street": "K", "house_number": "1", "postal_code": "1", "city": "A", "country": "XX"}}), "ISO 3166"),
            (format!("/v1/user/{key}/address-main"), serde_json::json!({"address_main": {"house_number": "1", "postal_code": "1", "city": "A", "country": "NL"}}), "address_main.street"),
            (format!("/v1/user/{key}/address-main"), serde_json::json!({}), "address_main is required"),
            (format!("/v1/user/{key}/address-postal"), serde_json::json!({"address_postal": {"street": "K", "house_number": "1", "postal_code": "1", "city": "", "country": "NL"}}), "address_postal.city"),
            (format!("/v1/user/{key}/tax-resident"), serde_json::json!({"tax_resident": []}), "at least one"),
            (format!("/v1/user/{key}/tax-resident"), serde_json::json!({"tax_resident": [{"country": "NL"}]}), "tax_number"),
            (format!("/v1/user/{key}/nationality"), serde_json::json!({"all_nationality": ["Dutch"]}), "all_nationality[0]"),
        ];
        for (path, body, text) in cases {
            let err = user.post(&path, &body).await.err();
            assert_eq!(err.as_ref().and_then(|e| e.status()), Some(400), "{path} {body}");
            assert!(err.as_ref().and_then(|e| e.description()).is_some_and(|d| d.contains(text)), "{err:?} lacks {text}");
        }
        for (details, text) in [
            (UserPersonRequest { date_of_birth: Some("2015-01-01".into()), ..person_details() }, "18 years"),
            (UserPersonRequest { date_of_birth: Some("1990-13-01".into()), ..person_details() }, "not a date"),
            (UserPersonRequest { last_name: None, ..person_details() }, "last_name"),
        ] {
            let err = user.put(&format!("/v1/user-person/{key}"), &details).await.err();
            assert!(err.as_ref().and_then(|e| e.description()).is_some_and(|d| d.contains(text)), "{err:?} lacks {text}");
        }
    }

    async fn strangers_and_companies_have_no_onboarding_here(app: TestApp) {
        let (partner, _, key, _) = onboarding_user(&app).await;
        let company = partner.context().await.map(|c| c.user_id).unwrap_or_default();
        let err = partner.post(&format!("/v1/user/{company}/user-onboarding"), &OnboardingRequest::default()).await.err();
        assert_eq!(err.and_then(|e| e.status()), Some(404));
        let (_, other) = provisio_server::context::partners::create_partner(
            app.store.as_ref(), app.clock.as_ref(), provisio_core::model::Environment::Sandbox, "Stranger BV",
        ).await.unwrap_or_else(|e| panic!("{e}"));
        let stranger = Client::builder(&app.base_url, other.expose()).signing_key(test_key()).connect().await
            .unwrap_or_else(|e| panic!("{e}"));
        let err = stranger.post(&format!("/v1/user/{key}/address-main"), &AddressRequest { address_main: Some(address()), ..Default::default() }).await.err();
        assert_eq!(err.and_then(|e| e.status()), Some(404));
        for path in ["user-onboarding", "user-information-inquiry", "identity-verification-session", "identity-verification-session/1", "attachment/1"] {
            let err = stranger.get(&format!("/v1/user/{key}/{path}")).await.err();
            assert_eq!(err.and_then(|e| e.status()), Some(404), "{path}");
        }
        let err = stranger.post(&format!("/v1/user/{key}/identity-verification-session"), &serde_json::json!({})).await.err();
        assert_eq!(err.and_then(|e| e.status()), Some(404));
        let err = stranger.upload(&format!("/v1/user/{key}/attachment"), "application/pdf", None, b"%PDF-1.4\n".to_vec()).await.err();
        assert_eq!(err.and_then(|e| e.status()), Some(404));
    }
}
