//! The storage contract: every backend must pass this suite unchanged.

use std::sync::Arc;

use provisio_core::{
    ip::IpPolicy,
    model::{DeviceKey, NewDevice, NewSession, PageBound, PageQuery, UserId},
    provision::{request::NewProvision, Product, UserVerifiedType},
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
    assert_eq!(store.backend(), backend);
    Fixture {
        store: Arc::new(store),
        _db: db,
    }
}

const T0: Timestamp = Timestamp(1_700_000_000_000_000);

fn h(s: &str) -> SecretHash {
    SecretHash::of(s)
}

/// The `n`-th person to provision, with `products`.
fn person(n: u32, products: Vec<Product>) -> NewProvision {
    NewProvision {
        external_uuid: format!("5f0c9a53-0f5c-4d3e-9f0e-2b8f6a{n:06}"),
        user_verified_type: UserVerifiedType::Person,
        email: Some(format!("{n}@example.com")),
        phone_number: None,
        products,
        director_provision_id: None,
        date_of_birth: None,
        country_of_residence: None,
    }
}

/// A partner that may provision (J-14): "Acme BV" with an active OAuth client and its
/// callback URL.
async fn provisioning_partner(store: &dyn Store) -> UserId {
    use provisio_core::provision::oauth::OauthClientStatus;
    let partner = store
        .create_partner("Acme BV", "u-1", &h("k1"), T0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let client = store
        .create_oauth_client(
            partner.id,
            OauthClientStatus::Active,
            "client-1",
            "secret-1",
            T0,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .add_callback_url(partner.id, client.id, "https://partner.example/cb", T0)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("the client is the partner's"));
    partner.id
}

async fn partner_with_device(store: &dyn Store, n: u32) -> (UserId, provisio_core::model::Device) {
    let (partner, key) = {
        let p = store
            .create_partner(
                &format!("P{n}"),
                &format!("uuid-{n}"),
                &h(&format!("key-{n}")),
                T0,
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let (_, key) = store
            .partner_by_api_key(&h(&format!("key-{n}")))
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("key"));
        (p, key)
    };
    let installation = store
        .create_installation("PEM", &h(&format!("inst-{n}")), T0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let device = store
        .create_device(&NewDevice {
            installation_id: installation.id,
            user_id: partner.id,
            key: DeviceKey::ApiKey(key),
            description: "d".into(),
            ip: "127.0.0.1".into(),
            permitted: IpPolicy::Any,
            now: T0,
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (partner.id, device)
}

fn new_device(like: &provisio_core::model::Device) -> NewDevice {
    NewDevice {
        installation_id: like.installation_id,
        user_id: like.user_id,
        key: like.key,
        description: "more".into(),
        ip: "127.0.0.1".into(),
        permitted: IpPolicy::Any,
        now: T0,
    }
}

for_each_backend! { open =>
    async fn the_first_server_key_wins(f: Fixture) {
        assert_eq!(f.store.server_key().await.ok(), Some(None));
        let first = f.store.server_key_or_insert(b"first", T0).await.ok();
        let second = f.store.server_key_or_insert(b"second", T0).await.ok();
        assert_eq!(first.as_deref(), Some(&b"first"[..]));
        assert_eq!(second.as_deref(), Some(&b"first"[..]));
        assert_eq!(f.store.server_key().await.ok().flatten().as_deref(), Some(&b"first"[..]));
    }

    async fn partners_are_found_by_api_key_hash_only(f: Fixture) {
        let partner = f.store.create_partner("Acme BV", "u-1", &h("k1"), T0).await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(partner.name, "Acme BV");
        assert_eq!(partner.session_timeout_secs, 604_800);
        assert_eq!(partner.created, T0);
        let found = f.store.partner_by_api_key(&h("k1")).await.ok().flatten();
        assert_eq!(found.map(|(p, _)| p), Some(partner.clone()));
        assert!(f.store.partner_by_api_key(&h("k2")).await.ok().flatten().is_none());
        assert_eq!(f.store.partner(partner.id).await.ok().flatten(), Some(partner.clone()));
        assert_eq!(f.store.list_partners().await.ok(), Some(vec![partner]));
    }

    async fn a_partner_can_have_several_api_keys(f: Fixture) {
        let partner = f.store.create_partner("Acme BV", "u-1", &h("k1"), T0).await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.store.add_api_key(partner.id, &h("k2"), T0).await.ok(), Some(true));
        let (found, second) = f.store.partner_by_api_key(&h("k2")).await.ok().flatten()
            .unwrap_or_else(|| panic!("second key unknown"));
        let (_, first) = f.store.partner_by_api_key(&h("k1")).await.ok().flatten()
            .unwrap_or_else(|| panic!("first key lost"));
        assert_eq!(found.id, partner.id);
        assert_ne!(first, second);
        assert_eq!(f.store.add_api_key(UserId(999_999), &h("k3"), T0).await.ok(), Some(false));
    }

    async fn a_reused_api_key_hash_is_a_unique_violation_and_writes_nothing(f: Fixture) {
        f.store.create_partner("A", "u-1", &h("same"), T0).await.unwrap_or_else(|e| panic!("{e}"));
        let err = f.store.create_partner("B", "u-2", &h("same"), T0).await.err();
        assert!(matches!(err, Some(StoreError::UniqueViolation(_))), "{err:?}");
        // The partner row of the failed attempt was rolled back with it.
        assert_eq!(f.store.list_partners().await.map(|p| p.len()).ok(), Some(1));
    }

    async fn concurrent_writes_that_fail_fail_alone(f: Fixture) {
        // Many writes at once (on SQLite they share group commits); five collide on one key.
        let mut tasks = Vec::new();
        for i in 0..40 {
            let store = f.store.clone();
            let key = if i % 8 == 0 { "dup".to_owned() } else { format!("k{i}") };
            tasks.push(tokio::spawn(async move {
                store.create_partner(&format!("P{i}"), &format!("u{i}"), &h(&key), T0).await
            }));
        }
        let mut ok = 0;
        let mut unique = 0;
        for task in tasks {
            match task.await.unwrap_or_else(|e| panic!("{e}")) {
                Ok(_) => ok += 1,
                Err(StoreError::UniqueViolation(_)) => unique += 1,
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!((ok, unique), (36, 4));
        // The failed writes left no partner behind (their savepoint was rolled back).
        assert_eq!(f.store.list_partners().await.map(|p| p.len()).ok(), Some(36));
    }

    async fn installations_are_found_by_token(f: Fixture) {
        let inst = f.store.create_installation("PEM", &h("t"), T0).await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(inst.client_public_key_pem, "PEM");
        assert_eq!(f.store.installation_by_token(&h("t")).await.ok().flatten(), Some(inst));
        assert_eq!(f.store.installation_by_token(&h("x")).await.ok().flatten(), None);
    }

    async fn a_session_grant_names_the_partner_and_the_newest_device(f: Fixture) {
        let (user, device) = partner_with_device(f.store.as_ref(), 1).await;
        assert_eq!(device.user_id, user);
        assert_eq!(device.permitted, IpPolicy::Any);
        let grant = f.store.session_grant(device.installation_id, &h("key-1")).await
            .ok().flatten().unwrap_or_else(|| panic!("no grant"));
        assert_eq!(grant.partner.id, user);
        assert_eq!(DeviceKey::ApiKey(grant.api_key_id), device.key);
        assert_eq!(grant.device.as_ref().map(|d| d.id), Some(device.id));

        let newer = f.store.create_device(&NewDevice {
            permitted: IpPolicy::Only(vec!["10.0.0.1".parse().unwrap_or_else(|_| panic!())]),
            ..new_device(&device)
        }).await.unwrap_or_else(|e| panic!("{e}"));
        let grant = f.store.session_grant(device.installation_id, &h("key-1")).await.ok().flatten();
        assert_eq!(grant.and_then(|g| g.device).map(|d| (d.id, d.permitted)), Some((newer.id, newer.permitted)));

        // Another installation has no device for this key; an unknown key has no grant at all.
        let other = f.store.create_installation("PEM", &h("other"), T0).await.unwrap_or_else(|e| panic!("{e}"));
        let grant = f.store.session_grant(other.id, &h("key-1")).await.ok().flatten();
        assert_eq!(grant.map(|g| g.device), Some(None));
        assert_eq!(f.store.session_grant(device.installation_id, &h("nope")).await.ok().flatten(), None);
    }

    async fn sessions_carry_their_context_extend_forward_only_and_delete(f: Fixture) {
        let (user, device) = partner_with_device(f.store.as_ref(), 1).await;
        let expires = T0.plus(std::time::Duration::from_secs(60));
        let session = f.store.create_session(&NewSession {
            installation_id: device.installation_id,
            device_id: device.id,
            user_id: user,
            now: T0,
            expires_at: expires,
        }, &h("s")).await.unwrap_or_else(|e| panic!("{e}"));
        let ctx = f.store.session_by_token(&h("s")).await.ok().flatten()
            .unwrap_or_else(|| panic!("session missing"));
        assert_eq!(ctx.session, session);
        assert_eq!(ctx.client_public_key_pem, "PEM");
        assert_eq!(ctx.permitted, IpPolicy::Any);
        assert_eq!(ctx.session_timeout_secs, 604_800);

        let later = Timestamp(expires.0 + 1000);
        f.store.extend_session(session.id, later, later).await.unwrap_or_else(|e| panic!("{e}"));
        f.store.extend_session(session.id, expires, later).await.unwrap_or_else(|e| panic!("{e}"));
        let ctx = f.store.session_by_token(&h("s")).await.ok().flatten();
        assert_eq!(ctx.map(|c| c.session.expires_at), Some(later));

        f.store.delete_session(session.id).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.store.session_by_token(&h("s")).await.ok().flatten(), None);
    }

    async fn device_lists_page_newest_first_with_exclusive_bounds(f: Fixture) {
        let (user, first) = partner_with_device(f.store.as_ref(), 1).await;
        // Another partner's devices must never show up.
        partner_with_device(f.store.as_ref(), 2).await;
        let mut ids = vec![first.id.0];
        for _ in 0..4 {
            let d = f.store.create_device(&new_device(&first)).await.unwrap_or_else(|e| panic!("{e}"));
            ids.push(d.id.0);
        }
        ids.reverse(); // newest first
        let store = f.store.as_ref();
        let page = |bound| async move {
            store.list_devices(user, PageQuery { count: 2, bound }).await
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let newest = page(PageBound::Newest).await;
        assert_eq!(newest.items.iter().map(|d| d.id.0).collect::<Vec<_>>(), ids[0..2]);
        assert!(newest.has_older && !newest.has_newer);

        let middle = page(PageBound::OlderThan(ids[1])).await;
        assert_eq!(middle.items.iter().map(|d| d.id.0).collect::<Vec<_>>(), ids[2..4]);
        assert!(middle.has_older && middle.has_newer);

        let last = page(PageBound::OlderThan(ids[3])).await;
        assert_eq!(last.items.iter().map(|d| d.id.0).collect::<Vec<_>>(), ids[4..5]);
        assert!(!last.has_older && last.has_newer);

        // newer_id pages are the items just above the bound, still listed newest first.
        let newer = page(PageBound::NewerThan(ids[4])).await;
        assert_eq!(newer.items.iter().map(|d| d.id.0).collect::<Vec<_>>(), ids[2..4]);
        assert!(newer.has_older && newer.has_newer);

        let beyond = page(PageBound::NewerThan(ids[0])).await;
        assert!(beyond.items.is_empty() && beyond.has_older && !beyond.has_newer);
    }
}

// Operator commands open existing data only: an empty database is no store, and stays empty.
for_each_backend! { TestDatabase::create =>
    async fn existing_only_refuses_an_empty_database_and_creates_nothing(db: TestDatabase) {
        let existing = db.config.clone().existing_only();
        for _ in 0..2 {
            match connect(&existing).await {
                Err(provisio_store::ConnectError::NoData(_)) => {}
                other => panic!("expected NoData, got {:?}", other.map(|_| ())),
            }
        }
        let created = connect(&db.config).await.unwrap_or_else(|e| panic!("{e}"));
        created.check_writable().await.unwrap_or_else(|e| panic!("{e}"));
        created.close().await;
        let opened = connect(&existing).await.unwrap_or_else(|e| panic!("{e}"));
        opened.check_writable().await.unwrap_or_else(|e| panic!("{e}"));
        opened.close().await;
    }
}

for_each_backend! { open =>
    async fn the_virtual_clock_only_adds_up(f: Fixture) {
        assert_eq!(f.store.clock_offset().await.ok(), Some(0));
        assert_eq!(f.store.advance_clock(5).await.ok(), Some(5));
        // Concurrent advances (several processes) are all counted.
        let advances = (0..8).map(|_| {
            let store = f.store.clone();
            tokio::spawn(async move { store.advance_clock(10).await })
        });
        for advance in advances {
            assert!(matches!(advance.await, Ok(Ok(_))));
        }
        assert_eq!(f.store.clock_offset().await.ok(), Some(85));
        assert!(f.store.advance_clock(0).await.is_err());
        assert!(f.store.advance_clock(-1).await.is_err());
        assert_eq!(f.store.clock_offset().await.ok(), Some(85));
        f.store.ready().await.unwrap_or_else(|e| panic!("not ready: {e}"));
    }

    async fn a_reset_keeps_the_server_key_and_the_clock(f: Fixture) {
        let key = f.store.server_key_or_insert(b"key", T0).await.unwrap_or_else(|e| panic!("{e}"));
        partner_with_device(f.store.as_ref(), 1).await;
        f.store.advance_clock(7).await.unwrap_or_else(|e| panic!("{e}"));
        f.store.reset().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.store.list_partners().await.map(|p| p.len()).ok(), Some(0));
        assert_eq!(f.store.server_key().await.ok().flatten(), Some(key));
        assert_eq!(f.store.clock_offset().await.ok(), Some(7));
        // The store takes new data as before, from id 1 again.
        let (partner, _) = partner_with_device(f.store.as_ref(), 2).await;
        assert_eq!(partner, UserId(1));
    }

    async fn the_clock_goes_back_to_real_time_on_request_only(f: Fixture) {
        f.store.advance_clock(9).await.unwrap_or_else(|e| panic!("{e}"));
        f.store.reset_clock().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.store.clock_offset().await.ok(), Some(0));
        // And forward again from there.
        assert_eq!(f.store.advance_clock(3).await.ok(), Some(3));
    }
}

mod accounts {
    use provisio_core::account::{iban, AccountKind, AccountStatus, AccountUpdate, NewAccount};

    use super::*;

    fn external(currency: &str) -> NewAccount {
        NewAccount {
            kind: AccountKind::External,
            currency: currency.into(),
            description: "External".into(),
            display_name: "P".into(),
            daily_limit_minor: 5_000,
            service: Some("CURRENCY_CLOUD".into()),
            avatar_uuid: None,
        }
    }

    fn newest(count: u32) -> PageQuery {
        PageQuery {
            count,
            bound: PageBound::Newest,
        }
    }

    for_each_backend! { open =>
        async fn a_partner_starts_with_one_eur_account(f: Fixture) {
            let partner = f.store.create_partner("Acme BV", "u-1", &h("k1"), T0).await
                .unwrap_or_else(|e| panic!("{e}"));
            let page = f.store.accounts(partner.id, None, newest(10)).await
                .unwrap_or_else(|e| panic!("{e}"));
            let [main] = page.items.as_slice() else { panic!("{:?}", page.items) };
            assert_eq!((main.kind, main.currency.as_str()), (AccountKind::Bank, "EUR"));
            assert_eq!((main.description.as_str(), main.display_name.as_str()), ("Main account", "Acme BV"));
            assert_eq!((main.balance_minor, main.status), (0, AccountStatus::Active));
            assert!(iban::is_valid(&main.iban) && main.iban.starts_with("NL"), "{}", main.iban);
            assert_eq!(&main.iban[4..8], "BUNQ");
        }

        async fn accounts_are_listed_newest_first_per_user_and_kind(f: Fixture) {
            let (a, _) = partner_with_device(f.store.as_ref(), 1).await;
            let (b, _) = partner_with_device(f.store.as_ref(), 2).await;
            let mut ids = Vec::new();
            for currency in ["GBP", "USD", "PLN"] {
                let account = f.store.create_account(a, &external(currency), T0).await
                    .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!((account.user_id, account.service.as_deref()), (a, Some("CURRENCY_CLOUD")));
                ids.push(account.id);
            }
            let all = f.store.accounts(a, None, newest(2)).await.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(all.items.iter().map(|x| x.id).collect::<Vec<_>>(), vec![ids[2], ids[1]]);
            assert!(all.has_older && !all.has_newer);
            let rest = f.store.accounts(a, None, PageQuery { count: 10, bound: PageBound::OlderThan(ids[1].0) })
                .await.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(rest.items.len(), 2, "the third external account and the main account");
            let external_only = f.store.accounts(a, Some(AccountKind::External), newest(10)).await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(external_only.items.len(), 3);
            let bank_only = f.store.accounts(a, Some(AccountKind::Bank), newest(10)).await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(bank_only.items.len(), 1);
            // Another user's account does not exist for b.
            assert_eq!(f.store.account(b, ids[0]).await.ok(), Some(None));
            assert!(f.store.account(a, ids[0]).await.ok().flatten().is_some());
        }

        async fn ibans_are_valid_and_unique(f: Fixture) {
            let (a, _) = partner_with_device(f.store.as_ref(), 1).await;
            let mut ibans = std::collections::HashSet::new();
            for _ in 0..40 {
                let account = f.store.create_account(a, &external("GBP"), T0).await
                    .unwrap_or_else(|e| panic!("{e}"));
                assert!(iban::is_valid(&account.iban), "{}", account.iban);
                ibans.insert(account.iban);
            }
            assert_eq!(ibans.len(), 40);
        }

        async fn updates_follow_the_rule_and_a_cancelled_account_stays_cancelled(f: Fixture) {
            let (a, _) = partner_with_device(f.store.as_ref(), 1).await;
            let (b, _) = partner_with_device(f.store.as_ref(), 2).await;
            let account = f.store.create_account(a, &external("GBP"), T0).await
                .unwrap_or_else(|e| panic!("{e}"));
            let later = Timestamp(T0.micros() + 1);
            let rename = AccountUpdate {
                description: Some("Holidays".into()),
                daily_limit: Some((20_000, "GBP".into())),
                ..AccountUpdate::default()
            };
            let renamed = f.store.update_account(a, AccountKind::External, account.id, &rename, later).await
                .unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("not found"));
            assert_eq!((renamed.description.as_str(), renamed.daily_limit_minor), ("Holidays", 20_000));
            assert_eq!(renamed.updated, later);
            // Wrong kind or wrong user: no such account, nothing changed.
            assert_eq!(f.store.update_account(a, AccountKind::Bank, account.id, &rename, later).await.ok(), Some(None));
            assert_eq!(f.store.update_account(b, AccountKind::External, account.id, &rename, later).await.ok(), Some(None));
            let close = AccountUpdate { status: Some(AccountStatus::Cancelled), ..AccountUpdate::default() };
            let closed = f.store.update_account(a, AccountKind::External, account.id, &close, later).await
                .unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("not found"));
            assert_eq!(closed.status, AccountStatus::Cancelled);
            match f.store.update_account(a, AccountKind::External, account.id, &rename, later).await {
                Err(StoreError::Refused(message)) => assert!(message.contains("CANCELLED"), "{message}"),
                other => panic!("expected a refusal, got {other:?}"),
            }
            let stored = f.store.account(a, account.id).await.ok().flatten();
            assert_eq!(stored.map(|s| (s.status, s.description)), Some((AccountStatus::Cancelled, "Holidays".into())));
        }
    }
}

for_each_backend! { open =>
    // A step applies only from the state it expects: when the provision has moved on, none
    // of its effects, history, job or webhook may be written (a step's effects go to the
    // database together, in one trip after its compare-and-set).
    async fn a_step_whose_provision_moved_on_leaves_nothing_behind(f: Fixture) {
        use provisio_core::{
            model::{PageBound, PageQuery},
            provision::{
                plan::{Effect, JobKind, JobSpec, NewCredential, Step},
                state::{Phase, Stored},
                ActionRequired, Status, SubStatus,
            },
            secret::Secret,
            store::UserFilter,
        };
        let partner = provisioning_partner(f.store.as_ref()).await;
        let created = f.store.create_provision(partner, &person(0, Vec::new()), T0, T0).await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(created.state, Phase::from(Phase::new_provision()).stored());
        let elsewhere = Stored {
            status: Status::Created,
            sub_status: SubStatus::PendingProcessRelationUser,
            action_required: ActionRequired::System,
            resume: None,
        };
        let step = Step {
            expect: elsewhere,
            to: Stored { sub_status: SubStatus::PendingProcessOauthRequest, ..elsewhere },
            effects: vec![
                Effect::CreateUser,
                Effect::IssueCredential(NewCredential {
                    token: Secret::generate(""),
                    expiry: T0,
                }),
            ],
            follow_up: Some(JobSpec { kind: JobKind::Advance, run_at: T0 }),
            cause: "a stale step".into(),
        };
        let applied = f.store.apply_step(created.id, &step, T0).await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!applied);
        let after = f.store.provision(created.id).await.ok().flatten()
            .unwrap_or_else(|| panic!("the provision"));
        assert_eq!(after.state, created.state);
        assert!(after.user.is_none(), "{:?}", after.user);
        assert!(after.credential.is_none(), "{:?}", after.credential);
        let history = f.store.history(created.id).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(history.len(), 1, "{history:?}");
        assert_eq!(f.store.pending_jobs().await.ok(), Some(1));
        let people = UserFilter { kind: Some("PERSON".into()), ..UserFilter::default() };
        let users = f.store
            .list_users(&people, PageQuery { count: 10, bound: PageBound::Newest }).await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(users.items.is_empty(), "{:?}", users.items);

        // The same step from the state it expects is applied, with its effects.
        let step = Step { expect: created.state, ..step };
        let applied = f.store.apply_step(created.id, &step, T0).await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(applied);
        let after = f.store.provision(created.id).await.ok().flatten()
            .unwrap_or_else(|| panic!("the provision"));
        assert_eq!(after.state, step.to);
        assert!(after.user.is_some());
        assert!(after.credential.is_some());
        assert_eq!(f.store.history(created.id).await.map(|h| h.len()).ok(), Some(2));
        assert_eq!(f.store.pending_jobs().await.ok(), Some(2));
    }

    // The worker finishes a batch of jobs in one write, the steps of several provisions in
    // one transaction. Each provision must move exactly as alone: its own user, its own
    // credential, its history, its next job.
    async fn the_steps_of_several_provisions_finished_together_each_move(f: Fixture) {
        use std::time::Duration;
        use provisio_core::{
            model::Environment,
            provision::{plan::{self, Effect, StepContext}, record::JobOutcome, state::Phase,
                        Product, SubStatus},
        };
        let partner = provisioning_partner(f.store.as_ref()).await;
        let mut issued = std::collections::HashMap::new();
        let mut ids = Vec::new();
        for n in 0..5 {
            let new = person(n, vec![Product::UserVerified]);
            let created = f.store.create_provision(partner, &new, T0, T0).await
                .unwrap_or_else(|e| panic!("{e}"));
            ids.push(created.id);
        }
        let mut rounds = 0;
        loop {
            let token = format!("worker:{rounds}");
            let jobs = f.store.claim_jobs(&token, T0, Duration::from_secs(60), 100).await
                .unwrap_or_else(|e| panic!("{e}"));
            if jobs.is_empty() {
                break;
            }
            assert_eq!(jobs.len(), ids.len(), "one job a provision in each batch");
            let outcomes: Vec<_> = jobs.into_iter().map(|job| {
                let phase = Phase::from_stored(job.state.status, job.state.sub_status, job.state.resume)
                    .unwrap_or_else(|| panic!("{:?}", job.state));
                let ctx = StepContext { now: T0, step_delay: Duration::ZERO, environment: Environment::Sandbox, products: &job.products };
                let outcome = plan::advance(phase, &ctx).map_or(JobOutcome::Stale, JobOutcome::Step);
                (job, outcome)
            }).collect();
            // Each provision's own credential and authorization code, to find on it after.
            for (job, outcome) in &outcomes {
                if let JobOutcome::Step(step) = outcome {
                    for effect in &step.effects {
                        if let Effect::AcceptOauthRequest { authorization_code, credential } = effect {
                            issued.insert(
                                job.provision_id,
                                (credential.token.expose().to_owned(), authorization_code.expose().to_owned()),
                            );
                        }
                    }
                }
            }
            f.store.finish_jobs(&token, outcomes, T0).await.unwrap_or_else(|e| panic!("{e}"));
            rounds += 1;
            assert!(rounds < 10, "the provisions never came to rest");
        }
        let mut users = std::collections::HashSet::new();
        let mut credentials = std::collections::HashSet::new();
        let mut api_keys = std::collections::HashSet::new();
        let mut requests = std::collections::HashSet::new();
        for id in &ids {
            let p = f.store.provision(*id).await.ok().flatten().unwrap_or_else(|| panic!("{id}"));
            assert_eq!(p.state.sub_status, SubStatus::PendingProcessUserOnboarding, "{id}: {:?}", f.store.history(*id).await);
            users.insert(p.user.map(|u| u.id).unwrap_or_else(|| panic!("{id} has no user")));
            let credential = p.credential.unwrap_or_else(|| panic!("{id} has no credential"));
            credentials.insert(credential.id);
            api_keys.insert(p.api_key_user_id.unwrap_or_else(|| panic!("{id} has no API key")));
            // The credential and the code of this provision's own step, not another's.
            let (token, code) = issued.get(id).unwrap_or_else(|| panic!("{id} was never accepted"));
            assert_eq!(credential.token_value.as_ref(), Some(token), "{id}");
            let oauth = p.oauth_request.unwrap_or_else(|| panic!("{id} has no OAuth request"));
            assert_eq!(&oauth.authorization_code, code, "{id}");
            assert!(requests.insert(oauth.uuid), "{id}: an OAuth request of its own");
            assert_eq!(f.store.history(*id).await.map(|h| h.len()).ok(), Some(rounds + 1), "{id}");
        }
        assert_eq!((users.len(), credentials.len()), (ids.len(), ids.len()));
        assert_eq!(api_keys.len(), ids.len());
        assert!(api_keys.is_disjoint(&users), "an API key is a user of its own");
        // What is left is each credential's expiry.
        assert_eq!(f.store.pending_jobs().await.ok(), Some(ids.len() as u64));
    }

    // J-14: a provision needs an active OAuth client with a callback URL, asked inside the
    // statement that inserts it. Without one it is refused and nothing is written: no
    // provision, no history, no job (an `external_uuid` refused stays free).
    async fn a_provision_without_a_usable_oauth_client_is_refused_and_leaves_nothing(f: Fixture) {
        use provisio_core::{
            provision::{oauth::OauthClientStatus, record::ProvisionFilter},
            store::NO_USABLE_OAUTH_CLIENT,
        };
        let refused = |result: Result<_, StoreError>, when: &str| match result {
            Err(StoreError::Refused(message)) => assert_eq!(message, NO_USABLE_OAUTH_CLIENT, "{when}"),
            Err(other) => panic!("{when}: {other}"),
            Ok(p) => panic!("{when}: created {p:?}"),
        };
        let all = PageQuery { count: 10, bound: PageBound::Newest };
        let ready = provisioning_partner(f.store.as_ref()).await;
        let bare = f.store.create_partner("Bare BV", "u-2", &h("k2"), T0).await
            .unwrap_or_else(|e| panic!("{e}"));
        // Another partner's client does not count.
        refused(f.store.create_provision(bare.id, &person(1, Vec::new()), T0, T0).await, "no client");
        let client = f.store
            .create_oauth_client(bare.id, OauthClientStatus::Active, "client-2", "secret-2", T0)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        refused(f.store.create_provision(bare.id, &person(1, Vec::new()), T0, T0).await, "no callback URL");
        let provisions = f.store.list_provisions(bare.id, &ProvisionFilter::default(), all).await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(provisions.items.is_empty(), "{provisions:?}");
        assert_eq!(f.store.pending_jobs().await.ok(), Some(0));
        assert_eq!(f.store.next_job_at().await.ok(), Some(None));

        f.store.add_callback_url(bare.id, client.id, "https://bare.example/cb", T0).await
            .unwrap_or_else(|e| panic!("{e}"));
        // The refused external_uuid was not taken.
        let created = f.store.create_provision(bare.id, &person(1, Vec::new()), T0, T0).await
            .unwrap_or_else(|e| panic!("{e}"));
        let history = f.store.history(created.id).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(history.len(), 1);
        assert_eq!(f.store.pending_jobs().await.ok(), Some(1));

        f.store.set_oauth_client_status(bare.id, client.id, OauthClientStatus::Cancelled, T0).await
            .unwrap_or_else(|e| panic!("{e}"));
        refused(f.store.create_provision(bare.id, &person(2, Vec::new()), T0, T0).await, "cancelled client");
        let provisions = f.store.list_provisions(bare.id, &ProvisionFilter::default(), all).await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(provisions.items.iter().map(|p| p.id).collect::<Vec<_>>(), vec![created.id]);
        assert_eq!(f.store.pending_jobs().await.ok(), Some(1));
        // The partner with a usable client provisions as before.
        f.store.create_provision(ready, &person(3, Vec::new()), T0, T0).await
            .unwrap_or_else(|e| panic!("{e}"));
    }

    // The worker sleeps until the next job is due: its run_at, or for a leased job the end of
    // its lease when that is later.
    async fn the_next_job_is_due_at_its_run_at_or_when_its_lease_runs_out(f: Fixture) {
        use std::time::Duration;
        let partner = provisioning_partner(f.store.as_ref()).await;
        let at = |secs: u64| T0.plus(Duration::from_secs(secs));
        assert_eq!(f.store.next_job_at().await.ok(), Some(None));
        f.store.create_provision(partner, &person(1, Vec::new()), T0, at(10)).await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.store.next_job_at().await.ok(), Some(Some(at(10))));
        let claimed = f.store.claim_jobs("worker:1", at(10), Duration::from_secs(60), 10).await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(claimed.len(), 1);
        assert_eq!(f.store.next_job_at().await.ok(), Some(Some(at(70))), "the lease's end");
        f.store.create_provision(partner, &person(2, Vec::new()), T0, at(20)).await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.store.next_job_at().await.ok(), Some(Some(at(20))), "the job nobody leased");
    }
}
