//! Draft payments: entries stored PENDING until the account holder answers. ACCEPTED pays them
//! as one batch (`batches::pay_batch_in`), the status change and the `DRAFT_PAYMENT` webhook in
//! the same transaction; REJECTED only changes the status. An answered draft stays answered.

use async_trait::async_trait;
use provisio_core::{
    account::{
        batch::{DraftPayment, DraftStatus, PaymentBatch},
        payment::{NewPayment, PaymentPolicy},
        pointer::Pointer,
    },
    feed::{self, EventAction, EventStatus, NewEvent},
    idempotency::IdempotencyKey,
    model::{MonetaryAccountId, Page, PageQuery, UserId},
    store::{BatchStore, StoreResult},
    time::Timestamp,
    webhook, StoreError,
};
use provisio_wire::{batches::draft_payment as render, Item};
use sqlx::AnyConnection;

use super::batches::{load_batch, pay_batch_in};
use crate::{
    db_err,
    feed::record_event,
    frozen,
    idempotency::{kept_id, Kept},
    page::{fetch_page, Arg},
    rows::{corrupt, parse},
    webhooks::outbox::{emit_user_events, UserEvent},
    writer::BoxFuture,
    SqlStore,
};

/// The account's IBAN and holder name, if it is the user's.
async fn alias(
    conn: &mut AnyConnection,
    user: UserId,
    account: MonetaryAccountId,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT iban, display_name FROM monetary_accounts WHERE id = $1 AND user_id = $2",
    )
    .bind(account.0)
    .bind(user.0)
    .fetch_optional(&mut *conn)
    .await
}

type EntryRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

/// The user's draft `id` on `account`, with its entries and, once accepted, its batch.
/// A retried answer answers the draft as it is now.
impl Kept for DraftPayment {
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
                "SELECT user_id, monetary_account_id FROM draft_payments WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
            match owner {
                Some((user, account)) => {
                    load_draft(conn, UserId(user), MonetaryAccountId(account), id).await
                }
                None => Ok(None),
            }
        })
    }
}

pub(super) async fn load_draft(
    conn: &mut AnyConnection,
    user: UserId,
    account: MonetaryAccountId,
    id: i64,
) -> Result<Option<DraftPayment>, sqlx::Error> {
    let row: Option<(String, Option<i64>, i64, i64)> = sqlx::query_as(
        "SELECT status, payment_batch_id, created, updated FROM draft_payments \
         WHERE id = $1 AND monetary_account_id = $2 AND user_id = $3",
    )
    .bind(id)
    .bind(account.0)
    .bind(user.0)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((status, batch, created, updated)) = row else {
        return Ok(None);
    };
    let Some((alias_iban, alias_name)) = alias(conn, user, account).await? else {
        return Ok(None);
    };
    let entries: Vec<EntryRow> = sqlx::query_as(
        "SELECT id, amount_minor, currency, counterparty_type, counterparty_iban, \
         counterparty_name, description, merchant_reference FROM draft_payment_entries \
         WHERE draft_payment_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let batch = match batch {
        Some(b) => load_batch(conn, user, account, b).await?,
        None => None,
    };
    Ok(Some(DraftPayment {
        id,
        monetary_account_id: account,
        user_id: user,
        status: parse(DraftStatus::parse, &status).map_err(corrupt)?,
        entries: entries
            .into_iter()
            .map(
                |(id, amount_minor, currency, kind, value, name, description, reference)| {
                    let counterparty = Pointer::stored(&kind, &value, &name).ok_or_else(|| {
                        corrupt(StoreError::Corrupt(format!("draft entry pointer {kind:?}")))
                    })?;
                    Ok((
                        id,
                        NewPayment {
                            amount_minor,
                            currency,
                            counterparty,
                            description,
                            merchant_reference: reference,
                        },
                    ))
                },
            )
            .collect::<Result<_, sqlx::Error>>()?,
        alias_iban,
        alias_name,
        batch,
        created: Timestamp(created),
        updated: Timestamp(updated),
    }))
}

/// Queues the draft's `DRAFT_PAYMENT` event for its user.
async fn emit(
    conn: &mut AnyConnection,
    draft: &DraftPayment,
    event: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let item = Item::DraftPayment(render(draft));
    let events = [UserEvent::new(
        webhook::DRAFT_PAYMENT,
        event,
        draft.id,
        &item,
    )];
    emit_user_events(conn, draft.user_id.0, &events, now).await?;
    let pending = draft.status == DraftStatus::Pending;
    let on_feed = NewEvent {
        user_id: draft.user_id,
        monetary_account_id: Some(draft.monetary_account_id),
        kind: feed::DRAFT_PAYMENT,
        object_id: draft.id,
        action: if pending {
            EventAction::Create
        } else {
            EventAction::Update
        },
        status: if pending {
            EventStatus::AwaitingReply
        } else {
            EventStatus::Finalized
        },
    };
    record_event(conn, &on_feed, now).await
}

pub(super) async fn create_in(
    conn: &mut AnyConnection,
    user: UserId,
    account: MonetaryAccountId,
    entries: &[NewPayment],
    now: Timestamp,
) -> Result<Option<DraftPayment>, sqlx::Error> {
    if alias(conn, user, account).await?.is_none() {
        return Ok(None);
    }
    frozen::writable(conn, user.0).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO draft_payments (monetary_account_id, user_id, status, created, updated) \
         VALUES ($1, $2, 'PENDING', $3, $3) RETURNING id",
    )
    .bind(account.0)
    .bind(user.0)
    .bind(now.micros())
    .fetch_one(&mut *conn)
    .await?;
    for e in entries {
        sqlx::query(
            "INSERT INTO draft_payment_entries (draft_payment_id, amount_minor, currency, \
             counterparty_type, counterparty_iban, counterparty_name, description, \
             merchant_reference) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(e.amount_minor)
        .bind(e.currency.clone())
        .bind(e.counterparty.kind())
        .bind(e.counterparty.value().to_owned())
        .bind(e.counterparty.name().to_owned())
        .bind(e.description.clone())
        .bind(e.merchant_reference.clone())
        .execute(&mut *conn)
        .await?;
    }
    let draft = load_draft(conn, user, account, id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    emit(conn, &draft, webhook::DRAFT_PAYMENT_CREATED, now).await?;
    Ok(Some(draft))
}

pub(super) async fn answer_in(
    conn: &mut AnyConnection,
    user: UserId,
    account: MonetaryAccountId,
    id: i64,
    answer: DraftStatus,
    policy: &PaymentPolicy,
    now: Timestamp,
) -> Result<Option<DraftPayment>, sqlx::Error> {
    frozen::writable(conn, user.0).await?;
    // Takes the draft's row for the rest of the transaction: two answers cannot both pass.
    let status: Option<String> = sqlx::query_scalar(
        "UPDATE draft_payments SET updated = updated \
         WHERE id = $1 AND monetary_account_id = $2 AND user_id = $3 RETURNING status",
    )
    .bind(id)
    .bind(account.0)
    .bind(user.0)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(status) = status else {
        return Ok(None);
    };
    if status != DraftStatus::Pending.as_str() {
        return Err(frozen::refuse(StoreError::Refused(format!(
            "This draft payment is already {status}; only a PENDING draft payment can be answered."
        ))));
    }
    let mut batch = None;
    if answer == DraftStatus::Accepted {
        let Some(draft) = load_draft(conn, user, account, id).await? else {
            return Ok(None);
        };
        let entries: Vec<NewPayment> = draft.entries.into_iter().map(|(_, p)| p).collect();
        batch = pay_batch_in(conn, "entries", user, account, &entries, policy, now)
            .await?
            .map(|b| b.id);
    }
    sqlx::query(
        "UPDATE draft_payments SET status = $2, payment_batch_id = $3, updated = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(answer.as_str())
    .bind(batch)
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    let draft = load_draft(conn, user, account, id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    emit(conn, &draft, webhook::DRAFT_PAYMENT_UPDATED, now).await?;
    Ok(Some(draft))
}

#[async_trait]
impl BatchStore for SqlStore {
    async fn pay_batch(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        payments: &[NewPayment],
        policy: &PaymentPolicy,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<PaymentBatch>> {
        self.pay_batch_write(user, account, payments, policy, now, once)
            .await
    }

    async fn batch(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
    ) -> StoreResult<Option<PaymentBatch>> {
        self.read_batch(user, account, id).await
    }

    async fn batches(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        page: PageQuery,
    ) -> StoreResult<Page<PaymentBatch>> {
        self.read_batches(user, account, page).await
    }

    async fn create_draft(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        entries: &[NewPayment],
        now: Timestamp,
    ) -> StoreResult<Option<DraftPayment>> {
        let entries = entries.to_vec();
        self.write(move |conn| {
            Box::pin(async move { create_in(conn, user, account, &entries, now).await })
        })
        .await
    }

    async fn answer_draft(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
        answer: DraftStatus,
        policy: &PaymentPolicy,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<DraftPayment>> {
        let policy = policy.clone();
        self.write_once(once, now, move |conn| {
            Box::pin(async move { answer_in(conn, user, account, id, answer, &policy, now).await })
        })
        .await
    }

    async fn draft(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
    ) -> StoreResult<Option<DraftPayment>> {
        let mut conn = self.read.acquire().await.map_err(db_err)?;
        load_draft(&mut conn, user, account, id)
            .await
            .map_err(db_err)
    }

    async fn drafts(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        page: PageQuery,
    ) -> StoreResult<Page<DraftPayment>> {
        let ids: Page<(i64,)> = fetch_page(
            &self.read,
            "id",
            "id",
            "draft_payments WHERE monetary_account_id = $1 AND user_id = $2",
            &[Arg::Int(account.0), Arg::Int(user.0)],
            page,
        )
        .await?;
        let mut conn = self.read.acquire().await.map_err(db_err)?;
        let mut items = Vec::with_capacity(ids.items.len());
        for (id,) in &ids.items {
            if let Some(d) = load_draft(&mut conn, user, account, *id)
                .await
                .map_err(db_err)?
            {
                items.push(d);
            }
        }
        Ok(Page {
            items,
            has_older: ids.has_older,
            has_newer: ids.has_newer,
        })
    }
}
