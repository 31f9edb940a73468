//! Requests for money as stored (one row, both sides), their status changes as
//! compare-and-set, and their webhooks: the asking side's `REQUEST_INQUIRY_*` to its owner,
//! the side asked's `REQUEST_RESPONSE_*` to its owner when it is an account here.

use provisio_core::{
    account::request::{MoneyRequest, RequestStatus},
    feed::{self, EventAction, EventStatus, NewEvent},
    model::{MonetaryAccountId, UserId},
    time::Timestamp,
    webhook, StoreError,
};
use provisio_wire::{
    money_requests::{request_inquiry, request_response},
    Item,
};
use sqlx::AnyConnection;

use crate::{
    feed::record_event,
    idempotency::{kept_id, Kept},
    rows::{corrupt, parse},
    webhooks::outbox::UserEvent,
    writer::BoxFuture,
};

pub(super) const REQUEST_COLUMNS: &str =
    "id, monetary_account_id, user_id, alias_iban, alias_name, responder_account_id, \
     responder_user_id, counterparty_type, counterparty_value, counterparty_iban, \
     counterparty_name, amount_inquired_minor, amount_responded_minor, currency, description, \
     merchant_reference, status, time_responded, created, updated";

#[derive(sqlx::FromRow)]
pub(super) struct RequestRow {
    id: i64,
    monetary_account_id: i64,
    user_id: i64,
    alias_iban: String,
    alias_name: String,
    responder_account_id: Option<i64>,
    responder_user_id: Option<i64>,
    counterparty_type: String,
    counterparty_value: String,
    counterparty_iban: String,
    counterparty_name: String,
    amount_inquired_minor: i64,
    amount_responded_minor: Option<i64>,
    currency: String,
    description: String,
    merchant_reference: Option<String>,
    status: String,
    time_responded: Option<i64>,
    created: i64,
    updated: i64,
}

impl TryFrom<RequestRow> for MoneyRequest {
    type Error = StoreError;

    fn try_from(r: RequestRow) -> Result<Self, StoreError> {
        Ok(MoneyRequest {
            id: r.id,
            monetary_account_id: MonetaryAccountId(r.monetary_account_id),
            user_id: UserId(r.user_id),
            alias_iban: r.alias_iban,
            alias_name: r.alias_name,
            responder_account_id: r.responder_account_id.map(MonetaryAccountId),
            responder_user_id: r.responder_user_id.map(UserId),
            counterparty_type: r.counterparty_type,
            counterparty_value: r.counterparty_value,
            counterparty_iban: r.counterparty_iban,
            counterparty_name: r.counterparty_name,
            amount_inquired_minor: r.amount_inquired_minor,
            amount_responded_minor: r.amount_responded_minor,
            currency: r.currency,
            description: r.description,
            merchant_reference: r.merchant_reference,
            status: parse(RequestStatus::parse, &r.status)?,
            time_responded: r.time_responded.map(Timestamp),
            created: Timestamp(r.created),
            updated: Timestamp(r.updated),
        })
    }
}

fn record(row: RequestRow) -> Result<MoneyRequest, sqlx::Error> {
    MoneyRequest::try_from(row).map_err(corrupt)
}

/// Writes a new PENDING request (`id`, `status`, `time_responded` and `updated` of `request`
/// are ignored).
pub(super) async fn insert(
    conn: &mut AnyConnection,
    request: &MoneyRequest,
) -> Result<MoneyRequest, sqlx::Error> {
    let row: RequestRow = sqlx::query_as(&format!(
        "INSERT INTO money_requests (monetary_account_id, user_id, alias_iban, alias_name, \
             responder_account_id, responder_user_id, counterparty_type, counterparty_value, \
             counterparty_iban, counterparty_name, amount_inquired_minor, currency, description, \
             merchant_reference, status, created, updated) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'PENDING', $15, $15) \
         RETURNING {REQUEST_COLUMNS}"
    ))
    .bind(request.monetary_account_id.0)
    .bind(request.user_id.0)
    .bind(request.alias_iban.clone())
    .bind(request.alias_name.clone())
    .bind(request.responder_account_id.map(|a| a.0))
    .bind(request.responder_user_id.map(|u| u.0))
    .bind(request.counterparty_type.clone())
    .bind(request.counterparty_value.clone())
    .bind(request.counterparty_iban.clone())
    .bind(request.counterparty_name.clone())
    .bind(request.amount_inquired_minor)
    .bind(request.currency.clone())
    .bind(request.description.clone())
    .bind(request.merchant_reference.clone())
    .bind(request.created.micros())
    .fetch_one(&mut *conn)
    .await?;
    record(row)
}

/// The request `id` as one side sees it (`side` is `monetary_account_id` and `user_id`, or
/// the responder's), read inside a write.
pub(super) async fn find(
    conn: &mut AnyConnection,
    side: Side,
    account: MonetaryAccountId,
    user: UserId,
    id: i64,
) -> Result<Option<MoneyRequest>, sqlx::Error> {
    let row: Option<RequestRow> = sqlx::query_as(&format!(
        "SELECT {REQUEST_COLUMNS} FROM money_requests WHERE id = $1 AND {}",
        side.filter()
    ))
    .bind(id)
    .bind(account.0)
    .bind(user.0)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(record).transpose()
}

/// A retried request (made or answered) answers the request as it is now.
impl Kept for MoneyRequest {
    fn answer(&self) -> String {
        self.id.to_string()
    }

    fn find<'c>(
        conn: &'c mut AnyConnection,
        answer: String,
    ) -> BoxFuture<'c, Result<Option<Self>, sqlx::Error>> {
        Box::pin(async move {
            let id = kept_id(&answer)?;
            let row: Option<RequestRow> = sqlx::query_as(&format!(
                "SELECT {REQUEST_COLUMNS} FROM money_requests WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
            row.map(record).transpose()
        })
    }
}

/// Which side of a request a caller is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Inquirer,
    Responder,
}

impl Side {
    /// The filter on `$2` (account) and `$3` (user).
    pub(super) fn filter(self) -> &'static str {
        match self {
            Side::Inquirer => "monetary_account_id = $2 AND user_id = $3",
            Side::Responder => "responder_account_id = $2 AND responder_user_id = $3",
        }
    }
}

/// Moves a PENDING request to `status` (with the amount paid, when accepted); `None` when it
/// is no longer PENDING, so a concurrent answer cannot win twice.
pub(super) async fn settle(
    conn: &mut AnyConnection,
    id: i64,
    status: RequestStatus,
    amount_responded: Option<i64>,
    now: Timestamp,
) -> Result<Option<MoneyRequest>, sqlx::Error> {
    let row: Option<RequestRow> = sqlx::query_as(&format!(
        "UPDATE money_requests SET status = $2, amount_responded_minor = $3, \
             time_responded = $4, updated = $4 \
         WHERE id = $1 AND status = 'PENDING' RETURNING {REQUEST_COLUMNS}"
    ))
    .bind(id)
    .bind(status.as_str())
    .bind(amount_responded)
    .bind(now.micros())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(record).transpose()
}

/// Queues the request's webhooks: `inquiry_event` to the asking side's owner and, when the
/// side asked is an account here, `response_event` to its owner.
pub(super) async fn emit(
    conn: &mut AnyConnection,
    request: &MoneyRequest,
    inquiry_event: &str,
    response_event: Option<&str>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let inquiry = Item::RequestInquiry(request_inquiry(request));
    let event = UserEvent::new(webhook::REQUEST, inquiry_event, request.id, &inquiry);
    crate::webhooks::outbox::emit_user_events(conn, request.user_id.0, &[event], now).await?;
    // On both users' feeds: made (CREATE), then answered or revoked (UPDATE); the asked side
    // waits for its answer while the request is PENDING.
    let action = if inquiry_event == webhook::REQUEST_INQUIRY_CREATED {
        EventAction::Create
    } else {
        EventAction::Update
    };
    let on_feed = NewEvent {
        user_id: request.user_id,
        monetary_account_id: Some(request.monetary_account_id),
        kind: feed::REQUEST_INQUIRY,
        object_id: request.id,
        action,
        status: EventStatus::Finalized,
    };
    record_event(conn, &on_feed, now).await?;
    if let (Some(event_type), Some(response), Some(owner)) = (
        response_event,
        request_response(request),
        request.responder_user_id,
    ) {
        let item = Item::RequestResponse(response);
        let event = UserEvent::new(webhook::REQUEST, event_type, request.id, &item);
        crate::webhooks::outbox::emit_user_events(conn, owner.0, &[event], now).await?;
        let on_feed = NewEvent {
            user_id: owner,
            monetary_account_id: request.responder_account_id,
            kind: feed::REQUEST_RESPONSE,
            object_id: request.id,
            action,
            status: if request.status == RequestStatus::Pending {
                EventStatus::AwaitingReply
            } else {
                EventStatus::Finalized
            },
        };
        record_event(conn, &on_feed, now).await?;
    }
    Ok(())
}
