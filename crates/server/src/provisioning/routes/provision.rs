//! `/v1/partner-user-provision` (spec D): create, read, list, and PUT to cancel or to reset
//! the credential.

use std::collections::HashMap;

use axum::extract::{Query, State};
use provisio_core::{
    model::ProvisionId,
    provision::{
        record::{Provision, ProvisionFilter},
        request::{Draft, PointerDraft},
        Status, UserVerifiedType,
    },
    text::quoted,
    DomainError, StoreError,
};
use provisio_wire::render;
use provisio_wire::{
    requests::{ProvisionRequest, StatusRequest},
    Item,
};

use crate::{
    http::{
        error::ApiError,
        extract::{Json, PathId},
        pagination::Paging,
        respond::{ApiResult, Bunq},
        scope::PartnerSession,
    },
    provisioning::ops,
    AppState,
};

fn not_found() -> ApiError {
    ApiError::not_found("PartnerUserProvision not found.")
}

fn draft(body: ProvisionRequest) -> Draft {
    Draft {
        external_uuid: body.external_uuid,
        user_verified_type: body.user_verified_type,
        email: body.email,
        phone_number: body.phone_number,
        products: body.products,
        director_relation_provision_id: body.director_relation_provision_id,
        pointer: body.pointer.map(|p| PointerDraft {
            kind: p.kind,
            value: p.value,
            name: p.name,
        }),
        date_of_birth: body.date_of_birth,
        country_of_residence: body.country_of_residence,
    }
}

pub async fn create(
    State(state): State<AppState>,
    PartnerSession { partner }: PartnerSession,
    Json(body): Json<ProvisionRequest>,
) -> ApiResult {
    let new = draft(body).validate()?;
    if let Some(director) = new.director_provision_id {
        check_director(&state, partner, ProvisionId(director)).await?;
    }
    let now = state.clock.now();
    // Refused there (400) when the partner has no usable OAuth client (J-14).
    let created = state
        .store
        .create_provision(partner, &new, now, now.plus(state.config.worker.step_delay))
        .await
        .map_err(|err| match err {
            StoreError::UniqueViolation(_) => {
                ApiError::bad_request("A provision with this external_uuid already exists.")
            }
            other => other.into(),
        })?;
    state.changed();
    Bunq::id(created.id.0)
}

/// A company's director is a live person provision of the same partner.
async fn check_director(
    state: &AppState,
    partner: provisio_core::model::UserId,
    id: ProvisionId,
) -> Result<(), ApiError> {
    let director = state
        .store
        .provision(id)
        .await?
        .filter(|p| p.partner.id == partner)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "director_relation_provision_id {id} is not one of your provisions."
            ))
        })?;
    if director.user_verified_type != UserVerifiedType::Person {
        return Err(ApiError::bad_request(format!(
            "director_relation_provision_id {id} is not a PARTNER_USER_PERSON provision."
        )));
    }
    if matches!(
        director.state.status,
        Status::Cancelled | Status::Closed | Status::Failed
    ) {
        return Err(ApiError::bad_request(format!(
            "director_relation_provision_id {id} is {}.",
            director.state.status
        )));
    }
    Ok(())
}

/// The caller's own provision, or 404.
async fn owned(
    state: &AppState,
    partner: provisio_core::model::UserId,
    id: i64,
) -> Result<Provision, ApiError> {
    state
        .store
        .provision(ProvisionId(id))
        .await?
        .filter(|p| p.partner.id == partner)
        .ok_or_else(not_found)
}

pub async fn get(
    State(state): State<AppState>,
    PartnerSession { partner }: PartnerSession,
    PathId(id): PathId,
) -> ApiResult {
    let provision = owned(&state, partner, id).await?;
    Bunq::items(vec![Item::PartnerUserProvision(render::provision(
        &provision,
    ))])
}

pub async fn list(
    State(state): State<AppState>,
    PartnerSession { partner }: PartnerSession,
    paging: Paging,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult {
    let mut filter = ProvisionFilter::default();
    let mut carried = Vec::new();
    if let Some(statuses) = params.get("status").filter(|s| !s.is_empty()) {
        for text in statuses.split(',').map(str::trim) {
            let status = Status::parse(text).ok_or_else(|| {
                ApiError::bad_request(format!("status {} is not one of CREATED, ACTIVE, CANCELLED, FAILED, CLOSED, TOKEN_RESET_REQUESTED.", quoted(text)
                ))
            })?;
            filter.statuses.push(status);
        }
        carried.push(("status", statuses.clone()));
    }
    if let Some(uuid) = params.get("external_uuid").filter(|s| !s.is_empty()) {
        let uuid = uuid::Uuid::parse_str(uuid)
            .map_err(|_| {
                ApiError::bad_request(format!(
                    "external_uuid {} is not a valid UUID.",
                    quoted(uuid)
                ))
            })?
            .hyphenated()
            .to_string();
        carried.push(("external_uuid", uuid.clone()));
        filter.external_uuid = Some(uuid);
    }
    let page = state
        .store
        .list_provisions(partner, &filter, paging.query)
        .await?;
    let links = paging.links_with("/v1/partner-user-provision", &carried, &page, |p| p.id.0);
    Bunq::page(
        page.items
            .iter()
            .map(|p| Item::PartnerUserProvision(render::provision(p)))
            .collect(),
        links,
    )
}

pub async fn update(
    State(state): State<AppState>,
    PartnerSession { partner }: PartnerSession,
    PathId(id): PathId,
    Json(body): Json<StatusRequest>,
) -> ApiResult {
    let provision = owned(&state, partner, id).await?;
    request_status(&state, provision.id, &body.status).await?;
    Bunq::id(provision.id.0)
}

/// What a partner's `PUT` asks for (and the dashboard's cancel button): a closure or a token
/// reset.
pub(crate) async fn request_status(
    state: &AppState,
    id: ProvisionId,
    status: &str,
) -> Result<(), ApiError> {
    let (store, clock) = (state.store.as_ref(), state.clock.as_ref());
    let delay = state.config.worker.step_delay;
    let before = match status {
        // The swagger's only value, an alias of CANCELLED (spec D.4).
        "CANCELLED" | "PENDING_PROCESS_CLOSURE" => ops::cancel(store, clock, id, delay).await?,
        "TOKEN_RESET_REQUESTED" => ops::reset_token(store, clock, id, delay).await?,
        other => {
            return Err(DomainError::invalid(format!(
                "status {} cannot be requested; use CANCELLED or TOKEN_RESET_REQUESTED.",
                quoted(other)
            ))
            .into())
        }
    };
    // Sessions opened with the old credential must notice at once, not after the cache TTL.
    if let Some(api_key_user) = before.api_key_user_id {
        state.auth.revoke_user(api_key_user);
    }
    state.changed();
    Ok(())
}
