//! The dashboard's reads that `search.rs` delegates to: card transactions across users (their
//! own columns, so not an `OwnedRow`), the webhook deliveries made for one user, and the mark
//! its live pages poll.

use provisio_core::{
    card::action::{AuthorisationStatus, SettlementStatus},
    model::{Page, PageQuery},
    store::{CardTransactionRow, OwnerFilter, StoreResult, UserDelivery},
    time::Timestamp,
};

use crate::{
    db_err,
    page::{fetch_page, Arg},
    rows::parse,
    SqlStore,
};

const CARD_TRANSACTION_COLUMNS: &str = "t.id AS id, t.user_id AS user_id, u.name AS user_name, \
     t.monetary_account_id AS account_id, t.card_id AS card_id, \
     t.merchant_name AS merchant_name, t.merchant_country AS merchant_country, \
     t.amount_minor AS amount_minor, t.currency AS currency, t.decision AS decision, \
     t.authorisation_status AS authorisation_status, \
     t.settlement_status AS settlement_status, t.created AS created";

#[derive(sqlx::FromRow)]
struct CardTransactionSql {
    id: i64,
    user_id: i64,
    user_name: String,
    account_id: i64,
    card_id: i64,
    merchant_name: String,
    merchant_country: String,
    amount_minor: i64,
    currency: String,
    decision: String,
    authorisation_status: String,
    settlement_status: String,
    created: i64,
}

impl TryFrom<CardTransactionSql> for CardTransactionRow {
    type Error = provisio_core::StoreError;

    fn try_from(r: CardTransactionSql) -> Result<Self, Self::Error> {
        Ok(CardTransactionRow {
            id: r.id,
            user_id: r.user_id,
            user_name: r.user_name,
            account_id: r.account_id,
            card_id: r.card_id,
            merchant_name: r.merchant_name,
            merchant_country: r.merchant_country,
            amount_minor: r.amount_minor,
            currency: r.currency,
            decision: r.decision,
            authorisation_status: parse(AuthorisationStatus::parse, &r.authorisation_status)?,
            settlement_status: parse(SettlementStatus::parse, &r.settlement_status)?,
            created: Timestamp(r.created),
        })
    }
}

#[derive(sqlx::FromRow)]
struct DeliverySql {
    id: i64,
    category: String,
    event_type: String,
    object_id: i64,
    target: String,
    status: String,
    attempts: i64,
    response_code: Option<i64>,
    created: i64,
}

impl SqlStore {
    pub(super) async fn card_transaction_rows(
        &self,
        filter: &OwnerFilter,
        page: PageQuery,
    ) -> StoreResult<Page<CardTransactionRow>> {
        let mut table_where =
            "mastercard_actions t JOIN users u ON u.id = t.user_id WHERE 1 = 1".to_owned();
        let mut args = Vec::new();
        if let Some(partner) = filter.partner {
            args.push(Arg::Int(partner));
            let n = args.len();
            table_where.push_str(&format!(" AND (u.partner_id = ${n} OR u.id = ${n})"));
        }
        if let Some(status) = &filter.status {
            args.push(Arg::Text(status.clone()));
            table_where.push_str(&format!(" AND t.authorisation_status = ${}", args.len()));
        }
        let found: Page<CardTransactionSql> = fetch_page(
            &self.read,
            CARD_TRANSACTION_COLUMNS,
            "t.id",
            &table_where,
            &args,
            page,
        )
        .await?;
        Ok(Page {
            items: found
                .items
                .into_iter()
                .map(CardTransactionRow::try_from)
                .collect::<Result<_, _>>()?,
            has_older: found.has_older,
            has_newer: found.has_newer,
        })
    }

    pub(super) async fn user_delivery_rows(
        &self,
        user: i64,
        limit: u32,
    ) -> StoreResult<Vec<UserDelivery>> {
        let rows: Vec<DeliverySql> = sqlx::query_as(
            "SELECT id, category, event_type, object_id, target, status, attempts, \
                 response_code, created \
             FROM deliveries WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(user)
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await
        .map_err(db_err)?;
        Ok(rows
            .into_iter()
            .map(|r| UserDelivery {
                id: r.id,
                category: r.category,
                event_type: r.event_type,
                object_id: r.object_id,
                target: r.target,
                status: r.status,
                attempts: r.attempts,
                response_code: r.response_code,
                created: Timestamp(r.created),
            })
            .collect())
    }
}

/// One part per table the live pages show: the newest id where rows are only added, the newest
/// `updated` where rows change in place. A delivery changes with each attempt, a row of its
/// own, so the newest attempt's id follows it without scanning the (large) outbox.
const CHANGE_MARK: &str = "SELECT (SELECT COALESCE(MAX(id), 0) FROM users), \
     (SELECT COALESCE(MAX(updated), 0) FROM provisions), \
     (SELECT COALESCE(MAX(updated), 0) FROM monetary_accounts), \
     (SELECT COALESCE(MAX(id), 0) FROM payments), \
     (SELECT COALESCE(MAX(updated), 0) FROM cards), \
     (SELECT COALESCE(MAX(updated), 0) FROM mastercard_actions), \
     (SELECT COALESCE(MAX(updated), 0) FROM money_requests), \
     (SELECT COALESCE(MAX(updated), 0) FROM draft_payments), \
     (SELECT COALESCE(MAX(updated), 0) FROM payment_schedules), \
     (SELECT COALESCE(MAX(id), 0) FROM events), \
     (SELECT COALESCE(MAX(id), 0) FROM deliveries), \
     (SELECT COALESCE(MAX(id), 0) FROM delivery_attempts), \
     (SELECT COALESCE(MAX(updated), 0) FROM oauth_grants)";

type Mark = (
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
);

impl SqlStore {
    pub(super) async fn change_mark_text(&self) -> StoreResult<String> {
        let m: Mark = sqlx::query_as(CHANGE_MARK)
            .fetch_one(&self.read)
            .await
            .map_err(db_err)?;
        Ok(format!(
            "{}-{}-{}-{}-{}-{}-{}-{}-{}-{}-{}-{}-{}",
            m.0, m.1, m.2, m.3, m.4, m.5, m.6, m.7, m.8, m.9, m.10, m.11, m.12
        ))
    }
}
