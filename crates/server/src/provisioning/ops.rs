//! Operations on a provision that the partner API, the operator API and the CLI share, so an
//! approval from the CLI is the same transition as one from the admin surface. An onboarding
//! decision also marks the user's onboarding, as the automatic decision of the onboarding
//! rules does (`provisio-store`'s `onboarding::settle`).

use std::time::Duration;

use provisio_core::{
    model::{Environment, ProvisionId},
    provision::{
        plan::{self, Step, StepContext},
        record::{HistoryEntry, Provision},
        state::Phase,
    },
    store::{ProvisionStore, Store},
    time::Clock,
    DomainError,
};

/// Loads a provision, lets `decide` pick the step for its phase, and applies it. The step is a
/// compare-and-set, so a provision that changed in between is reported, not overwritten.
pub async fn transition(
    store: &dyn Store,
    clock: &dyn Clock,
    id: ProvisionId,
    decide: impl FnOnce(Phase) -> Result<Step, &'static str>,
) -> Result<Provision, DomainError> {
    let provision = load(store, id).await?;
    let step = decide(phase_of(&provision)?).map_err(DomainError::invalid)?;
    if !store.apply_step(id, &step, clock.now()).await? {
        return Err(changed());
    }
    Ok(provision)
}

/// Takes the provision's background steps now, one after the other, without waiting for
/// their delay, until it waits for something other than time (its user's onboarding, or its
/// end). These are the worker's own steps (`plan::advance`), applied as the same
/// compare-and-sets; the jobs they schedule find the provision moved on and do nothing.
///
/// The worker may take one of these steps first: the provision's jobs are due now. A lost
/// compare-and-set then means the provision moved along the same plan, so the provision is
/// read again and the steps go on from where it is, instead of failing the caller.
pub async fn run_steps_now<S: ProvisionStore + ?Sized>(
    store: &S,
    clock: &dyn Clock,
    environment: Environment,
    id: ProvisionId,
) -> Result<Provision, DomainError> {
    let mut lost = 0;
    loop {
        let provision = load(store, id).await?;
        let now = clock.now();
        let ctx = StepContext {
            now,
            step_delay: Duration::ZERO,
            environment,
            products: &provision.products,
        };
        let Some(step) = plan::advance(phase_of(&provision)?, &ctx) else {
            return Ok(provision);
        };
        if !store.apply_step(id, &step, now).await? {
            // Each lost race is a step someone else took, and a plan has few steps; a
            // provision that keeps moving under us is reported rather than chased forever.
            lost += 1;
            if lost > MAX_LOST_RACES {
                return Err(changed());
            }
        }
    }
}

/// More lost compare-and-sets than a provision's whole plan has steps.
const MAX_LOST_RACES: u32 = 16;

async fn load<S: ProvisionStore + ?Sized>(
    store: &S,
    id: ProvisionId,
) -> Result<Provision, DomainError> {
    store
        .provision(id)
        .await?
        .ok_or_else(|| DomainError::not_found("PartnerUserProvision"))
}

fn phase_of(provision: &Provision) -> Result<Phase, DomainError> {
    provision.phase().ok_or_else(|| {
        DomainError::Store(provisio_core::StoreError::Corrupt(format!(
            "provision {} is in no known phase",
            provision.id
        )))
    })
}

fn changed() -> DomainError {
    DomainError::invalid(
        "The provision changed while this request was processed; read it and try again.",
    )
}

pub async fn cancel(
    store: &dyn Store,
    clock: &dyn Clock,
    id: ProvisionId,
    step_delay: Duration,
) -> Result<Provision, DomainError> {
    let now = clock.now();
    transition(store, clock, id, |phase| {
        plan::cancel(phase, now, step_delay, "cancelled by the partner")
    })
    .await
}

pub async fn reset_token(
    store: &dyn Store,
    clock: &dyn Clock,
    id: ProvisionId,
    step_delay: Duration,
) -> Result<Provision, DomainError> {
    let now = clock.now();
    transition(store, clock, id, |phase| {
        plan::request_reset(phase, now, step_delay)
    })
    .await
}

/// Decides the user's onboarding: approved → `ACTIVE/NONE`, denied → `FAILED/NONE`.
pub async fn decide_onboarding(
    store: &dyn Store,
    clock: &dyn Clock,
    id: ProvisionId,
    approved: bool,
    cause: &str,
) -> Result<Provision, DomainError> {
    let provision = load(store, id).await?;
    let step = plan::decide_onboarding(phase_of(&provision)?, approved, cause).map_err(|_| {
        let what = if approved { "approved" } else { "denied" };
        wrong_state(
            &provision,
            &format!(
                "only a provision waiting for its user's onboarding \
                 (CREATED/PENDING_PROCESS_USER_ONBOARDING) can be {what}."
            ),
        )
    })?;
    // The same transaction marks the user's onboarding VERIFIED or DENIED.
    if !store
        .decide_onboarding(id, &step, approved, clock.now())
        .await?
    {
        return Err(changed());
    }
    Ok(provision)
}

pub async fn fail(
    store: &dyn Store,
    clock: &dyn Clock,
    id: ProvisionId,
) -> Result<Provision, DomainError> {
    let provision = load(store, id).await?;
    let step = plan::fail(phase_of(&provision)?, "failed by an operator").map_err(|_| {
        wrong_state(
            &provision,
            "only a provision whose user, relation or OAuth request is being processed can be failed.",
        )
    })?;
    if !store.apply_step(id, &step, clock.now()).await? {
        return Err(changed());
    }
    Ok(provision)
}

/// An operator asked for a step the provision's state does not allow: name the state, so
/// they need not look it up before trying again.
fn wrong_state(provision: &Provision, rule: &str) -> DomainError {
    DomainError::invalid(format!(
        "Provision {} is {}/{}; {rule}",
        provision.id, provision.state.status, provision.state.sub_status
    ))
}

pub async fn expire_credential(
    store: &dyn Store,
    clock: &dyn Clock,
    id: ProvisionId,
) -> Result<(), DomainError> {
    let provision = load(store, id).await?;
    if store.expire_credential_now(id, clock.now()).await? {
        Ok(())
    } else {
        Err(wrong_state(
            &provision,
            "it has no credential waiting for its first use.",
        ))
    }
}

pub async fn history(store: &dyn Store, id: ProvisionId) -> Result<Vec<HistoryEntry>, DomainError> {
    load(store, id).await?;
    Ok(store.history(id).await?)
}
