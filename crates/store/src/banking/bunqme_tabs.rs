//! The `BunqMeTabStore`: tabs as stored, with the payments made through them; a stranger's
//! payment is money in from outside (`transfer::credit_in`) linked to the tab in the same
//! write, so the ledger counts it as credited; an account held here pays as an internal
//! payment (`transfer::transfer_in`), the tab's side linked to the tab.

use async_trait::async_trait;
use provisio_core::{
    account::{
        bunqme::{not_open, BunqMeTab, BunqMeTabStatus, NewTab, TabPayer},
        payment::{Credit, NewPayment, Payment, PaymentPolicy},
        pointer::Pointer,
    },
    idempotency::IdempotencyKey,
    model::{MonetaryAccountId, Page, PageQuery, UserId},
    store::{BunqMeTabStore, StoreResult},
    time::Timestamp,
    StoreError,
};
use sqlx::{AnyConnection, AnyPool};

use super::{
    ledger::{PaymentRow, PAYMENT_COLUMNS},
    transfer::{credit_in, find_account, transfer_in, Find},
};
use crate::{
    db_err, frozen,
    idempotency::{kept_id, Kept},
    page::{fetch_page, Arg},
    rows::{corrupt, parse},
    writer::BoxFuture,
    SqlStore,
};

const TAB_COLUMNS: &str = "id, monetary_account_id, user_id, uuid, alias_iban, alias_name, \
     amount_minor, currency, description, status, created, updated";

#[derive(sqlx::FromRow)]
struct TabRow {
    id: i64,
    monetary_account_id: i64,
    user_id: i64,
    uuid: String,
    alias_iban: String,
    alias_name: String,
    amount_minor: i64,
    currency: String,
    description: String,
    status: String,
    created: i64,
    updated: i64,
}

impl TryFrom<TabRow> for BunqMeTab {
    type Error = StoreError;

    fn try_from(r: TabRow) -> Result<Self, StoreError> {
        Ok(BunqMeTab {
            id: r.id,
            monetary_account_id: MonetaryAccountId(r.monetary_account_id),
            user_id: UserId(r.user_id),
            uuid: r.uuid,
            alias_iban: r.alias_iban,
            alias_name: r.alias_name,
            amount_minor: r.amount_minor,
            currency: r.currency,
            description: r.description,
            status: parse(BunqMeTabStatus::parse, &r.status)?,
            results: Vec::new(),
            created: Timestamp(r.created),
            updated: Timestamp(r.updated),
        })
    }
}

fn refused(message: impl Into<String>) -> sqlx::Error {
    frozen::refuse(StoreError::Refused(message.into()))
}

/// The tab's payments, newest first (on the pool or inside a write).
async fn results<'c, E>(executor: E, tab: i64) -> Result<Vec<Payment>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let rows: Vec<PaymentRow> = sqlx::query_as(&format!(
        "SELECT {PAYMENT_COLUMNS} FROM payments WHERE id IN \
         (SELECT payment_id FROM bunqme_tab_results WHERE tab_id = $1) ORDER BY id DESC"
    ))
    .bind(tab)
    .fetch_all(executor)
    .await?;
    rows.into_iter()
        .map(|r| Payment::try_from(r).map_err(corrupt))
        .collect()
}

async fn with_results(pool: &AnyPool, row: TabRow) -> StoreResult<BunqMeTab> {
    let mut tab = BunqMeTab::try_from(row)?;
    tab.results = results(pool, tab.id).await.map_err(db_err)?;
    Ok(tab)
}

/// Tab `id` (of `owner`'s `account` when given), read inside a write.
/// A retried payment into a tab answers the tab as it is now.
impl Kept for BunqMeTab {
    fn answer(&self) -> String {
        self.id.to_string()
    }

    fn find<'c>(
        conn: &'c mut AnyConnection,
        answer: String,
    ) -> BoxFuture<'c, Result<Option<Self>, sqlx::Error>> {
        Box::pin(async move { find_tab(conn, kept_id(&answer)?, None).await })
    }
}

async fn find_tab(
    conn: &mut AnyConnection,
    id: i64,
    owner: Option<(UserId, MonetaryAccountId)>,
) -> Result<Option<BunqMeTab>, sqlx::Error> {
    let select = format!("SELECT {TAB_COLUMNS} FROM bunqme_tabs WHERE id = $1");
    let row: Option<TabRow> = match owner {
        Some((user, account)) => {
            sqlx::query_as(&format!(
                "{select} AND user_id = $2 AND monetary_account_id = $3"
            ))
            .bind(id)
            .bind(user.0)
            .bind(account.0)
            .fetch_optional(&mut *conn)
            .await?
        }
        None => {
            sqlx::query_as(&select)
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
        }
    };
    let Some(row) = row else { return Ok(None) };
    let mut tab = BunqMeTab::try_from(row).map_err(corrupt)?;
    tab.results = results(&mut *conn, id).await?;
    Ok(Some(tab))
}

async fn create_in(
    conn: &mut AnyConnection,
    user: UserId,
    account: MonetaryAccountId,
    new: &NewTab,
    now: Timestamp,
) -> Result<Option<BunqMeTab>, sqlx::Error> {
    let Some(found) = find_account(conn, Find::OwnedBy(account.0, user)).await? else {
        return Ok(None);
    };
    frozen::writable(conn, user.0).await?;
    if new.currency != found.currency {
        return Err(refused(format!(
            "This account holds {}; the amount is in {}.",
            found.currency, new.currency
        )));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO bunqme_tabs (monetary_account_id, user_id, uuid, alias_iban, alias_name, \
             amount_minor, currency, description, status, created, updated) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'WAITING_FOR_PAYMENT', $9, $9) RETURNING id",
    )
    .bind(found.id.0)
    .bind(user.0)
    .bind(provisio_core::ids::fresh_uuid().to_string())
    .bind(found.iban.clone())
    .bind(found.display_name.clone())
    .bind(new.amount_minor)
    .bind(new.currency.clone())
    .bind(new.description.clone())
    .bind(now.micros())
    .fetch_one(&mut *conn)
    .await?;
    find_tab(conn, id, None).await
}

async fn cancel_in(
    conn: &mut AnyConnection,
    user: UserId,
    account: MonetaryAccountId,
    id: i64,
    now: Timestamp,
) -> Result<Option<BunqMeTab>, sqlx::Error> {
    // The tab's row before the owner's provision, as a payment into the tab takes them (its
    // row, then provisions and accounts), so the two cannot deadlock on PostgreSQL.
    let locked = sqlx::query(
        "UPDATE bunqme_tabs SET updated = updated \
         WHERE id = $1 AND user_id = $2 AND monetary_account_id = $3",
    )
    .bind(id)
    .bind(user.0)
    .bind(account.0)
    .execute(&mut *conn)
    .await?;
    if locked.rows_affected() == 0 {
        return Ok(None);
    }
    let Some(tab) = find_tab(conn, id, Some((user, account))).await? else {
        return Ok(None);
    };
    frozen::writable(conn, user.0).await?;
    let changed = sqlx::query(
        "UPDATE bunqme_tabs SET status = 'CANCELLED', updated = $2 \
         WHERE id = $1 AND status = 'WAITING_FOR_PAYMENT'",
    )
    .bind(id)
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    if changed.rows_affected() == 0 {
        return Err(refused(not_open(tab.status).unwrap_or_else(|| {
            "This bunq.me tab changed meanwhile; read it again.".to_owned()
        })));
    }
    find_tab(conn, id, None).await
}

async fn pay_in(
    conn: &mut AnyConnection,
    id: i64,
    payer: &TabPayer,
    now: Timestamp,
) -> Result<Option<BunqMeTab>, sqlx::Error> {
    // Takes the tab's row first, so a cancellation and a payment are one after the other; an
    // account here paying then locks as every payment does (provisions, then accounts).
    let locked = sqlx::query("UPDATE bunqme_tabs SET updated = updated WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    if locked.rows_affected() == 0 {
        return Ok(None);
    }
    let Some(tab) = find_tab(conn, id, None).await? else {
        return Ok(None);
    };
    if let Some(message) = not_open(tab.status) {
        return Err(refused(message));
    }
    let paid = match payer {
        TabPayer::Stranger { iban, name } => {
            let credit = Credit {
                amount_minor: tab.amount_minor,
                from_iban: iban.clone(),
                from_name: name.clone(),
                description: tab.description.clone(),
            };
            credit_in(conn, tab.monetary_account_id, &credit, now)
                .await?
                .ok_or(sqlx::Error::RowNotFound)?
        }
        TabPayer::Account(from) => from_account(conn, &tab, *from, now).await?,
    };
    sqlx::query("INSERT INTO bunqme_tab_results (tab_id, payment_id) VALUES ($1, $2)")
        .bind(id)
        .bind(paid.id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE bunqme_tabs SET updated = $2 WHERE id = $1")
        .bind(id)
        .bind(now.micros())
        .execute(&mut *conn)
        .await?;
    find_tab(conn, id, None).await
}

/// Account `from` (held here) pays the tab's amount to the tab's account, as an internal
/// payment (`transfer::transfer_in`: its locks, its refusals, both sides and their webhooks);
/// answers the tab's side.
async fn from_account(
    conn: &mut AnyConnection,
    tab: &BunqMeTab,
    from: MonetaryAccountId,
    now: Timestamp,
) -> Result<Payment, sqlx::Error> {
    let Some(payer) = find_account(conn, Find::Id(from.0)).await? else {
        return Err(refused(format!(
            "from_monetary_account_id {} is no monetary account here.",
            from.0
        )));
    };
    if payer.id == tab.monetary_account_id {
        return Err(refused(
            "A bunq.me tab cannot be paid from its own account.",
        ));
    }
    let to = find_account(conn, Find::Id(tab.monetary_account_id.0))
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    let payment = NewPayment {
        amount_minor: tab.amount_minor,
        currency: tab.currency.clone(),
        counterparty: Pointer::Iban {
            iban: to.iban.clone(),
            name: to.display_name.clone(),
        },
        description: tab.description.clone(),
        merchant_reference: None,
    };
    // Only the tab's account's user receives, and nothing leaves provisio.
    let policy = PaymentPolicy {
        payees: Some(vec![to.user_id]),
        external: false,
    };
    let paid = transfer_in(conn, payer.user_id, payer.id, &payment, &policy, now)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    match paid.payee {
        Some(side) if side.monetary_account_id == tab.monetary_account_id => Ok(side),
        _ => Err(sqlx::Error::RowNotFound),
    }
}

#[async_trait]
impl BunqMeTabStore for SqlStore {
    async fn create_tab(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        tab: &NewTab,
        now: Timestamp,
    ) -> StoreResult<Option<BunqMeTab>> {
        let tab = tab.clone();
        self.write(move |conn| {
            Box::pin(async move { create_in(conn, user, account, &tab, now).await })
        })
        .await
    }

    async fn tab(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
    ) -> StoreResult<Option<BunqMeTab>> {
        let row: Option<TabRow> = sqlx::query_as(&format!(
            "SELECT {TAB_COLUMNS} FROM bunqme_tabs \
             WHERE id = $1 AND user_id = $2 AND monetary_account_id = $3"
        ))
        .bind(id)
        .bind(user.0)
        .bind(account.0)
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        match row {
            Some(row) => with_results(&self.read, row).await.map(Some),
            None => Ok(None),
        }
    }

    async fn tabs(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        page: PageQuery,
    ) -> StoreResult<Page<BunqMeTab>> {
        let rows: Page<TabRow> = fetch_page(
            &self.read,
            TAB_COLUMNS,
            "id",
            "bunqme_tabs WHERE monetary_account_id = $1 AND user_id = $2",
            &[Arg::Int(account.0), Arg::Int(user.0)],
            page,
        )
        .await?;
        let mut items = Vec::with_capacity(rows.items.len());
        for row in rows.items {
            items.push(with_results(&self.read, row).await?);
        }
        Ok(Page {
            items,
            has_older: rows.has_older,
            has_newer: rows.has_newer,
        })
    }

    async fn cancel_tab(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
        now: Timestamp,
    ) -> StoreResult<Option<BunqMeTab>> {
        self.write(move |conn| {
            Box::pin(async move { cancel_in(conn, user, account, id, now).await })
        })
        .await
    }

    async fn pay_tab(
        &self,
        id: i64,
        payer: &TabPayer,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<BunqMeTab>> {
        let payer = payer.clone();
        self.write_once(once, now, move |conn| {
            Box::pin(async move { pay_in(conn, id, &payer, now).await })
        })
        .await
    }
}
