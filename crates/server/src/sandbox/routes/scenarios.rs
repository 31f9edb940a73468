//! `GET /_provisio/scenarios` (every scenario, magic value and forced outcome) and
//! `POST /_provisio/scenarios/{name}` (run one), see `sandbox::scenarios`.

use axum::extract::{Path, State};
use provisio_core::model::UserId;
use provisio_wire::{render, Item};
use serde::{Deserialize, Serialize};

use crate::{
    http::{
        error::ApiError,
        extract::{Admin, Json},
        respond::{ApiResult, Bunq},
    },
    sandbox::scenarios::{self, Runnable},
    AppState,
};

pub async fn list(State(state): State<AppState>, _: Admin) -> ApiResult {
    Bunq::items(
        scenarios::catalogue(state.config.sugardaddy_limit())
            .into_iter()
            .map(Item::Scenario)
            .collect(),
    )
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RunScenario {
    /// The partner (its UserCompany id) the user is provisioned for.
    pub partner_id: i64,
}

/// Answers the provision as the scenario left it, as `GET /v1/partner-user-provision/{id}`
/// would (its credential's token included while it is unused).
pub async fn run(
    State(state): State<AppState>,
    _: Admin,
    Path(name): Path<String>,
    Json(body): Json<RunScenario>,
) -> ApiResult {
    let Some(scenario) = Runnable::parse(&name) else {
        return Err(ApiError::not_found(format!(
            "There is no scenario {}; GET /_provisio/scenarios lists them.",
            provisio_core::text::quoted(&name)
        )));
    };
    let provision = scenarios::run(
        state.store.as_ref(),
        state.clock.as_ref(),
        state.config.environment,
        UserId(body.partner_id),
        scenario,
    )
    .await?;
    state.changed();
    Bunq::items(vec![Item::PartnerUserProvision(render::provision(
        &provision,
    ))])
}
