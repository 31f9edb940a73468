//! `provisio partner|provision|user|account|card list` on the real binary, on both backends:
//! a header over aligned columns, wide values whole, the filters, `--json` as the API answers.

mod common;

use std::sync::Arc;

use common::{partner_on_fresh_database, provisio};
use provisio_core::{
    card::{rules, CardKind},
    model::{PageBound, PageQuery, UserId},
    provision::record::ProvisionFilter,
    sealing::SealingKey,
    store::Store,
    time::{Clock, SystemClock},
};
use provisio_store::{for_each_backend, testing::TestDatabase, Backend};
use provisio_wire::{Item, ResponseEnvelope};

struct Fixture {
    _db: TestDatabase,
    url: String,
    store: Arc<dyn Store>,
    /// The second partner's id (users and partners share ids).
    second: String,
}

/// Two partners, the first with an active user (an account, funded, and a card) and a failed
/// one, the second with nothing.
async fn fixture(backend: Backend) -> Fixture {
    let (db, store, _) = partner_on_fresh_database(backend, "Acme BV").await;
    let url = db.config.url.clone();
    for args in [
        &["scenarios", "run", "active-user", "--partner", "1"][..],
        &["scenarios", "run", "failed-user", "--partner", "1"],
        &[
            "partner",
            "create",
            "--name",
            "A Partner With A Rather Long Name BV",
        ],
    ] {
        let (ok, _, err) = cli(args, &url);
        assert!(ok, "{args:?}: {err}");
    }
    let active = provisioned(store.as_ref())
        .await
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no user"));
    let key = SealingKey::from_hex(&"11".repeat(32)).unwrap_or_else(|e| panic!("{e}"));
    store
        .seal_card_secrets(Arc::new(key), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let order = rules::CardInput {
        second_line: Some("Office".into()),
        kind: Some("MASTERCARD".into()),
        product_type: Some("MASTERCARD_DEBIT".into()),
        ..rules::CardInput::default()
    };
    let new = rules::new_card(CardKind::Debit, &order).unwrap_or_else(|e| panic!("{e}"));
    store
        .create_card(active, &new, "New bunqer", SystemClock::new().now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let second = store
        .list_partners()
        .await
        .ok()
        .and_then(|p| p.last().map(|p| p.id.0.to_string()))
        .unwrap_or_default();
    Fixture {
        _db: db,
        url,
        store,
        second,
    }
}

fn cli(args: &[&str], url: &str) -> (bool, String, String) {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--database-url", url]);
    let out = provisio(&all);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The table a list printed, refused when the command failed.
fn table(args: &[&str], url: &str) -> String {
    let (ok, out, err) = cli(args, url);
    assert!(ok, "{args:?}: {err}");
    // Not a terminal: plain text, not a colour in it.
    assert!(!out.contains('\u{1b}'), "{out:?}");
    out
}

/// The value in `column` of each row, read at the offset of the column's header: so the test
/// fails when a column is out of line.
fn column(table: &str, name: &str) -> Vec<String> {
    let mut lines = table.lines();
    let header = lines.next().unwrap_or_default();
    let start = header
        .find(name)
        .unwrap_or_else(|| panic!("no {name} in {header:?}"));
    lines
        .map(|line| {
            line.get(start..)
                .unwrap_or_default()
                .split("  ")
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// Like [`column`], for a right-aligned column: the value ending where its header ends.
fn number_column(table: &str, name: &str) -> Vec<String> {
    let mut lines = table.lines();
    let header = lines.next().unwrap_or_default();
    let end = header.find(name).map(|s| s + name.len()).unwrap_or(0);
    lines
        .map(|line| {
            let cell = line.get(..end).unwrap_or_default();
            assert!(
                line.get(end..)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with("  ")),
                "{name} not right-aligned in {line:?}"
            );
            cell.rsplit(' ').next().unwrap_or_default().to_owned()
        })
        .collect()
}

fn json(args: &[&str], url: &str) -> Vec<Item> {
    let mut all = args.to_vec();
    all.push("--json");
    let out = table(&all, url);
    assert_eq!(out.lines().count(), 1, "{out}");
    serde_json::from_str::<ResponseEnvelope>(&out)
        .unwrap_or_else(|e| panic!("{e}: {out}"))
        .response
}

/// The users the partner's provisions made, oldest first.
async fn provisioned(store: &dyn Store) -> Vec<UserId> {
    let page = PageQuery {
        count: 10,
        bound: PageBound::Newest,
    };
    let mut users: Vec<_> = store
        .list_provisions(UserId(1), &ProvisionFilter::default(), page)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .items
        .into_iter()
        .filter_map(|p| p.user.map(|u| u.id))
        .collect();
    users.sort_by_key(|u| u.0);
    users
}

for_each_backend! { fixture =>
    async fn partners_and_provisions(f: Fixture) {
        let url = &f.url;
        let partners = table(&["partner", "list"], url);
        assert_eq!(number_column(&partners, "ID"), ["1", f.second.as_str()]);
        assert_eq!(column(&partners, "NAME"), ["Acme BV", "A Partner With A Rather Long Name BV"]);
        let items = json(&["partner", "list"], url);
        assert!(
            matches!(&items[..], [Item::UserCompany(a), Item::UserCompany(b)] if a.id == 1 && b.name.starts_with("A Partner")),
            "{items:?}"
        );

        let all = table(&["provision", "list"], url);
        assert_eq!(column(&all, "STATUS"), ["ACTIVE", "FAILED"], "{all}");
        assert_eq!(number_column(&all, "PARTNER"), ["1", "1"], "{all}");
        // UUIDs whole, 36 characters.
        assert!(column(&all, "EXTERNAL_UUID").iter().all(|u| u.len() == 36), "{all}");
        let failed = table(&["provision", "list", "--status", "failed"], url);
        assert_eq!(column(&failed, "STATUS"), ["FAILED"], "{failed}");
        let both = table(&["provision", "list", "--status", "ACTIVE,FAILED", "--partner", "1"], url);
        assert_eq!(both.lines().count(), 3, "{both}");
        let user = provisioned(f.store.as_ref()).await[0].0.to_string();
        let mine = table(&["provision", "list", "--user", &user], url);
        assert_eq!(number_column(&mine, "USER"), [user.as_str()], "{mine}");
        assert_eq!(
            table(&["provision", "list", "--partner", &f.second], url).trim(),
            "No provisions match."
        );
        let items = json(&["provision", "list", "--status", "ACTIVE"], url);
        assert!(
            matches!(&items[..], [Item::PartnerUserProvision(p)] if p.status == "ACTIVE"),
            "{items:?}"
        );

        for (args, error) in [
            (&["provision", "list", "--status", "DONE"][..], "CREATED, ACTIVE, CANCELLED"),
            (&["provision", "list", "--partner", "99"], "no partner 99"),
            (&["account", "list", "--user", "99"], "no user 99"),
        ] {
            let (ok, _, err) = cli(args, url);
            assert!(!ok && err.contains(error), "{args:?}: {err}");
        }
    }

    async fn users_accounts_and_cards(f: Fixture) {
        let url = &f.url;
        let users = provisioned(f.store.as_ref()).await;
        let ids: Vec<String> = users.iter().map(|u| u.0.to_string()).collect();
        let listed = table(&["user", "list"], url);
        assert_eq!(number_column(&listed, "ID"), ids, "{listed}");
        assert_eq!(column(&listed, "STATUS"), ["ACTIVE", "FAILED"], "{listed}");
        assert!(column(&listed, "PUBLIC_UUID").iter().all(|u| u.len() == 36), "{listed}");
        let active = table(&["user", "list", "--status", "ACTIVE"], url);
        assert_eq!(number_column(&active, "ID"), [ids[0].as_str()], "{active}");
        let items = json(&["user", "list"], url);
        let json_ids: Vec<String> = items
            .iter()
            .filter_map(|i| match i {
                Item::UserPerson(p) => Some(p.id.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(json_ids, ids);
        assert!(table(&["user", "list", "--partner", &f.second], url).contains("No users match."));

        // The partner's main account and the active user's: IBANs whole, in their column.
        let accounts = table(&["account", "list"], url);
        let ibans = column(&accounts, "IBAN");
        assert!(ibans.iter().all(|i| i.len() == 18 && i.starts_with("NL")), "{accounts}");
        assert_eq!(number_column(&accounts, "USER"), ["1", ids[0].as_str(), f.second.as_str()], "{accounts}");
        assert_eq!(number_column(&accounts, "BALANCE"), ["0.00", "1000.00", "0.00"], "{accounts}");
        let of_user = table(&["account", "list", "--user", &ids[0]], url);
        assert_eq!(column(&of_user, "IBAN"), [ibans[1].as_str()], "{of_user}");
        let of_partner = table(&["account", "list", "--partner", "1"], url);
        assert_eq!(of_partner.lines().count(), 3, "{of_partner}");
        assert!(table(&["account", "list", "--status", "CANCELLED"], url).contains("No monetary accounts match."));
        let items = json(&["account", "list", "--user", &ids[0]], url);
        assert!(
            matches!(&items[..], [Item::MonetaryAccountBank(a)] if a.alias.iter().any(|p| p.value == ibans[1])),
            "{items:?}"
        );

        let cards = table(&["card", "list"], url);
        assert_eq!(number_column(&cards, "USER"), [ids[0].as_str()], "{cards}");
        assert_eq!(column(&cards, "TYPE"), ["DEBIT"], "{cards}");
        assert_eq!(table(&["card", "list", "--partner", "1"], url), cards);
        assert!(table(&["card", "list", "--partner", &f.second], url).contains("No cards match."));
        assert!(table(&["card", "list", "--status", "LOST"], url).contains("No cards match."));
        let items = json(&["card", "list"], url);
        assert!(matches!(&items[..], [Item::CardDebit(_)]), "{items:?}");
    }
}
