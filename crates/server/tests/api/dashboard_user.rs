//! The dashboard's pages that gather a user's things (issues 21, 25 and 19), over HTTP on both
//! backends: every card transaction across a partner (filtered, paged, with settle and reverse
//! where the state allows), a user's page with its requests, drafts, schedules, events,
//! webhooks and provision timeline, and its "Connected apps" whose Revoke button ends an
//! OAuth grant (the grant's session then answers 401).

use provisio_core::{
    model::{ProvisionId, UserId},
    provision::consent::GrantFilter,
};
use reqwest::StatusCode;
use serde_json::json;

use crate::{
    card_transactions::{card_holder, decision_of},
    dashboard::{form_token, location, post, sign_in},
    dashboard_find::{html, submit, version},
    helpers::*,
    oauth_consent::{authorized_code, connect, credentials, exchange, sandbox_person, user_status},
    provisioning::{first_id, ready_partner},
};

const ELSEWHERE: &str = "NL20INGB0001234567";

fn ok<T>(result: Result<T, provisio_client::ClientError>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

/// The part of `page` from the element with `id` on (what a section holds comes first).
fn from<'p>(page: &'p str, id: &str) -> &'p str {
    let at = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {page}"));
    &page[at..]
}

fn amount(value: &str) -> serde_json::Value {
    json!({"value": value, "currency": "EUR"})
}

fn payee(name: &str) -> serde_json::Value {
    json!({"type": "IBAN", "value": ELSEWHERE, "name": name})
}

for_each_backend! { TestApp::spawn =>
    async fn every_card_transaction_of_a_partner_is_listed_with_its_actions(app: TestApp) {
        let (_, _, _, _, card, provision) = card_holder(&app, "100.00").await;
        let partner = app.store.provision(ProvisionId(provision)).await.ok().flatten()
            .unwrap_or_else(|| panic!("no provision")).partner.id.0;
        let buy = |amount: &str, extra: serde_json::Value| {
            let mut body = json!({"amount": amount, "merchant": "Coffee BV"});
            if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
                b.extend(e.clone());
            }
            decision_of(&app, card, body)
        };
        let (first, _) = buy("2.00", json!({})).await;
        let (declined, why) = buy("1.00", json!({"decline_reason": "SUSPECTED_FRAUD"})).await;
        assert_eq!(why, "SUSPECTED_FRAUD");
        let (last, _) = buy("3.00", json!({})).await;
        let mut cookie = sign_in(&app).await;
        let row = |id: i64| format!("data-label=\"Id\">{id}<");
        let settle = |id: i64| format!("action=\"/_provisio/ui/mastercard-actions/{id}/settle\"");
        let reverse = |id: i64| format!("action=\"/_provisio/ui/mastercard-actions/{id}/reverse\"");

        // Linked from the Cards page, and from the other lists.
        let cards = html(&app, &cookie, "/_provisio/ui/cards").await;
        assert!(cards.contains("href=\"/_provisio/ui/lists/card-transactions\""), "{cards}");

        let list = format!("/_provisio/ui/lists/card-transactions?partner={partner}");
        let all = html(&app, &cookie, &list).await;
        assert!(all.contains("<h1>Every card transaction</h1>") && all.contains("<label for=\"partner\">")
            && all.contains("<label for=\"status\">"), "headings and labels: {all}");
        assert!(all.contains("data-live=\"/_provisio/ui/version\""), "the list follows changes: {all}");
        for id in [first, declined, last] {
            assert!(all.contains(&row(id)), "{id}: {all}");
        }
        assert!(all.find(&row(last)) < all.find(&row(first)), "newest first");
        for id in [first, last] {
            assert!(all.contains(&settle(id)) && all.contains(&reverse(id)), "{id} is open: {all}");
        }
        assert!(!all.contains(&settle(declined)) && !all.contains(&reverse(declined)), "a decline has no action");
        assert!(all.contains("th class=\"row-actions\""), "the actions stay in view");

        // Filtered by authorisation status; another partner's list holds none of it.
        let refused = html(&app, &cookie, &format!("{list}&status=DECLINED")).await;
        assert!(refused.contains(&row(declined)) && !refused.contains(&row(first)), "{refused}");
        assert!(refused.contains("<option value=\"DECLINED\" selected>"), "the filter is shown back");
        let other = html(&app, &cookie, &format!("/_provisio/ui/lists/card-transactions?partner={}", partner + 1000)).await;
        assert!(other.contains("Nothing matches."), "{other}");
        let wrong = html(&app, &cookie, "/_provisio/ui/lists/card-transactions?status=SHINY").await;
        assert!(wrong.contains("role=\"alert\"") && wrong.contains("status is one of"), "{wrong}");

        // Paged by id, as every list.
        let older = html(&app, &cookie, &format!("{list}&older={last}")).await;
        assert!(!older.contains(&row(last)) && older.contains(&row(first)), "{older}");
        let newer = html(&app, &cookie, &format!("{list}&newer={declined}")).await;
        assert!(newer.contains(&row(last)) && !newer.contains(&row(first)), "{newer}");

        // Settled from the list: the same call as the per-account page's button.
        let token = form_token(&app, &cookie, &list).await;
        let (settled, _) = submit(&app, &mut cookie, &format!("/_provisio/ui/mastercard-actions/{first}/settle"),
            &format!("form_token={token}")).await;
        assert_eq!(settled.status(), StatusCode::SEE_OTHER);
        let after = html(&app, &cookie, &list).await;
        assert!(!after.contains(&settle(first)) && after.contains(&settle(last)), "{after}");
        assert!(from(&after, "card-transactions").contains("SETTLED"), "{after}");
    }

    async fn a_users_page_shows_its_requests_drafts_schedules_events_webhooks_and_timeline(app: TestApp) {
        let (_, user, key, account, card, provision) = card_holder(&app, "100.00").await;
        let receiver = Receiver::start().await;
        ok(user.post(&format!("/v1/user/{key}/notification-filter-url"), &json!({"notification_filters": [
            {"category": "MUTATION", "notification_target": receiver.url}]})).await);
        // The API paths name the session's UserApiKey; the page is the person's.
        let person = app.store.provision(ProvisionId(provision)).await.ok().flatten()
            .and_then(|p| p.user).unwrap_or_else(|| panic!("no user")).id.0;
        let cookie = sign_in(&app).await;
        let path = format!("/_provisio/ui/users/{person}");

        // Empty states first: nothing asked, drafted or scheduled yet.
        let empty = html(&app, &cookie, &path).await;
        for says in ["No requests for money", "No draft payments.", "No scheduled payments.", "No connected apps"] {
            assert!(empty.contains(says), "{says}: {empty}");
        }
        let before = version(&app, &cookie).await;

        let base = format!("/v1/user/{key}/monetary-account/{account}");
        let (bought, _) = decision_of(&app, card, json!({"amount": "4.20", "merchant": "Coffee BV"})).await;
        let request = first_id(&ok(user.post(&format!("{base}/request-inquiry"), &json!({
            "amount_inquired": amount("7.50"), "counterparty_alias": payee("Someone"),
            "description": "Lunch", "allow_bunqme": false})).await).response);
        assert_ne!(version(&app, &cookie).await, before, "a live page sees the request");
        let draft = first_id(&ok(user.post(&format!("{base}/draft-payment"), &json!({
            "entries": [{"amount": amount("3.00"), "counterparty_alias": payee("Landlord"), "description": "Rent"}],
            "number_of_required_accepts": 1})).await).response);
        let schedule = first_id(&ok(user.post(&format!("{base}/schedule-payment"), &json!({
            "payment": {"amount": amount("9.99"), "counterparty_alias": payee("Gym BV"), "description": "Gym"},
            "schedule": {"time_start": "2099-01-01 00:00:00.000000", "recurrence_unit": "MONTHLY", "recurrence_size": 1}})).await).response);
        app.drain().await;
        app.deliver().await;

        let page = html(&app, &cookie, &path).await;
        assert!(page.contains("data-live=\"/_provisio/ui/version\""), "{page}");
        for (id, title) in [("requests", "Requests for money"), ("drafts", "Draft payments"),
            ("schedules", "Scheduled payments"), ("events", "Events"), ("webhooks", "Webhooks sent"),
            ("apps", "Connected apps"), ("provision", "Provision timeline")] {
            assert!(page.contains(&format!("<section id=\"{id}\" aria-labelledby=\"{id}-h\"><h2 id=\"{id}-h\">{title}</h2>")),
                "{id}: a named section: {page}");
        }
        let requests = from(&page, "user-requests");
        assert!(requests.contains(&format!("data-label=\"Id\">{request}<")) && requests.contains("Lunch")
            && requests.contains("7.50 EUR") && requests.contains("PENDING"), "{requests}");
        let drafts = from(&page, "user-drafts");
        assert!(drafts.contains(&format!("data-label=\"Id\">{draft}<")) && drafts.contains("Landlord") && drafts.contains("3.00 EUR"), "{drafts}");
        let schedules = from(&page, "user-schedules");
        assert!(schedules.contains(&format!("data-label=\"Id\">{schedule}<")) && schedules.contains("Gym BV")
            && schedules.contains("1 × MONTHLY"), "{schedules}");
        assert!(schedules.contains("<time class=\"next-run\">2099-01-01 00:00:00</time>"), "the next run: {schedules}");

        // The feed, newest first, each event as bunq's event route renders it.
        let events = from(&page, "user-events");
        let at = |what: &str| events.find(what).unwrap_or_else(|| panic!("no {what} in {events}"));
        assert!(at("<strong>SchedulePayment</strong>") < at("<strong>DraftPayment</strong>"), "{events}");
        assert!(at("<strong>DraftPayment</strong>") < at("<strong>RequestInquiry</strong>"), "{events}");
        assert!(at("<strong>RequestInquiry</strong>") < at(&format!("<strong>MasterCardAction</strong> {bought}")), "{events}");
        assert!(events.contains("&quot;Event&quot;") && events.contains("&quot;RequestInquiry&quot;"), "{events}");

        // The webhooks sent for it, and how they went.
        assert!(!receiver.received().is_empty(), "the receiver heard the mutations");
        let webhooks = from(&page, "user-webhooks");
        assert!(webhooks.contains("MUTATION") && webhooks.contains("DELIVERED") && webhooks.contains(&receiver.url), "{webhooks}");

        // Its provision's timeline, inline.
        let timeline = from(&page, "provision");
        assert!(timeline.contains("id=\"timeline\"") && timeline.contains("Transition")
            && timeline.contains(&format!("href=\"/_provisio/ui/provisions/{provision}\"")), "{timeline}");

        // A capped list offers more of itself, and shows it.
        let more = html(&app, &cookie, &format!("{path}?more=events")).await;
        assert!(from(&more, "user-events").contains("<strong>MasterCardAction</strong>"), "{more}");
    }

    async fn a_user_revokes_a_connected_app_from_its_page(app: TestApp) {
        let partner = ready_partner(&app).await;
        let (client_id, secret) = credentials(&partner).await;
        let (_, user, _) = sandbox_person(&app).await;
        let code = authorized_code(&app, &client_id, user).await;
        let (status, answer) = exchange(&app, &code, &client_id, &secret).await;
        assert_eq!(status, 200, "{answer}");
        let granted = connect(&app, answer["access_token"].as_str().unwrap_or_default()).await;
        let session = granted.context().await.unwrap_or_else(|e| panic!("{e}")).session_token;
        assert_eq!(user_status(&app, &session).await, 200);
        let grant = app.store.oauth_grants(GrantFilter::User(UserId(user))).await
            .unwrap_or_else(|e| panic!("{e}"))[0].id.0;

        let mut cookie = sign_in(&app).await;
        let path = format!("/_provisio/ui/users/{user}");
        let page = html(&app, &cookie, &path).await;
        let apps = from(&page, "user-apps");
        let button = format!("action=\"/_provisio/ui/users/{user}/grants/{grant}/revoke\"");
        assert!(apps.contains(&client_id) && apps.contains("ACTIVE") && apps.contains(&button), "{apps}");
        let token = form_token(&app, &cookie, &path).await;

        // Another site cannot press it, nor another user's page revoke this user's grant.
        let revoke = format!("/_provisio/ui/users/{user}/grants/{grant}/revoke");
        let foreign = post(&app, &revoke, Some(&cookie), Some("http://evil.example"), &format!("form_token={token}")).await;
        assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
        let (_, elsewhere) = submit(&app, &mut cookie, &format!("/_provisio/ui/users/{}/grants/{grant}/revoke", user + 1),
            &format!("form_token={token}")).await;
        assert!(elsewhere.contains("Refused: This user gave no such OAuth grant."), "{elsewhere}");
        assert_eq!(user_status(&app, &session).await, 200, "still granted");

        // Revoked from the user's page: the app's session ends at once, and live pages see it.
        let unchanged = version(&app, &cookie).await;
        let (revoked, after) = submit(&app, &mut cookie, &revoke, &format!("form_token={token}")).await;
        assert_eq!(location(&revoked), format!("/_provisio/ui/users/{user}#apps"));
        assert!(after.contains(&format!("Grant {grant} revoked")), "{after}");
        let apps = from(&after, "user-apps");
        assert!(apps.contains("REVOKED") && !apps.contains(&button), "{apps}");
        assert_eq!(user_status(&app, &session).await, 401);
        assert_ne!(version(&app, &cookie).await, unchanged, "the version follows grants");
        let refused = provisio_client::Client::builder(&app.base_url, answer["access_token"].as_str().unwrap_or_default())
            .signing_key(test_key()).connect().await;
        assert!(refused.is_err(), "its token opens no new session");
    }
}
