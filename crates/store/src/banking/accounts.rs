//! Monetary accounts. Each account gets a random NL…BUNQ IBAN; the `iban` column is UNIQUE,
//! so a collision fails the write and [`with_fresh_iban`] runs it again with another number.
//! Updates lock the account row, let the domain rule decide on the account as it is, and store
//! the result only if the row is still what was read (compare-and-set).

use std::future::Future;

use async_trait::async_trait;
use provisio_core::{
    account::{
        iban, rules, AccountKind, AccountStatus, AccountSubStatus, AccountUpdate, MonetaryAccount,
        NewAccount,
    },
    model::{MonetaryAccountId, Page, PageQuery, UserId},
    store::{MonetaryAccountStore, StoreResult},
    time::Timestamp,
    StoreError,
};
use sqlx::AnyConnection;

use crate::{
    db_err, frozen,
    page::{fetch_page, Arg},
    rows::{corrupt, parse},
    SqlStore,
};

pub(crate) const ACCOUNT_COLUMNS: &str = "id, user_id, kind, public_uuid, currency, description, \
     display_name, daily_limit_minor, balance_minor, iban, status, sub_status, reason, \
     reason_description, service, avatar_uuid, created, updated";

/// How often an account is tried with a new IBAN before the collision is reported. With 10^10
/// numbers, a second collision in a row means something else is wrong.
const IBAN_ATTEMPTS: usize = 5;

#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    id: i64,
    user_id: i64,
    kind: String,
    public_uuid: String,
    currency: String,
    description: String,
    display_name: String,
    daily_limit_minor: i64,
    balance_minor: i64,
    iban: String,
    status: String,
    sub_status: String,
    reason: Option<String>,
    reason_description: Option<String>,
    service: Option<String>,
    avatar_uuid: Option<String>,
    created: i64,
    updated: i64,
}

impl TryFrom<AccountRow> for MonetaryAccount {
    type Error = StoreError;

    fn try_from(r: AccountRow) -> Result<Self, StoreError> {
        Ok(MonetaryAccount {
            id: MonetaryAccountId(r.id),
            user_id: UserId(r.user_id),
            kind: parse(AccountKind::parse, &r.kind)?,
            public_uuid: r.public_uuid,
            currency: r.currency,
            description: r.description,
            display_name: r.display_name,
            daily_limit_minor: r.daily_limit_minor,
            balance_minor: r.balance_minor,
            iban: r.iban,
            status: parse(AccountStatus::parse, &r.status)?,
            sub_status: parse(AccountSubStatus::parse, &r.sub_status)?,
            reason: r.reason,
            reason_description: r.reason_description,
            service: r.service,
            avatar_uuid: r.avatar_uuid,
            created: Timestamp(r.created),
            updated: Timestamp(r.updated),
        })
    }
}

/// A random IBAN of provisio's.
fn random_iban() -> String {
    let number = provisio_core::ids::fresh_uuid().as_u128() % u128::from(iban::ACCOUNT_NUMBERS);
    iban::nl_bunq(u64::try_from(number).unwrap_or_default())
}

/// Runs a write that inserts an account with the IBAN it is given, again with a new IBAN
/// whenever a unique constraint refused it.
pub(crate) async fn with_fresh_iban<T, F, Fut>(mut attempt: F) -> StoreResult<T>
where
    F: FnMut(String) -> Fut,
    Fut: Future<Output = StoreResult<T>>,
{
    for _ in 1..IBAN_ATTEMPTS {
        match attempt(random_iban()).await {
            Err(StoreError::UniqueViolation(_)) => continue,
            other => return other,
        }
    }
    attempt(random_iban()).await
}

/// Inserts an ACTIVE account with `iban`, inside a write (refused when its `avatar_uuid`
/// names no avatar).
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    user: i64,
    account: &NewAccount,
    iban: &str,
    now: Timestamp,
) -> Result<AccountRow, sqlx::Error> {
    if let Some(avatar) = &account.avatar_uuid {
        crate::avatars::exists(conn, avatar).await?;
    }
    sqlx::query_as(&format!(
        "INSERT INTO monetary_accounts (user_id, kind, public_uuid, currency, description, \
             display_name, daily_limit_minor, balance_minor, iban, status, sub_status, service, \
             created, updated, avatar_uuid) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, 'ACTIVE', 'NONE', $9, $10, $10, $11) \
         RETURNING {ACCOUNT_COLUMNS}"
    ))
    .bind(user)
    .bind(account.kind.as_str())
    .bind(provisio_core::ids::fresh_uuid().to_string())
    .bind(account.currency.clone())
    .bind(account.description.clone())
    .bind(account.display_name.clone())
    .bind(account.daily_limit_minor)
    .bind(iban.to_owned())
    .bind(account.service.clone())
    .bind(now.micros())
    .bind(account.avatar_uuid.clone())
    .fetch_one(conn)
    .await
}

fn refused(message: impl Into<String>) -> sqlx::Error {
    frozen::refuse(StoreError::Refused(message.into()))
}

#[async_trait]
impl MonetaryAccountStore for SqlStore {
    async fn create_account(
        &self,
        user: UserId,
        account: &NewAccount,
        now: Timestamp,
    ) -> StoreResult<MonetaryAccount> {
        let row = with_fresh_iban(|iban| {
            let account = account.clone();
            self.write(move |conn| {
                Box::pin(async move {
                    frozen::writable(conn, user.0).await?;
                    insert(conn, user.0, &account, &iban, now).await
                })
            })
        })
        .await?;
        row.try_into()
    }

    async fn account(
        &self,
        user: UserId,
        id: MonetaryAccountId,
    ) -> StoreResult<Option<MonetaryAccount>> {
        let row: Option<AccountRow> = sqlx::query_as(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM monetary_accounts WHERE id = $1 AND user_id = $2"
        ))
        .bind(id.0)
        .bind(user.0)
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        row.map(MonetaryAccount::try_from).transpose()
    }

    async fn accounts(
        &self,
        user: UserId,
        kind: Option<AccountKind>,
        page: PageQuery,
    ) -> StoreResult<Page<MonetaryAccount>> {
        let mut args = vec![Arg::Int(user.0)];
        let mut table_where = "monetary_accounts WHERE user_id = $1".to_owned();
        if let Some(kind) = kind {
            args.push(Arg::Text(kind.as_str().to_owned()));
            table_where.push_str(" AND kind = $2");
        }
        let rows: Page<AccountRow> =
            fetch_page(&self.read, ACCOUNT_COLUMNS, "id", &table_where, &args, page).await?;
        rows.try_map(MonetaryAccount::try_from)
    }

    async fn update_account(
        &self,
        user: UserId,
        kind: AccountKind,
        id: MonetaryAccountId,
        update: &AccountUpdate,
        now: Timestamp,
    ) -> StoreResult<Option<MonetaryAccount>> {
        let update = update.clone();
        let row = self
            .write(move |conn| {
                Box::pin(async move {
                    frozen::writable(conn, user.0).await?;
                    // A no-op UPDATE locks the row on PostgreSQL until the transaction ends
                    // (SQLite has one writer), so the rule sees the account as it will stay.
                    let current: Option<AccountRow> = sqlx::query_as(&format!(
                        "UPDATE monetary_accounts SET updated = updated \
                         WHERE id = $1 AND user_id = $2 AND kind = $3 RETURNING {ACCOUNT_COLUMNS}"
                    ))
                    .bind(id.0)
                    .bind(user.0)
                    .bind(kind.as_str())
                    .fetch_optional(&mut *conn)
                    .await?;
                    let Some(current) = current else {
                        return Ok(None);
                    };
                    let current = MonetaryAccount::try_from(current).map_err(corrupt)?;
                    let next = rules::apply(&current, &update).map_err(|e| refused(e.to_string()))?;
                    if let Some(avatar) = &update.avatar_uuid {
                        crate::avatars::exists(conn, avatar).await?;
                    }
                    let stored: Option<AccountRow> = sqlx::query_as(&format!(
                        "UPDATE monetary_accounts SET description = $2, daily_limit_minor = $3, \
                             status = $4, sub_status = $5, reason = $6, reason_description = $7, \
                             updated = $8, avatar_uuid = $12 \
                         WHERE id = $1 AND status = $9 AND balance_minor = $10 AND updated = $11 \
                         RETURNING {ACCOUNT_COLUMNS}"
                    ))
                    .bind(id.0)
                    .bind(next.description)
                    .bind(next.daily_limit_minor)
                    .bind(next.status.as_str())
                    .bind(next.sub_status.as_str())
                    .bind(next.reason)
                    .bind(next.reason_description)
                    .bind(now.micros())
                    .bind(current.status.as_str())
                    .bind(current.balance_minor)
                    .bind(current.updated.micros())
                    .bind(next.avatar_uuid)
                    .fetch_optional(&mut *conn)
                    .await?;
                    stored.map(Some).ok_or_else(|| {
                        refused("The account changed while this request was processed; please try again.")
                    })
                })
            })
            .await?;
        row.map(MonetaryAccount::try_from).transpose()
    }
}
