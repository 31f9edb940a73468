//! The `OnboardingStore`: the user's onboarding (with the inquiry a new one raises), its
//! fulfillments, and an operator's decision on the provision. Every change ends in
//! `settle::settle` (or records the decision) in its own transaction.

use async_trait::async_trait;
use provisio_core::{
    inquiry::NewInquiry,
    model::{ProvisionId, UserId},
    onboarding::{Assessment, Fulfillment, FulfillmentType, Onboarding},
    provision::plan::Step,
    store::{OnboardingStore, StoreResult},
    time::Timestamp,
};

use super::settle::{
    create_onboarding, ensure_onboarding, load_fulfillments, read_onboarding, record, settle,
};
use crate::{provisioning::steps, SqlStore};

#[async_trait]
impl OnboardingStore for SqlStore {
    async fn onboarding(
        &self,
        user: UserId,
        kind: &str,
        inquiry: Option<&NewInquiry>,
        now: Timestamp,
    ) -> StoreResult<Onboarding> {
        let (kind, inquiry) = (kind.to_owned(), inquiry.cloned());
        self.write(move |conn| {
            Box::pin(async move {
                crate::frozen::writable(conn, user.0).await?;
                let created = create_onboarding(conn, user.0, &kind, now).await?;
                if let (true, Some(inquiry)) = (created, &inquiry) {
                    super::inquiries::raise(conn, user.0, inquiry, now).await?;
                }
                read_onboarding(conn, user.0)
                    .await?
                    .ok_or(sqlx::Error::RowNotFound)
            })
        })
        .await
    }

    async fn find_onboarding(&self, user: UserId) -> StoreResult<Option<Onboarding>> {
        let mut conn = self.read.acquire().await.map_err(crate::db_err)?;
        read_onboarding(&mut conn, user.0)
            .await
            .map_err(crate::db_err)
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
                crate::frozen::writable(conn, user.0).await?;
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
                settle(conn, user.0, now).await?;
                Ok(ids)
            })
        })
        .await
    }

    async fn fulfillments(&self, user: UserId) -> StoreResult<Vec<Fulfillment>> {
        let mut conn = self.read.acquire().await.map_err(crate::db_err)?;
        load_fulfillments(&mut conn, user.0)
            .await
            .map_err(crate::db_err)
    }

    async fn decide_onboarding(
        &self,
        provision: ProvisionId,
        step: &Step,
        approved: bool,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let step = step.clone();
        self.write(move |conn| {
            Box::pin(async move {
                if !steps::apply(conn, provision.0, &step, now).await? {
                    return Ok(false);
                }
                let user: Option<i64> =
                    sqlx::query_scalar("SELECT user_id FROM provisions WHERE id = $1")
                        .bind(provision.0)
                        .fetch_one(&mut *conn)
                        .await?;
                if let Some(user) = user {
                    let current = ensure_onboarding(conn, user, "PARTNER_USER", now).await?;
                    let done = load_fulfillments(conn, user).await?;
                    record(conn, &current, Assessment::decided(approved), &done, now).await?;
                }
                Ok(true)
            })
        })
        .await
    }
}
