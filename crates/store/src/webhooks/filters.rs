//! A user's notification filters (spec F.2): which categories of events go to which targets,
//! set on the user or on one of its monetary accounts. The outbox reads the same table when it
//! queues an event; a failed delivery shows the filter it failed for.

use provisio_core::{
    model::{MonetaryAccountId, UserId},
    store::StoreResult,
    time::Timestamp,
    webhook::Filter,
};
use sqlx::{AnyConnection, Row};

use crate::{db_err, SqlStore};

/// Which of a user's filters.
#[derive(Clone, Copy)]
pub(super) enum Scope {
    /// Set on the user (`/user/{id}/notification-filter-url`).
    User,
    /// Set on one account (`…/monetary-account/{id}/notification-filter-url`).
    Account(MonetaryAccountId),
    /// Both.
    Any,
}

impl Scope {
    /// The condition on `notification_filters`, `$2` being the account where there is one.
    fn condition(self) -> &'static str {
        match self {
            Scope::User => "monetary_account_id IS NULL",
            Scope::Account(_) => "monetary_account_id = $2",
            Scope::Any => "1 = 1",
        }
    }

    fn account(self) -> Option<i64> {
        match self {
            Scope::Account(a) => Some(a.0),
            Scope::User | Scope::Any => None,
        }
    }
}

pub(super) async fn filters_of(
    conn: &mut AnyConnection,
    user: i64,
    scope: Scope,
) -> Result<Vec<Filter>, sqlx::Error> {
    let sql = format!(
        "SELECT category, target FROM notification_filters WHERE user_id = $1 AND {} ORDER BY id",
        scope.condition()
    );
    let mut query = sqlx::query(&sql).bind(user);
    if let Some(account) = scope.account() {
        query = query.bind(account);
    }
    let rows = query.fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(Filter {
                category: r.try_get("category")?,
                target: r.try_get("target")?,
            })
        })
        .collect()
}

/// Replaces the user's filters of `scope` (`requested_by` is who set them); the caller has
/// checked that an account in `scope` is the user's.
pub(super) async fn replace(
    store: &SqlStore,
    (user, scope): (UserId, Scope),
    requested_by: Option<UserId>,
    filters: &[Filter],
    now: Timestamp,
) -> StoreResult<()> {
    let filters = filters.to_vec();
    store
        .write(move |conn| {
            Box::pin(async move {
                // A closed user's filters stay as they were (the partner's company has no
                // provision, so its own filters pass).
                crate::frozen::writable(conn, user.0).await?;
                let delete = format!(
                    "DELETE FROM notification_filters WHERE user_id = $1 AND {}",
                    scope.condition()
                );
                let mut query = sqlx::query(&delete).bind(user.0);
                if let Some(account) = scope.account() {
                    query = query.bind(account);
                }
                query.execute(&mut *conn).await?;
                for filter in filters {
                    sqlx::query(
                    "INSERT INTO notification_filters (user_id, requested_by, category, target, \
                         monetary_account_id, created) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(user.0)
                .bind(requested_by.map(|u| u.0))
                .bind(filter.category)
                .bind(filter.target)
                .bind(scope.account())
                .bind(now.micros())
                .execute(&mut *conn)
                .await?;
                }
                Ok(())
            })
        })
        .await
}

/// The user's filters of `scope`, oldest first.
pub(super) async fn list(store: &SqlStore, user: UserId, scope: Scope) -> StoreResult<Vec<Filter>> {
    let mut conn = store.read.acquire().await.map_err(db_err)?;
    filters_of(&mut conn, user.0, scope).await.map_err(db_err)
}
