//! Idempotency keys on both backends: a keyed write's retry answers the first outcome, a
//! refusal leaves no key, keys live a day and are purged a few at a time.

mod common;

use common::{credit, partner, payment, T0};
use provisio_core::{
    account::payment::PaymentPolicy, idempotency::IdempotencyKey, model::MonetaryAccountId,
    store::Store, time::Timestamp, StoreError,
};
use provisio_store::{connect, for_each_backend, testing::TestDatabase, Backend};

struct Fixture {
    store: Box<dyn Store>,
    db: TestDatabase,
}

async fn open(backend: Backend) -> Fixture {
    let db = TestDatabase::create(backend).await;
    let store = connect(&db.config)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"));
    Fixture {
        store: Box::new(store),
        db,
    }
}

const DAY_MICROS: i64 = 86_400_000_000;

fn key(request: &str, body: &str) -> IdempotencyKey {
    IdempotencyKey::new("session", request, "POST", "/payment", body.as_bytes())
}

async fn keys(db: &TestDatabase) -> i64 {
    db.row_counts()
        .await
        .get("idempotency_keys")
        .copied()
        .unwrap_or(-1)
}

for_each_backend! { open =>
    async fn a_retry_answers_the_first_outcome_and_a_refusal_leaves_no_key(f: Fixture) {
        let s = f.store.as_ref();
        let (a, a_main) = partner(s, 1).await;
        let (_, b_main) = partner(s, 2).await;
        s.credit(a_main.id, &credit(1_000), T0, None).await.unwrap_or_else(|e| panic!("{e}"));
        let from = a_main.id;
        let pay = |k: IdempotencyKey, minor: i64| {
            let body = payment(&b_main, minor);
            async move { s.pay(a, from, &body, &PaymentPolicy::OPEN, T0, Some(&k)).await }
        };
        let first = pay(key("r1", "600"), 600).await.unwrap_or_else(|e| panic!("{e}"));
        let again = pay(key("r1", "600"), 600).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first, again, "the same payment, as it was");
        let other = pay(key("r1", "700"), 700).await;
        assert!(matches!(other, Err(StoreError::Refused(ref m)) if m.contains("another body")), "{other:?}");
        assert_eq!(keys(&f.db).await, 1);
        // Refused for its balance: nothing written, its key included; its retry is decided anew.
        let broke = pay(key("r2", "600"), 600).await;
        assert!(matches!(broke, Err(StoreError::Refused(_))), "{broke:?}");
        assert_eq!(keys(&f.db).await, 1);
        s.credit(a_main.id, &credit(1_000), T0, None).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(pay(key("r2", "600"), 600).await.unwrap_or_else(|e| panic!("{e}")).is_some());
        // An account that is not the user's: "nothing made" is kept and answered again.
        let nowhere = s.pay(a, MonetaryAccountId(999_999), &payment(&b_main, 1), &PaymentPolicy::OPEN, T0, Some(&key("r3", "1"))).await;
        assert!(matches!(nowhere, Ok(None)), "{nowhere:?}");
        let ledger = s.ledger().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(ledger.holds() && ledger.balances_minor == 2_000, "{ledger:?}");
    }

    async fn keys_live_a_day_and_are_purged_a_few_at_a_time(f: Fixture) {
        let s = f.store.as_ref();
        let (_, main) = partner(s, 1).await;
        for n in 0..20 {
            let at = Timestamp(T0.0 + n);
            s.credit(main.id, &credit(1), at, Some(&key(&format!("c{n}"), "1"))).await.unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(keys(&f.db).await, 20);
        // A day later one new key deletes at most 8 expired ones, the oldest first.
        let later = Timestamp(T0.0 + DAY_MICROS + 100);
        s.credit(main.id, &credit(1), later, Some(&key("new", "1"))).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(keys(&f.db).await, 20 - 8 + 1);
        // An expired key not yet purged is free again: its retry credits anew, in its row.
        let later = Timestamp(later.0 + 20);
        s.credit(main.id, &credit(1), later, Some(&key("c19", "1"))).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(keys(&f.db).await, 13);
        let balance = s.account(main.user_id, main.id).await.ok().flatten().map(|a| a.balance_minor);
        assert_eq!(balance, Some(22));
    }
}
