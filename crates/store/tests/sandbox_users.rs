//! Sandbox users and pointers on both backends: a user's pointers are unique (a taken one
//! writes nothing), payments resolve EMAIL and PHONE_NUMBER pointers inside their
//! transaction, and the well-known users exist whenever they are named, a reset included.

use std::sync::Arc;

use provisio_core::{
    account::{
        payment::{Credit, NewPayment, PaymentPolicy, PaymentType},
        pointer::Pointer,
        AccountKind, MonetaryAccount,
    },
    model::{PageBound, PageQuery, UserId},
    sandbox_user::{generate, NewSandboxUser, SandboxUserKind},
    secret::SecretHash,
    store::Store,
    time::Timestamp,
    StoreError,
};
use provisio_store::{connect, for_each_backend, testing::TestDatabase, Backend};

struct Fixture {
    store: Arc<dyn Store>,
    _db: TestDatabase,
}

async fn open(backend: Backend) -> Fixture {
    let db = TestDatabase::create(backend).await;
    let store = connect(&db.config)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"));
    Fixture {
        store: Arc::new(store),
        _db: db,
    }
}

const T0: Timestamp = Timestamp(1_700_000_000_000_000);

async fn main_account(store: &dyn Store, user: UserId) -> MonetaryAccount {
    let page = PageQuery {
        count: 10,
        bound: PageBound::Newest,
    };
    store
        .accounts(user, Some(AccountKind::Bank), page)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .items
        .pop()
        .unwrap_or_else(|| panic!("no main account"))
}

async fn create(store: &dyn Store, user: &NewSandboxUser, key: &str) -> UserId {
    store
        .create_sandbox_user(user, &SecretHash::of(key), T0)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .partner
        .id
}

fn to(counterparty: Pointer, minor: i64) -> NewPayment {
    NewPayment {
        amount_minor: minor,
        currency: "EUR".into(),
        counterparty,
        description: "Lunch".into(),
        merchant_reference: None,
    }
}

async fn fund(store: &dyn Store, account: &MonetaryAccount, minor: i64) {
    let credit = Credit {
        amount_minor: minor,
        from_iban: "NL20INGB0001234567".into(),
        from_name: "Employer".into(),
        description: "Salary".into(),
    };
    store
        .credit(account.id, &credit, T0, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

for_each_backend! { open =>
    async fn sandbox_users_have_unique_pointers(f: Fixture) {
        let s = f.store.as_ref();
        let alice = generate(SandboxUserKind::Person, uuid::Uuid::new_v4());
        let id = create(s, &alice, "key-a").await;
        let found = s.sandbox_user(id).await.unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("not found"));
        assert_eq!(found.kind, SandboxUserKind::Person);
        assert_eq!(found.aliases, [Pointer::Email(alice.email.clone()), Pointer::Phone(alice.phone.clone())]);
        assert_eq!(main_account(s, id).await.display_name, alice.name);
        // Another user with the same phone number is refused whole: no partner, no key.
        let twin = NewSandboxUser { phone: alice.phone.clone(), ..generate(SandboxUserKind::Company, uuid::Uuid::new_v4()) };
        let refused = s.create_sandbox_user(&twin, &SecretHash::of("key-b"), T0).await;
        assert!(matches!(refused, Err(StoreError::UniqueViolation(_))), "{refused:?}");
        assert_eq!(s.list_partners().await.map(|p| p.len()).unwrap_or_default(), 1);
        assert!(s.partner_by_api_key(&SecretHash::of("key-b")).await.ok().flatten().is_none());
        // An ordinary partner is no sandbox user.
        let partner = s.create_partner("Acme", "uuid-acme", &SecretHash::of("key-c"), T0).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(s.sandbox_user(partner.id).await.ok().flatten().is_none());
        assert_eq!(s.sandbox_user_kinds().await.unwrap_or_default(), [(id, SandboxUserKind::Person)]);
    }

    async fn pointers_resolve_in_the_payment_and_well_known_users_survive_a_reset(f: Fixture) {
        let s = f.store.as_ref();
        let alice = create(s, &generate(SandboxUserKind::Person, uuid::Uuid::new_v4()), "key-a").await;
        let bob_user = generate(SandboxUserKind::Company, uuid::Uuid::new_v4());
        let bob = create(s, &bob_user, "key-b").await;
        let (a_main, b_main) = (main_account(s, alice).await, main_account(s, bob).await);
        fund(s, &a_main, 10_000).await;
        let open = PaymentPolicy::OPEN;
        let paid = s.pay(alice, a_main.id, &to(Pointer::Phone(bob_user.phone.clone()), 1_000), &open, T0, None).await;
        let paid = paid.unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("no account"));
        assert_eq!((paid.kind, paid.counterparty_iban.as_str()), (PaymentType::Bunq, b_main.iban.as_str()));
        assert_eq!(main_account(s, bob).await.balance_minor, 1_000);
        let unknown = s.pay(alice, a_main.id, &to(Pointer::Email("nobody@example.com".into()), 1), &open, T0, None).await;
        assert!(matches!(unknown, Err(StoreError::Refused(_))), "{unknown:?}");
        // Paying sugardaddy is money out; bravo is an account here.
        let out = s.pay(alice, a_main.id, &to(Pointer::Email("sugardaddy@bunq.com".into()), 500), &open, T0, None).await;
        assert_eq!(out.ok().flatten().map(|p| p.kind), Some(PaymentType::EbaSct));
        let strict = PaymentPolicy { payees: None, external: false };
        let refused = s.pay(alice, a_main.id, &to(Pointer::Email("sugardaddy@bunq.com".into()), 500), &strict, T0, None).await;
        assert!(matches!(refused, Err(StoreError::Refused(_))), "{refused:?}");
        let bravo = s.pay(alice, a_main.id, &to(Pointer::Email("bravo@bunq.com".into()), 200), &open, T0, None).await;
        assert_eq!(bravo.ok().flatten().map(|p| p.kind), Some(PaymentType::Bunq));
        let ledger = s.ledger().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(ledger.holds(), "{ledger:?}");
        assert_eq!(ledger.paid_out_minor, 500);
        // Not tenants: the operator's list holds the two sandbox users only.
        assert_eq!(s.list_partners().await.map(|p| p.len()).unwrap_or_default(), 2);

        // After a reset, bravo is there again the first time a payment names it.
        s.reset().await.unwrap_or_else(|e| panic!("{e}"));
        let carol = create(s, &generate(SandboxUserKind::Person, uuid::Uuid::new_v4()), "key-c").await;
        let c_main = main_account(s, carol).await;
        fund(s, &c_main, 1_000).await;
        let again = s.pay(carol, c_main.id, &to(Pointer::Email("bravo@bunq.com".into()), 300), &open, T0, None).await;
        assert_eq!(again.ok().flatten().map(|p| p.counterparty_name), Some("Bravo Sandbox".into()));
        assert!(s.ledger().await.map(|l| l.holds()).unwrap_or(false));
    }
}
