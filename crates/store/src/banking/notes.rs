//! The `PaymentNoteStore`: notes on a payment side (`NoteTextPayment`). A note belongs to the
//! payment's owner; every query names the payment by owner, account and id, so another user's
//! payment or note is not found.

use async_trait::async_trait;
use provisio_core::{
    account::note::PaymentNote,
    model::{MonetaryAccountId, Page, PageQuery, PaymentId, UserId},
    store::{PaymentNoteStore, StoreResult},
    time::Timestamp,
};
use sqlx::AnyConnection;

use crate::{
    db_err, frozen,
    page::{fetch_page, Arg},
    SqlStore,
};

const NOTE_COLUMNS: &str = "n.id, n.payment_id, p.monetary_account_id, n.user_id, n.content, \
     n.created, n.updated";

/// A note with its payment, `$1` the user, `$2` the account, `$3` the payment.
const NOTES_OF_PAYMENT: &str = "payment_notes n JOIN payments p ON p.id = n.payment_id \
     WHERE n.user_id = $1 AND p.monetary_account_id = $2 AND p.id = $3";

#[derive(sqlx::FromRow)]
struct NoteRow {
    id: i64,
    payment_id: i64,
    monetary_account_id: i64,
    user_id: i64,
    content: String,
    created: i64,
    updated: i64,
}

impl From<NoteRow> for PaymentNote {
    fn from(r: NoteRow) -> Self {
        PaymentNote {
            id: r.id,
            payment_id: PaymentId(r.payment_id),
            monetary_account_id: MonetaryAccountId(r.monetary_account_id),
            user_id: UserId(r.user_id),
            content: r.content,
            created: Timestamp(r.created),
            updated: Timestamp(r.updated),
        }
    }
}

async fn payment_exists(
    conn: &mut AnyConnection,
    user: UserId,
    account: MonetaryAccountId,
    payment: PaymentId,
) -> Result<bool, sqlx::Error> {
    let found: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM payments WHERE user_id = $1 AND monetary_account_id = $2 AND id = $3",
    )
    .bind(user.0)
    .bind(account.0)
    .bind(payment.0)
    .fetch_one(&mut *conn)
    .await?;
    Ok(found > 0)
}

async fn read_note(
    conn: &mut AnyConnection,
    (user, account, payment): (UserId, MonetaryAccountId, PaymentId),
    id: i64,
) -> Result<Option<PaymentNote>, sqlx::Error> {
    let row: Option<NoteRow> = sqlx::query_as(&format!(
        "SELECT {NOTE_COLUMNS} FROM {NOTES_OF_PAYMENT} AND n.id = $4"
    ))
    .bind(user.0)
    .bind(account.0)
    .bind(payment.0)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(PaymentNote::from))
}

#[async_trait]
impl PaymentNoteStore for SqlStore {
    async fn add_note(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        payment: PaymentId,
        content: &str,
        now: Timestamp,
    ) -> StoreResult<Option<PaymentNote>> {
        let content = content.to_owned();
        self.write(move |conn| {
            Box::pin(async move {
                frozen::writable(conn, user.0).await?;
                if !payment_exists(conn, user, account, payment).await? {
                    return Ok(None);
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO payment_notes (payment_id, user_id, content, created, updated) \
                     VALUES ($1, $2, $3, $4, $4) RETURNING id",
                )
                .bind(payment.0)
                .bind(user.0)
                .bind(content)
                .bind(now.micros())
                .fetch_one(&mut *conn)
                .await?;
                read_note(conn, (user, account, payment), id).await
            })
        })
        .await
    }

    async fn note(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        payment: PaymentId,
        id: i64,
    ) -> StoreResult<Option<PaymentNote>> {
        let mut conn = self.read.acquire().await.map_err(db_err)?;
        read_note(&mut conn, (user, account, payment), id)
            .await
            .map_err(db_err)
    }

    async fn notes(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        payment: PaymentId,
        page: PageQuery,
    ) -> StoreResult<Option<Page<PaymentNote>>> {
        let mut conn = self.read.acquire().await.map_err(db_err)?;
        if !payment_exists(&mut conn, user, account, payment)
            .await
            .map_err(db_err)?
        {
            return Ok(None);
        }
        drop(conn);
        let rows: Page<NoteRow> = fetch_page(
            &self.read,
            NOTE_COLUMNS,
            "n.id",
            NOTES_OF_PAYMENT,
            &[Arg::Int(user.0), Arg::Int(account.0), Arg::Int(payment.0)],
            page,
        )
        .await?;
        Ok(Some(Page {
            items: rows.items.into_iter().map(PaymentNote::from).collect(),
            has_older: rows.has_older,
            has_newer: rows.has_newer,
        }))
    }

    async fn update_note(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        payment: PaymentId,
        id: i64,
        content: &str,
        now: Timestamp,
    ) -> StoreResult<Option<PaymentNote>> {
        let content = content.to_owned();
        self.write(move |conn| {
            Box::pin(async move {
                frozen::writable(conn, user.0).await?;
                if read_note(conn, (user, account, payment), id)
                    .await?
                    .is_none()
                {
                    return Ok(None);
                }
                sqlx::query("UPDATE payment_notes SET content = $1, updated = $2 WHERE id = $3")
                    .bind(content)
                    .bind(now.micros())
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                read_note(conn, (user, account, payment), id).await
            })
        })
        .await
    }

    async fn delete_note(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        payment: PaymentId,
        id: i64,
    ) -> StoreResult<bool> {
        self.write(move |conn| {
            Box::pin(async move {
                frozen::writable(conn, user.0).await?;
                if read_note(conn, (user, account, payment), id)
                    .await?
                    .is_none()
                {
                    return Ok(false);
                }
                sqlx::query("DELETE FROM payment_notes WHERE id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                Ok(true)
            })
        })
        .await
    }
}
