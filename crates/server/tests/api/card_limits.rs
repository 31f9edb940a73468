//! A card's daily limit over real HTTP: what counts against it (approvals), what does not
//! (declines of every kind), what gives it back (a reversal the same day), and a new virtual
//! day starting from nothing; many authorisations at once never pass the limit together.

use provisio_client::wire::{accounts::AmountRequest, cards::CardRequest};

use crate::{
    card_transactions::{balance, card_holder, decision_of},
    cards::{change, ok},
    helpers::*,
    sandbox_clock::advance,
    verification::admin_json,
};

fn limit(value: &str) -> CardRequest {
    CardRequest {
        card_limit: Some(AmountRequest {
            value: Some(value.into()),
            currency: Some("EUR".into()),
        }),
        ..CardRequest::default()
    }
}

for_each_backend! { TestApp::spawn =>
    async fn the_daily_limit_counts_approvals_only_and_starts_afresh_each_day(app: TestApp) {
        let (_, user, key, _, card, _) = card_holder(&app, "100.00").await;
        ok(change(&user, key, card, &limit("10.00")).await);
        let pay = |amount: &'static str, extra: serde_json::Value| {
            let app = &app;
            async move {
                let mut body = serde_json::json!({"amount": amount, "merchant": "Coffee BV"});
                if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
                    b.extend(e.clone());
                }
                decision_of(app, card, body).await
            }
        };
        let reverse = |id: i64| {
            let app = &app;
            async move {
                let reply = admin_json(app, &format!("/_provisio/mastercard-actions/{id}/reverse"), serde_json::json!({})).await;
                assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
            }
        };
        let none = serde_json::json!({});
        let (first, allowed) = pay("6.00", none.clone()).await;
        assert_eq!(allowed, "ALLOWED");
        assert_eq!(pay("5.00", none.clone()).await.1, "CARD_LIMIT_EXCEEDED", "6.00 + 5.00 > 10.00");
        // Declines take nothing of the limit: the refused 5.00 above, a forced one, a too-poor one.
        assert_eq!(pay("3.00", serde_json::json!({"decline_reason": "SUSPECTED_FRAUD"})).await.1, "SUSPECTED_FRAUD");
        ok(change(&user, key, card, &limit("1000.00")).await);
        assert_eq!(pay("500.00", none.clone()).await.1, "INSUFFICIENT_BALANCE");
        ok(change(&user, key, card, &limit("10.00")).await);
        let (last, allowed) = pay("4.00", none.clone()).await;
        assert_eq!(allowed, "ALLOWED", "6.00 + 4.00 is the limit exactly");
        assert_eq!(pay("0.01", none.clone()).await.1, "CARD_LIMIT_EXCEEDED");
        // A reversal gives its amount back to the day.
        reverse(first).await;
        assert_eq!(pay("6.00", none.clone()).await.1, "ALLOWED");
        assert_eq!(pay("0.01", none.clone()).await.1, "CARD_LIMIT_EXCEEDED");
        // The next (virtual) day starts from nothing; reversing yesterday's gives today nothing.
        advance(&app, "1d").await;
        assert_eq!(pay("10.00", none.clone()).await.1, "ALLOWED");
        reverse(last).await;
        assert_eq!(pay("0.01", none.clone()).await.1, "CARD_LIMIT_EXCEEDED");
    }

    async fn parallel_authorisations_never_pass_the_limit_together(app: TestApp) {
        let (_, user, key, account, card, _) = card_holder(&app, "100.00").await;
        ok(change(&user, key, card, &limit("10.00")).await);
        let app = std::sync::Arc::new(app);
        let tasks: Vec<_> = (0..16).map(|_| {
            let app = app.clone();
            tokio::spawn(async move {
                decision_of(&app, card, serde_json::json!({"amount": "1.00", "merchant": "Rush BV"})).await.1
            })
        }).collect();
        let mut decisions = Vec::new();
        for task in tasks {
            decisions.push(task.await.unwrap_or_default());
        }
        let allowed = decisions.iter().filter(|d| *d == "ALLOWED").count();
        let over = decisions.iter().filter(|d| *d == "CARD_LIMIT_EXCEEDED").count();
        assert_eq!((allowed, over), (10, 6), "{decisions:?}");
        assert_eq!(balance(&user, key, account).await, "90.00");
    }
}
