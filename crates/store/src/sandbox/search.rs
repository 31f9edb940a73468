//! The dashboard's search (`SearchStore`): exact matches only, each on a column that is a key
//! or indexed by its table's own lookups, so a search costs a handful of point reads whatever
//! the store holds.

use async_trait::async_trait;
use provisio_core::{
    account::amount::format_minor,
    model::{Page, PageQuery},
    store::{
        CardTransactionRow, Hit, HitKind, OwnedRow, OwnerFilter, SearchStore, StoreResult,
        UserDelivery, UserFilter, UserSummary, MAX_HITS,
    },
    time::Timestamp,
};

use crate::{
    db_err,
    page::{fetch_page, Arg},
    SqlStore,
};

/// (id, user, account, label) as each query answers it.
type Row = (i64, Option<i64>, Option<i64>, String);

const PROVISION_BY_ID: &str =
    "SELECT id, user_id, CAST(NULL AS BIGINT), external_uuid || ' · ' || status \
     FROM provisions WHERE id = $1";
const PROVISION_BY_UUID: &str =
    "SELECT id, user_id, CAST(NULL AS BIGINT), external_uuid || ' · ' || status \
     FROM provisions WHERE LOWER(external_uuid) = LOWER($1) ORDER BY id DESC LIMIT 50";
const PROVISION_BY_EMAIL: &str =
    "SELECT id, user_id, CAST(NULL AS BIGINT), external_uuid || ' · ' || status \
     FROM provisions WHERE LOWER(email) = LOWER($1) ORDER BY id DESC LIMIT 50";
const USER_BY_ID: &str =
    "SELECT id, id, CAST(NULL AS BIGINT), name || ' · ' || kind FROM users WHERE id = $1";
const USER_BY_EMAIL: &str = "SELECT u.id, u.id, CAST(NULL AS BIGINT), u.name || ' · ' || u.kind \
     FROM aliases a JOIN users u ON u.id = a.user_id \
     WHERE a.type = 'EMAIL' AND a.value = LOWER($1)";
const ACCOUNT_BY_ID: &str = "SELECT id, user_id, id, description || ' · ' || iban \
     FROM monetary_accounts WHERE id = $1";
const ACCOUNT_BY_IBAN: &str = "SELECT id, user_id, id, description || ' · ' || iban \
     FROM monetary_accounts WHERE iban = $1";
const CARD_BY_ID: &str = "SELECT id, user_id, monetary_account_id, \
     name_on_card || ' · ' || COALESCE(pan_last_four, '') || ' · ' || status \
     FROM cards WHERE id = $1";
const CARD_BY_LAST_FOUR: &str = "SELECT id, user_id, monetary_account_id, \
     name_on_card || ' · ' || COALESCE(pan_last_four, '') || ' · ' || status \
     FROM cards WHERE pan_last_four = $1 ORDER BY id DESC LIMIT 50";

impl SqlStore {
    async fn hits_text(&self, sql: &str, value: &str) -> StoreResult<Vec<Row>> {
        sqlx::query_as(sql)
            .bind(value.to_owned())
            .fetch_all(&self.read)
            .await
            .map_err(db_err)
    }

    async fn hits_id(&self, sql: &str, value: i64) -> StoreResult<Vec<Row>> {
        sqlx::query_as(sql)
            .bind(value)
            .fetch_all(&self.read)
            .await
            .map_err(db_err)
    }

    /// A payment's label is its amount, which SQL would format differently on each backend.
    async fn payment_hits(&self, id: i64) -> StoreResult<Vec<Hit>> {
        let rows: Vec<(i64, i64, i64, i64, String, String)> = sqlx::query_as(
            "SELECT id, user_id, monetary_account_id, amount_minor, currency, description \
             FROM payments WHERE id = $1",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await
        .map_err(db_err)?;
        Ok(rows
            .into_iter()
            .map(|(id, user, account, amount, currency, description)| Hit {
                kind: HitKind::Payment,
                id,
                user_id: Some(user),
                account_id: Some(account),
                label: format!("{} {currency} · {description}", format_minor(amount)),
                matched: "id",
            })
            .collect())
    }
}

fn hits(kind: HitKind, matched: &'static str, rows: Vec<Row>) -> impl Iterator<Item = Hit> {
    rows.into_iter()
        .map(move |(id, user_id, account_id, label)| Hit {
            kind,
            id,
            user_id,
            account_id,
            label,
            matched,
        })
}

/// An IBAN as stored: upper case, no spaces (people paste it grouped in fours).
fn iban_form(text: &str) -> Option<String> {
    let compact: String = text.split_whitespace().collect::<String>().to_uppercase();
    let looks = compact.len() >= 15
        && compact.len() <= 34
        && compact.chars().all(|c| c.is_ascii_alphanumeric())
        && compact.chars().take(2).all(|c| c.is_ascii_alphabetic());
    looks.then_some(compact)
}

/// A user's row with its provision's (a provision's `user_id` names the user it created).
const USER_COLUMNS: &str = "u.id AS id, u.kind AS kind, u.name AS name, u.status AS status, \
     u.partner_id AS partner_id, p.id AS provision_id, p.status AS provision_status, \
     p.sub_status AS provision_sub_status, u.created AS created";
const USER_TABLES: &str = "users u LEFT JOIN provisions p ON p.user_id = u.id";

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    kind: String,
    name: String,
    status: String,
    partner_id: Option<i64>,
    provision_id: Option<i64>,
    provision_status: Option<String>,
    provision_sub_status: Option<String>,
    created: i64,
}

impl From<UserRow> for UserSummary {
    fn from(r: UserRow) -> UserSummary {
        UserSummary {
            id: r.id,
            kind: r.kind,
            name: r.name,
            status: r.status,
            partner_id: r.partner_id,
            provision_id: r.provision_id,
            provision_status: r.provision_status,
            provision_sub_status: r.provision_sub_status,
            created: Timestamp(r.created),
        }
    }
}

#[derive(sqlx::FromRow)]
struct OwnedSql {
    id: i64,
    user_id: i64,
    user_name: String,
    account_id: i64,
    label: String,
    detail: String,
    status: String,
    amount_minor: i64,
    currency: String,
    created: i64,
}

/// (columns, id column, tables, the status column if any) of each list across users.
const ACCOUNTS: (&str, &str, &str, Option<&str>) = (
    "t.id AS id, t.user_id AS user_id, u.name AS user_name, t.id AS account_id, \
     t.description AS label, t.iban AS detail, t.status AS status, \
     t.balance_minor AS amount_minor, t.currency AS currency, t.created AS created",
    "t.id",
    "monetary_accounts t JOIN users u ON u.id = t.user_id",
    Some("t.status"),
);
const CARDS: (&str, &str, &str, Option<&str>) = (
    "t.id AS id, t.user_id AS user_id, u.name AS user_name, \
     t.monetary_account_id AS account_id, t.name_on_card AS label, \
     COALESCE(t.pan_last_four, '') AS detail, t.status AS status, \
     t.card_limit_minor AS amount_minor, t.currency AS currency, t.created AS created",
    "t.id",
    "cards t JOIN users u ON u.id = t.user_id",
    Some("t.status"),
);
const PAYMENTS: (&str, &str, &str, Option<&str>) = (
    "t.id AS id, t.user_id AS user_id, u.name AS user_name, \
     t.monetary_account_id AS account_id, t.description AS label, \
     t.counterparty_name AS detail, t.type AS status, t.amount_minor AS amount_minor, \
     t.currency AS currency, t.created AS created",
    "t.id",
    "payments t JOIN users u ON u.id = t.user_id",
    None,
);

impl SqlStore {
    async fn owned(
        &self,
        list: (&str, &str, &str, Option<&str>),
        filter: &OwnerFilter,
        page: PageQuery,
    ) -> StoreResult<Page<OwnedRow>> {
        let (columns, id, tables, status_column) = list;
        let mut table_where = format!("{tables} WHERE 1 = 1");
        let mut args = Vec::new();
        if let Some(partner) = filter.partner {
            args.push(Arg::Int(partner));
            let n = args.len();
            table_where.push_str(&format!(" AND (u.partner_id = ${n} OR u.id = ${n})"));
        }
        if let (Some(status), Some(column)) = (&filter.status, status_column) {
            args.push(Arg::Text(status.clone()));
            table_where.push_str(&format!(" AND {column} = ${}", args.len()));
        }
        let found: Page<OwnedSql> =
            fetch_page(&self.read, columns, id, &table_where, &args, page).await?;
        Ok(Page {
            items: found
                .items
                .into_iter()
                .map(|r| OwnedRow {
                    id: r.id,
                    user_id: r.user_id,
                    user_name: r.user_name,
                    account_id: r.account_id,
                    label: r.label,
                    detail: r.detail,
                    status: r.status,
                    amount_minor: r.amount_minor,
                    currency: r.currency,
                    created: Timestamp(r.created),
                })
                .collect(),
            has_older: found.has_older,
            has_newer: found.has_newer,
        })
    }
}

#[async_trait]
impl SearchStore for SqlStore {
    async fn list_accounts(
        &self,
        filter: &OwnerFilter,
        page: PageQuery,
    ) -> StoreResult<Page<OwnedRow>> {
        self.owned(ACCOUNTS, filter, page).await
    }

    async fn list_cards(
        &self,
        filter: &OwnerFilter,
        page: PageQuery,
    ) -> StoreResult<Page<OwnedRow>> {
        self.owned(CARDS, filter, page).await
    }

    async fn list_payments(
        &self,
        filter: &OwnerFilter,
        page: PageQuery,
    ) -> StoreResult<Page<OwnedRow>> {
        self.owned(PAYMENTS, filter, page).await
    }

    async fn list_card_transactions(
        &self,
        filter: &OwnerFilter,
        page: PageQuery,
    ) -> StoreResult<Page<CardTransactionRow>> {
        self.card_transaction_rows(filter, page).await
    }

    async fn user_deliveries(&self, user: i64, limit: u32) -> StoreResult<Vec<UserDelivery>> {
        self.user_delivery_rows(user, limit).await
    }

    async fn list_users(
        &self,
        filter: &UserFilter,
        page: PageQuery,
    ) -> StoreResult<Page<UserSummary>> {
        let mut table_where = format!("{USER_TABLES} WHERE u.kind <> 'API_KEY'");
        let mut args = Vec::new();
        if let Some(partner) = filter.partner {
            args.push(Arg::Int(partner));
            let n = args.len();
            table_where.push_str(&format!(" AND (u.partner_id = ${n} OR u.id = ${n})"));
        }
        if let Some(kind) = &filter.kind {
            args.push(Arg::Text(kind.clone()));
            table_where.push_str(&format!(" AND u.kind = ${}", args.len()));
        }
        if let Some(status) = &filter.provision_status {
            args.push(Arg::Text(status.clone()));
            table_where.push_str(&format!(" AND p.status = ${}", args.len()));
        }
        let found: Page<UserRow> =
            fetch_page(&self.read, USER_COLUMNS, "u.id", &table_where, &args, page).await?;
        Ok(Page {
            items: found.items.into_iter().map(UserSummary::from).collect(),
            has_older: found.has_older,
            has_newer: found.has_newer,
        })
    }

    async fn change_mark(&self) -> StoreResult<String> {
        self.change_mark_text().await
    }

    async fn user_summary(&self, id: i64) -> StoreResult<Option<UserSummary>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM {USER_TABLES} WHERE u.id = $1 LIMIT 1");
        let row: Option<UserRow> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.read)
            .await
            .map_err(db_err)?;
        Ok(row.map(UserSummary::from))
    }

    async fn search(&self, text: &str) -> StoreResult<Vec<Hit>> {
        let text = text.trim();
        let mut found = Vec::new();
        if text.is_empty() {
            return Ok(found);
        }
        if let Some(id) = text.parse::<i64>().ok().filter(|id| *id > 0) {
            found.extend(hits(
                HitKind::Provision,
                "id",
                self.hits_id(PROVISION_BY_ID, id).await?,
            ));
            found.extend(hits(
                HitKind::User,
                "id",
                self.hits_id(USER_BY_ID, id).await?,
            ));
            found.extend(hits(
                HitKind::Account,
                "id",
                self.hits_id(ACCOUNT_BY_ID, id).await?,
            ));
            found.extend(hits(
                HitKind::Card,
                "id",
                self.hits_id(CARD_BY_ID, id).await?,
            ));
            found.extend(self.payment_hits(id).await?);
        }
        if text.len() == 4 && text.chars().all(|c| c.is_ascii_digit()) {
            let rows = self.hits_text(CARD_BY_LAST_FOUR, text).await?;
            found.extend(hits(HitKind::Card, "last four digits", rows));
        }
        if uuid::Uuid::parse_str(text).is_ok() {
            let rows = self.hits_text(PROVISION_BY_UUID, text).await?;
            found.extend(hits(HitKind::Provision, "external_uuid", rows));
        }
        if text.contains('@') {
            let rows = self.hits_text(PROVISION_BY_EMAIL, text).await?;
            found.extend(hits(HitKind::Provision, "email", rows));
            let rows = self.hits_text(USER_BY_EMAIL, text).await?;
            found.extend(hits(HitKind::User, "EMAIL pointer", rows));
        }
        if let Some(iban) = iban_form(text) {
            let rows = self.hits_text(ACCOUNT_BY_IBAN, &iban).await?;
            found.extend(hits(HitKind::Account, "IBAN", rows));
        }
        found.truncate(MAX_HITS);
        Ok(found)
    }
}
