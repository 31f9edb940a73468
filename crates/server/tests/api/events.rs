//! The user's event feed over real HTTP: payments (both sides, money in) and card transactions
//! show on their owners' feeds newest first, paged and filtered; notes on a payment; and
//! notification filters set on one account.

use provisio_client::{
    wire::{feed::EventObject, Item, ResponseEnvelope},
    Client, ClientError,
};
use reqwest::Method;

use crate::{
    accounts::{bank, banks, open, own_id},
    card_transactions::{card_holder, decision_of},
    helpers::*,
    payments::{fund, pay, payments, to},
    provisioning::{admin, first_id},
};

fn ok<T>(result: Result<T, ClientError>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

pub fn events_of(envelope: &ResponseEnvelope) -> Vec<EventObject> {
    envelope
        .response
        .iter()
        .map(|i| match i {
            Item::Event(e) => e.clone(),
            other => panic!("{other:?}"),
        })
        .collect()
}

async fn feed(client: &Client, path: &str) -> (Vec<EventObject>, ResponseEnvelope) {
    let envelope = ok(client.get(path).await);
    (events_of(&envelope), envelope)
}

/// The kind of an event's object and the object's id (and, for a payment, its amount).
fn about(e: &EventObject) -> (&'static str, i64, String) {
    match e.object.as_ref() {
        Item::Payment(p) => ("Payment", p.id, p.amount.value.clone()),
        Item::MasterCardAction(a) => ("MasterCardAction", a.id, a.amount_local.value.clone()),
        other => panic!("{other:?}"),
    }
}

fn status_of<T: std::fmt::Debug>(result: Result<T, ClientError>) -> Option<u16> {
    match result {
        Ok(v) => panic!("accepted: {v:?}"),
        Err(e) => e.status(),
    }
}

for_each_backend! { TestApp::spawn =>
    async fn payments_and_card_transactions_fill_both_feeds_newest_first(app: TestApp) {
        let (partner, user, key, account, card, _) = card_holder(&app, "100.00").await;
        let me = own_id(&partner).await;
        let main = banks(&partner, me).await.pop().unwrap_or_else(|| panic!("no main account"));
        let savings = open(&user, key, "bank", &bank("EUR", "Savings")).await;
        let paid = ok(pay(&user, key, account, &to(&main.alias[0].value, "10.00")).await);
        let (action, decision) = decision_of(&app, card, serde_json::json!({"amount": "5.00", "merchant": "Coffee BV", "city": "Utrecht"})).await;
        assert_eq!(decision, "ALLOWED");

        // The user's feed: the card transaction, the payment out, the money in; newest first.
        let (mine, _) = feed(&user, &format!("/v1/user/{key}/event")).await;
        let seen: Vec<(&str, i64, String)> = mine.iter().map(about).collect();
        let credit = payments(&user, key, account).await.last().map(|p| p.id).unwrap_or_default();
        assert_eq!(seen, vec![
            ("MasterCardAction", action, "-5.00".to_owned()),
            ("Payment", paid, "-10.00".to_owned()),
            ("Payment", credit, "100.00".to_owned()),
        ]);
        assert!(mine.windows(2).all(|w| w[0].id > w[1].id), "newest first");
        let account_text = account.to_string();
        for e in &mine {
            assert_eq!((e.action.as_str(), e.status.as_str()), ("CREATE", "FINALIZED"));
            assert_eq!(e.monetary_account_id.as_deref(), Some(account_text.as_str()));
        }
        // The partner's feed: the payment in, on its main account, and nothing of the user's.
        let (theirs, _) = feed(&partner, &format!("/v1/user/{me}/event")).await;
        let [incoming] = theirs.as_slice() else { panic!("{theirs:?}") };
        assert_eq!(about(incoming).2, "10.00");
        assert_eq!((incoming.user_id.clone(), incoming.monetary_account_id.clone()), (me.to_string(), Some(main.id.to_string())));

        // One event by id; another user's event is not found.
        let one = events_of(&ok(user.get(&format!("/v1/user/{key}/event/{}", mine[1].id)).await));
        assert_eq!(one, vec![mine[1].clone()]);
        assert_eq!(status_of(partner.get(&format!("/v1/user/{me}/event/{}", mine[1].id)).await), Some(404));
        assert_eq!(status_of(user.get(&format!("/v1/user/{key}/event/{}", incoming.id)).await), Some(404));

        // Filters: by account (one or several), by status; a bad one is refused.
        let path = |query: &str| format!("/v1/user/{key}/event?{query}");
        assert_eq!(feed(&user, &path(&format!("monetary_account_id={account}"))).await.0, mine);
        assert_eq!(feed(&user, &path(&format!("monetary_account_id={savings},{account}"))).await.0, mine);
        assert!(feed(&user, &path(&format!("monetary_account_id={savings}"))).await.0.is_empty());
        assert_eq!(feed(&user, &path("status=FINALIZED&display_user_event=true")).await.0, mine);
        assert!(feed(&user, &path("status=AWAITING_REPLY")).await.0.is_empty());
        assert_eq!(status_of(user.get(&path("status=DONE")).await), Some(400));
        assert_eq!(status_of(user.get(&path("monetary_account_id=x")).await), Some(400));

        // Paged: count, older_id through the Pagination URLs, and back with newer_id.
        let (first, envelope) = feed(&user, &path(&format!("monetary_account_id={account}&count=2"))).await;
        assert_eq!(first, mine[..2].to_vec());
        let pagination = envelope.pagination.unwrap_or_else(|| panic!("no Pagination"));
        let older = pagination.older_url.unwrap_or_else(|| panic!("no older_url"));
        assert!(older.contains(&format!("older_id={}", mine[1].id)) && older.contains("count=2") && older.contains("monetary_account_id"), "{older}");
        assert_eq!(pagination.newer_url, None);
        let (second, envelope) = feed(&user, &older).await;
        assert_eq!(second, mine[2..].to_vec());
        let pagination = envelope.pagination.unwrap_or_else(|| panic!("no Pagination"));
        assert_eq!(pagination.older_url, None);
        let newer = pagination.newer_url.unwrap_or_else(|| panic!("no newer_url"));
        assert_eq!(feed(&user, &newer).await.0, mine[..2].to_vec());

        let ledger = app.store.ledger().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(ledger.holds(), "{ledger:?}");
    }

    async fn notes_on_a_payment_are_kept_changed_and_removed(app: TestApp) {
        let (partner, user, key, account, _, _) = card_holder(&app, "20.00").await;
        let me = own_id(&partner).await;
        let credit = payments(&user, key, account).await[0].id;
        let notes = format!("/v1/user/{key}/monetary-account/{account}/payment/{credit}/note-text");
        let id = first_id(&ok(user.post(&notes, &serde_json::json!({"content": "Salary\nfor May"})).await).response);
        let second = first_id(&ok(user.post(&notes, &serde_json::json!({"content": "Thanks"})).await).response);
        let listed = ok(user.get(&notes).await).response;
        let contents: Vec<(i64, String)> = listed.iter().map(|i| match i {
            Item::NoteTextPayment(n) => (n.id, n.content.clone()),
            other => panic!("{other:?}"),
        }).collect();
        assert_eq!(contents, vec![(second, "Thanks".to_owned()), (id, "Salary\nfor May".to_owned())]);

        let one = format!("{notes}/{id}");
        assert_eq!(first_id(&ok(user.put(&one, &serde_json::json!({"content": "Salary, May"})).await).response), id);
        let read = ok(user.get(&one).await).response;
        assert!(matches!(read.as_slice(), [Item::NoteTextPayment(n)] if n.content == "Salary, May"), "{read:?}");
        // Empty content, or a control character, is refused and changes nothing.
        assert_eq!(status_of(user.put(&one, &serde_json::json!({"content": " "})).await), Some(400));
        assert_eq!(status_of(user.post(&notes, &serde_json::json!({"content": "a\u{0}b"})).await), Some(400));
        let read = ok(user.get(&one).await).response;
        assert!(matches!(read.as_slice(), [Item::NoteTextPayment(n)] if n.content == "Salary, May"), "{read:?}");

        assert!(ok(user.delete(&one).await).response.is_empty());
        assert_eq!(status_of(user.get(&one).await), Some(404));
        assert_eq!(status_of(user.delete(&one).await), Some(404));
        assert_eq!(ok(user.get(&notes).await).response.len(), 1);
        // Another user's payment, or a payment under another account, has no notes here.
        let main = banks(&partner, me).await.pop().map(|a| a.id).unwrap_or_default();
        assert_eq!(status_of(partner.get(&format!("/v1/user/{me}/monetary-account/{main}/payment/{credit}/note-text")).await), Some(404));
        assert_eq!(status_of(partner.post(&format!("/v1/user/{me}/monetary-account/{main}/payment/{credit}/note-text"), &serde_json::json!({"content": "x"})).await), Some(404));
        assert_eq!(status_of(user.get(&format!("{notes}/{}", id + 1000)).await), Some(404));
    }

    async fn an_account_filter_hears_its_accounts_payments(app: TestApp) {
        let (partner, user, key, account, _, _) = card_holder(&app, "50.00").await;
        let me = own_id(&partner).await;
        let main = banks(&partner, me).await.pop().unwrap_or_else(|| panic!("no main account"));
        let savings = open(&user, key, "bank", &bank("EUR", "Savings")).await;
        fund(&app, savings, "50.00").await;
        let receiver = Receiver::start().await;
        let filters = serde_json::json!({"notification_filters": [
            {"category": "PAYMENT", "notification_target": receiver.url}]});
        let on_account = format!("/v1/user/{key}/monetary-account/{account}/notification-filter-url");
        let set = ok(user.post(&on_account, &filters).await).response;
        assert!(matches!(set.as_slice(), [Item::NotificationFilterUrl(f)] if f.all_monetary_account_id == vec![account]), "{set:?}");
        let listed = ok(user.get(&on_account).await).response;
        assert_eq!(listed, set);
        // The user's own filters are another set: untouched, and they leave the account's be.
        assert!(ok(user.get(&format!("/v1/user/{key}/notification-filter-url")).await).response.is_empty());
        ok(user.post(&format!("/v1/user/{key}/notification-filter-url"), &serde_json::json!({"notification_filters": []})).await);
        assert_eq!(ok(user.get(&on_account).await).response, set);
        // Another user's account is not found.
        assert_eq!(status_of(partner.get(&format!("/v1/user/{me}/monetary-account/{account}/notification-filter-url")).await), Some(404));

        let from_account = ok(pay(&user, key, account, &to(&main.alias[0].value, "3.00")).await);
        ok(pay(&user, key, savings, &to(&main.alias[0].value, "4.00")).await);
        app.deliver().await;
        let heard: Vec<(String, i64)> = receiver.received().iter().map(|r| {
            let json = r.json();
            let n = &json["NotificationUrl"];
            (n["event_type"].as_str().unwrap_or_default().to_owned(), n["object"]["Payment"]["id"].as_i64().unwrap_or_default())
        }).collect();
        assert_eq!(heard, vec![("PAYMENT_CREATED".to_owned(), from_account)], "only the account's payment");

        // With the same target on the user too, the account's payment is delivered once.
        ok(user.post(&format!("/v1/user/{key}/notification-filter-url"), &filters).await);
        let again = ok(pay(&user, key, account, &to(&main.alias[0].value, "1.00")).await);
        app.deliver().await;
        let ids: Vec<i64> = receiver.received().iter().map(|r| r.json()["NotificationUrl"]["object"]["Payment"]["id"].as_i64().unwrap_or_default()).collect();
        assert_eq!(ids.iter().filter(|id| **id == again).count(), 1, "{ids:?}");
    }

    async fn a_removed_partner_takes_its_events_notes_and_images_along(app: TestApp) {
        let (partner, user, key, account, _, _) = card_holder(&app, "20.00").await;
        let me = own_id(&partner).await;
        let credit = payments(&user, key, account).await[0].id;
        ok(user.post(&format!("/v1/user/{key}/monetary-account/{account}/payment/{credit}/note-text"), &serde_json::json!({"content": "x"})).await);
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89".to_vec();
        let uploaded = ok(user.upload("/v1/attachment-public", "image/png", None, png).await);
        let Some(Item::Uuid(image)) = uploaded.response.first() else { panic!("{uploaded:?}") };
        ok(user.post("/v1/avatar", &serde_json::json!({"attachment_public_uuid": image.uuid})).await);
        let counts = app.database().row_counts().await;
        for table in ["events", "payment_notes", "public_attachments", "avatars"] {
            assert!(counts.get(table).copied().unwrap_or_default() > 0, "{table}: {counts:?}");
        }
        let removed = admin(&app, Method::DELETE, &format!("/_provisio/partners/{me}")).await;
        assert_eq!(removed.status, 200, "{}", String::from_utf8_lossy(&removed.body));
        let counts = app.database().row_counts().await;
        for table in ["events", "payment_notes", "public_attachments", "avatars"] {
            assert_eq!(counts.get(table).copied(), Some(0), "{table}");
        }
        let ledger = app.store.ledger().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(ledger.holds(), "{ledger:?}");
    }

    async fn drafts_and_schedules_are_on_the_feed_with_their_status(app: TestApp) {
        use provisio_client::wire::time::ts;
        use provisio_core::time::{Clock, Timestamp};
        let alice = crate::sandbox_users::connect(&app, &crate::sandbox_users::create(&app, "/v1/sandbox-user-person").await).await;
        let Item::UserPerson(a) = crate::sandbox_users::me(&alice).await else { panic!() };
        let account = banks(&alice, a.id).await[0].id;
        fund(&app, account, "10.00").await;
        let base = format!("/v1/user/{}/monetary-account/{account}", a.id);
        let elsewhere = serde_json::json!({"amount": {"value": "3.00", "currency": "EUR"},
            "counterparty_alias": {"type": "IBAN", "value": "NL91ABNA0417164300", "name": "Shop"}, "description": "x"});
        let kinds = |events: &[EventObject]| events.iter().map(|e| {
            let kind = match e.object.as_ref() {
                Item::DraftPayment(d) => format!("DraftPayment {}", d.status),
                Item::SchedulePayment(s) => format!("SchedulePayment {}", s.status),
                Item::Payment(p) => format!("Payment {}", p.amount.value),
                other => panic!("{other:?}"),
            };
            format!("{} {} {kind}", e.action, e.status)
        }).collect::<Vec<_>>();

        // A draft waits for its answer, then is answered; the object is rendered as it is now.
        let draft = first_id(&ok(alice.post(&format!("{base}/draft-payment"), &serde_json::json!({"number_of_required_accepts": 1, "entries": [elsewhere]})).await).response);
        let waiting = feed(&alice, &format!("/v1/user/{}/event?status=AWAITING_REPLY", a.id)).await.0;
        assert_eq!(kinds(&waiting), ["CREATE AWAITING_REPLY DraftPayment PENDING"]);
        ok(alice.put(&format!("{base}/draft-payment/{draft}"), &serde_json::json!({"status": "ACCEPTED"})).await);

        // A schedule made, and a run that cannot pay (its payment would be the event otherwise).
        let start = ts(Timestamp(app.clock.now().micros() + 3_600_000_000));
        let too_much = serde_json::json!({"payment": {"amount": {"value": "500.00", "currency": "EUR"},
            "counterparty_alias": {"type": "IBAN", "value": "NL91ABNA0417164300", "name": "Shop"}, "description": "Rent"},
            "schedule": {"time_start": start, "recurrence_unit": "ONCE"}});
        ok(alice.post(&format!("{base}/schedule-payment"), &too_much).await);
        crate::sandbox_clock::advance(&app, "2h").await;
        app.drain().await;

        let all = feed(&alice, &format!("/v1/user/{}/event?monetary_account_id={account}", a.id)).await.0;
        assert_eq!(kinds(&all), [
            "UPDATE FINALIZED SchedulePayment FINISHED",
            "CREATE FINALIZED SchedulePayment FINISHED",
            "UPDATE FINALIZED DraftPayment ACCEPTED",
            "CREATE FINALIZED Payment -3.00",
            "CREATE AWAITING_REPLY DraftPayment ACCEPTED",
            "CREATE FINALIZED Payment 10.00",
        ]);
        assert!(feed(&alice, &format!("/v1/user/{}/event?display_user_event=false", a.id)).await.0.is_empty());
    }
}
