use super::{
    events::{self, ProvisionEvent},
    oauth::usable_client,
    rows::{HistoryRow, ProvisionRow, PROVISION_FROM, PROVISION_SELECT},
    steps,
};
use crate::{
    batch::{Batch, Statement},
    chain::{chains_writes, Chain},
    db_err, frozen,
    page::{fetch_page, Arg},
    SqlStore,
};
use async_trait::async_trait;
use provisio_core::{
    model::{Page, PageQuery, ProvisionId, UserId},
    provision::{
        plan::{JobKind, JobSpec, Step},
        record::{HistoryEntry, Provision, ProvisionFilter},
        request::NewProvision,
        state::Phase,
        Status,
    },
    store::{ProvisionStore, StoreResult, NO_USABLE_OAUTH_CLIENT},
    time::Timestamp,
    StoreError,
};
use sqlx::{FromRow, Row};

#[async_trait]
impl ProvisionStore for SqlStore {
    async fn create_provision(
        &self,
        partner: UserId,
        provision: &NewProvision,
        now: Timestamp,
        first_step_at: Timestamp,
    ) -> StoreResult<Provision> {
        let p = provision.clone();
        let row = self
            .write(move |conn| {
                Box::pin(async move {
                    let state = Phase::from(Phase::new_provision()).stored();
                    let inserted = insert_statement(partner, &p, state, now);
                    let first = JobSpec {
                        kind: JobKind::Advance,
                        run_at: first_step_at,
                    };
                    let mut batch = Batch::new();
                    let (created, event) = if chains_writes(conn) {
                        // One statement: the provision, its history, its first job, and the
                        // provision as created joined to the partner's targets (`chain`).
                        let mut chain = Chain::new("created", inserted);
                        chain.insert(
                            steps::record_statement(0, None, state, now, "created"),
                            Some(1),
                        )?;
                        chain.insert(
                            steps::schedule_statement(0, &first, Some(state), now),
                            Some(2),
                        )?;
                        let created = batch.push(chain.select(events::created_joined()));
                        (created, None)
                    } else {
                        // A batch of its own, so that SQLite's writer runs it itself (`direct`).
                        let id: i64 = inserted
                            .fetch_all(conn)
                            .await?
                            .first()
                            .ok_or_else(no_usable_client)?
                            .try_get("id")?;
                        // The rest in one trip (see `batch`): history, first job, the webhook's
                        // reads, and the provision as created.
                        batch.push(steps::record_statement(id, None, state, now, "created"));
                        batch.push(steps::schedule_statement(id, &first, Some(state), now));
                        let created = batch.push(
                            Statement::new(format!(
                                "SELECT {PROVISION_SELECT} FROM {PROVISION_FROM} WHERE p.id = $1"
                            ))
                            .bind(id),
                        );
                        (
                            created,
                            Some(ProvisionEvent::read_with(&mut batch, id, created)),
                        )
                    };
                    let answers = batch.run(conn).await?;
                    // No row: nothing was inserted (PostgreSQL's chain writes its parts only
                    // for the head's rows).
                    let row = answers.first(created).ok_or_else(no_usable_client)?;
                    let event = match event {
                        Some(event) => event,
                        None => ProvisionEvent::joined(&answers, row.try_get("id")?, created)?,
                    };
                    event.queue(conn, &answers, now).await?;
                    ProvisionRow::from_row(row)
                })
            })
            .await?;
        row.try_into()
    }

    async fn provision(&self, id: ProvisionId) -> StoreResult<Option<Provision>> {
        let row: Option<ProvisionRow> = sqlx::query_as(&format!(
            "SELECT {PROVISION_SELECT} FROM {PROVISION_FROM} WHERE p.id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        row.map(Provision::try_from).transpose()
    }

    async fn list_provisions(
        &self,
        partner: UserId,
        filter: &ProvisionFilter,
        page: PageQuery,
    ) -> StoreResult<Page<Provision>> {
        let mut args = vec![Arg::Int(partner.0)];
        let mut table_where = format!("{PROVISION_FROM} WHERE p.partner_id = $1");
        if !filter.statuses.is_empty() {
            let marks: Vec<String> = filter
                .statuses
                .iter()
                .map(|status| {
                    args.push(Arg::Text(status.as_str().to_owned()));
                    format!("${}", args.len())
                })
                .collect();
            table_where.push_str(&format!(" AND p.status IN ({})", marks.join(", ")));
        }
        if !filter.sub_statuses.is_empty() {
            let marks: Vec<String> = filter
                .sub_statuses
                .iter()
                .map(|sub_status| {
                    args.push(Arg::Text(sub_status.as_str().to_owned()));
                    format!("${}", args.len())
                })
                .collect();
            table_where.push_str(&format!(" AND p.sub_status IN ({})", marks.join(", ")));
        }
        if let Some(uuid) = &filter.external_uuid {
            args.push(Arg::Text(uuid.clone()));
            table_where.push_str(&format!(" AND p.external_uuid = ${}", args.len()));
        }
        let rows: Page<ProvisionRow> = fetch_page(
            &self.read,
            PROVISION_SELECT,
            "p.id",
            &table_where,
            &args,
            page,
        )
        .await?;
        rows.try_map(Provision::try_from)
    }

    async fn apply_step(
        &self,
        provision: ProvisionId,
        step: &Step,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let step = step.clone();
        self.write(move |conn| {
            Box::pin(async move { steps::apply(conn, provision.0, &step, now).await })
        })
        .await
    }

    async fn history(&self, provision: ProvisionId) -> StoreResult<Vec<HistoryEntry>> {
        let rows: Vec<HistoryRow> = sqlx::query_as(
            "SELECT at, from_status, from_sub_status, to_status, to_sub_status, cause \
             FROM provision_history WHERE provision_id = $1 ORDER BY id",
        )
        .bind(provision.0)
        .fetch_all(&self.read)
        .await
        .map_err(db_err)?;
        rows.into_iter().map(HistoryEntry::try_from).collect()
    }

    async fn user_provision_status(&self, user: UserId) -> StoreResult<Option<Status>> {
        // Every change a provisioned user asks for reads it: a point read (`readers`).
        let status: Option<String> = self
            .read_scalar(
                Statement::new("SELECT status FROM provisions WHERE user_id = $1").bind(user.0),
            )
            .await
            .map_err(db_err)?;
        status
            .map(|s| crate::rows::parse(Status::parse, &s))
            .transpose()
    }

    async fn expire_credential_now(
        &self,
        provision: ProvisionId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        self.write(move |conn| {
            Box::pin(async move {
                sqlx::query(
                    "UPDATE credentials SET expiry_time = $2 \
                     WHERE provision_id = $1 AND status = 'PENDING_FIRST_USE' AND expiry_time > $2",
                )
                .bind(provision.0)
                .bind(now.micros())
                .execute(&mut *conn)
                .await?;
                steps::expire_credential(conn, provision.0, now).await
            })
        })
        .await
    }
}

/// The refusal of a provision whose INSERT wrote no row (see [`insert_statement`]).
fn no_usable_client() -> sqlx::Error {
    frozen::refuse(StoreError::Refused(NO_USABLE_OAUTH_CLIENT.to_owned()))
}

/// The new provision's row, answering it whole: on PostgreSQL a chain reads the provision
/// as created from it; SQLite's write takes its id.
fn insert_statement(
    partner: UserId,
    p: &NewProvision,
    state: provisio_core::provision::state::Stored,
    now: Timestamp,
) -> Statement {
    // Inserted only if the partner ($1) has a usable OAuth client (J-14): asked here rather
    // than in a read before, it costs no round trip of its own (on PostgreSQL ~15% more
    // provisions a second, docs/benchmarks.md) and sees the clients as the insert does.
    Statement::new(concat!(
        "INSERT INTO provisions (partner_id, external_uuid, user_verified_type, email, \
             phone_number, products, director_provision_id, date_of_birth, \
             country_of_residence, status, sub_status, action_required, created, updated) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13 WHERE ",
        usable_client!(),
        " RETURNING *"
    ))
    .bind(partner.0)
    .bind(p.external_uuid.clone())
    .bind(p.user_verified_type.as_str())
    .bind(p.email.clone())
    .bind(p.phone_number.clone())
    .bind(
        p.products
            .iter()
            .map(|x| x.as_str())
            .collect::<Vec<_>>()
            .join(","),
    )
    .bind(p.director_provision_id)
    .bind(p.date_of_birth.clone())
    .bind(p.country_of_residence.clone())
    .bind(state.status.as_str())
    .bind(state.sub_status.as_str())
    .bind(state.action_required.as_str())
    .bind(now.micros())
}
