//! One spelling for one thing: `authorize`, as bunq's routes and the CLI spell it, in every
//! dashboard page and in the operator API's descriptions. bunq's own British names stay as
//! bunq spells them: field names (`authorisation_status`), values (`AUTHORISED`) and its error
//! text (`Insufficient authorisation.`, on the wire, never on these pages).

use provisio_core::model::ProvisionId;

use crate::{
    card_transactions::card_holder,
    dashboard::{fetch, sign_in},
    helpers::*,
    verification::admin_json,
};

/// The words of `text` spelt the British way, except bunq's names: a field (with `_`) or a
/// value (in capitals).
pub fn british(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| word.to_lowercase().contains("authoris"))
        .filter(|word| !word.contains('_') && *word != word.to_uppercase())
        .map(str::to_owned)
        .collect()
}

#[test]
fn british_finds_prose_and_spares_bunqs_names() {
    assert_eq!(
        british("An authorisation; Authorise. authorisation_status AUTHORISED"),
        ["authorisation", "Authorise"]
    );
    assert!(british("authorize, authorized, Authorization").is_empty());
}

for_each_backend! { TestApp::spawn =>
    async fn the_dashboard_and_the_operator_api_spell_authorize_one_way(app: TestApp) {
        let (_, _, key, account, card, provision) = card_holder(&app, "20.00").await;
        let owner = app.store.provision(ProvisionId(provision)).await.ok().flatten()
            .and_then(|p| p.user).unwrap_or_else(|| panic!("no user")).id.0;
        // A card transaction, so the pages that list them have a row.
        let body = serde_json::json!({"amount": "1.00", "merchant": "Coffee BV"});
        let reply = admin_json(&app, &format!("/_provisio/cards/{card}/authorize"), body).await;
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));

        let cookie = sign_in(&app).await;
        let pages = [
            "/_provisio/ui/".to_owned(),
            format!("/_provisio/ui/partners/{}", app.partner_id),
            format!("/_provisio/ui/provisions/{provision}"),
            format!("/_provisio/ui/accounts?user={key}"),
            format!("/_provisio/ui/users/{owner}/accounts/{account}"),
            format!("/_provisio/ui/cards?user={key}"),
            format!("/_provisio/ui/users/{owner}/accounts/{account}/card-transactions"),
            "/_provisio/ui/deliveries".to_owned(),
            "/_provisio/ui/requests".to_owned(),
        ];
        for page in &pages {
            let response = fetch(&app, page, Some(&cookie)).await;
            assert_eq!(response.status(), 200, "{page}");
            let html = response.text().await.unwrap_or_default();
            assert!(british(&html).is_empty(), "{page}: {:?}", british(&html));
        }
        // The page that names the merchant's form and its column says so.
        let cards = fetch(&app, &format!("/_provisio/ui/cards?user={key}"), Some(&cookie)).await;
        assert!(cards.text().await.unwrap_or_default().contains(">Authorize<"));
        let login = fetch(&app, "/_provisio/ui/login", None).await.text().await.unwrap_or_default();
        assert!(british(&login).is_empty(), "{:?}", british(&login));

        for path in ["/_provisio/openapi.json", "/_provisio/scenarios"] {
            let reply = operator(&app, reqwest::Method::GET, path, None).await;
            assert_eq!(reply.status, 200, "{path}");
            let text = String::from_utf8_lossy(&reply.body);
            // bunq's error text, quoted where the description lists bunq's errors, is bunq's.
            let text = text.replace("Insufficient authorisation.", "");
            assert!(british(&text).is_empty(), "{path}: {:?}", british(&text));
        }
    }
}
