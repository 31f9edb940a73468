//! Identity verification sessions, attachments and identity documents (spec E.4–E.6).
//!
//! A submitted verification is reviewed by a `REVIEW_IDENTITY` job of the user's provision,
//! scheduled in the transaction of the submission; the review and an operator's decision both
//! end in `settle::settle`, which may decide the onboarding and the provision.

use async_trait::async_trait;
use provisio_core::{
    attachment::{Attachment, NewDocument},
    identity::{sandbox_verdict, IdentityVerification, IdvResult, IdvStatus, Verdict, PURPOSE},
    model::{Page, PageQuery, UserId},
    provision::plan::{JobKind, JobSpec},
    store::{StoreResult, VerificationStore},
    time::Timestamp,
    StoreError,
};
use sqlx::AnyConnection;

use super::settle::settle;
use crate::{
    db_err,
    page::{fetch_page, Arg},
    provisioning::steps,
    rows::parse,
    SqlStore,
};

const IDV_COLUMNS: &str =
    "id, user_id, purpose, country, status, token, external_id, result, fail_reasons, created, updated";

#[derive(sqlx::FromRow)]
struct IdvRow {
    id: i64,
    user_id: i64,
    purpose: String,
    country: String,
    status: String,
    token: String,
    external_id: String,
    result: Option<String>,
    fail_reasons: String,
    created: i64,
    updated: i64,
}

impl TryFrom<IdvRow> for IdentityVerification {
    type Error = StoreError;

    fn try_from(r: IdvRow) -> Result<Self, StoreError> {
        let verdict = match r.result {
            Some(result) => Some(Verdict {
                result: parse(IdvResult::parse, &result)?,
                fail_reasons: serde_json::from_str(&r.fail_reasons)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            }),
            None => None,
        };
        Ok(IdentityVerification {
            id: r.id,
            user_id: r.user_id,
            purpose: r.purpose,
            country: r.country,
            status: parse(IdvStatus::parse, &r.status)?,
            token: r.token,
            external_id: r.external_id,
            verdict,
            created: Timestamp(r.created),
            updated: Timestamp(r.updated),
        })
    }
}

#[derive(sqlx::FromRow)]
struct AttachmentRow {
    id: i64,
    user_id: i64,
    content_type: String,
    description: Option<String>,
    created: i64,
}

/// Marks a session processed with `verdict` unless it already was, then settles the user's
/// onboarding. Returns whether it was processed now.
async fn process(
    conn: &mut AnyConnection,
    id: i64,
    verdict: &Verdict,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let reasons = serde_json::to_string(&verdict.fail_reasons).unwrap_or_else(|_| "[]".into());
    let user: Option<i64> = sqlx::query_scalar(
        "UPDATE identity_verifications SET status = 'PROCESSED', result = $2, fail_reasons = $3, \
                updated = $4 \
         WHERE id = $1 AND status IN ('CREATED', 'SUBMITTED') RETURNING user_id",
    )
    .bind(id)
    .bind(verdict.result.as_str())
    .bind(reasons)
    .bind(now.micros())
    .fetch_optional(&mut *conn)
    .await?;
    match user {
        Some(user) => {
            crate::frozen::writable(conn, user).await?;
            settle(conn, user, now).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// A value the user declared in a fulfillment (`data` is a JSON object).
async fn declared(
    conn: &mut AnyConnection,
    user: i64,
    kind: &str,
    field: &str,
) -> Result<Option<String>, sqlx::Error> {
    let data: Option<String> =
        sqlx::query_scalar("SELECT data FROM fulfillments WHERE user_id = $1 AND kind = $2")
            .bind(user)
            .bind(kind)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(data
        .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
        .and_then(|v| v.get(field).and_then(|f| f.as_str()).map(str::to_owned)))
}

/// The `REVIEW_IDENTITY` job: decides every submitted session of the provision's user by the
/// sandbox rule.
pub(super) async fn review(
    conn: &mut AnyConnection,
    provision: i64,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let user: Option<i64> = sqlx::query_scalar("SELECT user_id FROM provisions WHERE id = $1")
        .bind(provision)
        .fetch_optional(&mut *conn)
        .await?
        .flatten();
    let Some(user) = user else {
        return Ok(());
    };
    // A closed user's pending review is dropped: its outcome could change nothing any more.
    if crate::frozen::provision_status(conn, user)
        .await?
        .is_some_and(|s| s.freezes_user())
    {
        return Ok(());
    }
    let submitted: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM identity_verifications WHERE user_id = $1 AND status = 'SUBMITTED' ORDER BY id",
    )
    .bind(user)
    .fetch_all(&mut *conn)
    .await?;
    if submitted.is_empty() {
        return Ok(());
    }
    let last_name = declared(conn, user, "LEGAL_NAME", "last_name").await?;
    let born = declared(conn, user, "DATE_OF_BIRTH", "date_of_birth").await?;
    let verdict = sandbox_verdict(last_name.as_deref(), born.as_deref());
    for id in submitted {
        process(conn, id, &verdict, now).await?;
    }
    Ok(())
}

#[async_trait]
impl VerificationStore for SqlStore {
    async fn create_identity_verification(
        &self,
        user: UserId,
        country: &str,
        token: &str,
        now: Timestamp,
    ) -> StoreResult<IdentityVerification> {
        let (country, token) = (country.to_owned(), token.to_owned());
        let row: IdvRow = self
            .write(move |conn| {
                Box::pin(async move {
                    crate::frozen::writable(conn, user.0).await?;
                    let country = declared(conn, user.0, "ADDRESS_MAIN", "country")
                        .await?
                        .unwrap_or(country);
                    let row = sqlx::query_as(&format!(
                        "INSERT INTO identity_verifications (user_id, purpose, provider, country, status, \
                                                             token, external_id, created, updated) \
                         VALUES ($1, $2, 'INCODE', $3, 'CREATED', $4, $5, $6, $6) RETURNING {IDV_COLUMNS}"
                    ))
                    .bind(user.0)
                    .bind(PURPOSE)
                    .bind(country)
                    .bind(token)
                    .bind(format!("incode_{}", provisio_core::ids::fresh_uuid().simple()))
                    .bind(now.micros())
                    .fetch_one(&mut *conn)
                    .await?;
                    settle(conn, user.0, now).await?;
                    Ok(row)
                })
            })
            .await?;
        row.try_into()
    }

    async fn identity_verification(&self, id: i64) -> StoreResult<Option<IdentityVerification>> {
        let row: Option<IdvRow> = sqlx::query_as(&format!(
            "SELECT {IDV_COLUMNS} FROM identity_verifications WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        row.map(IdentityVerification::try_from).transpose()
    }

    async fn identity_verifications(
        &self,
        user: UserId,
        page: PageQuery,
    ) -> StoreResult<Page<IdentityVerification>> {
        let table_where = "identity_verifications WHERE user_id = $1";
        let args = [Arg::Int(user.0)];
        fetch_page::<IdvRow>(&self.read, IDV_COLUMNS, "id", table_where, &args, page)
            .await?
            .try_map(IdentityVerification::try_from)
    }

    async fn submit_identity_verification(
        &self,
        id: i64,
        review_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<bool> {
        self.write(move |conn| {
            Box::pin(async move {
                let user: Option<i64> = sqlx::query_scalar(
                    "UPDATE identity_verifications SET status = 'SUBMITTED', updated = $2 \
                     WHERE id = $1 AND status = 'CREATED' RETURNING user_id",
                )
                .bind(id)
                .bind(now.micros())
                .fetch_optional(&mut *conn)
                .await?;
                let Some(user) = user else {
                    return Ok(false);
                };
                crate::frozen::writable(conn, user).await?;
                let provision: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM provisions WHERE user_id = $1")
                        .bind(user)
                        .fetch_optional(&mut *conn)
                        .await?;
                if let Some(provision) = provision {
                    let job = JobSpec {
                        kind: JobKind::ReviewIdentity,
                        run_at: review_at,
                    };
                    steps::schedule(conn, provision, &job, None, now).await?;
                }
                settle(conn, user, now).await?;
                Ok(true)
            })
        })
        .await
    }

    async fn process_identity_verification(
        &self,
        id: i64,
        verdict: &Verdict,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let verdict = verdict.clone();
        self.write(move |conn| Box::pin(async move { process(conn, id, &verdict, now).await }))
            .await
    }

    async fn store_attachment(
        &self,
        user: UserId,
        content_type: &str,
        description: Option<&str>,
        content: Vec<u8>,
        now: Timestamp,
    ) -> StoreResult<i64> {
        let (content_type, description) = (content_type.to_owned(), description.map(str::to_owned));
        self.write(move |conn| {
            Box::pin(async move {
                crate::frozen::writable(conn, user.0).await?;
                sqlx::query_scalar(
                    "INSERT INTO attachments (user_id, content_type, description, content, created) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(user.0)
                .bind(content_type)
                .bind(description)
                .bind(content)
                .bind(now.micros())
                .fetch_one(&mut *conn)
                .await
            })
        })
        .await
    }

    async fn attachment(&self, id: i64) -> StoreResult<Option<Attachment>> {
        let row: Option<AttachmentRow> = sqlx::query_as(
            "SELECT id, user_id, content_type, description, created FROM attachments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        Ok(row.map(|r| Attachment {
            id: r.id,
            user_id: r.user_id,
            content_type: r.content_type,
            description: r.description,
            created: Timestamp(r.created),
        }))
    }

    async fn attachment_content(&self, id: i64) -> StoreResult<Option<Vec<u8>>> {
        sqlx::query_scalar("SELECT content FROM attachments WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await
            .map_err(db_err)
    }

    async fn foreign_attachments(&self, user: UserId, ids: &[i64]) -> StoreResult<Vec<i64>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // One query however many ids were sent: a user has few attachments.
        let own: Vec<i64> = sqlx::query_scalar("SELECT id FROM attachments WHERE user_id = $1")
            .bind(user.0)
            .fetch_all(&self.read)
            .await
            .map_err(db_err)?;
        Ok(ids.iter().copied().filter(|id| !own.contains(id)).collect())
    }

    async fn create_document(
        &self,
        user: UserId,
        document: &NewDocument,
        now: Timestamp,
    ) -> StoreResult<i64> {
        let document = document.clone();
        self.write(move |conn| {
            Box::pin(async move {
                crate::frozen::writable(conn, user.0).await?;
                sqlx::query_scalar(
                    "INSERT INTO document_identifications (user_id, document_type, country, \
                                                           front_attachment_id, back_attachment_id, created) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(user.0)
                .bind(document.document_type)
                .bind(document.country)
                .bind(document.front)
                .bind(document.back)
                .bind(now.micros())
                .fetch_one(&mut *conn)
                .await
            })
        })
        .await
    }
}
