//! The ledger's contract on both backends: payments settle whole or not at all, limits hold,
//! and concurrent payments from one account never overdraw it.

mod common;

use std::sync::Arc;

use common::{balance, credit, partner, payment, T0};
use provisio_core::{
    account::{
        amount::MAX_BALANCE_MINOR,
        payment::{NewPayment, Payment, PaymentPolicy, PaymentType},
        pointer::Pointer,
        request::{Answer, NewRequest, RequestStatus, RequestTarget},
        MonetaryAccount, NewAccount,
    },
    feed::{EventAction, EventFilter, EventStatus},
    model::{PageBound, PageQuery, UserId},
    store::Store,
    time::Timestamp,
    StoreError,
};
use provisio_store::{connect, for_each_backend, testing::TestDatabase, Backend};

struct Fixture {
    store: Arc<dyn Store>,
    db: TestDatabase,
}

async fn open(backend: Backend) -> Fixture {
    let db = TestDatabase::create(backend).await;
    let store = connect(&db.config)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"));
    Fixture {
        store: Arc::new(store),
        db,
    }
}

fn refusal<T: std::fmt::Debug>(result: Result<T, StoreError>) -> String {
    match result {
        Err(StoreError::Refused(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

for_each_backend! { open =>
    // The server wakes its webhook dispatcher only when this count moved: it must move once
    // for each committed write that queued deliveries, and for nothing else.
    async fn the_count_of_writes_that_queued_deliveries_moves_only_for_those(f: Fixture) {
        use provisio_core::webhook::Filter;
        let s = f.store.as_ref();
        let (a, a_main) = partner(s, 1).await;
        let (_, b_main) = partner(s, 2).await;
        s.credit(a_main.id, &credit(10_000), T0, None).await.unwrap_or_else(|e| panic!("{e}"));
        let count = || s.deliveries_queued().unwrap_or_else(|| panic!("the store counts"));
        let start = count();
        // Nobody listens: the payment queues nothing.
        s.pay(a, a_main.id, &payment(&b_main, 100), &PaymentPolicy::OPEN, T0, None).await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(count(), start);
        let filters = [Filter { category: "PAYMENT".into(), target: "https://example.com/hook".into() }];
        s.replace_filters(a, None, &filters, T0).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(count(), start, "setting filters queues nothing");
        s.pay(a, a_main.id, &payment(&b_main, 100), &PaymentPolicy::OPEN, T0, None).await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(count(), start + 1, "a payment with a listener queued its webhook");
        // A refused payment commits nothing and is not counted.
        let broke = refusal(s.pay(a, a_main.id, &payment(&b_main, 1_000_000), &PaymentPolicy::OPEN, T0, None).await);
        assert!(broke.contains("Insufficient balance"), "{broke}");
        assert_eq!(count(), start + 1);
        let due = s.next_delivery_at().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(due.is_some(), "the queued delivery is there to deliver");
    }

    async fn a_payment_moves_money_whole_and_refusals_move_nothing(f: Fixture) {
        let s = f.store.as_ref();
        let (a, a_main) = partner(s, 1).await;
        let (b, b_main) = partner(s, 2).await;
        let limited = s.create_account(a, &NewAccount { daily_limit_minor: 3_000, ..NewAccount::main_account("A") }, T0).await
            .unwrap_or_else(|e| panic!("{e}"));
        s.credit(a_main.id, &credit(10_000), T0, None).await.unwrap_or_else(|e| panic!("{e}"));
        s.credit(limited.id, &credit(10_000), T0, None).await.unwrap_or_else(|e| panic!("{e}"));
        let paid = s.pay(a, a_main.id, &payment(&b_main, 2_550), &PaymentPolicy::OPEN, T0, None).await
            .unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("no account"));
        assert_eq!((paid.amount_minor, paid.balance_after_minor), (-2_550, 7_450));
        assert_eq!(balance(s, b, &b_main).await, 2_550);
        // Daily limit: 20.00 then 10.01 of 30.00.
        s.pay(a, limited.id, &payment(&b_main, 2_000), &PaymentPolicy::OPEN, T0, None).await
            .unwrap_or_else(|e| panic!("{e}"));
        let over = refusal(s.pay(a, limited.id, &payment(&b_main, 1_001), &PaymentPolicy::OPEN, T0, None).await);
        assert!(over.contains("daily limit of 30.00 EUR: 20.00 EUR already paid today"), "{over}");
        // The next UTC day the limit starts again.
        let tomorrow = Timestamp(T0.micros() + 86_400_000_000);
        s.pay(a, limited.id, &payment(&b_main, 1_001), &PaymentPolicy::OPEN, tomorrow, None).await
            .unwrap_or_else(|e| panic!("{e}"));
        // ...and counts that day's payments only: 10.01 paid, 20.00 more is 0.01 too much.
        let again = refusal(s.pay(a, limited.id, &payment(&b_main, 2_000), &PaymentPolicy::OPEN, tomorrow, None).await);
        assert!(again.contains("10.01 EUR already paid today"), "{again}");
        let broke = refusal(s.pay(a, a_main.id, &payment(&b_main, 7_451), &PaymentPolicy::OPEN, T0, None).await);
        assert!(broke.contains("Insufficient balance"), "{broke}");
        let psd2 = PaymentPolicy { payees: Some(vec![a]), external: false };
        assert!(refusal(s.pay(a, a_main.id, &payment(&b_main, 1), &psd2, T0, None).await).contains("PSD2"));
        // Another user's account cannot be paid from.
        assert_eq!(s.pay(b, a_main.id, &payment(&b_main, 1), &PaymentPolicy::OPEN, T0, None).await.ok(), Some(None));
        assert_eq!(balance(s, a, &a_main).await, 7_450);
        assert_eq!(balance(s, b, &b_main).await, 2_550 + 2_000 + 1_001);
        let ledger = s.ledger().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(ledger.holds(), "{ledger:?}");
        assert_eq!(ledger.balances_minor, 20_000);
    }
}

for_each_backend! { open =>
    async fn thirty_two_concurrent_payments_never_overdraw(f: Fixture) {
        let (a, a_main) = partner(f.store.as_ref(), 1).await;
        let (b, b_main) = partner(f.store.as_ref(), 2).await;
        f.store.credit(a_main.id, &credit(1_000), T0, None).await.unwrap_or_else(|e| panic!("{e}"));
        let mut tasks = Vec::new();
        for _ in 0..32 {
            let (store, body, from) = (f.store.clone(), payment(&b_main, 100), a_main.id);
            tasks.push(tokio::spawn(async move {
                store.pay(a, from, &body, &PaymentPolicy::OPEN, T0, None).await
            }));
        }
        let (mut settled, mut refused) = (Vec::new(), 0);
        for task in tasks {
            match task.await {
                Ok(Ok(Some(p))) => settled.push(p.balance_after_minor),
                Ok(Err(StoreError::Refused(m))) if m.contains("Insufficient balance") => refused += 1,
                other => panic!("{other:?}"),
            }
        }
        // Exactly the ten that fit settled, one after the other; the rest left no trace.
        settled.sort_unstable();
        assert_eq!(settled, (0..10).map(|n| n * 100).collect::<Vec<_>>());
        assert_eq!(refused, 22);
        assert_eq!((balance(f.store.as_ref(), a, &a_main).await, balance(f.store.as_ref(), b, &b_main).await), (0, 1_000));
        let ledger = f.store.ledger().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(ledger.holds(), "{ledger:?}");
        assert_eq!(ledger.payments, 1 + 2 * 10);
    }

    async fn payments_in_opposite_directions_all_settle(f: Fixture) {
        let (a, a_main) = partner(f.store.as_ref(), 1).await;
        let (b, b_main) = partner(f.store.as_ref(), 2).await;
        for account in [&a_main, &b_main] {
            f.store.credit(account.id, &credit(10_000), T0, None).await.unwrap_or_else(|e| panic!("{e}"));
        }
        let mut tasks = Vec::new();
        for n in 0..32 {
            let store = f.store.clone();
            let (user, from, to) = if n % 2 == 0 { (a, a_main.id, &b_main) } else { (b, b_main.id, &a_main) };
            let body = payment(to, 100 + n);
            tasks.push(tokio::spawn(async move {
                store.pay(user, from, &body, &PaymentPolicy::OPEN, T0, None).await
            }));
        }
        for task in tasks {
            assert!(matches!(task.await, Ok(Ok(Some(_)))));
        }
        let ledger = f.store.ledger().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(ledger.holds(), "{ledger:?}");
        assert_eq!(ledger.payments, 2 + 2 * 32);
    }

    async fn balances_change_only_by_money_in_and_out(f: Fixture) {
        let s = f.store.as_ref();
        let (a, a_main) = partner(s, 1).await;
        let (b, b_main) = partner(s, 2).await;
        let elsewhere = NewPayment {
            counterparty: Pointer::Iban { iban: "GB82WEST12345698765432".into(), name: b_main.display_name.clone() },
            ..payment(&b_main, 0)
        };
        let mut expected = 0;
        for step in 0..40_i64 {
            let amount = 100 + step * 37;
            match step % 4 {
                0 => {
                    s.credit(a_main.id, &credit(amount), T0, None).await.unwrap_or_else(|e| panic!("{e}"));
                    expected += amount;
                }
                1 => {
                    let _ = s.pay(a, a_main.id, &payment(&b_main, amount), &PaymentPolicy::OPEN, T0, None).await;
                }
                2 => {
                    let out = NewPayment { amount_minor: amount, ..elsewhere.clone() };
                    if let Ok(Some(_)) = s.pay(b, b_main.id, &out, &PaymentPolicy::OPEN, T0, None).await {
                        expected -= amount;
                    }
                }
                _ => {
                    // Too much: refused, nothing moves.
                    let _ = s.pay(b, b_main.id, &payment(&a_main, 1_000_000_000), &PaymentPolicy::OPEN, T0, None).await;
                }
            }
            let ledger = s.ledger().await.unwrap_or_else(|e| panic!("{e}"));
            assert!(ledger.holds(), "step {step}: {ledger:?}");
            assert_eq!(ledger.balances_minor, i128::from(expected), "step {step}");
        }
        assert!(s.ledger().await.map(|l| l.paid_out_minor > 0).unwrap_or(false));
    }
}

for_each_backend! { open =>
    // What a payment writes besides the balances: each side with its own balance after, each
    // on its owner's feed; money leaving provisio is one side; and a payee that cannot take
    // the money refuses the payment whole (on PostgreSQL these are one chained statement).
    async fn each_side_keeps_its_balance_after_and_its_feed_event(f: Fixture) {
        let s = f.store.as_ref();
        let (a, a_main) = partner(s, 1).await;
        let (b, b_main) = partner(s, 2).await;
        s.credit(a_main.id, &credit(10_000), T0, None).await.unwrap_or_else(|e| panic!("{e}"));
        s.credit(b_main.id, &credit(500), T0, None).await.unwrap_or_else(|e| panic!("{e}"));
        let paid = s.pay(a, a_main.id, &payment(&b_main, 2_550), &PaymentPolicy::OPEN, T0, None).await
            .unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("no account"));
        assert_eq!((paid.amount_minor, paid.balance_after_minor, paid.kind), (-2_550, 7_450, PaymentType::Bunq));
        let received = history(s, b, &b_main).await;
        assert_eq!(
            received.first().map(|p| (p.amount_minor, p.balance_after_minor, p.counterparty_iban.clone())),
            Some((2_550, 3_050, a_main.iban.clone()))
        );
        let page = PageQuery { count: 50, bound: PageBound::Newest };
        for (user, payment) in [(a, paid.id.0), (b, received[0].id.0)] {
            let feed = s.events(user, &EventFilter::default(), page).await.unwrap_or_else(|e| panic!("{e}")).items;
            let event = feed.iter().find(|e| e.kind == "Payment" && e.object_id == payment)
                .unwrap_or_else(|| panic!("payment {payment} is not on its owner's feed: {feed:?}"));
            assert_eq!((event.user_id, event.action, event.status), (user, EventAction::Create, EventStatus::Finalized));
        }

        // Between two accounts of one user, both sides are on its feed in the order of the
        // Payments (the receiving side's first), on both backends.
        let second = s.create_account(a, &NewAccount::main_account("A2"), T0).await.unwrap_or_else(|e| panic!("{e}"));
        s.pay(a, a_main.id, &payment(&second, 50), &PaymentPolicy::OPEN, T0, None).await
            .unwrap_or_else(|e| panic!("{e}"));
        let feed = s.events(a, &EventFilter::default(), page).await.unwrap_or_else(|e| panic!("{e}")).items;
        let mut own: Vec<(i64, i64)> = feed.iter().take(2).map(|e| (e.id, e.object_id)).collect();
        own.sort_unstable();
        assert!(own.len() == 2 && own[0].1 < own[1].1, "events out of the Payments' order: {own:?}");
        let own_ids = [own[0].1, own[1].1];
        let received = history(s, a, &second).await;
        assert_eq!(received.first().map(|p| p.id.0), Some(own_ids[0]), "the receiving side first");

        // Out of provisio: one side, EBA_SCT, its balance after the payer's.
        let out = NewPayment {
            counterparty: Pointer::Iban { iban: "GB82WEST12345698765432".into(), name: "Elsewhere".into() },
            ..payment(&b_main, 450)
        };
        let sent = s.pay(a, a_main.id, &out, &PaymentPolicy::OPEN, T0, None).await
            .unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("no account"));
        assert_eq!((sent.amount_minor, sent.balance_after_minor, sent.kind), (-450, 6_950, PaymentType::EbaSct));

        // A payee at the largest balance takes nothing more: refused, and nothing moved.
        let fill = MAX_BALANCE_MINOR - balance(s, b, &b_main).await;
        s.credit(b_main.id, &credit(fill), T0, None).await.unwrap_or_else(|e| panic!("{e}"));
        let before = s.ledger().await.unwrap_or_else(|e| panic!("{e}"));
        let full = refusal(s.pay(a, a_main.id, &payment(&b_main, 1), &PaymentPolicy::OPEN, T0, None).await);
        assert!(full.contains("the most an account holds"), "{full}");
        let after = s.ledger().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((after.payments, balance(s, a, &a_main).await), (before.payments, 6_950));
        assert!(after.holds(), "{after:?}");
    }
}

/// Every payment of `account`, newest first.
async fn history(store: &dyn Store, user: UserId, account: &MonetaryAccount) -> Vec<Payment> {
    let page = PageQuery {
        count: 200,
        bound: PageBound::Newest,
    };
    store
        .payments(user, account.id, page)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .items
}

for_each_backend! { open =>
    async fn deleting_a_partner_keeps_the_other_sides_of_its_payments(f: Fixture) {
        let s = f.store.as_ref();
        let (a, a_main) = partner(s, 1).await;
        let (b, b_main) = partner(s, 2).await;
        for account in [&a_main, &b_main] {
            s.credit(account.id, &credit(10_000), T0, None).await.unwrap_or_else(|e| panic!("{e}"));
        }
        s.pay(a, a_main.id, &payment(&b_main, 2_000), &PaymentPolicy::OPEN, T0, None).await.unwrap_or_else(|e| panic!("{e}"));
        s.pay(b, b_main.id, &payment(&a_main, 500), &PaymentPolicy::OPEN, T0, None).await.unwrap_or_else(|e| panic!("{e}"));
        let before = history(s, a, &a_main).await;
        assert!(s.ledger().await.map(|l| l.holds()).unwrap_or(false));

        assert!(s.delete_partner(b).await.unwrap_or_else(|e| panic!("{e}")).is_some());
        let ledger = s.ledger().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(ledger.holds(), "{ledger:?}");
        assert_eq!(ledger.balances_minor, 8_500);
        assert_eq!(balance(s, a, &a_main).await, 8_500);
        // The surviving sides are payments with an IBAN elsewhere now: same ids, amounts,
        // balances and counterparty (the deleted account's IBAN and name), type EBA_SCT.
        let after = history(s, a, &a_main).await;
        assert_eq!(after.len(), before.len());
        for (was, is) in before.iter().zip(&after) {
            assert_eq!(Payment { kind: PaymentType::EbaSct, ..was.clone() }, *is);
        }
        assert_eq!(after.iter().filter(|p| p.counterparty_iban == b_main.iban).count(), 2);
    }

    async fn the_ledger_sums_past_the_largest_64_bit_integer(f: Fixture) {
        let s = f.store.as_ref();
        let (a, a_main) = partner(s, 1).await;
        s.credit(a_main.id, &credit(10_000), T0, None).await.unwrap_or_else(|e| panic!("{e}"));
        // 100,000 accounts at the largest balance, each with the credit that filled it:
        // 10^19 minor units in all, past 2^63 - 1.
        let accounts = 100_000_i64;
        f.db.execute(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {accounts}) \
             INSERT INTO monetary_accounts (user_id, kind, public_uuid, currency, description, \
                 display_name, daily_limit_minor, balance_minor, iban, status, sub_status, created, updated) \
             SELECT {a}, 'BANK', 'full-' || i, 'EUR', 'Full', 'Full', 100000, {MAX_BALANCE_MINOR}, \
                 'FULL' || i, 'ACTIVE', 'NONE', 0, 0 FROM n",
            a = a.0
        )).await;
        f.db.execute(
            "INSERT INTO payments (monetary_account_id, user_id, transfer_id, amount_minor, currency, \
                 alias_iban, alias_name, counterparty_iban, counterparty_name, description, \
                 merchant_reference, type, balance_after_minor, created) \
             SELECT id, user_id, public_uuid, balance_minor, 'EUR', iban, 'Full', \
                 'NL20INGB0001234567', 'Employer', 'Salary', NULL, 'EBA_SCT', balance_minor, 0 \
             FROM monetary_accounts WHERE public_uuid LIKE 'full-%'"
        ).await;
        let ledger = s.ledger().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(ledger.holds(), "{ledger:?}");
        let total = i128::from(accounts) * i128::from(MAX_BALANCE_MINOR) + 10_000;
        assert!(total > i128::from(i64::MAX));
        assert_eq!((ledger.balances_minor, ledger.credited_minor), (total, total));
        // One account off by a cent is still found.
        f.db.execute("UPDATE monetary_accounts SET balance_minor = balance_minor - 1 WHERE public_uuid = 'full-7'").await;
        let ledger = s.ledger().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(!ledger.holds());
        assert_eq!(ledger.unbalanced.len(), 1);
    }
}

/// Migration 0023's backfill, the same text for both backends: its UPDATEs, run again over a
/// store whose counters were wiped.
const SPENDING_MIGRATION: &str =
    include_str!("../migrations/sqlite/0023_account_daily_spending.sql");

for_each_backend! { open =>
    async fn migration_0023_fills_each_account_s_spending_from_its_latest_day(f: Fixture) {
        assert_eq!(
            SPENDING_MIGRATION,
            include_str!("../migrations/postgres/0023_account_daily_spending.sql")
        );
        let s = f.store.as_ref();
        let (a, a_main) = partner(s, 1).await;
        let (_, b_main) = partner(s, 2).await;
        s.credit(a_main.id, &credit(10_000), T0, None).await.unwrap_or_else(|e| panic!("{e}"));
        let yesterday = Timestamp(T0.micros() - 86_400_000_000);
        for (amount, at) in [(1_000, yesterday), (2_000, T0), (500, T0)] {
            s.pay(a, a_main.id, &payment(&b_main, amount), &PaymentPolicy::OPEN, at, None).await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        // A card payment of the same day has the card's limit: not counted.
        f.db.execute(&format!(
            "INSERT INTO payments (monetary_account_id, user_id, transfer_id, amount_minor, currency, \
                 alias_iban, alias_name, counterparty_iban, counterparty_name, description, \
                 merchant_reference, type, balance_after_minor, created) \
             VALUES ({account}, {user}, 'card-1', -300, 'EUR', 'x', 'x', 'x', 'Shop', 'Card', NULL, \
                 'MASTERCARD', 0, {t})",
            account = a_main.id.0, user = a.0, t = T0.micros()
        )).await;
        let spending = |account: i64| format!(
            "SELECT CAST(spent_day AS TEXT) || ' ' || CAST(spent_minor AS TEXT) \
             FROM monetary_accounts WHERE id = {account}"
        );
        let today = provisio_core::account::payment::day_start(T0).micros();
        let kept = f.db.text(&spending(a_main.id.0)).await;
        assert_eq!(kept.as_deref(), Some(format!("{today} 2500").as_str()));
        f.db.execute("UPDATE monetary_accounts SET spent_day = 0, spent_minor = 0").await;
        let without_comments: String = SPENDING_MIGRATION
            .lines()
            .filter(|line| !line.starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        for statement in without_comments.split(';').map(str::trim) {
            if statement.starts_with("UPDATE") {
                f.db.execute(statement).await;
            }
        }
        // The payer's latest day and what its outgoing payments of that day add up to; the
        // payee, which paid nothing, counts nothing.
        assert_eq!(f.db.text(&spending(a_main.id.0)).await, kept);
        assert_eq!(f.db.text(&spending(b_main.id.0)).await.as_deref(), Some("0 0"));
    }
}

for_each_backend! { open =>
    async fn a_request_accepted_by_eight_at_once_is_paid_once(f: Fixture) {
        let (a, a_main) = partner(f.store.as_ref(), 1).await;
        let (b, b_main) = partner(f.store.as_ref(), 2).await;
        f.store.credit(b_main.id, &credit(1_000), T0, None).await.unwrap_or_else(|e| panic!("{e}"));
        let (iban, name) = (b_main.iban.clone(), b_main.display_name.clone());
        let asked = NewRequest {
            amount_minor: 300,
            currency: "EUR".into(),
            counterparty: Pointer::Iban { iban: iban.clone(), name: name.clone() },
            description: "Lunch".into(),
            merchant_reference: None,
        };
        let request = f.store.create_request(a, a_main.id, &asked, &RequestTarget::Pointer(Pointer::Iban { iban, name }), T0, None).await
            .unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("no account"));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (store, account, id) = (f.store.clone(), b_main.id, request.id);
            tasks.push(tokio::spawn(async move {
                store.answer_request(b, account, id, &Answer::Accept(None), T0, None).await
            }));
        }
        let (mut accepted, mut refused) = (0, 0);
        for task in tasks {
            match task.await {
                Ok(Ok(Some(r))) if r.status == RequestStatus::Accepted => accepted += 1,
                Ok(Err(StoreError::Refused(m))) if m.contains("ACCEPTED") || m.contains("meanwhile") => refused += 1,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!((accepted, refused), (1, 7));
        assert_eq!((balance(f.store.as_ref(), a, &a_main).await, balance(f.store.as_ref(), b, &b_main).await), (300, 700));
        let ledger = f.store.ledger().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(ledger.holds(), "{ledger:?}");
        assert_eq!(ledger.payments, 1 + 2, "the credit and one payment's two sides");
    }
}
