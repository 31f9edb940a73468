//! The `PaymentStore`: paying and crediting (each one write, see `transfer`), and reading
//! payments and the ledger's totals.

use async_trait::async_trait;
use provisio_core::{
    account::payment::{Credit, Ledger, NewPayment, Payment, PaymentPolicy},
    idempotency::IdempotencyKey,
    model::{MonetaryAccountId, Page, PageQuery, PaymentId, UserId},
    store::{PaymentStore, StoreResult},
    time::Timestamp,
};
use sqlx::AnyConnection;

use super::{
    ledger::{PaymentRow, PAYMENT_COLUMNS},
    transfer::{credit_in, pay_in},
};
use crate::{
    db_err,
    idempotency::{kept_id, Kept},
    page::{fetch_page, Arg},
    rows::corrupt,
    writer::BoxFuture,
    SqlStore,
};

/// A retried payment or credit answers the side it answered first (payments do not change).
impl Kept for Payment {
    fn answer(&self) -> String {
        self.id.0.to_string()
    }

    fn find<'c>(
        conn: &'c mut AnyConnection,
        answer: String,
    ) -> BoxFuture<'c, Result<Option<Self>, sqlx::Error>> {
        Box::pin(async move {
            let id = kept_id(&answer)?;
            let row: Option<PaymentRow> = sqlx::query_as(&format!(
                "SELECT {PAYMENT_COLUMNS} FROM payments WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
            row.map(Payment::try_from).transpose().map_err(corrupt)
        })
    }
}

#[async_trait]
impl PaymentStore for SqlStore {
    async fn pay(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        payment: &NewPayment,
        policy: &PaymentPolicy,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<Payment>> {
        let (payment, policy) = (payment.clone(), policy.clone());
        self.write_once(once, now, move |conn| {
            Box::pin(async move { pay_in(conn, user, account, &payment, &policy, now).await })
        })
        .await
    }

    async fn credit(
        &self,
        account: MonetaryAccountId,
        credit: &Credit,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<Payment>> {
        let credit = credit.clone();
        self.write_once(once, now, move |conn| {
            Box::pin(async move { credit_in(conn, account, &credit, now).await })
        })
        .await
    }

    async fn payment(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: PaymentId,
    ) -> StoreResult<Option<Payment>> {
        let row: Option<PaymentRow> = sqlx::query_as(&format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments \
             WHERE id = $1 AND monetary_account_id = $2 AND user_id = $3"
        ))
        .bind(id.0)
        .bind(account.0)
        .bind(user.0)
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        row.map(Payment::try_from).transpose()
    }

    async fn payments(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        page: PageQuery,
    ) -> StoreResult<Page<Payment>> {
        let rows: Page<PaymentRow> = fetch_page(
            &self.read,
            PAYMENT_COLUMNS,
            "id",
            "payments WHERE monetary_account_id = $1 AND user_id = $2",
            &[Arg::Int(account.0), Arg::Int(user.0)],
            page,
        )
        .await?;
        rows.try_map(Payment::try_from)
    }

    async fn ledger(&self) -> StoreResult<Ledger> {
        super::ledger::totals(&self.read).await
    }
}
