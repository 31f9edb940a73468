//! Scheduled payments (`…/monetary-account/{id}/schedule-payment`, signed like a payment) and
//! their runs (`…/schedule/{schedule_id}/schedule-instance`). A `PUT` replaces the payment and
//! the schedule (the next run is the new schedule's first at or after now); `DELETE` cancels.

use crate::http::scope::path_segment;
use axum::extract::{OriginalUri, State};
use provisio_core::account::schedule::{new_schedule, NewSchedule};
use provisio_wire::{
    schedules::{schedule_instance, schedule_payment, SchedulePaymentRequest},
    Item,
};

use super::accounts::AccountPath;
use crate::{
    banking::payments::policy,
    http::{
        error::ApiError,
        extract::SignedJson,
        pagination::Paging,
        respond::{ApiResult, Bunq},
        scope::AccountOwner,
    },
    AppState,
};

path_segment!(
    /// The `{schedule_payment_id}` path segment.
    pub struct SchedulePaymentPath(i64) = "schedule_payment_id"
);

path_segment!(
    /// The `{schedule_id}` path segment.
    pub struct SchedulePath(i64) = "schedule_id"
);

path_segment!(
    /// The `{schedule_instance_id}` path segment.
    pub struct InstancePath(i64) = "schedule_instance_id"
);

fn not_found() -> ApiError {
    ApiError::not_found("SchedulePayment not found.")
}

fn validated(
    state: &AppState,
    owner: &AccountOwner,
    body: SchedulePaymentRequest,
) -> Result<NewSchedule, ApiError> {
    let (payment, schedule) = body.into_inputs();
    let policy = policy(state.config.profile, &owner.user);
    Ok(new_schedule(
        payment.as_ref(),
        schedule.as_ref(),
        policy,
        state.clock.now(),
    )?)
}

pub async fn create(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    SignedJson(body): SignedJson<SchedulePaymentRequest>,
) -> ApiResult {
    let new = validated(&state, &owner, body)?;
    let made = state
        .store
        .create_schedule(owner.user.id, account, &new, state.clock.now())
        .await?
        .ok_or_else(|| ApiError::not_found("MonetaryAccount not found."))?;
    state.changed();
    Bunq::id(made.id)
}

pub async fn update(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    SchedulePaymentPath(id): SchedulePaymentPath,
    SignedJson(body): SignedJson<SchedulePaymentRequest>,
) -> ApiResult {
    let new = validated(&state, &owner, body)?;
    let changed = state
        .store
        .update_schedule(owner.user.id, account, id, &new, state.clock.now())
        .await?
        .ok_or_else(not_found)?;
    state.changed();
    Bunq::id(changed.id)
}

pub async fn cancel(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    SchedulePaymentPath(id): SchedulePaymentPath,
) -> ApiResult {
    state
        .store
        .cancel_schedule(owner.user.id, account, id, state.clock.now())
        .await?
        .ok_or_else(not_found)?;
    Bunq::items(Vec::new())
}

pub async fn list(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    paging: Paging,
    OriginalUri(uri): OriginalUri,
) -> ApiResult {
    state
        .store
        .account(owner.user.id, account)
        .await?
        .ok_or_else(|| ApiError::not_found("MonetaryAccount not found."))?;
    let page = state
        .store
        .schedules(owner.user.id, account, paging.query)
        .await?;
    let links = paging.links(uri.path(), &page, |s| s.id);
    Bunq::page(
        page.items
            .iter()
            .map(|s| Item::SchedulePayment(schedule_payment(s)))
            .collect(),
        links,
    )
}

pub async fn get(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    SchedulePaymentPath(id): SchedulePaymentPath,
) -> ApiResult {
    let found = state
        .store
        .schedule(owner.user.id, account, id)
        .await?
        .ok_or_else(not_found)?;
    Bunq::items(vec![Item::SchedulePayment(schedule_payment(&found))])
}

pub async fn instances(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    SchedulePath(schedule): SchedulePath,
    paging: Paging,
    OriginalUri(uri): OriginalUri,
) -> ApiResult {
    let page = state
        .store
        .schedule_instances(owner.user.id, account, schedule, paging.query)
        .await?
        .ok_or_else(|| ApiError::not_found("Schedule not found."))?;
    let links = paging.links(uri.path(), &page, |i| i.id);
    Bunq::page(
        page.items
            .iter()
            .map(|i| Item::ScheduleInstance(schedule_instance(i)))
            .collect(),
        links,
    )
}

pub async fn instance(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    SchedulePath(schedule): SchedulePath,
    InstancePath(id): InstancePath,
) -> ApiResult {
    let found = state
        .store
        .schedule_instance(owner.user.id, account, schedule, id)
        .await?
        .ok_or_else(|| ApiError::not_found("ScheduleInstance not found."))?;
    Bunq::items(vec![Item::ScheduleInstance(schedule_instance(&found))])
}
