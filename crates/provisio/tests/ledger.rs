//! The ledger with real processes: a server killed with SIGKILL in the middle of a payment
//! storm leaves only whole payments (every balance is the sum of its payments, every
//! acknowledged payment is there after the restart), and two servers on one PostgreSQL database
//! never overdraw an account both pay from.

mod common;

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use common::{serve_with, Serving};
use provisio_client::{
    wire::{
        accounts::AmountRequest,
        payments::{PaymentRequest, PointerRequest},
        Item,
    },
    Client,
};
use provisio_core::{
    account::{payment::Credit, MonetaryAccount, NewAccount},
    model::{PageBound, PageQuery, PaymentId, UserId},
    store::Store,
    time::{Clock, SystemClock},
};
use provisio_store::{for_each_backend, testing::TestDatabase, Backend};

struct Fixture {
    db: TestDatabase,
    store: Arc<dyn Store>,
    api_key: String,
    partner: UserId,
    /// The partner's main account and three more, each funded with `FUNDS` minor units.
    accounts: Vec<MonetaryAccount>,
}

const FUNDS: i64 = 100_000;

async fn fixture(backend: Backend) -> Fixture {
    let (db, store, api_key) = common::partner_on_fresh_database(backend, "Ledger BV").await;
    let partner = store
        .list_partners()
        .await
        .ok()
        .and_then(|p| p.first().map(|p| p.id))
        .unwrap_or_else(|| panic!("no partner"));
    let now = SystemClock::new().now();
    for n in 0..3 {
        let pot = NewAccount {
            description: format!("Pot {n}"),
            ..NewAccount::main_account("Ledger BV")
        };
        store
            .create_account(partner, &pot, now)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let page = PageQuery {
        count: 10,
        bound: PageBound::Newest,
    };
    let accounts = store
        .accounts(partner, None, page)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .items;
    for account in &accounts {
        let credit = Credit {
            amount_minor: FUNDS,
            from_iban: "NL20INGB0001234567".into(),
            from_name: "Investor".into(),
            description: "Funding".into(),
        };
        store
            .credit(account.id, &credit, now, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    Fixture {
        db,
        store,
        api_key,
        partner,
        accounts,
    }
}

fn start(f: &Fixture) -> Serving {
    serve_with(
        &["--database-url", &f.db.config.url],
        "provisio listening on ",
    )
}

fn to(account: &MonetaryAccount, minor: i64) -> PaymentRequest {
    PaymentRequest {
        amount: Some(AmountRequest {
            value: Some(format!("{}.{:02}", minor / 100, minor % 100)),
            currency: Some("EUR".into()),
        }),
        counterparty_alias: Some(PointerRequest {
            kind: Some("IBAN".into()),
            value: Some(account.iban.clone()),
            name: Some(account.display_name.clone()),
        }),
        description: Some("Storm".into()),
        merchant_reference: None,
    }
}

async fn pay(
    client: &Client,
    user: UserId,
    from: &MonetaryAccount,
    body: &PaymentRequest,
) -> Result<i64, provisio_client::ClientError> {
    let answer = client
        .post(
            &format!("/v1/user/{user}/monetary-account/{}/payment", from.id),
            body,
        )
        .await?;
    match answer.response.first() {
        Some(Item::Id(id)) => Ok(id.id),
        other => panic!("{other:?}"),
    }
}

async fn assert_ledger_holds(store: &dyn Store, accounts: &[MonetaryAccount]) {
    let ledger = store.ledger().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(ledger.holds(), "{ledger:?}");
    assert_eq!(
        ledger.balances_minor,
        i128::from(FUNDS * accounts.len() as i64),
        "{ledger:?}"
    );
}

for_each_backend! { fixture =>
    async fn a_server_killed_during_a_payment_storm_leaves_only_whole_payments(f: Fixture) {
        let mut server = start(&f);
        let client = Arc::new(Client::connect(&server.url, &f.api_key).await.unwrap_or_else(|e| panic!("{e}")));
        let acknowledged: Arc<Mutex<Vec<(usize, i64)>>> = Arc::default();
        let mut lanes = Vec::new();
        for lane in 0..16_usize {
            let (client, acknowledged, accounts, partner) = (client.clone(), acknowledged.clone(), f.accounts.clone(), f.partner);
            lanes.push(tokio::spawn(async move {
                for i in 0.. {
                    let from = (lane + i) % accounts.len();
                    let body = to(&accounts[(from + 1) % accounts.len()], 1 + ((lane * 31 + i) % 97) as i64);
                    // Ends when the server is gone.
                    let Ok(id) = pay(&client, partner, &accounts[from], &body).await else { break };
                    if let Ok(mut acked) = acknowledged.lock() {
                        acked.push((from, id));
                    }
                }
            }));
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while f.store.ledger().await.map(|l| l.payments).unwrap_or(0) < 400 {
            assert!(tokio::time::Instant::now() < deadline, "the storm never got going");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        server.kill();
        for lane in lanes {
            let _ = lane.await;
        }
        let acknowledged = acknowledged.lock().map(|a| a.clone()).unwrap_or_default();
        assert!(acknowledged.len() >= 100, "only {} payments before the kill", acknowledged.len());

        // After a restart: whole payments only, and each one a client was told about is there.
        let server = start(&f);
        let store = f.store.clone();
        assert_ledger_holds(store.as_ref(), &f.accounts).await;
        for (from, id) in &acknowledged {
            let found = store.payment(f.partner, f.accounts[*from].id, PaymentId(*id)).await.ok().flatten();
            assert!(found.is_some_and(|p| p.amount_minor < 0), "acknowledged payment {id} is missing");
        }
        let client = Client::connect(&server.url, &f.api_key).await.unwrap_or_else(|e| panic!("{e}"));
        pay(&client, f.partner, &f.accounts[0], &to(&f.accounts[1], 100)).await.unwrap_or_else(|e| panic!("{e}"));
        assert_ledger_holds(store.as_ref(), &f.accounts).await;
    }
}

mod two_processes {
    use super::*;

    /// Two servers on one PostgreSQL database, 32 clients paying from one account: exactly as
    /// many payments settle as its balance covers, the rest are refused and leave no trace.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn payments_postgres() {
        if provisio_store::testing::skip_postgres().await {
            return;
        }
        let f = fixture(Backend::Postgres).await;
        let (a, b) = (start(&f), start(&f));
        let clients = [
            Arc::new(
                Client::connect(&a.url, &f.api_key)
                    .await
                    .unwrap_or_else(|e| panic!("{e}")),
            ),
            Arc::new(
                Client::connect(&b.url, &f.api_key)
                    .await
                    .unwrap_or_else(|e| panic!("{e}")),
            ),
        ];
        // 1,000.00 paid out in 25.00 steps: 40 fit, 32 clients try 3 each.
        let mut lanes = Vec::new();
        for lane in 0..32_usize {
            let (client, accounts, partner) =
                (clients[lane % 2].clone(), f.accounts.clone(), f.partner);
            lanes.push(tokio::spawn(async move {
                let (mut settled, mut refused) = (0, 0);
                for i in 0..3 {
                    let body = to(&accounts[1 + (lane + i) % 3], 2_500);
                    match pay(&client, partner, &accounts[0], &body).await {
                        Ok(_) => settled += 1,
                        Err(e) if e.status() == Some(400) => refused += 1,
                        Err(e) => panic!("{e}"),
                    }
                }
                (settled, refused)
            }));
        }
        let (mut settled, mut refused) = (0, 0);
        for lane in lanes {
            let (s, r) = lane.await.unwrap_or_else(|e| panic!("{e}"));
            settled += s;
            refused += r;
        }
        assert_eq!((settled, refused), (40, 56));
        let drained = f
            .store
            .account(f.partner, f.accounts[0].id)
            .await
            .ok()
            .flatten()
            .map(|a| a.balance_minor);
        assert_eq!(drained, Some(0));
        assert_ledger_holds(f.store.as_ref(), &f.accounts).await;
        drop((a, b));
    }
}
