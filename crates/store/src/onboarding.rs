use async_trait::async_trait;
use provisio_core::{
    model::UserId,
    onboarding::{Fulfillment, FulfillmentType, Onboarding},
    store::{OnboardingStore, StoreResult},
    time::Timestamp,
};

use crate::{db_err, rows::parse, steps, SqlStore};

const ONBOARDING_COLUMNS: &str = "id, user_id, kind, status, created, updated";

#[derive(sqlx::FromRow)]
struct OnboardingRow {
    id: i64,
    user_id: i64,
    kind: String,
    status: String,
    created: i64,
    updated: i64,
}

impl From<OnboardingRow> for Onboarding {
    fn from(r: OnboardingRow) -> Self {
        Onboarding {
            id: r.id,
            user_id: r.user_id,
            kind: r.kind,
            status: r.status,
            created: Timestamp(r.created),
            updated: Timestamp(r.updated),
        }
    }
}

#[derive(sqlx::FromRow)]
struct FulfillmentRow {
    id: i64,
    kind: String,
    created: i64,
    updated: i64,
}

#[async_trait]
impl OnboardingStore for SqlStore {
    async fn onboarding(
        &self,
        user: UserId,
        kind: &str,
        now: Timestamp,
    ) -> StoreResult<Onboarding> {
        let kind = kind.to_owned();
        let row: OnboardingRow = self
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO onboardings (user_id, kind, status, created, updated) \
                         VALUES ($1, $2, 'CREATED', $3, $3) ON CONFLICT (user_id) DO NOTHING",
                    )
                    .bind(user.0)
                    .bind(kind)
                    .bind(now.micros())
                    .execute(&mut *conn)
                    .await?;
                    sqlx::query_as(&format!(
                        "SELECT {ONBOARDING_COLUMNS} FROM onboardings WHERE user_id = $1"
                    ))
                    .bind(user.0)
                    .fetch_one(&mut *conn)
                    .await
                })
            })
            .await?;
        Ok(row.into())
    }

    async fn find_onboarding(&self, user: UserId) -> StoreResult<Option<Onboarding>> {
        let row: Option<OnboardingRow> = sqlx::query_as(&format!(
            "SELECT {ONBOARDING_COLUMNS} FROM onboardings WHERE user_id = $1"
        ))
        .bind(user.0)
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        Ok(row.map(Onboarding::from))
    }

    async fn fulfill(
        &self,
        user: UserId,
        submissions: &[(FulfillmentType, String)],
        display_name: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<Vec<i64>> {
        let (submissions, display_name) = (submissions.to_vec(), display_name.map(str::to_owned));
        self.write(move |conn| {
            Box::pin(async move {
                let mut ids = Vec::with_capacity(submissions.len());
                for (kind, data) in submissions {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO fulfillments (user_id, kind, data, created, updated) \
                         VALUES ($1, $2, $3, $4, $4) \
                         ON CONFLICT (user_id, kind) DO UPDATE SET data = excluded.data, updated = excluded.updated \
                         RETURNING id",
                    )
                    .bind(user.0)
                    .bind(kind.as_str())
                    .bind(data)
                    .bind(now.micros())
                    .fetch_one(&mut *conn)
                    .await?;
                    ids.push(id);
                }
                sqlx::query("UPDATE onboardings SET status = 'IN_PROGRESS', updated = $2 WHERE user_id = $1 AND status = 'CREATED'")
                    .bind(user.0)
                    .bind(now.micros())
                    .execute(&mut *conn)
                    .await?;
                if let Some(name) = display_name {
                    sqlx::query("UPDATE users SET name = $2, updated = $3 WHERE id = $1")
                        .bind(user.0)
                        .bind(name)
                        .bind(now.micros())
                        .execute(&mut *conn)
                        .await?;
                    // The provision's label_user shows the name: a change of the provision.
                    let provision: Option<i64> = sqlx::query_scalar("SELECT id FROM provisions WHERE user_id = $1")
                        .bind(user.0)
                        .fetch_optional(&mut *conn)
                        .await?;
                    if let Some(provision) = provision {
                        steps::touch(conn, provision, now, "user's legal name set").await?;
                    }
                }
                Ok(ids)
            })
        })
        .await
    }

    async fn fulfillments(&self, user: UserId) -> StoreResult<Vec<Fulfillment>> {
        let rows: Vec<FulfillmentRow> = sqlx::query_as(
            "SELECT id, kind, created, updated FROM fulfillments WHERE user_id = $1 ORDER BY id",
        )
        .bind(user.0)
        .fetch_all(&self.read)
        .await
        .map_err(db_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(Fulfillment {
                    kind: parse(FulfillmentType::parse, &r.kind)?,
                    id: r.id,
                    created: Timestamp(r.created),
                    updated: Timestamp(r.updated),
                })
            })
            .collect()
    }
}
