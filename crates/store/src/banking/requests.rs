//! The `RequestStore`: a request for money made, answered or revoked, each in one write with
//! both sides' webhooks. Accepting pays through `transfer::pay_in` (the same locks, debit,
//! daily limit and PAYMENT/MUTATION webhooks as any payment) and then moves the request from
//! PENDING by compare-and-set, so a refusal at any step rolls the payment back too. Sugar
//! Daddy's acceptance is money in from outside (`transfer::credit_in`, an incoming `EBA_SCT`),
//! which the ledger counts as credited.

use async_trait::async_trait;
use provisio_core::{
    account::{
        payment::{Credit, NewPayment, PaymentPolicy},
        pointer::Pointer,
        request::{
            accepted_amount, not_pending, Answer, MoneyRequest, NewRequest, RequestStatus,
            RequestTarget, SUGARDADDY_EMAIL, SUGARDADDY_IBAN, SUGARDADDY_NAME,
        },
        MonetaryAccount,
    },
    idempotency::IdempotencyKey,
    model::{MonetaryAccountId, Page, PageQuery, UserId},
    store::{RequestStore, StoreResult},
    time::Timestamp,
    webhook, StoreError,
};
use sqlx::AnyConnection;

use super::{
    pointers,
    request_rows::{emit, find, insert, settle, RequestRow, Side, REQUEST_COLUMNS},
    transfer::{credit_in, find_account, pay_in, Find},
};
use crate::{
    frozen,
    page::{fetch_page, Arg},
    SqlStore,
};

fn refused(message: impl Into<String>) -> sqlx::Error {
    frozen::refuse(StoreError::Refused(message.into()))
}

/// The account that answers a request to `pointer` (resolved like a payment's, inside the
/// request's transaction), its IBAN and name; no account for an IBAN elsewhere, which never
/// answers. An email address or phone number no one here has, or a user without an open
/// account, is refused; so is the asking account itself, another currency or a closed user.
async fn responder(
    conn: &mut AnyConnection,
    inquirer: &MonetaryAccount,
    pointer: &Pointer,
    now: Timestamp,
) -> Result<(Option<MonetaryAccount>, String, String), sqlx::Error> {
    let resolved = pointers::resolve(conn, pointer, now).await?;
    let found =
        match (resolved, pointer) {
            (None, Pointer::Iban { iban, name }) => return Ok((None, iban.clone(), name.clone())),
            (None, other) => {
                return Err(refused(format!(
                "No user here has the {} {}; a request can be sent to an IBAN, or to the email \
                 address or phone number of a user here.",
                if matches!(other, Pointer::Email(_)) { "email address" } else { "phone number" },
                other.value()
            )))
            }
            (Some(resolved), _) => match resolved.account {
                Some(account) => account,
                None => {
                    return Err(refused(format!(
                        "{} has no open account here to answer a request.",
                        pointer.value()
                    )))
                }
            },
        };
    if found.id == inquirer.id {
        return Err(refused("An account cannot request money from itself."));
    }
    if found.currency != inquirer.currency {
        return Err(refused(format!(
            "The requested account holds {}, not {}; requests are in one currency.",
            found.currency, inquirer.currency
        )));
    }
    let (iban, name) = (found.iban.clone(), found.display_name.clone());
    Ok((Some(found), iban, name))
}

/// Refuses when either user's provision is over, taking their provision rows in user-id order
/// (as a payment does), so two requests in opposite directions cannot deadlock on PostgreSQL.
async fn check_users(
    conn: &mut AnyConnection,
    inquirer: UserId,
    asked: Option<&MonetaryAccount>,
) -> Result<(), sqlx::Error> {
    let mut users = vec![inquirer.0];
    users.extend(asked.map(|a| a.user_id.0));
    users.sort_unstable();
    users.dedup();
    for id in users {
        if id == inquirer.0 {
            frozen::writable(conn, id).await?;
            continue;
        }
        if let Some(status) = frozen::provision_status(conn, id).await? {
            if status.freezes_user() {
                return Err(refused(format!(
                    "The requested account's user is {status}; it takes no requests."
                )));
            }
        }
    }
    Ok(())
}

async fn create_in(
    conn: &mut AnyConnection,
    user: UserId,
    account: MonetaryAccountId,
    new: &NewRequest,
    target: &RequestTarget,
    now: Timestamp,
) -> Result<Option<MoneyRequest>, sqlx::Error> {
    let Some(inquirer) = find_account(conn, Find::OwnedBy(account.0, user)).await? else {
        return Ok(None);
    };
    if new.currency != inquirer.currency {
        return Err(refused(format!(
            "This account holds {}; the amount is in {}.",
            inquirer.currency, new.currency
        )));
    }
    let (kind, value) = (new.counterparty.kind(), new.counterparty.value().to_owned());
    let (asked, iban, name) = match target {
        RequestTarget::Pointer(pointer) => responder(conn, &inquirer, pointer, now).await?,
        RequestTarget::SugarDaddy => (None, SUGARDADDY_IBAN.to_owned(), SUGARDADDY_NAME.into()),
    };
    check_users(conn, user, asked.as_ref()).await?;
    let draft = MoneyRequest {
        id: 0,
        monetary_account_id: inquirer.id,
        user_id: inquirer.user_id,
        alias_iban: inquirer.iban.clone(),
        alias_name: inquirer.display_name.clone(),
        responder_account_id: asked.as_ref().map(|a| a.id),
        responder_user_id: asked.as_ref().map(|a| a.user_id),
        counterparty_type: kind.into(),
        counterparty_value: value,
        counterparty_iban: iban,
        counterparty_name: name,
        amount_inquired_minor: new.amount_minor,
        amount_responded_minor: None,
        currency: new.currency.clone(),
        description: new.description.clone(),
        merchant_reference: new.merchant_reference.clone(),
        status: RequestStatus::Pending,
        time_responded: None,
        created: now,
        updated: now,
    };
    let made = insert(conn, &draft).await?;
    let response_event = Some(webhook::REQUEST_RESPONSE_CREATED);
    emit(
        conn,
        &made,
        webhook::REQUEST_INQUIRY_CREATED,
        response_event,
        now,
    )
    .await?;
    if *target != RequestTarget::SugarDaddy {
        return Ok(Some(made));
    }
    sugardaddy_pays(conn, &made, now).await.map(Some)
}

/// Sugar Daddy accepts at once: the amount comes in from outside, and the request is ACCEPTED.
async fn sugardaddy_pays(
    conn: &mut AnyConnection,
    request: &MoneyRequest,
    now: Timestamp,
) -> Result<MoneyRequest, sqlx::Error> {
    let credit = Credit {
        amount_minor: request.amount_inquired_minor,
        from_iban: SUGARDADDY_IBAN.into(),
        from_name: SUGARDADDY_NAME.into(),
        description: if request.description.is_empty() {
            format!("Request to {SUGARDADDY_EMAIL}")
        } else {
            request.description.clone()
        },
    };
    credit_in(conn, request.monetary_account_id, &credit, now)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    let accepted = settle(
        conn,
        request.id,
        RequestStatus::Accepted,
        Some(request.amount_inquired_minor),
        now,
    )
    .await?
    .ok_or(sqlx::Error::RowNotFound)?;
    emit(
        conn,
        &accepted,
        webhook::REQUEST_INQUIRY_ACCEPTED,
        None,
        now,
    )
    .await?;
    Ok(accepted)
}

/// Moves `request` to `status` if it is still PENDING, with both sides' webhooks.
async fn finish(
    conn: &mut AnyConnection,
    request: &MoneyRequest,
    status: RequestStatus,
    amount: Option<i64>,
    now: Timestamp,
) -> Result<MoneyRequest, sqlx::Error> {
    let Some(done) = settle(conn, request.id, status, amount, now).await? else {
        return Err(refused(
            "This request was answered or revoked meanwhile; only a PENDING request can be accepted, rejected or revoked.",
        ));
    };
    let (inquiry, response) = match status {
        RequestStatus::Accepted => (
            webhook::REQUEST_INQUIRY_ACCEPTED,
            webhook::REQUEST_RESPONSE_ACCEPTED,
        ),
        RequestStatus::Rejected => (
            webhook::REQUEST_INQUIRY_REJECTED,
            webhook::REQUEST_RESPONSE_REJECTED,
        ),
        _ => (
            webhook::REQUEST_INQUIRY_REVOKED,
            webhook::REQUEST_RESPONSE_REVOKED,
        ),
    };
    emit(conn, &done, inquiry, Some(response), now).await?;
    Ok(done)
}

async fn answer_in(
    conn: &mut AnyConnection,
    user: UserId,
    account: MonetaryAccountId,
    id: i64,
    answer: &Answer,
    now: Timestamp,
) -> Result<Option<MoneyRequest>, sqlx::Error> {
    let Some(request) = find(conn, Side::Responder, account, user, id).await? else {
        return Ok(None);
    };
    if let Some(message) = not_pending(request.status) {
        return Err(refused(message));
    }
    match answer {
        Answer::Accept(sent) => {
            let amount = accepted_amount(&request, sent.as_ref()).map_err(refused)?;
            let payment = NewPayment {
                amount_minor: amount,
                currency: request.currency.clone(),
                counterparty: Pointer::Iban {
                    iban: request.alias_iban.clone(),
                    name: request.alias_name.clone(),
                },
                description: request.description.clone(),
                merchant_reference: request.merchant_reference.clone(),
            };
            // The responder pays the asking account, whoever it is: accepting a request is
            // the responder's own consent (pay_in checks both users and the balance).
            pay_in(conn, user, account, &payment, &PaymentPolicy::OPEN, now)
                .await?
                .ok_or(sqlx::Error::RowNotFound)?;
            let status = RequestStatus::Accepted;
            finish(conn, &request, status, Some(amount), now)
                .await
                .map(Some)
        }
        Answer::Reject => {
            frozen::writable(conn, user.0).await?;
            let status = RequestStatus::Rejected;
            finish(conn, &request, status, None, now).await.map(Some)
        }
    }
}

async fn revoke_in(
    conn: &mut AnyConnection,
    user: UserId,
    account: MonetaryAccountId,
    id: i64,
    now: Timestamp,
) -> Result<Option<MoneyRequest>, sqlx::Error> {
    let Some(request) = find(conn, Side::Inquirer, account, user, id).await? else {
        return Ok(None);
    };
    frozen::writable(conn, user.0).await?;
    if let Some(message) = not_pending(request.status) {
        return Err(refused(message));
    }
    let status = RequestStatus::Revoked;
    finish(conn, &request, status, None, now).await.map(Some)
}

impl SqlStore {
    async fn one_request(
        &self,
        side: Side,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
    ) -> StoreResult<Option<MoneyRequest>> {
        let row: Option<RequestRow> = sqlx::query_as(&format!(
            "SELECT {REQUEST_COLUMNS} FROM money_requests WHERE id = $1 AND {}",
            side.filter()
        ))
        .bind(id)
        .bind(account.0)
        .bind(user.0)
        .fetch_optional(&self.read)
        .await
        .map_err(crate::db_err)?;
        row.map(MoneyRequest::try_from).transpose()
    }

    async fn request_page(
        &self,
        side: Side,
        user: UserId,
        account: MonetaryAccountId,
        page: PageQuery,
    ) -> StoreResult<Page<MoneyRequest>> {
        // The side's filter, on $1 and $2 here (a page's own placeholders follow).
        let filter = side.filter().replace("$2", "$1").replace("$3", "$2");
        let rows: Page<RequestRow> = fetch_page(
            &self.read,
            REQUEST_COLUMNS,
            "id",
            &format!("money_requests WHERE {filter}"),
            &[Arg::Int(account.0), Arg::Int(user.0)],
            page,
        )
        .await?;
        rows.try_map(MoneyRequest::try_from)
    }
}

#[async_trait]
impl RequestStore for SqlStore {
    async fn create_request(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        request: &NewRequest,
        target: &RequestTarget,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<MoneyRequest>> {
        let (request, target) = (request.clone(), target.clone());
        self.write_once(once, now, move |conn| {
            Box::pin(async move { create_in(conn, user, account, &request, &target, now).await })
        })
        .await
    }

    async fn request_inquiry(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
    ) -> StoreResult<Option<MoneyRequest>> {
        self.one_request(Side::Inquirer, user, account, id).await
    }

    async fn request_inquiries(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        page: PageQuery,
    ) -> StoreResult<Page<MoneyRequest>> {
        self.request_page(Side::Inquirer, user, account, page).await
    }

    async fn request_response(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
    ) -> StoreResult<Option<MoneyRequest>> {
        self.one_request(Side::Responder, user, account, id).await
    }

    async fn request_responses(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        page: PageQuery,
    ) -> StoreResult<Page<MoneyRequest>> {
        self.request_page(Side::Responder, user, account, page)
            .await
    }

    async fn revoke_request(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
        now: Timestamp,
    ) -> StoreResult<Option<MoneyRequest>> {
        self.write(move |conn| {
            Box::pin(async move { revoke_in(conn, user, account, id, now).await })
        })
        .await
    }

    async fn answer_request(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
        answer: &Answer,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<MoneyRequest>> {
        let answer = answer.clone();
        self.write_once(once, now, move |conn| {
            Box::pin(async move { answer_in(conn, user, account, id, &answer, now).await })
        })
        .await
    }
}
