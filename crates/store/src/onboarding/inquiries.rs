//! Compliance inquiries (spec G). An inquiry's status is derived from its entries
//! (`inquiry::status_of`) after every change, and every change of it is announced with the
//! whole inquiry (`USER_INFORMATION_INQUIRY_*`, spec F.2, J-22). Onboarding inquiries take part
//! in the onboarding decision, so each change ends with `settle::settle`.

use async_trait::async_trait;
use provisio_core::{
    inquiry::{status_of, Entry, EntryStatus, Inquiry, InquiryFilter, InquiryStatus, NewInquiry},
    model::{Page, PageQuery, UserId},
    store::{InquiryStore, StoreResult},
    time::Timestamp,
    StoreError,
};
use provisio_wire::{kyc, Item};
use sqlx::AnyConnection;

use super::settle::settle;
use crate::{
    db_err,
    page::{fetch_page, Arg},
    rows::{corrupt, parse},
    SqlStore,
};

const USER_INFORMATION_INQUIRY: &str = "USER_INFORMATION_INQUIRY";
const INQUIRY_COLUMNS: &str =
    "id, user_id, purpose, status, title, subtitle, external_model_name, \
    time_expiry, created, updated";
const FINAL: &str = "('AUTO_APPROVED', 'AUTO_REJECTED', 'APPROVED', 'REJECTED', 'CANCELLED')";
/// Answered, not yet reviewed: what an operator may review.
const AWAITING_REVIEW: &str = "('SUBMITTED', 'WAITING_FOR_REVIEW')";

#[derive(sqlx::FromRow)]
struct InquiryRow {
    id: i64,
    user_id: i64,
    purpose: String,
    status: String,
    title: String,
    subtitle: String,
    external_model_name: String,
    time_expiry: Option<i64>,
    created: i64,
    updated: i64,
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: i64,
    kind: String,
    status: String,
    description: String,
    data_submitted: String,
    context: String,
    reject_reason: Option<String>,
    created: i64,
    updated: i64,
}

impl TryFrom<EntryRow> for Entry {
    type Error = StoreError;

    fn try_from(r: EntryRow) -> Result<Self, StoreError> {
        Ok(Entry {
            id: r.id,
            kind: r.kind,
            status: parse(EntryStatus::parse, &r.status)?,
            description: r.description,
            data_submitted: r.data_submitted,
            context: r.context,
            reject_reason: r.reject_reason,
            created: Timestamp(r.created),
            updated: Timestamp(r.updated),
        })
    }
}

async fn with_entries(conn: &mut AnyConnection, r: InquiryRow) -> Result<Inquiry, sqlx::Error> {
    let rows: Vec<EntryRow> = sqlx::query_as(
        "SELECT id, kind, status, description, data_submitted, context, reject_reason, created, \
                updated \
         FROM inquiry_entries WHERE inquiry_id = $1 ORDER BY id",
    )
    .bind(r.id)
    .fetch_all(&mut *conn)
    .await?;
    let entries = rows
        .into_iter()
        .map(Entry::try_from)
        .collect::<Result<Vec<_>, _>>()
        .map_err(corrupt)?;
    Ok(Inquiry {
        id: r.id,
        user_id: r.user_id,
        purpose: r.purpose,
        status: parse(InquiryStatus::parse, &r.status).map_err(corrupt)?,
        title: r.title,
        subtitle: r.subtitle,
        external_model_name: r.external_model_name,
        time_expiry: r.time_expiry.map(Timestamp),
        created: Timestamp(r.created),
        updated: Timestamp(r.updated),
        entries,
    })
}

async fn read(conn: &mut AnyConnection, id: i64) -> Result<Option<Inquiry>, sqlx::Error> {
    let row: Option<InquiryRow> = sqlx::query_as(&format!(
        "SELECT {INQUIRY_COLUMNS} FROM inquiries WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => Ok(Some(with_entries(conn, row).await?)),
        None => Ok(None),
    }
}

/// After its entries changed: derives the inquiry's status, stores it, announces it when it
/// changed (or when `announce`, for new questions), and settles the user's onboarding.
async fn refresh(
    conn: &mut AnyConnection,
    id: i64,
    announce: bool,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let mut inquiry = read(conn, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    // Every change of an inquiry passes here: a closed user's is refused, whole.
    crate::frozen::writable(conn, inquiry.user_id).await?;
    let status = status_of(inquiry.entries.iter().map(|e| e.status));
    let changed = status != inquiry.status;
    sqlx::query("UPDATE inquiries SET status = $2, updated = $3 WHERE id = $1")
        .bind(id)
        .bind(status.as_str())
        .bind(now.micros())
        .execute(&mut *conn)
        .await?;
    inquiry.status = status;
    inquiry.updated = now;
    if changed || announce {
        let object = Item::UserInformationInquiry(kyc::inquiry(&inquiry));
        crate::webhooks::outbox::emit_user_event(
            conn,
            inquiry.user_id,
            USER_INFORMATION_INQUIRY,
            status.event_type(),
            id,
            &object,
            now,
        )
        .await?;
    }
    settle(conn, inquiry.user_id, now).await
}

async fn add_entry(
    conn: &mut AnyConnection,
    inquiry: i64,
    kind: &str,
    description: &str,
    context: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO inquiry_entries (inquiry_id, kind, status, description, context, created, updated) \
         VALUES ($1, $2, 'PENDING', $3, $4, $5, $5)",
    )
    .bind(inquiry)
    .bind(kind.to_owned())
    .bind(description.to_owned())
    .bind(context.to_owned())
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Raises an inquiry, or adds its entries to the user's open one of the same purpose.
pub(super) async fn raise(
    conn: &mut AnyConnection,
    user: i64,
    new: &NewInquiry,
    now: Timestamp,
) -> Result<i64, sqlx::Error> {
    let open: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM inquiries \
         WHERE user_id = $1 AND purpose = $2 AND status <> 'FINALIZED' \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(user)
    .bind(new.purpose.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let id = match open {
        Some(id) => id,
        None => {
            let kind: String = sqlx::query_scalar("SELECT kind FROM users WHERE id = $1")
                .bind(user)
                .fetch_one(&mut *conn)
                .await?;
            let model = if kind == "COMPANY" {
                "USER_COMPANY"
            } else {
                "USER_PERSON"
            };
            sqlx::query_scalar(
                "INSERT INTO inquiries (user_id, purpose, status, title, subtitle, \
                                        external_model_name, time_expiry, created, updated) \
                 VALUES ($1, $2, 'EXPECTING_REPLY_FROM_USER', $3, $4, $5, $6, $7, $7) RETURNING id",
            )
            .bind(user)
            .bind(new.purpose.as_str())
            .bind(new.title.as_str())
            .bind(new.subtitle.as_str())
            .bind(model)
            .bind(new.time_expiry.map(|t| t.micros()))
            .bind(now.micros())
            .fetch_one(&mut *conn)
            .await?
        }
    };
    for (kind, description) in &new.entries {
        add_entry(conn, id, kind, description, "{}", now).await?;
    }
    refresh(conn, id, true, now).await?;
    Ok(id)
}

#[async_trait]
impl InquiryStore for SqlStore {
    async fn raise_inquiry(
        &self,
        user: UserId,
        inquiry: &NewInquiry,
        now: Timestamp,
    ) -> StoreResult<i64> {
        let new = inquiry.clone();
        self.write(move |conn| Box::pin(async move { raise(conn, user.0, &new, now).await }))
            .await
    }

    async fn inquiry(&self, id: i64) -> StoreResult<Option<Inquiry>> {
        let mut conn = self.read.acquire().await.map_err(db_err)?;
        read(&mut conn, id).await.map_err(db_err)
    }

    async fn inquiries(
        &self,
        user: UserId,
        filter: &InquiryFilter,
        page: PageQuery,
    ) -> StoreResult<Page<Inquiry>> {
        let mut args = vec![Arg::Int(user.0)];
        let mut sql = String::from("inquiries WHERE user_id = $1");
        let mut any_of = |column: &str, values: Vec<String>| {
            if values.is_empty() {
                return;
            }
            let places = crate::placeholders(args.len() + 1, values.len());
            sql.push_str(&format!(" AND {column} IN ({places})"));
            args.extend(values.into_iter().map(Arg::Text));
        };
        any_of(
            "status",
            filter
                .statuses
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
        );
        any_of("purpose", filter.purposes.clone());
        any_of("external_model_name", filter.model_names.clone());
        let rows: Page<InquiryRow> =
            fetch_page(&self.read, INQUIRY_COLUMNS, "id", &sql, &args, page).await?;
        let mut conn = self.read.acquire().await.map_err(db_err)?;
        let mut items = Vec::with_capacity(rows.items.len());
        for row in rows.items {
            items.push(with_entries(&mut conn, row).await.map_err(db_err)?);
        }
        Ok(Page {
            items,
            has_older: rows.has_older,
            has_newer: rows.has_newer,
        })
    }

    async fn answer_entry(&self, entry: i64, data: &str, now: Timestamp) -> StoreResult<bool> {
        let data = data.to_owned();
        self.write(move |conn| {
            Box::pin(async move {
                let inquiry: Option<i64> = sqlx::query_scalar(
                    "UPDATE inquiry_entries SET status = 'WAITING_FOR_REVIEW', data_submitted = $2, \
                            updated = $3 \
                     WHERE id = $1 AND status = 'PENDING' RETURNING inquiry_id",
                )
                .bind(entry)
                .bind(data)
                .bind(now.micros())
                .fetch_optional(&mut *conn)
                .await?;
                let Some(inquiry) = inquiry else {
                    return Ok(false);
                };
                refresh(conn, inquiry, false, now).await?;
                Ok(true)
            })
        })
        .await
    }

    async fn review_entry(
        &self,
        entry: i64,
        approved: bool,
        reason: Option<&str>,
        reopen: bool,
        now: Timestamp,
    ) -> StoreResult<Result<(), Option<EntryStatus>>> {
        let reason = reason.map(str::to_owned);
        self.write(move |conn| {
            Box::pin(async move {
                let status = if approved { "APPROVED" } else { "REJECTED" };
                let row: Option<(i64, String, String, String)> = sqlx::query_as(&format!(
                    "UPDATE inquiry_entries SET status = $2, reject_reason = $3, updated = $4 \
                     WHERE id = $1 AND status IN {AWAITING_REVIEW} \
                     RETURNING inquiry_id, kind, description, context"
                ))
                .bind(entry)
                .bind(status)
                .bind(if approved { None } else { reason })
                .bind(now.micros())
                .fetch_optional(&mut *conn)
                .await?;
                let Some((inquiry, kind, description, context)) = row else {
                    let status: Option<String> =
                        sqlx::query_scalar("SELECT status FROM inquiry_entries WHERE id = $1")
                            .bind(entry)
                            .fetch_optional(&mut *conn)
                            .await?;
                    let status = status
                        .map(|s| parse(EntryStatus::parse, &s))
                        .transpose()
                        .map_err(corrupt)?;
                    return Ok(Err(status));
                };
                let reopened = reopen && !approved;
                if reopened {
                    add_entry(conn, inquiry, &kind, &description, &context, now).await?;
                }
                refresh(conn, inquiry, reopened, now).await?;
                Ok(Ok(()))
            })
        })
        .await
    }

    async fn finalize_inquiry(&self, inquiry: i64, now: Timestamp) -> StoreResult<bool> {
        self.write(move |conn| {
            Box::pin(async move {
                let status: Option<String> =
                    sqlx::query_scalar("SELECT status FROM inquiries WHERE id = $1")
                        .bind(inquiry)
                        .fetch_optional(&mut *conn)
                        .await?;
                if status.as_deref().is_none_or(|s| s == "FINALIZED") {
                    return Ok(false);
                }
                sqlx::query(&format!(
                    "UPDATE inquiry_entries SET status = 'CANCELLED', updated = $2 \
                     WHERE inquiry_id = $1 AND status NOT IN {FINAL}"
                ))
                .bind(inquiry)
                .bind(now.micros())
                .execute(&mut *conn)
                .await?;
                refresh(conn, inquiry, false, now).await?;
                Ok(true)
            })
        })
        .await
    }
}
