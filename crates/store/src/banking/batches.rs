//! Payment batches: several payments from one account in one transaction, each paid by
//! `transfer::pay_in` as a single payment is (its rows, its webhooks), the paying side marked
//! with the batch. A payment that cannot be paid refuses the whole write, named by its index.
//! Drafts (`drafts`) pay their entries through the same function.

use provisio_core::{
    account::{
        batch::PaymentBatch,
        payment::{NewPayment, Payment, PaymentPolicy},
    },
    idempotency::IdempotencyKey,
    model::{MonetaryAccountId, Page, PageQuery, UserId},
    time::Timestamp,
    StoreError,
};
use sqlx::AnyConnection;

use super::{
    ledger::{PaymentRow, PAYMENT_COLUMNS},
    transfer::pay_in,
};
use crate::{
    db_err, frozen,
    idempotency::{kept_id, Kept},
    page::{fetch_page, Arg},
    rows::corrupt,
    writer::BoxFuture,
    SqlStore,
};

/// A refusal inside a list, prefixed with the item's place (`payments[2]: …`); other errors
/// pass unchanged.
pub(super) fn at_index(field: &str, index: usize, err: sqlx::Error) -> sqlx::Error {
    match db_err(err) {
        StoreError::Refused(message) => {
            frozen::refuse(StoreError::Refused(format!("{field}[{index}]: {message}")))
        }
        other => frozen::refuse(other),
    }
}

/// Pays `payments` from the user's `account` as one batch, inside the caller's transaction.
/// `None` when the user has no such account.
pub(super) async fn pay_batch_in(
    conn: &mut AnyConnection,
    field: &str,
    user: UserId,
    account: MonetaryAccountId,
    payments: &[NewPayment],
    policy: &PaymentPolicy,
    now: Timestamp,
) -> Result<Option<PaymentBatch>, sqlx::Error> {
    let owned: Option<i64> =
        sqlx::query_scalar("SELECT id FROM monetary_accounts WHERE id = $1 AND user_id = $2")
            .bind(account.0)
            .bind(user.0)
            .fetch_optional(&mut *conn)
            .await?;
    if owned.is_none() {
        return Ok(None);
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO payment_batches (monetary_account_id, user_id, created, updated) \
         VALUES ($1, $2, $3, $3) RETURNING id",
    )
    .bind(account.0)
    .bind(user.0)
    .bind(now.micros())
    .fetch_one(&mut *conn)
    .await?;
    let mut paid = Vec::with_capacity(payments.len());
    for (i, payment) in payments.iter().enumerate() {
        let side = pay_in(conn, user, account, payment, policy, now)
            .await
            .map_err(|e| at_index(field, i, e))?
            .ok_or(sqlx::Error::RowNotFound)?;
        sqlx::query("UPDATE payments SET payment_batch_id = $1 WHERE id = $2")
            .bind(id)
            .bind(side.id.0)
            .execute(&mut *conn)
            .await?;
        paid.push(side);
    }
    Ok(Some(PaymentBatch {
        id,
        monetary_account_id: account,
        user_id: user,
        payments: paid,
        created: now,
        updated: now,
    }))
}

/// The user's batch `id` on `account`, with its payments in the order they were paid.
pub(super) async fn load_batch(
    conn: &mut AnyConnection,
    user: UserId,
    account: MonetaryAccountId,
    id: i64,
) -> Result<Option<PaymentBatch>, sqlx::Error> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT created, updated FROM payment_batches \
         WHERE id = $1 AND monetary_account_id = $2 AND user_id = $3",
    )
    .bind(id)
    .bind(account.0)
    .bind(user.0)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((created, updated)) = row else {
        return Ok(None);
    };
    let rows: Vec<PaymentRow> = sqlx::query_as(&format!(
        "SELECT {PAYMENT_COLUMNS} FROM payments \
         WHERE payment_batch_id = $1 AND monetary_account_id = $2 ORDER BY id"
    ))
    .bind(id)
    .bind(account.0)
    .fetch_all(&mut *conn)
    .await?;
    let payments = rows
        .into_iter()
        .map(Payment::try_from)
        .collect::<Result<Vec<_>, _>>()
        .map_err(corrupt)?;
    Ok(Some(PaymentBatch {
        id,
        monetary_account_id: account,
        user_id: user,
        payments,
        created: provisio_core::time::Timestamp(created),
        updated: provisio_core::time::Timestamp(updated),
    }))
}

/// A retried batch answers the batch its first attempt paid.
impl Kept for PaymentBatch {
    fn answer(&self) -> String {
        self.id.to_string()
    }

    fn find<'c>(
        conn: &'c mut AnyConnection,
        answer: String,
    ) -> BoxFuture<'c, Result<Option<Self>, sqlx::Error>> {
        Box::pin(async move {
            let id = kept_id(&answer)?;
            let owner: Option<(i64, i64)> = sqlx::query_as(
                "SELECT user_id, monetary_account_id FROM payment_batches WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
            match owner {
                Some((user, account)) => {
                    load_batch(conn, UserId(user), MonetaryAccountId(account), id).await
                }
                None => Ok(None),
            }
        })
    }
}

impl SqlStore {
    pub(super) async fn pay_batch_write(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        payments: &[NewPayment],
        policy: &PaymentPolicy,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> Result<Option<PaymentBatch>, StoreError> {
        let (payments, policy) = (payments.to_vec(), policy.clone());
        self.write_once(once, now, move |conn| {
            Box::pin(async move {
                pay_batch_in(conn, "payments", user, account, &payments, &policy, now).await
            })
        })
        .await
    }

    pub(super) async fn read_batch(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
    ) -> Result<Option<PaymentBatch>, StoreError> {
        let mut conn = self.read.acquire().await.map_err(db_err)?;
        load_batch(&mut conn, user, account, id)
            .await
            .map_err(db_err)
    }

    pub(super) async fn read_batches(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        page: PageQuery,
    ) -> Result<Page<PaymentBatch>, StoreError> {
        let ids: Page<(i64,)> = fetch_page(
            &self.read,
            "id",
            "id",
            "payment_batches WHERE monetary_account_id = $1 AND user_id = $2",
            &[Arg::Int(account.0), Arg::Int(user.0)],
            page,
        )
        .await?;
        let mut conn = self.read.acquire().await.map_err(db_err)?;
        let mut items = Vec::with_capacity(ids.items.len());
        for (id,) in &ids.items {
            if let Some(batch) = load_batch(&mut conn, user, account, *id)
                .await
                .map_err(db_err)?
            {
                items.push(batch);
            }
        }
        Ok(Page {
            items,
            has_older: ids.has_older,
            has_newer: ids.has_newer,
        })
    }
}
